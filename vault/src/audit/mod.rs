//! The audit log: every state change of the record layer is a leaf of an RFC 6962 Merkle
//! tree; the vault signs checkpoints (C2SP tlog-checkpoint, Ed25519) and proves inclusion and
//! consistency (DESIGN.md §2 "Vault invariants").
