//! Every phone number in free text replaced in place (features `find` and `alloc`): what
//! `phonetoken scrub` does to each line or cell, and the Python package's `scrub` to each
//! value.
//!
//! The text is searched as [`find_numbers`] searches it, and each number found is replaced;
//! every other byte is kept. Pseudonyms and tokens are written inside a label
//! ([`PSEUDONYM_LABEL`]…`]`, [`TOKEN_LABEL`]…`]`) that a later scrub recognizes and leaves
//! alone, so scrubbing scrubbed text changes nothing: without it, the digits of a base64url
//! value could be read as a number. A label is recognized only around a well-formed value.
//!
//! libphonenumber reads each number in its context, so the text left between the labels can
//! hold a number the whole text hid; with labelled replacements a text is searched again
//! until a search finds nothing (at most [`MAX_ROUNDS`] searches).
//!
//! A search that runs out of tries may have left numbers behind, so it fails with
//! [`ScrubError::TooManyCandidates`] rather than give a text that may still hold one.
//!
//! ```
//! use phonetoken::find::scrub::{Replacement, Scrubber};
//!
//! let us = "US".parse()?;
//! let mask = Scrubber::new(Replacement::Masked { visible: 2 }, Some(us));
//! assert_eq!(mask.scrub("ring (650) 253-0000, not 12/10/2011")?, "ring +1 ***-***-**00, not 12/10/2011");
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

use alloc::string::String;
use core::fmt;
use core::ops::Range;

use zeroize::{Zeroize, Zeroizing};

use super::{find_numbers, Leniency, DEFAULT_MAX_TRIES};
use crate::encoding::Encoding;
use crate::format::{Format, MAX_FORMATTED_LEN};
use crate::keys::Keyset;
use crate::number::{PhoneNumber, Region};
use crate::pseudonym::Pseudonym;
use crate::token::{Token, MAX_TOKEN_TEXT_LEN};

/// Searches of one text before [`Scrubber::scrub_into`] gives up on it
/// ([`ScrubError::TooManyRounds`]): each search after the first only runs when the one before
/// replaced a number, and a second one that finds a number is rare already.
pub const MAX_ROUNDS: u32 = 8;

/// The label written before a pseudonym (then the pseudonym in base64url, then `]`).
pub const PSEUDONYM_LABEL: &str = "[phone-pseudonym:";

/// The label written before a token (then the token in base64url, then `]`).
pub const TOKEN_LABEL: &str = "[phone-token:";

/// What a number is replaced with.
///
/// ```
/// use phonetoken::find::scrub::{Replacement, Scrubber};
///
/// let e164 = Scrubber::new(Replacement::E164, None);
/// assert_eq!(e164.scrub("fax: +44 20 7946 0958.")?, "fax: +442079460958.");
/// # Ok::<(), phonetoken::find::scrub::ScrubError>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Replacement<'k> {
    /// `[phone-pseudonym:…]`: the number's keyed pseudonym under the keyset's primary key, in
    /// base64url, its first `length` bytes if given (8 to 32).
    Pseudonym {
        /// The keys.
        keyset: &'k Keyset,
        /// Bytes kept; all 32 with `None`.
        length: Option<usize>,
    },
    /// `[phone-token:…]`: the number's token bound to `context`, in base64url.
    Token {
        /// The keys.
        keyset: &'k Keyset,
        /// The associated data every token is bound to.
        context: &'k [u8],
    },
    /// The E.164 form (`+14155552671`; an extension is left out).
    E164,
    /// [`Format::Masked`]: the international layout with all but the last `visible` digits
    /// hidden.
    Masked {
        /// How many of the last digits stay readable.
        visible: u8,
    },
}

impl Replacement<'_> {
    /// Whether the replacement is written inside a label (so the text is searched again).
    fn labelled(&self) -> bool {
        matches!(
            self,
            Replacement::Pseudonym { .. } | Replacement::Token { .. }
        )
    }
}

/// Why a text was not scrubbed. Nothing is written for it.
///
/// ```
/// use phonetoken::find::scrub::{Replacement, ScrubError, Scrubber};
///
/// let s = Scrubber::new(Replacement::E164, None).max_tries(2);
/// assert_eq!(s.scrub("1-2 3-4 5-6 then +1 650 253 0000"), Err(ScrubError::TooManyCandidates));
/// assert_eq!(ScrubError::TooManyCandidates.code(), "too-many-candidates");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ScrubError {
    /// The search ran out of tries ([`Matches::gave_up`](super::Matches::gave_up)), so
    /// numbers may be left in the text.
    TooManyCandidates,
    /// A labelled replacement still found numbers after [`MAX_ROUNDS`] searches.
    TooManyRounds,
    /// A pseudonym length outside 8 to 32 bytes.
    BadLength {
        /// The length asked for.
        len: usize,
    },
    /// A replacement did not fit the buffer sized for the longest one; not reached, and
    /// reported rather than a panic.
    BufferTooSmall,
}

impl ScrubError {
    /// The reason code `phonetoken scrub` prints for the error (`too-many-candidates`, …).
    ///
    /// ```
    /// assert_eq!(phonetoken::find::scrub::ScrubError::TooManyRounds.code(), "too-many-rounds");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ScrubError::TooManyCandidates => "too-many-candidates",
            ScrubError::TooManyRounds => "too-many-rounds",
            ScrubError::BadLength { .. } => "bad-length",
            ScrubError::BufferTooSmall => "buffer-too-small",
        }
    }
}

impl fmt::Display for ScrubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScrubError::TooManyCandidates => f.write_str(
                "the search for numbers ran out of tries, so numbers may be left in the text",
            ),
            ScrubError::TooManyRounds => write!(
                f,
                "numbers were still found after {MAX_ROUNDS} searches of the scrubbed text"
            ),
            ScrubError::BadLength { len } => {
                write!(f, "a pseudonym keeps 8 to 32 bytes, not {len}")
            }
            ScrubError::BufferTooSmall => f.write_str("a replacement did not fit its buffer"),
        }
    }
}

impl core::error::Error for ScrubError {}

/// How a text is searched and what its numbers are replaced with.
///
/// ```
/// use phonetoken::find::scrub::{Replacement, Scrubber};
/// use phonetoken::{Keyset, Leniency, PseudonymKey, TokenKey};
///
/// let keys = Keyset::new(1, PseudonymKey::from_bytes(&[7; 32])?, TokenKey::from_bytes(&[9; 64])?);
/// let s = Scrubber::new(Replacement::Pseudonym { keyset: &keys, length: Some(8) }, Some("DE".parse()?))
///     .leniency(Leniency::Valid);
/// let mut out = String::new();
/// let replaced = s.scrub_into("Ruf 030 1234567 an.", &mut out)?;
/// assert_eq!(replaced, 1);
/// assert!(out.starts_with("Ruf [phone-pseudonym:") && out.ends_with("] an."));
/// // A second scrub leaves the labelled pseudonym alone.
/// assert_eq!(s.scrub(&out)?, out);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Scrubber<'k> {
    replacement: Replacement<'k>,
    region: Option<Region>,
    leniency: Leniency,
    max_tries: u32,
}

impl<'k> Scrubber<'k> {
    /// Replaces numbers with `replacement`; `region` is the default region for numbers
    /// written without their country code (with `None`, only numbers written with `+` are
    /// found). Leniency [`Leniency::Valid`], [`DEFAULT_MAX_TRIES`].
    ///
    /// ```
    /// use phonetoken::find::scrub::{Replacement, Scrubber};
    ///
    /// let s = Scrubber::new(Replacement::E164, Some("GB".parse()?));
    /// assert_eq!(s.scrub("020 7946 0958")?, "+442079460958");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn new(replacement: Replacement<'k>, region: Option<Region>) -> Scrubber<'k> {
        Scrubber {
            replacement,
            region,
            leniency: Leniency::Valid,
            max_tries: DEFAULT_MAX_TRIES,
        }
    }

    /// The same with another leniency.
    ///
    /// ```
    /// use phonetoken::find::scrub::{Replacement, Scrubber};
    /// use phonetoken::Leniency;
    ///
    /// let s = Scrubber::new(Replacement::E164, None).leniency(Leniency::Possible);
    /// assert_eq!(s.scrub("+1 123 456 7890")?, "+11234567890");
    /// # Ok::<(), phonetoken::find::scrub::ScrubError>(())
    /// ```
    pub fn leniency(self, leniency: Leniency) -> Scrubber<'k> {
        Scrubber { leniency, ..self }
    }

    /// The same, each search giving up after `max_tries` candidates that were not numbers
    /// (see [`Matches::max_tries`](super::Matches::max_tries)).
    ///
    /// ```
    /// use phonetoken::find::scrub::{Replacement, Scrubber};
    ///
    /// let s = Scrubber::new(Replacement::E164, None).max_tries(100);
    /// assert_eq!(s.scrub("1-2 3-4 5-6 then +1 650 253 0000")?, "1-2 3-4 5-6 then +16502530000");
    /// # Ok::<(), phonetoken::find::scrub::ScrubError>(())
    /// ```
    pub fn max_tries(self, max_tries: u32) -> Scrubber<'k> {
        Scrubber { max_tries, ..self }
    }

    /// `text` with every number replaced.
    ///
    /// # Errors
    ///
    /// As [`scrub_into`](Self::scrub_into).
    ///
    /// ```
    /// use phonetoken::find::scrub::{Replacement, Scrubber};
    ///
    /// let s = Scrubber::new(Replacement::E164, Some("US".parse()?));
    /// assert_eq!(s.scrub("no number, 12/10/2011")?, "no number, 12/10/2011");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn scrub(&self, text: &str) -> Result<String, ScrubError> {
        let (mut done, _) = self.rounds(text)?;
        // The working text becomes the result as it is, with no copy left behind.
        Ok(core::mem::take(&mut *done))
    }

    /// Appends `text` to `out` with every number replaced, and gives the count replaced. The
    /// labelled values of an earlier scrub are copied as they are and the text between them
    /// searched; with a labelled replacement the result is searched again until a search
    /// finds nothing, so what is written is what a second scrub leaves as it is.
    ///
    /// The work is done in memory that is wiped when freed, and `out`, if it has to grow, is
    /// moved to a larger buffer and its old one wiped: no copy of the text or of the result is
    /// left in freed memory.
    ///
    /// # Errors
    ///
    /// [`ScrubError::TooManyCandidates`] when a search gave up, [`ScrubError::TooManyRounds`]
    /// when [`MAX_ROUNDS`] searches did not settle, [`ScrubError::BadLength`] for a pseudonym
    /// length outside 8 to 32. `out` is then left as it was.
    ///
    /// ```
    /// use phonetoken::find::scrub::{Replacement, Scrubber};
    ///
    /// let s = Scrubber::new(Replacement::E164, Some("US".parse()?));
    /// let mut out = String::from("> ");
    /// assert_eq!(s.scrub_into("call 650 253 0000", &mut out)?, 1);
    /// assert_eq!(out, "> call +16502530000");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn scrub_into(&self, text: &str, out: &mut String) -> Result<u64, ScrubError> {
        let (done, replaced) = self.rounds(text)?;
        push_wiped(out, &done);
        Ok(replaced)
    }

    /// Every search of `text`: the scrubbed text, in memory wiped when dropped, and the count
    /// replaced.
    fn rounds(&self, text: &str) -> Result<(Zeroizing<String>, u64), ScrubError> {
        let mut done = Zeroizing::new(String::with_capacity(text.len()));
        let mut replaced = self.scrub_between_labels(text, &mut done)?;
        let mut found = replaced;
        let mut rounds = 1;
        while self.replacement.labelled() && found > 0 {
            if rounds == MAX_ROUNDS {
                return Err(ScrubError::TooManyRounds);
            }
            let mut again = Zeroizing::new(String::with_capacity(done.len() + 64));
            found = self.scrub_between_labels(&done, &mut again)?;
            replaced += found;
            rounds += 1;
            // The text of the search before is wiped as it is dropped.
            done = again;
        }
        Ok((done, replaced))
    }

    /// One search: appends `text` with every number replaced outside the labelled values;
    /// the count replaced.
    fn scrub_between_labels(&self, text: &str, out: &mut String) -> Result<u64, ScrubError> {
        let mut replaced = 0;
        let mut rest = text;
        while let Some(label) = next_label(rest) {
            replaced += self.scrub_plain(rest.get(..label.start).unwrap_or_default(), out)?;
            push_wiped(out, rest.get(label.clone()).unwrap_or_default());
            rest = rest.get(label.end..).unwrap_or_default();
        }
        replaced += self.scrub_plain(rest, out)?;
        Ok(replaced)
    }

    /// Appends `text` with every number replaced; the count replaced.
    fn scrub_plain(&self, text: &str, out: &mut String) -> Result<u64, ScrubError> {
        let mut found = find_numbers(text, self.region)
            .leniency(self.leniency)
            .max_tries(self.max_tries);
        let mut copied = 0;
        let mut replaced = 0;
        for m in &mut found {
            push_wiped(out, text.get(copied..m.start()).unwrap_or_default());
            self.replace(&m.number(), out)?;
            copied = m.end();
            replaced += 1;
        }
        if found.gave_up() {
            return Err(ScrubError::TooManyCandidates);
        }
        push_wiped(out, text.get(copied..).unwrap_or_default());
        Ok(replaced)
    }

    /// Appends what `number` is replaced with.
    fn replace(&self, number: &PhoneNumber, out: &mut String) -> Result<(), ScrubError> {
        match self.replacement {
            Replacement::Pseudonym { keyset, length } => {
                let mut pseudonym = keyset.pseudonymize(number);
                if let Some(len) = length {
                    pseudonym = pseudonym
                        .truncate(len)
                        .map_err(|_| ScrubError::BadLength { len })?;
                }
                let mut buf = [0u8; 64];
                let encoded = pseudonym
                    .encode_into(Encoding::Base64Url, &mut buf)
                    .map_err(|_| ScrubError::BufferTooSmall)?;
                push_wiped(out, PSEUDONYM_LABEL);
                push_wiped(out, encoded);
                push_wiped(out, "]");
            }
            Replacement::Token { keyset, context } => {
                let mut buf = [0u8; MAX_TOKEN_TEXT_LEN];
                let encoded = keyset
                    .tokenize(number, context)
                    .encode_into(Encoding::Base64Url, &mut buf)
                    .map_err(|_| ScrubError::BufferTooSmall)?;
                push_wiped(out, TOKEN_LABEL);
                push_wiped(out, encoded);
                push_wiped(out, "]");
            }
            Replacement::E164 => push_wiped(out, number.as_str()),
            Replacement::Masked { visible } => {
                let mut buf = [0u8; MAX_FORMATTED_LEN];
                let shown = number
                    .format(Format::Masked { visible }, &mut buf)
                    .map_err(|_| ScrubError::BufferTooSmall)?;
                push_wiped(out, shown);
            }
        }
        Ok(())
    }
}

/// Appends `s` to `out` without a reallocation that leaves the old bytes behind: when `out` is
/// full its text is copied to a buffer at least twice the size and the old one wiped.
fn push_wiped(out: &mut String, s: &str) {
    if out.capacity() - out.len() < s.len() {
        let mut larger = String::with_capacity((out.capacity() * 2).max(out.len() + s.len()));
        larger.push_str(out);
        out.zeroize();
        *out = larger;
    }
    out.push_str(s);
}

/// The byte range of the first labelled value an earlier scrub wrote in `text`: a label, a
/// well-formed pseudonym (8 to 32 bytes) or token in base64url, and `]`.
///
/// ```
/// use phonetoken::find::scrub::next_label;
///
/// let text = format!("x [phone-pseudonym:{}] y", "A".repeat(43));
/// assert_eq!(next_label(&text), Some(2..text.len() - 2));
/// // Digits dressed as a label are not one: 10 base64url characters are no whole bytes.
/// assert_eq!(next_label("[phone-pseudonym:4155552671]"), None);
/// ```
pub fn next_label(text: &str) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(at) = text.get(from..)?.find("[phone-") {
        let start = from + at;
        let rest = text.get(start..)?;
        for (label, longest) in [
            (PSEUDONYM_LABEL, Encoding::Base64Url.encoded_len(32)),
            (TOKEN_LABEL, MAX_TOKEN_TEXT_LEN),
        ] {
            let Some(after) = rest.strip_prefix(label) else {
                continue;
            };
            // At most one byte more than the longest value is read, so the scan stays linear.
            let body_len = after
                .bytes()
                .take(longest + 1)
                .take_while(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                .count();
            let body = after.get(..body_len)?;
            let closed = after.as_bytes().get(body_len) == Some(&b']');
            let well_formed = if label == TOKEN_LABEL {
                body.parse::<Token>().is_ok()
            } else {
                Pseudonym::decode(Encoding::Base64Url, body)
                    .is_ok_and(|p| (8..=32).contains(&p.as_bytes().len()))
            };
            if closed && well_formed {
                return Some(start..start + label.len() + body_len + 1);
            }
        }
        from = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{PseudonymKey, TokenKey};
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;
    use proptest::prelude::*;

    fn keyset() -> Keyset {
        Keyset::new(
            7,
            PseudonymKey::from_bytes(&[0x42; 32]).unwrap(),
            TokenKey::from_bytes(&[0x17; 64]).unwrap(),
        )
    }

    /// Texts built from the pieces numbers, dates, labels and prose are made of, so that
    /// numbers (and near misses) are common.
    fn texts() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("+1 650 253 0000".to_string()),
            Just("(650) 253-0000".to_string()),
            Just("+44 20 7946 0958".to_string()),
            Just("030 1234567".to_string()),
            Just("12/10/2011".to_string()),
            Just(" ".to_string()),
            Just("-".to_string()),
            Just("ext. 12".to_string()),
            Just("[phone-token:".to_string()),
            Just("[phone-pseudonym:".to_string()),
            Just("]".to_string()),
            "[0-9]{1,12}",
            "[a-zA-Z_]{1,6}",
            "[ -~]{0,8}",
            "\\PC{0,4}",
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    fn scrubber<'k>(replacement: Replacement<'k>, region: &str) -> Scrubber<'k> {
        Scrubber::new(replacement, Some(region.parse().unwrap()))
    }

    /// The text scrubbed, and the count replaced.
    fn scrubbed(s: &Scrubber<'_>, text: &str) -> Result<(String, u64), ScrubError> {
        let mut out = String::new();
        let n = s.scrub_into(text, &mut out)?;
        Ok((out, n))
    }

    proptest! {
        #[test]
        fn scrubbing_twice_replaces_nothing_the_second_time(text in texts(), token in any::<bool>()) {
            let keys = keyset();
            let replacement = if token {
                Replacement::Token { keyset: &keys, context: b"ctx" }
            } else {
                Replacement::Pseudonym { keyset: &keys, length: None }
            };
            let s = scrubber(replacement, "US").leniency(Leniency::Possible);
            let (once, first) = scrubbed(&s, &text).unwrap();
            let (twice, second) = scrubbed(&s, &once).unwrap();
            prop_assert_eq!(second, 0, "{:?} -> {:?}", text, once);
            prop_assert_eq!(&twice, &once);
            if first == 0 {
                prop_assert_eq!(&once, &text);
            }
        }

        #[test]
        fn text_with_no_match_is_written_byte_for_byte(text in texts()) {
            let s = scrubber(Replacement::E164, "DE");
            let none_found = find_numbers(&text, s.region).next().is_none();
            let (out, replaced) = scrubbed(&s, &text).unwrap();
            if none_found && next_label(&text).is_none() {
                prop_assert_eq!(&out, &text);
            }
            if replaced == 0 {
                prop_assert_eq!(&out, &text);
            }
        }
    }

    #[test]
    fn numbers_are_replaced_and_the_rest_kept() {
        let s = scrubber(Replacement::E164, "US");
        let text = "Call (650) 253-0000 or +44 20 7946 0958, not 12/10/2011.";
        assert_eq!(
            scrubbed(&s, text).unwrap(),
            (
                "Call +16502530000 or +442079460958, not 12/10/2011.".to_string(),
                2
            )
        );
        let m = scrubber(Replacement::Masked { visible: 2 }, "US");
        assert_eq!(
            m.scrub("ring 650 253 0000!").unwrap(),
            "ring +1 ***-***-**00!"
        );
    }

    #[test]
    fn a_search_that_gives_up_fails_the_text_and_writes_nothing() {
        let s = scrubber(Replacement::E164, "US").max_tries(2);
        let text = "1-2 3-4 5-6 then (650) 253-0000";
        let mut out = String::from("kept");
        assert_eq!(
            s.scrub_into(text, &mut out),
            Err(ScrubError::TooManyCandidates)
        );
        assert_eq!(out, "kept");
        let s = s.max_tries(100);
        assert_eq!(s.scrub(text).unwrap(), "1-2 3-4 5-6 then +16502530000");
    }

    #[test]
    fn a_bad_pseudonym_length_is_an_error() {
        let keys = keyset();
        for len in [0, 7, 33] {
            let s = scrubber(
                Replacement::Pseudonym {
                    keyset: &keys,
                    length: Some(len),
                },
                "US",
            );
            assert_eq!(s.scrub("650 253 0000"), Err(ScrubError::BadLength { len }));
            // No number, nothing to replace: no error.
            assert_eq!(s.scrub("none").unwrap(), "none");
        }
    }

    #[test]
    fn labels_are_found_only_around_well_formed_values() {
        let pseudonym = "A".repeat(43);
        let text = format!("x [phone-pseudonym:{pseudonym}] y");
        assert_eq!(next_label(&text), Some(2..text.len() - 2));
        assert_eq!(next_label("[phone-pseudonym:4155552671]"), None);
        assert_eq!(next_label("[phone-token:4155552671]"), None);
        assert_eq!(next_label(&format!("[phone-pseudonym:{pseudonym}")), None);
        assert_eq!(next_label(&format!("[phone-pseudonym:{pseudonym}A]")), None);
        let long = format!("[phone-token:{}]", "A".repeat(100_000));
        assert_eq!(next_label(&long), None);
    }

    #[test]
    fn text_inside_labels_is_left_alone() {
        let s = scrubber(Replacement::E164, "US");
        // A 32-byte pseudonym whose base64url holds a US number's digits.
        let body = format!("{}6502530000{}", "A".repeat(16), "A".repeat(17));
        let text = format!("[phone-pseudonym:{body}] and 650 253 0000");
        assert_eq!(
            s.scrub(&text).unwrap(),
            format!("[phone-pseudonym:{body}] and +16502530000")
        );
    }

    #[test]
    fn codes_are_the_tools() {
        assert_eq!(ScrubError::BadLength { len: 3 }.code(), "bad-length");
        assert_eq!(ScrubError::BufferTooSmall.code(), "buffer-too-small");
        assert!(ScrubError::TooManyRounds.to_string().contains("8 searches"));
    }
}
