//! The tests libphonenumber's matcher puts a candidate through before parsing it: brackets
//! that pair up, and shapes that are publication pages, dates or times rather than numbers.
//! Each is one of its regular expressions, written out as a scan; the unit tests hold the
//! answers of the expressions themselves (Python's `re`, as the port compiles them).

use super::scan::char_at;
use crate::parse::{is_decimal, is_space};

fn is_opening(c: char) -> bool {
    matches!(c, '(' | '[' | '\u{FF08}' | '\u{FF3B}')
}

fn is_closing(c: char) -> bool {
    matches!(c, ')' | ']' | '\u{FF09}' | '\u{FF3D}')
}

// States of `MATCHING_BRACKETS`, `O?(?:N+C)?N+(?:ON+C){0,3}N*` with O an opening bracket, C a
// closing one, N anything else, as bits of a set.
const START: u32 = 1 << 0;
const AFTER_OPEN: u32 = 1 << 1;
const IN_FIRST: u32 = 1 << 2;
const NEED_BODY: u32 = 1 << 3;
const IN_BODY: u32 = 1 << 4;
/// `PAIRS << k`: after the body and `k` bracketed groups (k = 0..=3).
const PAIRS: u32 = 1 << 5;
/// `OPENED << k`: inside group `k + 1`, right after its opening bracket.
const OPENED: u32 = 1 << 9;
/// `INSIDE << k`: inside group `k + 1`, after some of its content.
const INSIDE: u32 = 1 << 12;
const TAIL: u32 = 1 << 15;

/// The states reachable without reading: the optional parts skipped.
fn closure(mut s: u32) -> u32 {
    if s & START != 0 {
        s |= AFTER_OPEN;
    }
    if s & AFTER_OPEN != 0 {
        s |= NEED_BODY;
    }
    if s & IN_BODY != 0 {
        s |= PAIRS;
    }
    if s & (0b1111 * PAIRS) != 0 {
        s |= TAIL;
    }
    s
}

/// Whether `candidate` matches `MATCHING_BRACKETS` in full: an opening bracket at the start
/// may stay open, and a closing one may come first, but every other bracket pairs up, with
/// something inside, at most three pairs after the body.
pub(super) fn brackets_match(candidate: &str) -> bool {
    // Without a bracket, the body alone matches: any text but the empty one.
    if candidate.is_ascii()
        && !candidate
            .bytes()
            .any(|b| matches!(b, b'(' | b')' | b'[' | b']'))
    {
        return !candidate.is_empty();
    }
    let mut s = closure(START);
    for c in candidate.chars() {
        let mut next = 0;
        if is_opening(c) {
            if s & START != 0 {
                next |= AFTER_OPEN;
            }
            for k in 0..3 {
                if s & (PAIRS << k) != 0 {
                    next |= OPENED << k;
                }
            }
        } else if is_closing(c) {
            if s & IN_FIRST != 0 {
                next |= NEED_BODY;
            }
            for k in 0..3 {
                if s & (INSIDE << k) != 0 {
                    next |= PAIRS << (k + 1);
                }
            }
        } else {
            if s & (AFTER_OPEN | IN_FIRST) != 0 {
                next |= IN_FIRST;
            }
            if s & (NEED_BODY | IN_BODY) != 0 {
                next |= IN_BODY;
            }
            for k in 0..3 {
                if s & ((OPENED | INSIDE) << k) != 0 {
                    next |= INSIDE << k;
                }
            }
            if s & TAIL != 0 {
                next |= TAIL;
            }
        }
        s = closure(next);
        if s == 0 {
            return false;
        }
    }
    s & TAIL != 0
}

/// `PUB_PAGES`, searched: `\d{1,5}-+\d{1,5}\s{0,4}\(\d{1,4}` anywhere (`211-227 (2003)`).
pub(super) fn looks_like_pages(candidate: &str) -> bool {
    if !candidate.contains('(') {
        return false;
    }
    let mut prev_digit = false;
    for (i, c) in candidate.char_indices() {
        if c == '-' && prev_digit {
            let (_, after_dashes) = super::scan::run(candidate, i, usize::MAX, |c| c == '-');
            let (digits, after) = super::scan::run(candidate, after_dashes, 6, is_decimal);
            if (1..=5).contains(&digits) {
                let (spaces, paren) = super::scan::run(candidate, after, 5, is_space);
                if spaces <= 4
                    && char_at(candidate, paren) == Some('(')
                    && char_at(candidate, paren + 1).is_some_and(is_decimal)
                {
                    return true;
                }
            }
        }
        prev_digit = is_decimal(c);
    }
    false
}

/// `SLASH_SEPARATED_DATES`, searched:
/// `(?:(?:[0-3]?\d/[01]?\d)|(?:[01]?\d/[0-3]?\d))/(?:[12]\d)?\d{2}` (`3/10/2011`).
///
/// Both alternatives take one digit before the first slash, and between the slashes one
/// digit or two starting 0 to 3; two digits must follow the second slash.
pub(super) fn looks_like_date(candidate: &str) -> bool {
    if !candidate.contains('/') {
        return false;
    }
    let chars = || candidate.char_indices();
    let mut prev: Option<char> = None;
    for (i, c) in chars() {
        if c == '/' && prev.is_some_and(is_decimal) {
            let mut rest = candidate.get(i + 1..).unwrap_or("").chars();
            let middle_ok = match (rest.next(), rest.next(), rest.next()) {
                (Some(a), Some('/'), _) if is_decimal(a) => Some(1),
                (Some(a), Some(b), Some('/')) if ('0'..='3').contains(&a) && is_decimal(b) => {
                    Some(2)
                }
                _ => None,
            };
            if let Some(n) = middle_ok {
                let mut after = candidate.get(i + 1..).unwrap_or("").chars().skip(n + 1);
                if after.next().is_some_and(is_decimal) && after.next().is_some_and(is_decimal) {
                    return true;
                }
            }
        }
        prev = Some(c);
    }
    false
}

/// `TIME_STAMPS`, searched: `[12]\d{3}[-/]?[01]\d[-/]?[0-3]\d +[0-2]\d$`, a date and an
/// hour at the end of the candidate (`2012-01-02 08`).
pub(super) fn looks_like_time_stamp(candidate: &str) -> bool {
    // Read backwards: the hour, the spaces, the day, then the rest in its few shapes.
    let mut back = candidate.chars().rev().peekable();
    let hour_ok = matches!(
        (back.next(), back.next()),
        (Some(d), Some('0'..='2')) if is_decimal(d)
    );
    if !hour_ok {
        return false;
    }
    let mut spaces = 0;
    while back.peek() == Some(&' ') {
        back.next();
        spaces += 1;
    }
    if spaces == 0 {
        return false;
    }
    let day_ok = matches!(
        (back.next(), back.next()),
        (Some(d), Some('0'..='3')) if is_decimal(d)
    );
    if !day_ok {
        return false;
    }
    // What is left before the day, last character first: at most 8 are read.
    let mut before = [' '; 8];
    let mut n = 0;
    for c in back.take(8) {
        if let Some(slot) = before.get_mut(n) {
            *slot = c;
        }
        n += 1;
    }
    let before = before.get(..n).unwrap_or(&[]);
    let is_sep = |c: char| c == '-' || c == '/';
    for sep_after_month in [true, false] {
        let mut at = 0;
        if sep_after_month {
            if !before.get(at).is_some_and(|&c| is_sep(c)) {
                continue;
            }
            at += 1;
        }
        // `[01]\d`, read backwards.
        let month_ok = before.get(at).is_some_and(|&c| is_decimal(c))
            && before.get(at + 1).is_some_and(|&c| matches!(c, '0' | '1'));
        if !month_ok {
            continue;
        }
        at += 2;
        for sep_after_year in [true, false] {
            let mut y = at;
            if sep_after_year {
                if !before.get(y).is_some_and(|&c| is_sep(c)) {
                    continue;
                }
                y += 1;
            }
            let year_ok = (0..3).all(|k| before.get(y + k).is_some_and(|&c| is_decimal(c)))
                && before.get(y + 3).is_some_and(|&c| matches!(c, '1' | '2'));
            if year_ok {
                return true;
            }
        }
    }
    false
}

/// `TIME_STAMPS_SUFFIX` at the start of the text after a candidate: `:[0-5]\d` (the
/// minutes of a time stamp).
pub(super) fn starts_with_minutes(rest: &str) -> bool {
    let mut chars = rest.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(':'), Some('0'..='5'), Some(d)) if is_decimal(d)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected: `fullmatch(_MATCHING_BRACKETS, s) is not None` in the Python port.
    #[test]
    fn brackets() {
        for s in [
            "650 253 0000",
            "(650) 253 0000",
            "650) 253 0000",
            "(650 253 0000",
            "(650) 253 (0000)",
            "1 (2)(3)(4)",
            "1 (2)(3)(4) 5",
            "(1) 2 (3)",
            "[650] 253",
            "（650）253",
        ] {
            assert!(brackets_match(s), "{s}");
        }
        for s in [
            "",
            "()",
            "650 (253",
            "1 (2) (3)",
            "1 (2)(3)(4)(5)",
            "((650)) 253",
            "650 ()",
            "(650))",
            "1 (2))",
        ] {
            assert!(!brackets_match(s), "{s}");
        }
    }

    // Expected: `_PUB_PAGES.search(s) is not None`.
    #[test]
    fn pages() {
        assert!(looks_like_pages("211-227 (2003"));
        assert!(looks_like_pages("1--2    (3"));
        assert!(!looks_like_pages("1--2     (3"));
        assert!(!looks_like_pages("1-234567 (3"));
        assert!(!looks_like_pages("1-2 (x"));
        assert!(!looks_like_pages("-2 (3"));
    }

    // Expected: `_SLASH_SEPARATED_DATES.search(s) is not None`.
    #[test]
    fn dates() {
        assert!(looks_like_date("3/10/2011"));
        assert!(looks_like_date("31/10/96"));
        assert!(looks_like_date("08/31/95"));
        assert!(looks_like_date("x1/1/11"));
        assert!(!looks_like_date("1/41/11"));
        assert!(!looks_like_date("1/1/1"));
        assert!(!looks_like_date("/1/11"));
        assert!(!looks_like_date("1/123/11"));
    }

    // Expected: `_TIME_STAMPS.search(s) is not None`.
    #[test]
    fn time_stamps() {
        assert!(looks_like_time_stamp("2012-01-02 08"));
        assert!(looks_like_time_stamp("20120102   23"));
        assert!(looks_like_time_stamp("x 2012/01-02 08"));
        assert!(!looks_like_time_stamp("2012-01-02 38"));
        assert!(!looks_like_time_stamp("2012-01-0208"));
        assert!(!looks_like_time_stamp("3012-01-02 08"));
        assert!(!looks_like_time_stamp("2012--01-02 08"));
        assert!(starts_with_minutes(":45 pm"));
        assert!(!starts_with_minutes(":65"));
    }
}
