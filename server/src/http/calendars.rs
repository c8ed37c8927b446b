//! `GET /v1/calendars` (readers) and `PUT /v1/calendars/{year}` (admins): the working-day
//! calendar in force, and a year of it set as the government's decree has it (admins manage
//! keys and calendars). A year set here is stored with its audit entry and
//! dates every registration from then on, also after a restart; it replaces that year of the
//! built-in calendar and of the operator's file.

use std::collections::BTreeMap;

use hyper::{Response, StatusCode};
use qoima_vault::keys::ApiKey;
use qoima_vault::registry::stored_years;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::auth::actor;
use super::body::Body;
use super::response::{json, problem, status_of};
use crate::representation::rfc3339;

/// The body of `PUT /v1/calendars/{year}`: the year's table as the calendar file has it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct YearTable {
    /// The decree or production calendar the dates come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    /// Days off beyond Saturdays and Sundays, `YYYY-MM-DD`.
    #[serde(default)]
    holidays: Vec<String>,
    /// Saturdays and Sundays made working days, `YYYY-MM-DD`.
    #[serde(default)]
    working: Vec<String>,
}

/// The calendar file's text of one year's table (the calendar file's format), as the vault stores it.
#[derive(Serialize)]
struct CalendarFile<'a> {
    years: BTreeMap<String, &'a YearTable>,
}

/// `GET /v1/calendars`: every year described by data, with its days and where it came from.
pub(super) fn list(state: &AppState) -> Response<Body> {
    let calendar = state.registry.calendar();
    let stored = match stored_years(state.registry.content().backend()) {
        Ok(stored) => stored,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let years: Vec<Value> = calendar
        .years()
        .map(|year| {
            let set = stored.iter().find(|change| change.year == year);
            let dates = |days: &mut dyn Iterator<Item = jiff::civil::Date>| {
                days.map(|d| d.to_string()).collect::<Vec<_>>()
            };
            json!({
                "year": year,
                "source": calendar.source(year),
                "holidays": dates(&mut calendar.holidays(year)),
                "working": dates(&mut calendar.working(year)),
                "revision": set.map(|change| change.revision),
                "setBy": set.map(|change| change.record.by.as_str()),
                "setAt": set.map(|change| rfc3339(change.record.at)),
            })
        })
        .collect();
    json(StatusCode::OK, json!({ "years": years }).to_string())
}

/// `PUT /v1/calendars/{year}`: 200 with the year's new revision; 422 when the table is not a
/// valid one of that year (nothing stored); 404 when `{year}` is not a year from 1 to 9999.
pub(super) fn set(year: &str, bytes: &[u8], state: &AppState, key: &ApiKey) -> Response<Body> {
    let Some(number) = parse_year(year) else {
        return problem(
            StatusCode::NOT_FOUND,
            &format!("no calendar year {year:?}: a year is 1 to 9999"),
        );
    };
    let table: YearTable = match serde_json::from_slice(bytes) {
        Ok(table) => table,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let file = CalendarFile {
        years: BTreeMap::from([(number.to_string(), &table)]),
    };
    let text = match toml::to_string(&file) {
        Ok(text) => text,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let by = match actor(key) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    match state
        .registry
        .set_calendar_year(number, &text, &by, jiff::Timestamp::now())
    {
        Ok(revision) => json(
            StatusCode::OK,
            json!({ "year": number, "revision": revision }).to_string(),
        ),
        Err(e) => problem(status_of(e.kind()), &e.to_string()),
    }
}

/// A year from 1 to 9999 written without a sign or leading zeros.
fn parse_year(text: &str) -> Option<i16> {
    let well_formed = (1..=4).contains(&text.len())
        && !text.starts_with('0')
        && text.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    #[test]
    fn years_are_plain_numbers_from_1_to_9999() {
        for (text, year) in [("1", Some(1)), ("2027", Some(2027)), ("9999", Some(9999))] {
            assert_eq!(parse_year(text), year, "{text}");
        }
        for bad in [
            "",
            "0",
            "0207",
            "10000",
            "+2027",
            "-1",
            "2027 ",
            "２０２７",
            "20.7",
        ] {
            assert_eq!(parse_year(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_table_is_written_as_the_calendar_file_has_it() {
        let table: YearTable = serde_json::from_str(
            r#"{"source": "Постановление № 1", "holidays": ["2027-03-22"], "working": []}"#,
        )
        .unwrap();
        let file = CalendarFile {
            years: BTreeMap::from([("2027".to_owned(), &table)]),
        };
        let text = toml::to_string(&file).unwrap();
        let calendar = qoima_vault::records::Calendar::one_year(&text, 2027).unwrap();
        assert_eq!(calendar.source(2027), Some("Постановление № 1"));
        assert_eq!(calendar.holidays(2027).count(), 1);
        // Unknown fields are refused, not dropped.
        assert!(serde_json::from_str::<YearTable>(r#"{"holiday": []}"#).is_err());
    }
}
