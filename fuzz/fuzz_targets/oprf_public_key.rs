//! `PublicKey::from_bytes` on arbitrary bytes: never a panic; a key it accepts encodes back
//! to the same bytes and its hex text decodes to it.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::oprf_public_key_case(data);
});
