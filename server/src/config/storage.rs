//! The `[storage]` table: which engines keep the vault (`docs/storage.md`). The embedded
//! RocksDB vault in the data directory by default; `postgres-s3` for several `qoima serve`
//! nodes: records in PostgreSQL, content in an S3 bucket with Object Lock.

use std::time::Duration;

use serde::Deserialize;

/// The `[storage]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct StorageTable {
    backend: Option<String>,
    postgres: Option<String>,
    s3: Option<S3Table>,
    shared_cache_seconds: Option<u64>,
}

/// `[storage.s3]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct S3Table {
    endpoint: String,
    bucket: String,
    region: Option<String>,
    orphan_grace_hours: Option<u64>,
}

/// Where the vault is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StorageSettings {
    /// The embedded RocksDB vault in the data directory.
    #[default]
    RocksDb,
    /// Records in PostgreSQL, content in S3 with Object Lock.
    PostgresS3(SharedStorage),
}

/// The engines that several nodes share.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedStorage {
    /// The PostgreSQL connection string (`postgresql://…`); it may hold a password, which no
    /// message repeats.
    pub postgres: String,
    /// The S3 endpoint, e.g. `http://127.0.0.1:7480`.
    pub endpoint: String,
    /// The bucket (with Object Lock enabled).
    pub bucket: String,
    /// The region the requests are signed for.
    pub region: String,
    /// How long what a node keeps in memory of the shared records (API keys' revocations,
    /// calendar years) is taken from memory before it is read again: the bound on how long
    /// another node's change goes unseen.
    pub shared_cache: Duration,
    /// How young an unreferenced chunk is left by collections, being perhaps another node's
    /// put in progress (`docs/storage.md`, "Collection across nodes").
    pub orphan_grace: Duration,
}

impl std::fmt::Debug for SharedStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStorage")
            .field("postgres", &"(not shown: it may hold a password)")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("shared_cache", &self.shared_cache)
            .field("orphan_grace", &self.orphan_grace)
            .finish()
    }
}

/// The default of `shared-cache-seconds`.
const SHARED_CACHE_SECONDS: u64 = 2;
/// Its range: 0 reads on every use; longer than five minutes leaves a revoked key usable too
/// long.
const SHARED_CACHE_MAX: u64 = 300;
/// The longest `orphan-grace-hours` (30 days): unreferenced content stays that long at most.
/// Zero turns the grace off, for a bucket that one process alone writes to.
const ORPHAN_GRACE_MAX_HOURS: u64 = 720;

impl StorageTable {
    /// The settings, each key checked; an error names the key.
    pub(super) fn settings(self) -> Result<StorageSettings, String> {
        match self.backend.as_deref().unwrap_or("rocksdb") {
            "rocksdb" => {
                for (key, set) in [
                    ("postgres", self.postgres.is_some()),
                    ("s3", self.s3.is_some()),
                    ("shared-cache-seconds", self.shared_cache_seconds.is_some()),
                ] {
                    if set {
                        return Err(format!(
                            "{key}: only with backend = \"postgres-s3\" (the RocksDB vault is \
                             in the data directory)"
                        ));
                    }
                }
                Ok(StorageSettings::RocksDb)
            }
            "postgres-s3" => self.shared().map(StorageSettings::PostgresS3),
            other => Err(format!(
                "backend: {other:?} is not \"rocksdb\" or \"postgres-s3\""
            )),
        }
    }

    fn shared(self) -> Result<SharedStorage, String> {
        let postgres = self
            .postgres
            .ok_or("postgres: missing (a postgresql:// connection string)")?;
        if !["postgresql://", "postgres://"]
            .iter()
            .any(|scheme| postgres.starts_with(scheme))
        {
            return Err("postgres: not a postgresql:// connection string".to_owned());
        }
        let s3 = self
            .s3
            .ok_or("s3: missing ([storage.s3] with endpoint and bucket)")?;
        if !(s3.endpoint.starts_with("http://") || s3.endpoint.starts_with("https://")) {
            return Err(format!(
                "s3.endpoint: {:?} is not an http:// or https:// URL",
                s3.endpoint
            ));
        }
        if !is_bucket_name(&s3.bucket) {
            return Err(format!(
                "s3.bucket: {:?} is not a bucket name (3 to 63 lower-case letters, digits, \
                 '-' and '.', starting and ending with a letter or digit)",
                s3.bucket
            ));
        }
        let seconds = self.shared_cache_seconds.unwrap_or(SHARED_CACHE_SECONDS);
        if seconds > SHARED_CACHE_MAX {
            return Err(format!(
                "shared-cache-seconds: must be from 0 to {SHARED_CACHE_MAX}, not {seconds}"
            ));
        }
        let orphan_grace = match s3.orphan_grace_hours {
            None => qoima_vault::storage::s3::ORPHAN_GRACE,
            Some(hours) if hours <= ORPHAN_GRACE_MAX_HOURS => Duration::from_secs(hours * 3600),
            Some(hours) => {
                return Err(format!(
                    "s3.orphan-grace-hours: must be from 0 to {ORPHAN_GRACE_MAX_HOURS}, not {hours}"
                ));
            }
        };
        Ok(SharedStorage {
            postgres,
            endpoint: s3.endpoint,
            bucket: s3.bucket,
            region: s3.region.unwrap_or_else(|| "default".to_owned()),
            shared_cache: Duration::from_secs(seconds),
            orphan_grace,
        })
    }
}

/// An S3 bucket name as the S3 naming rules allow it.
fn is_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !name.contains("..")
}

/// The user a `postgresql://` connection string names: the vault's role.
pub(crate) fn vault_role(url: &str) -> Result<String, &'static str> {
    let rest = ["postgresql://", "postgres://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))
        .ok_or("a PostgreSQL URL must start with postgresql://")?;
    let user = rest
        .split_once('@')
        .map(|(userinfo, _)| userinfo.split(':').next().unwrap_or_default())
        .filter(|user| !user.is_empty())
        .ok_or(
            "[storage] postgres names no user: the vault connects as a role of its own \
             (postgresql://ROLE@host/database)",
        )?;
    Ok(user.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_vault_s_role_is_the_url_s_user() {
        assert_eq!(
            vault_role("postgresql://qoima_vault:secret@127.0.0.1:5432/qoima").unwrap(),
            "qoima_vault"
        );
        assert_eq!(vault_role("postgres://v@h/d").unwrap(), "v");
        for bad in [
            "postgresql://127.0.0.1/qoima",
            "postgresql://:pw@h/d",
            "mysql://u@h/d",
        ] {
            let e = vault_role(bad).unwrap_err();
            assert!(!e.to_string().contains("pw"), "{e}");
        }
    }

    fn parse(text: &str) -> Result<StorageSettings, String> {
        toml::from_str::<StorageTable>(text)
            .map_err(|e| e.to_string())?
            .settings()
    }

    const SHARED: &str = "backend = \"postgres-s3\"\n\
        postgres = \"postgresql://qoima:secret@127.0.0.1:5432/qoima\"\n\
        [s3]\nendpoint = \"http://127.0.0.1:7480\"\nbucket = \"qoima\"\n";

    #[test]
    fn rocksdb_by_default_and_the_shared_engines_when_named() {
        assert_eq!(parse("").unwrap(), StorageSettings::RocksDb);
        assert_eq!(
            parse("backend = \"rocksdb\"").unwrap(),
            StorageSettings::RocksDb
        );
        let StorageSettings::PostgresS3(shared) = parse(SHARED).unwrap() else {
            panic!("not postgres-s3");
        };
        assert_eq!(shared.bucket, "qoima");
        assert_eq!(shared.region, "default");
        assert_eq!(shared.shared_cache, Duration::from_secs(2));
        assert!(!format!("{shared:?}").contains("secret"), "{shared:?}");
        assert_eq!(shared.orphan_grace, Duration::from_secs(24 * 3600));
        let longer = parse(&SHARED.replace("[s3]", "shared-cache-seconds = 0\n[s3]")).unwrap();
        assert!(matches!(longer, StorageSettings::PostgresS3(s) if s.shared_cache.is_zero()));
        let grace = parse(&format!("{SHARED}orphan-grace-hours = 48\n")).unwrap();
        assert!(
            matches!(grace, StorageSettings::PostgresS3(s) if s.orphan_grace.as_secs() == 48 * 3600)
        );
    }

    #[test]
    fn bad_values_name_their_key_and_never_the_password() {
        for (text, key) in [
            ("backend = \"sqlite\"".to_owned(), "backend"),
            ("postgres = \"postgresql://x/y\"".to_owned(), "postgres"),
            (
                "shared-cache-seconds = 5".to_owned(),
                "shared-cache-seconds",
            ),
            (SHARED.replace("postgres = ", "# "), "postgres"),
            (
                SHARED.replace("postgresql://qoima:secret", "mysql://qoima:secret"),
                "postgres",
            ),
            (SHARED[..SHARED.find("[s3]").unwrap()].to_owned(), "s3"),
            (SHARED.replace("http://127", "ftp://127"), "s3.endpoint"),
            (
                SHARED.replace("\"qoima\"\n", "\"Qoima_Bucket\"\n"),
                "s3.bucket",
            ),
            (SHARED.replace("\"qoima\"\n", "\"q\"\n"), "s3.bucket"),
            (
                SHARED.replace("[s3]", "shared-cache-seconds = 301\n[s3]"),
                "shared-cache-seconds",
            ),
            (
                format!("{SHARED}orphan-grace-hours = 721\n"),
                "s3.orphan-grace-hours",
            ),
        ] {
            let error = parse(&text).unwrap_err();
            assert!(error.starts_with(key), "{text}: {error}");
            assert!(!error.contains("secret"), "{error}");
        }
    }
}
