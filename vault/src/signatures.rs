//! A version's signatures verified as its registration verified them: against the content's
//! SHA-256 (its address), and against the bytes only when a signature signs them directly (no
//! signed attributes, or another digest algorithm). Registration, re-verification and the
//! auditor's bundle all verify through here, so that they cannot come to differ.

use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::{Expectation, Role};
use qoima_verifier::revocation::{CrlStore, OcspStore};
use qoima_verifier::verdict::SubIndication;
use qoima_verifier::{Data, Report, Request, RequestError, Verifier};

use crate::records::ExpectedSigner;

/// What a version's record says its signers had to be, as the verifier's expectation.
pub(crate) fn expectation(expected: &ExpectedSigner) -> Expectation {
    Expectation {
        iin: expected.iin.clone(),
        bin: expected.bin.clone(),
        roles: expected
            .roles
            .iter()
            .map(|oid| Role::from_oid(oid))
            .collect(),
    }
}

/// Content whose bytes a signature may need, read only when one does.
pub(crate) trait SignedContent {
    /// Why the bytes could not be read.
    type Error;

    /// The bytes, or `None` when they are too large to read back whole (the verdict against
    /// the digest then stands).
    fn bytes(&mut self) -> Result<Option<&[u8]>, Self::Error>;
}

impl SignedContent for &[u8] {
    type Error = std::convert::Infallible;

    fn bytes(&mut self) -> Result<Option<&[u8]>, Self::Error> {
        Ok(Some(self))
    }
}

/// Everything one verification takes beside the signature and the content.
#[derive(Clone, Copy)]
pub(crate) struct Check<'a> {
    pub(crate) verifier: &'a Verifier,
    /// The validation time, unix seconds.
    pub(crate) at: i64,
    pub(crate) expected: &'a Expectation,
    /// The registration, when it proves the signatures existed then (EN 319 102-1 §5.6.2.4).
    pub(crate) proof_of_existence: Option<i64>,
    /// OCSP responses for these verifications only.
    pub(crate) supplied: &'a OcspStore,
    /// CRLs beside the verifier's, for these verifications only (a registration's kept ones).
    pub(crate) evidence: Option<&'a CrlStore>,
}

impl Check<'_> {
    /// Each of `signatures` over the content whose SHA-256 is `sha256`. A verdict, whatever it
    /// is, is a report; `refused` makes the caller's error of the signature at an index
    /// (from 0) that could not be verified at all.
    pub(crate) fn each<C: SignedContent, E: From<C::Error>>(
        &self,
        signatures: &[Vec<u8>],
        sha256: &[u8; 32],
        content: &mut C,
        refused: impl Fn(usize, RequestError) -> E,
    ) -> Result<Vec<Report>, E> {
        let digest = Data::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: sha256,
        };
        let mut reports = Vec::with_capacity(signatures.len());
        for (index, signature) in signatures.iter().enumerate() {
            let mut request = Request::new(signature, self.at)
                .data(digest)
                .expect(self.expected.clone())
                .ocsp(self.supplied);
            if let Some(time) = self.proof_of_existence {
                request = request.proof_of_existence(time);
            }
            if let Some(crls) = self.evidence {
                request = request.evidence(crls);
            }
            let verify = |request: &Request<'_>| {
                self.verifier.verify(request).map_err(|e| refused(index, e))
            };
            let mut report = verify(&request)?;
            if report.verdict.sub_indication == Some(SubIndication::SignedDataNotFound)
                && let Some(bytes) = content.bytes()?
            {
                report = verify(&request.clone().data(Data::Bytes(bytes)))?;
            }
            reports.push(report);
        }
        Ok(reports)
    }
}
