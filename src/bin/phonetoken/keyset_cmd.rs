//! `phonetoken keyset export-tink|import-tink`: Tink cleartext JSON keysets.

use std::io::{self, Write};
use std::process::ExitCode;

use phonetoken::Keyset;

use crate::args::{ExportTinkArgs, ImportTinkArgs, KeysetCommand};
use crate::{keyfile, CliError};

pub(crate) fn run(command: &KeysetCommand) -> Result<ExitCode, CliError> {
    match command {
        KeysetCommand::ExportTink(opts) => export_tink(opts),
        KeysetCommand::ImportTink(opts) => import_tink(opts),
    }
}

/// Prints the token keys (derived for `--purpose` if given) as Tink JSON: the user asked
/// for the secrets, on stdout.
fn export_tink(opts: &ExportTinkArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load(&opts.keys)?;
    let json = keyset.to_tink_json();
    let mut out = io::stdout().lock();
    out.write_all(json.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Reads a Tink keyset and writes a phonetoken keyset file with fresh pseudonym keys.
fn import_tink(opts: &ImportTinkArgs) -> Result<ExitCode, CliError> {
    let text = keyfile::read_secret(&opts.input, "Tink keyset")?;
    let keyset: Keyset = Keyset::from_tink_json(&text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", opts.input.display())))?;
    keyfile::write_secret(&opts.out, &keyset.to_json(), opts.force)?;
    eprintln!(
        "phonetoken: wrote {} ({} key(s), primary key id {}); tokens carry over, pseudonym keys are new",
        opts.out.display(),
        keyset.keys().count(),
        keyset.primary_key_id()
    );
    Ok(ExitCode::SUCCESS)
}
