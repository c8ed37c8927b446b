//! What a CRL's signature covers (RFC 5280 §5.1.1.3: the DER tbsCertList), kept from the
//! load until the signature checks against issuer certificates (§6.3.3 (f)).
//!
//! ring verifies whole messages only, so for RSA, ECDSA and Ed25519 the tbsCertList stays, as
//! large as the CRL. A signature whose algorithm signs a digest this crate can take (GOST,
//! NCA's CRLs: `crypto::accepts_digest`) is checked from the digest: the first check hashes
//! the tbsCertList, keeps the digest and drops the bytes, and every later check (another
//! issuer certificate with the same name) uses the digest. The verdicts are those of hashing
//! the bytes each time.

use std::sync::{Mutex, MutexGuard};

use crate::crypto::{self, CryptoError, DigestAlgorithm, SignatureAlgorithm};

/// The signed bytes, or their digest once a check could use it.
#[derive(Debug)]
pub(crate) struct Covered(Mutex<State>);

#[derive(Debug, Clone)]
enum State {
    /// The tbsCertList.
    Message(Vec<u8>),
    /// Its digest under `algorithm`.
    Digest {
        algorithm: DigestAlgorithm,
        digest: Vec<u8>,
    },
}

impl Clone for Covered {
    fn clone(&self) -> Self {
        Self(Mutex::new(self.lock().clone()))
    }
}

impl Covered {
    /// The tbsCertList bytes.
    pub(crate) fn new(tbs: &[u8]) -> Self {
        Self(Mutex::new(State::Message(tbs.to_vec())))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `crypto::verify_signature` of `signature` over the tbsCertList.
    pub(crate) fn verify(
        &self,
        resolved: &SignatureAlgorithm,
        public_key: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let mut state = self.lock();
        if let State::Message(tbs) = &*state {
            let Some(algorithm) = resolved
                .digest
                .filter(|&d| crypto::accepts_digest(resolved, d))
            else {
                return crypto::verify_signature(resolved, public_key, tbs, signature);
            };
            *state = State::Digest {
                algorithm,
                digest: algorithm.digest(tbs),
            };
        }
        match &*state {
            State::Digest { algorithm, digest } => {
                crypto::verify_signature_digest(resolved, public_key, *algorithm, digest, signature)
            }
            // Replaced just above.
            State::Message(_) => Err(CryptoError::DigestNotAccepted),
        }
    }

    /// The heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        match &*self.lock() {
            State::Message(bytes) | State::Digest { digest: bytes, .. } => bytes.capacity(),
        }
    }
}
