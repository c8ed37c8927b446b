//! Trust anchors and untrusted intermediates, deduplicated by fingerprint and indexed by raw
//! subject Name and by subjectKeyIdentifier (RFC 5280 §4.2.1.2), so that issuer candidates for
//! a certificate are found without scanning.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cms::SignerIdentifier;
use crate::path::cert::{Certificate, significant};
use crate::path::error::CertificateError;
use crate::path::fingerprint::Fingerprint;

#[derive(Debug, Clone)]
struct Entry {
    cert: Arc<Certificate>,
    anchor: bool,
}

/// The certificates a path may be built from.
///
/// Trust anchors come from the operator (`--trust`); whether they are self-signed does not
/// matter, and their own signature is not checked (trusted by configuration). Intermediates
/// (`--ca` files, a CMS's `certificates`) are untrusted: they only enter a path when their
/// issuer's signature over them verifies. A certificate added twice is stored once; adding
/// an intermediate again as a trust anchor makes it one.
#[derive(Debug, Clone, Default)]
pub struct CertificateStore {
    entries: Vec<Entry>,
    by_fingerprint: HashMap<Fingerprint, usize>,
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
    by_key_id: HashMap<Vec<u8>, Vec<usize>>,
    /// By serial number without leading zero octets (see [`Certificate::is_identified_by`]).
    by_serial: HashMap<Vec<u8>, Vec<usize>>,
}

impl CertificateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a trust anchor (DER). Returns its fingerprint.
    pub fn add_trust_anchor(&mut self, der: &[u8]) -> Result<Fingerprint, CertificateError> {
        self.add(der, true)
    }

    /// Adds an untrusted intermediate (DER). Returns its fingerprint.
    pub fn add_intermediate(&mut self, der: &[u8]) -> Result<Fingerprint, CertificateError> {
        self.add(der, false)
    }

    /// Adds an untrusted intermediate that is already parsed. Returns its fingerprint.
    pub fn add_intermediate_certificate(&mut self, cert: Arc<Certificate>) -> Fingerprint {
        self.insert(cert, false)
    }

    fn add(&mut self, der: &[u8], anchor: bool) -> Result<Fingerprint, CertificateError> {
        let fingerprint = Fingerprint::of(der);
        if self.by_fingerprint.contains_key(&fingerprint) {
            return Ok(self.insert_known(fingerprint, anchor));
        }
        Ok(self.insert(Arc::new(Certificate::from_der(der)?), anchor))
    }

    fn insert_known(&mut self, fingerprint: Fingerprint, anchor: bool) -> Fingerprint {
        if let Some(entry) = self
            .by_fingerprint
            .get(&fingerprint)
            .and_then(|&i| self.entries.get_mut(i))
        {
            entry.anchor |= anchor;
        }
        fingerprint
    }

    fn insert(&mut self, cert: Arc<Certificate>, anchor: bool) -> Fingerprint {
        let fingerprint = cert.fingerprint();
        if self.by_fingerprint.contains_key(&fingerprint) {
            return self.insert_known(fingerprint, anchor);
        }
        let index = self.entries.len();
        self.by_fingerprint.insert(fingerprint, index);
        self.by_subject
            .entry(cert.subject_raw().to_vec())
            .or_default()
            .push(index);
        if let Some(ski) = cert.subject_key_id() {
            self.by_key_id.entry(ski.to_vec()).or_default().push(index);
        }
        self.by_serial
            .entry(significant(cert.serial()).to_vec())
            .or_default()
            .push(index);
        self.entries.push(Entry { cert, anchor });
        fingerprint
    }

    /// How many distinct certificates the store holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The certificate with this fingerprint.
    pub fn get(&self, fingerprint: &Fingerprint) -> Option<&Arc<Certificate>> {
        let i = self.by_fingerprint.get(fingerprint)?;
        self.entries.get(*i).map(|e| &e.cert)
    }

    /// Whether the certificate with this fingerprint is a trust anchor.
    pub fn is_trust_anchor(&self, fingerprint: &Fingerprint) -> bool {
        self.by_fingerprint
            .get(fingerprint)
            .and_then(|&i| self.entries.get(i))
            .is_some_and(|e| e.anchor)
    }

    /// The certificates a SignerInfo's `sid` names (RFC 5652 §5.3), in the order added:
    /// found through the serial-number or key-identifier index, then matched by
    /// [`Certificate::is_identified_by`].
    pub fn signer_candidates<'s>(
        &'s self,
        sid: &'s SignerIdentifier<'_>,
    ) -> impl Iterator<Item = &'s Arc<Certificate>> + 's {
        let indexed = match sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => {
                self.by_serial.get(significant(id.serial_number))
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => self.by_key_id.get(ski.as_ref()),
        };
        indexed
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.entries.get(i))
            .map(|e| &e.cert)
            .filter(move |cert| cert.is_identified_by(sid))
    }

    /// Issuer candidates for `child` (RFC 5280 §6.1.3 (a)(4): subject equals the child's
    /// issuer, exact DER bytes), in a deterministic order: those whose subjectKeyIdentifier
    /// equals the child's authorityKeyIdentifier first, then the others with no SKI or another
    /// one (a key identifier is a hint, the signature decides); within each group trust
    /// anchors before intermediates, then in the order added.
    pub(crate) fn issuer_candidates(&self, child: &Certificate) -> Vec<(&Arc<Certificate>, bool)> {
        let Some(by_name) = self.by_subject.get(child.issuer_raw()) else {
            return Vec::new();
        };
        let by_key: &[usize] = child
            .authority_key_id()
            .and_then(|aki| self.by_key_id.get(aki))
            .map_or(&[], Vec::as_slice);
        let mut ranked: Vec<(bool, bool, usize)> = by_name
            .iter()
            .filter_map(|&i| {
                let entry = self.entries.get(i)?;
                Some((!by_key.contains(&i), !entry.anchor, i))
            })
            .collect();
        ranked.sort_unstable();
        ranked
            .into_iter()
            .filter_map(|(_, _, i)| self.entries.get(i).map(|e| (&e.cert, e.anchor)))
            .collect()
    }
}
