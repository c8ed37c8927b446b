//! The data of the bulk re-verification benchmark (`benches/reverify.sh`), and the in-process
//! engine rate it is compared with.
//!
//! ```text
//! reverify_vault generate DATA_DIR COUNT      a vault of COUNT registered documents
//! reverify_vault files DIR COUNT              COUNT signed files and a manifest for `verify --batch`
//! reverify_vault engine-rate DATA_DIR SAMPLE  the first SAMPLE versions re-verified on one thread
//! reverify_vault batch-engine-rate DIR SAMPLE the first SAMPLE manifest lines verified on one thread
//! reverify_vault config DIR                   the trust store files and a qoima.toml for them
//! reverify_vault flush DATA_DIR               a vault's memtables written out (a vault at rest)
//! ```
//!
//! The mix: half the documents signed with RSA-2048 under 2 000 certificates issued here by the
//! generated PKI's two CAs (RSA and ECDSA, `verifier/testdata/pki`), the other half with
//! GOST 34.10-2015 512-bit by NCA RK's three valid test keys under its GOST test CA
//! (`testing::gost`). Contents are PDFs of 4 KiB to 1 MiB (90 % up to 16 KiB, 9 % up to
//! 256 KiB, 1 % up to 1 MiB) of pseudo-random words. Every registration goes through
//! `Registry::register`, which verifies its signature; only the store's durability is deferred
//! to the end of the load (`ContentStore::open_for_bulk_load`), since a generated vault can be
//! generated again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark tool

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use jiff::Timestamp;
use qoima_vault::records::{
    Calendar, Numbering, ObjectNumber, Participant, RetentionClass, Template,
};
use qoima_vault::registry::{Registration, Registry, ReverifyMode, Selection, Submitter};
use qoima_vault::{ContentConfig, ContentStore};
use qoima_verifier::identity::Expectation;
use qoima_verifier::path::CertificateStore;
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::CrlStore;
use qoima_verifier::testing::gost::{self, GostKey};
use qoima_verifier::testing::{
    ECDSA_WITH_SHA256, ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST,
    ID_SHA256, ID_SIGNED_DATA, ID_SIGNING_TIME, SHA256_WITH_RSA, algorithm, attribute, der_tlv,
    integer, octets, oid, seq, set, sha256, signing_time,
};
use qoima_verifier::{Data, Request, Verifier};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair};

/// When every document was submitted: after the GOST CA's CRL (2026-08-11), so that both CRLs
/// in the trust store are current; one instant, so that the audit log's clock never goes back.
const SUBMITTED: i64 = 1_787_227_200; // 2026-08-20T12:00:00Z
/// The certificates issued here, under the two CAs.
const CERTIFICATES: usize = 2_000;
const PARTICIPANTS: usize = 20;

fn pki(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../verifier/testdata")
        .join(file)
}

/// The trust store: (the file under `verifier/testdata`, its role).
const TRUST: [(&str, &str); 11] = [
    ("pki/certs/root-rsa.cer", "anchor"),
    ("pki/certs/root-ec.cer", "anchor"),
    ("skarm_kalkan/certs/root_test_gost_2022.cer", "anchor"),
    ("pki/certs/ca-rsa.cer", "intermediate"),
    ("pki/certs/ca-ec.cer", "intermediate"),
    ("skarm_kalkan/certs/nca_gost2022_test.cer", "intermediate"),
    ("pki/crl/ca-rsa.crl", "crl"),
    ("pki/crl/root-rsa.crl", "crl"),
    ("pki/crl/ca-ec.crl", "crl"),
    ("pki/crl/root-ec.crl", "crl"),
    ("ncanode_go/certs/nca_gost2022_test.crl", "crl"),
];

/// The verifier `qoima` builds from [`config`]'s file: NCA's GOST test root publishes no CRL,
/// so CA certificates without revocation data are accepted (a warning).
fn verifier() -> Verifier {
    let mut store = CertificateStore::new();
    let mut crls = CrlStore::new();
    for (file, role) in TRUST {
        let der = std::fs::read(pki(file)).unwrap();
        match role {
            "anchor" => store.add_trust_anchor(&der).unwrap(),
            "intermediate" => store.add_intermediate(&der).unwrap(),
            _ => crls.add(&der).unwrap(),
        };
    }
    let policy = Policy {
        require_ca_revocation: false,
        ..Policy::default()
    };
    Verifier::new(store, crls, policy)
}

/// Copies the trust store into `dir` and writes `dir/qoima.toml` naming it.
fn config(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut lists = [Vec::new(), Vec::new(), Vec::new()];
    for (file, role) in TRUST {
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        std::fs::copy(pki(file), dir.join(name)).unwrap();
        let list = match role {
            "anchor" => 0,
            "intermediate" => 1,
            _ => 2,
        };
        lists[list].push(format!("{name:?}"));
    }
    let text = format!(
        "[trust]\nanchors = [{}]\nintermediates = [{}]\ncrls = [{}]\n\n[policy]\nrequire-ca-revocation = false\n",
        lists[0].join(", "),
        lists[1].join(", "),
        lists[2].join(", ")
    );
    std::fs::write(dir.join("qoima.toml"), text).unwrap();
}

/// SplitMix64: deterministic contents and choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: [&str; 32] = [
    "проект",
    "здание",
    "фундамент",
    "стена",
    "кровля",
    "экспертиза",
    "заключение",
    "объект",
    "строительство",
    "раздел",
    "чертеж",
    "смета",
    "лист",
    "узел",
    "план",
    "фасад",
    "разрез",
    "бетон",
    "арматура",
    "нагрузка",
    "расчет",
    "сеть",
    "водоснабжение",
    "отопление",
    "вентиляция",
    "электроснабжение",
    "жоба",
    "ғимарат",
    "сараптама",
    "қорытынды",
    "нысан",
    "құрылыс",
];

/// Document `n`'s content: a PDF header and pseudo-random words, 4 KiB to 1 MiB.
fn content(n: u64) -> Vec<u8> {
    let mut rng = Rng(n.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let length = match rng.below(100) {
        0 => 256 << 10 | rng.below(768 << 10),
        1..=9 => 16 << 10 | rng.below(240 << 10),
        _ => 4 << 10 | rng.below(12 << 10),
    } as usize;
    let mut out = format!("%PDF-1.7\n% qoima benchmark document {n}\n").into_bytes();
    while out.len() < length {
        out.extend_from_slice(WORDS[rng.below(WORDS.len() as u64) as usize].as_bytes());
        out.push(if rng.below(12) == 0 { b'\n' } else { b' ' });
    }
    out.truncate(length);
    out
}

/// A CA of the generated PKI that issues this benchmark's certificates.
struct Ca {
    subject: Vec<u8>,
    key_identifier: Vec<u8>,
    key: CaKey,
}

enum CaKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

impl Ca {
    fn load(name: &str) -> Self {
        let der = std::fs::read(pki(&format!("pki/certs/{name}.cer"))).unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        let key_identifier = cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id) => {
                    Some(id.0.to_vec())
                }
                _ => None,
            })
            .unwrap();
        let pkcs8 = pkcs8(&pki(&format!("pki/keys/{name}.key.pem")));
        let key = match RsaKeyPair::from_pkcs8(&pkcs8) {
            Ok(key) => CaKey::Rsa(key),
            Err(_) => CaKey::Ecdsa(
                EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_ASN1_SIGNING,
                    &pkcs8,
                    &SystemRandom::new(),
                )
                .unwrap(),
            ),
        };
        Self {
            subject: cert.subject().as_raw().to_vec(),
            key_identifier,
            key,
        }
    }

    /// The signatureAlgorithm of what it signs.
    fn algorithm(&self) -> Vec<u8> {
        match &self.key {
            CaKey::Rsa(_) => algorithm(SHA256_WITH_RSA),
            // Parameters absent (RFC 5758 §3.2).
            CaKey::Ecdsa(_) => seq(&[&oid(ECDSA_WITH_SHA256)]),
        }
    }

    /// Its signature over `message`.
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.key {
            CaKey::Rsa(key) => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .unwrap();
                signature
            }
            CaKey::Ecdsa(key) => key.sign(&rng, message).unwrap().as_ref().to_vec(),
        }
    }
}

fn pkcs8(path: &Path) -> Vec<u8> {
    use base64::Engine as _;
    let pem = std::fs::read_to_string(path).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// An end-entity certificate issued here: what a signature names of it.
struct Issued {
    der: Vec<u8>,
    issuer: Vec<u8>,
    serial: Vec<u8>,
    iin: String,
    key: Arc<RsaKeyPair>,
}

/// Certificate `n` by `ca` for `key`: the NCA individual profile (IIN in serialNumber,
/// nonRepudiation, emailProtection), 2026-01-01 to 2028-01-01.
fn issue(ca: &Ca, n: usize, key: Arc<RsaKeyPair>) -> Issued {
    let iin = format!("{:012}", 700_000_000_000u64 + n as u64);
    let serial = integer(&(0x3000_0000u32 + n as u32).to_be_bytes());
    let name = |attribute_oid: &str, tag: u8, value: &str| {
        set(&[&seq(&[
            &oid(attribute_oid),
            &der_tlv(tag, value.as_bytes()),
        ])])
    };
    let subject = seq(&[
        &name("2.5.4.3", 0x0c, &format!("БЕНЧМАРК {n}")),
        &name("2.5.4.5", 0x13, &format!("IIN{iin}")),
        &name("2.5.4.6", 0x13, "KZ"),
    ]);
    let public_key = seq(&[
        &algorithm("1.2.840.113549.1.1.1"),
        &der_tlv(0x03, &[&[0u8][..], key.public().as_ref()].concat()),
    ]);
    let extension = |id: &str, critical: bool, value: &[u8]| {
        if critical {
            seq(&[&oid(id), &[0x01, 0x01, 0xff], &octets(value)])
        } else {
            seq(&[&oid(id), &octets(value)])
        }
    };
    let extensions = seq(&[
        &extension("2.5.29.15", true, &[0x03, 0x02, 0x06, 0xc0]),
        &extension("2.5.29.37", false, &seq(&[&oid("1.3.6.1.5.5.7.3.4")])),
        &extension(
            "2.5.29.32",
            false,
            &seq(&[&seq(&[&oid("1.2.398.3.3.2.3")])]),
        ),
        &extension(
            "2.5.29.35",
            false,
            &seq(&[&der_tlv(0x80, &ca.key_identifier)]),
        ),
    ]);
    let signature_algorithm = ca.algorithm();
    let tbs = seq(&[
        &der_tlv(0xa0, &integer(&[2])),
        &serial,
        &signature_algorithm,
        &ca.subject,
        &seq(&[
            &der_tlv(0x17, b"260101000000Z"),
            &der_tlv(0x17, b"280101000000Z"),
        ]),
        &subject,
        &public_key,
        &der_tlv(0xa3, &extensions),
    ]);
    let signature = ca.sign(&tbs);
    let der = seq(&[
        &tbs,
        &signature_algorithm,
        &der_tlv(0x03, &[&[0u8][..], &signature].concat()),
    ]);
    Issued {
        der,
        issuer: ca.subject.clone(),
        serial,
        iin,
        key,
    }
}

/// A detached CMS over `content` by `cert` (RFC 5652, CAdES-BES attributes, SHA-256 with RSA).
fn rsa_cms(cert: &Issued, content: &[u8]) -> Vec<u8> {
    let signing_certificate = seq(&[&seq(&[&seq(&[&octets(&sha256(&cert.der))])])]);
    let mut attributes = [
        attribute(ID_CONTENT_TYPE, &oid(ID_DATA)),
        attribute(ID_SIGNING_TIME, &signing_time(SUBMITTED - 3_600)),
        attribute(ID_MESSAGE_DIGEST, &octets(&sha256(content))),
        attribute(ID_AA_SIGNING_CERTIFICATE_V2, &signing_certificate),
    ];
    attributes.sort();
    let attributes = attributes.concat();
    let mut signature = vec![0; cert.key.public().modulus_len()];
    cert.key
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &der_tlv(0x31, &attributes),
            &mut signature,
        )
        .unwrap();
    let signer_info = seq(&[
        &integer(&[1]),
        &seq(&[&cert.issuer, &cert.serial]),
        &algorithm(ID_SHA256),
        &der_tlv(0xa0, &attributes),
        &algorithm(SHA256_WITH_RSA),
        &octets(&signature),
    ]);
    let signed_data = seq(&[
        &integer(&[1]),
        &set(&[&algorithm(ID_SHA256)]),
        &seq(&[&oid(ID_DATA)]),
        &der_tlv(0xa0, &cert.der),
        &set(&[&signer_info]),
    ]);
    seq(&[&oid(ID_SIGNED_DATA), &der_tlv(0xa0, &signed_data)])
}

/// Who signs what: the certificates issued here and NCA's GOST test keys.
struct Signers {
    rsa: Vec<Issued>,
    gost: Vec<(GostKey, Expectation)>,
}

impl Signers {
    fn new(verifier: &Verifier) -> Self {
        let keys: Vec<Arc<RsaKeyPair>> = [
            "individual",
            "head",
            "employee",
            "hold",
            "revoked-later",
            "auth",
            "expired",
            "notyet",
            "lookalike-ee",
            "untrusted-ee",
            "pathlen-ee",
            "nonca-issued",
        ]
        .iter()
        .map(|name| {
            Arc::new(
                RsaKeyPair::from_pkcs8(&pkcs8(&pki(&format!("pki/keys/{name}.key.pem")))).unwrap(),
            )
        })
        .collect();
        let cas = [Ca::load("ca-rsa"), Ca::load("ca-ec")];
        let rsa = (0..CERTIFICATES)
            .map(|n| issue(&cas[n % 2], n, Arc::clone(&keys[n % keys.len()])))
            .collect();
        // The valid keys that may sign documents (the information system's may not).
        let gost = [0, 3, 4]
            .into_iter()
            .map(|i| {
                let key = GostKey::from_pkcs12(gost::PKCS12[i].1, gost::PASSWORD);
                // The sender as the certificate names them.
                let probe = key.sign_detached_at(b"%PDF-1.7\nprobe", SUBMITTED - 3_600);
                let report = verifier
                    .verify(&Request::new(&probe, SUBMITTED).data(Data::Bytes(b"%PDF-1.7\nprobe")))
                    .unwrap();
                assert!(report.verdict.passed(), "{report}");
                let identity = report.signers[0].identity.as_ref().unwrap();
                let expectation = Expectation {
                    iin: identity.iin.clone(),
                    bin: identity.bin.clone(),
                    roles: Vec::new(),
                };
                (key, expectation)
            })
            .collect();
        Self { rsa, gost }
    }

    /// Document `n`'s signature over `content` and who must have made it.
    fn sign(&self, n: u64, content: &[u8]) -> (Vec<u8>, Expectation) {
        if n.is_multiple_of(2) {
            let cert = &self.rsa[(n / 2) as usize % self.rsa.len()];
            let expectation = Expectation {
                iin: Some(cert.iin.clone()),
                ..Expectation::default()
            };
            (rsa_cms(cert, content), expectation)
        } else {
            let (key, expectation) = &self.gost[(n / 2) as usize % self.gost.len()];
            (
                key.sign_detached_seeded(content, SUBMITTED - 3_600, n),
                expectation.clone(),
            )
        }
    }
}

fn generate(data_dir: &Path, count: u64) {
    let verifier = Arc::new(verifier());
    let signers = Signers::new(&verifier);
    let db = data_dir.join("db");
    std::fs::create_dir_all(&db).unwrap();
    let store = ContentStore::open_for_bulk_load(&db, ContentConfig::default()).unwrap();
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    let registry = Registry::new(store, verifier, Calendar::builtin().unwrap(), numbering).unwrap();
    let participants: Vec<Participant> = (0..PARTICIPANTS)
        .map(|p| Participant::new(&format!("ТОО Участник {p:02}")).unwrap())
        .collect();
    let submitted = Timestamp::from_second(SUBMITTED).unwrap();
    let done = AtomicU64::new(0);
    let started = Instant::now();
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    std::thread::scope(|scope| {
        for job in 0..jobs {
            let (registry, signers, participants, done) =
                (&registry, &signers, &participants, &done);
            scope.spawn(move || {
                let mut n = job;
                while n < count {
                    let content = content(n);
                    let (signature, expectation) = signers.sign(n, &content);
                    let address = registry.content().put(&content[..]).unwrap().address;
                    let class = if n % 5 == 0 {
                        RetentionClass::ExpertiseApplication
                    } else {
                        RetentionClass::ProjectDocumentation
                    };
                    let mut registration = Registration::new(
                        address,
                        vec![signature],
                        class,
                        participants[(n % PARTICIPANTS as u64) as usize].clone(),
                        Submitter::new("benchmark generator".parse().unwrap()),
                        submitted,
                    )
                    .expect(expectation);
                    if class == RetentionClass::ProjectDocumentation {
                        let object: ObjectNumber =
                            format!("{:018}", 100_000_000_000_000_000u64 + n / 50)
                                .parse()
                                .unwrap();
                        registration = registration.object_number(object);
                    }
                    registry
                        .register(&registration)
                        .unwrap_or_else(|e| panic!("document {n}: {e}"));
                    let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if finished % 10_000 == 0 {
                        let seconds = started.elapsed().as_secs_f64();
                        eprintln!(
                            "{finished} registered in {seconds:.0} s ({:.0}/s)",
                            finished as f64 / seconds
                        );
                    }
                    n += jobs;
                }
            });
        }
    });
    // Durable, and at rest as a vault that has been running a while: memtables written out, so
    // that the next open replays no log.
    let backend = registry.content().backend();
    backend.persist().unwrap();
    backend.flush().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "generated {count} documents in {seconds:.0} s ({:.0}/s)",
        count as f64 / seconds
    );
}

/// Re-verifies the first `sample` versions on this thread, as a run's worker does, and prints
/// the rate.
fn engine_rate(data_dir: &Path, sample: usize) {
    let store = ContentStore::open(&data_dir.join("db"), ContentConfig::default()).unwrap();
    let verifier = Arc::new(verifier());
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    let registry = Registry::new(store, verifier, Calendar::builtin().unwrap(), numbering).unwrap();
    let selection = Selection::default();
    let reading = Instant::now();
    let versions: Vec<_> = registry
        .select(&selection, None)
        .take(sample)
        .map(Result::unwrap)
        .collect();
    eprintln!(
        "read {} versions with what a result names in {:.2} s",
        versions.len(),
        reading.elapsed().as_secs_f64()
    );
    let at = Timestamp::from_second(SUBMITTED + 86_400 * 12)
        .unwrap()
        .as_second();
    let started = Instant::now();
    let mut passed = 0;
    for selected in &versions {
        let reports = registry
            .reverify_version(
                &registry.verifier(),
                &selected.version,
                at,
                ReverifyMode::Registered,
                false,
            )
            .unwrap();
        passed += usize::from(reports.iter().all(|r| r.verdict.passed()));
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(passed, versions.len());
    println!(
        "engine: {} versions re-verified on one thread in {seconds:.2} s ({:.0}/s)",
        versions.len(),
        versions.len() as f64 / seconds
    );
}

/// `count` documents as files (`NNNNNNN.pdf`, `NNNNNNN.p7s`) and `manifest.jsonl`.
fn files(dir: &Path, count: u64) {
    let verifier = verifier();
    let signers = Signers::new(&verifier);
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest =
        std::io::BufWriter::new(std::fs::File::create(dir.join("manifest.jsonl")).unwrap());
    let lines: Vec<String> = std::thread::scope(|scope| {
        let jobs = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        let handles: Vec<_> = (0..jobs)
            .map(|job| {
                let signers = &signers;
                scope.spawn(move || {
                    let mut lines = Vec::new();
                    let mut n = job;
                    while n < count {
                        let content = content(n);
                        let (signature, expectation) = signers.sign(n, &content);
                        std::fs::write(dir.join(format!("{n:07}.pdf")), &content).unwrap();
                        std::fs::write(dir.join(format!("{n:07}.p7s")), &signature).unwrap();
                        let mut line = serde_json::json!({
                            "id": n,
                            "sig": format!("{n:07}.p7s"),
                            "data": format!("{n:07}.pdf"),
                        });
                        if let Some(iin) = expectation.iin {
                            line["expectIin"] = iin.into();
                        }
                        if let Some(bin) = expectation.bin {
                            line["expectBin"] = bin.into();
                        }
                        lines.push((n, line.to_string()));
                        n += jobs;
                    }
                    lines
                })
            })
            .collect();
        let mut all: Vec<(u64, String)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort();
        all.into_iter().map(|(_, line)| line).collect()
    });
    for line in lines {
        writeln!(manifest, "{line}").unwrap();
    }
    manifest.flush().unwrap();
    println!(
        "wrote {count} signed files and {}",
        dir.join("manifest.jsonl").display()
    );
}

/// Verifies the first `sample` manifest lines on this thread, reading each file as
/// `verify --batch` does, and prints the rate.
fn batch_engine_rate(dir: &Path, sample: usize) {
    let verifier = verifier();
    let text = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let at = SUBMITTED + 86_400 * 12;
    let started = Instant::now();
    let mut passed = 0;
    let mut verified = 0;
    for line in text.lines().take(sample) {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let signature = std::fs::read(dir.join(entry["sig"].as_str().unwrap())).unwrap();
        let data = std::fs::read(dir.join(entry["data"].as_str().unwrap())).unwrap();
        let expectation = Expectation {
            iin: entry["expectIin"].as_str().map(str::to_owned),
            bin: entry["expectBin"].as_str().map(str::to_owned),
            roles: Vec::new(),
        };
        let report = verifier
            .verify(
                &Request::new(&signature, at)
                    .data(Data::Bytes(&data))
                    .expect(expectation),
            )
            .unwrap();
        passed += usize::from(report.verdict.passed());
        verified += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(passed, verified);
    println!(
        "engine: {verified} files verified on one thread in {seconds:.2} s ({:.0}/s)",
        verified as f64 / seconds
    );
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are this tool's.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let number = |i: usize| -> u64 { args[i].parse().expect("a number") };
    match args.first().map(String::as_str) {
        Some("generate") => generate(Path::new(&args[1]), number(2)),
        Some("engine-rate") => engine_rate(Path::new(&args[1]), number(2) as usize),
        Some("files") => files(Path::new(&args[1]), number(2)),
        Some("batch-engine-rate") => batch_engine_rate(Path::new(&args[1]), number(2) as usize),
        Some("config") => config(Path::new(&args[1])),
        Some("flush") => {
            let db = Path::new(&args[1]).join("db");
            let store = ContentStore::open(&db, ContentConfig::default()).unwrap();
            store.backend().flush().unwrap();
        }
        // `cargo bench --workspace` runs every bench with no arguments: nothing to do.
        _ => eprintln!(
            "usage: reverify_vault generate|files|engine-rate|batch-engine-rate|config|flush DIR [N]"
        ),
    }
}
