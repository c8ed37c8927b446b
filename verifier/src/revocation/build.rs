//! Filling and sorting a [`RevokedSerials`] index (layout in `index.rs`).
//!
//! Records are pushed at their final width into a vector sized from a first scan of the list,
//! sorted in place without a scratch buffer (`sort_unstable`), so that loading peaks at the
//! index's own size. An unstable sort does not say which of two records with the same serial
//! came first, so when a CRL lists a serial twice (RFC 5280 §5.1.2.6 does not forbid it
//! outright) the entries are walked once more in listing order to keep the first.

use crate::revocation::index::{
    Packed, Records, RevokedEntry, RevokedSerials, each_width, key, key_record,
};
use crate::revocation::types::normalise;

/// Collects entries in listing order, then [`Builder::finish`] sorts them.
#[derive(Debug)]
pub(crate) struct Builder {
    index: RevokedSerials,
}

/// A revocationDate beyond what any Time can name (never from x509-parser's dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateOutOfRange;

impl Builder {
    /// Room for `capacity` entries whose serials have at most `longest` octets (normalised).
    pub(crate) fn new(longest: usize, capacity: usize) -> Self {
        Self {
            index: RevokedSerials {
                records: Records::for_longest(longest, capacity),
                long: Vec::new(),
                invalidity: Vec::new(),
            },
        }
    }

    /// Adds one entry (serial as INTEGER content octets).
    pub(crate) fn push(
        &mut self,
        serial: &[u8],
        entry: RevokedEntry,
    ) -> Result<(), DateOutOfRange> {
        let serial = normalise(serial);
        let packed = Packed::new(entry).ok_or(DateOutOfRange)?;
        if let Some(date) = entry.invalidity_date {
            self.index.invalidity.push((serial.into(), date));
        }
        let fits = each_width!(&mut self.index.records, v => push(v, serial, packed));
        if !fits {
            self.index.long.push((serial.into(), packed));
        }
        Ok(())
    }

    /// [`Self::push`] for a builder that does not know the longest serial beforehand (a CRL
    /// read as a stream): a serial that does not fit widens the records to the width
    /// [`Self::new`] would have chosen for it (20 octets for a longer one, which goes to the
    /// side table), so that the index is the same. With
    /// serials of one length (a CA's usual), that happens at the first entry if at all.
    pub(crate) fn push_widening(
        &mut self,
        serial: &[u8],
        entry: RevokedEntry,
    ) -> Result<(), DateOutOfRange> {
        let width = self.index.records.width();
        if normalise(serial).len() > width && width < 20 {
            self.index.records = self.index.records.widened(normalise(serial).len());
        }
        self.push(serial, entry)
    }

    /// Sorts. `relist` is called only if a serial is listed twice: it must give every entry
    /// again, in listing order, to the function it is passed.
    pub(crate) fn finish(
        mut self,
        relist: impl FnOnce(&mut dyn FnMut(&[u8], RevokedEntry)),
    ) -> RevokedSerials {
        // A stable sort keeps the first listed of equal long serials; they are rare.
        self.index.long.sort_by(|a, b| a.0.cmp(&b.0));
        self.index.long.dedup_by(|later, first| later.0 == first.0);
        self.index.long.shrink_to_fit();
        self.index.invalidity.sort_by(|a, b| a.0.cmp(&b.0));
        self.index
            .invalidity
            .dedup_by(|later, first| later.0 == first.0);
        self.index.invalidity.shrink_to_fit();
        let repeated = each_width!(&mut self.index.records, v => sort(v));
        if !repeated.is_empty() {
            let mut first: Vec<Option<Packed>> = vec![None; repeated.len()];
            relist(&mut |serial, entry| {
                if let Ok(at) = repeated.binary_search_by(|r| r.as_slice().cmp(normalise(serial)))
                    && let Some(slot @ None) = first.get_mut(at)
                {
                    *slot = Packed::new(entry);
                }
            });
            each_width!(&mut self.index.records, v => keep_first(v, &repeated, &first));
        }
        self.index
    }
}

fn push<const R: usize>(records: &mut Vec<[u8; R]>, serial: &[u8], packed: Packed) -> bool {
    let Some(mut record) = key_record::<R>(serial) else {
        return false;
    };
    if let Some(tail) = record.get_mut(R.saturating_sub(8)..) {
        tail.copy_from_slice(&packed.to_bytes());
    }
    records.push(record);
    true
}

/// Sorts the records by key; the serials (normalised, sorted) that occur more than once.
fn sort<const R: usize>(records: &mut Vec<[u8; R]>) -> Vec<Vec<u8>> {
    if !records.is_sorted() {
        records.sort_unstable();
    }
    records.shrink_to_fit();
    let mut repeated: Vec<Vec<u8>> = records
        .windows(2)
        .filter_map(|pair| match pair {
            [a, b] if key(a) == key(b) => Some(normalise(key(a)).to_vec()),
            _ => None,
        })
        .collect();
    repeated.sort();
    repeated.dedup();
    repeated
}

/// Keeps one record per key, with the entry `first` gives for the `repeated` serials.
fn keep_first<const R: usize>(
    records: &mut Vec<[u8; R]>,
    repeated: &[Vec<u8>],
    first: &[Option<Packed>],
) {
    records.dedup_by(|later, kept| key(later) == key(kept));
    for (serial, packed) in repeated.iter().zip(first) {
        let (Some(wanted), Some(packed)) = (key_record::<R>(serial), packed) else {
            continue;
        };
        let Ok(at) = records.binary_search_by(|r| key(r).cmp(key(&wanted))) else {
            continue;
        };
        if let Some(tail) = records
            .get_mut(at)
            .and_then(|r| r.get_mut(R.saturating_sub(8)..))
        {
            tail.copy_from_slice(&packed.to_bytes());
        }
    }
}
