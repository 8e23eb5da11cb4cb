//! The steps that read the numbering-plan metadata: the country calling code (after `+`,
//! after the region's international prefix, or repeated without either), the national
//! prefix and carrier code (with transformation rules such as Argentina's `0 11 15` → `9 11`),
//! and the possible-length verdicts.

use super::buffer::Digits;
use super::normalize::normalize;
use super::scan::leading_plus_len;
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
    if has_length(territory.local_only_lengths, len) {
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
pub(super) fn strip_national_prefix(digits: &[u8], territory: &Territory) -> Digits {
    let unchanged = Digits::from_slice(digits);
    let Some(prefix) = territory.national_prefix_for_parsing else {
        return unchanged;
    };
    if digits.is_empty() {
        return unchanged;
    }
    let Some(m) = prefix.match_prefix(digits) else {
        return unchanged;
    };
    let viable_before = matches_general(digits, territory);
    let rest = digits.get(m.end..).unwrap_or(&[]);
    let groups = m.group_count();
    let rule = territory
        .national_prefix_transform_rule
        .filter(|r| !r.is_empty() && groups > 0 && m.group(groups).is_some());
    let candidate = match rule {
        None => Digits::from_slice(rest),
        Some(rule) => {
            let mut out = Digits::new();
            match expand_rule(rule, &m, digits, &mut out) {
                Some(()) if out.extend(rest) => out,
                // Cannot happen: the expansion is shorter than the buffer.
                _ => return unchanged,
            }
        }
    };
    if viable_before && !matches_general(candidate.as_slice(), territory) {
        unchanged
    } else {
        candidate
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
        code = code * 10 + u16::from(d.wrapping_sub(b'0') % 10);
        if metadata::is_known_country_code(code) {
            return Some((code, digits.get(i + 1..).unwrap_or(&[])));
        }
    }
    None
}

/// The decimal digits of `code`, written into `buf`.
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

/// A country calling code taken from the number, and the national number after it.
pub(super) struct Extracted {
    pub code: u16,
    pub national: Digits,
}

/// libphonenumber's `maybeExtractCountryCode` for a candidate without its extension:
/// `Ok(None)` when the number carries no country code (it is national), an error when it
/// is marked international but what follows is unusable.
pub(super) fn extract_country_code(
    text: &[char],
    territory: Option<&Territory>,
) -> Result<Option<Extracted>, ParseError> {
    if text.is_empty() {
        return Ok(None);
    }
    let plus = leading_plus_len(text);
    let full = normalize(text.get(plus..).unwrap_or(&[]));
    let after_idd = if plus > 0 {
        Some(full.as_slice())
    } else {
        territory
            .and_then(|t| t.international_prefix)
            .and_then(|idd| idd.match_prefix(full.as_slice()))
            .and_then(|m| full.as_slice().get(m.end..))
            // A country code never starts with 0, so "prefix then 0" is not a prefix.
            .filter(|rest| rest.first() != Some(&b'0'))
    };
    if let Some(rest) = after_idd {
        if rest.len() <= MAX_TOO_SHORT_AFTER_IDD {
            return Err(ParseError::TooShortAfterIdd);
        }
        return match split_country_code(rest) {
            Some((code, national)) => Ok(Some(Extracted {
                code,
                national: Digits::from_slice(national),
            })),
            None => Err(ParseError::InvalidCountryCode),
        };
    }
    let Some(territory) = territory else {
        return Ok(None);
    };
    // The region's own country code written without `+`: take it off if that turns a number
    // that does not fit the region's pattern into one that does, or if the number is too long.
    let mut buf = [0u8; 5];
    let own = code_digits(territory.country_code, &mut buf);
    if let Some(rest) = full.as_slice().strip_prefix(own) {
        let national = strip_national_prefix(rest, territory);
        let fits_before = matches_general(full.as_slice(), territory);
        let fits_after = matches_general(national.as_slice(), territory);
        if (!fits_before && fits_after) || test_length(full.len(), territory) == Length::TooLong {
            return Ok(Some(Extracted {
                code: territory.country_code,
                national,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_digits_are_decimal() {
        let mut buf = [0u8; 5];
        assert_eq!(code_digits(1, &mut buf), b"1");
        assert_eq!(code_digits(44, &mut buf), b"44");
        assert_eq!(code_digits(979, &mut buf), b"979");
        assert_eq!(code_digits(0, &mut buf), b"0");
    }

    #[test]
    fn length_bits_past_the_mask() {
        assert!(has_length(1 << 10, 10));
        assert!(!has_length(1 << 10, 11));
        assert!(!has_length(u32::MAX, 32));
        assert!(!has_length(u32::MAX, 250));
    }
}
