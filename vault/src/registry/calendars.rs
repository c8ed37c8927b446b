//! Calendar years an administrator sets ("admins manage keys and calendars").
//!
//! The working-day calendar is data the government changes by decree each year (see
//! `records/calendar.rs`). A change is a write-once [`CalendarYear`] record under (year,
//! revision) in [`Table::Calendars`], in one batch with its audit-log entry, so that an auditor
//! can tell which calendar dated a registration ([`super::Registry::set_calendar_year`] writes
//! it). The calendar in force is the configured one with the latest revision of each stored
//! year on top: a stored year replaces the configured table of that year, and only a later
//! revision replaces it in turn.

use super::error::StoreError;
use crate::codec;
use crate::records::{Calendar, CalendarYear};
use crate::storage::{MetaStore, Table};

/// A stored calendar year: which year, its revision (from 1), and the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarChange {
    /// The year.
    pub year: i16,
    /// Its revision, from 1.
    pub revision: u32,
    /// What was set, by whom, when.
    pub record: CalendarYear,
}

/// The key of `revision` of `year`: both big-endian, so that a year's revisions sort in order
/// (calendar years are 1 to 9999, so the signed year sorts as its bytes do).
pub(super) fn key(year: i16, revision: u32) -> Vec<u8> {
    let mut key = year.to_be_bytes().to_vec();
    key.extend_from_slice(&revision.to_be_bytes());
    key
}

/// The year and revision of a key, if it is one.
pub(super) fn parse_key(key: &[u8]) -> Option<(i16, u32)> {
    let (year, revision) = key.split_first_chunk::<2>()?;
    Some((
        i16::from_be_bytes(*year),
        u32::from_be_bytes(revision.try_into().ok()?),
    ))
}

/// The audit-log subject of a calendar year's changes.
pub(super) fn subject(year: i16) -> String {
    format!("calendar:{year}")
}

/// The year of an audit-log [`subject`].
pub(super) fn parse_subject(subject: &str) -> Option<i16> {
    subject.strip_prefix("calendar:")?.parse().ok()
}

/// The latest revision of every stored year, in year order.
pub fn stored_years(backend: &impl MetaStore) -> Result<Vec<CalendarChange>, StoreError> {
    let mut latest: Vec<CalendarChange> = Vec::new();
    for entry in backend.scan(Table::Calendars) {
        let (key, value) = entry?;
        let (year, revision) = parse_key(&key).ok_or_else(|| {
            StoreError::Damaged(format!(
                "calendar key {} is not (year, revision)",
                hex::encode(&key)
            ))
        })?;
        let change = CalendarChange {
            year,
            revision,
            record: codec::decode(&value)?,
        };
        match latest.last_mut() {
            Some(last) if last.year == year => *last = change,
            _ => latest.push(change),
        }
    }
    Ok(latest)
}

/// `calendar` with the latest revision of every stored year on top.
pub(super) fn with_stored_years(
    backend: &impl MetaStore,
    mut calendar: Calendar,
) -> Result<Calendar, StoreError> {
    for change in stored_years(backend)? {
        let year = Calendar::one_year(&change.record.toml, change.year).map_err(|e| {
            StoreError::Damaged(format!("stored calendar year {}: {e}", change.year))
        })?;
        calendar = calendar.extended_by(year);
    }
    Ok(calendar)
}
