//! Calendar years an administrator sets (issue 6: "admins manage keys and calendars").
//!
//! The working-day calendar is data the government changes by decree each year (DESIGN.md
//! §1). A change is a write-once [`CalendarYear`] record under (year, revision) in
//! [`Table::Calendars`], in one batch with its audit-log entry, so that an auditor can tell
//! which calendar dated a registration. The calendar in force is the configured one with the
//! latest revision of each stored year on top: a stored year replaces the configured table of
//! that year, and only a later revision replaces it in turn.

use jiff::Timestamp;

use super::calendar::Calendar;
use super::lifecycle::{ChangeError, check_text};
use super::record::CalendarYear;
use super::registry::{AuditEntry, RegisterError, Registry};
use crate::audit::log::AuditLog;
use crate::codec::{self, CodecError};
use crate::storage::{ChunkStore, MetaBatch, MetaStore, Table};

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
pub(crate) fn key(year: i16, revision: u32) -> Vec<u8> {
    let mut key = year.to_be_bytes().to_vec();
    key.extend_from_slice(&revision.to_be_bytes());
    key
}

/// The year and revision of a key, if it is one.
pub(crate) fn parse_key(key: &[u8]) -> Option<(i16, u32)> {
    let (year, revision) = key.split_first_chunk::<2>()?;
    Some((
        i16::from_be_bytes(*year),
        u32::from_be_bytes(revision.try_into().ok()?),
    ))
}

/// The audit-log subject of a calendar year's changes.
pub(crate) fn subject(year: i16) -> String {
    format!("calendar:{year}")
}

/// The year of an audit-log [`subject`].
pub(crate) fn parse_subject(subject: &str) -> Option<i16> {
    subject.strip_prefix("calendar:")?.parse().ok()
}

/// The latest revision of every stored year, in year order.
pub fn stored_years(backend: &impl MetaStore) -> Result<Vec<CalendarChange>, RegisterError> {
    let mut latest: Vec<CalendarChange> = Vec::new();
    for entry in backend.scan(Table::Calendars) {
        let (key, value) = entry?;
        let (year, revision) = parse_key(&key).ok_or_else(|| {
            CodecError::Malformed(format!(
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
pub(crate) fn with_stored_years(
    backend: &impl MetaStore,
    mut calendar: Calendar,
) -> Result<Calendar, RegisterError> {
    for change in stored_years(backend)? {
        let year = Calendar::one_year(&change.record.toml, change.year).map_err(|e| {
            CodecError::Malformed(format!("stored calendar year {}: {e}", change.year))
        })?;
        calendar = calendar.extended_by(year);
    }
    Ok(calendar)
}

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Sets `year` of the working-day calendar to `toml` (the calendar file's `[years.YEAR]`
    /// table and nothing else) for `by` at `at`: stored with its audit entry, then in force for
    /// every registration dated after. Returns the year's new revision. Past registrations keep
    /// their dates. A text that is not a valid table of that one year changes nothing.
    pub fn set_calendar_year(
        &self,
        year: i16,
        toml: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<u32, ChangeError> {
        let table = Calendar::one_year(toml, year)?;
        check_text("the name", by)?;
        let record = CalendarYear {
            toml: toml.to_owned(),
            by: by.to_owned(),
            at: at.as_second(),
        };
        let bytes = codec::encode(&record)?;
        let subject = subject(year);
        let _writer = self.lock();
        let backend = self.content().backend();
        let revision = match backend.last_with_prefix(Table::Calendars, &year.to_be_bytes())? {
            Some((key, _)) => parse_key(&key).map_or(1, |(_, last)| last.saturating_add(1)),
            None => 1,
        };
        let entry = AuditEntry {
            kind: "calendar",
            time: record.at,
            subject: &subject,
            version: revision,
            actor: by,
            record: &bytes,
        }
        .to_bytes();
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::Calendars, key(year, revision), bytes);
        log.append(&mut batch, &entry)?;
        backend.commit(batch)?;
        let calendar = self.calendar().as_ref().clone().extended_by(table);
        self.replace_calendar(calendar);
        Ok(revision)
    }
}
