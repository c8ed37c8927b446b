//! What a run re-verifies, and how: the command line's options and the API's body, checked
//! into what the vault takes.

use jiff::Timestamp;
use qoima_vault::records::DocumentId;
use qoima_vault::registry::{ReverifyMode, Selection};
use serde::{Deserialize, Serialize};

/// What a run re-verifies, and how: the command line's options and the API's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Options {
    /// The validation time, RFC 3339 (default: when the run starts).
    pub(crate) at: Option<String>,
    /// `registered` (default) or `now`.
    pub(crate) mode: Option<String>,
    /// Only documents of these classes.
    pub(crate) classes: Vec<String>,
    /// Only documents of these participants.
    pub(crate) participants: Vec<String>,
    /// Only documents of these construction objects.
    pub(crate) objects: Vec<String>,
    /// Only versions registered on or after this date (`YYYY-MM-DD`).
    pub(crate) registered_from: Option<String>,
    /// Only versions registered on or before this date.
    pub(crate) registered_to: Option<String>,
    /// Only each document's latest version.
    pub(crate) current_only: bool,
    /// Only these documents.
    pub(crate) ids: Option<Vec<String>>,
    /// Read every content back whole and check it against its address.
    pub(crate) check_content: bool,
    /// Write each changed verdict as an event of its document and an audit-log entry.
    pub(crate) record: bool,
}

/// Options checked: what the vault takes.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) selection: Selection,
    pub(crate) mode: ReverifyMode,
    /// Unix seconds.
    pub(crate) validation_time: i64,
}

impl Options {
    /// The options as the vault takes them, the validation time fixed (`now` when none is
    /// given); an error names the option that is wrong.
    pub(crate) fn resolve(&self, now: Timestamp) -> Result<Resolved, String> {
        fn all<T: std::str::FromStr>(what: &str, texts: &[String]) -> Result<Vec<T>, String>
        where
            T::Err: std::fmt::Display,
        {
            texts
                .iter()
                .map(|t| t.parse().map_err(|e| format!("{what} {t:?}: {e}")))
                .collect()
        }
        let date = |what: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| {
                    t.parse::<jiff::civil::Date>()
                        .map_err(|e| format!("{what} {t:?} is not a date (YYYY-MM-DD): {e}"))
                })
                .transpose()
        };
        let validation_time = match &self.at {
            Some(text) => text
                .parse::<Timestamp>()
                .map_err(|e| format!("at {text:?} is not an RFC 3339 time: {e}"))?,
            None => now,
        };
        let mode = match &self.mode {
            Some(text) => text.parse()?,
            None => ReverifyMode::Registered,
        };
        let ids = match &self.ids {
            Some(ids) => Some(all::<DocumentId>("document id", ids)?.into_iter().collect()),
            None => None,
        };
        Ok(Resolved {
            selection: Selection {
                classes: all("class", &self.classes)?,
                participants: all("participant", &self.participants)?,
                object_numbers: all("object number", &self.objects)?,
                registered_from: date("registered-from", &self.registered_from)?,
                registered_to: date("registered-to", &self.registered_to)?,
                current_only: self.current_only,
                ids,
            },
            mode,
            validation_time: validation_time.as_second(),
        })
    }
}
