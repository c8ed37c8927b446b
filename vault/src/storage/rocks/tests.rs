//! The memory bounds of the RocksDB options, read back from the database itself: the
//! `OPTIONS` file RocksDB writes at each open, and its properties. A bound lost in
//! [`RocksBackend::open_with`] fails here rather than in a 30-minute soak.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

/// The latest `OPTIONS-NNNNNN` file of the database at `dir`, as its sections: a name such as
/// `CFOptions "chunks"` or `TableOptions/BlockBasedTable "chunks"`, then its `key=value` lines.
fn options_file(dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let latest = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("OPTIONS-") && !name.ends_with(".dbtmp"))
        .max_by_key(|name| name["OPTIONS-".len()..].parse::<u64>().unwrap_or(0))
        .expect("RocksDB writes an OPTIONS file at each open");
    let text = std::fs::read_to_string(dir.join(latest)).unwrap();
    let mut sections = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.to_owned();
        } else if let Some((key, value)) = line.split_once('=') {
            sections
                .entry(current.clone())
                .or_insert_with(BTreeMap::new)
                .insert(key.to_owned(), value.to_owned());
        }
    }
    sections
}

fn families() -> Vec<&'static str> {
    std::iter::once("default")
        .chain(RocksBackend::families())
        .collect()
}

#[test]
fn every_family_keeps_its_index_and_filter_blocks_in_the_block_cache() {
    let dir = tempfile::tempdir().unwrap();
    let backend = RocksBackend::open(dir.path()).unwrap();
    let options = options_file(dir.path());
    for family in families() {
        let table = &options[&format!("TableOptions/BlockBasedTable \"{family}\"")];
        // Outside the cache, every table file's index and filter would stay in memory for as
        // long as the file is open (all of them: max_open_files is unbounded).
        assert_eq!(table["cache_index_and_filter_blocks"], "true", "{family}");
        assert_eq!(
            table["pin_l0_filter_and_index_blocks_in_cache"], "true",
            "{family}"
        );
        assert_eq!(table["no_block_cache"], "false", "{family}");
        // One cache for all, of BLOCK_CACHE_BYTES, not one per family.
        let cf = backend.raw().cf_handle(family).unwrap();
        let capacity = backend
            .raw()
            .property_int_value_cf(&cf, "rocksdb.block-cache-capacity")
            .unwrap();
        assert_eq!(capacity, Some(BLOCK_CACHE_BYTES as u64), "{family}");
    }
}

#[test]
fn the_memtables_are_bounded_together_and_each_small_family_alone() {
    let dir = tempfile::tempdir().unwrap();
    let _backend = RocksBackend::open(dir.path()).unwrap();
    let options = options_file(dir.path());
    assert_eq!(
        options["DBOptions"]["db_write_buffer_size"],
        WRITE_BUFFERS_BYTES.to_string()
    );
    for family in families() {
        let cf = &options[&format!("CFOptions \"{family}\"")];
        let expected = match family {
            CF_CHUNKS => 64 << 20,
            _ => SMALL_WRITE_BUFFER_BYTES,
        };
        assert_eq!(cf["write_buffer_size"], expected.to_string(), "{family}");
        assert_eq!(cf["max_write_buffer_number"], "2", "{family}");
    }
}

#[test]
fn memory_reports_the_memtables_and_stays_within_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let backend = RocksBackend::open_with(dir.path(), Durability::Deferred).unwrap();
    let empty = backend.memory().unwrap();
    // Records of 1 KiB in one family: 8 MiB, within one memtable of 16 MiB.
    for n in 0u32..8192 {
        let mut batch = MetaBatch::new();
        batch.put(Table::Documents, n.to_be_bytes().to_vec(), vec![7u8; 1024]);
        backend.commit(batch).unwrap();
    }
    let written = backend.memory().unwrap();
    assert!(
        written.memtables >= empty.memtables + (8 << 20),
        "{written:?} after 8 MiB written, {empty:?} before"
    );
    // Flushed to a table file, then read back: the memtables are released and the blocks
    // read stay within the cache.
    backend.flush().unwrap();
    for n in 0u32..8192 {
        assert!(
            backend
                .get(Table::Documents, &n.to_be_bytes())
                .unwrap()
                .is_some()
        );
    }
    let read = backend.memory().unwrap();
    assert!(read.table_files >= 1, "{read:?}");
    assert!(
        read.memtables < written.memtables,
        "{read:?} after {written:?}"
    );
    assert!(read.block_cache > 0, "{read:?}");
    assert!(read.block_cache <= BLOCK_CACHE_BYTES as u64, "{read:?}");
    assert_eq!(read.block_cache_capacity, BLOCK_CACHE_BYTES as u64);
    assert_eq!(read.memtables_limit, WRITE_BUFFERS_BYTES as u64);
}
