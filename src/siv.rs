//! AES-SIV (RFC 5297) with every key-dependent value computed once.
//!
//! The `aes-siv` crate expands the two AES keys, derives the CMAC subkeys and computes the
//! CMAC of the zero block for every message. A token is one short message, so this module
//! does that work once per key and keeps it: the S2V key schedule, the CTR key schedule, the
//! CMAC subkeys `K1`/`K2` (RFC 4493 §2.3) and `D0 = CMAC(K, 0^128)` (RFC 5297 §2.4, first
//! step). Encrypting a plaintext shorter than 16 bytes with one short associated-data string
//! then costs three AES block encryptions: one CMAC block for the associated data, one for
//! the padded plaintext, one CTR block.
//!
//! The code is generic over the block cipher so that RFC 5297's AES-128 vectors test the same
//! code that runs AES-256 for tokens. The `aes-siv` crate is kept as an oracle in the tests.

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherEncrypt, BlockSizeUser, KeyInit};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// AES block size.
pub(crate) const BLOCK: usize = 16;
/// One AES block.
pub(crate) type Block = [u8; BLOCK];
/// Most associated-data strings S2V accepts next to the plaintext (RFC 5297 §7: 127 vectors
/// in all).
pub(crate) const MAX_HEADERS: usize = 126;

/// AES-SIV keyed once: the S2V cipher, the CTR cipher and the precomputed CMAC values.
pub(crate) struct Siv<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit> {
    /// The S2V (CMAC) cipher: the first half of the SIV key.
    mac: C,
    /// The CTR cipher: the second half of the SIV key.
    ctr: C,
    /// CMAC subkey for a message whose last block is complete.
    sub1: [u8; BLOCK],
    /// CMAC subkey for a message whose last block is padded.
    sub2: [u8; BLOCK],
    /// `CMAC(K, 0^128)`, the start of S2V.
    d0: [u8; BLOCK],
    /// `dbl(d0)`: where S2V stands before its first associated-data string.
    d1: [u8; BLOCK],
    /// [`CTR_MASK`], read from here rather than from the constant: seeing a constant that
    /// is all ones but for two bytes, the compiler clears those two bytes with byte stores,
    /// and the CTR block then makes AES's 16-byte load wait (see [`xor_in`]).
    ctr_mask: Block,
}

/// S2V was given more associated-data strings than RFC 5297 allows.
#[cfg(test)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TooManyHeaders;

/// The SIV did not match: wrong key, wrong associated data or tampered ciphertext.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Unauthentic;

/// Doubling in GF(2^128) as RFC 5297 §2.3 defines it (`dbl`), without secret-dependent
/// branches.
#[inline(never)]
fn dbl(block: &[u8; BLOCK]) -> [u8; BLOCK] {
    let v = u128::from_be_bytes(*block);
    ((v << 1) ^ (0x87 * (v >> 127))).to_be_bytes()
}

/// Constant-time equality of two blocks: the XOR ORed down to one byte, compared with
/// `subtle` (one comparison instead of sixteen). Byte-wise like [`xor_in`], so the blocks
/// stay vector values.
fn ct_eq_block(a: &[u8; BLOCK], b: &[u8; BLOCK]) -> subtle::Choice {
    let mut diff = *a;
    xor_in(&mut diff, b);
    diff.iter().fold(0u8, |acc, &d| acc | d).ct_eq(&0)
}

/// `dst ^= src`.
///
/// Written byte by byte on purpose: the compiler turns it into one 16-byte vector XOR, so
/// the block stays one 16-byte store. Written as `u128` arithmetic, it became two 8-byte
/// stores, and AES's 16-byte load of such a block has to wait until both reach the cache
/// instead of taking them from the store buffer. Keeping every block of the token path a
/// 16-byte value made tokenize and detokenize about 15 % faster (BENCHMARKS.md).
fn xor_in(dst: &mut Block, src: &Block) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= *s;
    }
}

/// `dst &= mask`, one vector operation (see [`xor_in`]).
fn and_in(dst: &mut Block, mask: &Block) {
    for (d, m) in dst.iter_mut().zip(mask) {
        *d &= *m;
    }
}

/// `dst |= bits`, one vector operation (see [`xor_in`]).
fn or_in(dst: &mut Block, bits: &Block) {
    for (d, b) in dst.iter_mut().zip(bits) {
        *d |= *b;
    }
}

/// RFC 5297 §2.5: the counter is the SIV with bits 31 and 63 (the top bits of bytes 12 and
/// 8) cleared.
const CTR_MASK: Block = {
    let mut m = [0xff; BLOCK];
    m[8] = 0x7f;
    m[12] = 0x7f;
    m
};

/// `short` (under 16 bytes; longer is cut to 15) padded to a block the way CMAC and S2V pad
/// a final partial block (RFC 4493 §2.4, RFC 5297 §2.4): the bytes, `0x80`, zeros.
fn padded_block(short: &[u8]) -> Block {
    let len = short.len().min(BLOCK - 1);
    let mut block = [0u8; BLOCK];
    block[..len].copy_from_slice(&short[..len]);
    block[len] = 0x80;
    block
}

/// [`padded_block`] of `short` (under 16 bytes) XORed with `key`, as one 16-byte value: the
/// bytes are gathered one by one rather than copied into place. Copied, they and the `0x80`
/// after them were stores narrower than the block, and the cipher's 16-byte load of the
/// block then waited until they reached the cache (see [`xor_in`]); for a token's context
/// that wait was on every token's path (BENCHMARKS.md: tokenize went from 1.56 to 1.11 times
/// its AES floor without it). Inlined, so that the XOR makes the whole block one vector
/// value, which the compiler then stores at once.
///
/// Firmware keeps the copy: a Cortex-M4 has no such wait, and the copy is the smaller code.
#[inline(always)]
fn padded_xor(short: &[u8], key: &Block) -> Block {
    #[cfg(not(target_os = "none"))]
    let mut block = {
        let len = short.len().min(BLOCK - 1);
        let short = short.get(..len).unwrap_or_default();
        let mut block: Block = core::array::from_fn(|i| short.get(i).copied().unwrap_or(0));
        or_in(&mut block, &PAD[len]);
        block
    };
    #[cfg(target_os = "none")]
    let mut block = padded_block(short);
    xor_in(&mut block, key);
    block
}

/// For a plaintext of `n < 16` bytes: `0xff` over its bytes, zeros after.
const KEEP: [Block; BLOCK] = {
    let mut table = [[0u8; BLOCK]; BLOCK];
    let mut n = 0;
    while n < BLOCK {
        let mut i = 0;
        while i < n {
            table[n][i] = 0xff;
            i += 1;
        }
        n += 1;
    }
    table
};

/// For a plaintext of `n < 16` bytes: the `0x80` that pads it to a block (RFC 5297 §2.4).
const PAD: [Block; BLOCK] = {
    let mut table = [[0u8; BLOCK]; BLOCK];
    let mut n = 0;
    while n < BLOCK {
        table[n][n] = 0x80;
        n += 1;
    }
    table
};

impl<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit> Siv<C> {
    /// Keys AES-SIV from its two halves (`mac_key` for S2V, `ctr_key` for CTR), or `None` if
    /// a half has the wrong length for `C`. (Tokens use [`Siv::new_aes256`]; this generic form
    /// runs the AES-128 vectors.)
    #[cfg(test)]
    pub(crate) fn new(mac_key: &[u8], ctr_key: &[u8]) -> Option<Siv<C>> {
        let mac = C::new_from_slice(mac_key).ok()?;
        let ctr = C::new_from_slice(ctr_key).ok()?;
        Some(Self::from_ciphers(mac, ctr))
    }

    /// Precomputes the CMAC values for keyed ciphers.
    fn from_ciphers(mac: C, ctr: C) -> Siv<C> {
        let mut siv = Siv {
            mac,
            ctr,
            sub1: [0; BLOCK],
            sub2: [0; BLOCK],
            d0: [0; BLOCK],
            d1: [0; BLOCK],
            ctr_mask: CTR_MASK,
        };
        siv.precompute();
        siv
    }

    /// The CMAC subkeys and the CMAC values of the zero blocks, in place.
    fn precompute(&mut self) {
        let mut l = [0u8; BLOCK];
        encrypt(&self.mac, &mut l);
        self.sub1 = dbl(&l);
        self.sub2 = dbl(&self.sub1);
        l.zeroize();
        // CMAC of one complete zero block: E(0 XOR K1).
        self.d0 = self.sub1;
        encrypt(&self.mac, &mut self.d0);
        self.d1 = dbl(&self.d0);
    }

    /// AES-CMAC (RFC 4493) of `msg`; if `xor_end` is given (and `msg` has at least 16 bytes),
    /// of `msg` with its last 16 bytes XORed with it (RFC 5297's `xorend`).
    fn cmac(&self, msg: &[u8], xor_end: Option<&[u8; BLOCK]>) -> [u8; BLOCK] {
        let len = msg.len();
        // One padded block (a token's context, usually): what the loop below does for it,
        // without the loop's per-byte bookkeeping.
        if xor_end.is_none() && len < BLOCK {
            let mut block = padded_xor(msg, &self.sub2);
            encrypt(&self.mac, &mut block);
            return block;
        }
        let tail_start = len.saturating_sub(BLOCK);
        let last_complete = len > 0 && len.is_multiple_of(BLOCK);
        let blocks = len.div_ceil(BLOCK).max(1);
        let mut x = [0u8; BLOCK];
        for (i, chunk) in msg
            .chunks(BLOCK)
            .chain((len == 0).then_some(&[][..]))
            .enumerate()
        {
            let start = i.saturating_mul(BLOCK);
            let mut block = [0u8; BLOCK];
            for (j, (dst, src)) in block.iter_mut().zip(chunk).enumerate() {
                *dst = *src;
                if let Some(d) = xor_end {
                    let pos = start.saturating_add(j);
                    if let Some(k) = pos.checked_sub(tail_start).and_then(|k| d.get(k)) {
                        *dst ^= k;
                    }
                }
            }
            if i + 1 == blocks {
                if last_complete {
                    xor_in(&mut block, &self.sub1);
                } else {
                    if let Some(pad) = block.get_mut(chunk.len()) {
                        *pad = 0x80;
                    }
                    xor_in(&mut block, &self.sub2);
                }
            }
            xor_in(&mut block, &x);
            encrypt(&self.mac, &mut block);
            x = block;
        }
        x
    }

    /// S2V (RFC 5297 §2.4) over `headers` followed by `plaintext`. The caller bounds
    /// `headers.len()` by [`MAX_HEADERS`].
    fn s2v(&self, headers: &[&[u8]], plaintext: &[u8]) -> [u8; BLOCK] {
        let mut d = self.d0;
        for header in headers {
            d = dbl(&d);
            xor_in(&mut d, &self.cmac(header, None));
        }
        let v = if plaintext.len() >= BLOCK {
            self.cmac(plaintext, Some(&d))
        } else {
            let mut padded = padded_block(plaintext);
            let t = self.s2v_last_short(&d, &padded);
            padded.zeroize();
            t
        };
        d.zeroize();
        v
    }

    /// CTR mode (RFC 5297 §2.5) from `siv`, with bits 31 and 63 (counting from the right,
    /// i.e. the top bits of bytes 8 and 12) cleared; XORs the key stream into `buf`.
    fn ctr(&self, siv: &[u8; BLOCK], buf: &mut [u8]) {
        let mut counter = u128::from_be_bytes(self.first_counter(siv));
        for chunk in buf.chunks_mut(BLOCK) {
            let mut ks = counter.to_be_bytes();
            encrypt(&self.ctr, &mut ks);
            for (b, k) in chunk.iter_mut().zip(&ks) {
                *b ^= k;
            }
            ks.zeroize();
            counter = counter.wrapping_add(1);
        }
    }

    /// S2V of one associated-data string and a plaintext shorter than 16 bytes, given as its
    /// padded block (the plaintext, `0x80`, zeros): [`s2v`](Self::s2v) with everything that
    /// shape allows done once.
    fn s2v_short(&self, header: &[u8], padded: &Block) -> Block {
        let mut d = self.d1;
        xor_in(&mut d, &self.cmac(header, None));
        let t = self.s2v_last_short(&d, padded);
        d.zeroize();
        t
    }

    /// S2V's last step for a plaintext shorter than 16 bytes, given as its padded block: `d`
    /// is where S2V stands after the associated data.
    fn s2v_last_short(&self, d: &Block, padded: &Block) -> Block {
        let mut t = dbl(d);
        xor_in(&mut t, padded);
        // CMAC of exactly one block, complete once padded: K1.
        xor_in(&mut t, &self.sub1);
        encrypt(&self.mac, &mut t);
        t
    }

    /// The first CTR counter block for `siv`: the SIV with bits 31 and 63 cleared.
    fn first_counter(&self, siv: &Block) -> Block {
        let mut q = *siv;
        and_in(&mut q, &self.ctr_mask);
        q
    }

    /// The first CTR key-stream block for `siv`.
    fn first_key_stream(&self, siv: &Block) -> Block {
        let mut q = self.first_counter(siv);
        encrypt(&self.ctr, &mut q);
        q
    }

    /// [`encrypt`](Self::encrypt) with one associated-data string and a plaintext of
    /// `len < 16` bytes given as its padded block (the plaintext, `0x80`, zeros; `len` is
    /// clamped to 15). Returns the SIV and the ciphertext in a block, zeros after its `len`
    /// bytes. The token path: every block stays one 16-byte value from start to end.
    pub(crate) fn encrypt_short(
        &self,
        header: &[u8],
        padded: &Block,
        len: usize,
    ) -> (Block, Block) {
        let v = self.s2v_short(header, padded);
        let mut c = self.first_key_stream(&v);
        xor_in(&mut c, padded);
        and_in(&mut c, &KEEP[len.min(BLOCK - 1)]);
        (v, c)
    }

    /// [`decrypt`](Self::decrypt) with one associated-data string and a ciphertext of
    /// `len < 16` bytes at the start of `ciphertext` (what follows is ignored; `len` is
    /// clamped to 15). Returns the plaintext padded to a block (the plaintext, `0x80`,
    /// zeros); on a mismatch the decrypted bytes are wiped and [`Unauthentic`] is returned.
    pub(crate) fn decrypt_short(
        &self,
        header: &[u8],
        siv: &Block,
        ciphertext: &Block,
        len: usize,
    ) -> Result<Block, Unauthentic> {
        let len = len.min(BLOCK - 1);
        let mut p = self.first_key_stream(siv);
        xor_in(&mut p, ciphertext);
        and_in(&mut p, &KEEP[len]);
        or_in(&mut p, &PAD[len]);
        let v = self.s2v_short(header, &p);
        if bool::from(ct_eq_block(&v, siv)) {
            Ok(p)
        } else {
            p.zeroize();
            Err(Unauthentic)
        }
    }

    /// Encrypts `buf` in place and returns the SIV, for any number of headers up to
    /// [`MAX_HEADERS`].
    #[cfg(test)]
    pub(crate) fn encrypt(
        &self,
        headers: &[&[u8]],
        buf: &mut [u8],
    ) -> Result<[u8; BLOCK], TooManyHeaders> {
        if headers.len() > MAX_HEADERS {
            return Err(TooManyHeaders);
        }
        Ok(self.encrypt_one_header_max(headers, buf))
    }

    /// [`encrypt`](Self::encrypt) for callers that pass at most [`MAX_HEADERS`] headers
    /// (tokens pass exactly one).
    pub(crate) fn encrypt_one_header_max(&self, headers: &[&[u8]], buf: &mut [u8]) -> [u8; BLOCK] {
        let v = self.s2v(headers, buf);
        self.ctr(&v, buf);
        v
    }

    /// Decrypts `buf` in place and checks it against `siv` in constant time; on a mismatch the
    /// decrypted bytes are wiped (all zero) and [`Unauthentic`] is returned.
    pub(crate) fn decrypt(
        &self,
        headers: &[&[u8]],
        siv: &[u8; BLOCK],
        buf: &mut [u8],
    ) -> Result<(), Unauthentic> {
        if headers.len() > MAX_HEADERS {
            buf.zeroize();
            return Err(Unauthentic);
        }
        self.ctr(siv, buf);
        let v = self.s2v(headers, buf);
        if bool::from(ct_eq_block(&v, siv)) {
            Ok(())
        } else {
            buf.zeroize();
            Err(Unauthentic)
        }
    }
}

impl Siv<aes::Aes256> {
    /// AES-256-SIV from a 64-byte key: S2V takes the first 32 bytes, CTR the last 32.
    pub(crate) fn new_aes256(key: &[u8; 64]) -> Siv<aes::Aes256> {
        let (mac, ctr) = aes256_pair(key);
        Self::from_ciphers(mac, ctr)
    }

    /// Keys this AES-256-SIV again from a 64-byte key, replacing the key schedules where
    /// they are (the old ones wipe themselves when overwritten).
    pub(crate) fn rekey_aes256(&mut self, key: &[u8; 64]) {
        (self.mac, self.ctr) = aes256_pair(key);
        self.precompute();
    }
}

/// The two AES-256 ciphers of an AES-256-SIV key: S2V takes the first 32 bytes, CTR the last
/// 32. The key halves are copied into the cipher crate's key type, which is then wiped.
fn aes256_pair(key: &[u8; 64]) -> (aes::Aes256, aes::Aes256) {
    let mut half = aes::cipher::Array::<u8, aes::cipher::consts::U32>::default();
    half.copy_from_slice(&key[..32]);
    let mac = aes::Aes256::new(&half);
    half.copy_from_slice(&key[32..]);
    let ctr = aes::Aes256::new(&half);
    half.as_mut_slice().zeroize();
    (mac, ctr)
}

/// One AES block encryption in place. (Callers wipe the blocks that hold secrets.)
fn encrypt<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>>(c: &C, block: &mut [u8; BLOCK]) {
    // In place: a copy into the cipher's block type was made of byte moves, which made the
    // cipher's 16-byte load wait (see `xor_in`).
    c.encrypt_block(block.into());
}

impl<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit> Drop for Siv<C> {
    fn drop(&mut self) {
        // The AES key schedules wipe themselves (the `aes` crate's `zeroize` feature).
        self.sub1.zeroize();
        self.sub2.zeroize();
        self.d0.zeroize();
        self.d1.zeroize();
    }
}

impl<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit + ZeroizeOnDrop> ZeroizeOnDrop
    for Siv<C>
{
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::{Aes128, Aes256};
    use std::vec::Vec;

    fn hex(s: &str) -> Vec<u8> {
        let s: std::string::String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Reads `tests/data/aes_siv_rfc5297.txt`: blocks of `name: hex` lines, blank-line
    /// separated.
    fn rfc5297_cases() -> Vec<std::collections::BTreeMap<std::string::String, Vec<u8>>> {
        let text = include_str!("../tests/data/aes_siv_rfc5297.txt");
        let mut cases = Vec::new();
        let mut cur = std::collections::BTreeMap::new();
        let mut last_key = std::string::String::new();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            if line.trim().is_empty() {
                if !cur.is_empty() {
                    cases.push(core::mem::take(&mut cur));
                }
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                last_key = k.trim().into();
                cur.insert(last_key.clone(), hex(v));
            } else {
                cur.get_mut(&last_key).unwrap().extend(hex(line));
            }
        }
        if !cur.is_empty() {
            cases.push(cur);
        }
        cases
    }

    #[test]
    fn rfc5297_appendix_a() {
        let cases = rfc5297_cases();
        assert_eq!(cases.len(), 2, "A.1 and A.2");
        for case in cases {
            let key = &case["key"];
            let siv = Siv::<Aes128>::new(&key[..16], &key[16..]).unwrap();
            let mut headers: Vec<&[u8]> = Vec::new();
            for name in ["ad1", "ad2", "nonce"] {
                if let Some(h) = case.get(name) {
                    headers.push(h);
                }
            }
            let pt = &case["plaintext"];
            let expected = &case["output"];
            let mut buf = pt.clone();
            let v = siv.encrypt(&headers, &mut buf).unwrap();
            assert_eq!(&v[..], &case["cmac"][..]);
            let mut out = v.to_vec();
            out.extend_from_slice(&buf);
            assert_eq!(&out, expected);
            siv.decrypt(&headers, &v, &mut buf).unwrap();
            assert_eq!(&buf, pt);
            // Flip one bit anywhere: refused, buffer wiped.
            for i in 0..out.len() {
                let mut bad = out.clone();
                bad[i] ^= 1;
                let tag: [u8; 16] = bad[..16].try_into().unwrap();
                let mut body = bad[16..].to_vec();
                assert_eq!(siv.decrypt(&headers, &tag, &mut body), Err(Unauthentic));
                assert!(body.iter().all(|&b| b == 0));
            }
        }
    }

    #[test]
    fn aes256_matches_aes_siv_crate_on_edge_lengths() {
        use aes_siv::siv::Aes256Siv;
        use aes_siv::KeyInit as _;
        let key: Vec<u8> = (0u8..64).collect();
        let ours = Siv::<Aes256>::new(&key[..32], &key[32..]).unwrap();
        let mut theirs = Aes256Siv::new_from_slice(&key).unwrap();
        for pt_len in [0usize, 1, 4, 15, 16, 17, 21, 31, 32, 33, 48, 100] {
            for ad_len in [0usize, 1, 15, 16, 17, 64, 300] {
                let pt: Vec<u8> = (0..pt_len).map(|i| i as u8 ^ 0x5a).collect();
                let ad: Vec<u8> = (0..ad_len).map(|i| i as u8 ^ 0xa5).collect();
                let mut buf = pt.clone();
                let v = ours.encrypt(&[&ad], &mut buf).unwrap();
                let mut expected = pt.clone();
                let tag = theirs
                    .encrypt_inout_detached([&ad[..]], expected.as_mut_slice().into())
                    .unwrap();
                assert_eq!(&v[..], &tag[..], "pt {pt_len} ad {ad_len}");
                assert_eq!(buf, expected);
            }
        }
    }

    /// The gathered padded block is the copied one XORed with the key, at every length, and
    /// input past 15 bytes is cut as `padded_block` cuts it.
    #[test]
    fn padded_xor_is_the_padded_block_xored() {
        let key: Block = core::array::from_fn(|i| (i as u8).wrapping_mul(53) ^ 0xc4);
        let bytes: Vec<u8> = (0u8..24).map(|i| i.wrapping_mul(11) ^ 0x6e).collect();
        for len in 0..=bytes.len() {
            let mut expected = padded_block(&bytes[..len]);
            xor_in(&mut expected, &key);
            assert_eq!(padded_xor(&bytes[..len], &key), expected, "length {len}");
        }
    }

    /// The token path (`encrypt_short`/`decrypt_short`: one associated-data string, a
    /// plaintext under 16 bytes as a padded block) against the `aes-siv` crate, at every
    /// plaintext length it takes and around the associated data's block edges.
    #[test]
    fn short_path_matches_aes_siv_crate_at_every_length() {
        use aes_siv::siv::Aes256Siv;
        use aes_siv::KeyInit as _;
        let key: Vec<u8> = (0u8..64).map(|i| i.wrapping_mul(29) ^ 0x3c).collect();
        let ours = Siv::<Aes256>::new(&key[..32], &key[32..]).unwrap();
        let mut theirs = Aes256Siv::new_from_slice(&key).unwrap();
        for pt_len in 0..BLOCK {
            for ad_len in [0usize, 1, 8, 15, 16, 17, 32, 40] {
                let pt: Vec<u8> = (0..pt_len)
                    .map(|i| (i as u8).wrapping_mul(7) ^ 0x2b)
                    .collect();
                let ad: Vec<u8> = (0..ad_len).map(|i| i as u8 ^ 0x91).collect();
                let padded = padded_block(&pt);
                let (v, c) = ours.encrypt_short(&ad, &padded, pt_len);
                let mut expected = pt.clone();
                let tag = theirs
                    .encrypt_inout_detached([&ad[..]], expected.as_mut_slice().into())
                    .unwrap();
                let case = std::format!("pt {pt_len} ad {ad_len}");
                assert_eq!(&v[..], &tag[..], "{case}");
                assert_eq!(&c[..pt_len], &expected[..], "{case}");
                assert!(c[pt_len..].iter().all(|&b| b == 0), "{case}: tail not zero");

                // Whatever follows the ciphertext in the window is ignored.
                let mut window = c;
                window[pt_len..].fill(0xa7);
                assert_eq!(
                    ours.decrypt_short(&ad, &v, &window, pt_len),
                    Ok(padded),
                    "{case}"
                );
                // A changed ciphertext byte, SIV byte or context fails.
                for i in 0..pt_len {
                    let mut bad = window;
                    bad[i] ^= 1;
                    assert_eq!(ours.decrypt_short(&ad, &v, &bad, pt_len), Err(Unauthentic));
                }
                for i in 0..BLOCK {
                    let mut bad = v;
                    bad[i] ^= 0x40;
                    assert_eq!(
                        ours.decrypt_short(&ad, &bad, &window, pt_len),
                        Err(Unauthentic)
                    );
                }
                let mut other = ad.clone();
                other.push(0);
                assert_eq!(
                    ours.decrypt_short(&other, &v, &window, pt_len),
                    Err(Unauthentic)
                );
            }
        }
    }

    /// RFC 5297 A.1 (14-byte plaintext, one associated-data string) through the short path,
    /// on AES-128.
    #[test]
    fn rfc5297_a1_through_the_short_path() {
        let case = rfc5297_cases()
            .into_iter()
            .find(|c| !c.contains_key("nonce") && c.contains_key("ad1") && !c.contains_key("ad2"))
            .expect("A.1 in the vector file");
        let key = &case["key"];
        let siv = Siv::<Aes128>::new(&key[..16], &key[16..]).unwrap();
        let pt = &case["plaintext"];
        let padded = padded_block(pt);
        let (v, c) = siv.encrypt_short(&case["ad1"], &padded, pt.len());
        let expected = &case["output"];
        assert_eq!(&v[..], &expected[..BLOCK]);
        assert_eq!(&c[..pt.len()], &expected[BLOCK..]);
        assert_eq!(
            siv.decrypt_short(&case["ad1"], &v, &c, pt.len()),
            Ok(padded)
        );
    }

    #[derive(serde::Deserialize)]
    struct WpFile {
        #[serde(rename = "testGroups")]
        groups: Vec<WpGroup>,
    }
    #[derive(serde::Deserialize)]
    struct WpGroup {
        #[serde(rename = "keySize")]
        key_size: usize,
        tests: Vec<WpCase>,
    }
    #[derive(serde::Deserialize)]
    struct WpCase {
        #[serde(rename = "tcId")]
        id: u32,
        key: std::string::String,
        aad: std::string::String,
        msg: std::string::String,
        ct: std::string::String,
        result: std::string::String,
    }

    /// Wycheproof `aes_siv_cmac_test.json` (Apache-2.0, see tests/data/VECTORS.md): the
    /// 512-bit-key group on AES-256 (the token cipher) and the 256-bit group on AES-128.
    /// Valid cases encrypt to `ct` and decrypt back; invalid ones are refused on decryption.
    #[test]
    fn wycheproof_aes_siv_cmac() {
        let file: WpFile =
            serde_json::from_str(include_str!("../tests/data/aes_siv_cmac_wycheproof.json"))
                .unwrap();
        let mut counts = [0usize; 2];
        for group in &file.groups {
            for case in &group.tests {
                let key = hex(&case.key);
                let (aad, msg, ct) = (hex(&case.aad), hex(&case.msg), hex(&case.ct));
                let half = key.len() / 2;
                let outcome = match group.key_size {
                    512 => run_case(
                        &Siv::<Aes256>::new(&key[..half], &key[half..]).unwrap(),
                        &aad,
                        &msg,
                        &ct,
                    ),
                    256 => run_case(
                        &Siv::<Aes128>::new(&key[..half], &key[half..]).unwrap(),
                        &aad,
                        &msg,
                        &ct,
                    ),
                    _ => continue,
                };
                match case.result.as_str() {
                    "valid" => {
                        assert_eq!(outcome, (true, true), "tcId {}", case.id);
                        counts[0] += 1;
                    }
                    _ => {
                        assert!(!outcome.1, "tcId {} opened", case.id);
                        counts[1] += 1;
                    }
                }
            }
        }
        assert_eq!(counts, [79, 216], "valid and invalid cases run");
    }

    /// (encrypts to `ct`, `ct` opens to `msg`).
    fn run_case<C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16> + KeyInit>(
        siv: &Siv<C>,
        aad: &[u8],
        msg: &[u8],
        ct: &[u8],
    ) -> (bool, bool) {
        let mut buf = msg.to_vec();
        let v = siv.encrypt(&[aad], &mut buf).unwrap();
        let mut out = v.to_vec();
        out.extend_from_slice(&buf);
        let encrypts = out == ct;
        let opens = match ct.get(..16) {
            Some(tag) => {
                let tag: [u8; 16] = tag.try_into().unwrap();
                let mut body = ct[16..].to_vec();
                siv.decrypt(&[aad], &tag, &mut body).is_ok() && body == msg
            }
            None => false,
        };
        (encrypts, opens)
    }

    proptest::proptest! {
        #[test]
        fn differential_vs_aes_siv_crate(
            key in proptest::collection::vec(proptest::prelude::any::<u8>(), 64),
            pt in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
            headers in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), 0..4),
        ) {
            use aes_siv::siv::Aes256Siv;
            use aes_siv::KeyInit as _;
            let ours = Siv::<Aes256>::new(&key[..32], &key[32..]).unwrap();
            let mut theirs = Aes256Siv::new_from_slice(&key).unwrap();
            let hs: Vec<&[u8]> = headers.iter().map(|h| &h[..]).collect();
            let mut buf = pt.clone();
            let v = ours.encrypt(&hs, &mut buf).unwrap();
            let mut expected = pt.clone();
            let tag = theirs.encrypt_inout_detached(hs.iter().copied(), expected.as_mut_slice().into()).unwrap();
            proptest::prop_assert_eq!(&v[..], &tag[..]);
            proptest::prop_assert_eq!(&buf, &expected);
            ours.decrypt(&hs, &v, &mut buf).unwrap();
            proptest::prop_assert_eq!(buf, pt);
        }
    }

    #[test]
    fn too_many_headers() {
        let siv = Siv::<Aes128>::new(&[0; 16], &[1; 16]).unwrap();
        let headers: Vec<&[u8]> = std::vec![&b"x"[..]; MAX_HEADERS + 1];
        let mut buf = [1u8; 4];
        assert_eq!(siv.encrypt(&headers, &mut buf), Err(TooManyHeaders));
        assert!(siv.encrypt(&headers[..MAX_HEADERS], &mut buf).is_ok());
    }

    #[test]
    fn wrong_half_lengths() {
        assert!(Siv::<Aes256>::new(&[0; 16], &[0; 32]).is_none());
        assert!(Siv::<Aes256>::new(&[0; 32], &[0; 33]).is_none());
    }
}
