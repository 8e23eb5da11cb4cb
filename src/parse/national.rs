//! The steps that read the numbering-plan metadata: the country calling code (after `+`,
//! after the region's international prefix, or repeated without either), the national
//! prefix and carrier code (with transformation rules such as Argentina's `0 11 15` → `9 11`),
//! and the possible-length verdicts.

use super::buffer::Digits;
use super::ParseError;
use crate::metadata::{self, Territory};

/// Longest country calling code.
const MAX_CC_DIGITS: usize = 3;

/// At most this many digits after `+` or an international prefix are too few.
const MAX_TOO_SHORT_AFTER_IDD: usize = 2;

/// libphonenumber's verdict on the length of a national significant number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Length {
    Possible,
    LocalOnly,
    TooShort,
    TooLong,
    Invalid,
}

/// Whether bit `n` of a possible-lengths mask is set (false for lengths past the mask).
fn has_length(mask: u32, n: usize) -> bool {
    u32::try_from(n)
        .ok()
        .and_then(|n| mask.checked_shr(n))
        .is_some_and(|m| m & 1 == 1)
}

/// libphonenumber's `testNumberLength` for the general description of `territory`.
pub(super) fn test_length(len: usize, territory: &Territory) -> Length {
    let possible = territory.possible_lengths;
    if has_length(u32::from(territory.local_only_lengths), len) {
        return Length::LocalOnly;
    }
    if possible == 0 {
        return Length::Invalid;
    }
    let min = possible.trailing_zeros() as usize;
    let max = 31 - possible.leading_zeros() as usize;
    if len == min || (len > min && len <= max && has_length(possible, len)) {
        Length::Possible
    } else if len < min {
        Length::TooShort
    } else if len > max {
        Length::TooLong
    } else {
        Length::Invalid
    }
}

/// Whether the whole of `digits` matches the territory's general number pattern.
fn matches_general(digits: &[u8], territory: &Territory) -> bool {
    territory.general_desc.is_some_and(|p| p.full_match(digits))
}

/// Expands a transformation rule (`"9$1"`: ASCII digits and `$N` group references) with the
/// groups of `m` over `digits`; a group that did not take part gives nothing, as in Python.
fn expand_rule(
    rule: &str,
    m: &metadata::PrefixMatch,
    digits: &[u8],
    out: &mut Digits,
) -> Option<()> {
    let mut bytes = rule.bytes();
    while let Some(b) = bytes.next() {
        if b == b'$' {
            let group = usize::from(bytes.next()?.checked_sub(b'0')?);
            if let Some(span) = m.group(group) {
                if !out.extend(digits.get(span)?) {
                    return None;
                }
            }
        } else if !out.push(b) {
            return None;
        }
    }
    Some(())
}

/// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: the number without its
/// national prefix (and carrier code), transformed if the territory says so; the number
/// unchanged if there is no prefix, or if removing it would spoil a number that matched the
/// general pattern.
///
/// The result is `digits` or a part of it, or, when a transformation rule applies, the
/// rewritten number in `scratch` (created then, so most numbers never pay for the buffer).
#[cfg_attr(not(target_os = "none"), inline(always))]
pub(super) fn strip_national_prefix<'a>(
    digits: &'a [u8],
    territory: &Territory,
    scratch: &'a mut Option<Digits>,
) -> &'a [u8] {
    national_prefix_match(digits, territory, scratch).unwrap_or(digits)
}

/// libphonenumber's `maybeStripNationalPrefixAndCarrierCode` with its verdict: what remains
/// when the territory's national prefix (for parsing) is taken off the start of `digits`,
/// `None` when there is none to take, or taking it would spoil a number that fit the general
/// pattern. `Some` even when the prefix matched nothing, as libphonenumber's verdict is then
/// "stripped" too (the number finder reads the verdict).
#[cfg_attr(not(target_os = "none"), inline(always))]
pub(crate) fn national_prefix_match<'a>(
    digits: &'a [u8],
    territory: &Territory,
    scratch: &'a mut Option<Digits>,
) -> Option<&'a [u8]> {
    let prefix = territory.national_prefix_for_parsing?;
    if digits.is_empty() || !prefix.may_match_prefix(digits) {
        return None;
    }
    national_prefix_match_slow(digits, prefix, territory, scratch)
}

/// [`national_prefix_match`] past the header's quick refusal: out of line (off firmware), so
/// that the refusal (most numbers) costs no call.
#[cfg_attr(not(target_os = "none"), inline(never))]
fn national_prefix_match_slow<'a>(
    digits: &'a [u8],
    prefix: metadata::Pattern,
    territory: &Territory,
    scratch: &'a mut Option<Digits>,
) -> Option<&'a [u8]> {
    let m = prefix.match_prefix(digits)?;
    let rest = digits.get(m.end..).unwrap_or(&[]);
    let groups = m.group_count();
    let rule = territory
        .national_prefix_transform_rule()
        .filter(|r| !r.is_empty() && groups > 0 && m.group(groups).is_some());
    let candidate = match rule {
        None => rest,
        Some(rule) => {
            let out = scratch.insert(Digits::new());
            match expand_rule(rule, &m, digits, out) {
                Some(()) if out.extend(rest) => out.as_slice(),
                // Cannot happen: the expansion is shorter than the buffer.
                _ => return None,
            }
        }
    };
    // Only a number that fit the general pattern can be spoiled; the check runs last, and
    // only when something was stripped, as the pattern is the costliest one to run.
    if candidate != digits
        && matches_general(digits, territory)
        && !matches_general(candidate, territory)
    {
        None
    } else {
        Some(candidate)
    }
}

/// The country calling code at the start of `digits` (1 to 3 digits, not starting with 0,
/// known to the metadata) and the digits after it.
pub(super) fn split_country_code(digits: &[u8]) -> Option<(u16, &[u8])> {
    if digits.first() == Some(&b'0') {
        return None;
    }
    let mut code: u16 = 0;
    for (i, &d) in digits.iter().take(MAX_CC_DIGITS).enumerate() {
        // The digits are ASCII digits; `min` only keeps anything else in range.
        code = code * 10 + u16::from(d.wrapping_sub(b'0').min(9));
        if metadata::is_known_country_code(code) {
            return Some((code, digits.get(i + 1..).unwrap_or(&[])));
        }
    }
    None
}

/// `digits` without the decimal digits of `code` (a calling code, below 1000) at its start,
/// if they are there: the digits are read as a number, with no buffer or `memcmp`.
fn strip_code(digits: &[u8], code: u16) -> Option<&[u8]> {
    let len = match code {
        0..=9 => 1,
        10..=99 => 2,
        _ => MAX_CC_DIGITS,
    };
    let (head, rest) = digits.split_at_checked(len)?;
    let mut value: u16 = 0;
    for &d in head {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u16::from(d - b'0');
    }
    (value == code).then_some(rest)
}

/// The outcome of [`extract_country_code`]: the country calling code if the number carries
/// one, and the national number (all the digits when there is no code).
pub(super) struct Extracted<'a> {
    pub code: Option<u16>,
    pub national: &'a [u8],
}

/// libphonenumber's `maybeExtractCountryCode` for a candidate without its extension, and
/// its second attempt without the `+` when a `+` is followed by an unknown code.
///
/// `full` is the normalized number (what follows the plus signs, if `plus`); the national
/// number returned lies in `full` or in `scratch`. An error when the number is marked
/// international but what follows is unusable.
pub(super) fn extract_country_code<'a>(
    plus: bool,
    full: &'a [u8],
    territory: Option<&Territory>,
    scratch: &'a mut Option<Digits>,
) -> Result<Extracted<'a>, ParseError> {
    if plus {
        match after_idd(full) {
            // `+` followed by an unknown code: libphonenumber tries again without the `+`.
            Err(ParseError::InvalidCountryCode) => {}
            other => return other,
        }
        let again = national_or_idd(full, territory, scratch)?;
        return match again.code {
            Some(_) => Ok(again),
            None => Err(ParseError::InvalidCountryCode),
        };
    }
    national_or_idd(full, territory, scratch)
}

/// The country code and national number in `rest`, the digits after `+` or an
/// international prefix.
fn after_idd(rest: &[u8]) -> Result<Extracted<'_>, ParseError> {
    if rest.len() <= MAX_TOO_SHORT_AFTER_IDD {
        return Err(ParseError::TooShortAfterIdd);
    }
    match split_country_code(rest) {
        Some((code, national)) => Ok(Extracted {
            code: Some(code),
            national,
        }),
        None => Err(ParseError::InvalidCountryCode),
    }
}

/// `maybeExtractCountryCode` for digits not marked with `+`: the default region's
/// international prefix, or the region's own code written without either.
fn national_or_idd<'a>(
    full: &'a [u8],
    territory: Option<&Territory>,
    scratch: &'a mut Option<Digits>,
) -> Result<Extracted<'a>, ParseError> {
    let national = Extracted {
        code: None,
        national: full,
    };
    if full.is_empty() {
        return Ok(national);
    }
    let idd_rest = territory
        .and_then(|t| t.international_prefix)
        .and_then(|idd| idd.match_prefix(full))
        .and_then(|m| full.get(m.end..))
        // A country code never starts with 0, so "prefix then 0" is not a prefix.
        .filter(|rest| rest.first() != Some(&b'0'));
    if let Some(rest) = idd_rest {
        return after_idd(rest);
    }
    let Some(territory) = territory else {
        return Ok(national);
    };
    // The region's own country code written without `+`: take it off if that turns a number
    // that does not fit the region's pattern into one that does, or if the number is too long.
    if let Some(rest) = strip_code(full, territory.country_code) {
        let stripped = strip_national_prefix(rest, territory, scratch);
        let too_long = test_length(full.len(), territory) == Length::TooLong;
        if too_long || (!matches_general(full, territory) && matches_general(stripped, territory)) {
            return Ok(Extracted {
                code: Some(territory.country_code),
                national: stripped,
            });
        }
    }
    Ok(national)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decimal digits of `code`, written into `buf` (the reference for `strip_code`).
    fn code_digits(code: u16, buf: &mut [u8; 5]) -> &[u8] {
        let mut n = 0;
        let mut v = code;
        loop {
            if let Some(slot) = buf.get_mut(n) {
                *slot = b'0' + (v % 10) as u8;
            }
            n += 1;
            v /= 10;
            if v == 0 || n == buf.len() {
                break;
            }
        }
        let digits = buf.get_mut(..n).unwrap_or(&mut []);
        digits.reverse();
        digits
    }

    #[test]
    fn code_digits_are_decimal() {
        let mut buf = [0u8; 5];
        assert_eq!(code_digits(1, &mut buf), b"1");
        assert_eq!(code_digits(44, &mut buf), b"44");
        assert_eq!(code_digits(979, &mut buf), b"979");
        assert_eq!(code_digits(0, &mut buf), b"0");
    }

    #[test]
    fn strip_code_takes_exactly_the_code() {
        let mut buf = [0u8; 5];
        for code in [0u16, 1, 7, 44, 99, 100, 354, 999, 1000] {
            for digits in [
                &b"44123"[..],
                b"1",
                b"",
                b"7",
                b"3541",
                b"999",
                b"0441",
                b"99",
            ] {
                let expected = digits.strip_prefix(code_digits(code, &mut buf));
                assert_eq!(strip_code(digits, code), expected, "{code} {digits:?}");
            }
        }
    }

    #[test]
    fn length_bits_past_the_mask() {
        assert!(has_length(1 << 10, 10));
        assert!(!has_length(1 << 10, 11));
        assert!(!has_length(u32::MAX, 32));
        assert!(!has_length(u32::MAX, 250));
    }
}
