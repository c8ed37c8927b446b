//! Retention classes: how long a registered document is kept, and which formats it may have.
//!
//! How long each class is kept under each order (670 §23, 253 §44, 465 §13) is the table of
//! `rules.rs`; this file has the kinds of retention and their arithmetic. Formats: "the portal
//! checks document formats automatically on upload" (253 §24); configuration may allow other
//! formats. `docs/rules.md` lists the rules with their tests.

use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::format::{Format, FormatSet};

/// The retention class of a registered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetentionClass {
    /// An application for expertise and its documents: 3 years from registration under order
    /// 670 §23, 5 under order 253 §44 (`rules.rs`).
    ExpertiseApplication,
    /// Project documentation: 5 years from registration under both orders (`rules.rs`).
    ProjectDocumentation,
    /// Construction records (executive documentation): the whole service life of the facility,
    /// i.e. until its end-of-service event, plus a configurable tail (order 465 §13).
    ConstructionRecord,
}

/// How long a class keeps a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    tag = "kind"
)]
pub enum Retention {
    /// A number of calendar years from the registration date.
    YearsFromRegistration {
        /// Years to keep.
        years: u16,
    },
    /// Until the end-of-service event of the facility the record's object number names, plus a
    /// tail in years.
    UntilEndOfService {
        /// Years to keep after the end-of-service event.
        tail_years: u16,
    },
}

/// When a record's retention ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetainUntil {
    /// Retained through this date (inclusive); disposable from the next day.
    Date(Date),
    /// Retained until the facility's end-of-service event is recorded, and then for the tail.
    EndOfServicePending,
}

impl Retention {
    /// The end of retention of a record registered on `registered`, given the facility's
    /// end-of-service date when the class depends on it and it is known. Adding years to
    /// 29 February gives 28 February of a common year. A date past the calendar's range keeps
    /// the record forever (the last representable date).
    pub fn retain_until(self, registered: Date, end_of_service: Option<Date>) -> RetainUntil {
        let add_years = |from: Date, years: u16| {
            from.checked_add(i64::from(years).years())
                .unwrap_or(Date::MAX)
        };
        match self {
            Retention::YearsFromRegistration { years } => {
                RetainUntil::Date(add_years(registered, years))
            }
            Retention::UntilEndOfService { tail_years } => match end_of_service {
                Some(end) => RetainUntil::Date(add_years(end, tail_years)),
                None => RetainUntil::EndOfServicePending,
            },
        }
    }
}

/// A content refused because its class does not accept its format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "class {class} does not accept {}; it accepts {allowed}",
    describe(*detected)
)]
pub struct FormatRejected {
    /// The record's class.
    pub class: RetentionClass,
    /// The format sniffed from the content, or `None` when it is none of the known ones.
    pub detected: Option<Format>,
    /// The formats the class accepts.
    pub allowed: FormatSet,
}

fn describe(detected: Option<Format>) -> String {
    match detected {
        Some(f) => format!("{f} content"),
        None => "content of an unrecognised format".to_owned(),
    }
}

/// A name that is not a retention class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown retention class {0:?}: expected expertise-application, project-documentation or \
     construction-record"
)]
pub struct UnknownClass(pub String);

impl RetentionClass {
    /// Every class.
    pub const ALL: [RetentionClass; 3] = [
        RetentionClass::ExpertiseApplication,
        RetentionClass::ProjectDocumentation,
        RetentionClass::ConstructionRecord,
    ];

    /// The stable kebab-case name (as in configuration, commands and reports).
    pub fn name(self) -> &'static str {
        match self {
            RetentionClass::ExpertiseApplication => "expertise-application",
            RetentionClass::ProjectDocumentation => "project-documentation",
            RetentionClass::ConstructionRecord => "construction-record",
        }
    }

    /// The formats a class accepts unless configured otherwise: applications PDF, XML, ZIP and
    /// images; project documentation and construction records also DWG and IFC drawings and
    /// models.
    pub fn default_formats(self) -> FormatSet {
        let common = FormatSet::of(&[Format::Pdf, Format::Xml, Format::Zip]).union(Format::IMAGES);
        match self {
            RetentionClass::ExpertiseApplication => common,
            RetentionClass::ProjectDocumentation | RetentionClass::ConstructionRecord => {
                common.with(Format::Dwg).with(Format::Ifc)
            }
        }
    }

    /// Checks a sniffed format against the class's default formats.
    pub fn accepts(self, detected: Option<Format>) -> Result<(), FormatRejected> {
        self.accepts_in(detected, self.default_formats())
    }

    /// Checks a sniffed format against `allowed`, the formats configured for the class.
    pub fn accepts_in(
        self,
        detected: Option<Format>,
        allowed: FormatSet,
    ) -> Result<(), FormatRejected> {
        match detected {
            Some(f) if allowed.contains(f) => Ok(()),
            _ => Err(FormatRejected {
                class: self,
                detected,
                allowed,
            }),
        }
    }
}

impl fmt::Display for RetentionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RetentionClass {
    type Err = UnknownClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RetentionClass::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownClass(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::records::sniff;

    #[test]
    fn names_are_kebab_case_in_serde_and_text() {
        for class in RetentionClass::ALL {
            assert_eq!(class.name().parse::<RetentionClass>(), Ok(class));
            let json = toml::Value::try_from(class).unwrap();
            assert_eq!(json.as_str(), Some(class.name()));
        }
        #[derive(Deserialize)]
        struct Conf {
            class: RetentionClass,
        }
        let conf: Conf = toml::from_str("class = \"project-documentation\"").unwrap();
        assert_eq!(conf.class, RetentionClass::ProjectDocumentation);
        assert!(toml::from_str::<Conf>("class = \"ProjectDocumentation\"").is_err());
        assert!("archive".parse::<RetentionClass>().is_err());
    }

    #[test]
    fn default_formats_per_class() {
        assert_eq!(
            RetentionClass::ExpertiseApplication
                .default_formats()
                .to_string(),
            "pdf, xml, png, jpeg, tiff, gif, zip"
        );
        for class in [
            RetentionClass::ProjectDocumentation,
            RetentionClass::ConstructionRecord,
        ] {
            assert_eq!(
                class.default_formats().to_string(),
                "pdf, xml, png, jpeg, tiff, gif, ifc, dwg, zip"
            );
        }
    }

    #[test]
    fn accepts_by_sniffed_content_and_says_why_not() {
        let dwg = sniff(b"AC1032\0\0");
        assert_eq!(RetentionClass::ProjectDocumentation.accepts(dwg), Ok(()));
        let err = RetentionClass::ExpertiseApplication
            .accepts(dwg)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "class expertise-application does not accept dwg content; it accepts pdf, xml, png, \
             jpeg, tiff, gif, zip"
        );
        let err = RetentionClass::ConstructionRecord
            .accepts(sniff(b"MZ\x90\0"))
            .unwrap_err();
        assert_eq!(err.detected, None);
        assert!(
            err.to_string().starts_with(
                "class construction-record does not accept content of an unrecognised format;"
            ),
            "{err}"
        );
        let only_pdf = FormatSet::of(&[Format::Pdf]);
        assert_eq!(
            RetentionClass::ProjectDocumentation.accepts_in(sniff(b"%PDF-1.4"), only_pdf),
            Ok(())
        );
        assert!(
            RetentionClass::ProjectDocumentation
                .accepts_in(sniff(b"<?xml ?>"), only_pdf)
                .is_err()
        );
    }

    #[test]
    fn retention_arithmetic() {
        let reg = date(2025, 3, 10);
        assert_eq!(
            Retention::YearsFromRegistration { years: 3 }.retain_until(reg, None),
            RetainUntil::Date(date(2028, 3, 10))
        );
        let record = Retention::UntilEndOfService { tail_years: 0 };
        assert_eq!(
            record.retain_until(reg, None),
            RetainUntil::EndOfServicePending
        );
        assert_eq!(
            record.retain_until(reg, Some(date(2070, 1, 1))),
            RetainUntil::Date(date(2070, 1, 1))
        );
        let with_tail = Retention::UntilEndOfService { tail_years: 10 };
        assert_eq!(
            with_tail.retain_until(reg, Some(date(2070, 1, 1))),
            RetainUntil::Date(date(2080, 1, 1))
        );
        // 29 February plus whole years, and the end of the calendar.
        assert_eq!(
            Retention::YearsFromRegistration { years: 3 }.retain_until(date(2024, 2, 29), None),
            RetainUntil::Date(date(2027, 2, 28))
        );
        assert_eq!(
            Retention::YearsFromRegistration { years: 100 }.retain_until(date(9990, 1, 1), None),
            RetainUntil::Date(Date::MAX)
        );
    }

    #[test]
    fn retention_configuration_reads_back() {
        let r: Retention = toml::from_str("kind = \"years-from-registration\"\nyears = 7").unwrap();
        assert_eq!(r, Retention::YearsFromRegistration { years: 7 });
        let r: Retention =
            toml::from_str("kind = \"until-end-of-service\"\ntail-years = 2").unwrap();
        assert_eq!(r, Retention::UntilEndOfService { tail_years: 2 });
    }
}
