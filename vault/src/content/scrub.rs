//! Integrity checks over the whole store, and collection of orphaned chunks.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::chunk::{self, ChunkProblem};
use super::stamps::is_stamp;
use super::{ContentStore, decode_manifest};
use crate::address::{ChunkId, ContentAddress};
use crate::error::VaultError;
use crate::storage::{ChunkStore, MetaStore, StorageError, Table};

/// One thing wrong in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScrubProblem {
    /// A content cannot be read back as the bytes of its address; the message
    /// names the chunk or manifest at fault.
    Content {
        /// The content's address.
        address: ContentAddress,
        /// What is wrong.
        problem: String,
    },
    /// A chunk that no manifest references does not verify.
    Chunk {
        /// The chunk's id.
        id: ChunkId,
        /// What is wrong.
        problem: ChunkProblem,
    },
    /// A manifest is stored under a key that is not an address.
    Key {
        /// The key, hex-encoded.
        key: String,
    },
}

impl std::fmt::Display for ScrubProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Content { problem, .. } => f.write_str(problem),
            Self::Chunk { id, problem } => write!(f, "unreferenced chunk {id}: {problem}"),
            Self::Key { key } => write!(f, "manifest under a malformed key {key}"),
        }
    }
}

/// What a scrub found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScrubReport {
    /// Contents checked.
    pub contents: u64,
    /// Content bytes re-hashed.
    pub bytes: u64,
    /// Chunks that no manifest references (collectable, not a problem).
    pub orphans: u64,
    /// Everything that failed a check.
    pub problems: Vec<ScrubProblem>,
}

/// How far a scrub has come, in content bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScrubProgress {
    /// Bytes checked so far.
    pub done: u64,
    /// Bytes of all contents.
    pub total: u64,
}

/// What garbage collection removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Chunks removed.
    pub chunks: u64,
}

impl<S: ChunkStore + MetaStore> ContentStore<S> {
    /// Re-hashes every content against its address (each chunk against its
    /// id on the way) and every unreferenced chunk against its id.
    ///
    /// Problems with the data are collected in the report; an `Err` means
    /// the storage engine itself failed.
    pub fn scrub(
        &self,
        mut progress: impl FnMut(ScrubProgress),
    ) -> Result<ScrubReport, VaultError> {
        let backend = &self.inner.backend;
        let mut report = ScrubReport::default();
        // A first, cheap pass for the progress total; the second does the work.
        let mut total = 0u64;
        for entry in backend.scan(Table::Manifests) {
            let (key, value) = entry?;
            if let Some(address) = ContentAddress::from_slice(&key) {
                total += decode_manifest(&address, &value).map_or(0, |m| m.length);
            }
        }
        // A referenced chunk stays referenced even if its content is broken.
        let mut referenced: HashSet<ChunkId> = HashSet::new();
        let mut done = 0u64;
        progress(ScrubProgress { done, total });
        for entry in backend.scan(Table::Manifests) {
            let (key, value) = entry?;
            if is_stamp(&key) {
                continue;
            }
            let Some(address) = ContentAddress::from_slice(&key) else {
                report.problems.push(ScrubProblem::Key {
                    key: hex::encode(&key),
                });
                continue;
            };
            report.contents += 1;
            let manifest = match decode_manifest(&address, &value) {
                Ok(manifest) => manifest,
                Err(e) => {
                    report.problems.push(content_problem(address, &e));
                    continue;
                }
            };
            referenced.extend(manifest.chunks.iter().map(|c| c.id));
            let mut hasher = Sha256::new();
            let mut failed = false;
            for (index, chunk) in manifest.chunks.iter().enumerate() {
                match self.load_chunk(&address, index, chunk) {
                    Ok(bytes) => hasher.update(&bytes),
                    Err(e @ VaultError::Integrity { .. }) => {
                        report.problems.push(content_problem(address, &e));
                        failed = true;
                        break;
                    }
                    Err(e) => return Err(e),
                }
                done += u64::from(chunk.length);
                report.bytes += u64::from(chunk.length);
                progress(ScrubProgress { done, total });
            }
            let actual = ContentAddress(hasher.finalize().into());
            if !failed && actual != address {
                let e = VaultError::AddressMismatch { address, actual };
                report.problems.push(content_problem(address, &e));
            }
        }
        for id in backend.chunk_ids() {
            let id = id?;
            if referenced.contains(&id) {
                continue;
            }
            report.orphans += 1;
            let verdict = match backend.get_chunk(&id) {
                Ok(Some(value)) => chunk::open(&id, &value).map(drop),
                Ok(None) => Ok(()), // collected since the listing
                Err(StorageError::Corruption(e)) => Err(ChunkProblem::Unreadable(e)),
                Err(e) => return Err(e.into()),
            };
            if let Err(problem) = verdict {
                report.problems.push(ScrubProblem::Chunk { id, problem });
            }
        }
        Ok(report)
    }

    /// Removes the chunks that no manifest references and no unfinished put
    /// holds. Puts wait while this runs.
    ///
    /// Refuses to run when a manifest cannot be read: what it references
    /// would be unknown.
    pub fn collect_garbage(&self) -> Result<GcReport, VaultError> {
        let backend = &self.inner.backend;
        let pending = self.pending();
        let mut referenced: HashSet<ChunkId> = HashSet::new();
        for entry in backend.scan(Table::Manifests) {
            let (key, value) = entry?;
            if is_stamp(&key) {
                continue;
            }
            let address = ContentAddress::from_slice(&key).ok_or_else(|| {
                StorageError::Corruption(format!(
                    "manifest under a malformed key {}",
                    hex::encode(&key)
                ))
            })?;
            let manifest = decode_manifest(&address, &value)?;
            referenced.extend(manifest.chunks.iter().map(|c| c.id));
        }
        let mut orphans = Vec::new();
        for id in backend.chunk_ids() {
            let id = id?;
            if !referenced.contains(&id) && !pending.contains_key(&id) {
                orphans.push(id);
            }
        }
        let chunks = backend.remove_chunks(&orphans)?;
        drop(pending);
        Ok(GcReport { chunks })
    }
}

fn content_problem(address: ContentAddress, e: &VaultError) -> ScrubProblem {
    ScrubProblem::Content {
        address,
        problem: e.to_string(),
    }
}
