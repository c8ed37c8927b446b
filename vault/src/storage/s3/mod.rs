//! Content in an S3 bucket with Object Lock: chunks (and, locked, manifests and audit
//! checkpoints) as objects named by their SHA-256 (`docs/storage.md`, "S3 content backend").
//!
//! Objects: `chunks/<hex chunk id>` (the stored chunk value), `manifests/<hex content address>`
//! and `checkpoints/<tree size, 20 digits>-<hex SHA-256 of the checkpoint>`. The bucket is
//! versioned; the backend never overwrites other bytes (a chunk's key is the hash of its
//! value) and removes garbage version by version, so that S3's refusals, not the vault's code,
//! protect what is locked.
//!
//! Several nodes share the bucket, and a node's garbage collection cannot see another's puts
//! in progress. An orphan grace ([`S3Config::orphan_grace`]) closes the gap (docs/storage.md,
//! "Collection across nodes"): [`ChunkStore::remove_chunks`] leaves a chunk with a version
//! younger than the grace, and [`ChunkStore::contains_chunk`] trusts a stored chunk only while
//! it is locked or its newest version is younger than half the grace; an older one is written
//! again (a new version of the same bytes), which restarts its grace. Ages are counted on the
//! gateway's clock (its `Date` against the versions' `LastModified`), not the node's.
//!
//! The traits are synchronous and the client is async: every call runs on a
//! [`Bridge`](super::bridge::Bridge) of the backend's own.

mod bucket;
mod client;
mod config;
mod error;
mod lock;
mod objects;
mod sigv4;
mod staging;
#[cfg(test)]
pub(crate) mod tests;
mod xml;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use jiff::Timestamp;

pub use self::bucket::BucketInit;
pub use self::config::{ORPHAN_GRACE, S3Config};
pub use self::error::S3Error;
pub use self::staging::StagedObjects;
#[cfg(feature = "fuzzing")]
pub use self::xml::fuzz_answers;

use self::client::Client;
use self::objects::{Head, Put};
use super::bridge::Bridge;
use super::{ChunkLock, ChunkStore, LockedObject, ObjectLock, StorageError};
use crate::address::{ChunkId, ContentAddress, decode_lower_hex};

/// Where chunks go.
const CHUNK_PREFIX: &str = "chunks/";
/// The largest object read back: a chunk of at most 64 MiB stored raw, with its few bytes
/// of header, and room to spare.
const OBJECT_LIMIT: usize = (64 << 20) + (1 << 20);
/// Requests in flight at once for a batch (locks, holds, removals).
const PARALLEL: usize = 8;

/// Chunks in an S3 bucket with Object Lock.
#[derive(Debug)]
pub struct S3Chunks {
    client: Arc<Client>,
    bridge: Bridge,
    page_size: u32,
    /// [`S3Config::orphan_grace`].
    orphan_grace: Duration,
    /// The chunks [`ChunkStore::remove_chunks`] left because of the grace, since opening.
    spared: Arc<AtomicU64>,
}

impl S3Chunks {
    /// Opens the bucket of `config` after checking that it has Object Lock and versioning:
    /// every command refuses to start on a bucket without them.
    pub fn open(config: &S3Config) -> Result<Self, S3Error> {
        let store = Self::connect(config)?;
        store.call(|c| async move { c.check_bucket().await })?;
        Ok(store)
    }

    /// Creates the bucket with Object Lock when it is missing, or checks the existing one
    /// (Object Lock enabled, versioning on, and a test object locked for a minute refuses
    /// its deletion), then opens it (`qoima storage init`).
    pub fn init(config: &S3Config) -> Result<(Self, BucketInit), S3Error> {
        let store = Self::connect(config)?;
        let region = config.region.clone();
        let outcome = store.call(move |c| async move { c.init_bucket(&region).await })?;
        Ok((store, outcome))
    }

    fn connect(config: &S3Config) -> Result<Self, S3Error> {
        let client = Arc::new(Client::new(config)?);
        let bridge = Bridge::new("s3", 2).map_err(|e| S3Error::Config(e.to_string()))?;
        Ok(Self {
            client,
            bridge,
            page_size: config.page_size,
            orphan_grace: config.orphan_grace,
            spared: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many chunks [`ChunkStore::remove_chunks`] has left, since this store was opened,
    /// because a version of theirs was younger than the orphan grace: a later collection
    /// removes them if they are still unreferenced then.
    pub fn orphans_within_grace(&self) -> u64 {
        self.spared.load(Ordering::Relaxed)
    }

    /// Whether a put may rely on the chunk that `head` describes rather than write it again:
    /// it is locked (S3 refuses its deletion whatever a collection decides), or its newest
    /// version is younger than half the grace, so that a put that commits within half the
    /// grace after this look commits before any node may remove it. `Last-Modified` and
    /// `Date` are whole seconds: one second more is counted against the chunk.
    /// Whether chunk `id` is stored and a put may rely on it: locked, or written less than
    /// half the orphan grace ago (docs/storage.md, "Collection across nodes"). An older,
    /// unlocked chunk is written again by a put, which restarts its grace: otherwise another
    /// node's collection could remove it before the put's manifest commits.
    pub fn reliable(&self, id: &ChunkId) -> Result<bool, StorageError> {
        let key = chunk_key(id);
        let head = self.call(move |c| async move { c.head_object(&key).await })?;
        Ok(head.is_some_and(|head| self.trusted(&head)))
    }

    fn trusted(&self, head: &Head) -> bool {
        if self.orphan_grace.is_zero() || head.locked() {
            return true;
        }
        let Some(written) = head.last_modified else {
            return false;
        };
        let half = self.orphan_grace / 2;
        let age = head.served_at.duration_since(written).unsigned_abs() + Duration::from_secs(1);
        // A version dated after the gateway's own clock (not expected) counts as new.
        head.served_at < written || age < half
    }

    /// Runs one async operation of the client on the bridge.
    fn call<T, F, Fut>(&self, operation: F) -> Result<T, S3Error>
    where
        F: FnOnce(Arc<Client>) -> Fut,
        Fut: Future<Output = Result<T, S3Error>> + Send + 'static,
        T: Send + 'static,
    {
        self.bridge
            .run(operation(Arc::clone(&self.client)))
            .map_err(|e| S3Error::Transport {
                operation: "a call on the S3 runtime".into(),
                detail: e.to_string(),
            })?
    }

    /// Runs `operation` on every key, [`PARALLEL`] at a time; the keys it failed for, with
    /// their errors.
    fn for_each_key<F, Fut>(
        &self,
        keys: Vec<String>,
        operation: F,
    ) -> Result<Vec<(String, S3Error)>, S3Error>
    where
        F: Fn(Arc<Client>, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), S3Error>> + Send + 'static,
    {
        self.call(move |client| async move {
            let mut failed = Vec::new();
            let mut tasks = tokio::task::JoinSet::new();
            let mut keys = keys.into_iter();
            loop {
                while tasks.len() < PARALLEL {
                    let Some(key) = keys.next() else { break };
                    let run = operation(Arc::clone(&client), key.clone());
                    tasks.spawn(async move { (key, run.await) });
                }
                let Some(done) = tasks.join_next().await else {
                    break;
                };
                let (key, result) = done.map_err(|e| S3Error::Transport {
                    operation: "a batch of S3 requests".into(),
                    detail: e.to_string(),
                })?;
                if let Err(e) = result {
                    failed.push((key, e));
                }
            }
            Ok(failed)
        })
    }

    /// The raw client, for tests that act on the bucket as anyone holding the vault's
    /// credentials could, bypassing the backend's code.
    #[cfg(test)]
    pub(crate) fn raw(&self) -> (&Arc<Client>, &Bridge) {
        (&self.client, &self.bridge)
    }
}

/// The object name of a chunk.
pub(crate) fn chunk_key(id: &ChunkId) -> String {
    format!("{CHUNK_PREFIX}{id}")
}

/// The object name of a locked object.
fn locked_key(object: &LockedObject, bytes: &[u8]) -> String {
    match object {
        LockedObject::Manifest(address) => format!("manifests/{address}"),
        LockedObject::Checkpoint { tree_size } => {
            format!("checkpoints/{tree_size:020}-{}", sigv4::sha256_hex(bytes))
        }
    }
}

/// Fails with one error naming every key that failed, or succeeds when none did.
fn all_done(what: &str, total: usize, failed: Vec<(String, S3Error)>) -> Result<(), StorageError> {
    let Some((_, first)) = failed.first() else {
        return Ok(());
    };
    let locked = failed
        .iter()
        .all(|(_, e)| matches!(e, S3Error::Locked { .. }));
    let keys: Vec<&str> = failed.iter().map(|(k, _)| k.as_str()).collect();
    let text = format!(
        "{what}: {} of {total} objects failed ({}); the first: {first}",
        failed.len(),
        keys.join(", ")
    );
    Err(if locked {
        StorageError::Locked(text)
    } else {
        StorageError::Engine(text)
    })
}

impl ChunkStore for S3Chunks {
    fn get_chunk(&self, id: &ChunkId) -> Result<Option<Vec<u8>>, StorageError> {
        let key = chunk_key(id);
        let bytes = self.call(move |c| async move {
            match c.get_object(&key, None, OBJECT_LIMIT).await? {
                (Some(bytes), _) => Ok(Some(bytes)),
                // A delete marker may hide the chunk (a DELETE without version id, which S3
                // allows even on a locked object): the newest version with bytes is the chunk.
                // One listing more, only for a chunk that reads as missing.
                (None, _) => {
                    for entry in c.versions_of(&key).await? {
                        if !entry.delete_marker {
                            return Ok(c
                                .get_object(&key, Some(&entry.version_id), OBJECT_LIMIT)
                                .await?
                                .0);
                        }
                    }
                    Ok(None)
                }
            }
        })?;
        Ok(bytes.map(|b| b.to_vec()))
    }

    fn contains_chunk(&self, id: &ChunkId) -> Result<bool, StorageError> {
        let key = chunk_key(id);
        let head = self.call(move |c| async move { c.head_object(&key).await })?;
        Ok(head.is_some())
    }

    /// Writes the chunk unless a put may rely on the one stored ([`S3Chunks::reliable`]):
    /// a HEAD first (no bytes sent for a chunk already stored); for a missing chunk a PUT with
    /// `If-None-Match: *`, so that two nodes writing it at once add one version; for a chunk
    /// too old to be relied on, a new version of the same bytes (its key is their hash).
    fn put_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        let key = chunk_key(id);
        let head = self.call({
            let key = key.clone();
            move |c| async move { c.head_object(&key).await }
        })?;
        let body = Bytes::copy_from_slice(value);
        match head {
            Some(head) if self.trusted(&head) => {}
            Some(_) => self.call(move |c| async move { c.put_new_version(&key, body).await })?,
            // Written meanwhile by another node when S3 answers that it exists: just now,
            // so within its grace.
            None => {
                self.call(move |c| async move { c.put_object_if_absent(&key, body, None).await })?;
            }
        }
        Ok(())
    }

    /// [`ChunkStore::put_chunk`], which writes only what a put may not rely on.
    fn ensure_chunk(&self, id: &ChunkId, value: &[u8]) -> Result<(), StorageError> {
        self.put_chunk(id, value)
    }

    /// Nothing to do: S3 acknowledges a PUT once it is durable.
    fn sync(&self) -> Result<(), StorageError> {
        Ok(())
    }

    fn chunk_ids(&self) -> Box<dyn Iterator<Item = Result<ChunkId, StorageError>> + '_> {
        Box::new(ChunkIds {
            store: self,
            page: Vec::new().into_iter(),
            next: Some(None),
        })
    }

    /// Deletes every version of each chunk by its id (a DELETE without one would only add a
    /// delete marker). S3 refuses the versions under retention or a legal hold: those chunks
    /// stay, and the answer is [`StorageError::Locked`] naming them.
    ///
    /// A chunk with a version (or delete marker) younger than the orphan grace is left as it
    /// is, without error: it may belong to a put in progress on another node, whose manifest
    /// this node's collection cannot know of yet (docs/storage.md, "Collection across nodes").
    /// A later collection removes it if it is still unreferenced then;
    /// [`S3Chunks::orphans_within_grace`] counts them. Only the versions listed are deleted:
    /// one that a put adds meanwhile stays.
    fn remove_chunks(&self, ids: &[ChunkId]) -> Result<u64, StorageError> {
        let keys: Vec<String> = ids.iter().map(chunk_key).collect();
        let total = keys.len();
        let grace = self.orphan_grace;
        // This call's spared chunks, beside the store's count of all of them.
        let spared_now = Arc::new(AtomicU64::new(0));
        let counts = (Arc::clone(&self.spared), Arc::clone(&spared_now));
        let failed = self.for_each_key(keys, move |c, key| {
            let (spared, spared_now) = (Arc::clone(&counts.0), Arc::clone(&counts.1));
            async move {
                let (versions, now) = c.versions_at(&key).await?;
                let young = |written: Timestamp| {
                    written >= now || now.duration_since(written).unsigned_abs() < grace
                };
                if !grace.is_zero() && versions.iter().any(|v| young(v.last_modified)) {
                    spared.fetch_add(1, Ordering::Relaxed);
                    spared_now.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                for entry in versions {
                    c.delete_version(&key, &entry.version_id).await?;
                }
                Ok(())
            }
        })?;
        all_done("removing chunks", total, failed)?;
        Ok(total as u64 - spared_now.load(Ordering::Relaxed))
    }

    fn object_lock(&self) -> Option<&dyn ObjectLock> {
        Some(self)
    }
}

impl ObjectLock for S3Chunks {
    fn retain_chunks(&self, ids: &[ChunkId], until: Timestamp) -> Result<(), StorageError> {
        let keys: Vec<String> = ids.iter().map(chunk_key).collect();
        let total = keys.len();
        let failed = self.for_each_key(keys, move |c, key| async move {
            c.retain_every_version(&key, until).await
        })?;
        all_done("locking chunks", total, failed)
    }

    fn hold_chunks(&self, ids: &[ChunkId], on: bool) -> Result<(), StorageError> {
        let keys: Vec<String> = ids.iter().map(chunk_key).collect();
        let total = keys.len();
        let failed = self.for_each_key(keys, move |c, key| async move {
            c.hold_every_version(&key, on).await
        })?;
        all_done(
            if on {
                "placing legal holds"
            } else {
                "lifting legal holds"
            },
            total,
            failed,
        )
    }

    fn put_locked_object(
        &self,
        object: &LockedObject,
        bytes: &[u8],
        until: Timestamp,
    ) -> Result<(), StorageError> {
        let key = locked_key(object, bytes);
        let body = Bytes::copy_from_slice(bytes);
        self.call(move |c| async move {
            let until = lock::whole_second_after(until);
            if c.head_object(&key).await?.is_none()
                && c.put_object_if_absent(&key, body, Some(until)).await? != Put::Exists
            {
                return Ok(());
            }
            c.retain_every_version(&key, until).await
        })?;
        Ok(())
    }

    fn remove_manifest(&self, address: &ContentAddress) -> Result<(), StorageError> {
        let key = locked_key(&LockedObject::Manifest(*address), b"");
        let failed = self.for_each_key(vec![key], |c, key| async move {
            for entry in c.versions_of(&key).await? {
                c.delete_version(&key, &entry.version_id).await?;
            }
            Ok(())
        })?;
        all_done("removing a manifest", 1, failed)
    }

    fn chunk_lock(&self, id: &ChunkId) -> Result<ChunkLock, StorageError> {
        let key = chunk_key(id);
        let (retain_until, legal_hold) =
            self.call(move |c| async move { c.weakest_lock(&key).await })?;
        Ok(ChunkLock {
            retain_until,
            legal_hold,
        })
    }
}

/// [`ChunkStore::chunk_ids`]: one listing page at a time.
struct ChunkIds<'a> {
    store: &'a S3Chunks,
    page: std::vec::IntoIter<String>,
    /// The continuation of the next page: `Some(None)` for the first, `None` after the last.
    next: Option<Option<String>>,
}

impl Iterator for ChunkIds<'_> {
    type Item = Result<ChunkId, StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(key) = self.page.next() {
                let id = key
                    .strip_prefix(CHUNK_PREFIX)
                    .and_then(|hex| decode_lower_hex::<32>(hex.as_bytes()))
                    .map(ChunkId)
                    .ok_or(S3Error::UnexpectedKey(key));
                return Some(id.map_err(StorageError::from));
            }
            let token = self.next.take()?;
            let page_size = self.store.page_size;
            let page = self.store.call(move |c| async move {
                c.list_objects(CHUNK_PREFIX, token.as_deref(), page_size)
                    .await
            });
            match page {
                Ok(page) => {
                    self.next = page.next.map(Some);
                    self.page = page.keys.into_iter();
                }
                Err(e) => return Some(Err(e.into())),
            }
        }
    }
}
