//! One SignerInfo through the pipeline (ETSI EN 319 102-1 §5.2, §5.5 "validation process
//! for signatures with time"): each step adds its [`Check`]s to the signer's report; the
//! verdict is the worst failed check, the earliest among equals.

use std::cell::OnceCell;
use std::sync::Arc;

use crate::cms::SignerInfo;
use crate::crypto::{self, Content, DigestAlgorithm, SignerCryptoError, SignerCryptoFacts};
use crate::identity::{self, Expectation, Identity};
use crate::oid::Oid;
use crate::path::{self, Certificate, CertificateStore, Fingerprint, PathError, ValidatedPath};
use crate::revocation::{
    CrlStore, OcspStore, RevocationDecision, RevocationReason, RevocationStatus, Subject,
    UnknownReason,
};
use crate::timestamp::verify_signature_time_stamp;
use crate::verdict::{SubIndication, Verdict};

use super::Verifier;
use super::budget::Digests;
use super::cache::{CachedPath, CachedStatus};
use super::report::{
    Check, CheckName, Message, ProofOfExistence, SignerId, SignerReport, TimeStampReport, hex,
    rfc3339,
};

/// What every signer of one request shares.
pub(super) struct Context<'r> {
    pub(super) verifier: &'r Verifier,
    /// The CMS's own certificates (untrusted), beside the verifier's store.
    pub(super) certificates: Vec<Arc<Certificate>>,
    /// The same as a store for path building, made only when a path is built.
    pub(super) untrusted: OnceCell<CertificateStore>,
    /// The request's own CRLs, beside the verifier's: the CMS's, then the caller's evidence.
    pub(super) crls: Vec<&'r CrlStore>,
    /// The CMS's own OCSP responses (RFC 5940), beside the verifier's.
    pub(super) ocsp: Option<&'r OcspStore>,
    /// The CMS's certificates as DER, for finding a TSA certificate.
    pub(super) cms_certificates: Vec<&'r [u8]>,
    pub(super) content: Content<'r>,
    /// The content's digests, each computed once for every signer.
    pub(super) digests: Digests,
    /// The SignedData's eContentType, which every contentType attribute must repeat.
    pub(super) e_content_type: Oid<'r>,
    pub(super) validation_time: i64,
    /// The caller's proof of existence.
    pub(super) proof_of_existence: Option<i64>,
    pub(super) expectation: Option<&'r Expectation>,
}

impl Context<'_> {
    pub(super) fn verify(&self, index: usize, signer: &SignerInfo<'_>) -> SignerReport {
        let mut report = SignerReport {
            index,
            verdict: Verdict::PASSED,
            signer_identifier: SignerId::of(&signer.sid),
            identity: None,
            signature_algorithm: None,
            claimed_signing_time: signer.signed_attrs.as_ref().and_then(|a| a.signing_time),
            proof_of_existence: None,
            best_signature_time: self.validation_time,
            time_stamps: Vec::new(),
            chain: Arc::new([]),
            revocation: Vec::new(),
            owner: None,
            checks: Vec::with_capacity(8),
        };
        self.run(signer, &mut report);
        report.verdict = report
            .checks
            .iter()
            .filter_map(|c| c.sub_indication)
            .fold(Verdict::PASSED, |worst, sub| {
                worst.worst(Verdict::failed(sub))
            });
        report
    }

    fn run(&self, signer: &SignerInfo<'_>, report: &mut SignerReport) {
        if let Some(why) = self.over_budget(signer) {
            report.checks.push(Check::failed(
                CheckName::Format,
                SubIndication::FormatFailure,
                why,
            ));
            return;
        }
        self.content_type(signer, report);
        let Some((cert, facts)) = self.identify_and_verify(signer, report) else {
            return;
        };
        report.signature_algorithm = Some(facts.signature_algorithm);
        let identity = match self.verifier.cache.identity(&cert) {
            Ok(identity) => Some(identity),
            Err(e) => {
                report.checks.push(Check::failed(
                    CheckName::SignatureAcceptance,
                    SubIndication::SigConstraintsFailure,
                    format!("the signer's identity cannot be read: {e}"),
                ));
                None
            }
        };
        report.identity.clone_from(&identity);
        let identity = identity.as_deref();

        let proof_of_existence = self.proof_of_existence(signer, report);
        if let Some(time) = proof_of_existence {
            report.best_signature_time = time;
        }

        let path = self.path(&cert, proof_of_existence, report);
        let cache = &self.verifier.cache;
        report.chain = match &path {
            Some(cached) => Arc::clone(&cached.chain),
            None => Arc::new([cache.summary(&cert)]),
        };
        let path = path.as_ref().map(|cached| &cached.path);
        if let Some(path) = path {
            self.revocation(path, proof_of_existence, report);
        }
        self.acceptance(&facts, path, identity, report);
        if let Some(expectation) = self.expectation {
            self.ownership(identity, expectation, report);
        }
    }

    /// Why the SignerInfo is not verified: more signed attributes (RFC 5652 §5.3) or
    /// signature time-stamp tokens than the budget allows.
    fn over_budget(&self, signer: &SignerInfo<'_>) -> Option<String> {
        let budget = &self.verifier.budget;
        let attributes = signer
            .signed_attrs
            .as_ref()
            .map_or(0, |a| a.attributes.len());
        if attributes > budget.max_signed_attributes {
            return Some(format!(
                "the SignerInfo has {attributes} signed attributes; at most {} are accepted",
                budget.max_signed_attributes
            ));
        }
        let time_stamps = signer.signature_time_stamp_tokens().count();
        if time_stamps > budget.max_time_stamps {
            return Some(format!(
                "the SignerInfo has {time_stamps} signature time-stamp tokens; at most {} are \
                 verified",
                budget.max_time_stamps
            ));
        }
        None
    }

    /// The digest the SignerInfo's check takes instead of the content, computed once per
    /// digest algorithm for every signer: with signed attributes, the messageDigest is
    /// compared with it (RFC 5652 §5.4). `None` when there are none (the signature covers the
    /// content itself, which the signature algorithm hashes) or the content is not given.
    fn content_for(&self, signer: &SignerInfo<'_>) -> Option<(DigestAlgorithm, Arc<[u8]>)> {
        let (Content::Attached(data) | Content::Detached(data)) = self.content else {
            return None;
        };
        signer.signed_attrs.as_ref()?;
        let algorithm =
            DigestAlgorithm::from_algorithm_identifier(&signer.digest_algorithm).ok()?;
        Some((algorithm, self.digests.of(algorithm, data)))
    }

    /// RFC 5652 §11.1: the contentType attribute "MUST" have the eContentType's value, or the
    /// signer signed a claim about the content that the SignedData contradicts. The rest of
    /// the checks still run, for the report.
    fn content_type(&self, signer: &SignerInfo<'_>, report: &mut SignerReport) {
        let Some(attrs) = &signer.signed_attrs else {
            return;
        };
        if attrs.content_type != self.e_content_type {
            report.checks.push(Check::failed(
                CheckName::Format,
                SubIndication::FormatFailure,
                format!(
                    "the contentType attribute ({}) is not the eContentType ({}), as RFC 5652 §11.1 requires",
                    attrs.content_type, self.e_content_type
                ),
            ));
        }
    }

    /// EN 319 102-1 §5.2.3 and §5.2.7: the certificates the sid names (the CMS's first, then
    /// the store's), and the first whose key verifies the SignerInfo.
    fn identify_and_verify(
        &self,
        signer: &SignerInfo<'_>,
        report: &mut SignerReport,
    ) -> Option<(Arc<Certificate>, SignerCryptoFacts)> {
        let mut candidates: Vec<&Arc<Certificate>> = Vec::new();
        let in_cms = self
            .certificates
            .iter()
            .filter(|cert| cert.is_identified_by(&signer.sid));
        for cert in in_cms.chain(self.verifier.store.signer_candidates(&signer.sid)) {
            if !candidates
                .iter()
                .any(|c| c.fingerprint() == cert.fingerprint())
            {
                candidates.push(cert);
            }
        }
        let cache = &self.verifier.cache;
        if candidates.is_empty() {
            report.checks.push(Check::failed(
                CheckName::SigningCertificate,
                SubIndication::NoSigningCertificateFound,
                "no certificate in the CMS or among the given ones matches the signer identifier",
            ));
            return None;
        }
        let max = self.verifier.budget.max_candidates;
        let untried = candidates.len().saturating_sub(max);
        candidates.truncate(max);
        let digest = self.content_for(signer);
        let content = match &digest {
            Some((algorithm, value)) => Content::Digest {
                algorithm: *algorithm,
                value,
            },
            None => self.content,
        };
        let mut first_failure: Option<(&Arc<Certificate>, SignerCryptoError)> = None;
        for cert in &candidates {
            match crypto::verify_signer_certificate(signer, cert.signer_certificate(), content) {
                Ok(facts) => {
                    report.checks.push(Check::passed(
                        CheckName::SigningCertificate,
                        "the certificate the signer identifier names (chain[0])",
                    ));
                    report.checks.push(Check::passed(
                        CheckName::Cryptographic,
                        Message::cryptographic(facts),
                    ));
                    return Some((Arc::clone(cert), facts));
                }
                Err(e) => {
                    first_failure.get_or_insert((cert, e));
                }
            }
        }
        if untried > 0 {
            report.checks.push(Check::failed(
                CheckName::SigningCertificate,
                SubIndication::NoSigningCertificateFound,
                format!(
                    "{} certificates match the signer identifier; at most {max} are tried, and \
                     none of them verifies the signature",
                    max + untried
                ),
            ));
            return None;
        }
        let (cert, error) = first_failure?;
        report.chain = Arc::new([cache.summary(cert)]);
        report.identity = cache.identity(cert).ok();
        report.signature_algorithm = crypto::resolve_signer(signer, cert.der())
            .ok()
            .map(|(algorithm, _)| algorithm);
        let check = match error {
            SignerCryptoError::SigningCertificateMismatch { .. } => CheckName::SigningCertificate,
            _ => CheckName::Cryptographic,
        };
        report.checks.push(Check::failed(
            check,
            error.sub_indication(),
            error.to_string(),
        ));
        None
    }

    /// The earliest proof of existence before the validation time: the caller's, or the
    /// genTime of a signature time-stamp whose token, TSA path (at genTime) and TSA
    /// revocation status all check out (EN 319 102-1 §5.4).
    fn proof_of_existence(
        &self,
        signer: &SignerInfo<'_>,
        report: &mut SignerReport,
    ) -> Option<i64> {
        let mut best = self
            .proof_of_existence
            .filter(|&t| t < self.validation_time)
            .map(|t| (t, "caller"));
        let max = self.verifier.budget.max_time_stamps;
        for token in signer.signature_time_stamp_tokens().take(max) {
            let (time_stamp, gen_time) = self.time_stamp(token, &signer.signature);
            let check = if gen_time.is_some() {
                Check::passed(CheckName::TimeStamp, time_stamp.message.clone())
            } else {
                Check::warning(CheckName::TimeStamp, time_stamp.message.clone())
            };
            report.checks.push(check);
            report.time_stamps.push(time_stamp);
            if let Some(t) = gen_time
                && best.is_none_or(|(b, _)| t < b)
            {
                best = Some((t, "timeStamp"));
            }
        }
        let (time, source) = best?;
        report.proof_of_existence = Some(ProofOfExistence { time, source });
        Some(time)
    }

    fn time_stamp(&self, token: &[u8], signature_value: &[u8]) -> (TimeStampReport, Option<i64>) {
        let mut report = TimeStampReport {
            gen_time: None,
            policy: None,
            serial_number: None,
            tsa: None,
            proof_of_existence: false,
            message: String::new(),
        };
        let verified =
            match verify_signature_time_stamp(token, signature_value, &self.cms_certificates) {
                Ok(verified) => verified,
                Err(e) => {
                    report.message = format!("time-stamp token unusable: {e}");
                    return (report, None);
                }
            };
        report.gen_time = Some(verified.gen_time.to_string());
        report.policy = Some(verified.policy.clone());
        report.serial_number = Some(hex(&verified.serial));
        if let Ok(tsa) = Certificate::from_der(&verified.tsa_certificate_der) {
            report.tsa = Some(self.verifier.cache.summary(&tsa));
        }
        let path = match path::build_path_with(
            &verified.tsa_certificate_der,
            &self.verifier.store,
            self.untrusted(),
            verified.gen_time_unix,
            self.verifier.limits,
        ) {
            Ok(path) => path,
            Err(e) => {
                report.message = format!(
                    "time-stamp of {} not used as proof: TSA certificate path at genTime: {e}",
                    verified.gen_time
                );
                return (report, None);
            }
        };
        // The token itself is only proven to exist by the caller's proof, if any.
        if let Some(sub) =
            self.statuses(&path, self.proof_of_existence)
                .find_map(|(_, subject, _, decision)| match decision {
                    RevocationDecision::Fails(sub)
                        if !self.unknown_ca_status_accepted(subject, decision) =>
                    {
                        Some(sub)
                    }
                    _ => None,
                })
        {
            report.message = format!(
                "time-stamp of {} not used as proof: TSA path revocation: {}",
                verified.gen_time,
                sub.as_str()
            );
            return (report, None);
        }
        if verified.gen_time_unix >= self.validation_time {
            report.message = format!(
                "time-stamp of {} not used as proof: not before the validation time",
                verified.gen_time
            );
            return (report, None);
        }
        report.proof_of_existence = true;
        report.message = format!(
            "time-stamp by {} proves the signature existed at {}",
            report
                .tsa
                .as_ref()
                .map_or("the TSA", |t| t.subject.as_str()),
            verified.gen_time
        );
        (report, Some(verified.gen_time_unix))
    }

    /// Whether the certificate is in the verifier's store or in this request's CMS.
    fn knows(&self, fingerprint: &Fingerprint) -> bool {
        self.verifier.store.get(fingerprint).is_some()
            || self
                .certificates
                .iter()
                .any(|c| c.fingerprint() == *fingerprint)
    }

    /// The CMS's certificates as a store, for path building.
    fn untrusted(&self) -> Option<&CertificateStore> {
        if self.certificates.is_empty() {
            return None;
        }
        Some(self.untrusted.get_or_init(|| {
            let mut store = CertificateStore::new();
            for cert in &self.certificates {
                store.add_intermediate_certificate(Arc::clone(cert));
            }
            store
        }))
    }

    /// The certificate path at the validation time; when it fails only because a certificate
    /// has since expired and the signature has a proof of existence, the path at that time
    /// (EN 319 102-1 §5.5.4, validation with time).
    fn path(
        &self,
        cert: &Arc<Certificate>,
        proof_of_existence: Option<i64>,
        report: &mut SignerReport,
    ) -> Option<Arc<CachedPath>> {
        // A signature proven to exist before its certificate was issued (EN 319 102-1
        // NOT_YET_VALID: the best-signature-time is before the certificate's validity).
        let not_before = cert.validity().0;
        if let Some(poe) = proof_of_existence.filter(|&poe| poe < not_before) {
            report.checks.push(Check::failed(
                CheckName::CertificatePath,
                SubIndication::NotYetValid,
                format!(
                    "the signature existed at {}, before its certificate was issued ({})",
                    rfc3339(poe),
                    rfc3339(not_before)
                ),
            ));
            return None;
        }
        let error = match self.path_at(cert, self.validation_time) {
            Ok(path) => {
                report.checks.push(Check::passed(
                    CheckName::CertificatePath,
                    "a path to a trust anchor, valid at the validation time",
                ));
                return Some(path);
            }
            Err(error) => error,
        };
        let expired = matches!(
            error,
            PathError::EndEntityExpired | PathError::CaOutsideValidity { expired: true, .. }
        );
        let Some(poe) = proof_of_existence.filter(|_| expired) else {
            report.checks.push(Check::failed(
                CheckName::CertificatePath,
                error.sub_indication(),
                error.to_string(),
            ));
            return None;
        };
        match self.path_at(cert, poe) {
            Ok(path) => {
                report.checks.push(Check::passed(
                    CheckName::CertificatePath,
                    format!("{error} at the validation time, but the path was valid at the proof of existence {}", rfc3339(poe)),
                ));
                Some(path)
            }
            Err(PathError::EndEntityExpired) => {
                report.checks.push(Check::failed(
                    CheckName::CertificatePath,
                    SubIndication::Expired,
                    format!(
                        "the signing certificate had expired before the proof of existence {}",
                        rfc3339(poe)
                    ),
                ));
                None
            }
            Err(e) => {
                report.checks.push(Check::failed(
                    CheckName::CertificatePath,
                    e.sub_indication(),
                    format!("{e} (at the proof of existence {})", rfc3339(poe)),
                ));
                None
            }
        }
    }

    /// A path valid at `at`: the cached one when it still validates, else a new search.
    fn path_at(&self, cert: &Arc<Certificate>, at: i64) -> Result<Arc<CachedPath>, PathError> {
        let cache = &self.verifier.cache;
        // A cached path may have been built with another request's CMS certificates: reuse
        // it only when each of its certificates is available to this request too.
        if let Some(cached) = cache.path(&cert.fingerprint())
            && cached
                .path
                .fingerprints
                .iter()
                .skip(1)
                .all(|f| self.knows(f))
            && cached.path.revalidate(at).is_ok()
        {
            return Ok(cached);
        }
        let path = path::build_path_with(
            cert.der(),
            &self.verifier.store,
            self.untrusted(),
            at,
            self.verifier.limits,
        )?;
        Ok(cache.remember_path(path))
    }

    /// The status of each certificate of `path` but the anchor, read at the validation time,
    /// and what it means given the proof of existence `poe` (EN 319 102-1 §5.2.6).
    fn statuses<'p>(
        &'p self,
        path: &'p ValidatedPath,
        poe: Option<i64>,
    ) -> impl Iterator<Item = (&'p Certificate, Subject, CachedStatus, RevocationDecision)> + 'p
    {
        let certificates = &path.certificates;
        certificates
            .iter()
            .zip(certificates.iter().skip(1))
            .enumerate()
            .map(move |(i, (cert, issuer))| {
                let cached = self.status_for(cert, issuer, poe);
                let subject = if i == 0 {
                    Subject::SigningCertificate
                } else {
                    Subject::CaCertificate
                };
                let decision = cached.status.decide(poe, subject);
                (cert.as_ref(), subject, cached, decision)
            })
    }

    /// The status of `cert` at the validation time, from the sources the policy names in its
    /// order (`sources.rs`); from the cache when the request brings no CRLs or OCSP responses
    /// of its own.
    fn status(&self, cert: &Certificate, issuer: &Certificate) -> CachedStatus {
        let (cache, at) = (&self.verifier.cache, self.validation_time);
        let key = (cert.fingerprint(), issuer.fingerprint());
        let request_local = !self.crls.is_empty() || self.ocsp.is_some();
        if !request_local && let Some(cached) = cache.revocation(&key, at) {
            return cached;
        }
        let resolved = self.resolve_status(cert, issuer);
        let cached = CachedStatus {
            from: at,
            until: resolved.until,
            status: Arc::new(resolved.status),
            report: Arc::new(resolved.report),
        };
        // With the request's own CRLs or responses the status is the request's: not cached.
        if !request_local {
            cache.remember_revocation(key, cached.clone());
        }
        cached
    }

    /// The status a signature proven to exist at `poe` is judged by: the one at the validation
    /// time, unless what was issued by then says more about the time of the proof (EN 319
    /// 102-1 §5.6.2.4, past signature validation; `sources.rs`): when nothing in force at the
    /// validation time gives a status (the CA stopped publishing, the certificate expired long
    /// ago, the OCSP responses kept went stale), or when a CRL lists for good a revocation
    /// that those in force no longer list (a certificate dropped from CRLs after it expired).
    fn status_for(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        poe: Option<i64>,
    ) -> CachedStatus {
        let current = self.status(cert, issuer);
        let Some(poe) = poe.filter(|&poe| poe < self.validation_time) else {
            return current;
        };
        if matches!(*current.status, RevocationStatus::Revoked { .. }) {
            return current;
        }
        let (past, mut report) = self.resolve_status_at_proof(cert, issuer, poe);
        let use_past = match (&*current.status, &past) {
            (RevocationStatus::Unknown { .. }, RevocationStatus::Good { .. }) => true,
            (
                RevocationStatus::Good { .. } | RevocationStatus::Unknown { .. },
                RevocationStatus::Revoked { reason, .. },
            ) => {
                *reason != RevocationReason::CertificateHold
                    || matches!(*current.status, RevocationStatus::Unknown { .. })
            }
            _ => false,
        };
        if !use_past {
            return current;
        }
        // Why the responses in force were not believed stays worth reading.
        if report.ocsp_ignored.is_empty() {
            report.ocsp_ignored.clone_from(&current.report.ocsp_ignored);
        }
        CachedStatus {
            from: self.validation_time,
            until: self.validation_time,
            status: Arc::new(past),
            report: Arc::new(report),
        }
    }

    /// Whether the policy lets a CA certificate without usable revocation data pass.
    fn unknown_ca_status_accepted(&self, subject: Subject, decision: RevocationDecision) -> bool {
        subject == Subject::CaCertificate
            && decision == RevocationDecision::Fails(SubIndication::TryLater)
            && !self.verifier.policy.require_ca_revocation
    }

    /// Every certificate of the path but the anchor, judged with the signature's proof of
    /// existence.
    fn revocation(&self, path: &ValidatedPath, poe: Option<i64>, report: &mut SignerReport) {
        let cache = &self.verifier.cache;
        let checks_before = report.checks.len();
        for (cert, subject, cached, decision) in self.statuses(path, poe) {
            report.revocation.push(Arc::clone(&cached.report));
            let summary = cache.summary(cert);
            let who = &summary.subject;
            let check = match decision {
                RevocationDecision::NotRevoked => continue,
                _ if self.unknown_ca_status_accepted(subject, decision) => Check::warning(
                    CheckName::Revocation,
                    format!(
                        "no usable CRL for a CA certificate, accepted by the policy: {}",
                        describe_status(&cached.status, who)
                    ),
                ),
                RevocationDecision::RevokedAfterSignature { date, reason } => Check::warning(
                    CheckName::Revocation,
                    format!(
                        "revoked on {} ({reason:?}{}) after the proof of existence: {who}",
                        rfc3339(date),
                        invalid_since(&cached.status),
                    ),
                ),
                RevocationDecision::Fails(sub) => Check::failed(
                    CheckName::Revocation,
                    sub,
                    describe_status(&cached.status, who),
                ),
            };
            report.checks.push(check);
        }
        if report.checks.len() == checks_before {
            let at_proof: Vec<&str> = report
                .revocation
                .iter()
                .filter_map(|entry| entry.status_at.as_deref())
                .collect();
            let from_ocsp: Vec<String> = report
                .revocation
                .iter()
                .filter_map(|entry| entry.ocsp.as_ref())
                .map(|ocsp| format!("{} ({})", ocsp.produced_at, ocsp.origin))
                .collect();
            let check = if let Some(poe) = at_proof.first() {
                Check::passed(
                    CheckName::Revocation,
                    format!(
                        "no certificate of the path was revoked at the proof of existence {poe} \
                         (read from CRLs issued by the validation time; none in force then \
                         gives a status)"
                    ),
                )
            } else if from_ocsp.is_empty() {
                Check::passed(
                    CheckName::Revocation,
                    "no certificate of the path is revoked",
                )
            } else {
                Check::passed(
                    CheckName::Revocation,
                    format!(
                        "no certificate of the path is revoked (OCSP responses produced {})",
                        from_ocsp.join(", ")
                    ),
                )
            };
            report.checks.push(check);
        }
    }

    /// EN 319 102-1 §5.2.8: the signer's and the path's algorithms, and the signer's key
    /// purposes, against the policy.
    fn acceptance(
        &self,
        facts: &SignerCryptoFacts,
        path: Option<&ValidatedPath>,
        identity: Option<&Identity>,
        report: &mut SignerReport,
    ) {
        let policy = &self.verifier.policy;
        let checks_before = report.checks.len();
        if let Err(v) = policy.check_algorithm(&facts.signature_algorithm) {
            report.checks.push(Check::failed(
                CheckName::SignatureAcceptance,
                v.sub_indication(),
                format!("signature: {v}"),
            ));
        }
        for (cert, algorithm) in path
            .into_iter()
            .flat_map(|p| p.certificates.iter().zip(&p.signature_algorithms))
        {
            if let Err(v) = policy.check_algorithm(algorithm) {
                report.checks.push(Check::failed(
                    CheckName::SignatureAcceptance,
                    v.sub_indication(),
                    format!(
                        "certificate {}: {v}",
                        self.verifier.cache.summary(cert).subject
                    ),
                ));
            }
        }
        if let Some(identity) = identity
            && let Err(v) = policy.check_signer(identity)
        {
            report.checks.push(Check::failed(
                CheckName::SignatureAcceptance,
                v.sub_indication(),
                v.to_string(),
            ));
        }
        if report.checks.len() == checks_before {
            report.checks.push(Check::passed(
                CheckName::SignatureAcceptance,
                "algorithms, key sizes and key purposes meet the policy",
            ));
        }
    }

    /// Only reached by a signer whose signature verified: an unverified certificate proves
    /// nothing about who signed.
    fn ownership(
        &self,
        identity: Option<&Identity>,
        expectation: &Expectation,
        report: &mut SignerReport,
    ) {
        let result = match identity {
            Some(identity) => {
                identity::check(identity, expectation, &self.verifier.policy.ownership())
                    .map_err(|e| e.to_string())
            }
            None => Err("the signer's identity cannot be read".to_owned()),
        };
        report.owner = Some(result.is_ok());
        report.checks.push(match result {
            Ok(()) => Check::passed(CheckName::Ownership, "the signer is the expected one"),
            Err(why) => Check::warning(CheckName::Ownership, why),
        });
    }
}

/// `, invalid since DATE` for a revocation whose CRL entry has an invalidityDate (RFC 5280
/// §5.3.2), else nothing.
fn invalid_since(status: &RevocationStatus) -> String {
    match status {
        RevocationStatus::Revoked {
            invalidity_date: Some(date),
            ..
        } => format!(", invalid since {}", rfc3339(*date)),
        _ => String::new(),
    }
}

fn describe_status(status: &RevocationStatus, who: &str) -> String {
    match status {
        RevocationStatus::Revoked { date, reason, .. } => {
            format!(
                "revoked on {} ({reason:?}{}): {who}",
                rfc3339(*date),
                invalid_since(status)
            )
        }
        RevocationStatus::Unknown {
            why:
                why @ (UnknownReason::NoOcsp | UnknownReason::OcspUnusable | UnknownReason::OcspUnknown),
        } => format!("no usable revocation status ({why:?}): {who}"),
        RevocationStatus::Unknown { why } => format!("no usable CRL ({why:?}): {who}"),
        RevocationStatus::Good { .. } => format!("not revoked: {who}"),
    }
}
