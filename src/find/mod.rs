//! Phone numbers in free text (feature `find`): libphonenumber's `PhoneNumberMatcher`.
//!
//! [`find_numbers`] walks a text and yields each number written in it with its byte range,
//! the same spans and numbers libphonenumber finds for the same text, default region and
//! [`Leniency`]. Nothing allocates: candidates are found by a forward scan, checked by the
//! matcher's tests (brackets, dates, publication pages, time stamps, the letters around
//! them) and parsed on the stack. The work is bounded the way libphonenumber bounds it: after
//! [`DEFAULT_MAX_TRIES`] candidates that were not numbers, the search gives up.
//!
//! ```
//! use phonetoken::{find_numbers, Region};
//!
//! let us: Region = "US".parse()?;
//! let text = "Call 650-253-0000 or +44 20 7946 0958, not order 12345.";
//! let found: Vec<_> = find_numbers(text, Some(us))
//!     .map(|m| (m.as_str(), m.number().to_string()))
//!     .collect();
//! assert_eq!(
//!     found,
//!     [
//!         ("650-253-0000", "+16502530000".to_string()),
//!         ("+44 20 7946 0958", "+442079460958".to_string())
//!     ]
//! );
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

mod checks;
mod scan;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub mod scrub;

use core::ops::Range;

use crate::metadata;
use crate::number::{PhoneNumber, Region};
use crate::parse::{self, Extension, ParseError, Parsed};

/// How many candidates that are not numbers a search tries before it gives up on the text:
/// libphonenumber's default `maxTries`.
pub const DEFAULT_MAX_TRIES: u32 = 65_535;

/// How sure a match must be, as libphonenumber's `Leniency` (its two lenient levels).
///
/// ```
/// use phonetoken::{find_numbers, Leniency, Region};
///
/// let us: Region = "US".parse()?;
/// // A possible length, but no US area code starts with 1.
/// let text = "ref 123-456-7890";
/// assert_eq!(find_numbers(text, Some(us)).count(), 0);
/// assert_eq!(find_numbers(text, Some(us)).leniency(Leniency::Possible).count(), 1);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Leniency {
    /// A possible number (`isPossibleNumber`): the right length for its country.
    Possible,
    /// A valid number (`isValidNumber`), not glued to Latin letters or a currency sign, with
    /// its national prefix where the country writes one, and `x` only before an extension
    /// (or doubled, before a carrier code). libphonenumber's default.
    #[default]
    Valid,
}

/// A number found in text: where it is written, and what it is.
///
/// ```
/// use phonetoken::{find_numbers, Region};
///
/// let us: Region = "US".parse()?;
/// let text = "desk: (650) 253-0000 ext. 12.";
/// let m = find_numbers(text, Some(us)).next().unwrap();
/// assert_eq!(m.range(), 6..28);
/// assert_eq!(&text[m.range()], m.as_str());
/// assert_eq!(m.number().as_str(), "+16502530000");
/// assert_eq!(m.extension().map(|e| e.to_string()).as_deref(), Some("12"));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match<'t> {
    text: &'t str,
    start: usize,
    number: PhoneNumber,
    extension: Option<Extension>,
}

impl<'t> Match<'t> {
    /// Where the match starts in the text, in bytes.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let m = find_numbers("é +1 650 253 0000", None).next().unwrap();
    /// assert_eq!(m.start(), 3);
    /// ```
    pub fn start(&self) -> usize {
        self.start
    }

    /// Where the match ends in the text, in bytes (exclusive).
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let m = find_numbers("+1 650 253 0000.", None).next().unwrap();
    /// assert_eq!(m.end(), 15);
    /// ```
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// The byte range of the match in the text.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let text = "fax +1 650 253 0000";
    /// let m = find_numbers(text, None).next().unwrap();
    /// assert_eq!(&text[m.range()], "+1 650 253 0000");
    /// ```
    pub fn range(&self) -> Range<usize> {
        self.start..self.end()
    }

    /// The matched text as written.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let m = find_numbers("tel +1-650-253-0000!", None).next().unwrap();
    /// assert_eq!(m.as_str(), "+1-650-253-0000");
    /// ```
    pub fn as_str(&self) -> &'t str {
        self.text
    }

    /// The number, normalized as [`parse`](crate::parse()) gives it.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let m = find_numbers("+1 (650) 253-0000", None).next().unwrap();
    /// assert_eq!(m.number().as_str(), "+16502530000");
    /// ```
    pub fn number(&self) -> PhoneNumber {
        self.number
    }

    /// The extension written after the number, if any.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let m = find_numbers("+1 650 253 0000 x 42", None).next().unwrap();
    /// assert_eq!(m.extension().map(|e| e.to_string()).as_deref(), Some("42"));
    /// ```
    pub fn extension(&self) -> Option<Extension> {
        self.extension
    }
}

/// The numbers in a text, in order: the iterator [`find_numbers`] returns.
///
/// ```
/// use phonetoken::{find_numbers, Leniency};
///
/// let text = "+1 650 253 0000 / +1 123 456 7890";
/// let strict: Vec<_> = find_numbers(text, None).map(|m| m.as_str()).collect();
/// assert_eq!(strict, ["+1 650 253 0000"]);
/// let lenient = find_numbers(text, None).leniency(Leniency::Possible).count();
/// assert_eq!(lenient, 2);
/// ```
#[derive(Clone, Debug)]
pub struct Matches<'t> {
    text: &'t str,
    region: Option<Region>,
    leniency: Leniency,
    /// Tries left; libphonenumber's counter goes below zero on the last candidate, and
    /// stops the search at zero or below.
    tries: i64,
    /// Where the next search starts (`None`: done).
    index: Option<usize>,
    /// The search stopped because the tries ran out with text left to search.
    gave_up: bool,
    /// Fewer digits than these never parse with `region` (see `parse_and_verify`).
    fewest_digits: metadata::FewestDigits,
    /// Every step run on every candidate, none skipped by its [`Shape`]: the reference the
    /// tests compare the shortcuts with.
    #[cfg(test)]
    exhaustive: bool,
}

/// The numbers written in `text`, as libphonenumber's `PhoneNumberMatcher(text, region)`
/// finds them (leniency [`Leniency::Valid`], [`DEFAULT_MAX_TRIES`]).
///
/// `region` is the default region for numbers written without their country code; with
/// `None`, only numbers written in international form (with `+`) are found.
///
/// ```
/// use phonetoken::{find_numbers, Region};
///
/// let de: Region = "DE".parse()?;
/// let text = "Ruf an: 030 1234567, am 3/10/2011 um 14 Uhr.";
/// let numbers: Vec<_> = find_numbers(text, Some(de)).map(|m| m.number()).collect();
/// assert_eq!(numbers.len(), 1);
/// assert_eq!(numbers[0].as_str(), "+49301234567");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub fn find_numbers(text: &str, region: Option<Region>) -> Matches<'_> {
    Matches {
        text,
        region,
        leniency: Leniency::Valid,
        tries: i64::from(DEFAULT_MAX_TRIES),
        index: Some(0),
        gave_up: false,
        fewest_digits: metadata::fewest_digits_to_parse(region),
        #[cfg(test)]
        exhaustive: false,
    }
}

impl<'t> Matches<'t> {
    /// The same search with another leniency.
    ///
    /// ```
    /// use phonetoken::{find_numbers, Leniency};
    ///
    /// let found = find_numbers("+1 123 456 7890", None).leniency(Leniency::Possible);
    /// assert_eq!(found.count(), 1);
    /// ```
    pub fn leniency(mut self, leniency: Leniency) -> Self {
        self.leniency = leniency;
        self
    }

    /// The same search giving up after `max_tries` candidates that were not numbers
    /// (libphonenumber's `maxTries`); 0 finds nothing.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let text = "1-2 3-4 +1 650 253 0000";
    /// assert_eq!(find_numbers(text, None).count(), 1);
    /// assert_eq!(find_numbers(text, None).max_tries(1).count(), 0);
    /// ```
    pub fn max_tries(mut self, max_tries: u32) -> Self {
        self.tries = i64::from(max_tries);
        self
    }

    /// Whether the search stopped because it ran out of tries while text was left to
    /// search: the numbers found are then not all the numbers of the text (libphonenumber
    /// stops the same way, without saying so). Whoever must not leave a number behind, as a
    /// scrubber, checks this once the iterator is done.
    ///
    /// ```
    /// use phonetoken::find_numbers;
    ///
    /// let mut found = find_numbers("1-2 3-4 +1 650 253 0000", None).max_tries(1);
    /// assert_eq!(found.next(), None);
    /// assert!(found.gave_up());
    /// let mut all = find_numbers("1-2 3-4 +1 650 253 0000", None);
    /// assert!(all.next().is_some() && all.next().is_none());
    /// assert!(!all.gave_up());
    /// ```
    pub fn gave_up(&self) -> bool {
        self.gave_up
    }

    /// libphonenumber's `find`: the first number at or after `index`.
    fn find(&mut self, mut index: usize) -> Option<Match<'t>> {
        let text = self.text;
        while self.tries > 0 {
            let (start, mut end) = scan::next_candidate(text, index)?;
            let mut shape = self.shape_of(text.get(start..end)?);
            if shape.bits & shape::SLASH != 0 {
                let candidate = text.get(start..end)?;
                if let Some(cut) = scan::second_number_start(candidate) {
                    end = start + cut;
                    shape = self.shape_of(text.get(start..end)?);
                }
            }
            // Too few digits for any part of the candidate to parse: when it also holds
            // nothing a date, a time or a cut looks for (most digit runs of ordinary text),
            // the answer is no match and one try, without the steps that would say so.
            if !self.too_short(shape) || shape.bits & shape::CUTS_OR_CHECKS != 0 {
                if let Some(m) = self.extract(start, end, shape) {
                    return Some(m);
                }
            }
            self.tries -= 1;
            index = end;
        }
        // Out of tries: the search gave up, unless no candidate was left.
        self.gave_up |= scan::next_candidate(text, index).is_some();
        None
    }

    /// The [`Shape`] of `text`.
    fn shape_of(&self, text: &str) -> Shape {
        #[cfg(test)]
        if self.exhaustive {
            return Shape {
                could_be_digits: usize::MAX,
                bits: u16::MAX,
            };
        }
        Shape::of(text)
    }

    /// Whether a text of this shape has fewer characters that could give a digit than any
    /// text that parses (and so has each part of it).
    fn too_short(&self, shape: Shape) -> bool {
        let fewest = if shape.bits & (shape::PLUS | shape::NON_ASCII) != 0 {
            self.fewest_digits.any
        } else {
            self.fewest_digits.without_plus
        };
        shape.could_be_digits < fewest
    }

    /// `extractMatch`: the candidate `start..end`, unless it looks like a date or a time, or
    /// else a number inside it. Of a candidate too short for any part of it to parse, only
    /// the tries its parts take are counted.
    fn extract(&mut self, start: usize, end: usize, shape: Shape) -> Option<Match<'t>> {
        let candidate = self.text.get(start..end)?;
        // A date needs a `/`, a time stamp a space.
        let may = |bits| shape.bits & bits != 0;
        if may(shape::SLASH) && checks::looks_like_date(candidate) {
            return None;
        }
        if may(shape::SPACE)
            && checks::looks_like_time_stamp(candidate)
            && checks::starts_with_minutes(self.text.get(end..).unwrap_or(""))
        {
            return None;
        }
        let hopeless = self.too_short(shape);
        self.verify(hopeless, start, end)
            .or_else(|| self.extract_inner(start, end, shape))
    }

    /// [`parse_and_verify`](Self::parse_and_verify), unless the text is known to be too
    /// short.
    fn verify(&self, hopeless: bool, start: usize, end: usize) -> Option<Match<'t>> {
        if hopeless {
            None
        } else {
            self.parse_and_verify(start, end)
        }
    }

    /// `extractInnerMatch`: the candidate cut at a slash, a bracket, a dash, a full stop or
    /// a space (in that order of preference), trying the part before the first cut and each
    /// part after one.
    fn extract_inner(&mut self, start: usize, end: usize, shape: Shape) -> Option<Match<'t>> {
        let candidate = self.text.get(start..end)?;
        let hopeless = self.too_short(shape);
        // Where the unwanted characters at the very end start, for the parts that run to
        // the end of the candidate.
        let trimmed_end = || trim_end(candidate, 0, candidate.len());
        let may_match = inner::may_match(shape);
        for cut in inner::CUTS {
            if !may_match(cut) {
                continue;
            }
            let mut found = inner::search(cut, candidate, 0);
            let mut first = true;
            while let Some(m) = found {
                if self.tries <= 0 {
                    self.gave_up = true;
                    break;
                }
                if first {
                    let group_end = trim_end(candidate, 0, m.start);
                    if let Some(found) = self.verify(hopeless, start, start + group_end) {
                        return Some(found);
                    }
                    self.tries -= 1;
                    first = false;
                }
                let group_end = if m.group.end == candidate.len() {
                    trimmed_end().max(m.group.start)
                } else {
                    trim_end(candidate, m.group.start, m.group.end)
                };
                if let Some(found) = self.verify(hopeless, start + m.group.start, start + group_end)
                {
                    return Some(found);
                }
                self.tries -= 1;
                // libphonenumber searches again one character on; a search starting inside
                // the same run of separators finds the same part again, which fails again:
                // those tries are counted without running them.
                let again = m.repeats.saturating_sub(1);
                if again > 0 {
                    let repeats = i64::try_from(again).unwrap_or(i64::MAX);
                    if self.tries <= repeats {
                        self.tries = 0;
                        self.gave_up = true;
                        break;
                    }
                    self.tries -= repeats;
                }
                found = inner::search(cut, candidate, m.next_search);
            }
        }
        None
    }

    /// `parseAndVerify`: whether `start..end` of the text is a number at the leniency.
    fn parse_and_verify(&self, start: usize, end: usize) -> Option<Match<'t>> {
        let text = self.text;
        let candidate = text.get(start..end)?;
        // libphonenumber refuses a number over 250 characters when it parses it; refusing it
        // first gives the same answer and keeps every test below to a short text.
        if candidate.len() > parse::MAX_PARSE_CHARS
            && candidate.chars().nth(parse::MAX_PARSE_CHARS).is_some()
        {
            return None;
        }
        // Most digit runs of ordinary text are too short to be a number: counting what could
        // give a digit spares them the checks and the parse, with the same answer.
        let shape = self.shape_of(candidate);
        if self.too_short(shape) {
            return None;
        }
        // Without a bracket (or a character outside ASCII, which might be one) the brackets
        // match, and without `(` no page numbers are written.
        if shape.bits & (shape::BRACKET | shape::NON_ASCII) != 0
            && (!checks::brackets_match(candidate) || checks::looks_like_pages(candidate))
        {
            return None;
        }
        if self.leniency == Leniency::Valid {
            let glued = |c: char| c == '%' || parse::is_currency(c) || parse::is_latin_letter(c);
            let starts_with_lead = candidate.chars().next().is_some_and(scan::is_lead);
            if start > 0 && !starts_with_lead {
                if let Some(prev) = text.get(..start).and_then(|t| t.chars().next_back()) {
                    if glued(prev) {
                        return None;
                    }
                }
            }
            if text
                .get(end..)
                .and_then(|t| t.chars().next())
                .is_some_and(glued)
            {
                return None;
            }
        }
        let parsed = parse::parse_detailed(candidate, self.region).ok()?;
        let accepted = match self.leniency {
            Leniency::Possible => true,
            Leniency::Valid => {
                parsed.number.is_valid()
                    && only_valid_x(candidate, &parsed)
                    && national_prefix_present_if_required(candidate, &parsed)
            }
        };
        accepted.then_some(Match {
            text: candidate,
            start,
            number: parsed.number,
            extension: parsed.extension,
        })
    }
}

impl<'t> Iterator for Matches<'t> {
    type Item = Match<'t>;

    fn next(&mut self) -> Option<Match<'t>> {
        let index = self.index?;
        let found = self.find(index);
        self.index = found.map(|m| m.end());
        found
    }
}

impl core::iter::FusedIterator for Matches<'_> {}

/// What one pass over a candidate's bytes tells the steps after it.
#[derive(Clone, Copy)]
struct Shape {
    /// Characters that could give a digit: ASCII letters and digits, and the first byte of
    /// every character outside ASCII that is not a control (`0xC0` or above).
    could_be_digits: usize,
    /// Which of the [`shape`] bits' characters the candidate holds.
    bits: u16,
}

/// [`Shape::bits`], and the table that gives them.
mod shape {
    /// Counted in `could_be_digits`.
    pub const DIGIT: u16 = 1;
    /// `/` or `\\`: a second number may start, a date may be written, a slash cuts.
    pub const SLASH: u16 = 2;
    /// An ASCII space of `is_space`: a time stamp, a cut.
    pub const SPACE: u16 = 4;
    /// `.`: a cut.
    pub const STOP: u16 = 8;
    /// `-`: a cut, with a space.
    pub const DASH: u16 = 16;
    /// A bracket, `()[]`: brackets to pair.
    pub const BRACKET: u16 = 32;
    /// `(`: page numbers, a cut.
    pub const OPENING: u16 = 64;
    /// `+`.
    pub const PLUS: u16 = 128;
    /// A byte outside ASCII: any of the above may be written outside ASCII too.
    pub const NON_ASCII: u16 = 256;
    /// What a date or a time stamp, or a cut of `extractInnerMatch`, needs (a dash cuts
    /// only beside a space).
    pub const CUTS_OR_CHECKS: u16 = SLASH | SPACE | STOP | OPENING | NON_ASCII;

    /// The bits of each byte.
    pub static OF_BYTE: [u16; 256] = {
        let mut table = [0; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            let mut bits = 0;
            if c.is_ascii_alphanumeric() || c >= 0xC0 {
                bits |= DIGIT;
            }
            if matches!(c, b'/' | b'\\') {
                bits |= SLASH;
            }
            if matches!(c, b'\t'..=b'\r' | 0x1C..=0x1F | b' ') {
                bits |= SPACE;
            }
            if c == b'.' {
                bits |= STOP;
            }
            if c == b'-' {
                bits |= DASH;
            }
            if matches!(c, b'(' | b')' | b'[' | b']') {
                bits |= BRACKET;
            }
            if c == b'(' {
                bits |= OPENING;
            }
            if c == b'+' {
                bits |= PLUS;
            }
            if c >= 0x80 {
                bits |= NON_ASCII;
            }
            table[b] = bits;
            b += 1;
        }
        table
    };
}

impl Shape {
    fn of(candidate: &str) -> Shape {
        let (mut could_be_digits, mut bits) = (0, 0);
        for &b in candidate.as_bytes() {
            let of = shape::OF_BYTE[usize::from(b)];
            could_be_digits += usize::from(of & shape::DIGIT != 0);
            bits |= of;
        }
        Shape {
            could_be_digits,
            bits,
        }
    }
}

/// Where `candidate[start..end]` ends without its trailing unwanted characters
/// (libphonenumber's `UNWANTED_END_CHAR_PATTERN`, `(?:_|[^#\w])+$`: anything but letters,
/// digits and `#`, and `_`).
fn trim_end(candidate: &str, start: usize, end: usize) -> usize {
    let part = candidate.get(start..end).unwrap_or("");
    let kept = part.trim_end_matches(|c: char| c == '_' || (c != '#' && !parse::is_word(c)));
    start + kept.len()
}

/// libphonenumber's `normalizeDigitsOnly`: the digits of `text`, in any script, as ASCII,
/// everything else dropped; `None` past the buffer (only for text longer than a parse takes).
fn digits_only(text: &str, out: &mut [u8; DIGITS]) -> Option<usize> {
    let mut n = 0;
    for d in text.chars().filter_map(parse::digit_value) {
        *out.get_mut(n)? = b'0' + d;
        n += 1;
    }
    Some(n)
}

/// Room for the digits of any text `parse` accepts (250 characters).
const DIGITS: usize = 256;

/// `containsOnlyValidXChars`: an `x` (not the last character) is either doubled, before a
/// carrier code, and what follows it is the same national number; or single, and every
/// digit after it is the extension, as written.
fn only_valid_x(candidate: &str, parsed: &Parsed) -> bool {
    let mut chars = candidate.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let Some(&(j, next)) = chars.peek() else {
            break;
        };
        if c != 'x' && c != 'X' {
            continue;
        }
        if next == 'x' || next == 'X' {
            chars.next();
            if !same_national_number(candidate.get(j..).unwrap_or(""), parsed) {
                return false;
            }
        } else if !digits_are_extension(candidate.get(i..).unwrap_or(""), parsed) {
            return false;
        }
    }
    true
}

/// Whether the digits of `rest` are the extension exactly as written: libphonenumber keeps
/// the extension's own digits and compares them with ASCII ones, so an extension in other
/// digits never equals them.
fn digits_are_extension(rest: &str, parsed: &Parsed) -> bool {
    let Some(ext) = parsed.extension.filter(|_| parsed.extension_ascii) else {
        return false;
    };
    let mut digits = [0u8; DIGITS];
    match digits_only(rest, &mut digits) {
        Some(n) => digits.get(..n) == Some(ext.as_str().as_bytes()),
        None => false,
    }
}

/// `isNumberMatch(number, rest) == NSN_MATCH`: `rest` carries no country code of its own,
/// and read in the number's main region it is the same number and extension.
fn same_national_number(rest: &str, parsed: &Parsed) -> bool {
    match parse::parse_with_extension(rest, None) {
        // With a country code of its own the verdict is an exact match or none.
        Ok(_) => false,
        Err(ParseError::MissingRegion | ParseError::InvalidCountryCode) => {
            let Some(region) = parsed.number.country_code().main_region() else {
                return false;
            };
            matches!(
                parse::parse_with_extension(rest, Some(region)),
                Ok((number, extension)) if number == parsed.number && extension == parsed.extension
            )
        }
        Err(_) => false,
    }
}

/// `isNationalPrefixPresentIfRequired`: a number written without its country code, whose
/// national format writes the national prefix (not optionally), has it in the text.
fn national_prefix_present_if_required(candidate: &str, parsed: &Parsed) -> bool {
    if !parsed.from_default_region {
        return true;
    }
    let code = parsed.number.country_code();
    let Some(territory) = crate::metadata::territory_for_country_code(code.get()) else {
        return true;
    };
    if !crate::format::national_prefix_required(parsed.number.national_digits(), code.get()) {
        return true;
    }
    let mut digits = [0u8; DIGITS];
    match digits_only(candidate, &mut digits) {
        Some(n) => parse::national_prefix_found(digits.get(..n).unwrap_or(&[]), territory),
        None => false,
    }
}

/// The patterns `extractInnerMatch` cuts a candidate with.
mod inner {
    use core::ops::Range;

    use super::scan::run;
    use super::{shape, Shape};
    use crate::parse::is_space;

    /// libphonenumber's `INNER_MATCHES`, in order.
    #[derive(Clone, Copy)]
    pub(super) enum Cut {
        /// `/+(.*)`
        Slash,
        /// `(\([^(]*)`
        Bracket,
        /// `(?:\s-|-\s)\s*(.+)`
        SpacedDash,
        /// `[\u2012-\u2015\uFF0D]\s*(.+)`
        WideDash,
        /// `\.+\s*([^.]+)`
        FullStop,
        /// `\s+(\S+)`
        Space,
    }

    pub(super) const CUTS: [Cut; 6] = [
        Cut::Slash,
        Cut::Bracket,
        Cut::SpacedDash,
        Cut::WideDash,
        Cut::FullStop,
        Cut::Space,
    ];

    /// One search result.
    pub(super) struct Found {
        /// Where the pattern matched.
        pub start: usize,
        /// The captured part.
        pub group: Range<usize>,
        /// How many searches, from `start` one character at a time, find this same part (a
        /// run of separators before it): libphonenumber tries it that many times.
        pub repeats: usize,
        /// Where the search after the last of them starts.
        pub next_search: usize,
    }

    fn is_wide_dash(c: char) -> bool {
        matches!(c, '\u{2012}'..='\u{2015}' | '\u{FF0D}')
    }

    /// The end of `\s*` from `i` and the start of `(.+)` after it: the whole whitespace run
    /// is skipped unless nothing follows it, when the group is its last character.
    fn rest_after_spaces(s: &str, i: usize) -> Option<usize> {
        let (n, after) = run(s, i, usize::MAX, is_space);
        if after < s.len() {
            Some(after)
        } else if n > 0 {
            s.get(..after)
                .and_then(|t| t.char_indices().next_back())
                .map(|(k, _)| k)
        } else {
            None
        }
    }

    /// Which cuts can match somewhere in a text of this shape: each needs a character of its
    /// own (a slash, a bracket, a dash beside a space, a full stop, a space), and most
    /// candidates hold none of them. Text that is not all ASCII is left to the search.
    pub(super) fn may_match(shape: Shape) -> impl Fn(Cut) -> bool {
        let has = move |bits| shape.bits & bits != 0;
        move |cut| {
            has(shape::NON_ASCII)
                || match cut {
                    Cut::Slash => has(shape::SLASH),
                    Cut::Bracket => has(shape::OPENING),
                    Cut::SpacedDash => has(shape::DASH) && has(shape::SPACE),
                    Cut::WideDash => false,
                    Cut::FullStop => has(shape::STOP),
                    Cut::Space => has(shape::SPACE),
                }
        }
    }

    /// The first match of `cut` in `s` at or after byte `from`.
    pub(super) fn search(cut: Cut, s: &str, from: usize) -> Option<Found> {
        let tail = s.get(from..)?;
        let mut chars = tail.char_indices().map(|(k, c)| (from + k, c)).peekable();
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, c)| c);
            let after = i + c.len_utf8();
            let found = |group: Range<usize>| Found {
                start: i,
                group,
                repeats: 1,
                next_search: after,
            };
            match cut {
                Cut::Slash if c == '/' => {
                    let (n, g) = run(s, i, usize::MAX, |c| c == '/');
                    return Some(Found {
                        repeats: n,
                        next_search: g,
                        ..found(g..s.len())
                    });
                }
                Cut::Bracket if c == '(' => {
                    let end = s
                        .get(after..)
                        .and_then(|t| t.find('('))
                        .map_or(s.len(), |k| after + k);
                    return Some(found(i..end));
                }
                Cut::SpacedDash => {
                    let pair = match next {
                        Some('-') if is_space(c) => true,
                        Some(n) if c == '-' && is_space(n) => true,
                        _ => false,
                    };
                    if pair {
                        let j = after + next.map_or(0, char::len_utf8);
                        if let Some(g) = rest_after_spaces(s, j) {
                            return Some(found(g..s.len()));
                        }
                    }
                }
                Cut::WideDash if is_wide_dash(c) => {
                    if let Some(g) = rest_after_spaces(s, after) {
                        return Some(found(g..s.len()));
                    }
                }
                Cut::FullStop if c == '.' => {
                    let (_, dots_end) = run(s, i, usize::MAX, |c| c == '.');
                    let (spaces, w) = run(s, dots_end, usize::MAX, is_space);
                    let group_at = |g: usize| {
                        let end = s
                            .get(g..)
                            .and_then(|t| t.find('.'))
                            .map_or(s.len(), |k| g + k);
                        (end > g).then_some(g..end)
                    };
                    let group = group_at(w).or_else(|| {
                        // Give back the last space when nothing else follows the spaces.
                        (spaces > 0)
                            .then(|| s.get(..w).and_then(|t| t.char_indices().next_back()))
                            .flatten()
                            .and_then(|(k, _)| group_at(k))
                    });
                    if let Some(group) = group {
                        return Some(found(group));
                    }
                }
                Cut::Space if is_space(c) => {
                    let (n, w) = run(s, i, usize::MAX, is_space);
                    if w >= s.len() {
                        return None;
                    }
                    let (_, end) = run(s, w, usize::MAX, |c| !is_space(c));
                    return Some(Found {
                        repeats: n,
                        next_search: w,
                        ..found(w..end)
                    });
                }
                _ => {}
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_cut_ruled_out_finds_nothing() {
            // Every text of up to four characters over what the cuts look for, and more.
            let alphabet = [
                '1', '/', '(', '-', '.', ' ', '\t', 'a', '\u{2012}', '\u{3000}',
            ];
            let mut texts = std::vec![std::string::String::new()];
            let mut ruled_out = 0;
            for _ in 0..4 {
                let longer: std::vec::Vec<_> = texts
                    .iter()
                    .flat_map(|t| alphabet.iter().map(move |&c| std::format!("{t}{c}")))
                    .collect();
                texts.extend(longer);
            }
            for text in &texts {
                let may_match = may_match(Shape::of(text));
                for cut in CUTS {
                    if !may_match(cut) {
                        ruled_out += 1;
                        assert!(search(cut, text, 0).is_none(), "{text:?}");
                    }
                }
            }
            // The check rules out most cuts of ASCII text.
            assert!(ruled_out > 10_000, "{ruled_out}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{find_numbers, Leniency};
    use crate::metadata::{fewest_digits_to_parse, ALL_REGIONS};
    use crate::parse::parse;

    /// The steps a candidate's [`Shape`](super::Shape) lets the search skip (the parse of a
    /// candidate too short for any part of it to be a number, the date, time and bracket
    /// checks, the cuts) change nothing: on texts built from what those steps look for, with
    /// few tries left so that every try counted matters, the matches and whether the search
    /// gave up are those of the search that runs every step.
    #[test]
    fn the_shortcuts_change_no_answer() {
        let pieces = [
            "1",
            "23",
            "456",
            "7890",
            "650",
            "253",
            "0000",
            "+",
            "+1 ",
            "+44 ",
            "(",
            ")",
            "[",
            "]",
            "-",
            " - ",
            "/",
            "//",
            "\\",
            ".",
            "..",
            " ",
            "  ",
            "\t",
            ":",
            ":30",
            "x",
            "xx",
            " ext. ",
            "#",
            "a",
            "Tel",
            "3/10/2011",
            "2012-01-02 08",
            "211-227 (2003)",
            "\u{3000}",
            "\u{2012}",
            "\u{FF11}\u{FF12}",
            "\u{A0}",
            "é",
            "555 1234",
            "020 7946 0958",
            "030 1234567",
        ];
        let mut next = crate::test_rng(0x9e37_79b9);
        let regions = [
            None,
            "US".parse().ok(),
            "GB".parse().ok(),
            "DE".parse().ok(),
        ];
        let (mut found, mut gave_up) = (0, 0);
        for _ in 0..6_000 {
            let text: std::string::String = (0..1 + next(14))
                .map(|_| pieces[next(pieces.len())])
                .collect();
            let region = regions[next(regions.len())];
            let leniency = [Leniency::Possible, Leniency::Valid][next(2)];
            let tries = [1, 2, 3, 5, 8, 65_535][next(6)];
            let run = |exhaustive: bool| {
                let mut search = find_numbers(&text, region)
                    .leniency(leniency)
                    .max_tries(tries);
                search.exhaustive = exhaustive;
                let matches: std::vec::Vec<_> = search
                    .by_ref()
                    .map(|m| (m.range(), m.number(), m.extension()))
                    .collect();
                (matches, search.gave_up())
            };
            let fast = run(false);
            assert_eq!(
                fast,
                run(true),
                "{text:?} in {region:?}, {leniency:?}, {tries} tries"
            );
            found += fast.0.len();
            gave_up += usize::from(fast.1);
        }
        // The texts hold numbers, and the tries run out on some of them.
        assert!(
            found > 1_000 && gave_up > 300,
            "{found} found, {gave_up} gave up"
        );
    }

    /// The bounds the finder skips short candidates by: no text with fewer digits parses,
    /// for any default region, as a national number, with its calling code leading, after an
    /// international prefix or after a plus sign.
    #[test]
    fn no_text_with_fewer_digits_parses() {
        let mut next = crate::test_rng(0x2545_f491);
        let mut digit = move || char::from(b'0' + next(10) as u8);
        let mut parsed = [0; 2];
        let prefixes = [
            "", "0", "00", "011", "810", "119", "001", "01", "1", "44", "49",
        ];
        for region in ALL_REGIONS.iter().copied().map(Some).chain([None]) {
            let fewest = fewest_digits_to_parse(region);
            assert!(fewest.any <= fewest.without_plus);
            assert!(fewest.any <= fewest_digits_to_parse(None).any);
            for len in 1..=9 {
                for prefix in prefixes {
                    for _ in 0..8 {
                        let rest: std::string::String = (0..len).map(|_| digit()).collect();
                        let digits = std::format!("{prefix}{rest}");
                        let n = digits.len();
                        if parse(&digits, region).is_ok() {
                            parsed[0] += 1;
                            assert!(n >= fewest.without_plus, "{digits:?} in {region:?}");
                        }
                        if parse(&std::format!("+{digits}"), region).is_ok() {
                            parsed[1] += 1;
                            assert!(n >= fewest.any, "+{digits:?} in {region:?}");
                        }
                    }
                }
            }
        }
        // Short numbers do parse both ways: the test is not vacuous.
        assert!(parsed.iter().all(|&n| n > 1_000), "{parsed:?}");
        // The bound with a plus is the shortest possible number with its calling code, +49
        // and two digits; without one, in the US, a local number of seven digits.
        assert_eq!(fewest_digits_to_parse(None).any, 4);
        assert!(parse("+4912", None).is_ok());
        let us = fewest_digits_to_parse("US".parse().ok());
        assert_eq!((us.any, us.without_plus), (4, 7));
        assert!(parse("5551234", "US".parse().ok()).is_ok());
    }
}
