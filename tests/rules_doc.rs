//! `docs/rules.md` names, for every rule of the orders, the test that proves it
//! (`file::test_name`): each named test must exist in that file, marked as a test, so that the
//! map cannot point at a test that was renamed or removed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::path::Path;

/// The `file.rs::name` references in backticks.
fn references(text: &str) -> Vec<(String, String)> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| {
            let (file, name) = code.split_once(".rs::")?;
            let plain = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_/-.".contains(c))
            };
            (plain(file) && plain(name) && !name.contains('/'))
                .then(|| (format!("{file}.rs"), name.to_owned()))
        })
        .collect()
}

/// Whether `source` defines test `name`: its `fn` is marked `#[test]` among the attributes and
/// comments right above it (a `proptest!` case too).
fn defines_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        line.trim_start().starts_with(&format!("fn {name}("))
            && lines[..i]
                .iter()
                .rev()
                .map(|l| l.trim_start())
                .take_while(|l| l.starts_with("#[") || l.starts_with("#![") || l.starts_with("//"))
                .any(|l| l.starts_with("#[test]"))
    })
}

#[test]
fn every_test_docs_rules_md_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    let references = references(&text);
    assert!(references.len() >= 30, "{references:?}");
    let missing: Vec<String> = references
        .iter()
        .filter(|(file, name)| {
            std::fs::read_to_string(root.join(file))
                .map(|source| !defines_test(&source, name))
                .unwrap_or(true)
        })
        .map(|(file, name)| format!("{file}::{name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/rules.md names tests that do not exist: {missing:?}"
    );
}

#[test]
fn references_and_tests_are_recognised() {
    let text = "| `a/b.rs::one`, `a/b.rs::two` | `Clause` | `x.rs` |";
    assert_eq!(
        references(text),
        [
            ("a/b.rs".to_owned(), "one".to_owned()),
            ("a/b.rs".to_owned(), "two".to_owned())
        ]
    );
    let source = "#[test]\n/// One.\nfn one() {}\nfn two() {}\n";
    assert!(defines_test(source, "one"));
    assert!(!defines_test(source, "two"));
    assert!(!defines_test(source, "three"));
}
