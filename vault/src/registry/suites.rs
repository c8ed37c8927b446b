//! The record layer's suite (`tests.rs`) on each backend: RocksDB, and the records in
//! PostgreSQL with the chunks in RocksDB ([`Split`]). One suite, not a copy: `tests.rs` is
//! included in one module per backend, which says how to open a vault's content store on a
//! directory (`content_store`) and which backend `Registry` is; the helpers and tests of
//! `tests.rs` name only those. Records changed behind the vault's back, which tamper
//! detection must find, are written through [`Behind`].
//!
//! PostgreSQL's tests also run two registries ("nodes") on one database at once. The
//! collection's suite (`gc/tests.rs`) is run the same way by `gc/suites.rs`, with what this
//! file shares.

use super::*;
use crate::storage::postgres::PostgresMeta;
use crate::storage::postgres::testing::{cluster, database_for};
use crate::storage::split::Split;

/// Writes that bypass the vault, as a disk edit or a database administrator could make them.
pub(super) trait Behind {
    /// Stores `value` under `key` in `table`, over any record there.
    fn overwrite(&self, table: Table, key: &[u8], value: &[u8]);
    /// Removes the record under `key` in `table`.
    fn delete(&self, table: Table, key: &[u8]);
}

impl Behind for RocksBackend {
    fn overwrite(&self, table: Table, key: &[u8], value: &[u8]) {
        let db = self.raw();
        db.put_cf(db.cf_handle(table.name()).unwrap(), key, value)
            .unwrap();
    }

    fn delete(&self, table: Table, key: &[u8]) {
        let db = self.raw();
        db.delete_cf(db.cf_handle(table.name()).unwrap(), key)
            .unwrap();
    }
}

/// Records in PostgreSQL, chunks in RocksDB.
pub(super) type OnPostgres = Split<PostgresMeta, RocksBackend>;

impl Behind for OnPostgres {
    fn overwrite(&self, table: Table, key: &[u8], value: &[u8]) {
        cluster().overwrite(self.meta().database(), table.name(), key, value);
    }

    fn delete(&self, table: Table, key: &[u8]) {
        cluster().delete(self.meta().database(), table.name(), key);
    }
}

/// A vault's content store on RocksDB in `dir`.
pub(super) fn on_rocks(dir: &std::path::Path) -> ContentStore<RocksBackend> {
    ContentStore::open(dir, crate::content::ContentConfig::default()).unwrap()
}

/// The records in the database the directory stands for (the same one when a test opens the
/// vault again), the chunks in RocksDB in the directory.
pub(super) fn on_postgres(dir: &std::path::Path) -> ContentStore<OnPostgres> {
    let meta = cluster().vault(&database_for(dir));
    let chunks = RocksBackend::open(dir).unwrap();
    ContentStore::with_backend(
        Split::new(meta, chunks),
        crate::content::ContentConfig::default(),
    )
    .unwrap()
}

mod rocks {
    type Registry = super::Registry<RocksBackend>;
    use super::on_rocks as content_store;

    include!("tests.rs");
}

mod postgres {
    type Registry = super::Registry<OnPostgres>;
    use super::on_postgres as content_store;

    include!("tests.rs");

    mod nodes;
}
