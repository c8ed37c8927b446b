//! The staging state of resumable uploads, shared by every node: one row per upload in
//! `qoima.upload_staging` (migration 3), so that a PATCH may reach any node and an upload
//! begun on one node goes on through another (`docs/storage.md`, "Resumable uploads across
//! nodes").
//!
//! A PATCH holds its upload's row locked (`SELECT … FOR UPDATE NOWAIT`) in a transaction of
//! its own from its first byte to its acknowledgement: a second PATCH, a termination or a
//! removal of the same upload, on this node or any other, finds the row locked and is told
//! at once ([`RowClaim::Busy`]) rather than made to wait. The acknowledgement is the
//! `UPDATE` of the row and its commit, durable before it returns (`synchronous_commit=on`,
//! `pool.rs`); leaving a claim otherwise rolls back, which releases the lock. A node that dies
//! mid-PATCH loses its connection, and the server ends the transaction and the lock with it.
//!
//! Not records: the vault's role may UPDATE and DELETE these rows (`grants.rs`).

use std::collections::HashSet;
use std::sync::Arc;

use deadpool_postgres::{Object, Pool};
use tokio_postgres::error::SqlState;

use super::error::driver;
use super::meta::live;
use super::schema::SCHEMA;
use super::{PostgresMeta, pool};
use crate::storage::StorageError;
use crate::storage::bridge::Bridge;

/// The table's name in [`SCHEMA`].
pub(super) const TABLE: &str = "upload_staging";

/// The length of an upload's id.
const ID_LENGTH: usize = 16;

/// The uploads' rows, on connections of their own: a PATCH holds one for as long as its body
/// takes, which must not starve the records' pool.
pub struct UploadRows {
    /// Dropped before the runtime that drives its connections.
    pool: Pool,
    bridge: Arc<Bridge>,
}

impl std::fmt::Debug for UploadRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's configuration holds the password: never printed.
        f.debug_struct("UploadRows").finish_non_exhaustive()
    }
}

/// One upload's row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagingRow {
    /// The upload's state record (its codec is the upload store's).
    pub state: Vec<u8>,
    /// The ends of its staged objects, ascending; the last one is the acknowledged offset.
    pub parts: Vec<u64>,
}

/// One row as stored, undecoded: for the sweep to judge rows that do not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStagingRow {
    /// The upload's id.
    pub id: Vec<u8>,
    /// The upload's state record.
    pub state: Vec<u8>,
    /// The parts column as stored (a negative end is damage).
    pub parts: Vec<i64>,
}

/// What [`UploadRows::insert_within`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Insertion {
    /// The row was inserted.
    Inserted,
    /// The id is taken: nothing was inserted.
    Taken,
    /// The owner has this many live rows, the most it may have: nothing was inserted.
    Full(u64),
}

/// What [`UploadRows::claim`] found.
#[derive(Debug)]
#[non_exhaustive]
pub enum RowClaim {
    /// The row, locked until the claim is committed or dropped.
    Held(Box<UploadRowLock>),
    /// Another claim, on some node, holds the row.
    Busy,
    /// No such row.
    Missing,
}

/// A row locked in an open transaction; dropping it rolls the transaction back.
pub struct UploadRowLock {
    id: Vec<u8>,
    row: StagingRow,
    client: Option<Object>,
    bridge: Arc<Bridge>,
}

impl std::fmt::Debug for UploadRowLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadRowLock")
            .field("id", &hex::encode(&self.id))
            .finish_non_exhaustive()
    }
}

impl PostgresMeta {
    /// The uploads' rows in this database, on a pool of at most `connections` connections
    /// of their own (at least 2), connected as the store is.
    pub fn upload_rows(&self, connections: usize) -> Result<UploadRows, StorageError> {
        let (config, options) = &*self.connection;
        let options = options.clone().with_pool_size(connections.max(2));
        Ok(UploadRows {
            pool: pool::build(config.clone(), &options)?,
            bridge: Arc::clone(&self.bridge),
        })
    }
}

fn check_id(id: &[u8]) -> Result<(), StorageError> {
    if id.len() == ID_LENGTH {
        Ok(())
    } else {
        Err(StorageError::Engine(format!(
            "PostgreSQL: an upload's id is {} bytes, not {ID_LENGTH}",
            id.len()
        )))
    }
}

/// The parts column as offsets; a negative one is damage.
fn parts(id: &[u8], stored: Vec<i64>) -> Result<Vec<u64>, StorageError> {
    stored
        .into_iter()
        .map(|end| {
            u64::try_from(end).map_err(|_| {
                StorageError::Corruption(format!(
                    "PostgreSQL: upload {} has a staged part ending at {end}",
                    hex::encode(id)
                ))
            })
        })
        .collect()
}

fn to_sql(parts: &[u64]) -> Result<Vec<i64>, StorageError> {
    parts
        .iter()
        .map(|&end| {
            i64::try_from(end).map_err(|_| {
                StorageError::Engine(format!("PostgreSQL: a part's end {end} is past bigint"))
            })
        })
        .collect()
}

impl UploadRows {
    /// Inserts the row of a new upload with no part; `false` when the id is taken.
    pub fn insert(
        &self,
        id: &[u8],
        owner: &str,
        expires_at: i64,
        state: &[u8],
    ) -> Result<bool, StorageError> {
        check_id(id)?;
        let pool = self.pool.clone();
        let (id, owner, state) = (id.to_vec(), owner.to_owned(), state.to_vec());
        self.bridge.run(async move {
            let doing = "creating an upload's staging row";
            let client = live(&pool, doing).await?;
            let inserted = client
                .execute(
                    &format!(
                        "INSERT INTO {SCHEMA}.{TABLE} (id, owner, expires_at, state, parts) \
                         VALUES ($1, $2, $3, $4, '{{}}') ON CONFLICT (id) DO NOTHING"
                    ),
                    &[&id, &owner, &expires_at, &state],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            Ok(inserted == 1)
        })?
    }

    /// Inserts the row of a new upload of `owner` with no part, unless `owner` has `max` live
    /// rows at `now` (nanoseconds since the epoch) already. Every node inserts through here,
    /// so the count and the insertion are one step across the nodes: a transaction-scoped
    /// advisory lock on the owner (`pg_advisory_xact_lock`, on a key hashed from the owner by
    /// PostgreSQL itself, so every node computes the same) orders the insertions of one owner,
    /// and the count, a statement after the lock was granted, sees every row committed
    /// before it (READ COMMITTED takes a snapshot per statement). Other owners do not wait;
    /// two owners whose keys collide only wait for each other.
    pub fn insert_within(
        &self,
        id: &[u8],
        owner: &str,
        expires_at: i64,
        state: &[u8],
        now: i64,
        max: u64,
    ) -> Result<Insertion, StorageError> {
        check_id(id)?;
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        let pool = self.pool.clone();
        let (id, owner, state) = (id.to_vec(), owner.to_owned(), state.to_vec());
        self.bridge.run(async move {
            let doing = "creating an upload's staging row within its owner's quota";
            let mut client = live(&pool, doing).await?;
            let transaction = client
                .transaction()
                .await
                .map_err(|e| driver(doing, &e))?;
            transaction
                .execute(
                    &format!(
                        "SELECT pg_advisory_xact_lock(hashtextextended('{SCHEMA}.{TABLE}:' || $1, 0))"
                    ),
                    &[&owner],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            let row = transaction
                .query_one(
                    &format!(
                        "WITH held AS (SELECT count(*) AS n FROM {SCHEMA}.{TABLE} \
                                       WHERE owner = $2 AND expires_at > $5), \
                              inserted AS (INSERT INTO {SCHEMA}.{TABLE} \
                                           (id, owner, expires_at, state, parts) \
                                           SELECT $1::bytea, $2::text, $3::bigint, \
                                                  $4::bytea, '{{}}'::bigint[] FROM held \
                                           WHERE held.n < $6 \
                                           ON CONFLICT (id) DO NOTHING RETURNING 1) \
                         SELECT held.n, (SELECT count(*) FROM inserted) FROM held"
                    ),
                    &[&id, &owner, &expires_at, &state, &now, &max],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            let held: i64 = row.try_get(0).map_err(|e| driver(doing, &e))?;
            let inserted: i64 = row.try_get(1).map_err(|e| driver(doing, &e))?;
            transaction
                .commit()
                .await
                .map_err(|e| driver(doing, &e))?;
            Ok(if inserted == 1 {
                Insertion::Inserted
            } else if held >= max {
                Insertion::Full(held.unsigned_abs())
            } else {
                Insertion::Taken
            })
        })?
    }

    /// Every row as last committed, undecoded (rows a PATCH holds are read as committed).
    pub fn all(&self) -> Result<Vec<RawStagingRow>, StorageError> {
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "reading the uploads' staging rows";
            let client = live(&pool, doing).await?;
            let rows = client
                .query(
                    &format!("SELECT id, state, parts FROM {SCHEMA}.{TABLE}"),
                    &[],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            rows.iter()
                .map(|row| {
                    Ok(RawStagingRow {
                        id: row.try_get(0).map_err(|e| driver(doing, &e))?,
                        state: row.try_get(1).map_err(|e| driver(doing, &e))?,
                        parts: row.try_get(2).map_err(|e| driver(doing, &e))?,
                    })
                })
                .collect()
        })?
    }

    /// Deletes `row` if it is still as given and no claim holds it (a sweep's removal of a
    /// row it judged, which must not wait for a PATCH nor delete a row changed since);
    /// whether it was deleted.
    pub fn delete_unclaimed(&self, row: &RawStagingRow) -> Result<bool, StorageError> {
        let pool = self.pool.clone();
        let row = row.clone();
        self.bridge.run(async move {
            let doing = "deleting a damaged upload's staging row";
            let client = live(&pool, doing).await?;
            let deleted = client
                .execute(
                    &format!(
                        "DELETE FROM {SCHEMA}.{TABLE} WHERE id IN \
                         (SELECT id FROM {SCHEMA}.{TABLE} \
                          WHERE id = $1 AND state = $2 AND parts = $3 \
                          FOR UPDATE SKIP LOCKED)"
                    ),
                    &[&row.id, &row.state, &row.parts],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            Ok(deleted == 1)
        })?
    }

    /// The row of upload `id` as last committed (a PATCH in progress is not seen).
    pub fn get(&self, id: &[u8]) -> Result<Option<StagingRow>, StorageError> {
        check_id(id)?;
        let pool = self.pool.clone();
        let id = id.to_vec();
        self.bridge.run(async move {
            let doing = "reading an upload's staging row";
            let client = live(&pool, doing).await?;
            let row = client
                .query_opt(
                    &format!("SELECT state, parts FROM {SCHEMA}.{TABLE} WHERE id = $1"),
                    &[&id],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            row.map(|row| {
                Ok(StagingRow {
                    state: row.try_get(0).map_err(|e| driver(doing, &e))?,
                    parts: parts(&id, row.try_get(1).map_err(|e| driver(doing, &e))?)?,
                })
            })
            .transpose()
        })?
    }

    /// Locks the row of upload `id` for this caller alone, without waiting for another.
    pub fn claim(&self, id: &[u8]) -> Result<RowClaim, StorageError> {
        check_id(id)?;
        let pool = self.pool.clone();
        let bridge = Arc::clone(&self.bridge);
        let id = id.to_vec();
        let key = id.clone();
        let claimed = self.bridge.run(async move {
            let doing = "locking an upload's staging row";
            let client = live(&pool, doing).await?;
            // A PATCH's body may pause between frames: a server's idle-in-transaction
            // timeout must not end it (the server's own body timeout bounds the pause).
            let begun = client
                .batch_execute("BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0")
                .await;
            if let Err(e) = begun {
                drop(Object::take(client));
                return Err(driver(doing, &e));
            }
            let found = client
                .query_opt(
                    &format!(
                        "SELECT state, parts FROM {SCHEMA}.{TABLE} WHERE id = $1 \
                         FOR UPDATE NOWAIT"
                    ),
                    &[&key],
                )
                .await;
            let row = match found {
                Ok(Some(row)) => row,
                Ok(None) => {
                    end(client).await;
                    return Ok(None);
                }
                Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                    end(client).await;
                    return Ok(Some(None));
                }
                Err(e) => {
                    end(client).await;
                    return Err(driver(doing, &e));
                }
            };
            let read = (|| {
                Ok::<_, StorageError>(StagingRow {
                    state: row.try_get(0).map_err(|e| driver(doing, &e))?,
                    parts: parts(&key, row.try_get(1).map_err(|e| driver(doing, &e))?)?,
                })
            })();
            match read {
                Ok(row) => Ok(Some(Some((row, client)))),
                Err(e) => {
                    end(client).await;
                    Err(e)
                }
            }
        })??;
        Ok(match claimed {
            None => RowClaim::Missing,
            Some(None) => RowClaim::Busy,
            Some(Some((row, client))) => RowClaim::Held(Box::new(UploadRowLock {
                id,
                row,
                client: Some(client),
                bridge,
            })),
        })
    }

    /// Deletes the rows expired at `now` (nanoseconds since the epoch) that no claim holds;
    /// returns their ids.
    pub fn expire(&self, now: i64) -> Result<Vec<Vec<u8>>, StorageError> {
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "deleting the expired uploads' staging rows";
            let client = live(&pool, doing).await?;
            let rows = client
                .query(
                    &format!(
                        "DELETE FROM {SCHEMA}.{TABLE} WHERE id IN \
                         (SELECT id FROM {SCHEMA}.{TABLE} WHERE expires_at <= $1 \
                          FOR UPDATE SKIP LOCKED) RETURNING id"
                    ),
                    &[&now],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            rows.iter()
                .map(|row| row.try_get::<_, Vec<u8>>(0).map_err(|e| driver(doing, &e)))
                .collect()
        })?
    }

    /// How many rows there are, expired or not.
    pub fn count(&self) -> Result<u64, StorageError> {
        self.count_where("", None, None)
    }

    /// How many rows of `owner` are live at `now` (nanoseconds since the epoch).
    pub fn count_owned_by(&self, owner: &str, now: i64) -> Result<u64, StorageError> {
        self.count_where(
            " WHERE owner = $1 AND expires_at > $2",
            Some(owner.to_owned()),
            Some(now),
        )
    }

    fn count_where(
        &self,
        filter: &'static str,
        owner: Option<String>,
        now: Option<i64>,
    ) -> Result<u64, StorageError> {
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "counting the uploads' staging rows";
            let client = live(&pool, doing).await?;
            let sql = format!("SELECT count(*) FROM {SCHEMA}.{TABLE}{filter}");
            let row = match (&owner, &now) {
                (Some(owner), Some(now)) => client.query_one(&sql, &[owner, now]).await,
                _ => client.query_one(&sql, &[]).await,
            }
            .map_err(|e| driver(doing, &e))?;
            let count: i64 = row.try_get(0).map_err(|e| driver(doing, &e))?;
            Ok(count.unsigned_abs())
        })?
    }

    /// Which of `ids` have a row.
    pub fn present(&self, ids: Vec<Vec<u8>>) -> Result<HashSet<Vec<u8>>, StorageError> {
        let pool = self.pool.clone();
        self.bridge.run(async move {
            let doing = "looking for uploads' staging rows";
            let client = live(&pool, doing).await?;
            let rows = client
                .query(
                    &format!("SELECT id FROM {SCHEMA}.{TABLE} WHERE id = ANY($1)"),
                    &[&ids],
                )
                .await
                .map_err(|e| driver(doing, &e))?;
            rows.iter()
                .map(|row| row.try_get::<_, Vec<u8>>(0).map_err(|e| driver(doing, &e)))
                .collect()
        })?
    }
}

/// Rolls back the claim's transaction and hands the connection back, or closes it when its
/// state is unknown.
async fn end(client: Object) {
    if client.batch_execute("ROLLBACK").await.is_err() {
        drop(Object::take(client));
    }
}

impl UploadRowLock {
    /// The row as it was when locked.
    pub fn row(&self) -> &StagingRow {
        &self.row
    }

    /// Replaces the row's state, parts and expiry and commits: the acknowledgement. An error
    /// may leave it committed or not (a lost connection): the caller reads the row again.
    pub fn update(
        mut self,
        state: &[u8],
        parts: &[u64],
        expires_at: i64,
    ) -> Result<(), StorageError> {
        let parts = to_sql(parts)?;
        let client = self.take()?;
        let (id, state) = (self.id.clone(), state.to_vec());
        self.bridge.run(async move {
            let doing = "acknowledging an upload's PATCH";
            let done = async {
                client
                    .execute(
                        &format!(
                            "UPDATE {SCHEMA}.{TABLE} SET state = $2, parts = $3, \
                             expires_at = $4 WHERE id = $1"
                        ),
                        &[&id, &state, &parts, &expires_at],
                    )
                    .await?;
                client.batch_execute("COMMIT").await
            }
            .await;
            committed(client, done, doing)
        })?
    }

    /// Deletes the row and commits: the upload is gone.
    pub fn delete(mut self) -> Result<(), StorageError> {
        let client = self.take()?;
        let id = self.id.clone();
        self.bridge.run(async move {
            let doing = "deleting an upload's staging row";
            let done = async {
                client
                    .execute(
                        &format!("DELETE FROM {SCHEMA}.{TABLE} WHERE id = $1"),
                        &[&id],
                    )
                    .await?;
                client.batch_execute("COMMIT").await
            }
            .await;
            committed(client, done, doing)
        })?
    }

    fn take(&mut self) -> Result<Object, StorageError> {
        self.client.take().ok_or_else(|| {
            StorageError::Engine("PostgreSQL: the upload's row lock was already released".into())
        })
    }
}

/// The outcome of a claim's last statements; on failure the connection is closed (the
/// transaction's fate is then the server's).
fn committed(
    client: Object,
    done: Result<(), tokio_postgres::Error>,
    doing: &str,
) -> Result<(), StorageError> {
    done.map_err(|e| {
        drop(Object::take(client));
        driver(doing, &e)
    })
}

impl Drop for UploadRowLock {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        // If the runtime is gone the connection goes with it, and the server ends the
        // transaction, and the lock, when it sees the connection closed.
        let _ = self.bridge.run(end(client));
    }
}
