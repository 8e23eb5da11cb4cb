//! Master keys (key-encryption keys) named on the command line: `--master-key URI`, or the
//! URI in `PHONETOKEN_MASTER_KEY`.
//!
//! - `file:PATH`: a Tink cleartext JSON keyset of AES-GCM keys (`phonetoken master-key new`
//!   makes one; so does Tink). For development, or hosts without an HSM.
//! - `pkcs11:…`: an RFC 7512 PKCS#11 URI naming an AES key inside a token (an HSM), which
//!   never leaves it: the token seals and opens keysets. See `phonetoken::keystore::Pkcs11Uri`.

use phonetoken::keystore::MasterKeyUri;

use crate::{keyfile, CliError};

pub(crate) use phonetoken::keystore::MASTER_KEY_ENV;

/// The URI of `--master-key`, else of `PHONETOKEN_MASTER_KEY`, if either is set.
pub(crate) fn from_flag_or_env(flag: Option<&str>) -> Result<Option<MasterKeyUri>, CliError> {
    match flag {
        Some(text) => MasterKeyUri::parse(text)
            .map(Some)
            .map_err(|e| e.context("--master-key").into()),
        None => Ok(MasterKeyUri::from_env()?),
    }
}

/// Makes a new master key where `uri` says: a new owner-only file, or a new key in the token.
pub(crate) fn create(uri: &MasterKeyUri) -> Result<String, CliError> {
    uri.create(|path, text| keyfile::write_secret(path, text, false))
}
