//! Bulk verification: what `qoima verify --batch`, `qoima reverify` and the re-verification
//! API share. Items are verified on every core and their results written in order
//! ([`pipeline`]), as JSON lines or CSV ([`output`]), counted ([`summary`]), shown as they go
//! ([`progress`]) and summed up for a browser ([`html`]); [`reverify`] is a run over the vault.

pub(crate) mod html;
pub(crate) mod output;
pub(crate) mod pipeline;
pub(crate) mod progress;
pub(crate) mod reverify;
pub(crate) mod summary;
