//! Per-certificate checks along a found path at the validation time (RFC 5280 §6.1.3,
//! §6.1.4, simplified: no policy tree, no name constraints).

use std::sync::Arc;

use crate::path::cert::Certificate;
use crate::path::error::{PathError, Position};

/// Validates `path` (end entity first, trust anchor last) at `at` (unix seconds).
///
/// Order: first the constraints, which no proof of existence can repair (unknown critical
/// extensions on every certificate but the anchor, then cA, pathLenConstraint and keyCertSign
/// on every intermediate); then the end entity's validity, then the CAs'. An expired end
/// entity is reported as such even when its CAs have expired too: the engine refines it
/// with proofs of existence (ETSI EN 319 102-1 validation with time) and validates again at
/// the proven time, where the CAs are checked.
///
/// The trust anchor is input to the algorithm (RFC 5280 §6.1.1 (d)), not part of the
/// prospective path: its extensions and constraints are not processed. Its validity period
/// *is* checked (as OpenSSL does): an expired root is a chain failure.
pub(crate) fn validate(path: &[Arc<Certificate>], at: i64) -> Result<(), PathError> {
    let anchor_index = path.len().saturating_sub(1);
    let position = |i: usize| {
        if i == 0 {
            Position::EndEntity
        } else if i == anchor_index {
            Position::TrustAnchor(i)
        } else {
            Position::Intermediate(i)
        }
    };

    for (i, cert) in path.iter().enumerate().take(anchor_index) {
        if let Some(oid) = cert.unknown_critical.first() {
            return Err(PathError::UnknownCriticalExtension {
                position: position(i),
                oid: oid.clone(),
            });
        }
        if i == 0 {
            continue;
        }
        // RFC 5280 §6.1.4 (k): an issuing certificate must be a CA.
        let Some(bc) = cert.basic_constraints.filter(|bc| bc.ca) else {
            return Err(PathError::NotCa {
                position: position(i),
            });
        };
        // RFC 5280 §6.1.4 (l), (m): non-self-issued intermediates below this one.
        if let Some(max) = bc.path_len {
            let below = path
                .iter()
                .take(i)
                .skip(1)
                .filter(|c| !c.is_self_issued())
                .count();
            if u64::try_from(below).unwrap_or(u64::MAX) > u64::from(max) {
                return Err(PathError::PathLenExceeded {
                    position: position(i),
                });
            }
        }
        // RFC 5280 §6.1.4 (n).
        if cert.key_cert_sign == Some(false) {
            return Err(PathError::MissingKeyCertSign {
                position: position(i),
            });
        }
    }

    // RFC 5280 §6.1.3 (a)(2): validity at the validation time, the end entity first.
    if let Some(ee) = path.first() {
        if at > ee.not_after {
            return Err(PathError::EndEntityExpired);
        }
        if at < ee.not_before {
            return Err(PathError::EndEntityNotYetValid);
        }
    }
    // Then the CAs, top down.
    for (i, cert) in path.iter().enumerate().skip(1).rev() {
        if at < cert.not_before || at > cert.not_after {
            return Err(PathError::CaOutsideValidity {
                position: position(i),
                expired: at > cert.not_after,
            });
        }
    }
    Ok(())
}
