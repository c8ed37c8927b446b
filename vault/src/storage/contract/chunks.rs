//! What every [`ChunkStore`] promises, as one suite of test bodies run against each engine:
//! RocksDB, and S3 on the tests' Ceph gateway.

use crate::address::ChunkId;
use crate::storage::{ChunkStore, StorageError};

fn put(store: &dyn ChunkStore, value: &[u8]) -> ChunkId {
    let id = ChunkId::of(value);
    store.put_chunk(&id, value).unwrap();
    id
}

fn round_trip(store: &dyn ChunkStore) {
    for value in [&b""[..], b"x", &[7u8; 70_000]] {
        let id = put(store, value);
        store.sync().unwrap();
        assert_eq!(store.get_chunk(&id).unwrap().as_deref(), Some(value));
        assert!(store.contains_chunk(&id).unwrap());
    }
}

fn missing_chunks_are_none(store: &dyn ChunkStore) {
    let id = ChunkId::of(b"never stored");
    assert_eq!(store.get_chunk(&id).unwrap(), None);
    assert!(!store.contains_chunk(&id).unwrap());
}

fn a_second_put_keeps_the_chunk(store: &dyn ChunkStore) {
    let id = put(store, b"twice");
    store.put_chunk(&id, b"twice").unwrap();
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), b"twice");
    assert_eq!(store.chunk_ids().count(), 1);
}

fn ids_are_listed_once_in_id_order(store: &dyn ChunkStore) {
    assert_eq!(store.chunk_ids().count(), 0);
    let mut ids: Vec<ChunkId> = (0..25u8).map(|i| put(store, &[i; 3])).collect();
    ids.sort();
    let listed: Vec<ChunkId> = store
        .chunk_ids()
        .collect::<Result<_, StorageError>>()
        .unwrap();
    assert_eq!(listed, ids);
}

fn removal_removes_only_what_is_named(store: &dyn ChunkStore) {
    let keep = put(store, b"keep");
    let drop = put(store, b"drop");
    let gone = store
        .remove_chunks(&[drop, ChunkId::of(b"not there")])
        .unwrap();
    assert_eq!(gone, 2, "the chunk removed and the one not there");
    assert!(!store.contains_chunk(&drop).unwrap());
    assert_eq!(store.get_chunk(&drop).unwrap(), None);
    assert_eq!(store.get_chunk(&keep).unwrap().unwrap(), b"keep");
    let listed: Vec<ChunkId> = store
        .chunk_ids()
        .collect::<Result<_, StorageError>>()
        .unwrap();
    assert_eq!(listed, [keep]);
    // Stored again after its removal: there again.
    put(store, b"drop");
    assert!(store.contains_chunk(&drop).unwrap());
}

/// One `#[test]` per engine for each body above.
macro_rules! contract {
    ($($body:ident),+ $(,)?) => {
        mod rocks {
            $(
                #[test]
                fn $body() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = crate::storage::rocks::RocksBackend::open(dir.path()).unwrap();
                    super::$body(&store);
                }
            )+
        }
        mod s3 {
            $(
                #[test]
                fn $body() {
                    let mut config = crate::storage::s3::tests::config();
                    // Small pages, so that the listing's paging runs here too.
                    config.page_size = 4;
                    let store = crate::storage::s3::S3Chunks::init(&config).unwrap().0;
                    super::$body(&store);
                }
            )+
        }
    };
}

contract!(
    round_trip,
    missing_chunks_are_none,
    a_second_put_keeps_the_chunk,
    ids_are_listed_once_in_id_order,
    removal_removes_only_what_is_named,
);

#[test]
fn only_s3_has_a_lock_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let rocks = crate::storage::rocks::RocksBackend::open(dir.path()).unwrap();
    assert!(rocks.object_lock().is_none());
    assert!(crate::storage::s3::tests::store().object_lock().is_some());
}
