//! Kazakhstan's working-day calendar, as data the operator can update.
//!
//! The rule: non-working days are Saturdays, Sundays, the holidays of the Law "On holidays in
//! the Republic of Kazakhstan" and the first day of Kurban Ait (set every year); a holiday on a
//! weekend moves to the next working day (art. 5 of that Law), and the government moves days of
//! rest by decree each year (Labour Code art. 85 p. 3). So the calendar is a TOML file, one table
//! per year:
//!
//! ```toml
//! [years.2025]
//! source = "MTSZN production calendar 2025"       # optional, for reports
//! holidays = ["2025-01-01", "2025-01-02", "2025-01-03"]   # non-working beyond Sat/Sun
//! working = ["2025-01-05"]                        # Saturdays/Sundays made working days
//! ```
//!
//! Years without a table fall back to weekends plus the statutory fixed holidays, and every
//! answer says which of the two it came from ([`Coverage`]) so that callers can report it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::civil::{Date, Weekday};
use serde::Deserialize;

/// The built-in calendar file: the production calendars of 2024–2027, with their sources.
const BUILTIN_TOML: &str = include_str!("../../calendar/kz-2024-2027.toml");

/// How many days [`Calendar::next_working_day`] looks ahead before giving up: far more than any
/// real run of days off (the longest, Nauryz with a weekend, is five); it only bounds the search
/// when a calendar file declares months non-working.
const MAX_LOOKAHEAD_DAYS: usize = 100;

/// Where a calendar answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Coverage {
    /// Every day consulted lies in a year that the calendar file describes.
    Data,
    /// At least one day consulted lies in a year without data: the answer assumed weekends plus
    /// the statutory fixed holidays only. Days moved by decree and Kurban Ait are unknown there.
    Fallback,
}

impl Coverage {
    /// The weaker of two coverages: an answer built from several days is only as well covered as
    /// its least covered day.
    pub fn and(self, other: Coverage) -> Coverage {
        self.max(other)
    }

    /// Stable lowercase name for reports: `data` or `fallback`.
    pub fn name(self) -> &'static str {
        match self {
            Coverage::Data => "data",
            Coverage::Fallback => "fallback",
        }
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar answer with the coverage it was given under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered<T> {
    /// The answer.
    pub value: T,
    /// Whether it rests on calendar data or on the fallback rule.
    pub coverage: Coverage,
}

/// Why a calendar file was refused, or a calendar question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The file is not valid TOML or does not have the calendar's shape.
    #[error("calendar file: {0}")]
    Syntax(String),
    /// A `[years.X]` table whose key is not a year from 1 to 9999.
    #[error("calendar file: [years.{0}] does not name a year (expected 1 to 9999)")]
    BadYear(String),
    /// A listed date that is not a valid `YYYY-MM-DD` date.
    #[error("calendar file: [years.{year}] {list}: {text:?} is not a date (expected YYYY-MM-DD)")]
    BadDate {
        /// The year table.
        year: i16,
        /// `holidays` or `working`.
        list: &'static str,
        /// The text as written.
        text: String,
    },
    /// A listed date outside the year of its table.
    #[error("calendar file: [years.{year}] {list}: {date} is not in {year}")]
    WrongYear {
        /// The year table.
        year: i16,
        /// `holidays` or `working`.
        list: &'static str,
        /// The misplaced date.
        date: Date,
    },
    /// A date listed twice in the same list.
    #[error("calendar file: [years.{year}] {list}: {date} is listed twice")]
    Duplicate {
        /// The year table.
        year: i16,
        /// `holidays` or `working`.
        list: &'static str,
        /// The repeated date.
        date: Date,
    },
    /// A date that is both a holiday and a working day.
    #[error("calendar file: [years.{year}] {date} is in both `holidays` and `working`")]
    InBothLists {
        /// The year table.
        year: i16,
        /// The contradictory date.
        date: Date,
    },
    /// A `working` date on a weekday: only Saturdays and Sundays can be made working days.
    #[error(
        "calendar file: [years.{year}] working: {date} is a {weekday:?}; only a Saturday or Sunday \
         can be made a working day"
    )]
    WorkingNotWeekend {
        /// The year table.
        year: i16,
        /// The date.
        date: Date,
        /// Its day of the week.
        weekday: Weekday,
    },
    /// No working day follows a date within the look-ahead (a calendar that declares whole
    /// months non-working), or the search ran past the last representable date.
    #[error("no working day found after {0}")]
    NoWorkingDay(Date),
    /// The text of one year describes no year or other years too.
    #[error("calendar year: the text must hold [years.{0}] and no other table")]
    NotOneYear(i16),
}

/// The file as written: dates as text, checked by [`Calendar::from_toml`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    years: BTreeMap<String, YearFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    holidays: Vec<DateText>,
    #[serde(default)]
    working: Vec<DateText>,
}

/// A date as the operator may write it: a quoted string or a bare TOML local date.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateText {
    Text(String),
    Toml(toml::value::Datetime),
}

impl DateText {
    fn text(&self) -> String {
        match self {
            DateText::Text(s) => s.clone(),
            DateText::Toml(d) => d.to_string(),
        }
    }
}

/// One year of calendar data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct YearData {
    source: Option<String>,
    holidays: BTreeSet<Date>,
    working: BTreeSet<Date>,
}

/// Kazakhstan's working days: the years described by data, and the statutory fallback for the
/// others. Immutable once built; cheap to share by reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i16, YearData>,
}

impl Calendar {
    /// The built-in calendar: the production calendars of 2024–2027 from
    /// `vault/calendar/kz-2024-2027.toml`, where each year's sources are cited.
    pub fn builtin() -> Result<Calendar, CalendarError> {
        Calendar::from_toml(BUILTIN_TOML)
    }

    /// Reads and checks a calendar file: every date must parse, lie in its table's year, appear
    /// at most once, and not be both a holiday and a working day; `working` dates must be
    /// Saturdays or Sundays.
    pub fn from_toml(text: &str) -> Result<Calendar, CalendarError> {
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        let mut years = BTreeMap::new();
        for (key, table) in file.years {
            let year = key
                .parse::<i16>()
                .ok()
                .filter(|y| (1..=9999).contains(y))
                .ok_or_else(|| CalendarError::BadYear(key.clone()))?;
            let holidays = dates(year, "holidays", &table.holidays)?;
            let working = dates(year, "working", &table.working)?;
            if let Some(&date) = holidays.intersection(&working).next() {
                return Err(CalendarError::InBothLists { year, date });
            }
            if let Some(&date) = working.iter().find(|d| !is_weekend(**d)) {
                return Err(CalendarError::WorkingNotWeekend {
                    year,
                    date,
                    weekday: date.weekday(),
                });
            }
            years.insert(
                year,
                YearData {
                    source: table.source,
                    holidays,
                    working,
                },
            );
        }
        Ok(Calendar { years })
    }

    /// Reads the calendar file text of one year: it must hold `[years.YEAR]` and no other
    /// table, and pass every check of [`Calendar::from_toml`].
    pub fn one_year(text: &str, year: i16) -> Result<Calendar, CalendarError> {
        let calendar = Calendar::from_toml(text)?;
        if calendar.years().eq([year]) {
            Ok(calendar)
        } else {
            Err(CalendarError::NotOneYear(year))
        }
    }

    /// This calendar with the years of `newer` added, replacing any year both describe: how an
    /// operator's file for new years goes on top of the built-in defaults.
    pub fn extended_by(mut self, newer: Calendar) -> Calendar {
        self.years.extend(newer.years);
        self
    }

    /// Whether `year` is described by data or answered by the fallback rule.
    pub fn coverage(&self, year: i16) -> Coverage {
        if self.years.contains_key(&year) {
            Coverage::Data
        } else {
            Coverage::Fallback
        }
    }

    /// The years described by data, in order.
    pub fn years(&self) -> impl Iterator<Item = i16> + '_ {
        self.years.keys().copied()
    }

    /// The dates `year`'s data makes days off beyond Saturdays and Sundays, in order (none for
    /// a year without data).
    pub fn holidays(&self, year: i16) -> impl Iterator<Item = Date> + '_ {
        self.years
            .get(&year)
            .into_iter()
            .flat_map(|y| y.holidays.iter().copied())
    }

    /// The Saturdays and Sundays `year`'s data makes working days, in order.
    pub fn working(&self, year: i16) -> impl Iterator<Item = Date> + '_ {
        self.years
            .get(&year)
            .into_iter()
            .flat_map(|y| y.working.iter().copied())
    }

    /// The source cited for `year` in the calendar file, if any.
    pub fn source(&self, year: i16) -> Option<&str> {
        self.years.get(&year).and_then(|y| y.source.as_deref())
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: Date) -> Covered<bool> {
        let value = match self.years.get(&date.year()) {
            Some(data) => {
                data.working.contains(&date)
                    || (!is_weekend(date) && !data.holidays.contains(&date))
            }
            None => !is_weekend(date) && !statutory_days_off(date.year()).contains(&date),
        };
        Covered {
            value,
            coverage: self.coverage(date.year()),
        }
    }

    /// The first working day strictly after `date`. The coverage is the weakest of every day
    /// consulted, so a search that crosses into a year without data reports the fallback.
    pub fn next_working_day(&self, date: Date) -> Result<Covered<Date>, CalendarError> {
        let mut coverage = Coverage::Data;
        let mut day = date;
        for _ in 0..MAX_LOOKAHEAD_DAYS {
            day = day
                .tomorrow()
                .map_err(|_| CalendarError::NoWorkingDay(date))?;
            let answer = self.is_working_day(day);
            coverage = coverage.and(answer.coverage);
            if answer.value {
                return Ok(Covered {
                    value: day,
                    coverage,
                });
            }
        }
        Err(CalendarError::NoWorkingDay(date))
    }
}

/// Parses and checks one list of a year table.
fn dates(
    year: i16,
    list: &'static str,
    texts: &[DateText],
) -> Result<BTreeSet<Date>, CalendarError> {
    let mut out = BTreeSet::new();
    for item in texts {
        let text = item.text();
        let date = parse_date(&text).ok_or_else(|| CalendarError::BadDate {
            year,
            list,
            text: text.clone(),
        })?;
        if date.year() != year {
            return Err(CalendarError::WrongYear { year, list, date });
        }
        if !out.insert(date) {
            return Err(CalendarError::Duplicate { year, list, date });
        }
    }
    Ok(out)
}

/// Exactly `YYYY-MM-DD`: jiff alone would also take a date with a time.
fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    text.parse::<Date>().ok()
}

/// Saturday or Sunday.
fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The statutory fixed holidays of a year, as (month, day, moves when on a weekend).
///
/// Law "On holidays in the Republic of Kazakhstan", art. 2 (national: Republic Day 25 October
/// since 2022, Independence Day 16 December) and art. 3 (state: New Year 1–2 January,
/// International Women's Day 8 March, Nauryz 21–23 March, Unity Day 1 May, Defender of the
/// Fatherland Day 7 May, Victory Day 9 May, Capital Day 6 July, Constitution Day), and the
/// religious days off of Labour Code art. 84 (Orthodox Christmas 7 January; the first day of
/// Kurban Ait, whose date is set each year and so is unknown here). Art. 5 moves a holiday that
/// falls on a weekend to the next working day; the religious days off are not moved (egov.kz
/// holiday calendar: "without transfer").
///
/// Constitution Day was 30 August until 2025. The Constitution adopted by the referendum of
/// 15 March 2026 (art. 94) makes the day of its adoption Constitution Day; MTSZN stated on
/// 18 March 2026 that 30 August is no longer a holiday and that 15 March is celebrated from 2027.
/// 2026 has neither.
fn statutory_holidays(year: i16) -> Vec<(i8, i8, bool)> {
    let mut days = vec![
        (1, 1, true),
        (1, 2, true),
        (1, 7, false),
        (3, 8, true),
        (3, 21, true),
        (3, 22, true),
        (3, 23, true),
        (5, 1, true),
        (5, 7, true),
        (5, 9, true),
        (7, 6, true),
        (10, 25, true),
        (12, 16, true),
    ];
    if year <= 2025 {
        days.push((8, 30, true));
    } else if year >= 2027 {
        days.push((3, 15, true));
    }
    days.sort_unstable();
    days
}

/// The weekdays off of a year without data: the statutory holidays, plus a replacement day for
/// each one that falls on a weekend (the next working day after it that is not already off).
fn statutory_days_off(year: i16) -> BTreeSet<Date> {
    let holidays: Vec<(Date, bool)> = statutory_holidays(year)
        .into_iter()
        .filter_map(|(m, d, moves)| Date::new(year, m, d).ok().map(|date| (date, moves)))
        .collect();
    let mut off: BTreeSet<Date> = holidays.iter().map(|(date, _)| *date).collect();
    for &(date, moves) in &holidays {
        if !moves || !is_weekend(date) {
            continue;
        }
        let mut day = date;
        while let Ok(next) = day.tomorrow() {
            day = next;
            if !is_weekend(day) && !off.contains(&day) {
                off.insert(day);
                break;
            }
        }
    }
    off
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn builtin() -> Calendar {
        Calendar::builtin().unwrap()
    }

    fn working(cal: &Calendar, d: Date) -> bool {
        cal.is_working_day(d).value
    }

    /// Weekdays of `year` that are not working days, and weekend days that are.
    fn exceptions(cal: &Calendar, year: i16) -> (Vec<Date>, Vec<Date>) {
        let mut off = Vec::new();
        let mut on = Vec::new();
        let mut d = date(year, 1, 1);
        while d.year() == year {
            let w = working(cal, d);
            if !is_weekend(d) && !w {
                off.push(d);
            }
            if is_weekend(d) && w {
                on.push(d);
            }
            d = d.tomorrow().unwrap();
        }
        (off, on)
    }

    fn working_days_in(cal: &Calendar, year: i16) -> usize {
        let mut n = 0;
        let mut d = date(year, 1, 1);
        while d.year() == year {
            n += usize::from(working(cal, d));
            d = d.tomorrow().unwrap();
        }
        n
    }

    #[test]
    fn builtin_covers_2024_to_2027_with_sources() {
        let cal = builtin();
        assert_eq!(
            cal.years().collect::<Vec<_>>(),
            vec![2024, 2025, 2026, 2027]
        );
        for y in 2024..=2027 {
            assert_eq!(cal.coverage(y), Coverage::Data);
            assert!(
                cal.source(y).is_some_and(|s| !s.is_empty()),
                "{y} has no source"
            );
        }
        assert_eq!(cal.coverage(2023), Coverage::Fallback);
        assert_eq!(cal.coverage(2028), Coverage::Fallback);
    }

    #[test]
    fn builtin_working_day_totals_match_the_official_balances() {
        let cal = builtin();
        // 2024: 248 in the approved balance, +1 when Kurban Ait fell on Sunday 16 June.
        assert_eq!(working_days_in(&cal, 2024), 249);
        assert_eq!(working_days_in(&cal, 2025), 246);
        // 2026: 246 in the approved calendar, +1 when 31 August stopped being a day off.
        assert_eq!(working_days_in(&cal, 2026), 247);
    }

    #[test]
    fn builtin_differs_from_the_statutory_rule_only_by_decrees_and_kurban_ait() {
        let cal = builtin();
        let fallback = Calendar::default();
        let diff = |year: i16| {
            let (a_off, a_on) = exceptions(&cal, year);
            let (b_off, b_on) = exceptions(&fallback, year);
            let only_data: Vec<Date> = a_off
                .iter()
                .filter(|d| !b_off.contains(d))
                .copied()
                .collect();
            let only_rule: Vec<Date> = b_off
                .iter()
                .filter(|d| !a_off.contains(d))
                .copied()
                .collect();
            assert!(b_on.is_empty());
            (only_data, only_rule, a_on)
        };
        // 2024: 4 May -> 8 May by order; Kurban Ait on a Sunday.
        assert_eq!(
            diff(2024),
            (vec![date(2024, 5, 8)], vec![], vec![date(2024, 5, 4)])
        );
        // 2025: 5 Jan -> 3 Jan by order; Kurban Ait on Friday 6 June.
        assert_eq!(
            diff(2025),
            (
                vec![date(2025, 1, 3), date(2025, 6, 6)],
                vec![],
                vec![date(2025, 1, 5)]
            )
        );
        // 2026: Kurban Ait on Wednesday 27 May; no Constitution Day in either.
        assert_eq!(diff(2026), (vec![date(2026, 5, 27)], vec![], vec![]));
        // 2027: Kurban Ait estimated on a Sunday, so nothing differs.
        assert_eq!(diff(2027), (vec![], vec![], vec![]));
    }

    #[test]
    fn builtin_known_days() {
        let cal = builtin();
        // 2024-03-01, the day Kazakhstan moved to UTC+5, was a Friday and a working day.
        assert!(working(&cal, date(2024, 3, 1)));
        assert!(working(&cal, date(2024, 2, 29)));
        // Kurban Ait 2024 moved to Sunday 16 June: Monday 17 June was worked.
        assert!(working(&cal, date(2024, 6, 17)));
        assert!(working(&cal, date(2024, 5, 4)));
        assert!(!working(&cal, date(2024, 5, 8)));
        assert!(working(&cal, date(2025, 1, 5)));
        assert!(!working(&cal, date(2025, 1, 3)));
        assert!(!working(&cal, date(2025, 3, 25)));
        assert!(!working(&cal, date(2026, 5, 27)));
        assert!(working(&cal, date(2026, 8, 31)));
        assert!(!working(&cal, date(2027, 3, 15)));
        // Christmas on a weekday is off; on a Sunday it is not replaced.
        assert!(!working(&cal, date(2025, 1, 7)));
        assert!(working(&cal, date(2024, 1, 8)));
    }

    #[test]
    fn fallback_moves_weekend_holidays_but_not_christmas() {
        let cal = Calendar::default();
        // 2028: 1-2 January are Saturday and Sunday -> Monday 3 and Tuesday 4 January off.
        let a = cal.is_working_day(date(2028, 1, 3));
        assert_eq!((a.value, a.coverage), (false, Coverage::Fallback));
        assert!(!working(&cal, date(2028, 1, 4)));
        assert!(working(&cal, date(2028, 1, 5)));
        // Christmas 2029 is a Sunday: Monday 8 January 2029 is worked.
        assert!(working(&cal, date(2029, 1, 8)));
        // Nauryz 2026 under the rule: 21-22 March (Sat, Sun) -> 24 and 25 March.
        assert!(!working(&cal, date(2026, 3, 24)));
        assert!(!working(&cal, date(2026, 3, 25)));
        assert!(working(&cal, date(2026, 3, 26)));
        // Constitution Day: 30 August up to 2025, 15 March from 2027.
        assert!(!working(&cal, date(2023, 8, 30)));
        assert!(working(&cal, date(2028, 8, 30)));
        assert!(!working(&cal, date(2028, 3, 15)));
    }

    #[test]
    fn next_working_day_is_strictly_after_and_reports_coverage() {
        let cal = builtin();
        let n = cal.next_working_day(date(2025, 3, 20)).unwrap();
        assert_eq!(
            n,
            Covered {
                value: date(2025, 3, 26),
                coverage: Coverage::Data
            }
        );
        let n = cal.next_working_day(date(2025, 6, 4)).unwrap();
        assert_eq!(n.value, date(2025, 6, 5));
        // From the last day of the data into a year without it.
        let n = cal.next_working_day(date(2027, 12, 31)).unwrap();
        assert_eq!(
            n,
            Covered {
                value: date(2028, 1, 5),
                coverage: Coverage::Fallback
            }
        );
    }

    #[test]
    fn bare_toml_dates_are_accepted() {
        let cal = Calendar::from_toml("[years.2030]\nholidays = [2030-01-03]\n").unwrap();
        assert!(!working(&cal, date(2030, 1, 3)));
        assert_eq!(cal.coverage(2030), Coverage::Data);
    }

    #[test]
    fn extended_by_adds_and_replaces_years() {
        let newer = Calendar::from_toml(
            "[years.2028]\nholidays = [\"2028-06-02\"]\n[years.2027]\nholidays = []\n",
        )
        .unwrap();
        let cal = builtin().extended_by(newer);
        assert_eq!(cal.coverage(2028), Coverage::Data);
        assert!(!working(&cal, date(2028, 6, 2)));
        // The replaced 2027 table no longer knows New Year.
        assert!(working(&cal, date(2027, 1, 1)));
        assert_eq!(cal.coverage(2024), Coverage::Data);
    }

    #[test]
    fn invalid_files_are_refused_with_the_reason() {
        let err = |text: &str| Calendar::from_toml(text).unwrap_err();
        assert!(matches!(err("[years.2025\n"), CalendarError::Syntax(_)));
        assert!(matches!(
            err("[years.2025]\nholidayz = []\n"),
            CalendarError::Syntax(_)
        ));
        assert_eq!(err("[years.abc]\n"), CalendarError::BadYear("abc".into()));
        assert_eq!(err("[years.0]\n"), CalendarError::BadYear("0".into()));
        assert_eq!(
            err("[years.2025]\nholidays = [\"2025-02-30\"]\n"),
            CalendarError::BadDate {
                year: 2025,
                list: "holidays",
                text: "2025-02-30".into()
            }
        );
        assert!(matches!(
            err("[years.2025]\nholidays = [\"2025-1-3\"]\n"),
            CalendarError::BadDate { .. }
        ));
        assert!(matches!(
            err("[years.2025]\nholidays = [\"2025-01-03T00:00\"]\n"),
            CalendarError::BadDate { .. }
        ));
        assert_eq!(
            err("[years.2025]\nworking = [\"2024-12-28\"]\n"),
            CalendarError::WrongYear {
                year: 2025,
                list: "working",
                date: date(2024, 12, 28)
            }
        );
        assert_eq!(
            err("[years.2025]\nholidays = [\"2025-01-03\", \"2025-01-03\"]\n"),
            CalendarError::Duplicate {
                year: 2025,
                list: "holidays",
                date: date(2025, 1, 3)
            }
        );
        assert_eq!(
            err("[years.2025]\nholidays = [\"2025-01-05\"]\nworking = [\"2025-01-05\"]\n"),
            CalendarError::InBothLists {
                year: 2025,
                date: date(2025, 1, 5)
            }
        );
        let e = err("[years.2025]\nworking = [\"2025-01-06\"]\n");
        assert_eq!(
            e,
            CalendarError::WorkingNotWeekend {
                year: 2025,
                date: date(2025, 1, 6),
                weekday: Weekday::Monday
            }
        );
        assert!(e.to_string().contains("2025-01-06 is a Monday"), "{e}");
    }

    #[test]
    fn a_calendar_without_working_days_is_an_error_not_a_hang() {
        let mut holidays = Vec::new();
        let mut d = date(2030, 1, 1);
        while d.year() == 2030 {
            holidays.push(format!("\"{d}\""));
            d = d.tomorrow().unwrap();
        }
        let text = format!("[years.2030]\nholidays = [{}]\n", holidays.join(", "));
        let cal = Calendar::from_toml(&text).unwrap();
        assert_eq!(
            cal.next_working_day(date(2029, 12, 31)),
            Err(CalendarError::NoWorkingDay(date(2029, 12, 31)))
        );
        assert_eq!(
            cal.next_working_day(Date::MAX),
            Err(CalendarError::NoWorkingDay(Date::MAX))
        );
    }
}
