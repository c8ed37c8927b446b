//! OCSPRequest (RFC 6960 §4.1.1), for a client that asks a responder (over HTTP, §A.1):
//!
//! ```text
//! OCSPRequest ::= SEQUENCE {
//!     tbsRequest                  TBSRequest,
//!     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
//! TBSRequest ::= SEQUENCE {
//!     version             [0]     EXPLICIT Version DEFAULT v1,
//!     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
//!     requestList                 SEQUENCE OF Request,
//!     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
//! Request ::= SEQUENCE {
//!     reqCert                     CertID,
//!     singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! One unsigned request for one certificate, with an optional nonce (§4.4.1; RFC 8954: the
//! extnValue is the DER of an OCTET STRING of 1 to 32 octets). The encoding is the one
//! `openssl ocsp` writes for the same certificate, hash and nonce (the tests compare them).

use crate::crypto::DigestAlgorithm;
use crate::path::Certificate;

use super::cert_id::{CertId, subject_public_key};
use super::error::OcspRequestError;
use super::oids;
use super::reader::tag;

/// An OCSP request: its CertID, nonce and DER.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OcspRequest {
    /// The CertID asked about; a response must answer for it.
    pub cert_id: CertId,
    /// The nonce sent, if any; a response must echo it.
    pub nonce: Option<Vec<u8>>,
    der: Vec<u8>,
}

impl OcspRequest {
    /// A request for the status of `cert`, issued by `issuer`, with a CertID under `hash`
    /// (SHA-1 for most responders, SHA-256 for some) and, when given, a nonce of 1 to 32
    /// octets (RFC 8954 §2.1).
    pub fn new(
        cert: &Certificate,
        issuer: &Certificate,
        hash: DigestAlgorithm,
        nonce: Option<&[u8]>,
    ) -> Result<Self, OcspRequestError> {
        if cert.issuer_raw() != issuer.subject_raw() {
            return Err(OcspRequestError::NotTheIssuer);
        }
        if subject_public_key(issuer.spki()).is_none() {
            return Err(OcspRequestError::MalformedIssuerKey);
        }
        if let Some(nonce) = nonce
            && !(1..=32).contains(&nonce.len())
        {
            return Err(OcspRequestError::NonceLength(nonce.len()));
        }
        let cert_id = CertId::of(cert, issuer, hash).ok_or(OcspRequestError::MalformedIssuerKey)?;
        let request_list = der::tlv(tag::SEQUENCE, &der::tlv(tag::SEQUENCE, &cert_id.to_der()));
        let mut tbs = request_list;
        if let Some(nonce) = nonce {
            let extension = der::tlv(
                tag::SEQUENCE,
                &[
                    der::tlv(tag::OID, oids::ID_PKIX_OCSP_NONCE),
                    der::tlv(tag::OCTET_STRING, &nonce_value(nonce)),
                ]
                .concat(),
            );
            tbs.extend(der::tlv(
                tag::context(2),
                &der::tlv(tag::SEQUENCE, &extension),
            ));
        }
        let der = der::tlv(tag::SEQUENCE, &der::tlv(tag::SEQUENCE, &tbs));
        Ok(Self {
            cert_id,
            nonce: nonce.map(<[u8]>::to_vec),
            der,
        })
    }

    /// The DER of the OCSPRequest, to send (`application/ocsp-request`, RFC 6960 §A.1).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER of the OCSPRequest.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }
}

/// The extnValue content a nonce extension carries: `Nonce ::= OCTET STRING` (RFC 8954).
pub(super) fn nonce_value(nonce: &[u8]) -> Vec<u8> {
    der::tlv(tag::OCTET_STRING, nonce)
}

/// DER writing: definite, minimal lengths (X.690 §10.1).
pub(super) mod der {
    /// One TLV with a one-octet tag.
    pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let len = content.len();
        let mut out = Vec::with_capacity(content.len() + 6);
        out.push(tag);
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let octets: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|&b| b == 0)
                .collect();
            out.push(0x80 | octets.len() as u8);
            out.extend(octets);
        }
        out.extend_from_slice(content);
        out
    }
}
