//! Pseudonyms through the public API, checked against the `hmac` crate (keyed per call).

use hmac::{KeyInit, Mac};
use phonetoken::{parse, Encoding, PhoneNumber, Pseudonym, PseudonymError, Pseudonymizer};
use proptest::prelude::*;

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn numbers() -> impl Strategy<Value = PhoneNumber> {
    let cc = prop::sample::select(vec!["1", "33", "44", "49", "81", "86", "91", "358", "800"]);
    (cc, "[0-9]{4,14}").prop_filter_map("not a number", |(cc, d)| {
        parse(&format!("+{cc}{d}"), None).ok()
    })
}

proptest! {
    #[test]
    fn differential_vs_hmac(key in prop::collection::vec(any::<u8>(), 32), n in numbers(), msg in prop::collection::vec(any::<u8>(), 0..300)) {
        let p = Pseudonymizer::new(&key).unwrap();
        prop_assert_eq!(p.pseudonymize(&n).as_bytes().to_vec(), hmac_sha256(&key, n.as_bytes()));
        prop_assert_eq!(p.pseudonymize_bytes(&msg).as_bytes().to_vec(), hmac_sha256(&key, &msg));
    }

    #[test]
    fn encodings_round_trip(bytes in prop::collection::vec(any::<u8>(), 8..=32)) {
        let p = Pseudonym::from_bytes(&bytes).unwrap();
        for enc in [Encoding::Base64Url, Encoding::Base64, Encoding::Hex] {
            let mut buf = [0u8; 64];
            let text = p.encode_into(enc, &mut buf).unwrap().to_owned();
            prop_assert_eq!(text.len(), p.encoded_len(enc));
            prop_assert_eq!(Pseudonym::decode(enc, &text), Ok(p));
            #[cfg(feature = "alloc")]
            prop_assert_eq!(p.to_string_in(enc), text);
        }
    }

    #[test]
    fn decode_never_panics(text in ".{0,100}") {
        for enc in [Encoding::Base64Url, Encoding::Base64, Encoding::Hex] {
            let _ = Pseudonym::decode(enc, &text);
        }
    }
}

#[test]
fn dlp_surrogate_is_padded_base64_of_the_hmac() {
    let key = [0x2au8; 32];
    let n: PhoneNumber = "+14155552671".parse().unwrap();
    let p = Pseudonymizer::new(&key).unwrap().pseudonymize(&n);
    let mut buf = [0u8; 44];
    let text = p.encode_into(Encoding::Base64, &mut buf).unwrap();
    let expected = base64_std(&hmac_sha256(&key, b"+14155552671"));
    assert_eq!(text, expected);
    assert_eq!(
        p.to_string(),
        expected
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_")
    );
}

/// A tiny independent standard-base64 encoder for the test above.
fn base64_std(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(v >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn truncation_rules() {
    let p = Pseudonymizer::new(&[1u8; 32])
        .unwrap()
        .pseudonymize_bytes(b"+33123456789");
    for len in 8..=32 {
        let t = p.truncate(len).unwrap();
        assert_eq!(t.as_bytes(), &p.as_bytes()[..len]);
        assert_ne!(t, p.truncate(if len == 8 { 9 } else { 8 }).unwrap());
    }
    for len in [0, 7, 33, usize::MAX] {
        assert_eq!(p.truncate(len), Err(PseudonymError::BadLength { len }));
    }
    let short = p.truncate(12).unwrap();
    assert_eq!(
        short.truncate(13),
        Err(PseudonymError::BadLength { len: 13 })
    );
}

#[test]
fn equal_pseudonyms_hash_equal() {
    use std::collections::HashSet;
    let p = Pseudonymizer::new(&[1u8; 32]).unwrap();
    let set: HashSet<Pseudonym> = ["+1", "+2", "+1"]
        .iter()
        .map(|m| p.pseudonymize_bytes(m.as_bytes()))
        .collect();
    assert_eq!(set.len(), 2);
}
