//! Garbage CRL input is an error, never a panic.

use crate::revocation::{Crl, CrlStore};

use crate::test_support::pki::CA_RSA_CRL;

#[test]
fn garbage_is_an_error() {
    let mut store = CrlStore::new();
    assert!(store.add(b"").is_err());
    assert!(store.add(b"not a CRL").is_err());
    assert!(store.add(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    assert!(store.add(&[0x30, 0x80, 0x00, 0x00]).is_err());
    let mut trailing = CA_RSA_CRL.to_vec();
    trailing.push(0);
    assert!(store.add(&trailing).is_err());
    assert!(store.is_empty());
}

#[test]
fn every_truncation_and_byte_flip_is_handled() {
    for len in 0..CA_RSA_CRL.len() {
        assert!(Crl::from_der(&CA_RSA_CRL[..len]).is_err());
    }
    for i in 0..CA_RSA_CRL.len() {
        let mut flipped = CA_RSA_CRL.to_vec();
        flipped[i] ^= 0xA5;
        let _ = Crl::from_der(&flipped);
    }
}

#[test]
fn a_crl_is_added_once() {
    let mut store = CrlStore::new();
    let a = store.add(CA_RSA_CRL).unwrap();
    let b = store.add(CA_RSA_CRL).unwrap();
    assert_eq!(a, b);
    assert_eq!(store.len(), 1);
    let crl = store.get(&a).unwrap();
    assert_eq!(crl.revoked().len(), 3);
    assert!(!crl.is_delta());
}
