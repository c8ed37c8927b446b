//! The staging store in one directory, for one process: `<dir>/<id>.data` beside
//! `<dir>/<id>.state` (`state.rs`), and the busy uploads in memory.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::address::ContentAddress;
use crate::content::StagedContent;

use super::error::io_at;
use super::patch::FilePatch;
use super::state::{DATA_SUFFIX, Files, STATE_SUFFIX, Staged, TEMP_SUFFIX};
use super::{NewUpload, Recovery, Sweep, Upload, UploadConfig, UploadError, UploadId, checked};

/// The staging store of uploads in one directory.
///
/// Cloning is cheap and clones share the store.
#[derive(Clone)]
pub struct FileUploads {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FileUploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUploads")
            .field("dir", &self.inner.files.dir)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

pub(super) struct Inner {
    pub(super) files: Files,
    config: UploadConfig,
    /// Uploads a patch, a termination or an expiry is working on.
    busy: Mutex<HashSet<UploadId>>,
    /// Held by [`FileUploads::create_within`] from its count to its creation (it guards no
    /// data: poisoning is moot).
    creating: Mutex<()>,
    recovery: Recovery,
}

impl Inner {
    fn busy(&self) -> MutexGuard<'_, HashSet<UploadId>> {
        // Each use of the set is a single insert or remove, so a panic while holding the lock
        // cannot leave it inconsistent: poisoning is moot.
        self.busy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How long an upload lives after its last change.
    pub(super) fn ttl(&self) -> jiff::SignedDuration {
        self.config.ttl
    }

    pub(super) fn expires_at(&self, now: Timestamp) -> Timestamp {
        now.checked_add(self.config.ttl).unwrap_or(Timestamp::MAX)
    }
}

/// Exclusive hold on one upload; released when dropped.
pub(super) struct Claim {
    pub(super) inner: Arc<Inner>,
    pub(super) id: UploadId,
}

impl Claim {
    fn new(inner: &Arc<Inner>, id: UploadId) -> Result<Self, UploadError> {
        if !inner.busy().insert(id) {
            return Err(UploadError::Busy(id));
        }
        Ok(Self {
            inner: Arc::clone(inner),
            id,
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.inner.busy().remove(&self.id);
    }
}

impl FileUploads {
    /// Opens (creating it if need be) the staging directory `dir` and recovers it: data past
    /// each acknowledged offset is truncated, half-written states are removed, and so are
    /// data files without a state and uploads whose state is damaged (no request could resume
    /// them). [`FileUploads::recovery`] tells what was done.
    pub fn open(dir: &Path, config: UploadConfig) -> Result<Self, UploadError> {
        let config = checked(config)?;
        fs::create_dir_all(dir).map_err(|e| io_at("creating", dir, e))?;
        let files = Files {
            dir: dir.to_path_buf(),
        };
        let recovery = recover(&files)?;
        let inner = Inner {
            files,
            config,
            busy: Mutex::new(HashSet::new()),
            creating: Mutex::new(()),
            recovery,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> UploadConfig {
        self.inner.config
    }

    /// The staging directory.
    pub fn dir(&self) -> &Path {
        &self.inner.files.dir
    }

    /// What opening the store repaired.
    pub fn recovery(&self) -> Recovery {
        self.inner.recovery
    }

    /// [`FileUploads::create`] unless `new`'s owner has `max_owned` uploads at `now` already
    /// ([`UploadError::TooMany`]): the count and the creation are one step, under a lock of
    /// the store's (one process has the directory).
    pub fn create_within(
        &self,
        new: NewUpload,
        now: Timestamp,
        max_owned: usize,
    ) -> Result<Upload, UploadError> {
        let _creating = self
            .inner
            .creating
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let held = self.count_owned_by(&new.owner, now)?;
        if held >= max_owned {
            return Err(UploadError::TooMany {
                held,
                max: max_owned,
            });
        }
        self.create(new, now)
    }

    /// Creates an upload at `now`. An empty one (length 0) is complete at once, if `sha256` is
    /// that of no bytes; otherwise it is refused with [`UploadError::WholeMismatch`].
    pub fn create(&self, new: NewUpload, now: Timestamp) -> Result<Upload, UploadError> {
        super::admissible(&new, &self.inner.config)?;
        let files = &self.inner.files;
        // 128 random bits do not collide; the loop only guards against a broken generator
        // overwriting an upload.
        let mut attempts = 0;
        let (claim, data) = loop {
            attempts += 1;
            let id = UploadId::random()?;
            let claim = match Claim::new(&self.inner, id) {
                Ok(claim) => claim,
                Err(_) if attempts < 4 => continue,
                Err(e) => return Err(e),
            };
            let path = files.data(id);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(data) => break (claim, data),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 4 => {}
                Err(e) => return Err(io_at("creating", &path, e).into()),
            }
        };
        let id = claim.id;
        let staged = Staged {
            upload: Upload {
                id,
                length: new.length,
                offset: 0,
                sha256: new.sha256,
                owner: new.owner,
                metadata: new.metadata,
                created_at: now,
                expires_at: self.inner.expires_at(now),
            },
            hasher: Sha256::new(),
        };
        let saved = data
            .sync_all()
            .map_err(|e| io_at("syncing", &files.data(id), e).into())
            .and_then(|()| files.save(&staged));
        if let Err(e) = saved {
            let _ = files.remove(id);
            return Err(e);
        }
        Ok(staged.upload)
    }

    /// The upload `id` as acknowledged; [`UploadError::NotFound`] once it has expired (by the
    /// system clock), even before [`FileUploads::sweep`] removed it.
    pub fn get(&self, id: UploadId) -> Result<Upload, UploadError> {
        self.get_at(id, Timestamp::now())
    }

    /// [`FileUploads::get`] with the time given.
    pub fn get_at(&self, id: UploadId, now: Timestamp) -> Result<Upload, UploadError> {
        let upload = self.inner.files.load(id)?.upload;
        if upload.is_expired(now) {
            return Err(UploadError::NotFound(id));
        }
        Ok(upload)
    }

    /// Starts a PATCH of upload `id` at `offset`, whose body has SHA-256 `checksum` if given.
    ///
    /// `offset` may be below the upload's offset (a retried request): see [`super::Patch`].
    pub fn begin(
        &self,
        id: UploadId,
        offset: u64,
        checksum: Option<[u8; 32]>,
        now: Timestamp,
    ) -> Result<FilePatch, UploadError> {
        let claim = Claim::new(&self.inner, id)?;
        FilePatch::begin(claim, offset, checksum, now)
    }

    /// Removes the upload `id` (tus termination); [`UploadError::Busy`] while a patch is open,
    /// [`UploadError::NotFound`] if it does not exist or has expired (by the system clock; an
    /// expired one is removed all the same).
    pub fn terminate(&self, id: UploadId) -> Result<(), UploadError> {
        let _claim = Claim::new(&self.inner, id)?;
        let files = &self.inner.files;
        let expired = match files.load(id) {
            Ok(staged) => staged.upload.is_expired(Timestamp::now()),
            Err(UploadError::Damaged { .. }) => false,
            Err(e) => return Err(e),
        };
        files.remove(id)?;
        if expired {
            return Err(UploadError::NotFound(id));
        }
        Ok(())
    }

    /// Removes the upload `id` once a registration has consumed its bytes. Unlike
    /// [`FileUploads::terminate`] it does not look at the expiry. [`UploadError::NotFound`]
    /// when it is gone already (expired and removed meanwhile, say: a caller that has
    /// registered the content may ignore that).
    pub fn remove(&self, id: UploadId) -> Result<(), UploadError> {
        let _claim = Claim::new(&self.inner, id)?;
        let files = &self.inner.files;
        match fs::symlink_metadata(files.state(id)) {
            Ok(_) => files.remove(id),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(UploadError::NotFound(id)),
            Err(e) => Err(io_at("reading", &files.state(id), e).into()),
        }
    }

    /// Removes every upload that expired at or before `now` and is not busy, and every upload
    /// whose state is damaged; says which.
    pub fn sweep(&self, now: Timestamp) -> Result<Sweep, UploadError> {
        let files = &self.inner.files;
        let mut sweep = Sweep::default();
        for id in self.ids()? {
            // A look without the claim first (states are replaced whole, by rename): a sweep
            // must not make a request on a live upload find it busy.
            if matches!(files.load(id), Ok(staged) if !staged.upload.is_expired(now)) {
                continue;
            }
            let Ok(_claim) = Claim::new(&self.inner, id) else {
                continue;
            };
            // Again under the claim: a patch may have moved the expiry on meanwhile.
            let damaged = match files.load(id) {
                Ok(staged) if staged.upload.is_expired(now) => None,
                Ok(_) | Err(UploadError::NotFound(_)) => continue,
                Err(UploadError::Damaged { reason, .. }) => Some(reason),
                Err(e) => return Err(e),
            };
            files.remove(id)?;
            match damaged {
                Some(reason) => sweep.damaged.push((id, reason)),
                None => sweep.expired += 1,
            }
        }
        Ok(sweep)
    }

    /// The bytes of the complete upload `id`, opened for reading (by the system clock, an
    /// expired upload is [`UploadError::NotFound`]).
    pub fn content(&self, id: UploadId) -> Result<File, UploadError> {
        self.content_at(id, Timestamp::now())
    }

    /// [`FileUploads::content`] with the time given.
    pub fn content_at(&self, id: UploadId, now: Timestamp) -> Result<File, UploadError> {
        self.open_content(&self.get_at(id, now)?)
    }

    /// The bytes of `upload` (as [`FileUploads::get`] gave it), opened for reading, for a
    /// caller that has the upload's state already.
    pub fn open_content(&self, upload: &Upload) -> Result<File, UploadError> {
        let id = upload.id;
        if !upload.is_complete() {
            return Err(UploadError::NotComplete {
                offset: upload.offset,
                length: upload.length,
            });
        }
        let path = self.inner.files.data(id);
        let file = match File::open(&path) {
            Ok(file) => file,
            // Removed since the state was read.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(UploadError::NotFound(id));
            }
            Err(e) => return Err(io_at("opening", &path, e).into()),
        };
        let actual = file
            .metadata()
            .map_err(|e| io_at("reading", &path, e))?
            .len();
        if actual != upload.length {
            return Err(UploadError::Damaged {
                path,
                reason: format!(
                    "{actual} bytes where the complete upload has {}",
                    upload.length
                ),
            });
        }
        Ok(file)
    }

    /// How many uploads are present (expired ones not yet removed included).
    pub fn count(&self) -> Result<usize, UploadError> {
        Ok(self.ids()?.len())
    }

    /// The bytes of the complete `upload` (as [`FileUploads::get`] gave it), declared to hash
    /// to its SHA-256, for a registration to check before they are stored (the registry's
    /// `Registration::staged`).
    pub fn staged(&self, upload: &Upload) -> Result<StagedContent, UploadError> {
        let file = self.open_content(upload)?;
        Ok(StagedContent::new(
            file,
            ContentAddress(upload.sha256),
            upload.length,
        ))
    }

    /// How many uploads `owner` has at `now` (expired ones not counted): the uploads in flight
    /// a quota bounds. An upload removed or damaged meanwhile is not counted.
    pub fn count_owned_by(&self, owner: &str, now: Timestamp) -> Result<usize, UploadError> {
        let mut count = 0;
        for id in self.ids()? {
            match self.get_at(id, now) {
                Ok(upload) if upload.owner == owner => count += 1,
                Ok(_) | Err(UploadError::NotFound(_) | UploadError::Damaged { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(count)
    }

    /// The ids of every upload with a state file.
    fn ids(&self) -> Result<Vec<UploadId>, UploadError> {
        Ok(scan(&self.inner.files)?
            .into_iter()
            .filter_map(|(id, kind)| (kind == Kind::State).then_some(id))
            .collect())
    }
}

/// The kinds of files the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    State,
    Data,
    Temp,
}

/// The store's files in the directory; other files are none of its business.
fn scan(files: &Files) -> Result<Vec<(UploadId, Kind)>, UploadError> {
    let dir = &files.dir;
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_at("listing", dir, e))? {
        let entry = entry.map_err(|e| io_at("listing", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some((stem, suffix)) = name.split_at_checked(UploadId::HEX_LEN) else {
            continue;
        };
        let Ok(id) = stem.parse::<UploadId>() else {
            continue;
        };
        let kind = match suffix {
            STATE_SUFFIX => Kind::State,
            DATA_SUFFIX => Kind::Data,
            TEMP_SUFFIX => Kind::Temp,
            _ => continue,
        };
        found.push((id, kind));
    }
    Ok(found)
}

/// Brings the directory back to the acknowledged states (see [`FileUploads::open`]).
fn recover(files: &Files) -> Result<Recovery, UploadError> {
    let mut recovery = Recovery::default();
    let found = scan(files)?;
    let states: HashSet<UploadId> = found
        .iter()
        .filter_map(|&(id, kind)| (kind == Kind::State).then_some(id))
        .collect();
    let mut changed = false;
    for &(id, kind) in &found {
        match kind {
            Kind::Temp => {
                remove_file(&files.temp(id))?;
                recovery.temp_removed += 1;
                changed = true;
            }
            Kind::Data if !states.contains(&id) => {
                remove_file(&files.data(id))?;
                recovery.orphans_removed += 1;
                changed = true;
            }
            Kind::Data => {}
            Kind::State => match repair(files, id) {
                Ok(truncated) => {
                    recovery.uploads += 1;
                    recovery.truncated += usize::from(truncated);
                }
                Err(UploadError::Damaged { .. }) => {
                    files.remove(id)?;
                    recovery.damaged_removed += 1;
                }
                Err(e) => return Err(e),
            },
        }
    }
    if changed {
        files.sync_dir()?;
    }
    Ok(recovery)
}

/// Truncates the data of upload `id` to its acknowledged offset; true if it was longer.
fn repair(files: &Files, id: UploadId) -> Result<bool, UploadError> {
    let offset = files.load(id)?.upload.offset;
    let path = files.data(id);
    let data = match OpenOptions::new().write(true).open(&path) {
        Ok(data) => data,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(UploadError::Damaged {
                path,
                reason: "the data file is missing".into(),
            });
        }
        Err(e) => return Err(io_at("opening", &path, e).into()),
    };
    fit(&data, &path, offset)
}

/// Cuts `data` back to `offset` bytes (true if it was longer); [`UploadError::Damaged`] if it
/// is shorter: acknowledged bytes are lost.
pub(super) fn fit(data: &File, path: &Path, offset: u64) -> Result<bool, UploadError> {
    let len = data
        .metadata()
        .map_err(|e| io_at("reading", path, e))?
        .len();
    if len < offset {
        return Err(UploadError::Damaged {
            path: path.to_path_buf(),
            reason: format!("{len} bytes where {offset} were acknowledged"),
        });
    }
    if len == offset {
        return Ok(false);
    }
    data.set_len(offset)
        .and_then(|()| data.sync_all())
        .map_err(|e| io_at("truncating", path, e))?;
    Ok(true)
}

fn remove_file(path: &Path) -> Result<(), UploadError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_at("removing", path, e).into()),
    }
}
