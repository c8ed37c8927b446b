//! `--config FILE`: the settings of the record commands (`qoima doc`, `qoima audit`).
//!
//! ```toml
//! # Top-level keys come before the first table.
//! calendar = "calendar.toml"          # optional: years added to the built-in calendar
//!
//! [trust]                             # DER or PEM files; PEM may hold several objects
//! anchors = ["certs/root-rsa.cer"]
//! intermediates = ["certs/ca-rsa.cer"]
//! crls = ["crl/ca-rsa.crl", "crl/root-rsa.crl"]
//!
//! [policy]                            # optional: qoima_verifier::policy::Policy
//! min-rsa-bits = 2048
//!
//! [numbering]
//! default = "{participant}-{yyyy}-{seq:06}"
//!
//! [numbering.participants]
//! "ТОО Пример" = "П-{yyyy}/{seq:05}"
//!
//! [retention]                         # optional: only longer than the rules' defaults
//! construction-record = { kind = "until-end-of-service", tail-years = 5 }
//! expertise-application = { kind = "years-from-registration", years = 5 }
//! ```
//!
//! Relative paths are read from the configuration file's directory. Unknown keys are refused.
//! Every error names the file and the problem, and is a usage error (exit 64).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use qoima_vault::records::{Calendar, Numbering, Participant, Retention, RetentionClass, Template};
use qoima_verifier::Verifier;
use qoima_verifier::path::CertificateStore;
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::CrlStore;
use qoima_verifier::{decode_certificate_file, decode_crl_file};
use serde::Deserialize;

use super::Failure;

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    trust: TrustTable,
    policy: Option<Policy>,
    #[serde(default)]
    numbering: NumberingTable,
    calendar: Option<PathBuf>,
    #[serde(default)]
    retention: BTreeMap<RetentionClass, Retention>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustTable {
    #[serde(default)]
    anchors: Vec<PathBuf>,
    #[serde(default)]
    intermediates: Vec<PathBuf>,
    #[serde(default)]
    crls: Vec<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberingTable {
    default: Option<String>,
    #[serde(default)]
    participants: BTreeMap<String, String>,
}

/// What the record commands run with.
#[derive(Debug)]
pub struct Config {
    /// The signature verifier: trust anchors, intermediates, CRLs and policy.
    pub verifier: Verifier,
    /// The policy the verifier applies (for checking expectations before storing anything).
    pub policy: Policy,
    /// The working-day calendar.
    pub calendar: Calendar,
    /// The registration number templates.
    pub numbering: Numbering,
    /// Retention per class where it is longer than the rules'.
    pub retention: Vec<(RetentionClass, Retention)>,
    /// The DER of every configured CRL, as the verifier has them: `doc register` and
    /// `doc new-version` keep them as content so that each version references the CRLs its
    /// verdict used (evidence).
    pub crls: Vec<Vec<u8>>,
}

/// Reads `path`, or gives the defaults without one: an empty trust store (every registration
/// is then refused, NO_CERTIFICATE_CHAIN_FOUND), the default policy, the built-in calendar and
/// [`Numbering::DEFAULT_TEMPLATE`] for every participant.
pub fn load(path: Option<&Path>) -> Result<Config, Failure> {
    let Some(path) = path else {
        return build(None, ConfigFile::default());
    };
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("{}: not UTF-8 text", path.display())))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        Failure::usage(format!("{}{at}: {}", path.display(), one_line(e.message())))
    })?;
    build(Some(path), file)
}

fn build(path: Option<&Path>, file: ConfigFile) -> Result<Config, Failure> {
    let name = path.map_or_else(|| "(defaults)".to_owned(), |p| p.display().to_string());
    let problem = |what: String| Failure::usage(format!("{name}: {what}"));
    // Relative paths are the configuration file's neighbours.
    let base = match path.and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let read = |what: &str, listed: &Path| {
        let full = base.join(listed);
        std::fs::read(&full)
            .map_err(|e| problem(format!("{what}: cannot read {}: {e}", full.display())))
    };

    let mut store = CertificateStore::new();
    for (list, paths) in [
        ("anchors", &file.trust.anchors),
        ("intermediates", &file.trust.intermediates),
    ] {
        for listed in paths {
            let bytes = read(&format!("trust.{list}"), listed)?;
            let bad = |e: &dyn std::fmt::Display| {
                problem(format!(
                    "trust.{list}: {}: {e}",
                    base.join(listed).display()
                ))
            };
            for der in decode_certificate_file(&bytes).map_err(|e| bad(&e))? {
                let added = if list == "anchors" {
                    store.add_trust_anchor(&der)
                } else {
                    store.add_intermediate(&der)
                };
                added.map_err(|e| bad(&e))?;
            }
        }
    }
    let mut crls = CrlStore::new();
    let mut crl_ders = Vec::new();
    for listed in &file.trust.crls {
        let bytes = read("trust.crls", listed)?;
        let bad = |e: &dyn std::fmt::Display| {
            problem(format!("trust.crls: {}: {e}", base.join(listed).display()))
        };
        for der in decode_crl_file(&bytes).map_err(|e| bad(&e))? {
            crls.add(&der).map_err(|e| bad(&e))?;
            crl_ders.push(der.into_owned());
        }
    }

    let policy = match file.policy {
        None => Policy::default(),
        // Through `from_toml` again for the checks it adds to deserialising (digest names).
        Some(policy) => {
            let text = toml::to_string(&policy)
                .map_err(|e| problem(format!("[policy]: {}", one_line(&e.to_string()))))?;
            Policy::from_toml(&text)
                .map_err(|e| problem(format!("[policy]: {}", one_line(&e.to_string()))))?
        }
    };

    let calendar =
        Calendar::builtin().map_err(|e| Failure::failed(format!("the built-in calendar: {e}")))?;
    let calendar = match &file.calendar {
        None => calendar,
        Some(listed) => {
            let full = base.join(listed);
            let text = String::from_utf8(read("calendar", listed)?)
                .map_err(|_| problem(format!("calendar {}: not UTF-8 text", full.display())))?;
            let extra = Calendar::from_toml(&text).map_err(|e| {
                problem(format!(
                    "calendar {}: {}",
                    full.display(),
                    one_line(&e.to_string())
                ))
            })?;
            calendar.extended_by(extra)
        }
    };

    let default = file
        .numbering
        .default
        .as_deref()
        .unwrap_or(Numbering::DEFAULT_TEMPLATE);
    let default = Template::parse(default)
        .map_err(|e| problem(format!("numbering.default {default:?}: {e}")))?;
    let mut numbering = Numbering::new(default);
    for (participant, template) in &file.numbering.participants {
        Participant::new(participant).map_err(|e| {
            problem(format!(
                "numbering.participants: {participant:?} is not a participant name: {e}"
            ))
        })?;
        let parsed = Template::parse(template).map_err(|e| {
            problem(format!(
                "numbering.participants.{participant:?} {template:?}: {e}"
            ))
        })?;
        numbering.templates.insert(participant.clone(), parsed);
    }

    for (class, retention) in &file.retention {
        qoima_vault::records::check_retention(*class, *retention)
            .map_err(|e| problem(format!("[retention]: {e}")))?;
    }
    Ok(Config {
        verifier: Verifier::new(store, crls, policy.clone()),
        policy,
        calendar,
        numbering,
        retention: file.retention.into_iter().collect(),
        crls: crl_ders,
    })
}

/// A multi-line parser message as one line: the snippet lines (`1 | ...`, `  ^`) dropped, the
/// rest joined.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with('|')
                && !line.chars().all(|c| c == '^' || c == ' ')
                && !line
                    .split_once(" |")
                    .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
        })
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn parser_snippets_are_left_out() {
        let message =
            "TOML parse error at line 1, column 1\n  |\n1 | x = \n  | ^\nunknown field `x`\n";
        assert_eq!(
            one_line(message),
            "TOML parse error at line 1, column 1: unknown field `x`"
        );
    }
}
