//! The CRLs a registration kept as evidence (`VersionRecord::crls`), read back when a
//! re-verification needs them (`docs/reverification.md`, "Long-term validation"): years
//! later no CRL is in force for a CA that stopped publishing, and the status of the
//! signature's certificates at the registration is what those CRLs said.
//!
//! Each CRL is parsed once and shared by every re-verification that names it; the parsed CRLs
//! are held up to a budget of bytes (their indexes), and all dropped when it is exceeded, so
//! that a bulk run over years of registrations keeps its memory flat.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use qoima_verifier::revocation::{Crl, CrlStore};

use super::Registry;
use super::error::ReverifyError;
use crate::address::ContentAddress;
use crate::storage::{ChunkStore, MetaStore};

/// The bytes the parsed evidence CRLs may hold together.
const BUDGET: usize = 256 << 20;

/// Parsed evidence CRLs by content address, and the bytes they hold.
#[derive(Debug, Default)]
pub(super) struct EvidenceCache {
    parsed: Mutex<Held>,
}

/// What the cache holds: the CRLs, and the bytes of their indexes together.
#[derive(Debug, Default)]
struct Held {
    crls: HashMap<[u8; 32], Arc<Crl>>,
    bytes: usize,
}

impl EvidenceCache {
    fn get(&self, address: &[u8; 32]) -> Option<Arc<Crl>> {
        let held = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        held.crls.get(address).cloned()
    }

    fn remember(&self, address: [u8; 32], crl: Arc<Crl>) {
        let size = crl.heap_size();
        let mut held = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        if held.bytes.saturating_add(size) > BUDGET {
            held.crls.clear();
            held.bytes = 0;
        }
        if held.crls.insert(address, crl).is_none() {
            held.bytes = held.bytes.saturating_add(size);
        }
    }
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// The CRLs at `addresses` (a version's evidence) as one store, for one request. A CRL
    /// that is missing, damaged or not a CRL is [`ReverifyError::Evidence`]: the record
    /// references it, so the vault should hold it.
    pub(super) fn kept_evidence(&self, addresses: &[[u8; 32]]) -> Result<CrlStore, ReverifyError> {
        let mut store = CrlStore::new();
        for address in addresses {
            let crl = match self.evidence_cache.get(address) {
                Some(crl) => crl,
                None => {
                    let crl = Arc::new(self.read_crl(ContentAddress(*address))?);
                    self.evidence_cache.remember(*address, Arc::clone(&crl));
                    crl
                }
            };
            store.add_parsed(crl);
        }
        Ok(store)
    }

    /// The CRL stored at `address`, every chunk verified, parsed.
    fn read_crl(&self, address: ContentAddress) -> Result<Crl, ReverifyError> {
        let damaged = |why: String| ReverifyError::Evidence { address, why };
        let mut reader = self
            .content()
            .read(&address)
            .map_err(|e| damaged(e.to_string()))?;
        let mut der = Vec::new();
        while let Some(piece) = reader.next_chunk().map_err(|e| damaged(e.to_string()))? {
            der.extend_from_slice(&piece);
        }
        Crl::from_der(&der).map_err(|e| damaged(e.to_string()))
    }
}
