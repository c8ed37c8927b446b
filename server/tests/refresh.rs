//! The refresh of revocation data in a running `qoima serve`, end to end: a real HTTP server
//! on loopback publishes ca-rsa's CRLs (`server/testdata/refresh/generate.sh`), changed during
//! the test, and the real server, its wall clock started at 2026-06-15T12:00:00Z by
//! libfaketime (the CRLs' dates are fixed), fetches them, checks them and verifies with them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Server, Vault, b64, key, pki};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The server's clock at its start.
const START: &str = "2026-06-15T12:00:00Z";
/// thisUpdate of ca-2, ca-3 and the delta CRL (2026-06-15 at 00:00, 06:00, 07:00).
const CA_2_THIS_UPDATE: i64 = 1_781_481_600;
const CA_3_THIS_UPDATE: i64 = 1_781_503_200;
const DELTA_THIS_UPDATE: i64 = 1_781_506_800;

fn crl(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/refresh")
        .join(name);
    std::fs::read(path).unwrap()
}

/// What each path answers: a CRL, or a bare status.
type Answers = Arc<Mutex<HashMap<String, Result<Vec<u8>, u16>>>>;

/// A CRL publisher on loopback: each path answers its CRL, or a bare status.
struct Publisher {
    url: String,
    answers: Answers,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Publisher {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let answers: Answers = Arc::default();
        let hits: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let (a, h) = (Arc::clone(&answers), Arc::clone(&hits));
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (answers, hits) = (Arc::clone(&a), Arc::clone(&h));
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let path = request.uri().path().to_owned();
                        *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                        let answer = answers.lock().unwrap().get(&path).cloned();
                        let response = match answer {
                            Some(Ok(bytes)) => Response::new(Full::new(Bytes::from(bytes))),
                            Some(Err(status)) => {
                                let mut response = Response::new(Full::new(Bytes::new()));
                                *response.status_mut() = status.try_into().unwrap();
                                response
                            }
                            None => {
                                let mut response = Response::new(Full::new(Bytes::new()));
                                *response.status_mut() = hyper::StatusCode::NOT_FOUND;
                                response
                            }
                        };
                        async move { Ok::<_, Infallible>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            url,
            answers,
            hits,
            _runtime: runtime,
        }
    }

    fn publish(&self, path: &str, answer: Result<Vec<u8>, u16>) {
        self.answers.lock().unwrap().insert(path.to_owned(), answer);
    }

    fn hits(&self, path: &str) -> u32 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// A vault trusting root-rsa and ca-rsa, with root-rsa's CRL and ca-1 (lapsing 20 s after
/// [`START`]) as files, and `revocation` as its `[revocation]` table.
fn vault(revocation: &str) -> Vault {
    let vault = Vault::new();
    let etc = vault.config.parent().unwrap();
    std::fs::write(etc.join("pki/ca-1.crl"), crl("ca-1.crl")).unwrap();
    vault.write_config(&format!(
        "[trust]\n\
             anchors = [\"pki/root-rsa.cer\"]\n\
             intermediates = [\"pki/ca-rsa.cer\"]\n\
             crls = [\"pki/ca-1.crl\", \"pki/root-rsa.crl\"]\n\
             \n\
             [revocation]\n\
             {revocation}"
    ));
    vault
}

/// `/v1/verify` of `signer`'s detached signature over `doc-4k.txt`, at the server's now.
fn verify(server: &Server, reader: &str, signer: &str) -> Value {
    let cms = std::fs::read(pki(&format!("cms/{signer}.detached.p7s"))).unwrap();
    let doc = std::fs::read(pki("doc-4k.txt")).unwrap();
    let body = serde_json::json!({ "signature": b64(&cms), "content": b64(&doc) });
    let (status, text) =
        server.request(reader, "POST", "/v1/verify", body.to_string().into_bytes());
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[track_caller]
fn assert_passed(report: &Value) {
    assert_eq!(report["indication"], "TOTAL_PASSED", "{report:#}");
}

#[track_caller]
fn assert_revoked(report: &Value) {
    assert_ne!(report["indication"], "TOTAL_PASSED", "{report:#}");
    assert!(
        report["subIndication"]
            .as_str()
            .is_some_and(|s| s.starts_with("REVOKED")),
        "{report:#}"
    );
}

/// The value of `name{source="source"}` in `/metrics`.
fn metric(server: &Server, reader: &str, name: &str, source: &str) -> Option<i64> {
    let (status, text) = server.request(reader, "GET", "/metrics", Vec::new());
    assert_eq!(status, 200);
    let prefix = format!("{name}{{source=\"{source}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|value| value.parse().unwrap())
}

/// Waits (at most 30 s) for `done`.
#[track_caller]
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "waited 30 s for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn health(server: &Server) -> Value {
    let (status, text) = server.request("", "GET", "/healthz", Vec::new());
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn fetched_crls_are_checked_and_used_by_the_running_server() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let publisher = Publisher::start();
    publisher.publish("/ca.crl", Ok(crl("ca-2.crl")));
    publisher.publish("/delta.crl", Err(503));
    let (ca, delta) = (
        format!("{}/ca.crl", publisher.url),
        format!("{}/delta.crl", publisher.url),
    );
    let gone = format!("http://127.0.0.1:{}/gone.crl", closed_port());
    let vault = vault(&format!(
        "urls = [\"{ca}\", \"{delta}\", \"{gone}\"]\n\
         check-interval-seconds = 1\n\
         retry-base-seconds = 1\n\
         retry-cap-seconds = 2\n"
    ));
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let pdf = common::pdf(1);
    let address = vault.put("doc.pdf", &pdf);
    let server = Server::start_at(&vault, START);
    let started = Instant::now();
    let this_update =
        |source: &str| metric(&server, &reader, "qoima_crl_this_update_seconds", source);
    let failures = |source: &str| {
        metric(&server, &reader, "qoima_crl_fetch_failures_total", source).unwrap_or(0)
    };

    // ca-rsa's certificate names root-rsa's distribution point: it is tried too (`.test`
    // never resolves), a failure that changes nothing else.
    wait_for("the distribution point", || {
        failures("http://crl.qoima.test/root-rsa.crl") >= 1
    });
    // Each URL is fetched when the server starts: ca-2 comes at once.
    wait_for("ca-2", || this_update(&ca) == Some(CA_2_THIS_UPDATE));
    assert_passed(&verify(&server, &reader, "individual"));

    // (1) After ca-1's nextUpdate (20 s after the start) the server still verifies, on ca-2.
    std::thread::sleep(Duration::from_secs(22).saturating_sub(started.elapsed()));
    assert_passed(&verify(&server, &reader, "individual"));
    assert_eq!(health(&server)["status"], "ok");
    // A registration now passes too, and its evidence references the fetched CRL, kept as
    // content before it was used.
    let cms = qoima_verifier::testing::sign_detached(
        &std::fs::read(pki("certs/individual.cer")).unwrap(),
        &std::fs::read_to_string(pki("keys/individual.key.pem")).unwrap(),
        &pdf,
    );
    let body = serde_json::json!({
        "sha256": address,
        "signatures": [b64(&cms)],
        "class": "expertise-application",
        "participant": "ТОО Тест",
        "expectIin": common::INDIVIDUAL_IIN,
    });
    let (status, text) = server.request(
        &writer,
        "POST",
        "/v1/documents",
        body.to_string().into_bytes(),
    );
    assert_eq!(status, 201, "{text}");
    let id = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let versions = server.get_json(&writer, &format!("/v1/documents/{id}/versions"));
    let evidence = &versions["versions"][0]["crls"];
    let of = |der: &[u8]| serde_json::json!(qoima_vault::ContentAddress::of(der).to_string());
    assert!(
        evidence.as_array().unwrap().contains(&of(&crl("ca-2.crl"))),
        "{evidence}"
    );
    assert!(
        !evidence.as_array().unwrap().contains(&of(&crl("ca-1.crl"))),
        "{evidence}"
    );

    // (4) 503 and a refused connection: retried with back-off, counted; nothing else changes.
    wait_for("503 retries", || failures(&delta) >= 3);
    assert!(publisher.hits("/delta.crl") >= 3);
    wait_for("refused connections", || failures(&gone) >= 2);
    assert_eq!(this_update(&delta), None);
    assert_passed(&verify(&server, &reader, "employee"));

    // (5) A delta CRL on top of ca-2 adds a revocation.
    publisher.publish("/delta.crl", Ok(crl("ca-delta.crl")));
    wait_for("the delta CRL", || {
        this_update(&delta) == Some(DELTA_THIS_UPDATE)
    });
    assert_revoked(&verify(&server, &reader, "employee"));
    assert_passed(&verify(&server, &reader, "individual"));

    // (3) A CRL with a bad signature is refused, counted, and ca-2 stays: `head` is not revoked.
    let before = failures(&ca);
    publisher.publish("/ca.crl", Ok(crl("ca-bad.crl")));
    wait_for("the bad CRL's refusal", || failures(&ca) > before);
    assert_eq!(this_update(&ca), Some(CA_2_THIS_UPDATE));
    assert_passed(&verify(&server, &reader, "head"));

    // (2) ca-3, published now, revokes `individual`: refused after the next fetch.
    publisher.publish("/ca.crl", Ok(crl("ca-3.crl")));
    wait_for("ca-3", || this_update(&ca) == Some(CA_3_THIS_UPDATE));
    assert_revoked(&verify(&server, &reader, "individual"));
    // The delta (base 0x21) still applies on ca-3 (number 0x22).
    assert_revoked(&verify(&server, &reader, "employee"));
    assert_eq!(health(&server)["status"], "ok");
}

#[test]
fn offline_a_lapsed_crl_makes_verdicts_try_later_and_health_degraded() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    // The same files, no fetching, the clock 30 s on: ca-1 has lapsed.
    let vault = vault("fetch = false\n");
    let reader = key(&vault, "reader");
    let server = Server::start_at(&vault, "2026-06-15T12:00:30Z");
    let report = verify(&server, &reader, "individual");
    assert_ne!(report["indication"], "TOTAL_PASSED", "{report:#}");
    assert_eq!(report["subIndication"], "TRY_LATER", "{report:#}");
    let health = health(&server);
    assert_eq!(health["status"], "degraded", "{health}");
    let stale = health["staleCrls"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{health}");
    assert!(stale[0].as_str().unwrap().starts_with("file:"), "{health}");
    let (_, metrics) = server.request(&reader, "GET", "/metrics", Vec::new());
    assert!(
        metrics.contains("qoima_crl_next_update_seconds{source=\"file:"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("qoima_crl_fetch_failures_total{"),
        "{metrics}"
    );
}
