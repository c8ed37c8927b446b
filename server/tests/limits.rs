//! The server's limits and its answers to bad input, end to end: oversized headers
//! and bodies, malformed JSON, stalled bodies, the bound on concurrent uploads, graceful
//! shutdown, path traversal in ids, smuggled `Upload-Metadata`, role boundaries and metrics.
//!
//! Requests are written by hand on a `TcpStream` (HTTP/1.1, `Connection: close`), so that a
//! test can send exactly what a misbehaving client would: a header too large, half a body,
//! a repeated header, a path that is not normalised.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::wire::{Reply, head_of, parse_head};
use common::{Server, Vault, b64, key};

const TUS: (&str, &str) = ("Tus-Resumable", "1.0.0");
const OCTETS: (&str, &str) = ("Content-Type", "application/offset+octet-stream");
const JSON: (&str, &str) = ("Content-Type", "application/json");

/// The server with short timeouts (overridable by `env`): every test stays quick, and a
/// server dropped while a connection hangs stops within the grace period.
fn start(vault: &Vault, env: &[(&str, &str)]) -> Server {
    let mut all = vec![
        ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "2"),
        ("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "2"),
        ("QOIMA_SERVER_HEADER_READ_TIMEOUT_SECONDS", "5"),
    ];
    all.extend_from_slice(env);
    Server::start_with_env(vault, &all)
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads until the server closes the connection (a reset after the answer counts as a
/// close) and parses the answer; panics when the server neither answers nor closes within
/// the read timeout.
fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    let mut buf = [0; 16 << 10];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset && !bytes.is_empty() => break,
            Err(e) => panic!(
                "no answer and no close ({e}); got {:?}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    parse_reply(&bytes)
}

fn parse_reply(bytes: &[u8]) -> Reply {
    let (start, mut reply) = parse_head(bytes)
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(bytes)));
    let body = &bytes[start..];
    let chunked = reply
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"));
    reply.body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    reply
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&bytes[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

/// One whole request on its own connection (`Connection: close`); `Content-Length` is sent
/// unless the method is GET, HEAD or OPTIONS without a body.
fn call(
    server: &Server,
    method: &str,
    path: &str,
    key: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut all = headers.to_vec();
    all.push(("Connection", "close"));
    let length =
        (!body.is_empty() || !matches!(method, "GET" | "HEAD" | "OPTIONS")).then_some(body.len());
    let mut request = head_of(method, path, key, &all, length);
    request.extend_from_slice(body);
    exchange(server, &request)
}

/// Sends `request` (whole, as given) on a new connection and reads the answer.
fn exchange(server: &Server, request: &[u8]) -> Reply {
    let mut stream = connect(server);
    // The server may answer and close before reading everything (431, 413): a failed write
    // is not the test's concern, the answer is.
    let _ = stream.write_all(request);
    read_reply(&mut stream)
}

/// `body` in the chunked transfer coding, in pieces of `piece` bytes.
fn chunked(body: &[u8], piece: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for part in body.chunks(piece) {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(qoima_verifier::testing::sha256(bytes))
}

/// `Upload-Metadata` declaring `content`'s SHA-256.
fn metadata_for(content: &[u8]) -> String {
    format!("sha256 {}", b64(sha256_hex(content).as_bytes()))
}

/// `n` bytes of upload content, distinct per `seed`.
fn content(seed: u8, n: usize) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

/// Creates an upload of `content` (no bytes yet) for `key`; returns its id.
fn create_upload(server: &Server, key: &str, content: &[u8]) -> String {
    let length = content.len().to_string();
    let metadata = metadata_for(content);
    let reply = call(
        server,
        "POST",
        "/v1/uploads",
        Some(key),
        &[
            TUS,
            ("Upload-Length", &length),
            ("Upload-Metadata", &metadata),
        ],
        b"",
    );
    assert_eq!(reply.status, 201, "{reply:?}");
    let location = reply.header("location").unwrap();
    location.strip_prefix("/v1/uploads/").unwrap().to_owned()
}

/// `HEAD /v1/uploads/{id}`'s `Upload-Offset`.
fn offset(server: &Server, key: &str, id: &str) -> u64 {
    let reply = call(
        server,
        "HEAD",
        &format!("/v1/uploads/{id}"),
        Some(key),
        &[TUS],
        b"",
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.header("upload-offset").unwrap().parse().unwrap()
}

/// A whole PATCH of `bytes` at `at`.
fn patch(server: &Server, key: &str, id: &str, at: u64, bytes: &[u8]) -> Reply {
    let at = at.to_string();
    call(
        server,
        "PATCH",
        &format!("/v1/uploads/{id}"),
        Some(key),
        &[TUS, OCTETS, ("Upload-Offset", &at)],
        bytes,
    )
}

/// Opens a PATCH of `total` bytes at offset 0 and sends only `first` of them.
fn open_patch(
    server: &Server,
    key: &str,
    id: &str,
    total: usize,
    first: &[u8],
    extra: &[(&str, &str)],
) -> TcpStream {
    let mut headers = vec![TUS, OCTETS, ("Upload-Offset", "0")];
    headers.extend_from_slice(extra);
    let mut stream = connect(server);
    let mut request = head_of(
        "PATCH",
        &format!("/v1/uploads/{id}"),
        Some(key),
        &headers,
        Some(total),
    );
    request.extend_from_slice(first);
    stream.write_all(&request).unwrap();
    stream.flush().unwrap();
    stream
}

/// `GET /metrics` as text.
fn metrics(server: &Server, key: &str) -> String {
    let reply = call(server, "GET", "/metrics", Some(key), &[], b"");
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{reply:?}"
    );
    reply.text()
}

/// The value of the sample `series` (name and labels exactly as exposed), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().unwrap())
}

/// Waits (at most 5 s) until the gauge `qoima_uploads_receiving` is `n`.
fn wait_receiving(server: &Server, key: &str, n: f64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = metrics(server, key);
        if sample(&text, "qoima_uploads_receiving") == Some(n) {
            return;
        }
        assert!(Instant::now() < deadline, "never {n} receiving:\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// 1. Headers.

#[test]
fn headers_beyond_the_configured_limit_are_431() {
    let vault = Vault::new();
    let server = start(&vault, &[("QOIMA_SERVER_MAX_HEADER_BYTES", "16384")]);
    let reply = call(
        &server,
        "GET",
        "/healthz",
        None,
        &[("X-Pad", &"a".repeat(20 << 10))],
        b"",
    );
    assert_eq!(reply.status, 431, "{reply:?}");
    // Many small headers add up the same.
    let names: Vec<String> = (0..40).map(|i| format!("X-Pad-{i}")).collect();
    let value = "b".repeat(512);
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), value.as_str())).collect();
    let reply = call(&server, "GET", "/healthz", None, &headers, b"");
    assert_eq!(reply.status, 431, "{reply:?}");
    let reply = call(
        &server,
        "GET",
        "/healthz",
        None,
        &[("X-Pad", &"a".repeat(4 << 10))],
        b"",
    );
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[test]
fn headers_beyond_the_default_limit_are_431() {
    let vault = Vault::new();
    let server = start(&vault, &[]);
    for kib in [65, 100] {
        let pad = "a".repeat(kib << 10);
        let reply = call(&server, "GET", "/healthz", None, &[("X-Pad", &pad)], b"");
        assert_eq!(reply.status, 431, "{kib} KiB: {reply:?}");
    }
}

#[test]
fn a_head_that_never_ends_is_cut() {
    let vault = Vault::new();
    let server = start(&vault, &[("QOIMA_SERVER_HEADER_READ_TIMEOUT_SECONDS", "1")]);
    let mut stream = connect(&server);
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    // Closed (with or without an answer), never a success.
    let _ = stream.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    assert!(
        !buf.starts_with(b"HTTP/1.1 2"),
        "{:?}",
        String::from_utf8_lossy(&buf)
    );
}

// 2. JSON bodies.

#[test]
fn oversized_json_bodies_are_413() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = start(&vault, &[("QOIMA_SERVER_MAX_JSON_BODY_BYTES", "2048")]);
    let body = format!(r#"{{"signature":"{}"}}"#, "A".repeat(4096));
    let reply = call(
        &server,
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 413, "{reply:?}");
    assert!(reply.detail().contains("2048"), "{reply:?}");

    // A declared length beyond the limit is refused before the body is read: 10 bytes of a
    // declared 10 MB are enough for an answer.
    let mut stream = connect(&server);
    let mut request = head_of(
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        Some(10_000_000),
    );
    request.extend_from_slice(br#"{"signatu"#);
    stream.write_all(&request).unwrap();
    let started = Instant::now();
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 413, "{reply:?}");
    assert!(reply.detail().contains("2048"), "{reply:?}");
    assert!(started.elapsed() < Duration::from_secs(2));

    // Without a declared length the limit holds as the body arrives.
    let body = format!(r#"{{"signature":"{}"}}"#, "A".repeat(4096));
    let mut request = head_of(
        "POST",
        "/v1/verify",
        Some(&reader),
        &[
            JSON,
            ("Transfer-Encoding", "chunked"),
            ("Connection", "close"),
        ],
        None,
    );
    request.extend_from_slice(&chunked(body.as_bytes(), 500));
    let reply = exchange(&server, &request);
    assert_eq!(reply.status, 413, "{reply:?}");
    assert!(reply.detail().contains("2048"), "{reply:?}");

    // At the limit it is read (and is then bad base64: 422).
    let body = format!(r#"{{"signature":"{}"}}"#, "*".repeat(2048 - 16));
    assert_eq!(body.len(), 2048);
    let reply = call(
        &server,
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 422, "{reply:?}");
}

// 3. Malformed JSON.

/// A document registered by the CLI (before the server starts); its id.
fn registered(vault: &Vault) -> String {
    vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned()
}

#[test]
fn malformed_json_is_400_and_undecodable_fields_422() {
    let vault = Vault::new();
    let id = registered(&vault);
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let server = start(&vault, &[]);
    let versions = format!("/v1/documents/{id}/versions");
    let holds = format!("/v1/documents/{id}/holds");
    let post = |key: &str, path: &str, body: &str| {
        let reply = call(&server, "POST", path, Some(key), &[JSON], body.as_bytes());
        let detail = reply.detail();
        (reply.status, detail)
    };
    let register = r#""signatures":["AA=="],"sha256":"00","class":"project-documentation","participant":"acme""#;
    let version = r#""signatures":["AA=="],"sha256":"00","annulment":"AA==","reason":"r""#;

    // Not JSON, not an object, cut short: 400 on every JSON route.
    for body in [
        "{not json",
        "",
        "[]",
        "null",
        "{\"signature\":\"AA==\"",
        "\u{feff}{}",
    ] {
        assert_eq!(post(&reader, "/v1/verify", body).0, 400, "{body:?}");
        assert_eq!(post(&writer, "/v1/documents", body).0, 400, "{body:?}");
        assert_eq!(post(&writer, &versions, body).0, 400, "{body:?}");
        assert_eq!(post(&auditor, &holds, body).0, 400, "{body:?}");
    }
    // Unknown fields, missing ones and wrong types are serde's refusals: 400 as well.
    for (key, path, body) in [
        (
            &reader,
            "/v1/verify",
            r#"{"signature":"AA==","colour":1}"#.to_owned(),
        ),
        (&reader, "/v1/verify", r#"{"signature":5}"#.to_owned()),
        (
            &writer,
            "/v1/documents",
            format!("{{{register},\"colour\":1}}"),
        ),
        (
            &writer,
            "/v1/documents",
            r#"{"signatures":["AA=="]}"#.to_owned(),
        ),
        (
            &writer,
            "/v1/documents",
            format!("{{{}}}", register.replace(r#"["AA=="]"#, r#""x""#)),
        ),
        (&writer, &versions, format!("{{{version},\"colour\":1}}")),
        (
            &writer,
            &versions,
            format!(
                "{{{}}}",
                version.replace(r#""AA==","reason""#, r#"5,"reason""#)
            ),
        ),
        (&auditor, &holds, r#"{"reason":"x","colour":1}"#.to_owned()),
        (
            &auditor,
            &holds,
            r#"{"reason":"x","hold":"one"}"#.to_owned(),
        ),
        (&auditor, &holds, "{}".to_owned()),
    ] {
        let (status, detail) = post(key, path, &body);
        assert_eq!(status, 400, "{path} {body}: {detail}");
        assert!(detail.starts_with("malformed JSON"), "{detail}");
    }

    // Fields that are JSON of the right type but do not decode: 422.
    for (key, path, body, needle) in [
        (
            &reader,
            "/v1/verify",
            r#"{"signature":"***"}"#.to_owned(),
            "base64",
        ),
        (
            &writer,
            "/v1/documents",
            format!("{{{}}}", register.replace("AA==", "***")),
            "base64",
        ),
        (
            &writer,
            "/v1/documents",
            format!("{{{register}}}"),
            "sha256",
        ),
        (
            &writer,
            &versions,
            format!(
                "{{{}}}",
                version.replace(r#""annulment":"AA==""#, r#""annulment":"*""#)
            ),
            "base64",
        ),
    ] {
        let (status, detail) = post(key, path, &body);
        assert_eq!(status, 422, "{path} {body}: {detail}");
        assert!(detail.contains(needle), "{detail}");
    }
}

// 4. Stalled bodies.

#[test]
fn a_stalled_json_body_is_408_and_the_connection_closed() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = start(&vault, &[("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "1")]);
    let mut stream = connect(&server);
    let mut request = head_of("POST", "/v1/verify", Some(&reader), &[JSON], Some(1000));
    request.extend_from_slice(br#"{"signatu"#);
    stream.write_all(&request).unwrap();
    let started = Instant::now();
    // No `Connection: close` was asked for: the end of the stream is the server's doing.
    let reply = read_reply(&mut stream);
    let waited = started.elapsed();
    assert_eq!(reply.status, 408, "{reply:?}");
    assert!(reply.detail().contains("stalled"), "{reply:?}");
    assert_eq!(reply.header("connection"), Some("close"), "{reply:?}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
}

#[test]
fn a_stalled_upload_keeps_its_bytes_unless_checksummed() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(&vault, &[("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "1")]);
    let bytes = content(1, 1000);

    // Without a checksum the bytes received are kept and the client resumes from them.
    let id = create_upload(&server, &writer, &bytes);
    let mut stream = open_patch(&server, &writer, &id, 1000, &bytes[..100], &[]);
    let started = Instant::now();
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 408, "{reply:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(reply.header("upload-offset"), Some("100"), "{reply:?}");
    assert_eq!(reply.header("tus-resumable"), Some("1.0.0"), "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 100);
    let reply = patch(&server, &writer, &id, 100, &bytes[100..]);
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 1000);

    // With one the part cannot be checked: nothing is kept.
    let id = create_upload(&server, &writer, &bytes);
    let checksum = format!("sha256 {}", b64(&qoima_verifier::testing::sha256(&bytes)));
    let mut stream = open_patch(
        &server,
        &writer,
        &id,
        1000,
        &bytes[..100],
        &[("Upload-Checksum", &checksum)],
    );
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 408, "{reply:?}");
    assert_eq!(reply.header("upload-offset"), Some("0"), "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 0);
}

// 5. The bound on concurrent uploads.

#[test]
fn concurrent_uploads_beyond_the_bound_are_503() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(
        &vault,
        &[
            ("QOIMA_SERVER_MAX_CONCURRENT_UPLOADS", "1"),
            ("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "30"),
        ],
    );
    let (a, b) = (content(1, 1000), content(2, 1000));
    let (first, second) = (
        create_upload(&server, &writer, &a),
        create_upload(&server, &writer, &b),
    );
    let mut stream = open_patch(&server, &writer, &first, 1000, &a[..100], &[]);
    wait_receiving(&server, &writer, 1.0);

    let reply = patch(&server, &writer, &second, 0, &b);
    assert_eq!(reply.status, 503, "{reply:?}");
    assert!(reply.header("retry-after").is_some(), "{reply:?}");
    assert_eq!(reply.header("tus-resumable"), Some("1.0.0"), "{reply:?}");
    assert_eq!(offset(&server, &writer, &second), 0);
    // Creation with an upload body takes a slot too; creation alone does not.
    let length = b.len().to_string();
    let metadata = metadata_for(&b);
    let reply = call(
        &server,
        "POST",
        "/v1/uploads",
        Some(&writer),
        &[
            TUS,
            OCTETS,
            ("Upload-Length", &length),
            ("Upload-Metadata", &metadata),
        ],
        &b,
    );
    assert_eq!(reply.status, 503, "{reply:?}");
    create_upload(&server, &writer, &b);

    stream.write_all(&a[100..]).unwrap();
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(reply.header("upload-offset"), Some("1000"), "{reply:?}");
    wait_receiving(&server, &writer, 0.0);
    let reply = patch(&server, &writer, &second, 0, &b);
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(reply.header("upload-offset"), Some("1000"), "{reply:?}");
}

// 6. Graceful shutdown.

#[test]
fn shutdown_finishes_the_upload_in_flight() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(
        &vault,
        &[
            ("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "30"),
            ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "20"),
        ],
    );
    let address = server.url.trim_start_matches("http://").to_owned();
    let bytes = content(3, 1000);
    let id = create_upload(&server, &writer, &bytes);
    let mut stream = open_patch(&server, &writer, &id, 1000, &bytes[..400], &[]);
    wait_receiving(&server, &writer, 1.0);

    // Never dropped: once reaped here, `Server`'s drop would signal a pid that may be another
    // process's by then.
    let mut server = std::mem::ManuallyDrop::new(server);
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    // The listener closes: new connections are refused while the PATCH is still open.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        // Until the listener is gone a connection is accepted, or reset if it was still in
        // the backlog.
        match TcpStream::connect(&address) {
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => break,
            other => {
                assert!(Instant::now() < deadline, "still connecting: {other:?}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    assert!(server.child.try_wait().unwrap().is_none(), "exited early");

    stream.write_all(&bytes[400..]).unwrap();
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(reply.header("upload-offset"), Some("1000"), "{reply:?}");

    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn shutdown_cuts_a_stalled_upload_after_the_grace_period() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let env = [
        ("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "60"),
        ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "1"),
    ];
    let server = start(&vault, &env);
    let bytes = content(4, 1000);
    let id = create_upload(&server, &writer, &bytes);
    let _stream = open_patch(&server, &writer, &id, 1000, &bytes[..400], &[]);
    wait_receiving(&server, &writer, 1.0);

    // Never dropped: once reaped here, `Server`'s drop would signal a pid that may be another
    // process's by then.
    let mut server = std::mem::ManuallyDrop::new(server);
    let started = Instant::now();
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the server waits for the stalled upload"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(started.elapsed() >= Duration::from_millis(900));

    // The cut body is one that broke off: without a checksum its bytes are kept, and after
    // a restart the upload resumes from them.
    let server = start(&vault, &env);
    let at = offset(&server, &writer, &id);
    assert_eq!(at, 400);
    // The expiry sweep at start-up looks at each upload without making it busy.
    let reply = patch(&server, &writer, &id, at, &bytes[at as usize..]);
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 1000);
}

// 7. Path traversal and malformed ids.

/// Every path under `dir`, except those under `except`.
fn tree(dir: &Path, except: &Path) -> BTreeSet<PathBuf> {
    let mut paths = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.starts_with(except) {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            paths.insert(path);
        }
    }
    paths
}

#[test]
fn traversal_and_malformed_ids_are_404() {
    let vault = Vault::new();
    let document = registered(&vault);
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let outside = tree(vault.dir.path(), &vault.data);
    let server = start(&vault, &[]);
    let upload = create_upload(&server, &writer, &content(1, 10));
    assert_eq!(offset(&server, &writer, &upload), 0);

    let mut ids: Vec<String> = [
        "..%2F..%2Fetc%2Fpasswd",
        "..%2f..",
        "%2e%2e%2f%2e%2e%2fx",
        "..",
        "%00",
        "..%00",
        "%2F",
        "%5C..%5C..%5Cx",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    ids.push(upload.to_ascii_uppercase());
    ids.push(upload[..31].to_owned());
    ids.push(format!("{upload}0"));
    ids.push(format!("{upload}%00"));
    ids.push(format!("+{}", &upload[1..]));
    for id in &ids {
        for method in ["HEAD", "DELETE"] {
            let reply = call(
                &server,
                method,
                &format!("/v1/uploads/{id}"),
                Some(&writer),
                &[TUS],
                b"",
            );
            assert_eq!(reply.status, 404, "{method} {id}: {reply:?}");
        }
        let reply = patch(&server, &writer, id, 0, b"0123456789");
        assert_eq!(reply.status, 404, "PATCH {id}: {reply:?}");
    }
    let mut ids: Vec<String> = ids;
    ids.push(document.to_ascii_uppercase());
    ids.push(document[..31].to_owned());
    for id in &ids {
        for path in [
            format!("/v1/documents/{id}"),
            format!("/v1/documents/{id}/content"),
            format!("/v1/documents/{id}/versions"),
        ] {
            let reply = call(&server, "GET", &path, Some(&reader), &[], b"");
            assert_eq!(reply.status, 404, "GET {path}: {reply:?}");
        }
        let reply = call(
            &server,
            "DELETE",
            &format!("/v1/documents/{id}"),
            Some(&writer),
            &[],
            b"",
        );
        assert_eq!(reply.status, 404, "DELETE {id}: {reply:?}");
        let reply = call(
            &server,
            "POST",
            &format!("/v1/documents/{id}/versions"),
            Some(&writer),
            &[JSON],
            br#"{"signatures":["AA=="],"sha256":"00","annulment":"AA==","reason":"r"}"#,
        );
        assert_eq!(reply.status, 404, "POST {id}/versions: {reply:?}");
    }
    // Dot segments are not resolved: they match no route.
    for path in [
        "/v1/uploads/../../x",
        "/v1/uploads/../uploads",
        "/v1/documents/../../etc/passwd",
        "/v1/documents/./x",
        "/v1/../healthz",
    ] {
        let reply = call(&server, "GET", path, Some(&reader), &[], b"");
        assert_eq!(reply.status, 404, "{path}: {reply:?}");
    }
    // Ids in a registration's body.
    for upload in ["../../etc/passwd", "..", "/etc/passwd", "%2e%2e"] {
        let body = serde_json::json!({
            "upload": upload, "signatures": ["AA=="],
            "class": "project-documentation", "participant": "acme",
        });
        let reply = call(
            &server,
            "POST",
            "/v1/documents",
            Some(&writer),
            &[JSON],
            body.to_string().as_bytes(),
        );
        assert_eq!(reply.status, 404, "{upload}: {reply:?}");
    }
    let body = serde_json::json!({
        "sha256": "../../etc/passwd", "signatures": ["AA=="],
        "class": "project-documentation", "participant": "acme",
    });
    let reply = call(
        &server,
        "POST",
        "/v1/documents",
        Some(&writer),
        &[JSON],
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 422, "{reply:?}");

    // The real ones are untouched, nothing appeared outside the data directory.
    assert_eq!(offset(&server, &writer, &upload), 0);
    let reply = call(
        &server,
        "GET",
        &format!("/v1/documents/{document}"),
        Some(&reader),
        &[],
        b"",
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        sample(&metrics(&server, &reader), "qoima_uploads"),
        Some(1.0)
    );
    drop(server);
    assert_eq!(tree(vault.dir.path(), &vault.data), outside);
}

// 8. Smuggled Upload-Metadata and other bad creations.

#[test]
fn smuggled_metadata_and_bad_creations_are_refused() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(&vault, &[("QOIMA_SERVER_MAX_UPLOAD_BYTES", "100000")]);
    let bytes = content(1, 100);
    let good = b64(sha256_hex(&bytes).as_bytes());
    let evil = b64(sha256_hex(b"something else").as_bytes());
    let create = |headers: &[(&str, &str)]| {
        call(&server, "POST", "/v1/uploads", Some(&writer), headers, b"")
    };
    let refused = |headers: &[(&str, &str)], status: u16| {
        let reply = create(headers);
        assert_eq!(reply.status, status, "{headers:?}: {reply:?}");
        assert_eq!(reply.header("tus-resumable"), Some("1.0.0"), "{reply:?}");
        assert!(reply.header("location").is_none(), "{reply:?}");
        reply
    };
    let length = ("Upload-Length", "100");

    for metadata in [
        format!("sha256 {good},sha256 {evil}"),
        format!("sha256 {evil},filename {good},sha256 {good}"),
        format!("sha256 {good} {evil}"),
        format!("sha 256 {good}"),
        format!("sha256  {good}"),
        format!("sha256 {good},,filename {good}"),
        format!("sha256\t{good}"),
        "sha256 !!!!".to_owned(),
        format!("sha256 {}", &good[..good.len() - 1]),
        format!(
            "sha256 {}",
            b64(sha256_hex(&bytes).to_ascii_uppercase().as_bytes())
        ),
        format!("sha256 {}", b64(&sha256_hex(&bytes).as_bytes()[..63])),
        format!(
            "sha256 {}",
            b64(format!("{}0", sha256_hex(&bytes)).as_bytes())
        ),
        format!("sha256 {}", b64(&qoima_verifier::testing::sha256(&bytes))),
        "sha256".to_owned(),
        format!("filename {good}"),
        String::new(),
    ] {
        refused(&[TUS, length, ("Upload-Metadata", &metadata)], 400);
    }
    let metadata = format!("sha256 {good}");
    let evil_metadata = format!("sha256 {evil}");
    refused(
        &[
            TUS,
            length,
            ("Upload-Metadata", &metadata),
            ("Upload-Metadata", &evil_metadata),
        ],
        400,
    );
    refused(&[TUS, length], 400);
    refused(
        &[
            TUS,
            length,
            ("Upload-Length", "100"),
            ("Upload-Metadata", &metadata),
        ],
        400,
    );
    for bad in ["-1", "1e3", " ", "0x10", "100000000000000000000000"] {
        refused(
            &[TUS, ("Upload-Length", bad), ("Upload-Metadata", &metadata)],
            400,
        );
    }
    refused(
        &[
            TUS,
            ("Upload-Defer-Length", "1"),
            ("Upload-Metadata", &metadata),
        ],
        400,
    );
    for version in [None, Some("0.2.2"), Some("1.0")] {
        let mut headers = vec![length, ("Upload-Metadata", metadata.as_str())];
        if let Some(version) = version {
            headers.push(("Tus-Resumable", version));
        }
        let reply = refused(&headers, 412);
        assert_eq!(reply.header("tus-version"), Some("1.0.0"), "{reply:?}");
    }
    let reply = refused(
        &[
            TUS,
            ("Upload-Length", "100001"),
            ("Upload-Metadata", &metadata),
        ],
        413,
    );
    assert!(reply.detail().contains("100000"), "{reply:?}");

    // None of them created anything; the same request with good metadata does.
    let text = metrics(&server, &writer);
    assert_eq!(sample(&text, "qoima_uploads"), Some(0.0), "{text}");
    let reply = create(&[
        TUS,
        ("Upload-Length", "100000"),
        ("Upload-Metadata", &metadata),
    ]);
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(
        sample(&metrics(&server, &writer), "qoima_uploads"),
        Some(1.0)
    );
}

#[test]
fn bad_patches_are_refused_and_keep_nothing() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(&vault, &[]);
    let bytes = content(5, 100);
    let id = create_upload(&server, &writer, &bytes);
    let path = format!("/v1/uploads/{id}");
    let mut too_long = bytes.clone();
    too_long.extend_from_slice(&[0; 50]);

    // More bytes than the upload's length, declared or chunked.
    let reply = patch(&server, &writer, &id, 0, &too_long);
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 0);
    let mut request = head_of(
        "PATCH",
        &path,
        Some(&writer),
        &[
            TUS,
            OCTETS,
            ("Upload-Offset", "0"),
            ("Transfer-Encoding", "chunked"),
            ("Connection", "close"),
        ],
        None,
    );
    request.extend_from_slice(&chunked(&too_long, 30));
    let reply = exchange(&server, &request);
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 0);

    // Bad headers.
    let sha_md5 = ("Upload-Checksum", "md5 AAAA");
    let sha_short = ("Upload-Checksum", "sha256 AAAA");
    let at = |n| ("Upload-Offset", n);
    for (headers, status) in [
        (vec![TUS, at("0")], 415),
        (vec![TUS, JSON, at("0")], 415),
        (vec![TUS, OCTETS], 400),
        (vec![TUS, OCTETS, at("-1")], 400),
        (vec![TUS, OCTETS, at("0"), at("0")], 400),
        (vec![TUS, OCTETS, at("50")], 409),
        (vec![OCTETS, at("0")], 412),
        (vec![TUS, OCTETS, at("0"), sha_md5], 400),
        (vec![TUS, OCTETS, at("0"), sha_short], 400),
    ] {
        let reply = call(
            &server,
            "PATCH",
            &path,
            Some(&writer),
            &headers,
            &bytes[..50],
        );
        assert_eq!(reply.status, status, "{headers:?}: {reply:?}");
        assert_eq!(reply.header("tus-resumable"), Some("1.0.0"), "{reply:?}");
    }
    assert_eq!(offset(&server, &writer, &id), 0);

    // A part that does not match its checksum keeps nothing (460).
    let wrong = format!("sha256 {}", b64(&qoima_verifier::testing::sha256(b"other")));
    let reply = call(
        &server,
        "PATCH",
        &path,
        Some(&writer),
        &[TUS, OCTETS, at("0"), ("Upload-Checksum", &wrong)],
        &bytes[..50],
    );
    assert_eq!(reply.status, 460, "{reply:?}");
    assert_eq!(offset(&server, &writer, &id), 0);

    // The whole file not matching the declared SHA-256: 460 and the upload is gone.
    assert_eq!(patch(&server, &writer, &id, 0, &bytes[..50]).status, 204);
    let mut tampered = bytes[50..].to_vec();
    tampered[0] ^= 1;
    let reply = patch(&server, &writer, &id, 50, &tampered);
    assert_eq!(reply.status, 460, "{reply:?}");
    let reply = call(&server, "HEAD", &path, Some(&writer), &[TUS], b"");
    assert_eq!(reply.status, 404, "{reply:?}");
    assert_eq!(
        sample(&metrics(&server, &writer), "qoima_uploads"),
        Some(0.0)
    );
}

// 9. Role boundaries.

/// A request to make: method, path, headers, body.
type Call<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a [u8]);

#[test]
fn role_boundaries_of_the_upload_and_registration_routes() {
    let vault = Vault::new();
    let document = registered(&vault);
    let reader = key(&vault, "reader");
    let auditor = key(&vault, "auditor");
    let admin = key(&vault, "admin");
    let writer = key(&vault, "writer");
    let other = key(&vault, "writer");
    let server = start(&vault, &[]);
    let bytes = content(1, 100);
    let upload = create_upload(&server, &writer, &bytes);
    let length = bytes.len().to_string();
    let metadata = metadata_for(&bytes);
    let registration = serde_json::json!({
        "upload": upload, "signatures": ["AA=="],
        "class": "project-documentation", "participant": "acme",
    })
    .to_string();
    let version = serde_json::json!({
        "upload": upload, "signatures": ["AA=="], "annulment": "AA==", "reason": "r",
    })
    .to_string();
    let upload_path = format!("/v1/uploads/{upload}");
    let document_path = format!("/v1/documents/{document}");
    let versions_path = format!("/v1/documents/{document}/versions");
    let creation = [
        TUS,
        ("Upload-Length", length.as_str()),
        ("Upload-Metadata", metadata.as_str()),
    ];
    let requests: Vec<Call<'_>> = vec![
        ("POST", "/v1/uploads", creation.to_vec(), b""),
        ("HEAD", &upload_path, vec![TUS], b""),
        (
            "PATCH",
            &upload_path,
            vec![TUS, OCTETS, ("Upload-Offset", "0")],
            &bytes,
        ),
        ("DELETE", &upload_path, vec![TUS], b""),
        ("POST", "/v1/documents", vec![JSON], registration.as_bytes()),
        ("POST", &versions_path, vec![JSON], version.as_bytes()),
        ("DELETE", &document_path, vec![], b""),
    ];
    for (method, path, headers, body) in &requests {
        for key in [&reader, &auditor, &admin] {
            let reply = call(&server, method, path, Some(key), headers, body);
            assert_eq!(reply.status, 403, "{method} {path}: {reply:?}");
        }
        for key in [None, Some("qk_0000000000000000_00"), Some("")] {
            let reply = call(&server, method, path, key, headers, body);
            assert_eq!(reply.status, 401, "{method} {path} {key:?}: {reply:?}");
            assert_eq!(
                reply.header("www-authenticate"),
                Some("Bearer"),
                "{reply:?}"
            );
        }
    }
    // Nothing of it happened.
    assert_eq!(offset(&server, &writer, &upload), 0);

    // Open routes and routes for any key.
    let reply = call(&server, "OPTIONS", "/v1/uploads", None, &[], b"");
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(reply.header("tus-version"), Some("1.0.0"), "{reply:?}");
    assert_eq!(call(&server, "GET", "/healthz", None, &[], b"").status, 200);
    for path in ["/metrics", "/openapi.json"] {
        let reply = call(&server, "GET", path, None, &[], b"");
        assert_eq!(reply.status, 401, "{path}: {reply:?}");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer"),
            "{reply:?}"
        );
        for key in [&reader, &auditor, &admin, &writer] {
            let reply = call(&server, "GET", path, Some(key), &[], b"");
            assert_eq!(reply.status, 200, "{path}: {reply:?}");
        }
    }

    // Another writer's upload does not exist for this one.
    for (method, path, headers, body) in &requests[1..4] {
        let reply = call(&server, method, path, Some(&other), headers, body);
        assert_eq!(reply.status, 404, "{method} {path}: {reply:?}");
    }
    let reply = call(
        &server,
        "POST",
        "/v1/documents",
        Some(&other),
        &[JSON],
        registration.as_bytes(),
    );
    assert_eq!(reply.status, 404, "{reply:?}");
    let reply = call(
        &server,
        "POST",
        &versions_path,
        Some(&other),
        &[JSON],
        version.as_bytes(),
    );
    assert_eq!(reply.status, 404, "{reply:?}");
    // To its owner it does: unfinished, 409.
    let reply = call(
        &server,
        "POST",
        "/v1/documents",
        Some(&writer),
        &[JSON],
        registration.as_bytes(),
    );
    assert_eq!(reply.status, 409, "{reply:?}");
    assert_eq!(offset(&server, &writer, &upload), 0);

    // Unknown routes, with or without a key; known routes with another method.
    for key in [None, Some(reader.as_str())] {
        for path in [
            "/v1/nothing",
            "/v1/uploads/",
            "/v2/uploads",
            "/",
            "/metrics/",
        ] {
            let reply = call(&server, "GET", path, key, &[], b"");
            assert_eq!(reply.status, 404, "{path}: {reply:?}");
        }
    }
    for (method, path, allowed) in [
        ("PUT", "/v1/uploads", "OPTIONS, POST"),
        ("GET", "/v1/uploads", "OPTIONS, POST"),
        ("GET", upload_path.as_str(), "HEAD, PATCH, DELETE"),
        ("POST", upload_path.as_str(), "HEAD, PATCH, DELETE"),
        ("GET", "/v1/documents", "POST"),
        ("PATCH", document_path.as_str(), "GET, DELETE"),
        ("POST", "/metrics", "GET"),
    ] {
        let reply = call(&server, method, path, Some(&writer), &[], b"");
        assert_eq!(reply.status, 405, "{method} {path}: {reply:?}");
        assert_eq!(reply.header("allow"), Some(allowed), "{method} {path}");
    }
}

// 10. Metrics.

#[test]
fn metrics_count_requests_and_upload_bytes() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(&vault, &[]);
    let (a, b) = (content(1, 1000), content(2, 300));
    let first = create_upload(&server, &writer, &a);
    let second = create_upload(&server, &writer, &b);
    assert_eq!(patch(&server, &writer, &first, 0, &a[..600]).status, 204);
    assert_eq!(patch(&server, &writer, &first, 600, &a[600..]).status, 204);
    assert_eq!(patch(&server, &writer, &second, 0, &b).status, 204);
    assert_eq!(
        call(&server, "GET", "/v1/nothing", Some(&writer), &[], b"").status,
        404
    );

    let text = metrics(&server, &writer);
    let requests = |method: &str, route: &str, status: u16| {
        sample(
            &text,
            &format!(
                r#"qoima_http_requests_total{{method="{method}",route="{route}",status="{status}"}}"#
            ),
        )
    };
    assert_eq!(requests("POST", "/v1/uploads", 201), Some(2.0), "{text}");
    assert_eq!(
        requests("PATCH", "/v1/uploads/{id}", 204),
        Some(3.0),
        "{text}"
    );
    assert_eq!(requests("GET", "unmatched", 404), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "qoima_upload_bytes_total"),
        Some((a.len() + b.len()) as f64),
        "{text}"
    );
    assert_eq!(sample(&text, "qoima_uploads"), Some(2.0), "{text}");
    assert_eq!(
        sample(&text, "qoima_uploads_receiving"),
        Some(0.0),
        "{text}"
    );
    // The scrape itself is in flight.
    assert_eq!(
        sample(&text, "qoima_http_requests_in_flight"),
        Some(1.0),
        "{text}"
    );
}

#[test]
fn metrics_show_the_memory_beside_its_bounds() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = start(&vault, &[]);
    let data = content(3, 4096);
    let upload = create_upload(&server, &writer, &data);
    assert_eq!(patch(&server, &writer, &upload, 0, &data).status, 204);
    let text = metrics(&server, &writer);
    let resident = sample(&text, "qoima_process_resident_bytes").unwrap_or(0.0);
    // A running server with its runtime and caches: more than a MiB, less than a GiB.
    assert!((1048576.0..1073741824.0).contains(&resident), "{text}");
    if common::backend::backend() != common::backend::Backend::RocksDb {
        // RocksDB's own figures are the embedded vault's only.
        assert_eq!(
            sample(&text, "qoima_rocksdb_memtables_bytes"),
            None,
            "{text}"
        );
        return;
    }
    let memtables = sample(&text, "qoima_rocksdb_memtables_bytes").unwrap();
    let limit = sample(&text, "qoima_rocksdb_memtables_limit_bytes");
    assert_eq!(limit, Some(134217728.0), "{text}");
    assert!(memtables > 0.0 && memtables <= 134217728.0, "{text}");
    let cache = sample(&text, "qoima_rocksdb_block_cache_bytes").unwrap();
    let capacity = sample(&text, "qoima_rocksdb_block_cache_capacity_bytes");
    assert_eq!(capacity, Some(33554432.0), "{text}");
    assert!(cache <= 33554432.0, "{text}");
    for series in [
        "qoima_rocksdb_block_cache_pinned_bytes",
        "qoima_rocksdb_table_readers_bytes",
        "qoima_rocksdb_table_files",
    ] {
        assert!(sample(&text, series).is_some(), "{series}: {text}");
    }
}

/// `cms` (a DER ContentInfo around a SignedData whose last field is signerInfos) with its
/// first SignerInfo `n` times.
fn with_signer_infos(cms: &[u8], n: usize) -> Vec<u8> {
    use qoima_verifier::ber::Tlv;
    use qoima_verifier::testing::{ID_SIGNED_DATA, der_tlv, oid, seq};
    let content_info = Tlv::parse_single(cms).unwrap();
    let mut top = content_info.children();
    top.next_tlv().unwrap().unwrap();
    let explicit = top.next_tlv().unwrap().unwrap();
    let signed_data = explicit.children().next_tlv().unwrap().unwrap();
    let mut fields = Vec::new();
    let mut children = signed_data.children();
    while let Some(field) = children.next_tlv().unwrap() {
        fields.push(field);
    }
    let signer_infos = fields.pop().unwrap();
    let signer_info = signer_infos.children().next_tlv().unwrap().unwrap();
    let mut body: Vec<u8> = fields.iter().flat_map(|f| f.raw().to_vec()).collect();
    body.extend(der_tlv(0x31, &signer_info.raw().repeat(n)));
    seq(&[&oid(ID_SIGNED_DATA), &der_tlv(0xA0, &der_tlv(0x30, &body))])
}

/// A `POST /v1/verify` body: `cms` detached over `content`, at the PKI's validation time.
fn verify_body(cms: &[u8], content: &[u8]) -> Vec<u8> {
    serde_json::json!({
        "signature": b64(cms),
        "content": b64(content),
        "at": "2026-06-15T12:00:00Z",
    })
    .to_string()
    .into_bytes()
}

#[test]
fn an_oversized_cms_gets_its_verdict_and_healthz_answers_while_verifications_run() {
    use qoima_verifier::testing::{pki, sign_detached};
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = start(
        &vault,
        &[("QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS", "1")],
    );
    let content = content(7, 8 << 20);
    let one = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, &content);

    // 17 SignerInfos: refused with a verdict that names the bound, not verified 17 times.
    let reply = call(
        &server,
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        &verify_body(&with_signer_infos(&one, 17), &content),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let report: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(report["indication"], "TOTAL_FAILED", "{report}");
    assert_eq!(report["subIndication"], "FORMAT_FAILURE", "{report}");
    assert!(
        reply
            .text()
            .contains("the CMS has 17 SignerInfos; at most 16 are verified"),
        "{report}"
    );

    // Requests that would each hash 8 MiB thousands of times, more of them than there are
    // async workers, one verification slot: `/healthz` still answers, and each of them
    // gets its verdict (or a 503 when it waited too long for the slot), not a hang.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let body = verify_body(&with_signer_infos(&one, 3000), &content);
    let senders: Vec<_> = (0..workers + 2)
        .map(|_| {
            let body = body.clone();
            let (reader, url) = (reader.clone(), server.url.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .unwrap();
                let mut request = head_of(
                    "POST",
                    "/v1/verify",
                    Some(&reader),
                    &[JSON, ("Connection", "close")],
                    Some(body.len()),
                );
                request.extend_from_slice(&body);
                stream.write_all(&request).unwrap();
                read_reply(&mut stream)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let health = call(&server, "GET", "/healthz", None, &[], b"");
    assert_eq!(health.status, 200, "{}", health.text());
    let mut verdicts = 0;
    for sender in senders {
        let reply = sender.join().unwrap();
        match reply.status {
            200 => {
                assert!(
                    reply
                        .text()
                        .contains("the CMS has 3000 SignerInfos; at most 16 are verified"),
                    "{}",
                    reply.text()
                );
                verdicts += 1;
            }
            503 => {
                assert_eq!(reply.header("retry-after"), Some("2"));
                assert!(reply.detail().contains("verification capacity is busy"));
            }
            other => panic!("{other}: {}", reply.text()),
        }
    }
    assert!(verdicts >= 1, "at least the first one is verified");
}
