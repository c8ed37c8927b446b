//! The Merkle Tree Hash of RFC 6962 §2.1 (unchanged in RFC 9162 §2.1) with SHA-256, its
//! inclusion and consistency proofs, and their verifiers.
//!
//! The tree is read through [`LeafHashes`], so that the same code serves an in-memory list in
//! tests and the database later. Proof generation follows the recursive definitions of RFC 6962
//! §2.1.1 (`PATH`) and §2.1.2 (`PROOF`/`SUBPROOF`); verification takes nothing but hashes and
//! follows the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
//!
//! Cost: every subtree hash is computed from its leaves unless the source supplies it through
//! [`LeafHashes::subtree_hash`]. Without such a cache, [`root`] reads and hashes all `size`
//! leaves, and so does each proof (O(n) per call). A source that stores the perfect subtrees
//! reported by [`Frontier::push`](super::Frontier::push) answers [`root`] with O(log n) reads and
//! each proof with O(log² n).

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// A SHA-256 node of the tree: a leaf hash, an interior node hash or a root.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, bincode::Encode, bincode::Decode)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads a hash back from its raw 32-byte form; `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

/// Error returned when text is not a hash in hexadecimal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid hash {0:?}: expected 64 hexadecimal digits")]
pub struct ParseHashError(String);

impl FromStr for Hash {
    type Err = ParseHashError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| ParseHashError(s.to_owned()))?;
        Ok(Self(out))
    }
}

/// The root of the empty tree: `MTH({}) = SHA-256()` (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// The hash of one leaf: `SHA-256(0x00 || entry)` (RFC 6962 §2.1). The entry is opaque here.
pub fn hash_leaf(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    Hash(h.finalize().into())
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)` (RFC 6962 §2.1).
pub fn hash_children(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// A log's leaf hashes, in order: what the tree is computed from.
///
/// Implemented by the database for the audit log, and by `[Hash]` and `Vec<Hash>` for tests.
pub trait LeafHashes {
    /// Why a hash could not be read (a storage error).
    type Error;

    /// How many leaves the source holds: the largest tree size it can serve.
    fn leaf_count(&self) -> u64;

    /// The hash of leaf `index`, for `index < leaf_count()`.
    fn leaf_hash(&self, index: u64) -> Result<Hash, Self::Error>;

    /// The hash of the perfect subtree over the `2^level` leaves starting at
    /// `index << level`, if the source keeps it (for `level >= 1`); `Ok(None)` makes the caller
    /// compute it from the leaves. Whatever a source returns here is trusted: a check that must
    /// not trust stored interior nodes (an integrity scrub) uses a source that returns `None`.
    fn subtree_hash(&self, level: u32, index: u64) -> Result<Option<Hash>, Self::Error> {
        let _ = (level, index);
        Ok(None)
    }
}

/// The error of the in-memory source: it was asked for a leaf it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no leaf {0} in the in-memory tree")]
pub struct MissingLeaf(pub u64);

impl LeafHashes for [Hash] {
    type Error = MissingLeaf;

    fn leaf_count(&self) -> u64 {
        self.len() as u64
    }

    fn leaf_hash(&self, index: u64) -> Result<Hash, MissingLeaf> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.get(i))
            .copied()
            .ok_or(MissingLeaf(index))
    }
}

impl LeafHashes for Vec<Hash> {
    type Error = MissingLeaf;

    fn leaf_count(&self) -> u64 {
        self.as_slice().leaf_count()
    }

    fn leaf_hash(&self, index: u64) -> Result<Hash, MissingLeaf> {
        self.as_slice().leaf_hash(index)
    }
}

/// Why a root or a proof could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError<E> {
    /// The requested tree is larger than the log.
    #[error("tree size {size} is beyond the {available} leaves of the log")]
    SizeBeyondLog {
        /// The requested tree size.
        size: u64,
        /// The number of leaves the source holds.
        available: u64,
    },
    /// The leaf to prove is not in the tree.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexBeyondSize {
        /// The requested leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("old tree size {old} is larger than new tree size {new}")]
    OldSizeBeyondNew {
        /// The old tree size.
        old: u64,
        /// The new tree size.
        new: u64,
    },
    /// The source failed to produce a hash.
    #[error("reading the log's hashes failed: {0}")]
    Source(#[source] E),
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The leaf index is not in the tree.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexBeyondSize {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The old tree is larger than the new one.
    #[error("old tree size {old} is larger than new tree size {new}")]
    OldSizeBeyondNew {
        /// The claimed old tree size.
        old: u64,
        /// The claimed new tree size.
        new: u64,
    },
    /// The proof has the wrong number of hashes for these sizes and index.
    #[error("proof has {actual} hashes where {expected} are needed")]
    WrongProofLength {
        /// The number of hashes the sizes and index call for.
        expected: usize,
        /// The number of hashes given.
        actual: usize,
    },
    /// The inclusion proof leads to another root.
    #[error("inclusion proof leads to root {computed}, not {expected}")]
    RootMismatch {
        /// The root the proof was checked against.
        expected: Hash,
        /// The root the proof leads to.
        computed: Hash,
    },
    /// The consistency proof leads to another old root.
    #[error("consistency proof leads to old root {computed}, not {expected}")]
    OldRootMismatch {
        /// The old root the proof was checked against.
        expected: Hash,
        /// The old root the proof leads to.
        computed: Hash,
    },
    /// The consistency proof leads to another new root.
    #[error("consistency proof leads to new root {computed}, not {expected}")]
    NewRootMismatch {
        /// The new root the proof was checked against.
        expected: Hash,
        /// The new root the proof leads to.
        computed: Hash,
    },
    /// Two trees of the same size have different roots.
    #[error("two trees of size {size} have different roots {old} and {new}")]
    RootsDiffer {
        /// The size of both trees.
        size: u64,
        /// The old root.
        old: Hash,
        /// The new root.
        new: Hash,
    },
}

/// The Merkle Tree Hash of the first `size` leaves (RFC 6962 §2.1).
pub fn root<S: LeafHashes + ?Sized>(source: &S, size: u64) -> Result<Hash, TreeError<S::Error>> {
    check_size(source, size)?;
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    range_hash(source, 0, size).map_err(TreeError::Source)
}

/// The audit path of leaf `index` in the tree of the first `size` leaves, from the leaf's
/// sibling up to the child of the root (RFC 6962 §2.1.1 `PATH(m, D[n])`).
pub fn inclusion_proof<S: LeafHashes + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    check_size(source, size)?;
    if index >= size {
        return Err(TreeError::IndexBeyondSize { index, size });
    }
    let mut proof = Vec::with_capacity(64);
    path(source, index, 0, size, &mut proof).map_err(TreeError::Source)?;
    Ok(proof)
}

/// The consistency proof from the tree of the first `old` leaves to the tree of the first `new`
/// leaves (RFC 6962 §2.1.2 `PROOF(m, D[n])`). It is empty when `old` is 0 or equal to `new`.
pub fn consistency_proof<S: LeafHashes + ?Sized>(
    source: &S,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    check_size(source, new)?;
    if old > new {
        return Err(TreeError::OldSizeBeyondNew { old, new });
    }
    let mut proof = Vec::with_capacity(64);
    if old > 0 && old < new {
        subproof(source, old, 0, new, true, &mut proof).map_err(TreeError::Source)?;
    }
    Ok(proof)
}

fn check_size<S: LeafHashes + ?Sized>(source: &S, size: u64) -> Result<(), TreeError<S::Error>> {
    let available = source.leaf_count();
    if size > available {
        return Err(TreeError::SizeBeyondLog { size, available });
    }
    Ok(())
}

/// The largest power of two smaller than `n`, for `n >= 2`: where RFC 6962 splits a tree.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[start:end])` for a non-empty range, using the source's stored perfect subtrees.
pub(super) fn range_hash<S: LeafHashes + ?Sized>(
    source: &S,
    start: u64,
    end: u64,
) -> Result<Hash, S::Error> {
    let n = end - start;
    if n == 1 {
        return source.leaf_hash(start);
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        let level = n.trailing_zeros();
        if let Some(hash) = source.subtree_hash(level, start >> level)? {
            return Ok(hash);
        }
    }
    let k = split(n);
    let left = range_hash(source, start, start + k)?;
    let right = range_hash(source, start + k, end)?;
    Ok(hash_children(&left, &right))
}

/// `PATH(m, D[start:end])` of RFC 6962 §2.1.1, appended to `out`.
fn path<S: LeafHashes + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end - start;
    if n == 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(source, m, start, start + k, out)?;
        out.push(range_hash(source, start + k, end)?);
    } else {
        path(source, m - k, start + k, end, out)?;
        out.push(range_hash(source, start, start + k)?);
    }
    Ok(())
}

/// `SUBPROOF(m, D[start:end], b)` of RFC 6962 §2.1.2, appended to `out`, for `0 < m <= n`.
fn subproof<S: LeafHashes + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(range_hash(source, start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(source, m, start, start + k, whole, out)?;
        out.push(range_hash(source, start + k, end)?);
    } else {
        subproof(source, m - k, start + k, end, false, out)?;
        out.push(range_hash(source, start, start + k)?);
    }
    Ok(())
}

/// The number of hashes in the audit path of leaf `index` in a tree of `size > index` leaves:
/// the levels below the point where the paths of `index` and of the last leaf meet, plus one
/// per left sibling above it.
fn inclusion_len(index: u64, size: u64) -> (u32, u32) {
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner, border)
}

/// The number of hashes in a consistency proof for `0 < old < new`.
fn consistency_len(old: u64, new: u64) -> usize {
    let (inner, border) = inclusion_len(old - 1, new);
    let shift = old.trailing_zeros();
    let seed = usize::from(!old.is_power_of_two());
    seed + inner.saturating_sub(shift) as usize + border as usize
}

/// The root that an inclusion proof leads to from `leaf` at `index` in a tree of `size`
/// leaves (RFC 9162 §2.1.3.2, steps 1 to 4).
pub fn root_from_inclusion_proof(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexBeyondSize { index, size });
    }
    let (inner, border) = inclusion_len(index, size);
    let expected = (inner + border) as usize;
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(wrong_length);
        }
        if f & 1 == 1 || f == s {
            r = hash_children(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = hash_children(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(wrong_length);
    }
    Ok(r)
}

/// Checks that `proof` proves `leaf` to be leaf `index` of the tree of `size` leaves with
/// root `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf, index, size, proof)?;
    if computed != *root {
        return Err(VerifyError::RootMismatch {
            expected: *root,
            computed,
        });
    }
    Ok(())
}

/// Checks that `proof` proves the tree of `old_size` leaves with root `old_root` to be a prefix
/// of the tree of `new_size` leaves with root `new_root` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots. An old size of 0 needs an empty proof and
/// the empty tree's root as old root: every tree extends the empty one.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if old_size > new_size {
        return Err(VerifyError::OldSizeBeyondNew {
            old: old_size,
            new: new_size,
        });
    }
    let expected = if old_size == 0 || old_size == new_size {
        0
    } else {
        consistency_len(old_size, new_size)
    };
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    if old_size == new_size {
        if old_root != new_root {
            return Err(VerifyError::RootsDiffer {
                size: old_size,
                old: *old_root,
                new: *new_root,
            });
        }
        return Ok(());
    }
    if old_size == 0 {
        if *old_root != EMPTY_ROOT {
            return Err(VerifyError::OldRootMismatch {
                expected: *old_root,
                computed: EMPTY_ROOT,
            });
        }
        return Ok(());
    }

    // Step 2: when the old tree is a perfect subtree, its root starts the path.
    let (seed, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        proof.split_first().ok_or(wrong_length.clone())?
    };
    // Steps 3 and 4.
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // Steps 5 and 6.
    let (mut fr, mut sr) = (*seed, *seed);
    for c in rest {
        if s == 0 {
            return Err(wrong_length);
        }
        if f & 1 == 1 || f == s {
            fr = hash_children(c, &fr);
            sr = hash_children(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = hash_children(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // Step 7.
    if s != 0 {
        return Err(wrong_length);
    }
    if fr != *old_root {
        return Err(VerifyError::OldRootMismatch {
            expected: *old_root,
            computed: fr,
        });
    }
    if sr != *new_root {
        return Err(VerifyError::NewRootMismatch {
            expected: *new_root,
            computed: sr,
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::audit::vectors::{self, h, leaf_hashes, leaves};

    fn tree(n: u64) -> Vec<Hash> {
        (0..n).map(|i| hash_leaf(&i.to_be_bytes())).collect()
    }

    /// A source that keeps every perfect subtree, as the database will.
    struct Cached {
        leaves: Vec<Hash>,
        nodes: std::collections::HashMap<(u32, u64), Hash>,
        reads: std::cell::Cell<u64>,
    }

    impl Cached {
        fn new(leaves: Vec<Hash>) -> Self {
            let mut nodes = std::collections::HashMap::new();
            let mut frontier = crate::audit::Frontier::new();
            for leaf in &leaves {
                for t in frontier.push(*leaf).unwrap() {
                    nodes.insert((t.level, t.index), t.hash);
                }
            }
            Self {
                leaves,
                nodes,
                reads: std::cell::Cell::new(0),
            }
        }
    }

    impl LeafHashes for Cached {
        type Error = MissingLeaf;
        fn leaf_count(&self) -> u64 {
            self.leaves.leaf_count()
        }
        fn leaf_hash(&self, index: u64) -> Result<Hash, MissingLeaf> {
            self.reads.set(self.reads.get() + 1);
            self.leaves.leaf_hash(index)
        }
        fn subtree_hash(&self, level: u32, index: u64) -> Result<Option<Hash>, MissingLeaf> {
            self.reads.set(self.reads.get() + 1);
            Ok(self.nodes.get(&(level, index)).copied())
        }
    }

    #[test]
    fn hashes_match_the_rfc6962_known_answers() {
        assert_eq!(EMPTY_ROOT, Hash(Sha256::digest(b"").into()));
        assert_eq!(EMPTY_ROOT, h(vectors::EMPTY_ROOT));
        assert_eq!(hash_leaf(b""), h(vectors::EMPTY_LEAF));
        assert_eq!(hash_leaf(b"L123456"), h(vectors::LEAF_L123456));
        assert_ne!(hash_leaf(b""), EMPTY_ROOT);
    }

    #[test]
    fn roots_of_every_prefix_match_the_published_vectors() {
        let hashes = leaf_hashes();
        assert_eq!(root(&hashes, 0), Ok(EMPTY_ROOT));
        for (i, want) in vectors::ROOTS.iter().enumerate() {
            assert_eq!(root(&hashes, i as u64 + 1), Ok(h(want)), "size {}", i + 1);
        }
        assert_eq!(
            root(&hashes, 8).unwrap().to_string(),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        );
        assert_eq!(leaves().len(), 8);
    }

    #[test]
    fn inclusion_proofs_match_the_published_vectors() {
        let hashes = leaf_hashes();
        for (index, size, want) in vectors::INCLUSION {
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(
                inclusion_proof(&hashes, *index, *size).unwrap(),
                want,
                "leaf {index} of {size}"
            );
            let root = h(vectors::ROOTS[*size as usize - 1]);
            verify_inclusion(&hashes[*index as usize], *index, *size, &want, &root).unwrap();
        }
    }

    #[test]
    fn consistency_proofs_match_the_published_vectors() {
        let hashes = leaf_hashes();
        for (old, new, want) in vectors::CONSISTENCY {
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(
                consistency_proof(&hashes, *old, *new).unwrap(),
                want,
                "{old} -> {new}"
            );
            let old_root = h(vectors::ROOTS[*old as usize - 1]);
            let new_root = h(vectors::ROOTS[*new as usize - 1]);
            verify_consistency(*old, *new, &old_root, &new_root, &want).unwrap();
        }
    }

    #[test]
    fn the_published_proofs_fail_when_corrupted() {
        // The probes of transparency-dev/merkle's corruptInclusionProof/corruptConsistencyProof.
        let some = Hash([0xab; 32]);
        for (index, size, proof) in vectors::INCLUSION {
            let proof: Vec<Hash> = proof.iter().map(|x| h(x)).collect();
            let root = h(vectors::ROOTS[*size as usize - 1]);
            let leaf = leaf_hashes()[*index as usize];
            let bad = |i: u64, n: u64, l: &Hash, p: &[Hash], r: &Hash| {
                assert!(verify_inclusion(l, i, n, p, r).is_err(), "{i} {n} {p:?}");
            };
            bad(index.wrapping_sub(1), *size, &leaf, &proof, &root);
            bad(index + 1, *size, &leaf, &proof, &root);
            bad(index ^ 2, *size, &leaf, &proof, &root);
            bad(*index, size * 2, &leaf, &proof, &root);
            bad(*index, size / 2, &leaf, &proof, &root);
            bad(*index, *size, &some, &proof, &root);
            bad(*index, *size, &leaf, &proof, &EMPTY_ROOT);
            bad(*index, *size, &leaf, &proof, &some);
            bad(
                *index,
                *size,
                &leaf,
                &[proof.clone(), vec![root]].concat(),
                &root,
            );
            bad(
                *index,
                *size,
                &leaf,
                &[vec![root], proof.clone()].concat(),
                &root,
            );
            for i in 0..proof.len() {
                let mut p = proof.clone();
                p[i].0[0] ^= 8;
                bad(*index, *size, &leaf, &p, &root);
            }
        }
        for (old, new, proof) in vectors::CONSISTENCY {
            let proof: Vec<Hash> = proof.iter().map(|x| h(x)).collect();
            let r1 = h(vectors::ROOTS[*old as usize - 1]);
            let r2 = h(vectors::ROOTS[*new as usize - 1]);
            if proof.is_empty() {
                continue;
            }
            let bad = |o: u64, n: u64, a: &Hash, b: &Hash, p: &[Hash]| {
                assert!(verify_consistency(o, n, a, b, p).is_err(), "{o} {n} {p:?}");
            };
            bad(old - 1, *new, &r1, &r2, &proof);
            bad(old + 1, *new, &r1, &r2, &proof);
            bad(old ^ 2, *new, &r1, &r2, &proof);
            bad(*old, new * 2, &r1, &r2, &proof);
            bad(*old, new / 2, &r1, &r2, &proof);
            bad(*old, *new, &some, &r2, &proof);
            bad(*old, *new, &r1, &some, &proof);
            bad(*old, *new, &r2, &r1, &proof);
            bad(*old, *new, &r1, &r2, &[]);
            bad(*old, *new, &r1, &r2, &[proof.clone(), vec![r1]].concat());
            bad(*old, *new, &r1, &r2, &[proof.clone(), vec![r2]].concat());
            bad(*old, *new, &r1, &r2, &[vec![r1], proof.clone()].concat());
            bad(
                *old,
                *new,
                &r1,
                &r2,
                &[vec![proof[0]], proof.clone()].concat(),
            );
            bad(*old, *new, &r1, &r2, &proof[..proof.len() - 1]);
            for i in 0..proof.len() {
                let mut p = proof.clone();
                p[i].0[0] ^= 16;
                bad(*old, *new, &r1, &r2, &p);
            }
        }
    }

    #[test]
    fn every_inclusion_proof_up_to_64_leaves_verifies_and_nothing_else_does() {
        let hashes = tree(64);
        for size in 1..=64u64 {
            let r = root(&hashes, size).unwrap();
            for index in 0..size {
                let leaf = hashes[index as usize];
                let proof = inclusion_proof(&hashes, index, size).unwrap();
                verify_inclusion(&leaf, index, size, &proof, &r)
                    .unwrap_or_else(|e| panic!("leaf {index} of {size}: {e}"));

                // Another leaf, index or size, or a changed proof hash, fails.
                let other = hash_leaf(b"not in the log");
                assert!(verify_inclusion(&other, index, size, &proof, &r).is_err());
                for wrong in [index + 1, index ^ 1, index.wrapping_sub(1)] {
                    if wrong != index {
                        assert!(verify_inclusion(&leaf, wrong, size, &proof, &r).is_err());
                    }
                }
                // Another size fails against that size's root; a size with another path
                // shape fails even against this root.
                for wrong in [size + 1, size - 1, size * 2] {
                    if wrong != size && wrong > index && wrong <= 64 {
                        let wrong_root = root(&hashes, wrong).unwrap();
                        assert!(
                            verify_inclusion(&leaf, index, wrong, &proof, &wrong_root).is_err()
                        );
                    }
                }
                for wrong in [size * 2, size / 2] {
                    assert!(verify_inclusion(&leaf, index, wrong, &proof, &r).is_err());
                }
                for i in 0..proof.len() {
                    let mut p = proof.clone();
                    p[i].0[31] ^= 1;
                    assert_eq!(
                        verify_inclusion(&leaf, index, size, &p, &r),
                        Err(VerifyError::RootMismatch {
                            expected: r,
                            computed: root_from_inclusion_proof(&leaf, index, size, &p).unwrap()
                        })
                    );
                }
                let mut longer = proof.clone();
                longer.push(r);
                assert!(matches!(
                    verify_inclusion(&leaf, index, size, &longer, &r),
                    Err(VerifyError::WrongProofLength { .. })
                ));
            }
        }
    }

    #[test]
    fn every_consistency_proof_up_to_64_leaves_verifies_and_nothing_else_does() {
        let hashes = tree(64);
        let roots: Vec<Hash> = (0..=64).map(|n| root(&hashes, n).unwrap()).collect();
        for new in 1..=64u64 {
            for old in 0..=new {
                let (r1, r2) = (roots[old as usize], roots[new as usize]);
                let proof = consistency_proof(&hashes, old, new).unwrap();
                verify_consistency(old, new, &r1, &r2, &proof)
                    .unwrap_or_else(|e| panic!("{old} -> {new}: {e}"));

                assert!(verify_consistency(new + 1, new, &r1, &r2, &proof).is_err());
                if old > 0 && old < new {
                    // Another old or new size fails, against the roots of those sizes.
                    for wrong in [old - 1, old + 1, old * 2] {
                        let r = roots[wrong.min(64) as usize];
                        assert!(
                            verify_consistency(wrong, new, &r, &r2, &proof).is_err(),
                            "{wrong} -> {new}"
                        );
                    }
                    for wrong in [new - 1, new + 1, new * 2] {
                        let r = roots[wrong.min(64) as usize];
                        assert!(
                            verify_consistency(old, wrong, &r1, &r, &proof).is_err(),
                            "{old} -> {wrong}"
                        );
                    }
                    for i in 0..proof.len() {
                        let mut p = proof.clone();
                        p[i].0[0] ^= 0x80;
                        assert!(verify_consistency(old, new, &r1, &r2, &p).is_err());
                    }
                    // A root of another size is refused.
                    let r0 = roots[old as usize - 1];
                    assert!(verify_consistency(old, new, &r0, &r2, &proof).is_err());
                    assert!(verify_consistency(old, new, &r1, &r1, &proof).is_err());
                }
            }
        }
    }

    #[test]
    fn a_rewritten_leaf_breaks_consistency_with_an_older_root() {
        let honest = tree(20);
        let mut forged = honest.clone();
        forged[3] = hash_leaf(b"rewritten history");
        let old_root = root(&honest, 10).unwrap();
        let new_root = root(&forged, 20).unwrap();
        let proof = consistency_proof(&forged, 10, 20).unwrap();
        assert!(matches!(
            verify_consistency(10, 20, &old_root, &new_root, &proof),
            Err(VerifyError::OldRootMismatch { .. })
        ));
    }

    #[test]
    fn verifier_errors_name_the_problem() {
        let l = hash_leaf(b"x");
        assert_eq!(
            verify_inclusion(&l, 0, 0, &[], &EMPTY_ROOT),
            Err(VerifyError::IndexBeyondSize { index: 0, size: 0 })
        );
        assert_eq!(
            verify_inclusion(&l, 5, 5, &[], &l),
            Err(VerifyError::IndexBeyondSize { index: 5, size: 5 })
        );
        assert_eq!(verify_inclusion(&l, 0, 1, &[], &l), Ok(()));
        assert_eq!(
            verify_inclusion(&l, 0, 1, &[l], &l),
            Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: 1
            })
        );
        assert_eq!(
            verify_inclusion(&l, 0, 1, &[], &EMPTY_ROOT),
            Err(VerifyError::RootMismatch {
                expected: EMPTY_ROOT,
                computed: l
            })
        );
        assert_eq!(
            verify_inclusion(&l, 2, 5, &[l], &l),
            Err(VerifyError::WrongProofLength {
                expected: 3,
                actual: 1
            })
        );

        let (a, b) = (Hash([1; 32]), Hash([2; 32]));
        assert_eq!(
            verify_consistency(2, 1, &a, &b, &[]),
            Err(VerifyError::OldSizeBeyondNew { old: 2, new: 1 })
        );
        assert_eq!(
            verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]),
            Ok(())
        );
        assert_eq!(verify_consistency(0, 7, &EMPTY_ROOT, &b, &[]), Ok(()));
        assert_eq!(
            verify_consistency(0, 7, &a, &b, &[]),
            Err(VerifyError::OldRootMismatch {
                expected: a,
                computed: EMPTY_ROOT
            })
        );
        assert_eq!(
            verify_consistency(0, 7, &EMPTY_ROOT, &b, &[a]),
            Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: 1
            })
        );
        assert_eq!(verify_consistency(3, 3, &a, &a, &[]), Ok(()));
        assert_eq!(
            verify_consistency(3, 3, &a, &b, &[]),
            Err(VerifyError::RootsDiffer {
                size: 3,
                old: a,
                new: b
            })
        );
        assert_eq!(
            verify_consistency(3, 3, &a, &a, &[a]),
            Err(VerifyError::WrongProofLength {
                expected: 0,
                actual: 1
            })
        );
        assert_eq!(
            verify_consistency(1, 2, &a, &b, &[]),
            Err(VerifyError::WrongProofLength {
                expected: 1,
                actual: 0
            })
        );
    }

    #[test]
    fn huge_sizes_do_not_overflow() {
        let l = hash_leaf(b"x");
        for (index, size) in [
            (0, u64::MAX),
            (u64::MAX - 1, u64::MAX),
            (1 << 63, u64::MAX),
            ((1 << 63) - 1, 1 << 63),
        ] {
            let (inner, border) = inclusion_len(index, size);
            let proof = vec![l; (inner + border) as usize];
            assert!(matches!(
                verify_inclusion(&l, index, size, &proof, &l),
                Err(VerifyError::RootMismatch { .. })
            ));
        }
        for (old, new) in [(1, u64::MAX), (u64::MAX - 1, u64::MAX), (1 << 63, u64::MAX)] {
            let proof = vec![l; consistency_len(old, new)];
            assert!(verify_consistency(old, new, &l, &l, &proof).is_err());
        }
    }

    #[test]
    fn generation_refuses_what_the_log_does_not_hold() {
        let hashes = tree(5);
        assert_eq!(
            root(&hashes, 6),
            Err(TreeError::SizeBeyondLog {
                size: 6,
                available: 5
            })
        );
        assert_eq!(
            inclusion_proof(&hashes, 5, 5),
            Err(TreeError::IndexBeyondSize { index: 5, size: 5 })
        );
        assert_eq!(
            inclusion_proof(&hashes, 0, 9),
            Err(TreeError::SizeBeyondLog {
                size: 9,
                available: 5
            })
        );
        assert_eq!(
            consistency_proof(&hashes, 4, 3),
            Err(TreeError::OldSizeBeyondNew { old: 4, new: 3 })
        );
        assert_eq!(consistency_proof(&hashes, 0, 5), Ok(vec![]));
        assert_eq!(consistency_proof(&hashes, 5, 5), Ok(vec![]));
        assert!(
            consistency_proof(&hashes, 0, 6)
                .unwrap_err()
                .to_string()
                .contains("beyond the 5 leaves")
        );
    }

    #[test]
    fn stored_subtrees_give_the_same_answers_with_logarithmic_reads() {
        let n = 1000u64;
        let plain = tree(n);
        let cached = Cached::new(plain.clone());
        for size in [1, 2, 3, 255, 256, 257, 999, 1000] {
            assert_eq!(root(&cached, size), root(&plain, size));
            for index in [0, size / 2, size - 1] {
                assert_eq!(
                    inclusion_proof(&cached, index, size),
                    inclusion_proof(&plain, index, size)
                );
            }
            for old in [1, size / 3, size - 1] {
                assert_eq!(
                    consistency_proof(&cached, old, size),
                    consistency_proof(&plain, old, size)
                );
            }
        }
        // 1000 = 0b1111101000: six stored perfect subtrees make the root.
        cached.reads.set(0);
        root(&cached, n).unwrap();
        assert_eq!(cached.reads.get(), 6);
        // Against 1000 leaf reads without stored subtrees.
        for (index, old) in [(0, 1), (617, 500), (999, 999)] {
            cached.reads.set(0);
            inclusion_proof(&cached, index, n).unwrap();
            consistency_proof(&cached, old, n).unwrap();
            assert!(cached.reads.get() < 100, "{} reads", cached.reads.get());
        }
    }

    #[test]
    fn hashes_print_and_parse_as_hex() {
        let x = hash_leaf(b"abc");
        assert_eq!(x.to_string().parse::<Hash>(), Ok(x));
        assert_eq!(format!("{x:?}"), format!("Hash({x})"));
        assert!("zz".parse::<Hash>().is_err());
        assert_eq!(Hash::from_slice(x.as_bytes()), Some(x));
        assert_eq!(Hash::from_slice(&[0; 31]), None);
    }
}
