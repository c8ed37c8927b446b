//! The extensions that say what a certificate's key is for: keyUsage (RFC 5280 §4.2.1.3),
//! extendedKeyUsage (§4.2.1.12, where NCA puts the roles) and certificatePolicies (§4.2.1.4).

use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::OID_X509_EXT_CERTIFICATE_POLICIES;

use super::error::IdentityError;
use super::roles::{OID_CLIENT_AUTH, OID_EMAIL_PROTECTION};

/// The keyUsage bits (RFC 5280 §4.2.1.3) that matter for signing and for telling a CA apart.
///
/// A document signature needs `nonRepudiation`; an older authentication key has
/// `digitalSignature` + `keyEncipherment` only (`docs/nca-profile.md`, "Key usage").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyUsageBits {
    /// digitalSignature (bit 0).
    pub digital_signature: bool,
    /// nonRepudiation / contentCommitment (bit 1).
    pub non_repudiation: bool,
    /// keyEncipherment (bit 2).
    pub key_encipherment: bool,
    /// keyAgreement (bit 4).
    pub key_agreement: bool,
    /// keyCertSign (bit 5).
    pub key_cert_sign: bool,
    /// cRLSign (bit 6).
    pub crl_sign: bool,
}

/// The extendedKeyUsage extension: its OIDs in dotted form and whether it is critical.
#[derive(Debug, Default)]
pub(super) struct ExtendedKeyUsage {
    pub oids: Vec<String>,
    pub critical: bool,
}

/// The keyUsage bits, `None` when the extension is absent.
pub(super) fn key_usage(cert: &X509Certificate<'_>) -> Result<Option<KeyUsageBits>, IdentityError> {
    let usage = cert
        .key_usage()
        .map_err(|e| extension_error(e, "keyUsage"))?;
    Ok(usage.map(|usage| {
        let ku = usage.value;
        KeyUsageBits {
            digital_signature: ku.digital_signature(),
            non_repudiation: ku.non_repudiation(),
            key_encipherment: ku.key_encipherment(),
            key_agreement: ku.key_agreement(),
            key_cert_sign: ku.key_cert_sign(),
            crl_sign: ku.crl_sign(),
        }
    }))
}

/// The extendedKeyUsage OIDs, standard purposes first, then the others in certificate order.
pub(super) fn extended_key_usage(
    cert: &X509Certificate<'_>,
) -> Result<ExtendedKeyUsage, IdentityError> {
    let Some(eku) = cert
        .extended_key_usage()
        .map_err(|e| extension_error(e, "extendedKeyUsage"))?
    else {
        return Ok(ExtendedKeyUsage::default());
    };
    let value = eku.value;
    let standard = [
        (value.any, "2.5.29.37.0"),
        (value.server_auth, "1.3.6.1.5.5.7.3.1"),
        (value.client_auth, OID_CLIENT_AUTH),
        (value.code_signing, "1.3.6.1.5.5.7.3.3"),
        (value.email_protection, OID_EMAIL_PROTECTION),
        (value.time_stamping, "1.3.6.1.5.5.7.3.8"),
        (value.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
    ];
    let oids = standard
        .into_iter()
        .filter(|(present, _)| *present)
        .map(|(_, oid)| oid.to_owned())
        .chain(value.other.iter().map(|oid| oid.to_id_string()))
        .collect();
    Ok(ExtendedKeyUsage {
        oids,
        critical: eku.critical,
    })
}

/// The certificatePolicies OIDs (dotted), empty when the extension is absent.
pub(super) fn certificate_policies(
    cert: &X509Certificate<'_>,
) -> Result<Vec<String>, IdentityError> {
    const NAME: &str = "certificatePolicies";
    let Some(extension) = cert
        .get_extension_unique(&OID_X509_EXT_CERTIFICATE_POLICIES)
        .map_err(|e| extension_error(e, NAME))?
    else {
        return Ok(Vec::new());
    };
    match extension.parsed_extension() {
        ParsedExtension::CertificatePolicies(policies) => Ok(policies
            .iter()
            .map(|policy| policy.policy_id.to_id_string())
            .collect()),
        _ => Err(IdentityError::InvalidExtension { extension: NAME }),
    }
}

/// Maps x509-parser's extension errors (a duplicate, or a value that does not parse).
fn extension_error(error: X509Error, extension: &'static str) -> IdentityError {
    match error {
        X509Error::DuplicateExtensions => IdentityError::DuplicateExtension { extension },
        _ => IdentityError::InvalidExtension { extension },
    }
}
