//! `detokenize` on arbitrary token text and bytes against a fixed keyset: never a panic,
//! errors only, unless the input is a genuine token (then it opens to a valid number).
#![no_main]

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::detokenize_case(data);
});
