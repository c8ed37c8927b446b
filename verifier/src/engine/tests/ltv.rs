//! Long-term validation (EN 319 102-1 §5.6.2.4; `docs/reverification.md`, "Long-term
//! validation") on the LTV test PKI (`testdata/ltv/generate.sh`): signatures proven to exist
//! at their registration (2026-06-15T12:00:00Z), verified in 2030 and 2040 when every
//! certificate, the root's too, has expired and no CRL is fresh any more, with the CRLs that
//! were in force at the registration as the caller's evidence.

use crate::engine::{CheckName, Data, Outcome, Report, Request, Verifier};
use crate::revocation::CrlStore;
use crate::testing::ltv::{
    self, CA_CRL_MAY, CA_CRL_OCTOBER, DOC, OCTOBER, REGISTERED, ROOT_CRL, Y2030, Y2040,
};
use crate::verdict::{Indication, SubIndication, Verdict};

/// The CRLs a registration on 2026-06-15 used: the root's and the CA's May CRL.
fn registration_evidence() -> CrlStore {
    let mut store = CrlStore::new();
    store.add(ROOT_CRL).unwrap();
    store.add(CA_CRL_MAY).unwrap();
    store
}

/// `name`'s signature at `at`, proven to exist at the registration, with `evidence`.
fn verify(verifier: &Verifier, name: &str, at: i64, evidence: Option<&CrlStore>) -> Report {
    let mut request = Request::new(ltv::cms(name), at)
        .data(Data::Bytes(DOC))
        .proof_of_existence(REGISTERED);
    if let Some(evidence) = evidence {
        request = request.evidence(evidence);
    }
    verifier.verify(&request).unwrap()
}

fn revocation_messages(report: &Report) -> Vec<String> {
    report.signers[0]
        .checks
        .iter()
        .filter(|c| c.check == CheckName::Revocation)
        .map(|c| c.message.to_string())
        .collect()
}

#[test]
fn at_the_registration_the_may_crls_decide() {
    let verifier = ltv::verifier(&[ROOT_CRL, CA_CRL_MAY]);
    for name in [
        "good",
        "good-ec",
        "published-late",
        "revoked-after",
        "compromised-before",
    ] {
        let report = verifier
            .verify(&Request::new(ltv::cms(name), REGISTERED).data(Data::Bytes(DOC)))
            .unwrap();
        assert_eq!(report.verdict, Verdict::PASSED, "{name}: {report:#?}");
    }
    // Listed on the CRL in force, and no proof of existence: a registration refuses it.
    let report = verifier
        .verify(&Request::new(ltv::cms("revoked-before"), REGISTERED).data(Data::Bytes(DOC)))
        .unwrap();
    assert_eq!(
        report.verdict,
        Verdict::failed(SubIndication::RevokedNoPoe),
        "{report:#?}"
    );
}

#[test]
fn years_later_the_kept_evidence_proves_the_status_at_the_registration() {
    // The CA stopped publishing: the verifier holds no CRL at all.
    let verifier = ltv::verifier(&[]);
    let evidence = registration_evidence();
    for at in [Y2030, Y2040] {
        for name in ["good", "good-ec"] {
            // Without the evidence nothing tells the status: try later (for ever).
            let report = verify(&verifier, name, at, None);
            assert_eq!(
                report.verdict,
                Verdict::failed(SubIndication::TryLater),
                "{name} at {at}: {report:#?}"
            );
            let report = verify(&verifier, name, at, Some(&evidence));
            assert_eq!(
                report.verdict,
                Verdict::PASSED,
                "{name} at {at}: {report:#?}"
            );
            let signer = &report.signers[0];
            // The certificates have expired, the root too: the path is the one at the proof.
            let path = signer
                .checks
                .iter()
                .find(|c| c.check == CheckName::CertificatePath)
                .unwrap();
            assert_eq!(path.outcome, Outcome::Passed);
            assert!(
                path.message.to_string().contains("proof of existence"),
                "{path:?}"
            );
            // Every certificate but the anchor: the end entity's status from the CA's May
            // CRL, the CA's from the root's, both as at the registration.
            assert_eq!(signer.revocation.len(), 2);
            for entry in &signer.revocation {
                assert_eq!(entry.status, "good");
                assert_eq!(entry.status_at.as_deref(), Some("2026-06-15T12:00:00Z"));
                assert_eq!(entry.sources.len(), 1);
            }
            assert!(
                revocation_messages(&report)[0].contains("at the proof of existence"),
                "{:?}",
                revocation_messages(&report)
            );
            // Without a proof of existence, the evidence proves nothing about 2030.
            let report = verifier
                .verify(
                    &Request::new(ltv::cms(name), at)
                        .data(Data::Bytes(DOC))
                        .evidence(&evidence),
                )
                .unwrap();
            assert_eq!(report.verdict.indication, Indication::Indeterminate);
        }
    }
}

/// The CA's last CRL (October), long lapsed, held by the verifier, and the May CRLs as the
/// evidence: what each revocation means for a signature registered on 2026-06-15.
#[test]
fn lapsed_crls_still_tell_revocations_before_and_after_the_registration() {
    let verifier = ltv::verifier(&[CA_CRL_OCTOBER]);
    let evidence = registration_evidence();
    for at in [OCTOBER, Y2030, Y2040] {
        let verdict = |name: &str| verify(&verifier, name, at, Some(&evidence)).verdict;
        assert_eq!(verdict("good"), Verdict::PASSED, "at {at}");
        // After the registration, for a benign reason (or none): valid, with a warning.
        for name in ["revoked-after", "unspecified-after", "compromised-after"] {
            let report = verify(&verifier, name, at, Some(&evidence));
            assert_eq!(
                report.verdict,
                Verdict::PASSED,
                "{name} at {at}: {report:#?}"
            );
            let messages = revocation_messages(&report);
            assert!(
                messages
                    .iter()
                    .any(|m| m.contains("after the proof of existence")),
                "{name}: {messages:?}"
            );
        }
        // Revoked on 2026-06-10, before the registration, though the May CRL the registration
        // read did not list it yet: the October CRL does.
        let report = verify(&verifier, "published-late", at, Some(&evidence));
        assert_eq!(
            report.verdict,
            Verdict::failed(SubIndication::Revoked),
            "at {at}: {report:#?}"
        );
        assert_eq!(
            report.signers[0].revocation[0].revocation_date.as_deref(),
            Some("2026-06-10T00:00:00Z")
        );
        // keyCompromise after the registration, but the key was compromised before it (its
        // invalidityDate): REVOKED, and the report says since when.
        let report = verify(&verifier, "compromised-before", at, Some(&evidence));
        assert_eq!(
            report.verdict,
            Verdict::failed(SubIndication::Revoked),
            "at {at}: {report:#?}"
        );
        let entry = &report.signers[0].revocation[0];
        assert_eq!(
            entry.invalidity_date.as_deref(),
            Some("2026-05-01T00:00:00Z")
        );
        assert!(
            revocation_messages(&report)
                .iter()
                .any(|m| m.contains("invalid since 2026-05-01T00:00:00Z")),
            "{:?}",
            revocation_messages(&report)
        );
        // keyCompromise with no invalidityDate: retroactive, as before.
        assert_eq!(
            verdict("compromised-undated"),
            Verdict::failed(SubIndication::Revoked),
            "at {at}"
        );
        // Listed before the registration: REVOKED.
        assert_eq!(
            verdict("revoked-before"),
            Verdict::failed(SubIndication::Revoked),
            "at {at}"
        );
    }
}

/// A revocation before the registration that only a CRL issued after the certificate expired
/// would no longer list is still found in an older CRL the verifier holds: a certificate
/// dropped from the CRLs in force is not thereby good at the proof of existence.
#[test]
fn a_revocation_the_crls_in_force_no_longer_list_still_counts() {
    // The evidence: the October CRL (lists published-late, revoked 2026-06-10). In force in
    // October the same CRL decides; later the status at the proof comes from it as evidence.
    let mut evidence = CrlStore::new();
    evidence.add(ROOT_CRL).unwrap();
    evidence.add(CA_CRL_OCTOBER).unwrap();
    let verifier = ltv::verifier(&[]);
    let report = verify(&verifier, "published-late", Y2040, Some(&evidence));
    assert_eq!(report.verdict, Verdict::failed(SubIndication::Revoked));
    // The May CRL alone (what the registration read) does not know it: valid.
    let report = verify(
        &verifier,
        "published-late",
        Y2040,
        Some(&registration_evidence()),
    );
    assert_eq!(report.verdict, Verdict::PASSED, "{report:#?}");
}
