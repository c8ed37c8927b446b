//! A certificate's revocation status from CRLs (RFC 5280 §6.3), and what it means for a
//! signature at its best-signature-time (ETSI EN 319 102-1 §5.2.6, §5.6.2.4; `docs/nca-profile.md`
//! "CAs and revocation").

use serde::Serialize;

use crate::path::Fingerprint;
use crate::revocation::types::{CrlNumber, RevocationReason};
use crate::verdict::SubIndication;

/// One CRL a status was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrlSource {
    /// SHA-256 of the CRL's DER.
    pub fingerprint: Fingerprint,
    /// thisUpdate, unix seconds.
    pub this_update: i64,
    /// nextUpdate, unix seconds, if present.
    pub next_update: Option<i64>,
    /// cRLNumber, if present.
    pub number: Option<CrlNumber>,
    /// Whether it is a delta CRL (RFC 5280 §5.2.4).
    pub delta: bool,
}

/// Why no status could be read (each ends in TRY_LATER).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum UnknownReason {
    /// No CRL names this issuer.
    NoCrl,
    /// CRLs name this issuer, but none is signed by the issuer certificate (bad signature,
    /// another key, or an issuer without cRLSign).
    BadSignature,
    /// The issuer's CRLs are all stale (nextUpdate before the validation time) or not yet
    /// issued (thisUpdate after it).
    Stale,
    /// Only delta CRLs, whose base CRL is missing (a delta is not complete by itself).
    NoBaseCrl,
    /// The certificate's serial number could not be read.
    MalformedCertificate,
    /// No OCSP response is about this certificate (RFC 6960).
    NoOcsp,
    /// OCSP responses are about this certificate, but none can be believed (signature,
    /// responder, freshness, nonce: `ocsp::OcspUnusable`).
    OcspUnusable,
    /// The responder answered `unknown` (RFC 6960 §2.2).
    OcspUnknown,
}

/// A certificate's status at the validation time (RFC 5280 §6.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationStatus {
    /// Not listed by the usable CRL(s) (the complete CRL first, then its delta), or `good`
    /// in a believed OCSP response.
    Good {
        /// The CRL(s) consulted (none when the status is an OCSP response's).
        source: Vec<CrlSource>,
    },
    /// Listed, or `revoked` in a believed OCSP response.
    Revoked {
        /// revocationDate, unix seconds.
        date: i64,
        /// The reason (unspecified when the entry has no reasonCode).
        reason: RevocationReason,
        /// invalidityDate (RFC 5280 §5.3.2), unix seconds, when the CRL entry gives one: since
        /// when the key is known or suspected to have been compromised.
        invalidity_date: Option<i64>,
        /// The CRL(s) consulted (none when the status is an OCSP response's).
        source: Vec<CrlSource>,
    },
    /// No usable CRL (or OCSP response).
    Unknown {
        /// Why.
        why: UnknownReason,
    },
}

/// The certificate's place on the path, for the sub-indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subject {
    /// The signing (end-entity) certificate.
    SigningCertificate,
    /// A CA certificate of the path.
    CaCertificate,
}

/// What a status means for the signature (ETSI EN 319 102-1 §5.2.6 and §5.6.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationDecision {
    /// Not revoked: the check passes.
    NotRevoked,
    /// Revoked after the best-signature-time with a benign reason: the signature stays valid
    /// and the revocation is reported as information.
    RevokedAfterSignature {
        /// revocationDate, unix seconds.
        date: i64,
        /// The reason.
        reason: RevocationReason,
    },
    /// The check fails with this sub-indication.
    Fails(SubIndication),
}

impl RevocationStatus {
    /// Decides, in order, given the proof of existence (POE) of the signature, if any
    /// (unix seconds: a verified time-stamp's genTime or a registration proof, never the
    /// claimed signingTime):
    ///
    /// 1. no usable CRL → TRY_LATER (EN 319 102-1 §5.2.6: "no revocation status
    ///    information could be found, or it is not fresh");
    /// 2. not listed → passes;
    /// 3. listed, and no POE: the signature may have been made before or after the
    ///    revocation → REVOKED_NO_POE (EN 319 102-1 §5.2.6 and table 6);
    /// 4. certificateHold: the certificate is on hold at the validation time (it is listed
    ///    by a CRL fresh then) → REVOKED_NO_POE, INDETERMINATE; a later release is possible
    ///    (`docs/nca-profile.md`, "CAs and revocation": "certificateHold conservatively");
    /// 5. a revocation date ≤ the POE (EN 319 102-1 §5.6.2.4: no proof of existence before
    ///    the revocation) → REVOKED;
    /// 6. keyCompromise, cACompromise, aACompromise, or an unknown reason
    ///    (`docs/nca-profile.md`, "CAs and revocation": "keyCompromise is treated as
    ///    retroactive"): REVOKED, unless the entry's invalidityDate (RFC 5280 §5.3.2) dates the
    ///    compromise after the POE: the CA itself then says the key was sound when the
    ///    signature is proven to have existed, and the signature stays valid, the revocation
    ///    reported. An invalidityDate at or before the POE, or none, is REVOKED: the key may
    ///    have signed in other hands (`docs/reverification.md`, "Long-term validation");
    /// 7. otherwise (superseded, affiliationChanged, cessationOfOperation,
    ///    privilegeWithdrawn, unspecified, after the POE) → the signature stays valid, the
    ///    revocation is reported (`docs/nca-profile.md`, "CAs and revocation": a revocation
    ///    after a trusted signing time with a benign reason leaves the signature valid).
    ///
    /// For a CA certificate of the path every failure of 3 to 5 is REVOKED_CA_NO_POE
    /// (EN 319 102-1 §5.2.6).
    pub fn decide(&self, proof_of_existence: Option<i64>, subject: Subject) -> RevocationDecision {
        let fails = |sub| match subject {
            Subject::SigningCertificate => RevocationDecision::Fails(sub),
            Subject::CaCertificate => RevocationDecision::Fails(SubIndication::RevokedCaNoPoe),
        };
        match *self {
            Self::Unknown { .. } => RevocationDecision::Fails(SubIndication::TryLater),
            Self::Good { .. } => RevocationDecision::NotRevoked,
            Self::Revoked {
                date,
                reason,
                invalidity_date,
                ..
            } => match proof_of_existence {
                None => fails(SubIndication::RevokedNoPoe),
                Some(_) if reason == RevocationReason::CertificateHold => {
                    fails(SubIndication::RevokedNoPoe)
                }
                Some(poe) if date <= poe => fails(SubIndication::Revoked),
                Some(poe)
                    if reason.is_retroactive()
                        && invalidity_date.is_none_or(|invalid| invalid <= poe) =>
                {
                    fails(SubIndication::Revoked)
                }
                Some(_) => RevocationDecision::RevokedAfterSignature { date, reason },
            },
        }
    }
}
