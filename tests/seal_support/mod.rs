//! Helpers of the sealing tests: a generator that replays fixed bytes (to fix an ephemeral
//! key from a test), and RFC 9180 written out independently of phonetoken and of `hpke`
//! (DHKEM(X25519, HKDF-SHA256) on `x25519-dalek`, the key schedule on `hkdf`, the AEAD on
//! `chacha20poly1305`), to compute expected envelopes.
#![allow(dead_code)] // each test file uses its own subset

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use sha2::Sha256;

/// Gives the bytes it was made with, in order, then panics: a test that asks for more
/// randomness than it planned fails loudly.
pub struct Replay {
    bytes: Vec<u8>,
    at: usize,
}

impl Replay {
    pub fn new(bytes: &[u8]) -> Replay {
        Replay {
            bytes: bytes.to_vec(),
            at: 0,
        }
    }

    /// Whether every byte was used.
    pub fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

impl rand_core::TryRng for Replay {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let end = self.at + dst.len();
        dst.copy_from_slice(&self.bytes[self.at..end]);
        self.at = end;
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Replay {}

pub fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// RFC 9180 §4: LabeledExtract.
fn labeled_extract(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Vec<u8> {
    let labeled = [b"HPKE-v1".as_slice(), suite_id, label, ikm].concat();
    Hkdf::<Sha256>::extract(Some(salt), &labeled).0.to_vec()
}

/// RFC 9180 §4: LabeledExpand.
fn labeled_expand(suite_id: &[u8], prk: &[u8], label: &[u8], info: &[u8], len: u16) -> Vec<u8> {
    let labeled = [
        &len.to_be_bytes(),
        b"HPKE-v1".as_slice(),
        suite_id,
        label,
        info,
    ]
    .concat();
    let mut out = vec![0; usize::from(len)];
    Hkdf::<Sha256>::from_prk(prk)
        .unwrap()
        .expand(&labeled, &mut out)
        .unwrap();
    out
}

const X25519_KEM_SUITE: &[u8] = b"KEM\x00\x20";

/// RFC 9180 §7.1.3: DeriveKeyPair for X25519 (the private key; X25519 clamps it).
pub fn x25519_derive_private(ikm: &[u8]) -> [u8; 32] {
    let prk = labeled_extract(X25519_KEM_SUITE, b"", b"dkp_prk", ikm);
    labeled_expand(X25519_KEM_SUITE, &prk, b"sk", b"", 32)
        .try_into()
        .unwrap()
}

pub fn x25519_public(private: &[u8; 32]) -> [u8; 32] {
    x25519_dalek::x25519(*private, x25519_dalek::X25519_BASEPOINT_BYTES)
}

/// RFC 9180 §4.1: Encap with a given ephemeral private key: (shared secret, enc).
pub fn x25519_encap(ephemeral: &[u8; 32], recipient: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let dh = x25519_dalek::x25519(*ephemeral, *recipient);
    let enc = x25519_public(ephemeral);
    let prk = labeled_extract(X25519_KEM_SUITE, b"", b"eae_prk", &dh);
    let context = [enc.as_slice(), recipient].concat();
    let secret = labeled_expand(X25519_KEM_SUITE, &prk, b"shared_secret", &context, 32);
    (secret.try_into().unwrap(), enc)
}

/// The HPKE suite id of a KEM with HKDF-SHA256 and ChaCha20Poly1305.
pub fn suite_id(kem_id: u16) -> Vec<u8> {
    [b"HPKE".as_slice(), &kem_id.to_be_bytes(), &[0, 1, 0, 3]].concat()
}

/// RFC 9180 §5.1: KeySchedule in base mode: (key, base nonce).
pub fn key_schedule(kem_id: u16, shared_secret: &[u8], info: &[u8]) -> ([u8; 32], [u8; 12]) {
    let suite = suite_id(kem_id);
    let psk_id_hash = labeled_extract(&suite, b"", b"psk_id_hash", b"");
    let info_hash = labeled_extract(&suite, b"", b"info_hash", info);
    let context = [&[0u8][..], &psk_id_hash, &info_hash].concat();
    let secret = labeled_extract(&suite, shared_secret, b"secret", b"");
    let key = labeled_expand(&suite, &secret, b"key", &context, 32);
    let nonce = labeled_expand(&suite, &secret, b"base_nonce", &context, 12);
    (key.try_into().unwrap(), nonce.try_into().unwrap())
}

/// ChaCha20-Poly1305: ciphertext then tag.
pub fn chacha_seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = ChaCha20Poly1305::new(key.into());
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(nonce.into(), aad, buf.as_mut_slice().into())
        .unwrap();
    buf.extend_from_slice(&tag);
    buf
}

/// The 11-byte envelope header and the HPKE `info` of an envelope.
pub fn header_and_info(kem_id: u16, key_id: u32) -> (Vec<u8>, Vec<u8>) {
    let header = [
        &[1u8][..],
        &kem_id.to_be_bytes(),
        &[0, 1, 0, 3],
        &key_id.to_be_bytes(),
    ]
    .concat();
    let info = [b"phonetoken-seal-v1".as_slice(), &header].concat();
    (header, info)
}

/// The sealed plaintext: the E.164 string padded with zeros to 21 bytes.
pub fn padded(e164: &str) -> Vec<u8> {
    let mut p = e164.as_bytes().to_vec();
    p.resize(21, 0);
    p
}
