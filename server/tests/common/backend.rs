//! The storage backend the end-to-end suites run on, chosen by `QOIMA_TEST_BACKEND`: unset (or
//! `rocksdb`), every [`super::Vault`] is the embedded RocksDB vault of its data directory; with
//! `postgres-s3`, every vault gets a database and a bucket of its own on the PostgreSQL cluster
//! and the Ceph S3 gateway that this test process starts (`clusters.rs`, stopped when the
//! process ends), its configuration names them in `[storage]`, `qoima storage init` prepares
//! them, and every command and server it runs gets the gateway's credentials. The tests are
//! the same on both; the few that are about the RocksDB data directory itself say so
//! ([`rocksdb_only`]) and are skipped, with their reason printed, on the other.

use std::io::Write as _;
use std::sync::OnceLock;

use super::clusters::{VAULT_ROLE, shared};

/// The environment variable that chooses the backend.
pub const VARIABLE: &str = "QOIMA_TEST_BACKEND";

/// Where a test vault keeps its records and content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded RocksDB vault of the data directory, the default.
    RocksDb,
    /// PostgreSQL for the records, an S3 bucket with Object Lock for the content.
    PostgresS3,
}

/// The backend of this test process, from [`VARIABLE`].
pub fn backend() -> Backend {
    static BACKEND: OnceLock<Backend> = OnceLock::new();
    *BACKEND.get_or_init(|| match std::env::var(VARIABLE).as_deref() {
        Err(_) | Ok("" | "rocksdb") => Backend::RocksDb,
        Ok("postgres-s3") => Backend::PostgresS3,
        Ok(other) => panic!("{VARIABLE}={other:?}: expected `rocksdb` or `postgres-s3`"),
    })
}

/// Whether the running test is skipped because it is about the embedded RocksDB vault (its
/// files, its lock, a clock the S3 gateway refuses): `true`, with `why` printed, on any other
/// backend. Written to the process's stderr directly, past the test harness's capture, so
/// that every run shows what it did not test.
pub fn rocksdb_only(why: &str) -> bool {
    if backend() == Backend::RocksDb {
        return false;
    }
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("a test");
    let _ = writeln!(std::io::stderr(), "skipped on postgres-s3: {name}: {why}");
    true
}

/// The reason of the tests whose `qoima` runs under libfaketime with a wall clock months
/// away from the real one: the gateway refuses every request signed more than 15 minutes
/// off its own clock (SigV4, `RequestTimeTooSkewed`), so such a vault cannot even open.
pub const FAKED_CLOCK: &str = "its `qoima` runs with a wall clock months from the real one \
     (libfaketime), and the S3 gateway refuses requests signed more than 15 minutes off its \
     clock (RequestTimeTooSkewed)";

/// A database and a bucket of the test clusters, for one vault.
#[derive(Clone, Debug)]
pub struct Storage {
    pub database: String,
    pub bucket: String,
    /// One node alone on them: no orphan grace, as the vault's single-node suites run on S3
    /// (the grace guards another node's puts in progress, and there is none;
    /// `docs/storage.md`, "Collection across nodes"). Several nodes keep the default grace.
    pub single_node: bool,
}

impl Storage {
    /// A new database (no schema yet) and a bucket name nobody used, for one node.
    pub fn new() -> Self {
        let shared = shared();
        Self {
            database: shared.database(),
            bucket: shared.bucket_name(),
            single_node: true,
        }
    }

    /// The `[storage]` table naming them.
    pub fn table(&self) -> String {
        let table = storage_table(&self.database, &self.bucket);
        if self.single_node {
            table + "orphan-grace-hours = 0\n"
        } else {
            table
        }
    }

    /// The database's URL as the vault's role, what `[storage] postgres` names.
    pub fn url(&self) -> String {
        shared().url(VAULT_ROLE, &self.database)
    }

    /// The database's URL as its owner, for `qoima storage init --owner-url`.
    pub fn owner_url(&self) -> String {
        shared().owner_url(&self.database)
    }
}

impl Storage {
    /// Runs `sql` in the vault's database as the cluster's superuser, with the write-once
    /// triggers switched off (`session_replication_role = replica`): a change behind the
    /// vault's back, as only an administrator of the database can make (`docs/storage.md`).
    pub fn tamper_sql(&self, sql: &str) {
        shared().superuser_sql(
            &self.database,
            &format!("SET session_replication_role = replica; {sql}"),
        );
    }

    /// The current bytes of `key` in the vault's bucket.
    pub fn object(&self, key: &str) -> Vec<u8> {
        let (status, body) = shared().s3_request("GET", &format!("{}/{key}", self.bucket), b"");
        assert_eq!(status, 200, "GET {key}: {}", String::from_utf8_lossy(&body));
        body
    }

    /// PUTs `bytes` over `key` with the vault's own credentials, as anyone holding them could:
    /// Object Lock keeps every older version, but the new one is what a plain GET reads.
    pub fn overwrite(&self, key: &str, bytes: &[u8]) {
        let (status, body) = shared().s3_request("PUT", &format!("{}/{key}", self.bucket), bytes);
        assert_eq!(status, 200, "PUT {key}: {}", String::from_utf8_lossy(&body));
    }
}

impl Default for Storage {
    fn default() -> Self {
        Self::new()
    }
}

/// The `[storage]` table of a node on `database` and `bucket` of the test clusters (the
/// vault's role; revocations of API keys read again after a second).
pub fn storage_table(database: &str, bucket: &str) -> String {
    let shared = shared();
    format!(
        "\n[storage]\n\
         backend = \"postgres-s3\"\n\
         postgres = \"{}\"\n\
         shared-cache-seconds = 1\n\
         [storage.s3]\n\
         endpoint = \"{}\"\n\
         bucket = \"{bucket}\"\n",
        shared.url(VAULT_ROLE, database),
        shared.endpoint(),
    )
}

/// The gateway's credentials, as the environment gives them to `qoima`.
pub fn s3_credentials() -> [(&'static str, String); 2] {
    shared().s3_credentials()
}
