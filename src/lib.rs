//! phonetoken keeps phone numbers out of the places where they leak.
//!
//! Three steps, each allocation-free and `no_std`:
//!
//! ```
//! use phonetoken::{parse, Keyset, PseudonymKey, TokenKey};
//!
//! // 1. Normalize: any written form, plus the region it was written in, to libphonenumber's
//! //    exact E.164.
//! let number = parse("020 7946 0958", Some("GB".parse()?))?;
//! assert_eq!(number.as_str(), "+442079460958");
//!
//! // Keys come from your secret store (or `Keyset::generate` / `phonetoken keygen`).
//! # let (pseudonym_key, token_key) = ([1u8; 32], [2u8; 64]);
//! let keys = Keyset::new(7, PseudonymKey::from_bytes(&pseudonym_key)?, TokenKey::from_bytes(&token_key)?);
//!
//! // 2. Pseudonymize: HMAC-SHA256 of the E.164 string, for joins and lookups.
//! let pseudonym = keys.pseudonymize(&number);
//!
//! // 3. Tokenize: AES-SIV in Tink's DeterministicAead format, reversible by the key holder,
//! //    bound to a context.
//! let token = keys.tokenize(&number, b"billing");
//! assert_eq!(keys.detokenize(&token, b"billing")?, number);
//! # let _ = pseudonym;
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! # Where things are
//!
//! * [`parse`] and [`parse_with_extension`] give a [`PhoneNumber`] (inline, `Copy`) or a
//!   [`ParseError`] saying why the text is not a possible number. [`Region`] and
//!   [`CountryCode`] come with it; [`metadata::VERSION`] is the libphonenumber release the
//!   tables were generated from.
//! * [`pseudonym`]: [`Pseudonymizer`] and [`Pseudonym`] (constant-time equality, truncation,
//!   encodings).
//! * [`token`]: [`Tokenizer`] and [`Token`]; every cryptographic failure is one opaque
//!   [`TokenError::Authentication`].
//! * [`keys`]: [`Keyset`] with key ids, rotation, re-keying and per-purpose keys (HKDF);
//!   `keyset_file` (feature `std`) reads and writes keyset files, and Tink keysets;
//!   `encrypted_keyset` (feature `std`) seals them under a master key (a PKCS#11 token, a
//!   KMS, a file) in Tink's encrypted-keyset format.
//! * `oprf` (feature `oprf`): oblivious pseudonyms (RFC 9497), so a device gets a number's
//!   pseudonym from the server without holding the key or showing the number.
//! * `seal` (feature `seal`): numbers sealed to the server's public key (HPKE, RFC 9180), so
//!   only the key holder can read them.
//! * `validate` (feature `validate`): [`PhoneNumber`]'s `is_valid`, `number_type` and
//!   `region`, libphonenumber's validity, number types and region for the number.
//! * `format` (feature `format`): [`PhoneNumber`]'s `format`, `format_with_extension` and
//!   `formatted`, libphonenumber's `format()` (INTERNATIONAL, NATIONAL, RFC3966, E164) and a
//!   masked form, into caller buffers.
//! * `find` (feature `find`): `find_numbers`, the numbers written in free text as
//!   libphonenumber's `PhoneNumberMatcher` finds them, with its leniencies and its bound on
//!   the work; with `alloc` also `find::scrub`, every number in a text replaced in place (what
//!   `phonetoken scrub` and the Python package's `scrub` do).
//! * [`batch`]: many inputs per call into caller-provided slices.
//! * [`encoding`]: base64url, base64 and hex into caller buffers.
//!
//! # Input safety
//!
//! Every input is treated as hostile: no function panics on any input, and the work is
//! bounded (text past 250 characters is refused before parsing, as libphonenumber does; the
//! metadata's patterns run on a matcher whose work is bounded by the pattern). The crate has
//! no `unsafe` code, and the lookup path (parse, pseudonymize, tokenize, detokenize, the
//! OPRF client, sealing) never allocates. SECURITY.md in the repository is the threat model; docs/FORMAT.md gives the
//! byte formats with a worked example.
//!
//! # Features
//!
//! No feature is on by default: everything above works without an allocator.
//!
//! * **`alloc`**: `String` conveniences (`Encoding::encode_string`, …); with `oprf`, the
//!   server's batch proof by multiscalar multiplication, which allocates per request.
//! * **`std`**: keyset files (`keyset_file`) and keys from the operating system's random
//!   generator (`Keyset::generate_os`). Without it, bring a `rand_core::CryptoRng`.
//! * **`oprf`**: oblivious pseudonyms; the client side needs no allocator.
//! * **`seal`**: sealed numbers; the device side needs no allocator. **`seal-xwing`** adds
//!   the post-quantum X-Wing suite.
//! * **`validate`**: validity, number types and the number's region from the metadata's
//!   number-type patterns: about 400 KB more tables (one digit automaton per territory), or
//!   on firmware (`target_os = "none"`) about 66 KB (the patterns, run on the matcher); no
//!   allocator needed.
//! * **`format`**: numbers formatted for people from the metadata's number formats (about
//!   26 KB more tables); no allocator needed.
//! * **`find`**: numbers in free text (with `validate` and `format`); no allocator needed
//!   (scrubbing, `find::scrub`, needs `alloc`).
//! * **`cli`**: the `phonetoken` command-line tool (with `std`, `oprf`, `seal` and
//!   `find`); nothing in the library depends on it.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

/// A small deterministic generator for the unit tests (xorshift32): `next(n)` is below `n`.
#[cfg(test)]
pub(crate) fn test_rng(seed: u32) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as usize % n
    }
}

pub mod batch;
pub mod encoding;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod encrypted_keyset;
#[cfg(feature = "find")]
#[cfg_attr(docsrs, doc(cfg(feature = "find")))]
pub mod find;
#[cfg(feature = "format")]
#[cfg_attr(docsrs, doc(cfg(feature = "format")))]
pub mod format;
pub mod keys;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod keyset_file;
#[cfg(feature = "keystore")]
#[cfg_attr(docsrs, doc(cfg(feature = "keystore")))]
pub mod keystore;
pub mod metadata;
mod number;
#[cfg(feature = "oprf")]
#[cfg_attr(docsrs, doc(cfg(feature = "oprf")))]
pub mod oprf;
mod parse;
pub mod pseudonym;
#[cfg(feature = "seal")]
#[cfg_attr(docsrs, doc(cfg(feature = "seal")))]
pub mod seal;
mod siv;
pub mod token;
#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
pub mod validate;

pub use number::{CountryCode, PhoneNumber, Region, RegionError};
pub use parse::{parse, parse_with_extension, Extension, ParseError};

pub use batch::{normalize_batch, pseudonymize_batch, tokenize_batch, BatchLenError};
pub use encoding::{BufferTooSmall, DecodeError, Encoding, InvalidEncoding};
#[cfg(feature = "find")]
pub use find::{find_numbers, Leniency, Match, Matches};
#[cfg(feature = "format")]
pub use format::{Format, FormatError, Formatted, MAX_FORMATTED_LEN};
pub use keys::{
    KeyError, KeyInfo, KeyStatus, Keyset, KeysetError, KeysetN, PseudonymKey, TokenKey,
};
pub use pseudonym::{Pseudonym, PseudonymError, Pseudonymizer};
pub use token::{Token, TokenError, Tokenizer, MAX_TOKEN_TEXT_LEN};
#[cfg(feature = "validate")]
pub use validate::NumberType;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
