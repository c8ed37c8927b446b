//! `qoima facility end-of-service`: the event that starts the end of retention of a
//! facility's `construction-record` documents.

use std::path::Path;

use clap::{Args, Subcommand};
use jiff::Timestamp;
use jiff::civil::Date;
use qoima_vault::records::{Actor, ObjectNumber, Reason};
use qoima_vault::registry::Index;
use serde_json::json;

use super::doc::{change_failure, document, pretty};
use super::{Failure, config, open_registry};

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// Record a facility's end of service (once per object): its construction records are
    /// retained until then plus their class's tail, and may be disposed of afterwards.
    EndOfService(EndOfServiceArgs),
}

#[derive(Debug, Args)]
pub struct EndOfServiceArgs {
    /// The facility's 18-digit construction object number (UNO).
    #[arg(value_name = "OBJECT")]
    object: ObjectNumber,
    /// The date its service ended, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: String,
    /// The act or reason.
    #[arg(long, value_name = "TEXT")]
    reason: Reason,
    /// Who records it.
    #[arg(long, value_name = "NAME")]
    by: Actor,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &Path, config: Option<&Path>, command: FacilityCommand) -> Result<(), Failure> {
    match command {
        FacilityCommand::EndOfService(args) => end_of_service(dir, config, args),
    }
}

fn end_of_service(
    dir: &Path,
    config: Option<&Path>,
    args: EndOfServiceArgs,
) -> Result<(), Failure> {
    let date: Date = args.date.parse().map_err(|e| {
        Failure::usage(format!(
            "--date {:?} is not a date (YYYY-MM-DD): {e}",
            args.date
        ))
    })?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    registry
        .record_end_of_service(&args.object, date, &args.reason, &args.by, Timestamp::now())
        .map_err(change_failure)?;
    // The documents of the object, with their retention as it now stands.
    let ids = registry
        .find(Index::Object, args.object.as_str())
        .map_err(|e| Failure::failed(format!("cannot search the object index: {e}")))?;
    let mut documents = Vec::with_capacity(ids.len());
    for id in ids {
        let view = document(&registry, id)?;
        documents.push((id, view.record.class.clone(), view.retain_until()));
    }
    if args.json {
        let json = json!({
            "object": args.object,
            "endOfService": date.to_string(),
            "documents": documents
                .iter()
                .map(|(id, class, until)| json!({
                    "id": id.to_string(),
                    "class": class,
                    "retainUntil": until.map(|d| d.to_string()),
                }))
                .collect::<Vec<_>>(),
        });
        println!("{}", pretty(&json)?);
    } else {
        println!("object {}: end of service {date} recorded", args.object);
        for (id, class, until) in &documents {
            let until = until.map_or_else(|| "unknown".to_owned(), |d| d.to_string());
            println!("{id}  {class}  retained until {until}");
        }
    }
    Ok(())
}
