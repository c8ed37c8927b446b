//! A certificate's revocation status from the sources the policy names, in its order
//! (`Policy::revocation_sources`, default OCSP then CRLs): the first that says `good` or
//! `revoked` decides. OCSP responses are the verifier's (`Verifier::with_ocsp`) and the CMS's
//! own (RFC 5940); CRLs the verifier's and the CMS's. A delegated OCSP responder's own status
//! is read from the CRLs (RFC 6960 §4.2.2.2.1).

use crate::path::Certificate;
use crate::policy::RevocationSource;
use crate::revocation::ocsp::{Freshness, OcspCheck, OcspLookup};
use crate::revocation::{RevocationStatus, UnknownReason};

use super::report::{OcspSourceReport, RevocationReport, rfc3339};
use super::signer::Context;

/// A status, its report, and until when (exclusive) it holds from the validation time.
pub(super) struct Resolved {
    pub(super) status: RevocationStatus,
    pub(super) report: RevocationReport,
    pub(super) until: i64,
}

impl Context<'_> {
    /// The status of `cert`, issued by `issuer`, at the validation time.
    pub(super) fn resolve_status(&self, cert: &Certificate, issuer: &Certificate) -> Resolved {
        let verifier = self.verifier;
        let at = self.validation_time;
        let crl_status =
            |c: &Certificate, i: &Certificate| verifier.crls.status_among(&self.crls, c, i, at);
        let check = OcspCheck::new(at, self.ocsp_freshness(), &crl_status)
            .with_certificates(&self.certificates);
        // A delegated responder's status comes from the CRLs, whichever source is asked.
        let mut until = verifier.crls.status_stable_until(issuer, at);
        let first = self.first_definite(cert, issuer, &check, &crl_status);
        if first.asked_ocsp {
            until = until.min(verifier.ocsp.status_stable_until(&check));
        }
        Resolved {
            status: first.status,
            report: first.report,
            until,
        }
    }

    /// The status of `cert` at `poe`, a proof of existence before the validation time, from
    /// what was issued by the validation time (EN 319 102-1 §5.6.2.4): the CRLs that covered
    /// `poe` ([`crate::revocation::CrlStore::status_at_proof`]) and the OCSP responses current
    /// at `poe` or issued later ([`OcspCheck::at_proof_of_existence`]), in the policy's order.
    pub(super) fn resolve_status_at_proof(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        poe: i64,
    ) -> (RevocationStatus, RevocationReport) {
        let crls = &self.verifier.crls;
        let at = self.validation_time;
        let past =
            |c: &Certificate, i: &Certificate| crls.status_at_proof(&self.crls, c, i, poe, at);
        // A delegated responder's own status: now when the CRLs still say, else at the proof.
        let responder_status =
            |c: &Certificate, i: &Certificate| match crls.status_among(&self.crls, c, i, at) {
                RevocationStatus::Unknown { .. } => past(c, i),
                known => known,
            };
        let check = OcspCheck::new(at, self.ocsp_freshness(), &responder_status)
            .with_certificates(&self.certificates)
            .at_proof_of_existence(poe);
        let mut first = self.first_definite(cert, issuer, &check, &past);
        first.report.status_at = Some(rfc3339(poe));
        (first.status, first.report)
    }

    fn ocsp_freshness(&self) -> Freshness {
        let policy = &self.verifier.policy;
        Freshness::new(
            i64::from(policy.ocsp_clock_skew),
            policy.ocsp_max_age.map(i64::from),
        )
    }

    /// Asks the policy's sources in its order, OCSP with `check` and CRLs with `crl_status`;
    /// the first that says `good` or `revoked` decides.
    fn first_definite(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        check: &OcspCheck<'_>,
        crl_status: &dyn Fn(&Certificate, &Certificate) -> RevocationStatus,
    ) -> FirstDefinite {
        let verifier = self.verifier;
        let mut unknown = Vec::new();
        let mut lookup: Option<OcspLookup> = None;
        let mut decided = None;
        for source in &verifier.policy.revocation_sources {
            let (status, from) = match source {
                RevocationSource::Ocsp => {
                    let found = verifier.ocsp.status_with(self.ocsp, cert, issuer, check);
                    let status = found.status();
                    lookup = Some(found);
                    (status, "ocsp")
                }
                RevocationSource::Crl => (crl_status(cert, issuer), "crl"),
            };
            match status {
                RevocationStatus::Unknown { why } => unknown.push(why),
                known => {
                    decided = Some((known, from));
                    break;
                }
            }
        }
        let (status, from) = match decided {
            Some((status, from)) => (status, Some(from)),
            None => (
                RevocationStatus::Unknown {
                    why: most_telling(&unknown),
                },
                None,
            ),
        };
        let cache = &verifier.cache;
        let mut report = RevocationReport::of(cert.fingerprint(), &status, |s| cache.crl_source(s));
        report.status_source = from;
        let asked_ocsp = lookup.is_some();
        if let Some(lookup) = lookup {
            if from == Some("ocsp") {
                report.ocsp = lookup.answer.as_ref().map(OcspSourceReport::of);
            }
            report.ocsp_ignored = lookup
                .ignored
                .iter()
                .map(|(fingerprint, why)| format!("{fingerprint}: {why}"))
                .collect();
        }
        FirstDefinite {
            status,
            report,
            asked_ocsp,
        }
    }
}

/// What the first source to decide said.
struct FirstDefinite {
    status: RevocationStatus,
    report: RevocationReport,
    /// Whether OCSP was asked (its responses' times then bound how long the status holds).
    asked_ocsp: bool,
}

/// Why no source gave a status: the first reason that says more than "nothing about this
/// certificate" (a stale CRL, an unbelieved response, a responder's `unknown`), else
/// [`UnknownReason::NoCrl`] when the CRLs were asked, as before OCSP was a source.
fn most_telling(reasons: &[UnknownReason]) -> UnknownReason {
    let nothing =
        |why: &&UnknownReason| matches!(why, UnknownReason::NoCrl | UnknownReason::NoOcsp);
    reasons
        .iter()
        .find(|why| !nothing(why))
        .or_else(|| reasons.iter().find(|why| **why == UnknownReason::NoCrl))
        .or_else(|| reasons.first())
        .copied()
        .unwrap_or(UnknownReason::NoCrl)
}
