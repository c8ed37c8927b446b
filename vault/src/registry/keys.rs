//! API keys made and withdrawn in the audit log: a key grants access to the records, so its
//! creation and its revocation are changes like any other, each stored in one batch with an
//! audit entry that names who made it (`key-created` and `key-revoked`, subject `key:<id>`,
//! version 0, the entry's record the stored bytes). They take the writer lock because an append
//! to the log does. What needs no lock (checking, encoding, tokens) is in [`crate::keys`].

use jiff::Timestamp;

use super::{AuditEntry, Registry};
use crate::audit::log::AuditLog;
use crate::keys::{self, KeyError, KeyId, NewKey};
use crate::records::Actor;
use crate::storage::{ChunkStore, MetaBatch, MetaStore, StorageError, Table};

/// The audit entry kind of a key's creation.
pub(super) const CREATED: &str = "key-created";

/// The audit entry kind of a key's revocation.
pub(super) const REVOKED: &str = "key-revoked";

/// How many more ids a creation draws when the one drawn is taken (a 2^-64 chance each).
const MORE_DRAWS: u32 = 3;

impl<S: ChunkStore + MetaStore> Registry<S> {
    /// Creates the key `new` describes, for `by` at `at`: its record and its `key-created`
    /// entry in one batch. Returns its id and its token — the only time the token exists: the
    /// vault keeps the SHA-256 of the secret alone. A name or BIN that is not valid creates
    /// nothing.
    pub fn create_key(
        &self,
        new: &NewKey,
        by: &Actor,
        at: Timestamp,
    ) -> Result<(KeyId, String), KeyError> {
        let (record, secret) = keys::mint(new, at)?;
        let _writer = self.lock()?;
        let backend = self.content.backend();
        let log = AuditLog::open(backend)?;
        let mut draws = 0;
        let id = loop {
            let id = keys::random_id()?;
            let mut batch = MetaBatch::new();
            batch.put(Table::ApiKeys, id.0.to_vec(), record.clone());
            log.append(&mut batch, &entry(CREATED, at, id, by, &record))?;
            match backend.commit(batch) {
                Ok(()) => break id,
                Err(StorageError::Exists {
                    table: Table::ApiKeys,
                    ..
                }) if draws < MORE_DRAWS => draws += 1,
                Err(e) => return Err(e.into()),
            }
        };
        Ok((id, keys::token(id, &secret)))
    }

    /// Revokes the key `id` for `by` at `at`: its revocation and its `key-revoked` entry in one
    /// batch; it authenticates no more. An unknown id or a key already revoked is an error
    /// (nothing is written). A server that caches keys revokes through
    /// [`keys::KeyCache::revoke`], which calls this.
    pub fn revoke_key(&self, id: KeyId, by: &Actor, at: Timestamp) -> Result<(), KeyError> {
        let _writer = self.lock()?;
        let backend = self.content.backend();
        let revocation = keys::revocation(backend, id, at)?;
        let log = AuditLog::open(backend)?;
        let mut batch = MetaBatch::new();
        batch.put(Table::KeyRevocations, id.0.to_vec(), revocation.clone());
        log.append(&mut batch, &entry(REVOKED, at, id, by, &revocation))?;
        match backend.commit(batch) {
            Ok(()) => Ok(()),
            Err(StorageError::Exists {
                table: Table::KeyRevocations,
                ..
            }) => Err(KeyError::AlreadyRevoked(id)),
            Err(e) => Err(e.into()),
        }
    }
}

/// The audit entry of `kind` about key `id`, whose record is `record`.
fn entry(kind: &'static str, at: Timestamp, id: KeyId, by: &Actor, record: &[u8]) -> Vec<u8> {
    AuditEntry {
        kind,
        time: at.as_second(),
        subject: &subject(id),
        version: 0,
        actor: by.as_str(),
        registration: None,
        record,
    }
    .to_bytes()
}

/// The audit-log subject of a key's entries.
pub(super) fn subject(id: KeyId) -> String {
    format!("key:{id}")
}

/// The key of an audit-log [`subject`].
pub(super) fn parse_subject(subject: &str) -> Option<KeyId> {
    subject.strip_prefix("key:")?.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
