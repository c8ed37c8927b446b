//! The verification engine: validity and ownership of a CMS signature, as ETSI EN 319 102-1
//! building blocks (`docs/verifier.md`, "The pipeline"):
//!
//! format → signing certificate → cryptographic verification → time-stamps (proof of
//! existence) → certificate path at the validation time → revocation at the
//! best-signature-time → signature acceptance (policy) → ownership → [`Report`].
//!
//! A [`Verifier`] is built once from the trust anchors, intermediates, CRLs and policy, and
//! is `Send + Sync`: one instance serves every thread. A request's own certificates and
//! CRLs (those inside the CMS) are used beside the shared ones without being added to them.
//! Parsed certificates, identities and validated paths are cached by fingerprint, so that
//! a document signed by a known signer costs one content hash and one signature check
//! (plus a path revalidation that reads only dates and constraints).
//!
//! The work of one verification is bounded by a [`Budget`]: SignerInfos, certificates and
//! CRLs in the CMS, candidate certificates tried per signer, signed attributes and
//! time-stamp tokens per signer; the content is hashed once per digest algorithm, whatever
//! the number of signers.

mod budget;
mod cache;
mod fetched;
mod report;
mod signer;
mod sources;
mod text;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

use std::cell::OnceCell;
use std::sync::Arc;

use crate::cms::{RevocationInfoChoice, SignedData};
use crate::crypto::{Content, DigestAlgorithm};
use crate::identity::{Expectation, OwnershipMismatch};
use crate::input::{InputFormat, decode_cms};
use crate::path::{Certificate, CertificateStore, Limits};
use crate::policy::Policy;
use crate::revocation::ocsp::oids::ID_RI_OCSP_RESPONSE;
use crate::revocation::{CrlStore, OcspStore};
use crate::verdict::{Indication, SubIndication, Verdict};

pub use budget::Budget;
pub use cache::DEFAULT_BUDGET as DEFAULT_CACHE_BUDGET;
pub use report::{
    CertificateSummary, Check, CheckName, CrlSourceReport, Message, OcspSourceReport, Outcome,
    OwnershipReport, ProofOfExistence, Report, RevocationReport, SignerId, SignerReport,
    TimeStampReport,
};

use budget::Digests;
use cache::Cache;

/// The signed content of a detached signature, as the caller has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Data<'a> {
    /// Not supplied: fine for an attached signature, SIGNED_DATA_NOT_FOUND for a detached one.
    #[default]
    Absent,
    /// The content itself.
    Bytes(&'a [u8]),
    /// Only its digest: enough when the SignerInfo has signed attributes and uses the same
    /// digest algorithm (a vault knows the SHA-256 of what it stores).
    Digest {
        /// The digest algorithm.
        algorithm: DigestAlgorithm,
        /// The digest.
        value: &'a [u8],
    },
}

/// One verification: what is verified, at what time, against which expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request<'a> {
    /// The CMS SignedData as DER, BER, PEM or bare base64 text.
    pub signature: &'a [u8],
    /// The content, for a detached signature.
    pub data: Data<'a>,
    /// The validation time, unix seconds.
    pub validation_time: i64,
    /// Who the signer must be: IIN, BIN (`--expect-iin`, `--expect-bin`:
    /// `docs/verify-contract.md`) and roles.
    pub expectation: Expectation,
    /// A proof that the signature existed at this time (unix seconds), held by the caller:
    /// the vault's registration record (`docs/architecture.md`, "Invariants").
    pub proof_of_existence: Option<i64>,
    /// CRLs the caller holds beside the verifier's: the evidence a vault kept with a
    /// registration (`docs/reverification.md`, "Long-term validation"). Used for this request
    /// only, like the CMS's own.
    pub evidence: Option<Evidence<'a>>,
    /// OCSP responses the caller brings for this verification only (fetched from the
    /// responders, or kept as a registration's evidence), asked beside the CMS's own: like
    /// them, they are not cached past the request.
    pub ocsp: Option<&'a OcspStore>,
}

/// CRLs a caller gives with one request ([`Request::evidence`]), compared by identity: two
/// requests are equal when they name the same store.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a>(pub &'a CrlStore);

impl PartialEq for Evidence<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Evidence<'_> {}

impl<'a> Request<'a> {
    /// A request to verify `signature` at `validation_time`, with no content, expectation or
    /// proof of existence.
    pub fn new(signature: &'a [u8], validation_time: i64) -> Self {
        Self {
            signature,
            data: Data::Absent,
            validation_time,
            expectation: Expectation::default(),
            proof_of_existence: None,
            evidence: None,
            ocsp: None,
        }
    }

    /// With this content.
    pub fn data(mut self, data: Data<'a>) -> Self {
        self.data = data;
        self
    }

    /// With this expectation.
    pub fn expect(mut self, expectation: Expectation) -> Self {
        self.expectation = expectation;
        self
    }

    /// With this proof of existence.
    pub fn proof_of_existence(mut self, time: i64) -> Self {
        self.proof_of_existence = Some(time);
        self
    }

    /// With these CRLs beside the verifier's, for this request only (a registration's
    /// evidence): with a proof of existence, they tell the status at that time after they have
    /// lapsed (EN 319 102-1 §5.6.2.4).
    pub fn evidence(mut self, crls: &'a CrlStore) -> Self {
        self.evidence = Some(Evidence(crls));
        self
    }

    /// With these OCSP responses for this verification only (an empty store brings none).
    pub fn ocsp(mut self, responses: &'a OcspStore) -> Self {
        self.ocsp = (!responses.is_empty()).then_some(responses);
        self
    }
}

/// A request the engine refuses before looking at the signature: the caller's own values
/// are wrong (bad usage, not a verdict).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The expected IIN or BIN is not a valid number.
    #[error(transparent)]
    Expectation(OwnershipMismatch),
}

/// The verification engine. `Send + Sync`; build it once and share it.
#[derive(Debug)]
pub struct Verifier {
    store: CertificateStore,
    crls: CrlStore,
    ocsp: OcspStore,
    policy: Policy,
    limits: Limits,
    budget: Budget,
    cache: Cache,
    /// What [`Self::with_cache_budget`] set, for [`Self::with_crl_store`]'s fresh caches.
    cache_budget: usize,
}

impl Verifier {
    /// An engine over these trust anchors and intermediates, CRLs and policy.
    pub fn new(store: CertificateStore, crls: CrlStore, policy: Policy) -> Self {
        Self {
            store,
            crls,
            ocsp: OcspStore::new(),
            policy,
            limits: Limits::default(),
            budget: Budget::default(),
            cache: Cache::new(),
            cache_budget: DEFAULT_CACHE_BUDGET,
        }
    }

    /// A verifier like this one (certificates, OCSP responses, policy, bounds, cache budget)
    /// over `crls` instead, with empty caches: a revocation status cached from the old CRLs
    /// must not outlive them. For a server that swaps in fresh revocation data while requests
    /// in flight finish on the old verifier.
    pub fn with_crl_store(&self, crls: CrlStore) -> Self {
        Self {
            store: self.store.clone(),
            crls,
            ocsp: self.ocsp.clone(),
            policy: self.policy.clone(),
            limits: self.limits,
            budget: self.budget,
            cache: Cache::with_budget(self.cache_budget),
            cache_budget: self.cache_budget,
        }
    }

    /// With another acceptance policy (what is cached so far is dropped: a verdict may
    /// depend on the policy).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self.cache = Cache::new();
        self
    }

    /// With these OCSP responses (RFC 6960; `qoima verify --ocsp`), asked in the policy's
    /// order of revocation sources (what is cached so far is dropped).
    pub fn with_ocsp(mut self, ocsp: OcspStore) -> Self {
        self.ocsp = ocsp;
        self.cache = Cache::new();
        self
    }

    /// With other bounds on path building.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// With other bounds on the work of one verification (SignerInfos, certificates,
    /// candidates, attributes, time-stamps).
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// With caches (parsed certificates, identities, paths, revocation statuses) of at most
    /// `bytes` together, instead of [`DEFAULT_CACHE_BUDGET`].
    pub fn with_cache_budget(mut self, bytes: usize) -> Self {
        self.cache = Cache::with_budget(bytes);
        self.cache_budget = bytes;
        self
    }

    /// The bounds on the work of one verification.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// The policy signatures are accepted by.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verifies one CMS SignedData. Everything about the signature ends in the [`Report`]
    /// (garbage input is TOTAL_FAILED/FORMAT_FAILURE); only a caller's invalid expectation is
    /// an error.
    pub fn verify(&self, request: &Request<'_>) -> Result<Report, RequestError> {
        request
            .expectation
            .validate(&self.policy.ownership())
            .map_err(RequestError::Expectation)?;
        let mut report = Report {
            verdict: Verdict::PASSED,
            validation_time: request.validation_time,
            format: None,
            detached: None,
            ownership: None,
            checks: Vec::new(),
            signers: Vec::new(),
        };
        let decoded = match decode_cms(request.signature) {
            Ok(decoded) => decoded,
            Err(e) => {
                return Ok(report.refused(CheckName::Format, SubIndication::FormatFailure, e));
            }
        };
        report.format = Some(format_name(&decoded.format));
        let signed_data = match crate::parse_signed_data(&decoded.bytes) {
            Ok(signed_data) => signed_data,
            Err(e) => {
                return Ok(report.refused(CheckName::Format, SubIndication::FormatFailure, e));
            }
        };
        report.detached = Some(signed_data.is_detached());
        if signed_data.signer_infos.is_empty() {
            return Ok(report.refused(
                CheckName::Format,
                SubIndication::FormatFailure,
                "the SignedData has no SignerInfo: nothing is signed",
            ));
        }
        if let Some(why) = self.over_budget(&signed_data) {
            return Ok(report.refused(CheckName::Format, SubIndication::FormatFailure, why));
        }
        report.checks.push(Check::passed(
            CheckName::Format,
            Message::format(
                format_name(&decoded.format),
                signed_data.signer_infos.len(),
                signed_data.x509_certificates().count(),
                signed_data.x509_crls().count(),
            ),
        ));
        let digests = Digests::default();
        let content = match content(&signed_data, request.data, &digests) {
            Ok(content) => content,
            Err(check) => {
                report.verdict = report.verdict.worst(verdict_of(&check));
                report.checks.push(check);
                return Ok(report);
            }
        };

        let (cms_certificates, crls, mut ocsp) =
            self.request_pools(&signed_data, &mut report.checks);
        if let Some(supplied) = request.ocsp {
            ocsp.get_or_insert_with(OcspStore::new).extend(supplied);
        }
        let request_crls: Vec<&CrlStore> =
            crls.iter().chain(request.evidence.map(|e| e.0)).collect();
        let context = signer::Context {
            verifier: self,
            certificates: cms_certificates,
            untrusted: OnceCell::new(),
            crls: request_crls,
            ocsp: ocsp.as_ref(),
            cms_certificates: signed_data.x509_certificates().collect(),
            content,
            digests,
            e_content_type: signed_data.encap_content_info.e_content_type,
            validation_time: request.validation_time,
            proof_of_existence: request.proof_of_existence,
            expectation: (!request.expectation.is_empty()).then_some(&request.expectation),
        };
        report.signers = signed_data
            .signer_infos
            .iter()
            .enumerate()
            .map(|(index, signer)| context.verify(index, signer))
            .collect();
        report.verdict = report
            .signers
            .iter()
            .fold(report.verdict, |worst, s| worst.worst(s.verdict));
        if let Some(expectation) = context.expectation {
            self.judge_ownership(&mut report, expectation);
        }
        Ok(report)
    }

    /// Why the SignedData is refused before any signer is looked at: more SignerInfos,
    /// certificates or CRLs (RFC 5652 §5.1) than the [`Budget`] allows.
    fn over_budget(&self, signed_data: &SignedData<'_>) -> Option<String> {
        let budget = &self.budget;
        let counts = [
            (
                signed_data.signer_infos.len(),
                budget.max_signer_infos,
                "SignerInfos",
                "verified",
            ),
            (
                signed_data.certificates.len(),
                budget.max_certificates,
                "certificates",
                "considered",
            ),
            (
                signed_data.crls.len(),
                budget.max_crls,
                "CRLs",
                "considered",
            ),
        ];
        counts
            .into_iter()
            .find(|&(n, max, _, _)| n > max)
            .map(|(n, max, what, done)| format!("the CMS has {n} {what}; at most {max} are {done}"))
    }

    /// The CMS's certificates, CRLs and OCSP responses (RFC 5940 §4.1: an `other`
    /// RevocationInfoChoice of format id-ri-ocsp-response) as request-local pools;
    /// unreadable ones are reported as warnings and left out.
    fn request_pools(
        &self,
        signed_data: &SignedData<'_>,
        checks: &mut Vec<Check>,
    ) -> (Vec<Arc<Certificate>>, Option<CrlStore>, Option<OcspStore>) {
        let mut certificates = Vec::new();
        for der in signed_data.x509_certificates() {
            match self.cache.certificate(der) {
                Ok(cert) => certificates.push(cert),
                Err(e) => checks.push(Check::warning(
                    CheckName::Format,
                    format!("a certificate in the CMS is ignored: {e}"),
                )),
            }
        }
        let mut crls = CrlStore::new();
        for der in signed_data.x509_crls() {
            if let Err(e) = crls.add(der) {
                checks.push(Check::warning(
                    CheckName::Format,
                    format!("a CRL in the CMS is ignored: {e}"),
                ));
            }
        }
        let mut ocsp = OcspStore::new();
        for choice in &signed_data.crls {
            let RevocationInfoChoice::Other { format, info, .. } = choice else {
                continue;
            };
            if format.as_bytes() != ID_RI_OCSP_RESPONSE {
                continue;
            }
            if let Err(e) = ocsp.add(info) {
                checks.push(Check::warning(
                    CheckName::Format,
                    format!("an OCSP response in the CMS is ignored: {e}"),
                ));
            }
        }
        (
            certificates,
            (!crls.is_empty()).then_some(crls),
            (!ocsp.is_empty()).then_some(ocsp),
        )
    }

    /// `docs/verify-contract.md`: met when at least one signer matches every expectation. When
    /// none does, the verdict claims no more than is known:
    ///
    /// - every signer's identity was established by a valid signature (its own verdict
    ///   passed, its certificate compared with the expectation): TOTAL_FAILED/NOT_OWNER;
    /// - otherwise some signer may be the sender, and nobody can tell: a signature that
    ///   failed outright (TOTAL_FAILED) stands, else the verdict stays INDETERMINATE with the
    ///   sub-indication of the first such signer (its path, revocation status or signing
    ///   certificate could not be established).
    fn judge_ownership(&self, report: &mut Report, expectation: &Expectation) {
        let matching: Vec<usize> = report
            .signers
            .iter()
            .filter(|s| s.owner == Some(true))
            .map(|s| s.index)
            .collect();
        let check = if !matching.is_empty() {
            Check::passed(
                CheckName::Ownership,
                format!("signer(s) {matching:?} match the expectation"),
            )
        } else if let Some((sub, unknown)) = ownership_unknown(&report.signers) {
            report.verdict = report.verdict.worst(Verdict::failed(sub));
            Check::failed(
                CheckName::Ownership,
                sub,
                format!(
                    "no signer is shown to be the expected person or organisation, but the \
                     identity of signer(s) {unknown} is not established by a valid signature: \
                     ownership unknown"
                ),
            )
        } else {
            if report.verdict.indication != Indication::TotalFailed {
                report.verdict = Verdict::failed(SubIndication::NotOwner);
            }
            Check::failed(
                CheckName::Ownership,
                SubIndication::NotOwner,
                "no signer is the expected person or organisation",
            )
        };
        report.checks.push(check);
        report.ownership = Some(OwnershipReport {
            expected_iin: expectation.iin.clone(),
            expected_bin: expectation.bin.clone(),
            expected_roles: expectation
                .roles
                .iter()
                .map(|r| r.oid().to_owned())
                .collect(),
            matching_signers: matching,
        });
    }
}

/// When no signer matches: the signers whose identity no valid signature establishes (their
/// own verdict did not pass, or, passing, their identity could not be compared), as the worst
/// of their sub-indications (the first among equals) and a list for the report; `None` when
/// every signer is established, someone else.
fn ownership_unknown(signers: &[SignerReport]) -> Option<(SubIndication, String)> {
    let mut worst: Option<Verdict> = None;
    let mut listed = Vec::new();
    for signer in signers {
        let sub = match signer.verdict.sub_indication {
            None if signer.owner.is_some() => continue,
            // Passed, yet not compared: its identity could not be read.
            None => SubIndication::SigConstraintsFailure,
            Some(sub) => sub,
        };
        let verdict = Verdict::failed(sub);
        worst = Some(worst.map_or(verdict, |w| w.worst(verdict)));
        listed.push(format!("{} ({verdict})", signer.index));
    }
    let sub = worst?.sub_indication?;
    Some((sub, listed.join(", ")))
}

impl Report {
    /// The report of a document refused before any signer was looked at.
    fn refused(mut self, check: CheckName, sub: SubIndication, why: impl ToString) -> Self {
        self.verdict = Verdict::failed(sub);
        self.checks.push(Check::failed(check, sub, why.to_string()));
        self
    }
}

/// The content the signers are checked against, or the failed content check. A digest of
/// attached content is computed into `digests`, where the signers find it again.
fn content<'c>(
    signed_data: &'c SignedData<'_>,
    data: Data<'c>,
    digests: &Digests,
) -> Result<Content<'c>, Check> {
    let attached = signed_data.encap_content_info.e_content.as_deref();
    match (attached, data) {
        (Some(inner), Data::Bytes(given)) if inner != given => Err(Check::failed(
            CheckName::Content,
            SubIndication::HashFailure,
            "the given content differs from the content inside the signature",
        )),
        (Some(inner), Data::Digest { algorithm, value })
            if *digests.of(algorithm, inner) != *value =>
        {
            Err(Check::failed(
                CheckName::Content,
                SubIndication::HashFailure,
                "the given digest is not the digest of the content inside the signature",
            ))
        }
        (Some(inner), _) => Ok(Content::Attached(inner)),
        (None, Data::Bytes(given)) => Ok(Content::Detached(given)),
        (None, Data::Digest { algorithm, value }) => Ok(Content::Digest { algorithm, value }),
        (None, Data::Absent) => Ok(Content::Missing),
    }
}

fn verdict_of(check: &Check) -> Verdict {
    check
        .sub_indication
        .map_or(Verdict::PASSED, Verdict::failed)
}

fn format_name(format: &InputFormat) -> &'static str {
    match format {
        InputFormat::Der => "DER",
        InputFormat::Ber => "BER",
        InputFormat::Pem { .. } => "PEM",
        InputFormat::Base64 => "base64",
    }
}
