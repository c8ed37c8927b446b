//! What a CRL's signature covers (RFC 5280 §5.1.1.3: the DER tbsCertList), kept from the
//! load until the signature checks against issuer certificates (§6.3.3 (f)).
//!
//! A signature whose algorithm is verified from a digest (RSA PKCS#1 v1.5 and GOST, NCA's
//! CRLs: `crypto::digest_of_signature`) keeps only that digest, computed at load: the
//! tbsCertList, as large as the CRL, is not kept. ring verifies ECDSA, Ed25519 and RSASSA-PSS
//! from whole messages only, so for those the tbsCertList stays.

use crate::cms::AlgorithmIdentifier;
use crate::crypto::{self, CryptoError, DigestAlgorithm, SignatureAlgorithm};

/// The signed bytes, or their digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Covered {
    /// The tbsCertList.
    Message(Vec<u8>),
    /// Its digest under `algorithm`.
    Digest {
        algorithm: DigestAlgorithm,
        digest: Vec<u8>,
    },
}

impl Covered {
    /// The tbsCertList `tbs` of a CRL signed with `signature_algorithm`: its digest when the
    /// algorithm is verified from one, else the bytes.
    pub(crate) fn new(tbs: &[u8], signature_algorithm: Option<&AlgorithmIdentifier<'_>>) -> Self {
        match signature_algorithm.and_then(crypto::digest_of_signature) {
            Some(algorithm) => Self::Digest {
                algorithm,
                digest: algorithm.digest(tbs),
            },
            None => Self::Message(tbs.to_vec()),
        }
    }

    /// `crypto::verify_signature` of `signature` over the tbsCertList, or
    /// `crypto::verify_signature_digest` over its digest.
    pub(crate) fn verify(
        &self,
        resolved: &SignatureAlgorithm,
        public_key: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        match self {
            Self::Message(tbs) => crypto::verify_signature(resolved, public_key, tbs, signature),
            Self::Digest { algorithm, digest } => {
                crypto::verify_signature_digest(resolved, public_key, *algorithm, digest, signature)
            }
        }
    }

    /// The heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        match self {
            Self::Message(bytes) | Self::Digest { digest: bytes, .. } => bytes.capacity(),
        }
    }
}
