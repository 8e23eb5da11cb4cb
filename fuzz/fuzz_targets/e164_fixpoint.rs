//! Differential: `parse` of any E.164 output of `parse` returns it unchanged.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::e164_fixpoint_case(data));
