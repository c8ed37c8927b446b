//! `qoima keys` end to end: the real binary on a real vault, and the vault opened by the test
//! afterwards to check that the printed tokens authenticate and that the audit log names who
//! made and revoked each key. The keys routes of the HTTP API are held to the same log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use qoima_vault::audit::log::AuditLog;
use qoima_vault::keys::{self, ApiKey, Role};
use qoima_vault::storage::MetaStore;
use qoima_vault::storage::postgres::{PostgresMeta, PostgresOptions};
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

/// Kind, subject, version and actor of every audit entry of the vault in `data_dir` (no command
/// runs meanwhile).
fn audit_entries(data_dir: &Path) -> Vec<[String; 4]> {
    let backend = RocksBackend::open(&data_dir.join("db")).unwrap();
    entries_of(&backend)
}

/// The same, of `vault` on the backend of the run (its records in PostgreSQL on `postgres-s3`).
fn vault_audit_entries(vault: &common::Vault) -> Vec<[String; 4]> {
    match &vault.storage {
        None => audit_entries(&vault.data),
        Some(storage) => {
            let options = PostgresOptions::default();
            entries_of(&PostgresMeta::connect(&storage.url(), &options).unwrap())
        }
    }
}

fn entries_of<S: MetaStore>(store: &S) -> Vec<[String; 4]> {
    let log = AuditLog::open(store).unwrap();
    (0..log.size())
        .map(|index| {
            let entry = String::from_utf8(log.entry(index).unwrap()).unwrap();
            let lines: Vec<&str> = entry.lines().collect();
            [lines[1], lines[3], lines[4], lines[5]].map(str::to_owned)
        })
        .collect()
}

fn entry(kind: &str, id: &str, actor: &str) -> [String; 4] {
    [kind, &format!("key:{id}"), "0", actor].map(str::to_owned)
}

#[test]
fn keys_bound_to_a_bin_and_a_participant_and_their_audit_entries() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");

    // A participant that is not one is refused before the vault is created.
    for bad in ["", "a/b", " ACME", "two\nlines", &"п".repeat(65)] {
        let args = ["keys", "create", "--role", "writer", "--participant", bad];
        let err = exits(&vault, &args, 64);
        assert!(err.contains("--participant"), "{bad:?}: {err}");
    }
    let err = exits(
        &vault,
        &["keys", "create", "--role", "writer", "--by", ""],
        64,
    );
    assert!(err.contains("--by"), "{err}");
    assert!(!vault.exists());

    let created = json(&ok(
        &vault,
        &[
            "keys",
            "create",
            "--role",
            "writer",
            "--bin",
            "240140001238",
            "--participant",
            "ТОО Құрылыс",
            "--require-signed",
            "--by",
            "Operator A",
            "--json",
        ],
    ));
    let bound = created["id"].as_str().unwrap().to_owned();
    let token = created["key"].as_str().unwrap();
    let unbound = ok(&vault, &["keys", "create", "--role", "reader"]);
    let unbound = unbound.trim()[3..19].to_owned();

    let key = authenticate(&vault, token).unwrap();
    assert_eq!(key.bin.as_deref(), Some("240140001238"));
    assert_eq!(
        key.participant.as_ref().map(|p| p.as_str()),
        Some("ТОО Құрылыс")
    );
    let text = ok(&vault, &["keys", "list"]);
    let line = text.lines().find(|l| l.starts_with(&bound)).unwrap();
    assert!(
        line.contains("BIN 240140001238") && line.contains("participant ТОО Құрылыс"),
        "{line}"
    );
    let line = text.lines().find(|l| l.starts_with(&unbound)).unwrap();
    assert!(!line.contains("participant"), "{line}");
    let listed = json(&ok(&vault, &["keys", "list", "--json"]));
    let of = |id: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(of(&bound)["participant"], "ТОО Құрылыс");
    assert_eq!(of(&bound)["bin"], "240140001238");
    assert!(of(&unbound)["participant"].is_null());

    ok(
        &vault,
        &["keys", "revoke", &bound, "--by", "Security officer"],
    );
    // A refused revocation logs nothing.
    exits(&vault, &["keys", "revoke", &bound], 1);
    assert_eq!(
        audit_entries(&vault),
        [
            entry("key-created", &bound, "Operator A"),
            entry("key-created", &unbound, "operator"),
            entry("key-revoked", &bound, "Security officer"),
        ]
    );
    let verified = json(&ok(&vault, &["audit", "verify", "--json"]));
    assert_eq!(verified["size"], 3);
    assert_eq!(verified["versionRecords"], 3);
}

#[test]
fn keys_made_and_revoked_over_http_are_logged_as_the_admin_key() {
    let vault = common::Vault::new();
    let admin = common::key(&vault, "admin");
    let admin_id = admin[3..19].to_owned();
    let server = common::Server::start(&vault);
    let post = |body: Value| {
        let (status, text) =
            server.request(&admin, "POST", "/v1/keys", body.to_string().into_bytes());
        (status, json(&text))
    };

    // A participant that is not one: 422 naming it and the problem, nothing logged.
    let long = "п".repeat(65);
    for (bad, problem) in [
        ("a/b", "'/'"),
        ("", "empty"),
        (" ACME", "white space"),
        ("tab\there", "control character"),
        (long.as_str(), "at most 64"),
    ] {
        let (status, answer) = post(serde_json::json!({"role": "writer", "participant": bad}));
        assert_eq!(status, 422, "{bad:?}: {answer}");
        let detail = answer["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("participant") && detail.contains(problem),
            "{bad:?}: {answer}"
        );
    }
    let (status, _) = post(serde_json::json!({"role": "writer", "participant": 7}));
    assert_eq!(status, 400);

    let (status, created) = post(serde_json::json!({
        "role": "writer",
        "bin": "240140001238",
        "participant": "ACME",
    }));
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let listed = server.get_json(&admin, "/v1/keys");
    let key = listed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap();
    assert_eq!(key["participant"], "ACME");
    assert_eq!(key["bin"], "240140001238");
    let path = format!("/v1/keys/{id}");
    assert_eq!(server.request(&admin, "DELETE", &path, vec![]).0, 200);
    assert_eq!(server.request(&admin, "DELETE", &path, vec![]).0, 410);
    drop(server);

    let by_admin = format!("api key {admin_id}");
    assert_eq!(
        vault_audit_entries(&vault),
        [
            entry("key-created", &admin_id, "operator"),
            entry("key-created", &id, &by_admin),
            entry("key-revoked", &id, &by_admin),
        ]
    );
    let out = vault.qoima(&["audit", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&stdout(&out))["size"], 3);
}
