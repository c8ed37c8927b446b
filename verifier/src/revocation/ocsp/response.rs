//! OCSPResponse and BasicOCSPResponse (RFC 6960 §4.2.1), read strictly as DER into owned
//! values: responses are small, and the store keeps them beside their DER.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE {
//!    responseStatus         OCSPResponseStatus,
//!    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//! ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
//! BasicOCSPResponse ::= SEQUENCE {
//!    tbsResponseData      ResponseData,
//!    signatureAlgorithm   AlgorithmIdentifier,
//!    signature            BIT STRING,
//!    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//! ResponseData ::= SEQUENCE {
//!    version              [0] EXPLICIT Version DEFAULT v1,
//!    responderID              ResponderID,
//!    producedAt               GeneralizedTime,
//!    responses                SEQUENCE OF SingleResponse,
//!    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//! ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
//! SingleResponse ::= SEQUENCE {
//!    certID                       CertID,
//!    certStatus                   CertStatus,
//!    thisUpdate                   GeneralizedTime,
//!    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//!    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//! CertStatus ::= CHOICE {
//!     good        [0]     IMPLICIT NULL,
//!     revoked     [1]     IMPLICIT RevokedInfo,
//!     unknown     [2]     IMPLICIT UnknownInfo }
//! RevokedInfo ::= SEQUENCE {
//!     revocationTime              GeneralizedTime,
//!     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
//! ```
//!
//! The module is `DEFINITIONS EXPLICIT TAGS` (RFC 6960 Appendix B.1), so `byName`, `byKey`
//! and the `[n]` fields above without IMPLICIT are explicit. DER leaves DEFAULT values out
//! (X.690 §11.5): an encoded `version` v1 or `critical` FALSE is refused.

use crate::revocation::types::RevocationReason;

use super::cert_id::CertId;
use super::error::OcspError;
use super::oids;
use super::reader::{self, Element, Reader, tag};

/// OCSPResponseStatus (RFC 6960 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseStatus {
    /// successful (0): responseBytes hold a response.
    Successful,
    /// malformedRequest (1): illegal confirmation request.
    MalformedRequest,
    /// internalError (2): internal error in the issuer.
    InternalError,
    /// tryLater (3): try again later.
    TryLater,
    /// sigRequired (5): the request must be signed.
    SigRequired,
    /// unauthorized (6): request unauthorized.
    Unauthorized,
}

impl ResponseStatus {
    /// The status of an ENUMERATED value; `None` for 4 (not used) and above 6.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Successful,
            1 => Self::MalformedRequest,
            2 => Self::InternalError,
            3 => Self::TryLater,
            5 => Self::SigRequired,
            6 => Self::Unauthorized,
            _ => return None,
        })
    }

    /// The ENUMERATED value.
    pub fn code(self) -> u8 {
        match self {
            Self::Successful => 0,
            Self::MalformedRequest => 1,
            Self::InternalError => 2,
            Self::TryLater => 3,
            Self::SigRequired => 5,
            Self::Unauthorized => 6,
        }
    }
}

/// An OCSPResponse: the status, and the basic response when successful.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OcspResponse {
    /// responseStatus.
    pub status: ResponseStatus,
    /// The BasicOCSPResponse of a successful response.
    pub basic: Option<BasicOcspResponse>,
}

/// A BasicOCSPResponse (RFC 6960 §4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BasicOcspResponse {
    /// The original tbsResponseData bytes, which the signature covers.
    pub tbs_response_data: Vec<u8>,
    /// tbsResponseData decoded.
    pub response_data: ResponseData,
    /// The complete signatureAlgorithm AlgorithmIdentifier.
    pub signature_algorithm: Vec<u8>,
    /// The signature BIT STRING's bits (a whole number of octets).
    pub signature: Vec<u8>,
    /// The certificates of `certs`, each its complete DER (not yet parsed).
    pub certs: Vec<Vec<u8>>,
}

/// ResponseData (RFC 6960 §4.2.1), version v1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseData {
    /// responderID.
    pub responder_id: ResponderId,
    /// producedAt, unix seconds.
    pub produced_at: i64,
    /// responses, in order.
    pub responses: Vec<SingleResponse>,
    /// The id-pkix-ocsp-nonce extension's extnValue content (RFC 6960 §4.4.1, RFC 8954: the
    /// DER of an OCTET STRING), when present.
    pub nonce: Option<Vec<u8>>,
}

/// ResponderID (RFC 6960 §4.2.1, §4.2.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponderId {
    /// byName: the responder certificate's subject Name, as encoded.
    ByName(Vec<u8>),
    /// byKey: the SHA-1 of the responder's subjectPublicKey BIT STRING value.
    ByKey(Vec<u8>),
}

/// One certificate's status (RFC 6960 §4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SingleResponse {
    /// Which certificate.
    pub cert_id: CertId,
    /// certStatus.
    pub status: CertStatus,
    /// thisUpdate, unix seconds.
    pub this_update: i64,
    /// nextUpdate, unix seconds, when present.
    pub next_update: Option<i64>,
}

/// CertStatus (RFC 6960 §4.2.1, §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertStatus {
    /// good: not revoked (at least) at thisUpdate.
    Good,
    /// revoked, at `time`, for `reason` when the response gives one.
    Revoked {
        /// revocationTime, unix seconds.
        time: i64,
        /// revocationReason (a CRLReason, RFC 5280 §5.3.1).
        reason: Option<RevocationReason>,
    },
    /// unknown: the responder does not know the certificate.
    Unknown,
}

impl OcspResponse {
    /// Reads one DER OCSPResponse; trailing data is an error.
    pub fn from_der(der: &[u8]) -> Result<Self, OcspError> {
        let mut fields = Reader::single(der, tag::SEQUENCE, "OCSPResponse")?;
        let status = match fields.expect(tag::ENUMERATED, "OCSPResponse.responseStatus")? {
            [code] if *code < 0x80 => {
                ResponseStatus::from_code(*code).ok_or(OcspError::UnknownResponseStatus(*code))?
            }
            _ => return Err(OcspError::Malformed("OCSPResponse.responseStatus")),
        };
        let bytes = fields.optional(tag::context(0), "OCSPResponse.responseBytes")?;
        fields.finish("OCSPResponse")?;
        let basic = match (status, bytes) {
            (ResponseStatus::Successful, Some(bytes)) => Some(response_bytes(bytes.content)?),
            (ResponseStatus::Successful, None) | (_, Some(_)) => {
                return Err(OcspError::StatusBytesMismatch(status));
            }
            (_, None) => None,
        };
        Ok(Self { status, basic })
    }
}

/// `[0] EXPLICIT ResponseBytes` content: an id-pkix-ocsp-basic response.
fn response_bytes(content: &[u8]) -> Result<BasicOcspResponse, OcspError> {
    let mut fields = Reader::single(content, tag::SEQUENCE, "ResponseBytes")?;
    let response_type = reader::oid(&mut fields, "ResponseBytes.responseType")?;
    let response = fields.expect(tag::OCTET_STRING, "ResponseBytes.response")?;
    fields.finish("ResponseBytes")?;
    if response_type != oids::ID_PKIX_OCSP_BASIC {
        return Err(OcspError::UnsupportedResponseType(reader::dotted(
            response_type,
        )));
    }
    BasicOcspResponse::from_der(response)
}

impl BasicOcspResponse {
    /// Reads one DER BasicOCSPResponse; trailing data is an error.
    pub fn from_der(der: &[u8]) -> Result<Self, OcspError> {
        let mut fields = Reader::single(der, tag::SEQUENCE, "BasicOCSPResponse")?;
        let tbs = fields.expect_element(tag::SEQUENCE, "BasicOCSPResponse.tbsResponseData")?;
        let algorithm =
            fields.expect_element(tag::SEQUENCE, "BasicOCSPResponse.signatureAlgorithm")?;
        let signature = match fields.expect(tag::BIT_STRING, "BasicOCSPResponse.signature")? {
            [0, bits @ ..] => bits,
            _ => return Err(OcspError::Malformed("BasicOCSPResponse.signature")),
        };
        let mut certs = Vec::new();
        if let Some(explicit) = fields.optional(tag::context(0), "BasicOCSPResponse.certs")? {
            let mut list =
                Reader::single(explicit.content, tag::SEQUENCE, "BasicOCSPResponse.certs")?;
            while !list.is_empty() {
                certs.push(
                    list.expect_element(tag::SEQUENCE, "BasicOCSPResponse.certs")?
                        .raw
                        .to_vec(),
                );
            }
        }
        fields.finish("BasicOCSPResponse")?;
        Ok(Self {
            tbs_response_data: tbs.raw.to_vec(),
            response_data: ResponseData::from_content(tbs.content)?,
            signature_algorithm: algorithm.raw.to_vec(),
            signature: signature.to_vec(),
            certs,
        })
    }
}

impl ResponseData {
    fn from_content(content: &[u8]) -> Result<Self, OcspError> {
        let mut fields = Reader::new(content);
        if let Some(version) = fields.optional(tag::context(0), "ResponseData.version")? {
            let mut inner = Reader::new(version.content);
            let value = reader::integer(&mut inner, "ResponseData.version")?;
            inner.finish("ResponseData.version")?;
            return Err(match value {
                // v1 is the DEFAULT: DER leaves it out.
                [0] => OcspError::Malformed("ResponseData.version"),
                [v] => OcspError::UnsupportedVersion(*v),
                _ => OcspError::Malformed("ResponseData.version"),
            });
        }
        let responder = fields.next("ResponseData.responderID")?;
        let responder_id = ResponderId::from_element(responder)?;
        let produced_at = reader::generalized_time(
            fields.expect(tag::GENERALIZED_TIME, "ResponseData.producedAt")?,
            "ResponseData.producedAt",
        )?;
        let mut list = Reader::new(fields.expect(tag::SEQUENCE, "ResponseData.responses")?);
        let mut responses = Vec::new();
        while !list.is_empty() {
            let single = list.expect(tag::SEQUENCE, "SingleResponse")?;
            responses.push(SingleResponse::from_content(single)?);
        }
        let mut nonce = None;
        if let Some(extensions) =
            fields.optional(tag::context(1), "ResponseData.responseExtensions")?
        {
            for (id, value) in extensions_of(extensions.content, "ResponseData.responseExtensions")?
            {
                if id == oids::ID_PKIX_OCSP_NONCE {
                    if nonce.is_some() {
                        return Err(OcspError::Malformed("ResponseData.responseExtensions"));
                    }
                    nonce = Some(value.to_vec());
                }
            }
        }
        fields.finish("ResponseData")?;
        Ok(Self {
            responder_id,
            produced_at,
            responses,
            nonce,
        })
    }
}

impl ResponderId {
    fn from_element(element: Element<'_>) -> Result<Self, OcspError> {
        const FIELD: &str = "ResponseData.responderID";
        match element.tag {
            t if t == tag::context(1) => {
                let name = Reader::new(element.content).expect_element(tag::SEQUENCE, FIELD)?;
                if name.raw.len() != element.content.len() {
                    return Err(OcspError::Malformed(FIELD));
                }
                Ok(Self::ByName(name.raw.to_vec()))
            }
            t if t == tag::context(2) => {
                // KeyHash ::= OCTET STRING, the SHA-1 of the key: 20 octets.
                let hash = octets_of(element.content, FIELD)?;
                if hash.len() != 20 {
                    return Err(OcspError::Malformed(FIELD));
                }
                Ok(Self::ByKey(hash.to_vec()))
            }
            _ => Err(OcspError::Malformed(FIELD)),
        }
    }
}

/// The content of the single OCTET STRING `input` consists of.
fn octets_of<'a>(input: &'a [u8], field: &'static str) -> Result<&'a [u8], OcspError> {
    let mut outer = Reader::new(input);
    let content = outer.expect(tag::OCTET_STRING, field)?;
    outer.finish(field)?;
    Ok(content)
}

impl SingleResponse {
    fn from_content(content: &[u8]) -> Result<Self, OcspError> {
        let mut fields = Reader::new(content);
        let cert_id = CertId::from_content(fields.expect(tag::SEQUENCE, "SingleResponse.certID")?)?;
        let status = CertStatus::from_element(fields.next("SingleResponse.certStatus")?)?;
        let this_update = reader::generalized_time(
            fields.expect(tag::GENERALIZED_TIME, "SingleResponse.thisUpdate")?,
            "SingleResponse.thisUpdate",
        )?;
        let next_update = match fields.optional(tag::context(0), "SingleResponse.nextUpdate")? {
            Some(explicit) => {
                let mut inner = Reader::new(explicit.content);
                let content = inner.expect(tag::GENERALIZED_TIME, "SingleResponse.nextUpdate")?;
                inner.finish("SingleResponse.nextUpdate")?;
                Some(reader::generalized_time(
                    content,
                    "SingleResponse.nextUpdate",
                )?)
            }
            None => None,
        };
        if let Some(extensions) =
            fields.optional(tag::context(1), "SingleResponse.singleExtensions")?
        {
            // None is processed: a critical one makes the response unusable (checked inside).
            extensions_of(extensions.content, "SingleResponse.singleExtensions")?;
        }
        fields.finish("SingleResponse")?;
        Ok(Self {
            cert_id,
            status,
            this_update,
            next_update,
        })
    }
}

impl CertStatus {
    fn from_element(element: Element<'_>) -> Result<Self, OcspError> {
        const FIELD: &str = "SingleResponse.certStatus";
        match element.tag {
            t if t == tag::context_primitive(0) && element.content.is_empty() => Ok(Self::Good),
            t if t == tag::context_primitive(2) && element.content.is_empty() => Ok(Self::Unknown),
            t if t == tag::context(1) => {
                let mut fields = Reader::new(element.content);
                let time = reader::generalized_time(
                    fields.expect(tag::GENERALIZED_TIME, "RevokedInfo.revocationTime")?,
                    "RevokedInfo.revocationTime",
                )?;
                let reason = match fields
                    .optional(tag::context(0), "RevokedInfo.revocationReason")?
                {
                    Some(explicit) => {
                        let mut inner = Reader::new(explicit.content);
                        let code = inner.expect(tag::ENUMERATED, "RevokedInfo.revocationReason")?;
                        inner.finish("RevokedInfo.revocationReason")?;
                        match code {
                            [code] if *code < 0x80 => Some(RevocationReason::from_code(*code)),
                            _ => return Err(OcspError::Malformed("RevokedInfo.revocationReason")),
                        }
                    }
                    None => None,
                };
                fields.finish("RevokedInfo")?;
                Ok(Self::Revoked { time, reason })
            }
            _ => Err(OcspError::Malformed(FIELD)),
        }
    }
}

/// An extension's (extnID content, extnValue content).
type Extension<'a> = (&'a [u8], &'a [u8]);

/// `[n] EXPLICIT Extensions` content (RFC 5280 §4.1: `SEQUENCE SIZE (1..MAX) OF Extension`):
/// each (extnID, extnValue content). A critical extension other than the nonce is refused:
/// none is processed here.
fn extensions_of<'a>(
    content: &'a [u8],
    field: &'static str,
) -> Result<Vec<Extension<'a>>, OcspError> {
    let mut list = Reader::single(content, tag::SEQUENCE, field)?;
    let mut out = Vec::new();
    if list.is_empty() {
        return Err(OcspError::Malformed(field));
    }
    while !list.is_empty() {
        let mut extension = Reader::new(list.expect(tag::SEQUENCE, field)?);
        let id = reader::oid(&mut extension, field)?;
        let critical = match extension.optional(tag::BOOLEAN, field)? {
            // DER leaves the DEFAULT FALSE out.
            Some(flag) if reader::boolean(flag.content, field)? => true,
            Some(_) => return Err(OcspError::Malformed(field)),
            None => false,
        };
        let value = extension.expect(tag::OCTET_STRING, field)?;
        extension.finish(field)?;
        if out.iter().any(|&(seen, _)| seen == id) {
            return Err(OcspError::Malformed(field));
        }
        if critical && id != oids::ID_PKIX_OCSP_NONCE {
            return Err(OcspError::UnsupportedCriticalExtension(reader::dotted(id)));
        }
        out.push((id, value));
    }
    Ok(out)
}
