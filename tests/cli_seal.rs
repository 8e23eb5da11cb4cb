//! `phonetoken seal`, `seal-key` and `open` through the built binary: seal → open equals
//! normalize, open --pseudonymize / --tokenize equal pseudonymize / what tokenize's tokens
//! hold, per-line codes that tell a wrong key id or suite from a forgery, a flipped byte
//! refused, the output file private, and no key bytes in any output.
#![cfg(all(feature = "cli", unix))]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64ct::Encoding as _;
use tempfile::TempDir;

mod support;

use support::{arg, keygen, pseudonym_key, run, run_text};

fn run_ok(args: &[&str], stdin: &[u8]) -> String {
    run_text(args, stdin).0
}

/// The primary key id and the sealing public key `seal-key` prints.
fn seal_key(keys: &Path) -> (String, String) {
    let (out, err) = run(&["seal-key", "--keyset", arg(keys)], b"", 0);
    let id = err
        .split("--key-id ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    (id, String::from_utf8(out).unwrap().trim().to_string())
}

const NUMBERS: &str = "+1 (415) 555-2671\n020 7946 0958\nnot a number\n+33 1 23 45 67 89\n";

fn seal(keys: &Path, context: &str) -> String {
    let (id, pk) = seal_key(keys);
    run_ok(
        &[
            "seal",
            "--public-key",
            &pk,
            "--key-id",
            &id,
            "--context",
            context,
            "--region",
            "GB",
        ],
        NUMBERS.as_bytes(),
    )
}

#[test]
fn seal_then_open_equals_normalize() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let envelopes = seal(&keys, "activation");
    let lines: Vec<&str> = envelopes.lines().collect();
    assert_eq!(lines[2], "error: no-digits");
    assert_eq!(
        base64ct::Base64UrlUnpadded::decode_vec(lines[0])
            .unwrap()
            .len(),
        80
    );
    assert_ne!(envelopes, seal(&keys, "activation"), "every seal is fresh");
    let opened = run_ok(
        &["open", "--keyset", arg(&keys), "--context", "activation"],
        envelopes.as_bytes(),
    );
    let normalized = run_ok(&["normalize", "--region", "GB"], NUMBERS.as_bytes());
    assert_eq!(opened, normalized, "the bad line's code is passed on too");
    // Another context does not open.
    let wrong = run_ok(
        &["open", "--keyset", arg(&keys), "--context", "billing"],
        envelopes.as_bytes(),
    );
    assert_eq!(
        wrong,
        "error: authentication-failed\nerror: authentication-failed\nerror: no-digits\nerror: authentication-failed\n"
    );
}

#[test]
fn open_straight_into_pseudonyms_and_tokens() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let envelopes = seal(&keys, "");
    let pseudonyms = run_ok(
        &[
            "open",
            "--keyset",
            arg(&keys),
            "--pseudonymize",
            "--encoding",
            "hex",
            "--length",
            "16",
        ],
        envelopes.as_bytes(),
    );
    let direct = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&keys),
            "--region",
            "GB",
            "--encoding",
            "hex",
            "--length",
            "16",
        ],
        NUMBERS.as_bytes(),
    );
    assert_eq!(pseudonyms, direct);
    let tokens = run_ok(
        &[
            "open",
            "--keyset",
            arg(&keys),
            "--tokenize",
            "--token-context",
            "users",
        ],
        envelopes.as_bytes(),
    );
    let detokenized = run_ok(
        &["detokenize", "--keyset", arg(&keys), "--context", "users"],
        tokens.as_bytes(),
    );
    let normalized = run_ok(&["normalize", "--region", "GB"], NUMBERS.as_bytes());
    assert_eq!(tokens.lines().nth(2), Some("error: no-digits"));
    // detokenize answers an error line as text that is no token; the others round-trip.
    let keep = |t: &str| -> Vec<String> {
        t.lines()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, l)| l.to_string())
            .collect()
    };
    assert_eq!(keep(&detokenized), keep(&normalized));
    assert!(
        !tokens.contains("+1415"),
        "no number in the tokenized output"
    );
}

/// Re-encodes `line` after `edit` changed its bytes.
fn edit(line: &str, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = base64ct::Base64UrlUnpadded::decode_vec(line).unwrap();
    edit(&mut bytes);
    base64ct::Base64UrlUnpadded::encode_string(&bytes)
}

#[test]
fn public_failures_have_their_own_codes_and_forgeries_are_authentication_failures() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let envelopes = seal(&keys, "");
    let e = envelopes.lines().next().unwrap();
    let bad = [
        edit(e, |b| b[10] ^= 1),     // key id
        edit(e, |b| b[6] = 0x01),    // AEAD AES-128-GCM: not a supported suite
        edit(e, |b| b[0] = 2),       // version
        edit(e, |b| b.truncate(79)), // cut
        edit(e, |b| b.truncate(5)),  // shorter than a header
        edit(e, |b| b[40] ^= 1),     // ciphertext
        edit(e, |b| b[79] ^= 0x80),  // tag
        edit(e, |b| b[12] ^= 1),     // encapsulated key
        "***".to_string(),
        e.to_string(),
    ];
    let input: String = bad.iter().map(|l| format!("{l}\n")).collect();
    let out = run_ok(&["open", "--keyset", arg(&keys)], input.as_bytes());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..9],
        [
            "error: unknown-key-id",
            "error: unknown-suite",
            "error: unknown-version",
            "error: wrong-length",
            "error: too-short",
            "error: authentication-failed",
            "error: authentication-failed",
            "error: authentication-failed",
            "error: bad-encoding",
        ]
    );
    assert!(
        lines[9].starts_with('+'),
        "the intact envelope opens: {out}"
    );
    // A disabled key's envelopes: told apart from a forgery too.
    let (id, _) = seal_key(&keys);
    run_ok(&["keyset", "rotate", "--keyset", arg(&keys)], b"");
    run_ok(
        &["keyset", "disable", "--keyset", arg(&keys), "--key-id", &id],
        b"",
    );
    let out = run_ok(
        &["open", "--keyset", arg(&keys)],
        format!("{e}\n").as_bytes(),
    );
    assert_eq!(out, "error: key-disabled\n");
}

#[test]
fn an_envelope_for_another_keyset_with_the_same_key_id_does_not_open() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let (id, pk) = seal_key(&keys);
    let other = keygen(&dir, "other.json");
    let (_, other_pk) = seal_key(&other);
    assert_ne!(pk, other_pk);
    // Sealed to the other keyset's key but labelled with this keyset's id.
    let envelope = run_ok(
        &["seal", "--public-key", &other_pk, "--key-id", &id],
        b"+14155552671\n",
    );
    let out = run_ok(&["open", "--keyset", arg(&keys)], envelope.as_bytes());
    assert_eq!(out, "error: authentication-failed\n");
}

#[test]
fn the_opened_numbers_file_is_private_and_no_output_holds_the_keys() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let envelopes = dir.path().join("envelopes.txt");
    let (id, pk) = seal_key(&keys);
    let sealed = run(
        &[
            "seal",
            "--public-key",
            &pk,
            "--key-id",
            &id,
            "--region",
            "GB",
            "--output",
            arg(&envelopes),
        ],
        NUMBERS.as_bytes(),
        0,
    );
    let opened = dir.path().join("numbers.txt");
    let open = run(
        &[
            "open",
            "--keyset",
            arg(&keys),
            "--input",
            arg(&envelopes),
            "--output",
            arg(&opened),
        ],
        b"",
        0,
    );
    let mode = fs::metadata(&opened).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(fs::read_to_string(&opened)
        .unwrap()
        .starts_with("+14155552671\n"));
    let key_out = run(&["seal-key", "--keyset", arg(&keys)], b"", 0);
    // The keyset's secret keys, in every text form the tool writes.
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&keys).unwrap()).unwrap();
    let token_key =
        base64ct::Base64::decode_vec(json["keys"][0]["token_key"].as_str().unwrap()).unwrap();
    let mut forms = Vec::new();
    for key in [pseudonym_key(&keys), token_key] {
        forms.push(base64ct::Base64::encode_string(&key));
        forms.push(base64ct::Base64UrlUnpadded::encode_string(&key));
        forms.push(key.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
    let texts = [
        format!("{}{}", String::from_utf8_lossy(&sealed.0), sealed.1),
        fs::read_to_string(&envelopes).unwrap(),
        format!("{}{}", String::from_utf8_lossy(&open.0), open.1),
        fs::read_to_string(&opened).unwrap(),
        format!("{}{}", String::from_utf8_lossy(&key_out.0), key_out.1),
    ];
    for text in &texts {
        for form in &forms {
            assert!(!text.contains(form.as_str()), "a key in: {text}");
        }
    }
}

#[test]
fn seal_flags_are_checked() {
    let (_, err) = run(
        &["seal", "--public-key", "abcd", "--key-id", "1"],
        b"+14155552671\n",
        2,
    );
    assert!(err.contains("--public-key"), "{err}");
    let (_, err) = run(
        &["seal", "--public-key", "xyz!", "--key-id", "1"],
        b"+14155552671\n",
        2,
    );
    assert!(err.contains("not hex or base64url"), "{err}");
    let (_, err) = run(&["open", "--tokenize", "--pseudonymize"], b"", 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn csv_columns_are_sealed_and_opened_in_place() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let (id, pk) = seal_key(&keys);
    let csv = "name,phone\nada,+1 415 555 2671\nbob,nope\n";
    let sealed = run_ok(
        &[
            "seal",
            "--public-key",
            &pk,
            "--key-id",
            &id,
            "--csv",
            "--column",
            "phone",
            "--error-column",
            "seal_error",
        ],
        csv.as_bytes(),
    );
    assert!(!sealed.contains("415"), "{sealed}");
    let opened = run_ok(
        &["open", "--keyset", arg(&keys), "--csv", "--column", "phone"],
        sealed.as_bytes(),
    );
    // Each step's error column: seal's, then open's.
    let lines: Vec<&str> = opened.lines().collect();
    assert_eq!(lines[0], "name,phone,seal_error,phonetoken_error");
    assert_eq!(lines[1], "ada,+14155552671,,");
    assert_eq!(
        lines[2], "bob,,no-digits,",
        "a failed cell stays empty and is not opened"
    );
}
