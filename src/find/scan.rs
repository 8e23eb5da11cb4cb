//! The candidate pattern: where a number may be written in text.
//!
//! libphonenumber looks for candidates with one regular expression: up to two leading `+` or
//! opening brackets each followed by up to four punctuation marks, then a block of up to 20
//! digits, up to 20 more blocks each after up to four punctuation marks, and an optional
//! extension. Its classes barely overlap (digits, punctuation and the extension's labels are
//! disjoint), so a backtracking engine's first match is the greedy reading at every step
//! except the leading part, where [`digits_start`] tries the few readings in the engine's
//! order. Each step reads forward only, so finding a candidate is linear in what it reads.

use crate::parse::{eq_ignore_case, is_decimal, is_punctuation};

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
    text.get(i..)?.chars().next()
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
    for c in text.get(i..).unwrap_or("").chars() {
        if count == max || !class(c) {
            break;
        }
        count += 1;
        end += c.len_utf8();
    }
    (count, end)
}

fn digit_at(text: &str, i: usize) -> bool {
    char_at(text, i).is_some_and(is_decimal)
}

/// The ends of 0, 1, …, up to four punctuation marks from `i`.
fn punctuation_ends(text: &str, i: usize) -> ([usize; PUNCTUATION_LIMIT + 1], usize) {
    let mut ends = [i; PUNCTUATION_LIMIT + 1];
    let mut n = 1;
    let mut at = i;
    for c in text.get(i..).unwrap_or("").chars().take(PUNCTUATION_LIMIT) {
        if !is_punctuation(c) {
            break;
        }
        at += c.len_utf8();
        if let Some(slot) = ends.get_mut(n) {
            *slot = at;
        }
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
    let mut end = run(text, first, BLOCK_LIMIT, is_decimal).1;
    for _ in 0..BLOCK_LIMIT {
        let (marks, after) = run(text, end, PUNCTUATION_LIMIT + 1, is_punctuation);
        if marks > PUNCTUATION_LIMIT || !digit_at(text, after) {
            break;
        }
        end = run(text, after, BLOCK_LIMIT, is_decimal).1;
    }
    Some(extension_end(text, end).unwrap_or(end))
}

/// The first candidate at or after byte `from`: its start and end.
pub(super) fn next_candidate(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        // ASCII other than digits and leads cannot start one; continuation bytes are inside
        // a character.
        let may_start = match b {
            b'0'..=b'9' | b'(' | b'[' | b'+' => true,
            0x80..=0xBF => false,
            _ => b >= 0xC0,
        };
        if may_start {
            if let Some(c) = char_at(text, i) {
                if is_decimal(c) || is_lead(c) {
                    if let Some(end) = candidate_at(text, i) {
                        return Some((i, end));
                    }
                }
            }
        }
        i += 1;
    }
    None
}

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

/// `[xｘ#＃~～]|int|ｉｎｔ`, in order.
const AMBIGUOUS_LABELS: &[&str] = &[
    "x",
    "\u{FF58}",
    "#",
    "\u{FF03}",
    "~",
    "\u{FF5E}",
    "int",
    "\u{FF49}\u{FF4E}\u{FF54}",
];

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
    if let Some(at) = word_at(text, i, ";ext=") {
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
    for (labels, max) in [(EXPLICIT_LABELS, 20), (AMBIGUOUS_LABELS, 9)] {
        for word in labels {
            if let Some(end) = word_at(text, label, word).and_then(|at| after_label(text, at, max))
            {
                return Some(end);
            }
        }
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
