//! The replay guard of signed requests: the envelopes accepted within the freshness
//! window, in memory and, for a server, in a journal file under the data directory, so that a
//! restart does not open the window again to an envelope accepted just before it. On the
//! distributed engine the guard is the database every node shares instead
//! ([`SignedRequests`]): an envelope accepted by one node is refused by all.

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use qoima_vault::storage::StorageError;
use qoima_vault::storage::postgres::SignedRequests;

/// How far a signer's claimed `signingTime` may be from the server's clock, either way, by
/// default: enough for clock drift between systems and the time a request takes, short
/// enough that a replay window needs little memory.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);

/// A journal entry: when it expires (unix seconds) and the digest of an envelope's signed
/// attributes.
pub(crate) type Entry = (i64, Vec<u8>);

/// A journal rewritten once it holds this many lines more than twice the live entries.
const COMPACT_SLACK: usize = 1024;

/// Remembers the envelopes accepted within the freshness window, so that one signed request
/// cannot be replayed.
///
/// An envelope is known by the SHA-256 of the signed attributes of the signer that
/// authorised it: the bytes its signature covers (RFC 5652 §5.4), which hold the content's
/// messageDigest and the signingTime. Hashing the envelope's bytes instead would let a
/// replay through re-encoded (DER ↔ BER, PEM, base64) or with the signature value changed
/// (an ECDSA signature `(r, s)` is also valid as `(r, n − s)`); the signed attributes cannot
/// change without a new signature.
///
/// The window is also the tolerance of the signingTime check, so the two cannot disagree: an
/// entry is kept until its signingTime is a window old, after which the time check alone
/// refuses the envelope. Memory is bounded by what was accepted in the last two windows.
///
/// A guard [opened](ReplayGuard::open) on a journal appends each admission to it, synced,
/// before the request goes on; it reads the live entries back when the server starts. The
/// journal is one line per digest, `EXPIRY HEX` (unix seconds, 64 hex digits), rewritten
/// without the expired lines at start and whenever they outnumber the live ones.
///
/// A guard made [`shared`](ReplayGuard::shared) keeps nothing itself: each admission is one
/// transaction in the database the nodes share, committed before the request goes on.
#[derive(Debug)]
pub struct ReplayGuard {
    window: i64,
    state: Mutex<State>,
    shared: Option<SignedRequests>,
}

/// Why an envelope could not be admitted: it is refused, since it could not be recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdmitError {
    /// The journal file could not be written.
    #[error("the replay journal: {0}")]
    Journal(#[from] io::Error),
    /// The database the nodes share did not record the admission.
    #[error("the signed requests of the shared database: {0}")]
    Shared(#[from] StorageError),
}

#[derive(Debug, Default)]
struct State {
    digests: HashSet<Vec<u8>>,
    /// `(expiry, digest)`, the earliest expiry first.
    by_expiry: BTreeSet<Entry>,
    journal: Option<Journal>,
}

#[derive(Debug)]
struct Journal {
    path: PathBuf,
    file: File,
    lines: usize,
}

impl Default for ReplayGuard {
    fn default() -> Self {
        Self::new(DEFAULT_WINDOW)
    }
}

impl ReplayGuard {
    /// A guard over `window` (whole seconds; less than one is one) that keeps nothing on disk:
    /// signingTime may be that far from the server's clock, and accepted envelopes are
    /// remembered that long after it.
    pub fn new(window: Duration) -> Self {
        Self {
            window: i64::try_from(window.as_secs()).unwrap_or(i64::MAX).max(1),
            state: Mutex::new(State::default()),
            shared: None,
        }
    }

    /// A guard over `window` whose admissions are rows of the database every node shares
    /// (the distributed engine), so that no node admits an envelope another admitted.
    pub fn shared(requests: SignedRequests, window: Duration) -> Self {
        Self {
            shared: Some(requests),
            ..Self::new(window)
        }
    }

    /// A guard over `window` that journals to `path` (created if missing), with the entries
    /// of the journal still live at `now` (unix seconds). A last line cut short (a crash in
    /// the middle of an append) is dropped; any other line that is not an entry is an error
    /// that names it.
    pub fn open(path: &Path, window: Duration, now: i64) -> io::Result<Self> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let entries = parse_journal(&bytes).map_err(|(number, line)| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} line {number}: not `EXPIRY HEX-SHA256`: {line:?}",
                    path.display()
                ),
            )
        })?;
        let guard = Self::new(window);
        {
            let mut state = guard.lock();
            for (expiry, digest) in entries.into_iter().filter(|(expiry, _)| *expiry >= now) {
                state.digests.insert(digest.clone());
                state.by_expiry.insert((expiry, digest));
            }
            state.journal = Some(Journal::rewrite(path, &state.by_expiry)?);
        }
        Ok(guard)
    }

    /// The window.
    pub fn window(&self) -> Duration {
        Duration::from_secs(self.window.unsigned_abs())
    }

    /// How many envelopes are remembered now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().digests.len()
    }

    /// Whether `signing_time` (unix seconds) is within the window of `now`.
    pub fn fresh(&self, signing_time: i64, now: i64) -> bool {
        signing_time.abs_diff(now) <= self.window.unsigned_abs()
    }

    /// Records `digests` (of one envelope, signed at `signing_time`) unless one of them was
    /// recorded before: check and record are one step, so of two concurrent copies exactly
    /// one is admitted. With a journal the record is on disk before this returns `true`, and
    /// a shared guard's row is committed; when it cannot be written nothing is admitted.
    pub fn admit(
        &self,
        digests: &[Vec<u8>],
        signing_time: i64,
        now: i64,
    ) -> Result<bool, AdmitError> {
        let expiry = signing_time.saturating_add(self.window);
        if let Some(shared) = &self.shared {
            return Ok(shared.admit(digests, expiry, now)?);
        }
        let mut state = self.lock();
        // Forget what the time check refuses by itself now.
        while state.by_expiry.first().is_some_and(|first| first.0 < now) {
            if let Some((_, digest)) = state.by_expiry.pop_first() {
                state.digests.remove(&digest);
            }
        }
        if digests.iter().any(|d| state.digests.contains(d)) {
            return Ok(false);
        }
        let State {
            digests: seen,
            by_expiry,
            journal,
        } = &mut *state;
        if let Some(journal) = journal {
            journal.append(expiry, digests)?;
        }
        for digest in digests {
            seen.insert(digest.clone());
            by_expiry.insert((expiry, digest.clone()));
        }
        if let Some(journal) = journal
            && journal.lines > 2 * by_expiry.len() + COMPACT_SLACK
        {
            // The admission is on disk already; a failed rewrite only leaves a longer file.
            match Journal::rewrite(&journal.path, by_expiry) {
                Ok(rewritten) => *journal = rewritten,
                Err(e) => tracing::warn!(error = %e, "rewriting the replay journal failed"),
            }
        }
        Ok(true)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The sets are consistent after every statement, so a panic elsewhere leaves them usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Journal {
    /// Writes `entries` to a new file that then replaces `path` (synced, then renamed, then
    /// the directory synced), and opens it for appending.
    fn rewrite(path: &Path, entries: &BTreeSet<Entry>) -> io::Result<Self> {
        let fresh = path.with_extension("new");
        let mut text = String::with_capacity(entries.len() * 80);
        for (expiry, digest) in entries {
            text.push_str(&line(*expiry, digest));
        }
        let mut file = File::create(&fresh)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&fresh, path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        let file = OpenOptions::new().append(true).open(path)?;
        Ok(Self {
            path: path.to_owned(),
            file,
            lines: entries.len(),
        })
    }

    /// Appends one line per digest and syncs; on failure, cuts the file back to where it was
    /// so that no partial line is left before later ones.
    fn append(&mut self, expiry: i64, digests: &[Vec<u8>]) -> io::Result<()> {
        let text: String = digests.iter().map(|d| line(expiry, d)).collect();
        let before = self.file.metadata()?.len();
        let written = self
            .file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let _ = self.file.set_len(before);
            return Err(e);
        }
        self.lines += digests.len();
        Ok(())
    }
}

/// The entries of a journal's complete lines (a last line without its newline is dropped), or
/// the first line that is not an entry: its number from 1 and its text.
pub(crate) fn parse_journal(bytes: &[u8]) -> Result<Vec<Entry>, (usize, String)> {
    let Some(last) = bytes.iter().rposition(|&b| b == b'\n') else {
        return Ok(Vec::new());
    };
    bytes[..last]
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(index, line)| {
            parse_line(line).ok_or_else(|| (index + 1, String::from_utf8_lossy(line).into_owned()))
        })
        .collect()
}

/// One journal line for `digest`.
pub(crate) fn line(expiry: i64, digest: &[u8]) -> String {
    format!("{expiry} {}\n", hex::encode(digest))
}

/// `EXPIRY HEX` (a SHA-256, lowercase).
fn parse_line(line: &[u8]) -> Option<Entry> {
    let text = std::str::from_utf8(line).ok()?;
    let (expiry, digest) = text.split_once(' ')?;
    let expiry = expiry.parse().ok()?;
    let mut bytes = [0u8; 32];
    if digest.len() != 64 || digest.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode_to_slice(digest, &mut bytes).ok()?;
    Some((expiry, bytes.to_vec()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn digest(n: u8) -> Vec<Vec<u8>> {
        vec![vec![n; 32]]
    }

    #[test]
    fn the_guard_admits_one_of_concurrent_copies() {
        let guard = ReplayGuard::new(Duration::from_secs(60));
        let digest = vec![vec![7u8; 32]];
        let admitted = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| guard.admit(&digest, 1000, 1000).unwrap()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(|admitted| *admitted)
                .count()
        });
        assert_eq!(admitted, 1);
        assert!(guard.fresh(1060, 1000) && !guard.fresh(1061, 1000));
        assert!(!guard.admit(&digest, 1000, 1060).unwrap());
        // At 1061 the entry (expiring at 1060) is dropped.
        assert!(guard.admit(&digest, 1001, 1061).unwrap());
        assert_eq!(guard.len(), 1);
    }

    #[test]
    fn a_restart_remembers_what_was_admitted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signed-requests");
        let guard = ReplayGuard::open(&path, MINUTE, 1000).unwrap();
        assert!(guard.admit(&digest(1), 1000, 1000).unwrap());
        assert!(
            guard
                .admit(&[vec![2; 32], vec![3; 32]], 1010, 1010)
                .unwrap()
        );
        drop(guard);
        let guard = ReplayGuard::open(&path, MINUTE, 1020).unwrap();
        assert_eq!(guard.len(), 3);
        for n in 1..=3 {
            assert!(!guard.admit(&digest(n), 1000, 1020).unwrap(), "{n}");
        }
        drop(guard);
        // Opened after the first envelope's window: only the second is kept, and the file
        // is rewritten without the first.
        let guard = ReplayGuard::open(&path, MINUTE, 1065).unwrap();
        assert_eq!(guard.len(), 2);
        assert!(guard.admit(&digest(1), 1065, 1065).unwrap());
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.starts_with(&format!("1070 {}\n", "02".repeat(32))),
            "{text}"
        );
    }

    #[test]
    fn a_cut_last_line_is_dropped_and_damage_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signed-requests");
        let whole = format!("1060 {}\n", "0a".repeat(32));
        fs::write(&path, format!("{whole}1060 {}", &"0b".repeat(32)[..20])).unwrap();
        let guard = ReplayGuard::open(&path, MINUTE, 1000).unwrap();
        assert_eq!(guard.len(), 1);
        assert!(!guard.admit(&digest(10), 1000, 1000).unwrap());
        assert!(guard.admit(&digest(11), 1000, 1000).unwrap());
        drop(guard);
        for bad in [
            format!("{whole}garbage\n"),
            format!("{whole}1060 {}\n", "0B".repeat(32)),
            format!("{whole}1060 {}\n", "0b".repeat(31)),
            format!("{whole}\n{whole}"),
            format!("x{}\n", &whole[1..]),
        ] {
            fs::write(&path, &bad).unwrap();
            let e = ReplayGuard::open(&path, MINUTE, 1000).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{bad}");
            assert!(e.to_string().contains("signed-requests line"), "{e}");
            // Nothing was rewritten.
            assert_eq!(fs::read_to_string(&path).unwrap(), bad);
        }
        // No file, or an empty one, is an empty journal.
        fs::write(&path, "").unwrap();
        assert_eq!(ReplayGuard::open(&path, MINUTE, 1000).unwrap().len(), 0);
        fs::remove_file(&path).unwrap();
        assert_eq!(ReplayGuard::open(&path, MINUTE, 1000).unwrap().len(), 0);
        assert!(path.exists());
    }

    #[test]
    fn the_journal_is_rewritten_when_expired_lines_outnumber_the_live() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signed-requests");
        let window = Duration::from_secs(1);
        let guard = ReplayGuard::open(&path, window, 0).unwrap();
        let count = 2 * COMPACT_SLACK;
        for n in 0..count {
            let at = n as i64 * 10;
            let mut digest = vec![0u8; 32];
            digest[..8].copy_from_slice(&(n as u64).to_le_bytes());
            assert!(guard.admit(&[digest], at, at).unwrap());
        }
        // One entry is live at a time, so the file never grew past the slack.
        let lines = fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= COMPACT_SLACK + 3, "{lines} lines");
        assert_eq!(guard.len(), 1);
    }
}
