//! The document routes beside `GET /v1/documents/{id}` (issue 6):
//! `GET /v1/documents/{id}/versions`, `GET /v1/documents/{id}/content`,
//! `DELETE /v1/documents/{id}`, `GET /v1/objects/{objectNumber}/documents`.

use std::io::Read as _;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{ACCEPT_RANGES, CONTENT_RANGE, CONTENT_TYPE, ETAG, HeaderValue};
use hyper::{Response, StatusCode};
use qoima_vault::ContentAddress;
use qoima_vault::keys::ApiKey;
use qoima_vault::records::{
    ChangeError, DisposeError, DocumentId, DocumentView, Index, Retained, astana,
};
use serde_json::{Value, json};

use super::{AppState, json, log_auditor_read, problem, problem_with};
use crate::cli::doc::{active_holds, hold_json, holds_text, version_json};

/// The id in a path, or 404 (a malformed id names no document).
pub(super) fn parse_id(text: &str) -> Result<DocumentId, Box<Response<Full<Bytes>>>> {
    text.parse::<DocumentId>().map_err(|_| {
        Box::new(problem(
            StatusCode::NOT_FOUND,
            "a document id is 32 lowercase hex digits",
        ))
    })
}

/// Document `id`, or 404.
pub(super) fn view(
    state: &AppState,
    id: DocumentId,
) -> Result<DocumentView, Box<Response<Full<Bytes>>>> {
    match state.registry.document(id) {
        Ok(Some(view)) => Ok(view),
        Ok(None) => Err(Box::new(problem(
            StatusCode::NOT_FOUND,
            &format!("no document {id}"),
        ))),
        Err(e) => Err(Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
        ))),
    }
}

/// `GET /v1/documents/{id}/versions`: as `qoima doc versions --json` gives them.
pub(super) fn versions_route(
    id: &str,
    state: &AppState,
    caller: Option<&ApiKey>,
) -> Response<Full<Bytes>> {
    let view = match parse_id(id)
        .and_then(|id| log_auditor_read(state, caller, id, "versions").map(|()| id))
        .and_then(|id| view(state, id))
    {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let versions: Vec<Value> = view
        .versions
        .iter()
        .map(|v| version_json(v, view.annulled_by(v.version)))
        .collect();
    json(
        StatusCode::OK,
        json!({ "id": view.id.to_string(), "versions": versions }).to_string(),
    )
}

/// The largest content served in one body until responses are streamed (a `Range` below it
/// is served whatever the size of the whole).
const MAX_CONTENT_BODY: u64 = 64 << 20;

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
    range: Option<&hyper::header::HeaderValue>,
    id: &str,
    state: &AppState,
    caller: Option<&ApiKey>,
) -> Response<Full<Bytes>> {
    let view = match parse_id(id)
        .and_then(|id| log_auditor_read(state, caller, id, "content").map(|()| id))
        .and_then(|id| view(state, id))
    {
        Ok(view) => view,
        Err(response) => return *response,
    };
    if !view.tombstones.is_empty() {
        return problem(
            StatusCode::GONE,
            &format!("document {} was disposed of", view.id),
        );
    }
    let Some(current) = view.versions.last() else {
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("document {} has no version: damaged", view.id),
        );
    };
    let address = ContentAddress(current.content);
    let length = current.length;
    let etag = format!("\"{address}\"");
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
    if bytes.end - bytes.start > MAX_CONTENT_BODY {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "{} bytes asked for: contents above {MAX_CONTENT_BODY} bytes are served by \
                 ranges until responses are streamed",
                bytes.end - bytes.start
            ),
        );
    }
    let store = state.registry.content().clone();
    let read = bytes.clone();
    let content = tokio::task::spawn_blocking(move || {
        let mut reader = store
            .read_range(&address, read.clone())
            .map_err(|e| e.to_string())?;
        let mut buffer = Vec::with_capacity((read.end - read.start) as usize);
        reader.read_to_end(&mut buffer).map_err(|e| e.to_string())?;
        Ok::<_, String>(buffer)
    })
    .await;
    let content = match content {
        Ok(Ok(content)) => content,
        Ok(Err(e)) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let mut response = Response::new(Full::new(Bytes::from(content)));
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
fn unsatisfiable(length: u64, detail: &str) -> Response<Full<Bytes>> {
    let mut response = problem(StatusCode::RANGE_NOT_SATISFIABLE, detail);
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
        response.headers_mut().insert(CONTENT_RANGE, value);
    }
    response
}

/// `DELETE /v1/documents/{id}`: refused while the document is retained or held (409, with
/// `retainUntil` and `holds`). The API never disposes: disposal by the server's clock is for
/// later, `qoima doc delete` disposes meanwhile (501 once a document may be disposed of).
pub(super) fn delete_route(id: &str, state: &AppState) -> Response<Full<Bytes>> {
    let view = match parse_id(id).and_then(|id| view(state, id)) {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let id = view.id;
    if !view.tombstones.is_empty() {
        return problem(
            StatusCode::GONE,
            &format!("document {id} was disposed of already"),
        );
    }
    let now = jiff::Timestamp::now();
    let until = view.retain_until();
    let until_text = until.map_or_else(
        || "the facility's end-of-service event".to_owned(),
        |d| d.to_string(),
    );
    let holds: Vec<Value> = active_holds(&view)
        .iter()
        .map(|(number, event)| hold_json(*number, event))
        .collect();
    let class = &view.record.class;
    let (status, detail, retained) = match state.registry.disposable(id, now) {
        Err(DisposeError::Retained { why, .. }) => {
            // Only the holds keep a document whose retention has passed.
            let running = !matches!(why, Retained::Held(_))
                || match (until, astana_today(now)) {
                    (None, _) => true,
                    (Some(until), Some(today)) => until >= today,
                    (Some(_), None) => true,
                };
            let holds_text = holds_text(&view);
            let detail = if running {
                format!(
                    "document {id} is retained until {until_text} (class {class}); holds: \
                     {holds_text}; a retained document is never deleted"
                )
            } else {
                format!(
                    "document {id} is held (retention ended on {until_text}, class {class}); \
                     holds: {holds_text}; a held document is never deleted"
                )
            };
            (StatusCode::CONFLICT, detail, running)
        }
        Ok(()) => (
            StatusCode::NOT_IMPLEMENTED,
            format!(
                "document {id} may be disposed of (retention ended on {until_text}, no holds), \
                 but the API does not dispose yet: use qoima doc delete"
            ),
            false,
        ),
        Err(DisposeError::Change(ChangeError::NotFound(_))) => {
            return problem(StatusCode::NOT_FOUND, &format!("no document {id}"));
        }
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    problem_with(
        status,
        &detail,
        json!({
            "id": id.to_string(),
            "deleted": false,
            "retained": retained,
            "retainUntil": until.map(|d| d.to_string()),
            "holds": holds,
        }),
    )
}

/// Today's date in Astana (retention dates are dates there).
fn astana_today(now: jiff::Timestamp) -> Option<jiff::civil::Date> {
    astana().ok().map(|tz| now.to_zoned(tz).date())
}

/// `GET /v1/objects/{objectNumber}/documents`: the ids of the documents registered for a
/// construction object (18 digits, else 400).
pub(super) fn object_route(object: &str, state: &AppState) -> Response<Full<Bytes>> {
    if object.len() != 18 || !object.bytes().all(|b| b.is_ascii_digit()) {
        return problem(
            StatusCode::BAD_REQUEST,
            "a construction object number is 18 digits",
        );
    }
    match state.registry.find(Index::Object, object) {
        Ok(ids) => json(
            StatusCode::OK,
            json!({
                "objectNumber": object,
                "documents": ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
            .to_string(),
        ),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `POST /v1/documents/{id}/verify`: the latest version's signatures verified again now, with
/// the registration as their proof of existence (`Registry::reverify`): a signer whose
/// certificate expired, or was revoked for a benign reason, after the registration still
/// validates.
pub(super) fn reverify_route(id: &str, state: &AppState) -> Response<Full<Bytes>> {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let latest = match view(state, id) {
        Ok(view) => view.versions.last().map(|v| v.version).unwrap_or(1),
        Err(response) => return *response,
    };
    match state.registry.reverify(id, latest, jiff::Timestamp::now()) {
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
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
