//! Reading the subject distinguished name (RFC 5280 §4.1.2.6) of an NCA certificate
//! (`docs/nca-profile.md`, "Who signed").

use x509_parser::x509::X509Name;

use super::error::{IdentityError, IdentityNote};
use super::number::is_well_formed;
use super::strings::decode_any;

/// commonName (2.5.4.3): "SURNAME NAME", or an information system's name.
pub const OID_COMMON_NAME: &str = "2.5.4.3";
/// surname (2.5.4.4): the family name.
pub const OID_SURNAME: &str = "2.5.4.4";
/// serialNumber (2.5.4.5): `IIN` + 12 digits.
pub const OID_SERIAL_NUMBER: &str = "2.5.4.5";
/// countryName (2.5.4.6): `KZ`.
pub const OID_COUNTRY: &str = "2.5.4.6";
/// localityName (2.5.4.7): the city.
pub const OID_LOCALITY: &str = "2.5.4.7";
/// stateOrProvinceName (2.5.4.8): the region.
pub const OID_REGION: &str = "2.5.4.8";
/// organizationName (2.5.4.10): the legal entity.
pub const OID_ORGANIZATION: &str = "2.5.4.10";
/// organizationalUnitName (2.5.4.11): `BIN` + 12 digits.
pub const OID_ORGANIZATIONAL_UNIT: &str = "2.5.4.11";
/// givenName (2.5.4.42): the **patronymic** in NCA certificates.
pub const OID_GIVEN_NAME: &str = "2.5.4.42";
/// emailAddress (PKCS #9, 1.2.840.113549.1.9.1), "E".
pub const OID_EMAIL: &str = "1.2.840.113549.1.9.1";
/// userId (RFC 4519, 0.9.2342.19200300.100.1.1): an information system's identifier.
pub const OID_UID: &str = "0.9.2342.19200300.100.1.1";

/// A subject attribute the identity does not interpret (businessCategory, domainComponent,
/// an OU that is not a BIN, …), kept for the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DnAttribute {
    /// The attribute type, dotted.
    pub oid: String,
    /// The decoded value.
    pub value: String,
}

/// The subject attributes, decoded (see [`Identity`](super::Identity) for their meaning).
#[derive(Debug, Default)]
pub(super) struct Subject {
    pub common_name: Option<String>,
    pub surname: Option<String>,
    pub patronymic: Option<String>,
    pub serial_number: Option<String>,
    pub iin: Option<String>,
    pub organization: Option<String>,
    pub bin: Option<String>,
    pub country: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub email: Option<String>,
    pub uid: Option<String>,
    pub other_attributes: Vec<DnAttribute>,
    pub notes: Vec<IdentityNote>,
}

impl Subject {
    /// Decodes every attribute of `name`.
    ///
    /// Attributes the identity uses must decode (else [`IdentityError::Attribute`]); others that
    /// do not are skipped with a note. The IIN, BIN and UID identify the subject, so two
    /// different values of one of them are an error; a repeated name attribute keeps its first
    /// value and adds a note.
    pub(super) fn read(name: &X509Name<'_>) -> Result<Self, IdentityError> {
        let mut subject = Self::default();
        for attribute in name.iter_attributes() {
            let oid = attribute.attr_type().to_id_string();
            let value = match decode_any(attribute.attr_value()) {
                Ok(value) => value,
                Err(error) if is_known(&oid) => {
                    return Err(IdentityError::Attribute { oid, error });
                }
                Err(error) => {
                    subject.notes.push(IdentityNote::UndecodableAttribute {
                        oid,
                        error: error.to_string(),
                    });
                    continue;
                }
            };
            subject.add(oid, value)?;
        }
        Ok(subject)
    }

    /// Files one decoded attribute.
    fn add(&mut self, oid: String, value: String) -> Result<(), IdentityError> {
        let slot = match oid.as_str() {
            OID_COMMON_NAME => &mut self.common_name,
            OID_SURNAME => &mut self.surname,
            OID_GIVEN_NAME => &mut self.patronymic,
            OID_ORGANIZATION => &mut self.organization,
            OID_COUNTRY => &mut self.country,
            OID_LOCALITY => &mut self.locality,
            OID_REGION => &mut self.region,
            OID_EMAIL => &mut self.email,
            OID_UID => return set_unique(&mut self.uid, "UID", value),
            OID_SERIAL_NUMBER => {
                if let Some(digits) = value.strip_prefix("IIN") {
                    if is_well_formed(digits) {
                        set_unique(&mut self.iin, "IIN", digits.to_owned())?;
                    } else {
                        self.notes.push(IdentityNote::MalformedIin {
                            serial_number: value.clone(),
                        });
                    }
                }
                &mut self.serial_number
            }
            OID_ORGANIZATIONAL_UNIT => {
                match value.strip_prefix("BIN") {
                    Some(digits) if is_well_formed(digits) => {
                        return set_unique(&mut self.bin, "BIN", digits.to_owned());
                    }
                    Some(_) => self.notes.push(IdentityNote::MalformedBin {
                        organizational_unit: value.clone(),
                    }),
                    None => {}
                }
                self.other_attributes.push(DnAttribute { oid, value });
                return Ok(());
            }
            _ => {
                self.other_attributes.push(DnAttribute { oid, value });
                return Ok(());
            }
        };
        match slot {
            None => *slot = Some(value),
            Some(first) if *first == value => {}
            Some(_) => self.notes.push(IdentityNote::DuplicateAttribute {
                oid,
                ignored: value,
            }),
        }
        Ok(())
    }
}

/// Whether the identity interprets attributes of type `oid`.
fn is_known(oid: &str) -> bool {
    matches!(
        oid,
        OID_COMMON_NAME
            | OID_SURNAME
            | OID_SERIAL_NUMBER
            | OID_COUNTRY
            | OID_LOCALITY
            | OID_REGION
            | OID_ORGANIZATION
            | OID_ORGANIZATIONAL_UNIT
            | OID_GIVEN_NAME
            | OID_EMAIL
            | OID_UID
    )
}

/// Sets an identifying value, refusing a second, different one.
fn set_unique(
    slot: &mut Option<String>,
    what: &'static str,
    value: String,
) -> Result<(), IdentityError> {
    match slot {
        Some(first) if *first != value => Err(IdentityError::Conflicting {
            what,
            first: first.clone(),
            second: value,
        }),
        Some(_) => Ok(()),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// The first name, from CN = "SURNAME NAME" (`docs/nca-profile.md`, "Who signed"): what
/// follows the surname and whitespace, without a trailing patronymic should the CN also hold
/// one. `None` when the CN does not start with the surname or nothing follows it.
pub fn first_name_from_common_name(
    common_name: &str,
    surname: &str,
    patronymic: Option<&str>,
) -> Option<String> {
    if surname.trim().is_empty() {
        return None;
    }
    let rest = common_name.trim().strip_prefix(surname.trim())?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut rest = rest.trim();
    if let Some(patronymic) = patronymic.map(str::trim).filter(|p| !p.is_empty())
        && let Some(before) = rest.strip_suffix(patronymic)
        && before.ends_with(char::is_whitespace)
    {
        rest = before.trim_end();
    }
    (!rest.is_empty()).then(|| rest.to_owned())
}
