//! Why a CRL could not be loaded or used.

use std::fmt;

/// A CRL that could not be parsed into the index (RFC 5280 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlError {
    /// The bytes are not a DER CertificateList.
    Malformed(String),
    /// A critical CRL or CRL-entry extension this layer does not process (RFC 5280 §5.2, §5.3).
    UnsupportedCriticalExtension(String),
}

impl fmt::Display for CrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed CRL: {why}"),
            Self::UnsupportedCriticalExtension(oid) => {
                write!(f, "CRL has an unsupported critical extension {oid}")
            }
        }
    }
}

impl std::error::Error for CrlError {}

/// Why a parsed CRL may not be used for certificates of a given issuer certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlUnusable {
    /// The CRL's authorityKeyIdentifier names another key than the issuer's subjectKeyIdentifier.
    KeyIdentifierMismatch,
    /// The issuer certificate's key does not verify the CRL signature (RFC 5280 §6.3.3 (f)).
    BadSignature(String),
    /// The issuer certificate has keyUsage without cRLSign (RFC 5280 §4.2.1.3, §6.3.3 (f)).
    NoCrlSign,
}

impl fmt::Display for CrlUnusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyIdentifierMismatch => {
                f.write_str("CRL authorityKeyIdentifier names another key")
            }
            Self::BadSignature(why) => write!(f, "CRL signature does not verify: {why}"),
            Self::NoCrlSign => f.write_str("CRL issuer's keyUsage lacks cRLSign"),
        }
    }
}

impl std::error::Error for CrlUnusable {}

/// Why a CRL file could not be added to a store ([`crate::revocation::CrlStore::add_file`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum CrlFileError {
    /// The file could not be read.
    Read(std::io::Error),
    /// The file is not a CRL file: DER, PEM or base64 ([`crate::input::decode_crl_file`]).
    Input(crate::input::InputError),
    /// A CRL in the file does not parse.
    Crl(CrlError),
}

impl fmt::Display for CrlFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(e) => write!(f, "cannot read: {e}"),
            Self::Input(e) => e.fmt(f),
            Self::Crl(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CrlFileError {}
