//! The audit log persisted in the metadata store: entries in [`Table::AuditLeaves`], and the
//! hash of every complete subtree in [`Table::AuditNodes`] (level 0 = the leaf hashes), so
//! that [`merkle`](super::merkle)'s root and proofs take O(log n) reads however long the log.
//!
//! Appending never rewrites: entry `i` adds its leaf and, for each subtree that `i + 1`
//! completes, that subtree's hash. Those writes go into the caller's batch, beside the record
//! the entry describes, so that a state change and its log entry are committed together or not
//! at all.

use jiff::Timestamp;

use super::checkpoint::{Checkpoint, CheckpointError};
use super::merkle::{self, Hash, LeafHashes, TreeError, hash_children, hash_leaf};
use super::note::Signer;
use crate::storage::{LockedObject, MetaBatch, MetaStore, ObjectLock, StorageError, Table};

/// Why the log could not be read or extended.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A subtree hash or entry that must exist is missing or malformed: the log was damaged.
    #[error("audit log damaged: {0}")]
    Damaged(String),
    /// A tree size or index the log does not have.
    #[error("audit log: {0}")]
    Tree(String),
    /// The checkpoint could not be signed.
    #[error("cannot sign the checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
}

impl From<TreeError<LogError>> for LogError {
    fn from(e: TreeError<LogError>) -> Self {
        match e {
            TreeError::Source(inner) => inner,
            other => LogError::Tree(other.to_string()),
        }
    }
}

fn leaf_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

fn node_key(level: u32, index: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    // Levels are below 64: a u8 is enough and keeps keys short.
    key[0] = level as u8;
    key[1..].copy_from_slice(&index.to_be_bytes());
    key
}

/// The log on a metadata store. Appends must be serialised by the caller (the record layer's
/// writer lock): [`AuditLog::append`] reads the size and writes the next index.
#[derive(Debug)]
pub struct AuditLog<'s, S> {
    store: &'s S,
    size: u64,
    /// Where signed checkpoints are also written, locked ([`Self::keeping_checkpoints`]).
    keep: Option<KeptCheckpoints<'s>>,
}

/// The storage's lock that keeps signed checkpoints, and until when.
struct KeptCheckpoints<'s> {
    lock: &'s dyn ObjectLock,
    until: Timestamp,
}

impl std::fmt::Debug for KeptCheckpoints<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptCheckpoints")
            .field("until", &self.until)
            .finish_non_exhaustive()
    }
}

impl<'s, S: MetaStore> AuditLog<'s, S> {
    /// The log kept in `store`, at its current size.
    pub fn open(store: &'s S) -> Result<Self, LogError> {
        let size = match store.last_with_prefix(Table::AuditLeaves, &[])? {
            None => 0,
            Some((key, _)) => {
                let bytes: [u8; 8] = key
                    .as_slice()
                    .try_into()
                    .map_err(|_| LogError::Damaged("an entry key is not 8 bytes".into()))?;
                u64::from_be_bytes(bytes) + 1
            }
        };
        Ok(Self {
            store,
            size,
            keep: None,
        })
    }

    /// With every checkpoint signed also written to `lock`'s storage as an object locked until
    /// `until` (`checkpoints/<size>-<SHA-256 of the note>` on S3, COMPLIANCE mode): history
    /// that a checkpoint commits to cannot then be rewritten through the records alone, the
    /// storage keeping the signed root that the rewritten log would no longer match.
    pub fn keeping_checkpoints(mut self, lock: &'s dyn ObjectLock, until: Timestamp) -> Self {
        self.keep = Some(KeptCheckpoints { lock, until });
        self
    }

    /// How many entries the log holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds `entry` as the next leaf to `batch` (after any the batch already adds), with the
    /// subtree hashes it completes; returns its index. Nothing is stored until the batch is
    /// committed.
    pub fn append(&self, batch: &mut MetaBatch, entry: &[u8]) -> Result<u64, LogError> {
        let index = self.size + batch.count(Table::AuditLeaves) as u64;
        let mut hash = hash_leaf(entry);
        batch.put(Table::AuditLeaves, leaf_key(index), entry.to_vec());
        batch.put(Table::AuditNodes, node_key(0, index), hash.0.to_vec());
        // Each trailing 1 bit of `index` is a complete left sibling waiting for this subtree.
        let (mut level, mut position) = (0, index);
        while position & 1 == 1 {
            let key = node_key(level, position - 1);
            let left = match batch.get(Table::AuditNodes, &key) {
                Some(bytes) => Hash::from_slice(bytes)
                    .ok_or_else(|| LogError::Damaged("a pending subtree is not 32 bytes".into()))?,
                None => self.node(level, position - 1)?,
            };
            hash = hash_children(&left, &hash);
            level += 1;
            position >>= 1;
            batch.put(
                Table::AuditNodes,
                node_key(level, position),
                hash.0.to_vec(),
            );
        }
        Ok(index)
    }

    /// The entry at `index`.
    pub fn entry(&self, index: u64) -> Result<Vec<u8>, LogError> {
        self.store
            .get(Table::AuditLeaves, &leaf_key(index))?
            .ok_or_else(|| LogError::Damaged(format!("entry {index} is missing")))
    }

    fn node(&self, level: u32, index: u64) -> Result<Hash, LogError> {
        let bytes = self
            .store
            .get(Table::AuditNodes, &node_key(level, index))?
            .ok_or_else(|| LogError::Damaged(format!("subtree ({level}, {index}) is missing")))?;
        Hash::from_slice(&bytes)
            .ok_or_else(|| LogError::Damaged(format!("subtree ({level}, {index}) is not 32 bytes")))
    }

    /// The log as it is now, as a checkpoint signed by `signer` (whose name is the origin):
    /// the checkpoint and its signed note, written locked first where the log keeps
    /// checkpoints ([`Self::keeping_checkpoints`]; a checkpoint that could not be kept is
    /// not handed out).
    pub fn checkpoint(&self, signer: &Signer) -> Result<(Checkpoint, String), LogError> {
        let checkpoint = Checkpoint::new(signer.name(), self.size, self.root(self.size)?);
        let note = checkpoint.sign(signer)?;
        if let Some(keep) = &self.keep {
            keep.lock.put_locked_object(
                &LockedObject::Checkpoint {
                    tree_size: self.size,
                },
                note.as_bytes(),
                keep.until,
            )?;
        }
        Ok((checkpoint, note))
    }

    /// The root of the first `size` entries.
    pub fn root(&self, size: u64) -> Result<Hash, LogError> {
        Ok(merkle::root(self, size)?)
    }

    /// RFC 6962 §2.1.1: the audit path of entry `index` in the tree of `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        Ok(merkle::inclusion_proof(self, index, size)?)
    }

    /// RFC 6962 §2.1.2: the proof that the tree of `old` entries is a prefix of the tree of
    /// `new` entries.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, LogError> {
        Ok(merkle::consistency_proof(self, old, new)?)
    }

    /// Re-hashes every entry and checks it against the stored leaf hash, and every stored
    /// subtree against its children: what a scrub or `qoima audit verify` runs, trusting no
    /// stored interior node. Returns the root recomputed from the entries alone.
    pub fn verify_all(&self) -> Result<Hash, LogError> {
        let leaves: Vec<Hash> = (0..self.size)
            .map(|i| {
                let hash = hash_leaf(&self.entry(i)?);
                if self.node(0, i)? != hash {
                    return Err(LogError::Damaged(format!(
                        "entry {i} does not match its leaf hash"
                    )));
                }
                Ok(hash)
            })
            .collect::<Result<_, _>>()?;
        let mut level_hashes = leaves.clone();
        let mut level = 0;
        while level_hashes.len() > 1 {
            let parents: Vec<Hash> = level_hashes
                .chunks_exact(2)
                .map(|pair| hash_children(&pair[0], &pair[1]))
                .collect();
            level += 1;
            for (index, hash) in parents.iter().enumerate() {
                if self.node(level, index as u64)? != *hash {
                    return Err(LogError::Damaged(format!(
                        "subtree ({level}, {index}) does not match its children"
                    )));
                }
            }
            level_hashes = parents;
        }
        merkle::root(leaves.as_slice(), self.size).map_err(|e| LogError::Tree(e.to_string()))
    }
}

impl<S: MetaStore> LeafHashes for AuditLog<'_, S> {
    type Error = LogError;

    fn leaf_count(&self) -> u64 {
        self.size
    }

    fn leaf_hash(&self, index: u64) -> Result<Hash, LogError> {
        self.node(0, index)
    }

    fn subtree_hash(&self, level: u32, index: u64) -> Result<Option<Hash>, LogError> {
        self.node(level, index).map(Some)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::audit::merkle::{verify_consistency, verify_inclusion};
    use crate::storage::rocks::RocksBackend;

    fn append(store: &RocksBackend, entry: &[u8]) -> u64 {
        let log = AuditLog::open(store).unwrap();
        let mut batch = MetaBatch::new();
        let index = log.append(&mut batch, entry).unwrap();
        store.commit(batch).unwrap();
        index
    }

    #[test]
    fn persisted_log_gives_the_in_memory_roots_and_verifiable_proofs() {
        let dir = tempfile::tempdir().unwrap();
        let store = RocksBackend::open(dir.path()).unwrap();
        let entries: Vec<Vec<u8>> = (0..37u32)
            .map(|i| format!("entry {i}").into_bytes())
            .collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| hash_leaf(e)).collect();
        for (i, entry) in entries.iter().enumerate() {
            assert_eq!(append(&store, entry), i as u64);
        }
        let log = AuditLog::open(&store).unwrap();
        assert_eq!(log.size(), 37);
        assert_eq!(
            log.verify_all().unwrap(),
            merkle::root(leaves.as_slice(), 37).unwrap()
        );
        for size in 1..=37 {
            let root = log.root(size).unwrap();
            assert_eq!(
                root,
                merkle::root(leaves.as_slice(), size).unwrap(),
                "{size}"
            );
            for index in [0, size / 2, size - 1] {
                let proof = log.inclusion_proof(index, size).unwrap();
                verify_inclusion(&leaves[index as usize], index, size, &proof, &root).unwrap();
            }
            for old in [1, size / 2, size] {
                if old == 0 {
                    continue;
                }
                let proof = log.consistency_proof(old, size).unwrap();
                verify_consistency(old, size, &log.root(old).unwrap(), &root, &proof).unwrap();
            }
        }
        assert!(log.root(38).is_err());
    }

    #[test]
    fn a_changed_entry_or_subtree_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = RocksBackend::open(dir.path()).unwrap();
        for i in 0..8u32 {
            append(&store, &i.to_be_bytes());
        }
        // Damage behind the backend's write-once guard, as a disk edit would.
        let db = store.raw();
        let leaves = db.cf_handle(Table::AuditLeaves.name()).unwrap();
        db.put_cf(leaves, leaf_key(3), b"forged").unwrap();
        let err = AuditLog::open(&store).unwrap().verify_all().unwrap_err();
        assert!(err.to_string().contains("entry 3"), "{err}");
        db.put_cf(leaves, leaf_key(3), 3u32.to_be_bytes()).unwrap();
        let nodes = db.cf_handle(Table::AuditNodes.name()).unwrap();
        db.put_cf(nodes, node_key(1, 2), [0u8; 32]).unwrap();
        let err = AuditLog::open(&store).unwrap().verify_all().unwrap_err();
        assert!(err.to_string().contains("subtree (1, 2)"), "{err}");
    }
}
