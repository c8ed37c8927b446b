//! Verification of a signatureTimeStampToken (RFC 3161 §2.4.2, RFC 5816, RFC 5652 §5.4).

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

use crate::cms::{SignedData, SignerIdentifier, parse_signed_data};
use crate::crypto::{self, Content, DigestAlgorithm, SignerCryptoFacts};
use crate::oid;
use crate::path::{self, CertificateStore, Limits, PathError, ValidatedPath};
use crate::time::Time;

use super::error::TimeStampError;
use super::tst_info::TstInfo;

/// Something about a verified token that did not prevent its use but that a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeStampNote {
    /// The TSA certificate's extendedKeyUsage is exactly id-kp-timeStamping but not marked
    /// critical, which RFC 3161 §2.3 requires (accepted for interoperability).
    TimeStampingEkuNotCritical,
}

/// A time-stamp token whose signature, ESS binding, message imprint and TSA key purpose
/// verified. Its TSA certificate path is **not** yet checked: call [`Self::chain`]; only when
/// that succeeds may the engine use [`Self::gen_time_unix`] as a proof of existence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedTimeStamp {
    /// genTime in seconds since the Unix epoch (fraction dropped).
    pub gen_time_unix: i64,
    /// genTime to the second.
    pub gen_time: Time,
    /// The TSA certificate (DER) that signed the token.
    pub tsa_certificate_der: Vec<u8>,
    /// The TSA policy OID, dotted.
    pub policy: String,
    /// The token's serialNumber (INTEGER content octets).
    pub serial: Vec<u8>,
    /// The messageImprint's hash algorithm.
    pub digest_algorithm: DigestAlgorithm,
    /// The facts of the token's own SignerInfo check (algorithm, ESS binding).
    pub signer: SignerCryptoFacts,
    /// Accepted deviations.
    pub notes: Vec<TimeStampNote>,
}

impl VerifiedTimeStamp {
    /// Builds the TSA certificate's path to a trust anchor of `store` at genTime (RFC 3161
    /// §4.1: the TSA certificate must have been valid when the token was made). Until this
    /// succeeds the token is no proof of existence: a `NO_CERTIFICATE_CHAIN_FOUND` here (for
    /// example a production NCA TSA checked against the test anchors) leaves the signing time
    /// unproven, information for an INDETERMINATE verdict only.
    pub fn chain(&self, store: &CertificateStore) -> Result<ValidatedPath, PathError> {
        path::build_path(
            &self.tsa_certificate_der,
            store,
            self.gen_time_unix,
            Limits::default(),
        )
    }
}

/// Verifies an RFC 3161 time-stamp token (`token`: the raw ContentInfo of a
/// signatureTimeStampToken attribute value, RFC 3161 Appendix A) over `signature_value` (the
/// signature of the SignerInfo it is attached to):
///
/// 1. the token is a SignedData with eContentType id-ct-TSTInfo and exactly one SignerInfo
///    (RFC 3161 §2.4.2); its TSTInfo decodes;
/// 2. the TSA certificate is found by the signer identifier (issuerAndSerialNumber or
///    subjectKeyIdentifier) among the token's certificates, then among `extra_certificates`;
/// 3. the SignerInfo verifies over the TSTInfo ([`crypto::verify_signer_info`]), including the
///    ESS signingCertificate (RFC 2634) or signingCertificateV2 (RFC 5816 §2.2.1), one of
///    which must be present;
/// 4. the messageImprint equals the digest, under its own hash algorithm, of
///    `signature_value`;
/// 5. the TSA certificate's extendedKeyUsage is exactly id-kp-timeStamping (RFC 3161 §2.3);
///    when it is not critical the token is accepted with
///    [`TimeStampNote::TimeStampingEkuNotCritical`].
///
/// The TSA certificate's path is left to [`VerifiedTimeStamp::chain`].
pub fn verify_signature_time_stamp(
    token: &[u8],
    signature_value: &[u8],
    extra_certificates: &[&[u8]],
) -> Result<VerifiedTimeStamp, TimeStampError> {
    let signed_data = parse_signed_data(token)?;
    let e_content_type = signed_data.encap_content_info.e_content_type;
    if e_content_type != oid::ID_CT_TST_INFO {
        return Err(TimeStampError::NotTstInfo(e_content_type.to_string()));
    }
    let tst_bytes = signed_data
        .encap_content_info
        .e_content
        .as_deref()
        .ok_or(TimeStampError::MissingTstInfo)?;
    let tst_info = TstInfo::parse(tst_bytes)?;
    let signer = match signed_data.signer_infos.as_slice() {
        [signer] => signer,
        other => return Err(TimeStampError::SignerCount(other.len())),
    };

    let tsa_der = find_tsa_certificate(&signed_data, &signer.sid, extra_certificates)
        .ok_or(TimeStampError::TsaCertificateNotFound)?;
    let facts = crypto::verify_signer_info(signer, tsa_der, Content::Attached(tst_bytes))?;
    if !facts.signing_certificate.v1 && facts.signing_certificate.v2.is_none() {
        return Err(TimeStampError::MissingSigningCertificate);
    }

    let imprint = &tst_info.message_imprint;
    let digest_algorithm = DigestAlgorithm::from_algorithm_identifier(&imprint.hash_algorithm)
        .map_err(|_| {
            TimeStampError::UnsupportedImprintAlgorithm(
                imprint.hash_algorithm.algorithm.to_string(),
            )
        })?;
    if digest_algorithm.digest(signature_value) != imprint.hashed_message {
        return Err(TimeStampError::ImprintMismatch);
    }

    let mut notes = Vec::new();
    let certificate = parse_certificate(tsa_der)?;
    if !time_stamping_eku(&certificate)? {
        notes.push(TimeStampNote::TimeStampingEkuNotCritical);
    }

    Ok(VerifiedTimeStamp {
        gen_time_unix: tst_info.gen_time.time.unix_timestamp(),
        gen_time: tst_info.gen_time.time,
        tsa_certificate_der: tsa_der.to_vec(),
        policy: tst_info.policy.to_string(),
        serial: tst_info.serial_number.to_vec(),
        digest_algorithm,
        signer: facts,
        notes,
    })
}

fn parse_certificate(der: &[u8]) -> Result<X509Certificate<'_>, TimeStampError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], certificate)) => Ok(certificate),
        _ => Err(TimeStampError::MalformedTsaCertificate),
    }
}

/// Checks extendedKeyUsage is exactly id-kp-timeStamping; returns whether it is critical.
pub(super) fn time_stamping_eku(certificate: &X509Certificate<'_>) -> Result<bool, TimeStampError> {
    let eku = certificate
        .extended_key_usage()
        .map_err(|_| TimeStampError::MalformedTsaCertificate)?
        .ok_or(TimeStampError::NotTimeStampingCertificate)?;
    let value = eku.value;
    let only_time_stamping = value.time_stamping
        && !value.any
        && !value.server_auth
        && !value.client_auth
        && !value.code_signing
        && !value.email_protection
        && !value.ocsp_signing
        && value.other.is_empty();
    if !only_time_stamping {
        return Err(TimeStampError::NotTimeStampingCertificate);
    }
    Ok(eku.critical)
}

/// The certificate `sid` designates, among the token's certificates then `extra`.
fn find_tsa_certificate<'c>(
    signed_data: &SignedData<'c>,
    sid: &SignerIdentifier<'_>,
    extra: &[&'c [u8]],
) -> Option<&'c [u8]> {
    signed_data
        .x509_certificates()
        .chain(extra.iter().copied())
        .find(|der| matches_sid(der, sid))
}

fn matches_sid(der: &[u8], sid: &SignerIdentifier<'_>) -> bool {
    let Ok(certificate) = parse_certificate(der) else {
        return false;
    };
    let tbs = &certificate.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.serial_number == tbs.raw_serial() && ias.issuer == tbs.issuer.as_raw()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs.extensions().iter().any(|ext| {
            matches!(ext.parsed_extension(), ParsedExtension::SubjectKeyIdentifier(id) if id.0 == ski.as_ref())
        }),
    }
}
