//! Writing one content: cutting it into chunks, hashing, compressing,
//! storing, then the manifest.
//!
//! The writer's own thread reads and hashes the whole content in order; the
//! chunks are hashed and compressed on all cores meanwhile ([`Pipeline`]),
//! and come back to the writer's thread in content order, which writes them
//! to the store and lists them in the manifest in that order. A content
//! shorter than a chunk is stored from the writer's thread alone: no other
//! thread is woken for it.
//!
//! Why the writes stay on the writer's thread rather than on the threads
//! that compress: RocksDB appends one write at a time to its log anyway, and
//! with the writes on the pool a put of 256 MiB of random data took more CPU
//! (0.92 s against 0.79 s on 2 cores) and was no faster.

use std::io::Read;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::manifest::{ChunkRef, Manifest};
use super::pending::Pending;
use super::pipeline::{Job, Pipeline};
use super::{ContentStore, PutOutcome, chunk};
use crate::address::{ChunkId, ContentAddress};
use crate::codec;
use crate::error::VaultError;
use crate::storage::rocks::RocksBackend;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, StorageError, Table};

/// Below this size a chunk stored from the writer's thread is hashed whole on
/// the same thread: a second thread would cost more to start than it saves.
const PARALLEL_HASH_MIN: usize = 256 << 10;

/// A chunk hashed and encoded, ready to be written.
pub(super) struct Sealed {
    /// The SHA-256 of the chunk's bytes.
    id: ChunkId,
    /// The chunk's length before encoding.
    length: usize,
    /// The stored value ([`chunk::seal`]).
    value: Vec<u8>,
}

/// Hashes and encodes one chunk (on any thread).
fn seal(chunk: &[u8], zstd_level: i32) -> Result<Sealed, VaultError> {
    Ok(Sealed {
        id: ChunkId::of(chunk),
        length: chunk.len(),
        value: chunk::seal(chunk, zstd_level)?,
    })
}

/// A chunk in the store, held safe from garbage collection for its writer.
struct Stored<S: ChunkStore + MetaStore> {
    /// Its manifest entry.
    chunk: ChunkRef,
    /// The hold, released with the writer.
    pending: Pending<S>,
}

/// Stores content that arrives in pieces; [`ContentWriter::finish`] makes it
/// visible. Dropped unfinished, it leaves only unreferenced chunks behind.
///
/// After an error the writer refuses further writes and its `finish`: the
/// content it holds is incomplete, and must never be stored under the
/// address of the whole.
pub struct ContentWriter<S: ChunkStore + MetaStore = RocksBackend> {
    store: ContentStore<S>,
    whole: Sha256,
    /// The start of a chunk not yet full.
    buf: Vec<u8>,
    /// The chunks written so far, in content order.
    chunks: Vec<ChunkRef>,
    /// Bytes hashed so far (in chunks handed over or written).
    length: u64,
    /// This writer's holds on its chunks.
    held: Vec<Pending<S>>,
    /// The chunks being hashed and compressed, from the first full chunk
    /// handed over on.
    pub(super) pipeline: Option<Pipeline<Sealed>>,
    /// The first error, once there was one.
    failed: Option<String>,
    /// Handed to the pipeline when it starts ([`Pipeline::before_job`]).
    #[cfg(test)]
    pub(super) before_job: Option<Arc<dyn Fn(usize) + Send + Sync>>,
}

impl<S: ChunkStore + MetaStore> ContentWriter<S> {
    pub(super) fn new(store: ContentStore<S>) -> Self {
        Self {
            store,
            whole: Sha256::new(),
            buf: Vec::new(),
            chunks: Vec::new(),
            length: 0,
            held: Vec::new(),
            pipeline: None,
            failed: None,
            #[cfg(test)]
            before_job: None,
        }
    }

    fn chunk_size(&self) -> usize {
        self.store.inner.config.chunk_size as usize
    }

    /// Appends `data` to the content. The full chunks of `data` are in the
    /// store (not yet durable) when this returns. Several of them are
    /// compressed on all cores meanwhile; a single one on this thread, since
    /// handing it to another thread and waiting for it would only add the
    /// handover.
    pub fn write(&mut self, data: &[u8]) -> Result<(), VaultError> {
        let parallel = (self.buf.len() + data.len()) / self.chunk_size() > 1;
        self.guard(|writer| {
            writer.append(data, parallel)?;
            writer.drain()
        })
    }

    /// Appends `data`, taking its buffer as a chunk's when it is one whole
    /// chunk (or the start of one) at a chunk boundary: no copy. Its chunk
    /// may still be being compressed when this returns: the caller reads the
    /// next one meanwhile.
    pub(super) fn write_owned(&mut self, data: Vec<u8>) -> Result<(), VaultError> {
        let size = self.chunk_size();
        self.guard(|writer| {
            if !writer.buf.is_empty() || data.len() > size {
                writer.append(&data, true)
            } else if data.len() == size {
                writer.submit(data)
            } else {
                writer.buf = data;
                Ok(())
            }
        })
    }

    /// Appends everything `input` yields, reading it a chunk at a time into
    /// the buffers of chunks already stored: no copy, and the next chunk is
    /// read while the previous ones are compressed.
    pub(super) fn read_from(&mut self, mut input: impl Read) -> Result<(), VaultError> {
        let size = self.chunk_size();
        loop {
            let mut buf = self.buffer();
            let n = read_full(&mut input, &mut buf).map_err(VaultError::Input)?;
            buf.truncate(n);
            self.write_owned(buf)?;
            if n < size {
                return Ok(());
            }
        }
    }

    /// A buffer of one chunk's size to read the next piece into (the buffer of
    /// a chunk already stored when there is one).
    pub(super) fn buffer(&mut self) -> Vec<u8> {
        let size = self.chunk_size();
        match &mut self.pipeline {
            Some(pipeline) => pipeline.buffer(size),
            None => vec![0; size],
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.length + self.buf.len() as u64
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Makes the content durable and visible, and returns its address.
    pub fn finish(mut self) -> Result<PutOutcome, VaultError> {
        self.guard(|writer| {
            if !writer.buf.is_empty() {
                let last = std::mem::take(&mut writer.buf);
                if writer.pipeline.is_some() {
                    writer.submit(last)?;
                } else {
                    writer.store_here(&last)?;
                }
            }
            writer.drain()
        })?;
        let address = ContentAddress(self.whole.clone().finalize().into());
        let inner = &self.store.inner;
        // A removal of unreferenced content sees this put's stamp or comes after its check.
        let _stamps = self.store.stamps();
        let mut created = !self.store.contains(&address)?;
        let mut batch = MetaBatch::new();
        if created {
            let manifest = Manifest {
                length: self.length,
                chunks: std::mem::take(&mut self.chunks),
            };
            // Chunks durable first, then the manifest that makes them visible.
            inner.backend.sync()?;
            batch.put(
                Table::Manifests,
                address.as_bytes().to_vec(),
                codec::encode(&manifest)?,
            );
        }
        // The grace period of a content that nothing references counts from its last put.
        self.store.stamp(&mut batch, &address)?;
        if batch.count(Table::Manifests) > 0 {
            match inner.backend.commit(batch) {
                Ok(()) => {}
                // Another put of the same content committed first: deduplicated.
                Err(StorageError::Exists { .. }) => created = false,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(PutOutcome {
            address,
            length: self.length,
            created,
        })
    }

    /// Runs `step` unless an earlier one failed, and remembers its failure.
    fn guard(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<(), VaultError>,
    ) -> Result<(), VaultError> {
        if let Some(first) = &self.failed {
            return Err(VaultError::Task(format!(
                "this put failed earlier and cannot go on: {first}"
            )));
        }
        step(self).inspect_err(|e| self.failed = Some(e.to_string()))
    }

    /// Adds `data` to the chunk being filled, storing each chunk that fills
    /// up: on all cores when `parallel`, else on this thread.
    fn append(&mut self, mut data: &[u8], parallel: bool) -> Result<(), VaultError> {
        let size = self.chunk_size();
        while !data.is_empty() {
            let take = (size - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == size {
                if parallel {
                    let mut next = self.buffer();
                    next.clear();
                    let full = std::mem::replace(&mut self.buf, next);
                    self.submit(full)?;
                } else {
                    let full = std::mem::take(&mut self.buf);
                    self.store_here(&full)?;
                    self.buf = full;
                    self.buf.clear();
                }
            }
        }
        Ok(())
    }

    /// Hands `chunk` to the chunk threads and hashes it into the whole
    /// content meanwhile, writing the chunks sealed before it in content
    /// order (waiting for them while the pipeline is full).
    fn submit(&mut self, chunk: Vec<u8>) -> Result<(), VaultError> {
        let mut pipeline = match self.pipeline.take() {
            Some(pipeline) => pipeline,
            None => self.start()?,
        };
        let submitted = self.submit_to(&mut pipeline, chunk);
        self.pipeline = Some(pipeline);
        submitted
    }

    /// The pipeline of this writer's chunks, from its first full chunk on.
    fn start(&self) -> Result<Pipeline<Sealed>, VaultError> {
        let level = self.store.inner.config.zstd_level;
        let job: Job<Sealed> = Arc::new(move |chunk| seal(chunk, level));
        #[allow(unused_mut)] // set up further in tests
        let mut pipeline = Pipeline::new(job, self.chunk_size())?;
        #[cfg(test)]
        {
            pipeline.before_job = self.before_job.clone();
        }
        Ok(pipeline)
    }

    fn submit_to(
        &mut self,
        pipeline: &mut Pipeline<Sealed>,
        chunk: Vec<u8>,
    ) -> Result<(), VaultError> {
        while pipeline.is_full() {
            match pipeline.wait() {
                Some(sealed) => self.take_in(sealed?)?,
                None => break,
            }
        }
        let chunk = Arc::new(chunk);
        pipeline.submit(Arc::clone(&chunk));
        // In content order, while the chunk is hashed and compressed.
        self.whole.update(chunk.as_slice());
        self.length += chunk.len() as u64;
        drop(chunk);
        while let Some(sealed) = pipeline.ready() {
            self.take_in(sealed?)?;
        }
        Ok(())
    }

    /// Writes every chunk handed over, in content order, waiting for those
    /// still being compressed.
    fn drain(&mut self) -> Result<(), VaultError> {
        let Some(mut pipeline) = self.pipeline.take() else {
            return Ok(());
        };
        let drained = self.drain_from(&mut pipeline);
        self.pipeline = Some(pipeline);
        drained
    }

    fn drain_from(&mut self, pipeline: &mut Pipeline<Sealed>) -> Result<(), VaultError> {
        while let Some(sealed) = pipeline.wait() {
            self.take_in(sealed?)?;
        }
        Ok(())
    }

    /// Writes a sealed chunk and lists it in the manifest-to-be.
    fn take_in(&mut self, sealed: Sealed) -> Result<(), VaultError> {
        let stored = self.store.store_sealed(sealed)?;
        self.keep(stored);
        Ok(())
    }

    /// Lists a stored chunk in the manifest-to-be and keeps its hold.
    fn keep(&mut self, stored: Stored<S>) {
        self.chunks.push(stored.chunk);
        self.held.push(stored.pending);
    }

    /// Stores a chunk from this thread, once the chunks handed over before it
    /// are in.
    fn store_here(&mut self, chunk: &[u8]) -> Result<(), VaultError> {
        self.drain()?;
        let Self { store, whole, .. } = self;
        let level = store.inner.config.zstd_level;
        let store_chunk = || seal(chunk, level).and_then(|sealed| store.store_sealed(sealed));
        let stored = if chunk.len() >= PARALLEL_HASH_MIN {
            // The whole-content hash runs on a second core meanwhile.
            std::thread::scope(|s| {
                let hashing = s.spawn(|| whole.update(chunk));
                let stored = store_chunk();
                hashing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                stored
            })
        } else {
            whole.update(chunk);
            store_chunk()
        }?;
        self.keep(stored);
        self.length += chunk.len() as u64;
        Ok(())
    }
}

impl<S: ChunkStore + MetaStore> ContentStore<S> {
    /// Writes a sealed chunk unless the put may rely on the one stored
    /// ([`ChunkStore::ensure_chunk`]). It stays registered as pending (safe
    /// from this process's garbage collection) until the returned hold is
    /// dropped.
    fn store_sealed(&self, sealed: Sealed) -> Result<Stored<S>, VaultError> {
        let Sealed { id, length, value } = sealed;
        let pending = Pending::register(self, id);
        self.inner.backend.ensure_chunk(&id, &value)?;
        Ok(Stored {
            chunk: ChunkRef {
                id,
                length: length as u32,
                stored: value.len() as u32,
            },
            pending,
        })
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(read) => n += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
