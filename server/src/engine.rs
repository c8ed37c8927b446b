//! The vault's types on the engine the configuration chose (`[storage] backend`): one
//! `Registry` and one `ContentStore` for the embedded RocksDB vault and for PostgreSQL with S3
//! alike, so that no layer above is generic over its backend (`docs/storage.md`).

/// The record layer on the configured engine.
pub(crate) type Registry = qoima_vault::registry::Registry<qoima_vault::storage::engine::Engine>;

/// The content store on the configured engine.
pub(crate) type ContentStore = qoima_vault::ContentStore<qoima_vault::storage::engine::Engine>;
