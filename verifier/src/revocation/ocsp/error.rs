//! Why an OCSP message could not be read or built, and why a response could not be used.

use crate::revocation::status::UnknownReason;

use super::response::ResponseStatus;

/// An OCSP message that is not what RFC 6960 §4 describes, in DER.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// The bytes are not the DER of the structure; the field named is where reading stopped.
    #[error("malformed OCSP message: {0}")]
    Malformed(&'static str),
    /// A responseStatus value RFC 6960 §4.2.1 does not define (4, or above 6).
    #[error("OCSP responseStatus {0} is not defined")]
    UnknownResponseStatus(u8),
    /// A successful response without responseBytes, or an error response with them
    /// (RFC 6960 §4.2.1).
    #[error("OCSP responseStatus {0:?} does not go with the presence of responseBytes")]
    StatusBytesMismatch(ResponseStatus),
    /// responseBytes of another type than id-pkix-ocsp-basic (RFC 6960 §4.2.1).
    #[error("OCSP response type {0} is not id-pkix-ocsp-basic")]
    UnsupportedResponseType(String),
    /// A ResponseData version other than v1 (RFC 6960 §4.2.1).
    #[error("OCSP ResponseData version {0} is not v1")]
    UnsupportedVersion(u8),
    /// A CertID hash algorithm the crypto layer does not know.
    #[error("OCSP CertID hash algorithm {0} is not supported")]
    UnsupportedHashAlgorithm(String),
    /// A critical response or single-response extension this layer does not process.
    #[error("OCSP response has an unsupported critical extension {0}")]
    UnsupportedCriticalExtension(String),
}

/// Why a request could not be built (RFC 6960 §4.1.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspRequestError {
    /// The issuer's subject is not the certificate's issuer Name.
    #[error("the issuer certificate's subject is not the certificate's issuer")]
    NotTheIssuer,
    /// The issuer's SubjectPublicKeyInfo could not be read.
    #[error("the issuer certificate's public key cannot be read")]
    MalformedIssuerKey,
    /// A nonce of 0 or more than 32 octets (RFC 8954 §2.1).
    #[error("an OCSP nonce has 1 to 32 octets, not {0}")]
    NonceLength(usize),
}

/// Why a parsed response gives no status for a certificate (RFC 6960 §3.2, §4.2.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspUnusable {
    /// The responder did not answer successfully (tryLater, unauthorized, ...).
    #[error("the responder answered {0:?}")]
    NotSuccessful(ResponseStatus),
    /// No SingleResponse's CertID is this certificate's under this issuer.
    #[error("no SingleResponse is about this certificate")]
    NotAboutThisCertificate,
    /// No certificate matches the responderID (§4.2.2.3) and verifies the signature.
    #[error("no certificate matching the responderID verifies the signature")]
    ResponderNotFound,
    /// The signature does not verify with the responder's key (§3.2 (2)).
    #[error("the response signature does not verify: {0}")]
    BadSignature(String),
    /// The signer is neither the CA nor a certificate that CA issued (§4.2.2.2).
    #[error("the responder certificate is not issued by the certificate's CA")]
    ResponderNotIssuedByCa,
    /// A delegated responder certificate without id-kp-OCSPSigning (§4.2.2.2).
    #[error("the responder certificate lacks id-kp-OCSPSigning")]
    ResponderNotAuthorized,
    /// The delegated responder certificate was not valid when the response was produced.
    #[error("the responder certificate was not valid at producedAt")]
    ResponderOutsideValidity,
    /// The delegated responder certificate (without id-pkix-ocsp-nocheck) is revoked
    /// (§4.2.2.2.1).
    #[error("the responder certificate is revoked")]
    ResponderRevoked,
    /// The delegated responder certificate (without id-pkix-ocsp-nocheck) has no usable CRL
    /// status (§4.2.2.2.1).
    #[error("the responder certificate's own status is unknown ({0:?})")]
    ResponderStatusUnknown(UnknownReason),
    /// producedAt or thisUpdate is after the validation time, beyond the clock skew (§3.2 (4)).
    #[error("the response is from after the validation time")]
    NotYetValid,
    /// nextUpdate (or thisUpdate plus the maximum age) is before the validation time (§3.2 (5)).
    #[error("the response is stale at the validation time")]
    Stale,
    /// A nonce was sent and the response carries another one, or none (RFC 8954 §2.1).
    #[error("the response nonce is not the request's")]
    NonceMismatch,
}
