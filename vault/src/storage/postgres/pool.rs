//! The connection pool: `deadpool-postgres`, whose recycling drops a connection the server
//! closed, so that the next call opens a new one.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{Client, Config, NoTls};

use super::error::driver;
use crate::storage::StorageError;

/// How the store connects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// The most connections open at once (at least 2: a writer section holds one while the
    /// section's reads and commit take another).
    pub pool_size: usize,
    /// The threads of the store's runtime, which drive the connections.
    pub threads: usize,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            threads: 2,
        }
    }
}

impl PostgresOptions {
    /// With at most `pool_size` connections.
    pub fn with_pool_size(mut self, pool_size: usize) -> Self {
        self.pool_size = pool_size;
        self
    }
}

/// How long a connection attempt may take before it fails, unless the URL says.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The parsed `url` with the settings every connection of the vault has: each commit durable
/// on the server before it returns (`synchronous_commit=on`, whatever the server's default),
/// and the name `qoima` in `pg_stat_activity`.
pub(super) fn config(url: &str) -> Result<Config, StorageError> {
    // The parser's errors name the faulty option, never the password.
    let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
        StorageError::Engine(format!("PostgreSQL: the connection URL is not valid: {e}"))
    })?;
    let options = match config.get_options() {
        Some(given) => format!("{given} -c synchronous_commit=on"),
        None => "-c synchronous_commit=on".to_owned(),
    };
    config.options(options);
    if config.get_application_name().is_none() {
        config.application_name("qoima");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

/// The pool of the vault's connections as `config` says; none is opened yet.
pub(super) fn build(config: Config, options: &PostgresOptions) -> Result<Pool, StorageError> {
    if options.pool_size < 2 {
        return Err(StorageError::Engine(format!(
            "PostgreSQL: a pool of {} connection(s) is too small: a writer section needs 2",
            options.pool_size
        )));
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            // A closed connection is dropped when taken from the pool; a read that finds its
            // connection lost mid-query is tried once more on a new one (`meta.rs`).
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(options.pool_size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| StorageError::Engine(format!("PostgreSQL: cannot build the pool: {e}")))
}

/// One connection outside the pool (the owner's, for migrations), driven on the current
/// runtime until the client is dropped.
pub(super) async fn connect_once(config: &Config) -> Result<Client, StorageError> {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| driver("connecting", &e))?;
    tokio::spawn(async move {
        // Its errors reach the client's calls as a closed connection.
        let _ = connection.await;
    });
    Ok(client)
}
