//! Replays every fuzz corpus on stable Rust: each file goes through the same
//! function its fuzz target calls, and none may panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::path::Path;

/// A fuzz target's name and the function it fuzzes.
type Target = (&'static str, fn(&[u8]));

/// Every target in `fuzz/fuzz_targets/`.
const TARGETS: &[Target] = &[
    ("codec_manifest", qoima_vault::fuzzing::manifest),
    ("stored_chunk", qoima_vault::fuzzing::stored_chunk),
    ("cms", qoima_verifier::fuzzing::cms),
    (
        "certificate_file",
        qoima_verifier::fuzzing::certificate_file,
    ),
    ("crl_file", qoima_verifier::fuzzing::crl_file),
    ("gost_verify", qoima_verifier::fuzzing::gost_verify),
];

fn fuzz_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz"))
}

#[test]
fn every_corpus_file_is_handled_without_panic() {
    for (target, run) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(target);
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{target} panicked on {}", path.display());
            files += 1;
        }
        assert!(files > 0, "the corpus of {target} is empty");
    }
}

#[test]
fn every_fuzz_target_is_replayed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut replayed: Vec<String> = TARGETS.iter().map(|(t, _)| t.to_string()).collect();
    replayed.sort();
    assert_eq!(
        on_disk, replayed,
        "fuzz targets and replayed corpora differ"
    );
}

/// On stable Rust, without a fuzzer: each seed of the parser targets with one byte changed
/// at ~200 evenly spread positions, and cut at ~32 lengths. No variant may panic.
#[test]
fn mutated_seeds_are_handled_without_panic() {
    for (target, run) in TARGETS
        .iter()
        .filter(|(t, _)| ["cms", "certificate_file", "crl_file"].contains(t))
    {
        let dir = fuzz_dir().join("corpus").join(target);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let seed = std::fs::read(&path).unwrap();
            let flips = (0..seed.len()).step_by((seed.len() / 200).max(1)).map(|i| {
                let mut variant = seed.clone();
                variant[i] ^= 0x5a;
                variant
            });
            let cuts = (0..seed.len())
                .step_by((seed.len() / 32).max(1))
                .map(|n| seed[..n].to_vec());
            for variant in flips.chain(cuts) {
                let outcome = std::panic::catch_unwind(|| run(&variant));
                assert!(
                    outcome.is_ok(),
                    "{target} panicked on a variant of {}",
                    path.display()
                );
            }
        }
    }
}
