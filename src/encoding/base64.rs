//! The base64 encoder (RFC 4648 §4 and §5), eight characters at a time, in constant time.
//!
//! Six input bytes give eight sextets, one per byte lane of a `u64`, and every lane becomes
//! its character by the same arithmetic, with no branch and no table indexed by the data
//! (`base64ct`'s rule; it still does the decoding). A pseudonym's 32 bytes take about half
//! the instructions of one sextet at a time (BENCHMARKS.md, the bulk tool).
//!
//! Whole 24-byte blocks are read as three aligned 8-byte words and their four groups cut from
//! those: a word read across the boundary of the stores that wrote the bytes (a hash's
//! output, just written) would wait for the stores to reach the cache.

/// One in every byte lane.
const LANES: u64 = 0x0101_0101_0101_0101;
/// The top bit of every byte lane.
const TOPS: u64 = LANES << 7;

/// What a sextet's character is, past the letters and digits both alphabets share: the
/// steps from the digits' offset to sextet 62's character, and on to sextet 63's.
#[derive(Clone, Copy)]
pub(super) struct Alphabet {
    /// `'0' - 52` minus (sextet 62's character − 62): subtracted from 62 up.
    down62: u8,
    /// (Sextet 63's character − 63) minus (sextet 62's character − 62): added at 63.
    up63: u8,
}

impl Alphabet {
    /// From the characters of sextets 62 and 63; both alphabets' characters 62 sit below,
    /// and their characters 63 above, what the digits' offset gives (checked by the tests).
    const fn new(c62: u8, c63: u8) -> Alphabet {
        let digits = b'0'.wrapping_sub(52);
        let at62 = c62.wrapping_sub(62);
        let at63 = c63.wrapping_sub(63);
        Alphabet {
            down62: digits.wrapping_sub(at62),
            up63: at63.wrapping_sub(at62),
        }
    }
}

/// RFC 4648 §4: `+` and `/`.
pub(super) const STANDARD: Alphabet = Alphabet::new(b'+', b'/');

/// RFC 4648 §5: `-` and `_`.
pub(super) const URL_SAFE: Alphabet = Alphabet::new(b'-', b'_');

/// `0xff` in the lanes of `x` (each below 64) whose sextet is at least `n`, zero in the
/// others: the lane's top bit, spread over the lane by a shift and a subtraction rather than
/// a multiplication (which vector code has no instruction for).
#[inline(always)]
fn at_least(x: u64, n: u8) -> u64 {
    let top = (x + LANES * u64::from(128 - n)) & TOPS;
    // 0x80 in a lane gives 0x100 - 0x01; the top lane's 0x100 falls off the end, and the
    // wrap leaves its 0xff.
    (top << 1).wrapping_sub(top >> 7)
}

/// Every lane of `x` (each below 64) as its character.
#[inline(always)]
fn characters(x: u64, alphabet: Alphabet) -> u64 {
    let step = |n: u8, by: u8| at_least(x, n) & (LANES * u64::from(by));
    // Offsets by range: 'A' below 26, then 6 more ('a' - 26), 75 fewer from 52 ('0' - 52),
    // the alphabet's steps at 62 and 63. The additions come first and stay below 256 in
    // every lane (63 + 65 + 6 + 49 at most), and what is then subtracted from a lane is never
    // more than it holds (the result is the character), so no lane carries into the next.
    let up = x + LANES * u64::from(b'A') + step(26, b'a' - 26 - b'A') + step(63, alphabet.up63);
    let down =
        step(52, (b'a' - 26).wrapping_sub(b'0'.wrapping_sub(52))) + step(62, alphabet.down62);
    up - down
}

/// The eight sextets of the six bytes in the top 48 bits of `v` (big-endian: the first
/// byte's top bits first), one per lane, the first in the lowest lane (so that
/// `to_le_bytes` writes them in order). Both halves of three bytes are split at once.
#[inline(always)]
fn sextets(v: u64) -> u64 {
    let w = ((v >> 40) & 0xff_ffff) | (((v >> 16) & 0xff_ffff) << 32);
    ((w >> 18) & 0x0000_003f_0000_003f)
        | ((w >> 4) & 0x0000_3f00_0000_3f00)
        | ((w << 10) & 0x003f_0000_003f_0000)
        | ((w << 24) & 0x3f00_0000_3f00_0000)
}

/// The characters of the six bytes in the top 48 bits of `v`.
#[inline(always)]
fn group(v: u64, alphabet: Alphabet) -> [u8; 8] {
    characters(sextets(v), alphabet).to_le_bytes()
}

/// Writes the base64 text of `bytes` into `out`, which holds exactly the encoded length
/// (`Encoding::encoded_len`: with `=` padding when that counts it); the caller checked it.
#[inline(always)]
pub(super) fn encode(bytes: &[u8], out: &mut [u8], alphabet: Alphabet) {
    if let Ok(bytes) = <&[u8; 32]>::try_from(bytes) {
        return encode_32(bytes, out, alphabet);
    }
    let (blocks, rest) = bytes.as_chunks::<24>();
    let Some((text, tail)) = out.split_at_mut_checked(blocks.len() * 32) else {
        return;
    };
    for (block, text) in blocks.iter().zip(text.as_chunks_mut::<32>().0) {
        for (dst, v) in text
            .as_chunks_mut::<8>()
            .0
            .iter_mut()
            .zip(block_groups(block))
        {
            *dst = group(v, alphabet);
        }
    }
    // Fewer than 24 bytes left: groups of six, read eight at a time where there are eight.
    let (mut rest, mut tail) = (rest, tail);
    while let Some(six) = rest.get(..6) {
        let v = match rest.first_chunk::<8>() {
            Some(window) => u64::from_be_bytes(*window),
            None => u64::from_be_bytes(padded(six)),
        };
        let Some((dst, more)) = tail.split_first_chunk_mut::<8>() else {
            return;
        };
        *dst = group(v, alphabet);
        (rest, tail) = (rest.get(6..).unwrap_or(&[]), more);
    }
    // The last 1 to 5 bytes: 2, 3, 4, 6 or 7 characters, then `=` to the end of `out`. They
    // end the input, so the last eight bytes hold them (when there are eight): no gathering.
    if rest.is_empty() {
        return;
    }
    let v = match bytes.last_chunk::<8>() {
        Some(window) => u64::from_be_bytes(*window) << (8 * (8 - rest.len())),
        None => u64::from_be_bytes(padded(rest)),
    };
    let chars = group(v, alphabet);
    let used = (rest.len() * 4).div_ceil(3);
    for (i, (dst, &c)) in tail.iter_mut().zip(&chars).enumerate() {
        *dst = if i < used { c } else { b'=' };
    }
}

/// The four groups of six bytes of a 24-byte block, each in the top 48 bits of a word, cut
/// from the block's three aligned 8-byte words.
#[inline(always)]
fn block_groups(block: &[u8; 24]) -> [u64; 4] {
    let (words, _) = block.as_chunks::<8>();
    let word = |i: usize| words.get(i).map_or(0, |w| u64::from_be_bytes(*w));
    let (w0, w1, w2) = (word(0), word(1), word(2));
    [
        w0,
        (w0 << 48) | (w1 >> 16),
        (w1 << 32) | (w2 >> 32),
        w2 << 16,
    ]
}

/// [`encode`] for 32 bytes (a pseudonym, the common case), in straight lines: a block, the
/// last word's first six bytes, and its last two bytes.
#[inline(always)]
fn encode_32(bytes: &[u8; 32], out: &mut [u8], alphabet: Alphabet) {
    let (block, last_word) = bytes.split_first_chunk::<24>().unwrap_or((&[0; 24], &[]));
    let w3 = last_word
        .first_chunk::<8>()
        .map_or(0, |w| u64::from_be_bytes(*w));
    let [g0, g1, g2, g3] = block_groups(block);
    let Some((text, tail)) = out.split_first_chunk_mut::<40>() else {
        return;
    };
    for (dst, v) in text
        .as_chunks_mut::<8>()
        .0
        .iter_mut()
        .zip([g0, g1, g2, g3, w3])
    {
        *dst = group(v, alphabet);
    }
    // Three characters, and `=` when the text is padded.
    let last = group(w3 << 48, alphabet);
    for (i, (dst, &c)) in tail.iter_mut().zip(&last).enumerate() {
        *dst = if i < 3 { c } else { b'=' };
    }
}

/// The first (at most) six bytes of `bytes`, zeros after.
#[inline(always)]
fn padded(bytes: &[u8]) -> [u8; 8] {
    let mut window = [0u8; 8];
    for (dst, src) in window.iter_mut().zip(bytes.iter().take(6)) {
        *dst = *src;
    }
    window
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Encoding;
    use base64ct::Encoding as _;

    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Every sextet maps to the character of RFC 4648's table, in both alphabets, in every
    /// lane at once and beside every other sextet (a carry between lanes would show).
    #[test]
    fn every_sextet_is_its_character() {
        let url = |c: u8| match c {
            b'+' => b'-',
            b'/' => b'_',
            c => c,
        };
        for s in 0u8..64 {
            let x = LANES * u64::from(s);
            let c = TABLE[usize::from(s)];
            assert_eq!(characters(x, STANDARD), LANES * u64::from(c), "sextet {s}");
            assert_eq!(
                characters(x, URL_SAFE),
                LANES * u64::from(url(c)),
                "sextet {s}"
            );
            for t in 0u8..64 {
                let lanes: [u8; 8] = core::array::from_fn(|i| if i % 2 == 0 { s } else { t });
                let got = characters(u64::from_le_bytes(lanes), URL_SAFE).to_le_bytes();
                let want = lanes.map(|x| url(TABLE[usize::from(x)]));
                assert_eq!(got, want, "sextets {s} and {t}");
            }
        }
    }

    /// The same text as `base64ct` for every length up to 100 bytes, random bytes, both
    /// alphabets, through the public `encode_into`.
    #[test]
    fn agrees_with_base64ct_at_every_length() {
        let mut next = crate::test_rng(0x05ee_db64);
        let mut ours = [0u8; 200];
        let mut theirs = [0u8; 200];
        for len in 0..=100 {
            for _ in 0..20 {
                let bytes: std::vec::Vec<u8> = (0..len).map(|_| next(256) as u8).collect();
                let a = Encoding::Base64.encode_into(&bytes, &mut ours).unwrap();
                let b = base64ct::Base64::encode(&bytes, &mut theirs).unwrap();
                assert_eq!(a, b, "base64, {len} bytes");
                let a = Encoding::Base64Url.encode_into(&bytes, &mut ours).unwrap();
                let b = base64ct::Base64UrlUnpadded::encode(&bytes, &mut theirs).unwrap();
                assert_eq!(a, b, "base64url, {len} bytes");
            }
        }
    }
}
