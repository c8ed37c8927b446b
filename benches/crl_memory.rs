//! Heap bytes per entry of a loaded CRL, counted by a global allocator that wraps the
//! system's: what stays allocated after `CrlStore::add` or `CrlStore::add_file` (retained),
//! and the most allocated at any moment during it (peak), both above what was allocated before
//! and divided by the number of entries. For `add` the DER input is allocated before and not
//! counted; `add_file` reads a file written beforehand as a stream (allocated bytes: a vector
//! reserved ahead and given back counts here whole, though its untouched pages never take
//! memory). Beside it, in the same run, x509-parser's `CertificateRevocationList::from_der` of
//! the same DER (every entry an object): the parse without any index.
//!
//! `cargo bench -p qoima-benches --bench crl_memory` prints the table; with
//! `QOIMA_CRL_WRITE=DIR` it writes the CRLs of `crl_data.rs` to DIR instead (for `crl.sh`):
//! `base-nca.crl`, `delta-nca.crl`, `base-lean.crl`, `base-gost.crl` (NCA-shaped, in the name
//! of NCA's GOST test CA, not validly signed) and `serials-nca.txt` (the base's serials in hex,
//! one a line, for `sort`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

#[path = "crl_data.rs"]
mod crl_data;

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crl_data::Shape;
use qoima_verifier::path::{Certificate, Fingerprint};
use qoima_verifier::revocation::CrlStore;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

const ENTRIES: u64 = 500_000;
const DELTA_NEW: u64 = 45_000;
const DELTA_RELEASED: u64 = 2_500;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the bytes live and their peak.
struct Counting;

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// A global allocator can only be written as an `unsafe impl`; this one delegates every call
// to `System` unchanged and only adds to two counters.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on to `System` unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as `alloc`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `alloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `f`'s result, with the bytes it left allocated and the most it had allocated at once.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    let retained = LIVE.load(Relaxed).saturating_sub(before);
    let peak = PEAK.load(Relaxed).saturating_sub(before);
    (out, retained, peak)
}

fn write_files(dir: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let files = [
        ("base-nca.crl", crl_data::base_crl(Shape::Nca, ENTRIES)),
        (
            "delta-nca.crl",
            crl_data::delta_crl(Shape::Nca, ENTRIES, DELTA_NEW, DELTA_RELEASED),
        ),
        ("base-lean.crl", crl_data::base_crl(Shape::Lean, ENTRIES)),
        (
            "base-gost.crl",
            crl_data::gost_base_crl(Shape::Nca, ENTRIES),
        ),
    ];
    for (name, der) in &files {
        std::fs::write(format!("{dir}/{name}"), der).unwrap();
    }
    let mut serials = String::with_capacity(ENTRIES as usize * 42);
    for listed in crl_data::base_entries(Shape::Nca, ENTRIES) {
        for b in &listed.serial {
            write!(serials, "{b:02X}").unwrap();
        }
        serials.push('\n');
    }
    std::fs::write(format!("{dir}/serials-nca.txt"), serials).unwrap();
    println!("wrote {} CRLs and serials-nca.txt to {dir}", files.len());
}

fn row(case: &str, der_bytes: usize, entries: usize, retained: usize, peak: usize, index: usize) {
    let per = |bytes: usize| bytes as f64 / entries as f64;
    println!(
        "| {case} | {entries} | {:.1} MB | {:.1} | {:.1} | {:.1} |",
        der_bytes as f64 / 1e6,
        per(retained),
        per(index),
        per(peak),
    );
}

/// The heap bytes of the indexes of the store's CRLs.
fn index_bytes(store: &CrlStore, ders: &[&[u8]]) -> usize {
    ders.iter()
        .map(|der| {
            store
                .get(&Fingerprint::of(der))
                .unwrap()
                .revoked()
                .heap_size()
        })
        .sum()
}

/// A store of `ders` added from memory (`CrlStore::add`), or from files written beforehand
/// (`CrlStore::add_file`, a stream) if `dir` is given; with its retained and peak bytes.
fn load(ders: &[&[u8]], dir: Option<&std::path::Path>) -> (CrlStore, usize, usize) {
    let paths: Vec<_> = dir
        .map(|dir| {
            ders.iter()
                .enumerate()
                .map(|(i, der)| {
                    let path = dir.join(format!("{i}.crl"));
                    std::fs::write(&path, der).unwrap();
                    path
                })
                .collect()
        })
        .unwrap_or_default();
    measure(|| {
        let mut store = CrlStore::new();
        if dir.is_some() {
            for path in &paths {
                store.add_file(path).unwrap();
            }
        } else {
            for der in ders {
                store.add(der).unwrap();
            }
        }
        store
    })
}

fn main() {
    if let Ok(dir) = std::env::var("QOIMA_CRL_WRITE") {
        write_files(&dir);
        return;
    }
    let lean = crl_data::base_crl(Shape::Lean, ENTRIES);
    let base = crl_data::base_crl(Shape::Nca, ENTRIES);
    let delta = crl_data::delta_crl(Shape::Nca, ENTRIES, DELTA_NEW, DELTA_RELEASED);
    let gost = crl_data::gost_base_crl(Shape::Nca, ENTRIES);
    let delta_entries = (DELTA_NEW + 2 * DELTA_RELEASED) as usize;
    let n = ENTRIES as usize;
    let dir = std::env::temp_dir().join(format!("qoima-crl-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    println!("| case | entries | DER | retained B/entry | of which index B/entry | peak B/entry |");
    println!("|---|---|---|---|---|---|");
    for (how, from) in [("add", None), ("add_file (stream)", Some(dir.as_path()))] {
        for (case, ders, entries) in [
            ("lean base", vec![&lean[..]], n),
            ("NCA-shaped base", vec![&base[..]], n),
            (
                "NCA-shaped base + delta",
                vec![&base[..], &delta[..]],
                n + delta_entries,
            ),
            (
                "NCA-shaped base, GOST signatureAlgorithm",
                vec![&gost[..]],
                n,
            ),
        ] {
            let (store, retained, peak) = load(&ders, from);
            assert_eq!(store.len(), ders.len());
            let der_bytes = ders.iter().map(|d| d.len()).sum();
            let index = index_bytes(&store, &ders);
            row(
                &format!("{how}: {case}"),
                der_bytes,
                entries,
                retained,
                peak,
                index,
            );
            if case.contains("GOST") {
                // The signature check hashes nothing more and keeps nothing more.
                let ca = Certificate::from_der(crl_data::NCA_GOST_CA).unwrap();
                let crl = store.get(&Fingerprint::of(&gost)).unwrap();
                let before = LIVE.load(Relaxed);
                assert!(crl.verify_issued_by(&ca).is_err(), "the signature is zeros");
                assert!(LIVE.load(Relaxed) <= before + 4096);
            }
            drop(store);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let (parsed, _, peak) = measure(|| CertificateRevocationList::from_der(&base).unwrap().1);
    assert_eq!(parsed.tbs_cert_list.revoked_certificates.len(), n);
    drop(parsed);
    row(
        "reference: x509-parser from_der, NCA-shaped base",
        base.len(),
        n,
        0,
        peak,
        0,
    );
}
