//! The CRLs a server holds: those of the configuration's files, and the last good one fetched
//! from each URL. A fetched CRL replaces its URL's only when it passes [`check`].

use std::collections::BTreeMap;
use std::sync::Arc;

use qoima_verifier::path::{Certificate, Fingerprint};
use qoima_verifier::revocation::{Crl, CrlError, CrlNumber, CrlUnusable};

/// What a CRL is, as far as scheduling, metrics and health go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) fingerprint: Fingerprint,
    pub(crate) issuer: Vec<u8>,
    pub(crate) this_update: i64,
    pub(crate) next_update: Option<i64>,
    pub(crate) number: Option<CrlNumber>,
    pub(crate) delta: bool,
}

impl Facts {
    fn of(crl: &Crl) -> Self {
        Self {
            fingerprint: crl.fingerprint(),
            issuer: crl.issuer_raw().to_vec(),
            this_update: crl.this_update(),
            next_update: crl.next_update(),
            number: crl.number().cloned(),
            delta: crl.is_delta(),
        }
    }
}

/// One CRL held: its DER (what the verifier is rebuilt from) and its facts.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) der: Arc<[u8]>,
    pub(crate) facts: Facts,
}

/// Why a fetched CRL is refused (the last good one is kept).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Refusal {
    /// It does not parse as a CRL the verifier takes.
    #[error("not a usable CRL: {0}")]
    Malformed(#[from] CrlError),
    /// No configured CA certificate has its issuer's name.
    #[error("no configured CA certificate is its issuer")]
    UnknownIssuer,
    /// The CA certificates of its issuer's name did not sign it (key, key identifier, cRLSign).
    #[error("not signed by its CA: {0}")]
    NotSigned(CrlUnusable),
    /// thisUpdate is later than now.
    #[error("thisUpdate {0} is in the future")]
    NotYetValid(i64),
    /// nextUpdate has passed.
    #[error("nextUpdate {0} has passed")]
    Expired(i64),
    /// Older than the one held from the same URL (a replayed or misrouted CRL).
    #[error("older than the CRL held (thisUpdate {this_update}, number {number:?})")]
    Older {
        this_update: i64,
        number: Option<CrlNumber>,
    },
    /// Another issuer's, or another kind (complete/delta), than the one held from this URL.
    #[error("another issuer's or kind's than the CRL held from this URL")]
    Mismatch,
}

/// What a fetched body is to the held one.
#[derive(Debug)]
pub(crate) enum Checked {
    /// The same CRL.
    Same,
    /// A newer good one.
    Newer(Held),
}

/// Checks a fetched CRL before use, with the verifier's own parsing and signature check
/// (`Crl::from_der`, `Crl::verify_issued_by`: issuer name, authorityKeyIdentifier, cRLSign,
/// signature), and the freshness a replacement needs: thisUpdate ≤ `now` ≤ nextUpdate, and
/// not older than `held` (thisUpdate, then cRLNumber).
pub(crate) fn check(
    der: &[u8],
    now: i64,
    cas: &[Certificate],
    held: Option<&Facts>,
) -> Result<Checked, Refusal> {
    let crl = Crl::from_der(der)?;
    if held.is_some_and(|held| held.fingerprint == crl.fingerprint()) {
        return Ok(Checked::Same);
    }
    let mut named = cas
        .iter()
        .filter(|ca| ca.subject_raw() == crl.issuer_raw())
        .peekable();
    if named.peek().is_none() {
        return Err(Refusal::UnknownIssuer);
    }
    let mut last = None;
    let signed = named.any(|ca| match crl.verify_issued_by(ca) {
        Ok(()) => true,
        Err(e) => {
            last = Some(e);
            false
        }
    });
    if !signed {
        return Err(Refusal::NotSigned(
            last.unwrap_or(CrlUnusable::KeyIdentifierMismatch),
        ));
    }
    if crl.this_update() > now {
        return Err(Refusal::NotYetValid(crl.this_update()));
    }
    if let Some(next) = crl.next_update().filter(|&next| next < now) {
        return Err(Refusal::Expired(next));
    }
    let facts = Facts::of(&crl);
    if let Some(held) = held {
        if held.issuer != facts.issuer || held.delta != facts.delta {
            return Err(Refusal::Mismatch);
        }
        if (facts.this_update, &facts.number) < (held.this_update, &held.number) {
            return Err(Refusal::Older {
                this_update: facts.this_update,
                number: facts.number,
            });
        }
    }
    Ok(Checked::Newer(Held {
        der: der.into(),
        facts,
    }))
}

/// A file's CRL as held (files are not checked again: the verifier took them at start).
pub(crate) fn from_file(der: &[u8]) -> Result<Held, CrlError> {
    let crl = Crl::from_der(der)?;
    Ok(Held {
        der: der.into(),
        facts: Facts::of(&crl),
    })
}

/// The labels of the CRLs in use that are past nextUpdate at `now`: for each issuer and kind
/// (complete, delta), the newest held (thisUpdate, then number); an older one superseded by
/// a newer is not in use.
pub(crate) fn stale<'a>(
    held: impl IntoIterator<Item = (&'a str, &'a Facts)>,
    now: i64,
) -> Vec<String> {
    let mut newest: BTreeMap<(&[u8], bool), (&str, &Facts)> = BTreeMap::new();
    for (label, facts) in held {
        let slot = newest
            .entry((facts.issuer.as_slice(), facts.delta))
            .or_insert((label, facts));
        if (facts.this_update, &facts.number) > (slot.1.this_update, &slot.1.number) {
            *slot = (label, facts);
        }
    }
    newest
        .into_values()
        .filter(|(_, facts)| facts.next_update.is_some_and(|next| next < now))
        .map(|(label, _)| label.to_owned())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    /// 2026-06-15T12:00:00Z (`testdata/refresh/generate.sh`).
    const NOON: i64 = 1_781_524_800;
    const CA_1: &[u8] = include_bytes!("../../testdata/refresh/ca-1.crl");
    const CA_2: &[u8] = include_bytes!("../../testdata/refresh/ca-2.crl");
    const CA_3: &[u8] = include_bytes!("../../testdata/refresh/ca-3.crl");
    const CA_BAD: &[u8] = include_bytes!("../../testdata/refresh/ca-bad.crl");
    const CA_DELTA: &[u8] = include_bytes!("../../testdata/refresh/ca-delta.crl");

    fn cas() -> Vec<Certificate> {
        [
            &include_bytes!("../../../verifier/testdata/pki/certs/root-rsa.cer")[..],
            &include_bytes!("../../../verifier/testdata/pki/certs/ca-rsa.cer")[..],
        ]
        .iter()
        .map(|der| Certificate::from_der(der).unwrap())
        .collect()
    }

    fn newer(der: &[u8], now: i64, held: Option<&Facts>) -> Facts {
        match check(der, now, &cas(), held) {
            Ok(Checked::Newer(held)) => held.facts,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_newer_good_crl_is_taken_and_an_older_refused() {
        let two = newer(CA_2, NOON, None);
        assert!(!two.delta);
        let three = newer(CA_3, NOON, Some(&two));
        assert!(three.this_update > two.this_update);
        assert!(matches!(
            check(CA_2, NOON, &cas(), Some(&three)),
            Err(Refusal::Older { .. })
        ));
        assert!(matches!(
            check(CA_3, NOON, &cas(), Some(&three)),
            Ok(Checked::Same)
        ));
    }

    #[test]
    fn a_bad_signature_an_unknown_issuer_and_the_wrong_times_are_refused() {
        assert!(matches!(
            check(CA_BAD, NOON, &cas(), None),
            Err(Refusal::NotSigned(CrlUnusable::BadSignature(_)))
        ));
        assert!(matches!(
            check(CA_2, NOON, &cas()[..1], None),
            Err(Refusal::UnknownIssuer)
        ));
        // thisUpdate of ca-3 is 06:00, nextUpdate of all is the 16th at 00:00.
        assert_eq!(
            check(CA_3, NOON - 7 * 3600, &cas(), None).unwrap_err(),
            Refusal::NotYetValid(NOON - 6 * 3600)
        );
        assert_eq!(
            check(CA_3, NOON + 12 * 3600 + 1, &cas(), None).unwrap_err(),
            Refusal::Expired(NOON + 12 * 3600)
        );
        assert!(matches!(
            check(b"not a CRL", NOON, &cas(), None),
            Err(Refusal::Malformed(_))
        ));
    }

    #[test]
    fn a_url_keeps_its_kind() {
        let two = newer(CA_2, NOON, None);
        let delta = newer(CA_DELTA, NOON, None);
        assert!(delta.delta);
        assert_eq!(
            check(CA_DELTA, NOON, &cas(), Some(&two)).unwrap_err(),
            Refusal::Mismatch
        );
    }

    #[test]
    fn only_the_newest_of_an_issuer_counts_as_in_use() {
        let one = from_file(CA_1).unwrap().facts;
        let two = newer(CA_2, NOON, None);
        let after_one = NOON + 21;
        assert_eq!(stale([("one", &one)], after_one), ["one"]);
        assert!(stale([("one", &one)], NOON).is_empty());
        assert!(stale([("one", &one), ("two", &two)], after_one).is_empty());
        assert_eq!(
            stale([("one", &one), ("two", &two)], NOON + 86_400),
            ["two"]
        );
    }
}
