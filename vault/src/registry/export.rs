//! What an auditor's bundle holds, read from the store as stored (`docs/bundle.md`): the
//! document's records and audit entries as bytes, every version's content read back and
//! checked against its address, the CRLs its records keep, and the export itself logged as an
//! auditor's read naming the versions exported.

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::error::{ChangeError, StoreError};
use super::{Registry, event_key};
use crate::address::ContentAddress;
use crate::audit::log::AuditLog;
use crate::bundle::export_statement;
use crate::codec;
use crate::error::VaultError;
use crate::records::{Actor, DocumentId, Event, LoggedEntry, VersionRecord};
use crate::storage::{ChunkStore, MetaStore, Table};

/// A document's stored evidence: what [`crate::bundle::Evidence`] needs besides the proofs,
/// the checkpoints and the certificates.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredEvidence {
    /// The document record's stored bytes.
    pub document_record: Vec<u8>,
    /// Each version, oldest first.
    pub versions: Vec<StoredVersion>,
    /// The CRLs the versions keep (DER).
    pub crls: Vec<Vec<u8>>,
    /// The OCSP responses the versions keep (DER).
    pub ocsp_responses: Vec<Vec<u8>>,
}

/// One version as stored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredVersion {
    /// The version record's stored bytes.
    pub record: Vec<u8>,
    /// The content, checked against its address.
    pub content: Vec<u8>,
    /// The registration's audit entry.
    pub entry: Vec<u8>,
    /// Its index in the log.
    pub index: u64,
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// The stored evidence of document `id`; `None` if there is no such document. Content that
    /// is missing or no longer hashes to its address is an error: a bundle carries only what
    /// verifies.
    pub fn stored_evidence(&self, id: DocumentId) -> Result<Option<StoredEvidence>, StoreError> {
        let backend = self.content().backend();
        let Some(document_record) = backend.get(Table::Documents, &id.0)? else {
            return Ok(None);
        };
        let log = AuditLog::open(backend)?;
        let mut versions = Vec::new();
        let mut crls: Vec<[u8; 32]> = Vec::new();
        let mut responses: Vec<[u8; 32]> = Vec::new();
        for stored in backend.scan_prefix(Table::Versions, &id.0) {
            let (_, bytes) = stored?;
            let record: VersionRecord = codec::decode_upgrading(&bytes)?;
            let content = self.read_checked(ContentAddress(record.content))?;
            let entry = log.entry(record.audit_index)?;
            for (kept, addresses) in [
                (&mut crls, &record.crls),
                (&mut responses, &record.ocsp_responses),
            ] {
                for address in addresses {
                    if !kept.contains(address) {
                        kept.push(*address);
                    }
                }
            }
            versions.push(StoredVersion {
                record: bytes,
                content,
                entry,
                index: record.audit_index,
            });
        }
        let read_all = |addresses: Vec<[u8; 32]>| {
            addresses
                .into_iter()
                .map(|address| self.read_checked(ContentAddress(address)))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Some(StoredEvidence {
            document_record,
            versions,
            crls: read_all(crls)?,
            ocsp_responses: read_all(responses)?,
        }))
    }

    /// Records that `by` exported `versions` versions of document `id` at `at` (an
    /// `auditor-read` event whose text is [`export_statement`]), refused if the document has
    /// another number of versions by then, or was disposed of. Returns the event's stored
    /// bytes, its entry and the entry's index.
    pub fn record_export(
        &self,
        id: DocumentId,
        versions: u32,
        by: &Actor,
        at: Timestamp,
    ) -> Result<(Vec<u8>, Vec<u8>, u64), ChangeError> {
        let event = Event::AuditorRead {
            by: by.to_string(),
            what: export_statement(versions),
            at: at.as_second(),
        };
        let number = self.record_event(id, by, event, |view| {
            if !view.tombstones.is_empty() {
                return Err(ChangeError::Disposed(id));
            }
            if view.versions.len() != versions as usize {
                return Err(ChangeError::Conflict { expected: versions });
            }
            Ok(())
        })?;
        let backend = self.content().backend();
        let bytes = backend
            .get(Table::Events, &event_key(id, number))?
            .ok_or_else(|| StoreError::Damaged(format!("event {number} of {id} is missing")))?;
        // The entry was appended last under the writer lock; others may have come after it.
        let log = AuditLog::open(backend)?;
        let hash = hex::encode(Sha256::digest(&bytes));
        let subject = id.to_string();
        for index in (0..log.size()).rev() {
            let entry = log.entry(index).map_err(StoreError::from)?;
            if let Some(parsed) = LoggedEntry::parse(&entry)
                && parsed.subject == subject
                && parsed.number == number
                && parsed.kind == "auditor-read"
                && parsed.record_hash == hash
            {
                return Ok((bytes, entry, index));
            }
        }
        Err(StoreError::Damaged(format!(
            "the audit entry of event {number} of {id} is missing"
        ))
        .into())
    }

    /// The content at `address`, every chunk verified and the whole checked against it.
    fn read_checked(&self, address: ContentAddress) -> Result<Vec<u8>, StoreError> {
        let mut reader = self.content().read(&address)?;
        let mut bytes = Vec::new();
        while let Some(piece) = reader.next_chunk()? {
            bytes.extend_from_slice(&piece);
        }
        let actual = ContentAddress(Sha256::digest(&bytes).into());
        if actual != address {
            return Err(VaultError::AddressMismatch { address, actual }.into());
        }
        Ok(bytes)
    }
}
