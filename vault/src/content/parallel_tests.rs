//! Puts whose chunks are stored on all cores: content order, byte-identical
//! reads, the memory bound, and failures in the middle of a put.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

use super::tests::noise;
use super::*;

const MIB: usize = 1 << 20;

fn store(chunk_size: usize) -> (tempfile::TempDir, ContentStore) {
    let dir = tempfile::tempdir().unwrap();
    let config = ContentConfig {
        chunk_size: chunk_size as u32,
        zstd_level: 3,
    };
    let store = ContentStore::open(dir.path(), config).unwrap();
    (dir, store)
}

/// Random numbers as decimal text: zstd takes its time over it.
fn decimal_text(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    for n in noise(seed, len / 2).chunks_exact(4) {
        if out.len() >= len {
            break;
        }
        let n = u32::from_le_bytes([n[0], n[1], n[2], n[3]]);
        out.extend_from_slice(format!(" {n:>10}").as_bytes());
    }
    out.resize(len, b'\n');
    out
}

/// Chunks that take very different times to store: decimal text (compressed
/// whole) and noise (given up on after the 64 KiB probe), in turns, then a
/// short tail.
fn mixed(chunk: usize, chunks: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..chunks {
        if i % 2 == 0 {
            data.extend(decimal_text(i as u64, chunk));
        } else {
            data.extend(noise(i as u64, chunk));
        }
    }
    data.extend(decimal_text(99, 1000));
    data
}

fn read_all(store: &ContentStore, address: &ContentAddress) -> Vec<u8> {
    let mut out = Vec::new();
    store.read(address).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn manifests(store: &ContentStore) -> usize {
    // Not the stamps of puts beside them (`stamps.rs`).
    store
        .backend()
        .scan(Table::Manifests)
        .filter(|entry| entry.as_ref().is_ok_and(|(key, _)| key.len() == 32))
        .count()
}

#[test]
fn the_manifest_is_in_content_order_whatever_order_chunks_finish_in() {
    let (_dir, store) = store(MIB);
    let data = mixed(MIB, 12);
    let mut writer = store.writer();
    // On top of the different speeds, every fourth chunk waits before it is
    // stored: the chunks after it finish first.
    writer.before_job = Some(Arc::new(|i| {
        if i % 4 == 0 {
            std::thread::sleep(Duration::from_millis(30));
        }
    }));
    writer.read_from(data.as_slice()).unwrap();
    let pipeline = writer.pipeline.as_ref().unwrap();
    if pipeline.threads() > 1 {
        assert!(pipeline.reordered > 0, "no chunk finished out of order");
    }
    let outcome = writer.finish().unwrap();

    assert_eq!(outcome.address, ContentAddress::of(&data));
    let manifest = store.manifest(&outcome.address).unwrap();
    let expected: Vec<(ChunkId, u32)> = data
        .chunks(MIB)
        .map(|c| (ChunkId::of(c), c.len() as u32))
        .collect();
    let listed: Vec<(ChunkId, u32)> = manifest.chunks.iter().map(|c| (c.id, c.length)).collect();
    assert_eq!(listed, expected);
    // The text was compressed, the noise stored raw after the probe.
    for (i, c) in manifest.chunks.iter().enumerate().take(12) {
        assert_eq!(c.stored < c.length, i % 2 == 0, "chunk {i}: {c:?}");
    }
    assert_eq!(read_all(&store, &outcome.address), data);
}

#[test]
fn a_put_of_many_chunks_reads_back_byte_identical() {
    let chunk = 64 << 10;
    let (_dir, store) = store(chunk);
    let data = mixed(chunk, 301);
    let outcome = store.put(data.as_slice()).unwrap();
    assert_eq!(outcome.address, ContentAddress::of(&data));
    assert_eq!(outcome.length, data.len() as u64);
    assert_eq!(store.stat(&outcome.address).unwrap().chunks, 302);
    assert_eq!(read_all(&store, &outcome.address), data);

    // The same content through the other ways in: the same address, stored once.
    let runtime = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    let again = runtime.block_on(store.put_async(data.as_slice())).unwrap();
    assert_eq!((again.address, again.created), (outcome.address, false));
    let mut writer = store.writer();
    for piece in data.chunks(chunk * 3 + 17) {
        writer.write(piece).unwrap();
    }
    assert_eq!(writer.finish().unwrap().address, outcome.address);
    assert_eq!(manifests(&store), 1);
}

#[test]
fn chunks_in_flight_stay_within_the_limit() {
    let chunk = 64 << 10;
    let (_dir, store) = store(chunk);
    let data = noise(20, 200 * chunk + 5);
    let mut writer = store.writer();
    // Slow chunks now and then, so that the others pile up behind them.
    writer.before_job = Some(Arc::new(|i| {
        if i % 16 == 0 {
            std::thread::sleep(Duration::from_millis(10));
        }
    }));
    writer.read_from(data.as_slice()).unwrap();
    let pipeline = writer.pipeline.as_ref().unwrap();
    let (peak, limit, allocated) = (pipeline.peak, pipeline.limit, pipeline.allocated);
    assert!(pipeline.in_flight() <= limit);
    let outcome = writer.finish().unwrap();
    assert_eq!(read_all(&store, &outcome.address), data);
    // The limit was reached and held: the reader waited for the store.
    assert_eq!(peak, limit);
    // Whatever the number of chunks, a buffer per chunk in flight and one
    // being read into, the first of which was made before the pipeline.
    assert!(
        allocated <= limit,
        "{allocated} buffers for a limit of {limit}"
    );
}

/// Yields `good` bytes of noise, then fails.
struct FailingReader {
    data: Vec<u8>,
    at: usize,
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.data.len() {
            return Err(io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.data.len() - self.at).min(10_000);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_reader_failing_mid_put_leaves_nothing_visible() {
    let chunk = 64 << 10;
    let (_dir, store) = store(chunk);
    let reader = FailingReader {
        data: mixed(chunk, 9),
        at: 0,
    };
    match store.put(reader) {
        Err(e @ VaultError::Input(_)) => {
            assert!(e.to_string().contains("the disk went away"), "{e}");
        }
        other => panic!("expected an input error, got {other:?}"),
    }
    assert_eq!(manifests(&store), 0);
    // What was written is unreferenced: collectable, and no problem.
    let report = store.scrub(|_| {}).unwrap();
    assert_eq!((report.contents, report.problems.len()), (0, 0));
    store.collect_garbage().unwrap();

    // The store goes on: a put after the failure is whole.
    let data = mixed(chunk, 5);
    let outcome = store.put(data.as_slice()).unwrap();
    assert_eq!(read_all(&store, &outcome.address), data);
}

#[test]
fn a_chunk_that_fails_to_store_fails_the_put_and_nothing_else() {
    let chunk = 64 << 10;
    let (_dir, store) = store(chunk);
    let data = mixed(chunk, 10);
    let mut writer = store.writer();
    writer.before_job = Some(Arc::new(|i| {
        if i == 3 {
            panic!("chunk 3 could not be stored");
        }
    }));
    let failed = writer
        .read_from(data.as_slice())
        .and_then(|_| writer.write(b"more"));
    match failed {
        Err(VaultError::Task(message)) => assert!(message.contains("panicked"), "{message}"),
        other => panic!("expected the chunk's failure, got {other:?}"),
    }
    // Once failed, the writer takes nothing more and makes nothing visible.
    assert!(writer.write(b"more").is_err());
    assert!(writer.finish().is_err());
    assert_eq!(manifests(&store), 0);

    // The threads survived the panic: the same content stores fine.
    let outcome = store.put(data.as_slice()).unwrap();
    assert_eq!(read_all(&store, &outcome.address), data);
}

#[test]
fn abandoned_puts_release_their_chunks_for_collection() {
    let chunk = 64 << 10;
    let (_dir, store) = store(chunk);
    let mut writer = store.writer();
    writer.write(&noise(21, 8 * chunk)).unwrap();
    // While the put is open its chunks are safe from collection.
    assert_eq!(store.collect_garbage().unwrap().chunks, 0);
    drop(writer);
    assert_eq!(store.collect_garbage().unwrap().chunks, 8);
    assert_eq!(store.backend().chunk_ids().count(), 0);
}

#[test]
fn a_writer_can_move_between_threads() {
    fn send<T: Send>() {}
    send::<ContentWriter>();
}
