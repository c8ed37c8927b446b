#![no_main]
//! A CRL file (DER or PEM, several per file).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_verifier::fuzzing::crl_file(data);
});
