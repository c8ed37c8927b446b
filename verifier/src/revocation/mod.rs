//! Revocation status from CRLs (RFC 5280 §5 profile, §6.3 CRL processing), judged at the
//! best-signature-time (ETSI EN 319 102-1 §5.2.6; `docs/nca-profile.md`, "CAs and revocation").
//!
//! - [`Crl`]: one CRL parsed once: x509-parser reads all but the revokedCertificates list,
//!   which is read entry by entry without an allocation each (`layout`, `entries`, `der`); its
//!   raw tbsCertList kept for the signature check, or only its digest when the signature is
//!   verified from one (RSA PKCS#1 v1.5, GOST: `covered`); its revoked serials in one sorted array of fixed-width keys with packed dates
//!   and reasons ([`RevokedSerials`], O(log n) lookup, 16 to 28 bytes an entry, `index` and
//!   `build`);
//! - [`CrlStore`]: CRL DER blobs (`--crl` files, a CMS's `crls`; a large DER file read as a
//!   stream, `stream`) deduplicated by SHA-256
//!   fingerprint and indexed by issuer Name. A CRL is only used for certificates whose
//!   issuer *certificate* signed it: the verdict is cached per (CRL fingerprint, issuer
//!   certificate fingerprint), so a CRL carrying a CA's name but signed by a look-alike key is
//!   unusable and never makes anything revoked, and each signature is verified once
//!   (`docs/verifier.md`, "The pipeline");
//! - [`CrlStore::status`]: the newest fresh complete CRL of the issuer, with the newest
//!   delta CRL that applies on top of it (RFC 5280 §5.2.4), gives a [`RevocationStatus`];
//! - [`CrlStore::status_at_proof`] (`past`): the status at a proof of existence from CRLs
//!   that have lapsed since, for a signature re-verified years later (EN 319 102-1 §5.6.2.4);
//! - [`RevocationStatus::decide`]: REVOKED, REVOKED_NO_POE, REVOKED_CA_NO_POE, TRY_LATER or
//!   valid-with-information, comparing date, reason and invalidityDate with the
//!   best-signature-time.
//!
//! - [`distribution_points`]: where a CA publishes its CRLs and delta CRLs (for a fetcher);
//! - [`ocsp`]: OCSP responses (RFC 6960), the other source of a status; the engine asks the
//!   sources in the policy's order.
//!
//! Data flows one way: this module uses `path` and `crypto`; neither uses it. Inside, too:
//! `types` (reason codes, CRL numbers) and `der` (strict DER reading) use no other file here;
//! `index` and `status` use `types`; `build` uses `index`; `entries` uses `der`, `index` and
//! `types`; `layout` uses `der`; `covered` uses `crypto`; `crl` uses all of these but
//! `status`; `stream` uses `crl` and what it uses; `past` uses `crl`, `status` and this file.

mod build;
mod covered;
mod crl;
mod der;
mod entries;
mod error;
mod index;
mod layout;
pub mod ocsp;
mod past;
mod points;
mod status;
pub(crate) mod stream;
mod types;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub use crl::Crl;
pub use error::{CrlError, CrlFileError, CrlUnusable};
pub use index::{RevokedEntry, RevokedSerials};
pub use ocsp::OcspStore;
pub use points::{DistributionPoints, distribution_points};
pub use status::{CrlSource, RevocationDecision, RevocationStatus, Subject, UnknownReason};
pub use types::{CrlNumber, RevocationReason};

use crate::ber::{Tag, Tlv};
use crate::path::{Certificate, Fingerprint};

type VerdictCache = HashMap<(Fingerprint, Fingerprint), Result<(), CrlUnusable>>;

/// The CRLs known to a verifier. `Send + Sync`; the signature verdicts are cached inside.
#[derive(Debug, Default)]
pub struct CrlStore {
    crls: Vec<Arc<Crl>>,
    by_fingerprint: HashMap<Fingerprint, usize>,
    by_issuer: HashMap<Vec<u8>, Vec<usize>>,
    verdicts: Mutex<VerdictCache>,
}

impl CrlStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses and adds one DER CRL; a CRL already present (same fingerprint) is not parsed
    /// again. Returns its fingerprint.
    pub fn add(&mut self, der: &[u8]) -> Result<Fingerprint, CrlError> {
        let fingerprint = Fingerprint::of(der);
        if self.by_fingerprint.contains_key(&fingerprint) {
            return Ok(fingerprint);
        }
        self.insert(Crl::from_der_with(der, fingerprint)?);
        Ok(fingerprint)
    }

    /// Adds the CRLs of the file at `path` (DER, one or several, PEM or base64: as
    /// [`crate::input::decode_crl_file`] then [`Self::add`]); their fingerprints, in file
    /// order.
    ///
    /// A DER file whose CRLs are all in the usual shape (strict DER, canonical entries, an
    /// RSA PKCS#1 v1.5 or GOST signature) is read as a stream: the entries go into the index
    /// as they are read, and memory peaks at the index plus a 64 KiB buffer rather than at
    /// the file plus the index (`stream.rs`). Any other file is read whole; the CRLs are the
    /// same either way, and so are the errors.
    pub fn add_file(&mut self, path: &Path) -> Result<Vec<Fingerprint>, CrlFileError> {
        let file = std::fs::File::open(path).map_err(CrlFileError::Read)?;
        let size = file.metadata().ok().map(|m| m.len());
        if let Some(crls) = stream::read_crls(file, size).map_err(CrlFileError::Read)? {
            return Ok(crls.into_iter().map(|crl| self.insert(crl)).collect());
        }
        let bytes = std::fs::read(path).map_err(CrlFileError::Read)?;
        let decoded = crate::input::decode_crl_file(&bytes).map_err(CrlFileError::Input)?;
        decoded
            .iter()
            .map(|der| self.add(der).map_err(CrlFileError::Crl))
            .collect()
    }

    /// Adds a CRL parsed before, shared with other stores (a vault's cache of the CRLs it
    /// keeps as evidence: parsed once, then in the store of each request that needs it),
    /// unless one with its fingerprint is present; its fingerprint.
    pub fn add_parsed(&mut self, crl: Arc<Crl>) -> Fingerprint {
        let fingerprint = crl.fingerprint();
        if self.by_fingerprint.contains_key(&fingerprint) {
            return fingerprint;
        }
        let index = self.crls.len();
        self.by_fingerprint.insert(fingerprint, index);
        self.by_issuer
            .entry(crl.issuer_raw().to_vec())
            .or_default()
            .push(index);
        self.crls.push(crl);
        fingerprint
    }

    /// Adds a parsed CRL unless one with its fingerprint is present; its fingerprint.
    fn insert(&mut self, crl: Crl) -> Fingerprint {
        self.add_parsed(Arc::new(crl))
    }

    /// How many distinct CRLs the store holds.
    pub fn len(&self) -> usize {
        self.crls.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty()
    }

    /// The CRL with this fingerprint.
    pub fn get(&self, fingerprint: &Fingerprint) -> Option<&Arc<Crl>> {
        self.by_fingerprint
            .get(fingerprint)
            .and_then(|&i| self.crls.get(i))
    }

    /// Whether `issuer` signed `crl` (RFC 5280 §6.3.3 (f)), verified once per pair and cached.
    pub fn verify(&self, crl: &Crl, issuer: &Certificate) -> Result<(), CrlUnusable> {
        let key = (crl.fingerprint(), issuer.fingerprint());
        let cached = self
            .verdicts
            .lock()
            .map(|cache| cache.get(&key).cloned())
            .unwrap_or_else(|poisoned| poisoned.into_inner().get(&key).cloned());
        if let Some(verdict) = cached {
            return verdict;
        }
        let verdict = crl.verify_issued_by(issuer);
        let mut cache = self
            .verdicts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.insert(key, verdict.clone());
        verdict
    }

    /// The revocation status of `cert`, issued by `issuer` (the next certificate on its
    /// validated path), at the validation time `at` (unix seconds), from the CRLs that
    /// `issuer` signed (RFC 5280 §6.3.3):
    ///
    /// - CRLs naming the issuer whose signature does not verify with `issuer`'s key are
    ///   ignored ([`UnknownReason::BadSignature`] if nothing else is left);
    /// - the complete CRL is the fresh one (thisUpdate ≤ at ≤ nextUpdate, see
    ///   [`Crl::is_fresh_at`]) with the latest thisUpdate (then the highest cRLNumber); a
    ///   stale one is only used with a fresh delta CRL applying to it;
    /// - a delta CRL applies when its BaseCRLNumber ≤ the complete CRL's cRLNumber (RFC 5280
    ///   §5.2.4) and it is not older (thisUpdate) than the complete CRL. Its own cRLNumber is
    ///   not compared with the complete CRL's: NCA numbers deltas in a sequence of their own
    ///   (the 2025 test delta is number 0x0A for base 0x0E), against §5.2.3. Its entries
    ///   override the complete CRL's, and
    ///   removeFromCRL un-lists a certificate (a released certificateHold, §5.3.1).
    ///
    /// Whether a revocation makes the signature fail is [`RevocationStatus::decide`]'s
    /// question.
    pub fn status(&self, cert: &Certificate, issuer: &Certificate, at: i64) -> RevocationStatus {
        self.status_with(None, cert, issuer, at)
    }

    /// The serial of `cert` and the CRLs of this store and of `extras` that `issuer` names
    /// and signed, each signature verdict cached in the store that holds it; the unknown
    /// status when there is no serial, no CRL of `issuer`, or none it signed.
    fn signed_by<'s>(
        &'s self,
        extras: &[&'s CrlStore],
        cert: &'s Certificate,
        issuer: &Certificate,
    ) -> Result<(&'s [u8], Vec<&'s Crl>), RevocationStatus> {
        let unknown = |why| RevocationStatus::Unknown { why };
        let serial = serial_of(cert).ok_or(unknown(UnknownReason::MalformedCertificate))?;
        if cert.issuer_raw() != issuer.subject_raw() {
            return Err(unknown(UnknownReason::NoCrl));
        }
        let mut named = 0;
        let signed: Vec<&Crl> = std::iter::once(self)
            .chain(extras.iter().copied())
            .flat_map(|store| {
                let crls = store.named(issuer);
                named += crls.len();
                crls.into_iter()
                    .filter(|crl| store.verify(crl, issuer).is_ok())
            })
            .collect();
        if named == 0 {
            return Err(unknown(UnknownReason::NoCrl));
        }
        if signed.is_empty() {
            return Err(unknown(UnknownReason::BadSignature));
        }
        Ok((serial, signed))
    }

    /// [`Self::status`] over this store's CRLs and a request-local `extra` store's (a CMS's
    /// own `crls`), each CRL's signature verdict cached in the store that holds it.
    pub fn status_with(
        &self,
        extra: Option<&CrlStore>,
        cert: &Certificate,
        issuer: &Certificate,
        at: i64,
    ) -> RevocationStatus {
        self.status_among(extra.as_slice(), cert, issuer, at)
    }

    /// [`Self::status`] over this store's CRLs and those of request-local `extras` (a CMS's
    /// own `crls`, the evidence a vault kept with a registration), each CRL's signature
    /// verdict cached in the store that holds it.
    pub fn status_among(
        &self,
        extras: &[&CrlStore],
        cert: &Certificate,
        issuer: &Certificate,
        at: i64,
    ) -> RevocationStatus {
        let (serial, signed) = match self.signed_by(extras, cert, issuer) {
            Ok(found) => found,
            Err(unknown) => return unknown,
        };
        let newest =
            |a: &&Crl, b: &&Crl| (a.this_update(), a.number()).cmp(&(b.this_update(), b.number()));
        let deltas_for = |base: &Crl| -> Option<&Crl> {
            let base_number = base.number()?;
            signed
                .iter()
                .copied()
                .filter(|d| d.is_fresh_at(at))
                .filter(|d| {
                    d.delta_base().is_some_and(|b| b <= base_number)
                        && d.this_update() >= base.this_update()
                })
                .max_by(newest)
        };
        let complete = signed.iter().copied().filter(|c| !c.is_delta());
        let chosen = match complete
            .clone()
            .filter(|c| c.is_fresh_at(at))
            .max_by(newest)
        {
            Some(base) => Some((base, deltas_for(base))),
            None => complete
                .filter(|c| c.this_update() <= at)
                .filter_map(|c| deltas_for(c).map(|d| (c, Some(d))))
                .max_by(|a, b| newest(&a.0, &b.0)),
        };
        let Some((base, delta)) = chosen else {
            let only_deltas = signed.iter().all(|c| c.is_delta());
            let why = if only_deltas {
                UnknownReason::NoBaseCrl
            } else {
                UnknownReason::Stale
            };
            return RevocationStatus::Unknown { why };
        };
        let mut source = vec![source_of(base)];
        source.extend(delta.map(source_of));
        let listed = match delta.and_then(|d| d.revoked().get(serial)) {
            Some(entry) => Some(entry),
            None => base.revoked().get(serial),
        };
        listed_status(listed, source)
    }
}

impl CrlStore {
    /// Until when (exclusive, unix seconds) a [`Self::status`] read at `at` for a certificate
    /// of `issuer` stays the same: the first instant after `at` at which one of the issuer's
    /// CRLs starts (thisUpdate) or stops (nextUpdate) being usable. A cache may keep the
    /// status for `[at, until)`.
    pub fn status_stable_until(&self, issuer: &Certificate, at: i64) -> i64 {
        self.named(issuer)
            .into_iter()
            .flat_map(|crl| [Some(crl.this_update()), crl.next_update()])
            .flatten()
            .filter(|&t| t > at)
            .min()
            .unwrap_or(i64::MAX)
    }

    /// The CRLs whose issuer Name is `issuer`'s subject.
    fn named(&self, issuer: &Certificate) -> Vec<&Crl> {
        self.by_issuer
            .get(issuer.subject_raw())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.crls.get(i))
            .map(Arc::as_ref)
            .collect()
    }
}

/// The status a CRL entry (`None`: not listed) gives, read from `source`: removeFromCRL (a
/// delta's release of a hold, RFC 5280 §5.3.1) un-lists, no reasonCode is unspecified.
fn listed_status(listed: Option<RevokedEntry>, source: Vec<CrlSource>) -> RevocationStatus {
    match listed {
        Some(RevokedEntry {
            reason: Some(RevocationReason::RemoveFromCrl),
            ..
        })
        | None => RevocationStatus::Good { source },
        Some(RevokedEntry {
            date,
            reason,
            invalidity_date,
        }) => RevocationStatus::Revoked {
            date,
            reason: reason.unwrap_or(RevocationReason::Unspecified),
            invalidity_date,
            source,
        },
    }
}

fn source_of(crl: &Crl) -> CrlSource {
    CrlSource {
        fingerprint: crl.fingerprint(),
        this_update: crl.this_update(),
        next_update: crl.next_update(),
        number: crl.number().cloned(),
        delta: crl.is_delta(),
    }
}

/// The serialNumber INTEGER content of a certificate (RFC 5280 §4.1.2.2), from its
/// tbsCertificate: after the optional `[0]` version.
pub(crate) fn serial_of(cert: &Certificate) -> Option<&[u8]> {
    let tbs = Tlv::parse_single(cert.tbs_certificate()).ok()?;
    let mut fields = tbs.children();
    let mut first = fields.next_tlv().ok()??;
    if first.tag() == Tag::context(0, true) {
        first = fields.next_tlv().ok()??;
    }
    (first.tag() == Tag::INTEGER).then(|| first.content())
}
