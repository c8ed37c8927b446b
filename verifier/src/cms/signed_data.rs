//! SignedData, EncapsulatedContentInfo, CertificateChoices and RevocationInfoChoice
//! (RFC 5652 §5.1, §5.2, §10.2.1, §10.2.2).

use std::borrow::Cow;

use crate::ber::{Tag, Tlv};
use crate::cms::CmsError;
use crate::cms::algorithm::{self, AlgorithmIdentifier};
use crate::cms::read::{self, Fields};
use crate::cms::signer_info::SignerInfo;
use crate::oid::Oid;

/// `EncapsulatedContentInfo ::= SEQUENCE { eContentType ContentType, eContent [0] EXPLICIT
/// OCTET STRING OPTIONAL }` (RFC 5652 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncapsulatedContentInfo<'a> {
    /// The type of the signed content (id-data for documents).
    pub e_content_type: Oid<'a>,
    /// The signed content of an attached signature; `None` for a detached one.
    ///
    /// Borrowed from the input when the OCTET STRING is primitive; when a BER signer split
    /// it into segments (constructed form), this holds their concatenation.
    pub e_content: Option<Cow<'a, [u8]>>,
    /// The complete encoding of the EncapsulatedContentInfo.
    pub raw: &'a [u8],
}

impl<'a> EncapsulatedContentInfo<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignedData.encapContentInfo";
        let tlv = read::constructed(tlv, FIELD, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, FIELD);
        let e_content_type = read::oid(
            fields.required("EncapsulatedContentInfo.eContentType")?,
            "EncapsulatedContentInfo.eContentType",
        )?;
        let e_content = match fields
            .optional("EncapsulatedContentInfo.eContent", Tag::context(0, true))?
        {
            None => None,
            Some(explicit) => {
                const INNER: &str = "EncapsulatedContentInfo.eContent";
                let explicit = read::constructed(explicit, INNER, Tag::context(0, true))?;
                let mut inner = Fields::new(&explicit, INNER);
                let value = read::octet_string(inner.required(INNER)?, INNER, Tag::OCTET_STRING)?;
                inner.finish()?;
                Some(value)
            }
        };
        fields.finish()?;
        Ok(Self {
            e_content_type,
            e_content,
            raw: tlv.raw(),
        })
    }
}

/// One element of `CertificateSet ::= SET OF CertificateChoices` (RFC 5652 §10.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateChoice<'a> {
    /// An X.509 Certificate: its complete original encoding, to hand to x509-parser.
    Certificate(&'a [u8]),
    /// extendedCertificate `[0]` (obsolete), v1AttrCert `[1]`, v2AttrCert `[2]` or other `[3]`:
    /// the complete encoding.
    Other {
        /// The choice's tag.
        tag: Tag,
        /// The complete encoding.
        raw: &'a [u8],
    },
}

impl<'a> CertificateChoice<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignedData.certificates";
        let tag = tlv.tag();
        if tag == Tag::SEQUENCE {
            return Ok(Self::Certificate(tlv.raw()));
        }
        if tag.class == crate::ber::Class::ContextSpecific && tag.constructed && tag.number <= 3 {
            return Ok(Self::Other {
                tag,
                raw: tlv.raw(),
            });
        }
        Err(CmsError::UnexpectedTag {
            field: FIELD,
            expected: Tag::SEQUENCE,
            found: tag,
        })
    }
}

/// One element of `RevocationInfoChoices ::= SET OF RevocationInfoChoice` (RFC 5652 §10.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationInfoChoice<'a> {
    /// An X.509 CertificateList (CRL): its complete original encoding.
    Crl(&'a [u8]),
    /// `other [1] IMPLICIT OtherRevocationInfoFormat` (e.g. an OCSP response, RFC 5940).
    Other {
        /// otherRevInfoFormat.
        format: Oid<'a>,
        /// The complete encoding of otherRevInfo.
        info: &'a [u8],
        /// The complete encoding of the choice.
        raw: &'a [u8],
    },
}

impl<'a> RevocationInfoChoice<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignedData.crls";
        if tlv.tag() == Tag::SEQUENCE {
            return Ok(Self::Crl(tlv.raw()));
        }
        const OTHER: &str = "OtherRevocationInfoFormat";
        let other = read::constructed(tlv, FIELD, Tag::context(1, true))?;
        let mut fields = Fields::new(&other, OTHER);
        let format = read::oid(
            fields.required("OtherRevocationInfoFormat.otherRevInfoFormat")?,
            "OtherRevocationInfoFormat.otherRevInfoFormat",
        )?;
        let info = fields.required("OtherRevocationInfoFormat.otherRevInfo")?;
        fields.finish()?;
        Ok(Self::Other {
            format,
            info: info.raw(),
            raw: other.raw(),
        })
    }
}

/// The signed-data content type (RFC 5652 §5.1):
///
/// ```text
/// SignedData ::= SEQUENCE {
///   version CMSVersion,
///   digestAlgorithms DigestAlgorithmIdentifiers,
///   encapContentInfo EncapsulatedContentInfo,
///   certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///   signerInfos SignerInfos }
/// ```
///
/// All SET OF fields keep the order of the input. A SignedData with no SignerInfo (the
/// "degenerate" certificates-only form) parses; [`has_signers`](Self::has_signers) tells, and
/// a verifier must not report it as a valid signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedData<'a> {
    /// CMSVersion.
    pub version: u32,
    /// digestAlgorithms (advisory: each SignerInfo names its own).
    pub digest_algorithms: Vec<AlgorithmIdentifier<'a>>,
    /// The signed content and its type.
    pub encap_content_info: EncapsulatedContentInfo<'a>,
    /// `certificates [0]`; empty when the field is absent.
    pub certificates: Vec<CertificateChoice<'a>>,
    /// `crls [1]`; empty when the field is absent.
    pub crls: Vec<RevocationInfoChoice<'a>>,
    /// `signerInfos`, possibly empty.
    pub signer_infos: Vec<SignerInfo<'a>>,
    /// The complete encoding of the SignedData.
    pub raw: &'a [u8],
}

impl<'a> SignedData<'a> {
    pub(crate) fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignedData";
        let tlv = read::constructed(tlv, FIELD, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, FIELD);
        let version = read::version(fields.required("SignedData.version")?, "SignedData.version")?;
        let digest_algorithms = algorithm::set_of(
            fields.required("SignedData.digestAlgorithms")?,
            "SignedData.digestAlgorithms",
        )?;
        let encap_content_info =
            EncapsulatedContentInfo::from_tlv(fields.required("SignedData.encapContentInfo")?)?;

        let mut certificates = Vec::new();
        if let Some(set) = fields.optional("SignedData.certificates", Tag::context(0, true))? {
            const CERTS: &str = "SignedData.certificates";
            let set = read::constructed(set, CERTS, Tag::context(0, true))?;
            let mut items = Fields::new(&set, CERTS);
            while let Some(item) = items.next(CERTS)? {
                certificates.push(CertificateChoice::from_tlv(item)?);
            }
        }
        let mut crls = Vec::new();
        if let Some(set) = fields.optional("SignedData.crls", Tag::context(1, true))? {
            const CRLS: &str = "SignedData.crls";
            let set = read::constructed(set, CRLS, Tag::context(1, true))?;
            let mut items = Fields::new(&set, CRLS);
            while let Some(item) = items.next(CRLS)? {
                crls.push(RevocationInfoChoice::from_tlv(item)?);
            }
        }

        const SIGNERS: &str = "SignedData.signerInfos";
        let set = read::constructed(fields.required(SIGNERS)?, SIGNERS, Tag::SET)?;
        fields.finish()?;
        let mut items = Fields::new(&set, SIGNERS);
        let mut signer_infos = Vec::new();
        while let Some(item) = items.next(SIGNERS)? {
            signer_infos.push(SignerInfo::from_tlv(item)?);
        }

        Ok(Self {
            version,
            digest_algorithms,
            encap_content_info,
            certificates,
            crls,
            signer_infos,
            raw: tlv.raw(),
        })
    }

    /// Whether there is at least one SignerInfo.
    pub fn has_signers(&self) -> bool {
        !self.signer_infos.is_empty()
    }

    /// Whether the content is detached (no eContent): it must be supplied separately.
    pub fn is_detached(&self) -> bool {
        self.encap_content_info.e_content.is_none()
    }

    /// The encapsulated content of an attached signature.
    pub fn content(&self) -> Option<&[u8]> {
        self.encap_content_info.e_content.as_deref()
    }

    /// The complete encoding of every X.509 certificate in `certificates`, in input order.
    pub fn x509_certificates(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.certificates.iter().filter_map(|c| match c {
            CertificateChoice::Certificate(raw) => Some(*raw),
            CertificateChoice::Other { .. } => None,
        })
    }

    /// The complete encoding of every X.509 CRL in `crls`, in input order.
    pub fn x509_crls(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.crls.iter().filter_map(|c| match c {
            RevocationInfoChoice::Crl(raw) => Some(*raw),
            RevocationInfoChoice::Other { .. } => None,
        })
    }
}
