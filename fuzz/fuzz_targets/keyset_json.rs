//! Arbitrary keyset files through `Keyset::from_json` and `Keyset::from_tink_json`: never a
//! panic; what loads writes out and loads back as the same keys.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::keyset_json_case(data);
});
