//! Long-term validation (`docs/reverification.md`, "Long-term validation") on a real RocksDB
//! store with the LTV test PKI (`verifier/testdata/ltv/generate.sh`): documents registered on
//! 2026-06-15T12:00:00Z with the CRLs then in force, re-verified in 2030 and 2040, when the
//! certificates, the CA's and the root's too, have expired and the CA publishes nothing any
//! more. The registration is the proof of existence and its kept CRLs the evidence.

use std::sync::Arc;

use jiff::Timestamp;
use qoima_verifier::Report;
use qoima_verifier::identity::Expectation;
use qoima_verifier::testing::ltv::{
    self, CA_CRL_MAY, CA_CRL_OCTOBER, DOC, REGISTERED, ROOT_CRL, Y2030, Y2040,
};
use qoima_verifier::verdict::{Indication, SubIndication, Verdict};
use sha2::Digest;

use super::*;
use crate::address::ContentAddress;
use crate::content::ContentConfig;
use crate::records::{Participant, Template};

/// The vault's clock while the documents are registered.
fn registration_clock() -> Timestamp {
    Timestamp::from_second(REGISTERED).unwrap()
}

fn at(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap()
}

/// A registry whose verifier holds the CRLs in force on 2026-06-15 (the root's, the CA's May
/// CRL), kept in the vault as `qoima` keeps its configured CRLs.
fn registry(dir: &std::path::Path) -> Registry {
    let content = ContentStore::open(dir, ContentConfig::default()).unwrap();
    let numbering = Numbering::new(Template::parse(Numbering::DEFAULT_TEMPLATE).unwrap());
    let registry = Registry::new(
        content,
        Arc::new(ltv::verifier(&[ROOT_CRL, CA_CRL_MAY])),
        Calendar::builtin().unwrap(),
        numbering,
    )
    .unwrap()
    .with_clock(registration_clock);
    registry.keep_crls([ROOT_CRL, CA_CRL_MAY]).unwrap();
    registry
}

/// Registers [`DOC`] signed by `name` now (2026-06-15T12:00:00Z).
fn register(registry: &Registry, name: &str) -> Result<Registered, RegisterError> {
    let address = registry.content().put(DOC).unwrap().address;
    let registration = Registration::new(
        address,
        vec![ltv::cms(name).to_vec()],
        RetentionClass::ProjectDocumentation,
        Participant::new("ТОО Тест").unwrap(),
        Submitter::new("test operator".parse().unwrap()),
        registration_clock(),
    )
    .expect(Expectation {
        iin: Some(ltv::IIN.into()),
        ..Expectation::default()
    });
    registry.register(&registration)
}

/// The verdict of `id`'s first version re-verified at `unix`, with the registration as its
/// proof of existence.
fn reverified(registry: &Registry, id: DocumentId, unix: i64) -> Report {
    let mut reports = registry.reverify(id, 1, at(unix)).unwrap().unwrap();
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

const SIGNERS: [&str; 8] = [
    "good",
    "good-ec",
    "published-late",
    "revoked-after",
    "unspecified-after",
    "compromised-before",
    "compromised-after",
    "compromised-undated",
];

#[test]
fn valid_when_registered_stays_valid_from_the_kept_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let mut ids = Vec::new();
    for name in SIGNERS {
        let registered = register(&registry, name).unwrap();
        // The evidence: the CA's May CRL (for the end entity) and the root's (for the CA).
        let kept: Vec<ContentAddress> = registered
            .version
            .crls
            .iter()
            .map(|a| ContentAddress(*a))
            .collect();
        let expected: Vec<ContentAddress> = [CA_CRL_MAY, ROOT_CRL]
            .iter()
            .map(|der| ContentAddress(sha2::Sha256::digest(der).into()))
            .collect();
        assert_eq!(kept.len(), 2, "{name}");
        for address in expected {
            assert!(kept.contains(&address), "{name}: {kept:?}");
        }
        ids.push((name, registered.id));
    }
    // Listed on the CRL in force: refused, nothing registered.
    let refused = register(&registry, "revoked-before").unwrap_err();
    assert!(
        matches!(&refused, RegisterError::Refused { verdict, .. } if verdict.contains("REVOKED_NO_POE")),
        "{refused:?}"
    );

    // The CA stopped publishing: no CRL anywhere but the vault's evidence.
    registry.replace_verifier(Arc::new(ltv::verifier(&[])));
    for unix in [Y2030, Y2040] {
        for &(name, id) in &ids {
            let report = reverified(&registry, id, unix);
            // Nothing says any of them was revoked by 2026-06-15: every one stays valid.
            assert_eq!(
                report.verdict,
                Verdict::PASSED,
                "{name} at {unix}: {report:#?}"
            );
            let signer = &report.signers[0];
            assert_eq!(
                signer
                    .proof_of_existence
                    .as_ref()
                    .map(|p| (p.time, p.source)),
                Some((REGISTERED, "caller"))
            );
            for entry in &signer.revocation {
                assert_eq!(entry.status, "good", "{name}");
                assert_eq!(entry.status_at.as_deref(), Some("2026-06-15T12:00:00Z"));
            }
        }
        // As a new signature (no proof of existence): the certificates have expired.
        let (_, id) = ids[0];
        let version = registry.document(id).unwrap().unwrap().versions[0].clone();
        let reports = registry
            .reverify_version(
                &registry.verifier(),
                &version,
                unix,
                ReverifyMode::Now,
                false,
            )
            .unwrap();
        assert_eq!(reports[0].verdict.indication, Indication::Indeterminate);
    }
}

#[test]
fn revocations_published_later_decide_by_their_dates() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let ids: Vec<(&str, DocumentId)> = SIGNERS
        .iter()
        .map(|&name| (name, register(&registry, name).unwrap().id))
        .collect();
    // The CA's last CRL (October), lapsed long ago, is all the operator still has.
    registry.replace_verifier(Arc::new(ltv::verifier(&[CA_CRL_OCTOBER])));
    for unix in [Y2030, Y2040] {
        for &(name, id) in &ids {
            let report = reverified(&registry, id, unix);
            let expected = match name {
                // Revoked on 2026-06-10, before the registration, though the CRL the
                // registration read did not list it yet.
                "published-late" => Verdict::failed(SubIndication::Revoked),
                // The key was compromised (invalidityDate 2026-05-01) before the registration.
                "compromised-before" => Verdict::failed(SubIndication::Revoked),
                // keyCompromise with no date: retroactive.
                "compromised-undated" => Verdict::failed(SubIndication::Revoked),
                // After the registration, for a benign reason or with a compromise dated
                // after it: valid, the revocation reported.
                _ => Verdict::PASSED,
            };
            assert_eq!(report.verdict, expected, "{name} at {unix}: {report:#?}");
        }
        let report = reverified(&registry, ids[5].1, unix);
        let entry = &report.signers[0].revocation[0];
        assert_eq!(
            entry.invalidity_date.as_deref(),
            Some("2026-05-01T00:00:00Z")
        );
        assert_eq!(
            entry.revocation_date.as_deref(),
            Some("2026-09-01T00:00:00Z")
        );
    }
}

#[test]
fn missing_evidence_is_an_error_not_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let registered = register(&registry, "good").unwrap();
    registry.replace_verifier(Arc::new(ltv::verifier(&[])));
    let mut version = registered.version.clone();
    version.crls.push([7; 32]);
    let error = registry
        .reverify_version(
            &registry.verifier(),
            &version,
            Y2030,
            ReverifyMode::Registered,
            false,
        )
        .unwrap_err();
    assert!(
        matches!(error, ReverifyError::Evidence { address, .. } if address.0 == [7; 32]),
        "{error:?}"
    );
}
