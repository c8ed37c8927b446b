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
    // Three chunks and a half of random bytes (4 MiB chunks).
    let big = qoima_tests::Rng::new(11).bytes(14 << 20);
    let content = registry.content().put(big.as_slice()).unwrap().address;
    Written {
        document: first.id.to_string(),
        content: content.to_string(),
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
    let db = raw_db(data);
    let handle = db.cf_handle(cf).unwrap();
    let mut value = db.get_cf(handle, key).unwrap().unwrap();
    let at = value.len() / 2;
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
    let clean = root.path().join("clean");
    let written = write_vault(&clean);
    let checkpoint = root.path().join("checkpoint");
    let (ok, note) = qoima(&clean, &["audit", "checkpoint"]);
    assert!(ok, "{note}");
    std::fs::write(&checkpoint, note).unwrap();
    let since = ["audit", "verify", "--since", checkpoint.to_str().unwrap()];
    for args in [&["scrub"][..], &since[..]] {
        let (ok, text) = qoima(&clean, args);
        assert!(ok, "the clean vault: qoima {args:?}: {text}");
    }
    let document = hex_bytes(&written.document);
    let content = hex_bytes(&written.content);
    let leaf = 1u64.to_be_bytes();
    let node = [&[0u8][..], &1u64.to_be_bytes()].concat();

    // What is damaged, how, and what the report must name (any of the needles).
    type Damage = Box<dyn Fn(&Path)>;
    let flush = |data: &Path| {
        let db = raw_db(data);
        for cf in rocksdb::DB::list_cf(&rocksdb::Options::default(), mixed::db(data)).unwrap() {
            db.flush_cf(db.cf_handle(&cf).unwrap()).unwrap();
        }
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
            Box::new(move |d: &Path| flip(d, Table::Manifests.name(), &content)),
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
            Box::new(|d: &Path| {
                let wal = files(d, ".log")
                    .into_iter()
                    .find(|p| !p.ends_with("LOG"))
                    .expect("no write-ahead log");
                let len = std::fs::metadata(&wal).unwrap().len();
                let file = std::fs::OpenOptions::new().write(true).open(&wal).unwrap();
                file.set_len(len / 2).unwrap();
            }),
            vec!["removed".into(), "not consistent".into(), "orrupt".into()],
        ),
    ];
    let mut found = 0;
    for (n, (what, damage, needles)) in cases.iter().enumerate() {
        let data = root.path().join(format!("case-{n}"));
        copy_dir(&clean, &data);
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
