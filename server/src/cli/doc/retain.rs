//! `qoima doc retain`: extending a document's retention.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

use super::RetainArgs;
use super::checks::{change_failure, parse_id};
use super::lookup::refuse_disposed;
use super::render::pretty;
use crate::cli::{Failure, config, open_registry};

pub(super) fn retain(dir: &Path, config: Option<&Path>, args: RetainArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let until: Date = args.until.parse().map_err(|e| {
        Failure::usage(format!(
            "--until {:?} is not a date (YYYY-MM-DD): {e}",
            args.until
        ))
    })?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    refuse_disposed(&registry, id)?;
    registry
        .extend_retention(id, until, &args.reason, &args.by, Timestamp::now())
        .map_err(change_failure)?;
    if args.json {
        let json =
            json!({ "id": id.to_string(), "extended": true, "retainUntil": until.to_string() });
        println!("{}", pretty(&json)?);
    } else {
        println!("document {id} retained until {until}");
    }
    Ok(())
}
