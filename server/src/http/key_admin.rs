//! `GET /v1/keys`, `POST /v1/keys` and `DELETE /v1/keys/{id}` (admins): the API keys, as
//! `qoima keys list|create|revoke` manage them. A new key's token is in the 201 response
//! only; the vault keeps its secret's SHA-256. Creations and revocations are in the audit log,
//! made by the calling admin key (`api key <id>`).

use hyper::{Response, StatusCode};
use qoima_vault::keys::{self, ApiKey, KeyError, KeyId, NewKey, Role};
use qoima_vault::records::Participant;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::auth::actor;
use super::body::Body;
use super::response::{json, problem};
use crate::representation::Key;

/// The body of `POST /v1/keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct NewKeyBody {
    role: String,
    name: Option<String>,
    bin: Option<String>,
    /// The participant whose numbering the key registers under.
    participant: Option<String>,
    #[serde(default)]
    require_signed: bool,
}

fn failure(error: &KeyError) -> Response<Body> {
    let status = match error {
        KeyError::BadName | KeyError::BadBin => StatusCode::UNPROCESSABLE_ENTITY,
        KeyError::Unknown(_) => StatusCode::NOT_FOUND,
        KeyError::AlreadyRevoked(_) => StatusCode::GONE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    problem(status, &error.to_string())
}

/// `GET /v1/keys`: every key, revoked ones included, never a secret.
pub(super) fn list(state: &AppState) -> Response<Body> {
    match keys::list(state.registry.content().backend()) {
        Ok(keys) => json(
            StatusCode::OK,
            json!({ "keys": keys.iter().map(Key::new).collect::<Vec<_>>() }).to_string(),
        ),
        Err(e) => failure(&e),
    }
}

/// `POST /v1/keys`: 201 with `key` (the token, shown this once), `id` and `role`; the caller
/// is the actor of its audit entry.
pub(super) fn create(bytes: &[u8], state: &AppState, caller: &ApiKey) -> Response<Body> {
    let new: NewKeyBody = match serde_json::from_slice(bytes) {
        Ok(new) => new,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let Ok(role) = new.role.parse::<Role>() else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("role {:?}: one of writer, reader, auditor, admin", new.role),
        );
    };
    if new.require_signed && new.bin.is_none() {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "requireSigned needs the BIN whose signers speak for the key",
        );
    }
    let participant = match new.participant.as_deref().map(Participant::new).transpose() {
        Ok(participant) => participant,
        Err(e) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("participant {:?}: {e}", new.participant.unwrap_or_default()),
            );
        }
    };
    let by = match actor(caller) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    let key = NewKey {
        role,
        name: new.name,
        bin: new.bin,
        participant,
        require_signed: new.require_signed,
    };
    match state.registry.create_key(&key, &by, jiff::Timestamp::now()) {
        Ok((id, token)) => json(
            StatusCode::CREATED,
            json!({ "key": token, "id": id.to_string(), "role": role.as_str() }).to_string(),
        ),
        Err(e) => failure(&e),
    }
}

/// `DELETE /v1/keys/{id}`: the key authenticates no more (404 unknown, 410 revoked before); the
/// caller is the actor of its audit entry.
pub(super) fn revoke(id: &str, state: &AppState, caller: &ApiKey) -> Response<Body> {
    let Ok(id) = id.parse::<KeyId>() else {
        return problem(StatusCode::NOT_FOUND, &format!("no API key {id:?}"));
    };
    let by = match actor(caller) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    let revoked = state.keys.revoke(id, |id| {
        state.registry.revoke_key(id, &by, jiff::Timestamp::now())
    });
    match revoked {
        Ok(()) => json(
            StatusCode::OK,
            json!({ "id": id.to_string(), "revoked": true }).to_string(),
        ),
        Err(e) => failure(&e),
    }
}
