//! The value types every file of `revocation` shares: an entry's reason code (RFC 5280
//! §5.3.1), a CRL's number (§5.2.3, §5.2.4), and the normalisation of INTEGER content octets
//! that serial numbers and CRL numbers both go through.
//!
//! A leaf, as rustls-webpki's `crl/types.rs`: it uses no other file of `revocation`, so their
//! dependencies run one way (`index` and `status` use `types`, `crl` uses `index` and `types`).

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// CRLReason (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0), or no reasonCode extension.
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// removeFromCRL (8): only meaningful in a delta CRL.
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
    /// A value RFC 5280 does not define (7 or above 10).
    Other(u8),
}

impl RevocationReason {
    /// The reason for a reasonCode value.
    pub fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            other => Self::Other(other),
        }
    }

    /// The reasonCode value ([`Self::from_code`] gives this reason back).
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::RemoveFromCrl => 8,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
            Self::Other(code) => code,
        }
    }

    /// A compromise of the key (or of a key above it): the revocation is treated as
    /// retroactive, whatever its date (`docs/nca-profile.md`, "CAs and revocation":
    /// "keyCompromise is treated as retroactive"). Unknown reason values are treated the same
    /// way, conservatively.
    pub fn is_retroactive(self) -> bool {
        matches!(
            self,
            Self::KeyCompromise | Self::CaCompromise | Self::AaCompromise | Self::Other(_)
        )
    }
}

/// A cRLNumber or BaseCRLNumber (RFC 5280 §5.2.3, §5.2.4): a non-negative INTEGER of up to
/// 20 octets, kept as normalised big-endian bytes and compared numerically.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CrlNumber(Vec<u8>);

impl CrlNumber {
    /// The number whose INTEGER content octets are `content` (leading zero octets dropped).
    pub(crate) fn from_integer_content(content: &[u8]) -> Self {
        Self(normalise(content).to_vec())
    }

    /// The normalised big-endian bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Ord for CrlNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for CrlNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for CrlNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Strips leading zero octets, so `00 8F` and `8F` are the same serial (or CRL number).
pub(crate) fn normalise(serial: &[u8]) -> &[u8] {
    let first = serial.iter().position(|&b| b != 0).unwrap_or(serial.len());
    serial.get(first..).unwrap_or(&[])
}
