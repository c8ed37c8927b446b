//! End to end: `qoima reverify` over a vault of documents signed by RSA and ECDSA keys of the
//! generated PKI and a GOST 34.10-2015 key of NCA RK's test PKI, registered at different times: a certificate revoked after its registration
//! and one revoked before it, one whose CA's certificate has since expired, one whose content
//! was damaged. Both modes give the verdict each deserves; the summary counts match; CSV and
//! HTML outputs open (the HTML in headless Chromium); a run killed half-way and resumed gives
//! exactly the results of an uninterrupted run; `--record` writes changed verdicts once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{AT, Vault, json, pdf, pki, stderr, stdout};
use qoima_vault::storage::Table;
use qoima_verifier::testing::gost::{self, GostKey};
use qoima_verifier::testing::sign_detached;
use serde_json::Value;

/// The re-verification instant: every CRL below is current, `ca-short` has expired.
const LATER: &str = "2026-09-01T00:00:00Z";
/// Before `revoked-later` was revoked (2026-05-01).
const APRIL: &str = "2026-04-15T10:00:00Z";
/// While `ca-short` was valid (to 2026-08-01) and after its CRL was issued.
const JULY: &str = "2026-07-15T10:00:00Z";
/// After the NCA GOST test CA's CRL was issued (2026-08-11) and the GOST signature was made.
const AUGUST: &str = "2026-08-20T12:00:00Z";
/// The NCA GOST test individual's IIN (test data: its check digit is not valid).
const GOST_IIN: &str = "123456789011";

const INDIVIDUAL_IIN: &str = "850315300128";

/// The trust store of every configuration here; `ca_rsa_crl` is the CA's CRL in force.
fn write_config(vault: &Vault, ca_rsa_crl: &str) {
    let etc = vault.config.parent().unwrap();
    let files = [
        "certs/root-rsa.cer",
        "certs/root-ec.cer",
        "certs/ca-rsa.cer",
        "certs/ca-ec.cer",
        "crl/ca-rsa-base.crl",
        "crl/ca-rsa.crl",
        "crl/root-rsa.crl",
        "crl/ca-ec.crl",
        "crl/root-ec.crl",
        "shortca/root-short.cer",
        "shortca/ca-short.cer",
        "shortca/root-short.crl",
        "shortca/ca-short.crl",
        "../skarm_kalkan/certs/root_test_gost_2022.cer",
        "../skarm_kalkan/certs/nca_gost2022_test.cer",
        "../ncanode_go/certs/nca_gost2022_test.crl",
    ];
    for file in files {
        let name = Path::new(file).file_name().unwrap();
        std::fs::copy(pki(file), etc.join("pki").join(name)).unwrap();
    }
    vault.write_config(&format!(
        "[trust]\n\
             anchors = [\"pki/root-rsa.cer\", \"pki/root-ec.cer\", \"pki/root-short.cer\", \
                        \"pki/root_test_gost_2022.cer\"]\n\
             intermediates = [\"pki/ca-rsa.cer\", \"pki/ca-ec.cer\", \"pki/ca-short.cer\", \
                              \"pki/nca_gost2022_test.cer\"]\n\
             crls = [\"pki/{ca_rsa_crl}\", \"pki/root-rsa.crl\", \"pki/ca-ec.crl\", \
                     \"pki/root-ec.crl\", \"pki/root-short.crl\", \"pki/ca-short.crl\", \
                     \"pki/nca_gost2022_test.crl\"]\n\
             \n\
             # Registrations in April precede the roots' first CRLs.\n\
             [policy]\n\
             require-ca-revocation = false\n"
    ));
}

/// Registers `pdf(n)` signed by the certificate and key at `cert`/`key` (PKI paths), submitted
/// at `at`; returns the document id.
fn register(vault: &Vault, n: u32, cert: &str, key: &str, at: &str) -> String {
    register_content(vault, n, &pdf(n), cert, key, at)
}

/// Registers `content` as document `n`, signed with the certificate and key at `cert`/`key`.
fn register_content(
    vault: &Vault,
    n: u32,
    content: &[u8],
    cert: &str,
    key: &str,
    at: &str,
) -> String {
    let certificate = std::fs::read(pki(cert)).unwrap();
    let key = std::fs::read_to_string(pki(key)).unwrap();
    let signature = sign_detached(&certificate, &key, content);
    register_signed(vault, n, content, &signature, at, INDIVIDUAL_IIN)
}

/// Registers `content` as document `n` with `signature` over it from the sender `iin`,
/// submitted at `at`.
fn register_signed(
    vault: &Vault,
    n: u32,
    content: &[u8],
    signature: &[u8],
    at: &str,
    iin: &str,
) -> String {
    let file = vault.dir.path().join(format!("doc{n}.pdf"));
    let sig = vault.dir.path().join(format!("doc{n}.p7s"));
    std::fs::write(&file, content).unwrap();
    std::fs::write(&sig, signature).unwrap();
    let out = vault.qoima(&[
        "doc",
        "register",
        "--content",
        file.to_str().unwrap(),
        "--sig",
        sig.to_str().unwrap(),
        "--class",
        "project-documentation",
        "--at",
        at,
        "--expect-iin",
        iin,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)["id"].as_str().unwrap().to_owned()
}

/// The documents of the vault, by what they are.
struct Documents {
    good_rsa: String,
    good_ec: String,
    revoked_after: String,
    revoked_before: String,
    ca_expired: String,
    damaged: String,
    gost: String,
}

fn populate(vault: &Vault) -> Documents {
    // Registered with the base CRL, which does not list revoked-later (superseded on
    // 2026-05-01): it passed then, whenever it was registered.
    write_config(vault, "ca-rsa-base.crl");
    let ee = |name: &str| (format!("certs/{name}.cer"), format!("keys/{name}.key.pem"));
    let (individual, individual_key) = ee("individual");
    let (ec, ec_key) = ee("ec");
    let (revoked, revoked_key) = ee("revoked-later");
    // In the order of their times: the audit log's clock never goes back.
    let revoked_after = register(vault, 3, &revoked, &revoked_key, APRIL);
    let documents = Documents {
        revoked_after,
        good_rsa: register(vault, 1, &individual, &individual_key, AT),
        good_ec: register(vault, 2, &ec, &ec_key, AT),
        revoked_before: register(vault, 4, &revoked, &revoked_key, AT),
        damaged: register(vault, 6, &individual, &individual_key, AT),
        ca_expired: register(
            vault,
            5,
            "shortca/short-ee.cer",
            "shortca/short-ee.key.pem",
            JULY,
        ),
        // GOST 34.10-2015 512-bit with a real NCA test key, as NCA's software signs.
        gost: register_signed(
            vault,
            7,
            &pdf(7),
            &GostKey::from_pkcs12(gost::INDIVIDUAL_VALID, gost::PASSWORD)
                .sign_detached_at(&pdf(7), gost::SIGNED_AT),
            AUGUST,
            GOST_IIN,
        ),
    };
    // The CA's full CRL now lists revoked-later.
    write_config(vault, "ca-rsa.crl");
    damage_content(vault, &pdf(6));
    documents
}

/// Flips a byte of the only chunk of `content` (small content is one chunk, keyed by its
/// SHA-256), behind the vault's write-once guard, as a disk fault would; on S3, as a PUT of
/// other bytes over the chunk's object by anyone holding the bucket's credentials would (a
/// new version: Object Lock keeps the old one, but a plain read gets the new).
fn damage_content(vault: &Vault, content: &[u8]) {
    use sha2::Digest;
    if let Some(storage) = &vault.storage {
        let key = format!("chunks/{}", hex::encode(sha2::Sha256::digest(content)));
        let mut value = storage.object(&key);
        let last = value.len() - 1;
        value[last] ^= 0x01;
        storage.overwrite(&key, &value);
        return;
    }
    let path = vault.data.join("db");
    let options = rocksdb::Options::default();
    let families = rocksdb::DB::list_cf(&options, &path).unwrap();
    let db = rocksdb::DB::open_cf(&options, &path, families).unwrap();
    let chunks = db.cf_handle("chunks").unwrap();
    let id = sha2::Sha256::digest(content);
    let mut value = db.get_cf(chunks, id).unwrap().expect("the chunk");
    let last = value.len() - 1;
    value[last] ^= 0x01;
    db.put_cf(chunks, id, value).unwrap();
    // The manifest stays: the damage is in the bytes.
    assert!(
        db.get_cf(db.cf_handle(Table::Manifests.name()).unwrap(), id)
            .unwrap()
            .is_some()
    );
}

/// Runs `qoima reverify` with `args`; returns (exit code, result lines, stderr).
fn reverify(vault: &Vault, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = vault.qoima(&[&["reverify"], args].concat());
    let lines = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (out.status.code().unwrap(), lines, stderr(&out))
}

/// `INDICATION[ / SUB]` of each document's result, by id.
fn verdicts(lines: &[Value]) -> BTreeMap<String, String> {
    lines
        .iter()
        .map(|line| {
            let verdict = match line["subIndication"].as_str() {
                Some(sub) => format!("{} / {sub}", line["indication"].as_str().unwrap()),
                None => line["indication"].as_str().unwrap().to_owned(),
            };
            (line["id"].as_str().unwrap().to_owned(), verdict)
        })
        .collect()
}

#[test]
fn both_modes_give_each_document_its_verdict_and_the_summary_counts_them() {
    let vault = Vault::new();
    let docs = populate(&vault);

    // As registered: the registration proves the signatures existed before the revocation
    // and while ca-short was valid; a revocation dated before the registration still fails,
    // and so does content that is no longer what was signed.
    let (code, lines, err) = reverify(
        &vault,
        &["--at", LATER, "--mode", "registered", "--check-content"],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(lines.len(), 7, "{err}");
    let found = verdicts(&lines);
    assert_eq!(found[&docs.good_rsa], "TOTAL_PASSED");
    assert_eq!(found[&docs.good_ec], "TOTAL_PASSED");
    assert_eq!(found[&docs.revoked_after], "TOTAL_PASSED");
    assert_eq!(found[&docs.revoked_before], "TOTAL_FAILED / REVOKED");
    assert_eq!(found[&docs.ca_expired], "TOTAL_PASSED");
    assert_eq!(found[&docs.damaged], "TOTAL_FAILED / HASH_FAILURE");
    assert_eq!(found[&docs.gost], "TOTAL_PASSED");
    let damaged = lines
        .iter()
        .find(|l| l["id"] == docs.damaged.as_str())
        .unwrap();
    assert!(
        damaged["message"].as_str().unwrap().contains("damaged"),
        "{damaged}"
    );
    // Every line names the registration and the signers, and what changed.
    for line in &lines {
        assert_eq!(line["before"], "TOTAL_PASSED", "{line}");
        assert_eq!(
            line["changed"],
            line["indication"] != "TOTAL_PASSED",
            "{line}"
        );
        assert!(
            line["registrationNumber"]
                .as_str()
                .unwrap()
                .contains("2026")
        );
    }
    let rsa = lines
        .iter()
        .find(|l| l["id"] == docs.good_rsa.as_str())
        .unwrap();
    assert_eq!(rsa["signers"][0]["iin"], INDIVIDUAL_IIN);
    assert!(
        rsa["signers"][0]["issuer"]
            .as_str()
            .unwrap()
            .contains("CN=")
    );
    assert!(err.contains("re-verified 7 version(s)"), "{err}");
    // By issuing CA: the NCA GOST test CA among them.
    assert!(err.contains("(GOST) TEST 2022"), "{err}");
    assert!(err.contains("TOTAL_PASSED: 5"), "{err}");
    assert!(err.contains("TOTAL_FAILED / REVOKED: 1"), "{err}");
    assert!(err.contains("TOTAL_FAILED / HASH_FAILURE: 1"), "{err}");
    assert!(
        err.contains("changed since the verdict known before: 2"),
        "{err}"
    );
    assert!(
        err.contains("project-documentation: TOTAL_FAILED 2, TOTAL_PASSED 5"),
        "{err}"
    );

    // As of now, without the registration's proof: revocations since count, and an expired
    // CA's path no longer validates.
    // Nothing fails outright without --check-content: exit 2.
    let (code, lines, err) = reverify(&vault, &["--at", LATER, "--mode", "now"]);
    assert_eq!(code, 2, "{err}");
    let found = verdicts(&lines);
    assert_eq!(found[&docs.good_rsa], "TOTAL_PASSED");
    assert_eq!(found[&docs.good_ec], "TOTAL_PASSED");
    assert_eq!(found[&docs.revoked_after], "INDETERMINATE / REVOKED_NO_POE");
    assert_eq!(
        found[&docs.revoked_before],
        "INDETERMINATE / REVOKED_NO_POE"
    );
    assert!(
        found[&docs.ca_expired].starts_with("INDETERMINATE"),
        "{found:?}"
    );
    // Without --check-content the damaged bytes are not read: the signature signs the
    // attributes, whose digest the vault keeps.
    assert_eq!(found[&docs.damaged], "TOTAL_PASSED");
    assert_eq!(found[&docs.gost], "TOTAL_PASSED");

    // A selection: one document by id, only what is indeterminate: exit 2.
    let ids = vault.dir.path().join("ids.txt");
    std::fs::write(&ids, format!("# one\n{}\n", docs.revoked_after)).unwrap();
    let (code, lines, _) = reverify(
        &vault,
        &[
            "--at",
            LATER,
            "--mode",
            "now",
            "--ids",
            ids.to_str().unwrap(),
        ],
    );
    assert_eq!((code, lines.len()), (2, 1));
    let (code, lines, _) = reverify(
        &vault,
        &[
            "--at",
            LATER,
            "--registered-from",
            "2026-07-01",
            "--current-only",
        ],
    );
    assert_eq!((code, lines.len()), (0, 2));
    let mut ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut expected = [docs.ca_expired.as_str(), docs.gost.as_str()];
    expected.sort();
    assert_eq!(ids, expected);

    // Bad options are bad usage, and start no run.
    let (code, _, err) = reverify(&vault, &["--mode", "sometimes"]);
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("sometimes"), "{err}");
    let (code, _, err) = reverify(&vault, &["--class", "no-such-class"]);
    assert_eq!(code, 64, "{err}");
}

#[test]
fn csv_and_html_outputs_open() {
    let vault = Vault::new();
    populate(&vault);
    let csv = vault.dir.path().join("results.csv");
    let html = vault.dir.path().join("summary.html");
    let (code, lines, err) = reverify(
        &vault,
        &[
            "--at",
            LATER,
            "--check-content",
            "--format",
            "csv",
            "--output",
            csv.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(lines.is_empty());
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 8);
    assert!(
        rows[0].starts_with("id,version,registrationNumber,"),
        "{}",
        rows[0]
    );
    assert_eq!(
        rows.iter().filter(|r| r.contains(",TOTAL_FAILED,")).count(),
        2
    );

    // The page as a browser builds it: the verdict table with its counts, the chart's bars.
    let dom = chromium_dom(&html);
    assert!(dom.contains("<table id=\"verdicts\">"), "{dom}");
    assert!(dom.contains("<td>TOTAL_PASSED</td><td>5</td>"), "{dom}");
    assert!(
        dom.contains("<td>TOTAL_FAILED / HASH_FAILURE</td><td>1</td>"),
        "{dom}"
    );
    assert_eq!(dom.matches("<g class=\"bar\">").count(), 3, "{dom}");
    assert!(dom.contains("<table id=\"changes\">"), "{dom}");
}

/// The DOM headless Chromium builds from `page`.
fn chromium_dom(page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium (scripts/setup installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The results file of each run in the vault's data directory, by run id.
fn run_results(vault: &Vault) -> BTreeMap<String, (Value, String)> {
    let runs = vault.data.join("reverifications");
    std::fs::read_dir(&runs)
        .unwrap()
        .map(|entry| {
            let dir: PathBuf = entry.unwrap().path();
            let state: Value =
                serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
            let results = std::fs::read_to_string(dir.join("results.jsonl")).unwrap();
            (state["id"].as_str().unwrap().to_owned(), (state, results))
        })
        .collect()
}

#[test]
fn a_run_killed_half_way_and_resumed_gives_the_results_of_an_uninterrupted_run() {
    let vault = Vault::new();
    populate(&vault);
    let (individual, key) = ("certs/individual.cer", "keys/individual.key.pem");
    for n in 100..140 {
        register(&vault, n, individual, key, AUGUST);
    }
    let args = ["reverify", "--at", LATER, "--check-content", "--jobs", "2"];
    let (code, whole, _) = reverify(&vault, &args[1..]);
    assert_eq!((code, whole.len()), (1, 47));

    // The run writes its results to a pipe the test stops reading: it blocks, and is killed
    // with some results written and a checkpoint taken, before the end.
    let mut child = vault
        .command(None)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pipe = child.stdout.take().unwrap();
    // The smallest pipe: a few lines fill it.
    let set = rustix::pipe::fcntl_setpipe_size(&pipe, 4096).unwrap();
    assert!(set >= 4096);
    // Lines are read a byte at a time, so that the test takes no more from the pipe than the
    // lines it counts (a buffered reader could take all the pipe holds at once, and the lines
    // read after the pause would then free no room for the run to write).
    let mut read_line = || {
        let mut byte = [0u8; 1];
        loop {
            match pipe.read(&mut byte).unwrap() {
                0 => return false,
                _ if byte[0] == b'\n' => return true,
                _ => {}
            }
        }
    };
    let checkpointed = |vault: &Vault| {
        run_results(vault)
            .values()
            .any(|(state, _)| state["status"] == "running" && state["last"].is_string())
    };
    // Some lines; then, while the run is blocked on its output, the checkpoint interval
    // passes, so the run takes a checkpoint at the end of the next document it writes. Lines
    // are read one at a time until that checkpoint is on disk: the run can then write at most
    // a pipe-full more before it blocks again, far from its end, and is killed there.
    let mut read = 0;
    while read < 5 && read_line() {
        read += 1;
    }
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    while !checkpointed(&vault) {
        assert!(
            read_line(),
            "the run ended without a checkpoint ({read} lines read)"
        );
        read += 1;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut rest = Vec::new();
    let _ = pipe.read_to_end(&mut rest);

    let runs = run_results(&vault);
    let (killed_id, (killed, partial)) = runs
        .iter()
        .find(|(_, (state, _))| state["status"] == "running")
        .expect("the killed run is left running");
    let checkpointed = partial.lines().count();
    assert!(
        (5..47).contains(&checkpointed),
        "the kill landed after {checkpointed} results: {killed}"
    );
    assert!(killed["last"].is_string(), "{killed}");

    // --resume goes on with it (its options, its outputs) after the checkpoint.
    let out = vault.qoima(&["reverify", "--resume", "--jobs", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let resumed_lines = stdout(&out).lines().count();
    assert_eq!(resumed_lines, 47 - checkpointed);
    let runs = run_results(&vault);
    let (resumed, results) = &runs[killed_id];
    assert_eq!(resumed["status"], "finished");
    assert_eq!(resumed["summary"]["total"], 47);
    let uninterrupted = runs
        .iter()
        .find(|(id, (state, _))| *id != killed_id && state["summary"]["total"] == 47)
        .map(|(_, (_, results))| results)
        .unwrap();
    assert_eq!(results, uninterrupted);
    // Nothing is left to resume.
    let out = vault.qoima(&["reverify", "--resume"]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
}

#[test]
fn record_writes_each_changed_verdict_once_as_an_event_and_an_audit_entry() {
    let vault = Vault::new();
    let docs = populate(&vault);
    let out = vault.qoima(&["reverify", "--record"]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(stderr(&out).contains("--by"), "{}", stderr(&out));

    let record = [
        "--at",
        LATER,
        "--mode",
        "now",
        "--record",
        "--by",
        "operator Асем",
    ];
    let (code, lines, err) = reverify(&vault, &record);
    assert_eq!(code, 2, "{err}");
    let recorded: Vec<&Value> = lines.iter().filter(|l| l["recorded"].is_number()).collect();
    // The revoked two and the expired CA's document changed.
    assert_eq!(recorded.len(), 3, "{lines:?}");
    let shown = json(&vault.qoima(&["doc", "show", &docs.revoked_after, "--json"]));
    let event = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "reverified")
        .unwrap();
    assert_eq!(event["indication"], "INDETERMINATE");
    assert_eq!(event["subIndication"], "REVOKED_NO_POE");
    assert_eq!(event["mode"], "now");
    assert_eq!(event["validationTime"], LATER);
    let audit = vault.qoima(&["audit", "verify"]);
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}{}",
        stdout(&audit),
        stderr(&audit)
    );

    // Run again: the verdicts known now are the recorded ones; nothing changed, nothing new.
    let (_, lines, _) = reverify(&vault, &record);
    assert!(lines.iter().all(|l| l["changed"] == false), "{lines:?}");
    assert!(lines.iter().all(|l| l["recorded"].is_null()));
}

#[test]
fn runs_over_the_api_one_at_a_time_with_progress_summary_and_streamed_results() {
    let vault = Vault::new();
    let docs = populate(&vault);
    // A large document, so that a run reading every content back takes a moment.
    let mut large = pdf(8);
    large.resize(32 << 20, b'x');
    let individual = ("certs/individual.cer", "keys/individual.key.pem");
    register_content(&vault, 8, &large, individual.0, individual.1, AUGUST);
    let auditor = common::key(&vault, "auditor");
    let admin = common::key(&vault, "admin");
    let reader = common::key(&vault, "reader");
    let server = common::Server::start(&vault);

    let options = format!(r#"{{"at": "{LATER}", "mode": "now", "checkContent": true}}"#);
    let (status, body) = server.request(
        &reader,
        "POST",
        "/v1/reverifications",
        options.clone().into(),
    );
    assert_eq!(status, 403, "{body}");
    let (status, headers, body) = server.send(
        &auditor,
        "POST",
        "/v1/reverifications",
        &[],
        options.into_bytes(),
    );
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&body));
    let started: Value = serde_json::from_slice(&body).unwrap();
    let id = started["id"].as_str().unwrap().to_owned();
    assert_eq!(started["total"], 8);
    assert_eq!(
        headers["location"],
        format!("/v1/reverifications/{id}").as_str()
    );

    // Never two at once: a second run is refused while the first is in progress.
    let (status, body) = server.request(&admin, "POST", "/v1/reverifications", b"{}".to_vec());
    if status == 202 {
        let first = server.get_json(&auditor, &format!("/v1/reverifications/{id}"));
        assert_eq!(first["status"], "finished", "two runs at once: {body}");
    } else {
        assert_eq!(status, 409, "{body}");
        assert!(body.contains(&id), "{body}");
    }

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let run = loop {
        let run = server.get_json(&auditor, &format!("/v1/reverifications/{id}"));
        if run["status"] != "running" {
            break run;
        }
        assert!(std::time::Instant::now() < deadline, "{run}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(run["status"], "finished", "{run}");
    assert_eq!(run["done"], 8);
    assert_eq!(run["validationTime"], LATER);
    assert_eq!(
        run["summary"]["byVerdict"]["TOTAL_FAILED / HASH_FAILURE"], 1,
        "{run}"
    );
    assert_eq!(run["summary"]["byVerdict"]["TOTAL_PASSED"], 4, "{run}");

    let (status, headers, body) = server.send(
        &auditor,
        "GET",
        &format!("/v1/reverifications/{id}/results"),
        &[],
        Vec::new(),
    );
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = String::from_utf8(body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    let found = verdicts(&lines);
    assert_eq!(found[&docs.damaged], "TOTAL_FAILED / HASH_FAILURE");
    assert_eq!(found[&docs.revoked_after], "INDETERMINATE / REVOKED_NO_POE");
    assert_eq!(found[&docs.gost], "TOTAL_PASSED");

    // Wrong options: 422 naming them, 400 for an unknown field; no such run: 404.
    let (status, body) = server.request(
        &auditor,
        "POST",
        "/v1/reverifications",
        br#"{"mode": "sometimes"}"#.to_vec(),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("sometimes"), "{body}");
    let (status, _) = server.request(
        &auditor,
        "POST",
        "/v1/reverifications",
        br#"{"everything": true}"#.to_vec(),
    );
    assert_eq!(status, 400);
    for path in [
        "/v1/reverifications/nope",
        "/v1/reverifications/..%2F..%2Fetc/results",
    ] {
        let (status, body) = server.request(&auditor, "GET", path, Vec::new());
        assert_eq!(status, 404, "{path}: {body}");
    }
}

#[test]
fn a_version_record_that_cannot_be_read_is_named_and_the_run_goes_on() {
    let vault = Vault::new();
    let docs = populate(&vault);
    // The record's format byte damaged behind the vault's write-once guard (on PostgreSQL,
    // by the superuser with the write-once triggers off).
    let mut key = hex::decode(&docs.good_ec).unwrap();
    key.extend_from_slice(&1u32.to_be_bytes());
    if let Some(storage) = &vault.storage {
        storage.tamper_sql(&format!(
            "UPDATE qoima.versions SET value = overlay(value placing '\\xee'::bytea from 1 for 1) \
             WHERE key = '\\x{}'::bytea",
            hex::encode(&key)
        ));
    } else {
        let path = vault.data.join("db");
        let options = rocksdb::Options::default();
        let families = rocksdb::DB::list_cf(&options, &path).unwrap();
        let db = rocksdb::DB::open_cf(&options, &path, families).unwrap();
        let versions = db.cf_handle(Table::Versions.name()).unwrap();
        let mut value = db.get_cf(versions, &key).unwrap().unwrap();
        value[0] = 0xee;
        db.put_cf(versions, &key, value).unwrap();
    }
    let (code, lines, err) = reverify(&vault, &["--at", LATER, "--mode", "now"]);
    // Nothing failed outright, one document could not be verified: exit 2.
    assert_eq!(code, 2, "{err}");
    assert_eq!(lines.len(), 7, "{lines:?}");
    let damaged: Vec<&Value> = lines.iter().filter(|l| l["indication"].is_null()).collect();
    assert_eq!(damaged.len(), 1, "{lines:?}");
    assert_eq!(damaged[0]["id"], docs.good_ec.as_str());
    assert!(
        damaged[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read the document"),
        "{}",
        damaged[0]
    );
    assert!(err.contains("not verified (unreadable entry): 1"), "{err}");
}
