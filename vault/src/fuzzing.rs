//! Entry points shared by the fuzz targets in `fuzz/` and the test that
//! replays their corpora on stable Rust: any input, no panic.

use crate::address::ChunkId;
use crate::codec;
use crate::content::{chunk, manifest::Manifest};

/// A manifest as read back from the database.
pub fn manifest(data: &[u8]) {
    if let Ok(manifest) = codec::decode::<Manifest>(data) {
        let _ = (
            manifest.is_consistent(),
            manifest.offsets(),
            manifest.stored_bytes(),
        );
    }
}

/// A chunk value as read back from the database, under its own id and another.
pub fn stored_chunk(data: &[u8]) {
    if let Ok(bytes) = chunk::open(&ChunkId::of(b""), data) {
        let _ = chunk::open(&ChunkId::of(&bytes), data);
    }
    if let Ok(stored) = codec::decode_borrowed::<chunk::StoredChunk<'_>>(data) {
        let _ = chunk::open(&ChunkId::of(stored.data), data);
    }
}
