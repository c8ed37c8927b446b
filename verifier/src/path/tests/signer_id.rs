//! `Certificate::is_identified_by`: finding the certificate a SignerInfo names.

use super::der;
use crate::parse_signed_data;
use crate::path::Certificate;
use crate::test_support::{fixtures, pki};

fn certificate(file: &[u8]) -> Certificate {
    Certificate::from_der(&der(file)).unwrap()
}

#[test]
fn issuer_and_serial_number_names_exactly_the_signer() {
    for (cms, signer, other) in [
        (
            fixtures::INDIVIDUAL_ATTACHED,
            fixtures::INDIVIDUAL_SIGNER,
            fixtures::LEGAL_SIGNER,
        ),
        (
            fixtures::LEGAL_DETACHED,
            fixtures::LEGAL_SIGNER,
            fixtures::INDIVIDUAL_SIGNER,
        ),
        (pki::INDIVIDUAL_DETACHED_CMS, pki::INDIVIDUAL, pki::HEAD),
    ] {
        let signed = parse_signed_data(cms).unwrap();
        let sid = &signed.signer_infos[0].sid;
        assert!(certificate(signer).is_identified_by(sid));
        assert!(!certificate(other).is_identified_by(sid));
        // The issuing CA has the signer's issuer as its subject, not as its issuer.
        assert!(!certificate(pki::CA_RSA).is_identified_by(sid));
    }
}

#[test]
fn subject_key_identifier_names_the_signer() {
    let signed = parse_signed_data(pki::INDIVIDUAL_KEYID_CMS).unwrap();
    let sid = &signed.signer_infos[0].sid;
    assert!(matches!(
        sid,
        crate::cms::SignerIdentifier::SubjectKeyIdentifier(_)
    ));
    assert!(certificate(pki::INDIVIDUAL).is_identified_by(sid));
    assert!(!certificate(pki::HEAD).is_identified_by(sid));
}
