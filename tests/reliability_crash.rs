//! Mixed crash test: `crash-mixed` (several threads putting content, filling tus uploads,
//! registering, adding versions, placing and releasing holds, disposing) is killed with SIGKILL
//! after a random number of acknowledged operations, again and again on the same data
//! directory. After every kill the vault is reopened (its recovery runs) and checked:
//! every acknowledged write is there as acknowledged (content bytes, upload offsets and bytes,
//! registration numbers, versions, holds, releases, disposals), the registration numbers taken
//! are exactly 1..=N (a kill skips none and reuses none), and the record check of
//! `qoima audit verify` (`verify_records`) and the content scrub of `qoima scrub` find nothing.
//!
//! The kills are placed by acknowledgements, not by the clock. A vault lives for
//! `QOIMA_CRASH_EPOCH` kills (default 50), then a fresh one starts, so that a long run's checks
//! stay linear. With `QOIMA_BIN` (the `qoima` binary) the real `qoima scrub` and
//! `qoima audit verify` also run on each vault at the end of its epoch.
//!
//! `QOIMA_CRASH_ROUNDS` sets the number of kills (default 150), `QOIMA_CRASH_SEED` the seed.
//!
//! Power loss (`acknowledged_writes_survive_power_loss`): the same child on a loop-mounted ext4
//! image; at the kill point the child is stopped (SIGSTOP) and the image file copied, then the
//! child killed. The copy holds what ext4 had written back to its device, not what was in the
//! page cache only: what a power cut would leave. The copy is mounted (ext4 replays its
//! journal) and checked like a vault after a kill, for every write acknowledged before the
//! copy began. A file written without fsync just before each copy shows that unsynced data is
//! indeed missing from it. `QOIMA_POWER_ROUNDS` sets the cuts (default 5); needs root.
//!
//! Run by `scripts/reliability` (ignored by a plain `cargo test`, which would run it twice).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use qoima_tests::mixed::{self, PARTICIPANT};
use qoima_tests::{KillAt, Rng};
use qoima_vault::ContentAddress;
use qoima_vault::records::{DocumentId, Event};
use qoima_vault::registry::{Index, Registry, verify_records};
use qoima_vault::uploads::UploadId;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// A document as acknowledged. One whose registration returned but was not reported before
/// the kill is known from the first change a later child acknowledges on it.
#[derive(Debug, Default)]
struct Doc {
    /// Registration number and content key by version.
    numbers: BTreeMap<u32, (String, u64)>,
    holds: BTreeSet<u32>,
    released: BTreeSet<u32>,
    disposed: bool,
}

/// An upload as acknowledged.
#[derive(Debug)]
struct Staged {
    key: u64,
    offset: u64,
    removing: bool,
    removed: bool,
}

#[derive(Debug, Default)]
struct Stats {
    kills: u64,
    acks: BTreeMap<&'static str, u64>,
    /// Acknowledged writes checked after kills (each counted once per check).
    checked: u64,
    versions_checked: u64,
    bytes_read: u64,
    vaults: u64,
    real_checks: u64,
}

#[derive(Default)]
struct Model {
    puts: Vec<(u64, ContentAddress)>,
    docs: BTreeMap<DocumentId, Doc>,
    uploads: BTreeMap<UploadId, Staged>,
}

impl Model {
    fn apply(&mut self, line: &str, stats: &mut Stats) {
        let fields: Vec<&str> = line.split(' ').collect();
        let kind = match fields[..] {
            ["ack", "put", key, address] => {
                self.puts
                    .push((key.parse().unwrap(), address.parse().unwrap()));
                "put"
            }
            ["ack", "upload", id, key, offset] => {
                let id: UploadId = id.parse().unwrap();
                let offset = offset.parse().unwrap();
                let staged = self.uploads.entry(id).or_insert(Staged {
                    key: key.parse().unwrap(),
                    offset,
                    removing: false,
                    removed: false,
                });
                assert!(offset >= staged.offset, "{line}: offset went back");
                staged.offset = offset;
                "upload"
            }
            ["removing", id] => {
                self.uploads.get_mut(&id.parse().unwrap()).unwrap().removing = true;
                return;
            }
            ["ack", "removed", id] => {
                self.uploads.get_mut(&id.parse().unwrap()).unwrap().removed = true;
                "removed"
            }
            ["ack", "reg", id, number, key] => {
                let doc = Doc {
                    numbers: BTreeMap::from([(1, (number.to_owned(), key.parse().unwrap()))]),
                    ..Doc::default()
                };
                assert!(
                    self.docs.insert(id.parse().unwrap(), doc).is_none(),
                    "{line}: an id twice"
                );
                "registration"
            }
            ["ack", "version", id, version, number, key] => {
                let doc = self.docs.entry(id.parse().unwrap()).or_default();
                doc.numbers.insert(
                    version.parse().unwrap(),
                    (number.to_owned(), key.parse().unwrap()),
                );
                "version"
            }
            ["ack", "hold", id, hold] => {
                let doc = self.docs.entry(id.parse().unwrap()).or_default();
                doc.holds.insert(hold.parse().unwrap());
                "hold"
            }
            ["ack", "release", id, hold] => {
                let doc = self.docs.entry(id.parse().unwrap()).or_default();
                doc.released.insert(hold.parse().unwrap());
                "release"
            }
            ["ack", "disposed", id] => {
                self.docs.entry(id.parse().unwrap()).or_default().disposed = true;
                "disposal"
            }
            _ => panic!("unexpected line from crash-mixed: {line:?}"),
        };
        *stats.acks.entry(kind).or_default() += 1;
    }

    /// Reopens the vault in `dir` and checks everything acknowledged in it.
    fn check(&self, dir: &Path, stats: &mut Stats, at: &str) {
        let registry =
            mixed::registry(dir).unwrap_or_else(|e| panic!("{at}: reopening failed: {e}"));
        for (key, address) in &self.puts {
            let expected = mixed::content(*key);
            assert_eq!(*address, ContentAddress::of(&expected), "{at}: put {key}");
            let back = read(&registry, address)
                .unwrap_or_else(|e| panic!("{at}: LOST: put {key} ({address}): {e}"));
            assert!(back == expected, "{at}: put {key} reads back wrong");
            stats.bytes_read += back.len() as u64;
            stats.checked += 1;
        }
        for (id, doc) in &self.docs {
            self.check_doc(&registry, *id, doc, stats, at);
        }
        check_numbers(&registry, at);
        let report = verify_records(registry.content().backend()).unwrap();
        assert!(report.is_clean(), "{at}: records: {:?}", report.problems);
        let scrub = registry.content().scrub(|_| {}).unwrap();
        assert!(
            scrub.problems.is_empty(),
            "{at}: scrub: {:?}",
            scrub.problems
        );
        drop(registry);
        self.check_uploads(dir, stats, at);
    }

    fn check_doc(
        &self,
        registry: &Registry,
        id: DocumentId,
        doc: &Doc,
        stats: &mut Stats,
        at: &str,
    ) {
        let view = registry
            .document(id)
            .unwrap()
            .unwrap_or_else(|| panic!("{at}: LOST: document {id}"));
        for (&version, (number, key)) in &doc.numbers {
            let record = view
                .versions
                .iter()
                .find(|v| v.version == version)
                .unwrap_or_else(|| panic!("{at}: LOST: version {version} of {id}"));
            assert_eq!(&record.registration_number, number, "{at}: {id} v{version}");
            let expected = mixed::document(*key, version);
            assert_eq!(
                record.content,
                ContentAddress::of(&expected).0,
                "{at}: {id}"
            );
            if !view.tombstones.is_empty() {
                continue;
            }
            let back = read(registry, &ContentAddress(record.content))
                .unwrap_or_else(|e| panic!("{at}: LOST: content of {id} v{version}: {e}"));
            assert!(back == expected, "{at}: {id} v{version} reads back wrong");
            stats.versions_checked += 1;
        }
        let placed: BTreeSet<u32> = view
            .events
            .iter()
            .filter(|(_, e)| matches!(e, Event::HoldPlaced { .. }))
            .map(|(n, _)| *n)
            .collect();
        let active: BTreeSet<u32> = view.active_holds().map(|(n, _)| n).collect();
        for hold in &doc.holds {
            assert!(placed.contains(hold), "{at}: LOST: hold {hold} of {id}");
        }
        for hold in &doc.released {
            assert!(
                !active.contains(hold),
                "{at}: LOST: release of hold {hold} of {id}"
            );
        }
        assert!(
            !doc.disposed || !view.tombstones.is_empty(),
            "{at}: LOST: the disposal of {id}"
        );
        stats.checked += (doc.numbers.len() + doc.holds.len() + doc.released.len()) as u64
            + u64::from(doc.disposed);
    }

    fn check_uploads(&self, dir: &Path, stats: &mut Stats, at: &str) {
        let store = mixed::uploads(dir).unwrap_or_else(|e| panic!("{at}: uploads: {e}"));
        assert_eq!(
            store.recovery().damaged_removed,
            0,
            "{at}: LOST: uploads removed as damaged: {:?}",
            store.recovery()
        );
        for (id, staged) in &self.uploads {
            let upload = match store.get(*id) {
                Ok(upload) => upload,
                Err(_) if staged.removing => continue,
                Err(e) => panic!("{at}: LOST: upload {id} at {}: {e}", staged.offset),
            };
            assert!(!staged.removed, "{at}: upload {id} removed, yet back");
            let expected = mixed::upload(staged.key);
            assert_eq!(upload.length, expected.len() as u64, "{at}: {id}");
            assert!(
                upload.offset >= staged.offset,
                "{at}: LOST: upload {id} at {}, acknowledged at {}",
                upload.offset,
                staged.offset
            );
            if upload.is_complete() {
                let mut back = Vec::new();
                store.content(*id).unwrap().read_to_end(&mut back).unwrap();
                assert!(back == expected, "{at}: upload {id} reads back wrong");
                stats.bytes_read += back.len() as u64;
            }
            stats.checked += 1;
        }
    }
}

fn read(registry: &Registry, address: &ContentAddress) -> Result<Vec<u8>, String> {
    let mut back = Vec::new();
    let mut reader = registry
        .content()
        .read(address)
        .map_err(|e| e.to_string())?;
    reader.read_to_end(&mut back).map_err(|e| e.to_string())?;
    Ok(back)
}

/// Every registration number of the participant, versions included: exactly 1..=N.
fn check_numbers(registry: &Registry, at: &str) {
    let mut numbers: Vec<u64> = Vec::new();
    for id in registry.find(Index::Participant, PARTICIPANT).unwrap() {
        let view = registry.document(id).unwrap().unwrap();
        for version in &view.versions {
            let number = &version.registration_number;
            numbers.push(number.rsplit('-').next().unwrap().parse().unwrap());
        }
    }
    numbers.sort_unstable();
    let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
    assert!(
        numbers == expected,
        "{at}: numbers skipped or reused: {numbers:?}"
    );
}

/// The real `qoima scrub` and `qoima audit verify` on the data directory `dir`.
fn real_checks(qoima: &str, dir: &Path, stats: &mut Stats, at: &str) {
    for args in [&["scrub"][..], &["audit", "verify"][..]] {
        let out = std::process::Command::new(qoima)
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{at}: qoima {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        stats.real_checks += 1;
    }
}

#[test]
#[ignore = "run by scripts/reliability"]
fn acknowledged_mixed_writes_survive_sigkill() {
    let started = Instant::now();
    let rounds = env_u64("QOIMA_CRASH_ROUNDS").unwrap_or(150);
    let epoch = env_u64("QOIMA_CRASH_EPOCH").unwrap_or(50).max(1);
    let seed = env_u64("QOIMA_CRASH_SEED").unwrap_or(20_261_207);
    let qoima = std::env::var("QOIMA_BIN").ok();
    eprintln!("mixed crash test: {rounds} kills, QOIMA_CRASH_SEED={seed}");
    let mut rng = Rng::new(seed);
    let root = tempfile::tempdir().unwrap();
    let mut stats = Stats::default();
    let mut model = Model::default();
    let mut dir = root.path().join("vault-0");
    for round in 0..rounds {
        if round % epoch == 0 && round > 0 {
            if let Some(qoima) = &qoima {
                real_checks(
                    qoima,
                    &dir,
                    &mut stats,
                    &format!("vault {}", round / epoch - 1),
                );
            }
            std::fs::remove_dir_all(&dir).unwrap();
            dir = root.path().join(format!("vault-{}", round / epoch));
            model = Model::default();
        }
        if round % epoch == 0 {
            stats.vaults += 1;
        }
        // One kill in ten while the child may still be opening the vault; the others after
        // 1 to 40 acknowledged operations (of all threads), then up to 3 ms into the next.
        let at = if rng.below(10) == 0 {
            KillAt {
                acks: 0,
                then: Duration::from_millis(rng.below(50)),
            }
        } else {
            KillAt {
                acks: 1 + rng.below(40),
                then: Duration::from_micros(rng.below(3000)),
            }
        };
        // The last third of a vault's rounds are late ones (holds, releases and disposals
        // years after the registrations, which the audit log's order allows only after them).
        let late = round % epoch >= epoch - epoch / 3 && epoch >= 3;
        let child = (seed.wrapping_mul(1 << 16).wrapping_add(round) & 0xff_ffff_ffff)
            | if late { mixed::LATE_ROUND } else { 0 };
        let killed =
            qoima_tests::run_and_kill(env!("CARGO_BIN_EXE_crash-mixed"), &dir, child, at).unwrap();
        let place = format!("round {round} (QOIMA_CRASH_SEED={seed})");
        assert!(
            killed.stderr.is_empty(),
            "{place}: crash-mixed failed: {}",
            killed.stderr
        );
        assert!(!killed.exited, "{place}: crash-mixed was not killed");
        stats.kills += 1;
        for line in killed.stdout.lines() {
            model.apply(line, &mut stats);
        }
        model.check(&dir, &mut stats, &place);
    }
    if let Some(qoima) = &qoima {
        real_checks(qoima, &dir, &mut stats, "the last vault");
    }
    let acked: u64 = stats.acks.values().sum();
    eprintln!(
        "mixed crash test: {} kills over {} vaults in {:.0?}; {acked} writes acknowledged \
         {:?}; {} acknowledged writes checked after kills ({} version contents, {} MiB read); \
         {} runs of the real qoima scrub/audit verify",
        stats.kills,
        stats.vaults,
        started.elapsed(),
        stats.acks,
        stats.checked,
        stats.versions_checked,
        stats.bytes_read >> 20,
        stats.real_checks
    );
    println!(
        "FIGURE crash kills={} acked={acked} checked={} vaults={} real_checks={} seconds={}",
        stats.kills,
        stats.checked,
        stats.vaults,
        stats.real_checks,
        started.elapsed().as_secs()
    );
    for kind in [
        "put",
        "upload",
        "registration",
        "version",
        "hold",
        "release",
        "disposal",
    ] {
        assert!(
            stats.acks.get(kind).copied().unwrap_or(0) > 0 || rounds < 20,
            "no {kind} was acknowledged in {rounds} kills"
        );
    }
}

/// Mounts `image` on `dir` (a loop device); unmounted when dropped.
struct LoopMount(std::path::PathBuf);

impl LoopMount {
    fn new(image: &Path, dir: &Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-o", "loop"])
            .arg(image)
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mounting {} needs root: {}",
            image.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Self(dir.to_path_buf())
    }
}

impl Drop for LoopMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
#[ignore = "run by scripts/reliability (needs root)"]
fn acknowledged_writes_survive_power_loss() {
    let started = Instant::now();
    let rounds = env_u64("QOIMA_POWER_ROUNDS").unwrap_or(5);
    let seed = env_u64("QOIMA_CRASH_SEED").unwrap_or(20_261_207) ^ 0x0070_6f77_6572;
    let qoima = std::env::var("QOIMA_BIN").ok();
    let mut rng = Rng::new(seed);
    let root =
        tempfile::tempdir_in(std::env::var_os("QOIMA_POWER_DIR").unwrap_or(".".into())).unwrap();
    let image = root.path().join("disk.img");
    let copy = root.path().join("copy.img");
    let status = std::process::Command::new("truncate")
        .args(["-s", "768M"])
        .arg(&image)
        .status()
        .unwrap();
    assert!(status.success());
    let status = std::process::Command::new("mkfs.ext4")
        .args(["-q", "-F"])
        .arg(&image)
        .status()
        .unwrap();
    assert!(status.success(), "mkfs.ext4 failed");
    let live = LoopMount::new(&image, &root.path().join("live"));
    let dir = live.0.join("vault");
    let mut stats = Stats::default();
    let mut model = Model::default();
    let (mut probes_lost, mut acked_before_copy) = (0, 0);
    for round in 0..rounds {
        let at = KillAt {
            acks: 1 + rng.below(40),
            then: Duration::from_micros(rng.below(3000)),
        };
        let probe = live.0.join(format!("unsynced-{round}"));
        let killed = qoima_tests::run_and_kill_with(
            env!("CARGO_BIN_EXE_crash-mixed"),
            &dir,
            seed.wrapping_mul(1 << 16).wrapping_add(round) & 0xff_ffff_ffff,
            at,
            |pid| {
                let stopped = std::process::Command::new("kill")
                    .args(["-STOP", &pid.to_string()])
                    .status()?;
                assert!(stopped.success());
                // Written, never synced: a power cut now loses it.
                std::fs::write(&probe, vec![0x70_u8; 1 << 20])?;
                let copied = std::process::Command::new("cp")
                    .arg("--sparse=always")
                    .arg(&image)
                    .arg(&copy)
                    .status()?;
                assert!(copied.success());
                Ok(())
            },
        )
        .unwrap();
        let place = format!("power cut {round} (QOIMA_CRASH_SEED={seed})");
        assert!(
            killed.stderr.is_empty(),
            "{place}: crash-mixed failed: {}",
            killed.stderr
        );
        stats.kills += 1;
        // Every line was printed before the child was stopped, so before the copy began.
        for line in killed.stdout.lines() {
            model.apply(line, &mut stats);
            acked_before_copy += u64::from(line.starts_with("ack "));
        }
        {
            let after = LoopMount::new(&copy, &root.path().join("after"));
            let copied_probe =
                std::fs::metadata(after.0.join(format!("unsynced-{round}"))).map_or(0, |m| m.len());
            probes_lost += u64::from(copied_probe < 1 << 20);
            model.check(&after.0.join("vault"), &mut stats, &place);
            if let Some(qoima) = &qoima {
                real_checks(qoima, &after.0.join("vault"), &mut stats, &place);
            }
        }
        std::fs::remove_file(&copy).unwrap();
    }
    drop(live);
    eprintln!(
        "power-loss test: {rounds} cuts in {:.0?}; {acked_before_copy} writes acknowledged before \
         the copies, {} acknowledged writes checked in the copies; the unsynced probe was \
         missing from {probes_lost} of {rounds} copies",
        started.elapsed(),
        stats.checked
    );
    println!(
        "FIGURE power cuts={rounds} acked={acked_before_copy} checked={} probes_lost={probes_lost} \
         real_checks={} seconds={}",
        stats.checked,
        stats.real_checks,
        started.elapsed().as_secs()
    );
}
