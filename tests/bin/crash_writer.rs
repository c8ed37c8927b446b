//! Stores contents into a vault until killed, printing `ack ROUND I ADDRESS`
//! for each put that returned. Usage: `crash-writer DATA_DIR ROUND`.

use std::io::Write;
use std::process::ExitCode;

use qoima_tests::{CRASH_CHUNK_SIZE, crash_content};
use qoima_vault::{ContentConfig, ContentStore};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(Ok(round))) = (args.get(1), args.get(2).map(|r| r.parse::<u64>())) else {
        eprintln!("usage: crash-writer DATA_DIR ROUND");
        return ExitCode::from(64);
    };
    let config = ContentConfig {
        chunk_size: CRASH_CHUNK_SIZE,
        zstd_level: 3,
    };
    let store = match ContentStore::open(std::path::Path::new(dir), config) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let content = crash_content(round, i);
        match store.put(content.as_slice()) {
            // Printed only after put returned: from here on it must survive.
            Ok(outcome) => {
                if writeln!(out, "ack {round} {i} {}", outcome.address)
                    .and_then(|()| out.flush())
                    .is_err()
                {
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
