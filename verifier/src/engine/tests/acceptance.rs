//! Signature acceptance under `Policy::default()`: key purposes and algorithms.

use super::{Setup, check, check_both, signer_checks};
use crate::engine::{CheckName, Outcome};
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

#[test]
fn authentication_key_is_sig_constraints_failure() {
    check_both(
        &Setup::new(),
        pki::AUTH_DETACHED_CMS,
        pki::AUTH_ATTACHED_CMS,
        Verdict::failed(SubIndication::SigConstraintsFailure),
    );
}

#[test]
fn sha1_is_crypto_constraints_failure_no_poe() {
    let report = check(
        &Setup::new(),
        pki::INDIVIDUAL_SHA1_CMS,
        Verdict::failed(SubIndication::CryptoConstraintsFailureNoPoe),
    );
    // The signature itself verifies: only the policy refuses it.
    assert_eq!(
        signer_checks(&report, CheckName::Cryptographic, Outcome::Passed).len(),
        1,
        "{report}"
    );
    let failed = signer_checks(&report, CheckName::SignatureAcceptance, Outcome::Failed);
    assert_eq!(failed.len(), 1, "{report}");
}

#[test]
fn rsa_1024_is_crypto_constraints_failure_no_poe() {
    check_both(
        &Setup::new(),
        pki::RSA1024_DETACHED_CMS,
        pki::RSA1024_ATTACHED_CMS,
        Verdict::failed(SubIndication::CryptoConstraintsFailureNoPoe),
    );
}
