//! Tests of the OCSP layer over the fixtures of `testdata/pki/ocsp.sh` (openssl as the
//! responder, at 2026-06-15T10:00:00Z) and responses built here.

use std::sync::Arc;

use crate::crypto::DigestAlgorithm;
use crate::path::Certificate;
use crate::revocation::CrlStore;
use crate::revocation::status::{RevocationStatus, UnknownReason};
use crate::revocation::types::RevocationReason;
use crate::test_support::pki::{self, ocsp as files};
use crate::testing::{self, seq};

use super::reader::tag;
use super::request::der::tlv;
use super::*;

/// 2026-06-15T12:00:00Z.
const AT: i64 = pki::VALIDATION_TIME;
/// 2026-06-15T10:00:00Z: producedAt and thisUpdate of the fixtures.
const PRODUCED: i64 = AT - 7200;
/// 2026-03-01T00:00:00Z.
const MARCH_1: i64 = 1_772_323_200;

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap()
}

fn basic(der: &[u8]) -> BasicOcspResponse {
    let response = OcspResponse::from_der(der).unwrap();
    assert_eq!(response.status, ResponseStatus::Successful);
    response.basic.unwrap()
}

fn good_status(_: &Certificate, _: &Certificate) -> RevocationStatus {
    RevocationStatus::Good { source: Vec::new() }
}

fn check_at<'a>(
    at: i64,
    responder_status: &'a dyn Fn(&Certificate, &Certificate) -> RevocationStatus,
) -> OcspCheck<'a> {
    OcspCheck::new(at, Freshness::default(), responder_status)
}

/// What `response` says about individual (issued by ca-rsa) at the validation time, the
/// responder's own status from ca-rsa.crl.
fn individual(response: &[u8]) -> Result<VerifiedOcsp, OcspUnusable> {
    let mut crls = CrlStore::new();
    crls.add(pki::CA_RSA_CRL).unwrap();
    let status = |c: &Certificate, i: &Certificate| crls.status(c, i, AT);
    basic(response).verify_for(
        &cert(pki::INDIVIDUAL),
        &cert(pki::CA_RSA),
        &check_at(AT, &status),
    )
}

/// The nonce openssl put into `request` (the extnValue's OCTET STRING content).
fn nonce_of(request: &[u8]) -> Vec<u8> {
    let oid = tlv(tag::OID, oids::ID_PKIX_OCSP_NONCE);
    let at = request
        .windows(oid.len())
        .position(|w| w == oid.as_slice())
        .unwrap();
    let rest = &request[at + oid.len()..];
    // 04 len (04 n nonce)
    assert_eq!((rest[0], rest[2]), (tag::OCTET_STRING, tag::OCTET_STRING));
    rest[4..4 + usize::from(rest[3])].to_vec()
}

#[test]
fn requests_are_byte_for_byte_those_of_openssl() {
    let (individual, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    for (hash, expected) in [
        (DigestAlgorithm::Sha1, files::SHA1_REQUEST),
        (DigestAlgorithm::Sha256, files::SHA256_REQUEST),
    ] {
        let request = OcspRequest::new(&individual, &ca, hash, None).unwrap();
        assert_eq!(request.der(), expected, "{hash:?}");
        assert!(request.cert_id.matches(&individual, &ca));
    }
    let nonce = nonce_of(files::NONCE_REQUEST);
    assert_eq!(nonce.len(), 16);
    let request = OcspRequest::new(&individual, &ca, DigestAlgorithm::Sha1, Some(&nonce)).unwrap();
    assert_eq!(request.der(), files::NONCE_REQUEST);
}

#[test]
fn requests_refuse_a_wrong_issuer_and_bad_nonces() {
    let (individual, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let root = cert(pki::ROOT_RSA);
    let sha1 = DigestAlgorithm::Sha1;
    assert_eq!(
        OcspRequest::new(&individual, &root, sha1, None),
        Err(OcspRequestError::NotTheIssuer)
    );
    assert_eq!(
        OcspRequest::new(&individual, &ca, sha1, Some(&[])),
        Err(OcspRequestError::NonceLength(0))
    );
    assert_eq!(
        OcspRequest::new(&individual, &ca, sha1, Some(&[7; 33])),
        Err(OcspRequestError::NonceLength(33))
    );
    assert!(OcspRequest::new(&individual, &ca, sha1, Some(&[7; 32])).is_ok());
}

#[test]
fn responses_read_as_openssl_wrote_them() {
    let response = basic(files::GOOD_CA);
    let data = &response.response_data;
    assert_eq!(data.produced_at, PRODUCED);
    let ca = cert(pki::CA_RSA);
    assert_eq!(
        data.responder_id,
        ResponderId::ByName(ca.subject_raw().to_vec())
    );
    assert_eq!(data.nonce, None);
    assert_eq!(response.certs, vec![pki::CA_RSA.to_vec()]);
    let [single] = data.responses.as_slice() else {
        panic!("one SingleResponse");
    };
    assert_eq!(single.status, CertStatus::Good);
    assert_eq!(single.this_update, PRODUCED);
    assert_eq!(single.next_update, Some(PRODUCED + 7 * 86_400));
    assert_eq!(single.cert_id.hash_algorithm, DigestAlgorithm::Sha1);
    assert_eq!(
        single.cert_id.serial_number,
        cert(pki::INDIVIDUAL).serial().to_vec()
    );

    let by_key = basic(files::GOOD_SHA256_BYKEY);
    let ResponderId::ByKey(hash) = &by_key.response_data.responder_id else {
        panic!("byKey");
    };
    assert_eq!(hash.len(), 20);
    assert!(by_key.response_data.responder_id.names(&ca));
    assert!(by_key.certs.is_empty());
    assert_eq!(
        by_key.response_data.responses[0].cert_id.hash_algorithm,
        DigestAlgorithm::Sha256
    );

    let revoked = basic(files::REVOKED_CA);
    assert_eq!(
        revoked.response_data.responses[0].status,
        CertStatus::Revoked {
            time: MARCH_1,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );
    let unknown = basic(files::EMPLOYEE_UNKNOWN);
    assert_eq!(
        unknown.response_data.responses[0].status,
        CertStatus::Unknown
    );
}

#[test]
fn error_statuses_have_no_response_bytes() {
    let response = OcspResponse::from_der(files::TRY_LATER).unwrap();
    assert_eq!(response.status, ResponseStatus::TryLater);
    assert_eq!(response.basic, None);
    for (code, status) in [
        (1, ResponseStatus::MalformedRequest),
        (2, ResponseStatus::InternalError),
        (5, ResponseStatus::SigRequired),
        (6, ResponseStatus::Unauthorized),
    ] {
        let response = OcspResponse::from_der(&[0x30, 3, 0x0A, 1, code]).unwrap();
        assert_eq!(response.status, status);
        assert_eq!(status.code(), code);
    }
    assert_eq!(
        OcspResponse::from_der(&[0x30, 3, 0x0A, 1, 4]),
        Err(OcspError::UnknownResponseStatus(4))
    );
    assert_eq!(
        OcspResponse::from_der(&[0x30, 3, 0x0A, 1, 0]),
        Err(OcspError::StatusBytesMismatch(ResponseStatus::Successful))
    );
    let with_bytes = [0x30, 7, 0x0A, 1, 3, 0xA0, 2, 0x30, 0];
    assert_eq!(
        OcspResponse::from_der(&with_bytes),
        Err(OcspError::StatusBytesMismatch(ResponseStatus::TryLater))
    );
}

#[test]
fn every_truncation_and_trailing_byte_is_refused() {
    for der in [files::GOOD_CA, files::REVOKED_CA, files::GOOD_NONCE] {
        for len in 0..der.len() {
            assert!(OcspResponse::from_der(&der[..len]).is_err(), "{len}");
        }
        let mut longer = der.to_vec();
        longer.push(0);
        assert!(OcspResponse::from_der(&longer).is_err());
    }
}

#[test]
fn a_ca_signed_response_is_believed() {
    let verified = individual(files::GOOD_CA).unwrap();
    assert_eq!(verified.status, CertStatus::Good);
    assert_eq!(verified.responder_kind, ResponderKind::Ca);
    assert_eq!(verified.produced_at, PRODUCED);
    assert_eq!(verified.cert_id_hash, DigestAlgorithm::Sha1);
    assert_eq!(verified.responder.der(), pki::CA_RSA);

    // SHA-256 CertID, responder by key hash, no certificates in the response.
    let verified = individual(files::GOOD_SHA256_BYKEY).unwrap();
    assert_eq!(verified.status, CertStatus::Good);
    assert_eq!(verified.cert_id_hash, DigestAlgorithm::Sha256);
    assert_eq!(verified.responder_kind, ResponderKind::Ca);
}

#[test]
fn revoked_and_unknown_are_read_through() {
    let ca = cert(pki::CA_RSA);
    let check = check_at(AT, &good_status);
    let revoked = basic(files::REVOKED_CA)
        .verify_for(&cert(pki::REVOKED), &ca, &check)
        .unwrap();
    assert_eq!(
        revoked.status,
        CertStatus::Revoked {
            time: MARCH_1,
            reason: Some(RevocationReason::KeyCompromise)
        }
    );
    let unknown = basic(files::EMPLOYEE_UNKNOWN)
        .verify_for(&cert(pki::EMPLOYEE), &ca, &check)
        .unwrap();
    assert_eq!(unknown.status, CertStatus::Unknown);
}

#[test]
fn ecdsa_responses_verify() {
    let check = check_at(AT, &good_status);
    let verified = basic(files::EC_GOOD_CA)
        .verify_for(&cert(pki::EC), &cert(pki::CA_EC), &check)
        .unwrap();
    assert_eq!(verified.status, CertStatus::Good);
    assert_eq!(verified.responder_kind, ResponderKind::Ca);
    let verified = basic(files::CA_EC_GOOD_ROOT)
        .verify_for(&cert(pki::CA_EC), &cert(pki::ROOT_EC), &check)
        .unwrap();
    assert_eq!(verified.status, CertStatus::Good);
}

#[test]
fn a_delegated_responder_needs_its_own_status_unless_nocheck() {
    // Not on ca-rsa.crl: good.
    let verified = individual(files::GOOD_DELEGATED).unwrap();
    assert_eq!(
        verified.responder_kind,
        ResponderKind::Delegated { nocheck: false }
    );
    assert_eq!(verified.responder.der(), files::RESPONDER);

    let (individual_cert, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let response = basic(files::GOOD_DELEGATED);
    // Without CRLs its status is unknown: the response is not believed.
    let crls = CrlStore::new();
    let status = |c: &Certificate, i: &Certificate| crls.status(c, i, AT);
    assert_eq!(
        response.verify_for(&individual_cert, &ca, &check_at(AT, &status)),
        Err(OcspUnusable::ResponderStatusUnknown(UnknownReason::NoCrl))
    );
    let revoked = |_: &Certificate, _: &Certificate| RevocationStatus::Revoked {
        date: MARCH_1,
        reason: RevocationReason::KeyCompromise,
        invalidity_date: None,
        source: Vec::new(),
    };
    assert_eq!(
        response.verify_for(&individual_cert, &ca, &check_at(AT, &revoked)),
        Err(OcspUnusable::ResponderRevoked)
    );

    // id-pkix-ocsp-nocheck: the responder's status is not asked.
    let asked = std::cell::Cell::new(false);
    let never = |_: &Certificate, _: &Certificate| {
        asked.set(true);
        RevocationStatus::Unknown {
            why: UnknownReason::NoCrl,
        }
    };
    let verified = basic(files::GOOD_NOCHECK)
        .verify_for(&individual_cert, &ca, &check_at(AT, &never))
        .unwrap();
    assert_eq!(
        verified.responder_kind,
        ResponderKind::Delegated { nocheck: true }
    );
    assert!(!asked.get());
}

#[test]
fn a_responder_without_ocsp_signing_is_refused() {
    assert_eq!(
        individual(files::GOOD_NOEKU),
        Err(OcspUnusable::ResponderNotAuthorized)
    );
}

#[test]
fn a_responder_of_another_ca_is_refused() {
    // ca-rsa's status signed by root-rsa, offered as if ca-rsa answered for individual: the
    // CertID does not match; a response about individual signed by root-rsa (wrong CertID,
    // the root's name and key) neither.
    assert_eq!(
        individual(files::CA_RSA_GOOD_ROOT),
        Err(OcspUnusable::NotAboutThisCertificate)
    );
    assert_eq!(
        individual(files::WRONG_CERTID),
        Err(OcspUnusable::NotAboutThisCertificate)
    );
    // The right serial and the root's hashes: a certificate of the root with that serial
    // would match, individual does not.
    let wrong = basic(files::WRONG_CERTID);
    assert_eq!(
        wrong.response_data.responses[0].cert_id.serial_number,
        cert(pki::INDIVIDUAL).serial().to_vec()
    );
}

#[test]
fn times_are_judged_with_the_tolerances() {
    assert_eq!(individual(files::GOOD_EXPIRED), Err(OcspUnusable::Stale));
    let ca = cert(pki::CA_RSA);
    let individual_cert = cert(pki::INDIVIDUAL);
    let response = basic(files::GOOD_CA);
    let at = |at: i64| response.verify_for(&individual_cert, &ca, &check_at(at, &good_status));
    // producedAt 10:00, nextUpdate a week later, 300 s of skew.
    assert!(at(PRODUCED - 300).is_ok());
    assert_eq!(at(PRODUCED - 301), Err(OcspUnusable::NotYetValid));
    let next = PRODUCED + 7 * 86_400;
    assert!(at(next + 300).is_ok());
    assert_eq!(at(next + 301), Err(OcspUnusable::Stale));
    // A maximum age cuts a long nextUpdate short.
    let mut check = check_at(PRODUCED + 3601, &good_status);
    check.freshness = Freshness::new(0, Some(3600));
    assert_eq!(
        response.verify_for(&individual_cert, &ca, &check),
        Err(OcspUnusable::Stale)
    );
    check.at = PRODUCED + 3600;
    assert!(response.verify_for(&individual_cert, &ca, &check).is_ok());
    // The stale response was fresh in its week.
    let expired = basic(files::GOOD_EXPIRED);
    let may_5 = 1_777_975_200;
    assert!(
        expired
            .verify_for(&individual_cert, &ca, &check_at(may_5, &good_status))
            .is_ok()
    );
}

#[test]
fn a_nonce_sent_must_come_back() {
    let (individual_cert, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let nonce = nonce_of(files::NONCE_REQUEST);
    let mut check = check_at(AT, &good_status);
    check.nonce = Some(&nonce);
    assert!(
        basic(files::GOOD_NONCE)
            .verify_for(&individual_cert, &ca, &check)
            .is_ok()
    );
    let other = [0x55; 16];
    check.nonce = Some(&other);
    assert_eq!(
        basic(files::GOOD_NONCE).verify_for(&individual_cert, &ca, &check),
        Err(OcspUnusable::NonceMismatch)
    );
    check.nonce = Some(&nonce);
    assert_eq!(
        basic(files::GOOD_CA).verify_for(&individual_cert, &ca, &check),
        Err(OcspUnusable::NonceMismatch)
    );
    // Without a nonce sent, one in the response is not asked about.
    check.nonce = None;
    assert!(
        basic(files::GOOD_NONCE)
            .verify_for(&individual_cert, &ca, &check)
            .is_ok()
    );
}

#[test]
fn a_changed_signature_or_response_does_not_verify() {
    let (individual_cert, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let check = check_at(AT, &good_status);
    let mut response = basic(files::GOOD_CA);
    response.signature[10] ^= 1;
    assert!(matches!(
        response.verify_for(&individual_cert, &ca, &check),
        Err(OcspUnusable::BadSignature(_))
    ));
    // A responderID naming nobody known.
    let mut response = basic(files::GOOD_CA);
    response.response_data.responder_id = ResponderId::ByKey(vec![0; 20]);
    assert_eq!(
        response.verify_for(&individual_cert, &ca, &check),
        Err(OcspUnusable::ResponderNotFound)
    );
}

/// A BasicOCSPResponse about `cert` (under `issuer`, SHA-1 CertID), good, produced at
/// [`PRODUCED`], with `extensions` (the content of `[1]`) and signed by `sign` under
/// `signature_algorithm`; `responder` is the byName subject.
fn handmade(
    cert: &Certificate,
    issuer: &Certificate,
    responder: &[u8],
    single_extensions: Option<&[u8]>,
    signature_algorithm: &[u8],
    sign: impl Fn(&[u8]) -> Vec<u8>,
    certs: &[&[u8]],
) -> Vec<u8> {
    let time = |t: &str| tlv(tag::GENERALIZED_TIME, t.as_bytes());
    let cert_id = CertId::of(cert, issuer, DigestAlgorithm::Sha1)
        .unwrap()
        .to_der();
    let mut single = [
        cert_id,
        tlv(tag::context_primitive(0), &[]),
        time("20260615100000Z"),
        tlv(tag::context(0), &time("20260622100000Z")),
    ]
    .concat();
    if let Some(extensions) = single_extensions {
        single.extend(tlv(tag::context(1), extensions));
    }
    let tbs = seq(&[
        &tlv(tag::context(1), responder),
        &time("20260615100000Z"),
        &seq(&[&seq(&[&single])]),
    ]);
    let signature = sign(&tbs);
    let mut parts = vec![
        tbs.clone(),
        signature_algorithm.to_vec(),
        tlv(tag::BIT_STRING, &[&[0][..], &signature].concat()),
    ];
    if !certs.is_empty() {
        parts.push(tlv(tag::context(0), &seq(certs)));
    }
    let basic = seq(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
    seq(&[
        &[0x0A, 1, 0],
        &tlv(
            tag::context(0),
            &seq(&[
                &tlv(tag::OID, oids::ID_PKIX_OCSP_BASIC),
                &tlv(tag::OCTET_STRING, &basic),
            ]),
        ),
    ])
}

#[test]
fn critical_single_extensions_are_refused_and_others_ignored() {
    let (individual_cert, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let responder = cert(files::RESPONDER_NOCHECK);
    let sign = |tbs: &[u8]| testing::rsa_sha256(files::RESPONDER_NOCHECK_KEY, tbs);
    let algorithm = testing::algorithm(testing::SHA256_WITH_RSA);
    // id-pkix-ocsp-crl (1.3.6.1.5.5.7.48.1.3), a reference this layer does not process.
    let crl_id = tlv(tag::OID, &[0x2B, 6, 1, 5, 5, 7, 0x30, 1, 3]);
    let value = tlv(tag::OCTET_STRING, &seq(&[]));
    let make = |critical: bool| {
        let mut extension = crl_id.clone();
        if critical {
            extension.extend([tag::BOOLEAN, 1, 0xFF]);
        }
        extension.extend(&value);
        handmade(
            &individual_cert,
            &ca,
            responder.subject_raw(),
            Some(&seq(&[&seq(&[&extension])])),
            &algorithm,
            sign,
            &[files::RESPONDER_NOCHECK],
        )
    };
    let check = check_at(AT, &good_status);
    let fine = OcspResponse::from_der(&make(false)).unwrap().basic.unwrap();
    let verified = fine.verify_for(&individual_cert, &ca, &check).unwrap();
    assert_eq!(
        verified.responder_kind,
        ResponderKind::Delegated { nocheck: true }
    );
    assert_eq!(
        OcspResponse::from_der(&make(true)),
        Err(OcspError::UnsupportedCriticalExtension(
            "1.3.6.1.5.5.7.48.1.3".to_owned()
        ))
    );
    // DER leaves out `critical` FALSE.
    let mut explicit_false = crl_id.clone();
    explicit_false.extend([tag::BOOLEAN, 1, 0x00]);
    explicit_false.extend(&value);
    let der = handmade(
        &individual_cert,
        &ca,
        responder.subject_raw(),
        Some(&seq(&[&seq(&[&explicit_false])])),
        &algorithm,
        sign,
        &[],
    );
    assert!(matches!(
        OcspResponse::from_der(&der),
        Err(OcspError::Malformed(_))
    ));
    // A responder certificate looked up among the caller's certificates.
    let der = handmade(
        &individual_cert,
        &ca,
        responder.subject_raw(),
        None,
        &algorithm,
        sign,
        &[],
    );
    let response = OcspResponse::from_der(&der).unwrap().basic.unwrap();
    assert_eq!(
        response.verify_for(&individual_cert, &ca, &check),
        Err(OcspUnusable::ResponderNotFound)
    );
    let known = [Arc::new(responder.clone())];
    let mut with_known = check;
    with_known.certificates = &known;
    assert!(
        response
            .verify_for(&individual_cert, &ca, &with_known)
            .is_ok()
    );
}

/// The GOST path of the crypto layer: a response signed with a real NCA test key (GOST
/// 34.10-2015 512 over Streebog-512) verifies; the key's certificate, issued by the NCA GOST
/// TEST 2022 CA for a person, lacks id-kp-OCSPSigning, so the response is then refused for
/// that, not for its signature. (No OCSP response of NCA's own responder is among the test
/// material.)
#[test]
fn gost_signatures_verify_through_the_crypto_layer() {
    use crate::testing::gost::{self, GostKey};
    let key = GostKey::from_pkcs12(gost::INDIVIDUAL_VALID, gost::PASSWORD);
    let signer = cert(key.certificate());
    let ca = cert(gost::CA);
    let other = GostKey::from_pkcs12(gost::HEAD_VALID, gost::PASSWORD);
    let subject = cert(other.certificate());
    let sign = |tbs: &[u8]| key.sign_digest(&DigestAlgorithm::Streebog512.digest(tbs));
    let algorithm = testing::algorithm(gost::ID_GOST_2015_512_SIGNATURE);
    let der = handmade(
        &subject,
        &ca,
        signer.subject_raw(),
        None,
        &algorithm,
        sign,
        &[key.certificate()],
    );
    let check = check_at(AT, &good_status);
    let mut response = OcspResponse::from_der(&der).unwrap().basic.unwrap();
    assert_eq!(
        response.verify_for(&subject, &ca, &check),
        Err(OcspUnusable::ResponderNotAuthorized)
    );
    response.signature[3] ^= 1;
    assert!(matches!(
        response.verify_for(&subject, &ca, &check),
        Err(OcspUnusable::BadSignature(_))
    ));
}

#[test]
fn the_store_picks_the_believed_answer() {
    let mut store = OcspStore::new();
    for der in [
        files::GOOD_EXPIRED,
        files::GOOD_NOEKU,
        files::GOOD_CA,
        files::TRY_LATER,
        files::REVOKED_CA,
    ] {
        store.add(der).unwrap();
    }
    assert_eq!(
        store.add(files::GOOD_CA).unwrap(),
        crate::path::Fingerprint::of(files::GOOD_CA)
    );
    assert_eq!(store.len(), 5);
    let (individual_cert, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let check = check_at(AT, &good_status);
    let lookup = store.status_with(None, &individual_cert, &ca, &check);
    let answer = lookup.answer.clone().unwrap();
    assert_eq!(
        answer.response,
        crate::path::Fingerprint::of(files::GOOD_CA)
    );
    assert!(!answer.request_local);
    assert_eq!(
        lookup.status(),
        RevocationStatus::Good { source: Vec::new() }
    );
    let mut ignored: Vec<_> = lookup.ignored.iter().map(|(_, why)| why.clone()).collect();
    ignored.sort_by_key(|why| format!("{why:?}"));
    assert_eq!(
        ignored,
        vec![OcspUnusable::ResponderNotAuthorized, OcspUnusable::Stale]
    );

    let revoked = store.status_with(None, &cert(pki::REVOKED), &ca, &check);
    assert_eq!(
        revoked.status(),
        RevocationStatus::Revoked {
            date: MARCH_1,
            reason: RevocationReason::KeyCompromise,
            invalidity_date: None,
            source: Vec::new()
        }
    );
    // Nothing about head; unusable only about individual once the good one is gone.
    assert_eq!(
        store
            .status_with(None, &cert(pki::HEAD), &ca, &check)
            .status(),
        RevocationStatus::Unknown {
            why: UnknownReason::NoOcsp
        }
    );
    let mut unusable = OcspStore::new();
    unusable.add(files::GOOD_NOEKU).unwrap();
    assert_eq!(
        unusable
            .status_with(None, &individual_cert, &ca, &check)
            .status(),
        RevocationStatus::Unknown {
            why: UnknownReason::OcspUnusable
        }
    );
    // A request-local store's answer is marked as such.
    let mut local = OcspStore::new();
    local.add(files::EMPLOYEE_UNKNOWN).unwrap();
    let lookup = store.status_with(Some(&local), &cert(pki::EMPLOYEE), &ca, &check);
    assert!(lookup.answer.as_ref().unwrap().request_local);
    assert_eq!(
        lookup.status(),
        RevocationStatus::Unknown {
            why: UnknownReason::OcspUnknown
        }
    );
    // Stable until the next instant a response starts or stops being fresh.
    assert_eq!(
        store.status_stable_until(&check),
        PRODUCED + 7 * 86_400 + 300 + 1
    );
}

#[test]
fn a_look_alike_ca_cannot_answer_for_the_real_one() {
    // Signed with the key of lookalike-ca (ca-rsa's name, another key, issued by root-other),
    // its certificate in `certs`, responderID ca-rsa's name: the CertID matches, the signature
    // verifies with the look-alike's key, but that certificate is not ca-rsa nor issued by it.
    let (individual_cert, ca) = (cert(pki::INDIVIDUAL), cert(pki::CA_RSA));
    let key = include_str!("../../../testdata/pki/keys/lookalike-ca.key.pem");
    let der = handmade(
        &individual_cert,
        &ca,
        ca.subject_raw(),
        None,
        &testing::algorithm(testing::SHA256_WITH_RSA),
        |tbs| testing::rsa_sha256(key, tbs),
        &[pki::LOOKALIKE_CA],
    );
    let response = OcspResponse::from_der(&der).unwrap().basic.unwrap();
    assert_eq!(
        response.verify_for(&individual_cert, &ca, &check_at(AT, &good_status)),
        Err(OcspUnusable::ResponderNotIssuedByCa)
    );
}
