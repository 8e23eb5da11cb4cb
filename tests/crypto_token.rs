//! Tokens through the public API: round trips, determinism, tampering, hostile input, and the
//! token bytes checked against the `aes-siv` crate (RFC 5297) as an independent oracle.

use aes_siv::siv::Aes256Siv;
use aes_siv::KeyInit as _;
use phonetoken::{PhoneNumber, Token, TokenError, Tokenizer};
use proptest::prelude::*;

mod strategies;

use strategies::numbers;

fn context() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..15),
        prop::collection::vec(any::<u8>(), 16..300)
    ]
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_and_determinism(n in numbers(), ctx in context(), key in key(), id in any::<u32>()) {
        let t = Tokenizer::new(id, &key).unwrap();
        let token = t.tokenize(&n, &ctx);
        prop_assert_eq!(t.tokenize(&n, &ctx), token);
        prop_assert_eq!(t.detokenize(&token, &ctx), Ok(n));
        // Equality is on the E.164 text; the parts must come back too.
        let back = t.detokenize(&token, &ctx).unwrap();
        prop_assert_eq!(back.country_code(), n.country_code());
        prop_assert_eq!(back.national_number(), n.national_number());
        // Text form round trip.
        let text = token.to_string();
        prop_assert!(text.len() <= phonetoken::MAX_TOKEN_TEXT_LEN);
        prop_assert_eq!(t.detokenize_str(&text, &ctx), Ok(n));
    }

    #[test]
    fn token_bytes_are_tink_prefix_plus_rfc5297(n in numbers(), ctx in context(), key in key(), id in any::<u32>()) {
        let token = Tokenizer::new(id, &key).unwrap().tokenize(&n, &ctx);
        let bytes = token.as_bytes();
        prop_assert_eq!(bytes[0], 0x01);
        prop_assert_eq!(&bytes[1..5], &id.to_be_bytes()[..]);
        let mut oracle = Aes256Siv::new_from_slice(&key).unwrap();
        let mut body = n.as_bytes().to_vec();
        let tag = oracle.encrypt_inout_detached([&ctx[..]], body.as_mut_slice().into()).unwrap();
        prop_assert_eq!(&bytes[5..21], &tag[..]);
        prop_assert_eq!(&bytes[21..], &body[..]);
    }

    #[test]
    fn any_changed_byte_is_refused(n in numbers(), ctx in context(), key in key(), pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let t = Tokenizer::new(77, &key).unwrap();
        let token = t.tokenize(&n, &ctx);
        let mut bytes = token.as_bytes().to_vec();
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        let result = Token::from_bytes(&bytes).and_then(|tok| t.detokenize(&tok, &ctx));
        let expected = match i {
            0 => TokenError::UnknownPrefix { byte: 0x01 ^ flip },
            1..=4 => TokenError::UnknownKeyId { key_id: u32::from_be_bytes(bytes[1..5].try_into().unwrap()) },
            _ => TokenError::Authentication,
        };
        prop_assert_eq!(result, Err(expected));
    }

    #[test]
    fn other_context_or_key_is_refused(n in numbers(), ctx in context(), other in context(), key in key(), pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        prop_assume!(ctx != other);
        let t = Tokenizer::new(5, &key).unwrap();
        let token = t.tokenize(&n, &ctx);
        prop_assert_eq!(t.detokenize(&token, &other), Err(TokenError::Authentication));
        let mut key2 = key.clone();
        let i = pos.index(key2.len());
        key2[i] ^= flip;
        let t2 = Tokenizer::new(5, &key2).unwrap();
        prop_assert_eq!(t2.detokenize(&token, &ctx), Err(TokenError::Authentication));
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,80}", b64 in "[A-Za-z0-9_-]{0,70}", key in key()) {
        let t = Tokenizer::new(1, &key).unwrap();
        let _ = t.detokenize_str(&text, b"");
        let r = t.detokenize_str(&b64, b"");
        prop_assert!(r.is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..60), key in key()) {
        let t = Tokenizer::new(1, &key).unwrap();
        if let Ok(token) = Token::from_bytes(&bytes) {
            let _ = t.detokenize(&token, b"");
        }
    }
}

#[test]
fn public_errors_come_before_crypto() {
    let t = Tokenizer::new(1, &[0u8; 64]).unwrap();
    assert_eq!(
        t.detokenize_str("", b""),
        Err(TokenError::TooShort { len: 0 })
    );
    assert_eq!(t.detokenize_str("A", b""), Err(TokenError::BadEncoding));
    assert_eq!(
        t.detokenize_str("AQAAAAE=", b""),
        Err(TokenError::BadEncoding)
    );
    assert_eq!(
        Token::from_bytes(&[1u8; 24]),
        Err(TokenError::TooShort { len: 24 })
    );
    assert_eq!(
        Token::from_bytes(&[1u8; 43]),
        Err(TokenError::TooLong { len: 43 })
    );
    assert!(matches!(
        t.detokenize_str(&"A".repeat(1000), b""),
        Err(TokenError::TooLong { .. })
    ));
    assert_eq!(
        Token::from_bytes(&[2u8; 30]),
        Err(TokenError::UnknownPrefix { byte: 2 })
    );
    let mut other = [0u8; 30];
    other[0] = 1;
    other[4] = 2;
    let token = Token::from_bytes(&other).unwrap();
    assert_eq!(
        t.detokenize(&token, b""),
        Err(TokenError::UnknownKeyId { key_id: 2 })
    );
    other[4] = 1;
    let token = Token::from_bytes(&other).unwrap();
    assert_eq!(t.detokenize(&token, b""), Err(TokenError::Authentication));
}

#[test]
fn shortest_and_longest_numbers() {
    let t = Tokenizer::new(9, &[3u8; 64]).unwrap();
    for text in ["+14155552671", "+442079460958", "+8613912345678"] {
        let n: PhoneNumber = text.parse().unwrap();
        let token = t.tokenize(&n, b"");
        assert_eq!(token.as_bytes().len(), 21 + text.len());
        assert_eq!(t.detokenize(&token, b""), Ok(n));
    }
}

#[test]
fn errors_display_something_useful() {
    for e in [
        TokenError::BadEncoding,
        TokenError::TooShort { len: 3 },
        TokenError::TooLong { len: 99 },
        TokenError::UnknownPrefix { byte: 0 },
        TokenError::UnknownKeyId { key_id: 1 },
        TokenError::KeyDisabled { key_id: 1 },
        TokenError::Authentication,
        TokenError::NotE164,
    ] {
        let text = e.to_string();
        assert!(text.len() > 30 && text.contains(':'), "{text}");
        let _: &dyn core::error::Error = &e;
    }
}
