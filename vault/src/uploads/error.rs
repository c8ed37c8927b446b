//! Why an upload operation failed.
//!
//! The messages end up in HTTP problem details, so they speak to the client about its upload;
//! only [`UploadError::Damaged`], [`UploadError::Io`] and [`UploadError::Storage`] name
//! server files, rows or objects, and those are server faults.

use std::io;
use std::path::PathBuf;

use super::UploadId;

/// Why an upload operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// No such upload: never created, finished with, terminated, failed, or expired.
    #[error("no upload {0}")]
    NotFound(UploadId),
    /// Another request is writing to (or removing) this upload right now.
    #[error("upload {0} is busy with another request")]
    Busy(UploadId),
    /// The request's offset is beyond the bytes received so far.
    #[error("the upload has {expected} bytes, the request's offset is {got}")]
    OffsetMismatch {
        /// The upload's offset.
        expected: u64,
        /// The offset the request gave.
        got: u64,
    },
    /// The request's bytes run past the upload's declared length; none of them were kept.
    #[error("the bytes run past the upload's declared length of {length}")]
    TooLong {
        /// The declared length.
        length: u64,
    },
    /// The declared length is above the largest upload allowed.
    #[error("an upload of {length} bytes is above the maximum of {max} bytes")]
    TooLarge {
        /// The declared length.
        length: u64,
        /// The largest length allowed.
        max: u64,
    },
    /// The owner has as many uploads at once as it may have; none was created.
    #[error("{held} uploads are in progress, at most {max} at once")]
    TooMany {
        /// The owner's uploads.
        held: usize,
        /// The most it may have at once.
        max: usize,
    },
    /// The request's body does not match its checksum; the upload is unchanged.
    #[error("the request's body does not match its SHA-256 checksum; the upload is unchanged")]
    ChecksumMismatch,
    /// A resent byte differs from the one received before; the upload is unchanged.
    #[error(
        "byte {at} differs from the byte received before at that offset; the upload is unchanged"
    )]
    ReplayMismatch {
        /// The offset of the first differing byte.
        at: u64,
    },
    /// The complete upload does not hash to its declared SHA-256; it was discarded.
    #[error(
        "the upload's bytes hash to SHA-256 {}, not the declared {}; the upload was discarded",
        hex::encode(received),
        hex::encode(declared)
    )]
    WholeMismatch {
        /// The SHA-256 declared at creation.
        declared: [u8; 32],
        /// The SHA-256 of the bytes received.
        received: [u8; 32],
    },
    /// The upload is not complete yet.
    #[error("the upload has {offset} of its {length} bytes")]
    NotComplete {
        /// Bytes received.
        offset: u64,
        /// Declared length.
        length: u64,
    },
    /// A staging file is damaged (undecodable state, or data shorter than its state says).
    #[error("damaged upload file {}: {reason}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration is out of range.
    #[error("invalid upload configuration: {0}")]
    Config(String),
    /// A file operation failed (the message names the file).
    #[error("upload storage failed: {0}")]
    Io(#[from] io::Error),
    /// The staging database or bucket of the distributed store failed.
    #[error("upload storage failed: {0}")]
    Storage(#[from] crate::storage::StorageError),
}

/// An I/O error that names the file and what was being done to it.
pub(super) fn io_at(what: &str, path: &std::path::Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", path.display()))
}
