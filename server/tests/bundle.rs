//! `qoima doc export` and `qoima bundle verify` end to end, with the real binary: a document
//! with two versions (the second with its signed annulment act) is exported, the bundle copied
//! and the vault directory deleted, and the copy verifies offline; then every kind of tampering
//! with it is refused with an error naming what broke (exit 1), as are a wrong key and a
//! checkpoint of another log (`docs/bundle.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::records::{bundle_verify, ok};
use common::{Vault, json, pdf, stderr, stdout};
use qoima_vault::bundle::zip::{self, Entry};
use serde_json::Value;

/// The signatures' validation time: after the registrations, while the PKI's CRLs are current.
const VALIDATION: &str = "2026-06-20T00:00:00Z";

/// `qoima bundle verify FILE` at [`VALIDATION`] then `extra`, with no vault and no
/// configuration.
fn verify(file: &Path, extra: &[&str]) -> Output {
    bundle_verify(file, VALIDATION, extra)
}

/// A document of two versions in `vault`: returns its id.
fn two_versions(vault: &Vault) -> String {
    let first = vault.register_ok(1, &[]);
    let id = first["id"].as_str().unwrap().to_owned();
    // The annulment act: the statement of version 1 signed by its sender.
    let reason = "лист 3 заменён";
    let (_, act) = vault.signed_statement(&id, 2, reason, "individual");
    ok(&vault.new_version(&id, 2, &act, reason));
    id
}

/// The bundle's entries, owned.
fn entries(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
    zip::read(bundle)
        .unwrap()
        .into_iter()
        .map(|e| (e.name.to_owned(), e.data.to_vec()))
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<Entry<'_>> = entries
        .iter()
        .map(|(name, data)| Entry { name, data })
        .collect();
    zip::write(&entries).unwrap()
}

fn manifest(entries: &[(String, Vec<u8>)]) -> Value {
    serde_json::from_slice(&entries[1].1).unwrap()
}

fn set_manifest(entries: &mut [(String, Vec<u8>)], manifest: &Value) {
    entries[1].1 = serde_json::to_vec_pretty(manifest).unwrap();
}

fn entry<'e>(entries: &'e mut [(String, Vec<u8>)], name: &str) -> &'e mut Vec<u8> {
    &mut entries.iter_mut().find(|(n, _)| n == name).unwrap().1
}

fn replace(bytes: &mut Vec<u8>, from: &[u8], to: &[u8]) {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(from)));
    bytes.splice(at..at + from.len(), to.iter().copied());
}

/// Writes `bytes` beside `original` and expects `bundle verify` to refuse it (exit 1) with
/// `expected` in its error.
fn refused(original: &Path, case: &str, bytes: &[u8], extra: &[&str], expected: &str) {
    let path = original.with_file_name(format!("{case}.zip"));
    std::fs::write(&path, bytes).unwrap();
    let out = verify(&path, extra);
    let error = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{case}: {}{error}",
        stdout(&out)
    );
    assert!(
        error.contains(expected),
        "{case}: expected {expected:?} in: {error}"
    );
}

#[test]
fn an_exported_bundle_verifies_without_the_vault_and_every_tampering_is_named() {
    let vault = Vault::new();
    let id = two_versions(&vault);
    let before = vault.checkpoint("before.txt");
    let key = vault.audit_key();
    let copy = tempfile::tempdir().unwrap();
    let exported = vault.dir.path().join("bundle.zip");
    let out = vault.export(
        &id,
        &exported,
        &["--since", before.to_str().unwrap(), "--by", "state audit"],
    );
    ok(&out);
    assert!(stdout(&out).contains("2 versions"), "{}", stdout(&out));
    // The auditor's copy, and the checkpoint they held; the vault is gone.
    let bundle = copy.path().join("bundle.zip");
    let held = copy.path().join("held.txt");
    std::fs::copy(&exported, &bundle).unwrap();
    std::fs::copy(&before, &held).unwrap();
    std::fs::remove_dir_all(&vault.data).unwrap();
    assert!(!vault.data.exists());

    let out = verify(&bundle, &["--key", &key, "--since", held.to_str().unwrap()]);
    ok(&out);
    let text = stdout(&out);
    for expected in [
        "version 1:",
        "version 2:",
        "content intact: SHA-256",
        "signature 1: TOTAL_PASSED",
        "registered at 2026-06-15T12:00:00Z",
        "included in the log at index 0 (register entry)",
        "(new-version entry)",
        "checkpoint signed by key",
        "(the key given)",
        "the one you hold",
        "naming versions 1 to 2",
        "verdict: TOTAL_PASSED",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    let out = verify(&bundle, &["--key", &key, "--json"]);
    ok(&out);
    let report = json(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["indication"], "TOTAL_PASSED");
    assert_eq!(report["document"], id.as_str());
    assert_eq!(report["checkpoint"]["keyGiven"], true);
    let versions = report["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["content"]["intact"], true);
    assert_eq!(versions[1]["signatures"][0]["indication"], "TOTAL_PASSED");
    assert_eq!(versions[1]["log"]["kind"], "new-version");
    assert_eq!(versions[0]["log"]["verifierKey"], key.as_str());
    // Without --key the bundle's own key is used, and the output says so.
    let out = verify(&bundle, &[]);
    ok(&out);
    assert!(
        stdout(&out).contains("the bundle's own key"),
        "{}",
        stdout(&out)
    );

    let original = std::fs::read(&bundle).unwrap();
    let pristine = entries(&original);
    let m = manifest(&pristine);
    let v1 = &m["versions"][0];
    let v2 = &m["versions"][1];
    let name = |value: &Value| value.as_str().unwrap().to_owned();
    let with_key: &[&str] = &["--key", &key];

    // A byte of the content.
    let mut e = pristine.clone();
    entry(&mut e, &name(&v1["content"]["file"]))[10] ^= 1;
    refused(
        &bundle,
        "content",
        &rezip(&e),
        with_key,
        "version 1: the content hashes to",
    );

    // The two versions' signatures swapped.
    let mut e = pristine.clone();
    let (s1, s2) = (name(&v1["signatures"][0]), name(&v2["signatures"][0]));
    let first = entry(&mut e, &s1).clone();
    let second = std::mem::replace(entry(&mut e, &s2), first);
    *entry(&mut e, &s1) = second;
    refused(
        &bundle,
        "signature",
        &rezip(&e),
        with_key,
        "version 1: signature 1",
    );

    // The record: its registration number, and the manifest with it.
    let number = v1["registrationNumber"].as_str().unwrap();
    let forged = number.replace("000001", "000009");
    assert_ne!(number, forged);
    let mut e = pristine.clone();
    replace(
        entry(&mut e, &name(&v1["record"])),
        number.as_bytes(),
        forged.as_bytes(),
    );
    let mut changed = m.clone();
    changed["versions"][0]["registrationNumber"] = forged.clone().into();
    set_manifest(&mut e, &changed);
    refused(
        &bundle,
        "record",
        &rezip(&e),
        with_key,
        "the record was changed",
    );
    // Only the manifest's claim.
    let mut e = pristine.clone();
    set_manifest(&mut e, &changed);
    refused(
        &bundle,
        "manifest",
        &rezip(&e),
        with_key,
        "not what the version's record says",
    );

    // The audit entry: who registered.
    let mut e = pristine.clone();
    replace(
        entry(&mut e, &name(&v2["auditEntry"]["file"])),
        b"operator",
        b"operatoR",
    );
    refused(
        &bundle,
        "entry",
        &rezip(&e),
        with_key,
        "version 2's audit entry (index 1): it is not proven to be in the log",
    );

    // A hash of an inclusion proof, and of the consistency proof.
    let mut e = pristine.clone();
    let mut changed = m.clone();
    changed["versions"][0]["auditEntry"]["inclusionProof"][0] = "00".repeat(32).into();
    set_manifest(&mut e, &changed);
    refused(
        &bundle,
        "inclusion",
        &rezip(&e),
        with_key,
        "is not proven to be in the log",
    );
    let mut e = pristine.clone();
    let mut changed = m.clone();
    changed["since"]["consistencyProof"][0] = "00".repeat(32).into();
    set_manifest(&mut e, &changed);
    refused(
        &bundle,
        "consistency",
        &rezip(&e),
        with_key,
        "consistency proof",
    );

    // The checkpoint's signature: one character of its base64 changed.
    let mut e = pristine.clone();
    let note = entry(&mut e, &name(&m["log"]["checkpoint"]));
    let text = String::from_utf8(note.clone()).unwrap();
    let signature_line = text.lines().last().unwrap();
    let mut forged_line: Vec<char> = signature_line.chars().collect();
    let at = forged_line.len() - 5;
    forged_line[at] = if forged_line[at] == 'A' { 'B' } else { 'A' };
    let forged_line: String = forged_line.into_iter().collect();
    *note = text.replace(signature_line, &forged_line).into_bytes();
    refused(
        &bundle,
        "checkpoint",
        &rezip(&e),
        with_key,
        "the checkpoint: its signature does not verify",
    );

    // The last version removed, with its files: the logged export names two.
    let mut e = pristine.clone();
    let mut changed = m.clone();
    changed["versions"].as_array_mut().unwrap().pop();
    let v2_files: Vec<String> = e
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| n.starts_with("versions/2/"))
        .collect();
    e.retain(|(n, _)| !v2_files.contains(n));
    set_manifest(&mut e, &changed);
    refused(
        &bundle,
        "last-version",
        &rezip(&e),
        with_key,
        "a version was removed",
    );
    // The first version removed.
    let mut e = pristine.clone();
    let mut changed = m.clone();
    changed["versions"].as_array_mut().unwrap().remove(0);
    e.retain(|(n, _)| !n.starts_with("versions/1/"));
    set_manifest(&mut e, &changed);
    refused(
        &bundle,
        "first-version",
        &rezip(&e),
        with_key,
        "version 1 is not in the bundle",
    );

    // A file added, and a file removed.
    let mut e = pristine.clone();
    e.push(("versions/1/extra.txt".into(), b"hello".to_vec()));
    refused(&bundle, "added", &rezip(&e), with_key, "a file was added");
    let mut e = pristine.clone();
    let crl = name(&m["crls"][0]["file"]);
    e.retain(|(n, _)| *n != crl);
    refused(
        &bundle,
        "removed",
        &rezip(&e),
        with_key,
        "a file was removed",
    );

    // A CRL and a certificate changed.
    let mut e = pristine.clone();
    let last = entry(&mut e, &crl).len() - 1;
    entry(&mut e, &crl)[last] ^= 1;
    refused(&bundle, "crl", &rezip(&e), with_key, "it was changed");
    let mut e = pristine.clone();
    let certificate = name(&m["certificates"][0]["file"]);
    let last = entry(&mut e, &certificate).len() - 1;
    entry(&mut e, &certificate)[last] ^= 1;
    refused(
        &bundle,
        "certificate",
        &rezip(&e),
        with_key,
        "it was changed",
    );

    // With --json, the failure is on standard output too.
    let path = bundle.with_file_name("content.zip");
    let out = verify(&path, &["--key", &key, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let failure = json(&out);
    assert_eq!(failure["ok"], false);
    assert!(
        failure["error"]
            .as_str()
            .unwrap()
            .contains("the content hashes to"),
        "{failure}"
    );

    // A byte of the ZIP itself, and a bundle cut short.
    let mut bytes = original.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    refused(&bundle, "zip-byte", &bytes, with_key, "does not verify");
    refused(
        &bundle,
        "cut",
        &original[..original.len() - 10],
        with_key,
        "ZIP",
    );

    // Another vault's key, and a checkpoint of another log.
    let other = Vault::new();
    other.register_ok(3, &[]);
    let other_key = other.audit_key();
    refused(
        &bundle,
        "wrong-key",
        &original,
        &["--key", &other_key],
        "does not verify with the key given",
    );
    let foreign = other.checkpoint("foreign.txt");
    refused(
        &bundle,
        "foreign-since",
        &original,
        &["--key", &key, "--since", foreign.to_str().unwrap()],
        "the checkpoint you hold does not verify",
    );
}

#[test]
fn export_since_a_checkpoint_of_another_log_fails_and_the_held_checkpoint_is_checked() {
    let vault = Vault::new();
    let id = two_versions(&vault);
    let other = Vault::new();
    other.register_ok(3, &[]);
    let foreign = other.checkpoint("foreign.txt");
    let out_file = vault.dir.path().join("b.zip");
    let out = vault.export(&id, &out_file, &["--since", foreign.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a checkpoint signed by this vault's key"),
        "{}",
        stderr(&out)
    );
    assert!(!out_file.exists());

    // A bundle exported with a consistency proof from an earlier checkpoint is checked against
    // the checkpoint held; an older checkpoint of the same log that is not the bundle's start
    // is named.
    let early = vault.checkpoint("early.txt");
    let out = vault.qoima(&["doc", "show", &id, "--auditor", "someone"]);
    ok(&out);
    let later = vault.checkpoint("later.txt");
    let out = vault.export(&id, &out_file, &["--since", later.to_str().unwrap()]);
    ok(&out);
    let key = vault.audit_key();
    let out = verify(
        &out_file,
        &["--key", &key, "--since", later.to_str().unwrap()],
    );
    ok(&out);
    let out = verify(
        &out_file,
        &["--key", &key, "--since", early.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("not from the one you hold"),
        "{}",
        stderr(&out)
    );
    // A bundle without a consistency proof proves nothing about a checkpoint held.
    let plain = vault.dir.path().join("plain.zip");
    ok(&vault.export(&id, &plain, &[]));
    let out = verify(&plain, &["--key", &key, "--since", early.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("export with --since"),
        "{}",
        stderr(&out)
    );
    // Every export is in the log: `audit verify` still holds, records and entries matching.
    ok(&vault.qoima(&["audit", "verify"]));
}

/// Writes the seeds of the `bundle` fuzz target: a real bundle of two versions exported with a
/// consistency proof, and archives a bundle never is (two entries of one name, a `..` name, a
/// compressed entry, cut short, empty). Run by `fuzz/make-seeds.sh`.
#[test]
#[ignore = "writes fuzz/corpus/bundle; run by fuzz/make-seeds.sh"]
fn write_bundle_seeds() {
    let vault = Vault::new();
    let id = two_versions(&vault);
    let before = vault.checkpoint("before.txt");
    let file = vault.dir.path().join("bundle.zip");
    ok(&vault.export(&id, &file, &["--since", before.to_str().unwrap()]));
    let real = std::fs::read(&file).unwrap();
    let out: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fuzz", "corpus", "bundle"]
        .iter()
        .collect();
    std::fs::create_dir_all(&out).unwrap();
    let seed = |name: &str, bytes: &[u8]| std::fs::write(out.join(name), bytes).unwrap();
    seed("real-two-versions.zip", &real);
    let small = rezip(&[
        (
            "mimetype".into(),
            b"application/vnd.qoima.bundle+zip".to_vec(),
        ),
        ("aa".into(), b"1".to_vec()),
        ("bb".into(), b"2".to_vec()),
    ]);
    let swap = |from: &[u8], to: &[u8]| {
        let mut bytes = small.clone();
        let mut at = 0;
        while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
            bytes[at + found..at + found + from.len()].copy_from_slice(to);
            at += found + from.len();
        }
        bytes
    };
    seed("small.zip", &small);
    seed("duplicate-name.zip", &swap(b"bb", b"aa"));
    seed("dot-dot-name.zip", &swap(b"bb", b".."));
    let mut compressed = small.clone();
    compressed[8] = 8;
    seed("compressed-entry.zip", &compressed);
    seed("cut.zip", &real[..real.len() / 2]);
    seed("empty.zip", &rezip(&[]));
}

#[test]
fn a_disposed_document_has_no_bundle() {
    let vault = Vault::new();
    let out = vault.register_class(
        "app.pdf",
        &pdf(1),
        "individual",
        "expertise-application",
        &[],
    );
    ok(&out);
    let id = json(&out)["id"].as_str().unwrap().to_owned();
    let act = vault.disposal_act(&id, "retention ended");
    let later = "2030-01-01T00:00:00Z";
    ok(&vault.qoima_at(
        later,
        &[
            "doc",
            "delete",
            &id,
            "--at",
            later,
            "--reason",
            "retention ended",
            "--act",
            &act,
            "--by",
            "Records office",
        ],
    ));
    let file = vault.dir.path().join("disposed.zip");
    let out = vault.export(&id, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("was disposed of"), "{}", stderr(&out));
    assert!(!file.exists());
    // A document that does not exist, and an id that is not one.
    let out = vault.export(&"0".repeat(32), Path::new("x.zip"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = vault.export("nope", Path::new("x.zip"), &[]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
}
