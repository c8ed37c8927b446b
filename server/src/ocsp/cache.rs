//! OCSP responses fetched, by certificate and issuer, until they must be asked again: at the
//! response's nextUpdate, and at most `ocsp-cache-seconds` after the fetch. Bounded: past
//! [`MAX_ENTRIES`] the expired go first, then those expiring soonest.

use std::collections::HashMap;
use std::sync::Arc;

use qoima_verifier::path::Fingerprint;

/// The most responses held (a response with its certificates is a few KiB).
pub(super) const MAX_ENTRIES: usize = 4096;

/// (certificate, issuer) fingerprints.
pub(super) type Key = (Fingerprint, Fingerprint);

/// One answer held.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The OCSPResponse DER.
    pub(super) der: Arc<[u8]>,
    /// Whether a verification may read it: `good` or `revoked`. An `unknown`, or a response
    /// not believed (then `der` is empty), is held only so that the responder is not asked
    /// again at once; the CRLs answer meanwhile.
    pub(super) definite: bool,
    /// Until when (exclusive, unix seconds) it is reused.
    pub(super) until: i64,
}

/// The responses held. Not synchronised: the caller holds it behind a mutex.
#[derive(Debug, Default)]
pub(super) struct Cache {
    entries: HashMap<Key, Entry>,
}

impl Cache {
    /// The entry of `key` still current at `now`.
    pub(super) fn get(&self, key: &Key, now: i64) -> Option<&Entry> {
        self.entries.get(key).filter(|entry| entry.until > now)
    }

    /// Holds `entry` for `key`, making room when full.
    pub(super) fn put(&mut self, key: Key, entry: Entry, now: i64) {
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
            self.entries.retain(|_, held| held.until > now);
            while self.entries.len() >= MAX_ENTRIES {
                let Some(soonest) = self
                    .entries
                    .iter()
                    .min_by_key(|(_, held)| held.until)
                    .map(|(key, _)| *key)
                else {
                    break;
                };
                self.entries.remove(&soonest);
            }
        }
        self.entries.insert(key, entry);
    }

    /// How many responses are held.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Until when a response fetched at `now`, with this nextUpdate, is reused: its nextUpdate,
/// and at most `cache_seconds` after the fetch.
pub(super) fn until(now: i64, next_update: Option<i64>, cache_seconds: i64) -> i64 {
    let cap = now.saturating_add(cache_seconds);
    next_update.map_or(cap, |next| next.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        (Fingerprint([n; 32]), Fingerprint([0; 32]))
    }

    fn entry(until: i64) -> Entry {
        Entry {
            der: Arc::from(&b"der"[..]),
            definite: true,
            until,
        }
    }

    #[test]
    fn an_entry_lasts_until_next_update_or_the_cap() {
        assert_eq!(until(100, Some(150), 3600), 150);
        assert_eq!(until(100, Some(10_000), 3600), 3700);
        assert_eq!(until(100, None, 3600), 3700);
        let mut cache = Cache::default();
        cache.put(key(1), entry(200), 100);
        assert!(cache.get(&key(1), 199).is_some());
        assert!(cache.get(&key(1), 200).is_none());
        assert!(cache.get(&key(2), 0).is_none());
    }

    #[test]
    fn a_full_cache_drops_the_expired_then_the_soonest() {
        let mut cache = Cache::default();
        for i in 0..MAX_ENTRIES {
            let n = u32::try_from(i).unwrap_or(u32::MAX);
            let mut fingerprint = [0u8; 32];
            fingerprint[..4].copy_from_slice(&n.to_le_bytes());
            cache.put(
                (Fingerprint(fingerprint), Fingerprint([9; 32])),
                entry(1000 + i64::from(n)),
                0,
            );
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        // Nothing expired at 0: the one expiring soonest (1000) makes room.
        cache.put(key(0xff), entry(5000), 0);
        assert_eq!(cache.len(), MAX_ENTRIES);
        let first = (Fingerprint([0; 32]), Fingerprint([9; 32]));
        assert!(cache.get(&first, 0).is_none());
        assert!(cache.get(&key(0xff), 0).is_some());
        // At 1500 the next 500 have expired: all of them go, and the new one comes in.
        cache.put(key(0xfe), entry(5000), 1500);
        assert_eq!(cache.len(), MAX_ENTRIES - 500 + 1);
    }
}
