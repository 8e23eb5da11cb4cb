//! Formatting a number for people (feature `format`): libphonenumber's `format()` in its
//! `INTERNATIONAL`, `NATIONAL`, `RFC3966` and `E164` forms, and a masked form for screens,
//! written into a caller's buffer without allocating.
//!
//! The layout comes from the metadata's `numberFormat`s, read as libphonenumber reads them:
//! the formats of the main region of the calling code (`US` for every `+1` number, `GB` for
//! `+44`), the first one whose last `leadingDigits` pattern matches the start of the national
//! significant number and whose pattern matches all of it; NATIONAL with the national prefix
//! formatting rule (`0`, `(0…)`, `8 (…)`), INTERNATIONAL and RFC3966 with the `intlFormat`
//! where there is one (a format marked `NA` is skipped for them). A number no format takes
//! is written as its digits. Carrier codes are not kept by the parser, so they are left out,
//! as libphonenumber's `format()` leaves them out. The patterns run on the same bounded
//! matcher as parsing.
//!
//! ```
//! use phonetoken::{parse, Format};
//!
//! let number = parse("+1 415 555 2671", None)?;
//! let mut buf = [0u8; phonetoken::MAX_FORMATTED_LEN];
//! assert_eq!(number.format(Format::International, &mut buf)?, "+1 415-555-2671");
//! assert_eq!(number.format(Format::National, &mut buf)?, "(415) 555-2671");
//! assert_eq!(number.format(Format::Rfc3966, &mut buf)?, "tel:+1-415-555-2671");
//! assert_eq!(number.format(Format::Masked { visible: 4 }, &mut buf)?, "+1 ***-***-2671");
//! // Or through `Display`, with no buffer in sight.
//! assert_eq!(number.formatted(Format::National).to_string(), "(415) 555-2671");
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

use core::fmt;

use crate::metadata::format::{self as tables, Groups, MAX_EXTN_PREFIX_LEN, MAX_FORMATTED_NSN_LEN};
use crate::number::{PhoneNumber, MAX_CC_DIGITS, MAX_NSN_DIGITS};
use crate::parse::{Extension, MAX_EXTENSION_DIGITS};

/// How libphonenumber writes the start of an RFC 3966 URI, and its extension parameter.
const RFC3966_PREFIX: &[u8] = b"tel:+";
const RFC3966_EXTENSION: &[u8] = b";ext=";

/// Enough bytes for any number in any [`Format`], with any extension.
///
/// The sum of the longest of each part: the head of an RFC 3966 URI (`tel:+`, a country code
/// of three digits, `-`; INTERNATIONAL's `+44 ` is shorter), the longest national number any
/// of the metadata's formats writes, the longest text before an extension (`;ext=`,
/// ` ext. ` or a country's own, such as Peru's ` Anexo `), and 20 extension digits. The
/// value follows from the metadata release the tables were generated from.
///
/// ```
/// use phonetoken::{parse_with_extension, Format, MAX_FORMATTED_LEN};
///
/// let (number, ext) = parse_with_extension("+44 20 7946 0958 ext. 12345678901234567890", None)?;
/// let mut buf = [0u8; MAX_FORMATTED_LEN];
/// let uri = number.format_with_extension(ext.as_ref(), Format::Rfc3966, &mut buf)?;
/// assert_eq!(uri, "tel:+44-20-7946-0958;ext=12345678901234567890");
/// assert!(uri.len() <= MAX_FORMATTED_LEN);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub const MAX_FORMATTED_LEN: usize = RFC3966_PREFIX.len()
    + MAX_CC_DIGITS
    + 1
    + MAX_FORMATTED_NSN_LEN
    + max(MAX_EXTN_PREFIX_LEN, RFC3966_EXTENSION.len())
    + MAX_EXTENSION_DIGITS;

// The bound holds an unformatted national number and libphonenumber's own extension text.
const _: () = assert!(MAX_FORMATTED_NSN_LEN >= MAX_NSN_DIGITS && MAX_EXTN_PREFIX_LEN >= 6);

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// The forms [`PhoneNumber::format`] writes.
///
/// The first four are libphonenumber's `PhoneNumberFormat`s; `Masked` is phonetoken's.
///
/// ```
/// use phonetoken::{parse, Format};
///
/// let number = parse("020 7946 0958", Some("GB".parse()?))?;
/// let shown: Vec<String> = [
///     Format::E164,
///     Format::International,
///     Format::National,
///     Format::Rfc3966,
///     Format::Masked { visible: 3 },
/// ]
/// .into_iter()
/// .map(|f| number.formatted(f).to_string())
/// .collect();
/// assert_eq!(
///     shown,
///     ["+442079460958", "+44 20 7946 0958", "020 7946 0958", "tel:+44-20-7946-0958", "+44 ** **** *958"]
/// );
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Format {
    /// `+14155552671`: the canonical form, what [`PhoneNumber::as_str`] holds. No extension,
    /// as in libphonenumber.
    E164,
    /// `+1 415-555-2671`: the country code, a space, and the national number in the
    /// international layout of its country.
    International,
    /// `(415) 555-2671`: the national number as dialled inside the country, with the national
    /// prefix where the country writes one (`020 7946 0958`).
    National,
    /// `tel:+1-415-555-2671`: an RFC 3966 URI, the international layout with every run of
    /// separators written as one `-`.
    Rfc3966,
    /// `+1 ***-***-2671`: the international layout with every digit after the country code
    /// shown as `*`, except the last `visible` digits (all of them when `visible` is at
    /// least their number). The country code and the layout (so the number of digits) stay
    /// readable; an extension is never shown, since on a screen that tells someone which
    /// number it is, the last digits are what the mask is for.
    Masked {
        /// How many of the last digits stay readable.
        visible: u8,
    },
}

/// Why a number could not be formatted.
///
/// ```
/// use phonetoken::{parse, Format, FormatError};
///
/// let number = parse("+1 415 555 2671", None)?;
/// let mut small = [0u8; 8];
/// assert_eq!(
///     number.format(Format::International, &mut small),
///     Err(FormatError::BufferTooSmall { needed: 15 })
/// );
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum FormatError {
    /// The output buffer is shorter than the formatted number; `needed` bytes would do
    /// ([`MAX_FORMATTED_LEN`] always do).
    BufferTooSmall {
        /// The length of the formatted number, in bytes.
        needed: usize,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::BufferTooSmall { needed } => write!(
                f,
                "output buffer too small for the formatted number: {needed} bytes needed \
                 (MAX_FORMATTED_LEN = {MAX_FORMATTED_LEN} bytes always fit)"
            ),
        }
    }
}

impl core::error::Error for FormatError {}

/// A formatted number, in a buffer that holds any (ASCII only).
struct Text {
    buf: [u8; MAX_FORMATTED_LEN],
    len: usize,
}

impl Text {
    /// Appends bytes; past the capacity (which the generator's bound rules out) only the
    /// length grows, so the caller still learns how long the text is.
    fn push(&mut self, bytes: &[u8]) {
        if let Some(slot) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            slot.copy_from_slice(bytes);
        }
        self.len += bytes.len();
    }

    fn as_bytes(&self) -> Option<&[u8]> {
        self.buf.get(..self.len)
    }
}

/// libphonenumber's punctuation that is ASCII: what RFC3966 turns into `-`. The templates
/// are printable ASCII (the generator checks), so no other character of its list can occur.
fn is_separator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'x' | b' ' | b'(' | b')' | b'.' | b'[' | b']' | b'/' | b'~'
    )
}

/// RFC 3966's national part: a leading run of separators dropped, every other run one `-`.
/// Rewritten in place (never longer); returns the new length.
fn dash_separators(text: &mut [u8]) -> usize {
    let (mut written, mut pending) = (0, false);
    for i in 0..text.len() {
        let Some(&b) = text.get(i) else { break };
        if is_separator(b) {
            pending = written > 0;
            continue;
        }
        // `written` never passes `i`: each run of separators shrinks to at most one byte.
        if pending {
            if let Some(slot) = text.get_mut(written) {
                *slot = b'-';
            }
            written += 1;
            pending = false;
        }
        if let Some(slot) = text.get_mut(written) {
            *slot = b;
        }
        written += 1;
    }
    if pending {
        if let Some(slot) = text.get_mut(written) {
            *slot = b'-';
        }
        written += 1;
    }
    written.min(text.len())
}

/// Every ASCII digit of `text` as `*`, except the last `visible`.
fn mask_digits(text: &mut [u8], visible: u8) {
    let digits = text.iter().filter(|b| b.is_ascii_digit()).count();
    let mut hidden = digits.saturating_sub(usize::from(visible));
    for b in text.iter_mut() {
        if hidden == 0 {
            break;
        }
        if b.is_ascii_digit() {
            *b = b'*';
            hidden -= 1;
        }
    }
}

/// The template and groups of the first format that takes the number: the last leading
/// digits match its start, the pattern all of it. `international` skips the formats marked
/// `NA` and takes the `intlFormat` templates.
fn choose(nsn: &[u8], code: u16, international: bool) -> Option<(&'static [u8], Groups)> {
    let formats = tables::for_country_code(code)?;
    formats.formats.iter().find_map(|f| {
        let template = if international {
            f.international_template()?
        } else {
            f.national_template()?
        };
        if !f.admits_length(nsn.len()) || !f.leading_digits_match(nsn) {
            return None;
        }
        Some((template, f.full_match(nsn)?))
    })
}

/// Whether a national significant number of calling code `code`, written without its
/// country code, must carry the national prefix to be taken for a number (libphonenumber's
/// `isNationalPrefixPresentIfRequired`): the national format it takes has a rule that writes
/// the prefix, and the prefix is not optional. `false` when no format takes it.
#[cfg(feature = "find")]
pub(crate) fn national_prefix_required(nsn: &[u8], code: u16) -> bool {
    let Some(formats) = tables::for_country_code(code) else {
        return false;
    };
    formats
        .formats
        .iter()
        .position(|f| {
            f.admits_length(nsn.len()) && f.leading_digits_match(nsn) && f.full_match(nsn).is_some()
        })
        .is_some_and(|i| formats.national_prefix_required(i))
}

/// Writes a template: group references as the digits of their group, the rest as it is.
fn write_template(text: &mut Text, template: &[u8], groups: &Groups, nsn: &[u8]) {
    for &b in template {
        match b {
            1..=9 => {
                let group = groups.get(usize::from(b - 1)).cloned().flatten();
                text.push(group.and_then(|g| nsn.get(g)).unwrap_or(&[]));
            }
            _ => text.push(&[b]),
        }
    }
}

/// The whole formatted text.
fn render(number: &PhoneNumber, extension: Option<&Extension>, format: Format) -> Text {
    let mut text = Text {
        buf: [0; MAX_FORMATTED_LEN],
        len: 0,
    };
    let cc = number.country_code_digits();
    match format {
        Format::E164 => {
            text.push(number.as_bytes());
            return text;
        }
        Format::International | Format::Masked { .. } => {
            text.push(b"+");
            text.push(cc);
            text.push(b" ");
        }
        Format::Rfc3966 => {
            text.push(RFC3966_PREFIX);
            text.push(cc);
            text.push(b"-");
        }
        Format::National => {}
    }
    let nsn = number.national_digits();
    let start = text.len;
    let code = number.country_code().get();
    match choose(nsn, code, format != Format::National) {
        Some((template, groups)) => {
            write_template(&mut text, template, &groups, nsn);
            if format == Format::Rfc3966 {
                if let Some(national) = text.buf.get_mut(start..text.len) {
                    text.len = start + dash_separators(national);
                }
            }
        }
        None => text.push(nsn),
    }
    if let Format::Masked { visible } = format {
        if let Some(national) = text.buf.get_mut(start..text.len) {
            mask_digits(national, visible);
        }
        return text;
    }
    if let Some(extension) = extension {
        if format == Format::Rfc3966 {
            text.push(RFC3966_EXTENSION);
        } else {
            let prefix = tables::for_country_code(code).map_or(" ext. ", |f| f.extn_prefix);
            text.push(prefix.as_bytes());
        }
        text.push(extension.as_str().as_bytes());
    }
    text
}

impl PhoneNumber {
    /// Writes the number in `format` at the start of `out` and returns it (feature
    /// `format`): libphonenumber's `format()`, byte for byte, for the first four formats.
    ///
    /// # Errors
    ///
    /// [`FormatError::BufferTooSmall`] when `out` is shorter than the text; a buffer of
    /// [`MAX_FORMATTED_LEN`] bytes always fits.
    ///
    /// ```
    /// use phonetoken::{parse, Format};
    ///
    /// let mut buf = [0u8; phonetoken::MAX_FORMATTED_LEN];
    /// let moscow = parse("+7 495 123 45 67", None)?;
    /// assert_eq!(moscow.format(Format::National, &mut buf)?, "8 (495) 123-45-67");
    /// let mobile = parse("+54 9 11 2345 6789", None)?;
    /// assert_eq!(mobile.format(Format::International, &mut buf)?, "+54 9 11 2345-6789");
    /// assert_eq!(mobile.format(Format::National, &mut buf)?, "011 15-2345-6789");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn format<'b>(&self, format: Format, out: &'b mut [u8]) -> Result<&'b str, FormatError> {
        self.format_with_extension(None, format, out)
    }

    /// [`format`](Self::format) with an extension after the number, as libphonenumber
    /// writes one: `" ext. "` and the digits for INTERNATIONAL and NATIONAL (or the text the
    /// country prefers, `" x"` for the United Kingdom), `";ext="` for RFC3966, nothing for
    /// E164 and `Masked`.
    ///
    /// # Errors
    ///
    /// As [`format`](Self::format).
    ///
    /// ```
    /// use phonetoken::{parse_with_extension, Format};
    ///
    /// let mut buf = [0u8; phonetoken::MAX_FORMATTED_LEN];
    /// let (number, ext) = parse_with_extension("(650) 253-0000 ext. 1234", Some("US".parse()?))?;
    /// let ext = ext.as_ref();
    /// assert_eq!(number.format_with_extension(ext, Format::National, &mut buf)?, "(650) 253-0000 ext. 1234");
    /// assert_eq!(number.format_with_extension(ext, Format::Rfc3966, &mut buf)?, "tel:+1-650-253-0000;ext=1234");
    /// assert_eq!(number.format_with_extension(ext, Format::E164, &mut buf)?, "+16502530000");
    /// let (london, ext) = parse_with_extension("+44 20 7946 0958 ext 12", None)?;
    /// assert_eq!(london.format_with_extension(ext.as_ref(), Format::International, &mut buf)?, "+44 20 7946 0958 x12");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn format_with_extension<'b>(
        &self,
        extension: Option<&Extension>,
        format: Format,
        out: &'b mut [u8],
    ) -> Result<&'b str, FormatError> {
        let text = render(self, extension, format);
        let needed = text.len;
        let (Some(bytes), Some(slot)) = (text.as_bytes(), out.get_mut(..needed)) else {
            return Err(FormatError::BufferTooSmall { needed });
        };
        slot.copy_from_slice(bytes);
        // Only ASCII is ever written; the error is unreachable.
        core::str::from_utf8(slot).map_err(|_| FormatError::BufferTooSmall { needed })
    }

    /// The number in `format` as a [`Display`](fmt::Display) value (feature `format`), for
    /// `write!`, `to_string` or logging, with no buffer to size.
    ///
    /// ```
    /// use phonetoken::{parse, Format};
    ///
    /// let number = parse("+33 1 23 45 67 89", None)?;
    /// assert_eq!(format!("{}", number.formatted(Format::National)), "01 23 45 67 89");
    /// assert_eq!(format!("[{:>18}]", number.formatted(Format::International)), "[ +33 1 23 45 67 89]");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn formatted(&self, format: Format) -> Formatted<'_> {
        Formatted {
            number: self,
            extension: None,
            format,
        }
    }
}

/// A number in a [`Format`], shown through [`Display`](fmt::Display) (padding and alignment
/// apply); made by [`PhoneNumber::formatted`].
///
/// ```
/// use phonetoken::{parse_with_extension, Format};
///
/// let (number, ext) = parse_with_extension("+1 650 253 0000 x 77", None)?;
/// let shown = number.formatted(Format::International).with_extension(ext.as_ref());
/// assert_eq!(shown.to_string(), "+1 650-253-0000 ext. 77");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Formatted<'a> {
    number: &'a PhoneNumber,
    extension: Option<&'a Extension>,
    format: Format,
}

impl<'a> Formatted<'a> {
    /// The same, with an extension written after the number as
    /// [`PhoneNumber::format_with_extension`] writes it.
    ///
    /// ```
    /// use phonetoken::{parse_with_extension, Format};
    ///
    /// let (number, ext) = parse_with_extension("tel:+1-650-253-0000;ext=9", None)?;
    /// let uri = number.formatted(Format::Rfc3966).with_extension(ext.as_ref());
    /// assert_eq!(uri.to_string(), "tel:+1-650-253-0000;ext=9");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn with_extension(self, extension: Option<&'a Extension>) -> Formatted<'a> {
        Formatted { extension, ..self }
    }
}

impl fmt::Display for Formatted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = render(self.number, self.extension, self.format);
        let shown = text
            .as_bytes()
            .and_then(|b| core::str::from_utf8(b).ok())
            .ok_or(fmt::Error)?;
        f.pad(shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3966_separators_collapse_and_lead_nothing() {
        let mut text = *b"(415) 555-2671";
        let n = dash_separators(&mut text);
        assert_eq!(&text[..n], b"415-555-2671");
        let mut text = *b" 12 -34 ";
        let n = dash_separators(&mut text);
        assert_eq!(&text[..n], b"12-34-");
        let mut text = *b"15-2345";
        assert_eq!(dash_separators(&mut text), 7);
    }

    #[test]
    fn masks_keep_the_last_digits() {
        let mut text = *b"415-555-2671";
        mask_digits(&mut text, 4);
        assert_eq!(&text, b"***-***-2671");
        let mut text = *b"415-555-2671";
        mask_digits(&mut text, 40);
        assert_eq!(&text, b"415-555-2671");
        let mut text = *b"(0) 12";
        mask_digits(&mut text, 0);
        assert_eq!(&text, b"(*) **");
    }
}
