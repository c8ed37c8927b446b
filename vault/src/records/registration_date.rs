//! The registration date of a document, in Astana time, by one of the dating rules of the
//! orders ([`DatingRule`]; which one applies at an instant is `rules.rs`'s table, and
//! `docs/rules.md` lists them):
//!
//! - order 670 §18: "a working day 00:00–13:59 → that date; 14:00–23:59 → next working day; a
//!   non-working day → next working day" ([`DatingRule::CutOff`]);
//! - order 670 §18 (second paragraph), §46: "documents during review and in the expert systems:
//!   the actual time of EDS certification, a non-working day → next working day"
//!   ([`DatingRule::CertificationDay`]);
//! - order 253 §36: "registered by the portal automatically by assigning a registration number
//!   and date": the Astana date of receipt, whatever the day ([`DatingRule::DateOfReceipt`]).
//!
//! Working days come from the [`Calendar`].
//!
//! Astana time is the IANA zone `Asia/Almaty`, taken from jiff's bundled tz database (not the
//! host's, which may predate tzdata 2024a): UTC+6 until 2024-03-01 00:00 local time, UTC+5 since
//! (Kazakhstan's move to one time zone).

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone, TimeZoneDatabase};

use super::calendar::{Calendar, CalendarError, Coverage};

/// The IANA name of Astana time.
pub const ASTANA_ZONE: &str = "Asia/Almaty";

/// The hour (Astana time) from which a submission on a working day is registered on the next
/// working day.
pub const CUTOFF_HOUR: i8 = 14;

/// `Asia/Almaty` from the bundled database, looked up once.
static ASTANA: LazyLock<Result<TimeZone, String>> = LazyLock::new(|| {
    TimeZoneDatabase::bundled()
        .get(ASTANA_ZONE)
        .map_err(|e| e.to_string())
});

/// How a registration is dated (the clause that uses each is in `rules.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatingRule {
    /// Order 670 §18: on a working day before 14:00 that day; from 14:00, or on a day off, the
    /// next working day.
    CutOff,
    /// Order 670 §18 (second paragraph), §46: the actual day of certification, moved to the
    /// next working day only when it is not a working day.
    CertificationDay,
    /// Order 253 §36: the Astana date of receipt, on any day, at any hour.
    DateOfReceipt,
}

/// Why a registration date could not be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationDateError {
    /// The bundled tz database does not have Astana's zone (a broken build).
    #[error("time zone {ASTANA_ZONE} is not available: {0}")]
    TimeZone(String),
    /// The working-day calendar could not answer (no working day ahead, or a date out of range).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The outcome of dating one certification instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationDate {
    /// The registration date.
    pub date: Date,
    /// The certification instant in Astana civil time.
    pub local: DateTime,
    /// Astana's UTC offset at that instant (+06:00 before 2024-03-01, +05:00 since).
    pub offset: Offset,
    /// Whether the calendar days consulted were all described by calendar data; callers report
    /// [`Coverage::Fallback`] (weekends and statutory holidays only).
    pub coverage: Coverage,
}

/// Astana's time zone (`Asia/Almaty` from the bundled tz database).
pub fn astana() -> Result<TimeZone, RegistrationDateError> {
    ASTANA
        .as_ref()
        .cloned()
        .map_err(|e| RegistrationDateError::TimeZone(e.clone()))
}

/// The registration date of a document certified at `at`, by `rule`, with `calendar`'s working
/// days.
pub fn registration_date(
    at: Timestamp,
    calendar: &Calendar,
    rule: DatingRule,
) -> Result<RegistrationDate, RegistrationDateError> {
    let zoned = at.to_zoned(astana()?);
    let local = zoned.datetime();
    let day = local.date();
    if rule == DatingRule::DateOfReceipt {
        // No calendar is consulted, so none can be missing.
        return Ok(RegistrationDate {
            date: day,
            local,
            offset: zoned.offset(),
            coverage: Coverage::Data,
        });
    }
    let working = calendar.is_working_day(day);
    let after_cutoff = rule == DatingRule::CutOff && local.hour() >= CUTOFF_HOUR;
    let (date, coverage) = if working.value && !after_cutoff {
        (day, working.coverage)
    } else {
        let next = calendar.next_working_day(day)?;
        (next.value, working.coverage.and(next.coverage))
    };
    Ok(RegistrationDate {
        date,
        local,
        offset: zoned.offset(),
        coverage,
    })
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use jiff::tz::offset;

    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn dated(at: &str) -> RegistrationDate {
        registration_date(ts(at), &Calendar::builtin().unwrap(), DatingRule::CutOff).unwrap()
    }

    #[test]
    fn astana_was_utc_plus_6_before_2024_03_01_and_is_utc_plus_5_since() {
        let tz = astana().unwrap();
        // 2024-03-01 00:00 at +06 is 2024-02-29 18:00 UTC.
        let before = ts("2024-02-29T17:59:59Z").to_zoned(tz.clone());
        assert_eq!(before.offset(), offset(6));
        assert_eq!(before.datetime().to_string(), "2024-02-29T23:59:59");
        let after = ts("2024-02-29T18:00:00Z").to_zoned(tz.clone());
        assert_eq!(after.offset(), offset(5));
        assert_eq!(after.datetime().to_string(), "2024-02-29T23:00:00");
        assert_eq!(
            ts("2023-07-01T00:00:00Z").to_zoned(tz.clone()).offset(),
            offset(6)
        );
        assert_eq!(ts("2025-07-01T00:00:00Z").to_zoned(tz).offset(), offset(5));
    }

    #[test]
    fn working_day_until_13_59_59_is_that_day() {
        // Wednesday 4 June 2025, 13:59:59 at +05.
        let r = dated("2025-06-04T08:59:59Z");
        assert_eq!(r.local, date(2025, 6, 4).at(13, 59, 59, 0));
        assert_eq!(r.date, date(2025, 6, 4));
        assert_eq!(r.coverage, Coverage::Data);
        let r = dated("2025-06-04T08:59:59.999999999Z");
        assert_eq!(r.date, date(2025, 6, 4));
        // Midnight is the start of the day.
        assert_eq!(dated("2025-06-03T19:00:00Z").date, date(2025, 6, 4));
    }

    #[test]
    fn working_day_from_14_00_00_is_the_next_working_day() {
        let r = dated("2025-06-04T09:00:00Z");
        assert_eq!(r.local, date(2025, 6, 4).at(14, 0, 0, 0));
        assert_eq!(r.date, date(2025, 6, 5));
        // 23:59:59 too.
        assert_eq!(dated("2025-06-04T18:59:59Z").date, date(2025, 6, 5));
    }

    #[test]
    fn friday_afternoon_goes_to_monday_or_later() {
        // Friday 2 May 2025, 15:00 -> Monday 5 May.
        assert_eq!(dated("2025-05-02T10:00:00Z").date, date(2025, 5, 5));
        // Friday 7 March 2025, 16:30 -> Monday 10 March is the day off for Saturday 8 March,
        // so Tuesday 11 March.
        assert_eq!(dated("2025-03-07T11:30:00Z").date, date(2025, 3, 11));
        // Thursday 5 June 2025 after 14:00 -> Friday 6 June is Kurban Ait -> Monday 9 June.
        assert_eq!(dated("2025-06-05T09:00:00Z").date, date(2025, 6, 9));
    }

    #[test]
    fn public_holiday_goes_to_the_next_working_day_at_any_hour() {
        // Independence Day, Tuesday 16 December 2025, 10:00 -> 17 December.
        assert_eq!(dated("2025-12-16T05:00:00Z").date, date(2025, 12, 17));
        // Nauryz 2025, Friday 21 March 09:00 -> days off to Tuesday 25 March -> Wednesday 26.
        assert_eq!(dated("2025-03-21T04:00:00Z").date, date(2025, 3, 26));
        // A Sunday morning -> Monday.
        assert_eq!(dated("2025-06-15T04:00:00Z").date, date(2025, 6, 16));
    }

    #[test]
    fn working_weekend_days_register_on_the_day() {
        // Saturday 4 May 2024 (worked for 8 May), 10:00 at +05.
        assert_eq!(dated("2024-05-04T05:00:00Z").date, date(2024, 5, 4));
        // Sunday 5 January 2025 (worked for 3 January), 11:00.
        assert_eq!(dated("2025-01-05T06:00:00Z").date, date(2025, 1, 5));
        // Wednesday 8 May 2024 is off; 9 May too -> Friday 10 May.
        assert_eq!(dated("2024-05-08T05:00:00Z").date, date(2024, 5, 10));
    }

    #[test]
    fn the_day_before_the_time_zone_change() {
        // 2024-02-29T08:30:00Z is 14:30 in Astana under UTC+6 (13:30 under UTC+5 would have been
        // the same day): after the cut-off, so the next working day, Friday 1 March 2024.
        let r = dated("2024-02-29T08:30:00Z");
        assert_eq!(r.offset, offset(6));
        assert_eq!(r.local, date(2024, 2, 29).at(14, 30, 0, 0));
        assert_eq!(r.date, date(2024, 3, 1));
        assert_eq!(r.coverage, Coverage::Data);
        // 07:59:59Z was 13:59:59 at +06: the same day.
        assert_eq!(dated("2024-02-29T07:59:59Z").date, date(2024, 2, 29));
        // After the change, 2024-03-01T08:30:00Z is 13:30 at +05: the same day.
        let r = dated("2024-03-01T08:30:00Z");
        assert_eq!((r.offset, r.date), (offset(5), date(2024, 3, 1)));
        // The repeated hour 23:00-23:59 of 29 February: both passes are after the cut-off.
        assert_eq!(dated("2024-02-29T17:30:00Z").date, date(2024, 3, 1));
        assert_eq!(dated("2024-02-29T18:30:00Z").date, date(2024, 3, 1));
    }

    #[test]
    fn years_without_data_fall_back_and_say_so() {
        // Wednesday 7 June 2028, 10:00: a weekday, but Kurban Ait 2028 is unknown here.
        let r = dated("2028-06-07T05:00:00Z");
        assert_eq!((r.date, r.coverage), (date(2028, 6, 7), Coverage::Fallback));
        // Saturday 1 January 2028 -> 3 and 4 January replace New Year -> Wednesday 5 January.
        let r = dated("2028-01-01T05:00:00Z");
        assert_eq!((r.date, r.coverage), (date(2028, 1, 5), Coverage::Fallback));
        // Friday 31 December 2027 after 14:00: the day has data, the answer does not.
        let r = dated("2027-12-31T10:00:00Z");
        assert_eq!((r.date, r.coverage), (date(2028, 1, 5), Coverage::Fallback));
    }

    #[test]
    fn during_review_the_actual_date_counts_unless_it_is_a_day_off() {
        let cal = Calendar::builtin().unwrap();
        let review =
            |at: &str| registration_date(ts(at), &cal, DatingRule::CertificationDay).unwrap();
        // Wednesday 4 June 2025, 18:00: no cut-off during review.
        assert_eq!(review("2025-06-04T13:00:00Z").date, date(2025, 6, 4));
        // Saturday 7 June 2025 -> Monday 9 June.
        assert_eq!(review("2025-06-07T05:00:00Z").date, date(2025, 6, 9));
    }

    #[test]
    fn date_of_receipt_is_the_astana_date_on_any_day() {
        let cal = Calendar::builtin().unwrap();
        let receipt =
            |at: &str| registration_date(ts(at), &cal, DatingRule::DateOfReceipt).unwrap();
        // Wednesday 1 July 2026, 15:00: no cut-off.
        assert_eq!(receipt("2026-07-01T10:00:00Z").date, date(2026, 7, 1));
        // Saturday 4 July 2026, 23:59:59: that Saturday.
        let r = receipt("2026-07-04T18:59:59Z");
        assert_eq!((r.date, r.coverage), (date(2026, 7, 4), Coverage::Data));
        // 19:00Z is midnight in Astana: Sunday 5 July.
        assert_eq!(receipt("2026-07-04T19:00:00Z").date, date(2026, 7, 5));
        // Across the 2024 change: 23:59:59 at +06, then the repeated hour at +05, then 1 March.
        assert_eq!(receipt("2024-02-29T17:59:59Z").date, date(2024, 2, 29));
        assert_eq!(receipt("2024-02-29T18:30:00Z").date, date(2024, 2, 29));
        assert_eq!(receipt("2024-02-29T19:00:00Z").date, date(2024, 3, 1));
    }
}
