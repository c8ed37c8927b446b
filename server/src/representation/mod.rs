//! The API's representations (RFC 9110 §3.2): the JSON forms of registered documents,
//! versions, disposals and keys, as serde types. The HTTP API sends them and the command line
//! prints them (`--json`), so the two front ends say the same thing in the same words;
//! `openapi.json` describes them, and a test holds the description to these types.
//!
//! Field names are camelCase; instants are RFC 3339; dates `YYYY-MM-DD`; addresses are the
//! SHA-256 of the content in lowercase hex.

mod audience;
mod disposal;
mod document;
mod key;
mod registration;
mod report;

pub(crate) use audience::Audience;
pub(crate) use disposal::{Disposal, RetentionRefusal, holds_text};
pub(crate) use document::{Document, Versions};
pub(crate) use key::Key;
pub(crate) use registration::{Facts, Registered};
pub(crate) use report::write_report;

use jiff::Timestamp;

/// Unix seconds as RFC 3339 (the number itself when it is out of range).
pub(crate) fn rfc3339(seconds: i64) -> String {
    Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}
