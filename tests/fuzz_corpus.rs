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
    ("ocsp_response", qoima_verifier::fuzzing::ocsp_response),
    ("gost_verify", qoima_verifier::fuzzing::gost_verify),
    ("upload_state", qoima_vault::fuzzing::upload_state),
    ("tus_headers", qoima_server::fuzzing::tus_headers),
    ("verify_body", qoima_server::fuzzing::verify_body),
    ("request_target", qoima_server::fuzzing::request_target),
    ("replay_journal", qoima_server::fuzzing::replay_journal),
    ("reverification", qoima_server::fuzzing::reverification),
    ("calendar_year", qoima_vault::fuzzing::calendar_year),
    ("s3_answers", qoima_vault::fuzzing::s3_answers),
    ("bundle", qoima_vault::fuzzing::bundle),
    ("configuration", qoima_server::fuzzing::configuration),
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
    for (target, run) in TARGETS.iter().filter(|(t, _)| {
        [
            "cms",
            "certificate_file",
            "crl_file",
            "ocsp_response",
            "upload_state",
            "tus_headers",
            "verify_body",
            "request_target",
            "replay_journal",
            "calendar_year",
            "bundle",
            "configuration",
        ]
        .contains(t)
    }) {
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

/// Writes the seeds of `upload_state`: real state files of the upload store at each stage of an
/// upload (fresh, part-way off and on a SHA-256 block boundary, complete, empty, a big
/// declared length), damaged copies, and copies whose saved SHA-256 state was changed (a block
/// count whose bit length overflows, one that disagrees with the offset, a buffer position past
/// the block). Run by `fuzz/make-seeds.sh`.
#[test]
#[ignore = "writes fuzz/corpus/upload_state; run by fuzz/make-seeds.sh"]
fn write_upload_state_seeds() {
    use std::collections::BTreeMap;

    use qoima_vault::ContentAddress;
    use qoima_vault::uploads::{NewUpload, UploadConfig, UploadStore};

    let now: jiff::Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = UploadStore::open(dir.path(), UploadConfig::default()).unwrap();
    let out = fuzz_dir().join("corpus").join("upload_state");
    std::fs::create_dir_all(&out).unwrap();
    let content: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
    let declare = |content: &[u8], length: u64| NewUpload {
        length,
        sha256: ContentAddress::of(content).0,
        owner: "0123456789abcdef".into(),
        metadata: BTreeMap::from([
            ("filename".to_owned(), "акт.pdf".as_bytes().to_vec()),
            (
                "sha256".to_owned(),
                ContentAddress::of(content).to_string().into_bytes(),
            ),
        ]),
    };
    let mut written = Vec::new();
    let mut save = |name: &str, id| {
        let bytes = std::fs::read(dir.path().join(format!("{id}.state"))).unwrap();
        std::fs::write(out.join(name), &bytes).unwrap();
        written.push((name.to_owned(), bytes));
    };

    let fresh = store.create(declare(&content, 1000), now).unwrap().id;
    save("fresh", fresh);
    for (name, end) in [
        ("at-100", 100),
        ("at-128-block-boundary", 128),
        ("complete", 1000),
    ] {
        let id = store.create(declare(&content, 1000), now).unwrap().id;
        let mut patch = store.begin(id, 0, None, now).unwrap();
        patch.write(&content[..end]).unwrap();
        patch.finish(now).unwrap();
        save(name, id);
    }
    let mut empty = declare(b"", 0);
    empty.metadata.clear();
    let id = store.create(empty, now).unwrap().id;
    save("empty-upload", id);
    let id = store.create(declare(&content, 8 << 30), now).unwrap().id;
    save("8-gib-declared", id);

    // Damaged copies of the part-way state: cut short, an unknown format, a trailing byte.
    let (_, at_100) = written.iter().find(|(n, _)| n == "at-100").unwrap();
    std::fs::write(out.join("damaged-truncated"), &at_100[..at_100.len() - 20]).unwrap();
    let mut version = at_100.clone();
    version[0] = 2;
    std::fs::write(out.join("damaged-version-2"), version).unwrap();
    let mut trailing = at_100.clone();
    trailing.push(0);
    std::fs::write(out.join("damaged-trailing-byte"), trailing).unwrap();
    // The saved SHA-256 state is the record's last field: 32 bytes of state, the count of
    // 64-byte blocks hashed (8 bytes, little-endian), then the buffer's position and 63 bytes.
    let blocks = at_100.len() - 72;
    for (name, at, bytes) in [
        ("sha256-block-count-overflow", blocks, &[0xff; 8][..]),
        ("sha256-block-count-behind-offset", blocks, &[0; 8][..]),
        ("sha256-buffer-position-past-block", blocks + 8, &[64][..]),
    ] {
        let mut variant = at_100.clone();
        variant[at..at + bytes.len()].copy_from_slice(bytes);
        std::fs::write(out.join(name), variant).unwrap();
    }
}
