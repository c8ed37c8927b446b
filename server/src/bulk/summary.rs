//! The counts of a bulk run: by verdict, by class, by issuing CA, the verdicts that changed,
//! the throughput, and the exit status they give.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// How many changed verdicts a summary lists by name (all are counted).
const CHANGES_LISTED: usize = 1_000;

/// What one result adds to a summary.
pub(crate) struct Tally<'a> {
    /// The verdict, or `None` when the item could not be verified at all.
    pub(crate) verdict: Option<(&'a str, Option<&'a str>)>,
    /// The document's class, when it has one.
    pub(crate) class: Option<&'a str>,
    /// The CAs that issued its signing certificates.
    pub(crate) issuers: Vec<&'a str>,
    /// What changed since the verdict known before, if it did.
    pub(crate) change: Option<Change>,
}

/// A verdict that is not the one known before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Change {
    /// What the result names (a document id and version, a manifest id).
    pub(crate) id: String,
    /// The verdict before, `INDICATION[ / SUB]`.
    pub(crate) from: String,
    /// The verdict now.
    pub(crate) to: String,
}

/// The counts of a run; saved with a run's state so that a resumed run counts everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    /// Results, whatever they are.
    pub(crate) total: u64,
    /// Items that could not be verified (unreadable, damaged beyond a verdict).
    pub(crate) errors: u64,
    /// By `INDICATION` or `INDICATION / SUB-INDICATION`.
    pub(crate) by_verdict: BTreeMap<String, u64>,
    /// By class, then by indication.
    pub(crate) by_class: BTreeMap<String, BTreeMap<String, u64>>,
    /// By issuing CA, then by indication.
    pub(crate) by_issuer: BTreeMap<String, BTreeMap<String, u64>>,
    /// How many verdicts changed.
    pub(crate) changed: u64,
    /// The first changed verdicts.
    pub(crate) changes: Vec<Change>,
    /// Seconds spent verifying, over every part of a resumed run.
    pub(crate) seconds: f64,
}

impl Summary {
    /// Counts one result.
    pub(crate) fn add(&mut self, tally: Tally<'_>) {
        self.total += 1;
        let Some((indication, sub)) = tally.verdict else {
            self.errors += 1;
            return;
        };
        *self
            .by_verdict
            .entry(verdict_text(indication, sub))
            .or_default() += 1;
        if let Some(class) = tally.class {
            count(&mut self.by_class, class, indication);
        }
        for issuer in tally.issuers {
            count(&mut self.by_issuer, issuer, indication);
        }
        if let Some(change) = tally.change {
            self.changed += 1;
            if self.changes.len() < CHANGES_LISTED {
                self.changes.push(change);
            }
        }
    }

    /// Results of `indication`.
    pub(crate) fn count_of(&self, indication: &str) -> u64 {
        self.by_verdict
            .iter()
            .filter(|(verdict, _)| verdict.split(" / ").next() == Some(indication))
            .map(|(_, n)| n)
            .sum()
    }

    /// Results per second.
    pub(crate) fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.total as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// 1 when any failed; 2 when any is indeterminate or could not be verified and none
    /// failed; else 0 (a failure outranks an uncertainty, as a single verification's exit
    /// status does).
    pub(crate) fn exit_code(&self) -> u8 {
        if self.count_of("TOTAL_FAILED") > 0 {
            1
        } else if self.total > self.count_of("TOTAL_PASSED") {
            2
        } else {
            0
        }
    }

    /// The summary as text, for standard error: `verb` and `noun` name what was done to what
    /// (`verified`, `signature(s)`).
    pub(crate) fn text(&self, verb: &str, noun: &str) -> String {
        let mut text = format!(
            "{verb} {} {noun} in {:.1} s ({:.0}/s)\n",
            self.total,
            self.seconds,
            self.rate()
        );
        for (verdict, count) in &self.by_verdict {
            let _ = writeln!(text, "  {verdict}: {count}");
        }
        if self.errors > 0 {
            let _ = writeln!(text, "  not verified (unreadable entry): {}", self.errors);
        }
        for (title, table) in [("class", &self.by_class), ("issuer", &self.by_issuer)] {
            if table.is_empty() {
                continue;
            }
            let _ = writeln!(text, "by {title}:");
            for (name, counts) in table {
                let counts: Vec<String> = counts.iter().map(|(i, n)| format!("{i} {n}")).collect();
                let _ = writeln!(text, "  {name}: {}", counts.join(", "));
            }
        }
        if self.changed > 0 {
            let _ = writeln!(
                text,
                "changed since the verdict known before: {}",
                self.changed
            );
            for change in self.changes.iter().take(20) {
                let _ = writeln!(text, "  {}: {} -> {}", change.id, change.from, change.to);
            }
            if self.changed > 20 {
                let _ = writeln!(text, "  … (every change is in the results)");
            }
        }
        text
    }
}

/// `INDICATION` or `INDICATION / SUB-INDICATION`.
pub(crate) fn verdict_text(indication: &str, sub: Option<&str>) -> String {
    match sub {
        Some(sub) => format!("{indication} / {sub}"),
        None => indication.to_owned(),
    }
}

fn count(table: &mut BTreeMap<String, BTreeMap<String, u64>>, key: &str, indication: &str) {
    *table
        .entry(key.to_owned())
        .or_default()
        .entry(indication.to_owned())
        .or_default() += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(verdict: Option<(&'static str, Option<&'static str>)>) -> Tally<'static> {
        Tally {
            verdict,
            class: Some("project-documentation"),
            issuers: vec!["CN=CA"],
            change: None,
        }
    }

    #[test]
    fn a_failure_outranks_an_uncertainty_in_the_exit_status() {
        let mut summary = Summary::default();
        summary.add(tally(Some(("TOTAL_PASSED", None))));
        assert_eq!(summary.exit_code(), 0);
        summary.add(tally(None));
        assert_eq!(summary.exit_code(), 2);
        summary.add(tally(Some(("INDETERMINATE", Some("TRY_LATER")))));
        assert_eq!(summary.exit_code(), 2);
        summary.add(tally(Some(("TOTAL_FAILED", Some("HASH_FAILURE")))));
        assert_eq!(summary.exit_code(), 1);
        assert_eq!(summary.total, 4);
        assert_eq!(summary.errors, 1);
        assert_eq!(summary.by_class["project-documentation"]["TOTAL_PASSED"], 1);
        assert_eq!(summary.by_issuer["CN=CA"].values().sum::<u64>(), 3);
        assert!(
            summary
                .text("verified", "signature(s)")
                .contains("TOTAL_FAILED / HASH_FAILURE: 1")
        );
    }
}
