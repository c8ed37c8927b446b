//! The `qoima` command line: argument parsing, dispatch and exit codes. The commands are
//! `crate::cli`'s, and `serve` (`crate::serve`).
//!
//! Exit codes: 0 success, 1 the operation failed (missing content, an
//! integrity problem, a refused registration, new version, retention extension or
//! hold release, a document already disposed of, a damaged or inconsistent audit
//! log, a storage error), 3 the operation is not allowed (`qoima doc delete` of
//! a document that is retained or under a legal hold: a retained record is never
//! deleted), 64 bad usage (a value its type refuses, a format the class does not
//! accept), an unreadable input file or a bad `--config` file
//! (also `qoima doc delete` of a disposable document without `--reason` and
//! `--by`); `qoima verify` adds 2 for INDETERMINATE.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ErrorKind};
use clap::{Parser, Subcommand};

use crate::cli::{
    Failure, audit, bundle, content, doc, facility, gc, hold, keys, locks, migrate, reverify,
    storage, trust, verify,
};
use crate::serve;

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
    /// Trust store, policy, numbering and calendar of the `doc` and `audit` commands, the
    /// `[server]` settings of `serve`, and the `[storage]` every command opens (TOML).
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
    /// Remove content that no record references once its grace period has passed (7 days by
    /// default), and chunks that no content references; logged in the audit log.
    Gc(gc::GcArgs),
    /// Serve the HTTP API.
    Serve(serve::ServeArgs),
    /// Verify a CMS signature: validity and ownership (exit 0 passed, 1 failed,
    /// 2 indeterminate).
    Verify(verify::VerifyArgs),
    /// Re-verify registered documents in bulk, on every core: all or a selection, as
    /// registered or as of now (exit 0 all passed, 1 any failed, 2 any indeterminate, 130
    /// interrupted: `--resume` goes on).
    Reverify(reverify::ReverifyArgs),
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
    /// The auditor's offline bundle (`qoima doc export`): verify it with no vault.
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// API keys of the HTTP API: create (the token is printed once), list, revoke.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Revocation data brought by hand (a vault without outbound access).
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// The storage's own locks (S3 Object Lock): renew them, set those a crash left unset.
    #[command(subcommand)]
    Locks(locks::LocksCommand),
    /// The distributed backend (`[storage] backend = "postgres-s3"`): prepare the PostgreSQL
    /// schema and the S3 bucket with Object Lock, or check them.
    #[command(subcommand)]
    Storage(storage::StorageCommand),
    /// Copy the vault of the data directory into the backend `--config` names, then prove the
    /// copy whole (every record, content and audit entry); run again to resume.
    Migrate(migrate::MigrateArgs),
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
        Err(e) if e.kind() == ErrorKind::ValueValidation => {
            // A value its type refuses (a reason, a name, an object number): one line naming
            // the argument and the problem, as every other failure.
            let argument = e.get(ContextKind::InvalidArg);
            let problem = std::error::Error::source(&e);
            if let (Some(argument), Some(problem)) = (argument, problem) {
                eprintln!("error: {argument}: {problem}");
            } else {
                let _ = e.print();
            }
            return ExitCode::from(64);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(64);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code())
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let dir = &cli.data_dir;
    let done = match cli.command {
        Command::Put(args) => content::put(dir, cli.config.as_deref(), args),
        Command::Get(args) => content::get(dir, cli.config.as_deref(), args),
        Command::Stat(args) => content::stat(dir, cli.config.as_deref(), args),
        Command::Scrub => content::scrub(dir, cli.config.as_deref()),
        Command::Gc(args) => gc::gc(dir, cli.config.as_deref(), args),
        Command::Serve(args) => serve::serve(dir, cli.config.as_deref(), args),
        Command::Verify(args) => return verify::verify(args, cli.config.as_deref()),
        Command::Reverify(args) => return reverify::reverify(dir, cli.config.as_deref(), args),
        Command::Doc(command) => doc::run(dir, cli.config.as_deref(), command),
        Command::Hold(command) => hold::run(dir, cli.config.as_deref(), command),
        Command::Facility(command) => facility::run(dir, cli.config.as_deref(), command),
        Command::Audit(command) => audit::run(dir, cli.config.as_deref(), command),
        Command::Bundle(command) => return bundle::run(command),
        Command::Keys(command) => keys::run(dir, cli.config.as_deref(), command),
        Command::Trust(command) => trust::run(dir, cli.config.as_deref(), command),
        Command::Locks(command) => locks::run(dir, cli.config.as_deref(), command),
        Command::Storage(command) => storage::run(cli.config.as_deref(), command),
        Command::Migrate(args) => migrate::run(dir, cli.config.as_deref(), args),
    };
    done.map(|()| ExitCode::SUCCESS)
}
