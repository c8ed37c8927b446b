//! `qoima verify --ocsp`: OCSP responses (`verifier/testdata/pki/ocsp.sh`, produced
//! 2026-06-15T10:00:00Z) as the revocation source of the real binary, with no CRL given.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::process::{Command, Output};

const AT: &str = "2026-06-15T12:00:00Z";

fn pki(file: &str) -> String {
    common::pki(file).to_str().unwrap().to_owned()
}

/// `qoima verify --json` at [`AT`] with the RSA trust anchor and CA, no CRL, `sig` over
/// `doc-4k.txt`, these `--ocsp` files and `extra` arguments.
fn verify(sig: &str, ocsp: &[&str], extra: &[&str]) -> Output {
    let mut args: Vec<String> = ["verify", "--at", AT, "--json", "--sig"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    args.push(pki(&format!("cms/{sig}")));
    for (flag, file) in [
        ("--data", "doc-4k.txt".to_owned()),
        ("--trust", "certs/root-rsa.cer".to_owned()),
        ("--ca", "certs/ca-rsa.cer".to_owned()),
    ]
    .into_iter()
    .chain(ocsp.iter().map(|f| ("--ocsp", format!("ocsp/{f}"))))
    {
        args.push(flag.to_owned());
        args.push(pki(&file));
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Command::new(env!("CARGO_BIN_EXE_qoima"))
        .args(&args)
        .output()
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn ocsp_responses_alone_make_a_signature_pass() {
    let out = verify(
        "individual.detached.p7s",
        &["individual-good-ca.der", "ca-rsa-good-root.der"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json(&out);
    assert_eq!(report["indication"], "TOTAL_PASSED");
    let revocation = report["signers"][0]["revocation"].as_array().unwrap();
    assert_eq!(revocation.len(), 2);
    for entry in revocation {
        assert_eq!(entry["status"], "good");
        assert_eq!(entry["statusSource"], "ocsp");
        assert_eq!(entry["ocsp"]["origin"], "caller");
        assert_eq!(entry["ocsp"]["producedAt"], "2026-06-15T10:00:00Z");
        assert_eq!(entry["ocsp"]["responder"], "ca");
        // The fields the CRL path always had are still there.
        for field in [
            "certificate",
            "revocationDate",
            "reason",
            "unknownReason",
            "sources",
        ] {
            assert!(entry.get(field).is_some(), "{field}: {entry}");
        }
    }

    // Without the responses nothing says the certificates are not revoked.
    let out = verify("individual.detached.p7s", &[], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["subIndication"], "TRY_LATER");
}

#[test]
fn a_revoked_answer_and_an_unauthorised_responder() {
    let out = verify(
        "revoked.detached.p7s",
        &["revoked-ca.der", "ca-rsa-good-root.der"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    assert_eq!(report["subIndication"], "REVOKED_NO_POE");
    let entry = &report["signers"][0]["revocation"][0];
    assert_eq!(entry["status"], "revoked");
    assert_eq!(entry["revocationDate"], "2026-03-01T00:00:00Z");
    assert_eq!(entry["reason"], "keyCompromise");
    assert_eq!(entry["statusSource"], "ocsp");

    // Signed by a certificate ca-rsa issued without id-kp-OCSPSigning: not believed.
    let out = verify(
        "individual.detached.p7s",
        &["individual-good-noeku.der", "ca-rsa-good-root.der"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    assert_eq!(report["subIndication"], "TRY_LATER");
    let entry = &report["signers"][0]["revocation"][0];
    assert_eq!(entry["unknownReason"], "OCSP_UNUSABLE");
    let ignored = entry["ocspIgnored"][0].as_str().unwrap();
    assert!(ignored.contains("id-kp-OCSPSigning"), "{ignored}");
}

#[test]
fn the_policy_orders_the_sources() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "revocation-sources = [\"crl\"]\n").unwrap();
    let out = verify(
        "individual.detached.p7s",
        &["individual-good-ca.der", "ca-rsa-good-root.der"],
        &["--policy", policy.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["subIndication"], "TRY_LATER");
}

#[test]
fn a_file_that_is_no_ocsp_response_is_bad_usage() {
    let out = verify("individual.detached.p7s", &["../doc-4k.txt"], &[]);
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: ") && stderr.contains("OCSP"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
