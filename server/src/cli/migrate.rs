//! `qoima migrate --to postgres-s3`: the embedded vault of the data directory copied into the
//! distributed backend the configuration names, then proved whole (`qoima_vault::migrate`,
//! `docs/storage.md`).

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use clap::{Args, ValueEnum};
use qoima_vault::audit::log::AuditLog;
use qoima_vault::migrate::{self, MigrateError, Progress};
use qoima_vault::storage::engine::Engine;
use qoima_vault::storage::{MetaStore, Table};

use super::{Failure, config, open_engine, open_registry, storage_settings};
use crate::config::StorageSettings;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The backend to copy into, as `--config`'s `[storage]` describes it.
    #[arg(long, value_enum)]
    to: Target,
}

/// The backends a vault is copied into.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Target {
    /// Records in PostgreSQL, content in S3 with Object Lock.
    PostgresS3,
}

pub fn run(dir: &Path, config: Option<&Path>, args: MigrateArgs) -> Result<(), Failure> {
    let Target::PostgresS3 = args.to;
    let storage = storage_settings(config)?;
    if !matches!(storage, StorageSettings::PostgresS3(_)) {
        return Err(Failure::usage(
            "--to postgres-s3: --config must name it ([storage] backend = \"postgres-s3\", with \
             postgres and [storage.s3])",
        ));
    }
    // The source: the RocksDB vault of the data directory, which must exist (and no server
    // may hold it: RocksDB locks its directory).
    let from = open_engine(dir, &StorageSettings::RocksDb, false)?;
    let to = open_engine(dir, &storage, false)?;
    refuse_another_vault(&from, &to)?;
    let show = io::stderr().is_terminal();
    let report = migrate::copy(&from, &to, |progress| {
        if show {
            let text = match progress {
                Progress::Chunks(done) => format!("chunks: {done}"),
                Progress::Records { table, done } => format!("{table}: {done}"),
            };
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[Kmigrate: {text}");
            let _ = err.flush();
        }
    })
    .map_err(failure)?;
    if show {
        eprint!("\r\x1b[K");
    }
    println!(
        "copied: {} chunks ({} already there), {} records ({} already there)",
        report.chunks, report.chunks_present, report.records, report.records_present
    );
    let comparison = migrate::compare(&from, &to).map_err(failure)?;
    println!(
        "compared: {} records equal, {} chunk references present, audit log of {} entries \
         with root {} on both sides",
        comparison.records,
        comparison.chunk_references,
        comparison.log_size,
        hex::encode(comparison.root)
    );
    // The storage's own locks on what was copied (`qoima locks renew`): until they are set,
    // only the vault's code protects the copied chunks.
    drop((from, to));
    let registry = open_registry(dir, config::load(config)?, false)?;
    super::locks::renew(&registry, false)
}

/// Refuses, before anything is written, a destination whose audit log is not a prefix of the
/// source's: another vault, not an earlier copy of this one. (A record that differs further
/// on is refused by the copy itself, which overwrites nothing.)
fn refuse_another_vault(from: &Engine, to: &Engine) -> Result<(), Failure> {
    let source = AuditLog::open(from).map_err(Failure::failed)?.size();
    let copied = AuditLog::open(to).map_err(Failure::failed)?.size();
    let another = || {
        Failure::failed(format!(
            "the destination holds another vault (its audit log of {copied} entries is not the \
             first entries of this one's {source}): nothing copied"
        ))
    };
    if copied > source {
        return Err(another());
    }
    for index in [0, copied.saturating_sub(1)] {
        if index >= copied {
            break;
        }
        let key = index.to_be_bytes();
        let entry = |store: &Engine| store.get(Table::AuditLeaves, &key).map_err(Failure::failed);
        if entry(from)? != entry(to)? {
            return Err(another());
        }
    }
    Ok(())
}

fn failure(e: MigrateError) -> Failure {
    Failure::failed(format!("migrate: {e}"))
}
