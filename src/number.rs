//! The values the normalizer produces: [`PhoneNumber`], [`CountryCode`] and [`Region`].
//!
//! All three are small `Copy` values stored inline. A [`PhoneNumber`] keeps its canonical
//! E.164 text (`+` and at most 20 digits) in a fixed array, so handing one around, hashing it,
//! pseudonymizing it or tokenizing it never touches a heap.
//!
//! # Why more than 15 digits?
//!
//! ITU-T E.164 caps a number at 15 digits. libphonenumber does not: it accepts a national
//! significant number of up to 17 digits when the country's metadata lists such lengths
//! (a few countries publish numbers longer than E.164 allows), and phonetoken gives exactly what
//! libphonenumber gives. So a [`PhoneNumber`] holds a country calling code of 1 to 3 digits and
//! a national significant number of 2 to 17 digits: at most 20 digits after the `+`.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;

use crate::metadata;

/// Longest national significant number libphonenumber accepts (`MAX_LENGTH_FOR_NSN`).
pub(crate) const MAX_NSN_DIGITS: usize = 17;
/// Shortest national significant number libphonenumber accepts (`MIN_LENGTH_FOR_NSN`).
pub(crate) const MIN_NSN_DIGITS: usize = 2;
/// Longest country calling code.
pub(crate) const MAX_CC_DIGITS: usize = 3;
/// Capacity of the E.164 text: `+`, the country code and the national number.
pub(crate) const MAX_E164_LEN: usize = 1 + MAX_CC_DIGITS + MAX_NSN_DIGITS;
/// Size of a number's buffer: the text, SHA-256's `0x80` marker after it, zeros.
pub(crate) const SHA256_HEAD_LEN: usize = 32;
const _: () = assert!(MAX_E164_LEN < SHA256_HEAD_LEN);

/// A canonical phone number: the E.164 form libphonenumber produces, stored inline.
///
/// Made by [`parse`](crate::parse) (any written form plus a default region) or by
/// [`FromStr`] (strict E.164 only). Two `PhoneNumber`s are equal exactly when their E.164
/// strings are equal; ordering is the byte order of those strings.
///
/// ```
/// use phonetoken::{parse, PhoneNumber, Region};
///
/// let gb: Region = "gb".parse()?;
/// let n = parse("020 7946 0958", Some(gb))?;
/// assert_eq!(n.as_str(), "+442079460958");
/// assert_eq!(n.country_code().get(), 44);
/// assert_eq!(n.national_number(), "2079460958");
/// assert_eq!(n, "+442079460958".parse::<PhoneNumber>()?);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct PhoneNumber {
    /// `+`, country code digits, national significant number digits; then `0x80`, then
    /// zeros. That is the first half of the SHA-256 block the pseudonymizer hashes, so it
    /// copies the buffer whole instead of assembling the block byte by byte (a block put
    /// together from small stores makes the compression's 16-byte loads wait).
    text: [u8; SHA256_HEAD_LEN],
    /// Bytes of `text` in use.
    len: u8,
    /// Digits of the country calling code (1 to 3).
    cc_len: u8,
}

impl PhoneNumber {
    /// Builds a number from a known country code and a national significant number of ASCII
    /// digits. The caller (the parser) guarantees the code is known and the length in range.
    pub(crate) fn from_parts(cc: CountryCode, nsn: &[u8]) -> PhoneNumber {
        debug_assert!((MIN_NSN_DIGITS..=MAX_NSN_DIGITS).contains(&nsn.len()));
        debug_assert!(nsn.iter().all(u8::is_ascii_digit));
        let mut text = [0u8; SHA256_HEAD_LEN];
        text[0] = b'+';
        // Country codes are 1 to 999: write their digits straight into place.
        let code = cc.0 % 1000;
        let cc_len = match code {
            0..=9 => 1,
            10..=99 => 2,
            _ => 3,
        };
        let mut rest = code;
        for slot in text[1..=cc_len].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let nsn_len = nsn.len().min(MAX_NSN_DIGITS);
        let end = 1 + cc_len + nsn_len;
        text[1 + cc_len..end].copy_from_slice(&nsn[..nsn_len]);
        text[end] = 0x80;
        PhoneNumber {
            text,
            len: end as u8,
            cc_len: cc_len as u8,
        }
    }

    /// A number whose first 16 bytes of text are already laid out as the buffer keeps them
    /// (the E.164 text of `len < 16` bytes, `0x80`, zeros), as a token's decrypted block is.
    /// The caller checked the text (`parse::check_e164`) and gives the country code's length.
    pub(crate) fn from_padded_head(head: [u8; 16], len: usize, cc_len: usize) -> PhoneNumber {
        debug_assert!(len < 16 && head.get(len) == Some(&0x80));
        let mut text = [0u8; SHA256_HEAD_LEN];
        if let Some(first) = text.first_chunk_mut::<16>() {
            *first = head;
        }
        PhoneNumber {
            text,
            len: len.min(15) as u8,
            cc_len: cc_len.min(MAX_CC_DIGITS) as u8,
        }
    }

    /// The E.164 string, e.g. `"+14155552671"`: what libphonenumber's `format(E164)` gives.
    ///
    /// ```
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
    /// assert_eq!(n.as_str(), "+14155552671");
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written into `text`; the fallback is unreachable.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The E.164 string as bytes: the exact message that pseudonyms and tokens are computed over.
    ///
    /// ```
    /// let n: phonetoken::PhoneNumber = "+442079460958".parse()?;
    /// assert_eq!(n.as_bytes(), b"+442079460958");
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }

    /// The country calling code's digits, as written after the `+`.
    #[cfg(feature = "format")]
    pub(crate) fn country_code_digits(&self) -> &[u8] {
        self.as_bytes()
            .get(1..1 + usize::from(self.cc_len))
            .unwrap_or(&[])
    }

    /// The E.164 text followed by SHA-256's `0x80` marker and zeros: the first 32 bytes of
    /// the SHA-256 block of a message that is this number.
    pub(crate) fn sha256_head(&self) -> &[u8; SHA256_HEAD_LEN] {
        &self.text
    }

    /// The country calling code (`1` for `+1 415 555 2671`).
    ///
    /// ```
    /// let n: phonetoken::PhoneNumber = "+8613912345678".parse()?;
    /// assert_eq!(n.country_code().get(), 86);
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn country_code(&self) -> CountryCode {
        let digits = &self.text[1..1 + usize::from(self.cc_len)];
        CountryCode(
            digits
                .iter()
                .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')),
        )
    }

    /// The national significant number: the digits after the country code, with any
    /// Italian-style leading zero kept (`"0612345678"` for `+390612345678`).
    ///
    /// ```
    /// let n: phonetoken::PhoneNumber = "+390612345678".parse()?;
    /// assert_eq!(n.national_number(), "0612345678");
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn national_number(&self) -> &str {
        &self.as_str()[1 + usize::from(self.cc_len)..]
    }

    /// [`national_number`](Self::national_number) as bytes, without the UTF-8 check (the
    /// validation path asks for it several times per call).
    #[cfg(any(feature = "validate", feature = "format"))]
    pub(crate) fn national_digits(&self) -> &[u8] {
        self.as_bytes()
            .get(1 + usize::from(self.cc_len)..)
            .unwrap_or(&[])
    }

    /// The regions that share this number's country calling code, the main one first, as
    /// libphonenumber lists them. Empty for non-geographic codes such as `+800`.
    ///
    /// This does not say which of the regions the number belongs to: telling `+44 1481` (GG)
    /// from `+44 20` (GB) needs the per-type validity patterns, which phonetoken leaves out to
    /// keep firmware tables small.
    ///
    /// ```
    /// let n: phonetoken::PhoneNumber = "+447700900123".parse()?;
    /// let regions: Vec<&str> = n.regions().iter().map(|r| r.as_str()).collect();
    /// assert_eq!(regions, ["GB", "GG", "IM", "JE"]);
    /// # Ok::<(), phonetoken::ParseError>(())
    /// ```
    pub fn regions(&self) -> &'static [Region] {
        self.country_code().regions()
    }
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PhoneNumber {}

impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PhoneNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for PhoneNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Strict E.164: `+`, an assigned country calling code and a national significant number of a
/// length possible for that country, with no other character. This is how a stored canonical
/// value is read back; [`parse`](crate::parse) is for text written any other way.
///
/// Every output of `parse` is accepted and gives back an equal number. The number is taken as
/// written: unlike `parse`, no national prefix is stripped after the country code (for a few
/// numbers libphonenumber would strip one again, so re-parsing is not a no-op, while reading
/// a canonical value must be).
///
/// # Errors
///
/// [`ParseError::NotE164`](crate::ParseError::NotE164) for anything but `+` and ASCII digits,
/// [`InvalidCountryCode`](crate::ParseError::InvalidCountryCode) when the digits do not start
/// with an assigned code, and the length errors of `parse` otherwise.
///
/// ```
/// use phonetoken::{ParseError, PhoneNumber};
///
/// assert!("+14155552671".parse::<PhoneNumber>().is_ok());
/// assert_eq!("+1 415 555 2671".parse::<PhoneNumber>(), Err(ParseError::NotE164));
/// assert_eq!("+4420".parse::<PhoneNumber>(), Err(ParseError::TooShort));
/// ```
impl FromStr for PhoneNumber {
    type Err = crate::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::parse::parse_e164(s.as_bytes())
    }
}

/// A country calling code known to the metadata (`1`, `44`, `800`, …).
///
/// ```
/// use phonetoken::CountryCode;
///
/// let cc = CountryCode::new(44).expect("44 is assigned");
/// assert_eq!(cc.main_region(), "GB".parse().ok());
/// assert!(CountryCode::new(999).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CountryCode(u16);

impl CountryCode {
    /// The code, if the metadata knows it (geographic or not); `None` otherwise.
    ///
    /// ```
    /// assert!(phonetoken::CountryCode::new(800).is_some());
    /// ```
    pub fn new(code: u16) -> Option<CountryCode> {
        if metadata::is_known_country_code(code) {
            Some(CountryCode(code))
        } else {
            None
        }
    }

    /// Wraps a code the caller has checked against the metadata.
    pub(crate) const fn new_unchecked(code: u16) -> CountryCode {
        CountryCode(code)
    }

    /// The numeric value.
    ///
    /// ```
    /// assert_eq!(phonetoken::CountryCode::new(1).map(|c| c.get()), Some(1));
    /// ```
    pub const fn get(self) -> u16 {
        self.0
    }

    /// The regions that use this code, the main one first (libphonenumber's order); empty for
    /// non-geographic codes such as `800` or `882`.
    ///
    /// ```
    /// let cc = phonetoken::CountryCode::new(7).unwrap();
    /// assert_eq!(cc.regions()[0].as_str(), "RU");
    /// ```
    pub fn regions(self) -> &'static [Region] {
        metadata::regions_for_country_code(self.0)
    }

    /// The main region of this code (`US` for `1`), or `None` for a non-geographic code.
    ///
    /// ```
    /// let cc = phonetoken::CountryCode::new(1).unwrap();
    /// assert_eq!(cc.main_region().unwrap().as_str(), "US");
    /// ```
    pub fn main_region(self) -> Option<Region> {
        self.regions().first().copied()
    }

    /// Whether the code belongs to a non-geographic entity (global services such as `+800`
    /// freephone, `+870` Inmarsat, `+882`/`+883` international networks).
    ///
    /// ```
    /// assert!(phonetoken::CountryCode::new(800).unwrap().is_non_geographic());
    /// assert!(!phonetoken::CountryCode::new(33).unwrap().is_non_geographic());
    /// ```
    pub fn is_non_geographic(self) -> bool {
        self.regions().is_empty()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// An ISO 3166-1 alpha-2 region that libphonenumber has metadata for (`US`, `GB`, `GG`, …).
///
/// Parsing is case-insensitive and refuses codes the metadata does not know, including
/// libphonenumber's placeholders `ZZ` (unknown) and `001` (non-geographic).
///
/// ```
/// use phonetoken::{Region, RegionError};
///
/// let r: Region = "gb".parse()?;
/// assert_eq!(r.as_str(), "GB");
/// assert_eq!("XX".parse::<Region>(), Err(RegionError::Unknown));
/// # Ok::<(), RegionError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region([u8; 2]);

impl Region {
    /// Wraps an upper-case code the generated metadata lists.
    pub(crate) const fn new_unchecked(code: [u8; 2]) -> Region {
        Region(code)
    }

    /// The two upper-case ASCII letters as bytes.
    pub(crate) const fn code(self) -> [u8; 2] {
        self.0
    }

    /// The two upper-case ASCII letters.
    ///
    /// ```
    /// let r: phonetoken::Region = "fr".parse()?;
    /// assert_eq!(r.as_str(), "FR");
    /// # Ok::<(), phonetoken::RegionError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("ZZ")
    }

    /// The country calling code used in this region (`44` for `GB`, `GG`, `IM`, `JE`).
    ///
    /// ```
    /// let r: phonetoken::Region = "JE".parse()?;
    /// assert_eq!(r.country_code().get(), 44);
    /// # Ok::<(), phonetoken::RegionError>(())
    /// ```
    pub fn country_code(self) -> CountryCode {
        CountryCode(metadata::territory_for_region(self).map_or(0, |t| t.country_code))
    }

    /// Every region the metadata knows, sorted.
    ///
    /// ```
    /// assert!(phonetoken::Region::all().len() > 240);
    /// ```
    pub fn all() -> &'static [Region] {
        metadata::ALL_REGIONS
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Region").field(&self.as_str()).finish()
    }
}

impl FromStr for Region {
    type Err = RegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(RegionError::Malformed);
        }
        let code = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
        metadata::ALL_REGIONS
            .binary_search(&Region(code))
            .map(|i| metadata::ALL_REGIONS[i])
            .map_err(|_| RegionError::Unknown)
    }
}

/// Why a region code was refused.
///
/// ```
/// use phonetoken::{Region, RegionError};
///
/// assert_eq!("G".parse::<Region>(), Err(RegionError::Malformed));
/// assert_eq!("QQ".parse::<Region>(), Err(RegionError::Unknown));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum RegionError {
    /// Not two ASCII letters.
    Malformed,
    /// Two letters, but not a region libphonenumber has metadata for.
    Unknown,
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionError::Malformed => f.write_str(
                "a region is two ASCII letters (ISO 3166-1 alpha-2), such as US or GB",
            ),
            RegionError::Unknown => f.write_str(
                "unknown region: use an ISO 3166-1 alpha-2 code that libphonenumber has metadata for, such as US or GB",
            ),
        }
    }
}

impl core::error::Error for RegionError {}
