//! `qoima doc show`, `versions` and `find`: reading documents.

use std::path::Path;

use jiff::Timestamp;
use qoima_vault::ContentAddress;
use qoima_vault::records::{Actor, DocumentId, Event, Participant, VersionRecord};
use qoima_vault::registry::{DocumentView, Index};

use serde_json::{Value, json};

use super::checks::{change_failure, parse_id};
use super::lookup::{current, document, is_disposed};
use super::render::{one_line, pretty, retain_until_text, tombstone_line};
use super::{FindArgs, ShowArgs};
use crate::cli::{Failure, open_registry};
use crate::config;
use crate::engine::Registry;
// The operator on the machine sees everything.
use crate::representation::{Audience, Document, Versions, holds_text, rfc3339};

/// Records an auditor's read of `what` before it is served (`Registry::record_read`).
fn record_read(
    registry: &Registry,
    id: DocumentId,
    what: &'static str,
    auditor: Option<&Actor>,
) -> Result<(), Failure> {
    if let Some(auditor) = auditor {
        registry
            .record_read(id, what, auditor, Timestamp::now())
            .map_err(change_failure)?;
    }
    Ok(())
}

pub(super) fn show(dir: &Path, config: Option<&Path>, args: ShowArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    record_read(&registry, id, "document", args.auditor.as_ref())?;
    let view = document(&registry, id)?;
    let current = current(&view)?;
    let tombstones = &view.tombstones;
    let record = &view.record;
    if args.json {
        let document = Document::new(&view, Audience::Full).map_err(Failure::failed)?;
        println!("{}", pretty(&document)?);
    } else {
        println!("id:                  {id}");
        println!("class:               {}", record.class);
        println!("participant:         {}", record.participant);
        if let Some(object) = &record.object_number {
            println!("object number:       {object}");
        }
        if let Some(date) = view.end_of_service {
            println!("end of service:      {date}");
        }
        println!("created:             {}", rfc3339(record.created_at));
        println!("versions:            {}", view.versions.len());
        println!("retain until:        {}", document_retain_until_text(&view));
        println!("holds:               {}", holds_text(&view, Audience::Full));
        if !view.events.is_empty() {
            println!("events:");
            for (number, event) in &view.events {
                println!("  {}", event_line(*number, event));
            }
        }
        if !tombstones.is_empty() {
            println!("disposed of:");
            for (version, tombstone) in tombstones {
                println!("  {}", tombstone_line(*version, tombstone));
            }
        }
        println!("current version:");
        print_version(current, view.annulled_by(current.version));
    }
    Ok(())
}

pub(super) fn versions(dir: &Path, config: Option<&Path>, args: ShowArgs) -> Result<(), Failure> {
    let id = parse_id(&args.id)?;
    let registry = open_registry(dir, config::load(config)?, false)?;
    record_read(&registry, id, "versions", args.auditor.as_ref())?;
    let view = document(&registry, id)?;
    if args.json {
        println!("{}", pretty(&Versions::new(&view))?);
    } else {
        for version in &view.versions {
            print_version(version, view.annulled_by(version.version));
        }
    }
    Ok(())
}

pub(super) fn find(dir: &Path, config: Option<&Path>, args: FindArgs) -> Result<(), Failure> {
    let (index, name, value) = if let Some(object) = args.object {
        (Index::Object, "object", object.to_string())
    } else if let Some(participant) = args.participant {
        Participant::new(&participant)
            .map_err(|e| Failure::usage(format!("--participant {participant:?}: {e}")))?;
        (Index::Participant, "participant", participant)
    } else if let Some(number) = args.number {
        (Index::Number, "number", number)
    } else if let Some(content) = args.content {
        let address: ContentAddress = content
            .parse()
            .map_err(|e| Failure::usage(format!("--content {content:?}: {e}")))?;
        (Index::Content, "content", address.to_string())
    } else {
        return Err(Failure::usage(
            "one of --object, --participant, --number or --content is required",
        ));
    };
    let registry = open_registry(dir, config::load(config)?, false)?;
    let ids = registry
        .find(index, &value)
        .map_err(|e| Failure::failed(format!("cannot search the {name} index: {e}")))?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let view = document(&registry, id)?;
        let disposed = is_disposed(&registry, id)?;
        found.push((view, disposed));
    }
    if args.json {
        let mut documents = Vec::with_capacity(found.len());
        for (view, disposed) in &found {
            let latest = current(view)?;
            documents.push(json!({
                "id": view.id.to_string(),
                "class": view.record.class,
                "version": latest.version,
                "registrationNumber": latest.registration_number,
                "registrationDate": latest.registration_date,
                "disposed": disposed,
            }));
        }
        let json = json!({ "index": name, "value": value, "documents": documents });
        println!("{}", pretty(&json)?);
    } else {
        for (view, disposed) in &found {
            let latest = current(view)?;
            println!(
                "{}  {}  {}  version {}{}",
                view.id,
                latest.registration_number,
                latest.registration_date,
                latest.version,
                if *disposed { "  (disposed of)" } else { "" }
            );
        }
    }
    Ok(())
}

fn event_line(number: u32, event: &Event) -> String {
    let what = match event {
        Event::HoldPlaced {
            reason,
            by,
            authority,
            ..
        } => match authority {
            Some(bin) => format!("by {by} for BIN {bin}: {}", one_line(reason)),
            None => format!("by {by}: {}", one_line(reason)),
        },
        Event::HoldReleased {
            hold, reason, by, ..
        } => format!("hold {hold}, by {by}: {}", one_line(reason)),
        Event::RetentionExtended {
            until, reason, by, ..
        } => format!("until {until}, by {by}: {}", one_line(reason)),
        Event::Annulled {
            version,
            by_version,
            ..
        } => format!("version {version} by version {by_version}"),
        Event::AuditorRead { by, what, .. } => format!("{what}, by {by}"),
        Event::Reverified {
            version,
            indication,
            sub_indication,
            mode,
            validation_time,
            by,
            ..
        } => format!(
            "version {version}: {indication}{} ({mode} at {}), by {by}",
            sub_indication
                .as_deref()
                .map(|s| format!(" / {s}"))
                .unwrap_or_default(),
            rfc3339(*validation_time)
        ),
    };
    format!("{number} {} {} {what}", event.kind(), rfc3339(event.at()))
}

fn document_retain_until_text(view: &DocumentView) -> String {
    match view.retain_until() {
        Some(date) => date.to_string(),
        None => "the facility's end-of-service event (not recorded yet), plus the class's tail"
            .to_owned(),
    }
}

fn print_version(version: &VersionRecord, annulled_by: Option<u32>) {
    println!("version {}", version.version);
    println!("  registration number: {}", version.registration_number);
    println!(
        "  registration date:   {} (submitted {})",
        version.registration_date,
        rfc3339(version.registered_at)
    );
    println!("  address:             {}", ContentAddress(version.content));
    println!(
        "  format:              {}, {} bytes",
        version.format, version.length
    );
    println!("  retain until:        {}", retain_until_text(version));
    println!("  dated by:            {}", version.dated_by);
    println!("  retained by:         {}", version.retained_by);
    if let Some(by) = &version.submitted_by {
        println!("  submitted by:        {by}");
    }
    if version.sender_unknown {
        println!("  sender:              not known in advance (class configured so)");
    }
    println!("  audit entry:         {}", version.audit_index);
    match serde_json::from_slice::<Value>(&version.report) {
        Ok(reports) => {
            for (i, line) in report_lines(&reports).iter().enumerate() {
                println!("  signature {}:         {line}", i + 1);
            }
        }
        Err(e) => println!("  report:              unreadable ({e})"),
    }
    if let Some(annulment) = &version.annulment {
        println!(
            "  annuls version {}:    {}",
            annulment.version,
            one_line(&annulment.reason)
        );
    }
    if let Some(by) = annulled_by {
        println!("  annulled by version {by}");
    }
}

/// One line per stored report: the verdict and who signed.
fn report_lines(reports: &Value) -> Vec<String> {
    let Some(reports) = reports.as_array() else {
        return vec!["(not a list of reports)".to_owned()];
    };
    reports
        .iter()
        .map(|report| {
            let mut line = report["indication"].as_str().unwrap_or("?").to_owned();
            if let Some(sub) = report["subIndication"].as_str() {
                line = format!("{line} / {sub}");
            }
            for signer in report["signers"].as_array().into_iter().flatten() {
                let identity = &signer["identity"];
                let mut who: Vec<String> = Vec::new();
                if let Some(name) = identity["commonName"].as_str() {
                    who.push(name.to_owned());
                }
                if let Some(iin) = identity["iin"].as_str() {
                    who.push(format!("IIN {iin}"));
                }
                if let Some(bin) = identity["bin"].as_str() {
                    who.push(format!("BIN {bin}"));
                }
                if !who.is_empty() {
                    line = format!("{line}; {}", who.join(", "));
                }
            }
            line
        })
        .collect()
}
