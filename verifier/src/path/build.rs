//! Depth-first search for an issuer chain from an end entity to a trust anchor
//! (RFC 5280 §6: path building is left to implementations; RFC 4158 describes the approach).

use std::collections::HashMap;
use std::sync::Arc;

use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::ber::Tlv;
use crate::cms::AlgorithmIdentifier;
use crate::crypto::{self, CryptoError, SignatureAlgorithm};
use crate::path::cert::Certificate;
use crate::path::error::PathError;
use crate::path::fingerprint::Fingerprint;
use crate::path::store::CertificateStore;
use crate::path::validate::validate;
use crate::path::{Limits, ValidatedPath};

/// Builds and validates a path from `end_entity_der` to a trust anchor of `store` at `at`
/// (unix seconds, UTC).
///
/// Issuer candidates are the store's certificates whose subject equals the child's issuer
/// (exact Name bytes), those whose subjectKeyIdentifier matches the child's
/// authorityKeyIdentifier first. Each candidate must have signed the child (its key verifies
/// the child's signature over the original tbsCertificate bytes): a look-alike CA with the
/// same name and another key is rejected here and the search goes on with the next
/// candidate. A certificate appears at most once on a path, a path holds at most
/// [`Limits::max_depth`] certificates, and at most [`Limits::max_signature_checks`]
/// signatures are verified ([`PathError::BudgetExhausted`] beyond). Each (certificate,
/// issuer) signature is verified at most once per call.
///
/// When a path reaches a trust anchor it is validated (RFC 5280 §6.1.3–§6.1.4, see the module
/// docs); if that fails the search continues, and the first validation error is reported if no
/// path validates.
///
/// Pure and deterministic: the same inputs give the same result, so the engine may cache it
/// by the [`ValidatedPath::fingerprints`] and the validation time.
pub fn build_path(
    end_entity_der: &[u8],
    store: &CertificateStore,
    at: i64,
    limits: Limits,
) -> Result<ValidatedPath, PathError> {
    build_path_with(end_entity_der, store, None, at, limits)
}

/// [`build_path`] with a second, request-local pool of `untrusted` certificates (a CMS's own
/// `certificates`), searched after `store` without being added to it. Nothing in
/// `untrusted` is a trust anchor, even if it was added as one.
pub fn build_path_with(
    end_entity_der: &[u8],
    store: &CertificateStore,
    untrusted: Option<&CertificateStore>,
    at: i64,
    limits: Limits,
) -> Result<ValidatedPath, PathError> {
    let fingerprint = Fingerprint::of(end_entity_der);
    let known = store
        .get(&fingerprint)
        .or_else(|| untrusted.and_then(|u| u.get(&fingerprint)));
    let end_entity = match known {
        Some(cert) => Arc::clone(cert),
        None => Arc::new(Certificate::from_der(end_entity_der).map_err(PathError::EndEntity)?),
    };
    let mut search = Search {
        store,
        untrusted,
        at,
        limits,
        checked: HashMap::new(),
        signature_checks: 0,
        rejected_signatures: 0,
        unsupported: None,
        too_long: false,
        end_entity_has_candidates: false,
        validation_error: None,
    };
    let mut path = vec![end_entity];
    if search.extend(&mut path)? {
        let signature_checks = search.signature_checks;
        let signature_algorithms = path
            .iter()
            .zip(path.iter().skip(1))
            .map(|(child, issuer)| {
                issued_by_algorithm(child, issuer).map_err(|error| {
                    PathError::UnsupportedSignatureAlgorithm {
                        certificate: child.fingerprint(),
                        error,
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        return Ok(ValidatedPath::new(
            path,
            signature_algorithms,
            signature_checks,
        ));
    }
    Err(search.failure())
}

struct Search<'s> {
    store: &'s CertificateStore,
    untrusted: Option<&'s CertificateStore>,
    at: i64,
    limits: Limits,
    /// (child, issuer) → whether issuer's key verifies child's signature.
    checked: HashMap<(Fingerprint, Fingerprint), bool>,
    signature_checks: usize,
    rejected_signatures: usize,
    unsupported: Option<(Fingerprint, CryptoError)>,
    too_long: bool,
    end_entity_has_candidates: bool,
    validation_error: Option<PathError>,
}

impl Search<'_> {
    /// Extends `path` (non-empty) to a validated path; `Ok(false)` when no extension works.
    fn extend(&mut self, path: &mut Vec<Arc<Certificate>>) -> Result<bool, PathError> {
        let Some(current) = path.last().cloned() else {
            return Ok(false);
        };
        if self.store.is_trust_anchor(&current.fingerprint()) {
            return match validate(path, self.at) {
                Ok(()) => Ok(true),
                Err(error) => {
                    self.validation_error.get_or_insert(error);
                    Ok(false)
                }
            };
        }
        if path.len() >= self.limits.max_depth {
            self.too_long = true;
            return Ok(false);
        }
        let mut candidates = self.store.issuer_candidates(&current);
        if let Some(untrusted) = self.untrusted {
            for (candidate, _) in untrusted.issuer_candidates(&current) {
                if !candidates
                    .iter()
                    .any(|(c, _)| c.fingerprint() == candidate.fingerprint())
                {
                    candidates.push((candidate, false));
                }
            }
        }
        if path.len() == 1 && !candidates.is_empty() {
            self.end_entity_has_candidates = true;
        }
        for (candidate, _anchor) in candidates {
            // Loop detection: a certificate at most once per path.
            if path
                .iter()
                .any(|c| c.fingerprint() == candidate.fingerprint())
            {
                continue;
            }
            if !self.signed_by(&current, candidate)? {
                continue;
            }
            path.push(Arc::clone(candidate));
            if self.extend(path)? {
                return Ok(true);
            }
            path.pop();
        }
        Ok(false)
    }

    fn signed_by(&mut self, child: &Certificate, issuer: &Certificate) -> Result<bool, PathError> {
        let key = (child.fingerprint(), issuer.fingerprint());
        if let Some(&ok) = self.checked.get(&key) {
            return Ok(ok);
        }
        if self.signature_checks >= self.limits.max_signature_checks {
            return Err(PathError::BudgetExhausted {
                budget: self.limits.max_signature_checks,
            });
        }
        self.signature_checks += 1;
        let ok = match verify_issued_by(child, issuer) {
            Ok(()) => true,
            // Another key, another key type: not this child's issuer.
            Err(
                CryptoError::BadSignature
                | CryptoError::KeyAlgorithmMismatch { .. }
                | CryptoError::MalformedKey(_),
            ) => {
                self.rejected_signatures += 1;
                false
            }
            Err(error) => {
                self.unsupported.get_or_insert((child.fingerprint(), error));
                false
            }
        };
        self.checked.insert(key, ok);
        Ok(ok)
    }

    fn failure(self) -> PathError {
        if let Some(error) = self.validation_error {
            error
        } else if let Some((certificate, error)) = self.unsupported {
            PathError::UnsupportedSignatureAlgorithm { certificate, error }
        } else if self.too_long {
            PathError::PathTooLong {
                max_depth: self.limits.max_depth,
            }
        } else if !self.end_entity_has_candidates {
            PathError::NoIssuerFound
        } else {
            PathError::NoPathToTrustAnchor {
                rejected_signatures: self.rejected_signatures,
            }
        }
    }
}

/// Whether `issuer`'s public key verifies `child`'s signature over its original
/// tbsCertificate bytes (RFC 5280 §6.1.3 (a)(1)), through [`crypto`].
pub(crate) fn verify_issued_by(
    child: &Certificate,
    issuer: &Certificate,
) -> Result<(), CryptoError> {
    let (resolved, spki) = resolve_issued_by(child, issuer)?;
    crypto::verify_signature(
        &resolved,
        &spki.subject_public_key.data,
        child.tbs_certificate(),
        child.signature(),
    )
}

/// The algorithm of `child`'s signature under `issuer`'s key (resolved, not verified): what
/// the policy layer judges for each certificate on a path.
pub fn issued_by_algorithm(
    child: &Certificate,
    issuer: &Certificate,
) -> Result<SignatureAlgorithm, CryptoError> {
    resolve_issued_by(child, issuer).map(|(algorithm, _)| algorithm)
}

fn resolve_issued_by<'i>(
    child: &Certificate,
    issuer: &'i Certificate,
) -> Result<(SignatureAlgorithm, SubjectPublicKeyInfo<'i>), CryptoError> {
    let malformed_alg = || CryptoError::MalformedParameters {
        oid: "signatureAlgorithm".to_owned(),
    };
    let tlv = Tlv::parse_single(child.signature_algorithm_der()).map_err(|_| malformed_alg())?;
    let algorithm =
        AlgorithmIdentifier::from_tlv(tlv, "signatureAlgorithm").map_err(|_| malformed_alg())?;
    let (_, spki) = SubjectPublicKeyInfo::from_der(issuer.spki())
        .map_err(|_| CryptoError::MalformedKey("issuer SubjectPublicKeyInfo does not decode"))?;
    let resolved = crypto::resolve(&algorithm, None, &spki)?;
    Ok((resolved, spki))
}
