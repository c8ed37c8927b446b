//! X.509 certification path building and validation at a validation time (RFC 5280 §6,
//! simplified: no policy tree, no name constraints; RFC 4158 for the search).
//!
//! - [`CertificateStore`]: trust anchors and untrusted intermediates, deduplicated by SHA-256
//!   [`Fingerprint`], indexed by raw subject Name and subjectKeyIdentifier;
//! - [`build_path`]: depth-first search from an end entity to a trust anchor; every issuer
//!   candidate's key must verify the child's signature (through [`crate::crypto`]), so a
//!   look-alike CA with the same name and another key never enters a path; loop detection,
//!   a depth limit and a budget of signature verifications ([`Limits`]);
//! - per-certificate validation of the found path: validity periods, basicConstraints cA,
//!   pathLenConstraint, keyUsage keyCertSign, unknown critical extensions (NCA's critical
//!   extendedKeyUsage is known and passes);
//! - [`ValidatedPath`] or a [`PathError`] whose
//!   [`sub_indication`](PathError::sub_indication) is the ETSI EN 319 102-1 sub-indication.
//!
//! Trust anchors are trusted by configuration: their own signature is not checked (not even a
//! self-signature: it proves nothing an operator's choice does not) and their extensions are
//! not processed (RFC 5280 §6.1.1 (d): the anchor is input, not part of the path); their
//! validity period is checked, as OpenSSL does. A CA outside its validity period gives
//! `CERTIFICATE_CHAIN_GENERAL_FAILURE`, an end entity's expiry `OUT_OF_BOUNDS_NO_POE` (for the
//! engine to refine with proofs of existence), an unusable signature algorithm on a
//! certificate `CRYPTO_CONSTRAINTS_FAILURE` (see [`PathError::sub_indication`]).
//!
//! Each certificate signature is verified at most once per [`build_path`] call. Caching
//! across documents (a path's status is the same for every document it signs:
//! `docs/verifier.md`, "The pipeline") is the engine's job: `build_path` is pure and
//! deterministic, and [`ValidatedPath`] carries the fingerprints to key such a cache with (plus
//! the validation time).
//!
//! Data flows one way: this module uses `crypto`, `ber` and `cms::AlgorithmIdentifier`;
//! nothing below uses it.

mod build;
mod cert;
mod error;
mod fingerprint;
mod store;
mod validate;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

use std::sync::Arc;

use crate::crypto::SignatureAlgorithm;

pub use build::{build_path, build_path_with, issued_by_algorithm};
pub use cert::Certificate;
pub use error::{CertificateError, PathError, Position};
pub use fingerprint::Fingerprint;
pub use store::CertificateStore;

/// Bounds on the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most certificates a path may hold, end entity and trust anchor included.
    pub max_depth: usize,
    /// The most signature verifications one [`build_path`] call may do.
    pub max_signature_checks: usize,
}

impl Limits {
    /// Limits with these values.
    pub const fn new(max_depth: usize, max_signature_checks: usize) -> Self {
        Self {
            max_depth,
            max_signature_checks,
        }
    }
}

impl Default for Limits {
    /// 8 certificates, 64 signature verifications.
    fn default() -> Self {
        Self::new(8, 64)
    }
}

/// A path that validated: end entity first, trust anchor last.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidatedPath {
    /// The certificates, end entity first, trust anchor last.
    pub certificates: Vec<Arc<Certificate>>,
    /// Their SHA-256 fingerprints, in the same order (a cache key for the engine).
    pub fingerprints: Vec<Fingerprint>,
    /// The algorithm of each certificate's signature under the next one's key: one fewer
    /// than the certificates (the trust anchor's own signature is not checked).
    pub signature_algorithms: Vec<SignatureAlgorithm>,
    /// How many signatures the search verified.
    pub signature_checks: usize,
}

impl ValidatedPath {
    fn new(
        certificates: Vec<Arc<Certificate>>,
        signature_algorithms: Vec<SignatureAlgorithm>,
        signature_checks: usize,
    ) -> Self {
        let fingerprints = certificates.iter().map(|c| c.fingerprint()).collect();
        Self {
            certificates,
            fingerprints,
            signature_algorithms,
            signature_checks,
        }
    }

    /// Validates this path again at another time `at`: validity periods and constraints, no
    /// signature (they were verified when it was built, and do not depend on time). What a
    /// path cache does on a hit, and what validation with a proof of existence does.
    pub fn revalidate(&self, at: i64) -> Result<(), PathError> {
        validate::validate(&self.certificates, at)
    }

    /// The end-entity certificate.
    pub fn end_entity(&self) -> Option<&Arc<Certificate>> {
        self.certificates.first()
    }

    /// The trust anchor.
    pub fn trust_anchor(&self) -> Option<&Arc<Certificate>> {
        self.certificates.last()
    }
}
