//! Revocation data an operator imported (`crate::imports`), put in force in the running
//! server: held beside the files' and the fetched CRLs, so that every later rebuild keeps it,
//! and a verifier over everything held swapped in at once (the next request uses it).

use std::sync::Arc;

use qoima_verifier::Verifier;
use qoima_verifier::revocation::{CrlStore, OcspStore};

use super::held;
use super::status::CrlStatus;
use crate::engine::Registry;
use crate::imports::{Checked, Kind};

/// Holds `checked` (already kept as content) and puts a verifier over everything held in
/// force. Returns how many CRLs and OCSP responses the verifier has.
pub(crate) fn import(
    registry: &Registry,
    status: &CrlStatus,
    checked: &Checked,
) -> Result<(usize, usize), String> {
    hold(status, checked.kind, &checked.der)?;
    rebuild(registry, status)
}

/// At the server's start: holds the imports listed in the data directory and, when there are
/// any, puts a verifier over everything held in force.
pub(crate) fn restore(
    registry: &Registry,
    status: &CrlStatus,
    imports: Vec<(Kind, Vec<u8>)>,
) -> Result<(usize, usize), String> {
    if imports.is_empty() {
        return Ok((0, 0));
    }
    for (kind, der) in imports {
        hold(status, kind, &der)?;
    }
    rebuild(registry, status)
}

fn hold(status: &CrlStatus, kind: Kind, der: &[u8]) -> Result<(), String> {
    match kind {
        Kind::Crl => {
            let crl = held::from_file(der).map_err(|e| format!("an imported CRL: {e}"))?;
            status.add_imported_crl(crl);
        }
        Kind::OcspResponse => status.add_imported_ocsp(Arc::from(der)),
    }
    Ok(())
}

/// A verifier like the one in force over every CRL held and its OCSP responses with the
/// imported ones, swapped in after they are kept as content.
fn rebuild(registry: &Registry, status: &CrlStatus) -> Result<(usize, usize), String> {
    let _one_at_a_time = status.rebuilding();
    let kept = status.kept();
    registry
        .keep_crls(kept.iter().map(|der| &der[..]))
        .map_err(|e| format!("cannot keep the revocation data: {e}"))?;
    let mut crls = CrlStore::new();
    for der in status.ders() {
        crls.add(&der)
            .map_err(|e| format!("a CRL held does not load: {e}"))?;
    }
    let current: Arc<Verifier> = registry.verifier();
    let mut ocsp: OcspStore = current.ocsp_responses().clone();
    for der in status.imported_ocsp() {
        ocsp.add(&der)
            .map_err(|e| format!("an imported OCSP response does not load: {e}"))?;
    }
    let counts = (crls.len(), ocsp.len());
    registry.replace_verifier(Arc::new(current.with_revocation(crls, ocsp)));
    Ok(counts)
}
