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
//!
//! With ENGINE `phonetoken:FORMAT` or `rlibphonenumber:FORMAT` (FORMAT `international`,
//! `national` or `rfc3966`), the rows that parse are parsed once, in the set-up, and each
//! number (with its extension) is formatted `REPS` times instead, and the count of numbers
//! printed: the workload of `tools/bench/format_icount.sh`.

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
    if let Some((engine, format)) = engine.split_once(':') {
        println!("{}", format_rows(engine, format, reps, &cases)?);
        return Ok(());
    }
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

/// Formats the numbers of `cases` `reps` times with `engine` and returns how many there are;
/// the rows that do not parse are left out (parsing is the set-up).
fn format_rows(
    engine: &str,
    format: &str,
    reps: usize,
    cases: &[peer::Row],
) -> Result<usize, Box<dyn std::error::Error>> {
    use phonetoken::Format;
    use rlibphonenumber::PhoneNumberFormat;
    let (ours, theirs) = match format {
        "international" => (Format::International, PhoneNumberFormat::International),
        "national" => (Format::National, PhoneNumberFormat::National),
        "rfc3966" => (Format::Rfc3966, PhoneNumberFormat::RFC3966),
        _ => return Err(format!("unknown format {format:?}").into()),
    };
    let mut written = 0usize;
    let count = match engine {
        "phonetoken" => {
            let numbers: Vec<_> = cases
                .iter()
                .filter_map(|row| phonetoken::parse_with_extension(&row.input, row.ours).ok())
                .collect();
            let mut buf = [0u8; phonetoken::MAX_FORMATTED_LEN];
            for _ in 0..reps {
                for (number, extension) in &numbers {
                    let text = black_box(number).format_with_extension(
                        extension.as_ref(),
                        black_box(ours),
                        &mut buf,
                    )?;
                    written += text.len();
                }
            }
            numbers.len()
        }
        "rlibphonenumber" => {
            let util = &*rlibphonenumber::PHONE_NUMBER_UTIL;
            let numbers: Vec<_> = cases
                .iter()
                .filter(|row| row.expect.is_some())
                .filter_map(|row| util.parse(&row.input, row.theirs).ok())
                .collect();
            for _ in 0..reps {
                for number in &numbers {
                    written += util.format(black_box(number), black_box(theirs)).len();
                }
            }
            numbers.len()
        }
        _ => return Err(format!("unknown engine {engine:?}").into()),
    };
    black_box(written);
    Ok(count)
}
