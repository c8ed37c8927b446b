//! Tampering: a vault written through the registry (contents of several chunks, registrations,
//! a new version, a hold), copied once per fault, and in each copy one thing damaged behind the
//! vault's back, in RocksDB (opened directly, as `server/tests/doc.rs` does) or in its files: a
//! flipped byte in a chunk, a manifest, a version record, a document record, an audit-log leaf
//! and a node; a deleted chunk; a flipped byte in a blob file on disk; a truncated write-ahead
//! log. Each must be found by the real `qoima scrub` or `qoima audit verify` (the latter with
//! the checkpoint an auditor kept before the damage), which must exit non-zero and name what is
//! damaged.
//!
//! Run by `scripts/reliability`; ignored by a plain `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::Timestamp;
use qoima_tests::mixed::{self, PARTICIPANT};
use qoima_tests::registration::{AT, SENDER_IIN};
use qoima_tests::serve::qoima_bin;
use qoima_vault::records::{Participant, RetentionClass, annulment_statement};
use qoima_vault::registry::{Registration, Submitter};
use qoima_vault::storage::Table;
use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::{pki, sign_detached};

/// What the vault holds: the hex of a document id and of a multi-chunk content's address.
struct Written {
    document: String,
    content: String,
    /// The write-ahead log's length once the content was stored, before the registrations.
    wal_after_content: u64,
    /// A checkpoint of the audit log signed at the end, before the vault was closed: what an
    /// auditor would have fetched from the running server.
    checkpoint: String,
}

/// Writes the vault in `dir`: through the library, as a server would.
fn write_vault(dir: &Path) -> Written {
    let registry = mixed::registry(dir).unwrap();
    let at = Timestamp::from_second(AT).unwrap();
    let actor: qoima_vault::records::Actor = "tamper".parse().unwrap();
    let register = |content: &[u8]| {
        let address = registry.content().put(content).unwrap().address;
        Registration::new(
            address,
            vec![sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, content)],
            RetentionClass::ProjectDocumentation,
            Participant::new(PARTICIPANT).unwrap(),
            Submitter::new(actor.clone()),
            at,
        )
        .expect(Expectation {
            iin: Some(SENDER_IIN.into()),
            ..Expectation::default()
        })
    };
    // First three chunks and a half of random bytes (4 MiB chunks); the records after them.
    let big = qoima_tests::Rng::new(11).bytes(14 << 20);
    let content = registry.content().put(big.as_slice()).unwrap().address;
    let wal_after_content = std::fs::metadata(&files(dir, ".log")[0]).unwrap().len();
    let first = registry
        .register(&register(&mixed::document(1, 1)))
        .unwrap();
    registry
        .register(&register(&mixed::document(2, 1)))
        .unwrap();
    let second = register(&mixed::document(1, 2));
    let why: qoima_vault::records::Reason = "revised".parse().unwrap();
    let statement = annulment_statement(first.id, &first.version, &second.content.0, &why);
    let act = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, &statement);
    registry.new_version(first.id, &second, &act, &why).unwrap();
    registry
        .place_hold(first.id, &"inspection".parse().unwrap(), &actor, None, at)
        .unwrap();
    let signer = qoima_vault::audit::key::load_or_create(&dir.join("audit")).unwrap();
    let (_, note) = registry.log().unwrap().checkpoint(&signer).unwrap();
    Written {
        document: first.id.to_string(),
        content: content.to_string(),
        wal_after_content,
        checkpoint: note.to_string(),
    }
}

/// Opens the vault's RocksDB in `data` directly, every column family.
fn raw_db(data: &Path) -> rocksdb::DB {
    let path = mixed::db(data);
    let options = rocksdb::Options::default();
    let families = rocksdb::DB::list_cf(&options, &path).unwrap();
    rocksdb::DB::open_cf(&options, &path, families).unwrap()
}

/// The first key of column family `cf` whose key starts with `prefix`.
fn first_key(db: &rocksdb::DB, cf: &str, prefix: &[u8]) -> Vec<u8> {
    let handle = db.cf_handle(cf).unwrap();
    db.iterator_cf(handle, rocksdb::IteratorMode::Start)
        .map(|item| item.unwrap().0.to_vec())
        .find(|key| key.starts_with(prefix))
        .unwrap_or_else(|| panic!("no key in {cf}"))
}

/// Flips one byte in the middle of the value under `key` in `cf`.
fn flip(data: &Path, cf: &str, key: &[u8]) {
    flip_where(data, cf, key, |value| value.len() / 2);
}

/// Flips the byte of the value under `key` in `cf` at the position `at` picks.
fn flip_where(data: &Path, cf: &str, key: &[u8], at: impl FnOnce(&[u8]) -> usize) {
    let db = raw_db(data);
    let handle = db.cf_handle(cf).unwrap();
    let mut value = db.get_cf(handle, key).unwrap().unwrap();
    let at = at(&value);
    value[at] ^= 0x01;
    db.put_cf(handle, key, value).unwrap();
}

fn qoima(data: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(qoima_bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn copy_dir(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// The files of the vault's RocksDB whose names end with `suffix`, largest first.
fn files(data: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<(u64, PathBuf)> = std::fs::read_dir(mixed::db(data))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .map(|p| (std::fs::metadata(&p).unwrap().len(), p))
        .collect();
    found.sort();
    found.reverse();
    found.into_iter().map(|(_, p)| p).collect()
}

#[test]
#[ignore = "run by scripts/reliability"]
fn every_kind_of_tampering_is_found_and_named() {
    let root = tempfile::tempdir().unwrap();
    // Written and closed, never opened since: its write-ahead log holds everything.
    let pristine = root.path().join("pristine");
    let written = write_vault(&pristine);
    let checkpoint = root.path().join("checkpoint");
    std::fs::write(&checkpoint, &written.checkpoint).unwrap();
    let since = ["audit", "verify", "--since", checkpoint.to_str().unwrap()];
    let clean = root.path().join("clean");
    copy_dir(&pristine, &clean);
    for args in [&["scrub"][..], &since[..]] {
        let (ok, text) = qoima(&clean, args);
        assert!(ok, "the clean vault: qoima {args:?}: {text}");
    }
    let document = hex_bytes(&written.document);
    let wal_after_content = written.wal_after_content;
    let content = hex_bytes(&written.content);
    let leaf = 1u64.to_be_bytes();
    let node = [&[0u8][..], &1u64.to_be_bytes()].concat();

    // What is damaged, how, and what the report must name (any of the needles).
    type Damage = Box<dyn Fn(&Path)>;
    // Opening the vault with its own options (blob files for chunks) moves what its
    // write-ahead log holds into table and blob files.
    let flush = |data: &Path| {
        let (ok, text) = qoima(data, &["scrub"]);
        assert!(ok, "{text}");
    };
    let cases: Vec<(&str, Damage, Vec<String>)> = vec![
        (
            "a flipped byte in a chunk",
            Box::new(|d: &Path| {
                let key = first_key(&raw_db(d), "chunks", &[]);
                flip(d, "chunks", &key);
            }),
            vec!["chunk".into()],
        ),
        (
            "a deleted chunk",
            Box::new(|d: &Path| {
                let db = raw_db(d);
                let key = first_key(&db, "chunks", &[]);
                db.delete_cf(db.cf_handle("chunks").unwrap(), key).unwrap();
            }),
            vec!["chunk".into(), "missing".into()],
        ),
        (
            "a flipped byte in a manifest",
            // In a chunk id: the manifest's `stored` sizes are statistics that nothing checks
            // (a flip there goes unnoticed; docs/reliability.md says so).
            Box::new(move |d: &Path| {
                let db = raw_db(d);
                let chunks = db.cf_handle("chunks").unwrap();
                let ids: Vec<Vec<u8>> = db
                    .iterator_cf(chunks, rocksdb::IteratorMode::Start)
                    .map(|item| item.unwrap().0.to_vec())
                    .collect();
                drop(db);
                flip_where(d, Table::Manifests.name(), &content, |value| {
                    let at = ids
                        .iter()
                        .find_map(|id| value.windows(id.len()).position(|w| w == id))
                        .expect("no chunk id in the manifest");
                    at + 5
                });
            }),
            vec![written.content[..16].to_string()],
        ),
        (
            "a flipped byte in a version record",
            Box::new({
                let document = document.clone();
                move |d: &Path| {
                    let key = first_key(&raw_db(d), Table::Versions.name(), &document);
                    flip(d, Table::Versions.name(), &key);
                }
            }),
            vec![written.document[..8].to_string()],
        ),
        (
            "a flipped byte in a document record",
            Box::new({
                let document = document.clone();
                move |d: &Path| flip(d, Table::Documents.name(), &document)
            }),
            vec![written.document[..8].to_string()],
        ),
        (
            "a flipped byte in an audit-log leaf",
            Box::new(move |d: &Path| flip(d, Table::AuditLeaves.name(), &leaf)),
            vec!["entry 1".into()],
        ),
        (
            "a flipped byte in an audit-log node",
            Box::new(move |d: &Path| flip(d, Table::AuditNodes.name(), &node)),
            vec!["audit".into()],
        ),
        (
            "a flipped byte in a blob file on disk",
            Box::new(move |d: &Path| {
                flush(d);
                let blob = files(d, ".blob").into_iter().next().expect("no blob file");
                let mut bytes = std::fs::read(&blob).unwrap();
                let at = bytes.len() / 2;
                bytes[at] ^= 0x01;
                std::fs::write(&blob, bytes).unwrap();
            }),
            vec!["chunk".into(), "orrupt".into()],
        ),
        (
            "a truncated write-ahead log",
            // Cut just after the content: every record and log entry written after it is lost,
            // consistently (RocksDB recovers to the cut): only the auditor's checkpoint shows it.
            Box::new(move |d: &Path| {
                let wal = files(d, ".log")
                    .into_iter()
                    .find(|p| !p.ends_with("LOG"))
                    .expect("no write-ahead log");
                let file = std::fs::OpenOptions::new().write(true).open(&wal).unwrap();
                file.set_len(wal_after_content + 100).unwrap();
            }),
            vec!["removed".into(), "not consistent".into(), "orrupt".into()],
        ),
    ];
    let mut found = 0;
    for (n, (what, damage, needles)) in cases.iter().enumerate() {
        let data = root.path().join(format!("case-{n}"));
        copy_dir(&pristine, &data);
        damage(&data);
        let scrub = qoima(&data, &["scrub"]);
        let verify = qoima(&data, &since);
        eprintln!(
            "--- {what}\n    scrub ok={}: {}\n    audit verify ok={}: {}",
            scrub.0,
            scrub.1.trim().replace('\n', "\n      "),
            verify.0,
            verify.1.trim().replace('\n', "\n      ")
        );
        assert!(
            !scrub.0 || !verify.0,
            "{what}: neither qoima scrub nor qoima audit verify found it"
        );
        let reports = [(scrub.0, &scrub.1), (verify.0, &verify.1)];
        assert!(
            reports
                .iter()
                .any(|(ok, text)| !ok && needles.iter().any(|n| text.contains(n.as_str()))),
            "{what}: found, but no report names it ({needles:?})"
        );
        found += 1;
        std::fs::remove_dir_all(&data).unwrap();
    }
    println!("FIGURE tamper faults={} found={found}", cases.len());
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}
