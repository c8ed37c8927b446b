//! Reading a document from the registry: it, its latest version, whether it was disposed of.

use qoima_vault::records::{DocumentId, VersionRecord};
use qoima_vault::registry::DocumentView;

use crate::cli::Failure;
use crate::engine::Registry;

/// Whether document `id` was disposed of.
pub(super) fn is_disposed(registry: &Registry, id: DocumentId) -> Result<bool, Failure> {
    registry
        .is_disposed(id)
        .map_err(|e| Failure::failed(format!("cannot read document {id}: {e}")))
}

/// Refuses (exit 1) to change a document that was disposed of.
pub(in crate::cli) fn refuse_disposed(registry: &Registry, id: DocumentId) -> Result<(), Failure> {
    if is_disposed(registry, id)? {
        return Err(Failure::failed(format!("document {id} was disposed of")));
    }
    Ok(())
}

/// The latest version of a document.
pub(super) fn current(view: &DocumentView) -> Result<&VersionRecord, Failure> {
    view.versions
        .last()
        .ok_or_else(|| Failure::failed(format!("document {} has no version: damaged", view.id)))
}

/// The document `id`, or "no document" (exit 1).
pub(in crate::cli) fn document(
    registry: &Registry,
    id: DocumentId,
) -> Result<DocumentView, Failure> {
    registry
        .document(id)
        .map_err(|e| Failure::failed(format!("cannot read document {id}: {e}")))?
        .ok_or_else(|| Failure::failed(format!("no document {id}")))
}
