//! `POST /v1/documents/{id}/holds` and `DELETE /v1/documents/{id}/holds` (auditors): legal
//! holds placed and released with a reason; the auditor is the API key, and the authority the
//! key's BIN: only a key of that BIN (for a key bound to none, the same key) releases a hold.
//! Each is an event in the audit log (`Registry::place_hold`, `release_hold`).

use hyper::{Response, StatusCode};
use qoima_vault::keys::ApiKey;
use qoima_vault::records::Reason;
use serde::Deserialize;

use super::AppState;
use super::auth::actor;
use super::body::Body;
use super::documents::parse_id;
use super::response::{json, problem, status_of};

/// The body of both routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldBody {
    reason: String,
    /// The hold to release (DELETE only).
    hold: Option<u32>,
}

/// `POST`: places a hold (`hold` absent), 201 with its number.
pub(super) fn place(id: &str, body: &[u8], state: &AppState, key: &ApiKey) -> Response<Body> {
    change(id, body, false, state, key)
}

/// `DELETE`: releases hold `hold`, 200.
pub(super) fn release(id: &str, body: &[u8], state: &AppState, key: &ApiKey) -> Response<Body> {
    change(id, body, true, state, key)
}

/// Places or releases a hold; the auditor recorded is the API key.
fn change(id: &str, body: &[u8], release: bool, state: &AppState, key: &ApiKey) -> Response<Body> {
    let body: HoldBody = match serde_json::from_slice(body) {
        Ok(body) => body,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let reason: Reason = match body.reason.parse() {
        Ok(reason) => reason,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("reason: {e}")),
    };
    let by = match actor(key) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    let now = state.registry.now();
    // The authority is the key's BIN: only a key of the same BIN releases the hold.
    let authority = key.bin.as_deref();
    let done = match (release, body.hold) {
        (false, None) => state
            .registry
            .place_hold(id, &reason, &by, authority, now)
            .map(|hold| {
                (
                    StatusCode::CREATED,
                    serde_json::json!({ "id": id.to_string(), "hold": hold }),
                )
            }),
        (true, Some(hold)) => state
            .registry
            .release_hold(id, hold, &reason, &by, authority, now)
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
        Err(e) => problem(status_of(e.kind()), &e.to_string()),
    }
}
