//! The tests' PostgreSQL: one cluster per test process, started by
//! `scripts/postgres/start.sh` into a temporary directory, and a database of its own for each
//! test. The script's watchdog stops the cluster and removes its directory within a second of
//! the test process's end, however it ends. A test that needs PostgreSQL fails, naming why,
//! when the cluster cannot be started: it is never skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio_postgres::types::ToSql;

use super::pool::{config, connect_once};
use super::{PostgresMeta, PostgresOptions};
use crate::storage::bridge::Bridge;

/// The role the vault's connections use in the tests: the rights `PostgresMeta::init` gives.
pub(crate) const VAULT_ROLE: &str = "qoima_vault";

/// The test process's cluster.
pub(crate) struct Cluster {
    port: u16,
    /// The CA of the server's TLS certificate, and one that issued nothing.
    pub(crate) ca: PathBuf,
    pub(crate) other_ca: PathBuf,
    /// Runs the superuser's statements.
    bridge: Bridge,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The cluster, started on first use.
pub(crate) fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(start) {
        Ok(cluster) => cluster,
        Err(why) => panic!(
            "the PostgreSQL tests need a server of their own and could not start one: {why}\n\
             (install Debian's postgresql: scripts/setup, qoima_postgres_setup)"
        ),
    }
}

fn start() -> Result<Cluster, String> {
    let dir = std::env::temp_dir().join(format!("qoima-pg-{}", std::process::id()));
    // A directory left by an earlier process of the same id (its watchdog removes it).
    let _ = std::fs::remove_dir_all(&dir);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres/start.sh");
    let output = Command::new(&script)
        .arg(&dir)
        .arg("--watch")
        .arg(std::process::id().to_string())
        .arg("--tls")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let env = std::fs::read_to_string(dir.join("pg.env"))
        .map_err(|e| format!("no pg.env in {}: {e}", dir.display()))?;
    let port = env
        .lines()
        .find_map(|line| line.strip_prefix("PGPORT="))
        .and_then(|port| port.parse().ok())
        .ok_or_else(|| format!("pg.env in {} names no port", dir.display()))?;
    let cluster = Cluster {
        port,
        ca: dir.join("tls/ca.pem"),
        other_ca: dir.join("tls/other-ca.pem"),
        bridge: Bridge::new("postgres-tests", 1).map_err(|e| e.to_string())?,
    };
    // Roles are the cluster's: created once, before tests grant it rights in parallel.
    cluster
        .superuser("postgres", &format!("CREATE ROLE {VAULT_ROLE} LOGIN"), &[])
        .map_err(|e| format!("creating the vault's role: {e}"))?;
    Ok(cluster)
}

impl Cluster {
    /// The URL of `database` as `user` (trust authentication: no password).
    pub(crate) fn url(&self, user: &str, database: &str) -> String {
        format!("postgresql://{user}@127.0.0.1:{}/{database}", self.port)
    }

    /// A new database, its schema migrated and the vault's role given its rights.
    pub(crate) fn database(&self) -> String {
        let name = format!("vault_{}", DATABASES.fetch_add(1, Ordering::Relaxed));
        self.superuser("postgres", &format!("CREATE DATABASE {name}"), &[])
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        PostgresMeta::init(
            &self.url("postgres", &name),
            VAULT_ROLE,
            &PostgresOptions::default(),
        )
        .unwrap_or_else(|e| panic!("migrating database {name}: {e}"));
        name
    }

    /// The vault's store on `database`, connected as the vault's role.
    pub(crate) fn vault(&self, database: &str) -> PostgresMeta {
        PostgresMeta::connect(&self.url(VAULT_ROLE, database), &PostgresOptions::default())
            .unwrap_or_else(|e| panic!("connecting to database {database}: {e}"))
    }

    /// A store on a new database.
    pub(crate) fn fresh(&self) -> PostgresMeta {
        self.vault(&self.database())
    }

    /// Runs `sql` with bytea `params` as the superuser in `database`.
    pub(crate) fn superuser(
        &self,
        database: &str,
        sql: &str,
        params: &[Vec<u8>],
    ) -> Result<u64, String> {
        let config = config(&self.url("postgres", database)).map_err(|e| e.to_string())?;
        let (sql, params) = (sql.to_owned(), params.to_vec());
        self.bridge
            .run(async move {
                let client = connect_once(&config).await.map_err(|e| e.to_string())?;
                let params: Vec<&(dyn ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                if params.is_empty() {
                    client.batch_execute(&sql).await.map(|()| 0)
                } else {
                    client.execute(&sql, &params).await
                }
                .map_err(|e| {
                    e.as_db_error()
                        .map_or(e.to_string(), |db| db.message().to_owned())
                })
            })
            .map_err(|e| e.to_string())?
    }

    /// Writes `value` under `key` in `table` of `database` behind the vault's back, as an
    /// administrator could: the superuser in a replica session, which fires no trigger.
    pub(crate) fn overwrite(&self, database: &str, table: &str, key: &[u8], value: &[u8]) {
        let sql = format!(
            "SET session_replication_role = replica; \
             INSERT INTO qoima.\"{table}\" (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        );
        self.behind(database, &sql, &[key.to_vec(), value.to_vec()]);
    }

    /// Deletes `key` from `table` of `database` behind the vault's back.
    pub(crate) fn delete(&self, database: &str, table: &str, key: &[u8]) {
        let sql = format!(
            "SET session_replication_role = replica; DELETE FROM qoima.\"{table}\" WHERE key = $1"
        );
        self.behind(database, &sql, &[key.to_vec()]);
    }

    fn behind(&self, database: &str, sql: &str, params: &[Vec<u8>]) {
        // A parameterised statement is one statement: the session's setting goes first.
        let (set, statement) = sql.split_once("; ").unwrap_or(("", sql));
        let config = config(&self.url("postgres", database)).unwrap();
        let (set, statement, params) = (set.to_owned(), statement.to_owned(), params.to_vec());
        self.bridge
            .run(async move {
                let client = connect_once(&config).await.unwrap();
                client.batch_execute(&set).await.unwrap();
                let params: Vec<&(dyn ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
                client.execute(&statement, &params).await.unwrap();
            })
            .unwrap();
    }
}

/// The database the tests' registry keeps for the vault directory `dir`, so that a registry
/// opened again on the same directory finds its records.
pub(crate) fn database_for(dir: &Path) -> String {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static BY_DIR: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let mut map = BY_DIR
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(dir.to_path_buf())
        .or_insert_with(|| cluster().database())
        .clone()
}
