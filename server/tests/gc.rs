//! `qoima gc` end to end: content that no record references is removed once its grace period
//! has passed, logged in the audit log; registered content and the configured CRLs stay. The
//! clock is moved by libfaketime. The server runs the same collection at start and every
//! `gc-interval-hours`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{
    INDIVIDUAL_IIN, Server, Vault, assert_error, b64, faketime_spec, json, key, libfaketime, pdf,
    stderr,
};
use qoima_vault::ContentAddress;

/// When the loose content is put (later than any real clock running these tests).
const PUT_AT: &str = "2030-01-01T00:00:00Z";

fn gc_at(vault: &Vault, clock: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["gc", "--json"];
    args.extend_from_slice(extra);
    let out = vault.qoima_at(clock, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)
}

fn removed(collection: &serde_json::Value) -> Vec<String> {
    collection["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["sha256"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn gc_removes_unreferenced_content_after_its_grace_period_and_logs_it() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let vault = Vault::new();
    let registered = vault.register_ok(1, &[]);
    let registered = registered["address"].as_str().unwrap().to_owned();
    let file = vault.dir.path().join("loose.bin");
    std::fs::write(&file, b"put by its SHA-256, never registered").unwrap();
    let out = vault.qoima_at(PUT_AT, &["put", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let loose = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(
        loose,
        ContentAddress::of(b"put by its SHA-256, never registered").to_string()
    );
    assert_ne!(loose, ContentAddress::of(&pdf(1)).to_string());

    // Within the default week, and within a longer grace given on the command line: kept.
    let kept = gc_at(&vault, "2030-01-07T00:00:00Z", &[]);
    assert_eq!(removed(&kept), Vec::<String>::new());
    assert_eq!(kept["withinGrace"], 1);
    assert_eq!(kept["collection"], serde_json::Value::Null);
    let kept = gc_at(&vault, "2030-01-09T00:00:00Z", &["--grace", "30d"]);
    assert_eq!(removed(&kept), Vec::<String>::new());

    // After it: removed, logged, and gone for `get`; the registered document's content stays.
    let collected = gc_at(&vault, "2030-01-09T00:00:00Z", &[]);
    assert_eq!(removed(&collected), std::slice::from_ref(&loose));
    assert_eq!(collected["collection"], 1);
    assert_eq!(collected["removed"][0]["putAt"], "2030-01-01T00:00:00Z");
    assert!(collected["chunks"].as_u64().unwrap() >= 1);
    assert_error(&vault.qoima(&["get", &loose]), 1, &["no content"]);
    let out = vault.qoima(&["get", &registered]);
    assert_eq!(out.stdout, pdf(1), "{}", stderr(&out));
    let verified = vault.qoima(&["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));

    // A second run finds nothing; a bad duration is bad usage and changes nothing.
    let again = gc_at(&vault, "2030-01-10T00:00:00Z", &[]);
    assert_eq!(removed(&again), Vec::<String>::new());
    assert_error(
        &vault.qoima(&["gc", "--grace", "a week"]),
        64,
        &["not a duration"],
    );
    let out = vault.qoima(&["get", &registered]);
    assert_eq!(out.stdout, pdf(1));
}

#[test]
fn the_server_collects_unreferenced_content_at_start_and_logs_it() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let content = b"put by its SHA-256, registered too late".to_vec();
    let file = vault.dir.path().join("late.bin");
    std::fs::write(&file, &content).unwrap();
    let out = vault.qoima_at(PUT_AT, &["put", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let address = ContentAddress::of(&content).to_string();

    // Eight days later: the server's first collection removes it and logs one entry.
    let faketime = faketime_spec("2030-01-09T00:00:00Z");
    let preload = libfaketime();
    let server = Server::start_with_env(
        &vault,
        &[
            ("LD_PRELOAD", preload.to_str().unwrap()),
            ("FAKETIME", &faketime),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
            ("TZ", "UTC"),
        ],
    );
    let size = || {
        let (status, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", vec![]);
        assert_eq!(status, 200, "{note}");
        note.lines().nth(1).unwrap().parse::<u64>().unwrap()
    };
    // The two keys' creations, then the collection (on the blocking pool, so it is awaited:
    // the loop ends when the entry is there, and only a server that never collects fails).
    let mut waited = 0;
    while size() < 3 {
        assert!(waited < 600, "no collection was logged within 60 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(size(), 3);
    let body = serde_json::json!({
        "sha256": address,
        "signatures": [b64(b"not even a signature")],
        "class": "project-documentation",
        "participant": "acme",
        "expectIin": INDIVIDUAL_IIN,
    });
    let (status, problem) = server.request(
        &writer,
        "POST",
        "/v1/documents",
        body.to_string().into_bytes(),
    );
    assert_eq!(status, 404, "{problem}");
    assert!(problem.contains("no content stored"), "{problem}");
    drop(server);
    let verified = vault.qoima(&["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
}
