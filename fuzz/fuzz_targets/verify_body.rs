#![no_main]
//! `POST /v1/verify` bodies: the fast reading against `VerifyBody`'s, SIMD base64 against the
//! `base64` crate.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_server::fuzzing::verify_body(data);
});
