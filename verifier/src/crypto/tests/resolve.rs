//! The algorithm table and digests.

use super::*;
use crate::crypto::{
    self, CryptoError, DigestAlgorithm, EcCurve, KeyAlgorithm, SignatureScheme, oids,
};
use crate::gost::GostDigestAlgorithm;
use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair};

#[test]
fn oid_constants_match_their_dotted_form() {
    for (oid, dotted) in oids::ALL {
        assert_eq!(oid.to_string(), *dotted);
        assert_eq!(Oid::from_content(oid.as_bytes()), Some(*oid));
    }
}

#[test]
fn digests_known_answers() {
    let hex = |d: Vec<u8>| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // FIPS 180-4 examples, "abc".
    assert_eq!(
        hex(DigestAlgorithm::Sha1.digest(b"abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex(DigestAlgorithm::Sha224.digest(b"abc")),
        "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
    );
    assert_eq!(
        hex(DigestAlgorithm::Sha256.digest(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert!(hex(DigestAlgorithm::Sha384.digest(b"abc")).starts_with("cb00753f45a35e8b"));
    assert!(hex(DigestAlgorithm::Sha512.digest(b"abc")).starts_with("ddaf35a193617aba"));
    for (ours, gost) in [
        (
            DigestAlgorithm::Streebog256,
            GostDigestAlgorithm::Streebog256,
        ),
        (
            DigestAlgorithm::Streebog512,
            GostDigestAlgorithm::Streebog512,
        ),
        (DigestAlgorithm::Gost94, GostDigestAlgorithm::Gost94Test),
    ] {
        assert_eq!(ours.digest(b"message"), gost.digest(b"message"));
        assert_eq!(DigestAlgorithm::from(gost), ours);
        assert_eq!(ours.gost(), Some(gost));
    }
}

#[test]
fn digests_in_parts_and_by_oid() {
    let all = [
        DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha224,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
        DigestAlgorithm::Streebog256,
        DigestAlgorithm::Streebog512,
        DigestAlgorithm::Gost94,
    ];
    for alg in all {
        let whole = alg.digest(b"hello, world");
        assert_eq!(whole.len(), alg.output_len());
        assert_eq!(alg.digest_parts(&[b"hello", b", ", b"world"]), whole);
        let mut hasher = alg.hasher();
        hasher.update(b"hello, ");
        hasher.update(b"world");
        assert_eq!(hasher.algorithm(), alg);
        assert_eq!(hasher.finish(), whole);
        assert_eq!(DigestAlgorithm::from_oid(alg.oid()), Some(alg));
        let with_null = alg_id(alg.oid(), Some(NULL));
        assert_eq!(
            DigestAlgorithm::from_algorithm_identifier(&parse_alg(&with_null)),
            Ok(alg)
        );
    }
    let unknown = alg_id(oids::MGF1, None);
    assert_eq!(
        DigestAlgorithm::from_algorithm_identifier(&parse_alg(&unknown)),
        Err(CryptoError::UnsupportedAlgorithm {
            what: "digest",
            oid: "1.2.840.113549.1.1.8".to_owned()
        })
    );
    let with_params = alg_id(oids::SHA256, Some(&[0x02, 0x01, 0x01]));
    assert!(matches!(
        DigestAlgorithm::from_algorithm_identifier(&parse_alg(&with_params)),
        Err(CryptoError::MalformedParameters { .. })
    ));
}

const RSA2048_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.spki.der");
const RSA1024_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa1024.spki.der");

fn resolve(
    sig: &[u8],
    digest: Option<&[u8]>,
    spki: &[u8],
) -> Result<crypto::SignatureAlgorithm, CryptoError> {
    let digest = digest.map(parse_alg);
    crypto::resolve(&parse_alg(sig), digest.as_ref(), &parse_spki(spki))
}

fn p256_spki() -> Vec<u8> {
    let rng = SystemRandom::new();
    let pkcs8 =
        rs::EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let pair =
        rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
    let curve = tlv(0x06, oids::SECP256R1.as_bytes());
    spki_der(
        &alg_id(oids::EC_PUBLIC_KEY, Some(&curve)),
        pair.public_key().as_ref(),
    )
}

#[test]
fn rsa_table() {
    let sha256 = alg_id(oids::SHA256_WITH_RSA, Some(NULL));
    let alg = resolve(&sha256, None, RSA2048_SPKI).unwrap();
    assert_eq!(alg.scheme, SignatureScheme::RsaPkcs1v15);
    assert_eq!(alg.digest, Some(DigestAlgorithm::Sha256));
    assert_eq!(alg.key, KeyAlgorithm::Rsa);
    assert_eq!(alg.key_bits, 2048);
    // Absent parameters are tolerated.
    let absent = alg_id(oids::SHA512_WITH_RSA, None);
    assert_eq!(
        resolve(&absent, None, RSA2048_SPKI).unwrap().digest,
        Some(DigestAlgorithm::Sha512)
    );
    // The CMS rsaEncryption form takes the hash from digestAlgorithm.
    let rsa = alg_id(oids::RSA_ENCRYPTION, Some(NULL));
    let sha384 = alg_id(oids::SHA384, None);
    let alg = resolve(&rsa, Some(&sha384), RSA2048_SPKI).unwrap();
    assert_eq!(alg.digest, Some(DigestAlgorithm::Sha384));
    assert!(matches!(
        resolve(&rsa, None, RSA2048_SPKI),
        Err(CryptoError::UnsupportedAlgorithm { .. })
    ));
    // SHA-1 and 1024-bit keys are recognised (a policy rejects them, not this layer).
    let sha1 = alg_id(oids::SHA1_WITH_RSA, Some(NULL));
    let alg = resolve(&sha1, None, RSA1024_SPKI).unwrap();
    assert_eq!(
        (alg.digest, alg.key_bits),
        (Some(DigestAlgorithm::Sha1), 1024)
    );
    let sha1_digest = alg_id(oids::SHA1, None);
    let alg = resolve(&rsa, Some(&sha1_digest), RSA2048_SPKI).unwrap();
    assert_eq!(alg.digest, Some(DigestAlgorithm::Sha1));
    // ring has no 1024-bit SHA-384 verifier.
    let sha384_rsa = alg_id(oids::SHA384_WITH_RSA, Some(NULL));
    assert_eq!(
        resolve(&sha384_rsa, None, RSA1024_SPKI),
        Err(CryptoError::UnsupportedKeySize {
            key: KeyAlgorithm::Rsa,
            bits: 1024
        })
    );
    // sha224WithRSAEncryption is not in the table: named by OID.
    let sha224 = alg_id(
        Oid::from_content(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e]).unwrap(),
        Some(NULL),
    );
    assert_eq!(
        resolve(&sha224, None, RSA2048_SPKI),
        Err(CryptoError::UnsupportedAlgorithm {
            what: "signature",
            oid: "1.2.840.113549.1.1.14".to_owned()
        })
    );
    // Parameters other than NULL.
    let bad = alg_id(oids::SHA256_WITH_RSA, Some(&[0x02, 0x01, 0x00]));
    assert!(matches!(
        resolve(&bad, None, RSA2048_SPKI),
        Err(CryptoError::MalformedParameters { .. })
    ));
}

#[test]
fn pss_table() {
    let supported = pss_params(oids::SHA384, oids::SHA384, 48);
    let pss = alg_id(oids::RSASSA_PSS, Some(&supported));
    let alg = resolve(&pss, None, RSA2048_SPKI).unwrap();
    assert_eq!(alg.scheme, SignatureScheme::RsaPss { salt_len: 48 });
    assert_eq!(alg.digest, Some(DigestAlgorithm::Sha384));
    // Any salt length (RFC 8017 §9.1.1: "sLen ... the intended length in octets of the
    // salt"), as the parameters declare it.
    for salt_len in [0, 20, 32, 64, 222, 1000] {
        let params = pss_params(oids::SHA256, oids::SHA256, salt_len);
        let alg = resolve(&alg_id(oids::RSASSA_PSS, Some(&params)), None, RSA2048_SPKI).unwrap();
        assert_eq!(alg.scheme, SignatureScheme::RsaPss { salt_len });
        assert_eq!(alg.digest, Some(DigestAlgorithm::Sha256));
    }

    let unsupported = |params: Option<&[u8]>| {
        let pss = alg_id(oids::RSASSA_PSS, params);
        resolve(&pss, None, RSA2048_SPKI)
    };
    for params in [
        pss_params(oids::SHA256, oids::SHA1, 32),
        pss_params(oids::SHA1, oids::SHA1, 20),
        // All defaults: SHA-1, MGF1-SHA-1, salt 20.
        seq(&[]),
    ] {
        assert!(
            matches!(
                unsupported(Some(&params)),
                Err(CryptoError::UnsupportedParameters { .. })
            ),
            "{params:02x?}"
        );
    }
    assert!(matches!(
        unsupported(None),
        Err(CryptoError::MalformedParameters { .. })
    ));
    assert!(matches!(
        unsupported(Some(&[0x30, 0x03, 0x02, 0x01, 0x00])),
        Err(CryptoError::MalformedParameters { .. })
    ));
    // PSS needs 2048 bits.
    let pss = alg_id(oids::RSASSA_PSS, Some(&supported));
    assert_eq!(
        resolve(&pss, None, RSA1024_SPKI),
        Err(CryptoError::UnsupportedKeySize {
            key: KeyAlgorithm::Rsa,
            bits: 1024
        })
    );
}

#[test]
fn ecdsa_table_and_sha1_is_recognised_not_verifiable() {
    let spki = p256_spki();
    for (oid, digest) in [
        (oids::ECDSA_WITH_SHA256, DigestAlgorithm::Sha256),
        (oids::ECDSA_WITH_SHA384, DigestAlgorithm::Sha384),
    ] {
        let alg = resolve(&alg_id(oid, None), None, &spki).unwrap();
        assert_eq!(alg.scheme, SignatureScheme::Ecdsa);
        assert_eq!(alg.key, KeyAlgorithm::Ec(EcCurve::P256));
        assert_eq!((alg.digest, alg.key_bits), (Some(digest), 256));
    }
    let sha1 = resolve(&alg_id(oids::ECDSA_WITH_SHA1, None), None, &spki).unwrap();
    assert_eq!(sha1.digest, Some(DigestAlgorithm::Sha1));
    let key = parse_spki(&spki).subject_public_key.data.to_vec();
    assert_eq!(
        crypto::verify_signature(&sha1, &key, b"m", &[0x30, 0x00]),
        Err(CryptoError::NotVerifiable(sha1))
    );
    assert_eq!(
        resolve(&alg_id(oids::ECDSA_WITH_SHA512, None), None, &spki),
        Err(CryptoError::UnsupportedAlgorithm {
            what: "signature",
            oid: "1.2.840.10045.4.3.4".to_owned()
        })
    );
    // The id-ecPublicKey form with a digest ring cannot pair with ECDSA.
    let sha512 = alg_id(oids::SHA512, None);
    assert!(matches!(
        resolve(&alg_id(oids::EC_PUBLIC_KEY, None), Some(&sha512), &spki),
        Err(CryptoError::UnsupportedAlgorithm { .. })
    ));
    // Key and signature algorithm must fit.
    assert_eq!(
        resolve(&alg_id(oids::SHA256_WITH_RSA, Some(NULL)), None, &spki),
        Err(CryptoError::KeyAlgorithmMismatch {
            signature: "1.2.840.113549.1.1.11".to_owned(),
            key: "1.2.840.10045.2.1".to_owned()
        })
    );
    assert!(matches!(
        resolve(&alg_id(oids::ECDSA_WITH_SHA256, None), None, RSA2048_SPKI),
        Err(CryptoError::KeyAlgorithmMismatch { .. })
    ));
}

#[test]
fn unknown_and_malformed_keys() {
    // An unknown curve (P-521) and an unknown key algorithm, named by OID.
    let p521 = tlv(0x06, &[0x2b, 0x81, 0x04, 0x00, 0x23]);
    let spki = spki_der(&alg_id(oids::EC_PUBLIC_KEY, Some(&p521)), &[4; 133]);
    assert_eq!(
        resolve(&alg_id(oids::ECDSA_WITH_SHA256, None), None, &spki),
        Err(CryptoError::UnsupportedAlgorithm {
            what: "elliptic curve",
            oid: "1.3.132.0.35".to_owned()
        })
    );
    let dsa = Oid::from_content(&[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]).unwrap();
    let spki = spki_der(&alg_id(dsa, None), &[2, 1, 1]);
    assert_eq!(
        resolve(&alg_id(oids::SHA256_WITH_RSA, None), None, &spki),
        Err(CryptoError::UnsupportedAlgorithm {
            what: "public key",
            oid: "1.2.840.10040.4.1".to_owned()
        })
    );
    // Malformed keys.
    let rsa_alg = alg_id(oids::RSA_ENCRYPTION, Some(NULL));
    let curve = tlv(0x06, oids::SECP256R1.as_bytes());
    let ec_alg = alg_id(oids::EC_PUBLIC_KEY, Some(&curve));
    for spki in [
        spki_der(&rsa_alg, &[0x30, 0x00]),
        spki_der(&rsa_alg, &seq(&[&tlv(0x02, &[0x80; 4]), &tlv(0x02, &[3])])),
        spki_der(&ec_alg, &[0x02; 33]),
        spki_der(&alg_id(oids::ED25519, None), &[0; 31]),
    ] {
        let result = crypto::resolve(
            &parse_alg(&alg_id(oids::SHA256_WITH_RSA, None)),
            None,
            &parse_spki(&spki),
        );
        assert!(
            matches!(result, Err(CryptoError::MalformedKey(_))),
            "{result:?}"
        );
    }
    // Unknown signature algorithm (id-dsa-with-sha256), by OID.
    let dsa_sha256 =
        Oid::from_content(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02]).unwrap();
    assert_eq!(
        resolve(&alg_id(dsa_sha256, None), None, RSA2048_SPKI),
        Err(CryptoError::UnsupportedAlgorithm {
            what: "signature",
            oid: "2.16.840.1.101.3.4.3.2".to_owned()
        })
    );
}

#[test]
fn ed25519_table() {
    let rng = SystemRandom::new();
    let pkcs8 = rs::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = rs::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let spki = spki_der(&alg_id(oids::ED25519, None), pair.public_key().as_ref());
    let alg = resolve(&alg_id(oids::ED25519, None), None, &spki).unwrap();
    assert_eq!(alg.scheme, SignatureScheme::Ed25519);
    assert_eq!((alg.digest, alg.key_bits), (None, 256));
    // RFC 8410 §3: parameters MUST be absent.
    assert!(matches!(
        resolve(&alg_id(oids::ED25519, Some(NULL)), None, &spki),
        Err(CryptoError::MalformedParameters { .. })
    ));
    let key = pair.public_key().as_ref();
    let sig = pair.sign(b"message");
    assert_eq!(
        crypto::verify_signature(&alg, key, b"message", sig.as_ref()),
        Ok(())
    );
    assert_eq!(
        crypto::verify_signature(&alg, key, b"messagE", sig.as_ref()),
        Err(CryptoError::BadSignature)
    );
    // ring verifies whole messages only.
    assert_eq!(
        crypto::verify_signature_digest(&alg, key, DigestAlgorithm::Sha512, &[0; 64], sig.as_ref()),
        Err(CryptoError::DigestNotAccepted)
    );
}
