//! What the engine remembers between documents, keyed by certificate fingerprint (a chain's
//! status is the same for every document it signs: `docs/verifier.md`, "The pipeline"). Each
//! map is bounded by bytes, its share of the cache's budget ([`DEFAULT_BUDGET`] unless
//! [`Cache::with_budget`] says otherwise): an entry is weighed when it is stored (the sizes
//! of what it holds, from the DER it was made of, plus a fixed overhead), and a map that
//! would exceed its share is emptied and refills with what is in use. That keeps memory flat
//! during a bulk re-verification of millions of documents signed by a few thousand people,
//! and also when a caller sends large distinct certificates, which a bound by count alone
//! would keep by the thousand.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use crate::engine::report::RevocationReport;
use crate::engine::report::{CertificateSummary, CrlSourceReport};
use crate::identity::{Identity, IdentityError};
use crate::path::{Certificate, CertificateError, Fingerprint, ValidatedPath};
use crate::revocation::{CrlSource, RevocationStatus};

/// A validated path and how a report names its certificates.
#[derive(Debug)]
pub(crate) struct CachedPath {
    pub(crate) path: ValidatedPath,
    pub(crate) chain: Arc<[Arc<CertificateSummary>]>,
}

/// A revocation status read at one time and how long it holds: `[from, until)`.
#[derive(Debug, Clone)]
pub(crate) struct CachedStatus {
    pub(crate) from: i64,
    pub(crate) until: i64,
    pub(crate) status: Arc<RevocationStatus>,
    pub(crate) report: Arc<RevocationReport>,
}

/// The bytes all the caches may hold together, by default.
pub const DEFAULT_BUDGET: usize = 64 << 20;

/// What an entry costs beyond the bytes it holds: the map's slot, the key, the `Arc`s and the
/// allocations' headers, rounded up.
const ENTRY: usize = 256;

/// Certificates kept per [`der_key`] value: crafted collisions of the unkeyed hash only
/// cost their sender the cache.
const BUCKET: usize = 4;

/// The bytes a parsed certificate holds: its DER, and copies of parts of it (the
/// tbsCertificate, the names, the key, the signature), which together are no longer than it.
fn certificate_weight(cert: &Certificate) -> usize {
    cert.der().len().saturating_mul(2).saturating_add(ENTRY)
}

/// The bytes of text a report's summary of a certificate holds.
fn summary_weight(summary: &CertificateSummary) -> usize {
    [
        &summary.subject,
        &summary.issuer,
        &summary.serial_number,
        &summary.fingerprint,
        &summary.not_before,
        &summary.not_after,
    ]
    .iter()
    .map(|text| text.len())
    .fold(ENTRY, usize::saturating_add)
}

/// A fast 64-bit hash of a DER encoding (FxHash's multiply-rotate over 8-byte words).
fn der_key(der: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let mut words = der.chunks_exact(8);
    let mut h = der.len() as u64;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        h = mix(h, u64::from_le_bytes(bytes));
    }
    words
        .remainder()
        .iter()
        .fold(h, |h, &b| mix(h, u64::from(b)))
}

/// A map and the bytes its entries weigh.
#[derive(Debug)]
struct Weighed<K, V> {
    map: HashMap<K, (V, usize)>,
    bytes: usize,
}

/// A `RwLock`ed map of at most `budget` bytes (by its entries' weights) that forgets
/// everything when full.
#[derive(Debug)]
struct Bounded<K, V> {
    inner: RwLock<Weighed<K, V>>,
    budget: usize,
}

impl<K: Eq + Hash, V: Clone> Bounded<K, V> {
    fn new(budget: usize) -> Self {
        Self {
            inner: RwLock::new(Weighed {
                map: HashMap::new(),
                bytes: 0,
            }),
            budget,
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Weighed<K, V>> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &K) -> Option<V> {
        self.with(key, V::clone)
    }

    /// `read(value)` under the read lock, without cloning the value.
    fn with<T>(&self, key: &K, read: impl FnOnce(&V) -> T) -> Option<T> {
        let inner = self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.map.get(key).map(|(value, _)| read(value))
    }

    /// `change(value)` under the write lock, the value made by `default` when absent; `weigh`
    /// gives the value's weight once changed.
    fn update(
        &self,
        key: K,
        change: impl FnOnce(&mut V),
        default: impl FnOnce() -> V,
        weigh: impl FnOnce(&V) -> usize,
    ) {
        let mut inner = self.write();
        let (key, mut value) = match inner.map.remove_entry(&key) {
            Some((key, (value, weight))) => {
                inner.bytes = inner.bytes.saturating_sub(weight);
                (key, value)
            }
            None => (key, default()),
        };
        change(&mut value);
        let weight = weigh(&value);
        self.put(&mut inner, key, value, weight);
    }

    fn insert(&self, key: K, value: V, weight: usize) {
        let mut inner = self.write();
        if let Some((_, old)) = inner.map.remove(&key) {
            inner.bytes = inner.bytes.saturating_sub(old);
        }
        self.put(&mut inner, key, value, weight);
    }

    /// Stores an entry of `weight` (absent from the map): the map is emptied first when it
    /// would exceed its budget, and an entry larger than the whole budget is not kept.
    fn put(&self, inner: &mut Weighed<K, V>, key: K, value: V, weight: usize) {
        if inner.bytes.saturating_add(weight) > self.budget {
            inner.map.clear();
            inner.bytes = 0;
        }
        if weight <= self.budget {
            inner.map.insert(key, (value, weight));
            inner.bytes = inner.bytes.saturating_add(weight);
        }
    }

    fn get_or_insert_with(
        &self,
        key: K,
        make: impl FnOnce() -> V,
        weigh: impl FnOnce(&V) -> usize,
    ) -> V {
        if let Some(value) = self.get(&key) {
            return value;
        }
        let value = make();
        let weight = weigh(&value);
        self.insert(key, value.clone(), weight);
        value
    }

    /// The bytes its entries weigh now.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.write().bytes
    }

    /// Its entries now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.write().map.len()
    }
}

/// The engine's caches. Only results that do not depend on the request are kept: parsed
/// certificates, identities and report summaries of certificates and CRLs (facts of the DER),
/// revocation statuses from the verifier's own CRLs with the interval they hold for, and
/// validated paths (their signatures were verified; a hit is validated again at the
/// request's time).
#[derive(Debug)]
pub(crate) struct Cache {
    /// Parsed CMS certificates by [`der_key`]; a bucket holds at most [`BUCKET`] of them.
    certificates: Bounded<u64, Vec<Arc<Certificate>>>,
    identities: Bounded<Fingerprint, Result<Arc<Identity>, IdentityError>>,
    summaries: Bounded<Fingerprint, Arc<CertificateSummary>>,
    crl_sources: Bounded<Fingerprint, Arc<CrlSourceReport>>,
    revocations: Bounded<(Fingerprint, Fingerprint), CachedStatus>,
    paths: Bounded<Fingerprint, Arc<CachedPath>>,
}

impl Cache {
    /// Caches of at most [`DEFAULT_BUDGET`] bytes.
    pub(crate) fn new() -> Self {
        Self::with_budget(DEFAULT_BUDGET)
    }

    /// Caches of at most `budget` bytes together. Each map has a share: the certificates
    /// parsed from every CMS half of it (they are what a caller chooses), the other maps,
    /// whose entries only a certificate that parsed (or a validated path) makes, the rest.
    pub(crate) fn with_budget(budget: usize) -> Self {
        let share = |sixteenths: usize| budget / 16 * sixteenths;
        Self {
            certificates: Bounded::new(share(8)),
            identities: Bounded::new(share(2)),
            summaries: Bounded::new(share(2)),
            crl_sources: Bounded::new(share(1)),
            revocations: Bounded::new(share(1)),
            paths: Bounded::new(share(2)),
        }
    }

    /// The bytes all the maps weigh now.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.certificates.bytes()
            + self.identities.bytes()
            + self.summaries.bytes()
            + self.crl_sources.bytes()
            + self.revocations.bytes()
            + self.paths.bytes()
    }

    /// The certificates kept now.
    #[cfg(test)]
    pub(crate) fn certificates_kept(&self) -> usize {
        self.certificates.len()
    }

    /// The parsed certificate of `der`. Found again by a fast hash of the DER and a
    /// comparison of the whole DER, which is cheaper than its SHA-256 fingerprint: this runs
    /// for every certificate of every CMS.
    pub(crate) fn certificate(&self, der: &[u8]) -> Result<Arc<Certificate>, CertificateError> {
        let key = der_key(der);
        let found = self.certificates.with(&key, |bucket| {
            bucket.iter().find(|cert| cert.der() == der).map(Arc::clone)
        });
        if let Some(cert) = found.flatten() {
            return Ok(cert);
        }
        let cert = Arc::new(Certificate::from_der(der)?);
        self.certificates.update(
            key,
            |bucket| {
                if bucket.len() < BUCKET {
                    bucket.push(Arc::clone(&cert));
                }
            },
            Vec::new,
            |bucket| {
                bucket
                    .iter()
                    .map(|cert| certificate_weight(cert))
                    .fold(ENTRY, usize::saturating_add)
            },
        );
        Ok(cert)
    }

    /// The NCA identity of `cert`.
    pub(crate) fn identity(&self, cert: &Certificate) -> Result<Arc<Identity>, IdentityError> {
        // An identity is text decoded from the certificate's subject: no longer than the
        // DER, twice over for characters that take more bytes in UTF-8.
        let weight = cert.der().len().saturating_mul(2).saturating_add(ENTRY);
        self.identities.get_or_insert_with(
            cert.fingerprint(),
            || Identity::from_der(cert.der()).map(Arc::new),
            |_| weight,
        )
    }

    /// How a report names `cert`.
    pub(crate) fn summary(&self, cert: &Certificate) -> Arc<CertificateSummary> {
        self.summaries.get_or_insert_with(
            cert.fingerprint(),
            || Arc::new(CertificateSummary::of(cert)),
            |summary| summary_weight(summary),
        )
    }

    /// How a report names the CRL `source`.
    pub(crate) fn crl_source(&self, source: &CrlSource) -> Arc<CrlSourceReport> {
        self.crl_sources.get_or_insert_with(
            source.fingerprint,
            || Arc::new(CrlSourceReport::of(source)),
            |report| {
                let number = report.number.as_ref().map_or(0, String::len);
                ENTRY.saturating_add(number)
            },
        )
    }

    /// The status of (certificate, issuer) from the verifier's CRLs at `at`, if cached.
    pub(crate) fn revocation(
        &self,
        key: &(Fingerprint, Fingerprint),
        at: i64,
    ) -> Option<CachedStatus> {
        self.revocations
            .get(key)
            .filter(|cached| cached.from <= at && at < cached.until)
    }

    /// Keeps a status for the interval it holds.
    pub(crate) fn remember_revocation(
        &self,
        key: (Fingerprint, Fingerprint),
        cached: CachedStatus,
    ) {
        // Dates, a reason and the CRLs' summaries (cached and weighed on their own), the OCSP
        // response's summary and the notes on unbelieved ones.
        let report = &cached.report;
        let parts = 1 + report.sources.len() + usize::from(report.ocsp.is_some());
        let weight = ENTRY.saturating_mul(parts + report.ocsp_ignored.len());
        self.revocations.insert(key, cached, weight);
    }

    /// The last path validated for the end entity `fingerprint`.
    pub(crate) fn path(&self, fingerprint: &Fingerprint) -> Option<Arc<CachedPath>> {
        self.paths.get(fingerprint)
    }

    /// Keeps `path` with its report summaries.
    pub(crate) fn remember_path(&self, path: ValidatedPath) -> Arc<CachedPath> {
        let chain = path.certificates.iter().map(|c| self.summary(c)).collect();
        let cached = Arc::new(CachedPath { path, chain });
        if let Some(&fingerprint) = cached.path.fingerprints.first() {
            // The end entity's certificate and summary are the path's own; its CAs are shared
            // by every path they issue, so each costs a slot here.
            let own = cached.path.certificates.first().map_or(0, |cert| {
                certificate_weight(cert).saturating_add(
                    cached
                        .chain
                        .first()
                        .map_or(0, |summary| summary_weight(summary)),
                )
            });
            let weight = ENTRY
                .saturating_mul(cached.path.certificates.len())
                .saturating_add(own);
            self.paths.insert(fingerprint, Arc::clone(&cached), weight);
        }
        cached
    }
}
