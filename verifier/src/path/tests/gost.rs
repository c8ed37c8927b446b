//! The real NCA GOST test chain: signer → nca_gost2022_test → root_test_gost_2022.

use super::{der, store, sub};
use crate::path::{Limits, build_path};
use crate::test_support::fixtures;
use crate::verdict::SubIndication;

/// 2026-07-20T12:00:00Z.
const AT: i64 = 1_784_548_800;
/// 2035-01-01T00:00:00Z.
const LATE: i64 = 2_051_222_400;

#[test]
fn signers_build_to_the_test_root() {
    let store = store(&[fixtures::ROOT_CERT], &[fixtures::CA_CERT]);
    for signer in [fixtures::INDIVIDUAL_SIGNER, fixtures::LEGAL_SIGNER] {
        let path = build_path(&der(signer), &store, AT, Limits::default()).unwrap();
        assert_eq!(path.certificates.len(), 3);
        assert_eq!(
            path.fingerprints[1],
            crate::path::Fingerprint::of(&der(fixtures::CA_CERT))
        );
        assert_eq!(
            path.fingerprints[2],
            crate::path::Fingerprint::of(&der(fixtures::ROOT_CERT))
        );
        assert_eq!(path.signature_checks, 2);
    }
}

#[test]
fn without_the_intermediate_no_chain() {
    let store = store(&[fixtures::ROOT_CERT], &[]);
    let result = build_path(
        &der(fixtures::INDIVIDUAL_SIGNER),
        &store,
        AT,
        Limits::default(),
    );
    assert_eq!(sub(result), SubIndication::NoCertificateChainFound);
}

#[test]
fn signer_expired_in_2035() {
    let store = store(&[fixtures::ROOT_CERT], &[fixtures::CA_CERT]);
    let result = build_path(
        &der(fixtures::INDIVIDUAL_SIGNER),
        &store,
        LATE,
        Limits::default(),
    );
    assert_eq!(sub(result), SubIndication::OutOfBoundsNoPoe);
}
