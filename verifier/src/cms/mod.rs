//! Cryptographic Message Syntax: ContentInfo and SignedData (RFC 5652), parsed zero-copy from
//! BER or DER.
//!
//! Every value a later layer hashes or hands on (signedAttrs, eContent, certificates, CRLs,
//! the signature, unsigned attributes) is kept as the exact bytes of the input. Nothing is
//! re-encoded and no SET OF is re-sorted (RustCrypto's `cms`/`der` sort SET OF on decoding,
//! which breaks signatures over unsorted attributes; they are deliberately not used).

mod algorithm;
mod attributes;
mod error;
mod read;
mod signed_data;
mod signer_info;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

pub use algorithm::AlgorithmIdentifier;
pub use attributes::{
    Attribute, EssCertId, EssCertIdV2, IssuerSerial, SignedAttributes, SigningCertificate,
    SigningCertificateV2, UnsignedAttributes,
};
pub use error::CmsError;
pub use signed_data::{
    CertificateChoice, EncapsulatedContentInfo, RevocationInfoChoice, SignedData,
};
pub use signer_info::{IssuerAndSerialNumber, SignerIdentifier, SignerInfo};

use crate::ber::{Tag, Tlv};
use crate::oid::{self, Oid};
use read::Fields;

/// `ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY DEFINED BY
/// contentType }` (RFC 5652 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContentInfo<'a> {
    /// The content type.
    pub content_type: Oid<'a>,
    /// The content: the single element inside `[0]`.
    pub content: Tlv<'a>,
    /// The complete encoding of the ContentInfo.
    pub raw: &'a [u8],
}

/// Parses a ContentInfo of any content type (for example an RFC 3161 TimeStampToken taken
/// from [`UnsignedAttributes::signature_time_stamp_tokens`]). The whole input must be one
/// ContentInfo.
pub fn parse_content_info(bytes: &[u8]) -> Result<ContentInfo<'_>, CmsError> {
    const FIELD: &str = "ContentInfo";
    if bytes.is_empty() {
        return Err(CmsError::EmptyInput);
    }
    let (tlv, rest) = Tlv::parse_prefix(bytes).map_err(CmsError::ber(FIELD))?;
    if !rest.is_empty() {
        return Err(CmsError::TrailingData(FIELD));
    }
    let tlv = read::constructed(tlv, FIELD, Tag::SEQUENCE)?;
    let mut fields = Fields::new(&tlv, FIELD);
    let content_type = read::oid(
        fields.required("ContentInfo.contentType")?,
        "ContentInfo.contentType",
    )?;
    const CONTENT: &str = "ContentInfo.content";
    let explicit = read::constructed(fields.required(CONTENT)?, CONTENT, Tag::context(0, true))?;
    fields.finish()?;
    let mut inner = Fields::new(&explicit, CONTENT);
    let content = inner.required(CONTENT)?;
    inner.finish()?;
    Ok(ContentInfo {
        content_type,
        content,
        raw: tlv.raw(),
    })
}

/// Parses a CMS `ContentInfo` holding a `SignedData` (RFC 5652 §3, §5), given as DER or BER
/// bytes (see [`crate::input::decode_cms`] for PEM and base64 text).
///
/// The result borrows from `bytes`. Any malformed input, however mangled, gives a
/// [`CmsError`] naming the problem; this function never panics. Structural rules of RFC 5652
/// are checked (required fields and attributes, single-valued attributes, no trailing data);
/// the signature, digests and certificates are not verified here.
pub fn parse_signed_data(bytes: &[u8]) -> Result<SignedData<'_>, CmsError> {
    let content_info = parse_content_info(bytes)?;
    if content_info.content_type != oid::ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData {
            content_type: content_info.content_type.to_string(),
        });
    }
    SignedData::from_tlv(content_info.content)
}
