//! A registration from a tus upload is checked against the staged bytes before they enter the
//! content store: a refused one (a bad signature, another sender, a format the class does not
//! accept) leaves nothing there, so the same bytes cannot then be registered by their SHA-256.
//! The real `qoima serve`, hand-made tus requests with a hyper client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{INDIVIDUAL_IIN, Server, Vault, b64, key, pdf, pki};
use qoima_vault::ContentAddress;
use qoima_verifier::testing::sign_detached;
use serde_json::{Value, json};

const TUS: (&str, &str) = ("tus-resumable", "1.0.0");

/// A detached CMS over `content` by `signer` (a name in the PKI's `certs/` and `keys/`).
fn sign(content: &[u8], signer: &str) -> String {
    let certificate = std::fs::read(pki(&format!("certs/{signer}.cer"))).unwrap();
    let key = std::fs::read_to_string(pki(&format!("keys/{signer}.key.pem"))).unwrap();
    b64(&sign_detached(&certificate, &key, content))
}

fn sha256_hex(bytes: &[u8]) -> String {
    ContentAddress::of(bytes).to_string()
}

/// Uploads `content` whole with creation-with-upload; returns the upload id.
fn upload(server: &Server, key: &str, content: &[u8]) -> String {
    let metadata = format!("sha256 {}", b64(sha256_hex(content).as_bytes()));
    let length = content.len().to_string();
    let (status, headers, body) = server.send(
        key,
        "POST",
        "/v1/uploads",
        &[
            TUS,
            ("content-type", "application/offset+octet-stream"),
            ("upload-length", &length),
            ("upload-metadata", &metadata),
        ],
        content.to_vec(),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["upload-offset"].to_str().unwrap(), length);
    let location = headers["location"].to_str().unwrap();
    location.rsplit('/').next().unwrap().to_owned()
}

fn register(server: &Server, key: &str, body: &Value) -> (u16, Value) {
    let (status, text) =
        server.request(key, "POST", "/v1/documents", body.to_string().into_bytes());
    (status, serde_json::from_str(&text).unwrap())
}

/// A registration of `source` (`upload` or `sha256` and its value), signed by `signer`.
fn body(source: (&str, &str), content: &[u8], signer: &str, iin: &str) -> Value {
    json!({
        source.0: source.1,
        "signatures": [sign(content, signer)],
        "class": "project-documentation",
        "participant": "acme",
        "expectIin": iin,
    })
}

#[test]
fn a_refused_registration_from_an_upload_leaves_nothing_in_the_content_store() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = Server::start(&vault);
    let content = pdf(7);
    let id = upload(&server, &writer, &content);
    let text = b"plain text is not a project drawing".to_vec();
    let text_id = upload(&server, &writer, &text);

    for (refused, needle) in [
        (
            body(("upload", &id), &content, "revoked", INDIVIDUAL_IIN),
            "REVOKED",
        ),
        (
            body(("upload", &id), &content, "individual", "920202500111"),
            "NOT_OWNER",
        ),
        (
            body(("upload", &text_id), &text, "individual", INDIVIDUAL_IIN),
            "format",
        ),
    ] {
        let (status, problem) = register(&server, &writer, &refused);
        assert_eq!(status, 422, "{problem}");
        assert!(problem.to_string().contains(needle), "{needle}: {problem}");
    }

    // Neither content was stored: by their SHA-256, a valid registration finds nothing.
    for (bytes, what) in [(&content, "the refused upload"), (&text, "the text")] {
        let by_hash = body(
            ("sha256", &sha256_hex(bytes)),
            bytes,
            "individual",
            INDIVIDUAL_IIN,
        );
        let (status, problem) = register(&server, &writer, &by_hash);
        assert_eq!(status, 404, "{what} was stored: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("no content stored"),
            "{problem}"
        );
    }

    // The upload still registers, and then its bytes are stored.
    let (status, registered) = register(
        &server,
        &writer,
        &body(("upload", &id), &content, "individual", INDIVIDUAL_IIN),
    );
    assert_eq!(status, 201, "{registered}");
    let by_hash = body(
        ("sha256", &sha256_hex(&content)),
        &content,
        "individual",
        INDIVIDUAL_IIN,
    );
    let (status, again) = register(&server, &writer, &by_hash);
    assert_eq!(status, 201, "{again}");
}
