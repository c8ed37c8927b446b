//! End-to-end tests of the `qoima` command: the real binary on a real vault.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use qoima_vault::{ContentAddress, ContentConfig, ContentStore};

fn qoima(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qoima"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn noise(len: usize) -> Vec<u8> {
    let mut x = 0x1234_5678_9abc_def1u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

#[test]
fn put_get_stat_scrub_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let file = dir.path().join("project.pdf");
    let data = noise(5 << 20); // two chunks
    std::fs::write(&file, &data).unwrap();

    let put = qoima(&vault, &["put", file.to_str().unwrap()]);
    assert!(put.status.success(), "{}", stderr(&put));
    let address = stdout(&put).trim().to_owned();
    assert_eq!(address, ContentAddress::of(&data).to_string());

    let get = qoima(&vault, &["get", &address]);
    assert!(get.status.success(), "{}", stderr(&get));
    assert!(get.stdout == data);

    let range = qoima(&vault, &["get", &address, "--range", "4194300-4194309"]);
    assert_eq!(range.stdout, &data[4_194_300..4_194_310]);
    let tail = qoima(&vault, &["get", &address, "--range", "5242870-"]);
    assert_eq!(tail.stdout, &data[5_242_870..]);

    let out = dir.path().join("copy.pdf");
    let to_file = qoima(&vault, &["get", &address, "-o", out.to_str().unwrap()]);
    assert!(to_file.status.success() && to_file.stdout.is_empty());
    assert!(std::fs::read(&out).unwrap() == data);

    let stat = qoima(&vault, &["stat", &address, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stat.stdout).unwrap();
    assert_eq!(json["length"], 5 << 20);
    assert_eq!(json["chunks"], 2);

    let scrub = qoima(&vault, &["scrub"]);
    assert!(scrub.status.success(), "{}", stdout(&scrub));
    assert!(
        stdout(&scrub)
            .contains("1 contents, 5242880 bytes re-hashed, 0 unreferenced chunks, 0 problems")
    );
}

#[test]
fn standard_input_can_be_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qoima"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "put", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"annulment act")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        stdout(&output).trim(),
        ContentAddress::of(b"annulment act").to_string()
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_the_documented_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let missing = ContentAddress::of(b"never stored").to_string();
    let cases: &[(&[&str], i32, &str)] = &[
        (&["get", &missing], 64, "no vault in"),
        (&["put", "/no/such/file"], 64, "cannot read /no/such/file"),
        (&["frobnicate"], 64, "unrecognized subcommand"),
    ];
    for (args, code, message) in cases {
        let output = qoima(&vault, args);
        assert_eq!(
            output.status.code(),
            Some(*code),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(!vault.exists(), "a failed command created the vault");

    let file = dir.path().join("a.txt");
    std::fs::write(&file, "x").unwrap();
    assert!(
        qoima(&vault, &["put", file.to_str().unwrap()])
            .status
            .success()
    );
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["get", "not-an-address"],
            64,
            "expected 64 hexadecimal digits",
        ),
        (&["get", &missing], 1, "no content stored at"),
        (&["stat", &missing], 1, "no content stored at"),
        (
            &[
                "get",
                &ContentAddress::of(b"x").to_string(),
                "--range",
                "0-1",
            ],
            64,
            "not within",
        ),
    ];
    for (args, code, message) in cases {
        let output = qoima(&vault, args);
        assert_eq!(
            output.status.code(),
            Some(*code),
            "{args:?}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn a_byte_flipped_on_disk_is_reported_by_get_and_scrub() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let data = noise(300 << 10);
    let address = {
        let store = ContentStore::open(&vault.join("db"), ContentConfig::default()).unwrap();
        let address = store.put(data.as_slice()).unwrap().address;
        // Out of the write-ahead log into a blob file, where a disk would rot it.
        store.backend().flush().unwrap();
        address
    };
    let needle = &data[200_000..200_032];
    let mut flipped = 0;
    for entry in std::fs::read_dir(vault.join("db")).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
            bytes[at + 3] ^= 0x01;
            std::fs::write(&path, bytes).unwrap();
            flipped += 1;
        }
    }
    assert_eq!(flipped, 1, "the chunk should be in exactly one file");

    let get = qoima(&vault, &["get", &address.to_string()]);
    assert_eq!(get.status.code(), Some(1));
    assert!(
        get.stdout.is_empty(),
        "bytes of a corrupt chunk reached the output"
    );
    let err = stderr(&get);
    assert!(
        err.contains("integrity error")
            && err.contains(&address.to_string())
            && err.contains("chunk 0"),
        "{err}"
    );

    let out = dir.path().join("out.bin");
    let to_file = qoima(
        &vault,
        &["get", &address.to_string(), "-o", out.to_str().unwrap()],
    );
    assert_eq!(to_file.status.code(), Some(1));
    assert!(!out.exists() && !dir.path().join("out.bin.partial").exists());

    let scrub = qoima(&vault, &["scrub"]);
    assert_eq!(scrub.status.code(), Some(1));
    let report = stdout(&scrub);
    assert!(
        report.contains("problem: integrity error") && report.contains("1 problems"),
        "{report}"
    );
}

#[test]
fn serve_answers_healthz_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_qoima"))
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (health, missing) = runtime.block_on(async {
        (
            get(&format!("{url}/healthz")).await,
            get(&format!("{url}/nothing-here")).await,
        )
    });
    assert_eq!(health.0, 200);
    assert_eq!(health.1, r#"{"status":"ok"}"#);
    assert_eq!(missing.0, 404);
    assert!(missing.1.contains("\"status\":404"), "{}", missing.1);

    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.0.wait().unwrap();
    assert!(
        status.success(),
        "serve did not exit cleanly on SIGTERM: {status}"
    );
}

/// A child killed when the test ends however it ends: a failed assertion must not leave a
/// server running that holds the test harness's pipes.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET with hyper's client: status and body.
async fn get(url: &str) -> (u16, String) {
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = client.get(url.parse().unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}
