//! Oblivious pseudonyms: RFC 9497 OPRF, VOPRF and POPRF with ristretto255-SHA512.
//!
//! The device (the [`Client`]) blinds a number's E.164 bytes, the key holder (the [`Server`])
//! evaluates the blinded elements with its secret key, and the device unblinds the answer into
//! an [`ObliviousPseudonym`]: the same value the server gets from [`Server::evaluate_number`]
//! for that number, although the server never saw the number and the device never held the
//! key. Every lookup costs the server one evaluation, so enumeration can be rate-limited.
//!
//! * **VOPRF** ([`Mode::Voprf`], the default of a [`PublicKey`] from [`Server::from_keyset`]):
//!   the server proves (one DLEQ proof per batch) that it used the key whose public half the
//!   device has pinned, so it cannot use a different key per user to tell users apart.
//! * **POPRF** ([`Mode::Poprf`]): as VOPRF, plus a public `info` (a purpose, an epoch) that
//!   both sides feed into the function; different `info` gives unrelated pseudonyms.
//! * **OPRF** ([`Mode::Oprf`]): no proof; only for a device that trusts the server's key.
//!
//! The group arithmetic and hashing are the `voprf-ng` crate's and its curve crate's
//! (curve25519-dalek); this module composes them, and adds the keys per keyset key id, the wire
//! formats and the typed result. Two proof steps are composed here from those crates' parts,
//! for speed, with the same bytes and verdicts as `voprf-ng`'s: the client checks a proof with
//! variable-time operations (every input of the check is public; src/oprf/verify.rs), and with
//! the `alloc` feature the server proves a batch with one multiscalar multiplication where
//! `voprf-ng` does a scalar multiplication per element (src/oprf/prover.rs; see
//! [`Server::evaluate`]). Everything that touches a secret (the key, a blind) stays constant
//! time. The client side allocates nothing and runs on `thumbv7em-none-eabihf`. The byte
//! formats and the key derivation are in docs/FORMAT.md.
//!
//! ```
//! use phonetoken::oprf::{Client, Mode, ObliviousPseudonym, Server, max_request_len, max_response_len};
//! use phonetoken::{Keyset, PseudonymKey, TokenKey};
//! # fn rng() -> impl rand_core::CryptoRng { rand::rng() }
//!
//! // The server: an OPRF key per keyset key id (here the primary, 7), VOPRF mode.
//! let keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
//! let server = Server::from_keyset(&keyset, 7, Mode::Voprf)?;
//! let pinned = server.public_key(); // shipped in the firmware: `pinned.to_bytes()`
//!
//! // The device blinds two numbers into a request…
//! let numbers = ["+14155552671".parse()?, "+442079460958".parse()?];
//! let client = Client::new(&pinned);
//! let mut request = [0u8; max_request_len(Mode::Voprf, 2, 0)];
//! let (blinded, request) = client.blind::<_, _, 2>(&numbers, &mut rng(), &mut request)?;
//!
//! // …the server evaluates them with one proof…
//! let mut response = [0u8; max_response_len(Mode::Voprf, 2)];
//! let request = phonetoken::oprf::Request::decode(request)?;
//! let response = server.evaluate(&request, &mut rng(), &mut response)?;
//!
//! // …and the device checks the proof and unblinds.
//! let mut out = [ObliviousPseudonym::default(); 2];
//! blinded.finalize(response, &mut out)?;
//! assert_eq!(out[0], server.evaluate_number(&numbers[0])?);
//! assert_eq!(out[1], server.evaluate_number(&numbers[1])?);
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

use core::fmt;
use core::hash::{Hash, Hasher};

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use voprf_ng::{
    BlindedElement, EvaluationElement, Group, OprfClient, OprfServer, PoprfClient, PoprfServer,
    PreparedEvaluationElement, Proof, Ristretto255, VoprfClient, VoprfServer,
};
use zeroize::Zeroize;

use crate::encoding::{BufferTooSmall, Encoding};
use crate::keys::{hkdf_sha256, KeysetN, PURPOSE_SALT};
use crate::PhoneNumber;

#[cfg(feature = "alloc")]
mod prover;
mod verify;

type Suite = Ristretto255;
type Point = <Suite as Group>::Elem;

/// Version byte that starts every request, response and public key of this module.
pub const WIRE_VERSION: u8 = 1;
/// Most elements in one request: a device batches its contacts in requests of at most this
/// many. The bound keeps a request's work and the server's stack bounded (two arrays of this
/// many group elements, 10 KiB each).
pub const MAX_BATCH: usize = 64;
/// Length of an encoded group element (a ristretto255 point).
pub const ELEMENT_LEN: usize = 32;
/// Length of an encoded DLEQ proof (two scalars, `c || s`).
pub const PROOF_LEN: usize = 64;
/// Length of a full oblivious pseudonym (the SHA-512 output of RFC 9497's `Finalize`).
pub const OBLIVIOUS_PSEUDONYM_LEN: usize = 64;
/// Shortest length [`ObliviousPseudonym::truncate`] accepts.
pub const MIN_OBLIVIOUS_PSEUDONYM_LEN: usize = 8;
/// Longest POPRF `info`, in bytes (one length byte on the wire).
pub const MAX_INFO_LEN: usize = 255;
/// Length of an encoded [`PublicKey`]: version, mode, key id, element.
pub const PUBLIC_KEY_LEN: usize = 2 + 4 + ELEMENT_LEN;
/// HKDF `info` of the seed an OPRF key is derived from (see [`Server::from_keyset`]).
pub const OPRF_SEED_LABEL: &[u8] = b"oprf-seed";
/// Start of RFC 9497's `keyInfo` for keys derived from a keyset; the key id follows.
pub const OPRF_KEY_INFO: &[u8] = b"phonetoken-oprf-v1";

/// Bytes before the elements: version, mode, key id, count.
const HEADER_LEN: usize = 7;

/// The RFC 9497 protocol variant.
///
/// ```
/// use phonetoken::oprf::Mode;
///
/// assert_eq!(Mode::from_byte(1), Some(Mode::Voprf));
/// assert_eq!(Mode::Poprf.to_byte(), 2);
/// assert_eq!(Mode::from_byte(3), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Mode {
    /// Base mode: no proof.
    Oprf,
    /// Verifiable: the response carries a proof checked against the pinned public key.
    #[default]
    Voprf,
    /// Partially oblivious: verifiable, with a public `info` input.
    Poprf,
}

impl Mode {
    /// The mode's byte: RFC 9497's mode identifier (0, 1 or 2).
    ///
    /// ```
    /// assert_eq!(phonetoken::oprf::Mode::Oprf.to_byte(), 0);
    /// ```
    pub const fn to_byte(self) -> u8 {
        match self {
            Mode::Oprf => 0,
            Mode::Voprf => 1,
            Mode::Poprf => 2,
        }
    }

    /// The mode for a byte, if it is one.
    ///
    /// ```
    /// assert_eq!(phonetoken::oprf::Mode::from_byte(0), Some(phonetoken::oprf::Mode::Oprf));
    /// ```
    pub const fn from_byte(byte: u8) -> Option<Mode> {
        match byte {
            0 => Some(Mode::Oprf),
            1 => Some(Mode::Voprf),
            2 => Some(Mode::Poprf),
            _ => None,
        }
    }

    const fn has_proof(self) -> bool {
        !matches!(self, Mode::Oprf)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Oprf => "OPRF",
            Mode::Voprf => "VOPRF",
            Mode::Poprf => "POPRF",
        })
    }
}

/// Length of a request for `count` elements (and, in POPRF mode, `info_len` bytes of info).
///
/// ```
/// use phonetoken::oprf::{max_request_len, Mode};
///
/// assert_eq!(max_request_len(Mode::Voprf, 1, 0), 39);
/// assert_eq!(max_request_len(Mode::Poprf, 1, 5), 45);
/// ```
pub const fn max_request_len(mode: Mode, count: usize, info_len: usize) -> usize {
    let info = match mode {
        Mode::Poprf => 1 + info_len,
        _ => 0,
    };
    HEADER_LEN + info + count * ELEMENT_LEN
}

/// Length of a response with `count` elements.
///
/// ```
/// use phonetoken::oprf::{max_response_len, Mode};
///
/// assert_eq!(max_response_len(Mode::Oprf, 1), 39);
/// assert_eq!(max_response_len(Mode::Voprf, 1), 103);
/// ```
pub const fn max_response_len(mode: Mode, count: usize) -> usize {
    let proof = if mode.has_proof() { PROOF_LEN } else { 0 };
    HEADER_LEN + count * ELEMENT_LEN + proof
}

/// Why an OPRF message, key or pseudonym was refused. No variant carries secret material.
///
/// ```
/// use phonetoken::oprf::{OprfError, Request};
///
/// assert_eq!(Request::decode(&[9; 40]).err(), Some(OprfError::UnsupportedVersion { version: 9 }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum OprfError {
    /// The message or key starts with a version byte this crate does not know.
    UnsupportedVersion {
        /// The byte found.
        version: u8,
    },
    /// The mode byte is none of 0 (OPRF), 1 (VOPRF), 2 (POPRF).
    UnknownMode {
        /// The byte found.
        mode: u8,
    },
    /// The message is for another mode than the key or the blinded batch it was checked against.
    WrongMode {
        /// The mode expected.
        expected: Mode,
        /// The mode in the message.
        found: Mode,
    },
    /// The message names another key id than the key or batch it was checked against.
    WrongKeyId {
        /// The key id expected.
        expected: u32,
        /// The key id in the message.
        found: u32,
    },
    /// The message's length does not match what its header announces.
    Length {
        /// The length the header (or the shortest header) requires.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A batch has no element.
    EmptyBatch,
    /// A batch has more elements than allowed.
    BatchTooLarge {
        /// Elements asked for.
        len: usize,
        /// Most allowed ([`MAX_BATCH`], or the caller's compile-time bound).
        max: usize,
    },
    /// The response has another number of elements than the request.
    BatchMismatch {
        /// Elements in the request.
        expected: usize,
        /// Elements in the response.
        found: usize,
    },
    /// An element is the identity (all zero bytes), which RFC 9497 forbids.
    IdentityElement {
        /// Position in the batch (0 for a public key).
        index: usize,
    },
    /// An element is not the canonical encoding of a ristretto255 point (RFC 9496).
    NonCanonicalElement {
        /// Position in the batch (0 for a public key).
        index: usize,
    },
    /// A proof scalar is zero or not reduced modulo the group order.
    NonCanonicalProof,
    /// The proof does not verify against the pinned public key: a forged or corrupted
    /// response, or one made with another key or another `info`.
    Verification,
    /// POPRF `info` is longer than [`MAX_INFO_LEN`].
    InfoTooLong {
        /// Its length.
        len: usize,
    },
    /// An input is empty or hashes to the identity (RFC 9497 `InvalidInputError`).
    InvalidInput,
    /// The keyset has no key with this id.
    KeyNotFound {
        /// The id asked for.
        key_id: u32,
    },
    /// RFC 9497 aborted (`DeriveKeyPairError`, `InverseError`; probability about 2^-252).
    Aborted,
    /// The output buffer is too small.
    BufferTooSmall {
        /// Bytes (or pseudonyms) needed.
        needed: usize,
    },
    /// An oblivious pseudonym has 8 to 64 bytes.
    BadLength {
        /// The length asked for or found.
        len: usize,
    },
    /// The text is not in the expected encoding.
    BadEncoding,
    /// An exported [`Blinded`] state fails its check, or holds a blind, a blinded element or
    /// an info that [`Blinded::export_into`] does not write: it was altered or is not a state.
    BadState,
}

impl fmt::Display for OprfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OprfError::UnsupportedVersion { version } => {
                write!(f, "OPRF message version {version} is not supported (this build reads version {WIRE_VERSION})")
            }
            OprfError::UnknownMode { mode } => {
                write!(f, "unknown OPRF mode {mode} (0 OPRF, 1 VOPRF, 2 POPRF)")
            }
            OprfError::WrongMode { expected, found } => {
                write!(f, "the OPRF message is for mode {found}, expected {expected}")
            }
            OprfError::WrongKeyId { expected, found } => {
                write!(f, "the OPRF message is for key id {found}, expected {expected}")
            }
            OprfError::Length { expected, found } => {
                write!(f, "the OPRF message has {found} bytes, its header needs {expected}")
            }
            OprfError::EmptyBatch => f.write_str("an OPRF batch needs at least one element"),
            OprfError::BatchTooLarge { len, max } => {
                write!(f, "an OPRF batch of {len} elements is over the limit of {max}")
            }
            OprfError::BatchMismatch { expected, found } => {
                write!(f, "the OPRF response has {found} elements, the request had {expected}")
            }
            OprfError::IdentityElement { index } => {
                write!(f, "OPRF element {index} is the identity, which is not allowed")
            }
            OprfError::NonCanonicalElement { index } => {
                write!(f, "OPRF element {index} is not a canonical ristretto255 encoding")
            }
            OprfError::NonCanonicalProof => {
                f.write_str("the OPRF proof is not two canonical non-zero scalars")
            }
            OprfError::Verification => f.write_str(
                "the OPRF proof does not verify against the pinned public key (forged, corrupted, or another key or info)",
            ),
            OprfError::InfoTooLong { len } => {
                write!(f, "POPRF info has {len} bytes, at most {MAX_INFO_LEN} are allowed")
            }
            OprfError::InvalidInput => f.write_str("the OPRF input is empty or maps to the identity"),
            OprfError::KeyNotFound { key_id } => write!(f, "the keyset has no key with id {key_id}"),
            OprfError::Aborted => f.write_str("the OPRF computation hit a degenerate case and was aborted"),
            OprfError::BufferTooSmall { needed } => {
                write!(f, "the output buffer is too small: {needed} needed")
            }
            OprfError::BadLength { len } => {
                write!(f, "an oblivious pseudonym has 8 to 64 bytes, not {len}")
            }
            OprfError::BadEncoding => {
                f.write_str("the oblivious pseudonym text is not in the expected encoding")
            }
            OprfError::BadState => {
                f.write_str("the blind state is altered or is not one this crate exported")
            }
        }
    }
}

impl OprfError {
    /// A short, stable name for the error, as the command-line tool prints it.
    ///
    /// ```
    /// assert_eq!(phonetoken::oprf::OprfError::Verification.code(), "verification-failed");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            OprfError::UnsupportedVersion { .. } => "unsupported-version",
            OprfError::UnknownMode { .. } => "unknown-mode",
            OprfError::WrongMode { .. } => "wrong-mode",
            OprfError::WrongKeyId { .. } => "wrong-key-id",
            OprfError::Length { .. } => "wrong-length",
            OprfError::EmptyBatch => "empty-batch",
            OprfError::BatchTooLarge { .. } => "batch-too-large",
            OprfError::BatchMismatch { .. } => "batch-mismatch",
            OprfError::IdentityElement { .. } => "identity-element",
            OprfError::NonCanonicalElement { .. } => "non-canonical-element",
            OprfError::NonCanonicalProof => "non-canonical-proof",
            OprfError::Verification => "verification-failed",
            OprfError::InfoTooLong { .. } => "info-too-long",
            OprfError::InvalidInput => "invalid-input",
            OprfError::KeyNotFound { .. } => "unknown-key-id",
            OprfError::Aborted => "aborted",
            OprfError::BufferTooSmall { .. } => "buffer-too-small",
            OprfError::BadLength { .. } => "bad-length",
            OprfError::BadEncoding => "bad-encoding",
            OprfError::BadState => "bad-state",
        }
    }
}

impl core::error::Error for OprfError {}

impl From<BufferTooSmall> for OprfError {
    fn from(e: BufferTooSmall) -> OprfError {
        OprfError::BufferTooSmall { needed: e.needed }
    }
}

/// Maps `voprf-ng`'s errors onto ours; callers map the ones they can tell apart first.
fn lib_error(e: voprf_ng::Error) -> OprfError {
    match e {
        voprf_ng::Error::ProofVerification => OprfError::Verification,
        voprf_ng::Error::Input => OprfError::InvalidInput,
        voprf_ng::Error::Batch => OprfError::BatchTooLarge {
            len: usize::from(u16::MAX) + 1,
            max: MAX_BATCH,
        },
        voprf_ng::Error::Info => OprfError::InfoTooLong {
            len: MAX_INFO_LEN + 1,
        },
        _ => OprfError::Aborted,
    }
}

/// Decodes one element, telling the identity (32 zero bytes, its only encoding) from bytes
/// that are not a canonical point.
fn decode_point(bytes: &[u8], index: usize) -> Result<Point, OprfError> {
    if bytes.iter().all(|&b| b == 0) {
        return Err(OprfError::IdentityElement { index });
    }
    <Suite as Group>::deserialize_elem(bytes).map_err(|_| OprfError::NonCanonicalElement { index })
}

// ---------------------------------------------------------------------------------------------
// Pseudonyms

/// An oblivious pseudonym: RFC 9497's output for a number's E.164 bytes (SHA-512, 64 bytes),
/// possibly truncated (8 to 64 bytes), stored inline.
///
/// Not interchangeable with the HMAC [`Pseudonym`](crate::Pseudonym): a different function of
/// the number under a different key. Equality is constant time in the bytes, `Display` prints
/// base64url without padding, and the collision odds per length are those of the
/// [`pseudonym`](crate::pseudonym#choosing-a-length) module (16 bytes is safe for any
/// population of phone numbers).
///
/// ```
/// use phonetoken::Encoding;
/// use phonetoken::oprf::ObliviousPseudonym;
///
/// let p = ObliviousPseudonym::from_bytes(&[7u8; 64])?;
/// let short = p.truncate(16)?;
/// assert_eq!(short.as_bytes(), &[7u8; 16]);
/// assert_eq!(ObliviousPseudonym::decode(Encoding::Base64Url, &short.to_string())?, short);
/// # Ok::<(), phonetoken::oprf::OprfError>(())
/// ```
#[derive(Clone, Copy)]
pub struct ObliviousPseudonym {
    /// The bytes in use come first; the rest is zero.
    bytes: [u8; OBLIVIOUS_PSEUDONYM_LEN],
    /// Bytes in use, `MIN_OBLIVIOUS_PSEUDONYM_LEN..=OBLIVIOUS_PSEUDONYM_LEN`.
    len: u8,
}

impl Default for ObliviousPseudonym {
    /// A full-length pseudonym of zero bytes: a placeholder for output slices.
    fn default() -> ObliviousPseudonym {
        ObliviousPseudonym {
            bytes: [0; OBLIVIOUS_PSEUDONYM_LEN],
            len: OBLIVIOUS_PSEUDONYM_LEN as u8,
        }
    }
}

impl ObliviousPseudonym {
    /// The pseudonym's bytes (8 to 64 of them).
    ///
    /// ```
    /// let p = phonetoken::oprf::ObliviousPseudonym::from_bytes(&[5u8; 12])?;
    /// assert_eq!(p.as_bytes(), &[5u8; 12]);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// Wraps stored pseudonym bytes (for comparing with a fresh one).
    ///
    /// # Errors
    ///
    /// [`OprfError::BadLength`] unless `bytes` has 8 to 64 bytes.
    ///
    /// ```
    /// use phonetoken::oprf::{ObliviousPseudonym, OprfError};
    ///
    /// assert!(ObliviousPseudonym::from_bytes(&[0u8; 64]).is_ok());
    /// assert_eq!(ObliviousPseudonym::from_bytes(&[0u8; 65]).err(), Some(OprfError::BadLength { len: 65 }));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<ObliviousPseudonym, OprfError> {
        let len = bytes.len();
        if !(MIN_OBLIVIOUS_PSEUDONYM_LEN..=OBLIVIOUS_PSEUDONYM_LEN).contains(&len) {
            return Err(OprfError::BadLength { len });
        }
        let mut out = [0u8; OBLIVIOUS_PSEUDONYM_LEN];
        out.get_mut(..len)
            .ok_or(OprfError::BadLength { len })?
            .copy_from_slice(bytes);
        Ok(ObliviousPseudonym {
            bytes: out,
            len: len as u8,
        })
    }

    /// Parses the text form of a stored pseudonym.
    ///
    /// # Errors
    ///
    /// [`OprfError::BadEncoding`] if `text` is not in `encoding`; [`OprfError::BadLength`]
    /// unless it decodes to 8 to 64 bytes.
    ///
    /// ```
    /// use phonetoken::{Encoding, oprf::ObliviousPseudonym};
    ///
    /// let p = ObliviousPseudonym::decode(Encoding::Hex, "0001020304050607")?;
    /// assert_eq!(p.as_bytes(), &[0, 1, 2, 3, 4, 5, 6, 7]);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn decode(encoding: Encoding, text: &str) -> Result<ObliviousPseudonym, OprfError> {
        let mut buf = [0u8; OBLIVIOUS_PSEUDONYM_LEN + 3];
        let bytes = encoding.decode_into(text, &mut buf).map_err(|e| match e {
            crate::DecodeError::BufferTooSmall(b) => OprfError::BadLength { len: b.needed },
            _ => OprfError::BadEncoding,
        })?;
        ObliviousPseudonym::from_bytes(bytes)
    }

    /// The first `len` bytes of this pseudonym.
    ///
    /// # Errors
    ///
    /// [`OprfError::BadLength`] unless `8 <= len <=` the current length.
    ///
    /// ```
    /// use phonetoken::oprf::{ObliviousPseudonym, OprfError};
    ///
    /// let p = ObliviousPseudonym::from_bytes(&[1u8; 64])?;
    /// assert_eq!(p.truncate(16)?.as_bytes().len(), 16);
    /// assert_eq!(p.truncate(7).err(), Some(OprfError::BadLength { len: 7 }));
    /// # Ok::<(), OprfError>(())
    /// ```
    pub fn truncate(&self, len: usize) -> Result<ObliviousPseudonym, OprfError> {
        let prefix = self
            .as_bytes()
            .get(..len)
            .ok_or(OprfError::BadLength { len })?;
        ObliviousPseudonym::from_bytes(prefix)
    }

    /// Length of the text of this pseudonym in `encoding`.
    ///
    /// ```
    /// let p = phonetoken::oprf::ObliviousPseudonym::from_bytes(&[1u8; 64])?;
    /// assert_eq!(p.encoded_len(phonetoken::Encoding::Hex), 128);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn encoded_len(&self, encoding: Encoding) -> usize {
        encoding.encoded_len(self.as_bytes().len())
    }

    /// Writes the text of this pseudonym in `encoding` into `out`.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `out` is shorter than [`encoded_len`](Self::encoded_len); 128
    /// bytes always suffice.
    ///
    /// ```
    /// use phonetoken::{Encoding, oprf::ObliviousPseudonym};
    ///
    /// let p = ObliviousPseudonym::from_bytes(&[0xff; 8])?;
    /// let mut buf = [0u8; 128];
    /// assert_eq!(p.encode_into(Encoding::Hex, &mut buf)?, "ffffffffffffffff");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn encode_into<'a>(
        &self,
        encoding: Encoding,
        out: &'a mut [u8],
    ) -> Result<&'a str, BufferTooSmall> {
        encoding.encode_into(self.as_bytes(), out)
    }

    /// The text of this pseudonym in `encoding`, as a `String`.
    ///
    /// ```
    /// use phonetoken::{Encoding, oprf::ObliviousPseudonym};
    ///
    /// let p = ObliviousPseudonym::from_bytes(&[0u8; 8])?;
    /// assert_eq!(p.to_string_in(Encoding::Base64), "AAAAAAAAAAA=");
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    #[cfg(feature = "alloc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    pub fn to_string_in(&self, encoding: Encoding) -> alloc::string::String {
        encoding.encode_string(self.as_bytes())
    }

    fn from_output(output: &[u8]) -> Result<ObliviousPseudonym, OprfError> {
        ObliviousPseudonym::from_bytes(output)
    }
}

impl ConstantTimeEq for ObliviousPseudonym {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        // The lengths are public; the bytes are compared without early exit.
        self.len.ct_eq(&other.len) & self.bytes.ct_eq(&other.bytes)
    }
}

impl PartialEq for ObliviousPseudonym {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for ObliviousPseudonym {}

impl Hash for ObliviousPseudonym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Display for ObliviousPseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Encoding::Base64Url.fmt_with::<88>(self.as_bytes(), f)
    }
}

impl fmt::Debug for ObliviousPseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ObliviousPseudonym")
            .field(&format_args!("{self}"))
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// What can be blinded: a [`PhoneNumber`] (its E.164 bytes, the normal case) or raw bytes
/// (other inputs, and RFC 9497's test vectors).
///
/// ```
/// use phonetoken::oprf::OprfInput;
///
/// let n: phonetoken::PhoneNumber = "+14155552671".parse()?;
/// assert_eq!(n.oprf_input(), b"+14155552671");
/// assert_eq!((&b"\x00"[..]).oprf_input(), b"\x00");
/// # Ok::<(), phonetoken::ParseError>(())
/// ```
pub trait OprfInput {
    /// The bytes that are RFC 9497's `input`.
    fn oprf_input(&self) -> &[u8];
}

impl OprfInput for PhoneNumber {
    fn oprf_input(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl OprfInput for &[u8] {
    fn oprf_input(&self) -> &[u8] {
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Public keys

/// A server's public key with its mode and keyset key id: what a device pins.
///
/// Encoded in [`PUBLIC_KEY_LEN`] bytes (docs/FORMAT.md): `0x01`, the mode, the key id (big
/// endian), the RFC 9497 public key `pkS`. `Display` prints the encoding in hex.
///
/// ```
/// use phonetoken::oprf::{Mode, PublicKey, Server};
///
/// let server = Server::derive(Mode::Voprf, 3, &[0xa3; 32], b"test key")?;
/// let pk = server.public_key();
/// let pinned: [u8; 38] = pk.to_bytes(); // e.g. a `const` in firmware
/// assert_eq!(PublicKey::from_bytes(&pinned)?, pk);
/// assert_eq!((pk.mode(), pk.key_id()), (Mode::Voprf, 3));
/// assert_eq!(pk.to_string().len(), 76);
/// # Ok::<(), phonetoken::oprf::OprfError>(())
/// ```
#[derive(Clone, Copy)]
pub struct PublicKey {
    mode: Mode,
    key_id: u32,
    bytes: [u8; ELEMENT_LEN],
    point: Point,
}

impl PublicKey {
    /// Decodes a pinned public key.
    ///
    /// # Errors
    ///
    /// [`OprfError::Length`], [`OprfError::UnsupportedVersion`], [`OprfError::UnknownMode`],
    /// [`OprfError::IdentityElement`] or [`OprfError::NonCanonicalElement`] (index 0).
    ///
    /// ```
    /// use phonetoken::oprf::{OprfError, PublicKey};
    ///
    /// let mut bytes = [0u8; 38];
    /// bytes[0] = 1;
    /// assert_eq!(PublicKey::from_bytes(&bytes).err(), Some(OprfError::IdentityElement { index: 0 }));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, OprfError> {
        let found = bytes.len();
        let (&version, rest) = bytes.split_first().ok_or(OprfError::Length {
            expected: PUBLIC_KEY_LEN,
            found,
        })?;
        if version != WIRE_VERSION {
            return Err(OprfError::UnsupportedVersion { version });
        }
        let bytes: &[u8; PUBLIC_KEY_LEN - 1] = rest.try_into().map_err(|_| OprfError::Length {
            expected: PUBLIC_KEY_LEN,
            found,
        })?;
        let [mode, a, b, c, d, element @ ..] = *bytes;
        let mode = Mode::from_byte(mode).ok_or(OprfError::UnknownMode { mode })?;
        let point = decode_point(&element, 0)?;
        Ok(PublicKey {
            mode,
            key_id: u32::from_be_bytes([a, b, c, d]),
            bytes: element,
            point,
        })
    }

    /// The encoding: version, mode, key id, element.
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Poprf, 9, &[1; 32], b"")?.public_key();
    /// assert_eq!(pk.to_bytes()[..6], [1, 2, 0, 0, 0, 9]);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        let mut out = [0u8; PUBLIC_KEY_LEN];
        let [a, b, c, d] = self.key_id.to_be_bytes();
        let (head, element) = out.split_at_mut(6);
        head.copy_from_slice(&[WIRE_VERSION, self.mode.to_byte(), a, b, c, d]);
        element.copy_from_slice(&self.bytes);
        out
    }

    /// RFC 9497's `pkS`: the serialized element alone (as in the RFC's test vectors).
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?.public_key();
    /// assert_eq!(pk.element(), &pk.to_bytes()[6..]);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn element(&self) -> &[u8; ELEMENT_LEN] {
        &self.bytes
    }

    /// The mode the key was derived for.
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Oprf, 1, &[1; 32], b"")?.public_key();
    /// assert_eq!(pk.mode(), phonetoken::oprf::Mode::Oprf);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The keyset key id.
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Oprf, 4, &[1; 32], b"")?.public_key();
    /// assert_eq!(pk.key_id(), 4);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Writes the encoding in `encoding` into `out` (76 bytes of hex, 51 of base64url).
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `out` is too short.
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?.public_key();
    /// let mut buf = [0u8; 76];
    /// assert!(pk.encode_into(phonetoken::Encoding::Hex, &mut buf)?.starts_with("0101"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn encode_into<'a>(
        &self,
        encoding: Encoding,
        out: &'a mut [u8],
    ) -> Result<&'a str, BufferTooSmall> {
        encoding.encode_into(&self.to_bytes(), out)
    }

    /// Parses the text form made by [`encode_into`](Self::encode_into).
    ///
    /// # Errors
    ///
    /// [`OprfError::BadEncoding`] if `text` is not in `encoding`, else as
    /// [`from_bytes`](Self::from_bytes).
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?.public_key();
    /// let text = pk.to_string();
    /// assert_eq!(phonetoken::oprf::PublicKey::decode(phonetoken::Encoding::Hex, &text)?, pk);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn decode(encoding: Encoding, text: &str) -> Result<PublicKey, OprfError> {
        let mut buf = [0u8; PUBLIC_KEY_LEN + 3];
        let bytes = encoding.decode_into(text, &mut buf).map_err(|e| match e {
            crate::DecodeError::BufferTooSmall(b) => OprfError::Length {
                expected: PUBLIC_KEY_LEN,
                found: b.needed,
            },
            _ => OprfError::BadEncoding,
        })?;
        PublicKey::from_bytes(bytes)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes() == other.to_bytes()
    }
}

impl Eq for PublicKey {}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Encoding::Hex.fmt_with::<{ 2 * PUBLIC_KEY_LEN }>(&self.to_bytes(), f)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey")
            .field(&format_args!("{self}"))
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Wire messages

/// The parts every message starts with.
struct Header {
    mode: Mode,
    key_id: u32,
    count: usize,
}

/// Reads version, mode, key id and count, and checks the count against `MAX_BATCH`.
fn read_header(bytes: &[u8]) -> Result<(Header, &[u8]), OprfError> {
    let found = bytes.len();
    let (head, rest) = bytes
        .split_first_chunk::<HEADER_LEN>()
        .ok_or(OprfError::Length {
            expected: HEADER_LEN,
            found,
        })?;
    let [version, mode, a, b, c, d, count] = *head;
    if version != WIRE_VERSION {
        return Err(OprfError::UnsupportedVersion { version });
    }
    let mode = Mode::from_byte(mode).ok_or(OprfError::UnknownMode { mode })?;
    let count = usize::from(count);
    if count == 0 {
        return Err(OprfError::EmptyBatch);
    }
    if count > MAX_BATCH {
        return Err(OprfError::BatchTooLarge {
            len: count,
            max: MAX_BATCH,
        });
    }
    let header = Header {
        mode,
        key_id: u32::from_be_bytes([a, b, c, d]),
        count,
    };
    Ok((header, rest))
}

/// Writes a header and returns the rest of `out` (which the caller has checked is long enough).
fn write_header(
    out: &mut [u8],
    mode: Mode,
    key_id: u32,
    count: usize,
) -> Result<&mut [u8], OprfError> {
    let count = u8::try_from(count).map_err(|_| OprfError::BatchTooLarge {
        len: count,
        max: MAX_BATCH,
    })?;
    let [a, b, c, d] = key_id.to_be_bytes();
    let (head, rest) = out
        .split_first_chunk_mut::<HEADER_LEN>()
        .ok_or(OprfError::BufferTooSmall { needed: HEADER_LEN })?;
    *head = [WIRE_VERSION, mode.to_byte(), a, b, c, d, count];
    Ok(rest)
}

/// Checks that every 32-byte element in `elements` is a canonical, non-identity point.
fn check_elements(elements: &[u8]) -> Result<(), OprfError> {
    for (index, e) in elements.chunks_exact(ELEMENT_LEN).enumerate() {
        decode_point(e, index)?;
    }
    Ok(())
}

/// A decoded OPRF request: mode, key id, POPRF info and 1 to [`MAX_BATCH`] blinded elements,
/// each checked to be a canonical, non-identity point.
///
/// A server decodes first, picks the [`Server`] for [`key_id`](Self::key_id) (and checks
/// [`info`](Self::info) against its policy), then calls [`Server::evaluate`].
///
/// ```
/// use phonetoken::oprf::{OprfError, Request};
///
/// // Version 1, mode 7: unknown.
/// assert_eq!(Request::decode(&[1, 7, 0, 0, 0, 1, 1]).err(), Some(OprfError::UnknownMode { mode: 7 }));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    mode: Mode,
    key_id: u32,
    info: &'a [u8],
    elements: &'a [u8],
}

impl<'a> Request<'a> {
    /// Decodes and checks a request (docs/FORMAT.md).
    ///
    /// # Errors
    ///
    /// In the order checked: [`OprfError::Length`] (shorter than the header),
    /// [`OprfError::UnsupportedVersion`], [`OprfError::UnknownMode`], [`OprfError::EmptyBatch`],
    /// [`OprfError::BatchTooLarge`], [`OprfError::Length`] (not what the header announces),
    /// [`OprfError::IdentityElement`], [`OprfError::NonCanonicalElement`].
    ///
    /// ```
    /// use phonetoken::oprf::{OprfError, Request};
    ///
    /// let mut request = [0u8; 39];
    /// request[..7].copy_from_slice(&[1, 1, 0, 0, 0, 7, 1]);
    /// assert_eq!(Request::decode(&request).err(), Some(OprfError::IdentityElement { index: 0 }));
    /// ```
    pub fn decode(bytes: &'a [u8]) -> Result<Request<'a>, OprfError> {
        let found = bytes.len();
        let (header, rest) = read_header(bytes)?;
        let (info, elements) = match header.mode {
            Mode::Poprf => {
                let (&len, rest) = rest.split_first().ok_or(OprfError::Length {
                    expected: HEADER_LEN + 1,
                    found,
                })?;
                let len = usize::from(len);
                let info = rest.get(..len).ok_or(OprfError::Length {
                    expected: max_request_len(header.mode, header.count, len),
                    found,
                })?;
                (info, rest.get(len..).unwrap_or_default())
            }
            _ => (&[][..], rest),
        };
        let expected = max_request_len(header.mode, header.count, info.len());
        if found != expected {
            return Err(OprfError::Length { expected, found });
        }
        check_elements(elements)?;
        Ok(Request {
            mode: header.mode,
            key_id: header.key_id,
            info,
            elements,
        })
    }

    /// The mode asked for.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Oprf, 2, &[1; 32], b"")?;
    /// # let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// # let mut buf = [0u8; 39];
    /// # let mut rng = rand::rng();
    /// let client = phonetoken::oprf::Client::new(&server.public_key());
    /// let (_, request) = client.blind_one(&n, &mut rng, &mut buf)?;
    /// let request = phonetoken::oprf::Request::decode(request)?;
    /// assert_eq!((request.mode(), request.key_id(), request.len()), (phonetoken::oprf::Mode::Oprf, 2, 1));
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The keyset key id the request is for (see [`mode`](Self::mode) for an example).
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The POPRF `info` (empty in the other modes).
    ///
    /// ```
    /// let mut request = [0u8; 43];
    /// request[..11].copy_from_slice(&[1, 2, 0, 0, 0, 7, 1, 3, b'a', b'b', b'c']);
    /// // The element: ristretto255's base point.
    /// request[11..].copy_from_slice(&phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Oprf, 1, &[1; 32], b"")?.public_key().element()[..]);
    /// assert_eq!(phonetoken::oprf::Request::decode(&request)?.info(), b"abc");
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn info(&self) -> &'a [u8] {
        self.info
    }

    /// Number of blinded elements (1 to [`MAX_BATCH`]; see [`mode`](Self::mode)).
    #[allow(clippy::len_without_is_empty)] // a decoded request is never empty
    pub fn len(&self) -> usize {
        self.elements.len() / ELEMENT_LEN
    }
}

/// A decoded OPRF response: mode, key id, evaluated elements (canonical, non-identity) and,
/// in VOPRF and POPRF mode, the proof. The client checks it against its blinded batch in
/// [`Blinded::finalize`]; decoding alone proves nothing about who made it.
///
/// ```
/// use phonetoken::oprf::{OprfError, Response};
///
/// assert_eq!(Response::decode(&[1, 1, 0, 0, 0, 7, 0]).err(), Some(OprfError::EmptyBatch));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Response<'a> {
    mode: Mode,
    key_id: u32,
    elements: &'a [u8],
    proof: Option<&'a [u8; PROOF_LEN]>,
}

impl<'a> Response<'a> {
    /// Decodes and checks a response (docs/FORMAT.md).
    ///
    /// # Errors
    ///
    /// As [`Request::decode`], then [`OprfError::NonCanonicalProof`].
    ///
    /// ```
    /// use phonetoken::oprf::{OprfError, Response};
    ///
    /// assert_eq!(Response::decode(&[1, 1, 0, 0, 0, 7, 1]).err(), Some(OprfError::Length { expected: 103, found: 7 }));
    /// ```
    pub fn decode(bytes: &'a [u8]) -> Result<Response<'a>, OprfError> {
        let found = bytes.len();
        let (header, rest) = read_header(bytes)?;
        let expected = max_response_len(header.mode, header.count);
        if found != expected {
            return Err(OprfError::Length { expected, found });
        }
        let (elements, proof) = rest.split_at(header.count * ELEMENT_LEN);
        check_elements(elements)?;
        let proof = match header.mode {
            Mode::Oprf => None,
            _ => {
                let proof: &[u8; PROOF_LEN] =
                    proof.try_into().map_err(|_| OprfError::NonCanonicalProof)?;
                Proof::<Suite>::deserialize(proof).map_err(|_| OprfError::NonCanonicalProof)?;
                Some(proof)
            }
        };
        Ok(Response {
            mode: header.mode,
            key_id: header.key_id,
            elements,
            proof,
        })
    }

    /// The mode of the response.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 2, &[1; 32], b"")?;
    /// # let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// # let (mut q, mut r) = ([0u8; 39], [0u8; 103]);
    /// # let mut rng = rand::rng();
    /// # let (_, request) = phonetoken::oprf::Client::new(&server.public_key()).blind_one(&n, &mut rng, &mut q)?;
    /// let response = server.evaluate(&phonetoken::oprf::Request::decode(request)?, &mut rng, &mut r)?;
    /// let response = phonetoken::oprf::Response::decode(response)?;
    /// assert_eq!((response.mode(), response.key_id(), response.len()), (phonetoken::oprf::Mode::Voprf, 2, 1));
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The key id the server says it used (see [`mode`](Self::mode) for an example).
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Number of evaluated elements (see [`mode`](Self::mode) for an example).
    #[allow(clippy::len_without_is_empty)] // a decoded response is never empty
    pub fn len(&self) -> usize {
        self.elements.len() / ELEMENT_LEN
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed-capacity batches for voprf-ng's iterator-based batch API, without an allocator

/// The first `len` slots of a fixed array, all filled; `&Filled` iterates over `&T`.
struct Filled<'s, T>(&'s [Option<T>]);

/// Iterates over the values of filled slots.
struct FilledIter<'s, T>(core::slice::Iter<'s, Option<T>>);

impl<'s, T> Iterator for FilledIter<'s, T> {
    type Item = &'s T;

    fn next(&mut self) -> Option<&'s T> {
        // Only filled prefixes are wrapped, so this never stops early.
        self.0.next()?.as_ref()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<T> ExactSizeIterator for FilledIter<'_, T> {}

impl<'s, T> IntoIterator for &Filled<'s, T> {
    type Item = &'s T;
    type IntoIter = FilledIter<'s, T>;

    fn into_iter(self) -> FilledIter<'s, T> {
        FilledIter(self.0.iter())
    }
}

/// A slice that `voprf-ng` can take by reference (its batch API wants `&II: IntoIterator`).
struct Seq<'s, T>(&'s [T]);

impl<'s, T> IntoIterator for &Seq<'s, T> {
    type Item = &'s T;
    type IntoIter = core::slice::Iter<'s, T>;

    fn into_iter(self) -> core::slice::Iter<'s, T> {
        self.0.iter()
    }
}

/// `Option<T>` slots, `None` by default (the element types have no `Default` or `Copy`).
fn empty_slots<T, const N: usize>() -> [Option<T>; N] {
    core::array::from_fn(|_| None)
}

/// Passes a caller's `CryptoRng` (possibly unsized) where `voprf-ng` wants a sized `TryRng`.
fn as_try_rng<R: CryptoRng + ?Sized>(rng: &mut R) -> &mut R {
    rng
}

// ---------------------------------------------------------------------------------------------
// Client

/// The device's side: blinds inputs into a request for one server key, and turns the response
/// into [`ObliviousPseudonym`]s. Holds the pinned [`PublicKey`] and, in POPRF mode, the `info`.
///
/// Allocates nothing. A batch of `N` inputs keeps `N` blinds and blinded elements on the stack
/// (64 bytes each, encoded, plus the borrowed input) until it is finalized.
///
/// ```
/// use phonetoken::oprf::{Client, Mode, Server};
///
/// let server = Server::derive(Mode::Poprf, 1, &[7; 32], b"")?;
/// let client = Client::new(&server.public_key()).with_info(b"2025-q3")?;
/// assert_eq!(client.info(), b"2025-q3");
/// # Ok::<(), phonetoken::oprf::OprfError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Client<'i> {
    public_key: PublicKey,
    info: &'i [u8],
}

/// Bytes of one input's client state: `voprf-ng`'s serialization, the blind and (VOPRF,
/// POPRF) the blinded element.
const CLIENT_STATE_LEN: usize = 2 * ELEMENT_LEN;

/// A blinded batch, waiting for the server's response: the blinds (wiped on drop), the
/// blinded elements and the inputs, borrowed. Finalize it with [`finalize`](Self::finalize).
pub struct Blinded<'a, const N: usize> {
    client: Client<'a>,
    inputs: [&'a [u8]; N],
    count: usize,
    // Encodings rather than `voprf-ng`'s client types (a point is 160 bytes on 32-bit
    // targets): the batch state stays small on a device's stack.
    states: [[u8; CLIENT_STATE_LEN]; N],
}

impl<const N: usize> Drop for Blinded<'_, N> {
    fn drop(&mut self) {
        self.states.zeroize();
    }
}

impl<const N: usize> fmt::Debug for Blinded<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the blinds nor the inputs (phone numbers) are shown.
        f.debug_struct("Blinded")
            .field("mode", &self.client.public_key.mode)
            .field("key_id", &self.client.public_key.key_id)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl<'i> Client<'i> {
    /// A client for the server key `public_key`, in that key's mode (POPRF with empty `info`
    /// until [`with_info`](Self::with_info)).
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?.public_key();
    /// let client = phonetoken::oprf::Client::new(&pk);
    /// assert_eq!(client.public_key(), &pk);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn new(public_key: &PublicKey) -> Client<'static> {
        Client {
            public_key: *public_key,
            info: &[],
        }
    }

    /// The same client with POPRF `info` (ignored in the other modes).
    ///
    /// # Errors
    ///
    /// [`OprfError::InfoTooLong`] past [`MAX_INFO_LEN`] bytes.
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Poprf, 1, &[1; 32], b"")?.public_key();
    /// let long = [0u8; 256];
    /// assert!(phonetoken::oprf::Client::new(&pk).with_info(&long).is_err());
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn with_info<'j>(&self, info: &'j [u8]) -> Result<Client<'j>, OprfError> {
        if info.len() > MAX_INFO_LEN {
            return Err(OprfError::InfoTooLong { len: info.len() });
        }
        Ok(Client {
            public_key: self.public_key,
            info,
        })
    }

    /// The pinned key (see [`new`](Self::new)).
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The POPRF `info` (see [`Client`]).
    pub fn info(&self) -> &'i [u8] {
        self.info
    }

    /// The `info` that goes on the wire and into the protocol: empty outside POPRF.
    fn mode_info(&self) -> &'i [u8] {
        match self.public_key.mode {
            Mode::Poprf => self.info,
            _ => &[],
        }
    }

    /// Blinds one input; see [`blind`](Self::blind).
    ///
    /// # Errors
    ///
    /// As [`blind`](Self::blind).
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?;
    /// # let mut rng = rand::rng();
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// let mut buf = [0u8; 39];
    /// let (blinded, request) = phonetoken::oprf::Client::new(&server.public_key()).blind_one(&n, &mut rng, &mut buf)?;
    /// # let mut r = [0u8; 103];
    /// let response = server.evaluate(&phonetoken::oprf::Request::decode(request)?, &mut rng, &mut r)?;
    /// assert_eq!(blinded.finalize_one(response)?, server.evaluate_number(&n)?);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn blind_one<'a, 'o, I: OprfInput, R: CryptoRng + ?Sized>(
        &self,
        input: &'a I,
        rng: &mut R,
        request: &'o mut [u8],
    ) -> Result<(Blinded<'a, 1>, &'o [u8]), OprfError>
    where
        'i: 'a,
    {
        self.blind(core::slice::from_ref(input), rng, request)
    }

    /// Blinds up to `N` inputs (fresh blinds from `rng`) and writes the request into `request`
    /// ([`max_request_len`]`(mode, inputs.len(), info.len())` bytes). Returns the batch state
    /// and the request bytes.
    ///
    /// # Errors
    ///
    /// [`OprfError::EmptyBatch`]; [`OprfError::BatchTooLarge`] past `N` or [`MAX_BATCH`];
    /// [`OprfError::BufferTooSmall`]; [`OprfError::InvalidInput`] for an empty input.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?;
    /// # let mut rng = rand::rng();
    /// let numbers: [phonetoken::PhoneNumber; 3] = ["+14155552671".parse().unwrap(), "+33123456789".parse().unwrap(), "+61491570156".parse().unwrap()];
    /// let client = phonetoken::oprf::Client::new(&server.public_key());
    /// let mut buf = [0u8; 512];
    /// // Room for 4, 3 used.
    /// let (blinded, request) = client.blind::<_, _, 4>(&numbers, &mut rng, &mut buf)?;
    /// assert_eq!(request.len(), 7 + 3 * 32);
    /// assert!(client.blind::<_, _, 2>(&numbers, &mut rng, &mut buf).is_err());
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn blind<'a, 'o, I: OprfInput, R: CryptoRng + ?Sized, const N: usize>(
        &self,
        inputs: &'a [I],
        rng: &mut R,
        request: &'o mut [u8],
    ) -> Result<(Blinded<'a, N>, &'o [u8]), OprfError>
    where
        'i: 'a,
    {
        let count = inputs.len();
        if count == 0 {
            return Err(OprfError::EmptyBatch);
        }
        let max = N.min(MAX_BATCH);
        if count > max {
            return Err(OprfError::BatchTooLarge { len: count, max });
        }
        let mode = self.public_key.mode;
        let info = self.mode_info();
        let needed = max_request_len(mode, count, info.len());
        let request = request
            .get_mut(..needed)
            .ok_or(OprfError::BufferTooSmall { needed })?;
        let mut rest = write_header(request, mode, self.public_key.key_id, count)?;
        if mode == Mode::Poprf {
            let (len, tail) = rest
                .split_first_mut()
                .ok_or(OprfError::BufferTooSmall { needed })?;
            // `with_info` bounds the length to one byte.
            *len =
                u8::try_from(info.len()).map_err(|_| OprfError::InfoTooLong { len: info.len() })?;
            let (dst, tail) = tail.split_at_mut(info.len().min(tail.len()));
            dst.copy_from_slice(info.get(..dst.len()).unwrap_or_default());
            rest = tail;
        }

        let mut state = Blinded {
            client: Client {
                public_key: self.public_key,
                info: self.info,
            },
            inputs: [&[]; N],
            count,
            states: [[0; CLIENT_STATE_LEN]; N],
        };
        let mut rng = as_try_rng(rng);
        let rng = &mut rng;
        for ((input, (slot, client)), dst) in inputs
            .iter()
            .zip(state.inputs.iter_mut().zip(state.states.iter_mut()))
            .zip(rest.chunks_exact_mut(ELEMENT_LEN))
        {
            let bytes = input.oprf_input();
            *slot = bytes;
            let message = match mode {
                Mode::Oprf => {
                    let r = OprfClient::<Suite>::blind(bytes, rng).map_err(lib_error)?;
                    store(client, r.state.serialize());
                    r.message
                }
                Mode::Voprf => {
                    let r = VoprfClient::<Suite>::blind(bytes, rng).map_err(lib_error)?;
                    store(client, r.state.serialize());
                    r.message
                }
                Mode::Poprf => {
                    let r = PoprfClient::<Suite>::blind(bytes, rng).map_err(lib_error)?;
                    store(client, r.state.serialize());
                    r.message
                }
            };
            dst.copy_from_slice(&message.serialize());
        }
        Ok((state, request))
    }
}

/// Copies a serialized client state into its slot and wipes the temporary.
fn store<A: AsMut<[u8]>>(slot: &mut [u8; CLIENT_STATE_LEN], mut bytes: A) {
    let bytes = bytes.as_mut();
    put_bytes(slot, bytes);
    bytes.zeroize();
}

impl<'a, const N: usize> Blinded<'a, N> {
    /// Number of inputs in the batch.
    ///
    /// ```
    /// # let pk = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?.public_key();
    /// # let mut rng = rand::rng();
    /// # let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// let (blinded, _) = phonetoken::oprf::Client::new(&pk).blind_one(&n, &mut rng, &mut [0u8; 39])?;
    /// assert_eq!(blinded.len(), 1);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // a batch is never empty
    pub fn len(&self) -> usize {
        self.count
    }

    /// Checks the response against this batch and the pinned key and writes one pseudonym per
    /// input, in input order, into `out` (at least [`len`](Self::len) long). Consumes the batch:
    /// a blind is used once.
    ///
    /// # Errors
    ///
    /// Any [`Response::decode`] error; [`OprfError::WrongMode`], [`OprfError::WrongKeyId`],
    /// [`OprfError::BatchMismatch`] when the response is for another request;
    /// [`OprfError::Verification`] when the proof fails (VOPRF, POPRF);
    /// [`OprfError::BufferTooSmall`] if `out` is too short. Nothing is written on error.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?;
    /// # let other = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[2; 32], b"")?;
    /// # let mut rng = rand::rng();
    /// # let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// # let (mut q, mut r) = ([0u8; 39], [0u8; 103]);
    /// let (blinded, request) = phonetoken::oprf::Client::new(&server.public_key()).blind_one(&n, &mut rng, &mut q)?;
    /// // Evaluated with a key other than the pinned one: refused.
    /// let response = other.evaluate(&phonetoken::oprf::Request::decode(request)?, &mut rng, &mut r)?;
    /// let mut out = [phonetoken::oprf::ObliviousPseudonym::default()];
    /// assert_eq!(blinded.finalize(response, &mut out), Err(phonetoken::oprf::OprfError::Verification));
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn finalize(
        self,
        response: &[u8],
        out: &mut [ObliviousPseudonym],
    ) -> Result<(), OprfError> {
        let response = Response::decode(response)?;
        let pk = &self.client.public_key;
        if response.mode != pk.mode {
            return Err(OprfError::WrongMode {
                expected: pk.mode,
                found: response.mode,
            });
        }
        if response.key_id != pk.key_id {
            return Err(OprfError::WrongKeyId {
                expected: pk.key_id,
                found: response.key_id,
            });
        }
        if response.len() != self.count {
            return Err(OprfError::BatchMismatch {
                expected: self.count,
                found: response.len(),
            });
        }
        let out = out
            .get_mut(..self.count)
            .ok_or(OprfError::BufferTooSmall { needed: self.count })?;

        let states = self.states.get(..self.count).unwrap_or_default();
        let inputs = self.inputs.get(..self.count).unwrap_or_default();
        let evaluated = response.elements.chunks_exact(ELEMENT_LEN);

        // Outputs go to a scratch array first so that nothing is written unless all verify.
        let mut results = [ObliviousPseudonym::default(); N];
        let results_used = results.get_mut(..self.count).unwrap_or_default();
        if pk.mode == Mode::Oprf {
            for (index, (((state, bytes), input), dst)) in states
                .iter()
                .zip(evaluated)
                .zip(inputs)
                .zip(results_used.iter_mut())
                .enumerate()
            {
                let message = EvaluationElement::<Suite>::deserialize(bytes)
                    .map_err(|_| OprfError::NonCanonicalElement { index })?;
                let client = OprfClient::<Suite>::deserialize(&state[..ELEMENT_LEN])
                    .map_err(|_| OprfError::Aborted)?;
                let output = client.finalize(input, &message).map_err(lib_error)?;
                *dst = ObliviousPseudonym::from_output(&output)?;
            }
        } else {
            // `Response::decode` gives a proof exactly in the modes that have one.
            let proof = response.proof.ok_or(OprfError::NonCanonicalProof)?;
            Proof::<Suite>::deserialize(proof).map_err(|_| OprfError::NonCanonicalProof)?;
            let blinded = states.iter().map(|s| &s[ELEMENT_LEN..]);
            let info = (pk.mode == Mode::Poprf).then_some(self.client.info);
            // RFC 9497: VOPRF proves pkS = k·G and evaluated = k·blinded; POPRF proves
            // tweakedKey = t·G and blinded = t·evaluated.
            let verified = match info {
                None => verify::verify_proof(
                    pk.mode,
                    &pk.point,
                    &pk.bytes,
                    blinded.zip(evaluated.clone()),
                    proof,
                ),
                Some(info) => {
                    let key = verify::tweaked_key(&pk.point, info).ok_or(OprfError::Aborted)?;
                    let key_bytes = Suite::serialize_elem(key);
                    let mut key_encoding = [0u8; ELEMENT_LEN];
                    key_encoding.copy_from_slice(&key_bytes);
                    verify::verify_proof(
                        pk.mode,
                        &key,
                        &key_encoding,
                        evaluated.clone().zip(blinded),
                        proof,
                    )
                }
            };
            if !verified {
                return Err(OprfError::Verification);
            }
            for (index, (((state, bytes), input), dst)) in states
                .iter()
                .zip(evaluated)
                .zip(inputs)
                .zip(results_used.iter_mut())
                .enumerate()
            {
                let element = decode_point(bytes, index)?;
                let output = verify::unblind(&state[..ELEMENT_LEN], &element, input, info)
                    .ok_or(OprfError::InvalidInput)?;
                *dst = ObliviousPseudonym::from_output(&output)?;
            }
        }
        out.copy_from_slice(results_used);
        Ok(())
    }

    /// Finalizes a batch of one; see [`finalize`](Self::finalize) and
    /// [`Client::blind_one`] for an example.
    ///
    /// # Errors
    ///
    /// As [`finalize`](Self::finalize).
    pub fn finalize_one(self, response: &[u8]) -> Result<ObliviousPseudonym, OprfError> {
        let mut out = [ObliviousPseudonym::default()];
        self.finalize(response, &mut out)?;
        Ok(out[0])
    }

    /// Writes the batch's secret state (the blinds, the blinded elements, the inputs and the
    /// POPRF `info`) into `out` and returns it, so that [`import`](Self::import) can finalize
    /// the batch in another process: a command-line client that blinds in one run and
    /// finalizes in the next. Allocates nothing; the temporary copies are wiped.
    ///
    /// The bytes are as secret as the numbers: blinds and the request give the inputs away
    /// by enumeration. Keep them where the numbers may be, and wipe `out` when done. Format
    /// (version 1):
    ///
    /// ```text
    /// 0x01 | mode | key id (4, big endian) | count (1) | info length (1) | info
    ///   | count × ( blind (32) | blinded element (32, VOPRF and POPRF only)
    ///               | input length (2, big endian) | input )
    ///   | check (16): SHA-256("phonetoken-oprf-state-v1" || everything before)[..16]
    /// ```
    ///
    /// The check catches a state that was corrupted or cut in storage (a changed blind would
    /// otherwise unblind to a wrong pseudonym without any error); it is no MAC, and protects
    /// nothing from someone who can write the state.
    ///
    /// # Errors
    ///
    /// [`OprfError::BufferTooSmall`] if `out` is shorter than [`state_len`] of the batch
    /// (nothing is written); [`OprfError::InvalidInput`] for an input longer than 65,535
    /// bytes (RFC 9497's limit, which blinding already enforces).
    ///
    /// ```
    /// use phonetoken::oprf::{state_len, Blinded, Client, Mode, Request, Server};
    ///
    /// # let mut rng = rand::rng();
    /// let server = Server::derive(Mode::Voprf, 1, &[1; 32], b"")?;
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// let mut q = [0u8; 39];
    /// let (blinded, request) = Client::new(&server.public_key()).blind_one(&n, &mut rng, &mut q)?;
    /// let mut state = [0u8; state_len(Mode::Voprf, 1, 0, 12)];
    /// let state = blinded.export_into(&mut state)?;
    /// drop(blinded);
    ///
    /// // Later, perhaps in another process: the state and the pinned key finalize the batch.
    /// let mut r = [0u8; 103];
    /// let response = server.evaluate(&Request::decode(request)?, &mut rng, &mut r)?;
    /// let blinded = Blinded::<1>::import(&server.public_key(), state)?;
    /// assert_eq!(blinded.finalize_one(response)?, server.evaluate_number(&n)?);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn export_into<'o>(&self, out: &'o mut [u8]) -> Result<&'o [u8], OprfError> {
        let pk = &self.client.public_key;
        let info = self.client.mode_info();
        let inputs = self.inputs.get(..self.count).unwrap_or_default();
        let mut input_bytes = 0;
        for input in inputs {
            if input.len() > usize::from(u16::MAX) {
                return Err(OprfError::InvalidInput);
            }
            input_bytes += input.len();
        }
        let needed = state_len(pk.mode, self.count, info.len(), input_bytes);
        let out = out
            .get_mut(..needed)
            .ok_or(OprfError::BufferTooSmall { needed })?;
        let (head, mut rest) = out.split_at_mut(STATE_HEADER_LEN);
        let [a, b, c, d] = pk.key_id.to_be_bytes();
        // `blind` bounds the count by MAX_BATCH and `with_info` the info by one byte.
        head.copy_from_slice(&[
            STATE_VERSION,
            pk.mode.to_byte(),
            a,
            b,
            c,
            d,
            self.count as u8,
            info.len() as u8,
        ]);
        rest = put_bytes(rest, info);
        let client_len = if pk.mode.has_proof() {
            CLIENT_STATE_LEN
        } else {
            ELEMENT_LEN
        };
        for (k, input) in inputs.iter().enumerate() {
            let client = self.states.get(k).map(|c| &c[..client_len]);
            rest = put_bytes(rest, client.unwrap_or_default());
            rest = put_bytes(rest, &(input.len() as u16).to_be_bytes());
            rest = put_bytes(rest, input);
        }
        let (body, check) = out.split_at_mut(needed - STATE_CHECK_LEN);
        check.copy_from_slice(&state_check(body));
        Ok(out)
    }

    /// Reads a state written by [`export_into`](Self::export_into) back into a batch for the
    /// server key `public_key` (the pinned one: the response is verified against it). The
    /// inputs and `info` are borrowed from `state`.
    ///
    /// # Errors
    ///
    /// [`OprfError::UnsupportedVersion`] and [`OprfError::UnknownMode`] for a state this build
    /// does not read; [`OprfError::WrongMode`] or [`OprfError::WrongKeyId`] if the state was
    /// made for another key; [`OprfError::EmptyBatch`]; [`OprfError::BatchTooLarge`] past `N`
    /// or [`MAX_BATCH`]; [`OprfError::Length`] if the bytes end early or go on past the state;
    /// [`OprfError::BadState`] if the check fails (a changed byte) or a blind, a blinded
    /// element or the info is not what `export_into` writes.
    ///
    /// ```
    /// use phonetoken::oprf::{Blinded, Mode, OprfError, Server};
    ///
    /// let pk = Server::derive(Mode::Voprf, 1, &[1; 32], b"")?.public_key();
    /// assert_eq!(Blinded::<1>::import(&pk, &[1, 0, 0, 0, 0, 1, 1, 0]).err(), Some(OprfError::WrongMode { expected: Mode::Voprf, found: Mode::Oprf }));
    /// # Ok::<(), OprfError>(())
    /// ```
    pub fn import(public_key: &PublicKey, state: &'a [u8]) -> Result<Blinded<'a, N>, OprfError> {
        let found = state.len();
        let short = |expected: usize| OprfError::Length { expected, found };
        let (head, mut rest) = state
            .split_first_chunk::<STATE_HEADER_LEN>()
            .ok_or(short(STATE_HEADER_LEN))?;
        let [version, mode, a, b, c, d, count, info_len] = *head;
        if version != STATE_VERSION {
            return Err(OprfError::UnsupportedVersion { version });
        }
        let mode = Mode::from_byte(mode).ok_or(OprfError::UnknownMode { mode })?;
        if mode != public_key.mode {
            return Err(OprfError::WrongMode {
                expected: public_key.mode,
                found: mode,
            });
        }
        let key_id = u32::from_be_bytes([a, b, c, d]);
        if key_id != public_key.key_id {
            return Err(OprfError::WrongKeyId {
                expected: public_key.key_id,
                found: key_id,
            });
        }
        let count = usize::from(count);
        if count == 0 {
            return Err(OprfError::EmptyBatch);
        }
        let max = N.min(MAX_BATCH);
        if count > max {
            return Err(OprfError::BatchTooLarge { len: count, max });
        }
        let info_len = usize::from(info_len);
        if mode != Mode::Poprf && info_len != 0 {
            return Err(OprfError::BadState);
        }
        let info = take(&mut rest, info_len).ok_or(short(STATE_HEADER_LEN + info_len))?;
        let client_len = if mode.has_proof() {
            2 * ELEMENT_LEN
        } else {
            ELEMENT_LEN
        };
        // First the lengths, then the check, and only then the secrets are decoded.
        let mut clients: [&[u8]; N] = [&[]; N];
        let mut inputs: [&[u8]; N] = [&[]; N];
        for (client, input) in clients.iter_mut().zip(inputs.iter_mut()).take(count) {
            *client = take(&mut rest, client_len).ok_or(short(found + 1))?;
            let len = take(&mut rest, 2).ok_or(short(found + 1))?;
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            *input = take(&mut rest, len).ok_or(short(found + len))?;
        }
        let body_len = found - rest.len();
        if rest.len() != STATE_CHECK_LEN {
            return Err(short(body_len + STATE_CHECK_LEN));
        }
        let body = state.get(..body_len).unwrap_or_default();
        if !bool::from(state_check(body).ct_eq(rest)) {
            return Err(OprfError::BadState);
        }
        let mut state_out = Blinded {
            client: Client {
                public_key: *public_key,
                info,
            },
            inputs,
            count,
            states: [[0; CLIENT_STATE_LEN]; N],
        };
        for (client, slot) in clients.iter().take(count).zip(state_out.states.iter_mut()) {
            // `voprf-ng` checks the blind (canonical, non-zero) and the element (canonical,
            // not the identity).
            let valid = match mode {
                Mode::Oprf => OprfClient::<Suite>::deserialize(client).is_ok(),
                Mode::Voprf => VoprfClient::<Suite>::deserialize(client).is_ok(),
                Mode::Poprf => PoprfClient::<Suite>::deserialize(client).is_ok(),
            };
            if !valid {
                return Err(OprfError::BadState);
            }
            put_bytes(slot, client);
        }
        Ok(state_out)
    }
}

/// Version byte of an exported [`Blinded`] state.
const STATE_VERSION: u8 = 1;
/// Bytes before a state's info: version, mode, key id, count, info length.
const STATE_HEADER_LEN: usize = 8;
/// Bytes of the check that ends a state.
const STATE_CHECK_LEN: usize = 16;
/// Starts the hashed input of a state's check.
const STATE_CHECK_LABEL: &[u8] = b"phonetoken-oprf-state-v1";

/// The check of a state's bytes (see [`Blinded::export_into`]).
fn state_check(body: &[u8]) -> [u8; STATE_CHECK_LEN] {
    use sha2::Digest as _;
    let digest = sha2::Sha256::new()
        .chain_update(STATE_CHECK_LABEL)
        .chain_update(body)
        .finalize();
    let mut check = [0u8; STATE_CHECK_LEN];
    check.copy_from_slice(digest.get(..STATE_CHECK_LEN).unwrap_or_default());
    check
}

/// Length of the state [`Blinded::export_into`] writes for `count` inputs of `input_bytes`
/// bytes in all, with `info_len` bytes of POPRF info (0 in the other modes).
///
/// ```
/// use phonetoken::oprf::{state_len, Mode};
///
/// // One 12-byte E.164 number in VOPRF mode: header, blind, blinded element, length, input,
/// // check.
/// assert_eq!(state_len(Mode::Voprf, 1, 0, 12), 8 + 32 + 32 + 2 + 12 + 16);
/// assert_eq!(state_len(Mode::Oprf, 1, 0, 12), 8 + 32 + 2 + 12 + 16);
/// ```
pub const fn state_len(mode: Mode, count: usize, info_len: usize, input_bytes: usize) -> usize {
    let client = if mode.has_proof() {
        2 * ELEMENT_LEN
    } else {
        ELEMENT_LEN
    };
    let info = match mode {
        Mode::Poprf => info_len,
        _ => 0,
    };
    STATE_HEADER_LEN + info + count * (client + 2) + input_bytes + STATE_CHECK_LEN
}

/// Writes `bytes` at the start of `out` (sized by the caller) and returns the rest.
fn put_bytes<'o>(out: &'o mut [u8], bytes: &[u8]) -> &'o mut [u8] {
    let (dst, rest) = out.split_at_mut(bytes.len().min(out.len()));
    dst.copy_from_slice(bytes.get(..dst.len()).unwrap_or_default());
    rest
}

/// The first `len` bytes of `rest`, advancing it; `None` if it is shorter.
fn take<'s>(rest: &mut &'s [u8], len: usize) -> Option<&'s [u8]> {
    let (head, tail) = rest.split_at_checked(len)?;
    *rest = tail;
    Some(head)
}

// ---------------------------------------------------------------------------------------------
// Server

/// The per-mode `voprf-ng` server (its key is wiped on drop by `voprf-ng`).
enum Inner {
    Oprf(OprfServer<Suite>),
    Voprf(VoprfServer<Suite>),
    Poprf(PoprfServer<Suite>),
}

/// The key holder's side: one OPRF key (for one keyset key id and one mode), evaluating
/// requests (one proof per batch) and numbers directly.
///
/// `Debug` shows the mode and key id, never the key.
///
/// ```
/// use phonetoken::oprf::{Mode, Server};
///
/// let server = Server::derive(Mode::Voprf, 1, &[1; 32], b"")?;
/// assert_eq!(format!("{server:?}"), "Server { mode: Voprf, key_id: 1, .. }");
/// # Ok::<(), phonetoken::oprf::OprfError>(())
/// ```
pub struct Server {
    inner: Inner,
    public_key: PublicKey,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("mode", &self.public_key.mode)
            .field("key_id", &self.public_key.key_id)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// RFC 9497's `DeriveKeyPair(seed, info)` in `mode`, labelled with `key_id`: the
    /// derivation the RFC's test vectors use, and under [`from_keyset`](Self::from_keyset).
    ///
    /// # Errors
    ///
    /// [`OprfError::Aborted`] if `key_info` is longer than 65,532 bytes, or in the RFC's
    /// `DeriveKeyPairError` case.
    ///
    /// ```
    /// use phonetoken::oprf::{Mode, Server};
    ///
    /// // RFC 9497 A.1.2: Seed = a3…a3, KeyInfo = "test key".
    /// let server = Server::derive(Mode::Voprf, 0, &[0xa3; 32], b"test key")?;
    /// let mut hex = [0u8; 64];
    /// assert_eq!(
    ///     phonetoken::Encoding::Hex.encode_into(server.public_key().element(), &mut hex)?,
    ///     "c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e"
    /// );
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn derive(
        mode: Mode,
        key_id: u32,
        seed: &[u8],
        key_info: &[u8],
    ) -> Result<Server, OprfError> {
        let inner = match mode {
            Mode::Oprf => Inner::Oprf(
                OprfServer::new_from_seed(seed, key_info).map_err(|_| OprfError::Aborted)?,
            ),
            Mode::Voprf => Inner::Voprf(
                VoprfServer::new_from_seed(seed, key_info).map_err(|_| OprfError::Aborted)?,
            ),
            Mode::Poprf => Inner::Poprf(
                PoprfServer::new_from_seed(seed, key_info).map_err(|_| OprfError::Aborted)?,
            ),
        };
        let point = match &inner {
            // voprf-ng keeps no public key in base mode; it is skS·G all the same.
            Inner::Oprf(s) => {
                let mut sk: [u8; 32] = s.serialize().into();
                let scalar = <Suite as Group>::deserialize_scalar(&sk);
                sk.zeroize();
                let mut scalar = scalar.map_err(|_| OprfError::Aborted)?;
                let point = <Suite as Group>::base_elem() * scalar;
                scalar.zeroize();
                point
            }
            Inner::Voprf(s) => s.get_public_key(),
            Inner::Poprf(s) => s.get_public_key(),
        };
        let bytes = <Suite as Group>::serialize_elem(point).into();
        Ok(Server {
            inner,
            public_key: PublicKey {
                mode,
                key_id,
                bytes,
                point,
            },
        })
    }

    /// The OPRF key of keyset key `key_id`, for `mode` (docs/FORMAT.md, "OPRF keys"):
    ///
    /// ```text
    /// seed    = HKDF-SHA256(salt = "phonetoken-v1", IKM = the key's pseudonym key,
    ///                       info = "oprf-seed", L = 32)
    /// keyInfo = "phonetoken-oprf-v1" || key id (4 bytes, big endian)
    /// (skS, pkS) = DeriveKeyPair(seed, keyInfo)        RFC 9497 §3.2.1, in `mode`
    /// ```
    ///
    /// Rotation follows the keyset (a new key id is a new OPRF key; old ones keep evaluating
    /// while enabled), and purposes follow [`Keyset::for_purpose`](crate::Keyset::for_purpose).
    ///
    /// # Errors
    ///
    /// [`OprfError::KeyNotFound`] if the keyset has no key `key_id`.
    ///
    /// ```
    /// use phonetoken::oprf::{Mode, Server};
    /// use phonetoken::{Keyset, PseudonymKey, TokenKey};
    ///
    /// let ks = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
    /// let server = Server::from_keyset(&ks, 7, Mode::Voprf)?;
    /// assert_eq!(server.public_key().key_id(), 7);
    /// assert!(Server::from_keyset(&ks, 8, Mode::Voprf).is_err());
    /// let contacts = Server::from_keyset(&ks.for_purpose("contacts")?, 7, Mode::Voprf)?;
    /// assert_ne!(contacts.public_key(), server.public_key());
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn from_keyset<const MORE: usize>(
        keyset: &KeysetN<MORE>,
        key_id: u32,
        mode: Mode,
    ) -> Result<Server, OprfError> {
        let entry = keyset
            .entry(key_id)
            .ok_or(OprfError::KeyNotFound { key_id })?;
        let mut seed = [0u8; 32];
        let derived = hkdf_sha256(
            PURPOSE_SALT,
            entry.pseudonym_key.as_bytes(),
            &[OPRF_SEED_LABEL],
            &mut seed,
        );
        let [a, b, c, d] = key_id.to_be_bytes();
        let mut key_info = [0u8; OPRF_KEY_INFO.len() + 4];
        let (label, id) = key_info.split_at_mut(OPRF_KEY_INFO.len());
        label.copy_from_slice(OPRF_KEY_INFO);
        id.copy_from_slice(&[a, b, c, d]);
        let server = derived
            .map_err(|_| OprfError::Aborted)
            .and_then(|()| Server::derive(mode, key_id, &seed, &key_info));
        seed.zeroize();
        server
    }

    /// The public key to pin in devices.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?;
    /// println!("{}", server.public_key()); // 76 hex digits
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn public_key(&self) -> PublicKey {
        self.public_key
    }

    /// Evaluates a decoded request (one proof for the whole batch, in VOPRF and POPRF mode)
    /// and writes the response into `out` ([`max_response_len`]`(mode, request.len())` bytes).
    /// In POPRF mode the request's [`info`](Request::info) is used: check it against your
    /// policy first. `rng` gives the proof's randomness.
    ///
    /// With the `alloc` feature, a VOPRF or POPRF batch costs about one scalar multiplication
    /// per element plus a share of one multiscalar multiplication for the proof, where
    /// `voprf-ng`'s prover takes a second scalar multiplication per element (BENCHMARKS.md has
    /// the figures); it then allocates curve25519-dalek's tables (a dozen allocations at most,
    /// a few KiB per element), and draws the proof's random scalar exactly as `voprf-ng`
    /// does, so the response is byte for byte the same. Without `alloc` it allocates nothing.
    /// OPRF mode never allocates.
    ///
    /// # Errors
    ///
    /// [`OprfError::WrongMode`] or [`OprfError::WrongKeyId`] if the request is for another
    /// key; [`OprfError::BufferTooSmall`]; [`OprfError::Aborted`] in RFC 9497's
    /// `InverseError` case.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?;
    /// # let other = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 2, &[1; 32], b"")?;
    /// # let mut rng = rand::rng();
    /// # let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// let mut buf = [0u8; 39];
    /// let (_, request) = phonetoken::oprf::Client::new(&other.public_key()).blind_one(&n, &mut rng, &mut buf)?;
    /// let request = phonetoken::oprf::Request::decode(request)?;
    /// assert_eq!(
    ///     server.evaluate(&request, &mut rng, &mut [0u8; 103]).err(),
    ///     Some(phonetoken::oprf::OprfError::WrongKeyId { expected: 1, found: 2 })
    /// );
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn evaluate<'o, R: CryptoRng + ?Sized>(
        &self,
        request: &Request<'_>,
        rng: &mut R,
        out: &'o mut [u8],
    ) -> Result<&'o [u8], OprfError> {
        let pk = &self.public_key;
        if request.mode != pk.mode {
            return Err(OprfError::WrongMode {
                expected: pk.mode,
                found: request.mode,
            });
        }
        if request.key_id != pk.key_id {
            return Err(OprfError::WrongKeyId {
                expected: pk.key_id,
                found: request.key_id,
            });
        }
        let count = request.len();
        let needed = max_response_len(pk.mode, count);
        let out = out
            .get_mut(..needed)
            .ok_or(OprfError::BufferTooSmall { needed })?;
        let rest = write_header(out, pk.mode, pk.key_id, count)?;
        let (elements_out, proof_out) = rest.split_at_mut((count * ELEMENT_LEN).min(rest.len()));

        // Verifiable modes, with an allocator: our prover (src/oprf/prover.rs), a
        // multiscalar multiplication where voprf-ng does a scalar multiplication per element.
        #[cfg(feature = "alloc")]
        if let Some(key) = self.proving_key(request.info)? {
            key.evaluate_batch(request.elements, rng, elements_out, proof_out)?;
            return Ok(out);
        }

        let mut blinded: [Option<BlindedElement<Suite>>; MAX_BATCH] = empty_slots();
        for (index, (slot, bytes)) in blinded
            .iter_mut()
            .zip(request.elements.chunks_exact(ELEMENT_LEN))
            .enumerate()
        {
            *slot = Some(
                BlindedElement::deserialize(bytes)
                    .map_err(|_| OprfError::NonCanonicalElement { index })?,
            );
        }
        let blinded = Filled(blinded.get(..count).unwrap_or_default());
        let mut rng = as_try_rng(rng);

        let mut prepared: [Option<PreparedEvaluationElement<Suite>>; MAX_BATCH] = empty_slots();
        let proof = match &self.inner {
            Inner::Oprf(s) => {
                for (b, dst) in (&blinded)
                    .into_iter()
                    .zip(elements_out.chunks_exact_mut(ELEMENT_LEN))
                {
                    dst.copy_from_slice(&s.blind_evaluate(b).serialize());
                }
                None
            }
            Inner::Voprf(s) => {
                for (p, slot) in s
                    .batch_blind_evaluate_prepare((&blinded).into_iter())
                    .zip(prepared.iter_mut())
                {
                    *slot = Some(p);
                }
                let prepared = Filled(prepared.get(..count).unwrap_or_default());
                let r = s
                    .batch_blind_evaluate_finish(&mut rng, (&blinded).into_iter(), &prepared)
                    .map_err(lib_error)?;
                for (e, dst) in r.messages.zip(elements_out.chunks_exact_mut(ELEMENT_LEN)) {
                    dst.copy_from_slice(&e.serialize());
                }
                Some(r.proof)
            }
            Inner::Poprf(s) => {
                let p = s
                    .batch_blind_evaluate_prepare((&blinded).into_iter(), Some(request.info))
                    .map_err(lib_error)?;
                for (e, slot) in p.prepared_evaluation_elements.zip(prepared.iter_mut()) {
                    *slot = Some(e);
                }
                let prepared = Filled(prepared.get(..count).unwrap_or_default());
                let r = PoprfServer::batch_blind_evaluate_finish(
                    &mut rng,
                    (&blinded).into_iter(),
                    &prepared,
                    &p.prepared_tweak,
                )
                .map_err(lib_error)?;
                for (e, dst) in r.messages.zip(elements_out.chunks_exact_mut(ELEMENT_LEN)) {
                    dst.copy_from_slice(&e.serialize());
                }
                Some(r.proof)
            }
        };
        if let Some(proof) = proof {
            proof_out.copy_from_slice(&proof.serialize());
        }
        Ok(out)
    }

    /// The key of the verifiable modes' batch prover (`None` in OPRF mode, which has no
    /// proof); in POPRF mode tweaked with `info`.
    #[cfg(feature = "alloc")]
    fn proving_key(&self, info: &[u8]) -> Result<Option<prover::ProvingKey>, OprfError> {
        let pk = &self.public_key;
        // voprf-ng hands its key out only serialized: `skS || pkS`.
        let mut bytes: [u8; 2 * ELEMENT_LEN] = match &self.inner {
            Inner::Oprf(_) => return Ok(None),
            Inner::Voprf(s) => s.serialize().into(),
            Inner::Poprf(s) => s.serialize().into(),
        };
        let sk = <Suite as Group>::deserialize_scalar(bytes.get(..ELEMENT_LEN).unwrap_or_default());
        bytes.zeroize();
        let mut sk = sk.map_err(|_| OprfError::Aborted)?;
        let key = match pk.mode {
            Mode::Poprf => prover::ProvingKey::poprf(sk, info),
            _ => Ok(prover::ProvingKey::voprf(sk, pk.point, pk.bytes)),
        };
        sk.zeroize();
        key.map(Some)
    }

    /// The oblivious pseudonym of `number`, computed directly (to build the table of
    /// registered users' pseudonyms). Equals what a device gets for it through
    /// [`Client`]; in POPRF mode with empty `info` (see [`evaluate_input`](Self::evaluate_input)).
    ///
    /// # Errors
    ///
    /// As [`evaluate_input`](Self::evaluate_input).
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Voprf, 1, &[1; 32], b"")?;
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// assert_eq!(server.evaluate_number(&n)?, server.evaluate_input(&n, b"")?);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn evaluate_number(&self, number: &PhoneNumber) -> Result<ObliviousPseudonym, OprfError> {
        self.evaluate_input(number, &[])
    }

    /// RFC 9497's `Evaluate(skS, input[, info])` for any input; `info` is used in POPRF mode
    /// only.
    ///
    /// # Errors
    ///
    /// [`OprfError::InfoTooLong`] past [`MAX_INFO_LEN`]; [`OprfError::InvalidInput`] for an
    /// empty input; [`OprfError::Aborted`] in RFC 9497's `InverseError` case.
    ///
    /// ```
    /// # let server = phonetoken::oprf::Server::derive(phonetoken::oprf::Mode::Poprf, 1, &[1; 32], b"")?;
    /// let n: phonetoken::PhoneNumber = "+14155552671".parse().unwrap();
    /// assert_ne!(server.evaluate_input(&n, b"2025")?, server.evaluate_input(&n, b"2026")?);
    /// # Ok::<(), phonetoken::oprf::OprfError>(())
    /// ```
    pub fn evaluate_input<I: OprfInput + ?Sized>(
        &self,
        input: &I,
        info: &[u8],
    ) -> Result<ObliviousPseudonym, OprfError> {
        if info.len() > MAX_INFO_LEN {
            return Err(OprfError::InfoTooLong { len: info.len() });
        }
        let input = input.oprf_input();
        let output = match &self.inner {
            Inner::Oprf(s) => s.evaluate(input),
            Inner::Voprf(s) => s.evaluate(input),
            Inner::Poprf(s) => s.evaluate(input, Some(info)),
        }
        .map_err(lib_error)?;
        ObliviousPseudonym::from_output(&output)
    }
}
