//! `RSASSA-PSS-params` (RFC 4055 §3.1, RFC 8017 appendix A.2.3).

use crate::ber::{Tag, Tlv};
use crate::cms::AlgorithmIdentifier;
use crate::crypto::CryptoError;
use crate::crypto::digest::DigestAlgorithm;
use crate::crypto::oids;
use crate::oid::Oid;

/// Decoded RSASSA-PSS parameters:
///
/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///   hashAlgorithm      [0] HashAlgorithm      DEFAULT sha1Identifier,
///   maskGenAlgorithm   [1] MaskGenAlgorithm   DEFAULT mgf1SHA1Identifier,
///   saltLength         [2] INTEGER            DEFAULT 20,
///   trailerField       [3] INTEGER            DEFAULT 1 }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PssParameters {
    /// The message hash.
    pub(crate) hash: DigestAlgorithm,
    /// The hash MGF1 uses (RFC 4055 §2.2; the only mask generation function defined).
    pub(crate) mgf1_hash: DigestAlgorithm,
    /// The salt length in bytes.
    pub(crate) salt_len: u64,
}

impl PssParameters {
    /// Decodes the complete encoding of the parameters of `oid` (id-RSASSA-PSS). A hash this
    /// layer does not know, or a mask generation function other than MGF1, is unsupported; a
    /// trailer field other than 1 is malformed (RFC 4055 §3.1).
    pub(crate) fn from_der(parameters: &[u8], oid: Oid<'_>) -> Result<Self, CryptoError> {
        let malformed = || CryptoError::MalformedParameters {
            oid: oid.to_string(),
        };
        let tlv = Tlv::parse_single(parameters).map_err(|_| malformed())?;
        if tlv.tag() != Tag::SEQUENCE {
            return Err(malformed());
        }
        let mut hash = DigestAlgorithm::Sha1;
        let mut mgf1_hash = DigestAlgorithm::Sha1;
        let mut salt_len = 20;
        let mut next_tag = 0;
        let mut children = tlv.children();
        while let Some(field) = children.next_tlv().map_err(|_| malformed())? {
            let number = (0..4)
                .find(|&n| field.tag() == Tag::context(n, true))
                .filter(|&n| n >= next_tag)
                .ok_or_else(malformed)?;
            next_tag = number + 1;
            // Each field is EXPLICITly tagged: exactly one element inside.
            let mut inner = field.children();
            let value = inner
                .next_tlv()
                .map_err(|_| malformed())?
                .ok_or_else(malformed)?;
            if !inner.is_empty() {
                return Err(malformed());
            }
            match number {
                0 => hash = hash_algorithm(value, oid)?,
                1 => {
                    let mgf = AlgorithmIdentifier::from_tlv(value, "maskGenAlgorithm")
                        .map_err(|_| malformed())?;
                    if mgf.algorithm != oids::MGF1 {
                        return Err(CryptoError::UnsupportedParameters {
                            oid: oid.to_string(),
                            reason: "mask generation function is not MGF1",
                        });
                    }
                    let inner = mgf.parameters.ok_or_else(malformed)?;
                    let inner = Tlv::parse_single(inner).map_err(|_| malformed())?;
                    mgf1_hash = hash_algorithm(inner, oid)?;
                }
                2 => salt_len = small_integer(value).ok_or_else(malformed)?,
                _ => {
                    if small_integer(value) != Some(1) {
                        return Err(malformed());
                    }
                }
            }
        }
        Ok(Self {
            hash,
            mgf1_hash,
            salt_len,
        })
    }
}

fn hash_algorithm(tlv: Tlv<'_>, oid: Oid<'_>) -> Result<DigestAlgorithm, CryptoError> {
    let alg = AlgorithmIdentifier::from_tlv(tlv, "hashAlgorithm").map_err(|_| {
        CryptoError::MalformedParameters {
            oid: oid.to_string(),
        }
    })?;
    DigestAlgorithm::from_algorithm_identifier(&alg).map_err(|_| {
        CryptoError::UnsupportedParameters {
            oid: oid.to_string(),
            reason: "unsupported or malformed hash algorithm",
        }
    })
}

/// A non-negative INTEGER that fits in a u64.
fn small_integer(tlv: Tlv<'_>) -> Option<u64> {
    if tlv.tag() != Tag::INTEGER {
        return None;
    }
    let content = tlv.content();
    if content.is_empty() || content.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let significant = content
        .iter()
        .position(|&b| b != 0)
        .and_then(|start| content.get(start..))
        .unwrap_or_default();
    if significant.len() > 8 {
        return None;
    }
    Some(
        significant
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}
