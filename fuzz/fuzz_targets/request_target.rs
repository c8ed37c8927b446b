#![no_main]
//! A request target (`/path?query`), routed with every method.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_server::fuzzing::request_target(data);
});
