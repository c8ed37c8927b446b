//! `qoima keys` end to end: the real binary on a real vault, and the vault opened by the test
//! afterwards to check that the printed tokens authenticate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::path::Path;
use std::process::{Command, Output, Stdio};

use qoima_vault::keys::{self, ApiKey, Role};
use qoima_vault::storage::rocks::RocksBackend;
use serde_json::Value;

fn qoima(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qoima"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn ok(data_dir: &Path, args: &[&str]) -> String {
    let out = qoima(data_dir, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn exits(data_dir: &Path, args: &[&str], code: i32) -> String {
    let out = qoima(data_dir, args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    assert!(out.stdout.is_empty(), "{args:?}: {}", stdout(&out));
    stderr(&out)
}

/// Authenticates `token` on the vault in `data_dir` (no command runs meanwhile).
fn authenticate(data_dir: &Path, token: &str) -> Option<ApiKey> {
    let backend = RocksBackend::open(&data_dir.join("db")).unwrap();
    keys::authenticate(&backend, token).unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn create_each_role_list_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");

    // The vault is created by the first key; the token alone is printed.
    let mut tokens = Vec::new();
    for role in ["writer", "reader", "auditor", "admin"] {
        let out = ok(&vault, &["keys", "create", "--role", role]);
        assert_eq!(out.lines().count(), 1, "{out}");
        let token = out.trim_end().to_owned();
        assert_eq!(out, format!("{token}\n"));
        assert!(token.starts_with("qk_") && token.len() == 84, "{token}");
        tokens.push((role, token));
    }
    let created = json(&ok(
        &vault,
        &[
            "keys",
            "create",
            "--role",
            "writer",
            "--name",
            "Портал — integration",
            "--bin",
            "123456789012",
            "--require-signed",
            "--json",
        ],
    ));
    let signed_token = created["key"].as_str().unwrap().to_owned();
    let signed_id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["role"], "writer");
    assert_eq!(signed_token[3..19], signed_id);

    for (role, token) in &tokens {
        let key = authenticate(&vault, token).unwrap();
        assert_eq!(key.role, role.parse::<Role>().unwrap());
        assert_eq!((key.name, key.bin, key.require_signed), (None, None, false));
        assert_eq!(key.revoked_at, None);
    }
    let signed = authenticate(&vault, &signed_token).unwrap();
    assert_eq!(signed.id.to_string(), signed_id);
    assert_eq!(signed.name.as_deref(), Some("Портал — integration"));
    assert_eq!(signed.bin.as_deref(), Some("123456789012"));
    assert!(signed.require_signed);

    // The list has every key, and no secret.
    let listed = ok(&vault, &["keys", "list", "--json"]);
    let text = ok(&vault, &["keys", "list"]);
    for (_, token) in tokens.iter().chain([&("", signed_token.clone())]) {
        let secret = &token[20..];
        assert!(!listed.contains(secret) && !text.contains(secret));
        assert!(listed.contains(&token[3..19]) && text.contains(&token[3..19]));
    }
    let listed = json(&listed);
    let entries = listed.as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert!(entries.iter().all(|key| key["revoked"].is_null()));
    let entry = entries
        .iter()
        .find(|key| key["id"] == signed_id.as_str())
        .unwrap();
    assert_eq!(entry["role"], "writer");
    assert_eq!(entry["bin"], "123456789012");
    assert_eq!(entry["name"], "Портал — integration");
    assert_eq!(entry["requireSigned"], true);
    assert!(entry["created"].as_str().unwrap().ends_with('Z'));
    let roles: Vec<&str> = entries
        .iter()
        .map(|key| key["role"].as_str().unwrap())
        .collect();
    let mut sorted = roles.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["admin", "auditor", "reader", "writer", "writer"]);

    // Revoked: it authenticates no more, the others still do; a second revocation fails.
    let (_, reader) = &tokens[1];
    let reader_id = &reader[3..19];
    let out = ok(&vault, &["keys", "revoke", reader_id]);
    assert!(out.contains(reader_id), "{out}");
    assert_eq!(authenticate(&vault, reader), None);
    assert!(authenticate(&vault, &tokens[0].1).is_some());
    let err = exits(&vault, &["keys", "revoke", reader_id], 1);
    assert!(err.contains("already revoked"), "{err}");
    let listed = json(&ok(&vault, &["keys", "list", "--json"]));
    let revoked: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|key| !key["revoked"].is_null())
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["id"], reader_id);
    assert!(ok(&vault, &["keys", "list"]).contains("revoked"));
}

#[test]
fn bad_arguments_and_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");

    // A missing vault: list and revoke are usage errors, and nothing is created.
    let err = exits(&vault, &["keys", "list"], 64);
    assert!(err.contains("no vault in"), "{err}");
    exits(&vault, &["keys", "revoke", "0123456789abcdef"], 64);
    assert!(!vault.exists());

    // Bad roles, names and BINs are refused before the vault is created.
    let long = "n".repeat(101);
    let bad: [&[&str]; 10] = [
        &["keys", "create"],
        &["keys", "create", "--role", "root"],
        &["keys", "create", "--role", "Admin"],
        &["keys", "create", "--role", "reader", "--name", ""],
        &["keys", "create", "--role", "reader", "--name", "two\nlines"],
        &["keys", "create", "--role", "reader", "--name", &long],
        &["keys", "create", "--role", "reader", "--bin", "12345"],
        &[
            "keys",
            "create",
            "--role",
            "reader",
            "--bin",
            "12345678901x",
        ],
        &["keys", "create", "--role", "writer", "--require-signed"],
        &["keys", "frobnicate"],
    ];
    for args in bad {
        exits(&vault, args, 64);
    }
    assert!(!vault.exists());

    ok(&vault, &["keys", "create", "--role", "admin"]);
    // Unknown ids fail; malformed ones are usage errors.
    let err = exits(&vault, &["keys", "revoke", "0123456789abcdef"], 1);
    assert!(err.contains("no API key 0123456789abcdef"), "{err}");
    for id in ["0123456789ABCDEF", "0123", "qk_0123456789abcdef"] {
        exits(&vault, &["keys", "revoke", id], 64);
    }
    exits(&vault, &["keys", "revoke"], 64);
    // A token is not an id either, and bad tokens do not authenticate.
    assert_eq!(authenticate(&vault, "qk_0123456789abcdef_00"), None);
    assert_eq!(authenticate(&vault, ""), None);
}
