//! What every PATCH keeps track of, whichever store holds its bytes: where it is, the running
//! hashes, the upload's limits, and the failure that ends it. Both stores' patches
//! ([`super::FilePatch`], [`super::DistributedPatch`]) take their bytes through
//! [`Progress::take`] and acknowledge through [`Progress::usable`],
//! [`Progress::check_request`], [`Progress::whole_mismatch`] and [`Progress::next`]; only how
//! the bytes are stored, compared and made durable is theirs.

use std::io;

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use super::state::Staged;
use super::{Upload, UploadError};
use crate::storage::StorageError;

/// A failure that leaves a patch unusable: every later call gives the same error.
#[derive(Debug, Clone)]
pub(super) enum Broken {
    /// A resent byte differed from the stored one, at this offset.
    Replay(u64),
    /// A file operation failed.
    Io(io::ErrorKind, String),
    /// The staging database or bucket failed.
    Storage(String),
}

impl Broken {
    pub(super) fn error(&self) -> UploadError {
        match self {
            Broken::Replay(at) => UploadError::ReplayMismatch { at: *at },
            Broken::Io(kind, message) => UploadError::Io(io::Error::new(*kind, message.clone())),
            Broken::Storage(message) => UploadError::Storage(StorageError::Engine(message.clone())),
        }
    }
}

/// One PATCH's progress through its upload.
pub(super) struct Progress {
    /// The upload as it was when the patch began.
    pub(super) before: Staged,
    /// The offset of the next byte given to the patch.
    pub(super) pos: u64,
    /// The whole-file hash, over the bytes appended (the store decides when it hashes them).
    pub(super) whole: Sha256,
    /// The request's checksum and the hash of its body so far.
    pub(super) check: Option<(Sha256, [u8; 32])>,
    /// Why the patch cannot go on, once something failed half-way.
    broken: Option<Broken>,
}

impl Progress {
    /// A patch of `before` from `offset` at `now`, whose body hashes to `checksum` if given:
    /// [`UploadError::NotFound`] once the upload has expired, and
    /// [`UploadError::OffsetMismatch`] for an offset beyond its bytes (one below them is a
    /// retried request, whose bytes up to the offset are compared).
    pub(super) fn begin(
        before: Staged,
        offset: u64,
        checksum: Option<[u8; 32]>,
        now: Timestamp,
    ) -> Result<Self, UploadError> {
        if before.upload.is_expired(now) {
            return Err(UploadError::NotFound(before.upload.id));
        }
        let start = before.upload.offset;
        if offset > start {
            return Err(UploadError::OffsetMismatch {
                expected: start,
                got: offset,
            });
        }
        Ok(Self {
            whole: before.hasher.clone(),
            before,
            pos: offset,
            check: checksum.map(|expected| (Sha256::new(), expected)),
            broken: None,
        })
    }

    /// The upload's offset when the patch began.
    pub(super) fn start(&self) -> u64 {
        self.before.upload.offset
    }

    /// The bytes still to come, capped at `cap`: what a write buffer needs at most.
    pub(super) fn capacity(&self, cap: usize) -> usize {
        let remaining = self.before.upload.length - self.start();
        usize::try_from(remaining).unwrap_or(cap).min(cap)
    }

    /// The next bytes of the body: refused whole with [`UploadError::TooLong`] when they run
    /// past the upload's length (the patch stays usable); those below the upload's offset
    /// (a retried request) given to `compare` with their offset, and counted in the
    /// request's checksum; the rest returned, for the store to append and then count with
    /// [`Progress::appended`]. A failed comparison breaks the patch.
    pub(super) fn take<'d>(
        &mut self,
        data: &'d [u8],
        compare: impl FnOnce(u64, &[u8]) -> Result<(), Broken>,
    ) -> Result<&'d [u8], UploadError> {
        self.usable()?;
        let length = self.before.upload.length;
        let fits = u64::try_from(data.len())
            .ok()
            .and_then(|n| self.pos.checked_add(n))
            .is_some_and(|end| end <= length);
        if !fits {
            return Err(UploadError::TooLong { length });
        }
        let start = self.start();
        if self.pos >= start {
            return Ok(data);
        }
        let n = usize::try_from(start - self.pos)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let (resent, rest) = data.split_at(n);
        if let Err(broken) = compare(self.pos, resent) {
            return Err(self.fail(broken));
        }
        if let Some((check, _)) = &mut self.check {
            check.update(resent);
        }
        self.pos += n as u64;
        Ok(rest)
    }

    /// Whether the bytes below the upload's offset are all compared (the store may drop
    /// what it compared them with).
    pub(super) fn replayed(&self) -> bool {
        self.pos >= self.start()
    }

    /// `n` bytes were appended.
    pub(super) fn appended(&mut self, n: usize) {
        self.pos += n as u64;
    }

    /// Breaks the patch; returns the error to answer with.
    pub(super) fn fail(&mut self, broken: Broken) -> UploadError {
        let error = broken.error();
        self.broken = Some(broken);
        error
    }

    /// The error that broke the patch, if one did.
    pub(super) fn usable(&self) -> Result<(), UploadError> {
        match &self.broken {
            Some(broken) => Err(broken.error()),
            None => Ok(()),
        }
    }

    /// Whether the request declared a checksum: an interrupted body then cannot be verified,
    /// and is rolled back rather than kept.
    pub(super) fn has_checksum(&self) -> bool {
        self.check.is_some()
    }

    /// When `verify`, the request's body against its checksum, once every byte was hashed.
    pub(super) fn check_request(&mut self, verify: bool) -> Result<(), UploadError> {
        if verify
            && let Some((check, expected)) = self.check.take()
            && <[u8; 32]>::from(check.finalize()) != expected
        {
            return Err(UploadError::ChecksumMismatch);
        }
        Ok(())
    }

    /// The offset the patch acknowledges: past the upload's, or the same (a retry that
    /// brought nothing new).
    pub(super) fn offset(&self) -> u64 {
        self.pos.max(self.start())
    }

    /// Whether the patch brought new bytes.
    pub(super) fn grew(&self) -> bool {
        self.offset() > self.start()
    }

    /// [`UploadError::WholeMismatch`] when the patch brought the last byte and the whole file
    /// does not hash to the declared SHA-256 (once every byte was hashed); the store then
    /// removes the upload.
    pub(super) fn whole_mismatch(&self) -> Option<UploadError> {
        let upload = &self.before.upload;
        if !self.grew() || self.offset() != upload.length {
            return None;
        }
        let received: [u8; 32] = self.whole.clone().finalize().into();
        (received != upload.sha256).then_some(UploadError::WholeMismatch {
            declared: upload.sha256,
            received,
        })
    }

    /// The upload's state once acknowledged at `now`: the new offset, the expiry moved on by
    /// `ttl`, and the running hash.
    pub(super) fn next(&self, now: Timestamp, ttl: SignedDuration) -> Staged {
        let upload = Upload {
            offset: self.offset(),
            expires_at: now.checked_add(ttl).unwrap_or(Timestamp::MAX),
            ..self.before.upload.clone()
        };
        Staged {
            upload,
            hasher: self.whole.clone(),
        }
    }
}
