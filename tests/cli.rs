//! The `phonetoken` command-line tool, run as a separate process.
//!
//! Expected pseudonyms are computed here with the `hmac`/`hkdf` crates from the key bytes in
//! the keyset file, and tokens are checked by opening them again, so no expected value is
//! copied from the tool's own output.
#![cfg(feature = "cli")]

use std::path::Path;

use assert_cmd::Command;
use base64ct::Encoding as _;
use tempfile::TempDir;

mod support;

use support::{arg, hmac_sha256, keygen, phonetoken, pseudonym_key, run_text as run_ok};

/// Runs the tool with `args` and `stdin`, expects exit 2, returns stderr.
fn run_fails(cmd: &mut Command, stdin: &[u8]) -> String {
    let out = cmd.write_stdin(stdin).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout after a failure");
    stderr
}

/// The documented per-purpose derivation (HKDF-SHA256), for pseudonym keys.
fn derive_pseudonym_key(key: &[u8], purpose: &str) -> Vec<u8> {
    let mut info = b"pseudonym-key\0".to_vec();
    info.push(u8::try_from(purpose.len()).unwrap());
    info.extend_from_slice(purpose.as_bytes());
    let mut okm = vec![0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b"phonetoken-v1"), key)
        .expand(&info, &mut okm)
        .unwrap();
    okm
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// `phonetoken keyset import-tink --in TINK --out OUT`, expected to succeed.
fn import_tink(tink: &Path, out: &Path) {
    run_ok(
        &[
            "keyset",
            "import-tink",
            "--in",
            arg(tink),
            "--out",
            arg(out),
        ],
        b"",
    );
}

#[test]
fn normalize_follows_the_line_protocol() {
    let input = b"+1 (415) 555-2671\r\n\n020 7946 0958\n\xff\xfe\ncall me\n+44 20 7946 0958";
    let (stdout, stderr) = run_ok(&["normalize", "--region", "GB"], input);
    assert_eq!(
        lines(&stdout),
        [
            "+14155552671",
            "error: no-digits",
            "+442079460958",
            "error: invalid-utf8",
            "error: no-digits",
            "+442079460958",
        ]
    );
    assert!(
        stdout.ends_with('\n'),
        "the unterminated last line is answered"
    );
    assert!(!stdout.contains('\r'));
    assert!(
        stderr.contains("6 lines, 3 failed"),
        "summary on stderr: {stderr}"
    );
    assert!(stderr.contains("invalid-utf8: 1"), "{stderr}");
    assert!(stderr.contains("no-digits: 2"), "{stderr}");
}

#[test]
fn normalize_without_region_rejects_national_numbers_as_data() {
    let (stdout, _) = run_ok(&["normalize"], b"020 7946 0958\n+33 1 42 68 53 00\n");
    let out = lines(&stdout);
    assert_eq!(out.len(), 2);
    assert!(out[0].starts_with("error: "), "{stdout}");
    assert_eq!(out[1], "+33142685300");
}

#[test]
fn unknown_region_is_a_usage_error() {
    for sub in ["normalize", "pseudonymize", "tokenize"] {
        let stderr = run_fails(
            phonetoken().args([sub, "--region", "ZZ"]),
            b"+14155552671\n",
        );
        assert!(stderr.contains("ZZ"), "{sub}: {stderr}");
        assert!(
            stderr.contains("US"),
            "the message suggests a valid code: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn keygen_writes_an_owner_only_file_and_refuses_to_overwrite() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new().unwrap();
    let path = dir.path().join("keys.json");
    let out = phonetoken()
        .args(["keygen", "--out", arg(&path)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "keys are never printed");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = json["primary_key_id"].as_u64().unwrap();
    assert!(
        stderr.contains(&id.to_string()),
        "key id on stderr: {stderr}"
    );
    let key = json["keys"][0]["pseudonym_key"].as_str().unwrap();
    assert!(!stderr.contains(key), "the key is not on stderr");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // A second keygen must not replace the keys.
    let stderr = run_fails(phonetoken().args(["keygen", "--out", arg(&path)]), b"");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // --force replaces them, still owner-only, even over a world-readable file.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    run_ok(&["keygen", "--out", arg(&path), "--force"], b"");
    let replaced = std::fs::read_to_string(&path).unwrap();
    assert_ne!(replaced, text);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn pseudonymize_is_hmac_sha256_of_the_e164_string() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let key = pseudonym_key(&ks);
    let full_a = hmac_sha256(&key, b"+14155552671");
    let full_b = hmac_sha256(&key, b"+442079460958");
    let input = b"(415) 555-2671\r\n12\n+44 20 7946 0958\n";

    let (stdout, stderr) = run_ok(
        &["pseudonymize", "--keyset", arg(&ks), "--region", "US"],
        input,
    );
    assert_eq!(
        lines(&stdout),
        [
            base64ct::Base64UrlUnpadded::encode_string(&full_a).as_str(),
            "error: too-short",
            base64ct::Base64UrlUnpadded::encode_string(&full_b).as_str(),
        ]
    );
    assert!(stderr.contains("3 lines, 1 failed"), "{stderr}");

    let (stdout, _) = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&ks),
            "--region",
            "US",
            "--encoding",
            "base64",
        ],
        input,
    );
    assert_eq!(lines(&stdout)[0], base64ct::Base64::encode_string(&full_a));

    let (stdout, _) = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&ks),
            "--region",
            "US",
            "--encoding",
            "hex",
            "--length",
            "12",
        ],
        input,
    );
    assert_eq!(lines(&stdout)[0], hex(&full_a[..12]));
    assert_eq!(lines(&stdout)[2], hex(&full_b[..12]));
}

#[test]
fn pseudonymize_rejects_lengths_outside_8_to_32() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    for bad in ["7", "33", "0", "x"] {
        let stderr = run_fails(
            phonetoken().args(["pseudonymize", "--keyset", arg(&ks), "--length", bad]),
            b"+14155552671\n",
        );
        assert!(stderr.contains("--length"), "{stderr}");
    }
}

#[test]
fn purpose_derives_independent_keys() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let key = pseudonym_key(&ks);
    let plain = run_ok(&["pseudonymize", "--keyset", arg(&ks)], b"+14155552671\n").0;
    let contacts = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&ks),
            "--purpose",
            "contacts",
        ],
        b"+14155552671\n",
    )
    .0;
    let billing = run_ok(
        &["pseudonymize", "--keyset", arg(&ks), "--purpose", "billing"],
        b"+14155552671\n",
    )
    .0;
    assert_ne!(plain, contacts);
    assert_ne!(contacts, billing);
    let expected = hmac_sha256(&derive_pseudonym_key(&key, "contacts"), b"+14155552671");
    assert_eq!(
        contacts.trim_end(),
        base64ct::Base64UrlUnpadded::encode_string(&expected)
    );

    // Tokens of one purpose do not open under another.
    let token = run_ok(
        &["tokenize", "--keyset", arg(&ks), "--purpose", "contacts"],
        b"+14155552671\n",
    )
    .0;
    let same = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--purpose", "contacts"],
        token.as_bytes(),
    )
    .0;
    assert_eq!(same, "+14155552671\n");
    let other = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--purpose", "billing"],
        token.as_bytes(),
    )
    .0;
    assert_eq!(other, "error: authentication-failed\n");
    let none = run_ok(&["detokenize", "--keyset", arg(&ks)], token.as_bytes()).0;
    assert_eq!(none, "error: authentication-failed\n");

    let stderr = run_fails(
        phonetoken().args(["pseudonymize", "--keyset", arg(&ks), "--purpose", ""]),
        b"",
    );
    assert!(stderr.contains("purpose"), "{stderr}");
}

#[test]
fn detokenize_writes_the_format_asked_for() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let (tokens, _) = run_ok(
        &["tokenize", "--keyset", arg(&ks), "--context", "crm"],
        b"+44 20 7946 0958\n+1 415 555 2671\n+7 495 123 45 67\n",
    );
    let tokens_in = format!("{tokens}garbage!\n");
    let detokenize = |format: Option<&str>| {
        let mut args = vec!["detokenize", "--keyset", arg(&ks), "--context", "crm"];
        args.extend(format.map(|f| ["--format", f]).into_iter().flatten());
        run_ok(&args, tokens_in.as_bytes()).0
    };
    // libphonenumber's forms of the three numbers (phonenumbers 9.0.35's format_number).
    let expected = [
        (None, ["+442079460958", "+14155552671", "+74951234567"]),
        (
            Some("e164"),
            ["+442079460958", "+14155552671", "+74951234567"],
        ),
        (
            Some("international"),
            ["+44 20 7946 0958", "+1 415-555-2671", "+7 495 123-45-67"],
        ),
        (
            Some("national"),
            ["020 7946 0958", "(415) 555-2671", "8 (495) 123-45-67"],
        ),
        (
            Some("rfc3966"),
            [
                "tel:+44-20-7946-0958",
                "tel:+1-415-555-2671",
                "tel:+7-495-123-45-67",
            ],
        ),
    ];
    for (format, want) in expected {
        let out = detokenize(format);
        let mut want: Vec<&str> = want.to_vec();
        want.push("error: bad-encoding");
        assert_eq!(lines(&out), want, "--format {format:?}");
    }
    // The library agrees, through the keyset file.
    let keyset = phonetoken::Keyset::from_json(&std::fs::read_to_string(&ks).unwrap()).unwrap();
    let number = keyset.detokenize_str(lines(&tokens)[1], b"crm").unwrap();
    assert_eq!(
        number.formatted(phonetoken::Format::National).to_string(),
        "(415) 555-2671"
    );

    // CSV: the formatted number replaces the token's cell (the error column stays empty).
    let csv_in = format!("who,token\na,{}\n", lines(&tokens)[1]);
    let (csv_out, _) = run_ok(
        &[
            "detokenize",
            "--keyset",
            arg(&ks),
            "--context",
            "crm",
            "--format",
            "national",
            "--csv",
            "--column",
            "token",
        ],
        csv_in.as_bytes(),
    );
    assert_eq!(
        lines(&csv_out),
        ["who,token,phonetoken_error", "a,(415) 555-2671,"]
    );

    // Masked: the international layout, the last --visible digits shown.
    let (masked, _) = run_ok(
        &[
            "detokenize",
            "--keyset",
            arg(&ks),
            "--context",
            "crm",
            "--format",
            "masked",
            "--visible",
            "3",
        ],
        tokens.as_bytes(),
    );
    assert_eq!(
        lines(&masked),
        ["+44 ** **** *958", "+1 ***-***-*671", "+7 *** ***-*5-67"]
    );
    let stderr = run_fails(
        phonetoken().args(["detokenize", "--keyset", arg(&ks), "--format", "mask"]),
        b"",
    );
    assert!(stderr.contains("--format"), "{stderr}");
}

#[test]
fn tokenize_then_detokenize_round_trips_with_the_same_context() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let input = "020 7946 0958\nnot a number\n+1 415 555 2671\r\n\n";
    let (tokens, stderr) = run_ok(
        &[
            "tokenize",
            "--keyset",
            arg(&ks),
            "--region",
            "GB",
            "--context",
            "crm",
        ],
        input.as_bytes(),
    );
    assert!(stderr.contains("4 lines, 2 failed"), "{stderr}");
    let t = lines(&tokens);
    assert_eq!(t.len(), 4);
    assert!(t[1].starts_with("error: ") && t[3].starts_with("error: "));
    for token in [t[0], t[2]] {
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
    // Deterministic: the same number and context give the same token.
    let again = run_ok(
        &[
            "tokenize",
            "--keyset",
            arg(&ks),
            "--region",
            "GB",
            "--context",
            "crm",
        ],
        input.as_bytes(),
    )
    .0;
    assert_eq!(again, tokens);

    // Through the library as well: the file's keyset opens the tool's token.
    let keyset: phonetoken::Keyset =
        phonetoken::Keyset::from_json(&std::fs::read_to_string(&ks).unwrap()).unwrap();
    assert_eq!(
        keyset.detokenize_str(t[0], b"crm").unwrap().as_str(),
        "+442079460958"
    );

    let tokens_in = format!("{}\n{}\r\ngarbage!\n", t[0], t[2]);
    let (back, stderr) = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--context", "crm"],
        tokens_in.as_bytes(),
    );
    assert_eq!(
        lines(&back),
        ["+442079460958", "+14155552671", "error: bad-encoding"]
    );
    assert!(stderr.contains("3 lines, 1 failed"), "{stderr}");

    let (wrong, stderr) = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--context", "billing"],
        tokens_in.as_bytes(),
    );
    assert_eq!(
        lines(&wrong),
        [
            "error: authentication-failed",
            "error: authentication-failed",
            "error: bad-encoding"
        ]
    );
    assert!(stderr.contains("authentication-failed: 2"), "{stderr}");

    // Another keyset has no key with this id.
    let other = keygen(&dir, "other.json");
    let (foreign, _) = run_ok(
        &["detokenize", "--keyset", arg(&other), "--context", "crm"],
        tokens_in.as_bytes(),
    );
    assert_eq!(lines(&foreign)[0], "error: unknown-key-id");
}

#[test]
fn keyset_path_comes_from_the_environment_when_the_flag_is_absent() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let key = pseudonym_key(&ks);
    let out = phonetoken()
        .arg("pseudonymize")
        .env("PHONETOKEN_KEYSET", &ks)
        .write_stdin("+14155552671\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        base64ct::Base64UrlUnpadded::encode_string(&hmac_sha256(&key, b"+14155552671"))
    );
}

#[test]
fn missing_or_bad_keyset_is_a_usage_error_with_a_hint() {
    for sub in ["pseudonymize", "tokenize", "detokenize"] {
        let stderr = run_fails(phonetoken().arg(sub), b"+14155552671\n");
        assert!(stderr.contains("--keyset"), "{sub}: {stderr}");
        assert!(stderr.contains("PHONETOKEN_KEYSET"), "{sub}: {stderr}");
        assert!(stderr.contains("keygen"), "{sub}: {stderr}");
    }
    let stderr = run_fails(
        phonetoken()
            .args(["keyset", "export-tink"])
            .env("PHONETOKEN_KEYSET", ""),
        b"",
    );
    assert!(stderr.contains("PHONETOKEN_KEYSET"), "{stderr}");

    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.json");
    let stderr = run_fails(
        phonetoken().args(["tokenize", "--keyset", arg(&missing)]),
        b"+14155552671\n",
    );
    assert!(stderr.contains("missing.json"), "{stderr}");

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, b"{\"format\": \"something-else\"").unwrap();
    let stderr = run_fails(
        phonetoken().args(["detokenize", "--keyset", arg(&garbage)]),
        b"x\n",
    );
    assert!(stderr.contains("garbage.json"), "{stderr}");

    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, b"\xff\xfe\x00").unwrap();
    run_fails(
        phonetoken().args(["pseudonymize", "--keyset", arg(&binary)]),
        b"",
    );
}

#[cfg(unix)]
#[test]
fn tink_export_then_import_keeps_tokens_working() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let tokens = run_ok(
        &["tokenize", "--keyset", arg(&ks), "--context", "t"],
        b"+14155552671\n+33142685300\n",
    )
    .0;

    let (tink, _) = run_ok(&["keyset", "export-tink", "--keyset", arg(&ks)], b"");
    let parsed: serde_json::Value = serde_json::from_str(&tink).unwrap();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ks).unwrap()).unwrap();
    assert_eq!(parsed["primaryKeyId"], original["primary_key_id"]);
    assert_eq!(
        parsed["key"][0]["keyData"]["typeUrl"],
        "type.googleapis.com/google.crypto.tink.AesSivKey"
    );
    // keyData.value is 0x12 0x40 followed by the 64-byte token key from the file.
    let value =
        base64ct::Base64::decode_vec(parsed["key"][0]["keyData"]["value"].as_str().unwrap())
            .unwrap();
    let token_key =
        base64ct::Base64::decode_vec(original["keys"][0]["token_key"].as_str().unwrap()).unwrap();
    assert_eq!(&value[..2], &[0x12, 0x40]);
    assert_eq!(&value[2..], &token_key[..]);

    let tink_path = dir.path().join("tink.json");
    std::fs::write(&tink_path, &tink).unwrap();
    let imported = dir.path().join("imported.json");
    import_tink(&tink_path, &imported);
    assert_eq!(
        std::fs::metadata(&imported).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let back = run_ok(
        &["detokenize", "--keyset", arg(&imported), "--context", "t"],
        tokens.as_bytes(),
    )
    .0;
    assert_eq!(lines(&back), ["+14155552671", "+33142685300"]);

    // Importing again over the same file needs --force.
    let stderr = run_fails(
        phonetoken().args([
            "keyset",
            "import-tink",
            "--in",
            arg(&tink_path),
            "--out",
            arg(&imported),
        ]),
        b"",
    );
    assert!(stderr.contains("--force"), "{stderr}");

    // A phonetoken keyset is not a Tink keyset.
    let stderr = run_fails(
        phonetoken().args([
            "keyset",
            "import-tink",
            "--in",
            arg(&ks),
            "--out",
            arg(&dir.path().join("x.json")),
        ]),
        b"",
    );
    assert!(stderr.contains("k.json"), "{stderr}");
    assert!(!dir.path().join("x.json").exists());
}

#[test]
fn tink_export_for_a_purpose_holds_that_purposes_token_keys() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "k.json");
    let tokens = run_ok(
        &[
            "tokenize",
            "--keyset",
            arg(&ks),
            "--purpose",
            "contacts",
            "--context",
            "t",
        ],
        b"+14155552671\n",
    )
    .0;
    let import = |purpose: Option<&str>, name: &str| {
        let mut export = vec!["keyset", "export-tink", "--keyset", arg(&ks)];
        export.extend(purpose.map(|p| ["--purpose", p]).into_iter().flatten());
        let (tink, _) = run_ok(&export, b"");
        let tink_path = dir.path().join(format!("{name}.tink.json"));
        std::fs::write(&tink_path, tink).unwrap();
        let out = dir.path().join(format!("{name}.json"));
        import_tink(&tink_path, &out);
        out
    };
    let detokenize = |keyset: &std::path::Path| {
        run_ok(
            &["detokenize", "--keyset", arg(keyset), "--context", "t"],
            tokens.as_bytes(),
        )
        .0
    };
    // The purpose's export opens the purpose's tokens without any --purpose of its own.
    assert_eq!(
        lines(&detokenize(&import(Some("contacts"), "contacts"))),
        ["+14155552671"]
    );
    // The plain export and another purpose's export do not.
    for (purpose, name) in [(None, "plain"), (Some("analytics"), "analytics")] {
        let out = detokenize(&import(purpose, name));
        assert!(lines(&out)[0].starts_with("error: "), "{name}: {out}");
    }
    // A bad purpose label is a usage error, as for the other subcommands.
    let long = "x".repeat(256);
    let stderr = run_fails(
        phonetoken().args([
            "keyset",
            "export-tink",
            "--keyset",
            arg(&ks),
            "--purpose",
            &long,
        ]),
        b"",
    );
    assert!(stderr.contains("--purpose"), "{stderr}");
}

#[test]
fn demo_runs_the_whole_pipeline_on_every_sample() {
    let (stdout, _) = run_ok(&["demo"], b"");
    assert!(stdout.contains("first 16 characters"), "{stdout}");
    // Every sample appears, quoted as Rust debug strings.
    for sample in [
        "+1 (415) 555-2671",
        "020 7946 0958",
        "tel:+33-1-42-68-53-00;ext=12",
        "1-800-FLOWERS",
        "call me",
    ] {
        assert!(
            stdout.contains(&format!("{sample:?}")),
            "{sample}\n{stdout}"
        );
    }
    // Rows whose number parsed end with the detokenized number, equal to their E.164 column.
    let mut round_trips = 0;
    for line in stdout.lines().filter(|l| l.starts_with('"')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let last = fields[fields.len() - 1];
        if last.starts_with('+') {
            assert!(
                fields.iter().filter(|f| **f == last).count() >= 2,
                "E.164 and detokenized agree: {line}"
            );
            round_trips += 1;
        }
    }
    assert!(round_trips >= 10, "{stdout}");
    assert!(stdout.contains("+14155552671"));
    assert!(stdout.contains("error: "), "bad samples show their error");
}
