//! Revocation data that stays fresh in a running `qoima serve` (`docs/revocation.md`).
//!
//! Each CRL URL (the CA certificates' cRLDistributionPoints and FreshestCRL, RFC 5280
//! §4.2.1.13 and §5.2.6, and `[revocation] urls`) has a task that fetches it before its CRL
//! lapses ([`schedule`]), checks what came ([`held::check`]: the verifier's own parsing and
//! signature check, then freshness and order), and when it is newer rebuilds the verifier
//! over the configuration's files and every URL's last good CRL and swaps it into the
//! registry ([`Registry::replace_verifier`]): the next request uses it, those in flight
//! finish on theirs. A failed fetch is retried with back-off and the old CRL kept.

mod held;
mod import;
mod schedule;
mod status;

use std::sync::Arc;

use qoima_verifier::Verifier;
use qoima_verifier::path::Certificate;
use qoima_verifier::revocation::{CrlStore, distribution_points};

use crate::config::RevocationSettings;
use crate::engine::Registry;
use crate::fetch::{Backoff, FetchError, Fetched, Fetcher, Limits};
use held::Checked;
pub(crate) use import::{follow_imports, import, restore};
pub use status::CrlStatus;

/// What the refresh needs from the configuration.
pub(crate) struct Sources {
    /// The CA certificates (anchors and intermediates), DER.
    pub(crate) ca_certificates: Vec<Vec<u8>>,
    /// The configured CRL files, DER.
    pub(crate) files: Vec<Vec<u8>>,
    /// `[revocation]`.
    pub(crate) settings: RevocationSettings,
}

/// The URLs to fetch: every CA certificate's distribution points (complete CRLs, then
/// deltas), then the configured ones, each once, in that order.
fn urls(cas: &[Certificate], configured: &[String]) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for ca in cas {
        let points = distribution_points(ca);
        for url in points.crls.into_iter().chain(points.deltas) {
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
    }
    for url in configured {
        if !urls.contains(url) {
            urls.push(url.clone());
        }
    }
    urls
}

/// Starts one task per URL on the current runtime (none when `fetch = false`), and gives
/// the status that `/metrics` and `/healthz` read. The tasks run until the runtime stops.
pub(crate) fn start(registry: Arc<Registry>, sources: Sources) -> Arc<CrlStatus> {
    let cas: Vec<Certificate> = sources
        .ca_certificates
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let status = Arc::new(CrlStatus::with_files(&sources.files));
    if !sources.settings.fetch {
        tracing::info!("revocation: fetching is off ([revocation] fetch = false): files only");
        return status;
    }
    let urls = urls(&cas, &sources.settings.urls);
    let shared = Arc::new(Shared {
        registry,
        cas,
        status: Arc::clone(&status),
        fetcher: Fetcher::new(Limits {
            deadline: sources.settings.timeout,
            max_bytes: sources.settings.max_bytes,
            ..Limits::default()
        }),
        settings: sources.settings,
    });
    for url in urls {
        tracing::info!(url, "revocation: CRL source");
        status.add_source(&url);
        tokio::spawn(follow(Arc::clone(&shared), url));
    }
    status
}

/// What the tasks share.
struct Shared {
    registry: Arc<Registry>,
    cas: Vec<Certificate>,
    status: Arc<CrlStatus>,
    fetcher: Fetcher,
    settings: RevocationSettings,
}

/// Fetches `url` for ever, on its schedule.
async fn follow(shared: Arc<Shared>, url: String) {
    let backoff = Backoff {
        base: shared.settings.retry_base,
        cap: shared.settings.retry_cap,
    };
    // Failures in a row (fetch or refusal), and fetches in a row that found nothing newer
    // once the CRL was due.
    let (mut failures, mut misses) = (0u32, 0u32);
    loop {
        let now = jiff::Timestamp::now().as_second();
        let outcome = fetch_once(&shared, &url, now).await;
        let now = jiff::Timestamp::now().as_second();
        let wait = match outcome {
            Ok(newer) => {
                failures = 0;
                let facts = shared.status.fetched(&url);
                let refresh = facts.as_ref().and_then(|f| {
                    schedule::refresh_at(f.this_update, f.next_update, shared.settings.margin)
                });
                misses = if newer || refresh.is_none_or(|at| at > now) {
                    0
                } else {
                    misses.saturating_add(1)
                };
                schedule::next_wait(refresh, now, &shared.settings, backoff.wait(misses.max(1)))
            }
            Err(transient) => {
                failures = failures.saturating_add(1);
                if transient {
                    backoff.wait(failures)
                } else {
                    // A 404, a bad address or a bad CRL: asked again later, not in a loop.
                    backoff.wait(failures).max(shared.settings.retry_base)
                }
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// One fetch of `url` and what follows: `Ok(true)` when a newer CRL was put in force,
/// `Ok(false)` when nothing changed, `Err(transient)` on a failure (logged and counted).
async fn fetch_once(shared: &Arc<Shared>, url: &str, now: i64) -> Result<bool, bool> {
    let since = shared.status.last_modified(url);
    let (bytes, last_modified) = match shared.fetcher.get(url, since.as_deref()).await {
        Ok(Fetched::NotModified) => return Ok(false),
        Ok(Fetched::Body {
            bytes,
            last_modified,
        }) => (bytes, last_modified),
        Err(e) => return Err(fetch_failed(shared, url, &e)),
    };
    let held = shared.status.fetched(url);
    let checked = {
        let shared = Arc::clone(shared);
        // Parsing and a signature check (a 19 MB GOST CRL): off the async workers.
        tokio::task::spawn_blocking(move || held::check(&bytes, now, &shared.cas, held.as_ref()))
            .await
    };
    match checked {
        Ok(Ok(Checked::Same)) => {
            shared.status.set_last_modified(url, last_modified);
            Ok(false)
        }
        Ok(Ok(Checked::Newer(crl))) => {
            let facts = crl.facts.clone();
            let rebuilt = {
                let (shared, url) = (Arc::clone(shared), url.to_owned());
                tokio::task::spawn_blocking(move || rebuild(&shared, &url, crl, last_modified))
                    .await
            };
            match rebuilt {
                Ok(Ok(count)) => {
                    tracing::info!(
                        url,
                        this_update = facts.this_update,
                        next_update = facts.next_update,
                        delta = facts.delta,
                        crls = count,
                        "revocation: newer CRL in force"
                    );
                    Ok(true)
                }
                Ok(Err(e)) => {
                    tracing::error!(url, error = %e, "revocation: the verifier was not rebuilt; the one in force stays");
                    Err(true)
                }
                Err(e) => {
                    tracing::error!(url, error = %e, "revocation: the rebuild did not finish");
                    Err(true)
                }
            }
        }
        Ok(Err(refusal)) => {
            tracing::warn!(url, error = %refusal, "revocation: CRL refused; the CRL held stays");
            shared.status.failed(url);
            Err(false)
        }
        Err(e) => {
            tracing::error!(url, error = %e, "revocation: the check did not finish");
            shared.status.failed(url);
            Err(false)
        }
    }
}

/// Logs and counts a failed fetch; whether it is transient.
fn fetch_failed(shared: &Shared, url: &str, error: &FetchError) -> bool {
    let transient = error.is_transient();
    tracing::warn!(url, error = %error, transient, "revocation: fetch failed; the CRL held stays");
    shared.status.failed(url);
    transient
}

/// Puts in force a verifier over every CRL held with `crl` as `url`'s, after keeping them as
/// content (a registration's evidence references them); only then is `crl` held. Returns how
/// many CRLs the verifier has. On failure nothing changes, and the next fetch tries again.
fn rebuild(
    shared: &Shared,
    url: &str,
    crl: held::Held,
    last_modified: Option<String>,
) -> Result<usize, String> {
    let _one_at_a_time = shared.status.rebuilding();
    let mut ders = shared.status.ders_but(url);
    ders.push(Arc::clone(&crl.der));
    shared
        .registry
        .keep_crls(ders.iter().map(|der| &der[..]))
        .map_err(|e| format!("cannot keep the CRLs: {e}"))?;
    let mut store = CrlStore::new();
    for der in &ders {
        store
            .add(der)
            .map_err(|e| format!("a CRL the check took does not load: {e}"))?;
    }
    let count = store.len();
    let current: Arc<Verifier> = shared.registry.verifier();
    shared
        .registry
        .replace_verifier(Arc::new(current.with_crl_store(store)));
    shared.status.accept(url, crl, last_modified);
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_the_cas_points_then_the_configured_each_once() {
        let cas: Vec<Certificate> = [
            &include_bytes!("../../testdata/refresh/ca-points.cer")[..],
            &include_bytes!("../../../verifier/testdata/pki/certs/ca-rsa.cer")[..],
            &include_bytes!("../../../verifier/testdata/pki/certs/root-rsa.cer")[..],
        ]
        .iter()
        .map(|der| Certificate::from_der(der).unwrap())
        .collect();
        let configured = [
            "http://crl.example/extra.crl".to_owned(),
            "http://crl.qoima.test/points.crl".to_owned(),
        ];
        // The ldap point is left out; root-rsa names none.
        assert_eq!(
            urls(&cas, &configured),
            [
                "http://crl.qoima.test/points.crl",
                "http://crl.qoima.test/points-delta.crl",
                "http://crl.qoima.test/root-rsa.crl",
                "http://crl.example/extra.crl",
            ]
        );
    }
}
