//! The candidate pattern: where a number may be written in text.
//!
//! libphonenumber looks for candidates with one regular expression: up to two leading `+` or
//! opening brackets each followed by up to four punctuation marks, then a block of up to 20
//! digits, up to 20 more blocks each after up to four punctuation marks, and an optional
//! extension. Its classes barely overlap (digits, punctuation and the extension's labels are
//! disjoint), so a backtracking engine's first match is the greedy reading at every step
//! except the leading part, where [`digits_start`] tries the few readings in the engine's
//! order. Each step reads forward only, so finding a candidate is linear in what it reads.

use crate::parse::{eq_ignore_case, is_decimal, is_punctuation, AMBIGUOUS_LABELS};

/// Digits of one block, and blocks after the first (libphonenumber's 17 + 3).
const BLOCK_LIMIT: usize = 20;
/// Punctuation marks between blocks, and after a leading sign.
const PUNCTUATION_LIMIT: usize = 4;

/// `[(\[（［+＋]`: what may come before the first digit.
pub(super) fn is_lead(c: char) -> bool {
    matches!(c, '(' | '[' | '\u{FF08}' | '\u{FF3B}' | '+' | '\u{FF0B}')
}

/// The character at byte `i`, if `i` is inside the text.
pub(super) fn char_at(text: &str, i: usize) -> Option<char> {
    match *text.as_bytes().get(i)? {
        // An ASCII byte is a whole character, and always starts one.
        b @ 0..=0x7F => Some(char::from(b)),
        _ => text.get(i..)?.chars().next(),
    }
}

/// How many characters of `class` follow `i` (at most `max`), and where they end.
pub(super) fn run(
    text: &str,
    i: usize,
    max: usize,
    class: impl Fn(char) -> bool,
) -> (usize, usize) {
    let mut count = 0;
    let mut end = i;
    while count < max {
        let Some(c) = char_at(text, end) else {
            break;
        };
        if !class(c) {
            break;
        }
        count += 1;
        end += c.len_utf8();
    }
    (count, end)
}

/// [`SCAN_CLASSES`] bits.
const DIGIT: u8 = 1;
const PUNCTUATION: u8 = 2;

/// Whether each ASCII character is a digit or punctuation, so that the runs of a candidate
/// read ASCII text (nearly all of it) a byte at a time, without decoding.
static SCAN_CLASSES: [u8; 128] = {
    let mut table = [0; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8 as char;
        table[b] = if c.is_ascii_digit() {
            DIGIT
        } else if is_punctuation(c) {
            PUNCTUATION
        } else {
            0
        };
        b += 1;
    }
    table
};

/// [`run`] for a class whose ASCII members are the `ascii` bit of [`SCAN_CLASSES`].
#[inline(always)]
fn run_of(
    text: &str,
    i: usize,
    max: usize,
    ascii: u8,
    class: impl Fn(char) -> bool,
) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut end = i;
    while count < max {
        match bytes.get(end) {
            Some(&b) if b.is_ascii() => {
                if SCAN_CLASSES
                    .get(usize::from(b))
                    .is_none_or(|&k| k & ascii == 0)
                {
                    break;
                }
                end += 1;
            }
            Some(_) => match char_at(text, end) {
                Some(c) if class(c) => end += c.len_utf8(),
                _ => break,
            },
            None => break,
        }
        count += 1;
    }
    (count, end)
}

/// Up to `max` decimal digits from `i`: how many, and where they end.
#[inline]
fn digits(text: &str, i: usize, max: usize) -> (usize, usize) {
    run_of(text, i, max, DIGIT, is_decimal)
}

#[inline]
fn digit_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        Some(b) if b.is_ascii() => b.is_ascii_digit(),
        Some(_) => char_at(text, i).is_some_and(is_decimal),
        None => false,
    }
}

/// The ends of 0, 1, …, up to four punctuation marks from `i`.
fn punctuation_ends(text: &str, i: usize) -> ([usize; PUNCTUATION_LIMIT + 1], usize) {
    let mut ends = [i; PUNCTUATION_LIMIT + 1];
    let mut n = 1;
    let mut at = i;
    while let Some(slot) = ends.get_mut(n) {
        let (marks, after) = run_of(text, at, 1, PUNCTUATION, is_punctuation);
        if marks == 0 {
            break;
        }
        at = after;
        *slot = at;
        n += 1;
    }
    (ends, n)
}

/// Where the first digit block starts for a candidate starting at `p`:
/// `(?:LEAD PUNCT{0,4}){0,2}` then a digit, in the engine's order (two leads before one
/// before none, more punctuation before less).
fn digits_start(text: &str, p: usize) -> Option<usize> {
    if let Some(lead) = char_at(text, p).filter(|&c| is_lead(c)) {
        let (ends, n) = punctuation_ends(text, p + lead.len_utf8());
        for &b1 in ends.get(..n).unwrap_or(&[]).iter().rev() {
            if let Some(second) = char_at(text, b1).filter(|&c| is_lead(c)) {
                let (ends2, n2) = punctuation_ends(text, b1 + second.len_utf8());
                if let Some(&b2) = ends2
                    .get(..n2)
                    .unwrap_or(&[])
                    .iter()
                    .rev()
                    .find(|&&b2| digit_at(text, b2))
                {
                    return Some(b2);
                }
            }
            if digit_at(text, b1) {
                return Some(b1);
            }
        }
    }
    digit_at(text, p).then_some(p)
}

/// The end of the candidate starting at `p`, if one does.
fn candidate_at(text: &str, p: usize) -> Option<usize> {
    let first = digits_start(text, p)?;
    Some(candidate_from(text, first))
}

/// The end of the candidate whose first digit block starts at `first`.
fn candidate_from(text: &str, first: usize) -> usize {
    let mut end = digits(text, first, BLOCK_LIMIT).1;
    for _ in 0..BLOCK_LIMIT {
        let (marks, after) = run_of(
            text,
            end,
            PUNCTUATION_LIMIT + 1,
            PUNCTUATION,
            is_punctuation,
        );
        if marks > PUNCTUATION_LIMIT || !digit_at(text, after) {
            break;
        }
        end = digits(text, after, BLOCK_LIMIT).1;
    }
    extension_end(text, end).unwrap_or(end)
}

/// The first candidate at or after byte `from`: its start and end.
pub(super) fn next_candidate(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    loop {
        let skipped = bytes
            .get(i..)?
            .iter()
            .position(|&b| MAY_START[usize::from(b)])?;
        i += skipped;
        // A digit starts a candidate that runs at least to its end; a lead or a character
        // outside ASCII may or may not start one.
        if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return Some((i, candidate_from(text, i)));
        }
        if let Some(c) = char_at(text, i) {
            if is_decimal(c) || is_lead(c) {
                if let Some(end) = candidate_at(text, i) {
                    return Some((i, end));
                }
            }
        }
        i += 1;
    }
}

/// The bytes a candidate may start at: ASCII digits and leads, and the first byte of the
/// characters outside ASCII that hold a decimal digit or a lead (never a continuation byte,
/// which is inside a character). Left out, so that ordinary text is skipped a byte at a time:
/// the first bytes of U+0080–063F (Latin letters with accents, Greek, Cyrillic, Hebrew, most
/// Arabic letters), U+0680–06BF and U+0700–07BF (`0xC2`–`0xD8`, `0xDA`, `0xDC`–`0xDE`),
/// U+2000–2FFF (punctuation and symbols, `0xE2`), U+3000–9FFF (kana and CJK ideographs,
/// `0xE3`–`0xE9`) and U+B000–EFFF (Hangul syllables and private use, `0xEB`–`0xEE`), none of
/// which has a character of general category Nd or a full-width lead
/// (`tests::may_start_covers_every_digit_and_lead` checks every character).
static MAY_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(
            b as u8,
            b'0'..=b'9' | b'(' | b'[' | b'+' | 0xD9 | 0xDB | 0xDF | 0xE0 | 0xE1 | 0xEA | 0xEF..=0xFF
        );
        b += 1;
    }
    table
};

/// The extension labels in the order the engine tries them: `e?xt(?:ensi(?:o\u0301?|ó))?n?`
/// (longest first), full-width `ｅ?ｘｔｎ?`, `доб`, `anexo`.
const EXPLICIT_LABELS: &[&str] = &[
    "extensio\u{301}n",
    "extensio\u{301}",
    "extension",
    "extensio",
    "extensi\u{F3}n",
    "extensi\u{F3}",
    "extn",
    "ext",
    "xtensio\u{301}n",
    "xtensio\u{301}",
    "xtension",
    "xtensio",
    "xtensi\u{F3}n",
    "xtensi\u{F3}",
    "xtn",
    "xt",
    "\u{FF45}\u{FF58}\u{FF54}\u{FF4E}",
    "\u{FF45}\u{FF58}\u{FF54}",
    "\u{FF58}\u{FF54}\u{FF4E}",
    "\u{FF58}\u{FF54}",
    "\u{434}\u{43E}\u{431}",
    "anexo",
];

/// For each ASCII character, the labels that start with it (ignoring ASCII case, which is
/// all the case an ASCII character has here: no label starts with a character outside ASCII
/// that folds to one), as bits in the labels' order.
const fn labels_by_first(labels: &[&str]) -> [u32; 128] {
    assert!(labels.len() <= 32);
    let mut table = [0u32; 128];
    let mut k = 0;
    while k < labels.len() {
        let b = labels[k].as_bytes()[0];
        if b.is_ascii() {
            table[b.to_ascii_lowercase() as usize] |= 1 << k;
            table[b.to_ascii_uppercase() as usize] |= 1 << k;
        }
        k += 1;
    }
    table
}

static EXPLICIT_BY_FIRST: [u32; 128] = labels_by_first(EXPLICIT_LABELS);
static AMBIGUOUS_BY_FIRST: [u32; 128] = labels_by_first(AMBIGUOUS_LABELS);

/// Where `word` ends if it is written at `i` (ignoring case as the pattern does).
fn word_at(text: &str, i: usize, word: &str) -> Option<usize> {
    let mut at = i;
    let mut chars = text.get(i..)?.chars();
    for lit in word.chars() {
        let c = chars.next()?;
        if !eq_ignore_case(c, lit) {
            return None;
        }
        at += c.len_utf8();
    }
    Some(at)
}

/// Whether a label may start with `c`: in ASCII, every label starts with `e`, `x`, `a`, `i`,
/// `#` or `~` (in either case); outside it are the full-width forms, `д`, and what folds to
/// `i`, left to the labels themselves.
fn may_start_label(c: char) -> bool {
    !c.is_ascii() || matches!(c.to_ascii_lowercase(), 'e' | 'x' | 'a' | 'i' | '#' | '~')
}

/// After a label: `[:.．]?[ \u00A0\t,-]*` then 1 to `max` digits and an optional `#`.
fn after_label(text: &str, i: usize, max: usize) -> Option<usize> {
    let mut at = i;
    if let Some(c) = char_at(text, at).filter(|c| matches!(c, ':' | '.' | '\u{FF0E}')) {
        at += c.len_utf8();
    }
    at = run(text, at, usize::MAX, |c| {
        matches!(c, ' ' | '\u{A0}' | '\t' | ',' | '-')
    })
    .1;
    digits_and_hash(text, at, max)
}

/// 1 to `max` digits from `i`, then an optional `#`.
fn digits_and_hash(text: &str, i: usize, max: usize) -> Option<usize> {
    let (n, end) = run(text, i, max, is_decimal);
    if n == 0 {
        return None;
    }
    Some(if char_at(text, end) == Some('#') {
        end + 1
    } else {
        end
    })
}

/// The end of an extension written at `i`, in the engine's order of the four alternatives
/// of libphonenumber's extension pattern for matching: `;ext=` and digits, an explicit label,
/// an ambiguous one, and digits between a dash or space and `#`.
fn extension_end(text: &str, i: usize) -> Option<usize> {
    // Every alternative starts with `;`, a separator, or a label's first character.
    let next = *text.as_bytes().get(i)?;
    if next.is_ascii()
        && !matches!(next, b';' | b' ' | b'\t' | b',' | b'-')
        && !may_start_label(char::from(next))
    {
        return None;
    }
    let semicolon = next == b';';
    if let Some(at) = semicolon.then(|| word_at(text, i, ";ext=")).flatten() {
        let (n, end) = run(text, at, 20, is_decimal);
        if n > 0 {
            return Some(end);
        }
    }
    // The separators before a label are never its first letter, so the label starts after
    // all of them.
    let label = run(text, i, usize::MAX, |c| {
        matches!(c, ' ' | '\u{A0}' | '\t' | ',')
    })
    .1;
    // After a candidate there is usually no character a label starts with, and the 35
    // labels are not tried.
    let first = char_at(text, label).filter(|&c| may_start_label(c));
    let groups = [
        (EXPLICIT_LABELS, &EXPLICIT_BY_FIRST, 20),
        (AMBIGUOUS_LABELS, &AMBIGUOUS_BY_FIRST, 9),
    ];
    match first {
        // The labels that start with that character, in their order, from a table.
        Some(c) if c.is_ascii() => {
            for (labels, by_first, max) in groups {
                let mut set = by_first.get(usize::from(c as u8)).copied().unwrap_or(0);
                while set != 0 {
                    let k = set.trailing_zeros();
                    set &= set - 1;
                    let word = labels.get(k as usize).copied().unwrap_or_default();
                    if let Some(end) =
                        word_at(text, label, word).and_then(|at| after_label(text, at, max))
                    {
                        return Some(end);
                    }
                }
            }
        }
        Some(c) => {
            for (labels, _, max) in groups {
                let starts_so =
                    |word: &&&str| eq_ignore_case(c, word.chars().next().unwrap_or_default());
                for word in labels.iter().filter(starts_so) {
                    if let Some(end) =
                        word_at(text, label, word).and_then(|at| after_label(text, at, max))
                    {
                        return Some(end);
                    }
                }
            }
        }
        None => {}
    }
    let (dashes, at) = run(text, i, usize::MAX, |c| matches!(c, '-' | ' '));
    if dashes > 0 {
        let (n, end) = run(text, at, 7, is_decimal);
        if (1..=6).contains(&n) && char_at(text, end) == Some('#') {
            return Some(end + 1);
        }
    }
    None
}

/// libphonenumber's `SECOND_NUMBER_START` (`[\\/] *x`): where a second extension begins
/// (`x302/x2303`), which the candidate is cut before.
pub(super) fn second_number_start(candidate: &str) -> Option<usize> {
    let bytes = candidate.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| {
        if b != b'\\' && b != b'/' {
            return None;
        }
        let spaces = bytes
            .get(i + 1..)?
            .iter()
            .take_while(|&&b| b == b' ')
            .count();
        (bytes.get(i + 1 + spaces) == Some(&b'x')).then_some(i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_start_covers_every_digit_and_lead() {
        let mut starts = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if is_decimal(c) || is_lead(c) {
                let mut utf8 = [0u8; 4];
                let first = c.encode_utf8(&mut utf8).as_bytes()[0];
                assert!(
                    MAY_START[usize::from(first)],
                    "{c:?} starts with {first:#04x}"
                );
                starts += 1;
            }
        }
        // Every Nd of the Unicode tables (680 in Unicode 15) and the six leads.
        assert!(starts > 600, "{starts}");
        // No continuation byte starts a character.
        assert!((0x80..0xC0).all(|b| !MAY_START[b]));
    }

    fn first(text: &str) -> Option<&str> {
        next_candidate(text, 0).map(|(s, e)| &text[s..e])
    }

    // Expected: Python `phonenumbermatcher._PATTERN.search(text).group()`.
    #[test]
    fn candidates_as_the_pattern_finds_them() {
        assert_eq!(
            first("call +1 (650) 253-0000 now"),
            Some("+1 (650) 253-0000")
        );
        assert_eq!(first("x ((((5 a"), Some("((((5"));
        assert_eq!(first("+((+-- 12"), Some("+((+-- 12"));
        assert_eq!(first("1     2"), Some("1"));
        assert_eq!(first("1    2"), Some("1    2"));
        assert_eq!(first("555 1234 ext. 12#z"), Some("555 1234 ext. 12#"));
        assert_eq!(
            first("555 1234 EXTENSIÓN: 5"),
            Some("555 1234 EXTENSIÓN: 5")
        );
        assert_eq!(first("555 1234;ext=77 "), Some("555 1234;ext=77"));
        // The dash and spaces are punctuation between blocks, so the `#` is left over.
        assert_eq!(first("555 1234 - 503#"), Some("555 1234 - 503"));
        assert_eq!(first("555 1234  -  503#"), Some("555 1234  -  503#"));
        assert_eq!(first("555 1234 - 5034567#"), Some("555 1234 - 5034567"));
        assert_eq!(first("12 ٣٤٥"), Some("12 ٣٤٥"));
        assert_eq!(first("no digits here"), None);
        let long = "1".repeat(45);
        assert_eq!(first(&long), Some(long.as_str()));
    }

    #[test]
    fn every_label_passes_the_first_character_check() {
        for word in EXPLICIT_LABELS.iter().chain(AMBIGUOUS_LABELS) {
            let first = word.chars().next().unwrap_or_default();
            for c in (0..=0x7F).filter_map(char::from_u32) {
                if eq_ignore_case(c, first) {
                    assert!(may_start_label(c), "{c:?} starts {word:?}");
                }
            }
        }
        // What it rules out: letters no label starts with, digits, spaces.
        assert!(!may_start_label('t') && !may_start_label('5') && !may_start_label(' '));
        assert!(may_start_label('E') && may_start_label('\u{130}'));
    }

    #[test]
    fn the_label_tables_list_the_labels_each_ascii_character_starts() {
        for (labels, by_first) in [
            (EXPLICIT_LABELS, &EXPLICIT_BY_FIRST),
            (AMBIGUOUS_LABELS, &AMBIGUOUS_BY_FIRST),
        ] {
            for c in (0..=0x7F).filter_map(char::from_u32) {
                let expected: std::vec::Vec<usize> = (0..labels.len())
                    .filter(|&k| eq_ignore_case(c, labels[k].chars().next().unwrap()))
                    .collect();
                let set = by_first[c as usize];
                let listed: std::vec::Vec<usize> =
                    (0..32).filter(|&k| set & (1 << k) != 0).collect();
                assert_eq!(listed, expected, "{c:?}");
            }
        }
        assert_eq!(EXPLICIT_BY_FIRST[usize::from(b'E')].count_ones(), 8);
    }

    #[test]
    fn block_limit() {
        // The first block and 20 more: the 22nd single digit is left out.
        let text = (0..25).map(|_| "1").collect::<std::vec::Vec<_>>().join(" ");
        assert_eq!(first(&text).map(str::len), Some(21 * 2 - 1));
    }

    #[test]
    fn second_numbers() {
        assert_eq!(second_number_start("583-6985 x302/x2303"), Some(13));
        assert_eq!(second_number_start("583-6985 x302\\  x2303"), Some(13));
        assert_eq!(second_number_start("583-6985 x302/X2303"), None);
    }
}
