//! The real NCA GOST 2022 test CRLs.

use super::{cert, store};
use crate::path::{Certificate, Fingerprint};
use crate::revocation::{RevocationStatus, UnknownReason};
use crate::test_support::fixtures;
use crate::test_support::pkcs12::read_pfx;

/// 2026-08-12T00:00:00Z, the day after the ncanode CRL's thisUpdate.
const AUGUST_12_2026: i64 = 1_786_492_800;
/// 2025-06-01T00:00:00Z, inside the skarm_kalkan CRLs' window.
const JUNE_1_2025: i64 = 1_748_736_000;

#[test]
fn ncanode_crl_verifies_and_lists_the_revoked_certificates() {
    let ca = cert(fixtures::CA_CERT);
    let store = store(&[fixtures::NCANODE_CA_CRL]);
    let crl = store
        .get(&Fingerprint::of(fixtures::NCANODE_CA_CRL))
        .unwrap();
    assert_eq!(crl.revoked().len(), 195);
    store.verify(crl, &ca).unwrap();
    for (name, pfx, on_crl) in fixtures::NCANODE_KEYS {
        let (_, der) = read_pfx(pfx);
        let leaf = Certificate::from_der(&der).unwrap();
        let status = store.status(&leaf, &ca, AUGUST_12_2026);
        match status {
            RevocationStatus::Revoked { ref source, .. } => {
                assert!(on_crl, "{name} listed: {status:?}");
                assert_eq!(source[0].fingerprint, crl.fingerprint());
            }
            RevocationStatus::Good { .. } => assert!(!on_crl, "{name} not listed"),
            RevocationStatus::Unknown { .. } => panic!("{name}: {status:?}"),
        }
    }
}

#[test]
fn skarm_kalkan_full_and_delta_crls_verify() {
    let ca = cert(fixtures::CA_CERT);
    let store = store(&[fixtures::CA_CRL, fixtures::CA_DELTA_CRL]);
    let full = store.get(&Fingerprint::of(fixtures::CA_CRL)).unwrap();
    let delta = store.get(&Fingerprint::of(fixtures::CA_DELTA_CRL)).unwrap();
    store.verify(full, &ca).unwrap();
    store.verify(delta, &ca).unwrap();
    assert!(!full.is_delta());
    assert!(delta.is_delta());
    assert!(delta.delta_base().unwrap() <= full.number().unwrap());
    // A signer of that generation: status from full + delta.
    let signer = cert(fixtures::INDIVIDUAL_SIGNER);
    assert_eq!(signer.issuer_raw(), ca.subject_raw());
    let status = store.status(&signer, &ca, JUNE_1_2025);
    assert!(
        matches!(&status, RevocationStatus::Good { source } if source.len() == 2),
        "{status:?}"
    );
    // The production-shaped CRLs are stale a year later.
    let status = store.status(&signer, &ca, AUGUST_12_2026);
    assert!(matches!(
        status,
        RevocationStatus::Unknown {
            why: UnknownReason::Stale | UnknownReason::NoCrl
        }
    ));
}

#[test]
fn a_gost_crl_keeps_only_its_digest() {
    let ca = cert(fixtures::CA_CERT);
    let store = store(&[fixtures::NCANODE_CA_CRL]);
    let crl = store
        .get(&Fingerprint::of(fixtures::NCANODE_CA_CRL))
        .unwrap();
    // The digest from the load on: the index and the header fields, not the tbsCertList.
    let size = crl.heap_size();
    let index = crl.revoked().heap_size();
    assert!(size < index + 1024, "{size} {index}");
    crl.verify_issued_by(&ca).unwrap();
    assert_eq!(crl.heap_size(), size);
    // Checked again from the digest, and a copy keeps it.
    crl.verify_issued_by(&ca).unwrap();
    crl.as_ref().clone().verify_issued_by(&ca).unwrap();
}
