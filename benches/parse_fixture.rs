//! Parses the inputs of the parity fixture a given number of times, with phonetoken or with
//! rlibphonenumber: the workload that `tools/bench/parse_icount.sh` counts instructions of
//! (under callgrind), per kind of input and per engine.
//!
//! `cargo run -p phonetoken-benches --release --example parse_fixture -- ENGINE REPS
//! [KIND_PREFIX]`: ENGINE is `phonetoken` or `rlibphonenumber`. Reads tests/data/parity.jsonl,
//! keeps the rows whose `kind` starts with `KIND_PREFIX` (all rows when it is empty or
//! absent) and on which rlibphonenumber does not panic (it does on a few; both engines then
//! parse the same rows), then parses each of them `REPS` times: phonetoken's `parse`, or
//! rlibphonenumber's parse, possible-number check and E.164 string, the same work. The count
//! of rows goes to standard output, so a script can divide by it; running with `REPS` 0
//! measures the set-up alone.

use std::hint::black_box;
use std::panic;

use serde_json::Value;

mod peer;

const FIXTURE: &str = include_str!("../tests/data/parity.jsonl");

type Case = (
    String,
    Option<phonetoken::Region>,
    Option<rlibphonenumber::Region>,
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: phonetoken|rlibphonenumber REPS [KIND_PREFIX]";
    let mut args = std::env::args().skip(1);
    let engine = args.next().ok_or(usage)?;
    let reps: usize = args.next().ok_or(usage)?.parse()?;
    let kind = args.next().unwrap_or_default();
    let mut cases: Vec<Case> = Vec::new();
    panic::set_hook(Box::new(|_| {}));
    for line in FIXTURE.lines() {
        let row: Value = serde_json::from_str(line)?;
        if !row["kind"].as_str().is_some_and(|k| k.starts_with(&kind)) {
            continue;
        }
        let input = row["input"].as_str().ok_or("a row without an input")?;
        let region = row["region"].as_str();
        let ours = region.map(str::parse).transpose()?;
        let theirs = region
            .map(|r| {
                r.parse()
                    .map_err(|_| format!("rlibphonenumber has no region {r}"))
            })
            .transpose()?;
        if panic::catch_unwind(|| peer::e164(input, theirs)).is_ok() {
            cases.push((input.to_owned(), ours, theirs));
        }
    }
    let _ = panic::take_hook();
    let mut accepted = 0usize;
    match engine.as_str() {
        "phonetoken" => {
            for _ in 0..reps {
                for (input, region, _) in &cases {
                    let got = phonetoken::parse(black_box(input), black_box(*region));
                    accepted += usize::from(got.is_ok());
                }
            }
        }
        "rlibphonenumber" => {
            for _ in 0..reps {
                for (input, _, region) in &cases {
                    accepted +=
                        usize::from(peer::e164(black_box(input), black_box(*region)).is_some());
                }
            }
        }
        _ => return Err(usage.into()),
    }
    black_box(accepted);
    println!("{}", cases.len());
    Ok(())
}
