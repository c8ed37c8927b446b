//! The algorithm table: from a signature AlgorithmIdentifier and the signer's
//! SubjectPublicKeyInfo to a resolved [`SignatureAlgorithm`].
//!
//! | signatureAlgorithm | key | hash | verified with |
//! |---|---|---|---|
//! | sha{1,256,384,512}WithRSAEncryption (RFC 8017, RFC 4055 §5) | rsaEncryption | from the OID | ring `RSA_PKCS1_*` |
//! | rsaEncryption (RFC 3370 §3.2, the CMS form) | rsaEncryption | the SignerInfo digestAlgorithm | ring `RSA_PKCS1_*` |
//! | id-RSASSA-PSS (RFC 4055 §3.1) | rsaEncryption or id-RSASSA-PSS | SHA-256/384/512, MGF1 same hash, any salt length | salt = hash length: ring `RSA_PSS_2048_8192_*`; other salts: RSAVP1 + EMSA-PSS-VERIFY in `rsa.rs` |
//! | ecdsa-with-SHA{256,384} (RFC 5758 §3.2) | id-ecPublicKey P-256/P-384 | from the OID | ring `ECDSA_P{256,384}_SHA{256,384}_ASN1` |
//! | id-ecPublicKey (CMS form) | id-ecPublicKey | the digestAlgorithm | as above |
//! | ecdsa-with-SHA1 (RFC 3279 §2.2.3) | id-ecPublicKey | SHA-1 | recognised, not verifiable ([`CryptoError::NotVerifiable`]) |
//! | id-Ed25519 (RFC 8410 §3, RFC 8419) | id-Ed25519 | none (PureEdDSA) | ring `ED25519` |
//! | NCA GOST OIDs | the matching GOST key | Streebog-512 / GOST 94 | [`crate::gost`] |
//!
//! RSA keys of 1024–2047 bits verify with ring's `RSA_PKCS1_1024_8192_*_FOR_LEGACY_USE_ONLY`
//! (SHA-1, SHA-256, SHA-512) so that a policy can say "valid, but the key is only N bits";
//! SHA-1 with keys of 2048+ bits uses `RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY`. Whether
//! such signatures are acceptable is not decided here.

use ring::signature as rs;

use crate::cms::AlgorithmIdentifier;
use crate::crypto::CryptoError;
use crate::crypto::digest::DigestAlgorithm;
use crate::crypto::key::PublicKeyInfo;
use crate::crypto::oids;
use crate::crypto::pss::PssParameters;
use crate::crypto::types::{EcCurve, KeyAlgorithm, SignatureAlgorithm, SignatureScheme};
use crate::gost::GostAlgorithm;
use crate::oid::Oid;

/// The ring RSA verifiers span 1024 (legacy) or 2048 bits up to 8192.
const RSA_MAX_BITS: u32 = 8192;

// The ring column of the table. An impl here rather than in `types.rs`: it answers with a
// `CryptoError`, and `error.rs` uses the types, so `types.rs` stays below `error.rs`.
impl SignatureAlgorithm {
    /// The ring verifier for this algorithm, or an error when ring has none for this
    /// combination (GOST is not ring's: see [`Self::gost`]).
    pub(crate) fn ring_algorithm(
        &self,
    ) -> Result<&'static dyn rs::VerificationAlgorithm, CryptoError> {
        use DigestAlgorithm as D;
        let size = || CryptoError::UnsupportedKeySize {
            key: self.key,
            bits: self.key_bits,
        };
        match self.scheme {
            SignatureScheme::RsaPkcs1v15 => {
                if self.key_bits > RSA_MAX_BITS || self.key_bits < 1024 {
                    return Err(size());
                }
                let full = self.key_bits >= 2048;
                Ok(match (self.digest, full) {
                    (Some(D::Sha1), true) => &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    (Some(D::Sha1), false) => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    (Some(D::Sha256), true) => &rs::RSA_PKCS1_2048_8192_SHA256,
                    (Some(D::Sha256), false) => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    (Some(D::Sha384), true) => &rs::RSA_PKCS1_2048_8192_SHA384,
                    (Some(D::Sha512), true) => &rs::RSA_PKCS1_2048_8192_SHA512,
                    (Some(D::Sha512), false) => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                    (Some(D::Sha384), false) => return Err(size()),
                    (digest, _) => return Err(unsupported_digest(digest)),
                })
            }
            // The ring verifier of the hash also answers for the key size and the hash when
            // another salt length is verified by `rsa.rs` (see `pss_beyond_ring`).
            SignatureScheme::RsaPss { .. } => {
                if !(2048..=RSA_MAX_BITS).contains(&self.key_bits) {
                    return Err(size());
                }
                Ok(match self.digest {
                    Some(D::Sha256) => &rs::RSA_PSS_2048_8192_SHA256,
                    Some(D::Sha384) => &rs::RSA_PSS_2048_8192_SHA384,
                    Some(D::Sha512) => &rs::RSA_PSS_2048_8192_SHA512,
                    digest => return Err(unsupported_digest(digest)),
                })
            }
            SignatureScheme::Ecdsa => Ok(match (self.key, self.digest) {
                (KeyAlgorithm::Ec(EcCurve::P256), Some(D::Sha256)) => &rs::ECDSA_P256_SHA256_ASN1,
                (KeyAlgorithm::Ec(EcCurve::P256), Some(D::Sha384)) => &rs::ECDSA_P256_SHA384_ASN1,
                (KeyAlgorithm::Ec(EcCurve::P384), Some(D::Sha256)) => &rs::ECDSA_P384_SHA256_ASN1,
                (KeyAlgorithm::Ec(EcCurve::P384), Some(D::Sha384)) => &rs::ECDSA_P384_SHA384_ASN1,
                (_, Some(D::Sha1)) => return Err(CryptoError::NotVerifiable(*self)),
                (_, digest) => return Err(unsupported_digest(digest)),
            }),
            SignatureScheme::Ed25519 => Ok(&rs::ED25519),
            SignatureScheme::Gost(_) => Err(CryptoError::UnsupportedAlgorithm {
                what: "ring signature",
                oid: "GOST".to_owned(),
            }),
        }
    }
}

fn unsupported_digest(digest: Option<DigestAlgorithm>) -> CryptoError {
    CryptoError::UnsupportedAlgorithm {
        what: "digest (for this signature scheme)",
        oid: digest.map_or_else(|| "none".to_owned(), |d| d.oid().to_string()),
    }
}

/// Resolves how to verify a signature made with `signature_alg` by the holder of the key in
/// `spki` (x509-parser's decoded SubjectPublicKeyInfo, typically `certificate.public_key()`).
///
/// `digest_alg` is the CMS SignerInfo digestAlgorithm (RFC 5652 §5.3). It is consulted only
/// when `signature_alg` names a key algorithm rather than a signature algorithm
/// (rsaEncryption per RFC 3370 §3.2, or id-ecPublicKey); pass `None` for certificates and
/// CRLs.
///
/// Unknown algorithms are errors naming the OID, never a success. A recognised combination
/// that ring cannot verify mathematically (ECDSA with SHA-1) resolves, and
/// [`verify_signature`](crate::crypto::verify_signature) then answers
/// [`CryptoError::NotVerifiable`].
pub fn resolve(
    signature_alg: &AlgorithmIdentifier<'_>,
    digest_alg: Option<&AlgorithmIdentifier<'_>>,
    spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>,
) -> Result<SignatureAlgorithm, CryptoError> {
    let key = PublicKeyInfo::from_der(spki.raw)?;
    resolve_key(signature_alg, digest_alg, &key)
}

pub(crate) fn resolve_key(
    signature_alg: &AlgorithmIdentifier<'_>,
    digest_alg: Option<&AlgorithmIdentifier<'_>>,
    key: &PublicKeyInfo<'_>,
) -> Result<SignatureAlgorithm, CryptoError> {
    let oid = signature_alg.algorithm;
    let mismatch = || CryptoError::KeyAlgorithmMismatch {
        signature: oid.to_string(),
        key: key.algorithm_id.algorithm.to_string(),
    };
    let digest_from_signer_info = || -> Result<DigestAlgorithm, CryptoError> {
        let digest_alg = digest_alg.ok_or_else(|| CryptoError::UnsupportedAlgorithm {
            what: "signature (needs a SignerInfo digestAlgorithm)",
            oid: oid.to_string(),
        })?;
        DigestAlgorithm::from_algorithm_identifier(digest_alg)
    };
    let absent_or_null = || {
        if signature_alg.parameters_absent_or_null() {
            Ok(())
        } else {
            Err(CryptoError::MalformedParameters {
                oid: oid.to_string(),
            })
        }
    };

    let (scheme, digest) = if let Some(digest) = rsa_pkcs1_digest(oid) {
        // RFC 4055 §5: parameters NULL (absent tolerated, as RFC 8017 appendix C notes).
        absent_or_null()?;
        if key.algorithm != KeyAlgorithm::Rsa {
            return Err(mismatch());
        }
        (SignatureScheme::RsaPkcs1v15, Some(digest))
    } else if oid == oids::RSA_ENCRYPTION {
        absent_or_null()?;
        if key.algorithm != KeyAlgorithm::Rsa {
            return Err(mismatch());
        }
        (
            SignatureScheme::RsaPkcs1v15,
            Some(digest_from_signer_info()?),
        )
    } else if oid == oids::RSASSA_PSS {
        if !matches!(key.algorithm, KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss) {
            return Err(mismatch());
        }
        // RFC 4055 §3.1: the signature's parameters MUST be present.
        let parameters =
            signature_alg
                .parameters
                .ok_or_else(|| CryptoError::MalformedParameters {
                    oid: oid.to_string(),
                })?;
        let pss = PssParameters::from_der(parameters, oid)?;
        check_pss_supported(&pss, oid)?;
        if let Some(restrictions) = key.pss_restrictions {
            // RFC 4055 §3.3: same hash and MGF, salt at least the key's.
            if restrictions.hash != pss.hash
                || restrictions.mgf1_hash != pss.mgf1_hash
                || restrictions.salt_len > pss.salt_len
            {
                return Err(CryptoError::UnsupportedParameters {
                    oid: oid.to_string(),
                    reason: "signature parameters violate the key's RSASSA-PSS restrictions",
                });
            }
        }
        (
            SignatureScheme::RsaPss {
                salt_len: pss.salt_len,
            },
            Some(pss.hash),
        )
    } else if let Some(digest) = ecdsa_digest(oid) {
        // RFC 5758 §3.2: parameters MUST be absent (NULL tolerated).
        absent_or_null()?;
        if !matches!(key.algorithm, KeyAlgorithm::Ec(_)) {
            return Err(mismatch());
        }
        (SignatureScheme::Ecdsa, Some(digest))
    } else if oid == oids::EC_PUBLIC_KEY {
        if !matches!(key.algorithm, KeyAlgorithm::Ec(_)) {
            return Err(mismatch());
        }
        (SignatureScheme::Ecdsa, Some(digest_from_signer_info()?))
    } else if oid == oids::ED25519 {
        // RFC 8410 §3: parameters MUST be absent.
        if signature_alg.parameters.is_some() {
            return Err(CryptoError::MalformedParameters {
                oid: oid.to_string(),
            });
        }
        if key.algorithm != KeyAlgorithm::Ed25519 {
            return Err(mismatch());
        }
        (SignatureScheme::Ed25519, None)
    } else if let Some(gost) = GostAlgorithm::from_signature_oid(oid) {
        absent_or_null()?;
        if key.algorithm != KeyAlgorithm::Gost(gost) {
            return Err(mismatch());
        }
        (
            SignatureScheme::Gost(gost),
            Some(DigestAlgorithm::from(gost.digest_algorithm())),
        )
    } else {
        return Err(CryptoError::UnsupportedAlgorithm {
            what: "signature",
            oid: oid.to_string(),
        });
    };

    let resolved = SignatureAlgorithm {
        scheme,
        digest,
        key: key.algorithm,
        key_bits: key.bits,
    };
    if resolved.gost().is_none() {
        match resolved.ring_algorithm() {
            Ok(_) | Err(CryptoError::NotVerifiable(_)) => {}
            Err(CryptoError::UnsupportedAlgorithm { what, .. }) => {
                // A known hash the scheme cannot use (SHA-224 with RSA, SHA-512 with ECDSA,
                // a GOST digest with rsaEncryption): name the signature OID.
                return Err(CryptoError::UnsupportedAlgorithm {
                    what,
                    oid: match digest {
                        Some(d) => format!("{oid} with {}", d.oid()),
                        None => oid.to_string(),
                    },
                });
            }
            Err(other) => return Err(other),
        }
    }
    Ok(resolved)
}

/// The digest from which a signature of `signature_alg` (a certificate's or CRL's
/// signatureAlgorithm) is verified by
/// [`verify_signature_digest`](crate::crypto::verify_signature_digest), whatever the signer's
/// key: that of sha{1,256,384,512}WithRSAEncryption (RSASSA-PKCS1-v1_5) and of NCA's GOST
/// algorithms, parameters absent or NULL. `None` when the whole message is needed (ECDSA,
/// Ed25519 and RSASSA-PSS go to ring whole) or the algorithm is not one of these; the check
/// itself still resolves the algorithm against the key.
pub fn digest_of_signature(signature_alg: &AlgorithmIdentifier<'_>) -> Option<DigestAlgorithm> {
    let oid = signature_alg.algorithm;
    if !signature_alg.parameters_absent_or_null() {
        return None;
    }
    rsa_pkcs1_digest(oid).or_else(|| {
        GostAlgorithm::from_signature_oid(oid)
            .map(|gost| DigestAlgorithm::from(gost.digest_algorithm()))
    })
}

fn rsa_pkcs1_digest(oid: Oid<'_>) -> Option<DigestAlgorithm> {
    if oid == oids::SHA1_WITH_RSA {
        Some(DigestAlgorithm::Sha1)
    } else if oid == oids::SHA256_WITH_RSA {
        Some(DigestAlgorithm::Sha256)
    } else if oid == oids::SHA384_WITH_RSA {
        Some(DigestAlgorithm::Sha384)
    } else if oid == oids::SHA512_WITH_RSA {
        Some(DigestAlgorithm::Sha512)
    } else {
        None
    }
}

fn ecdsa_digest(oid: Oid<'_>) -> Option<DigestAlgorithm> {
    if oid == oids::ECDSA_WITH_SHA1 {
        Some(DigestAlgorithm::Sha1)
    } else if oid == oids::ECDSA_WITH_SHA256 {
        Some(DigestAlgorithm::Sha256)
    } else if oid == oids::ECDSA_WITH_SHA384 {
        Some(DigestAlgorithm::Sha384)
    } else {
        None
    }
}

/// The RSASSA-PSS parameters verified: SHA-256/384/512 and MGF1 with the same hash (RFC 8017
/// §9.1 and RFC 4055 §3.1 recommend the same hash; a policy judges the one digest the facts
/// name), any salt length. ring verifies salt = hash length; other salt lengths go to `rsa.rs`
/// (`SignatureAlgorithm::pss_beyond_ring`).
fn check_pss_supported(pss: &PssParameters, oid: Oid<'_>) -> Result<(), CryptoError> {
    let unsupported = |reason| CryptoError::UnsupportedParameters {
        oid: oid.to_string(),
        reason,
    };
    if !matches!(
        pss.hash,
        DigestAlgorithm::Sha256 | DigestAlgorithm::Sha384 | DigestAlgorithm::Sha512
    ) {
        return Err(unsupported("hash is not SHA-256, SHA-384 or SHA-512"));
    }
    if pss.mgf1_hash != pss.hash {
        return Err(unsupported("MGF1 hash differs from the message hash"));
    }
    Ok(())
}

impl SignatureAlgorithm {
    /// The RSASSA-PSS parameters of a signature that ring cannot verify: a salt length other
    /// than the hash length (ring's PSS verifiers take only that one, RFC 8017 §9.1's
    /// recommendation). `None` for every other algorithm.
    pub(crate) fn pss_beyond_ring(&self) -> Option<PssParameters> {
        let SignatureScheme::RsaPss { salt_len } = self.scheme else {
            return None;
        };
        let hash = self.digest?;
        (usize::try_from(salt_len).ok() != Some(hash.output_len())).then_some(PssParameters {
            hash,
            mgf1_hash: hash,
            salt_len,
        })
    }
}

/// Digest AlgorithmIdentifiers, here with the other identifiers this table resolves (so that
/// `digest.rs`, a value type, needs no error type).
impl DigestAlgorithm {
    /// The algorithm of a digest AlgorithmIdentifier. Its parameters must be absent or NULL
    /// (RFC 5754 §2, RFC 3370 §2.1; NCA writes NULL for its GOST digests).
    pub fn from_algorithm_identifier(alg: &AlgorithmIdentifier<'_>) -> Result<Self, CryptoError> {
        let digest =
            Self::from_oid(alg.algorithm).ok_or_else(|| CryptoError::UnsupportedAlgorithm {
                what: "digest",
                oid: alg.algorithm.to_string(),
            })?;
        if !alg.parameters_absent_or_null() {
            return Err(CryptoError::MalformedParameters {
                oid: alg.algorithm.to_string(),
            });
        }
        Ok(digest)
    }
}
