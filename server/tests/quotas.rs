//! Upload quotas per API key end to end, with a real HTTP client against the real
//! `qoima serve`: uploads at once and bytes declared per day, each refused past its limit with
//! 429, problem+json and `Retry-After`; one key's use never limits another.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{Server, Vault, b64, key};
use serde_json::Value;

/// `POST /v1/uploads` of a `length`-byte upload by `key`: the status, the headers, the body.
fn create(server: &Server, key: &str, length: u64) -> (u16, hyper::HeaderMap, Vec<u8>) {
    let sha256 = hex::encode(qoima_verifier::testing::sha256(&length.to_le_bytes()));
    let metadata = format!("sha256 {}", b64(sha256.as_bytes()));
    let length = length.to_string();
    server.send(
        key,
        "POST",
        "/v1/uploads",
        &[
            ("tus-resumable", "1.0.0"),
            ("upload-length", &length),
            ("upload-metadata", &metadata),
        ],
        Vec::new(),
    )
}

/// The upload's path, from a 201.
fn created(answer: (u16, hyper::HeaderMap, Vec<u8>)) -> String {
    let (status, headers, body) = answer;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    headers["location"].to_str().unwrap().to_owned()
}

/// A 429 problem: its `Retry-After` in seconds and its detail.
fn too_many(answer: (u16, hyper::HeaderMap, Vec<u8>)) -> (u64, String) {
    let (status, headers, body) = answer;
    assert_eq!(status, 429, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(headers["tus-resumable"], "1.0.0");
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["status"], 429);
    let retry = headers["retry-after"].to_str().unwrap().parse().unwrap();
    (retry, problem["detail"].as_str().unwrap().to_owned())
}

#[test]
fn uploads_at_once_and_bytes_a_day_are_bounded_per_key() {
    let vault = Vault::new();
    let [first, second, third] = ["writer"; 3].map(|role| key(&vault, role));
    let server = Server::start_with_env(
        &vault,
        &[
            ("QOIMA_SERVER_MAX_UPLOADS_PER_KEY", "2"),
            ("QOIMA_SERVER_MAX_UPLOAD_BYTES_PER_KEY_PER_DAY", "1000"),
        ],
    );

    // Two uploads at once, not three; the other keys are not affected.
    let one = created(create(&server, &first, 10));
    created(create(&server, &first, 11));
    let (retry, detail) = too_many(create(&server, &first, 12));
    assert_eq!(retry, 60);
    assert!(detail.contains("at most 2 at once"), "{detail}");
    created(create(&server, &second, 10));
    // Terminated, an upload no longer counts.
    let (status, _, body) = server.send(
        &first,
        "DELETE",
        &one,
        &[("tus-resumable", "1.0.0")],
        Vec::new(),
    );
    assert_eq!(status, 204, "{}", String::from_utf8_lossy(&body));
    created(create(&server, &first, 13));

    // 1000 bytes declared a day: 600 and 400 fit, 500 after 600 does not, and a terminated
    // upload's bytes stay counted (they were received, or could have been).
    let big = created(create(&server, &third, 600));
    let (retry, detail) = too_many(create(&server, &third, 500));
    assert!(
        (1..=86_400).contains(&retry),
        "until the next UTC day: {retry}"
    );
    assert!(detail.contains("quota of 1000 bytes a day"), "{detail}");
    let (status, _, _) = server.send(
        &third,
        "DELETE",
        &big,
        &[("tus-resumable", "1.0.0")],
        Vec::new(),
    );
    assert_eq!(status, 204);
    created(create(&server, &third, 400));
    too_many(create(&server, &third, 1));
    // A refusal took nothing: the second key still has its own quotas.
    created(create(&server, &second, 990));
}
