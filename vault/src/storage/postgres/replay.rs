//! The signed requests admitted by every node of a vault, against replays: one table
//! (`qoima.signed_requests`, migration 2) in the database the nodes share, so that an
//! envelope accepted by one node is refused by all the others within its window
//! (`docs/storage.md`, "The PostgreSQL records backend").
//!
//! An admission is one transaction: the expired rows of its digests are deleted (an expired
//! row counts as absent), then one `INSERT … ON CONFLICT DO NOTHING RETURNING` inserts those
//! not there. Every digest inserted: committed, admitted. One already there: rolled back,
//! refused. Two nodes admitting the same digest at once wait on its primary key: the second
//! sees the first's row once it is committed, and is refused. The commit is durable before
//! the caller is told (`synchronous_commit=on`, `pool.rs`), the promise of the server's
//! journal file.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use deadpool_postgres::Pool;

use super::PostgresMeta;
use super::error::driver;
use super::meta::live;
use super::schema::SCHEMA;
use crate::storage::StorageError;
use crate::storage::bridge::Bridge;

/// The table's name in [`SCHEMA`].
pub(super) const TABLE: &str = "signed_requests";

/// The expired rows are deleted after this many admissions by one guard…
const PURGE_EVERY: u64 = 256;

/// …or when this long (seconds) has passed since the last purge, whichever comes first.
const PURGE_AFTER: i64 = 60;

/// How long (seconds) a row is kept past its expiry before it counts as absent and is
/// deleted: the nodes' clocks may differ by this much, and a node whose clock is behind
/// still refuses, by its row, an envelope whose window another node's clock has closed.
pub const CLOCK_MARGIN: i64 = 60;

/// The length of a digest: SHA-256.
const DIGEST_LENGTH: usize = 32;

/// The signed requests admitted on this database, by this node and every other.
///
/// Made by [`PostgresMeta::signed_requests`]: it shares the store's connections and runtime,
/// and keeps them while it lives.
pub struct SignedRequests {
    /// Dropped before the runtime that drives its connections.
    pool: Pool,
    bridge: Arc<Bridge>,
    /// Admissions since the last purge.
    admissions: AtomicU64,
    /// When (unix seconds) the expired rows were last deleted.
    purged_at: AtomicI64,
}

impl std::fmt::Debug for SignedRequests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's configuration holds the password: never printed.
        f.debug_struct("SignedRequests").finish_non_exhaustive()
    }
}

impl PostgresMeta {
    /// The signed requests admitted on this database, on the store's connections.
    pub fn signed_requests(&self) -> SignedRequests {
        SignedRequests {
            pool: self.pool.clone(),
            bridge: Arc::clone(&self.bridge),
            admissions: AtomicU64::new(0),
            purged_at: AtomicI64::new(i64::MIN),
        }
    }
}

impl SignedRequests {
    /// Records `digests` (SHA-256s of one envelope's signed attributes), live until
    /// `expires_at`, unless one of them is recorded and live at `now` (unix seconds; a row
    /// lives [`CLOCK_MARGIN`] past its expiry): `true`
    /// when admitted, the rows committed; `false` for a replay, nothing written. An error
    /// means nothing was admitted. Now and then the rows expired at `now` are deleted too.
    pub fn admit(
        &self,
        digests: &[Vec<u8>],
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        if let Some(bad) = digests.iter().find(|d| d.len() != DIGEST_LENGTH) {
            return Err(StorageError::Engine(format!(
                "PostgreSQL: a signed request's digest is {} bytes, not a SHA-256's {DIGEST_LENGTH}",
                bad.len()
            )));
        }
        // Sorted, so that two admissions sharing digests lock them in one order and never
        // deadlock; each once, so that a duplicate is not its own replay.
        let mut digests = digests.to_vec();
        digests.sort_unstable();
        digests.dedup();
        if digests.is_empty() {
            return Ok(false);
        }
        let pool = self.pool.clone();
        let admitted = self.bridge.run(async move {
            let doing = "admitting a signed request";
            let mut client = live(&pool, doing).await?;
            let tx = client.transaction().await.map_err(|e| driver(doing, &e))?;
            tx.execute(
                &format!("DELETE FROM {SCHEMA}.{TABLE} WHERE digest = ANY($1) AND expires_at < $2"),
                &[&digests, &now.saturating_sub(CLOCK_MARGIN)],
            )
            .await
            .map_err(|e| driver(doing, &e))?;
            let inserted = tx
                .query(
                    &format!(
                        "INSERT INTO {SCHEMA}.{TABLE} (digest, expires_at) \
                         SELECT d, $2 FROM unnest($1::bytea[]) AS d \
                         ON CONFLICT (digest) DO NOTHING RETURNING digest"
                    ),
                    &[&digests, &expires_at],
                )
                .await
                .map_err(|e| driver(doing, &e))?
                .len();
            if inserted == digests.len() {
                tx.commit().await.map_err(|e| driver(doing, &e))?;
                Ok(true)
            } else {
                tx.rollback().await.map_err(|e| driver(doing, &e))?;
                Ok::<_, StorageError>(false)
            }
        })??;
        if admitted {
            let count = self.admissions.fetch_add(1, Ordering::Relaxed) + 1;
            let last = self.purged_at.load(Ordering::Relaxed);
            if count >= PURGE_EVERY || now.saturating_sub(last) >= PURGE_AFTER {
                // The admission is committed already: a failed purge only leaves expired
                // rows, which admissions treat as absent, for the next one.
                let _ = self.purge(now);
            }
        }
        Ok(admitted)
    }

    /// Deletes the rows expired at `now` (unix seconds) by more than [`CLOCK_MARGIN`];
    /// returns how many.
    pub fn purge(&self, now: i64) -> Result<u64, StorageError> {
        self.admissions.store(0, Ordering::Relaxed);
        self.purged_at.store(now, Ordering::Relaxed);
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "deleting the expired signed requests";
            let client = live(&pool, doing).await?;
            client
                .execute(
                    &format!("DELETE FROM {SCHEMA}.{TABLE} WHERE expires_at < $1"),
                    &[&now.saturating_sub(CLOCK_MARGIN)],
                )
                .await
                .map_err(|e| driver(doing, &e))
        })?
    }

    /// How many rows the table holds, expired or not.
    pub fn len(&self) -> Result<u64, StorageError> {
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "counting the signed requests";
            let client = live(&pool, doing).await?;
            let count: i64 = client
                .query_one(&format!("SELECT count(*) FROM {SCHEMA}.{TABLE}"), &[])
                .await
                .map_err(|e| driver(doing, &e))?
                .get(0);
            Ok(count.unsigned_abs())
        })?
    }

    /// Whether the table holds no row.
    pub fn is_empty(&self) -> Result<bool, StorageError> {
        self.len().map(|n| n == 0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
