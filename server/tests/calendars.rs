//! End-to-end: admins manage the working-day calendar over HTTP. A year set with
//! `PUT /v1/calendars/{year}` dates the registrations that follow where the rules in force
//! consult working days (order 670 §18, to 2026-06-30; order 253 §36 dates by the day of
//! receipt, `docs/rules.md`), stays after a restart, is in the audit log that
//! `qoima audit verify` checks, and nothing else may set it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

mod common;

use common::{Server, Vault, key, pdf, registration, stderr};
use jiff::ToSpan as _;
use jiff::civil::Date;
use serde_json::{Value, json};

/// Today in Astana, and up to six days after it in the same year: the days a test decree
/// makes holidays.
fn days_off() -> (i16, Vec<Date>) {
    let today = jiff::Timestamp::now().in_tz("Asia/Almaty").unwrap().date();
    let days = (0..7)
        .map(|n| today.checked_add(n.days()).unwrap())
        .filter(|day| day.year() == today.year())
        .collect();
    (today.year(), days)
}

fn put_year(server: &Server, key: &str, year: &str, body: &Value) -> (u16, Value) {
    let path = format!("/v1/calendars/{year}");
    let (status, text) = server.request(key, "PUT", &path, body.to_string().into_bytes());
    (status, serde_json::from_str(&text).unwrap())
}

fn register(server: &Server, key: &str, address: &str, content: &[u8]) -> Value {
    let (status, text) =
        server.request(key, "POST", "/v1/documents", registration(address, content));
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A registration made now, on the test decree's days off: under order 670 §18 dated after the
/// last of them; under order 253 §36 (from 2026-07-01) on the day of receipt, one of them.
fn assert_dated_by_the_rules_in_force(registered: &Value, days: &[Date]) {
    let date: Date = registered["registrationDate"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let last_day_off = *days.last().unwrap();
    let rules = qoima_vault::records::rules_at(jiff::Timestamp::now()).unwrap();
    match rules.order {
        253 => assert!(days.contains(&date), "{date} is not one of {days:?}"),
        _ => assert!(date > last_day_off, "{date} is not after {last_day_off}"),
    }
    let dated_by = rules.submission.clause.to_string();
    assert_eq!(registered["datedBy"], dated_by.as_str(), "{registered}");
}

fn year_entry(calendars: &Value, year: i16) -> Value {
    calendars["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["year"] == year)
        .cloned()
        .unwrap_or_else(|| panic!("no {year} in {calendars}"))
}

#[test]
fn an_admin_sets_a_year_and_registrations_follow_it() {
    let vault = Vault::new();
    let (first, second) = (pdf(1), pdf(2));
    let first_address = vault.put("first.pdf", &first);
    let second_address = vault.put("second.pdf", &second);
    let admin = key(&vault, "admin");
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let server = Server::start(&vault);

    // The built-in years, set by nobody.
    let calendars = server.get_json(&reader, "/v1/calendars");
    let builtin = year_entry(&calendars, 2026);
    assert!(builtin["source"].is_string(), "{builtin}");
    assert!(builtin["revision"].is_null(), "{builtin}");
    assert_eq!(builtin["holidays"][0], "2026-01-01", "{builtin}");

    let (year, days) = days_off();
    let decree = json!({
        "source": "a test decree",
        "holidays": days.iter().map(Date::to_string).collect::<Vec<_>>(),
    });
    let year_text = year.to_string();
    // Only admins; nothing is set by the others.
    for (who, status) in [(&writer, 403), (&reader, 403), (&String::new(), 401)] {
        assert_eq!(put_year(&server, who, &year_text, &decree).0, status);
    }
    // Bad input: nothing set.
    let other_year = json!({ "holidays": [format!("{}-03-02", year + 1)] });
    let weekday_working = json!({ "working": [days[0].to_string()] });
    for (path, body, status) in [
        ("0999", &decree, 404),
        ("10000", &decree, 404),
        ("..", &decree, 404),
        (year_text.as_str(), &other_year, 422),
        (year_text.as_str(), &json!({ "holiday": [] }), 400),
        (
            year_text.as_str(),
            &json!({ "holidays": "2026-01-01" }),
            400,
        ),
    ] {
        let (got, problem) = put_year(&server, &admin, path, body);
        assert_eq!(got, status, "{path} {body}: {problem}");
    }
    if days[0].weekday().to_monday_one_offset() <= 5 {
        let (got, problem) = put_year(&server, &admin, &year_text, &weekday_working);
        assert_eq!(got, 422, "{problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("Saturday or Sunday")
        );
    }
    assert!(year_entry(&server.get_json(&admin, "/v1/calendars"), 2026)["revision"].is_null());

    let (status, set) = put_year(&server, &admin, &year_text, &decree);
    assert_eq!(status, 200, "{set}");
    assert_eq!(set, json!({ "year": year, "revision": 1 }));
    let entry = year_entry(&server.get_json(&reader, "/v1/calendars"), year);
    assert_eq!(entry["source"], "a test decree");
    assert_eq!(entry["revision"], 1);
    assert_eq!(entry["holidays"], decree["holidays"]);
    assert!(entry["setBy"].as_str().unwrap().starts_with("api key "));

    // Registered now, on a day off.
    let registered = register(&server, &writer, &first_address, &first);
    assert_dated_by_the_rules_in_force(&registered, &days);

    // After a restart the year is still in force.
    drop(server);
    let server = Server::start(&vault);
    let entry = year_entry(&server.get_json(&reader, "/v1/calendars"), year);
    assert_eq!(entry["revision"], 1);
    let registered = register(&server, &writer, &second_address, &second);
    assert_dated_by_the_rules_in_force(&registered, &days);
    drop(server);

    // The auditor's check finds the change in the log and the log whole.
    let out = vault.qoima(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
