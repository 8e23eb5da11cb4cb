//! The normalizer: any written form of a phone number to libphonenumber's E.164.
//!
//! The steps follow libphonenumber's `parse` one for one, because agreeing with it on every
//! input (including refusals) is the point:
//!
//! 1. [`scan`]: take the number out of the text (or out of an RFC 3966 `tel:` URI), and
//!    check that it looks like a phone number at all.
//! 2. [`extension`]: split off an extension (`ext. 12`, `x12`, `;ext=12`, `,,12`, …).
//! 3. [`national`]: find the country calling code (`+`, the default region's international
//!    prefix, or the region's own code written without `+`), then strip the national prefix
//!    and carrier code as the metadata says; [`normalize`] turns characters into digits on
//!    the way (digits of every script, vanity letters).
//! 4. Check the length against the country's possible lengths, as libphonenumber's
//!    `isPossibleNumber` does for the main region of the calling code.
//!
//! Everything runs in fixed-size buffers on the stack ([`buffer`]); the input is refused past
//! 250 characters before any of this, which bounds every buffer and every loop.

mod buffer;
mod chars;
mod error;
mod extension;
mod national;
mod normalize;
mod scan;
mod unicode_tables;

pub use error::ParseError;
pub use extension::Extension;

use crate::metadata;
use crate::number::{CountryCode, PhoneNumber, Region, MAX_NSN_DIGITS, MIN_NSN_DIGITS};
use buffer::{Text, MAX_INPUT_CHARS};
use national::Length;

/// Parses `input` as libphonenumber's `parse(input, default_region)` followed by
/// `isPossibleNumber` and `format(E164)` would, and returns the canonical number.
///
/// `default_region` is used for numbers written in national form; a number written with `+`
/// (or with the region's international prefix) carries its own country code. An extension,
/// if any, is dropped; [`parse_with_extension`] returns it.
///
/// # Errors
///
/// A [`ParseError`] saying why the input is not a possible phone number; the variants map
/// one to one onto libphonenumber's refusals.
///
/// ```
/// use phonetoken::{parse, ParseError, Region};
///
/// let n = parse("+1 (415) 555-2671", None)?;
/// assert_eq!(n.as_str(), "+14155552671");
/// let gb: Region = "GB".parse()?;
/// assert_eq!(parse("020 7946 0958", Some(gb))?.as_str(), "+442079460958");
/// assert_eq!(parse("+1 650 253", None), Err(ParseError::TooShort));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn parse(input: &str, default_region: Option<Region>) -> Result<PhoneNumber, ParseError> {
    parse_with_extension(input, default_region).map(|(number, _)| number)
}

/// Like [`parse`], and also returns the extension written after the number, if any.
///
/// # Errors
///
/// As [`parse`].
///
/// ```
/// use phonetoken::{parse_with_extension, Region};
///
/// let us: Region = "US".parse()?;
/// let (n, ext) = parse_with_extension("tel:+1-650-253-0000;ext=123", Some(us))?;
/// assert_eq!(n.as_str(), "+16502530000");
/// assert_eq!(ext.unwrap().as_str(), "123");
/// let (_, ext) = parse_with_extension("650 253 0000", Some(us))?;
/// assert!(ext.is_none());
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn parse_with_extension(
    input: &str,
    default_region: Option<Region>,
) -> Result<(PhoneNumber, Option<Extension>), ParseError> {
    // Counting stops one past the limit, so a huge input costs no more than a short one.
    if input.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(ParseError::InputTooLong);
    }
    let mut candidate = Text::new();
    scan::build_national_number(input, &mut candidate)?;
    let candidate = candidate.as_slice();
    if !scan::is_viable(candidate) {
        return Err(if scan::has_decimal(candidate) {
            ParseError::NotANumber
        } else {
            ParseError::NoDigits
        });
    }
    let territory = default_region.and_then(metadata::territory_for_region);
    if territory.is_none() && scan::leading_plus_len(candidate) == 0 {
        return Err(ParseError::MissingRegion);
    }
    let (number, extension) = extension::split_extension(candidate, scan::is_viable);

    let extracted = match national::extract_country_code(number, territory) {
        Ok(extracted) => extracted,
        // `+` followed by an unknown code: libphonenumber tries again without the `+`.
        Err(ParseError::InvalidCountryCode) if scan::leading_plus_len(number) > 0 => {
            let rest = number.get(scan::leading_plus_len(number)..).unwrap_or(&[]);
            match national::extract_country_code(rest, territory)? {
                Some(extracted) => Some(extracted),
                None => return Err(ParseError::InvalidCountryCode),
            }
        }
        Err(e) => return Err(e),
    };
    let (code, mut national, plan) = match extracted {
        Some(e) => (
            e.code,
            e.national,
            metadata::territory_for_country_code(e.code),
        ),
        None => {
            let t = territory.ok_or(ParseError::MissingRegion)?;
            (t.country_code, normalize::normalize(number), Some(t))
        }
    };
    if national.len() < MIN_NSN_DIGITS {
        return Err(ParseError::TooShort);
    }
    if let Some(plan) = plan {
        let stripped = national::strip_national_prefix(national.as_slice(), plan);
        // Keep the prefix when what remains could not be a full number of the region.
        match national::test_length(stripped.len(), plan) {
            Length::TooShort | Length::LocalOnly | Length::Invalid => {}
            Length::Possible | Length::TooLong => national = stripped,
        }
    }
    let number = possible_number(code, national.as_slice())?;
    Ok((number, extension))
}

/// The checks every accepted number passes last: the national significant number has 2 to
/// 17 digits, and its length is possible for the main region of the calling code (what
/// libphonenumber's `isPossibleNumber` decides).
fn possible_number(code: u16, national: &[u8]) -> Result<PhoneNumber, ParseError> {
    if national.len() < MIN_NSN_DIGITS {
        return Err(ParseError::TooShort);
    }
    if national.len() > MAX_NSN_DIGITS {
        return Err(ParseError::TooLong);
    }
    let main = metadata::territory_for_country_code(code).ok_or(ParseError::InvalidCountryCode)?;
    match national::test_length(national.len(), main) {
        Length::Possible | Length::LocalOnly => {}
        Length::TooShort => return Err(ParseError::TooShort),
        Length::TooLong => return Err(ParseError::TooLong),
        Length::Invalid => return Err(ParseError::InvalidLength),
    }
    Ok(PhoneNumber::from_parts(
        CountryCode::new_unchecked(code),
        national,
    ))
}

/// Strict E.164: `+`, a known country calling code, and a national significant number whose
/// length is possible for the country, taken as written: nothing is stripped or rewritten.
///
/// Every output of [`parse`] passes. It is not "`parse` gives the same string back":
/// libphonenumber strips a national prefix after the country code when what remains still
/// has a possible length, so for a few numbers (`+20 0…`, `+31 0…`) parsing the E.164 form
/// again gives a shorter number. A stored canonical value must still read back as itself.
pub(crate) fn parse_e164(text: &str) -> Result<PhoneNumber, ParseError> {
    let digits = match text.as_bytes().split_first() {
        Some((b'+', rest)) if !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) => rest,
        _ => return Err(ParseError::NotE164),
    };
    let (code, national) =
        national::split_country_code(digits).ok_or(ParseError::InvalidCountryCode)?;
    possible_number(code, national)
}

#[cfg(test)]
mod tests;
