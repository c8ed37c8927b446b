//! The vault's checkpoint signing key, created on first start and kept in the data directory
//! (`docs/records.md`, "Audit log"):
//!
//! - `<dir>/key.pk8`: the Ed25519 private key, PKCS#8 (RFC 5958), readable by the owner only;
//! - `<dir>/origin`: the log's origin line (C2SP tlog-checkpoint), `qoima/<16 random hex
//!   bytes>`, unique per vault so that checkpoints of two vaults are never confused.
//!
//! Both are written to a temporary file, synced and renamed, so a crash leaves either no key
//! or a whole one; a vault never silently replaces its key (that would orphan every
//! checkpoint an auditor holds).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::note::{NoteError, Signer};

/// Why the key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Reading or writing the key files failed.
    #[error("audit key in {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The stored key or origin is not valid.
    #[error("audit key in {path}: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The key could not be generated or used.
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// Loads the signing key kept in `dir`, creating it (and `dir`) on first use.
pub fn load_or_create(dir: &Path) -> Result<Signer, KeyError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| KeyError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let key_path = dir.join("key.pk8");
    let origin_path = dir.join("origin");
    if !origin_path.exists() {
        let mut random = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random).map_err(
            |_| KeyError::Invalid {
                path: origin_path.clone(),
                why: "the system random generator failed".into(),
            },
        )?;
        write_new(
            &origin_path,
            format!("qoima/{}", hex::encode(random)).as_bytes(),
        )?;
    }
    if !key_path.exists() {
        write_new(&key_path, &Signer::generate_pkcs8()?)?;
    }
    let origin = fs::read_to_string(&origin_path).map_err(io(&origin_path))?;
    let origin = origin.trim_end_matches('\n');
    if origin.is_empty() || origin.contains(['\n', '+', ' ']) {
        return Err(KeyError::Invalid {
            path: origin_path,
            why: "the origin must be one line without spaces or '+'".into(),
        });
    }
    let pkcs8 = fs::read(&key_path).map_err(io(&key_path))?;
    Signer::from_pkcs8(origin, &pkcs8).map_err(|e| KeyError::Invalid {
        path: key_path,
        why: e.to_string(),
    })
}

/// Writes `bytes` to a new file at `path` (owner-only), through a synced temporary file.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension("tmp");
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    fs::rename(&tmp, path).map_err(io)?;
    if let Some(parent) = path.parent() {
        fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::audit::checkpoint::Checkpoint;
    use crate::audit::merkle::EMPTY_ROOT;

    #[test]
    fn the_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit");
        let first = load_or_create(&audit).unwrap();
        let again = load_or_create(&audit).unwrap();
        assert_eq!(first.verifier_key(), again.verifier_key());
        assert!(first.name().starts_with("qoima/"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(audit.join("key.pk8"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        let note = Checkpoint::new(first.name(), 0, EMPTY_ROOT)
            .sign(&first)
            .unwrap();
        Checkpoint::open(&note, again.verifier_key()).unwrap();
        // Another vault has another key and origin.
        let other = load_or_create(&dir.path().join("other")).unwrap();
        assert_ne!(other.verifier_key(), first.verifier_key());
        assert!(Checkpoint::open(&note, other.verifier_key()).is_err());
    }

    #[test]
    fn a_damaged_key_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        load_or_create(dir.path()).unwrap();
        fs::write(dir.path().join("key.pk8"), b"garbage").unwrap();
        let err = load_or_create(dir.path()).unwrap_err();
        assert!(matches!(err, KeyError::Invalid { .. }), "{err}");
        assert_eq!(fs::read(dir.path().join("key.pk8")).unwrap(), b"garbage");
    }
}
