//! The revoked serial numbers of one CRL, sorted for O(log n) lookup (RFC 5280 §5.1.2.6).
//!
//! Serial bytes live in one arena; each entry is a fixed-size record (offset, length, date,
//! reason), so a 500 000-entry CRL costs two allocations, not one per entry.

use crate::revocation::types::{RevocationReason, normalise};

/// One revoked certificate as a CRL lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedEntry {
    /// revocationDate, unix seconds.
    pub date: i64,
    /// reasonCode (RFC 5280 §5.3.1); `None` when absent (read as unspecified).
    pub reason: Option<RevocationReason>,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    start: u32,
    len: u32,
    entry: RevokedEntry,
}

/// Revoked serials, normalised (leading zero octets stripped), sorted.
#[derive(Debug, Clone, Default)]
pub struct RevokedSerials {
    arena: Vec<u8>,
    slots: Vec<Slot>,
}

impl RevokedSerials {
    pub(crate) fn with_capacity(entries: usize, serial_bytes: usize) -> Self {
        Self {
            arena: Vec::with_capacity(serial_bytes),
            slots: Vec::with_capacity(entries),
        }
    }

    /// Adds one entry; returns `false` (and adds nothing) if the arena would overflow u32.
    pub(crate) fn push(&mut self, serial: &[u8], entry: RevokedEntry) -> bool {
        let serial = normalise(serial);
        let (Ok(start), Ok(len)) = (u32::try_from(self.arena.len()), u32::try_from(serial.len()))
        else {
            return false;
        };
        if start.checked_add(len).is_none() {
            return false;
        }
        self.arena.extend_from_slice(serial);
        self.slots.push(Slot { start, len, entry });
        true
    }

    fn serial_of<'s>(arena: &'s [u8], slot: &Slot) -> &'s [u8] {
        let start = slot.start as usize;
        arena.get(start..start + slot.len as usize).unwrap_or(&[])
    }

    /// Sorts by serial; of duplicate serials the first listed is kept.
    pub(crate) fn finish(&mut self) {
        let arena = &self.arena;
        self.slots
            .sort_by(|a, b| Self::serial_of(arena, a).cmp(Self::serial_of(arena, b)));
        self.slots
            .dedup_by(|b, a| Self::serial_of(arena, a) == Self::serial_of(arena, b));
    }

    /// The entry for this serial (raw INTEGER content bytes; normalised here).
    pub fn get(&self, serial: &[u8]) -> Option<RevokedEntry> {
        let serial = normalise(serial);
        let arena = &self.arena;
        self.slots
            .binary_search_by(|slot| Self::serial_of(arena, slot).cmp(serial))
            .ok()
            .and_then(|i| self.slots.get(i))
            .map(|slot| slot.entry)
    }

    /// How many distinct serials are listed.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no serial is listed.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}
