//! A document, its versions, events, holds and tombstones.

use qoima_vault::ContentAddress;
use qoima_vault::records::{
    DocumentId, Event as EventRecord, Tombstone as TombstoneRecord, VersionRecord,
};
use qoima_vault::registry::DocumentView;
use serde::Serialize;
use serde_json::Value;

use super::{Audience, rfc3339};

/// A document as `GET /v1/documents/{id}` and `qoima doc show --json` give it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<'a> {
    id: String,
    class: &'a str,
    participant: &'a str,
    object_number: Option<&'a str>,
    created_at: String,
    end_of_service: Option<String>,
    retain_until: Option<String>,
    /// How many versions there are.
    versions: usize,
    /// The latest version.
    current: Version<'a>,
    holds: Vec<Hold<'a>>,
    events: Vec<Event<'a>>,
    disposed: bool,
    tombstones: Vec<Tombstone<'a>>,
}

/// A stored document without a version: the store is damaged.
#[derive(Debug, thiserror::Error)]
#[error("document {0} has no version: damaged")]
pub(crate) struct NoVersion(pub(crate) DocumentId);

impl<'a> Document<'a> {
    /// `view` as `audience` may see it (see [`Audience`]).
    pub(crate) fn new(view: &'a DocumentView, audience: Audience) -> Result<Self, NoVersion> {
        let current = view.versions.last().ok_or(NoVersion(view.id))?;
        let record = &view.record;
        Ok(Self {
            id: view.id.to_string(),
            class: &record.class,
            participant: &record.participant,
            object_number: record.object_number.as_deref(),
            created_at: rfc3339(record.created_at),
            end_of_service: view.end_of_service.map(|d| d.to_string()),
            retain_until: view.retain_until().map(|d| d.to_string()),
            versions: view.versions.len(),
            current: Version::new(current, view.annulled_by(current.version)),
            holds: Hold::active(view, audience),
            events: view
                .events
                .iter()
                .filter_map(|(number, event)| Event::new(*number, event, audience))
                .collect(),
            disposed: !view.tombstones.is_empty(),
            tombstones: Tombstone::all(&view.tombstones),
        })
    }
}

/// A version, with its stored reports parsed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Version<'a> {
    version: u32,
    address: String,
    length: u64,
    format: &'a str,
    registration_number: &'a str,
    registration_date: &'a str,
    registered_at: String,
    retain_until: Option<&'a str>,
    /// The order and clause that dated it (`670 §18`, `253 §36`, ...).
    dated_by: &'a str,
    /// The order and clause that set its retention (`670 §23`, `253 §44`, `465 §13`).
    retained_by: &'a str,
    /// Who submitted it (`api key <id>`, an operator); null for versions stored before
    /// submitters were recorded.
    submitted_by: Option<&'a str>,
    /// Whether its sender was not known in advance (a class configured so, no sender named).
    sender_unknown: bool,
    audit_index: u64,
    /// How many signatures it was registered with.
    signatures: usize,
    expected: Expected<'a>,
    /// The content addresses of the CRLs its verdict used (its evidence).
    crls: Vec<String>,
    /// The content addresses of the OCSP responses its verdict used that its signatures do
    /// not carry (its evidence).
    ocsp_responses: Vec<String>,
    annulment: Option<Annulment<'a>>,
    annulled_by: Option<u32>,
    filename: Option<&'a str>,
    media_type: Option<&'a str>,
    /// The verification reports as stored (JSON), or null when they do not parse.
    pub(super) reports: Value,
    /// Why `reports` is null, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) report_error: Option<String>,
}

/// Who had to sign.
#[derive(Debug, Serialize)]
struct Expected<'a> {
    iin: Option<&'a str>,
    bin: Option<&'a str>,
    roles: &'a [String],
}

/// The act by which this version annulled the one before.
#[derive(Debug, Serialize)]
struct Annulment<'a> {
    version: u32,
    reason: &'a str,
    /// The statement the act signed, as text.
    statement: String,
}

impl<'a> Version<'a> {
    /// `version`, annulled by version `annulled_by` when it was.
    pub(crate) fn new(version: &'a VersionRecord, annulled_by: Option<u32>) -> Self {
        let (reports, report_error) = match serde_json::from_slice::<Value>(&version.report) {
            Ok(reports) => (reports, None),
            Err(e) => (
                Value::Null,
                Some(format!("the stored report is not JSON: {e}")),
            ),
        };
        Self {
            version: version.version,
            address: ContentAddress(version.content).to_string(),
            length: version.length,
            format: &version.format,
            registration_number: &version.registration_number,
            registration_date: &version.registration_date,
            registered_at: rfc3339(version.registered_at),
            retain_until: version.retain_until.as_deref(),
            dated_by: &version.dated_by,
            retained_by: &version.retained_by,
            submitted_by: version.submitted_by.as_deref(),
            sender_unknown: version.sender_unknown,
            audit_index: version.audit_index,
            signatures: version.signatures.len(),
            expected: Expected {
                iin: version.expected.iin.as_deref(),
                bin: version.expected.bin.as_deref(),
                roles: &version.expected.roles,
            },
            crls: version
                .crls
                .iter()
                .map(|a| ContentAddress(*a).to_string())
                .collect(),
            ocsp_responses: version
                .ocsp_responses
                .iter()
                .map(|a| ContentAddress(*a).to_string())
                .collect(),
            annulment: version.annulment.as_ref().map(|a| Annulment {
                version: a.version,
                reason: &a.reason,
                statement: String::from_utf8_lossy(&a.statement).into_owned(),
            }),
            annulled_by,
            filename: version.filename.as_deref(),
            media_type: version.media_type.as_deref(),
            reports,
            report_error,
        }
    }
}

/// Every version of a document, oldest first (`GET /v1/documents/{id}/versions`, `qoima doc
/// versions --json`).
#[derive(Debug, Serialize)]
pub(crate) struct Versions<'a> {
    id: String,
    versions: Vec<Version<'a>>,
}

impl<'a> Versions<'a> {
    pub(crate) fn new(view: &'a DocumentView) -> Self {
        Self {
            id: view.id.to_string(),
            versions: view
                .versions
                .iter()
                .map(|v| Version::new(v, view.annulled_by(v.version)))
                .collect(),
        }
    }
}

/// An event of a document: a hold placed or released, a retention extended, a version
/// annulled, an auditor's read.
#[derive(Debug, Serialize)]
struct Event<'a> {
    /// Its number among the document's events.
    event: u32,
    kind: &'static str,
    at: String,
    #[serde(flatten)]
    detail: EventDetail<'a>,
}

/// What each kind of event adds.
#[derive(Debug, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
enum EventDetail<'a> {
    Hold {
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        authority: Option<&'a str>,
    },
    HoldReleased {
        hold: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<&'a str>,
    },
    RetentionExtended {
        until: &'a str,
        reason: &'a str,
        by: &'a str,
    },
    Annulled {
        version: u32,
        by_version: u32,
    },
    AuditorRead {
        by: &'a str,
        what: &'a str,
    },
    Reverified {
        version: u32,
        indication: &'a str,
        sub_indication: Option<&'a str>,
        mode: &'a str,
        validation_time: String,
    },
}

impl<'a> Event<'a> {
    /// Event `number`, as `audience` sees it: `None` when it may not see it at all (an
    /// auditor's read), and a hold's reason and placer only when it sees them.
    fn new(number: u32, event: &'a EventRecord, audience: Audience) -> Option<Self> {
        let shown = |text: &'a String| audience.sees_audit().then_some(text.as_str());
        let detail = match event {
            EventRecord::HoldPlaced {
                reason,
                by,
                authority,
                ..
            } => EventDetail::Hold {
                reason: shown(reason),
                by: shown(by),
                authority: authority.as_ref().and_then(shown),
            },
            EventRecord::HoldReleased {
                hold, reason, by, ..
            } => EventDetail::HoldReleased {
                hold: *hold,
                reason: shown(reason),
                by: shown(by),
            },
            EventRecord::RetentionExtended {
                until, reason, by, ..
            } => EventDetail::RetentionExtended { until, reason, by },
            EventRecord::Annulled {
                version,
                by_version,
                ..
            } => EventDetail::Annulled {
                version: *version,
                by_version: *by_version,
            },
            EventRecord::AuditorRead { .. } if !audience.sees_audit() => return None,
            EventRecord::AuditorRead { by, what, .. } => EventDetail::AuditorRead { by, what },
            EventRecord::Reverified {
                version,
                indication,
                sub_indication,
                mode,
                validation_time,
                ..
            } => EventDetail::Reverified {
                version: *version,
                indication,
                sub_indication: sub_indication.as_deref(),
                mode,
                validation_time: rfc3339(*validation_time),
            },
        };
        Some(Self {
            event: number,
            kind: event.kind(),
            at: rfc3339(event.at()),
            detail,
        })
    }
}

/// A legal hold in force: its number (what `hold release --hold` takes), when, and for an
/// audience that sees them, why and who.
#[derive(Debug, Serialize)]
pub(crate) struct Hold<'a> {
    hold: u32,
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'a str>,
    /// The BIN of the authority that placed it (only a key of it releases it).
    #[serde(skip_serializing_if = "Option::is_none")]
    authority: Option<&'a str>,
}

impl<'a> Hold<'a> {
    /// The holds of `view` placed and not released, as `audience` sees them.
    pub(crate) fn active(view: &'a DocumentView, audience: Audience) -> Vec<Self> {
        let full = audience.sees_audit();
        active_holds(view)
            .into_iter()
            .filter_map(|(number, event)| match event {
                EventRecord::HoldPlaced {
                    reason,
                    by,
                    authority,
                    at,
                } => Some(Self {
                    hold: number,
                    at: rfc3339(*at),
                    reason: full.then_some(reason.as_str()),
                    by: full.then_some(by.as_str()),
                    authority: authority.as_deref().filter(|_| full),
                }),
                _ => None,
            })
            .collect()
    }
}

/// The holds placed and not released, with their events.
pub(crate) fn active_holds(view: &DocumentView) -> Vec<(u32, &EventRecord)> {
    view.active_holds()
        .filter_map(|(number, _)| {
            view.events
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(n, event)| (*n, event))
        })
        .collect()
}

/// What is left of a version disposed of.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tombstone<'a> {
    version: u32,
    address: String,
    content_removed: bool,
    retained_until: &'a str,
    reason: &'a str,
    by: &'a str,
    disposed_at: String,
}

impl<'a> Tombstone<'a> {
    pub(crate) fn all(tombstones: &'a [(u32, TombstoneRecord)]) -> Vec<Self> {
        tombstones
            .iter()
            .map(|(version, t)| Self {
                version: *version,
                address: ContentAddress(t.content).to_string(),
                content_removed: t.content_removed,
                retained_until: &t.retained_until,
                reason: &t.reason,
                by: &t.by,
                disposed_at: rfc3339(t.at),
            })
            .collect()
    }
}
