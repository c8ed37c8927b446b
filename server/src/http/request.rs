//! Reading a request: its head's size, its body within the limits, a signed envelope opened.

use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use qoima_vault::keys::ApiKey;

use super::body::{self, Body, ReadError};
use super::response::{problem, problem_with};
use super::{AppState, signed};

/// The body of a mutating JSON request: at most the configured size, and for a key that
/// requires signed requests, the content of its verified CMS envelope.
pub(super) async fn json_body(
    req: Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Result<hyper::body::Bytes, Box<Response<Body>>> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
    let bytes = read_body(req, state.settings.max_json_body, state).await?;
    if !key.require_signed {
        return Ok(bytes);
    }
    // Verification is CPU work: off the reactor.
    let (state, key) = (state.clone(), key.clone());
    let opened = tokio::task::spawn_blocking(move || {
        let target = signed::Target {
            method: &method,
            path: &path,
        };
        signed::open_envelope(
            &bytes,
            content_type.as_deref(),
            target,
            &key,
            state.registry.verifier(),
            &state.replay,
            state.registry.now(),
        )
    })
    .await;
    match opened {
        Ok(Ok(content)) => Ok(content.into()),
        Ok(Err(refusal)) => {
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
        Err(e) => Err(Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
        ))),
    }
}

/// The request's body, at most `limit` bytes; 413, 408 or 400 as a response otherwise.
pub(super) async fn read_body(
    req: Request<Incoming>,
    limit: usize,
    state: &AppState,
) -> Result<hyper::body::Bytes, Box<Response<Body>>> {
    body::read(req.into_body(), limit, state.settings.body_idle_timeout)
        .await
        .map_err(|e| Box::new(read_failure(&e)))
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
        ReadError::Stalled(_) => StatusCode::REQUEST_TIMEOUT,
        ReadError::Broken(_) => StatusCode::BAD_REQUEST,
    };
    let mut response = problem(status, &error.to_string());
    if matches!(error, ReadError::TooLarge(_) | ReadError::Stalled(_)) {
        // The rest of the body will not be read: the connection cannot be reused.
        response
            .headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
