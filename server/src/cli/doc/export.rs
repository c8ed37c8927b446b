//! `qoima doc export ID -o FILE`: the auditor's offline bundle of a document (`docs/bundle.md`).
//! The export is logged as an auditor's read naming the versions it holds, then a checkpoint is
//! signed over the log with that read in it; the bundle is checked as `qoima bundle verify`
//! would before it is written.

use std::path::{Path, PathBuf};

use clap::Args;
use jiff::Timestamp;
use qoima_vault::bundle::{self, Bundle, Evidence, Logged, VersionEvidence};
use qoima_vault::records::Actor;

use super::{change_failure, document, parse_id};
use crate::cli::audit::{check_records, open_since, prove_consistency};
use crate::cli::{Failure, audit_signer, config, open_registry};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// The bundle to write (a ZIP file; replaced if it exists).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    out: PathBuf,
    /// A checkpoint the auditor already holds (`qoima audit checkpoint`): the bundle proves the
    /// log grew from it (a consistency proof).
    #[arg(long, value_name = "CHECKPOINT_FILE")]
    since: Option<PathBuf>,
    /// Who the bundle is for: recorded in the audit log as the auditor's read.
    #[arg(long, value_name = "NAME", default_value = "operator")]
    by: Actor,
}

pub(super) fn export(dir: &Path, config: Option<&Path>, args: ExportArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let settings = config::load(config)?;
    let certificates = settings.ca_certificates.clone();
    let registry = open_registry(dir, settings, false)?;
    let signer = audit_signer(dir)?;
    let view = document(&registry, id)?;
    if !view.tombstones.is_empty() {
        return Err(Failure::failed(format!(
            "document {id} was disposed of: its content is gone, so it has no bundle"
        )));
    }
    let since = args
        .since
        .as_deref()
        .map(|path| open_since(path, &signer))
        .transpose()?;
    // Each entry must still be the one that names its record before it is exported.
    check_records(&registry)?;
    let stored = registry
        .stored_evidence(id)
        .map_err(Failure::failed)?
        .ok_or_else(|| Failure::failed(format!("no document {id}")))?;
    let count = u32::try_from(stored.versions.len()).unwrap_or(u32::MAX);
    let (export_record, export_entry, export_index) = registry
        .record_export(id, count, &args.by, Timestamp::now())
        .map_err(change_failure)?;

    let log = registry.log().map_err(Failure::failed)?;
    let (checkpoint, note) = log.checkpoint(&signer).map_err(Failure::failed)?;
    let logged = |entry: Vec<u8>, index: u64| -> Result<Logged, Failure> {
        let proof = log
            .inclusion_proof(index, checkpoint.size)
            .map_err(Failure::failed)?;
        Ok(Logged {
            entry,
            index,
            proof,
        })
    };
    let mut versions = Vec::new();
    for version in stored.versions {
        versions.push(VersionEvidence {
            record: version.record,
            content: version.content,
            logged: logged(version.entry, version.index)?,
        });
    }
    let since = match (since, args.since.as_deref()) {
        (Some((old, old_note)), Some(path)) => {
            let proof = prove_consistency(&log, path, &old, checkpoint.size, &checkpoint.root)?;
            Some((old, old_note, proof))
        }
        _ => None,
    };
    let evidence = Evidence {
        document: id,
        document_record: stored.document_record,
        versions,
        export: (export_record, logged(export_entry, export_index)?),
        checkpoint: (checkpoint, note),
        verifier_key: signer.verifier_key().clone(),
        since,
        certificates,
        crls: stored.crls,
        ocsp_responses: stored.ocsp_responses,
    };
    let bytes = bundle::write(&evidence).map_err(Failure::failed)?;
    self_check(&bytes, &evidence)?;
    write_file(&args.out, &bytes)?;
    println!(
        "{}: document {id}, {count} version{}, {} bytes; checkpoint of {} entries signed by {}",
        args.out.display(),
        if count == 1 { "" } else { "s" },
        bytes.len(),
        evidence.checkpoint.0.size,
        evidence.verifier_key
    );
    Ok(())
}

/// The bundle verifies as an auditor's copy would, with the vault's key: a bundle that does not
/// is this command's failure, not the auditor's surprise. Signatures are verified with the
/// vault's own engine elsewhere; here the chain of hashes is what matters.
fn self_check(bytes: &[u8], evidence: &Evidence) -> Result<(), Failure> {
    let bundle = Bundle::read(bytes, bundle::MAX_BUNDLE)
        .map_err(|e| Failure::failed(format!("the bundle written does not read back: {e}")))?;
    let options = bundle::Options {
        key: Some(evidence.verifier_key.clone()),
        at: bundle::now(),
        ..bundle::Options::default()
    };
    bundle::verify(&bundle, &options)
        .map_err(|e| Failure::failed(format!("the bundle written does not verify: {e}")))?;
    Ok(())
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, then a rename.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("{}: not a file name", path.display())))?;
    let mut temporary = name.to_os_string();
    temporary.push(".partial");
    let temporary = path.with_file_name(temporary);
    let cannot =
        |e: std::io::Error| Failure::failed(format!("cannot write {}: {e}", path.display()));
    std::fs::write(&temporary, bytes).map_err(cannot)?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        cannot(e)
    })
}
