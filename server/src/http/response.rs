//! Responses: JSON, the API's representations, and RFC 9457 problem details.

use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use qoima_vault::registry::ErrorKind;

use super::body::{Body, full};

pub(super) fn json(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `value` (a representation) as a JSON response; 500 if it cannot be written.
pub(super) fn represent(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    match serde_json::to_string(value) {
        Ok(text) => json(status, text),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The reason phrase of `status`, tus's 460 included.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        460 => "Checksum Mismatch",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// The status of a registry error, by its kind alone (`docs/records.md`), as the command line
/// exits by it.
pub(super) fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Caller | ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Gone => StatusCode::GONE,
        ErrorKind::Conflict | ErrorKind::NotAllowed => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An RFC 9457 problem details response.
pub(super) fn problem(status: StatusCode, detail: &str) -> Response<Body> {
    problem_with(status, detail, serde_json::json!({}))
}

/// An RFC 9457 problem details response with the extension members of `extra` (an object).
pub(super) fn problem_with(
    status: StatusCode,
    detail: &str,
    extra: serde_json::Value,
) -> Response<Body> {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": title(status),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let (Some(fields), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        for (name, value) in extra {
            fields.entry(name).or_insert(value);
        }
    }
    let mut response = json(status, body.to_string());
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
