//! The audit log: every state change of the record layer is a leaf of an RFC 6962 Merkle
//! tree; the vault signs checkpoints (C2SP tlog-checkpoint, Ed25519) and proves inclusion and
//! consistency (`docs/architecture.md`, "Invariants").
//!
//! The pure core has no storage:
//! - [`merkle`]: the tree hash of RFC 6962 §2.1 over SHA-256, inclusion and consistency proofs
//!   over any [`LeafHashes`] source, and their verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2), which
//!   need nothing but hashes;
//! - [`frontier`]: the O(log n) right edge of the tree, to compute the new root on each append
//!   without rereading older entries;
//! - [`note`]: C2SP signed notes with Ed25519 (ring), compatible with Go's
//!   `golang.org/x/mod/sumdb/note` keys and signatures;
//! - [`checkpoint`]: the C2SP tlog-checkpoint body, signed and opened as a note;
//! - [`key`]: the signing key and origin kept in the data directory;
//! - [`log`]: the log persisted in the metadata store (entries and every complete subtree),
//!   appended to in the same batch as the record an entry describes.
//!
//! Entries are opaque bytes here: a leaf is `SHA-256(0x00 || entry)` ([`hash_leaf`]) whatever
//! the entry says. What an entry holds (registration, annulment, hold, disposal, auditor read,
//! …) and how it is encoded is defined by the record layer.

pub mod checkpoint;
pub mod frontier;
pub mod key;
pub mod log;
pub mod merkle;
pub mod note;
#[cfg(test)]
mod vectors;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use frontier::{Frontier, FrontierError, Subtree};
pub use merkle::{
    EMPTY_ROOT, Hash, LeafHashes, MissingLeaf, ParseHashError, TreeError, VerifyError,
    consistency_proof, hash_children, hash_leaf, inclusion_proof, root, root_from_inclusion_proof,
    verify_consistency, verify_inclusion,
};
pub use note::{NoteError, Signer, VerifierKey, open_note};
