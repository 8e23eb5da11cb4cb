//! The self-test's inputs, keys and seeds: shared, by `#[path]`, by the firmware, its build
//! script (which computes the OPRF server's responses on the host) and the host checker
//! (tools/firmware/check), so that all three use the same values.
//!
//! TEST KEYS AND SEEDS ONLY, NEVER FOR REAL DATA: they are public (they are in this file).
//! Real firmware reads its keys from a secure element or a provisioned, per-device flash page,
//! pins the server's real public keys, and draws blinds and ephemeral keys from a hardware RNG.
#![allow(dead_code)] // each includer uses its own part

/// TEST KEY ONLY: the HMAC-SHA256 pseudonym key.
pub const TEST_PSEUDONYM_KEY: [u8; 32] = [0x11; 32];
/// TEST KEY ONLY: the AES-256-SIV token key.
pub const TEST_TOKEN_KEY: [u8; 64] = [0x22; 64];
/// The key id written into tokens (Tink's key id of the token key).
pub const TEST_KEY_ID: u32 = 1;
/// Associated data of the tokens.
pub const TOKEN_CONTEXT: &[u8] = b"keypad";

/// The number as typed on the keypad, and the device's default region.
pub const TYPED: (&str, &str) = ("020 7946 0958", "GB");

/// A message typed on the device (features `find`), with two numbers in it and a date that is
/// not one; its numbers are found with the default region of [`TYPED`].
pub const MESSAGE: &str = "Ring me on 020 7946 0958 or +44 7700 900123 after 6pm, not 3/10/2011.";

/// The contacts blinded as one batch (national forms, with their regions).
pub const BATCH: [(&str, &str); 3] = [
    ("(415) 555-2671", "US"),
    ("01 23 45 67 89", "FR"),
    ("0491 570 156", "AU"),
];

/// TEST KEY ONLY: the OPRF server's `DeriveKeyPair` seed and key info (RFC 9497 §3.2.1).
pub const TEST_OPRF_SEED: [u8; 32] = [0x33; 32];
/// The `keyInfo` of the test OPRF key.
pub const TEST_OPRF_KEY_INFO: &[u8] = b"phonetoken firmware self-test";
/// The OPRF key id.
pub const TEST_OPRF_KEY_ID: u32 = 5;

/// TEST KEY ONLY: the seed of the HPKE key pair the device seals to.
pub const TEST_SEAL_SEED: [u8; 32] = [0x44; 32];
/// The sealing key id.
pub const TEST_SEAL_KEY_ID: u32 = 9;
/// Associated data of the sealed number.
pub const SEAL_CONTEXT: &[u8] = b"activation";

/// TEST SEEDS ONLY: the deterministic RNG (`test_rng.rs`) seeds, one per use, so that the
/// host can replay the device's blinds without replaying the order of every draw.
pub const RNG_SEED_BLIND_ONE: u64 = 0x0001_5eed;
/// Seed of the batch's blinds.
pub const RNG_SEED_BLIND_BATCH: u64 = 0x0002_5eed;
/// Seed of the sealing's ephemeral key.
pub const RNG_SEED_SEAL: u64 = 0x0003_5eed;
/// Seed of the X-Wing sealing's randomness (feature `seal-xwing`).
pub const RNG_SEED_SEAL_XWING: u64 = 0x0005_5eed;
/// Seed of the server's proof randomness (host only).
pub const RNG_SEED_PROOF: u64 = 0x0004_5eed;
