//! HMAC-SHA256 vectors through the public pseudonym API.
//!
//! Wycheproof `hmac_sha256_test.json` (C2SP Wycheproof, Apache-2.0; see
//! `tests/data/VECTORS.md`): every group with 256-bit keys, the key size pseudonym keys have.
//! Valid cases must reproduce the tag (truncated to the group's tag size); invalid cases carry a
//! modified tag, which the pseudonym must not match.

use phonetoken::{Pseudonym, Pseudonymizer};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    #[serde(rename = "testGroups")]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(rename = "keySize")]
    key_size: usize,
    #[serde(rename = "tagSize")]
    tag_size: usize,
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "tcId")]
    id: u32,
    key: String,
    msg: String,
    tag: String,
    result: String,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn wycheproof_hmac_sha256_256_bit_keys() {
    let file: File =
        serde_json::from_str(include_str!("data/hmac_sha256_wycheproof.json")).expect("json");
    let (mut valid, mut invalid) = (0, 0);
    for group in file.groups.iter().filter(|g| g.key_size == 256) {
        for case in &group.tests {
            let p = Pseudonymizer::new(&unhex(&case.key)).expect("32-byte key");
            let full = p.pseudonymize_bytes(&unhex(&case.msg));
            let tag = unhex(&case.tag);
            let ours = &full.as_bytes()[..group.tag_size / 8];
            match case.result.as_str() {
                "valid" => {
                    assert_eq!(ours, &tag[..], "tcId {}", case.id);
                    // The same comparison through the constant-time `Pseudonym` equality.
                    let expected = Pseudonym::from_bytes(&tag).expect("8..=32 bytes");
                    assert_eq!(full.truncate(tag.len()).expect("len"), expected);
                    valid += 1;
                }
                _ => {
                    assert_ne!(ours, &tag[..], "tcId {}", case.id);
                    invalid += 1;
                }
            }
        }
    }
    assert_eq!((valid, invalid), (54, 108), "cases run");
}
