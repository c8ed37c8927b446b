//! The record layer's persisted values (see `docs/records.md` for the tables). Each is
//! written once, through the vault's codec (version byte + bincode), and never rewritten.

use std::fmt;
use std::str::FromStr;

use bincode::{Decode, Encode};

use super::class::RetentionClass;
use super::rules::ORDER_670;
use super::text::Reason;
use crate::codec::{self, Upgrade};

/// A document's stable id: 16 random bytes, 32 lowercase hex digits in text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Encode, Decode)]
pub struct DocumentId(pub [u8; 16]);

impl DocumentId {
    /// A fresh random id.
    pub fn random() -> Result<Self, ring::error::Unspecified> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; 16];
        ring::rand::SystemRandom::new().fill(&mut bytes)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

/// Why a text is not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a document id is 32 lowercase hex digits")]
pub struct ParseDocumentIdError;

impl FromStr for DocumentId {
    type Err = ParseDocumentIdError;

    /// Strict: exactly 32 lowercase hex digits, so that one document has one spelling (ids
    /// come in URLs and command lines; nothing else, such as `../`, gets through).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::address::decode_lower_hex(text.as_bytes())
            .map(Self)
            .ok_or(ParseDocumentIdError)
    }
}

/// What is fixed for a document across its versions.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct DocumentRecord {
    /// The retention class, by its configuration name (`project-documentation`, ...).
    pub class: String,
    /// The participant whose numbering template applies.
    pub participant: String,
    /// The 18-digit construction object number, when given.
    pub object_number: Option<String>,
    /// When the first version was registered, unix seconds.
    pub created_at: i64,
}

/// Who the signer of a version had to be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode)]
pub struct ExpectedSigner {
    /// IIN, 12 digits.
    pub iin: Option<String>,
    /// BIN, 12 digits.
    pub bin: Option<String>,
    /// Role OIDs the certificate had to list.
    pub roles: Vec<String>,
}

/// The signed act that annuls the version a new one replaces: a new version is registered only
/// with it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Annulment {
    /// The version annulled.
    pub version: u32,
    /// The canonical statement that was signed.
    pub statement: Vec<u8>,
    /// The CMS signature over it, as given.
    pub signature: Vec<u8>,
    /// Why, as the statement says.
    pub reason: String,
    /// The act's verification report, JSON (the evidence of who annulled).
    pub report: Vec<u8>,
}

/// The canonical statement an annulment act signs: the document, the version annulled, its
/// content address, the content replacing it and the reason, one per line. Fixed text, so that
/// the signer sees exactly what they annul and by what, and the act cannot be reused for another
/// version or other content.
pub fn annulment_statement(
    id: DocumentId,
    version: &VersionRecord,
    replacement: &[u8; 32],
    reason: &Reason,
) -> Vec<u8> {
    format!(
        "qoima-annulment-v2\ndocument: {id}\nversion: {}\ncontent: {}\nreplacement: {}\nreason: \
         {reason}\n",
        version.version,
        hex::encode(version.content),
        hex::encode(replacement),
    )
    .into_bytes()
}

/// The canonical statement a disposal act signs, as records management lists what is destroyed
/// and why: the document, each version with its registration number and content address, the
/// end of retention that passed and the reason, one per line. A document is disposed of once, so
/// the act needs no date of its own: the disposal's instant is in its tombstones and audit entry.
pub fn disposal_statement(
    id: DocumentId,
    versions: &[VersionRecord],
    retained_until: &str,
    reason: &Reason,
) -> Vec<u8> {
    let mut text = format!("qoima-disposal-v1\ndocument: {id}\n");
    for version in versions {
        text.push_str(&format!(
            "version: {} {} {}\n",
            version.version,
            version.registration_number,
            hex::encode(version.content)
        ));
    }
    text.push_str(&format!(
        "retained until: {retained_until}\nreason: {reason}\n"
    ));
    text.into_bytes()
}

/// The signed act by which a document was disposed of, under its id: what the responsible
/// officer signed, the signature, and its verification report (who signed it).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct DisposalAct {
    /// The canonical statement ([`disposal_statement`]).
    pub statement: Vec<u8>,
    /// The CMS signature over it, as given.
    pub signature: Vec<u8>,
    /// Its verification report, JSON.
    pub report: Vec<u8>,
}

/// One registered version of a document.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct VersionRecord {
    /// 1 for the first version.
    pub version: u32,
    /// The content's SHA-256 address.
    pub content: [u8; 32],
    /// Its length in bytes.
    pub length: u64,
    /// Its format as sniffed (`pdf`, `xml`, ...).
    pub format: String,
    /// The CMS signatures over it, as given.
    pub signatures: Vec<Vec<u8>>,
    /// Who had to sign.
    pub expected: ExpectedSigner,
    /// The registration number.
    pub registration_number: String,
    /// The registration date, `YYYY-MM-DD` in Astana time.
    pub registration_date: String,
    /// When it was registered (the instant the date was computed from), unix seconds.
    pub registered_at: i64,
    /// The end of retention, `YYYY-MM-DD`; `None` while it waits for an end-of-service event.
    pub retain_until: Option<String>,
    /// Years kept after the facility's end of service, when `retain_until` waits for it.
    pub tail_years: u16,
    /// The verification report at registration, JSON.
    pub report: Vec<u8>,
    /// The content addresses of the CRLs the verdict used (stored as content: evidence).
    pub crls: Vec<[u8; 32]>,
    /// The annulment of the previous version, for every version but the first.
    pub annulment: Option<Annulment>,
    /// The index of the registration's audit-log entry.
    pub audit_index: u64,
    /// The file name the submitter gave (a name, no path).
    pub filename: Option<String>,
    /// The media type the submitter gave (RFC 6838 `type/subtype`).
    pub media_type: Option<String>,
    /// The order and clause that dated it (`670 §18`, `670 §18, §46`, `253 §36`).
    pub dated_by: String,
    /// The order and clause that set its retention (`670 §23`, `253 §44`, `465 §13`).
    pub retained_by: String,
    /// Who submitted it: the API key (`api key <id>`) or the operator on the command line;
    /// `None` for versions stored before submitters were recorded.
    pub submitted_by: Option<String>,
    /// Whether it was registered without a named sender, in a class the configuration names as
    /// one whose sender is not known in advance (`docs/rules.md`, authorship).
    pub sender_unknown: bool,
    /// The content addresses of the OCSP responses (RFC 6960) the verdict used that the
    /// signatures do not carry themselves (stored as content: evidence), such as those the
    /// server fetched from the responders; empty for versions stored before format 4.
    pub ocsp_responses: Vec<[u8; 32]>,
}

/// A version record as format 3 stored it, before versions referenced OCSP responses: the
/// fields of [`VersionRecord`] up to `sender_unknown`, in its order. Frozen: never edit it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct VersionRecordV3 {
    version: u32,
    content: [u8; 32],
    length: u64,
    format: String,
    signatures: Vec<Vec<u8>>,
    expected: ExpectedSigner,
    registration_number: String,
    registration_date: String,
    registered_at: i64,
    retain_until: Option<String>,
    tail_years: u16,
    report: Vec<u8>,
    crls: Vec<[u8; 32]>,
    annulment: Option<Annulment>,
    audit_index: u64,
    filename: Option<String>,
    media_type: Option<String>,
    dated_by: String,
    retained_by: String,
    submitted_by: Option<String>,
    sender_unknown: bool,
}

/// A version record as format 2 stored it, before versions named their submitter: the fields
/// of [`VersionRecord`] up to `retained_by`, in its order. Frozen: never edit it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct VersionRecordV2 {
    version: u32,
    content: [u8; 32],
    length: u64,
    format: String,
    signatures: Vec<Vec<u8>>,
    expected: ExpectedSigner,
    registration_number: String,
    registration_date: String,
    registered_at: i64,
    retain_until: Option<String>,
    tail_years: u16,
    report: Vec<u8>,
    crls: Vec<[u8; 32]>,
    annulment: Option<Annulment>,
    audit_index: u64,
    filename: Option<String>,
    media_type: Option<String>,
    dated_by: String,
    retained_by: String,
}

/// A version record as format 1 stored it, before records named their clauses: the fields of
/// [`VersionRecord`] up to `media_type`, in its order. Frozen: never edit it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct VersionRecordV1 {
    version: u32,
    content: [u8; 32],
    length: u64,
    format: String,
    signatures: Vec<Vec<u8>>,
    expected: ExpectedSigner,
    registration_number: String,
    registration_date: String,
    registered_at: i64,
    retain_until: Option<String>,
    tail_years: u16,
    report: Vec<u8>,
    crls: Vec<[u8; 32]>,
    annulment: Option<Annulment>,
    audit_index: u64,
    filename: Option<String>,
    media_type: Option<String>,
}

impl Upgrade for VersionRecord {
    const FORMAT: u8 = codec::FORMAT_V4;
    type Previous = VersionRecordV3;
}

impl Upgrade for VersionRecordV3 {
    const FORMAT: u8 = codec::FORMAT_V3;
    type Previous = VersionRecordV2;
}

impl Upgrade for VersionRecordV2 {
    const FORMAT: u8 = codec::FORMAT_V2;
    type Previous = VersionRecordV1;
}

codec::stored_as_format_1!(VersionRecordV1, EventV1);

/// A format 3 record references no OCSP response: its verdicts read CRLs, or responses the
/// signatures carry (which they keep themselves).
impl From<VersionRecordV3> for VersionRecord {
    fn from(old: VersionRecordV3) -> Self {
        VersionRecord {
            version: old.version,
            content: old.content,
            length: old.length,
            format: old.format,
            signatures: old.signatures,
            expected: old.expected,
            registration_number: old.registration_number,
            registration_date: old.registration_date,
            registered_at: old.registered_at,
            retain_until: old.retain_until,
            tail_years: old.tail_years,
            report: old.report,
            crls: old.crls,
            annulment: old.annulment,
            audit_index: old.audit_index,
            filename: old.filename,
            media_type: old.media_type,
            dated_by: old.dated_by,
            retained_by: old.retained_by,
            submitted_by: old.submitted_by,
            sender_unknown: old.sender_unknown,
            ocsp_responses: Vec::new(),
        }
    }
}

/// A format 2 record names no submitter, and its sender was named or not checked (the vault did
/// not yet know classes whose sender is unknown in advance).
impl From<VersionRecordV2> for VersionRecordV3 {
    fn from(old: VersionRecordV2) -> Self {
        VersionRecordV3 {
            version: old.version,
            content: old.content,
            length: old.length,
            format: old.format,
            signatures: old.signatures,
            expected: old.expected,
            registration_number: old.registration_number,
            registration_date: old.registration_date,
            registered_at: old.registered_at,
            retain_until: old.retain_until,
            tail_years: old.tail_years,
            report: old.report,
            crls: old.crls,
            annulment: old.annulment,
            audit_index: old.audit_index,
            filename: old.filename,
            media_type: old.media_type,
            dated_by: old.dated_by,
            retained_by: old.retained_by,
            submitted_by: None,
            sender_unknown: false,
        }
    }
}

/// Every format 1 record was made by order 670's rules as the vault applied them then (it had
/// no other): dated by the 14:00 cut-off of §18 (the review mode was not reachable), kept by §23
/// or, when its end waits for the facility's end of service, by order 465 §13.
impl From<VersionRecordV1> for VersionRecordV2 {
    fn from(old: VersionRecordV1) -> Self {
        let class = match old.retain_until {
            Some(_) => RetentionClass::ExpertiseApplication,
            None => RetentionClass::ConstructionRecord,
        };
        VersionRecordV2 {
            version: old.version,
            content: old.content,
            length: old.length,
            format: old.format,
            signatures: old.signatures,
            expected: old.expected,
            registration_number: old.registration_number,
            registration_date: old.registration_date,
            registered_at: old.registered_at,
            retain_until: old.retain_until,
            tail_years: old.tail_years,
            report: old.report,
            crls: old.crls,
            annulment: old.annulment,
            audit_index: old.audit_index,
            filename: old.filename,
            media_type: old.media_type,
            dated_by: ORDER_670.submission.clause.to_string(),
            retained_by: ORDER_670.retention(class).clause.to_string(),
        }
    }
}

/// `version` as format 1 stored it (its clauses left out): for the tests of old records.
#[cfg(test)]
pub(crate) fn version_record_v1(version: &VersionRecord) -> VersionRecordV1 {
    let v = version.clone();
    VersionRecordV1 {
        version: v.version,
        content: v.content,
        length: v.length,
        format: v.format,
        signatures: v.signatures,
        expected: v.expected,
        registration_number: v.registration_number,
        registration_date: v.registration_date,
        registered_at: v.registered_at,
        retain_until: v.retain_until,
        tail_years: v.tail_years,
        report: v.report,
        crls: v.crls,
        annulment: v.annulment,
        audit_index: v.audit_index,
        filename: v.filename,
        media_type: v.media_type,
    }
}

/// `version` as format 2 stored it (no submitter): for the tests of old records.
#[cfg(test)]
pub(crate) fn version_record_v2(version: &VersionRecord) -> VersionRecordV2 {
    let v = version.clone();
    VersionRecordV2 {
        version: v.version,
        content: v.content,
        length: v.length,
        format: v.format,
        signatures: v.signatures,
        expected: v.expected,
        registration_number: v.registration_number,
        registration_date: v.registration_date,
        registered_at: v.registered_at,
        retain_until: v.retain_until,
        tail_years: v.tail_years,
        report: v.report,
        crls: v.crls,
        annulment: v.annulment,
        audit_index: v.audit_index,
        filename: v.filename,
        media_type: v.media_type,
        dated_by: v.dated_by,
        retained_by: v.retained_by,
    }
}

/// `version` as format 3 stored it (no OCSP responses): for the tests of old records.
#[cfg(test)]
pub(crate) fn version_record_v3(version: &VersionRecord) -> VersionRecordV3 {
    let v = version.clone();
    VersionRecordV3 {
        version: v.version,
        content: v.content,
        length: v.length,
        format: v.format,
        signatures: v.signatures,
        expected: v.expected,
        registration_number: v.registration_number,
        registration_date: v.registration_date,
        registered_at: v.registered_at,
        retain_until: v.retain_until,
        tail_years: v.tail_years,
        report: v.report,
        crls: v.crls,
        annulment: v.annulment,
        audit_index: v.audit_index,
        filename: v.filename,
        media_type: v.media_type,
        dated_by: v.dated_by,
        retained_by: v.retained_by,
        submitted_by: v.submitted_by,
        sender_unknown: v.sender_unknown,
    }
}

/// Something that happened to a document after its registration, written once under
/// (document id, event number). The document's state is the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum Event {
    /// A legal hold: nothing of the document may be disposed of while it is active.
    HoldPlaced {
        /// Why.
        reason: String,
        /// Who placed it (an API key, `api key <id>`, or an operator).
        by: String,
        /// The BIN of the authority that placed it: only a key of that BIN releases it; with
        /// none, only `by` itself.
        authority: Option<String>,
        /// When, unix seconds.
        at: i64,
    },
    /// The hold placed by event `hold` is released.
    HoldReleased {
        /// The event number of the [`Event::HoldPlaced`].
        hold: u32,
        /// Why.
        reason: String,
        /// Who released it.
        by: String,
        /// When, unix seconds.
        at: i64,
    },
    /// Every version's retention runs at least until `until` (`YYYY-MM-DD`).
    RetentionExtended {
        /// The new end of retention.
        until: String,
        /// Why.
        reason: String,
        /// Who extended it.
        by: String,
        /// When, unix seconds.
        at: i64,
    },
    /// Version `version` was annulled by the act stored with version `by_version`.
    Annulled {
        /// The annulled version.
        version: u32,
        /// The version that replaced it (and holds the signed act).
        by_version: u32,
        /// When, unix seconds.
        at: i64,
    },
    /// An auditor read the document (every auditor read is in the log).
    AuditorRead {
        /// Who.
        by: String,
        /// What was read (`document`, `content`, `proof`, ...).
        what: String,
        /// When, unix seconds.
        at: i64,
    },
    /// A bulk re-verification found a verdict for `version` other than the one known before
    /// (the registration's, or the last one recorded): when the vault learned it.
    Reverified {
        /// The version re-verified.
        version: u32,
        /// The indication found (`TOTAL_FAILED`, ...).
        indication: String,
        /// Its sub-indication, if any.
        sub_indication: Option<String>,
        /// `registered` (the registration as proof of existence) or `now`.
        mode: String,
        /// The validation time, unix seconds.
        validation_time: i64,
        /// Who ran it.
        by: String,
        /// When it was recorded, unix seconds.
        at: i64,
    },
}

impl Event {
    /// The audit-log kind of the event.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::HoldPlaced { .. } => "hold-placed",
            Event::HoldReleased { .. } => "hold-released",
            Event::RetentionExtended { .. } => "retention-extended",
            Event::Annulled { .. } => "annulled",
            Event::AuditorRead { .. } => "auditor-read",
            Event::Reverified { .. } => "reverified",
        }
    }

    /// When it happened, unix seconds.
    pub fn at(&self) -> i64 {
        match self {
            Event::HoldPlaced { at, .. }
            | Event::HoldReleased { at, .. }
            | Event::RetentionExtended { at, .. }
            | Event::Annulled { at, .. }
            | Event::AuditorRead { at, .. }
            | Event::Reverified { at, .. } => *at,
        }
    }
}

impl Upgrade for Event {
    const FORMAT: u8 = codec::FORMAT_V2;
    type Previous = EventV1;
}

/// An event as format 1 stored it, before holds named their authority. Frozen: never edit it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum EventV1 {
    /// [`Event::HoldPlaced`] without its authority.
    HoldPlaced {
        /// Why.
        reason: String,
        /// Who placed it.
        by: String,
        /// When, unix seconds.
        at: i64,
    },
    /// [`Event::HoldReleased`].
    HoldReleased {
        /// The hold's event number.
        hold: u32,
        /// Why.
        reason: String,
        /// Who released it.
        by: String,
        /// When, unix seconds.
        at: i64,
    },
    /// [`Event::RetentionExtended`].
    RetentionExtended {
        /// The new end of retention.
        until: String,
        /// Why.
        reason: String,
        /// Who extended it.
        by: String,
        /// When, unix seconds.
        at: i64,
    },
    /// [`Event::Annulled`].
    Annulled {
        /// The annulled version.
        version: u32,
        /// The version that replaced it.
        by_version: u32,
        /// When, unix seconds.
        at: i64,
    },
    /// [`Event::AuditorRead`].
    AuditorRead {
        /// Who.
        by: String,
        /// What was read.
        what: String,
        /// When, unix seconds.
        at: i64,
    },
}

/// A hold stored before holds named their authority was placed by `by` alone, who alone may
/// release it.
impl From<EventV1> for Event {
    fn from(old: EventV1) -> Self {
        match old {
            EventV1::HoldPlaced { reason, by, at } => Event::HoldPlaced {
                reason,
                by,
                authority: None,
                at,
            },
            EventV1::HoldReleased {
                hold,
                reason,
                by,
                at,
            } => Event::HoldReleased {
                hold,
                reason,
                by,
                at,
            },
            EventV1::RetentionExtended {
                until,
                reason,
                by,
                at,
            } => Event::RetentionExtended {
                until,
                reason,
                by,
                at,
            },
            EventV1::Annulled {
                version,
                by_version,
                at,
            } => Event::Annulled {
                version,
                by_version,
                at,
            },
            EventV1::AuditorRead { by, what, at } => Event::AuditorRead { by, what, at },
        }
    }
}

/// A facility's end of service (the event that starts the tail of `construction-record`
/// retention), written once under its construction object number.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct EndOfService {
    /// The date the facility's service ended, `YYYY-MM-DD`.
    pub date: String,
    /// The act or reason recorded.
    pub reason: String,
    /// Who recorded it.
    pub by: String,
    /// When, unix seconds.
    pub at: i64,
}

/// A year of the working-day calendar as an administrator set it, written once under
/// (year, revision); a later revision of the year replaces it in the calendar in force.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct CalendarYear {
    /// The calendar file's table of this one year (`[years.YYYY]`, see `calendar.rs`), as given.
    pub toml: String,
    /// Who set it.
    pub by: String,
    /// When, unix seconds.
    pub at: i64,
}

/// What a disposal removed, and why: what, when, why, by whom; written under (document id,
/// version).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Tombstone {
    /// The version's content address.
    pub content: [u8; 32],
    /// Whether its content was removed (`false` when a retained record still uses it).
    pub content_removed: bool,
    /// The retention that had passed, `YYYY-MM-DD`.
    pub retained_until: String,
    /// Why.
    pub reason: String,
    /// Who disposed of it.
    pub by: String,
    /// When, unix seconds.
    pub at: i64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::codec::{self, CodecError};

    /// A version record with every field set, as a registration under order 670 stores it.
    fn sample() -> VersionRecord {
        VersionRecord {
            version: 2,
            content: [0xab; 32],
            length: 300,
            format: "pdf".into(),
            signatures: vec![vec![0x30, 0x80]],
            expected: ExpectedSigner {
                iin: Some("850315300128".into()),
                bin: None,
                roles: vec!["1.2".into()],
            },
            registration_number: "P-2026-000001".into(),
            registration_date: "2026-07-01".into(),
            registered_at: 1_782_810_300,
            retain_until: Some("2029-07-01".into()),
            tail_years: 0,
            report: b"[]".to_vec(),
            crls: vec![[0xcd; 32]],
            annulment: Some(Annulment {
                version: 1,
                statement: b"s".to_vec(),
                signature: b"g".to_vec(),
                reason: "r".into(),
                report: b"{}".to_vec(),
            }),
            audit_index: 7,
            filename: Some("a.pdf".into()),
            media_type: Some("application/pdf".into()),
            dated_by: "670 §18".into(),
            retained_by: "670 §23".into(),
            submitted_by: None,
            sender_unknown: false,
            ocsp_responses: Vec::new(),
        }
    }

    /// The fields of [`sample`] up to `media_type`, after the format byte.
    const SAMPLE_FIELDS: &str = concat!(
        "02",                                                                 // version
        "abababababababababababababababababababababababababababababababab",   // content
        "fb2c01",                                                             // length 300
        "03706466",                                                           // "pdf"
        "01023080",                                                           // one signature
        "010c383530333135333030313238",                                       // iin
        "00",                                                                 // no bin
        "0103312e32",                                                         // roles ["1.2"]
        "0d502d323032362d303030303031",                                       // registration number
        "0a323032362d30372d3031",                                             // registration date
        "fc780d87d4",               // registered at (zigzag varint)
        "010a323032392d30372d3031", // retain until
        "00",                       // tail years
        "025b5d",                   // report "[]"
        "01cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", // crls
        "010101730167017202 7b7d",  // annulment
        "07",                       // audit index
        "0105612e706466",           // filename
        "010f6170706c69636174696f6e2f706466", // media type
    );

    #[test]
    fn version_record_v1_golden_bytes_read_back_as_order_670() {
        let v1 = version_record_v1(&sample());
        let bytes = codec::encode(&v1).unwrap();
        let expected = format!("01{}", SAMPLE_FIELDS.replace(' ', ""));
        assert_eq!(hex::encode(&bytes), expected);
        // Format 1 is read as made under order 670: the cut-off of §18 and §23.
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&bytes).unwrap(),
            sample()
        );
        // One waiting for the facility's end of service: order 465 §13.
        let mut record = sample();
        record.retain_until = None;
        record.retained_by = "465 §13".into();
        let bytes = codec::encode(&version_record_v1(&record)).unwrap();
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&bytes).unwrap(),
            record
        );
    }

    #[test]
    fn version_record_v2_golden_bytes_read_back_without_a_submitter() {
        let mut record = sample();
        record.dated_by = "253 §36".into();
        record.retained_by = "253 §44".into();
        let bytes = codec::encode_upgraded(&version_record_v2(&record)).unwrap();
        let expected = format!(
            "02{}{}{}",
            SAMPLE_FIELDS.replace(' ', ""),
            "0832353320c2a73336", // dated by "253 §36"
            "0832353320c2a73434", // retained by "253 §44"
        );
        assert_eq!(hex::encode(&bytes), expected);
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&bytes).unwrap(),
            record
        );
        // Format 2 is not read as format 1.
        assert_eq!(
            codec::decode::<VersionRecordV1>(&bytes),
            Err(CodecError::UnknownVersion(2))
        );
    }

    #[test]
    fn version_record_v3_golden_bytes_read_back_without_ocsp_responses() {
        let mut record = sample();
        record.submitted_by = Some("api key 00ff".into());
        record.sender_unknown = true;
        let bytes = codec::encode_upgraded(&version_record_v3(&record)).unwrap();
        let expected = format!(
            "03{}{}{}{}{}",
            SAMPLE_FIELDS.replace(' ', ""),
            "0836373020c2a73138",           // dated by "670 §18"
            "0836373020c2a73233",           // retained by "670 §23"
            "010c617069206b65792030306666", // submitted by "api key 00ff"
            "01",                           // sender unknown
        );
        assert_eq!(hex::encode(&bytes), expected);
        // Read back as the current shape, referencing no OCSP response.
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&bytes).unwrap(),
            record
        );
        // Format 3 is not read as an older shape.
        assert_eq!(
            codec::decode_upgrading::<VersionRecordV2>(&bytes),
            Err(CodecError::UnknownVersion(3))
        );
    }

    #[test]
    fn version_record_v4_golden_bytes() {
        let mut record = sample();
        record.submitted_by = Some("api key 00ff".into());
        record.sender_unknown = true;
        record.ocsp_responses = vec![[0xef; 32], [0x01; 32]];
        let bytes = codec::encode_upgraded(&record).unwrap();
        let expected = format!(
            "04{}{}{}{}{}{}{}{}",
            SAMPLE_FIELDS.replace(' ', ""),
            "0836373020c2a73138",           // dated by "670 §18"
            "0836373020c2a73233",           // retained by "670 §23"
            "010c617069206b65792030306666", // submitted by "api key 00ff"
            "01",                           // sender unknown
            "02",                           // two OCSP responses
            "efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef",
            "0101010101010101010101010101010101010101010101010101010101010101",
        );
        assert_eq!(hex::encode(&bytes), expected);
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&bytes).unwrap(),
            record
        );
        // Format 4 is not read as an older shape, trailing bytes are refused, and a format this
        // build does not know is named.
        assert_eq!(
            codec::decode_upgrading::<VersionRecordV3>(&bytes),
            Err(CodecError::UnknownVersion(4))
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&longer),
            Err(CodecError::TrailingBytes(1))
        );
        assert_eq!(
            codec::decode_upgrading::<VersionRecord>(&[5, 0]),
            Err(CodecError::UnknownVersion(5))
        );
    }

    #[test]
    fn events_of_format_1_read_back_and_holds_name_their_authority() {
        let old = EventV1::HoldPlaced {
            reason: "court".into(),
            by: "auditor".into(),
            at: 5,
        };
        let bytes = codec::encode(&old).unwrap();
        assert_eq!(
            codec::decode_upgrading::<Event>(&bytes).unwrap(),
            Event::HoldPlaced {
                reason: "court".into(),
                by: "auditor".into(),
                authority: None,
                at: 5,
            }
        );
        let new = Event::HoldPlaced {
            reason: "court".into(),
            by: "api key 01".into(),
            authority: Some("240140001238".into()),
            at: 5,
        };
        let bytes = codec::encode_upgraded(&new).unwrap();
        assert_eq!(bytes[0], codec::FORMAT_V2);
        assert_eq!(codec::decode_upgrading::<Event>(&bytes).unwrap(), new);
    }

    #[test]
    fn document_ids_have_one_spelling() {
        let id = DocumentId::random().unwrap();
        let text = id.to_string();
        assert_eq!(text.parse::<DocumentId>().unwrap(), id);
        for bad in [
            "",
            &text[..31],
            &format!("{text}0"),
            "0123456789ABCDEF0123456789ABCDEF",
            "../../../../etc/passwd/000000000",
            "0123456789abcdef0123456789abcdeg",
        ] {
            assert!(bad.parse::<DocumentId>().is_err(), "{bad:?}");
        }
    }
}
