//! Turning the characters of a candidate into ASCII digits.
//!
//! libphonenumber has two modes, chosen per string. A string with at least three ASCII
//! letters (and no line break) is a vanity number such as `1-800-FLOWERS`: letters become
//! keypad digits (ITU-T E.161), ASCII digits stay, and everything else, including digits of
//! other scripts, is dropped. Any other string keeps only its digits, in every script,
//! converted by their Unicode digit value.

use super::buffer::Digits;
use super::chars::{digit_value, Ch};

/// Whether libphonenumber reads `text` as a vanity number: three ASCII letters or more, and
/// no `\n` (its pattern's `.` does not cross a line break).
fn is_vanity<C: Ch>(text: &[C]) -> bool {
    let mut letters = 0usize;
    for &c in text {
        let c: char = c.into();
        if c == '\n' {
            return false;
        }
        letters += usize::from(c.is_ascii_alphabetic());
    }
    letters >= 3
}

/// The keypad digit of a character whose upper case (Python's `str.upper`) is an ASCII
/// letter or digit: ASCII letters and digits, `ı` (upper case `I`) and `ſ` (upper case `S`).
fn keypad_digit(c: char) -> Option<u8> {
    let upper = match c {
        '\u{131}' => 'I',
        '\u{17F}' => 'S',
        _ if c.is_ascii_alphanumeric() => c.to_ascii_uppercase(),
        _ => return None,
    };
    Some(match upper {
        '0'..='9' => upper as u8,
        'A'..='C' => b'2',
        'D'..='F' => b'3',
        'G'..='I' => b'4',
        'J'..='L' => b'5',
        'M'..='O' => b'6',
        'P'..='S' => b'7',
        'T'..='V' => b'8',
        _ => b'9',
    })
}

/// libphonenumber's `normalize`: the ASCII digits `text` stands for, written over `out`.
pub(super) fn normalize_into<C: Ch, const N: usize>(text: &[C], out: &mut Digits<N>) {
    out.clear();
    if is_vanity(text) {
        for digit in text.iter().filter_map(|&c| keypad_digit(c.into())) {
            out.push(digit);
        }
    } else {
        for value in text.iter().filter_map(|&c| digit_value(c.into())) {
            out.push(b'0' + value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> std::string::String {
        let chars: std::vec::Vec<char> = s.chars().collect();
        let mut d = Digits::<256>::new();
        normalize_into(&chars, &mut d);
        let ascii = s.is_ascii().then(|| {
            let mut b = Digits::<256>::new();
            normalize_into(s.as_bytes(), &mut b);
            b.as_slice().to_vec()
        });
        if let Some(ascii) = ascii {
            assert_eq!(ascii, d.as_slice(), "bytes and chars disagree on {s:?}");
        }
        std::string::String::from_utf8(d.as_slice().to_vec()).unwrap()
    }

    // Expected values: Python `phonenumberutil._normalize(s)`.
    #[test]
    fn digits_of_all_scripts() {
        assert_eq!(norm("+1 (650) 253-0000"), "16502530000");
        assert_eq!(norm("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(norm("۰۱۲"), "012");
        assert_eq!(norm("１２３"), "123");
        assert_eq!(norm("1²③"), "123");
        assert_eq!(norm("12ab"), "12");
    }

    #[test]
    fn vanity_numbers() {
        assert_eq!(norm("1-800-FLOWERS"), "18003569377");
        assert_eq!(norm("1-800-flowers"), "18003569377");
        assert_eq!(norm("abc ١٢ 3"), "2223");
        assert_eq!(norm("ab\u{131}\u{17F}"), "");
        assert_eq!(norm("abc\u{131}\u{17F}"), "22247");
        assert_eq!(norm("abc\n1"), "1");
        assert_eq!(norm("\u{131}\u{17F}z1"), "1");
    }
}
