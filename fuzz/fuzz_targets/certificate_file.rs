#![no_main]
//! A certificate file (DER or PEM, several per file).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_verifier::fuzzing::certificate_file(data);
});
