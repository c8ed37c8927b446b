//! The text forms of the `doc` commands (what people read); their JSON forms are the API's
//! representations (`crate::representation`).

use qoima_vault::ContentAddress;
use qoima_vault::records::{Tombstone, VersionRecord};
use qoima_verifier::Report;
use serde::Serialize;
use serde_json::Value;

use crate::cli::Failure;
use crate::representation::rfc3339;

/// A version disposed of, on one line.
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

/// A reason on one line of text output (line breaks shown as `\n`).
pub(super) fn one_line(text: &str) -> String {
    text.replace('\n', "\\n")
}

/// A verification report as JSON.
pub(super) fn report_value(report: &Report) -> Result<Value, Failure> {
    serde_json::to_value(report)
        .map_err(|e| Failure::failed(format!("cannot write the report: {e}")))
}

/// A version's retain-until, in words when it waits for an event.
pub(super) fn retain_until_text(version: &VersionRecord) -> String {
    version.retain_until.clone().unwrap_or_else(|| {
        "the facility's end-of-service event (not recorded yet), plus the class's tail".to_owned()
    })
}

/// `value` as indented JSON.
pub(in crate::cli) fn pretty(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Failure::failed(format!("cannot write JSON: {e}")))
}
