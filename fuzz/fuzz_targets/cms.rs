#![no_main]
//! A CMS signature as users hand it in (DER, BER, PEM or base64).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_verifier::fuzzing::cms(data);
});
