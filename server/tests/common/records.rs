//! The record commands the suites share: annulment acts and new versions
//! (`qoima doc statement`, `qoima doc new-version`), the audit log's checkpoint and key,
//! `qoima doc export`, and `qoima bundle verify` with no vault at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{AT, INDIVIDUAL_IIN, Vault, json, pdf, stderr, stdout};

/// Exit 0, or a panic with both outputs; the standard output.
pub fn ok(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// `qoima bundle verify FILE --at AT` then `extra`, with no vault and no configuration (what an
/// auditor holding only the bundle runs).
pub fn bundle_verify(file: &Path, at: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qoima"))
        .args(["bundle", "verify"])
        .arg(file)
        .args(["--at", at])
        .args(extra)
        .env_remove("QOIMA_DATA_DIR")
        .env_remove("QOIMA_CONFIG")
        .output()
        .unwrap()
}

impl Vault {
    /// Writes document `n`'s PDF (the content a new version brings) and returns its path.
    pub fn replacement(&self, n: u32) -> String {
        let path = self.dir.path().join(format!("replacement{n}.pdf"));
        std::fs::write(&path, pdf(n)).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// Writes the annulment statement of `id`'s latest version by document `n`'s PDF for
    /// `reason` and a detached CMS over it by `signer`; returns the statement and the
    /// signature's path.
    pub fn signed_statement(
        &self,
        id: &str,
        n: u32,
        reason: &str,
        signer: &str,
    ) -> (Vec<u8>, String) {
        let content = self.replacement(n);
        let out = self.qoima(&[
            "doc",
            "statement",
            id,
            "--reason",
            reason,
            "--content",
            &content,
        ]);
        ok(&out);
        static FILES: AtomicUsize = AtomicUsize::new(0);
        let name = format!("statement-{}", FILES.fetch_add(1, Ordering::Relaxed));
        let (_, sig) = self.signed(&name, &out.stdout, signer);
        (out.stdout, sig)
    }

    /// `qoima doc new-version ID --json` with `n`'s PDF signed by `individual`, the act in
    /// `act`.
    pub fn new_version(&self, id: &str, n: u32, act: &str, reason: &str) -> Output {
        let (file, sig) = self.signed(&format!("doc{n}.pdf"), &pdf(n), "individual");
        self.qoima(&[
            "doc",
            "new-version",
            id,
            "--content",
            &file,
            "--sig",
            &sig,
            "--annulment",
            act,
            "--reason",
            reason,
            "--expect-iin",
            INDIVIDUAL_IIN,
            "--at",
            AT,
            "--json",
        ])
    }

    /// `qoima audit checkpoint` written to `name` in the vault's directory; its path.
    pub fn checkpoint(&self, name: &str) -> PathBuf {
        let out = self.qoima(&["audit", "checkpoint"]);
        ok(&out);
        let path = self.dir.path().join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        path
    }

    /// The audit log's size, from `qoima audit checkpoint --json`.
    pub fn log_size(&self) -> u64 {
        let out = self.qoima(&["audit", "checkpoint", "--json"]);
        ok(&out);
        json(&out)["size"].as_u64().unwrap()
    }

    /// The key that verifies the vault's checkpoints (`qoima audit key`).
    pub fn audit_key(&self) -> String {
        stdout_line(&self.qoima(&["audit", "key"]))
    }

    /// `qoima doc export ID -o FILE` then `extra`.
    pub fn export(&self, id: &str, file: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["doc", "export", id, "-o", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.qoima(&args)
    }
}

fn stdout_line(output: &Output) -> String {
    ok(output).trim().to_owned()
}
