//! Ownership (`--expect-iin`, `--expect-bin`): a valid signature by someone else is
//! TOTAL_FAILED/NOT_OWNER; a signer whose identity no valid signature establishes makes
//! ownership unknown (INDETERMINATE with that signer's sub-indication); an outright failure
//! stands; an invalid expected number is the caller's error.

use super::format::flip_signature_byte;
use super::{
    AT, Setup, assert_verdict, request, signed_data_content_info, signed_data_fields, verifier,
    verify,
};
use crate::engine::{CheckName, Data, Outcome, Report, Request, RequestError, Verifier};
use crate::identity::Expectation;
use crate::test_support::{der_tlv, pki};
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

/// Beyond the README: one matching signer is enough (`docs/verify-contract.md`).
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

// Verdicts that claim no more than is known (`docs/verify-contract.md`, "Ownership"):
// NOT_OWNER only when every signer's identity was established by a valid signature.

/// An IIN on no certificate of the test PKI.
const NOBODY: &str = "920202500111";
/// The IIN of `individual` and of every negative-case certificate (untrusted-ee, revoked, ...).
const INDIVIDUAL_IIN: &str = "850315300128";
/// The IIN of `head`.
const HEAD_IIN: &str = "791122405066";

/// `cms` with `doc-4k.txt`, expecting `expectation`, in `setup`.
fn verify_in(setup: &Setup, cms: &[u8], expectation: Expectation) -> Report {
    verify(&setup.build(), &request(cms).expect(expectation))
}

/// The failed document-level ownership checks of `report`.
fn failed_ownership_checks(report: &Report) -> Vec<Option<SubIndication>> {
    report
        .checks
        .iter()
        .filter(|c| c.check == CheckName::Ownership && c.outcome == Outcome::Failed)
        .map(|c| c.sub_indication)
        .collect()
}

/// One detached CMS whose SignerInfos are those of `cms` in order (each a detached signature
/// of `doc-4k.txt` with SHA-256), carrying the certificates they carry: a document signed by
/// several people, some of whose signatures may not validate.
fn signed_by(cms: &[&[u8]]) -> Vec<u8> {
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    let mut signer_infos = Vec::new();
    for one in cms {
        let signed_data = crate::parse_signed_data(one).expect("CMS");
        assert!(signed_data.is_detached());
        for der in signed_data.x509_certificates() {
            if !certificates.iter().any(|c| c == der) {
                certificates.push(der.to_vec());
            }
        }
        for signer in &signed_data.signer_infos {
            signer_infos.extend_from_slice(signer.raw);
        }
    }
    // version, digestAlgorithms and encapContentInfo of the first (all: v1, SHA-256, id-data).
    let fields = signed_data_fields(cms[0]);
    let mut body = fields[..3].concat();
    if !certificates.is_empty() {
        body.extend(der_tlv(0xA0, &certificates.concat()));
    }
    body.extend(der_tlv(0x31, &signer_infos));
    signed_data_content_info(&body)
}

/// (a) One valid signer who is someone else: NOT_OWNER, and the report says only that.
#[test]
fn a_valid_signer_who_is_someone_else_is_not_owner() {
    let report = verify_in(&Setup::new(), pki::INDIVIDUAL_DETACHED_CMS, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::NotOwner));
    assert_eq!(
        failed_ownership_checks(&report),
        [Some(SubIndication::NotOwner)]
    );
}

/// (b) A signer whose path is INDETERMINATE (no CRL of ca-rsa: TRY_LATER) and whose
/// certificate names someone else: the certificate is not established, so neither is who
/// signed. INDETERMINATE/TRY_LATER, not NOT_OWNER.
#[test]
fn an_indeterminate_signer_who_seems_someone_else_is_indeterminate() {
    let setup = Setup::new().ca_rsa_crls(&[]);
    let report = verify_in(&setup, pki::INDIVIDUAL_DETACHED_CMS, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::TryLater));
    assert_eq!(
        report.signers[0].verdict,
        Verdict::failed(SubIndication::TryLater)
    );
    assert_eq!(report.signers[0].owner, Some(false));
    assert!(
        report
            .ownership
            .as_ref()
            .expect("ownership")
            .matching_signers
            .is_empty()
    );
    assert_eq!(
        failed_ownership_checks(&report),
        [Some(SubIndication::TryLater)]
    );

    // The same with a BIN the certificate does not carry.
    let report = verify_in(&setup, pki::HEAD_DETACHED_CMS, bin("150340004568"));
    assert_verdict(&report, Verdict::failed(SubIndication::TryLater));
}

/// (b) A signer under a CA nobody trusts (root-other): INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND
/// whatever IIN its certificate claims.
#[test]
fn an_untrusted_signer_is_indeterminate_whoever_it_claims_to_be() {
    for expected in [NOBODY, INDIVIDUAL_IIN] {
        let report = verify_in(&Setup::new(), pki::UNTRUSTED_EE_DETACHED_CMS, iin(expected));
        assert_verdict(
            &report,
            Verdict::failed(SubIndication::NoCertificateChainFound),
        );
    }
}

/// (b) A revoked signer without a proof of existence (REVOKED_NO_POE) stays INDETERMINATE;
/// with a POE after the keyCompromise it is REVOKED, an outright failure that stands.
#[test]
fn a_revoked_signer_keeps_its_own_verdict() {
    let report = verify_in(&Setup::new(), pki::REVOKED_DETACHED_CMS, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::RevokedNoPoe));
    let poe = 1_775_037_600; // 2026-04-01T10:00:00Z, after the 2026-03-01 revocation
    let request = request(pki::REVOKED_DETACHED_CMS)
        .proof_of_existence(poe)
        .expect(iin(NOBODY));
    let report = verify(&verifier(), &request);
    assert_verdict(&report, Verdict::failed(SubIndication::Revoked));
}

/// (c) No certificate for the signer in the CMS nor among the given ones: nobody knows who
/// signed. INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND, not NOT_OWNER.
#[test]
fn a_signer_without_a_certificate_is_indeterminate() {
    let report = verify_in(&Setup::new(), pki::INDIVIDUAL_NOCERTS_CMS, iin(NOBODY));
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::NoSigningCertificateFound),
    );
    assert_eq!(report.signers[0].owner, None);
    assert!(report.signers[0].identity.is_none());
    assert_eq!(
        failed_ownership_checks(&report),
        [Some(SubIndication::NoSigningCertificateFound)]
    );
    // Given the certificate, the signer is known: someone else, NOT_OWNER.
    let setup = Setup::new().intermediate(pki::INDIVIDUAL);
    let report = verify_in(&setup, pki::INDIVIDUAL_NOCERTS_CMS, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::NotOwner));
}

/// (d) Two signers, neither the expected one: a valid one, and one whose signature is
/// INDETERMINATE (untrusted CA) or whose certificate is missing. The second might be the
/// sender: INDETERMINATE with its sub-indication, in either order.
#[test]
fn a_valid_someone_else_and_an_unknown_co_signer_is_indeterminate() {
    let no_chain = Verdict::failed(SubIndication::NoCertificateChainFound);
    let no_certificate = Verdict::failed(SubIndication::NoSigningCertificateFound);
    for (cms, unknown, verdict) in [
        (
            signed_by(&[pki::HEAD_DETACHED_CMS, pki::UNTRUSTED_EE_DETACHED_CMS]),
            1,
            no_chain,
        ),
        (
            signed_by(&[pki::UNTRUSTED_EE_DETACHED_CMS, pki::HEAD_DETACHED_CMS]),
            0,
            no_chain,
        ),
        (
            signed_by(&[pki::HEAD_DETACHED_CMS, pki::INDIVIDUAL_NOCERTS_CMS]),
            1,
            no_certificate,
        ),
    ] {
        let report = verify_in(&Setup::new(), &cms, iin(NOBODY));
        assert_eq!(report.signers.len(), 2);
        assert_eq!(
            report.signers[1 - unknown].verdict,
            Verdict::PASSED,
            "{report}"
        );
        assert_eq!(report.signers[1 - unknown].owner, Some(false));
        assert_eq!(report.signers[unknown].verdict, verdict, "{report}");
        assert_verdict(&report, verdict);
        assert_eq!(failed_ownership_checks(&report), [verdict.sub_indication]);
    }
    // Both valid and neither the expected one: NOT_OWNER.
    let cms = signed_by(&[pki::HEAD_DETACHED_CMS, pki::INDIVIDUAL_DETACHED_CMS]);
    let report = verify_in(&Setup::new(), &cms, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::NotOwner));
}

/// (e) A signature that failed outright stays that failure: a flipped bit in the signature
/// value (SIG_CRYPTO_FAILURE), alone or beside a valid signer who is someone else.
#[test]
fn an_outright_failure_stands() {
    let tampered = flip_signature_byte(pki::INDIVIDUAL_DETACHED_CMS);
    let report = verify_in(&Setup::new(), &tampered, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::SigCryptoFailure));
    assert_eq!(report.signers[0].owner, None);
    assert!(!failed_ownership_checks(&report).contains(&Some(SubIndication::NotOwner)));

    let cms = signed_by(&[&tampered, pki::HEAD_DETACHED_CMS]);
    let report = verify_in(&Setup::new(), &cms, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::SigCryptoFailure));
    // An outright failure beside an INDETERMINATE signer: the failure is the worse.
    let cms = signed_by(&[pki::UNTRUSTED_EE_DETACHED_CMS, &tampered]);
    let report = verify_in(&Setup::new(), &cms, iin(NOBODY));
    assert_verdict(&report, Verdict::failed(SubIndication::SigCryptoFailure));
}

/// (f) The expected signer is valid and a co-signer's signature is INDETERMINATE: ownership is
/// met, and the overall verdict is the worst signer's, as without an expectation.
#[test]
fn the_expected_signer_beside_an_indeterminate_co_signer() {
    let cms = signed_by(&[pki::HEAD_DETACHED_CMS, pki::UNTRUSTED_EE_DETACHED_CMS]);
    let verifier: Verifier = Setup::new().build();
    let without = verify(&verifier, &request(&cms));
    let report = verify(&verifier, &request(&cms).expect(iin(HEAD_IIN)));
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::NoCertificateChainFound),
    );
    assert_eq!(report.verdict, without.verdict);
    let ownership = report.ownership.as_ref().expect("ownership report");
    assert_eq!(ownership.matching_signers, [0]);
    assert!(failed_ownership_checks(&report).is_empty());
    // The expected signer whose own signature is INDETERMINATE: its verdict, not NOT_OWNER.
    let report = verify(&verifier, &request(&cms).expect(iin(INDIVIDUAL_IIN)));
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::NoCertificateChainFound),
    );
    assert_eq!(
        report
            .ownership
            .as_ref()
            .expect("ownership")
            .matching_signers,
        [1]
    );
}
