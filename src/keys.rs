//! Key material, keysets with rotation, and per-purpose keys.
//!
//! A key in a [`Keyset`] has a Tink-style `u32` id, a [`KeyStatus`], a 32-byte
//! [`PseudonymKey`] (HMAC-SHA256) and a 64-byte [`TokenKey`] (AES-256-SIV). One key is the
//! *primary*: new pseudonyms and tokens use it. Tokens carry their key's id, so
//! [`Keyset::detokenize`] picks the right key and tokens made before a rotation still open;
//! [`Keyset::rekey`] moves one to the primary key. Pseudonyms carry no id, so during a
//! rotation [`Keyset::pseudonymize_all`] gives the pseudonym under every enabled key.
//!
//! # Purposes
//!
//! [`Keyset::for_purpose`] derives independent keys per purpose (say `"contacts"` and
//! `"billing"`), so pseudonyms or tokens of one purpose cannot be joined with the other's.
//! The derivation is HKDF-SHA256 (RFC 5869), byte for byte:
//!
//! ```text
//! salt = "phonetoken-v1"                      (13 ASCII bytes)
//! IKM  = the pseudonym key (32 bytes)  or  the token key (64 bytes)
//! info = label || 0x00 || len(purpose) || purpose
//!        label        = "pseudonym-key" (13 ASCII bytes)  or  "token-key" (9 ASCII bytes)
//!        len(purpose) = one byte, 1 to 255
//!        purpose      = the purpose's UTF-8 bytes
//! L    = 32 (pseudonym key)  or  64 (token key)
//! derived key = HKDF-Expand(HKDF-Extract(salt, IKM), info, L)
//! ```
//!
//! The label keeps pseudonym keys and token keys apart even if someone used the same secret
//! for both; the length byte keeps every purpose's `info` distinct. Key ids, statuses and the
//! primary are unchanged. Without a purpose, keys are used as they are.
//!
//! # Zeroization
//!
//! [`PseudonymKey`], [`TokenKey`], [`Pseudonymizer`],
//! [`Tokenizer`] and [`Keyset`] overwrite their key material with zeros
//! when dropped (with the `zeroize` crate, which the compiler cannot optimize away); they
//! implement the [`ZeroizeOnDrop`] marker but not `Zeroize`, so a live key is never left
//! zeroed. Their `Debug` output never shows key bytes, and key equality is constant time.
//!
//! What this does *not* cover: copies the compiler makes when a value is moved (returning a
//! key or a keyset by value may leave the old bytes on the stack), bytes left in CPU
//! registers, memory swapped to disk or captured in a core dump, and any copy you make with
//! [`PseudonymKey::as_bytes`] / [`TokenKey::as_bytes`]. Keep keys in one place (for example a
//! `Box` or a `static`) and avoid moving them around if that matters to you.

use core::fmt;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::pseudonym::{Pseudonym, Pseudonymizer};
use crate::token::{Token, TokenError, Tokenizer};
use crate::PhoneNumber;

/// Length of a [`PseudonymKey`]: the HMAC-SHA256 key.
pub const PSEUDONYM_KEY_LEN: usize = 32;
/// Length of a [`TokenKey`]: the AES-256-SIV key (two AES-256 keys).
pub const TOKEN_KEY_LEN: usize = 64;
/// Longest purpose label, in UTF-8 bytes.
pub const MAX_PURPOSE_LEN: usize = 255;
/// HKDF salt of the purpose derivation.
pub const PURPOSE_SALT: &[u8] = b"phonetoken-v1";
/// HKDF `info` label of derived pseudonym keys.
pub const PSEUDONYM_KEY_LABEL: &[u8] = b"pseudonym-key";
/// HKDF `info` label of derived token keys.
pub const TOKEN_KEY_LABEL: &[u8] = b"token-key";

/// HKDF-SHA256 with `info` given as consecutive parts. This is the only HKDF call of the
/// crate; the tests run Wycheproof's HKDF-SHA256 vectors through it.
pub(crate) fn hkdf_sha256(
    salt: &[u8],
    ikm: &[u8],
    info: &[&[u8]],
    okm: &mut [u8],
) -> Result<(), hkdf::InvalidLength> {
    hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm).expand_multi_info(info, okm)
}

/// Derives `out.len()` bytes for `purpose` from `master` under `label` (see the module docs).
fn derive(label: &[u8], master: &[u8], purpose: &str, out: &mut [u8]) -> Result<(), KeyError> {
    let p = purpose.as_bytes();
    let len = u8::try_from(p.len())
        .ok()
        .filter(|&l| l > 0)
        .ok_or(KeyError::BadPurpose { len: p.len() })?;
    hkdf_sha256(PURPOSE_SALT, master, &[label, &[0], &[len], p], out)
        .map_err(|_| KeyError::BadPurpose { len: p.len() })
}

macro_rules! secret_key {
    ($(#[$doc:meta])* $name:ident, $len:expr, $label:expr, $lenlit:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name([u8; $len]);

        impl $name {
            #[doc = concat!("The key from exactly ", $lenlit, " bytes.")]
            ///
            /// # Errors
            ///
            #[doc = concat!("[`KeyError::WrongLength`] unless `bytes` has ", $lenlit, " bytes.")]
            ///
            /// ```
            #[doc = concat!("use phonetoken::{KeyError, ", stringify!($name), "};")]
            ///
            #[doc = concat!("assert!(", stringify!($name), "::from_bytes(&[1u8; ", $lenlit, "]).is_ok());")]
            #[doc = concat!("assert!(matches!(", stringify!($name), "::from_bytes(&[1u8; 5]), Err(KeyError::WrongLength { found: 5, .. })));")]
            /// ```
            pub fn from_bytes(bytes: &[u8]) -> Result<$name, KeyError> {
                let array: &[u8; $len] = bytes.try_into().map_err(|_| KeyError::WrongLength {
                    expected: $len,
                    found: bytes.len(),
                })?;
                Ok($name(*array))
            }

            /// A fresh random key from a cryptographically secure generator.
            ///
            /// ```
            /// # struct Rng(u8);
            /// # impl rand_core::TryRng for Rng {
            /// #     type Error = core::convert::Infallible;
            /// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(7) }
            /// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
            /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
            /// #         for b in d { self.0 = self.0.wrapping_mul(5).wrapping_add(1); *b = self.0 } Ok(())
            /// #     }
            /// # }
            /// # impl rand_core::TryCryptoRng for Rng {}
            /// # let mut rng = Rng(1); // use a real CSPRNG, e.g. one seeded from the OS
            #[doc = concat!("let a = phonetoken::", stringify!($name), "::generate(&mut rng);")]
            #[doc = concat!("let b = phonetoken::", stringify!($name), "::generate(&mut rng);")]
            /// assert_ne!(a, b);
            /// ```
            pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> $name {
                let mut key = $name([0u8; $len]);
                rng.fill_bytes(&mut key.0);
                key
            }

            /// A fresh random key from the operating system's generator (`getrandom`).
            ///
            /// # Errors
            ///
            /// [`KeyError::Rng`] if the operating system cannot provide random bytes.
            ///
            /// ```
            #[doc = concat!("let key = phonetoken::", stringify!($name), "::generate_os()?;")]
            #[doc = concat!("assert_ne!(key, phonetoken::", stringify!($name), "::generate_os()?);")]
            /// # Ok::<(), phonetoken::KeyError>(())
            /// ```
            #[cfg(feature = "std")]
            #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
            pub fn generate_os() -> Result<$name, KeyError> {
                let mut key = $name([0u8; $len]);
                getrandom::fill(&mut key.0).map_err(|_| KeyError::Rng)?;
                Ok(key)
            }

            /// The secret bytes. Any copy you make of them is yours to wipe.
            ///
            /// ```
            #[doc = concat!("let key = phonetoken::", stringify!($name), "::from_bytes(&[9u8; ", $lenlit, "])?;")]
            #[doc = concat!("assert_eq!(key.as_bytes(), &[9u8; ", $lenlit, "]);")]
            /// # Ok::<(), phonetoken::KeyError>(())
            /// ```
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            pub(crate) fn as_array(&self) -> &[u8; $len] {
                &self.0
            }

            #[cfg_attr(not(feature = "std"), allow(dead_code))]
            pub(crate) fn from_array(bytes: &[u8; $len]) -> $name {
                $name(*bytes)
            }

            /// The key for `purpose`, derived with HKDF-SHA256 as the
            /// [module docs](crate::keys#purposes) describe.
            ///
            /// # Errors
            ///
            /// [`KeyError::BadPurpose`] if `purpose` is empty or longer than 255 bytes.
            ///
            /// ```
            #[doc = concat!("let key = phonetoken::", stringify!($name), "::from_bytes(&[9u8; ", $lenlit, "])?;")]
            /// assert_ne!(key.derive("contacts")?, key.derive("billing")?);
            /// assert_eq!(key.derive("contacts")?, key.derive("contacts")?);
            /// assert!(key.derive("").is_err());
            /// # Ok::<(), phonetoken::KeyError>(())
            /// ```
            pub fn derive(&self, purpose: &str) -> Result<$name, KeyError> {
                let mut key = $name([0u8; $len]);
                derive($label, &self.0, purpose, &mut key.0)?;
                Ok(key)
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }

        impl ZeroizeOnDrop for $name {}

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> subtle::Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.ct_eq(other).into()
            }
        }

        impl Eq for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

secret_key!(
    /// A 32-byte HMAC-SHA256 key for pseudonyms. Wiped on drop, hidden from `Debug`, compared
    /// in constant time.
    ///
    /// ```
    /// let key = phonetoken::PseudonymKey::from_bytes(&[1u8; 32])?;
    /// assert_eq!(format!("{key:?}"), "PseudonymKey { .. }");
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    PseudonymKey,
    PSEUDONYM_KEY_LEN,
    PSEUDONYM_KEY_LABEL,
    "32"
);

secret_key!(
    /// A 64-byte AES-256-SIV key for tokens (the first half keys S2V, the second half CTR).
    /// Wiped on drop, hidden from `Debug`, compared in constant time.
    ///
    /// ```
    /// let key = phonetoken::TokenKey::from_bytes(&[1u8; 64])?;
    /// assert_eq!(format!("{key:?}"), "TokenKey { .. }");
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    TokenKey,
    TOKEN_KEY_LEN,
    TOKEN_KEY_LABEL,
    "64"
);

/// Why key material was refused.
///
/// ```
/// use phonetoken::{KeyError, PseudonymKey};
///
/// assert_eq!(PseudonymKey::from_bytes(&[0u8; 16]), Err(KeyError::WrongLength { expected: 32, found: 16 }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum KeyError {
    /// The key has the wrong length.
    WrongLength {
        /// The length this kind of key has.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A purpose label must have 1 to 255 UTF-8 bytes.
    BadPurpose {
        /// The label's length in bytes.
        len: usize,
    },
    /// The operating system's random generator failed.
    Rng,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::WrongLength { expected, found } => write!(
                f,
                "the key has {found} bytes but this kind of key has {expected}: pseudonym keys are 32 bytes, token keys 64"
            ),
            KeyError::BadPurpose { len } => write!(
                f,
                "a purpose label has 1 to 255 bytes, not {len}: use a short name such as \"contacts\""
            ),
            KeyError::Rng => f.write_str(
                "the operating system's random generator failed: retry, or check the platform's entropy source",
            ),
        }
    }
}

impl core::error::Error for KeyError {}

/// Whether a key in a [`Keyset`] may be used.
///
/// ```
/// use phonetoken::KeyStatus;
///
/// assert_eq!(KeyStatus::Enabled.to_string(), "enabled");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum KeyStatus {
    /// Opens tokens and gives pseudonyms in [`Keyset::pseudonymize_all`].
    Enabled,
    /// Kept in the keyset but unused: its tokens do not open
    /// ([`TokenError::KeyDisabled`]) and it gives no pseudonyms.
    Disabled,
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyStatus::Enabled => "enabled",
            KeyStatus::Disabled => "disabled",
        })
    }
}

/// The public facts about one key of a [`Keyset`] (no key material).
///
/// ```
/// let ks = phonetoken::Keyset::<0>::new(5, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
/// let info = ks.keys().next().unwrap();
/// assert_eq!((info.id, info.primary), (5, true));
/// # Ok::<(), phonetoken::KeyError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub struct KeyInfo {
    /// The key id (Tink's `keyId`).
    pub id: u32,
    /// Enabled or disabled.
    pub status: KeyStatus,
    /// Whether this is the primary key.
    pub primary: bool,
}

/// One key of a keyset, expanded.
pub(crate) struct Entry {
    pub(crate) id: u32,
    pub(crate) status: KeyStatus,
    pub(crate) pseudonym_key: PseudonymKey,
    pub(crate) token_key: TokenKey,
    pseudonymizer: Pseudonymizer,
    tokenizer: Tokenizer,
}

impl Entry {
    fn new(id: u32, status: KeyStatus, pseudonym_key: PseudonymKey, token_key: TokenKey) -> Entry {
        Entry {
            id,
            status,
            pseudonymizer: Pseudonymizer::from_key(&pseudonym_key),
            tokenizer: Tokenizer::from_key(id, &token_key),
            pseudonym_key,
            token_key,
        }
    }
}

/// Several keys, one primary, held inline: up to `1 + MORE` keys (default 8) with no
/// allocator.
///
/// Each key is expanded once (HMAC states, AES key schedules, CMAC values), so every
/// operation costs only the work that depends on the number. All of it is wiped on drop (see
/// [Zeroization](crate::keys#zeroization)).
///
/// ```
/// use phonetoken::{Keyset, KeyStatus, PhoneNumber, PseudonymKey, TokenKey};
///
/// let mut ks: Keyset = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
/// let n: PhoneNumber = "+14155552671".parse()?;
/// let old_token = ks.tokenize(&n, b"");
/// let old_pseudonym = ks.pseudonymize(&n);
///
/// // Rotate: a new primary key; the old one still opens its tokens.
/// ks.add_key(2, KeyStatus::Enabled, PseudonymKey::from_bytes(&[3; 32])?, TokenKey::from_bytes(&[4; 64])?)?;
/// ks.set_primary(2)?;
/// assert_eq!(ks.detokenize(&old_token, b"")?, n);
/// let new_token = ks.rekey(&old_token, b"")?;
/// assert_eq!(new_token.key_id(), 2);
///
/// // Pseudonyms under every enabled key, primary first, to look up old records.
/// let all: Vec<_> = ks.pseudonymize_all(&n).collect();
/// assert_eq!(all[1], (1, old_pseudonym));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
pub struct Keyset<const MORE: usize = 7> {
    primary: Entry,
    others: [Option<Entry>; MORE],
}

impl<const MORE: usize> Keyset<MORE> {
    /// Most keys this keyset type can hold: the primary and `MORE` others.
    pub const CAPACITY: usize = MORE + 1;

    /// A keyset with one key, which is primary and enabled.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks: Keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.primary_key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn new(key_id: u32, pseudonym_key: PseudonymKey, token_key: TokenKey) -> Keyset<MORE> {
        Keyset {
            primary: Entry::new(key_id, KeyStatus::Enabled, pseudonym_key, token_key),
            others: core::array::from_fn(|_| None),
        }
    }

    /// A keyset with one fresh random key and a random id.
    ///
    /// ```
    /// # struct Rng(u8);
    /// # impl rand_core::TryRng for Rng {
    /// #     type Error = core::convert::Infallible;
    /// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { self.0 = self.0.wrapping_add(1); Ok(self.0.into()) }
    /// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
    /// #         for b in d { self.0 = self.0.wrapping_mul(5).wrapping_add(1); *b = self.0 } Ok(())
    /// #     }
    /// # }
    /// # impl rand_core::TryCryptoRng for Rng {}
    /// # let mut rng = Rng(1); // use a real CSPRNG
    /// let ks: phonetoken::Keyset = phonetoken::Keyset::generate(&mut rng);
    /// assert_eq!(ks.keys().count(), 1);
    /// ```
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Keyset<MORE> {
        let id = rng.next_u32();
        Keyset::new(id, PseudonymKey::generate(rng), TokenKey::generate(rng))
    }

    /// A keyset with one fresh key from the operating system's generator.
    ///
    /// # Errors
    ///
    /// [`KeyError::Rng`] if the operating system cannot provide random bytes.
    ///
    /// ```
    /// let ks: phonetoken::Keyset = phonetoken::Keyset::generate_os()?;
    /// assert_eq!(ks.keys().count(), 1);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn generate_os() -> Result<Keyset<MORE>, KeyError> {
        let mut id = [0u8; 4];
        getrandom::fill(&mut id).map_err(|_| KeyError::Rng)?;
        Ok(Keyset::new(
            u32::from_be_bytes(id),
            PseudonymKey::generate_os()?,
            TokenKey::generate_os()?,
        ))
    }

    /// The id of the primary key.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.primary_key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn primary_key_id(&self) -> u32 {
        self.primary.id
    }

    /// Every key's id, status and whether it is primary; the primary comes first.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let ids: Vec<u32> = ks.keys().map(|k| k.id).collect();
    /// assert_eq!(ids, [7]);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = KeyInfo> + '_ {
        self.entries().map(|e| KeyInfo {
            id: e.id,
            status: e.status,
            primary: e.id == self.primary.id,
        })
    }

    /// All entries, primary first.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> + '_ {
        core::iter::once(&self.primary).chain(self.others.iter().flatten())
    }

    fn entry(&self, key_id: u32) -> Option<&Entry> {
        self.entries().find(|e| e.id == key_id)
    }

    /// Adds a key (not primary).
    ///
    /// # Errors
    ///
    /// [`KeysetError::DuplicateKeyId`] if the id is taken; [`KeysetError::Full`] if the keyset
    /// holds [`CAPACITY`](Self::CAPACITY) keys already.
    ///
    /// ```
    /// use phonetoken::{Keyset, KeysetError, KeyStatus, PseudonymKey, TokenKey};
    ///
    /// let mut ks: Keyset<1> = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let (p, t) = (PseudonymKey::from_bytes(&[3; 32])?, TokenKey::from_bytes(&[4; 64])?);
    /// assert_eq!(ks.add_key(1, KeyStatus::Enabled, p.clone(), t.clone()), Err(KeysetError::DuplicateKeyId { key_id: 1 }));
    /// ks.add_key(2, KeyStatus::Disabled, p.clone(), t.clone())?;
    /// assert_eq!(ks.add_key(3, KeyStatus::Enabled, p, t), Err(KeysetError::Full { capacity: 2 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn add_key(
        &mut self,
        key_id: u32,
        status: KeyStatus,
        pseudonym_key: PseudonymKey,
        token_key: TokenKey,
    ) -> Result<(), KeysetError> {
        if self.entry(key_id).is_some() {
            return Err(KeysetError::DuplicateKeyId { key_id });
        }
        let slot = self
            .others
            .iter_mut()
            .find(|s| s.is_none())
            .ok_or(KeysetError::Full {
                capacity: Self::CAPACITY,
            })?;
        *slot = Some(Entry::new(key_id, status, pseudonym_key, token_key));
        Ok(())
    }

    /// Adds a fresh random key with a random unused id and makes it primary; the old keys
    /// stay enabled, so their tokens still open. Returns the new id.
    ///
    /// # Errors
    ///
    /// [`KeysetError::Full`] if the keyset is full (remove or reuse an old key first);
    /// [`KeysetError::Rng`] if the generator keeps returning ids already in use.
    ///
    /// ```
    /// # struct Rng(u8);
    /// # impl rand_core::TryRng for Rng {
    /// #     type Error = core::convert::Infallible;
    /// #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { self.0 = self.0.wrapping_add(1); Ok(self.0.into()) }
    /// #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
    /// #         for b in d { self.0 = self.0.wrapping_mul(5).wrapping_add(1); *b = self.0 } Ok(())
    /// #     }
    /// # }
    /// # impl rand_core::TryCryptoRng for Rng {}
    /// # let mut rng = Rng(1); // use a real CSPRNG
    /// let mut ks: phonetoken::Keyset = phonetoken::Keyset::generate(&mut rng);
    /// let old = ks.primary_key_id();
    /// let new = ks.rotate(&mut rng)?;
    /// assert_ne!(old, new);
    /// assert_eq!(ks.primary_key_id(), new);
    /// # Ok::<(), phonetoken::KeysetError>(())
    /// ```
    pub fn rotate<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> Result<u32, KeysetError> {
        let id = (0..64)
            .map(|_| rng.next_u32())
            .find(|id| self.entry(*id).is_none())
            .ok_or(KeysetError::Rng)?;
        self.add_key(
            id,
            KeyStatus::Enabled,
            PseudonymKey::generate(rng),
            TokenKey::generate(rng),
        )?;
        self.set_primary(id)?;
        Ok(id)
    }

    /// Makes an enabled key the primary.
    ///
    /// # Errors
    ///
    /// [`KeysetError::UnknownKeyId`] if no key has this id; [`KeysetError::KeyDisabled`] if it
    /// is disabled.
    ///
    /// ```
    /// use phonetoken::{Keyset, KeysetError, KeyStatus, PseudonymKey, TokenKey};
    ///
    /// let mut ks: Keyset = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// ks.add_key(2, KeyStatus::Disabled, PseudonymKey::from_bytes(&[3; 32])?, TokenKey::from_bytes(&[4; 64])?)?;
    /// assert_eq!(ks.set_primary(2), Err(KeysetError::KeyDisabled { key_id: 2 }));
    /// assert_eq!(ks.set_primary(9), Err(KeysetError::UnknownKeyId { key_id: 9 }));
    /// ks.set_status(2, KeyStatus::Enabled)?;
    /// ks.set_primary(2)?;
    /// assert_eq!(ks.primary_key_id(), 2);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn set_primary(&mut self, key_id: u32) -> Result<(), KeysetError> {
        if self.primary.id == key_id {
            return Ok(());
        }
        let other = self
            .others
            .iter_mut()
            .flatten()
            .find(|e| e.id == key_id)
            .ok_or(KeysetError::UnknownKeyId { key_id })?;
        if other.status != KeyStatus::Enabled {
            return Err(KeysetError::KeyDisabled { key_id });
        }
        core::mem::swap(&mut self.primary, other);
        Ok(())
    }

    /// Enables or disables a key.
    ///
    /// # Errors
    ///
    /// [`KeysetError::UnknownKeyId`] if no key has this id; [`KeysetError::IsPrimary`] when
    /// disabling the primary (make another key primary first).
    ///
    /// ```
    /// use phonetoken::{Keyset, KeysetError, KeyStatus, PseudonymKey, TokenKey};
    ///
    /// let mut ks: Keyset = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.set_status(1, KeyStatus::Disabled), Err(KeysetError::IsPrimary { key_id: 1 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn set_status(&mut self, key_id: u32, status: KeyStatus) -> Result<(), KeysetError> {
        if self.primary.id == key_id {
            return if status == KeyStatus::Enabled {
                Ok(())
            } else {
                Err(KeysetError::IsPrimary { key_id })
            };
        }
        let other = self
            .others
            .iter_mut()
            .flatten()
            .find(|e| e.id == key_id)
            .ok_or(KeysetError::UnknownKeyId { key_id })?;
        other.status = status;
        Ok(())
    }

    /// Removes a key for good (its tokens can no longer be opened).
    ///
    /// # Errors
    ///
    /// [`KeysetError::UnknownKeyId`] if no key has this id; [`KeysetError::IsPrimary`] for the
    /// primary.
    ///
    /// ```
    /// use phonetoken::{Keyset, KeysetError, KeyStatus, PseudonymKey, TokenKey};
    ///
    /// let mut ks: Keyset = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// ks.add_key(2, KeyStatus::Enabled, PseudonymKey::from_bytes(&[3; 32])?, TokenKey::from_bytes(&[4; 64])?)?;
    /// ks.remove_key(2)?;
    /// assert_eq!(ks.remove_key(2), Err(KeysetError::UnknownKeyId { key_id: 2 }));
    /// assert_eq!(ks.remove_key(1), Err(KeysetError::IsPrimary { key_id: 1 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn remove_key(&mut self, key_id: u32) -> Result<(), KeysetError> {
        if self.primary.id == key_id {
            return Err(KeysetError::IsPrimary { key_id });
        }
        let slot = self
            .others
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|e| e.id == key_id))
            .ok_or(KeysetError::UnknownKeyId { key_id })?;
        *slot = None;
        Ok(())
    }

    /// The primary key's pseudonymizer.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let p = ks.pseudonymizer();
    /// assert_eq!(p.pseudonymize_bytes(b"x"), phonetoken::Pseudonymizer::new(&[1; 32])?.pseudonymize_bytes(b"x"));
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn pseudonymizer(&self) -> &Pseudonymizer {
        &self.primary.pseudonymizer
    }

    /// The primary key's tokenizer.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.tokenizer().key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.primary.tokenizer
    }

    /// The pseudonym of `number` under the primary key.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
    /// assert_eq!(ks.pseudonymize(&n), ks.pseudonymizer().pseudonymize(&n));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn pseudonymize(&self, number: &PhoneNumber) -> Pseudonym {
        self.primary.pseudonymizer.pseudonymize(number)
    }

    /// The pseudonym of `number` under every enabled key, as `(key id, pseudonym)`, primary
    /// first. Allocates nothing; use it to find records stored under an older key during a
    /// rotation.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
    /// assert_eq!(ks.pseudonymize_all(&n).next(), Some((7, ks.pseudonymize(&n))));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn pseudonymize_all<'a>(
        &'a self,
        number: &'a PhoneNumber,
    ) -> impl Iterator<Item = (u32, Pseudonym)> + 'a {
        self.entries()
            .filter(|e| e.status == KeyStatus::Enabled)
            .map(move |e| (e.id, e.pseudonymizer.pseudonymize(number)))
    }

    /// The token of `number` under the primary key and `context`.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
    /// assert_eq!(ks.tokenize(&n, b"").key_id(), 7);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn tokenize(&self, number: &PhoneNumber, context: &[u8]) -> Token {
        self.primary.tokenizer.tokenize(number, context)
    }

    /// The number inside `token`, opened with the key its id names.
    ///
    /// # Errors
    ///
    /// [`TokenError::UnknownKeyId`] / [`TokenError::KeyDisabled`] (keys stage, before any
    /// secret is used), then those of [`Tokenizer::detokenize`].
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
    /// assert_eq!(ks.detokenize(&ks.tokenize(&n, b"c"), b"c")?, n);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn detokenize(&self, token: &Token, context: &[u8]) -> Result<PhoneNumber, TokenError> {
        let key_id = token.key_id();
        let entry = self
            .entry(key_id)
            .ok_or(TokenError::UnknownKeyId { key_id })?;
        if entry.status != KeyStatus::Enabled {
            return Err(TokenError::KeyDisabled { key_id });
        }
        entry.tokenizer.open(token, context)
    }

    /// [`detokenize`](Self::detokenize) for token text (base64url without padding).
    ///
    /// # Errors
    ///
    /// Those of [`Token::from_str`](core::str::FromStr) and [`detokenize`](Self::detokenize).
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.detokenize_str("AQAAAAeqqqqqqqqqqqqqqqqqqqqrMTIzNA", b""), Err(phonetoken::TokenError::Authentication));
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn detokenize_str(&self, text: &str, context: &[u8]) -> Result<PhoneNumber, TokenError> {
        self.detokenize(&text.parse()?, context)
    }

    /// Re-encrypts `token` under the primary key (same context).
    ///
    /// # Errors
    ///
    /// Those of [`detokenize`](Self::detokenize).
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
    /// let t = ks.tokenize(&n, b"");
    /// assert_eq!(ks.rekey(&t, b"")?, t);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn rekey(&self, token: &Token, context: &[u8]) -> Result<Token, TokenError> {
        let number = self.detokenize(token, context)?;
        Ok(self.tokenize(&number, context))
    }

    /// The keyset for `purpose`: every key replaced by its HKDF-derived key (see
    /// [Purposes](crate::keys#purposes)); ids, statuses and the primary are kept.
    ///
    /// # Errors
    ///
    /// [`KeyError::BadPurpose`] if `purpose` is empty or longer than 255 bytes.
    ///
    /// ```
    /// # let ks: phonetoken::Keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let contacts = ks.for_purpose("contacts")?;
    /// assert_eq!(contacts.primary_key_id(), 7);
    /// assert_ne!(contacts.pseudonymizer().pseudonymize_bytes(b"+1"), ks.pseudonymizer().pseudonymize_bytes(b"+1"));
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn for_purpose(&self, purpose: &str) -> Result<Keyset<MORE>, KeyError> {
        let derive_entry = |e: &Entry| -> Result<Entry, KeyError> {
            Ok(Entry::new(
                e.id,
                e.status,
                e.pseudonym_key.derive(purpose)?,
                e.token_key.derive(purpose)?,
            ))
        };
        let primary = derive_entry(&self.primary)?;
        let mut others: [Option<Entry>; MORE] = core::array::from_fn(|_| None);
        for (slot, e) in others.iter_mut().zip(&self.others) {
            if let Some(e) = e {
                *slot = Some(derive_entry(e)?);
            }
        }
        Ok(Keyset { primary, others })
    }
}

impl<const MORE: usize> ZeroizeOnDrop for Keyset<MORE> {}

impl<const MORE: usize> fmt::Debug for Keyset<MORE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyset")
            .field("primary_key_id", &self.primary.id)
            .field("keys", &KeyList(self))
            .finish_non_exhaustive()
    }
}

/// `Debug` helper: the ids and statuses of a keyset.
struct KeyList<'a, const MORE: usize>(&'a Keyset<MORE>);

impl<const MORE: usize> fmt::Debug for KeyList<'_, MORE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.entries().map(|e| (e.id, e.status)))
            .finish()
    }
}

/// Why a keyset operation was refused.
///
/// ```
/// assert_eq!(phonetoken::KeysetError::Full { capacity: 8 }.code(), "keyset-full");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum KeysetError {
    /// Another key already has this id.
    DuplicateKeyId {
        /// The id.
        key_id: u32,
    },
    /// The keyset holds as many keys as its type allows.
    Full {
        /// The most keys it can hold.
        capacity: usize,
    },
    /// No key has this id.
    UnknownKeyId {
        /// The id.
        key_id: u32,
    },
    /// The key is disabled and so cannot be primary.
    KeyDisabled {
        /// The id.
        key_id: u32,
    },
    /// The primary key cannot be disabled or removed.
    IsPrimary {
        /// The id.
        key_id: u32,
    },
    /// The random generator failed or kept returning key ids already in use.
    Rng,
}

impl KeysetError {
    /// A short, stable name for the error.
    ///
    /// ```
    /// assert_eq!(phonetoken::KeysetError::Rng.code(), "rng");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            KeysetError::DuplicateKeyId { .. } => "duplicate-key-id",
            KeysetError::Full { .. } => "keyset-full",
            KeysetError::UnknownKeyId { .. } => "unknown-key-id",
            KeysetError::KeyDisabled { .. } => "key-disabled",
            KeysetError::IsPrimary { .. } => "is-primary",
            KeysetError::Rng => "rng",
        }
    }
}

impl fmt::Display for KeysetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeysetError::DuplicateKeyId { key_id } => {
                write!(f, "key id {key_id} is already in the keyset: give each key its own id")
            }
            KeysetError::Full { capacity } => write!(
                f,
                "the keyset already holds {capacity} keys: remove a retired key first, or use a keyset type with more room"
            ),
            KeysetError::UnknownKeyId { key_id } => {
                write!(f, "no key with id {key_id} in the keyset: list the keys to see their ids")
            }
            KeysetError::KeyDisabled { key_id } => write!(
                f,
                "key {key_id} is disabled and cannot be primary: enable it first"
            ),
            KeysetError::IsPrimary { key_id } => write!(
                f,
                "key {key_id} is the primary key and cannot be disabled or removed: make another key primary first"
            ),
            KeysetError::Rng => f.write_str(
                "the random generator failed or kept repeating key ids: check the entropy source",
            ),
        }
    }
}

impl core::error::Error for KeysetError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct HkdfFile {
        #[serde(rename = "testGroups")]
        groups: std::vec::Vec<HkdfGroup>,
    }
    #[derive(serde::Deserialize)]
    struct HkdfGroup {
        tests: std::vec::Vec<HkdfCase>,
    }
    #[derive(serde::Deserialize)]
    struct HkdfCase {
        #[serde(rename = "tcId")]
        id: u32,
        ikm: std::string::String,
        salt: std::string::String,
        info: std::string::String,
        size: usize,
        okm: std::string::String,
        result: std::string::String,
    }

    fn unhex(s: &str) -> std::vec::Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Wycheproof HKDF-SHA256 (Apache-2.0, see tests/data/VECTORS.md) through the crate's
    /// only HKDF call. `info` is split in two parts to exercise the multi-part form.
    #[test]
    fn wycheproof_hkdf_sha256() {
        let file: HkdfFile =
            serde_json::from_str(include_str!("../tests/data/hkdf_sha256_wycheproof.json"))
                .unwrap();
        let mut count = 0;
        for case in file.groups.iter().flat_map(|g| &g.tests) {
            let info = unhex(&case.info);
            let (a, b) = info.split_at(info.len() / 2);
            let mut okm = std::vec![0u8; case.size];
            let result = hkdf_sha256(&unhex(&case.salt), &unhex(&case.ikm), &[a, b], &mut okm);
            match case.result.as_str() {
                "valid" => {
                    result.unwrap();
                    assert_eq!(okm, unhex(&case.okm), "tcId {}", case.id);
                }
                _ => assert!(result.is_err(), "tcId {}", case.id),
            }
            count += 1;
        }
        assert_eq!(count, 86);
    }

    #[test]
    fn derivation_layout_is_as_documented() {
        // Independent recomputation with the `hmac` crate (RFC 5869 by hand).
        use hmac::{KeyInit, Mac};
        type H = hmac::Hmac<sha2::Sha256>;
        let master = [0x42u8; 32];
        let mut mac = <H as KeyInit>::new_from_slice(b"phonetoken-v1").unwrap();
        mac.update(&master);
        let prk = mac.finalize().into_bytes();
        let mut mac = <H as KeyInit>::new_from_slice(&prk).unwrap();
        mac.update(b"pseudonym-key\x00\x08contacts\x01");
        let t1 = mac.finalize().into_bytes();
        let derived = PseudonymKey::from_bytes(&master)
            .unwrap()
            .derive("contacts")
            .unwrap();
        assert_eq!(derived.as_bytes()[..], t1[..]);
    }

    #[test]
    fn purpose_bounds() {
        let k = PseudonymKey::from_bytes(&[1; 32]).unwrap();
        assert_eq!(k.derive("").err(), Some(KeyError::BadPurpose { len: 0 }));
        let long = "x".repeat(256);
        assert_eq!(
            k.derive(&long).err(),
            Some(KeyError::BadPurpose { len: 256 })
        );
        assert!(k.derive(&long[..255]).is_ok());
        let t = TokenKey::from_bytes(&[1; 64]).unwrap();
        assert_ne!(
            t.derive("a").unwrap().as_bytes()[..32],
            k.derive("a").unwrap().as_bytes()[..]
        );
    }

    #[test]
    fn debug_never_shows_keys() {
        let ks: Keyset = Keyset::new(
            3,
            PseudonymKey::from_bytes(&[0xab; 32]).unwrap(),
            TokenKey::from_bytes(&[0xcd; 64]).unwrap(),
        );
        let text = std::format!("{ks:?}");
        assert_eq!(
            text,
            "Keyset { primary_key_id: 3, keys: [(3, Enabled)], .. }"
        );
    }
}
