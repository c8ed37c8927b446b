//! Shared helpers for the cross-crate tests.

pub mod client;
pub mod serve;

/// A small deterministic generator (xorshift64*): tests need reproducible
/// data and choices, not cryptographic randomness.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

/// What a crash-test child printed before it was killed.
#[derive(Debug)]
pub struct Killed {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Whether it had exited on its own before the kill (a failure for these tests).
    pub exited: bool,
}

/// When a crash-test child is killed.
#[derive(Debug, Clone, Copy)]
pub struct KillAt {
    /// After it has printed this many `ack …` lines (0: do not wait for any).
    pub acks: u64,
    /// Then after this much more time, so that a kill lands in the middle of the next
    /// operation as often as between two.
    pub then: std::time::Duration,
}

/// How long a child may go without printing before it counts as stuck (and the test fails).
const STALL: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `exe DIR ROUND`, kills it with SIGKILL at `at`, and collects its output. The kill is
/// placed by what the child acknowledged, not by the clock: on a busy machine the same delay
/// may fall before the first acknowledgement or after dozens.
/// Each line the children print is one write below PIPE_BUF bytes: a kill cannot cut one.
pub fn run_and_kill(
    exe: &str,
    dir: &std::path::Path,
    round: u64,
    at: KillAt,
) -> std::io::Result<Killed> {
    run_and_kill_with(exe, dir, round, at, |_| Ok(()))
}

/// [`run_and_kill`], with `before_kill` called with the child's process id at the kill point,
/// just before the kill (the power-loss test stops the child there and copies its disk).
pub fn run_and_kill_with(
    exe: &str,
    dir: &std::path::Path,
    round: u64,
    at: KillAt,
    before_kill: impl FnOnce(u32) -> std::io::Result<()>,
) -> std::io::Result<Killed> {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;

    let mut child = Command::new(exe)
        .arg(dir)
        .arg(round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (lines, seen) = mpsc::channel::<String>();
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        for line in stdout
            .into_iter()
            .flat_map(|out| BufReader::new(out).lines())
        {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = String::new();
    let mut acks = 0;
    let mut exited_early = false;
    while acks < at.acks {
        match seen.recv_timeout(STALL) {
            Ok(line) => {
                acks += u64::from(line.starts_with("ack "));
                stdout.push_str(&line);
                stdout.push('\n');
            }
            // The child ended (its output closed) or printed nothing for a minute.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                exited_early = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => break,
        }
    }
    std::thread::sleep(at.then);
    let hook = before_kill(child.id());
    child.kill()?;
    let status = child.wait()?;
    // The reader ends at the closed pipe.
    let _ = reader.join();
    for line in seen.try_iter() {
        stdout.push_str(&line);
        stdout.push('\n');
    }
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr)?;
    }
    if !exited_early && acks < at.acks && stderr.is_empty() {
        stderr = format!(
            "printed {acks} of {} acknowledgements, then nothing for {STALL:?}",
            at.acks
        );
    }
    hook?;
    Ok(Killed {
        stdout,
        stderr,
        exited: status.success(),
    })
}

/// Chunk size of the crash test's vault: small, so contents span several chunks.
pub const CRASH_CHUNK_SIZE: u32 = 16 << 10;

/// The `i`-th content the crash writer stores in round `round`: random or
/// compressible, from empty to several chunks, sometimes a repeat of an
/// earlier one (deduplication) or sharing its first chunk with one.
pub fn crash_content(round: u64, i: u64) -> Vec<u8> {
    let mut rng = Rng::new(round << 32 | i);
    let chunk = CRASH_CHUNK_SIZE as usize;
    match rng.below(10) {
        0 if i > 0 => crash_content(round, rng.below(i)),
        1 if i > 0 => {
            let mut shared = crash_content(round, rng.below(i));
            shared.truncate(chunk);
            let tail = 1 + rng.below(chunk as u64) as usize;
            shared.extend(rng.bytes(tail));
            shared
        }
        2 => Vec::new(),
        3..=5 => {
            let len = rng.below(4 * chunk as u64) as usize;
            let line = b"construction object 000000000000000001\n";
            line.repeat(len / line.len() + 1)[..len].to_vec()
        }
        _ => {
            let len = rng.below(4 * chunk as u64) as usize;
            rng.bytes(len)
        }
    }
}

/// The registration crash test's documents, registry and signatures: documents signed in the
/// test by the generated PKI's `individual` (`verifier/testdata/pki`), registered at
/// 2026-06-15T12:00:00Z, when that certificate and its CRLs are valid.
pub mod registration {
    use std::path::Path;
    use std::sync::Arc;

    use qoima_vault::records::{Calendar, Numbering, Template};
    use qoima_vault::registry::Registry;
    use qoima_vault::{ContentConfig, ContentStore};
    use qoima_verifier::testing::{pki, sign_detached};

    /// The registration instant, unix seconds.
    pub const AT: i64 = pki::VALIDATION_TIME;
    /// The participant of every registration (its own counter).
    pub const PARTICIPANT: &str = "crash";

    /// Document `i` of `round`: a small PDF.
    pub fn document(round: u64, i: u64) -> Vec<u8> {
        format!("%PDF-1.7\n% crash test round {round} document {i}\n%%EOF\n").into_bytes()
    }

    /// The IIN of `individual`, the sender every registration names.
    pub const SENDER_IIN: &str = "850315300128";

    /// A detached CMS over `content` by `individual`.
    pub fn signature(content: &[u8]) -> Vec<u8> {
        sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, content)
    }

    /// The registry on `dir`, trusting the generated PKI.
    pub fn registry(dir: &Path) -> Result<Registry, String> {
        let content =
            ContentStore::open(dir, ContentConfig::default()).map_err(|e| e.to_string())?;
        let template = Template::parse(Numbering::DEFAULT_TEMPLATE).map_err(|e| e.to_string())?;
        let calendar = Calendar::builtin().map_err(|e| e.to_string())?;
        Registry::new(
            content,
            Arc::new(pki::rsa_verifier()),
            calendar,
            Numbering::new(template),
        )
        .map_err(|e| e.to_string())
    }
}

/// The upload crash test's uploads: deterministic contents and what is declared for them.
pub mod uploads {
    use std::collections::BTreeMap;

    use qoima_vault::ContentAddress;
    use qoima_vault::uploads::{NewUpload, Upload};

    use super::Rng;

    /// The owner of every upload.
    pub const OWNER: &str = "crash";
    /// The metadata key naming the child's seed.
    pub const SEED_KEY: &str = "seed";
    /// The metadata key naming the upload's index in its seed.
    pub const INDEX_KEY: &str = "index";

    fn rng(seed: u64, index: u64) -> Rng {
        Rng::new(seed.wrapping_mul(0x0000_0100_0000_01b3) ^ index.rotate_left(40))
    }

    /// The length of upload `index` of `seed`: empty now and then, mostly from a few bytes to
    /// 2 MiB, sometimes up to 4 MiB.
    pub fn length(seed: u64, index: u64) -> u64 {
        let mut rng = rng(seed, index);
        match rng.below(20) {
            0 => 0,
            1..=5 => 1 + rng.below(4 << 10),
            6..=12 => 1 + rng.below(256 << 10),
            13..=18 => 1 + rng.below(2 << 20),
            _ => (2 << 20) + rng.below(2 << 20),
        }
    }

    /// The bytes of upload `index` of `seed`.
    pub fn content(seed: u64, index: u64) -> Vec<u8> {
        let len = length(seed, index) as usize;
        Rng::new(!seed ^ index.wrapping_mul(0x9e37_79b9)).bytes(len)
    }

    /// Whether upload `index` of `seed` declares a wrong SHA-256 (about one in eight; never an
    /// empty one, which would be refused at creation).
    pub fn wrong_sha256(seed: u64, index: u64) -> bool {
        length(seed, index) > 0 && rng(seed, index).below(8) == 3
    }

    /// The SHA-256 upload `index` of `seed` declares for `content`: its own, or one with a
    /// flipped bit.
    pub fn declared_sha256(seed: u64, index: u64, content: &[u8]) -> [u8; 32] {
        let mut sha = ContentAddress::of(content).0;
        if wrong_sha256(seed, index) {
            sha[0] ^= 1;
        }
        sha
    }

    /// The declaration of upload `index` of `seed`, naming both in its metadata.
    pub fn declare(seed: u64, index: u64, content: &[u8]) -> NewUpload {
        NewUpload {
            length: content.len() as u64,
            sha256: declared_sha256(seed, index, content),
            owner: OWNER.into(),
            metadata: BTreeMap::from([
                (SEED_KEY.to_string(), seed.to_string().into_bytes()),
                (INDEX_KEY.to_string(), index.to_string().into_bytes()),
            ]),
        }
    }

    /// The seed and index an upload's metadata names.
    pub fn key(upload: &Upload) -> Option<(u64, u64)> {
        let number = |key: &str| {
            std::str::from_utf8(upload.metadata.get(key)?)
                .ok()?
                .parse()
                .ok()
        };
        Some((number(SEED_KEY)?, number(INDEX_KEY)?))
    }
}

/// The mixed crash test's vault, documents and acts (`bin/crash_mixed.rs`,
/// `reliability_crash.rs`): the layout of `qoima serve` (`DIR/db`, `DIR/uploads`), so that
/// the real `qoima scrub` and `qoima audit verify` check what the child left; a registry that
/// trusts the generated PKI and its disposal officer, with a clock after every retention.
pub mod mixed {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use jiff::Timestamp;
    use qoima_vault::records::{Calendar, Numbering, Template};
    use qoima_vault::registry::Registry;
    use qoima_vault::uploads::{UploadConfig, UploadStore};
    use qoima_vault::{ContentConfig, ContentStore};
    use qoima_verifier::identity::Expectation;
    use qoima_verifier::testing::pki;

    use super::Rng;

    /// The participant of every registration (its own counter).
    pub const PARTICIPANT: &str = "mixed";
    /// The instant of holds and disposals: six years after the registrations (2032), after
    /// the five-year retention of project documentation. One instant for all, so that no
    /// disposal is dated before the log's last entry.
    pub const LATE: i64 = super::registration::AT + 6 * 365 * 86_400;

    /// The bit of a round number that makes it a late round (`bin/crash_mixed.rs`).
    pub const LATE_ROUND: u64 = 1 << 62;

    /// The vault's clock: 2045-01-01, after every instant the child dates.
    pub fn clock() -> Timestamp {
        Timestamp::from_second(2_366_841_600).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Where RocksDB keeps the vault inside the data directory (as the command line does).
    pub fn db(dir: &Path) -> PathBuf {
        dir.join("db")
    }

    /// The registry on the data directory `dir`.
    pub fn registry(dir: &Path) -> Result<Registry, String> {
        let db = db(dir);
        std::fs::create_dir_all(&db).map_err(|e| e.to_string())?;
        let content =
            ContentStore::open(&db, ContentConfig::default()).map_err(|e| e.to_string())?;
        let template = Template::parse(Numbering::DEFAULT_TEMPLATE).map_err(|e| e.to_string())?;
        let calendar = Calendar::builtin().map_err(|e| e.to_string())?;
        Ok(Registry::new(
            content,
            Arc::new(pki::rsa_and_officer_verifier()),
            calendar,
            Numbering::new(template),
        )
        .map_err(|e| e.to_string())?
        .with_disposal_officer(Expectation {
            iin: Some(pki::OFFICER_IIN.into()),
            ..Expectation::default()
        })
        .with_clock(clock))
    }

    /// The upload staging store of the data directory `dir`.
    pub fn uploads(dir: &Path) -> Result<UploadStore, String> {
        UploadStore::open(&dir.join("uploads"), UploadConfig::default()).map_err(|e| e.to_string())
    }

    /// A key for one thing a child thread makes: its round, thread and sequence number.
    pub fn key(round: u64, thread: u64, i: u64) -> u64 {
        (round & 0xff_ffff_ffff) << 24 | thread << 20 | i
    }

    /// The document (a small PDF) of `key`; `version` > 1 for the content of a new version.
    pub fn document(key: u64, version: u32) -> Vec<u8> {
        format!("%PDF-1.7\n% mixed crash test document {key} version {version}\n%%EOF\n")
            .into_bytes()
    }

    /// The content stored by put `key`: random or repetitive, up to 96 KiB.
    pub fn content(key: u64) -> Vec<u8> {
        let mut rng = Rng::new(key ^ 0x0063_6f6e_7465_6e74);
        let len = rng.below(96 << 10) as usize;
        if rng.below(2) == 0 {
            rng.bytes(len)
        } else {
            let line = format!("construction object {key:018}\n").into_bytes();
            line.repeat(len / line.len() + 1)[..len].to_vec()
        }
    }

    /// The bytes of upload `key`: random, up to 512 KiB.
    pub fn upload(key: u64) -> Vec<u8> {
        let mut rng = Rng::new(key ^ 0x7570_6c6f_6164);
        let len = 1 + rng.below(512 << 10) as usize;
        rng.bytes(len)
    }
}
