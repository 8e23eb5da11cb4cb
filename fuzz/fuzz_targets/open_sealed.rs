//! Sealed-number envelopes (`open_sealed`) on arbitrary bytes against a fixed keyset: never
//! a panic, the public checks named precisely, a success only for a canonical number.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::open_sealed_case(data);
});
