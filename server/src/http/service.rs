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
    let mut gauges = vec![
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
    ];
    gauges.extend(memory_gauges(state));
    let mut text = state.metrics.render(&gauges);
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

/// The process's resident set and, on the embedded vault, what RocksDB holds beside the
/// bounds it is held to (`docs/reliability.md`, "Memory"): what an operator watches to see
/// the memory level off. A reading that fails is left out, not shown as zero.
fn memory_gauges(state: &AppState) -> Vec<(&'static str, &'static str, f64)> {
    let mut gauges = Vec::with_capacity(9);
    if let Some(bytes) = metrics::resident_bytes() {
        gauges.push((
            "qoima_process_resident_bytes",
            "The process's resident set (VmRSS).",
            bytes as f64,
        ));
    }
    let Some(rocks) = state.registry.content().backend().as_rocks() else {
        return gauges;
    };
    match rocks.memory() {
        Ok(memory) => gauges.extend([
            (
                "qoima_rocksdb_memtables_bytes",
                "RocksDB's memtables, every column family, active and immutable.",
                memory.memtables as f64,
            ),
            (
                "qoima_rocksdb_memtables_limit_bytes",
                "The bound of qoima_rocksdb_memtables_bytes: they are flushed by size at it.",
                memory.memtables_limit as f64,
            ),
            (
                "qoima_rocksdb_block_cache_bytes",
                "RocksDB's shared block cache, used.",
                memory.block_cache as f64,
            ),
            (
                "qoima_rocksdb_block_cache_pinned_bytes",
                "The part of the block cache pinned by readers and level-0 tables.",
                memory.block_cache_pinned as f64,
            ),
            (
                "qoima_rocksdb_block_cache_capacity_bytes",
                "The block cache's capacity.",
                memory.block_cache_capacity as f64,
            ),
            (
                "qoima_rocksdb_table_readers_bytes",
                "The table readers' memory outside the block cache.",
                memory.table_readers as f64,
            ),
            (
                "qoima_rocksdb_table_files",
                "Live table (SST) files, every column family.",
                memory.table_files as f64,
            ),
        ]),
        Err(e) => tracing::warn!(error = %e, "metrics: RocksDB's memory properties"),
    }
    gauges
}
