//! Signed notes (C2SP signed-note, <https://c2sp.org/signed-note>) with Ed25519 keys, in the
//! format of Go's `golang.org/x/mod/sumdb/note`, which other transparency-log tools read.
//!
//! A signed note is a text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> <base64(4-byte key ID || signature)>`. An Ed25519 key's ID is the first four
//! bytes of `SHA-256(name || 0x0A || 0x01 || public key)`, and its verifier key is written
//! `<name>+<key ID in hex>+<base64(0x01 || public key)>`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use sha2::{Digest, Sha256};

/// The largest signed note accepted, in bytes. The signed-note specification asks verifiers
/// to accept at least 16 signatures of up to about 5 kB each; this leaves ample room.
pub const MAX_NOTE_BYTES: usize = 256 << 10;

/// The most signature lines accepted in one note (as Go's `note.Open`).
pub const MAX_SIGNATURES: usize = 100;

/// The signature type identifier byte of Ed25519 (signed-note, "Signature types").
const ALG_ED25519: u8 = 0x01;

/// The start of every signature line: an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Why a note could not be signed, read or verified, or a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is longer than this implementation accepts.
    #[error("note of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The note's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8")]
    NotUtf8,
    /// The note holds an ASCII control character other than newline.
    #[error("note holds a control character at byte {offset}")]
    ControlCharacter {
        /// Byte offset of the character.
        offset: usize,
    },
    /// The note text is empty.
    #[error("note text is empty")]
    EmptyText,
    /// The note or its text does not end in a newline.
    #[error("note does not end in a newline")]
    MissingFinalNewline,
    /// No blank line followed by signature lines ends the note.
    #[error("note has no signature lines after a blank line")]
    NoSignatures,
    /// The note has more signature lines than accepted.
    #[error("note has more than {max} signature lines")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// A signature line is not `— <name> <base64>`.
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignatureLine {
        /// The line's number among the signature lines, from 1.
        line: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key name is empty or holds a space or a plus sign.
    #[error("invalid key name {0:?}: it must be non-empty, without spaces or '+'")]
    InvalidKeyName(String),
    /// A field is not standard, padded base64.
    #[error("{what} is not standard padded base64")]
    BadBase64 {
        /// The field.
        what: &'static str,
    },
    /// No signature line carries the verifier key's name and key ID.
    #[error("note has no signature by key {key}")]
    NoSignatureByKey {
        /// The key, as `<name>+<key ID>`.
        key: String,
    },
    /// A signature line of the verifier key does not verify.
    #[error("invalid signature by key {key}")]
    BadSignature {
        /// The key, as `<name>+<key ID>`.
        key: String,
    },
    /// A verifier key string is not `<name>+<key ID>+<base64 key>`.
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(&'static str),
    /// A verifier key names a signature algorithm other than Ed25519.
    #[error("unsupported signature type {0:#04x}: only Ed25519 (0x01) is supported")]
    UnsupportedKeyType(u8),
    /// A verifier key's stated key ID is not the ID of its key.
    #[error("verifier key ID {stated:08x} does not match its key, whose ID is {computed:08x}")]
    KeyIdMismatch {
        /// The ID written in the key string.
        stated: u32,
        /// The ID computed from the name and key.
        computed: u32,
    },
    /// A private key could not be read.
    #[error("invalid Ed25519 private key: {0}")]
    PrivateKeyRejected(String),
    /// The system random generator failed.
    #[error("the system random number generator failed")]
    Random,
}

/// A key name is non-empty and holds no Unicode space and no plus sign (signed-note, "Format").
fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::InvalidKeyName(name.to_owned()));
    }
    Ok(())
}

/// Finds an ASCII control character other than newline.
fn check_controls(text: &str) -> Result<(), NoteError> {
    match text.bytes().position(|b| b < 0x20 && b != b'\n') {
        Some(offset) => Err(NoteError::ControlCharacter { offset }),
        None => Ok(()),
    }
}

/// `SHA-256(name || 0x0A || 0x01 || public key)[:4]`, big-endian (signed-note, "Ed25519").
fn ed25519_key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', ALG_ED25519])
        .chain_update(public_key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The public half of a note signing key: what an auditor configures to check checkpoints.
///
/// Written and read as Go's note verifier key: `<name>+<8 hex digits of key ID>+<base64(0x01 ||
/// 32-byte Ed25519 public key)>`. The key ID must be lowercase, as Go writes it.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    public_key: [u8; 32],
}

impl VerifierKey {
    /// The verifier key of an Ed25519 public key under `name`.
    pub fn ed25519(name: &str, public_key: [u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: ed25519_key_id(name, &public_key),
            public_key,
        })
    }

    /// The key name, as it appears in signature lines.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID, as it starts each signature by this key.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public_key
    }

    /// `<name>+<key ID>`, which names the key in errors.
    fn label(&self) -> String {
        format!("{}+{:08x}", self.name, self.key_id)
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.public_key)
            .verify(message, signature)
            .is_ok()
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut key = Vec::with_capacity(33);
        key.push(ALG_ED25519);
        key.extend_from_slice(&self.public_key);
        write!(f, "{}+{}", self.label(), STANDARD.encode(key))
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl FromStr for VerifierKey {
    type Err = NoteError;

    fn from_str(s: &str) -> Result<Self, NoteError> {
        // The base64 key may itself hold '+'; the name and the ID may not.
        let mut parts = s.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedVerifierKey(
                "expected <name>+<key ID>+<base64 key>",
            ));
        };
        check_name(name)?;
        if id.len() != 8 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(NoteError::MalformedVerifierKey(
                "the key ID is not 8 lowercase hexadecimal digits",
            ));
        }
        let stated = u32::from_str_radix(id, 16)
            .map_err(|_| NoteError::MalformedVerifierKey("the key ID is not hexadecimal"))?;
        let key = STANDARD.decode(key).map_err(|_| NoteError::BadBase64 {
            what: "verifier key",
        })?;
        let Some((&alg, public_key)) = key.split_first() else {
            return Err(NoteError::MalformedVerifierKey("the key is empty"));
        };
        if alg != ALG_ED25519 {
            return Err(NoteError::UnsupportedKeyType(alg));
        }
        let public_key: [u8; 32] = public_key.try_into().map_err(|_| {
            NoteError::MalformedVerifierKey("an Ed25519 public key is 32 bytes long")
        })?;
        let verifier = Self::ed25519(name, public_key)?;
        if verifier.key_id != stated {
            return Err(NoteError::KeyIdMismatch {
                stated,
                computed: verifier.key_id,
            });
        }
        Ok(verifier)
    }
}

/// An Ed25519 note signing key and its name.
pub struct Signer {
    key_pair: Ed25519KeyPair,
    verifier: VerifierKey,
}

impl Signer {
    /// A new Ed25519 private key from the system's random generator, as PKCS#8 v2 bytes: what
    /// to keep (secretly) and pass to [`Signer::from_pkcs8`].
    pub fn generate_pkcs8() -> Result<Vec<u8>, NoteError> {
        let document =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| NoteError::Random)?;
        Ok(document.as_ref().to_vec())
    }

    /// The signer of the key in `pkcs8` (PKCS#8 v2, as [`Signer::generate_pkcs8`] makes) under
    /// key name `name`.
    pub fn from_pkcs8(name: &str, pkcs8: &[u8]) -> Result<Self, NoteError> {
        let key_pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|e| NoteError::PrivateKeyRejected(e.to_string()))?;
        Self::from_key_pair(name, key_pair)
    }

    fn from_key_pair(name: &str, key_pair: Ed25519KeyPair) -> Result<Self, NoteError> {
        let public_key: [u8; 32] = key_pair
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| NoteError::PrivateKeyRejected("public key is not 32 bytes".into()))?;
        let verifier = VerifierKey::ed25519(name, public_key)?;
        Ok(Self { key_pair, verifier })
    }

    /// The key name written in signature lines.
    pub fn name(&self) -> &str {
        self.verifier.name()
    }

    /// The verifier key to give to whoever checks this signer's notes.
    pub fn verifier_key(&self) -> &VerifierKey {
        &self.verifier
    }

    /// Signs `text` (non-empty, ending in a newline, without control characters other than
    /// newline) and returns the signed note: the text, a blank line and one signature line.
    pub fn sign_note(&self, text: &str) -> Result<String, NoteError> {
        if text.is_empty() {
            return Err(NoteError::EmptyText);
        }
        if !text.ends_with('\n') {
            return Err(NoteError::MissingFinalNewline);
        }
        check_controls(text)?;
        let signature = self.key_pair.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(4 + signature.as_ref().len());
        raw.extend_from_slice(&self.verifier.key_id.to_be_bytes());
        raw.extend_from_slice(signature.as_ref());
        let note = format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.verifier.name,
            STANDARD.encode(raw)
        );
        if note.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len: note.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        Ok(note)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private key.
        write!(f, "Signer({})", self.verifier)
    }
}

/// One parsed signature line.
struct SignatureLine<'a> {
    name: &'a str,
    key_id: u32,
    signature: Vec<u8>,
}

/// Splits a signed note into its text and signature lines, checking the syntax only.
fn parse(note: &[u8]) -> Result<(&str, Vec<SignatureLine<'_>>), NoteError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge {
            len: note.len(),
            max: MAX_NOTE_BYTES,
        });
    }
    let note = std::str::from_utf8(note).map_err(|_| NoteError::NotUtf8)?;
    check_controls(note)?;
    if !note.ends_with('\n') {
        return Err(NoteError::MissingFinalNewline);
    }
    // The text ends at the last blank line; it keeps its final newline.
    let split = note.rfind("\n\n").ok_or(NoteError::NoSignatures)?;
    let (text, block) = (&note[..=split], &note[split + 2..]);
    let Some(block) = block.strip_suffix('\n') else {
        return Err(NoteError::NoSignatures);
    };
    let lines: Vec<&str> = block.split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures {
            max: MAX_SIGNATURES,
        });
    }
    let mut signatures = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        let malformed = |reason| NoteError::MalformedSignatureLine {
            line: i + 1,
            reason,
        };
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(malformed("it does not start with an em dash and a space"))?;
        let (name, encoded) = rest.split_once(' ').ok_or(malformed(
            "no space separates the key name from the signature",
        ))?;
        check_name(name)?;
        let raw = STANDARD
            .decode(encoded)
            .map_err(|_| NoteError::BadBase64 { what: "signature" })?;
        if raw.len() < 5 {
            return Err(malformed(
                "the signature is shorter than a key ID and one byte",
            ));
        }
        let (id, signature) = raw.split_at(4);
        signatures.push(SignatureLine {
            name,
            key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
            signature: signature.to_vec(),
        });
    }
    Ok((text, signatures))
}

/// Checks that `note` is a well-formed signed note carrying a valid signature by `key`, and
/// returns its text (with its final newline).
///
/// Signatures by other keys, including keys that share only the name or only the key ID, are
/// ignored (signed-note, "Signatures"). Every signature line by `key` must verify.
pub fn open_note<'a, T: AsRef<[u8]> + ?Sized>(
    note: &'a T,
    key: &VerifierKey,
) -> Result<&'a str, NoteError> {
    let (text, signatures) = parse(note.as_ref())?;
    let mut verified = false;
    for line in &signatures {
        if line.name != key.name || line.key_id != key.key_id {
            continue;
        }
        if !key.verifies(text.as_bytes(), &line.signature) {
            return Err(NoteError::BadSignature { key: key.label() });
        }
        verified = true;
    }
    if !verified {
        return Err(NoteError::NoSignatureByKey { key: key.label() });
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    //! Known answers from Go's `golang.org/x/mod/sumdb/note`, file `sumdb/note/note_test.go`
    //! (github.com/golang/mod, commit 02c991387e35f9e4c0a9b7ce137717055f8d716d, BSD-3-Clause):
    //! its keys, its text, and the signatures `TestSign` and `TestOpen` expect.

    use super::*;

    const PETER_KEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_KEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    /// Go's private key encoding: base64 of 0x01 and the 32-byte Ed25519 seed.
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> VerifierKey {
        PETER_KEY.parse().unwrap()
    }

    fn peter_signer() -> Signer {
        // PRIVATE+KEY+<name>+<key ID>+<base64>, whose base64 may hold '+'.
        let encoded = PETER_SKEY.splitn(5, '+').last().unwrap();
        let raw = STANDARD.decode(encoded).unwrap();
        assert_eq!(raw[0], ALG_ED25519);
        let pair = Ed25519KeyPair::from_seed_unchecked(&raw[1..]).unwrap();
        Signer::from_key_pair("PeterNeumann", pair).unwrap()
    }

    #[test]
    fn go_verifier_keys_parse_and_print_back() {
        for vkey in [PETER_KEY, ENOCH_KEY] {
            let key: VerifierKey = vkey.parse().unwrap();
            assert_eq!(key.to_string(), vkey);
        }
        let key = peter();
        assert_eq!(key.name(), "PeterNeumann");
        assert_eq!(key.key_id(), 0xc74f20a3);
        assert_eq!(
            VerifierKey::ed25519("PeterNeumann", *key.public_key()).unwrap(),
            key
        );
    }

    #[test]
    fn signs_the_go_text_byte_for_byte() {
        let signer = peter_signer();
        assert_eq!(signer.verifier_key().to_string(), PETER_KEY);
        assert_eq!(
            signer.sign_note(TEXT).unwrap(),
            format!("{TEXT}\n{PETER_SIG}")
        );
    }

    #[test]
    fn opens_go_signed_notes() {
        let both = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        assert_eq!(open_note(&both, &peter()), Ok(TEXT));
        let enoch: VerifierKey = ENOCH_KEY.parse().unwrap();
        assert_eq!(open_note(&both, &enoch), Ok(TEXT));
        assert_eq!(open_note(both.as_bytes(), &enoch), Ok(TEXT));
        // Only Enoch's signature: Peter's key finds none.
        assert_eq!(
            open_note(&format!("{TEXT}\n{ENOCH_SIG}"), &peter()),
            Err(NoteError::NoSignatureByKey {
                key: "PeterNeumann+c74f20a3".into()
            })
        );
        // Duplicated lines are fine when all verify.
        let twice = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}");
        assert_eq!(open_note(&twice, &peter()), Ok(TEXT));
    }

    #[test]
    fn rejects_what_go_rejects() {
        // Go's "Invalid signature": four characters inserted into Peter's signature.
        let broken = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        assert_eq!(
            open_note(&format!("{TEXT}\n{broken}"), &peter()),
            Err(NoteError::BadSignature {
                key: "PeterNeumann+c74f20a3".into()
            })
        );
        // A bad signature by the known key rejects the note even next to a good one.
        assert!(matches!(
            open_note(&format!("{TEXT}\n{PETER_SIG}{broken}"), &peter()),
            Err(NoteError::BadSignature { .. })
        ));
        // Go's "Check too many signatures".
        assert_eq!(
            open_note(&format!("{TEXT}\n{}", PETER_SIG.repeat(101)), &peter()),
            Err(NoteError::TooManySignatures { max: 100 })
        );
        // Go's "Invalid encoded message syntax".
        let p = peter();
        assert_eq!(open_note(TEXT, &p), Err(NoteError::NoSignatures));
        assert_eq!(
            open_note(&format!("{TEXT}\n"), &p),
            Err(NoteError::NoSignatures)
        );
        assert_eq!(
            open_note(
                &format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
                &p
            ),
            Err(NoteError::MissingFinalNewline)
        );
        assert_eq!(
            open_note(&format!("\x01{TEXT}\n{PETER_SIG}"), &p),
            Err(NoteError::ControlCharacter { offset: 0 })
        );
        let mut not_utf8 = vec![0xff];
        not_utf8.extend_from_slice(format!("{TEXT}\n{PETER_SIG}").as_bytes());
        assert_eq!(open_note(&not_utf8, &p), Err(NoteError::NotUtf8));
        assert!(matches!(
            open_note(
                &format!(
                    "{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
                ),
                &p
            ),
            Err(NoteError::BadBase64 { .. })
        ));
        assert_eq!(
            open_note(&format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"), &p),
            Err(NoteError::MalformedSignatureLine {
                line: 2,
                reason: "it does not start with an em dash and a space"
            })
        );
        // Go's "Verifiers returns a Verifier for the wrong name or hash": a line with another
        // name, or another key ID, is not Peter's.
        for other in [
            PETER_SIG.replace("PeterNeumann", "CarmenSandiego"),
            PETER_SIG.replace("x08g", "xxxx"),
        ] {
            assert!(matches!(
                open_note(&format!("{TEXT}\n{other}"), &p),
                Err(NoteError::NoSignatureByKey { .. })
            ));
        }
    }

    #[test]
    fn rejects_other_malformed_signature_lines() {
        let p = peter();
        for (line, want) in [
            ("- PeterNeumann AAAAAAAA\n", "it does not start"),
            ("\u{2014} PeterNeumann\n", "no space separates"),
            ("\u{2014} PeterNeumann AAAA\n", "shorter than a key ID"),
        ] {
            let err = open_note(&format!("{TEXT}\n{line}"), &p).unwrap_err();
            assert!(err.to_string().contains(want), "{line:?}: {err}");
        }
        assert_eq!(
            open_note(&format!("{TEXT}\n\u{2014}  AAAAAAAA\n"), &p),
            Err(NoteError::InvalidKeyName(String::new()))
        );
        assert_eq!(
            open_note(&format!("{TEXT}\n\u{2014} a+b AAAAAAAA\n"), &p),
            Err(NoteError::InvalidKeyName("a+b".into()))
        );
        assert_eq!(
            open_note(&format!("{TEXT}\n\u{2014} PeterNeumann AAAA=AAA\n"), &p),
            Err(NoteError::BadBase64 { what: "signature" })
        );
        // Unpadded base64 is not the standard encoding.
        let unpadded = PETER_SIG.trim_end_matches("=\n").to_owned() + "\n";
        assert_eq!(
            open_note(&format!("{TEXT}\n{unpadded}"), &p),
            Err(NoteError::BadBase64 { what: "signature" })
        );
        let huge = format!("{}\n\n{PETER_SIG}", "x".repeat(MAX_NOTE_BYTES));
        assert_eq!(
            open_note(&huge, &p),
            Err(NoteError::TooLarge {
                len: huge.len(),
                max: MAX_NOTE_BYTES
            })
        );
    }

    #[test]
    fn rejects_manglings_of_a_verifier_key() {
        // Go's TestNewVerifier: every proper substring and every one-byte change fails.
        let b = PETER_KEY.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i != 0 || j != b.len() {
                    let s = std::str::from_utf8(&b[i..j]).unwrap();
                    assert!(s.parse::<VerifierKey>().is_err(), "{s}");
                }
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            let s = String::from_utf8(m).unwrap();
            assert!(s.parse::<VerifierKey>().is_err(), "{s}");
        }
        // Go's wrong-length key and unknown algorithm, each with an adjusted key ID. (The
        // first has non-zero padding bits, which Go's decoder allows and this one does not.)
        assert_eq!(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
                .parse::<VerifierKey>(),
            Err(NoteError::BadBase64 {
                what: "verifier key"
            })
        );
        assert_eq!(
            format!("PeterNeumann+c74f20a3+{}", STANDARD.encode([1u8; 34])).parse::<VerifierKey>(),
            Err(NoteError::MalformedVerifierKey(
                "an Ed25519 public key is 32 bytes long"
            ))
        );
        assert_eq!(
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
                .parse::<VerifierKey>(),
            Err(NoteError::UnsupportedKeyType(0x65))
        );
        assert_eq!(
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
                .parse::<VerifierKey>(),
            Err(NoteError::KeyIdMismatch {
                stated: 0xc74f20a4,
                computed: 0xc74f20a3
            })
        );
        assert!(matches!(
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
                .parse::<VerifierKey>(),
            Err(NoteError::MalformedVerifierKey(_))
        ));
        assert!(matches!(
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
                .parse::<VerifierKey>(),
            Err(NoteError::InvalidKeyName(_))
        ));
    }

    #[test]
    fn generated_keys_sign_and_verify_round_trip() {
        let pkcs8 = Signer::generate_pkcs8().unwrap();
        let signer = Signer::from_pkcs8("qoima.example/vault", &pkcs8).unwrap();
        assert_eq!(signer.name(), "qoima.example/vault");
        let key: VerifierKey = signer.verifier_key().to_string().parse().unwrap();
        assert_eq!(&key, signer.verifier_key());
        let note = signer.sign_note("hello\n\nworld\n").unwrap();
        assert_eq!(open_note(&note, &key), Ok("hello\n\nworld\n"));
        assert!(matches!(
            open_note(&note.replace("world", "World"), &key),
            Err(NoteError::BadSignature { .. })
        ));
        // The same key under another name is another key.
        let renamed = VerifierKey::ed25519("other", *key.public_key()).unwrap();
        assert!(matches!(
            open_note(&note, &renamed),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Debug output never shows the private key.
        assert_eq!(format!("{signer:?}"), format!("Signer({key})"));
    }

    #[test]
    fn refuses_to_sign_malformed_text_or_use_bad_keys() {
        let signer = peter_signer();
        assert_eq!(signer.sign_note(""), Err(NoteError::EmptyText));
        assert_eq!(signer.sign_note("abc"), Err(NoteError::MissingFinalNewline));
        assert_eq!(
            signer.sign_note("a\rb\n"),
            Err(NoteError::ControlCharacter { offset: 1 })
        );
        assert!(matches!(
            signer.sign_note(&"x\n".repeat(MAX_NOTE_BYTES / 2)),
            Err(NoteError::TooLarge { .. })
        ));
        assert!(matches!(
            Signer::from_pkcs8("name", b"not a key"),
            Err(NoteError::PrivateKeyRejected(_))
        ));
        let pkcs8 = Signer::generate_pkcs8().unwrap();
        for bad in ["", "a b", "a+b", "a\u{2003}b"] {
            assert_eq!(
                Signer::from_pkcs8(bad, &pkcs8).unwrap_err(),
                NoteError::InvalidKeyName(bad.into())
            );
        }
    }
}
