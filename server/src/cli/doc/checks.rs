//! Usage checks of the `doc` commands' arguments, and how a refused change fails.

use jiff::Timestamp;
use qoima_vault::records::{ChangeError, DocumentId, RegisterError};

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

/// A refused change: bad text or a bad expectation is bad usage, the rest a failure.
pub(in crate::cli) fn change_failure(e: ChangeError) -> Failure {
    match e {
        e @ (ChangeError::Text(_)
        | ChangeError::Register(
            RegisterError::NoSignature
            | RegisterError::ObjectNumber(_)
            | RegisterError::Expectation(_),
        )) => Failure::usage(e),
        e => Failure::failed(e),
    }
}

/// A reason (`--reason`): 1 to 1000 characters, no control characters but line breaks (the
/// vault's rule, checked before anything is opened).
pub(in crate::cli) fn check_reason(flag: &str, text: &str) -> Result<(), Failure> {
    check_text(flag, text, false)
}

/// A name (`--by`, `--auditor`): 1 to 1000 characters on one line (it is a line of the audit
/// entry).
pub(in crate::cli) fn check_name(flag: &str, text: &str) -> Result<(), Failure> {
    check_text(flag, text, true)
}

/// The vault's rule for reasons and names (`records::check_text`), as a usage error.
fn check_text(flag: &str, text: &str, one_line: bool) -> Result<(), Failure> {
    let what = if one_line { "the name" } else { "the reason" };
    qoima_vault::records::check_text(what, text).map_err(|_| {
        Failure::usage(if one_line {
            format!("{flag} must be 1 to 1000 characters on one line, without control characters")
        } else {
            format!(
                "{flag} must be 1 to 1000 characters, without control characters other than \
                 line breaks"
            )
        })
    })
}

/// An 18-digit construction object number, or bad usage.
pub(in crate::cli) fn check_object(what: &str, object: &str) -> Result<(), Failure> {
    if object.len() == 18 && object.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "{what} {object:?}: a construction object number is 18 digits"
        )))
    }
}

/// Parses a document id: a malformed one is bad usage.
pub(in crate::cli) fn parse_id(text: &str) -> Result<DocumentId, Failure> {
    text.parse()
        .map_err(|e| Failure::usage(format!("{text:?} is not a document id: {e}")))
}
