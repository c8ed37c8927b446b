//! What the engine remembers between documents, keyed by certificate fingerprint (DESIGN.md
//! §2: a chain's status is the same for every document it signs). Each map is bounded: when
//! full it is emptied and refills with what is in use, which keeps memory flat during a
//! bulk re-verification of millions of documents signed by a few thousand people.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use crate::engine::report::{CertificateSummary, CrlSourceReport};
use crate::identity::{Identity, IdentityError};
use crate::path::{Certificate, CertificateError, Fingerprint, ValidatedPath};
use crate::revocation::CrlSource;

/// Entries per map before it is emptied.
const CAPACITY: usize = 1 << 16;

/// A `RwLock`ed map that forgets everything when full.
#[derive(Debug)]
struct Bounded<K, V>(RwLock<HashMap<K, V>>);

impl<K: Eq + Hash, V: Clone> Bounded<K, V> {
    fn new() -> Self {
        Self(RwLock::new(HashMap::new()))
    }

    fn get(&self, key: &K) -> Option<V> {
        let map = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(key).cloned()
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
/// certificates, identities and report summaries of certificates and CRLs (facts of the DER), and validated paths (their signatures
/// were verified; a hit is validated again at the request's time).
#[derive(Debug)]
pub(crate) struct Cache {
    certificates: Bounded<Fingerprint, Result<Arc<Certificate>, CertificateError>>,
    identities: Bounded<Fingerprint, Result<Arc<Identity>, IdentityError>>,
    summaries: Bounded<Fingerprint, Arc<CertificateSummary>>,
    crl_sources: Bounded<Fingerprint, Arc<CrlSourceReport>>,
    paths: Bounded<Fingerprint, Arc<ValidatedPath>>,
}

impl Cache {
    pub(crate) fn new() -> Self {
        Self {
            certificates: Bounded::new(),
            identities: Bounded::new(),
            summaries: Bounded::new(),
            crl_sources: Bounded::new(),
            paths: Bounded::new(),
        }
    }

    /// The parsed certificate of `der`, whose fingerprint is `fingerprint`.
    pub(crate) fn certificate(
        &self,
        fingerprint: Fingerprint,
        der: &[u8],
    ) -> Result<Arc<Certificate>, CertificateError> {
        self.certificates
            .get_or_insert_with(fingerprint, || Certificate::from_der(der).map(Arc::new))
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

    /// The last path validated for the end entity `fingerprint`.
    pub(crate) fn path(&self, fingerprint: &Fingerprint) -> Option<Arc<ValidatedPath>> {
        self.paths.get(fingerprint)
    }

    pub(crate) fn remember_path(&self, path: Arc<ValidatedPath>) {
        if let Some(&fingerprint) = path.fingerprints.first() {
            self.paths.insert(fingerprint, path);
        }
    }
}
