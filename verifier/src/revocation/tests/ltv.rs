//! The LTV test PKI (`testdata/ltv/generate.sh`): invalidityDate read from CRL entries (parsed
//! whole and streamed), the status at a proof of existence from CRLs that have lapsed
//! (`CrlStore::status_at_proof`), and what an invalidityDate means for a keyCompromise.

use super::{cert, is_good, store};
use crate::path::Certificate;
use crate::revocation::{
    Crl, CrlStore, RevocationDecision, RevocationReason, RevocationStatus, Subject, UnknownReason,
};
use crate::testing::ltv::{
    CA, CA_CRL_MAY, CA_CRL_OCTOBER, REGISTERED, ROOT, ROOT_CRL, Y2030, Y2040,
};
use crate::verdict::SubIndication;

/// 2026-05-01T00:00:00Z.
const MAY_1: i64 = 1_777_593_600;
/// 2026-08-01T00:00:00Z.
const AUGUST_1: i64 = 1_785_542_400;
/// 2026-09-01T00:00:00Z.
const SEPTEMBER_1: i64 = 1_788_220_800;
/// 2026-06-10T00:00:00Z.
const JUNE_10: i64 = 1_781_049_600;

fn ee(name: &str) -> Certificate {
    let path = format!(
        "{}/testdata/ltv/certs/{name}.cer",
        env!("CARGO_MANIFEST_DIR")
    );
    cert(&std::fs::read(path).unwrap())
}

fn serial(cert: &Certificate) -> Vec<u8> {
    crate::revocation::serial_of(cert).unwrap().to_vec()
}

#[test]
fn invalidity_dates_are_read_parsed_whole_and_streamed() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/ltv/crl/ca-2026-10.crl");
    let mut streamed = CrlStore::new();
    let fingerprints = streamed.add_file(&path).unwrap();
    let streamed = streamed.get(&fingerprints[0]).unwrap();
    let whole = Crl::from_der(CA_CRL_OCTOBER).unwrap();
    for (name, reason, invalidity) in [
        (
            "compromised-before",
            Some(RevocationReason::KeyCompromise),
            Some(MAY_1),
        ),
        (
            "compromised-after",
            Some(RevocationReason::KeyCompromise),
            Some(AUGUST_1),
        ),
        (
            "compromised-undated",
            Some(RevocationReason::KeyCompromise),
            None,
        ),
        ("unspecified-after", None, None),
        ("revoked-after", Some(RevocationReason::Superseded), None),
    ] {
        let serial = serial(&ee(name));
        for crl in [&whole, streamed.as_ref()] {
            let entry = crl.revoked().get(&serial).unwrap();
            assert_eq!(entry.date, SEPTEMBER_1, "{name}");
            assert_eq!(entry.reason, reason, "{name}");
            assert_eq!(entry.invalidity_date, invalidity, "{name}");
        }
    }
    assert!(whole.revoked().get(&serial(&ee("good"))).is_none());
}

#[test]
fn the_status_at_a_proof_of_existence_outlives_the_crls() {
    let ca = cert(CA);
    let root = cert(ROOT);
    let may = store(&[CA_CRL_MAY, ROOT_CRL]);
    // In force at the registration; lapsed years later.
    assert!(is_good(&may.status(&ee("good"), &ca, REGISTERED)));
    assert_eq!(
        may.status(&ee("good"), &ca, Y2030),
        RevocationStatus::Unknown {
            why: UnknownReason::Stale
        }
    );
    for at in [Y2030, Y2040] {
        assert!(is_good(&may.status_at_proof(
            &[],
            &ee("good"),
            &ca,
            REGISTERED,
            at
        )));
        assert!(is_good(&may.status_at_proof(
            &[],
            &ca,
            &root,
            REGISTERED,
            at
        )));
        // Not revoked when the May CRL was issued, revoked on 2026-06-10: the May CRL does
        // not know it.
        assert!(is_good(&may.status_at_proof(
            &[],
            &ee("published-late"),
            &ca,
            REGISTERED,
            at
        )));
        // A proof after the May CRL's nextUpdate: nothing covers it.
        assert_eq!(
            may.status_at_proof(&[], &ee("good"), &ca, SEPTEMBER_1, at),
            RevocationStatus::Unknown {
                why: UnknownReason::Stale
            }
        );
    }
    // The October CRL among the extras: a revocation listed for good counts whatever the
    // CRL's freshness, and a CRL issued after the proof covers it.
    let october = store(&[CA_CRL_OCTOBER]);
    let status = may.status_at_proof(&[&october], &ee("published-late"), &ca, REGISTERED, Y2040);
    let RevocationStatus::Revoked { date, reason, .. } = status else {
        panic!("{status:?}");
    };
    assert_eq!(
        (date, reason),
        (JUNE_10, RevocationReason::CessationOfOperation)
    );
    assert!(is_good(&october.status_at_proof(
        &[],
        &ee("good"),
        &ca,
        REGISTERED,
        Y2040
    )));
    // A CRL issued after the validation time is not known then.
    assert_eq!(
        october.status_at_proof(&[], &ee("good"), &ca, REGISTERED, REGISTERED + 1),
        RevocationStatus::Unknown {
            why: UnknownReason::Stale
        }
    );
}

#[test]
fn an_invalidity_date_dates_a_key_compromise() {
    let ca = cert(CA);
    let october = store(&[CA_CRL_OCTOBER]);
    let decide = |name: &str| {
        october
            .status_at_proof(&[], &ee(name), &ca, REGISTERED, Y2030)
            .decide(Some(REGISTERED), Subject::SigningCertificate)
    };
    // Compromised (by the CA's word) after the registration: valid, the revocation reported.
    assert_eq!(
        decide("compromised-after"),
        RevocationDecision::RevokedAfterSignature {
            date: SEPTEMBER_1,
            reason: RevocationReason::KeyCompromise
        }
    );
    // Compromised before it, or no date given (retroactive): REVOKED.
    assert_eq!(
        decide("compromised-before"),
        RevocationDecision::Fails(SubIndication::Revoked)
    );
    assert_eq!(
        decide("compromised-undated"),
        RevocationDecision::Fails(SubIndication::Revoked)
    );
    assert_eq!(
        decide("revoked-before"),
        RevocationDecision::Fails(SubIndication::Revoked)
    );
    for name in ["revoked-after", "unspecified-after"] {
        assert!(
            matches!(
                decide(name),
                RevocationDecision::RevokedAfterSignature { .. }
            ),
            "{name}"
        );
    }
    // Without a proof of existence, any listing is REVOKED_NO_POE, invalidityDate or not.
    let status = october.status(&ee("compromised-after"), &ca, 1_792_022_400);
    assert_eq!(
        status.decide(None, Subject::SigningCertificate),
        RevocationDecision::Fails(SubIndication::RevokedNoPoe)
    );
    assert_eq!(
        status.decide(Some(REGISTERED), Subject::CaCertificate),
        RevocationDecision::RevokedAfterSignature {
            date: SEPTEMBER_1,
            reason: RevocationReason::KeyCompromise
        }
    );
}
