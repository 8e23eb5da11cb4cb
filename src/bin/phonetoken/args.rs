//! Command-line flags, parsed by clap, then checked into library types.

use clap::{Args, Parser, Subcommand};
use phonetoken::Region;

/// Keep phone numbers out of the places where they leak.
#[derive(Parser, Debug)]
#[command(name = "phonetoken", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Read phone numbers, one per line on stdin, and write their E.164 form, one line per
    /// input line, in order; a line that is not a number gives `error: <reason>`.
    Normalize(NormalizeArgs),
    /// Normalize a bundled sample of numbers written in many ways and print a table.
    Demo,
}

/// Flags of `phonetoken normalize`.
#[derive(Args, Debug)]
pub(crate) struct NormalizeArgs {
    /// Region for numbers written without `+` and a country code (ISO 3166-1 alpha-2,
    /// e.g. US, GB). Without it, such numbers are errors.
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
}

fn parse_region(s: &str) -> Result<Region, String> {
    s.parse::<Region>().map_err(|e| format!("{e} (got {s:?})"))
}
