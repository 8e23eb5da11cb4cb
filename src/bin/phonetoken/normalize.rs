//! `phonetoken normalize`: E.164 for every input line.

use std::process::ExitCode;

use crate::args::NormalizeArgs;
use crate::{bulk, CliError};

pub(crate) fn run(opts: &NormalizeArgs) -> Result<ExitCode, CliError> {
    let region = opts.region;
    bulk::run(&opts.bulk, &|text, out| normalize_line(text, region, out))
}

/// Parses one line and appends its E.164 form.
pub(crate) fn normalize_line(
    text: &str,
    region: Option<phonetoken::Region>,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    out.extend_from_slice(number.as_bytes());
    Ok(())
}
