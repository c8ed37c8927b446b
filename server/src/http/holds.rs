//! `POST /v1/documents/{id}/holds` and `DELETE /v1/documents/{id}/holds` (auditors): legal
//! holds placed and released with a reason; the auditor is the API key. Each is an event in
//! the audit log (`Registry::place_hold`, `release_hold`).

use hyper::{Response, StatusCode};
use qoima_vault::keys::ApiKey;
use qoima_vault::records::ChangeError;
use serde::Deserialize;

use super::body::Body;
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

fn refusal(error: &ChangeError) -> Response<Body> {
    let status = match error {
        ChangeError::NotFound(_) => StatusCode::NOT_FOUND,
        ChangeError::NoSuchHold(_) | ChangeError::Text(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ChangeError::Disposed(_) => StatusCode::GONE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    problem(status, &error.to_string())
}

/// Places a hold (`body.hold` absent): 201 with its number; or releases hold `body.hold`: 200.
/// The auditor recorded is the API key.
pub(super) fn change(
    id: &str,
    body: &HoldBody,
    release: bool,
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let by = super::actor(key);
    let now = jiff::Timestamp::now();
    let done = match (release, body.hold) {
        (false, None) => state
            .registry
            .place_hold(id, &body.reason, &by, now)
            .map(|hold| {
                (
                    StatusCode::CREATED,
                    serde_json::json!({ "id": id.to_string(), "hold": hold }),
                )
            }),
        (true, Some(hold)) => state
            .registry
            .release_hold(id, hold, &body.reason, &by, now)
            .map(|()| {
                let body =
                    serde_json::json!({ "id": id.to_string(), "hold": hold, "released": true });
                (StatusCode::OK, body)
            }),
        (false, Some(_)) => return problem(StatusCode::BAD_REQUEST, "hold is only for DELETE"),
        (true, None) => return problem(StatusCode::BAD_REQUEST, "which hold: give \"hold\""),
    };
    match done {
        Ok((status, body)) => json(status, body.to_string()),
        Err(e) => refusal(&e),
    }
}
