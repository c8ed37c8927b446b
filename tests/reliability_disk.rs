//! Full disk: the data directory of a running `qoima serve` on a small tmpfs that fills during
//! tus uploads and registrations. Every refusal must be a clear one (HTTP 507 Insufficient
//! Storage, problem+json naming the full storage; never a 500, never a dropped connection),
//! nothing acknowledged may be lost, and once space is freed the same server takes uploads and
//! registrations again. Then the command line on a full disk: `qoima put` exits 1 naming the
//! problem, and works once space is freed. `qoima scrub` and `qoima audit verify` pass at the
//! end.
//!
//! Needs root (it mounts a tmpfs). Run by `scripts/reliability`; ignored by a plain
//! `cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::path::Path;
use std::process::Command;

use qoima_tests::client::{Api, json_field, pdf};
use qoima_tests::serve::{Server, Vault};

/// Unmounts the tmpfs when dropped.
struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs needs root");
        Self(dir.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system of `dir` with `ballast` until it is full; returns the bytes written.
fn fill(ballast: &Path) -> u64 {
    use std::io::Write;
    let mut file = std::fs::File::create(ballast).unwrap();
    let block = vec![0x5a_u8; 64 << 10];
    let mut written = 0;
    while let Ok(n) = file.write(&block) {
        if n == 0 {
            break;
        }
        written += n as u64;
    }
    let _ = file.sync_all();
    written
}

/// A refusal for want of space: 507, problem+json, naming it.
fn assert_clear_refusal(response: &qoima_tests::client::Response, what: &str) {
    assert_eq!(
        response.status,
        507,
        "{what}: expected 507 Insufficient Storage: {} {}",
        response.status,
        response.text()
    );
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json"),
        "{what}"
    );
    let text = response.text();
    assert!(
        text.contains("Insufficient Storage") && text.contains("space"),
        "{what}: {text}"
    );
}

#[test]
#[ignore = "run by scripts/reliability (needs root)"]
fn a_full_disk_is_refused_clearly_and_loses_nothing() {
    let root = tempfile::tempdir().unwrap();
    let mount = Mount::tmpfs(&root.path().join("small"), "320m");
    let vault = Vault::new(root.path(), &mount.0.join("vault")).unwrap();
    let writer = vault.key("writer").unwrap();
    let reader = vault.key("reader").unwrap();
    // Room for a few registrations only, whatever the tmpfs's overhead.
    let ballast = mount.0.join("ballast");
    fill(&ballast);
    let free = 24 << 20;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&ballast)
        .unwrap();
    let len = file.metadata().unwrap().len();
    file.set_len(len.saturating_sub(free)).unwrap();
    drop(file);

    let server = Server::start(&vault).unwrap();
    let api = Api {
        addr: server.addr.clone(),
        key: writer.clone(),
    };
    let mut acknowledged: Vec<(String, u64)> = Vec::new();
    let (mut refused, mut uploads_refused, mut registrations_refused) = (0, 0, 0);
    for n in 0..200_u64 {
        let content = pdf(n, 1 << 20);
        let created = api.create_upload(&content, content.len() / 2).unwrap();
        if created.status != 201 {
            assert_clear_refusal(&created, &format!("upload {n}"));
            refused += 1;
            uploads_refused += 1;
        } else {
            let location = created.header("location").unwrap().to_owned();
            let offset: usize = created.header("upload-offset").unwrap().parse().unwrap();
            let patched = api.patch(&location, offset, &content[offset..]).unwrap();
            if patched.status != 204 {
                assert_clear_refusal(&patched, &format!("patch {n}"));
                refused += 1;
                uploads_refused += 1;
            } else {
                let id = location.rsplit('/').next().unwrap();
                let done = api.register_upload(id, &content).unwrap();
                if done.status == 201 {
                    let doc = json_field(&done.text(), "id").unwrap();
                    acknowledged.push((doc, n));
                } else {
                    assert_clear_refusal(&done, &format!("registration {n}"));
                    refused += 1;
                    registrations_refused += 1;
                }
            }
        }
        if refused >= 8 {
            break;
        }
    }
    assert!(refused >= 8, "the disk never filled");
    assert!(
        !acknowledged.is_empty(),
        "nothing registered before the disk filled"
    );

    // Space freed: the same server works again. RocksDB stops writing at its first failed
    // write and resumes by itself once its file manager sees free space (it polls every few
    // seconds): the registration is retried until then, within a minute.
    std::fs::remove_file(&ballast).unwrap();
    let freed = std::time::Instant::now();
    let mut retried_507 = 0;
    let content = pdf(1000, 1 << 20);
    let created = api.create_upload(&content, content.len()).unwrap();
    assert_eq!(
        created.status,
        201,
        "after freeing space: {}",
        created.text()
    );
    let location = created.header("location").unwrap().to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    let resumed = loop {
        let done = api.register_upload(&id, &content).unwrap();
        if done.status == 201 {
            acknowledged.push((json_field(&done.text(), "id").unwrap(), 1000));
            break freed.elapsed();
        }
        assert_clear_refusal(&done, "a registration after freeing space");
        assert!(
            freed.elapsed() < std::time::Duration::from_secs(60),
            "the server did not resume writing within a minute of space being freed"
        );
        retried_507 += 1;
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    // Nothing acknowledged lost.
    let read = Api {
        addr: server.addr.clone(),
        key: reader,
    };
    for (doc, n) in &acknowledged {
        let back = read
            .send("GET", &format!("/v1/documents/{doc}/content"), &[], &[])
            .unwrap();
        assert_eq!(back.status, 200, "{doc}: {}", back.text());
        assert!(back.body == pdf(*n, 1 << 20), "{doc} reads back wrong");
    }
    drop(server);

    // The command line on a full disk.
    let big = root.path().join("big.bin");
    std::fs::write(&big, qoima_tests::Rng::new(7).bytes(4 << 20)).unwrap();
    fill(&ballast);
    let out = vault.run(&["put", big.to_str().unwrap()]).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "qoima put on a full disk: {err}"
    );
    assert!(
        err.starts_with("error: ") && err.contains("space"),
        "qoima put on a full disk: {err}"
    );
    std::fs::remove_file(&ballast).unwrap();
    let out = vault.run(&["put", big.to_str().unwrap()]).unwrap();
    assert!(
        out.status.success(),
        "qoima put after freeing space: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for args in [&["scrub"][..], &["audit", "verify"][..]] {
        let out = vault.run(args).unwrap();
        assert!(
            out.status.success(),
            "qoima {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "FIGURE disk registered={} refused={refused} uploads_refused={uploads_refused} \
         registrations_refused={registrations_refused} resumed_after_ms={} retried_507={retried_507} cli_refused=1",
        acknowledged.len(),
        resumed.as_millis()
    );
}
