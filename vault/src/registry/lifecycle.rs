//! What happens to a registered document afterwards: a new version only with a signed
//! annulment act of the one it replaces; legal holds placed and released; retention extended,
//! never shortened; a facility's end of service; auditors' reads. Each is one batch with its
//! event or record and its audit-log entry.

use jiff::Timestamp;
use jiff::civil::Date;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Data, Request};

use super::error::{ChangeError, RegisterError, StoreError};
use super::register::{ChunksRead, Registered, Registration};
use super::reverify::ReverifyMode;
use super::view::{DocumentView, Index};
use super::{AuditEntry, Registry, event_key, number_of, version_key};
use crate::audit::log::AuditLog;
use crate::codec;
use crate::records::{
    Actor, Annulment, DocumentId, EndOfService, Event, ObjectNumber, Reason, VersionRecord,
    annulment_statement, astana,
};
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Registers a new version of document `id`, replacing its latest version, which the
    /// signed act `annulment` (a CMS over [`annulment_statement`], which names the replacement's
    /// content) annuls. The act must be TOTAL_PASSED at `submission.at` and signed by the
    /// sender recorded for the version it annuls (`senders`). The new version keeps the
    /// document's class and participant; its number and date are its own. The old version
    /// stays, marked annulled by the new one.
    pub fn new_version(
        &self,
        id: DocumentId,
        submission: &Registration,
        annulment: &[u8],
        reason: &Reason,
    ) -> Result<Registered, ChangeError> {
        let view = self.document(id)?.ok_or(ChangeError::NotFound(id))?;
        if !view.tombstones.is_empty() {
            return Err(ChangeError::Disposed(id));
        }
        let Some(previous) = view.versions.last() else {
            return Err(ChangeError::NotFound(id));
        };
        let statement = annulment_statement(id, previous, &submission.content.0, reason);
        let mut report = None;
        for sender in senders(previous)? {
            let request = Request::new(annulment, submission.at.as_second())
                .data(Data::Bytes(&statement))
                .expect(sender);
            let verified = self
                .verifier()
                .verify(&request)
                .map_err(RegisterError::Expectation)?;
            let passed = verified.verdict.passed();
            report = Some(verified);
            if passed {
                break;
            }
        }
        let Some(report) = report else {
            return Err(ChangeError::NoSender {
                version: previous.version,
            });
        };
        let act_report =
            serde_json::to_vec(&report).map_err(|e| RegisterError::Report(e.to_string()))?;
        if !report.verdict.passed() {
            return Err(ChangeError::AnnulmentRefused {
                version: previous.version,
                verdict: report.verdict.to_string(),
                report: Box::new(report),
            });
        }
        let mut submission = submission.clone();
        submission.class = view.class()?;
        submission.participant = view.participant()?;
        let prepared = self.prepare(&submission)?;

        let writer = self.lock()?;
        let backend = self.content().backend();
        if self.is_disposed(id)? {
            return Err(ChangeError::Disposed(id));
        }
        let latest = backend
            .last_with_prefix(Table::Versions, &id.0)?
            .map(|(key, _)| key);
        if latest.as_deref() != Some(&version_key(id, previous.version)[..]) {
            return Err(ChangeError::Conflict {
                expected: previous.version,
            });
        }
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        let number = previous.version + 1;
        let mut prepared = prepared;
        prepared.annulment = Some(Annulment {
            version: previous.version,
            statement,
            signature: annulment.to_vec(),
            reason: reason.to_string(),
            report: act_report,
        });
        let (version, chunks) =
            self.add_version(&mut batch, &log, id, &view.record, number, prepared.clone())?;
        let event = Event::Annulled {
            version: previous.version,
            by_version: number,
            at: submission.at.as_second(),
        };
        self.add_event(&mut batch, &log, id, "registry", event)?;
        backend.commit(batch)?;
        drop(writer);
        // Committed: the storage's locks follow, outside the writer lock (`locks.rs`).
        let mut registered = prepared.registered(id, version);
        registered.unlocked = self.lock_committed(id, &chunks);
        Ok(registered)
    }

    /// Places a legal hold on document `id` for the authority `by` acts for (the BIN of its
    /// key, if bound to one); returns its number (for the release).
    pub fn place_hold(
        &self,
        id: DocumentId,
        reason: &Reason,
        by: &Actor,
        authority: Option<&str>,
        at: Timestamp,
    ) -> Result<u32, ChangeError> {
        let event = Event::HoldPlaced {
            reason: reason.to_string(),
            by: by.to_string(),
            authority: authority.map(str::to_owned),
            at: at.as_second(),
        };
        // The storage's legal holds first: a hold that could not be placed there is refused
        // and not recorded (`locks.rs`).
        self.record_event(id, by, event, |view| Ok(self.hold_before_commit(view)?))
    }

    /// Releases the active hold `hold` of document `id`: only the authority that placed it
    /// may (a key of the same BIN; for a hold placed by no BIN, the same `by`).
    pub fn release_hold(
        &self,
        id: DocumentId,
        hold: u32,
        reason: &Reason,
        by: &Actor,
        authority: Option<&str>,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        let event = Event::HoldReleased {
            hold,
            reason: reason.to_string(),
            by: by.to_string(),
            at: at.as_second(),
        };
        self.record_event_then(
            id,
            by,
            event,
            |view| {
                let placed = view
                    .events
                    .iter()
                    .find(|(number, _)| *number == hold)
                    .map(|(_, event)| event)
                    .filter(|_| view.active_holds().any(|(number, _)| number == hold));
                let Some(Event::HoldPlaced {
                    by: placer,
                    authority: placing,
                    ..
                }) = placed
                else {
                    return Err(ChangeError::NoSuchHold(hold));
                };
                let same = match placing {
                    Some(bin) => authority == Some(bin.as_str()),
                    None => placer.as_str() == by.as_str(),
                };
                if same {
                    Ok(())
                } else {
                    Err(ChangeError::NotHoldAuthority {
                        hold,
                        authority: placing.clone().unwrap_or_else(|| placer.clone()),
                    })
                }
            },
            |view| {
                // Recorded: the storage's legal holds lifted from the chunks no held document
                // uses (`locks.rs`). A failure leaves them held, the safe side, until the
                // maintenance of the locks lifts them.
                let _ = self.release_after_commit(view);
            },
        )
        .map(drop)
    }

    /// Extends the retention of every version of document `id` to at least `until`, which
    /// must be later than the document's current end of retention.
    pub fn extend_retention(
        &self,
        id: DocumentId,
        until: Date,
        reason: &Reason,
        by: &Actor,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        let event = Event::RetentionExtended {
            until: until.to_string(),
            reason: reason.to_string(),
            by: by.to_string(),
            at: at.as_second(),
        };
        self.record_event(id, by, event, |view| match view.retain_until() {
            Some(current) if until <= current => Err(ChangeError::NotLater { until, current }),
            // The storage's locks extended first: an extension they could not follow is
            // refused and not recorded (`locks.rs`).
            _ => Ok(self.extend_before_commit(view, until)?),
        })
        .map(drop)
    }

    /// Records the end of service of the facility with construction object number `object`:
    /// the `construction-record` documents of that object are retained from then on for
    /// their class's tail. Recorded once; a second record for the same object is refused.
    pub fn record_end_of_service(
        &self,
        object: &ObjectNumber,
        date: Date,
        reason: &Reason,
        by: &Actor,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        let today = self
            .now()
            .to_zoned(astana().map_err(RegisterError::from)?)
            .date();
        if date > today {
            return Err(ChangeError::EndOfServiceInFuture { date, today });
        }
        let record = EndOfService {
            date: date.to_string(),
            reason: reason.to_string(),
            by: by.to_string(),
            at: at.as_second(),
        };
        let bytes = codec::encode(&record)?;
        let subject = format!("object:{object}");
        let entry = AuditEntry {
            kind: "end-of-service",
            time: record.at,
            subject: &subject,
            version: 0,
            actor: by.as_str(),
            registration: None,
            record: &bytes,
        }
        .to_bytes();
        let key = object.as_str().as_bytes();
        let writer = self.lock()?;
        let backend = self.content().backend();
        if backend.get(Table::Facilities, key)?.is_some() {
            return Err(ChangeError::EndOfServiceRecorded(object.clone()));
        }
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::Facilities, key.to_vec(), bytes);
        log.append(&mut batch, &entry)?;
        backend.commit(batch)?;
        drop(writer);
        // Committed: the construction records of the object have a date now, and their
        // chunks a lock until it (`locks.rs`). A failure leaves their rolling lock, which
        // has a year at least to run, for the maintenance of the locks to extend.
        if self.content().backend().object_lock().is_some()
            && let Ok(documents) = self.find(Index::Object, object.as_str())
        {
            for document in documents {
                let _ = self.lock_committed(document, &ChunksRead::default());
            }
        }
        Ok(())
    }

    /// Records that auditor `by` read `what` of document `id` (every auditor read appends an
    /// entry). Called before the read is served. `what` names the part read (`document`,
    /// `versions`, `content`): a word of the caller's code, never input.
    pub fn record_read(
        &self,
        id: DocumentId,
        what: &'static str,
        by: &Actor,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        let event = Event::AuditorRead {
            by: by.to_string(),
            what: what.to_owned(),
            at: at.as_second(),
        };
        self.record_event(id, by, event, |_| Ok(())).map(drop)
    }

    /// Records that a re-verification of `version` of document `id` in `mode` at
    /// `validation_time` (unix seconds) found `indication`/`sub_indication`, other than the
    /// verdict known before: an event of the document and its audit entry, so that the vault
    /// shows when it learned it. Returns the event's number.
    pub fn record_reverification(
        &self,
        id: DocumentId,
        version: u32,
        verdict: (&str, Option<&str>),
        mode: ReverifyMode,
        validation_time: i64,
        by: &Actor,
    ) -> Result<u32, ChangeError> {
        let event = Event::Reverified {
            version,
            indication: verdict.0.to_owned(),
            sub_indication: verdict.1.map(str::to_owned),
            mode: mode.as_str().to_owned(),
            validation_time,
            by: by.to_string(),
            at: self.now().as_second(),
        };
        self.record_event(id, by, event, |view| {
            if view.versions.iter().any(|v| v.version == version) {
                Ok(())
            } else {
                Err(ChangeError::NoSuchVersion(id, version))
            }
        })
    }

    /// Writes `event` for document `id` after `check` accepts the document as it is under the
    /// writer lock; returns the event's number.
    pub(super) fn record_event(
        &self,
        id: DocumentId,
        by: &Actor,
        event: Event,
        check: impl FnOnce(&DocumentView) -> Result<(), ChangeError>,
    ) -> Result<u32, ChangeError> {
        self.record_event_then(id, by, event, check, |_| ())
    }

    /// [`Self::record_event`], then `after` on the document as it was before the event, once
    /// the event is committed and still under the writer lock.
    fn record_event_then(
        &self,
        id: DocumentId,
        by: &Actor,
        event: Event,
        check: impl FnOnce(&DocumentView) -> Result<(), ChangeError>,
        after: impl FnOnce(&DocumentView),
    ) -> Result<u32, ChangeError> {
        let _writer = self.lock()?;
        let view = self.document(id)?.ok_or(ChangeError::NotFound(id))?;
        // Reads of a disposed document are still logged; changes are refused.
        if !view.tombstones.is_empty() && !matches!(event, Event::AuditorRead { .. }) {
            return Err(ChangeError::Disposed(id));
        }
        check(&view)?;
        let backend = self.content().backend();
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        let number = self.add_event(&mut batch, &log, id, by.as_str(), event)?;
        backend.commit(batch)?;
        after(&view);
        Ok(number)
    }

    /// Adds `event` with the next event number of `id` and its audit entry to `batch` (the
    /// entry's number line holds the event number).
    fn add_event(
        &self,
        batch: &mut MetaBatch,
        log: &AuditLog<'_, S>,
        id: DocumentId,
        by: &str,
        event: Event,
    ) -> Result<u32, ChangeError> {
        let backend = self.content().backend();
        let number = match backend.last_with_prefix(Table::Events, &id.0)? {
            None => 1,
            Some((key, _)) => number_of(&key)? + 1,
        };
        let bytes = codec::encode_upgraded(&event)?;
        let entry = AuditEntry {
            kind: event.kind(),
            time: event.at(),
            subject: &id,
            version: number,
            actor: by,
            registration: None,
            record: &bytes,
        }
        .to_bytes();
        batch.put(Table::Events, event_key(id, number), bytes);
        log.append(batch, &entry)?;
        Ok(number)
    }
}

/// Who may annul `version`: the sender it recorded, or, for a version that named none (stored
/// before senders were required, or of a class whose sender is unknown in advance), each
/// signer of it as its stored report identifies them. Never anyone the new request names.
fn senders(version: &VersionRecord) -> Result<Vec<Expectation>, StoreError> {
    let expected = &version.expected;
    if expected.iin.is_some() || expected.bin.is_some() {
        return Ok(vec![Expectation {
            iin: expected.iin.clone(),
            bin: expected.bin.clone(),
            roles: Vec::new(),
        }]);
    }
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&version.report).map_err(|e| {
        StoreError::Damaged(format!("the report of version {}: {e}", version.version))
    })?;
    let text = |value: &serde_json::Value| value.as_str().map(str::to_owned);
    let mut senders: Vec<Expectation> = Vec::new();
    for signer in reports
        .iter()
        .flat_map(|r| r["signers"].as_array().into_iter().flatten())
    {
        let identity = &signer["identity"];
        let sender = Expectation {
            iin: text(&identity["iin"]),
            bin: text(&identity["bin"]),
            roles: Vec::new(),
        };
        if (sender.iin.is_some() || sender.bin.is_some()) && !senders.contains(&sender) {
            senders.push(sender);
        }
    }
    Ok(senders)
}
