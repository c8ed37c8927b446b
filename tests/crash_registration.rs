//! Crash test of registration: a child process registering signed documents is killed with
//! SIGKILL at random moments; after each kill every acknowledged registration is there with
//! its number, the numbers taken are exactly 1..=N (none skipped, none reused), and the audit
//! log and every record verify.
//!
//! `QOIMA_CRASH_ROUNDS` sets the number of kills (default 30), `QOIMA_CRASH_SEED` replays a run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use qoima_tests::registration::{PARTICIPANT, registry};
use qoima_tests::{KillAt, Rng};
use qoima_vault::records::DocumentId;
use qoima_vault::registry::{Index, verify_records};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Parses `ack ROUND I ID NUMBER`.
fn parse_ack(line: &str) -> (DocumentId, String) {
    match line.split(' ').collect::<Vec<_>>()[..] {
        ["ack", _, _, id, number] => (id.parse().unwrap(), number.to_owned()),
        _ => panic!("unexpected line from the registrar: {line:?}"),
    }
}

#[test]
fn acknowledged_registrations_survive_sigkill_with_gap_free_numbers() {
    let rounds = env_u64("QOIMA_CRASH_ROUNDS").unwrap_or(30);
    let seed = env_u64("QOIMA_CRASH_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("registration crash test: {rounds} rounds, QOIMA_CRASH_SEED={seed}");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut acknowledged: Vec<(DocumentId, String)> = Vec::new();

    for round in 0..rounds {
        // Killed after 0 to 5 acknowledged registrations, then up to 20 ms into the next.
        let at = KillAt {
            acks: rng.below(6),
            then: Duration::from_micros(rng.below(20_000)),
        };
        let killed =
            qoima_tests::run_and_kill(env!("CARGO_BIN_EXE_crash-registrar"), dir.path(), round, at)
                .unwrap();
        let (stdout, stderr) = (killed.stdout, killed.stderr);
        assert!(
            stderr.is_empty(),
            "round {round}: the registrar failed: {stderr}"
        );
        acknowledged.extend(stdout.lines().map(parse_ack));

        let registry = registry(dir.path())
            .unwrap_or_else(|e| panic!("round {round} (seed {seed}): reopening failed: {e}"));
        for (id, number) in &acknowledged {
            let view = registry
                .document(*id)
                .unwrap_or_else(|e| panic!("round {round} (seed {seed}): reading {id}: {e}"))
                .unwrap_or_else(|| panic!("round {round} (seed {seed}): {id} lost"));
            assert_eq!(
                &view.versions[0].registration_number, number,
                "round {round}"
            );
        }
        // Every number taken so far, in order: exactly 1..=N.
        let ids = registry.find(Index::Participant, PARTICIPANT).unwrap();
        let mut numbers: Vec<u64> = ids
            .iter()
            .map(|id| {
                let view = registry.document(*id).unwrap().unwrap();
                let number = &view.versions[0].registration_number;
                number.rsplit('-').next().unwrap().parse().unwrap()
            })
            .collect();
        numbers.sort_unstable();
        let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
        assert_eq!(
            numbers, expected,
            "round {round} (seed {seed}): numbers skipped or reused"
        );
        assert!(numbers.len() >= acknowledged.len());
        let report = verify_records(registry.content().backend()).unwrap();
        assert!(
            report.is_clean(),
            "round {round} (seed {seed}): {:?}",
            report.problems
        );
        let scrub = registry.content().scrub(|_| {}).unwrap();
        assert!(
            scrub.problems.is_empty(),
            "round {round} (seed {seed}): {:?}",
            scrub.problems
        );
    }
    eprintln!(
        "registration crash test: {} registrations acknowledged over {rounds} kills",
        acknowledged.len()
    );
    assert!(
        !acknowledged.is_empty(),
        "no registration completed in any round"
    );
}
