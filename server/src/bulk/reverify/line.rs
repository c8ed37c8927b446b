//! One version re-verified: its result line.

use qoima_vault::records::DocumentId;
use qoima_vault::registry::{ReverifyError, Selected};

use qoima_verifier::Verifier;
use serde::Serialize;

use super::options::Resolved;
use crate::bulk::output::{Row, Signer};
use crate::bulk::summary::verdict_text;
use crate::engine::Registry;

/// One result line.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Line {
    pub(crate) id: String,
    pub(crate) version: u32,
    pub(crate) registration_number: String,
    pub(crate) registration_date: String,
    pub(crate) class: String,
    pub(crate) participant: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) object_number: Option<String>,
    /// `None` when no verdict could be given (`message` says why).
    pub(crate) indication: Option<&'static str>,
    pub(crate) sub_indication: Option<&'static str>,
    pub(crate) signers: Vec<Signer>,
    /// The verdict known before: the registration's, or the last one recorded.
    pub(crate) before: String,
    /// Whether the verdict differs from `before`.
    pub(crate) changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
    /// The number of the event that recorded the change (`record`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) recorded: Option<u32>,
}

impl Row for Line {
    const CSV_HEADER: &'static [&'static str] = &[
        "id",
        "version",
        "registrationNumber",
        "registrationDate",
        "class",
        "participant",
        "indication",
        "subIndication",
        "signers",
        "before",
        "changed",
        "message",
    ];

    fn csv_fields(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.version.to_string(),
            self.registration_number.clone(),
            self.registration_date.clone(),
            self.class.clone(),
            self.participant.clone(),
            self.indication.unwrap_or_default().to_owned(),
            self.sub_indication.unwrap_or_default().to_owned(),
            Signer::csv(&self.signers),
            self.before.clone(),
            self.changed.to_string(),
            self.message.clone().unwrap_or_default(),
        ]
    }
}

/// A line for a document (or, without an id, a key of the store) that could not be read.
pub(super) fn unreadable(id: Option<DocumentId>, error: &impl std::fmt::Display) -> Line {
    Line {
        id: id.map(|id| id.to_string()).unwrap_or_default(),
        version: 0,
        registration_number: String::new(),
        registration_date: String::new(),
        class: String::new(),
        participant: String::new(),
        object_number: None,
        indication: None,
        sub_indication: None,
        signers: Vec::new(),
        before: String::new(),
        changed: false,
        message: Some(format!("cannot read the document: {error}")),
        recorded: None,
    }
}

/// Re-verifies one selected version: its line, and its key for the checkpoint.
pub(super) fn judge(
    registry: &Registry,
    verifier: &Verifier,
    resolved: &Resolved,
    check_content: bool,
    selected: &Selected,
) -> Line {
    let version = &selected.version;
    let (known_indication, known_sub) = &selected.known_verdict;
    let before = verdict_text(known_indication, known_sub.as_deref());
    let mut line = Line {
        id: selected.id.to_string(),
        version: version.version,
        registration_number: version.registration_number.clone(),
        registration_date: version.registration_date.clone(),
        class: selected.class.to_string(),
        participant: selected.participant.clone(),
        object_number: selected.object_number.clone(),
        indication: None,
        sub_indication: None,
        signers: Vec::new(),
        before,
        changed: false,
        message: None,
        recorded: None,
    };
    match registry.reverify_version(
        verifier,
        version,
        resolved.validation_time,
        resolved.mode,
        check_content,
    ) {
        Ok(reports) => {
            // The version's verdict is its worst signature's (every one must pass).
            let worst = reports
                .iter()
                .map(|r| r.verdict)
                .max_by_key(|v| severity(v.indication.as_str()));
            if let Some(verdict) = worst {
                line.indication = Some(verdict.indication.as_str());
                line.sub_indication = verdict.sub_indication.map(|s| s.as_str());
            }
            line.signers = reports.iter().flat_map(Signer::all_of).collect();
        }
        Err(ReverifyError::Damaged(e)) => {
            // What is stored is no longer what was signed.
            line.indication = Some("TOTAL_FAILED");
            line.sub_indication = Some("HASH_FAILURE");
            line.message = Some(format!("the stored content is damaged: {e}"));
        }
        Err(e) => line.message = Some(e.to_string()),
    }
    line.changed = line
        .indication
        .is_some_and(|i| verdict_text(i, line.sub_indication) != line.before);
    line
}

/// Orders indications from the best to the worst.
fn severity(indication: &str) -> u8 {
    match indication {
        "TOTAL_PASSED" => 0,
        "TOTAL_FAILED" => 2,
        _ => 1,
    }
}
