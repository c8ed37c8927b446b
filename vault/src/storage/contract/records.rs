//! The [`MetaStore`] contract, one suite run on every engine: each test body is generic over
//! the store, and [`contract!`] makes one `#[test]` of it per engine (RocksDB, and PostgreSQL
//! on a database of the test's own).

use std::collections::BTreeMap;

use crate::storage::{Entry, MetaBatch, MetaStore, StorageError, Table};

fn put<M: MetaStore>(
    store: &M,
    table: Table,
    entries: &[(&[u8], &[u8])],
) -> Result<(), StorageError> {
    let mut batch = MetaBatch::new();
    for (key, value) in entries {
        batch.put(table, key.to_vec(), value.to_vec());
    }
    store.commit(batch)
}

fn keys<M: MetaStore>(store: &M, table: Table, prefix: &[u8]) -> Vec<Vec<u8>> {
    store
        .scan_prefix(table, prefix)
        .map(|entry| entry.unwrap().0)
        .collect()
}

fn records_are_write_once_and_a_refused_batch_writes_nothing<M: MetaStore>(store: &M) {
    put(store, Table::Documents, &[(b"a", b"1")]).unwrap();
    let err = put(store, Table::Documents, &[(b"b", b"2"), (b"a", b"3")]).unwrap_err();
    assert!(
        matches!(err, StorageError::Exists { table: Table::Documents, ref key } if key == b"a"),
        "{err:?}"
    );
    assert_eq!(store.get(Table::Documents, b"a").unwrap().unwrap(), b"1");
    assert_eq!(store.get(Table::Documents, b"b").unwrap(), None);
    // The same key twice in one batch is refused too; another table is another key space.
    assert!(put(store, Table::Versions, &[(b"c", b"1"), (b"c", b"2")]).is_err());
    assert_eq!(store.get(Table::Versions, b"c").unwrap(), None);
    put(store, Table::Versions, &[(b"a", b"1")]).unwrap();

    // A batch over several tables whose last record exists: none of them is written, and the
    // error names the batch's first existing record.
    put(store, Table::AuditLeaves, &[(b"\x00\x07", b"leaf")]).unwrap();
    let mut batch = MetaBatch::new();
    batch.put(Table::Numbers, b"n1".to_vec(), b"".to_vec());
    batch.put(Table::Versions, b"x".to_vec(), b"v".to_vec());
    batch.put(Table::AuditLeaves, b"\x00\x08".to_vec(), b"leaf".to_vec());
    batch.put(Table::AuditLeaves, b"\x00\x07".to_vec(), b"again".to_vec());
    batch.put(Table::Versions, b"a".to_vec(), b"again".to_vec());
    batch.dispose_manifest(b"m");
    put(store, Table::Manifests, &[(b"m", b"manifest")]).unwrap();
    let err = store.commit(batch).unwrap_err();
    assert!(
        matches!(err, StorageError::Exists { table: Table::AuditLeaves, ref key } if key == b"\x00\x07"),
        "{err:?}"
    );
    for (table, key) in [
        (Table::Numbers, &b"n1"[..]),
        (Table::Versions, b"x"),
        (Table::AuditLeaves, b"\x00\x08"),
    ] {
        assert_eq!(store.get(table, key).unwrap(), None, "{table:?}");
    }
    assert_eq!(
        store.get(Table::Manifests, b"m").unwrap().unwrap(),
        b"manifest"
    );
    assert_eq!(
        store.get(Table::AuditLeaves, b"\x00\x07").unwrap().unwrap(),
        b"leaf"
    );
    // An empty batch is nothing.
    store.commit(MetaBatch::new()).unwrap();
}

fn a_disposal_deletes_the_manifest_and_nothing_else<M: MetaStore>(store: &M) {
    put(store, Table::Manifests, &[(b"m1", b"1"), (b"m2", b"2")]).unwrap();
    put(store, Table::Documents, &[(b"m1", b"doc")]).unwrap();
    let mut batch = MetaBatch::new();
    batch.put(Table::Tombstones, b"t".to_vec(), b"gone".to_vec());
    batch.dispose_manifest(b"m1");
    // A manifest already gone is no error.
    batch.dispose_manifest(b"absent");
    store.commit(batch).unwrap();
    assert_eq!(store.get(Table::Manifests, b"m1").unwrap(), None);
    assert_eq!(store.get(Table::Manifests, b"m2").unwrap().unwrap(), b"2");
    assert_eq!(store.get(Table::Documents, b"m1").unwrap().unwrap(), b"doc");
    assert_eq!(
        store.get(Table::Tombstones, b"t").unwrap().unwrap(),
        b"gone"
    );
    // The same content may be put again after its disposal.
    put(store, Table::Manifests, &[(b"m1", b"again")]).unwrap();
    assert_eq!(
        store.get(Table::Manifests, b"m1").unwrap().unwrap(),
        b"again"
    );
}

fn prefix_scans_and_last_key<M: MetaStore>(store: &M) {
    let all: [&[u8]; 7] = [
        b"a",
        b"ab",
        b"ab\x00",
        b"ab\x01",
        b"ab\xff",
        b"ac",
        b"\xff\xff",
    ];
    for key in all {
        put(store, Table::Numbers, &[(key, b"")]).unwrap();
    }
    assert_eq!(
        keys(store, Table::Numbers, b"ab"),
        [&b"ab"[..], b"ab\x00", b"ab\x01", b"ab\xff"]
    );
    assert_eq!(keys(store, Table::Numbers, b""), all);
    let scanned: Vec<Vec<u8>> = store.scan(Table::Numbers).map(|e| e.unwrap().0).collect();
    assert_eq!(scanned, all);
    let last = |prefix: &[u8]| {
        store
            .last_with_prefix(Table::Numbers, prefix)
            .unwrap()
            .map(|(key, _)| key)
    };
    assert_eq!(last(b"ab").unwrap(), b"ab\xff");
    assert_eq!(last(b"a").unwrap(), b"ac");
    assert_eq!(last(b"").unwrap(), b"\xff\xff");
    assert_eq!(last(b"\xff").unwrap(), b"\xff\xff");
    assert_eq!(last(b"\xff\xff").unwrap(), b"\xff\xff");
    assert_eq!(last(b"b"), None);
    assert_eq!(last(b"ad"), None);
    assert!(keys(store, Table::Numbers, b"z").is_empty());
    assert!(keys(store, Table::Events, b"").is_empty());
    assert_eq!(store.last_with_prefix(Table::Events, b"").unwrap(), None);
}

/// Thousands of keys of mixed lengths and bytes, in several batches: every scan reads them in
/// bytewise order (a key before its extensions), whole, across the engine's pages.
fn scans_read_everything_in_bytewise_order<M: MetaStore>(store: &M) {
    let mut expected = BTreeMap::new();
    let mut state = 0x2545_f491_u32;
    for round in 0..5 {
        let mut batch = MetaBatch::new();
        for _ in 0..500 {
            // xorshift: reproducible keys of 0 to 5 bytes over a small alphabet, so that
            // many share prefixes.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let len = 1 + (state % 5) as usize;
            let key: Vec<u8> = (0..len)
                .map(|i| [0x00, 0x01, 0x7f, 0x80, 0xff][(state >> (3 * i + 3)) as usize % 5])
                .collect();
            if expected.contains_key(&key) || batch.get(Table::Index, &key).is_some() {
                continue;
            }
            let value = vec![round as u8; (state % 7) as usize];
            batch.put(Table::Index, key.clone(), value.clone());
            expected.insert(key, value);
        }
        store.commit(batch).unwrap();
    }
    assert!(expected.len() > 600, "{}", expected.len());
    let scanned: Vec<Entry> = store.scan(Table::Index).collect::<Result<_, _>>().unwrap();
    let wanted: Vec<Entry> = expected.clone().into_iter().collect();
    assert_eq!(scanned, wanted);
    for prefix in [
        &b"\x00"[..],
        b"\x7f\x80",
        b"\xff",
        b"\xff\xff\xff",
        b"\x01\x00\x00",
    ] {
        let scanned: Vec<Entry> = store
            .scan_prefix(Table::Index, prefix)
            .collect::<Result<_, _>>()
            .unwrap();
        let wanted: Vec<Entry> = expected
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(scanned, wanted, "prefix {prefix:?}");
        let last = store.last_with_prefix(Table::Index, prefix).unwrap();
        assert_eq!(last, wanted.last().cloned(), "prefix {prefix:?}");
    }
}

/// The cursor gives what a scan per prefix gives, whether the next prefix is adjacent, a few
/// keys on, far on, empty, or past the end; over thousands of rows, so that an engine's pages
/// end inside a prefix's rows and between them.
fn a_prefix_cursor_reads_what_scans_read<M: MetaStore>(store: &M) {
    let mut batch = MetaBatch::new();
    for document in 0u16..1500 {
        for version in 0..document % 4 {
            let mut key = document.to_be_bytes().to_vec();
            key.push(version as u8);
            batch.put(Table::Versions, key, vec![version as u8; 3]);
        }
    }
    store.commit(batch).unwrap();
    for stride in [1u16, 2, 5, 40, 333] {
        let mut cursor = store.prefix_cursor(Table::Versions);
        for document in (3u16..1600).step_by(stride.into()) {
            let prefix = document.to_be_bytes();
            let scanned: Vec<Entry> = store
                .scan_prefix(Table::Versions, &prefix)
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(
                cursor.entries(&prefix).unwrap(),
                scanned,
                "stride {stride}, document {document}"
            );
        }
    }
    let mut empty = store.prefix_cursor(Table::Events);
    assert!(empty.entries(b"\x00\x01").unwrap().is_empty());
}

/// The writer's section can be entered again once left; records written inside it are there
/// for the next one.
fn the_writer_section_is_entered_and_left<M: MetaStore>(store: &M) {
    for n in 0u8..3 {
        let section = store.writer_section().unwrap();
        let next = store
            .last_with_prefix(Table::Numbers, b"c")
            .unwrap()
            .map_or(0, |(key, _)| key[1] + 1);
        assert_eq!(next, n);
        put(store, Table::Numbers, &[(&[b'c', next], b"")]).unwrap();
        drop(section);
    }
}

/// Values of a few bytes to a few MiB (a large content's manifest) round-trip exactly.
fn values_round_trip_whole<M: MetaStore>(store: &M) {
    let big: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 251) as u8).collect();
    put(store, Table::Manifests, &[(b"big", &big), (b"empty", b"")]).unwrap();
    assert_eq!(store.get(Table::Manifests, b"big").unwrap().unwrap(), big);
    assert_eq!(store.get(Table::Manifests, b"empty").unwrap().unwrap(), b"");
    assert_eq!(store.get(Table::Manifests, b"none").unwrap(), None);
}

/// One `#[test]` per engine for each generic body above.
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
        mod postgres {
            $(
                #[test]
                fn $body() {
                    let store = crate::storage::postgres::testing::cluster().fresh();
                    super::$body(&store);
                }
            )+
        }
    };
}

contract!(
    records_are_write_once_and_a_refused_batch_writes_nothing,
    a_disposal_deletes_the_manifest_and_nothing_else,
    prefix_scans_and_last_key,
    scans_read_everything_in_bytewise_order,
    a_prefix_cursor_reads_what_scans_read,
    the_writer_section_is_entered_and_left,
    values_round_trip_whole,
);
