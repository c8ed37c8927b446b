//! The staging store every node of the distributed engine shares: each upload's state in a
//! PostgreSQL row ([`UploadRows`]), its bytes in S3 objects without retention
//! ([`StagedObjects`]), so that a PATCH may go to any node and an upload interrupted on one
//! node resumes on another (docs/storage.md, "Resumable uploads across nodes").
//!
//! A PATCH stores its bytes as parts, one object per [`PART`] bytes (the last one shorter)
//! under `uploads/<id>/<start>-<end>`, then moves the row on: the new state and the list of
//! parts, committed in the transaction that has held the row locked since the PATCH began.
//! The row is the acknowledgement: parts it does not list count for nothing, and a PATCH that
//! stores the same range later writes over them. One object per part rather than an S3
//! multipart upload: tus clients send bodies of any length and an interrupted body keeps any
//! prefix, while S3 wants every part but the last to be at least 5 MiB (docs/decisions.md).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::address::ContentAddress;
use crate::content::StagedContent;
use crate::storage::StorageError;
use crate::storage::postgres::{
    Insertion, RawStagingRow, RowClaim, StagingRow, UploadRowLock, UploadRows,
};
use crate::storage::s3::StagedObjects;

use super::error::io_at;
use super::progress::{Broken, Progress};
use super::state::{self, Staged};
use super::{NewUpload, Recovery, Sweep, Upload, UploadConfig, UploadError, UploadId, admissible};

/// The most bytes of one staged object: what a PATCH gathers before it stores them, and what
/// a read of one part holds in memory.
pub const PART: usize = 8 << 20;

/// The staging store of uploads in PostgreSQL and S3. Cloning is cheap and clones share it.
#[derive(Clone)]
pub struct DistributedUploads {
    inner: Arc<Inner>,
}

struct Inner {
    rows: UploadRows,
    objects: StagedObjects,
    /// Where the bytes of a complete upload are gathered for a registration to read.
    scratch: PathBuf,
    config: UploadConfig,
}

impl std::fmt::Debug for DistributedUploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistributedUploads")
            .field("bucket", &self.inner.objects.bucket())
            .field("scratch", &self.inner.scratch)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Nanoseconds since the epoch, as the row's `expires_at` holds them (clamped to `bigint`).
fn nanos(at: Timestamp) -> i64 {
    i64::try_from(at.as_nanosecond()).unwrap_or(if at.as_nanosecond() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// How the row of upload `id` is named in errors.
fn row_name(id: UploadId) -> PathBuf {
    PathBuf::from(format!("qoima.upload_staging/{id}"))
}

/// The upload's state and parts from its row, checked against each other.
fn load(id: UploadId, row: &StagingRow) -> Result<Staged, UploadError> {
    let damaged = |reason: String| UploadError::Damaged {
        path: row_name(id),
        reason,
    };
    let staged = state::decode(id, &row.state).map_err(damaged)?;
    let ascending = row
        .parts
        .iter()
        .try_fold(0u64, |last, &end| (end > last).then_some(end))
        .is_some();
    let last = row.parts.last().copied().unwrap_or(0);
    if !ascending || last != staged.upload.offset {
        return Err(damaged(format!(
            "its parts end at {last} (ascending: {ascending}), its offset is {}",
            staged.upload.offset
        )));
    }
    Ok(staged)
}

/// The start of each part given the ends.
fn ranges(parts: &[u64]) -> impl Iterator<Item = (u64, u64)> + '_ {
    std::iter::once(0)
        .chain(parts.iter().copied())
        .zip(parts.iter().copied())
}

impl DistributedUploads {
    /// The store on `rows` and `objects` (of one database and bucket, which every node
    /// shares), gathering complete uploads for registrations in `scratch` (created if need
    /// be; a directory of this node's).
    pub fn new(
        rows: UploadRows,
        objects: StagedObjects,
        scratch: &Path,
        config: UploadConfig,
    ) -> Result<Self, UploadError> {
        let config = super::checked(config)?;
        fs::create_dir_all(scratch).map_err(|e| io_at("creating", scratch, e))?;
        Ok(Self {
            inner: Arc::new(Inner {
                rows,
                objects,
                scratch: scratch.to_path_buf(),
                config,
            }),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> UploadConfig {
        self.inner.config
    }

    /// Nothing to repair: the row is the acknowledgement.
    pub fn recovery(&self) -> Recovery {
        Recovery::default()
    }

    fn expires_at(&self, now: Timestamp) -> Timestamp {
        now.checked_add(self.inner.config.ttl)
            .unwrap_or(Timestamp::MAX)
    }

    /// See [`super::UploadStore::create`].
    pub fn create(&self, new: NewUpload, now: Timestamp) -> Result<Upload, UploadError> {
        self.insert(new, now, None)
    }

    /// See [`super::UploadStore::create_within`]: the owner's live rows counted and the new
    /// one inserted in one transaction, ordered across the nodes by a lock on the owner
    /// ([`UploadRows::insert_within`]).
    pub fn create_within(
        &self,
        new: NewUpload,
        now: Timestamp,
        max_owned: usize,
    ) -> Result<Upload, UploadError> {
        self.insert(new, now, Some(max_owned))
    }

    fn insert(
        &self,
        new: NewUpload,
        now: Timestamp,
        max_owned: Option<usize>,
    ) -> Result<Upload, UploadError> {
        admissible(&new, &self.inner.config)?;
        let mut staged = Staged {
            upload: Upload {
                id: UploadId::random()?,
                length: new.length,
                offset: 0,
                sha256: new.sha256,
                owner: new.owner,
                metadata: new.metadata,
                created_at: now,
                expires_at: self.expires_at(now),
            },
            hasher: Sha256::new(),
        };
        // 128 random bits do not collide; the loop only guards against a broken generator
        // taking an upload's row.
        for _ in 0..4 {
            let upload = &staged.upload;
            let (id, owner) = (upload.id.as_bytes(), upload.owner.as_str());
            let (expires_at, state) = (nanos(upload.expires_at), state::encode(&staged)?);
            let inserted = match max_owned {
                None => self.inner.rows.insert(id, owner, expires_at, &state)?,
                Some(max) => {
                    let rows = &self.inner.rows;
                    let limit = u64::try_from(max).unwrap_or(u64::MAX);
                    match rows.insert_within(id, owner, expires_at, &state, nanos(now), limit)? {
                        Insertion::Inserted => true,
                        Insertion::Full(held) => {
                            return Err(UploadError::TooMany {
                                held: usize::try_from(held).unwrap_or(usize::MAX),
                                max,
                            });
                        }
                        _ => false,
                    }
                }
            };
            if inserted {
                return Ok(staged.upload);
            }
            staged.upload.id = UploadId::random()?;
        }
        Err(UploadError::Io(io::Error::other(
            "the random generator gave four upload ids that were taken",
        )))
    }

    /// See [`super::UploadStore::get_at`].
    pub fn get_at(&self, id: UploadId, now: Timestamp) -> Result<Upload, UploadError> {
        let row = self
            .inner
            .rows
            .get(id.as_bytes())?
            .ok_or(UploadError::NotFound(id))?;
        let upload = load(id, &row)?.upload;
        if upload.is_expired(now) {
            return Err(UploadError::NotFound(id));
        }
        Ok(upload)
    }

    /// See [`super::UploadStore::begin`].
    pub fn begin(
        &self,
        id: UploadId,
        offset: u64,
        checksum: Option<[u8; 32]>,
        now: Timestamp,
    ) -> Result<DistributedPatch, UploadError> {
        let lock = self.claim(id)?;
        let progress = Progress::begin(load(id, lock.row())?, offset, checksum, now)?;
        Ok(DistributedPatch {
            store: Arc::clone(&self.inner),
            parts: lock.row().parts.clone(),
            lock: Some(lock),
            buf: Vec::with_capacity(progress.capacity(PART)),
            progress,
            written: Vec::new(),
            replay: None,
            done: false,
        })
    }

    /// The row of `id`, locked for this caller alone.
    fn claim(&self, id: UploadId) -> Result<UploadRowLock, UploadError> {
        match self.inner.rows.claim(id.as_bytes())? {
            RowClaim::Held(lock) => Ok(*lock),
            RowClaim::Busy => Err(UploadError::Busy(id)),
            _ => Err(UploadError::NotFound(id)),
        }
    }

    /// See [`end_upload`].
    fn delete(&self, id: UploadId, lock: UploadRowLock) -> Result<(), UploadError> {
        end_upload(&self.inner, id, lock)
    }

    /// See [`super::UploadStore::terminate`].
    pub fn terminate(&self, id: UploadId) -> Result<(), UploadError> {
        let lock = self.claim(id)?;
        let expired = match load(id, lock.row()) {
            Ok(staged) => staged.upload.is_expired(Timestamp::now()),
            Err(UploadError::Damaged { .. }) => false,
            Err(e) => return Err(e),
        };
        self.delete(id, lock)?;
        if expired {
            return Err(UploadError::NotFound(id));
        }
        Ok(())
    }

    /// See [`super::UploadStore::remove`].
    pub fn remove(&self, id: UploadId) -> Result<(), UploadError> {
        let lock = self.claim(id)?;
        self.delete(id, lock)
    }

    /// Removes the uploads expired at `now` that no node is working on, then those whose row
    /// does not decode, then the objects of uploads that have no row (left by a node that
    /// died while removing one, or by a removal whose objects could not be deleted then).
    pub fn sweep(&self, now: Timestamp) -> Result<Sweep, UploadError> {
        let expired = self.inner.rows.expire(nanos(now))?;
        let mut failed = None;
        for id in &expired {
            if let Err(e) = self.inner.objects.remove_upload(&hex::encode(id)) {
                failed.get_or_insert(e);
            }
        }
        let damaged = self.remove_damaged()?;
        // Objects are written only while their upload's row exists and is locked, so that
        // those of an id without a row belong to an upload that ended.
        let listed = self.inner.objects.uploads()?;
        let ids: Vec<Vec<u8>> = listed
            .iter()
            .filter_map(|hex| hex.parse::<UploadId>().ok())
            .map(|id| id.as_bytes().to_vec())
            .collect();
        let present = self.inner.rows.present(ids)?;
        let mut leftovers = 0;
        for upload in listed {
            let known = upload
                .parse::<UploadId>()
                .is_ok_and(|id| present.contains(id.as_bytes().as_slice()));
            if known {
                continue;
            }
            match self.inner.objects.remove_upload(&upload) {
                Ok(()) => leftovers += 1,
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(Sweep {
                expired: expired.len(),
                damaged,
                leftovers,
            }),
        }
    }

    /// Removes the rows that do not decode (and their objects, or what of them can be
    /// removed now: the rest goes with the uploads that have no row), unless a node holds
    /// them; returns their ids and why each was removed. Every row is read: a damaged one
    /// says nothing reliable, its expiry included, and no request can ever resume it.
    fn remove_damaged(&self) -> Result<Vec<(UploadId, String)>, UploadError> {
        let mut removed = Vec::new();
        for row in self.inner.rows.all()? {
            let Ok(bytes) = <[u8; 16]>::try_from(row.id.as_slice()) else {
                // The table's CHECK keeps ids 16 bytes long.
                continue;
            };
            let id = UploadId::from_bytes(bytes);
            let Some(reason) = damage(id, &row) else {
                continue;
            };
            if self.inner.rows.delete_unclaimed(&row)? {
                let _ = self.inner.objects.remove_upload(&id.to_string());
                removed.push((id, reason));
            }
        }
        Ok(removed)
    }

    /// See [`super::UploadStore::open_content`]: the parts gathered, in order, in a file of
    /// the scratch directory that has no name (removed once opened), their SHA-256 checked
    /// against the declared one.
    pub fn open_content(&self, upload: &Upload) -> Result<File, UploadError> {
        let id = upload.id;
        if !upload.is_complete() {
            return Err(UploadError::NotComplete {
                offset: upload.offset,
                length: upload.length,
            });
        }
        let row = self
            .inner
            .rows
            .get(id.as_bytes())?
            .ok_or(UploadError::NotFound(id))?;
        let staged = load(id, &row)?;
        if staged.upload.offset != upload.length {
            return Err(UploadError::Damaged {
                path: row_name(id),
                reason: format!(
                    "it holds {} bytes where the complete upload has {}",
                    staged.upload.offset, upload.length
                ),
            });
        }
        let mut file = self.scratch_file(id)?;
        let path = self.inner.scratch.clone();
        let mut whole = Sha256::new();
        for (start, end) in ranges(&row.parts) {
            let bytes = self.part(id, start, end)?;
            whole.update(&bytes);
            file.write_all(&bytes)
                .map_err(|e| io_at("writing in", &path, e))?;
        }
        let received: [u8; 32] = whole.finalize().into();
        if received != upload.sha256 {
            return Err(UploadError::Damaged {
                path: row_name(id),
                reason: format!(
                    "its staged objects hash to SHA-256 {}, not the declared {}",
                    hex::encode(received),
                    hex::encode(upload.sha256)
                ),
            });
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| io_at("seeking in", &path, e))?;
        Ok(file)
    }

    /// A new file in the scratch directory, already unlinked: it goes when closed.
    fn scratch_file(&self, id: UploadId) -> Result<File, UploadError> {
        let name = format!("{id}.{}.gathering", UploadId::random()?);
        let path = self.inner.scratch.join(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_at("creating", &path, e))?;
        fs::remove_file(&path).map_err(|e| io_at("removing", &path, e))?;
        Ok(file)
    }

    /// The bytes of part `start..end` of `id`, which the row lists.
    fn part(&self, id: UploadId, start: u64, end: u64) -> Result<Vec<u8>, UploadError> {
        read_part(&self.inner, id, start, end)
    }

    /// See [`super::UploadStore::count`].
    pub fn count(&self) -> Result<usize, UploadError> {
        Ok(usize::try_from(self.inner.rows.count()?).unwrap_or(usize::MAX))
    }

    /// See [`super::UploadStore::staged`].
    pub fn staged(&self, upload: &Upload) -> Result<StagedContent, UploadError> {
        let file = self.open_content(upload)?;
        Ok(StagedContent::new(
            file,
            ContentAddress(upload.sha256),
            upload.length,
        ))
    }

    /// See [`super::UploadStore::count_owned_by`].
    pub fn count_owned_by(&self, owner: &str, now: Timestamp) -> Result<usize, UploadError> {
        let count = self.inner.rows.count_owned_by(owner, nanos(now))?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    /// The acknowledged bytes of `id` (complete or not), for the tests to compare.
    #[cfg(test)]
    pub(super) fn acknowledged(&self, id: UploadId) -> Vec<u8> {
        let row = self.inner.rows.get(id.as_bytes()).unwrap().unwrap();
        let mut bytes = Vec::new();
        for (start, end) in ranges(&row.parts) {
            bytes.extend(self.part(id, start, end).unwrap());
        }
        bytes
    }

    /// How many rows and staged objects there are, for the tests to see that nothing is left.
    #[cfg(test)]
    pub(super) fn leftovers(&self) -> (u64, usize) {
        (
            self.inner.rows.count().unwrap(),
            self.inner.objects.count().unwrap(),
        )
    }
}

/// Ends upload `id`: deletes its locked row, then its objects. The row goes first because
/// it is the acknowledgement: once it is deleted the upload is gone for every node, and
/// objects without a row count for nothing. The other order could lose an acknowledged state:
/// objects deleted, then the row's deletion failing would leave a row that lists objects
/// that are gone. So only the row's deletion can fail the request; objects whose deletion
/// fails stay, without a row, until the next sweep removes them
/// ([`DistributedUploads::sweep`]'s leftovers), rather than failing a request whose upload
/// is gone already.
fn end_upload(inner: &Inner, id: UploadId, lock: UploadRowLock) -> Result<(), UploadError> {
    lock.delete()?;
    // Left to the sweep (see above).
    let _ = inner.objects.remove_upload(&id.to_string());
    Ok(())
}

/// Why `row` of upload `id` is damaged, if it is: its parts or its state do not decode, or
/// do not agree.
fn damage(id: UploadId, row: &RawStagingRow) -> Option<String> {
    let parts: Result<Vec<u64>, i64> = row
        .parts
        .iter()
        .map(|&end| u64::try_from(end).map_err(|_| end))
        .collect();
    let parts = match parts {
        Ok(parts) => parts,
        Err(end) => return Some(format!("a staged part ends at {end}")),
    };
    let row = StagingRow {
        state: row.state.clone(),
        parts,
    };
    match load(id, &row) {
        Ok(_) => None,
        Err(UploadError::Damaged { reason, .. }) => Some(reason),
        Err(e) => Some(e.to_string()),
    }
}

/// The bytes of part `start..end` of `id`; [`UploadError::Damaged`] when it is missing or
/// of another length.
fn read_part(inner: &Inner, id: UploadId, start: u64, end: u64) -> Result<Vec<u8>, UploadError> {
    let damaged = |reason: String| UploadError::Damaged {
        path: PathBuf::from(format!(
            "s3://{}/uploads/{id}/{start:020}-{end:020}",
            inner.objects.bucket()
        )),
        reason,
    };
    let length = usize::try_from(end - start).unwrap_or(usize::MAX);
    if length > PART {
        return Err(damaged(format!("a part of {length} bytes is above {PART}")));
    }
    let bytes = inner
        .objects
        .get_part(&id.to_string(), start, end, length)?
        .ok_or_else(|| damaged("the object is missing".into()))?;
    if bytes.len() != length {
        return Err(damaged(format!(
            "{} bytes where the part has {length}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// One PATCH in progress on the distributed store: it holds the upload's row locked in its
/// transaction until it is finished, interrupted or dropped (which rolls back, and removes
/// the parts it stored).
pub struct DistributedPatch {
    store: Arc<Inner>,
    /// The row, locked; taken by the acknowledgement.
    lock: Option<UploadRowLock>,
    /// Where it is, the hashes, the limits.
    progress: Progress,
    /// The acknowledged parts' ends.
    parts: Vec<u64>,
    /// The ends of the parts this patch stored, past the upload's offset.
    written: Vec<u64>,
    /// Appended bytes not yet stored (less than a part), hashed already.
    buf: Vec<u8>,
    /// The acknowledged part that resent bytes are compared with: its start and bytes.
    replay: Option<(u64, Vec<u8>)>,
    /// Acknowledged (or removed, or its commit tried): the parts are not to be removed.
    done: bool,
}

impl DistributedPatch {
    /// Where the next byte given to [`DistributedPatch::write`] goes.
    pub fn offset(&self) -> u64 {
        self.progress.pos
    }

    fn id(&self) -> UploadId {
        self.progress.before.upload.id
    }

    /// See [`super::Patch::write`].
    pub fn write(&mut self, data: &[u8]) -> Result<(), UploadError> {
        let id = self.id();
        let Self {
            store,
            parts,
            replay,
            progress,
            ..
        } = self;
        let data = progress.take(data, |at, resent| {
            compare(store, id, parts, replay, at, resent)
        })?;
        if self.progress.replayed() {
            self.replay = None;
        }
        if data.is_empty() {
            return Ok(());
        }
        let progress = &mut self.progress;
        progress.whole.update(data);
        if let Some((check, _)) = &mut progress.check {
            check.update(data);
        }
        self.buf.extend_from_slice(data);
        self.progress.appended(data.len());
        while self.buf.len() >= PART {
            let rest = self.buf.split_off(PART);
            let part = std::mem::replace(&mut self.buf, rest);
            if let Err(e) = self.store_part(part) {
                return Err(self.progress.fail(Broken::Storage(e.to_string())));
            }
        }
        Ok(())
    }

    /// Stores `bytes` as the next part.
    fn store_part(&mut self, bytes: Vec<u8>) -> Result<(), UploadError> {
        let from = self
            .written
            .last()
            .copied()
            .unwrap_or(self.progress.start());
        let to = from + bytes.len() as u64;
        // Listed before the put, so that a rollback removes it even if the put's answer was
        // lost.
        self.written.push(to);
        self.store
            .objects
            .put_part(&self.id().to_string(), from, to, bytes)?;
        Ok(())
    }

    /// See [`super::Patch::finish`].
    pub fn finish(self, now: Timestamp) -> Result<Upload, UploadError> {
        self.commit(now, true)
    }

    /// See [`super::Patch::interrupt`].
    pub fn interrupt(self, now: Timestamp) -> Result<Upload, UploadError> {
        if self.progress.has_checksum() {
            let upload = self.progress.before.upload.clone();
            // Dropping rolls back.
            drop(self);
            return Ok(upload);
        }
        self.commit(now, false)
    }

    fn commit(mut self, now: Timestamp, verify: bool) -> Result<Upload, UploadError> {
        self.progress.usable()?;
        if !self.buf.is_empty() {
            let part = std::mem::take(&mut self.buf);
            self.store_part(part)?;
        }
        self.progress.check_request(verify)?;
        let lock = self.lock.take().ok_or_else(|| {
            UploadError::Storage(StorageError::Engine(
                "the upload's row lock was already released".into(),
            ))
        })?;
        if let Some(mismatch) = self.progress.whole_mismatch() {
            self.done = true;
            let id = self.id();
            end_upload(&self.store, id, lock)?;
            return Err(mismatch);
        }
        let staged = self.progress.next(now, self.store.config.ttl);
        let mut parts = self.parts.clone();
        parts.extend_from_slice(&self.written);
        let bytes = state::encode(&staged)?;
        // From here the parts may be acknowledged (a commit whose answer is lost): they stay.
        self.done = true;
        lock.update(&bytes, &parts, nanos(staged.upload.expires_at))?;
        Ok(staged.upload)
    }
}

/// Compares resent bytes, from offset `at`, with the acknowledged `parts` of upload `id`,
/// reading each part once into `replay`.
fn compare(
    store: &Inner,
    id: UploadId,
    parts: &[u64],
    replay: &mut Option<(u64, Vec<u8>)>,
    mut at: u64,
    mut resent: &[u8],
) -> Result<(), Broken> {
    while !resent.is_empty() {
        let index = parts.partition_point(|&end| end <= at);
        let Some(&end) = parts.get(index) else {
            return Err(Broken::Storage(
                "resent bytes past the acknowledged parts".into(),
            ));
        };
        let begin = if index == 0 { 0 } else { parts[index - 1] };
        if replay.as_ref().is_none_or(|(cached, _)| *cached != begin) {
            let bytes =
                read_part(store, id, begin, end).map_err(|e| Broken::Storage(e.to_string()))?;
            *replay = Some((begin, bytes));
        }
        let stored = replay
            .as_ref()
            .map(|(_, bytes)| bytes.as_slice())
            .unwrap_or_default();
        let skip = usize::try_from(at - begin).unwrap_or(usize::MAX);
        let stored = stored.get(skip..).unwrap_or_default();
        let n = stored.len().min(resent.len());
        if n == 0 {
            return Err(Broken::Storage(
                "a staged part is shorter than listed".into(),
            ));
        }
        let (mine, rest) = resent.split_at(n);
        if let Some(i) = mine.iter().zip(stored).position(|(a, b)| a != b) {
            return Err(Broken::Replay(at + i as u64));
        }
        at += n as u64;
        resent = rest;
    }
    Ok(())
}

impl Drop for DistributedPatch {
    /// Rolls an unacknowledged patch back: the parts it stored are removed while the row is
    /// still locked (no other patch can be storing the same ranges), then the transaction is
    /// rolled back, which releases the row. A part whose removal fails is written over by
    /// the next patch of that range, or removed with the upload.
    fn drop(&mut self) {
        if !self.done {
            let id = self.id().to_string();
            let mut from = self.progress.start();
            for &to in &self.written {
                let _ = self.store.objects.remove_part(&id, from, to);
                from = to;
            }
        }
        drop(self.lock.take());
    }
}
