//! The rows that pass: every format, digest and signature algorithm, the NCA profiles
//! (individual, first head, employee with a critical EKU), two signers, ECDSA.

use super::{AT, Setup, assert_verdict, check, check_both, request, verifier, verify};
use crate::crypto::DigestAlgorithm;
use crate::engine::{Data, Report, Request};
use crate::identity::Role;
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

#[test]
fn individual_detached_and_attached_pass() {
    check_both(
        &Setup::new(),
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_ATTACHED_CMS,
        Verdict::PASSED,
    );
}

#[test]
fn individual_is_the_individual() {
    for cms in [pki::INDIVIDUAL_DETACHED_CMS, pki::INDIVIDUAL_ATTACHED_CMS] {
        let report = check(&Setup::new(), cms, Verdict::PASSED);
        let identity = report.signers[0].identity.as_ref().expect("identity");
        assert_eq!(identity.iin.as_deref(), Some("850315300128"));
        assert_eq!(identity.bin, None);
        assert!(identity.roles.contains(&Role::Individual), "{identity:?}");
        assert!(!identity.roles.contains(&Role::LegalEntity), "{identity:?}");
    }
}

#[test]
fn benchmark_file_passes_as_der() {
    let report = check(&Setup::new(), pki::INDIVIDUAL_DETACHED_CMS, Verdict::PASSED);
    assert_eq!(report.format, Some("DER"));
    assert_eq!(report.detached, Some(true));
    assert_eq!(report.signers.len(), 1);
}

#[test]
fn pem_copy_passes() {
    let report = check(&Setup::new(), pki::INDIVIDUAL_DETACHED_PEM, Verdict::PASSED);
    assert_eq!(report.format, Some("PEM"));
}

#[test]
fn ncalayer_base64_copy_passes() {
    let report = check(&Setup::new(), pki::INDIVIDUAL_DETACHED_B64, Verdict::PASSED);
    assert_eq!(report.format, Some("base64"));
}

#[test]
fn ber_with_indefinite_lengths_passes() {
    let report = check(
        &Setup::new(),
        pki::INDIVIDUAL_ATTACHED_BER_CMS,
        Verdict::PASSED,
    );
    assert_eq!(report.format, Some("BER"));
    assert_eq!(report.detached, Some(false));
    // Without the content given too: it is inside.
    let report = verify(
        &verifier(),
        &Request::new(pki::INDIVIDUAL_ATTACHED_BER_CMS, AT),
    );
    assert_verdict(&report, Verdict::PASSED);
}

#[test]
fn signer_identified_by_key_identifier_passes() {
    let report = check(&Setup::new(), pki::INDIVIDUAL_KEYID_CMS, Verdict::PASSED);
    assert!(
        report.signers[0]
            .signer_identifier
            .to_string()
            .starts_with("subjectKeyIdentifier"),
        "{}",
        report.signers[0].signer_identifier
    );
}

#[test]
fn chain_in_the_cms_passes_without_ca_rsa_given() {
    let setup = Setup::new().intermediates(&[pki::CA_EC]);
    let report = check(&setup, pki::INDIVIDUAL_CHAIN_CMS, Verdict::PASSED);
    assert_eq!(report.signers[0].chain.len(), 3);
    // The CMS's ca-rsa is what made the difference: the benchmark file, which carries only
    // the signer's certificate, finds no chain in the same setup.
    check(
        &setup,
        pki::INDIVIDUAL_DETACHED_CMS,
        Verdict::failed(SubIndication::NoCertificateChainFound),
    );
}

#[test]
fn sha384_and_sha512_pass() {
    for cms in [pki::INDIVIDUAL_SHA384_CMS, pki::INDIVIDUAL_SHA512_CMS] {
        check(&Setup::new(), cms, Verdict::PASSED);
    }
}

#[test]
fn rsassa_pss_passes() {
    check(&Setup::new(), pki::INDIVIDUAL_PSS_CMS, Verdict::PASSED);
}

#[test]
fn no_signed_attributes_detached_and_attached_pass() {
    check_both(
        &Setup::new(),
        pki::INDIVIDUAL_NOATTR_DETACHED_CMS,
        pki::INDIVIDUAL_NOATTR_ATTACHED_CMS,
        Verdict::PASSED,
    );
    let report = check(
        &Setup::new(),
        pki::INDIVIDUAL_NOATTR_DETACHED_CMS,
        Verdict::PASSED,
    );
    assert_eq!(report.signers[0].claimed_signing_time, None);
}

#[test]
fn legal_entity_head_passes() {
    check_both(
        &Setup::new(),
        pki::HEAD_DETACHED_CMS,
        pki::HEAD_ATTACHED_CMS,
        Verdict::PASSED,
    );
    let report = check(&Setup::new(), pki::HEAD_DETACHED_CMS, Verdict::PASSED);
    let identity = report.signers[0].identity.as_ref().expect("identity");
    assert_eq!(identity.iin.as_deref(), Some("791122405066"));
    assert_eq!(identity.bin.as_deref(), Some("240140001238"));
    assert!(identity.roles.contains(&Role::LegalEntity), "{identity:?}");
    assert!(identity.roles.contains(&Role::FirstHead), "{identity:?}");
}

#[test]
fn employee_with_critical_eku_passes() {
    check_both(
        &Setup::new(),
        pki::EMPLOYEE_DETACHED_CMS,
        pki::EMPLOYEE_ATTACHED_CMS,
        Verdict::PASSED,
    );
    let report = check(&Setup::new(), pki::EMPLOYEE_DETACHED_CMS, Verdict::PASSED);
    let identity = report.signers[0].identity.as_ref().expect("identity");
    assert_eq!(identity.iin.as_deref(), Some("900704300789"));
    assert!(identity.extended_key_usage_critical);
    assert!(identity.roles.contains(&Role::LegalEntity), "{identity:?}");
    assert!(identity.roles.contains(&Role::RightToSign), "{identity:?}");
}

#[test]
fn two_signers_pass_each_and_overall() {
    check_both(
        &Setup::new(),
        pki::TWO_SIGNERS_DETACHED_CMS,
        pki::TWO_SIGNERS_ATTACHED_CMS,
        Verdict::PASSED,
    );
    for cms in [pki::TWO_SIGNERS_DETACHED_CMS, pki::TWO_SIGNERS_ATTACHED_CMS] {
        let report = check(&Setup::new(), cms, Verdict::PASSED);
        assert_eq!(report.signers.len(), 2);
        let iins: Vec<_> = report
            .signers
            .iter()
            .map(|s| {
                assert_eq!(s.verdict, Verdict::PASSED, "signer {}:\n{report}", s.index);
                s.identity.as_ref().and_then(|i| i.iin.as_deref())
            })
            .collect();
        assert_eq!(iins, [Some("850315300128"), Some("791122405066")]);
        assert_eq!(report.signers[1].index, 1);
    }
}

#[test]
fn ecdsa_p256_passes() {
    check_both(
        &Setup::new(),
        pki::EC_DETACHED_CMS,
        pki::EC_ATTACHED_CMS,
        Verdict::PASSED,
    );
    let report = check(&Setup::new(), pki::EC_DETACHED_CMS, Verdict::PASSED);
    assert_eq!(report.signers[0].chain.len(), 3);
    assert_eq!(report.signers[0].revocation.len(), 2);
}

/// `cms` checked against a SHA-256 `digest` of the content instead of the content.
fn verify_with_digest(cms: &[u8], digest: &[u8]) -> Report {
    let data = Data::Digest {
        algorithm: DigestAlgorithm::Sha256,
        value: digest,
    };
    verify(&verifier(), &Request::new(cms, AT).data(data))
}

/// `doc-4k.txt`'s SHA-256, with its first byte changed when `tampered`.
fn doc_digest(tampered: bool) -> Vec<u8> {
    let mut digest = DigestAlgorithm::Sha256.digest(pki::DOC_4K);
    digest[0] ^= u8::from(tampered);
    digest
}

/// Beyond the README: a vault that only keeps the content's SHA-256 (`Data::Digest`).
#[test]
fn detached_with_only_the_content_digest_passes() {
    let report = verify_with_digest(pki::INDIVIDUAL_DETACHED_CMS, &doc_digest(false));
    assert_verdict(&report, Verdict::PASSED);
    let report = verify_with_digest(pki::INDIVIDUAL_DETACHED_CMS, &doc_digest(true));
    assert_verdict(&report, Verdict::failed(SubIndication::HashFailure));
}

/// The same content given beside an attached signature is fine.
#[test]
fn attached_with_the_same_content_given_passes() {
    let report = verify(&verifier(), &request(pki::INDIVIDUAL_ATTACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(report.detached, Some(false));
}

/// The right digest beside an attached signature is fine; another one is the same mismatch
/// as other bytes given beside an attached signature (`attached_given_another_content_is_
/// hash_failure`).
#[test]
fn attached_with_a_content_digest() {
    let report = verify_with_digest(pki::INDIVIDUAL_ATTACHED_CMS, &doc_digest(false));
    assert_verdict(&report, Verdict::PASSED);
    let report = verify_with_digest(pki::INDIVIDUAL_ATTACHED_CMS, &doc_digest(true));
    assert_verdict(&report, Verdict::failed(SubIndication::HashFailure));
}
