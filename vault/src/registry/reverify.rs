//! Signature verification against stored content: the one routine registration and
//! re-verification share (the content's SHA-256, its bytes only when a signature signs them
//! directly), the CRLs kept as evidence, and re-verification with the registration as proof of
//! existence.

use std::io::Read;

use jiff::Timestamp;
use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::{Expectation, Role};
use qoima_verifier::verdict::SubIndication;
use qoima_verifier::{Data, Report, Request, RequestError};

use super::error::{ReverifyError, StoreError};
use super::{Registry, version_key};
use crate::address::ContentAddress;
use crate::codec;
use crate::content::StagedContent;
use crate::error::VaultError;
use crate::records::{DocumentId, VersionRecord};
use crate::storage::{ChunkStore, MetaStore, Table};

/// The most content read back to verify a signature that has no signed attributes (it signs
/// the bytes themselves, so the stored digest is not enough).
const MAX_REREAD: u64 = 64 << 20;

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Stores CRLs in the content store, so that registrations whose verdicts read them keep
    /// them as evidence (their content address is their SHA-256 fingerprint, the one a
    /// report names). Idempotent: a CRL already stored is not stored twice.
    pub fn keep_crls<'c>(
        &self,
        crls: impl IntoIterator<Item = &'c [u8]>,
    ) -> Result<(), StoreError> {
        for der in crls {
            self.content().put(der)?;
        }
        Ok(())
    }

    /// Each of `signatures` over the content at `address` at `at`, with an optional proof of
    /// existence: against the content's SHA-256, and against its bytes only when a signature
    /// signs them directly (read from `staged` when they are not stored yet). A refused
    /// expectation or an unreadable content is the caller's error `E`; a verdict, whatever it
    /// is, is a report.
    #[allow(clippy::too_many_arguments)] // Each is one fact of the content or the verification.
    pub(super) fn verify_signatures<E: From<RequestError> + From<VaultError>>(
        &self,
        signatures: &[Vec<u8>],
        address: ContentAddress,
        length: u64,
        at: i64,
        expected: &Expectation,
        proof_of_existence: Option<i64>,
        staged: Option<&StagedContent>,
    ) -> Result<Vec<Report>, E> {
        let digest = Data::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: address.as_bytes(),
        };
        let mut bytes: Option<Vec<u8>> = None;
        let mut reports = Vec::new();
        for signature in signatures {
            let mut request = Request::new(signature, at)
                .data(digest)
                .expect(expected.clone());
            if let Some(time) = proof_of_existence {
                request = request.proof_of_existence(time);
            }
            let mut report = self.verifier().verify(&request)?;
            // A signature over the bytes themselves (no signed attributes, or another digest
            // algorithm) needs the content.
            if report.verdict.sub_indication == Some(SubIndication::SignedDataNotFound)
                && length <= MAX_REREAD
            {
                if bytes.is_none() {
                    let all = match staged {
                        // Not stored yet: read where it is staged.
                        Some(staged) => staged.read_range(0..length)?,
                        None => {
                            let mut all = Vec::with_capacity(length as usize);
                            self.content()
                                .read(&address)?
                                .read_to_end(&mut all)
                                .map_err(VaultError::from)?;
                            all
                        }
                    };
                    bytes = Some(all);
                }
                let data = Data::Bytes(bytes.as_deref().unwrap_or_default());
                report = self.verifier().verify(&request.clone().data(data))?;
            }
            reports.push(report);
        }
        Ok(reports)
    }

    /// Re-verifies the signatures of `version` of document `id` at `at`, with the version's
    /// registration as their proof of existence (the registration's entry in the audit log
    /// proves the signatures existed then), so a certificate that expired, or was revoked for
    /// a benign reason, after the registration still validates. `None` when there is no such
    /// version.
    pub fn reverify(
        &self,
        id: DocumentId,
        version: u32,
        at: Timestamp,
    ) -> Result<Option<Vec<Report>>, ReverifyError> {
        let Some(bytes) = self
            .content()
            .backend()
            .get(Table::Versions, &version_key(id, version))?
        else {
            return Ok(None);
        };
        let record: VersionRecord = codec::decode_upgrading(&bytes)?;
        let expected = Expectation {
            iin: record.expected.iin.clone(),
            bin: record.expected.bin.clone(),
            roles: record
                .expected
                .roles
                .iter()
                .map(|oid| Role::from_oid(oid))
                .collect(),
        };
        self.verify_signatures(
            &record.signatures,
            ContentAddress(record.content),
            record.length,
            at.as_second(),
            &expected,
            Some(record.registered_at),
            None,
        )
        .map(Some)
    }
}
