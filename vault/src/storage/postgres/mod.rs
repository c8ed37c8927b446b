//! The records on PostgreSQL: a [`MetaStore`](crate::storage::MetaStore) whose tables are SQL
//! tables (`docs/storage.md`, "The PostgreSQL records backend").
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | [`PostgresMeta`]: connecting, [`PostgresMeta::init`] for the owner |
//! | `pool.rs` | the connection pool and each connection's settings |
//! | `schema.rs`, `migrations/` | the schema's versions, applied in order under an advisory lock |
//! | `grants.rs` | the vault's role: SELECT and INSERT, DELETE on manifests and expired signed requests |
//! | `meta.rs` | the [`MetaStore`](crate::storage::MetaStore) operations as SQL; scans by keyset pages |
//! | `cursor.rs` | prefix cursors: the same pages, read forward across a rising run of prefixes |
//! | `writer.rs` | the writer section across processes: a transaction-scoped advisory lock |
//! | `replay.rs` | [`SignedRequests`]: the signed requests every node admitted, against replays |
//! | `staging.rs` | [`UploadRows`]: the staging state of resumable uploads, one row each, locked per PATCH |
//! | `error.rs` | the driver's errors as [`StorageError`]s |
//!
//! The driver is async (`tokio-postgres`); the traits are not. Every call runs on a
//! [`Bridge`] of the store's own, so that it works from any thread, a tokio worker included.

mod cursor;
mod error;
mod grants;
mod meta;
mod pool;
mod replay;
mod schema;
mod staging;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod writer;

use std::sync::Arc;

use deadpool_postgres::Pool;

use super::StorageError;
use super::bridge::Bridge;

pub use pool::PostgresOptions;
pub use replay::SignedRequests;
pub use staging::{Insertion, RawStagingRow, RowClaim, StagingRow, UploadRowLock, UploadRows};

/// The vault's records in a PostgreSQL database.
///
/// Connects as the vault's role, which may read and insert records and delete manifests, and
/// nothing else; the schema is created and migrated by the owner ([`PostgresMeta::init`]).
pub struct PostgresMeta {
    /// Dropped before the runtime that drives its connections.
    pool: Pool,
    /// Shared with the [`SignedRequests`] made from this store, which drive its pool too.
    bridge: Arc<Bridge>,
    /// The database's name, for those who must reach it otherwise (the tests' tampering).
    database: String,
    /// How it connected: for the pools of its own that [`UploadRows`] opens (boxed: the
    /// store sits in the engine's enum beside RocksDB's much smaller handle).
    connection: Box<(tokio_postgres::Config, PostgresOptions)>,
}

impl std::fmt::Debug for PostgresMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's configuration holds the password: never printed.
        f.debug_struct("PostgresMeta").finish_non_exhaustive()
    }
}

impl PostgresMeta {
    /// Connects to the database at `url` (`postgresql://user:password@host:port/database`,
    /// or libpq's `key=value` form). Fails unless the schema is at the version this build
    /// knows. Connections are opened as needed, up to `options.pool_size`, and a lost one is
    /// replaced.
    pub fn connect(url: &str, options: &PostgresOptions) -> Result<Self, StorageError> {
        let bridge = Arc::new(Bridge::new("postgres", options.threads)?);
        let config = pool::config(url)?;
        let database = config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or_default()
            .to_owned();
        let pool = pool::build(config.clone(), options)?;
        let check = pool.clone();
        bridge.run(async move {
            let client = check
                .get()
                .await
                .map_err(|e| error::pool("connecting", &e))?;
            schema::check_version(&client).await
        })??;
        Ok(Self {
            pool,
            bridge,
            database,
            connection: Box::new((config, options.clone())),
        })
    }

    /// The name of the database the store is in.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// Creates or migrates the schema with the owner's connection at `owner_url`, and gives
    /// `role` (created LOGIN without a password when missing) the vault's rights: SELECT and
    /// INSERT on every record table, DELETE on manifests, SELECT, INSERT and DELETE on the
    /// signed requests admitted against replays ([`SignedRequests`]), no UPDATE anywhere. Returns the
    /// migrations applied now (none when the schema was current). Safe to run again, and from
    /// several processes at once. Connects as `options` say (TLS included).
    pub fn init(
        owner_url: &str,
        role: &str,
        options: &PostgresOptions,
    ) -> Result<Vec<i32>, StorageError> {
        let bridge = Bridge::new("postgres-init", 1)?;
        let pool = pool::build(pool::config(owner_url)?, options)?;
        let role = role.to_owned();
        bridge.run(async move {
            let mut client = pool
                .get()
                .await
                .map_err(|e| error::pool("connecting", &e))?;
            let applied = schema::migrate(&mut client).await?;
            grants::grant(&mut client, &role).await?;
            Ok(applied)
        })?
    }
}
