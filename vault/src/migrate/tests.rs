//! Copies between two real RocksDB stores: the copy is proved whole, a copy run again skips
//! what it finds, another vault's records are refused, and every difference is found.

use super::*;
use crate::keys::Role;
use crate::keys::tests::{at, create, operator, registry};
use crate::registry::Registry;
use crate::storage::rocks::RocksBackend;

/// A vault with contents of several chunks, API keys and a calendar change: records in most
/// tables and an audit log of several entries.
fn source() -> (tempfile::TempDir, Registry) {
    let (dir, registry) = registry();
    // Incompressible, and of three chunks (4 MiB each by default).
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let large: Vec<u8> = (0..9 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    for content in [&large[..], b"a small document", b""] {
        registry.content().put(content).unwrap();
    }
    for (second, role) in [(0, Role::Writer), (1, Role::Auditor), (2, Role::Reader)] {
        create(&registry, role, None, None, false, at(second)).unwrap();
    }
    let year = "[years.2027]\nholidays = [\"2027-06-16\"]\n";
    registry
        .set_calendar_year(2027, year, &operator(), at(3))
        .unwrap();
    (dir, registry)
}

fn empty() -> (tempfile::TempDir, RocksBackend) {
    let dir = tempfile::tempdir().unwrap();
    let backend = RocksBackend::open(dir.path()).unwrap();
    (dir, backend)
}

#[test]
fn a_copy_is_proved_whole_and_reads_as_the_source() {
    let (_dir, source) = source();
    let from = source.content().backend();
    let (_copy_dir, to) = empty();
    let mut seen = Vec::new();
    let report = copy(from, &to, |progress| seen.push(progress)).unwrap();
    assert!(report.chunks > 3, "{report:?}");
    assert_eq!((report.chunks_present, report.records_present), (0, 0));
    assert!(seen.contains(&Progress::Chunks(report.chunks)));
    let comparison = compare(from, &to).unwrap();
    assert_eq!(comparison.records, report.records);
    assert_eq!(comparison.log_size, 4, "three keys and a calendar year");
    assert_eq!(
        comparison.root,
        source.log().unwrap().root(4).unwrap().0,
        "the source's root"
    );
    assert!(comparison.chunk_references >= report.chunks);
    // The copy is a vault: its contents read back and its records verify.
    let copied = crate::ContentStore::with_backend(to, crate::ContentConfig::default()).unwrap();
    for entry in from.scan(Table::Manifests) {
        let (key, _) = entry.unwrap();
        if let Some(address) = ContentAddress::from_slice(&key) {
            let read = |store: &crate::ContentStore<RocksBackend>| {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut store.read(&address).unwrap(), &mut bytes).unwrap();
                bytes
            };
            assert!(read(source.content()) == read(&copied), "content {address}");
        }
    }
    let records = crate::registry::verify_records(copied.backend()).unwrap();
    assert!(records.problems.is_empty(), "{:?}", records.problems);
}

#[test]
fn a_copy_run_again_or_after_an_interruption_skips_what_is_there() {
    let (_dir, source) = source();
    let from = source.content().backend();
    let (_copy_dir, to) = empty();
    let first = copy(from, &to, |_| {}).unwrap();
    let again = copy(from, &to, |_| {}).unwrap();
    assert_eq!(
        again,
        CopyReport {
            chunks: 0,
            chunks_present: first.chunks,
            records: 0,
            records_present: first.records,
        }
    );
    // Interrupted after some chunks and the first records of a table.
    let (_partial_dir, partial) = empty();
    let some_chunk = from.chunk_ids().next().unwrap().unwrap();
    partial
        .put_chunk(&some_chunk, &from.get_chunk(&some_chunk).unwrap().unwrap())
        .unwrap();
    let (key, value) = from.scan(Table::ApiKeys).next().unwrap().unwrap();
    let mut batch = MetaBatch::new();
    batch.put(Table::ApiKeys, key, value);
    partial.commit(batch).unwrap();
    let resumed = copy(from, &partial, |_| {}).unwrap();
    assert_eq!((resumed.chunks_present, resumed.records_present), (1, 1));
    assert_eq!(resumed.records + 1, first.records);
    compare(from, &partial).unwrap();
}

#[test]
fn another_vault_is_refused_and_left_as_it_was() {
    let (_dir, source) = source();
    let (_other_dir, other) = registry();
    create(&other, Role::Admin, None, None, false, at(9)).unwrap();
    let to = other.content().backend();
    let before: Vec<Entry> = to.scan(Table::AuditLeaves).map(Result::unwrap).collect();
    let refused = copy(source.content().backend(), to, |_| {}).unwrap_err();
    assert!(
        matches!(&refused, MigrateError::Conflict { table, .. } if *table == "audit_leaves"),
        "{refused}"
    );
    let after: Vec<Entry> = to.scan(Table::AuditLeaves).map(Result::unwrap).collect();
    assert_eq!(before, after);
}

#[test]
fn compare_finds_a_record_too_many_a_record_changed_and_a_chunk_missing() {
    let (_dir, source) = source();
    let from = source.content().backend();
    let expect_mismatch = |to: &RocksBackend, words: &str| match compare(from, to) {
        Err(MigrateError::Mismatch(text)) => assert!(text.contains(words), "{text}"),
        other => panic!("expected a mismatch naming {words:?}, got {other:?}"),
    };
    // A record the source does not have.
    let (_a, extra) = empty();
    copy(from, &extra, |_| {}).unwrap();
    let mut batch = MetaBatch::new();
    batch.put(Table::Index, b"slipped in".to_vec(), Vec::new());
    extra.commit(batch).unwrap();
    expect_mismatch(&extra, "index table has more than the source");
    // A record with another value: a store whose calendar record was written differently.
    let (_b, changed) = empty();
    let (key, value) = from.scan(Table::Calendars).next().unwrap().unwrap();
    let mut batch = MetaBatch::new();
    batch.put(Table::Calendars, key, [&value[..], b" "].concat());
    changed.commit(batch).unwrap();
    assert!(matches!(
        copy(from, &changed, |_| {}),
        Err(MigrateError::Conflict {
            table: "calendars",
            ..
        })
    ));
    // A chunk missing from the copy.
    let (_c, missing) = empty();
    copy(from, &missing, |_| {}).unwrap();
    let chunk = missing.chunk_ids().next().unwrap().unwrap();
    missing.remove_chunks(&[chunk]).unwrap();
    expect_mismatch(&missing, &format!("chunk {chunk}"));
    // An empty copy lacks everything.
    let (_d, nothing) = empty();
    expect_mismatch(&nothing, "table lacks key");
}

#[test]
fn a_damaged_chunk_of_the_source_is_not_copied() {
    let (_dir, from) = empty();
    let id = ChunkId([7; 32]);
    from.put_chunk(&id, b"not the chunk its id names").unwrap();
    let (_copy_dir, to) = empty();
    match copy(&from, &to, |_| {}) {
        Err(MigrateError::DamagedChunk { id: named, .. }) => assert_eq!(named, id),
        other => panic!("expected a damaged chunk, got {other:?}"),
    }
    assert!(!to.contains_chunk(&id).unwrap());
}
