//! Signed requests (`docs/api.md`): a key created with `--bin BIN --require-signed` sends
//! `POST /v1/documents` as a CMS SignedData carrying the request it authorises, signed by a
//! signer of that BIN. What `signed.rs` and the distributed tests build them with.

use qoima_verifier::testing::{pki, sign_attached_at};
use serde_json::Value;

use super::{Server, Vault, registration_by, stderr, stdout};

/// The BIN on the test PKI's head certificate (`verifier/testdata/pki/identities.txt`).
pub const HEAD_BIN: &str = "240140001238";
/// The IIN on the same certificate.
pub const HEAD_IIN: &str = "791122405066";
/// The `Content-Type` of a signed request.
pub const ENVELOPE: &str = "application/pkcs7-mime; smime-type=signed-data";

/// The arguments of `qoima keys create` for a writer key of the head's organisation that
/// requires signed requests (`--json` may follow).
pub const SIGNED_KEY: [&str; 7] = [
    "keys",
    "create",
    "--role",
    "writer",
    "--bin",
    HEAD_BIN,
    "--require-signed",
];

/// A writer key of `vault` for the head's organisation that requires signed requests.
pub fn signed_key(vault: &Vault) -> String {
    let out = vault.qoima(&SIGNED_KEY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// A registration of `content` signed by the head, of the key's BIN: what a key bound to that
/// BIN may register.
pub fn head_registration(address: &str, content: &[u8]) -> Vec<u8> {
    registration_by(address, content, pki::HEAD, pki::HEAD_KEY, HEAD_IIN)
}

/// What a signed request's envelope carries: the method, the path and the JSON `body` it
/// authorises.
pub fn authorising(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let body: Value = serde_json::from_slice(body).unwrap();
    serde_json::json!({ "method": method, "path": path, "body": body })
        .to_string()
        .into_bytes()
}

/// `POST /v1/documents` of `body`, authorised in an attached CMS signed at `at` (unix seconds)
/// by `certificate`'s holder.
pub fn envelope_at(certificate: &[u8], key_pem: &str, body: &[u8], at: i64) -> Vec<u8> {
    let content = authorising("POST", "/v1/documents", body);
    sign_attached_at(certificate, key_pem, &content, at)
}

/// The same, signed now.
pub fn envelope(certificate: &[u8], key_pem: &str, body: &[u8]) -> Vec<u8> {
    envelope_at(
        certificate,
        key_pem,
        body,
        jiff::Timestamp::now().as_second(),
    )
}

/// `POST /v1/documents` with this `Content-Type`: the status and the body as JSON.
pub fn post(server: &Server, key: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let headers = [("content-type", content_type)];
    let (status, _, bytes) = server.send(key, "POST", "/v1/documents", &headers, body);
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}
