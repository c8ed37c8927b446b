//! `rsa.rs`: RSASSA-PKCS1-v1_5 verified from a digest (RFC 8017 §8.2.2), against ring's
//! verdict on the whole message for the same key, message and signature.
//!
//! Encoded messages are built here (EMSA-PKCS1-v1_5, §9.2, written again for the tests) with
//! one rule broken at a time and signed with the private keys of `testdata/crypto` (s = m^d
//! mod n); ring's own signatures are changed one octet at a time; random signatures and
//! messages. Every verdict from the digest must be ring's: both accept or both reject.

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature as rs;

use super::rsa_pss::{Key, rsa2048, rsa2049};
use super::*;
use crate::crypto::{self, CryptoError, DigestAlgorithm, SignatureAlgorithm, oids};

const RSA1024_PK8: &[u8] = include_bytes!("../../../testdata/crypto/rsa1024.pk8.der");
const RSA1024_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa1024.spki.der");
const RSA2048_PK8: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.pk8.der");
const RSA2048_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.spki.der");
const RSA2049_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa2049.spki.der");

const HASHES: [DigestAlgorithm; 4] = [
    DigestAlgorithm::Sha1,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
];

fn keys() -> Vec<(Key, &'static [u8])> {
    vec![
        (Key::load(RSA1024_PK8, RSA1024_SPKI), RSA1024_SPKI),
        (rsa2048(), RSA2048_SPKI),
        (rsa2049(), RSA2049_SPKI),
    ]
}

fn signature_oid(hash: DigestAlgorithm) -> crate::oid::Oid<'static> {
    match hash {
        DigestAlgorithm::Sha1 => oids::SHA1_WITH_RSA,
        DigestAlgorithm::Sha256 => oids::SHA256_WITH_RSA,
        DigestAlgorithm::Sha384 => oids::SHA384_WITH_RSA,
        _ => oids::SHA512_WITH_RSA,
    }
}

/// sha*WithRSAEncryption resolved for the key, or why not (SHA-384 with a 1024-bit key).
fn resolved(hash: DigestAlgorithm, spki: &[u8]) -> Result<SignatureAlgorithm, CryptoError> {
    let alg = alg_id(signature_oid(hash), Some(NULL));
    crypto::resolve(&parse_alg(&alg), None, &parse_spki(spki))
}

/// The verdicts of ring on `message` and of the digest path on its digest, which must agree;
/// the common verdict.
fn both(hash: DigestAlgorithm, key: &Key, message: &[u8], signature: &[u8]) -> bool {
    let spki = spki_der(&alg_id(oids::RSA_ENCRYPTION, Some(NULL)), &key.public_key);
    let algorithm = resolved(hash, &spki).unwrap();
    let whole = crypto::verify_signature(&algorithm, &key.public_key, message, signature);
    let digest = hash.digest(message);
    let from_digest =
        crypto::verify_signature_digest(&algorithm, &key.public_key, hash, &digest, signature);
    assert_eq!(whole, from_digest, "{hash:?}, {} bits", key.bits);
    assert!(matches!(whole, Ok(()) | Err(CryptoError::BadSignature)));
    whole.is_ok()
}

/// The DigestInfo prefix (RFC 8017 §9.2 note 1), written out from the OID here.
fn digest_info(hash: DigestAlgorithm, digest: &[u8], parameters: Option<&[u8]>) -> Vec<u8> {
    let oid = tlv(0x06, hash.oid().as_bytes());
    let algorithm = match parameters {
        Some(p) => seq(&[&oid, p]),
        None => seq(&[&oid]),
    };
    seq(&[&algorithm, &tlv(0x04, digest)])
}

/// What to break in an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    Nothing,
    /// The first octet is 0x01.
    FirstOctet,
    /// The block type is 0x02 (encryption padding).
    BlockType,
    /// One padding octet is 0xfe.
    Padding,
    /// The separator is 0x01.
    Separator,
    /// Only seven padding octets, the rest moved into T's front.
    ShortPadding,
    /// The DigestInfo without its NULL parameters.
    NoNull,
    /// The DigestInfo of another hash around this digest.
    OtherHash,
    /// One bit of the digest is flipped.
    DigestBit,
    /// One octet after the digest (the DigestInfo one octet shorter in front).
    Trailing,
}

const BREAKS: [Break; 10] = [
    Break::Nothing,
    Break::FirstOctet,
    Break::BlockType,
    Break::Padding,
    Break::Separator,
    Break::ShortPadding,
    Break::NoNull,
    Break::OtherHash,
    Break::DigestBit,
    Break::Trailing,
];

/// EMSA-PKCS1-v1_5-ENCODE (§9.2) of `message` to k octets, `broken` broken.
fn encode(hash: DigestAlgorithm, message: &[u8], k: usize, broken: Break) -> Vec<u8> {
    let mut digest = hash.digest(message);
    if broken == Break::DigestBit {
        digest[3] ^= 0x10;
    }
    let mut t = match broken {
        Break::NoNull => digest_info(hash, &digest, None),
        Break::OtherHash => {
            let other = if hash == DigestAlgorithm::Sha256 {
                DigestAlgorithm::Sha512
            } else {
                DigestAlgorithm::Sha256
            };
            digest_info(other, &digest, Some(NULL))
        }
        _ => digest_info(hash, &digest, Some(NULL)),
    };
    if broken == Break::Trailing {
        t.push(0);
    }
    let mut ps_len = k - t.len() - 3;
    if broken == Break::ShortPadding {
        t = [&vec![0x00; ps_len - 7][..], &t].concat();
        ps_len = 7;
    }
    let mut em = vec![0x00, 0x01];
    em.extend(std::iter::repeat_n(0xff, ps_len));
    em.push(0x00);
    em.extend_from_slice(&t);
    match broken {
        Break::FirstOctet => em[0] = 0x01,
        Break::BlockType => em[1] = 0x02,
        Break::Padding => em[5] = 0xfe,
        Break::Separator => em[2 + ps_len] = 0x01,
        _ => {}
    }
    assert_eq!(em.len(), k);
    em
}

#[test]
fn each_broken_rule_is_rejected_as_ring_rejects_it() {
    let message = b"a CRL's tbsCertList";
    for (key, spki) in keys() {
        for hash in HASHES {
            if resolved(hash, spki).is_err() {
                // SHA-384 with RSA-1024: ring has no verifier, and neither path verifies.
                assert_eq!(key.bits, 1024);
                continue;
            }
            for broken in BREAKS {
                let em = encode(hash, message, key.k(), broken);
                if !key.below_n(&em) {
                    continue;
                }
                let verified = both(hash, &key, message, &key.sign_raw(&em));
                assert_eq!(verified, broken == Break::Nothing, "{broken:?} {hash:?}");
            }
        }
    }
}

#[test]
fn every_octet_changed_in_ring_signatures_is_judged_as_ring_judges_it() {
    let pair = rs::RsaKeyPair::from_pkcs8(RSA2048_PK8).unwrap();
    let key = rsa2048();
    let rng = SystemRandom::new();
    for (hash, padding) in [
        (DigestAlgorithm::Sha256, &rs::RSA_PKCS1_SHA256),
        (DigestAlgorithm::Sha384, &rs::RSA_PKCS1_SHA384),
        (DigestAlgorithm::Sha512, &rs::RSA_PKCS1_SHA512),
    ] {
        let mut message = vec![0; 300];
        rng.fill(&mut message).unwrap();
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(padding, &rng, &message, &mut signature).unwrap();
        assert!(both(hash, &key, &message, &signature));
        for i in 0..signature.len() {
            for change in [0x01, 0x80] {
                let mut changed = signature.clone();
                changed[i] ^= change;
                assert!(!both(hash, &key, &message, &changed), "octet {i}");
            }
        }
        for i in 0..message.len() {
            let mut changed = message.clone();
            changed[i] ^= 0x01;
            assert!(!both(hash, &key, &changed, &signature));
        }
        // Shorter and longer signatures, and the modulus itself.
        assert!(!both(hash, &key, &message, &signature[1..]));
        assert!(!both(
            hash,
            &key,
            &message,
            &[&[0], &signature[..]].concat()
        ));
        assert!(!both(hash, &key, &message, &key.n));
    }
}

#[test]
fn random_signatures_are_judged_as_ring_judges_them() {
    let rng = SystemRandom::new();
    for (key, spki) in keys() {
        for hash in HASHES {
            if resolved(hash, spki).is_err() {
                continue;
            }
            for _ in 0..50 {
                let mut signature = vec![0; key.k()];
                rng.fill(&mut signature).unwrap();
                assert!(!both(hash, &key, b"message", &signature));
            }
        }
    }
}

#[test]
fn the_digest_must_be_the_signature_algorithm_s() {
    let key = rsa2048();
    let spki = spki_der(&alg_id(oids::RSA_ENCRYPTION, Some(NULL)), &key.public_key);
    let algorithm = resolved(DigestAlgorithm::Sha256, &spki).unwrap();
    let em = encode(DigestAlgorithm::Sha256, b"m", key.k(), Break::Nothing);
    let signature = key.sign_raw(&em);
    let digest = DigestAlgorithm::Sha256.digest(b"m");
    let verify = |hash, digest: &[u8]| {
        crypto::verify_signature_digest(&algorithm, &key.public_key, hash, digest, &signature)
    };
    assert_eq!(verify(DigestAlgorithm::Sha256, &digest), Ok(()));
    assert_eq!(
        verify(
            DigestAlgorithm::Sha512,
            &DigestAlgorithm::Sha512.digest(b"m")
        ),
        Err(CryptoError::DigestNotAccepted)
    );
    assert_eq!(
        verify(DigestAlgorithm::Sha256, &digest[1..]),
        Err(CryptoError::DigestNotAccepted)
    );
    assert!(crypto::accepts_digest(&algorithm, DigestAlgorithm::Sha256));
    assert!(!crypto::accepts_digest(&algorithm, DigestAlgorithm::Sha1));
    // A malformed key is a bad signature, as ring reports it.
    assert_eq!(
        crypto::verify_signature_digest(
            &algorithm,
            &key.public_key[1..],
            DigestAlgorithm::Sha256,
            &digest,
            &signature
        ),
        Err(CryptoError::BadSignature)
    );
}
