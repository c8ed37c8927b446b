//! Disposal: the one operation that deletes. A document whose retention has passed and that
//! carries no active hold may be disposed of, never on a clock's word alone: with a disposal act
//! signed with the EDS of a responsible officer the configuration names, over the canonical
//! [`disposal_statement`], verified and kept. The instant is checked against the vault's clock
//! and its audit log: not later than the clock, not before the log's last entry (a clock set
//! back cannot date a disposal before what the log already holds). The content of its versions
//! is removed unless another document not disposed of still uses it, and a tombstone per
//! version records what, when, why and by whom. On a storage with locks of its own, chunks it
//! still refuses to delete (their lock has not passed in its time, or a hold is on) stay and
//! are reported ([`Disposal::locked`]); the disposal stands. No other code path removes a registered
//! document's content (the collection of unreferenced content, `gc.rs`, removes only content
//! that no version references).

use jiff::Timestamp;
use jiff::civil::Date;
use qoima_verifier::{Data, Request};

use super::error::{DisposeError, Retained, StoreError};
use super::view::Index;
use super::{AuditEntry, Registry, version_key};
use crate::address::{ChunkId, ContentAddress};
use crate::audit::log::AuditLog;
use crate::codec;
use crate::records::{
    Actor, DisposalAct, DocumentId, Reason, RegistrationDateError, Tombstone, astana,
};
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

/// What a disposal did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Disposal {
    /// The tombstone of each version, by version number.
    pub tombstones: Vec<(u32, Tombstone)>,
    /// Chunks of the removed content that no content still stored uses but that the storage
    /// refused to delete, still under its own lock or a legal hold (S3 Object Lock): left in
    /// place, and removed by a later collection once the lock has passed. The disposal and
    /// its tombstones stand.
    pub locked: Vec<ChunkId>,
}

/// The Astana calendar date of an instant (retention dates are dates there).
fn astana_date(at: Timestamp) -> Result<Date, RegistrationDateError> {
    Ok(at.to_zoned(astana()?).date())
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Whether document `id` may be disposed of at `at`: `Ok(())` when its retention has
    /// passed (the Astana date of `at` is after its last retained day) and no hold is active.
    pub fn disposable(&self, id: DocumentId, at: Timestamp) -> Result<(), DisposeError> {
        let view = self.document(id)?.ok_or(DisposeError::NotFound(id))?;
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
        reason: &Reason,
        act: &[u8],
        by: &Actor,
        at: Timestamp,
    ) -> Result<Disposal, DisposeError> {
        let disposal = {
            let _writer = self.lock()?;
            if self.is_disposed(id)? {
                return Err(DisposeError::AlreadyDisposed(id));
            }
            self.disposable(id, at)?;
            let now = self.now();
            if at > now {
                return Err(DisposeError::InFuture { at, now });
            }
            let backend = self.content().backend();
            let log = AuditLog::open(backend)?;
            if let Some(last) = last_entry_time(&log)?
                && at.as_second() < last
            {
                return Err(DisposeError::BeforeLastEntry { at, last });
            }
            let view = self.document(id)?.ok_or(DisposeError::NotFound(id))?;
            let retained_until = view
                .retain_until()
                .map(|d| d.to_string())
                .unwrap_or_default();
            let statement = view.disposal_statement(reason);
            let act = self.disposal_act(&statement, act, at)?;
            let act = codec::encode(&act)?;
            let mut batch = MetaBatch::new();
            batch.put(Table::DisposalActs, id.0.to_vec(), act.clone());
            let mut tombstones = Vec::new();
            let mut removed: Vec<[u8; 32]> = Vec::new();
            let mut freed: Vec<ChunkId> = Vec::new();
            for version in &view.versions {
                let address = ContentAddress(version.content);
                let content_removed =
                    removed.contains(&version.content) || !self.used_elsewhere(id, &address)?;
                if content_removed && !removed.contains(&version.content) {
                    batch.dispose_manifest(&version.content);
                    removed.push(version.content);
                    // Which chunks the storage may refuse, for the report: only where it
                    // has locks of its own, and only what the manifest still says.
                    if backend.object_lock().is_some()
                        && let Ok(manifest) = self.content().manifest(&address)
                    {
                        freed.extend(manifest.chunks.iter().map(|c| c.id));
                    }
                }
                let tombstone = Tombstone {
                    content: version.content,
                    content_removed,
                    retained_until: retained_until.clone(),
                    reason: reason.to_string(),
                    by: by.to_string(),
                    at: at.as_second(),
                };
                batch.put(
                    Table::Tombstones,
                    version_key(id, version.version),
                    codec::encode(&tombstone)?,
                );
                tombstones.push((version.version, tombstone));
            }
            // The entry covers the act and the tombstones.
            let record = [
                act,
                codec::encode(
                    &tombstones
                        .iter()
                        .map(|(_, t)| t.clone())
                        .collect::<Vec<_>>(),
                )?,
            ]
            .concat();
            let entry = AuditEntry {
                kind: "disposed",
                time: at.as_second(),
                subject: &id,
                version: 0,
                actor: by.as_str(),
                registration: None,
                record: &record,
            }
            .to_bytes();
            log.append(&mut batch, &entry)?;
            backend.commit(batch)?;
            freed.sort();
            freed.dedup();
            (
                Disposal {
                    tombstones,
                    locked: Vec::new(),
                },
                freed,
            )
        };
        let (mut disposal, freed) = disposal;
        // The chunks of the removed manifests, now unreferenced. The storage may refuse
        // those still under its own lock: they stay, and are reported (`locks.rs`).
        if self.collect_chunks()?.is_some() {
            disposal.locked = self.still_stored_unreferenced(freed)?;
        }
        Ok(disposal)
    }

    /// The act `signature` over `statement`, verified at `at`: TOTAL_PASSED and signed by one
    /// of the configured officers.
    fn disposal_act(
        &self,
        statement: &[u8],
        signature: &[u8],
        at: Timestamp,
    ) -> Result<DisposalAct, DisposeError> {
        if self.disposal_officers.is_empty() {
            return Err(DisposeError::NoOfficer);
        }
        let mut last = None;
        for officer in &self.disposal_officers {
            let request = Request::new(signature, at.as_second())
                .data(Data::Bytes(statement))
                .expect(officer.clone());
            let report = self
                .verifier()
                .verify(&request)
                .map_err(|e| DisposeError::Officer(e.to_string()))?;
            if report.verdict.passed() {
                return Ok(DisposalAct {
                    statement: statement.to_vec(),
                    signature: signature.to_vec(),
                    report: serde_json::to_vec(&report)
                        .map_err(|e| DisposeError::Officer(e.to_string()))?,
                });
            }
            last = Some(report);
        }
        let report = last.ok_or(DisposeError::NoOfficer)?;
        Err(DisposeError::ActRefused {
            verdict: report.verdict.to_string(),
            report: Box::new(report),
        })
    }

    /// Whether a document other than `id`, not disposed of, has a version with this content.
    fn used_elsewhere(&self, id: DocumentId, address: &ContentAddress) -> Result<bool, StoreError> {
        for other in self.find(Index::Content, &address.to_string())? {
            if other != id && !self.is_disposed(other)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The time of the audit log's last entry, unix seconds; `None` for an empty log.
fn last_entry_time<S: MetaStore>(log: &AuditLog<'_, S>) -> Result<Option<i64>, StoreError> {
    let Some(last) = log.size().checked_sub(1) else {
        return Ok(None);
    };
    let entry = log.entry(last)?;
    AuditEntry::time_of(&entry)
        .map(Some)
        .ok_or_else(|| StoreError::Damaged(format!("audit entry {last} is unreadable")))
}
