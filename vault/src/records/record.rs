//! The record layer's persisted values (see `docs/records.md` for the tables). Each is
//! written once, through the vault's codec (version byte + bincode), and never rewritten.

use std::fmt;
use std::str::FromStr;

use bincode::{Decode, Encode};

use super::text::Reason;

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
/// content address and the reason, one per line. Fixed text, so that the signer sees exactly
/// what they annul and the act cannot be reused for another version.
pub fn annulment_statement(id: DocumentId, version: &VersionRecord, reason: &Reason) -> Vec<u8> {
    format!(
        "qoima-annulment-v1\ndocument: {id}\nversion: {}\ncontent: {}\nreason: {reason}\n",
        version.version,
        hex::encode(version.content)
    )
    .into_bytes()
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
}

/// Something that happened to a document after its registration, written once under
/// (document id, event number). The document's state is the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum Event {
    /// A legal hold: nothing of the document may be disposed of while it is active.
    HoldPlaced {
        /// Why.
        reason: String,
        /// Who placed it.
        by: String,
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
        }
    }

    /// When it happened, unix seconds.
    pub fn at(&self) -> i64 {
        match self {
            Event::HoldPlaced { at, .. }
            | Event::HoldReleased { at, .. }
            | Event::RetentionExtended { at, .. }
            | Event::Annulled { at, .. }
            | Event::AuditorRead { at, .. } => *at,
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
