//! Reversible tokens: AES-256-SIV in Tink's DeterministicAead format.
//!
//! # Token bytes
//!
//! A [`Token`] is exactly what Tink's `DeterministicAead` (key type `AesSivKey`, 64-byte key,
//! output prefix `TINK`) produces for the E.164 string with the caller's *context* as
//! associated data:
//!
//! ```text
//! 0x01 | key id (4 bytes, big-endian) | SIV (16 bytes) | ciphertext (E.164 ASCII, 4–21 bytes)
//! ```
//!
//! The SIV and ciphertext are RFC 5297 AES-SIV with a 512-bit key: the first 32 bytes key S2V
//! (CMAC), the last 32 bytes key CTR. S2V runs over exactly two strings: the context (one
//! associated-data element, which may be empty — Tink passes an empty array, not *no* element)
//! and the plaintext. So a token opens with Tink (`encrypt_deterministically` /
//! `decrypt_deterministically` with the same bytes as associated data), with any RFC 5297
//! implementation given `[context]` as associated data and the bytes after the 5-byte prefix,
//! and the other way round.
//!
//! The text form is base64url without padding: 34 to 56 characters.
//!
//! # Cost
//!
//! Everything that depends only on the key is computed once, in [`Tokenizer::new`]. Tokenizing
//! a number with a context under 16 bytes then costs four AES-256 block encryptions when the
//! E.164 string is 16 bytes or longer, and three when it is shorter.
//!
//! # Failures
//!
//! [`detokenize`](Tokenizer::detokenize) tells apart what is public (encoding, length,
//! version byte, key id) but reports every cryptographic failure — tampered bytes, wrong key,
//! wrong context — as the single [`TokenError::Authentication`], and wipes the decrypted bytes.

use core::fmt;
use core::str::FromStr;

use aes::Aes256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::encoding::{BufferTooSmall, Encoding};
use crate::keys::{KeyError, TokenKey, TOKEN_KEY_LEN};
use crate::number::MAX_E164_LEN;
use crate::siv::{Siv, BLOCK};
use crate::PhoneNumber;

/// Tink's output-prefix version byte for `TINK` keys.
pub const TINK_PREFIX_BYTE: u8 = 0x01;
/// Bytes before the SIV: the version byte and the key id.
pub const PREFIX_LEN: usize = 5;
/// Shortest E.164 string: `+`, a one-digit country code, a two-digit national number.
const MIN_E164_LEN: usize = 4;
/// Shortest token: prefix, SIV and the shortest E.164 string.
pub const MIN_TOKEN_LEN: usize = PREFIX_LEN + BLOCK + MIN_E164_LEN;
/// Longest token: prefix, SIV and the longest E.164 string (21 bytes).
pub const MAX_TOKEN_LEN: usize = PREFIX_LEN + BLOCK + MAX_E164_LEN;
/// Longest token text (base64url, no padding).
pub const MAX_TOKEN_TEXT_LEN: usize = Encoding::Base64Url.encoded_len(MAX_TOKEN_LEN);

/// Encrypts phone numbers into [`Token`]s and back, with one AES-256-SIV key and its key id.
///
/// All key-dependent state (two AES-256 key schedules, the CMAC subkeys, the CMAC of the zero
/// block) is computed here once and wiped on drop. Use a [`Keyset`](crate::Keyset) to keep
/// several keys and rotate them.
///
/// ```
/// use phonetoken::{PhoneNumber, Tokenizer};
///
/// let t = Tokenizer::new(0x1234_5678, &[7u8; 64])?;
/// let n: PhoneNumber = "+14155552671".parse()?;
/// let token = t.tokenize(&n, b"contacts");
/// assert_eq!(token.as_bytes()[..5], [0x01, 0x12, 0x34, 0x56, 0x78]);
/// assert_eq!(t.detokenize(&token, b"contacts")?, n);
/// assert!(t.detokenize(&token, b"billing").is_err());
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub struct Tokenizer {
    key_id: u32,
    siv: Siv<Aes256>,
}

impl Tokenizer {
    /// A tokenizer for a 64-byte AES-SIV key with Tink key id `key_id`.
    ///
    /// # Errors
    ///
    /// [`KeyError::WrongLength`] unless `key` has exactly 64 bytes.
    ///
    /// ```
    /// use phonetoken::{KeyError, Tokenizer};
    ///
    /// assert!(Tokenizer::new(1, &[0u8; 64]).is_ok());
    /// assert!(matches!(Tokenizer::new(1, &[0u8; 32]), Err(KeyError::WrongLength { expected: 64, found: 32 })));
    /// ```
    pub fn new(key_id: u32, key: &[u8]) -> Result<Tokenizer, KeyError> {
        let key: &[u8; TOKEN_KEY_LEN] = key.try_into().map_err(|_| KeyError::WrongLength {
            expected: TOKEN_KEY_LEN,
            found: key.len(),
        })?;
        Ok(Self::from_array(key_id, key))
    }

    /// A tokenizer for a [`TokenKey`] with Tink key id `key_id`.
    ///
    /// ```
    /// use phonetoken::{TokenKey, Tokenizer};
    ///
    /// let t = Tokenizer::from_key(42, &TokenKey::from_bytes(&[1u8; 64])?);
    /// assert_eq!(t.key_id(), 42);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn from_key(key_id: u32, key: &TokenKey) -> Tokenizer {
        Self::from_array(key_id, key.as_array())
    }

    fn from_array(key_id: u32, key: &[u8; TOKEN_KEY_LEN]) -> Tokenizer {
        Tokenizer {
            key_id,
            siv: Siv::new_aes256(key),
        }
    }

    /// Keys this tokenizer again, in place: its AES key schedules and CMAC values are
    /// replaced where they are (the old ones are wiped as they are overwritten).
    pub(crate) fn rekey(&mut self, key_id: u32, key: &[u8; TOKEN_KEY_LEN]) {
        self.key_id = key_id;
        self.siv.rekey_aes256(key);
    }

    /// The Tink key id written into every token this tokenizer makes.
    ///
    /// ```
    /// assert_eq!(phonetoken::Tokenizer::new(9, &[0u8; 64])?.key_id(), 9);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The token for `number` under `context` (any bytes, empty allowed; the same context is
    /// needed to detokenize). Deterministic: the same number, context and key always give the
    /// same token. Allocates nothing.
    ///
    /// ```
    /// use phonetoken::{PhoneNumber, Tokenizer};
    ///
    /// let t = Tokenizer::new(1, &[3u8; 64])?;
    /// let n: PhoneNumber = "+442079460958".parse()?;
    /// assert_eq!(t.tokenize(&n, b""), t.tokenize(&n, b""));
    /// assert_ne!(t.tokenize(&n, b""), t.tokenize(&n, b"x"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn tokenize(&self, number: &PhoneNumber, context: &[u8]) -> Token {
        let len = number.as_bytes().len();
        match number.sha256_head().first_chunk::<BLOCK>() {
            // Under 16 bytes (nearly every number), the number's buffer already holds the
            // padded block S2V needs: the text, `0x80`, zeros.
            Some(padded) if len < BLOCK => {
                let (v, c) = self.siv.encrypt_short(context, padded, len);
                self.token(len, |body| {
                    // `c` is zero after the ciphertext, as the token's unused bytes must be.
                    if let Some(window) = body.first_chunk_mut::<BLOCK>() {
                        *window = c;
                    }
                    v
                })
            }
            _ => self.tokenize_bytes(number.as_bytes(), context),
        }
    }

    /// Tokenizes any plaintext of at most 21 bytes (longer input is cut; callers pass E.164).
    pub(crate) fn tokenize_bytes(&self, plaintext: &[u8], context: &[u8]) -> Token {
        let len = plaintext.len().min(MAX_E164_LEN);
        self.token(len, |body| {
            let body = body.get_mut(..len).unwrap_or_default();
            for (dst, src) in body.iter_mut().zip(plaintext) {
                *dst = *src;
            }
            self.siv.encrypt_one_header_max(&[context], body)
        })
    }

    /// A token with this key's Tink prefix and a ciphertext of `len` bytes: `seal` gets the
    /// zeroed space after the SIV, writes the ciphertext there and returns the SIV.
    fn token(&self, len: usize, seal: impl FnOnce(&mut [u8]) -> [u8; BLOCK]) -> Token {
        let mut bytes = [0u8; MAX_TOKEN_LEN];
        let (prefix, rest) = bytes.split_at_mut(PREFIX_LEN);
        prefix[0] = TINK_PREFIX_BYTE;
        prefix[1..].copy_from_slice(&self.key_id.to_be_bytes());
        let (siv, body) = rest.split_at_mut(BLOCK);
        siv.copy_from_slice(&seal(body));
        Token {
            bytes,
            len: (PREFIX_LEN + BLOCK + len) as u8,
        }
    }

    /// The phone number inside `token`, if it was made under this key and `context`.
    ///
    /// # Errors
    ///
    /// - [`TokenError::UnknownKeyId`] if the token names another key id (nothing secret is
    ///   used before this check);
    /// - [`TokenError::Authentication`] if the token was altered, made with another key of the
    ///   same id, or under another context (one variant for all three, by design);
    /// - [`TokenError::NotE164`] if it authenticates but does not hold a canonical E.164
    ///   number (only possible for tokens made by other software with this key).
    ///
    /// The decrypted bytes are wiped before any error is returned.
    ///
    /// ```
    /// use phonetoken::{PhoneNumber, TokenError, Tokenizer};
    ///
    /// let t = Tokenizer::new(1, &[3u8; 64])?;
    /// let n: PhoneNumber = "+33123456789".parse()?;
    /// let token = t.tokenize(&n, b"ctx");
    /// assert_eq!(t.detokenize(&token, b"ctx")?, n);
    /// assert_eq!(t.detokenize(&token, b"other"), Err(TokenError::Authentication));
    /// let other = Tokenizer::new(2, &[3u8; 64])?;
    /// assert_eq!(other.detokenize(&token, b"ctx"), Err(TokenError::UnknownKeyId { key_id: 1 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn detokenize(&self, token: &Token, context: &[u8]) -> Result<PhoneNumber, TokenError> {
        if token.key_id() != self.key_id {
            return Err(TokenError::UnknownKeyId {
                key_id: token.key_id(),
            });
        }
        self.open(token, context)
    }

    /// [`detokenize`](Self::detokenize) for the text form (base64url without padding).
    ///
    /// # Errors
    ///
    /// Those of [`Token::from_str`] and of [`detokenize`](Self::detokenize).
    ///
    /// ```
    /// use phonetoken::{PhoneNumber, TokenError, Tokenizer};
    ///
    /// let t = Tokenizer::new(1, &[3u8; 64])?;
    /// let n: PhoneNumber = "+33123456789".parse()?;
    /// let text = t.tokenize(&n, b"").to_string();
    /// assert_eq!(t.detokenize_str(&text, b"")?, n);
    /// assert_eq!(t.detokenize_str("not a token!", b""), Err(TokenError::BadEncoding));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn detokenize_str(&self, text: &str, context: &[u8]) -> Result<PhoneNumber, TokenError> {
        self.detokenize(&text.parse()?, context)
    }

    /// Decrypts and checks without looking at the key id (the caller matched it).
    pub(crate) fn open(&self, token: &Token, context: &[u8]) -> Result<PhoneNumber, TokenError> {
        let len = token.ciphertext().len();
        if let Some(window) = token.ciphertext_block().filter(|_| len < BLOCK) {
            return match self.siv.decrypt_short(context, &token.siv(), &window, len) {
                Ok(mut padded) => {
                    // Strict E.164 from the bytes, as below; the decrypted block is already
                    // the number's buffer (the text, `0x80`, zeros), so it is kept as it is.
                    let checked = crate::parse::check_e164(padded.get(..len).unwrap_or(&[]))
                        .map(|(_, national)| len.saturating_sub(1 + national.len()));
                    let result = match checked {
                        Ok(cc_len) => Ok(PhoneNumber::from_padded_head(padded, len, cc_len)),
                        Err(_) => Err(TokenError::NotE164),
                    };
                    padded.zeroize();
                    result
                }
                Err(_) => Err(TokenError::Authentication),
            };
        }
        let mut buf = [0u8; MAX_E164_LEN];
        let ciphertext = token.ciphertext();
        let len = ciphertext.len().min(buf.len());
        let plain = &mut buf[..len];
        plain.copy_from_slice(&ciphertext[..len]);
        let result = match self.siv.decrypt(&[context], &token.siv(), plain) {
            // Strict E.164 from the bytes: anything but `+` and ASCII digits is refused
            // before UTF-8 could matter.
            Ok(()) => crate::parse::parse_e164(plain).map_err(|_| TokenError::NotE164),
            Err(_) => Err(TokenError::Authentication),
        };
        buf.zeroize();
        result
    }
}

impl ZeroizeOnDrop for Tokenizer {}

impl fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokenizer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// A token: Tink DeterministicAead bytes (`0x01`, key id, SIV, ciphertext), stored inline.
///
/// Not secret (it is ciphertext), so `Debug` shows it and equality is ordinary. `Display` and
/// [`FromStr`] use base64url without padding.
///
/// ```
/// use phonetoken::{Token, TokenError};
///
/// let bytes = [[0x01, 0, 0, 0, 7].as_slice(), &[0xaa; 16], b"+1234"].concat();
/// let token = Token::from_bytes(&bytes)?;
/// assert_eq!(token.key_id(), 7);
/// assert_eq!(token.to_string().parse::<Token>()?, token);
/// assert_eq!(Token::from_bytes(&bytes[..10]), Err(TokenError::TooShort { len: 10 }));
/// # Ok::<(), TokenError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    /// Token bytes first; zero after `len`.
    bytes: [u8; MAX_TOKEN_LEN],
    /// `MIN_TOKEN_LEN..=MAX_TOKEN_LEN`.
    len: u8,
}

impl Token {
    /// Checks the public parts of token bytes (length, version byte) and wraps them.
    ///
    /// # Errors
    ///
    /// [`TokenError::TooShort`] / [`TokenError::TooLong`] if the length cannot hold an E.164
    /// number (25 to 42 bytes); [`TokenError::UnknownPrefix`] unless the first byte is `0x01`
    /// (Tink's `TINK` output prefix; `RAW`, `LEGACY` and `CRUNCHY` tokens are not supported).
    ///
    /// ```
    /// use phonetoken::{Token, TokenError};
    ///
    /// let mut bytes = [0u8; 30];
    /// assert_eq!(Token::from_bytes(&bytes), Err(TokenError::UnknownPrefix { byte: 0 }));
    /// bytes[0] = 1;
    /// assert!(Token::from_bytes(&bytes).is_ok());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Token, TokenError> {
        let len = bytes.len();
        if len < MIN_TOKEN_LEN {
            return Err(TokenError::TooShort { len });
        }
        if len > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong { len });
        }
        match bytes.first() {
            Some(&TINK_PREFIX_BYTE) => {}
            Some(&byte) => return Err(TokenError::UnknownPrefix { byte }),
            None => return Err(TokenError::TooShort { len }),
        }
        let mut out = [0u8; MAX_TOKEN_LEN];
        for (dst, src) in out.iter_mut().zip(bytes) {
            *dst = *src;
        }
        Ok(Token {
            bytes: out,
            len: len as u8,
        })
    }

    /// Parses token text in `encoding` (the default text form is base64url, which
    /// [`FromStr`] reads).
    ///
    /// # Errors
    ///
    /// [`TokenError::BadEncoding`] if the text is not in `encoding`, then those of
    /// [`from_bytes`](Self::from_bytes).
    ///
    /// ```
    /// use phonetoken::{Encoding, Token};
    ///
    /// let hex = "0100000007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2b31323334";
    /// assert_eq!(Token::decode(Encoding::Hex, hex)?.key_id(), 7);
    /// # Ok::<(), phonetoken::TokenError>(())
    /// ```
    pub fn decode(encoding: Encoding, text: &str) -> Result<Token, TokenError> {
        if text.len() > encoding.encoded_len(MAX_TOKEN_LEN) {
            // Longer text can only be a longer token (or not a token at all).
            return Err(TokenError::TooLong {
                len: text.len().saturating_mul(3) / 4,
            });
        }
        let mut buf = [0u8; MAX_TOKEN_LEN + 3];
        let bytes = encoding
            .decode_into(text, &mut buf)
            .map_err(|_| TokenError::BadEncoding)?;
        Token::from_bytes(bytes)
    }

    /// The token bytes (25 to 42 of them).
    ///
    /// ```
    /// let t: phonetoken::Token = "AQAAAAeqqqqqqqqqqqqqqqqqqqqrMTIzNA".parse()?;
    /// assert_eq!(t.as_bytes().len(), 25);
    /// # Ok::<(), phonetoken::TokenError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// The key id from the token's prefix (bytes 1 to 4, big-endian).
    ///
    /// ```
    /// let t: phonetoken::Token = "AQAAAAeqqqqqqqqqqqqqqqqqqqqrMTIzNA".parse()?;
    /// assert_eq!(t.key_id(), 7);
    /// # Ok::<(), phonetoken::TokenError>(())
    /// ```
    pub fn key_id(&self) -> u32 {
        u32::from_be_bytes([self.bytes[1], self.bytes[2], self.bytes[3], self.bytes[4]])
    }

    /// The 16-byte SIV.
    fn siv(&self) -> [u8; BLOCK] {
        self.bytes
            .get(PREFIX_LEN..)
            .and_then(|rest| rest.first_chunk::<BLOCK>())
            .copied()
            .unwrap_or([0; BLOCK])
    }

    /// The ciphertext after the SIV.
    fn ciphertext(&self) -> &[u8] {
        self.as_bytes().get(PREFIX_LEN + BLOCK..).unwrap_or(&[])
    }

    /// The 16 bytes from the start of the ciphertext: the ciphertext of a number under 16
    /// bytes, then zeros (read whole, as one block).
    fn ciphertext_block(&self) -> Option<[u8; BLOCK]> {
        self.bytes
            .get(PREFIX_LEN + BLOCK..)?
            .first_chunk::<BLOCK>()
            .copied()
    }

    /// Writes the token text in `encoding` into `out`.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `out` is shorter than `encoding.encoded_len(token.as_bytes().len())`;
    /// 84 bytes always suffice.
    ///
    /// ```
    /// let t: phonetoken::Token = "AQAAAAeqqqqqqqqqqqqqqqqqqqqrMTIzNA".parse()?;
    /// let mut buf = [0u8; phonetoken::MAX_TOKEN_TEXT_LEN];
    /// assert_eq!(t.encode_into(phonetoken::Encoding::Base64Url, &mut buf)?, "AQAAAAeqqqqqqqqqqqqqqqqqqqqrMTIzNA");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn encode_into<'a>(
        &self,
        encoding: Encoding,
        out: &'a mut [u8],
    ) -> Result<&'a str, BufferTooSmall> {
        encoding.encode_into(self.as_bytes(), out)
    }
}

impl FromStr for Token {
    type Err = TokenError;

    /// Parses base64url without padding.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Token::decode(Encoding::Base64Url, s)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Encoding::Base64Url.fmt_with::<MAX_TOKEN_TEXT_LEN>(self.as_bytes(), f)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Token")
            .field(&format_args!("{self}"))
            .finish()
    }
}

/// Why a token could not be read or opened.
///
/// The first variants are about public bytes and are safe to report in detail; every
/// cryptographic failure is [`Authentication`](TokenError::Authentication).
///
/// ```
/// use phonetoken::{Token, TokenError};
///
/// assert_eq!("***".parse::<Token>(), Err(TokenError::BadEncoding));
/// assert_eq!(TokenError::Authentication.code(), "authentication-failed");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum TokenError {
    /// The text is not base64url without padding (or the encoding asked for).
    BadEncoding,
    /// Fewer bytes than a token of the shortest E.164 number (25).
    TooShort {
        /// The length found.
        len: usize,
    },
    /// More bytes than a token of the longest E.164 number (42).
    TooLong {
        /// The length found (approximate when the text was too long to decode).
        len: usize,
    },
    /// The first byte is not `0x01`, Tink's `TINK` output prefix.
    UnknownPrefix {
        /// The first byte found.
        byte: u8,
    },
    /// Keys stage: no key with this id (in the tokenizer or keyset). Checked before any
    /// secret is used.
    UnknownKeyId {
        /// The key id from the token.
        key_id: u32,
    },
    /// Keys stage: the key with this id is disabled in the keyset.
    KeyDisabled {
        /// The key id from the token.
        key_id: u32,
    },
    /// The token does not authenticate: it was altered, or the key or the context differs
    /// from the ones it was made with. Deliberately one variant for all of these.
    Authentication,
    /// The token authenticates but does not hold a canonical E.164 number.
    NotE164,
}

impl TokenError {
    /// A short, stable name for the error (`"authentication-failed"`, …), for counting and
    /// logging.
    ///
    /// ```
    /// assert_eq!(phonetoken::TokenError::BadEncoding.code(), "bad-encoding");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::BadEncoding => "bad-encoding",
            TokenError::TooShort { .. } => "too-short",
            TokenError::TooLong { .. } => "too-long",
            TokenError::UnknownPrefix { .. } => "unknown-prefix",
            TokenError::UnknownKeyId { .. } => "unknown-key-id",
            TokenError::KeyDisabled { .. } => "key-disabled",
            TokenError::Authentication => "authentication-failed",
            TokenError::NotE164 => "not-e164",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::BadEncoding => f.write_str(
                "the token is not base64url text without padding: pass it exactly as it was produced",
            ),
            TokenError::TooShort { len } => write!(
                f,
                "the token has {len} bytes, fewer than the {MIN_TOKEN_LEN} of the shortest phone-number token: it was cut or is not a token"
            ),
            TokenError::TooLong { len } => write!(
                f,
                "the token has about {len} bytes, more than the {MAX_TOKEN_LEN} of the longest phone-number token: it is not a phonetoken token"
            ),
            TokenError::UnknownPrefix { byte } => write!(
                f,
                "the token starts with byte {byte:#04x}, not 0x01 (Tink output prefix TINK): only TINK-prefixed tokens are supported"
            ),
            TokenError::UnknownKeyId { key_id } => write!(
                f,
                "no key with id {key_id} in the keyset: load the keyset that made this token (keys removed by rotation cannot open their tokens)"
            ),
            TokenError::KeyDisabled { key_id } => write!(
                f,
                "the key with id {key_id} is disabled: enable it in the keyset to open its tokens"
            ),
            TokenError::Authentication => f.write_str(
                "the token does not authenticate: it was altered, or the key or the context differs from the ones it was made with",
            ),
            TokenError::NotE164 => f.write_str(
                "the token authenticates but does not hold a canonical E.164 number: it was made by other software with this key",
            ),
        }
    }
}

impl core::error::Error for TokenError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CountryCode;

    fn number(cc: u16, nsn: &[u8]) -> PhoneNumber {
        PhoneNumber::from_parts(CountryCode::new_unchecked(cc), nsn)
    }

    #[test]
    fn token_layout_and_oracle() {
        use aes_siv::siv::Aes256Siv;
        use aes_siv::KeyInit as _;
        let key: std::vec::Vec<u8> = (100u8..164).collect();
        let t = Tokenizer::new(0xdead_beef, &key).unwrap();
        let n = number(44, b"2079460958");
        let token = t.tokenize(&n, b"ctx");
        let bytes = token.as_bytes();
        assert_eq!(bytes[..5], [1, 0xde, 0xad, 0xbe, 0xef]);
        let mut oracle = Aes256Siv::new_from_slice(&key).unwrap();
        let mut ct = *b"+442079460958";
        let tag = oracle
            .encrypt_inout_detached([&b"ctx"[..]], ct.as_mut_slice().into())
            .unwrap();
        assert_eq!(&bytes[5..21], &tag[..]);
        assert_eq!(&bytes[21..], &ct[..]);
    }

    #[test]
    fn not_e164_plaintext_is_refused_after_authentication() {
        let t = Tokenizer::new(5, &[9u8; 64]).unwrap();
        // Under 16 bytes (the one-block path) and longer (the general one).
        for bad in [
            &b"12345"[..],
            b"+0123",
            b"+1 415",
            b"\xff\xfe\xfd\xfc\xfb",
            b"+1415555267x",
            b"+99912345678901234",
            b"+1234567890123456789x",
        ] {
            let token = t.tokenize_bytes(bad, b"");
            assert_eq!(t.detokenize(&token, b""), Err(TokenError::NotE164));
        }
    }

    #[test]
    fn debug_shows_no_key() {
        let t = Tokenizer::new(5, &[9u8; 64]).unwrap();
        assert_eq!(std::format!("{t:?}"), "Tokenizer { key_id: 5, .. }");
    }
}
