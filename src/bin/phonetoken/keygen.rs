//! `phonetoken keygen`: a new keyset file with one key from the operating system.

use std::process::ExitCode;

use phonetoken::Keyset;

use crate::args::KeygenArgs;
use crate::{keyfile, CliError};

pub(crate) fn run(opts: &KeygenArgs) -> Result<ExitCode, CliError> {
    let keyset: Keyset = Keyset::generate_os().map_err(|e| CliError::Usage(e.to_string()))?;
    keyfile::write_secret(&opts.out, &keyset.to_json(), opts.force)?;
    eprintln!(
        "phonetoken: wrote {} (primary key id {}); it holds secret keys: keep it private and backed up",
        opts.out.display(),
        keyset.primary_key_id()
    );
    Ok(ExitCode::SUCCESS)
}
