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
pub(crate) mod reverify;
pub(crate) mod trust;
pub(crate) mod verify;

use std::path::{Path, PathBuf};

use qoima_vault::registry::{ErrorKind, Registry};
use qoima_vault::{ContentConfig, ContentStore};

use crate::config::{self, ConfigError};

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

/// Opens the store in `data_dir`, creating it when `create` is set.
pub(crate) fn open_store(
    data_dir: &Path,
    config: ContentConfig,
    create: bool,
) -> Result<ContentStore, Failure> {
    let db = db_dir(data_dir);
    if !create && !db.join("CURRENT").exists() {
        return Err(Failure::usage(format!(
            "no vault in {}",
            data_dir.display()
        )));
    }
    std::fs::create_dir_all(&db)
        .map_err(|e| Failure::failed(format!("cannot create {}: {e}", db.display())))?;
    ContentStore::open(&db, config).map_err(|e| {
        Failure::failed(format!(
            "cannot open the vault in {}: {e}",
            data_dir.display()
        ))
    })
}

/// The record layer on the vault in `data_dir` with `settings` (from [`config::load`]),
/// creating the vault when `create` is set.
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

pub(crate) fn open_registry(
    data_dir: &Path,
    settings: config::Config,
    create: bool,
) -> Result<Registry, Failure> {
    if settings.storage != config::StorageSettings::RocksDb {
        // The engines exist (`qoima_vault::storage`); the commands do not open them yet.
        return Err(Failure::usage(
            "[storage] backend = \"postgres-s3\": the commands open only the embedded RocksDB \
             vault so far (docs/storage.md)",
        ));
    }
    let store = open_store(data_dir, ContentConfig::default(), create)?;
    let mut registry = Registry::new(
        store,
        std::sync::Arc::new(settings.verifier),
        settings.calendar,
        settings.numbering,
    )
    .map_err(|e| Failure::failed(format!("the calendar years stored in the vault: {e}")))?;
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
