//! `POST /v1/documents/{id}/holds` and `DELETE /v1/documents/{id}/holds` (auditors): legal
//! holds placed and released with a reason; the auditor is the API key. Each is an event in
//! the audit log (`Registry::place_hold`, `release_hold`).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use qoima_vault::keys::ApiKey;
use qoima_vault::records::ChangeError;
use serde::Deserialize;

use super::documents::parse_id;
use super::{AppState, json, problem};

/// The body of both routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HoldBody {
    reason: String,
    /// The hold to release (DELETE only).
    hold: Option<u32>,
}

fn refusal(error: &ChangeError) -> Response<Full<Bytes>> {
    let status = match error {
        ChangeError::NotFound(_) => StatusCode::NOT_FOUND,
        ChangeError::NoSuchHold(_) | ChangeError::Text(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ChangeError::Disposed(_) => StatusCode::GONE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    problem(status, &error.to_string())
}

/// Places a hold: 201 with its number.
pub(super) fn place(
    id: &str,
    body: &HoldBody,
    state: &AppState,
    key: &ApiKey,
) -> Response<Full<Bytes>> {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    if body.hold.is_some() {
        return problem(StatusCode::BAD_REQUEST, "hold is only for DELETE");
    }
    let by = format!("api key {}", key.id);
    match state
        .registry
        .place_hold(id, &body.reason, &by, jiff::Timestamp::now())
    {
        Ok(hold) => json(
            StatusCode::CREATED,
            serde_json::json!({ "id": id.to_string(), "hold": hold }).to_string(),
        ),
        Err(e) => refusal(&e),
    }
}

/// Releases hold `body.hold`: 200.
pub(super) fn release(
    id: &str,
    body: &HoldBody,
    state: &AppState,
    key: &ApiKey,
) -> Response<Full<Bytes>> {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let Some(hold) = body.hold else {
        return problem(StatusCode::BAD_REQUEST, "which hold: give \"hold\"");
    };
    let by = format!("api key {}", key.id);
    match state
        .registry
        .release_hold(id, hold, &body.reason, &by, jiff::Timestamp::now())
    {
        Ok(()) => json(
            StatusCode::OK,
            serde_json::json!({ "id": id.to_string(), "hold": hold, "released": true }).to_string(),
        ),
        Err(e) => refusal(&e),
    }
}
