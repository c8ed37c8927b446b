//! `qoima locks renew` end to end on the vault the command line opens (RocksDB): the storage
//! keeps no locks of its own, so there is nothing to lock, and nothing is changed. The
//! maintenance itself is tested on the Ceph S3 gateway at the registry's level
//! (`vault/src/registry/locks/tests.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{Vault, json, stderr, stdout};

#[test]
fn locks_renew_on_rocksdb_says_there_is_nothing_to_lock() {
    let vault = Vault::new();
    vault.register_ok(1, &[]);
    let out = vault.qoima(&["locks", "renew"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing to lock"), "{}", stdout(&out));
    let out = vault.qoima(&["locks", "renew", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out), serde_json::json!({ "locks": false }));
    // The records are as they were: the audit log holds the registration alone.
    let out = vault.qoima(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
