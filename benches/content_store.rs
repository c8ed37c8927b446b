//! Content store throughput: put and get of 1 MiB and 256 MiB, compressible
//! and random, beside the raw SHA-256 rate of `sha2` and `ring` on the same
//! bytes in the same run (the store hashes every byte twice on put, once per
//! chunk and once for the whole, and once on get).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::hint::black_box;
use std::io::Read;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qoima_vault::{ContentConfig, ContentStore};
use sha2::{Digest, Sha256};

const SIZES: [(&str, usize); 2] = [("1MiB", 1 << 20), ("256MiB", 256 << 20)];

fn random(len: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Random numbers as decimal text, a table-like file that zstd -3 halves
/// (the same kind of data as `compare.sh`'s compressible file).
fn compressible(len: usize) -> Vec<u8> {
    let numbers = random(len / 2);
    let mut out = Vec::with_capacity(len + 16);
    for (i, n) in numbers.chunks_exact(4).enumerate() {
        if out.len() >= len {
            break;
        }
        let n = u32::from_le_bytes([n[0], n[1], n[2], n[3]]);
        out.extend_from_slice(format!(" {n:>10}").as_bytes());
        if i % 4 == 3 {
            out.push(b'\n');
        }
    }
    out.resize(len, b' ');
    out
}

fn bench(c: &mut Criterion) {
    for (label, size) in SIZES {
        for (kind, data) in [
            ("random", random(size)),
            ("compressible", compressible(size)),
        ] {
            let mut group = c.benchmark_group(format!("content/{kind}"));
            group.throughput(Throughput::Bytes(size as u64));
            if size > 16 << 20 {
                group.sample_size(10);
            }
            group.bench_function(BenchmarkId::new("sha256-sha2", label), |b| {
                b.iter(|| Sha256::digest(black_box(&data)))
            });
            group.bench_function(BenchmarkId::new("sha256-ring", label), |b| {
                b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(&data)))
            });

            let dir = tempfile::tempdir().expect("temporary directory");
            let store = ContentStore::open(dir.path(), ContentConfig::default()).expect("store");
            // Each put stores new content: vary one byte so nothing deduplicates.
            let mut fresh = data.clone();
            let mut n = 0u64;
            group.bench_function(BenchmarkId::new("put", label), |b| {
                b.iter(|| {
                    n += 1;
                    fresh[..8].copy_from_slice(&n.to_le_bytes());
                    store.put(fresh.as_slice()).expect("put")
                })
            });
            let address = store.put(data.as_slice()).expect("put").address;
            let mut out = vec![0u8; size];
            group.bench_function(BenchmarkId::new("get", label), |b| {
                b.iter(|| {
                    let mut reader = store.read(&address).expect("read");
                    reader.read_exact(&mut out).expect("read bytes");
                })
            });
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
