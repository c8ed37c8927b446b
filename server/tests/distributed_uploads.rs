//! Resumable uploads across the nodes of the distributed backend (`[storage] backend =
//! "postgres-s3"`): two real `qoima serve` nodes on one PostgreSQL database and one Ceph S3
//! bucket, both started for this test process by `scripts/postgres/start.sh` and
//! `scripts/ceph-rgw/start.sh` (`distributed/clusters.rs`). The staging state is a row every
//! node reads and the staged bytes are objects in the bucket, so a PATCH may go to any node:
//! an upload begun on one node, killed (SIGKILL) mid-upload, is finished through the other by
//! tuspy (the tus project's Python client, `tests/tus/upload.py`) and registered there; a
//! PATCH retried through the other node compares the bytes it resends; a PATCH in
//! progress on one node makes the upload busy (423) on the other; and a key's uploads at once
//! are bounded across the nodes, not per node.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Output;
use std::time::Duration;

use base64::Engine as _;
use common::clusters::{VAULT_ROLE, shared};
use common::records::ok;
use common::tus::uploaded;
use common::{Server, Vault, json, pdf, registration};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A node's vault: a data directory of its own, the `[storage]` of `database` and `bucket`.
fn node(database: &str, bucket: &str) -> Vault {
    let shared = shared();
    Vault::with_config_tail(&format!(
        "\n[storage]\n\
         backend = \"postgres-s3\"\n\
         postgres = \"{}\"\n\
         [storage.s3]\n\
         endpoint = \"{}\"\n\
         bucket = \"{bucket}\"\n",
        shared.url(VAULT_ROLE, database),
        shared.endpoint(),
    ))
}

/// `qoima` on `vault` with the bucket's credentials.
fn qoima(vault: &Vault, args: &[&str]) -> Output {
    let out = vault
        .command(None)
        .envs(shared().s3_credentials())
        .args(args)
        .output()
        .unwrap();
    ok(&out);
    out
}

/// Two nodes on a new database and bucket, prepared by `qoima storage init`, and a writer's
/// and a reader's key.
fn two_nodes() -> ([Vault; 2], String, String) {
    let shared = shared();
    let (database, bucket) = (shared.database(), shared.bucket_name());
    let nodes = [node(&database, &bucket), node(&database, &bucket)];
    qoima(
        &nodes[0],
        &[
            "storage",
            "init",
            "--owner-url",
            &shared.owner_url(&database),
        ],
    );
    let key = |role: &str| {
        let out = qoima(&nodes[0], &["keys", "create", "--role", role, "--json"]);
        json(&out)["key"].as_str().unwrap().to_owned()
    };
    let (writer, reader) = (key("writer"), key("reader"));
    (nodes, writer, reader)
}

fn serve(vault: &Vault) -> Server {
    Server::start_with_env(vault, &shared().s3_credentials_ref())
}

/// A PDF followed by `extra` bytes of noise.
fn content(extra: usize) -> Vec<u8> {
    let mut content = pdf(11);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    content.extend((0..extra).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    content
}

/// The JSON of `POST /v1/documents` registering upload `id` of `content`.
fn register_body(id: &str, content: &[u8]) -> Vec<u8> {
    let mut body: Value = serde_json::from_slice(&registration("", content)).unwrap();
    let body = body.as_object_mut().unwrap();
    body.remove("sha256");
    body.insert("upload".into(), id.into());
    serde_json::to_vec(body).unwrap()
}

fn metadata(content: &[u8]) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "sha256 {},filename {}",
        b64(hex::encode(Sha256::digest(content)).as_bytes()),
        b64(b"drawing.pdf")
    )
}

/// A tus request with `Tus-Resumable: 1.0.0`: status, headers, body.
fn tus(
    server: &Server,
    key: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, hyper::HeaderMap, String) {
    let mut all = vec![("Tus-Resumable", "1.0.0")];
    all.extend_from_slice(headers);
    let (status, headers, body) = server.send(key, method, path, &all, body.to_vec());
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn offset_of(headers: &hyper::HeaderMap) -> u64 {
    headers["upload-offset"].to_str().unwrap().parse().unwrap()
}

/// `PATCH path` of `body` at `offset`.
fn patch(
    server: &Server,
    key: &str,
    path: &str,
    offset: usize,
    body: &[u8],
) -> (u16, hyper::HeaderMap, String) {
    let offset = offset.to_string();
    tus(
        server,
        key,
        "PATCH",
        path,
        &[
            ("Content-Type", "application/offset+octet-stream"),
            ("Upload-Offset", &offset),
        ],
        body,
    )
}

/// `POST /v1/uploads` of an upload of `content`: its path.
fn create(server: &Server, key: &str, content: &[u8]) -> String {
    let length = content.len().to_string();
    let (status, headers, body) = tus(
        server,
        key,
        "POST",
        "/v1/uploads",
        &[
            ("Upload-Length", &length),
            ("Upload-Metadata", &metadata(content)),
        ],
        b"",
    );
    assert_eq!(status, 201, "{body}");
    let location = headers["location"].to_str().unwrap();
    format!(
        "/v1/uploads/{}",
        location.rsplit_once("/v1/uploads/").unwrap().1
    )
}

#[test]
fn an_upload_begun_on_a_killed_node_is_finished_and_registered_on_another() {
    let ([one, two], writer, reader) = two_nodes();
    let mut victim = serve(&one);
    let survivor = serve(&two);
    let content = content(4 << 20);
    let file = one.dir.path().join("drawing.pdf");
    std::fs::write(&file, &content).unwrap();

    // tuspy sends two PATCHes of 1 MiB to the first node, then the node is killed.
    let begun = uploaded(&victim, &writer, &file, &["--chunks", "2"]);
    assert_eq!(begun["offset"], 2 << 20, "{begun}");
    let id = begun["id"].as_str().unwrap().to_owned();
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();

    // A new tuspy process resumes it at the other node, from the offset that node gives.
    let resume = format!("{}/v1/uploads/{id}", survivor.url);
    let finished = uploaded(&survivor, &writer, &file, &["--resume", &resume]);
    assert_eq!(finished["resumedFrom"], 2 << 20, "{finished}");
    assert_eq!(finished["offset"], content.len(), "{finished}");

    let (status, text) = survivor.request(
        &writer,
        "POST",
        "/v1/documents",
        register_body(&id, &content),
    );
    assert_eq!(status, 201, "{text}");
    let registered: Value = serde_json::from_str(&text).unwrap();
    let path = format!(
        "/v1/documents/{}/content",
        registered["id"].as_str().unwrap()
    );
    let (status, _, read) = survivor.send(&reader, "GET", &path, &[], Vec::new());
    assert_eq!(status, 200);
    assert!(read == content, "the registered content differs");
    // The registration consumed the upload: no node knows it any more.
    let (status, _, _) = tus(
        &survivor,
        &writer,
        "HEAD",
        &format!("/v1/uploads/{id}"),
        &[],
        b"",
    );
    assert_eq!(status, 404);
}

#[test]
fn a_patch_retried_through_another_node_compares_what_it_resends() {
    let ([one, two], writer, reader) = two_nodes();
    let servers = [serve(&one), serve(&two)];
    let content = content(300_000);
    let path = create(&servers[0], &writer, &content);

    let (status, headers, body) = patch(&servers[0], &writer, &path, 0, &content[..100_000]);
    assert_eq!(status, 204, "{body}");
    assert_eq!(offset_of(&headers), 100_000);
    // Its answer was lost: the client sends it again, with more, to the other node.
    let (status, headers, body) = patch(&servers[1], &writer, &path, 0, &content[..150_000]);
    assert_eq!(status, 204, "{body}");
    assert_eq!(offset_of(&headers), 150_000);
    // A retry whose resent bytes differ changes nothing, on either node.
    let mut other = content[50_000..200_000].to_vec();
    other[10] ^= 1;
    for server in &servers {
        let (status, _, body) = patch(server, &writer, &path, 50_000, &other);
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("50010"), "{body}");
    }
    let (status, headers, _) = tus(&servers[0], &writer, "HEAD", &path, &[], b"");
    assert_eq!(status, 200);
    assert_eq!(offset_of(&headers), 150_000);
    // The rest through the first node; registered through the second.
    let (status, headers, body) = patch(&servers[0], &writer, &path, 150_000, &content[150_000..]);
    assert_eq!(status, 204, "{body}");
    assert_eq!(offset_of(&headers), content.len() as u64);
    let id = path.rsplit_once('/').unwrap().1;
    let (status, text) = servers[1].request(
        &writer,
        "POST",
        "/v1/documents",
        register_body(id, &content),
    );
    assert_eq!(status, 201, "{text}");
    let registered: Value = serde_json::from_str(&text).unwrap();
    let (status, _, read) = servers[0].send(
        &reader,
        "GET",
        &format!(
            "/v1/documents/{}/content",
            registered["id"].as_str().unwrap()
        ),
        &[],
        Vec::new(),
    );
    assert_eq!(status, 200);
    assert!(read == content, "the registered content differs");
}

#[test]
fn a_patch_in_progress_on_one_node_makes_the_upload_busy_on_the_other() {
    let ([one, two], writer, _) = two_nodes();
    let servers = [serve(&one), serve(&two)];
    let content = content(20_000);
    let path = create(&servers[0], &writer, &content);

    // Half a PATCH body to the first node, by hand; the rest later.
    let address = servers[0].url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let head = format!(
        "PATCH {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {writer}\r\n\
         Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n\
         Upload-Offset: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&content[..10_000]).unwrap();
    stream.flush().unwrap();
    // The first node holds the upload's row once it has begun the PATCH.
    let mut busy = None;
    for _ in 0..100 {
        let (status, _, body) = patch(&servers[1], &writer, &path, 0, &content[..10]);
        if status == 423 {
            busy = Some(body);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let busy = busy.expect("the other node never found the upload busy");
    assert!(busy.contains("busy"), "{busy}");
    let (status, _, _) = tus(&servers[1], &writer, "DELETE", &path, &[], b"");
    assert_eq!(status, 423);

    stream.write_all(&content[10_000..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains(&format!("upload-offset: {}", content.len())),
        "{answer}"
    );
    // Free again: the other node terminates it.
    let (status, _, body) = tus(&servers[1], &writer, "DELETE", &path, &[], b"");
    assert_eq!(status, 204, "{body}");
    let (status, _, _) = tus(&servers[0], &writer, "HEAD", &path, &[], b"");
    assert_eq!(status, 404);
}

#[test]
fn a_key_s_uploads_at_once_are_bounded_across_the_nodes() {
    let ([one, two], writer, _) = two_nodes();
    let mut env = shared().s3_credentials_ref().to_vec();
    env.push(("QOIMA_SERVER_MAX_UPLOADS_PER_KEY", "3"));
    let servers = [
        Server::start_with_env(&one, &env),
        Server::start_with_env(&two, &env),
    ];
    let content = content(1000);
    let length = content.len().to_string();
    let metadata = metadata(&content);
    // Twelve creations at once, six to each node.
    let barrier = std::sync::Barrier::new(12);
    let statuses: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12)
            .map(|i| {
                let (server, barrier) = (&servers[i % 2], &barrier);
                let (writer, length, metadata) = (&writer, &length, &metadata);
                s.spawn(move || {
                    barrier.wait();
                    let (status, _, body) = tus(
                        server,
                        writer,
                        "POST",
                        "/v1/uploads",
                        &[("Upload-Length", length), ("Upload-Metadata", metadata)],
                        b"",
                    );
                    (status, body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let created = statuses.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 3, "{statuses:?}");
    for (status, body) in &statuses {
        assert!(
            *status == 201 || (*status == 429 && body.contains("at most 3 at once")),
            "{status} {body}"
        );
    }
    // Neither node takes a fourth afterwards.
    for server in &servers {
        let (status, _, body) = tus(
            server,
            &writer,
            "POST",
            "/v1/uploads",
            &[("Upload-Length", &length), ("Upload-Metadata", &metadata)],
            b"",
        );
        assert_eq!(status, 429, "{body}");
    }
}
