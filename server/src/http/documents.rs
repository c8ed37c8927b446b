//! The document routes beside `GET /v1/documents/{id}` and registration:
//! `GET /v1/documents/{id}/versions`, `GET /v1/documents/{id}/content` (streamed),
//! `DELETE /v1/documents/{id}`, `GET /v1/objects/{objectNumber}/documents`,
//! `POST /v1/documents/{id}/verify`.

use std::sync::Arc;

use base64::Engine as _;
use hyper::body::Bytes;
use hyper::header::{
    ACCEPT_RANGES, CONTENT_RANGE, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH, IF_RANGE, RANGE,
};
use hyper::{Response, StatusCode};
use qoima_vault::ContentAddress;
use qoima_vault::keys::ApiKey;
use qoima_vault::records::{DocumentId, ObjectNumber, Reason, VersionRecord};
use qoima_vault::registry::{DisposeError, DocumentView, Index, Retained};
use serde_json::json;

use super::AppState;
use super::auth::{actor, audience, log_auditor_read};
use super::body::{Body, Channel, full};
use super::response::{json, problem, problem_with, represent, status_of};
use super::verify::{Size, on_the_verification_pool};
use crate::representation::{Audience, Disposal, Document, RetentionRefusal, Versions};

/// The id in a path, or 404 (a malformed id names no document).
pub(super) fn parse_id(text: &str) -> Result<DocumentId, Box<Response<Body>>> {
    text.parse::<DocumentId>().map_err(|_| {
        Box::new(problem(
            StatusCode::NOT_FOUND,
            "a document id is 32 lowercase hex digits",
        ))
    })
}

/// Document `id`, or 404.
pub(super) fn view(state: &AppState, id: DocumentId) -> Result<DocumentView, Box<Response<Body>>> {
    match state.registry.document(id) {
        Ok(Some(view)) => Ok(view),
        Ok(None) => Err(Box::new(problem(
            StatusCode::NOT_FOUND,
            &format!("no document {id}"),
        ))),
        Err(e) => Err(Box::new(problem(status_of(e.kind()), &e.to_string()))),
    }
}

/// Document `text` as `caller` may read it: 404 unless it exists, and an auditor's read of
/// `what` logged first.
pub(super) fn read_view(
    text: &str,
    state: &AppState,
    caller: &ApiKey,
    what: &'static str,
) -> Result<DocumentView, Box<Response<Body>>> {
    parse_id(text)
        .and_then(|id| log_auditor_read(state, caller, id, what).map(|()| id))
        .and_then(|id| view(state, id))
}

/// The latest version of a document still kept: 410 once disposed of, 500 when it has none.
pub(super) fn current(view: &DocumentView) -> Result<&VersionRecord, Box<Response<Body>>> {
    if !view.tombstones.is_empty() {
        return Err(Box::new(problem(
            StatusCode::GONE,
            &format!("document {} was disposed of", view.id),
        )));
    }
    view.versions.last().ok_or_else(|| {
        Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("document {} has no version: damaged", view.id),
        ))
    })
}

/// `GET /v1/documents/{id}`: as `qoima doc show --json` gives it.
pub(super) fn document_route(id: &str, state: &AppState, caller: &ApiKey) -> Response<Body> {
    let view = match read_view(id, state, caller, "document") {
        Ok(view) => view,
        Err(response) => return *response,
    };
    match Document::new(&view, audience(caller)) {
        Ok(document) => represent(StatusCode::OK, &document),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `GET /v1/documents/{id}/versions`: as `qoima doc versions --json` gives them.
pub(super) fn versions_route(id: &str, state: &AppState, caller: &ApiKey) -> Response<Body> {
    let view = match read_view(id, state, caller, "versions") {
        Ok(view) => view,
        Err(response) => return *response,
    };
    represent(StatusCode::OK, &Versions::new(&view))
}

/// What a `Range` header asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteRange {
    /// `bytes=A-B` or `bytes=A-`: from `A` to `B` (inclusive) or the end.
    From(u64, Option<u64>),
    /// `bytes=-N`: the last `N` bytes.
    Suffix(u64),
}

/// Parses a single byte range (RFC 9110 §14.1.2); `None` when it is not one.
fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    let (first, last) = spec.split_once('-')?;
    let number = |text: &str| {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            text.parse::<u64>().ok()
        }
    };
    if first.is_empty() {
        return number(last).map(ByteRange::Suffix);
    }
    let first = number(first)?;
    if last.is_empty() {
        return Some(ByteRange::From(first, None));
    }
    Some(ByteRange::From(first, Some(number(last)?)))
}

/// The bytes `start..end` of a content of `length` bytes that `range` selects, or `None`
/// when it is unsatisfiable.
fn resolve(range: ByteRange, length: u64) -> Option<std::ops::Range<u64>> {
    match range {
        ByteRange::From(first, last) => {
            let end = length.checked_sub(1)?;
            let last = last.map_or(end, |l| l.min(end));
            (first <= last).then_some(first..last + 1)
        }
        ByteRange::Suffix(0) => None,
        ByteRange::Suffix(n) => (length > 0).then(|| length.saturating_sub(n)..length),
    }
}

/// `GET /v1/documents/{id}/content`: the latest version's bytes, `ETag` its address, one
/// `Range` served as 206.
pub(super) async fn content_route(
    headers: &hyper::HeaderMap,
    id: &str,
    state: &AppState,
    caller: &ApiKey,
) -> Response<Body> {
    let view = match read_view(id, state, caller, "content") {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let current = match current(&view) {
        Ok(current) => current,
        Err(response) => return *response,
    };
    let address = ContentAddress(current.content);
    let length = current.length;
    let etag = format!("\"{address}\"");
    // The content at an address never changes: a client holding it needs nothing more
    // (RFC 9110 §13.1.2), and a range is only taken from the same content (§13.1.5).
    let matches = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|tag| tag.trim() == etag || tag.trim() == "*")
            })
    };
    if matches(IF_NONE_MATCH) {
        let mut response = Response::new(super::body::full(Bytes::new()));
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        if let Ok(value) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(ETAG, value);
        }
        return response;
    }
    let range = headers
        .get(RANGE)
        .filter(|_| !headers.contains_key(IF_RANGE) || matches(IF_RANGE));
    // A Range in another unit is ignored (RFC 9110 §14.2); a malformed one or several ranges
    // are refused.
    let wanted = match range.map(|value| value.to_str().unwrap_or("")) {
        Some(text) if text.trim_start().starts_with("bytes=") => match parse_range(text) {
            Some(range) => match resolve(range, length) {
                Some(bytes) => Some(bytes),
                None => return unsatisfiable(length, "the range is beyond the content"),
            },
            None => {
                return unsatisfiable(length, "only one range bytes=A-B, A- or -N is served");
            }
        },
        _ => None,
    };
    let bytes = wanted.clone().unwrap_or(0..length);
    let reader = match state.registry.content().read_range(&address, bytes.clone()) {
        Ok(reader) => reader,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let (sender, body) = Channel::pair(bytes.end - bytes.start);
    // Chunk by chunk: each read on a blocking thread, each send awaited here, so that a
    // client that reads slowly (or not at all, until the connection is cut) holds no thread
    // of the blocking pool while it waits. A client that goes away closes the channel and
    // stops the reader. A chunk that fails its check ends the body early (the client sees a
    // short body, never wrong bytes).
    tokio::spawn(async move {
        let mut reader = reader;
        loop {
            let read = tokio::task::spawn_blocking(move || {
                let next = reader.next_chunk();
                (reader, next)
            })
            .await;
            let next = match read {
                Ok((back, next)) => {
                    reader = back;
                    match next {
                        Ok(Some(chunk)) => Ok(Bytes::from(chunk)),
                        Ok(None) => return,
                        Err(e) => Err(std::io::Error::other(e.to_string())),
                    }
                }
                Err(e) => {
                    let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            let failed = next.is_err();
            if sender.send(next).await.is_err() || failed {
                return;
            }
        }
    });
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, value);
    }
    if wanted.is_some() {
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        let value = format!("bytes {}-{}/{length}", bytes.start, bytes.end - 1);
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(CONTENT_RANGE, value);
        }
    }
    response
}

/// 416 with `Content-Range: bytes */length`.
fn unsatisfiable(length: u64, detail: &str) -> Response<Body> {
    let mut response = problem(StatusCode::RANGE_NOT_SATISFIABLE, detail);
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
        response.headers_mut().insert(CONTENT_RANGE, value);
    }
    response
}

/// The body of `DELETE /v1/documents/{id}` (may be empty while the document is retained).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteBody {
    reason: Option<String>,
    /// Base64 CMS over the disposal statement
    /// (`GET /v1/documents/{id}/disposal-statement?reason=`), signed by a disposal officer.
    act: Option<String>,
}

/// `DELETE /v1/documents/{id}`: disposal by the vault's clock. Refused while the document
/// is retained or held (409, with `retainUntil` and `holds`), 410 once disposed of; a
/// document whose retention has passed is disposed of with the body's `reason` and `act` (the
/// disposal act, signed by a configured officer), by the caller's key (200 with the
/// tombstones). The disposal verifies the act and sweeps the content's chunks with synced
/// writes: it runs on the verification pool, holding one of its slots, like a registration.
pub(super) async fn delete_route(
    id: &str,
    bytes: &[u8],
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let view = match parse_id(id).and_then(|id| view(state, id)) {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let body: DeleteBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        DeleteBody::default()
    } else {
        match serde_json::from_slice(bytes) {
            Ok(body) => body,
            Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
        }
    };
    let id = view.id;
    if !view.tombstones.is_empty() {
        return problem(
            StatusCode::GONE,
            &format!("document {id} was disposed of already"),
        );
    }
    let now = state.registry.now();
    match state.registry.disposable(id, now) {
        Ok(()) => {}
        Err(DisposeError::Retained { why, .. }) => {
            return retained(&view, &why, now, audience(key));
        }
        Err(e) => return dispose_failure(e),
    }
    let (Some(reason), Some(act)) = (body.reason, body.act) else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "document {id} may be disposed of (its retention has passed, no holds): give \
                 the reason and the disposal act signed by a disposal officer over \
                 GET /v1/documents/{id}/disposal-statement?reason=..., {{\"reason\": \
                 \"...\", \"act\": \"<base64 CMS>\"}}"
            ),
        );
    };
    let reason: Reason = match reason.parse() {
        Ok(reason) => reason,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("reason: {e}")),
    };
    let Ok(act) = base64::engine::general_purpose::STANDARD.decode(act.trim()) else {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "act is not base64");
    };
    let by = match actor(key) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    let registry = Arc::clone(&state.registry);
    let disposed = on_the_verification_pool(state, Size::Unbounded, move || {
        registry.dispose(id, &reason, &act, &by, now)
    });
    match disposed.await {
        Ok(Ok(disposal)) => represent(StatusCode::OK, &Disposal::new(&view, &disposal)),
        Ok(Err(e)) => dispose_failure(e),
        Err(response) => *response,
    }
}

/// `GET /v1/documents/{id}/disposal-statement?reason=R`: the exact bytes a disposal act of the
/// document signs.
pub(super) fn disposal_statement_route(
    id: &str,
    query: Option<&str>,
    state: &AppState,
) -> Response<Body> {
    let view = match parse_id(id).and_then(|id| view(state, id)) {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let [reason] = match super::query::required(query, ["reason"]) {
        Ok(values) => values,
        Err(detail) => return problem(StatusCode::BAD_REQUEST, &detail),
    };
    let reason: Reason = match reason.parse() {
        Ok(reason) => reason,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("reason: {e}")),
    };
    let mut response = Response::new(full(view.disposal_statement(&reason)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// 409: why the document is kept (its retention, its holds), as the command line says it.
fn retained(
    view: &DocumentView,
    why: &Retained,
    now: jiff::Timestamp,
    audience: Audience,
) -> Response<Body> {
    let refusal = match RetentionRefusal::new(view, why, now, audience) {
        Ok(refusal) => refusal,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    match serde_json::to_value(&refusal) {
        Ok(value) => problem_with(StatusCode::CONFLICT, &refusal.reason, value),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn dispose_failure(error: DisposeError) -> Response<Body> {
    problem(status_of(error.kind()), &error.to_string())
}

/// `GET /v1/objects/{objectNumber}/documents`: the ids of the documents registered for a
/// construction object (18 digits, else 400). An auditor's listing is logged first as a read
/// (`listing`) of each document listed.
pub(super) fn object_route(object: &str, state: &AppState, caller: &ApiKey) -> Response<Body> {
    let object: ObjectNumber = match object.parse() {
        Ok(object) => object,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match state.registry.find(Index::Object, object.as_str()) {
        Ok(ids) => {
            for id in &ids {
                if let Err(response) = log_auditor_read(state, caller, *id, "listing") {
                    return *response;
                }
            }
            json(
                StatusCode::OK,
                json!({
                "objectNumber": object.as_str(),
                    "documents": ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })
                .to_string(),
            )
        }
        Err(e) => problem(status_of(e.kind()), &e.to_string()),
    }
}

/// `POST /v1/documents/{id}/verify[?at=RFC3339]`: the latest version's signatures verified
/// again, now or at `at`, with the registration as their proof of existence
/// (`Registry::reverify`): a signer whose certificate expired, or was revoked for a benign
/// reason, after the registration still validates. Nothing is stored but an auditor's read
/// (`verify`), logged first.
pub(super) async fn reverify_route(
    id: &str,
    query: Option<&str>,
    state: &AppState,
    caller: &ApiKey,
) -> Response<Body> {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let at = match super::query::parameter(query, "at") {
        Ok(None) => jiff::Timestamp::now(),
        Ok(Some(text)) => match text.parse::<jiff::Timestamp>() {
            Ok(at) => at,
            Err(e) => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    &format!("at={text:?} is not an RFC 3339 time: {e}"),
                );
            }
        },
        Err(detail) => return problem(StatusCode::BAD_REQUEST, &detail),
    };
    if let Err(response) = log_auditor_read(state, caller, id, "verify") {
        return *response;
    }
    let latest = match view(state, id) {
        Ok(view) => view.versions.last().map(|v| v.version).unwrap_or(1),
        Err(response) => return *response,
    };
    // The engine, and the content read back for a signature without signed attributes (of
    // any size: off the async workers), within the bound on concurrent verifications.
    let registry = Arc::clone(&state.registry);
    let reverified = match on_the_verification_pool(state, Size::Unbounded, move || {
        registry.reverify(id, latest, at)
    })
    .await
    {
        Ok(reverified) => reverified,
        Err(response) => return *response,
    };
    match reverified {
        Ok(Some(reports)) => {
            let passed = reports.iter().all(|r| r.verdict.passed());
            let body = serde_json::json!({
                "id": id.to_string(),
                "version": latest,
                "passed": passed,
                "reports": reports,
            });
            json(StatusCode::OK, body.to_string())
        }
        Ok(None) => problem(StatusCode::NOT_FOUND, &format!("no document {id}")),
        Err(e) => problem(status_of(e.kind()), &e.to_string()),
    }
}
