//! The JSON and text forms of documents, versions, holds, events and tombstones, shared by
//! the `doc` commands and the HTTP API.

use jiff::Timestamp;
use qoima_vault::ContentAddress;
use qoima_vault::records::{
    Disposal, DocumentView, Event, Registered, Retained, Tombstone, VersionRecord, astana,
};
use qoima_verifier::Report;
use serde_json::{Value, json};

use super::lookup::current;
use crate::cli::Failure;

/// The fixed facts of a document, for printing a registration.
pub(crate) struct Facts<'a> {
    pub(crate) class: &'a str,
    pub(crate) participant: &'a str,
    pub(crate) object: Option<&'a str>,
}

/// A registration as JSON: `registered: true`, the document's facts, the version's
/// (`version_json`) and the engine's `reports`. The CLI and the API give the same.
pub(crate) fn registered_json(registered: &Registered, facts: &Facts<'_>) -> Result<Value, String> {
    let mut json = json!({
        "registered": true,
        "id": registered.id.to_string(),
        "class": facts.class,
        "participant": facts.participant,
        "objectNumber": facts.object,
        "dateCoverage": registered.coverage.name(),
    });
    merge(&mut json, version_json(&registered.version, None));
    // The reports as the engine gave them (the stored copy says the same).
    json["reports"] = serde_json::to_value(&registered.reports)
        .map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(json)
}

/// A document as `qoima doc show --json` and `GET /v1/documents/{id}` give it.
pub(crate) fn document_json(view: &DocumentView) -> Result<Value, Failure> {
    let current = current(view)?;
    let record = &view.record;
    let tombstones = &view.tombstones;
    Ok(json!({
        "id": view.id.to_string(),
        "class": record.class,
        "participant": record.participant,
        "objectNumber": record.object_number,
        "createdAt": rfc3339(record.created_at),
        "endOfService": view.end_of_service.map(|d| d.to_string()),
        "retainUntil": view.retain_until().map(|d| d.to_string()),
        "versions": view.versions.len(),
        "current": version_json(current, view.annulled_by(current.version)),
        "holds": active_holds(view)
            .iter()
            .map(|(number, event)| hold_json(*number, event))
            .collect::<Vec<_>>(),
        "events": view
            .events
            .iter()
            .map(|(number, event)| event_json(*number, event))
            .collect::<Vec<_>>(),
        "disposed": !tombstones.is_empty(),
        "tombstones": tombstones
            .iter()
            .map(|(version, tombstone)| tombstone_json(*version, tombstone))
            .collect::<Vec<_>>(),
    }))
}

/// Why a retained or held document is not deleted, and the same as JSON (`id`,
/// `deleted: false`, `retained` — whether the retention period still runs — `retainUntil`,
/// `holds`, `reason`). The CLI and the API give the same.
pub(crate) fn retention_refusal(
    view: &DocumentView,
    why: &Retained,
    at: Timestamp,
) -> Result<(String, Value), String> {
    let id = view.id;
    let until = view.retain_until();
    let until_text = until.map_or_else(
        || "the facility's end-of-service event".to_owned(),
        |d| d.to_string(),
    );
    let today = at.to_zoned(astana().map_err(|e| e.to_string())?).date();
    // Only the holds keep a document whose retention has passed.
    let running = until.is_none_or(|date| date >= today);
    let class = &view.record.class;
    let holds = holds_text(view);
    let reason = if running || !matches!(why, Retained::Held(_)) {
        format!(
            "document {id} is retained until {until_text} (class {class}); holds: {holds}; a \
             retained document is never deleted"
        )
    } else {
        format!(
            "document {id} is held (retention ended on {until_text}, class {class}); holds: \
             {holds}; a held document is never deleted"
        )
    };
    let value = json!({
        "id": id.to_string(),
        "deleted": false,
        "retained": running,
        "retainUntil": until.map(|d| d.to_string()),
        "holds": active_holds(view)
            .iter()
            .map(|(number, event)| hold_json(*number, event))
            .collect::<Vec<_>>(),
        "reason": reason,
    });
    Ok((reason, value))
}

/// A disposal as JSON: `id`, `deleted: true`, `retainUntil`, `tombstones`.
pub(crate) fn disposal_json(view: &DocumentView, disposal: &Disposal) -> Value {
    json!({
        "id": view.id.to_string(),
        "deleted": true,
        "retainUntil": view.retain_until().map(|d| d.to_string()),
        "tombstones": disposal
            .tombstones
            .iter()
            .map(|(version, tombstone)| tombstone_json(*version, tombstone))
            .collect::<Vec<_>>(),
    })
}

fn tombstone_json(version: u32, tombstone: &Tombstone) -> Value {
    json!({
        "version": version,
        "address": ContentAddress(tombstone.content).to_string(),
        "contentRemoved": tombstone.content_removed,
        "retainedUntil": tombstone.retained_until,
        "reason": tombstone.reason,
        "by": tombstone.by,
        "disposedAt": rfc3339(tombstone.at),
    })
}

pub(super) fn tombstone_line(version: u32, tombstone: &Tombstone) -> String {
    format!(
        "version {version}: content {} {} (retained until {}); disposed of at {} by {}: {}",
        ContentAddress(tombstone.content),
        if tombstone.content_removed {
            "removed"
        } else {
            "kept: another document uses it"
        },
        tombstone.retained_until,
        rfc3339(tombstone.at),
        tombstone.by,
        one_line(&tombstone.reason)
    )
}

/// The holds placed and not released, with their events.
pub(crate) fn active_holds(view: &DocumentView) -> Vec<(u32, &Event)> {
    view.active_holds()
        .filter_map(|(number, _)| {
            view.events
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(n, event)| (*n, event))
        })
        .collect()
}

/// `none`, or each active hold: `3 ("reason", by NAME)`.
pub(crate) fn holds_text(view: &DocumentView) -> String {
    let holds: Vec<String> = active_holds(view)
        .into_iter()
        .map(|(number, event)| match event {
            Event::HoldPlaced { reason, by, .. } => format!("{number} ({reason:?}, by {by})"),
            _ => number.to_string(),
        })
        .collect();
    if holds.is_empty() {
        "none".to_owned()
    } else {
        holds.join(", ")
    }
}

/// An active hold as JSON: its number (for `hold release --hold`), reason, who and when.
pub(crate) fn hold_json(number: u32, event: &Event) -> Value {
    let mut json = event_json(number, event);
    if let Some(fields) = json.as_object_mut() {
        fields.remove("event");
        fields.remove("kind");
        fields.insert("hold".to_owned(), number.into());
    }
    json
}

fn event_json(number: u32, event: &Event) -> Value {
    let mut json = json!({
        "event": number,
        "kind": event.kind(),
        "at": rfc3339(event.at()),
    });
    let extra = match event {
        Event::HoldPlaced { reason, by, .. } => json!({ "reason": reason, "by": by }),
        Event::HoldReleased {
            hold, reason, by, ..
        } => json!({ "hold": hold, "reason": reason, "by": by }),
        Event::RetentionExtended {
            until, reason, by, ..
        } => json!({ "until": until, "reason": reason, "by": by }),
        Event::Annulled {
            version,
            by_version,
            ..
        } => json!({ "version": version, "byVersion": by_version }),
        Event::AuditorRead { by, what, .. } => json!({ "by": by, "what": what }),
    };
    merge(&mut json, extra);
    json
}

/// A reason on one line of text output (line breaks shown as `\n`).
pub(super) fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
}

/// A verification report as JSON.
pub(super) fn report_value(report: &Report) -> Result<Value, Failure> {
    serde_json::to_value(report)
        .map_err(|e| Failure::failed(format!("cannot write the report: {e}")))
}

/// A version as JSON, with its stored report parsed.
pub(crate) fn version_json(version: &VersionRecord, annulled_by: Option<u32>) -> Value {
    let (reports, report_error) = match serde_json::from_slice::<Value>(&version.report) {
        Ok(reports) => (reports, None),
        Err(e) => (
            Value::Null,
            Some(format!("the stored report is not JSON: {e}")),
        ),
    };
    let mut json = json!({
        "version": version.version,
        "address": ContentAddress(version.content).to_string(),
        "length": version.length,
        "format": version.format,
        "registrationNumber": version.registration_number,
        "registrationDate": version.registration_date,
        "registeredAt": rfc3339(version.registered_at),
        "retainUntil": version.retain_until,
        "auditIndex": version.audit_index,
        "signatures": version.signatures.len(),
        "expected": {
            "iin": version.expected.iin,
            "bin": version.expected.bin,
            "roles": version.expected.roles,
        },
        "crls": version
            .crls
            .iter()
            .map(|a| ContentAddress(*a).to_string())
            .collect::<Vec<_>>(),
        "annulment": version.annulment.as_ref().map(|a| json!({
            "version": a.version,
            "reason": a.reason,
            "statement": String::from_utf8_lossy(&a.statement),
        })),
        "annulledBy": annulled_by,
        "filename": version.filename,
        "mediaType": version.media_type,
        "reports": reports,
    });
    if let Some(error) = report_error {
        json["reportError"] = Value::String(error);
    }
    json
}

pub(super) fn retain_until_text(version: &VersionRecord) -> String {
    version.retain_until.clone().unwrap_or_else(|| {
        "the facility's end-of-service event (not recorded yet), plus the class's tail".to_owned()
    })
}

/// Unix seconds as RFC 3339.
pub(crate) fn rfc3339(seconds: i64) -> String {
    Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}

pub(in crate::cli) fn pretty(json: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(json)
        .map_err(|e| Failure::failed(format!("cannot write JSON: {e}")))
}

/// Adds the fields of `extra` (an object) to `json` (an object).
fn merge(json: &mut Value, extra: Value) {
    if let (Some(json), Value::Object(extra)) = (json.as_object_mut(), extra) {
        json.extend(extra);
    }
}
