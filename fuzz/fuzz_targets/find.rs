//! The number finder on arbitrary text: never a panic, and every match is the parse of its
//! own span (see `checks::find_case`).
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::find_case(data));
