//! Chunks written by puts whose manifest is not committed yet.
//!
//! Garbage collection removes chunks that no manifest lists, except these: it
//! holds the registry's lock for its whole run and skips registered chunks
//! (docs/decisions.md, "Garbage collection is exclusive with puts").

use super::ContentStore;
use crate::address::ChunkId;
use crate::storage::{ChunkStore, MetaStore};

/// One put's hold on one chunk: registered when made, released when dropped
/// (with the writer that keeps it, or with a result that nobody took).
pub(super) struct Pending<S: ChunkStore + MetaStore> {
    store: ContentStore<S>,
    id: ChunkId,
}

impl<S: ChunkStore + MetaStore> Pending<S> {
    /// Registers `id`. Called before the chunk's existence is checked: a
    /// collection that has not reached the chunk yet will now skip it; one
    /// that removed it already makes the check fail, and the chunk is written
    /// again.
    pub(super) fn register(store: &ContentStore<S>, id: ChunkId) -> Self {
        *store.pending().entry(id).or_insert(0) += 1;
        Self {
            store: store.clone(),
            id,
        }
    }
}

impl<S: ChunkStore + MetaStore> Drop for Pending<S> {
    fn drop(&mut self) {
        let mut pending = self.store.pending();
        if let Some(count) = pending.get_mut(&self.id) {
            *count -= 1;
            if *count == 0 {
                pending.remove(&self.id);
            }
        }
    }
}
