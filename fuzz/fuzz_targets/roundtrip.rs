//! Any number `parse` accepts, under any context: tokenize then detokenize gives it back,
//! pseudonyms and tokens are deterministic, tampering and other contexts fail authentication.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::roundtrip_case(data);
});
