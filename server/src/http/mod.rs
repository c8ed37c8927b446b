//! The HTTP API on hyper 1. [`routes::ROUTES`] lists every route with its handler;
//! `openapi.json` describes them and `docs/api.md` says what each does.
//!
//! The files, from the bottom: `stall` (cutting a client that reads nothing), `body`,
//! `response`, `request` (reading within the limits, signed envelopes via `signed` and
//! `replay`), `state`, `auth` (keys and roles), the handlers (`service`, `verify`, `uploads`,
//! `registration`, `documents`, `holds`, `audit`, `key_admin`, `calendars`), `routes` (the
//! table), and this file: the accept loop and the dispatch.

pub(crate) mod audit;
mod auth;
mod body;
mod calendars;
mod documents;
mod holds;
mod key_admin;
mod metrics;
mod openapi;
pub(crate) mod query;
mod registration;
pub(crate) mod replay;
mod request;
mod response;
mod reverifications;
pub(crate) mod revocation;
pub(crate) mod routes;
mod service;
pub(crate) mod signed;
mod stall;
mod state;
pub(crate) mod uploads;
pub(crate) mod verify;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use qoima_vault::keys::Permission;
use qoima_vault::uploads::UploadStore;
use tokio::net::TcpListener;

use auth::authorise;
use body::Body;
pub(crate) use metrics::resident_bytes;
use request::{head_size, json_body, unread};
use response::problem;
use routes::{Access, Call, Handler, Miss, Route};
use stall::StallGuard;
pub(crate) use state::AppState;

/// Serves connections from `listener` until `shutdown` resolves, then lets in-flight
/// requests finish (for at most the configured grace period).
///
/// At most `max-connections` are open at once: at the cap the loop stops accepting until one
/// closes, and the kernel's listen backlog holds the next ones (they wait, as with any server
/// at its limit, rather than being accepted only to be closed).
pub async fn run(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let expiry = tokio::spawn(expire_uploads(state.uploads.clone()));
    // When the cap was last logged: at most once a minute, so that a server kept at its cap
    // does not log every connection.
    let mut at_cap_logged: Option<Instant> = None;
    loop {
        // At the cap, wait for a connection to close before accepting. Only this loop takes
        // slots, so the one seen free here is still free once a connection is accepted (and
        // the slots taken are exactly the connections open).
        if state.connection_slots.available_permits() == 0 {
            if at_cap_logged.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                tracing::warn!(
                    max_connections = state.settings.max_connections,
                    "at the cap on open connections: not accepting until one closes"
                );
                at_cap_logged = Some(Instant::now());
            }
            tokio::select! {
                // Closed: never, the state holds it.
                freed = state.connection_slots.acquire() => match freed {
                    Ok(freed) => drop(freed),
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            }
        }
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let Ok(slot) = Arc::clone(&state.connection_slots).try_acquire_owned() else {
                    // Not reached (the slot was seen free above): close it rather than exceed.
                    drop(stream);
                    continue;
                };
                let service_state = state.clone();
                let service = service_fn(move |req| {
                    let state = service_state.clone();
                    let deadline = state.settings.body_deadline;
                    async move {
                        Ok::<_, Infallible>(body::with_deadline(deadline, serve(req, &state)).await)
                    }
                });
                // Headers beyond the buffer are refused by hyper with 431.
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(state.settings.header_read_timeout)
                    .max_buf_size(state.settings.max_header_bytes)
                    .serve_connection(
                        TokioIo::new(StallGuard::new(stream, state.settings.body_idle_timeout)),
                        service,
                    );
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    // A client that resets its connection is no error of ours.
                    let _ = connection.await;
                    drop(slot);
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
        match tokio::task::spawn_blocking(move || store.sweep(jiff::Timestamp::now())).await {
            Ok(Ok(sweep)) => {
                for (upload, problem) in &sweep.damaged {
                    tracing::warn!(%upload, %problem, "damaged upload removed");
                }
                if sweep.expired > 0 {
                    tracing::info!(removed = sweep.expired, "expired uploads removed");
                }
                if sweep.leftovers > 0 {
                    tracing::info!(
                        uploads = sweep.leftovers,
                        "staged bytes of ended uploads removed"
                    );
                }
            }
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
        Ok((route, params)) => {
            let param = params.first().copied().unwrap_or_default();
            (route.path, dispatch(route, param, req, state).await)
        }
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

/// A request on its route: the caller's key checked against the route's permission (none or
/// an unknown key is 401, a role without the permission 403), then the route's handler.
async fn dispatch(
    route: &Route,
    param: &str,
    req: Request<Incoming>,
    state: &AppState,
) -> Response<Body> {
    let (permission, handler) = match route.access {
        Access::Open(handler) => return handler(req, state).await,
        Access::Key(permission, handler) => (permission, handler),
    };
    let key = match authorise(&req, state, permission) {
        Ok(key) => key,
        Err(response) => return unread(req, *response, state).await,
    };
    let call = Call {
        state,
        key: &key,
        param,
    };
    match handler {
        // An auditor's reads are logged (a synced write) as the handler is called.
        Handler::Request(handler) if key.role.can(Permission::Audit) => {
            off_the_workers(|| handler(req, call)).await
        }
        Handler::Request(handler) => handler(req, call).await,
        Handler::Json(handler) => match json_body(req, state, &key).await {
            Ok((body, share)) => {
                // The handlers of holds, disposal, keys and calendars write (and sync) the
                // vault as they are called, synchronously: that call leaves the async worker.
                let reply = off_the_workers(|| handler(body, call));
                let response = reply.await;
                // The body's share of the JSON buffer is held until its handler is done.
                drop(share);
                response
            }
            Err(response) => *response,
        },
    }
}

/// `work`, which may block (a synced write), on a thread the async workers can spare: on the
/// multi-threaded runtime this worker hands its other tasks to a new one for the duration
/// (`block_in_place`); elsewhere (a current-thread runtime, which cannot) it runs in place.
fn off_the_workers<T>(work: impl FnOnce() -> T) -> T {
    let multi_threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_threaded {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use std::sync::mpsc;

    use super::*;

    #[test]
    fn blocking_work_leaves_the_async_worker_free() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        // Blocks the only worker's task until another task releases it (or 10 s pass).
        let blocked = runtime.spawn(async move {
            off_the_workers(|| {
                started_tx.send(()).unwrap();
                release_rx.recv_timeout(Duration::from_secs(10))
            })
        });
        started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        // This task needs a worker: had the work stayed on the only one, it would never run,
        // and the work would time out.
        runtime.spawn(async move { release_tx.send(()).unwrap() });
        let released = runtime.block_on(blocked).unwrap();
        assert!(released.is_ok(), "the other task never ran");
    }

    #[test]
    fn on_a_current_thread_runtime_blocking_work_runs_in_place() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let here = std::thread::current().id();
        let ran = runtime.block_on(async { off_the_workers(|| std::thread::current().id()) });
        assert_eq!(ran, here);
        assert_eq!(off_the_workers(|| 7), 7, "and outside a runtime");
    }
}
