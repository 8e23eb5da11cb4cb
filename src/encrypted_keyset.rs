//! Encrypted keyset files (feature `std`): a keyset sealed under a master key, in Tink's
//! encrypted-keyset format, so Tink and the tools built on it open the same file with the
//! same master key.
//!
//! # The file
//!
//! Tink's `EncryptedKeyset` in its JSON form:
//!
//! ```json
//! {
//!   "encryptedKeyset": "<standard base64 of the master key's ciphertext>",
//!   "keysetInfo": {"primaryKeyId": 7, "keyInfo": [
//!     {"typeUrl": "type.googleapis.com/google.crypto.tink.AesSivKey", "status": "ENABLED", "keyId": 7, "outputPrefixType": "TINK"},
//!     {"typeUrl": "type.googleapis.com/google.crypto.tink.HmacKey", "status": "ENABLED", "keyId": 4294967288, "outputPrefixType": "RAW"}]}
//! }
//! ```
//!
//! The ciphertext is the [`MasterKey`]'s encryption of a serialized Tink `Keyset` protobuf,
//! with the associated data the caller gives (the `phonetoken` tool gives none, as Tink's
//! own tools do). That keyset holds two Tink keys for each phonetoken key:
//!
//! - the token key: an `AesSivKey` (version 0, the 64-byte key) with the phonetoken key's id
//!   and the `TINK` output prefix, exactly as [`Keyset::to_tink_json`](crate::KeysetN::to_tink_json) exports it;
//! - the pseudonym key: an `HmacKey` (version 0, `SHA256`, tag size 32, the 32-byte key)
//!   with the `RAW` output prefix, whose id is the bitwise complement of the token key's id
//!   (`!id`). Tink's MAC of an E.164 string under it is the phonetoken pseudonym.
//!
//! Both have the phonetoken key's status; the keyset's primary id is the primary key's id.
//! `keysetInfo` is not encrypted, so it is not trusted: a reader checks that it agrees with
//! the decrypted keyset, and refuses the file if not. Tink keys marked `DESTROYED` hold no
//! key material and are skipped.
//!
//! A keyset whose ids include both `id` and `!id` for two different keys cannot be written
//! in this format ([`EncryptedKeysetError::IdClash`]); random ids clash with probability
//! 2^-32 per pair, and `phonetoken keyset rotate` never picks such an id.
//!
//! # Master keys
//!
//! A [`MasterKey`] encrypts and decrypts with associated data, as Tink's `Aead` does. This
//! module has one for development and for files: [`TinkAeadKey`], a Tink cleartext JSON
//! keyset of AES-GCM keys, which Tink loads as an `Aead` too. The `phonetoken` tool adds a
//! PKCS#11 token (an HSM) where the master key never leaves the device. A cloud KMS fits the
//! same trait: `encrypt` and `decrypt` call the KMS's encrypt and decrypt with the key's
//! resource name, as Tink's KMS clients do.

use core::fmt;
use std::string::String;
use std::vec::Vec;

use aes_gcm::{AeadInOut, Aes128Gcm, Aes256Gcm, KeyInit, Nonce, Tag};
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::Encoding;
use crate::keys::{wiping_stack, KeyStatus, KeysetN};
use crate::keys::{PSEUDONYM_KEY_LEN, TOKEN_KEY_LEN};
use crate::keyset_file::{
    KeysetFileError, Placement, TinkKeysetRepr, NO_SUCH_POSITION, TINK_AES_SIV_TYPE_URL,
};

/// Tink's type URL for HMAC keys (the pseudonym keys).
pub const TINK_HMAC_TYPE_URL: &str = "type.googleapis.com/google.crypto.tink.HmacKey";
/// Tink's type URL for AES-GCM keys ([`TinkAeadKey`]).
pub const TINK_AES_GCM_TYPE_URL: &str = "type.googleapis.com/google.crypto.tink.AesGcmKey";

/// Most keys a master key file may hold.
const MAX_MASTER_KEYS: usize = 64;

/// Largest encrypted keyset read, in bytes of JSON: far above any keyset phonetoken holds.
pub const MAX_ENCRYPTED_LEN: usize = 1 << 20;

/// A key-encryption key: seals keysets and opens them, with associated data, as Tink's
/// `Aead` does. Implement it for a KMS or an HSM; [`TinkAeadKey`] is one in a file.
///
/// ```
/// use phonetoken::encrypted_keyset::{MasterKey, MasterKeyError, TinkAeadKey};
///
/// let master = TinkAeadKey::generate_os()?;
/// let sealed = master.encrypt(b"secret", b"ad")?;
/// assert_eq!(&*master.decrypt(&sealed, b"ad")?, b"secret");
/// assert_eq!(master.decrypt(&sealed, b"other").unwrap_err(), MasterKeyError::Decrypt);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub trait MasterKey {
    /// Encrypts `plaintext`, bound to `associated_data`.
    ///
    /// # Errors
    ///
    /// [`MasterKeyError::Backend`] when the key's store refuses or fails.
    fn encrypt(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Vec<u8>, MasterKeyError>;

    /// Decrypts what [`encrypt`](Self::encrypt) made with the same associated data, into
    /// memory wiped when dropped.
    ///
    /// # Errors
    ///
    /// [`MasterKeyError::Decrypt`] when the ciphertext was altered or made by another key or
    /// with other associated data; [`MasterKeyError::Backend`] when the store fails.
    fn decrypt(
        &self,
        ciphertext: &[u8],
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MasterKeyError>;
}

/// Why a master key could not encrypt or decrypt.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum MasterKeyError {
    /// The ciphertext does not open under this key and associated data: another master key,
    /// or an altered file.
    Decrypt,
    /// The key's store (an HSM, a KMS) failed; the text says how, and holds no secret.
    Backend(String),
}

impl fmt::Display for MasterKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MasterKeyError::Decrypt => f.write_str(
                "the master key does not open it: another master key made it, or it was altered",
            ),
            MasterKeyError::Backend(why) => write!(f, "the master key's store failed: {why}"),
        }
    }
}

impl core::error::Error for MasterKeyError {}

/// One AES-GCM key of a [`TinkAeadKey`].
struct GcmKey {
    id: u32,
    status: KeyStatus,
    /// Tink's 5-byte prefix (`0x01` and the id) before the IV, or none (`RAW`).
    prefixed: bool,
    cipher: GcmCipher,
}

enum GcmCipher {
    Aes128(Aes128Gcm),
    Aes256(Aes256Gcm),
}

/// A master key held in a Tink cleartext JSON keyset of `AesGcmKey`s (16- or 32-byte keys,
/// `TINK` or `RAW` output prefix): Tink loads the same file as an `Aead`, so both open the
/// keysets either seals. Ciphertexts are Tink's: the prefix, a random 12-byte IV, the
/// ciphertext and the 16-byte tag. For development and for machines without an HSM; keep
/// the file where the keyset file is not.
///
/// ```
/// use phonetoken::encrypted_keyset::TinkAeadKey;
///
/// let master = TinkAeadKey::generate_os()?;
/// let json = master.to_tink_json();
/// assert!(json.contains("AesGcmKey"));
/// let again = TinkAeadKey::from_tink_json(&json)?;
/// assert_eq!(again.primary_key_id(), master.primary_key_id());
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub struct TinkAeadKey {
    primary: u32,
    keys: Vec<GcmKey>,
    /// The key bytes, for [`to_tink_json`](Self::to_tink_json).
    raw: Vec<RawGcmKey>,
}

/// One AES-GCM key as its file holds it; the bytes are wiped on drop.
struct RawGcmKey {
    id: u32,
    status: KeyStatus,
    prefixed: bool,
    key: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for TinkAeadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TinkAeadKey")
            .field("primary_key_id", &self.primary)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl TinkAeadKey {
    /// A new master key: one AES-256-GCM key with a random id and the `TINK` prefix, from the
    /// operating system's generator.
    ///
    /// # Errors
    ///
    /// [`EncryptedKeysetError::Rng`] if the generator fails.
    ///
    /// ```
    /// let master = phonetoken::encrypted_keyset::TinkAeadKey::generate_os()?;
    /// # let _ = master;
    /// # Ok::<(), phonetoken::encrypted_keyset::EncryptedKeysetError>(())
    /// ```
    pub fn generate_os() -> Result<TinkAeadKey, EncryptedKeysetError> {
        let mut key = Zeroizing::new([0u8; 32]);
        let mut id = [0u8; 4];
        getrandom::fill(&mut *key).map_err(|_| EncryptedKeysetError::Rng)?;
        getrandom::fill(&mut id).map_err(|_| EncryptedKeysetError::Rng)?;
        let id = u32::from_be_bytes(id);
        let raw = std::vec![RawGcmKey {
            id,
            status: KeyStatus::Enabled,
            prefixed: true,
            key: Zeroizing::new(key.to_vec()),
        }];
        Self::build(id, raw)
    }

    /// Loads a Tink cleartext JSON keyset of `AesGcmKey`s.
    ///
    /// # Errors
    ///
    /// An [`EncryptedKeysetError`] naming the first problem: malformed JSON, a key type
    /// other than `AesGcmKey`, a key of another size than 16 or 32 bytes, an output prefix
    /// other than `TINK`/`RAW`, no primary or a disabled one, duplicate ids.
    ///
    /// ```
    /// use phonetoken::encrypted_keyset::{EncryptedKeysetError, TinkAeadKey};
    ///
    /// let err = TinkAeadKey::from_tink_json(r#"{"primaryKeyId": 1, "key": []}"#).unwrap_err();
    /// assert_eq!(err, EncryptedKeysetError::Keyset(phonetoken::keyset_file::KeysetFileError::NoKeys));
    /// ```
    pub fn from_tink_json(json: &str) -> Result<TinkAeadKey, EncryptedKeysetError> {
        let file: TinkKeysetRepr<'_> =
            serde_json::from_str(json).map_err(|e| json_error("master key file", &e))?;
        let primary = file
            .primary_key_id
            .ok_or(EncryptedKeysetError::Keyset(KeysetFileError::NoPrimary))?;
        let mut raw = Vec::with_capacity(file.key.len().min(MAX_MASTER_KEYS));
        for k in &file.key {
            let key_id = k.key_id;
            if k.key_data.type_url != TINK_AES_GCM_TYPE_URL
                || k.key_data.key_material_type != "SYMMETRIC"
            {
                return Err(EncryptedKeysetError::UnsupportedKey { key_id });
            }
            let prefixed = match k.output_prefix_type {
                "TINK" => true,
                "RAW" => false,
                _ => return Err(EncryptedKeysetError::UnsupportedKey { key_id }),
            };
            let status = match k.status {
                "ENABLED" => KeyStatus::Enabled,
                "DISABLED" => KeyStatus::Disabled,
                "DESTROYED" => continue,
                _ => return Err(EncryptedKeysetError::BadKey { key_id }),
            };
            let mut proto = Zeroizing::new([0u8; 96]);
            let bytes = Encoding::Base64
                .decode_into(k.key_data.value, &mut *proto)
                .map_err(|_| EncryptedKeysetError::BadKey { key_id })?;
            let key = read_single_bytes_field(bytes, 3, key_id)?;
            if key.len() != 16 && key.len() != 32 {
                return Err(EncryptedKeysetError::BadKey { key_id });
            }
            if raw.len() == MAX_MASTER_KEYS {
                return Err(EncryptedKeysetError::Keyset(KeysetFileError::TooManyKeys {
                    capacity: MAX_MASTER_KEYS,
                }));
            }
            raw.push(RawGcmKey {
                id: key_id,
                status,
                prefixed,
                key: Zeroizing::new(key.to_vec()),
            });
        }
        Self::build(primary, raw)
    }

    fn build(primary: u32, raw: Vec<RawGcmKey>) -> Result<TinkAeadKey, EncryptedKeysetError> {
        // The keyset rules (keys, a unique id each, an enabled primary) are the keyset files'.
        let ids: Vec<(u32, KeyStatus)> = raw.iter().map(|r| (r.id, r.status)).collect();
        Placement::<{ MAX_MASTER_KEYS - 1 }>::new(primary, &ids)
            .map_err(EncryptedKeysetError::Keyset)?;
        let mut keys = Vec::with_capacity(raw.len());
        for r in &raw {
            let key_id = r.id;
            let cipher = match r.key.len() {
                16 => Aes128Gcm::new_from_slice(&r.key).map(GcmCipher::Aes128),
                _ => Aes256Gcm::new_from_slice(&r.key).map(GcmCipher::Aes256),
            }
            .map_err(|_| EncryptedKeysetError::BadKey { key_id })?;
            keys.push(GcmKey {
                id: key_id,
                status: r.status,
                prefixed: r.prefixed,
                cipher,
            });
        }
        Ok(TinkAeadKey { primary, keys, raw })
    }

    /// The id of the key that encrypts.
    ///
    /// ```
    /// let master = phonetoken::encrypted_keyset::TinkAeadKey::generate_os()?;
    /// assert!(master.to_tink_json().contains(&master.primary_key_id().to_string()));
    /// # Ok::<(), phonetoken::encrypted_keyset::EncryptedKeysetError>(())
    /// ```
    pub fn primary_key_id(&self) -> u32 {
        self.primary
    }

    /// The master key as a Tink cleartext JSON keyset (it holds the secret: store it
    /// owner-only), in a string wiped when dropped.
    ///
    /// ```
    /// use phonetoken::encrypted_keyset::TinkAeadKey;
    ///
    /// let master = TinkAeadKey::generate_os()?;
    /// assert_eq!(TinkAeadKey::from_tink_json(&master.to_tink_json())?.to_tink_json(), master.to_tink_json());
    /// # Ok::<(), phonetoken::encrypted_keyset::EncryptedKeysetError>(())
    /// ```
    pub fn to_tink_json(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(64 + 240 * self.raw.len()));
        out.push_str("{\"primaryKeyId\":");
        push_u32(&mut out, self.primary);
        out.push_str(",\"key\":[");
        let mut proto = Zeroizing::new([0u8; 34]);
        let mut text = Zeroizing::new([0u8; 48]);
        for (i, r) in self.raw.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // AesGcmKey { key_value (3): key }, version 0 omitted as proto3 does.
            proto[0] = 0x1a;
            proto[1] = r.key.len() as u8;
            let end = 2 + r.key.len();
            if let Some(dst) = proto.get_mut(2..end) {
                dst.copy_from_slice(&r.key);
            }
            out.push_str("{\"keyData\":{\"typeUrl\":\"");
            out.push_str(TINK_AES_GCM_TYPE_URL);
            out.push_str("\",\"value\":\"");
            out.push_str(
                Encoding::Base64
                    .encode_into(proto.get(..end).unwrap_or_default(), &mut *text)
                    .unwrap_or(""),
            );
            out.push_str("\",\"keyMaterialType\":\"SYMMETRIC\"},\"status\":\"");
            out.push_str(tink_status(r.status));
            out.push_str("\",\"keyId\":");
            push_u32(&mut out, r.id);
            out.push_str(",\"outputPrefixType\":\"");
            out.push_str(if r.prefixed { "TINK" } else { "RAW" });
            out.push_str("\"}");
        }
        out.push_str("]}\n");
        out
    }
}

impl MasterKey for TinkAeadKey {
    fn encrypt(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Vec<u8>, MasterKeyError> {
        let key = self
            .keys
            .iter()
            .find(|k| k.id == self.primary)
            .ok_or_else(|| MasterKeyError::Backend("no primary key".into()))?;
        let prefix = if key.prefixed { 5 } else { 0 };
        let mut out = Vec::with_capacity(prefix + 12 + plaintext.len() + 16);
        if key.prefixed {
            out.push(1);
            out.extend_from_slice(&key.id.to_be_bytes());
        }
        let mut iv = [0u8; 12];
        getrandom::fill(&mut iv)
            .map_err(|_| MasterKeyError::Backend("the random generator failed".into()))?;
        out.extend_from_slice(&iv);
        let body = out.len();
        out.extend_from_slice(plaintext);
        let nonce = Nonce::from(iv);
        let buffer = out.get_mut(body..).unwrap_or_default();
        let tag = match &key.cipher {
            GcmCipher::Aes128(c) => {
                c.encrypt_inout_detached(&nonce, associated_data, buffer.into())
            }
            GcmCipher::Aes256(c) => {
                c.encrypt_inout_detached(&nonce, associated_data, buffer.into())
            }
        }
        .map_err(|_| MasterKeyError::Backend("AES-GCM refused the input's length".into()))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    fn decrypt(
        &self,
        ciphertext: &[u8],
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, MasterKeyError> {
        let prefixed_id = match ciphertext {
            [1, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
            _ => None,
        };
        // As Tink's Aead does: the key the prefix names, then every RAW key.
        let candidates = self
            .keys
            .iter()
            .filter(|k| k.status == KeyStatus::Enabled)
            .filter(|k| {
                if k.prefixed {
                    prefixed_id == Some(k.id)
                } else {
                    true
                }
            });
        for key in candidates {
            let body = ciphertext
                .get(if key.prefixed { 5 } else { 0 }..)
                .unwrap_or_default();
            if let Some(plain) = open_gcm(&key.cipher, body, associated_data) {
                return Ok(plain);
            }
        }
        Err(MasterKeyError::Decrypt)
    }
}

/// AES-GCM over `iv || ciphertext || tag`, into an exactly sized wiped buffer.
fn open_gcm(cipher: &GcmCipher, body: &[u8], associated_data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (iv, rest) = body.split_first_chunk::<12>()?;
    let split = rest.len().checked_sub(16)?;
    let (data, tag) = rest.split_at(split);
    let tag = Tag::try_from(tag).ok()?;
    let nonce = Nonce::from(*iv);
    let mut plain = Zeroizing::new(Vec::with_capacity(data.len()));
    plain.extend_from_slice(data);
    let opened = match cipher {
        GcmCipher::Aes128(c) => {
            c.decrypt_inout_detached(&nonce, associated_data, plain.as_mut_slice().into(), &tag)
        }
        GcmCipher::Aes256(c) => {
            c.decrypt_inout_detached(&nonce, associated_data, plain.as_mut_slice().into(), &tag)
        }
    };
    opened.ok().map(|()| plain)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EncryptedRepr<'a> {
    #[serde(borrow)]
    encrypted_keyset: &'a str,
    #[serde(borrow, default)]
    keyset_info: Option<KeysetInfoRepr<'a>>,
}

#[derive(Deserialize, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeysetInfoRepr<'a> {
    #[serde(default)]
    primary_key_id: u32,
    #[serde(borrow, default)]
    key_info: Vec<KeyInfoRepr<'a>>,
}

#[derive(Deserialize, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyInfoRepr<'a> {
    #[serde(borrow, default)]
    type_url: &'a str,
    #[serde(borrow, default)]
    status: &'a str,
    #[serde(default)]
    key_id: u32,
    #[serde(borrow, default)]
    output_prefix_type: &'a str,
}

/// Protobuf field numbers and enum values of Tink's `Keyset`.
mod tink {
    pub(super) const ENABLED: u64 = 1;
    pub(super) const DISABLED: u64 = 2;
    pub(super) const DESTROYED: u64 = 3;
    pub(super) const TINK: u64 = 1;
    pub(super) const RAW: u64 = 3;
    pub(super) const SYMMETRIC: u64 = 1;
    pub(super) const SHA256: u64 = 3;
}

/// A protobuf writer into a buffer sized in advance, so key bytes are never left behind by
/// a reallocation.
struct ProtoWriter {
    out: Zeroizing<Vec<u8>>,
}

impl ProtoWriter {
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.out.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.out.push(value as u8);
    }

    fn tag(&mut self, field: u64, wire: u64) {
        self.varint(field << 3 | wire);
    }

    fn uint(&mut self, field: u64, value: u64) {
        self.tag(field, 0);
        self.varint(value);
    }

    fn bytes(&mut self, field: u64, value: &[u8]) {
        self.tag(field, 2);
        self.varint(value.len() as u64);
        self.out.extend_from_slice(value);
    }
}

fn varint_len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// Bytes of a length-delimited field holding `len` bytes (one-byte tag).
fn field_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

/// Bytes of a varint field (one-byte tag).
fn uint_len(value: u64) -> usize {
    1 + varint_len(value)
}

/// Serialized `AesSivKey` and `HmacKey` lengths.
const AES_SIV_KEY_PROTO_LEN: usize = 2 + TOKEN_KEY_LEN;
const HMAC_PARAMS: [u8; 4] = [0x08, tink::SHA256 as u8, 0x10, 32];
const HMAC_KEY_PROTO_LEN: usize = 2 + HMAC_PARAMS.len() + 2 + PSEUDONYM_KEY_LEN;

fn status_value(status: KeyStatus) -> u64 {
    match status {
        KeyStatus::Enabled => tink::ENABLED,
        KeyStatus::Disabled => tink::DISABLED,
    }
}

fn tink_status(status: KeyStatus) -> &'static str {
    match status {
        KeyStatus::Enabled => "ENABLED",
        KeyStatus::Disabled => "DISABLED",
    }
}

/// Field of Tink's `Keyset.Key` where phonetoken keeps a key's creation time (seconds since
/// the Unix epoch): an extension Tink does not define, so Tink ignores it (and its protobuf
/// readers keep it as an unknown field).
const CREATED_FIELD: u64 = 1000;

/// One Tink key of the inner keyset, as written.
struct TinkKeyOut<'a> {
    type_url: &'static str,
    value: &'a [u8],
    status: KeyStatus,
    key_id: u32,
    prefix: u64,
    created: Option<u64>,
}

impl TinkKeyOut<'_> {
    fn key_data_len(&self) -> usize {
        field_len(self.type_url.len()) + field_len(self.value.len()) + uint_len(tink::SYMMETRIC)
    }

    fn len(&self) -> usize {
        field_len(self.key_data_len())
            + uint_len(status_value(self.status))
            + uint_len(u64::from(self.key_id))
            + uint_len(self.prefix)
            + self
                .created
                .map_or(0, |c| varint_len(CREATED_FIELD << 3) + varint_len(c))
    }

    fn write(&self, w: &mut ProtoWriter) {
        w.tag(2, 2);
        w.varint(self.len() as u64);
        w.tag(1, 2);
        w.varint(self.key_data_len() as u64);
        w.bytes(1, self.type_url.as_bytes());
        w.bytes(2, self.value);
        w.uint(3, tink::SYMMETRIC);
        w.uint(2, status_value(self.status));
        w.uint(3, u64::from(self.key_id));
        w.uint(4, self.prefix);
        if let Some(created) = self.created {
            w.uint(CREATED_FIELD, created);
        }
    }
}

impl<const MORE: usize> KeysetN<MORE> {
    /// The keyset sealed under `master` in Tink's encrypted-keyset JSON (see the
    /// [format](crate::encrypted_keyset)), bound to `associated_data` (Tink's tools use
    /// none: `b""`).
    ///
    /// # Errors
    ///
    /// [`EncryptedKeysetError::IdClash`] if two keys' ids are each other's complement;
    /// [`EncryptedKeysetError::MasterKey`] if the master key fails.
    ///
    /// ```
    /// use phonetoken::encrypted_keyset::TinkAeadKey;
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let master = TinkAeadKey::generate_os()?;
    /// let ks: Keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let sealed = ks.to_encrypted_json(&master, b"")?;
    /// assert!(sealed.starts_with("{\"encryptedKeyset\":\""));
    /// let back: Keyset = Keyset::from_encrypted_json(&sealed, &master, b"")?;
    /// assert_eq!(back.to_json(), ks.to_json());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    #[inline(always)]
    pub fn to_encrypted_json(
        &self,
        master: &dyn MasterKey,
        associated_data: &[u8],
    ) -> Result<String, EncryptedKeysetError> {
        // The key bytes pass through stack buffers (and the AEAD's frames): wiped after.
        wiping_stack(|| self.to_encrypted_json_unwiped(master, associated_data))
    }

    fn to_encrypted_json_unwiped(
        &self,
        master: &dyn MasterKey,
        associated_data: &[u8],
    ) -> Result<String, EncryptedKeysetError> {
        let ids: Vec<u32> = self.keys().map(|k| k.id).collect();
        if let Some(&id) = ids.iter().find(|&&id| ids.contains(&!id)) {
            return Err(EncryptedKeysetError::IdClash { key_id: id });
        }
        let mut values = Zeroizing::new(Vec::with_capacity(ids.len()));
        for e in self.entries() {
            let mut siv = [0u8; AES_SIV_KEY_PROTO_LEN];
            siv[0] = 0x12;
            siv[1] = TOKEN_KEY_LEN as u8;
            siv[2..].copy_from_slice(e.token_key.as_bytes());
            let mut hmac = [0u8; HMAC_KEY_PROTO_LEN];
            hmac[0] = 0x12;
            hmac[1] = HMAC_PARAMS.len() as u8;
            hmac[2..6].copy_from_slice(&HMAC_PARAMS);
            hmac[6] = 0x1a;
            hmac[7] = PSEUDONYM_KEY_LEN as u8;
            hmac[8..].copy_from_slice(e.pseudonym_key.as_bytes());
            values.push((siv, hmac));
            siv.zeroize();
            hmac.zeroize();
        }
        let keys: Vec<TinkKeyOut<'_>> = values
            .iter()
            .zip(self.entries())
            .flat_map(|((siv, hmac), e)| {
                [
                    TinkKeyOut {
                        type_url: TINK_AES_SIV_TYPE_URL,
                        value: siv,
                        status: e.status,
                        key_id: e.id,
                        prefix: tink::TINK,
                        created: e.created,
                    },
                    TinkKeyOut {
                        type_url: TINK_HMAC_TYPE_URL,
                        value: hmac,
                        status: e.status,
                        key_id: !e.id,
                        prefix: tink::RAW,
                        created: None,
                    },
                ]
            })
            .collect();
        let len = uint_len(u64::from(self.primary_key_id()))
            + keys.iter().map(|k| field_len(k.len())).sum::<usize>();
        let mut w = ProtoWriter {
            out: Zeroizing::new(Vec::with_capacity(len)),
        };
        w.uint(1, u64::from(self.primary_key_id()));
        for k in &keys {
            k.write(&mut w);
        }
        let sealed = master
            .encrypt(&w.out, associated_data)
            .map_err(EncryptedKeysetError::MasterKey)?;
        let mut out = String::with_capacity(sealed.len() * 4 / 3 + 100 + 150 * keys.len());
        out.push_str("{\"encryptedKeyset\":\"");
        out.push_str(&Encoding::Base64.encode_string(&sealed));
        out.push_str("\",\"keysetInfo\":{\"primaryKeyId\":");
        push_u32(&mut out, self.primary_key_id());
        out.push_str(",\"keyInfo\":[");
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"typeUrl\":\"");
            out.push_str(k.type_url);
            out.push_str("\",\"status\":\"");
            out.push_str(tink_status(k.status));
            out.push_str("\",\"keyId\":");
            push_u32(&mut out, k.key_id);
            out.push_str(",\"outputPrefixType\":\"");
            out.push_str(if k.prefix == tink::TINK {
                "TINK"
            } else {
                "RAW"
            });
            out.push_str("\"}");
        }
        out.push_str("]}}\n");
        Ok(out)
    }

    /// Opens an encrypted keyset (see the [format](crate::encrypted_keyset)) with `master`
    /// and the `associated_data` it was sealed with.
    ///
    /// # Errors
    ///
    /// An [`EncryptedKeysetError`] naming the first problem: malformed JSON, a file too
    /// large, a master key that does not open it ([`MasterKey`](EncryptedKeysetError::MasterKey)),
    /// a malformed inner keyset, a token key without its pseudonym key or the other way
    /// round, keys of other types, a `keysetInfo` that disagrees with what was decrypted,
    /// and the keyset errors of a plain file (duplicate ids, no primary, too many keys…).
    ///
    /// ```
    /// use phonetoken::encrypted_keyset::{EncryptedKeysetError, MasterKeyError, TinkAeadKey};
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks: Keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let sealed = ks.to_encrypted_json(&TinkAeadKey::generate_os()?, b"")?;
    /// let other = TinkAeadKey::generate_os()?;
    /// let err = Keyset::from_encrypted_json(&sealed, &other, b"").unwrap_err();
    /// assert_eq!(err, EncryptedKeysetError::MasterKey(MasterKeyError::Decrypt));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    #[inline(always)]
    pub fn from_encrypted_json(
        json: &str,
        master: &dyn MasterKey,
        associated_data: &[u8],
    ) -> Result<KeysetN<MORE>, EncryptedKeysetError> {
        wiping_stack(|| {
            let mut keyset = KeysetN::blank();
            keyset
                .load_encrypted_unwiped(json, master, associated_data)
                .map(|()| keyset)
        })
    }

    /// Replaces this keyset's keys with those of an encrypted keyset, decoding each key
    /// straight into its place in `self` (as [`load_json`](Self::load_json) does for plain
    /// files): no copy of a key outlives the call outside the keyset. On error the keyset is
    /// unchanged.
    ///
    /// # Errors
    ///
    /// Those of [`from_encrypted_json`](Self::from_encrypted_json).
    ///
    /// ```
    /// use phonetoken::encrypted_keyset::TinkAeadKey;
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let master = TinkAeadKey::generate_os()?;
    /// # let sealed = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?).to_encrypted_json(&master, b"")?;
    /// let mut ks = Box::new(Keyset::generate_os()?);
    /// ks.load_encrypted_json(&sealed, &master, b"")?;
    /// assert_eq!(ks.primary_key_id(), 7);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn load_encrypted_json(
        &mut self,
        json: &str,
        master: &dyn MasterKey,
        associated_data: &[u8],
    ) -> Result<(), EncryptedKeysetError> {
        wiping_stack(|| self.load_encrypted_unwiped(json, master, associated_data))
    }

    fn load_encrypted_unwiped(
        &mut self,
        json: &str,
        master: &dyn MasterKey,
        associated_data: &[u8],
    ) -> Result<(), EncryptedKeysetError> {
        if json.len() > MAX_ENCRYPTED_LEN {
            return Err(EncryptedKeysetError::TooLarge);
        }
        let file: EncryptedRepr<'_> =
            serde_json::from_str(json).map_err(|e| json_error("encrypted keyset", &e))?;
        let mut sealed = std::vec![0u8; file.encrypted_keyset.len() / 4 * 3 + 3];
        let sealed = Encoding::Base64
            .decode_into(file.encrypted_keyset, &mut sealed)
            .map_err(|_| EncryptedKeysetError::BadCiphertext)?;
        let plain = master
            .decrypt(sealed, associated_data)
            .map_err(EncryptedKeysetError::MasterKey)?;
        let inner = parse_keyset(&plain, Self::CAPACITY)?;
        if let Some(info) = &file.keyset_info {
            let decrypted = KeysetInfoRepr {
                primary_key_id: inner.primary,
                key_info: inner
                    .keys
                    .iter()
                    .map(|k| KeyInfoRepr {
                        type_url: k.type_url,
                        status: k.status_name,
                        key_id: k.key_id,
                        output_prefix_type: k.prefix_name,
                    })
                    .collect(),
            };
            if *info != decrypted {
                return Err(EncryptedKeysetError::InfoMismatch);
            }
        }
        // `load_into` checks everything before it writes a key, so an error leaves `self` as
        // it was.
        inner.load_into(self)
    }
}

/// One Tink key read from the inner keyset.
struct TinkKeyIn<'a> {
    type_url: &'a str,
    value: &'a [u8],
    status: Option<KeyStatus>,
    status_name: &'static str,
    key_id: u32,
    prefix_name: &'static str,
    created: Option<u64>,
}

struct InnerKeyset<'a> {
    primary: u32,
    keys: Vec<TinkKeyIn<'a>>,
}

impl InnerKeyset<'_> {
    /// Checks the Tink keys pair up, then writes each pair straight into `keyset` (the
    /// primary first), as the plain loaders do: no key is moved through a return value.
    fn load_into<const MORE: usize>(
        &self,
        keyset: &mut KeysetN<MORE>,
    ) -> Result<(), EncryptedKeysetError> {
        let live = || self.keys.iter().filter(|k| k.status.is_some());
        for k in live() {
            let expected = match k.type_url {
                TINK_AES_SIV_TYPE_URL => "TINK",
                TINK_HMAC_TYPE_URL => "RAW",
                _ => return Err(EncryptedKeysetError::UnsupportedKey { key_id: k.key_id }),
            };
            if k.prefix_name != expected {
                return Err(EncryptedKeysetError::UnsupportedKey { key_id: k.key_id });
            }
        }
        // Every key needs its partner: the other type, the complementary id.
        for k in live() {
            let (partner, token_id) = if k.type_url == TINK_AES_SIV_TYPE_URL {
                (TINK_HMAC_TYPE_URL, k.key_id)
            } else {
                (TINK_AES_SIV_TYPE_URL, !k.key_id)
            };
            if !live().any(|p| p.type_url == partner && p.key_id == !k.key_id) {
                return Err(EncryptedKeysetError::Unpaired { key_id: token_id });
            }
        }
        // Pairs in file order, each key's bytes checked where they lie (no copy yet).
        let mut pairs = Vec::new();
        let mut ids = Vec::new();
        for t in live().filter(|k| k.type_url == TINK_AES_SIV_TYPE_URL) {
            let key_id = t.key_id;
            let p = live()
                .find(|k| k.type_url == TINK_HMAC_TYPE_URL && k.key_id == !key_id)
                .ok_or(EncryptedKeysetError::Unpaired { key_id })?;
            if p.status != t.status {
                return Err(EncryptedKeysetError::Unpaired { key_id });
            }
            let token_key = read_single_bytes_field(t.value, 2, key_id)?;
            let pseudonym_key = read_hmac_key(p.value, key_id)?;
            if token_key.len() != TOKEN_KEY_LEN || pseudonym_key.len() != PSEUDONYM_KEY_LEN {
                return Err(EncryptedKeysetError::BadKey { key_id });
            }
            pairs.push((pseudonym_key, token_key));
            ids.push((key_id, t.status.unwrap_or(KeyStatus::Disabled)));
        }
        let placement =
            Placement::<MORE>::new(self.primary, &ids).map_err(EncryptedKeysetError::Keyset)?;
        keyset.replace_keys(placement.count, |k, p, t| {
            let j = placement
                .source(k)
                .ok_or(EncryptedKeysetError::Keyset(NO_SUCH_POSITION))?;
            let ((pk, tk), &id) = pairs
                .get(j)
                .zip(ids.get(j))
                .ok_or(EncryptedKeysetError::Keyset(NO_SUCH_POSITION))?;
            p.copy_from_slice(pk);
            t.copy_from_slice(tk);
            Ok(id)
        })?;
        for t in live().filter(|k| k.type_url == TINK_AES_SIV_TYPE_URL) {
            // Every token key was placed above.
            let _ = keyset.set_created(t.key_id, t.created);
        }
        Ok(())
    }
}

/// A protobuf reader over one message's bytes.
struct ProtoReader<'a> {
    rest: &'a [u8],
}

/// One field: its number and its value (a varint, or the bytes of a length-delimited one).
enum Field<'a> {
    Varint(u64, u64),
    Bytes(u64, &'a [u8]),
}

impl<'a> ProtoReader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for i in 0..10 {
            let (&b, rest) = self.rest.split_first()?;
            self.rest = rest;
            value |= u64::from(b & 0x7f).checked_shl(7 * i)?;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// The next field, `Ok(None)` at the end; fixed-width fields (not used by these
    /// messages) are skipped, as protobuf readers skip unknown fields.
    fn next(&mut self) -> Result<Option<Field<'a>>, ()> {
        loop {
            if self.rest.is_empty() {
                return Ok(None);
            }
            let tag = self.varint().ok_or(())?;
            let (field, wire) = (tag >> 3, tag & 7);
            match wire {
                0 => return Ok(Some(Field::Varint(field, self.varint().ok_or(())?))),
                2 => {
                    let len = usize::try_from(self.varint().ok_or(())?).map_err(|_| ())?;
                    if len > self.rest.len() {
                        return Err(());
                    }
                    let (value, rest) = self.rest.split_at(len);
                    self.rest = rest;
                    return Ok(Some(Field::Bytes(field, value)));
                }
                1 | 5 => {
                    let width = if wire == 1 { 8 } else { 4 };
                    self.rest = self.rest.get(width..).ok_or(())?;
                }
                _ => return Err(()),
            }
        }
    }
}

/// Parses Tink's `Keyset` (at most `capacity` phonetoken keys' worth of Tink keys).
fn parse_keyset(bytes: &[u8], capacity: usize) -> Result<InnerKeyset<'_>, EncryptedKeysetError> {
    let bad = EncryptedKeysetError::BadInnerKeyset;
    let mut reader = ProtoReader { rest: bytes };
    let mut primary = 0u32;
    let mut keys = Vec::new();
    while let Some(field) = reader.next().map_err(|()| bad.clone())? {
        match field {
            Field::Varint(1, v) => primary = u32::try_from(v).map_err(|_| bad.clone())?,
            Field::Bytes(2, key) => {
                // Destroyed keys are kept as markers by Tink; bound them too.
                if keys.len() >= 4 * capacity + 16 {
                    return Err(EncryptedKeysetError::Keyset(KeysetFileError::TooManyKeys {
                        capacity,
                    }));
                }
                keys.push(parse_key(key)?);
            }
            _ => return Err(bad),
        }
    }
    Ok(InnerKeyset { primary, keys })
}

fn parse_key(bytes: &[u8]) -> Result<TinkKeyIn<'_>, EncryptedKeysetError> {
    let bad = EncryptedKeysetError::BadInnerKeyset;
    let mut reader = ProtoReader { rest: bytes };
    let (mut data, mut status, mut key_id, mut prefix, mut created) = (None, 0, 0u32, 0, None);
    while let Some(field) = reader.next().map_err(|()| bad.clone())? {
        match field {
            Field::Bytes(1, d) => data = Some(d),
            Field::Varint(2, v) => status = v,
            Field::Varint(3, v) => key_id = u32::try_from(v).map_err(|_| bad.clone())?,
            Field::Varint(4, v) => prefix = v,
            Field::Varint(CREATED_FIELD, v) => created = Some(v),
            _ => return Err(bad),
        }
    }
    let (status, status_name) = match status {
        tink::ENABLED => (Some(KeyStatus::Enabled), "ENABLED"),
        tink::DISABLED => (Some(KeyStatus::Disabled), "DISABLED"),
        tink::DESTROYED => (None, "DESTROYED"),
        _ => return Err(EncryptedKeysetError::BadKey { key_id }),
    };
    let prefix_name = match prefix {
        tink::TINK => "TINK",
        2 => "LEGACY",
        tink::RAW => "RAW",
        4 => "CRUNCHY",
        _ => return Err(EncryptedKeysetError::UnsupportedKey { key_id }),
    };
    let (mut type_url, mut value, mut material) = ("", &[][..], 0);
    let mut reader = ProtoReader {
        rest: data.unwrap_or_default(),
    };
    while let Some(field) = reader.next().map_err(|()| bad.clone())? {
        match field {
            Field::Bytes(1, url) => {
                type_url = core::str::from_utf8(url).map_err(|_| bad.clone())?
            }
            Field::Bytes(2, v) => value = v,
            Field::Varint(3, v) => material = v,
            _ => return Err(bad),
        }
    }
    if status.is_some() && material != tink::SYMMETRIC {
        return Err(EncryptedKeysetError::UnsupportedKey { key_id });
    }
    Ok(TinkKeyIn {
        type_url,
        value,
        status,
        status_name,
        key_id,
        prefix_name,
        created,
    })
}

/// The one bytes field `field` of a key message (version 0 allowed, nothing else).
fn read_single_bytes_field(
    bytes: &[u8],
    field: u64,
    key_id: u32,
) -> Result<&[u8], EncryptedKeysetError> {
    let bad = EncryptedKeysetError::BadKey { key_id };
    let mut reader = ProtoReader { rest: bytes };
    let mut value = None;
    while let Some(f) = reader.next().map_err(|()| bad.clone())? {
        match f {
            Field::Varint(1, 0) => {}
            Field::Bytes(n, v) if n == field => value = Some(v),
            _ => return Err(bad),
        }
    }
    value.ok_or(bad)
}

/// The key of a serialized `HmacKey`, which must be HMAC-SHA256 with 32-byte tags.
fn read_hmac_key(bytes: &[u8], key_id: u32) -> Result<&[u8], EncryptedKeysetError> {
    let bad = EncryptedKeysetError::BadKey { key_id };
    let mut reader = ProtoReader { rest: bytes };
    let (mut params_ok, mut key) = (false, None);
    while let Some(f) = reader.next().map_err(|()| bad.clone())? {
        match f {
            Field::Varint(1, 0) => {}
            Field::Bytes(2, params) => {
                let mut p = ProtoReader { rest: params };
                let (mut hash, mut tag) = (0, 0);
                while let Some(f) = p.next().map_err(|()| bad.clone())? {
                    match f {
                        Field::Varint(1, v) => hash = v,
                        Field::Varint(2, v) => tag = v,
                        _ => return Err(bad),
                    }
                }
                params_ok = hash == tink::SHA256 && tag == 32;
            }
            Field::Bytes(3, v) => key = Some(v),
            _ => return Err(bad),
        }
    }
    if !params_ok {
        return Err(EncryptedKeysetError::UnsupportedKey { key_id: !key_id });
    }
    key.ok_or(bad)
}

fn json_error(what: &'static str, e: &serde_json::Error) -> EncryptedKeysetError {
    EncryptedKeysetError::Json {
        what,
        line: e.line(),
        column: e.column(),
    }
}

fn push_u32(out: &mut String, value: u32) {
    use fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "{value}");
}

/// Why an encrypted keyset or a master key file was refused. No variant carries key
/// material.
///
/// ```
/// use phonetoken::encrypted_keyset::EncryptedKeysetError;
///
/// let err = phonetoken::Keyset::from_encrypted_json("{}", &phonetoken::encrypted_keyset::TinkAeadKey::generate_os()?, b"").unwrap_err();
/// assert!(matches!(err, EncryptedKeysetError::Json { .. }));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum EncryptedKeysetError {
    /// Not valid JSON, or a field missing, unknown or of the wrong type.
    Json {
        /// Which file: `"encrypted keyset"` or `"master key file"`.
        what: &'static str,
        /// Line of the problem (1-based).
        line: usize,
        /// Column of the problem (1-based).
        column: usize,
    },
    /// Larger than [`MAX_ENCRYPTED_LEN`].
    TooLarge,
    /// `encryptedKeyset` is not standard base64.
    BadCiphertext,
    /// The master key could not open (or seal) it.
    MasterKey(MasterKeyError),
    /// The decrypted bytes are not a Tink `Keyset` protobuf.
    BadInnerKeyset,
    /// `keysetInfo` does not describe the keys that were decrypted: the file was altered.
    InfoMismatch,
    /// A key of a type this format does not hold, or with the wrong output prefix.
    UnsupportedKey {
        /// The Tink key id.
        key_id: u32,
    },
    /// A key's data is malformed, or its status unknown.
    BadKey {
        /// The Tink key id.
        key_id: u32,
    },
    /// A token key without its pseudonym key (id `!key_id`), or with another status.
    Unpaired {
        /// The phonetoken key id.
        key_id: u32,
    },
    /// Two keys' ids are each other's bitwise complement, so their Tink ids would collide.
    IdClash {
        /// One of the two ids.
        key_id: u32,
    },
    /// The keys break a rule every keyset has: no keys or more than the type holds, no
    /// primary id, a duplicate id, a primary that names no key or a disabled one (the same
    /// errors as plain keyset files).
    Keyset(KeysetFileError),
    /// The operating system's random generator failed.
    Rng,
}

impl fmt::Display for EncryptedKeysetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncryptedKeysetError::Json { what, line, column } => write!(
                f,
                "{what}: invalid JSON or fields at line {line}, column {column}"
            ),
            EncryptedKeysetError::TooLarge => write!(
                f,
                "encrypted keyset: larger than {MAX_ENCRYPTED_LEN} bytes: it is not a keyset"
            ),
            EncryptedKeysetError::BadCiphertext => {
                f.write_str("encrypted keyset: encryptedKeyset is not standard base64")
            }
            EncryptedKeysetError::MasterKey(e) => write!(f, "encrypted keyset: {e}"),
            EncryptedKeysetError::BadInnerKeyset => f.write_str(
                "encrypted keyset: it decrypts, but not to a Tink keyset: was it sealed by another program?",
            ),
            EncryptedKeysetError::InfoMismatch => f.write_str(
                "encrypted keyset: keysetInfo does not match the keys inside: the file was altered",
            ),
            EncryptedKeysetError::UnsupportedKey { key_id } => write!(
                f,
                "key {key_id} is of a type or output prefix this file cannot hold (AES-SIV with TINK, HMAC-SHA256 with RAW and 32-byte tags; AES-GCM for master keys)"
            ),
            EncryptedKeysetError::BadKey { key_id } => {
                write!(f, "key {key_id}: malformed key data or unknown status")
            }
            EncryptedKeysetError::Unpaired { key_id } => write!(
                f,
                "encrypted keyset: key {key_id} lacks its pseudonym or token key (a token key with id N needs an HMAC key with id !N and the same status)"
            ),
            EncryptedKeysetError::IdClash { key_id } => write!(
                f,
                "key ids {key_id} and {} are each other's complement, which this format cannot hold: rotate one of them out",
                !key_id
            ),
            EncryptedKeysetError::Keyset(e) => write!(f, "{e}"),
            EncryptedKeysetError::Rng => f.write_str("the operating system's random generator failed"),
        }
    }
}

impl core::error::Error for EncryptedKeysetError {}
