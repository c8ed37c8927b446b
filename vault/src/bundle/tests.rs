//! A bundle made here from records, entries and a log built in memory (no vault), verified,
//! then broken one claim at a time: each break is refused with the error naming it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

use qoima_verifier::testing::pki;
use qoima_verifier::testing::sign_detached;
use qoima_verifier::{Data, Request};
use sha2::{Digest, Sha256};

use super::zip::{self, Entry};
use super::*;
use crate::address::ContentAddress;
use crate::audit::{Checkpoint, Hash, Signer, hash_leaf, inclusion_proof, root};
use crate::codec;
use crate::records::{DocumentId, DocumentRecord, Event, ExpectedSigner, VersionRecord};

const ID: DocumentId = DocumentId([7; 16]);
const IIN: &str = "850315300128";

fn signer(name: &str) -> Signer {
    Signer::from_pkcs8(name, &Signer::generate_pkcs8().unwrap()).unwrap()
}

/// An audit entry as the registry writes it (`registry/mod.rs`, `AuditEntry`).
fn entry(kind: &str, number: u32, record: &[u8]) -> Vec<u8> {
    format!(
        "qoima-audit-v2\n{kind}\n1781524800\n{ID}\n{number}\noperator\n\n\n{}\n",
        hex::encode(Sha256::digest(record))
    )
    .into_bytes()
}

/// OCSP responses about the individual and its CA, produced 2026-06-15T10:00:00Z, stale a week
/// later (`verifier/testdata/pki/ocsp.sh`).
const OCSP: [&[u8]; 2] = [
    include_bytes!("../../../verifier/testdata/pki/ocsp/individual-good-ca.der"),
    include_bytes!("../../../verifier/testdata/pki/ocsp/ca-rsa-good-root.der"),
];

/// How a version's registration learnt the signer's status.
#[derive(Clone, Copy, PartialEq)]
enum Status {
    /// From the CRLs, which the record keeps.
    Crls,
    /// From OCSP responses alone (no CRL at all), which the record keeps.
    Ocsp,
}

/// A version record of `content` signed by the individual, with the report of that signature
/// as the registry keeps it.
fn version(number: u32, content: &[u8], audit_index: u64, status: Status) -> VersionRecord {
    let signature = sign_detached(pki::INDIVIDUAL, pki::INDIVIDUAL_KEY, content);
    let address = ContentAddress::of(content);
    let mut responses = qoima_verifier::revocation::OcspStore::new();
    let verifier = match status {
        Status::Crls => pki::rsa_verifier(),
        Status::Ocsp => {
            for der in OCSP {
                responses.add_supplied(der).unwrap();
            }
            pki::rsa_verifier_with(&[], qoima_verifier::policy::Policy::default())
        }
    };
    let report = verifier
        .verify(
            &Request::new(&signature, pki::VALIDATION_TIME)
                .data(Data::Digest {
                    algorithm: qoima_verifier::crypto::DigestAlgorithm::Sha256,
                    value: &address.0,
                })
                .ocsp(&responses),
        )
        .unwrap();
    assert!(report.verdict.passed(), "{}", report.verdict);
    let (crls, ocsp_responses) = match status {
        Status::Crls => (
            vec![
                ContentAddress::of(pki::CA_RSA_CRL).0,
                ContentAddress::of(pki::ROOT_RSA_CRL).0,
            ],
            Vec::new(),
        ),
        Status::Ocsp => (
            Vec::new(),
            OCSP.iter().map(|der| ContentAddress::of(der).0).collect(),
        ),
    };
    VersionRecord {
        version: number,
        content: address.0,
        length: content.len() as u64,
        format: "txt".into(),
        signatures: vec![signature],
        expected: ExpectedSigner {
            iin: Some(IIN.into()),
            bin: None,
            roles: Vec::new(),
        },
        registration_number: format!("acme-2026-00000{number}"),
        registration_date: "2026-06-16".into(),
        registered_at: pki::VALIDATION_TIME,
        retain_until: Some("2031-06-16".into()),
        tail_years: 0,
        report: serde_json::to_vec(&[report]).unwrap(),
        crls,
        ocsp_responses,
        annulment: None,
        audit_index,
        filename: None,
        media_type: None,
        dated_by: "670 §18".into(),
        retained_by: "253 §44".into(),
        submitted_by: Some("operator".into()),
        sender_unknown: false,
    }
}

/// The evidence of a document of two versions in a log of four entries (an unrelated one
/// between them), exported with a consistency proof from the log's first entry; the signer.
fn evidence() -> (Evidence, Signer) {
    evidence_with(Status::Crls)
}

/// [`evidence`], with version 2's status from `second`.
fn evidence_with(second: Status) -> (Evidence, Signer) {
    let signer = signer("test.example/log");
    let document = codec::encode(&DocumentRecord {
        class: "project-documentation".into(),
        participant: "acme".into(),
        object_number: None,
        created_at: pki::VALIDATION_TIME,
    })
    .unwrap();
    let contents = [b"first version".to_vec(), b"second version".to_vec()];
    let v1 = codec::encode_upgraded(&version(1, &contents[0], 0, Status::Crls)).unwrap();
    let v2 = codec::encode_upgraded(&version(2, &contents[1], 2, second)).unwrap();
    let read = codec::encode_upgraded(&Event::AuditorRead {
        by: "auditor".into(),
        what: export_statement(2),
        at: pki::VALIDATION_TIME + 60,
    })
    .unwrap();
    let entries = [
        entry("register", 1, &[document.clone(), v1.clone()].concat()),
        b"qoima-audit-v2\ncalendar\n1781524800\ncalendar:2027\n1\noperator\n\n\nff\n".to_vec(),
        entry("new-version", 2, &v2),
        entry("auditor-read", 1, &read),
    ];
    let leaves: Vec<Hash> = entries.iter().map(|e| hash_leaf(e)).collect();
    let size = leaves.len() as u64;
    let checkpoint = Checkpoint::new(signer.name(), size, root(&leaves, size).unwrap());
    let note = checkpoint.sign(&signer).unwrap();
    let old = Checkpoint::new(signer.name(), 1, root(&leaves, 1).unwrap());
    let old_note = old.sign(&signer).unwrap();
    let proof = crate::audit::consistency_proof(&leaves, 1, size).unwrap();
    let logged = |index: u64| Logged {
        entry: entries[index as usize].clone(),
        index,
        proof: inclusion_proof(&leaves, index, size).unwrap(),
    };
    let evidence = Evidence {
        document: ID,
        document_record: document,
        versions: vec![
            VersionEvidence {
                record: v1,
                content: contents[0].clone(),
                logged: logged(0),
            },
            VersionEvidence {
                record: v2,
                content: contents[1].clone(),
                logged: logged(2),
            },
        ],
        export: (read, logged(3)),
        checkpoint: (checkpoint, note),
        verifier_key: signer.verifier_key().clone(),
        since: Some((old, old_note, proof)),
        // The signer's certificate comes from the signature; the chain from "the trust store".
        certificates: vec![pki::ROOT_RSA.to_vec(), pki::CA_RSA.to_vec()],
        crls: vec![pki::CA_RSA_CRL.to_vec(), pki::ROOT_RSA_CRL.to_vec()],
        ocsp_responses: if second == Status::Ocsp {
            OCSP.iter().map(|der| der.to_vec()).collect()
        } else {
            Vec::new()
        },
    };
    (evidence, signer)
}

fn options(signer: &Signer) -> Options {
    Options {
        key: Some(signer.verifier_key().clone()),
        at: pki::VALIDATION_TIME + 86_400,
        ..Options::default()
    }
}

fn check(bytes: &[u8], options: &Options) -> Result<Verified, BundleError> {
    verify(&Bundle::read(bytes, MAX_BUNDLE)?, options)
}

/// The bundle's entries, owned, to change and write again.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    zip::read(bytes)
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

fn changed(bytes: &[u8], name: &str, change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut entries = entries(bytes);
    change(&mut entries.iter_mut().find(|(n, _)| n == name).unwrap().1);
    rezip(&entries)
}

fn with_manifest(bytes: &[u8], change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    changed(bytes, manifest::MANIFEST, |json| {
        let mut value: serde_json::Value = serde_json::from_slice(json).unwrap();
        change(&mut value);
        *json = serde_json::to_vec(&value).unwrap();
    })
}

#[track_caller]
fn refused(result: Result<Verified, BundleError>, expected: &str) {
    match result {
        Ok(_) => panic!("verified; expected {expected:?}"),
        Err(e) => assert!(
            e.to_string().contains(expected),
            "{e}; expected {expected:?}"
        ),
    }
}

#[test]
fn a_bundle_verifies_and_says_what_it_proves() {
    let (evidence, signer) = evidence();
    let bytes = write(&evidence).unwrap();
    assert_eq!(
        write(&evidence).unwrap(),
        bytes,
        "the same evidence, the same bytes"
    );
    let verified = check(&bytes, &options(&signer)).unwrap();
    assert_eq!(verified.document, ID);
    assert!(verified.key_given);
    assert_eq!(verified.checkpoint.size, 4);
    let (old, held) = verified.since.as_ref().unwrap();
    assert_eq!((old.size, *held), (1, false));
    let found: Vec<_> = verified
        .versions
        .iter()
        .map(|v| (v.version, v.audit_index, v.kind.as_str(), v.content.1))
        .collect();
    assert_eq!(found, [(1, 0, "register", 13), (2, 2, "new-version", 14)]);
    assert!(verified.reports().all(|r| r.verdict.passed()));
    assert_eq!(
        verified.export,
        (3, "auditor".into(), pki::VALIDATION_TIME + 60)
    );
    // The anchors are the bundle's: the root the reports' paths end at.
    let root = qoima_verifier::path::Fingerprint::of(pki::ROOT_RSA).to_string();
    assert_eq!(verified.anchors, (vec![root], false));
    // Without a key, the bundle's own; with the auditor's anchors, those.
    let own = Options {
        key: None,
        trust: vec![pki::ROOT_RSA.to_vec()],
        ..options(&signer)
    };
    let verified = check(&bytes, &own).unwrap();
    assert!(!verified.key_given && verified.anchors.1);
    // The checkpoint held is the bundle's start.
    let held = Options {
        held: Some(evidence.since.as_ref().unwrap().1.clone().into_bytes()),
        ..options(&signer)
    };
    assert!(check(&bytes, &held).unwrap().since.unwrap().1);
}

#[test]
fn anchors_the_auditor_does_not_trust_leave_the_signatures_unproven() {
    let (evidence, signer) = evidence();
    let bytes = write(&evidence).unwrap();
    let other_root = Options {
        trust: vec![pki::ROOT_OFFICER.to_vec()],
        ..options(&signer)
    };
    let verified = check(&bytes, &other_root).unwrap();
    assert!(verified.reports().all(|r| !r.verdict.passed()));
}

#[test]
fn each_broken_claim_is_named() {
    let (evidence, signer) = evidence();
    let bytes = write(&evidence).unwrap();
    let options = options(&signer);
    refused(
        check(
            &changed(&bytes, "versions/1/content.txt", |c| c[0] ^= 1),
            &options,
        ),
        "version 1: the content hashes to",
    );
    refused(
        check(
            &changed(&bytes, "versions/2/signature-1.p7s", |s| {
                *s = evidence.versions[0].record.clone();
            }),
            &options,
        ),
        "version 2: signature 1",
    );
    refused(
        check(
            &changed(&bytes, "versions/2/record.bin", |r| {
                let at = r.windows(5).position(|w| w == b"acme-").unwrap();
                r[at] = b'A';
            }),
            &options,
        ),
        "the record was changed",
    );
    refused(
        check(
            &changed(&bytes, "document-record.bin", |r| {
                let last = r.len() - 1;
                r[last] ^= 1;
            }),
            &options,
        ),
        "document and version",
    );
    refused(
        check(
            &changed(&bytes, "versions/1/audit-entry.txt", |e| e[20] ^= 1),
            &options,
        ),
        "version 1's audit entry (index 0): it is not proven to be in the log",
    );
    refused(
        check(
            &changed(&bytes, "log/checkpoint.txt", |n| {
                let at = n.len() - 3;
                n[at] = if n[at] == b'A' { b'B' } else { b'A' };
            }),
            &options,
        ),
        "the checkpoint: its signature does not verify with the key given",
    );
    refused(
        check(
            &with_manifest(&bytes, |m| {
                m["since"]["consistencyProof"][0] = "11".repeat(32).into();
            }),
            &options,
        ),
        "the consistency proof to the older checkpoint",
    );
    refused(
        check(
            &with_manifest(&bytes, |m| {
                m["versions"][1]["auditEntry"]["index"] = 1.into();
            }),
            &options,
        ),
        "not proven to be in the log",
    );
    refused(
        check(
            &with_manifest(&bytes, |m| {
                m["versions"][0]["registrationDate"] = "2026-06-17".into();
            }),
            &options,
        ),
        "is not what the version's record says",
    );
    refused(
        check(
            &with_manifest(&bytes, |m| {
                m["certificates"][0]["trustAnchor"] =
                    (!m["certificates"][0]["trustAnchor"].as_bool().unwrap()).into();
            }),
            &options,
        ),
        "trust anchor",
    );
    let wrong = Options {
        key: Some(signer_of_another_log().verifier_key().clone()),
        ..options.clone()
    };
    refused(check(&bytes, &wrong), "does not verify with the key given");
}

fn signer_of_another_log() -> Signer {
    signer("other.example/log")
}

#[test]
fn a_version_removed_contradicts_the_logged_export() {
    let (mut evidence, signer) = evidence();
    evidence.versions.pop();
    let bytes = write(&evidence).unwrap();
    refused(check(&bytes, &options(&signer)), "a version was removed");
    let (mut evidence, signer) = self::evidence();
    evidence.versions.remove(0);
    let bytes = write(&evidence).unwrap();
    refused(
        check(&bytes, &options(&signer)),
        "version 1 is not in the bundle",
    );
}

#[test]
fn the_entries_must_be_the_manifests_exactly() {
    let (evidence, signer) = evidence();
    let bytes = write(&evidence).unwrap();
    let options = options(&signer);
    let mut added = entries(&bytes);
    added.push(("notes.txt".into(), b"x".to_vec()));
    refused(
        check(&rezip(&added), &options),
        "notes.txt that its manifest does not name",
    );
    let mut removed = entries(&bytes);
    removed.retain(|(n, _)| n != "export/record.bin");
    refused(
        check(&rezip(&removed), &options),
        "no entry export/record.bin",
    );
    refused(
        check(
            &with_manifest(&bytes, |m| {
                m["versions"][1]["content"]["file"] = "versions/1/content.txt".into();
            }),
            &options,
        ),
        "named twice",
    );
    refused(
        check(&with_manifest(&bytes, |m| m["extra"] = 1.into()), &options),
        "unknown field",
    );
    let mut swapped = entries(&bytes);
    swapped.swap(0, 1);
    refused(
        check(&rezip(&swapped), &options),
        "the first entry is not `mimetype`",
    );
    refused(
        check(&changed(&bytes, "mimetype", |m| m.push(b'x')), &options),
        "media type",
    );
    refused(
        Bundle::read(&bytes, 100).map(|_| unreachable!()),
        "more than the 100 allowed",
    );
}

#[test]
fn a_crl_or_certificate_not_kept_by_the_records_is_refused() {
    let (mut evidence, signer) = evidence();
    let crls = evidence.crls.clone();
    evidence.crls.pop();
    assert!(matches!(write(&evidence), Err(BundleError::Write(_))));
    evidence.crls = crls;
    let bytes = write(&evidence).unwrap();
    let crl = format!(
        "crls/{}.crl",
        hex::encode(ContentAddress::of(pki::CA_RSA_CRL).0)
    );
    refused(
        check(&changed(&bytes, &crl, |c| c.push(0)), &options(&signer)),
        "does not hash to its name",
    );
}

#[test]
fn ocsp_responses_a_record_keeps_travel_with_it_and_answer_years_later() {
    let (evidence, signer) = evidence_with(Status::Ocsp);
    let bytes = write(&evidence).unwrap();
    // In 2030 every response and CRL is stale and the signer's certificate expired (2028):
    // the registration proves the signature existed while they were current.
    let later = Options {
        at: pki::VALIDATION_TIME + 4 * 365 * 86_400,
        ..options(&signer)
    };
    let verified = check(&bytes, &later).unwrap();
    assert!(verified.reports().all(|r| r.verdict.passed()));
    let second = &verified.versions[1].reports[0].signers[0].revocation;
    assert!(
        second
            .iter()
            .all(|entry| entry.status_source == Some("ocsp")),
        "{second:?}"
    );

    let response = format!("ocsp/{}.der", hex::encode(ContentAddress::of(OCSP[0]).0));
    refused(
        check(&changed(&bytes, &response, |r| r.push(0)), &later),
        "does not hash to its name: it was changed",
    );
    // Taken out of the bundle, manifest and all: the record still names it.
    let mut without = entries(&bytes);
    without.retain(|(name, _)| *name != response);
    let manifest = without
        .iter_mut()
        .find(|(name, _)| name == manifest::MANIFEST)
        .unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&manifest.1).unwrap();
    value["ocspResponses"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["file"] != response.as_str());
    manifest.1 = serde_json::to_vec(&value).unwrap();
    refused(
        check(&rezip(&without), &later),
        "which a version record keeps as evidence, is not in the bundle",
    );
    // What the manifest says of the version is what its record says.
    refused(
        check(
            &with_manifest(&bytes, |m| {
                m["versions"][1]["ocspResponses"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            &later,
        ),
        "OCSP responses",
    );
}
