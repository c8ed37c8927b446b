//! The staging files of one upload and the state record that says how far it got.
//!
//! `<id>.data` holds the bytes received; `<id>.state` the [`StateRecord`]: what was declared at
//! creation, the acknowledged offset, and the running whole-file SHA-256 at that offset (so a
//! restart does not re-read the data). The state is replaced atomically — written to
//! `<id>.state.tmp`, synced, renamed over, directory synced — so a `.state` file is always a
//! whole record, and the data file may only ever be *longer* than its state says (bytes written
//! but not acknowledged), which recovery truncates.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::PathBuf;

use bincode::{Decode, Encode};
use jiff::Timestamp;
use sha2::Sha256;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};

use super::error::io_at;
use super::{Upload, UploadError, UploadId};
use crate::codec;

/// The suffix of state files.
pub(super) const STATE_SUFFIX: &str = ".state";
/// The suffix of data files.
pub(super) const DATA_SUFFIX: &str = ".data";
/// The suffix of a state being written.
pub(super) const TEMP_SUFFIX: &str = ".state.tmp";

/// What `<id>.state` holds, after the codec's format version byte ([`codec::FORMAT_V1`]).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
struct StateRecord {
    /// The upload's id, checked against the file name.
    id: [u8; 16],
    length: u64,
    offset: u64,
    sha256: [u8; 32],
    owner: String,
    metadata: BTreeMap<String, Vec<u8>>,
    /// Nanoseconds since the Unix epoch.
    created_at: i128,
    /// Nanoseconds since the Unix epoch.
    expires_at: i128,
    /// sha2's serialized `Sha256` state after the first `offset` bytes.
    hasher: Vec<u8>,
}

/// An upload as stored: what callers see plus the running whole-file hash.
#[derive(Clone)]
pub(crate) struct Staged {
    pub(crate) upload: Upload,
    /// The SHA-256 state after the first `upload.offset` bytes.
    pub(crate) hasher: Sha256,
}

/// The files of uploads in one directory.
#[derive(Debug)]
pub(super) struct Files {
    pub(super) dir: PathBuf,
}

impl Files {
    pub(super) fn state(&self, id: UploadId) -> PathBuf {
        self.dir.join(format!("{id}{STATE_SUFFIX}"))
    }

    pub(super) fn data(&self, id: UploadId) -> PathBuf {
        self.dir.join(format!("{id}{DATA_SUFFIX}"))
    }

    pub(super) fn temp(&self, id: UploadId) -> PathBuf {
        self.dir.join(format!("{id}{TEMP_SUFFIX}"))
    }

    /// Reads the state of `id`; [`UploadError::NotFound`] when it has none.
    pub(super) fn load(&self, id: UploadId) -> Result<Staged, UploadError> {
        let path = self.state(id);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(UploadError::NotFound(id));
            }
            Err(e) => return Err(io_at("reading", &path, e).into()),
        };
        decode(id, &bytes).map_err(|reason| UploadError::Damaged { path, reason })
    }

    /// Replaces the state of the upload atomically and durably.
    pub(super) fn save(&self, staged: &Staged) -> Result<(), UploadError> {
        self.write_temp(staged)?;
        self.publish(staged.upload.id)?;
        self.sync_dir()
    }

    /// Writes the new state beside the current one, durably.
    pub(super) fn write_temp(&self, staged: &Staged) -> Result<(), UploadError> {
        let bytes = encode(staged)?;
        let temp = self.temp(staged.upload.id);
        let mut file = File::create(&temp).map_err(|e| io_at("creating", &temp, e))?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_at("writing", &temp, e))?;
        Ok(())
    }

    /// Puts the state written by [`Files::write_temp`] in place (durable once the directory is
    /// synced).
    pub(super) fn publish(&self, id: UploadId) -> Result<(), UploadError> {
        let state = self.state(id);
        fs::rename(self.temp(id), &state).map_err(|e| io_at("renaming to", &state, e))?;
        Ok(())
    }

    /// Removes the upload's files, state first: once it is gone the upload is gone, and a
    /// data file left behind by a crash is an orphan that [`super::UploadStore::open`] removes.
    pub(super) fn remove(&self, id: UploadId) -> Result<(), UploadError> {
        for path in [self.state(id), self.temp(id), self.data(id)] {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_at("removing", &path, e).into()),
            }
        }
        self.sync_dir()
    }

    /// Makes renames, creations and removals in the directory durable.
    pub(super) fn sync_dir(&self) -> Result<(), UploadError> {
        #[cfg(unix)]
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| io_at("syncing", &self.dir, e))?;
        Ok(())
    }
}

pub(crate) fn encode(staged: &Staged) -> Result<Vec<u8>, UploadError> {
    let upload = &staged.upload;
    let record = StateRecord {
        id: *upload.id.as_bytes(),
        length: upload.length,
        offset: upload.offset,
        sha256: upload.sha256,
        owner: upload.owner.clone(),
        metadata: upload.metadata.clone(),
        created_at: upload.created_at.as_nanosecond(),
        expires_at: upload.expires_at.as_nanosecond(),
        hasher: staged.hasher.serialize().to_vec(),
    };
    codec::encode(&record).map_err(|e| UploadError::Io(io::Error::other(e.to_string())))
}

/// Decodes and checks a state record; the error is the reason it is damaged.
pub(crate) fn decode(id: UploadId, bytes: &[u8]) -> Result<Staged, String> {
    let record: StateRecord = codec::decode(bytes).map_err(|e| e.to_string())?;
    if record.id != *id.as_bytes() {
        return Err(format!(
            "it holds the state of upload {}",
            UploadId::from_bytes(record.id)
        ));
    }
    if record.offset > record.length {
        return Err(format!(
            "offset {} is past length {}",
            record.offset, record.length
        ));
    }
    let time = |nanos: i128| {
        Timestamp::from_nanosecond(nanos).map_err(|e| format!("bad timestamp {nanos}: {e}"))
    };
    // The saved hash must cover exactly the acknowledged bytes. sha2 0.11 lays its state out
    // as 32 bytes of state words, the block count (u64, little-endian), then the buffer's
    // position; it does not check them itself, and a damaged count would make finishing the
    // hash overflow (or hash as if other bytes had come).
    let blocks = record
        .hasher
        .get(32..40)
        .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
        .map(u64::from_le_bytes);
    let buffered = record.hasher.get(40).copied().map(u64::from);
    let covered = blocks
        .and_then(|blocks| blocks.checked_mul(64))
        .zip(buffered)
        .and_then(|(whole, buffered)| whole.checked_add(buffered));
    if covered != Some(record.offset) {
        return Err(format!(
            "the saved SHA-256 state covers {covered:?} bytes, not the {} received",
            record.offset
        ));
    }
    let hasher = SerializedState::<Sha256>::try_from(record.hasher.as_slice())
        .ok()
        .and_then(|state| Sha256::deserialize(&state).ok())
        .ok_or("the saved SHA-256 state does not decode")?;
    Ok(Staged {
        upload: Upload {
            id,
            length: record.length,
            offset: record.offset,
            sha256: record.sha256,
            owner: record.owner,
            metadata: record.metadata,
            created_at: time(record.created_at)?,
            expires_at: time(record.expires_at)?,
        },
        hasher,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use sha2::Digest;

    use super::*;

    /// The state of an upload that received `offset` bytes, with its hasher over `hashed`.
    fn record(offset: u64, hashed: &[u8]) -> StateRecord {
        let mut hasher = Sha256::new();
        hasher.update(hashed);
        StateRecord {
            id: [7; 16],
            length: 1000,
            offset,
            sha256: [0; 32],
            owner: "k".into(),
            metadata: BTreeMap::new(),
            created_at: 0,
            expires_at: 0,
            hasher: hasher.serialize().to_vec(),
        }
    }

    fn decoded(record: &StateRecord) -> Result<Staged, String> {
        decode(
            UploadId::from_bytes([7; 16]),
            &codec::encode(record).unwrap(),
        )
    }

    #[test]
    fn the_saved_hash_must_cover_exactly_the_bytes_received() {
        for offset in [0, 1, 63, 64, 65, 200] {
            let bytes = vec![1; offset];
            assert!(decoded(&record(offset as u64, &bytes)).is_ok(), "{offset}");
        }
        // A hash of fewer or more bytes than received.
        assert!(decoded(&record(200, &[1; 199])).is_err());
        assert!(decoded(&record(100, &[1; 164])).is_err());
        // A damaged block count that would overflow when the hash is finished.
        let mut damaged = record(100, &[1; 100]);
        damaged.hasher[32..40].fill(0xff);
        let error = decoded(&damaged).err().unwrap();
        assert!(error.contains("not the 100 received"), "{error}");
    }
}
