//! Verifying a bundle with nothing but its bytes and, at the auditor's choice, the vault's
//! verifier key, trust anchors and a checkpoint they already hold.
//!
//! The order is the chain of trust, from the key down: the checkpoint is signed by the key
//! (C2SP signed note); the older checkpoint is a prefix of it (RFC 9162 §2.1.4.2); each audit
//! entry is a leaf of it (RFC 9162 §2.1.3.2); each entry names its record by SHA-256, and each
//! record names its content, signatures and CRLs by their bytes or SHA-256; the reports in the
//! records name the certificates of every path. The signatures are then verified offline over
//! those certificates and CRLs, with the registration as their proof of existence (ETSI EN 319
//! 102-1 §5.6, as `qoima reverify` does). The first broken link is the error, named.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use qoima_verifier::path::{CertificateStore, Fingerprint};
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::{CrlStore, OcspStore};
use qoima_verifier::{Report, Verifier};
use sha2::{Digest, Sha256};

use super::error::BundleError;
use super::export_statement;
use super::manifest::{self, KeptFile};
use super::paths::report_paths;
use super::read::Bundle;
use super::write::instant;
use crate::audit::{
    Checkpoint, Hash, VerifierKey, hash_leaf, verify_consistency, verify_inclusion,
};
use crate::codec;
use crate::records::{DocumentId, DocumentRecord, Event, LoggedEntry, VersionRecord};
use crate::signatures::{self, Check};

/// What the auditor brings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The vault's verifier key as the auditor holds it (`qoima audit key`); without it, the
    /// key the bundle names is used, which proves only that the bundle is self-consistent.
    pub key: Option<VerifierKey>,
    /// Trust anchors (DER) the auditor chose; without them, the anchors the bundle carries.
    pub trust: Vec<Vec<u8>>,
    /// A signed checkpoint the auditor already holds: the bundle's consistency proof must start
    /// from it.
    pub held: Option<Vec<u8>>,
    /// The validation time of the signatures, unix seconds.
    pub at: i64,
}

/// What a bundle proves.
#[derive(Debug)]
#[non_exhaustive]
pub struct Verified {
    /// The document.
    pub document: DocumentId,
    /// The key the checkpoint verified with.
    pub key: VerifierKey,
    /// Whether the auditor gave that key (else it is the bundle's own).
    pub key_given: bool,
    /// The checkpoint every proof is against.
    pub checkpoint: Checkpoint,
    /// The older checkpoint the log was proven to extend, and whether it is the one the
    /// auditor holds.
    pub since: Option<(Checkpoint, bool)>,
    /// Each version, oldest first.
    pub versions: Vec<VersionFinding>,
    /// The export's logged read: its index, who, when (unix seconds).
    pub export: (u64, String, i64),
    /// The trust anchors the signatures were verified against (fingerprint, subject), and
    /// whether the auditor gave them.
    pub anchors: (Vec<String>, bool),
    /// The signatures' validation time, unix seconds.
    pub at: i64,
}

/// What one version proves.
#[derive(Debug)]
#[non_exhaustive]
pub struct VersionFinding {
    /// Its number.
    pub version: u32,
    /// The content's SHA-256 (hex) and length: the content is intact.
    pub content: (String, u64),
    /// The registration number, date and instant (unix seconds).
    pub registration: (String, String, i64),
    /// The index of its registration's audit entry.
    pub audit_index: u64,
    /// The kind of that entry (`register` or `new-version`).
    pub kind: String,
    /// The report of each signature, verified offline now.
    pub reports: Vec<Report>,
}

impl Verified {
    /// Every signature's report.
    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        self.versions.iter().flat_map(|v| &v.reports)
    }
}

/// Verifies `bundle` (`docs/bundle.md`, "What `qoima bundle verify` checks").
pub fn verify(bundle: &Bundle<'_>, options: &Options) -> Result<Verified, BundleError> {
    let manifest = &bundle.manifest;
    let (key, key_given) = match &options.key {
        Some(key) => (key.clone(), true),
        None => (
            manifest
                .log
                .verifier_key
                .parse::<VerifierKey>()
                .map_err(|e| BundleError::Manifest(format!("the verifier key it names: {e}")))?,
            false,
        ),
    };
    let checkpoint = open_checkpoint(bundle, &key, key_given)?;
    let since = check_since(bundle, &key, &checkpoint, options.held.as_deref())?;

    let document: DocumentId = manifest
        .document
        .parse()
        .map_err(|_| BundleError::Manifest(format!("document {:?} is no id", manifest.document)))?;
    let document_record = bundle.file(&manifest.document_record)?;
    codec::decode::<DocumentRecord>(document_record).map_err(|e| BundleError::Record {
        what: "the document record".into(),
        problem: format!("does not decode: {e}"),
    })?;

    if manifest.versions.is_empty() {
        return Err(BundleError::Versions("the bundle holds no version".into()));
    }
    let mut records = Vec::new();
    let mut versions = Vec::new();
    for (i, version) in manifest.versions.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if version.version != expected {
            return Err(BundleError::Versions(format!(
                "version {expected} is not in the bundle (the manifest lists version {} in its \
                 place): a version was removed",
                version.version
            )));
        }
        let (record, finding) =
            check_version(bundle, version, &checkpoint, document, document_record)?;
        records.push(record);
        versions.push(finding);
    }
    let export = check_export(bundle, &checkpoint, document, &versions)?;
    check_kept("CRL", &manifest.crls, records.iter().flat_map(|r| &r.crls))?;
    check_kept(
        "OCSP response",
        &manifest.ocsp_responses,
        records.iter().flat_map(|r| &r.ocsp_responses),
    )?;
    check_certificates(bundle, &records)?;

    let (verifier, anchors) = verifier_over(bundle, &options.trust)?;
    let responses = kept_bytes(bundle, "OCSP response", &manifest.ocsp_responses)?;
    for ((finding, record), listed) in versions.iter_mut().zip(&records).zip(&manifest.versions) {
        let content = bundle.file(&listed.content.file)?;
        // Each version with the responses its own verdict used, as the vault re-verifies.
        let mut kept = OcspStore::new();
        for address in &record.ocsp_responses {
            if let Some(der) = responses.get(&hex::encode(address)) {
                kept.add_supplied(der).map_err(|e| {
                    BundleError::Evidence(format!("OCSP response {}: {e}", hex::encode(address)))
                })?;
            }
        }
        finding.reports = verify_signatures(&verifier, record, content, &kept, options.at)?;
    }
    Ok(Verified {
        document,
        key,
        key_given,
        checkpoint,
        since,
        versions,
        export,
        anchors: (anchors, !options.trust.is_empty()),
        at: options.at,
    })
}

/// The checkpoint, signed by `key`, of the log the key names, as the manifest describes it.
fn open_checkpoint(
    bundle: &Bundle<'_>,
    key: &VerifierKey,
    key_given: bool,
) -> Result<Checkpoint, BundleError> {
    let log = &bundle.manifest.log;
    let whose = if key_given {
        "the key given"
    } else {
        "the key the bundle names"
    };
    let checkpoint = Checkpoint::open(bundle.file(&log.checkpoint)?, key).map_err(|e| {
        BundleError::Checkpoint(format!("its signature does not verify with {whose}: {e}"))
    })?;
    if checkpoint.origin != key.name() {
        return Err(BundleError::Checkpoint(format!(
            "it is of log {:?}, not the key's {:?}",
            checkpoint.origin,
            key.name()
        )));
    }
    if key_given && log.verifier_key != key.to_string() {
        return Err(BundleError::Manifest(format!(
            "it names the verifier key {}, not the one given",
            log.verifier_key
        )));
    }
    if log.origin != checkpoint.origin
        || log.size != checkpoint.size
        || log.root != checkpoint.root.to_string()
    {
        return Err(BundleError::Manifest(
            "its log origin, size or root differs from the signed checkpoint's".into(),
        ));
    }
    Ok(checkpoint)
}

/// The consistency proof from the older checkpoint, when there is one, and whether that is the
/// one the auditor holds (`held`).
fn check_since(
    bundle: &Bundle<'_>,
    key: &VerifierKey,
    checkpoint: &Checkpoint,
    held: Option<&[u8]>,
) -> Result<Option<(Checkpoint, bool)>, BundleError> {
    let held = held
        .map(|note| {
            Checkpoint::open(note, key).map_err(|e| {
                BundleError::Consistency(format!(
                    "the checkpoint you hold does not verify with the vault's key: {e}"
                ))
            })
        })
        .transpose()?;
    let Some(since) = &bundle.manifest.since else {
        return match held {
            Some(_) => Err(BundleError::Consistency(
                "the bundle carries none, so it proves nothing about the checkpoint you hold \
                 (export with --since)"
                    .into(),
            )),
            None => Ok(None),
        };
    };
    let old = Checkpoint::open(bundle.file(&since.checkpoint)?, key)
        .map_err(|e| BundleError::Consistency(format!("the older checkpoint: {e}")))?;
    if old.origin != checkpoint.origin {
        return Err(BundleError::Consistency(format!(
            "the older checkpoint is of log {:?}, not {:?}",
            old.origin, checkpoint.origin
        )));
    }
    if since.size != old.size || since.root != old.root.to_string() {
        return Err(BundleError::Manifest(
            "the size or root it gives for the older checkpoint is not the checkpoint's".into(),
        ));
    }
    let proof = hashes(&since.consistency_proof, "the consistency proof")?;
    verify_consistency(
        old.size,
        checkpoint.size,
        &old.root,
        &checkpoint.root,
        &proof,
    )
    .map_err(|e| {
        BundleError::Consistency(format!(
            "the log of size {} is not proven to extend the checkpoint of size {}: {e}",
            checkpoint.size, old.size
        ))
    })?;
    let is_held = match held {
        Some(held) if held.size != old.size || held.root != old.root => {
            return Err(BundleError::Consistency(format!(
                "the bundle's proof starts from the checkpoint of size {} (root {}), not from \
                 the one you hold (size {}, root {})",
                old.size, old.root, held.size, held.root
            )));
        }
        Some(_) => true,
        None => false,
    };
    Ok(Some((old, is_held)))
}

/// One version: its record, its entry in the log, its content and signatures.
fn check_version(
    bundle: &Bundle<'_>,
    version: &manifest::Version,
    checkpoint: &Checkpoint,
    document: DocumentId,
    document_record: &[u8],
) -> Result<(VersionRecord, VersionFinding), BundleError> {
    let n = version.version;
    let what = format!("version {n}'s record");
    let record_bytes = bundle.file(&version.record)?;
    let record: VersionRecord =
        codec::decode_upgrading(record_bytes).map_err(|e| BundleError::Record {
            what: what.clone(),
            problem: format!("does not decode: {e}"),
        })?;
    let record_problem = |problem: String| BundleError::Record {
        what: what.clone(),
        problem,
    };
    if record.version != n {
        return Err(record_problem(format!(
            "it is of version {}",
            record.version
        )));
    }

    // The entry names the record: a registration covers the document record too.
    let (kind, hashed) = if n == 1 {
        ("register", [document_record, record_bytes].concat())
    } else {
        ("new-version", record_bytes.to_vec())
    };
    let entry_what = format!("version {n}'s audit entry");
    let entry = check_logged(bundle, &version.audit_entry, &entry_what, checkpoint)?;
    let entry_problem = |problem: String| BundleError::AuditEntry {
        what: format!("{entry_what} (index {})", version.audit_entry.index),
        problem,
    };
    if entry.kind != kind || entry.subject != document.to_string() || entry.number != n {
        return Err(entry_problem(format!(
            "it is a {} entry of {} number {}, not the {kind} of version {n} of document {document}",
            entry.kind, entry.subject, entry.number
        )));
    }
    let actual = hex::encode(Sha256::digest(&hashed));
    if entry.record_hash != actual {
        return Err(entry_problem(format!(
            "it names a record with SHA-256 {}, but the record{} in the bundle hash to {actual}: \
             the record was changed",
            entry.record_hash,
            if n == 1 {
                "s (document and version)"
            } else {
                ""
            }
        )));
    }
    if record.audit_index != version.audit_entry.index {
        return Err(record_problem(format!(
            "it names audit entry {}, not {}",
            record.audit_index, version.audit_entry.index
        )));
    }

    // What the manifest says of the record is what the record says.
    let crls: Vec<String> = record.crls.iter().map(hex::encode).collect();
    let ocsp_responses: Vec<String> = record.ocsp_responses.iter().map(hex::encode).collect();
    if version.content.sha256 != hex::encode(record.content)
        || version.content.length != record.length
        || version.registration_number != record.registration_number
        || version.registration_date != record.registration_date
        || version.registered_at != instant(record.registered_at)
        || version.crls != crls
        || version.ocsp_responses != ocsp_responses
        || version.signatures.len() != record.signatures.len()
    {
        return Err(BundleError::Manifest(format!(
            "what it says of version {n} (content, registration, CRLs, OCSP responses or \
             signatures) is not what \
             the version's record says"
        )));
    }

    let content = bundle.file(&version.content.file)?;
    let sha256 = hex::encode(Sha256::digest(content));
    if sha256 != hex::encode(record.content) || content.len() as u64 != record.length {
        return Err(BundleError::Content {
            version: n,
            problem: format!(
                "hashes to {sha256} ({} bytes), not to the address its record holds, {} ({} \
                 bytes): the content was changed",
                content.len(),
                hex::encode(record.content),
                record.length
            ),
        });
    }
    for (k, (file, signature)) in version
        .signatures
        .iter()
        .zip(&record.signatures)
        .enumerate()
    {
        if bundle.file(file)? != signature.as_slice() {
            return Err(BundleError::Signature {
                version: n,
                index: k + 1,
                problem: format!(
                    "({file}) is not the signature the version's record holds: it was swapped"
                ),
            });
        }
    }
    let finding = VersionFinding {
        version: n,
        content: (sha256, record.length),
        registration: (
            record.registration_number.clone(),
            record.registration_date.clone(),
            record.registered_at,
        ),
        audit_index: version.audit_entry.index,
        kind: entry.kind,
        reports: Vec::new(),
    };
    Ok((record, finding))
}

/// The entry `logged` describes: its leaf hash, and its inclusion in `checkpoint`.
fn check_logged(
    bundle: &Bundle<'_>,
    logged: &manifest::LogEntry,
    what: &str,
    checkpoint: &Checkpoint,
) -> Result<LoggedEntry, BundleError> {
    let problem = |problem: String| BundleError::AuditEntry {
        what: format!("{what} (index {})", logged.index),
        problem,
    };
    let bytes = bundle.file(&logged.file)?;
    let leaf = hash_leaf(bytes);
    let proof = hashes(&logged.inclusion_proof, "an inclusion proof")?;
    verify_inclusion(
        &leaf,
        logged.index,
        checkpoint.size,
        &proof,
        &checkpoint.root,
    )
    .map_err(|e| {
        problem(format!(
            "it is not proven to be in the log of the checkpoint (size {}): {e}",
            checkpoint.size
        ))
    })?;
    if logged.leaf_hash != leaf.to_string() {
        return Err(BundleError::Manifest(format!(
            "the leaf hash it gives for {what} is not SHA-256(0x00 ‖ the entry)"
        )));
    }
    LoggedEntry::parse(bytes).ok_or_else(|| problem("it is not an audit entry".into()))
}

/// The export's read: an `auditor-read` of this document, in the log, naming every version.
fn check_export(
    bundle: &Bundle<'_>,
    checkpoint: &Checkpoint,
    document: DocumentId,
    versions: &[VersionFinding],
) -> Result<(u64, String, i64), BundleError> {
    let export = &bundle.manifest.export;
    let record_bytes = bundle.file(&export.record)?;
    let event: Event = codec::decode_upgrading(record_bytes).map_err(|e| BundleError::Record {
        what: "the export's record".into(),
        problem: format!("does not decode: {e}"),
    })?;
    let Event::AuditorRead { by, what, at } = event else {
        return Err(BundleError::Record {
            what: "the export's record".into(),
            problem: "it is not an auditor's read".into(),
        });
    };
    let entry = check_logged(
        bundle,
        &export.audit_entry,
        "the export's audit entry",
        checkpoint,
    )?;
    let problem = |problem: String| BundleError::AuditEntry {
        what: format!(
            "the export's audit entry (index {})",
            export.audit_entry.index
        ),
        problem,
    };
    if entry.kind != "auditor-read" || entry.subject != document.to_string() {
        return Err(problem(format!(
            "it is a {} entry of {}, not an auditor's read of document {document}",
            entry.kind, entry.subject
        )));
    }
    if entry.record_hash != hex::encode(Sha256::digest(record_bytes)) {
        return Err(problem(
            "it names another record than the export's: the record was changed".into(),
        ));
    }
    let count = versions.len() as u32;
    if what != export_statement(count) {
        return Err(BundleError::Versions(format!(
            "the export was logged as {what:?}, but the bundle holds versions 1 to {count}: a \
             version was removed"
        )));
    }
    if versions
        .iter()
        .any(|v| v.audit_index >= export.audit_entry.index)
    {
        return Err(problem("it is not after every version's entry".into()));
    }
    if export.by != by || export.at != instant(at) {
        return Err(BundleError::Manifest(
            "who exported and when is not what the export's record says".into(),
        ));
    }
    Ok((export.audit_entry.index, by, at))
}

/// Every file of `listed` (CRLs, OCSP responses: `what`) is one a version record keeps, and
/// every one a record keeps is listed. (That each is the one its SHA-256 names is checked as
/// it is read, [`kept_bytes`].)
fn check_kept<'r>(
    what: &str,
    listed: &[KeptFile],
    kept: impl Iterator<Item = &'r [u8; 32]>,
) -> Result<(), BundleError> {
    let kept: BTreeSet<String> = kept.map(hex::encode).collect();
    let names: BTreeSet<&str> = listed.iter().map(|k| k.sha256.as_str()).collect();
    if let Some(address) = kept.iter().find(|a| !names.contains(a.as_str())) {
        return Err(BundleError::Evidence(format!(
            "{what} {address}, which a version record keeps as evidence, is not in the bundle"
        )));
    }
    if let Some(file) = listed.iter().find(|k| !kept.contains(&k.sha256)) {
        return Err(BundleError::Evidence(format!(
            "{what} {} ({}) is kept by no version record",
            file.sha256, file.file
        )));
    }
    Ok(())
}

/// The bytes of each file of `listed` by its SHA-256, each checked to be the one its name says.
fn kept_bytes<'b>(
    bundle: &'b Bundle<'_>,
    what: &str,
    listed: &[KeptFile],
) -> Result<BTreeMap<String, &'b [u8]>, BundleError> {
    let mut bytes = BTreeMap::new();
    for kept in listed {
        let der = bundle.file(&kept.file)?;
        if hex::encode(Sha256::digest(der)) != kept.sha256 {
            return Err(BundleError::Evidence(format!(
                "{what} {} ({}) does not hash to its name: it was changed",
                kept.sha256, kept.file
            )));
        }
        bytes.insert(kept.sha256.clone(), der);
    }
    Ok(bytes)
}

/// Every certificate is the one its SHA-256 names and is on a path a registration report
/// names (the reports are in the records, which the log binds).
fn check_certificates(bundle: &Bundle<'_>, records: &[VersionRecord]) -> Result<(), BundleError> {
    let mut on_paths = BTreeSet::new();
    let mut anchors = BTreeSet::new();
    for record in records {
        let paths = report_paths(&record.report).map_err(|e| BundleError::Record {
            what: format!("version {}'s record", record.version),
            problem: e,
        })?;
        for path in paths {
            anchors.extend(path.last().cloned());
            on_paths.extend(path);
        }
    }
    for certificate in &bundle.manifest.certificates {
        let der = bundle.file(&certificate.file)?;
        let actual = Fingerprint::of(der).to_string();
        if actual != certificate.sha256 {
            return Err(BundleError::Evidence(format!(
                "certificate {} ({}) hashes to {actual}: it was changed",
                certificate.sha256, certificate.file
            )));
        }
        if !on_paths.contains(&actual) {
            return Err(BundleError::Evidence(format!(
                "certificate {actual} ({}) is on no path a registration report names",
                certificate.file
            )));
        }
        if certificate.trust_anchor != anchors.contains(&actual) {
            return Err(BundleError::Manifest(format!(
                "certificate {actual} is{} marked as a trust anchor, but the reports' paths say \
                 otherwise",
                if certificate.trust_anchor { "" } else { " not" }
            )));
        }
    }
    Ok(())
}

/// A verifier over the bundle's certificates and CRLs: the auditor's anchors when given (the
/// bundle's are then only intermediates), else the bundle's. Returns the anchors' fingerprints.
fn verifier_over(
    bundle: &Bundle<'_>,
    trust: &[Vec<u8>],
) -> Result<(Verifier, Vec<String>), BundleError> {
    let mut store = CertificateStore::new();
    let mut anchors = Vec::new();
    for certificate in &bundle.manifest.certificates {
        let der = bundle.file(&certificate.file)?;
        let added = if certificate.trust_anchor && trust.is_empty() {
            anchors.push(certificate.sha256.clone());
            store.add_trust_anchor(der)
        } else {
            store.add_intermediate(der)
        };
        added.map_err(|e| {
            BundleError::Evidence(format!("certificate {}: {e}", certificate.sha256))
        })?;
    }
    for der in trust {
        let fingerprint = store
            .add_trust_anchor(der)
            .map_err(|e| BundleError::Evidence(format!("a trust anchor given: {e}")))?;
        anchors.push(fingerprint.to_string());
    }
    let mut crls = CrlStore::new();
    for (address, der) in kept_bytes(bundle, "CRL", &bundle.manifest.crls)? {
        crls.add(der)
            .map_err(|e| BundleError::Evidence(format!("CRL {address}: {e}")))?;
    }
    Ok((Verifier::new(store, crls, Policy::default()), anchors))
}

/// Each signature of `record` over `content` at `at`, with the registration as its proof of
/// existence and the OCSP responses it `kept`: by the content's SHA-256, and by its bytes only
/// when a signature signs them directly (as the vault's re-verification does).
fn verify_signatures(
    verifier: &Verifier,
    record: &VersionRecord,
    mut content: &[u8],
    kept: &OcspStore,
    at: i64,
) -> Result<Vec<Report>, BundleError> {
    let check = Check {
        verifier,
        at,
        expected: &signatures::expectation(&record.expected),
        proof_of_existence: Some(record.registered_at),
        supplied: kept,
        evidence: None,
    };
    check.each(&record.signatures, &record.content, &mut content, |k, e| {
        BundleError::Signature {
            version: record.version,
            index: k + 1,
            problem: format!("cannot be verified: {e}"),
        }
    })
}

fn hashes(hex: &[String], what: &str) -> Result<Vec<Hash>, BundleError> {
    hex.iter()
        .map(|h| {
            h.parse::<Hash>()
                .map_err(|e| BundleError::Manifest(format!("{what}: {e}")))
        })
        .collect()
}

/// Now, for the default validation time.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}
