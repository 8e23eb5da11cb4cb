//! Finding the number in the text: RFC 3966 `tel:` URIs, leading and trailing junk, a second
//! number after `/x`, and the "viable phone number" test.
//!
//! These steps need no metadata. libphonenumber writes them as regular expressions; each is
//! a hand-written scan here, deciding exactly what the Python port's regex decides (Unicode
//! `\d` and `\w` as Python 3.11 defines them, case-insensitive where the port compiles with
//! `re.IGNORECASE`). The tests pin the corner cases with answers taken from the port.

use super::buffer::{Positions, Text};
use super::chars::{class, is_decimal, is_plus, is_word, Ch};
use super::extension::extension_starts;
use super::ParseError;

const PHONE_CONTEXT: &str = ";phone-context=";
const TEL_PREFIX: &str = "tel:";
const ISDN_SUBADDRESS: &str = ";isub=";

/// Shortest national significant number, and the shortest viable candidate.
const MIN_DIGITS: usize = 2;

/// Where `needle` first occurs in `haystack` (exact, case-sensitive, as `str.find`).
fn find(haystack: &[char], needle: &str) -> Option<usize> {
    let len = needle.chars().count();
    if len == 0 || haystack.len() < len {
        return None;
    }
    (0..=haystack.len() - len).find(|&i| {
        haystack
            .get(i..i + len)
            .is_some_and(|window| window.iter().copied().eq(needle.chars()))
    })
}

/// Where the ASCII `needle` first occurs in `haystack`, in bytes. A window scan rather than
/// `str::find`: it runs only on inputs with RFC 3966 parameters, which are short, and
/// core's two-way searcher costs about a kilobyte of firmware flash.
fn find_ascii(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// What comes before the first ASCII byte `sep` in `text`, and what comes after it if it occurs.
fn split_at_ascii(text: &str, sep: u8) -> (&str, Option<&str>) {
    match text.bytes().position(|b| b == sep) {
        // An ASCII byte is a character boundary, so neither `get` fails.
        Some(at) => (text.get(..at).unwrap_or(""), text.get(at + 1..)),
        None => (text, None),
    }
}

/// Builds the candidate libphonenumber goes on to parse: for an RFC 3966 number with a
/// `;phone-context=`, the context (when it is a `+` number) followed by what lies between
/// `tel:` and the context; otherwise the possible number extracted from the text. Either
/// way an ISDN subaddress (`;isub=`) and what follows it are dropped.
///
/// The input has at most 250 characters, so the candidate fits in `out`.
pub(super) fn build_national_number(input: &str, out: &mut Text) -> Result<(), ParseError> {
    // Both RFC 3966 parameters start with `;`: most inputs have none, and a byte scan for it
    // is much cheaper than a substring search.
    let has_parameters = input.as_bytes().contains(&b';');
    let context_at = if has_parameters {
        find_ascii(input, PHONE_CONTEXT)
    } else {
        None
    };
    match context_at {
        Some(at) => {
            let after = input.get(at + PHONE_CONTEXT.len()..).unwrap_or("");
            let context = split_at_ascii(after, b';').0;
            if !is_phone_context_valid(context) {
                return Err(ParseError::InvalidPhoneContext);
            }
            if context.starts_with('+') {
                out.extend(context.chars());
            }
            let from = find_ascii(input, TEL_PREFIX).map_or(0, |i| i + TEL_PREFIX.len());
            // Empty when `tel:` comes after the context, as a Python slice would be.
            out.extend(input.get(from..at).unwrap_or("").chars());
        }
        None => {
            out.extend(extract_possible_number(input).chars());
        }
    }
    if let Some(at) = has_parameters
        .then(|| find(out.as_slice(), ISDN_SUBADDRESS))
        .flatten()
    {
        if at > 0 {
            out.truncate(at);
        }
    }
    Ok(())
}

/// RFC 3966 `phone-context`: a global number (`+` then digits and visual separators, at
/// least one digit) or a domain name. Empty is invalid.
fn is_phone_context_valid(context: &str) -> bool {
    match context.strip_prefix('+') {
        Some(digits) => {
            digits.chars().any(is_decimal)
                && digits
                    .chars()
                    .all(|c| is_decimal(c) || matches!(c, '-' | '.' | '(' | ')'))
        }
        None => !context.is_empty() && is_domain_name(context),
    }
}

/// `(domainlabel ".")* toplabel "."?` with ASCII letters and Unicode decimal digits: labels
/// of letters, digits and inner hyphens; the last one starts with a letter.
fn is_domain_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let alnum = |c: char| c.is_ascii_alphabetic() || is_decimal(c);
    let label_ok = |label: &str| match (label.chars().next(), label.chars().next_back()) {
        (Some(first), Some(last)) => {
            alnum(first) && alnum(last) && label.chars().all(|c| alnum(c) || c == '-')
        }
        _ => false,
    };
    let top_ok = |label: &str| {
        label
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
    };
    // Labels by byte searches: `split` and `rsplit` bring in core's searchers for two uses.
    let (mut rest, mut last) = (Some(name), name);
    while let Some(part) = rest {
        let (label, next) = split_at_ascii(part, b'.');
        if !label_ok(label) {
            return false;
        }
        (rest, last) = (next, label);
    }
    top_ok(last)
}

/// Characters dropped from the end of a candidate: anything but letters, digits (in
/// Python's `\w` sense) and `#`, and also `_`.
fn is_unwanted_end(c: char) -> bool {
    c == '_' || (c != '#' && !is_word(c))
}

/// The possible number inside free text: from the first `+` or digit, without trailing
/// punctuation, cut before a second number introduced by `/x` or `\x`.
fn extract_possible_number(input: &str) -> &str {
    let Some(start) = input.find(|c: char| is_plus(c) || is_decimal(c)) else {
        return "";
    };
    let text = input.get(start..).unwrap_or("");
    let text = text.trim_end_matches(is_unwanted_end);
    let second = text.char_indices().find(|&(i, c)| {
        matches!(c, '\\' | '/')
            && text
                .get(i + c.len_utf8()..)
                .is_some_and(|rest| rest.trim_start_matches(' ').starts_with('x'))
    });
    match second {
        Some((end, _)) => text.get(..end).unwrap_or(""),
        None => text,
    }
}

/// [`extract_possible_number`] for ASCII input, on bytes.
pub(super) fn extract_possible_ascii(input: &[u8]) -> &[u8] {
    let Some(start) = input.iter().position(|&b| b == b'+' || b.is_ascii_digit()) else {
        return &[];
    };
    let text = input.get(start..).unwrap_or(&[]);
    // In ASCII, `is_unwanted_end` keeps only letters, digits and `#`.
    let kept = text
        .iter()
        .rposition(|&b| b == b'#' || b.is_ascii_alphanumeric())
        .map_or(0, |last| last + 1);
    let text = text.get(..kept).unwrap_or(&[]);
    let second = text.iter().enumerate().position(|(i, &b)| {
        matches!(b, b'\\' | b'/')
            && text
                .get(i + 1..)
                .and_then(|rest| rest.iter().find(|&&b| b != b' '))
                == Some(&b'x')
    });
    match second {
        Some(end) => text.get(..end).unwrap_or(&[]),
        None => text,
    }
}

/// Number of leading plus signs (`+`, `＋`).
pub(super) fn leading_plus_len<C: Ch>(text: &[C]) -> usize {
    text.iter()
        .take_while(|&&c| c.class() & class::PLUS != 0)
        .count()
}

/// libphonenumber's viability test: exactly two digits, or optional plus signs, three digits
/// with punctuation between them, then punctuation, letters and digits, and optionally an
/// extension at the end.
pub(super) fn is_viable<C: Ch>(text: &[C]) -> bool {
    is_viable_with(text, &mut None)
}

/// [`is_viable`], with `starts` caching the extension starts of `text` for a later
/// [`split_extension`](super::extension::split_extension) of the same text.
pub(super) fn is_viable_with<C: Ch>(text: &[C], starts: &mut Option<Positions>) -> bool {
    if text.len() < MIN_DIGITS {
        return false;
    }
    if text.len() == MIN_DIGITS && text.iter().all(|&c| c.class() & class::DECIMAL != 0) {
        return true;
    }
    let mut pos = leading_plus_len(text);
    let mut digits = 0;
    // Three digits, with punctuation or `*` allowed anywhere among them.
    while digits < 3 {
        match text.get(pos).map(|&c| c.class()) {
            Some(k) if k & class::DECIMAL != 0 => digits += 1,
            Some(k) if k & class::PUNCTUATION_OR_STAR != 0 => {}
            _ => return false,
        }
        pos += 1;
    }
    let body = class::PUNCTUATION_OR_STAR | class::ALPHA | class::DECIMAL;
    let body_start = pos;
    let body_len = text
        .get(body_start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&c| c.class() & body != 0)
        .count();
    let body_end = body_start + body_len;
    if body_end == text.len() {
        return true;
    }
    let starts = starts.get_or_insert_with(|| extension_starts(text));
    (body_start..=body_end).any(|k| starts.contains(k))
}

/// Whether `text` has a decimal digit anywhere (to tell "no digits" from "not a number").
pub(super) fn has_decimal<C: Ch>(text: &[C]) -> bool {
    text.iter().any(|&c| c.class() & class::DECIMAL != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Text {
        let mut t = Text::new();
        assert!(t.extend(s.chars()));
        t
    }

    fn built(s: &str) -> Result<std::string::String, ParseError> {
        let mut out = Text::new();
        build_national_number(s, &mut out)?;
        Ok(out.as_slice().iter().collect())
    }

    fn viable(s: &str) -> bool {
        is_viable(text(s).as_slice())
    }

    // Expected values: Python `_build_national_number_for_parsing(s)`.
    #[test]
    fn rfc3966() {
        assert_eq!(
            built("tel:253-0000;phone-context=+1-650").as_deref(),
            Ok("+1-650253-0000")
        );
        assert_eq!(
            built("tel:253-0000;phone-context=www.google.com").as_deref(),
            Ok("253-0000")
        );
        assert_eq!(
            built("tel:+1-650-253-0000;isub=12345").as_deref(),
            Ok("+1-650-253-0000")
        );
        assert_eq!(
            built("tel:253-0000;isub=1;phone-context=+64-3").as_deref(),
            Ok("+64-3253-0000")
        );
        assert_eq!(
            built("253-0000;phone-context=+64").as_deref(),
            Ok("+64253-0000")
        );
        assert_eq!(
            built("tel:253;phone-context=+64;a=b").as_deref(),
            Ok("+64253")
        );
        assert_eq!(built("x;phone-context=+1;tel:"), Ok("+1".into()));
        assert_eq!(
            built("x;phone-context=+1tel:"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(
            built("tel:1;phone-context="),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(
            built("tel:1;phone-context=;x"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(
            built("tel:1;phone-context=+"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(built("tel:1;phone-context=1.com").as_deref(), Ok("1"));
        assert_eq!(
            built("tel:1;phone-context=com.1"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(
            built("tel:1;phone-context=a-.com"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(
            built("tel:1;phone-context=a..com"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(
            built("tel:1;phone-context=e\u{301}.com"),
            Err(ParseError::InvalidPhoneContext)
        );
        assert_eq!(built("tel:12;phone-context=a-1.b--c.").as_deref(), Ok("12"));
        assert_eq!(built("tel:12;phone-context=+(٣)").as_deref(), Ok("+(٣)12"));
    }

    // Expected values: Python `_extract_possible_number(s)`.
    #[test]
    fn extraction() {
        let cases = [
            ("Tel: +1 650 253 0000.", "+1 650 253 0000"),
            ("(530) 583-6985 x302/x2303", "530) 583-6985 x302"),
            ("530 583 6985 \\ x2", "530 583 6985 "),
            ("530 583 6985 / X2", "530 583 6985 / X2"),
            ("call +", ""),
            ("no digits", ""),
            ("12__", "12"),
            ("12#", "12#"),
            ("12 ü", "12 ü"),
            ("12 ²", "12 ²"),
            ("٠١٢٣ ;", "٠١٢٣"),
        ];
        for (input, expected) in cases {
            assert_eq!(built(input).as_deref(), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn ascii_extraction_agrees() {
        // Every string of up to 4 characters over an alphabet covering each rule.
        let alphabet = [
            b'1', b'+', b' ', b'x', b'X', b'/', b'\\', b'#', b'_', b'a', b'.',
        ];
        let mut s = std::vec::Vec::new();
        for len in 0..=4u32 {
            for mut n in 0..alphabet.len().pow(len) {
                s.clear();
                for _ in 0..len {
                    s.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                let text = core::str::from_utf8(&s).unwrap();
                assert_eq!(
                    extract_possible_ascii(&s),
                    extract_possible_number(text).as_bytes(),
                    "{text:?}"
                );
            }
        }
    }

    // Expected values: Python `_is_viable_phone_number(s)`.
    #[test]
    fn viability() {
        for s in [
            "12",
            "١٢",
            "123",
            "+1 650 253 0000",
            "++(1)-2-3",
            "*1*2*3",
            "1-800-FLOWERS",
            "123 ext. 45",
            "123 ext 45#",
            "12 3x45",
            "123 ;ext=1",
            "12 3 - 503#",
            "123,,4",
            "1 2 3 \u{212A}\u{17F}",
            "123 доб 1",
            "123 ext",
            "123 ext 123456789012345678901",
        ] {
            assert!(viable(s), "{s:?}");
        }
        for s in [
            "1",
            "1-2",
            "ab123",
            "12a3",
            "+",
            "12\n3",
            "123 ü",
            "1+23",
            "123 ²",
            "１２-",
            "123 доб",
            "123 ;ext",
        ] {
            assert!(!viable(s), "{s:?}");
        }
    }
}
