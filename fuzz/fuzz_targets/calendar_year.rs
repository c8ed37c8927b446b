#![no_main]
//! A calendar year as the vault stores it and reads it back at start.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_vault::fuzzing::calendar_year(data);
});
