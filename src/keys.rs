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
//! [`Tokenizer`] and [`KeysetN`] overwrite their key material with zeros
//! when dropped (with the `zeroize` crate, which the compiler cannot optimize away); they
//! implement the [`ZeroizeOnDrop`] marker but not `Zeroize`, so a live key is never left
//! zeroed. Their `Debug` output never shows key bytes, and key equality is constant time.
//!
//! Moving a value copies it, and the old bytes stay where they were. So the functions that
//! make keys build them in place: the keyset loaders (`Keyset::load_json`,
//! `Keyset::load_tink_json`, feature `std`) and [`Keyset::for_purpose_in_place`] decode or
//! derive every key straight into the keyset you have put where it will live (a `Box`, a
//! `static`), and then wipe the stack they used, which also removes what the `aes` and
//! `hkdf` crates leave in their frames (32 KiB and more with `std`, 4 KiB without). The
//! by-value forms ([`Keyset::for_purpose`], `Keyset::from_json`, [`Keyset::generate`], …) do
//! the same inside, but the keyset they return is moved into your frame, where copies the
//! compiler makes are out of the crate's reach. The `key_residue` test checks both: no key in
//! freed heap blocks for either form, and none on the stack for the in-place forms.
//!
//! Not covered: keys you pass by value ([`Keyset::new`], [`Keyset::add_key`]) or copy out
//! with [`PseudonymKey::as_bytes`] / [`TokenKey::as_bytes`], bytes left in CPU registers, and
//! memory swapped to disk or captured in a core dump.

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

/// The purpose's length byte, if it is a valid purpose (1 to 255 bytes).
fn check_purpose(purpose: &str) -> Result<u8, KeyError> {
    u8::try_from(purpose.len())
        .ok()
        .filter(|&l| l > 0)
        .ok_or(KeyError::BadPurpose { len: purpose.len() })
}

/// Derives `out.len()` bytes for `purpose` from `master` under `label` (see the module docs).
fn derive(label: &[u8], master: &[u8], purpose: &str, out: &mut [u8]) -> Result<(), KeyError> {
    let len = check_purpose(purpose)?;
    let p = purpose.as_bytes();
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
            #[inline(always)]
            pub fn derive(&self, purpose: &str) -> Result<$name, KeyError> {
                wiping_stack(|| {
                    let mut key = $name([0u8; $len]);
                    derive($label, &self.0, purpose, &mut key.0)?;
                    Ok(key)
                })
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
/// let ks = phonetoken::KeysetN::<0>::new(5, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// When the key was made, in seconds since the Unix epoch (UTC), if recorded (see
    /// [`KeysetN::set_created`]).
    pub created: Option<u64>,
}

/// One key of a keyset, expanded.
pub(crate) struct Entry {
    pub(crate) id: u32,
    pub(crate) status: KeyStatus,
    /// Seconds since the Unix epoch when the key was made, if known.
    pub(crate) created: Option<u64>,
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
            created: None,
            pseudonymizer: Pseudonymizer::from_key(&pseudonym_key),
            tokenizer: Tokenizer::from_key(id, &token_key),
            pseudonym_key,
            token_key,
        }
    }

    /// An entry whose keys are all zeros: a place to decode or derive keys into.
    fn blank() -> Entry {
        Entry::new(
            0,
            KeyStatus::Enabled,
            PseudonymKey([0; PSEUDONYM_KEY_LEN]),
            TokenKey([0; TOKEN_KEY_LEN]),
        )
    }

    /// Recomputes the expanded keys from the entry's own key arrays, in place.
    fn expand(&mut self) {
        self.pseudonymizer.rekey(&self.pseudonym_key.0);
        self.tokenizer.rekey(self.id, &self.token_key.0);
    }

    /// Sets the entry in place: `fill` writes the key bytes straight into the entry's arrays
    /// and gives the id and status; then the keys are expanded where they are.
    fn fill<E>(
        &mut self,
        fill: impl FnOnce(&mut [u8; 32], &mut [u8; 64]) -> Result<(u32, KeyStatus), E>,
    ) -> Result<(), E> {
        let (id, status) = fill(&mut self.pseudonym_key.0, &mut self.token_key.0)?;
        self.id = id;
        self.status = status;
        self.created = None;
        self.expand();
        Ok(())
    }
}

/// Bytes of stack [`wiping_stack`] overwrites below its caller, beyond four times the size of
/// the value it returns (a keyset returned by value is built and moved in the frames below):
/// more than the calls it wraps use (HKDF, AES key expansion, JSON parsing) at `opt-level` 0.
/// Without `std` the wipe stays small, for small stacks, and only covers those calls.
#[cfg(feature = "std")]
const STACK_WIPE: usize = 32 * 1024;
#[cfg(not(feature = "std"))]
const STACK_WIPE: usize = 4 * 1024;

/// The stack is wiped in chunks of this size, one frame each.
const WIPE_CHUNK: usize = 4 * 1024;

/// Runs `f` in a frame of its own, then overwrites the stack that `f` and everything it called
/// used, so the copies that code the crate does not control leaves in its frames (the `aes`
/// and `hkdf` crates return key schedules and HMAC outputs by value) do not outlive the call.
/// `inline(always)` puts the wipe in the caller's frame, below which the dead frames lie.
#[inline(always)]
pub(crate) fn wiping_stack<R>(f: impl FnOnce() -> R) -> R {
    let result = outlined(f);
    let returned = if cfg!(feature = "std") {
        4 * core::mem::size_of::<R>()
    } else {
        0
    };
    wipe_stack((STACK_WIPE + returned).div_ceil(WIPE_CHUNK));
    result
}

#[inline(never)]
fn outlined<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Overwrites `chunks` chunks of stack, each in a frame of its own: the wipe after the
/// recursive call keeps every frame alive (no tail call), so the frames do not overlap.
#[inline(never)]
fn wipe_stack(chunks: usize) {
    let mut region = [0u8; WIPE_CHUNK];
    if chunks > 1 {
        wipe_stack(chunks - 1);
    }
    region.zeroize();
}

/// A keyset with room for 8 keys: the type to use unless you need another capacity.
///
/// `Keyset::new(…)`, `Keyset::from_json(…)` and the rest need no type annotation; for another
/// capacity name [`KeysetN`] with the number of keys beyond the primary (`KeysetN<0>` holds
/// one key, `KeysetN<15>` sixteen).
///
/// ```
/// use phonetoken::{Keyset, KeysetN, PseudonymKey, TokenKey};
///
/// let ks = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
/// assert_eq!(Keyset::CAPACITY, 8);
/// let one = KeysetN::<0>::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
/// assert_eq!(one.pseudonymizer().pseudonymize_bytes(b"x"), ks.pseudonymizer().pseudonymize_bytes(b"x"));
/// # Ok::<(), phonetoken::KeyError>(())
/// ```
pub type Keyset = KeysetN<7>;

/// Several keys, one primary, held inline: up to `1 + MORE` keys with no allocator.
/// [`Keyset`] is the usual size (`MORE` = 7, eight keys).
///
/// Each key is expanded once (HMAC states, AES key schedules, CMAC values), so every
/// operation costs only the work that depends on the number. All of it is wiped on drop (see
/// [Zeroization](crate::keys#zeroization)).
///
/// ```
/// use phonetoken::{Keyset, KeyStatus, PhoneNumber, PseudonymKey, TokenKey};
///
/// let mut ks = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
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
pub struct KeysetN<const MORE: usize> {
    primary: Entry,
    others: [Option<Entry>; MORE],
}

impl<const MORE: usize> KeysetN<MORE> {
    /// Most keys this keyset type can hold: the primary and `MORE` others.
    pub const CAPACITY: usize = MORE + 1;

    /// A keyset with one key, which is primary and enabled.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.primary_key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn new(key_id: u32, pseudonym_key: PseudonymKey, token_key: TokenKey) -> KeysetN<MORE> {
        KeysetN {
            primary: Entry::new(key_id, KeyStatus::Enabled, pseudonym_key, token_key),
            others: core::array::from_fn(|_| None),
        }
    }

    /// One blank (all-zero) key: the place the in-place loaders write into.
    pub(crate) fn blank() -> KeysetN<MORE> {
        KeysetN {
            primary: Entry::blank(),
            others: core::array::from_fn(|_| None),
        }
    }

    /// Replaces the keys in place with `count` new ones (at most [`CAPACITY`](Self::CAPACITY)):
    /// `fill(k, …)` is called for `k` in `0..count` in order, writes key `k`'s bytes straight
    /// into an entry's arrays and gives its id and status. Key 0 becomes the primary; slots
    /// past the last key are emptied (and so wiped). The caller has checked ids and statuses;
    /// an error from `fill` leaves the keys replaced up to that point.
    pub(crate) fn replace_keys<E>(
        &mut self,
        count: usize,
        mut fill: impl FnMut(usize, &mut [u8; 32], &mut [u8; 64]) -> Result<(u32, KeyStatus), E>,
    ) -> Result<(), E> {
        self.primary.fill(|p, t| fill(0, p, t))?;
        for (k, slot) in (1..).zip(&mut self.others) {
            if k < count {
                slot.get_or_insert_with(Entry::blank)
                    .fill(|p, t| fill(k, p, t))?;
            } else {
                *slot = None;
            }
        }
        Ok(())
    }

    /// A keyset with one fresh random key and a random id, from `rng`.
    ///
    /// With feature `std`, `generate_os` needs no generator at all.
    /// Otherwise `rng` must implement **`rand_core` 0.10**'s `CryptoRng`. `rand` 0.10's
    /// generators do (`rand::rng()`, `rand::rngs::StdRng`); `rand` 0.9's (and other crates
    /// built on `rand_core` 0.9 or older) implement an older, different trait, and the
    /// compiler then reports that `CryptoRng` is not implemented for the generator even though
    /// it is "a CryptoRng": upgrade to `rand` 0.10, or fill the key bytes yourself and use
    /// [`new`](Self::new).
    ///
    /// ```
    /// // rand = "0.10"
    /// let ks = phonetoken::Keyset::generate(&mut rand::rng());
    /// assert_eq!(ks.keys().count(), 1);
    /// ```
    ///
    /// Any `rand_core` 0.10 generator works, for example a deterministic one in a test:
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
    /// let ks = phonetoken::Keyset::generate(&mut rng);
    /// assert_eq!(ks.keys().count(), 1);
    /// ```
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> KeysetN<MORE> {
        let id = rng.next_u32();
        let mut keyset = KeysetN::blank();
        let _ = keyset.primary.fill(|p, t| {
            rng.fill_bytes(p);
            rng.fill_bytes(t);
            Ok::<_, core::convert::Infallible>((id, KeyStatus::Enabled))
        });
        keyset
    }

    /// A keyset with one fresh key from the operating system's generator: the simplest way to
    /// make one (`phonetoken keygen` does it from the command line).
    ///
    /// # Errors
    ///
    /// [`KeyError::Rng`] if the operating system cannot provide random bytes.
    ///
    /// ```
    /// let ks = phonetoken::Keyset::generate_os()?;
    /// assert_eq!(ks.keys().count(), 1);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn generate_os() -> Result<KeysetN<MORE>, KeyError> {
        let mut keyset = KeysetN::blank();
        keyset.primary.fill(|p, t| {
            let mut id = [0u8; 4];
            getrandom::fill(&mut id).map_err(|_| KeyError::Rng)?;
            getrandom::fill(p).map_err(|_| KeyError::Rng)?;
            getrandom::fill(t).map_err(|_| KeyError::Rng)?;
            Ok((u32::from_be_bytes(id), KeyStatus::Enabled))
        })?;
        Ok(keyset)
    }

    /// The id of the primary key.
    ///
    /// ```
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.primary_key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn primary_key_id(&self) -> u32 {
        self.primary.id
    }

    /// Every key's id, status and whether it is primary; the primary comes first.
    ///
    /// ```
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let ids: Vec<u32> = ks.keys().map(|k| k.id).collect();
    /// assert_eq!(ids, [7]);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = KeyInfo> + '_ {
        self.entries().map(|e| KeyInfo {
            id: e.id,
            status: e.status,
            primary: e.id == self.primary.id,
            created: e.created,
        })
    }

    /// Records when key `key_id` was made, in seconds since the Unix epoch (UTC), or clears
    /// it with `None`. The keyset files keep it; nothing else depends on it. The library has no
    /// clock: the caller gives the time (the `phonetoken` tool gives the system's).
    ///
    /// # Errors
    ///
    /// [`KeysetError::UnknownKeyId`] if no key has this id.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let mut ks = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.keys().next().unwrap().created, None);
    /// ks.set_created(7, Some(1_764_620_000))?;
    /// assert_eq!(ks.keys().next().unwrap().created, Some(1_764_620_000));
    /// assert!(ks.set_created(8, None).is_err());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn set_created(
        &mut self,
        key_id: u32,
        unix_seconds: Option<u64>,
    ) -> Result<(), KeysetError> {
        let entry = core::iter::once(&mut self.primary)
            .chain(self.others.iter_mut().flatten())
            .find(|e| e.id == key_id)
            .ok_or(KeysetError::UnknownKeyId { key_id })?;
        entry.created = unix_seconds;
        Ok(())
    }

    /// All entries, primary first.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> + '_ {
        core::iter::once(&self.primary).chain(self.others.iter().flatten())
    }

    /// The primary key's entry (for sealing to the primary).
    #[cfg(feature = "seal")]
    pub(crate) fn primary_entry(&self) -> &Entry {
        &self.primary
    }

    pub(crate) fn entry(&self, key_id: u32) -> Option<&Entry> {
        self.entries().find(|e| e.id == key_id)
    }

    /// The first empty slot for another key.
    fn free_slot(&mut self) -> Result<&mut Option<Entry>, KeysetError> {
        self.others
            .iter_mut()
            .find(|s| s.is_none())
            .ok_or(KeysetError::Full {
                capacity: Self::CAPACITY,
            })
    }

    /// Adds a key (not primary).
    ///
    /// # Errors
    ///
    /// [`KeysetError::DuplicateKeyId`] if the id is taken; [`KeysetError::Full`] if the keyset
    /// holds [`CAPACITY`](Self::CAPACITY) keys already.
    ///
    /// ```
    /// use phonetoken::{KeysetError, KeysetN, KeyStatus, PseudonymKey, TokenKey};
    ///
    /// let mut ks: KeysetN<1> = KeysetN::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
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
        *self.free_slot()? = Some(Entry::new(key_id, status, pseudonym_key, token_key));
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
    /// let mut ks = phonetoken::Keyset::generate(&mut rng);
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
        let slot = self.free_slot()?;
        // Drawn straight into the new entry rather than moved in as key values.
        let _ = slot.get_or_insert_with(Entry::blank).fill(|p, t| {
            rng.fill_bytes(p);
            rng.fill_bytes(t);
            Ok::<_, core::convert::Infallible>((id, KeyStatus::Enabled))
        });
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
    /// let mut ks = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
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
    /// let mut ks = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
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
    /// let mut ks = Keyset::new(1, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.tokenizer().key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.primary.tokenizer
    }

    /// The pseudonym of `number` under the primary key.
    ///
    /// ```
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
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
    /// The derived keys are written straight into the new keyset and the stack the
    /// derivation used is wiped; the keyset is then returned by value, and copies the compiler
    /// makes of it in *your* frames (moving it out of the `Result`, into a struct) are beyond
    /// the crate's reach. [`for_purpose_in_place`](Self::for_purpose_in_place) makes none.
    ///
    /// # Errors
    ///
    /// [`KeyError::BadPurpose`] if `purpose` is empty or longer than 255 bytes.
    ///
    /// ```
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let contacts = ks.for_purpose("contacts")?;
    /// assert_eq!(contacts.primary_key_id(), 7);
    /// assert_ne!(contacts.pseudonymizer().pseudonymize_bytes(b"+1"), ks.pseudonymizer().pseudonymize_bytes(b"+1"));
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    #[inline(always)]
    pub fn for_purpose(&self, purpose: &str) -> Result<KeysetN<MORE>, KeyError> {
        wiping_stack(|| {
            check_purpose(purpose)?;
            let mut derived = KeysetN::blank();
            let mut sources = self.entries();
            derived.replace_keys(self.entries().count(), |_, p, t| {
                // `replace_keys` asks for as many keys as there are entries.
                let e = sources.next().ok_or(KeyError::BadPurpose { len: 0 })?;
                derive(PSEUDONYM_KEY_LABEL, &e.pseudonym_key.0, purpose, p)?;
                derive(TOKEN_KEY_LABEL, &e.token_key.0, purpose, t)?;
                Ok((e.id, e.status))
            })?;
            for e in self.entries() {
                // The same ids, so every one is found.
                let _ = derived.set_created(e.id, e.created);
            }
            Ok(derived)
        })
    }

    /// Replaces every key of this keyset by its key for `purpose`, where it is: what
    /// [`for_purpose`](Self::for_purpose) gives, without a second keyset or any copy of it.
    /// The master keys are gone afterwards (keep the file to derive other purposes).
    ///
    /// # Errors
    ///
    /// [`KeyError::BadPurpose`] if `purpose` is empty or longer than 255 bytes; the keyset is
    /// then unchanged.
    ///
    /// ```
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let master = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let mut contacts = Box::new(Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?));
    /// contacts.for_purpose_in_place("contacts")?;
    /// assert_eq!(contacts.pseudonymize_all(&"+14155552671".parse()?).next(), master.for_purpose("contacts")?.pseudonymize_all(&"+14155552671".parse()?).next());
    /// assert!(contacts.for_purpose_in_place("").is_err());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn for_purpose_in_place(&mut self, purpose: &str) -> Result<(), KeyError> {
        wiping_stack(|| {
            check_purpose(purpose)?;
            let mut master_p = [0u8; PSEUDONYM_KEY_LEN];
            let mut master_t = [0u8; TOKEN_KEY_LEN];
            let mut result = Ok(());
            for e in core::iter::once(&mut self.primary).chain(self.others.iter_mut().flatten()) {
                // HKDF cannot write over its own input: the master keys go to a scratch copy.
                master_p = e.pseudonym_key.0;
                master_t = e.token_key.0;
                result = result
                    .and_then(|()| {
                        derive(
                            PSEUDONYM_KEY_LABEL,
                            &master_p,
                            purpose,
                            &mut e.pseudonym_key.0,
                        )
                    })
                    .and_then(|()| derive(TOKEN_KEY_LABEL, &master_t, purpose, &mut e.token_key.0));
                e.expand();
            }
            master_p.zeroize();
            master_t.zeroize();
            result
        })
    }
}

impl<const MORE: usize> ZeroizeOnDrop for KeysetN<MORE> {}

impl<const MORE: usize> fmt::Debug for KeysetN<MORE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyset")
            .field("primary_key_id", &self.primary.id)
            .field("keys", &KeyList(self))
            .finish_non_exhaustive()
    }
}

/// `Debug` helper: the ids and statuses of a keyset.
struct KeyList<'a, const MORE: usize>(&'a KeysetN<MORE>);

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
        let ks = Keyset::new(
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
