//! Registration over HTTP end to end: tus uploads (hand-made requests; the real tus clients
//! are in `tus.rs`) become documents with `POST /v1/documents`, new versions with their
//! signed annulment act, and disposal by the server's clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

mod common;

use common::{INDIVIDUAL_IIN, Server, Vault, b64, json, key, pdf, pki, stderr};
use qoima_verifier::testing::sign_detached;
use serde_json::{Value, json};

/// A detached CMS over `content` by `signer` (a name in the PKI's `certs/` and `keys/`).
fn sign(content: &[u8], signer: &str) -> Vec<u8> {
    let certificate = std::fs::read(pki(&format!("certs/{signer}.cer"))).unwrap();
    let key = std::fs::read_to_string(pki(&format!("keys/{signer}.key.pem"))).unwrap();
    sign_detached(&certificate, &key, content)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(qoima_vault::ContentAddress::of(bytes).as_bytes())
}

/// A PDF of about `size` bytes, distinct per `n`.
fn big_pdf(n: u32, size: usize) -> Vec<u8> {
    let mut bytes = pdf(n);
    let mut x = n.wrapping_mul(2_654_435_761) | 1;
    while bytes.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push(x as u8);
    }
    bytes
}

const TUS: (&str, &str) = ("tus-resumable", "1.0.0");
const OCTETS: (&str, &str) = ("content-type", "application/offset+octet-stream");

/// Creates an upload of `content` (its SHA-256 declared) and returns its path.
fn create_upload(server: &Server, key: &str, content: &[u8]) -> String {
    let metadata = format!(
        "sha256 {},filename {}",
        b64(sha256_hex(content).as_bytes()),
        b64("план.pdf".as_bytes())
    );
    let length = content.len().to_string();
    let (status, headers, body) = server.send(
        key,
        "POST",
        "/v1/uploads",
        &[
            TUS,
            ("upload-length", &length),
            ("upload-metadata", &metadata),
        ],
        Vec::new(),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    headers["location"].to_str().unwrap().to_owned()
}

/// PATCHes `bytes` at `offset`; the status and the new `Upload-Offset`.
fn patch(server: &Server, key: &str, upload: &str, offset: usize, bytes: &[u8]) -> (u16, String) {
    let offset = offset.to_string();
    let checksum = format!(
        "sha256 {}",
        b64(qoima_vault::ContentAddress::of(bytes).as_bytes())
    );
    let (status, headers, body) = server.send(
        key,
        "PATCH",
        upload,
        &[
            TUS,
            OCTETS,
            ("upload-offset", &offset),
            ("upload-checksum", &checksum),
        ],
        bytes.to_vec(),
    );
    let offset = headers
        .get("upload-offset")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
    (status, offset)
}

/// Uploads `content` in two PATCHes; returns the upload id.
fn upload(server: &Server, key: &str, content: &[u8]) -> String {
    let location = create_upload(server, key, content);
    let half = content.len() / 2;
    assert_eq!(
        patch(server, key, &location, 0, &content[..half]),
        (204, half.to_string())
    );
    assert_eq!(
        patch(server, key, &location, half, &content[half..]),
        (204, content.len().to_string())
    );
    location.rsplit('/').next().unwrap().to_owned()
}

fn post_json(server: &Server, key: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, text) = server.request(key, "POST", path, body.to_string().into_bytes());
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, value)
}

#[test]
fn an_upload_becomes_a_document() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let other = key(&vault, "writer");
    let server = Server::start(&vault);
    let content = big_pdf(1, 3 << 20);
    let id = upload(&server, &writer, &content);

    // Another writer's upload does not exist for it.
    let body = json!({
        "upload": id,
        "signatures": [b64(&sign(&content, "individual"))],
        "class": "project-documentation",
        "participant": "ТОО Тест",
        "objectNumber": "123456789012345678",
        "expectIin": "850315300128",
        "filename": "раздел АР.pdf",
        "mediaType": "application/pdf",
    });
    let (status, problem) = post_json(&server, &other, "/v1/documents", &body);
    assert_eq!(status, 404, "{problem}");

    let (status, registered) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["registered"], true);
    assert_eq!(registered["version"], 1);
    assert_eq!(registered["address"], sha256_hex(&content));
    assert_eq!(registered["filename"], "раздел АР.pdf");
    assert_eq!(registered["mediaType"], "application/pdf");
    assert_eq!(registered["objectNumber"], "123456789012345678");
    assert_eq!(registered["reports"][0]["indication"], "TOTAL_PASSED");
    assert!(
        registered["registrationNumber"]
            .as_str()
            .unwrap()
            .contains("ТОО Тест")
    );
    assert!(registered["retainUntil"].as_str().is_some());
    let doc = registered["id"].as_str().unwrap();

    // The registration is the server's: now, not a time the client chose.
    let at: jiff::Timestamp = registered["registeredAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((jiff::Timestamp::now() - at).get_seconds().abs() < 60);

    // The bytes come back whole, and by range.
    let (status, headers, bytes) = server.send(
        &writer,
        "GET",
        &format!("/v1/documents/{doc}/content"),
        &[],
        vec![],
    );
    assert_eq!(status, 200);
    assert!(bytes == content, "content differs");
    assert_eq!(
        headers["etag"].to_str().unwrap(),
        format!("\"{}\"", sha256_hex(&content))
    );
    let (status, _, bytes) = server.send(
        &writer,
        "GET",
        &format!("/v1/documents/{doc}/content"),
        &[("range", "bytes=2000000-2000999")],
        vec![],
    );
    assert_eq!(status, 206);
    assert!(bytes == content[2_000_000..2_001_000]);
    let etag = format!("\"{}\"", sha256_hex(&content));
    let (status, headers, bytes) = server.send(
        &writer,
        "GET",
        &format!("/v1/documents/{doc}/content"),
        &[("if-none-match", &etag)],
        vec![],
    );
    assert_eq!((status, bytes.len()), (304, 0));
    assert_eq!(headers["etag"].to_str().unwrap(), etag);
    // A range of other content (If-Range of another tag) is the whole content.
    let (status, _, bytes) = server.send(
        &writer,
        "GET",
        &format!("/v1/documents/{doc}/content"),
        &[("range", "bytes=0-9"), ("if-range", "\"other\"")],
        vec![],
    );
    assert_eq!((status, bytes.len()), (200, content.len()));

    // Re-verification now, or at a given time (nothing stored changes).
    let verify = |query: &str| {
        let path = format!("/v1/documents/{doc}/verify{query}");
        let (status, text) = server.request(&writer, "POST", &path, vec![]);
        (status, serde_json::from_str::<Value>(&text).unwrap())
    };
    let (status, now) = verify("");
    assert_eq!(status, 200, "{now}");
    assert_eq!(now["passed"], true);
    let (status, later) = verify("?at=2027-03-01T00%3A00%3A00Z");
    assert_eq!(status, 200, "{later}");
    assert_eq!(
        later["reports"][0]["validationTime"],
        "2027-03-01T00:00:00Z"
    );
    for bad in [
        "?at=tomorrow",
        "?when=2027-03-01T00:00:00Z",
        "?at=2027-03-01T00:00:00Z&at=x",
    ] {
        assert_eq!(verify(bad).0, 400, "{bad}");
    }

    // The upload was used up: it is gone, and cannot register a second document.
    let (status, _, _) = server.send(
        &writer,
        "HEAD",
        &format!("/v1/uploads/{id}"),
        &[TUS],
        vec![],
    );
    assert_eq!(status, 404);
    let (status, problem) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 404, "{problem}");

    // Stored content registers by its SHA-256 too.
    let body = json!({
        "sha256": sha256_hex(&content),
        "signatures": [b64(&sign(&content, "head"))],
        "class": "expertise-application",
        "participant": "ТОО Тест",
        "expectIin": "791122405066",
    });
    let (status, second) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], registered["id"]);
    let found = server.get_json(&writer, "/v1/objects/123456789012345678/documents");
    assert_eq!(found["documents"], json!([doc]));
}

#[test]
fn refused_registrations_store_nothing() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let auditor = key(&vault, "auditor");
    let server = Server::start(&vault);
    let checkpoint = |server: &Server| {
        let (status, note) = server.request(&auditor, "GET", "/v1/audit/checkpoint", vec![]);
        assert_eq!(status, 200);
        note.lines().nth(1).unwrap().to_owned()
    };
    let size = checkpoint(&server);
    let content = big_pdf(2, 100_000);
    let id = upload(&server, &writer, &content);
    let signature = b64(&sign(&content, "individual"));
    let base = json!({
        "upload": id,
        "signatures": [signature],
        "class": "project-documentation",
        "participant": "ТОО Тест",
        "expectIin": INDIVIDUAL_IIN,
    });
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = base.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        // A revoked signer: the reports say why.
        (
            with("signatures", json!([b64(&sign(&content, "revoked"))])),
            422,
            "REVOKED",
        ),
        // A signature over other bytes.
        (
            with("signatures", json!([b64(&sign(b"other", "individual"))])),
            422,
            "HASH_FAILURE",
        ),
        (with("signatures", json!([])), 422, "at least one signature"),
        (
            with("signatures", json!(["not base64!"])),
            422,
            "signatures[0] is not base64",
        ),
        (with("class", json!("forever")), 422, "class"),
        (with("participant", json!("")), 422, "participant"),
        (with("objectNumber", json!("12345")), 422, "18 digits"),
        (with("expectIin", json!("12")), 422, "IIN"),
        (
            with("filename", json!("../../etc/passwd")),
            422,
            "file name",
        ),
        (with("mediaType", json!("pdf")), 422, "media type"),
        (
            with("sha256", json!(sha256_hex(b"x"))),
            422,
            "exactly one of",
        ),
        (without("upload"), 422, "exactly one of"),
        (
            with("upload", json!("0123456789abcdef0123456789abcdef")),
            404,
            "no upload",
        ),
        (with("upload", json!("../../x")), 404, "no upload"),
        (with("unknown", json!(1)), 400, "unknown field"),
        (without("class"), 400, "class"),
    ];
    for (body, status, needle) in cases {
        let (got, problem) = post_json(&server, &writer, "/v1/documents", &body);
        assert_eq!(got, status, "{body}: {problem}");
        assert!(
            problem.to_string().contains(needle),
            "{body}: {needle:?} not in {problem}"
        );
    }
    let (status, text) = server.request(&writer, "POST", "/v1/documents", b"{not json".to_vec());
    assert_eq!(status, 400, "{text}");
    // Content that is not stored, by its SHA-256.
    let body = json!({
        "sha256": sha256_hex(b"never stored"), "signatures": [signature],
        "class": "project-documentation", "participant": "ТОО Тест",
        "expectIin": INDIVIDUAL_IIN,
    });
    let (status, problem) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 404, "{problem}");
    // An unfinished upload.
    let partial = create_upload(&server, &writer, &content);
    assert_eq!(patch(&server, &writer, &partial, 0, &content[..10]).0, 204);
    let body = with("upload", json!(partial.rsplit('/').next().unwrap()));
    let (status, problem) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("10 of its 100")
    );

    // Nothing was registered, and the upload still registers.
    assert_eq!(checkpoint(&server), size);
    let (status, registered) = post_json(&server, &writer, "/v1/documents", &base);
    assert_eq!(status, 201, "{registered}");
}

#[test]
fn new_versions_need_a_signed_annulment() {
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = Server::start(&vault);
    let first = big_pdf(3, 50_000);
    let body = json!({
        "upload": upload(&server, &writer, &first),
        "signatures": [b64(&sign(&first, "individual"))],
        "class": "project-documentation",
        "participant": "ТОО Тест",
        "expectIin": "850315300128",
    });
    let (status, registered) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 201, "{registered}");
    let doc = registered["id"].as_str().unwrap();

    let reason = "изменение по замечаниям экспертизы";
    let second = big_pdf(4, 60_000);
    let query: String = reason.bytes().map(|b| format!("%{b:02X}")).collect();
    let replacement = sha256_hex(&second);
    let (status, statement) = server.request(
        &writer,
        "GET",
        &format!("/v1/documents/{doc}/statement?reason={query}&replacement={replacement}"),
        vec![],
    );
    assert_eq!(status, 200, "{statement}");
    assert!(statement.starts_with("qoima-annulment-v2\n"), "{statement}");
    assert!(statement.contains(&format!("reason: {reason}\n")));
    assert!(statement.contains(&format!("replacement: {replacement}\n")));
    for missing in [
        format!("/v1/documents/{doc}/statement"),
        format!("/v1/documents/{doc}/statement?reason={query}"),
    ] {
        let (status, _) = server.request(&writer, "GET", &missing, vec![]);
        assert_eq!(status, 400);
    }

    let version = |act_signer: &str| {
        json!({
            "upload": upload(&server, &writer, &second),
            "signatures": [b64(&sign(&second, "individual"))],
            "expectIin": INDIVIDUAL_IIN,
            "annulment": b64(&sign(statement.as_bytes(), act_signer)),
            "reason": reason,
        })
    };
    let path = format!("/v1/documents/{doc}/versions");
    // Annulled by someone else than the sender: refused, version 1 stays.
    let (status, problem) = post_json(&server, &writer, &path, &version("head"));
    assert_eq!(status, 422, "{problem}");
    let verdict = problem["annulment"]["verdict"].as_str().unwrap();
    assert!(verdict.contains("NOT_OWNER"), "{problem}");
    // A class cannot be changed by a new version.
    let mut changed = version("individual");
    changed["class"] = json!("expertise-application");
    let (status, _) = post_json(&server, &writer, &path, &changed);
    assert_eq!(status, 400);

    let (status, registered) = post_json(&server, &writer, &path, &version("individual"));
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["version"], 2);
    assert_eq!(registered["annulment"]["version"], 1);
    let versions = server.get_json(&writer, &path);
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
    assert_eq!(versions["versions"][0]["annulledBy"], 2);
    let (status, _, bytes) = server.send(
        &writer,
        "GET",
        &format!("/v1/documents/{doc}/content"),
        &[],
        vec![],
    );
    assert_eq!(status, 200);
    assert!(bytes == second);

    // Unknown documents.
    let (status, _) = post_json(
        &server,
        &writer,
        "/v1/documents/0123456789abcdef0123456789abcdef/versions",
        &version("individual"),
    );
    assert_eq!(status, 404);
}

#[test]
fn disposal_follows_the_servers_clock() {
    if common::backend::rocksdb_only(common::backend::FAKED_CLOCK) {
        return;
    }
    let vault = Vault::new();
    let object = "100000000000000001";
    // A construction record whose facility ended service in the past (so its retention,
    // until the end of service, has passed by now), and a project document still retained.
    let out = vault.register_class(
        "record.pdf",
        &pdf(5),
        "individual",
        "construction-record",
        &["--object", object],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let record = json(&out)["id"].as_str().unwrap().to_owned();
    let retained = vault.register_ok(6, &[])["id"].as_str().unwrap().to_owned();
    let out = vault.qoima(&[
        "facility",
        "end-of-service",
        object,
        "--date",
        "2026-07-01",
        "--reason",
        "акт ввода в эксплуатацию отменён; снос",
        "--by",
        "оператор",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let writer = key(&vault, "writer");
    let reader = key(&vault, "reader");
    let path = format!("/v1/documents/{record}");
    {
        // Today the record is kept for the floor of order 670 (3 years from its registration),
        // however early its facility's service ended.
        let server = Server::start(&vault);
        let (status, text) = server.request(&writer, "DELETE", &path, vec![]);
        assert_eq!(status, 409, "{text}");
        assert!(text.contains("2029-06-16"), "{text}");
    }
    // In 2030, by the server's clock.
    let server = Server::start_at(&vault, "2030-01-01T00:00:00Z");
    let (status, text) = server.request(
        &writer,
        "DELETE",
        &format!("/v1/documents/{retained}"),
        vec![],
    );
    assert_eq!(status, 409, "{text}");
    let refusal: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(refusal["deleted"], false);
    assert_eq!(refusal["retained"], true);

    let (status, _) = server.request(&reader, "DELETE", &path, vec![]);
    assert_eq!(status, 403);
    // Disposal needs a reason and the act of a disposal officer over the statement.
    let (status, text) = server.request(&writer, "DELETE", &path, vec![]);
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("reason") && text.contains("act"), "{text}");
    let reason = "срок хранения истёк";
    let query: String = reason.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, statement) = server.request(
        &writer,
        "GET",
        &format!("{path}/disposal-statement?reason={query}"),
        vec![],
    );
    assert_eq!(status, 200, "{statement}");
    assert!(statement.starts_with("qoima-disposal-v1\n"), "{statement}");
    assert!(
        statement.contains(&format!("document: {record}\n")),
        "{statement}"
    );
    let delete = |act: &[u8]| {
        json!({ "reason": reason, "act": b64(act) })
            .to_string()
            .into_bytes()
    };
    // Signed by someone who is not a disposal officer: refused, nothing removed.
    let (status, text) = server.request(
        &writer,
        "DELETE",
        &path,
        delete(&sign(statement.as_bytes(), "individual")),
    );
    assert_eq!(status, 422, "{text}");
    let officer = sign_detached(
        &std::fs::read(pki("officer/officer.cer")).unwrap(),
        &std::fs::read_to_string(pki("officer/officer.key.pem")).unwrap(),
        statement.as_bytes(),
    );
    let (status, text) = server.request(&writer, "DELETE", &path, delete(&officer));
    assert_eq!(status, 200, "{text}");
    let disposed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(disposed["deleted"], true);
    assert!(
        disposed["tombstones"][0]["by"]
            .as_str()
            .unwrap()
            .starts_with("api key ")
    );
    let (status, _) = server.request(&writer, "DELETE", &path, delete(&officer));
    assert_eq!(status, 410);
    let (status, _) = server.request(&writer, "GET", &format!("{path}/content"), vec![]);
    assert_eq!(status, 410);
    // The retained document is untouched.
    let (status, _) = server.request(
        &writer,
        "GET",
        &format!("/v1/documents/{retained}/content"),
        vec![],
    );
    assert_eq!(status, 200);
}

/// The API takes the dating a submitter asks for and shows which order and clause dated the
/// version and set its retention, by the server's clock (`docs/rules.md`).
#[test]
fn versions_show_the_order_and_clause_that_dated_and_retained_them() {
    use qoima_vault::records::{DatingMode, RetentionClass, rules_at};
    let vault = Vault::new();
    let writer = key(&vault, "writer");
    let server = Server::start(&vault);
    let content = big_pdf(5, 20_000);
    let mut body = json!({
        "upload": upload(&server, &writer, &content),
        "signatures": [b64(&sign(&content, "individual"))],
        "class": "expertise-application",
        "participant": "ТОО Тест",
        "expectIin": INDIVIDUAL_IIN,
        "dating": "sometimes",
    });
    let (status, problem) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("during-review"), "{problem}");

    body["dating"] = json!("during-review");
    let now = jiff::Timestamp::now();
    let (status, registered) = post_json(&server, &writer, "/v1/documents", &body);
    assert_eq!(status, 201, "{registered}");
    // What the rules in force now make of it: from 2026-07-01 order 253 §36 and §44.
    let rules = rules_at(now).unwrap();
    let dated_by = rules.dating(DatingMode::DuringReview).clause.to_string();
    let retained_by = rules
        .retention(RetentionClass::ExpertiseApplication)
        .clause
        .to_string();
    if rules.order == 253 {
        assert_eq!(
            (dated_by.as_str(), retained_by.as_str()),
            ("253 §36", "253 §44")
        );
    }
    assert_eq!(registered["datedBy"], dated_by.as_str(), "{registered}");
    assert_eq!(registered["retainedBy"], retained_by.as_str());

    let id = registered["id"].as_str().unwrap();
    let document = server.get_json(&writer, &format!("/v1/documents/{id}"));
    assert_eq!(document["current"]["datedBy"], dated_by.as_str());
    assert_eq!(document["current"]["retainedBy"], retained_by.as_str());
    let versions = server.get_json(&writer, &format!("/v1/documents/{id}/versions"));
    assert_eq!(versions["versions"][0]["datedBy"], dated_by.as_str());
    assert_eq!(versions["versions"][0]["retainedBy"], retained_by.as_str());

    // A new version takes `dating` too.
    let reason = "corrected";
    let second = big_pdf(6, 20_000);
    let (status, statement) = server.request(
        &writer,
        "GET",
        &format!(
            "/v1/documents/{id}/statement?reason={reason}&replacement={}",
            sha256_hex(&second)
        ),
        vec![],
    );
    assert_eq!(status, 200, "{statement}");
    let version = json!({
        "upload": upload(&server, &writer, &second),
        "signatures": [b64(&sign(&second, "individual"))],
        "expectIin": INDIVIDUAL_IIN,
        "annulment": b64(&sign(statement.as_bytes(), "individual")),
        "reason": reason,
        "dating": "submission",
    });
    let path = format!("/v1/documents/{id}/versions");
    let (status, registered) = post_json(&server, &writer, &path, &version);
    assert_eq!(status, 201, "{registered}");
    let rules = rules_at(jiff::Timestamp::now()).unwrap();
    let expected = rules.dating(DatingMode::Submission).clause.to_string();
    assert_eq!(registered["datedBy"], expected.as_str());
}
