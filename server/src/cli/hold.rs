//! `qoima hold place` and `release`: legal holds, which block disposal whatever the dates.

use std::path::Path;

use clap::{Args, Subcommand};
use qoima_vault::records::{Actor, Reason};
use serde_json::json;

use super::doc::{change_failure, parse_id, pretty, refuse_disposed};
use super::{Failure, config, open_registry};

#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// Place a legal hold on a document; print its number (for the release).
    Place(PlaceArgs),
    /// Release a legal hold.
    Release(ReleaseArgs),
}

#[derive(Debug, Args)]
pub struct PlaceArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// Why (a court order, an inspection, ...).
    #[arg(long, value_name = "TEXT")]
    reason: Reason,
    /// The auditor who places it.
    #[arg(long, value_name = "NAME")]
    by: Actor,
    /// The BIN of the authority the auditor acts for: only that authority releases the hold
    /// (without one, only the same --by).
    #[arg(long, value_name = "BIN")]
    bin: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The document id (32 lowercase hex digits).
    id: String,
    /// The hold's number, as `hold place` printed it.
    #[arg(long, value_name = "N")]
    hold: u32,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    reason: Reason,
    /// The auditor who releases it.
    #[arg(long, value_name = "NAME")]
    by: Actor,
    /// The BIN of the authority the auditor acts for: the one that placed the hold.
    #[arg(long, value_name = "BIN")]
    bin: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: HoldCommand) -> Result<(), Failure> {
    match command {
        HoldCommand::Place(args) => place(dir, config, args),
        HoldCommand::Release(args) => release(dir, config, args),
    }
}

fn place(dir: &Path, config: Option<&Path>, args: PlaceArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    refuse_disposed(&registry, id)?;
    let authority = authority(args.bin.as_deref())?;
    let hold = registry
        .place_hold(id, &args.reason, &args.by, authority, registry.now())
        .map_err(change_failure)?;
    if args.json {
        let json = json!({
            "id": id.to_string(),
            "hold": hold,
            "reason": args.reason,
            "by": args.by,
            "authority": args.bin,
        });
        println!("{}", pretty(&json)?);
    } else {
        println!("{hold}");
    }
    Ok(())
}

fn release(dir: &Path, config: Option<&Path>, args: ReleaseArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    let authority = authority(args.bin.as_deref())?;
    registry
        .release_hold(
            id,
            args.hold,
            &args.reason,
            &args.by,
            authority,
            registry.now(),
        )
        .map_err(change_failure)?;
    if args.json {
        let json = json!({
            "id": id.to_string(),
            "hold": args.hold,
            "released": true,
            "reason": args.reason,
            "by": args.by,
        });
        println!("{}", pretty(&json)?);
    } else {
        println!("hold {} on document {id} released", args.hold);
    }
    Ok(())
}

/// `--bin`, checked: 12 digits.
fn authority(bin: Option<&str>) -> Result<Option<&str>, Failure> {
    match bin {
        Some(bin) if !qoima_verifier::identity::number::is_well_formed(bin) => {
            Err(Failure::usage(format!("--bin {bin:?}: a BIN is 12 digits")))
        }
        _ => Ok(bin),
    }
}
