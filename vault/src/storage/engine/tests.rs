//! The engine value passes every call through to the engine it holds: the writer section of
//! PostgreSQL (exclusive across nodes) and S3's Object Lock included, on the real servers.

use std::sync::mpsc;
use std::time::Duration;

use jiff::{Timestamp, ToSpan};

use super::*;
use crate::address::ChunkId;
use crate::storage::postgres::testing::{VAULT_ROLE, cluster};
use crate::storage::s3::tests::config;

/// Two nodes' engines on one new database and one new bucket.
fn two_nodes() -> (Engine, Engine) {
    let cluster = cluster();
    let database = cluster.database();
    let s3 = config();
    S3Chunks::init(&s3).unwrap();
    let url = cluster.url(VAULT_ROLE, &database);
    let open = || Engine::distributed(&url, &PostgresOptions::default(), &s3).unwrap();
    (open(), open())
}

#[test]
fn rocksdb_has_no_object_lock_and_the_in_process_section() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::from(RocksBackend::open(dir.path()).unwrap());
    assert_eq!(engine.name(), "rocksdb");
    assert!(!engine.is_shared());
    assert!(engine.object_lock().is_none());
    assert!(engine.as_rocks().is_some());
    let id = ChunkId([7; 32]);
    engine.put_chunk(&id, b"value").unwrap();
    assert_eq!(engine.get_chunk(&id).unwrap().unwrap(), b"value");
    let mut batch = MetaBatch::new();
    batch.put(Table::Documents, b"d".to_vec(), b"v".to_vec());
    engine.commit(batch).unwrap();
    assert_eq!(engine.get(Table::Documents, b"d").unwrap().unwrap(), b"v");
    // Two sections at once in one process: RocksDB relies on the registry's mutex alone.
    let (_one, _two) = (
        engine.writer_section().unwrap(),
        engine.writer_section().unwrap(),
    );
}

#[test]
fn the_distributed_engine_passes_the_writer_section_and_the_object_lock_through() {
    let (one, two) = two_nodes();
    assert_eq!(one.name(), "postgres-s3");
    assert!(one.is_shared() && one.as_rocks().is_none());

    // The section of one node keeps the other out until it ends.
    let section = one.writer_section().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _section = two.writer_section().unwrap();
            sender.send(()).unwrap();
        });
        assert!(
            receiver.recv_timeout(Duration::from_millis(500)).is_err(),
            "the second node entered while the first held the section"
        );
        drop(section);
        receiver.recv_timeout(Duration::from_secs(10)).unwrap();
    });

    // A chunk put through one node is read through the other, and locked in S3 itself.
    let id = ChunkId([9; 32]);
    one.put_chunk(&id, b"chunk").unwrap();
    assert_eq!(two.get_chunk(&id).unwrap().unwrap(), b"chunk");
    let lock = one.object_lock().expect("S3's Object Lock");
    let until = Timestamp::now().checked_add(1.hour()).unwrap();
    lock.retain_chunks(&[id], until).unwrap();
    let seen = two.object_lock().unwrap().chunk_lock(&id).unwrap();
    assert!(seen.retain_until.unwrap() >= until, "{seen:?}");
    assert!(matches!(
        two.remove_chunks(&[id]),
        Err(StorageError::Locked(_))
    ));
    assert!(one.contains_chunk(&id).unwrap());

    // Records committed through one node are read through the other, and write-once.
    let mut batch = MetaBatch::new();
    batch.put(Table::Documents, b"d".to_vec(), b"v".to_vec());
    one.commit(batch).unwrap();
    assert_eq!(two.get(Table::Documents, b"d").unwrap().unwrap(), b"v");
    let mut again = MetaBatch::new();
    again.put(Table::Documents, b"d".to_vec(), b"w".to_vec());
    assert!(matches!(
        two.commit(again),
        Err(StorageError::Exists { .. })
    ));
    assert_eq!(two.scan(Table::Documents).count(), 1);
    assert_eq!(
        two.prefix_cursor(Table::Documents)
            .entries(b"d")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_missing_bucket_is_refused() {
    let cluster = cluster();
    let database = cluster.database();
    // A bucket that does not exist has no Object Lock either: nothing is opened on it (a
    // bucket created without one: `storage::s3::tests`, and the command line's tests).
    let error = Engine::distributed(
        &cluster.url(VAULT_ROLE, &database),
        &PostgresOptions::default(),
        &config(),
    )
    .unwrap_err();
    assert!(matches!(error, StorageError::Engine(_)), "{error}");
}
