//! A small BER/DER tag-length-value reader (ITU-T X.690 §8) that keeps raw byte spans.
//!
//! # Why not `der-parser` / `asn1-rs`
//!
//! The parsing layer needs three things from its reader: BER with indefinite lengths, the exact
//! original bytes of every element it returns (signedAttrs, eContent, certificates, CRLs are
//! hashed or handed on as they were received), and a hard limit on nesting. `der-parser` 10 in
//! BER mode does parse indefinite lengths, but checking it on hand-made inputs showed three
//! problems for this use:
//!
//! - inside an indefinite-length value, an empty context-specific element such as `[0]` (`80 00`
//!   or `A0 00`) is taken for the end-of-contents marker, because only the tag *number* is
//!   compared: `30 80 A0 00 02 01 05 00 00` parses as an empty SEQUENCE with five bytes left
//!   over, instead of a SEQUENCE holding `[0]` and an INTEGER;
//! - a constructed OCTET STRING (the segmented eContent of BER signatures) is returned as the
//!   concatenated *encodings* of its segments, which the caller must re-parse anyway;
//! - it returns decoded objects, and the raw span of an element (header, content and
//!   end-of-contents octets) must be recovered by pointer arithmetic.
//!
//! A TLV reader that does exactly what is needed is about two hundred lines and is tested
//! here directly, so the crate uses its own. Everything returned borrows from the input; the
//! only allocation is the concatenation of a segmented (constructed) OCTET STRING.
//!
//! Accepted: low and high tag-number forms (minimal, number < 2³²), short and long definite
//! lengths (non-minimal long forms are legal BER and accepted), indefinite lengths on
//! constructed encodings, nested to at most [`MAX_DEPTH`] levels. Rejected with a
//! [`BerError`]: everything else, including truncation anywhere.

use std::borrow::Cow;
use std::fmt;

/// How deeply values may nest (the outermost value is level 0).
///
/// Real CMS nests about 20 levels at most (a time-stamp token inside an unsigned attribute,
/// certificates inside it, extensions inside those). Indefinite-length values are scanned
/// recursively to find their end, so this limit bounds the recursion.
pub const MAX_DEPTH: usize = 64;

/// A malformed BER encoding (ITU-T X.690 §8.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BerError {
    /// The data ends inside identifier or length octets.
    #[error("the data ends inside a tag or a length")]
    TruncatedHeader,
    /// A definite length runs past the end of the enclosing data.
    #[error("a length of {length} bytes runs past the end of the data ({available} bytes left)")]
    TruncatedContent {
        /// The length the encoding declares.
        length: usize,
        /// The bytes actually available after the header.
        available: usize,
    },
    /// A tag number in the high-tag-number form is not minimally encoded (X.690 §8.1.2.4).
    #[error("a tag number is not minimally encoded")]
    NonMinimalTag,
    /// A tag number does not fit in 32 bits.
    #[error("a tag number does not fit in 32 bits")]
    TagNumberTooLarge,
    /// The length octet 0xFF, reserved by X.690 §8.1.3.5 c.
    #[error("the reserved length octet 0xFF")]
    ReservedLength,
    /// A definite length does not fit in this machine's address space.
    #[error("a length does not fit in memory")]
    LengthTooLarge,
    /// A primitive encoding uses the indefinite length form (X.690 §8.1.3.2 a).
    #[error("a primitive value has an indefinite length")]
    IndefinitePrimitive,
    /// An indefinite-length value ends without end-of-contents octets.
    #[error("an indefinite-length value has no end-of-contents octets")]
    MissingEndOfContents,
    /// A universal tag 0 element that is not the two octets `00 00` (X.690 §8.1.5).
    #[error("malformed end-of-contents octets")]
    InvalidEndOfContents,
    /// End-of-contents octets where no indefinite-length value is open.
    #[error("end-of-contents octets outside an indefinite-length value")]
    UnexpectedEndOfContents,
    /// Values nest deeper than [`MAX_DEPTH`].
    #[error("values nest deeper than {limit} levels")]
    NestingTooDeep {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// Bytes follow the single element the data should consist of.
    #[error("{count} bytes follow the end of the encoded value")]
    TrailingData {
        /// How many bytes follow.
        count: usize,
    },
    /// A constructed OCTET STRING holds something other than OCTET STRING segments
    /// (X.690 §8.7.3.2).
    #[error("a constructed OCTET STRING holds a {found} segment")]
    InvalidSegment {
        /// The tag of the offending segment.
        found: Tag,
    },
}

/// The class of a tag (X.690 §8.1.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Universal (types defined by X.680).
    Universal,
    /// Application-wide.
    Application,
    /// Context-specific (`[n]` in ASN.1 modules).
    ContextSpecific,
    /// Private.
    Private,
}

/// An identifier: class, primitive/constructed form and tag number (X.690 §8.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    /// The tag class.
    pub class: Class,
    /// Whether the encoding is constructed (holds further TLVs).
    pub constructed: bool,
    /// The tag number.
    pub number: u32,
}

impl Tag {
    /// End-of-contents (universal 0, primitive).
    pub const END_OF_CONTENTS: Self = Self::universal(0, false);
    /// BOOLEAN.
    pub const BOOLEAN: Self = Self::universal(1, false);
    /// INTEGER.
    pub const INTEGER: Self = Self::universal(2, false);
    /// BIT STRING (primitive form).
    pub const BIT_STRING: Self = Self::universal(3, false);
    /// OCTET STRING (primitive form; BER also allows the constructed form).
    pub const OCTET_STRING: Self = Self::universal(4, false);
    /// NULL.
    pub const NULL: Self = Self::universal(5, false);
    /// OBJECT IDENTIFIER.
    pub const OID: Self = Self::universal(6, false);
    /// UTCTime.
    pub const UTC_TIME: Self = Self::universal(23, false);
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: Self = Self::universal(24, false);
    /// SEQUENCE and SEQUENCE OF (always constructed).
    pub const SEQUENCE: Self = Self::universal(16, true);
    /// SET and SET OF (always constructed).
    pub const SET: Self = Self::universal(17, true);

    /// A universal tag.
    pub const fn universal(number: u32, constructed: bool) -> Self {
        Self {
            class: Class::Universal,
            constructed,
            number,
        }
    }

    /// A context-specific tag `[number]`.
    pub const fn context(number: u32, constructed: bool) -> Self {
        Self {
            class: Class::ContextSpecific,
            constructed,
            number,
        }
    }

    /// Whether `self` and `other` have the same class and number, whatever their form.
    pub const fn same_type(&self, other: &Tag) -> bool {
        self.number == other.number
            && matches!(
                (self.class, other.class),
                (Class::Universal, Class::Universal)
                    | (Class::Application, Class::Application)
                    | (Class::ContextSpecific, Class::ContextSpecific)
                    | (Class::Private, Class::Private)
            )
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.class {
            Class::Universal => {
                let name = match self.number {
                    0 => "end-of-contents",
                    1 => "BOOLEAN",
                    2 => "INTEGER",
                    3 => "BIT STRING",
                    4 => "OCTET STRING",
                    5 => "NULL",
                    6 => "OBJECT IDENTIFIER",
                    12 => "UTF8String",
                    16 => "SEQUENCE",
                    17 => "SET",
                    19 => "PrintableString",
                    22 => "IA5String",
                    23 => "UTCTime",
                    24 => "GeneralizedTime",
                    n => return write!(f, "[UNIVERSAL {n}]"),
                };
                f.write_str(name)?;
            }
            Class::Application => write!(f, "[APPLICATION {}]", self.number)?,
            Class::ContextSpecific => write!(f, "[{}]", self.number)?,
            Class::Private => write!(f, "[PRIVATE {}]", self.number)?,
        }
        // SEQUENCE and SET are constructed by definition; say so only where it is informative.
        let always_constructed = self.class == Class::Universal && matches!(self.number, 16 | 17);
        match (self.constructed, always_constructed) {
            (true, false) => f.write_str(" (constructed)"),
            (false, true) => f.write_str(" (primitive)"),
            _ => Ok(()),
        }
    }
}

/// One BER element: its tag, its content octets and its complete original encoding.
///
/// For an indefinite-length element, [`content`](Self::content) excludes the end-of-contents
/// octets and [`raw`](Self::raw) includes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    tag: Tag,
    raw: &'a [u8],
    content: &'a [u8],
    indefinite: bool,
    depth: usize,
}

impl<'a> Tlv<'a> {
    /// Reads exactly one element from `input`; trailing data is an error.
    pub fn parse_single(input: &'a [u8]) -> Result<Self, BerError> {
        let (tlv, rest) = read_tlv(input, 0)?;
        if rest.is_empty() {
            Ok(tlv)
        } else {
            Err(BerError::TrailingData { count: rest.len() })
        }
    }

    /// Reads the first element of `input` and returns it with the bytes that follow it.
    pub fn parse_prefix(input: &'a [u8]) -> Result<(Self, &'a [u8]), BerError> {
        read_tlv(input, 0)
    }

    /// The element's tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The complete original encoding: identifier, length, content and, for an
    /// indefinite-length element, the end-of-contents octets.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The content octets (without end-of-contents octets).
    pub fn content(&self) -> &'a [u8] {
        self.content
    }

    /// Whether the element uses the indefinite length form.
    pub fn is_indefinite(&self) -> bool {
        self.indefinite
    }

    /// The element's nesting level (0 for a top-level element).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The elements inside a constructed element's content.
    ///
    /// For a primitive element this yields whatever its content parses as; callers check
    /// [`Tag::constructed`] first.
    pub fn children(&self) -> Children<'a> {
        Children {
            rest: self.content,
            depth: self.depth.saturating_add(1),
        }
    }

    /// The value of an OCTET STRING in either form (X.690 §8.7): borrowed when primitive,
    /// the concatenation of its segments (recursively) when constructed.
    ///
    /// The tag itself is not checked here; only the segments of a constructed encoding are.
    pub fn octet_string_value(&self) -> Result<Cow<'a, [u8]>, BerError> {
        if !self.tag.constructed {
            return Ok(Cow::Borrowed(self.content));
        }
        let mut out = Vec::with_capacity(self.content.len());
        append_segments(self, &mut out)?;
        Ok(Cow::Owned(out))
    }
}

fn append_segments(tlv: &Tlv<'_>, out: &mut Vec<u8>) -> Result<(), BerError> {
    let mut children = tlv.children();
    while let Some(segment) = children.next_tlv()? {
        if !segment.tag.same_type(&Tag::OCTET_STRING) {
            return Err(BerError::InvalidSegment { found: segment.tag });
        }
        if segment.tag.constructed {
            append_segments(&segment, out)?;
        } else {
            out.extend_from_slice(segment.content);
        }
    }
    Ok(())
}

/// The elements of a constructed element's content, read one at a time.
#[derive(Debug, Clone)]
pub struct Children<'a> {
    rest: &'a [u8],
    depth: usize,
}

impl<'a> Children<'a> {
    /// The next element, or `None` at the end of the content.
    pub fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>, BerError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (tlv, rest) = read_tlv(self.rest, self.depth)?;
        if tlv.tag == Tag::END_OF_CONTENTS {
            // Indefinite-length content never contains its own terminator (it is cut off
            // before it), so any end-of-contents here is misplaced.
            return Err(BerError::UnexpectedEndOfContents);
        }
        self.rest = rest;
        Ok(Some(tlv))
    }

    /// The tag of the next element, without consuming it, or `None` at the end.
    pub fn peek_tag(&self) -> Result<Option<Tag>, BerError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        read_header(self.rest).map(|h| Some(h.tag))
    }

    /// Whether all elements have been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

#[derive(Debug, Clone, Copy)]
struct Header {
    tag: Tag,
    /// `None` for the indefinite form.
    length: Option<usize>,
    len: usize,
}

fn read_header(input: &[u8]) -> Result<Header, BerError> {
    let mut bytes = input.iter().copied();
    let first = bytes.next().ok_or(BerError::TruncatedHeader)?;
    let class = match first >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::ContextSpecific,
        _ => Class::Private,
    };
    let constructed = first & 0x20 != 0;
    let mut len = 1usize;
    let mut number = u32::from(first & 0x1f);
    if number == 0x1f {
        // High-tag-number form: base-128 digits, bit 8 set on all but the last.
        number = 0;
        let mut first_digit = true;
        loop {
            let b = bytes.next().ok_or(BerError::TruncatedHeader)?;
            len += 1;
            if first_digit && b == 0x80 {
                return Err(BerError::NonMinimalTag);
            }
            first_digit = false;
            if number > (u32::MAX >> 7) {
                return Err(BerError::TagNumberTooLarge);
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        if number < 0x1f {
            return Err(BerError::NonMinimalTag);
        }
    }
    let tag = Tag {
        class,
        constructed,
        number,
    };
    let l0 = bytes.next().ok_or(BerError::TruncatedHeader)?;
    len += 1;
    let length = if l0 < 0x80 {
        Some(usize::from(l0))
    } else if l0 == 0x80 {
        if !constructed {
            return Err(BerError::IndefinitePrimitive);
        }
        None
    } else if l0 == 0xff {
        return Err(BerError::ReservedLength);
    } else {
        let count = usize::from(l0 & 0x7f);
        let mut value = 0usize;
        for _ in 0..count {
            let b = bytes.next().ok_or(BerError::TruncatedHeader)?;
            len += 1;
            value = value
                .checked_mul(256)
                .and_then(|v| v.checked_add(usize::from(b)))
                .ok_or(BerError::LengthTooLarge)?;
        }
        Some(value)
    };
    Ok(Header { tag, length, len })
}

/// Reads one element at nesting level `depth` and returns it with the bytes after it.
fn read_tlv(input: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), BerError> {
    let header = read_header(input)?;
    let after_header = input.get(header.len..).ok_or(BerError::TruncatedHeader)?;
    if header.tag.same_type(&Tag::END_OF_CONTENTS) {
        // End-of-contents octets close the enclosing value; they are not nested in it.
        if header.tag.constructed || header.length != Some(0) {
            return Err(BerError::InvalidEndOfContents);
        }
    } else if depth > MAX_DEPTH {
        return Err(BerError::NestingTooDeep { limit: MAX_DEPTH });
    }
    match header.length {
        Some(length) => {
            let available = after_header.len();
            let (content, rest) = split(after_header, length)
                .ok_or(BerError::TruncatedContent { length, available })?;
            let raw = input
                .get(..header.len + length)
                .ok_or(BerError::TruncatedContent { length, available })?;
            let tlv = Tlv {
                tag: header.tag,
                raw,
                content,
                indefinite: false,
                depth,
            };
            Ok((tlv, rest))
        }
        None => {
            let mut cursor = after_header;
            loop {
                if cursor.is_empty() {
                    return Err(BerError::MissingEndOfContents);
                }
                let (child, rest) = read_tlv(cursor, depth + 1)?;
                if child.tag == Tag::END_OF_CONTENTS {
                    let content_len = after_header.len() - cursor.len();
                    let content = after_header
                        .get(..content_len)
                        .ok_or(BerError::MissingEndOfContents)?;
                    let total = header.len + content_len + child.raw.len();
                    let raw = input.get(..total).ok_or(BerError::MissingEndOfContents)?;
                    let tlv = Tlv {
                        tag: header.tag,
                        raw,
                        content,
                        indefinite: true,
                        depth,
                    };
                    return Ok((tlv, rest));
                }
                cursor = rest;
            }
        }
    }
}

fn split(bytes: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    Some((bytes.get(..at)?, bytes.get(at..)?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    fn single(input: &[u8]) -> Result<Tlv<'_>, BerError> {
        Tlv::parse_single(input)
    }

    #[test]
    fn definite_short_and_long_lengths() {
        let tlv = single(&[0x04, 0x02, 0xaa, 0xbb]).unwrap();
        assert_eq!(tlv.tag(), Tag::OCTET_STRING);
        assert_eq!(tlv.content(), &[0xaa, 0xbb]);
        assert!(!tlv.is_indefinite());

        // Non-minimal long form (legal BER) and a two-byte length.
        let tlv = single(&[0x04, 0x82, 0x00, 0x01, 0xcc]).unwrap();
        assert_eq!(tlv.content(), &[0xcc]);
        let mut long = vec![0x04, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(7u8, 256));
        assert_eq!(single(&long).unwrap().content().len(), 256);
    }

    #[test]
    fn indefinite_length_keeps_raw_span_and_strips_eoc_from_content() {
        let input = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00, 0xff];
        let (tlv, rest) = Tlv::parse_prefix(&input).unwrap();
        assert_eq!(rest, &[0xff]);
        assert!(tlv.is_indefinite());
        assert_eq!(tlv.raw(), &input[..7]);
        assert_eq!(tlv.content(), &[0x02, 0x01, 0x05]);
        let mut children = tlv.children();
        assert_eq!(children.next_tlv().unwrap().unwrap().content(), &[0x05]);
        assert_eq!(children.next_tlv().unwrap(), None);
    }

    /// The case `der-parser` 10 gets wrong: an empty `[0]` is not an end-of-contents marker.
    #[test]
    fn empty_context_zero_is_not_end_of_contents() {
        for empty in [[0x80u8, 0x00], [0xa0, 0x00]] {
            let mut input = vec![0x30, 0x80];
            input.extend_from_slice(&empty);
            input.extend_from_slice(&[0x02, 0x01, 0x05, 0x00, 0x00]);
            let tlv = single(&input).unwrap();
            let mut children = tlv.children();
            let first = children.next_tlv().unwrap().unwrap();
            assert_eq!(first.tag(), Tag::context(0, empty[0] == 0xa0));
            assert_eq!(children.next_tlv().unwrap().unwrap().tag(), Tag::INTEGER);
            assert!(children.next_tlv().unwrap().is_none());
        }
    }

    #[test]
    fn high_tag_numbers() {
        let tlv = single(&[0x9f, 0x1f, 0x00]).unwrap();
        assert_eq!(tlv.tag(), Tag::context(31, false));
        let tlv = single(&[0xbf, 0x81, 0x00, 0x00]).unwrap();
        assert_eq!(tlv.tag(), Tag::context(128, true));
        let tlv = single(&[0xdf, 0x8f, 0xff, 0xff, 0xff, 0x7f, 0x00]).unwrap();
        assert_eq!(tlv.tag().number, u32::MAX);
        assert_eq!(tlv.tag().class, Class::Private);
        assert_eq!(single(&[0x9f, 0x05, 0x00]), Err(BerError::NonMinimalTag));
        assert_eq!(
            single(&[0x9f, 0x80, 0x20, 0x00]),
            Err(BerError::NonMinimalTag)
        );
        assert_eq!(
            single(&[0x9f, 0x90, 0x80, 0x80, 0x80, 0x00, 0x00]),
            Err(BerError::TagNumberTooLarge)
        );
        assert_eq!(single(&[0x9f, 0x81]), Err(BerError::TruncatedHeader));
    }

    #[test]
    fn malformed_headers_and_lengths() {
        assert_eq!(single(&[]), Err(BerError::TruncatedHeader));
        assert_eq!(single(&[0x30]), Err(BerError::TruncatedHeader));
        assert_eq!(single(&[0x30, 0x82, 0x01]), Err(BerError::TruncatedHeader));
        assert_eq!(single(&[0x30, 0xff]), Err(BerError::ReservedLength));
        assert_eq!(
            single(&[0x05, 0x00, 0x00]),
            Err(BerError::TrailingData { count: 1 })
        );
        assert_eq!(
            single(&[0x04, 0x80, 0x00, 0x00]),
            Err(BerError::IndefinitePrimitive)
        );
        assert_eq!(
            single(&[0x30, 0x03, 0x02, 0x01]),
            Err(BerError::TruncatedContent {
                length: 3,
                available: 2
            })
        );
        let huge = [0x30, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(single(&huge), Err(BerError::LengthTooLarge));
        let big = [0x30, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            single(&big),
            Err(BerError::TruncatedContent { .. })
        ));
    }

    #[test]
    fn end_of_contents_rules() {
        assert_eq!(
            single(&[0x30, 0x80, 0x02, 0x01, 0x05]),
            Err(BerError::MissingEndOfContents)
        );
        assert_eq!(single(&[0x30, 0x80]), Err(BerError::MissingEndOfContents));
        assert_eq!(
            single(&[0x30, 0x80, 0x00, 0x01, 0x00]),
            Err(BerError::InvalidEndOfContents)
        );
        assert_eq!(
            single(&[0x30, 0x80, 0x20, 0x00]),
            Err(BerError::InvalidEndOfContents)
        );
        // An end-of-contents inside definite-length content.
        let tlv = single(&[0x30, 0x02, 0x00, 0x00]).unwrap();
        assert_eq!(
            tlv.children().next_tlv(),
            Err(BerError::UnexpectedEndOfContents)
        );
    }

    #[test]
    fn nesting_is_limited() {
        let mut deep = Vec::new();
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x00, 0x00]);
        }
        assert_eq!(
            single(&deep),
            Err(BerError::NestingTooDeep { limit: MAX_DEPTH })
        );

        // Exactly MAX_DEPTH + 1 levels (0..=MAX_DEPTH) are fine.
        let mut ok = Vec::new();
        for _ in 0..=MAX_DEPTH {
            ok.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..=MAX_DEPTH {
            ok.extend_from_slice(&[0x00, 0x00]);
        }
        assert!(single(&ok).is_ok());
    }

    #[test]
    fn octet_string_segments_are_concatenated() {
        // Primitive: borrowed.
        let input = [0x04, 0x02, 0xaa, 0xbb];
        let tlv = single(&input).unwrap();
        assert!(matches!(
            tlv.octet_string_value().unwrap(),
            Cow::Borrowed(_)
        ));

        // Indefinite constructed, with a nested definite constructed segment.
        let input = [
            0x24, 0x80, 0x04, 0x02, 0xaa, 0xbb, 0x24, 0x03, 0x04, 0x01, 0xcc, 0x04, 0x00, 0x00,
            0x00,
        ];
        let tlv = single(&input).unwrap();
        let value = tlv.octet_string_value().unwrap();
        assert!(matches!(value, Cow::Owned(_)));
        assert_eq!(&*value, &[0xaa, 0xbb, 0xcc]);

        let bad = [0x24, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];
        assert_eq!(
            single(&bad).unwrap().octet_string_value(),
            Err(BerError::InvalidSegment {
                found: Tag::INTEGER
            })
        );
    }

    #[test]
    fn tag_display() {
        assert_eq!(Tag::SEQUENCE.to_string(), "SEQUENCE");
        assert_eq!(
            Tag::universal(16, false).to_string(),
            "SEQUENCE (primitive)"
        );
        assert_eq!(
            Tag::universal(4, true).to_string(),
            "OCTET STRING (constructed)"
        );
        assert_eq!(Tag::context(0, true).to_string(), "[0] (constructed)");
        assert_eq!(Tag::universal(30, false).to_string(), "[UNIVERSAL 30]");
    }
}
