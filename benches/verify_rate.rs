//! The engine's in-process verification rate on all cores, as a plain command: the
//! reference case of `benches/verify.rs` (detached RSA-2048 CMS
//! `verifier/testdata/pki/cms/individual.detached.p7s` over `doc-4k.txt`, chain and CRLs
//! cached after the first document), one shared `Verifier`, THREADS threads each calling
//! `Verifier::verify` in a loop for SECONDS seconds. Prints the rate on its last line:
//!
//! ```text
//! verify_rate: 2 threads, 10.0 s, 812345 verifications, 81234 verifications/s
//! ```
//!
//! `benches/http_load.sh` runs it beside the HTTP load on `POST /v1/verify`, in the same run.
//!
//! ```text
//! cargo run --release -p qoima-benches --example verify_rate -- [THREADS [SECONDS]]
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench: a panic is a failure

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use qoima_verifier::testing::pki;
use qoima_verifier::{Data, Request};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or_else(
        || std::thread::available_parallelism().map_or(2, usize::from),
        |a| a.parse().expect("THREADS is a number"),
    );
    let seconds: f64 = args
        .next()
        .map_or(10.0, |a| a.parse().expect("SECONDS is a number"));

    let verifier = pki::rsa_verifier();
    let request = Request::new(pki::INDIVIDUAL_DETACHED_CMS, pki::VALIDATION_TIME)
        .data(Data::Bytes(pki::DOC_4K));
    // Warm the chain and revocation caches, and check the case passes.
    for _ in 0..100 {
        let report = verifier.verify(&request).unwrap();
        assert!(report.verdict.passed(), "{report}");
    }

    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let report = verifier.verify(black_box(&request)).unwrap();
                        assert!(report.verdict.passed());
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        stop.store(true, Ordering::Relaxed);
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "verify_rate: {threads} threads, {elapsed:.1} s, {total} verifications, {:.0} verifications/s",
        total as f64 / elapsed
    );
}
