//! `phonetoken`: normalize, pseudonymize and tokenize phone numbers in bulk from the
//! command line.
//!
//! The binary is thin: flags live in `args.rs`, the line protocol every subcommand shares
//! in `lines.rs`, CSV mode in `csvmode.rs`, the parallel chunked driver (files, `--strict`,
//! progress, summary) in `bulk.rs`, and each subcommand in its own file. All the work is
//! the library's.

mod args;
mod bulk;
mod csvmode;
mod demo;
mod keyfile;
mod keygen;
mod keyset_cmd;
mod lines;
mod master;
mod normalize;
mod oprf_cmd;
mod osrng;
mod pseudonymize;
mod scrub;
mod seal_cmd;
mod shown;
mod tokenize;

use std::io;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("phonetoken: {err}");
            match err {
                CliError::Data(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn run() -> Result<ExitCode, CliError> {
    let cli = args::Cli::parse();
    match cli.command {
        args::Command::Normalize(opts) => normalize::run(&opts),
        args::Command::Pseudonymize(opts) => pseudonymize::run(&opts),
        args::Command::Tokenize(opts) => tokenize::run_tokenize(&opts),
        args::Command::Detokenize(opts) => tokenize::run_detokenize(&opts),
        args::Command::Keygen(opts) => keygen::run(&opts),
        args::Command::Keyset(command) => keyset_cmd::run(&command),
        args::Command::Rekey(opts) => tokenize::run_rekey(&opts),
        args::Command::MasterKey(args::MasterKeyCommand::New(opts)) => {
            keyset_cmd::master_key_new(&opts)
        }
        args::Command::Oprf(command) => oprf_cmd::run(&command),
        args::Command::Seal(opts) => seal_cmd::run_seal(&opts),
        args::Command::SealKey(opts) => seal_cmd::run_seal_key(&opts),
        args::Command::Open(opts) => seal_cmd::run_open(&opts),
        args::Command::Scrub(opts) => scrub::run(&opts),
        args::Command::Demo => demo::run(),
    }
}

/// A failure that stops the run: bad flags, a missing or unusable keyset, unreadable input,
/// unwritable output (exit status 2); a failed line or record under `--strict` (exit
/// status 1).
#[derive(Debug)]
pub(crate) enum CliError {
    /// Reading input or writing output failed.
    Io(io::Error),
    /// A flag's value or a file is unusable; the message says what to do.
    Usage(String),
    /// `--strict` met a line or record that failed; the message says which and why.
    Data(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Io(err) => write!(f, "i/o error: {err}"),
            CliError::Usage(msg) | CliError::Data(msg) => f.write_str(msg),
        }
    }
}

impl From<phonetoken::keystore::KeystoreError> for CliError {
    fn from(err: phonetoken::keystore::KeystoreError) -> Self {
        CliError::Usage(err.to_string())
    }
}

impl From<io::Error> for CliError {
    fn from(err: io::Error) -> Self {
        CliError::Io(err)
    }
}

fn is_broken_pipe(err: &CliError) -> bool {
    matches!(err, CliError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
}
