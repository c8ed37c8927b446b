//! `POST /v1/documents/{id}/holds` and `DELETE /v1/documents/{id}/holds` (auditors): legal
//! holds placed and released with a reason; the auditor is the API key. Each is an event in
//! the audit log (`Registry::place_hold`, `release_hold`).

use hyper::{Response, StatusCode};
use qoima_vault::records::ChangeError;
use serde::Deserialize;

use super::auth::actor;
use super::body::Body;
use super::documents::parse_id;
use super::response::{json, problem};
use super::routes::Call;

/// The body of both routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldBody {
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

/// `POST`: places a hold (`hold` absent), 201 with its number.
pub(super) fn place(body: &[u8], call: Call<'_>) -> Response<Body> {
    change(body, false, call)
}

/// `DELETE`: releases hold `hold`, 200.
pub(super) fn release(body: &[u8], call: Call<'_>) -> Response<Body> {
    change(body, true, call)
}

/// Places or releases a hold; the auditor recorded is the API key.
fn change(body: &[u8], release: bool, call: Call<'_>) -> Response<Body> {
    let body: HoldBody = match serde_json::from_slice(body) {
        Ok(body) => body,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let id = match parse_id(call.param) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let state = call.state;
    let by = actor(call.key);
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
