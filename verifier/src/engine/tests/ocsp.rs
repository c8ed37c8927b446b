//! OCSP responses as a revocation source (`testdata/pki/ocsp.sh`): the caller's and the CMS's
//! own (RFC 5940), in the policy's order, and what the report says about them.

use super::{
    AT, SIGNING_TIME, Setup, assert_verdict, request, signed_data_content_info, signed_data_fields,
    signer_json, verify,
};
use crate::engine::{CheckName, Outcome, Verifier};
use crate::policy::{Policy, RevocationSource};
use crate::revocation::ocsp::oids::ID_RI_OCSP_RESPONSE;
use crate::revocation::{OcspStore, UnknownReason};
use crate::test_support::der_tlv;
use crate::test_support::pki::{self, ocsp as files};
use crate::verdict::{SubIndication, Verdict};

fn try_later() -> Verdict {
    Verdict::failed(SubIndication::TryLater)
}

fn store(responses: &[&[u8]]) -> OcspStore {
    let mut store = OcspStore::new();
    for der in responses {
        store.add(der).unwrap();
    }
    store
}

/// The default setup but for ca-rsa's CRL (`ca_rsa_crls`), with these OCSP responses.
fn with_ocsp(ca_rsa_crls: &[&'static [u8]], responses: &[&[u8]]) -> Verifier {
    Setup::new()
        .ca_rsa_crls(ca_rsa_crls)
        .build()
        .with_ocsp(store(responses))
}

/// `cms` (DER) with `responses` as `other` RevocationInfoChoices of format
/// id-ri-ocsp-response (RFC 5940 §4.1) in its SignedData `crls [1]`.
fn with_responses(cms: &[u8], responses: &[&[u8]]) -> Vec<u8> {
    let mut children = signed_data_fields(cms);
    let signer_infos = children.pop().unwrap();
    let choices: Vec<u8> = responses
        .iter()
        .flat_map(|der| {
            der_tlv(
                0xA1,
                &[der_tlv(0x06, ID_RI_OCSP_RESPONSE), der.to_vec()].concat(),
            )
        })
        .collect();
    children.push(der_tlv(0xA1, &choices));
    children.push(signer_infos);
    signed_data_content_info(&children.concat())
}

#[test]
fn ocsp_alone_gives_every_status_of_the_path() {
    // No CRL at all: individual's status from ca-rsa's answer, ca-rsa's from root-rsa's.
    let verifier = Setup::new()
        .crls(&[])
        .build()
        .with_ocsp(store(&[files::GOOD_CA, files::CA_RSA_GOOD_ROOT]));
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    let json = signer_json(&report, 0);
    for entry in json["revocation"].as_array().unwrap() {
        assert_eq!(entry["status"], "good", "{entry}");
        assert_eq!(entry["statusSource"], "ocsp", "{entry}");
        assert_eq!(entry["sources"], serde_json::json!([]), "{entry}");
        let ocsp = &entry["ocsp"];
        assert_eq!(ocsp["origin"], "caller");
        assert_eq!(ocsp["producedAt"], "2026-06-15T10:00:00Z");
        assert_eq!(ocsp["thisUpdate"], "2026-06-15T10:00:00Z");
        assert_eq!(ocsp["nextUpdate"], "2026-06-22T10:00:00Z");
        assert_eq!(ocsp["responder"], "ca");
        assert_eq!(ocsp["certIdHash"], "SHA-1");
    }
    let passed: Vec<String> = report.signers[0]
        .checks
        .iter()
        .filter(|c| c.check == CheckName::Revocation && c.outcome == Outcome::Passed)
        .map(|c| c.message.to_string())
        .collect();
    assert_eq!(
        passed,
        [
            "no certificate of the path is revoked (OCSP responses produced \
             2026-06-15T10:00:00Z (caller), 2026-06-15T10:00:00Z (caller))"
        ]
    );
    let first = &json["revocation"][0]["ocsp"];
    assert_eq!(
        first["fingerprint"],
        crate::path::Fingerprint::of(files::GOOD_CA).to_string()
    );
    assert!(
        first["responderSubject"]
            .as_str()
            .unwrap()
            .contains("(RSA) QOIMA TEST"),
        "{first}"
    );
}

#[test]
fn by_default_ocsp_is_asked_before_the_crls() {
    let verifier = with_ocsp(&[pki::CA_RSA_CRL], &[files::GOOD_CA]);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    let json = signer_json(&report, 0);
    assert_eq!(json["revocation"][0]["statusSource"], "ocsp");
    // No response about ca-rsa: root-rsa's CRL.
    assert_eq!(json["revocation"][1]["statusSource"], "crl");
    assert!(json["revocation"][1]["ocsp"].is_null());
    assert_eq!(
        json["revocation"][1]["sources"].as_array().unwrap().len(),
        1
    );

    // The other order: the CRL first.
    let policy = Policy {
        revocation_sources: vec![RevocationSource::Crl, RevocationSource::Ocsp],
        ..Policy::default()
    };
    let verifier = verifier.with_policy(policy);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(
        signer_json(&report, 0)["revocation"][0]["statusSource"],
        "crl"
    );
}

#[test]
fn a_source_the_policy_leaves_out_is_not_asked() {
    let policy = Policy {
        revocation_sources: vec![RevocationSource::Crl],
        ..Policy::default()
    };
    let verifier = with_ocsp(&[], &[files::GOOD_CA]).with_policy(policy);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, try_later());
    assert_eq!(
        report.signers[0].revocation[0].unknown_reason,
        Some(UnknownReason::NoCrl)
    );
}

#[test]
fn revoked_by_ocsp_is_judged_like_a_listed_certificate() {
    let verifier = with_ocsp(&[], &[files::REVOKED_CA]);
    let report = verify(&verifier, &request(pki::REVOKED_DETACHED_CMS));
    assert_verdict(&report, Verdict::failed(SubIndication::RevokedNoPoe));
    let entry = &report.signers[0].revocation[0];
    assert_eq!(entry.status, "revoked");
    assert_eq!(
        entry.revocation_date.as_deref(),
        Some("2026-03-01T00:00:00Z")
    );
    assert_eq!(entry.status_source, Some("ocsp"));
    let request = request(pki::REVOKED_DETACHED_CMS).proof_of_existence(SIGNING_TIME);
    assert_verdict(
        &verify(&verifier, &request),
        Verdict::failed(SubIndication::Revoked),
    );
}

#[test]
fn an_unknown_answer_falls_back_to_the_crls() {
    let verifier = with_ocsp(&[], &[files::EMPLOYEE_UNKNOWN]);
    let report = verify(&verifier, &request(pki::EMPLOYEE_DETACHED_CMS));
    assert_verdict(&report, try_later());
    assert_eq!(
        report.signers[0].revocation[0].unknown_reason,
        Some(UnknownReason::OcspUnknown)
    );
    let verifier = with_ocsp(&[pki::CA_RSA_CRL], &[files::EMPLOYEE_UNKNOWN]);
    let report = verify(&verifier, &request(pki::EMPLOYEE_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(report.signers[0].revocation[0].status_source, Some("crl"));
}

#[test]
fn unbelieved_responses_are_reported_and_fall_back() {
    for (response, why) in [
        (files::GOOD_NOEKU, "id-kp-OCSPSigning"),
        (files::GOOD_EXPIRED, "stale"),
    ] {
        let verifier = with_ocsp(&[], &[response]);
        let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
        assert_verdict(&report, try_later());
        let entry = &report.signers[0].revocation[0];
        assert_eq!(entry.unknown_reason, Some(UnknownReason::OcspUnusable));
        assert_eq!(entry.ocsp_ignored.len(), 1, "{entry:?}");
        assert!(entry.ocsp_ignored[0].contains(why), "{entry:?}");
        let failed: Vec<_> = report.signers[0]
            .checks
            .iter()
            .filter(|c| c.check == CheckName::Revocation && c.outcome == Outcome::Failed)
            .collect();
        assert!(
            failed[0].message.to_string().contains("OcspUnusable"),
            "{failed:?}"
        );

        let verifier = with_ocsp(&[pki::CA_RSA_CRL], &[response]);
        let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
        assert_verdict(&report, Verdict::PASSED);
        let entry = &report.signers[0].revocation[0];
        assert_eq!(entry.status_source, Some("crl"));
        assert_eq!(entry.ocsp_ignored.len(), 1);
    }
}

#[test]
fn a_delegated_responder_is_checked_against_the_crls() {
    // Without ca-rsa's CRL the responder's own status is unknown: not believed.
    let verifier = with_ocsp(&[], &[files::GOOD_DELEGATED]);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, try_later());
    assert!(report.signers[0].revocation[0].ocsp_ignored[0].contains("own status"));
    // With it the response is believed, and it decides (OCSP first).
    let verifier = with_ocsp(&[pki::CA_RSA_CRL], &[files::GOOD_DELEGATED]);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    let json = signer_json(&report, 0);
    assert_eq!(json["revocation"][0]["statusSource"], "ocsp");
    assert_eq!(json["revocation"][0]["ocsp"]["responder"], "delegated");
    // id-pkix-ocsp-nocheck: no CRL needed.
    let verifier = with_ocsp(&[], &[files::GOOD_NOCHECK]);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(
        signer_json(&report, 0)["revocation"][0]["ocsp"]["responder"],
        "delegated-nocheck"
    );
}

#[test]
fn a_response_about_another_certificate_is_no_status() {
    let verifier = with_ocsp(&[], &[files::WRONG_CERTID, files::TRY_LATER]);
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, try_later());
    let entry = &report.signers[0].revocation[0];
    // As without OCSP: nothing about it, and no CRL.
    assert_eq!(entry.unknown_reason, Some(UnknownReason::NoCrl));
    assert!(entry.ocsp_ignored.is_empty());
}

#[test]
fn responses_inside_the_cms_are_used_for_that_request() {
    let verifier = Setup::new().crls(&[]).build();
    let cms = with_responses(
        pki::INDIVIDUAL_DETACHED_CMS,
        &[files::GOOD_CA, files::CA_RSA_GOOD_ROOT],
    );
    let report = verify(&verifier, &request(&cms));
    assert_verdict(&report, Verdict::PASSED);
    let json = signer_json(&report, 0);
    assert_eq!(json["revocation"][0]["ocsp"]["origin"], "cms");
    assert_eq!(json["revocation"][1]["ocsp"]["origin"], "cms");
    // Not cached for the next request without them.
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, try_later());
    // An unreadable one is a warning.
    let cms = with_responses(pki::INDIVIDUAL_DETACHED_CMS, &[&[0x30, 3, 0x0A, 1, 4]]);
    let report = verify(&verifier, &request(&cms));
    assert_verdict(&report, try_later());
    assert!(
        report.checks.iter().any(|c| c.outcome == Outcome::Warning
            && c.message
                .to_string()
                .contains("an OCSP response in the CMS is ignored")),
        "{report}"
    );
}

#[test]
fn a_cached_ocsp_status_ends_when_the_response_goes_stale() {
    let verifier = Setup::new()
        .crls(&[])
        .build()
        .with_ocsp(store(&[files::GOOD_CA, files::CA_RSA_GOOD_ROOT]));
    for _ in 0..2 {
        assert_verdict(
            &verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS)),
            Verdict::PASSED,
        );
    }
    // nextUpdate 2026-06-22T10:00:00Z plus 300 s of skew.
    let next_update = AT - 7200 + 7 * 86_400;
    let at = |t: i64| {
        let request = request(pki::INDIVIDUAL_DETACHED_CMS);
        verify(
            &verifier,
            &crate::engine::Request {
                validation_time: t,
                ..request
            },
        )
        .verdict
    };
    assert_eq!(at(next_update + 300), Verdict::PASSED);
    assert_eq!(at(next_update + 301), try_later());
    // A stricter maximum age in the policy.
    let policy = Policy {
        ocsp_max_age: Some(3600),
        ..Policy::default()
    };
    let strict = Setup::new()
        .crls(&[])
        .policy(policy)
        .build()
        .with_ocsp(store(&[files::GOOD_CA, files::CA_RSA_GOOD_ROOT]));
    assert_verdict(
        &verify(&strict, &request(pki::INDIVIDUAL_DETACHED_CMS)),
        try_later(),
    );
}

#[test]
fn ecdsa_paths_take_ocsp_too() {
    let verifier = Setup::new()
        .crls(&[])
        .build()
        .with_ocsp(store(&[files::EC_GOOD_CA, files::CA_EC_GOOD_ROOT]));
    let report = verify(&verifier, &request(pki::EC_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
}

#[test]
fn a_benign_revocation_after_the_proof_of_existence_passes_with_a_warning() {
    let verifier = with_ocsp(&[], &[files::REVOKED_LATER_CA]);
    let request = request(pki::REVOKED_LATER_DETACHED_CMS).proof_of_existence(SIGNING_TIME);
    let report = verify(&verifier, &request);
    assert_verdict(&report, Verdict::PASSED);
    let entry = &report.signers[0].revocation[0];
    assert_eq!(
        (entry.status, entry.status_source),
        ("revoked", Some("ocsp"))
    );
    assert!(
        report.signers[0]
            .checks
            .iter()
            .any(|c| c.check == CheckName::Revocation
                && c.outcome == Outcome::Warning
                && c.message.to_string().contains("Superseded"))
    );
}

/// Past signature validation (EN 319 102-1 §5.6.2.4) with OCSP: responses that went stale long
/// ago still tell the status at the proof of existence, when they were current then or issued
/// after it, by the validation time.
mod at_a_proof_of_existence {
    use super::*;
    use crate::engine::{Data, Request};

    const DAY: i64 = 86_400;
    /// A month after the responses' nextUpdate (2026-06-22): none is fresh.
    const MONTH_LATER: i64 = AT + 30 * DAY;
    /// When every certificate but the root has expired (2028-01-01).
    const Y2040: i64 = 2_208_988_800;

    fn ocsp_only(responses: &[&[u8]]) -> Verifier {
        Setup::new().crls(&[]).build().with_ocsp(store(responses))
    }

    fn at(cms: &[u8], at: i64, poe: Option<i64>) -> Request<'_> {
        let request = Request::new(cms, at).data(Data::Bytes(pki::DOC_4K));
        match poe {
            Some(poe) => request.proof_of_existence(poe),
            None => request,
        }
    }

    #[test]
    fn responses_current_at_the_proof_answer_years_later() {
        let verifier = ocsp_only(&[files::GOOD_CA, files::CA_RSA_GOOD_ROOT]);
        // Without a proof, stale responses say nothing.
        let report = verify(
            &verifier,
            &at(pki::INDIVIDUAL_DETACHED_CMS, MONTH_LATER, None),
        );
        assert_verdict(&report, try_later());
        assert!(!report.signers[0].revocation[0].ocsp_ignored.is_empty());

        for when in [MONTH_LATER, Y2040] {
            let report = verify(&verifier, &at(pki::INDIVIDUAL_DETACHED_CMS, when, Some(AT)));
            assert_verdict(&report, Verdict::PASSED);
            for entry in &report.signers[0].revocation {
                assert_eq!(entry.status_source, Some("ocsp"), "{entry:?}");
                assert_eq!(entry.status_at.as_deref(), Some("2026-06-15T12:00:00Z"));
                let ocsp = entry.ocsp.as_ref().unwrap();
                assert_eq!(ocsp.produced_at, "2026-06-15T10:00:00Z");
            }
        }
        // Issued after the proof (the proof is earlier than the response): it answers too.
        let report = verify(
            &verifier,
            &at(pki::INDIVIDUAL_DETACHED_CMS, Y2040, Some(SIGNING_TIME)),
        );
        assert_verdict(&report, Verdict::PASSED);
    }

    #[test]
    fn responses_that_ended_before_the_proof_or_came_after_the_validation_do_not_answer() {
        // Current 2026-05-01 to 05-08 only: says nothing of 2026-06-15.
        let verifier = ocsp_only(&[files::GOOD_EXPIRED, files::CA_RSA_GOOD_ROOT]);
        let report = verify(
            &verifier,
            &at(pki::INDIVIDUAL_DETACHED_CMS, MONTH_LATER, Some(AT)),
        );
        assert_verdict(&report, try_later());
        // ...but of 2026-05-05 it does.
        let report = verify(
            &verifier,
            &at(
                pki::INDIVIDUAL_DETACHED_CMS,
                MONTH_LATER,
                Some(AT - 41 * DAY),
            ),
        );
        assert_verdict(&report, Verdict::PASSED);

        // Produced at 10:00: unknown at a validation at 09:00, whatever the proof.
        let verifier = ocsp_only(&[files::GOOD_CA, files::CA_RSA_GOOD_ROOT]);
        let report = verify(
            &verifier,
            &at(
                pki::INDIVIDUAL_DETACHED_CMS,
                AT - 3 * 3600,
                Some(AT - 10 * DAY),
            ),
        );
        assert_verdict(&report, try_later());
    }

    #[test]
    fn a_stale_revoked_answer_still_tells_before_from_after() {
        let verifier = ocsp_only(&[files::REVOKED_LATER_CA, files::CA_RSA_GOOD_ROOT]);
        // Revoked 2026-05-01 (superseded): a signature proven on 2026-04-01 passes, with a
        // warning; one proven on 2026-05-15 does not.
        let report = verify(
            &verifier,
            &at(
                pki::REVOKED_LATER_DETACHED_CMS,
                MONTH_LATER,
                Some(SIGNING_TIME),
            ),
        );
        assert_verdict(&report, Verdict::PASSED);
        let entry = &report.signers[0].revocation[0];
        assert_eq!(
            (entry.status, entry.status_source),
            ("revoked", Some("ocsp"))
        );
        let report = verify(
            &verifier,
            &at(
                pki::REVOKED_LATER_DETACHED_CMS,
                MONTH_LATER,
                Some(AT - 31 * DAY),
            ),
        );
        assert!(!report.verdict.passed(), "{report:#?}");
    }
}
