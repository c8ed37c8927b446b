//! Revocation data an operator imported by hand (CRLs, RFC 5280 §5; OCSP responses, RFC 6960
//! §4.2.1), listed in the record store so that every node of a vault finds it.
//!
//! The data itself is content (its SHA-256 is its address); what this module keeps is the
//! list of imports: one write-once [`RevocationImport`] record per import under its sequence
//! number (big-endian, from 1) in [`Table::RevocationImports`], in one batch with its audit-log
//! entry (`revocation-imported`, subject `revocation-import:<sequence>`, version 0), since the
//! data decides verdicts. A node reads "every import after the last I have seen" by sequence
//! ([`Registry::revocation_imports_after`]); the numbers are taken under the writer lock,
//! which is exclusive across the processes sharing the store, so they have no gaps and no two
//! imports share one. Importing what is already listed records nothing: an address is listed
//! once.
//!
//! The record is a list, not a judgement: the server checks each import again with the
//! verifier's code when it loads it (`docs/revocation.md`).

use bincode::{Decode, Encode};
use jiff::Timestamp;

use super::error::StoreError;
use super::{AuditEntry, Registry};
use crate::address::ContentAddress;
use crate::audit::log::AuditLog;
use crate::codec;
use crate::records::Actor;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

/// The audit entry kind of an import.
pub(super) const IMPORTED: &str = "revocation-imported";

/// What an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode)]
#[non_exhaustive]
pub enum ImportKind {
    /// A CRL (RFC 5280 §5).
    Crl,
    /// An OCSPResponse (RFC 6960 §4.2.1).
    OcspResponse,
}

/// One import as stored (`Table::RevocationImports`), which its audit entry covers.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[non_exhaustive]
pub struct RevocationImport {
    /// A CRL or an OCSP response.
    pub kind: ImportKind,
    /// The SHA-256 content address of its DER.
    pub address: ContentAddress,
    /// When the vault recorded it, unix seconds (its audit entry's time).
    pub imported_at: i64,
    /// The instant its checks passed at, and are run at again when a node loads it, unix
    /// seconds: when it was imported, or, for one taken over from a list that kept no
    /// instant, when its data was issued.
    pub checked_at: i64,
    /// Who imported it, as the audit log names them.
    pub by: String,
}

/// A stored import with its sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedImport {
    /// Its place in the list, from 1.
    pub sequence: u64,
    /// The record.
    pub import: RevocationImport,
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Lists the import of `kind` at `address` (already kept as content), checked at
    /// `checked_at`, for `by` at `at`: its record and its audit entry in one batch. Returns
    /// its sequence number, or `None` when the address is listed already (nothing is
    /// written).
    pub fn record_revocation_import(
        &self,
        kind: ImportKind,
        address: ContentAddress,
        checked_at: Timestamp,
        by: &Actor,
        at: Timestamp,
    ) -> Result<Option<u64>, StoreError> {
        let record = RevocationImport {
            kind,
            address,
            imported_at: at.as_second(),
            checked_at: checked_at.as_second(),
            by: by.to_string(),
        };
        let bytes = codec::encode(&record)?;
        let _writer = self.lock()?;
        let backend = self.content.backend();
        let listed = self.revocation_imports_after(0)?;
        if listed.iter().any(|l| l.import.address == address) {
            return Ok(None);
        }
        let sequence = listed.last().map_or(1, |l| l.sequence.saturating_add(1));
        let entry = AuditEntry {
            kind: IMPORTED,
            time: record.imported_at,
            subject: &subject(sequence),
            version: 0,
            actor: by.as_str(),
            registration: None,
            record: &bytes,
        }
        .to_bytes();
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::RevocationImports, key(sequence), bytes);
        log.append(&mut batch, &entry)?;
        backend.commit(batch)?;
        Ok(Some(sequence))
    }

    /// The imports listed after sequence number `after` (0: all of them), in order.
    pub fn revocation_imports_after(&self, after: u64) -> Result<Vec<ListedImport>, StoreError> {
        let mut listed = Vec::new();
        for stored in self
            .content
            .backend()
            .scan_prefix(Table::RevocationImports, &[])
        {
            let (key, value) = stored?;
            let sequence = parse_key(&key).ok_or_else(|| {
                StoreError::Damaged(format!(
                    "revocation import key {} is not a sequence number",
                    hex::encode(&key)
                ))
            })?;
            if sequence <= after {
                continue;
            }
            let import = codec::decode(&value).map_err(|e| {
                StoreError::Damaged(format!("revocation import {sequence} does not decode: {e}"))
            })?;
            listed.push(ListedImport { sequence, import });
        }
        Ok(listed)
    }

    /// The sequence number of the last import listed (0: none): one read of one key, what a
    /// node asks every few seconds before it reads the list.
    pub fn last_revocation_import(&self) -> Result<u64, StoreError> {
        match self
            .content
            .backend()
            .last_with_prefix(Table::RevocationImports, &[])?
        {
            Some((key, _)) => parse_key(&key).ok_or_else(|| {
                StoreError::Damaged(format!(
                    "revocation import key {} is not a sequence number",
                    hex::encode(&key)
                ))
            }),
            None => Ok(0),
        }
    }
}

/// The key of import `sequence`: big-endian, so that the list reads in order.
pub(super) fn key(sequence: u64) -> Vec<u8> {
    sequence.to_be_bytes().to_vec()
}

fn parse_key(key: &[u8]) -> Option<u64> {
    key.try_into().ok().map(u64::from_be_bytes)
}

/// The audit-log subject of import `sequence`.
pub(super) fn subject(sequence: u64) -> String {
    format!("revocation-import:{sequence}")
}

/// The sequence number of an audit-log [`subject`].
pub(super) fn parse_subject(subject: &str) -> Option<u64> {
    subject.strip_prefix("revocation-import:")?.parse().ok()
}
