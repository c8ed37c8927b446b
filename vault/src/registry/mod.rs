//! The registry: registered documents on the content store. It applies the rules of
//! [`crate::records`] and keeps every change in one atomic batch with its audit-log entry
//! (`docs/records.md`).
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | [`Registry`]: opening it, its configuration, the calendar in force and [`Registry::set_calendar_year`], the writer lock; what the other files share: audit entries and record keys |
//! | `register.rs` | [`Registration`] → [`Registered`]: a submission verified, checked, numbered, dated and stored |
//! | `lifecycle.rs` | changes after registration: new versions with their annulment act, holds, retention extensions, a facility's end of service, auditors' reads |
//! | `view.rs` | reads: a [`DocumentView`], whether a document was disposed of, the documents an [`Index`] lists |
//! | `calendars.rs` | the calendar years stored in the vault ([`CalendarChange`], [`stored_years`]) |
//! | `disposal.rs` | disposal, the one operation that deletes a registered document ([`Disposal`]) |
//! | `export.rs` | what an auditor's bundle holds, read as stored, and the export logged ([`StoredEvidence`], `docs/bundle.md`) |
//! | `locks.rs` | the storage's own locks (S3 Object Lock) on every chunk a document uses, and their maintenance ([`Registry::renew_locks`]) |
//! | `gc.rs` | the collection of content that no record references ([`Registry::collect_unreferenced`]) |
//! | `revocation.rs` | the list of revocation data an operator imported ([`RevocationImport`], [`Registry::record_revocation_import`]), which every node reads |
//! | `reverify.rs` | signatures verified against stored content, the CRLs kept as evidence, re-verification ([`ReverifyMode`]) and recording what it found |
//! | `evidence.rs` | the CRLs kept as evidence read back (parsed once, cached) for a re-verification that needs them |
//! | `select.rs` | the versions a bulk operation takes ([`Selection`]), streamed in key order |
//! | `verify_records.rs` | tamper detection: the audit log against every record ([`verify_records`]) |
//! | `error.rs` | one error per operation, and the one classification of them all ([`ErrorKind`]) |
//!
//! Data flows one way: this module uses `records/` and `bundle/`, never the reverse. Inside it, the files
//! import what `mod.rs` shares and `error.rs`; besides that, `lifecycle.rs` builds on
//! `register.rs`, `reverify.rs` and `view.rs`, `register.rs` on `reverify.rs` and `view.rs`, `reverify.rs` on `evidence.rs`,
//! `disposal.rs` and `select.rs` on `view.rs`, `locks.rs` on `view.rs` (and `register.rs`, `lifecycle.rs`, `disposal.rs` on `locks.rs`), `export.rs` on `lifecycle.rs` (an event recorded), and `verify_records.rs` on `calendars.rs`. `mod.rs` uses only `calendars.rs` and `error.rs`,
//! which import nothing of the registry but `error.rs`, so there is no cycle.

mod calendars;
mod disposal;
mod error;
mod evidence;
mod export;
mod gc;
mod keys;
mod lifecycle;
mod locks;
mod register;
mod reverify;
mod revocation;
mod select;
mod verify_records;
mod view;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use jiff::Timestamp;
use qoima_verifier::Verifier;
use qoima_verifier::identity::Expectation;

pub use calendars::{CalendarChange, stored_years};
pub use disposal::Disposal;
pub use error::{
    ChangeError, DisposeError, ErrorKind, RegisterError, Retained, ReverifyError, StoreError,
};
pub use export::{StoredEvidence, StoredVersion};
pub use gc::{
    CollectError, CollectedContent, Collection, CollectionRecord,
    DEFAULT_GRACE as DEFAULT_COLLECTION_GRACE,
};
pub use locks::{LockRenewal, RENEW_WITHIN, ROLLING_LOCK};
pub use register::{Registered, Registration, Submitter};
pub use reverify::ReverifyMode;
pub use revocation::{ImportKind, ListedImport, RevocationImport};
pub use select::{Selected, Selection, UnreadDocument, VersionKey};
pub use verify_records::{RecordsReport, verify_records};
pub use view::{DocumentView, Index};

use crate::audit::log::{AuditLog, LogError};
use crate::codec;
use crate::content::ContentStore;
use crate::records::{
    Actor, Calendar, CalendarYear, DocumentId, Numbering, Retention, RetentionClass,
    RetentionTooShort, at_least, check_retention,
};
use crate::storage::rocks::RocksBackend;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, StorageError, Table, WriterSection};

/// A clock: the system's ([`Timestamp::now`]) unless a test sets another.
pub type Clock = fn() -> Timestamp;

/// Registered documents on a content store.
pub struct Registry<S = RocksBackend> {
    content: ContentStore<S>,
    /// Swapped whole when fresh revocation data comes ([`Self::replace_verifier`]); each
    /// operation reads it once, so it finishes on the engine it started with.
    verifier: RwLock<Arc<Verifier>>,
    /// The calendar given, with the years an administrator set on top (`calendars.rs`).
    calendar: calendars::InForce,
    numbering: Numbering,
    /// Retention per class where the operator set a longer one than the rules'.
    retention: HashMap<RetentionClass, Retention>,
    /// The classes whose sender is not known in advance: a registration may name none.
    sender_unknown: HashSet<RetentionClass>,
    /// Who may sign a disposal act: the signer must meet one of them.
    disposal_officers: Vec<Expectation>,
    /// The vault's clock: nothing is dated later than it says.
    clock: Clock,
    /// The CRLs kept as evidence that re-verifications read back, parsed (`evidence.rs`).
    evidence_cache: evidence::EvidenceCache,
    /// How the storage's own locks are dated (`locks.rs`).
    locks: locks::LockPolicy,
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
    ) -> Result<Self, StoreError> {
        let calendar = calendars::InForce::read(content.backend(), calendar)?;
        Ok(Self {
            content,
            verifier: RwLock::new(verifier),
            calendar,
            numbering,
            retention: HashMap::new(),
            sender_unknown: HashSet::new(),
            disposal_officers: Vec::new(),
            clock: Timestamp::now,
            evidence_cache: evidence::EvidenceCache::default(),
            locks: locks::LockPolicy::default(),
            writer: Mutex::new(()),
        })
    }

    /// With `class` as one whose sender is not known in advance: its registrations may name no
    /// sender, and are recorded as such.
    pub fn with_sender_unknown(mut self, class: RetentionClass) -> Self {
        self.sender_unknown.insert(class);
        self
    }

    /// With `officer` among those who may sign disposal acts (without one, nothing can be
    /// disposed of).
    pub fn with_disposal_officer(mut self, officer: Expectation) -> Self {
        self.disposal_officers.push(officer);
        self
    }

    /// On a store that other nodes share: what this process keeps of it in memory (the
    /// calendar years set) is read again once `interval` has passed, the bound on how long a
    /// change made by another node goes unseen here.
    pub fn with_shared_store(mut self, interval: std::time::Duration) -> Self {
        self.calendar = self.calendar.rereading_every(interval);
        self
    }

    /// With `clock` instead of the system's (simulations and tests of dates to come).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// With rolling locks of `rolling` renewed once less than `renew_within` is left, and
    /// retentions ending when `end_of` says: tests whose locks must pass within seconds.
    #[cfg(test)]
    pub(crate) fn with_lock_policy(
        mut self,
        rolling: jiff::SignedDuration,
        renew_within: jiff::SignedDuration,
        end_of: fn(jiff::civil::Date) -> Option<Timestamp>,
    ) -> Self {
        self.locks = locks::LockPolicy {
            rolling,
            renew_within,
            end_of,
        };
        self
    }

    /// Now, by the vault's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// With `retention` for `class` where it is longer than the rules' (more years, or a
    /// longer tail after the end of service); it may not be shorter than any order's minimum.
    pub fn with_retention(
        mut self,
        class: RetentionClass,
        retention: Retention,
    ) -> Result<Self, RetentionTooShort> {
        check_retention(class, retention)?;
        self.retention.insert(class, retention);
        Ok(self)
    }

    /// The retention of `class` where the rules in force require `minimum`: the configured
    /// one when it is longer (configuration only lengthens), else the rules'.
    pub fn retention(&self, class: RetentionClass, minimum: Retention) -> Retention {
        self.retention
            .get(&class)
            .map_or(minimum, |&configured| at_least(configured, minimum))
    }

    /// The verification engine in force now. Held for one operation: one that reads it again
    /// may see another ([`Self::replace_verifier`]).
    pub fn verifier(&self) -> Arc<Verifier> {
        Arc::clone(&self.verifier.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `verifier` in force for the operations that start from now on (e.g. over fresh
    /// CRLs); those in progress finish on the one they read. The CRLs it uses should be kept
    /// first ([`Self::keep_crls`]), so that a registration's evidence can reference them.
    pub fn replace_verifier(&self, verifier: Arc<Verifier>) {
        *self
            .verifier
            .write()
            .unwrap_or_else(PoisonError::into_inner) = verifier;
    }

    /// The content store underneath.
    pub fn content(&self) -> &ContentStore<S> {
        &self.content
    }

    /// The audit log, for checkpoints and proofs. On an engine with locks of its own, every
    /// checkpoint it signs is also written there, locked (`locks.rs`), so that the history it
    /// commits to cannot be rewritten through the records alone.
    pub fn log(&self) -> Result<AuditLog<'_, S>, LogError> {
        let log = AuditLog::open(self.content.backend())?;
        Ok(match self.content.backend().object_lock() {
            Some(lock) => log.keeping_checkpoints(lock, self.checkpoint_lock_until()),
            None => log,
        })
    }

    /// The working-day calendar in force, as last read from the store.
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.known()
    }

    /// Sets `year` of the working-day calendar to `toml` (the calendar file's `[years.YEAR]`
    /// table and nothing else) for `by` at `at`: stored with its audit entry, then in force for
    /// every registration dated after. Returns the year's new revision. Past registrations keep
    /// their dates. A text that is not a valid table of that one year changes nothing.
    pub fn set_calendar_year(
        &self,
        year: i16,
        toml: &str,
        by: &Actor,
        at: Timestamp,
    ) -> Result<u32, ChangeError> {
        let table = Calendar::one_year(toml, year)?;
        let record = CalendarYear {
            toml: toml.to_owned(),
            by: by.to_string(),
            at: at.as_second(),
        };
        let bytes = codec::encode(&record)?;
        let subject = calendars::subject(year);
        let _writer = self.lock()?;
        let backend = self.content.backend();
        let revision = match backend.last_with_prefix(Table::Calendars, &year.to_be_bytes())? {
            Some((key, _)) => {
                calendars::parse_key(&key).map_or(1, |(_, last)| last.saturating_add(1))
            }
            None => 1,
        };
        let entry = AuditEntry {
            kind: "calendar",
            time: record.at,
            subject: &subject,
            version: revision,
            actor: by.as_str(),
            registration: None,
            record: &bytes,
        }
        .to_bytes();
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::Calendars, calendars::key(year, revision), bytes);
        log.append(&mut batch, &entry)?;
        backend.commit(batch)?;
        self.calendar.extend(table);
        Ok(revision)
    }

    /// Holds the writer lock: numbers, event numbers and log indexes are read and written
    /// under it. In this process first, then across the processes that share the store
    /// ([`MetaStore::writer_section`]: nothing more on RocksDB, an advisory lock on
    /// PostgreSQL), which may fail.
    fn lock(&self) -> Result<WriterLock<'_>, StorageError> {
        let local = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let shared = self.content.backend().writer_section()?;
        Ok(WriterLock {
            _shared: shared,
            _local: local,
        })
    }
}

/// The writer lock held ([`Registry::lock`]). The shared section is left before the
/// in-process lock (fields drop in order), so that the next thread of this process finds it
/// free.
struct WriterLock<'a> {
    _shared: WriterSection<'a>,
    _local: MutexGuard<'a, ()>,
}

/// An audit-log entry: text, one field per line, so that an auditor can read it
/// (`verify_records.rs` reads it back).
struct AuditEntry<'a> {
    kind: &'static str,
    time: i64,
    /// The document, or for an end-of-service event the object (`object:<number>`), or for a
    /// calendar change the year (`calendar:<year>`).
    subject: &'a dyn std::fmt::Display,
    /// The version, event number or calendar revision the entry is about (0 for a disposal).
    version: u32,
    /// Who did it: an API key (`api key <id>`) or an operator.
    actor: &'a str,
    /// For a registration or a new version: on whose behalf, and by which rules.
    registration: Option<Submission<'a>>,
    /// The bytes whose SHA-256 the entry holds.
    record: &'a [u8],
}

/// What a registration's or a new version's audit entry says besides its record: the
/// participant on whose behalf it was made, and the clauses that dated it and set its retention
/// (`docs/rules.md`), so that an auditor reads them in the log itself.
struct Submission<'a> {
    participant: &'a str,
    dated_by: &'a str,
    retained_by: &'a str,
}

impl AuditEntry<'_> {
    /// The time line of stored entry bytes (the same in every version of the format).
    fn time_of(bytes: &[u8]) -> Option<i64> {
        std::str::from_utf8(bytes)
            .ok()?
            .split('\n')
            .nth(2)?
            .parse()
            .ok()
    }

    fn to_bytes(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        // Version 2 adds two lines, empty for an entry that is not a registration or a new
        // version (a participant and a clause never are): the participant, and the clauses
        // that dated it and set its retention.
        let (participant, rules) = match &self.registration {
            Some(made) => (
                made.participant,
                format!("{}; {}", made.dated_by, made.retained_by),
            ),
            None => ("", String::new()),
        };
        format!(
            "qoima-audit-v2\n{}\n{}\n{}\n{}\n{}\n{participant}\n{rules}\n{}\n",
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

/// `Versions` and `Tombstones` key: id ‖ version (big-endian, so versions sort in order).
fn version_key(id: DocumentId, version: u32) -> Vec<u8> {
    numbered_key(id, version)
}

/// `Events` key: id ‖ event number (big-endian, so events sort in order).
fn event_key(id: DocumentId, event: u32) -> Vec<u8> {
    numbered_key(id, event)
}

fn numbered_key(id: DocumentId, number: u32) -> Vec<u8> {
    let mut key = id.0.to_vec();
    key.extend_from_slice(&number.to_be_bytes());
    key
}

/// The version or event number of a [`version_key`] or [`event_key`].
fn number_of(key: &[u8]) -> Result<u32, StoreError> {
    key.get(16..)
        .and_then(|tail| tail.try_into().ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| StoreError::Damaged(format!("key {} is not id ‖ number", hex::encode(key))))
}

/// The record layer's suite (`tests.rs`), once on each backend.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod suites;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod ltv_tests;
