//! HPKE test vectors through phonetoken's sealing API, and the sealed-number worked example of
//! docs/FORMAT.md byte for byte.
//!
//! The vectors fix the key pair (`SealKey::from_seed` is RFC 9180's DeriveKeyPair) and, through
//! a generator that replays the vector's `ikmE`, the ephemeral key. The envelope's `info` and
//! plaintext are phonetoken's, not the vector's, so the expected ciphertext comes from the
//! vector's shared secret run through an RFC 9180 key schedule written out in
//! `seal_support` (which is itself checked against the vector's key, nonce and ciphertext).
#![cfg(feature = "seal")]

mod seal_support;

use phonetoken::seal::{read_header, OpenError, SealKey, SealPublicKey, Suite};
use phonetoken::{parse, Keyset, PhoneNumber, PseudonymKey, TokenKey};
use seal_support::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    mode: u8,
    kem_id: u16,
    kdf_id: u16,
    aead_id: u16,
    info: String,
    #[serde(rename = "ikmE")]
    ikm_e: String,
    #[serde(rename = "ikmR")]
    ikm_r: String,
    #[serde(rename = "pkRm")]
    pk_rm: String,
    enc: String,
    shared_secret: String,
    key: String,
    base_nonce: String,
    encryptions: Vec<Encryption>,
}

#[derive(Deserialize)]
struct Encryption {
    aad: String,
    nonce: String,
    pt: String,
    ct: String,
}

fn load(json: &str) -> Vector {
    let mut all: Vec<Vector> = serde_json::from_str(json).unwrap();
    assert_eq!(all.len(), 1);
    let v = all.remove(0);
    assert_eq!((v.mode, v.kdf_id, v.aead_id), (0, 1, 3));
    v
}

/// The vector through the crate: DeriveKeyPair, the ephemeral key, the envelope, opening.
fn check_vector(suite: Suite, v: &Vector) {
    assert_eq!(suite.ids().0, v.kem_id);
    // The independent key schedule reproduces the vector.
    let secret = unhex(&v.shared_secret);
    let (key, nonce) = key_schedule(v.kem_id, &secret, &unhex(&v.info));
    assert_eq!(hex(&key), v.key);
    assert_eq!(hex(&nonce), v.base_nonce);
    let first = &v.encryptions[0];
    assert_eq!(first.nonce, v.base_nonce);
    assert_eq!(
        hex(&chacha_seal(
            &key,
            &nonce,
            &unhex(&first.aad),
            &unhex(&first.pt)
        )),
        first.ct
    );

    // DeriveKeyPair(ikmR) through the crate gives the vector's public key.
    let seed: [u8; 32] = unhex(&v.ikm_r).try_into().unwrap();
    let server = SealKey::from_seed(suite, 0xa1b2_c3d4, &seed);
    let mut pk = vec![0u8; suite.public_key_len()];
    server.public_key().write_bytes(&mut pk).unwrap();
    assert_eq!(hex(&pk), v.pk_rm);

    // A device with that public key and the vector's ephemeral randomness.
    let device = SealPublicKey::new(suite, 0xa1b2_c3d4, &unhex(&v.pk_rm)).unwrap();
    let number: PhoneNumber = "+14155552671".parse().unwrap();
    let mut rng = Replay::new(&unhex(&v.ikm_e));
    let mut buf = vec![0u8; suite.envelope_len() + 5];
    let envelope = device
        .seal(&number, b"activation", &mut rng, &mut buf)
        .unwrap()
        .to_vec();
    assert!(
        rng.done(),
        "the seal used exactly the vector's ephemeral randomness"
    );
    assert_eq!(envelope.len(), suite.envelope_len());

    let (header, info) = header_and_info(v.kem_id, 0xa1b2_c3d4);
    let (key, nonce) = key_schedule(v.kem_id, &secret, &info);
    let expected = [
        header,
        unhex(&v.enc),
        chacha_seal(&key, &nonce, b"activation", &padded("+14155552671")),
    ]
    .concat();
    assert_eq!(hex(&envelope), hex(&expected));

    assert_eq!(server.open(&envelope, b"activation").unwrap(), number);
    assert_eq!(
        server.open(&envelope, b"activation!"),
        Err(OpenError::Authentication)
    );
}

#[test]
fn rfc9180_a_2_1_x25519_sha256_chacha20poly1305() {
    let v = load(include_str!(
        "data/hpke_x25519_sha256_chacha20poly1305_rfc9180.json"
    ));
    // The independent DHKEM agrees with the RFC before it is used for the worked example.
    let sk_e = x25519_derive_private(&unhex(&v.ikm_e));
    let sk_r = x25519_derive_private(&unhex(&v.ikm_r));
    assert_eq!(hex(&x25519_public(&sk_r)), v.pk_rm);
    let (secret, enc) = x25519_encap(&sk_e, &x25519_public(&sk_r));
    assert_eq!(hex(&enc), v.enc);
    assert_eq!(hex(&secret), v.shared_secret);
    check_vector(Suite::X25519_SHA256_CHACHA20POLY1305, &v);
}

#[cfg(feature = "seal-xwing")]
#[test]
fn xwing_sha256_chacha20poly1305() {
    let v = load(include_str!("data/hpke_xwing_sha256_chacha20poly1305.json"));
    check_vector(Suite::XWING_SHA256_CHACHA20POLY1305, &v);
}

const DOC: &str = include_str!("../docs/FORMAT.md");

/// The value of the one `name = value` line of the document's text blocks named `name`.
fn doc(name: &str) -> String {
    let mut in_text = false;
    let mut found = DOC.lines().filter_map(|line| {
        if line.starts_with("```") {
            in_text = line == "```text";
            return None;
        }
        let (n, v) = line.split_once(" = ").filter(|_| in_text)?;
        (n.trim() == name).then(|| v.trim().to_string())
    });
    let value = found
        .next()
        .unwrap_or_else(|| panic!("docs/FORMAT.md has no line `{name} = …`"));
    assert!(
        found.next().is_none(),
        "{name} appears twice in docs/FORMAT.md"
    );
    value
}

/// The worked example: the document's key, seed and envelope, recomputed with the
/// independent DHKEM and key schedule, then produced and opened by the library.
#[test]
fn format_md_worked_example() {
    let token_key = unhex(&doc("token key"));
    let key_id: u32 = doc("key id").parse().unwrap();
    let e164 = doc("E.164");
    assert_eq!(doc("context"), "sms-gateway");
    let context = doc("context");
    let ephemeral_seed = unhex(&doc("sealed ephemeral seed"));

    // The seed of the keyset key's pair: HKDF-SHA256 as documented, with `hmac` by hand.
    use hmac::{KeyInit, Mac};
    type H = hmac::Hmac<sha2::Sha256>;
    let mut mac = <H as KeyInit>::new_from_slice(b"phonetoken-v1").unwrap();
    mac.update(&token_key);
    let prk = mac.finalize().into_bytes();
    let mut mac = <H as KeyInit>::new_from_slice(&prk).unwrap();
    mac.update(b"seal-key\x00\x00\x20\x00\x01\x00\x03\x01");
    let seed = mac.finalize().into_bytes();
    assert_eq!(hex(&seed), doc("sealed key seed"));

    let sk_r = x25519_derive_private(&seed);
    let pk_r = x25519_public(&sk_r);
    assert_eq!(hex(&pk_r), doc("sealed public key"));
    let sk_e = x25519_derive_private(&ephemeral_seed);
    let (secret, enc) = x25519_encap(&sk_e, &pk_r);
    assert_eq!(hex(&enc), doc("sealed enc"));
    assert_eq!(hex(&secret), doc("sealed shared secret"));
    let (header, info) = header_and_info(0x20, key_id);
    assert_eq!(hex(&header), doc("sealed header"));
    assert_eq!(hex(&info), doc("sealed info"));
    let (key, nonce) = key_schedule(0x20, &secret, &info);
    assert_eq!(hex(&key), doc("sealed AEAD key"));
    assert_eq!(hex(&nonce), doc("sealed AEAD nonce"));
    assert_eq!(hex(&padded(&e164)), doc("sealed plaintext"));
    let sealed = chacha_seal(&key, &nonce, context.as_bytes(), &padded(&e164));
    assert_eq!(hex(&sealed[..21]), doc("sealed ciphertext"));
    assert_eq!(hex(&sealed[21..]), doc("sealed tag"));
    let expected = [header, enc.to_vec(), sealed].concat();
    assert_eq!(hex(&expected), doc("sealed envelope"));

    // The library: the keyset's public key, a seal with the same ephemeral seed, opening.
    let keyset = Keyset::new(
        key_id,
        PseudonymKey::from_bytes(&[0; 32]).unwrap(),
        TokenKey::from_bytes(&token_key).unwrap(),
    );
    let suite = Suite::X25519_SHA256_CHACHA20POLY1305;
    let public = keyset.seal_public_key(suite);
    let mut pk = [0u8; 32];
    assert_eq!(public.write_bytes(&mut pk).unwrap(), pk_r);
    let number = parse(&e164, None).unwrap();
    let mut buf = [0u8; 80];
    let envelope = public
        .seal(
            &number,
            context.as_bytes(),
            &mut Replay::new(&ephemeral_seed),
            &mut buf,
        )
        .unwrap();
    assert_eq!(hex(envelope), hex(&expected));
    let header = read_header(envelope).unwrap();
    assert_eq!((header.suite, header.key_id), (suite, key_id));
    assert_eq!(
        keyset.open_sealed(envelope, context.as_bytes()).unwrap(),
        number
    );
}
