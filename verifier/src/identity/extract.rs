//! [`Identity`]: who a certificate names, read per `docs/nca-profile.md`.

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::error::{IdentityError, IdentityNote};
use super::extensions::{self, KeyUsageBits};
use super::roles::Role;
use super::subject::{DnAttribute, Subject, first_name_from_common_name};

/// What kind of subject a certificate names (`docs/nca-profile.md`, "Who signed").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum SubjectKind {
    /// A person acting for themself: an IIN, no BIN, no legal-entity role.
    Individual,
    /// A person acting for a legal entity: an IIN, and a BIN or the legal-entity role.
    LegalEntityEmployee,
    /// A legal entity's information system: the information-system role, or a UID and no IIN.
    InformationSystem,
    /// No person or system the profile describes (CA, TSA and OCSP certificates, foreign ones).
    Other,
}

/// The subject of a certificate as the NCA profile defines it: names, IIN, BIN, roles and the
/// key's purposes (`docs/nca-profile.md`; RFC 5280 §4.1.2.6 and §4.2.1).
///
/// Strings are decoded from UTF8String, PrintableString, BMPString and the other
/// `DirectoryString` types (see [`strings`](super::strings)). Serialised for the JSON report
/// with camelCase field names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Identity {
    /// What kind of subject this is.
    pub kind: SubjectKind,
    /// CN (2.5.4.3): "SURNAME NAME", or an information system's name.
    pub common_name: Option<String>,
    /// SURNAME (2.5.4.4).
    pub surname: Option<String>,
    /// The first name, derived from CN = "SURNAME NAME" (NCA has no attribute for it).
    pub first_name: Option<String>,
    /// GIVENNAME (2.5.4.42), which NCA uses for the **patronymic**.
    pub patronymic: Option<String>,
    /// SERIALNUMBER (2.5.4.5) as written, e.g. `IIN123456789011`.
    pub serial_number: Option<String>,
    /// The 12 digits after `IIN` in SERIALNUMBER (format checked, check digit not).
    pub iin: Option<String>,
    /// O (2.5.4.10).
    pub organization: Option<String>,
    /// The 12 digits after `BIN` in an OU (2.5.4.11) (format checked, check digit not).
    pub bin: Option<String>,
    /// C (2.5.4.6).
    pub country: Option<String>,
    /// L (2.5.4.7).
    pub locality: Option<String>,
    /// ST (2.5.4.8).
    pub region: Option<String>,
    /// E (1.2.840.113549.1.9.1).
    pub email: Option<String>,
    /// UID (0.9.2342.19200300.100.1.1): an information system's identifier.
    pub uid: Option<String>,
    /// Other subject attributes (businessCategory, DC, OUs that are not a BIN, …).
    pub other_attributes: Vec<DnAttribute>,
    /// The roles and key purposes from extendedKeyUsage, in [`Self::extended_key_usage`] order.
    pub roles: Vec<Role>,
    /// The extendedKeyUsage OIDs, dotted (standard purposes first, then the certificate's order).
    pub extended_key_usage: Vec<String>,
    /// Whether extendedKeyUsage is critical (normal for NCA's right-to-sign certificates).
    pub extended_key_usage_critical: bool,
    /// The keyUsage bits, `None` when the certificate has no keyUsage extension.
    pub key_usage: Option<KeyUsageBits>,
    /// The certificatePolicies OIDs, dotted.
    pub certificate_policies: Vec<String>,
    /// Oddities that did not stop the reading.
    pub notes: Vec<IdentityNote>,
}

impl Identity {
    /// Reads the identity from a parsed certificate.
    pub fn from_certificate(cert: &X509Certificate<'_>) -> Result<Self, IdentityError> {
        let subject = Subject::read(cert.subject())?;
        let eku = extensions::extended_key_usage(cert)?;
        let roles: Vec<Role> = eku.oids.iter().map(|oid| Role::from_oid(oid)).collect();
        let first_name = match (&subject.common_name, &subject.surname) {
            (Some(cn), Some(surname)) => {
                first_name_from_common_name(cn, surname, subject.patronymic.as_deref())
            }
            _ => None,
        };
        let kind = classify(&subject, &roles);
        Ok(Self {
            kind,
            common_name: subject.common_name,
            surname: subject.surname,
            first_name,
            patronymic: subject.patronymic,
            serial_number: subject.serial_number,
            iin: subject.iin,
            organization: subject.organization,
            bin: subject.bin,
            country: subject.country,
            locality: subject.locality,
            region: subject.region,
            email: subject.email,
            uid: subject.uid,
            other_attributes: subject.other_attributes,
            roles,
            extended_key_usage: eku.oids,
            extended_key_usage_critical: eku.critical,
            key_usage: extensions::key_usage(cert)?,
            certificate_policies: extensions::certificate_policies(cert)?,
            notes: subject.notes,
        })
    }

    /// Parses a DER certificate and reads its identity.
    pub fn from_der(der: &[u8]) -> Result<Self, IdentityError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| IdentityError::Certificate {
            reason: e.to_string(),
        })?;
        Self::from_certificate(&cert)
    }

    /// Whether extendedKeyUsage lists `role`.
    pub fn has_role(&self, role: &Role) -> bool {
        self.roles.contains(role)
    }

    /// Whether this is an authentication key only (EKU clientAuth without emailProtection),
    /// which may not sign documents (`docs/nca-profile.md`, "Key usage").
    pub fn is_authentication_only(&self) -> bool {
        self.has_role(&Role::AuthenticationKey) && !self.has_role(&Role::SigningKey)
    }
}

/// The subject kind from the IIN, BIN, UID and roles.
fn classify(subject: &Subject, roles: &[Role]) -> SubjectKind {
    let has = |role: Role| roles.contains(&role);
    if has(Role::InformationSystem) || (subject.iin.is_none() && subject.uid.is_some()) {
        SubjectKind::InformationSystem
    } else if subject.iin.is_none() {
        SubjectKind::Other
    } else if subject.bin.is_some() || has(Role::LegalEntity) {
        SubjectKind::LegalEntityEmployee
    } else {
        SubjectKind::Individual
    }
}
