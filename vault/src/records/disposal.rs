//! Disposal: the one operation that deletes (issue 5). A document whose retention has passed
//! and that carries no active hold may be disposed of: the content of its versions is removed
//! unless another document not disposed of still uses it, and a tombstone per version records
//! what, when, why and by whom. No other code path removes anything.

use jiff::Timestamp;
use jiff::civil::Date;

use super::lifecycle::ChangeError;
use super::record::{DocumentId, Tombstone};
use super::registration_date::astana;
use super::registry::{AuditEntry, Index, RegisterError, Registry, version_key};
use crate::address::ContentAddress;
use crate::audit::log::{AuditLog, LogError};
use crate::codec;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

/// Why a document may not be disposed of yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Retained {
    /// Its retention has not passed.
    #[error("retained until {0}")]
    Until(Date),
    /// It waits for its facility's end-of-service event.
    #[error("retained until the facility's end of service")]
    EndOfServicePending,
    /// Legal holds are in force: (hold number, reason).
    #[error("under {} legal hold(s)", .0.len())]
    Held(Vec<(u32, String)>),
}

/// What a disposal did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Disposal {
    /// The tombstone of each version, by version number.
    pub tombstones: Vec<(u32, Tombstone)>,
}

/// Why a disposal was refused; nothing is removed in any of these cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DisposeError {
    /// The document is still retained (the command line exits 3).
    #[error("document {id} may not be disposed of: {why}")]
    Retained {
        /// The document.
        id: DocumentId,
        /// Why.
        why: Retained,
    },
    /// It was disposed of already.
    #[error("document {0} was disposed of already")]
    AlreadyDisposed(DocumentId),
    /// Another refusal (no such document, bad text, storage).
    #[error(transparent)]
    Change(#[from] ChangeError),
}

impl From<RegisterError> for DisposeError {
    fn from(e: RegisterError) -> Self {
        Self::Change(e.into())
    }
}

impl From<LogError> for DisposeError {
    fn from(e: LogError) -> Self {
        Self::Change(e.into())
    }
}

impl From<crate::storage::StorageError> for DisposeError {
    fn from(e: crate::storage::StorageError) -> Self {
        Self::Change(e.into())
    }
}

/// The Astana calendar date of an instant (retention dates are dates there).
fn astana_date(at: Timestamp) -> Result<Date, RegisterError> {
    Ok(at.to_zoned(astana()?).date())
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Whether document `id` may be disposed of at `at`: `Ok(())` when its retention has
    /// passed (the Astana date of `at` is after its last retained day) and no hold is active.
    pub fn disposable(&self, id: DocumentId, at: Timestamp) -> Result<(), DisposeError> {
        let view = self.document(id)?.ok_or(ChangeError::NotFound(id))?;
        let holds: Vec<(u32, String)> = view
            .active_holds()
            .map(|(number, reason)| (number, reason.to_owned()))
            .collect();
        let why = if !holds.is_empty() {
            Retained::Held(holds)
        } else {
            match view.retain_until() {
                None => Retained::EndOfServicePending,
                Some(until) if astana_date(at)? <= until => Retained::Until(until),
                Some(_) => return Ok(()),
            }
        };
        Err(DisposeError::Retained { id, why })
    }

    /// Disposes of document `id`: see the module documentation. Refused while
    /// [`Self::disposable`] refuses.
    pub fn dispose(
        &self,
        id: DocumentId,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<Disposal, DisposeError> {
        super::lifecycle::check_text("the reason", reason)?;
        super::lifecycle::check_text("the name", by)?;
        let disposal = {
            let _writer = self.lock();
            if self.is_disposed(id)? {
                return Err(DisposeError::AlreadyDisposed(id));
            }
            self.disposable(id, at)?;
            let view = self.document(id)?.ok_or(ChangeError::NotFound(id))?;
            let retained_until = view
                .retain_until()
                .map(|d| d.to_string())
                .unwrap_or_default();
            let backend = self.content().backend();
            let log = AuditLog::open(backend)?;
            let mut batch = MetaBatch::new();
            let mut tombstones = Vec::new();
            let mut removed: Vec<[u8; 32]> = Vec::new();
            for version in &view.versions {
                let address = ContentAddress(version.content);
                let content_removed =
                    removed.contains(&version.content) || !self.used_elsewhere(id, &address)?;
                if content_removed && !removed.contains(&version.content) {
                    batch.dispose_manifest(&version.content);
                    removed.push(version.content);
                }
                let tombstone = Tombstone {
                    content: version.content,
                    content_removed,
                    retained_until: retained_until.clone(),
                    reason: reason.to_owned(),
                    by: by.to_owned(),
                    at: at.as_second(),
                };
                batch.put(
                    Table::Tombstones,
                    version_key(id, version.version),
                    codec::encode(&tombstone).map_err(RegisterError::from)?,
                );
                tombstones.push((version.version, tombstone));
            }
            let record = codec::encode(
                &tombstones
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect::<Vec<_>>(),
            )
            .map_err(RegisterError::from)?;
            let entry = AuditEntry {
                kind: "disposed",
                time: at.as_second(),
                subject: &id,
                version: 0,
                actor: by,
                record: &record,
            }
            .to_bytes();
            log.append(&mut batch, &entry)?;
            backend.commit(batch)?;
            Disposal { tombstones }
        };
        // The chunks of the removed manifests, now unreferenced.
        self.content()
            .collect_garbage()
            .map_err(RegisterError::from)?;
        Ok(disposal)
    }

    /// Whether document `id` was disposed of.
    pub fn is_disposed(&self, id: DocumentId) -> Result<bool, DisposeError> {
        Ok(self
            .content()
            .backend()
            .scan_prefix(Table::Tombstones, &id.0)
            .next()
            .transpose()?
            .is_some())
    }

    /// Whether a document other than `id`, not disposed of, has a version with this content.
    fn used_elsewhere(
        &self,
        id: DocumentId,
        address: &ContentAddress,
    ) -> Result<bool, DisposeError> {
        for other in self.find(Index::Content, &address.to_string())? {
            if other != id && !self.is_disposed(other)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
