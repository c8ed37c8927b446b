//! Errors of the cryptographic layer.

use crate::crypto::types::{KeyAlgorithm, SignatureAlgorithm};
use crate::verdict::SubIndication;

/// Why an algorithm could not be resolved or a signature did not verify
/// ([`resolve`](crate::crypto::resolve), [`verify_signature`](crate::crypto::verify_signature)).
///
/// OIDs are given in dotted form. Nothing here is secret: every input is public.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The algorithm (signature, digest, key or curve) is not one this layer verifies.
    #[error("unsupported {what} algorithm {oid}")]
    UnsupportedAlgorithm {
        /// What the OID names: "signature", "digest", "public key", "elliptic curve", ...
        what: &'static str,
        /// The OID, dotted.
        oid: String,
    },
    /// The algorithm is known but these parameters are not supported (RFC 4055 PSS parameters
    /// with a hash other than SHA-256/384/512, an MGF1 hash other than the message hash, or a
    /// mask generation function other than MGF1).
    #[error("unsupported parameters for {oid}: {reason}")]
    UnsupportedParameters {
        /// The algorithm OID, dotted.
        oid: String,
        /// What is not supported.
        reason: &'static str,
    },
    /// The algorithm's parameters do not parse.
    #[error("malformed parameters for {oid}")]
    MalformedParameters {
        /// The algorithm OID, dotted.
        oid: String,
    },
    /// The key's size is outside what any available verifier for this algorithm accepts
    /// (RSA below 1024 or above 8192 bits; RSA-PSS or RSA with SHA-384 below 2048 bits).
    #[error("{key:?} key of {bits} bits cannot be verified with this algorithm")]
    UnsupportedKeySize {
        /// The key algorithm.
        key: KeyAlgorithm,
        /// The key size in bits.
        bits: u32,
    },
    /// The signature algorithm does not fit the key (for example ECDSA with an RSA key).
    #[error("signature algorithm {signature} does not fit a {key} key")]
    KeyAlgorithmMismatch {
        /// The signature algorithm OID, dotted.
        signature: String,
        /// The public key algorithm OID, dotted.
        key: String,
    },
    /// The public key does not decode for its algorithm.
    #[error("malformed public key: {0}")]
    MalformedKey(&'static str),
    /// The algorithm is recognised but no implementation here can check it (ECDSA with SHA-1):
    /// the facts are given so that a policy can reject it by name.
    #[error("{0:?} is recognised but cannot be verified")]
    NotVerifiable(SignatureAlgorithm),
    /// A precomputed digest was given to an algorithm that only verifies whole messages (every
    /// one but GOST), or a digest of the wrong algorithm or length.
    #[error("this algorithm cannot verify a precomputed digest")]
    DigestNotAccepted,
    /// The signature does not verify: wrong key, wrong message, or a malformed value.
    #[error("signature does not verify")]
    BadSignature,
}

/// Why one CMS SignerInfo failed the cryptographic check
/// ([`verify_signer_info`](crate::crypto::verify_signer_info)). The ETSI EN 319 102-1
/// sub-indication a report would use is noted on each variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerCryptoError {
    /// The candidate signer certificate does not parse as one DER X.509 certificate.
    #[error("malformed signer certificate")]
    MalformedCertificate,
    /// The signature, digest or key algorithm is not supported, named by OID
    /// (`CRYPTO_CONSTRAINTS_FAILURE` or `FORMAT_FAILURE`, depending on policy).
    #[error("unsupported {what} algorithm {oid}")]
    UnsupportedAlgorithm {
        /// What the OID names: "signature", "digest", "public key", ...
        what: &'static str,
        /// The OID, dotted.
        oid: String,
    },
    /// The algorithm is known but not with these parameters or this key size, or the
    /// signature algorithm does not fit the key; the inner error says which.
    #[error(transparent)]
    UnsupportedCombination(CryptoError),
    /// The signer's public key does not decode (`SIG_CRYPTO_FAILURE`).
    #[error("malformed public key: {0}")]
    MalformedKey(&'static str),
    /// Recognised but unverifiable (ECDSA with SHA-1); carries the facts for the policy layer
    /// (`CRYPTO_CONSTRAINTS_FAILURE`).
    #[error("{0:?} is recognised but cannot be verified")]
    NotVerifiable(SignatureAlgorithm),
    /// The detached signature's content was not supplied (`SIGNED_DATA_NOT_FOUND`).
    #[error("the signed content is missing (detached signature)")]
    ContentMissing,
    /// A precomputed digest was supplied but this signature needs the content itself: the
    /// digest's algorithm differs from the SignerInfo's, or there are no signed attributes
    /// and the algorithm only verifies whole messages (`SIGNED_DATA_NOT_FOUND` until the
    /// content is supplied).
    #[error("the content itself is needed: {0}")]
    ContentRequired(&'static str),
    /// The messageDigest attribute differs from the digest of the content (`HASH_FAILURE`).
    #[error("messageDigest does not match the content")]
    ContentHashMismatch,
    /// The signature value does not verify over the signed attributes or content under the
    /// certificate's key (`SIG_CRYPTO_FAILURE`).
    #[error("signature does not verify")]
    SignatureInvalid,
    /// The ESS signingCertificate(V2) attribute does not identify this certificate
    /// (RFC 2634 §5.4, RFC 5035 §3–4: a different or substituted certificate).
    #[error("{attribute} attribute does not match the certificate's {field}")]
    SigningCertificateMismatch {
        /// "signingCertificate" or "signingCertificateV2".
        attribute: &'static str,
        /// "certHash", "issuer" or "serialNumber".
        field: &'static str,
    },
}

impl From<CryptoError> for SignerCryptoError {
    fn from(error: CryptoError) -> Self {
        match error {
            CryptoError::UnsupportedAlgorithm { what, oid } => {
                Self::UnsupportedAlgorithm { what, oid }
            }
            CryptoError::MalformedKey(why) => Self::MalformedKey(why),
            CryptoError::NotVerifiable(algorithm) => Self::NotVerifiable(algorithm),
            CryptoError::BadSignature => Self::SignatureInvalid,
            CryptoError::DigestNotAccepted => {
                Self::ContentRequired("the algorithm cannot verify a precomputed digest")
            }
            other @ (CryptoError::UnsupportedParameters { .. }
            | CryptoError::MalformedParameters { .. }
            | CryptoError::UnsupportedKeySize { .. }
            | CryptoError::KeyAlgorithmMismatch { .. }) => Self::UnsupportedCombination(other),
        }
    }
}

impl SignerCryptoError {
    /// The ETSI EN 319 102-1 sub-indication of this failure (§5.2.3 identification of the
    /// signing certificate, §5.2.7 cryptographic verification, §5.2.8 acceptance).
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            Self::MalformedCertificate => SubIndication::FormatFailure,
            // §5.2.3: a signing-certificate attribute that does not identify the certificate
            // means the signing certificate could not be identified.
            Self::SigningCertificateMismatch { .. } => SubIndication::NoSigningCertificateFound,
            Self::UnsupportedAlgorithm { .. }
            | Self::UnsupportedCombination(_)
            | Self::NotVerifiable(_) => SubIndication::CryptoConstraintsFailure,
            Self::MalformedKey(_) | Self::SignatureInvalid => SubIndication::SigCryptoFailure,
            Self::ContentMissing | Self::ContentRequired(_) => SubIndication::SignedDataNotFound,
            Self::ContentHashMismatch => SubIndication::HashFailure,
        }
    }
}
