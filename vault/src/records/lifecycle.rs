//! What happens to a registered document afterwards (DESIGN.md §1): a new version only with a
//! signed annulment act of the one it replaces; legal holds placed and released; retention
//! extended, never shortened. Each is one batch with its event and its audit-log entry.

use jiff::Timestamp;
use jiff::civil::Date;
use qoima_verifier::{Data, Report, Request};

use super::calendar::CalendarError;
use super::record::{Annulment, DocumentId, EndOfService, Event, VersionRecord};
use super::registry::{
    AuditEntry, DocumentView, RegisterError, Registered, Registration, Registry,
};
use crate::audit::log::AuditLog;
use crate::codec;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

/// Why a change to a registered document was refused. Nothing is stored in any of these
/// cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// No document has this id.
    #[error("no document {0}")]
    NotFound(DocumentId),
    /// The annulment act is not a valid signature by an authorised signer over the statement.
    #[error("the annulment act is {verdict}: version {version} stays in force")]
    AnnulmentRefused {
        /// The version the act would annul.
        version: u32,
        /// The act's verdict.
        verdict: String,
        /// The act's verification report.
        report: Box<Report>,
    },
    /// The document changed while this request was prepared (another new version came first).
    #[error("version {expected} is no longer the latest: retry")]
    Conflict {
        /// The version the request replaces.
        expected: u32,
    },
    /// No active hold has this number.
    #[error("no active hold {0} on this document")]
    NoSuchHold(u32),
    /// An extension must end later than the current end of retention.
    #[error("retention can only be extended: {until} is not after {current}")]
    NotLater {
        /// The date asked for.
        until: Date,
        /// The current end of retention.
        current: Date,
    },
    /// The document was disposed of: it changes no more.
    #[error("document {0} was disposed of")]
    Disposed(DocumentId),
    /// The facility's end of service is recorded already.
    #[error("the end of service of object {0} is recorded already")]
    EndOfServiceRecorded(String),
    /// The text of a reason or name is empty or too long.
    #[error("{0} must be 1 to 1000 characters")]
    Text(&'static str),
    /// The text of a calendar year is not a valid table of that year.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Registering the new version failed.
    #[error(transparent)]
    Register(#[from] RegisterError),
}

impl From<crate::storage::StorageError> for ChangeError {
    fn from(e: crate::storage::StorageError) -> Self {
        Self::Register(e.into())
    }
}

impl From<crate::audit::log::LogError> for ChangeError {
    fn from(e: crate::audit::log::LogError) -> Self {
        Self::Register(e.into())
    }
}

impl From<crate::codec::CodecError> for ChangeError {
    fn from(e: crate::codec::CodecError) -> Self {
        Self::Register(e.into())
    }
}

/// The canonical statement an annulment act signs: the document, the version annulled, its
/// content address and the reason, one per line.
pub fn annulment_statement(id: DocumentId, version: &VersionRecord, reason: &str) -> Vec<u8> {
    format!(
        "qoima-annulment-v1\ndocument: {id}\nversion: {}\ncontent: {}\nreason: {reason}\n",
        version.version,
        hex::encode(version.content)
    )
    .into_bytes()
}

/// A reason: 1 to 1000 characters, no control characters but line breaks. A name ("the
/// auditor's name", "the name"): the same, on one line (it is a line of the audit entry).
pub fn check_text(what: &'static str, text: &str) -> Result<(), ChangeError> {
    let chars = text.chars().count();
    let one_line = what.ends_with("name");
    let bad = |c: char| c.is_control() && (one_line || c != '\n');
    if chars == 0 || chars > 1000 || text.chars().any(bad) {
        return Err(ChangeError::Text(what));
    }
    Ok(())
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Registers a new version of document `id`, replacing its latest version, which the
    /// signed act `annulment` (a CMS over [`annulment_statement`]) annuls. The act must be
    /// TOTAL_PASSED at `submission.at` and signed by someone who meets the expectation of the
    /// version it annuls (the same sender), or the submission's own when that had none. The
    /// new version keeps the document's class and participant; its number and date are its
    /// own. The old version stays, marked annulled by the new one.
    pub fn new_version(
        &self,
        id: DocumentId,
        submission: &Registration,
        annulment: &[u8],
        reason: &str,
    ) -> Result<Registered, ChangeError> {
        check_text("the reason", reason)?;
        let view = self.document(id)?.ok_or(ChangeError::NotFound(id))?;
        if !view.tombstones.is_empty() {
            return Err(ChangeError::Disposed(id));
        }
        let Some(previous) = view.versions.last() else {
            return Err(ChangeError::NotFound(id));
        };
        let statement = annulment_statement(id, previous, reason);
        let mut authorised = submission.expected.clone();
        if previous.expected.iin.is_some() || previous.expected.bin.is_some() {
            authorised.iin.clone_from(&previous.expected.iin);
            authorised.bin.clone_from(&previous.expected.bin);
        }
        let request = Request::new(annulment, submission.at.as_second())
            .data(Data::Bytes(&statement))
            .expect(authorised);
        let report = self
            .verifier()
            .verify(&request)
            .map_err(RegisterError::Expectation)?;
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

        let _writer = self.lock();
        let backend = self.content().backend();
        if backend
            .scan_prefix(Table::Tombstones, &id.0)
            .next()
            .is_some()
        {
            return Err(ChangeError::Disposed(id));
        }
        let latest = backend
            .last_with_prefix(Table::Versions, &id.0)?
            .map(|(key, _)| key);
        if latest.as_deref() != Some(&super::registry::version_key(id, previous.version)[..]) {
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
            reason: reason.to_owned(),
            report: act_report,
        });
        let version =
            self.add_version(&mut batch, &log, id, &view.record, number, prepared.clone())?;
        let event = Event::Annulled {
            version: previous.version,
            by_version: number,
            at: submission.at.as_second(),
        };
        self.add_event(&mut batch, &log, id, "registry", event)?;
        backend.commit(batch)?;
        Ok(Registered {
            id,
            version,
            coverage: prepared.coverage(),
            reports: prepared.into_reports(),
        })
    }

    /// Places a legal hold on document `id`; returns its number (for the release).
    pub fn place_hold(
        &self,
        id: DocumentId,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<u32, ChangeError> {
        check_text("the reason", reason)?;
        check_text("the auditor's name", by)?;
        let event = Event::HoldPlaced {
            reason: reason.to_owned(),
            by: by.to_owned(),
            at: at.as_second(),
        };
        self.record_event(id, by, event, |_| Ok(()))
    }

    /// Releases the active hold `hold` of document `id`.
    pub fn release_hold(
        &self,
        id: DocumentId,
        hold: u32,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        check_text("the reason", reason)?;
        check_text("the auditor's name", by)?;
        let event = Event::HoldReleased {
            hold,
            reason: reason.to_owned(),
            by: by.to_owned(),
            at: at.as_second(),
        };
        self.record_event(id, by, event, |view| {
            if view.active_holds().any(|(number, _)| number == hold) {
                Ok(())
            } else {
                Err(ChangeError::NoSuchHold(hold))
            }
        })
        .map(drop)
    }

    /// Extends the retention of every version of document `id` to at least `until`, which
    /// must be later than the document's current end of retention.
    pub fn extend_retention(
        &self,
        id: DocumentId,
        until: Date,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        check_text("the reason", reason)?;
        check_text("the name", by)?;
        let event = Event::RetentionExtended {
            until: until.to_string(),
            reason: reason.to_owned(),
            by: by.to_owned(),
            at: at.as_second(),
        };
        self.record_event(id, by, event, |view| match view.retain_until() {
            Some(current) if until <= current => Err(ChangeError::NotLater { until, current }),
            _ => Ok(()),
        })
        .map(drop)
    }

    /// Records the end of service of the facility with construction object number `object`:
    /// the `construction-record` documents of that object are retained from then on for
    /// their class's tail. Recorded once; a second record for the same object is refused.
    pub fn record_end_of_service(
        &self,
        object: &str,
        date: Date,
        reason: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        if !(object.len() == 18 && object.bytes().all(|b| b.is_ascii_digit())) {
            return Err(RegisterError::ObjectNumber(object.to_owned()).into());
        }
        check_text("the reason", reason)?;
        check_text("the name", by)?;
        let record = EndOfService {
            date: date.to_string(),
            reason: reason.to_owned(),
            by: by.to_owned(),
            at: at.as_second(),
        };
        let bytes = codec::encode(&record)?;
        let subject = format!("object:{object}");
        let entry = AuditEntry {
            kind: "end-of-service",
            time: record.at,
            subject: &subject,
            version: 0,
            actor: by,
            record: &bytes,
        }
        .to_bytes();
        let _writer = self.lock();
        let backend = self.content().backend();
        if backend.get(Table::Facilities, object.as_bytes())?.is_some() {
            return Err(ChangeError::EndOfServiceRecorded(object.to_owned()));
        }
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::Facilities, object.as_bytes().to_vec(), bytes);
        log.append(&mut batch, &entry)?;
        backend.commit(batch)?;
        Ok(())
    }

    /// Records that auditor `by` read `what` of document `id` (issue 5: every auditor read
    /// appends an entry). Called before the read is served.
    pub fn record_read(
        &self,
        id: DocumentId,
        what: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<(), ChangeError> {
        check_text("the auditor's name", by)?;
        check_text("the name", what)?;
        let event = Event::AuditorRead {
            by: by.to_owned(),
            what: what.to_owned(),
            at: at.as_second(),
        };
        self.record_event(id, by, event, |_| Ok(())).map(drop)
    }

    /// Writes `event` for document `id` after `check` accepts the document as it is under the
    /// writer lock; returns the event's number.
    fn record_event(
        &self,
        id: DocumentId,
        by: &str,
        event: Event,
        check: impl FnOnce(&DocumentView) -> Result<(), ChangeError>,
    ) -> Result<u32, ChangeError> {
        let _writer = self.lock();
        let view = self.document(id)?.ok_or(ChangeError::NotFound(id))?;
        // Reads of a disposed document are still logged; changes are refused.
        if !view.tombstones.is_empty() && !matches!(event, Event::AuditorRead { .. }) {
            return Err(ChangeError::Disposed(id));
        }
        check(&view)?;
        let backend = self.content().backend();
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        let number = self.add_event(&mut batch, &log, id, by, event)?;
        backend.commit(batch)?;
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
            Some((key, _)) => event_number(&key)? + 1,
        };
        let bytes = codec::encode(&event)?;
        let time = event.at();
        let entry = AuditEntry {
            kind: event.kind(),
            time,
            subject: &id,
            version: number,
            actor: by,
            record: &bytes,
        }
        .to_bytes();
        let mut key = id.0.to_vec();
        key.extend_from_slice(&number.to_be_bytes());
        batch.put(Table::Events, key, bytes);
        log.append(batch, &entry)?;
        Ok(number)
    }
}

fn event_number(key: &[u8]) -> Result<u32, ChangeError> {
    let bytes: [u8; 4] = key
        .get(16..)
        .and_then(|tail| tail.try_into().ok())
        .ok_or_else(|| crate::audit::log::LogError::Damaged("an event key is malformed".into()))?;
    Ok(u32::from_be_bytes(bytes))
}
