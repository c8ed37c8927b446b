//! The validation report (ETSI EN 319 102-1 §5.1.3 "validation report", simplified): the
//! overall and per-signer verdicts, the facts each was reached from, and every check with a
//! short human message. Serialised as JSON with camelCase names; `Display` (in `text`) gives the
//! terminal form.

use std::fmt::{self, Display};
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::cms::SignerIdentifier;
use crate::crypto::{SignatureAlgorithm, SignerCryptoFacts};
use crate::identity::Identity;
use crate::path::{Certificate, Fingerprint};
use crate::revocation::ocsp::{OcspAnswer, ResponderKind};
use crate::revocation::{CrlSource, RevocationReason, RevocationStatus, UnknownReason};
use crate::time::Time;
use crate::verdict::{SubIndication, Verdict};

/// What the engine concluded about one CMS SignedData.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Report {
    /// The overall verdict: the worst signer's, or NOT_OWNER (`docs/verify-contract.md`).
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The validation time (unix seconds; RFC 3339 in JSON).
    #[serde(serialize_with = "unix_as_rfc3339")]
    pub validation_time: i64,
    /// How the input was encoded (`DER`, `BER`, `PEM`, `base64`), when it could be read.
    pub format: Option<&'static str>,
    /// Whether the content was detached (not carried in the CMS).
    pub detached: Option<bool>,
    /// The ownership expectation and which signers met it; absent without expectations.
    pub ownership: Option<OwnershipReport>,
    /// Checks about the document as a whole (format, content).
    pub checks: Vec<Check>,
    /// One report per SignerInfo, in the CMS's order.
    pub signers: Vec<SignerReport>,
}

/// How the ownership expectation was met.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OwnershipReport {
    /// The expected IIN.
    pub expected_iin: Option<String>,
    /// The expected BIN.
    pub expected_bin: Option<String>,
    /// The expected roles, as dotted OIDs.
    pub expected_roles: Vec<String>,
    /// The indexes of the signers that match every expectation.
    pub matching_signers: Vec<usize>,
}

/// What the engine concluded about one SignerInfo.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignerReport {
    /// The SignerInfo's position in the CMS, from 0.
    pub index: usize,
    /// This signer's verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The signer identifier (RFC 5652 §5.3); text in JSON.
    pub signer_identifier: SignerId,
    /// Who signed, read from the signing certificate (NCA profile).
    pub identity: Option<Arc<Identity>>,
    /// The signature algorithm, when it could be resolved.
    #[serde(serialize_with = "display_option")]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// The claimed signing time (signingTime attribute, RFC 5652 §11.3): a claim, not a proof.
    #[serde(serialize_with = "display_option")]
    pub claimed_signing_time: Option<Time>,
    /// The earliest proven time the signature existed (time-stamp genTime or a caller's proof).
    pub proof_of_existence: Option<ProofOfExistence>,
    /// The best-signature-time the checks used (EN 319 102-1 §5.6.2.4): the proof of
    /// existence, else the validation time (unix seconds; RFC 3339 in JSON).
    #[serde(serialize_with = "unix_as_rfc3339")]
    pub best_signature_time: i64,
    /// The signature time-stamps found (RFC 3161 signatureTimeStampToken).
    pub time_stamps: Vec<TimeStampReport>,
    /// The certification path, signing certificate first, trust anchor last; only the
    /// signing certificate when no path was found.
    pub chain: Arc<[Arc<CertificateSummary>]>,
    /// The revocation status of each certificate of the path but the trust anchor.
    pub revocation: Vec<Arc<RevocationReport>>,
    /// Whether this signer meets the ownership expectation; absent without one.
    pub owner: Option<bool>,
    /// Every check, in pipeline order.
    pub checks: Vec<Check>,
}

/// A proof that the signature existed at a time.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProofOfExistence {
    /// The time (unix seconds; RFC 3339 in JSON).
    #[serde(serialize_with = "unix_as_rfc3339")]
    pub time: i64,
    /// Where it comes from: `timeStamp` or `caller` (a registration record).
    pub source: &'static str,
}

/// One signature time-stamp token.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TimeStampReport {
    /// genTime, RFC 3339, when the token verified.
    pub gen_time: Option<String>,
    /// The TSA policy OID.
    pub policy: Option<String>,
    /// The token's serial number, hex.
    pub serial_number: Option<String>,
    /// The TSA certificate.
    pub tsa: Option<Arc<CertificateSummary>>,
    /// Whether genTime was used as a proof of existence (token, TSA path and TSA revocation
    /// all good).
    pub proof_of_existence: bool,
    /// What was found.
    pub message: String,
}

/// A certificate as a report names it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CertificateSummary {
    /// The subject DN (RFC 4514 form).
    pub subject: String,
    /// The issuer DN.
    pub issuer: String,
    /// The serial number, hex.
    pub serial_number: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
}

impl CertificateSummary {
    pub(crate) fn of(cert: &Certificate) -> Self {
        let (not_before, not_after) = cert.validity();
        Self {
            subject: name(cert.subject_raw()),
            issuer: name(cert.issuer_raw()),
            serial_number: hex(cert.serial()),
            fingerprint: cert.fingerprint().to_string(),
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
        }
    }
}

/// The revocation status of one certificate of the path.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RevocationReport {
    /// The certificate's fingerprint (hex in JSON).
    pub certificate: Fingerprint,
    /// `good`, `revoked` or `unknown`.
    pub status: &'static str,
    /// revocationDate, RFC 3339, when revoked.
    pub revocation_date: Option<String>,
    /// The CRLReason, when revoked.
    pub reason: Option<RevocationReason>,
    /// Why no status could be read, when unknown.
    pub unknown_reason: Option<UnknownReason>,
    /// The CRLs the status was read from (complete CRL, then delta); empty when it was
    /// read from an OCSP response.
    pub sources: Vec<Arc<CrlSourceReport>>,
    /// Which source gave the status: `ocsp` or `crl`; absent when it is unknown.
    pub status_source: Option<&'static str>,
    /// The OCSP response the status was read from, when `statusSource` is `ocsp`.
    pub ocsp: Option<OcspSourceReport>,
    /// OCSP responses about this certificate that were not believed, each as
    /// `fingerprint: why`.
    pub ocsp_ignored: Vec<String>,
    /// invalidityDate, RFC 3339, when revoked and the CRL entry gives one (RFC 5280 §5.3.2:
    /// since when the key is known or suspected to have been compromised).
    pub invalidity_date: Option<String>,
    /// The proof of existence, RFC 3339, when the status is the one at that time rather than
    /// at the validation time: no revocation data in force at the validation time gave a
    /// status, and CRLs that have lapsed since did (EN 319 102-1 §5.6.2.4; `null` otherwise).
    pub status_at: Option<String>,
}

/// An OCSP response a revocation status was read from (RFC 6960 §4.2.1).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OcspSourceReport {
    /// SHA-256 of the OCSPResponse's DER, hex.
    pub fingerprint: String,
    /// `caller` (given to the verifier, `--ocsp`), `cms` (carried by the signature,
    /// RFC 5940) or `request` (supplied with this verification: fetched from the responder
    /// by the server, or kept as evidence by the registration re-verified).
    pub origin: &'static str,
    /// producedAt, RFC 3339: when the responder signed it.
    pub produced_at: String,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// nextUpdate, RFC 3339, if present.
    pub next_update: Option<String>,
    /// Who signed: `ca`, `delegated` or `delegated-nocheck` (RFC 6960 §4.2.2.2).
    pub responder: &'static str,
    /// The signer certificate's subject DN.
    pub responder_subject: String,
    /// The CertID's hash algorithm.
    pub cert_id_hash: &'static str,
}

impl OcspSourceReport {
    pub(crate) fn of(answer: &OcspAnswer) -> Self {
        let verified = &answer.verified;
        Self {
            fingerprint: answer.response.to_string(),
            origin: match (answer.request_local, answer.supplied) {
                (true, true) => "request",
                (true, false) => "cms",
                (false, _) => "caller",
            },
            produced_at: rfc3339(verified.produced_at),
            this_update: rfc3339(verified.this_update),
            next_update: verified.next_update.map(rfc3339),
            responder: match verified.responder_kind {
                ResponderKind::Ca => "ca",
                ResponderKind::Delegated { nocheck: false } => "delegated",
                ResponderKind::Delegated { nocheck: true } => "delegated-nocheck",
            },
            responder_subject: name(verified.responder.subject_raw()),
            cert_id_hash: verified.cert_id_hash.name(),
        }
    }
}

impl RevocationReport {
    pub(crate) fn of(
        certificate: Fingerprint,
        status: &RevocationStatus,
        source_report: impl Fn(&CrlSource) -> Arc<CrlSourceReport>,
    ) -> Self {
        let mut report = Self {
            certificate,
            status: "unknown",
            revocation_date: None,
            reason: None,
            unknown_reason: None,
            sources: Vec::new(),
            status_source: None,
            ocsp: None,
            ocsp_ignored: Vec::new(),
            invalidity_date: None,
            status_at: None,
        };
        match status {
            RevocationStatus::Good { source } => {
                report.status = "good";
                report.sources = source.iter().map(&source_report).collect();
            }
            RevocationStatus::Revoked {
                date,
                reason,
                invalidity_date,
                source,
            } => {
                report.status = "revoked";
                report.revocation_date = Some(rfc3339(*date));
                report.invalidity_date = invalidity_date.map(rfc3339);
                report.reason = Some(*reason);
                report.sources = source.iter().map(&source_report).collect();
            }
            RevocationStatus::Unknown { why } => report.unknown_reason = Some(*why),
        }
        report
    }
}

/// A CRL a revocation status was read from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CrlSourceReport {
    /// SHA-256 of the CRL's DER, hex.
    pub fingerprint: String,
    /// thisUpdate, RFC 3339.
    pub this_update: String,
    /// nextUpdate, RFC 3339.
    pub next_update: Option<String>,
    /// cRLNumber, hex.
    pub number: Option<String>,
    /// Whether it is a delta CRL.
    pub delta: bool,
}

impl CrlSourceReport {
    pub(crate) fn of(source: &CrlSource) -> Self {
        Self {
            fingerprint: source.fingerprint.to_string(),
            this_update: rfc3339(source.this_update),
            next_update: source.next_update.map(rfc3339),
            number: source.number.as_ref().map(|n| hex(n.as_bytes())),
            delta: source.delta,
        }
    }
}

/// The building blocks of EN 319 102-1 §5.2 (and this project's ownership check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CheckName {
    /// §5.2.2 format checking: the input decodes as CMS SignedData with signers.
    Format,
    /// The signed content: present, and the same as the encapsulated one when both are given.
    Content,
    /// §5.2.3 identification of the signing certificate.
    SigningCertificate,
    /// §5.2.7 cryptographic verification: messageDigest and signature value.
    Cryptographic,
    /// RFC 3161 signature time-stamps as proofs of existence (§5.4).
    TimeStamp,
    /// §5.2.6 X.509 certificate validation: the path and validity periods.
    CertificatePath,
    /// §5.2.6 revocation status of the path's certificates.
    Revocation,
    /// §5.2.8 signature acceptance: algorithms, key sizes, key purposes.
    SignatureAcceptance,
    /// The signer is the expected person or organisation (`docs/verify-contract.md`).
    Ownership,
}

impl CheckName {
    /// The name as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Format => "format",
            Self::Content => "content",
            Self::SigningCertificate => "signingCertificate",
            Self::Cryptographic => "cryptographic",
            Self::TimeStamp => "timeStamp",
            Self::CertificatePath => "certificatePath",
            Self::Revocation => "revocation",
            Self::SignatureAcceptance => "signatureAcceptance",
            Self::Ownership => "ownership",
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Outcome {
    /// Passed.
    Passed,
    /// Passed, with something the reader should know.
    Warning,
    /// Failed: the sub-indication says how.
    Failed,
}

/// One check and its outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Check {
    /// Which check.
    pub check: CheckName,
    /// How it ended.
    pub outcome: Outcome,
    /// The sub-indication of a failure.
    pub sub_indication: Option<SubIndication>,
    /// A short human message.
    pub message: Message,
}

/// A check's human message. Rendered only when the report is (JSON or text): the pipeline
/// records what to say, so that verifying a million documents for their verdicts does not
/// format a million sentences.
#[derive(Debug, Clone)]
pub struct Message(Text);

#[derive(Debug, Clone)]
enum Text {
    Static(&'static str),
    Owned(String),
    Cryptographic(SignerCryptoFacts),
    Format {
        encoding: &'static str,
        signers: usize,
        certificates: usize,
        crls: usize,
    },
}

impl Message {
    /// What the cryptographic check established.
    pub(crate) fn cryptographic(facts: SignerCryptoFacts) -> Self {
        Self(Text::Cryptographic(facts))
    }

    /// What the format check read.
    pub(crate) fn format(
        encoding: &'static str,
        signers: usize,
        certificates: usize,
        crls: usize,
    ) -> Self {
        Self(Text::Format {
            encoding,
            signers,
            certificates,
            crls,
        })
    }
}

impl From<&'static str> for Message {
    fn from(text: &'static str) -> Self {
        Self(Text::Static(text))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Self(Text::Owned(text))
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Text::Static(text) => f.write_str(text),
            Text::Owned(text) => f.write_str(text),
            Text::Format {
                encoding,
                signers,
                certificates,
                crls,
            } => write!(
                f,
                "CMS SignedData ({encoding}), {signers} signer(s), {certificates} certificate(s), {crls} CRL(s)"
            ),
            Text::Cryptographic(facts) => {
                if facts.signed_attributes {
                    write!(
                        f,
                        "messageDigest ({}) matches the content and the signature over the signed attributes verifies",
                        facts.digest_algorithm
                    )?;
                } else {
                    f.write_str("the signature over the content verifies (no signed attributes)")?;
                }
                write!(f, " ({})", facts.signature_algorithm)?;
                match (facts.signing_certificate.v2, facts.signing_certificate.v1) {
                    (Some(hash), _) => write!(f, "; signingCertificateV2 ({hash}) matches"),
                    (None, true) => f.write_str("; signingCertificate (SHA-1) matches"),
                    (None, false) => Ok(()),
                }
            }
        }
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A SignerInfo's signer identifier (RFC 5652 §5.3), rendered as text when the report is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerId {
    /// issuerAndSerialNumber: the issuer Name (DER) and the serial number's content octets.
    IssuerAndSerialNumber {
        /// The issuer Name, DER.
        issuer: Vec<u8>,
        /// The serialNumber INTEGER's content octets.
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier.
    SubjectKeyIdentifier(Vec<u8>),
}

impl SignerId {
    pub(crate) fn of(sid: &SignerIdentifier<'_>) -> Self {
        match sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => Self::IssuerAndSerialNumber {
                issuer: id.issuer.to_vec(),
                serial: id.serial_number.to_vec(),
            },
            SignerIdentifier::SubjectKeyIdentifier(ski) => Self::SubjectKeyIdentifier(ski.to_vec()),
        }
    }
}

impl fmt::Display for SignerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IssuerAndSerialNumber { issuer, serial } => {
                write!(f, "issuer {}, serial {}", name(issuer), hex(serial))
            }
            Self::SubjectKeyIdentifier(ski) => write!(f, "subjectKeyIdentifier {}", hex(ski)),
        }
    }
}

impl Serialize for SignerId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Check {
    pub(crate) fn passed(check: CheckName, message: impl Into<Message>) -> Self {
        Self {
            check,
            outcome: Outcome::Passed,
            sub_indication: None,
            message: message.into(),
        }
    }

    pub(crate) fn warning(check: CheckName, message: impl Into<Message>) -> Self {
        Self {
            outcome: Outcome::Warning,
            ..Self::passed(check, message)
        }
    }

    pub(crate) fn failed(
        check: CheckName,
        sub: SubIndication,
        message: impl Into<Message>,
    ) -> Self {
        Self {
            check,
            outcome: Outcome::Failed,
            sub_indication: Some(sub),
            message: message.into(),
        }
    }
}

/// Times are kept as numbers and written as text only when a report is serialised: a bulk
/// re-verification that only reads the verdicts does not pay for formatting.
fn unix_as_rfc3339<S: Serializer>(unix: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&rfc3339(*unix))
}

fn display_option<T: Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

/// Unix seconds as RFC 3339 UTC (`2026-06-15T12:00:00Z`); out-of-range values as a number.
pub(crate) fn rfc3339(unix: i64) -> String {
    Time::from_unix(unix).map_or_else(|| format!("@{unix}"), |t| t.to_string())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// A DER Name as RFC 4514 text, or hex when it does not decode.
pub(crate) fn name(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        Ok(([], name)) => name.to_string(),
        _ => hex(der),
    }
}
