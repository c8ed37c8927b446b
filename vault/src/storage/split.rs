//! A record store and a chunk store of different engines as one backend: records in
//! PostgreSQL and chunks in RocksDB (or, later, in S3), under the content store and the
//! registry, which take one backend implementing both traits.

use super::{
    ChunkStore, Entry, MetaBatch, MetaStore, ObjectLock, PrefixCursor, StorageError, Table,
    WriterSection,
};
use crate::address::ChunkId;

/// Records from `M`, chunks from `C`: every call goes to the one that owns it.
#[derive(Debug)]
pub struct Split<M, C> {
    meta: M,
    chunks: C,
}

impl<M: MetaStore, C: ChunkStore> Split<M, C> {
    /// `meta`'s records with `chunks`' chunks.
    pub fn new(meta: M, chunks: C) -> Self {
        Self { meta, chunks }
    }

    /// The record store.
    pub fn meta(&self) -> &M {
        &self.meta
    }

    /// The chunk store.
    pub fn chunks(&self) -> &C {
        &self.chunks
    }
}

impl<M: MetaStore, C: ChunkStore> ChunkStore for Split<M, C> {
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError> {
        self.chunks.get_chunk(id)
    }

    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError> {
        self.chunks.contains_chunk(id)
    }

    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        self.chunks.put_chunk(id, value)
    }

    fn ensure_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        self.chunks.ensure_chunk(id, value)
    }

    fn sync(&self) -> Result<(), StorageError> {
        self.chunks.sync()
    }

    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_> {
        self.chunks.chunk_ids()
    }

    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<u64, StorageError> {
        self.chunks.remove_chunks(ids)
    }

    /// The chunk store's own lock: a pair locks exactly what its chunk store locks.
    fn object_lock(&self) -> Option<&dyn ObjectLock> {
        self.chunks.object_lock()
    }
}

impl<M: MetaStore, C: ChunkStore> MetaStore for Split<M, C> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.meta.get(table, key)
    }

    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError> {
        self.meta.commit(batch)
    }

    fn scan(&self, table: Table) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        self.meta.scan(table)
    }

    fn scan_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        self.meta.scan_prefix(table, prefix)
    }

    fn last_with_prefix(&self, table: Table, prefix: &[u8]) -> Result<Option<Entry>, StorageError> {
        self.meta.last_with_prefix(table, prefix)
    }

    fn prefix_cursor(&self, table: Table) -> Box<dyn PrefixCursor + '_> {
        self.meta.prefix_cursor(table)
    }

    fn writer_section(&self) -> Result<WriterSection<'_>, StorageError> {
        self.meta.writer_section()
    }
}
