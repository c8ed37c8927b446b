//! AlgorithmIdentifier (RFC 5280 §4.1.1.2, used by RFC 5652 §10.1).

use crate::ber::{Tag, Tlv};
use crate::cms::CmsError;
use crate::cms::read::{self, Fields};
use crate::oid::Oid;

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`
/// (RFC 5280 §4.1.1.2).
///
/// The parameters are kept as their raw encoding: their syntax depends on the algorithm, which
/// a later layer interprets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlgorithmIdentifier<'a> {
    /// The algorithm.
    pub algorithm: Oid<'a>,
    /// The complete encoding of the parameters, if present.
    pub parameters: Option<&'a [u8]>,
    /// The complete encoding of the AlgorithmIdentifier.
    pub raw: &'a [u8],
}

impl<'a> AlgorithmIdentifier<'a> {
    pub(crate) fn from_tlv(tlv: Tlv<'a>, field: &'static str) -> Result<Self, CmsError> {
        let tlv = read::constructed(tlv, field, Tag::SEQUENCE)?;
        let mut fields = Fields::new(&tlv, field);
        let algorithm = read::oid(fields.required(field)?, field)?;
        let parameters = fields.next(field)?.map(|p| p.raw());
        fields.finish()?;
        Ok(Self {
            algorithm,
            parameters,
            raw: tlv.raw(),
        })
    }

    /// Whether the parameters are absent or NULL, as most hash and signature algorithms
    /// require (RFC 5754 §2, RFC 4055 §2.1 for RSA, NCA's GOST OIDs).
    pub fn parameters_absent_or_null(&self) -> bool {
        matches!(self.parameters, None | Some([0x05, 0x00]))
    }
}

/// `DigestAlgorithmIdentifiers ::= SET OF DigestAlgorithmIdentifier` (RFC 5652 §5.1), in the
/// order of the input.
pub(crate) fn set_of<'a>(
    tlv: Tlv<'a>,
    field: &'static str,
) -> Result<Vec<AlgorithmIdentifier<'a>>, CmsError> {
    let tlv = read::constructed(tlv, field, Tag::SET)?;
    let mut fields = Fields::new(&tlv, field);
    let mut out = Vec::new();
    while let Some(item) = fields.next(field)? {
        out.push(AlgorithmIdentifier::from_tlv(item, field)?);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<AlgorithmIdentifier<'_>, CmsError> {
        AlgorithmIdentifier::from_tlv(Tlv::parse_single(bytes).unwrap(), "test")
    }

    #[test]
    fn with_and_without_parameters() {
        // GOST 34.11-2015 512 with NULL, as NCA writes it.
        let with_null = [
            0x30, 0x0c, 0x06, 0x08, 0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x03, 0x03, 0x05, 0x00,
        ];
        let alg = parse(&with_null).unwrap();
        assert_eq!(alg.algorithm.to_string(), "1.2.398.3.10.1.3.3");
        assert_eq!(alg.parameters, Some(&[0x05, 0x00][..]));
        assert!(alg.parameters_absent_or_null());
        assert_eq!(alg.raw, &with_null[..]);

        let absent = [0x30, 0x03, 0x06, 0x01, 0x2a];
        assert_eq!(parse(&absent).unwrap().parameters, None);

        let other = [0x30, 0x06, 0x06, 0x01, 0x2a, 0x02, 0x01, 0x05];
        let alg = parse(&other).unwrap();
        assert_eq!(alg.parameters, Some(&[0x02, 0x01, 0x05][..]));
        assert!(!alg.parameters_absent_or_null());
    }

    #[test]
    fn malformed() {
        assert_eq!(parse(&[0x30, 0x00]), Err(CmsError::MissingField("test")));
        assert_eq!(
            parse(&[0x30, 0x07, 0x06, 0x01, 0x2a, 0x05, 0x00, 0x05, 0x00]),
            Err(CmsError::TrailingData("test"))
        );
        assert_eq!(
            parse(&[0x30, 0x03, 0x02, 0x01, 0x2a]),
            Err(CmsError::UnexpectedTag {
                field: "test",
                expected: Tag::OID,
                found: Tag::INTEGER
            })
        );
        assert_eq!(
            parse(&[0x30, 0x03, 0x06, 0x01, 0x80]),
            Err(CmsError::InvalidOid("test"))
        );
        assert!(matches!(
            parse(&[0x31, 0x03, 0x06, 0x01, 0x2a]),
            Err(CmsError::UnexpectedTag { .. })
        ));
    }
}
