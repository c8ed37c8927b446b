//! The HTTP API on hyper 1 (issue 6; in progress): `GET /healthz`, `POST /v1/verify`,
//! `GET /v1/documents/{id}`, `GET /v1/documents/{id}/versions`,
//! `GET /v1/documents/{id}/content`, `DELETE /v1/documents/{id}`, `GET /v1/audit/checkpoint`,
//! `GET /v1/objects/{objectNumber}/documents`, `GET /v1/audit/proofs/{inclusion,consistency}`.

mod audit;
mod documents;
mod holds;
mod verify;

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use std::sync::Arc;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use qoima_vault::audit::Signer;
use qoima_vault::keys::{self, ApiKey, Permission};
use qoima_vault::records::{ChangeError, DocumentId, Registry};
use tokio::net::TcpListener;

/// How long in-flight requests may take to finish after shutdown is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The largest request body accepted by the JSON routes (a base64 CMS with its content).
const MAX_JSON_BODY: usize = 64 << 20;

/// Shared state of the request handlers.
#[derive(Clone)]
pub struct AppState {
    /// The registered documents (and the content store under them).
    pub registry: Arc<Registry>,
    /// The audit log's checkpoint signer.
    pub signer: Arc<Signer>,
}

/// Serves connections from `listener` until `shutdown` resolves, then lets
/// in-flight requests finish.
pub async fn run(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let state = state.clone();
                let service = service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(route(req, &state).await) }
                });
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // A client that resets its connection is no error of ours.
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

async fn route(req: Request<Incoming>, state: &AppState) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // Every route but /healthz needs a key (issue 6): none or an unknown one is 401, a
    // role without the permission 403.
    let needed = match (req.method(), segments.as_slice()) {
        (_, ["healthz"]) => None,
        (
            &Method::GET,
            ["v1", "audit", "checkpoint"] | ["v1", "audit", "proofs", "inclusion" | "consistency"],
        ) => Some(Permission::Audit),
        (&Method::DELETE, ["v1", "documents", _]) => Some(Permission::Write),
        (&Method::POST, ["v1", "documents", _, "verify"]) => Some(Permission::Read),
        (&Method::POST | &Method::DELETE, ["v1", "documents", _, "holds"]) => {
            Some(Permission::Audit)
        }
        (
            _,
            ["v1", "verify"]
            | ["v1", "documents", _]
            | ["v1", "documents", _, "versions" | "content"]
            | ["v1", "objects", _, "documents"]
            | ["v1", "audit", "checkpoint"]
            | ["v1", "audit", "proofs", "inclusion" | "consistency"],
        ) => Some(Permission::Read),
        // An unknown route is 404 whoever asks.
        _ => None,
    };
    let caller = match needed {
        None => None,
        Some(permission) => match authorise(&req, state, permission) {
            Ok(caller) => Some(caller),
            Err(response) => return *response,
        },
    };
    match (req.method().clone(), segments.as_slice()) {
        (Method::GET, ["healthz"]) => json(StatusCode::OK, r#"{"status":"ok"}"#.into()),
        (Method::POST, ["v1", "verify"]) => verify_route(req, state).await,
        (Method::GET, ["v1", "documents", id]) => document_route(id, state, caller.as_ref()),
        (Method::DELETE, ["v1", "documents", id]) => documents::delete_route(id, state),
        (Method::POST, ["v1", "documents", id, "verify"]) => documents::reverify_route(id, state),
        (method @ (Method::POST | Method::DELETE), ["v1", "documents", id, "holds"]) => {
            let Some(key) = caller.as_ref() else {
                return problem(StatusCode::UNAUTHORIZED, "an API key is required");
            };
            let bytes = match body(req, 64 << 10).await {
                Ok(bytes) => bytes,
                Err(response) => return response,
            };
            let hold: holds::HoldBody = match serde_json::from_slice(&bytes) {
                Ok(hold) => hold,
                Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
            };
            holds::change(id, &hold, method == Method::DELETE, state, key)
        }
        (Method::GET, ["v1", "documents", id, "versions"]) => {
            documents::versions_route(id, state, caller.as_ref())
        }
        (Method::GET, ["v1", "documents", id, "content"]) => {
            let range = req.headers().get(hyper::header::RANGE).cloned();
            documents::content_route(range.as_ref(), id, state, caller.as_ref()).await
        }
        (Method::GET, ["v1", "objects", object, "documents"]) => {
            documents::object_route(object, state)
        }
        (Method::GET, ["v1", "audit", "checkpoint"]) => checkpoint_route(state),
        (Method::GET, ["v1", "audit", "proofs", "inclusion"]) => {
            audit::inclusion_route(req.uri().query(), state)
        }
        (Method::GET, ["v1", "audit", "proofs", "consistency"]) => {
            audit::consistency_route(req.uri().query(), state)
        }
        (_, ["healthz"]) => problem(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
        (_, ["v1", "verify"]) => problem(StatusCode::METHOD_NOT_ALLOWED, "use POST"),
        (
            _,
            ["v1", "documents", _]
            | ["v1", "documents", _, "versions" | "content"]
            | ["v1", "objects", _, "documents"]
            | ["v1", "audit", "checkpoint"]
            | ["v1", "audit", "proofs", "inclusion" | "consistency"],
        ) => problem(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
        _ => problem(StatusCode::NOT_FOUND, &format!("no route for {path}")),
    }
}

/// The body, at most `limit` bytes.
async fn body(req: Request<Incoming>, limit: usize) -> Result<Bytes, Response<Full<Bytes>>> {
    match Limited::new(req.into_body(), limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {limit} bytes"),
        )),
        Err(e) => Err(problem(
            StatusCode::BAD_REQUEST,
            &format!("the body could not be read: {e}"),
        )),
    }
}

async fn verify_route(req: Request<Incoming>, state: &AppState) -> Response<Full<Bytes>> {
    let bytes = match body(req, MAX_JSON_BODY).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let request: verify::VerifyBody = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let now = jiff::Timestamp::now().as_second();
    match verify::verify(state.registry.verifier(), &request, now) {
        Ok(report) => match serde_json::to_string(&report) {
            Ok(text) => json(StatusCode::OK, text),
            Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

/// The caller's key, if it grants `permission`; else the 401 or 403 response.
fn authorise(
    req: &Request<Incoming>,
    state: &AppState,
    permission: Permission,
) -> Result<ApiKey, Box<Response<Full<Bytes>>>> {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let key = match token.map(|t| keys::authenticate(state.registry.content().backend(), t.trim()))
    {
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

fn document_route(id: &str, state: &AppState, caller: Option<&ApiKey>) -> Response<Full<Bytes>> {
    let view = match documents::parse_id(id)
        .and_then(|id| log_auditor_read(state, caller, id, "document").map(|()| id))
        .and_then(|id| documents::view(state, id))
    {
        Ok(view) => view,
        Err(response) => return *response,
    };
    match crate::cli::doc::document_json(&view) {
        Ok(value) => json(StatusCode::OK, value.to_string()),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Every read by an auditor is in the audit log (issue 5), written before it is served; a
/// document that does not exist is left to the route (404).
fn log_auditor_read(
    state: &AppState,
    caller: Option<&ApiKey>,
    id: DocumentId,
    what: &str,
) -> Result<(), Box<Response<Full<Bytes>>>> {
    let Some(key) = caller.filter(|key| key.role.can(Permission::Audit)) else {
        return Ok(());
    };
    let by = format!("api key {}", key.id);
    match state
        .registry
        .record_read(id, what, &by, jiff::Timestamp::now())
    {
        Ok(()) | Err(ChangeError::NotFound(_)) => Ok(()),
        Err(e) => Err(Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
        ))),
    }
}

fn checkpoint_route(state: &AppState) -> Response<Full<Bytes>> {
    let signed = state
        .registry
        .log()
        .and_then(|log| log.checkpoint(&state.signer));
    match signed {
        Ok((_, note)) => {
            let mut response = Response::new(Full::new(Bytes::from(note)));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// An RFC 9457 problem details response.
fn problem(status: StatusCode, detail: &str) -> Response<Full<Bytes>> {
    problem_with(status, detail, serde_json::json!({}))
}

/// An RFC 9457 problem details response with the extension members of `extra` (an object).
fn problem_with(
    status: StatusCode,
    detail: &str,
    extra: serde_json::Value,
) -> Response<Full<Bytes>> {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("error"),
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
