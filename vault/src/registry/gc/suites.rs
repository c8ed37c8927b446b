//! The collection's suite (`tests.rs`) on each backend, as the registry's own suite is run
//! (`registry/suites.rs`, whose content stores and [`Behind`] it shares).

use crate::registry::suites::{Behind, OnPostgres, on_postgres, on_rocks};
use crate::storage::rocks::RocksBackend;

mod rocks {
    type Registry = crate::registry::Registry<super::RocksBackend>;
    use super::Behind;
    use super::on_rocks as content_store;

    include!("tests.rs");
}

mod postgres {
    type Registry = crate::registry::Registry<super::OnPostgres>;
    use super::Behind;
    use super::on_postgres as content_store;

    include!("tests.rs");
}
