//! The right edge of a growing tree: the roots of its perfect subtrees, enough to append a
//! leaf and compute the new root without reading the older leaves.
//!
//! A tree of `n` leaves is, by the split rule of RFC 6962 §2.1, a sequence of perfect subtrees
//! of decreasing size, one for each bit set in `n`; its root folds them from the right. The
//! frontier keeps those (at most 64) hashes. Appending a leaf merges the equal-sized subtrees
//! at the right end, exactly like a binary increment, and every merge completes one perfect
//! subtree that will never change again: [`Frontier::push`] reports them, so storage may keep
//! them for [`LeafHashes::subtree_hash`] and serve proofs without rereading every leaf.

use super::merkle::{EMPTY_ROOT, Hash, LeafHashes, TreeError, hash_children, range_hash};

/// A perfect subtree: the `2^level` leaves starting at `index << level`, and their hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subtree {
    /// The height of the subtree: 0 for a single leaf.
    pub level: u32,
    /// The subtree's position among the subtrees of its level.
    pub index: u64,
    /// `MTH` of its leaves.
    pub hash: Hash,
}

/// Why a frontier could not be built or extended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrontierError {
    /// The stored subtree hashes do not fit the tree size.
    #[error("a tree of {size} leaves has {expected} perfect subtrees, not {actual}")]
    WrongNodeCount {
        /// The tree size.
        size: u64,
        /// The number of bits set in the size.
        expected: usize,
        /// The number of hashes given.
        actual: usize,
    },
    /// The tree already holds `u64::MAX` leaves.
    #[error("the tree is full")]
    Full,
}

/// The compact state of an append-only tree: its size and the hashes of its perfect
/// subtrees, largest (leftmost) first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restores a frontier from its stored parts, as returned by [`Frontier::size`] and
    /// [`Frontier::nodes`].
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Result<Self, FrontierError> {
        let expected = size.count_ones() as usize;
        if nodes.len() != expected {
            return Err(FrontierError::WrongNodeCount {
                size,
                expected,
                actual: nodes.len(),
            });
        }
        Ok(Self { size, nodes })
    }

    /// Rebuilds the frontier of the tree of the first `size` leaves of `source`: one subtree
    /// hash per bit of `size`, each read from the source's stored subtrees or computed from
    /// its leaves.
    pub fn rebuild<S: LeafHashes + ?Sized>(
        source: &S,
        size: u64,
    ) -> Result<Self, TreeError<S::Error>> {
        let available = source.leaf_count();
        if size > available {
            return Err(TreeError::SizeBeyondLog { size, available });
        }
        let mut nodes = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            let width = 1u64 << level;
            if size & width != 0 {
                nodes.push(range_hash(source, start, start + width).map_err(TreeError::Source)?);
                start += width;
            }
        }
        Ok(Self { size, nodes })
    }

    /// The number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of the perfect subtrees, largest (leftmost) first: what to store to restore
    /// the frontier with [`Frontier::from_parts`].
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf hash. Returns every perfect subtree this leaf completes, from the leaf
    /// itself (level 0) upwards.
    pub fn push(&mut self, leaf: Hash) -> Result<Vec<Subtree>, FrontierError> {
        let new_size = self.size.checked_add(1).ok_or(FrontierError::Full)?;
        let mut hash = leaf;
        let mut level = 0u32;
        let mut index = self.size;
        let mut completed = vec![Subtree { level, index, hash }];
        while self
            .size
            .checked_shr(level)
            .is_some_and(|bits| bits & 1 == 1)
        {
            let Some(left) = self.nodes.pop() else { break };
            hash = hash_children(&left, &hash);
            level += 1;
            index >>= 1;
            completed.push(Subtree { level, index, hash });
        }
        self.nodes.push(hash);
        self.size = new_size;
        Ok(completed)
    }

    /// The root of the tree: the perfect subtrees folded from the right (RFC 6962 §2.1).
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return EMPTY_ROOT;
        };
        nodes.fold(*last, |right, left| hash_children(left, &right))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use crate::audit::merkle::{hash_leaf, root};
    use crate::audit::vectors::{self, h, leaf_hashes};

    #[test]
    fn roots_match_the_published_vectors() {
        let mut f = Frontier::new();
        assert_eq!(f.root(), EMPTY_ROOT);
        for (leaf, want) in leaf_hashes().into_iter().zip(vectors::ROOTS) {
            f.push(leaf).unwrap();
            assert_eq!(f.root(), h(want), "size {}", f.size());
        }
    }

    #[test]
    fn roots_match_the_recursive_definition_up_to_300_leaves() {
        let leaves: Vec<Hash> = (0..300u64).map(|i| hash_leaf(&i.to_le_bytes())).collect();
        let mut f = Frontier::new();
        for (i, leaf) in leaves.iter().enumerate() {
            let completed = f.push(*leaf).unwrap();
            let size = i as u64 + 1;
            assert_eq!(f.root(), root(&leaves, size).unwrap(), "size {size}");
            assert_eq!(f.nodes().len(), size.count_ones() as usize);
            // The leaf and one subtree per trailing one bit of the old size.
            assert_eq!(completed.len(), (i as u64).trailing_ones() as usize + 1);
            for t in completed {
                let start = t.index << t.level;
                let end = start + (1 << t.level);
                assert!(end <= size);
                let sub: Vec<Hash> = leaves[start as usize..end as usize].to_vec();
                assert_eq!(t.hash, root(&sub, sub.len() as u64).unwrap());
            }
            assert_eq!(Frontier::rebuild(&leaves, size).unwrap(), f);
            let restored = Frontier::from_parts(f.size(), f.nodes().to_vec()).unwrap();
            assert_eq!(restored, f);
        }
    }

    #[test]
    fn stored_parts_that_do_not_fit_the_size_are_refused() {
        assert_eq!(
            Frontier::from_parts(3, vec![EMPTY_ROOT]),
            Err(FrontierError::WrongNodeCount {
                size: 3,
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(Frontier::from_parts(0, vec![]), Ok(Frontier::new()));
        assert!(matches!(
            Frontier::rebuild(&leaf_hashes(), 9),
            Err(TreeError::SizeBeyondLog {
                size: 9,
                available: 8
            })
        ));
    }

    #[test]
    fn a_full_tree_refuses_more_leaves() {
        let mut f = Frontier::from_parts(u64::MAX, vec![EMPTY_ROOT; 64]).unwrap();
        assert_eq!(f.push(EMPTY_ROOT), Err(FrontierError::Full));
        assert_eq!(f.size(), u64::MAX);
        let mut g = Frontier::from_parts(u64::MAX - 1, vec![EMPTY_ROOT; 63]).unwrap();
        let completed = g.push(EMPTY_ROOT).unwrap();
        assert_eq!(completed.len(), 1);
        assert_eq!(g.nodes().len(), 64);
    }
}
