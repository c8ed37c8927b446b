//! Usage checks of the `doc` commands' arguments, and how a refused change fails.

use jiff::Timestamp;
use qoima_vault::records::DocumentId;
use qoima_vault::registry::ChangeError;

use crate::cli::Failure;

/// `--at`, or now.
pub(super) fn parse_at(text: Option<&str>) -> Result<Timestamp, Failure> {
    match text {
        Some(text) => text
            .parse::<Timestamp>()
            .map_err(|e| Failure::usage(format!("--at {text:?} is not an RFC 3339 time: {e}"))),
        None => Ok(Timestamp::now()),
    }
}

/// A refused change, by its kind.
pub(in crate::cli) fn change_failure(e: ChangeError) -> Failure {
    Failure::of(e.kind(), e)
}

/// Parses a document id: a malformed one is bad usage.
pub(in crate::cli) fn parse_id(text: &str) -> Result<DocumentId, Failure> {
    text.parse()
        .map_err(|e| Failure::usage(format!("{text:?} is not a document id: {e}")))
}
