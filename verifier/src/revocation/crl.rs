//! One CRL (RFC 5280 §5.1), parsed once: its raw tbsCertList and signature for the check
//! against an issuer certificate, its header facts, and its revoked serials as an index.

use std::fmt;

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::ber::{Tag, Tlv};
use crate::cms::AlgorithmIdentifier;
use crate::crypto;
use crate::path::{Certificate, Fingerprint};
use crate::revocation::error::{CrlError, CrlUnusable};
use crate::revocation::index::{RevokedEntry, RevokedSerials};
use crate::revocation::types::{CrlNumber, RevocationReason};

const AUTHORITY_KEY_IDENTIFIER: &str = "2.5.29.35";
const ISSUER_ALT_NAME: &str = "2.5.29.18";
const CRL_NUMBER: &str = "2.5.29.20";
const DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const FRESHEST_CRL: &str = "2.5.29.46";
const REASON_CODE: &str = "2.5.29.21";
const INVALIDITY_DATE: &str = "2.5.29.24";

/// The value of a cRLNumber or deltaCRLIndicator extension: an INTEGER (RFC 5280 §5.2.3,
/// §5.2.4).
fn crl_number(value: &[u8]) -> Result<CrlNumber, CrlError> {
    let tlv = Tlv::parse_single(value).map_err(malformed)?;
    if tlv.tag() != Tag::INTEGER {
        return Err(malformed("CRL number is not an INTEGER"));
    }
    Ok(CrlNumber::from_integer_content(tlv.content()))
}

fn malformed(what: impl fmt::Display) -> CrlError {
    CrlError::Malformed(what.to_string())
}

/// A parsed CRL. Its signature is not checked here: [`Crl::verify_issued_by`] does that
/// against a given issuer certificate (the store caches the verdict).
#[derive(Clone)]
pub struct Crl {
    fingerprint: Fingerprint,
    /// The original tbsCertList bytes: what the issuer signed (never re-encoded).
    tbs: Vec<u8>,
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
    issuer: Vec<u8>,
    authority_key_id: Option<Vec<u8>>,
    this_update: i64,
    next_update: Option<i64>,
    number: Option<CrlNumber>,
    delta_base: Option<CrlNumber>,
    revoked: RevokedSerials,
}

impl fmt::Debug for Crl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crl")
            .field("fingerprint", &self.fingerprint)
            .field("this_update", &self.this_update)
            .field("next_update", &self.next_update)
            .field("number", &self.number)
            .field("delta_base", &self.delta_base)
            .field("entries", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

impl Crl {
    /// Parses one DER CertificateList (RFC 5280 §5.1); trailing data is an error, as is a
    /// critical extension other than deltaCRLIndicator (and the always-known ones), or a
    /// critical entry extension other than reasonCode/invalidityDate (an indirect CRL's
    /// certificateIssuer, RFC 5280 §5.3.3, is not supported).
    pub fn from_der(der: &[u8]) -> Result<Self, CrlError> {
        let crate::signed::Signed {
            tbs,
            signature_algorithm,
            signature,
        } = crate::signed::Signed::from_der(der).map_err(malformed)?;

        let (rest, crl) = CertificateRevocationList::from_der(der).map_err(malformed)?;
        if !rest.is_empty() {
            return Err(malformed("trailing data"));
        }
        // RFC 5280 §5.1.1.2: the inner signature field equals signatureAlgorithm. Compared by
        // algorithm OID only: NCA's GOST CRLs omit the parameters inside and write NULL
        // outside.
        if crl.tbs_cert_list.signature.algorithm != crl.signature_algorithm.algorithm {
            return Err(malformed(
                "tbsCertList.signature differs from signatureAlgorithm",
            ));
        }
        let mut authority_key_id = None;
        let mut number = None;
        let mut delta_base = None;
        for ext in crl.extensions() {
            let oid = ext.oid.to_id_string();
            match oid.as_str() {
                AUTHORITY_KEY_IDENTIFIER => {
                    if let x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(a) =
                        ext.parsed_extension()
                    {
                        authority_key_id = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                    }
                }
                CRL_NUMBER => number = Some(crl_number(ext.value)?),
                DELTA_CRL_INDICATOR => {
                    delta_base = Some(crl_number(ext.value)?);
                }
                ISSUER_ALT_NAME | FRESHEST_CRL => {}
                _ if ext.critical => return Err(CrlError::UnsupportedCriticalExtension(oid)),
                _ => {}
            }
        }

        let entries = &crl.tbs_cert_list.revoked_certificates;
        let serial_bytes = entries.iter().map(|e| e.raw_serial().len()).sum();
        let mut revoked = RevokedSerials::with_capacity(entries.len(), serial_bytes);
        for listed in entries {
            let mut reason = None;
            for ext in listed.extensions() {
                let oid = ext.oid.to_id_string();
                match oid.as_str() {
                    REASON_CODE => {
                        if let x509_parser::extensions::ParsedExtension::ReasonCode(code) =
                            ext.parsed_extension()
                        {
                            reason = Some(RevocationReason::from_code(code.0));
                        }
                    }
                    INVALIDITY_DATE => {}
                    _ if ext.critical => {
                        return Err(CrlError::UnsupportedCriticalExtension(oid));
                    }
                    _ => {}
                }
            }
            let entry = RevokedEntry {
                date: listed.revocation_date.timestamp(),
                reason,
            };
            if !revoked.push(listed.raw_serial(), entry) {
                return Err(malformed("too many revoked serial bytes"));
            }
        }
        revoked.finish();

        Ok(Self {
            fingerprint: Fingerprint::of(der),
            tbs: tbs.raw().to_vec(),
            signature_algorithm: signature_algorithm.raw().to_vec(),
            signature: signature.to_vec(),
            issuer: crl.issuer().as_raw().to_vec(),
            authority_key_id,
            this_update: crl.last_update().timestamp(),
            next_update: crl.next_update().map(|t| t.timestamp()),
            number,
            delta_base,
            revoked,
        })
    }

    /// SHA-256 of the DER.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The raw issuer Name (DER).
    pub fn issuer_raw(&self) -> &[u8] {
        &self.issuer
    }

    /// authorityKeyIdentifier keyIdentifier (RFC 5280 §5.2.1), if present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// thisUpdate, unix seconds (RFC 5280 §5.1.2.4).
    pub fn this_update(&self) -> i64 {
        self.this_update
    }

    /// nextUpdate, unix seconds (RFC 5280 §5.1.2.5), if present.
    pub fn next_update(&self) -> Option<i64> {
        self.next_update
    }

    /// cRLNumber (RFC 5280 §5.2.3), if present.
    pub fn number(&self) -> Option<&CrlNumber> {
        self.number.as_ref()
    }

    /// For a delta CRL, the BaseCRLNumber of its deltaCRLIndicator (RFC 5280 §5.2.4).
    pub fn delta_base(&self) -> Option<&CrlNumber> {
        self.delta_base.as_ref()
    }

    /// Whether this is a delta CRL.
    pub fn is_delta(&self) -> bool {
        self.delta_base.is_some()
    }

    /// The revoked serials.
    pub fn revoked(&self) -> &RevokedSerials {
        &self.revoked
    }

    /// Whether the CRL is usable at `at` (RFC 5280 §6.3.3 (a)): thisUpdate ≤ at ≤ nextUpdate.
    /// A CRL without nextUpdate (allowed by X.509, forbidden for conforming CAs by RFC 5280
    /// §5.1.2.5) is taken as current from its thisUpdate on.
    pub fn is_fresh_at(&self, at: i64) -> bool {
        self.this_update <= at && self.next_update.is_none_or(|next| at <= next)
    }

    /// Checks that `issuer` issued this CRL (RFC 5280 §6.3.3 (f)): same Name bytes, the
    /// CRL's authorityKeyIdentifier (when both are present) equal to the issuer's
    /// subjectKeyIdentifier, cRLSign in the issuer's keyUsage when it has one, and the
    /// issuer's key verifying the signature over the original tbsCertList bytes.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<(), CrlUnusable> {
        if issuer.subject_raw() != self.issuer.as_slice() {
            return Err(CrlUnusable::BadSignature("issuer name differs".to_owned()));
        }
        if let (Some(aki), Some(ski)) = (self.authority_key_id(), issuer.subject_key_id())
            && aki != ski
        {
            return Err(CrlUnusable::KeyIdentifierMismatch);
        }
        if crl_sign(issuer) == Some(false) {
            return Err(CrlUnusable::NoCrlSign);
        }
        let bad = |why: &dyn fmt::Display| CrlUnusable::BadSignature(why.to_string());
        let tlv = Tlv::parse_single(&self.signature_algorithm).map_err(|e| bad(&e))?;
        let algorithm =
            AlgorithmIdentifier::from_tlv(tlv, "signatureAlgorithm").map_err(|e| bad(&e))?;
        let (_, spki) = SubjectPublicKeyInfo::from_der(issuer.spki()).map_err(|e| bad(&e))?;
        let resolved = crypto::resolve(&algorithm, None, &spki).map_err(|e| bad(&e))?;
        crypto::verify_signature(
            &resolved,
            &spki.subject_public_key.data,
            &self.tbs,
            &self.signature,
        )
        .map_err(|e| bad(&e))
    }
}

/// `Some(cRLSign)` when the certificate has keyUsage (RFC 5280 §4.2.1.3).
fn crl_sign(cert: &Certificate) -> Option<bool> {
    let (_, x509) = x509_parser::certificate::X509Certificate::from_der(cert.der()).ok()?;
    x509.key_usage()
        .ok()
        .flatten()
        .map(|ku| ku.value.crl_sign())
}
