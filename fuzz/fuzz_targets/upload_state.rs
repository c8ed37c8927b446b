#![no_main]
//! An upload's state file, as the upload store reads it back from disk.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_vault::fuzzing::upload_state(data);
});
