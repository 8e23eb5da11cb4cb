//! A master key inside a PKCS#11 token (an HSM, or SoftHSM2 in tests): an AES-256 key
//! created sensitive and never extractable, which only encrypts and decrypts keysets
//! (AES-GCM, `CKM_AES_GCM`, a random 12-byte IV and a 128-bit tag, laid out as Tink's RAW
//! AES-GCM: IV, ciphertext, tag).

use std::format;
use std::path::PathBuf;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use crate::encrypted_keyset::{MasterKey, MasterKeyError};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::{AuthPin, Ulong};
use zeroize::Zeroizing;

use super::{read_secret, shown_path, KeystoreError, KeystoreErrorKind};

/// The PKCS#11 module to load when the URI has no `module-path`.
///
/// ```
/// assert_eq!(phonetoken::keystore::PKCS11_MODULE_ENV, "PHONETOKEN_PKCS11_MODULE");
/// ```
pub const PKCS11_MODULE_ENV: &str = "PHONETOKEN_PKCS11_MODULE";
/// The user PIN when the URI has no `pin-source`.
///
/// ```
/// assert_eq!(phonetoken::keystore::PKCS11_PIN_ENV, "PHONETOKEN_PKCS11_PIN");
/// ```
pub const PKCS11_PIN_ENV: &str = "PHONETOKEN_PKCS11_PIN";

/// A parsed `pkcs11:` URI naming an AES key in a token.
///
/// The key is named by an RFC 7512 URI:
///
/// ```text
/// pkcs11:token=phonetoken;object=keyset-master?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/phonetoken/pin
/// ```
///
/// - path attributes: `token` (the token's label), `serial`, `slot-id`, `object` (the key's
///   label, required), `id` (the key's `CKA_ID`), `type` (`secret-key` if given);
/// - query attributes: `module-path` (else `PHONETOKEN_PKCS11_MODULE`), `pin-source` (a
///   file holding the user PIN, as a path or a `file:` URI; else the PIN is read from
///   `PHONETOKEN_PKCS11_PIN`). `pin-value` is refused: a PIN on the command line is seen by
///   every user of the machine.
///
/// Values are percent-decoded as RFC 7512 says; an attribute this tool does not know is an
/// error rather than ignored, so a typo cannot select another key.
///
/// ```
/// use phonetoken::keystore::Pkcs11Uri;
///
/// let uri = Pkcs11Uri::parse("pkcs11:token=hsm;object=kek?pin-source=/etc/phonetoken/pin")?;
/// assert!(Pkcs11Uri::parse("pkcs11:token=hsm").is_err()); // no object=
/// # Ok::<(), phonetoken::keystore::KeystoreError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pkcs11Uri {
    token: Option<String>,
    serial: Option<String>,
    slot_id: Option<u64>,
    object: String,
    id: Option<Vec<u8>>,
    module_path: Option<PathBuf>,
    pin_source: Option<PathBuf>,
}

impl Pkcs11Uri {
    /// Parses an RFC 7512 URI naming a secret key.
    ///
    /// # Errors
    ///
    /// [`KeystoreErrorKind::BadReference`], naming the attribute at fault, never a value.
    ///
    /// ```
    /// use phonetoken::keystore::Pkcs11Uri;
    ///
    /// let err = Pkcs11Uri::parse("pkcs11:object=kek?pin-value=1234").unwrap_err();
    /// assert!(!err.to_string().contains("1234"));
    /// ```
    pub fn parse(text: &str) -> Result<Pkcs11Uri, KeystoreError> {
        Pkcs11Uri::parse_text(text).map_err(bad_reference)
    }

    fn parse_text(text: &str) -> Result<Pkcs11Uri, String> {
        let rest = text
            .strip_prefix("pkcs11:")
            .ok_or("a PKCS#11 URI starts with pkcs11:")?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Pkcs11Uri::default();
        let mut object = None;
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = attr.split_once('=').ok_or_else(|| {
                format!(
                    "PKCS#11 URI: the path attribute {:?} has no value",
                    bounded(attr)
                )
            })?;
            let bytes = percent_decode(value)
                .ok_or_else(|| format!("PKCS#11 URI: {name}: bad percent-encoding"))?;
            let text = || {
                String::from_utf8(bytes.clone())
                    .map_err(|_| format!("PKCS#11 URI: {name} is not UTF-8"))
            };
            match name {
                "token" => uri.token = Some(text()?),
                "serial" => uri.serial = Some(text()?),
                "slot-id" => {
                    uri.slot_id = Some(text()?.parse().map_err(|_| "PKCS#11 URI: slot-id is not a number")?)
                }
                "object" => object = Some(text()?),
                "id" => uri.id = Some(bytes),
                "type" if bytes == b"secret-key" => {}
                "type" => return Err("PKCS#11 URI: a master key is a secret key (type=secret-key)".into()),
                _ => {
                    return Err(format!(
                        "PKCS#11 URI: unknown path attribute {:?} (known: token, serial, slot-id, object, id, type)",
                        bounded(name)
                    ))
                }
            }
        }
        for attr in query.split('&').filter(|a| !a.is_empty()) {
            let (name, value) = attr.split_once('=').unwrap_or((attr, ""));
            let decoded = percent_decode(value)
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| format!("PKCS#11 URI: {name}: bad percent-encoding"))?;
            match name {
                "module-path" => uri.module_path = Some(PathBuf::from(decoded)),
                "pin-source" => {
                    let path = decoded.strip_prefix("file:").unwrap_or(&decoded);
                    uri.pin_source = Some(PathBuf::from(path));
                }
                "pin-value" => {
                    return Err(format!(
                        "PKCS#11 URI: pin-value puts the PIN on the command line, where every user of the machine can read it: use pin-source=FILE or {PKCS11_PIN_ENV}"
                    ))
                }
                _ => {
                    return Err(format!(
                        "PKCS#11 URI: unknown query attribute {:?} (known: module-path, pin-source)",
                        bounded(name)
                    ))
                }
            }
        }
        uri.object = object.ok_or("PKCS#11 URI: name the key with object=LABEL")?;
        Ok(uri)
    }

    /// How messages name the key: its label and token, never the PIN.
    fn describe(&self) -> String {
        match &self.token {
            Some(token) => format!(
                "the key {:?} in the token {:?}",
                bounded(&self.object),
                bounded(token)
            ),
            None => format!("the key {:?}", bounded(&self.object)),
        }
    }
}

/// At most 64 bytes of a value, for messages.
fn bounded(text: &str) -> &str {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// RFC 3986 percent-decoding; `None` for a `%` not followed by two hex digits.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// A master key inside a PKCS#11 token: an open, logged-in session and the key's handle.
/// The key never leaves the token; [`MasterKey::encrypt`] and [`MasterKey::decrypt`] run
/// `CKM_AES_GCM` inside it.
///
/// ```no_run
/// use phonetoken::keystore::{Pkcs11Key, Pkcs11Uri};
///
/// let uri = Pkcs11Uri::parse("pkcs11:token=hsm;object=kek?pin-source=/etc/phonetoken/pin")?;
/// let master = Pkcs11Key::open(&uri)?;
/// # Ok::<(), phonetoken::keystore::KeystoreError>(())
/// ```
pub struct Pkcs11Key {
    session: Session,
    key: ObjectHandle,
}

fn backend(what: &str, e: &CkError) -> KeystoreError {
    token(format!("PKCS#11: {what}: {e}"))
}

fn token(message: String) -> KeystoreError {
    KeystoreError::new(KeystoreErrorKind::Token, message)
}

fn bad_reference(message: String) -> KeystoreError {
    KeystoreError::new(KeystoreErrorKind::BadReference, message)
}

/// Loads the module, finds the token, and logs in with the PIN.
fn login(uri: &Pkcs11Uri) -> Result<Session, KeystoreError> {
    let module = match &uri.module_path {
        Some(path) => path.clone(),
        None => match std::env::var_os(PKCS11_MODULE_ENV) {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => {
                return Err(bad_reference(format!(
                "PKCS#11: name the token's module with module-path=… in the URI, or {PKCS11_MODULE_ENV}"
            )))
            }
        },
    };
    let pkcs11 = Pkcs11::new(&module).map_err(|e| {
        token(format!(
            "PKCS#11: cannot load the module {}: {e}",
            shown_path(&module)
        ))
    })?;
    pkcs11
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(|e| backend("initialize", &e))?;
    let mut chosen = None;
    for slot in pkcs11
        .get_slots_with_token()
        .map_err(|e| backend("list slots", &e))?
    {
        let info = pkcs11
            .get_token_info(slot)
            .map_err(|e| backend("token info", &e))?;
        let matches = uri
            .token
            .as_deref()
            .is_none_or(|t| info.label().trim_end() == t)
            && uri
                .serial
                .as_deref()
                .is_none_or(|s| info.serial_number().trim_end() == s)
            && uri.slot_id.is_none_or(|id| slot.id() == id);
        if matches {
            if chosen.is_some() {
                return Err(bad_reference(
                    "PKCS#11: several tokens match the URI: add token=LABEL or serial=… to it"
                        .into(),
                ));
            }
            chosen = Some(slot);
        }
    }
    let slot = chosen.ok_or_else(|| {
        token(format!(
            "PKCS#11: no token matches the URI{}: check token=… (the token's label)",
            uri.token
                .as_deref()
                .map(|t| format!(" (token {:?})", bounded(t)))
                .unwrap_or_default()
        ))
    })?;
    let session = pkcs11
        .open_rw_session(slot)
        .map_err(|e| backend("open a session", &e))?;
    let pin = read_pin(uri)?;
    match session.login(UserType::User, Some(&AuthPin::from(pin.as_str()))) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
            return Err(token(format!(
                "PKCS#11: the token refused the PIN: check the pin-source file or {PKCS11_PIN_ENV}"
            )))
        }
        Err(e) => return Err(backend("log in", &e)),
    }
    Ok(session)
}

/// The user PIN from `pin-source`, else from the environment, in wiped memory.
fn read_pin(uri: &Pkcs11Uri) -> Result<Zeroizing<String>, KeystoreError> {
    let mut pin = match &uri.pin_source {
        Some(path) => read_secret(path, "PIN file")?,
        None => match std::env::var(PKCS11_PIN_ENV) {
            Ok(pin) => Zeroizing::new(pin),
            Err(_) => {
                return Err(bad_reference(format!(
                    "PKCS#11: no PIN: add pin-source=FILE to the URI, or set {PKCS11_PIN_ENV}"
                )))
            }
        },
    };
    // A PIN file usually ends with a line end that is not part of the PIN.
    while pin.ends_with('\n') || pin.ends_with('\r') {
        pin.pop();
    }
    Ok(pin)
}

fn key_template(uri: &Pkcs11Uri) -> Vec<Attribute> {
    let mut template = vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::Label(uri.object.as_bytes().to_vec()),
    ];
    if let Some(id) = &uri.id {
        template.push(Attribute::Id(id.clone()));
    }
    template
}

impl Pkcs11Key {
    /// Loads the module, logs in and finds the one AES key the URI names.
    ///
    /// # Errors
    ///
    /// [`KeystoreErrorKind::BadReference`] when the URI and the environment name no module
    /// or PIN, or match several tokens or keys; [`KeystoreErrorKind::Token`] when the
    /// module, token or login fails, or no key matches.
    ///
    /// ```no_run
    /// use phonetoken::keystore::{MasterKeyUri, Pkcs11Key, Pkcs11Uri};
    ///
    /// let uri = Pkcs11Uri::parse("pkcs11:token=hsm;object=kek")?;
    /// let key = Pkcs11Key::open(&uri)?; // the PIN from PHONETOKEN_PKCS11_PIN
    /// # Ok::<(), phonetoken::keystore::KeystoreError>(())
    /// ```
    pub fn open(uri: &Pkcs11Uri) -> Result<Pkcs11Key, KeystoreError> {
        let session = login(uri)?;
        let found = session
            .find_objects(&key_template(uri))
            .map_err(|e| backend("find the key", &e))?;
        match found.as_slice() {
            [key] => Ok(Pkcs11Key { session, key: *key }),
            [] => Err(token(format!(
                "PKCS#11: no AES key matches {}: make one with `phonetoken master-key new --master-key URI`",
                uri.describe()
            ))),
            _ => Err(bad_reference(format!(
                "PKCS#11: several keys match {}: add id=… to the URI",
                uri.describe()
            ))),
        }
    }

    /// Generates the key the URI names inside the token: AES-256, sensitive, never
    /// extractable, for encryption and decryption only. Gives a sentence saying what was
    /// made.
    ///
    /// # Errors
    ///
    /// [`KeystoreErrorKind::Exists`] when such a key exists already (it is never replaced);
    /// otherwise as [`open`](Self::open).
    ///
    /// ```no_run
    /// use phonetoken::keystore::{Pkcs11Key, Pkcs11Uri};
    ///
    /// let uri = Pkcs11Uri::parse("pkcs11:token=hsm;object=new-kek")?;
    /// println!("{}", Pkcs11Key::create(&uri)?);
    /// # Ok::<(), phonetoken::keystore::KeystoreError>(())
    /// ```
    pub fn create(uri: &Pkcs11Uri) -> Result<String, KeystoreError> {
        let session = login(uri)?;
        let existing = session
            .find_objects(&key_template(uri))
            .map_err(|e| backend("look for the key", &e))?;
        if !existing.is_empty() {
            return Err(KeystoreError::new(KeystoreErrorKind::Exists, format!(
                "PKCS#11: {} exists already: choose another object=LABEL (an existing master key is never replaced)",
                uri.describe()
            )));
        }
        let mut template = key_template(uri);
        template.extend([
            Attribute::ValueLen(Ulong::new(32)),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
            Attribute::Wrap(false),
            Attribute::Unwrap(false),
            Attribute::Sign(false),
            Attribute::Verify(false),
            Attribute::Derive(false),
        ]);
        session
            .generate_key(&Mechanism::AesKeyGen, &template)
            .map_err(|e| backend("generate the key", &e))?;
        Ok(format!(
            "made {}: AES-256, sensitive and never extractable; it stays in the token",
            uri.describe()
        ))
    }
}

/// Length of the GCM IV this tool sends, and of the tag.
const IV_LEN: usize = 12;
const TAG_BITS: u64 = 128;

impl MasterKey for Pkcs11Key {
    fn encrypt(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Vec<u8>, MasterKeyError> {
        let mut iv = [0u8; IV_LEN];
        getrandom::fill(&mut iv)
            .map_err(|_| MasterKeyError::Backend("the random generator failed".into()))?;
        let mut iv_param = iv;
        let params = GcmParams::new(&mut iv_param, associated_data, Ulong::new(TAG_BITS))
            .map_err(|e| MasterKeyError::Backend(e.to_string()))?;
        let sealed = self
            .session
            .encrypt(&Mechanism::AesGcm(params), self.key, plaintext)
            .map_err(|e| MasterKeyError::Backend(format!("C_Encrypt: {e}")))?;
        let mut out = Vec::with_capacity(IV_LEN + sealed.len());
        out.extend_from_slice(&iv);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn decrypt(
        &self,
        ciphertext: &[u8],
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MasterKeyError> {
        let Some((iv, sealed)) = ciphertext.split_first_chunk::<IV_LEN>() else {
            return Err(MasterKeyError::Decrypt);
        };
        if sealed.len() < 16 {
            return Err(MasterKeyError::Decrypt);
        }
        let mut iv = *iv;
        let params = GcmParams::new(&mut iv, associated_data, Ulong::new(TAG_BITS))
            .map_err(|e| MasterKeyError::Backend(e.to_string()))?;
        match self
            .session
            .decrypt(&Mechanism::AesGcm(params), self.key, sealed)
        {
            Ok(plain) => Ok(Zeroizing::new(plain)),
            // A failed tag check: SoftHSM2 reports it as a general error, others as invalid data.
            Err(CkError::Pkcs11(
                RvError::EncryptedDataInvalid
                | RvError::EncryptedDataLenRange
                | RvError::GeneralError,
                _,
            )) => Err(MasterKeyError::Decrypt),
            Err(e) => Err(MasterKeyError::Backend(format!("C_Decrypt: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn uris_name_a_key_and_never_carry_a_pin() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=my%20token;object=kek;id=%01%02;type=secret-key?module-path=/usr/lib/x.so&pin-source=file:/etc/pin",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("my token"));
        assert_eq!(uri.object, "kek");
        assert_eq!(uri.id.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(uri.module_path.as_deref(), Some(Path::new("/usr/lib/x.so")));
        assert_eq!(uri.pin_source.as_deref(), Some(Path::new("/etc/pin")));
        for (bad, says) in [
            ("pkcs11:token=t", "object="),
            ("pkcs11:object=k?pin-value=1234", "pin-source"),
            ("pkcs11:object=k;colour=red", "unknown path attribute"),
            ("pkcs11:object=k?module=x", "unknown query attribute"),
            ("pkcs11:object=k;type=private", "secret-key"),
            ("pkcs11:object=%zz", "percent"),
            ("pkcs11:object", "no value"),
        ] {
            let err = Pkcs11Uri::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(!err.contains("1234"), "{err}");
        }
    }
}
