//! Replays inputs the fuzzers found (or that once crashed) through the same checks the fuzz
//! targets make. Each file in `tests/data/fuzz-regressions/<target>/` is one input.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::fs;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz-regressions")
        .join(target);
    let mut count = 0;
    for entry in fs::read_dir(&dir).expect("regression folder exists") {
        let path = entry.expect("readable entry").path();
        if path.is_file() {
            let data = fs::read(&path).expect("readable input");
            check(&data);
            count += 1;
        }
    }
    count
}

#[test]
fn parse_regressions() {
    assert!(replay("parse", checks::parse_case) > 0);
}

#[test]
fn e164_fixpoint_regressions() {
    assert!(replay("e164_fixpoint", checks::e164_fixpoint_case) > 0);
}
