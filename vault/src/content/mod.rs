//! The content store: streams bytes in and out by their SHA-256 address.
//!
//! Write order (`docs/architecture.md`, "Invariants"): every chunk is written, then
//! made durable, and only then is the manifest committed with a synced write.
//! A crash before the manifest leaves unreferenced chunks and no visible
//! content; after it, the whole content.
//!
//! A put compresses its chunks on all cores (`pipeline.rs`) and writes them in
//! content order (`writer.rs`); that changes nothing in this order: the sync
//! and the manifest come after the last chunk is written. The manifest's batch
//! also stamps the content with the put's time (`stamps.rs`), from which the
//! collection of unreferenced content counts its grace period.

pub mod chunk;
pub mod manifest;
#[cfg(test)]
mod parallel_tests;
mod pending;
mod pipeline;
mod reader;
mod scrub;
mod staged;
mod stamps;
#[cfg(test)]
mod tests;
mod writer;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use jiff::Timestamp;
use tokio::io::{AsyncRead, AsyncReadExt};

pub use reader::ContentReader;
pub use scrub::{GcReport, ScrubProblem, ScrubProgress, ScrubReport};
pub use staged::StagedContent;
pub use stamps::{RemovedContent, Stamped};
pub use writer::ContentWriter;

use self::manifest::{ChunkRef, Manifest};
use crate::address::{ChunkId, ContentAddress};
use crate::codec;
use crate::error::VaultError;
use crate::storage::rocks::{Durability, RocksBackend};
use crate::storage::{ChunkStore, MetaStore, Table};

/// The largest chunk size a store may be configured with.
pub const MAX_CHUNK_SIZE: u32 = 64 << 20;

/// The smallest chunk size a store may be configured with.
pub const MIN_CHUNK_SIZE: u32 = 4 << 10;

/// How content is cut and compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentConfig {
    /// Size of every chunk but the last, in bytes.
    pub chunk_size: u32,
    /// zstd compression level for chunks.
    pub zstd_level: i32,
}

impl Default for ContentConfig {
    fn default() -> Self {
        Self {
            chunk_size: 4 << 20,
            zstd_level: 3,
        }
    }
}

impl ContentConfig {
    fn validate(&self) -> Result<(), VaultError> {
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&self.chunk_size) {
            return Err(VaultError::Config(format!(
                "chunk size {} is outside {MIN_CHUNK_SIZE}..={MAX_CHUNK_SIZE} bytes",
                self.chunk_size
            )));
        }
        let levels = zstd::compression_level_range();
        if !levels.contains(&self.zstd_level) {
            return Err(VaultError::Config(format!(
                "zstd level {} is outside {}..={}",
                self.zstd_level,
                levels.start(),
                levels.end()
            )));
        }
        Ok(())
    }
}

/// What a put stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutOutcome {
    /// The SHA-256 of the whole content.
    pub address: ContentAddress,
    /// Its length in bytes.
    pub length: u64,
    /// False when the same content was already stored.
    pub created: bool,
}

/// What is known about a stored content without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentInfo {
    /// Its address.
    pub address: ContentAddress,
    /// Its length in bytes.
    pub length: u64,
    /// The number of chunks.
    pub chunks: usize,
    /// Bytes its chunks occupy as stored (shared chunks counted in full).
    pub stored_bytes: u64,
}

/// A write-once store of content addressed by SHA-256.
///
/// Cloning is cheap and clones share the store.
pub struct ContentStore<S = RocksBackend> {
    inner: Arc<Inner<S>>,
}

impl<S> Clone for ContentStore<S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<S> {
    backend: S,
    config: ContentConfig,
    /// Chunks written by puts whose manifest is not committed yet, with how
    /// many puts hold each. Garbage collection holds this lock while it runs
    /// and leaves these chunks alone.
    pending: Mutex<HashMap<ChunkId, usize>>,
    /// Held by puts and by removals of unreferenced content around their manifest checks and
    /// commits (`stamps.rs`).
    stamps: Mutex<()>,
    /// The time of puts' stamps: the system's unless a test sets another.
    clock: RwLock<fn() -> Timestamp>,
}

impl ContentStore<RocksBackend> {
    /// Opens (or creates) the store in `dir` with RocksDB.
    pub fn open(dir: &Path, config: ContentConfig) -> Result<Self, VaultError> {
        config.validate()?;
        Self::with_backend(RocksBackend::open(dir)?, config)
    }

    /// Opens (or creates) the store in `dir` for a bulk load whose writes become durable only
    /// at [`RocksBackend::persist`] ([`Durability::Deferred`]).
    pub fn open_for_bulk_load(dir: &Path, config: ContentConfig) -> Result<Self, VaultError> {
        config.validate()?;
        Self::with_backend(RocksBackend::open_with(dir, Durability::Deferred)?, config)
    }
}

impl<S: ChunkStore + MetaStore> ContentStore<S> {
    /// A store on the given backend.
    pub fn with_backend(backend: S, config: ContentConfig) -> Result<Self, VaultError> {
        config.validate()?;
        let inner = Inner {
            backend,
            config,
            pending: Mutex::new(HashMap::new()),
            stamps: Mutex::new(()),
            clock: RwLock::new(Timestamp::now),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> ContentConfig {
        self.inner.config
    }

    /// The backend, for layers that keep their own records beside the content.
    pub fn backend(&self) -> &S {
        &self.inner.backend
    }

    /// Stores everything `input` yields and returns its address.
    ///
    /// The content is read a chunk at a time into buffers that the chunks
    /// stored before it give back, so memory stays bounded by the chunks in
    /// flight whatever the content's size.
    pub fn put(&self, input: impl Read) -> Result<PutOutcome, VaultError> {
        let mut writer = self.writer();
        writer.read_from(input)?;
        writer.finish()
    }

    /// Stores everything `input` yields, doing the hashing and storage work on
    /// tokio's blocking threads.
    pub async fn put_async(
        &self,
        mut input: impl AsyncRead + Unpin,
    ) -> Result<PutOutcome, VaultError> {
        let mut writer = self.writer();
        let size = self.inner.config.chunk_size as usize;
        loop {
            let mut buf = writer.buffer();
            let mut n = 0;
            while n < size {
                match input.read(&mut buf[n..]).await.map_err(VaultError::Input)? {
                    0 => break,
                    read => n += read,
                }
            }
            buf.truncate(n);
            let last = n < size;
            writer = blocking(move || writer.write_owned(buf).map(|()| writer)).await?;
            if last {
                return blocking(move || writer.finish()).await;
            }
        }
    }

    /// An incremental writer, for content that arrives in pieces.
    pub fn writer(&self) -> ContentWriter<S> {
        ContentWriter::new(self.clone())
    }

    /// Whether content is stored at `address`.
    pub fn contains(&self, address: &ContentAddress) -> Result<bool, VaultError> {
        Ok(self
            .inner
            .backend
            .get(Table::Manifests, address.as_bytes())?
            .is_some())
    }

    /// The manifest of the content at `address`.
    pub fn manifest(&self, address: &ContentAddress) -> Result<Manifest, VaultError> {
        let bytes = self
            .inner
            .backend
            .get(Table::Manifests, address.as_bytes())?
            .ok_or(VaultError::NotFound(*address))?;
        decode_manifest(address, &bytes)
    }

    /// The manifest of the content at `address` if it is stored: `None` when it is not, and
    /// the manifest, or why it does not decode, when it is. One lookup, for a caller that
    /// needs both whether the content is stored and, when it can, its chunks.
    pub fn stored_manifest(
        &self,
        address: &ContentAddress,
    ) -> Result<Option<Result<Manifest, VaultError>>, VaultError> {
        Ok(self
            .inner
            .backend
            .get(Table::Manifests, address.as_bytes())?
            .map(|bytes| decode_manifest(address, &bytes)))
    }

    /// Length and storage figures of the content at `address`.
    pub fn stat(&self, address: &ContentAddress) -> Result<ContentInfo, VaultError> {
        let manifest = self.manifest(address)?;
        Ok(ContentInfo {
            address: *address,
            length: manifest.length,
            chunks: manifest.chunks.len(),
            stored_bytes: manifest.stored_bytes(),
        })
    }

    /// Reads the whole content at `address`.
    pub fn read(&self, address: &ContentAddress) -> Result<ContentReader<S>, VaultError> {
        let manifest = self.manifest(address)?;
        let length = manifest.length;
        ContentReader::new(self.clone(), *address, manifest, 0..length)
    }

    /// Reads bytes `range` of the content at `address`.
    pub fn read_range(
        &self,
        address: &ContentAddress,
        range: std::ops::Range<u64>,
    ) -> Result<ContentReader<S>, VaultError> {
        let manifest = self.manifest(address)?;
        ContentReader::new(self.clone(), *address, manifest, range)
    }

    /// [`ContentStore::read_range`] with the content's `manifest` (from
    /// [`ContentStore::manifest`]) given, for a caller that read it already: manifests are
    /// write-once, so it is the one stored.
    pub fn read_range_of(
        &self,
        address: &ContentAddress,
        manifest: Manifest,
        range: std::ops::Range<u64>,
    ) -> Result<ContentReader<S>, VaultError> {
        ContentReader::new(self.clone(), *address, manifest, range)
    }

    /// Reads chunk `index` of a content and checks it against its id.
    fn load_chunk(
        &self,
        address: &ContentAddress,
        index: usize,
        chunk: &ChunkRef,
    ) -> Result<Vec<u8>, VaultError> {
        let integrity = |problem| VaultError::Integrity {
            address: *address,
            index,
            chunk: chunk.id,
            problem,
        };
        let value = match self.inner.backend.get_chunk(&chunk.id) {
            Ok(Some(value)) => value,
            Ok(None) => return Err(integrity(chunk::ChunkProblem::Missing)),
            Err(crate::storage::StorageError::Corruption(e)) => {
                return Err(integrity(chunk::ChunkProblem::Unreadable(e)));
            }
            Err(e) => return Err(e.into()),
        };
        let bytes = chunk::open(&chunk.id, &value).map_err(integrity)?;
        if bytes.len() != chunk.length as usize {
            return Err(integrity(chunk::ChunkProblem::Length {
                declared: chunk.length,
                actual: bytes.len(),
            }));
        }
        Ok(bytes)
    }

    fn pending(&self) -> MutexGuard<'_, HashMap<ChunkId, usize>> {
        // A panic while holding the lock leaves the map consistent (each
        // operation on it is a single insert or remove), so poisoning is moot.
        self.inner
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn decode_manifest(address: &ContentAddress, bytes: &[u8]) -> Result<Manifest, VaultError> {
    let manifest: Manifest = codec::decode(bytes).map_err(|e| VaultError::Manifest {
        address: *address,
        problem: e.to_string(),
    })?;
    if !manifest.is_consistent() {
        return Err(VaultError::Manifest {
            address: *address,
            problem: format!("chunk lengths do not add up to {}", manifest.length),
        });
    }
    Ok(manifest)
}

/// Runs blocking vault work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| VaultError::Task(e.to_string()))?
}
