//! Signature time-stamps as proofs of existence (EN 319 102-1 §5.4, §5.5): the engine takes
//! the genTime of a valid RFC 3161 signatureTimeStampToken as the signature's POE.
//!
//! The tokens are made here by a test-only TSA: the key and certificate of
//! `testdata/tsa/make.sh` (issued by ca-rsa, critical EKU id-kp-timeStamping, valid
//! 2026-01-01 → 2028-01-01), signing a TSTInfo with any genTime. Each token is first checked
//! with [`verify_signature_time_stamp`], then inserted as an unsigned attribute into the
//! generated PKI's CMS files and verified by the engine in the README's default setup.

use super::{
    AT, SIGNING_TIME, assert_verdict, request, signer_checks, signer_json, verifier, verify,
};
use crate::ber::{Tag, Tlv};
use crate::crypto::DigestAlgorithm;
use crate::engine::{CheckName, Outcome, Report, Request};
use crate::parse_signed_data;
use crate::path::CertificateStore;
use crate::test_support::pki;
use crate::testing::{
    self, ID_SHA256, algorithm, attribute, der_tlv, integer, octets, oid, seq, sha256,
    unsigned_content,
};
use crate::timestamp::{TimeStampError, TstInfo, verify_signature_time_stamp};
use crate::verdict::{SubIndication, Verdict};

// Times (unix seconds, UTC).

/// 2025-03-01T00:00:00Z: inside `expired`'s validity, before the TSA certificate's.
const MAR_2025: i64 = 1_740_787_200;
/// 2026-02-01T00:00:00Z: before `revoked`'s revocation (2026-03-01, keyCompromise).
const FEB_2026: i64 = 1_769_904_000;
/// 2026-03-01T00:00:00Z: before `hold`'s certificateHold (2026-03-15).
const MAR_2026: i64 = 1_772_323_200;
/// 2026-04-01T10:00:00Z (the claimed signingTime): before `revoked-later`'s revocation
/// (2026-05-01, superseded), after `revoked`'s.
const APR_2026: i64 = SIGNING_TIME;
/// 2026-07-01T00:00:00Z: after the validation time.
const JUL_2026: i64 = 1_782_864_000;

// Object identifiers.

const ID_CT_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
/// The TSA policy of NCA's time-stamps, also used by `testdata/tsa/make.sh`.
const TSA_POLICY: &str = "1.2.398.3.3.2.6.4";

/// A `GeneralizedTime` `YYYYMMDDHHMMSSZ` of unix seconds (RFC 3161 §2.4.2 genTime, no
/// fraction).
fn generalized_time(unix: i64) -> Vec<u8> {
    let t = crate::time::Time::from_unix(unix).unwrap();
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    );
    der_tlv(0x18, text.as_bytes())
}

// The test TSA.

/// The token serial number of a genTime: the genTime itself (unique enough for tests).
fn serial_number(gen_time: i64) -> Vec<u8> {
    unsigned_content(&gen_time.to_be_bytes())
}

/// `TSTInfo` (RFC 3161 §2.4.2) without the optional fields: version 1, the policy
/// [`TSA_POLICY`], a SHA-256 messageImprint of `stamped`, a serial number and genTime.
fn tst_info(gen_time: i64, stamped: &[u8]) -> Vec<u8> {
    let message_imprint = seq(&[&algorithm(ID_SHA256), &octets(&sha256(stamped))]);
    seq(&[
        &integer(&[1]),
        &oid(TSA_POLICY),
        &message_imprint,
        &integer(&serial_number(gen_time)),
        &generalized_time(gen_time),
    ])
}

/// A DER `TimeStampToken` (RFC 3161 §2.4.2) by the test TSA at `gen_time` over `stamped`
/// (for a signatureTimeStampToken: the SignerInfo's signature value, RFC 3161 Appendix A).
fn time_stamp_token(gen_time: i64, stamped: &[u8]) -> Vec<u8> {
    time_stamp_token_by(pki::TSA_CERT, pki::TSA_KEY, gen_time, stamped)
}

/// A DER `TimeStampToken` signed with `key_pem` in the name of `certificate`: a ContentInfo
/// (RFC 5652 §3) holding a SignedData (§5.1) version 3 with
///
/// - encapContentInfo: id-ct-TSTInfo, `[0] EXPLICIT OCTET STRING` of the [`tst_info`];
/// - certificates `[0] IMPLICIT`: `certificate`;
/// - one SignerInfo (§5.3) version 1, sid issuerAndSerialNumber of `certificate`, SHA-256,
///   signedAttrs contentType (§11.1), messageDigest (§11.2) and ESS signingCertificateV2
///   (RFC 5035 §3, allowed in tokens by RFC 5816 §2.2.1: one ESSCertIDv2 with the certificate's
///   SHA-256 and the default hashAlgorithm omitted), sha256WithRSAEncryption over the signed
///   attributes DER-encoded with the SET tag (RFC 5652 §5.4).
fn time_stamp_token_by(
    certificate: &[u8],
    key_pem: &str,
    gen_time: i64,
    stamped: &[u8],
) -> Vec<u8> {
    let tst = tst_info(gen_time, stamped);
    testing::signed_data(certificate, key_pem, ID_CT_TST_INFO, &tst, true)
}

// Inserting a token into a CMS.

/// The children of a constructed TLV, in order.
fn children<'a>(tlv: &Tlv<'a>) -> Vec<Tlv<'a>> {
    let mut fields = tlv.children();
    let mut out = Vec::new();
    while let Some(field) = fields.next_tlv().unwrap() {
        out.push(field);
    }
    out
}

/// The signature value of SignerInfo `k` of a DER CMS: what a signatureTimeStampToken stamps
/// (RFC 3161 Appendix A).
fn signature_value(cms: &[u8], k: usize) -> Vec<u8> {
    parse_signed_data(cms).unwrap().signer_infos[k]
        .signature
        .to_vec()
}

/// The DER CMS `cms` with `token` added as a signatureTimeStampToken unsigned attribute
/// (RFC 3161 Appendix A) of SignerInfo `k`: `unsignedAttrs [1] IMPLICIT SET OF Attribute`
/// (RFC 5652 §5.3) is appended to that SignerInfo, or extended when it is already there, and
/// the SignerInfo, the signerInfos SET, the SignedData, its `[0] EXPLICIT` wrapper and the
/// ContentInfo are re-encoded with their new lengths. Nothing signed changes.
fn with_time_stamp(cms: &[u8], k: usize, token: &[u8]) -> Vec<u8> {
    let content_info = Tlv::parse_single(cms).unwrap();
    let [content_type, explicit] = children(&content_info).try_into().unwrap();
    let [signed_data] = children(&explicit).try_into().unwrap();
    let mut sd_fields = children(&signed_data);
    // signerInfos is SignedData's last field (RFC 5652 §5.1).
    let signer_infos = sd_fields.pop().unwrap();
    assert_eq!(signer_infos.tag(), Tag::SET);

    let mut infos: Vec<Vec<u8>> = children(&signer_infos)
        .iter()
        .map(|si| si.raw().to_vec())
        .collect();
    let signer_info = Tlv::parse_single(&infos[k]).unwrap();
    let mut si_fields = children(&signer_info);
    let mut unsigned = match si_fields.last() {
        Some(last) if last.tag() == Tag::context(1, true) => {
            si_fields.pop().unwrap().content().to_vec()
        }
        _ => Vec::new(),
    };
    unsigned.extend(attribute(ID_AA_SIGNATURE_TIME_STAMP_TOKEN, token));
    let mut si_content: Vec<u8> = si_fields.iter().flat_map(|f| f.raw()).copied().collect();
    si_content.extend(der_tlv(0xA1, &unsigned));
    infos[k] = der_tlv(0x30, &si_content);

    let mut sd_content: Vec<u8> = sd_fields.iter().flat_map(|f| f.raw()).copied().collect();
    sd_content.extend(der_tlv(0x31, &infos.concat()));
    let explicit = der_tlv(0xA0, &der_tlv(0x30, &sd_content));
    seq(&[content_type.raw(), &explicit])
}

/// `cms` with a test-TSA token at `gen_time` over SignerInfo 0's signature value.
fn stamped(cms: &[u8], gen_time: i64) -> Vec<u8> {
    with_time_stamp(
        cms,
        0,
        &time_stamp_token(gen_time, &signature_value(cms, 0)),
    )
}

// Assertions.

fn revoked_no_poe() -> Verdict {
    Verdict::failed(SubIndication::RevokedNoPoe)
}

/// `cms` verified in the default setup with `doc-4k.txt` at the validation time.
fn verify_default(cms: &[u8]) -> Report {
    verify(&verifier(), &request(cms))
}

/// Signer 0's proof of existence is the time-stamp's genTime `time` (RFC 3339 `text`), and
/// it is the best-signature-time; the one time-stamp is reported as a proof, in the report
/// and in its JSON form.
#[track_caller]
fn assert_time_stamp_poe(report: &Report, time: i64, text: &str) {
    let signer = &report.signers[0];
    let poe = signer.proof_of_existence.as_ref().expect("a POE");
    assert_eq!((poe.time, poe.source), (time, "timeStamp"), "{report}");
    assert_eq!(signer.best_signature_time, time, "{report}");
    assert_eq!(signer.time_stamps.len(), 1, "{report}");
    assert!(signer.time_stamps[0].proof_of_existence, "{report}");
    assert_eq!(signer.time_stamps[0].gen_time.as_deref(), Some(text));
    let passed = signer_checks(report, CheckName::TimeStamp, Outcome::Passed);
    assert_eq!(passed.len(), 1, "{report}");
    assert!(passed[0].message.to_string().contains(text), "{report}");

    let json = signer_json(report, 0);
    assert_eq!(json["proofOfExistence"]["time"], text);
    assert_eq!(json["proofOfExistence"]["source"], "timeStamp");
    assert_eq!(json["bestSignatureTime"], text);
    let ts = &json["timeStamps"][0];
    assert_eq!(ts["genTime"], text);
    assert_eq!(ts["proofOfExistence"], true);
    assert_eq!(ts["policy"], TSA_POLICY);
    assert_eq!(ts["serialNumber"], hex::encode(serial_number(time)));
    let tsa_subject = ts["tsa"]["subject"].as_str().unwrap();
    assert!(tsa_subject.contains("QOIMA TEST TSA"), "{tsa_subject}");
}

/// Signer 0 carries one time-stamp that is **not** a proof (a timeStamp warning whose
/// message contains `why`), and has no proof of existence: the best-signature-time is the
/// validation time.
#[track_caller]
fn assert_time_stamp_not_poe(report: &Report, why: &str) {
    let signer = &report.signers[0];
    assert!(signer.proof_of_existence.is_none(), "{report}");
    assert_eq!(signer.best_signature_time, AT);
    assert_eq!(signer.time_stamps.len(), 1, "{report}");
    assert!(!signer.time_stamps[0].proof_of_existence, "{report}");
    let warnings = signer_checks(report, CheckName::TimeStamp, Outcome::Warning);
    assert_eq!(warnings.len(), 1, "{report}");
    assert!(warnings[0].message.to_string().contains(why), "{report}");
    assert!(signer_checks(report, CheckName::TimeStamp, Outcome::Passed).is_empty());
    let json = signer_json(report, 0);
    assert_eq!(json["timeStamps"][0]["proofOfExistence"], false);
    assert!(json["proofOfExistence"].is_null());
    assert_eq!(json["bestSignatureTime"], "2026-06-15T12:00:00Z");
}

/// The revocation warning of a certificate revoked after the proof of existence.
#[track_caller]
fn assert_revoked_after_poe(report: &Report, revocation_date: &str) {
    let warnings = signer_checks(report, CheckName::Revocation, Outcome::Warning);
    assert_eq!(warnings.len(), 1, "{report}");
    assert!(
        warnings[0].message.to_string().contains(revocation_date),
        "{report}"
    );
    assert_eq!(report.signers[0].revocation[0].status, "revoked");
}

// The builder itself.

/// The tokens the builder makes verify on their own (signature, ESS binding, imprint, TSA
/// key purpose), with the genTime asked for, and chain to root-rsa at genTime when the TSA
/// certificate was valid then.
#[test]
fn builder_tokens_verify() {
    let signature = signature_value(pki::REVOKED_LATER_DETACHED_CMS, 0);
    let mut store = CertificateStore::new();
    store.add_trust_anchor(pki::ROOT_RSA).unwrap();
    store.add_intermediate(pki::CA_RSA).unwrap();
    for (gen_time, text, raw) in [
        (MAR_2025, "2025-03-01T00:00:00Z", "20250301000000Z"),
        (FEB_2026, "2026-02-01T00:00:00Z", "20260201000000Z"),
        (MAR_2026, "2026-03-01T00:00:00Z", "20260301000000Z"),
        (APR_2026, "2026-04-01T10:00:00Z", "20260401100000Z"),
        (JUL_2026, "2026-07-01T00:00:00Z", "20260701000000Z"),
    ] {
        let token = time_stamp_token(gen_time, &signature);
        let verified = verify_signature_time_stamp(&token, &signature, &[])
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(verified.gen_time_unix, gen_time);
        assert_eq!(verified.gen_time.to_string(), text);
        assert_eq!(verified.tsa_certificate_der, pki::TSA_CERT);
        assert_eq!(verified.policy, TSA_POLICY);
        assert_eq!(verified.serial, serial_number(gen_time));
        assert_eq!(verified.digest_algorithm, DigestAlgorithm::Sha256);
        assert_eq!(
            verified.signer.signing_certificate.v2,
            Some(DigestAlgorithm::Sha256)
        );
        assert!(verified.signer.signed_attributes);
        assert!(verified.notes.is_empty(), "the TSA's EKU is critical");

        let sd = parse_signed_data(&token).unwrap();
        let tst = TstInfo::parse(sd.encap_content_info.e_content.as_deref().unwrap()).unwrap();
        assert_eq!(tst.gen_time.raw, raw.as_bytes());
        assert_eq!(tst.gen_time.fraction, None);

        // The TSA certificate is valid from 2026-01-01.
        assert_eq!(
            verified.chain(&store).is_ok(),
            gen_time >= FEB_2026,
            "{text}"
        );
    }
}

#[test]
fn builder_token_over_other_bytes_is_an_imprint_mismatch() {
    let signature = signature_value(pki::REVOKED_LATER_DETACHED_CMS, 0);
    let token = time_stamp_token(APR_2026, b"other bytes");
    assert_eq!(
        verify_signature_time_stamp(&token, &signature, &[]),
        Err(TimeStampError::ImprintMismatch)
    );
    assert!(verify_signature_time_stamp(&token, b"other bytes", &[]).is_ok());
}

/// The token lands in the SignerInfo asked for, intact, and nothing signed changes.
#[test]
fn with_time_stamp_adds_an_unsigned_attribute() {
    let cms = pki::TWO_SIGNERS_DETACHED_CMS;
    let token = time_stamp_token(APR_2026, &signature_value(cms, 1));
    let changed = with_time_stamp(cms, 1, &token);
    let before = parse_signed_data(cms).unwrap();
    let after = parse_signed_data(&changed).unwrap();
    assert_eq!(after.signer_infos.len(), 2);
    for (b, a) in before.signer_infos.iter().zip(&after.signer_infos) {
        assert_eq!(a.signature, b.signature);
        assert_eq!(a.signed_attrs, b.signed_attrs);
    }
    assert_eq!(
        after.signer_infos[0].signature_time_stamp_tokens().count(),
        0
    );
    let tokens: Vec<_> = after.signer_infos[1]
        .signature_time_stamp_tokens()
        .collect();
    assert_eq!(tokens, [&token[..]]);
    // A second token joins the first in the same unsignedAttrs.
    let twice = with_time_stamp(&changed, 1, &token);
    let again = parse_signed_data(&twice).unwrap();
    assert_eq!(
        again.signer_infos[1].signature_time_stamp_tokens().count(),
        2
    );
}

// The engine.

/// A valid signer stays valid with a time-stamp, which becomes its POE.
#[test]
fn valid_signer_with_time_stamp_passes_with_the_gen_time_as_poe() {
    let report = verify_default(&stamped(pki::INDIVIDUAL_DETACHED_CMS, APR_2026));
    assert_verdict(&report, Verdict::PASSED);
    assert_time_stamp_poe(&report, APR_2026, "2026-04-01T10:00:00Z");
}

/// README: revoked-later (superseded 2026-05-01) with a POE at 2026-04-01 passes; the POE is
/// the token's genTime, and the revocation after it is a warning.
#[test]
fn revoked_later_time_stamp_before_revocation_passes() {
    let cms = pki::REVOKED_LATER_DETACHED_CMS;
    let without = verify_default(cms);
    assert_verdict(&without, revoked_no_poe());
    assert!(without.signers[0].proof_of_existence.is_none());
    assert!(without.signers[0].time_stamps.is_empty());

    let report = verify_default(&stamped(cms, APR_2026));
    assert_verdict(&report, Verdict::PASSED);
    assert_time_stamp_poe(&report, APR_2026, "2026-04-01T10:00:00Z");
    assert_revoked_after_poe(&report, "2026-05-01");
}

/// The same with the attached variant, with and without `doc-4k.txt` given.
#[test]
fn revoked_later_attached_time_stamp_before_revocation_passes() {
    let cms = stamped(pki::REVOKED_LATER_ATTACHED_CMS, APR_2026);
    let verifier = verifier();
    for request in [request(&cms), Request::new(&cms, AT)] {
        let report = verify(&verifier, &request);
        assert_verdict(&report, Verdict::PASSED);
        assert_eq!(report.detached, Some(false));
        assert_time_stamp_poe(&report, APR_2026, "2026-04-01T10:00:00Z");
        assert_revoked_after_poe(&report, "2026-05-01");
    }
}

/// README: keyCompromise is retroactive: a time-stamp before the revocation does not save
/// `revoked`, nor does one after it.
#[test]
fn revoked_key_compromise_with_time_stamp_is_revoked() {
    for (gen_time, text) in [
        (FEB_2026, "2026-02-01T00:00:00Z"),
        (APR_2026, "2026-04-01T10:00:00Z"),
    ] {
        let report = verify_default(&stamped(pki::REVOKED_DETACHED_CMS, gen_time));
        assert_verdict(&report, Verdict::failed(SubIndication::Revoked));
        assert_time_stamp_poe(&report, gen_time, text);
        let failed = signer_checks(&report, CheckName::Revocation, Outcome::Failed);
        assert_eq!(failed.len(), 1, "{report}");
        assert!(
            failed[0].message.to_string().contains("2026-03-01"),
            "{report}"
        );
    }
}

/// The TSA certificate is valid only from 2026-01-01: a token dated 2025-03-01 has no TSA
/// path at genTime, so it proves nothing and `expired` stays OUT_OF_BOUNDS_NO_POE (with the
/// same POE from the caller it would pass).
#[test]
fn expired_time_stamp_before_tsa_validity_is_not_a_poe() {
    let report = verify_default(&stamped(pki::EXPIRED_DETACHED_CMS, MAR_2025));
    assert_verdict(&report, Verdict::failed(SubIndication::OutOfBoundsNoPoe));
    assert_time_stamp_not_poe(&report, "TSA certificate path at genTime");
    // The token itself verified: its facts are reported.
    let ts = &report.signers[0].time_stamps[0];
    assert_eq!(ts.gen_time.as_deref(), Some("2025-03-01T00:00:00Z"));
    assert!(ts.tsa.is_some());
}

/// README: `expired` with a POE after its notAfter (2025-06-01) is EXPIRED; a valid token of
/// 2026-04-01 is such a POE.
#[test]
fn expired_time_stamp_after_expiry_is_expired() {
    let report = verify_default(&stamped(pki::EXPIRED_DETACHED_CMS, APR_2026));
    assert_verdict(&report, Verdict::failed(SubIndication::Expired));
    assert_time_stamp_poe(&report, APR_2026, "2026-04-01T10:00:00Z");
}

/// A token over other bytes than this signature value proves nothing about it.
#[test]
fn time_stamp_over_other_bytes_is_not_a_poe() {
    let cms = pki::REVOKED_LATER_DETACHED_CMS;
    let token = time_stamp_token(APR_2026, b"another signature value");
    let report = verify_default(&with_time_stamp(cms, 0, &token));
    assert_verdict(&report, revoked_no_poe());
    assert_time_stamp_not_poe(&report, "messageImprint");
    // An unusable token reports no facts.
    assert_eq!(report.signers[0].time_stamps[0].gen_time, None);
}

/// A token naming the TSA certificate but signed with another key does not verify.
#[test]
fn time_stamp_signed_with_another_key_is_not_a_poe() {
    let cms = pki::REVOKED_LATER_DETACHED_CMS;
    let token = time_stamp_token_by(
        pki::TSA_CERT,
        pki::INDIVIDUAL_KEY,
        APR_2026,
        &signature_value(cms, 0),
    );
    assert!(matches!(
        verify_signature_time_stamp(&token, &signature_value(cms, 0), &[]),
        Err(TimeStampError::Signer(_))
    ));
    let report = verify_default(&with_time_stamp(cms, 0, &token));
    assert_verdict(&report, revoked_no_poe());
    assert_time_stamp_not_poe(&report, "time-stamp token unusable");
}

/// RFC 3161 §2.3: a token by a certificate without the timeStamping key purpose (the
/// individual's own, under the same trusted CA) is no time-stamp.
#[test]
fn time_stamp_by_a_non_tsa_certificate_is_not_a_poe() {
    let cms = pki::REVOKED_LATER_DETACHED_CMS;
    let token = time_stamp_token_by(
        pki::INDIVIDUAL,
        pki::INDIVIDUAL_KEY,
        APR_2026,
        &signature_value(cms, 0),
    );
    assert_eq!(
        verify_signature_time_stamp(&token, &signature_value(cms, 0), &[]),
        Err(TimeStampError::NotTimeStampingCertificate)
    );
    let report = verify_default(&with_time_stamp(cms, 0, &token));
    assert_verdict(&report, revoked_no_poe());
    assert_time_stamp_not_poe(&report, "extendedKeyUsage");
}

/// A genTime after the validation time proves nothing the validation time does not: the
/// token is reported, but the signer has no POE.
#[test]
fn time_stamp_after_the_validation_time_is_not_used() {
    let report = verify_default(&stamped(pki::REVOKED_LATER_DETACHED_CMS, JUL_2026));
    assert_verdict(&report, revoked_no_poe());
    let signer = &report.signers[0];
    assert!(signer.proof_of_existence.is_none(), "{report}");
    assert_eq!(signer.best_signature_time, AT);
    assert_eq!(signer.time_stamps.len(), 1);
    assert_eq!(
        signer.time_stamps[0].gen_time.as_deref(),
        Some("2026-07-01T00:00:00Z")
    );
    let json = signer_json(&report, 0);
    assert_eq!(json["timeStamps"][0]["genTime"], "2026-07-01T00:00:00Z");
    assert!(json["proofOfExistence"].is_null());
    assert_eq!(json["bestSignatureTime"], "2026-06-15T12:00:00Z");
}

/// The time-stamp report of a genTime after the validation time must not claim it was used
/// as a proof of existence (`TimeStampReport::proof_of_existence`: "whether genTime was used
/// as a proof of existence"), nor pass a check saying it proves the signature existed then.
#[test]
fn time_stamp_after_the_validation_time_is_not_reported_as_a_poe() {
    let report = verify_default(&stamped(pki::REVOKED_LATER_DETACHED_CMS, JUL_2026));
    assert_verdict(&report, revoked_no_poe());
    let signer = &report.signers[0];
    assert!(!signer.time_stamps[0].proof_of_existence, "{report}");
    assert!(
        signer_checks(&report, CheckName::TimeStamp, Outcome::Passed).is_empty(),
        "{report}"
    );
    assert_eq!(
        signer_checks(&report, CheckName::TimeStamp, Outcome::Warning).len(),
        1,
        "{report}"
    );
}

/// Of the caller's POE and the token's genTime, the earlier is the POE.
#[test]
fn earlier_caller_poe_wins_over_the_time_stamp() {
    let cms = stamped(pki::REVOKED_LATER_DETACHED_CMS, APR_2026);
    let report = verify(&verifier(), &request(&cms).proof_of_existence(MAR_2026));
    assert_verdict(&report, Verdict::PASSED);
    let signer = &report.signers[0];
    let poe = signer.proof_of_existence.as_ref().unwrap();
    assert_eq!((poe.time, poe.source), (MAR_2026, "caller"));
    assert_eq!(signer.best_signature_time, MAR_2026);
    // The token is still a valid time-stamp, just not the earliest proof.
    assert!(signer.time_stamps[0].proof_of_existence);
    let json = signer_json(&report, 0);
    assert_eq!(json["proofOfExistence"]["source"], "caller");
    assert_eq!(json["proofOfExistence"]["time"], "2026-03-01T00:00:00Z");
    assert_eq!(json["bestSignatureTime"], "2026-03-01T00:00:00Z");
    assert_eq!(json["timeStamps"][0]["genTime"], "2026-04-01T10:00:00Z");
    assert_revoked_after_poe(&report, "2026-05-01");
}

#[test]
fn earlier_time_stamp_wins_over_the_caller_poe() {
    let cms = stamped(pki::REVOKED_LATER_DETACHED_CMS, FEB_2026);
    let report = verify(&verifier(), &request(&cms).proof_of_existence(APR_2026));
    assert_verdict(&report, Verdict::PASSED);
    assert_time_stamp_poe(&report, FEB_2026, "2026-02-01T00:00:00Z");
}

/// README: a hold can be lifted; a POE before it (here a token) does not settle it.
#[test]
fn hold_with_time_stamp_before_the_hold_is_revoked_no_poe() {
    let report = verify_default(&stamped(pki::HOLD_DETACHED_CMS, MAR_2026));
    assert_verdict(&report, revoked_no_poe());
    assert_time_stamp_poe(&report, MAR_2026, "2026-03-01T00:00:00Z");
}

/// Of several valid tokens the earliest genTime is the POE; an unusable token beside a good
/// one is only a warning.
#[test]
fn several_time_stamps() {
    let cms = pki::REVOKED_LATER_DETACHED_CMS;
    let signature = signature_value(cms, 0);
    let two = with_time_stamp(
        &with_time_stamp(cms, 0, &time_stamp_token(APR_2026, &signature)),
        0,
        &time_stamp_token(FEB_2026, &signature),
    );
    let report = verify_default(&two);
    assert_verdict(&report, Verdict::PASSED);
    let signer = &report.signers[0];
    assert_eq!(signer.time_stamps.len(), 2);
    assert!(signer.time_stamps.iter().all(|t| t.proof_of_existence));
    let poe = signer.proof_of_existence.as_ref().unwrap();
    assert_eq!((poe.time, poe.source), (FEB_2026, "timeStamp"));
    assert_eq!(signer.best_signature_time, FEB_2026);

    let bad_and_good = with_time_stamp(
        &with_time_stamp(cms, 0, &time_stamp_token(FEB_2026, b"other")),
        0,
        &time_stamp_token(APR_2026, &signature),
    );
    let report = verify_default(&bad_and_good);
    assert_verdict(&report, Verdict::PASSED);
    let signer = &report.signers[0];
    assert_eq!(signer.time_stamps.len(), 2);
    assert!(!signer.time_stamps[0].proof_of_existence);
    assert!(signer.time_stamps[1].proof_of_existence);
    assert_eq!(
        signer.proof_of_existence.as_ref().map(|p| p.time),
        Some(APR_2026)
    );
    assert_eq!(
        signer_checks(&report, CheckName::TimeStamp, Outcome::Warning).len(),
        1
    );
    assert_eq!(
        signer_checks(&report, CheckName::TimeStamp, Outcome::Passed).len(),
        1
    );
}

/// A token is the POE of the SignerInfo it is attached to only.
#[test]
fn time_stamp_of_the_second_signer_only() {
    let cms = pki::TWO_SIGNERS_DETACHED_CMS;
    let token = time_stamp_token(APR_2026, &signature_value(cms, 1));
    let report = verify_default(&with_time_stamp(cms, 1, &token));
    assert_verdict(&report, Verdict::PASSED);
    assert!(report.signers[0].proof_of_existence.is_none());
    assert!(report.signers[0].time_stamps.is_empty());
    assert_eq!(report.signers[0].best_signature_time, AT);
    let second = &report.signers[1];
    let poe = second.proof_of_existence.as_ref().unwrap();
    assert_eq!((poe.time, poe.source), (APR_2026, "timeStamp"));
    assert_eq!(second.best_signature_time, APR_2026);
    let json = signer_json(&report, 1);
    assert_eq!(json["timeStamps"][0]["genTime"], "2026-04-01T10:00:00Z");
    assert_eq!(json["timeStamps"][0]["proofOfExistence"], true);

    // The token over signer 1's signature value does not fit signer 0.
    let report = verify_default(&with_time_stamp(cms, 0, &token));
    assert_verdict(&report, Verdict::PASSED);
    assert_time_stamp_not_poe(&report, "messageImprint");
}
