//! The schema's versions: SQL files in `migrations/`, applied in order, each once.
//!
//! `qoima.schema_migrations` lists those applied. [`migrate`] runs in one transaction under an
//! advisory lock, so that two processes migrating at once apply each file once, and a failing
//! file leaves the schema as it was (PostgreSQL's DDL is transactional). The vault's own
//! connections only check the version ([`check_version`]): its role may not create tables.

use tokio_postgres::Client;

use super::error::driver;
use crate::storage::StorageError;

/// The schema that holds the vault's tables.
pub(super) const SCHEMA: &str = "qoima";

/// The migrations, in order: version, name, SQL. A released file is never edited: a change
/// is a new file.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "records", include_str!("migrations/0001_records.sql")),
    (
        2,
        "signed requests",
        include_str!("migrations/0002_signed_requests.sql"),
    ),
    (
        3,
        "upload staging",
        include_str!("migrations/0003_upload_staging.sql"),
    ),
    (
        4,
        "revocation imports",
        include_str!("migrations/0004_revocation_imports.sql"),
    ),
];

/// The version this build reads and writes.
pub(super) const LATEST: i32 = 4;

/// The advisory lock of migrations (classid, objid): "qoima", 1.
const MIGRATION_LOCK: (i32, i32) = (0x716f_696d, 1);

/// Applies the migrations the database lacks; returns the versions applied now.
pub(super) async fn migrate(client: &mut Client) -> Result<Vec<i32>, StorageError> {
    let doing = "migrating the schema";
    let tx = client.transaction().await.map_err(|e| driver(doing, &e))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&MIGRATION_LOCK.0, &MIGRATION_LOCK.1],
    )
    .await
    .map_err(|e| driver(doing, &e))?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {SCHEMA};
         CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations (
             version integer PRIMARY KEY,
             name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         );"
    ))
    .await
    .map_err(|e| driver(doing, &e))?;
    let applied: Vec<i32> = tx
        .query(
            &format!("SELECT version FROM {SCHEMA}.schema_migrations ORDER BY version"),
            &[],
        )
        .await
        .map_err(|e| driver(doing, &e))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if let Some(&newest) = applied.last()
        && newest > LATEST
    {
        return Err(newer(newest));
    }
    let mut now = Vec::new();
    for &(version, name, sql) in MIGRATIONS {
        if applied.contains(&version) {
            continue;
        }
        let doing = format!("applying migration {version} ({name})");
        tx.batch_execute(sql)
            .await
            .map_err(|e| driver(&doing, &e))?;
        tx.execute(
            &format!("INSERT INTO {SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)"),
            &[&version, &name],
        )
        .await
        .map_err(|e| driver(&doing, &e))?;
        now.push(version);
    }
    tx.commit().await.map_err(|e| driver(doing, &e))?;
    Ok(now)
}

/// Fails unless the database's schema is the one this build knows.
pub(super) async fn check_version(client: &Client) -> Result<(), StorageError> {
    let doing = "reading the schema's version";
    let exists: bool = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&format!("{SCHEMA}.schema_migrations")],
        )
        .await
        .map_err(|e| driver(doing, &e))?
        .get(0);
    let version: Option<i32> = if exists {
        client
            .query_one(
                &format!("SELECT max(version) FROM {SCHEMA}.schema_migrations"),
                &[],
            )
            .await
            .map_err(|e| driver(doing, &e))?
            .get(0)
    } else {
        None
    };
    match version {
        Some(LATEST) => Ok(()),
        Some(newer_one) if newer_one > LATEST => Err(newer(newer_one)),
        found => Err(StorageError::Engine(format!(
            "PostgreSQL: the database's schema is at version {}, this build needs {LATEST}: \
             run the migrations with the owner's connection (`PostgresMeta::init`)",
            found.map_or_else(|| "none".to_owned(), |v| v.to_string())
        ))),
    }
}

fn newer(version: i32) -> StorageError {
    StorageError::Engine(format!(
        "PostgreSQL: the database's schema is at version {version}, newer than this build \
         knows ({LATEST}): run a newer build"
    ))
}
