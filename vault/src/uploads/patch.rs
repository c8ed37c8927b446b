//! One PATCH request in progress.
//!
//! Bytes are gathered in a buffer and, a buffer at a time, written to the data file while the
//! whole-file hash (and the request's checksum, when it has one) runs on other cores: each byte
//! is hashed once per hash and never read back. Resent bytes below the upload's offset are
//! compared with the data file instead (a retried request, see the module docs).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::sync::Arc;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::error::io_at;
use super::files::{Claim, fit};
use super::progress::{Broken, Progress};
use super::{Upload, UploadError};

/// The write buffer: large enough that a write and a thread per buffer cost little.
const BUFFER: usize = 1 << 20;

/// Below this many bytes a buffer is hashed on the calling thread: starting threads would cost
/// more than they save.
const PARALLEL_MIN: usize = 256 << 10;

/// Resent bytes are compared with the stored ones in pieces of this size.
const REPLAY_READ: usize = 64 << 10;

/// One PATCH of an upload in the directory store in progress. At most one per upload exists at a time: a second
/// [`super::FileUploads::begin`] is [`UploadError::Busy`] until this one is finished,
/// interrupted or dropped.
///
/// Nothing it writes counts until [`FilePatch::finish`] (or [`FilePatch::interrupt`]) acknowledges it.
/// Dropping it otherwise rolls the upload back to where the patch began.
pub struct FilePatch {
    /// Holds the upload busy; released after the rollback of `Drop`.
    claim: Claim,
    /// Where it is, the hashes, the limits.
    progress: Progress,
    /// The data file, positioned at the end of what was written.
    file: File,
    /// Where resent bytes are compared with the stored ones, while the patch is below the
    /// upload's offset.
    replay: Option<BufReader<File>>,
    /// Appended bytes not yet written or hashed (the hashes run when they are written).
    buf: Vec<u8>,
    /// Acknowledged (or removed): nothing to roll back.
    done: bool,
}

impl FilePatch {
    pub(super) fn begin(
        claim: Claim,
        offset: u64,
        checksum: Option<[u8; 32]>,
        now: Timestamp,
    ) -> Result<Self, UploadError> {
        let files = &claim.inner.files;
        let id = claim.id;
        let progress = Progress::begin(files.load(id)?, offset, checksum, now)?;
        let start = progress.start();
        let path = files.data(id);
        let mut file = match OpenOptions::new().write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(UploadError::Damaged {
                    path,
                    reason: "the data file is missing".into(),
                });
            }
            Err(e) => return Err(io_at("opening", &path, e).into()),
        };
        // Longer only if an earlier rollback could not truncate.
        fit(&file, &path, start)?;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| io_at("seeking in", &path, e))?;
        let replay = if offset < start {
            let mut reader = File::open(&path).map_err(|e| io_at("opening", &path, e))?;
            reader
                .seek(SeekFrom::Start(offset))
                .map_err(|e| io_at("seeking in", &path, e))?;
            Some(BufReader::with_capacity(REPLAY_READ, reader))
        } else {
            None
        };
        let buf = Vec::with_capacity(progress.capacity(BUFFER));
        Ok(Self {
            claim,
            progress,
            file,
            replay,
            buf,
            done: false,
        })
    }

    /// Where the next byte given to [`FilePatch::write`] goes.
    pub fn offset(&self) -> u64 {
        self.progress.pos
    }

    /// Takes the next bytes of the request's body.
    ///
    /// Bytes that would run past the upload's length are refused whole with
    /// [`UploadError::TooLong`] (the patch stays usable). A resent byte that differs from the
    /// stored one is [`UploadError::ReplayMismatch`], and the patch can then only be given up.
    pub fn write(&mut self, data: &[u8]) -> Result<(), UploadError> {
        let replay = &mut self.replay;
        let data = self
            .progress
            .take(data, |at, resent| compare(replay.as_mut(), at, resent))?;
        if self.progress.replayed() {
            self.replay = None;
        }
        if data.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.append(data) {
            return Err(self.progress.fail(Broken::Io(e.kind(), e.to_string())));
        }
        self.progress.appended(data.len());
        Ok(())
    }

    /// Acknowledges the patch at `now`: checks the request's checksum, and the whole file's
    /// SHA-256 if this was its last byte, makes the bytes durable and saves the state.
    ///
    /// On [`UploadError::ChecksumMismatch`] (or any failure to store) the upload is as it was
    /// before the patch. On [`UploadError::WholeMismatch`] the upload has been removed.
    pub fn finish(self, now: Timestamp) -> Result<Upload, UploadError> {
        self.commit(now, true)
    }

    /// The request's body broke off at `now`. Without a checksum the bytes received so far are
    /// kept and acknowledged (as tus asks), exactly as [`FilePatch::finish`] would; with one, they
    /// cannot be verified and the upload is rolled back to where the patch began (and returned
    /// as it is).
    pub fn interrupt(self, now: Timestamp) -> Result<Upload, UploadError> {
        if self.progress.has_checksum() {
            let upload = self.progress.before.upload.clone();
            // Dropping rolls back.
            drop(self);
            return Ok(upload);
        }
        self.commit(now, false)
    }

    /// Appends `data` through the buffer.
    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        if self.buf.len() + data.len() > BUFFER {
            self.flush()?;
        }
        if data.len() >= BUFFER {
            let progress = &mut self.progress;
            let check = progress.check.as_mut().map(|(check, _)| check);
            return store(&mut progress.whole, check, &mut self.file, data);
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// Hashes and writes the buffered bytes.
    fn flush(&mut self) -> io::Result<()> {
        let Self {
            progress,
            file,
            buf,
            ..
        } = self;
        let check = progress.check.as_mut().map(|(check, _)| check);
        store(&mut progress.whole, check, file, buf)?;
        buf.clear();
        Ok(())
    }

    fn commit(mut self, now: Timestamp, verify: bool) -> Result<Upload, UploadError> {
        self.progress.usable()?;
        let inner = Arc::clone(&self.claim.inner);
        let files = &inner.files;
        let id = self.claim.id;
        self.flush()
            .map_err(|e| io_at("writing", &files.data(id), e))?;
        self.progress.check_request(verify)?;
        if self.progress.grew() {
            if let Some(mismatch) = self.progress.whole_mismatch() {
                self.done = true;
                files.remove(id)?;
                return Err(mismatch);
            }
            self.file
                .sync_data()
                .map_err(|e| io_at("syncing", &files.data(id), e))?;
        }
        let staged = self.progress.next(now, inner.ttl());
        files.write_temp(&staged)?;
        files.publish(id)?;
        // The state names the new offset now; a failure to sync the directory must not
        // truncate the data behind it.
        self.done = true;
        files.sync_dir()?;
        Ok(staged.upload)
    }
}

/// Compares resent bytes, from offset `at`, with the stored ones that `reader` reads.
fn compare(
    reader: Option<&mut BufReader<File>>,
    mut at: u64,
    mut resent: &[u8],
) -> Result<(), Broken> {
    let io = |e: io::Error| Broken::Io(e.kind(), e.to_string());
    let reader = reader.ok_or_else(|| {
        io(io::Error::other(
            "resent bytes but no reader for the stored ones",
        ))
    })?;
    while !resent.is_empty() {
        let stored = reader.fill_buf().map_err(io)?;
        if stored.is_empty() {
            return Err(io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the data file ends before the upload's offset",
            )));
        }
        let n = stored.len().min(resent.len());
        let (mine, rest) = resent.split_at(n);
        if let Some(i) = mine.iter().zip(stored).position(|(a, b)| a != b) {
            return Err(Broken::Replay(at + i as u64));
        }
        reader.consume(n);
        at += n as u64;
        resent = rest;
    }
    Ok(())
}

impl Drop for FilePatch {
    /// Rolls an unacknowledged patch back: the buffered bytes are dropped unwritten and the
    /// data file cut back to the upload's offset. Should the cut fail, the next patch (or the
    /// recovery in [`super::FileUploads::open`]) makes it.
    fn drop(&mut self) {
        if !self.done {
            let _ = self.file.set_len(self.progress.start());
        }
    }
}

/// Writes `bytes` to `file` while hashing them into `whole` (and `check`), on other cores when
/// there are enough of them.
fn store(
    whole: &mut Sha256,
    mut check: Option<&mut Sha256>,
    file: &mut File,
    bytes: &[u8],
) -> io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    if bytes.len() < PARALLEL_MIN {
        whole.update(bytes);
        if let Some(check) = check {
            check.update(bytes);
        }
        return file.write_all(bytes);
    }
    // A hash whose thread could not be started is done here afterwards.
    let (written, whole_done, check_done) = std::thread::scope(|s| {
        let whole = std::thread::Builder::new()
            .spawn_scoped(s, || whole.update(bytes))
            .ok();
        let check = check.as_deref_mut().and_then(|check| {
            std::thread::Builder::new()
                .spawn_scoped(s, || check.update(bytes))
                .ok()
        });
        let written = file.write_all(bytes);
        let (whole_done, check_done) = (whole.is_some(), check.is_some());
        for hashing in [whole, check].into_iter().flatten() {
            hashing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        (written, whole_done, check_done)
    });
    if !whole_done {
        whole.update(bytes);
    }
    if !check_done && let Some(check) = check {
        check.update(bytes);
    }
    written
}
