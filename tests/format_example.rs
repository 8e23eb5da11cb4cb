//! The worked example of `docs/FORMAT.md`, byte for byte.
//!
//! Every value is read out of the document, recomputed independently (HMAC and HKDF with the
//! `hmac` crate, AES-SIV with the `aes-siv` crate, base64 with `base64ct`, never through
//! phonetoken), and then compared with what the library produces. So the document, the
//! independent implementations and the library must all agree.

use std::collections::BTreeMap;

use aes_siv::siv::Aes256Siv;
use aes_siv::KeyInit as _;
use base64ct::{Base64, Base64UrlUnpadded, Encoding as _};
use hmac::Mac as _;
use phonetoken::{parse, Encoding, Keyset, PseudonymKey, Pseudonymizer, Region, Token, TokenKey};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

const DOC: &str = include_str!("../docs/FORMAT.md");

/// The `name = value` lines of the document's text blocks.
fn doc_values() -> BTreeMap<&'static str, &'static str> {
    let mut values = BTreeMap::new();
    let mut in_text = false;
    for line in DOC.lines() {
        if line.starts_with("```") {
            in_text = line == "```text";
            continue;
        }
        if let (true, Some((name, value))) = (in_text, line.split_once(" = ")) {
            let name = name.trim();
            if name.contains(|c: char| c.is_ascii_alphabetic()) && !name.contains('‖') {
                let old = values.insert(name, value.trim());
                assert!(old.is_none(), "{name} appears twice in docs/FORMAT.md");
            }
        }
    }
    values
}

/// The value the document gives for `name`.
fn doc(name: &str) -> &'static str {
    doc_values()
        .get(name)
        .copied()
        .unwrap_or_else(|| panic!("docs/FORMAT.md has no line `{name} = …`"))
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fenced block after `<!-- example: NAME -->`, with its final newline.
#[cfg(feature = "std")]
fn doc_block(name: &str) -> String {
    let marker = format!("<!-- example: {name} -->\n```json\n");
    let start = DOC.find(&marker).expect("example block") + marker.len();
    let len = DOC[start..].find("```").expect("closing fence");
    DOC[start..start + len].to_string()
}

fn b64url(bytes: &[u8]) -> String {
    let mut buf = [0u8; 128];
    Base64UrlUnpadded::encode(bytes, &mut buf)
        .unwrap()
        .to_string()
}

fn b64(bytes: &[u8]) -> String {
    let mut buf = [0u8; 128];
    Base64::encode(bytes, &mut buf).unwrap().to_string()
}

#[cfg(feature = "std")]
fn unb64(text: &str) -> Vec<u8> {
    let mut buf = [0u8; 128];
    Base64::decode(text, &mut buf).unwrap().to_vec()
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// HKDF-SHA256 by the letter of RFC 5869, with HMAC from the `hmac` crate. Returns (PRK, OKM).
fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> (Vec<u8>, Vec<u8>) {
    let prk = hmac_sha256(salt, &[ikm]);
    let mut okm = Vec::new();
    let mut t = Vec::new();
    let mut counter = 1u8;
    while okm.len() < len {
        t = hmac_sha256(&prk, &[&t, info, &[counter]]);
        okm.extend_from_slice(&t);
        counter += 1;
    }
    okm.truncate(len);
    (prk, okm)
}

/// A token the `aes-siv` crate makes: prefix, then RFC 5297 AES-SIV with `[context]` as AD.
fn independent_token(key: &[u8], key_id: u32, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
    let mut siv = Aes256Siv::new_from_slice(key).expect("64-byte key");
    let mut ciphertext = plaintext.to_vec();
    let tag = siv
        .encrypt_inout_detached([context], ciphertext.as_mut_slice().into())
        .expect("AES-SIV encrypts");
    let mut token = vec![0x01];
    token.extend_from_slice(&key_id.to_be_bytes());
    token.extend_from_slice(&tag);
    token.extend_from_slice(&ciphertext);
    token
}

struct Inputs {
    pseudonym_key: Vec<u8>,
    token_key: Vec<u8>,
    key_id: u32,
    e164: String,
    context: Vec<u8>,
    purpose: String,
}

fn inputs() -> Inputs {
    let key_id: u32 = doc("key id").parse().expect("decimal key id");
    assert_eq!(hex(&key_id.to_be_bytes()), doc("key id (hex)"));
    let context = doc("context").as_bytes().to_vec();
    assert_eq!(hex(&context), doc("context (hex)"));
    let e164 = doc("E.164").to_string();
    assert_eq!(hex(e164.as_bytes()), doc("E.164 (hex)"));
    let inputs = Inputs {
        pseudonym_key: unhex(doc("pseudonym key")),
        token_key: unhex(doc("token key")),
        key_id,
        e164,
        context,
        purpose: doc("purpose").to_string(),
    };
    // The document's keys are the byte sequences 0x00.. it says they are.
    assert_eq!(inputs.pseudonym_key, (0u8..32).collect::<Vec<_>>());
    assert_eq!(inputs.token_key, (0u8..64).collect::<Vec<_>>());
    inputs
}

fn keyset(i: &Inputs) -> Keyset {
    Keyset::new(
        i.key_id,
        PseudonymKey::from_bytes(&i.pseudonym_key).unwrap(),
        TokenKey::from_bytes(&i.token_key).unwrap(),
    )
}

#[test]
fn the_input_normalizes_to_the_documented_e164() {
    let i = inputs();
    let (text, region) = doc("input")
        .split_once(" (region ")
        .expect("input with region");
    let region: Region = region.trim_end_matches(')').parse().unwrap();
    assert_eq!(parse(text, Some(region)).unwrap().as_str(), i.e164);
}

#[test]
fn pseudonym() {
    let i = inputs();
    let expected = hmac_sha256(&i.pseudonym_key, &[i.e164.as_bytes()]);
    assert_eq!(hex(&expected), doc("pseudonym (hex)"));
    assert_eq!(b64url(&expected), doc("pseudonym (base64url)"));
    assert_eq!(b64(&expected), doc("pseudonym (base64)"));
    assert_eq!(hex(&expected[..16]), doc("pseudonym/16 (hex)"));
    assert_eq!(b64url(&expected[..16]), doc("pseudonym/16 (base64url)"));

    let number = i.e164.parse().unwrap();
    let ours = keyset(&i).pseudonymize(&number);
    assert_eq!(ours.as_bytes(), &expected[..]);
    assert_eq!(
        Pseudonymizer::new(&i.pseudonym_key)
            .unwrap()
            .pseudonymize(&number),
        ours
    );
    assert_eq!(ours.to_string(), doc("pseudonym (base64url)"));
    let mut buf = [0u8; 64];
    assert_eq!(
        ours.encode_into(Encoding::Base64, &mut buf).unwrap(),
        doc("pseudonym (base64)")
    );
    let short = ours.truncate(16).unwrap();
    assert_eq!(short.to_string(), doc("pseudonym/16 (base64url)"));
}

#[test]
fn token() {
    let i = inputs();
    let ks = keyset(&i);
    let number = i.e164.parse().unwrap();
    for (context, hex_name, text_name) in [
        (&i.context[..], "token (hex)", "token (base64url)"),
        (
            &b""[..],
            "token, empty context (hex)",
            "token, empty context (base64url)",
        ),
    ] {
        let expected = independent_token(&i.token_key, i.key_id, i.e164.as_bytes(), context);
        assert_eq!(hex(&expected), doc(hex_name));
        assert_eq!(b64url(&expected), doc(text_name));

        let ours = ks.tokenize(&number, context);
        assert_eq!(ours.as_bytes(), &expected[..]);
        assert_eq!(ours.to_string(), doc(text_name));
        let read: Token = doc(text_name).parse().unwrap();
        assert_eq!(ks.detokenize(&read, context).unwrap(), number);
    }
    // The documented split of the token into its parts.
    let whole = doc("token (hex)");
    let parts = [
        doc("token prefix (hex)"),
        doc("token SIV (hex)"),
        doc("token ciphertext (hex)"),
    ];
    assert_eq!(parts.concat(), whole);
    assert_eq!(parts[0], format!("01{}", doc("key id (hex)")));
    assert_eq!(parts[1].len(), 32);
    assert_eq!(parts[2].len(), 2 * i.e164.len());
}

#[test]
fn purpose_derivation() {
    let i = inputs();
    let p = i.purpose.as_bytes();
    let info = |label: &[u8]| [label, &[0, p.len() as u8], p].concat();
    let pinfo = info(b"pseudonym-key");
    let tinfo = info(b"token-key");
    assert_eq!(hex(&pinfo), doc("pseudonym-key info (hex)"));
    assert_eq!(hex(&tinfo), doc("token-key info (hex)"));
    let (pprk, pkey) = hkdf(b"phonetoken-v1", &i.pseudonym_key, &pinfo, 32);
    let (tprk, tkey) = hkdf(b"phonetoken-v1", &i.token_key, &tinfo, 64);
    assert_eq!(hex(&pprk), doc("pseudonym-key PRK (hex)"));
    assert_eq!(hex(&tprk), doc("token-key PRK (hex)"));
    assert_eq!(hex(&pkey), doc("derived pseudonym key"));
    assert_eq!(hex(&tkey), doc("derived token key"));

    let pseudonym = hmac_sha256(&pkey, &[i.e164.as_bytes()]);
    assert_eq!(hex(&pseudonym), doc("purpose pseudonym (hex)"));
    let token = independent_token(&tkey, i.key_id, i.e164.as_bytes(), &i.context);
    assert_eq!(hex(&token), doc("purpose token (hex)"));
    assert_eq!(b64url(&token), doc("purpose token (base64url)"));

    // The library: derived keys, and the keyset for the purpose.
    let ks = keyset(&i);
    let derived_p = PseudonymKey::from_bytes(&i.pseudonym_key)
        .unwrap()
        .derive(&i.purpose)
        .unwrap();
    let derived_t = TokenKey::from_bytes(&i.token_key)
        .unwrap()
        .derive(&i.purpose)
        .unwrap();
    assert_eq!(derived_p.as_bytes()[..], pkey[..]);
    assert_eq!(derived_t.as_bytes()[..], tkey[..]);
    let purposed = ks.for_purpose(&i.purpose).unwrap();
    let number = i.e164.parse().unwrap();
    assert_eq!(purposed.pseudonymize(&number).as_bytes(), &pseudonym[..]);
    let ours = purposed.tokenize(&number, &i.context);
    assert_eq!(ours.as_bytes(), &token[..]);
    assert_eq!(ours.to_string(), doc("purpose token (base64url)"));
}

#[cfg(feature = "std")]
#[test]
fn keyset_files() {
    let i = inputs();
    let ks = keyset(&i);

    // phonetoken JSON: the document's block is what the library writes and reads, and its
    // fields decode (independently) to the example's keys.
    let block = doc_block("phonetoken-keyset");
    assert_eq!(*ks.to_json(), block);
    let value: serde_json::Value = serde_json::from_str(&block).unwrap();
    assert_eq!(value["format"], "phonetoken-keyset");
    assert_eq!(value["version"], 1);
    assert_eq!(value["primary_key_id"], i.key_id);
    let key = &value["keys"][0];
    assert_eq!(key["id"], i.key_id);
    assert_eq!(key["status"], "enabled");
    let decode = |v: &serde_json::Value| unb64(v.as_str().unwrap());
    assert_eq!(decode(&key["pseudonym_key"]), i.pseudonym_key);
    assert_eq!(decode(&key["token_key"]), i.token_key);
    let back = Keyset::from_json(&block).unwrap();
    assert_eq!(*back.to_json(), block);

    // Tink JSON: 0x12 0x40 ‖ key in `value`, the rest as documented.
    let block = doc_block("tink-keyset");
    assert_eq!(*ks.to_tink_json(), block);
    let value: serde_json::Value = serde_json::from_str(&block).unwrap();
    assert_eq!(value["primaryKeyId"], i.key_id);
    let key = &value["key"][0];
    assert_eq!(
        key["keyData"]["typeUrl"],
        "type.googleapis.com/google.crypto.tink.AesSivKey"
    );
    assert_eq!(key["keyData"]["keyMaterialType"], "SYMMETRIC");
    assert_eq!(key["status"], "ENABLED");
    assert_eq!(key["keyId"], i.key_id);
    assert_eq!(key["outputPrefixType"], "TINK");
    assert_eq!(
        decode(&key["keyData"]["value"]),
        [&[0x12, 0x40][..], &i.token_key].concat()
    );
    let imported = Keyset::from_tink_json(&block).unwrap();
    let number = i.e164.parse().unwrap();
    let token: Token = doc("token (base64url)").parse().unwrap();
    assert_eq!(imported.detokenize(&token, &i.context).unwrap(), number);
}

/// A protobuf field: tag byte, a one- or two-byte length, the bytes.
#[cfg(feature = "std")]
fn proto_bytes(tag: u8, bytes: &[u8]) -> Vec<u8> {
    let len = bytes.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.extend_from_slice(&[(len as u8) | 0x80, (len >> 7) as u8]);
    }
    out.extend_from_slice(bytes);
    out
}

#[cfg(feature = "std")]
fn proto_varint(tag: u8, mut value: u64) -> Vec<u8> {
    let mut out = vec![tag];
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
    out
}

#[cfg(feature = "std")]
#[test]
fn encrypted_keyset_file() {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use phonetoken::encrypted_keyset::TinkAeadKey;

    let i = inputs();
    let master_key = unhex(doc("master key"));
    assert_eq!(master_key, (0x40u8..0x60).collect::<Vec<_>>());
    let iv = unhex(doc("sealing IV (hex)"));
    let hmac_id: u32 = doc("pseudonym key id").parse().unwrap();
    assert_eq!(hmac_id, !i.key_id);

    // The master key file: a Tink keyset whose one AesGcmKey holds the documented key.
    let block = doc_block("master-key");
    let value: serde_json::Value = serde_json::from_str(&block).unwrap();
    let key = &value["key"][0];
    assert_eq!(key["keyId"], doc("master key id").parse::<u32>().unwrap());
    assert_eq!(key["outputPrefixType"], "RAW");
    assert_eq!(
        unb64(key["keyData"]["value"].as_str().unwrap()),
        [&[0x1a, 0x20][..], &master_key].concat()
    );
    let master = TinkAeadKey::from_tink_json(&block).unwrap();
    assert_eq!(*master.to_tink_json(), block);

    // The inner keyset, built here field by field from the documented layout.
    let key_message = |url: &str, value: &[u8], id: u32, prefix: u64| {
        let data = [
            proto_bytes(0x0a, url.as_bytes()),
            proto_bytes(0x12, value),
            proto_varint(0x18, 1),
        ]
        .concat();
        proto_bytes(
            0x12,
            &[
                proto_bytes(0x0a, &data),
                proto_varint(0x10, 1),
                proto_varint(0x18, id.into()),
                proto_varint(0x20, prefix),
            ]
            .concat(),
        )
    };
    let inner = [
        proto_varint(0x08, i.key_id.into()),
        key_message(
            "type.googleapis.com/google.crypto.tink.AesSivKey",
            &[&[0x12, 0x40][..], &i.token_key].concat(),
            i.key_id,
            1,
        ),
        key_message(
            "type.googleapis.com/google.crypto.tink.HmacKey",
            &[
                &[0x12, 0x04, 0x08, 0x03, 0x10, 0x20, 0x1a, 0x20][..],
                &i.pseudonym_key,
            ]
            .concat(),
            hmac_id,
            3,
        ),
    ]
    .concat();
    assert_eq!(hex(&inner), doc("inner keyset (hex)"));

    // The file: AES-GCM (by the aes-gcm crate) of the inner keyset under the documented IV.
    let block = doc_block("encrypted-keyset");
    let value: serde_json::Value = serde_json::from_str(&block).unwrap();
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(&master_key).unwrap();
    let iv12: [u8; 12] = iv.clone().try_into().unwrap();
    let sealed = cipher
        .encrypt(
            &iv12.into(),
            Payload {
                msg: &inner,
                aad: b"",
            },
        )
        .unwrap();
    let documented = value["encryptedKeyset"].as_str().unwrap();
    let mut buf = vec![0u8; 400];
    let documented_bytes = Base64::decode(documented, &mut buf).unwrap();
    assert_eq!(documented_bytes, [&iv[..], &sealed].concat());

    // The library opens it to the example keyset, and writes the same file but for the IV.
    let opened: Keyset = Keyset::from_encrypted_json(&block, &master, b"").unwrap();
    assert_eq!(*opened.to_json(), doc_block("phonetoken-keyset"));
    let written = keyset(&i).to_encrypted_json(&master, b"").unwrap();
    let ours: serde_json::Value = serde_json::from_str(&written).unwrap();
    let mut buf = vec![0u8; 400];
    let ours_bytes = Base64::decode(ours["encryptedKeyset"].as_str().unwrap(), &mut buf).unwrap();
    let (our_iv, our_sealed) = ours_bytes.split_at(12);
    let our_iv: [u8; 12] = our_iv.try_into().unwrap();
    assert_eq!(
        cipher
            .decrypt(
                &our_iv.into(),
                Payload {
                    msg: our_sealed,
                    aad: b""
                }
            )
            .unwrap(),
        inner
    );
    let after = |text: &str| text[text.find("\",\"keysetInfo\"").unwrap()..].to_string();
    assert_eq!(after(&written), after(&block));
}
