//! Streaming reads of stored content, every chunk verified before use.

use std::io::{self, Read, Write};
use std::ops::Range;

use super::ContentStore;
use super::manifest::Manifest;
use crate::address::ContentAddress;
use crate::error::VaultError;
use crate::storage::{ChunkStore, MetaStore};

/// Reads a range of a stored content.
///
/// Each chunk is decompressed and checked against its SHA-256 before any of
/// its bytes are handed out, so a corrupted chunk yields an error, never
/// wrong bytes.
pub struct ContentReader<S: ChunkStore + MetaStore> {
    store: ContentStore<S>,
    address: ContentAddress,
    manifest: Manifest,
    /// The next chunk to load.
    next: usize,
    /// Bytes of the range not yet loaded from the store.
    unloaded: u64,
    /// Where the range starts inside chunk `next` (non-zero only for the first).
    skip: usize,
    current: Vec<u8>,
    pos: usize,
}

impl<S: ChunkStore + MetaStore> ContentReader<S> {
    pub(super) fn new(
        store: ContentStore<S>,
        address: ContentAddress,
        manifest: Manifest,
        range: Range<u64>,
    ) -> Result<Self, VaultError> {
        let length = manifest.length;
        if range.start > range.end || range.end > length {
            return Err(VaultError::Range {
                start: range.start,
                end: range.end,
                length,
            });
        }
        let offsets = manifest.offsets();
        // The chunk that holds byte `range.start`: the last one starting at or before it.
        let next = offsets
            .partition_point(|&o| o <= range.start)
            .saturating_sub(1);
        let skip = (range.start - offsets[next]) as usize;
        Ok(Self {
            store,
            address,
            manifest,
            next,
            unloaded: range.end - range.start,
            skip,
            current: Vec::new(),
            pos: 0,
        })
    }

    /// The address of the content being read.
    pub fn address(&self) -> &ContentAddress {
        &self.address
    }

    /// Bytes of the range not yet read.
    pub fn remaining(&self) -> u64 {
        self.unloaded + (self.current.len() - self.pos) as u64
    }

    /// The next verified piece of the range (at most one chunk), or `None` at
    /// the end.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, VaultError> {
        if self.pos < self.current.len() {
            let rest = self.current.split_off(self.pos);
            self.pos = self.current.len();
            return Ok(Some(rest));
        }
        self.load()
    }

    /// Loads, verifies and trims to the range the next chunk.
    fn load(&mut self) -> Result<Option<Vec<u8>>, VaultError> {
        if self.unloaded == 0 {
            return Ok(None);
        }
        let Some(chunk) = self.manifest.chunks.get(self.next) else {
            return Err(VaultError::Manifest {
                address: self.address,
                problem: "fewer chunks than its length needs".into(),
            });
        };
        let mut bytes = self.store.load_chunk(&self.address, self.next, chunk)?;
        self.next += 1;
        if self.skip > 0 {
            bytes.drain(..self.skip);
            self.skip = 0;
        }
        if bytes.len() as u64 > self.unloaded {
            bytes.truncate(self.unloaded as usize);
        }
        self.unloaded -= bytes.len() as u64;
        Ok(Some(bytes))
    }

    /// Writes the rest of the range to `out`, a chunk at a time.
    pub fn copy_to(&mut self, out: &mut impl Write) -> Result<u64, io::Error> {
        let mut written = 0;
        while let Some(piece) = self.next_chunk()? {
            out.write_all(&piece)?;
            written += piece.len() as u64;
        }
        Ok(written)
    }
}

impl<S: ChunkStore + MetaStore> Read for ContentReader<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.current.len() {
            match self.load()? {
                None => return Ok(0),
                Some(piece) => {
                    self.current = piece;
                    self.pos = 0;
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
