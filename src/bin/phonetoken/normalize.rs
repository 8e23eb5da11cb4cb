//! `phonetoken normalize`: E.164 for every input line, with its type and region on request.

use std::process::ExitCode;

use phonetoken::{PhoneNumber, Region};

use crate::args::NormalizeArgs;
use crate::bulk::{self, Hooks};
use crate::CliError;

/// What `normalize` checks and adds besides the E.164 form.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extras {
    /// Refuse numbers that are not valid.
    pub(crate) valid_only: bool,
    /// Add the number type after a tab.
    pub(crate) with_type: bool,
    /// Add the region after a tab.
    pub(crate) with_region: bool,
}

pub(crate) fn run(opts: &NormalizeArgs) -> Result<ExitCode, CliError> {
    let region = opts.region;
    let extras = Extras {
        valid_only: opts.valid_only,
        with_type: opts.with_type,
        with_region: opts.with_region,
    };
    let mut fields = Vec::new();
    if extras.with_type {
        fields.push("type");
    }
    if extras.with_region {
        fields.push("region");
    }
    let hooks = Hooks {
        extra_fields: fields,
        ..Hooks::default()
    };
    bulk::run_with(
        &opts.bulk,
        &|text, out| normalize_line(text, region, extras, out),
        hooks,
    )
}

/// Parses one line and appends its E.164 form, then the fields `extras` asks for, each after
/// a tab.
pub(crate) fn normalize_line(
    text: &str,
    region: Option<Region>,
    extras: Extras,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let number = phonetoken::parse(text, region).map_err(|e| e.code())?;
    if extras.valid_only && !number.is_valid() {
        return Err("invalid-number");
    }
    out.extend_from_slice(number.as_bytes());
    if extras.with_type {
        out.push(b'\t');
        out.extend_from_slice(number.number_type().as_str().as_bytes());
    }
    if extras.with_region {
        out.push(b'\t');
        push_region(&number, out);
    }
    Ok(())
}

/// libphonenumber's region code of the number: `001` for a non-geographic calling code,
/// nothing when no region's plan takes it.
fn push_region(number: &PhoneNumber, out: &mut Vec<u8>) {
    match number.region() {
        Some(region) => out.extend_from_slice(region.as_str().as_bytes()),
        None if number.country_code().is_non_geographic() => out.extend_from_slice(b"001"),
        None => {}
    }
}
