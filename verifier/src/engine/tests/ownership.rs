//! Ownership (`--expect-iin`, `--expect-bin`): a valid signature by someone else is
//! TOTAL_FAILED/NOT_OWNER; an invalid expected number is the caller's error.

use super::{AT, assert_verdict, request, verifier, verify};
use crate::engine::{CheckName, Data, Outcome, Report, Request, RequestError};
use crate::identity::Expectation;
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

fn iin(value: &str) -> Expectation {
    Expectation {
        iin: Some(value.to_owned()),
        ..Expectation::default()
    }
}

fn bin(value: &str) -> Expectation {
    Expectation {
        bin: Some(value.to_owned()),
        ..Expectation::default()
    }
}

fn verify_expecting(cms: &[u8], expectation: Expectation) -> Report {
    verify(&verifier(), &request(cms).expect(expectation))
}

#[test]
fn wrong_iin_is_not_owner() {
    let report = verify_expecting(pki::INDIVIDUAL_DETACHED_CMS, iin("920202500111"));
    assert_verdict(&report, Verdict::failed(SubIndication::NotOwner));
    // The signature itself is valid; only the ownership failed.
    assert_eq!(report.signers[0].verdict, Verdict::PASSED);
    assert_eq!(report.signers[0].owner, Some(false));
    let ownership = report.ownership.as_ref().expect("ownership report");
    assert_eq!(ownership.expected_iin.as_deref(), Some("920202500111"));
    assert!(ownership.matching_signers.is_empty());
    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.check == CheckName::Ownership && c.outcome == Outcome::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert_eq!(failed[0].sub_indication, Some(SubIndication::NotOwner));
}

#[test]
fn wrong_bin_is_not_owner() {
    let report = verify_expecting(pki::HEAD_DETACHED_CMS, bin("150340004568"));
    assert_verdict(&report, Verdict::failed(SubIndication::NotOwner));
    assert_eq!(report.signers[0].owner, Some(false));
}

#[test]
fn right_iin_passes() {
    let report = verify_expecting(pki::INDIVIDUAL_DETACHED_CMS, iin("850315300128"));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(report.signers[0].owner, Some(true));
    let ownership = report.ownership.as_ref().expect("ownership report");
    assert_eq!(ownership.matching_signers, [0]);
}

#[test]
fn right_bin_passes() {
    let report = verify_expecting(pki::HEAD_DETACHED_CMS, bin("240140001238"));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(report.signers[0].owner, Some(true));
}

/// Beyond the README: one matching signer is enough (DESIGN.md §3).
#[test]
fn one_of_two_signers_is_enough() {
    let report = verify_expecting(pki::TWO_SIGNERS_DETACHED_CMS, iin("791122405066"));
    assert_verdict(&report, Verdict::PASSED);
    let owners: Vec<_> = report.signers.iter().map(|s| s.owner).collect();
    assert_eq!(owners, [Some(false), Some(true)]);
    let ownership = report.ownership.as_ref().expect("ownership report");
    assert_eq!(ownership.matching_signers, [1]);
}

/// Beyond the README: an outright failure is not hidden behind NOT_OWNER.
#[test]
fn a_failed_signature_stays_failed_with_a_wrong_owner() {
    let mut content = pki::DOC_4K.to_vec();
    content[0] ^= 1;
    let request = Request::new(pki::INDIVIDUAL_DETACHED_CMS, AT)
        .data(Data::Bytes(&content))
        .expect(iin("920202500111"));
    let report = verify(&verifier(), &request);
    assert_verdict(&report, Verdict::failed(SubIndication::HashFailure));
}

#[test]
fn invalid_expected_iin_is_a_request_error() {
    let result = verifier().verify(&request(pki::INDIVIDUAL_DETACHED_CMS).expect(iin("12345")));
    assert!(
        matches!(result, Err(RequestError::Expectation(_))),
        "{result:?}"
    );
}

#[test]
fn invalid_expected_bin_is_a_request_error() {
    let result = verifier().verify(&request(pki::HEAD_DETACHED_CMS).expect(bin("BIN24014000")));
    assert!(
        matches!(result, Err(RequestError::Expectation(_))),
        "{result:?}"
    );
}
