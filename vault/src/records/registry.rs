//! Registration of signed documents on the content store (issue 5, `docs/records.md`): the
//! signatures are verified, the format checked, a number and a date assigned, and the
//! document, its first version, its number, its indexes and its audit-log entry written in one
//! atomic batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use jiff::Timestamp;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Report, RequestError, Verifier};

use super::calendar::{Calendar, Coverage};
use super::class::{FormatRejected, RetainUntil, Retention, RetentionClass};
use super::format::sniff;
use super::numbering::{Fields, Participant, Template};
use super::record::{Annulment, DocumentId, DocumentRecord, ExpectedSigner, VersionRecord};
use super::registration_date::{DatingRule, RegistrationDateError, registration_date};
pub use super::view::{DocumentView, Index};
use crate::address::ContentAddress;
use crate::audit::log::{AuditLog, LogError};
use crate::codec::{self, CodecError};
use crate::content::ContentStore;
use crate::error::VaultError;
use crate::storage::rocks::RocksBackend;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, StorageError, Table};

/// How numbers are made: the template of each participant, and the one for the others.
#[derive(Debug, Clone)]
pub struct Numbering {
    /// Templates by participant name.
    pub templates: HashMap<String, Template>,
    /// For participants without their own.
    pub default: Template,
}

impl Numbering {
    /// The template the issue gives as the example, for every participant.
    pub const DEFAULT_TEMPLATE: &'static str = "{participant}-{yyyy}-{seq:06}";

    /// `default` for every participant.
    pub fn new(default: Template) -> Self {
        Self {
            templates: HashMap::new(),
            default,
        }
    }
}

/// Whether `retention` may replace the rules' default for `class`: only a longer one of the
/// same kind (more years, or a longer tail after the end of service).
pub fn check_retention(
    class: RetentionClass,
    retention: Retention,
) -> Result<(), RetentionTooShort> {
    let minimum = class.default_retention();
    let longer = match (retention, minimum) {
        (
            Retention::YearsFromRegistration { years },
            Retention::YearsFromRegistration { years: min },
        ) => years >= min,
        (
            Retention::UntilEndOfService { tail_years },
            Retention::UntilEndOfService { tail_years: min },
        ) => tail_years >= min,
        _ => false,
    };
    if !longer {
        return Err(RetentionTooShort { class, minimum });
    }
    Ok(())
}

/// A configured retention shorter than the rules allow (or of another kind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the retention of {class} can only be lengthened from {minimum:?}")]
pub struct RetentionTooShort {
    /// The class.
    pub class: RetentionClass,
    /// What the rules require.
    pub minimum: Retention,
}

/// A request to register a document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Registration {
    /// The content, already in the content store.
    pub content: ContentAddress,
    /// CMS signatures over it (DER, BER, PEM or base64).
    pub signatures: Vec<Vec<u8>>,
    /// The retention class.
    pub class: RetentionClass,
    /// The 18-digit construction object number.
    pub object_number: Option<String>,
    /// The participant whose numbering applies.
    pub participant: Participant,
    /// Who must have signed: every signature must include a matching signer.
    pub expected: Expectation,
    /// The registration instant (the time of the submission).
    pub at: Timestamp,
    /// The file name the submitter gave.
    pub filename: Option<String>,
    /// The media type the submitter gave.
    pub media_type: Option<String>,
}

impl Registration {
    /// A registration with no object number and no expected signer.
    pub fn new(
        content: ContentAddress,
        signatures: Vec<Vec<u8>>,
        class: RetentionClass,
        participant: Participant,
        at: Timestamp,
    ) -> Self {
        Self {
            content,
            signatures,
            class,
            object_number: None,
            participant,
            expected: Expectation::default(),
            at,
            filename: None,
            media_type: None,
        }
    }

    /// With this construction object number.
    pub fn object_number(mut self, object_number: impl Into<String>) -> Self {
        self.object_number = Some(object_number.into());
        self
    }

    /// With this expected signer.
    pub fn expect(mut self, expected: Expectation) -> Self {
        self.expected = expected;
        self
    }

    /// With the file name and media type the submitter gave (checked at registration).
    pub fn file(mut self, filename: Option<String>, media_type: Option<String>) -> Self {
        self.filename = filename;
        self.media_type = media_type;
        self
    }
}

/// A file name as the submitter gave it: a name, never a path.
fn check_filename(name: &str) -> Result<(), RegisterError> {
    let plain = (1..=255).contains(&name.chars().count())
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name != "."
        && name != "..";
    if plain {
        Ok(())
    } else {
        Err(RegisterError::Filename(name.to_owned()))
    }
}

/// A media type: RFC 6838 §4.2 restricted names, `type/subtype`, no parameters.
fn check_media_type(text: &str) -> Result<(), RegisterError> {
    let restricted = |name: &str| {
        let mut bytes = name.bytes();
        bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
            && name.len() <= 63
            && bytes.all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match text.split_once('/') {
        Some((kind, subtype)) if text.len() <= 127 && restricted(kind) && restricted(subtype) => {
            Ok(())
        }
        _ => Err(RegisterError::MediaType(text.to_owned())),
    }
}

/// A verified, checked and dated submission, ready to be numbered and written.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    address: ContentAddress,
    length: u64,
    format: &'static str,
    signatures: Vec<Vec<u8>>,
    expected: ExpectedSigner,
    participant: Participant,
    class: RetentionClass,
    date: jiff::civil::Date,
    coverage: Coverage,
    registered_at: i64,
    retain_until: Option<String>,
    tail_years: u16,
    reports: Vec<Report>,
    /// The CRLs the verdicts used that the content store keeps (evidence).
    crls: Vec<[u8; 32]>,
    /// The act annulling the previous version, for a new version.
    pub(crate) annulment: Option<Annulment>,
    filename: Option<String>,
    media_type: Option<String>,
}

impl Prepared {
    pub(crate) fn coverage(&self) -> Coverage {
        self.coverage
    }

    pub(crate) fn into_reports(self) -> Vec<Report> {
        self.reports
    }
}

/// What a registration produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Registered {
    /// The new document's id.
    pub id: DocumentId,
    /// The stored version (1).
    pub version: VersionRecord,
    /// Whether the registration date came from calendar data or the fallback.
    pub coverage: Coverage,
    /// The verification report of each signature.
    pub reports: Vec<Report>,
}

/// Why a registration was refused. Nothing is stored in any of these cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// No signature was given.
    #[error("a document is registered with at least one signature")]
    NoSignature,
    /// The content is not in the store.
    #[error("no content stored at {0}")]
    ContentMissing(ContentAddress),
    /// The content's format is not one the class accepts.
    #[error(transparent)]
    Format(#[from] FormatRejected),
    /// The object number is not 18 digits.
    #[error("the construction object number must be 18 digits, not {0:?}")]
    ObjectNumber(String),
    /// The file name is not a plain name of 1 to 255 characters.
    #[error(
        "the file name must be 1 to 255 characters, without control characters, '/' or '\\', \
         and not . or ..: {0:?}"
    )]
    Filename(String),
    /// The media type is not an RFC 6838 `type/subtype`.
    #[error("the media type must be an RFC 6838 type/subtype of at most 127 characters: {0:?}")]
    MediaType(String),
    /// The expectation itself is invalid (an IIN or BIN that is not 12 digits).
    #[error(transparent)]
    Expectation(RequestError),
    /// A signature is not TOTAL_PASSED; the reports say why.
    #[error("signature {index} is {verdict}: not registered")]
    Refused {
        /// Which signature (from 0).
        index: usize,
        /// Its verdict.
        verdict: String,
        /// The reports of every signature.
        reports: Vec<Report>,
    },
    /// The registration date could not be computed.
    #[error(transparent)]
    Date(#[from] RegistrationDateError),
    /// Reading the content, or the store, failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The audit log failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A record could not be encoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The reports could not be serialised.
    #[error("the verification report could not be written: {0}")]
    Report(String),
    /// No random id could be drawn.
    #[error("the system random generator failed")]
    Random,
}

impl From<StorageError> for RegisterError {
    fn from(e: StorageError) -> Self {
        Self::Vault(e.into())
    }
}

/// Registered documents on a content store.
pub struct Registry<S = RocksBackend> {
    content: ContentStore<S>,
    verifier: Arc<Verifier>,
    /// The calendar given, with the years an administrator set on top (`calendars`).
    calendar: RwLock<Arc<Calendar>>,
    numbering: Numbering,
    /// Retention per class where the operator set a longer one than the rules'.
    retention: HashMap<RetentionClass, Retention>,
    /// Every write of the record layer holds this: numbers and log indexes are read and
    /// taken in one critical section, and written in one batch.
    writer: Mutex<()>,
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// A registry on `content`, verifying with `verifier`, dating with `calendar` and the
    /// calendar years stored in the vault on top of it.
    pub fn new(
        content: ContentStore<S>,
        verifier: Arc<Verifier>,
        calendar: Calendar,
        numbering: Numbering,
    ) -> Result<Self, RegisterError> {
        let calendar = super::calendars::with_stored_years(content.backend(), calendar)?;
        Ok(Self {
            content,
            verifier,
            calendar: RwLock::new(Arc::new(calendar)),
            numbering,
            retention: HashMap::new(),
            writer: Mutex::new(()),
        })
    }

    /// The working-day calendar in force.
    pub fn calendar(&self) -> Arc<Calendar> {
        Arc::clone(&self.calendar.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `calendar` in force (after its change is stored).
    pub(crate) fn replace_calendar(&self, calendar: Calendar) {
        *self
            .calendar
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(calendar);
    }

    /// With `retention` for `class` instead of the rules' default, which it may only
    /// lengthen (more years, or a longer tail after the end of service).
    pub fn with_retention(
        mut self,
        class: RetentionClass,
        retention: Retention,
    ) -> Result<Self, RetentionTooShort> {
        check_retention(class, retention)?;
        self.retention.insert(class, retention);
        Ok(self)
    }

    /// The retention in force for `class`.
    pub fn retention(&self, class: RetentionClass) -> Retention {
        self.retention
            .get(&class)
            .copied()
            .unwrap_or_else(|| class.default_retention())
    }

    /// The verification engine.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The content store underneath.
    pub fn content(&self) -> &ContentStore<S> {
        &self.content
    }

    /// Registers a document: verifies, checks, numbers, dates and stores it.
    pub fn register(&self, registration: &Registration) -> Result<Registered, RegisterError> {
        if let Some(object) = &registration.object_number
            && !(object.len() == 18 && object.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(RegisterError::ObjectNumber(object.clone()));
        }
        let prepared = self.prepare(registration)?;
        let id = DocumentId::random().map_err(|_| RegisterError::Random)?;
        let document = DocumentRecord {
            class: registration.class.name().to_owned(),
            participant: registration.participant.as_str().to_owned(),
            object_number: registration.object_number.clone(),
            created_at: registration.at.as_second(),
        };
        let _writer = self.lock();
        let backend = self.content.backend();
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::Documents, id.0.to_vec(), codec::encode(&document)?);
        let version = self.add_version(&mut batch, &log, id, &document, 1, prepared.clone())?;
        backend.commit(batch)?;
        Ok(Registered {
            id,
            version,
            coverage: prepared.coverage,
            reports: prepared.reports,
        })
    }

    /// Everything about a submission that needs no lock: content, format, signatures, date.
    pub(crate) fn prepare(&self, submission: &Registration) -> Result<Prepared, RegisterError> {
        if submission.signatures.is_empty() {
            return Err(RegisterError::NoSignature);
        }
        if let Some(name) = &submission.filename {
            check_filename(name)?;
        }
        if let Some(media_type) = &submission.media_type {
            check_media_type(media_type)?;
        }
        let address = submission.content;
        let info = match self.content.stat(&address) {
            Ok(info) => info,
            Err(VaultError::NotFound(_)) => return Err(RegisterError::ContentMissing(address)),
            Err(e) => return Err(e.into()),
        };
        let format = sniff(&self.prefix(&address, info.length)?);
        submission.class.accepts(format)?;
        let reports = self.verify(submission, info.length)?;
        let dated = registration_date(submission.at, &self.calendar(), DatingRule::Submission)?;
        let retention = self.retention(submission.class);
        let retain_until = match retention.retain_until(dated.date, None) {
            RetainUntil::Date(date) => Some(date.to_string()),
            RetainUntil::EndOfServicePending => None,
        };
        let tail_years = match retention {
            Retention::UntilEndOfService { tail_years } => tail_years,
            Retention::YearsFromRegistration { .. } => 0,
        };
        Ok(Prepared {
            address,
            length: info.length,
            format: format.map_or("unknown", |f| f.name()),
            signatures: submission.signatures.clone(),
            expected: ExpectedSigner {
                iin: submission.expected.iin.clone(),
                bin: submission.expected.bin.clone(),
                roles: submission
                    .expected
                    .roles
                    .iter()
                    .map(|r| r.oid().to_owned())
                    .collect(),
            },
            participant: submission.participant.clone(),
            class: submission.class,
            date: dated.date,
            coverage: dated.coverage,
            registered_at: submission.at.as_second(),
            retain_until,
            tail_years,
            crls: self.evidence(&reports)?,
            reports,
            annulment: None,
            filename: submission.filename.clone(),
            media_type: submission.media_type.clone(),
        })
    }

    /// Adds version `number` of document `id` to `batch`: the version, its registration
    /// number (taken here: the caller holds the writer lock), its indexes and its audit entry.
    pub(crate) fn add_version(
        &self,
        batch: &mut MetaBatch,
        log: &AuditLog<'_, S>,
        id: DocumentId,
        document: &DocumentRecord,
        number: u32,
        prepared: Prepared,
    ) -> Result<VersionRecord, RegisterError> {
        let backend = self.content.backend();
        let template = self
            .numbering
            .templates
            .get(prepared.participant.as_str())
            .unwrap_or(&self.numbering.default);
        let fields = Fields {
            participant: &prepared.participant,
            class: prepared.class,
            date: prepared.date,
        };
        let counter = counter_prefix(&template.counter_key(&fields));
        let seq = match backend.last_with_prefix(Table::Numbers, &counter)? {
            None => 1,
            Some((key, _)) => sequence_of(&key, counter.len())? + 1,
        };
        let registration_number = template.render(&fields, seq);
        let kind = if prepared.annulment.is_some() {
            "new-version"
        } else {
            "register"
        };
        let version = VersionRecord {
            version: number,
            content: prepared.address.0,
            length: prepared.length,
            format: prepared.format.to_owned(),
            signatures: prepared.signatures,
            expected: prepared.expected,
            registration_number,
            registration_date: prepared.date.to_string(),
            registered_at: prepared.registered_at,
            retain_until: prepared.retain_until,
            tail_years: prepared.tail_years,
            report: serde_json::to_vec(&prepared.reports)
                .map_err(|e| RegisterError::Report(e.to_string()))?,
            crls: prepared.crls,
            annulment: prepared.annulment,
            audit_index: log.size() + batch_entries(batch),
            filename: prepared.filename,
            media_type: prepared.media_type,
        };
        let bytes = codec::encode(&version)?;
        // A registration's entry covers the document record too: its class, participant and
        // object number are as tamper-evident as the version.
        let covered = if number == 1 {
            [codec::encode(document)?, bytes.clone()].concat()
        } else {
            bytes.clone()
        };
        let entry = AuditEntry {
            kind,
            time: version.registered_at,
            subject: &id,
            version: number,
            actor: prepared.participant.as_str(),
            record: &covered,
        }
        .to_bytes();
        batch.put(Table::Versions, version_key(id, number), bytes);
        let mut number_key = counter;
        number_key.extend_from_slice(&seq.to_be_bytes());
        batch.put(Table::Numbers, number_key, version_key(id, number));
        let address = prepared.address.to_string();
        // A document's own facts are indexed with its first version, each version's with it.
        let first = number == 1;
        for (index, value) in [
            (Index::Number, Some(version.registration_number.as_str())),
            (Index::Content, Some(address.as_str())),
            (
                Index::Participant,
                first.then_some(document.participant.as_str()),
            ),
            (
                Index::Object,
                document.object_number.as_deref().filter(|_| first),
            ),
        ] {
            if let Some(value) = value {
                batch.put(
                    Table::Index,
                    index_key(index, value, id, number),
                    Vec::new(),
                );
            }
        }
        log.append(batch, &entry)?;
        Ok(version)
    }

    /// Holds the writer lock: numbers, event numbers and log indexes are read and written
    /// under it.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The audit log, for checkpoints and proofs.
    pub fn log(&self) -> Result<AuditLog<'_, S>, LogError> {
        AuditLog::open(self.content.backend())
    }
}

/// How many audit entries `batch` already adds (several per state change are possible).
fn batch_entries(batch: &MetaBatch) -> u64 {
    batch.count(Table::AuditLeaves) as u64
}

/// An audit-log entry: text, one field per line, so that an auditor can read it.
pub(crate) struct AuditEntry<'a> {
    pub(crate) kind: &'static str,
    pub(crate) time: i64,
    /// The document, or for an end-of-service event the object (`object:<number>`), or for a
    /// calendar change the year (`calendar:<year>`).
    pub(crate) subject: &'a dyn std::fmt::Display,
    pub(crate) version: u32,
    pub(crate) actor: &'a str,
    pub(crate) record: &'a [u8],
}

impl AuditEntry<'_> {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        format!(
            "qoima-audit-v1\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.kind,
            self.time,
            self.subject,
            self.version,
            self.actor,
            hex::encode(Sha256::digest(self.record)),
        )
        .into_bytes()
    }
}

/// `Versions` key: id ‖ version (big-endian, so versions sort in order).
pub(crate) fn version_key(id: DocumentId, version: u32) -> Vec<u8> {
    let mut key = id.0.to_vec();
    key.extend_from_slice(&version.to_be_bytes());
    key
}

/// `Index` key: name ‖ 0 ‖ value ‖ 0 ‖ id ‖ version (the version keeps two versions of one
/// document with the same value apart).
fn index_key(index: Index, value: &str, id: DocumentId, version: u32) -> Vec<u8> {
    let name = index.name();
    let mut key = Vec::with_capacity(name.len() + value.len() + 22);
    key.extend_from_slice(name.as_bytes());
    key.push(0);
    key.extend_from_slice(value.as_bytes());
    key.push(0);
    key.extend_from_slice(&id.0);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

/// The `Numbers` prefix of a counter: its key ‖ 0 (the sequence follows, 8 bytes BE).
fn counter_prefix(counter_key: &str) -> Vec<u8> {
    let mut prefix = counter_key.as_bytes().to_vec();
    prefix.push(0);
    prefix
}

fn sequence_of(key: &[u8], prefix_len: usize) -> Result<u64, RegisterError> {
    let bytes: [u8; 8] = key
        .get(prefix_len..)
        .and_then(|tail| tail.try_into().ok())
        .ok_or_else(|| LogError::Damaged("a registration number key is malformed".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
#[path = "registry_tests.rs"]
mod tests;
