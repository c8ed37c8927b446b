#![no_main]
//! An OCSP response (DER), as `--ocsp` takes it or a CMS carries it.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_verifier::fuzzing::ocsp_response(data);
});
