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

/// Every one-byte change of real CRLs: whatever x509-parser rejects is rejected, and a CRL
/// that loads lists what x509-parser lists (the first entry of each serial).
#[test]
fn every_byte_change_reads_as_x509_parser_reads_it() {
    use x509_parser::prelude::FromDer;
    use x509_parser::revocation_list::CertificateRevocationList;

    use crate::revocation::types::normalise;
    use crate::test_support::fixtures::NCANODE_CA_CRL;
    use crate::test_support::pki::CA_RSA_DELTA_CRL;

    for fixture in [CA_RSA_CRL, CA_RSA_DELTA_CRL, NCANODE_CA_CRL] {
        for at in 0..fixture.len() {
            for value in [0x00, 0x80, fixture[at] ^ 0xA5] {
                let mut changed = fixture.to_vec();
                changed[at] = value;
                let ours = Crl::from_der(&changed);
                let theirs = match CertificateRevocationList::from_der(&changed) {
                    Ok(([], crl)) => crl,
                    _ => {
                        assert!(ours.is_err(), "byte {at} = {value:#x}");
                        continue;
                    }
                };
                let Ok(ours) = ours else { continue };
                let mut seen = std::collections::HashSet::new();
                for listed in theirs.iter_revoked_certificates() {
                    let serial = normalise(listed.raw_serial());
                    if seen.insert(serial.to_vec()) {
                        let found = ours.revoked().get(serial).unwrap();
                        assert_eq!(found.date, listed.revocation_date.timestamp());
                    }
                }
                assert_eq!(ours.revoked().len(), seen.len(), "byte {at} = {value:#x}");
            }
        }
    }
}
