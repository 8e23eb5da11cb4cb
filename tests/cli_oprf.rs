//! The `phonetoken oprf …` commands through the built binary: blind → evaluate → finalize
//! equals `oprf pseudonymize` in every mode, error codes per line, refused forgeries and
//! foreign keys, the state file's permissions, no key bytes in any output, and
//! `derive-key-pair` against RFC 9497 Appendix A.1.
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

fn public_key(keys: &Path, extra: &[&str]) -> String {
    let mut args = vec!["oprf", "public-key", "--keyset", arg(keys)];
    args.extend_from_slice(extra);
    run_ok(&args, b"").trim().to_string()
}

/// blind, then evaluate, then finalize; returns (requests, responses, pseudonyms).
fn round_trip(
    dir: &TempDir,
    keys: &Path,
    pk: &str,
    numbers: &str,
    server_extra: &[&str],
    client_extra: &[&str],
) -> (String, String, String) {
    let state = dir.path().join(format!("state-{}", next_id()));
    let mut blind = vec!["oprf", "blind", "--public-key", pk, "--state", arg(&state)];
    blind.extend_from_slice(client_extra);
    let requests = run_ok(&blind, numbers.as_bytes());
    let mut evaluate = vec!["oprf", "evaluate", "--keyset", arg(keys)];
    evaluate.extend_from_slice(server_extra);
    let responses = run_ok(&evaluate, requests.as_bytes());
    let finalize = [
        "oprf",
        "finalize",
        "--public-key",
        pk,
        "--state",
        arg(&state),
    ];
    let pseudonyms = run_ok(&finalize, responses.as_bytes());
    (requests, responses, pseudonyms)
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

const NUMBERS: &str = "+14155552671\n020 7946 0958\nnot a number\n+33 1 23 45 67 89\n";

#[test]
fn blind_evaluate_finalize_equals_direct_pseudonymize_in_every_mode() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    for mode in ["oprf", "voprf", "poprf"] {
        let pk = public_key(&keys, &["--mode", mode]);
        let server = ["--mode", mode];
        let (requests, _, pseudonyms) =
            round_trip(&dir, &keys, &pk, NUMBERS, &server, &["--region", "GB"]);
        let direct = run_ok(
            &[
                "oprf",
                "pseudonymize",
                "--keyset",
                arg(&keys),
                "--mode",
                mode,
                "--region",
                "GB",
            ],
            NUMBERS.as_bytes(),
        );
        assert_eq!(pseudonyms, direct, "mode {mode}");
        let lines: Vec<&str> = pseudonyms.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2], "error: no-digits", "a bad line keeps its place");
        assert_eq!(
            base64ct::Base64UrlUnpadded::decode_vec(lines[0])
                .unwrap()
                .len(),
            64
        );
        assert_ne!(lines[0], lines[1]);
        // The same numbers blind differently every run.
        let state = dir.path().join(format!("again-{mode}"));
        let again = run_ok(
            &[
                "oprf",
                "blind",
                "--public-key",
                &pk,
                "--state",
                arg(&state),
                "--region",
                "GB",
            ],
            NUMBERS.as_bytes(),
        );
        assert_ne!(requests.lines().next(), again.lines().next());
    }
}

#[test]
fn poprf_info_is_an_input_and_the_server_allows_only_the_infos_it_lists() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let pk = public_key(&keys, &["--mode", "poprf"]);
    let numbers = "+14155552671\n";
    let (_, _, with_info) = round_trip(
        &dir,
        &keys,
        &pk,
        numbers,
        &["--mode", "poprf", "--info", "2026-12", "--info", "2027-01"],
        &["--info", "2026-12"],
    );
    let direct = |info: &str| {
        run_ok(
            &[
                "oprf",
                "pseudonymize",
                "--keyset",
                arg(&keys),
                "--mode",
                "poprf",
                "--info",
                info,
            ],
            numbers.as_bytes(),
        )
    };
    assert_eq!(with_info, direct("2026-12"));
    assert_ne!(with_info, direct("2027-01"));
    // An info the server did not list is refused, and so (by default) is any non-empty one.
    for server in [
        &["--mode", "poprf", "--info", "2027-01"][..],
        &["--mode", "poprf"][..],
    ] {
        let (_, responses, pseudonyms) =
            round_trip(&dir, &keys, &pk, numbers, server, &["--info", "2026-12"]);
        assert_eq!(responses, "error: info-not-allowed\n");
        assert_eq!(
            pseudonyms, "error: info-not-allowed\n",
            "the server's reason is passed on"
        );
    }
}

#[test]
fn the_server_picks_the_key_each_request_names() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let old_pk = public_key(&keys, &[]);
    let old_id = u32::from_str_radix(&old_pk[4..12], 16).unwrap();
    run_ok(&["keyset", "rotate", "--keyset", arg(&keys)], b"");
    let new_pk = public_key(&keys, &[]);
    assert_ne!(old_pk, new_pk);
    let numbers = "+14155552671\n";
    for (pk, id) in [(&old_pk, Some(old_id)), (&new_pk, None)] {
        let (_, _, pseudonyms) = round_trip(&dir, &keys, pk, numbers, &[], &[]);
        let id_arg = id.map(|i| i.to_string());
        let mut direct = vec!["oprf", "pseudonymize", "--keyset", arg(&keys)];
        if let Some(i) = &id_arg {
            direct.extend_from_slice(&["--key-id", i]);
        }
        assert_eq!(pseudonyms, run_ok(&direct, numbers.as_bytes()));
    }
    // A disabled key no longer evaluates; an unknown one never did.
    let state = dir.path().join("old-state");
    let requests = run_ok(
        &[
            "oprf",
            "blind",
            "--public-key",
            &old_pk,
            "--state",
            arg(&state),
        ],
        numbers.as_bytes(),
    );
    let id = old_id.to_string();
    run_ok(
        &["keyset", "disable", "--keyset", arg(&keys), "--key-id", &id],
        b"",
    );
    let evaluate = ["oprf", "evaluate", "--keyset", arg(&keys)];
    assert_eq!(
        run_ok(&evaluate, requests.as_bytes()),
        "error: key-disabled\n"
    );
    let other = keygen(&dir, "other.json");
    let evaluate = ["oprf", "evaluate", "--keyset", arg(&other)];
    assert_eq!(
        run_ok(&evaluate, requests.as_bytes()),
        "error: unknown-key-id\n"
    );
    let evaluate = ["oprf", "evaluate", "--keyset", arg(&keys), "--mode", "oprf"];
    assert_eq!(
        run_ok(&evaluate, requests.as_bytes()),
        "error: wrong-mode\n"
    );
}

/// Flips one bit of the byte at `index` of a base64url line.
fn flip(line: &str, index: usize) -> String {
    let mut bytes = base64ct::Base64UrlUnpadded::decode_vec(line).unwrap();
    bytes[index] ^= 0x01;
    base64ct::Base64UrlUnpadded::encode_string(&bytes)
}

#[test]
fn bad_requests_and_responses_get_their_own_codes_and_forgeries_are_refused() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let pk = public_key(&keys, &[]);
    let state = dir.path().join("state");
    let numbers = "+14155552671\n+14155552672\n+14155552673\n+14155552674\n+14155552675\n";
    let requests = run_ok(
        &["oprf", "blind", "--public-key", &pk, "--state", arg(&state)],
        numbers.as_bytes(),
    );
    let r: Vec<&str> = requests.lines().collect();
    // Version, mode, count, a cut element, bad text.
    let bad_requests = format!(
        "{}\n{}\n{}\n{}\n!!\n{}\n",
        flip(r[0], 0),
        flip(r[1], 1),
        flip(r[2], 6),
        &r[3][..r[3].len() - 4],
        r[4]
    );
    let evaluate = ["oprf", "evaluate", "--keyset", arg(&keys)];
    let out = run_ok(&evaluate, bad_requests.as_bytes());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..5],
        [
            "error: unsupported-version",
            "error: wrong-mode",
            "error: empty-batch",
            "error: wrong-length",
            "error: bad-encoding"
        ]
    );
    assert!(
        !lines[5].starts_with("error"),
        "the good line is answered: {out}"
    );

    let responses = run_ok(&evaluate, requests.as_bytes());
    let s: Vec<&str> = responses.lines().collect();
    // A flipped bit in the key id, an element, the proof's two scalars; one line intact.
    let tampered = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        flip(s[0], 5),
        flip(s[1], 7 + 3),
        flip(s[2], 7 + 32 + 1),
        flip(s[3], 7 + 32 + 40),
        s[4]
    );
    let finalize = [
        "oprf",
        "finalize",
        "--public-key",
        &pk,
        "--state",
        arg(&state),
    ];
    let out = run_ok(&finalize, tampered.as_bytes());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "error: wrong-key-id");
    for line in &lines[1..4] {
        assert!(
            [
                "error: verification-failed",
                "error: non-canonical-element",
                "error: non-canonical-proof"
            ]
            .contains(line),
            "{line}"
        );
    }
    let direct = run_ok(
        &["oprf", "pseudonymize", "--keyset", arg(&keys)],
        numbers.as_bytes(),
    );
    assert_eq!(lines[4], direct.lines().nth(4).unwrap());
    // Flipped proof bits that still decode fail the proof itself.
    assert!(
        lines[1..4].contains(&"error: verification-failed"),
        "{lines:?}"
    );
}

#[test]
fn a_response_from_another_key_fails_verification() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let pk = public_key(&keys, &[]);
    let state = dir.path().join("state");
    let requests = run_ok(
        &["oprf", "blind", "--public-key", &pk, "--state", arg(&state)],
        b"+14155552671\n",
    );
    // Another keyset whose key has the same id: the request is evaluated, the proof is not
    // for the pinned key.
    let other = dir.path().join("other.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&keys).unwrap()).unwrap();
    let fresh = keygen(&dir, "fresh.json");
    let fresh_json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&fresh).unwrap()).unwrap();
    json["keys"][0]["pseudonym_key"] = fresh_json["keys"][0]["pseudonym_key"].clone();
    fs::write(&other, serde_json::to_string(&json).unwrap()).unwrap();
    fs::set_permissions(&other, fs::Permissions::from_mode(0o600)).unwrap();
    let responses = run_ok(
        &["oprf", "evaluate", "--keyset", arg(&other)],
        requests.as_bytes(),
    );
    assert!(!responses.starts_with("error"), "{responses}");
    let finalize = [
        "oprf",
        "finalize",
        "--public-key",
        &pk,
        "--state",
        arg(&state),
    ];
    assert_eq!(
        run_ok(&finalize, responses.as_bytes()),
        "error: verification-failed\n"
    );
    // The other key's public key with this state: the state is for a key id and mode, and
    // the proof is checked against the key given.
    let other_pk = public_key(&other, &[]);
    assert_ne!(other_pk, pk);
    let finalize = [
        "oprf",
        "finalize",
        "--public-key",
        &other_pk,
        "--state",
        arg(&state),
    ];
    let honest = run_ok(
        &["oprf", "evaluate", "--keyset", arg(&keys)],
        requests.as_bytes(),
    );
    assert_eq!(
        run_ok(&finalize, honest.as_bytes()),
        "error: verification-failed\n"
    );
}

#[test]
fn the_state_file_is_private_new_and_paired_line_for_line() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let pk = public_key(&keys, &[]);
    let state = dir.path().join("state");
    let requests = run_ok(
        &["oprf", "blind", "--public-key", &pk, "--state", arg(&state)],
        b"+14155552671\nnope\n+14155552672\n",
    );
    let mode = fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let state_text = fs::read_to_string(&state).unwrap();
    assert_eq!(state_text.lines().count(), 3);
    assert_eq!(state_text.lines().nth(1), Some("error: no-digits"));
    assert!(!requests.contains(state_text.lines().next().unwrap()));
    // Never over an existing state: it may be another run's.
    let (_, err) = run(
        &["oprf", "blind", "--public-key", &pk, "--state", arg(&state)],
        b"+14155552671\n",
        2,
    );
    assert!(err.contains("finalize or remove it"), "{err}");
    assert_eq!(fs::read_to_string(&state).unwrap(), state_text);
    // A changed byte in a state line fails that line only.
    let responses = run_ok(
        &["oprf", "evaluate", "--keyset", arg(&keys)],
        requests.as_bytes(),
    );
    let mut lines: Vec<String> = state_text.lines().map(String::from).collect();
    lines[2] = flip(&lines[2], 20);
    let altered = dir.path().join("altered");
    fs::write(
        &altered,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    let out = run_ok(
        &[
            "oprf",
            "finalize",
            "--public-key",
            &pk,
            "--state",
            arg(&altered),
        ],
        responses.as_bytes(),
    );
    let out: Vec<&str> = out.lines().collect();
    assert_eq!(out[1..], ["error: no-digits", "error: bad-state"]);
    assert!(!out[0].starts_with("error"));
    // Responses and state of different lengths stop the run.
    let responses = run_ok(
        &["oprf", "evaluate", "--keyset", arg(&keys)],
        requests.as_bytes(),
    );
    let finalize = [
        "oprf",
        "finalize",
        "--public-key",
        &pk,
        "--state",
        arg(&state),
    ];
    let first: String = responses
        .lines()
        .take(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let (_, err) = run(&finalize, first.as_bytes(), 2);
    assert!(err.contains("the responses end after 1 lines"), "{err}");
    let more = format!("{responses}{}\n", responses.lines().next().unwrap());
    let (_, err) = run(&finalize, more.as_bytes(), 2);
    assert!(err.contains("the state file ends after 3 lines"), "{err}");
    // CSV would lose the pairing.
    let state2 = dir.path().join("state2");
    let (_, err) = run(
        &[
            "oprf",
            "blind",
            "--public-key",
            &pk,
            "--state",
            arg(&state2),
            "--csv",
            "--column",
            "1",
        ],
        b"n\n+14155552671\n",
        2,
    );
    assert!(err.contains("--csv is not available"), "{err}");
    // A failed run (--strict) leaves no state behind.
    let (_, _) = run(
        &[
            "oprf",
            "blind",
            "--public-key",
            &pk,
            "--state",
            arg(&state2),
            "--strict",
        ],
        b"+14155552671\nnope\n",
        1,
    );
    assert!(!state2.exists());
}

#[test]
fn no_output_holds_the_keys() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let key = pseudonym_key(&keys);
    let forms = [
        base64ct::Base64::encode_string(&key),
        base64ct::Base64UrlUnpadded::encode_string(&key),
        key.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    ];
    let pk_out = run(&["oprf", "public-key", "--keyset", arg(&keys)], b"", 0);
    let pk = String::from_utf8(pk_out.0.clone())
        .unwrap()
        .trim()
        .to_string();
    let state = dir.path().join("state");
    let numbers = b"+14155552671\n";
    let blind = run(
        &["oprf", "blind", "--public-key", &pk, "--state", arg(&state)],
        numbers,
        0,
    );
    let evaluate = run(&["oprf", "evaluate", "--keyset", arg(&keys)], &blind.0, 0);
    let finalize = run(
        &[
            "oprf",
            "finalize",
            "--public-key",
            &pk,
            "--state",
            arg(&state),
        ],
        &evaluate.0,
        0,
    );
    let direct = run(
        &["oprf", "pseudonymize", "--keyset", arg(&keys)],
        numbers,
        0,
    );
    let all = [pk_out, blind, evaluate, finalize, direct];
    for (out, err) in &all {
        let text = format!("{}{err}", String::from_utf8_lossy(out));
        for form in &forms {
            assert!(!text.contains(form.as_str()), "a key in: {text}");
        }
    }
}

/// RFC 9497 Appendix A.1's key pairs, read from the RFC's text in tests/data.
fn rfc_key_pairs() -> Vec<(&'static str, String, String, String, Option<String>)> {
    let text = include_str!("data/rfc9497_ristretto255.txt");
    let mut out = Vec::new();
    for (section, mode) in [
        ("A.1.1.  OPRF Mode", "oprf"),
        ("A.1.2.  VOPRF Mode", "voprf"),
        ("A.1.3.  POPRF Mode", "poprf"),
    ] {
        let start = text.find(section).unwrap();
        let body = &text[start..];
        let body = &body[..body.find("Test Vector 1").unwrap()];
        // `Name = hex` with the hex wrapped onto indented continuation lines.
        let value = |name: &str| -> Option<String> {
            let at = body.find(&format!("{name} = "))?;
            let rest = &body[at + name.len() + 3..];
            let mut hex = String::new();
            for line in rest.lines() {
                let line = line.trim();
                if line.contains('=') || line.is_empty() {
                    break;
                }
                hex.push_str(line);
            }
            Some(hex)
        };
        out.push((
            mode,
            value("Seed").unwrap(),
            value("KeyInfo").unwrap(),
            value("skSm").unwrap(),
            value("pkSm"),
        ));
    }
    out
}

#[test]
fn derive_key_pair_gives_rfc_9497_appendix_a1_keys() {
    let pairs = rfc_key_pairs();
    assert_eq!(pairs.len(), 3);
    for (mode, seed, info, sk, pk) in pairs {
        assert_eq!(seed.len(), 64, "{mode}");
        let out = run_ok(
            &[
                "oprf",
                "derive-key-pair",
                "--seed",
                &seed,
                "--info",
                &info,
                "--mode",
                mode,
            ],
            b"",
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("skS {sk}"), "A.1 {mode}: skSm");
        assert!(lines[1].starts_with("pkS "), "{out}");
        if let Some(pk) = pk {
            assert_eq!(lines[1], format!("pkS {pk}"), "A.1 {mode}: pkSm");
        }
    }
    // The mode is part of the derivation (RFC 9497's context string).
    let (_, seed, info, _, _) = &rfc_key_pairs()[1];
    let a = run_ok(
        &[
            "oprf",
            "derive-key-pair",
            "--seed",
            seed,
            "--info",
            info,
            "--mode",
            "oprf",
        ],
        b"",
    );
    let b = run_ok(
        &["oprf", "derive-key-pair", "--seed", seed, "--info", info],
        b"",
    );
    assert_ne!(a, b);
    let (_, err) = run(
        &["oprf", "derive-key-pair", "--seed", "zz", "--info", ""],
        b"",
        2,
    );
    assert!(err.contains("--seed is not hex"), "{err}");
}

#[test]
fn public_key_flags_are_checked() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let state = dir.path().join("state");
    let (_, err) = run(
        &[
            "oprf",
            "blind",
            "--public-key",
            "0101abcd",
            "--state",
            arg(&state),
        ],
        b"+14155552671\n",
        2,
    );
    assert!(err.contains("--public-key"), "{err}");
    assert!(!state.exists());
    let (_, err) = run(
        &[
            "oprf",
            "public-key",
            "--keyset",
            arg(&keys),
            "--key-id",
            "1",
        ],
        b"",
        2,
    );
    assert!(err.contains("no such key"), "{err}");
    // Base64url reads as well as hex.
    let pk = public_key(&keys, &[]);
    let bytes: Vec<u8> = (0..pk.len() / 2)
        .map(|i| u8::from_str_radix(&pk[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let b64 = base64ct::Base64UrlUnpadded::encode_string(&bytes);
    let numbers = b"+14155552671\n";
    let requests = run_ok(
        &[
            "oprf",
            "blind",
            "--public-key",
            &b64,
            "--state",
            arg(&state),
        ],
        numbers,
    );
    assert_eq!(requests.lines().count(), 1);
}

#[test]
fn the_server_commands_read_csv_columns() {
    let dir = TempDir::new().unwrap();
    let keys = keygen(&dir, "keys.json");
    let csv = "name,phone\nada,+1 415 555 2671\n";
    let table = run_ok(
        &[
            "oprf",
            "pseudonymize",
            "--keyset",
            arg(&keys),
            "--csv",
            "--column",
            "phone",
        ],
        csv.as_bytes(),
    );
    let direct = run_ok(
        &["oprf", "pseudonymize", "--keyset", arg(&keys)],
        b"+14155552671\n",
    );
    assert_eq!(
        table.lines().nth(1).unwrap(),
        format!("ada,{},", direct.trim())
    );
    // Requests in a column are answered in place.
    let pk = public_key(&keys, &[]);
    let state = dir.path().join("state");
    let request = run_ok(
        &["oprf", "blind", "--public-key", &pk, "--state", arg(&state)],
        b"+14155552671\n",
    );
    let requests = format!("id,request\n1,{request}");
    let responses = run_ok(
        &[
            "oprf",
            "evaluate",
            "--keyset",
            arg(&keys),
            "--csv",
            "--column",
            "request",
        ],
        requests.as_bytes(),
    );
    let response = responses.lines().nth(1).unwrap().split(',').nth(1).unwrap();
    let finalize = [
        "oprf",
        "finalize",
        "--public-key",
        &pk,
        "--state",
        arg(&state),
    ];
    assert_eq!(
        run_ok(&finalize, format!("{response}\n").as_bytes()),
        direct
    );
}
