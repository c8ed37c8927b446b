//! The portal rules as data: which order is in force at a submission's instant, how it dates
//! the registration and how long it keeps each class, each rule with its order and clause.
//! `docs/rules.md` lists every rule the vault implements with the test that proves it.
//!
//! | order | in force (Astana dates) | dating | retention |
//! |---|---|---|---|
//! | 670 of 2018 (as amended by 568 of 2023) | until 2026-06-30 | §18: the 14:00 cut-off; §18, §46: during review, the day of certification | §23: 3 years (the vault keeps project documentation 5) |
//! | 253 of 2026 (Appendix 2 repeals 670 and 568) | from 2026-07-01 | §36: the date of receipt, assigned automatically | §44: not less than 5 years |
//! | 465 of 2020 | under both | — | §13: the facility's service life |
//!
//! The rule set is chosen by the Astana civil date of the submission instant ([`rules_at`]):
//! a submission at 2026-06-30T23:59:59+05:00 is under order 670 even when its date is the next
//! working day. Configuration may lengthen a retention, never shorten it ([`check_retention`],
//! [`at_least`]).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, date};

use super::class::{Retention, RetentionClass};
use super::registration_date::{DatingRule, RegistrationDateError, astana};

/// A clause of an order: `670 §18`, `253 §44`, `670 §18, §46`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Clause {
    /// The order's number.
    pub order: u16,
    /// Its sections, as cited (`§18`, `§18, §46`).
    pub sections: &'static str,
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.order, self.sections)
    }
}

/// How a rule set dates a registration, and the clause that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dating {
    /// The dating rule.
    pub rule: DatingRule,
    /// Its source.
    pub clause: Clause,
}

/// How long a rule set keeps a class, and the clause that says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassRetention {
    /// The class.
    pub class: RetentionClass,
    /// The minimum retention.
    pub retention: Retention,
    /// Its source.
    pub clause: Clause,
}

/// The rules of one order, and the days on which they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet {
    /// The order's number.
    pub order: u16,
    /// The order, as named.
    pub title: &'static str,
    /// The first day (Astana time) it applies, `None` for always before.
    pub in_force_from: Option<Date>,
    /// The last day (Astana time, inclusive) it applies, `None` while in force.
    pub in_force_until: Option<Date>,
    /// How a document submitted for registration is dated.
    pub submission: Dating,
    /// How a document submitted during a review (and in the expert systems) is dated.
    pub during_review: Dating,
    /// The retention of each class.
    pub retention: [ClassRetention; 3],
    /// The least any document registered under it is kept, from its registration (a
    /// construction record too, however early its facility's end of service), and the clause.
    pub floor: (u16, Clause),
}

/// Which dating a submitter asks for: a submission for registration, or a document certified
/// during a review. Under an order without a separate review mode, the order's one rule
/// applies and the record names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DatingMode {
    /// A document submitted for registration (`submission`).
    #[default]
    Submission,
    /// A document submitted during a review or in the expert systems (`during-review`).
    DuringReview,
}

impl DatingMode {
    /// The name used on the command line and in the API.
    pub fn name(self) -> &'static str {
        match self {
            DatingMode::Submission => "submission",
            DatingMode::DuringReview => "during-review",
        }
    }
}

impl fmt::Display for DatingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a dating mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dating {0:?}: expected submission or during-review")]
pub struct UnknownDatingMode(pub String);

impl FromStr for DatingMode {
    type Err = UnknownDatingMode;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "submission" => Ok(DatingMode::Submission),
            "during-review" => Ok(DatingMode::DuringReview),
            _ => Err(UnknownDatingMode(text.to_owned())),
        }
    }
}

/// Order 465 §13: construction records are kept for the whole service life of the facility
/// (its end-of-service event, plus a tail the operator may set). In force under both orders.
const SERVICE_LIFE: ClassRetention = ClassRetention {
    class: RetentionClass::ConstructionRecord,
    retention: Retention::UntilEndOfService { tail_years: 0 },
    clause: Clause {
        order: 465,
        sections: "§13",
    },
};

/// Order 670 of 2018, as amended by order 568 of 2023: in force until 2026-06-30.
pub const ORDER_670: RuleSet = {
    let s23 = Clause {
        order: 670,
        sections: "§23",
    };
    RuleSet {
        order: 670,
        title: "order No. 670 of 2018 (as amended by order No. 568 of 2023)",
        in_force_from: None,
        in_force_until: Some(date(2026, 6, 30)),
        // §18: "a working day 00:00–13:59 → that date; 14:00–23:59 → next working day; a
        // non-working day → next working day".
        submission: Dating {
            rule: DatingRule::CutOff,
            clause: Clause {
                order: 670,
                sections: "§18",
            },
        },
        // §18 (second paragraph), §46: "documents during review and in the expert systems: the
        // actual time of EDS certification, a non-working day → next working day".
        during_review: Dating {
            rule: DatingRule::CertificationDay,
            clause: Clause {
                order: 670,
                sections: "§18, §46",
            },
        },
        // §23: "3 years from registration". Project documentation keeps the vault's 5-year
        // minimum, which registrations under 670 have always had.
        retention: [
            ClassRetention {
                class: RetentionClass::ExpertiseApplication,
                retention: Retention::YearsFromRegistration { years: 3 },
                clause: s23,
            },
            ClassRetention {
                class: RetentionClass::ProjectDocumentation,
                retention: Retention::YearsFromRegistration { years: 5 },
                clause: s23,
            },
            SERVICE_LIFE,
        ],
        floor: (3, s23),
    }
};

/// Order 253 of 2026: in force from 2026-07-01 (its Appendix 2 repeals orders 670 and 568).
pub const ORDER_253: RuleSet = {
    // §36: "applications are registered by the portal automatically by assigning a
    // registration number and date": the Astana date of receipt, any day, no cut-off.
    let s36 = Dating {
        rule: DatingRule::DateOfReceipt,
        clause: Clause {
            order: 253,
            sections: "§36",
        },
    };
    // §44: "project information and its documents are kept not less than 5 years".
    let s44 = Clause {
        order: 253,
        sections: "§44",
    };
    RuleSet {
        order: 253,
        title: "order No. 253 of 2026",
        in_force_from: Some(date(2026, 7, 1)),
        in_force_until: None,
        submission: s36,
        // No separate review mode: the date of receipt applies to every submission.
        during_review: s36,
        retention: [
            ClassRetention {
                class: RetentionClass::ExpertiseApplication,
                retention: Retention::YearsFromRegistration { years: 5 },
                clause: s44,
            },
            ClassRetention {
                class: RetentionClass::ProjectDocumentation,
                retention: Retention::YearsFromRegistration { years: 5 },
                clause: s44,
            },
            SERVICE_LIFE,
        ],
        floor: (5, s44),
    }
};

/// Every rule set, oldest first; together they cover every day, one set a day.
pub const RULE_SETS: [RuleSet; 2] = [ORDER_670, ORDER_253];

impl RuleSet {
    /// Whether the set applies on `day` (Astana time).
    pub fn in_force_on(&self, day: Date) -> bool {
        self.in_force_from.is_none_or(|from| from <= day)
            && self.in_force_until.is_none_or(|until| day <= until)
    }

    /// How a submission in `mode` is dated.
    pub fn dating(&self, mode: DatingMode) -> Dating {
        match mode {
            DatingMode::Submission => self.submission,
            DatingMode::DuringReview => self.during_review,
        }
    }

    /// How long `class` is kept.
    pub fn retention(&self, class: RetentionClass) -> ClassRetention {
        self.retention
            .iter()
            .copied()
            .find(|r| r.class == class)
            .unwrap_or(SERVICE_LIFE)
    }
}

/// The rule set in force on `day` (Astana time).
pub fn rules_on(day: Date) -> &'static RuleSet {
    RULE_SETS
        .iter()
        .find(|set| set.in_force_on(day))
        .unwrap_or(&ORDER_253)
}

/// The rule set in force at the submission instant `at`, by its Astana civil date.
pub fn rules_at(at: Timestamp) -> Result<&'static RuleSet, RegistrationDateError> {
    Ok(rules_on(at.to_zoned(astana()?).date()))
}

/// The shortest retention any rule set requires for `class` (order 670's): what configuration
/// may not go below.
pub fn minimum_retention(class: RetentionClass) -> Retention {
    RULE_SETS
        .iter()
        .map(|set| set.retention(class).retention)
        .reduce(|a, b| if at_least(a, b) == a { b } else { a })
        .unwrap_or(SERVICE_LIFE.retention)
}

/// The longer of a configured retention and a rule's minimum (of another kind: the rule's).
pub fn at_least(configured: Retention, minimum: Retention) -> Retention {
    match (configured, minimum) {
        (
            Retention::YearsFromRegistration { years },
            Retention::YearsFromRegistration { years: min },
        ) => Retention::YearsFromRegistration {
            years: years.max(min),
        },
        (
            Retention::UntilEndOfService { tail_years },
            Retention::UntilEndOfService { tail_years: min },
        ) => Retention::UntilEndOfService {
            tail_years: tail_years.max(min),
        },
        _ => minimum,
    }
}

/// Whether `retention` may be configured for `class`: only one of the same kind, and not
/// shorter than any rule set's minimum (a registration then keeps the longer of it and the
/// rule in force, [`at_least`]).
pub fn check_retention(
    class: RetentionClass,
    retention: Retention,
) -> Result<(), RetentionTooShort> {
    let minimum = minimum_retention(class);
    if at_least(retention, minimum) != retention {
        return Err(RetentionTooShort { class, minimum });
    }
    Ok(())
}

/// A configured retention shorter than the rules allow (or of another kind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the retention of {class} can only be lengthened from {minimum:?}")]
pub struct RetentionTooShort {
    /// The class.
    pub class: RetentionClass,
    /// What the rules require.
    pub minimum: Retention,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::records::{Calendar, RetainUntil, registration_date};

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// The date, the dating clause, the retain-until and the retention clause of a submission.
    fn applied(
        at: &str,
        mode: DatingMode,
        class: RetentionClass,
    ) -> (Date, String, RetainUntil, String) {
        let rules = rules_at(ts(at)).unwrap();
        let dating = rules.dating(mode);
        let dated = registration_date(ts(at), &Calendar::builtin().unwrap(), dating.rule).unwrap();
        let kept = rules.retention(class);
        (
            dated.date,
            dating.clause.to_string(),
            kept.retention.retain_until(dated.date, None),
            kept.clause.to_string(),
        )
    }

    #[test]
    fn the_rule_sets_cover_every_day_one_set_a_day() {
        for day in [
            date(1990, 1, 1),
            date(2026, 6, 30),
            date(2026, 7, 1),
            date(2099, 12, 31),
        ] {
            let sets = RULE_SETS.iter().filter(|s| s.in_force_on(day)).count();
            assert_eq!(sets, 1, "{day}");
        }
        assert_eq!(rules_on(date(2026, 6, 30)).order, 670);
        assert_eq!(rules_on(date(2026, 7, 1)).order, 253);
        // The sets meet: the day after 670's last is 253's first.
        assert_eq!(
            ORDER_670.in_force_until.unwrap().tomorrow().unwrap(),
            ORDER_253.in_force_from.unwrap()
        );
    }

    #[test]
    fn the_switch_is_at_midnight_astana_time() {
        assert_eq!(
            rules_at(ts("2026-06-30T23:59:59+05:00")).unwrap().order,
            670
        );
        assert_eq!(
            rules_at(ts("2026-06-30T23:59:59.999999999+05:00"))
                .unwrap()
                .order,
            670
        );
        assert_eq!(
            rules_at(ts("2026-07-01T00:00:00+05:00")).unwrap().order,
            253
        );
        // 2026-06-30T19:00Z is midnight in Astana, though still 30 June in UTC.
        assert_eq!(rules_at(ts("2026-06-30T19:00:00Z")).unwrap().order, 253);
    }

    #[test]
    fn before_the_switch_670_dates_by_the_cut_off_and_keeps_3_years() {
        let (day, dated_by, until, retained_by) = applied(
            "2026-06-30T14:05:00+05:00",
            DatingMode::Submission,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!(day, date(2026, 7, 1));
        assert_eq!(until, RetainUntil::Date(date(2029, 7, 1)));
        assert_eq!(
            (dated_by.as_str(), retained_by.as_str()),
            ("670 §18", "670 §23")
        );
        // The last instant under 670: after the cut-off, the next working day.
        let (day, dated_by, ..) = applied(
            "2026-06-30T23:59:59+05:00",
            DatingMode::Submission,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!((day, dated_by.as_str()), (date(2026, 7, 1), "670 §18"));
    }

    #[test]
    fn from_the_switch_253_dates_by_receipt_and_keeps_5_years() {
        let (day, dated_by, until, retained_by) = applied(
            "2026-07-01T15:00:00+05:00",
            DatingMode::Submission,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!(day, date(2026, 7, 1));
        assert_eq!(until, RetainUntil::Date(date(2031, 7, 1)));
        assert_eq!(
            (dated_by.as_str(), retained_by.as_str()),
            ("253 §36", "253 §44")
        );
        // The first instant under 253.
        let (day, dated_by, ..) = applied(
            "2026-07-01T00:00:00+05:00",
            DatingMode::Submission,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!((day, dated_by.as_str()), (date(2026, 7, 1), "253 §36"));
    }

    #[test]
    fn under_253_a_saturday_and_a_holiday_are_their_own_dates() {
        // Saturday 4 July 2026, 18:30.
        let (day, dated_by, ..) = applied(
            "2026-07-04T18:30:00+05:00",
            DatingMode::Submission,
            RetentionClass::ProjectDocumentation,
        );
        assert_eq!((day, dated_by.as_str()), (date(2026, 7, 4), "253 §36"));
        // Capital Day, Monday 6 July 2026.
        let (day, ..) = applied(
            "2026-07-06T10:00:00+05:00",
            DatingMode::Submission,
            RetentionClass::ProjectDocumentation,
        );
        assert_eq!(day, date(2026, 7, 6));
    }

    #[test]
    fn during_review_is_670_s_second_mode_and_253_s_one_rule() {
        // Tuesday 30 June 2026, 18:00, during review: no cut-off under 670.
        let (day, dated_by, _, retained_by) = applied(
            "2026-06-30T18:00:00+05:00",
            DatingMode::DuringReview,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!(day, date(2026, 6, 30));
        assert_eq!(
            (dated_by.as_str(), retained_by.as_str()),
            ("670 §18, §46", "670 §23")
        );
        // Saturday 27 June 2026 during review -> Monday 29 June.
        let (day, ..) = applied(
            "2026-06-27T11:00:00+05:00",
            DatingMode::DuringReview,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!(day, date(2026, 6, 29));
        // After the switch the date of receipt applies to a review too, and the record says so.
        let (day, dated_by, _, retained_by) = applied(
            "2026-07-04T11:00:00+05:00",
            DatingMode::DuringReview,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!(day, date(2026, 7, 4));
        assert_eq!(
            (dated_by.as_str(), retained_by.as_str()),
            ("253 §36", "253 §44")
        );
    }

    #[test]
    fn the_2024_time_zone_change_dates_by_670() {
        // 2024-02-29T08:30Z was 14:30 at +06: after the cut-off, Friday 1 March 2024.
        let (day, dated_by, until, _) = applied(
            "2024-02-29T08:30:00Z",
            DatingMode::Submission,
            RetentionClass::ExpertiseApplication,
        );
        assert_eq!((day, dated_by.as_str()), (date(2024, 3, 1), "670 §18"));
        assert_eq!(until, RetainUntil::Date(date(2027, 3, 1)));
    }

    #[test]
    fn construction_records_keep_465_s_service_life_under_both() {
        for at in ["2026-06-30T10:00:00+05:00", "2026-07-01T10:00:00+05:00"] {
            let (_, _, until, retained_by) = applied(
                at,
                DatingMode::Submission,
                RetentionClass::ConstructionRecord,
            );
            assert_eq!(until, RetainUntil::EndOfServicePending);
            assert_eq!(retained_by, "465 §13");
        }
    }

    #[test]
    fn project_documentation_keeps_5_years_under_both() {
        for (at, clause) in [
            ("2026-06-30T10:00:00+05:00", "670 §23"),
            ("2026-07-01T10:00:00+05:00", "253 §44"),
        ] {
            let (day, _, until, retained_by) = applied(
                at,
                DatingMode::Submission,
                RetentionClass::ProjectDocumentation,
            );
            let five = day.checked_add(jiff::Span::new().years(5)).unwrap();
            assert_eq!(
                (until, retained_by.as_str()),
                (RetainUntil::Date(five), clause)
            );
        }
    }

    #[test]
    fn configured_retention_may_only_lengthen_the_rules() {
        let years = |years| Retention::YearsFromRegistration { years };
        let tail = |tail_years| Retention::UntilEndOfService { tail_years };
        let expertise = RetentionClass::ExpertiseApplication;
        assert_eq!(check_retention(expertise, years(3)), Ok(()));
        assert_eq!(check_retention(expertise, years(10)), Ok(()));
        assert_eq!(
            check_retention(expertise, years(2)),
            Err(RetentionTooShort {
                class: expertise,
                minimum: years(3)
            })
        );
        assert_eq!(
            check_retention(RetentionClass::ConstructionRecord, tail(5)),
            Ok(())
        );
        // Another kind is never a lengthening.
        assert!(check_retention(RetentionClass::ProjectDocumentation, tail(50)).is_err());
        assert!(check_retention(RetentionClass::ConstructionRecord, years(100)).is_err());
        // A configured 4 years lengthens 670's 3 and gives way to 253's 5.
        assert_eq!(at_least(years(4), years(3)), years(4));
        assert_eq!(at_least(years(4), years(5)), years(5));
        assert_eq!(at_least(tail(2), tail(0)), tail(2));
        assert_eq!(at_least(years(9), tail(0)), tail(0));
    }

    #[test]
    fn dating_modes_have_one_spelling() {
        for mode in [DatingMode::Submission, DatingMode::DuringReview] {
            assert_eq!(mode.name().parse::<DatingMode>(), Ok(mode));
        }
        assert!("review".parse::<DatingMode>().is_err());
        assert!("Submission".parse::<DatingMode>().is_err());
    }
}
