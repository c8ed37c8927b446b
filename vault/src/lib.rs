//! Qoima's vault: a write-once, content-addressed store on RocksDB.
//!
//! Content is addressed by the SHA-256 of its exact bytes, cut into chunks,
//! each zstd-compressed and keyed by the SHA-256 of its uncompressed bytes, and
//! listed by a manifest. Nothing here deletes content; only chunks that no
//! manifest references (the leftovers of an interrupted put) may be collected.

pub mod address;
pub mod audit;
pub mod codec;
pub mod content;
mod error;
pub mod fuzzing;
pub mod keys;
pub mod records;
pub mod storage;
pub mod uploads;

pub use address::{ChunkId, ContentAddress, ParseAddressError};
pub use content::{
    ContentConfig, ContentInfo, ContentReader, ContentStore, ContentWriter, PutOutcome,
};
pub use error::VaultError;
