//! What every [`ChunkStore`] promises, as one suite of test bodies run against each engine:
//! RocksDB, and S3 on the tests' Ceph gateway.

use super::{ChunkStore, StorageError};
use crate::address::ChunkId;

fn put(store: &dyn ChunkStore, value: &[u8]) -> ChunkId {
    let id = ChunkId::of(value);
    store.put_chunk(&id, value).unwrap();
    id
}

pub(super) fn round_trip(store: &dyn ChunkStore) {
    for value in [&b""[..], b"x", &[7u8; 70_000]] {
        let id = put(store, value);
        store.sync().unwrap();
        assert_eq!(store.get_chunk(&id).unwrap().as_deref(), Some(value));
        assert!(store.contains_chunk(&id).unwrap());
    }
}

pub(super) fn missing_chunks_are_none(store: &dyn ChunkStore) {
    let id = ChunkId::of(b"never stored");
    assert_eq!(store.get_chunk(&id).unwrap(), None);
    assert!(!store.contains_chunk(&id).unwrap());
}

pub(super) fn a_second_put_keeps_the_chunk(store: &dyn ChunkStore) {
    let id = put(store, b"twice");
    store.put_chunk(&id, b"twice").unwrap();
    assert_eq!(store.get_chunk(&id).unwrap().unwrap(), b"twice");
    assert_eq!(store.chunk_ids().count(), 1);
}

pub(super) fn ids_are_listed_once_in_id_order(store: &dyn ChunkStore) {
    assert_eq!(store.chunk_ids().count(), 0);
    let mut ids: Vec<ChunkId> = (0..25u8).map(|i| put(store, &[i; 3])).collect();
    ids.sort();
    let listed: Vec<ChunkId> = store
        .chunk_ids()
        .collect::<Result<_, StorageError>>()
        .unwrap();
    assert_eq!(listed, ids);
}

pub(super) fn removal_removes_only_what_is_named(store: &dyn ChunkStore) {
    let keep = put(store, b"keep");
    let drop = put(store, b"drop");
    store
        .remove_chunks(&[drop, ChunkId::of(b"not there")])
        .unwrap();
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

/// One test per body and engine.
macro_rules! contract {
    ($engine:ident, $open:expr) => {
        mod $engine {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn round_trip() {
                let (store, _keep) = $open;
                super::round_trip(&store);
            }

            #[test]
            fn missing_chunks_are_none() {
                let (store, _keep) = $open;
                super::missing_chunks_are_none(&store);
            }

            #[test]
            fn a_second_put_keeps_the_chunk() {
                let (store, _keep) = $open;
                super::a_second_put_keeps_the_chunk(&store);
            }

            #[test]
            fn ids_are_listed_once_in_id_order() {
                let (store, _keep) = $open;
                super::ids_are_listed_once_in_id_order(&store);
            }

            #[test]
            fn removal_removes_only_what_is_named() {
                let (store, _keep) = $open;
                super::removal_removes_only_what_is_named(&store);
            }
        }
    };
}

contract!(rocks, {
    let dir = tempfile::tempdir().unwrap();
    (
        crate::storage::rocks::RocksBackend::open(dir.path()).unwrap(),
        dir,
    )
});

contract!(s3, {
    let mut config = crate::storage::s3::tests::config();
    // Small pages, so that the listing's paging runs here too.
    config.page_size = 4;
    (crate::storage::s3::S3Chunks::init(&config).unwrap().0, ())
});

#[test]
fn only_s3_has_a_lock_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let rocks = crate::storage::rocks::RocksBackend::open(dir.path()).unwrap();
    assert!(rocks.object_lock().is_none());
    assert!(crate::storage::s3::tests::store().object_lock().is_some());
}
