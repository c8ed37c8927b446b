//! The HTTP API on hyper 1 (issue 6): the routes are listed in [`routes::ROUTES`] and
//! described in `openapi.json`; `docs/api.md` says what each does.

pub(crate) mod audit;
pub mod body;
mod calendars;
mod documents;
mod holds;
mod key_admin;
pub mod metrics;
pub(crate) mod query;
mod registration;
pub(crate) mod replay;
pub mod routes;
pub mod signed;
pub(crate) mod uploads;
mod verify;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use qoima_vault::audit::Signer;
use qoima_vault::keys::{ApiKey, KeyCache, Permission};
use qoima_vault::records::{ChangeError, DocumentId, Registry};
use qoima_vault::uploads::UploadStore;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use body::Body;
use body::{ReadError, full};
use metrics::Metrics;
use routes::{Miss, Route};

use crate::cli::config::ServerSettings;

/// Shared state of the request handlers.
#[derive(Clone)]
pub struct AppState {
    /// The registered documents (and the content store under them).
    pub registry: Arc<Registry>,
    /// The audit log's checkpoint signer.
    pub signer: Arc<Signer>,
    /// Uploads in progress (tus).
    pub uploads: UploadStore,
    /// Limits and timeouts.
    pub settings: Arc<ServerSettings>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// One permit per upload body being received: the bound on concurrent uploads.
    pub upload_slots: Arc<Semaphore>,
    /// The signed requests accepted lately (keys that require them).
    pub replay: Arc<signed::ReplayGuard>,
    /// The API keys met so far; revocations go through it.
    pub keys: Arc<KeyCache>,
}

impl AppState {
    /// The state of a server over `registry`, with `settings`.
    pub fn new(
        registry: Registry,
        signer: Signer,
        uploads: UploadStore,
        replay: signed::ReplayGuard,
        settings: ServerSettings,
    ) -> Self {
        Self {
            registry: Arc::new(registry),
            signer: Arc::new(signer),
            uploads,
            upload_slots: Arc::new(Semaphore::new(settings.max_concurrent_uploads)),
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            replay: Arc::new(replay),
            keys: Arc::new(KeyCache::default()),
        }
    }
}

/// Serves connections from `listener` until `shutdown` resolves, then lets in-flight
/// requests finish (for at most the configured grace period).
pub async fn run(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let expiry = tokio::spawn(expire_uploads(state.uploads.clone()));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let service_state = state.clone();
                let service = service_fn(move |req| {
                    let state = service_state.clone();
                    async move { Ok::<_, Infallible>(serve(req, &state).await) }
                });
                // Headers beyond the buffer are refused by hyper with 431.
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(state.settings.header_read_timeout)
                    .max_buf_size(state.settings.max_header_bytes)
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
    expiry.abort();
    if tokio::time::timeout(state.settings.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the grace period were cut");
    }
}

/// Removes expired uploads now and every minute (tus expiration extension).
async fn expire_uploads(uploads: UploadStore) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        let store = uploads.clone();
        match tokio::task::spawn_blocking(move || store.expire(jiff::Timestamp::now())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(removed)) => tracing::info!(removed, "expired uploads removed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "removing expired uploads failed"),
            Err(e) => tracing::warn!(error = %e, "removing expired uploads failed"),
        }
    }
}

/// One request: routed, timed, counted and logged.
async fn serve(req: Request<Incoming>, state: &AppState) -> Response<Body> {
    let started = Instant::now();
    let _in_flight = state.metrics.in_flight();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let (template, response) = match routes::find(&method, &path) {
        // hyper bounds its read buffer, not the head: a head that arrives in one read can
        // exceed it, so the limit is checked here too.
        _ if head_size(&req) > state.settings.max_header_bytes => {
            let limit = state.settings.max_header_bytes;
            let response = problem(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                &format!("the request's headers are larger than {limit} bytes"),
            );
            ("unmatched", unread(req, response, state).await)
        }
        Ok((route, params)) => (route.path, dispatch(route, &params, req, state).await),
        Err(Miss::NotFound) => (
            "unmatched",
            problem(StatusCode::NOT_FOUND, &format!("no route for {path}")),
        ),
        Err(Miss::Method(allowed)) => {
            let allowed = allowed.join(", ");
            let mut response = problem(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("{path} takes {allowed}"),
            );
            if let Ok(value) = HeaderValue::from_str(&allowed) {
                response.headers_mut().insert(ALLOW, value);
            }
            ("unmatched", response)
        }
    };
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    state.metrics.observe(&method, template, status, elapsed);
    tracing::info!(
        method = %method,
        route = template,
        status,
        micros = elapsed.as_micros() as u64,
        "request"
    );
    response
}

async fn dispatch(
    route: &Route,
    params: &[&str],
    req: Request<Incoming>,
    state: &AppState,
) -> Response<Body> {
    // Every route but the open ones needs a key (issue 6): none or an unknown one is 401, a
    // role without the permission 403.
    let caller = match route.permission {
        None => return open_route(route, state),
        Some(permission) => match authorise(&req, state, permission) {
            Ok(caller) => caller,
            Err(response) => return unread(req, *response, state).await,
        },
    };
    let key: &ApiKey = &caller;
    let param = params.first().copied().unwrap_or_default();
    match (route.method, route.path) {
        ("GET", "/metrics") => metrics_route(state),
        ("GET", "/openapi.json") => json(StatusCode::OK, OPENAPI.into()),
        ("POST", "/v1/verify") => verify_route(req, state).await,
        ("POST", "/v1/uploads") => uploads::create(req, state, key).await,
        ("HEAD", "/v1/uploads/{id}") => uploads::head(param, &req, state, key),
        ("PATCH", "/v1/uploads/{id}") => uploads::patch(param, req, state, key).await,
        ("DELETE", "/v1/uploads/{id}") => uploads::terminate(param, &req, state, key),
        ("POST", "/v1/documents") => match json_body(req, state, key).await {
            Ok(bytes) => registration::register_route(&bytes, state, key).await,
            Err(response) => *response,
        },
        ("GET", "/v1/documents/{id}") => document_route(param, state, key),
        ("DELETE", "/v1/documents/{id}") => match json_body(req, state, key).await {
            Ok(bytes) => documents::delete_route(param, &bytes, state, key),
            Err(response) => *response,
        },
        ("GET", "/v1/documents/{id}/versions") => documents::versions_route(param, state, key),
        ("POST", "/v1/documents/{id}/versions") => match json_body(req, state, key).await {
            Ok(bytes) => registration::new_version_route(param, &bytes, state, key).await,
            Err(response) => *response,
        },
        ("GET", "/v1/documents/{id}/statement") => {
            registration::statement_route(param, req.uri().query(), state)
        }
        ("GET", "/v1/documents/{id}/content") => {
            documents::content_route(req.headers(), param, state, key).await
        }
        ("POST", "/v1/documents/{id}/verify") => {
            documents::reverify_route(param, req.uri().query(), state)
        }
        (method @ ("POST" | "DELETE"), "/v1/documents/{id}/holds") => {
            let bytes = match json_body(req, state, key).await {
                Ok(bytes) => bytes,
                Err(response) => return *response,
            };
            match serde_json::from_slice::<holds::HoldBody>(&bytes) {
                Ok(hold) => holds::change(param, &hold, method == "DELETE", state, key),
                Err(e) => problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
            }
        }
        ("GET", "/v1/objects/{objectNumber}/documents") => documents::object_route(param, state),
        ("GET", "/v1/audit/checkpoint") => checkpoint_route(state),
        ("GET", "/v1/audit/proofs/inclusion") => audit::inclusion_route(req.uri().query(), state),
        ("GET", "/v1/audit/proofs/consistency") => {
            audit::consistency_route(req.uri().query(), state)
        }
        ("GET", "/v1/keys") => key_admin::list(state),
        ("POST", "/v1/keys") => match json_body(req, state, key).await {
            Ok(bytes) => key_admin::create(&bytes, state),
            Err(response) => *response,
        },
        // Bodiless, but a key that signs its requests signs this one too (an envelope of `{}`).
        ("DELETE", "/v1/keys/{id}") => match json_body(req, state, key).await {
            Ok(_) => key_admin::revoke(param, state),
            Err(response) => *response,
        },
        ("GET", "/v1/calendars") => calendars::list(state),
        ("PUT", "/v1/calendars/{year}") => match json_body(req, state, key).await {
            Ok(bytes) => calendars::set(param, &bytes, state, key),
            Err(response) => *response,
        },
        _ => no_handler(route),
    }
}

/// The routes that need no key.
fn open_route(route: &Route, state: &AppState) -> Response<Body> {
    match (route.method, route.path) {
        ("GET", "/healthz") => json(StatusCode::OK, r#"{"status":"ok"}"#.into()),
        ("OPTIONS", "/v1/uploads") => uploads::options(state),
        _ => no_handler(route),
    }
}

/// A route of the table without a handler: a bug, caught by the tests of every route.
fn no_handler(route: &Route) -> Response<Body> {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        &format!("{} {} has no handler", route.method, route.path),
    )
}

/// The OpenAPI description of every route.
const OPENAPI: &str = include_str!("openapi.json");

/// The body of a mutating JSON request: at most the configured size, and for a key that
/// requires signed requests, the content of its verified CMS envelope.
async fn json_body(
    req: Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Result<hyper::body::Bytes, Box<Response<Body>>> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = read_body(req, state.settings.max_json_body, state).await?;
    if !key.require_signed {
        return Ok(bytes);
    }
    // Verification is CPU work: off the reactor.
    let (state, key) = (state.clone(), key.clone());
    let opened = tokio::task::spawn_blocking(move || {
        signed::open_envelope(
            &bytes,
            content_type.as_deref(),
            &key,
            state.registry.verifier(),
            &state.replay,
            jiff::Timestamp::now(),
        )
    })
    .await;
    match opened {
        Ok(Ok(content)) => Ok(content.into()),
        Ok(Err(refusal)) => {
            let extra = match refusal.report {
                Some(report) => serde_json::json!({ "report": report }),
                None => serde_json::json!({}),
            };
            Err(Box::new(problem_with(
                refusal.status,
                &refusal.detail,
                extra,
            )))
        }
        Err(e) => Err(Box::new(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
        ))),
    }
}

/// The request's body, at most `limit` bytes; 413, 408 or 400 as a response otherwise.
async fn read_body(
    req: Request<Incoming>,
    limit: usize,
    state: &AppState,
) -> Result<hyper::body::Bytes, Box<Response<Body>>> {
    body::read(req.into_body(), limit, state.settings.body_idle_timeout)
        .await
        .map_err(|e| Box::new(read_failure(&e)))
}

/// The size of a request's head as sent: the request line and every header line.
fn head_size(req: &Request<Incoming>) -> usize {
    let target = req
        .uri()
        .path_and_query()
        .map_or(1, |target| target.as_str().len())
        + req
            .uri()
            .authority()
            .map_or(0, |authority| authority.as_str().len());
    let line = req.method().as_str().len() + target + 12;
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + line
}

/// How much of a refused request's body is read (and dropped) before the refusal is sent.
const DRAIN_LIMIT: u64 = 1 << 20;

/// `response` to a request refused before its body was read. A client still sending its
/// body when the server closes the connection gets a reset, which can destroy the response
/// before it is read: so up to [`DRAIN_LIMIT`] bytes are read first, and a longer body is
/// answered with `Connection: close` (it is not read to its end).
async fn unread(
    req: Request<Incoming>,
    mut response: Response<Body>,
    state: &AppState,
) -> Response<Body> {
    let idle = state.settings.body_idle_timeout.min(Duration::from_secs(5));
    if !body::drain(req.into_body(), DRAIN_LIMIT, idle).await {
        response
            .headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The response to a body that could not be read.
fn read_failure(error: &ReadError) -> Response<Body> {
    let status = match error {
        ReadError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        ReadError::Stalled(_) => StatusCode::REQUEST_TIMEOUT,
        ReadError::Broken(_) => StatusCode::BAD_REQUEST,
    };
    let mut response = problem(status, &error.to_string());
    if matches!(error, ReadError::TooLarge(_) | ReadError::Stalled(_)) {
        // The rest of the body will not be read: the connection cannot be reused.
        response
            .headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// `GET /metrics`: Prometheus text, with the gauges sampled now.
fn metrics_route(state: &AppState) -> Response<Body> {
    let uploads = state.uploads.count().unwrap_or(0) as f64;
    let receiving = state
        .settings
        .max_concurrent_uploads
        .saturating_sub(state.upload_slots.available_permits()) as f64;
    let text = state.metrics.render(&[
        (
            "qoima_uploads",
            "Uploads present (unfinished, or complete and not yet registered).",
            uploads,
        ),
        (
            "qoima_uploads_receiving",
            "Upload bodies being received now.",
            receiving,
        ),
    ]);
    let mut response = Response::new(full(text));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}

async fn verify_route(req: Request<Incoming>, state: &AppState) -> Response<Body> {
    let bytes = match read_body(req, state.settings.max_json_body, state).await {
        Ok(bytes) => bytes,
        Err(response) => return *response,
    };
    let request: verify::VerifyBody = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let now = jiff::Timestamp::now().as_second();
    match verify::verify(state.registry.verifier(), &request, now) {
        Ok(report) => {
            state
                .metrics
                .verification(report.verdict.indication.as_str());
            match serde_json::to_string(&report) {
                Ok(text) => json(StatusCode::OK, text),
                Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

/// The caller's key, if it grants `permission`; else the 401 or 403 response.
fn authorise(
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

fn document_route(id: &str, state: &AppState, caller: &ApiKey) -> Response<Body> {
    let view = match documents::read_view(id, state, caller, "document") {
        Ok(view) => view,
        Err(response) => return *response,
    };
    match crate::cli::doc::document_json(&view) {
        Ok(value) => json(StatusCode::OK, value.to_string()),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// How the audit log and the records name the holder of `key`.
fn actor(key: &ApiKey) -> String {
    format!("api key {}", key.id)
}

/// Every read by an auditor is in the audit log (issue 5), written before it is served; a
/// document that does not exist is left to the route (404).
fn log_auditor_read(
    state: &AppState,
    caller: &ApiKey,
    id: DocumentId,
    what: &str,
) -> Result<(), Box<Response<Body>>> {
    if !caller.role.can(Permission::Audit) {
        return Ok(());
    }
    let by = actor(caller);
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

fn checkpoint_route(state: &AppState) -> Response<Body> {
    let signed = state
        .registry
        .log()
        .and_then(|log| log.checkpoint(&state.signer));
    match signed {
        Ok((_, note)) => {
            let mut response = Response::new(full(note));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn json(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The reason phrase of `status`, tus's 460 included.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        460 => "Checksum Mismatch",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// An RFC 9457 problem details response.
fn problem(status: StatusCode, detail: &str) -> Response<Body> {
    problem_with(status, detail, serde_json::json!({}))
}

/// An RFC 9457 problem details response with the extension members of `extra` (an object).
fn problem_with(status: StatusCode, detail: &str, extra: serde_json::Value) -> Response<Body> {
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
