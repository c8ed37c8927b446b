//! OCSP (RFC 6960): revocation status from a responder's signed answer, beside the CRLs.
//!
//! Layers, each file using only those before it:
//!
//! - `reader`: a strict DER cursor (one-byte tags, minimal definite lengths, no fractions in
//!   times) over the crate's `revocation::der`;
//! - `error`: [`OcspError`] (reading), [`OcspRequestError`] (building), [`OcspUnusable`] (why
//!   a response is not believed);
//! - `cert_id`: [`CertId`] (§4.1.1), read, written and matched against a certificate and its
//!   issuer under SHA-1, SHA-256 or any digest the crypto layer knows;
//! - `response`: [`OcspResponse`], [`BasicOcspResponse`], [`ResponseData`],
//!   [`SingleResponse`], [`ResponderId`], [`CertStatus`], [`ResponseStatus`] (§4.2.1);
//! - `request`: [`OcspRequest`] (§4.1.1), the DER a client sends, with an optional nonce;
//! - `verify`: [`BasicOcspResponse::verify_for`]: CertID, signer by responderID, signature,
//!   CA or delegated responder (§4.2.2.2, id-pkix-ocsp-nocheck), nonce, [`Freshness`];
//! - `store`: [`OcspStore`], responses deduplicated by fingerprint, and the status of a
//!   certificate from them ([`OcspLookup`]);
//! - `aia`: [`responder_urls`], where a certificate's responder is (authorityInfoAccess).
//!
//! Which source (OCSP, CRLs) is asked first, and how fresh an answer must be, is the policy's
//! (`revocation-sources`, `ocsp-clock-skew`, `ocsp-max-age`); the engine combines them.

mod aia;
mod cert_id;
mod error;
mod reader;
mod request;
mod response;
mod store;
mod verify;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

pub use aia::responder_urls;
pub use cert_id::CertId;
pub use error::{OcspError, OcspRequestError, OcspUnusable};
pub use request::OcspRequest;
pub use response::{
    BasicOcspResponse, CertStatus, OcspResponse, ResponderId, ResponseData, ResponseStatus,
    SingleResponse,
};
pub use store::{OcspAnswer, OcspLookup, OcspStore};
pub use verify::{
    DEFAULT_MAX_AGE_WITHOUT_NEXT_UPDATE, Freshness, OcspCheck, ResponderKind, VerifiedOcsp,
};

/// The OIDs of RFC 6960 and RFC 5940 this module reads, as content octets.
pub(crate) mod oids {
    /// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1).
    pub(crate) const ID_PKIX_OCSP_BASIC: &[u8] = &[0x2B, 6, 1, 5, 5, 7, 0x30, 1, 1];
    /// id-pkix-ocsp-nonce, 1.3.6.1.5.5.7.48.1.2 (RFC 6960 §4.4.1).
    pub(crate) const ID_PKIX_OCSP_NONCE: &[u8] = &[0x2B, 6, 1, 5, 5, 7, 0x30, 1, 2];
    /// id-pkix-ocsp-nocheck, 1.3.6.1.5.5.7.48.1.5 (RFC 6960 §4.2.2.2.1).
    pub(crate) const ID_PKIX_OCSP_NOCHECK: &[u8] = &[0x2B, 6, 1, 5, 5, 7, 0x30, 1, 5];
    /// id-ri-ocsp-response, 1.3.6.1.5.5.7.16.2 (RFC 5940 §4.1): an OCSPResponse in a
    /// SignedData's RevocationInfoChoices.
    pub(crate) const ID_RI_OCSP_RESPONSE: &[u8] = &[0x2B, 6, 1, 5, 5, 7, 0x10, 2];
}
