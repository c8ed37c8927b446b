//! OCSP over HTTP on the registration path of `qoima serve` (RFC 6960 Appendix A.1,
//! `docs/revocation.md`).
//!
//! Before a registration is verified, its signers' certificates and the CA certificates above
//! them ([`targets`]) are asked about at their responders (authorityInfoAccess id-ad-ocsp, or
//! `[revocation] ocsp-url`): one POST of an `application/ocsp-request` each, all at once,
//! through the bounded client of [`crate::fetch`]. A response is checked by the verifier's own
//! code ([`Verifier::check_ocsp_response`]: CertID, signer, responder, nonce, freshness)
//! before it is held ([`cache`]) and handed to the registration, whose verification reads
//! it beside the signature's own and keeps it as evidence when its verdict used it. A
//! responder that fails (no connection, deadline, an HTTP error, `tryLater`, a response not
//! believed) is logged and counted: the registration goes on without it, and the CRLs
//! answer, as the policy's order says. A responder that does not answer well (no connection,
//! deadline, HTTP error, not an OCSPResponse, `tryLater` and the other error statuses) is not
//! asked again for the back-off's wait; a well-formed response not believed about one
//! certificate (another signer, stale, ...) only keeps that certificate from being asked again
//! for `retry-base-seconds`.
//!
//! Why here: the fetch is network I/O, awaited by the request's task before its verification
//! is handed to the verification pool, so no async worker is held while a responder is slow,
//! and only registrations (whose verdicts are kept as evidence) wait for a responder at all;
//! `POST /v1/verify` answers from what the verifier holds.

mod cache;
mod targets;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use qoima_verifier::Verifier;
use qoima_verifier::path::Certificate;
use qoima_verifier::policy::RevocationSource;
use qoima_verifier::revocation::ocsp::{CertStatus, OcspRequest, OcspResponse, OcspUnusable};
use ring::rand::{SecureRandom, SystemRandom};
use tokio::task::JoinSet;

use crate::config::OcspSettings;
use crate::fetch::{Backoff, FetchError, Fetcher, Limits};
use cache::{Cache, Entry, Key};
use targets::Target;

/// The OCSP client of a server: its settings, its HTTP client, the responses held and each
/// responder's failures. `Send + Sync`.
pub struct OcspClient {
    settings: OcspSettings,
    fetcher: Fetcher,
    backoff: Backoff,
    /// The trust store's CA certificates: issuers of the certificates asked about.
    cas: Vec<Arc<Certificate>>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    cache: Cache,
    /// Per responder URL: failures in a row, and when it may be asked again.
    failing: HashMap<String, (u32, Instant)>,
    /// Answers by outcome (`good`, `revoked`, `unknown`, `refused`, `cached`, `failed`,
    /// `skipped`).
    outcomes: HashMap<&'static str, u64>,
    /// The time of every question asked (the exchange and the check), whatever its outcome.
    latency: Latency,
}

/// Durations as a Prometheus summary (count and sum), with the longest.
#[derive(Default)]
struct Latency {
    count: u64,
    sum: Duration,
    max: Duration,
}

impl Latency {
    fn observe(&mut self, elapsed: Duration) {
        self.count += 1;
        self.sum += elapsed;
        self.max = self.max.max(elapsed);
    }
}

/// Why a responder gave nothing usable.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// The HTTP exchange failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The answer is not an OCSPResponse.
    #[error("not an OCSP response: {0}")]
    Malformed(String),
    /// The response is not believed (tryLater and the other error statuses included).
    #[error("response not used: {0}")]
    Unusable(#[from] OcspUnusable),
    /// No request could be built for the certificate.
    #[error("no request: {0}")]
    Request(String),
}

impl Failure {
    /// Whether the responder itself is at fault (it is then left alone for a while), not
    /// only its answer about one certificate.
    fn is_responders(&self) -> bool {
        match self {
            Self::Fetch(_) | Self::Malformed(_) => true,
            Self::Unusable(why) => matches!(why, OcspUnusable::NotSuccessful(_)),
            Self::Request(_) => false,
        }
    }
}

impl OcspClient {
    /// A client with these settings and back-off, asking about certificates issued by the
    /// CA certificates `ca_certificates` (DER; those that do not parse are left out). `None`
    /// when OCSP is off.
    pub(crate) fn new(
        settings: &OcspSettings,
        backoff: Backoff,
        ca_certificates: &[Vec<u8>],
    ) -> Option<Arc<Self>> {
        if !settings.enabled {
            return None;
        }
        let cas = ca_certificates
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok())
            .map(Arc::new)
            .collect();
        Some(Arc::new(Self {
            fetcher: Fetcher::new(Limits {
                deadline: settings.timeout,
                max_bytes: settings.max_bytes,
                connect: settings.timeout.min(Limits::default().connect),
            }),
            settings: settings.clone(),
            backoff,
            cas,
            inner: Mutex::new(Inner::default()),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The responses (DER) to supply to the verification of `signatures` by `verifier`: for
    /// each certificate of [`targets::of`], a held one still current, or one fetched now and
    /// believed, when it says `good` or `revoked`. Empty when the policy does not ask OCSP.
    /// Takes at most about `ocsp-timeout-seconds`; never fails (a failure leaves the CRLs
    /// to answer).
    pub(crate) async fn responses_for(
        self: &Arc<Self>,
        verifier: Arc<Verifier>,
        signatures: &[Vec<u8>],
    ) -> Vec<Arc<[u8]>> {
        if !verifier
            .policy()
            .revocation_sources
            .contains(&RevocationSource::Ocsp)
        {
            return Vec::new();
        }
        let targets = targets::of(signatures, &self.cas, self.settings.url.as_deref());
        let now = jiff::Timestamp::now().as_second();
        let mut found = Vec::new();
        let mut asking = JoinSet::new();
        for target in targets {
            let key: Key = (target.cert.fingerprint(), target.issuer.fingerprint());
            let mut inner = self.lock();
            if let Some(entry) = inner.cache.get(&key, now) {
                if entry.definite {
                    found.push(Arc::clone(&entry.der));
                }
                count(&mut inner, "cached");
                continue;
            }
            if inner
                .failing
                .get(&target.url)
                .is_some_and(|(_, retry)| *retry > Instant::now())
            {
                count(&mut inner, "skipped");
                continue;
            }
            drop(inner);
            let (client, verifier) = (Arc::clone(self), Arc::clone(&verifier));
            asking.spawn(async move {
                let started = Instant::now();
                let answer = client.ask(&verifier, &target, now).await;
                (target, key, answer, started.elapsed())
            });
        }
        while let Some(joined) = asking.join_next().await {
            let Ok((target, key, answer, elapsed)) = joined else {
                continue;
            };
            let mut inner = self.lock();
            inner.latency.observe(elapsed);
            match answer {
                Ok((entry, status)) => {
                    inner.failing.remove(&target.url);
                    count(&mut inner, status);
                    if entry.definite {
                        found.push(Arc::clone(&entry.der));
                    }
                    inner.cache.put(key, entry, now);
                }
                Err(failure) if failure.is_responders() => {
                    count(&mut inner, "failed");
                    let failures = inner
                        .failing
                        .get(&target.url)
                        .map_or(1, |(n, _)| n.saturating_add(1));
                    let wait = self.backoff.wait(failures);
                    inner
                        .failing
                        .insert(target.url.clone(), (failures, Instant::now() + wait));
                    drop(inner);
                    tracing::warn!(
                        url = target.url,
                        error = %failure,
                        retry_after_seconds = wait.as_secs(),
                        "ocsp: the responder gave no usable response; the CRLs answer"
                    );
                }
                Err(failure) => {
                    count(&mut inner, "refused");
                    let base = i64::try_from(self.backoff.base.as_secs()).unwrap_or(i64::MAX);
                    let entry = Entry {
                        der: Arc::from(&[][..]),
                        definite: false,
                        until: now.saturating_add(base),
                    };
                    inner.cache.put(key, entry, now);
                    drop(inner);
                    tracing::warn!(
                        url = target.url,
                        certificate = %target.cert.fingerprint(),
                        error = %failure,
                        "ocsp: response refused for this certificate; the CRLs answer"
                    );
                }
            }
        }
        found
    }

    /// Asks `target.url` about `target.cert` and checks the answer at `now`: the entry to
    /// hold and the status's name.
    async fn ask(
        &self,
        verifier: &Arc<Verifier>,
        target: &Target,
        now: i64,
    ) -> Result<(Entry, &'static str), Failure> {
        let nonce = self.settings.nonce.then(nonce);
        let request = OcspRequest::new(
            &target.cert,
            &target.issuer,
            self.settings.hash,
            nonce.as_ref().map(|n| &n[..]),
        )
        .map_err(|e| Failure::Request(e.to_string()))?;
        let bytes = self
            .fetcher
            .post(
                &target.url,
                "application/ocsp-request",
                "application/ocsp-response",
                request.into_der(),
            )
            .await?;
        let (verifier, cert, issuer) = (
            Arc::clone(verifier),
            Arc::clone(&target.cert),
            Arc::clone(&target.issuer),
        );
        let cache_seconds = i64::try_from(self.settings.cache.as_secs()).unwrap_or(i64::MAX);
        // Parsing and a signature check (GOST takes milliseconds): off the async workers.
        tokio::task::spawn_blocking(move || {
            let response =
                OcspResponse::from_der(&bytes).map_err(|e| Failure::Malformed(e.to_string()))?;
            let verified = verifier.check_ocsp_response(
                &response,
                &cert,
                &issuer,
                nonce.as_ref().map(|n| &n[..]),
                now,
            )?;
            let (definite, status) = match verified.status {
                CertStatus::Good => (true, "good"),
                CertStatus::Revoked { .. } => (true, "revoked"),
                _ => (false, "unknown"),
            };
            let entry = Entry {
                der: Arc::from(&bytes[..]),
                definite,
                until: cache::until(now, verified.next_update, cache_seconds),
            };
            Ok((entry, status))
        })
        .await
        .map_err(|e| Failure::Malformed(format!("the check did not finish: {e}")))?
    }

    /// The Prometheus families of the OCSP client (text format 0.0.4): answers by outcome,
    /// and the responses held.
    pub fn render(&self, out: &mut String) {
        let inner = self.lock();
        let name = "qoima_ocsp_answers_total";
        let _ = writeln!(
            out,
            "# HELP {name} OCSP answers for registrations, by outcome (good, revoked, unknown: \
             fetched and believed; refused: not believed; cached; failed: the responder's \
             fault; skipped: a failing responder's back-off).\n\
             # TYPE {name} counter"
        );
        let mut outcomes: Vec<_> = inner.outcomes.iter().collect();
        outcomes.sort();
        for (outcome, n) in outcomes {
            let _ = writeln!(out, "{name}{{outcome=\"{outcome}\"}} {n}");
        }
        let name = "qoima_ocsp_request_seconds";
        let latency = &inner.latency;
        let _ = writeln!(
            out,
            "# HELP {name} Time of the OCSP questions asked (the exchange with the responder \
             and the check of its answer), whatever their outcome.\n\
             # TYPE {name} summary\n\
             {name}_sum {}\n{name}_count {}",
            latency.sum.as_secs_f64(),
            latency.count
        );
        let name = "qoima_ocsp_request_max_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} The longest OCSP question asked.\n# TYPE {name} gauge\n{name} {}",
            latency.max.as_secs_f64()
        );
        let name = "qoima_ocsp_responses_held";
        let _ = writeln!(
            out,
            "# HELP {name} OCSP responses held for reuse.\n# TYPE {name} gauge\n{name} {}",
            inner.cache.len()
        );
    }
}

fn count(inner: &mut Inner, outcome: &'static str) {
    *inner.outcomes.entry(outcome).or_default() += 1;
}

/// A random nonce of 16 octets (RFC 8954 §2.1 asks at least 1, at most 32; 16 is what
/// openssl sends). With no randomness, the time: a nonce only has to differ between requests.
fn nonce() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_nanos();
        bytes = nanos.to_le_bytes();
    }
    bytes
}
