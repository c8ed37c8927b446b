//! Signature verification for the registry: at registration against the stored content's
//! SHA-256 (the bytes only when a signature signs them directly), the CRLs a verdict used kept
//! as evidence, and re-verification with the registration as proof of existence.

use std::io::Read;

use jiff::Timestamp;
use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::verdict::SubIndication;
use qoima_verifier::{Data, Report, Request};

use super::format::SNIFF_LEN;
use super::record::{DocumentId, VersionRecord};
use super::registry::{RegisterError, Registration, Registry, version_key};
use crate::address::ContentAddress;
use crate::codec;
use crate::error::VaultError;
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
    ) -> Result<(), RegisterError> {
        for der in crls {
            self.content().put(der)?;
        }
        Ok(())
    }

    /// The content addresses of the CRLs `reports` read that the content store keeps.
    pub(crate) fn evidence(&self, reports: &[Report]) -> Result<Vec<[u8; 32]>, RegisterError> {
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
            if !crls.contains(&address.0) && self.content().contains(&address)? {
                crls.push(address.0);
            }
        }
        Ok(crls)
    }

    /// The first bytes of a content, for format sniffing.
    pub(crate) fn prefix(
        &self,
        address: &ContentAddress,
        length: u64,
    ) -> Result<Vec<u8>, VaultError> {
        let end = length.min(SNIFF_LEN as u64);
        let mut prefix = Vec::with_capacity(end as usize);
        self.content()
            .read_range(address, 0..end)?
            .read_to_end(&mut prefix)
            .map_err(VaultError::from)?;
        Ok(prefix)
    }

    /// Every signature verified against the stored content's SHA-256 at the registration
    /// instant; all must be TOTAL_PASSED.
    pub(crate) fn verify(
        &self,
        registration: &Registration,
        length: u64,
    ) -> Result<Vec<Report>, RegisterError> {
        let reports = self.verify_signatures(
            &registration.signatures,
            registration.content,
            length,
            registration.at.as_second(),
            &registration.expected,
            None,
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

    /// Each of `signatures` over the content at `address` at `at`, with an optional proof of
    /// existence: against the content's SHA-256, and against its bytes only when a signature
    /// signs them directly.
    fn verify_signatures(
        &self,
        signatures: &[Vec<u8>],
        address: ContentAddress,
        length: u64,
        at: i64,
        expected: &Expectation,
        proof_of_existence: Option<i64>,
    ) -> Result<Vec<Report>, RegisterError> {
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
            let mut report = self
                .verifier()
                .verify(&request)
                .map_err(RegisterError::Expectation)?;
            // A signature over the bytes themselves (no signed attributes, or another digest
            // algorithm) needs the content.
            if report.verdict.sub_indication == Some(SubIndication::SignedDataNotFound)
                && length <= MAX_REREAD
            {
                if bytes.is_none() {
                    let mut all = Vec::with_capacity(length as usize);
                    self.content()
                        .read(&address)?
                        .read_to_end(&mut all)
                        .map_err(VaultError::from)?;
                    bytes = Some(all);
                }
                let data = Data::Bytes(bytes.as_deref().unwrap_or_default());
                report = self
                    .verifier()
                    .verify(&request.clone().data(data))
                    .map_err(RegisterError::Expectation)?;
            }
            reports.push(report);
        }
        Ok(reports)
    }

    /// Re-verifies the signatures of `version` of document `id` at `at`, with the version's
    /// registration as their proof of existence (DESIGN.md §2: the registration entry in the
    /// audit log proves the signatures existed then), so a certificate that expired, or was
    /// revoked for a benign reason, after the registration still validates.
    pub fn reverify(
        &self,
        id: DocumentId,
        version: u32,
        at: Timestamp,
    ) -> Result<Option<Vec<Report>>, RegisterError> {
        let Some(bytes) = self
            .content()
            .backend()
            .get(Table::Versions, &version_key(id, version))?
        else {
            return Ok(None);
        };
        let record: VersionRecord = codec::decode(&bytes)?;
        let expected = Expectation {
            iin: record.expected.iin.clone(),
            bin: record.expected.bin.clone(),
            roles: record
                .expected
                .roles
                .iter()
                .map(|oid| qoima_verifier::identity::Role::from_oid(oid))
                .collect(),
        };
        self.verify_signatures(
            &record.signatures,
            ContentAddress(record.content),
            record.length,
            at.as_second(),
            &expected,
            Some(record.registered_at),
        )
        .map(Some)
    }
}
