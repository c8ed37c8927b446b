#![no_main]
//! A configuration file's text, and the PostgreSQL URL whose user is the vault's role.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_server::fuzzing::configuration(data);
});
