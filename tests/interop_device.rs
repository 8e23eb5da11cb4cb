//! The Rust half of the device-side cross-check that `tools/interop/run.sh` drives: RFC 9497
//! against tools/interop/rfc9497_sodium.py (written from the RFC on libsodium's ristretto255)
//! and sealed numbers against `pyhpke` (RFC 9180 on Python `cryptography`). Both tests are
//! `#[ignore]`d and need `PHONETOKEN_INTEROP_DIR`, the directory shared with the Python half
//! (tools/interop/device.py), which runs between them.
//!
//! - `device_write` writes `device.json`: a keyset key, a few hundred numbers, per mode the
//!   public key, the direct evaluations, and the device path run in-process (request, the
//!   server's response with its proof, the finalized pseudonyms); and envelopes sealed to the
//!   key's sealing public key under several contexts. Also the key as a keyset file and the
//!   numbers one per line, which run.sh feeds to the command line's `oprf` commands.
//! - `device_read` reads `python_device.json`: per mode, the blinds Python drew, the request
//!   Python built from them, Python's response (its own proof) and Python's outputs; and
//!   envelopes Python sealed. It replays Python's blinds through [`Client`] (the request must
//!   be byte for byte Python's), finalizes Python's response (so Python's proof must pass our
//!   check) and opens Python's envelopes.
#![cfg(all(unix, feature = "std", feature = "oprf", feature = "seal"))]

mod support_oprf;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use phonetoken::oprf::{
    max_request_len, max_response_len, Client, Mode, ObliviousPseudonym, Request, Server, MAX_BATCH,
};
use phonetoken::seal::Suite;
use phonetoken::{Encoding, Keyset, PhoneNumber, PseudonymKey, TokenKey};
use serde_json::{json, Value};
use support_oprf::{hex as unhex, Replay};

const KEY_ID: u32 = 0x2a00_0107;
const SUITE: Suite = Suite::X25519_SHA256_CHACHA20POLY1305;
const MODES: [Mode; 3] = [Mode::Oprf, Mode::Voprf, Mode::Poprf];
const INFO: &[u8] = b"contacts-2026";
const CONTEXTS: [&[u8]; 3] = [b"", b"activation", b"sms-gateway"];

fn dir() -> PathBuf {
    PathBuf::from(
        std::env::var_os("PHONETOKEN_INTEROP_DIR")
            .expect("set PHONETOKEN_INTEROP_DIR (tools/interop/run.sh does)"),
    )
}

fn hex(bytes: &[u8]) -> String {
    Encoding::Hex.encode_string(bytes)
}

fn info(mode: Mode) -> &'static [u8] {
    if mode == Mode::Poprf {
        INFO
    } else {
        b""
    }
}

/// A few hundred numbers of many countries and lengths, all canonical E.164.
fn numbers() -> Vec<PhoneNumber> {
    let mut out = Vec::new();
    // (prefix, digits to add): national numbers of 7 to 12 digits after 1- to 3-digit codes.
    for (prefix, width) in [
        ("+1415555", 4),
        ("+4420794", 4),
        ("+331234", 5),
        ("+86139123", 5),
        ("+3906123", 4),
        ("+8001234", 4),
        ("+6491", 5),
        ("+35312", 5),
        ("+97150", 7),
        ("+4930", 8),
        ("+8823", 8),
    ] {
        for j in 0..30u64 {
            let suffix = format!("{:0width$}", (j * 7919 + 13) % 10u64.pow(width as u32));
            if let Ok(n) = format!("{prefix}{suffix}").parse::<PhoneNumber>() {
                out.push(n);
            }
        }
    }
    out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    out.dedup();
    assert!(out.len() >= 250, "{} numbers", out.len());
    out
}

/// Fresh keys each run (the Python half reads them from device.json), and their bytes.
fn keyset() -> (Keyset, Vec<u8>, Vec<u8>) {
    let mut rng = rand::rng();
    let pseudonym_key = PseudonymKey::generate(&mut rng);
    let token_key = TokenKey::generate(&mut rng);
    let bytes = (
        pseudonym_key.as_bytes().to_vec(),
        token_key.as_bytes().to_vec(),
    );
    (
        Keyset::new(KEY_ID, pseudonym_key, token_key),
        bytes.0,
        bytes.1,
    )
}

#[test]
#[ignore = "run by tools/interop/run.sh"]
fn device_write() {
    let (keyset, pseudonym_key, token_key) = keyset();
    let numbers = numbers();
    let mut rng = rand::rng();
    let mut modes = Vec::new();
    for mode in MODES {
        let server = Server::from_keyset(&keyset, KEY_ID, mode).expect("server");
        let public_key = server.public_key();
        let client = Client::new(&public_key)
            .with_info(info(mode))
            .expect("info");
        let mut direct = Vec::new();
        let mut batches = Vec::new();
        for chunk in numbers.chunks(MAX_BATCH) {
            for n in chunk {
                let p = server.evaluate_input(n, info(mode)).expect("direct");
                direct.push(hex(p.as_bytes()));
            }
            let mut request_buf = [0u8; max_request_len(Mode::Poprf, MAX_BATCH, 255)];
            let (blinded, request) = client
                .blind::<_, _, MAX_BATCH>(chunk, &mut rng, &mut request_buf)
                .expect("blind");
            let request_hex = hex(request);
            let mut response_buf = [0u8; max_response_len(Mode::Poprf, MAX_BATCH)];
            let decoded = Request::decode(request).expect("decode");
            let response = server
                .evaluate(&decoded, &mut rng, &mut response_buf)
                .expect("evaluate");
            let mut out = [ObliviousPseudonym::default(); MAX_BATCH];
            blinded.finalize(response, &mut out).expect("finalize");
            batches.push(json!({
                "request": request_hex,
                "response": hex(response),
                "outputs": out[..chunk.len()].iter().map(|p| hex(p.as_bytes())).collect::<Vec<_>>(),
            }));
        }
        modes.push(json!({
            "mode": mode.to_byte(),
            "public_key": hex(&public_key.to_bytes()),
            "info": hex(info(mode)),
            "direct": direct,
            "batches": batches,
        }));
    }

    let seal_public = keyset.seal_public_key(SUITE);
    let mut envelopes = Vec::new();
    for (i, n) in numbers.iter().enumerate() {
        let context = CONTEXTS[i % CONTEXTS.len()];
        let mut buf = [0u8; phonetoken::seal::MAX_ENVELOPE_LEN];
        let envelope = seal_public
            .seal(n, context, &mut rng, &mut buf)
            .expect("seal");
        envelopes.push(
            json!({"number": n.as_str(), "context": hex(context), "envelope": hex(envelope)}),
        );
    }
    let mut public_key = [0u8; 64];
    let doc = json!({
        "key_id": KEY_ID,
        "pseudonym_key": hex(&pseudonym_key),
        "token_key": hex(&token_key),
        "numbers": numbers.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
        "oprf": modes,
        "seal": {
            "public_key": hex(seal_public.write_bytes(&mut public_key).expect("public key")),
            "envelopes": envelopes,
        },
    });
    let path = dir().join("device.json");
    fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    // The same key as a keyset file, and the numbers one per line, for the command line.
    let keyset_path = dir().join("device_keyset.json");
    fs::write(&keyset_path, keyset.to_json().as_bytes()).expect("write");
    fs::set_permissions(&keyset_path, fs::Permissions::from_mode(0o600)).expect("chmod");
    let lines: String = numbers
        .iter()
        .map(|n| format!("{}\n", n.as_str()))
        .collect();
    fs::write(dir().join("numbers.txt"), lines).expect("write");
}

#[test]
#[ignore = "run by tools/interop/run.sh"]
fn device_read() {
    let ours: Value =
        serde_json::from_slice(&fs::read(dir().join("device.json")).expect("device.json"))
            .expect("json");
    let theirs: Value = serde_json::from_slice(
        &fs::read(dir().join("python_device.json")).expect("python_device.json"),
    )
    .expect("json");
    let s = |v: &Value| v.as_str().expect("string").to_owned();
    let keyset = Keyset::new(
        KEY_ID,
        PseudonymKey::from_bytes(&unhex(&s(&ours["pseudonym_key"]))).expect("key"),
        TokenKey::from_bytes(&unhex(&s(&ours["token_key"]))).expect("key"),
    );

    let mut checked = 0;
    for case in theirs["oprf"].as_array().expect("oprf") {
        let mode = Mode::from_byte(case["mode"].as_u64().expect("mode") as u8).expect("mode");
        let server = Server::from_keyset(&keyset, KEY_ID, mode).expect("server");
        let public_key = server.public_key();
        let client = Client::new(&public_key)
            .with_info(info(mode))
            .expect("info");
        for batch in case["batches"].as_array().expect("batches") {
            let numbers: Vec<PhoneNumber> = batch["numbers"]
                .as_array()
                .expect("numbers")
                .iter()
                .map(|n| s(n).parse().expect("E.164"))
                .collect();
            let blinds: Vec<Vec<u8>> = batch["blinds"]
                .as_array()
                .expect("blinds")
                .iter()
                .map(|b| unhex(&s(b)))
                .collect();
            let mut request_buf = [0u8; max_request_len(Mode::Poprf, MAX_BATCH, 255)];
            let (blinded, request) = client
                .blind::<_, _, MAX_BATCH>(&numbers, &mut Replay::new(&blinds), &mut request_buf)
                .expect("blind");
            assert_eq!(hex(request), s(&batch["request"]), "{mode}: request");
            let mut out = [ObliviousPseudonym::default(); MAX_BATCH];
            blinded
                .finalize(&unhex(&s(&batch["response"])), &mut out)
                .unwrap_or_else(|e| panic!("{mode}: Python's response refused: {e}"));
            for ((n, got), want) in numbers
                .iter()
                .zip(&out)
                .zip(batch["outputs"].as_array().expect("outputs"))
            {
                assert_eq!(hex(got.as_bytes()), s(want), "{mode}: {n}");
                assert_eq!(
                    *got,
                    server.evaluate_input(n, info(mode)).expect("direct"),
                    "{mode}: {n}"
                );
                checked += 1;
            }
            // A response whose proof Python computed for other elements is refused.
            if mode != Mode::Oprf {
                let mut forged = unhex(&s(&batch["response"]));
                let last = forged.len() - 1;
                forged[last] ^= 0x01;
                let (again, _) = client
                    .blind::<_, _, MAX_BATCH>(&numbers, &mut Replay::new(&blinds), &mut request_buf)
                    .expect("blind");
                assert!(again.finalize(&forged, &mut out).is_err(), "{mode}: forged");
            }
        }
    }
    assert!(checked >= 3 * 250, "{checked} oblivious pseudonyms checked");

    let mut opened = 0;
    for e in theirs["seal"]["envelopes"].as_array().expect("envelopes") {
        let envelope = unhex(&s(&e["envelope"]));
        let context = unhex(&s(&e["context"]));
        let number = keyset
            .open_sealed(&envelope, &context)
            .unwrap_or_else(|err| panic!("Python's envelope refused: {err}"));
        assert_eq!(number.as_str(), s(&e["number"]));
        let mut other = context.clone();
        other.push(b'!');
        assert!(keyset.open_sealed(&envelope, &other).is_err());
        opened += 1;
    }
    assert!(opened >= 250, "{opened} envelopes opened");
}
