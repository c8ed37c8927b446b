//! CertID (RFC 6960 §4.1.1): which certificate a request asks about and a SingleResponse
//! answers for.
//!
//! ```text
//! CertID ::= SEQUENCE {
//!     hashAlgorithm       AlgorithmIdentifier,
//!     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
//!     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
//!     serialNumber        CertificateSerialNumber }
//! ```
//!
//! issuerNameHash is the hash of the DER of the certificate's issuer Name; issuerKeyHash the
//! hash of the issuer's subjectPublicKey BIT STRING value, without tag, length and
//! unused-bits octet (§4.1.1). Responders use SHA-1 (the default of most clients, openssl's
//! too) or SHA-256; any digest the crypto layer knows is read.

use crate::ber::Tlv;
use crate::cms::AlgorithmIdentifier;
use crate::crypto::DigestAlgorithm;
use crate::path::Certificate;
use crate::revocation::types::normalise;

use super::error::OcspError;
use super::reader::{self, Reader, tag};

/// A CertID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CertId {
    /// hashAlgorithm.
    pub hash_algorithm: DigestAlgorithm,
    /// issuerNameHash.
    pub issuer_name_hash: Vec<u8>,
    /// issuerKeyHash.
    pub issuer_key_hash: Vec<u8>,
    /// serialNumber, INTEGER content octets without leading zero octets.
    pub serial_number: Vec<u8>,
}

impl CertId {
    /// The CertID of `cert`, issued by `issuer`, under `hash_algorithm`. `None` when the
    /// issuer's key cannot be read, or `issuer` is not named as `cert`'s issuer.
    pub fn of(
        cert: &Certificate,
        issuer: &Certificate,
        hash_algorithm: DigestAlgorithm,
    ) -> Option<Self> {
        if cert.issuer_raw() != issuer.subject_raw() {
            return None;
        }
        let key = subject_public_key(issuer.spki())?;
        Some(Self {
            hash_algorithm,
            issuer_name_hash: hash_algorithm.digest(cert.issuer_raw()),
            issuer_key_hash: hash_algorithm.digest(key),
            serial_number: normalise(cert.serial()).to_vec(),
        })
    }

    /// Whether this CertID names `cert` as issued by `issuer` (under its own hash algorithm).
    pub fn matches(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        normalise(cert.serial()) == self.serial_number.as_slice()
            && Self::of(cert, issuer, self.hash_algorithm).is_some_and(|own| own == *self)
    }

    /// Whether this CertID's issuer hashes are `issuer`'s subject Name and key (the CertID of
    /// some certificate `issuer` issued).
    pub fn names_issuer(&self, issuer: &Certificate) -> bool {
        subject_public_key(issuer.spki()).is_some_and(|key| {
            self.hash_algorithm.digest(issuer.subject_raw()) == self.issuer_name_hash
                && self.hash_algorithm.digest(key) == self.issuer_key_hash
        })
    }

    /// Reads a CertID's content octets.
    pub(super) fn from_content(content: &[u8]) -> Result<Self, OcspError> {
        const FIELD: &str = "CertID";
        let mut fields = Reader::new(content);
        let algorithm = fields.expect_element(tag::SEQUENCE, "CertID.hashAlgorithm")?;
        let hash_algorithm = hash_algorithm(algorithm.raw)?;
        let issuer_name_hash = fields.expect(tag::OCTET_STRING, "CertID.issuerNameHash")?;
        let issuer_key_hash = fields.expect(tag::OCTET_STRING, "CertID.issuerKeyHash")?;
        let serial = reader::integer(&mut fields, "CertID.serialNumber")?;
        fields.finish(FIELD)?;
        let len = hash_algorithm.output_len();
        if issuer_name_hash.len() != len || issuer_key_hash.len() != len {
            return Err(OcspError::Malformed("CertID hash length"));
        }
        Ok(Self {
            hash_algorithm,
            issuer_name_hash: issuer_name_hash.to_vec(),
            issuer_key_hash: issuer_key_hash.to_vec(),
            serial_number: normalise(serial).to_vec(),
        })
    }

    /// The DER of this CertID, hashAlgorithm with NULL parameters (as openssl writes it),
    /// serialNumber as a minimal positive INTEGER.
    pub(super) fn to_der(&self) -> Vec<u8> {
        use super::request::der;
        let algorithm = der::tlv(
            tag::SEQUENCE,
            &[
                der::tlv(tag::OID, self.hash_algorithm.oid().as_bytes()),
                der::tlv(tag::NULL, &[]),
            ]
            .concat(),
        );
        let mut serial = self.serial_number.clone();
        if serial.first().is_none_or(|&b| b & 0x80 != 0) {
            serial.insert(0, 0);
        }
        der::tlv(
            tag::SEQUENCE,
            &[
                algorithm,
                der::tlv(tag::OCTET_STRING, &self.issuer_name_hash),
                der::tlv(tag::OCTET_STRING, &self.issuer_key_hash),
                der::tlv(tag::INTEGER, &serial),
            ]
            .concat(),
        )
    }
}

fn hash_algorithm(raw: &[u8]) -> Result<DigestAlgorithm, OcspError> {
    let malformed = || OcspError::Malformed("CertID.hashAlgorithm");
    let tlv = Tlv::parse_single(raw).map_err(|_| malformed())?;
    let algorithm =
        AlgorithmIdentifier::from_tlv(tlv, "CertID.hashAlgorithm").map_err(|_| malformed())?;
    DigestAlgorithm::from_algorithm_identifier(&algorithm)
        .map_err(|_| OcspError::UnsupportedHashAlgorithm(algorithm.algorithm.to_string()))
}

/// The subjectPublicKey BIT STRING value of a DER SubjectPublicKeyInfo (RFC 5280 §4.1), what
/// issuerKeyHash and a byKey ResponderID hash (RFC 6960 §4.1.1, §4.2.1).
pub(super) fn subject_public_key(spki: &[u8]) -> Option<&[u8]> {
    let mut fields = Reader::single(spki, tag::SEQUENCE, "SubjectPublicKeyInfo").ok()?;
    fields.expect(tag::SEQUENCE, "algorithm").ok()?;
    let bits = fields.expect(tag::BIT_STRING, "subjectPublicKey").ok()?;
    fields.finish("SubjectPublicKeyInfo").ok()?;
    match bits {
        [0, key @ ..] => Some(key),
        _ => None,
    }
}
