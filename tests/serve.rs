//! The real `qoima` binary for the reliability suite: a data directory with a configuration
//! that trusts the generated PKI's RSA hierarchy (as the server's end-to-end tests set up),
//! API keys, and `qoima serve` on a free loopback port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The `qoima` binary: `QOIMA_BIN`, else `qoima` in the build directory of the running test
/// (`target/release/deps/<test>` → `target/release/qoima`).
pub fn qoima_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("QOIMA_BIN") {
        return bin.into();
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join("qoima")
}

fn pki(file: &str) -> PathBuf {
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

/// A data directory `data` and its configuration file `config` under `root`.
#[derive(Debug, Clone)]
pub struct Vault {
    /// The data directory.
    pub data: PathBuf,
    /// The configuration file.
    pub config: PathBuf,
}

impl Vault {
    /// Writes the configuration under `root/etc` (certificates copied beside it); the data
    /// directory is `data`.
    pub fn new(root: &Path, data: &Path) -> std::io::Result<Self> {
        let etc = root.join("etc");
        std::fs::create_dir_all(etc.join("pki"))?;
        for file in [
            "certs/root-rsa.cer",
            "certs/ca-rsa.cer",
            "crl/ca-rsa.crl",
            "crl/root-rsa.crl",
        ] {
            let name = Path::new(file).file_name().unwrap_or_default();
            std::fs::copy(pki(file), etc.join("pki").join(name))?;
        }
        let config = etc.join("qoima.toml");
        std::fs::write(
            &config,
            "[trust]\n\
             anchors = [\"pki/root-rsa.cer\"]\n\
             intermediates = [\"pki/ca-rsa.cer\"]\n\
             crls = [\"pki/ca-rsa.crl\", \"pki/root-rsa.crl\"]\n",
        )?;
        Ok(Self {
            data: data.to_path_buf(),
            config,
        })
    }

    /// `qoima --data-dir … --config … ARGS`.
    pub fn command(&self) -> Command {
        let mut command = Command::new(qoima_bin());
        command
            .arg("--data-dir")
            .arg(&self.data)
            .arg("--config")
            .arg(&self.config)
            .stdin(Stdio::null());
        command
    }

    /// Runs `qoima ARGS` to its end.
    pub fn run(&self, args: &[&str]) -> std::io::Result<Output> {
        self.command().args(args).output()
    }

    /// A new API key of `role` (before the server starts: it holds the vault's lock).
    pub fn key(&self, role: &str) -> Result<String, String> {
        let out = self
            .run(&["keys", "create", "--role", role])
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

/// `qoima serve` on a free loopback port; stopped (SIGTERM) when dropped.
#[derive(Debug)]
pub struct Server {
    /// The process.
    pub child: Child,
    /// `host:port`.
    pub addr: String,
}

impl Server {
    /// Starts the server on `vault` (warnings logged to this process's standard error).
    pub fn start(vault: &Vault) -> Result<Self, String> {
        Self::start_with_env(vault, &[])
    }

    /// With these environment variables (`QOIMA_SERVER_*` settings).
    pub fn start_with_env(vault: &Vault, env: &[(&str, String)]) -> Result<Self, String> {
        let mut command = vault.command();
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("QOIMA_LOG", "warn")
            .stdout(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("{}: {e}", qoima_bin().display()))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out)
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
        }
        let addr = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .map(|a| a.trim_end_matches('/').to_owned())
            .ok_or_else(|| format!("no address in {line:?}"))?;
        Ok(Self { child, addr })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it with SIGTERM and waits.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The resident set of process `pid`, in KiB (`/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The open file descriptors of process `pid` (`/proc/PID/fd`).
pub fn fds(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// The open sockets of process `pid` and its other descriptors (files, pipes), from the
/// targets of `/proc/PID/fd`: a connection leak shows in the first, RocksDB's open table files
/// (as many as its levels hold) in the second.
pub fn fds_by_kind(pid: u32) -> Option<(usize, usize)> {
    let mut sockets = 0;
    let mut others = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.flatten() {
        match std::fs::read_link(entry.path()) {
            Ok(target) if target.to_string_lossy().starts_with("socket:") => sockets += 1,
            _ => others += 1,
        }
    }
    Some((sockets, others))
}
