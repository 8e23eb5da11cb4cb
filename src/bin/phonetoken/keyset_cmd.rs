//! `phonetoken keyset …`: the key lifecycle (list, rotate, promote, disable, enable, destroy)
//! and Tink cleartext JSON keysets.
//!
//! Every change goes through [`keyfile::edit`]: the file is locked, changed in memory, and
//! replaced atomically with its mode kept, so a crash leaves the old file or the new one and
//! two changes at once cannot lose either.

use std::io::{self, Write};
use std::process::ExitCode;

use phonetoken::keyset_file::KeysetFileKind;
use phonetoken::{KeyStatus, Keyset, KeysetError, PseudonymKey, TokenKey};

use crate::args::{
    ExportTinkArgs, ImportTinkArgs, KeyIdArgs, KeysetCommand, KeysetFileArgs, MasterKeyNewArgs,
};
use crate::keyfile::Seal;
use crate::{keyfile, shown, CliError};
use phonetoken::keystore::MasterKeyUri;

pub(crate) fn run(command: &KeysetCommand) -> Result<ExitCode, CliError> {
    match command {
        KeysetCommand::List(opts) => list(opts),
        KeysetCommand::Rotate(opts) => rotate(opts),
        KeysetCommand::Promote(opts) => {
            change(opts, "is now the primary key", |ks, id| ks.set_primary(id))
        }
        KeysetCommand::Disable(opts) => change(
            opts,
            "is disabled: its tokens no longer open (`keyset enable` undoes this)",
            |ks, id| ks.set_status(id, KeyStatus::Disabled),
        ),
        KeysetCommand::Enable(opts) => change(opts, "is enabled", |ks, id| {
            ks.set_status(id, KeyStatus::Enabled)
        }),
        KeysetCommand::Destroy(opts) => destroy(opts),
        KeysetCommand::Encrypt(opts) => reseal(opts, Seal::Encrypt),
        KeysetCommand::Decrypt(opts) => reseal(opts, Seal::Decrypt),
        KeysetCommand::ExportTink(opts) => export_tink(opts),
        KeysetCommand::ImportTink(opts) => import_tink(opts),
    }
}

/// The status of key `id`, or the library's error for an unknown id.
fn status_of(keyset: &Keyset, id: u32) -> Result<KeyStatus, KeysetError> {
    keyset
        .keys()
        .find(|k| k.id == id)
        .map(|k| k.status)
        .ok_or(KeysetError::UnknownKeyId { key_id: id })
}

/// Prints one line per key: id, status, whether it is primary, when it was made; never key
/// material.
fn list(opts: &KeysetFileArgs) -> Result<ExitCode, CliError> {
    let keyset = keyfile::load_checked(opts)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{:<10}  {:<8}  {:<7}  created",
        "id", "status", "primary"
    )?;
    for key in keyset.keys() {
        writeln!(
            out,
            "{:<10}  {:<8}  {:<7}  {}",
            key.id,
            key.status.to_string(),
            if key.primary { "yes" } else { "no" },
            key.created.map_or_else(|| "-".to_string(), utc)
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Adds a fresh key from the operating system's generator and makes it primary.
fn rotate(opts: &KeysetFileArgs) -> Result<ExitCode, CliError> {
    let (old, new) = keyfile::edit(opts, Seal::Keep, |keyset| {
        let old = keyset.primary_key_id();
        let rng = |e: phonetoken::KeyError| CliError::Usage(e.to_string());
        let id = fresh_key_id(keyset)?;
        let pseudonym_key = PseudonymKey::generate_os().map_err(rng)?;
        let token_key = TokenKey::generate_os().map_err(rng)?;
        keyset
            .add_key(id, KeyStatus::Enabled, pseudonym_key, token_key)
            .map_err(|e| keyset_error(e, "rotate"))?;
        keyset
            .set_primary(id)
            .map_err(|e| keyset_error(e, "rotate"))?;
        keyset
            .set_created(id, Some(now()))
            .map_err(|e| keyset_error(e, "rotate"))?;
        Ok((old, id))
    })?;
    eprintln!(
        "phonetoken: key {new} is the new primary key; key {old} stays enabled, so its tokens \
         still open (`phonetoken rekey` moves them to key {new}; pseudonyms under key {old} \
         differ from key {new}'s: see `pseudonymize --all-keys`)"
    );
    Ok(ExitCode::SUCCESS)
}

/// Seconds since the Unix epoch (0 for a clock set before it).
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `secs` since the Unix epoch as an RFC 3339 UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn utc(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days to a civil date (proleptic Gregorian), in 400-year eras of 146,097 days.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// A random key id that no key of `keyset` has.
fn fresh_key_id(keyset: &Keyset) -> Result<u32, CliError> {
    for _ in 0..64 {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| {
            CliError::Usage(format!(
                "the operating system's random generator failed: {e}"
            ))
        })?;
        let id = u32::from_be_bytes(bytes);
        // Nor the complement of one: an encrypted keyset file names pseudonym keys by it.
        if keyset.keys().all(|k| k.id != id && k.id != !id) {
            return Ok(id);
        }
    }
    Err(keyset_error(KeysetError::Rng, "rotate"))
}

/// Runs a one-key change and reports it.
fn change(
    opts: &KeyIdArgs,
    done: &str,
    apply: impl FnOnce(&mut Keyset, u32) -> Result<(), KeysetError>,
) -> Result<ExitCode, CliError> {
    let id = opts.key_id;
    keyfile::edit(&opts.file, Seal::Keep, |keyset| {
        apply(keyset, id).map_err(|e| keyset_error(e, "change"))
    })?;
    eprintln!("phonetoken: key {id} {done}");
    Ok(ExitCode::SUCCESS)
}

/// Removes a key, which must be disabled first: two steps, so that a typo cannot destroy a
/// key in use, and the disabled state can be tried (its tokens fail) before it is final.
fn destroy(opts: &KeyIdArgs) -> Result<ExitCode, CliError> {
    let id = opts.key_id;
    keyfile::edit(&opts.file, Seal::Keep, |keyset| {
        match status_of(keyset, id) {
            Err(e) => return Err(keyset_error(e, "destroy")),
            Ok(KeyStatus::Enabled) if keyset.primary_key_id() == id => {
                return Err(keyset_error(
                    KeysetError::IsPrimary { key_id: id },
                    "destroy",
                ))
            }
            Ok(KeyStatus::Enabled) => {
                return Err(CliError::Usage(format!(
                    "key {id} is enabled: disable it first (`phonetoken keyset disable --key-id {id}`), \
                     check that nothing still needs its tokens, then destroy it"
                )))
            }
            Ok(_) => {}
        }
        keyset
            .remove_key(id)
            .map_err(|e| keyset_error(e, "destroy"))
    })?;
    eprintln!(
        "phonetoken: key {id} is destroyed: tokens made under it can no longer be opened \
         (copies of the old file, in backups or snapshots, still hold it)"
    );
    Ok(ExitCode::SUCCESS)
}

/// Seals a plaintext keyset file under `--master-key`, or writes an encrypted one back as
/// plaintext, in place.
fn reseal(opts: &KeysetFileArgs, seal: Seal) -> Result<ExitCode, CliError> {
    keyfile::edit(opts, seal, |_| Ok(()))?;
    eprintln!(
        "phonetoken: {}",
        if seal == Seal::Encrypt {
            "the keyset file is sealed under the master key; the old plaintext may survive in backups and snapshots, and on disk until overwritten"
        } else {
            "the keyset file now holds its keys in clear: keep it owner-only, or encrypt it again"
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `phonetoken master-key new`.
pub(crate) fn master_key_new(opts: &MasterKeyNewArgs) -> Result<ExitCode, CliError> {
    let uri = MasterKeyUri::parse(&opts.master_key).map_err(|e| e.context("--master-key"))?;
    eprintln!("phonetoken: {}", crate::master::create(&uri)?);
    Ok(ExitCode::SUCCESS)
}

fn keyset_error(e: KeysetError, what: &str) -> CliError {
    let hint = match e {
        KeysetError::Full { .. } => {
            " (`phonetoken keyset disable` then `keyset destroy` a retired key)"
        }
        KeysetError::UnknownKeyId { .. } => " (`phonetoken keyset list` shows the ids)",
        _ => "",
    };
    CliError::Usage(format!("cannot {what} the key: {e}{hint}"))
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
    let input = shown::path(&opts.input);
    match KeysetFileKind::of(&text) {
        KeysetFileKind::Phonetoken => {
            return Err(CliError::Usage(format!(
                "{input} is a phonetoken keyset already, not a Tink keyset: use it with --keyset as it is"
            )))
        }
        KeysetFileKind::Encrypted => {
            return Err(CliError::Usage(format!(
                "{input} is an encrypted keyset: a phonetoken one opens with --keyset and --master-key; import-tink reads Tink's cleartext keysets"
            )))
        }
        _ => {}
    }
    let keyset: Keyset =
        Keyset::from_tink_json(&text).map_err(|e| CliError::Usage(format!("{input}: {e}")))?;
    let master = keyfile::open_master(&opts.master)?;
    let out = keyfile::serialize(&keyset, master.as_deref())?;
    keyfile::write_secret(&opts.out, &out, opts.force)?;
    eprintln!(
        "phonetoken: wrote {} ({} key(s), primary key id {}); tokens carry over, pseudonym keys are new",
        shown::path(&opts.out),
        keyset.keys().count(),
        keyset.primary_key_id()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn times_are_written_as_rfc_3339_utc() {
        // Known instants: the epoch, a leap day, the end of a century, the far future.
        for (secs, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_764_620_894, "2025-12-01T20:28:14Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(utc(secs), text, "{secs}");
        }
    }
}
