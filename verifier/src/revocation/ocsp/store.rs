//! OCSP responses known to a verifier (files given by the caller) or to one request (those a
//! CMS carries, RFC 5940), and the status of a certificate from them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::path::{Certificate, Fingerprint};
use crate::revocation::status::{RevocationStatus, UnknownReason};
use crate::revocation::types::RevocationReason;

use super::error::{OcspError, OcspUnusable};
use super::response::{CertStatus, OcspResponse};
use super::verify::{OcspCheck, VerifiedOcsp};

/// OCSPResponse DER blobs, deduplicated by SHA-256 fingerprint. `Send + Sync`; a clone shares
/// the parsed responses.
#[derive(Debug, Clone, Default)]
pub struct OcspStore {
    responses: Vec<Arc<StoredResponse>>,
    by_fingerprint: HashMap<Fingerprint, usize>,
}

#[derive(Debug)]
struct StoredResponse {
    fingerprint: Fingerprint,
    response: OcspResponse,
    /// Added with [`OcspStore::add_supplied`]: brought by the request's caller.
    supplied: bool,
}

/// Two stores are equal when they hold the same responses, in the same order.
impl PartialEq for OcspStore {
    fn eq(&self, other: &Self) -> bool {
        self.responses.len() == other.responses.len()
            && self
                .responses
                .iter()
                .zip(&other.responses)
                .all(|(a, b)| a.fingerprint == b.fingerprint && a.supplied == b.supplied)
    }
}

impl Eq for OcspStore {}

/// A believed response's answer, and which response it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OcspAnswer {
    /// SHA-256 of the OCSPResponse DER.
    pub response: Fingerprint,
    /// Whether it came from the request-local store (a CMS's own, or supplied with the
    /// request), not the verifier's.
    pub request_local: bool,
    /// Whether it was supplied with the request ([`OcspStore::add_supplied`]: fetched by the
    /// caller over HTTP, or kept as evidence of an earlier verification), not carried by the
    /// CMS.
    pub supplied: bool,
    /// What it says.
    pub verified: VerifiedOcsp,
}

/// The outcome of looking a certificate up in the OCSP responses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OcspLookup {
    /// The answer used: the newest believed `good` or `revoked` (`revoked` among equals),
    /// else the newest `unknown`.
    pub answer: Option<OcspAnswer>,
    /// Responses about the certificate that could not be believed, and why.
    pub ignored: Vec<(Fingerprint, OcspUnusable)>,
}

impl OcspLookup {
    /// The status as the revocation layer states it: good or revoked with no CRL sources, or
    /// unknown with why ([`UnknownReason::OcspUnknown`], [`UnknownReason::OcspUnusable`],
    /// [`UnknownReason::NoOcsp`]).
    pub fn status(&self) -> RevocationStatus {
        match self.answer.as_ref().map(|a| a.verified.status) {
            Some(CertStatus::Good) => RevocationStatus::Good { source: Vec::new() },
            Some(CertStatus::Revoked { time, reason }) => RevocationStatus::Revoked {
                date: time,
                reason: reason.unwrap_or(RevocationReason::Unspecified),
                invalidity_date: None,
                source: Vec::new(),
            },
            Some(CertStatus::Unknown) => RevocationStatus::Unknown {
                why: UnknownReason::OcspUnknown,
            },
            None if !self.ignored.is_empty() => RevocationStatus::Unknown {
                why: UnknownReason::OcspUnusable,
            },
            None => RevocationStatus::Unknown {
                why: UnknownReason::NoOcsp,
            },
        }
    }
}

impl OcspStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads and adds one DER OCSPResponse (a response already present is not read again).
    /// Responses that are not `successful` (tryLater, ...) are kept but answer for nothing.
    pub fn add(&mut self, der: &[u8]) -> Result<Fingerprint, OcspError> {
        self.insert(der, false)
    }

    /// [`Self::add`] for a response the caller brings with one request (fetched from the
    /// responder, or kept as evidence by an earlier verification): its answers are reported
    /// with the origin `request`.
    pub fn add_supplied(&mut self, der: &[u8]) -> Result<Fingerprint, OcspError> {
        self.insert(der, true)
    }

    /// Adds `other`'s responses not present yet (the parsed responses are shared).
    pub fn extend(&mut self, other: &OcspStore) {
        for stored in &other.responses {
            if !self.by_fingerprint.contains_key(&stored.fingerprint) {
                self.by_fingerprint
                    .insert(stored.fingerprint, self.responses.len());
                self.responses.push(Arc::clone(stored));
            }
        }
    }

    /// The fingerprints of the responses held, in the order they were added.
    pub fn fingerprints(&self) -> impl Iterator<Item = Fingerprint> + '_ {
        self.responses.iter().map(|stored| stored.fingerprint)
    }

    fn insert(&mut self, der: &[u8], supplied: bool) -> Result<Fingerprint, OcspError> {
        let fingerprint = Fingerprint::of(der);
        if self.by_fingerprint.contains_key(&fingerprint) {
            return Ok(fingerprint);
        }
        let response = OcspResponse::from_der(der)?;
        self.by_fingerprint
            .insert(fingerprint, self.responses.len());
        self.responses.push(Arc::new(StoredResponse {
            fingerprint,
            response,
            supplied,
        }));
        Ok(fingerprint)
    }

    /// How many distinct responses the store holds.
    pub fn len(&self) -> usize {
        self.responses.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }

    /// The status of `cert`, issued by `issuer`, from this store's responses and a
    /// request-local `extra` store's, each checked with `check` (`verify.rs`).
    pub fn status_with(
        &self,
        extra: Option<&OcspStore>,
        cert: &Certificate,
        issuer: &Certificate,
        check: &OcspCheck<'_>,
    ) -> OcspLookup {
        let mut lookup = OcspLookup::default();
        let stores = std::iter::once((self, false)).chain(extra.map(|s| (s, true)));
        for (store, request_local) in stores {
            for stored in &store.responses {
                let Some(basic) = &stored.response.basic else {
                    continue;
                };
                match basic.verify_for(cert, issuer, check) {
                    Ok(verified) => {
                        let answer = OcspAnswer {
                            response: stored.fingerprint,
                            request_local,
                            supplied: request_local && stored.supplied,
                            verified,
                        };
                        if lookup
                            .answer
                            .as_ref()
                            .is_none_or(|best| better(&answer, best))
                        {
                            lookup.answer = Some(answer);
                        }
                    }
                    Err(OcspUnusable::NotAboutThisCertificate) => {}
                    Err(why) => lookup.ignored.push((stored.fingerprint, why)),
                }
            }
        }
        lookup
    }

    /// Until when (exclusive, unix seconds) a lookup read at `at` may stay the same: the first
    /// instant after `at` at which a response of this store starts or stops being fresh
    /// under `check`'s tolerances.
    pub fn status_stable_until(&self, check: &OcspCheck<'_>) -> i64 {
        let at = check.at;
        self.responses
            .iter()
            .filter_map(|stored| stored.response.basic.as_ref())
            .flat_map(|basic| {
                let produced_at = basic.response_data.produced_at;
                basic
                    .response_data
                    .responses
                    .iter()
                    .flat_map(move |single| {
                        let (from, until) = check.freshness.window(produced_at, single);
                        [from, until.saturating_add(1)]
                    })
            })
            .filter(|&t| t > at)
            .min()
            .unwrap_or(i64::MAX)
    }
}

/// Whether `a` is a better answer than `b`: a definite status before `unknown`, then the newer
/// thisUpdate, then `revoked` before `good`, then the newer producedAt.
fn better(a: &OcspAnswer, b: &OcspAnswer) -> bool {
    let rank = |answer: &OcspAnswer| {
        let v = &answer.verified;
        let (definite, revoked) = match v.status {
            CertStatus::Good => (true, false),
            CertStatus::Revoked { .. } => (true, true),
            CertStatus::Unknown => (false, false),
        };
        (definite, v.this_update, revoked, v.produced_at)
    };
    rank(a) > rank(b)
}
