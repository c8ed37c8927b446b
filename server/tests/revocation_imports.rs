//! Revocation data an operator imports is listed in the record store, so that every node of a
//! vault puts it in force (`docs/revocation.md`): the real `qoima` binary, with the system's
//! clock (the test PKI's CRLs are current from 2026-06-01 to 2027).
//!
//! Two `qoima serve` nodes on one PostgreSQL database and one Ceph S3 bucket (started for this
//! test process by `scripts/postgres/start.sh` and `scripts/ceph-rgw/start.sh`, as in
//! `distributed.rs`): a CRL imported through one node revokes a signer on the other within
//! `shared-cache-seconds` (1 s here), without a restart, and after one. And the list an older
//! build kept in `<data-dir>/revocation-imports` is taken over at the next start; a listed
//! import that no longer passes its checks is left out, and the node still serves.
//!
//! The vaults trust ca-rsa with its April CRL (`ca-rsa-base.crl`), which does not list
//! `revoked-later` (serial 18): its signature passes. ca-rsa's June CRL (`ca-rsa.crl`) lists
//! it: once that is in force, the verdict is INDETERMINATE/REVOKED_NO_POE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

mod common;

use std::time::{Duration, Instant};

use common::backend::Storage;
use common::records::ok;
use common::{Server, Vault, b64, json, key, pki, stderr, stdout};
use serde_json::Value;

/// The trust store and revocation sources of every vault here: no fetching, ca-rsa's April
/// CRL as a file.
const CONFIG: &str = "[trust]\n\
     anchors = [\"pki/root-rsa.cer\"]\n\
     intermediates = [\"pki/ca-rsa.cer\"]\n\
     crls = [\"pki/root-rsa.crl\", \"pki/ca-rsa-base.crl\"]\n\
     \n\
     [revocation]\n\
     fetch = false\n";

/// `vault` with [`CONFIG`] (its `[storage]`, if any, kept).
fn configured(vault: Vault) -> Vault {
    let etc = vault.config.parent().unwrap();
    std::fs::copy(pki("crl/ca-rsa-base.crl"), etc.join("pki/ca-rsa-base.crl")).unwrap();
    vault.write_config(CONFIG);
    vault
}

/// The indication and sub-indication of `/v1/verify` of revoked-later's detached signature.
fn verdict(server: &Server, reader: &str) -> (String, String) {
    let cms = std::fs::read(pki("cms/revoked-later.detached.p7s")).unwrap();
    let doc = std::fs::read(pki("doc-4k.txt")).unwrap();
    let body = serde_json::json!({ "signature": b64(&cms), "content": b64(&doc) });
    let (status, text) =
        server.request(reader, "POST", "/v1/verify", body.to_string().into_bytes());
    assert_eq!(status, 200, "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    (
        report["indication"].as_str().unwrap().to_owned(),
        report["subIndication"].as_str().unwrap_or("-").to_owned(),
    )
}

fn passed() -> (String, String) {
    ("TOTAL_PASSED".to_owned(), "-".to_owned())
}

fn revoked() -> (String, String) {
    ("INDETERMINATE".to_owned(), "REVOKED_NO_POE".to_owned())
}

/// `POST /v1/revocation` of `der` through `server`.
fn import(server: &Server, admin: &str, der: &[u8]) -> (u16, String) {
    let body = serde_json::json!({ "der": b64(der) });
    server.request(
        admin,
        "POST",
        "/v1/revocation",
        body.to_string().into_bytes(),
    )
}

/// The audit log's entries of `kind`, as `qoima audit verify` finds them whole.
fn audit(vault: &Vault) -> Value {
    let verified = json(&vault.qoima(&["audit", "verify", "--json"]));
    assert_eq!(verified["ok"], true, "{verified}");
    verified
}

#[test]
fn a_crl_imported_through_one_node_is_in_force_on_the_other_within_the_bound() {
    let storage = Storage {
        single_node: false,
        ..Storage::new()
    };
    let one = configured(Vault::on_storage(storage.clone()));
    let two = configured(Vault::on_storage(storage.clone()));
    ok(&one.qoima(&["storage", "init", "--owner-url", &storage.owner_url()]));
    let admin = key(&one, "admin");
    let reader = key(&two, "reader");
    let mut servers = [Server::start(&one), Server::start(&two)];
    for server in &servers {
        assert_eq!(verdict(server, &reader), passed());
    }
    let before = audit(&one)["size"].as_u64().unwrap();

    // Through node 1: in force there at once.
    let crl = std::fs::read(pki("crl/ca-rsa.crl")).unwrap();
    let (status, text) = import(&servers[0], &admin, &crl);
    assert_eq!(status, 201, "{text}");
    let imported = Instant::now();
    assert_eq!(verdict(&servers[0], &reader), revoked());
    // Node 2 reads the list again within shared-cache-seconds (1 s), loads the CRL from the
    // bucket, checks it and rebuilds its verifier: no restart.
    loop {
        let seen = verdict(&servers[1], &reader);
        if seen == revoked() {
            break;
        }
        assert_eq!(seen, passed());
        assert!(
            imported.elapsed() < Duration::from_secs(4),
            "node 2 still passed a signer revoked by an import {:?} ago (bound: 1 s)",
            imported.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let in_force_after = imported.elapsed();

    // The same CRL again, through node 2: taken, and listed once (one audit entry in all).
    let (status, text) = import(&servers[1], &admin, &crl);
    assert_eq!(status, 201, "{text}");
    assert_eq!(audit(&two)["size"].as_u64().unwrap(), before + 1);

    // Node 2 restarted: the listed import is in force from its start.
    servers[1] = Server::start(&two);
    assert_eq!(verdict(&servers[1], &reader), revoked());
    assert_eq!(verdict(&servers[0], &reader), revoked());
    drop(servers);
    eprintln!("the import was in force on the other node after {in_force_after:?}");
}

#[test]
fn the_list_of_an_older_build_is_taken_over_at_the_next_start() {
    let vault = configured(Vault::new());
    let reader = key(&vault, "reader");
    // What an older build left: the CRL kept as content, listed in the data directory.
    let crl = std::fs::read(pki("crl/ca-rsa.crl")).unwrap();
    let address = vault.put("ca-rsa.crl", &crl);
    // (On postgres-s3 nothing else is in the data directory yet.)
    std::fs::create_dir_all(&vault.data).unwrap();
    let list = vault.data.join("revocation-imports");
    let taken_over = vault.data.join("revocation-imports.taken-over");
    let line = format!("crl {address}\n");

    // One listed import whose content is missing: the server does not start, and the file
    // stays as it was.
    let missing = "0".repeat(64);
    std::fs::write(&list, format!("{line}crl {missing}\n")).unwrap();
    let out = vault.qoima(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&missing) && stderr(&out).contains("imported"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&list).unwrap(),
        format!("{line}crl {missing}\n")
    );

    std::fs::write(&list, &line).unwrap();
    let before = audit(&vault)["size"].as_u64().unwrap();
    let server = Server::start(&vault);
    assert_eq!(verdict(&server, &reader), revoked());
    drop(server);
    assert!(!list.exists());
    assert_eq!(std::fs::read_to_string(&taken_over).unwrap(), line);
    // Listed in the record store, logged: the next start has it without the file.
    let verified = audit(&vault);
    assert_eq!(verified["size"].as_u64().unwrap(), before + 1, "{verified}");
    let server = Server::start(&vault);
    assert_eq!(verdict(&server, &reader), revoked());
    drop(server);
    // Imported again on the vault: listed already.
    let out = vault.qoima(&["trust", "import", pki("crl/ca-rsa.crl").to_str().unwrap()]);
    assert!(
        stdout(&out).contains("listed already"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // ca-rsa is no longer trusted: the listed CRL fails its checks again at the start. It is
    // left out, and the node serves.
    vault.write_config(
        "[trust]\n\
         anchors = [\"pki/root-rsa.cer\"]\n\
         crls = [\"pki/root-rsa.crl\"]\n\
         \n\
         [revocation]\n\
         fetch = false\n",
    );
    let server = Server::start(&vault);
    let (indication, _) = verdict(&server, &reader);
    assert_ne!(indication, "TOTAL_PASSED");
    assert_eq!(
        server.request(&reader, "GET", "/healthz", Vec::new()).0,
        200
    );
}
