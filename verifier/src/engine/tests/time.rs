//! Certificates outside their validity period at the validation time: expired (with and
//! without a proof of existence) and not yet valid.

use super::{AT, Setup, assert_verdict, check_both, request, signer_json, verifier, verify};
use crate::engine::CheckName;
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

/// 2025-03-01T00:00:00Z: inside `expired`'s validity (2024-01-01 → 2025-06-01) and ca-rsa's.
const BEFORE_EXPIRY: i64 = 1_740_787_200;
/// 2025-09-01T00:00:00Z: after `expired`'s notAfter.
const AFTER_EXPIRY: i64 = 1_756_684_800;

#[test]
fn expired_without_poe_is_out_of_bounds_no_poe() {
    check_both(
        &Setup::new(),
        pki::EXPIRED_DETACHED_CMS,
        pki::EXPIRED_ATTACHED_CMS,
        Verdict::failed(SubIndication::OutOfBoundsNoPoe),
    );
}

#[test]
fn expired_with_poe_before_expiry_passes() {
    for cms in [pki::EXPIRED_DETACHED_CMS, pki::EXPIRED_ATTACHED_CMS] {
        let report = verify(&verifier(), &request(cms).proof_of_existence(BEFORE_EXPIRY));
        // ca-rsa.crl does not list `expired`: its status reads as good, and the path was
        // valid at the proven time.
        assert_verdict(&report, Verdict::PASSED);
        let signer = &report.signers[0];
        let json = signer_json(&report, 0);
        assert_eq!(json["bestSignatureTime"], "2025-03-01T00:00:00Z");
        assert_eq!(json["proofOfExistence"]["time"], "2025-03-01T00:00:00Z");
        assert_eq!(json["proofOfExistence"]["source"], "caller");
        assert_eq!(
            signer.proof_of_existence.as_ref().map(|p| p.source),
            Some("caller")
        );
        assert_eq!(signer.chain.len(), 3);
        assert!(
            signer
                .checks
                .iter()
                .any(|c| c.check == CheckName::CertificatePath
                    && c.message.to_string().contains("proof")),
            "{report}"
        );
    }
}

#[test]
fn expired_with_poe_after_expiry_is_expired() {
    for cms in [pki::EXPIRED_DETACHED_CMS, pki::EXPIRED_ATTACHED_CMS] {
        let report = verify(&verifier(), &request(cms).proof_of_existence(AFTER_EXPIRY));
        assert_verdict(&report, Verdict::failed(SubIndication::Expired));
    }
}

/// A "proof" after the validation time proves nothing more than the validation time.
#[test]
fn expired_with_poe_after_the_validation_time_is_out_of_bounds_no_poe() {
    let request = request(pki::EXPIRED_DETACHED_CMS).proof_of_existence(AT + 86_400);
    let report = verify(&verifier(), &request);
    assert_verdict(&report, Verdict::failed(SubIndication::OutOfBoundsNoPoe));
    assert!(report.signers[0].proof_of_existence.is_none());
}

#[test]
fn not_yet_valid_is_not_yet_valid() {
    check_both(
        &Setup::new(),
        pki::NOTYET_DETACHED_CMS,
        pki::NOTYET_ATTACHED_CMS,
        Verdict::failed(SubIndication::NotYetValid),
    );
}
