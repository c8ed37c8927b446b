//! A periodic report of the server's memory: its resident set and, on the embedded vault, what
//! RocksDB holds by its own accounting (`docs/reliability.md`, "Memory"). Logged at `debug`
//! under this module's target, so that a soak follows the curve
//! (`QOIMA_LOG=warn,qoima_server::serve::memory=debug`) without every request's events.

use std::sync::Arc;
use std::time::Duration;

use crate::engine::Registry;
use crate::http::resident_bytes;
use tokio::time::MissedTickBehavior;

/// How often the report is logged, when its level is enabled.
pub(super) const EVERY: Duration = Duration::from_secs(60);

/// Logs the report every `every`, for as long as the task runs.
pub(super) async fn report(registry: Arc<Registry>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if !tracing::enabled!(tracing::Level::DEBUG) {
            continue;
        }
        let rss_kib = resident_bytes().unwrap_or(0) >> 10;
        match registry
            .content()
            .backend()
            .as_rocks()
            .map(|rocks| rocks.memory())
        {
            Some(Ok(rocks)) => tracing::debug!(
                rss_kib,
                memtables = rocks.memtables,
                table_readers = rocks.table_readers,
                block_cache = rocks.block_cache,
                block_cache_pinned = rocks.block_cache_pinned,
                table_files = rocks.table_files,
                blob_files = rocks.blob_files,
                "memory"
            ),
            Some(Err(e)) => tracing::debug!(rss_kib, error = %e, "memory: RocksDB's properties"),
            None => tracing::debug!(rss_kib, "memory"),
        }
    }
}
