//! Registration of signed documents on the content store (`docs/records.md`): the signatures
//! are verified, the format checked, a number and a date assigned, and the document, its first
//! version, its number, its indexes and its audit-log entry written in one atomic batch.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use jiff::Timestamp;
use qoima_verifier::Report;
use qoima_verifier::identity::Expectation;
use qoima_verifier::revocation::OcspStore;

use super::error::{RegisterError, StoreError};
use super::reverify::StoredContent;
use super::view::Index;
use super::{AuditEntry, Registry, Submission, version_key};
use crate::address::{ChunkId, ContentAddress};
use crate::audit::log::AuditLog;
use crate::codec;
use crate::content::StagedContent;
use crate::content::manifest::Manifest;
use crate::error::VaultError;
use crate::records::{
    Actor, Annulment, Coverage, DatingMode, DocumentId, DocumentRecord, ExpectedSigner, Fields,
    ObjectNumber, Participant, RetainUntil, Retention, RetentionClass, SNIFF_LEN, VersionRecord,
    registration_date, rules_at, sniff,
};
use crate::signatures::Check;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

/// A request to register a document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Registration {
    /// The content, already in the content store unless it is [`Self::staged`].
    pub content: ContentAddress,
    /// CMS signatures over it (DER, BER, PEM or base64).
    pub signatures: Vec<Vec<u8>>,
    /// The retention class.
    pub class: RetentionClass,
    /// The construction object number.
    pub object_number: Option<ObjectNumber>,
    /// The participant whose numbering applies.
    pub participant: Participant,
    /// Who must have signed: every signature must include a matching signer (the sender).
    pub expected: Expectation,
    /// Who submits it.
    pub submitter: Submitter,
    /// The registration instant (the time of the submission): it chooses the rules in force.
    pub at: Timestamp,
    /// Which dating the submitter asks for (the rules in force say what it means).
    pub dating: DatingMode,
    /// The file name the submitter gave.
    pub filename: Option<String>,
    /// The media type the submitter gave.
    pub media_type: Option<String>,
    /// Where the content waits when it is not in the content store yet (a finished upload):
    /// checked there, and stored only once every check passed.
    pub staged: Option<StagedContent>,
    /// OCSP responses (DER) the caller fetched for these signatures' certificates (RFC 6960):
    /// the verification reads them beside the signatures' own, and those a verdict used are
    /// kept as content and referenced by the version (evidence).
    pub ocsp_responses: Vec<Arc<[u8]>>,
}

/// Who submits a registration: an API key, with what it is bound to, or the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submitter {
    /// Recorded with the version and named by its audit entry (`api key <id>`, `operator`).
    pub actor: Actor,
    /// A key bound to a BIN registers only documents whose signer meets that BIN.
    pub bin: Option<String>,
    /// A key bound to a participant registers only under that participant's numbering.
    pub participant: Option<Participant>,
}

impl Submitter {
    /// `actor`, bound to nothing (the operator on the command line, an unbound key).
    pub fn new(actor: Actor) -> Self {
        Self {
            actor,
            bin: None,
            participant: None,
        }
    }

    /// Bound to `bin` and `participant` (an API key's bindings).
    pub fn bound(mut self, bin: Option<String>, participant: Option<Participant>) -> Self {
        self.bin = bin;
        self.participant = participant;
        self
    }
}

impl Registration {
    /// A registration with no object number and no expected signer (which the registry refuses
    /// unless the class's sender is not known in advance: give it with [`Self::expect`]).
    pub fn new(
        content: ContentAddress,
        signatures: Vec<Vec<u8>>,
        class: RetentionClass,
        participant: Participant,
        submitter: Submitter,
        at: Timestamp,
    ) -> Self {
        Self {
            content,
            signatures,
            class,
            object_number: None,
            participant,
            expected: Expectation::default(),
            submitter,
            at,
            dating: DatingMode::Submission,
            filename: None,
            media_type: None,
            staged: None,
            ocsp_responses: Vec::new(),
        }
    }

    /// Of the content `staged` (a finished upload), not in the content store yet: the
    /// signatures and the format are checked against the staged bytes, which enter the store
    /// only when they pass, so a refusal stores nothing.
    pub fn staged(mut self, staged: StagedContent) -> Self {
        self.content = staged.address();
        self.staged = Some(staged);
        self
    }

    /// Dated in `mode` (a submission for registration by default).
    pub fn dating(mut self, mode: DatingMode) -> Self {
        self.dating = mode;
        self
    }

    /// With this construction object number.
    pub fn object_number(mut self, object_number: ObjectNumber) -> Self {
        self.object_number = Some(object_number);
        self
    }

    /// With this expected signer.
    pub fn expect(mut self, expected: Expectation) -> Self {
        self.expected = expected;
        self
    }

    /// With these OCSP responses (DER) for the signatures' certificates, fetched by the caller.
    pub fn ocsp_responses(mut self, responses: Vec<Arc<[u8]>>) -> Self {
        self.ocsp_responses = responses;
        self
    }

    /// With the file name and media type the submitter gave (checked at registration).
    pub fn file(mut self, filename: Option<String>, media_type: Option<String>) -> Self {
        self.filename = filename;
        self.media_type = media_type;
        self
    }
}

/// What a registration produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Registered {
    /// The document's id.
    pub id: DocumentId,
    /// The stored version (1 for a registration, the next for a new version).
    pub version: VersionRecord,
    /// Whether the registration date came from calendar data or the fallback.
    pub coverage: Coverage,
    /// The verification report of each signature.
    pub reports: Vec<Report>,
    /// Why the storage's own locks could not be set on the document's chunks after the
    /// commit (`locks.rs`): the registration stands, and the maintenance of the locks
    /// ([`Registry::renew_locks`]) sets them. `None` when they were set, or the engine has
    /// none.
    pub unlocked: Option<String>,
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
pub(super) struct Prepared {
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
    /// The clauses that dated it and set its retention.
    dated_by: String,
    retained_by: String,
    submitted_by: String,
    sender_unknown: bool,
    reports: Vec<Report>,
    /// The CRLs the verdicts used that the content store keeps (evidence).
    crls: Vec<[u8; 32]>,
    /// The OCSP responses the verdicts used that the signatures do not carry, stored as
    /// content (evidence).
    ocsp_responses: Vec<[u8; 32]>,
    /// The act annulling the previous version, for a new version.
    pub(super) annulment: Option<Annulment>,
    filename: Option<String>,
    media_type: Option<String>,
    /// The chunks of the content and of its evidence, from the manifests read while
    /// preparing: manifests are write-once, so the locks placed once the version is committed
    /// (`locks.rs`) need not read them again.
    pub(super) chunks: ChunksRead,
}

/// The chunks of contents whose manifests a registration read, by content address.
#[derive(Debug, Clone, Default)]
pub(super) struct ChunksRead(BTreeMap<[u8; 32], Vec<ChunkId>>);

impl ChunksRead {
    fn insert(&mut self, address: [u8; 32], manifest: &Manifest) {
        self.0
            .insert(address, manifest.chunks.iter().map(|c| c.id).collect());
    }

    /// Keeps the chunks noted for `address` only if `stored`, its manifest as read again
    /// under the writer lock, names the same: content removed and stored again meanwhile
    /// (by a disposal, then a put chunked otherwise) is read again when it is locked.
    fn confirm(&mut self, address: &[u8; 32], stored: &[u8]) {
        let same = self.0.get(address).is_some_and(|noted| {
            codec::decode::<Manifest>(stored).is_ok_and(|manifest| {
                manifest.chunks.len() == noted.len()
                    && manifest.chunks.iter().zip(noted).all(|(c, id)| c.id == *id)
            })
        });
        if !same {
            self.0.remove(address);
        }
    }

    /// The chunks of the content at `address`, if its manifest was read.
    pub(super) fn get(&self, address: &[u8; 32]) -> Option<&[ChunkId]> {
        self.0.get(address).map(Vec::as_slice)
    }
}

impl Prepared {
    /// What the caller hears once `version` of document `id` is stored.
    pub(super) fn registered(self, id: DocumentId, version: VersionRecord) -> Registered {
        Registered {
            id,
            version,
            coverage: self.coverage,
            reports: self.reports,
            unlocked: None,
        }
    }
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Registers a document: verifies, checks, numbers, dates and stores it.
    pub fn register(&self, registration: &Registration) -> Result<Registered, RegisterError> {
        let prepared = self.prepare(registration)?;
        self.store(registration, prepared)
    }

    /// Stores a prepared registration: a new document and its first version.
    pub(super) fn store(
        &self,
        registration: &Registration,
        prepared: Prepared,
    ) -> Result<Registered, RegisterError> {
        let id = DocumentId::random().map_err(|_| RegisterError::Random)?;
        let document = DocumentRecord {
            class: registration.class.name().to_owned(),
            participant: registration.participant.to_string(),
            object_number: registration.object_number.as_ref().map(ToString::to_string),
            created_at: registration.at.as_second(),
        };
        let (version, chunks) = {
            let _writer = self.lock()?;
            let backend = self.content().backend();
            let log = AuditLog::open(backend)?;
            let mut batch = MetaBatch::new();
            batch.put(Table::Documents, id.0.to_vec(), codec::encode(&document)?);
            let added = self.add_version(&mut batch, &log, id, &document, 1, prepared.clone())?;
            backend.commit(batch)?;
            added
        };
        // Committed: the storage's locks follow, outside the writer lock (`locks.rs`).
        let mut registered = prepared.registered(id, version);
        registered.unlocked = self.lock_committed(id, &chunks);
        Ok(registered)
    }

    /// Everything about a submission that needs no lock: content, format, signatures, date.
    /// Staged content is stored last, once all of it passed.
    pub(super) fn prepare(&self, submission: &Registration) -> Result<Prepared, RegisterError> {
        if submission.signatures.is_empty() {
            return Err(RegisterError::NoSignature);
        }
        // An import may be back-dated; nothing is dated ahead of the vault's clock.
        let now = self.now();
        if submission.at > now {
            return Err(RegisterError::InFuture {
                at: submission.at,
                now,
            });
        }
        if let Some(name) = &submission.filename {
            check_filename(name)?;
        }
        if let Some(media_type) = &submission.media_type {
            check_media_type(media_type)?;
        }
        let (expected, sender_unknown) = self.sender(submission)?;
        let address = submission.content;
        let staged = submission.staged.as_ref();
        // A stored content's manifest is read once here, for its length, its first bytes and
        // the verification's read of the whole.
        let manifest = match staged {
            Some(staged) if staged.address() != address => {
                return Err(RegisterError::ContentMissing(address));
            }
            Some(_) => None,
            None => match self.content().manifest(&address) {
                Ok(manifest) => Some(manifest),
                Err(VaultError::NotFound(_)) => {
                    return Err(RegisterError::ContentMissing(address));
                }
                Err(e) => return Err(e.into()),
            },
        };
        let length = match (staged, &manifest) {
            (Some(staged), _) => staged.length(),
            (None, Some(manifest)) => manifest.length,
            (None, None) => return Err(RegisterError::ContentMissing(address)),
        };
        let mut chunks = ChunksRead::default();
        if let Some(manifest) = &manifest {
            chunks.insert(address.0, manifest);
        }
        let prefix = match (staged, &manifest) {
            (Some(staged), _) => staged.read_range(0..length.min(SNIFF_LEN as u64))?,
            (None, manifest) => self.prefix(&address, manifest.clone(), length)?,
        };
        let format = sniff(&prefix);
        submission.class.accepts(format)?;
        let reports = self.verify(submission, &expected, length, manifest)?;
        // The rules in force at the submission's instant date it and set its retention.
        let rules = rules_at(submission.at)?;
        let dating = rules.dating(submission.dating);
        let calendar = self.calendar.fresh(self.content().backend())?;
        let dated = registration_date(submission.at, &calendar, dating.rule)?;
        let kept = rules.retention(submission.class);
        let retention = self.retention(submission.class, kept.retention);
        let retain_until = match retention.retain_until(dated.date, None) {
            RetainUntil::Date(date) => Some(date.to_string()),
            RetainUntil::EndOfServicePending => None,
        };
        let tail_years = match retention {
            Retention::UntilEndOfService { tail_years } => tail_years,
            Retention::YearsFromRegistration { .. } => 0,
        };
        let crls = self.evidence(&reports, &mut chunks)?;
        let ocsp_responses =
            self.keep_ocsp_evidence(&reports, &submission.ocsp_responses, &mut chunks)?;
        if let Some(staged) = staged {
            self.store_staged(staged)?;
        }
        Ok(Prepared {
            address,
            length,
            format: format.map_or("unknown", |f| f.name()),
            signatures: submission.signatures.clone(),
            expected: ExpectedSigner {
                iin: expected.iin.clone(),
                bin: expected.bin.clone(),
                roles: expected.roles.iter().map(|r| r.oid().to_owned()).collect(),
            },
            participant: submission.participant.clone(),
            class: submission.class,
            date: dated.date,
            coverage: dated.coverage,
            registered_at: submission.at.as_second(),
            retain_until,
            tail_years,
            dated_by: dating.clause.to_string(),
            retained_by: kept.clause.to_string(),
            submitted_by: submission.submitter.actor.to_string(),
            sender_unknown,
            crls,
            ocsp_responses,
            reports,
            annulment: None,
            filename: submission.filename.clone(),
            media_type: submission.media_type.clone(),
            chunks,
        })
    }

    /// The sender the signatures must meet, and whether it is unknown in advance. A
    /// registration names its sender (order 670 §36: authorship is confirmed by checking that
    /// the EDS belongs to the sender): an IIN or a BIN, or the BIN of a key bound to one. A key
    /// bound to a BIN or a participant submits for it alone. A class the configuration names as
    /// one whose sender is not known in advance may name none: recorded as such.
    fn sender(&self, submission: &Registration) -> Result<(Expectation, bool), RegisterError> {
        let submitter = &submission.submitter;
        let mut expected = submission.expected.clone();
        if let Some(bound) = &submitter.participant
            && *bound != submission.participant
        {
            return Err(RegisterError::ParticipantNotBound {
                bound: bound.clone(),
                asked: submission.participant.clone(),
            });
        }
        if let Some(bound) = &submitter.bin {
            match &expected.bin {
                Some(asked) if asked != bound => {
                    return Err(RegisterError::BinNotBound {
                        bound: bound.clone(),
                        asked: asked.clone(),
                    });
                }
                _ => expected.bin = Some(bound.clone()),
            }
        }
        let named = expected.iin.is_some() || expected.bin.is_some();
        if !named && !self.sender_unknown.contains(&submission.class) {
            return Err(RegisterError::NoSender(submission.class));
        }
        Ok((expected, !named))
    }

    /// The first bytes of a content, for format sniffing, through its `manifest` if the caller
    /// read it.
    fn prefix(
        &self,
        address: &ContentAddress,
        manifest: Option<Manifest>,
        length: u64,
    ) -> Result<Vec<u8>, VaultError> {
        let end = length.min(SNIFF_LEN as u64);
        let mut prefix = Vec::with_capacity(end as usize);
        let mut reader = match manifest {
            Some(manifest) => self.content().read_range_of(address, manifest, 0..end)?,
            None => self.content().read_range(address, 0..end)?,
        };
        reader.read_to_end(&mut prefix).map_err(VaultError::from)?;
        Ok(prefix)
    }

    /// Every signature verified against the content's SHA-256 (stored or staged) at the
    /// registration instant; all must be TOTAL_PASSED.
    fn verify(
        &self,
        registration: &Registration,
        expected: &Expectation,
        length: u64,
        manifest: Option<Manifest>,
    ) -> Result<Vec<Report>, RegisterError> {
        let mut content = StoredContent::new(self, registration.content, length)
            .staged(registration.staged.as_ref())
            .manifest(manifest);
        let mut supplied = OcspStore::new();
        for der in &registration.ocsp_responses {
            // The caller checked them; one that does not even parse answers for nothing.
            let _ = supplied.add_supplied(der);
        }
        let check = Check {
            verifier: &self.verifier(),
            at: registration.at.as_second(),
            expected,
            proof_of_existence: None,
            supplied: &supplied,
            evidence: None,
        };
        let reports = check.each(
            &registration.signatures,
            registration.content.as_bytes(),
            &mut content,
            |_, e| RegisterError::from(e),
        )?;
        if let Some(index) = reports.iter().position(|r| !r.verdict.passed()) {
            return Err(RegisterError::Refused {
                index,
                verdict: reports[index].verdict.to_string(),
                reports,
            });
        }
        Ok(reports)
    }

    /// Puts checked `staged` bytes into the content store: they must still hash to the SHA-256
    /// they were checked against (a staging copy changed on disk since is never registered).
    fn store_staged(&self, staged: &StagedContent) -> Result<(), RegisterError> {
        let stored = self.content().put(staged.reader()?)?;
        if stored.address != staged.address() {
            return Err(StoreError::Damaged(format!(
                "the staged upload's bytes hash to {}, not the declared {}",
                stored.address,
                staged.address()
            ))
            .into());
        }
        Ok(())
    }

    /// Whether the content store keeps `address`; its chunks noted in `chunks` when its
    /// manifest decodes (one lookup for both).
    fn kept(&self, address: &ContentAddress, chunks: &mut ChunksRead) -> Result<bool, VaultError> {
        Ok(match self.content().stored_manifest(address)? {
            None => false,
            Some(manifest) => {
                if let Ok(manifest) = manifest {
                    chunks.insert(address.0, &manifest);
                }
                true
            }
        })
    }

    /// The content addresses of the CRLs `reports` read that the content store keeps.
    fn evidence(
        &self,
        reports: &[Report],
        chunks: &mut ChunksRead,
    ) -> Result<Vec<[u8; 32]>, VaultError> {
        let mut crls: Vec<[u8; 32]> = Vec::new();
        let sources = reports
            .iter()
            .flat_map(|r| &r.signers)
            .flat_map(|s| &s.revocation)
            .flat_map(|r| &r.sources);
        for source in sources {
            let Ok(address) = source.fingerprint.parse::<ContentAddress>() else {
                continue;
            };
            if !crls.contains(&address.0) && self.kept(&address, chunks)? {
                crls.push(address.0);
            }
        }
        Ok(crls)
    }

    /// Keeps as content the OCSP responses `reports` read that the signatures do not carry:
    /// those of `supplied` (fetched by the caller), stored now, and the verifier's own when
    /// the content store holds them (imported by an operator). Their content addresses, each
    /// once.
    fn keep_ocsp_evidence(
        &self,
        reports: &[Report],
        supplied: &[Arc<[u8]>],
        chunks: &mut ChunksRead,
    ) -> Result<Vec<[u8; 32]>, VaultError> {
        let mut kept: Vec<[u8; 32]> = Vec::new();
        let used = reports
            .iter()
            .flat_map(|r| &r.signers)
            .flat_map(|s| &s.revocation)
            .filter_map(|r| r.ocsp.as_ref())
            .filter(|ocsp| ocsp.origin != "cms");
        for ocsp in used {
            let Ok(address) = ocsp.fingerprint.parse::<ContentAddress>() else {
                continue;
            };
            if kept.contains(&address.0) {
                continue;
            }
            if let Some(der) = supplied
                .iter()
                .find(|der| ContentAddress::of(der) == address)
            {
                self.content().put(&der[..])?;
                kept.push(address.0);
            } else if self.kept(&address, chunks)? {
                kept.push(address.0);
            }
        }
        Ok(kept)
    }

    /// Adds version `number` of document `id` to `batch`: the version, its registration
    /// number (taken here: the caller holds the writer lock), its indexes and its audit entry.
    pub(super) fn add_version(
        &self,
        batch: &mut MetaBatch,
        log: &AuditLog<'_, S>,
        id: DocumentId,
        document: &DocumentRecord,
        number: u32,
        mut prepared: Prepared,
    ) -> Result<(VersionRecord, ChunksRead), RegisterError> {
        let backend = self.content().backend();
        let mut chunks = std::mem::take(&mut prepared.chunks);
        // Checked again under the writer lock: a disposal of another document with the same
        // bytes may have removed them since `prepare` saw them, and a version must never
        // point at nothing.
        let Some(manifest) = backend.get(Table::Manifests, &prepared.address.0)? else {
            return Err(RegisterError::ContentMissing(prepared.address));
        };
        chunks.confirm(&prepared.address.0, &manifest);
        // The CRLs kept as evidence too: unreferenced content may be collected meanwhile
        // (`gc.rs`), and evidence must never point at nothing either.
        for crl in prepared.crls.iter().chain(&prepared.ocsp_responses) {
            let Some(manifest) = backend.get(Table::Manifests, crl)? else {
                return Err(RegisterError::ContentMissing(ContentAddress(*crl)));
            };
            chunks.confirm(crl, &manifest);
        }
        let template = self.numbering.template(&prepared.participant);
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
            dated_by: prepared.dated_by,
            retained_by: prepared.retained_by,
            submitted_by: Some(prepared.submitted_by.clone()),
            sender_unknown: prepared.sender_unknown,
            ocsp_responses: prepared.ocsp_responses,
        };
        let bytes = codec::encode_upgraded(&version)?;
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
            actor: &prepared.submitted_by,
            registration: Some(Submission {
                participant: prepared.participant.as_str(),
                dated_by: &version.dated_by,
                retained_by: &version.retained_by,
            }),
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
                batch.put(Table::Index, index.key(value, id, number), Vec::new());
            }
        }
        log.append(batch, &entry)?;
        Ok((version, chunks))
    }
}

/// How many audit entries `batch` already adds (several per state change are possible).
fn batch_entries(batch: &MetaBatch) -> u64 {
    batch.count(Table::AuditLeaves) as u64
}

/// The `Numbers` prefix of a counter: its key ‖ 0 (the sequence follows, 8 bytes BE).
fn counter_prefix(counter_key: &str) -> Vec<u8> {
    let mut prefix = counter_key.as_bytes().to_vec();
    prefix.push(0);
    prefix
}

fn sequence_of(key: &[u8], prefix_len: usize) -> Result<u64, StoreError> {
    let bytes: [u8; 8] = key
        .get(prefix_len..)
        .and_then(|tail| tail.try_into().ok())
        .ok_or_else(|| StoreError::Damaged("a registration number key is malformed".into()))?;
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_media_types() {
        for good in [
            "проект.pdf",
            "a",
            "ПСД раздел 1 (изм. 2).pdf",
            &"x".repeat(255),
        ] {
            assert!(check_filename(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../etc/passwd",
            "a/b",
            "a\\b",
            "a\nb",
            &"x".repeat(256),
        ] {
            assert!(
                matches!(check_filename(bad), Err(RegisterError::Filename(_))),
                "{bad:?}"
            );
        }
        for good in [
            "application/pdf",
            "application/vnd.ms-excel",
            "image/svg+xml",
        ] {
            assert!(check_media_type(good).is_ok(), "{good:?}");
        }
        for bad in [
            "pdf",
            "application/",
            "/pdf",
            "text/plain; charset=utf-8",
            "a/b/c",
            "тип/pdf",
        ] {
            assert!(
                matches!(check_media_type(bad), Err(RegisterError::MediaType(_))),
                "{bad:?}"
            );
        }
    }
}
