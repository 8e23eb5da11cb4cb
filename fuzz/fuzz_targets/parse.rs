//! `parse` on arbitrary text and region: never a panic; successes are canonical E.164.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::parse_case(data));
