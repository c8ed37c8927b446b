//! Calendar years an administrator sets ("admins manage keys and calendars").
//!
//! The working-day calendar is data the government changes by decree each year (see
//! `records/calendar.rs`). A change is a write-once [`CalendarYear`] record under (year,
//! revision) in [`Table::Calendars`], in one batch with its audit-log entry, so that an auditor
//! can tell which calendar dated a registration ([`super::Registry::set_calendar_year`] writes
//! it). The calendar in force is the configured one with the latest revision of each stored
//! year on top: a stored year replaces the configured table of that year, and only a later
//! revision replaces it in turn.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::error::StoreError;
use crate::codec;
use crate::records::{Calendar, CalendarYear};
use crate::storage::{MetaStore, Table};

/// The calendar in force as this process knows it: the configured one with the stored years
/// on top, read when the registry opens and extended by the years this process sets. On a
/// store that several nodes share, another node's change is seen once the stored years are
/// read again ([`InForce::rereading_every`]).
pub(super) struct InForce {
    configured: Calendar,
    current: RwLock<Known>,
    reread: Option<Duration>,
}

struct Known {
    calendar: Arc<Calendar>,
    read_at: Instant,
}

impl InForce {
    /// `configured` with the years stored in `backend` on top.
    pub(super) fn read(backend: &impl MetaStore, configured: Calendar) -> Result<Self, StoreError> {
        let calendar = Arc::new(with_stored_years(backend, configured.clone())?);
        Ok(Self {
            configured,
            current: RwLock::new(Known {
                calendar,
                read_at: Instant::now(),
            }),
            reread: None,
        })
    }

    /// Reads the stored years again when `interval` has passed since they were last read.
    pub(super) fn rereading_every(mut self, interval: Duration) -> Self {
        self.reread = Some(interval);
        self
    }

    /// The calendar as last read.
    pub(super) fn known(&self) -> Arc<Calendar> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .calendar,
        )
    }

    /// The calendar, with the stored years read again first if they are older than the
    /// interval: what dates a registration.
    pub(super) fn fresh(&self, backend: &impl MetaStore) -> Result<Arc<Calendar>, StoreError> {
        let stale = {
            let known = self.current.read().unwrap_or_else(PoisonError::into_inner);
            if self
                .reread
                .is_none_or(|interval| known.read_at.elapsed() < interval)
            {
                return Ok(Arc::clone(&known.calendar));
            }
            known.read_at
        };
        let calendar = Arc::new(with_stored_years(backend, self.configured.clone())?);
        let mut known = self.current.write().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have read (or set) a year meanwhile: the later read stands.
        if known.read_at == stale {
            *known = Known {
                calendar: Arc::clone(&calendar),
                read_at: Instant::now(),
            };
        }
        Ok(calendar)
    }

    /// Puts `year`, just stored by this process, on top of the calendar in force.
    pub(super) fn extend(&self, year: Calendar) {
        let mut known = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let calendar = known.calendar.as_ref().clone().extended_by(year);
        known.calendar = Arc::new(calendar);
    }
}

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
fn with_stored_years(
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::keys::tests::{at, operator, registry};
    use crate::records::{Calendar, Numbering, Template};
    use crate::registry::Registry;

    #[test]
    fn a_year_set_by_another_node_is_seen_once_the_interval_has_passed() {
        let (_dir, here) = registry();
        // Other nodes on the same store (a content store's clones share it).
        let node = |shared: Option<Duration>| {
            let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
            let verifier = Arc::new(qoima_verifier::testing::pki::rsa_verifier());
            let node = Registry::new(
                here.content().clone(),
                verifier,
                Calendar::builtin().unwrap(),
                numbering,
            )
            .unwrap();
            match shared {
                Some(interval) => node.with_shared_store(interval),
                None => node,
            }
        };
        let (never, hourly, always) = (
            node(None),
            node(Some(Duration::from_secs(3600))),
            node(Some(Duration::ZERO)),
        );
        let decree = "[years.2026]\nsource = \"a later decree\"\nholidays = [\"2026-06-16\"]\n";
        here.set_calendar_year(2026, decree, &operator(), at(0))
            .unwrap();
        let source = |node: &Registry| {
            let calendar = node.calendar.fresh(node.content().backend()).unwrap();
            calendar.source(2026).map(str::to_owned)
        };
        let set = Some("a later decree".to_owned());
        assert_eq!(source(&here), set, "the node that set it");
        assert_ne!(source(&never), set, "a node that never reads again");
        assert_ne!(source(&hourly), set, "within the interval");
        assert_eq!(source(&always), set, "once the interval has passed");
        assert_eq!(always.calendar().source(2026), Some("a later decree"));
    }
}
