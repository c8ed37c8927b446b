//! `qoima doc delete`: refused while retained or held, otherwise disposal.

use std::io::Write;
use std::path::Path;

use jiff::Timestamp;
use qoima_vault::registry::{DisposeError, DocumentView, Retained};

use super::checks::{parse_at, parse_id};
use super::lookup::{document, is_disposed};
use super::render::{pretty, tombstone_line};
use super::{DeleteArgs, DisposalStatementArgs};
use crate::cli::{Failure, open_registry};
use crate::config;
// The operator on the machine sees everything.
use crate::representation::{Audience, Disposal, RetentionRefusal};

/// Refused with exit 3 while the document is retained or held; otherwise disposal, the one
/// operation that deletes (with `--reason` and `--by`), which leaves a tombstone per version.
pub(super) fn delete(dir: &Path, config: Option<&Path>, args: DeleteArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let at = parse_at(args.at.as_deref())?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    if is_disposed(&registry, id)? {
        return Err(Failure::failed(DisposeError::AlreadyDisposed(id)));
    }
    let until = view.retain_until();
    let until_text = until.map_or_else(
        || "the facility's end-of-service event".to_owned(),
        |d| d.to_string(),
    );
    match registry.disposable(id, at) {
        Ok(()) => {}
        Err(DisposeError::Retained { why, .. }) => {
            return Err(retained(&view, &why, at, args.json)?);
        }
        Err(e) => return Err(dispose_failure(e)),
    }
    let (Some(reason), Some(act), Some(by)) = (&args.reason, &args.act, &args.by) else {
        return Err(Failure::usage(format!(
            "document {id} may be disposed of (retention ended on {until_text}, no holds): \
             disposal needs --reason, --act (signed over `qoima doc disposal-statement`) and \
             --by"
        )));
    };
    let act = std::fs::read(act)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", act.display())))?;
    let disposal = registry
        .dispose(id, reason, &act, by, at)
        .map_err(dispose_failure)?;
    if args.json {
        println!("{}", pretty(&Disposal::new(&view, &disposal))?);
    } else {
        println!("disposed of document {id} (retention ended on {until_text})");
        for (version, tombstone) in &disposal.tombstones {
            println!("{}", tombstone_line(*version, tombstone));
        }
    }
    Ok(())
}

/// Prints (or writes to `--out`) the statement a disposal act of the document signs.
pub(super) fn statement(
    dir: &Path,
    config: Option<&Path>,
    args: DisposalStatementArgs,
) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let view = document(&registry, id)?;
    if is_disposed(&registry, id)? {
        return Err(Failure::failed(DisposeError::AlreadyDisposed(id)));
    }
    let bytes = view.disposal_statement(&args.reason);
    match &args.out {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::failed(format!("cannot write the statement: {e}")))
        }
    }
}

/// The refusal of a deletion (exit 3): retain-until and the active holds.
fn retained(
    view: &DocumentView,
    why: &Retained,
    at: Timestamp,
    json: bool,
) -> Result<Failure, Failure> {
    let refusal = RetentionRefusal::new(view, why, at, Audience::Full).map_err(Failure::failed)?;
    if json {
        println!("{}", pretty(&refusal)?);
    }
    Ok(Failure::refused(refusal.reason))
}

fn dispose_failure(e: DisposeError) -> Failure {
    Failure::of(e.kind(), e)
}
