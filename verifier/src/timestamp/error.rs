//! Why a time-stamp token was rejected.

use crate::cms::CmsError;
use crate::crypto::SignerCryptoError;

/// Why an RFC 3161 time-stamp token does not prove the existence of a signature value. Each
/// of these makes the token unusable as a proof of existence (the engine then treats the
/// signing time as unproven).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeStampError {
    /// The token is not a well-formed ContentInfo/SignedData (RFC 5652 §3, §5.1).
    #[error("time-stamp token: {0}")]
    Cms(#[from] CmsError),
    /// The encapsulated content type is not id-ct-TSTInfo (RFC 3161 §2.4.2).
    #[error("time-stamp token content type is {0}, not id-ct-TSTInfo")]
    NotTstInfo(String),
    /// The token carries no eContent (a token must encapsulate its TSTInfo).
    #[error("time-stamp token has no TSTInfo content")]
    MissingTstInfo,
    /// The TSTInfo does not decode; the text names the field.
    #[error("malformed TSTInfo: {0}")]
    MalformedTstInfo(&'static str),
    /// RFC 3161 §2.4.2 requires exactly one SignerInfo; the count found.
    #[error("time-stamp token has {0} signer infos, not exactly one")]
    SignerCount(usize),
    /// No certificate in the token (or among the extra ones) matches the signer identifier.
    #[error("the TSA certificate is not in the token")]
    TsaCertificateNotFound,
    /// The token's SignerInfo fails the cryptographic check (signature, ESS binding, digest).
    #[error("time-stamp token signature: {0}")]
    Signer(#[from] SignerCryptoError),
    /// Neither ESS signingCertificate nor signingCertificateV2 is present (RFC 3161 §2.4.1,
    /// RFC 5816 §2.2.1).
    #[error("time-stamp token has no ESS signingCertificate(V2) attribute")]
    MissingSigningCertificate,
    /// The messageImprint's hash algorithm is not supported, named by dotted OID.
    #[error("unsupported messageImprint hash algorithm {0}")]
    UnsupportedImprintAlgorithm(String),
    /// The messageImprint is not the digest of the time-stamped signature value.
    #[error("messageImprint does not match the signature value")]
    ImprintMismatch,
    /// The TSA certificate does not parse as one DER X.509 certificate.
    #[error("malformed TSA certificate")]
    MalformedTsaCertificate,
    /// The TSA certificate's extendedKeyUsage is absent or is not exactly id-kp-timeStamping
    /// (RFC 3161 §2.3).
    #[error("the TSA certificate's extendedKeyUsage is not exactly id-kp-timeStamping")]
    NotTimeStampingCertificate,
}
