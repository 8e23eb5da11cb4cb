//! Helpers shared by the tests that run the `phonetoken` binary (`tests/cli*.rs`).
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64ct::Encoding as _;
use hmac::{KeyInit, Mac};

/// The tool, with no keyset from the environment unless a test sets one.
pub fn phonetoken() -> Command {
    let mut cmd = Command::cargo_bin("phonetoken").unwrap();
    cmd.env_remove("PHONETOKEN_KEYSET");
    cmd
}

/// Runs the tool with `args` and `stdin`, expects exit `code`, returns (stdout, stderr).
pub fn run(args: &[&str], stdin: &[u8], code: i32) -> (Vec<u8>, String) {
    let out = phonetoken().args(args).write_stdin(stdin).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "args {args:?}\nstderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (out.stdout, stderr)
}

/// Runs the tool with `args` and `stdin`, expects exit 0, returns (stdout as text, stderr).
pub fn run_text(args: &[&str], stdin: &[u8]) -> (String, String) {
    let (stdout, stderr) = run(args, stdin, 0);
    (String::from_utf8(stdout).unwrap(), stderr)
}

/// A path as a command-line argument (the tests' temporary paths are UTF-8).
pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A fresh keyset file made by `phonetoken keygen` in `dir`.
pub fn keygen(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    run(&["keygen", "--output", arg(&path)], b"", 0);
    path
}

/// The primary key's pseudonym key, read from the keyset file's JSON (not through the
/// library, so the tests check the file format too).
pub fn pseudonym_key(path: &Path) -> Vec<u8> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let primary = json["primary_key_id"].as_u64().unwrap();
    let key = json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"].as_u64() == Some(primary))
        .unwrap();
    base64ct::Base64::decode_vec(key["pseudonym_key"].as_str().unwrap()).unwrap()
}

/// HMAC-SHA256 by the `hmac` crate: the independent oracle for pseudonyms.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}
