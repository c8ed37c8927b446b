//! The HTTP API end to end: the real `qoima serve` on a loopback port, hyper's client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use base64::Engine as _;
use common::{Server, Vault, b64, json, key, pdf, pki, stderr};
use serde_json::Value;

/// The size of a checkpoint note (its second line).
fn checkpoint_size(note: &str) -> u64 {
    note.lines().nth(1).unwrap().parse().unwrap()
}

#[test]
fn verify_returns_the_report() {
    let vault = Vault::new();
    let reader = key(&vault, "reader");
    let server = Server::start(&vault);
    let cms = std::fs::read(pki("cms/individual.detached.p7s")).unwrap();
    let doc = std::fs::read(pki("doc-4k.txt")).unwrap();
    let body = serde_json::json!({
        "signature": b64(&cms),
        "content": b64(&doc),
        "at": "2026-06-15T12:00:00Z",
    });
    let (status, text) =
        server.request(&reader, "POST", "/v1/verify", body.to_string().into_bytes());
    assert_eq!(status, 200, "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["indication"], "TOTAL_PASSED");
    assert_eq!(report["signers"][0]["identity"]["iin"], "850315300128");

    // By digest, with a wrong owner.
    let digest = hex::encode(qoima_vault::ContentAddress::of(&doc).as_bytes());
    let body = serde_json::json!({
        "signature": b64(&cms), "sha256": digest, "at": "2026-06-15T12:00:00Z",
        "expectIin": "920202500111",
    });
    let (status, text) =
        server.request(&reader, "POST", "/v1/verify", body.to_string().into_bytes());
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["subIndication"],
        "NOT_OWNER"
    );

    // Bad input: malformed JSON, unknown field, bad base64, content and digest, wrong method.
    for (body, status) in [
        (b"{not json".to_vec(), 400),
        (br#"{"signature":"AA==","colour":1}"#.to_vec(), 400),
        (br#"{"signature":"***"}"#.to_vec(), 422),
        (
            format!(r#"{{"signature":"AA==","content":"AA==","sha256":"{digest}"}}"#).into_bytes(),
            422,
        ),
    ] {
        let (got, text) = server.request(&reader, "POST", "/v1/verify", body);
        assert_eq!(got, status, "{text}");
        assert!(text.contains("\"detail\""), "{text}");
    }
    assert_eq!(
        server.request(&reader, "GET", "/v1/verify", Vec::new()).0,
        405
    );
}

#[test]
fn documents_and_checkpoints() {
    let vault = Vault::new();
    let registered = vault.register("a.pdf", &pdf(1), "individual", &[]);
    assert_eq!(registered.status.code(), Some(0), "{}", stderr(&registered));
    let id = json(&registered)["id"].as_str().unwrap().to_owned();
    let reader = key(&vault, "reader");
    let auditor = key(&vault, "auditor");
    let server = Server::start(&vault);

    let (status, text) = server.request(&reader, "GET", &format!("/v1/documents/{id}"), Vec::new());
    assert_eq!(status, 200, "{text}");
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["id"], id.as_str());

    // Re-verified now, with the registration (2026-06-15) as the signatures' proof of
    // existence.
    let path = format!("/v1/documents/{id}/verify");
    let (status, text) = server.request(&reader, "POST", &path, Vec::new());
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["version"], 1);
    let signer = &answer["reports"][0]["signers"][0];
    assert_eq!(signer["proofOfExistence"]["source"], "caller", "{text}");
    assert_eq!(
        signer["proofOfExistence"]["time"], "2026-06-15T12:00:00Z",
        "{text}"
    );
    assert_eq!(server.request("", "POST", &path, Vec::new()).0, 401);
    assert_eq!(
        document["current"]["registrationNumber"],
        "default-2026-000001"
    );

    for path in [
        "/v1/documents/0123456789abcdef0123456789abcdef".to_owned(),
        "/v1/documents/..%2F..%2Fetc%2Fpasswd".to_owned(),
        format!("/v1/documents/{}", id.to_uppercase()),
    ] {
        let (status, text) = server.request(&reader, "GET", &path, Vec::new());
        assert_eq!(status, 404, "{path}: {text}");
    }

    // Checkpoints are for auditors; an auditor's read is in the log before it is served.
    assert_eq!(
        server
            .request(&reader, "GET", "/v1/audit/checkpoint", Vec::new())
            .0,
        403
    );
    let size = |note: &str| note.lines().nth(1).unwrap().parse::<u64>().unwrap();
    let (status, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(status, 200, "{note}");
    assert!(note.lines().next().unwrap().starts_with("qoima/"), "{note}");
    // The registration and the creation of each key.
    let before = size(&note);
    assert!(before > 1, "{note}");
    assert!(note.contains("\n\n— qoima/"), "{note}");
    let (status, _) = server.request(&auditor, "GET", &format!("/v1/documents/{id}"), Vec::new());
    assert_eq!(status, 200);
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(size(&note), before + 1, "the auditor's read is logged");
    // A reader's read is not an audit event.
    server.request(&reader, "GET", &format!("/v1/documents/{id}"), Vec::new());
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(size(&note), before + 1);

    // No key, an unknown key, a malformed header: 401.
    for key in ["", "qk_0000000000000000_00", "not a key"] {
        let (status, text) = server.request(key, "GET", &format!("/v1/documents/{id}"), Vec::new());
        assert_eq!(status, 401, "{key:?}: {text}");
    }
    // /healthz needs none; an unknown route is 404 with or without a key.
    assert_eq!(server.request("", "GET", "/healthz", Vec::new()).0, 200);
    assert_eq!(server.request("", "GET", "/v1/nothing", Vec::new()).0, 404);
}

#[test]
fn versions_as_the_command_line_gives_them() {
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    let cli = vault.qoima(&["doc", "versions", &id, "--json"]);
    assert_eq!(cli.status.code(), Some(0), "{}", stderr(&cli));
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let admin = key(&vault, "admin");
    let server = Server::start(&vault);

    let path = format!("/v1/documents/{id}/versions");
    let versions = server.get_json(&reader, &path);
    assert_eq!(versions, json(&cli));
    assert_eq!(versions["versions"][0]["version"], 1);
    for key in [&writer, &admin] {
        assert_eq!(server.get_json(key, &path), versions);
    }

    // An auditor's read is logged first.
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    let before = checkpoint_size(&note);
    assert_eq!(server.get_json(&auditor, &path), versions);
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(checkpoint_size(&note), before + 1);

    // Unknown or malformed ids, no key, wrong method.
    for path in [
        "/v1/documents/0123456789abcdef0123456789abcdef/versions".to_owned(),
        "/v1/documents/..%2F..%2Fetc/versions".to_owned(),
        format!("/v1/documents/{}/versions", id.to_uppercase()),
    ] {
        let (status, text) = server.request(&reader, "GET", &path, Vec::new());
        assert_eq!(status, 404, "{path}: {text}");
        assert!(text.contains("\"detail\""), "{text}");
    }
    assert_eq!(server.request("", "GET", &path, Vec::new()).0, 401);
    assert_eq!(server.request(&reader, "PUT", &path, Vec::new()).0, 405);
}

#[test]
fn content_with_etag_and_ranges() {
    let vault = Vault::new();
    let content = pdf(7);
    let registered = vault.register("c.pdf", &content, "individual", &[]);
    assert_eq!(registered.status.code(), Some(0), "{}", stderr(&registered));
    let registered = json(&registered);
    let id = registered["id"].as_str().unwrap().to_owned();
    let address = hex::encode(qoima_vault::ContentAddress::of(&content).as_bytes());
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let server = Server::start(&vault);
    let path = format!("/v1/documents/{id}/content");
    let length = content.len() as u64;

    for key in [&reader, &writer] {
        let (status, headers, body) = server.send(key, "GET", &path, &[], Vec::new());
        assert_eq!(status, 200);
        assert_eq!(body, content);
        assert_eq!(headers["etag"], format!("\"{address}\"").as_str());
        assert_eq!(headers["content-type"], "application/octet-stream");
        assert_eq!(headers["accept-ranges"], "bytes");
        assert!(headers.get("content-range").is_none());
    }

    // Ranges: A-B, A-, -N, B beyond the end (clamped), another unit (ignored).
    for (range, start, end) in [
        ("bytes=0-9", 0, 10),
        ("bytes=10-", 10, length),
        ("bytes=-5", length - 5, length),
        (&*format!("bytes=3-{}", length + 100), 3, length),
        (
            &*format!("bytes={}-{}", length - 1, length - 1),
            length - 1,
            length,
        ),
    ] {
        let (status, headers, body) =
            server.send(&reader, "GET", &path, &[("range", range)], Vec::new());
        assert_eq!(status, 206, "{range}");
        assert_eq!(body, &content[start as usize..end as usize], "{range}");
        assert_eq!(
            headers["content-range"],
            format!("bytes {start}-{}/{length}", end - 1).as_str(),
            "{range}"
        );
        assert_eq!(headers["etag"], format!("\"{address}\"").as_str());
    }
    let (status, _, body) =
        server.send(&reader, "GET", &path, &[("range", "items=0-1")], Vec::new());
    assert_eq!((status, body), (200, content.clone()));

    // Unsatisfiable or malformed ranges: 416 with the length.
    for range in [
        format!("bytes={length}-"),
        format!("bytes={}-{}", length + 5, length + 10),
        "bytes=9-3".to_owned(),
        "bytes=-0".to_owned(),
        "bytes=0-1,5-6".to_owned(),
        "bytes=x-1".to_owned(),
        "bytes=-".to_owned(),
    ] {
        let (status, headers, body) =
            server.send(&reader, "GET", &path, &[("range", &range)], Vec::new());
        assert_eq!(status, 416, "{range}");
        assert_eq!(
            headers["content-range"],
            format!("bytes */{length}").as_str()
        );
        assert!(String::from_utf8(body).unwrap().contains("\"detail\""));
    }

    // An auditor's read is logged before it is served; a reader's is not.
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    let before = checkpoint_size(&note);
    let (status, _, body) = server.send(&auditor, "GET", &path, &[], Vec::new());
    assert_eq!((status, body), (200, content.clone()));
    server.send(&reader, "GET", &path, &[], Vec::new());
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(checkpoint_size(&note), before + 1);

    // Unknown or malformed ids, no key, wrong method.
    for path in [
        "/v1/documents/0123456789abcdef0123456789abcdef/content".to_owned(),
        "/v1/documents/..%2F..%2Fetc%2Fpasswd/content".to_owned(),
        format!("/v1/documents/{}/content", id.to_uppercase()),
    ] {
        assert_eq!(
            server.request(&reader, "GET", &path, Vec::new()).0,
            404,
            "{path}"
        );
    }
    assert_eq!(server.request("", "GET", &path, Vec::new()).0, 401);
    assert_eq!(server.request(&writer, "PUT", &path, Vec::new()).0, 405);
}

/// The root of a checkpoint note (its third line, base64).
fn checkpoint_root(note: &str) -> qoima_vault::audit::Hash {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(note.lines().nth(2).unwrap())
        .unwrap();
    qoima_vault::audit::Hash::from_slice(&bytes).unwrap()
}

fn hashes(value: &Value) -> Vec<qoima_vault::audit::Hash> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn audit_proofs_verify_against_checkpoints() {
    use qoima_vault::audit::{hash_leaf, verify_consistency, verify_inclusion};
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    vault.register_ok(2, &[]);
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let admin = key(&vault, "admin");
    let auditor = key(&vault, "auditor");
    let server = Server::start(&vault);

    let (status, old_note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    assert_eq!(status, 200, "{old_note}");
    // Two registrations and four keys created.
    let old_size = checkpoint_size(&old_note);
    assert_eq!(old_size, 6);
    // Auditor reads grow the log.
    for _ in 0..3 {
        server.get_json(&auditor, &format!("/v1/documents/{id}"));
    }
    let (_, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
    let size = checkpoint_size(&note);
    assert_eq!(size, 9);
    let root = checkpoint_root(&note);

    // Every entry is in the checkpoint's tree.
    for entry in 0..size {
        let proof = server.get_json(
            &auditor,
            &format!("/v1/audit/proofs/inclusion?entry={entry}&size={size}"),
        );
        assert_eq!(proof["entry"], entry);
        assert_eq!(proof["size"], size);
        assert_eq!(proof["root"], root.to_string());
        let leaf = base64::engine::general_purpose::STANDARD
            .decode(proof["leaf"].as_str().unwrap())
            .unwrap();
        let leaf = hash_leaf(&leaf);
        assert_eq!(proof["leafHash"], leaf.to_string());
        verify_inclusion(&leaf, entry, size, &hashes(&proof["proof"]), &root).unwrap();
        // A proof for another leaf does not verify.
        if entry > 0 {
            let other = hash_leaf(b"not an entry");
            assert!(
                verify_inclusion(&other, entry, size, &hashes(&proof["proof"]), &root).is_err()
            );
        }
    }
    // The old checkpoint's tree is a prefix of the new one's.
    let proof = server.get_json(
        &auditor,
        &format!("/v1/audit/proofs/consistency?from={old_size}&to={size}"),
    );
    assert_eq!(proof["fromRoot"], checkpoint_root(&old_note).to_string());
    assert_eq!(proof["toRoot"], root.to_string());
    verify_consistency(
        old_size,
        size,
        &checkpoint_root(&old_note),
        &root,
        &hashes(&proof["proof"]),
    )
    .unwrap();
    let same = server.get_json(
        &auditor,
        &format!("/v1/audit/proofs/consistency?to={size}&from={size}"),
    );
    assert_eq!(same["proof"], serde_json::json!([]));

    // Proofs are for auditors.
    for key in [&reader, &writer, &admin] {
        let (status, text) = server.request(
            key,
            "GET",
            "/v1/audit/proofs/inclusion?entry=0&size=1",
            Vec::new(),
        );
        assert_eq!(status, 403, "{text}");
        let (status, _) = server.request(
            key,
            "GET",
            "/v1/audit/proofs/consistency?from=1&to=2",
            Vec::new(),
        );
        assert_eq!(status, 403);
    }
    assert_eq!(
        server
            .request(
                "",
                "GET",
                "/v1/audit/proofs/inclusion?entry=0&size=1",
                Vec::new()
            )
            .0,
        401
    );

    // Bad or missing parameters: 400; beyond the log: 422.
    for (query, status) in [
        ("inclusion", 400),
        ("inclusion?entry=0", 400),
        ("inclusion?size=1", 400),
        ("inclusion?entry=x&size=1", 400),
        ("inclusion?entry=-1&size=1", 400),
        ("inclusion?entry=0&size=1&colour=red", 400),
        ("inclusion?entry=0&entry=1&size=2", 400),
        ("inclusion?entry=0&size=99999999999999999999999", 400),
        ("inclusion?entry=0&size=10", 422),
        ("inclusion?entry=9&size=9", 422),
        ("inclusion?entry=0&size=0", 422),
        ("consistency", 400),
        ("consistency?from=1", 400),
        ("consistency?from=1&to=two", 400),
        ("consistency?from=1&to=10", 422),
        ("consistency?from=3&to=2", 422),
        ("consistency?from=0&to=2", 422),
    ] {
        let (got, text) = server.request(
            &auditor,
            "GET",
            &format!("/v1/audit/proofs/{query}"),
            Vec::new(),
        );
        assert_eq!(got, status, "{query}: {text}");
        assert!(text.contains("\"detail\""), "{text}");
    }
    assert_eq!(
        server
            .request(
                &auditor,
                "POST",
                "/v1/audit/proofs/inclusion?entry=0&size=1",
                Vec::new()
            )
            .0,
        405
    );
    assert_eq!(
        server
            .request(&auditor, "GET", "/v1/audit/proofs/other", Vec::new())
            .0,
        404
    );
}

/// Registers `n` in the three-year class (retained until 2029-06-16) and returns its id.
fn register_three_years(vault: &Vault, n: u32) -> String {
    let out = vault.register_class(
        &format!("d{n}.pdf"),
        &pdf(n),
        "individual",
        "expertise-application",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)["id"].as_str().unwrap().to_owned()
}

#[test]
fn delete_is_refused_while_retained() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let vault = Vault::new();
    let held = register_three_years(&vault, 1);
    let plain = register_three_years(&vault, 2);
    let disposed = register_three_years(&vault, 3);
    for (reason, by) in [("court order 12", "Auditor A"), ("inspection", "Auditor B")] {
        let out = vault.qoima(&["hold", "place", &held, "--reason", reason, "--by", by]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let act = vault.disposal_act(&disposed, "retention ended");
    let out = vault.qoima_at(
        "2030-01-01T00:00:00Z",
        &[
            "doc",
            "delete",
            &disposed,
            "--at",
            "2030-01-01T00:00:00Z",
            "--reason",
            "retention ended",
            "--act",
            &act,
            "--by",
            "Archivist",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let admin = key(&vault, "admin");
    let server = Server::start(&vault);

    // Retained, with its holds: 409 problem+json naming both.
    let (status, headers, body) = server.send(
        &writer,
        "DELETE",
        &format!("/v1/documents/{held}"),
        &[],
        Vec::new(),
    );
    assert_eq!(status, 409);
    assert_eq!(headers["content-type"], "application/problem+json");
    let refused: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(refused["status"], 409);
    assert_eq!(refused["id"], held.as_str());
    assert_eq!(refused["deleted"], false);
    assert_eq!(refused["retained"], true);
    assert_eq!(refused["retainUntil"], "2029-06-16");
    assert_eq!(refused["holds"].as_array().unwrap().len(), 2);
    assert_eq!(refused["holds"][0]["hold"], 1);
    // A writer learns of the holds, not why or by whom they were placed.
    assert!(refused["holds"][0].get("reason").is_none(), "{refused}");
    assert!(refused["holds"][1].get("by").is_none(), "{refused}");
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("retained until 2029-06-16"), "{detail}");
    assert!(detail.contains("holds: 1, 2;"), "{detail}");
    assert!(!detail.contains("court order 12"), "{detail}");

    // Retained without holds: 409 with an empty list.
    let (status, text) = server.request(
        &writer,
        "DELETE",
        &format!("/v1/documents/{plain}"),
        Vec::new(),
    );
    assert_eq!(status, 409, "{text}");
    let refused: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(refused["retainUntil"], "2029-06-16");
    assert_eq!(refused["holds"], serde_json::json!([]));
    // Nothing was removed.
    assert_eq!(
        server.get_json(&reader, &format!("/v1/documents/{plain}"))["disposed"],
        false
    );

    // Disposed of already: 410, its content too.
    let (status, text) = server.request(
        &writer,
        "DELETE",
        &format!("/v1/documents/{disposed}"),
        Vec::new(),
    );
    assert_eq!(status, 410, "{text}");
    let (status, text) = server.request(
        &reader,
        "GET",
        &format!("/v1/documents/{disposed}/content"),
        Vec::new(),
    );
    assert_eq!(status, 410, "{text}");

    // Writers only; unknown and malformed ids.
    for key in [&reader, &auditor, &admin] {
        let (status, text) =
            server.request(key, "DELETE", &format!("/v1/documents/{plain}"), Vec::new());
        assert_eq!(status, 403, "{text}");
    }
    assert_eq!(
        server
            .request("", "DELETE", &format!("/v1/documents/{plain}"), Vec::new())
            .0,
        401
    );
    for path in [
        "/v1/documents/0123456789abcdef0123456789abcdef".to_owned(),
        "/v1/documents/..%2F..%2Fetc%2Fpasswd".to_owned(),
        format!("/v1/documents/{}", plain.to_uppercase()),
    ] {
        assert_eq!(
            server.request(&writer, "DELETE", &path, Vec::new()).0,
            404,
            "{path}"
        );
    }
}

/// Registers two documents of construction object `object`; their ids.
fn two_documents_of(vault: &Vault, object: &str) -> (String, String) {
    let id = |n| {
        vault.register_ok(n, &["--object", object])["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    (id(1), id(2))
}

#[test]
fn documents_of_an_object() {
    const OBJECT: &str = "123456789012345678";
    let vault = Vault::new();
    let (first, second) = two_documents_of(&vault, OBJECT);
    vault.register_ok(3, &["--object", "876543210987654321"]);
    vault.register_ok(4, &[]);
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let admin = key(&vault, "admin");
    let server = Server::start(&vault);

    let path = format!("/v1/objects/{OBJECT}/documents");
    for key in [&reader, &writer, &auditor, &admin] {
        let found = server.get_json(key, &path);
        assert_eq!(found["objectNumber"], OBJECT);
        let mut ids: Vec<&str> = found["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let mut expected = vec![first.as_str(), second.as_str()];
        expected.sort_unstable();
        assert_eq!(ids, expected);
    }
    // An object with no documents is an empty list.
    let none = server.get_json(&reader, "/v1/objects/000000000000000000/documents");
    assert_eq!(none["documents"], serde_json::json!([]));

    // Not 18 digits: 400.
    for object in [
        "12345678901234567",
        "1234567890123456789",
        "12345678901234567x",
        "..%2F..%2Fetc%2Fpasswd",
        "%31%32%33%34%35%36%37%38%39%30%31%32%33%34%35%36%37%38",
    ] {
        let (status, text) = server.request(
            &reader,
            "GET",
            &format!("/v1/objects/{object}/documents"),
            Vec::new(),
        );
        assert_eq!(status, 400, "{object}: {text}");
        assert!(text.contains("18 digits"), "{text}");
    }
    assert_eq!(server.request("", "GET", &path, Vec::new()).0, 401);
    assert_eq!(server.request(&writer, "POST", &path, Vec::new()).0, 405);
    assert_eq!(
        server
            .request(&reader, "GET", &format!("/v1/objects/{OBJECT}"), Vec::new())
            .0,
        404
    );
}

#[test]
fn auditors_place_and_release_holds() {
    let vault = Vault::new();
    let registered = vault.register("a.pdf", &pdf(1), "individual", &[]);
    assert_eq!(registered.status.code(), Some(0), "{}", stderr(&registered));
    let id = json(&registered)["id"].as_str().unwrap().to_owned();
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let server = Server::start(&vault);
    let path = format!("/v1/documents/{id}/holds");
    let body = |text: &str| text.as_bytes().to_vec();

    for key in [&reader, &writer] {
        let (status, _) = server.request(key, "POST", &path, body(r#"{"reason":"x"}"#));
        assert_eq!(status, 403);
    }
    let (status, text) = server.request(
        &auditor,
        "POST",
        &path,
        body(r#"{"reason":"court order 7"}"#),
    );
    assert_eq!(status, 201, "{text}");
    let hold = serde_json::from_str::<Value>(&text).unwrap()["hold"]
        .as_u64()
        .unwrap();

    // The hold shows where deletion is refused.
    let (status, text) = server.request(
        &writer,
        "DELETE",
        &format!("/v1/documents/{id}"),
        Vec::new(),
    );
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("holds: 1;"), "{text}");
    assert!(!text.contains("court order 7"), "{text}");

    for (text, status) in [
        ("{not json", 400),
        (r#"{"reason":"done"}"#, 400),
        (r#"{"reason":"","hold":1}"#, 422),
        (r#"{"reason":"done","hold":999}"#, 422),
    ] {
        let (got, answer) = server.request(&auditor, "DELETE", &path, body(text));
        assert_eq!(got, status, "{text}: {answer}");
    }
    let release = format!(r#"{{"reason":"order lifted","hold":{hold}}}"#);
    let (status, text) = server.request(&auditor, "DELETE", &path, body(&release));
    assert_eq!(status, 200, "{text}");
    let (status, _) = server.request(&auditor, "DELETE", &path, body(&release));
    assert_eq!(status, 422);
    let missing = "/v1/documents/0123456789abcdef0123456789abcdef/holds";
    let (status, _) = server.request(&auditor, "POST", missing, body(r#"{"reason":"x"}"#));
    assert_eq!(status, 404);
}

#[test]
fn admins_manage_keys() {
    let vault = Vault::new();
    let admin = key(&vault, "admin");
    let writer = key(&vault, "writer");
    let server = Server::start(&vault);
    let post = |key: &str, body: Value| {
        let (status, text) = server.request(key, "POST", "/v1/keys", body.to_string().into_bytes());
        (status, serde_json::from_str::<Value>(&text).unwrap())
    };
    assert_eq!(post(&writer, serde_json::json!({"role": "reader"})).0, 403);
    assert_eq!(server.request(&writer, "GET", "/v1/keys", vec![]).0, 403);
    for bad in [
        serde_json::json!({"role": "root"}),
        serde_json::json!({"role": "writer", "bin": "12"}),
        serde_json::json!({"role": "writer", "requireSigned": true}),
        serde_json::json!({"role": "writer", "name": ""}),
    ] {
        assert_eq!(post(&admin, bad.clone()).0, 422, "{bad}");
    }
    assert_eq!(
        post(&admin, serde_json::json!({"role": "reader", "x": 1})).0,
        400
    );

    let (status, created) = post(
        &admin,
        serde_json::json!({"role": "reader", "name": "портал", "bin": "240140001238"}),
    );
    assert_eq!(status, 201, "{created}");
    let token = created["key"].as_str().unwrap();
    let id = created["id"].as_str().unwrap();
    // The new key works at once.
    assert_eq!(server.request(token, "GET", "/metrics", vec![]).0, 200);
    let listed = server.get_json(&admin, "/v1/keys");
    let entry = listed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .unwrap();
    assert_eq!(entry["role"], "reader");
    assert_eq!(entry["name"], "портал");
    assert!(!listed.to_string().contains(token), "a secret was listed");

    let path = format!("/v1/keys/{id}");
    assert_eq!(server.request(&admin, "DELETE", &path, vec![]).0, 200);
    assert_eq!(server.request(token, "GET", "/metrics", vec![]).0, 401);
    assert_eq!(server.request(&admin, "DELETE", &path, vec![]).0, 410);
    let unknown = "/v1/keys/0123456789abcdef";
    assert_eq!(server.request(&admin, "DELETE", unknown, vec![]).0, 404);
    assert_eq!(
        server.request(&admin, "DELETE", "/v1/keys/..", vec![]).0,
        404
    );
}

#[test]
fn every_auditor_read_is_logged_before_it_is_served() {
    const OBJECT: &str = "123456789012345678";
    let vault = Vault::new();
    let (first, second) = two_documents_of(&vault, OBJECT);
    let reader = key(&vault, "reader");
    let auditor = key(&vault, "auditor");
    let admin = key(&vault, "admin");
    let server = Server::start(&vault);
    let size = |server: &Server| {
        let (status, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", Vec::new());
        assert_eq!(status, 200, "{note}");
        checkpoint_size(&note)
    };
    // The auditor-read events of a document, as an admin (whose reads are not logged) sees
    // them.
    let reads = |server: &Server, id: &str| -> Vec<String> {
        let document = server.get_json(&admin, &format!("/v1/documents/{id}"));
        document["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "auditor-read")
            .map(|e| e["what"].as_str().unwrap().to_owned())
            .collect()
    };
    let start = size(&server);

    // A reader's listing and re-verification are not audit events.
    let listing = format!("/v1/objects/{OBJECT}/documents");
    server.get_json(&reader, &listing);
    let verify = format!("/v1/documents/{first}/verify");
    assert_eq!(server.request(&reader, "POST", &verify, Vec::new()).0, 200);
    assert_eq!(size(&server), start);

    // An auditor's listing: one entry per document listed.
    let found = server.get_json(&auditor, &listing);
    assert_eq!(found["documents"].as_array().unwrap().len(), 2);
    assert_eq!(size(&server), start + 2);
    assert_eq!(reads(&server, &first), ["listing"]);
    assert_eq!(reads(&server, &second), ["listing"]);

    // An auditor's re-verification reads the document's signatures: logged.
    let (status, text) = server.request(&auditor, "POST", &verify, Vec::new());
    assert_eq!(status, 200, "{text}");
    assert_eq!(size(&server), start + 3);
    assert_eq!(reads(&server, &first), ["listing", "verify"]);
    assert_eq!(reads(&server, &second), ["listing"]);
}

#[test]
fn readers_and_writers_see_no_auditor_reads_or_hold_reasons() {
    const SECRET: &str = "investigation 42 of the financial police";
    let vault = Vault::new();
    let id = vault.register_ok(1, &[])["id"].as_str().unwrap().to_owned();
    let reader = key(&vault, "reader");
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let admin = key(&vault, "admin");
    let server = Server::start(&vault);
    let path = format!("/v1/documents/{id}");
    let body = serde_json::json!({ "reason": SECRET })
        .to_string()
        .into_bytes();
    let (status, text) = server.request(&auditor, "POST", &format!("{path}/holds"), body);
    assert_eq!(status, 201, "{text}");
    // The auditor reads it (logged), then sees the hold's reason and its own read.
    let seen = server.get_json(&auditor, &path);
    assert_eq!(seen["holds"][0]["reason"], SECRET, "{seen}");
    assert!(
        seen["holds"][0]["by"]
            .as_str()
            .unwrap()
            .starts_with("api key ")
    );
    let kinds = |document: &Value| -> Vec<String> {
        document["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(kinds(&seen), ["hold-placed", "auditor-read"]);
    assert_eq!(seen["events"][0]["reason"], SECRET);
    // An admin sees everything too, as the command line does.
    let full = server.get_json(&admin, &path);
    assert_eq!(kinds(&full), ["hold-placed", "auditor-read"]);
    assert_eq!(full["holds"][0]["reason"], SECRET);
    let cli_view = {
        drop(server);
        let out = vault.qoima(&["doc", "show", &id, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)
    };
    assert_eq!(kinds(&cli_view), ["hold-placed", "auditor-read"]);
    assert_eq!(cli_view["holds"][0]["reason"], SECRET);
    let server = Server::start(&vault);

    // Readers and writers: the hold, its number and date, but no reason, no placer, and no
    // auditor's reads.
    for key in [&reader, &writer] {
        let (status, text) = server.request(key, "GET", &path, Vec::new());
        assert_eq!(status, 200, "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("api key"), "{text}");
        assert!(!text.contains("auditor-read"), "{text}");
        let document: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(kinds(&document), ["hold-placed"]);
        let hold = &document["holds"][0];
        assert_eq!(hold["hold"], 1, "{text}");
        assert_eq!(hold["at"], full["holds"][0]["at"], "{text}");
        assert!(
            hold.get("reason").is_none() && hold.get("by").is_none(),
            "{text}"
        );
        assert_eq!(document["events"][0]["at"], full["events"][0]["at"]);
    }

    // The refusal of a disposal of the held document tells a writer of the hold, not why.
    let (status, text) = server.request(&writer, "DELETE", &path, Vec::new());
    assert_eq!(status, 409, "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("api key"), "{text}");
    let refusal: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(refusal["holds"][0]["hold"], 1, "{text}");
    assert!(refusal["holds"][0].get("reason").is_none(), "{text}");
    // The command line, an operator on the machine, still prints why.
    drop(server);
    let out = vault.qoima(&["doc", "delete", &id]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(SECRET), "{}", stderr(&out));
}
