//! `POST /v1/verify`: one signature verified by the engine, the report returned.
//!
//! Body (JSON): `signature` (base64 of the CMS as DER, BER or PEM text), optional `content`
//! (base64 of the signed bytes) or `sha256` (hex digest of them, for signatures with signed
//! attributes), optional `at` (RFC 3339, default now), `expectIin`, `expectBin`.
//!
//! The engine is CPU-bound: it runs on tokio's blocking pool, at most
//! `max-concurrent-verifications` at once ([`on_the_verification_pool`]), so that the async
//! workers keep answering every other route (`/healthz` included) whatever is verified.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, RETRY_AFTER};
use hyper::{Response, StatusCode};
use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Data, Report, Request, Verifier};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::AppState;
use super::body::Body;
use super::request::read_body;
use super::response::{json, problem};

/// The request body. The base64 fields borrow from the request's bytes when they have no JSON
/// escapes (base64 has none): they are most of the request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyBody<'a> {
    #[serde(borrow)]
    signature: Cow<'a, str>,
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    sha256: Option<String>,
    at: Option<String>,
    expect_iin: Option<String>,
    expect_bin: Option<String>,
}

/// Why a request is refused before verification (HTTP 400 or 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyRequestError {
    /// A field is not what it must be; the text names it.
    #[error("{0}")]
    Field(String),
}

fn field(what: impl Into<String>) -> VerifyRequestError {
    VerifyRequestError::Field(what.into())
}

/// Verifies the request with `verifier`; `now` is the server's clock (unix seconds).
pub fn verify(
    verifier: &Verifier,
    body: &VerifyBody<'_>,
    now: i64,
) -> Result<Report, VerifyRequestError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let signature = b64
        .decode(body.signature.trim())
        .map_err(|e| field(format!("signature is not base64: {e}")))?;
    let content = body
        .content
        .as_deref()
        .map(|c| b64.decode(c.trim()))
        .transpose()
        .map_err(|e| field(format!("content is not base64: {e}")))?;
    let digest = body
        .sha256
        .as_deref()
        .map(|hex_digest| {
            let mut digest = [0u8; 32];
            hex::decode_to_slice(hex_digest, &mut digest).map(|()| digest)
        })
        .transpose()
        .map_err(|_| field("sha256 must be 64 hex digits"))?;
    if content.is_some() && digest.is_some() {
        return Err(field("give content or sha256, not both"));
    }
    let at = match &body.at {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .map_err(|e| field(format!("at is not an RFC 3339 time: {e}")))?
            .as_second(),
        None => now,
    };
    let data = match (&content, &digest) {
        (Some(bytes), _) => Data::Bytes(bytes),
        (None, Some(digest)) => Data::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: digest,
        },
        (None, None) => Data::Absent,
    };
    let request = Request::new(&signature, at).data(data).expect(Expectation {
        iin: body.expect_iin.clone(),
        bin: body.expect_bin.clone(),
        roles: Vec::new(),
    });
    verifier.verify(&request).map_err(|e| field(e.to_string()))
}

/// `POST /v1/verify`: the report, whatever its verdict; 422 when the request cannot be
/// verified at all; 503 when the verification capacity stays busy.
pub(super) async fn route(req: hyper::Request<Incoming>, state: &AppState) -> Response<Body> {
    let (bytes, share) = match read_body(req, state.settings.max_json_body, state).await {
        Ok(read) => read,
        Err(response) => return *response,
    };
    let registry = Arc::clone(&state.registry);
    let metrics = Arc::clone(&state.metrics);
    // Parsing a body of up to `max-json-body-bytes` is CPU work too: it runs with the engine.
    let answer = on_the_verification_pool(state, move || {
        // The body's share of the JSON buffer goes with its bytes.
        let _share = share;
        let request: VerifyBody = match serde_json::from_slice(&bytes) {
            Ok(request) => request,
            Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
        };
        let now = jiff::Timestamp::now().as_second();
        match verify(&registry.verifier(), &request, now) {
            Ok(report) => {
                metrics.verification(report.verdict.indication.as_str());
                match serde_json::to_string(&report) {
                    Ok(text) => json(StatusCode::OK, text),
                    Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
                }
            }
            Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
        }
    })
    .await;
    answer.unwrap_or_else(|response| *response)
}

/// How long a verification waits for one of the `max-concurrent-verifications` slots before
/// its request is refused.
pub(super) const VERIFICATION_WAIT: Duration = Duration::from_secs(2);

/// Runs `work`, which runs the engine, on tokio's blocking pool while it holds one of the
/// `max-concurrent-verifications` slots: the async workers stay free for every other route.
/// When no slot frees up within [`VERIFICATION_WAIT`], the answer is 503 with `Retry-After`.
/// A request whose client goes away keeps its slot until `work` ends: the CPU is still taken.
pub(super) async fn on_the_verification_pool<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Box<Response<Body>>> {
    let slots = Arc::clone(&state.verification_slots);
    match pooled(slots, VERIFICATION_WAIT, work).await {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the verification did not finish: {e}"),
        ))),
        None => Err(Box::new(busy(state))),
    }
}

/// `work` on the blocking pool with a permit of `slots`, waited for at most `wait`; `None`
/// when none came.
async fn pooled<T: Send + 'static>(
    slots: Arc<Semaphore>,
    wait: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<Result<T, tokio::task::JoinError>> {
    // An error is a closed semaphore, which this one never is.
    let permit = tokio::time::timeout(wait, slots.acquire_owned())
        .await
        .ok()?
        .ok()?;
    Some(
        tokio::task::spawn_blocking(move || {
            let _slot = permit;
            work()
        })
        .await,
    )
}

/// 503: every verification slot stayed taken.
fn busy(state: &AppState) -> Response<Body> {
    let mut response = problem(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!(
            "the verification capacity is busy ({} verifications are running): retry shortly",
            state.settings.max_concurrent_verifications
        ),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use std::time::Instant;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_verification_waits_for_a_slot_and_gives_up_when_none_frees() {
        runtime().block_on(async {
            let slots = Arc::new(Semaphore::new(1));
            let wait = Duration::from_millis(100);
            // A slot is free: the work runs on the blocking pool.
            let on = pooled(Arc::clone(&slots), wait, || std::thread::current().id()).await;
            assert_ne!(on.unwrap().unwrap(), std::thread::current().id());
            assert_eq!(slots.available_permits(), 1, "the slot is given back");

            // The only slot is taken: no run, after the wait.
            let held = Arc::clone(&slots).acquire_owned().await.unwrap();
            let started = Instant::now();
            assert!(pooled(Arc::clone(&slots), wait, || ()).await.is_none());
            assert!(started.elapsed() >= wait);

            // Freed while waiting: it runs.
            let release = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                drop(held);
            });
            let waited = pooled(Arc::clone(&slots), Duration::from_secs(5), || 7).await;
            assert_eq!(waited.unwrap().unwrap(), 7);
            release.await.unwrap();
        });
    }

    #[test]
    fn work_holds_its_slot_until_it_ends() {
        runtime().block_on(async {
            let slots = Arc::new(Semaphore::new(1));
            let (started_tx, started_rx) = std::sync::mpsc::channel();
            let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
            let first = tokio::spawn(pooled(
                Arc::clone(&slots),
                Duration::from_secs(5),
                move || {
                    started_tx.send(()).unwrap();
                    finish_rx.recv().unwrap();
                },
            ));
            tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
                .await
                .unwrap();
            let second = pooled(Arc::clone(&slots), Duration::from_millis(50), || ()).await;
            assert!(second.is_none(), "the slot is held by the running work");
            finish_tx.send(()).unwrap();
            first.await.unwrap().unwrap().unwrap();
            assert_eq!(slots.available_permits(), 1);
        });
    }
}
