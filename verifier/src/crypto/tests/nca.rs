//! Real NCA signatures (Kalkan/NCALayer, GOST 34.10-2015 512-bit, Streebog-512,
//! signingCertificateV2) through [`verify_signer_info`], and the older GOST-2004 example.

use crate::cms::SignedData;
use crate::crypto::{
    Content, DigestAlgorithm, KeyAlgorithm, SignatureScheme, SignerCryptoError, verify_signer_info,
};
use crate::gost::GostAlgorithm;
use crate::input::{decode_certificate_file, decode_cms};
use crate::oid;
use crate::parse_signed_data;
use crate::test_support::fixtures;
use crate::verdict::SubIndication;

const DIR: &str = "testdata/skarm_kalkan/cms";

struct Case {
    attached: &'static [u8],
    detached: &'static [u8],
    document: &'static [u8],
    signer: &'static [u8],
}

const INDIVIDUAL: Case = Case {
    attached: fixtures::INDIVIDUAL_ATTACHED,
    detached: fixtures::INDIVIDUAL_DETACHED,
    document: fixtures::INDIVIDUAL_DOCUMENT,
    signer: fixtures::INDIVIDUAL_SIGNER,
};

const LEGAL_ENTITY: Case = Case {
    attached: fixtures::LEGAL_ATTACHED,
    detached: fixtures::LEGAL_DETACHED,
    document: fixtures::LEGAL_DOCUMENT,
    signer: fixtures::LEGAL_SIGNER,
};

fn certificate(file: &[u8]) -> Vec<u8> {
    let mut certs = decode_certificate_file(file).unwrap();
    assert_eq!(certs.len(), 1);
    certs.remove(0).into_owned()
}

fn only_signer<'a>(signed_data: &'a SignedData<'_>) -> &'a crate::cms::SignerInfo<'a> {
    assert_eq!(signed_data.signer_infos.len(), 1, "{DIR}");
    &signed_data.signer_infos[0]
}

fn check_facts(facts: &crate::crypto::SignerCryptoFacts) {
    let alg = facts.signature_algorithm;
    assert_eq!(
        alg.scheme,
        SignatureScheme::Gost(GostAlgorithm::Gost2015_512)
    );
    assert_eq!(alg.key, KeyAlgorithm::Gost(GostAlgorithm::Gost2015_512));
    assert_eq!(alg.digest, Some(DigestAlgorithm::Streebog512));
    assert_eq!(alg.key_bits, 512);
    assert_eq!(facts.digest_algorithm, DigestAlgorithm::Streebog512);
    assert!(facts.signed_attributes);
    // Kalkan writes signingCertificateV2 (and no v1 attribute).
    assert!(facts.signing_certificate.v2.is_some());
    assert!(!facts.signing_certificate.v1);
}

#[test]
fn attached_and_detached_verify() {
    for case in [INDIVIDUAL, LEGAL_ENTITY] {
        let cert = certificate(case.signer);
        let attached = parse_signed_data(case.attached).unwrap();
        assert_eq!(
            attached.encap_content_info.e_content.as_deref(),
            Some(case.document)
        );
        let facts = verify_signer_info(only_signer(&attached), &cert, Content::of(&attached, None))
            .unwrap();
        check_facts(&facts);

        let detached = parse_signed_data(case.detached).unwrap();
        let signer = only_signer(&detached);
        let content = Content::of(&detached, Some(case.document));
        assert_eq!(content, Content::Detached(case.document));
        check_facts(&verify_signer_info(signer, &cert, content).unwrap());

        // A vault that knows the Streebog-512 digest needs no content.
        let digest = DigestAlgorithm::Streebog512.digest(case.document);
        let content = Content::Digest {
            algorithm: DigestAlgorithm::Streebog512,
            value: &digest,
        };
        check_facts(&verify_signer_info(signer, &cert, content).unwrap());

        // A digest of another algorithm cannot stand in for the content.
        let sha256 = DigestAlgorithm::Sha256.digest(case.document);
        let content = Content::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: &sha256,
        };
        assert!(matches!(
            verify_signer_info(signer, &cert, content),
            Err(SignerCryptoError::ContentRequired(_))
        ));
    }
}

#[test]
fn detached_without_content_is_signed_data_not_found() {
    for case in [INDIVIDUAL, LEGAL_ENTITY] {
        let cert = certificate(case.signer);
        let detached = parse_signed_data(case.detached).unwrap();
        let content = Content::of(&detached, None);
        assert_eq!(content, Content::Missing);
        let err = verify_signer_info(only_signer(&detached), &cert, content).unwrap_err();
        assert_eq!(err, SignerCryptoError::ContentMissing);
        assert_eq!(err.sub_indication(), SubIndication::SignedDataNotFound);
    }
}

#[test]
fn tampered_content_is_hash_failure() {
    for case in [INDIVIDUAL, LEGAL_ENTITY] {
        let cert = certificate(case.signer);
        let detached = parse_signed_data(case.detached).unwrap();
        let mut document = case.document.to_vec();
        document[0] ^= 0x01;
        let err = verify_signer_info(only_signer(&detached), &cert, Content::Detached(&document))
            .unwrap_err();
        assert_eq!(err, SignerCryptoError::ContentHashMismatch);
        assert_eq!(err.sub_indication(), SubIndication::HashFailure);
        let digest = DigestAlgorithm::Streebog512.digest(&document);
        let content = Content::Digest {
            algorithm: DigestAlgorithm::Streebog512,
            value: &digest,
        };
        assert_eq!(
            verify_signer_info(only_signer(&detached), &cert, content),
            Err(SignerCryptoError::ContentHashMismatch)
        );
    }
}

/// Changes one digit of the signingTime attribute (still a valid UTCTime, still parses): the
/// messageDigest still matches, the signature over the attributes no longer does.
#[test]
fn tampered_signed_attribute_is_sig_crypto_failure() {
    for case in [INDIVIDUAL, LEGAL_ENTITY] {
        let cert = certificate(case.signer);
        let original = parse_signed_data(case.attached).unwrap();
        let attrs = only_signer(&original).signed_attrs.as_ref().unwrap();
        let time = attrs.get(&oid::ID_SIGNING_TIME).unwrap().values[0];
        // The last seconds digit sits just before the final 'Z'.
        assert_eq!(time.last(), Some(&b'Z'));
        let at = time.as_ptr() as usize - case.attached.as_ptr() as usize + time.len() - 2;
        let mut bytes = case.attached.to_vec();
        assert!(bytes[at].is_ascii_digit());
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };

        let tampered = parse_signed_data(&bytes).unwrap();
        assert_ne!(
            only_signer(&tampered)
                .signed_attrs
                .as_ref()
                .unwrap()
                .signing_time,
            attrs.signing_time
        );
        assert_eq!(
            verify_signer_info(only_signer(&tampered), &cert, Content::of(&tampered, None)),
            Err(SignerCryptoError::SignatureInvalid)
        );
    }
}

#[test]
fn tampered_signature_is_sig_crypto_failure() {
    let cert = certificate(INDIVIDUAL.signer);
    let signed_data = parse_signed_data(INDIVIDUAL.attached).unwrap();
    let mut signer = only_signer(&signed_data).clone();
    signer.signature.to_mut()[5] ^= 0x40;
    let err = verify_signer_info(&signer, &cert, Content::of(&signed_data, None)).unwrap_err();
    assert_eq!(err, SignerCryptoError::SignatureInvalid);
    assert_eq!(err.sub_indication(), SubIndication::SigCryptoFailure);
}

#[test]
fn wrong_certificate_is_signing_certificate_mismatch() {
    for (case, other) in [(INDIVIDUAL, LEGAL_ENTITY), (LEGAL_ENTITY, INDIVIDUAL)] {
        let wrong = certificate(other.signer);
        let signed_data = parse_signed_data(case.attached).unwrap();
        let err = verify_signer_info(
            only_signer(&signed_data),
            &wrong,
            Content::of(&signed_data, None),
        )
        .unwrap_err();
        assert_eq!(
            err,
            SignerCryptoError::SigningCertificateMismatch {
                attribute: "signingCertificateV2",
                field: "certHash"
            }
        );
        // EN 319 102-1 §5.2.3: the signing certificate could not be identified.
        assert_eq!(
            err.sub_indication(),
            SubIndication::NoSigningCertificateFound
        );
    }
}

#[test]
fn malformed_certificate() {
    let signed_data = parse_signed_data(INDIVIDUAL.attached).unwrap();
    let mut cert = certificate(INDIVIDUAL.signer);
    cert.push(0);
    assert_eq!(
        verify_signer_info(
            only_signer(&signed_data),
            &cert,
            Content::of(&signed_data, None)
        ),
        Err(SignerCryptoError::MalformedCertificate)
    );
}

/// The 2018 GOST 34.310-2004 example (GOST R 34.11-94 digest).
#[test]
fn gost_2004_example() {
    let cms = decode_cms(fixtures::TEST_CMS_GOST).unwrap();
    let cert = certificate(fixtures::TEST_CERT_GOST);
    let signed_data = parse_signed_data(&cms.bytes).unwrap();
    let signer = only_signer(&signed_data);
    let facts = verify_signer_info(signer, &cert, Content::of(&signed_data, None)).unwrap();
    assert_eq!(
        facts.signature_algorithm.scheme,
        SignatureScheme::Gost(GostAlgorithm::Gost2004)
    );
    assert_eq!(facts.digest_algorithm, DigestAlgorithm::Gost94);
    assert_eq!(facts.signature_algorithm.key_bits, 256);
}
