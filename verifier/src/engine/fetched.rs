//! What a server that fetches revocation data itself needs of the engine: an OCSP response
//! it fetched checked exactly as a verification would check it (RFC 6960 §3.2: CertID,
//! signer, responder authorisation, nonce, freshness under the policy's tolerances), before it
//! caches the response; and a verifier like this one over other OCSP responses.

use std::sync::Arc;

use crate::path::Certificate;
use crate::revocation::CrlStore;
use crate::revocation::ocsp::{
    CertId, Freshness, OcspCheck, OcspResponse, OcspStore, OcspUnusable, ResponseStatus,
    VerifiedOcsp,
};

use super::Verifier;
use super::cache::Cache;

impl Verifier {
    /// What `response` says about `cert`, issued by `issuer`, at `at` (unix seconds), if the
    /// engine would believe it: signed by the CA or a delegated responder whose own status the
    /// verifier's CRLs give (§4.2.2.2), echoing `nonce` when one was sent, and fresh under
    /// the policy's `ocsp-clock-skew` and `ocsp-max-age`.
    pub fn check_ocsp_response(
        &self,
        response: &OcspResponse,
        cert: &Certificate,
        issuer: &Certificate,
        nonce: Option<&[u8]>,
        at: i64,
    ) -> Result<VerifiedOcsp, OcspUnusable> {
        let Some(basic) = response.basic.as_ref() else {
            return Err(OcspUnusable::NotSuccessful(response.status));
        };
        if response.status != ResponseStatus::Successful {
            return Err(OcspUnusable::NotSuccessful(response.status));
        }
        let crl_status = |c: &Certificate, i: &Certificate| self.crls.status_with(None, c, i, at);
        let mut check = OcspCheck::new(at, self.ocsp_freshness(), &crl_status);
        if let Some(nonce) = nonce {
            check = check.with_nonce(nonce);
        }
        basic.verify_for(cert, issuer, &check)
    }

    /// Whether an OCSP response taken in without the certificates it is about (an operator's
    /// import) may be believed at `at`: some of `issuers` (the trust store's CA certificates)
    /// issued certificates it answers for, and it passes the checks of
    /// [`Self::check_ocsp_response`] for them. The SingleResponses believed, with their
    /// CertIDs; otherwise the most telling reason why not.
    pub fn check_ocsp_import(
        &self,
        response: &OcspResponse,
        issuers: &[Arc<Certificate>],
        at: i64,
    ) -> Result<Vec<(CertId, VerifiedOcsp)>, OcspUnusable> {
        let Some(basic) = response.basic.as_ref() else {
            return Err(OcspUnusable::NotSuccessful(response.status));
        };
        if response.status != ResponseStatus::Successful {
            return Err(OcspUnusable::NotSuccessful(response.status));
        }
        let crl_status = |c: &Certificate, i: &Certificate| self.crls.status_with(None, c, i, at);
        let check = OcspCheck::new(at, self.ocsp_freshness(), &crl_status);
        let mut why = OcspUnusable::NotAboutThisCertificate;
        for issuer in issuers {
            match basic.verify_by_issuer(issuer, &check) {
                Ok(believed) => return Ok(believed),
                Err(OcspUnusable::NotAboutThisCertificate) => {}
                Err(e) => why = e,
            }
        }
        Err(why)
    }

    /// The tolerances a response is judged with: the policy's `ocsp-clock-skew` and
    /// `ocsp-max-age`.
    pub fn ocsp_freshness(&self) -> Freshness {
        Freshness::new(
            i64::from(self.policy.ocsp_clock_skew),
            self.policy.ocsp_max_age.map(i64::from),
        )
    }

    /// The OCSP responses this verifier holds (its own, not a request's).
    pub fn ocsp_responses(&self) -> &OcspStore {
        &self.ocsp
    }

    /// A verifier like this one (certificates, policy, bounds, cache budget) over `crls` and
    /// `ocsp` instead, with empty caches: a revocation status cached from the old data must
    /// not outlive it. For a server that takes in revocation data (a CRL or an OCSP response
    /// imported by an operator) while requests in flight finish on the old verifier.
    pub fn with_revocation(&self, crls: CrlStore, ocsp: OcspStore) -> Self {
        Self {
            store: self.store.clone(),
            crls,
            ocsp,
            policy: self.policy.clone(),
            limits: self.limits,
            budget: self.budget,
            cache: Cache::with_budget(self.cache_budget),
            cache_budget: self.cache_budget,
        }
    }
}
