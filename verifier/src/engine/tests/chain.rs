//! Certification paths that cannot be built or break constraints, and finding the signing
//! certificate.

use super::{Setup, check, check_both};
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

fn no_chain() -> Verdict {
    Verdict::failed(SubIndication::NoCertificateChainFound)
}

fn chain_constraints() -> Verdict {
    Verdict::failed(SubIndication::ChainConstraintsFailure)
}

#[test]
fn untrusted_root_is_no_certificate_chain_found() {
    check_both(
        &Setup::new(),
        pki::UNTRUSTED_EE_DETACHED_CMS,
        pki::UNTRUSTED_EE_ATTACHED_CMS,
        no_chain(),
    );
    // Giving root-other as a mere intermediate does not make it trusted.
    check_both(
        &Setup::new().intermediate(pki::ROOT_OTHER),
        pki::UNTRUSTED_EE_DETACHED_CMS,
        pki::UNTRUSTED_EE_ATTACHED_CMS,
        no_chain(),
    );
}

#[test]
fn lookalike_issuer_is_no_certificate_chain_found() {
    check_both(
        &Setup::new(),
        pki::LOOKALIKE_EE_DETACHED_CMS,
        pki::LOOKALIKE_EE_ATTACHED_CMS,
        no_chain(),
    );
}

#[test]
fn lookalike_issuer_given_is_still_no_certificate_chain_found() {
    check_both(
        &Setup::new().intermediate(pki::LOOKALIKE_CA),
        pki::LOOKALIKE_EE_DETACHED_CMS,
        pki::LOOKALIKE_EE_ATTACHED_CMS,
        no_chain(),
    );
    // And with its untrusted root as well.
    check_both(
        &Setup::new()
            .intermediate(pki::LOOKALIKE_CA)
            .intermediate(pki::ROOT_OTHER),
        pki::LOOKALIKE_EE_DETACHED_CMS,
        pki::LOOKALIKE_EE_ATTACHED_CMS,
        no_chain(),
    );
}

/// The look-alike CA among the intermediates does not disturb the real chain.
#[test]
fn lookalike_ca_given_does_not_break_the_real_chain() {
    let report = check(
        &Setup::new().intermediate(pki::LOOKALIKE_CA),
        pki::INDIVIDUAL_DETACHED_CMS,
        Verdict::PASSED,
    );
    assert_eq!(report.signers[0].chain.len(), 3);
}

#[test]
fn issuer_that_is_not_a_ca_is_chain_constraints_failure() {
    check_both(
        &Setup::new().intermediate(pki::NONCA_ISSUER),
        pki::NONCA_ISSUED_DETACHED_CMS,
        pki::NONCA_ISSUED_ATTACHED_CMS,
        chain_constraints(),
    );
}

#[test]
fn path_length_exceeded_is_chain_constraints_failure() {
    check_both(
        &Setup::new().intermediate(pki::SUBCA_PATHLEN),
        pki::PATHLEN_EE_DETACHED_CMS,
        pki::PATHLEN_EE_ATTACHED_CMS,
        chain_constraints(),
    );
}

#[test]
fn no_certificate_in_the_cms_is_no_signing_certificate_found() {
    let report = check(
        &Setup::new(),
        pki::INDIVIDUAL_NOCERTS_CMS,
        Verdict::failed(SubIndication::NoSigningCertificateFound),
    );
    assert!(report.signers[0].identity.is_none());
    assert!(report.signers[0].chain.is_empty());
}

#[test]
fn no_certificate_in_the_cms_passes_with_the_signer_given() {
    let report = check(
        &Setup::new().intermediate(pki::INDIVIDUAL),
        pki::INDIVIDUAL_NOCERTS_CMS,
        Verdict::PASSED,
    );
    let identity = report.signers[0].identity.as_ref().expect("identity");
    assert_eq!(identity.iin.as_deref(), Some("850315300128"));
    assert_eq!(report.signers[0].chain.len(), 3);
}
