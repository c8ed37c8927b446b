//! End-to-end on the distributed backend (`[storage] backend = "postgres-s3"`): the real
//! `qoima` binary against a real PostgreSQL and a real Ceph S3 gateway, both started for this
//! test process by `scripts/postgres/start.sh` and `scripts/ceph-rgw/start.sh` and stopped
//! when it ends, however it ends. Nothing is skipped: when either cannot start, the tests fail
//! saying why (`scripts/setup` installs both).
//!
//! `storage init` prepares a schema and a bucket and is idempotent; a bucket created without
//! Object Lock is refused by every command; `migrate` copies an embedded vault whose answers
//! are then the same; and two `qoima serve` nodes on one database and one bucket number
//! concurrent registrations without a gap, keep one audit log, see each other's key
//! revocations within the shared-cache bound, and lose nothing acknowledged when one is
//! killed; a tus upload, staged by the node that received it, is registered there and read
//! back through the other. The tus client is `tests/tus/upload.py` (`QOIMA_PYTHON`, from
//! `scripts/setup`'s `qoima_python_setup`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::backend::{Storage, storage_table};
use common::clusters::{VAULT_ROLE, shared};
use common::records::ok;
use common::{Server, Vault, json, pdf, registration, stderr, stdout};
use serde_json::Value;

/// A vault whose configuration names a new database (not yet migrated) and a new bucket (not
/// yet created) of the test clusters; the revocations of API keys are read again after a
/// second.
struct Distributed {
    vault: Vault,
    /// The data directory and the configuration file the commands are given: the vault's,
    /// unless the node runs over an embedded vault's directory ([`Distributed::over`]).
    data: PathBuf,
    config: PathBuf,
    database: String,
    bucket: String,
}

impl Distributed {
    fn new() -> Self {
        let storage = Storage::new();
        Self::on(&storage.database, &storage.bucket)
    }

    /// Another node's vault (a data directory of its own) on the same database and bucket.
    fn on(database: &str, bucket: &str) -> Self {
        let vault = Vault::on_storage(Storage {
            database: database.to_owned(),
            bucket: bucket.to_owned(),
            single_node: false,
        });
        Self {
            data: vault.data.clone(),
            config: vault.config.clone(),
            vault,
            database: database.to_owned(),
            bucket: bucket.to_owned(),
        }
    }

    /// The data directory of `embedded` (a RocksDB vault), with a configuration that adds
    /// the `[storage]` of `database` and `bucket` to its own: the commands of a migration.
    fn over(embedded: Vault, database: &str, bucket: &str) -> Self {
        let config = embedded.dir.path().join("etc/distributed.toml");
        let text = std::fs::read_to_string(&embedded.config).unwrap();
        std::fs::write(&config, text + &storage_table(database, bucket)).unwrap();
        Self {
            data: embedded.data.clone(),
            config,
            vault: embedded,
            database: database.to_owned(),
            bucket: bucket.to_owned(),
        }
    }

    /// `qoima` with the bucket's credentials in its environment.
    fn qoima(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_qoima"))
            .arg("--data-dir")
            .arg(&self.data)
            .arg("--config")
            .arg(&self.config)
            .envs(shared().s3_credentials())
            .stdin(Stdio::null())
            .args(args)
            .output()
            .unwrap()
    }

    /// `qoima storage init` as the database's owner.
    fn init(&self) -> Output {
        self.qoima(&[
            "storage",
            "init",
            "--owner-url",
            &shared().owner_url(&self.database),
        ])
    }

    /// `qoima put` of `content` into the shared store; its address.
    fn put(&self, name: &str, content: &[u8]) -> String {
        let file = self.vault.dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let out = self.qoima(&["put", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    }

    /// A new API key of `role`: its token and id.
    fn key(&self, role: &str) -> (String, String) {
        let out = self.qoima(&["keys", "create", "--role", role, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let key = json(&out);
        (
            key["key"].as_str().unwrap().to_owned(),
            key["id"].as_str().unwrap().to_owned(),
        )
    }

    fn serve(&self) -> Server {
        Server::start_with_env(&self.vault, &shared().s3_credentials_ref())
    }
}

#[test]
fn storage_init_prepares_a_fresh_schema_and_bucket_and_is_idempotent() {
    let node = Distributed::new();
    // Before init: the schema is missing, and so is the bucket; nothing is created by a check.
    let out = node.qoima(&["storage", "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("schema"), "{}", stderr(&out));

    let first = ok(&node.init());
    assert!(first.contains("schema qoima migrated"), "{first}");
    assert!(first.contains(&format!("role {VAULT_ROLE}")), "{first}");
    assert!(
        first.contains(&format!("bucket {} created with Object Lock", node.bucket)),
        "{first}"
    );
    assert!(first.contains("refused its deletion"), "{first}");

    let again = ok(&node.init());
    assert!(again.contains("schema qoima is current"), "{again}");
    assert!(
        again.contains(&format!("bucket {} exists, with Object Lock", node.bucket)),
        "{again}"
    );
    let check = ok(&node.qoima(&["storage", "check"]));
    assert!(check.contains("audit log of 0 entries"), "{check}");
    assert!(
        check.contains("has Object Lock and versioning Enabled"),
        "{check}"
    );

    // The vault's role is not the owner: the owner must be another role.
    let out = node.qoima(&[
        "storage",
        "init",
        "--owner-url",
        &shared().url(VAULT_ROLE, &node.database),
    ]);
    common::assert_error(&out, 64, &["--owner-url", "vault's role"]);
    // On the embedded vault, there is nothing to prepare.
    let embedded = Vault::embedded();
    let out = embedded.qoima(&["storage", "check"]);
    common::assert_error(&out, 64, &["postgres-s3"]);
}

#[test]
fn a_bucket_without_object_lock_is_refused_by_every_command() {
    let shared = shared();
    let (database, bucket) = (shared.database(), shared.bucket_name());
    // Created by another S3 client (curl), without Object Lock.
    shared.create_plain_bucket(&bucket);
    let node = Distributed::on(&database, &bucket);
    let out = node.init();
    common::assert_error(&out, 64, &[&bucket, "has no Object Lock"]);
    for args in [
        &["storage", "check"][..],
        &["keys", "list"],
        &["audit", "verify"],
        &["put", "/dev/null"],
    ] {
        let out = node.qoima(args);
        common::assert_error(&out, 64, &[&bucket, "has no Object Lock"]);
    }
    // `qoima serve` does not start on it either.
    let out = node.qoima(&["serve", "--listen", "127.0.0.1:0"]);
    common::assert_error(&out, 64, &["has no Object Lock"]);
}

#[test]
fn an_unreachable_database_or_gateway_is_a_clear_error() {
    let shared = shared();
    let (database, bucket) = (shared.database(), shared.bucket_name());
    let node = Distributed::on(&database, &bucket);
    ok(&node.init());
    let free = free_port();
    let tail = |postgres: String, endpoint: String| {
        format!(
            "\n[storage]\nbackend = \"postgres-s3\"\npostgres = \"{postgres}\"\n\
             [storage.s3]\nendpoint = \"{endpoint}\"\nbucket = \"{bucket}\"\n"
        )
    };
    let node_with = |tail: String| {
        let vault = Vault::with_config_tail(&tail);
        Distributed {
            data: vault.data.clone(),
            config: vault.config.clone(),
            vault,
            database: database.clone(),
            bucket: bucket.clone(),
        }
    };
    let no_database = node_with(tail(
        format!("postgresql://{VAULT_ROLE}:secret@127.0.0.1:{free}/{database}"),
        shared.endpoint(),
    ));
    let out = no_database.qoima(&["keys", "list"]);
    common::assert_error(&out, 1, &["PostgreSQL"]);
    assert!(!stderr(&out).contains("secret"), "{}", stderr(&out));
    let no_gateway = node_with(tail(
        shared.url(VAULT_ROLE, &database),
        format!("http://127.0.0.1:{free}"),
    ));
    let out = no_gateway.qoima(&["keys", "list"]);
    common::assert_error(&out, 1, &[&bucket, &free.to_string()]);
    // Without credentials, nothing is tried.
    let out = node
        .vault
        .command(None)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["keys", "list"])
        .output()
        .unwrap();
    common::assert_error(&out, 64, &["AWS_ACCESS_KEY_ID"]);
}

/// Registers `n` documents in the embedded vault of `vault`; their ids.
fn register_embedded(vault: &Vault, first: u32, n: u32) -> Vec<String> {
    (first..first + n)
        .map(|i| {
            vault.register_ok(i, &["--participant", "acme"])["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// What the commands answer about `ids`: `doc show` and `doc versions` of each, the content
/// read back, `doc find`, `audit verify` and `scrub`.
fn answers(qoima: &dyn Fn(&[&str]) -> Output, ids: &[String]) -> Vec<String> {
    let mut answers = Vec::new();
    for id in ids {
        let show = ok(&qoima(&["doc", "show", id, "--json"]));
        let address = serde_json::from_str::<Value>(&show).unwrap()["current"]["address"]
            .as_str()
            .unwrap()
            .to_owned();
        answers.push(show);
        answers.push(ok(&qoima(&["doc", "versions", id, "--json"])));
        answers.push(ok(&qoima(&["get", &address])));
    }
    answers.push(ok(&qoima(&[
        "doc",
        "find",
        "--participant",
        "acme",
        "--json",
    ])));
    answers.push(ok(&qoima(&["audit", "verify", "--json"])));
    // Every chunk and content re-hashed, the records against the log.
    answers.push(ok(&qoima(&["scrub"])));
    answers
}

#[test]
fn migrate_copies_a_vault_whose_answers_are_then_the_same() {
    // An embedded vault with registered documents and a key.
    let embedded = Vault::embedded();
    let ids = register_embedded(&embedded, 1, 3);
    let key = common::key(&embedded, "reader");
    let on_rocks = |args: &[&str]| embedded.qoima(args);
    let before = answers(&on_rocks, &ids);
    let verified: Value = serde_json::from_str(&before[before.len() - 2]).unwrap();
    assert_eq!(verified["ok"], true, "{verified}");
    let shared = shared();
    let node = Distributed::over(embedded, &shared.database(), &shared.bucket_name());

    ok(&node.init());
    let first = ok(&node.qoima(&["migrate", "--to", "postgres-s3"]));
    assert!(first.contains(" chunks (0 already there)"), "{first}");
    assert!(first.contains("records (0 already there)"), "{first}");
    let size = verified["size"].as_u64().unwrap();
    assert!(
        first.contains(&format!("audit log of {size} entries with root")),
        "{first}"
    );
    // The copied chunks get the storage's own locks: every document's, until its retention.
    assert!(
        first.contains("locks renew: 3 documents;") && !first.contains(" 0 chunks locked"),
        "{first}"
    );
    // Run again (as after an interruption): everything is there, nothing written twice.
    let again = ok(&node.qoima(&["migrate", "--to", "postgres-s3"]));
    assert!(again.starts_with("copied: 0 chunks ("), "{again}");
    assert!(again.contains(", 0 records ("), "{again}");

    // The distributed backend answers as the embedded vault did.
    let on_distributed = |args: &[&str]| node.qoima(args);
    assert_eq!(answers(&on_distributed, &ids), before);
    // The key came along: a server on the distributed backend takes it.
    let other = Distributed::on(&node.database, &node.bucket);
    let server = other.serve();
    let path = format!("/v1/documents/{}", ids[0]);
    let shown = server.get_json(&key, &path);
    assert_eq!(shown["id"], ids[0].as_str());
    drop(server);

    // Another vault is never copied into this one.
    let stranger = Vault::embedded();
    register_embedded(&stranger, 10, 1);
    let stranger = Distributed::over(stranger, &node.database, &node.bucket);
    let out = stranger.qoima(&["migrate", "--to", "postgres-s3"]);
    common::assert_error(&out, 1, &["another vault", "nothing copied"]);
    assert_eq!(answers(&on_distributed, &ids), before);
    // Nor is there anything to migrate without an embedded vault.
    let empty = Distributed::on(&node.database, &node.bucket);
    let out = empty.qoima(&["migrate", "--to", "postgres-s3"]);
    common::assert_error(&out, 64, &["no vault in"]);
}

/// `POST /v1/documents` of stored `content` through `server`: the status and the answer, or
/// the transport's error when the node went away mid-request.
fn try_register(
    server_url: &str,
    key: &str,
    address: &str,
    content: &[u8],
) -> Result<(u16, String), String> {
    let (status, _, body) = common::try_send(
        server_url,
        key,
        "POST",
        "/v1/documents",
        &[],
        registration(address, content),
    )?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// The sequence number of a registration number of the template `ACME/{yyyy}/{seq:04}`.
fn sequence(number: &str) -> u64 {
    number.rsplit('/').next().unwrap().parse().unwrap()
}

/// Every registration number of participant acme, as `doc find` reads them from the store.
fn numbers(node: &Distributed) -> Vec<u64> {
    let found = json(&node.qoima(&["doc", "find", "--participant", "acme", "--json"]));
    let mut numbers: Vec<u64> = found["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| sequence(d["registrationNumber"].as_str().unwrap()))
        .collect();
    numbers.sort_unstable();
    numbers
}

fn audit_verified(node: &Distributed) -> Value {
    let verified = json(&node.qoima(&["audit", "verify", "--json"]));
    assert_eq!(verified["ok"], true, "{verified}");
    verified
}

#[test]
fn two_nodes_share_one_vault() {
    let one = Distributed::new();
    ok(&one.init());
    let two = Distributed::on(&one.database, &one.bucket);
    let (writer, _) = one.key("writer");
    let (admin, _) = two.key("admin");
    let (reader, reader_id) = one.key("reader");
    // The contents, put through the command line into the shared store.
    const EACH: u32 = 6;
    let contents: Vec<(String, Vec<u8>)> = (0..4 * EACH)
        .map(|n| {
            let content = pdf(100 + n);
            (one.put(&format!("c{n}.pdf"), &content), content)
        })
        .collect();
    let servers = [one.serve(), two.serve()];

    // Concurrent registrations through both nodes, two clients each.
    let registered: Vec<Value> = std::thread::scope(|scope| {
        let clients: Vec<_> = contents
            .chunks(EACH as usize)
            .enumerate()
            .map(|(client, batch)| {
                let server = &servers[client % 2];
                let writer = &writer;
                scope.spawn(move || {
                    batch
                        .iter()
                        .map(|(address, content)| {
                            let (status, text) =
                                try_register(&server.url, writer, address, content).unwrap();
                            assert_eq!(status, 201, "{text}");
                            serde_json::from_str::<Value>(&text).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    // Gap-free numbers, each taken once, across both nodes.
    let mut taken: Vec<u64> = registered
        .iter()
        .map(|r| sequence(r["registrationNumber"].as_str().unwrap()))
        .collect();
    taken.sort_unstable();
    let expected: Vec<u64> = (1..=u64::from(4 * EACH)).collect();
    assert_eq!(taken, expected);
    assert_eq!(numbers(&one), expected);
    // Every registration is found from both nodes, the same.
    for r in &registered {
        let path = format!("/v1/documents/{}", r["id"].as_str().unwrap());
        assert_eq!(
            servers[0].get_json(&reader, &path),
            servers[1].get_json(&reader, &path)
        );
    }
    // One audit log, whole: every record checked against its entry.
    let verified = audit_verified(&two);
    assert!(
        verified["size"].as_u64().unwrap() >= u64::from(4 * EACH),
        "{verified}"
    );

    // A key revoked through one node is refused by the other within the shared-cache bound
    // (one second here); the other node had it in its cache.
    let reads = format!("/v1/documents/{}", registered[0]["id"].as_str().unwrap());
    assert_eq!(
        servers[1].request(&reader, "GET", &reads, Vec::new()).0,
        200
    );
    let (status, text) = servers[0].request(
        &admin,
        "DELETE",
        &format!("/v1/keys/{reader_id}"),
        b"{}".to_vec(),
    );
    assert_eq!(status, 200, "{text}");
    let revoked = Instant::now();
    assert_eq!(
        servers[0].request(&reader, "GET", &reads, Vec::new()).0,
        401
    );
    loop {
        let (status, _) = servers[1].request(&reader, "GET", &reads, Vec::new());
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            revoked.elapsed() < Duration::from_secs(4),
            "the other node still took a key revoked {:?} ago (bound: 1 s)",
            revoked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(servers);
}

#[test]
fn a_node_killed_during_registrations_loses_nothing_acknowledged() {
    let one = Distributed::new();
    ok(&one.init());
    let two = Distributed::on(&one.database, &one.bucket);
    let (writer, _) = one.key("writer");
    let (reader, _) = one.key("reader");
    const COUNT: u32 = 40;
    let contents: Vec<(String, Vec<u8>)> = (0..COUNT)
        .map(|n| {
            let content = pdf(1000 + n);
            (one.put(&format!("k{n}.pdf"), &content), content)
        })
        .collect();
    let mut victim = one.serve();
    let survivor = two.serve();

    // Two clients register through the victim, one through the survivor; the victim is
    // SIGKILLed once a few registrations were acknowledged.
    let (acknowledged, failed) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let clients: Vec<_> = contents
            .chunks(contents.len().div_ceil(3))
            .enumerate()
            .map(|(client, batch)| {
                let url = if client < 2 {
                    victim.url.clone()
                } else {
                    survivor.url.clone()
                };
                let (writer, sender) = (&writer, sender.clone());
                scope.spawn(move || {
                    let mut acknowledged = Vec::new();
                    let mut failed = 0;
                    for (address, content) in batch {
                        match try_register(&url, writer, address, content) {
                            Ok((201, text)) => {
                                let _ = sender.send(());
                                acknowledged.push(serde_json::from_str::<Value>(&text).unwrap());
                            }
                            Ok((status, text)) => panic!("{status}: {text}"),
                            Err(_) => failed += 1,
                        }
                    }
                    (acknowledged, failed)
                })
            })
            .collect();
        drop(sender);
        for _ in 0..6 {
            receiver.recv_timeout(Duration::from_secs(60)).unwrap();
        }
        victim.child.kill().unwrap();
        victim.child.wait().unwrap();
        let mut acknowledged = Vec::new();
        let mut failed = 0;
        for client in clients {
            let (a, f) = client.join().unwrap();
            acknowledged.extend(a);
            failed += f;
        }
        (acknowledged, failed)
    });
    assert!(
        failed > 0,
        "the victim was killed before it answered every request"
    );
    // Every acknowledged registration is there, through the survivor.
    for r in &acknowledged {
        let path = format!("/v1/documents/{}", r["id"].as_str().unwrap());
        let shown = survivor.get_json(&reader, &path);
        assert_eq!(
            shown["current"]["registrationNumber"],
            r["registrationNumber"]
        );
    }
    // The numbers stay gap-free (a registration committed before its answer was lost is
    // there too), and the log whole.
    let numbers = numbers(&two);
    let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
    assert_eq!(numbers, expected);
    assert!(numbers.len() >= acknowledged.len());
    let ids: BTreeSet<&str> = acknowledged
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), acknowledged.len());
    audit_verified(&two);
    // The survivor goes on registering after the other node's death.
    let (address, content) = (one.put("after.pdf", &pdf(5000)), pdf(5000));
    let (status, text) = try_register(&survivor.url, &writer, &address, &content).unwrap();
    assert_eq!(status, 201, "{text}");
    let after: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        sequence(after["registrationNumber"].as_str().unwrap()),
        numbers.len() as u64 + 1
    );
}

/// A TCP port nothing listens on (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_tus_upload_received_by_one_node_registers_through_the_other() {
    let one = Distributed::new();
    ok(&one.init());
    let two = Distributed::on(&one.database, &one.bucket);
    let (writer, _) = one.key("writer");
    let (reader, _) = one.key("reader");
    let servers = [one.serve(), two.serve()];
    // A few MiB, so that the content is several chunks in the bucket.
    let mut content = pdf(7);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    content.extend((0..3 << 20).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    let file = one.vault.dir.path().join("upload.pdf");
    std::fs::write(&file, &content).unwrap();
    let upload = common::tus::uploaded(&servers[0], &writer, &file, &[]);
    let id = upload["id"].as_str().unwrap();
    let body = |upload: &str| {
        let mut body: Value = serde_json::from_slice(&registration("", &content)).unwrap();
        let body = body.as_object_mut().unwrap();
        body.remove("sha256");
        body.insert("upload".into(), upload.into());
        serde_json::to_vec(body).unwrap()
    };
    // The staging is shared (PostgreSQL and the bucket): the other node registers it, and the
    // upload is then gone for both.
    let (status, text) = servers[1].request(&writer, "POST", "/v1/documents", body(id));
    assert_eq!(status, 201, "{text}");
    let registered: Value = serde_json::from_str(&text).unwrap();
    let (status, text) = servers[0].request(&writer, "POST", "/v1/documents", body(id));
    assert!((400..500).contains(&status), "{status}: {text}");
    // Its content is in the shared store: the node that received it reads it back whole.
    let path = format!(
        "/v1/documents/{}/content",
        registered["id"].as_str().unwrap()
    );
    let (status, _, read) = servers[0].send(&reader, "GET", &path, &[], Vec::new());
    assert_eq!(status, 200);
    assert!(
        read == content,
        "the content read through the other node differs"
    );
}

/// A signed request accepted by one node, replayed verbatim to another within its window, is
/// refused there as a replay: the replay guard is the database the nodes share, not a file of
/// each node's.
#[test]
fn a_signed_request_replayed_to_another_node_is_refused() {
    use common::signed::{
        ENVELOPE, SIGNED_KEY, envelope_at, head_registration, post as signed_post,
    };
    use qoima_verifier::testing::pki;
    let one = Distributed::new();
    ok(&one.init());
    let two = Distributed::on(&one.database, &one.bucket);
    let out = one.qoima(&[&SIGNED_KEY[..], &["--json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let signed = json(&out)["key"].as_str().unwrap().to_owned();
    let content = pdf(900);
    let address = one.put("signed.pdf", &content);
    let registration = head_registration(&address, &content);
    // The envelope authorising `POST /v1/documents` of the registration, signed at `at`.
    let sealed = |at: i64| envelope_at(pki::HEAD, pki::HEAD_KEY, &registration, at);
    let servers = [one.serve(), two.serve()];
    let post = |server: &Server, body: Vec<u8>| signed_post(server, &signed, ENVELOPE, body);

    let now = jiff::Timestamp::now().as_second();
    let envelope = sealed(now);
    let (status, registered) = post(&servers[0], envelope.clone());
    assert_eq!(status, 201, "{registered}");
    // Verbatim to the other node, then to the first again: a replay, 409, nothing registered.
    for server in [&servers[1], &servers[0]] {
        let (status, problem) = post(server, envelope.clone());
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("accepted already"), "{detail}");
    }
    // The same request signed at another second is a new one, admitted by the second node (the
    // registration itself then answers: the content is registered already).
    let (_, answer) = post(&servers[1], sealed(now + 1));
    assert!(!answer.to_string().contains("accepted already"), "{answer}");
    // No node journals signed requests in its data directory: the database holds them.
    for node in [&one, &two] {
        assert!(!node.data.join("signed-requests").exists());
    }
}

/// When the shared database cannot record a signed request, the request is refused with 503
/// (the service's failure, for a while); once it can, the same envelope is admitted and
/// registers the document: the refused request was neither recorded as seen nor registered.
#[test]
fn a_signed_request_the_database_cannot_record_is_refused_503_and_can_be_sent_again() {
    use common::signed::{
        ENVELOPE, SIGNED_KEY, envelope_at, head_registration, post as signed_post,
    };
    use qoima_verifier::testing::pki;
    let node = Distributed::new();
    ok(&node.init());
    let out = node.qoima(&[&SIGNED_KEY[..], &["--json"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let signed = json(&out)["key"].as_str().unwrap().to_owned();
    let content = pdf(901);
    let address = node.put("unrecorded.pdf", &content);
    let registration = head_registration(&address, &content);
    let envelope = envelope_at(
        pki::HEAD,
        pki::HEAD_KEY,
        &registration,
        jiff::Timestamp::now().as_second(),
    );
    let server = node.serve();
    let table = "qoima.signed_requests";
    shared().superuser_sql(
        &node.database,
        &format!("REVOKE INSERT ON {table} FROM {VAULT_ROLE}"),
    );
    let (status, problem) = signed_post(&server, &signed, ENVELOPE, envelope.clone());
    assert_eq!(status, 503, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("could not be recorded against replays"),
        "{detail}"
    );

    shared().superuser_sql(
        &node.database,
        &format!("GRANT INSERT ON {table} TO {VAULT_ROLE}"),
    );
    let (status, registered) = signed_post(&server, &signed, ENVELOPE, envelope);
    assert_eq!(status, 201, "{registered}");
}
