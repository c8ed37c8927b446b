//! PostgreSQL's failures as [`StorageError`]s: a clear text, never a password.
//!
//! `tokio-postgres` never puts the connection's password in its errors, and neither do these
//! texts: they name the operation, the server's SQLSTATE and message, and no connection
//! string.

use deadpool_postgres::PoolError;

use crate::storage::StorageError;

/// The SQLSTATE of a serialisation failure, of a deadlock, and the class of the errors of a
/// server that is shutting down or unreachable: worth a retry by the caller, not a bug.
const TRANSIENT: [&str; 2] = ["40001", "40P01"];

/// `doing` failed with `error` from the driver.
pub(super) fn driver(doing: &str, error: &tokio_postgres::Error) -> StorageError {
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        let retry = if TRANSIENT.contains(&code) {
            " (transient: try again)"
        } else {
            ""
        };
        return StorageError::Engine(format!(
            "PostgreSQL: {doing}: {} {code}: {}{retry}",
            db.severity(),
            db.message()
        ));
    }
    if error.is_closed() {
        return StorageError::Engine(format!(
            "PostgreSQL: {doing}: the connection to the server was closed"
        ));
    }
    // The driver's text is its kind alone ("error performing TLS handshake"); the causes say
    // what went wrong (an unknown issuer, a refused connection).
    let mut text = format!("PostgreSQL: {doing}: {error}");
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    StorageError::Engine(text)
}

/// `doing` could not get a connection from the pool.
pub(super) fn pool(doing: &str, error: &PoolError) -> StorageError {
    match error {
        PoolError::Backend(e) => driver(doing, e),
        PoolError::Timeout(kind) => StorageError::Engine(format!(
            "PostgreSQL: {doing}: no connection within the pool's timeout ({kind:?})"
        )),
        other => StorageError::Engine(format!("PostgreSQL: {doing}: {other}")),
    }
}

/// Whether `error` says the connection was lost, so that a read may be tried once more on a
/// new one.
pub(super) fn connection_lost(error: &tokio_postgres::Error) -> bool {
    error.is_closed()
        || error
            .as_db_error()
            .is_some_and(|db| db.code().code().starts_with("57P"))
}
