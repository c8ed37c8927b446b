//! `qoima audit checkpoint`, `key`, `prove` and `verify`: the tamper-evident audit log
//! (RFC 6962 tree, C2SP signed checkpoints; `docs/records.md`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use qoima_vault::audit::log::AuditLog;
use qoima_vault::audit::{
    Checkpoint, Hash, Signer, hash_leaf, verify_consistency, verify_inclusion,
};
use qoima_vault::registry::verify_records;
use qoima_vault::storage::engine::Engine;
use serde_json::{Value, json};

use super::doc::{document, parse_id, pretty};
use super::{Failure, audit_signer, config, open_registry};
use crate::engine::Registry;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Sign a checkpoint of the log's current size and root; print the signed note.
    Checkpoint(JsonArgs),
    /// Print the verifier key that checks this vault's checkpoints.
    Key(JsonArgs),
    /// Prove that a document's registration entries are in the log (RFC 6962 inclusion
    /// proofs against a fresh signed checkpoint).
    Prove(ProveArgs),
    /// Re-hash the whole log and check every record against its entry; with
    /// `--since`, prove that an older checkpoint is a prefix of the log (exit 1 if not).
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A checkpoint this vault signed earlier (`qoima audit checkpoint`).
    #[arg(long, value_name = "CHECKPOINT_FILE")]
    since: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: AuditCommand) -> Result<(), Failure> {
    let registry = open_registry(dir, config::load(config)?, false)?;
    let signer = || audit_signer(dir);
    match command {
        AuditCommand::Checkpoint(args) => checkpoint(&registry, &signer()?, args),
        AuditCommand::Key(args) => {
            let signer = signer()?;
            if args.json {
                let json = json!({
                    "origin": signer.name(),
                    "verifierKey": signer.verifier_key().to_string(),
                });
                println!("{}", pretty(&json)?);
            } else {
                println!("{}", signer.verifier_key());
            }
            Ok(())
        }
        AuditCommand::Prove(args) => prove(&registry, &signer()?, args),
        AuditCommand::Verify(args) => verify(&registry, signer, args),
    }
}

fn open_log(registry: &Registry) -> Result<AuditLog<'_, Engine>, Failure> {
    registry.log().map_err(Failure::failed)
}

fn checkpoint(registry: &Registry, signer: &Signer, args: JsonArgs) -> Result<(), Failure> {
    let log = open_log(registry)?;
    let (checkpoint, note) = log.checkpoint(signer).map_err(Failure::failed)?;
    let (size, root) = (checkpoint.size, checkpoint.root);
    if args.json {
        let json = json!({
            "origin": signer.name(),
            "size": size,
            "root": root.to_string(),
            "note": note,
            "verifierKey": signer.verifier_key().to_string(),
        });
        println!("{}", pretty(&json)?);
    } else {
        print!("{note}");
    }
    Ok(())
}

fn prove(registry: &Registry, signer: &Signer, args: ProveArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let view = document(registry, id)?;
    // Each entry must still be the one that names its record before it is proven.
    check_records(registry)?;
    let log = open_log(registry)?;
    let (checkpoint, note) = log.checkpoint(signer).map_err(Failure::failed)?;
    let (size, root) = (checkpoint.size, checkpoint.root);
    let mut proofs = Vec::new();
    for version in &view.versions {
        let index = version.audit_index;
        if index >= size {
            return Err(Failure::failed(format!(
                "document {id} version {}: its audit entry {index} is beyond the log's {size} \
                 entries: damaged",
                version.version
            )));
        }
        let entry = log.entry(index).map_err(Failure::failed)?;
        let leaf = hash_leaf(&entry);
        let proof = log.inclusion_proof(index, size).map_err(Failure::failed)?;
        // The command checks its own proof before anyone relies on it.
        verify_inclusion(&leaf, index, size, &proof, &root).map_err(|e| {
            Failure::failed(format!(
                "the inclusion proof of document {id} version {} does not verify: {e}",
                version.version
            ))
        })?;
        proofs.push((version, entry, leaf, proof));
    }
    if args.json {
        let versions: Vec<Value> = proofs
            .iter()
            .map(|(version, entry, leaf, proof)| {
                json!({
                    "version": version.version,
                    "auditIndex": version.audit_index,
                    "entry": String::from_utf8_lossy(entry),
                    "leafHash": leaf.to_string(),
                    "proof": proof.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })
            })
            .collect();
        let json = json!({
            "id": id.to_string(),
            "checkpoint": {
                "origin": signer.name(),
                "size": size,
                "root": root.to_string(),
                "note": note,
            },
            "verifierKey": signer.verifier_key().to_string(),
            "versions": versions,
        });
        println!("{}", pretty(&json)?);
    } else {
        for (version, entry, leaf, proof) in &proofs {
            println!(
                "version {}: audit entry {} of {size}, leaf hash {leaf}",
                version.version, version.audit_index
            );
            for line in String::from_utf8_lossy(entry).lines() {
                println!("  entry: {line}");
            }
            for hash in proof {
                println!("  proof: {hash}");
            }
        }
        println!("inclusion verified against root {root}; checkpoint:");
        print!("{note}");
    }
    Ok(())
}

fn verify(
    registry: &Registry,
    signer: impl FnOnce() -> Result<Signer, Failure>,
    args: VerifyArgs,
) -> Result<(), Failure> {
    let log = open_log(registry)?;
    let size = log.size();
    // Every entry and stored subtree re-hashed: the root from the entries alone.
    let root = log.verify_all().map_err(Failure::failed)?;
    let records = check_records(registry)?;

    let mut since = None;
    if let Some(path) = &args.since {
        let (old, _) = open_since(path, &signer()?)?;
        let proof = prove_consistency(&log, path, &old, size, &root)?;
        since = Some((path, old, proof.len()));
    }

    if args.json {
        let json = json!({
            "ok": true,
            "size": size,
            "root": root.to_string(),
            "versionRecords": records,
            "since": since.as_ref().map(|(path, old, proof)| json!({
                "file": path.display().to_string(),
                "size": old.size,
                "root": old.root.to_string(),
                "proofLength": proof,
            })),
        });
        println!("{}", pretty(&json)?);
    } else {
        println!(
            "audit log: {size} entries re-hashed, root {root}; {records} records match their \
             entries"
        );
        if let Some((path, old, _)) = since {
            println!(
                "consistent with the checkpoint in {} (size {}, root {})",
                path.display(),
                old.size,
                old.root
            );
        }
    }
    Ok(())
}

/// The checkpoint in `path`, which must be one this vault's `signer` signed (its key and its
/// origin), with its note: what `--since` names (`audit verify`, `doc export`).
pub(crate) fn open_since(path: &Path, signer: &Signer) -> Result<(Checkpoint, String), Failure> {
    let note = std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let old = Checkpoint::open(&note, signer.verifier_key()).map_err(|e| {
        Failure::failed(format!(
            "{}: not a checkpoint signed by this vault's key: {e}",
            path.display()
        ))
    })?;
    if old.origin != signer.name() {
        return Err(Failure::failed(format!(
            "{}: the checkpoint is of log {:?}, not this vault's {:?}",
            path.display(),
            old.origin,
            signer.name()
        )));
    }
    // It opened, so it is text.
    Ok((old, String::from_utf8_lossy(&note).into_owned()))
}

/// The consistency proof from `old` (read from `path`) to the log's `size` entries with root
/// `root`, checked before anyone relies on it (RFC 9162 §2.1.4).
pub(crate) fn prove_consistency(
    log: &AuditLog<'_, Engine>,
    path: &Path,
    old: &Checkpoint,
    size: u64,
    root: &Hash,
) -> Result<Vec<Hash>, Failure> {
    if old.size > size {
        return Err(Failure::failed(format!(
            "the log has {size} entries, fewer than the {} of the checkpoint in {}: entries \
             were removed",
            old.size,
            path.display()
        )));
    }
    let proof = log
        .consistency_proof(old.size, size)
        .map_err(Failure::failed)?;
    verify_consistency(old.size, size, &old.root, root, &proof).map_err(|e| {
        Failure::failed(format!(
            "the log is not consistent with the checkpoint in {} (size {}): {e}",
            path.display(),
            old.size
        ))
    })?;
    Ok(proof)
}

/// Every record against the audit entry that names it, and every entry against its record
/// (`registry::verify_records`): a record changed, added or removed behind the vault's back
/// is found. Returns how many records were checked.
pub(crate) fn check_records(registry: &Registry) -> Result<u64, Failure> {
    let report = verify_records(registry.content().backend()).map_err(Failure::failed)?;
    match report.problems.first() {
        Some(problem) => Err(Failure::failed(format!(
            "damaged: {problem}{}",
            match report.problems.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            }
        ))),
        None => Ok(report.records),
    }
}
