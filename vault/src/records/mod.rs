//! The record layer's rules and values: how a registered document is dated, numbered, classed
//! and described. Nothing here touches storage; the machinery that applies these rules and
//! stores their results is [`crate::registry`], which uses this module and never the reverse.
//!
//! | file | owns |
//! |---|---|
//! | `audit_entry.rs` | an audit-log entry's text read back ([`LoggedEntry`]) |
//! | `calendar.rs` | the working-day calendar: [`Calendar`], which days are working days, [`Coverage`] |
//! | `registration_date.rs` | the registration date in Astana time by a [`DatingRule`] ([`astana`], the 14:00 cut-off, the day of certification, the date of receipt) |
//! | `numbering.rs` | registration numbers: [`Template`], [`Participant`], [`Numbering`] |
//! | `rules.rs` | the orders' rules as data: [`RuleSet`]s with the days they apply, their dating and retention clauses, [`rules_at`] (the set in force at an instant), [`check_retention`] |
//! | `class.rs` | retention classes: [`RetentionClass`], [`Retention`], [`RetainUntil`], the formats a class accepts |
//! | `format.rs` | content formats recognised by their first bytes |
//! | `record.rs` | the stored records ([`DocumentRecord`], [`VersionRecord`], [`Event`], [`Tombstone`], ...), [`DocumentId`] and the [`annulment_statement`] |
//! | `object_number.rs` | [`ObjectNumber`]: a construction object number, 18 digits |
//! | `text.rs` | [`Reason`] and [`Actor`]: the free text of a change, checked once |
//!
//! The values a caller gives ([`ObjectNumber`], [`Reason`], [`Actor`], [`Participant`],
//! [`DocumentId`]) are checked when they are parsed (`FromStr`, or serde as a string), so a
//! registry operation that takes one cannot be handed a bad one.

/// `Display`, `as_str`, and serde as a plain string for a checked text type: deserialising goes
/// through `FromStr`, so a value read from JSON or TOML is as checked as one parsed.
macro_rules! checked_text {
    ($type:ident) => {
        impl $type {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

mod audit_entry;
mod calendar;
mod class;
mod format;
mod numbering;
mod object_number;
mod record;
mod registration_date;
mod rules;
mod text;

pub use audit_entry::LoggedEntry;
pub use calendar::{Calendar, CalendarError, Coverage, Covered};
pub use class::{FormatRejected, RetainUntil, Retention, RetentionClass, UnknownClass};
pub use format::{Format, FormatSet, UnknownFormat};
pub use numbering::{Numbering, Participant, ParticipantError, Template, TemplateError};
pub use object_number::{ObjectNumber, ObjectNumberError};
pub use record::{
    Annulment, CalendarYear, DisposalAct, DocumentId, DocumentRecord, Event, ExpectedSigner,
    ParseDocumentIdError, Tombstone, VersionRecord, annulment_statement, disposal_statement,
};
pub use registration_date::{
    DatingRule, RegistrationDate, RegistrationDateError, astana, registration_date,
};
pub use rules::{
    ClassRetention, Clause, Dating, DatingMode, ORDER_253, ORDER_670, RULE_SETS, RetentionTooShort,
    RuleSet, UnknownDatingMode, at_least, check_retention, minimum_retention, rules_at, rules_on,
};
pub use text::{Actor, ActorError, Reason, ReasonError};

pub(crate) use format::{SNIFF_LEN, sniff};
pub(crate) use numbering::Fields;
pub(crate) use record::EndOfService;
#[cfg(test)]
pub(crate) use record::version_record_v1;
