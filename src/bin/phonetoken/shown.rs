//! What of a user's argument or environment value may appear in a message.
//!
//! A value meant to be a path is sometimes a secret pasted in its place (a keyset's content in
//! `PHONETOKEN_KEYSET`, a key given as a file name). Messages show such a value only when it
//! looks like a path; otherwise they describe it without its content.

use std::ffi::OsStr;
use std::path::Path;

/// Longest value shown as given; a longer one is described instead.
const MAX_SHOWN: usize = 1024;

/// Whether `value` can be a file path rather than pasted content: not empty or too long,
/// no control characters (a keyset's content has line ends), none of the characters JSON
/// needs.
pub(crate) fn looks_like_path(value: &OsStr) -> bool {
    let bytes = value.as_encoded_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_SHOWN
        && !bytes
            .iter()
            .any(|&b| b.is_ascii_control() || matches!(b, b'{' | b'}' | b'"'))
}

/// Whether `value` reads like a key in base64 or hex rather than a file name: long, with no
/// `.`, and nothing but base64's characters (`/` among them, so a path like that is not
/// shown either; only the message loses it).
fn looks_like_key(value: &OsStr) -> bool {
    let bytes = value.as_encoded_bytes();
    bytes.len() >= 32
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
}

/// `path` as a message shows it: as given, or described without its content when it cannot
/// be a path or reads like a key.
pub(crate) fn path(path: &Path) -> String {
    if looks_like_path(path.as_os_str()) && !looks_like_key(path.as_os_str()) {
        path.display().to_string()
    } else {
        format!(
            "(a value of {} bytes that does not look like a file path; not shown, as it may hold secrets)",
            path.as_os_str().len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_and_pasted_secrets_are_not() {
        for shown in [
            "keys.json",
            "/etc/phonetoken/keys.json",
            "./k",
            "C:\\keys\\a.json",
        ] {
            assert!(looks_like_path(OsStr::new(shown)), "{shown}");
            assert_eq!(path(Path::new(shown)), shown);
        }
        let keyset = "{\n  \"format\": \"phonetoken-keyset\",\n  \"keys\": []\n}\n";
        let base64_key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        let hex_key = "abcdef0123456789abcdef0123456789abcdef0123456789";
        for hidden in [keyset, "a\nb", "", &"x/".repeat(600)] {
            assert!(!looks_like_path(OsStr::new(hidden)), "{hidden:?}");
        }
        for hidden in [keyset, base64_key, hex_key, "a\nb", "", &"x/".repeat(600)] {
            let message = path(Path::new(hidden));
            assert!(hidden.is_empty() || !message.contains(hidden), "{message}");
            assert!(message.contains("not shown"), "{message}");
        }
    }
}
