//! OCSP over HTTP on the registration path of a running `qoima serve`, end to end: the real
//! server, its clock started at 2026-06-15T12:00:00Z by libfaketime, asks a responder on
//! loopback about its signers' certificates (`[revocation] ocsp-url`, since the test PKI's
//! certificates name no responder), and the CRLs answer when the responder cannot.
//!
//! The responder is `openssl ocsp` itself, over an index this test writes: `individual` good,
//! `head` revoked (keyCompromise), which ca-rsa's CRL does not say, so a refusal of `head`
//! can only come from OCSP. `openssl ocsp -port` would listen on every interface; a loopback
//! HTTP server here takes each POST and hands it to `openssl ocsp -reqin … -respout …` (the
//! same responder code, one request per process), under `faketime` at the server's date.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::{Server, Vault, b64, key, pki};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The server's clock at its start, and the responder's.
const START: &str = "2026-06-15T12:00:00Z";
const RESPONDER_CLOCK: &str = "2026-06-15 12:00:00";
/// `head`'s IIN (`verifier/testdata/pki/identities.txt`).
const HEAD_IIN: &str = "791122405066";

/// How the responder answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `openssl ocsp` answers.
    OpenSsl,
    /// OCSPResponse { tryLater } (`verifier/testdata/pki/ocsp/trylater.der`).
    TryLater,
}

/// An OCSP responder on loopback.
struct Responder {
    url: String,
    mode: Arc<Mutex<Mode>>,
    requests: Arc<AtomicU32>,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

/// The responder's status database (openssl's index.txt): individual good, head revoked.
fn index() -> String {
    let serial = |n: &str| format!("20260000000000000000000000000000000000{n}");
    format!(
        "V\t280101000000Z\t\t{}\tunknown\t/CN=individual\n\
         R\t280101000000Z\t260301000000Z,keyCompromise\t{}\tunknown\t/CN=head\n",
        serial("10"),
        serial("11"),
    )
}

/// `openssl ocsp` as the responder for one request: ca-rsa signs, nextUpdate a day on.
fn openssl_answer(dir: &Path, request: &[u8], n: u32) -> Vec<u8> {
    let (req, resp) = (dir.join(format!("{n}.req")), dir.join(format!("{n}.resp")));
    std::fs::write(&req, request).unwrap();
    let out = Command::new("faketime")
        .arg(RESPONDER_CLOCK)
        .arg("openssl")
        .args(["ocsp", "-index"])
        .arg(dir.join("index.txt"))
        .arg("-CA")
        .arg(pki("certs/ca-rsa.cer"))
        .arg("-rsigner")
        .arg(pki("certs/ca-rsa.cer"))
        .arg("-rkey")
        .arg(pki("keys/ca-rsa.key.pem"))
        .args(["-ndays", "1", "-reqin"])
        .arg(&req)
        .arg("-respout")
        .arg(&resp)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl ocsp: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(resp).unwrap()
}

impl Responder {
    fn start(mode: Mode) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.txt"), index()).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let mode = Arc::new(Mutex::new(mode));
        let requests = Arc::new(AtomicU32::new(0));
        let (m, r, d): (_, _, PathBuf) = (
            Arc::clone(&mode),
            Arc::clone(&requests),
            dir.path().to_owned(),
        );
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (mode, requests, dir) = (Arc::clone(&m), Arc::clone(&r), d.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let (mode, requests, dir) =
                            (Arc::clone(&mode), Arc::clone(&requests), dir.clone());
                        async move {
                            let n = requests.fetch_add(1, Ordering::SeqCst);
                            let typed = request
                                .headers()
                                .get("content-type")
                                .is_some_and(|v| v == "application/ocsp-request");
                            let post = request.method() == hyper::Method::POST;
                            let body = request.into_body().collect().await.unwrap().to_bytes();
                            let mode = *mode.lock().unwrap();
                            let answer = match mode {
                                _ if !(post && typed) => None,
                                Mode::OpenSsl => Some(
                                    tokio::task::spawn_blocking(move || {
                                        openssl_answer(&dir, &body, n)
                                    })
                                    .await
                                    .unwrap(),
                                ),
                                Mode::TryLater => {
                                    Some(std::fs::read(pki("ocsp/trylater.der")).unwrap())
                                }
                            };
                            let response = match answer {
                                Some(bytes) => Response::builder()
                                    .header("content-type", "application/ocsp-response")
                                    .body(Full::new(Bytes::from(bytes)))
                                    .unwrap(),
                                None => Response::builder()
                                    .status(StatusCode::BAD_REQUEST)
                                    .body(Full::new(Bytes::new()))
                                    .unwrap(),
                            };
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            url,
            mode,
            requests,
            _dir: dir,
            _runtime: runtime,
        }
    }

    fn requests(&self) -> u32 {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A vault asking `ocsp_url` (ca-rsa's and root-rsa's CRLs as files), with `n` PDFs stored.
fn vault_asking(ocsp_url: &str, n: u32) -> (Vault, Vec<String>) {
    vault_asking_with(ocsp_url, n, "")
}

/// [`vault_asking`] with more `[revocation]` settings. The back-off is the default's (a
/// refusal held 30 s), far longer than any test's registrations take on a loaded machine.
fn vault_asking_with(ocsp_url: &str, n: u32, more: &str) -> (Vault, Vec<String>) {
    let vault = Vault::with_config_tail(&format!(
        "\n[revocation]\nocsp-url = \"{ocsp_url}\"\nocsp-timeout-seconds = 5\n{more}"
    ));
    let addresses = (1..=n)
        .map(|i| vault.put(&format!("doc{i}.pdf"), &common::pdf(i)))
        .collect();
    (vault, addresses)
}

/// `POST /v1/documents` of PDF `n` (stored at `address`) signed by `signer` (IIN `iin`): the
/// status and the JSON answer.
fn register(
    server: &Server,
    writer: &str,
    n: u32,
    address: &str,
    signer: &str,
    iin: &str,
) -> (u16, Value) {
    let cms = qoima_verifier::testing::sign_detached(
        &std::fs::read(pki(&format!("certs/{signer}.cer"))).unwrap(),
        &std::fs::read_to_string(pki(&format!("keys/{signer}.key.pem"))).unwrap(),
        &common::pdf(n),
    );
    let body = serde_json::json!({
        "sha256": address,
        "signatures": [b64(&cms)],
        "class": "expertise-application",
        "participant": "ТОО Тест",
        "expectIin": iin,
    });
    let (status, text) = server.request(
        writer,
        "POST",
        "/v1/documents",
        body.to_string().into_bytes(),
    );
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// [`register`] of PDF `n` signed by the individual, which must be accepted: the answer.
fn register_individual(server: &Server, writer: &str, n: u32, address: &str) -> Value {
    let (status, registered) = register(
        server,
        writer,
        n,
        address,
        "individual",
        common::INDIVIDUAL_IIN,
    );
    assert_eq!(status, 201, "{registered:#}");
    registered
}

/// The revocation entry of the signer's own certificate in the first report.
fn signer_revocation(answer: &Value) -> &Value {
    &answer["reports"][0]["signers"][0]["revocation"][0]
}

/// The value of `qoima_ocsp_answers_total{outcome="outcome"}` in `/metrics`.
fn answers(server: &Server, reader: &str, outcome: &str) -> u64 {
    metric(
        server,
        reader,
        &format!("qoima_ocsp_answers_total{{outcome=\"{outcome}\"}}"),
    ) as u64
}

/// The value of the sample `sample` (a name, with its labels if any) in `/metrics`, 0 when
/// absent.
fn metric(server: &Server, reader: &str, sample: &str) -> f64 {
    let (status, text) = server.request(reader, "GET", "/metrics", Vec::new());
    assert_eq!(status, 200);
    let prefix = format!("{sample} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0.0, |value| value.parse().unwrap())
}

#[test]
fn a_good_certificate_passes_on_ocsp_and_a_revoked_one_is_refused() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let responder = Responder::start(Mode::OpenSsl);
    let (vault, addresses) = vault_asking(&responder.url, 3);
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let server = Server::start_at(&vault, START);

    // individual: good by OCSP, the response fetched now and kept as evidence.
    let registered = register_individual(&server, &writer, 1, &addresses[0]);
    let entry = signer_revocation(&registered);
    assert_eq!(entry["status"], "good", "{entry:#}");
    assert_eq!(entry["statusSource"], "ocsp", "{entry:#}");
    assert_eq!(entry["ocsp"]["origin"], "request", "{entry:#}");
    assert_eq!(entry["ocsp"]["responder"], "ca", "{entry:#}");
    assert_eq!(entry["ocsp"]["certIdHash"], "SHA-1", "{entry:#}");
    let produced = entry["ocsp"]["producedAt"].as_str().unwrap();
    assert!(produced.starts_with("2026-06-15T12:00:0"), "{produced}");
    let evidence = registered["ocspResponses"].as_array().unwrap();
    assert_eq!(evidence.len(), 1, "{registered:#}");
    assert_eq!(evidence[0], entry["ocsp"]["fingerprint"]);
    // ca-rsa is asked about too: the responder answers as ca-rsa, which is neither root-rsa
    // nor a responder root-rsa authorised, so the answer is refused and root-rsa's CRL answers.
    let ca_entry = &registered["reports"][0]["signers"][0]["revocation"][1];
    assert_eq!(ca_entry["statusSource"], "crl", "{ca_entry:#}");
    assert_eq!(responder.requests(), 2);
    assert_eq!(answers(&server, &reader, "good"), 1);
    assert_eq!(answers(&server, &reader, "refused"), 1);
    // The version read back references the same response.
    let id = registered["id"].as_str().unwrap();
    let versions = server.get_json(&writer, &format!("/v1/documents/{id}/versions"));
    assert_eq!(versions["versions"][0]["ocspResponses"][0], evidence[0]);

    // head: revoked by OCSP (ca-rsa's CRL does not list it): refused.
    let (status, refused) = register(&server, &writer, 2, &addresses[1], "head", HEAD_IIN);
    assert_eq!(status, 422, "{refused:#}");
    let entry = signer_revocation(&refused);
    assert_eq!(entry["status"], "revoked", "{entry:#}");
    assert_eq!(entry["statusSource"], "ocsp", "{entry:#}");
    assert_eq!(entry["reason"], "keyCompromise", "{entry:#}");
    assert!(
        refused["reports"][0]["subIndication"]
            .as_str()
            .is_some_and(|s| s.starts_with("REVOKED")),
        "{refused:#}"
    );
    assert_eq!(answers(&server, &reader, "revoked"), 1);
    // ca-rsa was not asked again (its refusal is held), and the responder not left alone.
    assert_eq!(responder.requests(), 3);
    assert_eq!(answers(&server, &reader, "cached"), 1);
    // Three questions asked (good, refused, revoked), each timed; the cached answer was not.
    let asked = metric(&server, &reader, "qoima_ocsp_request_seconds_count");
    assert_eq!(asked, 3.0);
    let (sum, max) = (
        metric(&server, &reader, "qoima_ocsp_request_seconds_sum"),
        metric(&server, &reader, "qoima_ocsp_request_max_seconds"),
    );
    assert!(sum > 0.0 && max > 0.0 && max <= sum, "sum {sum}, max {max}");

    // individual again: the responses held answer, the responder is not asked.
    let before = responder.requests();
    let again = register_individual(&server, &writer, 3, &addresses[2]);
    assert_eq!(signer_revocation(&again)["statusSource"], "ocsp");
    assert_eq!(again["ocspResponses"], registered["ocspResponses"]);
    assert_eq!(responder.requests(), before);
    assert_eq!(answers(&server, &reader, "cached"), 3);
}

#[test]
fn a_nonce_is_sent_and_echoed_under_sha256_cert_ids() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let responder = Responder::start(Mode::OpenSsl);
    let (vault, addresses) = vault_asking_with(
        &responder.url,
        1,
        "ocsp-hash = \"sha256\"\nocsp-nonce = true\n",
    );
    let writer = key(&vault, "writer");
    let server = Server::start_at(&vault, START);
    let registered = register_individual(&server, &writer, 1, &addresses[0]);
    let entry = signer_revocation(&registered);
    assert_eq!(entry["statusSource"], "ocsp", "{entry:#}");
    assert_eq!(entry["ocsp"]["certIdHash"], "SHA-256", "{entry:#}");
}

#[test]
fn a_responder_down_or_answering_try_later_leaves_the_crls_to_answer() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    // Nobody listens on the responder's port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let (vault, addresses) = vault_asking(&down, 1);
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let server = Server::start_at(&vault, START);
    // head is good by ca-rsa's CRL.
    let (status, registered) = register(&server, &writer, 1, &addresses[0], "head", HEAD_IIN);
    assert_eq!(status, 201, "{registered:#}");
    let entry = signer_revocation(&registered);
    assert_eq!(entry["status"], "good", "{entry:#}");
    assert_eq!(entry["statusSource"], "crl", "{entry:#}");
    assert_eq!(registered["ocspResponses"], serde_json::json!([]));
    assert!(answers(&server, &reader, "failed") >= 1);
    drop(server);

    // A responder that answers tryLater: the same.
    let responder = Responder::start(Mode::TryLater);
    let (vault, addresses) = vault_asking_with(
        &responder.url,
        2,
        "retry-base-seconds = 1\nretry-cap-seconds = 2\n",
    );
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let server = Server::start_at(&vault, START);
    let registered = register_individual(&server, &writer, 1, &addresses[0]);
    let entry = signer_revocation(&registered);
    assert_eq!(entry["statusSource"], "crl", "{entry:#}");
    assert!(responder.requests() >= 1);
    assert_eq!(
        answers(&server, &reader, "failed"),
        u64::from(responder.requests())
    );
    // Now the responder answers, but it is failing: it is left alone for the back-off's wait
    // (at most 2 s here), then asked again.
    *responder.mode.lock().unwrap() = Mode::OpenSsl;
    std::thread::sleep(std::time::Duration::from_secs(3));
    register_individual(&server, &writer, 2, &addresses[1]);
    assert!(answers(&server, &reader, "good") >= 1);
}

/// A vault without outbound access whose configuration has root-rsa's CRL only: nothing
/// gives `individual`'s or `head`'s status until revocation data is imported.
fn offline_vault(n: u32) -> (Vault, Vec<String>) {
    let vault = Vault::new();
    vault.write_config(
        "[trust]\n\
         anchors = [\"pki/root-rsa.cer\"]\n\
         intermediates = [\"pki/ca-rsa.cer\"]\n\
         crls = [\"pki/root-rsa.crl\"]\n\
         \n\
         [revocation]\n\
         fetch = false\n",
    );
    let addresses = (1..=n)
        .map(|i| vault.put(&format!("doc{i}.pdf"), &common::pdf(i)))
        .collect();
    (vault, addresses)
}

#[test]
fn imported_revocation_data_is_checked_kept_and_put_in_force() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let (vault, addresses) = offline_vault(3);
    // Keys made at the server's clock: the imports' audit entries are dated by it too, and
    // `audit verify` below finds an entry dated months before the one before it.
    let key = |role: &str| {
        let out = vault.qoima_at(START, &["keys", "create", "--role", role]);
        assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let writer = key("writer");
    let admin = key("admin");
    let imports = vault.data.join("revocation-imports");

    // On the vault, no server running: a response the verifier does not believe (tryLater)
    // is refused with its reason, and with it the good CRL given beside it: nothing stored.
    let crl = pki("crl/ca-rsa.crl");
    let try_later = pki("ocsp/trylater.der");
    let out = vault.qoima_at(
        START,
        &[
            "trust",
            "import",
            crl.to_str().unwrap(),
            try_later.to_str().unwrap(),
        ],
    );
    common::assert_error(&out, 1, &["trylater.der", "not imported", "TryLater"]);
    assert!(!imports.exists());
    // ca-rsa's CRL alone: kept and listed in the record store (no file).
    let out = vault.qoima_at(START, &["trust", "import", crl.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let address = qoima_vault::ContentAddress::of(&std::fs::read(&crl).unwrap()).to_string();
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        printed.contains(&address) && printed.contains("listed as import 1"),
        "{printed}"
    );
    assert!(!imports.exists());

    // The server puts it in force at its start: head passes on it.
    let server = Server::start_at(&vault, START);
    let (status, registered) = register(&server, &writer, 1, &addresses[0], "head", HEAD_IIN);
    assert_eq!(status, 201, "{registered:#}");
    assert_eq!(signer_revocation(&registered)["statusSource"], "crl");
    assert!(
        registered["crls"]
            .as_array()
            .unwrap()
            .contains(&Value::String(address.clone())),
        "{registered:#}"
    );
    let (_, metrics) = server.request(&admin, "GET", "/metrics", Vec::new());
    let label = format!(
        "qoima_crl_next_update_seconds{{source=\"import:{}\"}}",
        &address[..16]
    );
    assert!(metrics.contains(&label), "{metrics}");

    // Through the running server: a stale response, a non-admin key, garbage: refused.
    let import = |key: &str, der: &[u8]| {
        let body = serde_json::json!({ "der": b64(der) });
        server.request(key, "POST", "/v1/revocation", body.to_string().into_bytes())
    };
    let stale = std::fs::read(pki("ocsp/individual-good-expired.der")).unwrap();
    let (status, text) = import(&admin, &stale);
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("stale"), "{text}");
    assert_eq!(import(&writer, &stale).0, 403);
    let (status, text) = import(&admin, b"not DER");
    assert_eq!(status, 422, "{text}");

    // `qoima trust import --server`: an OCSP response about individual, in force at once.
    let key_file = vault.dir.path().join("admin.key");
    std::fs::write(&key_file, &admin).unwrap();
    let good = pki("ocsp/individual-good-ca.der");
    let out = vault.qoima(&[
        "trust",
        "import",
        "--server",
        &server.url,
        "--key-file",
        key_file.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["kind"], "ocsp", "{answer}");
    assert_eq!(answer["good"], 1, "{answer}");
    let response = qoima_vault::ContentAddress::of(&std::fs::read(&good).unwrap()).to_string();
    assert_eq!(answer["address"], response.as_str());
    let registered = register_individual(&server, &writer, 2, &addresses[1]);
    let entry = signer_revocation(&registered);
    assert_eq!(entry["statusSource"], "ocsp", "{entry:#}");
    assert_eq!(entry["ocsp"]["origin"], "caller", "{entry:#}");
    assert_eq!(registered["ocspResponses"][0], response.as_str());
    drop(server);

    // Both are listed (the refused ones are not: the response is import 2), and in force
    // again after a restart. Imported again, each is listed already.
    let out = vault.qoima_at(
        START,
        &[
            "trust",
            "import",
            crl.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(printed.matches("listed already").count(), 2, "{printed}");
    let out = vault.qoima_at(START, &["audit", "verify", "--json"]);
    let verified: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&out)));
    assert_eq!(verified["ok"], true, "{verified}");
    let server = Server::start_at(&vault, START);
    let registered = register_individual(&server, &writer, 3, &addresses[2]);
    assert_eq!(signer_revocation(&registered)["statusSource"], "ocsp");
}

/// Years later the responder is gone, every response and CRL is stale and the certificates
/// have expired; the OCSP response kept with the registration still says the status at the
/// registration: `qoima reverify` passes, and so does the auditor's bundle on its own.
#[test]
fn a_kept_response_proves_the_status_years_later_in_the_vault_and_in_its_bundle() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    const LATER: &str = "2030-06-15T12:00:00Z";
    let responder = Responder::start(Mode::OpenSsl);
    let (vault, addresses) = vault_asking(&responder.url, 1);
    // The key's creation is logged too: made at the registration's time, the log's dates
    // stay in order for the export's check of the whole log.
    let out = vault.qoima_at(START, &["keys", "create", "--role", "writer"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let writer = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let server = Server::start_at(&vault, START);
    let registered = register_individual(&server, &writer, 1, &addresses[0]);
    assert_eq!(signer_revocation(&registered)["statusSource"], "ocsp");
    let id = registered["id"].as_str().unwrap().to_owned();
    drop(server);
    drop(responder);

    let out = vault.qoima_at(LATER, &["reverify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["indication"], "TOTAL_PASSED", "{line:#}");

    let bundle = vault.dir.path().join("bundle.zip");
    let out = vault.qoima_at(
        LATER,
        &["doc", "export", &id, "-o", bundle.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::records::bundle_verify(&bundle, LATER, &["--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("\"statusSource\": \"ocsp\"") || text.contains("\"statusSource\":\"ocsp\""),
        "{text}"
    );
}
