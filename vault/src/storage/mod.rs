//! The narrow interface between the vault's logic and the engine that keeps
//! its bytes.
//!
//! Two roles, after TiKV's `engine_traits`: a [`ChunkStore`] for bulk bytes
//! keyed by their hash, and a [`MetaStore`] for small records changed only by
//! atomic, durable batches. The content and record logic above is written
//! against these traits alone; [`rocks::RocksBackend`] is the RocksDB engine
//! that implements both, [`postgres::PostgresMeta`] keeps the records in PostgreSQL,
//! [`s3::S3Chunks`] keeps chunks in an S3 bucket with Object Lock, where the storage itself
//! also enforces retention ([`ObjectLock`], `docs/storage.md`), and [`split::Split`] pairs any
//! record store with any chunk store.

pub mod bridge;
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod contract;
pub mod engine;
pub mod postgres;
pub mod rocks;
pub mod s3;
pub mod split;

use jiff::Timestamp;

use crate::address::{ChunkId, ContentAddress};

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
    /// A batch would have overwritten a record: records are write-once, nothing was written.
    #[error("record already exists in {table:?}")]
    Exists {
        /// The table of the existing record.
        table: Table,
        /// Its key.
        key: Vec<u8>,
    },
    /// The engine refused to delete or change data under retention or a legal hold (S3
    /// Object Lock): the storage, not the vault's code, protects it.
    #[error("storage refused, locked: {0}")]
    Locked(String),
}

impl StorageError {
    /// Whether the engine failed for want of space (its file system is full).
    pub fn is_out_of_space(&self) -> bool {
        matches!(self, Self::Engine(text) if out_of_space(text))
    }
}

/// Whether the text of an error says that the file system is full: ENOSPC or EDQUOT as the C
/// library words them. RocksDB reports its I/O errors as text only (its Rust error carries no
/// errno and no kind for a full disk), and the upload store's I/O errors reach the front ends
/// as text: the words are what every path shares. The front ends answer it apart (HTTP 507,
/// an error naming the full disk), since freeing space, not a fix, makes a retry succeed.
pub fn out_of_space(text: &str) -> bool {
    text.contains("No space left on device") || text.contains("Disk quota exceeded")
}

/// The key spaces of the metadata store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Table {
    /// Content address → [`crate::content::manifest::Manifest`].
    Manifests,
    /// Document id → the document's fixed facts (record layer).
    Documents,
    /// (document id, version) → a registered version.
    Versions,
    /// (document id, event number) → a hold, release, retention extension or annulment.
    Events,
    /// Secondary indexes: (index name, value, document id) → nothing.
    Index,
    /// (counter key, sequence number) → the version that took the number.
    Numbers,
    /// Audit log: leaf index → entry bytes.
    AuditLeaves,
    /// Audit log: (level, index) → hash of a complete subtree.
    AuditNodes,
    /// (document id, version) → what was disposed of, when, why, by whom.
    Tombstones,
    /// Construction object number → its facility's end-of-service event.
    Facilities,
    /// API key id → [`crate::keys::KeyRecord`] (the role and the secret's SHA-256, never the
    /// secret).
    ApiKeys,
    /// API key id → its revocation ([`crate::keys::Revocation`]): a record of its own, the
    /// key's record being write-once.
    KeyRevocations,
    /// Document id → the signed act that disposed of it ([`crate::records::DisposalAct`]).
    DisposalActs,
    /// (year, revision) → a year of the working-day calendar as an administrator set it
    /// ([`crate::records::CalendarYear`]); the highest revision of a year is in force.
    Calendars,
    /// Collection number (big-endian) → the unreferenced contents a collection removed, when
    /// each was last put, by whom and after which grace period
    /// ([`crate::registry::CollectionRecord`]).
    Collections,
    /// Sequence number (big-endian, from 1) → a CRL or OCSP response an operator imported
    /// ([`crate::registry::RevocationImport`]): its kind, content address, when and by whom,
    /// so that every node sharing the store puts it in force.
    RevocationImports,
}

impl Table {
    /// Every table, for engines that create one key space per table.
    pub const ALL: [Table; 16] = [
        Table::Manifests,
        Table::Documents,
        Table::Versions,
        Table::Events,
        Table::Index,
        Table::Numbers,
        Table::AuditLeaves,
        Table::AuditNodes,
        Table::Tombstones,
        Table::Facilities,
        Table::ApiKeys,
        Table::KeyRevocations,
        Table::Calendars,
        Table::DisposalActs,
        Table::Collections,
        Table::RevocationImports,
    ];

    /// A stable name (RocksDB column family).
    pub fn name(self) -> &'static str {
        match self {
            Table::Manifests => "manifests",
            Table::Documents => "documents",
            Table::Versions => "versions",
            Table::Events => "events",
            Table::Index => "index",
            Table::Numbers => "numbers",
            Table::AuditLeaves => "audit_leaves",
            Table::AuditNodes => "audit_nodes",
            Table::Tombstones => "tombstones",
            Table::Facilities => "facilities",
            Table::ApiKeys => "api_keys",
            Table::KeyRevocations => "key_revocations",
            Table::Calendars => "calendars",
            Table::DisposalActs => "disposal_acts",
            Table::Collections => "collections",
            Table::RevocationImports => "revocation_imports",
        }
    }
}

/// Bulk bytes keyed by the SHA-256 of their uncompressed content.
pub trait ChunkStore: Send + Sync + 'static {
    /// Reads a stored chunk value.
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError>;

    /// Whether a chunk is stored, without reading its bytes where the engine allows.
    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError>;

    /// Stores a chunk value. It need not be durable before [`ChunkStore::sync`] returns.
    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError>;

    /// Stores a chunk value for a put unless the put may rely on the one stored
    /// (deduplication). One node's store relies on any stored chunk; a store several nodes
    /// share relies only on one that no node's collection may remove before the put's
    /// manifest commits (S3: locked, or written within half the orphan grace;
    /// `docs/storage.md`, "Collection across nodes"), and writes the others again.
    ///
    /// Required, with no default: a wrapper that forgot to pass it on would fall back to
    /// [`ChunkStore::contains_chunk`] and lose the shared store's rule.
    fn ensure_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError>;

    /// Makes every chunk stored so far durable.
    fn sync(&self) -> Result<(), StorageError>;

    /// The ids of all stored chunks, in id order.
    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_>;

    /// Removes chunks. Only garbage collection calls this, and only for chunks
    /// that no manifest references (the leftovers of an interrupted put).
    ///
    /// An engine that locks chunks itself ([`ChunkStore::object_lock`]) removes every chunk it
    /// may and answers [`StorageError::Locked`] naming those it refused. Returns how many of
    /// `ids` are gone: all but those an engine leaves for a later collection (S3's chunks
    /// within the orphan grace); an id already absent counts as gone.
    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<u64, StorageError>;

    /// The engine's own retention, when it enforces one below the vault's code (S3 Object
    /// Lock); `None` for an engine where the vault's code alone enforces retention (RocksDB).
    ///
    /// An accessor rather than no-op methods: a caller can tell a lock that was set from one
    /// that does not exist, and an engine cannot forget to lock by inheriting a no-op.
    fn object_lock(&self) -> Option<&dyn ObjectLock> {
        None
    }
}

/// Retention enforced by the storage itself: what was locked cannot be deleted or changed
/// before its date, even with the vault's own credentials (S3 Object Lock in COMPLIANCE mode).
///
/// The record layer decides the dates: a chunk is locked until the latest retain-until of any
/// document that uses it, construction records get a rolling lock renewed long before it runs
/// out, and a hold is a legal hold on every chunk of the document (`docs/storage.md`).
pub trait ObjectLock: Send + Sync {
    /// Locks each chunk until `until` at least. A lock that already runs as long or longer is
    /// left as it is: locks are extended, never shortened.
    fn retain_chunks(&self, ids: &[ChunkId], until: Timestamp) -> Result<(), StorageError>;

    /// Places (`on`) or lifts a legal hold on each chunk. Chunks are shared between
    /// documents: the caller lifts a hold only from chunks that no other held document uses.
    fn hold_chunks(&self, ids: &[ChunkId], on: bool) -> Result<(), StorageError>;

    /// Writes `bytes` as `object`, locked until `until`; when the object is already there it
    /// is kept as it is and its lock extended to `until`.
    fn put_locked_object(
        &self,
        object: &LockedObject,
        bytes: &[u8],
        until: Timestamp,
    ) -> Result<(), StorageError>;

    /// Deletes the locked manifest of a disposed content, every version of it. The storage
    /// refuses while its lock runs or a hold is on ([`StorageError::Locked`]); a manifest that
    /// is not there is no error. Checkpoints are never removed.
    fn remove_manifest(&self, address: &ContentAddress) -> Result<(), StorageError>;

    /// A chunk's lock as the storage holds it.
    fn chunk_lock(&self, id: &ChunkId) -> Result<ChunkLock, StorageError>;
}

/// The lock of one stored object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLock {
    /// The retain-until date of a COMPLIANCE retention, if any.
    pub retain_until: Option<Timestamp>,
    /// Whether a legal hold is on.
    pub legal_hold: bool,
}

/// An object written locked beside the chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LockedObject {
    /// The manifest of the content with this address.
    Manifest(ContentAddress),
    /// A signed checkpoint of the audit log at this tree size.
    Checkpoint {
        /// The number of leaves the checkpoint commits to.
        tree_size: u64,
    },
}

/// A key and its value, as a scan yields them.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Small records in ordered tables.
pub trait MetaStore: Send + Sync + 'static {
    /// Reads one record.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;

    /// Applies every write of `batch` atomically; they are durable when this returns. A batch
    /// that names a key already stored (or twice) is refused whole with
    /// [`StorageError::Exists`]: records are write-once. Commits are serialised, so the
    /// check and the write are atomic with respect to each other.
    fn commit(&self, batch: MetaBatch) -> Result<(), StorageError>;

    /// All entries of `table`, in key order.
    fn scan(&self, table: Table) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_>;

    /// The entries of `table` whose key starts with `prefix`, in key order.
    fn scan_prefix(
        &self,
        table: Table,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = Result<Entry, StorageError>> + '_>;

    /// The entry of `table` with the greatest key starting with `prefix`.
    fn last_with_prefix(&self, table: Table, prefix: &[u8]) -> Result<Option<Entry>, StorageError>;

    /// A cursor that reads the entries of `table` under prefixes given in rising order (a
    /// bulk read in key order, such as every document's versions). By default each prefix is
    /// a [`MetaStore::scan_prefix`]; an engine whose scans are costly to open keeps one
    /// reader moving forward instead.
    fn prefix_cursor(&self, table: Table) -> Box<dyn PrefixCursor + '_> {
        Box::new(ScanEachPrefix { store: self, table })
    }

    /// Enters the writer's section, exclusive across every process that writes to this store:
    /// the record layer reads its counters (numbers, the audit log's size) and commits the
    /// batch that uses them inside it (`registry::Registry`, whose in-process lock is taken
    /// first). By default nothing more than that in-process lock: an engine that one process
    /// alone opens (RocksDB locks its directory) needs no more. Leaving the section is
    /// dropping it.
    fn writer_section(&self) -> Result<WriterSection<'_>, StorageError> {
        Ok(WriterSection::in_process())
    }
}

/// The writer's section of a [`MetaStore`] ([`MetaStore::writer_section`]): held until
/// dropped.
#[must_use = "the section ends when this is dropped"]
pub struct WriterSection<'a> {
    _held: Option<Box<dyn Send + 'a>>,
}

impl<'a> WriterSection<'a> {
    /// A section that needs nothing beyond the caller's in-process lock.
    pub fn in_process() -> Self {
        Self { _held: None }
    }

    /// A section that lasts as long as `held` (a lock's guard, which releases it on drop).
    pub fn holding(held: impl Send + 'a) -> Self {
        Self {
            _held: Some(Box::new(held)),
        }
    }
}

impl std::fmt::Debug for WriterSection<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterSection")
            .field("shared", &self._held.is_some())
            .finish()
    }
}

/// Reads the entries of one table under a rising sequence of prefixes
/// ([`MetaStore::prefix_cursor`]).
pub trait PrefixCursor {
    /// The entries whose key starts with `prefix`, in key order. Each prefix sorts after the
    /// one before it; a prefix that does not may miss entries.
    fn entries(&mut self, prefix: &[u8]) -> Result<Vec<Entry>, StorageError>;
}

/// The default [`PrefixCursor`]: one scan per prefix.
struct ScanEachPrefix<'a, M: ?Sized> {
    store: &'a M,
    table: Table,
}

impl<M: MetaStore + ?Sized> PrefixCursor for ScanEachPrefix<'_, M> {
    fn entries(&mut self, prefix: &[u8]) -> Result<Vec<Entry>, StorageError> {
        self.store.scan_prefix(self.table, prefix).collect()
    }
}

/// The smallest byte string greater than every string starting with `prefix`; `None` when
/// there is none (empty prefix or all 0xff).
pub(crate) fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Writes to the metadata store that take effect together or not at all.
///
/// Insertions only, records being write-once; the exceptions are the removal of manifests by a
/// disposal and by the collection of unreferenced content ([`MetaBatch::dispose_manifest`],
/// crate-private).
#[derive(Debug, Default)]
pub struct MetaBatch {
    pub(crate) puts: Vec<(Table, Vec<u8>, Vec<u8>)>,
    /// Manifests removed by a disposal, the one operation that deletes (`registry::disposal`).
    pub(crate) disposed: Vec<Vec<u8>>,
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

    /// The value the batch adds under `key` in `table`, if any.
    pub fn get(&self, table: Table, key: &[u8]) -> Option<&[u8]> {
        self.puts
            .iter()
            .find(|(t, k, _)| *t == table && k == key)
            .map(|(_, _, v)| v.as_slice())
    }

    /// Removes the manifest of a content whose retention has passed, or of one that no record
    /// references (and the stamps of its puts, under the same table). Only disposal and the
    /// collection of unreferenced content call this (crate-private): no other code path
    /// deletes a record. The chunks it leaves unreferenced are removed by garbage collection.
    pub(crate) fn dispose_manifest(&mut self, address: &[u8]) {
        self.disposed.push(address.to_vec());
    }

    /// How many records the batch adds to `table`.
    pub fn count(&self, table: Table) -> usize {
        self.puts.iter().filter(|(t, _, _)| *t == table).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_apart_from_other_engine_errors() {
        let full = StorageError::Engine(
            "IO error: No space left on device: While appending to file: /d/000012.log: No \
             space left on device"
                .into(),
        );
        assert!(full.is_out_of_space());
        assert!(out_of_space("No space left on device (os error 28)"));
        assert!(out_of_space("Disk quota exceeded (os error 122)"));
        assert!(!StorageError::Engine("IO error: lock held".into()).is_out_of_space());
        assert!(!StorageError::Corruption("No space left on device".into()).is_out_of_space());
    }
}
