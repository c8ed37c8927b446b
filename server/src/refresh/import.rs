//! Revocation data an operator imported (`crate::imports`), put in force in the running
//! server: held beside the files' and the fetched CRLs, so that every later rebuild keeps it,
//! and a verifier over everything held swapped in at once (the next request uses it).
//!
//! Every node reads the list of imports in the record store at its start ([`restore`]); on a
//! store that several nodes share, it reads it again every `shared-cache-seconds`, the bound
//! on how long an API key revoked through another node is still accepted, and puts the
//! imports listed since in force with one rebuild ([`follow_imports`]). A listed import that no
//! longer loads or passes its checks is logged and left out; it never stops the node.

use std::sync::Arc;
use std::time::Duration;

use qoima_vault::registry::ListedImport;
use qoima_verifier::Verifier;
use qoima_verifier::path::Certificate;
use qoima_verifier::revocation::{CrlStore, OcspStore};

use super::held;
use super::status::CrlStatus;
use crate::engine::Registry;
use crate::imports::{self, Checked, Kind};

/// Holds `checked` (already kept as content and listed) and puts a verifier over everything
/// held in force. Returns how many CRLs and OCSP responses the verifier has.
pub(crate) fn import(
    registry: &Registry,
    status: &CrlStatus,
    checked: &Checked,
) -> Result<(usize, usize), String> {
    hold(status, checked.kind, &checked.der)?;
    rebuild(registry, status)
}

/// What [`restore`] put in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Restored {
    /// CRLs and OCSP responses of the verifier, when it was rebuilt.
    pub(crate) in_force: Option<(usize, usize)>,
    /// The imports that loaded, and those left out.
    pub(crate) held: usize,
    pub(crate) left_out: usize,
    /// The last sequence number read: [`follow_imports`] reads the list after it.
    pub(crate) seen: u64,
}

/// At the server's start: holds every import listed in the record store and, when there are
/// any, puts a verifier over everything held in force. An unreadable list is an error (the
/// store the vault needs failed); an import that does not load is logged and left out.
pub(crate) fn restore(
    registry: &Registry,
    status: &CrlStatus,
    cas: &[Arc<Certificate>],
) -> Result<Restored, String> {
    let listed = imports::listed_after(registry, 0)?;
    let (held, left_out) = hold_listed(registry, status, cas, &listed);
    let in_force = if held > 0 {
        Some(rebuild(registry, status)?)
    } else {
        None
    };
    Ok(Restored {
        in_force,
        held,
        left_out,
        seen: listed.last().map_or(0, |l| l.sequence),
    })
}

/// Reads the list of imports every `interval` from sequence number `seen` on (what
/// [`restore`] read), and puts those another node listed since in force, with one rebuild
/// per round that found some. Runs until the runtime stops.
pub(crate) async fn follow_imports(
    registry: Arc<Registry>,
    status: Arc<CrlStatus>,
    cas: Arc<[Arc<Certificate>]>,
    interval: Duration,
    seen: u64,
) {
    let mut following = Following {
        seen,
        rebuild_due: false,
    };
    loop {
        tokio::time::sleep(interval).await;
        let round = {
            let (registry, status, cas) =
                (Arc::clone(&registry), Arc::clone(&status), Arc::clone(&cas));
            // Store reads, content reads, signature checks, a rebuild: off the async workers.
            tokio::task::spawn_blocking(move || {
                let outcome = follow_once(&registry, &status, &cas, &mut following);
                (following, outcome)
            })
            .await
        };
        match round {
            Ok((next, outcome)) => {
                following = next;
                if let Err(e) = outcome {
                    tracing::warn!(error = %e, "revocation: the list of imports was not read; tried again in {interval:?}");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "revocation: the read of the list of imports did not finish");
            }
        }
    }
}

/// Where [`follow_imports`] is.
#[derive(Debug, Clone, Copy)]
struct Following {
    /// The last sequence number read.
    seen: u64,
    /// Imports were held but the rebuild failed: the next round rebuilds.
    rebuild_due: bool,
}

/// One round of [`follow_imports`]: one read of the last sequence number, and only when it moved
/// the list after `seen`.
fn follow_once(
    registry: &Registry,
    status: &CrlStatus,
    cas: &[Arc<Certificate>],
    following: &mut Following,
) -> Result<(), String> {
    let last = registry
        .last_revocation_import()
        .map_err(|e| format!("the list of imported revocation data: {e}"))?;
    let mut held = 0;
    if last > following.seen {
        let listed = imports::listed_after(registry, following.seen)?;
        let left_out;
        (held, left_out) = hold_listed(registry, status, cas, &listed);
        following.seen = listed.last().map_or(following.seen, |l| l.sequence);
        if held > 0 || left_out > 0 {
            tracing::info!(
                imports = held,
                left_out,
                seen = following.seen,
                "revocation: imports listed through another node read"
            );
        }
        following.rebuild_due |= held > 0;
    }
    if following.rebuild_due {
        let (crls, ocsp) = rebuild(registry, status)?;
        following.rebuild_due = false;
        tracing::info!(
            crls,
            ocsp_responses = ocsp,
            imports = held,
            "revocation: imported data in force"
        );
    }
    Ok(())
}

/// Holds each of `listed` that is not held yet, loaded from the content store and checked
/// again (`imports::load`); those that fail are logged and left out. Returns how many were
/// held and how many left out.
fn hold_listed(
    registry: &Registry,
    status: &CrlStatus,
    cas: &[Arc<Certificate>],
    listed: &[ListedImport],
) -> (usize, usize) {
    let verifier = registry.verifier();
    let (mut held, mut left_out) = (0, 0);
    for one in listed {
        // This node's own imports are held already: not read again.
        if status.holds_import(&one.import.address) {
            continue;
        }
        let loaded = imports::load(registry, &verifier, cas, one)
            .and_then(|checked| hold(status, checked.kind, &checked.der));
        match loaded {
            Ok(true) => held += 1,
            Ok(false) => {}
            Err(e) => {
                left_out += 1;
                tracing::error!(
                    sequence = one.sequence,
                    address = %one.import.address,
                    error = %e,
                    "revocation: a listed import is left out"
                );
            }
        }
    }
    (held, left_out)
}

/// Holds `der` from now on; whether it was not held before.
fn hold(status: &CrlStatus, kind: Kind, der: &[u8]) -> Result<bool, String> {
    match kind {
        Kind::Crl => {
            let crl = held::from_file(der).map_err(|e| format!("an imported CRL: {e}"))?;
            Ok(status.add_imported_crl(crl))
        }
        Kind::OcspResponse => Ok(status.add_imported_ocsp(Arc::from(der))),
    }
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
