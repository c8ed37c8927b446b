//! Field-level helpers over the TLV reader, turning BER problems into [`CmsError`]s that name
//! the field.

use std::borrow::Cow;

use crate::ber::{Children, Tag, Tlv};
use crate::cms::CmsError;
use crate::oid::Oid;
use crate::time::Time;

/// The fields of a constructed value, read in order.
pub(crate) struct Fields<'a> {
    children: Children<'a>,
    of: &'static str,
}

impl<'a> Fields<'a> {
    /// The fields inside `tlv` (already checked to be constructed), named `of` in errors.
    pub(crate) fn new(tlv: &Tlv<'a>, of: &'static str) -> Self {
        Self {
            children: tlv.children(),
            of,
        }
    }

    /// The next field, or `None` at the end.
    pub(crate) fn next(&mut self, field: &'static str) -> Result<Option<Tlv<'a>>, CmsError> {
        self.children.next_tlv().map_err(CmsError::ber(field))
    }

    /// The next field, which must be present.
    pub(crate) fn required(&mut self, field: &'static str) -> Result<Tlv<'a>, CmsError> {
        self.next(field)?.ok_or(CmsError::MissingField(field))
    }

    /// The next field if its class and number are those of `tag` (an OPTIONAL field).
    pub(crate) fn optional(
        &mut self,
        field: &'static str,
        tag: Tag,
    ) -> Result<Option<Tlv<'a>>, CmsError> {
        match self.children.peek_tag().map_err(CmsError::ber(field))? {
            Some(found) if found.same_type(&tag) => self.next(field),
            _ => Ok(None),
        }
    }

    /// Checks that no field is left.
    pub(crate) fn finish(self) -> Result<(), CmsError> {
        if self.children.is_empty() {
            Ok(())
        } else {
            Err(CmsError::TrailingData(self.of))
        }
    }
}

fn unexpected(field: &'static str, expected: Tag, found: Tag) -> CmsError {
    CmsError::UnexpectedTag {
        field,
        expected,
        found,
    }
}

/// Checks that `tlv` is the constructed encoding of `tag`'s class and number.
pub(crate) fn constructed<'a>(
    tlv: Tlv<'a>,
    field: &'static str,
    tag: Tag,
) -> Result<Tlv<'a>, CmsError> {
    let expected = Tag {
        constructed: true,
        ..tag
    };
    if tlv.tag() == expected {
        Ok(tlv)
    } else {
        Err(unexpected(field, expected, tlv.tag()))
    }
}

/// Checks that `tlv` is the primitive encoding of `tag`'s class and number.
pub(crate) fn primitive<'a>(
    tlv: Tlv<'a>,
    field: &'static str,
    tag: Tag,
) -> Result<Tlv<'a>, CmsError> {
    let expected = Tag {
        constructed: false,
        ..tag
    };
    if tlv.tag() == expected {
        Ok(tlv)
    } else {
        Err(unexpected(field, expected, tlv.tag()))
    }
}

/// An OCTET STRING (or a type implicitly tagged over one, with `tag`) in either BER form.
pub(crate) fn octet_string<'a>(
    tlv: Tlv<'a>,
    field: &'static str,
    tag: Tag,
) -> Result<Cow<'a, [u8]>, CmsError> {
    if !tlv.tag().same_type(&tag) {
        return Err(unexpected(field, tag, tlv.tag()));
    }
    tlv.octet_string_value().map_err(CmsError::ber(field))
}

/// An OBJECT IDENTIFIER.
pub(crate) fn oid<'a>(tlv: Tlv<'a>, field: &'static str) -> Result<Oid<'a>, CmsError> {
    let tlv = primitive(tlv, field, Tag::OID)?;
    Oid::from_content(tlv.content()).ok_or(CmsError::InvalidOid(field))
}

/// The content octets of an INTEGER (two's complement, big-endian), e.g. a serial number.
///
/// Only emptiness is rejected: serial numbers are compared byte for byte with those in
/// certificates, and a few real certificates carry non-minimal serials.
pub(crate) fn integer<'a>(tlv: Tlv<'a>, field: &'static str) -> Result<&'a [u8], CmsError> {
    let tlv = primitive(tlv, field, Tag::INTEGER)?;
    if tlv.content().is_empty() {
        return Err(CmsError::InvalidInteger(field));
    }
    Ok(tlv.content())
}

/// A CMSVersion or other small non-negative INTEGER, minimally encoded.
pub(crate) fn version(tlv: Tlv<'_>, field: &'static str) -> Result<u32, CmsError> {
    let content = integer(tlv, field)?;
    if let [first, second, ..] = content {
        let redundant =
            (*first == 0 && second & 0x80 == 0) || (*first == 0xff && second & 0x80 != 0);
        if redundant {
            return Err(CmsError::InvalidInteger(field));
        }
    }
    if content.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(CmsError::InvalidVersion(field));
    }
    let mut value: u32 = 0;
    for &b in content {
        value = value
            .checked_mul(256)
            .map(|v| v | u32::from(b))
            .ok_or(CmsError::InvalidVersion(field))?;
    }
    Ok(value)
}

/// A UTCTime or GeneralizedTime.
pub(crate) fn time(tlv: Tlv<'_>, field: &'static str) -> Result<Time, CmsError> {
    let parsed = if tlv.tag() == Tag::UTC_TIME {
        Time::parse_utc_time(tlv.content())
    } else if tlv.tag() == Tag::GENERALIZED_TIME {
        Time::parse_generalized_time(tlv.content())
    } else {
        return Err(unexpected(field, Tag::UTC_TIME, tlv.tag()));
    };
    parsed.map_err(|reason| CmsError::InvalidTime { field, reason })
}
