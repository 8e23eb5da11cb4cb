//! `phonetoken demo`: the whole pipeline on a bundled sample, as a table.

use std::io::{self, Write};
use std::process::ExitCode;

use phonetoken::{Encoding, Keyset, Region};

use crate::CliError;

/// Numbers written in the ways people write them, with the region they were written in.
const SAMPLES: &[(&str, Option<&str>)] = &[
    ("+1 (415) 555-2671", None),
    ("(415) 555-2671", Some("US")),
    ("00 44 20 7946 0958", Some("FR")),
    ("020 7946 0958", Some("GB")),
    ("44 20 7946 0958", Some("GB")),
    ("tel:+33-1-42-68-53-00;ext=12", None),
    ("＋４９ ３０ ９０１８２０", None),
    ("٠٩١٢ ٣٤٥ ٦٧٨٩", Some("IR")),
    ("011 54 9 11 2345-6789", Some("US")),
    ("011 15 2345-6789", Some("AR")),
    ("0011 61 2 9876 5432", Some("AU")),
    ("1-800-FLOWERS", Some("US")),
    ("+39 06 1234 5678", None),
    ("+800 1234 5678", None),
    ("07700 900123 ext. 42", Some("GB")),
    ("12", Some("US")),
    ("+999 123 456", None),
    ("020 7946 0958", None),
    ("call me", Some("US")),
];

/// Context (associated data) the demo's tokens are bound to.
const DEMO_CONTEXT: &[u8] = b"demo";

/// Characters of each pseudonym shown (of 43 in base64url).
const PSEUDONYM_SHOWN: usize = 16;

pub(crate) fn run() -> Result<ExitCode, CliError> {
    let keyset: Keyset = Keyset::generate_os().map_err(|e| CliError::Usage(e.to_string()))?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "A throwaway keyset made for this run (primary key id {}); tokens use context {:?}.",
        keyset.primary_key_id(),
        String::from_utf8_lossy(DEMO_CONTEXT)
    )?;
    writeln!(
        out,
        "Pseudonyms are base64url, cut to their first {PSEUDONYM_SHOWN} characters here."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<32} {:<6} {:<28} {:<16} {:<48} detokenized",
        "input", "region", "E.164", "pseudonym[..16]", "token"
    )?;
    writeln!(
        out,
        "{:-<32} {:-<6} {:-<28} {:-<16} {:-<48} {:-<16}",
        "", "", "", "", "", ""
    )?;
    for &(input, region) in SAMPLES {
        let parsed_region = region.and_then(|r| r.parse::<Region>().ok());
        let row = match phonetoken::parse(input, parsed_region) {
            Ok(number) => {
                let pseudonym = keyset
                    .pseudonymize(&number)
                    .to_string_in(Encoding::Base64Url);
                let token = keyset.tokenize(&number, DEMO_CONTEXT);
                let back = match keyset.detokenize(&token, DEMO_CONTEXT) {
                    Ok(n) => n.to_string(),
                    Err(err) => format!("error: {}", err.code()),
                };
                Row {
                    e164: number.to_string(),
                    pseudonym: pseudonym.chars().take(PSEUDONYM_SHOWN).collect(),
                    token: token.to_string(),
                    back,
                }
            }
            Err(err) => Row {
                e164: format!("error: {}", err.code()),
                pseudonym: "-".into(),
                token: "-".into(),
                back: "-".into(),
            },
        };
        writeln!(
            out,
            "{:<32} {:<6} {:<28} {:<16} {:<48} {}",
            format!("{input:?}"),
            region.unwrap_or("-"),
            row.e164,
            row.pseudonym,
            row.token,
            row.back
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The columns computed for one sample.
struct Row {
    e164: String,
    pseudonym: String,
    token: String,
    back: String,
}
