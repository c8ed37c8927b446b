//! Writing a bundle from the evidence the registry hands over: the stored bytes of the records
//! and audit entries, the content, the proofs and checkpoints, the certificates and CRLs. Nothing
//! here reads the vault; the same bytes in give the same bundle out.

use std::collections::{BTreeMap, BTreeSet};

use qoima_verifier::path::Fingerprint;

use super::error::BundleError;
use super::manifest::{self, Manifest};
use super::paths::{report_paths, signature_certificates};
use super::zip::{self, Entry};
use crate::audit::{Checkpoint, Hash, VerifierKey, hash_leaf};
use crate::codec;
use crate::records::{DocumentId, VersionRecord};

/// Everything a bundle holds, as the vault stores it.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The document.
    pub document: DocumentId,
    /// The document record's stored bytes.
    pub document_record: Vec<u8>,
    /// Every version, oldest first.
    pub versions: Vec<VersionEvidence>,
    /// The export's logged read: its event record's stored bytes and its entry.
    pub export: (Vec<u8>, Logged),
    /// The checkpoint every proof is against, and its signed note.
    pub checkpoint: (Checkpoint, String),
    /// The key that signed it.
    pub verifier_key: VerifierKey,
    /// An older checkpoint's note and the consistency proof from it.
    pub since: Option<(Checkpoint, String, Vec<Hash>)>,
    /// Candidate certificates (DER): the trust store's. Those the signatures carry are added;
    /// those no report's path names are left out.
    pub certificates: Vec<Vec<u8>>,
    /// The CRLs the version records name (DER).
    pub crls: Vec<Vec<u8>>,
    /// The OCSP responses the version records name (DER).
    pub ocsp_responses: Vec<Vec<u8>>,
}

/// One version's evidence.
#[derive(Debug, Clone)]
pub struct VersionEvidence {
    /// The version record's stored bytes.
    pub record: Vec<u8>,
    /// The content.
    pub content: Vec<u8>,
    /// Its registration's audit entry.
    pub logged: Logged,
}

/// An audit entry with its index and inclusion proof.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The entry's bytes.
    pub entry: Vec<u8>,
    /// Its index.
    pub index: u64,
    /// Its inclusion proof against the checkpoint.
    pub proof: Vec<Hash>,
}

/// Writes `evidence` as a bundle (`docs/bundle.md`).
pub fn write(evidence: &Evidence) -> Result<Vec<u8>, BundleError> {
    let fail = |what: String| BundleError::Write(what);
    let (checkpoint, note) = &evidence.checkpoint;
    let records = evidence
        .versions
        .iter()
        .map(|v| codec::decode_upgrading::<VersionRecord>(&v.record))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("a version record: {e}")))?;
    // The certificates that may be on a path, each once, by fingerprint: the trust store's
    // and those the signatures carry.
    let mut by_fingerprint: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let carried = records
        .iter()
        .flat_map(|r| &r.signatures)
        .flat_map(|s| signature_certificates(s));
    for der in evidence.certificates.iter().cloned().chain(carried) {
        by_fingerprint
            .entry(Fingerprint::of(&der).to_string())
            .or_insert(der);
    }
    // The entries borrow the bytes above: the content is held once besides the archive.
    let mut files: Vec<(String, &[u8])> = Vec::new();
    let mut add = |name: String, bytes| {
        files.push((name.clone(), bytes));
        name
    };

    let log = manifest::Log {
        origin: checkpoint.origin.clone(),
        verifier_key: evidence.verifier_key.to_string(),
        checkpoint: add("log/checkpoint.txt".into(), note.as_bytes()),
        size: checkpoint.size,
        root: checkpoint.root.to_string(),
    };
    let since = evidence
        .since
        .as_ref()
        .map(|(old, note, proof)| manifest::Since {
            checkpoint: add("log/since-checkpoint.txt".into(), note.as_bytes()),
            size: old.size,
            root: old.root.to_string(),
            consistency_proof: hex_hashes(proof),
        });
    let document_record = add("document-record.bin".into(), &evidence.document_record);

    let mut versions = Vec::new();
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut named_crls = BTreeSet::new();
    let mut named_responses = BTreeSet::new();
    for (evidence, record) in evidence.versions.iter().zip(&records) {
        let n = record.version;
        let dir = format!("versions/{n}");
        paths.extend(report_paths(&record.report).map_err(|e| fail(format!("version {n}: {e}")))?);
        let mut signatures = Vec::new();
        for (k, signature) in record.signatures.iter().enumerate() {
            signatures.push(add(format!("{dir}/signature-{}.p7s", k + 1), signature));
        }
        let crls: Vec<String> = record.crls.iter().map(hex::encode).collect();
        named_crls.extend(crls.iter().cloned());
        let ocsp_responses: Vec<String> = record.ocsp_responses.iter().map(hex::encode).collect();
        named_responses.extend(ocsp_responses.iter().cloned());
        versions.push(manifest::Version {
            version: n,
            record: add(format!("{dir}/record.bin"), &evidence.record),
            content: manifest::Content {
                file: add(
                    format!("{dir}/content.{}", extension(&record.format)),
                    &evidence.content,
                ),
                sha256: hex::encode(record.content),
                length: record.length,
            },
            signatures,
            audit_entry: log_entry(
                &mut add,
                &format!("{dir}/audit-entry.txt"),
                &evidence.logged,
            ),
            registration_number: record.registration_number.clone(),
            registration_date: record.registration_date.clone(),
            registered_at: instant(record.registered_at),
            crls,
            ocsp_responses,
        });
    }

    let (export_record, logged) = &evidence.export;
    let event: crate::records::Event = codec::decode_upgrading(export_record)
        .map_err(|e| fail(format!("the export's record: {e}")))?;
    let crate::records::Event::AuditorRead { by, at, .. } = event else {
        return Err(fail("the export's record is not an auditor's read".into()));
    };
    let export = manifest::Export {
        record: add("export/record.bin".into(), export_record),
        audit_entry: log_entry(&mut add, "export/audit-entry.txt", logged),
        by,
        at: instant(at),
    };

    // The certificates of every path; a path's last is its anchor.
    let anchors: BTreeSet<&String> = paths.iter().filter_map(|p| p.last()).collect();
    let wanted: BTreeSet<&String> = paths.iter().flatten().collect();
    let mut certificates = Vec::new();
    for fingerprint in wanted {
        let der = by_fingerprint.get(fingerprint).ok_or_else(|| {
            fail(format!(
                "certificate {fingerprint} of a registration's path is neither in the trust \
                 store nor in the signatures"
            ))
        })?;
        certificates.push(manifest::Certificate {
            file: add(format!("certificates/{fingerprint}.cer"), der),
            sha256: fingerprint.clone(),
            trust_anchor: anchors.contains(fingerprint),
        });
    }
    let crls = kept_files(
        &mut add,
        "CRL",
        "crls/",
        ".crl",
        &named_crls,
        &evidence.crls,
    )?;
    let ocsp_responses = kept_files(
        &mut add,
        "OCSP response",
        "ocsp/",
        ".der",
        &named_responses,
        &evidence.ocsp_responses,
    )?;

    let manifest = Manifest {
        format: manifest::FORMAT.into(),
        document: evidence.document.to_string(),
        document_record,
        log,
        since,
        versions,
        export,
        certificates,
        crls,
        ocsp_responses,
    };
    let json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| fail(format!("the manifest: {e}")))?;
    let mut entries = vec![
        Entry {
            name: manifest::MIMETYPE_ENTRY,
            data: manifest::MIMETYPE.as_bytes(),
        },
        Entry {
            name: manifest::MANIFEST,
            data: &json,
        },
    ];
    entries.extend(files.iter().map(|(name, data)| Entry { name, data }));
    Ok(zip::write(&entries)?)
}

/// The files the records name (`what`: CRLs, OCSP responses) among those `given`, each added
/// as `{dir}{SHA-256}{extension}`.
fn kept_files<'a>(
    add: &mut impl FnMut(String, &'a [u8]) -> String,
    what: &str,
    dir: &str,
    extension: &str,
    named: &BTreeSet<String>,
    given: &'a [Vec<u8>],
) -> Result<Vec<manifest::KeptFile>, BundleError> {
    let by_address: BTreeMap<String, &Vec<u8>> = given
        .iter()
        .map(|der| (hex::encode(crate::address::ContentAddress::of(der).0), der))
        .collect();
    named
        .iter()
        .map(|address| {
            let der = by_address.get(address).ok_or_else(|| {
                BundleError::Write(format!(
                    "{what} {address}, which a version record keeps, was not given"
                ))
            })?;
            Ok(manifest::KeptFile {
                file: add(format!("{dir}{address}{extension}"), der),
                sha256: address.clone(),
            })
        })
        .collect()
}

/// An entry's manifest form, its bytes added as `name`.
fn log_entry<'a>(
    add: &mut impl FnMut(String, &'a [u8]) -> String,
    name: &str,
    logged: &'a Logged,
) -> manifest::LogEntry {
    manifest::LogEntry {
        file: add(name.to_owned(), &logged.entry),
        index: logged.index,
        leaf_hash: hash_leaf(&logged.entry).to_string(),
        inclusion_proof: hex_hashes(&logged.proof),
    }
}

fn hex_hashes(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(ToString::to_string).collect()
}

/// The content's file extension: its sniffed format when that is a plain word, else `bin`.
fn extension(format: &str) -> &str {
    let plain = !format.is_empty()
        && format.len() <= 8
        && format
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if plain { format } else { "bin" }
}

/// Unix seconds as RFC 3339, or the number when out of range.
pub(super) fn instant(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}
