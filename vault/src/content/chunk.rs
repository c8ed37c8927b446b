//! One chunk as stored: its bytes, zstd-compressed unless that does not pay.

use bincode::{BorrowDecode, Encode};

use super::MAX_CHUNK_SIZE;
use crate::address::ChunkId;
use crate::codec::{self, CodecError};
// Defined beside `VaultError`, which carries it, so that the error module needs no content.
pub use crate::error::ChunkProblem;

/// How a chunk's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, bincode::Decode)]
pub enum Encoding {
    /// As they are: the chunk did not compress.
    Raw,
    /// One zstd frame.
    Zstd,
}

/// A stored chunk value (the persisted record under its [`ChunkId`]).
#[derive(Debug, Clone, PartialEq, Eq, Encode, BorrowDecode)]
pub struct StoredChunk<'a> {
    /// How `data` is encoded.
    pub encoding: Encoding,
    /// Length of the uncompressed chunk.
    pub length: u32,
    /// The encoded bytes.
    pub data: &'a [u8],
}

/// Compression must save at least 1/32 of a chunk to be worth a decompression
/// on every read.
const MIN_SAVING_DIVISOR: usize = 32;

/// Bytes compressed as a trial before compressing a whole chunk: random data
/// (encrypted or already-compressed files, most of a vault's volume) is
/// recognised after this much instead of after the whole chunk.
const PROBE: usize = 64 << 10;

/// Encodes a chunk for storage.
pub fn seal(chunk: &[u8], zstd_level: i32) -> Result<Vec<u8>, CodecError> {
    let length = u32::try_from(chunk.len())
        .map_err(|_| CodecError::Encode(format!("chunk of {} bytes", chunk.len())))?;
    let compressed = compress(chunk, zstd_level);
    let (encoding, data) = match &compressed {
        Some(c) => (Encoding::Zstd, c.as_slice()),
        None => (Encoding::Raw, chunk),
    };
    codec::encode(&StoredChunk {
        encoding,
        length,
        data,
    })
}

/// The zstd frame for `chunk`, or `None` when compression does not pay.
fn compress(chunk: &[u8], level: i32) -> Option<Vec<u8>> {
    let worth = |input: &[u8], output: &[u8]| {
        output.len() + input.len() / MIN_SAVING_DIVISOR <= input.len()
    };
    if chunk.len() > 2 * PROBE {
        let probe = &chunk[..PROBE];
        let trial = zstd::bulk::compress(probe, level).ok()?;
        if !worth(probe, &trial) {
            return None;
        }
    }
    let out = zstd::bulk::compress(chunk, level).ok()?;
    worth(chunk, &out).then_some(out)
}

/// Decodes a stored chunk value and checks that it is the chunk `id`.
pub fn open(id: &ChunkId, value: &[u8]) -> Result<Vec<u8>, ChunkProblem> {
    let stored: StoredChunk<'_> = codec::decode_borrowed(value)?;
    if stored.length > MAX_CHUNK_SIZE {
        // A corrupt length must not become a 4 GiB allocation.
        return Err(ChunkProblem::Length {
            declared: stored.length,
            actual: 0,
        });
    }
    let bytes = match stored.encoding {
        Encoding::Raw => stored.data.to_vec(),
        Encoding::Zstd => zstd::bulk::decompress(stored.data, stored.length as usize)
            .map_err(|e| ChunkProblem::Decompress(e.to_string()))?,
    };
    if bytes.len() != stored.length as usize {
        return Err(ChunkProblem::Length {
            declared: stored.length,
            actual: bytes.len(),
        });
    }
    let actual = ChunkId::of(&bytes);
    if actual != *id {
        return Err(ChunkProblem::Hash { actual });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored_encoding(value: &[u8]) -> Encoding {
        codec::decode_borrowed::<StoredChunk<'_>>(value)
            .unwrap()
            .encoding
    }

    #[test]
    fn compressible_chunks_are_compressed_and_read_back() {
        let chunk = b"the same line again\n".repeat(50_000);
        let value = seal(&chunk, 3).unwrap();
        assert_eq!(stored_encoding(&value), Encoding::Zstd);
        assert!(value.len() < chunk.len() / 10);
        assert_eq!(open(&ChunkId::of(&chunk), &value).unwrap(), chunk);
    }

    #[test]
    fn random_chunks_are_stored_raw() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let chunk: Vec<u8> = (0..300_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let value = seal(&chunk, 3).unwrap();
        assert_eq!(stored_encoding(&value), Encoding::Raw);
        assert_eq!(open(&ChunkId::of(&chunk), &value).unwrap(), chunk);
    }

    #[test]
    fn a_value_under_the_wrong_id_is_refused() {
        let value = seal(b"abc", 3).unwrap();
        assert!(matches!(
            open(&ChunkId::of(b"abd"), &value),
            Err(ChunkProblem::Hash { .. })
        ));
    }

    #[test]
    fn a_flipped_byte_is_refused_never_returned() {
        let chunk = b"compressible compressible compressible ".repeat(1000);
        let id = ChunkId::of(&chunk);
        let value = seal(&chunk, 3).unwrap();
        for i in 0..value.len() {
            let mut bad = value.clone();
            bad[i] ^= 0x01;
            assert!(open(&id, &bad).is_err(), "flip at {i} went unnoticed");
        }
    }
}
