//! Helpers of the end-to-end tests of the record commands (`doc.rs`, `lifecycle.rs`): a vault
//! in a temporary directory with a `--config` file that trusts the generated PKI's RSA
//! hierarchy (`verifier/testdata/pki`, valid at 2026-06-15T12:00:00Z), documents signed in the
//! test by its keys, and the real `qoima` binary.

// Each test file uses its own part of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
}

impl Vault {
    pub fn new() -> Self {
        Self::with_config_tail("")
    }

    /// With `tail` appended to the configuration file.
    pub fn with_config_tail(tail: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc");
        std::fs::create_dir_all(etc.join("pki")).unwrap();
        for file in [
            "certs/root-rsa.cer",
            "certs/ca-rsa.cer",
            "crl/ca-rsa.crl",
            "crl/root-rsa.crl",
        ] {
            let name = Path::new(file).file_name().unwrap();
            std::fs::copy(pki(file), etc.join("pki").join(name)).unwrap();
        }
        let config = etc.join("qoima.toml");
        std::fs::write(
            &config,
            format!(
                "[trust]\n\
                 anchors = [\"pki/root-rsa.cer\"]\n\
                 intermediates = [\"pki/ca-rsa.cer\"]\n\
                 crls = [\"pki/ca-rsa.crl\", \"pki/root-rsa.crl\"]\n\
                 \n\
                 [numbering]\n\
                 default = \"{{participant}}-{{yyyy}}-{{seq:06}}\"\n\
                 \n\
                 [numbering.participants]\n\
                 acme = \"ACME/{{yyyy}}/{{seq:04}}\"\n\
                 {tail}"
            ),
        )
        .unwrap();
        let data = dir.path().join("vault");
        Self { dir, data, config }
    }

    pub fn qoima(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_qoima"))
            .arg("--data-dir")
            .arg(&self.data)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
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
            AT,
            "--json",
        ];
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
