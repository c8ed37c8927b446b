//! Qoima's vault: a write-once, content-addressed store on RocksDB, and the registry of signed
//! documents on it.
//!
//! Content is addressed by the SHA-256 of its exact bytes, cut into chunks,
//! each zstd-compressed and keyed by the SHA-256 of its uncompressed bytes, and
//! listed by a manifest. Nothing here deletes a registered document's content
//! but its disposal ([`registry`]); chunks that no manifest references (the
//! leftovers of an interrupted put) and content that no record references,
//! after a grace period, are collected ([`registry::Registry::collect_unreferenced`]).
//! The rules of registered documents are [`records`]; the machinery that applies
//! them is [`registry`] (`docs/records.md`).

mod address;
pub mod audit;
pub mod bundle;
mod codec;
mod content;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod keys;
pub mod migrate;
pub mod records;
pub mod registry;
mod signatures;
pub mod storage;
pub mod uploads;

pub use address::{ChunkId, ContentAddress, ParseAddressError, decode_lower_hex};
pub use content::{
    ContentConfig, ContentInfo, ContentReader, ContentStore, ContentWriter, GcReport, PutOutcome,
    RemovedContent, ScrubProblem, ScrubProgress, ScrubReport, StagedContent, Stamped,
};
pub use error::{ChunkProblem, VaultError};
