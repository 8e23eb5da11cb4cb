//! Reading and writing keyset files: finding the file, checking who else can read it,
//! bounded reads, owner-only writes, and edits that replace the file atomically.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use phonetoken::encrypted_keyset::MasterKey;
use phonetoken::keyset_file::KeysetFileKind;
use phonetoken::{Keyset, PseudonymKey, TokenKey};
use zeroize::Zeroizing;

use crate::args::{KeyArgs, KeysetFileArgs, MasterKeyArgs};
use crate::master;
use crate::{shown, CliError};

/// The environment variable that names the keyset file when `--keyset` is absent.
pub(crate) use phonetoken::keystore::KEYSET_ENV;

/// A keyset file's path and where it was named.
pub(crate) struct Source {
    pub(crate) path: PathBuf,
    from_env: bool,
}

impl Source {
    /// `the keyset file PATH`, saying when the path came from the environment.
    pub(crate) fn describe(&self) -> String {
        let from = if self.from_env {
            format!(" (named by {KEYSET_ENV})")
        } else {
            String::new()
        };
        format!("the keyset file {}{from}", shown::path(&self.path))
    }

    /// Adds to a message about this file where its path came from, when that was the
    /// environment.
    fn annotate(&self, err: CliError) -> CliError {
        match err {
            CliError::Usage(msg) if self.from_env => {
                CliError::Usage(format!("{msg} (the path was named by {KEYSET_ENV})"))
            }
            other => other,
        }
    }
}

/// The keyset file named by `--keyset`, else by `PHONETOKEN_KEYSET`.
pub(crate) fn keyset_source(flag: Option<&Path>) -> Result<Source, CliError> {
    let source = match (flag, std::env::var_os(KEYSET_ENV)) {
        (Some(path), _) => Source {
            path: path.to_path_buf(),
            from_env: false,
        },
        (None, Some(path)) if !path.is_empty() => Source {
            path: PathBuf::from(path),
            from_env: true,
        },
        _ => {
            return Err(CliError::Usage(format!(
                "no keyset: pass --keyset FILE or set {KEYSET_ENV} to the file's path \
                 (make a keyset with `phonetoken keygen --output FILE`)"
            )))
        }
    };
    let what = if source.from_env {
        KEYSET_ENV
    } else {
        "--keyset"
    };
    phonetoken::keystore::check_path_like(source.path.as_os_str(), what)?;
    Ok(source)
}

/// Loads the keyset file named by the flags or the environment, derived for `--purpose`.
pub(crate) fn load(args: &KeyArgs) -> Result<Box<Keyset>, CliError> {
    let mut keyset = load_checked(&args.file)?;
    if let Some(purpose) = &args.purpose {
        keyset
            .for_purpose_in_place(purpose)
            .map_err(|e| CliError::Usage(format!("--purpose: {e}")))?;
    }
    Ok(keyset)
}

/// Finds, checks and loads the keyset file of `args`, as it is (no purpose).
pub(crate) fn load_checked(args: &KeysetFileArgs) -> Result<Box<Keyset>, CliError> {
    let source = keyset_source(args.keyset.as_deref())?;
    Ok(load_file(&source, args, false)?.0)
}

/// The master key of `args` (`--master-key`, else `PHONETOKEN_MASTER_KEY`), opened.
pub(crate) fn open_master(args: &MasterKeyArgs) -> Result<Option<Box<dyn MasterKey>>, CliError> {
    match master::from_flag_or_env(args.master_key.as_deref())? {
        Some(uri) => Ok(Some(uri.open()?)),
        None => Ok(None),
    }
}

/// A loaded keyset, and the master key that opened it if the file was sealed.
type Loaded = (Box<Keyset>, Option<Box<dyn MasterKey>>);

/// Loads one keyset file, plaintext or encrypted; gives the master key that opened it.
/// `sealing`: the caller will seal a plaintext file under the master key, which is then
/// used after all (no warning that it is not).
fn load_file(source: &Source, args: &KeysetFileArgs, sealing: bool) -> Result<Loaded, CliError> {
    // Checked even when the file turns out plaintext, so a bad URI is never passed over.
    let uri = master::from_flag_or_env(args.master.master_key.as_deref())?;
    let text = read_secret(&source.path, "keyset file").map_err(|e| source.annotate(e))?;
    let kind = KeysetFileKind::of(&text);
    check_permissions(
        source,
        args.strict_permissions,
        kind == KeysetFileKind::Encrypted,
    )?;
    let refused =
        |e: &dyn std::fmt::Display| CliError::Usage(format!("{}: {e}", source.describe()));
    match kind {
        KeysetFileKind::Encrypted => {
            let master = uri.map(|u| u.open()).transpose()?.ok_or_else(|| {
                CliError::Usage(format!(
                    "{} is encrypted: pass --master-key URI (or set {}) naming the master key that sealed it",
                    source.describe(),
                    master::MASTER_KEY_ENV
                ))
            })?;
            let mut keyset = placeholder()?;
            keyset
                .load_encrypted_json(&text, &*master, b"")
                .map_err(|e| refused(&e))?;
            Ok((keyset, Some(master)))
        }
        KeysetFileKind::TinkCleartext => Err(CliError::Usage(format!(
            "{} is a Tink keyset, not a phonetoken keyset: convert it with `phonetoken keyset import-tink --input FILE --output NEW` (its token keys carry over)",
            source.describe()
        ))),
        _ => {
            if args.master.master_key.is_some() && !sealing {
                eprintln!(
                    "phonetoken: warning: {} is not encrypted, so --master-key is not used (`phonetoken keyset encrypt` seals it)",
                    source.describe()
                );
            }
            let mut keyset = placeholder()?;
            keyset.load_json(&text).map_err(|e| refused(&e))?;
            Ok((keyset, None))
        }
    }
}

/// The place a keyset is loaded into: on the heap, so the keys are written once, where they
/// stay (a keyset returned by value leaves a copy in a stack frame no one wipes).
fn placeholder() -> Result<Box<Keyset>, CliError> {
    // An all-zero key, replaced by the load; no secret.
    let key = |e: phonetoken::KeyError| CliError::Usage(e.to_string());
    Ok(Box::new(Keyset::new(
        0,
        PseudonymKey::from_bytes(&[0; 32]).map_err(key)?,
        TokenKey::from_bytes(&[0; 64]).map_err(key)?,
    )))
}

/// Warns (or with `strict`, refuses) when users other than the owner can read a plaintext
/// keyset file, or change any keyset file: either gives them the keys, or lets them swap in
/// keys of their own.
fn check_permissions(source: &Source, strict: bool, encrypted: bool) -> Result<(), CliError> {
    let Some(problem) = phonetoken::keystore::permission_problem(&source.path, encrypted) else {
        return Ok(());
    };
    let fix = format!("chmod 600 {}", shown::path(&source.path));
    if strict {
        return Err(CliError::Usage(format!(
            "{} {problem}; run `{fix}` (--strict-permissions refuses it)",
            source.describe()
        )));
    }
    eprintln!(
        "phonetoken: warning: {} {problem}; run `{fix}` \
         (--strict-permissions refuses such a file)",
        source.describe()
    );
    Ok(())
}

/// How [`edit`] writes the file back.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Seal {
    /// As it was: encrypted under the same master key, or plaintext.
    Keep,
    /// Encrypted under `--master-key`.
    Encrypt,
    /// Plaintext.
    Decrypt,
}

/// Loads the keyset file of `args` under an exclusive lock, lets `change` edit it, and
/// writes the result back atomically with the file's mode kept, sealed as `seal` says.
/// Returns what `change` returned. Two edits at once: the second is refused, so neither is
/// lost.
pub(crate) fn edit<T>(
    args: &KeysetFileArgs,
    seal: Seal,
    change: impl FnOnce(&mut Keyset) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let source = keyset_source(args.keyset.as_deref())?;
    let cannot =
        |e: io::Error| CliError::Usage(format!("cannot change {}: {e}", source.describe()));
    // Through a symlink, the file it points to is the one replaced; the link stays.
    let target = fs::canonicalize(&source.path).map_err(cannot)?;
    let locked = File::open(&target).map_err(cannot)?;
    match locked.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(CliError::Usage(format!(
                "{} is being changed by another phonetoken: try again when it is done",
                source.describe()
            )))
        }
        Err(fs::TryLockError::Error(e)) => return Err(cannot(e)),
    }
    if !same_file(&locked, &target) {
        return Err(CliError::Usage(format!(
            "{} was replaced while it was being opened: try again",
            source.describe()
        )));
    }
    let (mut keyset, master) = load_file(&source, args, seal == Seal::Encrypt)?;
    let master = match (seal, master) {
        (Seal::Keep, master) => master,
        (Seal::Decrypt, Some(_)) => None,
        (Seal::Decrypt, None) => {
            return Err(CliError::Usage(format!("{} is not encrypted", source.describe())))
        }
        (Seal::Encrypt, Some(_)) => {
            return Err(CliError::Usage(format!(
                "{} is encrypted already (to change its master key, decrypt it, then encrypt it under the new one)",
                source.describe()
            )))
        }
        (Seal::Encrypt, None) => Some(open_master(&args.master)?.ok_or_else(|| {
            CliError::Usage("keyset encrypt: pass --master-key URI (or set PHONETOKEN_MASTER_KEY)".into())
        })?),
    };
    let answer = change(&mut keyset)?;
    let text = serialize(&keyset, master.as_deref())?;
    let mode = file_mode(&locked).map_err(cannot)?;
    replace_atomically(&target, &text, mode).map_err(cannot)?;
    drop(locked);
    Ok(answer)
}

/// The keyset's file text: sealed under `master` if given, else plaintext JSON.
pub(crate) fn serialize(
    keyset: &Keyset,
    master: Option<&dyn MasterKey>,
) -> Result<Zeroizing<String>, CliError> {
    match master {
        Some(master) => keyset
            .to_encrypted_json(master, b"")
            .map(Zeroizing::new)
            .map_err(|e| CliError::Usage(format!("cannot seal the keyset: {e}"))),
        None => Ok(keyset.to_json()),
    }
}

/// Whether the open `file` is still the one at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// The permission bits of an open file (owner-only where the platform has none).
fn file_mode(file: &File) -> io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(file.metadata()?.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(0o600)
    }
}

/// Reads a small text file that holds secrets, into memory that is wiped when dropped.
pub(crate) fn read_secret(path: &Path, what: &str) -> Result<Zeroizing<String>, CliError> {
    Ok(phonetoken::keystore::read_secret(path, what)?)
}

/// Writes `contents` to a new file at `path` that only its owner can read or write.
///
/// Without `force` an existing file is an error and is left alone. With `force` the text
/// goes to a fresh owner-only file beside `path`, which then replaces `path` in one rename,
/// so an existing file's looser permissions are never inherited.
pub(crate) fn write_secret(path: &Path, contents: &str, force: bool) -> Result<(), CliError> {
    let cannot = |e: io::Error| CliError::Usage(format!("cannot write {}: {e}", shown::path(path)));
    if path.is_dir() {
        return Err(CliError::Usage(format!(
            "{} is a directory: give the path of the file to create in it, such as {}",
            shown::path(path),
            shown::path(&path.join("keys.json"))
        )));
    }
    if !force {
        let mut file = create_owner_only(path).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                CliError::Usage(format!(
                    "{} already exists: choose another path, or pass --force to replace it \
                     (its keys will be lost)",
                    shown::path(path)
                ))
            } else {
                cannot(e)
            }
        })?;
        if let Err(e) = write_all_synced(&mut file, contents).and_then(|()| sync_parent(path)) {
            drop(file);
            let _ = fs::remove_file(path);
            return Err(cannot(e));
        }
        return Ok(());
    }
    replace_atomically(path, contents, 0o600).map_err(cannot)
}

/// Replaces `path` with `contents` in one rename, from an owner-only temporary file given
/// `mode` before it holds anything, then makes the rename durable.
fn replace_atomically(path: &Path, contents: &str, mode: u32) -> io::Result<()> {
    let temp = temp_path(path);
    let result = create_owner_only(&temp)
        .and_then(|mut file| {
            set_mode(&file, mode)?;
            write_all_synced(&mut file, contents)
        })
        .and_then(|()| fs::rename(&temp, path))
        .and_then(|()| sync_parent(path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, mode);
        Ok(())
    }
}

/// Flushes the directory holding `path`, so a rename or a new file survives a crash.
fn sync_parent(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(parent)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
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
