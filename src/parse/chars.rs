//! Character classes, decided exactly as Python's `re` decides them for libphonenumber's
//! patterns (compiled with `re.UNICODE | re.IGNORECASE` where the port does so).
//!
//! Why not `char::is_numeric` and friends: Rust follows a newer Unicode version and different
//! definitions (`is_numeric` is N*, Python's `\d` is Nd only; Python's `\w` adds every
//! character with a numeric value). The reference's answers come from Python 3.11 and
//! Unicode 14.0, so the sets that matter are generated from that Python
//! ([`unicode_tables`](super::unicode_tables)), and the few letters that case-fold in
//! surprising ways (`K` KELVIN SIGN, `ſ` LONG S, `ı`/`İ`, Cyrillic small variants) are listed
//! here by hand, checked against Python by brute force over all code points.

#[cfg(feature = "find")]
use super::unicode_tables::{CURRENCY, LATIN, SPACE};
use super::unicode_tables::{DECIMAL, DIGIT_VALUE, RUN_LEN_BITS, WORD};

/// A character of a candidate: a `char`, or a byte of input known to be all ASCII. The steps
/// after extraction are written once over this, so ASCII input (nearly all input) is read in
/// place, without decoding or copying it into a `char` buffer.
pub(super) trait Ch: Copy + Into<char> {
    /// The character's classes, a set of the `class` bits.
    fn class(self) -> u8;
}

impl Ch for char {
    fn class(self) -> u8 {
        match u8::try_from(self) {
            Ok(b) if b.is_ascii() => b.class(),
            _ => class_of(self),
        }
    }
}

impl Ch for u8 {
    /// Only meant for ASCII bytes; any other byte is read as the Latin-1 character.
    fn class(self) -> u8 {
        match ASCII_CLASSES.get(usize::from(self)) {
            Some(&class) => class,
            None => class_of(char::from(self)),
        }
    }
}

/// Bits of [`Ch::class`].
pub(super) mod class {
    /// [`is_decimal`](super::is_decimal).
    pub const DECIMAL: u8 = 1;
    /// [`is_plus`](super::is_plus).
    pub const PLUS: u8 = 2;
    /// [`is_punctuation`](super::is_punctuation) or `*`.
    pub const PUNCTUATION_OR_STAR: u8 = 4;
    /// [`is_alpha_ignore_case`](super::is_alpha_ignore_case).
    pub const ALPHA: u8 = 8;
    /// A digit (any script) or plain number punctuation (` -.()/+[]`): none of these can
    /// mark an extension.
    pub const PLAIN: u8 = 16;
}

/// The classes of `c`, from the predicates.
fn class_of(c: char) -> u8 {
    if let Ok(b) = u8::try_from(c) {
        if b.is_ascii() {
            return ascii_class(b);
        }
    }
    let mut bits = 0;
    if is_decimal(c) {
        bits |= class::DECIMAL | class::PLAIN;
    }
    if is_plus(c) {
        bits |= class::PLUS;
    }
    if is_punctuation(c) {
        bits |= class::PUNCTUATION_OR_STAR;
    }
    if is_alpha_ignore_case(c) {
        bits |= class::ALPHA;
    }
    bits
}

/// The classes of an ASCII character.
const fn ascii_class(b: u8) -> u8 {
    let c = b as char;
    let mut bits = 0;
    if c.is_ascii_digit() {
        bits |= class::DECIMAL | class::PLAIN;
    }
    if is_plus(c) {
        bits |= class::PLUS;
    }
    if c == '*' || is_punctuation(c) {
        bits |= class::PUNCTUATION_OR_STAR;
    }
    if is_alpha_ignore_case(c) {
        bits |= class::ALPHA;
    }
    if c == '+' || is_plain_punctuation(b) {
        bits |= class::PLAIN;
    }
    bits
}

/// The punctuation of plainly written numbers, ` -.()/[]`: it only separates digits.
#[inline(always)]
pub(super) const fn is_plain_punctuation(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'/' | b'[' | b']')
}

/// [`ascii_class`] of every ASCII character, computed at compile time.
static ASCII_CLASSES: [u8; 128] = {
    let mut table = [0; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = ascii_class(i as u8);
        i += 1;
    }
    table
};

/// Whether `c` falls in one of the packed runs (`start << RUN_LEN_BITS | (len - 1)`).
fn in_runs(table: &[u32], c: char) -> bool {
    run_start(table, c).is_some()
}

/// The start of the packed run `c` falls in, if one.
fn run_start(table: &[u32], c: char) -> Option<u32> {
    let c = u32::from(c);
    let after = table.partition_point(|&run| (run >> RUN_LEN_BITS) <= c);
    let run = *table.get(after.checked_sub(1)?)?;
    let start = run >> RUN_LEN_BITS;
    let len = (run & ((1 << RUN_LEN_BITS) - 1)) + 1;
    (c - start < len).then_some(start)
}

/// The value of `c` if it is a decimal digit (Python's `\d`, general category Nd), in one
/// search: every Nd run of the table is whole blocks of ten from a zero, so the value is the
/// distance from the run's start, modulo ten (`tests::decimal_values_are_digit_values`).
#[cfg(not(target_os = "none"))]
pub(crate) fn decimal_value(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.to_digit(10).and_then(|d| u8::try_from(d).ok());
    }
    if c < '\u{660}' || ('\u{3000}'..='\u{9FFF}').contains(&c) {
        return None;
    }
    let start = run_start(DECIMAL, c)?;
    u8::try_from((u32::from(c) - start) % 10).ok()
}

/// Python's `\d` with `re.UNICODE`: general category Nd.
pub(crate) fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    // No Nd below Arabic-Indic zero nor among the kana and CJK ideographs: the Latin,
    // Cyrillic and East Asian letters of ordinary text skip the table.
    if c < '\u{660}' || ('\u{3000}'..='\u{9FFF}').contains(&c) {
        return false;
    }
    in_runs(DECIMAL, c)
}

/// Python's `\w` with `re.UNICODE`: letters, characters with a numeric value, and `_`.
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_runs(WORD, c)
}

/// `unicodedata.digit(c)`: the value of a digit in any script, including superscript and
/// circled digits, which Python's `\d` does not match.
pub(crate) fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.to_digit(10).and_then(|d| u8::try_from(d).ok());
    }
    let code = u32::from(c);
    let after = DIGIT_VALUE.partition_point(|&run| (run >> 8) <= code);
    let run = *after.checked_sub(1).and_then(|i| DIGIT_VALUE.get(i))?;
    let start = run >> 8;
    let len = ((run >> 4) & 0xf) + 1;
    let offset = code - start;
    if offset < len {
        u8::try_from((run & 0xf) + offset).ok()
    } else {
        None
    }
}

/// Python's `\s` with `re.UNICODE` (what `str.isspace` says), for the number finder.
#[cfg(feature = "find")]
pub(crate) fn is_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ');
    }
    in_runs(SPACE, c)
}

/// A currency symbol (general category Sc).
#[cfg(feature = "find")]
pub(crate) fn is_currency(c: char) -> bool {
    if c.is_ascii() {
        return c == '$';
    }
    in_runs(CURRENCY, c)
}

/// A letter or non-spacing mark of the Latin blocks (libphonenumber's `isLatinLetter`).
#[cfg(feature = "find")]
pub(crate) fn is_latin_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_runs(LATIN, c)
}

/// `[+＋]`: the plus signs that mark an international number.
pub(super) const fn is_plus(c: char) -> bool {
    matches!(c, '+' | '\u{FF0B}')
}

/// Whether `c` matches the literal `lit` under `re.IGNORECASE | re.UNICODE`.
///
/// Only the literals libphonenumber's patterns use need to be right; for those, the extra
/// characters listed were found by asking Python about every code point.
pub(crate) fn eq_ignore_case(c: char, lit: char) -> bool {
    if c == lit {
        return true;
    }
    if lit.is_ascii_lowercase() {
        return c.to_ascii_lowercase() == lit
            || match lit {
                'i' => matches!(c, '\u{130}' | '\u{131}'),
                'k' => c == '\u{212A}',
                's' => c == '\u{17F}',
                _ => false,
            };
    }
    match lit {
        // Latin small o with acute, and its capital.
        '\u{F3}' => c == '\u{D3}',
        // Full-width small letters e, i, n, t, x: their capitals are 0x20 below.
        '\u{FF45}' | '\u{FF49}' | '\u{FF4E}' | '\u{FF54}' | '\u{FF58}' => {
            u32::from(c) + 0x20 == u32::from(lit)
        }
        // Cyrillic д, о, б: capitals, and the historic small variants that fold to them.
        '\u{434}' => matches!(c, '\u{414}' | '\u{1C81}'),
        '\u{43E}' => matches!(c, '\u{41E}' | '\u{1C82}'),
        '\u{431}' => c == '\u{411}',
        _ => false,
    }
}

/// `[A-Za-z]` under `re.IGNORECASE`: ASCII letters and the four non-ASCII characters that
/// fold to one.
pub(super) const fn is_alpha_ignore_case(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{130}' | '\u{131}' | '\u{17F}' | '\u{212A}')
}

/// libphonenumber's `VALID_PUNCTUATION` class under `re.IGNORECASE` (so `X` as well as `x`).
pub(crate) const fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '-' | 'x'
            | 'X'
            | '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{30FC}'
            | '\u{FF0D}'..='\u{FF0F}'
            | ' '
            | '\u{A0}'
            | '\u{AD}'
            | '\u{200B}'
            | '\u{2060}'
            | '\u{3000}'
            | '('
            | ')'
            | '\u{FF08}'
            | '\u{FF09}'
            | '\u{FF3B}'
            | '\u{FF3D}'
            | '.'
            | '['
            | ']'
            | '/'
            | '~'
            | '\u{2053}'
            | '\u{223C}'
            | '\u{FF5E}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits_of_several_scripts() {
        for c in [
            '0',
            '9',
            '\u{660}',
            '\u{6F9}',
            '\u{966}',
            '\u{FF10}',
            '\u{1D7CE}',
        ] {
            assert!(is_decimal(c), "{c:?}");
        }
        // Superscripts and circled digits have a digit value but are not Nd.
        for c in ['a', '\u{B2}', '\u{2460}', '\u{2070}', '+', '\u{3007}'] {
            assert!(!is_decimal(c), "{c:?}");
        }
    }

    #[test]
    fn the_ranges_skipped_hold_no_decimal_digit() {
        let skipped = (0x80..0x660).chain(0x3000..=0x9FFF);
        assert!(skipped
            .filter_map(char::from_u32)
            .all(|c| !in_runs(DECIMAL, c)));
    }

    #[test]
    fn decimal_values_are_digit_values() {
        let mut decimals = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let expected = is_decimal(c).then(|| digit_value(c)).flatten();
            assert_eq!(decimal_value(c), expected, "{c:?}");
            assert_eq!(decimal_value(c).is_some(), is_decimal(c), "{c:?}");
            decimals += usize::from(is_decimal(c));
        }
        assert!(decimals > 600, "{decimals}");
    }

    #[test]
    fn digit_values_follow_unicodedata() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('\u{663}'), Some(3)); // Arabic-Indic three
        assert_eq!(digit_value('\u{FF15}'), Some(5)); // full-width five
        assert_eq!(digit_value('\u{B2}'), Some(2)); // superscript two
        assert_eq!(digit_value('\u{B9}'), Some(1)); // superscript one
        assert_eq!(digit_value('\u{2460}'), Some(1)); // circled one
        assert_eq!(digit_value('\u{1369}'), Some(1)); // Ethiopic one (no zero)
        assert_eq!(digit_value('\u{19DA}'), Some(1)); // New Tai Lue tham one
        assert_eq!(digit_value('a'), None);
        assert_eq!(digit_value('\u{2469}'), None); // circled ten: numeric, not a digit
        assert_eq!(digit_value('\u{10FFFF}'), None);
    }

    #[test]
    fn word_characters() {
        for c in [
            'a', 'Z', '5', '_', '\u{FC}', '\u{B2}', '\u{2460}', '\u{3007}', '\u{4E00}',
        ] {
            assert!(is_word(c), "{c:?}");
        }
        for c in ['#', ' ', '-', '\u{A0}', '\u{FF0B}', '\u{2014}', '\u{301}'] {
            assert!(!is_word(c), "{c:?}");
        }
    }

    #[test]
    fn tables_are_sorted_runs() {
        for table in [DECIMAL, WORD] {
            let runs: std::vec::Vec<(u32, u32)> = table
                .iter()
                .map(|&r| (r >> RUN_LEN_BITS, (r >> RUN_LEN_BITS) + (r & 0x7ff)))
                .collect();
            assert!(runs.windows(2).all(|w| w[0].1 < w[1].0));
            assert!(runs.iter().all(|&(_, end)| end <= 0x10FFFF));
        }
        let starts: std::vec::Vec<u32> = DIGIT_VALUE.iter().map(|&r| r >> 8).collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]));
        // Python 3.11: 660 characters in Nd.
        let nd: u32 = DECIMAL.iter().map(|&r| (r & 0x7ff) + 1).sum();
        assert_eq!(nd, 660);
    }

    #[test]
    fn classes_agree_with_the_predicates() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let bits = c.class();
            let has = |bit: u8| bits & bit != 0;
            assert_eq!(has(class::DECIMAL), is_decimal(c), "{c:?}");
            assert_eq!(has(class::PLUS), is_plus(c), "{c:?}");
            assert_eq!(
                has(class::PUNCTUATION_OR_STAR),
                c == '*' || is_punctuation(c),
                "{c:?}"
            );
            assert_eq!(has(class::ALPHA), is_alpha_ignore_case(c), "{c:?}");
            let plain = is_decimal(c) || " -.()/+[]".contains(c);
            assert_eq!(has(class::PLAIN), plain, "{c:?}");
            if let Ok(b) = u8::try_from(c) {
                if b.is_ascii() {
                    assert_eq!(b.class(), bits, "{c:?}");
                }
            }
        }
    }

    #[test]
    fn case_folding_as_python() {
        assert!(eq_ignore_case('\u{212A}', 'k'));
        assert!(eq_ignore_case('\u{17F}', 's'));
        assert!(eq_ignore_case('\u{130}', 'i'));
        assert!(eq_ignore_case('\u{131}', 'i'));
        assert!(eq_ignore_case('X', 'x'));
        assert!(eq_ignore_case('\u{FF38}', '\u{FF58}'));
        assert!(eq_ignore_case('\u{1C81}', '\u{434}'));
        assert!(eq_ignore_case('\u{D3}', '\u{F3}'));
        assert!(!eq_ignore_case('y', 'x'));
        assert!(!eq_ignore_case('\u{3C3}', 's'));
        assert!(is_alpha_ignore_case('\u{212A}'));
        assert!(!is_alpha_ignore_case('\u{E9}'));
    }
}
