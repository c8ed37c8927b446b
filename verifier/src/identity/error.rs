//! What can go wrong reading an identity, and what is worth reporting without failing.

use super::strings::StringError;

/// A certificate whose subject cannot be read as an identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The bytes are not an X.509 certificate (RFC 5280 §4.1).
    #[error("not a certificate: {reason}")]
    Certificate {
        /// The parser's message.
        reason: String,
    },
    /// A subject attribute the identity uses is not a valid string (RFC 5280 §4.1.2.4).
    #[error("subject attribute {oid}: {error}")]
    Attribute {
        /// The attribute type, dotted.
        oid: String,
        /// What is wrong with the value.
        error: StringError,
    },
    /// The subject holds two different values where one identifies the subject (IIN, BIN, UID).
    #[error("the subject has two different {what} values: {first:?} and {second:?}")]
    Conflicting {
        /// "IIN", "BIN" or "UID".
        what: &'static str,
        /// The first value.
        first: String,
        /// The other value.
        second: String,
    },
    /// An extension the identity uses appears twice (RFC 5280 §4.2).
    #[error("the {extension} extension appears more than once")]
    DuplicateExtension {
        /// The extension's name.
        extension: &'static str,
    },
    /// An extension the identity uses cannot be parsed (RFC 5280 §4.2.1).
    #[error("the {extension} extension is malformed")]
    InvalidExtension {
        /// The extension's name.
        extension: &'static str,
    },
}

/// Something odd in the subject that does not stop the identity from being read; reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(
    rename_all = "camelCase",
    tag = "kind",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum IdentityNote {
    /// An attribute the identity does not use could not be decoded and was skipped.
    UndecodableAttribute {
        /// The attribute type, dotted.
        oid: String,
        /// Why.
        error: String,
    },
    /// A single-valued attribute appears again with another value; the first one is used.
    DuplicateAttribute {
        /// The attribute type, dotted.
        oid: String,
        /// The value that was ignored.
        ignored: String,
    },
    /// SERIALNUMBER starts with `IIN` but is not followed by exactly 12 digits: no IIN is read.
    MalformedIin {
        /// The SERIALNUMBER value.
        serial_number: String,
    },
    /// An OU starts with `BIN` but is not followed by exactly 12 digits: no BIN is read from it.
    MalformedBin {
        /// The OU value.
        organizational_unit: String,
    },
}
