//! What happens to a registered document afterwards, end to end with the real binary: new
//! versions with signed annulment acts (`qoima doc statement`, `qoima doc new-version`), legal
//! holds (`qoima hold`), retention extensions (`qoima doc retain`), facilities' end of service
//! (`qoima facility end-of-service`), disposal (`qoima doc delete`), index lookups
//! (`qoima doc find`) and auditors' reads in the log (`qoima doc show --auditor`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use std::collections::BTreeSet;

use common::records::ok;
use common::{AT, Vault, assert_error, json, pdf, pki, stderr, stdout};
use qoima_vault::ContentAddress;
use serde_json::Value;

/// The IIN of the PKI's `individual` (the signer of the test documents).
const INDIVIDUAL_IIN: &str = "850315300128";
const OBJECT: &str = "123456789012345678";

/// `qoima audit verify` and `qoima scrub` both exit 0.
fn assert_intact(vault: &Vault) {
    ok(&vault.qoima(&["audit", "verify"]));
    let scrub = vault.qoima(&["scrub"]);
    assert_eq!(scrub.status.code(), Some(0), "{}", stdout(&scrub));
}

fn show(vault: &Vault, id: &str) -> Value {
    let out = vault.qoima(&["doc", "show", id, "--json"]);
    ok(&out);
    json(&out)
}

#[test]
fn a_new_version_needs_an_act_by_the_same_signer() {
    let vault = Vault::new();
    let first = vault.register_ok(1, &["--expect-iin", INDIVIDUAL_IIN, "--object", OBJECT]);
    let id = first["id"].as_str().unwrap().to_owned();
    let reason = "Ошибка в спецификации: лист 3 заменён";

    // The statement: text naming the document, the version, its content and the reason; the
    // same bytes on standard output, in --out FILE and in --json.
    let content = vault.replacement(2);
    let out = vault.qoima(&[
        "doc",
        "statement",
        &id,
        "--reason",
        reason,
        "--content",
        &content,
    ]);
    ok(&out);
    let expected = format!(
        "qoima-annulment-v2\ndocument: {id}\nversion: 1\ncontent: {}\nreplacement: {}\nreason: \
         {reason}\n",
        first["address"].as_str().unwrap(),
        ContentAddress::of(&pdf(2)),
    );
    assert_eq!(stdout(&out), expected);
    let file = vault.dir.path().join("statement.txt");
    let out = vault.qoima(&[
        "doc",
        "statement",
        &id,
        "--reason",
        reason,
        "--content",
        &content,
        "--out",
        file.to_str().unwrap(),
    ]);
    ok(&out);
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), expected.as_bytes());
    let out = vault.qoima(&[
        "doc",
        "statement",
        &id,
        "--reason",
        reason,
        "--content",
        &content,
        "--json",
    ]);
    ok(&out);
    assert_eq!(json(&out)["statement"], expected.as_str());
    assert_eq!(json(&out)["version"], 1);
    assert_error(
        &vault.qoima(&[
            "doc",
            "statement",
            &id,
            "--reason",
            "",
            "--content",
            &content,
        ]),
        64,
        &["--reason"],
    );

    let size = vault.log_size();
    // Signed by someone else (the head of an organisation): not the expected signer.
    let (_, by_head) = vault.signed_statement(&id, 2, reason, "head");
    let out = vault.new_version(&id, 2, &by_head, reason);
    assert_error(
        &out,
        1,
        &["not registered", "annulment act", "NOT_OWNER", "version 1"],
    );
    let refused = json(&out);
    assert_eq!(refused["registered"], false);
    assert_eq!(refused["annulment"]["version"], 1);
    assert_eq!(
        refused["annulment"]["report"]["subIndication"], "NOT_OWNER",
        "{refused}"
    );
    // In text, the act's report on standard output.
    let (file2, sig2) = vault.signed("doc2.pdf", &pdf(2), "individual");
    let out = vault.qoima(&[
        "doc",
        "new-version",
        &id,
        "--content",
        &file2,
        "--sig",
        &sig2,
        "--annulment",
        &by_head,
        "--reason",
        reason,
        "--at",
        AT,
    ]);
    assert_error(&out, 1, &["NOT_OWNER"]);
    assert!(
        stdout(&out).starts_with("annulment act ("),
        "{}",
        stdout(&out)
    );

    // An act by the right person over another reason.
    let (_, other_reason) = vault.signed_statement(&id, 2, "another reason", "individual");
    assert_error(
        &vault.new_version(&id, 2, &other_reason, reason),
        1,
        &["annulment act"],
    );
    // An act by the right person for other content cannot bring this one.
    let (_, other_content) = vault.signed_statement(&id, 7, reason, "individual");
    assert_error(
        &vault.new_version(&id, 2, &other_content, reason),
        1,
        &["annulment act"],
    );
    // Nothing was stored by the refusals.
    assert_eq!(vault.log_size(), size);
    assert_eq!(show(&vault, &id)["versions"], 1);

    // The act by the signer of version 1 over the statement: version 2 is registered.
    let (_, act) = vault.signed_statement(&id, 2, reason, "individual");
    let out = vault.new_version(&id, 2, &act, reason);
    ok(&out);
    let second = json(&out);
    assert_eq!(second["registered"], true);
    assert_eq!(second["id"], id.as_str());
    assert_eq!(second["version"], 2);
    assert_eq!(second["address"], ContentAddress::of(&pdf(2)).to_string());
    assert_eq!(second["registrationNumber"], "default-2026-000002");
    assert_eq!(second["registrationDate"], "2026-06-16");
    assert_eq!(second["class"], "project-documentation");
    assert_eq!(second["objectNumber"], OBJECT);
    assert_eq!(second["annulment"]["version"], 1);
    assert_eq!(second["annulment"]["reason"], reason);
    assert_eq!(second["annulment"]["statement"], expected.as_str());
    assert_eq!(second["reports"][0]["indication"], "TOTAL_PASSED");

    // Version 1 stays, annulled by version 2; walked both ways.
    let out = vault.qoima(&["doc", "versions", &id, "--json"]);
    ok(&out);
    let versions = json(&out);
    let list = versions["versions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], 1);
    assert_eq!(list[0]["annulledBy"], 2);
    assert!(list[0]["annulment"].is_null());
    assert_eq!(list[1]["annulment"]["version"], 1);
    assert!(list[1]["annulledBy"].is_null());
    let text = stdout(&vault.qoima(&["doc", "versions", &id]));
    assert!(text.contains("  annulled by version 2\n"), "{text}");
    assert!(text.contains("  annuls version 1:"), "{text}");
    let shown = show(&vault, &id);
    assert_eq!(shown["versions"], 2);
    assert_eq!(shown["current"]["version"], 2);
    assert_eq!(shown["events"][0]["kind"], "annulled");
    assert_eq!(shown["events"][0]["byVersion"], 2);

    // The act was for version 1: it does not annul version 2.
    assert_error(
        &vault.new_version(&id, 3, &act, reason),
        1,
        &["annulment act", "version 2"],
    );
    // The number of version 1 still finds the document, which is at version 2 now.
    let out = vault.qoima(&["doc", "find", "--number", "default-2026-000001", "--json"]);
    ok(&out);
    let found = json(&out);
    assert_eq!(found["documents"][0]["id"], id.as_str());
    assert_eq!(found["documents"][0]["version"], 2);
    assert_eq!(
        found["documents"][0]["registrationNumber"],
        "default-2026-000002"
    );

    // Usage: an unreadable act, an empty reason; an unknown document.
    let out = vault.new_version(&id, 3, "/nonexistent/act.p7s", reason);
    assert_error(&out, 64, &["/nonexistent/act.p7s"]);
    assert_error(&vault.new_version(&id, 3, &act, ""), 64, &["--reason"]);
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_error(
        &vault.new_version(unknown, 3, &act, reason),
        1,
        &["no document", unknown],
    );
    assert_error(
        &vault.qoima(&[
            "doc",
            "statement",
            unknown,
            "--reason",
            reason,
            "--content",
            &content,
        ]),
        1,
        &["no document"],
    );
    assert_intact(&vault);
}

#[test]
fn each_version_lists_the_crls_its_verdict_used() {
    let vault = Vault::new();
    let first = vault.register_ok(1, &[]);
    let id = first["id"].as_str().unwrap();
    let expected: BTreeSet<String> = ["crl/ca-rsa.crl", "crl/root-rsa.crl"]
        .iter()
        .map(|file| ContentAddress::of(&std::fs::read(pki(file)).unwrap()).to_string())
        .collect();
    let listed = |value: &Value| -> BTreeSet<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed(&first["crls"]), expected);
    assert_eq!(listed(&show(&vault, id)["current"]["crls"]), expected);
    // They are content of the vault: evidence that can be read back.
    for address in &expected {
        ok(&vault.qoima(&["stat", address]));
    }
    assert_intact(&vault);
}

#[test]
fn holds_block_disposal_until_released() {
    let vault = Vault::new();
    // Expertise applications are kept 3 years: until 2029-06-16.
    let out = vault.register_class(
        "app.pdf",
        &pdf(1),
        "individual",
        "expertise-application",
        &[],
    );
    ok(&out);
    let registered = json(&out);
    assert_eq!(registered["retainUntil"], "2029-06-16");
    let id = registered["id"].as_str().unwrap().to_owned();
    let address = registered["address"].as_str().unwrap().to_owned();

    let out = vault.qoima(&[
        "hold",
        "place",
        &id,
        "--reason",
        "court order 12",
        "--by",
        "Auditor A",
    ]);
    ok(&out);
    assert_eq!(stdout(&out), "1\n");
    let out = vault.qoima(&[
        "hold",
        "place",
        &id,
        "--reason",
        "inspection",
        "--by",
        "Auditor B",
        "--json",
    ]);
    ok(&out);
    assert_eq!(json(&out)["hold"], 2);

    // Retained: the date and both holds named.
    let out = vault.qoima(&["doc", "delete", &id]);
    assert_error(
        &out,
        3,
        &[
            "retained until 2029-06-16",
            "holds: 1 (\"court order 12\", by Auditor A), 2 (\"inspection\", by Auditor B)",
        ],
    );
    // After the retention, the holds alone keep it.
    let later = "2030-01-01T00:00:00Z";
    let out = vault.qoima(&["doc", "delete", &id, "--at", later]);
    assert_error(
        &out,
        3,
        &["is held", "retention ended on 2029-06-16", "court order 12"],
    );
    let out = vault.qoima(&["doc", "delete", &id, "--at", later, "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let refused = json(&out);
    assert_eq!(refused["deleted"], false);
    assert_eq!(refused["retained"], false);
    assert_eq!(refused["retainUntil"], "2029-06-16");
    assert_eq!(refused["holds"][0]["hold"], 1);
    assert_eq!(refused["holds"][0]["reason"], "court order 12");
    assert_eq!(refused["holds"][1]["by"], "Auditor B");
    let text = stdout(&vault.qoima(&["doc", "show", &id]));
    assert!(
        text.contains("holds:               1 (\"court order 12\", by Auditor A), 2 ("),
        "{text}"
    );

    // Released one by one, each by whoever placed it; a hold is released once.
    let release = |hold: &str, by: &str| {
        vault.qoima(&[
            "hold",
            "release",
            &id,
            "--hold",
            hold,
            "--reason",
            "order lifted",
            "--by",
            by,
        ])
    };
    assert_error(
        &release("2", "Auditor A"),
        1,
        &["hold 2 was placed by Auditor B", "only that authority"],
    );
    ok(&release("1", "Auditor A"));
    assert_error(&release("1", "Auditor A"), 1, &["no active hold 1"]);
    assert_error(&release("99", "Auditor A"), 1, &["no active hold 99"]);
    let shown = show(&vault, &id);
    let holds = shown["holds"].as_array().unwrap();
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0]["hold"], 2);
    assert_eq!(holds[0]["reason"], "inspection");
    let out = vault.qoima(&["doc", "delete", &id, "--at", later]);
    assert_error(&out, 3, &["holds: 2 (\"inspection\", by Auditor B)"]);
    let out = release("2", "Auditor B");
    ok(&out);
    assert_eq!(stdout(&out), format!("hold 2 on document {id} released\n"));

    // Disposable now, but only with a reason, the officer's act and a name.
    let out = vault.qoima(&["doc", "delete", &id, "--at", later]);
    assert_error(&out, 64, &["may be disposed of", "--reason, --act"]);
    let out = vault.qoima(&[
        "doc",
        "delete",
        &id,
        "--at",
        later,
        "--by",
        "Records office",
    ]);
    assert_error(&out, 64, &["--reason, --act"]);
    // On the last retained day (Astana), refused whatever the reason.
    let out = vault.qoima(&[
        "doc",
        "delete",
        &id,
        "--at",
        "2029-06-16T18:59:59Z",
        "--reason",
        "retention ended",
        "--by",
        "Records office",
    ]);
    assert_error(&out, 3, &["retained until 2029-06-16", "holds: none"]);

    let size = vault.log_size();
    let act = vault.disposal_act(&id, "retention ended");
    // Dated later than the vault's clock (a --at in the future): refused.
    let out = vault.qoima(&[
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
    ]);
    assert_error(&out, 64, &["later than the vault's clock"]);
    // An act that is not the officer's: refused.
    let (_, not_officer) = vault.signed("not-officer", b"qoima-disposal-v1\n", "individual");
    let out = vault.qoima_at(
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
            &not_officer,
            "--by",
            "Records office",
        ],
    );
    assert_error(&out, 1, &["the disposal act is"]);
    assert_eq!(vault.log_size(), size);
    // In 2030, by the vault's clock, with the officer's act.
    let out = vault.qoima_at(
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
            "--json",
        ],
    );
    ok(&out);
    let disposed = json(&out);
    assert_eq!(disposed["deleted"], true);
    let tombstone = &disposed["tombstones"][0];
    assert_eq!(tombstone["version"], 1);
    assert_eq!(tombstone["address"], address.as_str());
    assert_eq!(tombstone["contentRemoved"], true);
    assert_eq!(tombstone["retainedUntil"], "2029-06-16");
    assert_eq!(tombstone["reason"], "retention ended");
    assert_eq!(tombstone["by"], "Records office");
    assert_eq!(tombstone["disposedAt"], later);
    assert_eq!(vault.log_size(), size + 1);

    // Gone: the content; left: the records and their tombstones.
    assert_error(&vault.qoima(&["get", &address]), 1, &[]);
    let shown = show(&vault, &id);
    assert_eq!(shown["disposed"], true);
    assert_eq!(shown["tombstones"][0]["contentRemoved"], true);
    assert_eq!(shown["tombstones"][0]["by"], "Records office");
    let text = stdout(&vault.qoima(&["doc", "show", &id]));
    assert!(
        text.contains("disposed of:\n  version 1: content "),
        "{text}"
    );
    assert!(text.contains(" removed (retained until 2029-06-16); disposed of at 2030-01-01T00:00:00Z by Records office: retention ended"), "{text}");
    assert_intact(&vault);

    // Once only; and nothing more happens to it.
    let again = [
        "doc",
        "delete",
        &id,
        "--at",
        later,
        "--reason",
        "again",
        "--by",
        "Records office",
    ];
    assert_error(&vault.qoima(&again), 1, &["disposed of already"]);
    let out = vault.qoima(&[
        "hold",
        "place",
        &id,
        "--reason",
        "late",
        "--by",
        "Auditor A",
    ]);
    assert_error(&out, 1, &["was disposed of"]);
    assert_error(
        &vault.qoima(&[
            "doc",
            "statement",
            &id,
            "--reason",
            "late",
            "--content",
            &vault.replacement(9),
        ]),
        1,
        &["was disposed of"],
    );
    assert_intact(&vault);
}

#[test]
fn disposal_keeps_content_another_document_uses() {
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
    // The same bytes, registered again as project documentation (kept until 2031).
    let other = vault.register_ok(1, &[]);
    let address = other["address"].as_str().unwrap().to_owned();
    let act = vault.disposal_act(&id, "retention ended");
    let later = "2030-01-01T00:00:00Z";
    let out = vault.qoima_at(
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
    );
    ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "disposed of document {id} (retention ended on 2029-06-16)\n"
        )),
        "{text}"
    );
    assert!(text.contains("kept: another document uses it"), "{text}");
    ok(&vault.qoima(&["get", &address]));
    assert_intact(&vault);
}

#[test]
fn hold_usage_and_unknown_documents() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    let size = vault.log_size();
    let cases: [&[&str]; 5] = [
        &["hold", "place", &id, "--reason", "", "--by", "A"],
        &["hold", "place", &id, "--reason", "r", "--by", "two\nlines"],
        &["hold", "place", "42", "--reason", "r", "--by", "A"],
        &[
            "hold", "release", &id, "--hold", "x", "--reason", "r", "--by", "A",
        ],
        &["hold", "place", &id, "--by", "A"],
    ];
    for args in cases {
        let out = vault.qoima(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
    }
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_error(
        &vault.qoima(&["hold", "place", unknown, "--reason", "r", "--by", "A"]),
        1,
        &["no document", unknown],
    );
    assert_eq!(vault.log_size(), size);
}

#[test]
fn retention_is_extended_never_shortened() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    let retain = |until: &str| {
        vault.qoima(&[
            "doc",
            "retain",
            &id,
            "--until",
            until,
            "--reason",
            "appeal pending",
            "--by",
            "Auditor A",
        ])
    };
    for earlier in ["2031-06-16", "2030-01-01"] {
        assert_error(
            &retain(earlier),
            1,
            &["can only be extended", earlier, "not after 2031-06-16"],
        );
    }
    let out = retain("2035-12-31");
    ok(&out);
    assert_eq!(
        stdout(&out),
        format!("document {id} retained until 2035-12-31\n")
    );
    let shown = show(&vault, &id);
    assert_eq!(shown["retainUntil"], "2035-12-31");
    assert_eq!(shown["events"][0]["kind"], "retention-extended");
    assert_eq!(shown["events"][0]["until"], "2035-12-31");
    assert_error(&retain("2035-12-31"), 1, &["not after 2035-12-31"]);
    assert_error(
        &vault.qoima(&["doc", "delete", &id, "--at", "2033-01-01T00:00:00Z"]),
        3,
        &["retained until 2035-12-31"],
    );
    assert_error(&retain("31.12.2040"), 64, &["--until"]);
    let unknown = "0123456789abcdef0123456789abcdef";
    let out = vault.qoima(&[
        "doc",
        "retain",
        unknown,
        "--until",
        "2040-01-01",
        "--reason",
        "r",
        "--by",
        "A",
    ]);
    assert_error(&out, 1, &["no document"]);
    let out = vault.qoima(&[
        "doc",
        "retain",
        &id,
        "--until",
        "2040-01-01",
        "--reason",
        "r",
        "--by",
        "A",
        "--json",
    ]);
    ok(&out);
    assert_eq!(json(&out)["retainUntil"], "2040-01-01");
    assert_intact(&vault);
}

#[test]
fn find_by_object_participant_number_and_content() {
    let vault = Vault::new();
    let other_object = "876543210987654321";
    let a = vault.register_ok(1, &["--object", OBJECT]);
    let b = vault.register_ok(2, &["--object", OBJECT, "--participant", "acme"]);
    let c = vault.register_ok(3, &["--object", other_object]);
    let id = |doc: &Value| doc["id"].as_str().unwrap().to_owned();
    let find = |args: &[&str]| -> BTreeSet<String> {
        let mut all = vec!["doc", "find"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = vault.qoima(&all);
        ok(&out);
        json(&out)["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        find(&["--object", OBJECT]),
        BTreeSet::from([id(&a), id(&b)])
    );
    assert_eq!(find(&["--object", other_object]), BTreeSet::from([id(&c)]));
    assert_eq!(find(&["--participant", "acme"]), BTreeSet::from([id(&b)]));
    assert_eq!(
        find(&["--participant", "default"]),
        BTreeSet::from([id(&a), id(&c)])
    );
    assert_eq!(
        find(&["--number", "default-2026-000002"]),
        BTreeSet::from([id(&c)])
    );
    assert_eq!(
        find(&["--content", &ContentAddress::of(&pdf(2)).to_string()]),
        BTreeSet::from([id(&b)])
    );
    assert!(find(&["--object", "000000000000000000"]).is_empty());
    assert!(find(&["--number", "nothing"]).is_empty());

    // Text: one line per document, with its latest number and date.
    let out = vault.qoima(&["doc", "find", "--participant", "acme"]);
    ok(&out);
    assert_eq!(
        stdout(&out),
        format!("{}  ACME/2026/0001  2026-06-16  version 1\n", id(&b))
    );
    let out = vault.qoima(&["doc", "find", "--number", "nothing"]);
    ok(&out);
    assert!(out.stdout.is_empty());

    // Exactly one key, well formed.
    for args in [
        &["doc", "find"][..],
        &["doc", "find", "--object", OBJECT, "--participant", "acme"],
        &["doc", "find", "--object", "12345"],
        &["doc", "find", "--content", "not-an-address"],
        &["doc", "find", "--participant", ""],
    ] {
        let out = vault.qoima(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn auditor_reads_are_in_the_log() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    assert_eq!(vault.log_size(), 1);
    // Without --auditor, a read is not an auditor's and is not logged.
    ok(&vault.qoima(&["doc", "show", &id]));
    assert_eq!(vault.log_size(), 1);

    let out = vault.qoima(&["doc", "show", &id, "--auditor", "Auditor A", "--json"]);
    ok(&out);
    // The read is recorded before the answer is made: it is in the answer.
    let shown = json(&out);
    assert_eq!(shown["events"][0]["kind"], "auditor-read");
    assert_eq!(shown["events"][0]["by"], "Auditor A");
    assert_eq!(shown["events"][0]["what"], "document");
    assert_eq!(vault.log_size(), 2);
    ok(&vault.qoima(&["doc", "versions", &id, "--auditor", "Auditor B"]));
    assert_eq!(vault.log_size(), 3);
    let events = show(&vault, &id)["events"].clone();
    assert_eq!(events[1]["what"], "versions");
    assert_eq!(events[1]["by"], "Auditor B");
    let text = stdout(&vault.qoima(&["doc", "show", &id]));
    assert!(text.contains(" auditor-read "), "{text}");
    assert!(text.contains("document, by Auditor A"), "{text}");

    let out = vault.qoima(&["audit", "verify", "--json"]);
    ok(&out);
    assert_eq!(json(&out)["size"], 3);
    assert_eq!(json(&out)["versionRecords"], 3);
    // The log's entry for the read.
    let out = vault.qoima(&["audit", "prove", &id, "--json"]);
    ok(&out);
    assert_eq!(json(&out)["checkpoint"]["size"], 3);

    // A bad name or an unknown document: nothing logged.
    assert_error(
        &vault.qoima(&["doc", "show", &id, "--auditor", ""]),
        64,
        &["--auditor"],
    );
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_error(
        &vault.qoima(&["doc", "show", unknown, "--auditor", "Auditor A"]),
        1,
        &["no document"],
    );
    assert_eq!(vault.log_size(), 3);
    assert_intact(&vault);
}

#[test]
fn end_of_service_starts_the_end_of_construction_records() {
    let vault = Vault::new();
    let out = vault.register_class(
        "record.pdf",
        &pdf(1),
        "individual",
        "construction-record",
        &["--object", OBJECT],
    );
    ok(&out);
    let registered = json(&out);
    assert!(registered["retainUntil"].is_null());
    let id = registered["id"].as_str().unwrap().to_owned();
    let far = "2090-01-01T00:00:00Z";
    assert_error(
        &vault.qoima(&["doc", "delete", &id, "--at", far]),
        3,
        &["retained until the facility's end-of-service event"],
    );
    let text = stdout(&vault.qoima(&["doc", "show", &id]));
    assert!(
        text.contains("retain until:        the facility's end-of-service event"),
        "{text}"
    );

    let record = |object: &str, date: &str| {
        vault.qoima(&[
            "facility",
            "end-of-service",
            object,
            "--date",
            date,
            "--reason",
            "act of decommissioning 5",
            "--by",
            "Inspector",
        ])
    };
    assert_error(&record("12345", "2026-11-30"), 64, &["object", "18 digits"]);
    assert_error(&record(OBJECT, "30.11.2026"), 64, &["--date"]);
    // Not before it happened.
    assert_error(
        &record(OBJECT, "2099-01-31"),
        64,
        &["2099-01-31 is after today"],
    );
    let out = record(OBJECT, "2026-11-30");
    ok(&out);
    // Its facility's service ended, but a record registered under order 670 is kept at least
    // 3 years from its registration (670 §23): until 2029-06-16.
    assert_eq!(
        stdout(&out),
        format!(
            "object {OBJECT}: end of service 2026-11-30 recorded\n{id}  construction-record  \
             retained until 2029-06-16\n"
        )
    );
    assert_error(&record(OBJECT, "2026-11-29"), 1, &["recorded already"]);
    let shown = show(&vault, &id);
    assert_eq!(shown["endOfService"], "2026-11-30");
    assert_eq!(shown["retainUntil"], "2029-06-16");

    // The last retained day is 2029-06-16 in Astana; disposable from 2029-06-17 there.
    assert_error(
        &vault.qoima(&["doc", "delete", &id, "--at", "2029-06-16T18:59:59Z"]),
        3,
        &["retained until 2029-06-16"],
    );
    let act = vault.disposal_act(&id, "facility decommissioned");
    let at = "2029-06-16T19:00:00Z";
    let out = vault.qoima_at(
        at,
        &[
            "doc",
            "delete",
            &id,
            "--at",
            at,
            "--reason",
            "facility decommissioned",
            "--act",
            &act,
            "--by",
            "Records office",
            "--json",
        ],
    );
    ok(&out);
    assert_eq!(json(&out)["tombstones"][0]["retainedUntil"], "2029-06-16");
    assert_eq!(show(&vault, &id)["disposed"], true);
    assert_intact(&vault);
}

#[test]
fn audit_verify_reports_entries_whose_time_goes_backwards() {
    let vault = Vault::new();
    // Registered by a vault whose clock was ahead; the hold placed afterwards, with the clock
    // put right, is dated earlier.
    let ahead = "2027-01-04T05:00:00Z";
    let (file, sig) = vault.signed("a.pdf", &pdf(1), "individual");
    let out = vault.qoima_at(
        ahead,
        &[
            "doc",
            "register",
            "--content",
            &file,
            "--sig",
            &sig,
            "--class",
            "project-documentation",
            "--expect-iin",
            INDIVIDUAL_IIN,
            "--at",
            ahead,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = json(&out)["id"].as_str().unwrap().to_owned();
    let out = vault.qoima(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = vault.qoima(&["hold", "place", &id, "--reason", "order", "--by", "A"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_error(
        &vault.qoima(&["audit", "verify"]),
        1,
        &["audit entry 1", "audit entry 0", ahead, "earlier"],
    );
}
