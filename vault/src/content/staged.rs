//! Content not stored yet, read where it waits (a finished upload's data file), so that a
//! registration checks its signatures and format before the bytes enter the write-once store:
//! a refused registration then leaves nothing there.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::Arc;

use crate::address::ContentAddress;
use crate::error::VaultError;

/// Bytes in a file, with the SHA-256 they are declared to have (a finished upload's, verified
/// when its last byte arrived). A put of them must still yield that address: whoever stores
/// them checks it.
///
/// It holds the file open, so an expiry or a removal meanwhile does not take the bytes away
/// from a check under way. Reads seek the one shared handle: one thread at a time.
#[derive(Debug, Clone)]
pub struct StagedContent {
    address: ContentAddress,
    length: u64,
    file: Arc<File>,
}

impl StagedContent {
    /// The `length` bytes of `file`, declared to hash to `address`.
    pub fn new(file: File, address: ContentAddress, length: u64) -> Self {
        Self {
            address,
            length,
            file: Arc::new(file),
        }
    }

    /// The declared (and verified) SHA-256 of the bytes: their address once stored.
    pub fn address(&self) -> ContentAddress {
        self.address
    }

    /// Their length in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Bytes `range` (within the length).
    pub fn read_range(&self, range: Range<u64>) -> Result<Vec<u8>, VaultError> {
        if range.start > range.end || range.end > self.length {
            return Err(VaultError::Range {
                start: range.start,
                end: range.end,
                length: self.length,
            });
        }
        let mut file = &*self.file;
        file.seek(SeekFrom::Start(range.start))
            .map_err(VaultError::Input)?;
        let mut bytes = Vec::with_capacity((range.end - range.start) as usize);
        file.take(range.end - range.start)
            .read_to_end(&mut bytes)
            .map_err(VaultError::Input)?;
        if bytes.len() as u64 != range.end - range.start {
            return Err(VaultError::Input(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the staged upload is shorter than its length",
            )));
        }
        Ok(bytes)
    }

    /// A reader of all the bytes, from the first (for the put into the content store).
    pub fn reader(&self) -> Result<impl Read + '_, VaultError> {
        let mut file = &*self.file;
        file.seek(SeekFrom::Start(0)).map_err(VaultError::Input)?;
        Ok(std::io::BufReader::with_capacity(
            1 << 20,
            file.take(self.length),
        ))
    }
}
