//! The servers the distributed tests (and the HTTP suites on `QOIMA_TEST_BACKEND=postgres-s3`,
//! `common/backend.rs`) share: one PostgreSQL cluster and one Ceph S3 gateway per test
//! process, started on first use by the repository's scripts, with a database and a bucket
//! for each test (each vault). Both are stopped when the test process ends, however it ends: the
//! PostgreSQL script's watchdog follows this process's id, and the gateway's watcher (in a
//! session of its own) waits for a pipe that only this process holds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// The vault's role: created once per cluster, given its rights by `qoima storage init`.
pub const VAULT_ROLE: &str = "qoima_vault";

/// The running servers.
pub struct Shared {
    pg_port: u16,
    s3: HashMap<String, String>,
    /// The write end of the gateway watcher's stdin (closed by the kernel at exit).
    _watcher: Mutex<Child>,
}

static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(0);

/// The servers, started on first use.
pub fn shared() -> &'static Shared {
    match SHARED.get_or_init(start) {
        Ok(shared) => shared,
        Err(why) => panic!(
            "the tests on postgres-s3 need PostgreSQL and a Ceph S3 gateway of their own and \
             could not start them: {why}\n(scripts/setup: qoima_postgres_setup, qoima_ceph_setup)"
        ),
    }
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts")
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn read_env(file: &Path) -> Result<HashMap<String, String>, String> {
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    Ok(text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect())
}

fn start() -> Result<Shared, String> {
    let pid = std::process::id();
    let stamp = jiff::Timestamp::now().as_nanosecond();
    let pg_dir = std::env::temp_dir().join(format!("qoima-server-pg-{pid}-{stamp}"));
    run(
        Command::new(scripts().join("postgres/start.sh"))
            .arg(&pg_dir)
            .arg("--watch")
            .arg(pid.to_string()),
        "scripts/postgres/start.sh",
    )?;
    let pg_port = read_env(&pg_dir.join("pg.env"))?
        .get("PGPORT")
        .and_then(|port| port.parse().ok())
        .ok_or("pg.env names no PGPORT")?;

    let ceph_dir = std::env::temp_dir().join(format!("qoima-server-ceph-{pid}-{stamp}"));
    // The watcher first, so that even a half-started gateway is stopped.
    let watcher = Command::new("setsid")
        .arg("sh")
        .arg("-c")
        .arg("cat >/dev/null; exec \"$0\" \"$1\"")
        .arg(scripts().join("ceph-rgw/stop.sh"))
        .arg(&ceph_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the gateway's watcher (setsid sh): {e}"))?;
    let shared = Shared {
        pg_port,
        s3: HashMap::new(),
        _watcher: Mutex::new(watcher),
    };
    run(
        Command::new(scripts().join("ceph-rgw/start.sh")).arg(&ceph_dir),
        "scripts/ceph-rgw/start.sh",
    )?;
    let shared = Shared {
        s3: read_env(&ceph_dir.join("s3.env"))?,
        ..shared
    };
    shared.psql("postgres", &format!("CREATE ROLE {VAULT_ROLE} LOGIN"))?;
    Ok(shared)
}

impl Shared {
    /// The URL of `database` as `user` (trust authentication: no password).
    pub fn url(&self, user: &str, database: &str) -> String {
        format!("postgresql://{user}@127.0.0.1:{}/{database}", self.pg_port)
    }

    /// The URL of `database` as its owner, the cluster's superuser.
    pub fn owner_url(&self, database: &str) -> String {
        self.url("postgres", database)
    }

    /// Runs `sql` as the superuser in `database` with `psql`.
    fn psql(&self, database: &str, sql: &str) -> Result<(), String> {
        run(
            Command::new("psql")
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
                .args([
                    "-p",
                    &self.pg_port.to_string(),
                    "-U",
                    "postgres",
                    "-d",
                    database,
                ])
                .args(["-c", sql]),
            &format!("psql -c {sql:?}"),
        )
    }

    /// Runs `sql` as the cluster's superuser in `database`: what an administrator who
    /// bypasses the vault's role can do (tampering tests).
    pub fn superuser_sql(&self, database: &str, sql: &str) {
        self.psql(database, sql).unwrap();
    }

    /// A new, empty database (no schema: `qoima storage init` makes it).
    pub fn database(&self) -> String {
        let name = format!("vault_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE {name}"))
            .unwrap();
        name
    }

    /// A bucket name nobody used yet.
    pub fn bucket_name(&self) -> String {
        format!(
            "qoima-srv-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The gateway's endpoint.
    pub fn endpoint(&self) -> String {
        self.s3["S3_ENDPOINT"].clone()
    }

    /// The S3 user's credentials, as the environment gives them to `qoima`.
    pub fn s3_credentials(&self) -> [(&'static str, String); 2] {
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map(|name| (name, self.s3[name].clone()))
    }

    /// The same, borrowed.
    pub fn s3_credentials_ref(&self) -> [(&'static str, &str); 2] {
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"].map(|name| (name, self.s3[name].as_str()))
    }

    /// A request to `path` (`bucket/key`) of the gateway with the S3 user's credentials, by
    /// curl (`--aws-sigv4`), an S3 client that shares no code with the vault: the status and
    /// the body.
    pub fn s3_request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        use sha2::Digest as _;
        let dir = tempfile::tempdir().unwrap();
        let (input, output) = (dir.path().join("in"), dir.path().join("out"));
        std::fs::write(&input, body).unwrap();
        let mut command = Command::new("curl");
        command
            .args(["-s", "-o"])
            .arg(&output)
            .args(["-w", "%{http_code}", "-X", method])
            .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user"])
            .arg(format!(
                "{}:{}",
                self.s3["AWS_ACCESS_KEY_ID"], self.s3["AWS_SECRET_ACCESS_KEY"]
            ))
            .arg("-H")
            .arg(format!(
                "x-amz-content-sha256: {}",
                hex::encode(sha2::Sha256::digest(body))
            ));
        if method == "PUT" {
            command
                .arg("--data-binary")
                .arg(format!("@{}", input.display()));
        }
        let status = command
            .arg(format!("{}/{path}", self.endpoint()))
            .output()
            .unwrap();
        let code = String::from_utf8_lossy(&status.stdout).parse().unwrap();
        (code, std::fs::read(&output).unwrap_or_default())
    }

    /// Creates `bucket` without Object Lock, with curl (`--aws-sigv4`): an S3 client that
    /// shares no code with the vault.
    pub fn create_plain_bucket(&self, bucket: &str) {
        let output = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT"])
            .args(["--aws-sigv4", "aws:amz:us-east-1:s3", "--user"])
            .arg(format!(
                "{}:{}",
                self.s3["AWS_ACCESS_KEY_ID"], self.s3["AWS_SECRET_ACCESS_KEY"]
            ))
            // The SHA-256 of the empty body, which the gateway checks.
            .args(["-H", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])
            .arg(format!("{}/{bucket}", self.endpoint()))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), "200");
    }
}
