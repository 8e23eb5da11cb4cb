//! Master keys (key-encryption keys) named on the command line: `--master-key URI`, or the
//! URI in `PHONETOKEN_MASTER_KEY`.
//!
//! - `file:PATH`: a Tink cleartext JSON keyset of AES-GCM keys (`phonetoken master-key new`
//!   makes one; so does Tink). For development, or hosts without an HSM.
//! - `pkcs11:…`: an RFC 7512 PKCS#11 URI naming an AES key inside a token (an HSM), which
//!   never leaves it: the token seals and opens keysets. See [`crate::pkcs11`].

use std::path::{Path, PathBuf};

use phonetoken::encrypted_keyset::{MasterKey, TinkAeadKey};

use crate::{keyfile, pkcs11, shown, CliError};

/// The environment variable holding the master key's URI when `--master-key` is absent.
pub(crate) const MASTER_KEY_ENV: &str = "PHONETOKEN_MASTER_KEY";

/// Where a master key lives.
#[derive(Debug, Clone)]
pub(crate) enum MasterKeyUri {
    /// A Tink AES-GCM keyset file.
    File(PathBuf),
    /// A key inside a PKCS#11 token.
    Pkcs11(pkcs11::Uri),
}

impl MasterKeyUri {
    /// The URI of `--master-key`, else of `PHONETOKEN_MASTER_KEY`, if either is set.
    pub(crate) fn from_flag_or_env(flag: Option<&str>) -> Result<Option<MasterKeyUri>, CliError> {
        let (text, from) = match flag {
            Some(text) => (text.to_owned(), "--master-key"),
            None => match std::env::var(MASTER_KEY_ENV) {
                Ok(text) if !text.is_empty() => (text, MASTER_KEY_ENV),
                _ => return Ok(None),
            },
        };
        MasterKeyUri::parse(&text)
            .map(Some)
            .map_err(|why| CliError::Usage(format!("{from}: {why}")))
    }

    /// Parses `file:PATH` or `pkcs11:…`. The message never repeats the value, which may be a
    /// secret pasted in the wrong place.
    pub(crate) fn parse(text: &str) -> Result<MasterKeyUri, String> {
        if let Some(path) = text.strip_prefix("file:") {
            let path = Path::new(path);
            if !shown::looks_like_path(path.as_os_str()) {
                return Err(
                    "file: needs the master key file's path (the value is not shown)".into(),
                );
            }
            return Ok(MasterKeyUri::File(path.to_path_buf()));
        }
        if text.starts_with("pkcs11:") {
            return pkcs11::Uri::parse(text).map(MasterKeyUri::Pkcs11);
        }
        Err("give file:PATH (a Tink AES-GCM keyset file) or a pkcs11: URI (RFC 7512) naming an AES key in a token".into())
    }

    /// Opens the master key.
    pub(crate) fn open(&self) -> Result<Box<dyn MasterKey>, CliError> {
        match self {
            MasterKeyUri::File(path) => {
                let text = keyfile::read_secret(path, "master key file")?;
                let key = TinkAeadKey::from_tink_json(&text).map_err(|e| {
                    CliError::Usage(format!("the master key file {}: {e}", shown::path(path)))
                })?;
                Ok(Box::new(key))
            }
            MasterKeyUri::Pkcs11(uri) => Ok(Box::new(pkcs11::Pkcs11Key::open(uri)?)),
        }
    }

    /// Makes a new master key here: a new owner-only file, or a new key in the token.
    pub(crate) fn create(&self) -> Result<String, CliError> {
        match self {
            MasterKeyUri::File(path) => {
                let key = TinkAeadKey::generate_os().map_err(|e| CliError::Usage(e.to_string()))?;
                keyfile::write_secret(path, &key.to_tink_json(), false)?;
                Ok(format!(
                    "wrote the master key file {} (AES-256-GCM, key id {}): it opens every keyset sealed under it; keep it apart from them, private and backed up",
                    shown::path(path),
                    key.primary_key_id()
                ))
            }
            MasterKeyUri::Pkcs11(uri) => pkcs11::Pkcs11Key::create(uri),
        }
    }
}
