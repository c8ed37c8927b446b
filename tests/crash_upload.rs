//! Crash test of the tus upload staging store: a child process filling uploads
//! (`crash-uploader`) is killed with SIGKILL at random moments, again and again on the same
//! directory. Nothing acknowledged may be lost: after a kill every upload the child reported
//! created, patched or resumed is still there (unless its discarding or removal was
//! acknowledged, or was the operation the kill interrupted), at the offset last acknowledged
//! (or the one the interrupted patch was about to acknowledge), its bytes are exactly the
//! expected prefix — a complete upload reads back and hashes to its declared SHA-256, an
//! incomplete one takes a replay of that prefix from offset 0 as an identical retry — and the
//! directory holds nothing else: no half-written state, no orphan data, no damaged upload.
//! Each child first resumes the uploads it finds, from their acknowledged offsets.
//!
//! After most kills the test reopens the store itself (its recovery then repairs what the kill
//! left); after the others the next child does. `QOIMA_CRASH_ROUNDS` sets the number of kills
//! (default 100), `QOIMA_CRASH_SEED` the seed (default fixed; the kill moments still vary with
//! timing).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use qoima_tests::uploads::{OWNER, content, declared_sha256, key, length, wrong_sha256};
use qoima_tests::{KillAt, Rng};
use qoima_vault::ContentAddress;
use qoima_vault::uploads::{UploadConfig, UploadId, UploadStore};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// What the child started and had not acknowledged when it was killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// A patch that would leave the upload at this offset.
    Patch(u64),
    /// A removal or termination.
    Remove,
}

/// One upload as the child reported it.
#[derive(Debug)]
struct Known {
    seed: u64,
    index: u64,
    length: u64,
    bad: bool,
    /// The last acknowledged offset.
    acked: u64,
    pending: Option<Pending>,
    /// Discarded or removed, acknowledged (or found so after the kill of that operation).
    gone: bool,
    /// Found by a child at start, at this offset (the last time).
    resumed_at: Option<u64>,
}

impl Known {
    fn new(seed: u64, index: u64, acked: u64) -> Self {
        Self {
            seed,
            index,
            length: length(seed, index),
            bad: wrong_sha256(seed, index),
            acked,
            pending: None,
            gone: false,
            resumed_at: None,
        }
    }

    /// Whether `offset` is one the upload may have after a kill: the acknowledged one, or the
    /// one the patch in flight was to acknowledge.
    fn may_be_at(&self, offset: u64) -> bool {
        offset == self.acked || self.pending == Some(Pending::Patch(offset))
    }
}

#[derive(Debug, Default)]
struct Stats {
    created: usize,
    acks: usize,
    discarded: usize,
    removed: usize,
    resumed: usize,
    /// Resumed uploads later acknowledged further than where they were resumed.
    continued: usize,
    /// Uploads whose creation returned but was not reported before the kill.
    unreported_creations: usize,
    /// Uploads gone with their removal (or discarding patch) in flight at the kill.
    in_flight_removals: usize,
    /// Uploads found past their acknowledged offset (the patch in flight got through).
    in_flight_patches: usize,
    checks: usize,
    /// Kills that came after at least one acknowledgement of their child's.
    kills_after_acks: usize,
    verified_complete: usize,
    verified_incomplete: usize,
    verified_bytes: u64,
    truncated: usize,
    temp_removed: usize,
    orphans_removed: usize,
}

struct Model {
    uploads: BTreeMap<UploadId, Known>,
    stats: Stats,
    seed: u64,
}

impl Model {
    fn known(&mut self, id: &str, round: u64) -> (UploadId, &mut Known) {
        let id: UploadId = id.parse().unwrap();
        let known = self
            .uploads
            .get_mut(&id)
            .unwrap_or_else(|| panic!("round {round}: the child names an unknown upload {id}"));
        (id, known)
    }

    /// Takes in one line of the child's (see `bin/crash_uploader.rs`).
    fn apply(&mut self, round: u64, line: &str) {
        let seed = self.seed;
        let fail = |what: &str| -> ! {
            panic!("round {round} (QOIMA_CRASH_SEED={seed}): {what}: {line:?}")
        };
        let number = |text: &str| -> u64 { text.parse().unwrap() };
        match line.split(' ').collect::<Vec<_>>()[..] {
            ["resumed", id, seed, index, offset] => {
                let (seed, index, offset) = (number(seed), number(index), number(offset));
                let parsed: UploadId = id.parse().unwrap();
                self.stats.resumed += 1;
                let Some(known) = self.uploads.get_mut(&parsed) else {
                    // Created, then killed before the child said so.
                    if offset != 0 {
                        fail("an upload never reported is past offset 0");
                    }
                    self.stats.unreported_creations += 1;
                    let mut known = Known::new(seed, index, 0);
                    known.resumed_at = Some(0);
                    self.uploads.insert(parsed, known);
                    return;
                };
                if known.gone {
                    fail("an upload discarded or removed is back");
                }
                if (known.seed, known.index) != (seed, index) {
                    fail("the upload names another content");
                }
                if !known.may_be_at(offset) {
                    fail(&format!(
                        "resumed at an offset neither acknowledged ({}) nor in flight ({:?})",
                        known.acked, known.pending
                    ));
                }
                known.acked = offset;
                known.pending = None;
                known.resumed_at = Some(offset);
            }
            ["new", id, seed, index] => {
                let parsed: UploadId = id.parse().unwrap();
                if self.uploads.contains_key(&parsed) {
                    fail("an id created twice");
                }
                self.stats.created += 1;
                self.uploads
                    .insert(parsed, Known::new(number(seed), number(index), 0));
            }
            ["try", id, target] => {
                let (_, known) = self.known(id, round);
                if known.gone || known.pending.is_some() || number(target) < known.acked {
                    fail("a patch of an upload not in order");
                }
                known.pending = Some(Pending::Patch(number(target)));
            }
            ["ack", id, offset] => {
                let offset = number(offset);
                let (_, known) = self.known(id, round);
                if known.pending != Some(Pending::Patch(offset)) {
                    fail("an acknowledgement of no patch");
                }
                known.acked = offset;
                known.pending = None;
                let continued = known.resumed_at.is_some_and(|at| offset > at);
                known.resumed_at = None;
                self.stats.acks += 1;
                self.stats.continued += usize::from(continued);
            }
            ["gone", id] => {
                let (_, known) = self.known(id, round);
                if !known.bad || known.pending != Some(Pending::Patch(known.length)) {
                    fail("a good upload discarded");
                }
                known.gone = true;
                known.pending = None;
                self.stats.discarded += 1;
            }
            ["try-remove", id] => {
                let (_, known) = self.known(id, round);
                if known.gone || known.pending.is_some() {
                    fail("a removal of an upload not in order");
                }
                known.pending = Some(Pending::Remove);
            }
            ["removed", id] => {
                let (_, known) = self.known(id, round);
                if known.pending != Some(Pending::Remove) {
                    fail("a removal never begun");
                }
                known.gone = true;
                known.pending = None;
                self.stats.removed += 1;
            }
            _ => fail("unexpected line from the uploader"),
        }
    }

    /// Reopens the store in `dir` after the kill ending `round` and checks everything known.
    fn check(&mut self, dir: &Path, round: u64) {
        let seed = self.seed;
        let at =
            |what: String| -> String { format!("round {round} (QOIMA_CRASH_SEED={seed}): {what}") };
        let store = UploadStore::open(dir, UploadConfig::default())
            .unwrap_or_else(|e| panic!("{}", at(format!("reopening failed: {e}"))));
        let recovery = store.recovery();

        // Nothing but a state and a data file per upload.
        let (mut states, mut data) = (BTreeSet::new(), BTreeSet::new());
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            match name.split_once('.') {
                Some((id, "state")) => states.insert(id.parse::<UploadId>().unwrap()),
                Some((id, "data")) => data.insert(id.parse::<UploadId>().unwrap()),
                _ => panic!("{}", at(format!("{name} left in the staging directory"))),
            };
        }
        assert_eq!(
            states,
            data,
            "{}",
            at("states and data files differ".into())
        );
        assert_eq!(
            recovery.damaged_removed,
            0,
            "{}",
            at(format!(
                "LOST: acknowledged bytes missing, uploads removed as damaged: {recovery:?}"
            ))
        );
        assert_eq!(
            recovery.uploads,
            states.len(),
            "{}",
            at(format!("{recovery:?}"))
        );
        // Only the operation in flight at the kill can have left something to repair (an
        // unchecked earlier kill was repaired by the next child).
        assert!(
            recovery.truncated <= 1 && recovery.temp_removed <= 1 && recovery.orphans_removed <= 1,
            "{}",
            at(format!(
                "more repaired than one kill can leave: {recovery:?}"
            ))
        );
        self.stats.truncated += recovery.truncated;
        self.stats.temp_removed += recovery.temp_removed;
        self.stats.orphans_removed += recovery.orphans_removed;
        self.stats.checks += 1;

        for (id, known) in &mut self.uploads {
            if known.gone {
                assert!(
                    !states.contains(id),
                    "{}",
                    at(format!("{id}: an upload discarded or removed is back"))
                );
                continue;
            }
            if !states.contains(id) {
                let discarding = known.bad && known.pending == Some(Pending::Patch(known.length));
                assert!(
                    known.pending == Some(Pending::Remove) || discarding,
                    "{}",
                    at(format!(
                        "LOST: upload {id} ({}/{}, {} bytes) acknowledged at offset {} is gone",
                        known.seed, known.index, known.length, known.acked
                    ))
                );
                known.gone = true;
                known.pending = None;
                self.stats.in_flight_removals += 1;
                continue;
            }
            let upload = store
                .get(*id)
                .unwrap_or_else(|e| panic!("{}", at(format!("{id}: {e}"))));
            let expected = content(known.seed, known.index);
            assert_eq!(
                key(&upload),
                Some((known.seed, known.index)),
                "{}",
                at(id.to_string())
            );
            assert_eq!(upload.owner, OWNER);
            assert_eq!(upload.length, known.length, "{}", at(id.to_string()));
            assert_eq!(
                upload.sha256,
                declared_sha256(known.seed, known.index, &expected),
                "{}",
                at(id.to_string())
            );
            assert!(
                known.may_be_at(upload.offset),
                "{}",
                at(format!(
                    "{id}: at offset {}, acknowledged {}, in flight {:?}",
                    upload.offset, known.acked, known.pending
                ))
            );
            if upload.offset != known.acked {
                self.stats.in_flight_patches += 1;
            }
            known.acked = upload.offset;
            known.pending = None;
            let prefix = &expected[..upload.offset as usize];
            if upload.is_complete() {
                assert!(
                    !known.bad,
                    "{}",
                    at(format!("{id}: complete with a wrong SHA-256"))
                );
                let mut back = Vec::new();
                store
                    .content(*id)
                    .unwrap_or_else(|e| panic!("{}", at(format!("{id}: {e}"))))
                    .read_to_end(&mut back)
                    .unwrap();
                assert!(
                    back == expected,
                    "{}",
                    at(format!("{id}: the complete upload reads back wrong"))
                );
                assert_eq!(ContentAddress::of(&back).0, upload.sha256);
                self.stats.verified_complete += 1;
            } else {
                // An identical retry from 0 compares every stored byte and changes nothing.
                let mut patch = store
                    .begin(*id, 0, None, Timestamp::now())
                    .unwrap_or_else(|e| panic!("{}", at(format!("{id}: {e}"))));
                for piece in prefix.chunks(1 << 20) {
                    patch.write(piece).unwrap_or_else(|e| {
                        panic!("{}", at(format!("{id}: the stored bytes differ: {e}")))
                    });
                }
                let after = patch
                    .finish(Timestamp::now())
                    .unwrap_or_else(|e| panic!("{}", at(format!("{id}: replay: {e}"))));
                assert_eq!(after.offset, upload.offset, "{}", at(id.to_string()));
                self.stats.verified_incomplete += 1;
            }
            self.stats.verified_bytes += upload.offset;
        }

        // An upload nobody reported can only be a creation the kill cut short of its report.
        let unknown: Vec<UploadId> = states
            .iter()
            .filter(|id| !self.uploads.contains_key(id))
            .copied()
            .collect();
        assert!(
            unknown.len() <= 1,
            "{}",
            at(format!("unknown uploads {unknown:?}"))
        );
        for id in unknown {
            let upload = store.get(id).unwrap();
            let (seed, index) = key(&upload).unwrap();
            assert_eq!(
                upload.offset,
                0,
                "{}",
                at(format!("{id}: never reported, yet patched"))
            );
            assert!(
                index == 0
                    || self
                        .uploads
                        .values()
                        .any(|k| (k.seed, k.index) == (seed, index - 1)),
                "{}",
                at(format!(
                    "{id}: an unreported upload {seed}/{index} out of sequence"
                ))
            );
            self.uploads.insert(id, Known::new(seed, index, 0));
            self.stats.unreported_creations += 1;
        }
    }
}

#[test]
fn acknowledged_uploads_survive_sigkill() {
    let started = Instant::now();
    let rounds = env_u64("QOIMA_CRASH_ROUNDS").unwrap_or(100);
    let seed = env_u64("QOIMA_CRASH_SEED").unwrap_or(20_260_615);
    eprintln!("upload crash test: {rounds} rounds, QOIMA_CRASH_SEED={seed}");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut model = Model {
        uploads: BTreeMap::new(),
        stats: Stats::default(),
        seed,
    };
    for round in 0..rounds {
        // From "still resuming" to "a few dozen patches in": after 0 to 40 acknowledged
        // patches, then up to 5 ms into the next.
        let child_seed = seed.wrapping_mul(1 << 20).wrapping_add(round);
        let at = KillAt {
            acks: if rng.below(8) == 0 {
                0
            } else {
                10 + rng.below(31)
            },
            then: Duration::from_micros(rng.below(5000)),
        };
        let killed = qoima_tests::run_and_kill(
            env!("CARGO_BIN_EXE_crash-uploader"),
            dir.path(),
            child_seed,
            at,
        )
        .unwrap();
        assert!(
            killed.stderr.is_empty(),
            "round {round} (QOIMA_CRASH_SEED={seed}): the uploader failed: {}",
            killed.stderr
        );
        assert!(!killed.exited, "round {round}: the uploader was not killed");
        for line in killed.stdout.lines() {
            model.apply(round, line);
        }
        model.stats.kills_after_acks += usize::from(killed.stdout.contains("\nack "));
        // Now and then the next child recovers from the kill instead.
        if round + 1 == rounds || rng.below(4) != 0 {
            model.check(dir.path(), round);
        }
    }
    let stats = &model.stats;
    eprintln!(
        "upload crash test: {rounds} kills, {} checks in {:.1?}: {stats:#?}",
        stats.checks,
        started.elapsed()
    );
    assert!(
        stats.acks >= 10 * rounds as usize,
        "too few patches acknowledged"
    );
    assert!(stats.continued > 0, "no resumed upload went on");
    assert!(stats.discarded > 0, "no upload discarded for its SHA-256");
    assert!(stats.verified_incomplete > 0 && stats.verified_complete > 0);
}
