#![no_main]
//! tus request headers (Upload-Metadata, Upload-Checksum), one value per line.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_server::fuzzing::tus_headers(data);
});
