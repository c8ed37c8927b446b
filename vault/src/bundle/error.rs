//! Why a bundle could not be written or does not verify: each variant names what failed, so
//! that an auditor reads in one line which claim of the bundle is broken.

/// Why bytes are not a ZIP archive of the subset a bundle uses (`zip.rs`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// No end of central directory record in the last 22 bytes (or an archive comment).
    #[error("not a bundle: no ZIP end record at the end (an archive comment is not allowed)")]
    NoEndRecord,
    /// A header runs past the end of the input.
    #[error("the ZIP archive is truncated")]
    Truncated,
    /// A feature of ZIP a bundle does not use.
    #[error("the ZIP archive uses {0}, which a bundle never does")]
    Unsupported(&'static str),
    /// An entry is compressed: a bundle stores its entries.
    #[error("ZIP entry {name} is compressed (method {method}); a bundle's entries are stored")]
    Method {
        /// The entry.
        name: String,
        /// Its compression method.
        method: u16,
    },
    /// Entries overlap, leave gaps, or the headers disagree.
    #[error("the ZIP archive's layout is not a bundle's: {0}")]
    Layout(String),
    /// An entry name that could escape a directory or is not a plain relative path.
    #[error("a ZIP entry name is refused: {0}")]
    Name(String),
    /// Two entries with the same name (also differing only in case).
    #[error("the ZIP archive has two entries named {0:?}")]
    Duplicate(String),
    /// An entry whose bytes do not match its CRC-32.
    #[error("ZIP entry {0}: its CRC-32 does not match its bytes")]
    Crc(String),
    /// More entries than a bundle may hold.
    #[error("{0} entries: more than a bundle may hold")]
    TooManyEntries(usize),
    /// Beyond ZIP's 32-bit sizes and offsets (no ZIP64).
    #[error("{0} is beyond 4 GiB, which a bundle (ZIP without ZIP64) cannot hold")]
    TooLarge(String),
}

/// Why a bundle does not verify, or could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The container is not a valid bundle ZIP.
    #[error(transparent)]
    Zip(#[from] ZipError),
    /// The input is larger than the limit given.
    #[error("the bundle is {size} bytes, more than the {limit} allowed")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The `mimetype` entry is not the first, or names another type.
    #[error("not a Qoima bundle: {0}")]
    NotABundle(String),
    /// `manifest.json` cannot be read or says something impossible.
    #[error("manifest.json: {0}")]
    Manifest(String),
    /// An entry the manifest names is not in the archive.
    #[error("the bundle has no entry {0}, which its manifest names (a file was removed)")]
    Missing(String),
    /// An entry of the archive that the manifest does not name.
    #[error("the bundle has an entry {0} that its manifest does not name (a file was added)")]
    Unlisted(String),
    /// The signed checkpoint does not open with the key, or is of another log.
    #[error("the checkpoint: {0}")]
    Checkpoint(String),
    /// The consistency proof to the older checkpoint does not verify.
    #[error("the consistency proof to the older checkpoint: {0}")]
    Consistency(String),
    /// A record that does not decode, or differs from what the manifest says of it.
    #[error("{what}: {problem}")]
    Record {
        /// Which record.
        what: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An audit entry that does not name its record, or whose inclusion proof fails.
    #[error("{what}: {problem}")]
    AuditEntry {
        /// Which entry.
        what: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A version's content does not hash to the address its record holds.
    #[error("version {version}: the content {problem}")]
    Content {
        /// The version.
        version: u32,
        /// What is wrong with it.
        problem: String,
    },
    /// A signature file differs from the one the record holds.
    #[error("version {version}: signature {index} {problem}")]
    Signature {
        /// The version.
        version: u32,
        /// The signature, from 1.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// A certificate or CRL whose bytes are not the ones its name and the records say.
    #[error("{0}")]
    Evidence(String),
    /// A version removed from the bundle, or an export statement that disagrees with it.
    #[error("{0}")]
    Versions(String),
    /// The vault's records could not be put into a bundle.
    #[error("cannot write the bundle: {0}")]
    Write(String),
}

/// Content held in memory is always readable: the bundle's signatures read it through the
/// vault's shared verification routine, whose content may fail elsewhere.
impl From<std::convert::Infallible> for BundleError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}
