//! `Response::decode` and `Blinded::finalize` on arbitrary bytes against a fixed blinded
//! batch: never a panic; only the genuine response finalizes.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::oprf_response_case(data);
});
