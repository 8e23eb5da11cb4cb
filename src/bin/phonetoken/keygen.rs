//! `phonetoken keygen`: a new keyset file with one key from the operating system.

use std::process::ExitCode;

use phonetoken::Keyset;

use crate::args::KeygenArgs;
use crate::{keyfile, keyset_cmd, shown, CliError};

pub(crate) fn run(opts: &KeygenArgs) -> Result<ExitCode, CliError> {
    let master = keyfile::open_master(&opts.master)?;
    let mut keyset: Keyset = Keyset::generate_os().map_err(|e| CliError::Usage(e.to_string()))?;
    let id = keyset.primary_key_id();
    keyset
        .set_created(id, Some(keyset_cmd::now()))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    keyfile::write_secret(
        &opts.out,
        &keyfile::serialize(&keyset, master.as_deref())?,
        opts.force,
    )?;
    let held = if master.is_some() {
        "sealed under the master key: keep it backed up, and the master key apart from it"
    } else {
        "it holds secret keys in clear: keep it private and backed up, or seal it with --master-key"
    };
    eprintln!(
        "phonetoken: wrote {} (primary key id {}); {held}",
        shown::path(&opts.out),
        keyset.primary_key_id()
    );
    Ok(ExitCode::SUCCESS)
}
