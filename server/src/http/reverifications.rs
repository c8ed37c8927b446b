//! `POST /v1/reverifications`, `GET /v1/reverifications/{id}` and
//! `GET /v1/reverifications/{id}/results` (auditors and admins): bulk re-verification runs
//! over the vault, as `qoima reverify` makes them, on a thread of their own. One run at a time
//! per vault; the results stream as JSON lines, up to the run's last checkpoint.

use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::{Response, StatusCode};
use qoima_vault::keys::ApiKey;
use serde_json::json;

use super::AppState;
use super::auth::actor;
use super::body::{Body, Channel};
use super::response::{json, problem};
use crate::bulk::reverify::{self, Engine, Options, Outputs, RunState, Runs, Status};

/// The runs of the vault the server serves, and the one running.
pub(crate) struct Reverifications {
    runs: Runs,
    current: Mutex<Option<Current>>,
}

/// The run in progress: its state as its last checkpoint left it, and its stop switch.
struct Current {
    state: Arc<Mutex<RunState>>,
    stop: Arc<AtomicBool>,
}

impl Reverifications {
    /// Over the runs of the data directory.
    pub(crate) fn new(runs: Runs) -> Self {
        Self {
            runs,
            current: Mutex::new(None),
        }
    }

    /// Stops the run in progress, if any, and waits up to `patience` for it to save itself as
    /// interrupted (`qoima reverify --resume` goes on with it); at shutdown.
    pub(crate) fn stop(&self, patience: std::time::Duration) {
        if let Some(current) = self.lock().as_ref() {
            current.stop.store(true, Ordering::Relaxed);
        }
        let deadline = std::time::Instant::now() + patience;
        while self.lock().is_some() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state of run `id`: the live one while it runs, else as saved.
    fn state(&self, id: &str) -> Result<Option<RunState>, String> {
        if let Some(current) = self.lock().as_ref() {
            let state = current.state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.id == id {
                return Ok(Some(state.clone()));
            }
        }
        self.runs.load(id)
    }
}

/// `POST /v1/reverifications`: starts a run with the options of the body (`qoima reverify`'s,
/// in camelCase); 202 with its id, 409 while another runs, 422 for options that are wrong.
pub(super) fn start(body: &[u8], state: &AppState, caller: &ApiKey) -> Response<Body> {
    let options: Options = match serde_json::from_slice(if body.is_empty() { b"{}" } else { body })
    {
        Ok(options) => options,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let resolved = match options.resolve(jiff::Timestamp::now()) {
        Ok(resolved) => resolved,
        Err(detail) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &detail),
    };
    let by = match actor(caller) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    let reverifications = Arc::clone(&state.reverifications);
    let mut current = reverifications.lock();
    if let Some(running) = current.as_ref() {
        let id = running
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .id
            .clone();
        return problem(
            StatusCode::CONFLICT,
            &format!("run {id} is in progress: one run at a time"),
        );
    }
    let total = match state.registry.selection_size(&resolved.selection) {
        Ok(total) => total,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let run =
        match reverifications
            .runs
            .create(options, &resolved, &by, None, Outputs::default(), total)
        {
            Ok(run) => run,
            Err(detail) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &detail),
        };
    let id = run.id.clone();
    let published = Arc::new(Mutex::new(run.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    *current = Some(Current {
        state: Arc::clone(&published),
        stop: Arc::clone(&stop),
    });
    drop(current);
    let registry = Arc::clone(&state.registry);
    // The API keeps a core for itself.
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1));
    let spawned = std::thread::Builder::new()
        .name(format!("reverify {id}"))
        .spawn(move || {
            // The run verifies on the engine in force when it starts, fresh CRLs or not.
            let verifier = registry.verifier();
            let engine = Engine {
                registry: &registry,
                verifier: &verifier,
                runs: &reverifications.runs,
                jobs,
                stop: &stop,
                by,
                show_progress: false,
                published: Some(&published),
            };
            let finished = match reverify::run(&engine, run.clone()) {
                Ok(state) => state,
                Err(e) => {
                    tracing::error!(run = %run.id, error = %e, "re-verification failed");
                    let mut state = published
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone();
                    state.status = Status::Failed;
                    state.error = Some(e);
                    state
                }
            };
            tracing::info!(run = %finished.id, total = finished.summary.total, "re-verification ended");
            *published.lock().unwrap_or_else(PoisonError::into_inner) = finished;
            *reverifications.lock() = None;
        });
    if let Err(e) = spawned {
        *state.reverifications.lock() = None;
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot start the run: {e}"),
        );
    }
    let mut response = json(
        StatusCode::ACCEPTED,
        json!({ "id": id, "status": "running", "total": total }).to_string(),
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/reverifications/{id}")) {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

/// `GET /v1/reverifications/{id}`: where the run stands; its summary as far as it went.
pub(super) fn show(id: &str, state: &AppState) -> Response<Body> {
    match state.reverifications.state(id) {
        Ok(Some(run)) => json(StatusCode::OK, view(&run).to_string()),
        Ok(None) => problem(StatusCode::NOT_FOUND, &format!("no run {id}")),
        Err(detail) => problem(StatusCode::INTERNAL_SERVER_ERROR, &detail),
    }
}

/// What the API shows of a run.
fn view(run: &RunState) -> serde_json::Value {
    json!({
        "id": run.id,
        "status": run.status,
        "options": run.options,
        "validationTime": jiff::Timestamp::from_second(run.validation_time)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        "by": run.by,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
        "error": run.error,
        "total": run.total,
        "done": run.summary.total,
        "summary": run.summary,
    })
}

/// `GET /v1/reverifications/{id}/results`: the result lines written so far (up to the last
/// checkpoint), streamed as JSON lines.
pub(super) fn results(id: &str, state: &AppState) -> Response<Body> {
    let run = match state.reverifications.state(id) {
        Ok(Some(run)) => run,
        Ok(None) => return problem(StatusCode::NOT_FOUND, &format!("no run {id}")),
        Err(detail) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &detail),
    };
    let path = state.reverifications.runs.results(&run.id);
    let mut file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("run {id}'s results cannot be read: {}", e.kind()),
            );
        }
    };
    let length = run.results_len;
    let (sender, body) = Channel::pair(length);
    tokio::task::spawn_blocking(move || {
        let mut left = length;
        let mut buffer = vec![0; 64 << 10];
        if let Err(e) = file.seek(SeekFrom::Start(0)) {
            let _ = sender.blocking_send(Err(e));
            return;
        }
        while left > 0 {
            let want = buffer.len().min(left as usize);
            let next = match file.read(&mut buffer[..want]) {
                Ok(0) => Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the results ended early",
                )),
                Ok(n) => {
                    left -= n as u64;
                    Ok(Bytes::copy_from_slice(&buffer[..n]))
                }
                Err(e) => Err(e),
            };
            let failed = next.is_err();
            if sender.blocking_send(next).is_err() || failed {
                return;
            }
        }
    });
    let mut response = Response::new(body);
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    response
}
