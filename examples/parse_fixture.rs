//! Parses the inputs of the parity fixture a given number of times: the workload that
//! `tools/bench/parse_icount.sh` counts instructions of (under callgrind), per kind of input.
//!
//! `cargo run --release --example parse_fixture -- REPS [KIND_PREFIX] [FIXTURE]`: reads
//! the fixture (by default `tests/data/parity.jsonl`), keeps the rows whose `kind` starts
//! with `KIND_PREFIX` (all rows when it is empty or absent), then parses each of them `REPS`
//! times. The count of rows goes to standard output, so a script can divide by it; running
//! with `REPS` 0 measures the set-up alone.

use std::hint::black_box;

use phonetoken::{parse, Region};
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let reps: usize = args
        .next()
        .ok_or("usage: REPS [KIND_PREFIX] [FIXTURE]")?
        .parse()?;
    let kind = args.next().unwrap_or_default();
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity.jsonl").to_owned()
    });
    let mut cases: Vec<(String, Option<Region>)> = Vec::new();
    for line in std::fs::read_to_string(path)?.lines() {
        let row: Value = serde_json::from_str(line)?;
        if !row["kind"].as_str().is_some_and(|k| k.starts_with(&kind)) {
            continue;
        }
        let input = row["input"].as_str().ok_or("a row without an input")?;
        let region = row["region"].as_str().map(str::parse).transpose()?;
        cases.push((input.to_owned(), region));
    }
    let mut accepted = 0usize;
    for _ in 0..reps {
        for (input, region) in &cases {
            accepted += usize::from(parse(black_box(input), black_box(*region)).is_ok());
        }
    }
    black_box(accepted);
    println!("{}", cases.len());
    Ok(())
}
