//! The `qoima` command line: argument parsing, dispatch and exit codes.
//!
//! Exit codes: 0 success, 1 the operation failed (missing content, an
//! integrity problem, a refused registration, new version, retention extension or
//! hold release, a document already disposed of, a damaged or inconsistent audit
//! log, a storage error), 3 the operation is not allowed (`qoima doc delete` of
//! a document that is retained or under a legal hold: a retained record is never
//! deleted), 64 bad usage, an unreadable input file or a bad `--config` file
//! (also `qoima doc delete` of a disposable document without `--reason` and
//! `--by`); `qoima verify` adds 2 for INDETERMINATE (DESIGN.md §3).

mod audit;
pub(crate) mod config;
mod content;
pub(crate) mod doc;
mod facility;
mod hold;
pub(crate) mod keys;
mod logging;
mod serve;
mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use qoima_vault::records::Registry;
use qoima_vault::{ContentConfig, ContentStore};

/// Qoima: a write-once document vault with EDS signature verification.
#[derive(Debug, Parser)]
#[command(name = "qoima", version)]
struct Cli {
    /// The vault's data directory.
    #[arg(
        long,
        global = true,
        env = "QOIMA_DATA_DIR",
        default_value = "./qoima-data",
        value_name = "DIR"
    )]
    data_dir: PathBuf,
    /// Trust store, policy, numbering and calendar of the `doc` and `audit` commands, and the
    /// `[server]` settings of `serve` (TOML).
    #[arg(long, global = true, env = "QOIMA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Store a file (or standard input with `-`) and print its SHA-256 address.
    Put(content::PutArgs),
    /// Write stored content, or a byte range of it, to standard output or a file.
    Get(content::GetArgs),
    /// Show the length and storage figures of stored content.
    Stat(content::StatArgs),
    /// Re-hash every stored chunk and content; exit 1 if anything is wrong.
    Scrub,
    /// Remove chunks that no content references (leftovers of interrupted puts).
    Gc,
    /// Serve the HTTP API.
    Serve(serve::ServeArgs),
    /// Verify a CMS signature: validity and ownership (exit 0 passed, 1 failed,
    /// 2 indeterminate).
    Verify(verify::VerifyArgs),
    /// Registered documents: register, new versions, show, find, retain, delete (exit 3
    /// while retained or held; disposal after retention).
    #[command(subcommand)]
    Doc(doc::DocCommand),
    /// Legal holds: place and release (a held document is never disposed of).
    #[command(subcommand)]
    Hold(hold::HoldCommand),
    /// Facilities: record the end of service that ends construction records' retention.
    #[command(subcommand)]
    Facility(facility::FacilityCommand),
    /// The audit log: signed checkpoints, inclusion proofs, verification.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// API keys of the HTTP API: create (the token is printed once), list, revoke.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

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
    /// The operation failed (exit 1).
    pub fn failed(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: 1,
        }
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
}

impl From<qoima_vault::VaultError> for Failure {
    fn from(e: qoima_vault::VaultError) -> Self {
        Self::failed(e)
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(64);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let dir = &cli.data_dir;
    let done = match cli.command {
        Command::Put(args) => content::put(dir, args),
        Command::Get(args) => content::get(dir, args),
        Command::Stat(args) => content::stat(dir, args),
        Command::Scrub => content::scrub(dir),
        Command::Gc => content::gc(dir),
        Command::Serve(args) => serve::serve(dir, cli.config.as_deref(), args),
        Command::Verify(args) => return verify::verify(args),
        Command::Doc(command) => doc::run(dir, cli.config.as_deref(), command),
        Command::Hold(command) => hold::run(dir, cli.config.as_deref(), command),
        Command::Facility(command) => facility::run(dir, cli.config.as_deref(), command),
        Command::Audit(command) => audit::run(dir, cli.config.as_deref(), command),
        Command::Keys(command) => keys::run(dir, command),
    };
    done.map(|()| ExitCode::SUCCESS)
}

/// Where RocksDB keeps its files inside the data directory.
fn db_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("db")
}

/// Opens the store in `data_dir`, creating it when `create` is set.
fn open_store(
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
fn keep_crls(registry: &Registry, crls: &[Vec<u8>]) -> Result<(), Failure> {
    registry
        .keep_crls(crls.iter().map(Vec::as_slice))
        .map_err(|e| Failure::failed(format!("cannot keep the configured CRLs: {e}")))
}

/// The vault's audit-log signer (its key created in `<data-dir>/audit` on first use).
fn audit_signer(data_dir: &Path) -> Result<qoima_vault::audit::Signer, Failure> {
    qoima_vault::audit::key::load_or_create(&data_dir.join("audit"))
        .map_err(|e| Failure::failed(format!("the audit key: {e}")))
}

fn open_registry(
    data_dir: &Path,
    settings: config::Config,
    create: bool,
) -> Result<Registry, Failure> {
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
    Ok(registry)
}
