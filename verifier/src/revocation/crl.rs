//! One CRL (RFC 5280 §5.1), parsed once: its raw tbsCertList and signature for the check
//! against an issuer certificate, its header facts, and its revoked serials as an index.

use std::fmt;

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::{CertificateRevocationList, RevokedCertificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::ber::{Tag, Tlv};
use crate::cms::AlgorithmIdentifier;
use crate::crypto;
use crate::path::{Certificate, Fingerprint};
use crate::revocation::build::Builder;
use crate::revocation::covered::Covered;
use crate::revocation::entries;
use crate::revocation::error::{CrlError, CrlUnusable};
use crate::revocation::index::RevokedSerials;
use crate::revocation::layout;
use crate::revocation::types::{CrlNumber, normalise};

const AUTHORITY_KEY_IDENTIFIER: &str = "2.5.29.35";
const ISSUER_ALT_NAME: &str = "2.5.29.18";
const CRL_NUMBER: &str = "2.5.29.20";
const DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const FRESHEST_CRL: &str = "2.5.29.46";

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
/// against a given issuer certificate (the store caches the verdict). Two are equal when
/// everything read from them is.
#[derive(Clone, PartialEq, Eq)]
pub struct Crl {
    fingerprint: Fingerprint,
    /// The original tbsCertList bytes (never re-encoded), or their digest when the signature
    /// is verified from one (RSA PKCS#1 v1.5, GOST).
    covered: Covered,
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
        Self::from_der_with(der, Fingerprint::of(der))
    }

    /// [`Self::from_der`] with the DER's fingerprint already computed (the store has it).
    pub(crate) fn from_der_with(der: &[u8], fingerprint: Fingerprint) -> Result<Self, CrlError> {
        let signed = crate::signed::Signed::from_der(der).map_err(malformed)?;
        // x509-parser reads all but the entries when the list can be split off (`layout.rs`);
        // otherwise it reads them too, as objects.
        let split = layout::split(der);
        let header = split.as_ref().map_or(der, |s| s.without_list.as_slice());
        let list = split.as_ref().map_or(&[][..], |s| s.list);
        Self::assemble(header, signed, fingerprint, |parsed, algorithm| {
            Ok((
                index(parsed, list)?,
                Covered::new(signed.tbs.raw(), algorithm),
            ))
        })
    }

    /// The CRL whose DER without its entries is `without_list` (`layout::without_list`), and
    /// whose entries and tbsCertList digest were read from a stream (`stream.rs`).
    pub(crate) fn from_streamed(
        without_list: &[u8],
        fingerprint: Fingerprint,
        revoked: RevokedSerials,
        covered: Covered,
    ) -> Result<Self, CrlError> {
        let signed = crate::signed::Signed::from_der(without_list).map_err(malformed)?;
        Self::assemble(without_list, signed, fingerprint, |_, _| {
            Ok((revoked, covered))
        })
    }

    /// The CRL of `signed` whose header x509-parser reads from `header`; `entries` gives the
    /// index (from the entries x509-parser parsed, if any) and what the signature covers (for
    /// the signatureAlgorithm).
    fn assemble(
        header: &[u8],
        signed: crate::signed::Signed<'_>,
        fingerprint: Fingerprint,
        entries: impl FnOnce(
            &[RevokedCertificate<'_>],
            Option<&AlgorithmIdentifier<'_>>,
        ) -> Result<(RevokedSerials, Covered), CrlError>,
    ) -> Result<Self, CrlError> {
        let crate::signed::Signed {
            signature_algorithm,
            signature,
            ..
        } = signed;
        let (rest, crl) = CertificateRevocationList::from_der(header).map_err(malformed)?;
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

        let algorithm = AlgorithmIdentifier::from_tlv(signature_algorithm, "signatureAlgorithm");
        let (revoked, covered) = entries(
            &crl.tbs_cert_list.revoked_certificates,
            algorithm.as_ref().ok(),
        )?;

        Ok(Self {
            fingerprint,
            covered,
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

    /// The heap bytes this CRL holds: its index, what its signature covers (the tbsCertList,
    /// or its digest) and its header fields.
    pub fn heap_size(&self) -> usize {
        self.revoked.heap_size()
            + self.covered.heap_size()
            + self.signature_algorithm.capacity()
            + self.signature.capacity()
            + self.issuer.capacity()
            + self.authority_key_id.as_ref().map_or(0, Vec::capacity)
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
        self.covered
            .verify(&resolved, &spki.subject_public_key.data, &self.signature)
            .map_err(|e| bad(&e))
    }
}

/// The index of a CRL's entries: those x509-parser parsed (when the list could not be split
/// off) and those of the `list` content octets.
fn index(parsed: &[RevokedCertificate<'_>], list: &[u8]) -> Result<RevokedSerials, CrlError> {
    let (count, longest) = entries::scan(list);
    let longest = parsed
        .iter()
        .map(|e| normalise(e.raw_serial()).len())
        .fold(longest, usize::max);
    // A canonical entry takes at least 19 octets: a hostile list of tiny entries reserves
    // no more than about 1.5 times its own size before it fails.
    let capacity = count.min(list.len() / 19) + parsed.len();
    let mut builder = Builder::new(longest, capacity);
    let out_of_range = |_| malformed("revocation date out of range");
    for listed in parsed {
        builder
            .push(listed.raw_serial(), entries::from_x509(listed)?)
            .map_err(out_of_range)?;
    }
    entries::walk(list, |serial, entry| {
        builder.push(serial, entry).map_err(out_of_range)
    })?;
    Ok(builder.finish(|visit| {
        for listed in parsed {
            if let Ok(entry) = entries::from_x509(listed) {
                visit(listed.raw_serial(), entry);
            }
        }
        let _ = entries::walk(list, |serial, entry| -> Result<(), CrlError> {
            visit(serial, entry);
            Ok(())
        });
    }))
}

/// `Some(cRLSign)` when the certificate has keyUsage (RFC 5280 §4.2.1.3).
fn crl_sign(cert: &Certificate) -> Option<bool> {
    let (_, x509) = x509_parser::certificate::X509Certificate::from_der(cert.der()).ok()?;
    x509.key_usage()
        .ok()
        .flatten()
        .map(|ku| ku.value.crl_sign())
}
