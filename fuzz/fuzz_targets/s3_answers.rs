#![no_main]
//! The XML answers of an S3 gateway, as the S3 content backend reads them.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_vault::fuzzing::s3_answers(data);
});
