//! Fetches from a real HTTP server on loopback.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{IF_MODIFIED_SINCE, LAST_MODIFIED};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::*;

const STAMP: &str = "Mon, 07 Dec 2026 10:00:00 GMT";
const CRL: &[u8] = b"a CRL's bytes";

fn full(bytes: &'static [u8]) -> BoxBody<Bytes, Infallible> {
    Full::new(Bytes::from_static(bytes)).boxed()
}

/// A body of 64 KiB frames without end, its length declared (`Content-Length`) or not.
struct Endless {
    declared: Option<u64>,
}

impl hyper::body::Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![0u8; 64 << 10])))))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.declared.map_or_else(
            hyper::body::SizeHint::new,
            hyper::body::SizeHint::with_exact,
        )
    }
}

/// What the test server answers on each path.
async fn answer(
    request: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, Infallible>>, Infallible> {
    let fresh = request
        .headers()
        .get(IF_MODIFIED_SINCE)
        .is_some_and(|v| v == STAMP);
    if request.uri().path() == "/ocsp" {
        // An OCSP responder: the request's body back, when it is sent as RFC 6960 §A.1 says.
        let ocsp = request.method() == hyper::Method::POST
            && request
                .headers()
                .get(hyper::header::CONTENT_TYPE)
                .is_some_and(|v| v == "application/ocsp-request");
        let body = request.into_body().collect().await.map(|b| b.to_bytes());
        let response = match body {
            Ok(bytes) if ocsp => Response::builder()
                .header(hyper::header::CONTENT_TYPE, "application/ocsp-response")
                .body(Full::new(bytes).boxed()),
            _ => Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .body(full(b"")),
        };
        return Ok(response.unwrap_or_else(|_| Response::new(full(b""))));
    }
    let response = match request.uri().path() {
        "/ca.crl" if fresh => Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(full(b"")),
        "/ca.crl" => Response::builder()
            .header(LAST_MODIFIED, STAMP)
            .body(full(CRL)),
        "/declared-large" => Response::builder().body(
            Endless {
                declared: Some(1_000_000),
            }
            .boxed(),
        ),
        "/streamed-large" => Response::builder().body(Endless { declared: None }.boxed()),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Response::builder().body(full(b"late"))
        }
        "/busy" => Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .body(full(b"Try again")),
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(full(b"")),
    };
    Ok(response.unwrap_or_else(|_| Response::new(full(b""))))
}

/// A server on a loopback port, answering until the runtime ends.
async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(answer)),
            );
        }
    });
    address
}

fn fetcher() -> Fetcher {
    Fetcher::new(Limits {
        connect: Duration::from_secs(2),
        deadline: Duration::from_millis(500),
        max_bytes: 100_000,
    })
}

#[tokio::test]
async fn a_crl_is_fetched_then_found_unchanged() {
    let server = serve().await;
    let url = format!("http://{server}/ca.crl");
    let fetcher = fetcher();
    let Fetched::Body {
        bytes,
        last_modified,
    } = fetcher.get(&url, None).await.unwrap()
    else {
        panic!("no body");
    };
    assert_eq!(bytes, CRL);
    assert_eq!(last_modified.as_deref(), Some(STAMP));
    assert_eq!(
        fetcher.get(&url, Some(STAMP)).await.unwrap(),
        Fetched::NotModified
    );
    // Another date is not the copy held: the body again.
    assert!(matches!(
        fetcher
            .get(&url, Some("Sun, 06 Dec 2026 10:00:00 GMT"))
            .await
            .unwrap(),
        Fetched::Body { .. }
    ));
}

#[tokio::test]
async fn each_failure_is_named_and_classed() {
    let server = serve().await;
    let fetcher = fetcher();
    let get = |path: &str| {
        let url = format!("http://{server}{path}");
        let fetcher = fetcher.clone();
        async move { fetcher.get(&url, None).await.unwrap_err() }
    };

    let busy = get("/busy").await;
    assert!(
        matches!(busy, FetchError::Status { status: 503, .. }),
        "{busy}"
    );
    assert!(busy.is_transient());
    let missing = get("/missing").await;
    assert!(matches!(missing, FetchError::Status { status: 404, .. }));
    assert!(!missing.is_transient());

    for path in ["/declared-large", "/streamed-large"] {
        let large = get(path).await;
        assert!(
            matches!(large, FetchError::TooLarge { limit: 100_000, .. }),
            "{path}: {large}"
        );
        assert!(!large.is_transient());
    }

    let slow = get("/slow").await;
    assert!(matches!(slow, FetchError::Deadline { .. }), "{slow}");
    assert!(slow.is_transient());

    // A port nobody listens on: refused.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let refused = fetcher
        .get(&format!("http://127.0.0.1:{port}/ca.crl"), None)
        .await
        .unwrap_err();
    assert!(matches!(refused, FetchError::Network { .. }), "{refused}");
    assert!(refused.is_transient());

    for address in ["https://127.0.0.1/ca.crl", "ldap://x/ca.crl", "ca.crl", ""] {
        let bad = fetcher.get(address, None).await.unwrap_err();
        assert_eq!(bad, FetchError::Address(address.to_owned()));
        assert!(!bad.is_transient());
    }
}

#[tokio::test]
async fn an_ocsp_request_is_posted_within_the_same_bounds() {
    let server = serve().await;
    let fetcher = fetcher();
    let post = |path: &str, body: Vec<u8>| {
        let url = format!("http://{server}{path}");
        let fetcher = fetcher.clone();
        async move {
            fetcher
                .post(
                    &url,
                    "application/ocsp-request",
                    "application/ocsp-response",
                    body,
                )
                .await
        }
    };
    let request = b"\x30\x03\x30\x01\x00".to_vec();
    assert_eq!(post("/ocsp", request.clone()).await.unwrap(), request);
    // The same failures as a GET, classed the same way.
    let busy = post("/busy", request.clone()).await.unwrap_err();
    assert!(matches!(busy, FetchError::Status { status: 503, .. }));
    assert!(busy.is_transient());
    let large = post("/streamed-large", request.clone()).await.unwrap_err();
    assert!(matches!(large, FetchError::TooLarge { .. }), "{large}");
    let slow = post("/slow", request.clone()).await.unwrap_err();
    assert!(matches!(slow, FetchError::Deadline { .. }), "{slow}");
    assert_eq!(
        fetcher
            .post("https://127.0.0.1/ocsp", "a/b", "a/b", request)
            .await
            .unwrap_err(),
        FetchError::Address("https://127.0.0.1/ocsp".to_owned())
    );
}
