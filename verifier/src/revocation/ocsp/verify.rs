//! Whether a BasicOCSPResponse may be believed about one certificate (RFC 6960 §3.2, §4.2.2):
//!
//! 1. a SingleResponse's CertID names the certificate under its issuer (either hash);
//! 2. the signer is found by the responderID (byName: the subject; byKey: the SHA-1 of the
//!    key) among the issuer, the response's `certs` and the caller's certificates, and its key
//!    verifies the signature over the original tbsResponseData bytes (RSA, ECDSA, GOST: the
//!    crypto layer);
//! 3. the signer is the CA that issued the certificate, or a delegated responder (§4.2.2.2):
//!    issued directly by that CA (name and signature), with id-kp-OCSPSigning, valid at
//!    producedAt, and, unless it carries id-pkix-ocsp-nocheck (§4.2.2.2.1), not revoked
//!    according to the CRLs (the caller's `responder_status`); no CRL status → unusable;
//! 4. when a nonce was sent, the response echoes it (RFC 8954);
//! 5. producedAt and thisUpdate are not after the validation time, and the validation time
//!    is not after nextUpdate (or, without nextUpdate, thisUpdate plus the maximum age), each
//!    within the clock skew ([`Freshness`], `docs/verifier.md`).

use std::sync::Arc;

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::ber::Tlv;
use crate::cms::AlgorithmIdentifier;
use crate::crypto::{self, DigestAlgorithm, SignatureAlgorithm};
use crate::path::Certificate;
use crate::revocation::status::RevocationStatus;

use super::cert_id::{CertId, subject_public_key};
use super::error::OcspUnusable;
use super::oids;
use super::request::nonce_value;
use super::response::{BasicOcspResponse, CertStatus, ResponderId, SingleResponse};

/// How long a response without nextUpdate is fresh after its thisUpdate, when the policy sets
/// no maximum age: one day.
pub const DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE: i64 = 86_400;

/// The time tolerances a response is judged with (the policy's `ocsp-clock-skew` and
/// `ocsp-max-age`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Freshness {
    /// Seconds that producedAt and thisUpdate may be after the validation time, and the
    /// validation time after nextUpdate (clocks differ).
    pub clock_skew: i64,
    /// When set, the validation time may be at most this many seconds after thisUpdate,
    /// whatever nextUpdate says; a response without nextUpdate is fresh this long (one day
    /// when unset).
    pub max_age: Option<i64>,
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            clock_skew: 300,
            max_age: None,
        }
    }
}

impl Freshness {
    /// With these tolerances.
    pub fn new(clock_skew: i64, max_age: Option<i64>) -> Self {
        Self {
            clock_skew,
            max_age,
        }
    }

    /// The interval of validation times `[from, until]` in which a SingleResponse with these
    /// times is fresh.
    pub(super) fn window(&self, produced_at: i64, single: &SingleResponse) -> (i64, i64) {
        let skew = self.clock_skew;
        let from = produced_at.max(single.this_update).saturating_sub(skew);
        let by_age = single
            .this_update
            .saturating_add(self.max_age.unwrap_or(DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE));
        let until = match (single.next_update, self.max_age) {
            (Some(next), _) if next < single.this_update => i64::MIN,
            (Some(next), Some(_)) => next.saturating_add(skew).min(by_age),
            (Some(next), None) => next.saturating_add(skew),
            (None, _) => by_age,
        };
        (from, until)
    }
}

/// What a response is checked against, besides the certificate and its issuer.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct OcspCheck<'a> {
    /// The validation time, unix seconds.
    pub at: i64,
    /// The time tolerances.
    pub freshness: Freshness,
    /// The nonce sent in the request, if any.
    pub nonce: Option<&'a [u8]>,
    /// Certificates the responder's may be among, besides the response's own.
    pub certificates: &'a [Arc<Certificate>],
    /// The CRL status, at the validation time, of a delegated responder's certificate issued
    /// by the CA (the arguments), for a responder without id-pkix-ocsp-nocheck.
    pub responder_status: &'a dyn Fn(&Certificate, &Certificate) -> RevocationStatus,
    /// A proof that the signature existed at this time: a response then answers for it when it
    /// was current at that time or issued later, by the validation time, instead of when it is
    /// fresh at the validation time ([`Self::at_proof_of_existence`]).
    pub proof_of_existence: Option<i64>,
}

impl<'a> OcspCheck<'a> {
    /// A check at `at` with these tolerances, no nonce, no certificates besides the
    /// response's and the issuer, and `responder_status` for delegated responders.
    pub fn new(
        at: i64,
        freshness: Freshness,
        responder_status: &'a dyn Fn(&Certificate, &Certificate) -> RevocationStatus,
    ) -> Self {
        Self {
            at,
            freshness,
            nonce: None,
            certificates: &[],
            responder_status,
            proof_of_existence: None,
        }
    }

    /// Judges responses for a signature proven to exist at `poe` (EN 319 102-1 §5.6.2.4, past
    /// signature validation): a response whose validity began by the validation time and had
    /// not ended at `poe` says the certificate's status at `poe` or later, which is what the
    /// signature needs, however long ago it went stale. As [`crate::revocation::CrlStore::status_at_proof`]
    /// reads CRLs.
    pub fn at_proof_of_existence(mut self, poe: i64) -> Self {
        self.proof_of_existence = Some(poe);
        self
    }

    /// Whether a SingleResponse valid over `[from, until]` (`Freshness::window`) answers.
    fn judge(&self, (from, until): (i64, i64)) -> Result<(), OcspUnusable> {
        if self.at < from {
            return Err(OcspUnusable::NotYetValid);
        }
        if until < self.proof_of_existence.unwrap_or(self.at) {
            return Err(OcspUnusable::Stale);
        }
        Ok(())
    }

    /// With the nonce the request sent (a response must echo it).
    pub fn with_nonce(mut self, nonce: &'a [u8]) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// With certificates the responder's may be among (a CMS's, a store's).
    pub fn with_certificates(mut self, certificates: &'a [Arc<Certificate>]) -> Self {
        self.certificates = certificates;
        self
    }
}

impl std::fmt::Debug for OcspCheck<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspCheck")
            .field("at", &self.at)
            .field("freshness", &self.freshness)
            .field("nonce", &self.nonce)
            .field("proof_of_existence", &self.proof_of_existence)
            .finish_non_exhaustive()
    }
}

/// Who signed a response (RFC 6960 §4.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponderKind {
    /// The CA that issued the certificate.
    Ca,
    /// A responder certificate that CA issued with id-kp-OCSPSigning.
    Delegated {
        /// Whether it carries id-pkix-ocsp-nocheck (its own status was then not checked).
        nocheck: bool,
    },
}

/// What a believed response says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedOcsp {
    /// certStatus.
    pub status: CertStatus,
    /// producedAt, unix seconds.
    pub produced_at: i64,
    /// thisUpdate, unix seconds.
    pub this_update: i64,
    /// nextUpdate, unix seconds.
    pub next_update: Option<i64>,
    /// The CertID's hash algorithm.
    pub cert_id_hash: DigestAlgorithm,
    /// Who signed.
    pub responder_kind: ResponderKind,
    /// The signer's certificate.
    pub responder: Arc<Certificate>,
    /// The response's signature algorithm under the signer's key.
    pub signature_algorithm: SignatureAlgorithm,
}

impl BasicOcspResponse {
    /// What this response says about `cert`, issued by `issuer` (the next certificate on its
    /// validated path), if it may be believed (module documentation).
    pub fn verify_for(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        check: &OcspCheck<'_>,
    ) -> Result<VerifiedOcsp, OcspUnusable> {
        let data = &self.response_data;
        let single = data
            .responses
            .iter()
            .filter(|single| single.cert_id.matches(cert, issuer))
            .max_by_key(|single| single.this_update)
            .ok_or(OcspUnusable::NotAboutThisCertificate)?;
        let (responder, signature_algorithm) = self.signer(issuer, check)?;
        let responder_kind = authorise(&responder, issuer, data.produced_at, check)?;
        if let Some(nonce) = check.nonce
            && data.nonce.as_deref() != Some(nonce_value(nonce).as_slice())
        {
            return Err(OcspUnusable::NonceMismatch);
        }
        check.judge(check.freshness.window(data.produced_at, single))?;
        Ok(VerifiedOcsp {
            status: single.status,
            produced_at: data.produced_at,
            this_update: single.this_update,
            next_update: single.next_update,
            cert_id_hash: single.cert_id.hash_algorithm,
            responder_kind,
            responder,
            signature_algorithm,
        })
    }

    /// What this response says about the certificates `issuer` issued that it names, each with
    /// its CertID, if it may be believed: the checks of [`Self::verify_for`] (signer,
    /// responder, nonce, freshness), for a response taken in without the certificates it is
    /// about (an operator's import). Only the SingleResponses fresh at `check.at` are
    /// returned; none is [`OcspUnusable::Stale`] or [`OcspUnusable::NotYetValid`].
    pub fn verify_by_issuer(
        &self,
        issuer: &Certificate,
        check: &OcspCheck<'_>,
    ) -> Result<Vec<(CertId, VerifiedOcsp)>, OcspUnusable> {
        let data = &self.response_data;
        let singles: Vec<&SingleResponse> = data
            .responses
            .iter()
            .filter(|single| single.cert_id.names_issuer(issuer))
            .collect();
        if singles.is_empty() {
            return Err(OcspUnusable::NotAboutThisCertificate);
        }
        let (responder, signature_algorithm) = self.signer(issuer, check)?;
        let responder_kind = authorise(&responder, issuer, data.produced_at, check)?;
        if let Some(nonce) = check.nonce
            && data.nonce.as_deref() != Some(nonce_value(nonce).as_slice())
        {
            return Err(OcspUnusable::NonceMismatch);
        }
        let mut believed = Vec::new();
        let mut why = OcspUnusable::Stale;
        for single in singles {
            if let Err(unusable) = check.judge(check.freshness.window(data.produced_at, single)) {
                if matches!(unusable, OcspUnusable::NotYetValid) {
                    why = unusable;
                }
                continue;
            }
            believed.push((
                single.cert_id.clone(),
                VerifiedOcsp {
                    status: single.status,
                    produced_at: data.produced_at,
                    this_update: single.this_update,
                    next_update: single.next_update,
                    cert_id_hash: single.cert_id.hash_algorithm,
                    responder_kind,
                    responder: Arc::clone(&responder),
                    signature_algorithm,
                },
            ));
        }
        if believed.is_empty() {
            return Err(why);
        }
        Ok(believed)
    }

    /// The first certificate the responderID names whose key verifies the signature.
    fn signer(
        &self,
        issuer: &Certificate,
        check: &OcspCheck<'_>,
    ) -> Result<(Arc<Certificate>, SignatureAlgorithm), OcspUnusable> {
        let own: Vec<Certificate> = self
            .certs
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok())
            .collect();
        let mut failure = None;
        for candidate in std::iter::once(issuer)
            .chain(&own)
            .chain(check.certificates.iter().map(Arc::as_ref))
            .filter(|c| self.response_data.responder_id.names(c))
        {
            match verify_signature(
                &self.signature_algorithm,
                candidate,
                &self.tbs_response_data,
                &self.signature,
            ) {
                Ok(algorithm) => return Ok((Arc::new(candidate.clone()), algorithm)),
                Err(why) => {
                    failure.get_or_insert(why);
                }
            }
        }
        Err(failure.map_or(OcspUnusable::ResponderNotFound, OcspUnusable::BadSignature))
    }
}

impl ResponderId {
    /// Whether this responderID names `cert` (RFC 6960 §4.2.2.3).
    pub fn names(&self, cert: &Certificate) -> bool {
        match self {
            Self::ByName(name) => cert.subject_raw() == name.as_slice(),
            Self::ByKey(hash) => subject_public_key(cert.spki())
                .is_some_and(|key| DigestAlgorithm::Sha1.digest(key) == *hash),
        }
    }
}

/// RFC 6960 §4.2.2.2: the CA itself, or a delegated responder the CA authorised.
fn authorise(
    responder: &Certificate,
    issuer: &Certificate,
    produced_at: i64,
    check: &OcspCheck<'_>,
) -> Result<ResponderKind, OcspUnusable> {
    if responder.subject_raw() == issuer.subject_raw() && responder.spki() == issuer.spki() {
        return Ok(ResponderKind::Ca);
    }
    if responder.issuer_raw() != issuer.subject_raw()
        || verify_signature(
            responder.signature_algorithm_der(),
            issuer,
            responder.tbs_certificate(),
            responder.signature(),
        )
        .is_err()
    {
        return Err(OcspUnusable::ResponderNotIssuedByCa);
    }
    let (ocsp_signing, nocheck) = responder_extensions(responder);
    if !ocsp_signing {
        return Err(OcspUnusable::ResponderNotAuthorized);
    }
    let (not_before, not_after) = responder.validity();
    if produced_at < not_before || produced_at > not_after {
        return Err(OcspUnusable::ResponderOutsideValidity);
    }
    if !nocheck {
        match (check.responder_status)(responder, issuer) {
            RevocationStatus::Good { .. } => {}
            RevocationStatus::Revoked { .. } => return Err(OcspUnusable::ResponderRevoked),
            RevocationStatus::Unknown { why } => {
                return Err(OcspUnusable::ResponderStatusUnknown(why));
            }
        }
    }
    Ok(ResponderKind::Delegated { nocheck })
}

/// (id-kp-OCSPSigning in extendedKeyUsage, id-pkix-ocsp-nocheck present).
fn responder_extensions(cert: &Certificate) -> (bool, bool) {
    let Ok((_, x509)) = X509Certificate::from_der(cert.der()) else {
        return (false, false);
    };
    let ocsp_signing = matches!(x509.extended_key_usage(), Ok(Some(eku)) if eku.value.ocsp_signing);
    let nocheck = x509
        .extensions()
        .iter()
        .any(|ext| ext.oid.as_bytes() == oids::ID_PKIX_OCSP_NOCHECK);
    (ocsp_signing, nocheck)
}

/// Verifies `signature` over `message` with `signer`'s key, under the AlgorithmIdentifier
/// `algorithm` (complete DER).
fn verify_signature(
    algorithm: &[u8],
    signer: &Certificate,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, String> {
    let tlv = Tlv::parse_single(algorithm).map_err(|e| e.to_string())?;
    let algorithm =
        AlgorithmIdentifier::from_tlv(tlv, "signatureAlgorithm").map_err(|e| e.to_string())?;
    let (_, spki) = SubjectPublicKeyInfo::from_der(signer.spki()).map_err(|e| e.to_string())?;
    let resolved = crypto::resolve(&algorithm, None, &spki).map_err(|e| e.to_string())?;
    crypto::verify_signature(&resolved, &spki.subject_public_key.data, message, signature)
        .map_err(|e| e.to_string())?;
    Ok(resolved)
}
