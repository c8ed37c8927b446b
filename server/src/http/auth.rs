//! Who calls: the caller's API key and what its role may do; every auditor's read logged.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use hyper::{Request, Response, StatusCode};
use qoima_vault::keys::{ApiKey, Permission, Role};
use qoima_vault::records::{Actor, ActorError, DocumentId};
use qoima_vault::registry::ErrorKind;

use super::AppState;
use super::body::Body;
use super::response::{problem, status_of};
use crate::representation::Audience;

/// The caller's key, if it grants `permission`; else the 401 or 403 response.
pub(super) fn authorise(
    req: &Request<Incoming>,
    state: &AppState,
    permission: Permission,
) -> Result<Arc<ApiKey>, Box<Response<Body>>> {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let backend = state.registry.content().backend();
    let key = match token.map(|t| state.keys.authenticate(backend, t.trim())) {
        Some(Ok(Some(key))) => key,
        Some(Err(e)) => {
            return Err(Box::new(problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
            )));
        }
        Some(Ok(None)) | None => {
            let mut response = problem(
                StatusCode::UNAUTHORIZED,
                "an API key is required: Authorization: Bearer <key>",
            );
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Err(Box::new(response));
        }
    };
    if !key.role.can(permission) {
        return Err(Box::new(problem(
            StatusCode::FORBIDDEN,
            &format!("a {} key may not do this", key.role.as_str()),
        )));
    }
    Ok(key)
}

/// How the audit log and the records name the holder of `key`: `api key <id>` (500 were that
/// not an [`Actor`], which a key id's hex digits cannot make).
pub(super) fn actor(key: &ApiKey) -> Result<Actor, Box<Response<Body>>> {
    format!("api key {}", key.id)
        .parse()
        .map_err(|e: ActorError| {
            Box::new(problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))
        })
}

/// Every read by an auditor is in the audit log (the orders give law enforcement and control bodies access, and every access is logged), written before it is served; a
/// document that does not exist is left to the route (404).
pub(super) fn log_auditor_read(
    state: &AppState,
    caller: &ApiKey,
    id: DocumentId,
    what: &'static str,
) -> Result<(), Box<Response<Body>>> {
    if !caller.role.can(Permission::Audit) {
        return Ok(());
    }
    let by = actor(caller)?;
    match state
        .registry
        .record_read(id, what, &by, jiff::Timestamp::now())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Box::new(problem(status_of(e.kind()), &e.to_string()))),
    }
}

/// What `caller` sees of auditors' reads and of why documents are held: everything for an
/// auditor or an admin, neither for a reader or a writer.
pub(super) fn audience(caller: &ApiKey) -> Audience {
    match caller.role {
        Role::Auditor | Role::Admin => Audience::Full,
        Role::Reader | Role::Writer => Audience::Restricted,
    }
}
