//! Collection of unreferenced content: content that no record references and that was last
//! put longer ago than a grace period is removed, with the chunks no manifest uses any more.
//!
//! What references content: a version's content, and the CRLs its verdicts used, kept as
//! evidence (`crls`), and the revocation data an operator imported (`revocation.rs`: every
//! node puts it in force at its start). Nothing else does (annulment and disposal acts, events, calendar years
//! and keys are records of their own, not content). Every version counts, a disposed
//! document's too: a disposal decides about its content, a collection never does. The caller
//! names content to keep besides (the configured CRLs, which later registrations will
//! reference).
//!
//! The grace period is for content put to be registered later by its SHA-256 (`qoima put`,
//! then a registration naming `sha256`): it counts from the content's last put
//! (`content::stamps`).
//!
//! Race-safe: the references are read again under the writer lock, which every registration
//! holds while it checks that its content and evidence are still stored and writes its version
//! (`register.rs`); and a put of the content meanwhile refreshes its stamp, which the removal
//! checks under the content store's lock. Each collection that removes something writes one
//! audit entry over its record: what was removed, its length, when it was last put, the grace
//! period and who collected it.

use std::collections::HashSet;

use bincode::{Decode, Encode};
use jiff::{SignedDuration, Timestamp};

use super::error::{ErrorKind, StoreError};
use super::{AuditEntry, Registry};
use crate::address::ContentAddress;
use crate::audit::log::AuditLog;
use crate::codec;
use crate::content::RemovedContent;
use crate::records::{Actor, VersionRecord};
use crate::storage::{ChunkStore, MetaStore, Table};

/// The audit entry kind of a collection.
pub(super) const COLLECTED: &str = "collected";

/// The default grace period: a week to register content put by its SHA-256.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The stored record of one collection (`Table::Collections`), which its audit entry covers.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[non_exhaustive]
pub struct CollectionRecord {
    /// When, unix seconds.
    pub at: i64,
    /// Who collected.
    pub by: String,
    /// The grace period, in seconds: each content was last put at least this long before.
    pub grace_seconds: i64,
    /// What was removed.
    pub contents: Vec<CollectedContent>,
}

/// One content a collection removed: no record referenced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
#[non_exhaustive]
pub struct CollectedContent {
    /// Its SHA-256 address.
    pub content: [u8; 32],
    /// Its length in bytes.
    pub length: u64,
    /// When it was last put, unix seconds.
    pub put_at: i64,
}

/// What a collection did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Collection {
    /// The collection's number (its record's key and audit entry's), when it removed content.
    pub number: Option<u32>,
    /// The contents removed.
    pub removed: Vec<RemovedContent>,
    /// Unreferenced contents kept because they were put within the grace period.
    pub within_grace: usize,
    /// Contents kept because a record references them (or the caller keeps them).
    pub referenced: usize,
    /// Contents from before puts were stamped, stamped now: their grace period starts now.
    pub stamped: usize,
    /// Chunks removed that no manifest uses.
    pub chunks: u64,
    /// Chunks no manifest uses that the storage refused to delete, still under its own lock
    /// (S3 Object Lock), in its words: left for a later collection. `chunks` then counts
    /// none.
    pub locked: Option<String>,
}

/// Why a collection did not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The grace period is negative.
    #[error("the grace period {0} is negative")]
    NegativeGrace(SignedDuration),
    /// The store failed, or a record that may reference content does not decode (what it
    /// references would be unknown, so nothing is removed).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CollectError {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NegativeGrace(_) => ErrorKind::Caller,
            Self::Store(_) => ErrorKind::Internal,
        }
    }
}

impl From<crate::error::VaultError> for CollectError {
    fn from(e: crate::error::VaultError) -> Self {
        Self::Store(e.into())
    }
}

impl From<crate::storage::StorageError> for CollectError {
    fn from(e: crate::storage::StorageError) -> Self {
        Self::Store(e.into())
    }
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Removes the content that no record references and that was last put at least `grace`
    /// before now (by the vault's clock), except `keep`, then the chunks no manifest uses; one
    /// audit entry by `by` records what was removed. See the module documentation.
    pub fn collect_unreferenced(
        &self,
        grace: SignedDuration,
        keep: &[ContentAddress],
        by: &Actor,
    ) -> Result<Collection, CollectError> {
        if grace.is_negative() {
            return Err(CollectError::NegativeGrace(grace));
        }
        let now = self.now();
        let cutoff = now.checked_sub(grace).unwrap_or(Timestamp::MIN);
        let mut collection = Collection::default();
        let stored = self.content().stamped()?;
        let unstamped: Vec<ContentAddress> = stored
            .iter()
            .filter(|s| s.put_at.is_none())
            .map(|s| s.address)
            .collect();
        collection.stamped = self.content().stamp_unstamped(&unstamped)?;
        // A first look without the lock: most runs find nothing to remove and block no one.
        let referenced = self.referenced(keep)?;
        let mut candidates = Vec::new();
        for content in &stored {
            if referenced.contains(&content.address.0) {
                collection.referenced += 1;
            } else if let Some(put_at) = content.put_at {
                if put_at <= cutoff {
                    candidates.push(content.address);
                } else {
                    collection.within_grace += 1;
                }
            }
        }
        if !candidates.is_empty() {
            let _writer = self.lock()?;
            // Registrations committed since the first look reference what they reference.
            let referenced = self.referenced(keep)?;
            let before = candidates.len();
            candidates.retain(|address| !referenced.contains(&address.0));
            collection.referenced += before - candidates.len();
            let backend = self.content().backend();
            let mut number = None;
            let removed = self.content().remove_unreferenced(
                &candidates,
                cutoff,
                |removed, mut batch| -> Result<(), CollectError> {
                    let next = match backend.last_with_prefix(Table::Collections, &[])? {
                        Some((key, _)) => collection_number(&key)?.saturating_add(1),
                        None => 1,
                    };
                    let record = CollectionRecord {
                        at: now.as_second(),
                        by: by.to_string(),
                        grace_seconds: grace.as_secs(),
                        contents: removed
                            .iter()
                            .map(|r| CollectedContent {
                                content: r.address.0,
                                length: r.length,
                                put_at: r.put_at.as_second(),
                            })
                            .collect(),
                    };
                    let bytes = codec::encode(&record).map_err(StoreError::from)?;
                    let entry = AuditEntry {
                        kind: COLLECTED,
                        time: record.at,
                        subject: &subject(next),
                        version: next,
                        actor: by.as_str(),
                        registration: None,
                        record: &bytes,
                    }
                    .to_bytes();
                    let log = AuditLog::open(backend).map_err(StoreError::from)?;
                    batch.put(Table::Collections, next.to_be_bytes().to_vec(), bytes);
                    log.append(&mut batch, &entry).map_err(StoreError::from)?;
                    backend.commit(batch).map_err(StoreError::from)?;
                    number = Some(next);
                    Ok(())
                },
            )?;
            // Put again since the first look: within the grace period after all.
            collection.within_grace += candidates.len() - removed.len();
            collection.removed = removed;
            collection.number = number;
        }
        // The chunks of the removed manifests, and any an interrupted put left.
        match self.content().collect_garbage() {
            Ok(report) => collection.chunks = report.chunks,
            Err(crate::error::VaultError::Storage(crate::storage::StorageError::Locked(text))) => {
                collection.locked = Some(text);
            }
            Err(e) => return Err(e.into()),
        }
        Ok(collection)
    }

    /// Every content address a record references: each version's content and the CRLs kept
    /// as its evidence, and `keep`.
    fn referenced(&self, keep: &[ContentAddress]) -> Result<HashSet<[u8; 32]>, StoreError> {
        let mut referenced: HashSet<[u8; 32]> = keep.iter().map(|a| a.0).collect();
        for stored in self.content().backend().scan(Table::Versions) {
            let (key, value) = stored?;
            let version: VersionRecord = codec::decode_upgrading(&value).map_err(|e| {
                StoreError::Damaged(format!(
                    "version {} does not decode ({e}): what it references is unknown, so \
                     nothing is collected",
                    hex::encode(&key)
                ))
            })?;
            referenced.insert(version.content);
            referenced.extend(version.crls);
            referenced.extend(version.ocsp_responses);
        }
        for listed in self.revocation_imports_after(0)? {
            referenced.insert(listed.import.address.0);
        }
        Ok(referenced)
    }
}

/// The subject of collection `number`'s audit entry.
pub(super) fn subject(number: u32) -> String {
    format!("collection:{number}")
}

/// The collection number of a subject, if it is one.
pub(super) fn parse_subject(subject: &str) -> Option<u32> {
    subject.strip_prefix("collection:")?.parse().ok()
}

fn collection_number(key: &[u8]) -> Result<u32, StoreError> {
    key.try_into().map(u32::from_be_bytes).map_err(|_| {
        StoreError::Damaged(format!("collection key {} is malformed", hex::encode(key)))
    })
}

/// The collection's suite (`gc/tests.rs`), once on each backend.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod suites;
