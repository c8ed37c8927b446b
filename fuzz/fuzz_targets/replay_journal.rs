#![no_main]
//! The replay journal of signed requests (`<data-dir>/signed-requests`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    qoima_server::fuzzing::replay_journal(data);
});
