//! Extensions: the [`Extension`] type, and the recognizer for libphonenumber's extension
//! pattern (`;ext=`, `ext.`, `x`, `#`, `доб`, `anexo`, `,,` auto-dialling, …).
//!
//! libphonenumber finds an extension with a regular expression of six alternatives, anchored
//! at the end of the text and searched from the left, compiled case-insensitively. Every
//! alternative ends in a run of digits (then an optional `#`) and puts a non-digit before it,
//! so the digits an extension captures are always the whole run at the very end, and what
//! may precede them is fixed by a few characters read backwards from there: the separators
//! after a label, the label, the separators before it. [`extension_starts`] reads exactly
//! those, once, and yields every position where an extension could start, in time linear in
//! the few characters it reads (at most the 250 of the text). The leftmost such position is
//! where the regex search would have matched. The tests keep the pattern as six lists of
//! steps with a position-by-position definition, the reference this is checked against.

use core::fmt;

use super::buffer::Positions;
use super::chars::{class, digit_value, eq_ignore_case, is_decimal, Ch};
use super::scan::is_viable;

/// Longest extension libphonenumber reads (after an explicit label such as `ext.`).
pub(crate) const MAX_EXTENSION_DIGITS: usize = 20;

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

/// The character classes of the extension pattern.
#[derive(Clone, Copy)]
enum Class {
    /// `[ \u00A0\t,]`: between the number and an extension label.
    BeforeLabel,
    /// `[ \u00A0\t]`: before an auto-dialling label (no comma, the label has its own).
    BeforeAutodial,
    /// `[:\.．]`: right after a label.
    LabelPunctuation,
    /// `[ \u00A0\t,-]`: between the label and the digits.
    AfterLabel,
    /// `[- ]`: before a digits-and-`#` extension with no label.
    DashOrSpace,
    /// `,`
    Comma,
    /// `#` (the reading in [`extension_starts`] looks for it directly).
    #[cfg(test)]
    Hash,
}

impl Class {
    fn contains(self, c: char) -> bool {
        match self {
            Class::BeforeLabel => matches!(c, ' ' | '\u{A0}' | '\t' | ','),
            Class::BeforeAutodial => matches!(c, ' ' | '\u{A0}' | '\t'),
            Class::LabelPunctuation => matches!(c, ':' | '.' | '\u{FF0E}'),
            Class::AfterLabel => matches!(c, ' ' | '\u{A0}' | '\t' | ',' | '-'),
            Class::DashOrSpace => matches!(c, '-' | ' '),
            Class::Comma => c == ',',
            #[cfg(test)]
            Class::Hash => c == '#',
        }
    }
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

/// Ambiguous labels: `x`, `#`, `~` (and full-width forms), `int`. In the order of the
/// pattern's alternatives, `[xｘ#＃~～]|int|ｉｎｔ`: the finder (`src/find/scan.rs`) tries them
/// in that order, as the backtracking engine does.
pub(crate) const AMBIGUOUS_LABELS: &[&str] = &[
    "x",
    "\u{FF58}",
    "#",
    "\u{FF03}",
    "~",
    "\u{FF5E}",
    "int",
    "\u{FF49}\u{FF4E}\u{FF54}",
];

/// ASCII characters other than letters that end a word of the pattern.
const ASCII_WORD_ENDS: &[char] = &['#', '~', '=', ',', ';'];

/// The characters outside ASCII that match the last letter of a word of the pattern.
const OTHER_WORD_ENDS: &[char] = &[
    '\u{F3}', '\u{D3}', '\u{301}', '\u{FF54}', '\u{FF34}', '\u{FF4E}', '\u{FF2E}', '\u{FF58}',
    '\u{FF38}', '\u{431}', '\u{411}', '\u{FF03}', '\u{FF5E}',
];

/// Whether a word of the pattern can end with `c`. An ASCII character matches only an
/// ASCII letter of a word (ignoring case) or itself, so spaces, digits and punctuation other
/// than [`ASCII_WORD_ENDS`] end none; a test checks every word against every character.
fn may_end_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic() || ASCII_WORD_ENDS.contains(&c)
    } else {
        OTHER_WORD_ENDS.contains(&c)
    }
}

/// Where `word` starts if it occurs in `text` ending at `end`, compared from its last
/// letter, which rules out almost every word at once.
fn word_start<C: Ch>(text: &[C], end: usize, word: &str) -> Option<usize> {
    let mut start = end;
    for lit in word.chars().rev() {
        start = start.checked_sub(1)?;
        let &c = text.get(start)?;
        if !eq_ignore_case(c.into(), lit) {
            return None;
        }
    }
    Some(start)
}

/// How many characters of `class` come right before `end`.
fn run_before<C: Ch>(text: &[C], end: usize, class: Class) -> usize {
    text.get(..end)
        .unwrap_or(&[])
        .iter()
        .rev()
        .take_while(|&&c| class.contains(c.into()))
        .count()
}

/// The labelled alternatives of the pattern, in its order, by what tells them apart: the
/// separators allowed before the label, the label, the most digits after it.
#[derive(Clone, Copy)]
enum Label {
    /// One of the words, with the words each ASCII character can end ([`words_by_last`]).
    Word(&'static [&'static str], ByLast),
    /// One or more commas.
    Commas,
}

const AUTODIAL_LABELS: &[&str] = &[",,", ";"];
const RFC3966_LABEL: &str = ";ext=";

/// The words (bit `k`: `words[k]`, at most 32) whose last byte is the ASCII byte `b`,
/// ignoring ASCII case: the only words an ASCII character can end (the words are in lower
/// case, and an ASCII character matches no letter outside ASCII; a test checks every pair).
const fn words_ending_with(words: &[&str], b: u8) -> u32 {
    let folded = b.to_ascii_lowercase();
    let mut mask = 0;
    let mut k = 0;
    while k < words.len() && k < 32 {
        if let [.., last] = words[k].as_bytes() {
            if *last == folded {
                mask |= 1 << k;
            }
        }
        k += 1;
    }
    mask
}

/// [`words_ending_with`] of every ASCII byte.
#[cfg(not(target_os = "none"))]
const fn words_by_last(words: &[&str]) -> [u32; 128] {
    assert!(words.len() <= 32);
    let mut table = [0u32; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = words_ending_with(words, b as u8);
        b += 1;
    }
    table
}

/// [`words_by_last`] of a list of words: a table off firmware; on firmware, where the
/// tables' 1.5 KB of flash matter more than the time, nothing (the words are compared each
/// time, [`candidates`]).
#[cfg(not(target_os = "none"))]
type ByLast = &'static [u32; 128];
#[cfg(target_os = "none")]
type ByLast = ();

#[cfg(not(target_os = "none"))]
const EXPLICIT_BY_LAST: ByLast = &words_by_last(EXPLICIT_LABELS);
#[cfg(not(target_os = "none"))]
const AMBIGUOUS_BY_LAST: ByLast = &words_by_last(AMBIGUOUS_LABELS);
#[cfg(not(target_os = "none"))]
const AUTODIAL_BY_LAST: ByLast = &words_by_last(AUTODIAL_LABELS);
#[cfg(target_os = "none")]
const EXPLICIT_BY_LAST: ByLast = ();
#[cfg(target_os = "none")]
const AMBIGUOUS_BY_LAST: ByLast = ();
#[cfg(target_os = "none")]
const AUTODIAL_BY_LAST: ByLast = ();

/// The words (bit `k`: `words[k]`) that may end with `prev`: after an ASCII character, only
/// those whose last byte it is ([`words_ending_with`], from a table off firmware); after any
/// other, every word.
#[inline(always)]
fn candidates(words: &[&str], by_last: ByLast, prev: char) -> u32 {
    // Not `u8::try_from`: that takes `ó` (U+00F3), which ends words through no ASCII byte.
    if !prev.is_ascii() {
        return u32::MAX;
    }
    let b = prev as u8;
    #[cfg(not(target_os = "none"))]
    {
        let _ = words;
        by_last.get(usize::from(b)).copied().unwrap_or(0)
    }
    #[cfg(target_os = "none")]
    {
        let () = by_last;
        words_ending_with(words, b)
    }
}

const LABELLED: [(Class, Label, usize); 4] = [
    // Explicit label: " ext. 1234", "extensión 12#".
    (
        Class::BeforeLabel,
        Label::Word(EXPLICIT_LABELS, EXPLICIT_BY_LAST),
        20,
    ),
    // Ambiguous label: " x 123", "#123".
    (
        Class::BeforeLabel,
        Label::Word(AMBIGUOUS_LABELS, AMBIGUOUS_BY_LAST),
        9,
    ),
    // Auto-dialling: ",,123", ";123".
    (
        Class::BeforeAutodial,
        Label::Word(AUTODIAL_LABELS, AUTODIAL_BY_LAST),
        15,
    ),
    // Commas only: ",123".
    (Class::BeforeAutodial, Label::Commas, 9),
];

/// Every position `k` such that `text[k..]` is, in full, an extension (any alternative).
///
/// Each alternative, read backwards from the end: an optional `#` (a required one for the
/// American style, none after `;ext=`), the digits, which must be the whole final run since
/// nothing before them may be a digit, then (labelled alternatives) separators after the
/// label and one optional punctuation mark, the label, separators before it. A label can only
/// end where those separators start, or inside them (`,,` is made of separators), so the
/// candidates are the few positions of that one run; each label found adds the positions
/// from the start of the separators before it to its own start.
pub(super) fn extension_starts<C: Ch>(text: &[C]) -> Positions {
    let mut starts = Positions::empty();
    let at = |q: usize| text.get(q).map(|&c| c.into());
    let Some(last) = text.len().checked_sub(1) else {
        return starts;
    };
    let hash = at(last) == Some('#');
    let end = if hash { last } else { text.len() };
    let run = text
        .get(..end)
        .unwrap_or(&[])
        .iter()
        .rev()
        .take_while(|&&c| is_decimal(c.into()))
        .count();
    if run == 0 {
        return starts;
    }
    let digits = end - run;
    // RFC 3966: ";ext=1234", nothing after the digits.
    if !hash && run <= MAX_EXTENSION_DIGITS {
        if let Some(start) = word_start(text, digits, RFC3966_LABEL) {
            starts.insert(start);
        }
    }
    // American style: "- 503#", at least one dash or space, then at most six digits and `#`.
    if hash && run <= 6 {
        let dashes = run_before(text, digits, Class::DashOrSpace);
        if dashes > 0 {
            starts.insert_range(digits - dashes, digits - 1);
        }
    }
    // The separators after a label, and the punctuation mark that may come before them.
    let after = digits - run_before(text, digits, Class::AfterLabel);
    let first_end = match after.checked_sub(1) {
        Some(q) if at(q).is_some_and(|c| Class::LabelPunctuation.contains(c)) => q,
        _ => after,
    };
    for (before, label, max) in LABELLED {
        if run > max {
            continue;
        }
        for label_end in first_end..=digits {
            let Some(prev) = label_end.checked_sub(1).and_then(at) else {
                continue;
            };
            if !may_end_word(prev) {
                continue;
            }
            let mut found = |start: usize| {
                starts.insert_range(start - run_before(text, start, before), start);
            };
            match label {
                Label::Word(words, by_last) => {
                    let mut maybe = candidates(words, by_last, prev);
                    while maybe != 0 {
                        let k = maybe.trailing_zeros() as usize;
                        maybe &= maybe - 1;
                        let Some(word) = words.get(k) else {
                            break;
                        };
                        if let Some(start) = word_start(text, label_end, word) {
                            found(start);
                        }
                    }
                }
                Label::Commas if prev == ',' => {
                    // Every comma of the run can start the label (the separators before it
                    // reach on from the first): one range.
                    let commas = run_before(text, label_end, Class::Comma);
                    found(label_end - commas);
                    starts.insert_range(label_end - commas, label_end - 1);
                }
                Label::Commas => {}
            }
        }
    }
    starts
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
///
/// `starts` holds the extension starts of `text` if
/// [`is_viable_with`](super::scan::is_viable_with) computed them already.
///
/// The flag says whether the extension was written in ASCII digits: libphonenumber keeps an
/// extension's digits as written, and the number finder compares them with ASCII ones.
pub(super) fn split_extension<'t, C: Ch>(
    text: &'t [C],
    starts: &mut Option<Positions>,
) -> (&'t [C], Option<Extension>, bool) {
    // Every way of writing an extension needs a label or marker that is not a digit or plain
    // number punctuation (`;`, `,`, `#`, `＃`, `~`, `～`, or a letter), so a text made only of
    // those has no extension and the search over every position can be skipped: most
    // numbers are written that way.
    if text.iter().all(|&c| c.class() & class::PLAIN != 0) {
        return (text, None, true);
    }
    // Every alternative ends the text with its digits or a closing `#`, so a text ending in
    // anything else (`1-800-FLOWERS`) has no extension either.
    match text.last() {
        Some(&last) if last.into() == '#' || is_decimal(last.into()) => {}
        _ => return (text, None, true),
    }
    let Some(start) = starts.get_or_insert_with(|| extension_starts(text)).first() else {
        return (text, None, true);
    };
    match (text.get(..start), text.get(start..)) {
        (Some(number), Some(tail)) if is_viable(number) => {
            let digits = trailing_digits(tail);
            let ascii = digits.iter().all(|&c| c.into().is_ascii_digit());
            (number, Extension::from_chars(digits), ascii)
        }
        _ => (text, None, true),
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

    /// One element of an extension pattern.
    #[derive(Clone, Copy)]
    enum Step {
        /// Zero or more characters of a class.
        Many(Class),
        /// One or more characters of a class.
        AtLeastOne(Class),
        /// Zero or one character of a class.
        Optional(Class),
        /// One of several literal words, compared case-insensitively as Python does.
        Word(&'static [&'static str]),
        /// One to `n` decimal digits (the captured extension).
        Digits(usize),
    }

    /// The six alternatives of libphonenumber's extension pattern for parsing, in its order.
    const ALTERNATIVES: &[&[Step]] = &[
        // RFC 3966: ";ext=1234".
        &[Step::Word(&[RFC3966_LABEL]), Step::Digits(20)],
        // Explicit label: " ext. 1234", "extensión 12#".
        &[
            Step::Many(Class::BeforeLabel),
            Step::Word(EXPLICIT_LABELS),
            Step::Optional(Class::LabelPunctuation),
            Step::Many(Class::AfterLabel),
            Step::Digits(20),
            Step::Optional(Class::Hash),
        ],
        // Ambiguous label: " x 123", "#123".
        &[
            Step::Many(Class::BeforeLabel),
            Step::Word(AMBIGUOUS_LABELS),
            Step::Optional(Class::LabelPunctuation),
            Step::Many(Class::AfterLabel),
            Step::Digits(9),
            Step::Optional(Class::Hash),
        ],
        // American style: "- 503#".
        &[
            Step::AtLeastOne(Class::DashOrSpace),
            Step::Digits(6),
            Step::Word(&["#"]),
        ],
        // Auto-dialling: ",,123", ";123".
        &[
            Step::Many(Class::BeforeAutodial),
            Step::Word(AUTODIAL_LABELS),
            Step::Optional(Class::LabelPunctuation),
            Step::Many(Class::AfterLabel),
            Step::Digits(15),
            Step::Optional(Class::Hash),
        ],
        // Commas only: ",123".
        &[
            Step::Many(Class::BeforeAutodial),
            Step::AtLeastOne(Class::Comma),
            Step::Optional(Class::LabelPunctuation),
            Step::Many(Class::AfterLabel),
            Step::Digits(9),
            Step::Optional(Class::Hash),
        ],
    ];

    /// Where `word` ends if it occurs in `text` at `pos`.
    fn word_end(text: &[char], pos: usize, word: &str) -> Option<usize> {
        let mut end = pos;
        for lit in word.chars() {
            let &c = text.get(end)?;
            if !eq_ignore_case(c, lit) {
                return None;
            }
            end += 1;
        }
        Some(end)
    }

    /// The definition, position by position: `q` is in a step's set when the step matches
    /// from `q` to some position of `next`. Quadratic, and kept only as the reference that
    /// [`extension_starts`] is checked against.
    fn reference_backwards(step: Step, text: &[char], next: &Positions) -> Positions {
        let n = text.len();
        let mut out = Positions::empty();
        let in_class = |class: Class, q: usize| text.get(q).is_some_and(|&c| class.contains(c));
        for q in (0..=n).rev() {
            let hit = match step {
                Step::Many(class) => {
                    next.contains(q) || (in_class(class, q) && out.contains(q + 1))
                }
                Step::AtLeastOne(class) => {
                    in_class(class, q) && (next.contains(q + 1) || out.contains(q + 1))
                }
                Step::Optional(class) => {
                    next.contains(q) || (in_class(class, q) && next.contains(q + 1))
                }
                Step::Word(words) => words
                    .iter()
                    .any(|w| word_end(text, q, w).is_some_and(|e| next.contains(e))),
                Step::Digits(max) => {
                    let run = text[q..]
                        .iter()
                        .take(max)
                        .take_while(|&&c| is_decimal(c))
                        .count();
                    (1..=run).any(|len| next.contains(q + len))
                }
            };
            if hit {
                out.insert(q);
            }
        }
        out
    }

    fn reference_starts(text: &[char]) -> Positions {
        let mut all = Positions::empty();
        for steps in ALTERNATIVES {
            let mut set = Positions::empty();
            set.insert(text.len());
            for &step in steps.iter().rev() {
                set = reference_backwards(step, text, &set);
            }
            all.union_with(&set);
        }
        all
    }

    fn same(a: &Positions, b: &Positions) -> bool {
        a.iter_desc().eq(b.iter_desc())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4000))]
        /// The direct reading finds exactly the positions of the definition, on text made of
        /// the characters extensions are written with.
        #[test]
        fn starts_match_definition(
            picks in proptest::collection::vec(0usize..70, 0..100)
        ) {
            const ALPHABET: [char; 40] = [
                '1', '2', '3', '0', '٤', '１', ' ', ' ', ',', ',', ';', ':', '.', '．', '-', '#',
                '＃', '~', 'x', 'X', 'ｘ', 'e', 't', 'n', 's', 'i', 'o', '\u{301}', 'ó', 'a',
                'д', 'о', 'б', '=', '\u{A0}', '\t', 'ｅ', 'ｔ', '\u{131}', 'K',
            ];
            // Past the alphabet, a digit: long runs of digits test the length limits.
            let t: std::vec::Vec<char> =
                picks.iter().map(|&i| ALPHABET.get(i).copied().unwrap_or('7')).collect();
            let fast = extension_starts(t.as_slice());
            let slow = reference_starts(&t);
            proptest::prop_assert!(same(&fast, &slow), "{:?}", t);
        }
    }

    #[test]
    fn starts_match_definition_on_labels() {
        for s in [
            "1234;ext=5678",
            "1234 , ,, ext.: - 12#",
            "12 x 34 x 56",
            "1,,2,,3;4",
            "1 - - 503#",
            "5 extensión 1",
            "5 extensio\u{301}n 1",
            "1234 ｅｘｔｎ１２",
            ",,,,,,,,,,,,,,,,,,,,,,,1",
        ] {
            let t = text(s);
            let same_sets = same(
                &extension_starts(t.as_slice()),
                &reference_starts(t.as_slice()),
            );
            assert!(same_sets, "{s}");
        }
    }

    #[test]
    fn every_alternative_needs_a_word_or_a_comma() {
        for steps in ALTERNATIVES {
            let needs = steps
                .iter()
                .any(|s| matches!(s, Step::Word(_) | Step::AtLeastOne(Class::Comma)));
            assert!(needs);
        }
        assert!(may_end_word(','));
    }

    #[test]
    fn word_ends_pass_the_filters() {
        for steps in ALTERNATIVES {
            for step in *steps {
                if let Step::Word(words) = step {
                    for word in *words {
                        let last = word.chars().next_back().unwrap();
                        assert!(!is_decimal(last), "{word}");
                        // Every character that can match the last letter passes the filter.
                        for c in (0..0x11000).filter_map(char::from_u32) {
                            if eq_ignore_case(c, last) {
                                assert!(may_end_word(c), "{word}: {c:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn ascii_characters_end_only_words_whose_last_byte_is_them_in_lower_case() {
        for (_, label, _) in LABELLED {
            let Label::Word(words, by_last) = label else {
                continue;
            };
            for c in ['\u{80}', '\u{F3}', '\u{D3}', 'é', '\u{FF54}'] {
                assert_eq!(candidates(words, by_last, c), u32::MAX, "{c:?}");
            }
            for b in 0u8..128 {
                let c = char::from(b);
                for (k, w) in words.iter().enumerate() {
                    let ends_it = eq_ignore_case(c, w.chars().next_back().unwrap());
                    let picked = candidates(words, by_last, c) & (1 << k) != 0;
                    assert_eq!(picked, ends_it, "{c:?} {w:?}");
                }
            }
        }
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
