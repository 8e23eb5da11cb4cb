//! Text forms for pseudonyms and tokens: base64url, base64 and hex.
//!
//! Every form writes into a caller's buffer ([`Encoding::encode_into`], sized with
//! [`Encoding::encoded_len`]), so nothing is allocated; with the `alloc` feature,
//! `Encoding::encode_string` (feature `alloc`) returns a `String` instead.
//!
//! | [`Encoding`] | alphabet | padding | used for |
//! |---|---|---|---|
//! | [`Base64Url`](Encoding::Base64Url) | `A–Z a–z 0–9 - _` (RFC 4648 §5) | none | the default text of pseudonyms and tokens: safe in URLs, file names, CSV |
//! | [`Base64`](Encoding::Base64) | `A–Z a–z 0–9 + /` (RFC 4648 §4) | `=` | what Cloud DLP's `CryptoHashConfig` surrogate shows |
//! | [`Hex`](Encoding::Hex) | `0–9 a–f` | none | logs, databases that index hex |
//!
//! # Constant time
//!
//! Every encoder and decoder takes the same time whatever the bytes are: no branch on them
//! and no table look-up indexed by them. Base64 is encoded by `base64` (this module's, eight
//! characters at a time; firmware builds, for flash, use `base64ct`'s) and decoded by
//! `base64ct`, hex by `base16ct`. None is constant time in the length, which is public
//! anyway.

#[cfg(not(target_os = "none"))]
mod base64;

use core::fmt;

use base64ct::Encoding as _;

/// Shared message for [`BufferTooSmall`].
const BUFFER_TOO_SMALL: &str =
    "output buffer too small: size it with Encoding::encoded_len (or decoded capacity)";
/// Shared message for [`InvalidEncoding`].
const INVALID_ENCODING: &str =
    "invalid text encoding: check the alphabet (base64url, base64 or hex) and the length";

/// A text encoding for bytes.
///
/// ```
/// use phonetoken::Encoding;
///
/// let bytes = [0xfb, 0xff, 0x01];
/// let mut buf = [0u8; 8];
/// assert_eq!(Encoding::Base64Url.encode_into(&bytes, &mut buf)?, "-_8B");
/// assert_eq!(Encoding::Base64.encode_into(&bytes, &mut buf)?, "+/8B");
/// assert_eq!(Encoding::Hex.encode_into(&bytes, &mut buf)?, "fbff01");
/// # Ok::<(), phonetoken::BufferTooSmall>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[non_exhaustive]
pub enum Encoding {
    /// URL-safe base64 without `=` padding (RFC 4648 §5). The default.
    #[default]
    Base64Url,
    /// Standard base64 with `=` padding (RFC 4648 §4), as Cloud DLP prints hashes.
    Base64,
    /// Lower-case hexadecimal.
    Hex,
}

impl Encoding {
    /// Length in bytes (and characters) of the text for `len` input bytes.
    ///
    /// ```
    /// use phonetoken::Encoding;
    ///
    /// assert_eq!(Encoding::Base64Url.encoded_len(32), 43);
    /// assert_eq!(Encoding::Base64.encoded_len(32), 44);
    /// assert_eq!(Encoding::Hex.encoded_len(32), 64);
    /// ```
    pub const fn encoded_len(self, len: usize) -> usize {
        match self {
            Encoding::Base64Url => {
                let full = (len / 3).saturating_mul(4);
                match len % 3 {
                    0 => full,
                    1 => full.saturating_add(2),
                    _ => full.saturating_add(3),
                }
            }
            Encoding::Base64 => len.div_ceil(3).saturating_mul(4),
            Encoding::Hex => len.saturating_mul(2),
        }
    }

    /// Writes the text for `bytes` at the start of `out` and returns it.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `out` is shorter than [`encoded_len`](Self::encoded_len)`(bytes.len())`.
    ///
    /// ```
    /// let mut buf = [0u8; 4];
    /// assert_eq!(phonetoken::Encoding::Hex.encode_into(b"\x00\xff", &mut buf)?, "00ff");
    /// assert!(phonetoken::Encoding::Hex.encode_into(b"\x00\xff\x01", &mut buf).is_err());
    /// # Ok::<(), phonetoken::BufferTooSmall>(())
    /// ```
    pub fn encode_into<'a>(
        self,
        bytes: &[u8],
        out: &'a mut [u8],
    ) -> Result<&'a str, BufferTooSmall> {
        // Firmware keeps `base64ct`'s encoder, which gives the text itself: a third of the
        // flash, and speed matters less there.
        #[cfg(target_os = "none")]
        {
            let needed = self.encoded_len(bytes.len());
            let out = out.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
            let text = match self {
                Encoding::Base64Url => base64ct::Base64UrlUnpadded::encode(bytes, out).ok(),
                Encoding::Base64 => base64ct::Base64::encode(bytes, out).ok(),
                Encoding::Hex => base16ct::lower::encode_str(bytes, out).ok(),
            };
            text.ok_or(BufferTooSmall { needed })
        }
        #[cfg(not(target_os = "none"))]
        {
            let len = self.encode_to_slice(bytes, out)?;
            let text = out.get(..len).unwrap_or_default();
            // Only ASCII is written, so the check cannot fail.
            core::str::from_utf8(text).map_err(|_| BufferTooSmall { needed: len })
        }
    }

    /// Writes the text for `bytes` at the start of `out`, as ASCII bytes, and returns its
    /// length: [`encode_into`](Self::encode_into) without the UTF-8 check that makes a
    /// `&str`, for output that is put together as bytes (about 100 instructions less for a
    /// pseudonym).
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `out` is shorter than [`encoded_len`](Self::encoded_len)`(bytes.len())`.
    ///
    /// ```
    /// let mut buf = [0u8; 8];
    /// let len = phonetoken::Encoding::Base64Url.encode_to_slice(&[0xfb, 0xff, 0x01], &mut buf)?;
    /// assert_eq!(&buf[..len], b"-_8B");
    /// # Ok::<(), phonetoken::BufferTooSmall>(())
    /// ```
    pub fn encode_to_slice(self, bytes: &[u8], out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        #[cfg(target_os = "none")]
        return self.encode_into(bytes, out).map(str::len);
        #[cfg(not(target_os = "none"))]
        {
            let needed = self.encoded_len(bytes.len());
            let out = out.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
            match self {
                Encoding::Base64Url => base64::encode(bytes, out, base64::URL_SAFE),
                Encoding::Base64 => base64::encode(bytes, out, base64::STANDARD),
                Encoding::Hex => {
                    base16ct::lower::encode(bytes, out).map_err(|_| BufferTooSmall { needed })?;
                }
            }
            Ok(needed)
        }
    }

    /// Writes the text for `bytes` to a formatter through a stack buffer of `N` bytes (the
    /// `Display` of pseudonyms and tokens); `fmt::Error` if `N` is too small.
    pub(crate) fn fmt_with<const N: usize>(
        self,
        bytes: &[u8],
        f: &mut core::fmt::Formatter<'_>,
    ) -> core::fmt::Result {
        let mut buf = [0u8; N];
        let text = self
            .encode_into(bytes, &mut buf)
            .map_err(|_| core::fmt::Error)?;
        f.pad(text)
    }

    /// The text for `bytes` as a new `String`.
    ///
    /// ```
    /// assert_eq!(phonetoken::Encoding::Base64.encode_string(b"hi"), "aGk=");
    /// ```
    #[cfg(feature = "alloc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    pub fn encode_string(self, bytes: &[u8]) -> alloc::string::String {
        let mut out = alloc::vec![0u8; self.encoded_len(bytes.len())];
        // The buffer has the length needed, and the text is ASCII: neither step can fail,
        // and the `String` takes the buffer over without a copy (its check is the only one).
        let len = self.encode_to_slice(bytes, &mut out).unwrap_or(0);
        out.truncate(len);
        alloc::string::String::from_utf8(out).unwrap_or_default()
    }

    /// Decodes `text` into the start of `out` and returns the bytes written.
    ///
    /// Decoding is strict: base64url must be unpadded, base64 padded, hex lower-case, and no
    /// whitespace is allowed anywhere.
    ///
    /// # Errors
    ///
    /// [`DecodeError::InvalidEncoding`] if `text` is not in this encoding;
    /// [`DecodeError::BufferTooSmall`] if `out` cannot hold the decoded bytes.
    ///
    /// ```
    /// use phonetoken::{DecodeError, Encoding};
    ///
    /// let mut buf = [0u8; 8];
    /// assert_eq!(Encoding::Base64Url.decode_into("-_8B", &mut buf)?, [0xfb, 0xff, 0x01]);
    /// assert!(matches!(Encoding::Hex.decode_into("zz", &mut buf), Err(DecodeError::InvalidEncoding(_))));
    /// # Ok::<(), DecodeError>(())
    /// ```
    pub fn decode_into<'a>(self, text: &str, out: &'a mut [u8]) -> Result<&'a [u8], DecodeError> {
        let result = match self {
            Encoding::Base64Url => base64ct::Base64UrlUnpadded::decode(text, out),
            Encoding::Base64 => base64ct::Base64::decode(text, out),
            Encoding::Hex => {
                return base16ct::lower::decode(text, out).map_err(|e| match e {
                    base16ct::Error::InvalidLength if text.len().is_multiple_of(2) => {
                        DecodeError::BufferTooSmall(BufferTooSmall {
                            needed: text.len() / 2,
                        })
                    }
                    _ => DecodeError::InvalidEncoding(InvalidEncoding),
                })
            }
        };
        result.map_err(|e| match e {
            base64ct::Error::InvalidLength => DecodeError::BufferTooSmall(BufferTooSmall {
                needed: decoded_capacity(text.len()),
            }),
            base64ct::Error::InvalidEncoding => DecodeError::InvalidEncoding(InvalidEncoding),
        })
    }
}

/// An upper bound of the bytes that base64 text of `len` characters decodes to.
const fn decoded_capacity(len: usize) -> usize {
    (len / 4).saturating_mul(3).saturating_add(len % 4)
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Base64Url => "base64url",
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
        })
    }
}

/// The output buffer cannot hold the result.
///
/// ```
/// let mut buf = [0u8; 3];
/// let err = phonetoken::Encoding::Hex.encode_into(b"ab", &mut buf).unwrap_err();
/// assert_eq!(err.needed, 4);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub struct BufferTooSmall {
    /// The buffer size that would have been enough.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{BUFFER_TOO_SMALL} ({} bytes needed)", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}

/// The text is not in the expected encoding (wrong alphabet, padding or length).
///
/// ```
/// let mut buf = [0u8; 8];
/// assert!(phonetoken::Encoding::Base64.decode_into("a", &mut buf).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct InvalidEncoding;

impl fmt::Display for InvalidEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(INVALID_ENCODING)
    }
}

impl core::error::Error for InvalidEncoding {}

/// Why [`Encoding::decode_into`] failed.
///
/// ```
/// use phonetoken::{DecodeError, Encoding};
///
/// let mut small = [0u8; 1];
/// assert!(matches!(Encoding::Hex.decode_into("0102", &mut small), Err(DecodeError::BufferTooSmall(_))));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum DecodeError {
    /// The text is not in the expected encoding.
    InvalidEncoding(InvalidEncoding),
    /// The output buffer is too small for the decoded bytes.
    BufferTooSmall(BufferTooSmall),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::InvalidEncoding(e) => fmt::Display::fmt(e, f),
            DecodeError::BufferTooSmall(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            DecodeError::InvalidEncoding(e) => Some(e),
            DecodeError::BufferTooSmall(e) => Some(e),
        }
    }
}

impl From<InvalidEncoding> for DecodeError {
    fn from(e: InvalidEncoding) -> Self {
        DecodeError::InvalidEncoding(e)
    }
}

impl From<BufferTooSmall> for DecodeError {
    fn from(e: BufferTooSmall) -> Self {
        DecodeError::BufferTooSmall(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4648 §10 test vectors (base64 and base16).
    const RFC4648: [(&str, &str, &str); 7] = [
        ("", "", ""),
        ("f", "Zg==", "66"),
        ("fo", "Zm8=", "666f"),
        ("foo", "Zm9v", "666f6f"),
        ("foob", "Zm9vYg==", "666f6f62"),
        ("fooba", "Zm9vYmE=", "666f6f6261"),
        ("foobar", "Zm9vYmFy", "666f6f626172"),
    ];

    #[test]
    fn rfc4648_vectors_round_trip() {
        for (raw, b64, hex) in RFC4648 {
            let mut buf = [0u8; 16];
            assert_eq!(
                Encoding::Base64
                    .encode_into(raw.as_bytes(), &mut buf)
                    .unwrap(),
                b64
            );
            assert_eq!(
                Encoding::Hex.encode_into(raw.as_bytes(), &mut buf).unwrap(),
                hex
            );
            let unpadded = b64.trim_end_matches('=');
            assert_eq!(
                Encoding::Base64Url
                    .encode_into(raw.as_bytes(), &mut buf)
                    .unwrap(),
                unpadded
            );
            for (enc, text) in [
                (Encoding::Base64, b64),
                (Encoding::Hex, hex),
                (Encoding::Base64Url, unpadded),
            ] {
                assert_eq!(enc.encoded_len(raw.len()), text.len());
                let mut out = [0u8; 16];
                assert_eq!(enc.decode_into(text, &mut out).unwrap(), raw.as_bytes());
            }
        }
    }

    #[test]
    fn strict_decoding() {
        let mut out = [0u8; 16];
        assert!(Encoding::Base64Url.decode_into("Zg==", &mut out).is_err());
        assert!(Encoding::Base64.decode_into("Zg", &mut out).is_err());
        assert!(Encoding::Hex.decode_into("6", &mut out).is_err());
        assert!(Encoding::Hex.decode_into("6G", &mut out).is_err());
        assert!(Encoding::Base64.decode_into("Zm9v\n", &mut out).is_err());
    }
}
