//! Revoked and held certificates (with and without a proof of existence), and every CRL
//! variant of the README: stale, missing, forged (look-alike), base + delta, delta only.

use super::{
    SIGNING_TIME, Setup, assert_verdict, check, check_both, request, signed_data_content_info,
    signed_data_fields, signer_checks, signer_json, verifier, verify,
};
use crate::engine::{CheckName, Outcome};
use crate::path::Fingerprint;
use crate::policy::Policy;
use crate::test_support::{der_tlv, pki};
use crate::verdict::{SubIndication, Verdict};

/// 2026-02-15T00:00:00Z: before `revoked`'s revocation (2026-03-01, keyCompromise).
const BEFORE_KEY_COMPROMISE: i64 = 1_771_113_600;

pub(super) fn revoked_no_poe() -> Verdict {
    Verdict::failed(SubIndication::RevokedNoPoe)
}

fn try_later() -> Verdict {
    Verdict::failed(SubIndication::TryLater)
}

// Revoked certificates, default CRLs.

#[test]
fn revoked_without_poe_is_revoked_no_poe() {
    check_both(
        &Setup::new(),
        pki::REVOKED_DETACHED_CMS,
        pki::REVOKED_ATTACHED_CMS,
        revoked_no_poe(),
    );
    let report = check(&Setup::new(), pki::REVOKED_DETACHED_CMS, revoked_no_poe());
    let entry = &report.signers[0].revocation[0];
    assert_eq!(entry.status, "revoked");
    assert_eq!(
        entry.revocation_date.as_deref(),
        Some("2026-03-01T00:00:00Z")
    );
}

#[test]
fn revoked_with_poe_after_revocation_is_revoked() {
    for cms in [pki::REVOKED_DETACHED_CMS, pki::REVOKED_ATTACHED_CMS] {
        let report = verify(&verifier(), &request(cms).proof_of_existence(SIGNING_TIME));
        assert_verdict(&report, Verdict::failed(SubIndication::Revoked));
    }
}

#[test]
fn key_compromise_is_retroactive_even_with_poe_before_revocation() {
    for cms in [pki::REVOKED_DETACHED_CMS, pki::REVOKED_ATTACHED_CMS] {
        let request = request(cms).proof_of_existence(BEFORE_KEY_COMPROMISE);
        let report = verify(&verifier(), &request);
        assert_verdict(&report, Verdict::failed(SubIndication::Revoked));
    }
}

#[test]
fn revoked_later_without_poe_is_revoked_no_poe() {
    check_both(
        &Setup::new(),
        pki::REVOKED_LATER_DETACHED_CMS,
        pki::REVOKED_LATER_ATTACHED_CMS,
        revoked_no_poe(),
    );
}

#[test]
fn revoked_later_with_poe_before_revocation_passes_with_a_warning() {
    for cms in [
        pki::REVOKED_LATER_DETACHED_CMS,
        pki::REVOKED_LATER_ATTACHED_CMS,
    ] {
        let report = verify(&verifier(), &request(cms).proof_of_existence(SIGNING_TIME));
        assert_verdict(&report, Verdict::PASSED);
        let signer = &report.signers[0];
        let json = signer_json(&report, 0);
        assert_eq!(json["bestSignatureTime"], "2026-04-01T10:00:00Z");
        assert_eq!(json["proofOfExistence"]["time"], "2026-04-01T10:00:00Z");
        assert_eq!(
            signer.proof_of_existence.as_ref().map(|p| p.source),
            Some("caller")
        );
        let warnings = signer_checks(&report, CheckName::Revocation, Outcome::Warning);
        assert_eq!(warnings.len(), 1, "{report}");
        assert!(
            warnings[0].message.to_string().contains("2026-05-01"),
            "{report}"
        );
        assert_eq!(signer.revocation[0].status, "revoked");
    }
}

#[test]
fn hold_is_revoked_no_poe() {
    check_both(
        &Setup::new(),
        pki::HOLD_DETACHED_CMS,
        pki::HOLD_ATTACHED_CMS,
        revoked_no_poe(),
    );
    // A hold can be lifted: a POE does not settle it either.
    let report = verify(
        &verifier(),
        &request(pki::HOLD_DETACHED_CMS).proof_of_existence(SIGNING_TIME),
    );
    assert_verdict(&report, revoked_no_poe());
}

// CRL variants for ca-rsa's certificates.

#[test]
fn stale_crl_is_try_later() {
    check_both(
        &Setup::new().ca_rsa_crls(&[pki::CA_RSA_STALE_CRL]),
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_ATTACHED_CMS,
        try_later(),
    );
}

#[test]
fn missing_crl_is_try_later() {
    check_both(
        &Setup::new().ca_rsa_crls(&[]),
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_ATTACHED_CMS,
        try_later(),
    );
}

#[test]
fn only_the_lookalike_crl_is_try_later() {
    check_both(
        &Setup::new().ca_rsa_crls(&[pki::LOOKALIKE_CA_RSA_CRL]),
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_ATTACHED_CMS,
        try_later(),
    );
    // Never read as "revoked", although it lists the individual.
    let setup = Setup::new().ca_rsa_crls(&[pki::LOOKALIKE_CA_RSA_CRL]);
    let report = check(&setup, pki::INDIVIDUAL_DETACHED_CMS, try_later());
    assert_eq!(report.signers[0].revocation[0].status, "unknown");
}

#[test]
fn lookalike_crl_beside_the_real_one_is_ignored() {
    let setup = Setup::new().ca_rsa_crls(&[pki::CA_RSA_CRL, pki::LOOKALIKE_CA_RSA_CRL]);
    check_both(
        &setup,
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_ATTACHED_CMS,
        Verdict::PASSED,
    );
    // The forged CRL is added last here, and first here: same answer.
    let setup = Setup::new().crls(&[
        pki::LOOKALIKE_CA_RSA_CRL,
        pki::CA_RSA_CRL,
        pki::ROOT_RSA_CRL,
    ]);
    let report = check(&setup, pki::INDIVIDUAL_DETACHED_CMS, Verdict::PASSED);
    let entry = &report.signers[0].revocation[0];
    assert_eq!(entry.status, "good");
    let sources: Vec<&str> = entry
        .sources
        .iter()
        .map(|s| s.fingerprint.as_str())
        .collect();
    assert_eq!(sources, [Fingerprint::of(pki::CA_RSA_CRL).to_string()]);
}

#[test]
fn revoked_with_only_the_lookalike_crl_is_try_later() {
    check_both(
        &Setup::new().ca_rsa_crls(&[pki::LOOKALIKE_CA_RSA_CRL]),
        pki::REVOKED_DETACHED_CMS,
        pki::REVOKED_ATTACHED_CMS,
        try_later(),
    );
}

#[test]
fn revoked_later_with_base_and_delta_is_revoked_no_poe() {
    let setup = Setup::new().ca_rsa_crls(&[pki::CA_RSA_BASE_CRL, pki::CA_RSA_DELTA_CRL]);
    check_both(
        &setup,
        pki::REVOKED_LATER_DETACHED_CMS,
        pki::REVOKED_LATER_ATTACHED_CMS,
        revoked_no_poe(),
    );
    let report = check(&setup, pki::REVOKED_LATER_DETACHED_CMS, revoked_no_poe());
    let sources = &report.signers[0].revocation[0].sources;
    let deltas: Vec<bool> = sources.iter().map(|s| s.delta).collect();
    assert_eq!(deltas, [false, true]);
}

#[test]
fn revoked_with_base_and_delta_is_revoked_no_poe() {
    check_both(
        &Setup::new().ca_rsa_crls(&[pki::CA_RSA_BASE_CRL, pki::CA_RSA_DELTA_CRL]),
        pki::REVOKED_DETACHED_CMS,
        pki::REVOKED_ATTACHED_CMS,
        revoked_no_poe(),
    );
}

#[test]
fn revoked_later_with_base_only_passes() {
    check_both(
        &Setup::new().ca_rsa_crls(&[pki::CA_RSA_BASE_CRL]),
        pki::REVOKED_LATER_DETACHED_CMS,
        pki::REVOKED_LATER_ATTACHED_CMS,
        Verdict::PASSED,
    );
}

#[test]
fn delta_only_is_try_later_for_every_ca_rsa_signer() {
    let setup = Setup::new().ca_rsa_crls(&[pki::CA_RSA_DELTA_CRL]);
    for cms in [
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::HEAD_DETACHED_CMS,
        pki::EMPLOYEE_DETACHED_CMS,
        pki::REVOKED_DETACHED_CMS,
        pki::REVOKED_LATER_DETACHED_CMS,
        pki::HOLD_DETACHED_CMS,
    ] {
        check(&setup, cms, try_later());
    }
}

/// Beyond the README: the CA's status counts too (no root-rsa.crl: ca-rsa's is unknown).
#[test]
fn missing_crl_for_the_ca_is_try_later() {
    let setup = Setup::new().crls(&[pki::CA_RSA_CRL, pki::CA_EC_CRL, pki::ROOT_EC_CRL]);
    let report = check(&setup, pki::INDIVIDUAL_DETACHED_CMS, try_later());
    let statuses: Vec<&str> = report.signers[0]
        .revocation
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, ["good", "unknown"]);
    // The ECDSA branch is unaffected.
    check(&setup, pki::EC_DETACHED_CMS, Verdict::PASSED);
}

/// A policy may accept CA certificates without revocation data (`require-ca-revocation =
/// false`, for a PKI whose root publishes no CRL): a warning, not TRY_LATER. The signer's own
/// status is still required, and a revoked CA would still fail.
#[test]
fn policy_may_accept_a_ca_without_crl() {
    let policy = Policy::from_toml("require-ca-revocation = false").unwrap();
    let setup = Setup::new()
        .crls(&[pki::CA_RSA_CRL, pki::CA_EC_CRL, pki::ROOT_EC_CRL])
        .policy(policy.clone());
    let report = check(&setup, pki::INDIVIDUAL_DETACHED_CMS, Verdict::PASSED);
    let warnings: Vec<_> = report.signers[0]
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Warning)
        .collect();
    assert_eq!(warnings.len(), 1, "{report}");
    assert!(
        warnings[0].message.to_string().contains("CA certificate"),
        "{report}"
    );
    // Without ca-rsa.crl the signer's own status is still missing.
    let setup = Setup::new()
        .crls(&[pki::CA_EC_CRL, pki::ROOT_EC_CRL])
        .policy(policy);
    check(&setup, pki::INDIVIDUAL_DETACHED_CMS, try_later());
}

// Beyond the README (no CMS of the set carries CRLs): CRLs inside the CMS, made here by
// inserting them into a copy of a DER file (`crls` is not signed).

/// `cms` (DER) with `crls` as its SignedData `crls [1]`.
fn with_crls(cms: &[u8], crls: &[&[u8]]) -> Vec<u8> {
    let mut children = signed_data_fields(cms);
    let signer_infos = children.pop().expect("signerInfos");
    children.push(der_tlv(0xA1, &crls.concat()));
    children.push(signer_infos);
    signed_data_content_info(&children.concat())
}

#[test]
fn crl_inside_the_cms_is_used() {
    let verifier = Setup::new().ca_rsa_crls(&[]).build();
    let cms = with_crls(pki::INDIVIDUAL_DETACHED_CMS, &[pki::CA_RSA_CRL]);
    let report = verify(&verifier, &request(&cms));
    assert_verdict(&report, Verdict::PASSED);
    assert!(
        report.checks[0].message.to_string().contains("1 CRL(s)"),
        "{report}"
    );
    let sources = &report.signers[0].revocation[0].sources;
    assert_eq!(
        sources[0].fingerprint,
        Fingerprint::of(pki::CA_RSA_CRL).to_string()
    );

    let cms = with_crls(pki::REVOKED_DETACHED_CMS, &[pki::CA_RSA_CRL]);
    assert_verdict(&verify(&verifier, &request(&cms)), revoked_no_poe());
}

#[test]
fn crl_inside_one_cms_does_not_serve_the_next_request() {
    let verifier = Setup::new().ca_rsa_crls(&[]).build();
    let cms = with_crls(pki::INDIVIDUAL_DETACHED_CMS, &[pki::CA_RSA_CRL]);
    assert_verdict(&verify(&verifier, &request(&cms)), Verdict::PASSED);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, try_later());
}

#[test]
fn forged_crl_inside_the_cms_is_ignored() {
    let cms = with_crls(pki::INDIVIDUAL_DETACHED_CMS, &[pki::LOOKALIKE_CA_RSA_CRL]);
    // Beside the real CRL: good.
    assert_verdict(&verify(&verifier(), &request(&cms)), Verdict::PASSED);
    // Alone: no usable CRL, never "revoked".
    let verifier = Setup::new().ca_rsa_crls(&[]).build();
    assert_verdict(&verify(&verifier, &request(&cms)), try_later());
    // And it cannot hide a revocation the real CRL lists.
    let cms = with_crls(pki::REVOKED_DETACHED_CMS, &[pki::LOOKALIKE_CA_RSA_CRL]);
    let report = verify(&Setup::new().build(), &request(&cms));
    assert_verdict(&report, revoked_no_poe());
}
