//! Replays inputs the fuzzers found (or that once crashed) through the same checks the fuzz
//! targets make. Each file in `tests/data/fuzz-regressions/<target>/` is one input.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::fs;
use std::path::Path;

use checks::Outcome;

/// Runs `check` on every saved input of `target` and returns the outcomes.
fn replay<T>(target: &str, check: fn(&[u8]) -> T) -> Vec<T> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz-regressions")
        .join(target);
    let mut outcomes = Vec::new();
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("regression folder exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    for path in paths {
        let data = fs::read(&path).expect("readable input");
        println!("{target}: {}", path.display());
        outcomes.push(check(&data));
    }
    outcomes
}

/// The saved inputs of a token or keyset target reach both the accepting and the refusing
/// branch of its check.
fn assert_both_branches(target: &str, outcomes: &[Outcome]) {
    assert!(
        outcomes.contains(&Outcome::Accepted),
        "no saved {target} input is accepted: the success branch goes unreplayed"
    );
    assert!(
        outcomes.contains(&Outcome::Rejected),
        "no saved {target} input is refused: the error branch goes unreplayed"
    );
}

#[test]
fn parse_regressions() {
    assert!(!replay("parse", checks::parse_case).is_empty());
}

#[cfg(feature = "format")]
#[test]
fn format_regressions() {
    assert!(!replay("format", checks::format_case).is_empty());
}

#[cfg(feature = "find")]
#[test]
fn find_regressions() {
    assert!(!replay("find", checks::find_case).is_empty());
}

#[test]
fn e164_fixpoint_regressions() {
    assert!(!replay("e164_fixpoint", checks::e164_fixpoint_case).is_empty());
}

#[test]
fn detokenize_regressions() {
    assert_both_branches("detokenize", &replay("detokenize", checks::detokenize_case));
}

#[cfg(feature = "std")]
#[test]
fn keyset_json_regressions() {
    assert_both_branches(
        "keyset_json",
        &replay("keyset_json", checks::keyset_json_case),
    );
}

#[cfg(feature = "std")]
#[test]
fn encrypted_keyset_regressions() {
    assert_both_branches(
        "encrypted_keyset",
        &replay("encrypted_keyset", checks::encrypted_keyset_case),
    );
}

#[cfg(all(feature = "std", feature = "seal"))]
#[test]
fn open_sealed_regressions() {
    assert_both_branches(
        "open_sealed",
        &replay("open_sealed", checks::open_sealed_case),
    );
}

#[test]
fn roundtrip_regressions() {
    assert_both_branches("roundtrip", &replay("roundtrip", checks::roundtrip_case));
}

/// The check is not vacuous: a token made under the fixed keyset opens, and the same token
/// with its last byte changed is refused (so a check that accepted everything would fail the
/// replay above, and one that refused everything would too).
#[test]
fn detokenize_check_sees_real_tokens() {
    let keyset = checks::fixed_keyset();
    let number: phonetoken::PhoneNumber = "+442079460958".parse().unwrap();
    let token = keyset.tokenize(&number, b"ctx");
    let mut input = vec![0u8, 3];
    input.extend_from_slice(b"ctx");
    input.extend_from_slice(token.as_bytes());
    assert_eq!(checks::detokenize_case(&input), Outcome::Accepted);
    *input.last_mut().unwrap() ^= 0x40;
    assert_eq!(checks::detokenize_case(&input), Outcome::Rejected);
}

/// Compares the seeds the checks make with the committed copies in `fuzz/seeds/<target>/`
/// (which `tools/fuzz/run.sh` puts into the corpora). With `PHONETOKEN_BLESS_SEEDS=1` it
/// writes them instead. Every seed must also pass its check.
fn seeds_are_current(target: &str, seeds: Vec<(String, Vec<u8>)>, check: fn(&[u8]) -> Outcome) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let bless = std::env::var_os("PHONETOKEN_BLESS_SEEDS").is_some();
    if bless {
        fs::create_dir_all(&dir).unwrap();
    }
    let mut outcomes = Vec::new();
    for (name, data) in &seeds {
        outcomes.push(check(data));
        let path = dir.join(name);
        if bless {
            fs::write(&path, data).unwrap();
        } else {
            let committed = fs::read(&path).unwrap_or_default();
            assert!(
                committed == *data,
                "{} is stale: run PHONETOKEN_BLESS_SEEDS=1 cargo test --all-features --test fuzz_regressions",
                path.display()
            );
        }
    }
    assert_both_branches(target, &outcomes);
}

#[test]
fn detokenize_seeds_are_current() {
    seeds_are_current(
        "detokenize",
        checks::detokenize_seeds(),
        checks::detokenize_case,
    );
}

#[cfg(feature = "std")]
#[test]
fn keyset_json_seeds_are_current() {
    seeds_are_current(
        "keyset_json",
        checks::keyset_json_seeds(),
        checks::keyset_json_case,
    );
}

#[cfg(feature = "std")]
#[test]
fn encrypted_keyset_seeds_are_current() {
    seeds_are_current(
        "encrypted_keyset",
        checks::encrypted_keyset_seeds(),
        checks::encrypted_keyset_case,
    );
}

#[cfg(all(feature = "std", feature = "oprf"))]
#[test]
fn oprf_regressions() {
    assert_both_branches(
        "oprf_request",
        &replay("oprf_request", checks::oprf_request_case),
    );
    assert_both_branches(
        "oprf_response",
        &replay("oprf_response", checks::oprf_response_case),
    );
    assert_both_branches(
        "oprf_public_key",
        &replay("oprf_public_key", checks::oprf_public_key_case),
    );
    assert_both_branches("oprf_state", &replay("oprf_state", checks::oprf_state_case));
}

#[cfg(all(feature = "std", feature = "oprf"))]
#[test]
fn oprf_seeds_are_current() {
    seeds_are_current(
        "oprf_request",
        checks::oprf_request_seeds(),
        checks::oprf_request_case,
    );
    seeds_are_current(
        "oprf_response",
        checks::oprf_response_seeds(),
        checks::oprf_response_case,
    );
    seeds_are_current(
        "oprf_public_key",
        checks::oprf_public_key_seeds(),
        checks::oprf_public_key_case,
    );
    seeds_are_current(
        "oprf_state",
        checks::oprf_state_seeds(),
        checks::oprf_state_case,
    );
}

#[cfg(all(feature = "std", feature = "seal"))]
#[test]
fn open_sealed_seeds_are_current() {
    seeds_are_current(
        "open_sealed",
        checks::open_sealed_seeds(),
        checks::open_sealed_case,
    );
}
