//! `Blinded::import` on arbitrary bytes: never a panic; an accepted state exports back to
//! the same bytes.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::oprf_state_case(data);
});
