//! One backend type for either engine that a deployment chooses in its configuration: the
//! embedded RocksDB vault, or the records in PostgreSQL with the content in an S3 bucket with
//! Object Lock (`docs/storage.md`, "Running on PostgreSQL and S3").
//!
//! The server holds one `Registry<Engine>` whatever the configuration says, rather than being
//! generic over its backend: every call goes through one `match` to the engine chosen at
//! start, which costs nothing next to a RocksDB read, let alone a network round trip.

use super::postgres::{PostgresMeta, PostgresOptions};
use super::rocks::RocksBackend;
use super::s3::{S3Chunks, S3Config};
use super::split::Split;
use super::{
    ChunkStore, Entry, MetaBatch, MetaStore, ObjectLock, PrefixCursor, StorageError, Table,
    WriterSection,
};
use crate::address::ChunkId;

/// Records in PostgreSQL, chunks in S3: the engines several nodes share.
pub type Distributed = Split<PostgresMeta, S3Chunks>;

/// The engine a vault runs on.
#[non_exhaustive]
pub enum Engine {
    /// The embedded vault: records and chunks in one RocksDB database, which one process
    /// alone opens.
    Rocks(RocksBackend),
    /// Records in PostgreSQL, chunks in an S3 bucket with Object Lock, shared by every node.
    Distributed(Distributed),
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Engine").field(&self.name()).finish()
    }
}

impl Engine {
    /// Connects to the records at `postgres` (the vault's role) and opens the bucket of `s3`,
    /// after checking that it has Object Lock and versioning: nothing is opened on a bucket
    /// whose storage would not enforce retention.
    pub fn distributed(
        postgres: &str,
        options: &PostgresOptions,
        s3: &S3Config,
    ) -> Result<Self, StorageError> {
        let meta = PostgresMeta::connect(postgres, options)?;
        let chunks = S3Chunks::open(s3)?;
        Ok(Self::Distributed(Split::new(meta, chunks)))
    }

    /// The engine's name as the configuration spells it (`rocksdb`, `postgres-s3`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Rocks(_) => "rocksdb",
            Self::Distributed(_) => "postgres-s3",
        }
    }

    /// Whether other processes may write to the same store at once (the distributed
    /// engines), so that what a node keeps in memory must be read again
    /// (`Registry::with_shared_store`).
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Distributed(_))
    }

    /// The RocksDB backend, when this is the embedded vault.
    pub fn as_rocks(&self) -> Option<&RocksBackend> {
        match self {
            Self::Rocks(rocks) => Some(rocks),
            Self::Distributed(_) => None,
        }
    }
}

impl From<RocksBackend> for Engine {
    fn from(rocks: RocksBackend) -> Self {
        Self::Rocks(rocks)
    }
}

impl From<Distributed> for Engine {
    fn from(split: Distributed) -> Self {
        Self::Distributed(split)
    }
}

/// Calls `$method` on whichever engine this is; for the distributed one, on its record store
/// (`meta`) or its chunk store (`chunks`).
macro_rules! delegate {
    ($self:ident, $side:ident, $method:ident ( $($arg:expr),* )) => {
        match $self {
            Engine::Rocks(rocks) => rocks.$method($($arg),*),
            Engine::Distributed(split) => split.$side().$method($($arg),*),
        }
    };
}

impl ChunkStore for Engine {
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError> {
        delegate!(self, chunks, get_chunk(id))
    }

    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError> {
        delegate!(self, chunks, contains_chunk(id))
    }

    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        delegate!(self, chunks, put_chunk(id, value))
    }

    fn ensure_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        delegate!(self, chunks, ensure_chunk(id, value))
    }

    fn sync(&self) -> Result<(), StorageError> {
        delegate!(self, chunks, sync())
    }

    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_> {
        delegate!(self, chunks, chunk_ids())
    }

    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<u64, StorageError> {
        delegate!(self, chunks, remove_chunks(ids))
    }

    /// S3's Object Lock for the distributed engine, none for RocksDB: taken from the chunk
    /// store itself, so that the lock is never lost on the way.
    fn object_lock(&self) -> Option<&dyn ObjectLock> {
        delegate!(self, chunks, object_lock())
    }
}

impl MetaStore for Engine {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        delegate!(self, meta, get(table, key))
    }

    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError> {
        delegate!(self, meta, commit(batch))
    }

    fn scan(&self, table: Table) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        delegate!(self, meta, scan(table))
    }

    fn scan_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_> {
        delegate!(self, meta, scan_prefix(table, prefix))
    }

    fn last_with_prefix(&self, table: Table, prefix: &[u8]) -> Result<Option<Entry>, StorageError> {
        delegate!(self, meta, last_with_prefix(table, prefix))
    }

    fn prefix_cursor(&self, table: Table) -> Box<dyn PrefixCursor + '_> {
        delegate!(self, meta, prefix_cursor(table))
    }

    /// PostgreSQL's advisory lock for the distributed engine (exclusive across nodes), the
    /// in-process section for RocksDB.
    fn writer_section(&self) -> Result<WriterSection<'_>, StorageError> {
        delegate!(self, meta, writer_section())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
