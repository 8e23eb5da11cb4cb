//! The `phonetoken` tool's key handling: the key lifecycle (`keyset list|rotate|promote|
//! disable|enable|destroy`, `rekey`, `pseudonymize --all-keys`), keyset permissions, and
//! messages that never echo a secret.
//!
//! Expected pseudonyms come from the `hmac` crate over the key bytes read from the keyset
//! file's JSON; tokens are checked by opening them with the library.
#![cfg(all(feature = "cli", unix))]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64ct::Encoding as _;
use phonetoken::{Keyset, Token};
use tempfile::TempDir;

mod support;

use support::{arg, hmac_sha256, keygen, phonetoken, run, run_text as run_ok};

fn load(path: &Path) -> Keyset {
    Keyset::from_json(&fs::read_to_string(path).unwrap()).unwrap()
}

/// One key of a keyset file: `(id, status, pseudonym key, token key in base64)`.
type FileKey = (u64, String, Vec<u8>, String);

/// The primary id and every key, from the file's JSON.
fn file_keys(path: &Path) -> (u64, Vec<FileKey>) {
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let keys = json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["id"].as_u64().unwrap(),
                k["status"].as_str().unwrap().to_string(),
                base64ct::Base64::decode_vec(k["pseudonym_key"].as_str().unwrap()).unwrap(),
                k["token_key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (json["primary_key_id"].as_u64().unwrap(), keys)
}

/// Every secret of the file in the forms a message could leak it: the base64 of each key,
/// and the first line of JSON that holds one.
fn secrets(path: &Path) -> Vec<String> {
    let (_, keys) = file_keys(path);
    keys.into_iter()
        .flat_map(|(_, _, p, t)| [base64ct::Base64::encode_string(&p), t])
        .collect()
}

/// `keyset export-tink` of `ks`, then `keyset import-tink --input --output` of that: the
/// imported keyset file's path.
fn export_then_import(dir: &TempDir, ks: &Path) -> PathBuf {
    let (tink, _) = run_ok(&["keyset", "export-tink", "--keyset", arg(ks)], b"");
    let tink_path = dir.path().join("tink.json");
    fs::write(&tink_path, tink).unwrap();
    let imported = dir.path().join("imported.json");
    run_ok(
        &[
            "keyset",
            "import-tink",
            "--input",
            arg(&tink_path),
            "--output",
            arg(&imported),
        ],
        b"",
    );
    imported
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// `phonetoken keyset SUB --keyset KS --key-id ID`, expected to exit with `code`: (stdout,
/// stderr).
fn key_command(ks: &Path, sub: &str, id: u64, code: i32) -> (String, String) {
    let (out, err) = run(
        &[
            "keyset",
            sub,
            "--keyset",
            arg(ks),
            "--key-id",
            &id.to_string(),
        ],
        b"",
        code,
    );
    (String::from_utf8(out).unwrap(), err)
}

/// `keyset list`'s rows as (id, status, primary); each row's creation time must be the one
/// the file records, in RFC 3339 UTC (checked against `created_utc`).
fn listed(path: &Path) -> Vec<(u64, String, bool)> {
    let (out, _) = run_ok(&["keyset", "list", "--keyset", arg(path)], b"");
    for secret in secrets(path) {
        assert!(
            !out.contains(&secret[..16]),
            "a key reached the listing: {out}"
        );
    }
    let created = created_in_file(path);
    let mut rows = out.lines();
    assert_eq!(
        rows.next()
            .map(|h| h.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["id", "status", "primary", "created"])
    );
    rows.map(|row| {
        let f: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(f.len(), 4, "{row}");
        let id: u64 = f[0].parse().unwrap();
        let expected = created.iter().find(|(i, _)| *i == id).and_then(|(_, c)| *c);
        assert_eq!(f[3], expected.map_or("-".to_string(), created_utc), "{row}");
        (id, f[1].to_string(), f[2] == "yes")
    })
    .collect()
}

/// Each key's `created` member, read from the file's JSON.
fn created_in_file(path: &Path) -> Vec<(u64, Option<u64>)> {
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["id"].as_u64().unwrap(), k["created"].as_u64()))
        .collect()
}

/// Seconds since the epoch as RFC 3339 UTC, by `date` (an independent formatter).
fn created_utc(secs: u64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn keygen_and_rotate_record_when_each_key_was_made() {
    let dir = TempDir::new().unwrap();
    let before = now();
    let ks = keygen(&dir, "keys.json");
    run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    let after = now();
    let created = created_in_file(&ks);
    assert_eq!(created.len(), 2);
    for (id, c) in &created {
        let c = c.unwrap_or_else(|| panic!("key {id} has no creation time"));
        assert!(
            (before..=after).contains(&c),
            "{c} not in {before}..={after}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&ks).unwrap()).unwrap();
    assert_eq!(
        json["version"], 2,
        "a file with creation times is version 2"
    );
    assert_eq!(listed(&ks).len(), 2);
    // A key imported from Tink has no known creation time.
    let imported = export_then_import(&dir, &ks);
    assert!(created_in_file(&imported).iter().all(|(_, c)| c.is_none()));
    assert!(listed(&imported).len() == 2);
}

#[test]
fn the_lifecycle_rotates_promotes_disables_enables_and_destroys() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let (first, keys) = file_keys(&ks);
    assert_eq!(listed(&ks), vec![(first, "enabled".into(), true)]);
    let number = phonetoken::parse("+14155552671", None).unwrap();
    let old_token = load(&ks).tokenize(&number, b"crm").to_string();

    // Rotate: a new primary, the old key still enabled and still opening its tokens.
    let (_, stderr) = run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    let (second, after) = file_keys(&ks);
    assert_ne!(second, first);
    assert!(stderr.contains(&second.to_string()), "{stderr}");
    assert_eq!(after.len(), 2);
    assert_eq!(
        after.iter().find(|k| k.0 == first),
        keys.first(),
        "old key kept as it was"
    );
    let rows = listed(&ks);
    assert_eq!(rows.len(), 2);
    assert!(rows.contains(&(first, "enabled".into(), false)), "{rows:?}");
    assert!(rows.contains(&(second, "enabled".into(), true)), "{rows:?}");
    let (out, _) = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--context", "crm"],
        old_token.as_bytes(),
    );
    assert_eq!(out.trim_end(), "+14155552671");

    // The primary cannot be disabled or destroyed; an enabled key cannot be destroyed.
    for (sub, id, says) in [
        ("disable", second, "primary"),
        ("destroy", second, "primary"),
        ("destroy", first, "disable it first"),
        ("enable", 12345, "keyset list"),
    ] {
        let (_, stderr) = key_command(&ks, sub, id, 2);
        assert!(stderr.contains(says), "{sub} {id}: {stderr}");
    }
    assert_eq!(listed(&ks).len(), 2, "refused changes leave the file alone");

    // Disable the old key: its tokens stop opening; enable it again: they open.
    key_command(&ks, "disable", first, 0);
    assert!(listed(&ks).contains(&(first, "disabled".into(), false)));
    let (out, _) = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--context", "crm"],
        old_token.as_bytes(),
    );
    assert_eq!(out.trim_end(), "error: key-disabled");
    let (_, stderr) = key_command(&ks, "promote", first, 2);
    assert!(stderr.contains("disabled"), "{stderr}");
    key_command(&ks, "enable", first, 0);
    let (out, _) = run_ok(
        &["detokenize", "--keyset", arg(&ks), "--context", "crm"],
        old_token.as_bytes(),
    );
    assert_eq!(out.trim_end(), "+14155552671");

    // Promote the old key back, then destroy the newer one after disabling it.
    key_command(&ks, "promote", first, 0);
    assert_eq!(file_keys(&ks).0, first);
    key_command(&ks, "disable", second, 0);
    key_command(&ks, "destroy", second, 0);
    let (primary, left) = file_keys(&ks);
    assert_eq!((primary, left.len()), (first, 1));
    assert_eq!(left, keys, "the first key is back to what keygen made");
}

#[test]
fn keyset_changes_keep_the_mode_and_write_through_a_symlink() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    assert_eq!(mode(&ks), 0o600);
    chmod(&ks, 0o640);
    let (_, stderr) = run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    assert!(
        stderr.contains("warning"),
        "a group-readable keyset is warned about: {stderr}"
    );
    assert_eq!(mode(&ks), 0o640, "the file's mode is kept");
    assert_eq!(file_keys(&ks).1.len(), 2);

    chmod(&ks, 0o600);
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&ks, &link).unwrap();
    run_ok(&["keyset", "rotate", "--keyset", arg(&link)], b"");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert_eq!(
        file_keys(&ks).1.len(),
        3,
        "the change went to the file it points to"
    );
    assert_eq!(mode(&ks), 0o600);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_keyset_being_changed_is_not_changed_twice_at_once() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let held = fs::File::open(&ks).unwrap();
    held.lock().unwrap();
    let (_, stderr) = run(&["keyset", "rotate", "--keyset", arg(&ks)], b"", 2);
    assert!(stderr.contains("another phonetoken"), "{stderr}");
    assert_eq!(file_keys(&ks).1.len(), 1);
    held.unlock().unwrap();
    run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    assert_eq!(file_keys(&ks).1.len(), 2);
}

#[test]
fn rekey_moves_tokens_to_the_primary_and_keeps_the_line_protocol() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let numbers = ["+14155552671", "+442079460958", "+33142685300"];
    let before = load(&ks);
    let old: Vec<String> = numbers
        .iter()
        .map(|n| {
            before
                .tokenize(&phonetoken::parse(n, None).unwrap(), b"crm")
                .to_string()
        })
        .collect();
    run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    let after = load(&ks);
    let mut input = old.join("\n");
    input.push_str("\nnot a token\n");
    input.push_str(&old[0]);
    input.push('\n');
    let (out, stderr) = run_ok(
        &["rekey", "--keyset", arg(&ks), "--context", "crm"],
        input.as_bytes(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    for (line, number) in lines
        .iter()
        .zip(numbers.iter().chain([&numbers[0]]))
        .filter(|(l, _)| !l.starts_with("error"))
    {
        let token: Token = line.parse().unwrap();
        assert_eq!(token.key_id(), after.primary_key_id(), "{line}");
        assert_eq!(after.detokenize(&token, b"crm").unwrap().as_str(), *number);
    }
    assert_eq!(lines[3], "error: bad-encoding");
    assert!(stderr.contains("1 failed"), "{stderr}");

    // Under the wrong context nothing opens, and nothing is re-encrypted.
    let (out, _) = run_ok(
        &["rekey", "--keyset", arg(&ks), "--context", "other"],
        old[0].as_bytes(),
    );
    assert_eq!(out.trim_end(), "error: authentication-failed");
}

#[test]
fn rekey_works_on_csv_columns_too() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let before = load(&ks);
    let number = phonetoken::parse("+442079460958", None).unwrap();
    let old = before.tokenize(&number, b"").to_string();
    run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    let after = load(&ks);
    let csv = format!("id,token,note\n1,{old},keep\n2,garbage,x\n");
    let (out, _) = run_ok(
        &["rekey", "--keyset", arg(&ks), "--csv", "--column", "token"],
        csv.as_bytes(),
    );
    let rows: Vec<Vec<String>> = out
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows[0], ["id", "token", "note", "phonetoken_error"]);
    let token: Token = rows[1][1].parse().unwrap();
    assert_eq!(token.key_id(), after.primary_key_id());
    assert_eq!(after.detokenize(&token, b"").unwrap(), number);
    assert_eq!((rows[1][2].as_str(), rows[1][3].as_str()), ("keep", ""));
    let garbage = "garbage".parse::<Token>().unwrap_err();
    assert_eq!(
        (rows[2][1].as_str(), rows[2][3].as_str()),
        ("", garbage.code())
    );
}

#[test]
fn all_keys_gives_the_pseudonym_under_every_enabled_key_primary_first() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    run_ok(&["keyset", "rotate", "--keyset", arg(&ks)], b"");
    let (primary, keys) = file_keys(&ks);
    let (out, _) = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&ks),
            "--all-keys",
            "--region",
            "US",
            "--length",
            "16",
        ],
        b"415-555-2671\nnope\n",
    );
    let lines: Vec<&str> = out.lines().collect();
    let mut ordered = keys.clone();
    ordered.sort_by_key(|k| k.0 != primary);
    let expected: Vec<String> = ordered
        .iter()
        .map(|(id, _, p, _)| {
            format!(
                "{id}:{}",
                base64ct::Base64UrlUnpadded::encode_string(&hmac_sha256(p, b"+14155552671")[..16])
            )
        })
        .collect();
    let nope = phonetoken::parse("nope", Some("US".parse().unwrap())).unwrap_err();
    assert_eq!(
        lines,
        [expected.join(" "), format!("error: {}", nope.code())]
    );

    // A disabled key has no pseudonym.
    let old = ordered[1].0.to_string();
    run_ok(
        &["keyset", "disable", "--keyset", arg(&ks), "--key-id", &old],
        b"",
    );
    let (out, _) = run_ok(
        &[
            "pseudonymize",
            "--keyset",
            arg(&ks),
            "--all-keys",
            "--length",
            "16",
        ],
        b"+14155552671\n",
    );
    assert_eq!(out.trim_end(), expected[0]);
}

#[test]
fn a_keyset_others_can_read_or_change_is_warned_about_or_refused() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let pseudonymize = |extra: &[&str], code: i32| {
        let mut args = vec!["pseudonymize", "--keyset", arg(&ks)];
        args.extend_from_slice(extra);
        run(&args, b"+14155552671\n", code).1
    };
    assert!(!pseudonymize(&[], 0).contains("warning"));
    for (mode, says) in [
        (0o644, "read by other users"),
        (0o660, "changed by other users"),
        (0o606, "changed"),
    ] {
        chmod(&ks, mode);
        let stderr = pseudonymize(&[], 0);
        assert!(
            stderr.contains("warning") && stderr.contains(says),
            "{mode:o}: {stderr}"
        );
        assert!(stderr.contains("chmod 600"), "{stderr}");
        let stderr = pseudonymize(&["--strict-permissions"], 2);
        assert!(
            stderr.contains(says) && stderr.contains("--strict-permissions"),
            "{mode:o}: {stderr}"
        );
    }
    // Through a symlink, the file it points to is judged.
    chmod(&ks, 0o644);
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&ks, &link).unwrap();
    let (_, stderr) = run(&["tokenize", "--keyset", arg(&link)], b"+14155552671\n", 0);
    assert!(stderr.contains("read by other users"), "{stderr}");
    chmod(&ks, 0o600);
    assert!(
        pseudonymize(&["--strict-permissions"], 0).is_empty()
            || !pseudonymize(&[], 0).contains("warning")
    );
}

#[test]
fn a_keysets_content_given_as_its_path_is_never_echoed() {
    let dir = TempDir::new().unwrap();
    let ks = keygen(&dir, "keys.json");
    let content = fs::read_to_string(&ks).unwrap();
    let secrets = secrets(&ks);
    let check = |stderr: &str| {
        for s in &secrets {
            assert!(
                !stderr.contains(s.as_str()),
                "a key reached stderr: {stderr}"
            );
        }
        assert!(!stderr.contains("phonetoken-keyset"), "{stderr}");
        assert!(stderr.contains("not shown"), "{stderr}");
    };
    for sub in ["pseudonymize", "tokenize", "detokenize", "rekey"] {
        let out = phonetoken()
            .arg(sub)
            .env("PHONETOKEN_KEYSET", &content)
            .write_stdin("+14155552671\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("PHONETOKEN_KEYSET") && stderr.contains("content"),
            "{stderr}"
        );
        check(&stderr);
    }
    let (_, stderr) = run(&["keyset", "list", "--keyset", &content], b"", 2);
    check(&stderr);
    // A key given where a path belongs is not echoed either.
    let (_, stderr) = run(&["keyset", "rotate", "--keyset", &secrets[0]], b"", 2);
    check(&stderr);
}

#[test]
fn errors_name_where_the_keyset_path_came_from() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.json");
    let out = phonetoken()
        .arg("pseudonymize")
        .env("PHONETOKEN_KEYSET", &missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("missing.json") && stderr.contains("named by PHONETOKEN_KEYSET"),
        "{stderr}"
    );
}

#[test]
fn keygen_and_import_take_input_and_output_and_explain_a_directory() {
    let dir = TempDir::new().unwrap();
    let (_, stderr) = run(&["keygen", "--output", arg(dir.path())], b"", 2);
    assert!(
        stderr.contains("is a directory") && stderr.contains("keys.json"),
        "{stderr}"
    );
    let (_, stderr) = run(&["keygen", "--output", arg(dir.path()), "--force"], b"", 2);
    assert!(
        stderr.contains("is a directory"),
        "--force does not help: {stderr}"
    );

    let ks = keygen(&dir, "keys.json");
    let imported = export_then_import(&dir, &ks);
    assert_eq!(load(&imported).to_tink_json(), load(&ks).to_tink_json());
    assert_eq!(mode(&imported), 0o600);
}

#[test]
fn a_region_people_write_otherwise_gets_a_suggestion() {
    let (_, stderr) = run(&["normalize", "--region", "UK"], b"", 2);
    assert!(stderr.contains("did you mean GB"), "{stderr}");
    let (_, stderr) = run(&["normalize", "--region", "el"], b"", 2);
    assert!(stderr.contains("did you mean GR"), "{stderr}");
}
