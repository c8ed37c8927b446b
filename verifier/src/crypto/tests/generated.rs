//! RSA (PKCS#1 v1.5 and PSS), ECDSA and Ed25519 SignerInfos signed with ring at test time,
//! each with and without signed attributes, through [`verify_signer_signature`].
//!
//! ECDSA and Ed25519 keys are generated per run; ring cannot generate RSA keys, so the RSA-2048
//! key is `testdata/crypto/rsa2048.pk8.der` (see `testdata/crypto/README.md`).

use std::borrow::Cow;

use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair};

use super::*;
use crate::cms::{SignedAttributes, SignerIdentifier, SignerInfo};
use crate::crypto::{
    Content, DigestAlgorithm, SignatureScheme, SignerCryptoError, oids, verify_signer_signature,
};

const RSA2048_PK8: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.pk8.der");
const RSA2048_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.spki.der");
const CONTENT: &[u8] = b"A document stored in the vault.\n";

type Signer = Box<dyn Fn(&[u8]) -> Vec<u8>>;

struct Case {
    name: &'static str,
    spki: Vec<u8>,
    signature_alg: Vec<u8>,
    digest: DigestAlgorithm,
    sign: Signer,
    scheme: SignatureScheme,
    signature_digest: Option<DigestAlgorithm>,
    key_bits: u32,
}

fn rsa_signer(padding: &'static dyn rs::RsaEncoding) -> Signer {
    let pair = rs::RsaKeyPair::from_pkcs8(RSA2048_PK8).unwrap();
    Box::new(move |message| {
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(padding, &SystemRandom::new(), message, &mut signature)
            .unwrap();
        signature
    })
}

fn ecdsa(alg: &'static rs::EcdsaSigningAlgorithm, curve: Oid<'static>) -> (Vec<u8>, Signer) {
    let rng = SystemRandom::new();
    let pkcs8 = rs::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    let pair = rs::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
    let curve = tlv(0x06, curve.as_bytes());
    let spki = spki_der(
        &alg_id(oids::EC_PUBLIC_KEY, Some(&curve)),
        pair.public_key().as_ref(),
    );
    let sign: Signer = Box::new(move |message| {
        pair.sign(&SystemRandom::new(), message)
            .unwrap()
            .as_ref()
            .to_vec()
    });
    (spki, sign)
}

fn cases() -> Vec<Case> {
    use DigestAlgorithm as D;
    use SignatureScheme as S;
    let rsa = |name, signature_alg: Vec<u8>, digest, padding, scheme| Case {
        name,
        spki: RSA2048_SPKI.to_vec(),
        signature_alg,
        digest,
        sign: rsa_signer(padding),
        scheme,
        signature_digest: Some(digest),
        key_bits: 2048,
    };
    let pss = |hash, salt| alg_id(oids::RSASSA_PSS, Some(&pss_params(hash, hash, salt)));
    let mut cases = vec![
        rsa(
            "RSA sha256WithRSAEncryption",
            alg_id(oids::SHA256_WITH_RSA, Some(NULL)),
            D::Sha256,
            &rs::RSA_PKCS1_SHA256,
            S::RsaPkcs1v15,
        ),
        rsa(
            "RSA sha384WithRSAEncryption",
            alg_id(oids::SHA384_WITH_RSA, Some(NULL)),
            D::Sha384,
            &rs::RSA_PKCS1_SHA384,
            S::RsaPkcs1v15,
        ),
        rsa(
            "RSA sha512WithRSAEncryption",
            alg_id(oids::SHA512_WITH_RSA, Some(NULL)),
            D::Sha512,
            &rs::RSA_PKCS1_SHA512,
            S::RsaPkcs1v15,
        ),
        rsa(
            "RSA rsaEncryption + SHA-256",
            alg_id(oids::RSA_ENCRYPTION, Some(NULL)),
            D::Sha256,
            &rs::RSA_PKCS1_SHA256,
            S::RsaPkcs1v15,
        ),
        rsa(
            "RSA-PSS SHA-256",
            pss(oids::SHA256, 32),
            D::Sha256,
            &rs::RSA_PSS_SHA256,
            S::RsaPss { salt_len: 32 },
        ),
        rsa(
            "RSA-PSS SHA-384",
            pss(oids::SHA384, 48),
            D::Sha384,
            &rs::RSA_PSS_SHA384,
            S::RsaPss { salt_len: 48 },
        ),
        rsa(
            "RSA-PSS SHA-512",
            pss(oids::SHA512, 64),
            D::Sha512,
            &rs::RSA_PSS_SHA512,
            S::RsaPss { salt_len: 64 },
        ),
    ];
    let (spki, sign) = ecdsa(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, oids::SECP256R1);
    cases.push(Case {
        name: "ECDSA P-256 SHA-256",
        spki,
        signature_alg: alg_id(oids::ECDSA_WITH_SHA256, None),
        digest: D::Sha256,
        sign,
        scheme: S::Ecdsa,
        signature_digest: Some(D::Sha256),
        key_bits: 256,
    });
    let (spki, sign) = ecdsa(&rs::ECDSA_P384_SHA384_ASN1_SIGNING, oids::SECP384R1);
    cases.push(Case {
        name: "ECDSA P-384 SHA-384",
        spki,
        signature_alg: alg_id(oids::ECDSA_WITH_SHA384, None),
        digest: D::Sha384,
        sign,
        scheme: S::Ecdsa,
        signature_digest: Some(D::Sha384),
        key_bits: 384,
    });
    let (spki, sign) = ecdsa(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, oids::SECP256R1);
    cases.push(Case {
        name: "ECDSA P-256, id-ecPublicKey + SHA-256",
        spki,
        signature_alg: alg_id(oids::EC_PUBLIC_KEY, None),
        digest: D::Sha256,
        sign,
        scheme: S::Ecdsa,
        signature_digest: Some(D::Sha256),
        key_bits: 256,
    });
    let pkcs8 = rs::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = rs::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    cases.push(Case {
        name: "Ed25519",
        spki: spki_der(&alg_id(oids::ED25519, None), pair.public_key().as_ref()),
        signature_alg: alg_id(oids::ED25519, None),
        // RFC 8419 §3: SHA-512 for the messageDigest with Ed25519.
        digest: D::Sha512,
        sign: Box::new(move |message| pair.sign(message).as_ref().to_vec()),
        scheme: S::Ed25519,
        signature_digest: None,
        key_bits: 256,
    });
    cases
}

/// `signedAttrs [0] IMPLICIT SET { contentType id-data, messageDigest digest }` and the bytes
/// the signature covers (the same with the SET tag).
fn signed_attributes(message_digest: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let content_type = seq(&[
        &tlv(0x06, crate::oid::ID_CONTENT_TYPE.as_bytes()),
        &tlv(0x31, &tlv(0x06, crate::oid::ID_DATA.as_bytes())),
    ]);
    let digest = seq(&[
        &tlv(0x06, crate::oid::ID_MESSAGE_DIGEST.as_bytes()),
        &tlv(0x31, &tlv(0x04, message_digest)),
    ]);
    let body = [content_type, digest].concat();
    (tlv(0xa0, &body), tlv(0x31, &body))
}

fn signer_info<'a>(
    digest_alg: &'a [u8],
    signature_alg: &'a [u8],
    signed_attrs: Option<&'a [u8]>,
    signature: Vec<u8>,
) -> SignerInfo<'a> {
    SignerInfo {
        version: 3,
        sid: SignerIdentifier::SubjectKeyIdentifier(Cow::Borrowed(&[1, 2, 3, 4])),
        digest_algorithm: parse_alg(digest_alg),
        signed_attrs: signed_attrs
            .map(|der| SignedAttributes::from_tlv(Tlv::parse_single(der).unwrap()).unwrap()),
        signature_algorithm: parse_alg(signature_alg),
        signature: Cow::Owned(signature),
        unsigned_attrs: None,
        raw: &[],
    }
}

#[test]
fn with_signed_attributes() {
    for case in cases() {
        let name = case.name;
        let spki = parse_spki(&case.spki);
        let digest_alg = alg_id(case.digest.oid(), None);
        let digest = case.digest.digest(CONTENT);
        let (attrs, to_sign) = signed_attributes(&digest);
        let signature = (case.sign)(&to_sign);
        let signer = signer_info(
            &digest_alg,
            &case.signature_alg,
            Some(&attrs),
            signature.clone(),
        );

        let facts = verify_signer_signature(&signer, &spki, Content::Detached(CONTENT))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(facts.signature_algorithm.scheme, case.scheme, "{name}");
        assert_eq!(
            facts.signature_algorithm.digest, case.signature_digest,
            "{name}"
        );
        assert_eq!(facts.signature_algorithm.key_bits, case.key_bits, "{name}");
        assert_eq!(facts.digest_algorithm, case.digest, "{name}");
        assert!(facts.signed_attributes, "{name}");
        // The precomputed digest is enough with signed attributes, whatever the algorithm.
        let precomputed = Content::Digest {
            algorithm: case.digest,
            value: &digest,
        };
        assert_eq!(
            verify_signer_signature(&signer, &spki, precomputed),
            Ok(facts),
            "{name}"
        );

        assert_eq!(
            verify_signer_signature(&signer, &spki, Content::Detached(b"another document")),
            Err(SignerCryptoError::ContentHashMismatch),
            "{name}"
        );
        assert_eq!(
            verify_signer_signature(&signer, &spki, Content::Missing),
            Err(SignerCryptoError::ContentMissing),
            "{name}"
        );
        let mut tampered = signature.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        let bad = signer_info(&digest_alg, &case.signature_alg, Some(&attrs), tampered);
        assert_eq!(
            verify_signer_signature(&bad, &spki, Content::Detached(CONTENT)),
            Err(SignerCryptoError::SignatureInvalid),
            "{name}"
        );
        // A signature over the attributes with their [0] tag (not the SET tag) is wrong.
        let wrong_tag = signer_info(
            &digest_alg,
            &case.signature_alg,
            Some(&attrs),
            (case.sign)(&attrs),
        );
        assert_eq!(
            verify_signer_signature(&wrong_tag, &spki, Content::Detached(CONTENT)),
            Err(SignerCryptoError::SignatureInvalid),
            "{name}"
        );
    }
}

#[test]
fn without_signed_attributes() {
    for case in cases() {
        let name = case.name;
        let spki = parse_spki(&case.spki);
        let digest_alg = alg_id(case.digest.oid(), None);
        let signer = signer_info(&digest_alg, &case.signature_alg, None, (case.sign)(CONTENT));

        let facts = verify_signer_signature(&signer, &spki, Content::Attached(CONTENT))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(facts.signature_algorithm.scheme, case.scheme, "{name}");
        assert!(!facts.signed_attributes, "{name}");
        assert_eq!(
            verify_signer_signature(&signer, &spki, Content::Detached(CONTENT)),
            Ok(facts),
            "{name}"
        );
        // Tampered content: there is no messageDigest, so the signature itself fails.
        assert_eq!(
            verify_signer_signature(&signer, &spki, Content::Detached(b"another document")),
            Err(SignerCryptoError::SignatureInvalid),
            "{name}"
        );
        // RSA PKCS#1 v1.5 verifies from the digest (`rsa.rs`); ring verifies the others from
        // whole messages only: a digest is not enough without signed attributes.
        let digest = case.digest.digest(CONTENT);
        let precomputed = Content::Digest {
            algorithm: case.digest,
            value: &digest,
        };
        let from_digest = verify_signer_signature(&signer, &spki, precomputed);
        if case.scheme == SignatureScheme::RsaPkcs1v15 {
            assert_eq!(from_digest, Ok(facts), "{name}");
            let other = case.digest.digest(b"another document");
            let tampered = Content::Digest {
                algorithm: case.digest,
                value: &other,
            };
            assert_eq!(
                verify_signer_signature(&signer, &spki, tampered),
                Err(SignerCryptoError::SignatureInvalid),
                "{name}"
            );
        } else {
            assert!(
                matches!(from_digest, Err(SignerCryptoError::ContentRequired(_))),
                "{name}"
            );
        }
        assert_eq!(
            verify_signer_signature(&signer, &spki, Content::Missing),
            Err(SignerCryptoError::ContentMissing),
            "{name}"
        );
    }
}

/// A mismatched key: a valid signature checked against another algorithm's key.
#[test]
fn key_algorithm_mismatch_is_reported() {
    let all = cases();
    let ecdsa = all
        .iter()
        .find(|c| c.name == "ECDSA P-256 SHA-256")
        .unwrap();
    let rsa = all
        .iter()
        .find(|c| c.name == "RSA sha256WithRSAEncryption")
        .unwrap();
    let digest_alg = alg_id(oids::SHA256, None);
    let signer = signer_info(
        &digest_alg,
        &ecdsa.signature_alg,
        None,
        (ecdsa.sign)(CONTENT),
    );
    assert!(matches!(
        verify_signer_signature(&signer, &parse_spki(&rsa.spki), Content::Detached(CONTENT)),
        Err(SignerCryptoError::UnsupportedCombination(
            crate::crypto::CryptoError::KeyAlgorithmMismatch { .. }
        ))
    ));
}
