//! The manifest: which chunks, in which order, make up one content.

use bincode::{Decode, Encode};

use crate::address::ChunkId;

/// The persisted list of chunks of one content, stored under its address.
///
/// It holds nothing but the content's shape, so the same bytes always give
/// the same manifest (for a given chunk size), whoever stores them and when.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Manifest {
    /// Length of the whole content in bytes.
    pub length: u64,
    /// The chunks in content order.
    pub chunks: Vec<ChunkRef>,
}

/// One chunk of a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct ChunkRef {
    /// SHA-256 of the chunk's uncompressed bytes: its key in the chunk store.
    pub id: ChunkId,
    /// Uncompressed length.
    pub length: u32,
    /// Length as stored (after compression), for statistics.
    pub stored: u32,
}

impl Manifest {
    /// Total bytes the chunks occupy as stored.
    pub fn stored_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| u64::from(c.stored)).sum()
    }

    /// Whether the chunk lengths add up to the declared length.
    pub fn is_consistent(&self) -> bool {
        self.chunks.iter().map(|c| u64::from(c.length)).sum::<u64>() == self.length
    }

    /// The offset of each chunk's first byte, plus the end of the content.
    pub fn offsets(&self) -> Vec<u64> {
        let mut offsets = Vec::with_capacity(self.chunks.len() + 1);
        let mut at = 0u64;
        offsets.push(at);
        for c in &self.chunks {
            at += u64::from(c.length);
            offsets.push(at);
        }
        offsets
    }
}
