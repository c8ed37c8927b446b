//! Tampering (content, signature value, a signed attribute), missing content, and input that
//! is not CMS.

use std::borrow::Cow;

use super::{AT, Setup, assert_verdict, check, request, verifier, verify};
use crate::engine::{CheckName, Data, Outcome, Request};
use crate::test_support::{der_tlv, pki};
use crate::verdict::{SubIndication, Verdict};

/// The offset of `part` inside `whole` (a sub-slice of it).
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    let offset = (part.as_ptr() as usize)
        .checked_sub(whole.as_ptr() as usize)
        .expect("part is inside whole");
    assert!(offset + part.len() <= whole.len(), "part is inside whole");
    offset
}

/// `cms` with one bit flipped in the middle of the first SignerInfo's signature value.
pub(super) fn flip_signature_byte(cms: &[u8]) -> Vec<u8> {
    let mut der = cms.to_vec();
    let offset = {
        let signed_data = crate::parse_signed_data(&der).expect("CMS");
        let Cow::Borrowed(value) = &signed_data.signer_infos[0].signature else {
            panic!("a DER signature value is borrowed");
        };
        offset_in(&der, value) + value.len() / 2
    };
    der[offset] ^= 0x01;
    der
}

/// `cms` with `from` (found exactly once) replaced by `to` of the same length.
pub(super) fn replace_once(cms: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let found: Vec<usize> = cms
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(found.len(), 1, "{:?} once", String::from_utf8_lossy(from));
    let mut out = cms.to_vec();
    out[found[0]..found[0] + to.len()].copy_from_slice(to);
    out
}

/// `cms` with its signingTime one second later (still a valid UTCTime).
fn shift_signing_time(cms: &[u8]) -> Vec<u8> {
    replace_once(cms, b"260401100000Z", b"260401100001Z")
}

#[test]
fn tampered_detached_content_is_hash_failure() {
    let mut content = pki::DOC_4K.to_vec();
    content[2048] ^= 0x01;
    for cms in [
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::EC_DETACHED_CMS,
        pki::INDIVIDUAL_NOATTR_DETACHED_CMS,
    ] {
        let request = Request::new(cms, AT).data(Data::Bytes(&content));
        let report = verify(&verifier(), &request);
        let expected = if cms == pki::INDIVIDUAL_NOATTR_DETACHED_CMS {
            // Without signed attributes there is no messageDigest to compare: the signature
            // over the content itself fails.
            Verdict::failed(SubIndication::SigCryptoFailure)
        } else {
            Verdict::failed(SubIndication::HashFailure)
        };
        assert_verdict(&report, expected);
    }
}

#[test]
fn attached_given_another_content_is_hash_failure() {
    let mut content = pki::DOC_4K.to_vec();
    content[0] ^= 0x01;
    let request = Request::new(pki::INDIVIDUAL_ATTACHED_CMS, AT).data(Data::Bytes(&content));
    let report = verify(&verifier(), &request);
    assert_verdict(&report, Verdict::failed(SubIndication::HashFailure));
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.check == CheckName::Content && c.outcome == Outcome::Failed),
        "{report}"
    );
}

#[test]
fn tampered_econtent_is_hash_failure() {
    let line = &pki::DOC_4K[..64];
    let mut altered = line.to_vec();
    altered[10] ^= 0x01;
    let cms = replace_once(pki::INDIVIDUAL_ATTACHED_CMS, line, &altered);
    let report = verify(&verifier(), &Request::new(&cms, AT));
    assert_verdict(&report, Verdict::failed(SubIndication::HashFailure));
}

#[test]
fn tampered_signature_value_is_sig_crypto_failure() {
    for cms in [
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_ATTACHED_CMS,
        pki::EC_DETACHED_CMS,
        pki::INDIVIDUAL_NOATTR_DETACHED_CMS,
    ] {
        let tampered = flip_signature_byte(cms);
        check(
            &Setup::new(),
            &tampered,
            Verdict::failed(SubIndication::SigCryptoFailure),
        );
    }
}

#[test]
fn tampered_signing_time_is_sig_crypto_failure() {
    for cms in [pki::INDIVIDUAL_DETACHED_CMS, pki::INDIVIDUAL_ATTACHED_CMS] {
        let tampered = shift_signing_time(cms);
        let report = check(
            &Setup::new(),
            &tampered,
            Verdict::failed(SubIndication::SigCryptoFailure),
        );
        assert_eq!(
            report.signers[0]
                .claimed_signing_time
                .as_ref()
                .map(ToString::to_string),
            Some("2026-04-01T10:00:01Z".to_owned())
        );
    }
}

#[test]
fn detached_without_content_is_signed_data_not_found() {
    for cms in [
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::INDIVIDUAL_DETACHED_PEM,
        pki::INDIVIDUAL_NOATTR_DETACHED_CMS,
        pki::HEAD_DETACHED_CMS,
        pki::EC_DETACHED_CMS,
        pki::TWO_SIGNERS_DETACHED_CMS,
    ] {
        let report = verify(&verifier(), &Request::new(cms, AT));
        assert_verdict(&report, Verdict::failed(SubIndication::SignedDataNotFound));
        assert_eq!(report.detached, Some(true));
    }
}

#[test]
fn a_content_type_attribute_other_than_the_e_content_type_is_format_failure() {
    // The detached CMS's encapContentInfo, SEQUENCE { id-data }, made to say id-envelopedData:
    // the signed contentType attribute (id-data) no longer matches, the signature still does.
    const DATA: &[u8] = &[
        0x30, 11, 0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 7, 1,
    ];
    const ENVELOPED: &[u8] = &[
        0x30, 11, 0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 7, 3,
    ];
    let cms = replace_once(pki::INDIVIDUAL_DETACHED_CMS, DATA, ENVELOPED);
    let report = verify(&verifier(), &request(&cms));
    assert_verdict(&report, Verdict::failed(SubIndication::FormatFailure));
    let signer = &report.signers[0];
    let failed: Vec<_> = signer
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert_eq!(failed[0].check, CheckName::Format);
    assert!(
        failed[0]
            .message
            .to_string()
            .contains("contentType attribute (1.2.840.113549.1.7.1) is not the eContentType (1.2.840.113549.1.7.3)"),
        "{report}"
    );
    // The cryptography still verifies, and the report says who signed.
    assert!(signer.identity.is_some());
    // The untouched CMS passes: the check compares, it does not refuse every CMS.
    assert!(
        verify(&verifier(), &request(pki::INDIVIDUAL_DETACHED_CMS))
            .verdict
            .passed()
    );
}

#[test]
fn empty_input_is_format_failure() {
    let report = verify(&verifier(), &Request::new(b"", AT));
    assert_verdict(&report, Verdict::failed(SubIndication::FormatFailure));
    assert!(report.signers.is_empty());
    assert_eq!(report.format, None);
}

#[test]
fn garbage_is_format_failure() {
    let mut garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    garbage[0] = 0x30; // looks like a SEQUENCE at first
    for input in [
        &garbage[..],
        b"not a signature at all",
        b"-----BEGIN CMS-----\nnot base64!\n-----END CMS-----\n",
        &[0x30, 0x80, 0x00],
    ] {
        let report = verify(&verifier(), &Request::new(input, AT));
        assert_verdict(&report, Verdict::failed(SubIndication::FormatFailure));
    }
}

#[test]
fn truncated_cms_is_format_failure() {
    let cms = pki::INDIVIDUAL_DETACHED_CMS;
    let report = verify(&verifier(), &request(&cms[..cms.len() / 2]));
    assert_verdict(&report, Verdict::failed(SubIndication::FormatFailure));
}

#[test]
fn no_signer_info_is_format_failure() {
    // ContentInfo { signedData, [0] SignedData { 1, {}, { data }, signerInfos {} } }.
    const SIGNED_DATA: &[u8] = &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 7, 2];
    const DATA: &[u8] = &[0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 7, 1];
    let signed_data = der_tlv(
        0x30,
        &[
            &[0x02, 1, 1][..],
            &der_tlv(0x31, &[]),
            &der_tlv(0x30, DATA),
            &der_tlv(0x31, &[]),
        ]
        .concat(),
    );
    let content_info = der_tlv(0x30, &[SIGNED_DATA, &der_tlv(0xA0, &signed_data)].concat());
    let report = verify(&verifier(), &Request::new(&content_info, AT));
    assert_verdict(&report, Verdict::failed(SubIndication::FormatFailure));
    assert!(report.signers.is_empty());
    // It is a SignedData: the engine got that far, and refused it for having no signer.
    assert_eq!(report.format, Some("DER"));
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.message.to_string().contains("no SignerInfo")),
        "{report}"
    );
}
