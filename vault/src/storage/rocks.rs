//! The RocksDB engine behind [`ChunkStore`] and [`MetaStore`].
//!
//! Chunks live in their own column family with RocksDB's integrated BlobDB, so
//! multi-megabyte values sit in blob files and are not rewritten by every
//! compaction. All column families share one write-ahead log: it is a single
//! ordered log, so a synced write also makes durable every write before it,
//! and recovery replays a prefix of it.

use std::path::Path;

use rocksdb::{
    BlockBasedOptions, ColumnFamily, ColumnFamilyDescriptor, DB, DBCompressionType, ErrorKind,
    IteratorMode, Options, WriteBatch, WriteOptions,
};

use super::{ChunkStore, Entry, MetaBatch, MetaStore, StorageError, Table};
use crate::address::ChunkId;

const CF_CHUNKS: &str = "chunks";
/// Chunk ids with empty values, written in the same batch as each chunk, so
/// that existence checks and listings never read a blob.
const CF_CHUNK_INDEX: &str = "chunk_index";
const CF_MANIFESTS: &str = "manifests";

/// Values at least this large go to blob files; smaller chunks stay in the SSTs.
const MIN_BLOB_SIZE: u64 = 4 << 10;

/// A vault's RocksDB database.
pub struct RocksBackend {
    db: DB,
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
        let mut db_opts = Options::default();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        db_opts.set_keep_log_file_num(4);
        db_opts.set_max_background_jobs(2);

        let mut chunks = Options::default();
        chunks.set_compression_type(DBCompressionType::None);
        chunks.set_enable_blob_files(true);
        chunks.set_min_blob_size(MIN_BLOB_SIZE);
        chunks.set_blob_file_size(256 << 20);
        // Chunks are compressed (or found incompressible) before they get here.
        chunks.set_blob_compression_type(DBCompressionType::None);
        chunks.set_enable_blob_gc(true);
        chunks.set_write_buffer_size(64 << 20);

        // Small values looked up by key: bloom filters make misses cheap.
        let small = || {
            let mut opts = Options::default();
            opts.set_compression_type(DBCompressionType::None);
            let mut table = BlockBasedOptions::default();
            table.set_bloom_filter(10.0, false);
            opts.set_block_based_table_factory(&table);
            opts
        };

        let cfs = [
            ColumnFamilyDescriptor::new(CF_CHUNKS, chunks),
            ColumnFamilyDescriptor::new(CF_CHUNK_INDEX, small()),
            ColumnFamilyDescriptor::new(CF_MANIFESTS, small()),
        ];
        let db = DB::open_cf_descriptors(&db_opts, path, cfs)?;
        Ok(Self { db })
    }

    fn cf(&self, name: &str) -> Result<&ColumnFamily, StorageError> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| StorageError::Engine(format!("column family {name} is missing")))
    }

    fn table(&self, table: Table) -> Result<&ColumnFamily, StorageError> {
        self.cf(match table {
            Table::Manifests => CF_MANIFESTS,
        })
    }

    fn synced() -> WriteOptions {
        let mut opts = WriteOptions::default();
        opts.set_sync(true);
        opts
    }

    /// Writes every memtable out to SST and blob files (for backups and
    /// disk-level tests; durability does not need it, the log has the data).
    pub fn flush(&self) -> Result<(), StorageError> {
        for name in [CF_CHUNKS, CF_CHUNK_INDEX, CF_MANIFESTS] {
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

    fn sync(&self) -> Result<(), StorageError> {
        Ok(self.db.flush_wal(true)?)
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

    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<(), StorageError> {
        let (chunks, index) = (self.cf(CF_CHUNKS)?, self.cf(CF_CHUNK_INDEX)?);
        let mut batch = WriteBatch::default();
        for id in ids {
            batch.delete_cf(chunks, id.as_bytes());
            batch.delete_cf(index, id.as_bytes());
        }
        Ok(self.db.write_opt(batch, &Self::synced())?)
    }
}

impl MetaStore for RocksBackend {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.db.get_cf(self.table(table)?, key)?)
    }

    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError> {
        let mut write = WriteBatch::default();
        for (table, key, value) in &batch.puts {
            write.put_cf(self.table(*table)?, key, value);
        }
        Ok(self.db.write_opt(write, &Self::synced())?)
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
}
