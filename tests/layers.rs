//! The layers of `docs/architecture.md` hold: a module imports only the modules below it.
//!
//! It reads every `.rs` file of `server/src`, `vault/src` and `verifier/src`, resolves each `crate::…`,
//! `super::…` and `self::…` path (grouped `use crate::{a, b}` included, comments left out) to
//! the top-level module it names, and checks that module against the rules below; and it
//! reads the crates' manifests: dependencies point one way, server → vault → verifier.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each top-level module of a crate may import from its own crate. A module not listed
/// fails the test: a new module takes its place in the layers on purpose.
struct Rules {
    /// The crate's source directory, from the workspace root.
    dir: &'static str,
    /// (module, the modules it may import).
    allowed: &'static [(&'static str, &'static [&'static str])],
}

const SERVER: Rules = Rules {
    dir: "server/src",
    allowed: &[
        // The bottom: the vault's types on the configured engine, the API's JSON forms and
        // the operator's settings.
        ("engine", &[]),
        ("representation", &[]),
        ("config", &[]),
        // Verification of many items, for both front ends.
        ("bulk", &["engine"]),
        // Revocation data over HTTP: the client, then the refresh of the server's CRLs and
        // the OCSP client of registrations.
        ("fetch", &[]),
        // Revocation data an operator imports: checked, kept, listed.
        ("imports", &["engine"]),
        ("refresh", &["config", "engine", "fetch", "imports"]),
        ("ocsp", &["config", "fetch"]),
        // Two peers on top of them, which never import each other (the API shows the
        // refresh's state; both take imports in).
        (
            "cli",
            &["bulk", "config", "engine", "imports", "representation"],
        ),
        (
            "http",
            &[
                "bulk",
                "config",
                "engine",
                "imports",
                "ocsp",
                "refresh",
                "representation",
            ],
        ),
        // `qoima serve`: opens the vault as the command line does, starts the refresh, then
        // runs the API.
        (
            "serve",
            &[
                "cli", "config", "engine", "fetch", "http", "imports", "ocsp", "refresh",
            ],
        ),
        // The command line's parser and dispatch.
        ("command", &["cli", "serve"]),
        ("fuzzing", &["bulk", "config", "http"]),
        ("lib", &["command"]),
        ("main", &[]),
    ],
};

const VAULT: Rules = Rules {
    dir: "vault/src",
    allowed: &[
        ("address", &[]),
        ("codec", &["address"]),
        ("storage", &["address"]),
        // The vault's error type, which every layer above may return.
        ("error", &["address", "codec", "storage"]),
        ("content", &["address", "codec", "error", "storage"]),
        ("audit", &["address", "codec", "storage"]),
        ("uploads", &["address", "codec", "content", "storage"]),
        // The rules of the orders and the record values: no machinery.
        ("records", &["address", "codec"]),
        // API keys, bound to a participant (a record value); their changes are logged.
        ("keys", &["address", "audit", "codec", "records", "storage"]),
        // The auditor's bundle: record values and audit entries as bytes, no storage.
        // A version's signatures verified as its registration verified them.
        ("signatures", &["records"]),
        (
            "bundle",
            &["address", "audit", "codec", "records", "signatures"],
        ),
        // The machinery that applies them.
        (
            "registry",
            &[
                "address",
                "audit",
                "bundle",
                "codec",
                "content",
                "error",
                "keys",
                "records",
                "signatures",
                "storage",
            ],
        ),
        // A vault copied from one engine to another, proved whole.
        (
            "migrate",
            &["address", "audit", "codec", "content", "storage"],
        ),
        (
            "fuzzing",
            &[
                "address", "audit", "bundle", "codec", "content", "records", "storage", "uploads",
            ],
        ),
        ("lib", &[]),
    ],
};

const VERIFIER: Rules = Rules {
    dir: "verifier/src",
    allowed: &[
        // Values and readers with nothing below them.
        ("ber", &[]),
        ("oid", &[]),
        ("time", &[]),
        ("identity", &[]),
        ("verdict", &[]),
        ("input", &["ber"]),
        ("signed", &["ber"]),
        // RFC 5652 parsing, then the arithmetic and the signature checks.
        ("cms", &["ber", "input", "oid", "time"]),
        ("gost", &["oid"]),
        ("crypto", &["ber", "cms", "gost", "oid", "verdict"]),
        // Paths, revocation and time-stamps over them.
        ("path", &["ber", "cms", "crypto", "signed", "verdict"]),
        (
            "revocation",
            &["ber", "cms", "crypto", "input", "path", "signed", "verdict"],
        ),
        (
            "timestamp",
            &["ber", "cms", "crypto", "oid", "path", "time"],
        ),
        ("policy", &["crypto", "identity", "verdict"]),
        // The engine and its report on top.
        (
            "engine",
            &[
                "cms",
                "crypto",
                "identity",
                "input",
                "oid",
                "path",
                "policy",
                "revocation",
                "time",
                "timestamp",
                "verdict",
            ],
        ),
        // Test and fuzzing helpers (behind features).
        (
            "testing",
            &["ber", "gost", "oid", "path", "policy", "revocation", "time"],
        ),
        ("test_support", &["ber", "oid", "testing"]),
        (
            "fuzzing",
            &["cms", "gost", "identity", "path", "policy", "revocation"],
        ),
        ("lib", &[]),
    ],
};

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The module path of `file` inside its crate: `http/routes.rs` is `[http, routes]`,
/// `http/mod.rs` is `[http]`, `lib.rs` is `[lib]` (as a name of its own, for the rules).
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// `text` without its comments (line and block) and the text of its strings, so that prose
/// naming a module is no import.
fn strip_comments(text: &str) -> String {
    // A quote as a character literal opens no string.
    let text = text.replace("'\"'", "' '").replace("'\\\"'", "' '");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            // The string's text is left out too: it is no path.
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_string = false;
                out.push(c);
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The first segment of every path in `group` (the text between the braces of
/// `use crate::{…}`), nested groups skipped.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item = String::new();
    for c in group.chars().chain(std::iter::once(',')) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                let head: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !head.is_empty() {
                    heads.push(head);
                }
                item.clear();
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            item.push(c);
        }
    }
    heads
}

/// The text of the brace group starting at `text[0] == '{'`, without the braces.
fn brace_group(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[1..i];
                }
            }
            _ => {}
        }
    }
    &text[1..]
}

/// `text` without its inline test modules (`#[cfg(test)] mod name { … }`): tests may use any
/// module of their crate. Lines are kept, so that line numbers stay right.
fn strip_test_modules(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let item_start = after.find([';', '{']).unwrap_or(after.len());
        let is_inline_mod =
            after[..item_start].contains("mod ") && after[item_start..].starts_with('{');
        if !is_inline_mod {
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
            continue;
        }
        let group = brace_group(&after[item_start..]);
        let end = (item_start + group.len() + 2).min(after.len());
        out.extend(after[..end].chars().filter(|&c| c == '\n'));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Whether `file` is a test module of its own (`tests.rs`, `*_tests.rs`, or under `tests/`).
fn is_test_file(src: &Path, file: &Path) -> bool {
    let relative = file.strip_prefix(src).unwrap_or(file);
    relative.iter().any(|p| p == "tests" || p == "tests.rs")
        || relative
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("_tests.rs"))
}

/// The top-level modules of its own crate that the file at `module` names, with the line of
/// each.
fn imports(module: &[String], text: &str) -> Vec<(String, usize)> {
    let text = strip_test_modules(&strip_comments(text));
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let start_ok = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b':';
        let rest = &text[i..];
        let anchor = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|a| rest.starts_with(a));
        let (true, Some(_)) = (start_ok, anchor) else {
            i += 1;
            continue;
        };
        // Resolve the leading `crate`/`super`/`self` segments to a module path.
        let mut path: Vec<String> = Vec::new();
        let mut j = i;
        let mut first = true;
        loop {
            let rest = &text[j..];
            if first && rest.starts_with("crate::") {
                j += "crate::".len();
            } else if rest.starts_with("super::") {
                if first {
                    path = module.to_vec();
                }
                path.pop();
                j += "super::".len();
            } else if rest.starts_with("self::") {
                if first {
                    path = module.to_vec();
                }
                j += "self::".len();
            } else {
                break;
            }
            first = false;
        }
        let line = text[..i].matches('\n').count() + 1;
        let rest = &text[j..];
        let heads = if rest.starts_with('{') {
            group_heads(brace_group(rest))
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            vec![head]
        };
        for head in heads {
            // The first segment of the resolved path is the top-level module.
            found.push((path.first().cloned().unwrap_or(head), line));
        }
        i = j.max(i + 1);
    }
    found
}

/// Every import that breaks `rules`, as a message.
fn violations(rules: &Rules) -> Vec<String> {
    let src = root().join(rules.dir);
    let files = sources(&src);
    assert!(!files.is_empty(), "no sources in {}", src.display());
    let tops: BTreeSet<&str> = rules.allowed.iter().map(|(m, _)| *m).collect();
    let mut out = Vec::new();
    for file in files {
        if is_test_file(&src, &file) {
            continue;
        }
        let module = module_path(&src, &file);
        let Some(top) = module.first() else { continue };
        let shown = file
            .strip_prefix(root())
            .unwrap_or(&file)
            .display()
            .to_string();
        let Some((_, allowed)) = rules.allowed.iter().find(|(m, _)| m == top) else {
            out.push(format!(
                "{shown}: module `{top}` has no place in the layers of tests/layers.rs"
            ));
            continue;
        };
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {shown}: {e}"));
        for (target, line) in imports(&module, &text) {
            let own = &target == top;
            if !own && tops.contains(target.as_str()) && !allowed.contains(&target.as_str()) {
                out.push(format!(
                    "{shown}:{line}: `{top}` imports `{target}`, which its layer may not \
                     (allowed: {allowed:?}; docs/architecture.md)"
                ));
            }
        }
    }
    out
}

#[test]
fn the_server_layers_hold() {
    let found = violations(&SERVER);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_verifier_layers_hold() {
    let found = violations(&VERIFIER);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_vault_layers_hold() {
    let found = violations(&VAULT);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The workspace crates a manifest depends on (normal dependencies only).
fn workspace_dependencies(manifest: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join(manifest))
        .unwrap_or_else(|e| panic!("cannot read {manifest}: {e}"));
    let mut section = String::new();
    let mut out = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
        } else if section == "[dependencies]" && line.starts_with("qoima-") {
            out.extend(line.split(['.', ' ', '=']).next().map(str::to_owned));
        }
    }
    out
}

#[test]
fn crate_dependencies_point_one_way() {
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| (*n).to_owned()).collect() };
    assert_eq!(workspace_dependencies("verifier/Cargo.toml"), set(&[]));
    assert_eq!(
        workspace_dependencies("vault/Cargo.toml"),
        set(&["qoima-verifier"])
    );
    assert_eq!(
        workspace_dependencies("server/Cargo.toml"),
        set(&["qoima-vault", "qoima-verifier"])
    );
}

/// The checker itself: it sees a forbidden import in every form a `use` can take.
#[test]
fn the_checker_finds_imports_in_every_form() {
    let at = |module: &[&str], text: &str| -> Vec<String> {
        let module: Vec<String> = module.iter().map(|m| (*m).to_owned()).collect();
        imports(&module, text).into_iter().map(|(m, _)| m).collect()
    };
    assert_eq!(at(&["http", "routes"], "use crate::cli::Failure;"), ["cli"]);
    assert_eq!(
        at(&["http"], "use crate::{cli::doc, config::{self, X}};"),
        ["cli", "config"]
    );
    assert_eq!(at(&["http"], "let x = crate::cli::run();"), ["cli"]);
    // `super` from `http/mod.rs` is the crate root; from `http/routes.rs` it is `http`.
    assert_eq!(at(&["http"], "use super::cli;"), ["cli"]);
    assert_eq!(at(&["http", "routes"], "use super::body;"), ["http"]);
    assert_eq!(at(&["http", "routes"], "use super::super::cli;"), ["cli"]);
    assert_eq!(at(&["http", "routes"], "use self::inner::X;"), ["http"]);
    // Prose and strings are not imports.
    assert!(at(&["http"], "// see crate::cli\n/// [`crate::cli`]\n").is_empty());
    assert!(at(&["http"], "/* crate::cli */ let s = 1;").is_empty());
    assert!(at(&["http"], "let s = \"crate::cli\";").is_empty());
    // Test modules may use anything.
    assert!(
        at(
            &["http"],
            "#[cfg(test)]\nmod tests {\n use crate::cli;\n}\n"
        )
        .is_empty()
    );
    assert_eq!(
        at(&["http"], "#[cfg(test)]\nuse crate::cli::X;\n"),
        ["cli"],
        "a test-only import outside a test module still counts"
    );
    // Another crate's path is not this crate's module.
    assert!(at(&["http"], "use qoima_vault::records::Registry;").is_empty());
}
