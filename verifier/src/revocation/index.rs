//! The revoked serial numbers of one CRL, sorted for O(log n) lookup (RFC 5280 §5.1.2.6).
//!
//! Each serial, leading zero octets stripped (so `00 8F` and `8F` are one serial), is a
//! fixed-width key left-padded with zeros, so that byte order is numeric order. Key and entry
//! (revocationDate and reasonCode packed in 8 bytes) make one record, and the records are one
//! sorted array: one allocation, 16 to 28 bytes an entry. The width is the smallest of 8, 12,
//! 16 and 20 octets that holds every serial of the CRL; RFC 5280 §4.1.2.2 caps conforming
//! serials at 20 octets, and the rare longer ones from the wild go to a side table.
//!
//! `build.rs` fills and sorts the records; this file holds their layout and the lookup.

use crate::revocation::types::{RevocationReason, normalise};

/// One revoked certificate as a CRL lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedEntry {
    /// revocationDate, unix seconds.
    pub date: i64,
    /// reasonCode (RFC 5280 §5.3.1); `None` when absent (read as unspecified).
    pub reason: Option<RevocationReason>,
    /// invalidityDate (RFC 5280 §5.3.2), unix seconds: when the key is known or suspected to
    /// have been compromised, or the certificate otherwise became invalid; may be earlier
    /// than the revocationDate.
    pub invalidity_date: Option<i64>,
}

/// A [`RevokedEntry`] in 8 bytes: the date shifted left by 9 bits, the reason code (or
/// [`Packed::NO_REASON`]) under it. Dates of the years 0 to 9999 need 39 bits; 55 are kept.
/// The rare invalidityDate is not packed: [`RevokedSerials`] keeps it in a side table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packed(u64);

impl Packed {
    const NO_REASON: u64 = 0x100;

    /// `None` for a date beyond ±2⁵⁴ seconds, which no Time can name.
    pub(crate) fn new(entry: RevokedEntry) -> Option<Self> {
        let shifted = entry.date.checked_mul(1 << 9)?;
        let reason = entry
            .reason
            .map_or(Self::NO_REASON, |r| u64::from(r.code()));
        Some(Self(shifted.cast_unsigned() | reason))
    }

    pub(crate) fn entry(self) -> RevokedEntry {
        let code = self.0 & 0x1FF;
        RevokedEntry {
            date: self.0.cast_signed() >> 9,
            reason: u8::try_from(code).ok().map(RevocationReason::from_code),
            invalidity_date: None,
        }
    }

    pub(crate) fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    pub(crate) fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(u64::from_be_bytes(bytes))
    }
}

/// `R`-byte records: an `R - 8`-octet key, then the [`Packed`] entry (big-endian, so that a
/// record's byte order sorts by key first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Records {
    /// Serials of up to 8 octets.
    Key8(Vec<[u8; 16]>),
    /// Up to 12 octets.
    Key12(Vec<[u8; 20]>),
    /// Up to 16 octets.
    Key16(Vec<[u8; 24]>),
    /// Up to 20 octets.
    Key20(Vec<[u8; 28]>),
}

impl Default for Records {
    fn default() -> Self {
        Self::Key8(Vec::new())
    }
}

/// Calls `$body` with `$v` bound to the records vector, whatever their width.
macro_rules! each_width {
    ($records:expr, $v:ident => $body:expr) => {
        match $records {
            Records::Key8($v) => $body,
            Records::Key12($v) => $body,
            Records::Key16($v) => $body,
            Records::Key20($v) => $body,
        }
    };
}
pub(crate) use each_width;

impl Records {
    /// Empty records whose keys hold serials of `longest` octets (20 if longer).
    pub(crate) fn for_longest(longest: usize, capacity: usize) -> Self {
        match longest {
            0..=8 => Self::Key8(Vec::with_capacity(capacity)),
            9..=12 => Self::Key12(Vec::with_capacity(capacity)),
            13..=16 => Self::Key16(Vec::with_capacity(capacity)),
            _ => Self::Key20(Vec::with_capacity(capacity)),
        }
    }

    /// The same records with keys for serials of `longest` octets, the capacity kept.
    pub(crate) fn widened(&self, longest: usize) -> Self {
        let capacity = each_width!(self, v => v.capacity());
        let mut wider = Self::for_longest(longest, capacity);
        each_width!(self, v => {
            for record in v {
                let packed = packed(record);
                let serial = normalise(key(record));
                each_width!(&mut wider, w => {
                    if let Some(mut widened) = key_record(serial) {
                        copy_packed(&mut widened, packed);
                        w.push(widened);
                    }
                });
            }
        });
        wider
    }

    /// The key width in octets.
    pub(crate) fn width(&self) -> usize {
        each_width!(self, v => record_width(v) - 8)
    }

    fn len(&self) -> usize {
        each_width!(self, v => v.len())
    }

    fn heap_size(&self) -> usize {
        each_width!(self, v => v.capacity() * record_width(v))
    }

    fn find(&self, serial: &[u8]) -> Option<Packed> {
        each_width!(self, v => find(v, serial))
    }
}

fn record_width<const R: usize>(_: &[[u8; R]]) -> usize {
    R
}

/// The record for a normalised `serial` with a zero entry, if the serial fits the key.
pub(crate) fn key_record<const R: usize>(serial: &[u8]) -> Option<[u8; R]> {
    let width = R.checked_sub(8)?;
    let start = width.checked_sub(serial.len())?;
    let mut record = [0; R];
    record.get_mut(start..width)?.copy_from_slice(serial);
    Some(record)
}

/// Writes the entry part of a record.
pub(crate) fn copy_packed<const R: usize>(record: &mut [u8; R], packed: Packed) {
    if let Some(tail) = record.get_mut(R.saturating_sub(8)..) {
        tail.copy_from_slice(&packed.to_bytes());
    }
}

/// The key part of a record.
pub(crate) fn key<const R: usize>(record: &[u8; R]) -> &[u8] {
    record.split_at(R.saturating_sub(8)).0
}

/// The entry part of a record.
pub(crate) fn packed<const R: usize>(record: &[u8; R]) -> Packed {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(record.split_at(R.saturating_sub(8)).1);
    Packed::from_bytes(bytes)
}

fn find<const R: usize>(records: &[[u8; R]], serial: &[u8]) -> Option<Packed> {
    let wanted = key_record::<R>(serial)?;
    let at = records
        .binary_search_by(|record| key(record).cmp(key(&wanted)))
        .ok()?;
    records.get(at).map(packed)
}

/// Revoked serials, normalised (leading zero octets stripped), sorted; of duplicate serials
/// the first listed is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevokedSerials {
    pub(crate) records: Records,
    /// Serials longer than the key width (beyond RFC 5280's 20 octets), sorted.
    pub(crate) long: Vec<(Box<[u8]>, Packed)>,
    /// The serials listed with an invalidityDate (normalised, sorted; the first listed of a
    /// serial kept), with it: few entries carry one, so it is not in every record.
    pub(crate) invalidity: Vec<(Box<[u8]>, i64)>,
}

impl RevokedSerials {
    /// The entry for this serial (raw INTEGER content bytes; normalised here).
    pub fn get(&self, serial: &[u8]) -> Option<RevokedEntry> {
        let serial = normalise(serial);
        let found = if serial.len() <= self.records.width() {
            self.records.find(serial)
        } else {
            let at = self
                .long
                .binary_search_by(|(listed, _)| listed.as_ref().cmp(serial))
                .ok()?;
            self.long.get(at).map(|&(_, packed)| packed)
        };
        let mut entry = found.map(Packed::entry)?;
        if !self.invalidity.is_empty()
            && let Ok(at) = self
                .invalidity
                .binary_search_by(|(listed, _)| listed.as_ref().cmp(serial))
        {
            entry.invalidity_date = self.invalidity.get(at).map(|&(_, date)| date);
        }
        Some(entry)
    }

    /// How many distinct serials are listed.
    pub fn len(&self) -> usize {
        self.records.len() + self.long.len()
    }

    /// Whether no serial is listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The heap bytes the index holds (records and side table), for capacity planning.
    pub fn heap_size(&self) -> usize {
        self.records.heap_size()
            + self.long.capacity() * std::mem::size_of::<(Box<[u8]>, Packed)>()
            + self.long.iter().map(|(s, _)| s.len()).sum::<usize>()
            + self.invalidity.capacity() * std::mem::size_of::<(Box<[u8]>, i64)>()
            + self.invalidity.iter().map(|(s, _)| s.len()).sum::<usize>()
    }
}
