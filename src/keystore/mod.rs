//! Where keys are kept (feature `keystore`): keyset files found through the environment and
//! checked for who else can read them, and master keys named by a URI, in a Tink AES-GCM
//! file or inside a PKCS#11 token that never lets them out.
//!
//! The `phonetoken` tool and the Python package both load keys through this module, so a
//! keyset file, a master key URI and the environment variables mean the same in each.
//!
//! - [`KEYSET_ENV`] names the keyset file when the caller names none;
//! - [`MASTER_KEY_ENV`] holds the master key's URI when the caller gives none;
//! - [`MasterKeyUri`]: `file:PATH` (a Tink AES-GCM keyset file) or an RFC 7512 `pkcs11:` URI
//!   (see [`Pkcs11Uri`]);
//! - [`permission_problem`]: whether other users can read a file holding keys, or change it;
//! - [`read_secret`]: a bounded read into memory wiped when dropped.
//!
//! No message of this module shows a value that may be a secret: a path is shown only when
//! it looks like one ([`shown_path`]), a PIN never.

mod pkcs11;

use core::fmt;
use std::boxed::Box;
use std::ffi::OsStr;
use std::format;
use std::io;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};

use zeroize::Zeroizing;

use crate::encrypted_keyset::{MasterKey, TinkAeadKey};

pub use pkcs11::{Pkcs11Key, Pkcs11Uri, PKCS11_MODULE_ENV, PKCS11_PIN_ENV};

/// The environment variable that names the keyset file when the caller names none.
pub const KEYSET_ENV: &str = "PHONETOKEN_KEYSET";

/// The environment variable holding the master key's URI when the caller gives none.
pub const MASTER_KEY_ENV: &str = "PHONETOKEN_MASTER_KEY";

/// Largest file holding keys (a keyset, a master key, a PIN) that [`read_secret`] reads:
/// keyset files are small, so anything larger is not one.
pub const MAX_SECRET_FILE_LEN: u64 = 1 << 20;

/// Why keys could not be found, opened or made. The message names the file, the URI's
/// attribute or the variable at fault, never a value that may be a secret.
///
/// ```
/// use phonetoken::keystore::{KeystoreErrorKind, MasterKeyUri};
///
/// let err = MasterKeyUri::parse("s3cr3t-pasted-by-mistake").unwrap_err();
/// assert_eq!(err.kind(), KeystoreErrorKind::BadReference);
/// assert!(!err.to_string().contains("s3cr3t"));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KeystoreError {
    kind: KeystoreErrorKind,
    message: String,
}

/// What kind of failure a [`KeystoreError`] is.
///
/// ```
/// use phonetoken::keystore::KeystoreErrorKind;
///
/// assert_eq!(KeystoreErrorKind::Unreadable.code(), "io");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum KeystoreErrorKind {
    /// A URI, path or variable that names no usable key: malformed, an unknown attribute, a
    /// value that is not a path, a missing PIN or module.
    BadReference,
    /// A file could not be read: missing, unreadable, too large, not UTF-8.
    Unreadable,
    /// A master key file's content is not a Tink AES-GCM keyset.
    BadMasterKey,
    /// The PKCS#11 module, token or key failed or refused (no such token or key, a wrong
    /// PIN, a session error).
    Token,
    /// A new master key was asked for where one exists already; it is never replaced.
    Exists,
}

impl KeystoreErrorKind {
    /// A short stable code for programs (`bad-reference`, `io`, `bad-master-key`, `pkcs11`,
    /// `exists`).
    ///
    /// ```
    /// use phonetoken::keystore::KeystoreErrorKind;
    ///
    /// assert_eq!(KeystoreErrorKind::Token.code(), "pkcs11");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            KeystoreErrorKind::BadReference => "bad-reference",
            KeystoreErrorKind::Unreadable => "io",
            KeystoreErrorKind::BadMasterKey => "bad-master-key",
            KeystoreErrorKind::Token => "pkcs11",
            KeystoreErrorKind::Exists => "exists",
        }
    }
}

impl KeystoreError {
    pub(crate) fn new(kind: KeystoreErrorKind, message: impl Into<String>) -> KeystoreError {
        KeystoreError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// use phonetoken::keystore::{KeystoreErrorKind, MasterKeyUri};
    ///
    /// let err = MasterKeyUri::parse("pkcs11:token=t").unwrap_err();
    /// assert_eq!(err.kind(), KeystoreErrorKind::BadReference);
    /// ```
    pub fn kind(&self) -> KeystoreErrorKind {
        self.kind
    }

    /// The same error with `context` before its message (`"--master-key: …"`).
    ///
    /// ```
    /// use phonetoken::keystore::MasterKeyUri;
    ///
    /// let err = MasterKeyUri::parse("nope").unwrap_err().context("--master-key");
    /// assert!(err.to_string().starts_with("--master-key: "));
    /// ```
    pub fn context(self, context: &str) -> KeystoreError {
        KeystoreError {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }
}

impl fmt::Display for KeystoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for KeystoreError {}

/// Longest value [`shown_path`] shows as given; a longer one is described instead.
const MAX_SHOWN: usize = 1024;

/// Whether `value` can be a file path rather than pasted content: not empty or too long, no
/// control characters (a keyset's content has line ends), none of the characters JSON needs.
///
/// ```
/// use std::ffi::OsStr;
/// use phonetoken::keystore::looks_like_path;
///
/// assert!(looks_like_path(OsStr::new("/etc/phonetoken/keys.json")));
/// assert!(!looks_like_path(OsStr::new("{\"format\": \"phonetoken-keyset\"}")));
/// ```
pub fn looks_like_path(value: &OsStr) -> bool {
    let bytes = value.as_encoded_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_SHOWN
        && !bytes
            .iter()
            .any(|&b| b.is_ascii_control() || matches!(b, b'{' | b'}' | b'"'))
}

/// Whether `value` reads like a key in base64 or hex rather than a file name: long, with no
/// `.`, and nothing but base64's characters (`/` among them, so a path like that is not
/// shown either; only the message loses it).
fn looks_like_key(value: &OsStr) -> bool {
    let bytes = value.as_encoded_bytes();
    bytes.len() >= 32
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

/// `path` as a message shows it: as given, or described without its content when it cannot
/// be a path or reads like a key (a secret pasted where a path belongs).
///
/// ```
/// use std::path::Path;
/// use phonetoken::keystore::shown_path;
///
/// assert_eq!(shown_path(Path::new("keys.json")), "keys.json");
/// let pasted = shown_path(Path::new("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="));
/// assert!(pasted.contains("not shown"));
/// ```
pub fn shown_path(path: &Path) -> String {
    if looks_like_path(path.as_os_str()) && !looks_like_key(path.as_os_str()) {
        path.display().to_string()
    } else {
        format!(
            "(a value of {} bytes that does not look like a file path; not shown, as it may hold secrets)",
            path.as_os_str().len()
        )
    }
}

/// Reads a small text file that holds secrets (`what` names it in messages: `"keyset
/// file"`, `"PIN file"`), at most [`MAX_SECRET_FILE_LEN`] bytes, into memory wiped when
/// dropped; no copy is left in freed memory.
///
/// # Errors
///
/// [`KeystoreErrorKind::Unreadable`], saying why and what to check.
///
/// ```
/// use phonetoken::keystore::{read_secret, KeystoreErrorKind};
///
/// let err = read_secret("no/such/keys.json".as_ref(), "keyset file").unwrap_err();
/// assert_eq!(err.kind(), KeystoreErrorKind::Unreadable);
/// assert!(err.to_string().starts_with("cannot read the keyset file no/such/keys.json"));
/// ```
pub fn read_secret(path: &Path, what: &str) -> Result<Zeroizing<String>, KeystoreError> {
    crate::keyset_file::read_secret_file(path, MAX_SECRET_FILE_LEN).map_err(|e| {
        let shown = shown_path(path);
        KeystoreError::new(
            KeystoreErrorKind::Unreadable,
            match e.kind() {
                io::ErrorKind::FileTooLarge => format!(
                    "the {what} {shown} is larger than {MAX_SECRET_FILE_LEN} bytes: it is not a keyset"
                ),
                io::ErrorKind::InvalidData => {
                    format!("the {what} {shown} is not UTF-8 text: it is not a JSON keyset")
                }
                kind => {
                    let hint = match kind {
                        io::ErrorKind::NotFound => {
                            ": check the path (make a keyset with `phonetoken keygen --output FILE`)"
                        }
                        io::ErrorKind::PermissionDenied => ": run as the file's owner",
                        _ => "",
                    };
                    format!("cannot read the {what} {shown}: {e}{hint}")
                }
            },
        )
    })
}

/// The keyset file's path named by [`KEYSET_ENV`], if it is set and not empty.
///
/// # Errors
///
/// [`KeystoreErrorKind::BadReference`] when the variable holds something that is not a path
/// (a keyset's content pasted into it, say); the value is not shown.
///
/// ```
/// use phonetoken::keystore::keyset_path_from_env;
///
/// // Without PHONETOKEN_KEYSET there is no path.
/// if std::env::var_os("PHONETOKEN_KEYSET").is_none() {
///     assert_eq!(keyset_path_from_env()?, None);
/// }
/// # Ok::<(), phonetoken::keystore::KeystoreError>(())
/// ```
pub fn keyset_path_from_env() -> Result<Option<PathBuf>, KeystoreError> {
    match std::env::var_os(KEYSET_ENV) {
        Some(path) if !path.is_empty() => {
            check_path_like(&path, KEYSET_ENV)?;
            Ok(Some(PathBuf::from(path)))
        }
        _ => Ok(None),
    }
}

/// Refuses a keyset path that is not one, naming `what` gave it and never the value.
///
/// # Errors
///
/// [`KeystoreErrorKind::BadReference`] when `path` cannot be a file's path.
///
/// ```
/// use std::ffi::OsStr;
/// use phonetoken::keystore::check_path_like;
///
/// assert!(check_path_like(OsStr::new("keys.json"), "--keyset").is_ok());
/// let err = check_path_like(OsStr::new("{\"keys\": []}"), "--keyset").unwrap_err();
/// assert!(err.to_string().contains("content rather than its path"));
/// ```
pub fn check_path_like(path: &OsStr, what: &str) -> Result<(), KeystoreError> {
    if looks_like_path(path) {
        return Ok(());
    }
    let pasted = if path.as_encoded_bytes().first() == Some(&b'{') {
        " (it starts with `{`: is it the keyset's content rather than its path?)"
    } else {
        ""
    };
    Err(KeystoreError::new(
        KeystoreErrorKind::BadReference,
        format!(
            "{what} does not hold a file path{pasted}: give the keyset file's path; \
             the value is not shown, since it may hold keys"
        ),
    ))
}

/// Who else can get at a file holding keys, as [`permission_problem`] finds it.
///
/// ```
/// use phonetoken::keystore::PermissionProblem;
///
/// let problem = PermissionProblem::ReadableByOthers { mode: 0o644 };
/// assert_eq!(problem.mode(), 0o644);
/// assert!(problem.to_string().contains("read by other users"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum PermissionProblem {
    /// Users other than the owner can change the file, and so put in keys of their own.
    WritableByOthers {
        /// The file's permission bits.
        mode: u32,
    },
    /// Users other than the owner can read a file holding keys in clear.
    ReadableByOthers {
        /// The file's permission bits.
        mode: u32,
    },
}

impl PermissionProblem {
    /// The file's permission bits (`0o644`).
    ///
    /// ```
    /// use phonetoken::keystore::PermissionProblem;
    ///
    /// assert_eq!(PermissionProblem::WritableByOthers { mode: 0o666 }.mode(), 0o666);
    /// ```
    pub fn mode(self) -> u32 {
        match self {
            PermissionProblem::WritableByOthers { mode }
            | PermissionProblem::ReadableByOthers { mode } => mode,
        }
    }
}

impl fmt::Display for PermissionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problem = match self {
            PermissionProblem::WritableByOthers { .. } => {
                "can be changed by other users (they could put in keys of their own)"
            }
            PermissionProblem::ReadableByOthers { .. } => {
                "can be read by other users (it holds secret keys)"
            }
        };
        write!(f, "{problem}: mode {:03o}", self.mode())
    }
}

/// Whether users other than the owner can read the keys in clear in `path` (when it is not
/// `encrypted`), or change it (either way: they could swap in keys of their own). A symlink
/// is judged by the file it points to. `None` when the file is owner-only, cannot be looked
/// at (the read that follows reports that), or the platform has no such permission bits.
///
/// ```no_run
/// use phonetoken::keystore::permission_problem;
///
/// if let Some(problem) = permission_problem("keys.json".as_ref(), false) {
///     eprintln!("warning: keys.json {problem}; run `chmod 600 keys.json`");
/// }
/// ```
pub fn permission_problem(path: &Path, encrypted: bool) -> Option<PermissionProblem> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).ok()?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o022 != 0 {
            Some(PermissionProblem::WritableByOthers { mode })
        } else if mode & 0o044 != 0 && !encrypted {
            Some(PermissionProblem::ReadableByOthers { mode })
        } else {
            None
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (path, encrypted);
        None
    }
}

/// Where a master key (a key-encryption key for keyset files) lives.
///
/// ```
/// use phonetoken::keystore::MasterKeyUri;
///
/// let uri = MasterKeyUri::parse("file:/etc/phonetoken/master.json")?;
/// assert!(matches!(uri, MasterKeyUri::File(_)));
/// let uri = MasterKeyUri::parse("pkcs11:token=hsm;object=kek?pin-source=/etc/phonetoken/pin")?;
/// assert!(matches!(uri, MasterKeyUri::Pkcs11(_)));
/// # Ok::<(), phonetoken::keystore::KeystoreError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum MasterKeyUri {
    /// A Tink AES-GCM keyset file (`file:PATH`).
    File(PathBuf),
    /// A key inside a PKCS#11 token (`pkcs11:…`).
    Pkcs11(Pkcs11Uri),
}

impl MasterKeyUri {
    /// Parses `file:PATH` or an RFC 7512 `pkcs11:` URI.
    ///
    /// # Errors
    ///
    /// [`KeystoreErrorKind::BadReference`], naming what is wrong; the message never repeats
    /// the value, which may be a secret pasted in the wrong place.
    ///
    /// ```
    /// use phonetoken::keystore::MasterKeyUri;
    ///
    /// assert!(MasterKeyUri::parse("pkcs11:object=kek?pin-value=1234").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<MasterKeyUri, KeystoreError> {
        let bad = |message: String| KeystoreError::new(KeystoreErrorKind::BadReference, message);
        if let Some(path) = text.strip_prefix("file:") {
            let path = Path::new(path);
            if !looks_like_path(path.as_os_str()) {
                return Err(bad(
                    "file: needs the master key file's path (the value is not shown)".into(),
                ));
            }
            return Ok(MasterKeyUri::File(path.to_path_buf()));
        }
        if text.starts_with("pkcs11:") {
            return Pkcs11Uri::parse(text).map(MasterKeyUri::Pkcs11);
        }
        Err(bad("give file:PATH (a Tink AES-GCM keyset file) or a pkcs11: URI (RFC 7512) naming an AES key in a token".into()))
    }

    /// The URI in [`MASTER_KEY_ENV`], if it is set and not empty.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse), the message led by the variable's name.
    ///
    /// ```
    /// use phonetoken::keystore::MasterKeyUri;
    ///
    /// if std::env::var_os("PHONETOKEN_MASTER_KEY").is_none() {
    ///     assert!(MasterKeyUri::from_env()?.is_none());
    /// }
    /// # Ok::<(), phonetoken::keystore::KeystoreError>(())
    /// ```
    pub fn from_env() -> Result<Option<MasterKeyUri>, KeystoreError> {
        match std::env::var(MASTER_KEY_ENV) {
            Ok(text) if !text.is_empty() => MasterKeyUri::parse(&text)
                .map(Some)
                .map_err(|e| e.context(MASTER_KEY_ENV)),
            _ => Ok(None),
        }
    }

    /// Opens the master key: reads the file, or logs in to the token and finds the key.
    ///
    /// # Errors
    ///
    /// [`KeystoreErrorKind::Unreadable`] or [`KeystoreErrorKind::BadMasterKey`] for a file;
    /// [`KeystoreErrorKind::BadReference`] or [`KeystoreErrorKind::Token`] for a token.
    ///
    /// ```
    /// use phonetoken::keystore::{KeystoreErrorKind, MasterKeyUri};
    ///
    /// let uri = MasterKeyUri::parse("file:no/such/master.json")?;
    /// assert_eq!(uri.open().err().map(|e| e.kind()), Some(KeystoreErrorKind::Unreadable));
    /// # Ok::<(), phonetoken::keystore::KeystoreError>(())
    /// ```
    pub fn open(&self) -> Result<Box<dyn MasterKey>, KeystoreError> {
        match self {
            MasterKeyUri::File(path) => {
                let text = read_secret(path, "master key file")?;
                let key = TinkAeadKey::from_tink_json(&text).map_err(|e| {
                    KeystoreError::new(
                        KeystoreErrorKind::BadMasterKey,
                        format!("the master key file {}: {e}", shown_path(path)),
                    )
                })?;
                Ok(Box::new(key))
            }
            MasterKeyUri::Pkcs11(uri) => Ok(Box::new(Pkcs11Key::open(uri)?)),
        }
    }

    /// Makes a new master key here: a new owner-only file (written by `write_new`, which
    /// must refuse an existing file and create the new one owner-only), or a new key in the
    /// token. Gives a sentence saying what was made.
    ///
    /// # Errors
    ///
    /// What `write_new` gives for a file; [`KeystoreErrorKind::Exists`] or
    /// [`KeystoreErrorKind::Token`] for a token.
    ///
    /// ```no_run
    /// use std::error::Error;
    /// use std::io::Write;
    /// use std::os::unix::fs::OpenOptionsExt;
    /// use phonetoken::keystore::MasterKeyUri;
    ///
    /// let uri = MasterKeyUri::parse("file:master.json")?;
    /// let made = uri.create(|path, text| -> Result<(), Box<dyn Error>> {
    ///     let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    ///     Ok(file.write_all(text.as_bytes())?)
    /// })?;
    /// println!("{made}");
    /// # Ok::<(), Box<dyn Error>>(())
    /// ```
    pub fn create<E: From<KeystoreError>>(
        &self,
        write_new: impl FnOnce(&Path, &str) -> Result<(), E>,
    ) -> Result<String, E> {
        match self {
            MasterKeyUri::File(path) => {
                let key = TinkAeadKey::generate_os().map_err(|e| {
                    KeystoreError::new(KeystoreErrorKind::BadMasterKey, e.to_string())
                })?;
                write_new(path, &key.to_tink_json())?;
                Ok(format!(
                    "wrote the master key file {} (AES-256-GCM, key id {}): it opens every keyset sealed under it; keep it apart from them, private and backed up",
                    shown_path(path),
                    key.primary_key_id()
                ))
            }
            MasterKeyUri::Pkcs11(uri) => Ok(Pkcs11Key::create(uri)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_and_pasted_secrets_are_not() {
        for shown in [
            "keys.json",
            "/etc/phonetoken/keys.json",
            "./k",
            "C:\\keys\\a.json",
        ] {
            assert!(looks_like_path(OsStr::new(shown)), "{shown}");
            assert_eq!(shown_path(Path::new(shown)), shown);
        }
        let keyset = "{\n  \"format\": \"phonetoken-keyset\",\n  \"keys\": []\n}\n";
        let base64_key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        let hex_key = "abcdef0123456789abcdef0123456789abcdef0123456789";
        let long = "x/".repeat(600);
        for hidden in [keyset, "a\nb", "", &long] {
            assert!(!looks_like_path(OsStr::new(hidden)), "{hidden:?}");
        }
        for hidden in [keyset, base64_key, hex_key, "a\nb", "", &long] {
            let message = shown_path(Path::new(hidden));
            assert!(hidden.is_empty() || !message.contains(hidden), "{message}");
            assert!(message.contains("not shown"), "{message}");
        }
    }

    #[test]
    fn master_key_uris_refuse_without_echoing() {
        for (bad, says) in [
            ("file:", "file: needs"),
            ("file:{\"key\": 1}", "file: needs"),
            ("hunter2", "give file:PATH"),
            ("pkcs11:object=k?pin-value=hunter2", "pin-source"),
        ] {
            let err = MasterKeyUri::parse(bad).unwrap_err();
            assert_eq!(err.kind(), KeystoreErrorKind::BadReference);
            let message = err.to_string();
            assert!(message.contains(says), "{bad}: {message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn permission_problems_follow_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("phonetoken-perm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keys.json");
        std::fs::write(&path, "{}").unwrap();
        for (mode, plain, sealed) in [
            (0o600, None, None),
            (0o400, None, None),
            (
                0o640,
                Some(PermissionProblem::ReadableByOthers { mode: 0o640 }),
                None,
            ),
            (
                0o620,
                Some(PermissionProblem::WritableByOthers { mode: 0o620 }),
                Some(PermissionProblem::WritableByOthers { mode: 0o620 }),
            ),
            (
                0o666,
                Some(PermissionProblem::WritableByOthers { mode: 0o666 }),
                Some(PermissionProblem::WritableByOthers { mode: 0o666 }),
            ),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(permission_problem(&path, false), plain, "{mode:o}");
            assert_eq!(permission_problem(&path, true), sealed, "{mode:o}");
        }
        assert_eq!(permission_problem(&dir.join("absent"), false), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
