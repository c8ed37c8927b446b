//! The floor under `POST /v1/verify` on this machine: a bare hyper 1 server on the same tokio
//! runtime and HTTP/1.1 settings as `qoima serve`, which reads each request's body whole and
//! answers 200 with the bytes of RESPONSE_FILE (`benches/http_load.sh` gives it the reference
//! case's report). With `--engine` it also verifies the reference case of
//! `benches/verify_rate.rs` (already decoded, in the handler, as `qoima serve` does) for every
//! request, and answers only once that passed.
//!
//! Loaded with the same requests as `POST /v1/verify`, the first rate is what the kernel, tokio
//! and hyper allow; the second what any HTTP server in front of the engine could reach here:
//! no parsing of the JSON or base64, no API key, no report to write. Between it and
//! `qoima serve`'s rate is what Qoima's own request handling costs.
//!
//! ```text
//! cargo run --release -p qoima-benches --example http_floor -- RESPONSE_FILE [--engine]
//! ```
//!
//! Prints `http_floor listening on http://ADDR` once it listens (on a loopback port the system
//! picks), and serves until killed.
//!
//! With `--cpu N` it serves nothing: it verifies the reference case N times on its one thread,
//! after a warm-up (chain and CRL caches), checks that the report's JSON is RESPONSE_FILE (the
//! same request, trust store and answer as the server's), and prints the engine's CPU time
//! (user + system, from `/proc/self/stat`, as `benches/http_cpu.sh` reads the server's) per
//! verification: `http_floor engine: N verifications, T ticks, U us CPU each`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench: a panic is a failure

use std::convert::Infallible;
use std::io::Write as _;
use std::sync::Arc;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use qoima_verifier::testing::pki;
use qoima_verifier::{Data, Verifier};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: http_floor RESPONSE_FILE [--engine | --cpu N]");
    let answer = Bytes::from(std::fs::read(&path).expect("RESPONSE_FILE is readable"));
    let engine = match args.next().as_deref() {
        None => None,
        Some("--engine") => Some(Arc::new(pki::rsa_verifier())),
        Some("--cpu") => {
            let n = args.next().and_then(|n| n.parse().ok());
            return engine_cpu(&answer, n.expect("--cpu takes a count"));
        }
        Some(other) => panic!("unknown argument {other:?}"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!(
            "http_floor listening on http://{}",
            listener.local_addr().unwrap()
        );
        std::io::stdout().flush().unwrap();
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (answer, engine) = (answer.clone(), engine.clone());
            let service = service_fn(move |req: Request<Incoming>| {
                let (answer, engine) = (answer.clone(), engine.clone());
                async move {
                    let body = req.into_body().collect().await.map(|b| b.to_bytes());
                    std::hint::black_box(&body);
                    if let Some(verifier) = engine {
                        verify(&verifier);
                    }
                    let mut response = Response::new(Full::new(answer));
                    response
                        .headers_mut()
                        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

/// The reference case of `benches/verify_rate.rs`, which must pass.
fn verify(verifier: &Verifier) {
    let request = qoima_verifier::Request::new(pki::INDIVIDUAL_DETACHED_CMS, pki::VALIDATION_TIME)
        .data(Data::Bytes(pki::DOC_4K));
    let report = verifier.verify(&request).unwrap();
    assert!(report.verdict.passed(), "{report}");
}

/// `--cpu N`: the engine's CPU time per verification of the reference case, on this thread.
fn engine_cpu(answer: &[u8], n: u64) {
    let verifier = pki::rsa_verifier();
    let request = qoima_verifier::Request::new(pki::INDIVIDUAL_DETACHED_CMS, pki::VALIDATION_TIME)
        .data(Data::Bytes(pki::DOC_4K));
    let report = verifier.verify(&request).unwrap();
    assert_eq!(
        serde_json::to_string(&report).unwrap().as_bytes(),
        answer,
        "the engine's report is not the server's answer in RESPONSE_FILE"
    );
    for _ in 0..1000 {
        verify(&verifier);
    }
    let before = cpu_ticks();
    for _ in 0..n {
        let report = verifier.verify(std::hint::black_box(&request)).unwrap();
        assert!(report.verdict.passed());
    }
    let ticks = cpu_ticks() - before;
    // USER_HZ, which /proc reports in, is 100 on Linux.
    let each = ticks as f64 * 1e4 / n as f64;
    println!("http_floor engine: {n} verifications, {ticks} ticks, {each:.2} us CPU each");
}

/// utime + stime of this process, in clock ticks: fields 14 and 15 of proc(5)'s
/// `/proc/<pid>/stat`, counted here from field 3, the first after the command's parenthesis.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}
