//! The RocksDB engine behind [`ChunkStore`] and [`MetaStore`].
//!
//! Chunks live in their own column family with RocksDB's integrated BlobDB, so
//! multi-megabyte values sit in blob files and are not rewritten by every
//! compaction. All column families share one write-ahead log: it is a single
//! ordered log, so a synced write also makes durable every write before it,
//! and recovery replays a prefix of it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, DB, DBCompressionType,
    DBRawIteratorWithThreadMode, Direction, ErrorKind, IteratorMode, Options, ReadOptions,
    WriteBatch, WriteOptions,
};

use super::{
    ChunkStore, Entry, MetaBatch, MetaStore, PrefixCursor, StorageError, Table, successor,
};
use crate::address::ChunkId;

const CF_CHUNKS: &str = "chunks";
/// Chunk ids with empty values, written in the same batch as each chunk, so
/// that existence checks and listings never read a blob.
const CF_CHUNK_INDEX: &str = "chunk_index";

/// Values at least this large go to blob files; smaller chunks stay in the SSTs.
const MIN_BLOB_SIZE: u64 = 4 << 10;
/// The block cache every column family shares.
const BLOCK_CACHE_BYTES: usize = 32 << 20;
/// The memtables of every column family together (RocksDB's write buffer manager flushes the
/// largest when they pass it). Without it each of the seventeen families may hold two full
/// 64 MiB memtables: a long run's resident set grows towards 2 GiB before any is flushed.
const WRITE_BUFFERS_BYTES: usize = 128 << 20;
/// One memtable of a family of small records (a registration writes a few hundred bytes to
/// each): flushed sooner, each holds little.
const SMALL_WRITE_BUFFER_BYTES: usize = 16 << 20;

/// A vault's RocksDB database.
pub struct RocksBackend {
    db: DB,
    /// Serialises [`MetaStore::commit`]: its existence check and its write are one step.
    commits: Mutex<()>,
    /// When writes become durable.
    durability: Durability,
    /// The block cache every column family shares, kept to read its usage.
    cache: Cache,
}

/// What the database holds in memory now, by RocksDB's own accounting, in bytes: the parts
/// that bound the process's resident set (`docs/reliability.md`, "Memory").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RocksMemory {
    /// The memtables of every column family, active and immutable
    /// (`rocksdb.cur-size-all-mem-tables`); the write buffer manager bounds them.
    pub memtables: u64,
    /// The table readers' memory outside the block cache
    /// (`rocksdb.estimate-table-readers-mem`): it grows with the number of table files.
    pub table_readers: u64,
    /// The shared block cache's usage (`rocksdb.block-cache-usage`), at most its capacity
    /// unless pinned entries exceed it.
    pub block_cache: u64,
    /// The part of `block_cache` pinned by readers and by level-0 tables
    /// (`rocksdb.block-cache-pinned-usage`).
    pub block_cache_pinned: u64,
    /// The live SST files of every column family.
    pub table_files: u64,
    /// The live blob files (`rocksdb.num-blob-files`).
    pub blob_files: u64,
    /// The write buffer manager's bound on `memtables`: the memtables are flushed by size
    /// once they reach it.
    pub memtables_limit: u64,
    /// The block cache's capacity.
    pub block_cache_capacity: u64,
}

/// When a write is durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// Before it is acknowledged: every commit and sync reaches the disk. The vault's mode.
    EachWrite,
    /// Only at [`RocksBackend::persist`]: a crash before it may lose any write since the last
    /// one. For loads that can be run again from their source (a benchmark's generated vault,
    /// an import whose source is kept), never for acknowledged submissions.
    Deferred,
}

impl From<rocksdb::Error> for StorageError {
    fn from(e: rocksdb::Error) -> Self {
        match e.kind() {
            ErrorKind::Corruption => StorageError::Corruption(e.into_string()),
            _ => StorageError::Engine(e.into_string()),
        }
    }
}

impl RocksBackend {
    /// Opens the database at `path`, creating it if needed.
    ///
    /// RocksDB locks the directory: a second process opening it gets an error.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        Self::open_with(path, Durability::EachWrite)
    }

    /// Opens (or creates) the database at `path`, its writes durable as `durability` says.
    pub fn open_with(path: &Path, durability: Durability) -> Result<Self, StorageError> {
        let mut db_opts = Options::default();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_keep_log_file_num(4);
        db_opts.set_max_background_jobs(2);
        db_opts.set_db_write_buffer_size(WRITE_BUFFERS_BYTES);

        let mut chunks = Options::default();
        chunks.set_compression_type(DBCompressionType::None);
        chunks.set_enable_blob_files(true);
        chunks.set_min_blob_size(MIN_BLOB_SIZE);
        chunks.set_blob_file_size(256 << 20);
        // Chunks are compressed (or found incompressible) before they get here.
        chunks.set_blob_compression_type(DBCompressionType::None);
        chunks.set_enable_blob_gc(true);
        chunks.set_write_buffer_size(64 << 20);

        // One block cache for every column family, holding the SSTs' index and filter blocks
        // too: the memory a scan of a large vault takes stays within it, instead of growing
        // with every table file it opens (each family's own 8 MiB cache, and the index and
        // filter blocks of every table outside any cache, by default).
        let cache = Cache::new_lru_cache(BLOCK_CACHE_BYTES);
        let table = |bloom: bool| {
            let mut table = BlockBasedOptions::default();
            table.set_block_cache(&cache);
            table.set_cache_index_and_filter_blocks(true);
            table.set_pin_l0_filter_and_index_blocks_in_cache(true);
            if bloom {
                table.set_bloom_filter(10.0, false);
            }
            table
        };
        chunks.set_block_based_table_factory(&table(false));

        // Small values looked up by key: bloom filters make misses cheap.
        let small = || {
            let mut opts = Options::default();
            opts.set_compression_type(DBCompressionType::None);
            opts.set_block_based_table_factory(&table(true));
            opts.set_write_buffer_size(SMALL_WRITE_BUFFER_BYTES);
            opts
        };

        // The default family holds nothing, but is opened with options of its own (RocksDB's
        // defaults unless given): under the shared cache too, not with a cache of its own.
        let cfs = [
            ColumnFamilyDescriptor::new(rocksdb::DEFAULT_COLUMN_FAMILY_NAME, small()),
            ColumnFamilyDescriptor::new(CF_CHUNKS, chunks),
            ColumnFamilyDescriptor::new(CF_CHUNK_INDEX, small()),
        ]
        .into_iter()
        .chain(
            Table::ALL
                .iter()
                .map(|table| ColumnFamilyDescriptor::new(table.name(), small())),
        );
        let db = DB::open_cf_descriptors(&db_opts, path, cfs)?;
        Ok(Self {
            db,
            commits: Mutex::new(()),
            durability,
            cache,
        })
    }

    /// The column families' names: the chunks', their index's, then one per [`Table`].
    fn families() -> impl Iterator<Item = &'static str> {
        [CF_CHUNKS, CF_CHUNK_INDEX]
            .into_iter()
            .chain(Table::ALL.iter().map(|table| table.name()))
    }

    /// What the database holds in memory now (RocksDB's properties, summed over the column
    /// families): read by the server's memory report and by the soak test.
    pub fn memory(&self) -> Result<RocksMemory, StorageError> {
        let mut memory = RocksMemory {
            block_cache: self.cache.get_usage() as u64,
            block_cache_pinned: self.cache.get_pinned_usage() as u64,
            table_files: self.db.live_files()?.len() as u64,
            memtables_limit: WRITE_BUFFERS_BYTES as u64,
            block_cache_capacity: BLOCK_CACHE_BYTES as u64,
            ..RocksMemory::default()
        };
        for name in Self::families() {
            let cf = self.cf(name)?;
            let property = |property: &str| -> Result<u64, StorageError> {
                Ok(self.db.property_int_value_cf(cf, property)?.unwrap_or(0))
            };
            memory.memtables += property("rocksdb.cur-size-all-mem-tables")?;
            memory.table_readers += property("rocksdb.estimate-table-readers-mem")?;
            memory.blob_files += property("rocksdb.num-blob-files")?;
        }
        Ok(memory)
    }

    /// Makes every write so far durable (the end of a [`Durability::Deferred`] load).
    pub fn persist(&self) -> Result<(), StorageError> {
        Ok(self.db.flush_wal(true)?)
    }

    fn cf(&self, name: &str) -> Result<&ColumnFamily, StorageError> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| StorageError::Engine(format!("column family {name} is missing")))
    }

    fn table(&self, table: Table) -> Result<&ColumnFamily, StorageError> {
        self.cf(table.name())
    }

    /// The options of a write that must be durable when it returns.
    fn synced(&self) -> WriteOptions {
        let mut opts = WriteOptions::default();
        opts.set_sync(self.durability == Durability::EachWrite);
        opts
    }

    /// Writes every memtable out to SST and blob files (for backups and
    /// disk-level tests; durability does not need it, the log has the data).
    pub fn flush(&self) -> Result<(), StorageError> {
        for name in Self::families() {
            self.db.flush_cf(self.cf(name)?)?;
        }
        Ok(())
    }

    /// The database itself, for tests that damage it on purpose.
    #[cfg(test)]
    pub(crate) fn raw(&self) -> &DB {
        &self.db
    }
}

impl ChunkStore for RocksBackend {
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.db.get_cf(self.cf(CF_CHUNKS)?, id.as_bytes())?)
    }

    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError> {
        Ok(self
            .db
            .get_pinned_cf(self.cf(CF_CHUNK_INDEX)?, id.as_bytes())?
            .is_some())
    }

    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        let mut batch = WriteBatch::default();
        batch.put_cf(self.cf(CF_CHUNKS)?, id.as_bytes(), value);
        batch.put_cf(self.cf(CF_CHUNK_INDEX)?, id.as_bytes(), []);
        // Unsynced: `sync` (or any later synced write) makes it durable.
        Ok(self.db.write(batch)?)
    }

    /// One process writes the database: any stored chunk may be relied on.
    fn ensure_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        if !self.contains_chunk(id)? {
            self.put_chunk(id, value)?;
        }
        Ok(())
    }

    fn sync(&self) -> Result<(), StorageError> {
        match self.durability {
            Durability::EachWrite => self.persist(),
            Durability::Deferred => Ok(()),
        }
    }

    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_> {
        let cf = match self.cf(CF_CHUNK_INDEX) {
            Ok(cf) => cf,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        Box::new(self.db.iterator_cf(cf, IteratorMode::Start).map(|entry| {
            let (key, _) = entry?;
            ChunkId::from_slice(&key).ok_or_else(|| {
                StorageError::Corruption(format!("chunk key of {} bytes, expected 32", key.len()))
            })
        }))
    }

    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<u64, StorageError> {
        let (chunks, index) = (self.cf(CF_CHUNKS)?, self.cf(CF_CHUNK_INDEX)?);
        let mut batch = WriteBatch::default();
        for id in ids {
            batch.delete_cf(chunks, id.as_bytes());
            batch.delete_cf(index, id.as_bytes());
        }
        self.db.write_opt(batch, &self.synced())?;
        Ok(ids.len() as u64)
    }
}

impl MetaStore for RocksBackend {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.db.get_cf(self.table(table)?, key)?)
    }

    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError> {
        let _serialised = self
            .commits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut write = WriteBatch::default();
        let mut seen = HashSet::new();
        for (table, key, value) in &batch.puts {
            let cf = self.table(*table)?;
            let exists = || StorageError::Exists {
                table: *table,
                key: key.clone(),
            };
            if !seen.insert((*table, key.as_slice())) || self.db.get_pinned_cf(cf, key)?.is_some() {
                return Err(exists());
            }
            write.put_cf(cf, key, value);
        }
        let manifests = self.table(Table::Manifests)?;
        for address in &batch.disposed {
            write.delete_cf(manifests, address);
        }
        Ok(self.db.write_opt(write, &self.synced())?)
    }

    fn scan(&self, table: Table) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        let cf = match self.table(table) {
            Ok(cf) => cf,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        Box::new(self.db.iterator_cf(cf, IteratorMode::Start).map(|entry| {
            let (key, value) = entry?;
            Ok((key.into_vec(), value.into_vec()))
        }))
    }

    fn scan_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        let cf = match self.table(table) {
            Ok(cf) => cf,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        let prefix = prefix.to_vec();
        let mode = IteratorMode::From(&prefix, Direction::Forward);
        let entries = self.db.iterator_cf(cf, mode).map(|entry| {
            let (key, value) = entry?;
            Ok((key.into_vec(), value.into_vec()))
        });
        Box::new(entries.take_while(move |entry| {
            entry
                .as_ref()
                .map_or(true, |(key, _)| key.starts_with(&prefix))
        }))
    }

    fn prefix_cursor(&self, table: Table) -> Box<dyn PrefixCursor + '_> {
        Box::new(RocksCursor {
            backend: self,
            table,
            iter: None,
        })
    }

    fn last_with_prefix(&self, table: Table, prefix: &[u8]) -> Result<Option<Entry>, StorageError> {
        let cf = self.table(table)?;
        let mut iter = self.db.raw_iterator_cf(cf);
        match successor(prefix) {
            Some(end) => iter.seek_for_prev(&end),
            None => iter.seek_to_last(),
        }
        // seek_for_prev lands on the last key ≤ end; `end` itself does not have the prefix.
        while iter.valid() {
            match (iter.key(), iter.value()) {
                (Some(key), Some(value)) if key.starts_with(prefix) => {
                    return Ok(Some((key.to_vec(), value.to_vec())));
                }
                (Some(key), _) if key < prefix => break,
                _ => iter.prev(),
            }
        }
        iter.status()?;
        Ok(None)
    }
}

/// [`MetaStore::prefix_cursor`] on RocksDB: one raw iterator that only moves forward. Opening
/// an iterator, and seeking from the top, costs each level's index and data blocks; moving on
/// to the next prefix is mostly a step to the next key.
struct RocksCursor<'a> {
    backend: &'a RocksBackend,
    table: Table,
    /// Opened at the first prefix.
    iter: Option<DBRawIteratorWithThreadMode<'a, DB>>,
}

/// How many steps forward to try before a seek: consecutive prefixes are usually adjacent.
const STEPS_BEFORE_SEEK: usize = 8;

impl PrefixCursor for RocksCursor<'_> {
    fn entries(&mut self, prefix: &[u8]) -> Result<Vec<Entry>, StorageError> {
        let iter = match &mut self.iter {
            Some(iter) => iter,
            None => {
                // A bulk read passes over each block once: keeping its blocks out of the
                // block cache leaves the cache to the index and filter blocks that every
                // lookup needs.
                let mut options = ReadOptions::default();
                options.fill_cache(false);
                let cf = self.backend.table(self.table)?;
                let mut iter = self.backend.db.raw_iterator_cf_opt(cf, options);
                iter.seek(prefix);
                self.iter.insert(iter)
            }
        };
        let mut steps = 0;
        while iter.key().is_some_and(|key| key < prefix) {
            if steps == STEPS_BEFORE_SEEK {
                iter.seek(prefix);
                break;
            }
            iter.next();
            steps += 1;
        }
        let mut entries = Vec::new();
        while let (Some(key), Some(value)) = (iter.key(), iter.value()) {
            if !key.starts_with(prefix) {
                break;
            }
            entries.push((key.to_vec(), value.to_vec()));
            iter.next();
        }
        iter.status()?;
        Ok(entries)
    }
}

// Tested by the engines' contract suites (`contract/`), which run every body on RocksDB too;
// the memory bounds here.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
