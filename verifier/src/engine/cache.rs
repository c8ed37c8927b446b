//! What the engine remembers between documents, keyed by certificate fingerprint (a chain's
//! status is the same for every document it signs: `docs/verifier.md`, "The pipeline"). Each
//! map is bounded: when full it is emptied and refills with what is in use, which keeps memory
//! flat during a bulk re-verification of millions of documents signed by a few thousand people.

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

/// Entries per map before it is emptied.
const CAPACITY: usize = 1 << 16;

/// Certificates kept per [`der_key`] value: crafted collisions of the unkeyed hash only
/// cost their sender the cache.
const BUCKET: usize = 4;

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

/// A `RwLock`ed map that forgets everything when full.
#[derive(Debug)]
struct Bounded<K, V>(RwLock<HashMap<K, V>>);

impl<K: Eq + Hash, V: Clone> Bounded<K, V> {
    fn new() -> Self {
        Self(RwLock::new(HashMap::new()))
    }

    fn get(&self, key: &K) -> Option<V> {
        self.with(key, V::clone)
    }

    /// `read(value)` under the read lock, without cloning the value.
    fn with<T>(&self, key: &K, read: impl FnOnce(&V) -> T) -> Option<T> {
        let map = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(key).map(read)
    }

    /// `change(value)` under the write lock, the value made by `default` when absent.
    fn update(&self, key: K, change: impl FnOnce(&mut V), default: impl FnOnce() -> V) {
        let mut map = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= CAPACITY && !map.contains_key(&key) {
            map.clear();
        }
        change(map.entry(key).or_insert_with(default));
    }

    fn insert(&self, key: K, value: V) {
        let mut map = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, value);
    }

    fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
        if let Some(value) = self.get(&key) {
            return value;
        }
        let value = make();
        self.insert(key, value.clone());
        value
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
    pub(crate) fn new() -> Self {
        Self {
            certificates: Bounded::new(),
            identities: Bounded::new(),
            summaries: Bounded::new(),
            crl_sources: Bounded::new(),
            revocations: Bounded::new(),
            paths: Bounded::new(),
        }
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
        );
        Ok(cert)
    }

    /// The NCA identity of `cert`.
    pub(crate) fn identity(&self, cert: &Certificate) -> Result<Arc<Identity>, IdentityError> {
        self.identities.get_or_insert_with(cert.fingerprint(), || {
            Identity::from_der(cert.der()).map(Arc::new)
        })
    }

    /// How a report names `cert`.
    pub(crate) fn summary(&self, cert: &Certificate) -> Arc<CertificateSummary> {
        self.summaries.get_or_insert_with(cert.fingerprint(), || {
            Arc::new(CertificateSummary::of(cert))
        })
    }

    /// How a report names the CRL `source`.
    pub(crate) fn crl_source(&self, source: &CrlSource) -> Arc<CrlSourceReport> {
        self.crl_sources
            .get_or_insert_with(source.fingerprint, || Arc::new(CrlSourceReport::of(source)))
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
        self.revocations.insert(key, cached);
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
            self.paths.insert(fingerprint, Arc::clone(&cached));
        }
        cached
    }
}
