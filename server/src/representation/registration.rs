//! A registration: the new document's facts and its version's.

use qoima_vault::registry::Registered as RegisteredRecord;
use serde::Serialize;

use super::document::Version;

/// The fixed facts of a document, for printing a registration.
pub(crate) struct Facts<'a> {
    pub(crate) class: &'a str,
    pub(crate) participant: &'a str,
    pub(crate) object: Option<&'a str>,
}

/// A registration (`POST /v1/documents`, `qoima doc register --json`, and a new version): the
/// document's facts, the version's, and the engine's reports.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Registered<'a> {
    /// Always true: a refusal is a problem, not a registration.
    registered: bool,
    id: String,
    class: &'a str,
    participant: &'a str,
    object_number: Option<&'a str>,
    /// Whether the registration date came from calendar data or the fallback.
    date_coverage: &'static str,
    #[serde(flatten)]
    version: Version<'a>,
}

impl<'a> Registered<'a> {
    pub(crate) fn new(
        registered: &'a RegisteredRecord,
        facts: &Facts<'a>,
    ) -> Result<Self, serde_json::Error> {
        let mut version = Version::new(&registered.version, None);
        // The reports as the engine gave them (the stored copy says the same).
        version.reports = serde_json::to_value(&registered.reports)?;
        version.report_error = None;
        Ok(Self {
            registered: true,
            id: registered.id.to_string(),
            class: facts.class,
            participant: facts.participant,
            object_number: facts.object,
            date_coverage: registered.coverage.name(),
            version,
        })
    }
}
