//! End to end: long-term validation (`docs/reverification.md`, "Long-term validation") through
//! the real `qoima` binary, its clock set by libfaketime. Documents signed by the LTV test PKI
//! (`verifier/testdata/ltv/generate.sh`: root valid to 2029, end entities through 2026) are
//! registered with `qoima doc register` on 2026-06-15 with the CRLs then in force, which the
//! vault keeps; `qoima reverify` in 2030 and 2040, when every certificate has expired and the
//! CA publishes nothing, gives each the verdict of the registration's proof of existence and
//! evidence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Vault, json, stderr, stdout};
use serde_json::Value;

/// The registration instant: the vault's clock while registering.
const REGISTERED: &str = "2026-06-15T12:00:00Z";
const Y2030: &str = "2030-01-01T00:00:00Z";
const Y2040: &str = "2040-01-01T00:00:00Z";
const IIN: &str = "850315300128";

fn ltv(file: &str) -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "verifier",
        "testdata",
        "ltv",
        file,
    ]
    .iter()
    .collect()
}

/// Trusts the LTV root and CA, with these CRLs of `verifier/testdata/ltv/crl/`.
fn write_config(vault: &Vault, crls: &[&str]) {
    let etc = vault.config.parent().unwrap();
    for file in [
        "certs/ltv-root.cer",
        "certs/ltv-ca.cer",
        "crl/root-2026.crl",
        "crl/ca-2026-05.crl",
        "crl/ca-2026-10.crl",
    ] {
        let name = Path::new(file).file_name().unwrap();
        std::fs::copy(ltv(file), etc.join("pki").join(name)).unwrap();
    }
    let crls: Vec<String> = crls.iter().map(|c| format!("\"pki/{c}\"")).collect();
    vault.write_config(&format!(
        "[trust]\n\
             anchors = [\"pki/ltv-root.cer\"]\n\
             intermediates = [\"pki/ltv-ca.cer\"]\n\
             crls = [{}]\n",
        crls.join(", ")
    ));
}

/// `qoima doc register` of the LTV document signed by `name`, with the clock at `REGISTERED`.
fn register(vault: &Vault, name: &str) -> std::process::Output {
    vault.qoima_at(
        REGISTERED,
        &[
            "doc",
            "register",
            "--content",
            ltv("doc.pdf").to_str().unwrap(),
            "--sig",
            ltv(&format!("cms/{name}.p7s")).to_str().unwrap(),
            "--class",
            "project-documentation",
            "--expect-iin",
            IIN,
            "--json",
        ],
    )
}

/// `qoima reverify` with the clock at `clock`: the exit code and `INDICATION[ / SUB]` by id.
fn reverify(vault: &Vault, clock: &str) -> (i32, BTreeMap<String, String>, Vec<Value>) {
    let out = vault.qoima_at(clock, &["reverify"]);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let verdicts = lines
        .iter()
        .map(|line| {
            let verdict = match line["subIndication"].as_str() {
                Some(sub) => format!("{} / {sub}", line["indication"].as_str().unwrap()),
                None => line["indication"].as_str().unwrap_or("none").to_owned(),
            };
            (line["id"].as_str().unwrap().to_owned(), verdict)
        })
        .collect();
    (out.status.code().unwrap(), verdicts, lines)
}

#[test]
fn registered_signatures_outlive_their_certificates_and_their_ca() {
    let vault = Vault::new();
    write_config(&vault, &["root-2026.crl", "ca-2026-05.crl"]);
    let names = [
        "good",
        "good-ec",
        "published-late",
        "revoked-after",
        "compromised-before",
        "compromised-after",
        "compromised-undated",
    ];
    let mut ids = BTreeMap::new();
    for name in names {
        let out = register(&vault, name);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let registered = json(&out);
        ids.insert(registered["id"].as_str().unwrap().to_owned(), name);
    }
    // Revoked (May CRL) before the registration: refused, nothing stored.
    let out = register(&vault, "revoked-before");
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("REVOKED_NO_POE"), "{}", stderr(&out));

    // The CA stopped publishing and the operator dropped its lapsed CRLs: the vault's kept
    // evidence is all there is.
    write_config(&vault, &[]);
    for clock in [Y2030, Y2040] {
        let (code, verdicts, lines) = reverify(&vault, clock);
        assert_eq!(code, 0, "{clock}: {verdicts:?}");
        assert_eq!(verdicts.len(), names.len());
        for (id, verdict) in &verdicts {
            assert_eq!(verdict, "TOTAL_PASSED", "{} at {clock}", ids[id]);
        }
        assert!(lines.iter().all(|l| l["changed"] == false));
    }

    // The CA's last CRL (October 2026), lapsed since, is back in the trust store: it lists
    // a revocation before the registration that the May CRL did not know yet, and
    // revocations after it.
    write_config(&vault, &["ca-2026-10.crl"]);
    for clock in [Y2030, Y2040] {
        let (code, verdicts, _) = reverify(&vault, clock);
        assert_eq!(code, 1, "{clock}: {verdicts:?}");
        for (id, verdict) in &verdicts {
            let expected = match ids[id] {
                "published-late" | "compromised-before" | "compromised-undated" => {
                    "TOTAL_FAILED / REVOKED"
                }
                _ => "TOTAL_PASSED",
            };
            assert_eq!(verdict, expected, "{} at {clock}", ids[id]);
        }
    }

    // As new signatures (no proof of existence) in 2040 nothing validates.
    let out = vault.qoima_at(Y2040, &["reverify", "--mode", "now"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
