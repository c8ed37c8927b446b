#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

use std::collections::BTreeSet;

use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::{gost, ltv, pki};
use qoima_verifier::verdict::Indication;
use qoima_verifier::{Data, Report, Request, Verifier};

use super::*;

/// `report` by this writer and by `serde_json`, which must be the same bytes.
fn same_as_serde(report: &Report, case: &str) -> String {
    let mut ours = Vec::new();
    write_report(report, &mut ours).unwrap();
    let theirs = serde_json::to_vec(report).unwrap();
    assert!(
        ours == theirs,
        "{case}:\nours:   {}\nserde:  {}",
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&theirs)
    );
    String::from_utf8(ours).unwrap()
}

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../verifier/testdata/{dir}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every signature of the generated PKI and of the NCA and LTV fixtures, with and without
/// content, expectations and a proof of existence: every verdict, sub-indications, warnings,
/// revoked signers, time-stamps, Cyrillic names.
fn reports() -> Vec<(String, Report)> {
    let mut reports = Vec::new();
    let mut verify = |case: String, verifier: &Verifier, request: Request<'_>| {
        // A request the engine refuses outright has no report.
        if let Ok(report) = verifier.verify(&request) {
            reports.push((case, report));
        }
    };
    let rsa = pki::rsa_verifier();
    let dir = format!(
        "{}/../verifier/testdata/pki/cms",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let expectations = [
        Expectation::default(),
        Expectation {
            iin: Some("123456789012".to_owned()),
            bin: None,
            roles: Vec::new(),
        },
    ];
    for name in &names {
        let cms = fixture("pki/cms", name);
        for (e, expectation) in expectations.iter().enumerate() {
            for (d, data) in [
                Data::Bytes(pki::DOC_4K),
                Data::Absent,
                Data::Bytes(b"other"),
            ]
            .into_iter()
            .enumerate()
            {
                let request = Request::new(&cms, pki::VALIDATION_TIME)
                    .data(data)
                    .expect(expectation.clone());
                verify(format!("pki {name} data {d} expect {e}"), &rsa, request);
            }
        }
        // Years later, and before anything was issued.
        for at in [pki::VALIDATION_TIME + 20 * 365 * 86_400, 0] {
            let request = Request::new(&cms, at).data(Data::Bytes(pki::DOC_4K));
            verify(format!("pki {name} at {at}"), &rsa, request);
        }
    }

    let gost_verifier = gost::verifier();
    for (i, (name, pfx, _)) in gost::PKCS12.iter().enumerate() {
        let key = gost::GostKey::from_pkcs12(pfx, gost::PASSWORD);
        let cms = key.sign_detached_seeded(b"content", gost::SIGNED_AT, i as u64);
        let request = Request::new(&cms, gost::VALIDATION_TIME).data(Data::Bytes(b"content"));
        verify(format!("gost {name}"), &gost_verifier, request);
    }
    for (cms, document) in [
        ("individual_detached.der", Some("individual_document.txt")),
        ("individual_attached.der", None),
        (
            "legal_entity_detached.der",
            Some("legal_entity_document.txt"),
        ),
        ("legal_entity_attached.der", None),
    ] {
        let der = fixture("skarm_kalkan/cms", cms);
        let content = document.map(|name| fixture("skarm_kalkan/cms", name));
        let data = content.as_deref().map_or(Data::Absent, Data::Bytes);
        let request = Request::new(&der, gost::VALIDATION_TIME).data(data);
        verify(format!("kalkan {cms}"), &gost_verifier, request);
    }

    let ltv_verifier = ltv::verifier(&[ltv::ROOT_CRL, ltv::CA_CRL_OCTOBER]);
    for name in [
        "good",
        "good-ec",
        "revoked-before",
        "published-late",
        "revoked-after",
        "unspecified-after",
        "compromised-before",
        "compromised-after",
        "compromised-undated",
    ] {
        for proof in [None, Some(ltv::REGISTERED)] {
            let mut request =
                Request::new(ltv::cms(name), ltv::OCTOBER).data(Data::Bytes(ltv::DOC));
            if let Some(time) = proof {
                request = request.proof_of_existence(time);
            }
            verify(
                format!("ltv {name} proof {proof:?}"),
                &ltv_verifier,
                request,
            );
        }
    }
    reports
}

#[test]
fn reports_are_written_byte_for_byte_as_serde_json_writes_them() {
    let reports = reports();
    let mut indications = BTreeSet::new();
    let mut sub_indications = BTreeSet::new();
    let (mut non_ascii, mut warnings, mut revoked, mut time_stamps) = (false, false, false, false);
    for (case, report) in &reports {
        let text = same_as_serde(report, case);
        indications.insert(format!("{:?}", report.verdict.indication));
        sub_indications.insert(format!("{:?}", report.verdict.sub_indication));
        non_ascii |= !text.is_ascii();
        warnings |= text.contains("\"outcome\":\"warning\"");
        revoked |= text.contains("\"status\":\"revoked\"");
        time_stamps |= report.signers.iter().any(|s| !s.time_stamps.is_empty());
    }
    // What the fixtures must cover for the comparison to mean something.
    for indication in [
        Indication::TotalPassed,
        Indication::Indeterminate,
        Indication::TotalFailed,
    ] {
        assert!(
            indications.contains(&format!("{indication:?}")),
            "no {indication:?} among {indications:?}"
        );
    }
    assert!(sub_indications.len() > 8, "{sub_indications:?}");
    assert!(non_ascii, "no report with a name outside ASCII");
    assert!(
        warnings && revoked,
        "warnings {warnings}, revoked {revoked}"
    );
    assert!(time_stamps, "no report with a time-stamp");
}

#[test]
fn the_kept_signer_identifiers_give_the_same_text() {
    // Twice each, more than are kept, in turns: from the cache and rendered again.
    let reports = reports();
    for _ in 0..2 {
        for (case, report) in &reports {
            same_as_serde(report, case);
        }
    }
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let long = "x".repeat(70);
    for text in [
        "",
        "plain ASCII",
        "Иванов Иван, ИИН123456789011",
        "quote \" and backslash \\",
        "controls \u{0} \u{1f} \t \n \r \u{8} \u{c} and DEL \u{7f}",
        &format!("{long}\"{long}"),
        &format!("{long}\u{1}"),
        "\u{2028} \u{2029} emoji 🙂",
    ] {
        let mut out = Vec::new();
        Writer {
            out: &mut out,
            scratch: String::new(),
        }
        .string(text);
        assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
    }
}

#[test]
fn times_are_written_as_the_verifier_writes_them() {
    for unix in [
        0,
        -1,
        951_782_400,
        pki::VALIDATION_TIME,
        253_402_300_799,
        253_402_300_800,
        i64::MIN,
        i64::MAX,
    ] {
        let mut out = Vec::new();
        Writer {
            out: &mut out,
            scratch: String::new(),
        }
        .unix_time(unix);
        let expected = match Time::from_unix(unix) {
            Some(time) => time.to_string(),
            None => format!("@{unix}"),
        };
        assert_eq!(out, serde_json::to_vec(&expected).unwrap(), "{unix}");
    }
}
