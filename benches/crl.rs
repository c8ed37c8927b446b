//! Large CRLs: loading and indexing 500 000 entries (`CrlStore::add`, and `add_file` reading
//! a file as a stream), and the cost of a
//! revocation lookup per verification, for a base CRL and a base with a delta (RFC 5280
//! §5.2.4). The CRLs are made by `crl_data.rs` (ca-rsa of the generated PKI signs them).
//! References in the same run: x509-parser's `CertificateRevocationList::from_der` of the same
//! DER (the parse, every entry an object, no index) and a plain sort of the 500 000 serials
//! as 20-byte keys.
//!
//! `cargo bench -p qoima-benches --bench crl -- --warm-up-time 1 --measurement-time 8`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

#[path = "crl_data.rs"]
mod crl_data;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use crl_data::Shape;
use qoima_verifier::path::{Certificate, Fingerprint};
use qoima_verifier::revocation::{CrlStore, RevocationStatus};
use qoima_verifier::testing::pki;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

const ENTRIES: u64 = 500_000;
const DELTA_NEW: u64 = 45_000;
const DELTA_RELEASED: u64 = 2_500;
/// Serials looked up per iteration of the lookup benches.
const LOOKUPS: u64 = 1024;

fn store(ders: &[&[u8]]) -> CrlStore {
    let mut store = CrlStore::new();
    for der in ders {
        store.add(der).unwrap();
    }
    store
}

/// A serial as a fixed 20-byte key (leading zero octets dropped, left-padded).
fn key(serial: &[u8]) -> [u8; 20] {
    let serial = &serial[serial.iter().take_while(|&&b| b == 0).count()..];
    let mut out = [0; 20];
    out[20 - serial.len()..].copy_from_slice(serial);
    out
}

fn load(c: &mut Criterion) {
    let lean = crl_data::base_crl(Shape::Lean, ENTRIES);
    let started = std::time::Instant::now();
    let base = crl_data::base_crl(Shape::Nca, ENTRIES);
    let generated = started.elapsed();
    let delta = crl_data::delta_crl(Shape::Nca, ENTRIES, DELTA_NEW, DELTA_RELEASED);
    let keys: Vec<[u8; 20]> = crl_data::base_entries(Shape::Nca, ENTRIES)
        .map(|e| key(&e.serial))
        .collect();
    println!(
        "DER: lean base {} bytes, NCA-shaped base {} bytes (generated and signed in {:.0} ms), \
         delta {} bytes",
        lean.len(),
        base.len(),
        generated.as_secs_f64() * 1e3,
        delta.len()
    );

    let mut group = c.benchmark_group("crl load, 500 000 entries");
    group.sample_size(10);
    group.bench_function("reference: x509-parser from_der, NCA-shaped", |b| {
        b.iter(|| {
            let (_, crl) = CertificateRevocationList::from_der(black_box(&base)).unwrap();
            assert_eq!(
                crl.tbs_cert_list.revoked_certificates.len(),
                ENTRIES as usize
            );
        })
    });
    group.bench_function("reference: sort_unstable of 20-byte serials", |b| {
        b.iter_batched(
            || keys.clone(),
            |mut keys| {
                keys.sort_unstable();
                keys
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("reference: SHA-256 of the NCA-shaped DER", |b| {
        b.iter(|| Fingerprint::of(black_box(&base)))
    });
    group.bench_function("CrlStore::add, lean", |b| {
        b.iter(|| store(&[black_box(&lean)]))
    });
    group.bench_function("CrlStore::add, NCA-shaped", |b| {
        b.iter(|| store(&[black_box(&base)]))
    });
    group.bench_function("CrlStore::add, NCA-shaped base + delta", |b| {
        b.iter(|| store(&[black_box(&base), black_box(&delta)]))
    });
    // NCA's own CRLs are GOST-signed: the tbsCertList's Streebog-512 digest is computed at
    // load.
    let gost = crl_data::gost_base_crl(Shape::Nca, ENTRIES);
    group.bench_function("CrlStore::add, NCA-shaped, GOST signatureAlgorithm", |b| {
        b.iter(|| store(&[black_box(&gost)]))
    });
    // The same CRLs from files read as a stream (`qoima verify --crl`), in the page cache.
    let dir = std::env::temp_dir().join(format!("qoima-crl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, der: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, der).unwrap();
        path
    };
    let files = [
        ("lean", vec![write("lean.crl", &lean)]),
        ("NCA-shaped", vec![write("base.crl", &base)]),
        (
            "NCA-shaped base + delta",
            vec![write("base.crl", &base), write("delta.crl", &delta)],
        ),
        ("NCA-shaped, GOST", vec![write("gost.crl", &gost)]),
    ];
    for (case, paths) in &files {
        group.bench_function(format!("CrlStore::add_file (stream), {case}"), |b| {
            b.iter(|| {
                let mut store = CrlStore::new();
                for path in paths {
                    store.add_file(black_box(path)).unwrap();
                }
                store
            })
        });
    }
    group.finish();
    std::fs::remove_dir_all(&dir).unwrap();
}

fn lookup(c: &mut Criterion) {
    let base = crl_data::base_crl(Shape::Nca, ENTRIES);
    let delta = crl_data::delta_crl(Shape::Nca, ENTRIES, DELTA_NEW, DELTA_RELEASED);
    let base_only = store(&[&base]);
    let with_delta = store(&[&base, &delta]);
    let crl = base_only.get(&Fingerprint::of(&base)).unwrap();
    let listed: Vec<Vec<u8>> = (0..LOOKUPS)
        .map(|i| crl_data::serial(Shape::Nca, 0, i * (ENTRIES / LOOKUPS)))
        .collect();
    let absent: Vec<Vec<u8>> = (0..LOOKUPS)
        .map(|i| crl_data::serial(Shape::Nca, 7, i))
        .collect();
    assert!(listed.iter().all(|s| crl.revoked().get(s).is_some()));
    assert!(absent.iter().all(|s| crl.revoked().get(s).is_none()));

    let leaf = Certificate::from_der(pki::INDIVIDUAL).unwrap();
    let ca = Certificate::from_der(pki::CA_RSA).unwrap();
    let at = pki::VALIDATION_TIME;
    for (store, crls) in [(&base_only, 1), (&with_delta, 2)] {
        let status = store.status(&leaf, &ca, at);
        assert!(
            matches!(&status, RevocationStatus::Good { source } if source.len() == crls),
            "{status:?}"
        );
    }

    let mut group = c.benchmark_group("crl lookup, 500 000 entries");
    group.throughput(Throughput::Elements(LOOKUPS));
    group.bench_function("RevokedSerials::get, listed", |b| {
        b.iter(|| {
            for s in &listed {
                black_box(crl.revoked().get(black_box(s)));
            }
        })
    });
    group.bench_function("RevokedSerials::get, not listed", |b| {
        b.iter(|| {
            for s in &absent {
                black_box(crl.revoked().get(black_box(s)));
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("CrlStore::status, base", |b| {
        b.iter(|| base_only.status(black_box(&leaf), &ca, at))
    });
    group.bench_function("CrlStore::status, base + delta", |b| {
        b.iter(|| with_delta.status(black_box(&leaf), &ca, at))
    });
    group.finish();
}

criterion_group!(benches, load, lookup);
criterion_main!(benches);
