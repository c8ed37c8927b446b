//! `qoima verify` end to end: the real binary on the generated PKI
//! (`verifier/testdata/pki/README.md`, expected verdicts at 2026-06-15T12:00:00Z), checking the
//! contract of `docs/verify-contract.md`: flags, JSON field names, exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::process::{Command, Output};

const AT: &str = "2026-06-15T12:00:00Z";

fn pki(file: &str) -> String {
    common::pki(file).to_str().unwrap().to_owned()
}

/// The README's default setup, then `extra` arguments.
fn verify(extra: &[&str]) -> Output {
    common::verify_at(AT, extra)
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

fn verdict(output: &Output) -> (String, Option<String>) {
    let report = json(output);
    (
        report["indication"].as_str().unwrap().to_owned(),
        report["subIndication"].as_str().map(str::to_owned),
    )
}

#[test]
fn valid_detached_signature_passes_with_exit_0() {
    let sig = pki("cms/individual.detached.p7s");
    let data = pki("doc-4k.txt");
    let out = verify(&["--sig", &sig, "--data", &data, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["indication"], "TOTAL_PASSED");
    assert!(report["subIndication"].is_null());
    let signers = report["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0]["identity"]["iin"], "850315300128");
    assert_eq!(signers[0]["chain"].as_array().unwrap().len(), 3);
}

#[test]
fn text_output_starts_with_the_verdict() {
    let sig = pki("cms/individual.attached.p7s");
    let out = verify(&["--sig", &sig]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("TOTAL_PASSED\n"), "{text}");
    assert!(text.contains("IIN 850315300128"), "{text}");
}

#[test]
fn pem_and_base64_inputs() {
    let data = pki("doc-4k.txt");
    for file in ["cms/individual.detached.pem", "cms/individual.detached.b64"] {
        let sig = pki(file);
        let out = verify(&["--sig", &sig, "--data", &data, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{file}");
        assert_eq!(
            json(&out)["format"],
            if file.ends_with("pem") {
                "PEM"
            } else {
                "base64"
            }
        );
    }
}

#[test]
fn ownership_flags() {
    let data = pki("doc-4k.txt");
    let individual = pki("cms/individual.detached.p7s");
    let head = pki("cms/head.detached.p7s");
    let cases: [(&str, &str, &str, i32, Option<&str>); 4] = [
        (
            &individual,
            "--expect-iin",
            "920202500111",
            1,
            Some("NOT_OWNER"),
        ),
        (&individual, "--expect-iin", "850315300128", 0, None),
        (&head, "--expect-bin", "150340004568", 1, Some("NOT_OWNER")),
        (&head, "--expect-bin", "240140001238", 0, None),
    ];
    for (sig, flag, value, code, sub) in cases {
        let out = verify(&["--sig", sig, "--data", &data, flag, value, "--json"]);
        assert_eq!(out.status.code(), Some(code), "{flag} {value}");
        assert_eq!(verdict(&out).1.as_deref(), sub, "{flag} {value}");
    }
}

#[test]
fn indeterminate_exits_2_and_failed_exits_1() {
    let data = pki("doc-4k.txt");
    let revoked = pki("cms/revoked.detached.p7s");
    let out = verify(&["--sig", &revoked, "--data", &data, "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        verdict(&out),
        (
            "INDETERMINATE".to_owned(),
            Some("REVOKED_NO_POE".to_owned())
        )
    );

    let dir = tempfile::tempdir().unwrap();
    let tampered = dir.path().join("doc.txt");
    let mut bytes = std::fs::read(&data).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&tampered, bytes).unwrap();
    let sig = pki("cms/individual.detached.p7s");
    let out = verify(&[
        "--sig",
        &sig,
        "--data",
        tampered.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        verdict(&out),
        ("TOTAL_FAILED".to_owned(), Some("HASH_FAILURE".to_owned()))
    );
}

#[test]
fn policy_file_overrides_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let data = pki("doc-4k.txt");
    let weak = pki("cms/rsa1024.detached.p7s");
    let out = verify(&["--sig", &weak, "--data", &data, "--json"]);
    assert_eq!(
        verdict(&out),
        (
            "INDETERMINATE".to_owned(),
            Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE".to_owned())
        )
    );
    let lenient = dir.path().join("policy.toml");
    std::fs::write(&lenient, "min-rsa-bits = 1024\n").unwrap();
    let out = verify(&[
        "--sig",
        &weak,
        "--data",
        &data,
        "--policy",
        lenient.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "min-rsa-bitz = 1024\n").unwrap();
    let out = verify(&[
        "--sig",
        &weak,
        "--data",
        &data,
        "--policy",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("min-rsa-bitz")
    );
}

#[test]
fn garbage_is_a_format_failure_not_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty", &b""[..]),
        ("garbage", &b"\x30\x82\xff\xffnot cms"[..]),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = verify(&["--sig", file.to_str().unwrap(), "--json"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(
            verdict(&out),
            ("TOTAL_FAILED".to_owned(), Some("FORMAT_FAILURE".to_owned())),
            "{name}"
        );
    }
}

#[test]
fn bad_usage_exits_64_with_a_message() {
    let sig = pki("cms/individual.detached.p7s");
    let not_a_cert = pki("doc-4k.txt");
    let cases: [&[&str]; 5] = [
        &["--sig", "/nonexistent/file.p7s"],
        &["--sig", &sig, "--data", "/nonexistent/doc"],
        &["--sig", &sig, "--trust", &not_a_cert],
        &["--sig", &sig, "--at", "yesterday"],
        &["--sig", &sig, "--expect-iin", "12345"],
    ];
    for extra in cases {
        let out = verify(extra);
        assert_eq!(out.status.code(), Some(64), "{extra:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error: "), "{extra:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
    // A missing --sig is a usage error too.
    let out = Command::new(env!("CARGO_BIN_EXE_qoima"))
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
}
