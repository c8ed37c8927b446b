#![no_main]
//! GOST verification with arbitrary public key, signature and message bytes.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_verifier::fuzzing::gost_verify(data);
});
