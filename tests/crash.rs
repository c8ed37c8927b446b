//! Crash test: a child process storing content is killed with SIGKILL at
//! random moments; after each kill every acknowledged content reads back
//! intact and a scrub finds nothing wrong.
//!
//! `QOIMA_CRASH_ROUNDS` sets the number of kills (default 100, as in CI; set
//! thousands for a long local run), `QOIMA_CRASH_SEED` replays a run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use qoima_tests::{CRASH_CHUNK_SIZE, KillAt, Rng, crash_content};
use qoima_vault::{ContentAddress, ContentConfig, ContentStore};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Parses `ack ROUND I ADDRESS`.
fn parse_ack(line: &str) -> (u64, u64, ContentAddress) {
    let fields: Vec<&str> = line.split(' ').collect();
    match fields[..] {
        ["ack", round, i, address] => (
            round.parse().unwrap(),
            i.parse().unwrap(),
            address.parse().unwrap(),
        ),
        _ => panic!("unexpected line from the writer: {line:?}"),
    }
}

fn read_back(store: &ContentStore, address: &ContentAddress) -> Result<Vec<u8>, String> {
    let mut back = Vec::new();
    let mut reader = store.read(address).map_err(|e| e.to_string())?;
    reader.read_to_end(&mut back).map_err(|e| e.to_string())?;
    Ok(back)
}

#[test]
fn acknowledged_content_survives_sigkill() {
    let rounds = env_u64("QOIMA_CRASH_ROUNDS").unwrap_or(100);
    let seed = env_u64("QOIMA_CRASH_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("crash test: {rounds} rounds, QOIMA_CRASH_SEED={seed}");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let config = ContentConfig {
        chunk_size: CRASH_CHUNK_SIZE,
        zstd_level: 3,
    };
    let mut acknowledged: Vec<(u64, u64, ContentAddress)> = Vec::new();
    let mut killed_mid_put = 0;

    for round in 0..rounds {
        // One round in ten is killed while it may still be opening the database; the others
        // after 1 to 40 acknowledged puts, then up to 3 ms into the next put.
        let at = if rng.below(10) == 0 {
            KillAt {
                acks: 0,
                then: Duration::from_millis(rng.below(60)),
            }
        } else {
            KillAt {
                acks: 1 + rng.below(40),
                then: Duration::from_micros(rng.below(3000)),
            }
        };
        let killed =
            qoima_tests::run_and_kill(env!("CARGO_BIN_EXE_crash-writer"), dir.path(), round, at)
                .unwrap();
        let (stdout, stderr) = (killed.stdout, killed.stderr);
        assert!(
            stderr.is_empty(),
            "round {round}: the writer failed: {stderr}"
        );
        assert!(!killed.exited, "round {round}: the writer was not killed");

        // Each line is one write of less than PIPE_BUF bytes: a kill cannot cut it.
        let fresh: Vec<_> = stdout.lines().map(parse_ack).collect();
        killed_mid_put += usize::from(!fresh.is_empty());

        let store = ContentStore::open(dir.path(), config)
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): reopening failed: {e}"));
        for &(r, i, address) in &fresh {
            let expected = crash_content(r, i);
            assert_eq!(
                address,
                ContentAddress::of(&expected),
                "round {round}: wrong address acked"
            );
            let back = read_back(&store, &address)
                .unwrap_or_else(|e| panic!("round {round} (seed {seed}): ack {r}/{i} lost: {e}"));
            assert!(
                back == expected,
                "round {round} (seed {seed}): ack {r}/{i} reads back wrong"
            );
        }
        acknowledged.extend(fresh);
        let report = store.scrub(|_| {}).unwrap();
        assert!(
            report.problems.is_empty(),
            "round {round} (seed {seed}): scrub: {:?}",
            report.problems
        );
        if round % 10 == 9 {
            // Collection after a crash must spare everything acknowledged.
            store.collect_garbage().unwrap();
        }
    }

    let store = ContentStore::open(dir.path(), config).unwrap();
    for &(r, i, address) in &acknowledged {
        let back = read_back(&store, &address).unwrap();
        assert!(
            back == crash_content(r, i),
            "ack {r}/{i} changed by a later round"
        );
    }
    eprintln!(
        "crash test: {} puts acknowledged over {rounds} kills ({killed_mid_put} rounds had puts done)",
        acknowledged.len()
    );
    assert!(
        killed_mid_put * 2 > rounds as usize,
        "too few kills landed after a put"
    );
}
