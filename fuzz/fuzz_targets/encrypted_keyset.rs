//! Arbitrary encrypted keyset files, inner Tink keysets and master key files through the
//! encrypted-keyset readers: never a panic; what loads seals and opens again to the same keys.
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::encrypted_keyset_case(data);
});
