//! The HTTP API end to end: the real `qoima serve` on a loopback port, hyper's client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use common::{Vault, json, pdf, pki, stderr};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// `qoima serve` on a free loopback port; stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    url: String,
}

/// A new API key of `role` (before the server starts: it holds the vault's lock).
fn key(vault: &Vault, role: &str) -> String {
    let out = vault.qoima(&["keys", "create", "--role", role]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl Server {
    fn start(vault: &Vault) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qoima"))
            .arg("--data-dir")
            .arg(&vault.data)
            .arg("--config")
            .arg(&vault.config)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Self { child, url }
    }

    fn request(&self, key: &str, method: &str, path: &str, body: Vec<u8>) -> (u16, String) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
            let request = hyper::Request::builder()
                .method(method)
                .uri(format!("{}{path}", self.url))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {key}"))
                .body(Full::new(Bytes::from(body)))
                .unwrap();
            let response = client.request(request).await.unwrap();
            let status = response.status().as_u16();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8(bytes.to_vec()).unwrap())
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn verify_returns_the_report() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = Server::start(&vault);
    let cms = std::fs::read(pki("cms/individual.detached.p7s")).unwrap();
    let doc = std::fs::read(pki("doc-4k.txt")).unwrap();
    let body = serde_json::json!({
        "signature": b64(&cms),
        "content": b64(&doc),
        "at": "2026-06-15T12:00:00Z",
    });
    let (status, text) =
        server.request(&reader, "POST", "/v1/verify", body.to_string().into_bytes());
    assert_eq!(status, 200, "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["indication"], "TOTAL_PASSED");
    assert_eq!(report["signers"][0]["identity"]["iin"], "850315300128");

    // By digest, with a wrong owner.
    let digest = hex::encode(qoima_vault::ContentAddress::of(&doc).as_bytes());
    let body = serde_json::json!({
        "signature": b64(&cms), "sha256": digest, "at": "2026-06-15T12:00:00Z",
        "expectIin": "920202500111",
    });
    let (status, text) =
        server.request(&reader, "POST", "/v1/verify", body.to_string().into_bytes());
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["subIndication"],
        "NOT_OWNER"
    );

    // Bad input: malformed JSON, unknown field, bad base64, content and digest, wrong method.
    for (body, status) in [
        (b"{not json".to_vec(), 400),
        (br#"{"signature":"AA==","colour":1}"#.to_vec(), 400),
        (br#"{"signature":"***"}"#.to_vec(), 422),
        (
            format!(r#"{{"signature":"AA==","content":"AA==","sha256":"{digest}"}}"#).into_bytes(),
            422,
        ),
    ] {
        let (got, text) = server.request(&reader, "POST", "/v1/verify", body);
        assert_eq!(got, status, "{text}");
        assert!(text.contains("\"detail\""), "{text}");
    }
    assert_eq!(
        server.request(&reader, "GET", "/v1/verify", Vec::new()).0,
        405
    );
}

#[test]
fn documents_and_checkpoints() {
    let vault = Vault::new();
    let registered = vault.register("a.pdf", &pdf(1), "individual", &[]);
    assert_eq!(registered.status.code(), Some(0), "{}", stderr(&registered));
    let id = json(&registered)["id"].as_str().unwrap().to_owned();
    let reader = key(&vault, "reader");
    let auditor = key(&vault, "auditor");
    let server = Server::start(&vault);

    let (status, text) = server.request(&reader, "GET", &format!("/v1/documents/{id}"), Vec::new());
    assert_eq!(status, 200, "{text}");
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["id"], id.as_str());
    assert_eq!(
        document["current"]["registrationNumber"],
        "default-2026-000001"
    );

    for path in [
        "/v1/documents/0123456789abcdef0123456789abcdef".to_owned(),
        "/v1/documents/..%2F..%2Fetc%2Fpasswd".to_owned(),
        format!("/v1/documents/{}", id.to_uppercase()),
    ] {
        let (status, text) = server.request(&reader, "GET", &path, Vec::new());
        assert_eq!(status, 404, "{path}: {text}");
    }

    // Checkpoints are for auditors; an auditor's read is in the log before it is served.
    assert_eq!(
        server
            .request(&reader, "GET", "/v1/audit/checkpoint", Vec::new())
            .0,
        403
    );
    let size = |note: &str| note.lines().nth(1).unwrap().parse::<u64>().unwrap();
    let (status, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(status, 200, "{note}");
    assert!(note.lines().next().unwrap().starts_with("qoima/"), "{note}");
    assert_eq!(size(&note), 1);
    assert!(note.contains("\n\n— qoima/"), "{note}");
    let (status, _) = server.request(&auditor, "GET", &format!("/v1/documents/{id}"), Vec::new());
    assert_eq!(status, 200);
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(size(&note), 2, "the auditor's read is logged");
    // A reader's read is not an audit event.
    server.request(&reader, "GET", &format!("/v1/documents/{id}"), Vec::new());
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(size(&note), 2);

    // No key, an unknown key, a malformed header: 401.
    for key in ["", "qk_0000000000000000_00", "not a key"] {
        let (status, text) = server.request(key, "GET", &format!("/v1/documents/{id}"), Vec::new());
        assert_eq!(status, 401, "{key:?}: {text}");
    }
    // /healthz needs none; an unknown route is 404 with or without a key.
    assert_eq!(server.request("", "GET", "/healthz", Vec::new()).0, 200);
    assert_eq!(server.request("", "GET", "/v1/nothing", Vec::new()).0, 404);
}
