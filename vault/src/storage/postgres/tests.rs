//! What PostgreSQL itself enforces and what the store does about connections; the
//! `MetaStore` contract both engines meet is `storage/contract.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::testing::{VAULT_ROLE, cluster};
use super::*;
use crate::storage::{MetaBatch, MetaStore, Table};

fn put(store: &PostgresMeta, table: Table, key: &[u8], value: &[u8]) {
    let mut batch = MetaBatch::new();
    batch.put(table, key.to_vec(), value.to_vec());
    store.commit(batch).unwrap();
}

/// The SQLSTATE of `sql` run as `user` in `database`, or `None` when it succeeded.
fn refusal(user: &str, database: &str, sql: &str) -> Option<String> {
    let config = pool::config(&cluster().url(user, database)).unwrap();
    let sql = sql.to_owned();
    Bridge::new("refusal", 1)
        .unwrap()
        .run(async move {
            let client = pool::connect_once(&config).await.unwrap();
            client
                .batch_execute(&sql)
                .await
                .err()
                .map(|e| e.as_db_error().unwrap().code().code().to_owned())
        })
        .unwrap()
}

/// The vault's role may read, insert and delete manifests; PostgreSQL refuses it every
/// UPDATE, every other DELETE and TRUNCATE ("42501": insufficient privilege), and the
/// write-once triggers refuse them to the owner too.
#[test]
fn the_database_refuses_the_vault_s_role_any_change_but_inserts_and_disposal() {
    let cluster = cluster();
    let database = cluster.database();
    let store = cluster.vault(&database);
    put(&store, Table::Versions, b"v", b"1");
    put(&store, Table::Manifests, b"m", b"1");
    put(&store, Table::Manifests, b"n", b"1");

    let denied = Some("42501".to_owned());
    for sql in [
        "UPDATE qoima.versions SET value = '\\x02'",
        "DELETE FROM qoima.versions",
        "TRUNCATE qoima.versions",
        "UPDATE qoima.manifests SET value = '\\x02'",
        "TRUNCATE qoima.manifests",
        "DELETE FROM qoima.audit_leaves",
        "UPDATE qoima.revocation_imports SET value = '\\x02'",
        "DELETE FROM qoima.revocation_imports",
        "TRUNCATE qoima.revocation_imports",
        "INSERT INTO qoima.schema_migrations (version, name) VALUES (99, 'x')",
        "CREATE TABLE qoima.other (a int)",
        "DROP TABLE qoima.versions",
    ] {
        assert_eq!(refusal(VAULT_ROLE, &database, sql), denied, "{sql}");
    }
    assert_eq!(
        refusal(
            VAULT_ROLE,
            &database,
            "DELETE FROM qoima.manifests WHERE key = '\\x6d'"
        ),
        None
    );
    assert_eq!(store.get(Table::Manifests, b"m").unwrap(), None);
    // The owner, through the triggers.
    for sql in [
        "UPDATE qoima.versions SET value = '\\x02'",
        "DELETE FROM qoima.versions",
        "UPDATE qoima.manifests SET value = '\\x02'",
    ] {
        assert_eq!(refusal("postgres", &database, sql), denied, "{sql}");
    }
    assert_eq!(store.get(Table::Versions, b"v").unwrap().unwrap(), b"1");
    assert_eq!(store.get(Table::Manifests, b"n").unwrap().unwrap(), b"1");
}

#[test]
fn migrations_apply_once_and_a_database_without_them_is_refused() {
    let cluster = cluster();
    let database = cluster.database();
    // Already applied by `database()`: nothing more, from two processes' worth of calls.
    assert_eq!(
        PostgresMeta::init(
            &cluster.url("postgres", &database),
            VAULT_ROLE,
            &PostgresOptions::default()
        )
        .unwrap(),
        Vec::<i32>::new()
    );
    let bare = format!("{database}_bare");
    cluster
        .superuser("postgres", &format!("CREATE DATABASE {bare}"), &[])
        .unwrap();
    let url = cluster.url("postgres", &bare);
    let err = PostgresMeta::connect(&url, &PostgresOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("version none") && err.to_string().contains("init"),
        "{err}"
    );
    assert_eq!(
        PostgresMeta::init(&url, VAULT_ROLE, &PostgresOptions::default()).unwrap(),
        [1, 2, 3, 4]
    );
    PostgresMeta::connect(&url, &PostgresOptions::default()).unwrap();
    // A schema newer than the build.
    cluster
        .superuser(
            &bare,
            "INSERT INTO qoima.schema_migrations (version, name) VALUES (5, 'future')",
            &[],
        )
        .unwrap();
    let err = PostgresMeta::connect(&url, &PostgresOptions::default()).unwrap_err();
    assert!(err.to_string().contains("newer than this build"), "{err}");
    assert!(PostgresMeta::init(&url, VAULT_ROLE, &PostgresOptions::default()).is_err());
}

#[test]
fn errors_are_clear_and_never_show_the_password() {
    let cluster = cluster();
    let secret = "s3cret-Pa55";
    // No such database; a port nobody listens on; a URL that is not one.
    let url = format!(
        "postgresql://{VAULT_ROLE}:{secret}@127.0.0.1:{}/no_such_database",
        cluster
            .url("x", "y")
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
    );
    for (url, says) in [
        (url, "does not exist"),
        (
            format!("postgresql://{VAULT_ROLE}:{secret}@127.0.0.1:1/db"),
            "PostgreSQL",
        ),
        (
            format!("postgresql://{VAULT_ROLE}:{secret}@127.0.0.1:port/db"),
            "not valid",
        ),
    ] {
        let err = PostgresMeta::connect(&url, &PostgresOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, StorageError::Engine(_)), "{text}");
        assert!(text.contains(says), "{text}");
        assert!(!text.contains(secret), "{text}");
    }
    assert!(
        PostgresMeta::init(
            "postgresql://u@127.0.0.1:1/db",
            "Bad Role",
            &PostgresOptions::default()
        )
        .is_err()
    );
    let err = PostgresMeta::init(
        &cluster.url("postgres", "postgres"),
        "x; DROP",
        &PostgresOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("not a lowercase identifier"),
        "{err}"
    );
}

/// The server calls some reads from its async workers, where a runtime may not block.
#[test]
fn works_from_a_tokio_worker_thread() {
    let store = std::sync::Arc::new(cluster().fresh());
    put(&store, Table::Documents, b"d", b"1");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let inner = std::sync::Arc::clone(&store);
    let got = runtime
        .block_on(async move {
            tokio::spawn(async move {
                let value = inner.get(Table::Documents, b"d").unwrap();
                let scanned = inner.scan(Table::Documents).count();
                let mut batch = MetaBatch::new();
                batch.put(Table::Documents, b"e".to_vec(), b"2".to_vec());
                inner.commit(batch).unwrap();
                (value, scanned)
            })
            .await
        })
        .unwrap();
    assert_eq!(got, (Some(b"1".to_vec()), 1));
    assert_eq!(store.scan(Table::Documents).count(), 2);
}

/// Connections the server ends (a restart, an administrator) are replaced: the next call
/// works.
#[test]
fn a_lost_connection_is_replaced() {
    let cluster = cluster();
    let database = cluster.database();
    let store = cluster.vault(&database);
    put(&store, Table::Documents, b"d", b"1");
    for _ in 0..2 {
        cluster
            .superuser(
                "postgres",
                &format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{database}' AND usename = '{VAULT_ROLE}'"
                ),
                &[],
            )
            .unwrap();
        assert_eq!(store.get(Table::Documents, b"d").unwrap().unwrap(), b"1");
        assert_eq!(store.scan(Table::Documents).count(), 1);
    }
}

/// Two stores on one database (two nodes): the second waits at the writer section until
/// the first leaves it.
#[test]
fn the_writer_section_excludes_other_nodes_until_it_ends() {
    let cluster = cluster();
    let database = cluster.database();
    let (one, two) = (cluster.vault(&database), cluster.vault(&database));
    let section = one.writer_section().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _section = two.writer_section().unwrap();
            sender.send(Instant::now()).unwrap();
        });
        assert!(
            receiver.recv_timeout(Duration::from_millis(500)).is_err(),
            "the second node entered while the first held the section"
        );
        // The order of the two instants is the claim; how long the second waited depends on
        // when its thread ran.
        let released = Instant::now();
        drop(section);
        let entered = receiver.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(
            entered >= released,
            "entered {:?} early",
            released - entered
        );
    });
    // Left sections release the lock, and their connections go back to the pool in order.
    for _ in 0..20 {
        drop(one.writer_section().unwrap());
    }
    put(&one, Table::Numbers, b"n", b"");
}

/// A node that dies inside the section (its connection closed) releases the lock.
#[test]
fn a_section_whose_connection_is_lost_releases_the_lock() {
    let cluster = cluster();
    let database = cluster.database();
    let (one, two) = (cluster.vault(&database), cluster.vault(&database));
    let section = one.writer_section().unwrap();
    cluster
        .superuser(
            "postgres",
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{database}' AND wait_event_type IS DISTINCT FROM 'Lock' \
                 AND state = 'idle in transaction'"
            ),
            &[],
        )
        .unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _section = two.writer_section().unwrap();
            sender.send(()).unwrap();
        });
        receiver.recv_timeout(Duration::from_secs(10)).unwrap();
    });
    drop(section);
    drop(one.writer_section().unwrap());
}

/// With a CA file, connections are TLS and the server's certificate is checked: one issued by
/// another CA is refused, and so is a CA file that is not one.
#[test]
fn tls_connections_check_the_server_s_certificate() {
    let cluster = cluster();
    let database = cluster.database();
    let url = cluster.url(VAULT_ROLE, &database);
    let options = PostgresOptions::default().with_tls_ca(&cluster.ca);
    let store = PostgresMeta::connect(&url, &options).unwrap();
    put(&store, Table::Documents, b"d", b"over TLS");
    assert_eq!(
        store.get(Table::Documents, b"d").unwrap().unwrap(),
        b"over TLS"
    );
    let pool = store.pool.clone();
    let (ssl, version): (bool, String) = store
        .bridge
        .run(async move {
            let row = pool
                .get()
                .await
                .unwrap()
                .query_one(
                    "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    &[],
                )
                .await
                .unwrap();
            (row.get(0), row.get(1))
        })
        .unwrap();
    assert!(ssl);
    assert!(version.starts_with("TLSv1."), "{version}");
    // The owner's migrations over TLS too.
    let owner = cluster.url("postgres", &database);
    assert_eq!(
        PostgresMeta::init(&owner, VAULT_ROLE, &options).unwrap(),
        Vec::<i32>::new()
    );

    let wrong = PostgresOptions::default().with_tls_ca(&cluster.other_ca);
    let err = PostgresMeta::connect(&url, &wrong).unwrap_err().to_string();
    assert!(
        err.contains("connecting") && err.to_lowercase().contains("certificate"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, b"not a certificate").unwrap();
    for ca in [not_pem, dir.path().join("missing.pem")] {
        let err = PostgresMeta::connect(&url, &PostgresOptions::default().with_tls_ca(&ca))
            .unwrap_err()
            .to_string();
        assert!(err.contains("TLS CA file"), "{err}");
    }
}
