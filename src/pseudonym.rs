//! Keyed pseudonyms: HMAC-SHA256 of the E.164 string.
//!
//! A [`Pseudonymizer`] holds one 32-byte key, expanded once into the two SHA-256 states that
//! HMAC starts from (the key XOR `ipad`, and the key XOR `opad`, each run through one
//! compression). A number's E.164 string is at most 21 bytes, so its pseudonym costs exactly
//! two SHA-256 compressions and allocates nothing.
//!
//! # Compatibility with Cloud DLP
//!
//! A full (32-byte) [`Pseudonym`] is `HMAC-SHA256(key, E.164 ASCII)` (RFC 2104 with SHA-256),
//! which is exactly what Cloud DLP's `CryptoHashConfig` transformation computes for the same
//! string and the same 32-byte unwrapped key; DLP prints it in padded standard base64, which
//! is [`Encoding::Base64`]. So `pseudonym.encode_into(Encoding::Base64, …)` reproduces the DLP
//! surrogate of the E.164 string.
//!
//! # Choosing a length
//!
//! Pseudonyms can be [truncated](Pseudonym::truncate) to 8–32 bytes. The chance that two
//! different numbers in a population of `n` share a pseudonym of `L` bytes is about
//! `1 − exp(−n² / 2^(8L+1))` (birthday bound):
//!
//! | length (bytes) | 10⁶ numbers | 10⁹ numbers | 10¹⁰ numbers | all of E.164 (about 1.1 × 10¹⁵) |
//! |---|---|---|---|---|
//! | 8  | 2.7 × 10⁻⁸  | 0.027       | 0.93        | 1 (certain)  |
//! | 12 | 6.3 × 10⁻¹⁸ | 6.3 × 10⁻¹² | 6.3 × 10⁻¹⁰ | 1 (certain)  |
//! | 16 | 1.5 × 10⁻²⁷ | 1.5 × 10⁻²¹ | 1.5 × 10⁻¹⁹ | 1.8 × 10⁻⁹   |
//! | 32 | 4.3 × 10⁻⁶⁶ | 4.3 × 10⁻⁶⁰ | 4.3 × 10⁻⁵⁸ | 5.2 × 10⁻⁴⁸  |
//!
//! Eight bytes is fine for a million numbers but not for every number on Earth; 16 bytes is
//! safe for any population of numbers in service (far fewer than 10¹⁰), and collides with
//! probability about 1.8 × 10⁻⁹ even over every digit string E.164 allows.

use core::fmt;
use core::hash::{Hash, Hasher};

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::encoding::{BufferTooSmall, Encoding};
use crate::keys::{KeyError, PseudonymKey, PSEUDONYM_KEY_LEN};
use crate::number::{MAX_E164_LEN, SHA256_HEAD_LEN};
use crate::PhoneNumber;

/// SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// SHA-256 block size.
const BLOCK: usize = 64;

/// The outer compression's block before the inner hash goes into its first 32 bytes:
/// SHA-256 padding for a 96-byte message (the 64-byte key block, then the 32-byte hash).
const OUTER_BLOCK: [u8; BLOCK] = {
    let mut block = [0u8; BLOCK];
    block[32] = 0x80;
    let bits = ((BLOCK + 32) as u64 * 8).to_be_bytes();
    let mut i = 0;
    while i < 8 {
        block[BLOCK - 8 + i] = bits[i];
        i += 1;
    }
    block
};

/// The inner block of a number's pseudonym: its E.164 text, padded as SHA-256 pads it.
///
/// An E.164 string (at most 21 bytes) always fits one block. The number keeps its text with
/// SHA-256's 0x80 marker and zeros after it, so the block is whole 16-byte moves: the
/// compression loads the block 16 bytes at a time, and a load that spans several smaller
/// stores waits for them to reach the cache instead of being forwarded (measured: about a
/// fifth of the cost of a pseudonym).
#[inline(always)]
fn inner_block(number: &PhoneNumber) -> [u8; BLOCK] {
    let len = number.as_bytes().len();
    let mut block = [0u8; BLOCK];
    block[..SHA256_HEAD_LEN].copy_from_slice(number.sha256_head());
    // The key block counts as 64 bytes of message for the inner hash's length field.
    block[BLOCK - 16..].copy_from_slice(&INNER_LENGTHS[len.min(MAX_E164_LEN)]);
    block
}

/// The last 16 bytes of the inner block for each message length: SHA-256's length field,
/// counting the 64-byte key block before the message.
const INNER_LENGTHS: [[u8; 16]; MAX_E164_LEN + 1] = {
    let mut table = [[0u8; 16]; MAX_E164_LEN + 1];
    let mut len = 0;
    while len <= MAX_E164_LEN {
        let bits = (((BLOCK + len) * 8) as u64).to_be_bytes();
        let mut i = 0;
        while i < 8 {
            table[len][8 + i] = bits[i];
            i += 1;
        }
        len += 1;
    }
    table
};

/// Writes 32-bit words as big-endian bytes, four bytes a word. (A loop over whole lanes
/// compiles to 16-byte byte-swaps and stores, which the next compression's loads forward from.)
#[inline(always)]
fn be_bytes(out: &mut [u8], words: &[u32]) {
    for (chunk, word) in out.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}

/// Length of a full pseudonym (the HMAC-SHA256 output).
pub const PSEUDONYM_LEN: usize = 32;
/// Shortest length [`Pseudonym::truncate`] accepts.
pub const MIN_PSEUDONYM_LEN: usize = 8;

/// Computes keyed pseudonyms (HMAC-SHA256) with one key, expanded once.
///
/// The expanded key is wiped when the `Pseudonymizer` is dropped (see
/// [`keys`](crate::keys#zeroization) for what that does and does not cover), and `Debug` never
/// shows it.
///
/// ```
/// use phonetoken::{Encoding, Pseudonymizer};
///
/// let p = Pseudonymizer::new(&[7u8; 32])?;
/// let a = p.pseudonymize_bytes(b"+14155552671");
/// assert_eq!(a.as_bytes().len(), 32);
/// assert_eq!(a, p.pseudonymize_bytes(b"+14155552671"));
/// assert_ne!(a, p.pseudonymize_bytes(b"+14155552672"));
/// # Ok::<(), phonetoken::KeyError>(())
/// ```
#[derive(Clone)]
pub struct Pseudonymizer {
    /// SHA-256 state after compressing `key XOR ipad`.
    inner: [u32; 8],
    /// SHA-256 state after compressing `key XOR opad`.
    outer: [u32; 8],
}

impl Pseudonymizer {
    /// A pseudonymizer for a 32-byte key.
    ///
    /// # Errors
    ///
    /// [`KeyError::WrongLength`] if `key` is not exactly 32 bytes.
    ///
    /// ```
    /// use phonetoken::{KeyError, Pseudonymizer};
    ///
    /// assert!(Pseudonymizer::new(&[1u8; 32]).is_ok());
    /// assert!(matches!(Pseudonymizer::new(&[1u8; 16]), Err(KeyError::WrongLength { .. })));
    /// ```
    pub fn new(key: &[u8]) -> Result<Pseudonymizer, KeyError> {
        let key: &[u8; PSEUDONYM_KEY_LEN] = key.try_into().map_err(|_| KeyError::WrongLength {
            expected: PSEUDONYM_KEY_LEN,
            found: key.len(),
        })?;
        Ok(Self::from_array(key))
    }

    /// A pseudonymizer for a [`PseudonymKey`].
    ///
    /// ```
    /// use phonetoken::{PseudonymKey, Pseudonymizer};
    ///
    /// let key = PseudonymKey::from_bytes(&[3u8; 32])?;
    /// let p = Pseudonymizer::from_key(&key);
    /// assert_eq!(p.pseudonymize_bytes(b"x"), Pseudonymizer::new(&[3u8; 32])?.pseudonymize_bytes(b"x"));
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn from_key(key: &PseudonymKey) -> Pseudonymizer {
        Self::from_array(key.as_array())
    }

    fn from_array(key: &[u8; PSEUDONYM_KEY_LEN]) -> Pseudonymizer {
        Self::from_hmac_key(key)
    }

    /// HMAC with a key of any length (RFC 2104: keys longer than the 64-byte block are
    /// hashed first, shorter ones padded with zeros). The public constructors take 32-byte
    /// keys only; this form lets the tests run RFC 4231's vectors on the same code.
    pub(crate) fn from_hmac_key(key: &[u8]) -> Pseudonymizer {
        let mut p = Pseudonymizer {
            inner: SHA256_IV,
            outer: SHA256_IV,
        };
        p.rekey(key);
        p
    }

    /// Keys this pseudonymizer again, computing the HMAC states in place (no copy of them is
    /// made on the way).
    pub(crate) fn rekey(&mut self, key: &[u8]) {
        use sha2::Digest as _;
        let mut hashed = [0u8; 32];
        let key = if key.len() > BLOCK {
            hashed.copy_from_slice(&sha2::Sha256::digest(key));
            &hashed[..]
        } else {
            key
        };
        let mut block = [0x36u8; BLOCK];
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        hashed.zeroize();
        self.inner = SHA256_IV;
        sha2::block_api::compress256(&mut self.inner, core::slice::from_ref(&block));
        // key XOR opad == (key XOR ipad) XOR (ipad XOR opad); the tail becomes opad too.
        for b in block.iter_mut() {
            *b ^= 0x36 ^ 0x5c;
        }
        self.outer = SHA256_IV;
        sha2::block_api::compress256(&mut self.outer, core::slice::from_ref(&block));
        block.zeroize();
    }

    /// The pseudonym of a phone number: HMAC-SHA256 of its E.164 string, full length.
    ///
    /// Costs two SHA-256 compressions; allocates nothing.
    ///
    /// ```
    /// use phonetoken::{PhoneNumber, Pseudonymizer};
    ///
    /// let p = Pseudonymizer::new(&[7u8; 32])?;
    /// let n: PhoneNumber = "+14155552671".parse()?;
    /// assert_eq!(p.pseudonymize(&n), p.pseudonymize_bytes(b"+14155552671"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn pseudonymize(&self, number: &PhoneNumber) -> Pseudonym {
        // Written out rather than through `inner_hash`: with the state returned by value, the
        // outer block took over the inner block's stack slot, and a pseudonym measured 15 %
        // slower.
        let block = inner_block(number);
        let mut state = self.inner;
        sha2::block_api::compress256(&mut state, core::slice::from_ref(&block));
        self.outer_hash(&state)
    }

    /// The pseudonyms of `N` numbers, with their compressions grouped: all the inner ones,
    /// then all the outer ones. Being independent, neighbouring compressions run overlapped
    /// in the processor, which a loop of [`pseudonymize`](Self::pseudonymize) calls cannot
    /// do when other work (parsing) sits between them.
    pub(crate) fn pseudonymize_many<const N: usize>(
        &self,
        numbers: [&PhoneNumber; N],
    ) -> [Pseudonym; N] {
        let blocks = numbers.map(inner_block);
        let inner: [[u32; 8]; N] = core::array::from_fn(|i| self.inner_hash(&blocks[i]));
        core::array::from_fn(|i| self.outer_hash(&inner[i]))
    }

    /// The inner HMAC compression: the SHA-256 state after the key block and `block`.
    fn inner_hash(&self, block: &[u8; BLOCK]) -> [u32; 8] {
        let mut state = self.inner;
        sha2::block_api::compress256(&mut state, core::slice::from_ref(block));
        state
    }

    /// The outer HMAC compression over a 32-byte inner hash given as SHA-256 state words.
    fn outer_hash(&self, inner: &[u32; 8]) -> Pseudonym {
        let mut block = OUTER_BLOCK;
        be_bytes(&mut block[..32], inner);
        let mut state = self.outer;
        sha2::block_api::compress256(&mut state, core::slice::from_ref(&block));
        let mut bytes = [0u8; PSEUDONYM_LEN];
        be_bytes(&mut bytes, &state);
        Pseudonym {
            bytes,
            len: PSEUDONYM_LEN as u8,
        }
    }

    /// HMAC-SHA256 of any message under this key, as a full-length [`Pseudonym`].
    ///
    /// [`pseudonymize`](Self::pseudonymize) is this function applied to the E.164 string;
    /// this form exists for other identifiers and for checking the HMAC against published
    /// vectors. Messages up to 55 bytes cost two compressions; longer ones one more per 64
    /// bytes.
    ///
    /// ```
    /// use phonetoken::{Encoding, Pseudonymizer};
    ///
    /// // RFC 4231 test case 2 uses a 4-byte key; a 32-byte key is needed here, so this only
    /// // shows that the result is stable and key-dependent.
    /// let a = Pseudonymizer::new(&[1u8; 32])?.pseudonymize_bytes(b"what do ya want for nothing?");
    /// let b = Pseudonymizer::new(&[2u8; 32])?.pseudonymize_bytes(b"what do ya want for nothing?");
    /// assert_ne!(a, b);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn pseudonymize_bytes(&self, message: &[u8]) -> Pseudonym {
        let mut state = self.inner;
        let mut chunks = message.chunks_exact(BLOCK);
        for chunk in &mut chunks {
            if let Ok(block) = <&[u8; BLOCK]>::try_from(chunk) {
                sha2::block_api::compress256(&mut state, core::slice::from_ref(block));
            }
        }
        // The key block counts as 64 bytes of message for the inner hash's length field.
        let bits = (message.len() as u64)
            .wrapping_add(BLOCK as u64)
            .wrapping_mul(8);
        finish(&mut state, chunks.remainder(), bits);
        self.outer_hash(&state)
    }
}

/// Pads the final partial block `tail` (shorter than 64 bytes) with SHA-256's `0x80`, zeros
/// and the total length in bits, and compresses it (one block, or two if `tail` is 56 bytes
/// or longer).
fn finish(state: &mut [u32; 8], tail: &[u8], bits: u64) {
    let mut block = [0u8; BLOCK];
    let (head, rest) = block.split_at_mut(tail.len().min(BLOCK - 1));
    for (dst, src) in head.iter_mut().zip(tail) {
        *dst = *src;
    }
    if let Some(first) = rest.first_mut() {
        *first = 0x80;
    }
    if tail.len() >= BLOCK - 8 {
        sha2::block_api::compress256(state, core::slice::from_ref(&block));
        block = [0u8; BLOCK];
    }
    block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
    sha2::block_api::compress256(state, core::slice::from_ref(&block));
}

impl Drop for Pseudonymizer {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl ZeroizeOnDrop for Pseudonymizer {}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pseudonymizer").finish_non_exhaustive()
    }
}

/// A keyed pseudonym: HMAC-SHA256 output, possibly truncated (8 to 32 bytes), stored inline.
///
/// Equality is constant time in the bytes (through `subtle`), so comparing a pseudonym that an
/// attacker controls with a stored one does not leak how many leading bytes match. `Display`
/// prints base64url without padding; [`encode_into`](Self::encode_into) gives the other forms.
///
/// ```
/// use phonetoken::{Encoding, Pseudonym, Pseudonymizer};
///
/// let p = Pseudonymizer::new(&[9u8; 32])?.pseudonymize_bytes(b"+33123456789");
/// let short = p.truncate(16)?;
/// assert_eq!(short.as_bytes(), &p.as_bytes()[..16]);
/// let text = short.to_string();
/// assert_eq!(text.len(), 22);
/// assert_eq!(Pseudonym::decode(Encoding::Base64Url, &text)?, short);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct Pseudonym {
    /// The bytes in use come first; the rest is zero.
    bytes: [u8; PSEUDONYM_LEN],
    /// Bytes in use, `MIN_PSEUDONYM_LEN..=PSEUDONYM_LEN`.
    len: u8,
}

impl Pseudonym {
    /// The pseudonym's bytes (8 to 32 of them).
    ///
    /// ```
    /// let p = phonetoken::Pseudonym::from_bytes(&[5u8; 12])?;
    /// assert_eq!(p.as_bytes(), &[5u8; 12]);
    /// # Ok::<(), phonetoken::PseudonymError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// Wraps stored pseudonym bytes (for comparing with a fresh one).
    ///
    /// # Errors
    ///
    /// [`PseudonymError::BadLength`] unless `bytes` has 8 to 32 bytes.
    ///
    /// ```
    /// use phonetoken::{Pseudonym, PseudonymError};
    ///
    /// assert!(Pseudonym::from_bytes(&[0u8; 8]).is_ok());
    /// assert_eq!(Pseudonym::from_bytes(&[0u8; 7]), Err(PseudonymError::BadLength { len: 7 }));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Pseudonym, PseudonymError> {
        if !(MIN_PSEUDONYM_LEN..=PSEUDONYM_LEN).contains(&bytes.len()) {
            return Err(PseudonymError::BadLength { len: bytes.len() });
        }
        let mut out = [0u8; PSEUDONYM_LEN];
        out.get_mut(..bytes.len())
            .ok_or(PseudonymError::BadLength { len: bytes.len() })?
            .copy_from_slice(bytes);
        Ok(Pseudonym {
            bytes: out,
            len: bytes.len() as u8,
        })
    }

    /// Parses the text form of a stored pseudonym.
    ///
    /// # Errors
    ///
    /// [`PseudonymError::BadEncoding`] if `text` is not in `encoding`;
    /// [`PseudonymError::BadLength`] unless it decodes to 8 to 32 bytes.
    ///
    /// ```
    /// use phonetoken::{Encoding, Pseudonym, PseudonymError};
    ///
    /// let p = Pseudonym::decode(Encoding::Hex, "0001020304050607")?;
    /// assert_eq!(p.as_bytes(), &[0, 1, 2, 3, 4, 5, 6, 7]);
    /// assert_eq!(Pseudonym::decode(Encoding::Hex, "00"), Err(PseudonymError::BadLength { len: 1 }));
    /// # Ok::<(), PseudonymError>(())
    /// ```
    pub fn decode(encoding: Encoding, text: &str) -> Result<Pseudonym, PseudonymError> {
        let mut buf = [0u8; PSEUDONYM_LEN + 3];
        let bytes = encoding.decode_into(text, &mut buf).map_err(|e| match e {
            crate::DecodeError::BufferTooSmall(b) => PseudonymError::BadLength { len: b.needed },
            _ => PseudonymError::BadEncoding,
        })?;
        Pseudonym::from_bytes(bytes)
    }

    /// The first `len` bytes of this pseudonym.
    ///
    /// # Errors
    ///
    /// [`PseudonymError::BadLength`] unless `8 <= len <= ` the current length. See the
    /// [module docs](crate::pseudonym#choosing-a-length) for the collision odds per length.
    ///
    /// ```
    /// use phonetoken::{Pseudonym, PseudonymError};
    ///
    /// let p = Pseudonym::from_bytes(&[1u8; 32])?;
    /// assert_eq!(p.truncate(8)?.as_bytes().len(), 8);
    /// assert_eq!(p.truncate(4), Err(PseudonymError::BadLength { len: 4 }));
    /// assert_eq!(p.truncate(33), Err(PseudonymError::BadLength { len: 33 }));
    /// # Ok::<(), PseudonymError>(())
    /// ```
    pub fn truncate(&self, len: usize) -> Result<Pseudonym, PseudonymError> {
        let prefix = self
            .as_bytes()
            .get(..len)
            .ok_or(PseudonymError::BadLength { len })?;
        Pseudonym::from_bytes(prefix)
    }

    /// Length of the text of this pseudonym in `encoding`.
    ///
    /// ```
    /// let p = phonetoken::Pseudonym::from_bytes(&[1u8; 32])?;
    /// assert_eq!(p.encoded_len(phonetoken::Encoding::Base64), 44);
    /// # Ok::<(), phonetoken::PseudonymError>(())
    /// ```
    pub fn encoded_len(&self, encoding: Encoding) -> usize {
        encoding.encoded_len(self.as_bytes().len())
    }

    /// Writes the text of this pseudonym in `encoding` into `out`.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `out` is shorter than [`encoded_len`](Self::encoded_len); 64
    /// bytes always suffice.
    ///
    /// ```
    /// use phonetoken::{Encoding, Pseudonym};
    ///
    /// let p = Pseudonym::from_bytes(&[0xff; 8])?;
    /// let mut buf = [0u8; 64];
    /// assert_eq!(p.encode_into(Encoding::Hex, &mut buf)?, "ffffffffffffffff");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn encode_into<'a>(
        &self,
        encoding: Encoding,
        out: &'a mut [u8],
    ) -> Result<&'a str, BufferTooSmall> {
        encoding.encode_into(self.as_bytes(), out)
    }

    /// The text of this pseudonym in `encoding`, as a `String`.
    ///
    /// ```
    /// use phonetoken::{Encoding, Pseudonym};
    ///
    /// let p = Pseudonym::from_bytes(&[0u8; 8])?;
    /// assert_eq!(p.to_string_in(Encoding::Base64), "AAAAAAAAAAA=");
    /// # Ok::<(), phonetoken::PseudonymError>(())
    /// ```
    #[cfg(feature = "alloc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    pub fn to_string_in(&self, encoding: Encoding) -> alloc::string::String {
        encoding.encode_string(self.as_bytes())
    }
}

impl ConstantTimeEq for Pseudonym {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        // The lengths are public; the bytes are compared without early exit.
        self.len.ct_eq(&other.len) & self.bytes.ct_eq(&other.bytes)
    }
}

impl PartialEq for Pseudonym {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Pseudonym {}

impl Hash for Pseudonym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Encoding::Base64Url.fmt_with::<44>(self.as_bytes(), f)
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pseudonym")
            .field(&format_args!("{self}"))
            .finish()
    }
}

/// Why a pseudonym could not be built, truncated or parsed.
///
/// ```
/// use phonetoken::{Pseudonym, PseudonymError};
///
/// assert_eq!(Pseudonym::from_bytes(&[]), Err(PseudonymError::BadLength { len: 0 }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum PseudonymError {
    /// A pseudonym has 8 to 32 bytes (and is never longer than the one it is truncated from).
    BadLength {
        /// The length asked for or found.
        len: usize,
    },
    /// The text is not in the expected encoding.
    BadEncoding,
}

impl fmt::Display for PseudonymError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PseudonymError::BadLength { len } => write!(
                f,
                "a pseudonym has 8 to 32 bytes, not {len}: choose a length in that range (16 is safe for any population)"
            ),
            PseudonymError::BadEncoding => f.write_str(
                "the pseudonym text is not in the expected encoding (base64url without padding unless configured otherwise)",
            ),
        }
    }
}

impl core::error::Error for PseudonymError {}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::CountryCode;
    use hmac::{KeyInit, Mac};

    /// HMAC-SHA256 by the `hmac` crate: the reference the unit tests check pseudonyms against.
    pub(crate) fn oracle(key: &[u8], msg: &[u8]) -> [u8; 32] {
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(msg);
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn matches_hmac_crate_at_every_length_around_block_edges() {
        let key = [0x5au8; 32];
        let p = Pseudonymizer::new(&key).unwrap();
        let msg = [0xa5u8; 200];
        for len in 0..msg.len() {
            assert_eq!(
                p.pseudonymize_bytes(&msg[..len]).as_bytes(),
                oracle(&key, &msg[..len]),
                "len {len}"
            );
        }
    }

    #[test]
    fn number_pseudonym_is_hmac_of_e164() {
        let key = [0x11u8; 32];
        let p = Pseudonymizer::new(&key).unwrap();
        let n = PhoneNumber::from_parts(CountryCode::new_unchecked(44), b"2079460958");
        assert_eq!(
            p.pseudonymize(&n).as_bytes(),
            oracle(&key, b"+442079460958")
        );
    }

    #[test]
    fn number_pseudonym_is_hmac_of_e164_at_every_length() {
        // Every E.164 length (4 to 21 bytes) crosses the 16-byte word edge of the fast path.
        let key = [0x5au8; 32];
        let p = Pseudonymizer::new(&key).unwrap();
        let digits = b"98765432109876543210";
        for (cc, cc_text) in [(1u16, "1"), (44, "44"), (358, "358")] {
            for nsn_len in 2..=17 {
                let nsn = &digits[..nsn_len];
                let n = PhoneNumber::from_parts(CountryCode::new_unchecked(cc), nsn);
                let e164 = std::format!("+{cc_text}{}", core::str::from_utf8(nsn).unwrap());
                assert_eq!(n.as_str(), e164);
                assert_eq!(
                    p.pseudonymize(&n).as_bytes(),
                    oracle(&key, e164.as_bytes()),
                    "{e164}"
                );
            }
        }
    }

    #[test]
    fn rfc4231_test_cases_1_to_7() {
        let text = include_str!("../tests/data/hmac_sha256_rfc4231.txt");
        let mut seen = 0;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let fields: std::vec::Vec<&str> = line.split_whitespace().collect();
            let [_, key, data, mac] = fields[..] else {
                panic!("bad line {line}")
            };
            let (key, data, mac) = (unhex(key), unhex(data), unhex(mac));
            let got = Pseudonymizer::from_hmac_key(&key).pseudonymize_bytes(&data);
            assert_eq!(&got.as_bytes()[..mac.len()], &mac[..], "{line}");
            seen += 1;
        }
        assert_eq!(seen, 7);
    }

    fn unhex(s: &str) -> std::vec::Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn wrong_key_lengths() {
        for len in [0, 16, 31, 33, 64] {
            assert_eq!(
                Pseudonymizer::new(&vec_of(len)).err(),
                Some(KeyError::WrongLength {
                    expected: 32,
                    found: len
                })
            );
        }
    }

    fn vec_of(len: usize) -> std::vec::Vec<u8> {
        std::vec![0u8; len]
    }

    #[test]
    fn debug_hides_state() {
        let p = Pseudonymizer::new(&[0x42; 32]).unwrap();
        assert_eq!(std::format!("{p:?}"), "Pseudonymizer { .. }");
    }
}
