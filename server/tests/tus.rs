//! tus 1.0.0 uploads end to end with a real tus client: tuspy (the tus project's Python
//! client) and hand-made requests (`tests/tus/*.py`), against the real `qoima serve`, then
//! registration of the uploaded content with `POST /v1/documents`.
//!
//! The Python interpreter is `$QOIMA_PYTHON`, the venv that `scripts/setup` installs (pinned in
//! `scripts/python-requirements.txt`); without it these tests fail, they do not skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use common::tus::{python, script, tuspy};
use common::{Server, Vault, b64, key, pdf, pki};
use serde_json::Value;

const MIB: usize = 1 << 20;

/// A PDF-like content of `len` bytes, distinct per `n`: `common::pdf(n)` then pseudo-random
/// bytes (xorshift), so that nothing compresses or repeats.
fn content(n: u32, len: usize) -> Vec<u8> {
    let mut bytes = pdf(n);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ u64::from(n);
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    qoima_verifier::testing::sha256(bytes)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

/// `Upload-Checksum: sha256 <base64>` of `bytes`.
fn checksum(bytes: &[u8]) -> String {
    format!(
        "sha256 {}",
        base64::engine::general_purpose::STANDARD.encode(sha256(bytes))
    )
}

/// `Upload-Metadata` with the whole file's SHA-256 (tus: `key base64(value)`, comma-separated).
fn metadata(sha256_hex: &str) -> String {
    format!(
        "sha256 {},filename {}",
        b64(sha256_hex.as_bytes()),
        b64(b"drawing.pdf")
    )
}

/// The answer to a hand-made request.
#[derive(Debug)]
struct Reply {
    status: u16,
    /// Names in lower case.
    headers: HashMap<String, String>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {self:#?}"))
    }

    fn offset(&self) -> u64 {
        self.header("upload-offset").parse().unwrap()
    }
}

/// One request by `tests/tus/request.py` (Python's http.client), with `Tus-Resumable: 1.0.0`
/// and the key (unless empty) beside `headers`.
fn send(
    server: &Server,
    key: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut args = vec![
        script("request.py").to_str().unwrap().to_owned(),
        format!("{}{path}", server.url),
        method.to_owned(),
        "-H".to_owned(),
        "Tus-Resumable: 1.0.0".to_owned(),
    ];
    if !key.is_empty() {
        args.extend(["-H".to_owned(), format!("Authorization: Bearer {key}")]);
    }
    for (name, value) in headers {
        args.extend(["-H".to_owned(), format!("{name}: {value}")]);
    }
    send_args(&args, body)
}

fn send_args(args: &[String], body: &[u8]) -> Reply {
    let mut child = Command::new(python())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "request.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    Reply {
        status: u16::try_from(value["status"].as_u64().unwrap()).unwrap(),
        headers: value["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect(),
        body: value["body"].as_str().unwrap().to_owned(),
    }
}

/// A new upload of `length` bytes declaring `digest`; its path.
fn create(server: &Server, key: &str, length: usize, digest: &str) -> String {
    let reply = send(
        server,
        key,
        "POST",
        "/v1/uploads",
        &[
            ("Upload-Length", &length.to_string()),
            ("Upload-Metadata", &metadata(digest)),
        ],
        b"",
    );
    assert_eq!(reply.status, 201, "{reply:#?}");
    assert_eq!(reply.header("tus-resumable"), "1.0.0");
    assert!(reply.headers.contains_key("upload-expires"), "{reply:#?}");
    let location = reply.header("location").to_owned();
    check_location(&location);
    location
}

/// `Location: /v1/uploads/{id}` with 32 lowercase hex digits (absolute URLs allowed too).
fn check_location(location: &str) {
    let id = location
        .rsplit_once("/v1/uploads/")
        .unwrap_or_else(|| panic!("Location {location:?}"))
        .1;
    assert!(
        id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "Location {location:?}"
    );
}

/// The path of a `Location` or tuspy's upload URL.
fn path_of(url: &str) -> String {
    format!("/v1/uploads/{}", url.rsplit_once("/v1/uploads/").unwrap().1)
}

fn patch(
    server: &Server,
    key: &str,
    path: &str,
    offset: usize,
    chunk: &[u8],
    checksum: Option<&str>,
) -> Reply {
    let offset = offset.to_string();
    let mut headers = vec![
        ("Content-Type", "application/offset+octet-stream"),
        ("Upload-Offset", offset.as_str()),
    ];
    if let Some(checksum) = checksum {
        headers.push(("Upload-Checksum", checksum));
    }
    send(server, key, "PATCH", path, &headers, chunk)
}

fn head(server: &Server, key: &str, path: &str) -> Reply {
    send(server, key, "HEAD", path, &[], b"")
}

/// `POST /v1/documents` of the upload `id`, signed by the test PKI's individual: the
/// response's JSON, asserting 201.
fn register(server: &Server, key: &str, id: &str, bytes: &[u8]) -> Value {
    let signature = qoima_verifier::testing::sign_detached(
        qoima_verifier::testing::pki::INDIVIDUAL,
        qoima_verifier::testing::pki::INDIVIDUAL_KEY,
        bytes,
    );
    let body = serde_json::json!({
        "upload": id,
        "signatures": [b64(&signature)],
        "class": "project-documentation",
        "participant": "acme",
        "expectIin": common::INDIVIDUAL_IIN,
        "filename": "drawing.pdf",
        "mediaType": "application/pdf",
    });
    let (status, text) =
        server.request(key, "POST", "/v1/documents", body.to_string().into_bytes());
    assert_eq!(status, 201, "{text}");
    let registered: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(registered["version"], 1, "{text}");
    assert_eq!(registered["address"], sha256_hex(bytes), "{text}");
    assert!(
        registered["registrationNumber"]
            .as_str()
            .unwrap()
            .starts_with("ACME/"),
        "{text}"
    );
    for field in ["id", "registrationDate", "retainUntil", "reports"] {
        assert!(!registered[field].is_null(), "no {field} in {text}");
    }
    registered
}

/// The registered document's content, read back whole.
fn read_back(server: &Server, key: &str, registered: &Value) -> Vec<u8> {
    let path = format!(
        "/v1/documents/{}/content",
        registered["id"].as_str().unwrap()
    );
    let (status, _, body) = server.send(key, "GET", &path, &[], Vec::new());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    body
}

/// A vault, a writer key and the server; the file `name` holding `bytes` in the vault's
/// directory.
fn setup(name: &str, bytes: &[u8]) -> (Vault, String, Server, PathBuf) {
    let (vault, writer, _, server, file) = setup_with_other(name, bytes);
    (vault, writer, server, file)
}

/// `setup`, and a second writer key.
fn setup_with_other(name: &str, bytes: &[u8]) -> (Vault, String, String, Server, PathBuf) {
    python(); // fail first, and clearly, without the venv
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let other = key(&vault, "writer");
    let server = Server::start(&vault);
    let file = vault.dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    (vault, writer, other, server, file)
}

#[test]
fn discovery_and_preconditions() {
    let (_vault, writer, server, _) = setup("unused.pdf", b"");

    // OPTIONS needs no key and no Tus-Resumable.
    let url = format!("{}/v1/uploads", server.url);
    let reply = send_args(
        &[
            script("request.py").to_str().unwrap().into(),
            url,
            "OPTIONS".into(),
        ],
        b"",
    );
    assert_eq!(reply.status, 204, "{reply:#?}");
    assert_eq!(reply.header("tus-resumable"), "1.0.0");
    assert_eq!(reply.header("tus-version"), "1.0.0");
    let extensions: Vec<&str> = reply
        .header("tus-extension")
        .split(',')
        .map(str::trim)
        .collect();
    for extension in [
        "creation",
        "creation-with-upload",
        "checksum",
        "expiration",
        "termination",
    ] {
        assert!(extensions.contains(&extension), "{reply:#?}");
    }
    assert!(reply.header("tus-max-size").parse::<u64>().unwrap() >= 3 * MIB as u64);
    assert_eq!(reply.header("tus-checksum-algorithm"), "sha256");

    // No key: 401. No Tus-Resumable: 412 with Tus-Version.
    let digest = sha256_hex(b"x");
    let headers = [
        ("Upload-Length", "1"),
        ("Upload-Metadata", &*metadata(&digest)),
    ];
    let reply = send(&server, "", "POST", "/v1/uploads", &headers, b"");
    assert_eq!(reply.status, 401, "{reply:#?}");
    let reply = send_args(
        &[
            script("request.py").to_str().unwrap().into(),
            format!("{}/v1/uploads", server.url),
            "POST".into(),
            "-H".into(),
            format!("Authorization: Bearer {writer}"),
            "-H".into(),
            "Upload-Length: 1".into(),
            "-H".into(),
            format!("Upload-Metadata: {}", metadata(&digest)),
        ],
        b"",
    );
    assert_eq!(reply.status, 412, "{reply:#?}");
    assert_eq!(reply.header("tus-version"), "1.0.0");

    // No sha256 in the metadata, a malformed one, a deferred length: 400.
    for headers in [
        vec![
            ("Upload-Length", "1".to_owned()),
            ("Upload-Metadata", format!("filename {}", b64(b"a"))),
        ],
        vec![
            ("Upload-Length", "1".to_owned()),
            ("Upload-Metadata", format!("sha256 {}", b64(b"abc"))),
        ],
        vec![("Upload-Length", "1".to_owned())],
        vec![
            ("Upload-Defer-Length", "1".to_owned()),
            ("Upload-Metadata", metadata(&digest)),
        ],
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = send(&server, &writer, "POST", "/v1/uploads", &headers, b"");
        assert_eq!(reply.status, 400, "{headers:?}: {reply:#?}");
        assert!(reply.body.contains("\"detail\""), "{reply:#?}");
    }

    // Creation with upload: the body is the first chunk.
    let bytes = content(9, 1000);
    let reply = send(
        &server,
        &writer,
        "POST",
        "/v1/uploads",
        &[
            ("Upload-Length", "1000"),
            ("Upload-Metadata", &metadata(&sha256_hex(&bytes))),
            ("Content-Type", "application/offset+octet-stream"),
        ],
        &bytes[..400],
    );
    assert_eq!(reply.status, 201, "{reply:#?}");
    assert_eq!(reply.offset(), 400);
    let path = path_of(reply.header("location"));
    let reply = patch(&server, &writer, &path, 400, &bytes[400..], None);
    assert_eq!((reply.status, reply.offset()), (204, 1000), "{reply:#?}");

    // Termination.
    let path = create(&server, &writer, 10, &sha256_hex(b"0123456789"));
    assert_eq!(
        send(&server, &writer, "DELETE", &path, &[], b"").status,
        204
    );
    assert_eq!(head(&server, &writer, &path).status, 404);
    assert_eq!(
        send(&server, &writer, "DELETE", &path, &[], b"").status,
        404
    );

    // Unknown and malformed ids: 404.
    for path in [
        "/v1/uploads/0123456789abcdef0123456789abcdef",
        "/v1/uploads/..%2Fx",
        "/v1/uploads/ABC",
    ] {
        assert_eq!(head(&server, &writer, path).status, 404, "{path}");
    }
}

/// (a) ~3 MiB in 1 MiB chunks by tuspy with SHA-256 chunk checksums, registered, read back.
#[test]
fn upload_register_and_read_back() {
    let bytes = content(1, 3 * MIB + 4321);
    let (_vault, writer, server, file) = setup("drawing.pdf", &bytes);

    let (code, out) = tuspy(&server, &writer, &file, &["--chunk-size", &MIB.to_string()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["offset"], bytes.len(), "{out}");
    let id = out["id"].as_str().unwrap();
    check_location(out["url"].as_str().unwrap());

    let reply = head(&server, &writer, &path_of(out["url"].as_str().unwrap()));
    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(reply.offset(), bytes.len() as u64);
    assert_eq!(reply.header("upload-length"), bytes.len().to_string());

    let registered = register(&server, &writer, id, &bytes);
    assert!(
        read_back(&server, &writer, &registered) == bytes,
        "the content differs"
    );
}

/// (b) A client stops after two chunks; a new client process resumes from the upload URL.
#[test]
fn interrupted_and_resumed() {
    let bytes = content(2, 3 * MIB + 17);
    let (_vault, writer, other, server, file) = setup_with_other("resumed.pdf", &bytes);
    let chunk = MIB.to_string();

    let (code, out) = tuspy(
        &server,
        &writer,
        &file,
        &["--chunk-size", &chunk, "--chunks", "2"],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["offset"], 2 * MIB, "{out}");
    let url = out["url"].as_str().unwrap().to_owned();
    let path = path_of(&url);

    let reply = head(&server, &writer, &path);
    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(reply.offset(), 2 * MIB as u64);
    assert_eq!(reply.header("upload-length"), bytes.len().to_string());
    assert_eq!(reply.header("cache-control"), "no-store");
    assert_eq!(reply.header("tus-resumable"), "1.0.0");
    assert!(reply.headers.contains_key("upload-expires"), "{reply:#?}");
    let declared = format!("sha256 {}", b64(sha256_hex(&bytes).as_bytes()));
    assert!(
        reply
            .header("upload-metadata")
            .split(',')
            .any(|pair| pair.trim() == declared),
        "{reply:#?}"
    );

    // Another key's upload is unknown to it.
    assert_eq!(head(&server, &other, &path).status, 404);
    let reply = patch(&server, &other, &path, 2 * MIB, &bytes[2 * MIB..], None);
    assert_eq!(reply.status, 404, "{reply:#?}");

    let (code, out) = tuspy(
        &server,
        &writer,
        &file,
        &["--chunk-size", &chunk, "--resume", &url],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["resumedFrom"], 2 * MIB, "{out}");
    assert_eq!(out["offset"], bytes.len(), "{out}");
    assert_eq!(head(&server, &writer, &path).offset(), bytes.len() as u64);

    let registered = register(&server, &writer, out["id"].as_str().unwrap(), &bytes);
    assert!(
        read_back(&server, &writer, &registered) == bytes,
        "the content differs"
    );
}

/// (c) A chunk whose checksum does not match is refused with 460 and nothing is kept; the
/// right checksum then succeeds, and tuspy finishes with its own checksums.
#[test]
fn wrong_chunk_checksum() {
    let bytes = content(3, 2 * MIB + 99);
    let (_vault, writer, server, file) = setup("checked.pdf", &bytes);
    let path = create(&server, &writer, bytes.len(), &sha256_hex(&bytes));
    let chunk = &bytes[..MIB];

    let reply = patch(
        &server,
        &writer,
        &path,
        0,
        chunk,
        Some(&checksum(b"other bytes")),
    );
    assert_eq!(reply.status, 460, "{reply:#?}");
    assert!(reply.body.contains("\"detail\""), "{reply:#?}");
    assert_eq!(head(&server, &writer, &path).offset(), 0);

    // Another algorithm: 400, nothing kept. (A small body: the server may answer before
    // reading it, and a large one would then meet a closed connection.)
    let sha1 = format!("sha1 {}", b64(&[0; 20]));
    let reply = patch(&server, &writer, &path, 0, &chunk[..1000], Some(&sha1));
    assert_eq!(reply.status, 400, "{reply:#?}");
    assert_eq!(head(&server, &writer, &path).offset(), 0);

    let reply = patch(&server, &writer, &path, 0, chunk, Some(&checksum(chunk)));
    assert_eq!(reply.status, 204, "{reply:#?}");
    assert_eq!(reply.offset(), MIB as u64);
    assert_eq!(head(&server, &writer, &path).offset(), MIB as u64);

    let url = format!("{}{path}", server.url);
    let (code, out) = tuspy(
        &server,
        &writer,
        &file,
        &["--chunk-size", &MIB.to_string(), "--resume", &url],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["resumedFrom"], MIB, "{out}");
    assert_eq!(out["offset"], bytes.len(), "{out}");
    let id = path.rsplit('/').next().unwrap();
    let registered = register(&server, &writer, id, &bytes);
    assert!(
        read_back(&server, &writer, &registered) == bytes,
        "the content differs"
    );
}

/// (d) The whole file does not have the SHA-256 declared at creation: the final PATCH is 460
/// naming both digests, and the upload is gone.
#[test]
fn wrong_whole_file_sha256() {
    let bytes = content(4, 2 * MIB + 5);
    let (_vault, writer, server, file) = setup("mislabelled.pdf", &bytes);
    let actual = sha256_hex(&bytes);
    let declared = sha256_hex(b"another file");

    let (code, out) = tuspy(
        &server,
        &writer,
        &file,
        &["--chunk-size", &MIB.to_string(), "--sha256", &declared],
    );
    assert_eq!(code, 3, "{out}");
    assert_eq!(out["status"], 460, "{out}");
    // The chunks before the last were stored.
    assert_eq!(out["offset"], 2 * MIB, "{out}");
    let detail: Value = serde_json::from_str(out["body"].as_str().unwrap()).unwrap();
    let detail = detail["detail"].as_str().unwrap();
    assert!(
        detail.contains(&declared) && detail.contains(&actual),
        "{detail}"
    );
    let lower = detail.to_lowercase();
    assert!(
        lower.contains("sha-256") || lower.contains("sha256"),
        "{detail}"
    );

    let path = path_of(out["url"].as_str().unwrap());
    assert_eq!(head(&server, &writer, &path).status, 404);
    // And it cannot be registered.
    let signature = std::fs::read(pki("cms/individual.detached.p7s")).unwrap();
    let body = serde_json::json!({
        "upload": out["id"],
        "signatures": [b64(&signature)],
        "class": "project-documentation",
        "participant": "acme",
    });
    let (status, text) = server.request(
        &writer,
        "POST",
        "/v1/documents",
        body.to_string().into_bytes(),
    );
    assert_eq!(status, 404, "{text}");
}

/// (e) A PATCH whose response was lost, sent again with the same offset and bytes: both 204
/// with the same offset; the same offset with other bytes is 409.
#[test]
fn repeated_patch() {
    let bytes = content(5, MIB + 1234);
    let (_vault, writer, server, _file) = setup("repeated.pdf", &bytes);
    let path = create(&server, &writer, bytes.len(), &sha256_hex(&bytes));
    let chunk = &bytes[..MIB];

    let first = patch(&server, &writer, &path, 0, chunk, Some(&checksum(chunk)));
    assert_eq!(first.status, 204, "{first:#?}");
    let again = patch(&server, &writer, &path, 0, chunk, Some(&checksum(chunk)));
    assert_eq!(again.status, 204, "{again:#?}");
    assert_eq!(first.offset(), MIB as u64);
    assert_eq!(again.offset(), first.offset());
    assert_eq!(head(&server, &writer, &path).offset(), MIB as u64);

    // Other bytes at an offset already written, or a gap: 409.
    let mut other = chunk.to_vec();
    other[10] ^= 1;
    let reply = patch(&server, &writer, &path, 0, &other, None);
    assert_eq!(reply.status, 409, "{reply:#?}");
    let reply = patch(&server, &writer, &path, MIB + 1, &bytes[MIB + 1..], None);
    assert_eq!(reply.status, 409, "{reply:#?}");
    // Beyond Upload-Length: 400. The wrong content type: 415.
    let reply = patch(&server, &writer, &path, MIB, &bytes[MIB - 1..], None);
    assert_eq!(reply.status, 400, "{reply:#?}");
    let offset = MIB.to_string();
    let reply = send(
        &server,
        &writer,
        "PATCH",
        &path,
        &[
            ("Content-Type", "application/octet-stream"),
            ("Upload-Offset", &offset),
        ],
        &bytes[MIB..],
    );
    assert_eq!(reply.status, 415, "{reply:#?}");
    assert_eq!(head(&server, &writer, &path).offset(), MIB as u64);

    let last = patch(
        &server,
        &writer,
        &path,
        MIB,
        &bytes[MIB..],
        Some(&checksum(&bytes[MIB..])),
    );
    assert_eq!(
        (last.status, last.offset()),
        (204, bytes.len() as u64),
        "{last:#?}"
    );
    let id = path.rsplit('/').next().unwrap();
    let registered = register(&server, &writer, id, &bytes);
    assert!(
        read_back(&server, &writer, &registered) == bytes,
        "the content differs"
    );
}
