//! The cryptographic layer: "do these bytes verify under this key with this algorithm",
//! "which algorithm is this", "does the content hash match". Below path validation and
//! policy, and free of time, validity and policy logic (`docs/verifier.md`, "The pipeline"):
//! a SHA-1 or RSA-1024 signature that verifies is a success whose facts say so, for the policy
//! layer to judge.
//!
//! - [`resolve`]: signature AlgorithmIdentifier + the signer's
//!   SubjectPublicKeyInfo → [`SignatureAlgorithm`] (RSA PKCS#1 v1.5 and PSS through ring,
//!   RFC 8017 / RFC 4055, and PSS with other salt lengths than the hash's on crypto-bigint;
//!   ECDSA P-256/P-384, RFC 5758 / RFC 3279; Ed25519, RFC 8410; NCA GOST
//!   through [`crate::gost`]); unknown algorithms are errors naming the OID;
//! - [`verify_signature`] / [`verify_signature_digest`]: the mathematical check, of the whole
//!   message or (GOST, RSA PKCS#1 v1.5: [`digest_of_signature`]) of its digest;
//! - [`DigestAlgorithm`]: SHA-1/224/256/384/512, Streebog-256/512, GOST R 34.11-94, one-shot,
//!   in parts, or incrementally;
//! - [`verify_signer_info`]: one CMS SignerInfo (RFC 5652 §5.4): ESS signing-certificate
//!   binding (RFC 5035), messageDigest against the content or a precomputed digest, and the
//!   signature over the original signed-attribute bytes or over the content.
//!
//! Inside, the value types ([`KeyAlgorithm`], [`SignatureAlgorithm`], ...) live in `types.rs`,
//! below the key decoder (`key.rs`), the algorithm table (`algorithm.rs`) and the errors, so
//! that dependencies run one way (`algorithm.rs` uses `key.rs`, never the reverse). `pss.rs`
//! reads RSASSA-PSS-params; `rsa.rs` verifies the PSS signatures ring cannot (a salt length
//! other than the hash length) with those parameters, and PKCS#1 v1.5 signatures from a
//! digest.
//!
//! ```
//! use qoima_verifier::crypto::{self, Content, DigestAlgorithm};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let cert_der = qoima_verifier::decode_certificate_file(include_bytes!(
//! #     "../../testdata/skarm_kalkan/cms/individual_signer.cer"))?.remove(0).into_owned();
//! # let cms = include_bytes!("../../testdata/skarm_kalkan/cms/individual_detached.der");
//! # let document = include_bytes!("../../testdata/skarm_kalkan/cms/individual_document.txt");
//! let signed_data = qoima_verifier::parse_signed_data(cms)?;
//! let signer = &signed_data.signer_infos[0];
//! // A vault that stored the document knows its digest; the content itself is not needed.
//! let digest = DigestAlgorithm::Streebog512.digest(document);
//! let content = Content::Digest { algorithm: DigestAlgorithm::Streebog512, value: &digest };
//! let facts = crypto::verify_signer_info(signer, &cert_der, content)?;
//! assert_eq!(facts.signature_algorithm.key_bits, 512);
//! # Ok(())
//! # }
//! ```

mod algorithm;
mod digest;
mod error;
mod key;
pub mod oids;
mod pss;
mod rsa;
mod signature;
mod signer;
mod types;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

pub use algorithm::{digest_of_signature, resolve};
pub use digest::{DigestAlgorithm, Hasher};
pub use error::{CryptoError, SignerCryptoError};
pub use signature::{accepts_digest, verify_signature, verify_signature_digest};
pub use signer::{
    Content, SignerCertificate, SignerCryptoFacts, SigningCertificateBinding, resolve_signer,
    verify_signer_certificate, verify_signer_info, verify_signer_signature,
};
pub use types::{EcCurve, KeyAlgorithm, SignatureAlgorithm, SignatureScheme};
