//! Content store tests on a real RocksDB in a temporary directory.

use std::io::Read;

use proptest::prelude::*;

use super::chunk::{self, ChunkProblem};
use super::*;
use crate::storage::rocks::RocksBackend;

const SMALL: ContentConfig = ContentConfig {
    chunk_size: MIN_CHUNK_SIZE,
    zstd_level: 3,
};

fn store(config: ContentConfig) -> (tempfile::TempDir, ContentStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), config).unwrap();
    (dir, store)
}

/// Deterministic incompressible bytes.
pub(super) fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn read_all(store: &ContentStore, address: &ContentAddress) -> Vec<u8> {
    let mut out = Vec::new();
    store.read(address).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn chunk_count(store: &ContentStore) -> usize {
    store.backend().chunk_ids().count()
}

#[test]
fn put_returns_the_sha256_and_get_returns_the_bytes() {
    let (_dir, store) = store(SMALL);
    let data = noise(1, 3 * MIN_CHUNK_SIZE as usize + 17);
    let outcome = store.put(data.as_slice()).unwrap();
    assert_eq!(outcome.address, ContentAddress::of(&data));
    assert_eq!(outcome.length, data.len() as u64);
    assert!(outcome.created);
    assert_eq!(read_all(&store, &outcome.address), data);
    let info = store.stat(&outcome.address).unwrap();
    assert_eq!((info.length, info.chunks), (data.len() as u64, 4));
}

#[test]
fn empty_content_is_stored_and_read() {
    let (_dir, store) = store(SMALL);
    let outcome = store.put(&b""[..]).unwrap();
    assert_eq!(outcome.address, ContentAddress::of(b""));
    assert_eq!(read_all(&store, &outcome.address), b"");
    assert_eq!(store.stat(&outcome.address).unwrap().chunks, 0);
}

#[test]
fn identical_content_and_identical_chunks_are_stored_once() {
    let (_dir, store) = store(SMALL);
    let a = noise(2, 2 * MIN_CHUNK_SIZE as usize);
    assert!(store.put(a.as_slice()).unwrap().created);
    assert!(!store.put(a.as_slice()).unwrap().created);
    assert_eq!(chunk_count(&store), 2);
    // A second content that repeats a's first chunk adds only its new chunk.
    let mut b = a[..MIN_CHUNK_SIZE as usize].to_vec();
    b.extend(noise(3, 100));
    store.put(b.as_slice()).unwrap();
    assert_eq!(chunk_count(&store), 3);
}

#[test]
fn compressible_content_takes_less_space() {
    let (_dir, store) = store(ContentConfig::default());
    let text = b"Project documentation, section 1.\n".repeat(100_000);
    let outcome = store.put(text.as_slice()).unwrap();
    let info = store.stat(&outcome.address).unwrap();
    assert!(info.stored_bytes * 10 < info.length, "{info:?}");
    let random = noise(4, 1 << 20);
    let info = store
        .stat(&store.put(random.as_slice()).unwrap().address)
        .unwrap();
    assert!(
        info.stored_bytes >= info.length,
        "random data was 'compressed': {info:?}"
    );
}

#[test]
fn content_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let data = noise(5, 10_000);
    let address = ContentStore::open(dir.path(), SMALL)
        .unwrap()
        .put(data.as_slice())
        .unwrap()
        .address;
    let store = ContentStore::open(dir.path(), SMALL).unwrap();
    assert_eq!(read_all(&store, &address), data);
}

#[test]
fn unknown_addresses_and_bad_ranges_are_errors() {
    let (_dir, store) = store(SMALL);
    let missing = ContentAddress::of(b"never stored");
    assert!(matches!(store.read(&missing), Err(VaultError::NotFound(a)) if a == missing));
    let address = store.put(&b"0123456789"[..]).unwrap().address;
    assert!(matches!(
        store.read_range(&address, 5..11),
        Err(VaultError::Range { .. })
    ));
    #[allow(clippy::reversed_empty_ranges)]
    let backwards = 6..5;
    assert!(matches!(
        store.read_range(&address, backwards),
        Err(VaultError::Range { .. })
    ));
    let mut out = String::new();
    store
        .read_range(&address, 10..10)
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, "");
}

#[test]
fn bad_configuration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for config in [
        ContentConfig {
            chunk_size: 100,
            zstd_level: 3,
        },
        ContentConfig {
            chunk_size: MAX_CHUNK_SIZE + 1,
            zstd_level: 3,
        },
        ContentConfig {
            chunk_size: MIN_CHUNK_SIZE,
            zstd_level: 99,
        },
    ] {
        assert!(matches!(
            ContentStore::open(dir.path(), config),
            Err(VaultError::Config(_))
        ));
    }
}

#[test]
fn a_replaced_chunk_is_an_integrity_error_in_get_and_scrub() {
    let (_dir, store) = store(SMALL);
    let data = noise(6, 3 * MIN_CHUNK_SIZE as usize);
    let address = store.put(data.as_slice()).unwrap().address;
    let victim = store.manifest(&address).unwrap().chunks[1].id;
    // Valid chunk record, wrong bytes: only the hash check can notice.
    let forged = chunk::seal(&noise(7, MIN_CHUNK_SIZE as usize), 3).unwrap();
    let raw: &RocksBackend = store.backend();
    raw.raw()
        .put_cf(
            raw.raw().cf_handle("chunks").unwrap(),
            victim.as_bytes(),
            forged,
        )
        .unwrap();

    let mut reader = store.read(&address).unwrap();
    let first = reader.next_chunk().unwrap().unwrap();
    assert_eq!(first, data[..MIN_CHUNK_SIZE as usize]);
    match reader.next_chunk() {
        Err(VaultError::Integrity {
            address: a,
            index: 1,
            chunk,
            problem: ChunkProblem::Hash { .. },
        }) => {
            assert_eq!((a, chunk), (address, victim));
        }
        other => panic!("expected an integrity error, got {other:?}"),
    }
    let report = store.scrub(|_| {}).unwrap();
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(report.problems[0].to_string().contains(&victim.to_string()));
}

#[test]
fn a_byte_flipped_on_disk_is_reported_never_returned() {
    let dir = tempfile::tempdir().unwrap();
    let data = noise(8, 64 << 10);
    let address = {
        let store = ContentStore::open(dir.path(), ContentConfig::default()).unwrap();
        let address = store.put(data.as_slice()).unwrap().address;
        store.backend().flush().unwrap();
        address
    };
    // The chunk is random, so it is stored raw in a blob file: find and flip it.
    let needle = &data[1000..1032];
    let mut flipped = false;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
            bytes[at + 7] ^= 0x40;
            std::fs::write(&path, bytes).unwrap();
            flipped = true;
        }
    }
    assert!(flipped, "chunk bytes not found on disk");
    let store = ContentStore::open(dir.path(), ContentConfig::default()).unwrap();
    let mut out = Vec::new();
    let err = store
        .read(&address)
        .unwrap()
        .read_to_end(&mut out)
        .unwrap_err();
    assert!(out.is_empty(), "bytes were returned from a corrupt chunk");
    assert!(err.to_string().contains(&address.to_string()), "{err}");
    let report = store.scrub(|_| {}).unwrap();
    assert_eq!(report.problems.len(), 1, "{report:?}");
}

#[test]
fn interrupted_puts_leave_only_collectable_chunks() {
    let (_dir, store) = store(SMALL);
    let kept = store
        .put(noise(9, 2 * MIN_CHUNK_SIZE as usize).as_slice())
        .unwrap()
        .address;
    let mut writer = store.writer();
    writer
        .write(&noise(10, 3 * MIN_CHUNK_SIZE as usize))
        .unwrap();
    // While the put is open its chunks are safe from collection.
    assert_eq!(store.collect_garbage().unwrap().chunks, 0);
    drop(writer);
    let report = store.scrub(|_| {}).unwrap();
    assert_eq!((report.orphans, report.problems.len()), (3, 0));
    assert_eq!(store.collect_garbage().unwrap().chunks, 3);
    assert_eq!(chunk_count(&store), 2);
    assert_eq!(
        read_all(&store, &kept),
        noise(9, 2 * MIN_CHUNK_SIZE as usize)
    );
}

#[test]
fn async_put_stores_the_same_content() {
    let (_dir, store) = store(SMALL);
    let data = noise(11, 5 * MIN_CHUNK_SIZE as usize + 3);
    let runtime = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    let outcome = runtime.block_on(store.put_async(data.as_slice())).unwrap();
    assert_eq!(outcome.address, ContentAddress::of(&data));
    assert_eq!(read_all(&store, &outcome.address), data);
}

#[test]
fn scrub_progress_reaches_the_total() {
    let (_dir, store) = store(SMALL);
    store.put(noise(12, 10_000).as_slice()).unwrap();
    store.put(noise(13, 20_000).as_slice()).unwrap();
    let mut last = None;
    let report = store.scrub(|p| last = Some(p)).unwrap();
    assert_eq!(
        last,
        Some(ScrubProgress {
            done: 30_000,
            total: 30_000
        })
    );
    assert_eq!(
        (report.contents, report.bytes, report.problems.len()),
        (2, 30_000, 0)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any size around chunk boundaries, any range, written in any pieces.
    #[test]
    fn every_range_of_every_size_reads_back(
        len in prop_oneof![
            0usize..64,
            (0usize..4).prop_flat_map(|k| {
                let b = k * MIN_CHUNK_SIZE as usize;
                b.saturating_sub(2)..b + 3
            }),
            0usize..5 * MIN_CHUNK_SIZE as usize,
        ],
        seed in any::<u64>(),
        compressible in any::<bool>(),
        piece in 1usize..3 * MIN_CHUNK_SIZE as usize,
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
    ) {
        let (_dir, store) = store(SMALL);
        let data = if compressible { b"abcd".repeat(len / 4 + 1)[..len].to_vec() } else { noise(seed, len) };
        let mut writer = store.writer();
        for part in data.chunks(piece) {
            writer.write(part).unwrap();
        }
        let outcome = writer.finish().unwrap();
        prop_assert_eq!(outcome.address, ContentAddress::of(&data));
        prop_assert_eq!(read_all(&store, &outcome.address), data.clone());

        let (x, y) = (a.index(len + 1), b.index(len + 1));
        let (start, end) = (x.min(y), x.max(y));
        let mut out = Vec::new();
        let mut reader = store.read_range(&outcome.address, start as u64..end as u64).unwrap();
        prop_assert_eq!(reader.remaining(), (end - start) as u64);
        reader.read_to_end(&mut out).unwrap();
        prop_assert_eq!(out, &data[start..end]);
    }
}

thread_local! {
    /// Now, for the stamps of this test thread's puts: unix seconds.
    static PUT_NOW: std::cell::Cell<i64> = const { std::cell::Cell::new(1_800_000_000) };
}

fn put_clock() -> jiff::Timestamp {
    jiff::Timestamp::from_second(PUT_NOW.with(std::cell::Cell::get)).unwrap()
}

#[test]
fn every_put_stamps_its_content_and_scrub_and_gc_see_no_stamps() {
    let (_dir, store) = store(SMALL);
    store.set_clock(put_clock);
    let first = store.put(&noise(1, 10_000)[..]).unwrap();
    let at = put_clock();
    assert_eq!(store.put_at(&first.address).unwrap(), Some(at));
    // Put again later, the same second again, and another content.
    PUT_NOW.with(|now| now.set(now.get() + 3600));
    assert!(!store.put(&noise(1, 10_000)[..]).unwrap().created);
    assert!(!store.put(&noise(1, 10_000)[..]).unwrap().created);
    let later = put_clock();
    assert_eq!(store.put_at(&first.address).unwrap(), Some(later));
    let second = store.put(&b"small"[..]).unwrap();
    let stamped = store.stamped().unwrap();
    assert_eq!(stamped.len(), 2);
    for content in &stamped {
        let expected = if content.address == first.address {
            (first.length, Some(later))
        } else {
            assert_eq!(content.address, second.address);
            (5, Some(later))
        };
        assert_eq!((content.length, content.put_at), expected);
    }
    // The stamps are neither contents nor problems nor chunks' references.
    let report = store.scrub(|_| {}).unwrap();
    assert_eq!(
        (report.contents, report.problems.len()),
        (2, 0),
        "{report:?}"
    );
    assert_eq!(store.collect_garbage().unwrap().chunks, 0);
    assert_eq!(read_all(&store, &first.address), noise(1, 10_000));
    // Stamped content, and content not stored, are not stamped again by a collection.
    assert_eq!(store.stamp_unstamped(&[first.address]).unwrap(), 0);
    assert_eq!(
        store.stamp_unstamped(&[ContentAddress([9; 32])]).unwrap(),
        0
    );
}
