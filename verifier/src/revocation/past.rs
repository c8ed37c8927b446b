//! A certificate's revocation status at a proof of existence, read after the fact (ETSI EN
//! 319 102-1 §5.6.2.4, past signature validation; `docs/reverification.md`, "Long-term
//! validation").
//!
//! Years after a signature was registered, its certificates have expired and their CA may
//! publish nothing any more: no CRL is fresh at the validation time, and [`CrlStore::status`]
//! answers TRY_LATER for ever. What matters for a signature proven to exist at `poe` is the
//! status *at `poe`*, and CRLs that lapsed long ago still tell it: the ones that were fresh
//! at `poe` (a vault keeps those its registration used as evidence), and the later ones.

use crate::path::Certificate;
use crate::revocation::crl::Crl;
use crate::revocation::status::{RevocationStatus, UnknownReason};
use crate::revocation::types::RevocationReason;
use crate::revocation::{CrlStore, listed_status, source_of};

impl CrlStore {
    /// The revocation status of `cert` (issued by `issuer`) at the proof of existence `poe`,
    /// from the CRLs of this store and of `extras` that `issuer` signed and that were issued
    /// by the validation time `at` (thisUpdate ≤ at), fresh or not:
    ///
    /// 1. a CRL that lists the certificate for good (any reason but certificateHold: RFC 5280
    ///    §5.3.1, only a hold may be released) → revoked, as the newest such CRL (thisUpdate,
    ///    then cRLNumber) says: a revocation does not lapse with the CRL that published it,
    ///    and a CRL issued after `poe` may list a revocation dated before it;
    /// 2. otherwise the newest complete CRL that covers `poe` (nextUpdate ≥ poe, or none: it
    ///    was fresh at `poe`, or was issued after it), with the newest delta CRL that applies to
    ///    it (RFC 5280 §5.2.4, as [`CrlStore::status`]) and covers `poe` too: a certificateHold
    ///    it lists, or not listed → good;
    /// 3. no such CRL → unknown: stale (none covers `poe`, or none was issued by `at`), or no
    ///    CRL, none signed by `issuer`, only deltas.
    ///
    /// Whether the status fails the signature is [`RevocationStatus::decide`]'s question, with
    /// `poe` as the proof of existence. A certificate dropped from CRLs issued after it
    /// expired is "not listed" there: the CRLs that were fresh at `poe` are the evidence that
    /// counts, which is why a vault keeps them.
    pub fn status_at_proof(
        &self,
        extras: &[&CrlStore],
        cert: &Certificate,
        issuer: &Certificate,
        poe: i64,
        at: i64,
    ) -> RevocationStatus {
        let (serial, signed) = match self.signed_by(extras, cert, issuer) {
            Ok(found) => found,
            Err(unknown) => return unknown,
        };
        // Only what was issued by the validation time is known then.
        let signed: Vec<&Crl> = signed
            .into_iter()
            .filter(|crl| crl.this_update() <= at)
            .collect();
        let newest =
            |a: &&Crl, b: &&Crl| (a.this_update(), a.number()).cmp(&(b.this_update(), b.number()));

        // 1. Listed for good anywhere.
        let for_good = signed
            .iter()
            .copied()
            .filter_map(|crl| crl.revoked().get(serial).map(|entry| (crl, entry)))
            .filter(|(_, entry)| {
                !matches!(
                    entry.reason,
                    Some(RevocationReason::CertificateHold | RevocationReason::RemoveFromCrl)
                )
            })
            .max_by(|a, b| newest(&a.0, &b.0));
        if let Some((crl, entry)) = for_good {
            return listed_status(Some(entry), vec![source_of(crl)]);
        }

        // 2. The newest complete CRL covering the proof of existence, and its delta.
        let covers = |crl: &&Crl| crl.next_update().is_none_or(|next| next >= poe);
        let base = signed
            .iter()
            .copied()
            .filter(|crl| !crl.is_delta())
            .filter(covers)
            .max_by(newest);
        let Some(base) = base else {
            let only_deltas = !signed.is_empty() && signed.iter().all(|crl| crl.is_delta());
            let why = if only_deltas {
                UnknownReason::NoBaseCrl
            } else {
                UnknownReason::Stale
            };
            return RevocationStatus::Unknown { why };
        };
        let delta = base.number().and_then(|base_number| {
            signed
                .iter()
                .copied()
                .filter(covers)
                .filter(|d| {
                    d.delta_base().is_some_and(|b| b <= base_number)
                        && d.this_update() >= base.this_update()
                })
                .max_by(newest)
        });
        let mut source = vec![source_of(base)];
        source.extend(delta.map(source_of));
        let listed = match delta.and_then(|d| d.revoked().get(serial)) {
            Some(entry) => Some(entry),
            None => base.revoked().get(serial),
        };
        listed_status(listed, source)
    }
}
