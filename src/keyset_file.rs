//! Keyset files (feature `std`): phonetoken's JSON keyset and Tink's cleartext JSON keyset.
//!
//! # phonetoken keyset JSON
//!
//! ```json
//! {
//!   "format": "phonetoken-keyset",
//!   "version": 1,
//!   "primary_key_id": 2596996162,
//!   "keys": [
//!     {
//!       "id": 2596996162,
//!       "status": "enabled",
//!       "pseudonym_key": "<32 bytes, standard base64 with padding>",
//!       "token_key": "<64 bytes, standard base64 with padding>"
//!     }
//!   ]
//! }
//! ```
//!
//! - `format` is the string `"phonetoken-keyset"`; `version` is `1`.
//! - `primary_key_id` names an enabled key of `keys`.
//! - Each key: `id` a `u32`, unique in the file (the Tink key id written into tokens);
//!   `status` `"enabled"` or `"disabled"`; `pseudonym_key` the HMAC-SHA256 key, `token_key` the
//!   AES-256-SIV key, each in RFC 4648 §4 base64 with `=` padding and no JSON escapes.
//! - No other fields are allowed; at most [`Keyset::CAPACITY`] keys.
//!
//! The file holds secrets in clear: store it with owner-only permissions. [`Keyset::to_json`]
//! returns the text in a [`Zeroizing`] string, wiped when dropped.
//!
//! # Tink cleartext keyset JSON
//!
//! [`Keyset::to_tink_json`] writes the token keys as a Tink keyset (`AesSivKey`, output prefix
//! `TINK`), which Tink loads with its cleartext keyset handle and uses as a
//! `DeterministicAead`: it opens phonetoken's tokens and makes tokens phonetoken opens. Each
//! key's `value` is the base64 of the serialized `AesSivKey` protobuf: field 1 `version` = 0
//! (omitted, as proto3 does) and field 2 `key_value` = the 64-byte key, i.e. the bytes
//! `0x12 0x40 <key>`.
//!
//! Tink keysets have no pseudonym keys. [`Keyset::from_tink_json`] therefore gives every
//! imported key a *fresh random* pseudonym key (from the OS; or from your generator with
//! [`Keyset::from_tink_json_with_rng`]): tokens keep working, pseudonyms start anew. Save the
//! result with [`Keyset::to_json`] to keep those pseudonym keys.

use core::fmt;
use std::string::String;
use std::vec::Vec;

use rand_core::CryptoRng;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::Encoding;
use crate::keys::{KeyStatus, Keyset, KeysetError, PseudonymKey, TokenKey};
use crate::keys::{PSEUDONYM_KEY_LEN, TOKEN_KEY_LEN};

/// The `format` value of a phonetoken keyset file.
pub const KEYSET_FORMAT: &str = "phonetoken-keyset";
/// The `version` this crate reads and writes.
pub const KEYSET_VERSION: u32 = 1;
/// Tink's type URL for AES-SIV keys.
pub const TINK_AES_SIV_TYPE_URL: &str = "type.googleapis.com/google.crypto.tink.AesSivKey";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepr<'a> {
    #[serde(borrow)]
    format: &'a str,
    version: u32,
    primary_key_id: u32,
    #[serde(borrow)]
    keys: Vec<KeyRepr<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyRepr<'a> {
    id: u32,
    #[serde(borrow)]
    status: &'a str,
    #[serde(borrow)]
    pseudonym_key: &'a str,
    #[serde(borrow)]
    token_key: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TinkKeysetRepr<'a> {
    primary_key_id: Option<u32>,
    #[serde(borrow, default)]
    key: Vec<TinkKeyRepr<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TinkKeyRepr<'a> {
    #[serde(borrow)]
    key_data: TinkKeyDataRepr<'a>,
    #[serde(borrow)]
    status: &'a str,
    key_id: u32,
    #[serde(borrow)]
    output_prefix_type: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TinkKeyDataRepr<'a> {
    #[serde(borrow)]
    type_url: &'a str,
    #[serde(borrow)]
    value: &'a str,
    #[serde(borrow)]
    key_material_type: &'a str,
}

/// One validated key, before it goes into a keyset.
struct Loaded {
    id: u32,
    status: KeyStatus,
    pseudonym_key: PseudonymKey,
    token_key: TokenKey,
}

/// Decodes standard base64 into exactly `N` bytes.
fn decode_key<const N: usize>(
    text: &str,
    key_id: u32,
    field: &'static str,
) -> Result<[u8; N], KeysetFileError> {
    let mut buf = [0u8; 96];
    let result = match Encoding::Base64.decode_into(text, &mut buf) {
        Ok(bytes) => <[u8; N]>::try_from(bytes).map_err(|_| KeysetFileError::WrongKeyLength {
            key_id,
            field,
            len: bytes.len(),
        }),
        Err(crate::DecodeError::BufferTooSmall(b)) => Err(KeysetFileError::WrongKeyLength {
            key_id,
            field,
            len: b.needed,
        }),
        Err(_) => Err(KeysetFileError::BadBase64 { key_id, field }),
    };
    buf.zeroize();
    result
}

/// Puts validated keys into a keyset: the primary first, then the others in file order.
fn assemble<const MORE: usize>(
    primary_key_id: u32,
    keys: Vec<Loaded>,
) -> Result<Keyset<MORE>, KeysetFileError> {
    if keys.is_empty() {
        return Err(KeysetFileError::NoKeys);
    }
    if keys.len() > Keyset::<MORE>::CAPACITY {
        return Err(KeysetFileError::TooManyKeys {
            capacity: Keyset::<MORE>::CAPACITY,
        });
    }
    let mut primary = None;
    let mut others = Vec::with_capacity(keys.len());
    for key in keys {
        if key.id == primary_key_id && primary.is_none() {
            primary = Some(key);
        } else {
            others.push(key);
        }
    }
    let primary = primary.ok_or(KeysetFileError::PrimaryNotFound {
        key_id: primary_key_id,
    })?;
    if primary.status != KeyStatus::Enabled {
        return Err(KeysetFileError::PrimaryDisabled {
            key_id: primary_key_id,
        });
    }
    let mut keyset = Keyset::new(primary.id, primary.pseudonym_key, primary.token_key);
    for key in others {
        keyset
            .add_key(key.id, key.status, key.pseudonym_key, key.token_key)
            .map_err(|e| match e {
                KeysetError::DuplicateKeyId { key_id } => {
                    KeysetFileError::DuplicateKeyId { key_id }
                }
                _ => KeysetFileError::TooManyKeys {
                    capacity: Keyset::<MORE>::CAPACITY,
                },
            })?;
    }
    Ok(keyset)
}

fn json_error(e: &serde_json::Error) -> KeysetFileError {
    KeysetFileError::Json {
        line: e.line(),
        column: e.column(),
    }
}

/// Reads the serialized `AesSivKey` protobuf: optional field 1 (version, must be 0) and field
/// 2 (the key bytes, 64 of them), nothing else.
fn parse_aes_siv_key(proto: &[u8], key_id: u32) -> Result<[u8; TOKEN_KEY_LEN], KeysetFileError> {
    let bad = KeysetFileError::BadKeyData { key_id };
    let mut rest = proto;
    let mut key = None;
    while let Some((&tag, after)) = rest.split_first() {
        rest = after;
        match tag {
            0x08 => {
                let (version, after) = read_varint(rest).ok_or(bad)?;
                if version != 0 {
                    return Err(bad);
                }
                rest = after;
            }
            0x12 => {
                let (len, after) = read_varint(rest).ok_or(bad)?;
                let len = usize::try_from(len).map_err(|_| bad)?;
                let value = after.get(..len).ok_or(bad)?;
                rest = after.get(len..).ok_or(bad)?;
                let array = <[u8; TOKEN_KEY_LEN]>::try_from(value).map_err(|_| {
                    KeysetFileError::WrongKeyLength {
                        key_id,
                        field: "key_value",
                        len,
                    }
                })?;
                key = Some(array);
            }
            _ => return Err(bad),
        }
    }
    key.ok_or(bad)
}

/// A protobuf varint (at most 10 bytes) and the bytes after it.
fn read_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((value, bytes.get(i + 1..)?));
        }
    }
    None
}

impl<const MORE: usize> Keyset<MORE> {
    /// The keyset as phonetoken keyset JSON (see the [format](crate::keyset_file)), in a string
    /// that is wiped when dropped.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks: Keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let json = ks.to_json();
    /// assert!(json.contains("\"primary_key_id\": 7"));
    /// let back: Keyset = Keyset::from_json(&json)?;
    /// assert_eq!(back.to_json(), json);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn to_json(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(160 + 220 * Self::CAPACITY));
        out.push_str("{\n  \"format\": \"");
        out.push_str(KEYSET_FORMAT);
        out.push_str("\",\n  \"version\": ");
        push_u32(&mut out, KEYSET_VERSION);
        out.push_str(",\n  \"primary_key_id\": ");
        push_u32(&mut out, self.primary_key_id());
        out.push_str(",\n  \"keys\": [");
        let mut buf = [0u8; 88];
        for (i, e) in self.entries().enumerate() {
            out.push_str(if i == 0 {
                "\n    {\"id\": "
            } else {
                ",\n    {\"id\": "
            });
            push_u32(&mut out, e.id);
            out.push_str(", \"status\": \"");
            out.push_str(match e.status {
                KeyStatus::Enabled => "enabled",
                KeyStatus::Disabled => "disabled",
            });
            out.push_str("\", \"pseudonym_key\": \"");
            out.push_str(
                Encoding::Base64
                    .encode_into(e.pseudonym_key.as_bytes(), &mut buf)
                    .unwrap_or(""),
            );
            out.push_str("\", \"token_key\": \"");
            out.push_str(
                Encoding::Base64
                    .encode_into(e.token_key.as_bytes(), &mut buf)
                    .unwrap_or(""),
            );
            out.push_str("\"}");
        }
        buf.zeroize();
        out.push_str("\n  ]\n}\n");
        out
    }

    /// Loads phonetoken keyset JSON (see the [format](crate::keyset_file)).
    ///
    /// # Errors
    ///
    /// A [`KeysetFileError`] naming the first problem: malformed JSON or a missing, unknown or
    /// mistyped field ([`Json`](KeysetFileError::Json)), another format or version, a bad
    /// status, bad base64 or a key of the wrong length, a duplicate id, no keys or too many, a
    /// primary id that names no key or a disabled key.
    ///
    /// ```
    /// use phonetoken::keyset_file::KeysetFileError;
    ///
    /// let err = phonetoken::Keyset::<7>::from_json(r#"{"format": "phonetoken-keyset", "version": 2, "primary_key_id": 1, "keys": []}"#);
    /// assert_eq!(err.unwrap_err(), KeysetFileError::UnsupportedVersion { version: 2 });
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_json(json: &str) -> Result<Keyset<MORE>, KeysetFileError> {
        let file: FileRepr<'_> = serde_json::from_str(json).map_err(|e| json_error(&e))?;
        if file.format != KEYSET_FORMAT {
            return Err(KeysetFileError::UnknownFormat);
        }
        if file.version != KEYSET_VERSION {
            return Err(KeysetFileError::UnsupportedVersion {
                version: file.version,
            });
        }
        let mut keys = Vec::with_capacity(file.keys.len().min(Self::CAPACITY + 1));
        for k in &file.keys {
            let status = match k.status {
                "enabled" => KeyStatus::Enabled,
                "disabled" => KeyStatus::Disabled,
                _ => return Err(KeysetFileError::UnknownStatus { key_id: k.id }),
            };
            let mut p = decode_key::<PSEUDONYM_KEY_LEN>(k.pseudonym_key, k.id, "pseudonym_key")?;
            let mut t = decode_key::<TOKEN_KEY_LEN>(k.token_key, k.id, "token_key")?;
            let loaded = Loaded {
                id: k.id,
                status,
                pseudonym_key: PseudonymKey::from_array(&p),
                token_key: TokenKey::from_array(&t),
            };
            p.zeroize();
            t.zeroize();
            keys.push(loaded);
        }
        assemble(file.primary_key_id, keys)
    }

    /// The token keys as a Tink cleartext JSON keyset (see
    /// [Tink keysets](crate::keyset_file#tink-cleartext-keyset-json)), in a string that is
    /// wiped when dropped. Pseudonym keys are not included (Tink has no place for them).
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks: Keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let tink = ks.to_tink_json();
    /// assert!(tink.starts_with(r#"{"primaryKeyId":7,"key":[{"keyData":{"typeUrl":"type.googleapis.com/google.crypto.tink.AesSivKey","value":"EkAC"#));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn to_tink_json(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(64 + 260 * Self::CAPACITY));
        out.push_str("{\"primaryKeyId\":");
        push_u32(&mut out, self.primary_key_id());
        out.push_str(",\"key\":[");
        let mut proto = [0u8; 2 + TOKEN_KEY_LEN];
        let mut buf = [0u8; 88];
        for (i, e) in self.entries().enumerate() {
            if i > 0 {
                out.push(',');
            }
            proto[0] = 0x12;
            proto[1] = TOKEN_KEY_LEN as u8;
            for (dst, src) in proto.iter_mut().skip(2).zip(e.token_key.as_bytes()) {
                *dst = *src;
            }
            out.push_str("{\"keyData\":{\"typeUrl\":\"");
            out.push_str(TINK_AES_SIV_TYPE_URL);
            out.push_str("\",\"value\":\"");
            out.push_str(Encoding::Base64.encode_into(&proto, &mut buf).unwrap_or(""));
            out.push_str("\",\"keyMaterialType\":\"SYMMETRIC\"},\"status\":\"");
            out.push_str(match e.status {
                KeyStatus::Enabled => "ENABLED",
                KeyStatus::Disabled => "DISABLED",
            });
            out.push_str("\",\"keyId\":");
            push_u32(&mut out, e.id);
            out.push_str(",\"outputPrefixType\":\"TINK\"}");
        }
        proto.zeroize();
        buf.zeroize();
        out.push_str("]}\n");
        out
    }

    /// Imports a Tink cleartext JSON keyset of `AesSivKey`s with the `TINK` output prefix;
    /// each key gets a fresh pseudonym key from the operating system's generator.
    ///
    /// # Errors
    ///
    /// As [`from_tink_json_with_rng`](Self::from_tink_json_with_rng), and
    /// [`KeysetFileError::Rng`] if the operating system cannot provide random bytes.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks: Keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let back: Keyset = Keyset::from_tink_json(&ks.to_tink_json())?;
    /// assert_eq!(back.to_tink_json(), ks.to_tink_json());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_tink_json(json: &str) -> Result<Keyset<MORE>, KeysetFileError> {
        Self::import_tink(json, &mut |out| {
            getrandom::fill(out).map_err(|_| KeysetFileError::Rng)
        })
    }

    /// Imports a Tink cleartext JSON keyset, drawing the new pseudonym keys from `rng`.
    ///
    /// # Errors
    ///
    /// A [`KeysetFileError`] naming the first problem: malformed JSON, no primary id, a key
    /// type other than `AesSivKey`, a key material type other than `SYMMETRIC`, an output
    /// prefix other than `TINK`, a status other than `ENABLED`/`DISABLED`, malformed key data
    /// or a key that is not 64 bytes, a duplicate id, no keys or too many, a primary that
    /// names no key or a disabled one.
    ///
    /// ```
    /// use phonetoken::keyset_file::KeysetFileError;
    /// # struct Rng;
    /// # impl rand_core::TryRng for Rng {
    /// #     type Error = core::convert::Infallible;
    /// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(7) }
    /// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> { d.fill(7); Ok(()) }
    /// # }
    /// # impl rand_core::TryCryptoRng for Rng {}
    ///
    /// let raw = r#"{"primaryKeyId": 1, "key": [{"keyData": {"typeUrl": "type.googleapis.com/google.crypto.tink.AesSivKey",
    ///   "value": "EkAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
    ///   "keyMaterialType": "SYMMETRIC"}, "status": "ENABLED", "keyId": 1, "outputPrefixType": "RAW"}]}"#;
    /// let err = phonetoken::Keyset::<7>::from_tink_json_with_rng(raw, &mut Rng).unwrap_err();
    /// assert_eq!(err, KeysetFileError::UnsupportedOutputPrefix { key_id: 1 });
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_tink_json_with_rng<R: CryptoRng + ?Sized>(
        json: &str,
        rng: &mut R,
    ) -> Result<Keyset<MORE>, KeysetFileError> {
        Self::import_tink(json, &mut |out| {
            rng.fill_bytes(out);
            Ok(())
        })
    }

    fn import_tink(
        json: &str,
        fill: &mut dyn FnMut(&mut [u8]) -> Result<(), KeysetFileError>,
    ) -> Result<Keyset<MORE>, KeysetFileError> {
        let file: TinkKeysetRepr<'_> = serde_json::from_str(json).map_err(|e| json_error(&e))?;
        let primary_key_id = file.primary_key_id.ok_or(KeysetFileError::NoPrimary)?;
        let mut keys = Vec::with_capacity(file.key.len().min(Self::CAPACITY + 1));
        for k in &file.key {
            let key_id = k.key_id;
            if k.key_data.type_url != TINK_AES_SIV_TYPE_URL {
                return Err(KeysetFileError::UnsupportedKeyType { key_id });
            }
            if k.key_data.key_material_type != "SYMMETRIC" {
                return Err(KeysetFileError::UnsupportedKeyType { key_id });
            }
            if k.output_prefix_type != "TINK" {
                return Err(KeysetFileError::UnsupportedOutputPrefix { key_id });
            }
            let status = match k.status {
                "ENABLED" => KeyStatus::Enabled,
                "DISABLED" => KeyStatus::Disabled,
                _ => return Err(KeysetFileError::UnknownStatus { key_id }),
            };
            let mut proto = [0u8; 96];
            let decoded = Encoding::Base64
                .decode_into(k.key_data.value, &mut proto)
                .map_err(|_| KeysetFileError::BadBase64 {
                    key_id,
                    field: "keyData.value",
                });
            let token_bytes = decoded.and_then(|bytes| parse_aes_siv_key(bytes, key_id));
            proto.zeroize();
            let mut token_bytes = token_bytes?;
            let mut pseudonym_bytes = [0u8; PSEUDONYM_KEY_LEN];
            let filled = fill(&mut pseudonym_bytes);
            let loaded = filled.map(|()| Loaded {
                id: key_id,
                status,
                pseudonym_key: PseudonymKey::from_array(&pseudonym_bytes),
                token_key: TokenKey::from_array(&token_bytes),
            });
            pseudonym_bytes.zeroize();
            token_bytes.zeroize();
            keys.push(loaded?);
        }
        assemble(primary_key_id, keys)
    }
}

fn push_u32(out: &mut String, value: u32) {
    use fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "{value}");
}

/// Why a keyset file was refused. Every variant names the first problem found, and which key
/// it is in where that applies; none carries key material.
///
/// ```
/// use phonetoken::keyset_file::KeysetFileError;
///
/// let err = phonetoken::Keyset::<7>::from_json("{").unwrap_err();
/// assert!(matches!(err, KeysetFileError::Json { line: 1, .. }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum KeysetFileError {
    /// Not valid JSON, or a field is missing, unknown, of the wrong type, or holds a JSON
    /// escape where none is allowed.
    Json {
        /// Line of the problem (1-based).
        line: usize,
        /// Column of the problem (1-based).
        column: usize,
    },
    /// `format` is not `"phonetoken-keyset"`.
    UnknownFormat,
    /// `version` is not one this crate reads.
    UnsupportedVersion {
        /// The version found.
        version: u32,
    },
    /// The keyset has no keys.
    NoKeys,
    /// A Tink keyset without `primaryKeyId`.
    NoPrimary,
    /// More keys than the keyset type holds.
    TooManyKeys {
        /// The most keys it holds.
        capacity: usize,
    },
    /// A status other than `enabled`/`disabled` (Tink: `ENABLED`/`DISABLED`).
    UnknownStatus {
        /// The key's id.
        key_id: u32,
    },
    /// A key is not valid standard base64 (with padding).
    BadBase64 {
        /// The key's id.
        key_id: u32,
        /// The field.
        field: &'static str,
    },
    /// A key has the wrong length.
    WrongKeyLength {
        /// The key's id.
        key_id: u32,
        /// The field.
        field: &'static str,
        /// The length found (in bytes).
        len: usize,
    },
    /// Two keys share an id.
    DuplicateKeyId {
        /// The id.
        key_id: u32,
    },
    /// The primary id names no key in the file.
    PrimaryNotFound {
        /// The primary id.
        key_id: u32,
    },
    /// The primary key is disabled.
    PrimaryDisabled {
        /// The primary id.
        key_id: u32,
    },
    /// A Tink key that is not an `AesSivKey` with `SYMMETRIC` key material.
    UnsupportedKeyType {
        /// The key's id.
        key_id: u32,
    },
    /// A Tink key whose output prefix is not `TINK`.
    UnsupportedOutputPrefix {
        /// The key's id.
        key_id: u32,
    },
    /// A Tink key whose serialized `AesSivKey` is malformed or has a version other than 0.
    BadKeyData {
        /// The key's id.
        key_id: u32,
    },
    /// The operating system's random generator failed.
    Rng,
}

impl fmt::Display for KeysetFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeysetFileError::Json { line, column } => write!(
                f,
                "keyset file: invalid JSON or fields at line {line}, column {column}: check it against the documented format"
            ),
            KeysetFileError::UnknownFormat => f.write_str(
                "keyset file: \"format\" is not \"phonetoken-keyset\": is this a Tink keyset? import it as one",
            ),
            KeysetFileError::UnsupportedVersion { version } => write!(
                f,
                "keyset file: version {version} is not supported (this build reads version {KEYSET_VERSION}): upgrade phonetoken"
            ),
            KeysetFileError::NoKeys => f.write_str("keyset file: no keys: a keyset needs at least its primary key"),
            KeysetFileError::NoPrimary => f.write_str("Tink keyset: no primaryKeyId: set it to an enabled key's id"),
            KeysetFileError::TooManyKeys { capacity } => write!(
                f,
                "keyset file: more than {capacity} keys: remove retired keys"
            ),
            KeysetFileError::UnknownStatus { key_id } => write!(
                f,
                "keyset file: key {key_id} has an unknown status: use enabled or disabled (destroyed Tink keys cannot be imported)"
            ),
            KeysetFileError::BadBase64 { key_id, field } => write!(
                f,
                "keyset file: key {key_id}: {field} is not standard base64 with padding"
            ),
            KeysetFileError::WrongKeyLength { key_id, field, len } => write!(
                f,
                "keyset file: key {key_id}: {field} has {len} bytes: pseudonym keys have 32, token keys 64"
            ),
            KeysetFileError::DuplicateKeyId { key_id } => write!(
                f,
                "keyset file: two keys have id {key_id}: ids must be unique"
            ),
            KeysetFileError::PrimaryNotFound { key_id } => write!(
                f,
                "keyset file: the primary key id {key_id} names no key in the file"
            ),
            KeysetFileError::PrimaryDisabled { key_id } => write!(
                f,
                "keyset file: the primary key {key_id} is disabled: enable it or choose another primary"
            ),
            KeysetFileError::UnsupportedKeyType { key_id } => write!(
                f,
                "Tink keyset: key {key_id} is not a SYMMETRIC AesSivKey: only AES-SIV DeterministicAead keys can be imported"
            ),
            KeysetFileError::UnsupportedOutputPrefix { key_id } => write!(
                f,
                "Tink keyset: key {key_id} does not use the TINK output prefix: RAW, LEGACY and CRUNCHY keys are not supported"
            ),
            KeysetFileError::BadKeyData { key_id } => write!(
                f,
                "Tink keyset: key {key_id}: keyData.value is not a serialized AesSivKey (version 0, 64-byte key)"
            ),
            KeysetFileError::Rng => f.write_str(
                "the operating system's random generator failed while making pseudonym keys: retry",
            ),
        }
    }
}

impl core::error::Error for KeysetFileError {}
