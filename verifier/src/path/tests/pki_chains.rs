//! The generated RSA/ECDSA PKI (`testdata/pki`) at 2026-06-15T12:00:00Z.

use super::{der, store, sub, verify_issued_by};
use crate::crypto::CryptoError;
use crate::path::{Certificate, Fingerprint, Limits, PathError, Position, build_path};
use crate::test_support::pki;
use crate::verdict::SubIndication;

const AT: i64 = pki::VALIDATION_TIME;

fn default_store() -> crate::path::CertificateStore {
    store(&[pki::ROOT_RSA, pki::ROOT_EC], &[pki::CA_RSA, pki::CA_EC])
}

#[test]
fn rsa_end_entities_pass_including_critical_eku() {
    let store = default_store();
    for ee in [pki::INDIVIDUAL, pki::HEAD, pki::EMPLOYEE] {
        let path = build_path(&der(ee), &store, AT, Limits::default()).unwrap();
        assert_eq!(
            path.fingerprints,
            vec![
                Fingerprint::of(&der(ee)),
                Fingerprint::of(&der(pki::CA_RSA)),
                Fingerprint::of(&der(pki::ROOT_RSA)),
            ]
        );
    }
}

#[test]
fn ecdsa_end_entity_passes() {
    let path = build_path(&der(pki::EC), &default_store(), AT, Limits::default()).unwrap();
    assert_eq!(path.trust_anchor().unwrap().der(), &der(pki::ROOT_EC)[..]);
}

#[test]
fn untrusted_root() {
    let store = store(
        &[pki::ROOT_RSA, pki::ROOT_EC],
        &[pki::CA_RSA, pki::ROOT_OTHER],
    );
    let result = build_path(&der(pki::UNTRUSTED_EE), &store, AT, Limits::default());
    assert_eq!(sub(result), SubIndication::NoCertificateChainFound);
}

#[test]
fn lookalike_ca_never_enters_a_path() {
    let store = store(&[pki::ROOT_RSA], &[pki::CA_RSA, pki::LOOKALIKE_CA]);
    let result = build_path(&der(pki::LOOKALIKE_EE), &store, AT, Limits::default());
    // lookalike-ca verifies but leads nowhere; ca-rsa (same name) is tried and rejected.
    assert_eq!(
        result.unwrap_err(),
        PathError::NoPathToTrustAnchor {
            rejected_signatures: 1
        }
    );
    // Without the look-alike CA: ca-rsa is the only candidate and its key did not sign.
    let store = store_without_lookalike();
    let result = build_path(&der(pki::LOOKALIKE_EE), &store, AT, Limits::default());
    assert_eq!(sub(result), SubIndication::NoCertificateChainFound);
}

fn store_without_lookalike() -> crate::path::CertificateStore {
    store(&[pki::ROOT_RSA], &[pki::CA_RSA])
}

#[test]
fn individual_builds_through_the_real_ca_when_a_lookalike_is_present() {
    // The look-alike added first: candidate order must not depend on it.
    let store = store(&[pki::ROOT_RSA], &[pki::LOOKALIKE_CA, pki::CA_RSA]);
    let path = build_path(&der(pki::INDIVIDUAL), &store, AT, Limits::default()).unwrap();
    assert_eq!(path.fingerprints[1], Fingerprint::of(&der(pki::CA_RSA)));
    // And the look-alike's key does not verify the individual's signature.
    let individual = Certificate::from_der(&der(pki::INDIVIDUAL)).unwrap();
    let lookalike = Certificate::from_der(&der(pki::LOOKALIKE_CA)).unwrap();
    assert_eq!(lookalike.subject_raw(), individual.issuer_raw());
    assert_eq!(
        verify_issued_by(&individual, &lookalike),
        Err(CryptoError::BadSignature)
    );
}

#[test]
fn lookalike_is_tried_and_rejected_when_key_ids_do_not_help() {
    // Trust only the look-alike's root: for the individual (AKI → ca-rsa) ca-rsa comes first
    // and dead-ends at root-rsa (untrusted here); lookalike-ca is then tried and rejected.
    let store = store(
        &[pki::ROOT_OTHER],
        &[pki::CA_RSA, pki::LOOKALIKE_CA, pki::ROOT_RSA],
    );
    let result = build_path(&der(pki::INDIVIDUAL), &store, AT, Limits::default());
    assert_eq!(
        result.unwrap_err(),
        PathError::NoPathToTrustAnchor {
            rejected_signatures: 1
        }
    );
}

#[test]
fn non_ca_issuer() {
    let store = store(&[pki::ROOT_RSA], &[pki::CA_RSA, pki::NONCA_ISSUER]);
    let result = build_path(&der(pki::NONCA_ISSUED), &store, AT, Limits::default());
    assert_eq!(
        result.as_ref().unwrap_err(),
        &PathError::NotCa {
            position: Position::Intermediate(1)
        }
    );
    assert_eq!(sub(result), SubIndication::ChainConstraintsFailure);
}

#[test]
fn path_len_exceeded() {
    let store = store(&[pki::ROOT_RSA], &[pki::CA_RSA, pki::SUBCA_PATHLEN]);
    let result = build_path(&der(pki::PATHLEN_EE), &store, AT, Limits::default());
    assert_eq!(
        result.as_ref().unwrap_err(),
        &PathError::PathLenExceeded {
            position: Position::Intermediate(2)
        }
    );
    assert_eq!(sub(result), SubIndication::ChainConstraintsFailure);
}

#[test]
fn expired_and_not_yet_valid() {
    let store = default_store();
    let result = build_path(&der(pki::EXPIRED), &store, AT, Limits::default());
    assert_eq!(result.as_ref().unwrap_err(), &PathError::EndEntityExpired);
    assert_eq!(sub(result), SubIndication::OutOfBoundsNoPoe);
    let result = build_path(&der(pki::NOTYET), &store, AT, Limits::default());
    assert_eq!(
        result.as_ref().unwrap_err(),
        &PathError::EndEntityNotYetValid
    );
    assert_eq!(sub(result), SubIndication::NotYetValid);
    // The expired certificate validates at a time inside its validity (2025-03-01), when
    // ca-rsa and root-rsa were valid too.
    build_path(&der(pki::EXPIRED), &store, 1_740_787_200, Limits::default()).unwrap();
}

#[test]
fn ca_outside_validity_is_a_general_failure() {
    // 2024-06-01: `expired` (2024-01-01 → 2025-06-01) is valid; ca-rsa and root-rsa (from
    // 2025) are not yet: the CAs are checked top down, so the anchor is reported.
    let store = default_store();
    let result = build_path(&der(pki::EXPIRED), &store, 1_717_200_000, Limits::default());
    assert_eq!(
        result.as_ref().unwrap_err(),
        &PathError::CaOutsideValidity {
            position: Position::TrustAnchor(2),
            expired: false
        }
    );
    assert_eq!(sub(result), SubIndication::CertificateChainGeneralFailure);
    // 2041-01-01: the end entity's expiry is reported first, though ca-rsa expired too.
    let result = build_path(
        &der(pki::INDIVIDUAL),
        &store,
        2_240_611_200,
        Limits::default(),
    );
    assert_eq!(sub(result), SubIndication::OutOfBoundsNoPoe);
}

#[test]
fn self_signed_untrusted_root_in_the_store_terminates() {
    // root-other issues itself: the loop check skips it as its own issuer.
    let store = store(&[pki::ROOT_RSA], &[pki::ROOT_OTHER, pki::LOOKALIKE_CA]);
    let result = build_path(&der(pki::UNTRUSTED_EE), &store, AT, Limits::default());
    assert_eq!(sub(result), SubIndication::NoCertificateChainFound);
    let result = build_path(&der(pki::LOOKALIKE_EE), &store, AT, Limits::default());
    assert_eq!(sub(result), SubIndication::NoCertificateChainFound);
}

#[test]
fn tiny_budget_is_exhausted() {
    let store = default_store();
    let result = build_path(&der(pki::INDIVIDUAL), &store, AT, Limits::new(8, 1));
    assert_eq!(
        result.as_ref().unwrap_err(),
        &PathError::BudgetExhausted { budget: 1 }
    );
    assert_eq!(sub(result), SubIndication::CertificateChainGeneralFailure);
    assert!(build_path(&der(pki::INDIVIDUAL), &store, AT, Limits::new(8, 2)).is_ok());
}

#[test]
fn depth_limit() {
    let store = default_store();
    let result = build_path(&der(pki::INDIVIDUAL), &store, AT, Limits::new(2, 64));
    assert_eq!(result.unwrap_err(), PathError::PathTooLong { max_depth: 2 });
    assert!(build_path(&der(pki::INDIVIDUAL), &store, AT, Limits::new(3, 64)).is_ok());
}

#[test]
fn end_entity_that_is_an_anchor() {
    let store = store(&[pki::ROOT_RSA], &[]);
    let path = build_path(&der(pki::ROOT_RSA), &store, AT, Limits::default()).unwrap();
    assert_eq!(path.certificates.len(), 1);
}
