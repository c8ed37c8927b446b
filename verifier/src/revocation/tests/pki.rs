//! The generated RSA/ECDSA PKI (testdata/pki, see its README.md) at 2026-06-15T12:00:00Z with
//! best-signature-time 2026-04-01T10:00:00Z (the fixtures' signingTime).

use super::{cert, is_good, store};
use crate::path::Certificate;
use crate::revocation::{
    CrlUnusable, RevocationDecision, RevocationReason, RevocationStatus, Subject, UnknownReason,
};
use crate::test_support::pki;
use crate::verdict::SubIndication;

const AT: i64 = pki::VALIDATION_TIME;
/// 2026-04-01T10:00:00Z.
const BEST_SIGNATURE_TIME: i64 = 1_775_037_600;
/// 2026-03-01T00:00:00Z.
const MARCH_1: i64 = 1_772_323_200;
/// 2026-05-01T00:00:00Z.
const MAY_1: i64 = 1_777_593_600;

use pki::{
    CA_EC_CRL, CA_RSA_BASE_CRL as BASE_CRL, CA_RSA_CRL, CA_RSA_DELTA_CRL as DELTA_CRL,
    CA_RSA_STALE_CRL as STALE_CRL, HOLD, LOOKALIKE_CA_RSA_CRL as LOOKALIKE_CRL, REVOKED,
    REVOKED_LATER, ROOT_RSA_CRL,
};

fn ca_rsa() -> Certificate {
    cert(pki::CA_RSA)
}

fn status_of(crls: &[&[u8]], leaf: &[u8]) -> RevocationStatus {
    store(crls).status(&cert(leaf), &ca_rsa(), AT)
}

fn decide(status: &RevocationStatus) -> RevocationDecision {
    status.decide(Some(BEST_SIGNATURE_TIME), Subject::SigningCertificate)
}

#[test]
fn individual_is_good_from_ca_rsa_crl() {
    let status = status_of(&[CA_RSA_CRL], pki::INDIVIDUAL);
    let RevocationStatus::Good { source } = &status else {
        panic!("{status:?}");
    };
    assert_eq!(source.len(), 1);
    assert_eq!(
        source[0].fingerprint,
        crate::path::Fingerprint::of(CA_RSA_CRL)
    );
    assert_eq!(source[0].this_update, 1_780_272_000);
    assert_eq!(source[0].next_update, Some(1_811_808_000));
    assert!(!source[0].delta);
    assert_eq!(decide(&status), RevocationDecision::NotRevoked);
}

#[test]
fn key_compromise_before_signing_is_revoked() {
    let status = status_of(&[CA_RSA_CRL], REVOKED);
    assert!(matches!(
        status,
        RevocationStatus::Revoked {
            date: MARCH_1,
            reason: RevocationReason::KeyCompromise,
            ..
        }
    ));
    assert_eq!(
        decide(&status),
        RevocationDecision::Fails(SubIndication::Revoked)
    );
    // keyCompromise is retroactive: even with a proof of existence before the revocation.
    assert_eq!(
        status.decide(Some(MARCH_1 - 86_400), Subject::SigningCertificate),
        RevocationDecision::Fails(SubIndication::Revoked)
    );
    assert_eq!(
        status.decide(Some(BEST_SIGNATURE_TIME), Subject::CaCertificate),
        RevocationDecision::Fails(SubIndication::RevokedCaNoPoe)
    );
}

#[test]
fn superseded_after_signing_keeps_the_signature_valid() {
    let status = status_of(&[CA_RSA_CRL], REVOKED_LATER);
    assert!(matches!(
        status,
        RevocationStatus::Revoked {
            date: MAY_1,
            reason: RevocationReason::Superseded,
            ..
        }
    ));
    assert_eq!(
        decide(&status),
        RevocationDecision::RevokedAfterSignature {
            date: MAY_1,
            reason: RevocationReason::Superseded
        }
    );
    // Without a proof of existence it may have been signed after the revocation.
    assert_eq!(
        status.decide(None, Subject::SigningCertificate),
        RevocationDecision::Fails(SubIndication::RevokedNoPoe)
    );
}

#[test]
fn hold_is_revoked_no_poe() {
    let status = status_of(&[CA_RSA_CRL], HOLD);
    assert!(matches!(
        status,
        RevocationStatus::Revoked {
            reason: RevocationReason::CertificateHold,
            ..
        }
    ));
    assert_eq!(
        decide(&status),
        RevocationDecision::Fails(SubIndication::RevokedNoPoe)
    );
}

#[test]
fn only_a_stale_crl_is_try_later() {
    let status = status_of(&[STALE_CRL], pki::INDIVIDUAL);
    assert_eq!(
        status,
        RevocationStatus::Unknown {
            why: UnknownReason::Stale
        }
    );
    assert_eq!(
        decide(&status),
        RevocationDecision::Fails(SubIndication::TryLater)
    );
    // The fresh one wins when both are there.
    assert!(is_good(&status_of(
        &[STALE_CRL, CA_RSA_CRL],
        pki::INDIVIDUAL
    )));
}

#[test]
fn no_crl_is_try_later() {
    for crls in [&[][..], &[CA_EC_CRL, ROOT_RSA_CRL][..]] {
        let status = status_of(crls, pki::INDIVIDUAL);
        assert_eq!(
            status,
            RevocationStatus::Unknown {
                why: UnknownReason::NoCrl
            }
        );
        assert_eq!(
            decide(&status),
            RevocationDecision::Fails(SubIndication::TryLater)
        );
    }
}

#[test]
fn lookalike_crl_is_unusable() {
    for leaf in [pki::INDIVIDUAL, REVOKED] {
        let status = status_of(&[LOOKALIKE_CRL], leaf);
        assert_eq!(
            status,
            RevocationStatus::Unknown {
                why: UnknownReason::BadSignature
            }
        );
        assert_eq!(
            decide(&status),
            RevocationDecision::Fails(SubIndication::TryLater)
        );
    }
    // Next to the real CRL it is ignored: individual stays good, revoked stays revoked.
    assert!(is_good(&status_of(
        &[LOOKALIKE_CRL, CA_RSA_CRL],
        pki::INDIVIDUAL
    )));
    assert!(matches!(
        status_of(&[CA_RSA_CRL, LOOKALIKE_CRL], REVOKED),
        RevocationStatus::Revoked { .. }
    ));
    // The look-alike CA's certificate does sign it, but it is not ca-rsa's CRL for ca-rsa's
    // certificates: the issuer certificate's fingerprint decides, not the name.
    let store = store(&[LOOKALIKE_CRL]);
    let crl = store
        .get(&crate::path::Fingerprint::of(LOOKALIKE_CRL))
        .unwrap();
    assert!(matches!(
        store.verify(crl, &ca_rsa()),
        Err(CrlUnusable::KeyIdentifierMismatch | CrlUnusable::BadSignature(_))
    ));
}

#[test]
fn lookalike_signature_fails_even_without_key_identifiers() {
    // Verify the signature directly (bypassing the AKI hint): the wrong key must not verify.
    let crl = crate::revocation::Crl::from_der(LOOKALIKE_CRL).unwrap();
    let lookalike = cert(pki::LOOKALIKE_CA);
    assert!(crl.verify_issued_by(&lookalike).is_ok());
    let real = crate::revocation::Crl::from_der(CA_RSA_CRL).unwrap();
    assert!(real.verify_issued_by(&lookalike).is_err());
    assert!(real.verify_issued_by(&ca_rsa()).is_ok());
}

#[test]
fn base_plus_delta() {
    // 17 is only in the base: still revoked.
    let status = status_of(&[BASE_CRL, DELTA_CRL], REVOKED);
    let RevocationStatus::Revoked { reason, source, .. } = &status else {
        panic!("{status:?}");
    };
    assert_eq!(*reason, RevocationReason::KeyCompromise);
    assert_eq!(source.len(), 2);
    assert!(!source[0].delta && source[1].delta);
    // 18 is only in the delta.
    assert!(matches!(
        status_of(&[DELTA_CRL, BASE_CRL], REVOKED_LATER),
        RevocationStatus::Revoked {
            reason: RevocationReason::Superseded,
            ..
        }
    ));
    // The base alone is complete: 18 not listed there.
    assert!(is_good(&status_of(&[BASE_CRL], REVOKED_LATER)));
    assert!(is_good(&status_of(&[BASE_CRL, DELTA_CRL], pki::INDIVIDUAL)));
    // A delta alone is not complete revocation data.
    assert_eq!(
        status_of(&[DELTA_CRL], pki::INDIVIDUAL),
        RevocationStatus::Unknown {
            why: UnknownReason::NoBaseCrl
        }
    );
}

#[test]
fn ec_signer_with_ca_ec_crl() {
    let store = store(&[CA_EC_CRL, CA_RSA_CRL]);
    let status = store.status(&cert(pki::EC), &cert(pki::CA_EC), AT);
    assert!(is_good(&status), "{status:?}");
    // ca-ec's CRL says nothing about ca-rsa's certificates.
    let status = store.status(&cert(pki::CA_EC), &cert(pki::ROOT_EC), AT);
    assert_eq!(
        status,
        RevocationStatus::Unknown {
            why: UnknownReason::NoCrl
        }
    );
}

#[test]
fn ca_certificate_status_from_the_root_crl() {
    let store = store(&[ROOT_RSA_CRL]);
    let status = store.status(&ca_rsa(), &cert(pki::ROOT_RSA), AT);
    assert!(is_good(&status), "{status:?}");
    assert_eq!(
        status.decide(Some(BEST_SIGNATURE_TIME), Subject::CaCertificate),
        RevocationDecision::NotRevoked
    );
}

#[test]
fn freshness_window() {
    let store = store(&[CA_RSA_CRL]);
    let (individual, ca) = (cert(pki::INDIVIDUAL), ca_rsa());
    // Before thisUpdate (2026-06-01) and after nextUpdate (2027-06-01): not usable.
    for at in [1_780_272_000 - 1, 1_811_808_000 + 1] {
        assert_eq!(
            store.status(&individual, &ca, at),
            RevocationStatus::Unknown {
                why: UnknownReason::Stale
            }
        );
    }
    for at in [1_780_272_000, 1_811_808_000] {
        assert!(is_good(&store.status(&individual, &ca, at)));
    }
}
