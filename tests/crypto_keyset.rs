//! Keysets: rotation, disabled keys, purposes, and (with `std`) the keyset files.

use phonetoken::{
    KeyStatus, Keyset, KeysetError, KeysetN, PhoneNumber, PseudonymKey, Pseudonymizer, TokenError,
    TokenKey,
};

fn keys(p: u8, t: u8) -> (PseudonymKey, TokenKey) {
    (
        PseudonymKey::from_bytes(&[p; 32]).unwrap(),
        TokenKey::from_bytes(&[t; 64]).unwrap(),
    )
}

fn keyset() -> Keyset {
    let (p, t) = keys(1, 2);
    let mut ks = Keyset::new(100, p, t);
    let (p, t) = keys(3, 4);
    ks.add_key(200, KeyStatus::Enabled, p, t).unwrap();
    let (p, t) = keys(5, 6);
    ks.add_key(300, KeyStatus::Disabled, p, t).unwrap();
    ks
}

fn n() -> PhoneNumber {
    "+442079460958".parse().unwrap()
}

#[test]
fn rotation_keeps_old_tokens_and_rekeys() {
    let mut ks = keyset();
    let old = ks.tokenize(&n(), b"c");
    assert_eq!(old.key_id(), 100);
    ks.set_primary(200).unwrap();
    assert_eq!(ks.detokenize(&old, b"c"), Ok(n()));
    let new = ks.rekey(&old, b"c").unwrap();
    assert_eq!(new.key_id(), 200);
    assert_ne!(new, old);
    assert_eq!(ks.detokenize(&new, b"c"), Ok(n()));
    assert_eq!(ks.rekey(&old, b"other"), Err(TokenError::Authentication));
    ks.remove_key(100).unwrap();
    assert_eq!(
        ks.detokenize(&old, b"c"),
        Err(TokenError::UnknownKeyId { key_id: 100 })
    );
}

#[test]
fn disabled_keys_do_not_open_or_pseudonymize() {
    let mut ks = keyset();
    let (p, t) = keys(5, 6);
    let t300 = KeysetN::<0>::new(300, p, t).tokenize(&n(), b"");
    assert_eq!(
        ks.detokenize(&t300, b""),
        Err(TokenError::KeyDisabled { key_id: 300 })
    );
    let ids: Vec<u32> = ks.pseudonymize_all(&n()).map(|(id, _)| id).collect();
    assert_eq!(ids, [100, 200]);
    ks.set_status(300, KeyStatus::Enabled).unwrap();
    assert_eq!(ks.detokenize(&t300, b""), Ok(n()));
    let all: Vec<_> = ks.pseudonymize_all(&n()).collect();
    assert_eq!(all.len(), 3);
    for (i, (id, p)) in all.iter().enumerate() {
        let key = [1 + 2 * i as u8; 32];
        assert_eq!(*id, [100, 200, 300][i]);
        assert_eq!(*p, Pseudonymizer::new(&key).unwrap().pseudonymize(&n()));
    }
}

#[test]
fn keyset_rules() {
    let mut ks = keyset();
    let (p, t) = keys(9, 9);
    assert_eq!(
        ks.add_key(200, KeyStatus::Enabled, p.clone(), t.clone()),
        Err(KeysetError::DuplicateKeyId { key_id: 200 })
    );
    assert_eq!(
        ks.set_primary(300),
        Err(KeysetError::KeyDisabled { key_id: 300 })
    );
    assert_eq!(
        ks.set_primary(999),
        Err(KeysetError::UnknownKeyId { key_id: 999 })
    );
    assert_eq!(
        ks.set_status(100, KeyStatus::Disabled),
        Err(KeysetError::IsPrimary { key_id: 100 })
    );
    assert_eq!(
        ks.remove_key(100),
        Err(KeysetError::IsPrimary { key_id: 100 })
    );
    let mut small: KeysetN<1> = KeysetN::new(1, p.clone(), t.clone());
    small
        .add_key(2, KeyStatus::Enabled, p.clone(), t.clone())
        .unwrap();
    assert_eq!(
        small.add_key(3, KeyStatus::Enabled, p, t),
        Err(KeysetError::Full { capacity: 2 })
    );
    assert!(!format!("{ks:?}").contains("1, 1, 1"));
}

#[test]
fn purposes_separate_and_are_stable() {
    let ks = keyset();
    let a = ks.for_purpose("contacts").unwrap();
    let b = ks.for_purpose("billing").unwrap();
    assert_ne!(a.pseudonymize(&n()), b.pseudonymize(&n()));
    assert_ne!(a.pseudonymize(&n()), ks.pseudonymize(&n()));
    let token = a.tokenize(&n(), b"");
    assert_eq!(b.detokenize(&token, b""), Err(TokenError::Authentication));
    assert_eq!(ks.detokenize(&token, b""), Err(TokenError::Authentication));
    assert_eq!(
        ks.for_purpose("contacts").unwrap().detokenize(&token, b""),
        Ok(n())
    );
    let ids: Vec<_> = a.keys().collect();
    assert_eq!(ids, ks.keys().collect::<Vec<_>>());
}

#[cfg(feature = "std")]
mod files {
    use super::*;
    use phonetoken::keyset_file::KeysetFileError;

    const P: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    const T: &str =
        "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg==";

    fn file(version: u32, primary: u32, keys: &str) -> String {
        format!(
            r#"{{"format": "phonetoken-keyset", "version": {version}, "primary_key_id": {primary}, "keys": [{keys}]}}"#
        )
    }

    fn key(id: u32, status: &str, p: &str, t: &str) -> String {
        format!(
            r#"{{"id": {id}, "status": "{status}", "pseudonym_key": "{p}", "token_key": "{t}"}}"#
        )
    }

    #[test]
    fn json_round_trip() {
        let ks = keyset();
        let json = ks.to_json();
        let back = Keyset::from_json(&json).unwrap();
        assert_eq!(back.to_json(), json);
        assert_eq!(
            back.keys().collect::<Vec<_>>(),
            ks.keys().collect::<Vec<_>>()
        );
        let token = ks.tokenize(&n(), b"x");
        assert_eq!(back.detokenize(&token, b"x"), Ok(n()));
        assert_eq!(back.pseudonymize(&n()), ks.pseudonymize(&n()));
        let one = Keyset::from_json(&file(1, 7, &key(7, "enabled", P, T))).unwrap();
        assert_eq!(
            one.pseudonymizer().pseudonymize_bytes(b"a"),
            Pseudonymizer::new(&[1; 32])
                .unwrap()
                .pseudonymize_bytes(b"a")
        );
    }

    #[test]
    fn a_missing_member_is_named() {
        let ok = key(7, "enabled", P, T);
        for (bad, field) in [
            (r#"{"format": "phonetoken-keyset"}"#.to_string(), "version"),
            (
                file(1, 7, &ok).replace("\"status\": \"enabled\", ", ""),
                "status",
            ),
            (
                file(1, 7, &ok).replace("\"primary_key_id\": 7, ", ""),
                "primary_key_id",
            ),
        ] {
            assert_eq!(
                Keyset::from_json(&bad).unwrap_err(),
                KeysetFileError::MissingField { field },
                "{bad}"
            );
        }
        let tink = r#"{"primaryKeyId": 1, "key": [{"status": "ENABLED", "keyId": 1, "outputPrefixType": "TINK"}]}"#;
        assert_eq!(
            Keyset::from_tink_json(tink).unwrap_err(),
            KeysetFileError::MissingField { field: "keyData" }
        );
    }

    #[test]
    fn json_rejections() {
        let ok = key(7, "enabled", P, T);
        let cases: Vec<(String, KeysetFileError)> = vec![
            (
                file(3, 7, &ok),
                KeysetFileError::UnsupportedVersion { version: 3 },
            ),
            (
                file(1, 7, &ok).replace("phonetoken-keyset", "tink"),
                KeysetFileError::UnknownFormat,
            ),
            (file(1, 7, ""), KeysetFileError::NoKeys),
            (
                file(1, 8, &ok),
                KeysetFileError::PrimaryNotFound { key_id: 8 },
            ),
            (
                file(1, 7, &key(7, "disabled", P, T)),
                KeysetFileError::PrimaryDisabled { key_id: 7 },
            ),
            (
                file(1, 7, &key(7, "on", P, T)),
                KeysetFileError::UnknownStatus { key_id: 7 },
            ),
            (
                file(1, 7, &format!("{ok}, {ok}")),
                KeysetFileError::DuplicateKeyId { key_id: 7 },
            ),
            (
                file(1, 7, &key(7, "enabled", "AQEB", T)),
                KeysetFileError::WrongKeyLength {
                    key_id: 7,
                    field: "pseudonym_key",
                    len: 3,
                },
            ),
            (
                file(1, 7, &key(7, "enabled", P, P)),
                KeysetFileError::WrongKeyLength {
                    key_id: 7,
                    field: "token_key",
                    len: 32,
                },
            ),
            (
                file(1, 7, &key(7, "enabled", "not base64!", T)),
                KeysetFileError::BadBase64 {
                    key_id: 7,
                    field: "pseudonym_key",
                },
            ),
            (
                file(1, 7, &key(7, "enabled", &P.replace('=', ""), T)),
                KeysetFileError::BadBase64 {
                    key_id: 7,
                    field: "pseudonym_key",
                },
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(Keyset::from_json(&json).err(), Some(expected), "{json}");
        }
        let nine: Vec<String> = (1..=9).map(|i| key(i, "enabled", P, T)).collect();
        assert_eq!(
            Keyset::from_json(&file(1, 1, &nine.join(","))).err(),
            Some(KeysetFileError::TooManyKeys { capacity: 8 })
        );
        for bad in [
            "",
            "{",
            "[]",
            "null",
            &file(1, 7, &ok).replace("\"keys\"", "\"extra\": 1, \"keys\""),
            &file(1, 7, &ok).replace("7,", "-7,"),
        ] {
            assert!(
                matches!(Keyset::from_json(bad), Err(KeysetFileError::Json { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn tink_export_and_import() {
        let ks = keyset();
        let tink = ks.to_tink_json();
        let v: serde_json::Value = serde_json::from_str(&tink).unwrap();
        assert_eq!(v["primaryKeyId"], 100);
        let k0 = &v["key"][0];
        assert_eq!(
            k0["keyData"]["typeUrl"],
            "type.googleapis.com/google.crypto.tink.AesSivKey"
        );
        assert_eq!(k0["keyData"]["keyMaterialType"], "SYMMETRIC");
        assert_eq!(k0["outputPrefixType"], "TINK");
        assert_eq!(k0["status"], "ENABLED");
        assert_eq!(v["key"][2]["status"], "DISABLED");
        // 0x12 0x40 followed by 64 bytes of 0x02: base64 of the serialized AesSivKey.
        let value = k0["keyData"]["value"].as_str().unwrap();
        assert!(
            value.starts_with("EkACAgIC") && value.len() == 88,
            "{value}"
        );

        let back = Keyset::from_tink_json(&tink).unwrap();
        let token = ks.tokenize(&n(), b"");
        assert_eq!(back.detokenize(&token, b""), Ok(n()));
        assert_eq!(back.to_tink_json(), tink);
        // Fresh pseudonym keys on import.
        assert_ne!(back.pseudonymize(&n()), ks.pseudonymize(&n()));
    }

    #[test]
    fn tink_rejections() {
        let good = keyset().to_tink_json().to_string();
        let cases: Vec<(String, KeysetFileError)> = vec![
            (
                good.replace("\"TINK\"", "\"RAW\""),
                KeysetFileError::UnsupportedOutputPrefix { key_id: 100 },
            ),
            (
                good.replace("AesSivKey", "AesGcmKey"),
                KeysetFileError::UnsupportedKeyType { key_id: 100 },
            ),
            (
                good.replace("SYMMETRIC", "REMOTE"),
                KeysetFileError::UnsupportedKeyType { key_id: 100 },
            ),
            (
                good.replacen("\"ENABLED\"", "\"DESTROYED\"", 1),
                KeysetFileError::UnknownStatus { key_id: 100 },
            ),
            (
                good.replacen("\"primaryKeyId\":100,", "", 1),
                KeysetFileError::NoPrimary,
            ),
            (
                good.replacen("\"primaryKeyId\":100", "\"primaryKeyId\":300", 1),
                KeysetFileError::PrimaryDisabled { key_id: 300 },
            ),
            (
                good.replacen("\"primaryKeyId\":100", "\"primaryKeyId\":1", 1),
                KeysetFileError::PrimaryNotFound { key_id: 1 },
            ),
            (
                good.replacen("\"keyId\":200", "\"keyId\":100", 1),
                KeysetFileError::DuplicateKeyId { key_id: 100 },
            ),
            (
                good.replacen("\"value\":\"EkAC", "\"value\":\"EkEC", 1),
                KeysetFileError::BadKeyData { key_id: 100 },
            ),
            (
                good.replacen("\"value\":\"EkAC", "\"value\":\"@kAC", 1),
                KeysetFileError::BadBase64 {
                    key_id: 100,
                    field: "keyData.value",
                },
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(
                Keyset::from_tink_json(&json).err(),
                Some(expected),
                "{json}"
            );
        }
        // A 32-byte AES-SIV key (version 0 written out explicitly): wrong length.
        let short = r#"{"primaryKeyId":1,"key":[{"keyData":{"typeUrl":"type.googleapis.com/google.crypto.tink.AesSivKey","value":"CAASIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","keyMaterialType":"SYMMETRIC"},"status":"ENABLED","keyId":1,"outputPrefixType":"TINK"}]}"#;
        assert_eq!(
            Keyset::from_tink_json(short).err(),
            Some(KeysetFileError::WrongKeyLength {
                key_id: 1,
                field: "key_value",
                len: 32
            })
        );
        assert!(matches!(
            Keyset::from_tink_json("{]"),
            Err(KeysetFileError::Json { .. })
        ));
    }

    #[test]
    fn hostile_json_never_panics() {
        use proptest::prelude::*;
        proptest!(|(s in ".{0,200}")| {
            let _ = Keyset::from_json(&s);
            let _ = Keyset::from_tink_json(&s);
        });
    }
}
