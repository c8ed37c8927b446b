//! `qoima verify --batch MANIFEST` end to end on the generated PKI: each result line has the
//! verdict a single `qoima verify` of that manifest line gives, in manifest order, whatever the
//! number of jobs; unreadable lines are reported, not fatal; JSON lines and CSV; the exit status
//! says the worst.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::verify_at;
use serde_json::{Value, json};

const AT: &str = "2026-06-15T12:00:00Z";

/// A PKI file's path, as text.
fn pki(file: &str) -> String {
    common::pki(file).to_str().unwrap().to_owned()
}

/// `qoima verify` with the test PKI's trust store at `AT`, then `extra`.
fn verify(extra: &[&str]) -> Output {
    verify_at(AT, extra)
}

fn sha256_hex(bytes: &[u8]) -> String {
    qoima_vault::ContentAddress::of(bytes).to_string()
}

/// A manifest in `dir`: the lines of the test, and `doc.txt` and `individual.p7s` copied beside
/// it (to be named by relative paths).
fn manifest(dir: &Path) -> (PathBuf, Vec<String>) {
    let doc = std::fs::read(pki("doc-4k.txt")).unwrap();
    std::fs::write(dir.join("doc.txt"), &doc).unwrap();
    std::fs::copy(
        pki("cms/individual.detached.p7s"),
        dir.join("individual.p7s"),
    )
    .unwrap();
    let lines = vec![
        json!({ "id": "relative", "sig": "individual.p7s", "data": "doc.txt" }).to_string(),
        json!({ "sig": pki("cms/revoked.detached.p7s"), "data": "doc.txt" }).to_string(),
        json!({
            "id": "someone else",
            "sig": "individual.p7s",
            "data": "doc.txt",
            "expectIin": "920202500111",
        })
        .to_string(),
        json!({ "id": 7, "sig": "individual.p7s", "sha256": sha256_hex(&doc) }).to_string(),
        String::new(),
        json!({ "id": "missing", "sig": "nowhere.p7s", "data": "doc.txt" }).to_string(),
        "not json".to_owned(),
        json!({ "sig": pki("cms/head.attached.p7s"), "expectBin": "240140001238" }).to_string(),
        json!({ "sig": "individual.p7s", "data": "doc.txt", "at": "2030-01-01T00:00:00Z" })
            .to_string(),
    ];
    let path = dir.join("manifest.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    (path, lines)
}

/// The single `qoima verify --json` of manifest line `entry`: its indication and
/// sub-indication.
fn single(dir: &Path, entry: &Value) -> (Value, Value) {
    let path = |field: &str| {
        let named = entry[field].as_str().unwrap();
        dir.join(named).to_str().unwrap().to_owned()
    };
    let mut args = vec!["--json".to_owned(), "--sig".to_owned(), path("sig")];
    if entry.get("data").is_some() {
        args.extend(["--data".to_owned(), path("data")]);
    }
    // A single verify takes the content itself, not its SHA-256.
    if entry.get("sha256").is_some() {
        let doc = dir.join("doc.txt");
        args.extend(["--data".to_owned(), doc.to_str().unwrap().to_owned()]);
    }
    for (field, flag) in [("expectIin", "--expect-iin"), ("expectBin", "--expect-bin")] {
        if let Some(value) = entry[field].as_str() {
            args.extend([flag.to_owned(), value.to_owned()]);
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = verify_at(entry["at"].as_str().unwrap_or(AT), &refs);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        report["indication"].clone(),
        report["subIndication"].clone(),
    )
}

#[test]
fn every_line_gets_the_verdict_of_a_single_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (path, lines) = manifest(dir.path());
    let out = verify(&["--batch", path.to_str().unwrap()]);
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    // A failed signature (NOT_OWNER) is among them: exit 1.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let results: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One result per entry, the blank line skipped, in manifest order.
    let numbers: Vec<u64> = results
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 6, 7, 8, 9]);
    assert_eq!(results[0]["id"], "relative");
    assert_eq!(results[1]["id"], 2, "the line number without an id");
    assert_eq!(results[3]["id"], 7);
    for result in &results {
        let line = &lines[result["line"].as_u64().unwrap() as usize - 1];
        let entry: Value = match serde_json::from_str(line) {
            Ok(entry) => entry,
            Err(_) => {
                assert!(
                    result["error"]
                        .as_str()
                        .unwrap()
                        .contains("not a manifest entry")
                );
                continue;
            }
        };
        if entry["id"] == "missing" {
            assert!(result["indication"].is_null(), "{result}");
            assert!(
                result["error"].as_str().unwrap().contains("nowhere.p7s"),
                "{result}"
            );
            continue;
        }
        let (indication, sub) = single(dir.path(), &entry);
        assert_eq!(result["indication"], indication, "{line}: {result}");
        assert_eq!(result["subIndication"], sub, "{line}: {result}");
    }
    assert_eq!(results[0]["indication"], "TOTAL_PASSED");
    assert_eq!(results[0]["signers"][0]["iin"], "850315300128");
    assert_eq!(results[2]["subIndication"], "NOT_OWNER");
    assert_eq!(results[3]["indication"], "TOTAL_PASSED", "by its SHA-256");
    assert_eq!(results[6]["signers"][0]["bin"], "240140001238");
    // The summary counts them.
    assert!(stderr.contains("verified 8 signature(s)"), "{stderr}");
    assert!(stderr.contains("TOTAL_FAILED / NOT_OWNER: 1"), "{stderr}");
    assert!(
        stderr.contains("not verified (unreadable entry): 2"),
        "{stderr}"
    );
}

#[test]
fn jobs_csv_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = manifest(dir.path());
    let manifest = path.to_str().unwrap();
    let one = verify(&["--batch", manifest, "--jobs", "1"]);
    let four = verify(&["--batch", manifest, "--jobs", "4"]);
    assert_eq!(
        one.stdout, four.stdout,
        "the same results in the same order"
    );

    let csv = dir.path().join("results.csv");
    let out = verify(&[
        "--batch",
        manifest,
        "--format",
        "csv",
        "--output",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "id,line,indication,subIndication,signers,error");
    assert_eq!(rows.len(), 9, "{text}");
    assert!(rows[1].starts_with("relative,1,TOTAL_PASSED,,850315300128 TOTAL_PASSED,"));
    assert!(
        rows[3].starts_with("someone else,3,TOTAL_FAILED,NOT_OWNER,"),
        "{text}"
    );
    assert!(rows[6].starts_with("7,7,,,,not a manifest entry"), "{text}");

    // Only passed signatures: 0; an indeterminate one and none failed: 2.
    let only = |dir: &Path, lines: &[Value]| {
        let path = dir.join("m.jsonl");
        let text: Vec<String> = lines.iter().map(Value::to_string).collect();
        std::fs::write(&path, text.join("\n")).unwrap();
        verify(&["--batch", path.to_str().unwrap()]).status.code()
    };
    let good = json!({ "sig": "individual.p7s", "data": "doc.txt" });
    assert_eq!(only(dir.path(), &[good.clone(), good.clone()]), Some(0));
    let revoked = json!({ "sig": pki("cms/revoked.detached.p7s"), "data": "doc.txt" });
    assert_eq!(only(dir.path(), &[good.clone(), revoked]), Some(2));
    let missing = json!({ "sig": "nowhere.p7s" });
    assert_eq!(only(dir.path(), &[good, missing]), Some(2));
    // An empty manifest: nothing to verify, nothing failed.
    assert_eq!(only(dir.path(), &[]), Some(0));

    // Bad usage: a manifest that cannot be read, --batch with --sig, --jobs without --batch.
    assert_eq!(
        verify(&["--batch", "/nonexistent/m.jsonl"]).status.code(),
        Some(64)
    );
    let sig = pki("cms/individual.detached.p7s");
    assert_eq!(
        verify(&["--batch", manifest, "--sig", &sig]).status.code(),
        Some(64)
    );
    assert_eq!(
        verify(&["--sig", &sig, "--jobs", "2"]).status.code(),
        Some(64)
    );
}
