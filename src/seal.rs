//! Numbers sealed to the server: HPKE (RFC 9180) base mode, so that a device can send a
//! number only the key holder can read.
//!
//! The device holds a [`SealPublicKey`] (pinned in its firmware, say) and calls
//! [`SealPublicKey::seal`]: the number's E.164 string, with the caller's *context* as
//! associated data, becomes an *envelope* in a caller buffer. Nothing on the device can open it
//! again. The server opens it with [`Keyset::open_sealed`](crate::KeysetN::open_sealed) (or a
//! [`SealKey`] it keeps per key id) into a [`PhoneNumber`], ready to pseudonymize or tokenize.
//!
//! ```
//! use phonetoken::seal::{SealPublicKey, Suite};
//! use phonetoken::{Keyset, PhoneNumber, PseudonymKey, TokenKey};
//! # struct Rng(u8);
//! # impl rand_core::TryRng for Rng {
//! #     type Error = core::convert::Infallible;
//! #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(7) }
//! #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(7) }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
//! #         for b in d { self.0 = self.0.wrapping_mul(5).wrapping_add(1); *b = self.0 } Ok(())
//! #     }
//! # }
//! # impl rand_core::TryCryptoRng for Rng {}
//! # let mut rng = Rng(1); // use a real CSPRNG
//!
//! // Server: the keyset it already has gives the key pair; the public half goes to devices.
//! let keyset = Keyset::new(7, PseudonymKey::from_bytes(&[1; 32])?, TokenKey::from_bytes(&[2; 64])?);
//! let public_key = keyset.seal_public_key(Suite::X25519_SHA256_CHACHA20POLY1305);
//!
//! // Device: seal into a buffer, no allocator.
//! let number: PhoneNumber = "+14155552671".parse()?;
//! let mut buf = [0u8; phonetoken::seal::MAX_ENVELOPE_LEN];
//! let envelope = public_key.seal(&number, b"activation", &mut rng, &mut buf)?;
//!
//! // Server: open, then pseudonymize or tokenize as usual.
//! assert_eq!(keyset.open_sealed(envelope, b"activation")?, number);
//! assert!(keyset.open_sealed(envelope, b"billing").is_err());
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! # Envelope bytes
//!
//! docs/FORMAT.md gives the format with a worked example; in short:
//!
//! ```text
//! version (0x01) | suite: KEM id, KDF id, AEAD id (2 bytes each, big-endian)
//!   | key id (4 bytes, big-endian) | enc (encapsulated key) | ciphertext (21 bytes) | tag (16 bytes)
//! ```
//!
//! The plaintext is the E.164 string padded with zero bytes to 21 bytes, the longest E.164
//! string, so that every envelope of a suite has one length and the length tells nothing of
//! the country. The first 11 bytes (the *header*) are bound into HPKE's `info` (after the label
//! `"phonetoken-seal-v1"`), so a changed version, suite or key id fails to open.
//!
//! # Keys
//!
//! The key pair of a keyset key is derived from its token key, so a keyset needs no new
//! material and the keyset files are unchanged: rotation, disabling and purposes
//! ([`Keyset::for_purpose`](crate::KeysetN::for_purpose)) apply as they do to tokens.
//!
//! ```text
//! ikm = HKDF-SHA256(salt = "phonetoken-v1", IKM = token key (64 bytes),
//!                   info = "seal-key" || 0x00 || suite (6 bytes), L = 32)
//! (skR, pkR) = DeriveKeyPair(ikm)        (RFC 9180 §7.1.3 for X25519; X-Wing's own)
//! ```
//!
//! # Failures
//!
//! [`OpenError`] tells apart everything public (length, version, suite, key id) before any
//! secret is used, and reports every cryptographic failure — altered bytes, another key of the
//! same id, another context — as the single [`OpenError::Authentication`].

use core::fmt;

use hpke::aead::{AeadTag, ChaCha20Poly1305};
use hpke::inout::InOutBuf;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::keys::{hkdf_sha256, KeyStatus, KeysetN, TokenKey, PURPOSE_SALT};
use crate::number::MAX_E164_LEN;
use crate::PhoneNumber;

/// The envelope format version, its first byte.
pub const ENVELOPE_VERSION: u8 = 0x01;
/// Bytes before the encapsulated key: version, suite, key id.
pub const HEADER_LEN: usize = 11;
/// Length of the sealed plaintext: the E.164 string padded with zeros to the longest one.
pub const PLAINTEXT_LEN: usize = MAX_E164_LEN;
/// Length of the ChaCha20-Poly1305 tag.
pub const TAG_LEN: usize = 16;
/// HPKE `info` starts with this label; the envelope header follows it.
pub const INFO_LABEL: &[u8] = b"phonetoken-seal-v1";
/// HKDF `info` label of a keyset key's sealing key pair (see [Keys](self#keys)).
pub const SEAL_KEY_LABEL: &[u8] = b"seal-key";

const INFO_LEN: usize = INFO_LABEL.len() + HEADER_LEN;
const KDF_HKDF_SHA256: u16 = 0x0001;
const AEAD_CHACHA20POLY1305: u16 = 0x0003;

type X25519Kem = X25519HkdfSha256;
#[cfg(feature = "seal-xwing")]
type XWingKem = hpke::kem::XWing;

/// A sealing suite: the HPKE KEM, KDF and AEAD, named in the envelope by their RFC 9180
/// (IANA) identifiers.
///
/// ```
/// use phonetoken::seal::Suite;
///
/// let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
/// assert_eq!(suite.ids(), (0x0020, 0x0001, 0x0003));
/// assert_eq!(suite.envelope_len(), 80);
/// assert_eq!(suite.to_string(), "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Suite {
    /// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (ids 0x0020, 0x0001,
    /// 0x0003): RFC 9180's suite without AES, for firmware with no AES hardware.
    #[allow(non_camel_case_types)]
    X25519_SHA256_CHACHA20POLY1305,
    /// X-Wing (X25519 + ML-KEM-768, KEM id 0x647a), HKDF-SHA256, ChaCha20-Poly1305: for
    /// numbers that must stay closed against a future quantum computer. Feature `seal-xwing`.
    #[cfg(feature = "seal-xwing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "seal-xwing")))]
    #[allow(non_camel_case_types)]
    XWING_SHA256_CHACHA20POLY1305,
}

impl Suite {
    /// Every suite this build supports.
    ///
    /// ```
    /// assert!(phonetoken::seal::Suite::ALL.contains(&phonetoken::seal::Suite::X25519_SHA256_CHACHA20POLY1305));
    /// ```
    pub const ALL: &'static [Suite] = &[
        Suite::X25519_SHA256_CHACHA20POLY1305,
        #[cfg(feature = "seal-xwing")]
        Suite::XWING_SHA256_CHACHA20POLY1305,
    ];

    /// The RFC 9180 identifiers `(KEM id, KDF id, AEAD id)`.
    ///
    /// ```
    /// assert_eq!(phonetoken::seal::Suite::X25519_SHA256_CHACHA20POLY1305.ids().0, 0x0020);
    /// ```
    pub const fn ids(self) -> (u16, u16, u16) {
        let kem = match self {
            Suite::X25519_SHA256_CHACHA20POLY1305 => X25519Kem::KEM_ID,
            #[cfg(feature = "seal-xwing")]
            Suite::XWING_SHA256_CHACHA20POLY1305 => XWingKem::KEM_ID,
        };
        (kem, KDF_HKDF_SHA256, AEAD_CHACHA20POLY1305)
    }

    /// The suite with these identifiers, if this build supports it.
    ///
    /// ```
    /// use phonetoken::seal::Suite;
    ///
    /// assert_eq!(Suite::from_ids(0x0020, 1, 3), Some(Suite::X25519_SHA256_CHACHA20POLY1305));
    /// assert_eq!(Suite::from_ids(0x0020, 1, 1), None);
    /// ```
    pub fn from_ids(kem: u16, kdf: u16, aead: u16) -> Option<Suite> {
        Suite::ALL
            .iter()
            .copied()
            .find(|s| s.ids() == (kem, kdf, aead))
    }

    /// The six suite bytes of the envelope header.
    fn id_bytes(self) -> [u8; 6] {
        let (kem, kdf, aead) = self.ids();
        let (kem, kdf, aead) = (kem.to_be_bytes(), kdf.to_be_bytes(), aead.to_be_bytes());
        [kem[0], kem[1], kdf[0], kdf[1], aead[0], aead[1]]
    }

    /// Length of the suite's public key: 32 bytes for X25519, 1216 for X-Wing.
    ///
    /// ```
    /// assert_eq!(phonetoken::seal::Suite::X25519_SHA256_CHACHA20POLY1305.public_key_len(), 32);
    /// ```
    pub const fn public_key_len(self) -> usize {
        match self {
            Suite::X25519_SHA256_CHACHA20POLY1305 => 32,
            #[cfg(feature = "seal-xwing")]
            Suite::XWING_SHA256_CHACHA20POLY1305 => 1216,
        }
    }

    /// Length of the suite's encapsulated key: 32 bytes for X25519, 1120 for X-Wing.
    ///
    /// ```
    /// assert_eq!(phonetoken::seal::Suite::X25519_SHA256_CHACHA20POLY1305.encapsulated_key_len(), 32);
    /// ```
    pub const fn encapsulated_key_len(self) -> usize {
        match self {
            Suite::X25519_SHA256_CHACHA20POLY1305 => 32,
            #[cfg(feature = "seal-xwing")]
            Suite::XWING_SHA256_CHACHA20POLY1305 => 1120,
        }
    }

    /// Length of every envelope of this suite: 80 bytes for X25519, 1168 for X-Wing.
    ///
    /// ```
    /// assert_eq!(phonetoken::seal::Suite::X25519_SHA256_CHACHA20POLY1305.envelope_len(), 11 + 32 + 21 + 16);
    /// ```
    pub const fn envelope_len(self) -> usize {
        HEADER_LEN + self.encapsulated_key_len() + PLAINTEXT_LEN + TAG_LEN
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Suite::X25519_SHA256_CHACHA20POLY1305 => {
                "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305"
            }
            #[cfg(feature = "seal-xwing")]
            Suite::XWING_SHA256_CHACHA20POLY1305 => "X-Wing, HKDF-SHA256, ChaCha20Poly1305",
        })
    }
}

/// The longest envelope of any suite this build supports: the buffer size that always fits.
#[cfg(not(feature = "seal-xwing"))]
pub const MAX_ENVELOPE_LEN: usize = Suite::X25519_SHA256_CHACHA20POLY1305.envelope_len();
/// The longest envelope of any suite this build supports: the buffer size that always fits.
#[cfg(feature = "seal-xwing")]
pub const MAX_ENVELOPE_LEN: usize = Suite::XWING_SHA256_CHACHA20POLY1305.envelope_len();

/// The public part of an envelope: its suite and the key id it was sealed to.
///
/// ```
/// # let mut envelope = [0u8; 80];
/// # envelope[..11].copy_from_slice(&[1, 0, 0x20, 0, 1, 0, 3, 0, 0, 0, 7]);
/// let header = phonetoken::seal::read_header(&envelope)?;
/// assert_eq!(header.key_id, 7);
/// # Ok::<(), phonetoken::seal::OpenError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub struct EnvelopeHeader {
    /// The sealing suite.
    pub suite: Suite,
    /// The id of the keyset key the number was sealed to.
    pub key_id: u32,
}

impl EnvelopeHeader {
    /// The header bytes.
    fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        let (version, rest) = out.split_at_mut(1);
        let (suite, key_id) = rest.split_at_mut(6);
        version[0] = ENVELOPE_VERSION;
        suite.copy_from_slice(&self.suite.id_bytes());
        key_id.copy_from_slice(&self.key_id.to_be_bytes());
        out
    }

    /// HPKE `info`: the label, then the header, which binds the header to the ciphertext.
    fn info(self) -> [u8; INFO_LEN] {
        let mut info = [0u8; INFO_LEN];
        let (label, header) = info.split_at_mut(INFO_LABEL.len());
        label.copy_from_slice(INFO_LABEL);
        header.copy_from_slice(&self.to_bytes());
        info
    }
}

/// Reads an envelope's public parts, checking everything that needs no key: length, version,
/// suite. A server uses it to pick the key (or to count envelopes per key id).
///
/// # Errors
///
/// [`OpenError::TooShort`] under 11 bytes, [`OpenError::UnknownVersion`],
/// [`OpenError::UnknownSuite`] (also for a suite this build was compiled without), then
/// [`OpenError::WrongLength`] unless the length is the suite's.
///
/// ```
/// use phonetoken::seal::{read_header, OpenError, Suite};
///
/// let mut envelope = [0u8; 80];
/// envelope[..11].copy_from_slice(&[1, 0, 0x20, 0, 1, 0, 3, 0, 0, 0, 9]);
/// let header = read_header(&envelope)?;
/// assert_eq!((header.suite, header.key_id), (Suite::X25519_SHA256_CHACHA20POLY1305, 9));
/// assert_eq!(read_header(&envelope[..79]), Err(OpenError::WrongLength { expected: 80, found: 79 }));
/// envelope[6] = 1; // AES-128-GCM
/// assert_eq!(read_header(&envelope), Err(OpenError::UnknownSuite { kem_id: 0x20, kdf_id: 1, aead_id: 1 }));
/// # Ok::<(), OpenError>(())
/// ```
pub fn read_header(envelope: &[u8]) -> Result<EnvelopeHeader, OpenError> {
    let header: &[u8; HEADER_LEN] = envelope.first_chunk().ok_or(OpenError::TooShort {
        len: envelope.len(),
    })?;
    let [version, k0, k1, d0, d1, a0, a1, i0, i1, i2, i3] = *header;
    if version != ENVELOPE_VERSION {
        return Err(OpenError::UnknownVersion { byte: version });
    }
    let (kem_id, kdf_id, aead_id) = (
        u16::from_be_bytes([k0, k1]),
        u16::from_be_bytes([d0, d1]),
        u16::from_be_bytes([a0, a1]),
    );
    let suite = Suite::from_ids(kem_id, kdf_id, aead_id).ok_or(OpenError::UnknownSuite {
        kem_id,
        kdf_id,
        aead_id,
    })?;
    if envelope.len() != suite.envelope_len() {
        return Err(OpenError::WrongLength {
            expected: suite.envelope_len(),
            found: envelope.len(),
        });
    }
    Ok(EnvelopeHeader {
        suite,
        key_id: u32::from_be_bytes([i0, i1, i2, i3]),
    })
}

/// A parsed public key of one suite.
// Inline on purpose: the device has no allocator to box the X-Wing key.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq)]
enum PublicKey {
    X25519(<X25519Kem as Kem>::PublicKey),
    #[cfg(feature = "seal-xwing")]
    XWing(<XWingKem as Kem>::PublicKey),
}

/// A private key of one suite (the `hpke` types wipe themselves on drop).
#[allow(clippy::large_enum_variant)] // as for `PublicKey`
#[derive(Clone)]
enum PrivateKey {
    X25519(<X25519Kem as Kem>::PrivateKey),
    #[cfg(feature = "seal-xwing")]
    XWing(<XWingKem as Kem>::PrivateKey),
}

/// The server's public key for one suite and key id: what a device seals numbers to.
///
/// Not secret: pin it in firmware. Get it from [`Keyset::seal_public_key`](crate::KeysetN::seal_public_key)
/// or [`SealKey::public_key`], write its bytes with [`write_bytes`](Self::write_bytes), and
/// read them back on the device with [`new`](Self::new).
///
/// ```
/// use phonetoken::seal::{SealPublicKey, Suite};
///
/// let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
/// # let keyset = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
/// let mut bytes = [0u8; 32];
/// keyset.seal_public_key(suite).write_bytes(&mut bytes)?;
/// let pinned = SealPublicKey::new(suite, 7, &bytes)?;
/// assert_eq!(pinned, keyset.seal_public_key(suite));
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SealPublicKey {
    key_id: u32,
    key: PublicKey,
}

impl SealPublicKey {
    /// The public key of `suite` from its bytes (32 for X25519, 1216 for X-Wing), for keyset
    /// key `key_id`.
    ///
    /// # Errors
    ///
    /// [`SealError::WrongKeyLength`] if `public_key` has another length;
    /// [`SealError::InvalidPublicKey`] if the suite refuses it (an X-Wing key whose ML-KEM
    /// part is not canonical; every 32 bytes are an X25519 key, and a low-order one is refused
    /// by [`seal`](Self::seal)).
    ///
    /// ```
    /// use phonetoken::seal::{SealError, SealPublicKey, Suite};
    ///
    /// let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
    /// assert!(SealPublicKey::new(suite, 1, &[9; 32]).is_ok());
    /// assert_eq!(SealPublicKey::new(suite, 1, &[9; 31]), Err(SealError::WrongKeyLength { expected: 32, found: 31 }));
    /// ```
    pub fn new(suite: Suite, key_id: u32, public_key: &[u8]) -> Result<SealPublicKey, SealError> {
        if public_key.len() != suite.public_key_len() {
            return Err(SealError::WrongKeyLength {
                expected: suite.public_key_len(),
                found: public_key.len(),
            });
        }
        let key = match suite {
            Suite::X25519_SHA256_CHACHA20POLY1305 => {
                PublicKey::X25519(Deserializable::from_bytes(public_key)?)
            }
            #[cfg(feature = "seal-xwing")]
            Suite::XWING_SHA256_CHACHA20POLY1305 => {
                PublicKey::XWing(Deserializable::from_bytes(public_key)?)
            }
        };
        Ok(SealPublicKey { key_id, key })
    }

    /// The suite of this key.
    ///
    /// ```
    /// use phonetoken::seal::{SealPublicKey, Suite};
    ///
    /// let pk = SealPublicKey::new(Suite::X25519_SHA256_CHACHA20POLY1305, 1, &[9; 32])?;
    /// assert_eq!(pk.suite(), Suite::X25519_SHA256_CHACHA20POLY1305);
    /// # Ok::<(), phonetoken::seal::SealError>(())
    /// ```
    pub fn suite(&self) -> Suite {
        match self.key {
            PublicKey::X25519(_) => Suite::X25519_SHA256_CHACHA20POLY1305,
            #[cfg(feature = "seal-xwing")]
            PublicKey::XWing(_) => Suite::XWING_SHA256_CHACHA20POLY1305,
        }
    }

    /// The keyset key id written into every envelope sealed to this key.
    ///
    /// ```
    /// use phonetoken::seal::{SealPublicKey, Suite};
    ///
    /// assert_eq!(SealPublicKey::new(Suite::X25519_SHA256_CHACHA20POLY1305, 42, &[9; 32])?.key_id(), 42);
    /// # Ok::<(), phonetoken::seal::SealError>(())
    /// ```
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Writes the public key's bytes (as [`new`](Self::new) reads them) to the start of `out`
    /// and returns them.
    ///
    /// # Errors
    ///
    /// [`SealError::BufferTooSmall`] if `out` is shorter than
    /// [`Suite::public_key_len`].
    ///
    /// ```
    /// use phonetoken::seal::{SealPublicKey, Suite};
    ///
    /// let pk = SealPublicKey::new(Suite::X25519_SHA256_CHACHA20POLY1305, 1, &[9; 32])?;
    /// let mut buf = [0u8; 40];
    /// assert_eq!(pk.write_bytes(&mut buf)?, &[9; 32]);
    /// # Ok::<(), phonetoken::seal::SealError>(())
    /// ```
    pub fn write_bytes<'a>(&self, out: &'a mut [u8]) -> Result<&'a [u8], SealError> {
        let out = prefix(out, self.suite().public_key_len())?;
        match &self.key {
            PublicKey::X25519(k) => k.write_exact(out),
            #[cfg(feature = "seal-xwing")]
            PublicKey::XWing(k) => k.write_exact(out),
        }
        Ok(out)
    }

    /// Seals `number` to this key, with `context` (any bytes, empty allowed; the same context
    /// is needed to open) as associated data, into the start of `out`, and returns the
    /// envelope. `rng` gives the ephemeral key: two seals of one number differ. Allocates
    /// nothing.
    ///
    /// # Errors
    ///
    /// [`SealError::BufferTooSmall`] if `out` is shorter than [`Suite::envelope_len`]
    /// ([`MAX_ENVELOPE_LEN`] always fits); [`SealError::InvalidPublicKey`] if the key is one no
    /// shared secret can come from (a low-order X25519 point).
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
    /// # let mut rng = Rng(1); // use a real CSPRNG
    /// use phonetoken::seal::{SealError, SealPublicKey, Suite};
    ///
    /// let pk = SealPublicKey::new(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &[9; 32])?;
    /// let n: phonetoken::PhoneNumber = "+442079460958".parse()?;
    /// let mut buf = [0u8; 80];
    /// let envelope = pk.seal(&n, b"ctx", &mut rng, &mut buf)?;
    /// assert_eq!(envelope.len(), 80);
    /// assert_eq!(envelope[..11], [1, 0, 0x20, 0, 1, 0, 3, 0, 0, 0, 7]);
    /// assert_eq!(pk.seal(&n, b"ctx", &mut rng, &mut [0u8; 79]), Err(SealError::BufferTooSmall { needed: 80, found: 79 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn seal<'a, R: CryptoRng + ?Sized>(
        &self,
        number: &PhoneNumber,
        context: &[u8],
        rng: &mut R,
        out: &'a mut [u8],
    ) -> Result<&'a [u8], SealError> {
        let suite = self.suite();
        let out = prefix(out, suite.envelope_len())?;
        let header = EnvelopeHeader {
            suite,
            key_id: self.key_id,
        };
        let (head, rest) = out.split_at_mut(HEADER_LEN);
        let (enc, rest) = rest.split_at_mut(suite.encapsulated_key_len());
        let (body, tag) = rest.split_at_mut(PLAINTEXT_LEN);
        head.copy_from_slice(&header.to_bytes());
        // Padded to the longest E.164 string so that the length tells nothing.
        for (dst, src) in body.iter_mut().zip(number.as_bytes()) {
            *dst = *src;
        }
        body.iter_mut()
            .skip(number.as_bytes().len())
            .for_each(|b| *b = 0);
        let info = header.info();
        let sealed = match &self.key {
            PublicKey::X25519(k) => seal_with::<X25519Kem, _>(k, &info, body, context, rng, enc),
            #[cfg(feature = "seal-xwing")]
            PublicKey::XWing(k) => seal_with::<XWingKem, _>(k, &info, body, context, rng, enc),
        };
        match sealed {
            Ok(t) => {
                tag.copy_from_slice(&t.to_bytes());
                Ok(out)
            }
            Err(e) => {
                // Whatever the failed call left in the buffer may be the number: wipe it.
                out.zeroize();
                Err(e.into())
            }
        }
    }
}

/// One suite's half of [`SealPublicKey::seal`]: encapsulates, writes `enc`, encrypts `body` in
/// place and returns the tag. Never inlined: inlined, both suites' frames merge into `seal`'s,
/// and an X25519 seal in a build with X-Wing uses X-Wing's stack (26 KiB instead of 4 KiB on
/// a Cortex-M4, BENCHMARKS.md).
#[inline(never)]
fn seal_with<K: Kem, R: CryptoRng + ?Sized>(
    public_key: &K::PublicKey,
    info: &[u8],
    body: &mut [u8],
    context: &[u8],
    mut rng: &mut R,
    enc: &mut [u8],
) -> Result<AeadTag<ChaCha20Poly1305>, hpke::HpkeError> {
    let (encapped, tag) =
        hpke::single_shot_seal_inout_detached_with_rng::<ChaCha20Poly1305, HkdfSha256, K>(
            &OpModeS::Base,
            public_key,
            info,
            InOutBuf::from(body),
            context,
            &mut rng,
        )?;
    if enc.len() != K::EncappedKey::size() {
        return Err(hpke::HpkeError::EncapError);
    }
    encapped.write_exact(enc);
    Ok(tag)
}

/// The first `len` bytes of `out`, if it has that many.
fn prefix(out: &mut [u8], len: usize) -> Result<&mut [u8], SealError> {
    let found = out.len();
    out.get_mut(..len)
        .ok_or(SealError::BufferTooSmall { needed: len, found })
}

impl fmt::Debug for SealPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealPublicKey")
            .field("suite", &self.suite())
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The server's key pair for one suite and key id: opens envelopes sealed to its public key.
///
/// The private key is wiped on drop and never shown by `Debug`. A [`Keyset`](crate::Keyset)
/// derives one per key ([`seal_key`](crate::KeysetN::seal_key)); keep it to open many
/// envelopes without deriving again.
///
/// ```
/// use phonetoken::seal::{SealKey, Suite};
///
/// let key = SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &[5; 32]);
/// assert_eq!(format!("{key:?}"), "SealKey { suite: X25519_SHA256_CHACHA20POLY1305, key_id: 7, .. }");
/// ```
#[derive(Clone)]
pub struct SealKey {
    private: PrivateKey,
    public: SealPublicKey,
}

impl SealKey {
    /// The key pair RFC 9180's `DeriveKeyPair` gives for `seed` (X-Wing's own `DeriveKeyPair`
    /// for X-Wing): the same seed always gives the same pair. Use a secret, uniformly random
    /// seed, and keep it as secret as the key.
    ///
    /// ```
    /// use phonetoken::seal::{SealKey, Suite};
    ///
    /// let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
    /// assert_eq!(SealKey::from_seed(suite, 1, &[5; 32]).public_key(), SealKey::from_seed(suite, 1, &[5; 32]).public_key());
    /// assert_ne!(SealKey::from_seed(suite, 1, &[5; 32]).public_key(), SealKey::from_seed(suite, 1, &[6; 32]).public_key());
    /// ```
    pub fn from_seed(suite: Suite, key_id: u32, seed: &[u8; 32]) -> SealKey {
        let (private, key) = match suite {
            Suite::X25519_SHA256_CHACHA20POLY1305 => {
                let (sk, pk) = X25519Kem::derive_keypair(seed);
                (PrivateKey::X25519(sk), PublicKey::X25519(pk))
            }
            #[cfg(feature = "seal-xwing")]
            Suite::XWING_SHA256_CHACHA20POLY1305 => {
                let (sk, pk) = XWingKem::derive_keypair(seed);
                (PrivateKey::XWing(sk), PublicKey::XWing(pk))
            }
        };
        SealKey {
            private,
            public: SealPublicKey { key_id, key },
        }
    }

    /// The key pair of a keyset key, derived from its token key as [Keys](self#keys)
    /// describes.
    ///
    /// ```
    /// use phonetoken::seal::{SealKey, Suite};
    /// use phonetoken::TokenKey;
    ///
    /// let token_key = TokenKey::from_bytes(&[2; 64])?;
    /// let key = SealKey::derive(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &token_key);
    /// assert_eq!(key.key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    pub fn derive(suite: Suite, key_id: u32, token_key: &TokenKey) -> SealKey {
        let mut seed = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit, so this cannot fail.
        let _ = hkdf_sha256(
            PURPOSE_SALT,
            token_key.as_array(),
            &[SEAL_KEY_LABEL, &[0], &suite.id_bytes()],
            &mut seed,
        );
        let key = SealKey::from_seed(suite, key_id, &seed);
        seed.zeroize();
        key
    }

    /// The public key devices seal to.
    ///
    /// ```
    /// use phonetoken::seal::{SealKey, Suite};
    ///
    /// let key = SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &[5; 32]);
    /// assert_eq!(key.public_key().key_id(), 7);
    /// ```
    pub fn public_key(&self) -> &SealPublicKey {
        &self.public
    }

    /// The suite of this key pair.
    ///
    /// ```
    /// use phonetoken::seal::{SealKey, Suite};
    ///
    /// assert_eq!(SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &[5; 32]).suite(), Suite::X25519_SHA256_CHACHA20POLY1305);
    /// ```
    pub fn suite(&self) -> Suite {
        self.public.suite()
    }

    /// The keyset key id of this key pair.
    ///
    /// ```
    /// use phonetoken::seal::{SealKey, Suite};
    ///
    /// assert_eq!(SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &[5; 32]).key_id(), 7);
    /// ```
    pub fn key_id(&self) -> u32 {
        self.public.key_id
    }

    /// The number inside `envelope`, if it was sealed to this key under `context`.
    ///
    /// # Errors
    ///
    /// Those of [`read_header`]; [`OpenError::UnknownKeyId`] if the envelope names another
    /// key id and [`OpenError::SuiteMismatch`] if another suite (both before any secret is
    /// used); [`OpenError::Authentication`] if it was altered, sealed to another key or under
    /// another context; [`OpenError::NotE164`] if it opens but does not hold a canonical E.164
    /// number padded with zeros (only possible for envelopes made by other software). The
    /// opened bytes are wiped before returning.
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
    /// # let mut rng = Rng(1); // use a real CSPRNG
    /// use phonetoken::seal::{OpenError, SealKey, Suite};
    ///
    /// let key = SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 7, &[5; 32]);
    /// let n: phonetoken::PhoneNumber = "+33123456789".parse()?;
    /// let mut buf = [0u8; 80];
    /// let envelope = key.public_key().seal(&n, b"ctx", &mut rng, &mut buf)?;
    /// assert_eq!(key.open(envelope, b"ctx")?, n);
    /// assert_eq!(key.open(envelope, b"other"), Err(OpenError::Authentication));
    /// let other = SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 8, &[5; 32]);
    /// assert_eq!(other.open(envelope, b"ctx"), Err(OpenError::UnknownKeyId { key_id: 7 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn open(&self, envelope: &[u8], context: &[u8]) -> Result<PhoneNumber, OpenError> {
        let header = read_header(envelope)?;
        if header.key_id != self.key_id() {
            return Err(OpenError::UnknownKeyId {
                key_id: header.key_id,
            });
        }
        if header.suite != self.suite() {
            return Err(OpenError::SuiteMismatch {
                expected: self.suite(),
                found: header.suite,
            });
        }
        self.open_checked(header, envelope, context)
    }

    /// Opens an envelope whose header has been read and matched to this key.
    fn open_checked(
        &self,
        header: EnvelopeHeader,
        envelope: &[u8],
        context: &[u8],
    ) -> Result<PhoneNumber, OpenError> {
        let rest = envelope.get(HEADER_LEN..).unwrap_or_default();
        let (enc, rest) = rest
            .split_at_checked(header.suite.encapsulated_key_len())
            .unwrap_or_default();
        let (body, tag) = rest.split_at_checked(PLAINTEXT_LEN).unwrap_or_default();
        let mut plain = [0u8; PLAINTEXT_LEN];
        if body.len() != PLAINTEXT_LEN {
            return Err(OpenError::Authentication);
        }
        plain.copy_from_slice(body);
        let info = header.info();
        let opened = match &self.private {
            PrivateKey::X25519(k) => {
                open_with::<X25519Kem>(k, enc, &info, &mut plain, context, tag)
            }
            #[cfg(feature = "seal-xwing")]
            PrivateKey::XWing(k) => open_with::<XWingKem>(k, enc, &info, &mut plain, context, tag),
        };
        let result = match opened {
            Ok(()) => unpad(&plain),
            Err(_) => Err(OpenError::Authentication),
        };
        plain.zeroize();
        result
    }
}

/// One suite's half of [`SealKey::open`]: decapsulates `enc` and decrypts `body` in place.
fn open_with<K: Kem>(
    private_key: &K::PrivateKey,
    enc: &[u8],
    info: &[u8],
    body: &mut [u8],
    context: &[u8],
    tag: &[u8],
) -> Result<(), hpke::HpkeError> {
    let encapped = K::EncappedKey::from_bytes(enc)?;
    let tag = AeadTag::<ChaCha20Poly1305>::from_bytes(tag)?;
    hpke::single_shot_open_inout_detached::<ChaCha20Poly1305, HkdfSha256, K>(
        &OpModeR::Base,
        private_key,
        &encapped,
        info,
        InOutBuf::from(body),
        context,
        &tag,
    )
}

/// The number in an opened plaintext: strict E.164, then only zero bytes (E.164 has none).
fn unpad(plain: &[u8; PLAINTEXT_LEN]) -> Result<PhoneNumber, OpenError> {
    let len = plain.iter().position(|&b| b == 0).unwrap_or(PLAINTEXT_LEN);
    let (text, padding) = plain.split_at(len);
    if padding.iter().any(|&b| b != 0) {
        return Err(OpenError::NotE164);
    }
    crate::parse::parse_e164(text).map_err(|_| OpenError::NotE164)
}

impl ZeroizeOnDrop for SealKey {}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey")
            .field("suite", &self.suite())
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl<const MORE: usize> KeysetN<MORE> {
    /// The sealing public key of the primary key for `suite`: what devices seal to.
    ///
    /// ```
    /// use phonetoken::seal::Suite;
    ///
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// assert_eq!(ks.seal_public_key(Suite::X25519_SHA256_CHACHA20POLY1305).key_id(), 7);
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "seal")))]
    pub fn seal_public_key(&self, suite: Suite) -> SealPublicKey {
        let primary = self.primary_entry();
        SealKey::derive(suite, primary.id, &primary.token_key).public
    }

    /// The sealing key pair of key `key_id` for `suite` (see [Keys](crate::seal#keys)); keep
    /// it to open many envelopes of one key without deriving it each time.
    ///
    /// # Errors
    ///
    /// [`OpenError::UnknownKeyId`] if no key has this id; [`OpenError::KeyDisabled`] if it is
    /// disabled.
    ///
    /// ```
    /// use phonetoken::seal::{OpenError, Suite};
    ///
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
    /// assert_eq!(ks.seal_key(suite, 7)?.public_key(), &ks.seal_public_key(suite));
    /// assert_eq!(ks.seal_key(suite, 8).err(), Some(OpenError::UnknownKeyId { key_id: 8 }));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "seal")))]
    pub fn seal_key(&self, suite: Suite, key_id: u32) -> Result<SealKey, OpenError> {
        let entry = self
            .entries()
            .find(|e| e.id == key_id)
            .ok_or(OpenError::UnknownKeyId { key_id })?;
        if entry.status != KeyStatus::Enabled {
            return Err(OpenError::KeyDisabled { key_id });
        }
        Ok(SealKey::derive(suite, key_id, &entry.token_key))
    }

    /// The number inside `envelope`, opened with the key its header names (derived for the
    /// call: one HKDF and one `DeriveKeyPair` on top of the opening).
    ///
    /// # Errors
    ///
    /// Those of [`read_header`], then [`OpenError::UnknownKeyId`] / [`OpenError::KeyDisabled`]
    /// (before any secret is used), then [`OpenError::Authentication`] and
    /// [`OpenError::NotE164`] as [`SealKey::open`] gives them.
    ///
    /// ```
    /// # let ks = phonetoken::Keyset::new(7, phonetoken::PseudonymKey::from_bytes(&[1; 32])?, phonetoken::TokenKey::from_bytes(&[2; 64])?);
    /// let mut envelope = [0u8; 80];
    /// envelope[..11].copy_from_slice(&[1, 0, 0x20, 0, 1, 0, 3, 0, 0, 0, 7]);
    /// assert_eq!(ks.open_sealed(&envelope, b""), Err(phonetoken::seal::OpenError::Authentication));
    /// envelope[10] = 8;
    /// assert_eq!(ks.open_sealed(&envelope, b""), Err(phonetoken::seal::OpenError::UnknownKeyId { key_id: 8 }));
    /// # Ok::<(), phonetoken::KeyError>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "seal")))]
    pub fn open_sealed(&self, envelope: &[u8], context: &[u8]) -> Result<PhoneNumber, OpenError> {
        let header = read_header(envelope)?;
        self.seal_key(header.suite, header.key_id)?
            .open_checked(header, envelope, context)
    }
}

/// Why a public key was refused or a number could not be sealed.
///
/// ```
/// use phonetoken::seal::{SealError, SealPublicKey, Suite};
///
/// assert_eq!(SealPublicKey::new(Suite::X25519_SHA256_CHACHA20POLY1305, 1, &[]).unwrap_err().code(), "wrong-key-length");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum SealError {
    /// The public key has the wrong length for its suite.
    WrongKeyLength {
        /// The suite's public key length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The suite refuses the public key, or no shared secret can come from it.
    InvalidPublicKey,
    /// The output buffer is too short.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        found: usize,
    },
}

impl SealError {
    /// A short, stable name for the error.
    ///
    /// ```
    /// assert_eq!(phonetoken::seal::SealError::InvalidPublicKey.code(), "invalid-public-key");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SealError::WrongKeyLength { .. } => "wrong-key-length",
            SealError::InvalidPublicKey => "invalid-public-key",
            SealError::BufferTooSmall { .. } => "buffer-too-small",
        }
    }
}

impl From<hpke::HpkeError> for SealError {
    fn from(_: hpke::HpkeError) -> SealError {
        // Every `hpke` failure on the sealing side comes from the public key (parsing it, or an
        // all-zero shared secret): lengths were checked before the call.
        SealError::InvalidPublicKey
    }
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::WrongKeyLength { expected, found } => write!(
                f,
                "the sealing public key has {found} bytes but its suite's keys have {expected}: pass the key exactly as the server printed it"
            ),
            SealError::InvalidPublicKey => f.write_str(
                "the sealing public key is not a valid key of its suite: get the server's key again",
            ),
            SealError::BufferTooSmall { needed, found } => write!(
                f,
                "the output buffer has {found} bytes, fewer than the {needed} of an envelope: use a buffer of MAX_ENVELOPE_LEN bytes"
            ),
        }
    }
}

impl core::error::Error for SealError {}

/// Why an envelope could not be read or opened.
///
/// The variants before [`Authentication`](OpenError::Authentication) are about public bytes
/// and are safe to report in detail: a server tells a wrong key id or an unknown suite from a
/// forgery. Every cryptographic failure is `Authentication`.
///
/// ```
/// use phonetoken::seal::{read_header, OpenError};
///
/// assert_eq!(read_header(&[2; 80]), Err(OpenError::UnknownVersion { byte: 2 }));
/// assert_eq!(OpenError::Authentication.code(), "authentication-failed");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum OpenError {
    /// Fewer bytes than an envelope header (11).
    TooShort {
        /// The length found.
        len: usize,
    },
    /// The first byte is not a known envelope version (`0x01`).
    UnknownVersion {
        /// The first byte found.
        byte: u8,
    },
    /// The suite identifiers name no suite this build supports.
    UnknownSuite {
        /// The KEM id found.
        kem_id: u16,
        /// The KDF id found.
        kdf_id: u16,
        /// The AEAD id found.
        aead_id: u16,
    },
    /// The length is not that of the suite's envelopes.
    WrongLength {
        /// The suite's envelope length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// Keys stage: no key with this id. Checked before any secret is used.
    UnknownKeyId {
        /// The key id from the envelope.
        key_id: u32,
    },
    /// Keys stage: the key with this id is disabled in the keyset.
    KeyDisabled {
        /// The key id from the envelope.
        key_id: u32,
    },
    /// Keys stage: the envelope is of another suite than the [`SealKey`] opening it.
    SuiteMismatch {
        /// The key's suite.
        expected: Suite,
        /// The envelope's suite.
        found: Suite,
    },
    /// The envelope does not open: it was altered, or sealed to another key or under another
    /// context. Deliberately one variant for all of these.
    Authentication,
    /// The envelope opens but does not hold a canonical E.164 number padded with zeros.
    NotE164,
}

impl OpenError {
    /// A short, stable name for the error (`"authentication-failed"`, …), for counting and
    /// logging.
    ///
    /// ```
    /// assert_eq!(phonetoken::seal::OpenError::NotE164.code(), "not-e164");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::TooShort { .. } => "too-short",
            OpenError::UnknownVersion { .. } => "unknown-version",
            OpenError::UnknownSuite { .. } => "unknown-suite",
            OpenError::WrongLength { .. } => "wrong-length",
            OpenError::UnknownKeyId { .. } => "unknown-key-id",
            OpenError::KeyDisabled { .. } => "key-disabled",
            OpenError::SuiteMismatch { .. } => "suite-mismatch",
            OpenError::Authentication => "authentication-failed",
            OpenError::NotE164 => "not-e164",
        }
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::TooShort { len } => write!(
                f,
                "the envelope has {len} bytes, fewer than its {HEADER_LEN}-byte header: it was cut or is not a sealed number"
            ),
            OpenError::UnknownVersion { byte } => write!(
                f,
                "the envelope starts with byte {byte:#04x}, not the version 0x01 this build reads"
            ),
            OpenError::UnknownSuite { kem_id, kdf_id, aead_id } => write!(
                f,
                "the envelope's suite (KEM {kem_id:#06x}, KDF {kdf_id:#06x}, AEAD {aead_id:#06x}) is not one this build supports (X-Wing needs feature seal-xwing)"
            ),
            OpenError::WrongLength { expected, found } => write!(
                f,
                "the envelope has {found} bytes but its suite's envelopes have {expected}: it was cut or extended"
            ),
            OpenError::UnknownKeyId { key_id } => write!(
                f,
                "no key with id {key_id}: load the keyset whose key the number was sealed to"
            ),
            OpenError::KeyDisabled { key_id } => write!(
                f,
                "the key with id {key_id} is disabled: enable it in the keyset to open its envelopes"
            ),
            OpenError::SuiteMismatch { expected, found } => write!(
                f,
                "the envelope is sealed with {found}, but this key is for {expected}"
            ),
            OpenError::Authentication => f.write_str(
                "the envelope does not open: it was altered, or sealed to another key or under another context",
            ),
            OpenError::NotE164 => f.write_str(
                "the envelope opens but does not hold a canonical E.164 number: it was made by other software",
            ),
        }
    }
}

impl core::error::Error for OpenError {}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
            for b in d {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Counter {}

    /// Seals arbitrary plaintext bytes (not only E.164) with the envelope's layout.
    // One suite without X-Wing: the key pattern below cannot fail then.
    #[cfg_attr(not(feature = "seal-xwing"), allow(irrefutable_let_patterns))]
    fn seal_raw(key: &SealKey, plain: &[u8; PLAINTEXT_LEN], context: &[u8]) -> [u8; 80] {
        let mut out = [0u8; 80];
        let header = EnvelopeHeader {
            suite: key.suite(),
            key_id: key.key_id(),
        };
        out[..HEADER_LEN].copy_from_slice(&header.to_bytes());
        let (enc, rest) = out[HEADER_LEN..].split_at_mut(32);
        let (body, tag) = rest.split_at_mut(PLAINTEXT_LEN);
        body.copy_from_slice(plain);
        let PublicKey::X25519(pk) = &key.public.key else {
            unreachable!()
        };
        let t = seal_with::<X25519Kem, _>(pk, &header.info(), body, context, &mut Counter(0), enc)
            .unwrap();
        tag.copy_from_slice(&t.to_bytes());
        out
    }

    #[test]
    fn opened_plaintext_must_be_padded_strict_e164() {
        let key = SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 3, &[4; 32]);
        let pad = |s: &[u8]| {
            let mut p = [0u8; PLAINTEXT_LEN];
            p[..s.len()].copy_from_slice(s);
            p
        };
        let good = seal_raw(&key, &pad(b"+14155552671"), b"");
        assert_eq!(key.open(&good, b"").unwrap().as_str(), "+14155552671");
        for bad in [
            pad(b""),
            pad(b"14155552671"),
            pad(b"+1 4155552671"),
            pad(b"+0123"),
            pad(b"+999123456"),
            {
                let mut p = pad(b"+14155552671");
                p[20] = 1; // a non-zero byte in the padding
                p
            },
            {
                let mut p = pad(b"+14155552671");
                p[13] = b'1'; // text after a zero byte
                p
            },
            [b'1'; PLAINTEXT_LEN],
        ] {
            let envelope = seal_raw(&key, &bad, b"");
            assert_eq!(key.open(&envelope, b""), Err(OpenError::NotE164), "{bad:?}");
        }
    }

    #[test]
    fn low_order_public_key_is_refused_when_sealing() {
        // The all-zero point gives an all-zero X25519 output, which RFC 9180 §7.1.4 refuses.
        let pk = SealPublicKey::new(Suite::X25519_SHA256_CHACHA20POLY1305, 1, &[0; 32]).unwrap();
        let n: PhoneNumber = "+14155552671".parse().unwrap();
        let mut out = [0xaau8; 80];
        assert_eq!(
            pk.seal(&n, b"", &mut Counter(0), &mut out),
            Err(SealError::InvalidPublicKey)
        );
        assert_eq!(out, [0; 80], "the buffer is wiped on failure");
    }
}
