//! One certificate as the path layer needs it: its DER, its raw tbsCertificate and signature
//! (RFC 5280 §4.1.1), and the facts path validation reads, decoded once with x509-parser.

use std::fmt;

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{
    OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_CERTIFICATE_POLICIES, OID_X509_EXT_EXTENDED_KEY_USAGE,
    OID_X509_EXT_ISSUER_ALT_NAME, OID_X509_EXT_KEY_USAGE, OID_X509_EXT_SUBJECT_ALT_NAME,
    OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::prelude::FromDer;

use crate::ber::Tag;
use crate::cms::SignerIdentifier;
use crate::path::error::CertificateError;
use crate::path::fingerprint::Fingerprint;

/// A serial number without its leading zero octets, which some encoders add or drop.
pub(crate) fn significant(serial: &[u8]) -> &[u8] {
    let zeros = serial.iter().take_while(|&&b| b == 0).count();
    serial.get(zeros..).unwrap_or_default()
}

/// basicConstraints (RFC 5280 §4.2.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BasicConstraints {
    pub(crate) ca: bool,
    pub(crate) path_len: Option<u32>,
}

/// A parsed certificate, owning its DER. Built by
/// [`CertificateStore`](crate::path::CertificateStore) or for an end entity.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    fingerprint: Fingerprint,
    /// The original tbsCertificate bytes: what the issuer signed (never re-encoded).
    tbs: Vec<u8>,
    /// The complete signatureAlgorithm AlgorithmIdentifier.
    signature_algorithm: Vec<u8>,
    /// The signatureValue BIT STRING contents after the unused-bits octet.
    signature: Vec<u8>,
    /// The complete SubjectPublicKeyInfo.
    spki: Vec<u8>,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    /// The serialNumber INTEGER's content octets.
    serial: Vec<u8>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    /// `Some(keyCertSign)` when keyUsage is present.
    pub(crate) key_cert_sign: Option<bool>,
    /// Critical extensions this layer does not process, dotted.
    pub(crate) unknown_critical: Vec<String>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

fn malformed(what: impl fmt::Display) -> CertificateError {
    CertificateError::Malformed(what.to_string())
}

/// Extensions whose criticality this layer accepts (RFC 5280 §4.2): those it processes
/// (basicConstraints, keyUsage) and those that do not restrict the path and are read by later
/// layers (extendedKeyUsage, which NCA marks critical; certificatePolicies; the names; the
/// key identifiers). nameConstraints, policyConstraints and inhibitAnyPolicy are *not* here:
/// marked critical, they are rejected as unsupported.
fn is_known(oid: &x509_parser::der_parser::oid::Oid<'_>) -> bool {
    [
        &OID_X509_EXT_BASIC_CONSTRAINTS,
        &OID_X509_EXT_KEY_USAGE,
        &OID_X509_EXT_EXTENDED_KEY_USAGE,
        &OID_X509_EXT_CERTIFICATE_POLICIES,
        &OID_X509_EXT_SUBJECT_ALT_NAME,
        &OID_X509_EXT_ISSUER_ALT_NAME,
        &OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
        &OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
    ]
    .contains(&oid)
}

impl Certificate {
    /// Parses one DER certificate (RFC 5280 §4.1); trailing data is an error.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let crate::signed::Signed {
            tbs,
            signature_algorithm,
            signature,
        } = crate::signed::Signed::from_der(der).map_err(malformed)?;
        // RFC 5280 §4.1.1.2: tbsCertificate.signature equals signatureAlgorithm.
        let mut tbs_fields = tbs.children();
        let mut inner_alg = None;
        for _ in 0..3 {
            match tbs_fields.next_tlv().map_err(malformed)? {
                Some(t) if t.tag() == Tag::SEQUENCE => {
                    inner_alg = Some(t);
                    break;
                }
                Some(_) => {}
                None => break,
            }
        }
        if inner_alg.map(|t| t.raw()) != Some(signature_algorithm.raw()) {
            return Err(CertificateError::SignatureAlgorithmMismatch);
        }

        let (rest, x509) = X509Certificate::from_der(der).map_err(malformed)?;
        if !rest.is_empty() {
            return Err(malformed("trailing data"));
        }
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut basic_constraints = None;
        let mut key_cert_sign = None;
        let mut unknown_critical = Vec::new();
        for ext in x509.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => subject_key_id = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    authority_key_id = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                }
                ParsedExtension::BasicConstraints(bc) => {
                    basic_constraints = Some(BasicConstraints {
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                    });
                }
                ParsedExtension::KeyUsage(ku) => key_cert_sign = Some(ku.key_cert_sign()),
                ParsedExtension::ParseError { error } if is_known(&ext.oid) => {
                    return Err(malformed(format_args!("extension {}: {error}", ext.oid)));
                }
                _ => {}
            }
            if ext.critical && !is_known(&ext.oid) {
                unknown_critical.push(ext.oid.to_id_string());
            }
        }
        let validity = x509.validity();
        Ok(Self {
            der: der.to_vec(),
            fingerprint: Fingerprint::of(der),
            tbs: tbs.raw().to_vec(),
            signature_algorithm: signature_algorithm.raw().to_vec(),
            signature: signature.to_vec(),
            spki: x509.public_key().raw.to_vec(),
            subject: x509.subject().as_raw().to_vec(),
            issuer: x509.issuer().as_raw().to_vec(),
            serial: x509.raw_serial().to_vec(),
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            subject_key_id,
            authority_key_id,
            basic_constraints,
            key_cert_sign,
            unknown_critical,
        })
    }

    /// The serialNumber INTEGER's content octets.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Whether this is the certificate a SignerInfo's `sid` names (RFC 5652 §5.3): the
    /// issuer Name's exact bytes and the serial number (leading zero octets aside, which
    /// some encoders add or drop), or the subjectKeyIdentifier.
    pub fn is_identified_by(&self, sid: &SignerIdentifier<'_>) -> bool {
        match sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => {
                id.issuer == self.issuer.as_slice()
                    && significant(id.serial_number) == significant(&self.serial)
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                self.subject_key_id.as_deref() == Some(ski.as_ref())
            }
        }
    }

    /// The parts a SignerInfo check reads, without parsing again.
    pub fn signer_certificate(&self) -> crate::crypto::SignerCertificate<'_> {
        crate::crypto::SignerCertificate {
            der: &self.der,
            issuer: &self.issuer,
            serial: &self.serial,
            spki: self.spki(),
            sha256: Some(&self.fingerprint.0),
        }
    }

    /// The complete DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the DER.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The original tbsCertificate bytes (what the issuer's signature covers).
    pub fn tbs_certificate(&self) -> &[u8] {
        &self.tbs
    }

    /// The raw subject Name (DER).
    pub fn subject_raw(&self) -> &[u8] {
        &self.subject
    }

    /// The raw issuer Name (DER).
    pub fn issuer_raw(&self) -> &[u8] {
        &self.issuer
    }

    /// The complete SubjectPublicKeyInfo.
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// subjectKeyIdentifier (RFC 5280 §4.2.1.2), if present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1), if present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// notBefore and notAfter as unix seconds.
    pub fn validity(&self) -> (i64, i64) {
        (self.not_before, self.not_after)
    }

    /// Whether subject and issuer Names are the same bytes (RFC 5280 §6.1: self-issued).
    pub fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    pub(crate) fn signature_algorithm_der(&self) -> &[u8] {
        &self.signature_algorithm
    }

    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }
}
