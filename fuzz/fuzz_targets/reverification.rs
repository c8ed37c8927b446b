#![no_main]
//! A re-verification's options (the API's JSON body) and a run's saved state (`run.json`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_server::fuzzing::reverification(data);
});
