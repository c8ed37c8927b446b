//! Checkpoints (C2SP tlog-checkpoint, <https://c2sp.org/tlog-checkpoint>): the signed
//! statement "the log named *origin* has *size* entries with Merkle root *root*".
//!
//! The body is the origin, the tree size in decimal, the root in standard padded base64, and
//! optional non-empty extension lines, each ending in a newline. It travels as the text of a
//! signed note (see [`super::note`]), signed with the vault's Ed25519 key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::merkle::Hash;
use super::note::{NoteError, Signer, VerifierKey, open_note};

/// The longest checkpoint body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 16 << 10;

/// The most extension lines accepted after the root hash.
pub const MAX_EXTENSION_LINES: usize = 64;

/// Why a checkpoint could not be written, read or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The signed note around the body is malformed or does not verify.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The body is longer than accepted.
    #[error("checkpoint body of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body does not end in a newline.
    #[error("checkpoint body does not end in a newline")]
    MissingFinalNewline,
    /// A line holds a control character (a newline inside a field, for instance).
    #[error("checkpoint line {line} holds a control character")]
    ControlCharacter {
        /// The line's number, from 1.
        line: usize,
    },
    /// The body has fewer than the three mandatory lines.
    #[error("checkpoint body has {0} lines, fewer than origin, size and root hash")]
    TooFewLines(usize),
    /// The body has more extension lines than accepted.
    #[error("checkpoint has {count} extension lines, more than {max}")]
    TooManyExtensions {
        /// The number of extension lines.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The origin line is empty.
    #[error("checkpoint origin is empty")]
    EmptyOrigin,
    /// The tree size is not canonical decimal or does not fit 64 bits.
    #[error("tree size {0:?} is not a decimal number without leading zeroes below 2^64")]
    InvalidSize(String),
    /// The root hash line is not standard padded base64.
    #[error("root hash {0:?} is not standard padded base64")]
    BadRootBase64(String),
    /// The root hash does not decode to 32 bytes.
    #[error("root hash is {0} bytes long, not 32")]
    RootLength(usize),
    /// An extension line is empty.
    #[error("checkpoint line {line} is an empty extension line")]
    EmptyExtension {
        /// The line's number, from 1.
        line: usize,
    },
}

/// A log's tree head: its origin (the log's name), size and root hash, and opaque extension
/// lines (not recommended by the specification; empty for the vault's own checkpoints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, a non-empty line; by convention a schema-less URL.
    pub origin: String,
    /// The number of entries in the tree.
    pub size: u64,
    /// The RFC 6962 Merkle tree hash of those entries.
    pub root: Hash,
    /// Extension lines, each non-empty.
    pub extensions: Vec<String>,
}

/// Checks that a line holds no ASCII control character (below U+0020, newline included).
fn check_line(text: &str, line: usize) -> Result<(), CheckpointError> {
    if text.bytes().any(|b| b < 0x20) {
        return Err(CheckpointError::ControlCharacter { line });
    }
    Ok(())
}

/// The tree size: ASCII digits, no leading zero unless it is `0`, at most `u64::MAX`.
fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    let invalid = || CheckpointError::InvalidSize(line.to_owned());
    if line.is_empty()
        || !line.bytes().all(|b| b.is_ascii_digit())
        || (line.len() > 1 && line.starts_with('0'))
    {
        return Err(invalid());
    }
    line.parse().map_err(|_| invalid())
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text: origin, size, root hash and extension lines, each ending in a newline.
    /// Refuses a checkpoint that [`Checkpoint::parse_body`] would not read back identically.
    pub fn to_body(&self) -> Result<String, CheckpointError> {
        if self.origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        check_line(&self.origin, 1)?;
        if self.extensions.len() > MAX_EXTENSION_LINES {
            return Err(CheckpointError::TooManyExtensions {
                count: self.extensions.len(),
                max: MAX_EXTENSION_LINES,
            });
        }
        for (i, extension) in self.extensions.iter().enumerate() {
            if extension.is_empty() {
                return Err(CheckpointError::EmptyExtension { line: i + 4 });
            }
            check_line(extension, i + 4)?;
        }
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.as_bytes())
        );
        for extension in &self.extensions {
            body.push_str(extension);
            body.push('\n');
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(CheckpointError::TooLarge {
                len: body.len(),
                max: MAX_BODY_BYTES,
            });
        }
        Ok(body)
    }

    /// Reads a checkpoint body strictly: exactly the form [`Checkpoint::to_body`] writes.
    pub fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(CheckpointError::TooLarge {
                len: body.len(),
                max: MAX_BODY_BYTES,
            });
        }
        let Some(body) = body.strip_suffix('\n') else {
            return Err(CheckpointError::MissingFinalNewline);
        };
        let lines: Vec<&str> = body.split('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            check_line(line, i + 1)?;
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines(lines.len()));
        };
        if extensions.len() > MAX_EXTENSION_LINES {
            return Err(CheckpointError::TooManyExtensions {
                count: extensions.len(),
                max: MAX_EXTENSION_LINES,
            });
        }
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let size = parse_size(size)?;
        let raw = STANDARD
            .decode(root)
            .map_err(|_| CheckpointError::BadRootBase64((*root).to_owned()))?;
        let root = Hash::from_slice(&raw).ok_or(CheckpointError::RootLength(raw.len()))?;
        if let Some(i) = extensions.iter().position(|e| e.is_empty()) {
            return Err(CheckpointError::EmptyExtension { line: i + 4 });
        }
        Ok(Self {
            origin: (*origin).to_owned(),
            size,
            root,
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
        })
    }

    /// The signed note of this checkpoint: its body, a blank line and `signer`'s signature line.
    pub fn sign(&self, signer: &Signer) -> Result<String, CheckpointError> {
        Ok(signer.sign_note(&self.to_body()?)?)
    }

    /// Reads a signed checkpoint: checks the note's syntax, verifies the signature by `key`
    /// (signatures by other keys, such as witnesses' cosignatures, are ignored), then parses the
    /// body. The caller decides whether the origin is the log it expects.
    pub fn open<T: AsRef<[u8]> + ?Sized>(
        note: &T,
        key: &VerifierKey,
    ) -> Result<Self, CheckpointError> {
        Self::parse_body(open_note(note, key)?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::audit::merkle::hash_leaf;

    fn signer() -> Signer {
        Signer::from_pkcs8("qoima.example/log", &Signer::generate_pkcs8().unwrap()).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint::new("qoima.example/log", 20852163, hash_leaf(b"x"))
    }

    #[test]
    fn reads_the_c2sp_example_body() {
        // The example of c2sp.org/tlog-checkpoint (github.com/C2SP/C2SP, tlog-checkpoint.md).
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let c = Checkpoint::parse_body(body).unwrap();
        assert_eq!(c.origin, "example.com/behind-the-sofa");
        assert_eq!(c.size, 20852163);
        assert_eq!(
            c.root.to_string(),
            "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62"
        );
        assert!(c.extensions.is_empty());
        assert_eq!(c.to_body().unwrap(), body);
    }

    #[test]
    fn bodies_round_trip() {
        let mut c = checkpoint();
        assert_eq!(Checkpoint::parse_body(&c.to_body().unwrap()).unwrap(), c);
        c.extensions = vec!["ext one".into(), "второе".into()];
        let body = c.to_body().unwrap();
        assert!(body.ends_with("\next one\nвторое\n"));
        assert_eq!(Checkpoint::parse_body(&body).unwrap(), c);
        for size in [0, 1, 9, 10, u64::MAX] {
            let c = Checkpoint::new("o", size, hash_leaf(b""));
            assert_eq!(Checkpoint::parse_body(&c.to_body().unwrap()).unwrap(), c);
        }
    }

    #[test]
    fn signed_checkpoints_round_trip() {
        let signer = signer();
        let c = checkpoint();
        let note = c.sign(&signer).unwrap();
        assert!(note.starts_with(&c.to_body().unwrap()));
        assert!(note.contains("\n\n\u{2014} qoima.example/log "));
        let key: VerifierKey = signer.verifier_key().to_string().parse().unwrap();
        assert_eq!(Checkpoint::open(&note, &key).unwrap(), c);
        assert_eq!(Checkpoint::open(note.as_bytes(), &key).unwrap(), c);

        // A witness's cosignature line after the log's is ignored.
        let witness = Signer::from_pkcs8("witness.example", &Signer::generate_pkcs8().unwrap())
            .unwrap()
            .sign_note(&c.to_body().unwrap())
            .unwrap();
        let cosigned = format!("{note}{}", witness.rsplit("\n\n").next().unwrap());
        assert_eq!(Checkpoint::open(&cosigned, &key).unwrap(), c);
    }

    #[test]
    fn open_rejects_notes_that_do_not_verify() {
        let signer = signer();
        let key = signer.verifier_key().clone();
        let note = checkpoint().sign(&signer).unwrap();
        let body = checkpoint().to_body().unwrap();

        // Missing signature.
        assert_eq!(
            Checkpoint::open(&body, &key),
            Err(CheckpointError::Note(NoteError::NoSignatures))
        );
        // Bad base64 in the signature.
        let bad64 = note.replace(" qoima.example/log ", " qoima.example/log !");
        assert_eq!(
            Checkpoint::open(&bad64, &key),
            Err(CheckpointError::Note(NoteError::BadBase64 {
                what: "signature"
            }))
        );
        // Another key under the same name: wrong key ID, so no signature by this key.
        let other = signer.verifier_key().to_string();
        let impostor = Signer::from_pkcs8("qoima.example/log", &Signer::generate_pkcs8().unwrap())
            .unwrap()
            .verifier_key()
            .clone();
        assert_ne!(impostor.to_string(), other);
        assert_eq!(
            Checkpoint::open(&note, &impostor),
            Err(CheckpointError::Note(NoteError::NoSignatureByKey {
                key: format!("qoima.example/log+{:08x}", impostor.key_id())
            }))
        );
        // A changed body: bad signature.
        let forged = note.replace("\n20852163\n", "\n20852164\n");
        assert_eq!(
            Checkpoint::open(&forged, &key),
            Err(CheckpointError::Note(NoteError::BadSignature {
                key: format!("qoima.example/log+{:08x}", key.key_id())
            }))
        );
        // A signed note whose text is not a checkpoint.
        let prose = signer.sign_note("just\nsome text\n").unwrap();
        assert_eq!(
            Checkpoint::open(&prose, &key),
            Err(CheckpointError::TooFewLines(2))
        );
        let prose = signer.sign_note("just\nsome\ntext\n").unwrap();
        assert_eq!(
            Checkpoint::open(&prose, &key),
            Err(CheckpointError::InvalidSize("some".into()))
        );
        // Too long.
        let huge = format!("{}{note}", "x".repeat(super::super::note::MAX_NOTE_BYTES));
        assert!(matches!(
            Checkpoint::open(&huge, &key),
            Err(CheckpointError::Note(NoteError::TooLarge { .. }))
        ));
    }

    #[test]
    fn parse_body_is_strict() {
        let root = STANDARD.encode([7u8; 32]);
        let ok = |size: &str| format!("o\n{size}\n{root}\n");
        assert!(Checkpoint::parse_body(&ok("0")).is_ok());
        assert!(Checkpoint::parse_body(&ok("18446744073709551615")).is_ok());
        for size in [
            "01",
            "00",
            "",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1e3",
            "0x10",
            "18446744073709551616",
            "١",
        ] {
            assert_eq!(
                Checkpoint::parse_body(&ok(size)),
                Err(CheckpointError::InvalidSize(size.into())),
                "{size:?}"
            );
        }
        // Root hash: not base64, unpadded, or not 32 bytes.
        for bad in [
            "!!!!",
            "AAAA AAA=",
            &root[..root.len() - 1],
            &root.replace('=', ""),
        ] {
            assert_eq!(
                Checkpoint::parse_body(&format!("o\n1\n{bad}\n")),
                Err(CheckpointError::BadRootBase64(bad.to_owned())),
                "{bad:?}"
            );
        }
        let short = STANDARD.encode([7u8; 31]);
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{short}\n")),
            Err(CheckpointError::RootLength(31))
        );
        let long = STANDARD.encode([7u8; 33]);
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{long}\n")),
            Err(CheckpointError::RootLength(33))
        );
        assert_eq!(
            Checkpoint::parse_body("o\n1\n\n"),
            Err(CheckpointError::RootLength(0))
        );
        // Lines.
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{root}")),
            Err(CheckpointError::MissingFinalNewline)
        );
        assert_eq!(
            Checkpoint::parse_body("o\n1\n"),
            Err(CheckpointError::TooFewLines(2))
        );
        assert_eq!(
            Checkpoint::parse_body(""),
            Err(CheckpointError::MissingFinalNewline)
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("\n1\n{root}\n")),
            Err(CheckpointError::EmptyOrigin)
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{root}\next\n\n")),
            Err(CheckpointError::EmptyExtension { line: 5 })
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\r\n1\n{root}\n")),
            Err(CheckpointError::ControlCharacter { line: 1 })
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{root}\n\tx\n")),
            Err(CheckpointError::ControlCharacter { line: 4 })
        );
        let many = format!("o\n1\n{root}\n{}", "e\n".repeat(MAX_EXTENSION_LINES + 1));
        assert_eq!(
            Checkpoint::parse_body(&many),
            Err(CheckpointError::TooManyExtensions {
                count: MAX_EXTENSION_LINES + 1,
                max: MAX_EXTENSION_LINES
            })
        );
        let huge = format!("{}\n1\n{root}\n", "o".repeat(MAX_BODY_BYTES));
        assert_eq!(
            Checkpoint::parse_body(&huge),
            Err(CheckpointError::TooLarge {
                len: huge.len(),
                max: MAX_BODY_BYTES
            })
        );
    }

    #[test]
    fn to_body_refuses_what_parse_body_would_not_read_back() {
        let mut c = checkpoint();
        c.origin = String::new();
        assert_eq!(c.to_body(), Err(CheckpointError::EmptyOrigin));
        c.origin = "two\nlines".into();
        assert_eq!(
            c.to_body(),
            Err(CheckpointError::ControlCharacter { line: 1 })
        );
        let mut c = checkpoint();
        c.extensions = vec!["fine".into(), String::new()];
        assert_eq!(
            c.to_body(),
            Err(CheckpointError::EmptyExtension { line: 5 })
        );
        c.extensions = vec!["a\nb".into()];
        assert_eq!(
            c.to_body(),
            Err(CheckpointError::ControlCharacter { line: 4 })
        );
        c.extensions = vec!["e".into(); MAX_EXTENSION_LINES + 1];
        assert!(matches!(
            c.to_body(),
            Err(CheckpointError::TooManyExtensions { .. })
        ));
        let mut c = checkpoint();
        c.origin = "o".repeat(MAX_BODY_BYTES);
        assert!(matches!(c.to_body(), Err(CheckpointError::TooLarge { .. })));
        assert!(matches!(
            c.sign(&signer()),
            Err(CheckpointError::TooLarge { .. })
        ));
    }
}
