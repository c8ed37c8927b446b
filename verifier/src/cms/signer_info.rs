//! SignerInfo and SignerIdentifier (RFC 5652 §5.3).

use std::borrow::Cow;

use crate::ber::{Tag, Tlv};
use crate::cms::CmsError;
use crate::cms::algorithm::AlgorithmIdentifier;
use crate::cms::attributes::{SignedAttributes, UnsignedAttributes};
use crate::cms::read::{self, Fields};

/// `IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }`
/// (RFC 5652 §10.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuerAndSerialNumber<'a> {
    /// The complete encoding of the issuer's distinguished Name, as in the input.
    pub issuer: &'a [u8],
    /// The content octets of the serial number INTEGER (as x509-parser's `raw_serial`).
    pub serial_number: &'a [u8],
}

/// `SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber,
/// subjectKeyIdentifier [0] SubjectKeyIdentifier }` (RFC 5652 §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerIdentifier<'a> {
    /// The signer's certificate by issuer name and serial number (SignerInfo version 1).
    IssuerAndSerialNumber(IssuerAndSerialNumber<'a>),
    /// The signer's certificate by its subjectKeyIdentifier extension value (version 3).
    SubjectKeyIdentifier(Cow<'a, [u8]>),
}

impl<'a> SignerIdentifier<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignerInfo.sid";
        if tlv.tag().same_type(&Tag::context(0, false)) {
            let ski = read::octet_string(
                tlv,
                "SignerInfo.sid subjectKeyIdentifier",
                Tag::context(0, false),
            )?;
            return Ok(Self::SubjectKeyIdentifier(ski));
        }
        let tlv = read::constructed(tlv, FIELD, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, FIELD);
        let issuer = read::constructed(
            fields.required("IssuerAndSerialNumber.issuer")?,
            "IssuerAndSerialNumber.issuer",
            Tag::SEQUENCE,
        )?;
        let serial_number = read::integer(
            fields.required("IssuerAndSerialNumber.serialNumber")?,
            "IssuerAndSerialNumber.serialNumber",
        )?;
        fields.finish()?;
        Ok(Self::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: issuer.raw(),
            serial_number,
        }))
    }
}

/// One signer's signature (RFC 5652 §5.3):
///
/// ```text
/// SignerInfo ::= SEQUENCE {
///   version CMSVersion,
///   sid SignerIdentifier,
///   digestAlgorithm DigestAlgorithmIdentifier,
///   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///   signatureAlgorithm SignatureAlgorithmIdentifier,
///   signature SignatureValue,
///   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
///
/// The version is not checked against the kind of `sid` (RFC 5652 requires 1 with
/// issuerAndSerialNumber and 3 with subjectKeyIdentifier); a later layer may report it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignerInfo<'a> {
    /// CMSVersion.
    pub version: u32,
    /// Which certificate holds the signer's public key.
    pub sid: SignerIdentifier<'a>,
    /// The digest algorithm for the content and the signed attributes.
    pub digest_algorithm: AlgorithmIdentifier<'a>,
    /// Signed attributes; when absent, the signature is directly over the content.
    pub signed_attrs: Option<SignedAttributes<'a>>,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifier<'a>,
    /// The signature value, as stored.
    pub signature: Cow<'a, [u8]>,
    /// Unsigned attributes (time-stamp tokens, countersignatures, ...).
    pub unsigned_attrs: Option<UnsignedAttributes<'a>>,
    /// The complete encoding of the SignerInfo.
    pub raw: &'a [u8],
}

impl<'a> SignerInfo<'a> {
    pub(crate) fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignerInfo";
        let tlv = read::constructed(tlv, FIELD, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, FIELD);
        let version = read::version(fields.required("SignerInfo.version")?, "SignerInfo.version")?;
        let sid = SignerIdentifier::from_tlv(fields.required("SignerInfo.sid")?)?;
        let digest_algorithm = AlgorithmIdentifier::from_tlv(
            fields.required("SignerInfo.digestAlgorithm")?,
            "SignerInfo.digestAlgorithm",
        )?;
        let signed_attrs = fields
            .optional("SignerInfo.signedAttrs", Tag::context(0, true))?
            .map(SignedAttributes::from_tlv)
            .transpose()?;
        let signature_algorithm = AlgorithmIdentifier::from_tlv(
            fields.required("SignerInfo.signatureAlgorithm")?,
            "SignerInfo.signatureAlgorithm",
        )?;
        let signature = read::octet_string(
            fields.required("SignerInfo.signature")?,
            "SignerInfo.signature",
            Tag::OCTET_STRING,
        )?;
        let unsigned_attrs = fields
            .optional("SignerInfo.unsignedAttrs", Tag::context(1, true))?
            .map(UnsignedAttributes::from_tlv)
            .transpose()?;
        fields.finish()?;
        Ok(Self {
            version,
            sid,
            digest_algorithm,
            signed_attrs,
            signature_algorithm,
            signature,
            unsigned_attrs,
            raw: tlv.raw(),
        })
    }

    /// The RFC 3161 time-stamp tokens over this signature (id-aa-signatureTimeStampToken),
    /// each the complete encoding of a ContentInfo.
    pub fn signature_time_stamp_tokens(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.unsigned_attrs
            .iter()
            .flat_map(UnsignedAttributes::signature_time_stamp_tokens)
    }
}
