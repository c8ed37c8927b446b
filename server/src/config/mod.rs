//! `--config FILE` (or `QOIMA_CONFIG`): the settings of the record commands (`qoima doc`,
//! `qoima audit`) and of the HTTP server (`qoima serve`).
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
//!
//! [registration]                      # optional
//! sender-unknown = ["expertise-application"]  # classes whose sender is not known in advance:
//!                                     # their registrations may name none (recorded as such)
//!
//! [disposal]                          # who may sign disposal acts; without one, nothing
//! officers = [{ iin = "850315300128", bin = "123456789021" }]  # can be disposed of
//!
//! [verifier]                          # optional
//! cache-bytes = 67108864              # 64 MiB (1 MiB to 64 GiB): parsed certificates, paths
//!                                     # and statuses kept between documents, all caches together
//!
//! [revocation]                        # optional: `qoima serve` refreshes the CRLs of the CA
//! fetch = true                        # certificates' distribution points and of `urls`
//! urls = []                           # (http:// only); false: the files only (offline)
//! # margin-seconds = 3600             # fetch this long before nextUpdate (default: at 3/4
//!                                     # of thisUpdate→nextUpdate)
//! check-interval-seconds = 3600       # at most this long between two fetches of a URL
//! retry-base-seconds = 30             # back-off after a failure, full jitter, doubling
//! retry-cap-seconds = 3600            # up to this
//! timeout-seconds = 120               # one fetch, whole answer
//! max-bytes = 67108864                # 64 MiB: the largest CRL taken
//! ocsp = true                         # registrations ask the certificates' OCSP responders
//! # ocsp-url = "http://..."           # for certificates whose authorityInfoAccess names none
//! ocsp-hash = "sha1"                  # the CertID's hash ("sha1" or "sha256")
//! ocsp-nonce = false                  # send a nonce the response must echo (RFC 8954)
//! ocsp-timeout-seconds = 10           # one request, whole answer: then the CRLs answer
//! ocsp-max-bytes = 65536              # the largest response taken
//! ocsp-cache-seconds = 3600           # a response is reused this long (never past nextUpdate)
//!
//! [storage]                           # optional: the embedded RocksDB vault by default
//! backend = "postgres-s3"             # records in PostgreSQL, content in S3 (Object Lock)
//! postgres = "postgresql://qoima@127.0.0.1:5432/qoima"
//! shared-cache-seconds = 2            # 0 to 300: how long a node keeps API keys' revocations
//!                                     # and calendar years in memory before reading them again
//! [storage.s3]                        # credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
//! endpoint = "http://127.0.0.1:7480"
//! bucket = "qoima"
//! region = "default"
//!
//! [server]                            # optional: `qoima serve`; the defaults are shown
//! listen = "127.0.0.1:8080"           # `--listen` wins over it
//! max-upload-bytes = 8589934592       # 8 GiB: one uploaded content
//! upload-expiry-hours = 24            # an unfinished upload is dropped after this
//! max-concurrent-uploads = 16
//! max-concurrent-verifications = 2   # default: the number of CPUs
//! max-json-body-bytes = 67108864      # 64 MiB: a JSON body (base64 CMS with content)
//! max-header-bytes = 65536            # 64 KiB, at least 8 KiB: a request's head
//! header-read-timeout-seconds = 30    # to receive a request's head
//! body-idle-timeout-seconds = 60      # a body that sends nothing for this long is cut
//! body-deadline-seconds = 600         # a body not received whole this long after its head is cut
//! max-connections = 1024              # open at once; at the cap the server stops accepting
//! json-buffer-bytes = 268435456       # 256 MiB, at least max-json-body-bytes: JSON bodies in
//!                                     # memory at once (over 64 KiB each); else 503 after 2 s
//! shutdown-grace-seconds = 30         # in-flight requests' time to finish on shutdown
//! content-grace-hours = 168           # unreferenced content is collected after this (also
//!                                     # `qoima gc`'s default): time to register what
//!                                     # `qoima put` stored by its SHA-256
//! gc-interval-hours = 24              # how often the server collects it
//! max-uploads-per-key = 64            # uploads one API key has at once; more: 429
//! max-upload-bytes-per-key-per-day = 1099511627776  # 1 TiB declared per key per UTC day
//! ```
//!
//! Relative paths are read from the configuration file's directory. Unknown keys are refused.
//! Every error names the file and the problem ([`ConfigError`]); the command line exits 64.
//!
//! Every `[server]` key can also be set by a `QOIMA_SERVER_<KEY>` environment variable (the key
//! in upper snake case, e.g. `QOIMA_SERVER_MAX_UPLOAD_BYTES`), which wins over the file; an
//! empty variable counts as unset. Only `qoima serve` reads them ([`ServerSettings::with_env`]),
//! so that a variable meant for the server cannot break the record commands. A variable that
//! does not parse or is out of range is a usage error naming it. Zero and absurd values are
//! refused in either place: each key has a range, given in the error.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use qoima_vault::records::{Calendar, Numbering, Participant, Retention, RetentionClass, Template};
use qoima_verifier::Verifier;
use qoima_verifier::identity::Expectation;
use qoima_verifier::path::CertificateStore;
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::CrlStore;
use qoima_verifier::{decode_certificate_file, decode_crl_file};
use serde::Deserialize;

mod revocation;
mod server;
mod storage;

pub use revocation::{OcspSettings, RevocationSettings};
#[cfg(test)]
use server::ServerKey;
use server::ServerTable;
pub use server::{SMALL_JSON_BODY, ServerSettings, process_env};
pub(crate) use storage::vault_role;
pub use storage::{SharedStorage, StorageSettings};

/// Why the configuration cannot be used. The message names the file (or the variable) and
/// the problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file, a file it lists, or a `QOIMA_SERVER_*` variable is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The built-in calendar does not load: a defect of this build, not of the configuration.
    #[error("the built-in calendar: {0}")]
    BuiltinCalendar(String),
}

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
    #[serde(default)]
    registration: RegistrationTable,
    #[serde(default)]
    disposal: DisposalTable,
    #[serde(default)]
    verifier: VerifierTable,
    #[serde(default)]
    server: ServerTable,
    #[serde(default)]
    revocation: revocation::RevocationTable,
    #[serde(default)]
    storage: storage::StorageTable,
}

/// The `[verifier]` table: how much the engine keeps between documents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct VerifierTable {
    cache_bytes: Option<u64>,
}

/// The accepted `[verifier] cache-bytes`: from 1 MiB (less caches next to nothing) to 64 GiB.
const CACHE_BYTES: (u64, u64) = (1 << 20, 64 << 30);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RegistrationTable {
    #[serde(default)]
    sender_unknown: Vec<RetentionClass>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisposalTable {
    #[serde(default)]
    officers: Vec<Officer>,
}

/// A disposal officer: the IIN and/or BIN the act's signer must have.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Officer {
    iin: Option<String>,
    bin: Option<String>,
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

/// What the record commands and the server run with.
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
    /// The classes whose sender is not known in advance.
    pub sender_unknown: Vec<RetentionClass>,
    /// Who may sign disposal acts.
    pub disposal_officers: Vec<Expectation>,
    /// The DER of every configured CRL, as the verifier has them: `doc register` and
    /// `doc new-version` keep them as content so that each version references the CRLs its
    /// verdict used (evidence).
    pub crls: Vec<Vec<u8>>,
    /// The DER of every configured CA certificate (anchors, then intermediates): the issuers
    /// that fetched CRLs are checked against, and whose distribution points are fetched.
    pub ca_certificates: Vec<Vec<u8>>,
    /// The `[revocation]` table over the defaults: how `qoima serve` keeps CRLs fresh.
    pub revocation: RevocationSettings,
    /// The `[server]` table over the defaults; `qoima serve` adds the environment's overrides
    /// ([`ServerSettings::with_env`]).
    pub server: ServerSettings,
    /// The `[storage]` table: which engines keep the vault.
    pub storage: StorageSettings,
}

/// Reads `path`, or gives the defaults without one: an empty trust store (every registration
/// is then refused, NO_CERTIFICATE_CHAIN_FOUND), the default policy, the built-in calendar and
/// [`Numbering::DEFAULT_TEMPLATE`] for every participant.
pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
    let Some(path) = path else {
        return build(None, ConfigFile::default());
    };
    let bytes = std::fs::read(path)
        .map_err(|e| ConfigError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| ConfigError::Invalid(format!("{}: not UTF-8 text", path.display())))?;
    let file = parse(&path.display().to_string(), &text)?;
    build(Some(path), file)
}

/// The text of the configuration file `name`, as written: a syntax error or an unknown key is
/// named with its line and column.
fn parse(name: &str, text: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .and_then(|span| text.get(..span.start.min(text.len())))
            .map(|before| {
                let line = before.matches('\n').count() + 1;
                let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        ConfigError::Invalid(format!("{name}{at}: {}", one_line(e.message())))
    })
}

/// A configuration's text checked as [`load`] checks a file, but with the files it lists left
/// out (nothing is read from disk): the fuzz target's way in.
#[cfg(feature = "fuzzing")]
pub(crate) fn check_text(text: &str) -> Result<Config, ConfigError> {
    let mut file = parse("(fuzzed)", text)?;
    file.trust = TrustTable::default();
    file.calendar = None;
    build(None, file)
}

fn build(path: Option<&Path>, file: ConfigFile) -> Result<Config, ConfigError> {
    let name = path.map_or_else(|| "(defaults)".to_owned(), |p| p.display().to_string());
    let problem = |what: String| ConfigError::Invalid(format!("{name}: {what}"));
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
    let mut ca_certificates = Vec::new();
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
                ca_certificates.push(der.into_owned());
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
        let decoded = decode_crl_file(&bytes).map_err(|e| bad(&e))?;
        // A file that is one DER CRL is kept as read, not copied: a large CRL is held once
        // (for the vault) beside its index.
        if let [Cow::Borrowed(der)] = decoded.as_slice()
            && der.len() == bytes.len()
        {
            drop(decoded);
            crls.add(&bytes).map_err(|e| bad(&e))?;
            crl_ders.push(bytes);
            continue;
        }
        for der in decoded {
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

    let calendar = Calendar::builtin().map_err(|e| ConfigError::BuiltinCalendar(e.to_string()))?;
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

    let mut officers = Vec::new();
    for (at, officer) in file.disposal.officers.into_iter().enumerate() {
        let expectation = Expectation {
            iin: officer.iin,
            bin: officer.bin,
            roles: Vec::new(),
        };
        if expectation.is_empty() {
            return Err(problem(format!(
                "disposal.officers[{at}]: an officer is named by an iin, a bin or both"
            )));
        }
        expectation
            .validate(&policy.ownership())
            .map_err(|e| problem(format!("disposal.officers[{at}]: {e}")))?;
        officers.push(expectation);
    }

    let mut server = ServerSettings::default();
    for (key, value) in file.server.entries() {
        server
            .set(key, value)
            .map_err(|e| problem(format!("[server] {}: {e}", key.name())))?;
    }
    server
        .check()
        .map_err(|e| problem(format!("[server]: {e}")))?;
    let revocation = file
        .revocation
        .settings()
        .map_err(|e| problem(format!("[revocation] {e}")))?;
    let storage = file
        .storage
        .settings()
        .map_err(|e| problem(format!("[storage] {e}")))?;
    let mut verifier = Verifier::new(store, crls, policy.clone());
    if let Some(bytes) = file.verifier.cache_bytes {
        let (min, max) = CACHE_BYTES;
        let bytes = usize::try_from(bytes)
            .ok()
            .filter(|_| (min..=max).contains(&bytes))
            .ok_or_else(|| {
                problem(format!(
                    "[verifier] cache-bytes: must be from {min} to {max} bytes, not {bytes}"
                ))
            })?;
        verifier = verifier.with_cache_budget(bytes);
    }
    Ok(Config {
        verifier,
        policy,
        calendar,
        numbering,
        retention: file.retention.into_iter().collect(),
        sender_unknown: file.registration.sender_unknown,
        disposal_officers: officers,
        crls: crl_ders,
        ca_certificates,
        revocation,
        server,
        storage,
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
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Write;
    use std::time::Duration;

    use super::*;

    /// `toml` as a configuration file, loaded.
    fn load_toml(toml: &str) -> Result<Config, ConfigError> {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(toml.as_bytes()).unwrap();
        load(Some(file.path()))
    }

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let vars: BTreeMap<&str, &str> = vars.iter().copied().collect();
        move |name| vars.get(name).map(|v| (*v).to_owned())
    }

    /// The usage error's message, checked to be exit 64.
    fn usage(result: Result<impl std::fmt::Debug, ConfigError>) -> String {
        match result.unwrap_err() {
            ConfigError::Invalid(message) => message,
            other => panic!("not an error of the configuration: {other}"),
        }
    }

    #[test]
    fn defaults_without_a_file_or_a_table() {
        let expected = ServerSettings {
            listen: None,
            max_upload_bytes: 8 * 1024 * 1024 * 1024,
            upload_expiry: jiff::SignedDuration::from_hours(24),
            max_concurrent_uploads: 16,
            max_concurrent_verifications: server::default_concurrent_verifications(),
            max_json_body: 64 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(60),
            body_deadline: Duration::from_secs(600),
            max_connections: 1024,
            json_buffer_bytes: 256 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
            content_grace: jiff::SignedDuration::from_hours(168),
            gc_interval: Duration::from_secs(24 * 3600),
            max_uploads_per_key: 64,
            max_upload_bytes_per_key_per_day: 1 << 40,
        };
        assert_eq!(ServerSettings::default(), expected);
        assert_eq!(load(None).unwrap().server, expected);
        assert_eq!(load_toml("").unwrap().server, expected);
        assert_eq!(load_toml("[server]\n").unwrap().server, expected);
        assert_eq!(expected.clone().with_env(env(&[])).unwrap(), expected);
    }

    const FULL: &str = r#"
[server]
listen = "[::1]:9000"
max-upload-bytes = 1_000_000
upload-expiry-hours = 2
max-concurrent-uploads = 3
max-concurrent-verifications = 5
max-json-body-bytes = 4096
max-header-bytes = 8192
header-read-timeout-seconds = 5
body-idle-timeout-seconds = 6
body-deadline-seconds = 8
max-connections = 9
json-buffer-bytes = 8192
shutdown-grace-seconds = 7
content-grace-hours = 8
gc-interval-hours = 9
max-uploads-per-key = 10
max-upload-bytes-per-key-per-day = 11
"#;

    #[test]
    fn every_key_is_read_from_the_file() {
        let server = load_toml(FULL).unwrap().server;
        assert_eq!(
            server,
            ServerSettings {
                listen: Some("[::1]:9000".parse().unwrap()),
                max_upload_bytes: 1_000_000,
                upload_expiry: jiff::SignedDuration::from_hours(2),
                max_concurrent_uploads: 3,
                max_concurrent_verifications: 5,
                max_json_body: 4096,
                max_header_bytes: 8192,
                header_read_timeout: Duration::from_secs(5),
                body_idle_timeout: Duration::from_secs(6),
                body_deadline: Duration::from_secs(8),
                max_connections: 9,
                json_buffer_bytes: 8192,
                shutdown_grace: Duration::from_secs(7),
                content_grace: jiff::SignedDuration::from_hours(8),
                gc_interval: Duration::from_secs(9 * 3600),
                max_uploads_per_key: 10,
                max_upload_bytes_per_key_per_day: 11,
            }
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file = load_toml(FULL).unwrap().server;
        let vars = [
            ("QOIMA_SERVER_LISTEN", "0.0.0.0:80"),
            ("QOIMA_SERVER_MAX_UPLOAD_BYTES", "17"),
            ("QOIMA_SERVER_UPLOAD_EXPIRY_HOURS", "48"),
            ("QOIMA_SERVER_MAX_CONCURRENT_UPLOADS", " 32 "),
            ("QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS", "6"),
            ("QOIMA_SERVER_MAX_JSON_BODY_BYTES", "1024"),
            ("QOIMA_SERVER_MAX_HEADER_BYTES", "16384"),
            ("QOIMA_SERVER_HEADER_READ_TIMEOUT_SECONDS", "10"),
            ("QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS", "11"),
            ("QOIMA_SERVER_BODY_DEADLINE_SECONDS", "13"),
            ("QOIMA_SERVER_MAX_CONNECTIONS", "14"),
            ("QOIMA_SERVER_JSON_BUFFER_BYTES", "2048"),
            ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "12"),
            ("QOIMA_SERVER_CONTENT_GRACE_HOURS", "13"),
            ("QOIMA_SERVER_GC_INTERVAL_HOURS", "14"),
            ("QOIMA_SERVER_MAX_UPLOADS_PER_KEY", "15"),
            ("QOIMA_SERVER_MAX_UPLOAD_BYTES_PER_KEY_PER_DAY", "16"),
        ];
        let server = file.clone().with_env(env(&vars)).unwrap();
        assert_eq!(
            server,
            ServerSettings {
                listen: Some("0.0.0.0:80".parse().unwrap()),
                max_upload_bytes: 17,
                upload_expiry: jiff::SignedDuration::from_hours(48),
                max_concurrent_uploads: 32,
                max_concurrent_verifications: 6,
                max_json_body: 1024,
                max_header_bytes: 16384,
                header_read_timeout: Duration::from_secs(10),
                body_idle_timeout: Duration::from_secs(11),
                body_deadline: Duration::from_secs(13),
                max_connections: 14,
                json_buffer_bytes: 2048,
                shutdown_grace: Duration::from_secs(12),
                content_grace: jiff::SignedDuration::from_hours(13),
                gc_interval: Duration::from_secs(14 * 3600),
                max_uploads_per_key: 15,
                max_upload_bytes_per_key_per_day: 16,
            }
        );
        // One variable changes one key; empty ones and other names change nothing.
        let one = file
            .clone()
            .with_env(env(&[
                ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "1"),
                ("QOIMA_SERVER_MAX_UPLOAD_BYTES", ""),
                ("QOIMA_SERVER_MAX-UPLOAD-BYTES", "5"),
                ("QOIMA_SERVER_NO_SUCH_KEY", "5"),
            ]))
            .unwrap();
        assert_eq!(
            one,
            ServerSettings {
                shutdown_grace: Duration::from_secs(1),
                ..file
            }
        );
    }

    #[test]
    fn the_variables_are_the_keys_in_upper_snake_case() {
        let names: Vec<String> = ServerKey::ALL.iter().map(|k| k.variable()).collect();
        assert_eq!(
            names,
            [
                "QOIMA_SERVER_LISTEN",
                "QOIMA_SERVER_MAX_UPLOAD_BYTES",
                "QOIMA_SERVER_UPLOAD_EXPIRY_HOURS",
                "QOIMA_SERVER_MAX_CONCURRENT_UPLOADS",
                "QOIMA_SERVER_MAX_CONCURRENT_VERIFICATIONS",
                "QOIMA_SERVER_MAX_JSON_BODY_BYTES",
                "QOIMA_SERVER_MAX_HEADER_BYTES",
                "QOIMA_SERVER_HEADER_READ_TIMEOUT_SECONDS",
                "QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS",
                "QOIMA_SERVER_BODY_DEADLINE_SECONDS",
                "QOIMA_SERVER_MAX_CONNECTIONS",
                "QOIMA_SERVER_JSON_BUFFER_BYTES",
                "QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS",
                "QOIMA_SERVER_CONTENT_GRACE_HOURS",
                "QOIMA_SERVER_GC_INTERVAL_HOURS",
                "QOIMA_SERVER_MAX_UPLOADS_PER_KEY",
                "QOIMA_SERVER_MAX_UPLOAD_BYTES_PER_KEY_PER_DAY",
            ]
        );
        // Every key of the table is one of them, and the other way round.
        for key in ServerKey::ALL {
            let value = match key {
                ServerKey::Listen => "\"127.0.0.1:1\"".to_owned(),
                // It must hold the default largest JSON body.
                ServerKey::JsonBufferBytes => (64 << 20).to_string(),
                _ => key.range().0.to_string(),
            };
            load_toml(&format!("[server]\n{} = {value}\n", key.name()))
                .unwrap_or_else(|e| panic!("{}: {e}", key.name()));
        }
    }

    #[test]
    fn unknown_and_mistyped_keys_in_the_file_are_refused() {
        let message = usage(load_toml("[server]\nmax-upload-byte = 5\n"));
        assert!(
            message.contains("unknown field `max-upload-byte`"),
            "{message}"
        );
        assert!(message.contains(":2:"), "names the line: {message}");
        let message = usage(load_toml("[server]\nmax_upload_bytes = 5\n"));
        assert!(message.contains("unknown field"), "{message}");
        let message = usage(load_toml("[server]\nmax-upload-bytes = -1\n"));
        assert!(message.contains("-1"), "{message}");
        let message = usage(load_toml("[server]\nmax-upload-bytes = \"8 GiB\"\n"));
        assert!(
            message.contains("max-upload-bytes") || message.contains(":2:"),
            "{message}"
        );
        let message = usage(load_toml("[server]\nlisten = \"localhost\"\n"));
        assert!(message.contains(":2:"), "{message}");
        let message = usage(load_toml("[server]\nlisten = 8080\n"));
        assert!(message.contains(":2:"), "{message}");
    }

    #[test]
    fn zero_and_absurd_values_in_the_file_are_refused() {
        let cases = [
            ("max-upload-bytes", "0", "from 1 to"),
            ("upload-expiry-hours", "0", "from 1 to 8784 hours"),
            ("upload-expiry-hours", "100000", "not 100000"),
            (
                "max-concurrent-uploads",
                "0",
                "from 1 to 10000 uploads, not 0",
            ),
            ("max-concurrent-uploads", "1000000", "not 1000000"),
            ("max-json-body-bytes", "0", "from 1024 to"),
            ("max-json-body-bytes", "2147483648", "not 2147483648"),
            ("max-header-bytes", "8191", "at least 8 KiB"),
            ("max-header-bytes", "0", "from 8192 to 1048576 bytes"),
            ("max-header-bytes", "4194304", "not 4194304"),
            (
                "header-read-timeout-seconds",
                "0",
                "from 1 to 3600 seconds, not 0",
            ),
            ("body-idle-timeout-seconds", "0", "not 0"),
            ("body-idle-timeout-seconds", "86400", "not 86400"),
            ("shutdown-grace-seconds", "0", "not 0"),
            (
                "body-deadline-seconds",
                "0",
                "from 1 to 86400 seconds, not 0",
            ),
            (
                "max-connections",
                "0",
                "from 1 to 1000000 connections, not 0",
            ),
            ("json-buffer-bytes", "100", "from 1024 to"),
        ];
        for (key, value, expected) in cases {
            let message = usage(load_toml(&format!("[server]\n{key} = {value}\n")));
            assert!(
                message.contains(&format!("[server] {key}: ")) && message.contains(expected),
                "{key} = {value}: {message}"
            );
            assert!(message.contains(".tmp"), "names the file: {message}");
        }
    }

    #[test]
    fn bad_variables_are_usage_errors_naming_them() {
        let cases = [
            (
                "QOIMA_SERVER_LISTEN",
                "localhost:80",
                "not a socket address",
            ),
            ("QOIMA_SERVER_LISTEN", "127.0.0.1", "not a socket address"),
            (
                "QOIMA_SERVER_MAX_UPLOAD_BYTES",
                "8GiB",
                "not a whole number of bytes",
            ),
            (
                "QOIMA_SERVER_MAX_UPLOAD_BYTES",
                "-1",
                "not a whole number of bytes",
            ),
            ("QOIMA_SERVER_MAX_UPLOAD_BYTES", "0", "from 1 to"),
            (
                "QOIMA_SERVER_UPLOAD_EXPIRY_HOURS",
                "1.5",
                "not a whole number of hours",
            ),
            ("QOIMA_SERVER_MAX_CONCURRENT_UPLOADS", "0", "not 0"),
            (
                "QOIMA_SERVER_MAX_CONCURRENT_UPLOADS",
                "many",
                "whole number of uploads",
            ),
            (
                "QOIMA_SERVER_MAX_JSON_BODY_BYTES",
                "99999999999999999999",
                "whole number",
            ),
            ("QOIMA_SERVER_MAX_HEADER_BYTES", "4096", "at least 8 KiB"),
            ("QOIMA_SERVER_HEADER_READ_TIMEOUT_SECONDS", "0", "not 0"),
            (
                "QOIMA_SERVER_BODY_IDLE_TIMEOUT_SECONDS",
                "30s",
                "whole number of seconds",
            ),
            ("QOIMA_SERVER_SHUTDOWN_GRACE_SECONDS", "0", "not 0"),
        ];
        for (variable, value, expected) in cases {
            let vars = [(variable, value)];
            let message = usage(ServerSettings::default().with_env(env(&vars)));
            assert!(
                message.starts_with(&format!("{variable}={value:?}: "))
                    && message.contains(expected),
                "{variable}={value}: {message}"
            );
        }
    }

    #[test]
    fn the_verifier_cache_budget_is_range_checked() {
        load_toml("[verifier]\ncache-bytes = 1048576\n").unwrap();
        load_toml("[verifier]\ncache-bytes = 68719476736\n").unwrap();
        for bad in ["0", "1048575", "68719476737"] {
            let message = usage(load_toml(&format!("[verifier]\ncache-bytes = {bad}\n")));
            assert!(
                message.contains(&format!(
                    "[verifier] cache-bytes: must be from 1048576 to 68719476736 bytes, not {bad}"
                )),
                "{message}"
            );
        }
        let message = usage(load_toml("[verifier]\ncache-size = 5\n"));
        assert!(message.contains("unknown field `cache-size`"), "{message}");
    }

    #[test]
    fn the_json_buffer_must_hold_the_largest_json_body() {
        let message = usage(load_toml(
            "[server]\nmax-json-body-bytes = 4096\njson-buffer-bytes = 2048\n",
        ));
        assert!(
            message.contains(
                "[server]: json-buffer-bytes (2048) must be at least max-json-body-bytes (4096)"
            ),
            "{message}"
        );
        let equal = "[server]\nmax-json-body-bytes = 4096\njson-buffer-bytes = 4096\n";
        assert_eq!(load_toml(equal).unwrap().server.json_buffer_bytes, 4096);
        // The environment is checked with the file's values under it.
        let file = load_toml(equal).unwrap().server;
        let vars = [("QOIMA_SERVER_MAX_JSON_BODY_BYTES", "8192")];
        let message = usage(file.clone().with_env(env(&vars)));
        assert!(
            message.starts_with(
                "QOIMA_SERVER_JSON_BUFFER_BYTES and QOIMA_SERVER_MAX_JSON_BODY_BYTES: "
            ) && message.contains("(4096) must be at least max-json-body-bytes (8192)"),
            "{message}"
        );
        let vars = [
            ("QOIMA_SERVER_MAX_JSON_BODY_BYTES", "8192"),
            ("QOIMA_SERVER_JSON_BUFFER_BYTES", "16384"),
        ];
        assert_eq!(file.with_env(env(&vars)).unwrap().json_buffer_bytes, 16384);
    }

    #[test]
    fn a_bad_file_value_is_refused_even_if_the_environment_would_replace_it() {
        // The file is checked on its own when it is loaded (by every command).
        let message = usage(load_toml("[server]\nmax-concurrent-uploads = 0\n"));
        assert!(message.contains("max-concurrent-uploads"), "{message}");
    }

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
