//! CMS made by the openssl CLI (`testdata/crypto/make-keys.sh`): RSA-1024 and SHA-1 signatures
//! ring's signers cannot make, RSA-PSS with an ESS signingCertificateV2, unsupported PSS
//! parameters; and ESS signing-certificate attributes built here, signed with ring.

use std::borrow::Cow;

use ring::rand::SystemRandom;
use ring::signature as rs;

use super::*;
use crate::cms::{SignedAttributes, SignerIdentifier, SignerInfo};
use crate::crypto::{
    Content, CryptoError, DigestAlgorithm, KeyAlgorithm, SignatureScheme, SignerCryptoError, oids,
    resolve_signer, verify_signer_info,
};
use crate::parse_signed_data;

const RSA1024_CER: &[u8] = include_bytes!("../../../testdata/crypto/rsa1024.cer");
const RSA2048_CER: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.cer");
const RSA2048_PK8: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.pk8.der");
const MESSAGE: &[u8] = include_bytes!("../../../testdata/crypto/message.txt");

fn verify(cms: &[u8], cert: &[u8]) -> Result<crate::crypto::SignerCryptoFacts, SignerCryptoError> {
    let signed_data = parse_signed_data(cms).unwrap();
    assert_eq!(
        signed_data.encap_content_info.e_content.as_deref(),
        Some(MESSAGE)
    );
    assert_eq!(signed_data.signer_infos.len(), 1);
    verify_signer_info(
        &signed_data.signer_infos[0],
        cert,
        Content::of(&signed_data, None),
    )
}

#[test]
fn rsa_1024_verifies_and_reports_its_size() {
    for (cms, attrs) in [
        (
            &include_bytes!("../../../testdata/crypto/cms_rsa1024_sha256_attrs.der")[..],
            true,
        ),
        (
            &include_bytes!("../../../testdata/crypto/cms_rsa1024_sha256_noattr.der")[..],
            false,
        ),
    ] {
        let facts = verify(cms, RSA1024_CER).unwrap();
        assert_eq!(
            facts.signature_algorithm.scheme,
            SignatureScheme::RsaPkcs1v15
        );
        assert_eq!(facts.signature_algorithm.key, KeyAlgorithm::Rsa);
        assert_eq!(facts.signature_algorithm.key_bits, 1024);
        assert_eq!(
            facts.signature_algorithm.digest,
            Some(DigestAlgorithm::Sha256)
        );
        assert_eq!(facts.signed_attributes, attrs);
    }
}

#[test]
fn sha1_verifies_and_reports_sha1() {
    // openssl writes signatureAlgorithm rsaEncryption and digestAlgorithm SHA-1.
    for cms in [
        &include_bytes!("../../../testdata/crypto/cms_rsa2048_sha1_attrs.der")[..],
        &include_bytes!("../../../testdata/crypto/cms_rsa2048_sha1_noattr.der")[..],
    ] {
        let signed_data = parse_signed_data(cms).unwrap();
        assert_eq!(
            signed_data.signer_infos[0].signature_algorithm.algorithm,
            oids::RSA_ENCRYPTION
        );
        let facts = verify(cms, RSA2048_CER).unwrap();
        assert_eq!(facts.digest_algorithm, DigestAlgorithm::Sha1);
        assert_eq!(
            facts.signature_algorithm.digest,
            Some(DigestAlgorithm::Sha1)
        );
        assert_eq!(facts.signature_algorithm.key_bits, 2048);
    }
}

#[test]
fn pss_with_signing_certificate_v2() {
    let cms = include_bytes!("../../../testdata/crypto/cms_rsa2048_pss_sha256_cades.der");
    let facts = verify(cms, RSA2048_CER).unwrap();
    assert_eq!(
        facts.signature_algorithm.scheme,
        SignatureScheme::RsaPss { salt_len: 32 }
    );
    assert_eq!(
        facts.signature_algorithm.digest,
        Some(DigestAlgorithm::Sha256)
    );
    assert_eq!(facts.signing_certificate.v2, Some(DigestAlgorithm::Sha256));
    // openssl includes issuerSerial: it was compared too.
    let signed_data = parse_signed_data(cms).unwrap();
    let attrs = signed_data.signer_infos[0].signed_attrs.as_ref().unwrap();
    let ess = attrs.signing_certificate_v2.as_ref().unwrap();
    assert!(ess.certs[0].issuer_serial.is_some());
    // The 1024-bit certificate: its key cannot verify PSS at all (resolution comes first).
    assert!(matches!(
        verify(cms, RSA1024_CER),
        Err(SignerCryptoError::UnsupportedCombination(
            CryptoError::UnsupportedKeySize { bits: 1024, .. }
        ))
    ));
}

/// A salt of 20 octets with SHA-256 (ring verifies only 32): verified by `rsa.rs`, and the
/// facts say which salt length.
#[test]
fn pss_with_salt_20_verifies() {
    let cms = include_bytes!("../../../testdata/crypto/cms_rsa2048_pss_sha256_salt20.der");
    let facts = verify(cms, RSA2048_CER).unwrap();
    assert_eq!(
        facts.signature_algorithm.scheme,
        SignatureScheme::RsaPss { salt_len: 20 }
    );
    let signed_data = parse_signed_data(cms).unwrap();
    let (algorithm, _) = resolve_signer(&signed_data.signer_infos[0], RSA2048_CER).unwrap();
    assert_eq!(algorithm, facts.signature_algorithm);
    // The 1024-bit key cannot verify PSS at all, whatever the salt (resolution comes first).
    assert!(matches!(
        verify(cms, RSA1024_CER),
        Err(SignerCryptoError::UnsupportedCombination(
            CryptoError::UnsupportedKeySize { bits: 1024, .. }
        ))
    ));
}

/// `SignedAttributes` with contentType, messageDigest and the given extra attributes.
fn attributes(extra: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let content_type = seq(&[
        &tlv(0x06, crate::oid::ID_CONTENT_TYPE.as_bytes()),
        &tlv(0x31, &tlv(0x06, crate::oid::ID_DATA.as_bytes())),
    ]);
    let digest = seq(&[
        &tlv(0x06, crate::oid::ID_MESSAGE_DIGEST.as_bytes()),
        &tlv(0x31, &tlv(0x04, &DigestAlgorithm::Sha256.digest(MESSAGE))),
    ]);
    let body = [vec![content_type, digest], extra.to_vec()]
        .concat()
        .concat();
    (tlv(0xa0, &body), tlv(0x31, &body))
}

/// `IssuerSerial { GeneralNames { directoryName [4] issuer }, serial }`.
fn issuer_serial(issuer: &[u8], serial: &[u8]) -> Vec<u8> {
    seq(&[&seq(&[&tlv(0xa4, issuer)]), &tlv(0x02, serial)])
}

fn signing_certificate_v2(cert_hash: &[u8], issuer_serial: Option<&[u8]>) -> Vec<u8> {
    let hash = tlv(0x04, cert_hash);
    let id = match issuer_serial {
        Some(is) => seq(&[&hash, is]),
        None => seq(&[&hash]),
    };
    seq(&[
        &tlv(0x06, crate::oid::ID_AA_SIGNING_CERTIFICATE_V2.as_bytes()),
        &tlv(0x31, &seq(&[&seq(&[&id])])),
    ])
}

fn signing_certificate_v1(cert_hash: &[u8]) -> Vec<u8> {
    seq(&[
        &tlv(0x06, crate::oid::ID_AA_SIGNING_CERTIFICATE.as_bytes()),
        &tlv(0x31, &seq(&[&seq(&[&seq(&[&tlv(0x04, cert_hash)])])])),
    ])
}

/// Verifies a ring RSA-2048 SignerInfo carrying `extra` attributes against `rsa2048.cer`.
fn verify_with(extra: &[Vec<u8>]) -> Result<crate::crypto::SignerCryptoFacts, SignerCryptoError> {
    let (attrs, to_sign) = attributes(extra);
    let pair = rs::RsaKeyPair::from_pkcs8(RSA2048_PK8).unwrap();
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &rs::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        &to_sign,
        &mut signature,
    )
    .unwrap();
    let digest_alg = alg_id(oids::SHA256, None);
    let signature_alg = alg_id(oids::SHA256_WITH_RSA, Some(NULL));
    let signer = SignerInfo {
        version: 3,
        sid: SignerIdentifier::SubjectKeyIdentifier(Cow::Borrowed(&[1])),
        digest_algorithm: parse_alg(&digest_alg),
        signed_attrs: Some(SignedAttributes::from_tlv(Tlv::parse_single(&attrs).unwrap()).unwrap()),
        signature_algorithm: parse_alg(&signature_alg),
        signature: Cow::Owned(signature),
        unsigned_attrs: None,
        raw: &[],
    };
    verify_signer_info(&signer, RSA2048_CER, Content::Detached(MESSAGE))
}

#[test]
fn ess_attributes_bind_the_certificate() {
    let (_, cert) = x509_parser::parse_x509_certificate(RSA2048_CER).unwrap();
    let issuer = cert.issuer().as_raw();
    let serial = cert.raw_serial();
    let sha256 = DigestAlgorithm::Sha256.digest(RSA2048_CER);
    let sha1 = DigestAlgorithm::Sha1.digest(RSA2048_CER);
    let good_is = issuer_serial(issuer, serial);

    // No ESS attribute: nothing bound, still valid.
    let facts = verify_with(&[]).unwrap();
    assert_eq!(facts.signing_certificate, Default::default());

    // Both attributes, matching.
    let facts = verify_with(&[
        signing_certificate_v1(&sha1),
        signing_certificate_v2(&sha256, Some(&good_is)),
    ])
    .unwrap();
    assert!(facts.signing_certificate.v1);
    assert_eq!(facts.signing_certificate.v2, Some(DigestAlgorithm::Sha256));

    let mismatch =
        |attribute, field| Err(SignerCryptoError::SigningCertificateMismatch { attribute, field });
    // Another certificate's hash.
    let other = DigestAlgorithm::Sha256.digest(RSA1024_CER);
    assert_eq!(
        verify_with(&[signing_certificate_v2(&other, None)]),
        mismatch("signingCertificateV2", "certHash")
    );
    assert_eq!(
        verify_with(&[signing_certificate_v1(
            &DigestAlgorithm::Sha1.digest(RSA1024_CER)
        )]),
        mismatch("signingCertificate", "certHash")
    );
    // Right hash, wrong serial number or issuer.
    let mut wrong_serial = serial.to_vec();
    let last = wrong_serial.len() - 1;
    wrong_serial[last] ^= 0x01;
    assert_eq!(
        verify_with(&[signing_certificate_v2(
            &sha256,
            Some(&issuer_serial(issuer, &wrong_serial))
        )]),
        mismatch("signingCertificateV2", "serialNumber")
    );
    let (_, other_cert) = x509_parser::parse_x509_certificate(RSA1024_CER).unwrap();
    let wrong_issuer = issuer_serial(other_cert.issuer().as_raw(), serial);
    assert_eq!(
        verify_with(&[signing_certificate_v2(&sha256, Some(&wrong_issuer))]),
        mismatch("signingCertificateV2", "issuer")
    );
}
