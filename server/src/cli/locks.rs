//! `qoima locks renew`: the maintenance of the storage's own locks
//! (`Registry::renew_locks`, `docs/storage.md`): every chunk of every document not disposed of
//! locked at least until its end of retention (the repair of a lock that a crash after a
//! commit left unset), the rolling locks of construction records renewed once less than a year
//! is left, the chunks of held documents held and holds no held document needs lifted.
//! Idempotent: run it daily. On RocksDB, whose retention only the vault's code enforces, there
//! is nothing to lock.

use std::path::Path;

use clap::{Args, Subcommand};
use qoima_vault::registry::{LockRenewal, Registry};
use qoima_vault::storage::{ChunkStore, MetaStore};
use serde_json::json;

use super::{Failure, config, open_registry};

#[derive(Debug, Subcommand)]
pub enum LocksCommand {
    /// Lock what is not locked yet, renew the rolling locks, hold and release (exit 1 when a
    /// document could not be locked: the next run tries it again).
    Renew(RenewArgs),
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: LocksCommand) -> Result<(), Failure> {
    match command {
        LocksCommand::Renew(args) => {
            let settings = config::load(config)?;
            let registry = open_registry(dir, settings, false)?;
            renew(&registry, args.json)
        }
    }
}

/// Runs the maintenance on `registry`, whatever its engines, and reports it.
pub(crate) fn renew<S: ChunkStore + MetaStore>(
    registry: &Registry<S>,
    json: bool,
) -> Result<(), Failure> {
    let renewal = registry
        .renew_locks()
        .map_err(|e| Failure::of(e.kind(), format!("locks renew: {e}")))?;
    let Some(renewal) = renewal else {
        if json {
            println!("{}", json!({ "locks": false }));
        } else {
            println!(
                "locks renew: this vault's storage keeps no locks of its own (RocksDB: the \
                 vault's code enforces retention), nothing to lock"
            );
        }
        return Ok(());
    };
    if json {
        println!("{}", to_json(&renewal));
    } else {
        for (id, why) in &renewal.failed {
            println!("not locked: document {id}: {why}");
        }
        println!(
            "locks renew: {} documents; {} chunks locked until their end of retention, {} \
             retentions passed; rolling locks: {} chunks renewed, {} with long enough to run; \
             {} chunks held, {} holds lifted",
            renewal.documents,
            renewal.retained,
            renewal.passed,
            renewal.renewed,
            renewal.rolling,
            renewal.held,
            renewal.lifted,
        );
    }
    match renewal.failed.len() {
        0 => Ok(()),
        n => Err(Failure::failed(format!(
            "locks renew: {n} documents could not be locked; the next run tries them again"
        ))),
    }
}

fn to_json(renewal: &LockRenewal) -> serde_json::Value {
    let failed: Vec<_> = renewal
        .failed
        .iter()
        .map(|(id, why)| json!({ "id": id.to_string(), "error": why }))
        .collect();
    json!({
        "locks": true,
        "documents": renewal.documents,
        "retained": renewal.retained,
        "passed": renewal.passed,
        "renewed": renewal.renewed,
        "rolling": renewal.rolling,
        "held": renewal.held,
        "lifted": renewal.lifted,
        "failed": failed,
    })
}
