//! Tamper detection for the record layer: what `qoima audit verify` and `qoima scrub` run.
//!
//! The audit log is checked on its own first (every entry against its leaf hash, every stored
//! subtree against its children). Then each entry is checked against the record it names: a
//! registration against the SHA-256 of its stored document and version records, a new version
//! against its version record, an event against its event record, a disposal against its
//! act and tombstones, an API key's creation or revocation against its key record or
//! revocation, a collection of unreferenced content or a revocation import against its record, and each entry's time
//! against the latest before it (never earlier by more than [`CONCURRENT_SKEW`]). Then every stored record must be named by an
//! entry: a record slipped into RocksDB without its log entry is found as surely as one changed
//! in place. API keys made before their creation was logged
//! are the one exception: their records are format 1, and neither they nor their revocations
//! need an entry (a key record of format 2 does, and so does the revocation of one). Last,
//! every version not disposed of must still have its content.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::error::StoreError;

/// How much earlier an entry may be dated than the latest entry before it. An operation is
/// dated at its request's instant, before its checks run (signatures, OCSP, the content) and
/// before it waits for the writer lock, so concurrent operations, on one node or several,
/// commit out of their dates' order by as long as one takes; a clock that went back further
/// than this is still found.
pub(crate) const CONCURRENT_SKEW: i64 = 600;
use super::{calendars, event_key, gc, keys, revocation, version_key};
use crate::audit::log::AuditLog;
use crate::codec::{self, FORMAT_V1};
use crate::records::{DocumentId, LoggedEntry as Entry, Tombstone, VersionRecord};
use crate::storage::{MetaStore, Table};

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordsReport {
    /// Audit-log entries checked.
    pub entries: u64,
    /// Records checked against their entries.
    pub records: u64,
    /// Everything that does not match, one line each.
    pub problems: Vec<String>,
}

impl RecordsReport {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the audit log and every record of `backend` against it; problems are collected in
/// the report, an `Err` means the storage itself failed. Needs no verifier or configuration,
/// so it takes the store, not a [`super::Registry`] (`registry.content().backend()`):
/// `qoima scrub` runs it on any vault.
pub fn verify_records<S: MetaStore>(backend: &S) -> Result<RecordsReport, StoreError> {
    let mut report = RecordsReport::default();
    let log = AuditLog::open(backend)?;
    if let Err(e) = log.verify_all() {
        report.problems.push(e.to_string());
    }
    let mut named: HashSet<(Table, Vec<u8>)> = HashSet::new();
    // The latest entry so far, with its time: the log is written in commit order, each entry
    // dated when its request came, so an entry dated much earlier means a clock went back.
    let mut latest: Option<(u64, i64)> = None;
    for index in 0..log.size() {
        report.entries += 1;
        let Some(entry) = log.entry(index).ok().as_deref().and_then(Entry::parse) else {
            report
                .problems
                .push(format!("audit entry {index} is unreadable"));
            continue;
        };
        match latest {
            Some((before, time)) if entry.time < time.saturating_sub(CONCURRENT_SKEW) => {
                report.problems.push(format!(
                    "audit entry {index} ({} of {}) is dated {}, more than {CONCURRENT_SKEW} s \
                     earlier than audit entry {before} before it, dated {}: a clock went backwards",
                    entry.kind,
                    entry.subject,
                    instant(entry.time),
                    instant(time)
                ));
                // Reported once: the entries after it are read against the clock as set back.
                latest = Some((index, entry.time));
            }
            Some((_, time)) if entry.time <= time => {}
            _ => latest = Some((index, entry.time)),
        }
        // Records that belong to no document: a facility's end of service, a calendar year, an
        // API key's creation or revocation.
        let keyed = match entry.kind.as_str() {
            "end-of-service" => {
                let object = entry.subject.strip_prefix("object:").unwrap_or_default();
                Some((Table::Facilities, object.as_bytes().to_vec()))
            }
            "calendar" => {
                let Some(year) = calendars::parse_subject(&entry.subject) else {
                    report
                        .problems
                        .push(format!("audit entry {index} names no calendar year"));
                    continue;
                };
                Some((Table::Calendars, calendars::key(year, entry.number)))
            }
            gc::COLLECTED => {
                let Some(number) = gc::parse_subject(&entry.subject) else {
                    report
                        .problems
                        .push(format!("audit entry {index} names no collection"));
                    continue;
                };
                Some((Table::Collections, number.to_be_bytes().to_vec()))
            }
            revocation::IMPORTED => {
                let Some(sequence) = revocation::parse_subject(&entry.subject) else {
                    report
                        .problems
                        .push(format!("audit entry {index} names no revocation import"));
                    continue;
                };
                Some((Table::RevocationImports, revocation::key(sequence)))
            }
            kind @ (keys::CREATED | keys::REVOKED) => {
                let Some(id) = keys::parse_subject(&entry.subject) else {
                    report
                        .problems
                        .push(format!("audit entry {index} names no API key"));
                    continue;
                };
                let table = match kind {
                    keys::CREATED => Table::ApiKeys,
                    _ => Table::KeyRevocations,
                };
                Some((table, id.0.to_vec()))
            }
            _ => None,
        };
        if let Some((table, key)) = keyed {
            let bytes = backend.get(table, &key)?;
            named.insert((table, key));
            report.records += 1;
            check_hash(&mut report, index, &entry, bytes);
            continue;
        }
        let Ok(id) = entry.subject.parse::<DocumentId>() else {
            report
                .problems
                .push(format!("audit entry {index} names no document"));
            continue;
        };
        let (table, key, bytes) = match entry.kind.as_str() {
            "register" | "new-version" => {
                let key = version_key(id, entry.number);
                let version = backend.get(Table::Versions, &key)?;
                // A registration covers the document record too (see `add_version`).
                let bytes = if entry.kind == "register" {
                    named.insert((Table::Documents, id.0.to_vec()));
                    let document = backend.get(Table::Documents, &id.0)?;
                    document.zip(version).map(|(d, v)| [d, v].concat())
                } else {
                    version
                };
                (Table::Versions, key, bytes)
            }
            "hold-placed" | "hold-released" | "retention-extended" | "annulled"
            | "auditor-read" | "reverified" => {
                let key = event_key(id, entry.number);
                let bytes = backend.get(Table::Events, &key)?;
                (Table::Events, key, bytes)
            }
            "disposed" => {
                let mut tombstones = Vec::new();
                for stored in backend.scan_prefix(Table::Tombstones, &id.0) {
                    let (key, value) = stored?;
                    named.insert((Table::Tombstones, key));
                    match codec::decode::<Tombstone>(&value) {
                        Ok(tombstone) => tombstones.push(tombstone),
                        Err(e) => report
                            .problems
                            .push(format!("a tombstone of document {id}: {e}")),
                    }
                }
                // Since disposals need a signed act, the entry covers the act too.
                let act = backend.get(Table::DisposalActs, &id.0)?;
                named.insert((Table::DisposalActs, id.0.to_vec()));
                let bytes = [act.unwrap_or_default(), codec::encode(&tombstones)?].concat();
                (Table::Tombstones, Vec::new(), Some(bytes))
            }
            other => {
                report
                    .problems
                    .push(format!("audit entry {index} has an unknown kind {other:?}"));
                continue;
            }
        };
        named.insert((table, key));
        report.records += 1;
        check_hash(&mut report, index, &entry, bytes);
    }
    for table in [
        Table::Documents,
        Table::Versions,
        Table::Events,
        Table::Tombstones,
        Table::Facilities,
        Table::Calendars,
        Table::DisposalActs,
        Table::Collections,
        Table::RevocationImports,
    ] {
        for stored in backend.scan(table) {
            let (key, _) = stored?;
            if !named.contains(&(table, key.clone())) {
                report.problems.push(format!(
                    "a {} record ({}) is not in the audit log",
                    table.name(),
                    hex::encode(&key)
                ));
            }
        }
    }
    check_unlogged_keys(backend, &named, &mut report)?;
    check_content(backend, &mut report)?;
    Ok(report)
}

/// Every key record and revocation no entry names must be of a key made before keys were
/// logged: its record is format 1 (written before the participant was added, and never
/// rewritten). A format 2 record, or the revocation of one, without its entry was slipped in.
fn check_unlogged_keys<S: MetaStore>(
    backend: &S,
    named: &HashSet<(Table, Vec<u8>)>,
    report: &mut RecordsReport,
) -> Result<(), StoreError> {
    let legacy = |record: Option<&[u8]>| record.and_then(<[u8]>::first) == Some(&FORMAT_V1);
    for table in [Table::ApiKeys, Table::KeyRevocations] {
        for stored in backend.scan(table) {
            let (key, value) = stored?;
            if named.contains(&(table, key.clone())) {
                continue;
            }
            let record = match table {
                Table::ApiKeys => Some(value),
                _ => backend.get(Table::ApiKeys, &key)?,
            };
            if !legacy(record.as_deref()) {
                report.problems.push(format!(
                    "a {} record ({}) is not in the audit log",
                    table.name(),
                    hex::encode(&key)
                ));
            }
        }
    }
    Ok(())
}

/// Every version not disposed of still has its content: a version is kept until its
/// tombstone, and its bytes with it (the manifest here; `qoima scrub` checks the chunks).
fn check_content<S: MetaStore>(backend: &S, report: &mut RecordsReport) -> Result<(), StoreError> {
    for stored in backend.scan(Table::Versions) {
        let (key, value) = stored?;
        let Ok(version) = codec::decode_upgrading::<VersionRecord>(&value) else {
            // An undecodable version is reported by its hash check above.
            continue;
        };
        if backend.get(Table::Tombstones, &key)?.is_some() {
            continue;
        }
        if backend.get(Table::Manifests, &version.content)?.is_none() {
            let id = key.get(..16).map(hex::encode).unwrap_or_default();
            report.problems.push(format!(
                "version {} of document {id}: its content {} is missing, and the version was \
                 not disposed of",
                version.version,
                hex::encode(version.content)
            ));
        }
    }
    Ok(())
}

/// An entry's time as RFC 3339, or its seconds when it is out of range.
fn instant(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| format!("{seconds} s"), |t| t.to_string())
}

/// Whether the record `bytes` named by audit entry `index` is there and hashes as the entry
/// says.
fn check_hash(report: &mut RecordsReport, index: u64, entry: &Entry, bytes: Option<Vec<u8>>) {
    let what = format!("{} of {}", entry.kind, entry.subject);
    match bytes {
        None => report.problems.push(format!(
            "audit entry {index} ({what}) names a record that is missing"
        )),
        Some(bytes) if hex::encode(Sha256::digest(&bytes)) != entry.record_hash => {
            report.problems.push(format!(
                "the record of audit entry {index} ({what}) was changed"
            ))
        }
        Some(_) => {}
    }
}
