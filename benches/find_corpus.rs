//! The corpora of `benches/find.rs`, and both number finders over them: what
//! `tools/bench/find_python.py` reads (so that Python's phonenumbers searches the same bytes)
//! and what a profiler runs.
//!
//! `cargo run -p phonetoken-benches --profile bench --example find_corpus -- COMMAND`:
//!
//! - `print CORPUS`: the corpus (`chat` or `log`) on standard output.
//! - `matches ENGINE CORPUS LENIENCY`: each match as `start end e164`, byte offsets, one a
//!   line. ENGINE is `phonetoken` or `rlibphonenumber`, LENIENCY `possible` or `valid`.
//! - `time ENGINE CORPUS LENIENCY REPS`: searches the corpus REPS times (after one untimed
//!   search) and prints `bytes_per_second matches_per_search`; REPS 0 measures the set-up
//!   alone (for instruction counts).

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

mod corpus;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage =
        "usage: print CORPUS | matches ENGINE CORPUS LENIENCY | time ENGINE CORPUS LENIENCY REPS";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or(usage);
    let command = arg(0)?;
    if command == "print" {
        let text = corpus::by_name(arg(1)?).ok_or(usage)?;
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(());
    }
    let engine = arg(1)?;
    let text = corpus::by_name(arg(2)?).ok_or(usage)?;
    let (_, ours, theirs) = corpus::LENIENCIES
        .into_iter()
        .find(|(name, _, _)| *name == arg(3).unwrap_or(""))
        .ok_or(usage)?;
    let search = |text: &str| -> usize {
        match engine {
            "phonetoken" => phonetoken::find_numbers(text, corpus::REGION.parse().ok())
                .leniency(ours)
                .count(),
            _ => rlibphonenumber::phonenumber_matcher::PHONE_MATCHER_FACTORY
                .create_matcher(text, theirs, corpus::MAX_TRIES, corpus::REGION.parse().ok())
                .count(),
        }
    };
    if !matches!(engine, "phonetoken" | "rlibphonenumber") {
        return Err(usage.into());
    }
    match command {
        "matches" => {
            let found = if engine == "phonetoken" {
                corpus::ours(&text, ours)
            } else {
                corpus::theirs(&text, theirs)
            };
            let mut out = std::io::stdout().lock();
            for (start, end, e164) in found {
                writeln!(out, "{start} {end} {e164}")?;
            }
        }
        "time" => {
            let reps: u32 = arg(4)?.parse()?;
            let count = if reps == 0 { 0 } else { search(&text) };
            let started = Instant::now();
            for _ in 0..reps {
                assert_eq!(search(black_box(&text)), count);
            }
            let seconds = started.elapsed().as_secs_f64();
            let rate = if reps == 0 {
                0.0
            } else {
                text.len() as f64 * f64::from(reps) / seconds
            };
            println!("{rate:.0} {count}");
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
