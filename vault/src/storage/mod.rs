//! The narrow interface between the vault's logic and the engine that keeps
//! its bytes.
//!
//! Two roles, after TiKV's `engine_traits`: a [`ChunkStore`] for bulk bytes
//! keyed by their hash, and a [`MetaStore`] for small records changed only by
//! atomic, durable batches. The content and record logic above is written
//! against these traits alone; [`rocks::RocksBackend`] is the RocksDB engine
//! that implements both.

pub mod rocks;

use crate::address::ChunkId;

/// A failure of the storage engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The engine found stored data that fails its own checksums.
    #[error("storage corruption: {0}")]
    Corruption(String),
    /// The engine failed for another reason (I/O, space, a lock held by another process).
    #[error("storage engine error: {0}")]
    Engine(String),
}

/// The key spaces of the metadata store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Table {
    /// Content address → [`crate::content::manifest::Manifest`].
    Manifests,
}

/// Bulk bytes keyed by the SHA-256 of their uncompressed content.
pub trait ChunkStore: Send + Sync + 'static {
    /// Reads a stored chunk value.
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError>;

    /// Whether a chunk is stored, without reading its bytes where the engine allows.
    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError>;

    /// Stores a chunk value. It need not be durable before [`ChunkStore::sync`] returns.
    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError>;

    /// Makes every chunk stored so far durable.
    fn sync(&self) -> Result<(), StorageError>;

    /// The ids of all stored chunks, in id order.
    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_>;

    /// Removes chunks. Only garbage collection calls this, and only for chunks
    /// that no manifest references (the leftovers of an interrupted put).
    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<(), StorageError>;
}

/// A key and its value, as a scan yields them.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Small records in ordered tables.
pub trait MetaStore: Send + Sync + 'static {
    /// Reads one record.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;

    /// Applies every write of `batch` atomically; they are durable when this returns.
    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError>;

    /// All entries of `table`, in key order.
    fn scan(&self, table: Table) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_>;
}

/// Writes to the metadata store that take effect together or not at all.
///
/// There are only insertions: records are write-once.
#[derive(Debug, Default)]
pub struct MetaBatch {
    pub(crate) puts: Vec<(Table, Vec<u8>, Vec<u8>)>,
}

impl MetaBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record to the batch.
    pub fn put(&mut self, table: Table, key: impl Into<Vec<u8>>, value: Vec<u8>) {
        self.puts.push((table, key.into(), value));
    }
}
