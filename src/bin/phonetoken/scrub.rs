//! `phonetoken scrub`: every phone number in free text replaced in place.
//!
//! Each line (or CSV cell) is searched as libphonenumber's `PhoneNumberMatcher` searches it,
//! and each number found is replaced; every other byte is written as it was, line endings
//! and bytes that are not UTF-8 included. Pseudonyms and tokens are written inside a label
//! (`[phone-pseudonym:…]`, `[phone-token:…]`) that a later scrub recognizes and leaves
//! alone, so scrubbing scrubbed text changes nothing: without it, the digits of a base64url
//! value could be read as a number. A label is recognized only around a well-formed value.
//!
//! libphonenumber reads each number in its context, so the text left between the labels can
//! hold a number the whole text hid; with labelled replacements a line is searched again
//! until a search finds nothing (at most [`MAX_ROUNDS`] times; a line that needs more fails
//! with `too-many-rounds`).
//!
//! A search that runs out of tries (`--max-tries`) may have left numbers behind, so the line
//! or cell is not written: it fails with `too-many-candidates`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use phonetoken::{
    find_numbers, Encoding, Format, Keyset, Leniency, PhoneNumber, Pseudonym, Region, Token,
    MAX_FORMATTED_LEN, MAX_TOKEN_TEXT_LEN,
};

use crate::args::{ReplaceArg, ScrubArgs};
use crate::bulk::{self, Hooks};
use crate::lines::Framing;
use crate::pseudonymize::push_pseudonym;
use crate::tokenize::push_token;
use crate::{keyfile, CliError};

/// Longest line kept: free text has longer lines than a column of numbers has.
const MAX_SCRUB_LINE: usize = 1 << 20;

/// Searches of one line or cell before `scrub` gives up on it (`too-many-rounds`): each
/// search after the first only runs when the one before replaced a number, and a second one
/// that finds a number is rare already.
const MAX_ROUNDS: u32 = 8;

/// The label written before a pseudonym.
const PSEUDONYM_LABEL: &str = "[phone-pseudonym:";
/// The label written before a token.
const TOKEN_LABEL: &str = "[phone-token:";

/// What a number is replaced with.
enum Replacement {
    Pseudonym {
        keyset: Box<Keyset>,
        length: Option<usize>,
    },
    Token {
        keyset: Box<Keyset>,
        context: Vec<u8>,
    },
    E164,
    Mask {
        visible: u8,
    },
}

/// How `scrub` searches and replaces.
pub(crate) struct Scrubber {
    replacement: Replacement,
    region: Option<Region>,
    leniency: Leniency,
    max_tries: u32,
    /// Numbers replaced in the lines and cells written.
    replaced: AtomicU64,
}

pub(crate) fn run(opts: &ScrubArgs) -> Result<ExitCode, CliError> {
    let keyed = matches!(opts.replace, ReplaceArg::Pseudonym | ReplaceArg::Token);
    let unused = [
        (opts.keys.file.keyset.is_some() && !keyed, "--keyset"),
        (opts.keys.purpose.is_some() && !keyed, "--purpose"),
        (
            !opts.context.is_empty() && opts.replace != ReplaceArg::Token,
            "--context",
        ),
        (
            opts.length.is_some() && opts.replace != ReplaceArg::Pseudonym,
            "--length",
        ),
        (
            opts.visible.is_some() && opts.replace != ReplaceArg::Mask,
            "--visible",
        ),
    ];
    if let Some((_, flag)) = unused.iter().find(|u| u.0) {
        return Err(CliError::Usage(format!(
            "{flag} does not apply to --replace {}: leave it out",
            replace_name(opts.replace)
        )));
    }
    let replacement = match opts.replace {
        ReplaceArg::Pseudonym => Replacement::Pseudonym {
            keyset: keyfile::load(&opts.keys)?,
            length: opts.length.map(usize::from),
        },
        ReplaceArg::Token => Replacement::Token {
            keyset: keyfile::load(&opts.keys)?,
            context: opts.context.as_bytes().to_vec(),
        },
        ReplaceArg::E164 => Replacement::E164,
        ReplaceArg::Mask => Replacement::Mask {
            visible: opts.visible.unwrap_or(4),
        },
    };
    let scrubber = Scrubber {
        replacement,
        region: opts.region,
        leniency: opts.leniency.into(),
        max_tries: opts.max_tries,
        replaced: AtomicU64::new(0),
    };
    let hooks = Hooks {
        framing: Some(Framing::Verbatim {
            max_line: MAX_SCRUB_LINE,
        }),
        ..Hooks::default()
    };
    let code = bulk::run_with(&opts.bulk, &|text, out| scrubber.scrub(text, out), hooks)?;
    let replaced = scrubber.replaced.load(Ordering::Relaxed);
    let plural = if replaced == 1 { "" } else { "s" };
    eprintln!("phonetoken: {replaced} number{plural} replaced");
    Ok(code)
}

fn replace_name(replace: ReplaceArg) -> &'static str {
    match replace {
        ReplaceArg::Pseudonym => "pseudonym",
        ReplaceArg::Token => "token",
        ReplaceArg::E164 => "e164",
        ReplaceArg::Mask => "mask",
    }
}

impl Scrubber {
    /// Appends `text` with every number replaced; the labelled values of an earlier scrub are
    /// copied as they are, and the text between them searched.
    ///
    /// libphonenumber reads a number in its context, so the text left between two labels can
    /// hold a number that the whole text hid (a run of digits the number beside it made one
    /// candidate with). With labelled replacements the result is therefore searched again,
    /// until a search finds nothing: what is written is what a second scrub leaves as it is.
    pub(crate) fn scrub(&self, text: &str, out: &mut Vec<u8>) -> Result<(), &'static str> {
        let start = out.len();
        let mut replaced = self.scrub_between_labels(text, out)?;
        let labelled = matches!(
            self.replacement,
            Replacement::Pseudonym { .. } | Replacement::Token { .. }
        );
        let mut found = replaced;
        let mut rounds = 1;
        while labelled && found > 0 {
            if rounds == MAX_ROUNDS {
                return Err("too-many-rounds");
            }
            let done = out.get(start..).unwrap_or_default();
            let done = std::str::from_utf8(done).map_err(|_| "invalid-utf8")?;
            let mut again = Vec::with_capacity(done.len() + 64);
            found = self.scrub_between_labels(done, &mut again)?;
            replaced += found;
            rounds += 1;
            out.truncate(start);
            out.extend_from_slice(&again);
        }
        self.replaced.fetch_add(replaced, Ordering::Relaxed);
        Ok(())
    }

    /// One search: appends `text` with every number replaced outside the labelled values;
    /// the count replaced.
    fn scrub_between_labels(&self, text: &str, out: &mut Vec<u8>) -> Result<u64, &'static str> {
        let mut replaced = 0;
        let mut rest = text;
        while let Some((start, end)) = next_label(rest) {
            let (before, label) = (
                rest.get(..start).unwrap_or_default(),
                rest.get(start..end).unwrap_or_default(),
            );
            replaced += self.scrub_plain(before, out)?;
            out.extend_from_slice(label.as_bytes());
            rest = rest.get(end..).unwrap_or_default();
        }
        replaced += self.scrub_plain(rest, out)?;
        Ok(replaced)
    }

    /// Appends `text` with every number replaced; the count replaced.
    fn scrub_plain(&self, text: &str, out: &mut Vec<u8>) -> Result<u64, &'static str> {
        let mut found = find_numbers(text, self.region)
            .leniency(self.leniency)
            .max_tries(self.max_tries);
        let mut copied = 0;
        let mut replaced = 0;
        for m in &mut found {
            out.extend_from_slice(text.get(copied..m.start()).unwrap_or_default().as_bytes());
            self.replace(&m.number(), out)?;
            copied = m.end();
            replaced += 1;
        }
        if found.gave_up() {
            return Err("too-many-candidates");
        }
        out.extend_from_slice(text.get(copied..).unwrap_or_default().as_bytes());
        Ok(replaced)
    }

    /// Appends what `number` is replaced with.
    fn replace(&self, number: &PhoneNumber, out: &mut Vec<u8>) -> Result<(), &'static str> {
        match &self.replacement {
            Replacement::Pseudonym { keyset, length } => {
                out.extend_from_slice(PSEUDONYM_LABEL.as_bytes());
                push_pseudonym(
                    keyset.pseudonymize(number),
                    Encoding::Base64Url,
                    *length,
                    out,
                )?;
                out.push(b']');
            }
            Replacement::Token { keyset, context } => {
                out.extend_from_slice(TOKEN_LABEL.as_bytes());
                push_token(&keyset.tokenize(number, context), out)?;
                out.push(b']');
            }
            Replacement::E164 => out.extend_from_slice(number.as_bytes()),
            Replacement::Mask { visible } => {
                let mut buf = [0u8; MAX_FORMATTED_LEN];
                let shown = number
                    .format(Format::Masked { visible: *visible }, &mut buf)
                    .map_err(|_| "buffer-too-small")?;
                out.extend_from_slice(shown.as_bytes());
            }
        }
        Ok(())
    }
}

/// The first labelled value an earlier scrub wrote in `text`, as a byte range: a label, a
/// well-formed pseudonym (8 to 32 bytes) or token in base64url, and `]`.
fn next_label(text: &str) -> Option<(usize, usize)> {
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
                return Some((start, start + label.len() + body_len + 1));
            }
        }
        from = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonetoken::{PseudonymKey, TokenKey};
    use proptest::prelude::*;

    fn keyset() -> Box<Keyset> {
        Box::new(Keyset::new(
            7,
            PseudonymKey::from_bytes(&[0x42; 32]).unwrap(),
            TokenKey::from_bytes(&[0x17; 64]).unwrap(),
        ))
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

    proptest! {
        #[test]
        fn scrubbing_twice_replaces_nothing_the_second_time(text in texts(), token in any::<bool>()) {
            let replacement = if token {
                Replacement::Token { keyset: keyset(), context: b"ctx".to_vec() }
            } else {
                Replacement::Pseudonym { keyset: keyset(), length: None }
            };
            let mut s = scrubber(replacement, "US");
            s.leniency = Leniency::Possible;
            let once = scrubbed(&s, &text).unwrap();
            let first = s.replaced.swap(0, Ordering::Relaxed);
            let twice = scrubbed(&s, &once).unwrap();
            prop_assert_eq!(s.replaced.load(Ordering::Relaxed), 0, "{:?} -> {:?}", text, once);
            prop_assert_eq!(&twice, &once);
            if first == 0 {
                prop_assert_eq!(&once, &text);
            }
        }

        #[test]
        fn text_with_no_match_is_written_byte_for_byte(text in texts()) {
            let s = scrubber(Replacement::E164, "DE");
            let none_found = find_numbers(&text, s.region).next().is_none();
            let out = scrubbed(&s, &text).unwrap();
            if none_found && next_label(&text).is_none() {
                prop_assert_eq!(&out, &text);
            }
            if s.replaced.load(Ordering::Relaxed) == 0 {
                prop_assert_eq!(&out, &text);
            }
        }
    }

    fn scrubber(replacement: Replacement, region: &str) -> Scrubber {
        Scrubber {
            replacement,
            region: Some(region.parse().unwrap()),
            leniency: Leniency::Valid,
            max_tries: phonetoken::find::DEFAULT_MAX_TRIES,
            replaced: AtomicU64::new(0),
        }
    }

    fn scrubbed(s: &Scrubber, text: &str) -> Result<String, &'static str> {
        let mut out = Vec::new();
        s.scrub(text, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn numbers_are_replaced_and_the_rest_kept() {
        let s = scrubber(Replacement::E164, "US");
        let text = "Call (650) 253-0000 or +44 20 7946 0958, not 12/10/2011.";
        assert_eq!(
            scrubbed(&s, text).unwrap(),
            "Call +16502530000 or +442079460958, not 12/10/2011."
        );
        assert_eq!(s.replaced.load(Ordering::Relaxed), 2);
        let m = scrubber(Replacement::Mask { visible: 2 }, "US");
        assert_eq!(
            scrubbed(&m, "ring 650 253 0000!").unwrap(),
            "ring +1 ***-***-**00!"
        );
    }

    #[test]
    fn a_search_that_gives_up_fails_the_line() {
        let mut s = scrubber(Replacement::E164, "US");
        s.max_tries = 2;
        let text = "1-2 3-4 5-6 then (650) 253-0000";
        assert_eq!(scrubbed(&s, text), Err("too-many-candidates"));
        assert_eq!(s.replaced.load(Ordering::Relaxed), 0, "nothing was written");
        s.max_tries = 100;
        assert_eq!(scrubbed(&s, text).unwrap(), "1-2 3-4 5-6 then +16502530000");
    }

    #[test]
    fn labels_are_found_only_around_well_formed_values() {
        let pseudonym = "A".repeat(43);
        let text = format!("x [phone-pseudonym:{pseudonym}] y");
        assert_eq!(next_label(&text), Some((2, text.len() - 2)));
        // Digits dressed as a label are not one: 10 base64url characters are no whole bytes.
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
            scrubbed(&s, &text).unwrap(),
            format!("[phone-pseudonym:{body}] and +16502530000")
        );
    }
}
