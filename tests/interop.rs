//! The Rust half of the interoperability check that `tools/interop/run.sh` drives (Tink,
//! Python `cryptography`, Python `hmac`/HKDF). Both tests are `#[ignore]`d and need
//! `PHONETOKEN_INTEROP_DIR`, the directory shared with the Python half.
//!
//! - `interop_write` writes a keyset (phonetoken JSON and Tink export), its per-purpose
//!   keyset, and `cases.json`: numbers, contexts, tokens and pseudonyms.
//!   It also writes a master key (`master_key.json`, a Tink AES-GCM keyset) and the keyset
//!   encrypted under it (`encrypted_keyset.json`), for Tink to open.
//! - `interop_read_tink_tokens` reads `tink_tokens.json` (tokens Tink made) and checks that
//!   phonetoken opens each to the expected number; then opens the encrypted keyset Tink
//!   wrote under a master key Tink made, and checks its tokens and pseudonyms.
#![cfg(feature = "std")]

use std::fs;
use std::path::PathBuf;

use phonetoken::encrypted_keyset::TinkAeadKey;
use phonetoken::{Encoding, KeyStatus, Keyset, PhoneNumber, PseudonymKey, TokenKey};
use serde_json::{json, Value};

const PURPOSE: &str = "contacts";

fn dir() -> PathBuf {
    PathBuf::from(
        std::env::var_os("PHONETOKEN_INTEROP_DIR")
            .expect("set PHONETOKEN_INTEROP_DIR (tools/interop/run.sh does)"),
    )
}

fn hex(bytes: &[u8]) -> String {
    Encoding::Hex.encode_string(bytes)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn contexts() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        b"contacts".to_vec(),
        vec![0xa5; 16],
        (0u8..=200).collect(),
    ]
}

fn numbers() -> Vec<PhoneNumber> {
    [
        "+14155552671",
        "+442079460958",
        "+33123456789",
        "+8613912345678",
        "+390612345678",
        "+80012345678",
    ]
    .iter()
    .map(|s| s.parse().expect("canonical E.164"))
    .collect()
}

#[test]
#[ignore = "run by tools/interop/run.sh"]
fn interop_write() {
    let dir = dir();
    let mut ks = Keyset::generate_os().expect("OS randomness");
    let old = ks.primary_key_id();
    ks.rotate(&mut rand_core::UnwrapErr(getrandom_rng::Os))
        .expect("rotate");
    // A disabled third key must not show up as usable in Tink either.
    ks.add_key(
        7,
        KeyStatus::Disabled,
        PseudonymKey::from_bytes(&[7; 32]).unwrap(),
        TokenKey::from_bytes(&[7; 64]).unwrap(),
    )
    .expect("add");
    // A creation time, which the encrypted keyset keeps in a field Tink does not define.
    ks.set_created(ks.primary_key_id(), Some(1_764_620_894))
        .expect("the primary's id");
    let purpose = ks.for_purpose(PURPOSE).expect("purpose");

    let mut cases = Vec::new();
    for n in numbers() {
        for ctx in contexts() {
            let token = ks.tokenize(&n, &ctx);
            let old_token = {
                // A token under the old (still enabled) key, as made before the rotation.
                let mut k2 = Keyset::from_json(&ks.to_json()).unwrap();
                k2.set_primary(old).unwrap();
                k2.tokenize(&n, &ctx)
            };
            cases.push(json!({
                "number": n.as_str(),
                "context_hex": hex(&ctx),
                "token": token.to_string(),
                "old_token": old_token.to_string(),
                "purpose_token": purpose.tokenize(&n, &ctx).to_string(),
                "pseudonyms_hex": ks.pseudonymize_all(&n).map(|(id, p)| json!([id, hex(p.as_bytes())])).collect::<Vec<_>>(),
                "purpose_pseudonym_hex": hex(purpose.pseudonymize(&n).as_bytes()),
            }));
        }
    }
    fs::write(dir.join("keyset.json"), ks.to_json().as_bytes()).unwrap();
    fs::write(dir.join("tink_keyset.json"), ks.to_tink_json().as_bytes()).unwrap();
    fs::write(
        dir.join("purpose_keyset.json"),
        purpose.to_json().as_bytes(),
    )
    .unwrap();
    fs::write(
        dir.join("purpose_tink_keyset.json"),
        purpose.to_tink_json().as_bytes(),
    )
    .unwrap();
    let master = TinkAeadKey::generate_os().expect("OS randomness");
    fs::write(
        dir.join("master_key.json"),
        master.to_tink_json().as_bytes(),
    )
    .unwrap();
    fs::write(
        dir.join("encrypted_keyset.json"),
        ks.to_encrypted_json(&master, b"").expect("seal").as_bytes(),
    )
    .unwrap();
    let doc = json!({ "purpose": PURPOSE, "primary_key_id": ks.primary_key_id(), "old_key_id": old, "cases": cases });
    fs::write(
        dir.join("cases.json"),
        serde_json::to_string_pretty(&doc).unwrap(),
    )
    .unwrap();
}

#[test]
#[ignore = "run by tools/interop/run.sh"]
fn interop_read_tink_tokens() {
    let dir = dir();
    let ks = Keyset::from_json(&fs::read_to_string(dir.join("keyset.json")).unwrap()).unwrap();
    let imported =
        Keyset::from_tink_json(&fs::read_to_string(dir.join("tink_keyset.json")).unwrap()).unwrap();
    let doc: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("tink_tokens.json")).unwrap()).unwrap();
    let mut checked = 0;
    for case in doc["tokens"].as_array().expect("tokens") {
        let n: PhoneNumber = case["number"].as_str().unwrap().parse().unwrap();
        let ctx = unhex(case["context_hex"].as_str().unwrap());
        let token = case["token_b64url"].as_str().unwrap();
        assert_eq!(ks.detokenize_str(token, &ctx), Ok(n), "Tink token {token}");
        assert_eq!(
            imported.detokenize_str(token, &ctx),
            Ok(n),
            "Tink token {token} via imported keyset"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} Tink tokens");
    println!("phonetoken opened {checked} Tink tokens");

    // A keyset Tink sealed under a master key Tink made.
    let master =
        TinkAeadKey::from_tink_json(&fs::read_to_string(dir.join("tink_master_key.json")).unwrap())
            .expect("Tink's master key file");
    let sealed: Keyset = Keyset::from_encrypted_json(
        &fs::read_to_string(dir.join("tink_encrypted_keyset.json")).unwrap(),
        &master,
        b"",
    )
    .expect("Tink's encrypted keyset");
    let doc: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("tink_encrypted_cases.json")).unwrap())
            .unwrap();
    assert_eq!(u64::from(sealed.primary_key_id()), doc["primary_key_id"]);
    let mut sealed_checked = 0;
    for case in doc["cases"].as_array().expect("cases") {
        let n: PhoneNumber = case["number"].as_str().unwrap().parse().unwrap();
        let ctx = unhex(case["context_hex"].as_str().unwrap());
        let token = case["token_b64url"].as_str().unwrap();
        assert_eq!(sealed.detokenize_str(token, &ctx), Ok(n), "token {token}");
        assert_eq!(
            hex(sealed.pseudonymize(&n).as_bytes()),
            case["mac_hex"],
            "MAC of {n}"
        );
        sealed_checked += 1;
    }
    assert!(sealed_checked >= 5, "only {sealed_checked} sealed cases");
    println!(
        "phonetoken opened Tink's encrypted keyset: {sealed_checked} tokens and pseudonyms agree"
    );
}

/// The OS generator as a `rand_core` generator, for `Keyset::rotate`.
mod getrandom_rng {
    pub struct Os;

    #[derive(Debug)]
    pub struct Failed;

    impl core::fmt::Display for Failed {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("OS randomness failed")
        }
    }

    impl core::error::Error for Failed {}

    impl rand_core::TryRng for Os {
        type Error = Failed;
        fn try_next_u32(&mut self) -> Result<u32, Failed> {
            let mut b = [0u8; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }
        fn try_next_u64(&mut self) -> Result<u64, Failed> {
            let mut b = [0u8; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Failed> {
            getrandom::fill(dst).map_err(|_| Failed)
        }
    }

    impl rand_core::TryCryptoRng for Os {}
}
