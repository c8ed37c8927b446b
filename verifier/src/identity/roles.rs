//! Roles: what NCA writes into extendedKeyUsage (RFC 5280 §4.2.1.12) besides the key purposes
//! (`docs/nca-profile.md`, "Roles": in extendedKeyUsage, not in certificatePolicies).

use std::fmt;

/// emailProtection (RFC 5280 §4.2.1.12): NCA's mark of a signing key.
pub const OID_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
/// clientAuth (RFC 5280 §4.2.1.12): NCA's mark of an authentication key.
pub const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// Individual.
pub const OID_INDIVIDUAL: &str = "1.2.398.3.3.4.1.1";
/// Legal entity.
pub const OID_LEGAL_ENTITY: &str = "1.2.398.3.3.4.1.2";
/// First head (CEO) of a legal entity.
pub const OID_FIRST_HEAD: &str = "1.2.398.3.3.4.1.2.1";
/// Person with the right to sign.
pub const OID_RIGHT_TO_SIGN: &str = "1.2.398.3.3.4.1.2.2";
/// Right to sign financial documents.
pub const OID_FINANCIAL: &str = "1.2.398.3.3.4.1.2.3";
/// HR officer.
pub const OID_HUMAN_RESOURCES: &str = "1.2.398.3.3.4.1.2.4";
/// Employee.
pub const OID_EMPLOYEE: &str = "1.2.398.3.3.4.1.2.5";
/// Information system of a legal entity (also `…2.6.N`).
pub const OID_INFORMATION_SYSTEM: &str = "1.2.398.3.3.4.1.2.6";
/// Treasury client.
pub const OID_TREASURY_CLIENT: &str = "1.2.398.5.19.1.2.2.1";

/// One extendedKeyUsage purpose of an NCA certificate, read as a role (`docs/nca-profile.md`,
/// "Roles").
///
/// Serialised in camelCase: `"firstHead"`, `"rightToSign"`, …, `{"other": "1.2.3"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Role {
    /// 1.2.398.3.3.4.1.1: an individual.
    Individual,
    /// 1.2.398.3.3.4.1.2: acting for a legal entity.
    LegalEntity,
    /// 1.2.398.3.3.4.1.2.1: the legal entity's first head (CEO).
    FirstHead,
    /// 1.2.398.3.3.4.1.2.2: a person with the right to sign (critical EKU in 2024+ issuance).
    RightToSign,
    /// 1.2.398.3.3.4.1.2.3: the right to sign financial documents.
    Financial,
    /// 1.2.398.3.3.4.1.2.4: an HR officer.
    HumanResources,
    /// 1.2.398.3.3.4.1.2.5: an employee.
    Employee,
    /// 1.2.398.3.3.4.1.2.6 and 1.2.398.3.3.4.1.2.6.N: an information system of a legal entity
    /// (the exact OID stays in [`Identity::extended_key_usage`](super::Identity)).
    InformationSystem,
    /// 1.2.398.5.19.1.2.2.1: a treasury client.
    TreasuryClient,
    /// emailProtection (1.3.6.1.5.5.7.3.4): a signing key.
    SigningKey,
    /// clientAuth (1.3.6.1.5.5.7.3.2): an authentication key (older two-key issuance).
    AuthenticationKey,
    /// Any other purpose, by its dotted OID.
    Other(String),
}

impl Role {
    /// The role an extendedKeyUsage OID (dotted form) stands for.
    pub fn from_oid(oid: &str) -> Self {
        match oid {
            OID_EMAIL_PROTECTION => Self::SigningKey,
            OID_CLIENT_AUTH => Self::AuthenticationKey,
            OID_INDIVIDUAL => Self::Individual,
            OID_LEGAL_ENTITY => Self::LegalEntity,
            OID_FIRST_HEAD => Self::FirstHead,
            OID_RIGHT_TO_SIGN => Self::RightToSign,
            OID_FINANCIAL => Self::Financial,
            OID_HUMAN_RESOURCES => Self::HumanResources,
            OID_EMPLOYEE => Self::Employee,
            OID_TREASURY_CLIENT => Self::TreasuryClient,
            _ if is_information_system(oid) => Self::InformationSystem,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The OID of the role (for [`Role::InformationSystem`], the base OID without `.N`).
    pub fn oid(&self) -> &str {
        match self {
            Self::Individual => OID_INDIVIDUAL,
            Self::LegalEntity => OID_LEGAL_ENTITY,
            Self::FirstHead => OID_FIRST_HEAD,
            Self::RightToSign => OID_RIGHT_TO_SIGN,
            Self::Financial => OID_FINANCIAL,
            Self::HumanResources => OID_HUMAN_RESOURCES,
            Self::Employee => OID_EMPLOYEE,
            Self::InformationSystem => OID_INFORMATION_SYSTEM,
            Self::TreasuryClient => OID_TREASURY_CLIENT,
            Self::SigningKey => OID_EMAIL_PROTECTION,
            Self::AuthenticationKey => OID_CLIENT_AUTH,
            Self::Other(oid) => oid,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Individual => "individual",
            Self::LegalEntity => "legal entity",
            Self::FirstHead => "first head",
            Self::RightToSign => "right to sign",
            Self::Financial => "financial documents",
            Self::HumanResources => "HR officer",
            Self::Employee => "employee",
            Self::InformationSystem => "information system",
            Self::TreasuryClient => "treasury client",
            Self::SigningKey => "signing key",
            Self::AuthenticationKey => "authentication key",
            Self::Other(oid) => return write!(f, "EKU {oid}"),
        };
        write!(f, "{name} ({})", self.oid())
    }
}

/// Whether `oid` is 1.2.398.3.3.4.1.2.6 or 1.2.398.3.3.4.1.2.6.N (N a decimal arc).
fn is_information_system(oid: &str) -> bool {
    match oid.strip_prefix(OID_INFORMATION_SYSTEM) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}
