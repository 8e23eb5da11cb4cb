//! Extensions: the [`Extension`] type, and the recognizer for libphonenumber's extension
//! pattern (`;ext=`, `ext.`, `x`, `#`, `доб`, `anexo`, `,,` auto-dialling, …).
//!
//! libphonenumber finds an extension with a regular expression of six alternatives, anchored
//! at the end of the text and searched from the left, compiled case-insensitively. Here each
//! alternative is a short list of [`Step`]s run *backwards* from the end of the text over a
//! set of positions: one pass per alternative yields every position where an extension could
//! start, with no backtracking and a cost linear in the text (at most 250 characters). The
//! leftmost such position is where the regex search would have matched, and the digits it
//! captures are always the run of digits at the very end (before an optional `#`), because
//! every alternative puts a non-digit before its digits.

use core::fmt;

use super::buffer::Positions;
use super::chars::{class, digit_value, eq_ignore_case, is_decimal, Ch};
use super::scan::is_viable;

/// Longest extension libphonenumber reads (after an explicit label such as `ext.`).
const MAX_EXTENSION_DIGITS: usize = 20;

/// A phone extension: the digits dialled after the call connects, as ASCII (`"1234"` for
/// `ext. １２３４`), at most 20 of them.
///
/// Returned by [`parse_with_extension`](crate::parse::parse_with_extension); [`parse`] drops
/// it, since the extension is not part of the E.164 number.
///
/// [`parse`]: crate::parse()
///
/// ```
/// use phonetoken::{parse_with_extension, Region};
///
/// let us: Region = "US".parse()?;
/// let (number, ext) = parse_with_extension("(650) 253-0000 ext. 1234", Some(us))?;
/// assert_eq!(number.as_str(), "+16502530000");
/// assert_eq!(ext.map(|e| e.to_string()).as_deref(), Some("1234"));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extension {
    digits: [u8; MAX_EXTENSION_DIGITS],
    len: u8,
}

impl Extension {
    /// Builds an extension from digits in any script; `None` for other characters, no digits
    /// or more than 20.
    fn from_chars<C: Ch>(chars: &[C]) -> Option<Extension> {
        if chars.is_empty() || chars.len() > MAX_EXTENSION_DIGITS {
            return None;
        }
        let mut digits = [0u8; MAX_EXTENSION_DIGITS];
        for (slot, &c) in digits.iter_mut().zip(chars) {
            *slot = b'0' + digit_value(c.into())?;
        }
        Some(Extension {
            digits,
            len: u8::try_from(chars.len()).ok()?,
        })
    }

    /// The extension's ASCII digits.
    ///
    /// ```
    /// use phonetoken::{parse_with_extension, Region};
    ///
    /// let de: Region = "DE".parse()?;
    /// let (_, ext) = parse_with_extension("030 123456;ext=٤٢", Some(de))?;
    /// assert_eq!(ext.unwrap().as_str(), "42");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn as_str(&self) -> &str {
        let digits = self.digits.get(..usize::from(self.len)).unwrap_or(&[]);
        // Only ASCII digits are ever stored; the fallback is unreachable.
        core::str::from_utf8(digits).unwrap_or("")
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Extension").field(&self.as_str()).finish()
    }
}

/// One element of an extension pattern.
#[derive(Clone, Copy)]
enum Step {
    /// Zero or more characters of a class.
    Many(fn(char) -> bool),
    /// One or more characters of a class.
    AtLeastOne(fn(char) -> bool),
    /// Zero or one character of a class.
    Optional(fn(char) -> bool),
    /// One of several literal words, compared case-insensitively as Python does.
    Word(&'static [&'static str]),
    /// One to `n` decimal digits (the captured extension).
    Digits(usize),
}

/// `[ \u00A0\t,]`: between the number and an extension label.
fn before_label(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\t' | ',')
}

/// `[ \u00A0\t]`: before an auto-dialling label (no comma, the label has its own).
fn before_autodial(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\t')
}

/// `[:\.．]`: right after a label.
fn label_punctuation(c: char) -> bool {
    matches!(c, ':' | '.' | '\u{FF0E}')
}

/// `[ \u00A0\t,-]`: between the label and the digits.
fn after_label(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\t' | ',' | '-')
}

/// `[- ]`: before a digits-and-`#` extension with no label.
fn dash_or_space(c: char) -> bool {
    matches!(c, '-' | ' ')
}

fn comma(c: char) -> bool {
    c == ','
}

fn hash(c: char) -> bool {
    c == '#'
}

/// Explicit labels: `e?xt(?:ensi(?:o\u0301?|\u00F3))?n?`, full-width `ｅ?ｘｔｎ?`, `доб`,
/// `anexo`, spelled out.
const EXPLICIT_LABELS: &[&str] = &[
    "xt",
    "xtn",
    "ext",
    "extn",
    "xtensio",
    "xtension",
    "extensio",
    "extension",
    "xtensio\u{301}",
    "xtensio\u{301}n",
    "extensio\u{301}",
    "extensio\u{301}n",
    "xtensi\u{F3}",
    "xtensi\u{F3}n",
    "extensi\u{F3}",
    "extensi\u{F3}n",
    "\u{FF58}\u{FF54}",
    "\u{FF58}\u{FF54}\u{FF4E}",
    "\u{FF45}\u{FF58}\u{FF54}",
    "\u{FF45}\u{FF58}\u{FF54}\u{FF4E}",
    "\u{434}\u{43E}\u{431}",
    "anexo",
];

/// Ambiguous labels: `x`, `#`, `~` (and full-width forms), `int`.
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

/// The six alternatives of libphonenumber's extension pattern for parsing, in its order.
const ALTERNATIVES: &[&[Step]] = &[
    // RFC 3966: ";ext=1234".
    &[Step::Word(&[";ext="]), Step::Digits(20)],
    // Explicit label: " ext. 1234", "extensión 12#".
    &[
        Step::Many(before_label),
        Step::Word(EXPLICIT_LABELS),
        Step::Optional(label_punctuation),
        Step::Many(after_label),
        Step::Digits(20),
        Step::Optional(hash),
    ],
    // Ambiguous label: " x 123", "#123".
    &[
        Step::Many(before_label),
        Step::Word(AMBIGUOUS_LABELS),
        Step::Optional(label_punctuation),
        Step::Many(after_label),
        Step::Digits(9),
        Step::Optional(hash),
    ],
    // American style: "- 503#".
    &[
        Step::AtLeastOne(dash_or_space),
        Step::Digits(6),
        Step::Word(&["#"]),
    ],
    // Auto-dialling: ",,123", ";123".
    &[
        Step::Many(before_autodial),
        Step::Word(&[",,", ";"]),
        Step::Optional(label_punctuation),
        Step::Many(after_label),
        Step::Digits(15),
        Step::Optional(hash),
    ],
    // Commas only: ",123".
    &[
        Step::Many(before_autodial),
        Step::AtLeastOne(comma),
        Step::Optional(label_punctuation),
        Step::Many(after_label),
        Step::Digits(9),
        Step::Optional(hash),
    ],
];

/// Where `word` ends if it occurs in `text` at `pos`.
fn word_end<C: Ch>(text: &[C], pos: usize, word: &str) -> Option<usize> {
    let mut end = pos;
    for lit in word.chars() {
        let &c = text.get(end)?;
        if !eq_ignore_case(c.into(), lit) {
            return None;
        }
        end += 1;
    }
    Some(end)
}

impl Step {
    /// The positions from which this step can reach one of `next` (positions where the rest
    /// of the pattern matches through to the end).
    fn backwards<C: Ch>(self, text: &[C], next: &Positions) -> Positions {
        let n = text.len();
        let mut out = Positions::empty();
        let in_class =
            |class: fn(char) -> bool, q: usize| text.get(q).is_some_and(|&c| class(c.into()));
        match self {
            Step::Many(class) => {
                for q in (0..=n).rev() {
                    if next.contains(q) || (in_class(class, q) && out.contains(q + 1)) {
                        out.insert(q);
                    }
                }
            }
            Step::AtLeastOne(class) => {
                for q in (0..n).rev() {
                    if in_class(class, q) && (next.contains(q + 1) || out.contains(q + 1)) {
                        out.insert(q);
                    }
                }
            }
            Step::Optional(class) => {
                for q in 0..=n {
                    if next.contains(q) || (in_class(class, q) && next.contains(q + 1)) {
                        out.insert(q);
                    }
                }
            }
            Step::Word(words) => {
                for q in 0..n {
                    let reaches = words
                        .iter()
                        .any(|w| word_end(text, q, w).is_some_and(|e| next.contains(e)));
                    if reaches {
                        out.insert(q);
                    }
                }
            }
            Step::Digits(max) => {
                for q in 0..n {
                    let run = text
                        .get(q..)
                        .unwrap_or(&[])
                        .iter()
                        .take(max)
                        .take_while(|&&c| is_decimal(c.into()))
                        .count();
                    if (1..=run).any(|len| next.contains(q + len)) {
                        out.insert(q);
                    }
                }
            }
        }
        out
    }
}

/// Every position `k` such that `text[k..]` is, in full, an extension (any alternative).
pub(super) fn extension_starts<C: Ch>(text: &[C]) -> Positions {
    let mut all = Positions::empty();
    for steps in ALTERNATIVES {
        let mut set = Positions::empty();
        set.insert(text.len());
        for step in steps.iter().rev() {
            set = step.backwards(text, &set);
        }
        all.union_with(&set);
    }
    all
}

/// The extension digits of a text known to end in an extension: the final run of digits,
/// before a closing `#` if there is one.
fn trailing_digits<C: Ch>(text: &[C]) -> &[C] {
    let body = match text.split_last() {
        Some((&last, rest)) if last.into() == '#' => rest,
        _ => text,
    };
    let run = body
        .iter()
        .rev()
        .take_while(|&&c| is_decimal(c.into()))
        .count();
    body.get(body.len() - run..).unwrap_or(&[])
}

/// Splits a trailing extension off `text`, as libphonenumber does: at the leftmost position
/// where one matches, and only if what comes before it is itself a viable number.
pub(super) fn split_extension<C: Ch>(text: &[C]) -> (&[C], Option<Extension>) {
    // Every way of writing an extension needs a label or marker that is not a digit or plain
    // number punctuation (`;`, `,`, `#`, `＃`, `~`, `～`, or a letter), so a text made only of
    // those has no extension and the search over every position can be skipped: most
    // numbers are written that way.
    if text.iter().all(|&c| c.class() & class::PLAIN != 0) {
        return (text, None);
    }
    // Every alternative ends the text with its digits or a closing `#`, so a text ending in
    // anything else (`1-800-FLOWERS`) has no extension either.
    match text.last() {
        Some(&last) if last.into() == '#' || is_decimal(last.into()) => {}
        _ => return (text, None),
    }
    let Some(start) = extension_starts(text).first() else {
        return (text, None);
    };
    match (text.get(..start), text.get(start..)) {
        (Some(number), Some(tail)) if is_viable(number) => {
            (number, Extension::from_chars(trailing_digits(tail)))
        }
        _ => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::buffer::Text;

    fn text(s: &str) -> Text {
        let mut t = Text::new();
        assert!(t.extend(s.chars()));
        t
    }

    /// The start of the extension and its digits, ignoring the viability of the rest.
    fn find(s: &str) -> Option<(usize, std::string::String)> {
        let t = text(s);
        let chars = t.as_slice();
        let start = extension_starts(chars).first()?;
        let ext = Extension::from_chars(trailing_digits(&chars[start..]))?;
        Some((start, ext.as_str().into()))
    }

    // Expected starts and digits: Python `_EXTN_PATTERN.search(s)` → (m.start(), group).
    #[test]
    fn alternatives() {
        assert_eq!(find("1234;ext=5678"), Some((4, "5678".into())));
        assert_eq!(find("1234 ext. 5678"), Some((4, "5678".into())));
        assert_eq!(find("1234 EXTENSIÓN: 56#"), Some((4, "56".into())));
        assert_eq!(find("1234 extensio\u{301}n 5"), Some((4, "5".into())));
        assert_eq!(find("1234 x 5678"), Some((4, "5678".into())));
        assert_eq!(find("1234 X5678"), Some((4, "5678".into())));
        assert_eq!(find("1234 - 503#"), Some((4, "503".into())));
        assert_eq!(find("1234,,5678"), Some((4, "5678".into())));
        assert_eq!(find("1234;5678"), Some((4, "5678".into())));
        assert_eq!(find("1234,5678"), Some((4, "5678".into())));
        assert_eq!(find("1234 доб 12"), Some((4, "12".into())));
        assert_eq!(find("1234 ДОБ 12"), Some((4, "12".into())));
        assert_eq!(find("1234 anexo 12"), Some((4, "12".into())));
        assert_eq!(find("1234 ｅｘｔ１２"), Some((4, "12".into())));
        assert_eq!(find("1234 \u{212A}"), None);
        assert_eq!(find("1234 int 9"), Some((4, "9".into())));
        assert_eq!(find("1234 \u{131}nt 9"), Some((4, "9".into())));
    }

    #[test]
    fn digit_limits() {
        // 10 digits after "x" exceed the ambiguous limit (9), but "1234 x" then fails too.
        assert_eq!(find("1234 x 1234567890"), None);
        assert_eq!(
            find("1234 ext 12345678901234567890"),
            Some((4, "12345678901234567890".into()))
        );
        assert_eq!(find("1234 ext 123456789012345678901"), None);
        // "- 1234567#": seven digits are too many for the American style.
        assert_eq!(find("1234 - 1234567#"), None);
    }

    #[test]
    fn leftmost_start() {
        // Separators before the label belong to the match.
        assert_eq!(find("1234 ,  ext 5"), Some((4, "5".into())));
        assert_eq!(find("1234 #"), None);
    }

    #[test]
    fn extension_display() {
        let t = text("١٢");
        let e = Extension::from_chars(t.as_slice()).unwrap();
        assert_eq!(e.as_str(), "12");
        assert_eq!(std::format!("{e}"), "12");
        assert_eq!(std::format!("{e:?}"), "Extension(\"12\")");
        assert!(Extension::from_chars(&['1'; 21]).is_none());
        assert!(Extension::from_chars::<char>(&[]).is_none());
    }
}
