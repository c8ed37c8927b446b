//! The `[server]` table and its `QOIMA_SERVER_<KEY>` overrides: how `qoima serve` runs.
//!
//! `max-concurrent-verifications` (`QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS`, 1 to 512, by
//! default the number of CPUs the process may use) bounds the signature verifications that run
//! at once (`POST /v1/verify`, `POST /v1/documents/{id}/verify`, registrations, new versions,
//! signed envelopes): never on every async worker, and a request that finds every slot
//! taken for 2 seconds is answered 503 with `Retry-After`. `max-connections`,
//! `body-deadline-seconds` and `json-buffer-bytes` bound what slow clients can hold
//! (`docs/api.md`, "Operations").

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

/// The `[server]` table as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ServerTable {
    listen: Option<SocketAddr>,
    max_upload_bytes: Option<u64>,
    upload_expiry_hours: Option<u64>,
    max_concurrent_uploads: Option<u64>,
    max_concurrent_verifications: Option<u64>,
    max_json_body_bytes: Option<u64>,
    max_header_bytes: Option<u64>,
    header_read_timeout_seconds: Option<u64>,
    body_idle_timeout_seconds: Option<u64>,
    body_deadline_seconds: Option<u64>,
    max_connections: Option<u64>,
    json_buffer_bytes: Option<u64>,
    shutdown_grace_seconds: Option<u64>,
    content_grace_hours: Option<u64>,
    gc_interval_hours: Option<u64>,
    max_uploads_per_key: Option<u64>,
    max_upload_bytes_per_key_per_day: Option<u64>,
}

impl ServerTable {
    /// The keys that are set, with their values.
    pub(super) fn entries(&self) -> Vec<(ServerKey, ServerValue)> {
        use ServerKey::*;
        let numbers = [
            (MaxUploadBytes, self.max_upload_bytes),
            (UploadExpiryHours, self.upload_expiry_hours),
            (MaxConcurrentUploads, self.max_concurrent_uploads),
            (
                MaxConcurrentVerifications,
                self.max_concurrent_verifications,
            ),
            (MaxJsonBodyBytes, self.max_json_body_bytes),
            (MaxHeaderBytes, self.max_header_bytes),
            (HeaderReadTimeoutSeconds, self.header_read_timeout_seconds),
            (BodyIdleTimeoutSeconds, self.body_idle_timeout_seconds),
            (BodyDeadlineSeconds, self.body_deadline_seconds),
            (MaxConnections, self.max_connections),
            (JsonBufferBytes, self.json_buffer_bytes),
            (ShutdownGraceSeconds, self.shutdown_grace_seconds),
            (ContentGraceHours, self.content_grace_hours),
            (GcIntervalHours, self.gc_interval_hours),
            (MaxUploadsPerKey, self.max_uploads_per_key),
            (
                MaxUploadBytesPerKeyPerDay,
                self.max_upload_bytes_per_key_per_day,
            ),
        ];
        self.listen
            .map(|addr| (Listen, ServerValue::Address(addr)))
            .into_iter()
            .chain(
                numbers
                    .into_iter()
                    .filter_map(|(key, n)| n.map(|n| (key, ServerValue::Number(n)))),
            )
            .collect()
    }
}

/// How `qoima serve` runs: limits, timeouts and the address, from `[server]` and the
/// environment (the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// The address to listen on, if the file or the environment gives one (`--listen` wins
    /// over it, and `127.0.0.1:8080` is the default of them all).
    pub listen: Option<SocketAddr>,
    /// The largest content one upload may bring.
    pub max_upload_bytes: u64,
    /// How long an unfinished upload is kept.
    pub upload_expiry: jiff::SignedDuration,
    /// Uploads in progress at once; more are refused until one ends.
    pub max_concurrent_uploads: usize,
    /// Signature verifications running at once, never on every async worker; a request that
    /// waits too long for one of them is refused (503).
    pub max_concurrent_verifications: usize,
    /// The largest JSON request body (read whole into memory).
    pub max_json_body: usize,
    /// The largest request head (hyper's read buffer; hyper needs at least 8 KiB).
    pub max_header_bytes: usize,
    /// The time a client has to send a request's head.
    pub header_read_timeout: Duration,
    /// A request body that sends nothing for this long is cut.
    pub body_idle_timeout: Duration,
    /// A request body not received whole this long after its request's head is cut (408),
    /// however steadily it trickles in.
    pub body_deadline: Duration,
    /// Connections open at once; at the cap the server stops accepting (the kernel's backlog
    /// holds the next ones) until one closes.
    pub max_connections: usize,
    /// The bytes of JSON bodies held in memory at once (each counted at its declared length,
    /// or `max_json_body` when it declares none; bodies of at most
    /// [`SMALL_JSON_BODY`] bytes are not counted). A body that cannot be counted in within a
    /// short wait is refused (503). At least `max_json_body`.
    pub json_buffer_bytes: usize,
    /// How long in-flight requests may take to finish after shutdown is asked for.
    pub shutdown_grace: Duration,
    /// Content that no record references is collected once it was put this long ago (`qoima
    /// gc` and the server's periodic collection).
    pub content_grace: jiff::SignedDuration,
    /// How often the server collects unreferenced content.
    pub gc_interval: Duration,
    /// Uploads one API key may have at once (created, not yet registered, terminated or
    /// expired); more are refused with 429.
    pub max_uploads_per_key: usize,
    /// Bytes one API key may declare in the uploads it creates in one day (UTC); more are
    /// refused with 429 until the next day.
    pub max_upload_bytes_per_key_per_day: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: None,
            max_upload_bytes: 8 << 30,
            upload_expiry: jiff::SignedDuration::from_hours(24),
            max_concurrent_uploads: 16,
            max_concurrent_verifications: default_concurrent_verifications(),
            max_json_body: 64 << 20,
            max_header_bytes: 64 << 10,
            header_read_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(60),
            body_deadline: Duration::from_secs(600),
            max_connections: 1024,
            json_buffer_bytes: 256 << 20,
            shutdown_grace: Duration::from_secs(30),
            content_grace: jiff::SignedDuration::from_hours(7 * 24),
            gc_interval: Duration::from_secs(24 * 3600),
            max_uploads_per_key: 64,
            max_upload_bytes_per_key_per_day: 1 << 40,
        }
    }
}

/// JSON bodies of at most this many bytes are not counted against `json-buffer-bytes`: the
/// cap on connections bounds them, and small requests (holds, keys) are never refused for
/// want of buffer.
pub const SMALL_JSON_BODY: usize = 64 << 10;

/// The default of `max-concurrent-verifications`: the CPUs the process may use (1 when that
/// cannot be told). Verification is CPU-bound: more at once only makes each slower.
pub(crate) fn default_concurrent_verifications() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl ServerSettings {
    /// These settings with the `QOIMA_SERVER_<KEY>` variables that `lookup` finds (e.g.
    /// [`process_env`]) in place of their keys. Taking the lookup as a function keeps the
    /// tests off the process environment, which is shared by every test thread.
    pub fn with_env(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        for key in ServerKey::ALL {
            let variable = key.variable();
            let Some(raw) = lookup(&variable).filter(|raw| !raw.is_empty()) else {
                continue;
            };
            let bad = |what: String| ConfigError::Invalid(format!("{variable}={raw:?}: {what}"));
            let value = match key {
                ServerKey::Listen => {
                    raw.trim().parse().map(ServerValue::Address).map_err(|_| {
                        bad("not a socket address (like 127.0.0.1:8080 or [::1]:8080)".into())
                    })?
                }
                _ => raw
                    .trim()
                    .parse()
                    .map(ServerValue::Number)
                    .map_err(|_| bad(format!("not a whole number of {}", key.unit())))?,
            };
            self.set(key, value).map_err(bad)?;
        }
        self.check().map_err(|what| {
            ConfigError::Invalid(format!(
                "{} and {}: {what}",
                ServerKey::JsonBufferBytes.variable(),
                ServerKey::MaxJsonBodyBytes.variable()
            ))
        })?;
        Ok(self)
    }

    /// What no single key's range can tell: the JSON buffer must hold the largest JSON body.
    pub(super) fn check(&self) -> Result<(), String> {
        if self.json_buffer_bytes < self.max_json_body {
            return Err(format!(
                "json-buffer-bytes ({}) must be at least max-json-body-bytes ({}), or no \
                 body of the largest size could ever be read",
                self.json_buffer_bytes, self.max_json_body
            ));
        }
        Ok(())
    }

    /// Sets `key` to `value` once it is checked against the key's range.
    pub(super) fn set(&mut self, key: ServerKey, value: ServerValue) -> Result<(), String> {
        let n = match value {
            ServerValue::Address(addr) => {
                self.listen = Some(addr);
                return Ok(());
            }
            ServerValue::Number(n) => n,
        };
        let (min, max) = key.range();
        if !(min..=max).contains(&n) {
            return Err(format!(
                "must be from {min} to {max} {}, not {n}{}",
                key.unit(),
                key.why_minimum()
            ));
        }
        // In range, so these do not overflow (the ranges fit a 32-bit usize too).
        let size = || usize::try_from(n).map_err(|_| format!("{n} is too large here"));
        let seconds = Duration::from_secs(n);
        match key {
            ServerKey::Listen => {}
            ServerKey::MaxUploadBytes => self.max_upload_bytes = n,
            ServerKey::UploadExpiryHours => {
                self.upload_expiry = jiff::SignedDuration::from_secs(
                    i64::try_from(n.saturating_mul(3600)).map_err(|_| "too long".to_owned())?,
                );
            }
            ServerKey::MaxConcurrentUploads => self.max_concurrent_uploads = size()?,
            ServerKey::MaxConcurrentVerifications => self.max_concurrent_verifications = size()?,
            ServerKey::MaxJsonBodyBytes => self.max_json_body = size()?,
            ServerKey::MaxHeaderBytes => self.max_header_bytes = size()?,
            ServerKey::HeaderReadTimeoutSeconds => self.header_read_timeout = seconds,
            ServerKey::BodyIdleTimeoutSeconds => self.body_idle_timeout = seconds,
            ServerKey::BodyDeadlineSeconds => self.body_deadline = seconds,
            ServerKey::MaxConnections => self.max_connections = size()?,
            ServerKey::JsonBufferBytes => self.json_buffer_bytes = size()?,
            ServerKey::ShutdownGraceSeconds => self.shutdown_grace = seconds,
            ServerKey::ContentGraceHours => {
                self.content_grace = jiff::SignedDuration::from_hours(
                    i64::try_from(n).map_err(|_| "too long".to_owned())?,
                );
            }
            ServerKey::GcIntervalHours => {
                self.gc_interval = Duration::from_secs(n.saturating_mul(3600));
            }
            ServerKey::MaxUploadsPerKey => self.max_uploads_per_key = size()?,
            ServerKey::MaxUploadBytesPerKeyPerDay => self.max_upload_bytes_per_key_per_day = n,
        }
        Ok(())
    }
}

/// The process environment as a [`ServerSettings::with_env`] lookup. A value that is not
/// Unicode is passed on (lossily) so that it is refused rather than silently ignored.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

/// A key of `[server]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ServerKey {
    Listen,
    MaxUploadBytes,
    UploadExpiryHours,
    MaxConcurrentUploads,
    MaxConcurrentVerifications,
    MaxJsonBodyBytes,
    MaxHeaderBytes,
    HeaderReadTimeoutSeconds,
    BodyIdleTimeoutSeconds,
    BodyDeadlineSeconds,
    MaxConnections,
    JsonBufferBytes,
    ShutdownGraceSeconds,
    ContentGraceHours,
    GcIntervalHours,
    MaxUploadsPerKey,
    MaxUploadBytesPerKeyPerDay,
}

/// A value of a `[server]` key.
#[derive(Debug, Clone, Copy)]
pub(super) enum ServerValue {
    Address(SocketAddr),
    Number(u64),
}

impl ServerKey {
    pub(super) const ALL: [Self; 17] = [
        Self::Listen,
        Self::MaxUploadBytes,
        Self::UploadExpiryHours,
        Self::MaxConcurrentUploads,
        Self::MaxConcurrentVerifications,
        Self::MaxJsonBodyBytes,
        Self::MaxHeaderBytes,
        Self::HeaderReadTimeoutSeconds,
        Self::BodyIdleTimeoutSeconds,
        Self::BodyDeadlineSeconds,
        Self::MaxConnections,
        Self::JsonBufferBytes,
        Self::ShutdownGraceSeconds,
        Self::ContentGraceHours,
        Self::GcIntervalHours,
        Self::MaxUploadsPerKey,
        Self::MaxUploadBytesPerKeyPerDay,
    ];

    /// The key as written in the file.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Listen => "listen",
            Self::MaxUploadBytes => "max-upload-bytes",
            Self::UploadExpiryHours => "upload-expiry-hours",
            Self::MaxConcurrentUploads => "max-concurrent-uploads",
            Self::MaxConcurrentVerifications => "max-concurrent-verifications",
            Self::MaxJsonBodyBytes => "max-json-body-bytes",
            Self::MaxHeaderBytes => "max-header-bytes",
            Self::HeaderReadTimeoutSeconds => "header-read-timeout-seconds",
            Self::BodyIdleTimeoutSeconds => "body-idle-timeout-seconds",
            Self::BodyDeadlineSeconds => "body-deadline-seconds",
            Self::MaxConnections => "max-connections",
            Self::JsonBufferBytes => "json-buffer-bytes",
            Self::ShutdownGraceSeconds => "shutdown-grace-seconds",
            Self::ContentGraceHours => "content-grace-hours",
            Self::GcIntervalHours => "gc-interval-hours",
            Self::MaxUploadsPerKey => "max-uploads-per-key",
            Self::MaxUploadBytesPerKeyPerDay => "max-upload-bytes-per-key-per-day",
        }
    }

    /// The environment variable that overrides the key: `QOIMA_SERVER_` and the key in upper
    /// snake case.
    pub(super) fn variable(self) -> String {
        format!(
            "QOIMA_SERVER_{}",
            self.name().to_ascii_uppercase().replace('-', "_")
        )
    }

    /// The unit of a number, for messages.
    fn unit(self) -> &'static str {
        match self {
            Self::Listen => "",
            Self::MaxUploadBytes
            | Self::MaxJsonBodyBytes
            | Self::MaxHeaderBytes
            | Self::MaxUploadBytesPerKeyPerDay
            | Self::JsonBufferBytes => "bytes",
            Self::UploadExpiryHours | Self::ContentGraceHours | Self::GcIntervalHours => "hours",
            Self::MaxConcurrentUploads | Self::MaxUploadsPerKey => "uploads",
            Self::MaxConcurrentVerifications => "verifications",
            Self::MaxConnections => "connections",
            Self::HeaderReadTimeoutSeconds
            | Self::BodyIdleTimeoutSeconds
            | Self::BodyDeadlineSeconds
            | Self::ShutdownGraceSeconds => "seconds",
        }
    }

    /// The accepted numbers: zero would stop the server from working (no upload, no time to
    /// send anything), and the maxima are far past any sensible setting, so a value beyond
    /// them is a typo (a count of bytes given as seconds and the like).
    pub(super) fn range(self) -> (u64, u64) {
        match self {
            Self::Listen => (0, 0),
            Self::MaxUploadBytes => (1, u64::MAX),
            // A year.
            Self::UploadExpiryHours => (1, 24 * 366),
            Self::MaxConcurrentUploads => (1, 10_000),
            // Each holds one of the 512 threads of tokio's blocking pool.
            Self::MaxConcurrentVerifications => (1, 512),
            // Read whole into memory.
            Self::MaxJsonBodyBytes => (1 << 10, 1 << 30),
            Self::MaxHeaderBytes => (8 << 10, 1 << 20),
            // Each holds a file descriptor and a task; far beyond is a typo.
            Self::MaxConnections => (1, 1_000_000),
            // Up to 64 GiB; at least one body of the smallest `max-json-body-bytes`.
            Self::JsonBufferBytes => (1 << 10, 64 << 30),
            // A day: a tus PATCH of several GiB on a slow link may need hours.
            Self::BodyDeadlineSeconds => (1, 86_400),
            // An hour.
            Self::HeaderReadTimeoutSeconds
            | Self::BodyIdleTimeoutSeconds
            | Self::ShutdownGraceSeconds => (1, 3600),
            // Ten years; zero leaves no time to register content put by its SHA-256.
            Self::ContentGraceHours => (1, 24 * 3660),
            // A year.
            Self::GcIntervalHours => (1, 24 * 366),
            Self::MaxUploadsPerKey => (1, 1_000_000),
            Self::MaxUploadBytesPerKeyPerDay => (1, u64::MAX),
        }
    }

    /// Why the minimum is what it is, where that is not plain.
    fn why_minimum(self) -> &'static str {
        match self {
            Self::MaxHeaderBytes => " (hyper reads a request's head in a buffer of at least 8 KiB)",
            _ => "",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    fn with(variable: &str, value: &str) -> Result<ServerSettings, ConfigError> {
        let (variable, value) = (variable.to_owned(), value.to_owned());
        ServerSettings::default().with_env(move |name| (name == variable).then(|| value.clone()))
    }

    #[test]
    fn max_concurrent_verifications_defaults_to_the_cpus_and_is_range_checked() {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(ServerSettings::default().max_concurrent_verifications, cpus);
        let variable = "QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS";
        let settings = with(variable, "1").unwrap();
        assert_eq!(settings.max_concurrent_verifications, 1);
        assert_eq!(
            with(variable, "512").unwrap().max_concurrent_verifications,
            512
        );
        for (bad, expected) in [
            ("0", "must be from 1 to 512 verifications, not 0"),
            ("513", "not 513"),
            ("many", "not a whole number of verifications"),
        ] {
            match with(variable, bad) {
                Err(ConfigError::Invalid(message)) => assert!(
                    message.starts_with(&format!("{variable}={bad:?}: "))
                        && message.contains(expected),
                    "{message}"
                ),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
