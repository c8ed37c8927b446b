//! Path building and validation against the real NCA GOST chain and the generated PKI.

use crate::path::build::verify_issued_by;
use crate::path::{
    Certificate, CertificateError, CertificateStore, Limits, PathError, Position, build_path,
};
use crate::test_support::pki;
use crate::verdict::SubIndication;

mod gost;
mod loops;
mod pki_chains;
mod signer_id;

/// The DER of a certificate file (DER, PEM or bare base64).
fn der(file: &[u8]) -> Vec<u8> {
    crate::decode_certificate_file(file)
        .unwrap()
        .remove(0)
        .into_owned()
}

fn store(anchors: &[&[u8]], intermediates: &[&[u8]]) -> CertificateStore {
    let mut store = CertificateStore::new();
    for a in anchors {
        store.add_trust_anchor(&der(a)).unwrap();
    }
    for i in intermediates {
        store.add_intermediate(&der(i)).unwrap();
    }
    store
}

fn sub(result: Result<crate::path::ValidatedPath, PathError>) -> SubIndication {
    result.unwrap_err().sub_indication()
}

#[test]
fn garbage_is_rejected_when_adding() {
    let mut store = CertificateStore::new();
    assert!(matches!(
        store.add_intermediate(b"not a certificate"),
        Err(CertificateError::Malformed(_))
    ));
    assert!(
        store
            .add_trust_anchor(&[0x30, 0x03, 0x02, 0x01, 0x00])
            .is_err()
    );
    let mut truncated = der(pki::CA_RSA);
    truncated.pop();
    assert!(store.add_intermediate(&truncated).is_err());
    let mut trailing = der(pki::CA_RSA);
    trailing.push(0);
    assert!(store.add_intermediate(&trailing).is_err());
    assert!(store.is_empty());
}

#[test]
fn garbage_end_entity_is_a_general_failure() {
    let store = store(&[pki::ROOT_RSA], &[pki::CA_RSA]);
    let err = build_path(b"\x30\x00", &store, pki::VALIDATION_TIME, Limits::default());
    assert!(matches!(err, Err(PathError::EndEntity(_))));
}

#[test]
fn store_deduplicates_and_upgrades_to_anchor() {
    let mut store = CertificateStore::new();
    let a = store.add_intermediate(&der(pki::ROOT_RSA)).unwrap();
    let b = store.add_intermediate(&der(pki::ROOT_RSA)).unwrap();
    assert_eq!(a, b);
    assert_eq!(store.len(), 1);
    assert!(!store.is_trust_anchor(&a));
    store.add_trust_anchor(&der(pki::ROOT_RSA)).unwrap();
    assert_eq!(store.len(), 1);
    assert!(store.is_trust_anchor(&a));
}

#[test]
fn certificate_keeps_raw_spans() {
    let bytes = der(pki::INDIVIDUAL);
    let cert = Certificate::from_der(&bytes).unwrap();
    assert_eq!(cert.der(), &bytes[..]);
    // The tbsCertificate is the first element inside the outer SEQUENCE, byte for byte.
    let start = 4; // 30 82 xx xx
    assert_eq!(
        &bytes[start..start + cert.tbs_certificate().len()],
        cert.tbs_certificate()
    );
    assert!(cert.subject_key_id().is_some());
    assert!(cert.authority_key_id().is_some());
    assert!(!cert.is_self_issued());
    let _ = Position::EndEntity;
}
