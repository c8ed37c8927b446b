//! API keys of the HTTP API (authentication and roles: `docs/api.md`): their roles, their tokens,
//! and their records in the metadata store.
//!
//! A token is `qk_<16 hex id>_<64 hex secret>` (lowercase hex; the id is 8 random bytes, the
//! secret 32, both from the system's secure generator). It is shown once, when the key is
//! created: the vault keeps only the SHA-256 of the secret's bytes, in a [`KeyRecord`] under
//! the id in [`Table::ApiKeys`]. Records being write-once, a revocation is a record of its own
//! ([`Revocation`], in [`Table::KeyRevocations`] under the same id), and a revoked key stays
//! revoked.
//!
//! Keys are created and revoked by [`crate::registry::Registry::create_key`] and
//! [`crate::registry::Registry::revoke_key`] alone: a key grants access to the records, so who
//! made or withdrew one is in the audit log with the record, in the same batch, as every other
//! change. This file keeps what needs no writer lock: checking and encoding a new key's record,
//! tokens, authentication, the listing and the [`KeyCache`].
//!
//! A key may be bound to a BIN and to a participant ([`ApiKey::bin`], [`ApiKey::participant`]):
//! the registration routes hold its documents to them.
//!
//! [`authenticate`] answers `None` alike for a malformed token, an unknown id, a wrong secret
//! and a revoked key, so that a caller cannot tell which; the secret's digest is compared in
//! constant time.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use bincode::{Decode, Encode};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::address::decode_lower_hex;
use crate::audit::log::LogError;
use crate::codec::{self, CodecError, Upgrade};
use crate::records::Participant;
use crate::storage::{MetaStore, StorageError, Table};

/// What a request may need: each route of the HTTP API needs one of these.
///
/// - [`Permission::Read`]: reading documents — their facts, versions, content and the listings
///   by object number — and verifying signatures (`POST /v1/verify`, re-verification of a
///   stored document), which changes nothing.
/// - [`Permission::Write`]: uploads, registering documents and their new versions, and the
///   deletion (disposal) of documents whose retention has passed.
/// - [`Permission::Audit`]: the audit log's checkpoints and proofs, and placing and releasing
///   legal holds.
/// - [`Permission::Admin`]: managing API keys and calendars.
/// - [`Permission::Reverify`]: bulk re-verification runs over the whole vault (auditors and
///   administrators: a run takes the machine's cores for a while and may record events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Permission {
    /// Read documents and verify signatures.
    Read,
    /// Upload, register, add versions, dispose of.
    Write,
    /// Audit-log proofs and checkpoints, legal holds.
    Audit,
    /// Keys and calendars.
    Admin,
    /// Bulk re-verification runs.
    Reverify,
}

/// The role of an API key.
///
/// | role      | Read | Write | Audit | Admin | Reverify |
/// |-----------|------|-------|-------|-------|----------|
/// | `reader`  | yes  |       |       |       |          |
/// | `writer`  | yes  | yes   |       |       |          |
/// | `auditor` | yes  |       | yes   |       | yes      |
/// | `admin`   | yes  |       |       | yes   | yes      |
///
/// (Writers register and read; readers read; auditors read everything, place and
/// release holds and get proofs — the server also writes each of their reads to the audit log;
/// admins manage keys and calendars; both run bulk re-verifications.)
///
/// Stored as its bincode variant index: the order of the variants is part of the record format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Registers documents and reads them.
    Writer,
    /// Reads documents.
    Reader,
    /// Reads everything, places and releases holds, gets audit proofs.
    Auditor,
    /// Manages keys and calendars.
    Admin,
}

impl Role {
    /// Every role, in the order of the table above.
    pub const ALL: [Role; 4] = [Role::Writer, Role::Reader, Role::Auditor, Role::Admin];

    /// Whether the role grants `permission` (the table of [`Role`]).
    pub fn can(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Write => self == Role::Writer,
            Permission::Audit => self == Role::Auditor,
            Permission::Admin => self == Role::Admin,
            Permission::Reverify => matches!(self, Role::Auditor | Role::Admin),
        }
    }

    /// Its name: `writer`, `reader`, `auditor` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Writer => "writer",
            Role::Reader => "reader",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a role is writer, reader, auditor or admin")]
pub struct ParseRoleError;

impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or(ParseRoleError)
    }
}

/// An API key's id: 8 random bytes, 16 lowercase hex digits in text (and in its token).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Why a text is not a key id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key id is 16 lowercase hex digits")]
pub struct ParseKeyIdError;

impl FromStr for KeyId {
    type Err = ParseKeyIdError;

    /// Strict: exactly 16 lowercase hex digits.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        decode_lower_hex(text.as_bytes())
            .map(KeyId)
            .ok_or(ParseKeyIdError)
    }
}

/// What the vault keeps of an API key, under its id in [`Table::ApiKeys`]; written once, as
/// format 2 (format 1 records, made before keys named a participant, still read:
/// [`KeyRecordV1`]).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct KeyRecord {
    /// What it may do.
    pub role: Role,
    /// A name for people (1–100 characters, no control characters).
    pub name: Option<String>,
    /// The BIN (12 digits) of the organisation the key was issued to.
    pub bin: Option<String>,
    /// Whether every mutating request made with it must be a CMS-signed envelope whose
    /// signer's BIN is the key's (the signed-request mode).
    pub require_signed: bool,
    /// When it was created, unix seconds.
    pub created_at: i64,
    /// The SHA-256 of the secret's 32 bytes (never the secret itself).
    pub secret_sha256: [u8; 32],
    /// The participant whose numbering the key registers under (a [`Participant`]'s name).
    /// Last, so that format 2 is format 1 with one more field.
    pub participant: Option<String>,
}

/// A key record as format 1 stored it, before keys named a participant: the fields of
/// [`KeyRecord`] up to `secret_sha256`, in its order. Frozen: never edit it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct KeyRecordV1 {
    role: Role,
    name: Option<String>,
    bin: Option<String>,
    require_signed: bool,
    created_at: i64,
    secret_sha256: [u8; 32],
}

impl Upgrade for KeyRecord {
    const FORMAT: u8 = codec::FORMAT_V2;
    type Previous = KeyRecordV1;
}

codec::stored_as_format_1!(KeyRecordV1);

/// A format 1 key was bound to no participant: none could be named then.
impl From<KeyRecordV1> for KeyRecord {
    fn from(old: KeyRecordV1) -> Self {
        KeyRecord {
            role: old.role,
            name: old.name,
            bin: old.bin,
            require_signed: old.require_signed,
            created_at: old.created_at,
            secret_sha256: old.secret_sha256,
            participant: None,
        }
    }
}

/// The revocation of an API key, under its id in [`Table::KeyRevocations`]; written once.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct Revocation {
    /// When it was revoked, unix seconds.
    pub revoked_at: i64,
}

/// An API key as callers see it: everything but the secret's digest, with its revocation.
///
/// A key bound to a BIN registers only documents whose signer meets that BIN; bound to a
/// participant, only under that participant's numbering (enforced by the registration routes,
/// not here).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiKey {
    /// Its id.
    pub id: KeyId,
    /// What it may do.
    pub role: Role,
    /// A name for people.
    pub name: Option<String>,
    /// The BIN of the organisation it was issued to: it registers only documents whose signer
    /// meets that BIN.
    pub bin: Option<String>,
    /// The participant it registers for: it registers only under that participant's
    /// numbering.
    pub participant: Option<Participant>,
    /// Whether mutating requests made with it must be signed by its BIN.
    pub require_signed: bool,
    /// When it was created, unix seconds.
    pub created_at: i64,
    /// When it was revoked, unix seconds; `None` while it is valid.
    pub revoked_at: Option<i64>,
}

/// What a new key is to be, as [`crate::registry::Registry::create_key`] takes it (the name and
/// the BIN are checked there; a [`Participant`] is checked when it is made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// What it may do.
    pub role: Role,
    /// A name for people (1–100 characters, no control characters).
    pub name: Option<String>,
    /// The BIN (12 digits) of the organisation it is issued to.
    pub bin: Option<String>,
    /// The participant whose numbering it registers under.
    pub participant: Option<Participant>,
    /// Whether its mutating requests must be signed by its BIN.
    pub require_signed: bool,
}

impl NewKey {
    /// A key of `role`, bound to nothing, with no name.
    pub fn new(role: Role) -> Self {
        Self {
            role,
            name: None,
            bin: None,
            participant: None,
            require_signed: false,
        }
    }
}

/// A failure to create, check, list or revoke API keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The name is empty, longer than 100 characters, or has a control character.
    #[error("a key name is 1 to 100 characters without control characters")]
    BadName,
    /// The BIN is not 12 ASCII digits.
    #[error("a BIN is 12 digits")]
    BadBin,
    /// No key has this id.
    #[error("no API key {0}")]
    Unknown(KeyId),
    /// The key was revoked already (a revocation is written once).
    #[error("API key {0} is already revoked")]
    AlreadyRevoked(KeyId),
    /// The system's secure random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// A stored key record is damaged.
    #[error("damaged API key record: {0}")]
    Damaged(String),
    /// A stored record could not be decoded or a record encoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The storage engine failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The audit log failed, or is damaged: nothing was written.
    #[error(transparent)]
    Log(#[from] LogError),
}

/// The most characters of a key name.
pub const MAX_NAME_CHARS: usize = 100;

const PREFIX: &[u8] = b"qk_";
const ID_HEX: usize = 16;
const SECRET_HEX: usize = 64;
/// `qk_` + id + `_` + secret.
const TOKEN_LEN: usize = PREFIX.len() + ID_HEX + 1 + SECRET_HEX;

/// Checks a key name: 1–100 characters, none of them a control character.
pub fn check_name(name: &str) -> Result<(), KeyError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(KeyError::BadName);
    }
    Ok(())
}

/// Checks a BIN: 12 ASCII digits.
pub fn check_bin(bin: &str) -> Result<(), KeyError> {
    if !qoima_verifier::identity::number::is_well_formed(bin) {
        return Err(KeyError::BadBin);
    }
    Ok(())
}

/// A new key's record, checked and encoded as stored (format 2), and its secret: the parts of
/// a creation that need no writer lock ([`crate::registry::Registry::create_key`] stores the
/// record with its audit entry).
pub(crate) fn mint(new: &NewKey, at: Timestamp) -> Result<(Vec<u8>, [u8; 32]), KeyError> {
    use ring::rand::SecureRandom;

    if let Some(name) = &new.name {
        check_name(name)?;
    }
    if let Some(bin) = &new.bin {
        check_bin(bin)?;
    }
    let mut secret = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| KeyError::Random)?;
    let record = KeyRecord {
        role: new.role,
        name: new.name.clone(),
        bin: new.bin.clone(),
        require_signed: new.require_signed,
        created_at: at.as_second(),
        secret_sha256: Sha256::digest(secret).into(),
        participant: new.participant.as_ref().map(|p| p.as_str().to_owned()),
    };
    Ok((codec::encode_upgraded(&record)?, secret))
}

/// A random key id (the caller stores it write-once, so an id taken already is refused).
pub(crate) fn random_id() -> Result<KeyId, KeyError> {
    use ring::rand::SecureRandom;

    let mut id = [0u8; 8];
    ring::rand::SystemRandom::new()
        .fill(&mut id)
        .map_err(|_| KeyError::Random)?;
    Ok(KeyId(id))
}

/// The token of key `id` with `secret`.
pub(crate) fn token(id: KeyId, secret: &[u8; 32]) -> String {
    format!("qk_{id}_{}", hex::encode(secret))
}

/// The revocation of key `id` at `at`, encoded as stored; an unknown id is an error.
pub(crate) fn revocation(
    backend: &impl MetaStore,
    id: KeyId,
    at: Timestamp,
) -> Result<Vec<u8>, KeyError> {
    // Presence alone: a damaged record may be revoked all the same.
    if backend.get(Table::ApiKeys, &id.0)?.is_none() {
        return Err(KeyError::Unknown(id));
    }
    Ok(codec::encode(&Revocation {
        revoked_at: at.as_second(),
    })?)
}

/// The valid key `token` is the token of, or `None` — alike for a malformed token, an unknown
/// id, a wrong secret and a revoked key. Errors are the storage's alone.
pub fn authenticate(backend: &impl MetaStore, token: &str) -> Result<Option<ApiKey>, KeyError> {
    let Some((id, secret)) = parse_token(token) else {
        return Ok(None);
    };
    let Some(record) = record(backend, id)? else {
        return Ok(None);
    };
    let digest: [u8; 32] = Sha256::digest(secret).into();
    if !digests_equal(&digest, &record.secret_sha256) {
        return Ok(None);
    }
    let key = api_key(backend, id, record)?;
    Ok(key.revoked_at.is_none().then_some(key))
}

/// The key with id `id`, revoked or not.
pub fn get(backend: &impl MetaStore, id: KeyId) -> Result<Option<ApiKey>, KeyError> {
    match record(backend, id)? {
        Some(record) => api_key(backend, id, record).map(Some),
        None => Ok(None),
    }
}

/// Every key, revoked ones included, in the order of their creation (keys created in the same
/// second by id).
pub fn list(backend: &impl MetaStore) -> Result<Vec<ApiKey>, KeyError> {
    let mut keys = Vec::new();
    for entry in backend.scan(Table::ApiKeys) {
        let (key, value) = entry?;
        let id = key_id(&key)?;
        let record = codec::decode_upgrading::<KeyRecord>(&value)?;
        keys.push(api_key(backend, id, record)?);
    }
    keys.sort_by_key(|key| (key.created_at, key.id));
    Ok(keys)
}

/// Keys as [`authenticate`] finds them, kept in memory for a long-running server so that a
/// request reads nothing from the store to authenticate (two reads otherwise, a tenth of the
/// work of a `POST /v1/verify` besides the engine's; BENCHMARKS.md).
///
/// Only ids the store holds are kept, so made-up tokens cost a read each but no memory. Keys
/// revoked through [`KeyCache::revoke`] fail from memory at once. A store that one process
/// alone opens (RocksDB, which `qoima serve` locks) has no other revoker, so by default a
/// valid key is never read again; on a store that several nodes share, a revocation by
/// another node is seen within the interval of [`KeyCache::rechecking_every`].
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: RwLock<HashMap<KeyId, Known>>,
    /// How long a valid key is taken from memory before its revocation is read again.
    recheck: Option<Duration>,
}

#[derive(Debug, Clone)]
enum Known {
    Valid {
        secret_sha256: [u8; 32],
        key: Arc<ApiKey>,
        /// When the store last said that the key is not revoked.
        checked: Instant,
    },
    Revoked,
}

impl KeyCache {
    /// A cache that reads a valid key's revocation again once `interval` has passed since the
    /// last read (one point read per key and interval): the bound on how long a key revoked by
    /// another node sharing the store is still taken here.
    pub fn rechecking_every(interval: Duration) -> Self {
        Self {
            keys: RwLock::default(),
            recheck: Some(interval),
        }
    }

    /// [`authenticate`], from memory after a key's first use.
    pub fn authenticate(
        &self,
        backend: &impl MetaStore,
        token: &str,
    ) -> Result<Option<Arc<ApiKey>>, KeyError> {
        let Some((id, secret)) = parse_token(token) else {
            return Ok(None);
        };
        let cached = self.read().get(&id).cloned();
        let known = match cached {
            Some(known) => known,
            None => {
                let Some(record) = record(backend, id)? else {
                    return Ok(None);
                };
                let secret_sha256 = record.secret_sha256;
                let key = api_key(backend, id, record)?;
                let loaded = match key.revoked_at {
                    Some(_) => Known::Revoked,
                    None => Known::Valid {
                        secret_sha256,
                        key: Arc::new(key),
                        checked: Instant::now(),
                    },
                };
                // A revocation marked while the store was read wins over what was read.
                self.write().entry(id).or_insert(loaded).clone()
            }
        };
        let digest: [u8; 32] = Sha256::digest(secret).into();
        let Known::Valid {
            secret_sha256,
            key,
            checked,
        } = known
        else {
            return Ok(None);
        };
        if !digests_equal(&digest, &secret_sha256) {
            return Ok(None);
        }
        if self
            .recheck
            .is_some_and(|interval| checked.elapsed() >= interval)
        {
            return self.recheck(backend, id, key);
        }
        Ok(Some(key))
    }

    /// Reads the revocation of the valid key `key` again, and keeps what the store says.
    fn recheck(
        &self,
        backend: &impl MetaStore,
        id: KeyId,
        key: Arc<ApiKey>,
    ) -> Result<Option<Arc<ApiKey>>, KeyError> {
        let revoked = backend.get(Table::KeyRevocations, &id.0)?.is_some();
        let mut keys = self.write();
        match keys.get_mut(&id) {
            Some(Known::Valid { checked, .. }) if !revoked => {
                *checked = Instant::now();
                Ok(Some(key))
            }
            Some(known) => {
                *known = Known::Revoked;
                Ok(None)
            }
            None => Ok((!revoked).then_some(key)),
        }
    }

    /// Revokes `id` by `revoke` ([`crate::registry::Registry::revoke_key`], which stores the
    /// revocation with its audit entry), then marks it revoked here: from then on it fails from
    /// memory too, even against a read of the store that missed the revocation. A failed
    /// revocation leaves the cache as it was.
    pub fn revoke(
        &self,
        id: KeyId,
        revoke: impl FnOnce(KeyId) -> Result<(), KeyError>,
    ) -> Result<(), KeyError> {
        revoke(id)?;
        self.write().insert(id, Known::Revoked);
        Ok(())
    }

    // A panic while the lock was held left the map whole (one insert is the only change).
    fn read(&self) -> RwLockReadGuard<'_, HashMap<KeyId, Known>> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<KeyId, Known>> {
        self.keys.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether two digests are equal, in a time that does not depend on where they differ (ring's
/// `verify_slices_are_equal` is deprecated). Comparing the digests rather than the secrets
/// already makes a timing difference useless to a guesser; this removes it too.
fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// The id and the secret's bytes of a well-formed token.
fn parse_token(token: &str) -> Option<(KeyId, [u8; 32])> {
    let token = token.as_bytes();
    if token.len() != TOKEN_LEN {
        return None;
    }
    let rest = token.strip_prefix(PREFIX)?;
    let (id, rest) = rest.split_at(ID_HEX);
    let secret = rest.strip_prefix(b"_")?;
    Some((KeyId(decode_lower_hex(id)?), decode_lower_hex(secret)?))
}

fn key_id(key: &[u8]) -> Result<KeyId, KeyError> {
    <[u8; 8]>::try_from(key).map(KeyId).map_err(|_| {
        KeyError::Damaged(format!(
            "a key id of {} bytes ({}), expected 8",
            key.len(),
            hex::encode(key)
        ))
    })
}

fn record(backend: &impl MetaStore, id: KeyId) -> Result<Option<KeyRecord>, KeyError> {
    match backend.get(Table::ApiKeys, &id.0)? {
        Some(bytes) => Ok(Some(codec::decode_upgrading(&bytes)?)),
        None => Ok(None),
    }
}

fn api_key(backend: &impl MetaStore, id: KeyId, record: KeyRecord) -> Result<ApiKey, KeyError> {
    let revoked_at = match backend.get(Table::KeyRevocations, &id.0)? {
        Some(bytes) => Some(codec::decode::<Revocation>(&bytes)?.revoked_at),
        None => None,
    };
    let participant = record
        .participant
        .as_deref()
        .map(Participant::new)
        .transpose()
        .map_err(|e| KeyError::Damaged(format!("API key {id}: {e}")))?;
    Ok(ApiKey {
        id,
        role: record.role,
        name: record.name,
        bin: record.bin,
        participant,
        require_signed: record.require_signed,
        created_at: record.created_at,
        revoked_at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
pub(crate) mod tests {
    //! Keys made through a [`Registry`] on a real RocksDB store (the only way to make them);
    //! `registry/keys/tests.rs` checks their audit entries.

    use std::sync::Arc;

    use super::*;
    use crate::content::{ContentConfig, ContentStore};
    use crate::records::{Actor, Calendar, Numbering, Template};
    use crate::registry::Registry;
    use crate::storage::MetaBatch;
    use crate::storage::rocks::RocksBackend;

    /// A registry on a new store (its verifier is never used by keys).
    pub(crate) fn registry() -> (tempfile::TempDir, Registry) {
        let dir = tempfile::tempdir().unwrap();
        let content = ContentStore::open(dir.path(), ContentConfig::default()).unwrap();
        let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
        let registry = Registry::new(
            content,
            Arc::new(qoima_verifier::testing::pki::rsa_verifier()),
            Calendar::builtin().unwrap(),
            numbering,
        )
        .unwrap();
        (dir, registry)
    }

    pub(crate) fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + second).unwrap()
    }

    pub(crate) fn operator() -> Actor {
        "operator".parse().unwrap()
    }

    /// A key made by the operator, bound to no participant.
    pub(crate) fn create(
        registry: &Registry,
        role: Role,
        name: Option<&str>,
        bin: Option<&str>,
        require_signed: bool,
        at: Timestamp,
    ) -> Result<(KeyId, String), KeyError> {
        let new = NewKey {
            role,
            name: name.map(str::to_owned),
            bin: bin.map(str::to_owned),
            participant: None,
            require_signed,
        };
        registry.create_key(&new, &operator(), at)
    }

    pub(crate) fn revoke(registry: &Registry, id: KeyId, at: Timestamp) -> Result<(), KeyError> {
        registry.revoke_key(id, &operator(), at)
    }

    #[test]
    fn round_trip() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let new = NewKey {
            name: Some("portal backend".into()),
            bin: Some("123456789012".into()),
            participant: Some(Participant::new("ТОО Тест").unwrap()),
            require_signed: true,
            ..NewKey::new(Role::Writer)
        };
        let (id, token) = registry.create_key(&new, &operator(), at(0)).unwrap();
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(token.starts_with(&format!("qk_{id}_")));
        let key = authenticate(backend, &token).unwrap().unwrap();
        assert_eq!(
            key,
            ApiKey {
                id,
                role: Role::Writer,
                name: Some("portal backend".into()),
                bin: Some("123456789012".into()),
                participant: Some(Participant::new("ТОО Тест").unwrap()),
                require_signed: true,
                created_at: at(0).as_second(),
                revoked_at: None,
            }
        );
        assert_eq!(get(backend, id).unwrap().unwrap(), key);
        assert_eq!(list(backend).unwrap(), [key]);
        // Only the digest is stored, as format 2.
        let stored = backend.get(Table::ApiKeys, &id.0).unwrap().unwrap();
        assert_eq!(stored[0], codec::FORMAT_V2);
        let secret = hex::decode(&token[TOKEN_LEN - SECRET_HEX..]).unwrap();
        assert!(!stored.windows(secret.len()).any(|w| w == secret));
        let record: KeyRecord = codec::decode_upgrading(&stored).unwrap();
        assert_eq!(
            record.secret_sha256,
            <[u8; 32]>::from(Sha256::digest(&secret))
        );
        assert_eq!(record.participant.as_deref(), Some("ТОО Тест"));
    }

    /// [`KeyRecord`]'s fields up to `secret_sha256`, after the format byte.
    const V1_FIELDS: &str = concat!(
        "00",                                                               // role writer
        "010161",                                                           // name "a"
        "010c313233343536373839303132",                                     // BIN
        "01",                                                               // require signed
        "fc004a31d4",                                                       // created (zigzag)
        "abababababababababababababababababababababababababababababababab", // secret's digest
    );

    fn v1_sample() -> KeyRecordV1 {
        KeyRecordV1 {
            role: Role::Writer,
            name: Some("a".into()),
            bin: Some("123456789012".into()),
            require_signed: true,
            created_at: 1_780_000_000,
            secret_sha256: [0xab; 32],
        }
    }

    /// The stored bytes of a key record as format 1 wrote them.
    pub(crate) fn format_1_record(role: Role, at: Timestamp, secret_sha256: [u8; 32]) -> Vec<u8> {
        let old = KeyRecordV1 {
            role,
            name: None,
            bin: None,
            require_signed: false,
            created_at: at.as_second(),
            secret_sha256,
        };
        codec::encode(&old).unwrap()
    }

    #[test]
    fn key_record_v1_golden_bytes_read_as_bound_to_no_participant() {
        let bytes = codec::encode(&v1_sample()).unwrap();
        assert_eq!(hex::encode(&bytes), format!("01{V1_FIELDS}"));
        let record: KeyRecord = codec::decode_upgrading(&bytes).unwrap();
        assert_eq!(record, KeyRecord::from(v1_sample()));
        assert_eq!(record.participant, None);
        assert_eq!(record.created_at, 1_780_000_000);

        // A format 1 record in the store: read, authenticated and listed as it was.
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let secret = [7u8; 32];
        let old = KeyRecordV1 {
            secret_sha256: Sha256::digest(secret).into(),
            ..v1_sample()
        };
        let id = KeyId([1; 8]);
        let mut batch = MetaBatch::new();
        batch.put(Table::ApiKeys, id.0.to_vec(), codec::encode(&old).unwrap());
        backend.commit(batch).unwrap();
        let key = authenticate(backend, &token(id, &secret)).unwrap().unwrap();
        assert_eq!((key.id, key.participant), (id, None));
        assert_eq!(key.bin.as_deref(), Some("123456789012"));
        assert_eq!(list(backend).unwrap().len(), 1);
        // And revoked like any other.
        revoke(&registry, id, at(1)).unwrap();
        assert_eq!(authenticate(backend, &token(id, &secret)).unwrap(), None);
    }

    #[test]
    fn key_record_v2_golden_bytes() {
        let record = KeyRecord {
            participant: Some("ТОО Тест".into()),
            ..KeyRecord::from(v1_sample())
        };
        let bytes = codec::encode_upgraded(&record).unwrap();
        let participant = "010fd0a2d09ed09e20d0a2d0b5d181d182"; // Some("ТОО Тест"), 15 bytes
        assert_eq!(hex::encode(&bytes), format!("02{V1_FIELDS}{participant}"));
        assert_eq!(
            codec::decode_upgrading::<KeyRecord>(&bytes).unwrap(),
            record
        );
        let unbound = KeyRecord::from(v1_sample());
        let bytes = codec::encode_upgraded(&unbound).unwrap();
        assert_eq!(hex::encode(&bytes), format!("02{V1_FIELDS}00"));
        assert_eq!(
            codec::decode_upgrading::<KeyRecord>(&bytes).unwrap(),
            unbound
        );
        // Format 2 is not read as format 1, and trailing bytes are refused.
        assert_eq!(
            codec::decode::<KeyRecordV1>(&bytes),
            Err(CodecError::UnknownVersion(2))
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            codec::decode_upgrading::<KeyRecord>(&longer),
            Err(CodecError::TrailingBytes(1))
        );
    }

    #[test]
    fn a_stored_participant_that_is_not_one_is_damage() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let record = KeyRecord {
            participant: Some("a/b".into()),
            ..KeyRecord::from(v1_sample())
        };
        let id = KeyId([2; 8]);
        let mut batch = MetaBatch::new();
        batch.put(
            Table::ApiKeys,
            id.0.to_vec(),
            codec::encode_upgraded(&record).unwrap(),
        );
        backend.commit(batch).unwrap();
        assert!(matches!(get(backend, id), Err(KeyError::Damaged(_))));
    }

    #[test]
    fn wrong_secret_and_unknown_id() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let (id, token) = create(&registry, Role::Reader, None, None, false, at(0)).unwrap();
        // Every other secret fails, whichever digit differs.
        for position in [TOKEN_LEN - SECRET_HEX, TOKEN_LEN - 1] {
            let mut wrong = token.clone().into_bytes();
            wrong[position] = if wrong[position] == b'0' { b'1' } else { b'0' };
            let wrong = String::from_utf8(wrong).unwrap();
            assert_eq!(authenticate(backend, &wrong).unwrap(), None);
        }
        // The right secret with another id.
        let other = KeyId([id.0[0] ^ 1, 0, 0, 0, 0, 0, 0, 0]);
        let unknown = format!("qk_{other}_{}", &token[TOKEN_LEN - SECRET_HEX..]);
        assert_eq!(authenticate(backend, &unknown).unwrap(), None);
        assert!(authenticate(backend, &token).unwrap().is_some());
    }

    #[test]
    fn malformed_tokens() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let (_, token) = create(&registry, Role::Admin, None, None, false, at(0)).unwrap();
        let upper = format!("qk_{}", token[3..].to_uppercase());
        let long = format!("{token}{}", "a".repeat(1 << 20));
        let non_ascii = format!("{}é", &token[..TOKEN_LEN - 2]);
        let malformed = [
            String::new(),
            "qk_".into(),
            "qk__".into(),
            format!("{token}0"),
            token[..TOKEN_LEN - 1].into(),
            format!(" {}", &token[1..]),
            format!("Qk_{}", &token[3..]),
            format!("qk-{}", &token[3..]),
            format!("{}-{}", &token[..19], &token[20..]),
            format!("{}g", &token[..TOKEN_LEN - 1]),
            upper,
            long,
            non_ascii,
            "é".repeat(TOKEN_LEN / 2),
            format!("Bearer {token}"),
        ];
        for bad in &malformed {
            assert_eq!(authenticate(backend, bad).unwrap(), None, "{bad:.100}");
        }
        assert!(authenticate(backend, &token).unwrap().is_some());
        assert_eq!("0123456789ABCDEF".parse::<KeyId>(), Err(ParseKeyIdError));
        assert_eq!("0123456789abcde".parse::<KeyId>(), Err(ParseKeyIdError));
        assert_eq!(
            "0123456789abcdef".parse::<KeyId>().unwrap().to_string(),
            "0123456789abcdef"
        );
    }

    #[test]
    fn a_revoked_key_fails_and_revocation_is_write_once() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let (id, token) = create(&registry, Role::Auditor, None, None, false, at(0)).unwrap();
        let (kept, kept_token) =
            create(&registry, Role::Auditor, None, None, false, at(1)).unwrap();
        revoke(&registry, id, at(5)).unwrap();
        assert_eq!(authenticate(backend, &token).unwrap(), None);
        assert_eq!(
            get(backend, id).unwrap().unwrap().revoked_at,
            Some(at(5).as_second())
        );
        assert!(matches!(
            revoke(&registry, id, at(6)),
            Err(KeyError::AlreadyRevoked(revoked)) if revoked == id
        ));
        assert_eq!(
            get(backend, id).unwrap().unwrap().revoked_at,
            Some(at(5).as_second())
        );
        let unknown = KeyId([0xff; 8]);
        assert!(matches!(
            revoke(&registry, unknown, at(6)),
            Err(KeyError::Unknown(u)) if u == unknown
        ));
        assert_eq!(
            backend.get(Table::KeyRevocations, &unknown.0).unwrap(),
            None
        );
        // The other key is untouched.
        assert_eq!(
            authenticate(backend, &kept_token).unwrap().unwrap().id,
            kept
        );
    }

    #[test]
    fn the_cache_answers_as_the_store_and_from_memory() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let empty_dir = tempfile::tempdir().unwrap();
        let empty = RocksBackend::open(empty_dir.path()).unwrap();
        let cache = KeyCache::default();
        let (_, token) = create(&registry, Role::Writer, None, None, false, at(0)).unwrap();
        let (revoked, revoked_token) =
            create(&registry, Role::Reader, None, None, false, at(1)).unwrap();
        revoke(&registry, revoked, at(2)).unwrap();
        let key = cache.authenticate(backend, &token).unwrap().unwrap();
        assert_eq!(*key, authenticate(backend, &token).unwrap().unwrap());
        // Known now: a store without the key changes nothing, and a wrong secret still fails.
        assert_eq!(cache.authenticate(&empty, &token).unwrap(), Some(key));
        let mut wrong = token.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(cache.authenticate(&empty, &wrong).unwrap(), None);
        // Revoked in the store before: refused, and refused from memory after.
        assert_eq!(cache.authenticate(backend, &revoked_token).unwrap(), None);
        assert_eq!(cache.authenticate(&empty, &revoked_token).unwrap(), None);
        // Unknown ids and malformed tokens are refused and not kept.
        let unknown = format!(
            "qk_{}_{}",
            KeyId([0xee; 8]),
            &token[TOKEN_LEN - SECRET_HEX..]
        );
        for bad in [unknown.as_str(), "qk_", "", &token[1..]] {
            assert_eq!(cache.authenticate(backend, bad).unwrap(), None, "{bad}");
        }
        assert_eq!(cache.read().len(), 2);
    }

    #[test]
    fn a_key_revoked_through_the_cache_fails_at_once() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let (_stale_dir, stale) = self::registry();
        let cache = KeyCache::default();
        let (id, token) = create(&registry, Role::Admin, None, None, false, at(0)).unwrap();
        // A copy of the store from before the revocation.
        let mut copy = MetaBatch::new();
        let record = backend.get(Table::ApiKeys, &id.0).unwrap().unwrap();
        copy.put(Table::ApiKeys, id.0.to_vec(), record);
        stale.content().backend().commit(copy).unwrap();
        let stale_backend = stale.content().backend();
        assert!(cache.authenticate(backend, &token).unwrap().is_some());
        cache.revoke(id, |id| revoke(&registry, id, at(1))).unwrap();
        assert_eq!(authenticate(backend, &token).unwrap(), None);
        assert_eq!(cache.authenticate(backend, &token).unwrap(), None);
        // What the cache knows of the revocation wins over a read that missed it.
        assert_eq!(cache.authenticate(stale_backend, &token).unwrap(), None);
        let fresh = KeyCache::default();
        fresh.revoke(id, |id| revoke(&stale, id, at(1))).unwrap();
        assert_eq!(fresh.authenticate(stale_backend, &token).unwrap(), None);
        // Revocation errors are the store's, and leave the cache as it was.
        assert!(matches!(
            cache.revoke(id, |id| revoke(&registry, id, at(2))),
            Err(KeyError::AlreadyRevoked(again)) if again == id
        ));
        let unknown = KeyId([0xee; 8]);
        assert!(matches!(
            cache.revoke(unknown, |id| revoke(&registry, id, at(2))),
            Err(KeyError::Unknown(_))
        ));
        assert!(!cache.read().contains_key(&unknown));
    }

    #[test]
    fn a_key_revoked_by_another_node_fails_once_the_interval_has_passed() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let (id, token) = create(&registry, Role::Writer, None, None, false, at(0)).unwrap();
        // Three nodes' caches on one shared store, the key known to each.
        let never = KeyCache::default();
        let hourly = KeyCache::rechecking_every(Duration::from_secs(3600));
        let briefly = KeyCache::rechecking_every(Duration::from_millis(20));
        for cache in [&never, &hourly, &briefly] {
            assert!(cache.authenticate(backend, &token).unwrap().is_some());
        }
        // Another node revokes it in the store, not through these caches.
        revoke(&registry, id, at(1)).unwrap();
        assert!(never.authenticate(backend, &token).unwrap().is_some());
        assert!(hourly.authenticate(backend, &token).unwrap().is_some());
        std::thread::sleep(Duration::from_millis(25));
        assert_eq!(briefly.authenticate(backend, &token).unwrap(), None);
        // Refused from memory from then on, even against a read that would miss it.
        let empty_dir = tempfile::tempdir().unwrap();
        let empty = RocksBackend::open(empty_dir.path()).unwrap();
        assert_eq!(briefly.authenticate(&empty, &token).unwrap(), None);
        // A key still valid after the interval is read once and taken from memory again.
        let (_, kept) = create(&registry, Role::Reader, None, None, false, at(2)).unwrap();
        assert!(briefly.authenticate(backend, &kept).unwrap().is_some());
        std::thread::sleep(Duration::from_millis(25));
        assert!(briefly.authenticate(backend, &kept).unwrap().is_some());
        assert!(briefly.authenticate(&empty, &kept).unwrap().is_some());
    }

    #[test]
    fn list_in_creation_order() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let mut created = Vec::new();
        for (second, role) in [(3, Role::Admin), (1, Role::Reader), (2, Role::Writer)] {
            let name = format!("key {second}");
            let (id, _) = create(&registry, role, Some(&name), None, false, at(second)).unwrap();
            created.push((second, id, role));
        }
        revoke(&registry, created[1].1, at(10)).unwrap();
        created.sort_by_key(|&(second, id, _)| (second, id));
        let listed = list(backend).unwrap();
        let summary: Vec<_> = listed
            .iter()
            .map(|key| {
                (
                    key.created_at - at(0).as_second(),
                    key.id,
                    key.role,
                    key.name.clone(),
                    key.revoked_at.is_some(),
                )
            })
            .collect();
        let expected: Vec<_> = created
            .iter()
            .map(|&(second, id, role)| {
                (second, id, role, Some(format!("key {second}")), second == 1)
            })
            .collect();
        assert_eq!(summary, expected);
    }

    #[test]
    fn names_and_bins() {
        let (_dir, registry) = registry();
        let backend = registry.content().backend();
        let long = "я".repeat(MAX_NAME_CHARS);
        for good in ["a", "Портал ГАСК", long.as_str()] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(MAX_NAME_CHARS + 1);
        for bad in [
            "",
            "a\nb",
            "tab\there",
            "\u{7f}",
            "\u{85}",
            too_long.as_str(),
        ] {
            assert!(matches!(check_name(bad), Err(KeyError::BadName)), "{bad:?}");
            assert!(matches!(
                create(&registry, Role::Reader, Some(bad), None, false, at(0)),
                Err(KeyError::BadName)
            ));
        }
        assert!(check_bin("000000000000").is_ok());
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "１２３４５６７８９０１２",
        ] {
            assert!(matches!(check_bin(bad), Err(KeyError::BadBin)), "{bad:?}");
            assert!(matches!(
                create(&registry, Role::Reader, None, Some(bad), false, at(0)),
                Err(KeyError::BadBin)
            ));
        }
        // Nothing was written by the refused creations, not even an audit entry.
        assert!(list(backend).unwrap().is_empty());
        assert_eq!(registry.log().unwrap().size(), 0);
    }

    #[test]
    fn role_table() {
        use Permission::*;
        let table = [
            (Role::Reader, [true, false, false, false, false]),
            (Role::Writer, [true, true, false, false, false]),
            (Role::Auditor, [true, false, true, false, true]),
            (Role::Admin, [true, false, false, true, true]),
        ];
        for (role, row) in table {
            let granted =
                [Read, Write, Audit, Admin, Reverify].map(|permission| role.can(permission));
            assert_eq!(granted, row, "{role}");
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!("Admin".parse::<Role>(), Err(ParseRoleError));
        assert_eq!("".parse::<Role>(), Err(ParseRoleError));
        // The stored form of a role is its variant index: frozen.
        let indexes = Role::ALL.map(|role| codec::encode(&role).unwrap());
        assert_eq!(indexes, [vec![1, 0], vec![1, 1], vec![1, 2], vec![1, 3]]);
    }
}
