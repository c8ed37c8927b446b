//! Errors of the path layer: adding certificates to a store, and building/validating a path.

use crate::crypto::CryptoError;
use crate::path::fingerprint::Fingerprint;
use crate::verdict::SubIndication;

/// Why a certificate could not be added to a [`CertificateStore`](crate::path::CertificateStore)
/// or taken as an end entity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes are not one DER X.509 certificate (RFC 5280 §4.1).
    #[error("malformed certificate: {0}")]
    Malformed(String),
    /// The signature AlgorithmIdentifier inside tbsCertificate differs from the outer one
    /// (RFC 5280 §4.1.1.2 requires them to be equal).
    #[error("tbsCertificate signature algorithm differs from the certificate's")]
    SignatureAlgorithmMismatch,
}

/// Where a certificate sits on a path (for error reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Position {
    /// The end entity (index 0).
    EndEntity,
    /// An intermediate CA at this index (1 = the end entity's issuer).
    Intermediate(usize),
    /// The trust anchor (last on the path) at this index.
    TrustAnchor(usize),
}

/// Why no valid path from an end entity to a trust anchor was found (RFC 5280 §6).
///
/// [`sub_indication`](Self::sub_indication) gives the ETSI EN 319 102-1 sub-indication.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The end-entity certificate does not parse.
    #[error("end-entity certificate: {0}")]
    EndEntity(CertificateError),
    /// No certificate in the store has a subject equal to the end entity's issuer.
    #[error("no issuer found for the end-entity certificate")]
    NoIssuerFound,
    /// Issuer candidates existed, but none led to a trust anchor (names matched, signatures
    /// did not, or the chain ended at an untrusted certificate).
    #[error("no path to a trust anchor ({rejected_signatures} candidate signatures rejected)")]
    NoPathToTrustAnchor {
        /// How many (certificate, candidate issuer) signatures did not verify.
        rejected_signatures: usize,
    },
    /// The only paths found were longer than the depth limit.
    #[error("path longer than the limit of {max_depth} certificates")]
    PathTooLong {
        /// The limit.
        max_depth: usize,
    },
    /// The budget of signature verifications was used up before the search ended.
    #[error("signature verification budget of {budget} exhausted")]
    BudgetExhausted {
        /// The budget.
        budget: usize,
    },
    /// A certificate's signature algorithm (or its issuer's key) cannot be verified here, and
    /// no other path was found.
    #[error("certificate {certificate} has an unusable signature algorithm: {error}")]
    UnsupportedSignatureAlgorithm {
        /// The certificate whose signature could not be checked.
        certificate: Fingerprint,
        /// Why.
        error: CryptoError,
    },
    /// The end entity's notAfter is before the validation time (RFC 5280 §6.1.3 (a)(2)).
    #[error("end-entity certificate expired")]
    EndEntityExpired,
    /// The end entity's notBefore is after the validation time.
    #[error("end-entity certificate not yet valid")]
    EndEntityNotYetValid,
    /// A CA certificate (intermediate or trust anchor) is outside its validity period.
    #[error("CA certificate at {position:?} is {}", if *.expired { "expired" } else { "not yet valid" })]
    CaOutsideValidity {
        /// Which certificate.
        position: Position,
        /// `true`: expired; `false`: not yet valid.
        expired: bool,
    },
    /// An issuing certificate lacks basicConstraints cA=TRUE (RFC 5280 §6.1.4 (k)).
    #[error("issuer at {position:?} is not a CA")]
    NotCa {
        /// Which certificate.
        position: Position,
    },
    /// A pathLenConstraint is exceeded (RFC 5280 §6.1.4 (l), (m)).
    #[error("pathLenConstraint of the certificate at {position:?} exceeded")]
    PathLenExceeded {
        /// The certificate whose constraint is exceeded.
        position: Position,
    },
    /// An issuing certificate has keyUsage without keyCertSign (RFC 5280 §6.1.4 (n)).
    #[error("issuer at {position:?} lacks keyCertSign")]
    MissingKeyCertSign {
        /// Which certificate.
        position: Position,
    },
    /// A certificate has a critical extension this layer does not process
    /// (RFC 5280 §6.1.3/§6.1.4 (o)).
    #[error("unknown critical extension {oid} in the certificate at {position:?}")]
    UnknownCriticalExtension {
        /// Which certificate.
        position: Position,
        /// The extension OID, dotted.
        oid: String,
    },
}

impl PathError {
    /// The ETSI EN 319 102-1 sub-indication for this outcome.
    ///
    /// - no issuer / no path to an anchor → `NO_CERTIFICATE_CHAIN_FOUND`;
    /// - not a CA, pathLen exceeded, no keyCertSign, unknown critical extension →
    ///   `CHAIN_CONSTRAINTS_FAILURE`;
    /// - budget exhausted, path too long, a CA outside its validity (ETSI has no dedicated
    ///   sub-indication for it without revocation/POE context), a malformed end entity →
    ///   `CERTIFICATE_CHAIN_GENERAL_FAILURE`;
    /// - end entity expired → `OUT_OF_BOUNDS_NO_POE` (the engine refines it with proofs of
    ///   existence and revocation data); not yet valid → `NOT_YET_VALID`;
    /// - an unusable signature algorithm on a certificate → `CRYPTO_CONSTRAINTS_FAILURE`
    ///   (the algorithm is not acceptable for this engine, as for a policy-rejected one).
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            Self::NoIssuerFound | Self::NoPathToTrustAnchor { .. } => {
                SubIndication::NoCertificateChainFound
            }
            Self::NotCa { .. }
            | Self::PathLenExceeded { .. }
            | Self::MissingKeyCertSign { .. }
            | Self::UnknownCriticalExtension { .. } => SubIndication::ChainConstraintsFailure,
            Self::EndEntity(_)
            | Self::PathTooLong { .. }
            | Self::BudgetExhausted { .. }
            | Self::CaOutsideValidity { .. } => SubIndication::CertificateChainGeneralFailure,
            Self::UnsupportedSignatureAlgorithm { .. } => SubIndication::CryptoConstraintsFailure,
            Self::EndEntityExpired => SubIndication::OutOfBoundsNoPoe,
            Self::EndEntityNotYetValid => SubIndication::NotYetValid,
        }
    }
}
