//! The service's own routes: health, metrics and the OpenAPI description.

use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

use super::AppState;
use super::body::{Body, full};
use super::metrics;
use super::openapi::OPENAPI;
use super::response::json;

/// `GET /healthz`: the server answers; `degraded` (still 200: it answers, and registrations
/// of other issuers go on) with the sources of the CRLs in use past their nextUpdate, whose
/// issuers' certificates are TRY_LATER until fresh ones come.
pub(super) fn health(state: &AppState) -> Response<Body> {
    let stale = state.crls.stale(jiff::Timestamp::now().as_second());
    if stale.is_empty() {
        return json(StatusCode::OK, r#"{"status":"ok"}"#);
    }
    let body = serde_json::json!({ "status": "degraded", "staleCrls": stale });
    json(StatusCode::OK, body.to_string())
}

/// `GET /openapi.json`.
pub(super) fn openapi() -> Response<Body> {
    json(StatusCode::OK, OPENAPI)
}

/// `GET /metrics`: Prometheus text, with the gauges sampled now.
pub(super) fn metrics_route(state: &AppState) -> Response<Body> {
    let uploads = state.uploads.count().unwrap_or(0) as f64;
    let receiving = state
        .settings
        .max_concurrent_uploads
        .saturating_sub(state.upload_slots.available_permits()) as f64;
    let settings = &state.settings;
    let taken = |total: usize, semaphore: &tokio::sync::Semaphore| {
        total.saturating_sub(semaphore.available_permits()) as f64
    };
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
        (
            "qoima_connections_open",
            "Connections open now (at most max-connections).",
            taken(settings.max_connections, &state.connection_slots),
        ),
        (
            "qoima_json_buffer_bytes",
            "Bytes of JSON bodies counted against json-buffer-bytes now.",
            taken(settings.json_buffer_bytes, &state.json_buffer),
        ),
        (
            "qoima_verifications_running",
            "Verification slots taken now (at most max-concurrent-verifications).",
            taken(
                settings.max_concurrent_verifications,
                &state.verification_slots,
            ),
        ),
    ]);
    let mut text = text;
    state
        .crls
        .render(jiff::Timestamp::now().as_second(), &mut text);
    if let Some(ocsp) = &state.ocsp {
        ocsp.render(&mut text);
    }
    let mut response = Response::new(full(text));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}
