//! The HTML summary of a run: the facts of the run over the shared page.

use jiff::Timestamp;

use super::state::RunState;
use crate::bulk::html;

/// The HTML summary of a run.
pub(crate) fn html(state: &RunState) -> String {
    let options = &state.options;
    let validation_time = Timestamp::from_second(state.validation_time)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let mut facts = vec![
        ("run", state.id.clone()),
        ("status", format!("{:?}", state.status).to_lowercase()),
        (
            "mode",
            options.mode.clone().unwrap_or_else(|| "registered".into()),
        ),
        ("validation time", validation_time),
        ("started", state.started_at.clone()),
        ("by", state.by.clone()),
    ];
    if let Some(finished) = &state.finished_at {
        facts.push(("finished", finished.clone()));
    }
    let lists = [
        ("classes", &options.classes),
        ("participants", &options.participants),
        ("objects", &options.objects),
    ];
    for (label, list) in lists {
        if !list.is_empty() {
            facts.push((label, list.join(", ")));
        }
    }
    for (label, date) in [
        ("registered from", &options.registered_from),
        ("registered to", &options.registered_to),
    ] {
        if let Some(date) = date {
            facts.push((label, date.clone()));
        }
    }
    if let Some(ids) = &options.ids {
        facts.push(("documents listed", ids.len().to_string()));
    }
    for (label, set) in [
        ("current versions only", options.current_only),
        ("content checked", options.check_content),
        ("changes recorded", options.record),
    ] {
        if set {
            facts.push((label, "yes".into()));
        }
    }
    html::page("Qoima re-verification", &facts, &state.summary)
}
