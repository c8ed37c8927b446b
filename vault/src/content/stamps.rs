//! When each content was last put: the grace period of the collection of unreferenced content
//! (`registry::gc`) counts from it.
//!
//! A manifest holds nothing but the content's shape (the same bytes give the same manifest,
//! whoever stores them and when), so the time is kept beside it, in the manifests table under
//! the address followed by the put's second (8 bytes, big-endian): never a manifest's key (an
//! address is 32 bytes), write-once like every record, one per put and second, the latest last
//! in key order. A put of content already stored adds one too: whoever put it again has the
//! whole grace period to register it. Stores written before stamps have none; a collection
//! stamps such content when it first sees it and counts from there, so upgrading a store
//! removes nothing at once.
//!
//! Puts and the removal of a content hold one lock ([`ContentStore::stamps`]) around the
//! check of the manifest and the commit: a put acknowledged is either seen by a removal (its
//! stamp is fresh, the content stays) or comes after it (and stores the content again).

use std::sync::{MutexGuard, PoisonError};

use jiff::Timestamp;

use super::ContentStore;
use crate::address::ContentAddress;
use crate::codec;
use crate::error::VaultError;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, StorageError, Table};

/// The length of a stamp's key: the address and the second.
const STAMP_KEY_LEN: usize = 32 + 8;

/// A stored content as a collection sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamped {
    /// Its address.
    pub address: ContentAddress,
    /// Its length in bytes.
    pub length: u64,
    /// When it was last put; `None` when no put recorded it (a store from before stamps).
    pub put_at: Option<Timestamp>,
}

/// A content removed by a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemovedContent {
    /// Its address.
    pub address: ContentAddress,
    /// Its length in bytes.
    pub length: u64,
    /// When it was last put.
    pub put_at: Timestamp,
}

/// The key of the stamp of a put of `address` at `at`.
fn stamp_key(address: &ContentAddress, at: Timestamp) -> Vec<u8> {
    // Nothing is put before 1970; a clock that says so dates it then (collected no later).
    let second = u64::try_from(at.as_second()).unwrap_or(0);
    let mut key = address.as_bytes().to_vec();
    key.extend_from_slice(&second.to_be_bytes());
    key
}

/// The second a stamp's key names, if it is one.
fn stamp_second(key: &[u8]) -> Option<i64> {
    let second: [u8; 8] = key.get(32..)?.try_into().ok()?;
    i64::try_from(u64::from_be_bytes(second)).ok()
}

/// Whether `key` of the manifests table is a stamp's (not a manifest's).
pub(super) fn is_stamp(key: &[u8]) -> bool {
    key.len() == STAMP_KEY_LEN
}

impl<S: ChunkStore + MetaStore> ContentStore<S> {
    /// Adds the stamp of a put of `address` now to `batch`, unless one is stored for this
    /// second already (records are write-once). The caller holds [`Self::stamps`].
    pub(super) fn stamp(
        &self,
        batch: &mut MetaBatch,
        address: &ContentAddress,
    ) -> Result<(), VaultError> {
        let now = self.now();
        let key = stamp_key(address, now);
        if self.inner.backend.get(Table::Manifests, &key)?.is_none() {
            batch.put(Table::Manifests, key, codec::encode(&now.as_second())?);
        }
        Ok(())
    }

    /// When the content at `address` was last put: `None` when no put recorded it.
    pub fn put_at(&self, address: &ContentAddress) -> Result<Option<Timestamp>, VaultError> {
        let last = self
            .inner
            .backend
            .last_with_prefix(Table::Manifests, address.as_bytes())?;
        Ok(last
            .as_ref()
            .filter(|(key, _)| is_stamp(key))
            .and_then(|(key, _)| stamp_second(key))
            .and_then(|second| Timestamp::from_second(second).ok()))
    }

    /// Every stored content with its length and when it was last put, in address order.
    pub fn stamped(&self) -> Result<Vec<Stamped>, VaultError> {
        let mut all: Vec<Stamped> = Vec::new();
        for entry in self.inner.backend.scan(Table::Manifests) {
            let (key, value) = entry?;
            if is_stamp(&key) {
                // Stamps sort right after their manifest, the latest last.
                let second = stamp_second(&key).and_then(|s| Timestamp::from_second(s).ok());
                if let Some(last) = all.last_mut()
                    && key.starts_with(last.address.as_bytes())
                    && second.is_some()
                {
                    last.put_at = second;
                }
                continue;
            }
            let address = ContentAddress::from_slice(&key).ok_or_else(|| {
                StorageError::Corruption(format!(
                    "manifest under a malformed key {}",
                    hex::encode(&key)
                ))
            })?;
            let manifest = super::decode_manifest(&address, &value)?;
            all.push(Stamped {
                address,
                length: manifest.length,
                put_at: None,
            });
        }
        Ok(all)
    }

    /// Stamps each of `addresses` that is stored and has no stamp yet as put now: the grace
    /// period of content from before stamps starts with the first collection that sees it.
    /// Returns how many were stamped.
    pub fn stamp_unstamped(&self, addresses: &[ContentAddress]) -> Result<usize, VaultError> {
        let _stamps = self.stamps();
        let mut batch = MetaBatch::new();
        let mut stamped = 0;
        for address in addresses {
            if self.contains(address)? && self.put_at(address)?.is_none() {
                self.stamp(&mut batch, address)?;
                stamped += 1;
            }
        }
        if stamped > 0 {
            self.inner.backend.commit(batch)?;
        }
        Ok(stamped)
    }

    /// Removes the manifests (and stamps) of those of `candidates` still stored and last put
    /// at or before `cutoff`, in one batch that `commit` completes and commits (the caller's
    /// audit entry goes with it); puts wait meanwhile. The chunks they leave unreferenced are
    /// for [`Self::collect_garbage`]. Only the registry's collection of unreferenced content
    /// calls this, holding the registry's writer lock after checking that nothing references
    /// them. Returns what was removed (nothing is committed when that is nothing).
    pub(crate) fn remove_unreferenced<E: From<VaultError>>(
        &self,
        candidates: &[ContentAddress],
        cutoff: Timestamp,
        commit: impl FnOnce(&[RemovedContent], MetaBatch) -> Result<(), E>,
    ) -> Result<Vec<RemovedContent>, E> {
        let _stamps = self.stamps();
        let backend = &self.inner.backend;
        let mut batch = MetaBatch::new();
        let mut removed = Vec::new();
        for address in candidates {
            let Some(value) = backend
                .get(Table::Manifests, address.as_bytes())
                .map_err(VaultError::from)?
            else {
                continue;
            };
            let Some(put_at) = self.put_at(address)? else {
                continue;
            };
            if put_at > cutoff {
                continue;
            }
            let manifest = super::decode_manifest(address, &value)?;
            batch.dispose_manifest(address.as_bytes());
            for entry in backend.scan_prefix(Table::Manifests, address.as_bytes()) {
                let (key, _) = entry.map_err(VaultError::from)?;
                if is_stamp(&key) {
                    batch.dispose_manifest(&key);
                }
            }
            removed.push(RemovedContent {
                address: *address,
                length: manifest.length,
                put_at,
            });
        }
        if !removed.is_empty() {
            commit(&removed, batch)?;
        }
        Ok(removed)
    }

    /// The lock puts and removals hold around the check of a manifest and its commit.
    pub(super) fn stamps(&self) -> MutexGuard<'_, ()> {
        // It guards no data, only the order of commits: poisoning is moot.
        self.inner
            .stamps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Now, by the store's clock (the time of a put's stamp).
    pub(super) fn now(&self) -> Timestamp {
        let clock = *self
            .inner
            .clock
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        clock()
    }

    /// With `clock` instead of the system's for the stamps of puts, in every clone of this
    /// store (tests of collections to come).
    pub fn set_clock(&self, clock: fn() -> Timestamp) {
        *self
            .inner
            .clock
            .write()
            .unwrap_or_else(PoisonError::into_inner) = clock;
    }
}
