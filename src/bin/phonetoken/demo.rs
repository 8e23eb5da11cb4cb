//! `phonetoken demo`: the whole pipeline on a bundled sample, as a table.

use std::io::{self, Write};
use std::process::ExitCode;

use phonetoken::Region;

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

pub(crate) fn run() -> Result<ExitCode, CliError> {
    let mut out = io::stdout().lock();
    writeln!(out, "{:<30} {:<6} {}", "input", "region", "E.164")?;
    writeln!(out, "{:-<30} {:-<6} {:-<20}", "", "", "")?;
    for &(input, region) in SAMPLES {
        let parsed_region = region.and_then(|r| r.parse::<Region>().ok());
        let result = match phonetoken::parse(input, parsed_region) {
            Ok(number) => number.to_string(),
            Err(err) => format!("error: {}", err.code()),
        };
        writeln!(
            out,
            "{:<30} {:<6} {}",
            format!("{input:?}"),
            region.unwrap_or("-"),
            result
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
