//! A cursor over DER content for OCSP messages (RFC 6960 §4: DER throughout): one-byte tags,
//! definite minimal lengths (the crate's strict `revocation::der` reader), raw spans kept for
//! what is hashed or signed. Every method names the field it reads, for the error.

use crate::revocation::der;

use super::error::OcspError;

/// Universal and context-specific tags OCSP uses (X.690 §8.1.2, one octet).
pub(super) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const ENUMERATED: u8 = 0x0A;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;

    /// `[n]` constructed (EXPLICIT, or IMPLICIT over a constructed type).
    pub(crate) const fn context(n: u8) -> u8 {
        0xA0 | n
    }

    /// `[n]` primitive (IMPLICIT over a primitive type).
    pub(crate) const fn context_primitive(n: u8) -> u8 {
        0x80 | n
    }
}

/// One element: its tag, content and complete encoding.
#[derive(Debug, Clone, Copy)]
pub(super) struct Element<'a> {
    pub(super) tag: u8,
    pub(super) content: &'a [u8],
    pub(super) raw: &'a [u8],
}

/// The elements of a constructed value's content, in order.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(content: &'a [u8]) -> Self {
        Self { rest: content }
    }

    /// The content of the single element `input` must consist of, with tag `tag`.
    pub(super) fn single(input: &'a [u8], tag: u8, field: &'static str) -> Result<Self, OcspError> {
        let mut outer = Self::new(input);
        let content = outer.expect(tag, field)?;
        outer.finish(field)?;
        Ok(Self::new(content))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element, whatever its tag.
    pub(super) fn next(&mut self, field: &'static str) -> Result<Element<'a>, OcspError> {
        let (tag, content, rest) = der::read(self.rest).ok_or(OcspError::Malformed(field))?;
        let raw = self
            .rest
            .get(..self.rest.len() - rest.len())
            .ok_or(OcspError::Malformed(field))?;
        self.rest = rest;
        Ok(Element { tag, content, raw })
    }

    /// The next element, which must have tag `tag`.
    pub(super) fn expect_element(
        &mut self,
        tag: u8,
        field: &'static str,
    ) -> Result<Element<'a>, OcspError> {
        let element = self.next(field)?;
        if element.tag != tag {
            return Err(OcspError::Malformed(field));
        }
        Ok(element)
    }

    /// The content of the next element, which must have tag `tag`.
    pub(super) fn expect(&mut self, tag: u8, field: &'static str) -> Result<&'a [u8], OcspError> {
        self.expect_element(tag, field).map(|e| e.content)
    }

    /// The next element if it has tag `tag` (an OPTIONAL or DEFAULT field).
    pub(super) fn optional(
        &mut self,
        tag: u8,
        field: &'static str,
    ) -> Result<Option<Element<'a>>, OcspError> {
        match self.rest.first() {
            Some(&found) if found == tag => self.next(field).map(Some),
            _ => Ok(None),
        }
    }

    /// Nothing may follow.
    pub(super) fn finish(&self, field: &'static str) -> Result<(), OcspError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(OcspError::Malformed(field))
        }
    }
}

/// A GeneralizedTime content `YYYYMMDDHHMMSSZ` as unix seconds (RFC 5280 §4.1.2.5.2, which
/// RFC 6960 §4.2.2.1 refers to for its times: no fractions, UTC).
pub(super) fn generalized_time(content: &[u8], field: &'static str) -> Result<i64, OcspError> {
    der::generalized_time(content).ok_or(OcspError::Malformed(field))
}

/// An OBJECT IDENTIFIER's content octets, checked well formed.
pub(super) fn oid<'a>(reader: &mut Reader<'a>, field: &'static str) -> Result<&'a [u8], OcspError> {
    let content = reader.expect(tag::OID, field)?;
    if der::is_oid(content) {
        Ok(content)
    } else {
        Err(OcspError::Malformed(field))
    }
}

/// A DER INTEGER's content octets, checked minimal (X.690 §8.3.2) and not empty.
pub(super) fn integer<'a>(
    reader: &mut Reader<'a>,
    field: &'static str,
) -> Result<&'a [u8], OcspError> {
    let content = reader.expect(tag::INTEGER, field)?;
    match content {
        [] => Err(OcspError::Malformed(field)),
        [0x00, next, ..] if next & 0x80 == 0 => Err(OcspError::Malformed(field)),
        [0xFF, next, ..] if next & 0x80 != 0 => Err(OcspError::Malformed(field)),
        _ => Ok(content),
    }
}

/// A DER BOOLEAN (X.690 §11.1: FALSE is 0x00, TRUE is 0xFF).
pub(super) fn boolean(content: &[u8], field: &'static str) -> Result<bool, OcspError> {
    match content {
        [0x00] => Ok(false),
        [0xFF] => Ok(true),
        _ => Err(OcspError::Malformed(field)),
    }
}

/// The dotted form of OID content octets, for messages.
pub(super) fn dotted(content: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = 0;
    for &b in content {
        value = (value << 7) | u128::from(b & 0x7F);
        if b & 0x80 == 0 {
            arcs.push(value);
            value = 0;
        }
    }
    let mut out = String::new();
    if let Some(&first) = arcs.first() {
        let (a, b) = match first {
            0..=39 => (0, first),
            40..=79 => (1, first - 40),
            _ => (2, first - 80),
        };
        out = format!("{a}.{b}");
    }
    for arc in arcs.iter().skip(1) {
        out.push_str(&format!(".{arc}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_must_be_minimal() {
        let read = |bytes: &[u8]| integer(&mut Reader::new(bytes), "x").map(<[u8]>::to_vec);
        assert_eq!(read(&[2, 1, 5]), Ok(vec![5]));
        assert_eq!(read(&[2, 2, 0, 0x80]), Ok(vec![0, 0x80]));
        assert!(read(&[2, 2, 0, 0x7F]).is_err());
        assert!(read(&[2, 2, 0xFF, 0x80]).is_err());
        assert!(read(&[2, 0]).is_err());
        assert!(read(&[4, 1, 5]).is_err());
    }

    #[test]
    fn dotted_oids() {
        assert_eq!(
            dotted(&[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]),
            "1.3.6.1.5.5.7.48.1.1"
        );
        assert_eq!(dotted(&[0x55, 0x1D, 0x15]), "2.5.29.21");
    }

    #[test]
    fn optional_fields_and_the_end() {
        let mut reader = Reader::new(&[0xA0, 0x00, 0x05, 0x00]);
        assert!(reader.optional(0xA1, "x").unwrap().is_none());
        assert_eq!(
            reader.optional(0xA0, "x").unwrap().map(|e| e.raw),
            Some(&[0xA0, 0][..])
        );
        assert!(reader.finish("x").is_err());
        assert!(reader.expect(tag::NULL, "x").is_ok());
        assert!(reader.finish("x").is_ok() && reader.is_empty());
    }
}
