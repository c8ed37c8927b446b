//! `manifest.json`: the bundle's index (`docs/bundle.md`, "manifest.json"). It says which
//! entry is what; it proves nothing by itself. Every value in it is checked against the bytes it
//! describes or against a record the audit log binds, and every entry of the archive must be
//! named by it exactly once.

use serde::{Deserialize, Serialize};

/// The `format` of this layout.
pub const FORMAT: &str = "qoima-bundle-v1";

/// The content of the first entry, `mimetype` (as ASiC-E and ODF begin).
pub const MIMETYPE: &str = "application/vnd.qoima.bundle+zip";

/// The name of the manifest entry.
pub const MANIFEST: &str = "manifest.json";

/// The name of the media type entry.
pub const MIMETYPE_ENTRY: &str = "mimetype";

/// The largest manifest read.
pub const MAX_MANIFEST: usize = 16 << 20;

/// The manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The document id, 32 lowercase hex digits.
    pub document: String,
    /// The entry holding the document record's stored bytes.
    pub document_record: String,
    /// The audit log: its key and the signed checkpoint every proof is against.
    pub log: Log,
    /// The consistency proof from an older checkpoint, when the export was given one.
    pub since: Option<Since>,
    /// Every version, oldest first.
    pub versions: Vec<Version>,
    /// The export itself, logged as an auditor's read that names the versions exported.
    pub export: Export,
    /// The certificates of every path the registration reports name.
    pub certificates: Vec<Certificate>,
    /// The CRLs the records keep as evidence.
    pub crls: Vec<KeptFile>,
    /// The OCSP responses the records keep as evidence (absent from bundles written before
    /// 2026-12-07, which carried none).
    #[serde(default)]
    pub ocsp_responses: Vec<KeptFile>,
}

/// The log and its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Log {
    /// The log's origin (the checkpoint's first line, the key's name).
    pub origin: String,
    /// The verifier key (`qoima audit key`), as the vault said: compare it with one you hold.
    pub verifier_key: String,
    /// The entry holding the signed checkpoint (a C2SP signed note).
    pub checkpoint: String,
    /// The checkpoint's tree size.
    pub size: u64,
    /// The checkpoint's root hash, hex.
    pub root: String,
}

/// An older checkpoint and the proof that the log grew from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Since {
    /// The entry holding the older signed checkpoint.
    pub checkpoint: String,
    /// Its tree size.
    pub size: u64,
    /// Its root hash, hex.
    pub root: String,
    /// The RFC 9162 §2.1.4 consistency proof from it to [`Log`]'s checkpoint, hex hashes.
    pub consistency_proof: Vec<String>,
}

/// One version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Version {
    /// Its number, from 1.
    pub version: u32,
    /// The entry holding the version record's stored bytes.
    pub record: String,
    /// The content.
    pub content: Content,
    /// The entries holding the CMS signatures, in the record's order.
    pub signatures: Vec<String>,
    /// The registration's audit entry.
    pub audit_entry: LogEntry,
    /// The registration number (as the record says).
    pub registration_number: String,
    /// The registration date, `YYYY-MM-DD` (as the record says).
    pub registration_date: String,
    /// When it was registered, RFC 3339 (as the record says).
    pub registered_at: String,
    /// SHA-256 of each CRL the record keeps (as the record says), hex.
    pub crls: Vec<String>,
    /// SHA-256 of each OCSP response the record keeps (as the record says), hex.
    #[serde(default)]
    pub ocsp_responses: Vec<String>,
}

/// A version's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Content {
    /// The entry holding it.
    pub file: String,
    /// Its SHA-256 (the vault's content address), hex.
    pub sha256: String,
    /// Its length in bytes.
    pub length: u64,
}

/// An audit-log entry and its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogEntry {
    /// The entry holding the entry's bytes (the leaf is `SHA-256(0x00 ‖ bytes)`).
    pub file: String,
    /// Its index in the log.
    pub index: u64,
    /// Its leaf hash, hex.
    pub leaf_hash: String,
    /// The RFC 9162 §2.1.3 inclusion proof against the checkpoint, hex hashes.
    pub inclusion_proof: Vec<String>,
}

/// The export's own logged read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Export {
    /// The entry holding the event record's stored bytes.
    pub record: String,
    /// Its audit entry.
    pub audit_entry: LogEntry,
    /// Who exported (as the record says).
    pub by: String,
    /// When, RFC 3339 (as the record says).
    pub at: String,
}

/// A certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// The entry holding its DER.
    pub file: String,
    /// SHA-256 of the DER, hex (the fingerprint the reports name).
    pub sha256: String,
    /// Whether a path of a registration report ends at it.
    pub trust_anchor: bool,
}

/// A CRL or an OCSP response a record keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeptFile {
    /// The entry holding its DER.
    pub file: String,
    /// SHA-256 of the DER, hex (its content address in the vault).
    pub sha256: String,
}

impl Manifest {
    /// Every entry name the manifest gives, each with what it is, in the manifest's order.
    pub fn entries(&self) -> Vec<(&str, String)> {
        let mut names = vec![
            (self.log.checkpoint.as_str(), "the checkpoint".to_owned()),
            (
                self.document_record.as_str(),
                "the document record".to_owned(),
            ),
        ];
        if let Some(since) = &self.since {
            names.push((since.checkpoint.as_str(), "the older checkpoint".into()));
        }
        for v in &self.versions {
            let n = v.version;
            names.push((v.record.as_str(), format!("version {n}'s record")));
            names.push((v.content.file.as_str(), format!("version {n}'s content")));
            for (k, s) in v.signatures.iter().enumerate() {
                names.push((s.as_str(), format!("version {n}'s signature {}", k + 1)));
            }
            names.push((v.audit_entry.file.as_str(), format!("version {n}'s entry")));
        }
        names.push((self.export.record.as_str(), "the export's record".into()));
        names.push((
            self.export.audit_entry.file.as_str(),
            "the export's entry".into(),
        ));
        for c in &self.certificates {
            names.push((c.file.as_str(), format!("certificate {}", c.sha256)));
        }
        for c in &self.crls {
            names.push((c.file.as_str(), format!("CRL {}", c.sha256)));
        }
        for r in &self.ocsp_responses {
            names.push((r.file.as_str(), format!("OCSP response {}", r.sha256)));
        }
        names
    }
}
