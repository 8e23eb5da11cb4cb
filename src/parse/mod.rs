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

#[cfg(feature = "find")]
pub(crate) use chars::{
    digit_value, eq_ignore_case, is_currency, is_decimal, is_latin_letter, is_punctuation,
    is_space, is_word,
};
pub use error::ParseError;

pub use extension::Extension;
#[cfg(feature = "find")]
pub(crate) use extension::AMBIGUOUS_LABELS;
#[cfg(feature = "format")]
pub(crate) use extension::MAX_EXTENSION_DIGITS;

use crate::metadata;
use crate::number::{CountryCode, PhoneNumber, Region, MAX_NSN_DIGITS, MIN_NSN_DIGITS};
use buffer::{Digits, Text, DIGITS_CAPACITY, MAX_INPUT_CHARS};
use chars::{is_plain_punctuation, Ch};
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
    // The plain path's answer goes straight to the caller, without the extension and flags
    // the general steps carry along (off firmware; there one path is smaller).
    #[cfg(not(target_os = "none"))]
    if let Some(result) = parse_plain(input, default_region) {
        return result.map(|(number, _)| number);
    }
    parse_general(input, default_region).map(|p| p.number)
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
    parse_detailed(input, default_region).map(|p| (p.number, p.extension))
}

/// A parsed number with what the number finder reads besides (libphonenumber's
/// `parseAndKeepRawInput` keeps the same facts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "find"), allow(dead_code))]
pub(crate) struct Parsed {
    pub number: PhoneNumber,
    pub extension: Option<Extension>,
    /// The extension's digits were written in ASCII (true without an extension).
    pub extension_ascii: bool,
    /// The country calling code is the default region's, as the number carried none
    /// (libphonenumber's `FROM_DEFAULT_COUNTRY`).
    pub from_default_region: bool,
}

impl Parsed {
    fn plain((number, from_default_region): (PhoneNumber, bool)) -> Parsed {
        Parsed {
            number,
            extension: None,
            extension_ascii: true,
            from_default_region,
        }
    }
}

/// [`parse_with_extension`], keeping what the number finder also reads.
pub(crate) fn parse_detailed(
    input: &str,
    default_region: Option<Region>,
) -> Result<Parsed, ParseError> {
    if let Some(result) = parse_plain(input, default_region) {
        return result.map(Parsed::plain);
    }
    parse_general(input, default_region)
}

/// The plain path for input within the length limit (longer input goes the general way,
/// which refuses it).
#[inline(always)]
fn parse_plain(
    input: &str,
    default_region: Option<Region>,
) -> Option<Result<(PhoneNumber, bool), ParseError>> {
    if input.len() > MAX_INPUT_CHARS {
        return None;
    }
    parse_plain_input(input.as_bytes(), default_region)
}

/// The steps for input the plain path did not take (or did not see, past 250 bytes).
/// Out of line (off firmware): the plain path is what [`parse`] and [`parse_detailed`]
/// inline.
#[cfg_attr(not(target_os = "none"), inline(never))]
fn parse_general(input: &str, default_region: Option<Region>) -> Result<Parsed, ParseError> {
    // Counting stops one past the limit, so a huge input costs no more than a short one;
    // no more bytes than the limit means no more characters. Past 250 bytes, the plain
    // path (ASCII only) has not run: such input that is within the limit is not ASCII.
    if input.len() > MAX_INPUT_CHARS && input.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(ParseError::InputTooLong);
    }
    // Without `;` there is no RFC 3966 parameter to take apart, so the candidate is a part
    // of the input; when that is ASCII it is read in place as bytes.
    let bytes = input.as_bytes();
    let ascii = bytes.is_ascii();
    if ascii && !bytes.contains(&b';') {
        let candidate = scan::extract_possible_ascii(bytes);
        if let Some(result) = parse_plain_ascii(candidate, default_region) {
            return result.map(Parsed::plain);
        }
        return parse_candidate(candidate, default_region);
    }
    parse_text(input, ascii, default_region)
}

/// The steps for input that is not ASCII, or has a `;`: the candidate is built as `char`s.
/// Kept out of line (off firmware, where size rules), so that the paths above stay small
/// enough to inline where they are called.
#[cfg_attr(not(target_os = "none"), inline(never))]
fn parse_text(
    input: &str,
    ascii: bool,
    default_region: Option<Region>,
) -> Result<Parsed, ParseError> {
    #[cfg(not(target_os = "none"))]
    if !ascii {
        if let Some(result) = parse_plain_digits(input, default_region) {
            return result.map(Parsed::plain);
        }
    }
    #[cfg(target_os = "none")]
    let _ = ascii;
    let mut candidate = Text::new();
    scan::build_national_number(input, &mut candidate)?;
    parse_candidate(candidate.as_slice(), default_region)
}

/// Longest digit string [`parse_plain_ascii`] takes: far more than any number, and little
/// to clear.
const PLAIN_DIGITS: usize = 32;

/// Extraction and [`parse_plain_ascii`] in one pass over the whole input, for input made
/// only of ASCII digits, plus signs and plain punctuation (` -.()/[]`), with a plus sign
/// only before the first digit and at least three digits. Extraction would skip the
/// punctuation before the first plus sign or digit and drop what follows the last digit
/// (nothing there is a letter, `#`, or the `x` of a second number), so the candidate is
/// from there to the last digit, and for it [`parse_plain_ascii`] decides. `None` for any
/// other input, which the general steps take.
///
/// Off firmware the digits are gathered without a branch per byte ([`PLAIN_BYTES`]); the
/// firmware keeps [`parse_plain_input_stateful`], which is smaller, and the tests hold the
/// two to the same answers.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn parse_plain_input(
    input: &[u8],
    default_region: Option<Region>,
) -> Option<Result<(PhoneNumber, bool), ParseError>> {
    // Punctuation before the number, then its plus signs: after them, a plus sign is
    // something else.
    let skip = input
        .iter()
        .take_while(|&&b| is_plain_punctuation(b))
        .count();
    let rest = input.get(skip..)?;
    let plus = rest.iter().take_while(|&&b| b == b'+').count();
    let body = rest.get(plus..)?;
    let mut digits = [0u8; 2 * PLAIN_DIGITS];
    let mut len = 0usize;
    // Every byte is stored where the next digit goes, and `len` grows by its class: one for
    // a digit, nothing for punctuation, more than the most digits for anything else. So one
    // comparison every four bytes sees both more digits than the path takes and a byte it
    // does not take, and such input leaves early. (Four bytes add at most 4 * 128, so `len`
    // cannot overflow; the store index wraps inside the buffer until then.)
    let mut take = |bytes: &[u8]| {
        for &b in bytes {
            if let Some(slot) = digits.get_mut(len % (2 * PLAIN_DIGITS)) {
                *slot = b;
            }
            len += usize::from(PLAIN_BYTES[usize::from(b)]);
        }
        len <= PLAIN_DIGITS
    };
    let (quads, tail) = body.as_chunks::<4>();
    for quad in quads {
        if !take(quad) {
            return None;
        }
    }
    if !take(tail) {
        return None;
    }
    finish_plain(plus, digits.get(..len)?, default_region)
}

/// What [`parse_plain_input`] counts for each byte after the plus signs: 1 for an ASCII
/// digit, 0 for plain punctuation, 128 (more than [`PLAIN_DIGITS`]) for any other byte.
#[cfg(not(target_os = "none"))]
static PLAIN_BYTES: [u8; 256] = {
    let mut table = [128; 256];
    let mut b = 0;
    while b < 256 {
        if (b as u8).is_ascii_digit() {
            table[b] = 1;
        } else if is_plain_punctuation(b as u8) {
            table[b] = 0;
        }
        b += 1;
    }
    table
};

/// [`parse_plain_input`] as a scan that decides at each byte (the firmware's, for its size).
#[cfg(any(target_os = "none", test))]
fn parse_plain_input_stateful(
    input: &[u8],
    default_region: Option<Region>,
) -> Option<Result<(PhoneNumber, bool), ParseError>> {
    let mut digits = [0u8; PLAIN_DIGITS];
    let mut len = 0usize;
    let mut plus = 0usize;
    // Before the candidate; in its leading plus signs; after them (a plus sign there goes
    // to the general steps).
    let (mut before, mut in_plus) = (true, false);
    for &b in input {
        if b.is_ascii_digit() {
            *digits.get_mut(len)? = b;
            len += 1;
            (before, in_plus) = (false, false);
        } else if b == b'+' {
            if !(before || in_plus) {
                return None;
            }
            plus += 1;
            (before, in_plus) = (false, true);
        } else if is_plain_punctuation(b) {
            in_plus = false;
        } else {
            return None;
        }
    }
    finish_plain(plus, digits.get(..len)?, default_region)
}

#[cfg(target_os = "none")]
use parse_plain_input_stateful as parse_plain_input;

/// Longest input [`parse_plain_digits`] takes, in characters.
#[cfg(not(target_os = "none"))]
const PLAIN_DIGITS_INPUT: usize = 64;

/// [`parse_plain_input`] for input that is plain but for characters outside ASCII that the
/// parse reads as it reads an ASCII one: decimal digits of another script (Arabic-Indic,
/// Devanagari, full-width...), read as digits by every pattern and normalized first by the
/// steps after extraction; the full-width plus sign (`[+＋]`); and the punctuation of
/// libphonenumber's `VALID_PUNCTUATION` that is a space, a dash, a full stop, a slash or a
/// bracket (Unicode spaces and dashes, their full-width forms), which, like the ASCII ones,
/// only separate digits in input that holds no letter, `#`, `~`, `,` or `;` (nothing that
/// could write an extension or a second number). The input with those written in ASCII has
/// the same answer, and it takes the plain path. `None` for any other input. Only called for
/// input outside ASCII (the plain path has had ASCII input).
#[cfg(not(target_os = "none"))]
fn parse_plain_digits(
    input: &str,
    default_region: Option<Region>,
) -> Option<Result<(PhoneNumber, bool), ParseError>> {
    let mut ascii = [0u8; PLAIN_DIGITS_INPUT];
    let mut len = 0;
    for c in input.chars() {
        let b = match u8::try_from(c) {
            Ok(b) if b.is_ascii_digit() || b == b'+' || is_plain_punctuation(b) => b,
            // What else ASCII holds leaves the plain path.
            _ if c.is_ascii() => return None,
            _ => plain_image(c)?,
        };
        *ascii.get_mut(len)? = b;
        len += 1;
    }
    parse_plain_input(ascii.get(..len)?, default_region)
}

/// The ASCII character the plain path reads `c` (outside ASCII) as, if one.
#[cfg(not(target_os = "none"))]
fn plain_image(c: char) -> Option<u8> {
    if let Some(digit) = chars::decimal_value(c) {
        return Some(b'0' + digit);
    }
    Some(match c {
        '\u{FF0B}' => b'+',
        '\u{A0}' | '\u{200B}' | '\u{2060}' | '\u{3000}' => b' ',
        '\u{AD}' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF0D}' => b'-',
        '\u{FF0E}' => b'.',
        '\u{FF0F}' => b'/',
        '\u{FF08}' => b'(',
        '\u{FF09}' => b')',
        '\u{FF3B}' => b'[',
        '\u{FF3D}' => b']',
        _ => return None,
    })
}

/// The steps after extraction in one pass, for the way nearly every number is written:
/// ASCII digits and plain punctuation (` -.()/[]`) after optional plus signs, at least
/// three digits. For such a candidate the general steps reduce to this: it is viable (the
/// punctuation is allowed anywhere), it has no extension (every extension marker is
/// something else), and normalizing keeps the digits. `None` for any other candidate,
/// which the general steps take.
fn parse_plain_ascii(
    candidate: &[u8],
    default_region: Option<Region>,
) -> Option<Result<(PhoneNumber, bool), ParseError>> {
    let plus = candidate.iter().take_while(|&&b| b == b'+').count();
    let mut full = Digits::<PLAIN_DIGITS>::new();
    for &b in candidate.get(plus..)? {
        if b.is_ascii_digit() {
            if !full.push(b) {
                return None;
            }
        } else if b == b'+' || b.class() & chars::class::PLAIN == 0 {
            return None;
        }
    }
    finish_plain(plus, full.as_slice(), default_region)
}

/// The end of the plain paths: `full` holds every digit of the candidate, `plus` counts its
/// leading plus signs. `None` (the general steps decide) below three digits.
fn finish_plain(
    plus: usize,
    full: &[u8],
    default_region: Option<Region>,
) -> Option<Result<(PhoneNumber, bool), ParseError>> {
    if full.len() < 3 {
        return None;
    }
    let territory = default_region.and_then(metadata::territory_for_region);
    if territory.is_none() && plus == 0 {
        return Some(Err(ParseError::MissingRegion));
    }
    Some(national_number(plus > 0, full, territory))
}

/// The steps after extraction, over the candidate's characters (see [`chars::Ch`]).
fn parse_candidate<C: Ch>(
    candidate: &[C],
    default_region: Option<Region>,
) -> Result<Parsed, ParseError> {
    // The viability test and the extension split look for the same extension starts.
    let mut starts = None;
    if !scan::is_viable_with(candidate, &mut starts) {
        return Err(if scan::has_decimal(candidate) {
            ParseError::NotANumber
        } else {
            ParseError::NoDigits
        });
    }
    let territory = default_region.and_then(metadata::territory_for_region);
    let plus = scan::leading_plus_len(candidate);
    if territory.is_none() && plus == 0 {
        return Err(ParseError::MissingRegion);
    }
    let (number, extension, extension_ascii) = extension::split_extension(candidate, &mut starts);
    let mut full = Digits::<DIGITS_CAPACITY>::new();
    // The plus signs are the same before and after the extension is cut off.
    normalize::normalize_into(number.get(plus..).unwrap_or(&[]), &mut full);
    let (number, from_default_region) = national_number(plus > 0, full.as_slice(), territory)?;
    Ok(Parsed {
        number,
        extension,
        extension_ascii,
        from_default_region,
    })
}

/// The number from its digits: `full` is the normalized number after the plus signs
/// (`plus`) if any; and whether its country code is the default region's.
fn national_number(
    plus: bool,
    full: &[u8],
    territory: Option<&metadata::Territory>,
) -> Result<(PhoneNumber, bool), ParseError> {
    let (mut scratch, mut stripped_scratch) = (None, None);
    let extracted = national::extract_country_code(plus, full, territory, &mut scratch)?;
    let from_default = extracted.code.is_none();
    let (code, mut national, plan, main) = match extracted.code {
        Some(code) => {
            let main = metadata::territory_for_country_code(code);
            (code, extracted.national, main, main)
        }
        None => {
            let t = territory.ok_or(ParseError::MissingRegion)?;
            let main = t.main();
            (t.country_code, extracted.national, Some(t), main)
        }
    };
    if national.len() < MIN_NSN_DIGITS {
        return Err(ParseError::TooShort);
    }
    if let Some(plan) = plan {
        let stripped = national::strip_national_prefix(national, plan, &mut stripped_scratch);
        // Keep the prefix when what remains could not be a full number of the region.
        match national::test_length(stripped.len(), plan) {
            Length::TooShort | Length::LocalOnly | Length::Invalid => {}
            Length::Possible | Length::TooLong => national = stripped,
        }
    }
    check_possible(national, main)?;
    let number = PhoneNumber::from_parts(CountryCode::new_unchecked(code), national);
    Ok((number, from_default))
}

/// The checks every accepted number passes last: the national significant number has 2 to
/// 17 digits, and its length is possible for the main region of the calling code (what
/// libphonenumber's `isPossibleNumber` decides). `main` is that region's territory.
fn check_possible(national: &[u8], main: Option<&metadata::Territory>) -> Result<(), ParseError> {
    if national.len() < MIN_NSN_DIGITS {
        return Err(ParseError::TooShort);
    }
    if national.len() > MAX_NSN_DIGITS {
        return Err(ParseError::TooLong);
    }
    let main = main.ok_or(ParseError::InvalidCountryCode)?;
    match national::test_length(national.len(), main) {
        Length::Possible | Length::LocalOnly => {}
        Length::TooShort => return Err(ParseError::TooShort),
        Length::TooLong => return Err(ParseError::TooLong),
        Length::Invalid => return Err(ParseError::InvalidLength),
    }
    Ok(())
}

/// The most characters `parse` reads (libphonenumber's limit).
#[cfg(feature = "find")]
pub(crate) const MAX_PARSE_CHARS: usize = MAX_INPUT_CHARS;

/// Whether libphonenumber, taking the national prefix off `digits` for `territory`, would
/// say it found one (`maybeStripNationalPrefixAndCarrierCode`'s verdict), which the number
/// finder asks of a number written without its country code.
#[cfg(feature = "find")]
pub(crate) fn national_prefix_found(digits: &[u8], territory: &metadata::Territory) -> bool {
    let mut scratch = None;
    national::national_prefix_match(digits, territory, &mut scratch).is_some()
}

/// Strict E.164: `+`, a known country calling code, and a national significant number whose
/// length is possible for the country, taken as written: nothing is stripped or rewritten.
///
/// Every output of [`parse`] passes. It is not "`parse` gives the same string back":
/// libphonenumber strips a national prefix after the country code when what remains still
/// has a possible length, so for a few numbers (`+20 0…`, `+31 0…`) parsing the E.164 form
/// again gives a shorter number. A stored canonical value must still read back as itself.
pub(crate) fn parse_e164(text: &[u8]) -> Result<PhoneNumber, ParseError> {
    let (code, national) = check_e164(text)?;
    Ok(PhoneNumber::from_parts(
        CountryCode::new_unchecked(code),
        national,
    ))
}

/// [`parse_e164`]'s checks without building the number: the country calling code and the
/// national significant number of a `text` that passes them.
pub(crate) fn check_e164(text: &[u8]) -> Result<(u16, &[u8]), ParseError> {
    let digits = match text.split_first() {
        Some((b'+', rest)) if !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) => rest,
        _ => return Err(ParseError::NotE164),
    };
    let (code, national) =
        national::split_country_code(digits).ok_or(ParseError::InvalidCountryCode)?;
    check_possible(national, metadata::territory_for_country_code(code))?;
    Ok((code, national))
}

#[cfg(test)]
mod tests;
