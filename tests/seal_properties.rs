//! Sealed numbers through the public API: round trips for arbitrary numbers and contexts,
//! fresh randomness per seal, every flipped bit refused, other contexts and keys refused,
//! hostile envelopes refused without a panic.
#![cfg(feature = "seal")]

use phonetoken::seal::{read_header, OpenError, SealKey, SealPublicKey, Suite, HEADER_LEN};
use phonetoken::{KeyStatus, Keyset, PhoneNumber, PseudonymKey, TokenKey};
use proptest::prelude::*;

mod strategies;

use strategies::numbers;

fn context() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..40),
        prop::collection::vec(any::<u8>(), 40..300)
    ]
}

fn suites() -> impl Strategy<Value = Suite> {
    prop::sample::select(Suite::ALL.to_vec())
}

fn keyset(id: u32, token_key: [u8; 64]) -> Keyset {
    Keyset::new(
        id,
        PseudonymKey::from_bytes(&[1; 32]).unwrap(),
        TokenKey::from_bytes(&token_key).unwrap(),
    )
}

fn seal(public: &SealPublicKey, n: &PhoneNumber, context: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; phonetoken::seal::MAX_ENVELOPE_LEN];
    public
        .seal(n, context, &mut rand::rng(), &mut buf)
        .unwrap()
        .to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn seal_then_open_gives_the_number(suite in suites(), n in numbers(), ctx in context(), id in any::<u32>(), tk in any::<[u8; 64]>()) {
        let ks = keyset(id, tk);
        let envelope = seal(&ks.seal_public_key(suite), &n, &ctx);
        prop_assert_eq!(envelope.len(), suite.envelope_len());
        let header = read_header(&envelope).unwrap();
        prop_assert_eq!((header.suite, header.key_id), (suite, id));
        let opened = ks.open_sealed(&envelope, &ctx).unwrap();
        prop_assert_eq!(opened, n);
        // Only strict E.164 comes out: the parser's fixed point, as the number went in.
        prop_assert_eq!(opened.as_str().parse::<PhoneNumber>(), Ok(n));
        prop_assert_eq!(ks.seal_key(suite, id).unwrap().open(&envelope, &ctx), Ok(n));
    }

    #[test]
    fn two_seals_of_one_number_differ(suite in suites(), n in numbers(), ctx in context()) {
        let public = keyset(5, [3; 64]).seal_public_key(suite);
        let (a, b) = (seal(&public, &n, &ctx), seal(&public, &n, &ctx));
        prop_assert_ne!(&a[HEADER_LEN..], &b[HEADER_LEN..]);
        prop_assert_eq!(&a[..HEADER_LEN], &b[..HEADER_LEN]);
    }

    #[test]
    fn another_context_or_key_fails(suite in suites(), n in numbers(), ctx in context(), other in context(), tk in any::<[u8; 64]>()) {
        let ks = keyset(9, tk);
        let envelope = seal(&ks.seal_public_key(suite), &n, &ctx);
        if other != ctx {
            prop_assert_eq!(ks.open_sealed(&envelope, &other), Err(OpenError::Authentication));
        }
        // Another key with the same id.
        let mut tk2 = tk;
        tk2[0] ^= 1;
        prop_assert_eq!(keyset(9, tk2).open_sealed(&envelope, &ctx), Err(OpenError::Authentication));
        // The same key material under another id is another key, and named as such.
        prop_assert_eq!(keyset(10, tk).open_sealed(&envelope, &ctx), Err(OpenError::UnknownKeyId { key_id: 9 }));
    }

    #[test]
    fn every_flipped_bit_is_refused(suite in suites(), n in numbers(), ctx in context(), at in any::<prop::sample::Index>(), bit in 0..8u8) {
        // Two keys whose ids differ in one bit: a flipped key-id bit names the other, existing
        // key, and still fails, because the header is bound into HPKE's info.
        let base: u32 = 0x1000_0000;
        let i = at.index(suite.envelope_len());
        let other_id = if (7..11).contains(&i) { base ^ (1 << ((10 - i) * 8 + usize::from(bit))) } else { base + 1 };
        let mut ks = keyset(base, [4; 64]);
        ks.add_key(other_id, KeyStatus::Enabled, PseudonymKey::from_bytes(&[1; 32]).unwrap(), TokenKey::from_bytes(&[5; 64]).unwrap()).unwrap();
        let mut envelope = seal(&ks.seal_public_key(suite), &n, &ctx);
        envelope[i] ^= 1 << bit;
        let result = ks.open_sealed(&envelope, &ctx);
        match i {
            0 => prop_assert_eq!(result, Err(OpenError::UnknownVersion { byte: 1 ^ (1 << bit) })),
            1..=6 => prop_assert!(matches!(result, Err(OpenError::UnknownSuite { .. })), "{result:?}"),
            _ => prop_assert_eq!(result, Err(OpenError::Authentication)),
        }
    }

    #[test]
    fn hostile_envelopes_are_refused_without_panic(suite in suites(), bytes in prop::collection::vec(any::<u8>(), 0..1300), keep_header in any::<bool>()) {
        let ks = keyset(7, [6; 64]);
        let mut envelope = bytes;
        if keep_header {
            // A valid header for the suite, then random bytes of the right length: only the
            // cryptography can refuse it.
            let public = ks.seal_public_key(suite);
            let n: PhoneNumber = "+14155552671".parse().unwrap();
            let good = seal(&public, &n, b"");
            envelope.resize(suite.envelope_len(), 0);
            envelope[..HEADER_LEN].copy_from_slice(&good[..HEADER_LEN]);
            prop_assert_eq!(ks.open_sealed(&envelope, b""), Err(OpenError::Authentication));
        } else {
            prop_assert!(ks.open_sealed(&envelope, b"").is_err());
        }
    }
}

#[test]
fn lengths_version_suite_and_keys_are_told_apart() {
    let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
    let mut ks = keyset(7, [6; 64]);
    let n: PhoneNumber = "+442079460958".parse().unwrap();
    let envelope = seal(&ks.seal_public_key(suite), &n, b"c");
    assert_eq!(
        ks.open_sealed(&envelope[..10], b"c"),
        Err(OpenError::TooShort { len: 10 })
    );
    assert_eq!(
        ks.open_sealed(&envelope[..79], b"c"),
        Err(OpenError::WrongLength {
            expected: 80,
            found: 79
        })
    );
    let longer = [&envelope[..], &[0]].concat();
    assert_eq!(
        ks.open_sealed(&longer, b"c"),
        Err(OpenError::WrongLength {
            expected: 80,
            found: 81
        })
    );
    let mut aes = envelope.clone();
    aes[6] = 0x01; // AES-128-GCM: a real suite, not one phonetoken seals with
    assert_eq!(
        ks.open_sealed(&aes, b"c"),
        Err(OpenError::UnknownSuite {
            kem_id: 0x20,
            kdf_id: 1,
            aead_id: 1
        })
    );
    // A key disabled after rotation no longer opens its envelopes, and says so.
    ks.add_key(
        8,
        KeyStatus::Enabled,
        PseudonymKey::from_bytes(&[1; 32]).unwrap(),
        TokenKey::from_bytes(&[2; 64]).unwrap(),
    )
    .unwrap();
    ks.set_primary(8).unwrap();
    assert_eq!(ks.open_sealed(&envelope, b"c"), Ok(n));
    ks.set_status(7, KeyStatus::Disabled).unwrap();
    assert_eq!(
        ks.open_sealed(&envelope, b"c"),
        Err(OpenError::KeyDisabled { key_id: 7 })
    );
    // A key of one suite does not take another suite's envelope with the same id.
    #[cfg(feature = "seal-xwing")]
    {
        let xwing = ks
            .seal_key(Suite::XWING_SHA256_CHACHA20POLY1305, 8)
            .unwrap();
        let e = seal(&ks.seal_public_key(suite), &n, b"c");
        assert_eq!(
            xwing.open(&e, b"c"),
            Err(OpenError::SuiteMismatch {
                expected: Suite::XWING_SHA256_CHACHA20POLY1305,
                found: suite
            })
        );
    }
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let key = SealKey::from_seed(Suite::X25519_SHA256_CHACHA20POLY1305, 3, &[0xab; 32]);
    let text = format!("{key:?} {:?}", key.public_key());
    assert!(!text.contains("ab"), "{text}");
    assert_eq!(
        text,
        "SealKey { suite: X25519_SHA256_CHACHA20POLY1305, key_id: 3, .. } SealPublicKey { suite: X25519_SHA256_CHACHA20POLY1305, key_id: 3, .. }"
    );
    let message = OpenError::Authentication.to_string();
    assert!(message.contains("does not open"));
}
