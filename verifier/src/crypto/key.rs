//! SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) decoding: which key algorithm, its parameters, the
//! key bytes a verifier takes, and the key size.

use crate::ber::{Tag, Tlv};
use crate::cms::AlgorithmIdentifier;
use crate::crypto::CryptoError;
use crate::crypto::oids;
use crate::crypto::pss::PssParameters;
use crate::crypto::types::{EcCurve, KeyAlgorithm};
use crate::gost::GostAlgorithm;
use crate::oid::Oid;

/// A decoded SubjectPublicKeyInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PublicKeyInfo<'a> {
    /// The key's AlgorithmIdentifier as encoded.
    pub(crate) algorithm_id: AlgorithmIdentifier<'a>,
    /// The key algorithm.
    pub(crate) algorithm: KeyAlgorithm,
    /// The key size in bits (RSA modulus length, curve size, 256 for Ed25519).
    pub(crate) bits: u32,
    /// The subjectPublicKey BIT STRING contents after the unused-bits octet: what ring and
    /// [`crate::gost`] take.
    pub(crate) key: &'a [u8],
    /// For an id-RSASSA-PSS key with parameters: the restrictions they impose (RFC 4055 §3.1).
    pub(crate) pss_restrictions: Option<PssParameters>,
}

impl<'a> PublicKeyInfo<'a> {
    /// Decodes the complete encoding of a SubjectPublicKeyInfo (x509-parser's
    /// `SubjectPublicKeyInfo::raw`).
    pub(crate) fn from_der(spki: &'a [u8]) -> Result<Self, CryptoError> {
        const BAD: CryptoError = CryptoError::MalformedKey("SubjectPublicKeyInfo does not decode");
        let tlv = Tlv::parse_single(spki).map_err(|_| BAD)?;
        if tlv.tag() != Tag::SEQUENCE {
            return Err(BAD);
        }
        let mut children = tlv.children();
        let algorithm_tlv = children.next_tlv().map_err(|_| BAD)?.ok_or(BAD)?;
        let algorithm_id = AlgorithmIdentifier::from_tlv(algorithm_tlv, "SubjectPublicKeyInfo")
            .map_err(|_| BAD)?;
        let bit_string = children.next_tlv().map_err(|_| BAD)?.ok_or(BAD)?;
        if !children.is_empty() || bit_string.tag() != Tag::BIT_STRING {
            return Err(BAD);
        }
        let key = match bit_string.content() {
            [0, key @ ..] => key,
            _ => {
                return Err(CryptoError::MalformedKey(
                    "subjectPublicKey has unused bits",
                ));
            }
        };
        Self::decode(algorithm_id, key)
    }

    fn decode(algorithm_id: AlgorithmIdentifier<'a>, key: &'a [u8]) -> Result<Self, CryptoError> {
        let oid = algorithm_id.algorithm;
        let mut pss_restrictions = None;
        let (algorithm, bits) = if oid == oids::RSA_ENCRYPTION {
            // RFC 4055 §1.2: the parameters MUST be NULL; absent is tolerated.
            if !algorithm_id.parameters_absent_or_null() {
                return Err(malformed_parameters(oid));
            }
            (KeyAlgorithm::Rsa, rsa_modulus_bits(key)?)
        } else if oid == oids::RSASSA_PSS {
            // RFC 4055 §3.1: absent parameters mean no restriction.
            if let Some(parameters) = algorithm_id.parameters {
                pss_restrictions = Some(PssParameters::from_der(parameters, oid)?);
            }
            (KeyAlgorithm::RsaPss, rsa_modulus_bits(key)?)
        } else if oid == oids::EC_PUBLIC_KEY {
            let curve = named_curve(&algorithm_id)?;
            // ring verifies uncompressed points only (SEC 1 §2.3.3, 0x04 || X || Y).
            let coordinate = curve.coordinate_len();
            match key {
                [0x04, rest @ ..] if rest.len() == 2 * coordinate => {}
                _ => {
                    return Err(CryptoError::MalformedKey(
                        "EC public key is not an uncompressed point of its curve",
                    ));
                }
            }
            (KeyAlgorithm::Ec(curve), curve.bits())
        } else if oid == oids::ED25519 {
            // RFC 8410 §3: the parameters MUST be absent.
            if algorithm_id.parameters.is_some() {
                return Err(malformed_parameters(oid));
            }
            if key.len() != 32 {
                return Err(CryptoError::MalformedKey(
                    "Ed25519 public key is not 32 bytes",
                ));
            }
            (KeyAlgorithm::Ed25519, 256)
        } else if let Some(gost) = GostAlgorithm::from_public_key_oid(oid) {
            check_gost_parameters(gost, &algorithm_id)?;
            if key.len() != gost.public_key_len() {
                return Err(CryptoError::MalformedKey(
                    "GOST public key has the wrong length for its algorithm",
                ));
            }
            let bits = match gost {
                GostAlgorithm::Gost2015_512 => 512,
                _ => 256,
            };
            (KeyAlgorithm::Gost(gost), bits)
        } else {
            return Err(CryptoError::UnsupportedAlgorithm {
                what: "public key",
                oid: oid.to_string(),
            });
        };
        Ok(Self {
            algorithm_id,
            algorithm,
            bits,
            key,
            pss_restrictions,
        })
    }
}

fn malformed_parameters(oid: Oid<'_>) -> CryptoError {
    CryptoError::MalformedParameters {
        oid: oid.to_string(),
    }
}

/// The bit length of the modulus of an `RSAPublicKey ::= SEQUENCE { modulus INTEGER,
/// publicExponent INTEGER }` (RFC 8017 appendix A.1.1).
fn rsa_modulus_bits(key: &[u8]) -> Result<u32, CryptoError> {
    const BAD: CryptoError = CryptoError::MalformedKey("RSAPublicKey does not decode");
    let tlv = Tlv::parse_single(key).map_err(|_| BAD)?;
    if tlv.tag() != Tag::SEQUENCE {
        return Err(BAD);
    }
    let mut children = tlv.children();
    let modulus = children.next_tlv().map_err(|_| BAD)?.ok_or(BAD)?;
    let exponent = children.next_tlv().map_err(|_| BAD)?.ok_or(BAD)?;
    if !children.is_empty() || modulus.tag() != Tag::INTEGER || exponent.tag() != Tag::INTEGER {
        return Err(BAD);
    }
    let modulus = modulus.content();
    if modulus.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(CryptoError::MalformedKey("RSA modulus is negative"));
    }
    let significant = modulus
        .iter()
        .position(|&b| b != 0)
        .and_then(|start| modulus.get(start..))
        .unwrap_or_default();
    let Some(&first) = significant.first() else {
        return Err(CryptoError::MalformedKey("RSA modulus is zero"));
    };
    let bits = significant
        .len()
        .saturating_sub(1)
        .saturating_mul(8)
        .saturating_add(8 - first.leading_zeros() as usize);
    u32::try_from(bits).map_err(|_| CryptoError::MalformedKey("RSA modulus is too long"))
}

/// The named curve of an id-ecPublicKey's `ECParameters` (RFC 5480 §2.1.1: namedCurve only).
fn named_curve(algorithm_id: &AlgorithmIdentifier<'_>) -> Result<EcCurve, CryptoError> {
    let parameters = algorithm_id
        .parameters
        .ok_or_else(|| malformed_parameters(algorithm_id.algorithm))?;
    let tlv =
        Tlv::parse_single(parameters).map_err(|_| malformed_parameters(algorithm_id.algorithm))?;
    if tlv.tag() != Tag::OID {
        // specifiedCurve or implicitCurve (RFC 5480 §2.1.1 forbids them in PKIX).
        return Err(CryptoError::UnsupportedParameters {
            oid: algorithm_id.algorithm.to_string(),
            reason: "only named curves are supported",
        });
    }
    let curve = Oid::from_content(tlv.content())
        .ok_or_else(|| malformed_parameters(algorithm_id.algorithm))?;
    if curve == oids::SECP256R1 {
        Ok(EcCurve::P256)
    } else if curve == oids::SECP384R1 {
        Ok(EcCurve::P384)
    } else {
        Err(CryptoError::UnsupportedAlgorithm {
            what: "elliptic curve",
            oid: curve.to_string(),
        })
    }
}

/// NCA writes `SEQUENCE { paramSet OID, digest OID }` (or NULL, or nothing): when a parameter
/// set is named it must be the algorithm's curve.
fn check_gost_parameters(
    gost: GostAlgorithm,
    algorithm_id: &AlgorithmIdentifier<'_>,
) -> Result<(), CryptoError> {
    if algorithm_id.parameters_absent_or_null() {
        return Ok(());
    }
    let oid = algorithm_id.algorithm;
    let parameters = algorithm_id.parameters.unwrap_or_default();
    let tlv = Tlv::parse_single(parameters).map_err(|_| malformed_parameters(oid))?;
    if tlv.tag() != Tag::SEQUENCE {
        return Err(malformed_parameters(oid));
    }
    let first = tlv
        .children()
        .next_tlv()
        .map_err(|_| malformed_parameters(oid))?
        .ok_or_else(|| malformed_parameters(oid))?;
    if first.tag() != Tag::OID {
        return Err(malformed_parameters(oid));
    }
    let param_set = Oid::from_content(first.content()).ok_or_else(|| malformed_parameters(oid))?;
    if param_set != gost.public_key_param_set_oid() {
        return Err(CryptoError::UnsupportedAlgorithm {
            what: "GOST parameter set",
            oid: param_set.to_string(),
        });
    }
    Ok(())
}
