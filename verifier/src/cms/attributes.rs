//! Signed and unsigned attributes (RFC 5652 §5.3, §11; ESS RFC 2634 §5.4, RFC 5035 §3;
//! RFC 3161 appendix A).

use std::borrow::Cow;

use crate::ber::{Tag, Tlv};
use crate::cms::CmsError;
use crate::cms::algorithm::AlgorithmIdentifier;
use crate::cms::read::{self, Fields};
use crate::oid::{self, Oid};
use crate::time::Time;

/// `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }`
/// (RFC 5652 §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attribute<'a> {
    /// The attribute type.
    pub attr_type: Oid<'a>,
    /// The complete encoding of each AttributeValue, in input order.
    pub values: Vec<&'a [u8]>,
    /// The complete encoding of the Attribute.
    pub raw: &'a [u8],
}

impl<'a> Attribute<'a> {
    /// Parses one Attribute and returns it with its values as TLVs.
    fn from_tlv(tlv: Tlv<'a>, field: &'static str) -> Result<(Self, Vec<Tlv<'a>>), CmsError> {
        let tlv = read::constructed(tlv, field, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, field);
        let attr_type = read::oid(fields.required("Attribute.attrType")?, "Attribute.attrType")?;
        let set = read::constructed(
            fields.required("Attribute.attrValues")?,
            "Attribute.attrValues",
            Tag::SET,
        )?;
        fields.finish()?;
        let mut items = Fields::new(&set, "Attribute.attrValues");
        let mut values = Vec::new();
        while let Some(value) = items.next("Attribute.attrValues")? {
            values.push(value);
        }
        let attribute = Self {
            attr_type,
            values: values.iter().map(Tlv::raw).collect(),
            raw: tlv.raw(),
        };
        Ok((attribute, values))
    }
}

/// Reads `SET SIZE (1..MAX) OF Attribute` from the content of `tlv` (the `[0]`/`[1]`
/// IMPLICIT tag was checked by the caller).
fn attributes<'a>(
    tlv: &Tlv<'a>,
    field: &'static str,
) -> Result<Vec<(Attribute<'a>, Vec<Tlv<'a>>)>, CmsError> {
    let mut fields = Fields::new(tlv, field);
    let mut out = Vec::new();
    while let Some(item) = fields.next(field)? {
        out.push(Attribute::from_tlv(item, field)?);
    }
    if out.is_empty() {
        return Err(CmsError::EmptyCollection(field));
    }
    Ok(out)
}

/// `SignedAttributes ::= SET SIZE (1..MAX) OF Attribute`, the `signedAttrs [0] IMPLICIT` field
/// of a SignerInfo (RFC 5652 §5.3).
///
/// The attributes are kept in input order and their original bytes are kept whole: the
/// signature covers exactly these bytes with the `[0]` tag replaced by a SET tag (RFC 5652
/// §5.4). Nothing is re-encoded or re-sorted, so signers that emit attributes out of DER order
/// still verify.
///
/// The attributes this layer understands are also decoded. RFC 5652 §5.3 requires contentType
/// and messageDigest whenever signed attributes are present, and §11 allows a single instance
/// with a single value of contentType, messageDigest and signingTime; the ESS
/// signing-certificate attributes are held to the same rule. A violation is a parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedAttributes<'a> {
    /// The complete original encoding, starting with its `[0]` IMPLICIT tag (`0xA0`).
    pub raw: &'a [u8],
    /// All attributes, in input order.
    pub attributes: Vec<Attribute<'a>>,
    /// content-type (RFC 5652 §11.1).
    pub content_type: Oid<'a>,
    /// message-digest (RFC 5652 §11.2): the digest of the eContent, as stored.
    pub message_digest: Cow<'a, [u8]>,
    /// signing-time (RFC 5652 §11.3): the time the signer claims, if given.
    pub signing_time: Option<Time>,
    /// ESS signing-certificate (RFC 2634 §5.4), SHA-1 certificate hashes.
    pub signing_certificate: Option<SigningCertificate<'a>>,
    /// ESS signing-certificate-v2 (RFC 5035 §3).
    pub signing_certificate_v2: Option<SigningCertificateV2<'a>>,
}

/// The SET OF tag that replaces `[0]` in the bytes that are signed (RFC 5652 §5.4).
const SET_TAG: &[u8] = &[0x31];

impl<'a> SignedAttributes<'a> {
    pub(crate) fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignerInfo.signedAttrs";
        let tlv = read::constructed(tlv, FIELD, Tag::context(0, true))?;
        let all = attributes(&tlv, FIELD)?;

        let mut content_type = None;
        let mut message_digest = None;
        let mut signing_time = None;
        let mut signing_certificate = None;
        let mut signing_certificate_v2 = None;
        for (attribute, values) in &all {
            let t = attribute.attr_type;
            if t == oid::ID_CONTENT_TYPE {
                let value = single_value(values, "contentType")?;
                let parsed = read::oid(value, "contentType attribute")?;
                set_once(&mut content_type, parsed, "contentType")?;
            } else if t == oid::ID_MESSAGE_DIGEST {
                let value = single_value(values, "messageDigest")?;
                let parsed =
                    read::octet_string(value, "messageDigest attribute", Tag::OCTET_STRING)?;
                set_once(&mut message_digest, parsed, "messageDigest")?;
            } else if t == oid::ID_SIGNING_TIME {
                let value = single_value(values, "signingTime")?;
                let parsed = read::time(value, "signingTime attribute")?;
                set_once(&mut signing_time, parsed, "signingTime")?;
            } else if t == oid::ID_AA_SIGNING_CERTIFICATE {
                let value = single_value(values, "signingCertificate")?;
                let parsed = SigningCertificate::from_tlv(value)?;
                set_once(&mut signing_certificate, parsed, "signingCertificate")?;
            } else if t == oid::ID_AA_SIGNING_CERTIFICATE_V2 {
                let value = single_value(values, "signingCertificateV2")?;
                let parsed = SigningCertificateV2::from_tlv(value)?;
                set_once(&mut signing_certificate_v2, parsed, "signingCertificateV2")?;
            }
        }
        Ok(Self {
            raw: tlv.raw(),
            attributes: all.into_iter().map(|(a, _)| a).collect(),
            content_type: content_type.ok_or(CmsError::MissingAttribute("contentType"))?,
            message_digest: message_digest.ok_or(CmsError::MissingAttribute("messageDigest"))?,
            signing_time,
            signing_certificate,
            signing_certificate_v2,
        })
    }

    /// The message the signature is computed over, in two pieces to feed a hash without
    /// copying: the SET tag `0x31`, then the original encoding after its `[0]` tag byte
    /// (RFC 5652 §5.4).
    pub fn bytes_to_verify_parts(&self) -> [&'a [u8]; 2] {
        // `raw` starts with the one-byte identifier 0xA0: `[0]` always uses the low tag form
        // (the reader rejects a non-minimal high form).
        [SET_TAG, self.raw.get(1..).unwrap_or_default()]
    }

    /// The message the signature is computed over: the original encoding with its first byte
    /// (`[0]`, `0xA0`) replaced by the SET tag `0x31` (RFC 5652 §5.4).
    pub fn bytes_to_verify(&self) -> Vec<u8> {
        self.bytes_to_verify_parts().concat()
    }

    /// The first attribute of type `attr_type`, if any.
    pub fn get(&self, attr_type: &Oid<'_>) -> Option<&Attribute<'a>> {
        self.attributes.iter().find(|a| a.attr_type == *attr_type)
    }
}

fn single_value<'a>(values: &[Tlv<'a>], attribute: &'static str) -> Result<Tlv<'a>, CmsError> {
    match values {
        [value] => Ok(*value),
        _ => Err(CmsError::AttributeValueCount {
            attribute,
            count: values.len(),
        }),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, attribute: &'static str) -> Result<(), CmsError> {
    if slot.is_some() {
        return Err(CmsError::DuplicateAttribute(attribute));
    }
    *slot = Some(value);
    Ok(())
}

/// `UnsignedAttributes ::= SET SIZE (1..MAX) OF Attribute`, the `unsignedAttrs [1] IMPLICIT`
/// field of a SignerInfo (RFC 5652 §5.3), kept raw for the layers that interpret them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnsignedAttributes<'a> {
    /// The complete original encoding, starting with its `[1]` IMPLICIT tag (`0xA1`).
    pub raw: &'a [u8],
    /// All attributes, in input order.
    pub attributes: Vec<Attribute<'a>>,
}

impl<'a> UnsignedAttributes<'a> {
    pub(crate) fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "SignerInfo.unsignedAttrs";
        let tlv = read::constructed(tlv, FIELD, Tag::context(1, true))?;
        let all = attributes(&tlv, FIELD)?;
        for (attribute, values) in &all {
            if attribute.attr_type == oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN {
                // Each value is a TimeStampToken, a ContentInfo (RFC 3161 §2.4.2).
                for value in values {
                    read::constructed(*value, "signatureTimeStampToken attribute", Tag::SEQUENCE)?;
                }
            }
        }
        Ok(Self {
            raw: tlv.raw(),
            attributes: all.into_iter().map(|(a, _)| a).collect(),
        })
    }

    /// The complete encoding (a ContentInfo) of every RFC 3161 TimeStampToken in
    /// id-aa-signatureTimeStampToken attributes (RFC 3161 appendix A), in input order.
    pub fn signature_time_stamp_tokens(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.values_of(oid::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
    }

    /// The complete encoding (a SignerInfo) of every countersignature (RFC 5652 §11.4).
    pub fn countersignatures(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.values_of(oid::ID_COUNTERSIGNATURE)
    }

    fn values_of(&self, attr_type: Oid<'static>) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.attributes
            .iter()
            .filter(move |a| a.attr_type == attr_type)
            .flat_map(|a| a.values.iter().copied())
    }
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
/// (RFC 5035 §4, RFC 5755 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuerSerial<'a> {
    /// The complete encoding of the issuer's GeneralNames.
    pub issuer: &'a [u8],
    /// The complete encoding of the Name inside the first `directoryName [4]` of `issuer`,
    /// comparable with a certificate's issuer field.
    pub issuer_directory_name: Option<&'a [u8]>,
    /// The content octets of the serial number INTEGER.
    pub serial_number: &'a [u8],
}

impl<'a> IssuerSerial<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        const FIELD: &str = "IssuerSerial";
        let tlv = read::constructed(tlv, FIELD, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, FIELD);
        let issuer = read::constructed(
            fields.required("IssuerSerial.issuer")?,
            "IssuerSerial.issuer",
            Tag::SEQUENCE,
        )?;
        let serial_number = read::integer(
            fields.required("IssuerSerial.serialNumber")?,
            "IssuerSerial.serialNumber",
        )?;
        fields.finish()?;

        let mut names = Fields::new(&issuer, "IssuerSerial.issuer");
        let mut issuer_directory_name = None;
        let mut count = 0usize;
        while let Some(name) = names.next("IssuerSerial.issuer")? {
            count += 1;
            if issuer_directory_name.is_none() && name.tag() == Tag::context(4, true) {
                // directoryName [4] Name: EXPLICIT, since Name is a CHOICE (X.680 §31.2.7).
                let mut inner = Fields::new(&name, "IssuerSerial.issuer directoryName");
                let rdn = read::constructed(
                    inner.required("IssuerSerial.issuer directoryName")?,
                    "IssuerSerial.issuer directoryName",
                    Tag::SEQUENCE,
                )?;
                inner.finish()?;
                issuer_directory_name = Some(rdn.raw());
            }
        }
        if count == 0 {
            return Err(CmsError::EmptyCollection("IssuerSerial.issuer"));
        }
        Ok(Self {
            issuer: issuer.raw(),
            issuer_directory_name,
            serial_number,
        })
    }
}

/// `ESSCertID ::= SEQUENCE { certHash Hash, issuerSerial IssuerSerial OPTIONAL }`
/// (RFC 2634 §5.4.1); the hash is SHA-1 of the whole certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EssCertId<'a> {
    /// SHA-1 of the certificate's DER encoding.
    pub cert_hash: Cow<'a, [u8]>,
    /// The certificate's issuer and serial number, if given.
    pub issuer_serial: Option<IssuerSerial<'a>>,
}

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies SEQUENCE OF
/// PolicyInformation OPTIONAL }` (RFC 2634 §5.4). The first ESSCertID identifies the signer's
/// certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningCertificate<'a> {
    /// The certificate identifiers, the signer's first.
    pub certs: Vec<EssCertId<'a>>,
    /// The complete encoding of `policies`, if present.
    pub policies: Option<&'a [u8]>,
}

impl<'a> SigningCertificate<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        let (ids, policies) = signing_certificate_fields(
            tlv,
            (
                "SigningCertificate",
                "SigningCertificate.certs",
                "SigningCertificate.policies",
            ),
        )?;
        let certs = ids
            .into_iter()
            .map(|id| {
                let id = read::constructed(id, "ESSCertID", Tag::SEQUENCE)?;
                let mut fields = Fields::new(&id, "ESSCertID");
                let cert_hash = read::octet_string(
                    fields.required("ESSCertID.certHash")?,
                    "ESSCertID.certHash",
                    Tag::OCTET_STRING,
                )?;
                let issuer_serial = fields
                    .optional("ESSCertID.issuerSerial", Tag::SEQUENCE)?
                    .map(IssuerSerial::from_tlv)
                    .transpose()?;
                fields.finish()?;
                Ok(EssCertId {
                    cert_hash,
                    issuer_serial,
                })
            })
            .collect::<Result<_, CmsError>>()?;
        Ok(Self { certs, policies })
    }
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm
/// id-sha256}, certHash Hash, issuerSerial IssuerSerial OPTIONAL }` (RFC 5035 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EssCertIdV2<'a> {
    /// The hash algorithm as encoded; `None` when omitted, which means SHA-256.
    pub hash_algorithm: Option<AlgorithmIdentifier<'a>>,
    /// The hash of the certificate's DER encoding.
    pub cert_hash: Cow<'a, [u8]>,
    /// The certificate's issuer and serial number, if given.
    pub issuer_serial: Option<IssuerSerial<'a>>,
}

impl<'a> EssCertIdV2<'a> {
    /// The hash algorithm, with the DEFAULT (id-sha256) applied.
    pub fn hash_algorithm_oid(&self) -> Oid<'a> {
        self.hash_algorithm
            .map_or(oid::ID_SHA256, |alg| alg.algorithm)
    }
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF
/// PolicyInformation OPTIONAL }` (RFC 5035 §3). The first ESSCertIDv2 identifies the signer's
/// certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningCertificateV2<'a> {
    /// The certificate identifiers, the signer's first.
    pub certs: Vec<EssCertIdV2<'a>>,
    /// The complete encoding of `policies`, if present.
    pub policies: Option<&'a [u8]>,
}

impl<'a> SigningCertificateV2<'a> {
    fn from_tlv(tlv: Tlv<'a>) -> Result<Self, CmsError> {
        let (ids, policies) = signing_certificate_fields(
            tlv,
            (
                "SigningCertificateV2",
                "SigningCertificateV2.certs",
                "SigningCertificateV2.policies",
            ),
        )?;
        let certs = ids
            .into_iter()
            .map(|id| {
                let id = read::constructed(id, "ESSCertIDv2", Tag::SEQUENCE)?;
                let mut fields = Fields::new(&id, "ESSCertIDv2");
                let hash_algorithm = fields
                    .optional("ESSCertIDv2.hashAlgorithm", Tag::SEQUENCE)?
                    .map(|t| AlgorithmIdentifier::from_tlv(t, "ESSCertIDv2.hashAlgorithm"))
                    .transpose()?;
                let cert_hash = read::octet_string(
                    fields.required("ESSCertIDv2.certHash")?,
                    "ESSCertIDv2.certHash",
                    Tag::OCTET_STRING,
                )?;
                let issuer_serial = fields
                    .optional("ESSCertIDv2.issuerSerial", Tag::SEQUENCE)?
                    .map(IssuerSerial::from_tlv)
                    .transpose()?;
                fields.finish()?;
                Ok(EssCertIdV2 {
                    hash_algorithm,
                    cert_hash,
                    issuer_serial,
                })
            })
            .collect::<Result<_, CmsError>>()?;
        Ok(Self { certs, policies })
    }
}

/// The `certs` elements (at least one) and the raw `policies` of either signing-certificate
/// syntax; `names` are the field names for errors: (structure, certs, policies).
fn signing_certificate_fields<'a>(
    tlv: Tlv<'a>,
    (field, certs_field, policies_field): (&'static str, &'static str, &'static str),
) -> Result<(Vec<Tlv<'a>>, Option<&'a [u8]>), CmsError> {
    let tlv = read::constructed(tlv, field, Tag::SEQUENCE)?;
    let mut fields = Fields::new(&tlv, field);
    let certs = read::constructed(fields.required(certs_field)?, certs_field, Tag::SEQUENCE)?;
    let policies = fields
        .optional(policies_field, Tag::SEQUENCE)?
        .map(|p| p.raw());
    fields.finish()?;
    let mut items = Fields::new(&certs, certs_field);
    let mut ids = Vec::new();
    while let Some(id) = items.next(certs_field)? {
        ids.push(id);
    }
    if ids.is_empty() {
        return Err(CmsError::EmptyCollection(certs_field));
    }
    Ok((ids, policies))
}
