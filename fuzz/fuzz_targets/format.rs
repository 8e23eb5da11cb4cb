//! Formatting every number `parse_with_extension` gives, in every format: never a panic, the
//! bound and the layout hold (see `checks::format_case`).
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::format_case(data));
