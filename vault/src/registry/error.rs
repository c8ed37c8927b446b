//! The registry's errors: one per operation, and one classification of them all
//! ([`ErrorKind`]) that the HTTP API and the command line both answer by. Nothing is stored
//! when an operation fails.

use jiff::civil::Date;
use qoima_verifier::{Report, RequestError};

use crate::address::ContentAddress;
use crate::audit::log::LogError;
use crate::codec::CodecError;
use crate::error::VaultError;
use crate::records::{
    CalendarError, DocumentId, FormatRejected, ObjectNumber, Participant, RegistrationDateError,
    RetentionClass,
};
use crate::storage::StorageError;

/// What kind of failure an error is, whatever the operation: how a front end answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input is wrong (a value, a format the class does not accept): HTTP 422,
    /// exit 64.
    Caller,
    /// The signatures or the rules refuse it (a verdict, no such hold, a date not later):
    /// HTTP 422, exit 1.
    Refused,
    /// What it names does not exist (a document, a content): HTTP 404, exit 1.
    NotFound,
    /// The document was disposed of: HTTP 410, exit 1.
    Gone,
    /// It collides with what is stored (recorded already, another change came first):
    /// HTTP 409, exit 1.
    Conflict,
    /// Retention or a legal hold forbids it: HTTP 409, exit 3.
    NotAllowed,
    /// The caller may not do it (a key bound elsewhere, another authority's hold): HTTP 403,
    /// exit 1.
    Forbidden,
    /// The store underneath failed or holds a damaged record: HTTP 500, exit 1.
    Internal,
}

/// The store underneath failed; a read fails only this way. Never the caller's doing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The content store failed.
    #[error(transparent)]
    Content(#[from] VaultError),
    /// The audit log failed, or is damaged.
    #[error(transparent)]
    Log(#[from] LogError),
    /// A record could not be encoded, or a stored one decoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A stored key or record is not one the registry writes.
    #[error("a stored record is damaged: {0}")]
    Damaged(String),
}

impl StoreError {
    /// Always [`ErrorKind::Internal`].
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

/// Why a registration (of a document, or of a new version's submission) was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// No signature was given.
    #[error("a document is registered with at least one signature")]
    NoSignature,
    /// The content is not in the store.
    #[error("no content stored at {0}")]
    ContentMissing(ContentAddress),
    /// The content's format is not one the class accepts.
    #[error(transparent)]
    Format(#[from] FormatRejected),
    /// The file name is not a plain name of 1 to 255 characters.
    #[error(
        "the file name must be 1 to 255 characters, without control characters, '/' or '\\', \
         and not . or ..: {0:?}"
    )]
    Filename(String),
    /// The media type is not an RFC 6838 `type/subtype`.
    #[error("the media type must be an RFC 6838 type/subtype of at most 127 characters: {0:?}")]
    MediaType(String),
    /// The registration names no sender, and its class is not one whose sender is unknown in
    /// advance.
    #[error(
        "a registration names its sender (an IIN or a BIN that the signer must meet); class \
         {} is not configured as one whose sender is not known in advance",
        .0.name()
    )]
    NoSender(RetentionClass),
    /// The key is bound to another BIN than the one the request names.
    #[error("this key registers only for BIN {bound}, not {asked}")]
    BinNotBound {
        /// The key's BIN.
        bound: String,
        /// The BIN asked for.
        asked: String,
    },
    /// The key is bound to another participant than the one the request names.
    #[error("this key registers only under participant {bound:?}, not {asked:?}")]
    ParticipantNotBound {
        /// The key's participant.
        bound: Participant,
        /// The participant asked for.
        asked: Participant,
    },
    /// The submission is dated later than the vault's clock.
    #[error("the submission is dated {at}, later than the vault's clock ({now})")]
    InFuture {
        /// The submission's instant.
        at: jiff::Timestamp,
        /// The clock's.
        now: jiff::Timestamp,
    },
    /// The expectation itself is invalid (an IIN or BIN that is not 12 digits).
    #[error(transparent)]
    Expectation(#[from] RequestError),
    /// A signature is not TOTAL_PASSED; the reports say why.
    #[error("signature {index} is {verdict}: not registered")]
    Refused {
        /// Which signature (from 0).
        index: usize,
        /// Its verdict.
        verdict: String,
        /// The reports of every signature.
        reports: Vec<Report>,
    },
    /// The registration date could not be computed.
    #[error(transparent)]
    Date(#[from] RegistrationDateError),
    /// The reports could not be serialised.
    #[error("the verification report could not be written: {0}")]
    Report(String),
    /// No random id could be drawn.
    #[error("the system random generator failed")]
    Random,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl RegisterError {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NoSignature
            | Self::Format(_)
            | Self::Filename(_)
            | Self::MediaType(_)
            | Self::NoSender(_)
            | Self::InFuture { .. }
            | Self::Expectation(_) => ErrorKind::Caller,
            Self::BinNotBound { .. } | Self::ParticipantNotBound { .. } => ErrorKind::Forbidden,
            Self::ContentMissing(_) => ErrorKind::NotFound,
            Self::Refused { .. } => ErrorKind::Refused,
            Self::Date(_) | Self::Report(_) | Self::Random | Self::Store(_) => ErrorKind::Internal,
        }
    }
}

/// Why a change to the records was refused: a new version, a hold placed or released, a
/// retention extended, a facility's end of service, an auditor's read, a calendar year.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// No document has this id.
    #[error("no document {0}")]
    NotFound(DocumentId),
    /// The document was disposed of: it changes no more.
    #[error("document {0} was disposed of")]
    Disposed(DocumentId),
    /// The document has no such version.
    #[error("document {0} has no version {1}")]
    NoSuchVersion(DocumentId, u32),
    /// The annulment act is not a valid signature by an authorised signer over the statement.
    #[error("the annulment act is {verdict}: version {version} stays in force")]
    AnnulmentRefused {
        /// The version the act would annul.
        version: u32,
        /// The act's verdict.
        verdict: String,
        /// The act's verification report.
        report: Box<Report>,
    },
    /// The document changed while this request was prepared (another new version came first).
    #[error("version {expected} is no longer the latest: retry")]
    Conflict {
        /// The version the request replaces.
        expected: u32,
    },
    /// The version to annul names no sender and its report identifies no signer: no one can
    /// be checked as its sender.
    #[error(
        "version {version} names no sender and its signers cannot be identified: it cannot be annulled"
    )]
    NoSender {
        /// The version.
        version: u32,
    },
    /// No active hold has this number.
    #[error("no active hold {0} on this document")]
    NoSuchHold(u32),
    /// The hold was placed by another authority, which alone may release it.
    #[error("hold {hold} was placed by {authority}: only that authority releases it")]
    NotHoldAuthority {
        /// The hold.
        hold: u32,
        /// The BIN of the authority that placed it, or who placed it when it named no BIN.
        authority: String,
    },
    /// A facility's end of service is dated after today.
    #[error("an end of service is recorded once it happened: {date} is after today ({today})")]
    EndOfServiceInFuture {
        /// The date given.
        date: Date,
        /// Today, in Astana.
        today: Date,
    },
    /// An extension must end later than the current end of retention.
    #[error("retention can only be extended: {until} is not after {current}")]
    NotLater {
        /// The date asked for.
        until: Date,
        /// The current end of retention.
        current: Date,
    },
    /// The facility's end of service is recorded already.
    #[error("the end of service of object {0} is recorded already")]
    EndOfServiceRecorded(ObjectNumber),
    /// The text of a calendar year is not a valid table of that year.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Registering the new version failed.
    #[error(transparent)]
    Register(#[from] RegisterError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl ChangeError {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound(_) | Self::NoSuchVersion(..) => ErrorKind::NotFound,
            Self::Disposed(_) => ErrorKind::Gone,
            Self::AnnulmentRefused { .. }
            | Self::NoSender { .. }
            | Self::NoSuchHold(_)
            | Self::NotLater { .. } => ErrorKind::Refused,
            Self::NotHoldAuthority { .. } => ErrorKind::Forbidden,
            Self::EndOfServiceInFuture { .. } => ErrorKind::Caller,
            Self::Conflict { .. } | Self::EndOfServiceRecorded(_) => ErrorKind::Conflict,
            Self::Calendar(_) => ErrorKind::Caller,
            Self::Register(e) => e.kind(),
            Self::Store(_) => ErrorKind::Internal,
        }
    }
}

/// Why a document may not be disposed of yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Retained {
    /// Its retention has not passed.
    #[error("retained until {0}")]
    Until(Date),
    /// It waits for its facility's end-of-service event.
    #[error("retained until the facility's end of service")]
    EndOfServicePending,
    /// Legal holds are in force: (hold number, reason).
    #[error("under {} legal hold(s)", .0.len())]
    Held(Vec<(u32, String)>),
}

/// Why a disposal was refused; nothing is removed in any of these cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DisposeError {
    /// No document has this id.
    #[error("no document {0}")]
    NotFound(DocumentId),
    /// The document is still retained, or held.
    #[error("document {id} may not be disposed of: {why}")]
    Retained {
        /// The document.
        id: DocumentId,
        /// Why.
        why: Retained,
    },
    /// It was disposed of already.
    #[error("document {0} was disposed of already")]
    AlreadyDisposed(DocumentId),
    /// The configuration names no officer who may sign disposal acts.
    #[error("no disposal officer is configured: nothing can be disposed of without a signed act")]
    NoOfficer,
    /// The disposal act is not a valid signature of a configured officer over the statement.
    #[error("the disposal act is {verdict}: nothing was disposed of")]
    ActRefused {
        /// The act's verdict (for the last officer tried).
        verdict: String,
        /// Its verification report.
        report: Box<Report>,
    },
    /// A configured officer's expectation is refused by the verifier.
    #[error("the disposal act could not be checked: {0}")]
    Officer(String),
    /// The disposal is dated later than the vault's clock.
    #[error("a disposal cannot be dated {at}, later than the vault's clock ({now})")]
    InFuture {
        /// The disposal's instant.
        at: jiff::Timestamp,
        /// The clock's.
        now: jiff::Timestamp,
    },
    /// The disposal is dated before the audit log's last entry (a clock set back).
    #[error(
        "a disposal cannot be dated {at}, before the audit log's last entry ({}): is the clock \
         set back?",
        jiff::Timestamp::from_second(*.last).map_or_else(|_| format!("{} s", .last), |t| t.to_string())
    )]
    BeforeLastEntry {
        /// The disposal's instant.
        at: jiff::Timestamp,
        /// The last entry's time, unix seconds.
        last: i64,
    },
    /// Today's date in Astana could not be computed.
    #[error(transparent)]
    Date(#[from] RegistrationDateError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl DisposeError {
    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::Retained { .. } => ErrorKind::NotAllowed,
            Self::AlreadyDisposed(_) => ErrorKind::Gone,
            Self::ActRefused { .. } => ErrorKind::Refused,
            Self::InFuture { .. } | Self::BeforeLastEntry { .. } => ErrorKind::Caller,
            Self::NoOfficer => ErrorKind::NotAllowed,
            Self::Officer(_) | Self::Date(_) | Self::Store(_) => ErrorKind::Internal,
        }
    }
}

/// Why stored signatures could not be verified again (a verdict is not an error: it is in the
/// reports).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReverifyError {
    /// The verifier refuses the version's stored expectation.
    #[error("the stored expectation is refused: {0}")]
    Expectation(#[from] RequestError),
    /// The version's content is missing or does not verify against its address.
    #[error("the stored content is damaged: {0}")]
    Damaged(VaultError),
    /// A CRL the version keeps as evidence is missing, damaged or not a CRL.
    #[error("the CRL {address} kept as evidence cannot be read: {why}")]
    Evidence {
        /// Its content address.
        address: ContentAddress,
        /// What is wrong.
        why: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<VaultError> for ReverifyError {
    /// What a content read found wrong with the content is damage; a failing store is not.
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::NotFound(_)
            | VaultError::Integrity { .. }
            | VaultError::Manifest { .. }
            | VaultError::AddressMismatch { .. } => Self::Damaged(e),
            _ => Self::Store(e.into()),
        }
    }
}

impl ReverifyError {
    /// Always [`ErrorKind::Internal`]: what is verified was stored by the registry.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

/// `?` on a failure of the store inside an operation: it becomes the operation's `Store`.
macro_rules! store_failures {
    ($($error:ident),+) => {
        $(store_failures!(@from $error: StoreError, StorageError, VaultError, LogError, CodecError);)+
    };
    (@from $error:ident: $($source:ident),+) => {
        $(
            impl From<$source> for $error {
                fn from(e: $source) -> Self {
                    Self::Store(e.into())
                }
            }
        )+
    };
}

store_failures!(RegisterError, ChangeError, DisposeError);
store_failures!(@from ReverifyError: StoreError, StorageError, LogError, CodecError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_format_the_class_does_not_accept_is_the_callers_mistake() {
        use crate::records::RetentionClass;
        let rejected = RetentionClass::ExpertiseApplication
            .accepts(None)
            .unwrap_err();
        let e = RegisterError::from(rejected);
        assert_eq!(e.kind(), ErrorKind::Caller);
        assert_eq!(ChangeError::from(e).kind(), ErrorKind::Caller);
        let damaged = StoreError::Damaged("x".into());
        assert_eq!(ChangeError::from(damaged).kind(), ErrorKind::Internal);
    }
}
