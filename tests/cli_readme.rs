//! Runs README.md's contact-discovery shell session with the built binary on `PATH` and
//! checks that it prints what the README says, so the README cannot drift from the tool.
#![cfg(all(feature = "cli", unix))]

use std::process::Command;

use tempfile::TempDir;

/// The first fenced block with `info` after `heading`.
fn block<'a>(text: &'a str, heading: &str, info: &str) -> &'a str {
    let start = text.find(heading).expect("the heading") + heading.len();
    let rest = &text[start..];
    let fence = format!("```{info}\n");
    let open = rest.find(&fence).expect("the block") + fence.len();
    let body = &rest[open..];
    &body[..body.find("```").expect("the block's end")]
}

#[test]
fn the_readme_contact_discovery_session_prints_what_the_readme_says() {
    let readme = include_str!("../README.md");
    let heading = "### Contact discovery from the shell";
    let script = block(readme, heading, "sh");
    let expected = block(readme, heading, "text");
    let dir = TempDir::new().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_phonetoken"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("PHONETOKEN_KEYSET")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the session failed: {stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected, "{stderr}");
    // The blinds stay private; three of everything went through.
    use std::os::unix::fs::PermissionsExt;
    let state = std::fs::metadata(dir.path().join("contacts.state")).unwrap();
    assert_eq!(state.permissions().mode() & 0o777, 0o600);
    for file in ["requests.txt", "responses.txt", "mine.txt", "table.txt"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_eq!(text.lines().count(), 3, "{file}");
        assert!(!text.contains("error"), "{file}: {text}");
    }
}
