//! Signature verification against stored content (its bytes read only when a signature signs
//! them directly, through the routine registration, re-verification and the bundle share:
//! `crate::signatures`), the CRLs and OCSP responses kept as evidence, and re-verification with
//! the registration as proof of existence and its kept OCSP responses.

use jiff::Timestamp;
use qoima_verifier::revocation::OcspStore;
use qoima_verifier::{Report, Verifier};
use sha2::{Digest, Sha256};

use super::error::{ReverifyError, StoreError};
use super::{Registry, version_key};
use crate::address::ContentAddress;
use crate::codec;
use crate::content::StagedContent;
use crate::content::manifest::Manifest;
use crate::error::VaultError;
use crate::records::{DocumentId, VersionRecord};
use crate::signatures::{self, Check, SignedContent};
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
        self.reverify_version(
            &self.verifier(),
            &record,
            at.as_second(),
            ReverifyMode::Registered,
            false,
        )
        .map(Some)
    }

    /// Re-verifies the signatures of the stored `version` at `at` (unix seconds) by
    /// `verifier`, in `mode`, with the OCSP responses the version kept as evidence supplied
    /// again (read as at registration: a response is believed only while fresh at `at`); with
    /// `check_content`, the content is first read back whole and checked against its address.
    /// The content is read at most once, and otherwise only when a signature signs its bytes.
    /// Content that is missing or does not verify is [`ReverifyError::Damaged`].
    pub fn reverify_version(
        &self,
        verifier: &Verifier,
        version: &VersionRecord,
        at: i64,
        mode: ReverifyMode,
        check_content: bool,
    ) -> Result<Vec<Report>, ReverifyError> {
        let expected = signatures::expectation(&version.expected);
        let mut content = StoredContent::new(self, ContentAddress(version.content), version.length);
        if check_content {
            content.check()?;
        }
        let proof_of_existence = match mode {
            ReverifyMode::Registered => Some(version.registered_at),
            ReverifyMode::Now => None,
        };
        let supplied = self.kept_ocsp_responses(version)?;
        let mut check = Check {
            verifier,
            at,
            expected: &expected,
            proof_of_existence,
            supplied: &supplied,
            evidence: None,
        };
        let reports = check.each(
            &version.signatures,
            &version.content,
            &mut content,
            |_, e| ReverifyError::from(e),
        )?;
        // Long-term validation (`docs/reverification.md`): when the revocation data in force
        // does not give a passing verdict (years later the CA publishes nothing any more),
        // the CRLs the registration's verdict read, kept with it, tell the status at the
        // registration. Read only then: while its CA publishes, a version needs none of them.
        if proof_of_existence.is_none()
            || version.crls.is_empty()
            || reports.iter().all(|r| r.verdict.passed())
        {
            return Ok(reports);
        }
        let evidence = self.kept_evidence(&version.crls)?;
        check.evidence = Some(&evidence);
        check.each(
            &version.signatures,
            &version.content,
            &mut content,
            |_, e| ReverifyError::from(e),
        )
    }

    /// The OCSP responses `version` kept as evidence, read back from the content store (each
    /// chunk verified as it loads, the whole against its address). One missing or altered is
    /// [`ReverifyError::Damaged`]: evidence must not silently vanish.
    fn kept_ocsp_responses(&self, version: &VersionRecord) -> Result<OcspStore, ReverifyError> {
        let mut store = OcspStore::new();
        for address in &version.ocsp_responses {
            let address = ContentAddress(*address);
            let mut reader = self.content().read(&address)?;
            let mut der = Vec::new();
            while let Some(piece) = reader.next_chunk()? {
                der.extend_from_slice(&piece);
            }
            let actual = ContentAddress::of(&der);
            if actual != address {
                return Err(VaultError::AddressMismatch { address, actual }.into());
            }
            // It parsed when the registration's verdict read it, and its bytes are the same:
            // a response this build cannot read answers for nothing, as any other.
            let _ = store.add_supplied(&der);
        }
        Ok(store)
    }
}

/// How a re-verification judges a registered version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReverifyMode {
    /// The registration is the signatures' proof of existence (EN 319 102-1 §5.6, validation
    /// with a proof of existence): a certificate that expired, or was revoked for a benign
    /// reason, after the registration does not fail it.
    Registered,
    /// As a new signature at the validation time, without the registration's proof: what
    /// the current revocation data says (finds certificates revoked since).
    Now,
}

impl ReverifyMode {
    /// `registered` or `now`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Now => "now",
        }
    }
}

impl std::str::FromStr for ReverifyMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "registered" => Ok(Self::Registered),
            "now" => Ok(Self::Now),
            _ => Err(format!("mode {text:?} is neither `registered` nor `now`")),
        }
    }
}

/// A content as a verification reads it, stored or staged: its bytes loaded once, when first
/// needed.
pub(super) struct StoredContent<'r, S> {
    registry: &'r Registry<S>,
    pub(super) address: ContentAddress,
    pub(super) length: u64,
    /// Where the bytes are while they are not stored yet (a registration from an upload).
    staged: Option<&'r StagedContent>,
    /// Its manifest, when the caller read it already.
    manifest: Option<Manifest>,
    bytes: Option<Vec<u8>>,
}

impl<'r, S: ChunkStore + MetaStore> StoredContent<'r, S> {
    /// The content at `address`, `length` bytes long, not read yet.
    pub(super) fn new(registry: &'r Registry<S>, address: ContentAddress, length: u64) -> Self {
        Self {
            registry,
            address,
            length,
            staged: None,
            manifest: None,
            bytes: None,
        }
    }

    /// Read through `manifest`, which the caller read already (manifests are write-once),
    /// rather than looking it up again.
    pub(super) fn manifest(mut self, manifest: Option<Manifest>) -> Self {
        self.manifest = manifest;
        self
    }

    /// Read from `staged` instead of the content store (its bytes are not stored yet).
    pub(super) fn staged(mut self, staged: Option<&'r StagedContent>) -> Self {
        self.staged = staged;
        self
    }

    /// Reads it whole, every chunk verified and the whole hashed against its address; keeps
    /// the bytes when a signature might need them.
    fn check(&mut self) -> Result<(), VaultError> {
        let actual = self.read(self.length <= MAX_REREAD)?;
        if actual == self.address {
            Ok(())
        } else {
            Err(VaultError::AddressMismatch {
                address: self.address,
                actual,
            })
        }
    }

    /// Reads every chunk (each verified as it loads) and returns the whole's SHA-256; keeps
    /// the bytes when `keep` is set.
    fn read(&mut self, keep: bool) -> Result<ContentAddress, VaultError> {
        let content = self.registry.content();
        let mut reader = match &self.manifest {
            Some(manifest) => {
                content.read_range_of(&self.address, manifest.clone(), 0..manifest.length)?
            }
            None => content.read(&self.address)?,
        };
        let mut hash = Sha256::new();
        let mut kept = Vec::with_capacity(if keep { self.length as usize } else { 0 });
        while let Some(piece) = reader.next_chunk()? {
            hash.update(&piece);
            if keep {
                kept.extend_from_slice(&piece);
            }
        }
        if keep {
            self.bytes = Some(kept);
        }
        Ok(ContentAddress(hash.finalize().into()))
    }
}

impl<S: ChunkStore + MetaStore> SignedContent for StoredContent<'_, S> {
    type Error = VaultError;

    /// Its bytes, every chunk verified; `None` past [`MAX_REREAD`].
    fn bytes(&mut self) -> Result<Option<&[u8]>, VaultError> {
        if self.length > MAX_REREAD {
            return Ok(None);
        }
        if self.bytes.is_none() {
            match self.staged {
                Some(staged) => self.bytes = Some(staged.read_range(0..self.length)?),
                None => {
                    self.read(true)?;
                }
            }
        }
        Ok(Some(self.bytes.as_deref().unwrap_or_default()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    //! OCSP responses supplied with a registration: used, kept as evidence, read back.

    use std::sync::Arc;

    use jiff::Timestamp;
    use qoima_verifier::identity::Expectation;
    use qoima_verifier::policy::Policy;
    use qoima_verifier::testing::{pki, sign_detached};

    use super::super::{Registration, Registry, Submitter};
    use crate::address::ContentAddress;
    use crate::content::{ContentConfig, ContentStore};
    use crate::records::{Calendar, Numbering, Participant, RetentionClass, Template};

    const PDF: &[u8] = b"%PDF-1.7\n% kept OCSP\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    /// `verifier/testdata/pki/ocsp.sh`: produced 2026-06-15T10:00:00Z, nextUpdate 7 days on.
    const INDIVIDUAL_GOOD: &[u8] =
        include_bytes!("../../../verifier/testdata/pki/ocsp/individual-good-ca.der");
    const CA_RSA_GOOD: &[u8] =
        include_bytes!("../../../verifier/testdata/pki/ocsp/ca-rsa-good-root.der");
    /// About another certificate (`employee`): supplied, not used, not kept.
    const EMPLOYEE_UNKNOWN: &[u8] =
        include_bytes!("../../../verifier/testdata/pki/ocsp/employee-unknown-ca.der");

    /// A registry whose verifier has no CRL: only OCSP responses can give a status.
    fn registry(dir: &std::path::Path) -> Registry {
        let content = ContentStore::open(dir, ContentConfig::default()).unwrap();
        let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
        Registry::new(
            content,
            Arc::new(pki::rsa_verifier_with(&[], Policy::default())),
            Calendar::builtin().unwrap(),
            numbering,
        )
        .unwrap()
    }

    fn registration(registry: &Registry, responses: &[&[u8]]) -> Registration {
        let address = registry.content().put(PDF).unwrap().address;
        Registration::new(
            address,
            vec![sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, PDF)],
            RetentionClass::ProjectDocumentation,
            Participant::new("ТОО Тест").unwrap(),
            Submitter::new("test operator".parse().unwrap()),
            Timestamp::from_second(pki::VALIDATION_TIME).unwrap(),
        )
        .expect(Expectation {
            iin: Some("850315300128".into()),
            ..Expectation::default()
        })
        .ocsp_responses(responses.iter().map(|der| Arc::from(*der)).collect())
    }

    #[test]
    fn supplied_responses_decide_are_kept_and_are_read_again_on_reverification() {
        let dir = tempfile::tempdir().unwrap();
        let registry = registry(dir.path());
        // Without them, no status: refused.
        assert!(registry.register(&registration(&registry, &[])).is_err());

        let registered = registry
            .register(&registration(
                &registry,
                &[INDIVIDUAL_GOOD, CA_RSA_GOOD, EMPLOYEE_UNKNOWN],
            ))
            .unwrap();
        let kept = &registered.version.ocsp_responses;
        let of = |der: &[u8]| ContentAddress::of(der).0;
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept.contains(&of(INDIVIDUAL_GOOD)) && kept.contains(&of(CA_RSA_GOOD)));
        for address in kept {
            assert!(
                registry
                    .content()
                    .contains(&ContentAddress(*address))
                    .unwrap()
            );
        }
        let signer = &registered.reports[0].signers[0];
        for entry in &signer.revocation {
            assert_eq!(entry.status_source, Some("ocsp"));
            let ocsp = entry.ocsp.as_ref().unwrap();
            assert_eq!(ocsp.origin, "request");
            assert_eq!(ocsp.produced_at, "2026-06-15T10:00:00Z");
        }

        // Re-verified while they are fresh: the kept responses answer again.
        let at = Timestamp::from_second(pki::VALIDATION_TIME + 3600).unwrap();
        let reports = registry.reverify(registered.id, 1, at).unwrap().unwrap();
        assert!(reports[0].verdict.passed(), "{:?}", reports[0].verdict);
        let entry = &reports[0].signers[0].revocation[0];
        assert_eq!(entry.status_source, Some("ocsp"));
        assert_eq!(entry.ocsp.as_ref().unwrap().origin, "request");

        // Years later they are stale, but they were current at the registration, its proof of
        // existence: they still tell the status then (EN 319 102-1 §5.6.2.4).
        let later = Timestamp::from_second(pki::VALIDATION_TIME + 4 * 365 * 86_400).unwrap();
        let reports = registry.reverify(registered.id, 1, later).unwrap().unwrap();
        assert!(reports[0].verdict.passed(), "{:?}", reports[0].verdict);
        let entry = &reports[0].signers[0].revocation[0];
        assert_eq!(entry.status_source, Some("ocsp"));
        assert_eq!(entry.status_at.as_deref(), Some("2026-06-15T12:00:00Z"));

        // Judged as a new signature a month later, without the registration's proof, they are
        // read and not believed, and nothing else gives a status.
        let month = pki::VALIDATION_TIME + 30 * 86_400;
        let reports = registry
            .reverify_version(
                &registry.verifier(),
                &registered.version,
                month,
                super::ReverifyMode::Now,
                true,
            )
            .unwrap();
        assert!(!reports[0].verdict.passed());
        let entry = &reports[0].signers[0].revocation[0];
        assert_eq!(entry.status_source, None);
        assert!(!entry.ocsp_ignored.is_empty(), "{entry:?}");
    }
}
