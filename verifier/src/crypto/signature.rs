//! Signature verification under a resolved [`SignatureAlgorithm`].

use crate::crypto::CryptoError;
use crate::crypto::digest::DigestAlgorithm;
use crate::crypto::rsa;
use crate::crypto::types::{SignatureAlgorithm, SignatureScheme};
use crate::gost::{self, GostError};

/// Verifies `signature` over `message` with `public_key`, the subjectPublicKey BIT STRING
/// contents of the key `algorithm` was resolved for (x509-parser's
/// `subject_public_key.data`): an `RSAPublicKey` (RFC 8017 appendix A.1.1), an uncompressed EC
/// point (SEC 1 §2.3.3), 32 Ed25519 bytes (RFC 8410 §4), or NCA's GOST OCTET STRING.
///
/// The signature value is as stored: the RSA octet string (RFC 8017 §8.2.2), a DER
/// `Ecdsa-Sig-Value` (RFC 3279 §2.2.3), 64 Ed25519 bytes, or GOST `r_le || s_le`.
///
/// ring's errors are opaque: for RSA, ECDSA and Ed25519 an invalid key (a point off the curve,
/// an even exponent) is reported as [`CryptoError::BadSignature`] like any failed check.
/// RSASSA-PSS with a salt length other than the hash length is verified here rather than by
/// ring (RFC 8017 §8.1.2, `rsa.rs`); its invalid keys are [`CryptoError::MalformedKey`].
pub fn verify_signature(
    algorithm: &SignatureAlgorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    if let Some(gost) = algorithm.gost() {
        return gost::verify(gost, public_key, message, signature).map_err(gost_error);
    }
    // Also checks the key size and the hash of a PSS signature that `rsa.rs` verifies.
    let ring_algorithm = algorithm.ring_algorithm()?;
    if let Some(pss) = algorithm.pss_beyond_ring() {
        return rsa::verify_pss(pss, public_key, message, signature);
    }
    ring::signature::UnparsedPublicKey::new(ring_algorithm, public_key)
        .verify(message, signature)
        .map_err(|_| CryptoError::BadSignature)
}

/// Verifies `signature` over a message of which only the `digest` (computed with
/// `digest_algorithm`) is known. GOST signatures sign a digest, and RSASSA-PKCS1-v1_5 is
/// verified here from one (RFC 8017 §8.2.2, `rsa.rs`; the same key sizes and hashes as the
/// whole message with ring, and every failure [`CryptoError::BadSignature`] as ring's).
/// Every other algorithm answers [`CryptoError::DigestNotAccepted`] (ring verifies whole
/// messages only), as does a digest of another algorithm than the signature's.
pub fn verify_signature_digest(
    algorithm: &SignatureAlgorithm,
    public_key: &[u8],
    digest_algorithm: DigestAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    if let Some(gost) = algorithm.gost() {
        return if DigestAlgorithm::from(gost.digest_algorithm()) == digest_algorithm
            && digest.len() == digest_algorithm.output_len()
        {
            gost::verify_digest(gost, public_key, digest, signature).map_err(gost_error)
        } else {
            Err(CryptoError::DigestNotAccepted)
        };
    }
    if algorithm.scheme != SignatureScheme::RsaPkcs1v15 {
        return Err(CryptoError::DigestNotAccepted);
    }
    // The key sizes and hashes ring verifies for the whole message (`ring_algorithm`).
    algorithm.ring_algorithm()?;
    if algorithm.digest != Some(digest_algorithm) || digest.len() != digest_algorithm.output_len() {
        return Err(CryptoError::DigestNotAccepted);
    }
    rsa::verify_pkcs1_v1_5_digest(digest_algorithm, public_key, digest, signature)
}

/// Whether [`verify_signature_digest`] can verify `algorithm` from a `digest_algorithm`
/// digest.
pub fn accepts_digest(algorithm: &SignatureAlgorithm, digest_algorithm: DigestAlgorithm) -> bool {
    match algorithm.gost() {
        Some(gost) => DigestAlgorithm::from(gost.digest_algorithm()) == digest_algorithm,
        None => {
            algorithm.scheme == SignatureScheme::RsaPkcs1v15
                && algorithm.digest == Some(digest_algorithm)
        }
    }
}

fn gost_error(error: GostError) -> CryptoError {
    match error {
        GostError::InvalidPublicKey => {
            CryptoError::MalformedKey("GOST public key is not a point of its curve")
        }
        GostError::InvalidDigestLength => CryptoError::DigestNotAccepted,
        _ => CryptoError::BadSignature,
    }
}
