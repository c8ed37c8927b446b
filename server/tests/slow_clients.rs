//! Clients that hold the server's resources, end to end: the cap on open connections, the
//! total deadline on a request body, the bound on JSON bodies held in memory, and the routes
//! that write the vault running off the async workers (`/healthz` answers meanwhile).
//!
//! Requests are written by hand on a `TcpStream`, so that a test can be the slow client: one
//! that keeps a connection open, trickles a body, or sends half of it and waits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::wire::{Reply, head_of, parse_head};
use common::{Server, Vault, key, pdf, registration};

const JSON: (&str, &str) = ("Content-Type", "application/json");

/// The server with short timeouts, then `env`.
fn start(vault: &Vault, env: &[(&str, &str)]) -> Server {
    let mut all = vec![
        ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "2"),
        ("QOIMA_SERVER_HEADER_READ_TIMEOUT_SECONDS", "30"),
        ("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "30"),
    ];
    all.extend_from_slice(env);
    Server::start_with_env(vault, &all)
}

fn connect(server: &Server, read_timeout: Duration) -> TcpStream {
    let stream = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(read_timeout)).unwrap();
    stream
}

/// Reads one answer with a `Content-Length` body (the connection may stay open), or until
/// the server closes it; panics when neither happens within the stream's read timeout.
fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    let mut buf = [0; 16 << 10];
    loop {
        if let Some(reply) = complete(&bytes) {
            return reply;
        }
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
    complete(&bytes)
        .unwrap_or_else(|| panic!("a partial answer: {:?}", String::from_utf8_lossy(&bytes)))
}

/// The answer in `bytes` once its head and `Content-Length` body are all there.
fn complete(bytes: &[u8]) -> Option<Reply> {
    let (start, mut reply) = parse_head(bytes)?;
    let length: usize = reply.header("content-length")?.parse().unwrap();
    reply.body = bytes.get(start..start + length)?.to_vec();
    Some(reply)
}

/// Whether an answer (or a close) arrives on `stream` within its read timeout.
fn answers(stream: &mut TcpStream) -> bool {
    let mut buf = [0; 1];
    match stream.peek(&mut buf) {
        Ok(_) => true,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(_) => true,
    }
}

/// One whole request on its own connection (`Connection: close`).
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
    let length = (!body.is_empty() || method != "GET").then_some(body.len());
    let mut request = head_of(method, path, key, &all, length);
    request.extend_from_slice(body);
    let mut stream = connect(server, Duration::from_secs(30));
    let _ = stream.write_all(&request);
    read_reply(&mut stream)
}

/// `GET /metrics`'s sample of `series`.
fn gauge(server: &Server, key: &str, series: &str) -> Option<f64> {
    let reply = call(server, "GET", "/metrics", Some(key), &[], b"");
    assert_eq!(reply.status, 200, "{reply:?}");
    reply
        .text()
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().unwrap())
}

/// Waits (at most 30 s: the machine may be busy) until `series` is `n`.
fn wait_gauge(server: &Server, key: &str, series: &str, n: f64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = gauge(server, key, series);
        if value == Some(n) {
            return;
        }
        assert!(Instant::now() < deadline, "{series} never {n}: {value:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// 1. The cap on open connections.

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = start(&vault, &[("QOIMA_SERVER_MAX_CONNECTIONS", "2")]);
    let healthz = head_of("GET", "/healthz", None, &[], None);

    // Two keep-alive connections, each answered once and left open: the cap is reached.
    let mut open: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = connect(&server, Duration::from_secs(10));
            stream.write_all(&healthz).unwrap();
            let reply = read_reply(&mut stream);
            assert_eq!(reply.status, 200, "{reply:?}");
            stream
        })
        .collect();

    // A third is not accepted (the kernel completes its handshake; the server does not read
    // it): no answer while the two stay open.
    let mut third = connect(&server, Duration::from_millis(1500));
    third.write_all(&healthz).unwrap();
    assert!(
        !answers(&mut third),
        "a connection beyond max-connections was served"
    );

    // One closes: the third is accepted and answered.
    drop(open.remove(0));
    third
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let reply = read_reply(&mut third);
    assert_eq!(reply.status, 200, "{reply:?}");
    drop(third);
    drop(open);

    // Every connection closed gives its slot back.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        // The scrape's own connection is open while it is counted.
        if gauge(&server, &reader, "qoima_connections_open") == Some(1.0) {
            break;
        }
        assert!(Instant::now() < deadline, "connections never closed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// 2. The total deadline on a request body.

/// Sends `head`, then one byte of `body` every `every` until the server stops reading or
/// `stop` is set, on its own thread; returns the stream to read the answer from.
fn trickle(
    server: &Server,
    head: Vec<u8>,
    body: Vec<u8>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> TcpStream {
    let mut stream = connect(server, Duration::from_secs(20));
    stream.write_all(&head).unwrap();
    let mut writer = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        for byte in body {
            if stop.load(Ordering::Relaxed) || writer.write_all(&[byte]).is_err() {
                return;
            }
            std::thread::sleep(every);
        }
    });
    stream
}

#[test]
fn a_body_that_trickles_is_cut_at_the_deadline() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let server = start(&vault, &[("QOIMA_SERVER_BODY_DEADLINE_SECONDS", "2")]);
    let stop = Arc::new(AtomicBool::new(false));

    // A JSON body sent a byte every 100 ms (never idle for the 30 s idle timeout) would
    // take 100 s: it is cut 2 s after its head, 408 naming the deadline.
    let body = format!(r#"{{"signature":"{}"}}"#, "A".repeat(980)).into_bytes();
    let head = head_of(
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        Some(body.len()),
    );
    let started = Instant::now();
    let mut stream = trickle(
        &server,
        head,
        body,
        Duration::from_millis(100),
        Arc::clone(&stop),
    );
    let reply = read_reply(&mut stream);
    let waited = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    assert_eq!(reply.status, 408, "{reply:?}");
    let detail = reply.detail();
    assert!(
        detail.contains("within the deadline of 2s (body-deadline-seconds)"),
        "{detail}"
    );
    assert_eq!(reply.header("connection"), Some("close"), "{reply:?}");
    assert!(waited >= Duration::from_millis(1900), "{waited:?}");

    // A tus PATCH is held to it too; the bytes received are kept, and the client resumes.
    let stop = Arc::new(AtomicBool::new(false));
    let content: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
    let sha256 = hex::encode(qoima_verifier::testing::sha256(&content));
    let metadata = format!("sha256 {}", common::b64(sha256.as_bytes()));
    let length = content.len().to_string();
    let created = call(
        &server,
        "POST",
        "/v1/uploads",
        Some(&writer),
        &[
            ("Tus-Resumable", "1.0.0"),
            ("Upload-Length", &length),
            ("Upload-Metadata", &metadata),
        ],
        b"",
    );
    assert_eq!(created.status, 201, "{created:?}");
    let location = created.header("location").unwrap().to_owned();
    let head = head_of(
        "PATCH",
        &location,
        Some(&writer),
        &[
            ("Tus-Resumable", "1.0.0"),
            ("Content-Type", "application/offset+octet-stream"),
            ("Upload-Offset", "0"),
        ],
        Some(content.len()),
    );
    let mut stream = trickle(
        &server,
        head,
        content,
        Duration::from_millis(100),
        Arc::clone(&stop),
    );
    let reply = read_reply(&mut stream);
    stop.store(true, Ordering::Relaxed);
    assert_eq!(reply.status, 408, "{reply:?}");
    assert!(
        reply.detail().contains("body-deadline-seconds"),
        "{reply:?}"
    );
    let kept: u64 = reply.header("upload-offset").unwrap().parse().unwrap();
    assert!(kept > 0 && kept < 600, "{reply:?}");
}

// 3. The bound on JSON bodies held in memory.

#[test]
fn json_bodies_beyond_the_buffer_wait_then_get_503() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = start(
        &vault,
        &[
            ("QOIMA_SERVER_MAX_JSON_BODY_BYTES", "1048576"),
            ("QOIMA_SERVER_JSON_BUFFER_BYTES", "1048576"),
        ],
    );
    let series = "qoima_json_buffer_bytes";
    assert_eq!(gauge(&server, &reader, series), Some(0.0));

    // A client declares a 1 MiB body, sends a few bytes and waits: the whole buffer is its.
    let mut holder = connect(&server, Duration::from_secs(20));
    let mut request = head_of("POST", "/v1/verify", Some(&reader), &[JSON], Some(1 << 20));
    request.extend_from_slice(b"{\"signature\":\"");
    holder.write_all(&request).unwrap();
    wait_gauge(&server, &reader, series, f64::from(1 << 20));

    // Another large body waits for its share, then is refused: 503 with Retry-After.
    let large = vec![b' '; 200 << 10];
    let started = Instant::now();
    let reply = call(
        &server,
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        &large,
    );
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.header("retry-after"), Some("2"), "{reply:?}");
    assert!(reply.detail().contains("json-buffer-bytes"), "{reply:?}");
    assert!(started.elapsed() >= Duration::from_millis(1900));

    // A small body is not counted: it is read and answered (malformed JSON).
    let reply = call(&server, "POST", "/v1/verify", Some(&reader), &[JSON], b"{");
    assert_eq!(reply.status, 400, "{reply:?}");

    // The holder finishes its body: answered, and its share given back.
    let rest = vec![b'A'; (1 << 20) - 14];
    holder.write_all(&rest).unwrap();
    let reply = read_reply(&mut holder);
    assert_eq!(reply.status, 400, "{reply:?}");
    wait_gauge(&server, &reader, series, 0.0);
    let reply = call(
        &server,
        "POST",
        "/v1/verify",
        Some(&reader),
        &[JSON],
        &large,
    );
    assert_eq!(reply.status, 400, "{reply:?}");
}

// 4. Writes off the async workers.

#[test]
fn healthz_answers_while_registrations_and_holds_run() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let content = pdf(1);
    let address = vault.put("doc.pdf", &content);
    let body = registration(&address, &content);
    // One async worker and one verification slot: nothing to spare.
    let server = start(
        &vault,
        &[
            ("TOKIO_WORKER_THREADS", "1"),
            ("QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS", "1"),
        ],
    );
    let reply = call(
        &server,
        "POST",
        "/v1/documents",
        Some(&writer),
        &[JSON],
        &body,
    );
    assert_eq!(reply.status, 201, "{reply:?}");
    let id: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let holds = format!("/v1/documents/{}/holds", id["id"].as_str().unwrap());

    let url = server.url.clone();
    let send = move |path: String, key: String, body: Vec<u8>| {
        let url = url.clone();
        std::thread::spawn(move || {
            let mut stream = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            let mut request = head_of(
                "POST",
                &path,
                Some(&key),
                &[JSON, ("Connection", "close")],
                Some(body.len()),
            );
            request.extend_from_slice(&body);
            stream.write_all(&request).unwrap();
            (path, read_reply(&mut stream))
        })
    };
    let mut threads = Vec::new();
    for n in 0..24 {
        threads.push(send("/v1/documents".into(), writer.clone(), body.clone()));
        let hold = format!(r#"{{"reason":"court order {n}"}}"#).into_bytes();
        threads.push(send(holds.clone(), auditor.clone(), hold));
    }
    let health = call(&server, "GET", "/healthz", None, &[], b"");
    assert_eq!(health.status, 200, "{health:?}");

    let (mut registered, mut held) = (0, 0);
    for thread in threads {
        let (path, reply) = thread.join().unwrap();
        match (path.as_str(), reply.status) {
            ("/v1/documents", 201) => registered += 1,
            // Registrations queue for the one verification slot; one that waited 2 s is
            // refused, to be retried.
            ("/v1/documents", 503) => {
                assert_eq!(reply.header("retry-after"), Some("2"), "{reply:?}");
                assert!(
                    reply.detail().contains("verification capacity is busy"),
                    "{reply:?}"
                );
            }
            (_, 201) if path == holds => held += 1,
            _ => panic!("{path}: {reply:?}"),
        }
    }
    assert!(
        registered >= 1,
        "at least the first registration is written"
    );
    assert_eq!(held, 24);
    let health = call(&server, "GET", "/healthz", None, &[], b"");
    assert_eq!(health.status, 200, "{health:?}");
}

// 5. A client that reads nothing.

#[test]
fn a_client_that_reads_no_response_is_cut_after_the_idle_timeout() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    // 48 MiB: more than the sockets' buffers on both sides hold.
    let content = large_pdf(48 << 20);
    let address = vault.put("large.pdf", &content);
    let server = start(&vault, &[("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "2")]);
    let reply = call(
        &server,
        "POST",
        "/v1/documents",
        Some(&writer),
        &[JSON],
        &registration(&address, &content),
    );
    assert_eq!(reply.status, 201, "{reply:?}");
    let id: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let path = format!("/v1/documents/{}/content", id["id"].as_str().unwrap());

    // The content is asked for and never read: once nothing more fits in the sockets, the
    // server's write waits, and 2 s later the connection is closed.
    let mut stalled = connect(&server, Duration::from_secs(30));
    stalled
        .write_all(&head_of("GET", &path, Some(&reader), &[], None))
        .unwrap();
    // Counted while open (with the scrape's own; the registration's may take a moment to
    // close), for at least the 2 s its write waits.
    let open = "qoima_connections_open";
    wait_gauge(&server, &reader, open, 2.0);
    // Then only the scrape's own connection is left.
    wait_gauge(&server, &reader, open, 1.0);
    let mut received = Vec::new();
    let _ = stalled.read_to_end(&mut received);
    assert!(
        received.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        &received[..64]
    );
    assert!(
        received.len() < content.len(),
        "{} bytes: the whole content was sent",
        received.len()
    );
}

/// A PDF of about `n` bytes that does not compress.
fn large_pdf(n: u32) -> Vec<u8> {
    let mut content = b"%PDF-1.7\n% large\n".to_vec();
    content.extend((0..n).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    content.extend_from_slice(b"\n%%EOF\n");
    content
}

/// A detached CMS over `content` by the individual, without signed attributes and with
/// SHA-512: its signature is over the content itself under a digest the vault does not keep
/// (it keeps the SHA-256), so verifying it reads and hashes the content again.
fn signed_without_attributes(content: &[u8]) -> Vec<u8> {
    use qoima_verifier::path::Certificate;
    use qoima_verifier::testing::{
        ID_DATA, ID_SHA512, ID_SIGNED_DATA, SHA512_WITH_RSA, algorithm, der_tlv, integer, octets,
        oid, pki, rsa_sha512, seq, set,
    };
    let cert = Certificate::from_der(pki::INDIVIDUAL).unwrap();
    let signer_info = seq(&[
        &integer(&[1]),
        &seq(&[cert.issuer_raw(), &integer(cert.serial())]),
        &algorithm(ID_SHA512),
        &algorithm(SHA512_WITH_RSA),
        &octets(&rsa_sha512(pki::INDIVIDUAL_KEY, content)),
    ]);
    let signed_data = seq(&[
        &integer(&[1]),
        &set(&[&algorithm(ID_SHA512)]),
        &seq(&[&oid(ID_DATA)]),
        &der_tlv(0xA0, pki::INDIVIDUAL),
        &set(&[&signer_info]),
    ]);
    seq(&[&oid(ID_SIGNED_DATA), &der_tlv(0xA0, &signed_data)])
}

// 6. Registrations within the bound on verifications.

#[test]
fn a_registration_verifies_within_a_verification_slot_and_brings_at_most_32_signatures() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    // 32 signatures over 48 MiB, each verified over the bytes: seconds of hashing.
    let content = large_pdf(48 << 20);
    let address = vault.put("large.pdf", &content);
    let signature = common::b64(&signed_without_attributes(&content));
    let body = |n: usize| {
        serde_json::json!({
            "sha256": address,
            "signatures": vec![signature.clone(); n],
            "class": "project-documentation",
            "participant": "acme",
            "expectIin": common::INDIVIDUAL_IIN,
        })
        .to_string()
        .into_bytes()
    };
    let server = start(
        &vault,
        &[
            ("TOKIO_WORKER_THREADS", "1"),
            ("QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS", "1"),
        ],
    );

    // More than 32: refused before anything is verified, nothing stored.
    let reply = call(
        &server,
        "POST",
        "/v1/documents",
        Some(&writer),
        &[JSON],
        &body(33),
    );
    assert_eq!(reply.status, 422, "{reply:?}");
    assert!(
        reply
            .detail()
            .contains("signatures: 33 given; a document is registered with at most 32"),
        "{reply:?}"
    );

    // 32: the registration takes the one verification slot while it verifies, and the
    // server answers meanwhile.
    let url = server.url.clone();
    let (writer_key, large) = (writer.clone(), body(32));
    let registering = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(300)))
            .unwrap();
        let mut request = head_of(
            "POST",
            "/v1/documents",
            Some(&writer_key),
            &[JSON, ("Connection", "close")],
            Some(large.len()),
        );
        request.extend_from_slice(&large);
        stream.write_all(&request).unwrap();
        read_reply(&mut stream)
    });
    wait_gauge(&server, &reader, "qoima_verifications_running", 1.0);
    let health = call(&server, "GET", "/healthz", None, &[], b"");
    assert_eq!(health.status, 200, "{health:?}");
    let reply = registering.join().unwrap();
    // Whatever the verdict on such signatures, they were verified, and the slot is free.
    assert!(matches!(reply.status, 201 | 422), "{reply:?}");
    assert_eq!(
        gauge(&server, &reader, "qoima_verifications_running"),
        Some(0.0)
    );
}
