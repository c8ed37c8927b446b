//! A disposal, and the refusal of one while the document is retained or held.

use jiff::Timestamp;
use qoima_vault::records::{Event, RegistrationDateError, astana};
use qoima_vault::registry::{Disposal as DisposalRecord, DocumentView, Retained};
use serde::Serialize;

use super::Audience;
use super::document::{Hold, Tombstone, active_holds};

/// A document disposed of: `deleted: true`, its retention, each version's tombstone.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Disposal<'a> {
    id: String,
    deleted: bool,
    retain_until: Option<String>,
    tombstones: Vec<Tombstone<'a>>,
}

impl<'a> Disposal<'a> {
    pub(crate) fn new(view: &DocumentView, disposal: &'a DisposalRecord) -> Self {
        Self {
            id: view.id.to_string(),
            deleted: true,
            retain_until: view.retain_until().map(|d| d.to_string()),
            tombstones: Tombstone::all(&disposal.tombstones),
        }
    }
}

/// Why a retained or held document is not deleted: `deleted: false`, whether its retention
/// period still runs, until when, the holds in force, and the reason in words.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RetentionRefusal<'a> {
    id: String,
    deleted: bool,
    retained: bool,
    retain_until: Option<String>,
    holds: Vec<Hold<'a>>,
    /// The sentence the command line prints and the problem's detail.
    pub(crate) reason: String,
}

impl<'a> RetentionRefusal<'a> {
    /// The refusal of disposing of `view` at `at`, for the reason `why`, as `audience` sees it
    /// (a hold's reason and placer only for an audience that sees them).
    pub(crate) fn new(
        view: &'a DocumentView,
        why: &Retained,
        at: Timestamp,
        audience: Audience,
    ) -> Result<Self, RegistrationDateError> {
        let id = view.id;
        let until = view.retain_until();
        let until_text = until.map_or_else(
            || "the facility's end-of-service event".to_owned(),
            |d| d.to_string(),
        );
        let today = at.to_zoned(astana()?).date();
        // Only the holds keep a document whose retention has passed.
        let running = until.is_none_or(|date| date >= today);
        let class = &view.record.class;
        let holds = holds_text(view, audience);
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
        Ok(Self {
            id: id.to_string(),
            deleted: false,
            retained: running,
            retain_until: until.map(|d| d.to_string()),
            holds: Hold::active(view, audience),
            reason,
        })
    }
}

/// `none`, or each active hold: `3 ("reason", by NAME)`, or only `3` for an audience that
/// does not see why.
pub(crate) fn holds_text(view: &DocumentView, audience: Audience) -> String {
    let holds: Vec<String> = active_holds(view)
        .into_iter()
        .map(|(number, event)| match event {
            Event::HoldPlaced { reason, by, .. } if audience.sees_audit() => {
                format!("{number} ({reason:?}, by {by})")
            }
            _ => number.to_string(),
        })
        .collect();
    if holds.is_empty() {
        "none".to_owned()
    } else {
        holds.join(", ")
    }
}
