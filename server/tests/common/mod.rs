//! Helpers of the end-to-end tests of the record commands (`doc.rs`, `lifecycle.rs`): a vault
//! in a temporary directory with a `--config` file that trusts the generated PKI's RSA
//! hierarchy (`verifier/testdata/pki`, valid at 2026-06-15T12:00:00Z), documents signed in the
//! test by its keys, and the real `qoima` binary. The vault is on the backend that
//! `QOIMA_TEST_BACKEND` chooses (`backend.rs`): the same tests run on RocksDB and on
//! PostgreSQL with S3.

// Each test file uses its own part of these.
#![allow(dead_code)]

pub mod backend;
#[path = "../distributed/clusters.rs"]
pub mod clusters;
pub mod records;
pub mod signed;
pub mod tus;
pub mod wire;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use qoima_verifier::testing::sign_detached;
use serde_json::Value;

/// A Monday: 17:00 in Astana, after the 14:00 cut-off, so registered on Tuesday 2026-06-16.
pub const AT: &str = "2026-06-15T12:00:00Z";

pub fn pki(file: &str) -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "verifier",
        "testdata",
        "pki",
        file,
    ]
    .iter()
    .collect()
}

/// `qoima verify` (no vault) with the PKI's RSA and ECDSA trust store at `at`, then `extra`.
pub fn verify_at(at: &str, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec!["verify".into(), "--at".into(), at.into()];
    for (flag, file) in [
        ("--trust", "certs/root-rsa.cer"),
        ("--trust", "certs/root-ec.cer"),
        ("--ca", "certs/ca-rsa.cer"),
        ("--ca", "certs/ca-ec.cer"),
        ("--crl", "crl/ca-rsa.crl"),
        ("--crl", "crl/root-rsa.crl"),
        ("--crl", "crl/ca-ec.crl"),
        ("--crl", "crl/root-ec.crl"),
    ] {
        args.push(flag.into());
        args.push(pki(file).to_str().unwrap().to_owned());
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Command::new(env!("CARGO_BIN_EXE_qoima"))
        .args(&args)
        .output()
        .unwrap()
}

/// A PDF, distinct per `n`.
pub fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.7\n% drawing {n}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

/// A vault in a temporary directory and a configuration file that trusts the RSA hierarchy
/// (the certificates are copied beside it and named by relative paths).
pub struct Vault {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub config: PathBuf,
    /// The database and bucket of this vault on the `postgres-s3` backend; `None` on RocksDB
    /// (and when the test's own configuration names a `[storage]`).
    pub storage: Option<backend::Storage>,
}

impl Vault {
    pub fn new() -> Self {
        Self::with_config_tail("")
    }

    /// With `tail` appended to the configuration file. On the `postgres-s3` backend (unless
    /// `tail` has a `[storage]` of its own) the file also names a new database and bucket,
    /// which `qoima storage init` prepares.
    pub fn with_config_tail(tail: &str) -> Self {
        let distributed =
            backend::backend() == backend::Backend::PostgresS3 && !tail.contains("[storage]");
        Self::build(tail, distributed.then(backend::Storage::new), true)
    }

    /// A vault on `storage` of the test clusters, not prepared (`qoima storage init` not run):
    /// one node of several on one database and bucket.
    pub fn on_storage(storage: backend::Storage) -> Self {
        Self::build("", Some(storage), false)
    }

    /// The embedded RocksDB vault of the data directory, whatever the backend of the run:
    /// the source of a migration, say.
    pub fn embedded() -> Self {
        Self::build("", None, false)
    }

    /// With `tail` and `storage` in the configuration, and that storage prepared when `init`.
    fn build(tail: &str, storage: Option<backend::Storage>, init: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc");
        std::fs::create_dir_all(etc.join("pki")).unwrap();
        for file in [
            "certs/root-rsa.cer",
            "certs/ca-rsa.cer",
            "crl/ca-rsa.crl",
            "crl/root-rsa.crl",
            "officer/root-officer.cer",
            "officer/root-officer.crl",
        ] {
            let name = Path::new(file).file_name().unwrap();
            std::fs::copy(pki(file), etc.join("pki").join(name)).unwrap();
        }
        let config = etc.join("qoima.toml");
        let vault = Self {
            data: dir.path().join("vault"),
            dir,
            config,
            storage,
        };
        // The test PKI's distribution points name a host that does not exist: a server
        // fetches only where a test gives it a `[revocation]` table of its own.
        let offline = if tail.contains("[revocation]") {
            ""
        } else {
            "[revocation]\nfetch = false\n\n"
        };
        vault.write_config(&format!(
            "[trust]\n\
             anchors = [\"pki/root-rsa.cer\", \"pki/root-officer.cer\"]\n\
             intermediates = [\"pki/ca-rsa.cer\"]\n\
             crls = [\"pki/ca-rsa.crl\", \"pki/root-rsa.crl\", \"pki/root-officer.crl\"]\n\
             \n\
             {offline}\
             [disposal]\n\
             officers = [{{ iin = \"{OFFICER_IIN}\" }}]\n\
             \n\
             [numbering]\n\
             default = \"{{participant}}-{{yyyy}}-{{seq:06}}\"\n\
             \n\
             [numbering.participants]\n\
             acme = \"ACME/{{yyyy}}/{{seq:04}}\"\n\
             {tail}"
        ));
        if let Some(storage) = vault.storage.as_ref().filter(|_| init) {
            let out = vault.qoima(&["storage", "init", "--owner-url", &storage.owner_url()]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}{}",
                stdout(&out),
                stderr(&out)
            );
        }
        vault
    }

    /// Writes `text` as the configuration file, followed by this vault's `[storage]` table
    /// when it has one: what a test that replaces the whole configuration calls.
    pub fn write_config(&self, text: &str) {
        let storage = self.storage.as_ref().map(backend::Storage::table);
        std::fs::write(
            &self.config,
            format!("{text}{}", storage.unwrap_or_default()),
        )
        .unwrap();
    }

    pub fn qoima(&self, args: &[&str]) -> Output {
        self.command(None).args(args).output().unwrap()
    }

    /// `qoima` with the system clock set to `clock` (RFC 3339) by libfaketime: the vault
    /// refuses a disposal dated later than its clock, so one years after a registration needs
    /// the clock of that year.
    pub fn qoima_at(&self, clock: &str, args: &[&str]) -> Output {
        self.command(Some(clock)).args(args).output().unwrap()
    }

    /// The `qoima` command on this vault, with libfaketime's clock at `clock` when given.
    /// The library is preloaded into `qoima` itself (not through the `faketime` command, which
    /// forks and would not pass a SIGTERM on), and only the wall clock is moved: tokio's timers
    /// keep the real monotonic clock.
    pub fn command(&self, clock: Option<&str>) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qoima"));
        if let Some(clock) = clock {
            command
                .env("LD_PRELOAD", libfaketime())
                .env("FAKETIME", faketime_spec(clock))
                .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                // libfaketime reads its start time in the local zone: UTC, for RFC 3339.
                .env("TZ", "UTC");
        }
        command
            .arg("--data-dir")
            .arg(&self.data)
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::null());
        if self.storage.is_some() {
            command.envs(backend::s3_credentials());
        }
        command
    }

    /// Writes the disposal statement of document `id` for `reason` and the act over it by the
    /// officer of the configuration (`verifier/testdata/pki/officer.sh`); returns the act's path.
    pub fn disposal_act(&self, id: &str, reason: &str) -> String {
        let out = self.qoima(&["doc", "disposal-statement", id, "--reason", reason]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let act = sign_detached(
            &std::fs::read(pki("officer/officer.cer")).unwrap(),
            &std::fs::read_to_string(pki("officer/officer.key.pem")).unwrap(),
            &out.stdout,
        );
        let path = self.dir.path().join(format!("disposal-{id}.p7s"));
        std::fs::write(&path, act).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// Stores `content` with `qoima put` (before a server holds the vault) and returns its
    /// address, the SHA-256 hex a registration names.
    pub fn put(&self, name: &str, content: &[u8]) -> String {
        let file = self.dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let out = self.qoima(&["put", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    }

    /// Writes `content` and a detached CMS over it by `signer` (a name in the PKI's `certs/`
    /// and `keys/`); returns both paths.
    pub fn signed(&self, name: &str, content: &[u8], signer: &str) -> (String, String) {
        let certificate = std::fs::read(pki(&format!("certs/{signer}.cer"))).unwrap();
        let key = std::fs::read_to_string(pki(&format!("keys/{signer}.key.pem"))).unwrap();
        let file = self.dir.path().join(name);
        let sig = self.dir.path().join(format!("{name}.p7s"));
        std::fs::write(&file, content).unwrap();
        std::fs::write(&sig, sign_detached(&certificate, &key, content)).unwrap();
        (
            file.to_str().unwrap().to_owned(),
            sig.to_str().unwrap().to_owned(),
        )
    }

    /// `qoima doc register --json` of `content` signed by `signer` (project documentation),
    /// then `extra`.
    pub fn register(&self, name: &str, content: &[u8], signer: &str, extra: &[&str]) -> Output {
        self.register_class(name, content, signer, "project-documentation", extra)
    }

    /// `qoima doc register --json` of `content` signed by `signer` in `class`, then `extra`.
    pub fn register_class(
        &self,
        name: &str,
        content: &[u8],
        signer: &str,
        class: &str,
        extra: &[&str],
    ) -> Output {
        self.register_class_at(name, content, signer, class, AT, extra)
    }

    /// `qoima doc register --json` of `content` signed by `signer` in `class`, submitted at
    /// `at`, then `extra`.
    pub fn register_class_at(
        &self,
        name: &str,
        content: &[u8],
        signer: &str,
        class: &str,
        at: &str,
        extra: &[&str],
    ) -> Output {
        let (file, sig) = self.signed(name, content, signer);
        let mut args = vec![
            "doc",
            "register",
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            class,
            "--at",
            at,
            "--json",
        ];
        // A registration names its sender: the signer's IIN, unless the test names one.
        let names_sender = extra
            .iter()
            .any(|a| *a == "--expect-iin" || *a == "--expect-bin");
        if !names_sender && let Some(iin) = iin_of(signer) {
            args.extend_from_slice(&["--expect-iin", iin]);
        }
        args.extend_from_slice(extra);
        self.qoima(&args)
    }

    /// Registers a signed PDF and returns the JSON output.
    pub fn register_ok(&self, n: u32, extra: &[&str]) -> Value {
        let out = self.register(&format!("doc{n}.pdf"), &pdf(n), "individual", extra);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)
    }
}

/// The IIN of a signer of the PKI (`verifier/testdata/pki/identities.txt`).
pub fn iin_of(signer: &str) -> Option<&'static str> {
    match signer {
        "head" => Some("791122405066"),
        "employee" => Some("900704300789"),
        "auth" | "ec" | "expired" | "hold" | "individual" | "revoked" | "revoked-later"
        | "rsa1024" | "notyet" => Some(INDIVIDUAL_IIN),
        _ => None,
    }
}

/// libfaketime (Debian's `libfaketime`, installed with `faketime` by `scripts/test`).
pub fn libfaketime() -> PathBuf {
    let candidates = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|dir| dir.path().join("faketime/libfaketime.so.1"))
        .chain(
            [
                "/usr/lib/faketime/libfaketime.so.1",
                "/usr/local/lib/faketime/libfaketime.so.1",
            ]
            .map(PathBuf::from),
        );
    candidates
        .into_iter()
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("libfaketime is not installed: run ./scripts/test, or install Debian's faketime")
        })
}

/// libfaketime's absolute start time (the clock runs on from it) for an RFC 3339 instant.
pub fn faketime_spec(clock: &str) -> String {
    let at: jiff::Timestamp = clock.parse().unwrap();
    format!("@{}", at.strftime("%Y-%m-%d %H:%M:%S"))
}

/// The IIN of the officer who signs disposal acts (`verifier/testdata/pki/officer.sh`).
pub const OFFICER_IIN: &str = "880101300123";

/// The IIN of `individual`, the sender of most test documents.
pub const INDIVIDUAL_IIN: &str = "850315300128";

/// The JSON of `POST /v1/documents` for stored `content` at `address`, the document signed
/// (detached) by the individual: what an integrated system sends.
pub fn registration(address: &str, content: &[u8]) -> Vec<u8> {
    use qoima_verifier::testing::pki;
    registration_by(
        address,
        content,
        pki::INDIVIDUAL,
        pki::INDIVIDUAL_KEY,
        INDIVIDUAL_IIN,
    )
}

/// The same, signed by the holder of `certificate` and `key_pem`, whose IIN is `iin` (the
/// sender).
pub fn registration_by(
    address: &str,
    content: &[u8],
    certificate: &[u8],
    key_pem: &str,
    iin: &str,
) -> Vec<u8> {
    let signature = sign_detached(certificate, key_pem, content);
    serde_json::json!({
        "sha256": address,
        "signatures": [b64(&signature)],
        "class": "project-documentation",
        "participant": "acme",
        "expectIin": iin,
        "filename": "drawing.pdf",
        "mediaType": "application/pdf",
    })
    .to_string()
    .into_bytes()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)))
}

/// Exit `code` with a one-line `error: ` message containing every `needle`.
pub fn assert_error(output: &Output, code: i32, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
}

/// `qoima serve` on a free loopback port; stopped (SIGTERM) when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
}

/// A new API key of `role` (before the server starts: it holds the vault's lock).
pub fn key(vault: &Vault, role: &str) -> String {
    let out = vault.qoima(&["keys", "create", "--role", role]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl Server {
    pub fn start(vault: &Vault) -> Self {
        Self::start_with_env(vault, &[])
    }

    /// With these environment variables (`QOIMA_SERVER_*` settings, say). Only warnings are
    /// logged unless `QOIMA_LOG` is among them.
    pub fn start_with_env(vault: &Vault, env: &[(&str, &str)]) -> Self {
        Self::spawn(vault.command(None), env)
    }

    /// With the system clock set to `clock` (RFC 3339) by libfaketime.
    pub fn start_at(vault: &Vault, clock: &str) -> Self {
        Self::spawn(vault.command(Some(clock)), &[])
    }

    fn spawn(mut command: Command, env: &[(&str, &str)]) -> Self {
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("QOIMA_LOG", "warn")
            .stdout(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Self { child, url }
    }

    pub fn request(&self, key: &str, method: &str, path: &str, body: Vec<u8>) -> (u16, String) {
        let (status, _, bytes) = self.send(key, method, path, &[], body);
        (status, String::from_utf8(bytes).unwrap())
    }

    /// A request with extra `headers`: the status, the response headers and the body.
    pub fn send(
        &self,
        key: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, hyper::HeaderMap, Vec<u8>) {
        try_send(&self.url, key, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// `GET path` as JSON, asserting `200`.
    pub fn get_json(&self, key: &str, path: &str) -> Value {
        let (status, text) = self.request(key, "GET", path, Vec::new());
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

/// A request to the server at `url` (`http://…`, no trailing slash) with the bearer `key`, a
/// JSON `Content-Type` unless `headers` name one: the status, the response headers and the
/// body, or the transport's error (a server that went away mid-request).
pub fn try_send(
    url: &str,
    key: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<(u16, hyper::HeaderMap, Vec<u8>), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{url}{path}"))
            .header("authorization", format!("Bearer {key}"));
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body))).unwrap();
        let response = client.request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, headers, bytes.to_vec()))
    })
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
