//! The service's own routes: health, metrics and the OpenAPI description.

use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

use super::AppState;
use super::body::{Body, full};
use super::metrics;
use super::openapi::OPENAPI;
use super::response::json;

/// `GET /healthz`: the server answers.
pub(super) fn health() -> Response<Body> {
    json(StatusCode::OK, r#"{"status":"ok"}"#.into())
}

/// `GET /openapi.json`.
pub(super) fn openapi() -> Response<Body> {
    json(StatusCode::OK, OPENAPI.into())
}

/// `GET /metrics`: Prometheus text, with the gauges sampled now.
pub(super) fn metrics_route(state: &AppState) -> Response<Body> {
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
