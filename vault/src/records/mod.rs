//! The record layer: registered documents, their registration numbers and dates, version
//! chains, retention and holds (DESIGN.md §1).

pub mod calendar;
pub mod calendars;
pub mod class;
pub mod disposal;
pub mod format;
pub mod lifecycle;
pub mod numbering;
pub mod record;
pub mod registration_date;
pub mod registry;
pub mod verification;
pub mod verify;
pub mod view;

pub use calendar::{Calendar, CalendarError, Coverage, Covered};
pub use calendars::CalendarChange;
pub use class::{FormatRejected, RetainUntil, Retention, RetentionClass, UnknownClass};
pub use disposal::{Disposal, DisposeError, Retained};
pub use format::{Format, FormatSet, SNIFF_LEN, UnknownFormat, sniff};
pub use lifecycle::{ChangeError, annulment_statement, check_text};
pub use numbering::{Fields, Participant, ParticipantError, Template, TemplateError};
pub use record::{
    Annulment, CalendarYear, DocumentId, DocumentRecord, Event, ExpectedSigner, Tombstone,
    VersionRecord,
};
pub use registration_date::{
    DatingRule, RegistrationDate, RegistrationDateError, astana, registration_date,
};
pub use registry::{
    DocumentView, Index, Numbering, RegisterError, Registered, Registration, Registry,
    RetentionTooShort, check_retention,
};
pub use verify::{RecordsReport, verify_records};
