//! Reading a request: its head's size, its body within the limits, a signed envelope opened.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body as _, Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use qoima_vault::keys::ApiKey;
use tokio::sync::OwnedSemaphorePermit;

use super::body::{self, Body, ReadError};
use super::response::{problem, problem_with};
use super::verify::{Size, on_the_verification_pool};
use super::{AppState, signed};
use crate::config::SMALL_JSON_BODY;

/// A body's share of `json-buffer-bytes`, given back when it is dropped; `None` for a small
/// body, which is not counted. Whoever holds the body's bytes holds it too.
pub(super) type Share = Option<OwnedSemaphorePermit>;

/// How long a body waits for its share of `json-buffer-bytes` before it is refused.
const BUFFER_WAIT: Duration = Duration::from_secs(2);

/// The body of a mutating JSON request: at most the configured size, and for a key that
/// requires signed requests, the content of its verified CMS envelope.
pub(super) async fn json_body(
    req: Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Result<(Bytes, Share), Box<Response<Body>>> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
    let (bytes, share) = read_body(req, state.settings.max_json_body, state).await?;
    if !key.require_signed {
        return Ok((bytes, share));
    }
    // Verification is CPU work: off the reactor, within the bound on verifications.
    let (pool_state, key) = (state.clone(), key.clone());
    let size = Size::of_body(bytes.len());
    let opened = on_the_verification_pool(state, size, move || {
        let target = signed::Target {
            method: &method,
            path: &path,
        };
        signed::open_envelope(
            &bytes,
            content_type.as_deref(),
            target,
            &key,
            &pool_state.registry.verifier(),
            &pool_state.replay,
            pool_state.registry.now(),
        )
    })
    .await?;
    match opened {
        Ok(content) => Ok((content.into(), share)),
        Err(refusal) => {
            let extra = match refusal.report {
                Some(report) => serde_json::json!({ "report": report }),
                None => serde_json::json!({}),
            };
            Err(Box::new(problem_with(
                refusal.status,
                &refusal.detail,
                extra,
            )))
        }
    }
}

/// The request's body, at most `limit` bytes, with its share of `json-buffer-bytes` (its
/// declared length, or `limit` when it declares none); 413, 408 or 400 as a response when
/// it cannot be read, 503 with `Retry-After` when no share frees within [`BUFFER_WAIT`].
pub(super) async fn read_body(
    req: Request<Incoming>,
    limit: usize,
    state: &AppState,
) -> Result<(Bytes, Share), Box<Response<Body>>> {
    let declared = req.body().size_hint().upper();
    // A declared length beyond the limit is refused by `body::read` before any wait.
    let share = match declared {
        Some(n) if n > limit as u64 => None,
        Some(n) if n <= SMALL_JSON_BODY as u64 => None,
        None if limit <= SMALL_JSON_BODY => None,
        _ => {
            let wanted = declared.unwrap_or(limit as u64);
            match buffer_share(&state.json_buffer, wanted, BUFFER_WAIT).await {
                Some(share) => Some(share),
                None => return Err(Box::new(unread(req, buffer_busy(), state).await)),
            }
        }
    };
    body::read(req.into_body(), limit, state.settings.body_idle_timeout)
        .await
        .map(|bytes| (bytes, share))
        .map_err(|e| Box::new(read_failure(&e)))
}

/// `bytes` permits of `buffer`, waited for at most `wait`; `None` when they did not come.
async fn buffer_share(
    buffer: &Arc<tokio::sync::Semaphore>,
    bytes: u64,
    wait: Duration,
) -> Option<OwnedSemaphorePermit> {
    // Never more than a u32: `max-json-body-bytes` is at most 1 GiB.
    let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
    // An error is a closed semaphore, which this one never is.
    tokio::time::timeout(wait, Arc::clone(buffer).acquire_many_owned(bytes))
        .await
        .ok()?
        .ok()
}

/// 503: the JSON bodies in memory already take `json-buffer-bytes`.
fn buffer_busy() -> Response<Body> {
    let mut response = problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server holds as many request bodies in memory as it may (json-buffer-bytes): \
         retry shortly",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

/// The size of a request's head as sent: the request line and every header line.
pub(super) fn head_size(req: &Request<Incoming>) -> usize {
    let target = req
        .uri()
        .path_and_query()
        .map_or(1, |target| target.as_str().len())
        + req
            .uri()
            .authority()
            .map_or(0, |authority| authority.as_str().len());
    let line = req.method().as_str().len() + target + 12;
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + line
}

/// How much of a refused request's body is read (and dropped) before the refusal is sent.
const DRAIN_LIMIT: u64 = 1 << 20;

/// `response` to a request refused before its body was read. A client still sending its
/// body when the server closes the connection gets a reset, which can destroy the response
/// before it is read: so up to [`DRAIN_LIMIT`] bytes are read first, and a longer body is
/// answered with `Connection: close` (it is not read to its end).
pub(super) async fn unread(
    req: Request<Incoming>,
    mut response: Response<Body>,
    state: &AppState,
) -> Response<Body> {
    let idle = state.settings.body_idle_timeout.min(Duration::from_secs(5));
    if !body::drain(req.into_body(), DRAIN_LIMIT, idle).await {
        response
            .headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The response to a body that could not be read.
pub(super) fn read_failure(error: &ReadError) -> Response<Body> {
    let status = match error {
        ReadError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ReadError::Stalled(_) | ReadError::Overdue(_) => StatusCode::REQUEST_TIMEOUT,
        ReadError::Broken(_) => StatusCode::BAD_REQUEST,
    };
    let mut response = problem(status, &error.to_string());
    if matches!(
        error,
        ReadError::TooLarge(_) | ReadError::Stalled(_) | ReadError::Overdue(_)
    ) {
        // The rest of the body will not be read: the connection cannot be reused.
        response
            .headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
