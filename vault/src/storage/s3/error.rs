//! What can go wrong between the vault and an S3 bucket, and how it reaches the storage traits.

use super::super::StorageError;

/// A failure of the S3 content backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum S3Error {
    /// The backend's settings are unusable (an endpoint it cannot reach, a bad bucket name).
    #[error("S3 configuration: {0}")]
    Config(String),
    /// No answer: the connection failed or the request timed out.
    #[error("S3 request {operation} failed: {detail}")]
    Transport {
        /// What was asked (`PUT chunks/…`).
        operation: String,
        /// The client's words.
        detail: String,
    },
    /// S3 answered with an error status.
    #[error("S3 refused {operation}: HTTP {status} {code}: {message}")]
    Status {
        /// What was asked.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// S3's error code (`AccessDenied`, `NoSuchBucket`…), or the status's words.
        code: String,
        /// S3's message.
        message: String,
    },
    /// S3 refused to delete or change an object under retention or a legal hold (Object Lock).
    #[error("S3 refused {operation}: the object is locked (HTTP {status} {code})")]
    Locked {
        /// What was asked.
        operation: String,
        /// The HTTP status (403).
        status: u16,
        /// S3's error code (`AccessDenied`).
        code: String,
    },
    /// The bucket was created without Object Lock, which cannot be added to it afterwards.
    #[error(
        "bucket {bucket:?} has no Object Lock: the vault keeps content only in a bucket created \
         with Object Lock (docs/storage.md); create a new one with `qoima storage init`"
    )]
    NoObjectLock {
        /// The bucket.
        bucket: String,
    },
    /// The bucket's versioning is not enabled (Object Lock requires it).
    #[error("bucket {bucket:?} has versioning {status}, not Enabled")]
    Versioning {
        /// The bucket.
        bucket: String,
        /// What S3 says (`Suspended`, or `never enabled`).
        status: String,
    },
    /// A test object locked for a short time could be deleted: the bucket does not enforce
    /// its locks.
    #[error(
        "bucket {bucket:?} let a locked test object ({key}) be deleted: Object Lock is not enforced"
    )]
    LockNotEnforced {
        /// The bucket.
        bucket: String,
        /// The test object's key.
        key: String,
    },
    /// A listing named an object that is not where the backend puts its objects.
    #[error("unexpected object {0:?} under the chunks' prefix")]
    UnexpectedKey(String),
    /// S3's answer could not be read.
    #[error("unreadable S3 answer: {0}")]
    Xml(String),
}

impl From<S3Error> for StorageError {
    fn from(e: S3Error) -> Self {
        match e {
            S3Error::Locked { .. } => StorageError::Locked(e.to_string()),
            S3Error::UnexpectedKey(_) => StorageError::Corruption(e.to_string()),
            _ => StorageError::Engine(e.to_string()),
        }
    }
}
