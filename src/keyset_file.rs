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
//! - `format` is the string `"phonetoken-keyset"`; `version` is `1`, or `2` when some key
//!   records when it was made (version 2 adds that member, so readers of version 1 refuse such
//!   a file with a clear message rather than misread it).
//! - `primary_key_id` names an enabled key of `keys`.
//! - Each key: `id` a `u32`, unique in the file (the Tink key id written into tokens);
//!   `status` `"enabled"` or `"disabled"`; in version 2 optionally `created`, the seconds since
//!   the Unix epoch (UTC) when the key was made; `pseudonym_key` the HMAC-SHA256 key,
//!   `token_key` the AES-256-SIV key, each in RFC 4648 §4 base64 with `=` padding and no JSON
//!   escapes.
//! - No other fields are allowed; at most [`Keyset::CAPACITY`](crate::KeysetN::CAPACITY) keys.
//!
//! The file holds secrets in clear: store it with owner-only permissions. [`Keyset::to_json`](crate::KeysetN::to_json)
//! returns the text in a [`Zeroizing`] string, wiped when dropped.
//!
//! # Tink cleartext keyset JSON
//!
//! [`Keyset::to_tink_json`](crate::KeysetN::to_tink_json) writes the token keys as a Tink keyset (`AesSivKey`, output prefix
//! `TINK`), which Tink loads with its cleartext keyset handle and uses as a
//! `DeterministicAead`: it opens phonetoken's tokens and makes tokens phonetoken opens. Each
//! key's `value` is the base64 of the serialized `AesSivKey` protobuf: field 1 `version` = 0
//! (omitted, as proto3 does) and field 2 `key_value` = the 64-byte key, i.e. the bytes
//! `0x12 0x40 <key>`.
//!
//! Tink keysets have no pseudonym keys. [`Keyset::from_tink_json`](crate::KeysetN::from_tink_json) therefore gives every
//! imported key a *fresh random* pseudonym key (from the OS; or from your generator with
//! [`Keyset::from_tink_json_with_rng`](crate::KeysetN::from_tink_json_with_rng)): tokens keep working, pseudonyms start anew. Save the
//! result with [`Keyset::to_json`](crate::KeysetN::to_json) to keep those pseudonym keys.

use core::fmt;
use std::string::String;
use std::vec::Vec;

use rand_core::CryptoRng;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::Encoding;
use crate::keys::{wiping_stack, KeyStatus, KeysetN};
use crate::keys::{PSEUDONYM_KEY_LEN, TOKEN_KEY_LEN};

/// The `format` value of a phonetoken keyset file.
pub const KEYSET_FORMAT: &str = "phonetoken-keyset";
/// The newest `version` this crate reads and writes (it writes 1 when no key has a creation
/// time, so older readers keep reading those files).
pub const KEYSET_VERSION: u32 = 2;
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
    #[serde(default)]
    created: Option<u64>,
    #[serde(borrow)]
    pseudonym_key: &'a str,
    #[serde(borrow)]
    token_key: &'a str,
}

/// A Tink cleartext JSON keyset, as read (also the master key files of
/// [`encrypted_keyset`](crate::encrypted_keyset)).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TinkKeysetRepr<'a> {
    pub(crate) primary_key_id: Option<u32>,
    #[serde(borrow, default)]
    pub(crate) key: Vec<TinkKeyRepr<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TinkKeyRepr<'a> {
    #[serde(borrow)]
    pub(crate) key_data: TinkKeyDataRepr<'a>,
    #[serde(borrow)]
    pub(crate) status: &'a str,
    pub(crate) key_id: u32,
    #[serde(borrow)]
    pub(crate) output_prefix_type: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TinkKeyDataRepr<'a> {
    #[serde(borrow)]
    pub(crate) type_url: &'a str,
    #[serde(borrow)]
    pub(crate) value: &'a str,
    #[serde(borrow)]
    pub(crate) key_material_type: &'a str,
}

/// Decodes the standard base64 `text` of a key into `out`, which must be filled exactly.
/// The bytes pass through a scratch buffer that is wiped, so `out` is only written once the
/// key is known to be good.
fn decode_key(
    text: &str,
    key_id: u32,
    field: &'static str,
    out: &mut [u8],
) -> Result<(), KeysetFileError> {
    let mut buf = [0u8; 96];
    let result = match Encoding::Base64.decode_into(text, &mut buf) {
        Ok(bytes) if bytes.len() == out.len() => {
            out.copy_from_slice(bytes);
            Ok(())
        }
        Ok(bytes) => Err(KeysetFileError::WrongKeyLength {
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

/// Decodes a Tink key's `keyData.value` (base64 of a serialized `AesSivKey`) into `out`,
/// through a scratch buffer that is wiped.
fn decode_tink_key(
    value: &str,
    key_id: u32,
    out: &mut [u8; TOKEN_KEY_LEN],
) -> Result<(), KeysetFileError> {
    let mut proto = [0u8; 96];
    let result = Encoding::Base64
        .decode_into(value, &mut proto)
        .map_err(|_| KeysetFileError::BadBase64 {
            key_id,
            field: "keyData.value",
        })
        .and_then(|bytes| parse_aes_siv_key(bytes, key_id))
        .map(|key| out.copy_from_slice(key));
    proto.zeroize();
    result
}

/// Where the keys of a file go in a keyset: position 0 (the primary) and then the others in
/// file order, each as its index in the file. Checks what the keyset needs of ids and
/// statuses, in the order the errors are documented.
pub(crate) struct Placement<const MORE: usize> {
    primary: usize,
    others: [usize; MORE],
    pub(crate) count: usize,
}

impl<const MORE: usize> Placement<MORE> {
    pub(crate) fn new(
        primary_key_id: u32,
        keys: &[(u32, KeyStatus)],
    ) -> Result<Self, KeysetFileError> {
        let capacity = KeysetN::<MORE>::CAPACITY;
        if keys.is_empty() {
            return Err(KeysetFileError::NoKeys);
        }
        if keys.len() > capacity {
            return Err(KeysetFileError::TooManyKeys { capacity });
        }
        let primary = keys
            .iter()
            .position(|&(id, _)| id == primary_key_id)
            .ok_or(KeysetFileError::PrimaryNotFound {
                key_id: primary_key_id,
            })?;
        if keys.get(primary).map(|&(_, status)| status) != Some(KeyStatus::Enabled) {
            return Err(KeysetFileError::PrimaryDisabled {
                key_id: primary_key_id,
            });
        }
        let mut placement = Placement {
            primary,
            others: [0; MORE],
            count: 1,
        };
        for (j, &(key_id, _)) in keys.iter().enumerate().filter(|&(j, _)| j != primary) {
            let taken = key_id == primary_key_id
                || placement
                    .placed_others()
                    .any(|&o| keys.get(o).map(|&(id, _)| id) == Some(key_id));
            if taken {
                return Err(KeysetFileError::DuplicateKeyId { key_id });
            }
            let slot = placement
                .others
                .get_mut(placement.count - 1)
                .ok_or(KeysetFileError::TooManyKeys { capacity })?;
            *slot = j;
            placement.count += 1;
        }
        Ok(placement)
    }

    fn placed_others(&self) -> impl Iterator<Item = &usize> {
        self.others.iter().take(self.count - 1)
    }

    /// The file index of the key at keyset position `k`.
    pub(crate) fn source(&self, k: usize) -> Option<usize> {
        match k {
            0 => Some(self.primary),
            _ => self.others.get(k - 1).copied(),
        }
    }

    /// The keyset position of the key at file index `j`.
    fn position(&self, j: usize) -> Option<usize> {
        if j == self.primary {
            return Some(0);
        }
        self.placed_others().position(|&o| o == j).map(|i| i + 1)
    }
}

/// An error for a key position `replace_keys` asks for but the placement does not have; it
/// cannot happen, since both come from the same count.
pub(crate) const NO_SUCH_POSITION: KeysetFileError = KeysetFileError::NoKeys;

/// What a JSON file holding keys is, told by its top-level members alone: every value is
/// skipped unread, so no key is copied to find out.
///
/// ```
/// use phonetoken::keyset_file::KeysetFileKind;
///
/// assert_eq!(KeysetFileKind::of(r#"{"format": "phonetoken-keyset"}"#), KeysetFileKind::Phonetoken);
/// assert_eq!(KeysetFileKind::of(r#"{"encryptedKeyset": "…"}"#), KeysetFileKind::Encrypted);
/// assert_eq!(KeysetFileKind::of(r#"{"primaryKeyId": 1, "key": []}"#), KeysetFileKind::TinkCleartext);
/// assert_eq!(KeysetFileKind::of("not json"), KeysetFileKind::Unknown);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum KeysetFileKind {
    /// phonetoken keyset JSON (`"format"`).
    Phonetoken,
    /// Tink's encrypted keyset (`"encryptedKeyset"`), as phonetoken or Tink writes it.
    Encrypted,
    /// A Tink cleartext keyset (`"primaryKeyId"`, `"key"`).
    TinkCleartext,
    /// None of these (loading it as a phonetoken keyset says what is wrong).
    Unknown,
}

impl KeysetFileKind {
    /// The kind of the keyset file text `text`.
    ///
    /// ```
    /// use phonetoken::keyset_file::KeysetFileKind;
    ///
    /// assert_eq!(KeysetFileKind::of("{}"), KeysetFileKind::Unknown);
    /// ```
    pub fn of(text: &str) -> KeysetFileKind {
        use serde::de::IgnoredAny;
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Probe {
            format: Option<IgnoredAny>,
            encrypted_keyset: Option<IgnoredAny>,
            primary_key_id: Option<IgnoredAny>,
            key: Option<IgnoredAny>,
        }
        match serde_json::from_str::<Probe>(text) {
            Ok(p) if p.encrypted_keyset.is_some() => KeysetFileKind::Encrypted,
            Ok(p) if p.format.is_some() => KeysetFileKind::Phonetoken,
            Ok(p) if p.primary_key_id.is_some() || p.key.is_some() => KeysetFileKind::TinkCleartext,
            _ => KeysetFileKind::Unknown,
        }
    }
}

/// Reads a small file that holds secrets (a keyset file) into a string that is wiped when
/// dropped, without leaving copies behind: the buffer is sized from the file's metadata (at
/// most `max_len` + 1 bytes) before the first read, so it never grows (a growing buffer
/// frees its old blocks unwiped), and the bytes become the string without a second copy.
///
/// # Errors
///
/// The I/O error of opening or reading the file; [`std::io::ErrorKind::FileTooLarge`] if it
/// has more than `max_len` bytes (or grew while it was read);
/// [`std::io::ErrorKind::InvalidData`] if it is not UTF-8. The buffer is wiped in every case.
///
/// ```
/// use phonetoken::keyset_file::read_secret_file;
///
/// let path = std::env::temp_dir().join(format!("phonetoken-doc-{}", std::process::id()));
/// std::fs::write(&path, "{}")?;
/// assert_eq!(read_secret_file(&path, 1 << 20)?.as_str(), "{}");
/// assert_eq!(read_secret_file(&path, 1).unwrap_err().kind(), std::io::ErrorKind::FileTooLarge);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_secret_file(
    path: &std::path::Path,
    max_len: u64,
) -> std::io::Result<Zeroizing<String>> {
    use std::io::{Error, ErrorKind, Read};
    let mut file = std::fs::File::open(path)?;
    // One byte beyond the expected size shows whether the file is longer than its metadata
    // said (or than `max_len`); files of unknown size (pipes) get room for `max_len`.
    let meta = file.metadata()?;
    let expected = if meta.is_file() {
        meta.len().min(max_len)
    } else {
        max_len
    };
    let room = usize::try_from(expected.saturating_add(1))
        .map_err(|_| Error::new(ErrorKind::FileTooLarge, "the file is too large"))?;
    let mut buf = Zeroizing::new(std::vec![0u8; room]);
    let mut filled = 0;
    while let Some(free) = buf.get_mut(filled..).filter(|f| !f.is_empty()) {
        match file.read(free) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if filled == room {
        return Err(Error::new(
            ErrorKind::FileTooLarge,
            std::format!("the file has more than {} bytes", room - 1),
        ));
    }
    buf.truncate(filled);
    // The vector's block becomes the string's; on failure it comes back to be wiped.
    match String::from_utf8(core::mem::take(&mut *buf)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(Error::new(
                ErrorKind::InvalidData,
                "the file is not UTF-8 text",
            ))
        }
    }
}

/// Every member name the two keyset formats have, so a missing one can be named without
/// repeating anything from the file.
const MEMBERS: &[&str] = &[
    "format",
    "version",
    "primary_key_id",
    "keys",
    "id",
    "status",
    "created",
    "pseudonym_key",
    "token_key",
    "primaryKeyId",
    "key",
    "keyData",
    "keyId",
    "outputPrefixType",
    "typeUrl",
    "value",
    "keyMaterialType",
];

fn json_error(e: &serde_json::Error) -> KeysetFileError {
    // serde's message is "missing field `NAME` at …"; only a known NAME is kept.
    let message = std::format!("{e}");
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .and_then(|name| MEMBERS.iter().find(|m| **m == name));
    match missing {
        Some(field) => KeysetFileError::MissingField { field },
        None => KeysetFileError::Json {
            line: e.line(),
            column: e.column(),
        },
    }
}

/// Reads the serialized `AesSivKey` protobuf: optional field 1 (version, must be 0) and field
/// 2 (the key bytes, 64 of them), nothing else.
fn parse_aes_siv_key(proto: &[u8], key_id: u32) -> Result<&[u8], KeysetFileError> {
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
                if value.len() != TOKEN_KEY_LEN {
                    return Err(KeysetFileError::WrongKeyLength {
                        key_id,
                        field: "key_value",
                        len,
                    });
                }
                key = Some(value);
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

impl<const MORE: usize> KeysetN<MORE> {
    /// The keyset as phonetoken keyset JSON (see the [format](crate::keyset_file)), in a string
    /// that is wiped when dropped.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let json = ks.to_json();
    /// assert!(json.contains("\"primary_key_id\": 7"));
    /// let back = Keyset::from_json(&json)?;
    /// assert_eq!(back.to_json(), json);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn to_json(&self) -> Zeroizing<String> {
        // Sized for the longest output so the string never reallocates (which would free a
        // block holding key text without wiping it).
        let mut out = Zeroizing::new(String::with_capacity(json_capacity(Self::CAPACITY)));
        out.push_str("{\n  \"format\": \"");
        out.push_str(KEYSET_FORMAT);
        out.push_str("\",\n  \"version\": ");
        let dated = self.entries().any(|e| e.created.is_some());
        push_u32(&mut out, if dated { KEYSET_VERSION } else { 1 });
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
            if let Some(created) = e.created {
                out.push_str("\", \"created\": ");
                push_u64(&mut out, created);
                out.push_str(", \"pseudonym_key\": \"");
            } else {
                out.push_str("\", \"pseudonym_key\": \"");
            }
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
    /// The keys are decoded straight into the new keyset and the stack the loading used is
    /// wiped; the keyset is then returned by value, and copies the compiler makes of it in
    /// *your* frames are beyond the crate's reach. To load with no copy at all, put a keyset
    /// where it will live (a `Box`, a `static`) and use [`load_json`](Self::load_json).
    ///
    /// # Errors
    ///
    /// A [`KeysetFileError`] naming the first problem: malformed JSON or a missing, unknown or
    /// mistyped field ([`Json`](KeysetFileError::Json)), another format or version, a bad
    /// status, bad base64 or a key of the wrong length, no keys or too many, a primary id that
    /// names no key or a disabled key, a duplicate id.
    ///
    /// ```
    /// use phonetoken::keyset_file::KeysetFileError;
    ///
    /// let err = phonetoken::Keyset::from_json(r#"{"format": "phonetoken-keyset", "version": 3, "primary_key_id": 1, "keys": []}"#);
    /// assert_eq!(err.unwrap_err(), KeysetFileError::UnsupportedVersion { version: 3 });
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    #[inline(always)]
    pub fn from_json(json: &str) -> Result<KeysetN<MORE>, KeysetFileError> {
        wiping_stack(|| {
            let mut keyset = KeysetN::blank();
            keyset.load_json_unwiped(json).map(|()| keyset)
        })
    }

    /// Replaces this keyset's keys with those of phonetoken keyset JSON, decoding each key
    /// straight into its place in `self`: no copy of a key is left in memory the keyset does
    /// not own (the `key_residue` test checks heap and stack). On error the keyset is
    /// unchanged.
    ///
    /// # Errors
    ///
    /// Those of [`from_json`](Self::from_json).
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// # let json = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?).to_json();
    /// // Keys live in one place on the heap; loading (and reloading) writes them there.
    /// let mut ks = Box::new(Keyset::generate_os()?);
    /// ks.load_json(&json)?;
    /// assert_eq!(ks.primary_key_id(), 7);
    /// assert!(ks.load_json("{}").is_err());
    /// assert_eq!(ks.primary_key_id(), 7);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn load_json(&mut self, json: &str) -> Result<(), KeysetFileError> {
        wiping_stack(|| self.load_json_unwiped(json))
    }

    /// [`load_json`](Self::load_json) without the stack wipe (its callers wipe).
    fn load_json_unwiped(&mut self, json: &str) -> Result<(), KeysetFileError> {
        let file: FileRepr<'_> = serde_json::from_str(json).map_err(|e| json_error(&e))?;
        if file.format != KEYSET_FORMAT {
            return Err(KeysetFileError::UnknownFormat);
        }
        if !(1..=KEYSET_VERSION).contains(&file.version) {
            return Err(KeysetFileError::UnsupportedVersion {
                version: file.version,
            });
        }
        if file.version == 1 {
            if let Some(k) = file.keys.iter().find(|k| k.created.is_some()) {
                return Err(KeysetFileError::CreatedInVersion1 { key_id: k.id });
            }
        }
        // Every key is checked (into a wiped scratch buffer) before `self` is touched.
        let mut ids = Vec::with_capacity(file.keys.len());
        let (mut p, mut t) = ([0u8; PSEUDONYM_KEY_LEN], [0u8; TOKEN_KEY_LEN]);
        let checked = file.keys.iter().try_for_each(|k| {
            let status = match k.status {
                "enabled" => KeyStatus::Enabled,
                "disabled" => KeyStatus::Disabled,
                _ => return Err(KeysetFileError::UnknownStatus { key_id: k.id }),
            };
            decode_key(k.pseudonym_key, k.id, "pseudonym_key", &mut p)?;
            decode_key(k.token_key, k.id, "token_key", &mut t)?;
            ids.push((k.id, status));
            Ok(())
        });
        p.zeroize();
        t.zeroize();
        checked?;
        let placement = Placement::<MORE>::new(file.primary_key_id, &ids)?;
        self.replace_keys(placement.count, |k, p, t| {
            let j = placement.source(k).ok_or(NO_SUCH_POSITION)?;
            let (key, &(id, status)) = file.keys.get(j).zip(ids.get(j)).ok_or(NO_SUCH_POSITION)?;
            decode_key(key.pseudonym_key, id, "pseudonym_key", p)?;
            decode_key(key.token_key, id, "token_key", t)?;
            Ok((id, status))
        })?;
        for key in &file.keys {
            // Every id was placed above.
            let _ = self.set_created(key.id, key.created);
        }
        Ok(())
    }

    /// The token keys as a Tink cleartext JSON keyset (see
    /// [Tink keysets](crate::keyset_file#tink-cleartext-keyset-json)), in a string that is
    /// wiped when dropped. Pseudonym keys are not included (Tink has no place for them).
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let tink = ks.to_tink_json();
    /// assert!(tink.starts_with(r#"{"primaryKeyId":7,"key":[{"keyData":{"typeUrl":"type.googleapis.com/google.crypto.tink.AesSivKey","value":"EkAC"#));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn to_tink_json(&self) -> Zeroizing<String> {
        // Sized for the longest output, as in `to_json`.
        let mut out = Zeroizing::new(String::with_capacity(tink_json_capacity(Self::CAPACITY)));
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
    /// each key gets a fresh pseudonym key from the operating system's generator. Returned by
    /// value, as [`from_json`](Self::from_json) is; [`load_tink_json`](Self::load_tink_json)
    /// writes into a keyset in place.
    ///
    /// # Errors
    ///
    /// As [`from_tink_json_with_rng`](Self::from_tink_json_with_rng), and
    /// [`KeysetFileError::Rng`] if the operating system cannot provide random bytes.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let back = Keyset::from_tink_json(&ks.to_tink_json())?;
    /// assert_eq!(back.to_tink_json(), ks.to_tink_json());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    #[inline(always)]
    pub fn from_tink_json(json: &str) -> Result<KeysetN<MORE>, KeysetFileError> {
        wiping_stack(|| {
            let mut keyset = KeysetN::blank();
            keyset.import_tink(json, &mut os_fill).map(|()| keyset)
        })
    }

    /// Imports a Tink cleartext JSON keyset, drawing the new pseudonym keys from `rng`.
    ///
    /// # Errors
    ///
    /// A [`KeysetFileError`] naming the first problem: malformed JSON, no primary id, a key
    /// type other than `AesSivKey`, a key material type other than `SYMMETRIC`, an output
    /// prefix other than `TINK`, a status other than `ENABLED`/`DISABLED`, malformed key data
    /// or a key that is not 64 bytes, no keys or too many, a primary that names no key or a
    /// disabled one, a duplicate id.
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
    /// let err = phonetoken::Keyset::from_tink_json_with_rng(raw, &mut Rng).unwrap_err();
    /// assert_eq!(err, KeysetFileError::UnsupportedOutputPrefix { key_id: 1 });
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    #[inline(always)]
    pub fn from_tink_json_with_rng<R: CryptoRng + ?Sized>(
        json: &str,
        rng: &mut R,
    ) -> Result<KeysetN<MORE>, KeysetFileError> {
        wiping_stack(|| {
            let mut keyset = KeysetN::blank();
            keyset
                .import_tink(json, &mut rng_fill(rng))
                .map(|()| keyset)
        })
    }

    /// Replaces this keyset's keys with those of a Tink cleartext JSON keyset, each with a
    /// fresh pseudonym key from the operating system's generator, decoding every key straight
    /// into its place (as [`load_json`](Self::load_json) does). On error the keyset is
    /// unchanged.
    ///
    /// # Errors
    ///
    /// Those of [`from_tink_json`](Self::from_tink_json).
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let tink = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?).to_tink_json();
    /// let mut ks = Box::new(Keyset::generate_os()?);
    /// ks.load_tink_json(&tink)?;
    /// assert_eq!(ks.to_tink_json(), tink);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn load_tink_json(&mut self, json: &str) -> Result<(), KeysetFileError> {
        wiping_stack(|| self.import_tink(json, &mut os_fill))
    }

    /// [`load_tink_json`](Self::load_tink_json) with the pseudonym keys drawn from `rng`.
    ///
    /// # Errors
    ///
    /// Those of [`from_tink_json_with_rng`](Self::from_tink_json_with_rng).
    ///
    /// ```
    /// # struct Rng;
    /// # impl rand_core::TryRng for Rng {
    /// #     type Error = core::convert::Infallible;
    /// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(7) }
    /// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> { d.fill(7); Ok(()) }
    /// # }
    /// # impl rand_core::TryCryptoRng for Rng {}
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let tink = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?).to_tink_json();
    /// let mut ks = Box::new(Keyset::generate_os()?);
    /// ks.load_tink_json_with_rng(&tink, &mut Rng)?;
    /// assert_eq!(ks.pseudonymizer().pseudonymize_bytes(b"x"), phonetoken::Pseudonymizer::new(&[7; 32])?.pseudonymize_bytes(b"x"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn load_tink_json_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        json: &str,
        rng: &mut R,
    ) -> Result<(), KeysetFileError> {
        wiping_stack(|| self.import_tink(json, &mut rng_fill(rng)))
    }

    fn import_tink(
        &mut self,
        json: &str,
        fill: &mut dyn FnMut(&mut [u8]) -> Result<(), KeysetFileError>,
    ) -> Result<(), KeysetFileError> {
        let file: TinkKeysetRepr<'_> = serde_json::from_str(json).map_err(|e| json_error(&e))?;
        let primary_key_id = file.primary_key_id.ok_or(KeysetFileError::NoPrimary)?;
        // Every key is checked (into a wiped scratch buffer) before `self` is touched.
        let mut ids = Vec::with_capacity(file.key.len());
        let mut t = [0u8; TOKEN_KEY_LEN];
        let checked = file.key.iter().try_for_each(|k| {
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
            decode_tink_key(k.key_data.value, key_id, &mut t)?;
            ids.push((key_id, status));
            Ok(())
        });
        t.zeroize();
        checked?;
        let placement = Placement::<MORE>::new(primary_key_id, &ids)?;
        // The new pseudonym keys are drawn (in file order) before `self` is touched, so a
        // failing generator leaves it unchanged.
        let mut fresh =
            Zeroizing::new(([0u8; PSEUDONYM_KEY_LEN], [[0u8; PSEUDONYM_KEY_LEN]; MORE]));
        for j in 0..ids.len() {
            let slot = match placement.position(j) {
                Some(0) => Some(&mut fresh.0),
                Some(k) => fresh.1.get_mut(k - 1),
                None => None,
            };
            fill(slot.ok_or(NO_SUCH_POSITION)?)?;
        }
        self.replace_keys(placement.count, |k, p, t| {
            let j = placement.source(k).ok_or(NO_SUCH_POSITION)?;
            let (key, &(id, status)) = file.key.get(j).zip(ids.get(j)).ok_or(NO_SUCH_POSITION)?;
            decode_tink_key(key.key_data.value, id, t)?;
            let drawn = match k {
                0 => Some(&fresh.0),
                _ => fresh.1.get(k - 1),
            };
            p.copy_from_slice(drawn.ok_or(NO_SUCH_POSITION)?);
            Ok((id, status))
        })
    }
}

/// Fills pseudonym key bytes from the operating system's generator.
fn os_fill(out: &mut [u8]) -> Result<(), KeysetFileError> {
    getrandom::fill(out).map_err(|_| KeysetFileError::Rng)
}

/// Fills pseudonym key bytes from `rng`.
fn rng_fill<R: CryptoRng + ?Sized>(
    rng: &mut R,
) -> impl FnMut(&mut [u8]) -> Result<(), KeysetFileError> + '_ {
    |out| {
        rng.fill_bytes(out);
        Ok(())
    }
}

/// Longest decimal text of a `u32`.
const U32_TEXT: usize = 10;
/// Longest `u64` in decimal.
const U64_TEXT: usize = 20;
/// Longest key status text.
const STATUS_TEXT: usize = 8;
/// Base64 text of a pseudonym key, a token key and a Tink `AesSivKey` (with padding).
const PSEUDONYM_B64: usize = PSEUDONYM_KEY_LEN.div_ceil(3) * 4;
const TOKEN_B64: usize = TOKEN_KEY_LEN.div_ceil(3) * 4;
const TINK_KEY_B64: usize = (TOKEN_KEY_LEN + 2).div_ceil(3) * 4;

/// An upper bound of `to_json`'s length for `keys` keys: the literal text it writes plus the
/// longest id, status and keys (the test `json_capacity_bounds_the_longest_output` checks it).
const fn json_capacity(keys: usize) -> usize {
    let head = "{\n  \"format\": \"".len()
        + KEYSET_FORMAT.len()
        + "\",\n  \"version\": ".len()
        + U32_TEXT
        + ",\n  \"primary_key_id\": ".len()
        + U32_TEXT
        + ",\n  \"keys\": [".len()
        + "\n  ]\n}\n".len();
    let key = ",\n    {\"id\": ".len()
        + U32_TEXT
        + ", \"status\": \"".len()
        + STATUS_TEXT
        + "\", \"created\": ".len()
        + U64_TEXT
        + ", \"pseudonym_key\": \"".len()
        + PSEUDONYM_B64
        + "\", \"token_key\": \"".len()
        + TOKEN_B64
        + "\"}".len();
    head + keys * key
}

/// An upper bound of `to_tink_json`'s length for `keys` keys, as [`json_capacity`].
const fn tink_json_capacity(keys: usize) -> usize {
    let head = "{\"primaryKeyId\":".len() + U32_TEXT + ",\"key\":[".len() + "]}\n".len();
    let key = ",".len()
        + "{\"keyData\":{\"typeUrl\":\"".len()
        + TINK_AES_SIV_TYPE_URL.len()
        + "\",\"value\":\"".len()
        + TINK_KEY_B64
        + "\",\"keyMaterialType\":\"SYMMETRIC\"},\"status\":\"".len()
        + STATUS_TEXT
        + "\",\"keyId\":".len()
        + U32_TEXT
        + ",\"outputPrefixType\":\"TINK\"}".len();
    head + keys * key
}

fn push_u64(out: &mut String, value: u64) {
    use fmt::Write as _;
    // Writing to a String cannot fail.
    let _ = write!(out, "{value}");
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
/// let err = phonetoken::Keyset::from_json("{").unwrap_err();
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
    /// A member the format requires is missing.
    MissingField {
        /// Its name.
        field: &'static str,
    },
    /// A version 1 file with a key's `created` member, which only version 2 has.
    CreatedInVersion1 {
        /// The key's id.
        key_id: u32,
    },
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
                "keyset file: version {version} is not supported (this build reads versions 1 to {KEYSET_VERSION}): upgrade phonetoken"
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
            KeysetFileError::MissingField { field } => write!(
                f,
                "keyset file: the member \"{field}\" is missing (see the format in docs/FORMAT.md)"
            ),
            KeysetFileError::CreatedInVersion1 { key_id } => write!(
                f,
                "keyset file: key {key_id} has \"created\", which version 1 files do not have: set \"version\": 2"
            ),
            KeysetFileError::Rng => f.write_str(
                "the operating system's random generator failed while making pseudonym keys: retry",
            ),
        }
    }
}

impl core::error::Error for KeysetFileError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Keyset, PseudonymKey, TokenKey};

    #[test]
    fn json_capacity_bounds_the_longest_output() {
        let key = |i: u8| {
            (
                PseudonymKey::from_bytes(&[i; 32]).unwrap(),
                TokenKey::from_bytes(&[i; 64]).unwrap(),
            )
        };
        let (p, t) = key(0);
        let mut ks = Keyset::new(u32::MAX, p, t);
        for i in 1..8u8 {
            let (p, t) = key(i);
            ks.add_key(u32::MAX - u32::from(i), KeyStatus::Disabled, p, t)
                .unwrap();
        }
        // The longest output: every key with the longest creation time too.
        for i in 0..8u8 {
            ks.set_created(u32::MAX - u32::from(i), Some(u64::MAX))
                .unwrap();
        }
        let json = ks.to_json();
        assert!(
            json.len() <= json_capacity(8),
            "{} > {}",
            json.len(),
            json_capacity(8)
        );
        assert_eq!(json.capacity(), json_capacity(8));
        let tink = ks.to_tink_json();
        assert!(tink.len() <= tink_json_capacity(8));
        assert_eq!(tink.capacity(), tink_json_capacity(8));
        // Tight bounds: at most a few bytes of slack per key.
        assert!(
            json_capacity(8) - json.len() < 8 * 4,
            "{}",
            json_capacity(8) - json.len()
        );
        assert!(tink_json_capacity(8) - tink.len() < 8 * 4);
    }
}
