//! The commands that work on the vault offline (`put`, `doc`, `audit`, `keys`, ...), their
//! failures and exit codes, and opening the vault for them.

pub(crate) mod audit;
pub(crate) mod bundle;
pub(crate) mod content;
pub(crate) mod doc;
pub(crate) mod facility;
pub(crate) mod gc;
pub(crate) mod hold;
pub(crate) mod keys;
pub(crate) mod locks;
pub(crate) mod migrate;
pub(crate) mod reverify;
pub(crate) mod storage;
pub(crate) mod trust;
pub(crate) mod verify;

use std::path::{Path, PathBuf};

use qoima_vault::ContentConfig;
use qoima_vault::registry::ErrorKind;
use qoima_vault::storage::engine::Engine;
use qoima_vault::storage::postgres::{PostgresMeta, PostgresOptions};
use qoima_vault::storage::rocks::RocksBackend;
use qoima_vault::storage::s3::{S3Chunks, S3Config, S3Error};
use qoima_vault::storage::split::Split;

use crate::config::{self, ConfigError, SharedStorage, StorageSettings};
use crate::engine::{ContentStore, Registry};

/// A failed command: what to print and how to exit.
#[derive(Debug)]
pub struct Failure {
    message: String,
    code: u8,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Failure {
    /// The process exit code.
    pub(crate) fn code(&self) -> u8 {
        self.code
    }

    /// The operation failed (exit 1).
    /// A full disk is named first, whatever the operation (the cause below it is RocksDB's
    /// or the system's wording).
    pub fn failed(message: impl std::fmt::Display) -> Self {
        let message = message.to_string();
        let message = if qoima_vault::storage::out_of_space(&message) {
            format!("the file system of the data directory is full: {message}")
        } else {
            message
        };
        Self { message, code: 1 }
    }

    /// Bad usage or unreadable input (exit 64).
    pub fn usage(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: 64,
        }
    }

    /// The operation is not allowed (exit 3): deleting a retained or held document.
    pub fn refused(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: 3,
        }
    }

    /// A registry error, by its kind alone (`docs/records.md`), as the HTTP API answers it:
    /// the caller's mistake is bad usage, retention or a hold is not allowed, the rest failed.
    pub(crate) fn of(kind: ErrorKind, message: impl std::fmt::Display) -> Self {
        match kind {
            ErrorKind::Caller => Self::usage(message),
            ErrorKind::NotAllowed => Self::refused(message),
            _ => Self::failed(message),
        }
    }
}

/// A configuration that cannot be used is bad usage; a built-in calendar that does not load
/// is this build's failure.
impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        match e {
            ConfigError::Invalid(_) => Self::usage(e),
            _ => Self::failed(e),
        }
    }
}

impl From<qoima_vault::VaultError> for Failure {
    fn from(e: qoima_vault::VaultError) -> Self {
        Self::failed(e)
    }
}

/// Where RocksDB keeps its files inside the data directory.
fn db_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("db")
}

/// The `[storage]` settings of the configuration file `config` (the embedded vault without
/// one), for the commands that need nothing else of it.
pub(crate) fn storage_settings(config: Option<&Path>) -> Result<StorageSettings, Failure> {
    Ok(config::load(config)?.storage)
}

/// Opens the engine `storage` names: the RocksDB vault in `data_dir` (created when `create` is
/// set), or the records in PostgreSQL and the content in S3, after checking that the bucket
/// has Object Lock (`docs/storage.md`).
pub(crate) fn open_engine(
    data_dir: &Path,
    storage: &StorageSettings,
    create: bool,
) -> Result<Engine, Failure> {
    match storage {
        StorageSettings::PostgresS3(shared) => open_distributed(shared),
        _ => open_rocks(data_dir, create).map(Engine::Rocks),
    }
}

/// The RocksDB vault in `data_dir`.
fn open_rocks(data_dir: &Path, create: bool) -> Result<RocksBackend, Failure> {
    let db = db_dir(data_dir);
    if !create && !db.join("CURRENT").exists() {
        return Err(Failure::usage(format!(
            "no vault in {}",
            data_dir.display()
        )));
    }
    std::fs::create_dir_all(&db)
        .map_err(|e| Failure::failed(format!("cannot create {}: {e}", db.display())))?;
    RocksBackend::open(&db).map_err(|e| {
        Failure::failed(format!(
            "cannot open the vault in {}: {e}",
            data_dir.display()
        ))
    })
}

/// The records in PostgreSQL (connected as the vault's role) and the content in the S3
/// bucket, which must have Object Lock and versioning.
fn open_distributed(shared: &SharedStorage) -> Result<Engine, Failure> {
    let s3 = s3_config(shared)?;
    let meta = PostgresMeta::connect(&shared.postgres, &PostgresOptions::default())
        .map_err(|e| Failure::failed(format!("cannot open the records in PostgreSQL: {e}")))?;
    let chunks = S3Chunks::open(&s3).map_err(|e| bucket_failure(&s3, &e))?;
    Ok(Engine::Distributed(Split::new(meta, chunks)))
}

/// The S3 settings of `shared`, with the credentials of the environment (never of the file,
/// which is often readable by more people than the keys should be).
pub(crate) fn s3_config(shared: &SharedStorage) -> Result<S3Config, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let (Some(key_id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
    else {
        return Err(Failure::usage(
            "[storage] backend = \"postgres-s3\": set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY to the bucket's credentials",
        ));
    };
    let mut s3 = S3Config::new(&shared.endpoint, &shared.bucket, key_id, secret);
    s3.region.clone_from(&shared.region);
    s3.orphan_grace = shared.orphan_grace;
    Ok(s3)
}

/// A bucket that cannot be used: its settings are the operator's to fix (a bucket without
/// Object Lock is never used), anything else failed.
pub(crate) fn bucket_failure(s3: &S3Config, e: &S3Error) -> Failure {
    let message = format!("the S3 bucket {:?} at {}: {e}", s3.bucket, s3.endpoint);
    match e {
        S3Error::NoObjectLock { .. }
        | S3Error::Versioning { .. }
        | S3Error::LockNotEnforced { .. }
        | S3Error::Config(_) => Failure::usage(message),
        _ => Failure::failed(message),
    }
}

/// Opens the content store on the engine `storage` names, creating the RocksDB vault when
/// `create` is set.
pub(crate) fn open_store(
    data_dir: &Path,
    storage: &StorageSettings,
    config: ContentConfig,
    create: bool,
) -> Result<ContentStore, Failure> {
    let engine = open_engine(data_dir, storage, create)?;
    ContentStore::with_backend(engine, config).map_err(Failure::failed)
}

/// The content store of the existing vault that `config`'s `[storage]` names.
pub(crate) fn existing_store(dir: &Path, config: Option<&Path>) -> Result<ContentStore, Failure> {
    open_store(
        dir,
        &storage_settings(config)?,
        ContentConfig::default(),
        false,
    )
}

/// Stores the configured CRLs as content, so that every registration's evidence references
/// those its verdict used (`Registry::keep_crls`).
pub(crate) fn keep_crls(registry: &Registry, crls: &[Vec<u8>]) -> Result<(), Failure> {
    registry
        .keep_crls(crls.iter().map(Vec::as_slice))
        .map_err(|e| Failure::failed(format!("cannot keep the configured CRLs: {e}")))
}

/// The vault's audit-log signer (its key created in `<data-dir>/audit` on first use).
pub(crate) fn audit_signer(data_dir: &Path) -> Result<qoima_vault::audit::Signer, Failure> {
    qoima_vault::audit::key::load_or_create(&data_dir.join("audit"))
        .map_err(|e| Failure::failed(format!("the audit key: {e}")))
}

/// The record layer on the vault in `data_dir` with `settings` (from [`config::load`]),
/// creating the vault when `create` is set.
pub(crate) fn open_registry(
    data_dir: &Path,
    settings: config::Config,
    create: bool,
) -> Result<Registry, Failure> {
    let store = open_store(
        data_dir,
        &settings.storage,
        ContentConfig::default(),
        create,
    )?;
    let mut registry = Registry::new(
        store,
        std::sync::Arc::new(settings.verifier),
        settings.calendar,
        settings.numbering,
    )
    .map_err(|e| Failure::failed(format!("the calendar years stored in the vault: {e}")))?;
    // Other nodes write to a shared store: what this one keeps of it is read again.
    if let StorageSettings::PostgresS3(shared) = &settings.storage {
        registry = registry.with_shared_store(shared.shared_cache);
    }
    for (class, retention) in settings.retention {
        registry = registry
            .with_retention(class, retention)
            .map_err(|e| Failure::usage(format!("[retention]: {e}")))?;
    }
    for class in settings.sender_unknown {
        registry = registry.with_sender_unknown(class);
    }
    for officer in settings.disposal_officers {
        registry = registry.with_disposal_officer(officer);
    }
    Ok(registry)
}
