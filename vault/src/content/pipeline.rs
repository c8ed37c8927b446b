//! A put's chunks processed on all cores, handed back in content order.
//!
//! zstd at the store's level compresses some text at about a third of the
//! rate SHA-256 hashes it, so one core compressing would bound every put of
//! such content. The writer hashes the whole content in order on its own
//! thread and hands each chunk to a process-wide pool of threads that run a
//! job on it (the writer's: hash and compress it). The results come back in
//! any order and are handed out in content order, so that the chunks are
//! written and listed in the manifest as the content has them.
//!
//! A put has at most [`Pipeline::limit`] chunks between being handed over and
//! being handed back out (queued, being processed, or done and waiting for an
//! earlier one), so its memory is bounded whatever the content's size. The
//! pool has one thread per core and is shared by every put of the process:
//! concurrent puts share the cores instead of each starting threads of its
//! own.
//!
//! Why chunks in parallel rather than zstd's own multithreading (measured on
//! 2 cores, 4 MiB chunks of decimal text, level 3): zstd's workers split a
//! chunk into jobs of at least 512 KiB, started and joined for every chunk,
//! and compressed 160 MiB/s where whole chunks in parallel did 220 MiB/s
//! (both SHA-256 passes included); zstd's frames would also differ from the
//! single-threaded ones, whereas this keeps every chunk's bytes as one thread
//! makes them.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, OnceLock};

use crate::error::VaultError;

/// What a put may hold in chunks in flight, in bytes, when chunks are large:
/// fewer chunks are in flight then (never fewer than two).
const IN_FLIGHT_BYTES: usize = 128 << 20;

/// The work done on each chunk on the pool's threads.
pub(super) type Job<T> = Arc<dyn Fn(&[u8]) -> Result<T, VaultError> + Send + Sync>;

/// What a pool thread hands back.
struct Done<T> {
    /// The chunk's place in the content.
    index: usize,
    /// The job's result.
    result: Result<T, VaultError>,
    /// The chunk's buffer, for the next chunk to be read into once the
    /// writer has hashed it too.
    buffer: Arc<Vec<u8>>,
}

/// The threads of the process that process chunks, started by the first put
/// that needs them.
static POOL: OnceLock<Result<rayon::ThreadPool, String>> = OnceLock::new();

fn pool() -> Result<&'static rayon::ThreadPool, VaultError> {
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("qoima-chunks-{i}"))
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| VaultError::Task(format!("cannot start the chunk threads: {e}")))
}

/// The chunks of one put on their way through the pool.
pub(super) struct Pipeline<T> {
    pool: &'static rayon::ThreadPool,
    job: Job<T>,
    /// The most chunks in flight.
    pub(super) limit: usize,
    sender: Sender<Done<T>>,
    receiver: Receiver<Done<T>>,
    /// Chunks handed over so far; the next one's index.
    submitted: usize,
    /// Chunks handed back out, in order, so far.
    delivered: usize,
    /// Chunks back from the pool before their turn: slot `i` is chunk `delivered + i`.
    early: VecDeque<Option<Done<T>>>,
    /// Buffers of chunks done with, for the next chunks to be read into.
    spare: Vec<Vec<u8>>,
    /// The most chunks that were in flight at once (tests: the memory bound).
    #[cfg(test)]
    pub(super) peak: usize,
    /// Chunk buffers allocated, not reused (tests: the memory bound).
    #[cfg(test)]
    pub(super) allocated: usize,
    /// Results that came back before an earlier chunk's (tests: the
    /// reordering was needed).
    #[cfg(test)]
    pub(super) reordered: usize,
    /// Set when the put is abandoned: chunks not started yet are skipped.
    abandoned: Arc<AtomicBool>,
    /// Runs on the pool thread before each chunk's job, with its index
    /// (tests: chunks that take longer than others).
    #[cfg(test)]
    pub(super) before_job: Option<Arc<dyn Fn(usize) + Send + Sync>>,
}

impl<T: Send + 'static> Pipeline<T> {
    /// A pipeline that runs `job` on chunks of up to `chunk_size` bytes.
    pub(super) fn new(job: Job<T>, chunk_size: usize) -> Result<Self, VaultError> {
        let pool = pool()?;
        let (sender, receiver) = mpsc::channel();
        // Two chunks per thread keep every thread busy while the writer
        // reads, hashes, or waits for a slow chunk.
        let by_bytes = IN_FLIGHT_BYTES / chunk_size.max(1);
        let limit = (2 * pool.current_num_threads()).min(by_bytes).max(2);
        Ok(Self {
            pool,
            job,
            limit,
            sender,
            receiver,
            submitted: 0,
            delivered: 0,
            early: VecDeque::new(),
            spare: Vec::new(),
            #[cfg(test)]
            peak: 0,
            #[cfg(test)]
            allocated: 0,
            #[cfg(test)]
            reordered: 0,
            abandoned: Arc::new(AtomicBool::new(false)),
            #[cfg(test)]
            before_job: None,
        })
    }

    /// The pool's threads (tests: chunks can only finish out of order with
    /// more than one).
    #[cfg(test)]
    pub(super) fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Chunks handed over and not handed back out yet.
    pub(super) fn in_flight(&self) -> usize {
        self.submitted - self.delivered
    }

    /// Whether a chunk must be handed back out before another is handed over.
    pub(super) fn is_full(&self) -> bool {
        self.in_flight() >= self.limit
    }

    /// Hands a chunk over; the caller may keep reading it (to hash it into
    /// the whole content meanwhile). The caller first makes room
    /// ([`Pipeline::is_full`], [`Pipeline::wait`]); beyond the limit the
    /// memory bound no longer holds.
    pub(super) fn submit(&mut self, chunk: Arc<Vec<u8>>) {
        debug_assert!(!self.is_full(), "a chunk handed over beyond the limit");
        let index = self.submitted;
        self.submitted += 1;
        #[cfg(test)]
        {
            self.peak = self.peak.max(self.in_flight());
        }
        let sender = self.sender.clone();
        let job = Arc::clone(&self.job);
        let abandoned = Arc::clone(&self.abandoned);
        #[cfg(test)]
        let before_job = self.before_job.clone();
        self.pool.spawn_fifo(move || {
            if abandoned.load(Ordering::Relaxed) {
                return;
            }
            // A panic must not take the pool thread (and with it the
            // process) down: it becomes this put's error.
            let result = catch_unwind(AssertUnwindSafe(|| {
                #[cfg(test)]
                if let Some(hook) = &before_job {
                    hook(index);
                }
                job(&chunk)
            }))
            .unwrap_or_else(|_| {
                Err(VaultError::Task(format!(
                    "processing chunk {index} of a put panicked"
                )))
            });
            // Fails only when the put was abandoned: the result is dropped
            // (and with it what it holds).
            let _ = sender.send(Done {
                index,
                result,
                buffer: chunk,
            });
        });
    }

    /// The next chunk's result in content order if it is there already.
    pub(super) fn ready(&mut self) -> Option<Result<T, VaultError>> {
        self.next(false)
    }

    /// The next chunk's result in content order, waiting for it; `None` when
    /// every chunk handed over was handed back out.
    pub(super) fn wait(&mut self) -> Option<Result<T, VaultError>> {
        self.next(true)
    }

    fn next(&mut self, wait: bool) -> Option<Result<T, VaultError>> {
        loop {
            if let Some(Some(_)) = self.early.front() {
                let done = self.early.pop_front().flatten()?;
                self.delivered += 1;
                // The writer let go of the chunk once it had hashed it, before
                // it waited for anything. A put needs a buffer per chunk in
                // flight and one to read into: no more are kept.
                if let Ok(buffer) = Arc::try_unwrap(done.buffer)
                    && self.spare.len() <= self.limit
                {
                    self.spare.push(buffer);
                }
                return Some(done.result);
            }
            if self.in_flight() == 0 {
                return None;
            }
            let done = if wait {
                match self.receiver.recv() {
                    Ok(done) => done,
                    Err(_) => return Some(Err(lost())),
                }
            } else {
                match self.receiver.try_recv() {
                    Ok(done) => done,
                    Err(TryRecvError::Empty) => return None,
                    Err(TryRecvError::Disconnected) => return Some(Err(lost())),
                }
            };
            let slot = done.index - self.delivered;
            #[cfg(test)]
            if slot > 0 {
                self.reordered += 1;
            }
            if self.early.len() <= slot {
                self.early.resize_with(slot + 1, || None);
            }
            self.early[slot] = Some(done);
        }
    }

    /// A buffer to read the next chunk into: that of a chunk done with when
    /// there is one (no allocation, no page faults), else a new one. Its
    /// length is `size`.
    pub(super) fn buffer(&mut self, size: usize) -> Vec<u8> {
        let mut buffer = self.spare.pop().unwrap_or_else(|| {
            #[cfg(test)]
            {
                self.allocated += 1;
            }
            Vec::new()
        });
        buffer.resize(size, 0);
        buffer
    }
}

/// A pool thread ended without handing its chunk back (it cannot, since a
/// panic is caught, but a put must not wait for it forever).
fn lost() -> VaultError {
    VaultError::Task("a chunk thread ended without handing its chunk back".into())
}

impl<T> Drop for Pipeline<T> {
    /// The chunks of an abandoned put that have not started are skipped;
    /// those being processed finish and their results are dropped. Nothing
    /// waits for them: a writer may be dropped on an async task.
    fn drop(&mut self) {
        self.abandoned.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Submits `chunks` one-byte chunks (their index) as a writer does, and
    /// returns what came back, in the order it came back.
    fn run(pipeline: &mut Pipeline<u8>, chunks: u8) -> Vec<Result<u8, VaultError>> {
        let mut out = Vec::new();
        for i in 0..chunks {
            while pipeline.is_full() {
                out.extend(pipeline.wait());
            }
            pipeline.submit(Arc::new(vec![i]));
            out.extend(std::iter::from_fn(|| pipeline.ready()));
        }
        out.extend(std::iter::from_fn(|| pipeline.wait()));
        out
    }

    #[test]
    fn results_come_back_in_order_whatever_order_jobs_finish() {
        let mut pipeline = Pipeline::new(Arc::new(|chunk: &[u8]| Ok(chunk[0])), 1).unwrap();
        // Every third chunk is slow: the next ones finish before it.
        pipeline.before_job = Some(Arc::new(|i| {
            if i % 3 == 0 {
                std::thread::sleep(Duration::from_millis(5));
            }
        }));
        let out: Vec<u8> = run(&mut pipeline, 60)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(out, (0..60).collect::<Vec<u8>>());
        if pipeline.threads() > 1 {
            assert!(pipeline.reordered > 0, "no job finished out of order");
        }
        assert!(pipeline.peak <= pipeline.limit);
        assert_eq!(pipeline.in_flight(), 0);
    }

    #[test]
    fn a_failing_or_panicking_job_fails_its_chunk_only() {
        let job: Job<u8> = Arc::new(|chunk: &[u8]| match chunk[0] {
            3 => Err(VaultError::Config("chunk 3 refused".into())),
            5 => panic!("chunk 5 blew up"),
            n => Ok(n),
        });
        let mut pipeline = Pipeline::new(job, 1).unwrap();
        let out = run(&mut pipeline, 8);
        assert_eq!(out.len(), 8);
        for (i, result) in out.iter().enumerate() {
            match (i, result) {
                (3, Err(VaultError::Config(_))) => {}
                (5, Err(VaultError::Task(message))) => assert!(message.contains("panicked")),
                (i, Ok(n)) => assert_eq!(usize::from(*n), i),
                (i, other) => panic!("chunk {i}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_limit_keeps_large_chunks_few() {
        let job: Job<u8> = Arc::new(|_: &[u8]| Ok(0));
        let threads = pool().unwrap().current_num_threads();
        let small = Pipeline::new(Arc::clone(&job), 4 << 20).unwrap();
        assert_eq!(small.limit, (2 * threads).clamp(2, 32));
        let large = Pipeline::new(job, super::super::MAX_CHUNK_SIZE as usize).unwrap();
        assert_eq!(large.limit, 2);
    }
}
