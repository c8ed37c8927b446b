//! The writer section across processes: every node of a vault takes one PostgreSQL advisory
//! lock before it reads a counter (a number, an event number, the audit log's size) and
//! until the batch that uses it is committed, so that numbers stay gap-free and audit leaves
//! ordered across nodes (`docs/decisions.md`, "PostgreSQL records").
//!
//! The lock is transaction-scoped (`pg_advisory_xact_lock`), taken in a transaction of its
//! own on a pooled connection that the section holds; leaving the section rolls that
//! transaction back, which releases the lock. The section's reads and its commit run on
//! other connections: the commit is durable before the lock is released, so the next holder
//! reads it. A lock cannot outlive its transaction: not in a connection handed back to the
//! pool, not in a process that died (the server ends its transactions). Should the lock's
//! connection be lost mid-section, another node may enter too; the records they both number
//! have the same primary keys (numbers, log indexes), so the second commit is refused whole
//! rather than stored twice.

use deadpool_postgres::Object;

use super::PostgresMeta;
use super::error::driver;
use super::meta::live;
use crate::storage::{StorageError, WriterSection};

/// The writer's advisory lock (classid, objid): "qoima", 2. Advisory locks are per database,
/// so vaults in different databases of one server do not share it.
const WRITER_LOCK: (i32, i32) = (0x716f_696d, 2);

/// Holds the lock's transaction; dropping it ends the transaction.
struct Held<'a> {
    store: &'a PostgresMeta,
    client: Option<Object>,
}

impl PostgresMeta {
    /// Takes the writer lock, waiting for another node that holds it.
    pub(super) fn enter_writer_section(&self) -> Result<WriterSection<'_>, StorageError> {
        let pool = self.pool.clone();
        let client = self.bridge.run(async move {
            let doing = "taking the writer lock";
            let client = live(&pool, doing).await?;
            // The section may be long (a collection of unreferenced content): a server's
            // idle-in-transaction timeout must not end it.
            let taken = client
                .batch_execute(&format!(
                    "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0; \
                     SELECT pg_advisory_xact_lock({}, {});",
                    WRITER_LOCK.0, WRITER_LOCK.1
                ))
                .await;
            match taken {
                Ok(()) => Ok(client),
                Err(e) => {
                    // Its state is unknown: closed rather than handed back to the pool.
                    drop(Object::take(client));
                    Err(driver(doing, &e))
                }
            }
        })??;
        Ok(WriterSection::holding(Held {
            store: self,
            client: Some(client),
        }))
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        // If the runtime is gone the connection goes with it, and the server releases the
        // lock when it sees the connection closed.
        let _ = self.store.bridge.run(async move {
            if client.batch_execute("ROLLBACK").await.is_err() {
                drop(Object::take(client));
            }
        });
    }
}
