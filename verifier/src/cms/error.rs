//! Errors of the CMS parser.

use crate::ber::{BerError, Tag};

/// Why a CMS SignedData could not be parsed.
///
/// Each variant names the field (in RFC 5652 terms, `Type.field`) where the problem was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The input is empty.
    #[error("the input is empty")]
    EmptyInput,
    /// The BER encoding of a field is malformed.
    #[error("malformed BER in {field}: {source}")]
    Ber {
        /// The field being read.
        field: &'static str,
        /// What is wrong with its encoding.
        #[source]
        source: BerError,
    },
    /// A field has another tag than the syntax requires.
    #[error("{field}: expected {expected}, found {found}")]
    UnexpectedTag {
        /// The field being read.
        field: &'static str,
        /// The tag the syntax requires.
        expected: Tag,
        /// The tag in the input.
        found: Tag,
    },
    /// A required field is absent.
    #[error("{0} is missing")]
    MissingField(&'static str),
    /// A structure has elements after its last field.
    #[error("unexpected data after the last field of {0}")]
    TrailingData(&'static str),
    /// The ContentInfo holds another content type than id-signedData.
    #[error(
        "the ContentInfo holds content type {content_type}, not id-signedData (1.2.840.113549.1.7.2)"
    )]
    NotSignedData {
        /// The content type found, in dotted form.
        content_type: String,
    },
    /// An OBJECT IDENTIFIER is empty or not minimally encoded (X.690 §8.19).
    #[error("{0}: invalid OBJECT IDENTIFIER encoding")]
    InvalidOid(&'static str),
    /// An INTEGER is empty or not minimally encoded (X.690 §8.3.2).
    #[error("{0}: invalid INTEGER encoding")]
    InvalidInteger(&'static str),
    /// A version number is negative or does not fit in 32 bits.
    #[error("{0}: version out of range")]
    InvalidVersion(&'static str),
    /// A NULL has content octets (X.690 §8.8.2).
    #[error("{0}: NULL with content")]
    InvalidNull(&'static str),
    /// A UTCTime or GeneralizedTime is malformed or not in the form RFC 5652 §11.3 requires.
    #[error("{field}: {reason}")]
    InvalidTime {
        /// The field being read.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A SET OF or SEQUENCE OF that must hold at least one element is empty.
    #[error("{0} is empty but must hold at least one element")]
    EmptyCollection(&'static str),
    /// Signed attributes lack an attribute RFC 5652 §5.3 requires (contentType, messageDigest).
    #[error("signedAttrs lack the {0} attribute required by RFC 5652 §5.3")]
    MissingAttribute(&'static str),
    /// An attribute that may appear only once appears several times (RFC 5652 §11).
    #[error("the {0} attribute appears more than once")]
    DuplicateAttribute(&'static str),
    /// A single-valued attribute has no value or several values (RFC 5652 §11).
    #[error("the {attribute} attribute has {count} values, exactly one is required")]
    AttributeValueCount {
        /// The attribute's name.
        attribute: &'static str,
        /// The number of values found.
        count: usize,
    },
}

impl CmsError {
    /// Wraps a [`BerError`] met while reading `field`.
    pub(crate) fn ber(field: &'static str) -> impl Fn(BerError) -> Self {
        move |source| Self::Ber { field, source }
    }
}
