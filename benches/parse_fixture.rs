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

mod peer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: phonetoken|rlibphonenumber REPS [KIND_PREFIX]";
    let mut args = std::env::args().skip(1);
    let engine = args.next().ok_or(usage)?;
    let reps: usize = args.next().ok_or(usage)?.parse()?;
    let kind = args.next().unwrap_or_default();
    let cases: Vec<peer::Row> = peer::quietly(|| {
        peer::fixture()
            .into_iter()
            .filter(|row| row.kind.starts_with(&kind) && row.peer_answer().is_some())
            .collect()
    });
    let mut accepted = 0usize;
    match engine.as_str() {
        "phonetoken" => {
            for _ in 0..reps {
                for row in &cases {
                    let got = phonetoken::parse(black_box(&row.input), black_box(row.ours));
                    accepted += usize::from(got.is_ok());
                }
            }
        }
        "rlibphonenumber" => {
            for _ in 0..reps {
                for row in &cases {
                    let got = peer::e164(black_box(&row.input), black_box(row.theirs));
                    accepted += usize::from(got.is_some());
                }
            }
        }
        _ => return Err(usage.into()),
    }
    black_box(accepted);
    println!("{}", cases.len());
    Ok(())
}
