#![no_main]
//! An auditor's bundle (`qoima bundle verify`): the ZIP container, its manifest and claims.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_vault::fuzzing::bundle(data);
});
