//! Reading and writing keyset files: finding the file, bounded reads, owner-only writes.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use phonetoken::Keyset;
use zeroize::Zeroizing;

use crate::args::KeyArgs;
use crate::CliError;

/// The environment variable that names the keyset file when `--keyset` is absent.
pub(crate) const KEYSET_ENV: &str = "PHONETOKEN_KEYSET";

/// Keyset files are small; anything larger than this is not one.
const MAX_FILE_LEN: u64 = 1 << 20;

/// The keyset file named by `--keyset`, else by `PHONETOKEN_KEYSET`.
pub(crate) fn keyset_path(flag: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    match std::env::var_os(KEYSET_ENV) {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Err(CliError::Usage(format!(
            "no keyset: pass --keyset FILE or set {KEYSET_ENV} to the file's path \
             (make a keyset with `phonetoken keygen --out FILE`)"
        ))),
    }
}

/// Loads the keyset file named by the flags or the environment, derived for `--purpose`.
pub(crate) fn load(args: &KeyArgs) -> Result<Keyset, CliError> {
    let keyset = load_file(&keyset_path(args.keyset.as_deref())?)?;
    match &args.purpose {
        None => Ok(keyset),
        Some(purpose) => keyset
            .for_purpose(purpose)
            .map_err(|e| CliError::Usage(format!("--purpose: {e}"))),
    }
}

/// Loads one phonetoken keyset file.
pub(crate) fn load_file(path: &Path) -> Result<Keyset, CliError> {
    let text = read_secret(path, "keyset file")?;
    Keyset::from_json(&text).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// Reads a small text file that holds secrets, into memory that is wiped when dropped (the
/// library's bounded read, which leaves no copy in freed memory).
pub(crate) fn read_secret(path: &Path, what: &str) -> Result<Zeroizing<String>, CliError> {
    phonetoken::keyset_file::read_secret_file(path, MAX_FILE_LEN).map_err(|e| {
        let shown = path.display();
        CliError::Usage(match e.kind() {
            io::ErrorKind::FileTooLarge => {
                format!(
                    "the {what} {shown} is larger than {MAX_FILE_LEN} bytes: it is not a keyset"
                )
            }
            io::ErrorKind::InvalidData => {
                format!("the {what} {shown} is not UTF-8 text: it is not a JSON keyset")
            }
            kind => {
                let hint = match kind {
                    io::ErrorKind::NotFound => {
                        ": check the path (make a keyset with `phonetoken keygen --out FILE`)"
                    }
                    io::ErrorKind::PermissionDenied => ": run as the file's owner",
                    _ => "",
                };
                format!("cannot read the {what} {shown}: {e}{hint}")
            }
        })
    })
}

/// Writes `contents` to a new file at `path` that only its owner can read or write.
///
/// Without `force` an existing file is an error and is left alone. With `force` the text
/// goes to a fresh owner-only file beside `path`, which then replaces `path` in one rename,
/// so an existing file's looser permissions are never inherited.
pub(crate) fn write_secret(path: &Path, contents: &str, force: bool) -> Result<(), CliError> {
    let cannot = |e: io::Error| CliError::Usage(format!("cannot write {}: {e}", path.display()));
    if !force {
        let mut file = create_owner_only(path).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                CliError::Usage(format!(
                    "{} already exists: choose another path, or pass --force to replace it \
                     (its keys will be lost)",
                    path.display()
                ))
            } else {
                cannot(e)
            }
        })?;
        if let Err(e) = write_all_synced(&mut file, contents) {
            drop(file);
            let _ = fs::remove_file(path);
            return Err(cannot(e));
        }
        return Ok(());
    }
    let temp = temp_path(path);
    let result = create_owner_only(&temp)
        .and_then(|mut file| write_all_synced(&mut file, contents))
        .and_then(|()| fs::rename(&temp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(cannot(e));
    }
    Ok(())
}

fn write_all_synced(file: &mut File, contents: &str) -> io::Result<()> {
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// A sibling of `path` named `.<name>.tmp-<pid>`.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_else(|| "keyset".as_ref()));
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

fn create_owner_only(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
