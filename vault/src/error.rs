//! The vault's error type.

use std::io;

use crate::address::{ChunkId, ContentAddress};
use crate::codec::CodecError;
use crate::storage::StorageError;

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// No content is stored at this address.
    #[error("no content stored at {0}")]
    NotFound(ContentAddress),
    /// A chunk of a stored content is missing or does not verify.
    #[error("integrity error in content {address}, chunk {index} ({chunk}): {problem}")]
    Integrity {
        /// The content being read.
        address: ContentAddress,
        /// Position of the chunk in the content.
        index: usize,
        /// The chunk's id.
        chunk: ChunkId,
        /// What is wrong with it.
        problem: ChunkProblem,
    },
    /// A manifest does not decode, or does not describe a consistent content.
    #[error("integrity error in the manifest of {address}: {problem}")]
    Manifest {
        /// The content the manifest is stored under.
        address: ContentAddress,
        /// What is wrong with it.
        problem: String,
    },
    /// The whole content does not hash to its address.
    #[error("integrity error: content stored at {address} hashes to {actual}")]
    AddressMismatch {
        /// The address the content is stored under.
        address: ContentAddress,
        /// What its bytes hash to.
        actual: ContentAddress,
    },
    /// A byte range that the content does not cover.
    #[error("range {start}..{end} is not within the content's {length} bytes")]
    Range {
        /// First byte requested.
        start: u64,
        /// One past the last byte requested.
        end: u64,
        /// Length of the content.
        length: u64,
    },
    /// A configuration value out of its allowed range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Reading the bytes to store failed; nothing was stored.
    #[error("reading the input failed: {0}")]
    Input(#[source] io::Error),
    /// A record could not be encoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A background task of the vault died.
    #[error("internal task failed: {0}")]
    Task(String),
}

/// An I/O error from a [`ContentReader`](crate::ContentReader) carries the vault's own
/// error: it is taken back out; any other I/O error is an input error.
impl From<io::Error> for VaultError {
    fn from(e: io::Error) -> Self {
        if e.get_ref().is_some_and(|inner| inner.is::<VaultError>()) {
            if let Some(Ok(inner)) = e.into_inner().map(|inner| inner.downcast::<VaultError>()) {
                return *inner;
            }
            return VaultError::Task("an I/O error lost its cause".into());
        }
        VaultError::Input(e)
    }
}

impl From<VaultError> for io::Error {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::Input(inner) => inner,
            VaultError::NotFound(_) => io::Error::new(io::ErrorKind::NotFound, e),
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

/// Why a stored chunk value does not yield the chunk it is stored under.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkProblem {
    /// No value is stored under the chunk's id.
    #[error("chunk is missing from the store")]
    Missing,
    /// The storage engine's own checksums fail for the stored value.
    #[error("storage engine reports corruption: {0}")]
    Unreadable(String),
    /// The value is not a chunk record.
    #[error("undecodable chunk record: {0}")]
    Codec(#[from] CodecError),
    /// The zstd frame does not decompress.
    #[error("zstd frame does not decompress: {0}")]
    Decompress(String),
    /// The bytes are not as long as the record says.
    #[error("chunk holds {actual} bytes, its record says {declared}")]
    Length {
        /// Length from the record.
        declared: u32,
        /// Length after decoding.
        actual: usize,
    },
    /// The bytes do not hash to the chunk's id.
    #[error("chunk bytes hash to {actual}, not to the id they are stored under")]
    Hash {
        /// What the stored bytes hash to.
        actual: ChunkId,
    },
}
