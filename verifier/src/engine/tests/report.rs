//! What a report says besides its verdict: on the happy path (the benchmark file), and its
//! JSON and text forms.

use super::{Setup, assert_verdict, check, request, signer_checks, signer_json, verify};
use crate::engine::{CheckName, Outcome, Report};
use crate::path::Fingerprint;
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

fn benchmark() -> Report {
    check(&Setup::new(), pki::INDIVIDUAL_DETACHED_CMS, Verdict::PASSED)
}

#[test]
fn happy_path_names_the_signer_and_the_times() {
    let report = benchmark();
    let json = serde_json::to_value(&report).expect("JSON");
    assert_eq!(json["validationTime"], "2026-06-15T12:00:00Z");
    assert!(report.ownership.is_none());
    let signer = &report.signers[0];
    assert_eq!(signer.index, 0);
    assert_eq!(signer.verdict, Verdict::PASSED);
    let identity = signer.identity.as_ref().expect("identity");
    assert_eq!(identity.iin.as_deref(), Some("850315300128"));
    assert_eq!(identity.common_name.as_deref(), Some("ТЕСТОВ ТЕСТ"));
    assert_eq!(identity.patronymic.as_deref(), Some("ТЕСТОВИЧ"));
    assert_eq!(
        signer
            .claimed_signing_time
            .as_ref()
            .map(ToString::to_string),
        Some("2026-04-01T10:00:00Z".to_owned())
    );
    // The claimed signingTime is no proof: the best-signature-time is the validation time.
    assert!(signer.proof_of_existence.is_none());
    let json = signer_json(&report, 0);
    assert_eq!(json["claimedSigningTime"], "2026-04-01T10:00:00Z");
    assert_eq!(json["bestSignatureTime"], "2026-06-15T12:00:00Z");
    assert!(json["proofOfExistence"].is_null(), "{json}");
    assert!(signer.time_stamps.is_empty());
    assert_eq!(signer.owner, None);
    assert!(signer.signature_algorithm.is_some());
}

#[test]
fn happy_path_chain_is_individual_ca_rsa_root_rsa() {
    let report = benchmark();
    let chain = &report.signers[0].chain;
    assert_eq!(chain.len(), 3);
    let fingerprints: Vec<String> = [pki::INDIVIDUAL, pki::CA_RSA, pki::ROOT_RSA]
        .iter()
        .map(|der| Fingerprint::of(der).to_string())
        .collect();
    let found: Vec<&str> = chain.iter().map(|c| c.fingerprint.as_str()).collect();
    assert_eq!(found, fingerprints);
    assert!(chain[0].serial_number.ends_with("10"), "{:?}", chain[0]);
    assert_eq!(chain[0].not_before, "2026-01-01T00:00:00Z");
    assert_eq!(chain[0].not_after, "2028-01-01T00:00:00Z");
    assert_eq!(chain[1].subject, chain[0].issuer);
    assert_eq!(chain[2].subject, chain[1].issuer);
}

#[test]
fn happy_path_revocation_is_good_from_the_fresh_crls() {
    let report = benchmark();
    let revocation = &report.signers[0].revocation;
    // Every certificate of the path but the trust anchor.
    assert_eq!(revocation.len(), 2);
    let expected = [
        (pki::INDIVIDUAL, pki::CA_RSA_CRL),
        (pki::CA_RSA, pki::ROOT_RSA_CRL),
    ];
    for (entry, (cert, crl)) in revocation.iter().zip(expected) {
        assert_eq!(entry.status, "good");
        assert_eq!(
            entry.certificate.to_string(),
            Fingerprint::of(cert).to_string()
        );
        assert_eq!(entry.revocation_date, None);
        assert_eq!(entry.sources.len(), 1, "{entry:?}");
        assert_eq!(
            entry.sources[0].fingerprint,
            Fingerprint::of(crl).to_string()
        );
        assert!(!entry.sources[0].delta);
    }
    assert!(
        !signer_checks(&report, CheckName::Revocation, Outcome::Passed).is_empty(),
        "{report}"
    );
}

#[test]
fn happy_path_has_no_failed_or_warning_check() {
    let report = benchmark();
    let all = report.checks.iter().chain(&report.signers[0].checks);
    for check in all {
        assert_eq!(check.outcome, Outcome::Passed, "{check:?}");
        assert_eq!(check.sub_indication, None, "{check:?}");
    }
    for name in [
        CheckName::SigningCertificate,
        CheckName::Cryptographic,
        CheckName::CertificatePath,
        CheckName::SignatureAcceptance,
    ] {
        assert_eq!(
            signer_checks(&report, name, Outcome::Passed).len(),
            1,
            "{name:?}"
        );
    }
}

#[test]
fn json_has_the_verdict_at_the_top() {
    let json = serde_json::to_value(benchmark()).expect("JSON");
    assert_eq!(json["indication"], "TOTAL_PASSED");
    assert!(json["subIndication"].is_null(), "{json}");
    assert_eq!(json["validationTime"], "2026-06-15T12:00:00Z");
    assert_eq!(json["format"], "DER");
    let signers = json["signers"].as_array().expect("signers");
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0]["indication"], "TOTAL_PASSED");
    assert_eq!(signers[0]["identity"]["iin"], "850315300128");
    assert_eq!(signers[0]["chain"].as_array().map(Vec::len), Some(3));
    assert_eq!(signers[0]["revocation"][0]["status"], "good");
}

#[test]
fn json_of_a_failure_names_the_sub_indication() {
    let setup = Setup::new().ca_rsa_crls(&[]);
    let report = verify(&setup.build(), &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::failed(SubIndication::TryLater));
    let json = serde_json::to_value(&report).expect("JSON");
    assert_eq!(json["indication"], "INDETERMINATE");
    assert_eq!(json["subIndication"], "TRY_LATER");
    assert_eq!(json["signers"][0]["subIndication"], "TRY_LATER");
    assert_eq!(json["signers"][0]["revocation"][0]["status"], "unknown");
}

#[test]
fn text_starts_with_the_verdict_line() {
    let text = benchmark().to_string();
    assert!(text.starts_with("TOTAL_PASSED\n"), "{text}");
    assert!(text.contains("IIN 850315300128"), "{text}");

    let setup = Setup::new().ca_rsa_crls(&[]);
    let report = verify(&setup.build(), &request(pki::INDIVIDUAL_DETACHED_CMS));
    let text = report.to_string();
    assert_eq!(
        text.lines().next(),
        Some("INDETERMINATE / TRY_LATER"),
        "{text}"
    );
}
