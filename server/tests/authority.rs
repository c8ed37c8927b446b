//! Who may do what, end to end with the real binary: a registration names its sender, a key
//! bound to a BIN and a participant registers only for them, a hold is released only by the
//! authority that placed it, and a disposal cannot be dated before what the audit log holds
//! (`docs/rules.md`, authorship and holds).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{
    INDIVIDUAL_IIN, Server, Vault, assert_error, b64, json, key, pdf, pki, stderr, stdout,
};
use qoima_verifier::testing::sign_detached;
use serde_json::{Value, json};

/// The BIN on the test PKI's `head` and `employee` certificates.
const TEST_BIN: &str = "240140001238";
/// A BIN on no certificate of the test PKI.
const OTHER_BIN: &str = "150340004568";

/// A key of `role` bound to `bin` (and `participant`), created before the server starts.
fn bound_key(vault: &Vault, role: &str, bin: &str, participant: Option<&str>) -> String {
    let mut args = vec!["keys", "create", "--role", role, "--bin", bin];
    if let Some(participant) = participant {
        args.extend_from_slice(&["--participant", participant]);
    }
    let out = vault.qoima(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// `POST` of `body` as JSON: the status and the answer as JSON.
fn post(server: &Server, key: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, text) = server.request(key, "POST", path, body.to_string().into_bytes());
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A registration of stored `content` signed by `signer` (a PKI name), with `extra` fields.
fn registration(vault: &Vault, n: u32, signer: &str, extra: Value) -> Value {
    let content = pdf(n);
    let address = vault.put(&format!("doc{n}.pdf"), &content);
    let certificate = std::fs::read(pki(&format!("certs/{signer}.cer"))).unwrap();
    let key = std::fs::read_to_string(pki(&format!("keys/{signer}.key.pem"))).unwrap();
    let mut body = json!({
        "sha256": address,
        "signatures": [b64(&sign_detached(&certificate, &key, &content))],
        "class": "project-documentation",
        "participant": "acme",
    });
    for (field, value) in extra.as_object().unwrap() {
        body[field] = value.clone();
    }
    body
}

#[test]
fn a_registration_names_its_sender() {
    let vault = Vault::new();
    let (file, sig) = vault.signed("doc.pdf", &pdf(1), "individual");
    let register = |vault: &Vault| {
        vault.qoima(&[
            "doc",
            "register",
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            "project-documentation",
            "--at",
            common::AT,
            "--json",
        ])
    };
    assert_error(&register(&vault), 64, &["names its sender"]);
    // Nothing was registered.
    let out = vault.qoima(&["audit", "checkpoint", "--json"]);
    assert_eq!(json(&out)["size"], 0, "{}", stdout(&out));

    // A class the configuration names as one whose sender is not known in advance.
    let open =
        Vault::with_config_tail("\n[registration]\nsender-unknown = [\"project-documentation\"]\n");
    let out = register(&open);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let registered = json(&out);
    assert_eq!(registered["senderUnknown"], true, "{registered}");
    assert_eq!(registered["submittedBy"], "operator", "{registered}");
}

#[test]
fn a_key_bound_to_a_bin_and_a_participant_registers_only_for_them() {
    let vault = Vault::new();
    let bound = bound_key(&vault, "writer", TEST_BIN, Some("acme"));
    // Bodies made before the server holds the vault.
    let other_bin = registration(&vault, 1, "head", json!({ "expectBin": OTHER_BIN }));
    let other_participant = registration(&vault, 2, "head", json!({ "participant": "globex" }));
    let not_of_the_bin = registration(&vault, 3, "individual", json!({}));
    let of_the_bin = registration(&vault, 4, "head", json!({}));
    let unnamed = registration(&vault, 5, "individual", json!({}));
    let plain = key(&vault, "writer");
    let server = Server::start(&vault);

    let (status, problem) = post(&server, &bound, "/v1/documents", &other_bin);
    assert_eq!(status, 403, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains(TEST_BIN),
        "{problem}"
    );
    let (status, problem) = post(&server, &bound, "/v1/documents", &other_participant);
    assert_eq!(status, 403, "{problem}");
    // Its BIN is the sender when the request names none: a signer without it is NOT_OWNER.
    let (status, problem) = post(&server, &bound, "/v1/documents", &not_of_the_bin);
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["verdict"].as_str().unwrap().contains("NOT_OWNER"),
        "{problem}"
    );
    let (status, registered) = post(&server, &bound, "/v1/documents", &of_the_bin);
    assert_eq!(status, 201, "{registered}");
    assert!(
        registered["submittedBy"]
            .as_str()
            .unwrap()
            .starts_with("api key "),
        "{registered}"
    );
    // An unbound key must name the sender itself.
    let (status, problem) = post(&server, &plain, "/v1/documents", &unnamed);
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("names its sender")
    );
    let mut named = unnamed.clone();
    named["expectIin"] = json!(INDIVIDUAL_IIN);
    let (status, registered) = post(&server, &plain, "/v1/documents", &named);
    assert_eq!(status, 201, "{registered}");
}

#[test]
fn a_hold_is_released_only_by_a_key_of_its_authority() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    let prosecutor = bound_key(&vault, "auditor", TEST_BIN, None);
    let colleague = bound_key(&vault, "auditor", TEST_BIN, None);
    let stranger = bound_key(&vault, "auditor", OTHER_BIN, None);
    let unbound = key(&vault, "auditor");
    let server = Server::start(&vault);
    let path = format!("/v1/documents/{id}/holds");

    let (status, placed) = post(&server, &prosecutor, &path, &json!({ "reason": "case 7" }));
    assert_eq!(status, 201, "{placed}");
    let release = json!({ "reason": "closed", "hold": placed["hold"] }).to_string();
    for other in [&stranger, &unbound] {
        let (status, text) = server.request(other, "DELETE", &path, release.clone().into_bytes());
        assert_eq!(status, 403, "{text}");
        assert!(text.contains("only that authority"), "{text}");
    }
    let document = server.get_json(&prosecutor, &format!("/v1/documents/{id}"));
    assert_eq!(document["holds"][0]["authority"], TEST_BIN, "{document}");
    let (status, text) = server.request(&colleague, "DELETE", &path, release.into_bytes());
    assert_eq!(status, 200, "{text}");
}

#[test]
fn a_disposal_cannot_be_dated_before_the_logs_last_entry() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let vault = Vault::new();
    // Kept 3 years (order 670 §23): until 2029-06-16.
    let out = vault.register_class(
        "app.pdf",
        &pdf(1),
        "individual",
        "expertise-application",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = json(&out)["id"].as_str().unwrap().to_owned();
    // An auditor reads it in 2031, by the vault's clock then.
    let out = vault.qoima_at(
        "2031-01-01T00:00:00Z",
        &["doc", "show", &id, "--auditor", "Auditor A"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A disposal dated 2030, after the retention but before that entry: a clock set back.
    let act = vault.disposal_act(&id, "retention ended");
    let delete = |at: &str| {
        vault.qoima_at(
            "2031-01-01T00:00:00Z",
            &[
                "doc",
                "delete",
                &id,
                "--at",
                at,
                "--reason",
                "retention ended",
                "--act",
                &act,
                "--by",
                "Records office",
            ],
        )
    };
    assert_error(
        &delete("2030-06-01T00:00:00Z"),
        64,
        &["before the audit log's last entry"],
    );
    let out = delete("2031-01-01T00:00:00Z");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
