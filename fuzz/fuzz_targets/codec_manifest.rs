#![no_main]
//! Stored manifest bytes, as read back from the database.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_vault::fuzzing::manifest(data);
});
