#![no_main]
//! Stored chunk values, as read back from the database.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_vault::fuzzing::stored_chunk(data);
});
