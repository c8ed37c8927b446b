//! The logs of `qoima serve`, on standard error.
//!
//! Only the server logs: the other commands print for people, and their output is the
//! interface. The server's events are for an operator's collector as much as for a person at a
//! terminal, hence JSON lines unless standard error is a terminal.
//!
//! - `QOIMA_LOG`: which events, as `tracing-subscriber`'s `EnvFilter` directives (e.g. `debug`
//!   or `info,qoima_server::http=debug`); `info` when unset or empty.
//! - `QOIMA_LOG_FORMAT`: `json` or `text`, in place of the choice by terminal.
//!
//! Either variable, when it does not parse, is a usage error (exit 64) naming it: a server that
//! silently logged less than asked would be found out only when the log was needed.

use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::cli::Failure;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFormat {
    /// One line of text per event, for people.
    Text,
    /// One JSON object per line, the event's fields at its top level, for collectors.
    Json,
}

/// What [`init`] installs: the format and the filter, from the environment.
#[derive(Debug)]
pub struct LogSettings {
    /// How lines are written.
    pub format: LogFormat,
    /// Colours in text lines (only on a terminal: escapes in a file are noise).
    pub ansi: bool,
    /// Which events are written.
    pub filter: EnvFilter,
}

impl LogSettings {
    /// The settings from `QOIMA_LOG` and `QOIMA_LOG_FORMAT` as `lookup` finds them (e.g.
    /// [`crate::config::process_env`]); `stderr_is_terminal` chooses the format when
    /// `QOIMA_LOG_FORMAT` does not.
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String>,
        stderr_is_terminal: bool,
    ) -> Result<Self, Failure> {
        let format = match lookup("QOIMA_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") => {
                if stderr_is_terminal {
                    LogFormat::Text
                } else {
                    LogFormat::Json
                }
            }
            Some(name) if name.eq_ignore_ascii_case("json") => LogFormat::Json,
            Some(name) if name.eq_ignore_ascii_case("text") => LogFormat::Text,
            Some(other) => {
                return Err(Failure::usage(format!(
                    "QOIMA_LOG_FORMAT={other:?}: not json or text"
                )));
            }
        };
        let spec = lookup("QOIMA_LOG").unwrap_or_default();
        let filter = EnvFilter::builder()
            .with_default_directive(LevelFilter::INFO.into())
            .parse(spec.trim())
            .map_err(|e| Failure::usage(format!("QOIMA_LOG={spec:?}: {e}")))?;
        Ok(Self {
            format,
            ansi: stderr_is_terminal && format == LogFormat::Text,
            filter,
        })
    }

    /// The settings from the process's environment and standard error.
    pub fn from_process() -> Result<Self, Failure> {
        Self::from_env(crate::config::process_env, std::io::stderr().is_terminal())
    }
}

/// Sends this process's events to standard error as `settings` say. Only the first call has an
/// effect: a later one (or one after another subscriber was installed) is harmless.
pub fn init(settings: LogSettings) {
    // Err only when a global subscriber is already set, which is what a second call meets.
    let _ = tracing::subscriber::set_global_default(subscriber(settings, std::io::stderr));
}

/// The subscriber of `settings` writing to `writer` (standard error, or a buffer in tests).
fn subscriber<W>(settings: LogSettings, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(settings.filter)
        .with_writer(writer);
    match settings.format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.with_ansi(settings.ansi).finish()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let vars: BTreeMap<&str, &str> = vars.iter().copied().collect();
        move |name| vars.get(name).map(|v| (*v).to_owned())
    }

    #[test]
    fn the_format_follows_the_terminal_unless_told() {
        let format = |vars: &[(&str, &str)], terminal| {
            LogSettings::from_env(env(vars), terminal).unwrap().format
        };
        assert_eq!(format(&[], true), LogFormat::Text);
        assert_eq!(format(&[], false), LogFormat::Json);
        assert_eq!(format(&[("QOIMA_LOG_FORMAT", "")], false), LogFormat::Json);
        assert_eq!(
            format(&[("QOIMA_LOG_FORMAT", "json")], true),
            LogFormat::Json
        );
        assert_eq!(
            format(&[("QOIMA_LOG_FORMAT", "TEXT")], false),
            LogFormat::Text
        );
        let settings = LogSettings::from_env(env(&[("QOIMA_LOG_FORMAT", "text")]), false).unwrap();
        assert!(!settings.ansi, "no colours off a terminal");
        assert!(LogSettings::from_env(env(&[]), true).unwrap().ansi);
    }

    #[test]
    fn bad_variables_are_usage_errors_naming_them() {
        let failure =
            LogSettings::from_env(env(&[("QOIMA_LOG_FORMAT", "yaml")]), false).unwrap_err();
        assert_eq!(failure.code(), 64);
        assert!(
            failure.to_string().contains("QOIMA_LOG_FORMAT"),
            "{failure}"
        );
        let failure = LogSettings::from_env(env(&[("QOIMA_LOG", "info,=[")]), false).unwrap_err();
        assert_eq!(failure.code(), 64);
        assert!(failure.to_string().starts_with("QOIMA_LOG="), "{failure}");
    }

    /// A `MakeWriter` into a shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    /// The lines `vars`' settings write for an info and a debug event.
    fn lines(vars: &[(&str, &str)]) -> Vec<String> {
        let buffer = Buffer::default();
        let settings = LogSettings::from_env(env(vars), false).unwrap();
        tracing::subscriber::with_default(subscriber(settings, buffer.clone()), || {
            tracing::info!(address = "127.0.0.1:8080", "listening");
            tracing::debug!("details");
        });
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn json_lines_have_the_fields_at_the_top() {
        let lines = lines(&[]);
        assert_eq!(lines.len(), 1, "info by default: {lines:?}");
        let event: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(event["level"], "INFO");
        assert_eq!(event["message"], "listening");
        assert_eq!(event["address"], "127.0.0.1:8080");
        assert!(event["timestamp"].is_string(), "{event}");
    }

    #[test]
    fn the_filter_comes_from_qoima_log() {
        assert_eq!(lines(&[("QOIMA_LOG", "debug")]).len(), 2);
        assert_eq!(lines(&[("QOIMA_LOG", "warn")]).len(), 0);
        let text = lines(&[("QOIMA_LOG_FORMAT", "text")]);
        assert_eq!(text.len(), 1);
        assert!(text[0].contains("INFO"), "{text:?}");
        assert!(text[0].contains("listening"), "{text:?}");
        assert!(!text[0].contains('\u{1b}'), "no colour escapes: {text:?}");
    }

    #[test]
    fn a_second_init_is_harmless() {
        init(LogSettings::from_env(env(&[("QOIMA_LOG", "off")]), false).unwrap());
        init(LogSettings::from_env(env(&[("QOIMA_LOG", "off")]), false).unwrap());
        tracing::info!("not written anywhere");
    }
}
