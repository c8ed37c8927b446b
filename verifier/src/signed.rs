//! The envelope every signed X.509 object shares (RFC 5280 §4.1 and §5.1, the
//! `SIGNED{}` macro of X.509): `SEQUENCE { tbs, signatureAlgorithm,
//! signatureValue BIT STRING }`, read with the crate's own reader so that the
//! original `tbs` bytes, which the signature covers, are kept as received.

use crate::ber::{Tag, Tlv};

/// A certificate or CRL split into what is signed and the signature.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signed<'a> {
    /// `tbsCertificate` or `tbsCertList`, with its original bytes.
    pub tbs: Tlv<'a>,
    /// The outer `signatureAlgorithm`.
    pub signature_algorithm: Tlv<'a>,
    /// The `signatureValue` bits (a whole number of bytes).
    pub signature: &'a [u8],
}

impl<'a> Signed<'a> {
    /// Splits a DER-encoded signed object; the error says what is malformed.
    pub(crate) fn from_der(der: &'a [u8]) -> Result<Self, String> {
        let outer = Tlv::parse_single(der).map_err(|e| e.to_string())?;
        if outer.tag() != Tag::SEQUENCE || outer.is_indefinite() {
            return Err("not a DER SEQUENCE".into());
        }
        let mut fields = outer.children();
        let mut next = || -> Result<Tlv<'a>, String> {
            fields
                .next_tlv()
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "missing field".into())
        };
        let tbs = next()?;
        let signature_algorithm = next()?;
        let signature_value = next()?;
        if signature_value.tag() != Tag::BIT_STRING {
            return Err("signatureValue is not a BIT STRING".into());
        }
        let signature = match signature_value.content() {
            [0, sig @ ..] => sig,
            _ => return Err("signatureValue has unused bits".into()),
        };
        Ok(Self {
            tbs,
            signature_algorithm,
            signature,
        })
    }
}
