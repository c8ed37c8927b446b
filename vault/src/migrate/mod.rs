//! Copies a vault from one storage engine to another (the embedded RocksDB vault into the
//! distributed backend, `docs/storage.md`), then proves the copy whole.
//!
//! Records are write-once on both sides, so the copy only inserts: chunks first, made durable,
//! then the records, the manifests among them, so that the destination never holds a manifest
//! whose chunks it lacks (the order a put keeps, `docs/decisions.md`). An interrupted copy is
//! run again: what the destination holds already is skipped when it is byte for byte the
//! source's, and refused when it differs (another vault's records, not the rest of this one).
//! [`compare`] then reads both sides: every table equal, every chunk a manifest names present,
//! and the audit log's root recomputed from the destination's leaves equal to the source's.

use crate::address::{ChunkId, ContentAddress};
use crate::audit::log::{AuditLog, LogError};
use crate::codec;
use crate::content::chunk;
use crate::content::manifest::Manifest;
use crate::storage::{ChunkStore, Entry, MetaBatch, MetaStore, StorageError, Table};

/// How many records one batch of the copy commits.
const BATCH: usize = 512;

/// Why a copy or its comparison failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// One of the storage engines failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The audit log of one side cannot be read or does not verify.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The destination holds another value under a key of the source: it is not this vault's
    /// copy, and nothing of it is overwritten.
    #[error("the destination's {table} record {key} differs from the source's: not this vault")]
    Conflict {
        /// The table's name.
        table: &'static str,
        /// The key, hex-encoded.
        key: String,
    },
    /// A chunk of the source fails its own check: the source must be repaired first.
    #[error("the source's chunk {id} is damaged: {problem}")]
    DamagedChunk {
        /// The chunk.
        id: ChunkId,
        /// What is wrong with it.
        problem: chunk::ChunkProblem,
    },
    /// After the copy, the two sides differ.
    #[error("the copy differs from the source: {0}")]
    Mismatch(String),
}

/// What a copy wrote and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Chunks written to the destination.
    pub chunks: u64,
    /// Chunks the destination held already.
    pub chunks_present: u64,
    /// Records written, over all tables.
    pub records: u64,
    /// Records the destination held already, equal to the source's.
    pub records_present: u64,
}

/// What [`compare`] checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Records compared, over all tables.
    pub records: u64,
    /// Chunk references checked present in the destination.
    pub chunk_references: u64,
    /// Entries of the audit log.
    pub log_size: u64,
    /// The audit log's root hash, the same on both sides.
    pub root: [u8; 32],
}

/// How far a copy has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Chunks handled so far.
    Chunks(u64),
    /// Records of `table` handled so far.
    Records {
        /// The table's name.
        table: &'static str,
        /// How many.
        done: u64,
    },
}

/// Copies every chunk and record of `from` into `to` (see the module's documentation).
pub fn copy<S, D>(
    from: &S,
    to: &D,
    mut progress: impl FnMut(Progress),
) -> Result<CopyReport, MigrateError>
where
    S: ChunkStore + MetaStore,
    D: ChunkStore + MetaStore,
{
    let mut report = CopyReport::default();
    for id in from.chunk_ids() {
        let id = id?;
        if to.contains_chunk(&id)? {
            report.chunks_present += 1;
        } else if let Some(value) = from.get_chunk(&id)? {
            // Checked before it is copied: a damaged chunk would become the copy's damage.
            chunk::open(&id, &value)
                .map_err(|problem| MigrateError::DamagedChunk { id, problem })?;
            to.put_chunk(&id, &value)?;
            report.chunks += 1;
        }
        progress(Progress::Chunks(report.chunks + report.chunks_present));
    }
    to.sync()?;
    // Manifests first: the other tables name contents, never the reverse.
    let mut tables = Table::ALL;
    tables.sort_by_key(|table| *table != Table::Manifests);
    for table in tables {
        let mut pending = Vec::with_capacity(BATCH);
        let mut done = 0;
        for entry in from.scan(table) {
            pending.push(entry?);
            if pending.len() == BATCH {
                done += pending.len() as u64;
                insert(to, table, std::mem::take(&mut pending), &mut report)?;
                progress(Progress::Records {
                    table: table.name(),
                    done,
                });
            }
        }
        done += pending.len() as u64;
        insert(to, table, pending, &mut report)?;
        progress(Progress::Records {
            table: table.name(),
            done,
        });
    }
    Ok(report)
}

/// Commits `entries` of `table` into `to` in one batch; when some are there already (a copy
/// run again), those equal to the source's are left out and the rest committed.
fn insert<D: MetaStore>(
    to: &D,
    table: Table,
    entries: Vec<Entry>,
    report: &mut CopyReport,
) -> Result<(), MigrateError> {
    if entries.is_empty() {
        return Ok(());
    }
    let count = entries.len() as u64;
    match to.commit(batch_of(table, entries.iter().cloned())) {
        Ok(()) => {
            report.records += count;
            return Ok(());
        }
        Err(StorageError::Exists { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let mut missing = Vec::new();
    for (key, value) in entries {
        match to.get(table, &key)? {
            Some(held) if held == value => report.records_present += 1,
            Some(_) => {
                return Err(MigrateError::Conflict {
                    table: table.name(),
                    key: hex::encode(&key),
                });
            }
            None => missing.push((key, value)),
        }
    }
    report.records += missing.len() as u64;
    if !missing.is_empty() {
        to.commit(batch_of(table, missing.into_iter()))?;
    }
    Ok(())
}

fn batch_of(table: Table, entries: impl Iterator<Item = Entry>) -> MetaBatch {
    let mut batch = MetaBatch::new();
    for (key, value) in entries {
        batch.put(table, key, value);
    }
    batch
}

/// Proves `to` a whole copy of `from`: every table the same, entry for entry; every chunk that
/// a manifest names present in `to`; and the audit log's root, recomputed from `to`'s leaves
/// (each checked against its stored hashes), equal to `from`'s.
pub fn compare<S, D>(from: &S, to: &D) -> Result<Comparison, MigrateError>
where
    S: ChunkStore + MetaStore,
    D: ChunkStore + MetaStore,
{
    let mut records = 0;
    let mut chunk_references = 0;
    for table in Table::ALL {
        let mut theirs = to.scan(table);
        for ours in from.scan(table) {
            let (key, value) = ours?;
            let Some(copied) = theirs.next().transpose()? else {
                return Err(mismatch(table, "lacks", &key));
            };
            if copied.0 != key {
                return Err(mismatch(table, "lacks", &key.min(copied.0)));
            }
            if copied.1 != value {
                return Err(mismatch(table, "has another value under", &key));
            }
            if table == Table::Manifests {
                chunk_references += chunks_present(to, &key, &value)?;
            }
            records += 1;
        }
        if let Some(extra) = theirs.next().transpose()? {
            return Err(mismatch(table, "has more than the source:", &extra.0));
        }
    }
    let source = AuditLog::open(from)?;
    let copy = AuditLog::open(to)?;
    if source.size() != copy.size() {
        return Err(MigrateError::Mismatch(format!(
            "the audit log has {} entries, the source's {}",
            copy.size(),
            source.size()
        )));
    }
    let root = source.root(source.size())?;
    let recomputed = copy.verify_all()?;
    if recomputed != root {
        return Err(MigrateError::Mismatch(
            "the audit log's root differs from the source's".into(),
        ));
    }
    Ok(Comparison {
        records,
        chunk_references,
        log_size: source.size(),
        root: root.0,
    })
}

fn mismatch(table: Table, what: &str, key: &[u8]) -> MigrateError {
    MigrateError::Mismatch(format!(
        "the copy's {} table {what} key {}",
        table.name(),
        hex::encode(key)
    ))
}

/// How many chunks the manifest `value` under `key` names, each checked present in `to`
/// (stamps, kept under the same table with longer keys, name none).
fn chunks_present<D: ChunkStore>(to: &D, key: &[u8], value: &[u8]) -> Result<u64, MigrateError> {
    let Some(address) = ContentAddress::from_slice(key) else {
        return Ok(0);
    };
    let manifest: Manifest = codec::decode(value).map_err(|e| {
        MigrateError::Mismatch(format!("the manifest of {address} cannot be read: {e}"))
    })?;
    for chunk in &manifest.chunks {
        if !to.contains_chunk(&chunk.id)? {
            return Err(MigrateError::Mismatch(format!(
                "chunk {} of content {address} is missing from the copy",
                chunk.id
            )));
        }
    }
    Ok(manifest.chunks.len() as u64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
