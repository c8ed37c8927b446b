//! The staging store behind resumable uploads (tus 1.0: core, checksum, expiration and
//! termination).
//!
//! An upload is declared with its length and whole-file SHA-256, then filled by PATCH requests,
//! each a [`Patch`]. Its bytes wait here, never in the content store: a complete upload
//! enters the write-once vault only when a document is registered from it, after its
//! signatures and format were checked against the staged bytes ([`UploadStore::staged`], then
//! [`UploadStore::remove`]), so expired and abandoned uploads, and refused registrations,
//! leave nothing behind in the vault.
//!
//! Two stores keep the same guarantees ([`UploadStore`]): [`FileUploads`], a directory of one
//! process (`<dir>/<id>.data` beside `<dir>/<id>.state`), and [`DistributedUploads`], for the
//! nodes of the distributed engine: the state in a PostgreSQL row, the bytes in S3 objects
//! without retention, so that a PATCH may reach any node and an upload interrupted on one
//! node resumes on another (docs/storage.md, "Resumable uploads across nodes").
//!
//! # Durability
//! Nothing is reported stored before it is. A patch stores its bytes first (the directory
//! store appends to the data file and syncs it; the distributed one puts its parts in S3,
//! which acknowledges a PUT once durable), then replaces the state (a temp file, sync,
//! rename, directory sync; or the row's UPDATE and commit). The state is the
//! acknowledgement: bytes past the state's offset may be left by a crash, and count for
//! nothing (the directory store truncates them in [`FileUploads::open`]; the distributed
//! store's row lists the objects that count), so each upload restarts from exactly its last
//! acknowledged offset. The running whole-file SHA-256 is saved with the state (sha2's
//! serializable hasher state), so resuming never re-reads what was received.
//!
//! # Retried requests
//! A PATCH whose response was lost is sent again from the offset the client last knew. The
//! bytes before the current offset are then compared with the stored ones instead of written
//! (a difference is [`UploadError::ReplayMismatch`] and changes nothing), and the rest is
//! appended, so an identical retry ends where the first attempt did, with the same result.
//!
//! # Failed uploads
//! When the last byte arrives and the whole file does not hash to the declared SHA-256, the
//! upload is removed for good ([`UploadError::WholeMismatch`]): no later request can change
//! bytes already received, so the client has to start over.
//!
//! # Concurrency
//! The store is shared by many requests (on blocking threads). At most one [`Patch`] per upload
//! exists at a time, termination and expiry included, so none of them can interleave: the
//! directory store holds the upload in a set of busy ids (one store per directory); the
//! distributed one holds the upload's row locked (`FOR UPDATE NOWAIT`), across every node.
//! Either way a second one is [`UploadError::Busy`] at once.

mod distributed;
mod error;
#[cfg(test)]
mod file_tests;
mod files;
mod id;
mod patch;
mod progress;
pub(crate) mod state;
#[cfg(test)]
mod suites;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};

use crate::content::StagedContent;

pub use distributed::{DistributedPatch, DistributedUploads};
pub use error::UploadError;
pub use files::FileUploads;
pub use id::{ParseUploadIdError, UploadId};
pub use patch::FilePatch;

/// The SHA-256 of no bytes: the only valid declared hash of an empty upload.
pub const EMPTY_SHA256: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// How long uploads live and how large they may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadConfig {
    /// How long an upload lives after its last change (creation or acknowledged patch).
    pub ttl: SignedDuration,
    /// The largest declared length accepted, in bytes.
    pub max_length: u64,
}

impl Default for UploadConfig {
    fn default() -> Self {
        Self {
            ttl: SignedDuration::from_hours(24),
            max_length: 8 << 30,
        }
    }
}

/// What a client declares when it creates an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    /// The total length in bytes (tus `Upload-Length`).
    pub length: u64,
    /// The SHA-256 of the whole file; checked when the last byte arrives.
    pub sha256: [u8; 32],
    /// Who created it (the API key's id, say); kept for the caller's access checks.
    pub owner: String,
    /// tus `Upload-Metadata`: keys and their decoded values.
    pub metadata: BTreeMap<String, Vec<u8>>,
}

/// An upload as acknowledged: what was declared and how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Its id.
    pub id: UploadId,
    /// The declared length in bytes.
    pub length: u64,
    /// Bytes received and acknowledged (tus `Upload-Offset`).
    pub offset: u64,
    /// The declared SHA-256 of the whole file.
    pub sha256: [u8; 32],
    /// Who created it.
    pub owner: String,
    /// tus `Upload-Metadata`.
    pub metadata: BTreeMap<String, Vec<u8>>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it expires unless changed before (tus `Upload-Expires`).
    pub expires_at: Timestamp,
}

impl Upload {
    /// Whether every declared byte was received (and the whole file matched its SHA-256).
    pub fn is_complete(&self) -> bool {
        self.offset == self.length
    }

    /// Whether it has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }
}

/// What [`FileUploads::open`] found and repaired (the distributed store has nothing to
/// repair: its row is the acknowledgement).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovery {
    /// Uploads present after recovery.
    pub uploads: usize,
    /// Data files cut back to their acknowledged offset (bytes of unfinished patches).
    pub truncated: usize,
    /// Half-written state files removed.
    pub temp_removed: usize,
    /// Data files without a state (an interrupted creation or removal) removed.
    pub orphans_removed: usize,
    /// Uploads removed because their state did not decode or their data was short.
    pub damaged_removed: usize,
}

/// What a sweep of the staging store removed ([`UploadStore::sweep`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sweep {
    /// Expired uploads removed.
    pub expired: usize,
    /// Uploads removed because their state was damaged (it does not decode, or disagrees
    /// with what is stored): each one's id and what is wrong with it, for the log.
    pub damaged: Vec<(UploadId, String)>,
    /// Uploads already ended whose staged bytes were left behind (by a removal that could
    /// not delete them then, or a node that died while removing them), now removed.
    pub leftovers: usize,
}

impl Sweep {
    /// Uploads removed: the expired and the damaged ones.
    pub fn removed(&self) -> usize {
        self.expired + self.damaged.len()
    }
}

/// `config`, unless out of range.
fn checked(config: UploadConfig) -> Result<UploadConfig, UploadError> {
    if !config.ttl.is_positive() {
        return Err(UploadError::Config(format!(
            "the upload expiry {} is not positive",
            config.ttl
        )));
    }
    Ok(config)
}

/// Whether `new` may be created under `config`: its length within the maximum, and an empty
/// upload declared with the SHA-256 of no bytes.
fn admissible(new: &NewUpload, config: &UploadConfig) -> Result<(), UploadError> {
    let max = config.max_length;
    if new.length > max {
        return Err(UploadError::TooLarge {
            length: new.length,
            max,
        });
    }
    if new.length == 0 && new.sha256 != EMPTY_SHA256 {
        return Err(UploadError::WholeMismatch {
            declared: new.sha256,
            received: EMPTY_SHA256,
        });
    }
    Ok(())
}

/// The staging store of uploads: a directory of this process's, or the database and bucket
/// every node shares. Cloning is cheap and clones share the store.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UploadStore {
    /// One directory, one process ([`FileUploads`]).
    Files(FileUploads),
    /// Rows in PostgreSQL, parts in S3, every node ([`DistributedUploads`]).
    Distributed(DistributedUploads),
}

/// Calls `$method` on whichever store this is.
macro_rules! delegate {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {
        match $self {
            UploadStore::Files(store) => store.$method($($arg),*),
            UploadStore::Distributed(store) => store.$method($($arg),*),
        }
    };
}

impl From<FileUploads> for UploadStore {
    fn from(store: FileUploads) -> Self {
        Self::Files(store)
    }
}

impl From<DistributedUploads> for UploadStore {
    fn from(store: DistributedUploads) -> Self {
        Self::Distributed(store)
    }
}

impl UploadStore {
    /// The directory store in `dir` ([`FileUploads::open`]).
    pub fn open(dir: &Path, config: UploadConfig) -> Result<Self, UploadError> {
        FileUploads::open(dir, config).map(Self::Files)
    }

    /// The configuration in force.
    pub fn config(&self) -> UploadConfig {
        delegate!(self, config())
    }

    /// What opening the store repaired.
    pub fn recovery(&self) -> Recovery {
        delegate!(self, recovery())
    }

    /// Creates an upload at `now`. An empty one (length 0) is complete at once, if `sha256` is
    /// that of no bytes; otherwise it is refused with [`UploadError::WholeMismatch`].
    pub fn create(&self, new: NewUpload, now: Timestamp) -> Result<Upload, UploadError> {
        delegate!(self, create(new, now))
    }

    /// [`UploadStore::create`] unless `new`'s owner has `max_owned` uploads at `now` already
    /// (expired ones not counted): [`UploadError::TooMany`]. The count and the creation are
    /// one step for every process of the store, every node of the distributed one included,
    /// so that creations at once cannot together pass the bound.
    pub fn create_within(
        &self,
        new: NewUpload,
        now: Timestamp,
        max_owned: usize,
    ) -> Result<Upload, UploadError> {
        delegate!(self, create_within(new, now, max_owned))
    }

    /// The upload `id` as acknowledged; [`UploadError::NotFound`] once it has expired (by the
    /// system clock), even before [`UploadStore::expire`] removed it.
    pub fn get(&self, id: UploadId) -> Result<Upload, UploadError> {
        self.get_at(id, Timestamp::now())
    }

    /// [`UploadStore::get`] with the time given.
    pub fn get_at(&self, id: UploadId, now: Timestamp) -> Result<Upload, UploadError> {
        delegate!(self, get_at(id, now))
    }

    /// Starts a PATCH of upload `id` at `offset`, whose body has SHA-256 `checksum` if given;
    /// [`UploadError::Busy`] while another patch, termination or removal of it is under way.
    ///
    /// `offset` may be below the upload's offset (a retried request): see [`Patch`].
    pub fn begin(
        &self,
        id: UploadId,
        offset: u64,
        checksum: Option<[u8; 32]>,
        now: Timestamp,
    ) -> Result<Patch, UploadError> {
        Ok(Patch(match self {
            Self::Files(store) => Either::File(Box::new(store.begin(id, offset, checksum, now)?)),
            Self::Distributed(store) => {
                Either::Distributed(Box::new(store.begin(id, offset, checksum, now)?))
            }
        }))
    }

    /// Removes the upload `id` (tus termination); [`UploadError::Busy`] while a patch is open,
    /// [`UploadError::NotFound`] if it does not exist or has expired (by the system clock; an
    /// expired one is removed all the same).
    pub fn terminate(&self, id: UploadId) -> Result<(), UploadError> {
        delegate!(self, terminate(id))
    }

    /// Removes the upload `id` once a registration has consumed its bytes. Unlike
    /// [`UploadStore::terminate`] it does not look at the expiry. [`UploadError::NotFound`]
    /// when it is gone already (expired and removed meanwhile, say: a caller that has
    /// registered the content may ignore that).
    pub fn remove(&self, id: UploadId) -> Result<(), UploadError> {
        delegate!(self, remove(id))
    }

    /// Removes every upload that expired at or before `now` and is not busy (and what
    /// cannot be resumed: damaged states, bytes of no upload); returns how many uploads were
    /// removed ([`UploadStore::sweep`] says which).
    pub fn expire(&self, now: Timestamp) -> Result<usize, UploadError> {
        self.sweep(now).map(|sweep| sweep.removed())
    }

    /// [`UploadStore::expire`], saying what was removed: the damaged uploads by id and
    /// problem, for the caller to log.
    pub fn sweep(&self, now: Timestamp) -> Result<Sweep, UploadError> {
        delegate!(self, sweep(now))
    }

    /// The bytes of the complete upload `id`, opened for reading (by the system clock, an
    /// expired upload is [`UploadError::NotFound`]).
    pub fn content(&self, id: UploadId) -> Result<File, UploadError> {
        self.content_at(id, Timestamp::now())
    }

    /// [`UploadStore::content`] with the time given.
    pub fn content_at(&self, id: UploadId, now: Timestamp) -> Result<File, UploadError> {
        self.open_content(&self.get_at(id, now)?)
    }

    /// The bytes of `upload` (as [`UploadStore::get`] gave it), opened for reading, for a
    /// caller that has the upload's state already.
    pub fn open_content(&self, upload: &Upload) -> Result<File, UploadError> {
        delegate!(self, open_content(upload))
    }

    /// How many uploads are present (expired ones not yet removed included).
    pub fn count(&self) -> Result<usize, UploadError> {
        delegate!(self, count())
    }

    /// The bytes of the complete `upload` (as [`UploadStore::get`] gave it), declared to hash
    /// to its SHA-256, for a registration to check before they are stored (the registry's
    /// `Registration::staged`).
    pub fn staged(&self, upload: &Upload) -> Result<StagedContent, UploadError> {
        delegate!(self, staged(upload))
    }

    /// How many uploads `owner` has at `now` (expired ones not counted): the uploads in flight
    /// a quota bounds. An upload removed or damaged meanwhile is not counted.
    pub fn count_owned_by(&self, owner: &str, now: Timestamp) -> Result<usize, UploadError> {
        delegate!(self, count_owned_by(owner, now))
    }
}

/// One PATCH request in progress, on either store. At most one per upload exists at a time: a
/// second [`UploadStore::begin`] is [`UploadError::Busy`] until this one is finished,
/// interrupted or dropped.
///
/// Nothing it writes counts until [`Patch::finish`] (or [`Patch::interrupt`]) acknowledges it.
/// Dropping it otherwise rolls the upload back to where the patch began.
pub struct Patch(Either);

/// Boxed: a patch is made once per request, and its buffers are on the heap anyway.
enum Either {
    File(Box<FilePatch>),
    Distributed(Box<DistributedPatch>),
}

impl Patch {
    /// Where the next byte given to [`Patch::write`] goes.
    pub fn offset(&self) -> u64 {
        match &self.0 {
            Either::File(patch) => patch.offset(),
            Either::Distributed(patch) => patch.offset(),
        }
    }

    /// Takes the next bytes of the request's body.
    ///
    /// Bytes that would run past the upload's length are refused whole with
    /// [`UploadError::TooLong`] (the patch stays usable). A resent byte that differs from the
    /// stored one is [`UploadError::ReplayMismatch`], and the patch can then only be given up.
    pub fn write(&mut self, data: &[u8]) -> Result<(), UploadError> {
        match &mut self.0 {
            Either::File(patch) => patch.write(data),
            Either::Distributed(patch) => patch.write(data),
        }
    }

    /// Acknowledges the patch at `now`: checks the request's checksum, and the whole file's
    /// SHA-256 if this was its last byte, makes the bytes durable and saves the state.
    ///
    /// On [`UploadError::ChecksumMismatch`] (or any failure to store) the upload is as it was
    /// before the patch. On [`UploadError::WholeMismatch`] the upload has been removed.
    pub fn finish(self, now: Timestamp) -> Result<Upload, UploadError> {
        match self.0 {
            Either::File(patch) => patch.finish(now),
            Either::Distributed(patch) => patch.finish(now),
        }
    }

    /// The request's body broke off at `now`. Without a checksum the bytes received so far are
    /// kept and acknowledged (as tus asks), exactly as [`Patch::finish`] would; with one, they
    /// cannot be verified and the upload is rolled back to where the patch began (and returned
    /// as it is).
    pub fn interrupt(self, now: Timestamp) -> Result<Upload, UploadError> {
        match self.0 {
            Either::File(patch) => patch.interrupt(now),
            Either::Distributed(patch) => patch.interrupt(now),
        }
    }
}
