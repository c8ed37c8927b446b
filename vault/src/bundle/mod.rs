//! The auditor's offline bundle (`qoima doc export`, `qoima bundle verify`; the format:
//! `docs/bundle.md`): one ZIP file with a document's every version, its signatures, the
//! certificates and CRLs to verify them, the stored records, their audit-log entries with
//! inclusion proofs, a signed checkpoint and, on request, a consistency proof from an older one.
//! Checking it needs no vault, no RocksDB and no network.
//!
//! | file | owns |
//! |---|---|
//! | `zip.rs` | the container: ZIP of stored entries, written and read strictly |
//! | `manifest.rs` | `manifest.json`, the index of the entries |
//! | `paths.rs` | the certificates of the paths the reports name, and those a signature carries |
//! | `write.rs` | a bundle from the evidence the registry reads ([`Evidence`]) |
//! | `read.rs` | a bundle's entries and manifest, every entry named once ([`Bundle`]) |
//! | `verify.rs` | every claim checked, from the key down ([`verify()`]) |
//! | `error.rs` | [`BundleError`], [`ZipError`] |
//!
//! The module is below the registry: it reads record values and audit entries as bytes, and
//! the registry hands it what it stores.

mod error;
pub mod manifest;
mod paths;
mod read;
mod verify;
mod write;
pub mod zip;

pub use error::{BundleError, ZipError};
pub use paths::{report_paths, signature_certificates};
pub use read::Bundle;
pub use verify::{Options, Verified, VersionFinding, now, verify};
pub use write::{Evidence, Logged, VersionEvidence, write};

/// The largest bundle read by default: what ZIP without ZIP64 can address.
pub const MAX_BUNDLE: u64 = u32::MAX as u64;

/// What the export's auditor-read event says it read: every version of the document, so that
/// a bundle with its last version removed contradicts its own logged export.
pub fn export_statement(versions: u32) -> String {
    format!("bundle of versions 1 to {versions}")
}

#[cfg(test)]
mod tests;
