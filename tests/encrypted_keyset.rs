//! Encrypted keysets (Tink's encrypted-keyset format) and master keys in Tink AES-GCM
//! keyset files: round trips, every kind of tampering, and the format's edge cases.
//!
//! Interoperability with Tink itself (both directions) is `tools/interop/run.sh`'s; these
//! tests build the inner Tink keyset by hand where they need a malformed one, and seal it
//! with the `aes-gcm` crate directly, so no expected value comes from the code under test.
#![cfg(feature = "std")]

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64ct::Encoding as _;
use phonetoken::encrypted_keyset::{EncryptedKeysetError, MasterKey, MasterKeyError, TinkAeadKey};
use phonetoken::keyset_file::KeysetFileError;
use phonetoken::{KeyStatus, Keyset, PseudonymKey, TokenKey};

fn keyset() -> Keyset {
    let mut ks: Keyset = Keyset::new(
        0x0102_0304,
        PseudonymKey::from_bytes(&[1; 32]).unwrap(),
        TokenKey::from_bytes(&[2; 64]).unwrap(),
    );
    ks.add_key(
        9,
        KeyStatus::Disabled,
        PseudonymKey::from_bytes(&[3; 32]).unwrap(),
        TokenKey::from_bytes(&[4; 64]).unwrap(),
    )
    .unwrap();
    ks
}

/// A RAW AES-256-GCM master key with known bytes, as a Tink cleartext keyset.
const RAW_KEY: [u8; 32] = [0x42; 32];

fn raw_master_json() -> String {
    let mut proto = vec![0x1a, 32];
    proto.extend_from_slice(&RAW_KEY);
    format!(
        r#"{{"primaryKeyId": 5, "key": [{{"keyData": {{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": "{}", "keyMaterialType": "SYMMETRIC"}}, "status": "ENABLED", "keyId": 5, "outputPrefixType": "RAW"}}]}}"#,
        base64ct::Base64::encode_string(&proto)
    )
}

/// Seals `plain` as a RAW Tink AES-GCM key does: IV, ciphertext, tag (by the `aes-gcm` crate).
fn seal_raw(plain: &[u8], ad: &[u8]) -> Vec<u8> {
    let iv = [7u8; 12];
    let ct = Aes256Gcm::new_from_slice(&RAW_KEY)
        .unwrap()
        .encrypt(
            &iv.into(),
            Payload {
                msg: plain,
                aad: ad,
            },
        )
        .unwrap();
    [&iv[..], &ct].concat()
}

fn envelope(ciphertext: &[u8]) -> String {
    format!(
        r#"{{"encryptedKeyset": "{}"}}"#,
        base64ct::Base64::encode_string(ciphertext)
    )
}

/// A protobuf length-delimited field.
fn ld(field: u8, bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 128);
    [&[field << 3 | 2, bytes.len() as u8][..], bytes].concat()
}

fn varint_field(field: u8, mut v: u64) -> Vec<u8> {
    let mut out = vec![field << 3];
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

/// A Tink `Keyset.Key` message.
fn tink_key(url: &str, value: &[u8], status: u64, id: u32, prefix: u64) -> Vec<u8> {
    let data = [ld(1, url.as_bytes()), ld(2, value), varint_field(3, 1)].concat();
    [
        ld(1, &data),
        varint_field(2, status),
        varint_field(3, id.into()),
        varint_field(4, prefix),
    ]
    .concat()
}

const SIV: &str = "type.googleapis.com/google.crypto.tink.AesSivKey";
const HMAC: &str = "type.googleapis.com/google.crypto.tink.HmacKey";

fn siv_value(key: u8) -> Vec<u8> {
    [&[0x12, 64][..], &[key; 64]].concat()
}

fn hmac_value(key: u8, hash: u8, tag: u8) -> Vec<u8> {
    [&[0x12, 4, 0x08, hash, 0x10, tag, 0x1a, 32][..], &[key; 32]].concat()
}

/// A Tink `Keyset` of `keys` (each already a `Key` message), length-prefixed as field 2.
fn inner(primary: u32, keys: &[Vec<u8>]) -> Vec<u8> {
    let mut out = varint_field(1, primary.into());
    for k in keys {
        out.push(0x12);
        let mut len = k.len();
        while len >= 0x80 {
            out.push(len as u8 | 0x80);
            len >>= 7;
        }
        out.push(len as u8);
        out.extend_from_slice(k);
    }
    out
}

fn open(inner_keyset: &[u8]) -> Result<Keyset, EncryptedKeysetError> {
    let master = TinkAeadKey::from_tink_json(&raw_master_json()).unwrap();
    Keyset::from_encrypted_json(&envelope(&seal_raw(inner_keyset, b"")), &master, b"")
}

#[test]
fn a_keyset_round_trips_with_statuses_and_the_primary() {
    let ks = keyset();
    let master = TinkAeadKey::generate_os().unwrap();
    for ad in [&b""[..], b"billing"] {
        let sealed = ks.to_encrypted_json(&master, ad).unwrap();
        let back: Keyset = Keyset::from_encrypted_json(&sealed, &master, ad).unwrap();
        assert_eq!(back.to_json(), ks.to_json());
        let other = if ad.is_empty() { &b"x"[..] } else { b"" };
        assert_eq!(
            Keyset::from_encrypted_json(&sealed, &master, other).unwrap_err(),
            EncryptedKeysetError::MasterKey(MasterKeyError::Decrypt)
        );
    }
    // Neither key's bytes appear in the file.
    let sealed = ks.to_encrypted_json(&master, b"").unwrap();
    for secret in [[1u8; 32].as_slice(), &[2; 64], &[3; 32], &[4; 64]] {
        assert!(!sealed.contains(&base64ct::Base64::encode_string(secret)[..20]));
    }
}

#[test]
fn a_hand_built_inner_keyset_opens_to_its_keys() {
    let keys = [
        tink_key(SIV, &siv_value(2), 1, 77, 1),
        tink_key(HMAC, &hmac_value(1, 3, 32), 1, !77, 3),
        // A destroyed key holds nothing and is skipped.
        tink_key(SIV, &[], 3, 78, 1),
    ];
    let ks = open(&inner(77, &keys)).unwrap();
    let expected: Keyset = Keyset::new(
        77,
        PseudonymKey::from_bytes(&[1; 32]).unwrap(),
        TokenKey::from_bytes(&[2; 64]).unwrap(),
    );
    assert_eq!(ks.to_json(), expected.to_json());
}

#[test]
fn malformed_inner_keysets_get_precise_errors() {
    let siv = |status, id| tink_key(SIV, &siv_value(2), status, id, 1);
    let mac = |status, id| tink_key(HMAC, &hmac_value(1, 3, 32), status, id, 3);
    let cases: Vec<(Vec<u8>, EncryptedKeysetError)> = vec![
        (
            inner(77, &[siv(1, 77)]),
            EncryptedKeysetError::Unpaired { key_id: 77 },
        ),
        (
            inner(77, &[siv(1, 77), mac(2, !77)]),
            EncryptedKeysetError::Unpaired { key_id: 77 },
        ),
        (
            inner(77, &[mac(1, !77)]),
            EncryptedKeysetError::Unpaired { key_id: 77 },
        ),
        (
            inner(5, &[siv(1, 77), mac(1, !77)]),
            EncryptedKeysetError::Keyset(KeysetFileError::PrimaryNotFound { key_id: 5 }),
        ),
        (
            inner(77, &[siv(2, 77), mac(2, !77)]),
            EncryptedKeysetError::Keyset(KeysetFileError::PrimaryDisabled { key_id: 77 }),
        ),
        (
            inner(
                77,
                &[siv(1, 77), tink_key(HMAC, &hmac_value(1, 4, 32), 1, !77, 3)],
            ),
            EncryptedKeysetError::UnsupportedKey { key_id: !77 },
        ),
        (
            inner(
                77,
                &[siv(1, 77), tink_key(HMAC, &hmac_value(1, 3, 16), 1, !77, 3)],
            ),
            EncryptedKeysetError::UnsupportedKey { key_id: !77 },
        ),
        (
            inner(77, &[tink_key(SIV, &siv_value(2), 1, 77, 3), mac(1, !77)]),
            EncryptedKeysetError::UnsupportedKey { key_id: 77 },
        ),
        (
            inner(
                77,
                &[tink_key(
                    "type.googleapis.com/google.crypto.tink.AesGcmKey",
                    &[0x1a, 0],
                    1,
                    77,
                    1,
                )],
            ),
            EncryptedKeysetError::UnsupportedKey { key_id: 77 },
        ),
        (
            inner(
                77,
                &[tink_key(SIV, &[0x12, 32, 0, 0], 1, 77, 1), mac(1, !77)],
            ),
            EncryptedKeysetError::BadKey { key_id: 77 },
        ),
        (
            inner(77, &[siv(0, 77), mac(1, !77)]),
            EncryptedKeysetError::BadKey { key_id: 77 },
        ),
        (
            inner(77, &[]),
            EncryptedKeysetError::Keyset(KeysetFileError::NoKeys),
        ),
        (
            inner(77, &[siv(1, 77), mac(1, !77), siv(1, 77), mac(1, !77)]),
            EncryptedKeysetError::Keyset(KeysetFileError::DuplicateKeyId { key_id: 77 }),
        ),
        (vec![0xff; 3], EncryptedKeysetError::BadInnerKeyset),
        (vec![0x12, 0x50, 1], EncryptedKeysetError::BadInnerKeyset),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            open(&bytes).map(|_| ()),
            Err(expected.clone()),
            "{bytes:02x?}"
        );
    }
    // More keys than the keyset type holds.
    let many: Vec<Vec<u8>> = (1..=9u32)
        .flat_map(|id| [siv(1, id), mac(1, !id)])
        .collect();
    assert_eq!(
        open(&inner(1, &many)).map(|_| ()),
        Err(EncryptedKeysetError::Keyset(KeysetFileError::TooManyKeys {
            capacity: 8
        }))
    );
}

#[test]
fn tampering_with_the_file_is_refused() {
    let ks = keyset();
    let master = TinkAeadKey::generate_os().unwrap();
    let sealed = ks.to_encrypted_json(&master, b"").unwrap();
    let json: serde_json::Value = serde_json::from_str(&sealed).unwrap();
    let ct = base64ct::Base64::decode_vec(json["encryptedKeyset"].as_str().unwrap()).unwrap();
    // Every byte of the ciphertext, flipped.
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x01;
        let mut doc = json.clone();
        doc["encryptedKeyset"] = base64ct::Base64::encode_string(&bad).into();
        assert_eq!(
            Keyset::from_encrypted_json(&doc.to_string(), &master, b"").unwrap_err(),
            EncryptedKeysetError::MasterKey(MasterKeyError::Decrypt),
            "byte {i}"
        );
    }
    // keysetInfo is not encrypted: a changed status, id or primary is caught.
    for (path, value) in [
        ("/keysetInfo/keyInfo/2/status", "ENABLED".into()),
        ("/keysetInfo/keyInfo/0/keyId", 1.into()),
        ("/keysetInfo/primaryKeyId", 9.into()),
    ] {
        let mut doc = json.clone();
        *doc.pointer_mut(path).unwrap() = value;
        assert_eq!(
            Keyset::from_encrypted_json(&doc.to_string(), &master, b"").unwrap_err(),
            EncryptedKeysetError::InfoMismatch,
            "{path}"
        );
    }
    // Without keysetInfo it still opens (Tink does not require it).
    let mut doc = json.clone();
    doc.as_object_mut().unwrap().remove("keysetInfo");
    assert!(Keyset::from_encrypted_json(&doc.to_string(), &master, b"").is_ok());
    // Unknown fields, bad base64, a plain keyset, and a huge file.
    let mut doc = json.clone();
    doc["extra"] = 1.into();
    assert!(matches!(
        Keyset::from_encrypted_json(&doc.to_string(), &master, b""),
        Err(EncryptedKeysetError::Json { .. })
    ));
    assert_eq!(
        Keyset::from_encrypted_json(r#"{"encryptedKeyset": "not base64!"}"#, &master, b"")
            .unwrap_err(),
        EncryptedKeysetError::BadCiphertext
    );
    assert!(matches!(
        Keyset::from_encrypted_json(&ks.to_json(), &master, b""),
        Err(EncryptedKeysetError::Json { .. })
    ));
    let huge = format!(r#"{{"encryptedKeyset": "{}"}}"#, "A".repeat(1 << 20));
    assert_eq!(
        Keyset::from_encrypted_json(&huge, &master, b"").unwrap_err(),
        EncryptedKeysetError::TooLarge
    );
}

#[test]
fn complementary_ids_cannot_be_written() {
    let mut ks = keyset();
    ks.add_key(
        !9,
        KeyStatus::Enabled,
        PseudonymKey::from_bytes(&[5; 32]).unwrap(),
        TokenKey::from_bytes(&[6; 64]).unwrap(),
    )
    .unwrap();
    let master = TinkAeadKey::generate_os().unwrap();
    assert!(matches!(
        ks.to_encrypted_json(&master, b""),
        Err(EncryptedKeysetError::IdClash {
            key_id: 9 | 0xffff_fff6
        })
    ));
}

#[test]
fn master_keys_seal_as_tink_does_and_refuse_bad_files() {
    // RAW: what the aes-gcm crate seals, the master key opens, and the other way round.
    let master = TinkAeadKey::from_tink_json(&raw_master_json()).unwrap();
    assert_eq!(
        &*master.decrypt(&seal_raw(b"hello", b"ad"), b"ad").unwrap(),
        b"hello"
    );
    let sealed = master.encrypt(b"hello", b"ad").unwrap();
    let (iv, ct) = sealed.split_at(12);
    let cipher = Aes256Gcm::new_from_slice(&RAW_KEY).unwrap();
    let iv: [u8; 12] = iv.try_into().unwrap();
    assert_eq!(
        cipher
            .decrypt(
                &iv.into(),
                Payload {
                    msg: ct,
                    aad: b"ad"
                }
            )
            .unwrap(),
        b"hello"
    );
    assert_ne!(
        master.encrypt(b"hello", b"ad").unwrap(),
        sealed,
        "a fresh IV each time"
    );
    // TINK prefix: 0x01 and the key id, then the same layout.
    let tink = TinkAeadKey::generate_os().unwrap();
    let sealed = tink.encrypt(b"x", b"").unwrap();
    assert_eq!(sealed[0], 1);
    assert_eq!(
        u32::from_be_bytes(sealed[1..5].try_into().unwrap()),
        tink.primary_key_id()
    );
    assert_eq!(sealed.len(), 5 + 12 + 1 + 16);
    assert_eq!(tink.decrypt(&sealed, b"").unwrap().as_slice(), b"x");
    assert_eq!(
        master.decrypt(&sealed, b"").unwrap_err(),
        MasterKeyError::Decrypt
    );
    for short in [&[][..], &[1, 2, 3], &[0; 27]] {
        assert_eq!(
            master.decrypt(short, b"").unwrap_err(),
            MasterKeyError::Decrypt
        );
    }
    // Debug shows no key.
    let debug = format!("{master:?}");
    assert!(
        !debug.contains("66") && debug.contains("primary_key_id"),
        "{debug}"
    );

    let json = raw_master_json();
    for (from, to, expected) in [
        (
            "AesGcmKey",
            "AesSivKey",
            EncryptedKeysetError::UnsupportedKey { key_id: 5 },
        ),
        (
            "\"RAW\"",
            "\"LEGACY\"",
            EncryptedKeysetError::UnsupportedKey { key_id: 5 },
        ),
        (
            "\"ENABLED\"",
            "\"DISABLED\"",
            EncryptedKeysetError::Keyset(KeysetFileError::PrimaryDisabled { key_id: 5 }),
        ),
        (
            "\"primaryKeyId\": 5",
            "\"primaryKeyId\": 6",
            EncryptedKeysetError::Keyset(KeysetFileError::PrimaryNotFound { key_id: 6 }),
        ),
        (
            "\"primaryKeyId\": 5,",
            "",
            EncryptedKeysetError::Keyset(KeysetFileError::NoPrimary),
        ),
        (
            "\"ENABLED\"",
            "\"UNKNOWN\"",
            EncryptedKeysetError::BadKey { key_id: 5 },
        ),
    ] {
        assert_eq!(
            TinkAeadKey::from_tink_json(&json.replace(from, to)).unwrap_err(),
            expected,
            "{to}"
        );
    }
    let short_key = json.replace(
        &base64ct::Base64::encode_string(&[&[0x1a, 32][..], &RAW_KEY].concat()),
        &base64ct::Base64::encode_string(&[&[0x1a, 24][..], &[0u8; 24]].concat()),
    );
    assert_eq!(
        TinkAeadKey::from_tink_json(&short_key).unwrap_err(),
        EncryptedKeysetError::BadKey { key_id: 5 }
    );
}

#[test]
fn creation_times_survive_both_file_formats() {
    let mut ks = keyset();
    ks.set_created(0x0102_0304, Some(1_764_620_894)).unwrap();
    // Plain JSON: version 2 with the member; without any time, version 1 as before.
    let json = ks.to_json();
    assert!(
        json.contains("\"version\": 2") && json.contains("\"created\": 1764620894"),
        "{}",
        *json
    );
    let back = Keyset::from_json(&json).unwrap();
    assert!(back.keys().eq(ks.keys()));
    assert!(keyset().to_json().contains("\"version\": 1"));
    let v1 = json.replace("\"version\": 2", "\"version\": 1");
    assert_eq!(
        Keyset::from_json(&v1).unwrap_err(),
        phonetoken::keyset_file::KeysetFileError::CreatedInVersion1 {
            key_id: 0x0102_0304
        }
    );
    let v3 = json.replace("\"version\": 2", "\"version\": 3");
    assert_eq!(
        Keyset::from_json(&v3).unwrap_err(),
        phonetoken::keyset_file::KeysetFileError::UnsupportedVersion { version: 3 }
    );
    // Encrypted: field 1000 of the token key's Tink `Key`.
    let master = TinkAeadKey::from_tink_json(&raw_master_json()).unwrap();
    let sealed = ks.to_encrypted_json(&master, b"").unwrap();
    let opened = Keyset::from_encrypted_json(&sealed, &master, b"").unwrap();
    assert!(opened.keys().eq(ks.keys()));
    let json: serde_json::Value = serde_json::from_str(&sealed).unwrap();
    let ct = base64ct::Base64::decode_vec(json["encryptedKeyset"].as_str().unwrap()).unwrap();
    let cipher = Aes256Gcm::new_from_slice(&RAW_KEY).unwrap();
    let iv: [u8; 12] = ct[..12].try_into().unwrap();
    let plain = cipher
        .decrypt(
            &iv.into(),
            Payload {
                msg: &ct[12..],
                aad: b"",
            },
        )
        .unwrap();
    let mut field = vec![0xc0, 0x3e];
    let mut v = 1_764_620_894u64;
    while v >= 0x80 {
        field.push(v as u8 | 0x80);
        v >>= 7;
    }
    field.push(v as u8);
    assert!(
        plain.windows(field.len()).any(|w| w == field),
        "field 1000 holds the time"
    );
    // A hand-built key with the field reads back the time.
    let key = [tink_key(SIV, &siv_value(2), 1, 77, 1), field.clone()].concat();
    let keys = [key, tink_key(HMAC, &hmac_value(1, 3, 32), 1, !77, 3)];
    let ks = open(&inner(77, &keys)).unwrap();
    assert_eq!(ks.keys().next().unwrap().created, Some(1_764_620_894));
}
