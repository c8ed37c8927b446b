//! `qoima doc` and `qoima audit` end to end: the real binary on a real vault, with documents
//! signed in the test by the generated PKI's keys (`verifier/testdata/pki`, valid at
//! 2026-06-15T12:00:00Z) and a `--config` file that trusts its RSA hierarchy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::process::Command;

use common::{AT, INDIVIDUAL_IIN, Vault, assert_error, json, pdf, stderr, stdout};
use qoima_vault::ContentAddress;
use qoima_vault::audit::{Checkpoint, Hash, VerifierKey, hash_leaf, verify_inclusion};
use qoima_vault::storage::Table;

#[test]
fn register_show_versions() {
    let vault = Vault::new();
    let first = vault.register_ok(1, &["--object", "123456789012345678"]);
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(first["registered"], true);
    assert_eq!(first["version"], 1);
    assert_eq!(first["address"], ContentAddress::of(&pdf(1)).to_string());
    assert_eq!(first["format"], "pdf");
    assert_eq!(first["class"], "project-documentation");
    assert_eq!(first["participant"], "default");
    assert_eq!(first["objectNumber"], "123456789012345678");
    assert_eq!(first["registrationNumber"], "default-2026-000001");
    assert_eq!(first["registrationDate"], "2026-06-16");
    assert_eq!(first["dateCoverage"], "data");
    assert_eq!(first["retainUntil"], "2031-06-16");
    assert_eq!(first["auditIndex"], 0);
    assert_eq!(first["reports"][0]["indication"], "TOTAL_PASSED");
    assert_eq!(
        first["reports"][0]["signers"][0]["identity"]["iin"],
        "850315300128"
    );

    // The next number, in text output: a few lines, then the report.
    let (file, sig) = vault.signed("doc2.pdf", &pdf(2), "individual");
    let out = vault.qoima(&[
        "doc",
        "register",
        "--content",
        &file,
        "--sig",
        &sig,
        "--class",
        "project-documentation",
        "--at",
        AT,
        "--expect-iin",
        "850315300128",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("registration number: default-2026-000002\n"),
        "{text}"
    );
    assert!(text.contains("registration date:   2026-06-16\n"), "{text}");
    assert!(text.contains("retain until:        2031-06-16\n"), "{text}");
    assert!(text.contains("\nTOTAL_PASSED\n"), "{text}");
    assert!(text.contains("IIN 850315300128"), "{text}");

    // A participant with its own template, from the configuration file.
    let acme = vault.register_ok(3, &["--participant", "acme"]);
    assert_eq!(acme["registrationNumber"], "ACME/2026/0001");

    let show = vault.qoima(&["doc", "show", &id, "--json"]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    let show = json(&show);
    assert_eq!(show["id"], id.as_str());
    assert_eq!(show["class"], "project-documentation");
    assert_eq!(show["objectNumber"], "123456789012345678");
    assert_eq!(show["createdAt"], AT);
    assert_eq!(show["versions"], 1);
    assert_eq!(show["current"]["registrationNumber"], "default-2026-000001");
    assert_eq!(show["current"]["reports"][0]["indication"], "TOTAL_PASSED");

    let text = stdout(&vault.qoima(&["doc", "show", &id]));
    assert!(
        text.contains("registration number: default-2026-000001"),
        "{text}"
    );
    assert!(
        text.contains("signature 1:         TOTAL_PASSED; "),
        "{text}"
    );

    let versions = vault.qoima(&["doc", "versions", &id, "--json"]);
    assert_eq!(versions.status.code(), Some(0), "{}", stderr(&versions));
    let versions = json(&versions);
    let list = versions["versions"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    for field in [
        "version",
        "registrationNumber",
        "registrationDate",
        "address",
        "retainUntil",
        "format",
        "auditIndex",
    ] {
        assert_eq!(list[0][field], first[field], "{field}");
    }
    assert_eq!(list[0]["reports"], first["reports"]);
    assert!(list[0]["annulledBy"].is_null());

    // Unknown and malformed ids.
    let unknown = "0123456789abcdef0123456789abcdef";
    for command in ["show", "versions", "delete"] {
        assert_error(
            &vault.qoima(&["doc", command, unknown]),
            1,
            &["no document", unknown],
        );
        assert_error(&vault.qoima(&["doc", command, "42"]), 64, &["document id"]);
    }
}

#[test]
fn a_refused_registration_stores_nothing() {
    let vault = Vault::new();
    assert_eq!(
        vault.register_ok(1, &[])["registrationNumber"],
        "default-2026-000001"
    );

    let out = vault.register("revoked.pdf", &pdf(2), "revoked", &[]);
    assert_error(&out, 1, &["not registered", "REVOKED_NO_POE"]);
    let refused = json(&out);
    assert_eq!(refused["registered"], false);
    assert_eq!(refused["reports"][0]["indication"], "INDETERMINATE");
    assert_eq!(refused["reports"][0]["subIndication"], "REVOKED_NO_POE");

    // Text: the reason on standard error, the report on standard output.
    let (file, sig) = vault.signed("revoked.pdf", &pdf(2), "revoked");
    let out = vault.qoima(&[
        "doc",
        "register",
        "--content",
        &file,
        "--sig",
        &sig,
        "--class",
        "project-documentation",
        "--at",
        AT,
        "--expect-iin",
        INDIVIDUAL_IIN,
    ]);
    assert_error(&out, 1, &["REVOKED_NO_POE"]);
    assert!(
        stdout(&out).contains("INDETERMINATE / REVOKED_NO_POE"),
        "{}",
        stdout(&out)
    );

    // Someone who is not the expected signer.
    let out = vault.register(
        "other.pdf",
        &pdf(99),
        "individual",
        &["--expect-iin", "920202500111"],
    );
    assert_error(&out, 1, &["NOT_OWNER"]);

    // Nothing was taken: the next good registration has the next number, and the log holds
    // two entries.
    let next = vault.register_ok(3, &[]);
    assert_eq!(next["registrationNumber"], "default-2026-000002");
    assert_eq!(next["auditIndex"], 1);
    let verify = vault.qoima(&["audit", "verify", "--json"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
    assert_eq!(json(&verify)["size"], 2);
    assert_eq!(json(&verify)["versionRecords"], 2);
}

#[test]
fn a_format_the_class_does_not_accept_is_refused() {
    let vault = Vault::new();
    let out = vault.register("notes.txt", b"plain text, not a PDF\n", "individual", &[]);
    // The caller's mistake, as over HTTP (422): bad usage (docs/decisions.md, 2026-12-07).
    assert_error(
        &out,
        64,
        &["not registered", "project-documentation", "does not accept"],
    );
    // Nothing registered: the first PDF is still number 1.
    assert_eq!(
        vault.register_ok(1, &[])["registrationNumber"],
        "default-2026-000001"
    );
}

#[test]
fn without_a_trust_store_nothing_is_registered() {
    let vault = Vault::new();
    let (file, sig) = vault.signed("doc.pdf", &pdf(1), "individual");
    let out = Command::new(env!("CARGO_BIN_EXE_qoima"))
        .arg("--data-dir")
        .arg(&vault.data)
        .args([
            "doc",
            "register",
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            "project-documentation",
            "--at",
            AT,
            "--expect-iin",
            INDIVIDUAL_IIN,
            "--json",
        ])
        .output()
        .unwrap();
    assert_error(&out, 1, &["NO_CERTIFICATE_CHAIN_FOUND"]);
    assert_eq!(
        json(&out)["reports"][0]["subIndication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
}

#[test]
fn bad_usage_exits_64_and_creates_nothing() {
    let vault = Vault::new();
    let (file, sig) = vault.signed("doc.pdf", &pdf(1), "individual");
    let class = "project-documentation";
    let cases: [&[&str]; 7] = [
        &["--content", &file, "--sig", &sig, "--class", "drawings"],
        &[
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            class,
            "--at",
            "yesterday",
        ],
        &[
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            class,
            "--object",
            "12345",
        ],
        &[
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            class,
            "--participant",
            "",
        ],
        &[
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            class,
            "--expect-iin",
            "12345",
        ],
        &[
            "--content",
            &file,
            "--sig",
            &sig,
            "--sig",
            "/nonexistent.p7s",
            "--class",
            class,
        ],
        &[
            "--content",
            "/nonexistent.pdf",
            "--sig",
            &sig,
            "--class",
            class,
        ],
    ];
    for extra in cases {
        let mut args = vec!["doc", "register"];
        args.extend_from_slice(extra);
        let out = vault.qoima(&args);
        assert_error(&out, 64, &[]);
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
    // A missing --sig (clap's own message).
    let out = vault.qoima(&["doc", "register", "--content", &file, "--class", class]);
    assert_eq!(out.status.code(), Some(64));
    // No vault was created.
    assert!(!vault.data.exists());
    assert_error(&vault.qoima(&["audit", "verify"]), 64, &["no vault"]);
}

#[test]
fn delete_is_refused_with_exit_3() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    let out = vault.qoima(&["doc", "delete", &id]);
    assert_error(&out, 3, &[&id, "retained until 2031-06-16", "holds: none"]);
    let out = vault.qoima(&["doc", "delete", &id, "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let answer = json(&out);
    assert_eq!(answer["deleted"], false);
    assert_eq!(answer["retained"], true);
    assert_eq!(answer["retainUntil"], "2031-06-16");
    // Still there.
    assert_eq!(vault.qoima(&["doc", "show", &id]).status.code(), Some(0));
}

#[test]
fn checkpoints_proofs_and_consistency() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();

    let key = vault.qoima(&["audit", "key"]);
    assert_eq!(key.status.code(), Some(0), "{}", stderr(&key));
    let key: VerifierKey = stdout(&key).trim().parse().unwrap();

    let out = vault.qoima(&["audit", "checkpoint"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let note = stdout(&out);
    let checkpoint = Checkpoint::open(&note, &key).unwrap();
    assert_eq!(checkpoint.size, 1);
    assert_eq!(checkpoint.origin, key.name());
    let old = vault.dir.path().join("checkpoint-1");
    std::fs::write(&old, &note).unwrap();

    let json_checkpoint = json(&vault.qoima(&["audit", "checkpoint", "--json"]));
    assert_eq!(json_checkpoint["size"], 1);
    assert_eq!(json_checkpoint["root"], checkpoint.root.to_string());
    assert_eq!(json_checkpoint["verifierKey"], key.to_string());

    for n in 2..=5 {
        vault.register_ok(n, &[]);
    }
    let out = vault.qoima(&["audit", "verify", "--since", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("5 entries re-hashed"), "{text}");
    assert!(text.contains("consistent with the checkpoint"), "{text}");
    let verified = json(&vault.qoima(&[
        "audit",
        "verify",
        "--since",
        old.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(verified["since"]["size"], 1);

    // The inclusion proof checks out on its own, against a checkpoint signed by the key.
    let out = vault.qoima(&["audit", "prove", &id, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let proof = json(&out);
    let signed = Checkpoint::open(proof["checkpoint"]["note"].as_str().unwrap(), &key).unwrap();
    assert_eq!(signed.size, 5);
    let version = &proof["versions"][0];
    assert_eq!(version["auditIndex"], 0);
    let entry = version["entry"].as_str().unwrap();
    assert!(entry.starts_with("qoima-audit-v2\nregister\n"), "{entry}");
    assert!(entry.contains(&id), "{entry}");
    let path: Vec<Hash> = version["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().parse().unwrap())
        .collect();
    verify_inclusion(&hash_leaf(entry.as_bytes()), 0, 5, &path, &signed.root).unwrap();
    let text = stdout(&vault.qoima(&["audit", "prove", &id]));
    assert!(text.contains("inclusion verified"), "{text}");

    // A checkpoint this vault did not sign, or one that was altered, is refused.
    let other = Vault::new();
    other.register_ok(1, &[]);
    let foreign = vault.dir.path().join("foreign");
    std::fs::write(&foreign, stdout(&other.qoima(&["audit", "checkpoint"]))).unwrap();
    let out = vault.qoima(&["audit", "verify", "--since", foreign.to_str().unwrap()]);
    assert_error(&out, 1, &["not a checkpoint signed by this vault's key"]);
    let forged = vault.dir.path().join("forged");
    std::fs::write(&forged, note.replacen("\n1\n", "\n2\n", 1)).unwrap();
    let out = vault.qoima(&["audit", "verify", "--since", forged.to_str().unwrap()]);
    assert_error(&out, 1, &["forged"]);
    // A missing file is bad usage.
    let out = vault.qoima(&["audit", "verify", "--since", "/nonexistent/checkpoint"]);
    assert_error(&out, 64, &["cannot read"]);
}

/// Opens the vault's RocksDB directly (no `qoima` is running), behind the write-once guard.
fn raw_db(vault: &Vault) -> rocksdb::DB {
    let path = vault.data.join("db");
    let options = rocksdb::Options::default();
    let families = rocksdb::DB::list_cf(&options, &path).unwrap();
    rocksdb::DB::open_cf(&options, &path, families).unwrap()
}

/// Replaces the value under `key` in `table`, returning the old one.
fn overwrite(vault: &Vault, table: Table, key: &[u8], change: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let db = raw_db(vault);
    let cf = db.cf_handle(table.name()).unwrap();
    let old = db.get_cf(cf, key).unwrap().unwrap();
    let mut new = old.clone();
    change(&mut new);
    db.put_cf(cf, key, new).unwrap();
    old
}

fn restore(vault: &Vault, table: Table, key: &[u8], value: &[u8]) {
    let db = raw_db(vault);
    db.put_cf(db.cf_handle(table.name()).unwrap(), key, value)
        .unwrap();
}

#[test]
fn tampering_in_rocksdb_is_detected() {
    let vault = Vault::new();
    let first = vault.register_ok(1, &[]);
    vault.register_ok(2, &[]);
    let checkpoint = vault.dir.path().join("checkpoint");
    std::fs::write(&checkpoint, stdout(&vault.qoima(&["audit", "checkpoint"]))).unwrap();
    let verify =
        |vault: &Vault| vault.qoima(&["audit", "verify", "--since", checkpoint.to_str().unwrap()]);
    assert_eq!(verify(&vault).status.code(), Some(0));

    // A version record changed: its retain-until date moved earlier by a year.
    let id: [u8; 16] = hex::decode(first["id"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let mut key = id.to_vec();
    key.extend_from_slice(&1u32.to_be_bytes());
    let original = overwrite(&vault, Table::Versions, &key, |value| {
        let at = value.windows(10).position(|w| w == b"2031-06-16").unwrap();
        value[at + 3] = b'0';
    });
    assert_error(
        &verify(&vault),
        1,
        &[
            "damaged",
            &first["id"].as_str().unwrap()[..8],
            "was changed",
        ],
    );
    // `qoima scrub` finds it too.
    let scrub = vault.qoima(&["scrub"]);
    assert_eq!(scrub.status.code(), Some(1));
    assert!(stdout(&scrub).contains("was changed"), "{}", stdout(&scrub));
    restore(&vault, Table::Versions, &key, &original);
    assert_eq!(vault.qoima(&["scrub"]).status.code(), Some(0));
    assert_eq!(verify(&vault).status.code(), Some(0));

    // A log entry changed: the actor of entry 1.
    let original = overwrite(&vault, Table::AuditLeaves, &1u64.to_be_bytes(), |value| {
        let at = value.windows(7).position(|w| w == b"default").unwrap();
        value[at] = b'D';
    });
    assert_error(&verify(&vault), 1, &["audit log damaged", "entry 1"]);
    restore(&vault, Table::AuditLeaves, &1u64.to_be_bytes(), &original);
    assert_eq!(verify(&vault).status.code(), Some(0));

    // A whole log rewritten consistently (entry and subtree hashes) is still caught by the
    // checkpoint an auditor kept.
    let entry = |value: &mut Vec<u8>| {
        let at = value.windows(7).position(|w| w == b"default").unwrap();
        value[at] = b'D';
    };
    let leaf = overwrite(&vault, Table::AuditLeaves, &1u64.to_be_bytes(), entry);
    let mut forged_entry = leaf.clone();
    entry(&mut forged_entry);
    let leaf_hash = hash_leaf(&forged_entry);
    let first_leaf = {
        let db = raw_db(&vault);
        let cf = db.cf_handle(Table::AuditNodes.name()).unwrap();
        let mut key = vec![0u8];
        key.extend_from_slice(&0u64.to_be_bytes());
        Hash::from_slice(&db.get_cf(cf, key).unwrap().unwrap()).unwrap()
    };
    let node = |level: u8, index: u64| {
        let mut key = vec![level];
        key.extend_from_slice(&index.to_be_bytes());
        key
    };
    overwrite(&vault, Table::AuditNodes, &node(0, 1), |v| {
        *v = leaf_hash.0.to_vec()
    });
    overwrite(&vault, Table::AuditNodes, &node(1, 0), |v| {
        *v = qoima_vault::audit::hash_children(&first_leaf, &leaf_hash)
            .0
            .to_vec()
    });
    // The version record's hash is in the entry, not in the actor: the records still match.
    let out = vault.qoima(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_error(&verify(&vault), 1, &["not consistent with the checkpoint"]);
}

#[test]
fn configuration_errors_exit_64_and_name_the_file() {
    let cases: [(&str, &[&str]); 7] = [
        (
            "[colour]\nred = 1\n",
            &["qoima.toml", "unknown field `colour`"],
        ),
        ("[trust.extra]\n", &["qoima.toml", "unknown field"]),
        (
            "[policy]\nmin-rsa-bitz = 1024\n",
            &["qoima.toml", "min-rsa-bitz"],
        ),
        (
            "[policy]\nweak-digests = [\"MD6\"]\n",
            &["qoima.toml", "MD6"],
        ),
        (
            "bogus = \"{seq:99}\"\n",
            &["qoima.toml", "bogus", "bad sequence width"],
        ),
        // Retention may only be longer than the rules'.
        (
            "[retention]\nproject-documentation = { kind = \"years-from-registration\", years = 4 }\n",
            &["qoima.toml", "[retention]", "project-documentation"],
        ),
        (
            "[retention]\nminutes = { kind = \"years-from-registration\", years = 4 }\n",
            &["qoima.toml", "minutes"],
        ),
    ];
    for (tail, needles) in cases {
        let vault = Vault::with_config_tail(tail);
        let id = "0123456789abcdef0123456789abcdef";
        for args in [&["doc", "show", id][..], &["audit", "verify"]] {
            let out = vault.qoima(args);
            assert_error(&out, 64, needles);
        }
    }

    // A listed file that does not exist; a file that is not a certificate.
    let vault = Vault::new();
    let text = std::fs::read_to_string(&vault.config).unwrap();
    std::fs::write(
        &vault.config,
        text.replace("pki/ca-rsa.cer", "pki/missing.cer"),
    )
    .unwrap();
    let out = vault.qoima(&["audit", "verify"]);
    assert_error(&out, 64, &["qoima.toml", "trust", "missing.cer"]);
    std::fs::write(&vault.config, text.replace("pki/ca-rsa.cer", "qoima.toml")).unwrap();
    assert_error(
        &vault.qoima(&["audit", "verify"]),
        64,
        &["trust.intermediates"],
    );

    // The configuration file itself missing.
    let out = Command::new(env!("CARGO_BIN_EXE_qoima"))
        .args(["--config", "/nonexistent/qoima.toml", "audit", "key"])
        .output()
        .unwrap();
    assert_error(&out, 64, &["/nonexistent/qoima.toml"]);
}

#[test]
fn the_calendar_file_extends_the_builtin_one() {
    // 2026 replaced by a year in which Tuesday 16 June is a holiday.
    let vault = Vault::new();
    let text = std::fs::read_to_string(&vault.config).unwrap();
    std::fs::write(
        vault.config.with_file_name("calendar.toml"),
        "[years.2026]\nsource = \"test\"\nholidays = [\"2026-06-16\"]\n",
    )
    .unwrap();
    std::fs::write(
        &vault.config,
        format!("calendar = \"calendar.toml\"\n{text}"),
    )
    .unwrap();
    let registered = vault.register_ok(1, &[]);
    assert_eq!(registered["registrationDate"], "2026-06-17");

    std::fs::write(
        vault.config.with_file_name("calendar.toml"),
        "[years.2026]\nholidays = [\"2026-13-01\"]\n",
    )
    .unwrap();
    assert_error(
        &vault.qoima(&["audit", "verify"]),
        64,
        &["calendar", "2026-13-01"],
    );
}

#[test]
fn configured_retention_lengthens_the_class() {
    let vault = Vault::with_config_tail(
        "[retention]\nexpertise-application = { kind = \"years-from-registration\", years = 10 }\n",
    );
    let out = vault.register_class("a.pdf", &pdf(1), "individual", "expertise-application", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["retainUntil"], "2036-06-16");
}

/// `qoima doc register --json` of `n`'s PDF as an expertise application submitted at `at`.
fn register_at(vault: &Vault, n: u32, at: &str, extra: &[&str]) -> serde_json::Value {
    let name = format!("at{n}.pdf");
    let class = "expertise-application";
    let out = vault.register_class_at(&name, &pdf(n), "individual", class, at, extra);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)
}

/// The registration date, retain-until and the clauses of a version in JSON.
fn reading(version: &serde_json::Value) -> [&str; 4] {
    ["registrationDate", "retainUntil", "datedBy", "retainedBy"]
        .map(|field| version[field].as_str().unwrap_or("-"))
}

#[test]
fn the_order_in_force_at_the_submission_dates_it_and_the_record_says_which() {
    let vault = Vault::new();
    // Order 670 until 2026-06-30: the 14:00 cut-off, kept 3 years.
    let before = register_at(&vault, 1, "2026-06-30T14:05:00+05:00", &[]);
    assert_eq!(
        reading(&before),
        ["2026-07-01", "2029-07-01", "670 §18", "670 §23"]
    );
    // Order 253 from 2026-07-01: the date of receipt, kept 5 years.
    let after = register_at(&vault, 2, "2026-07-01T15:00:00+05:00", &[]);
    assert_eq!(
        reading(&after),
        ["2026-07-01", "2031-07-01", "253 §36", "253 §44"]
    );
    // During review under 670: the day of certification, no cut-off.
    let review = ["--dating", "during-review"];
    let during = register_at(&vault, 3, "2026-06-30T18:00:00+05:00", &review);
    assert_eq!(
        reading(&during),
        ["2026-06-30", "2029-06-30", "670 §18, §46", "670 §23"]
    );
    // During review on a Saturday after the switch: order 253's date of receipt, that day.
    let saturday = register_at(&vault, 4, "2026-07-04T11:00:00+05:00", &review);
    assert_eq!(
        reading(&saturday),
        ["2026-07-04", "2031-07-04", "253 §36", "253 §44"]
    );

    // `doc show` and `doc versions` show them, in text and JSON.
    let id = before["id"].as_str().unwrap();
    let out = vault.qoima(&["doc", "show", id]);
    let text = stdout(&out);
    assert!(text.contains("  dated by:            670 §18\n"), "{text}");
    assert!(text.contains("  retained by:         670 §23\n"), "{text}");
    let shown = json(&vault.qoima(&["doc", "show", id, "--json"]));
    assert_eq!(
        reading(&shown["current"]),
        ["2026-07-01", "2029-07-01", "670 §18", "670 §23"]
    );
    let id = saturday["id"].as_str().unwrap();
    let versions = json(&vault.qoima(&["doc", "versions", id, "--json"]));
    assert_eq!(
        reading(&versions["versions"][0]),
        ["2026-07-04", "2031-07-04", "253 §36", "253 §44"]
    );
    let text = stdout(&vault.qoima(&["doc", "versions", id]));
    assert!(text.contains("  dated by:            253 §36\n"), "{text}");

    // An unknown dating is bad usage.
    let class = "expertise-application";
    let whenever = ["--dating", "whenever"];
    let out = vault.register_class_at("bad.pdf", &pdf(5), "individual", class, AT, &whenever);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
}
