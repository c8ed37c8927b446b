//! The Python tus tools of `server/tests/tus/` (tuspy, the tus project's client), as
//! `scripts/setup`'s `qoima_python_setup` installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::Server;

/// The venv's interpreter, or a failure that says how to get it.
pub fn python() -> String {
    match std::env::var("QOIMA_PYTHON") {
        Ok(python) if !python.is_empty() => python,
        _ => panic!(
            "QOIMA_PYTHON is not set: the tus tests need the Python tools that scripts/setup \
             installs; run ./scripts/test, or `source scripts/setup && qoima_python_setup` first"
        ),
    }
}

/// The script `name` of `server/tests/tus/`.
pub fn script(name: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests", "tus", name]
        .iter()
        .collect()
}

/// `upload.py` (tuspy) of `file` to `server` with `key`: its exit code and JSON.
pub fn tuspy(server: &Server, key: &str, file: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::new(python())
        .arg(script("upload.py"))
        .arg(&server.url)
        .arg(key)
        .arg(file)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "upload.py {extra:?}: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), value)
}

/// [`tuspy`], asserting that the upload succeeded; its JSON.
pub fn uploaded(server: &Server, key: &str, file: &Path, extra: &[&str]) -> Value {
    let (code, value) = tuspy(server, key, file, extra);
    assert_eq!(code, 0, "upload.py {extra:?}: {value:#}");
    value
}
