//! `phonetoken scrub`: every phone number in free text replaced in place.
//!
//! Each line (or CSV cell) is scrubbed by the library's
//! [`Scrubber`](phonetoken::find::scrub::Scrubber): searched as libphonenumber's
//! `PhoneNumberMatcher` searches it, each number found replaced, every other byte written as
//! it was, line endings and bytes that are not UTF-8 included. Pseudonyms and tokens are
//! written inside a label (`[phone-pseudonym:…]`, `[phone-token:…]`) that a later scrub
//! recognizes and leaves alone, and a line is searched again until a search finds nothing
//! (`too-many-rounds` when that does not settle).
//!
//! A search that runs out of tries (`--max-tries`) may have left numbers behind, so the line
//! or cell is not written: it fails with `too-many-candidates`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use phonetoken::find::scrub::{Replacement, Scrubber};
use phonetoken::Keyset;

use crate::args::{ReplaceArg, ScrubArgs};
use crate::bulk::{self, Hooks};
use crate::lines::Framing;
use crate::{keyfile, CliError};

/// Longest line kept: free text has longer lines than a column of numbers has.
const MAX_SCRUB_LINE: usize = 1 << 20;

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
    let keyset: Option<Box<Keyset>> = if keyed {
        Some(keyfile::load(&opts.keys)?)
    } else {
        None
    };
    let replacement = match (opts.replace, keyset.as_deref()) {
        (ReplaceArg::Pseudonym, Some(keyset)) => Replacement::Pseudonym {
            keyset,
            length: opts.length.map(usize::from),
        },
        (ReplaceArg::Token, Some(keyset)) => Replacement::Token {
            keyset,
            context: opts.context.as_bytes(),
        },
        (ReplaceArg::Mask, _) => Replacement::Masked {
            visible: opts.visible.unwrap_or(4),
        },
        // E.164 (a keyed replacement always has its keyset, loaded above).
        _ => Replacement::E164,
    };
    let scrubber = Scrubber::new(replacement, opts.region)
        .leniency(opts.leniency.into())
        .max_tries(opts.max_tries);
    let replaced = AtomicU64::new(0);
    let hooks = Hooks {
        framing: Some(Framing::Verbatim {
            max_line: MAX_SCRUB_LINE,
        }),
        ..Hooks::default()
    };
    let scrub = |text: &str, out: &mut Vec<u8>| -> Result<(), &'static str> {
        let mut scrubbed = String::with_capacity(text.len());
        let n = scrubber
            .scrub_into(text, &mut scrubbed)
            .map_err(|e| e.code())?;
        out.extend_from_slice(scrubbed.as_bytes());
        replaced.fetch_add(n, Ordering::Relaxed);
        Ok(())
    };
    let code = bulk::run_with(&opts.bulk, &scrub, hooks)?;
    let replaced = replaced.load(Ordering::Relaxed);
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
