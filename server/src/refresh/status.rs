//! The CRLs held, as `/metrics` and `/healthz` show them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use qoima_verifier::path::Fingerprint;

use super::held::{self, Facts, Held};

/// The CRLs a server holds and each URL's fetch record. `Send + Sync`.
#[derive(Debug, Default)]
pub struct CrlStatus {
    inner: Mutex<Inner>,
    /// Held while a verifier is rebuilt from what is held and swapped in (a fetched CRL, an
    /// import), so that the last swap has everything.
    rebuilding: Mutex<()>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The configuration's files, labelled `file:<SHA-256 prefix>`.
    files: Vec<(String, Held)>,
    /// Each URL's record.
    urls: BTreeMap<String, Source>,
    /// CRLs an operator imported, labelled `import:<SHA-256 prefix>`.
    imported: Vec<(String, Held)>,
    /// OCSP responses an operator imported (DER).
    imported_ocsp: Vec<Arc<[u8]>>,
}

#[derive(Debug, Default)]
struct Source {
    good: Option<Held>,
    last_modified: Option<String>,
    failures: u64,
}

impl CrlStatus {
    /// The configured files' CRLs (one that does not parse is left out: the configuration
    /// refused it already).
    pub(crate) fn with_files(files: &[Vec<u8>]) -> Self {
        let files = files
            .iter()
            .filter_map(|der| held::from_file(der).ok())
            .map(|held| (file_label(&held.facts.fingerprint), held))
            .collect();
        Self {
            inner: Mutex::new(Inner {
                files,
                ..Inner::default()
            }),
            rebuilding: Mutex::new(()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn add_source(&self, url: &str) {
        self.lock().urls.entry(url.to_owned()).or_default();
    }

    /// The facts of the last good CRL from `url`.
    pub(crate) fn fetched(&self, url: &str) -> Option<Facts> {
        self.lock()
            .urls
            .get(url)
            .and_then(|s| s.good.as_ref())
            .map(|h| h.facts.clone())
    }

    pub(crate) fn last_modified(&self, url: &str) -> Option<String> {
        self.lock()
            .urls
            .get(url)
            .and_then(|s| s.last_modified.clone())
    }

    pub(crate) fn set_last_modified(&self, url: &str, last_modified: Option<String>) {
        if let Some(source) = self.lock().urls.get_mut(url) {
            source.last_modified = last_modified;
        }
    }

    /// Counts a failed fetch or a refused CRL.
    pub(crate) fn failed(&self, url: &str) {
        let mut inner = self.lock();
        let source = inner.urls.entry(url.to_owned()).or_default();
        source.failures = source.failures.saturating_add(1);
    }

    /// `crl` is `url`'s last good one from now on.
    pub(crate) fn accept(&self, url: &str, crl: Held, last_modified: Option<String>) {
        let mut inner = self.lock();
        let source = inner.urls.entry(url.to_owned()).or_default();
        source.good = Some(crl);
        source.last_modified = last_modified;
    }

    /// Every CRL held: the files', then each URL's last good one, then the imported.
    pub(crate) fn ders(&self) -> Vec<Arc<[u8]>> {
        self.ders_but("")
    }

    /// One rebuild at a time (`refresh::rebuild`, `refresh::import`).
    pub(crate) fn rebuilding(&self) -> MutexGuard<'_, ()> {
        self.rebuilding
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Holds an imported CRL from now on (once); whether it was not held before.
    pub(crate) fn add_imported_crl(&self, crl: Held) -> bool {
        let mut inner = self.lock();
        let new = !inner
            .imported
            .iter()
            .any(|(_, held)| held.facts.fingerprint == crl.facts.fingerprint);
        if new {
            let label = import_label(&crl.facts.fingerprint);
            inner.imported.push((label, crl));
        }
        new
    }

    /// Holds an imported OCSP response from now on (once); whether it was not held before.
    pub(crate) fn add_imported_ocsp(&self, der: Arc<[u8]>) -> bool {
        let mut inner = self.lock();
        let new = !inner.imported_ocsp.contains(&der);
        if new {
            inner.imported_ocsp.push(der);
        }
        new
    }

    /// Whether the import whose DER has this SHA-256 is held.
    pub(crate) fn holds_import(&self, address: &qoima_vault::ContentAddress) -> bool {
        let inner = self.lock();
        inner
            .imported
            .iter()
            .any(|(_, held)| held.facts.fingerprint.0 == address.0)
            || inner
                .imported_ocsp
                .iter()
                .any(|der| Fingerprint::of(der).0 == address.0)
    }

    /// The imported OCSP responses.
    pub(crate) fn imported_ocsp(&self) -> Vec<Arc<[u8]>> {
        self.lock().imported_ocsp.clone()
    }

    /// Every DER held that the content collection must keep: the CRLs and the imported
    /// OCSP responses.
    pub(crate) fn kept(&self) -> Vec<Arc<[u8]>> {
        let mut kept = self.ders();
        kept.extend(self.lock().imported_ocsp.iter().cloned());
        kept
    }

    /// [`Self::ders`] without `url`'s.
    pub(crate) fn ders_but(&self, url: &str) -> Vec<Arc<[u8]>> {
        let inner = self.lock();
        inner
            .files
            .iter()
            .map(|(_, held)| Arc::clone(&held.der))
            .chain(
                inner
                    .urls
                    .iter()
                    .filter(|(source, _)| source.as_str() != url)
                    .filter_map(|(_, s)| s.good.as_ref().map(|h| Arc::clone(&h.der))),
            )
            .chain(inner.imported.iter().map(|(_, held)| Arc::clone(&held.der)))
            .collect()
    }

    /// The labels (URL, or `file:<SHA-256 prefix>`) of the CRLs in use past nextUpdate at
    /// `now`: the server is degraded, its verdicts TRY_LATER for their issuers.
    pub fn stale(&self, now: i64) -> Vec<String> {
        let inner = self.lock();
        let held = inner
            .files
            .iter()
            .map(|(label, held)| (label.as_str(), &held.facts))
            .chain(inner.urls.iter().filter_map(|(url, source)| {
                source.good.as_ref().map(|held| (url.as_str(), &held.facts))
            }))
            .chain(
                inner
                    .imported
                    .iter()
                    .map(|(label, held)| (label.as_str(), &held.facts)),
            );
        held::stale(held, now)
    }

    /// The Prometheus families of the CRLs held (text format 0.0.4), by `source` label.
    pub fn render(&self, now: i64, out: &mut String) {
        let inner = self.lock();
        let mut held: Vec<(&str, &Facts)> = inner
            .files
            .iter()
            .map(|(label, held)| (label.as_str(), &held.facts))
            .collect();
        held.extend(inner.urls.iter().filter_map(|(url, source)| {
            source.good.as_ref().map(|held| (url.as_str(), &held.facts))
        }));
        held.extend(
            inner
                .imported
                .iter()
                .map(|(label, held)| (label.as_str(), &held.facts)),
        );
        let families: [(&str, &str, &Gauge<'_>); 3] = [
            (
                "qoima_crl_this_update_seconds",
                "thisUpdate of the CRL held from each source (unix seconds).",
                &|f| Some(f.this_update),
            ),
            (
                "qoima_crl_next_update_seconds",
                "nextUpdate of the CRL held from each source (unix seconds).",
                &|f| f.next_update,
            ),
            (
                "qoima_crl_age_seconds",
                "Seconds since thisUpdate of the CRL held from each source.",
                &|f| Some(now.saturating_sub(f.this_update)),
            ),
        ];
        for (name, help, value) in families {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (label, facts) in &held {
                if let Some(value) = value(facts) {
                    let _ = writeln!(out, "{name}{{source=\"{}\"}} {value}", escape(label));
                }
            }
        }
        let name = "qoima_crl_fetch_failures_total";
        let _ = writeln!(
            out,
            "# HELP {name} Failed fetches and refused CRLs, by source URL.\n# TYPE {name} counter"
        );
        for (url, source) in &inner.urls {
            let _ = writeln!(
                out,
                "{name}{{source=\"{}\"}} {}",
                escape(url),
                source.failures
            );
        }
    }
}

/// How a gauge's value is read from a CRL's facts.
type Gauge<'a> = dyn Fn(&Facts) -> Option<i64> + 'a;

fn file_label(fingerprint: &Fingerprint) -> String {
    let hex = fingerprint.to_string();
    format!("file:{}", hex.get(..16).unwrap_or(&hex))
}

fn import_label(fingerprint: &Fingerprint) -> String {
    let hex = fingerprint.to_string();
    format!("import:{}", hex.get(..16).unwrap_or(&hex))
}

/// A label value as the text format wants it (RFC-less: backslash, quote and newline
/// escaped).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
