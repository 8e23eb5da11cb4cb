//! phonetoken: keep phone numbers out of the places where they leak.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod batch;
pub mod encoding;
pub mod keys;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod keyset_file;
pub mod metadata;
mod number;
mod parse;
pub mod pseudonym;
mod siv;
pub mod token;

pub use number::{CountryCode, PhoneNumber, Region, RegionError};
pub use parse::{parse, parse_with_extension, Extension, ParseError};

pub use batch::{normalize_batch, pseudonymize_batch, tokenize_batch, BatchLenError};
pub use encoding::{BufferTooSmall, DecodeError, Encoding, InvalidEncoding};
pub use keys::{KeyError, KeyInfo, KeyStatus, Keyset, KeysetError, PseudonymKey, TokenKey};
pub use pseudonym::{Pseudonym, PseudonymError, Pseudonymizer};
pub use token::{Token, TokenError, Tokenizer, MAX_TOKEN_TEXT_LEN};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
