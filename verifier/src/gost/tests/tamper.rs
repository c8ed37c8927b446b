//! Tampered and malformed inputs: every one is rejected with an error, none panics.

use crypto_bigint::{U256, U512, Uint};
use proptest::prelude::*;

use super::fixtures::*;
use super::signer::{TestKey, TestRng};
use crate::gost::curve::Derived;
use crate::gost::field::uint_to_le;
use crate::gost::params::{CryptoProA, Tc26Gost512A};
use crate::gost::{GostAlgorithm, GostError, PreparedKey, check_public_key, verify, verify_digest};
use crate::input::decode_cms;
use crate::parse_signed_data;

use GostAlgorithm::{Gost2004, Gost2015_512};
use GostError::{BadSignature, InvalidDigestLength, InvalidPublicKey, MalformedSignature};

/// A real signature: (algorithm, public key, signed bytes, signature).
struct Real {
    algorithm: GostAlgorithm,
    key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn real(cms: &[u8]) -> Real {
    let decoded = decode_cms(cms).unwrap();
    let sd = parse_signed_data(&decoded.bytes).unwrap();
    let si = &sd.signer_infos[0];
    let cert = sd.x509_certificates().next().unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(cert).unwrap();
    let real = Real {
        algorithm: GostAlgorithm::from_signature_oid(si.signature_algorithm.algorithm).unwrap(),
        key: cert.public_key().subject_public_key.data.to_vec(),
        message: si.signed_attrs.as_ref().unwrap().bytes_to_verify(),
        signature: si.signature.to_vec(),
    };
    assert_eq!(real.check(), Ok(()));
    real
}

impl Real {
    /// The verdict of `verify`, which a [`PreparedKey`] of the same bytes must give too.
    fn check(&self) -> Result<(), GostError> {
        let verdict = verify(self.algorithm, &self.key, &self.message, &self.signature);
        let prepared = PreparedKey::new(self.algorithm, &self.key)
            .and_then(|key| key.verify(&self.message, &self.signature));
        assert_eq!(prepared, verdict);
        verdict
    }

    fn integer_len(&self) -> usize {
        self.signature.len() / 2
    }

    fn q_le(&self) -> Vec<u8> {
        match self.algorithm {
            Gost2015_512 => uint_to_le(&Derived::<Tc26Gost512A, { U512::LIMBS }>::Q),
            Gost2004 => uint_to_le(&Derived::<CryptoProA, { U256::LIMBS }>::Q),
        }
    }

    fn p_le(&self) -> Vec<u8> {
        match self.algorithm {
            Gost2015_512 => uint_to_le(&Derived::<Tc26Gost512A, { U512::LIMBS }>::P),
            Gost2004 => uint_to_le(&Derived::<CryptoProA, { U256::LIMBS }>::P),
        }
    }

    /// The key's header length (the OCTET STRING's tag and length octets).
    fn key_header(&self) -> usize {
        self.key.len() - 2 * self.integer_len()
    }
}

fn reals() -> [Real; 2] {
    [real(INDIVIDUAL_ATTACHED), real(TEST_CMS_GOST)]
}

#[test]
fn every_single_bit_flip_in_the_message_fails() {
    for mut real in reals() {
        // Every bit of the first and last bytes, and one bit of every byte in between.
        let len = real.message.len();
        let positions: Vec<(usize, u8)> = (0..8)
            .flat_map(|b| [(0, b), (len - 1, b)])
            .chain((0..len).map(|i| (i, (i % 8) as u8)))
            .collect();
        for (i, bit) in positions {
            real.message[i] ^= 1 << bit;
            assert_eq!(real.check(), Err(BadSignature), "byte {i} bit {bit}");
            real.message[i] ^= 1 << bit;
        }
        assert_eq!(real.check(), Ok(()));
    }
}

#[test]
fn bit_flips_in_r_and_s_fail() {
    for mut real in reals() {
        for i in 0..real.signature.len() {
            for bit in [0u8, 3, 7] {
                real.signature[i] ^= 1 << bit;
                let result = real.check();
                // A flip in the top byte can push r or s past q: malformed; otherwise wrong.
                assert!(
                    matches!(result, Err(BadSignature | MalformedSignature)),
                    "byte {i} bit {bit}: {result:?}"
                );
                real.signature[i] ^= 1 << bit;
            }
        }
        assert_eq!(real.check(), Ok(()));
    }
}

#[test]
fn bit_flips_in_the_public_key_fail() {
    for mut real in reals() {
        let header = real.key_header();
        for i in header..real.key.len() {
            real.key[i] ^= 0x01;
            let result = real.check();
            // Changing one coordinate leaves the curve (almost surely): rejected as a key.
            assert!(
                matches!(result, Err(InvalidPublicKey | BadSignature)),
                "key byte {i}: {result:?}"
            );
            real.key[i] ^= 0x01;
        }
        assert_eq!(real.check(), Ok(()));
    }
}

#[test]
fn out_of_range_r_and_s_are_malformed() {
    for real in reals() {
        let n = real.integer_len();
        let (r, s) = real.signature.split_at(n);
        let zero = vec![0u8; n];
        let q = real.q_le();
        let max = vec![0xffu8; n];
        let mut q_minus_1 = q.clone();
        q_minus_1[0] -= 1; // q is odd
        for bad in [&zero, &q, &max] {
            assert_eq!(
                verify(real.algorithm, &real.key, &real.message, &[bad, s].concat()),
                Err(MalformedSignature),
                "r"
            );
            assert_eq!(
                verify(real.algorithm, &real.key, &real.message, &[r, bad].concat()),
                Err(MalformedSignature),
                "s"
            );
        }
        // q - 1 is in range: a valid encoding, a wrong signature.
        assert_eq!(
            verify(
                real.algorithm,
                &real.key,
                &real.message,
                &[&q_minus_1, s].concat()
            ),
            Err(BadSignature)
        );
        // r + q (when it fits) is the same residue but not canonical: rejected.
        let r_int = Uint::<{ U512::LIMBS }>::from_le_slice(&[r, &vec![0; 64 - n]].concat());
        let q_int = Uint::<{ U512::LIMBS }>::from_le_slice(&[&q[..], &vec![0; 64 - n]].concat());
        let (sum, carry) = r_int.carrying_add(&q_int, crypto_bigint::Limb::ZERO);
        let sum = uint_to_le(&sum);
        if carry == crypto_bigint::Limb::ZERO && sum[n..].iter().all(|&b| b == 0) {
            assert_eq!(
                verify(
                    real.algorithm,
                    &real.key,
                    &real.message,
                    &[&sum[..n], s].concat()
                ),
                Err(MalformedSignature)
            );
        }
        // r and s swapped, and the RFC 4491 layout s_be || r_be.
        assert!(verify(real.algorithm, &real.key, &real.message, &[s, r].concat()).is_err());
        let rfc4491: Vec<u8> = s.iter().rev().chain(r.iter().rev()).copied().collect();
        assert!(verify(real.algorithm, &real.key, &real.message, &rfc4491).is_err());
    }
}

#[test]
fn invalid_points_are_rejected() {
    for real in reals() {
        let header = real.key_header();
        let n = real.integer_len();
        let with_coordinates = |x: &[u8], y: &[u8]| [&real.key[..header], x, y].concat();
        let (x, y) = real.key[header..].split_at(n);

        // Not on the curve: y + 1.
        let mut y1 = y.to_vec();
        y1[0] = y1[0].wrapping_add(1);
        let off_curve = with_coordinates(x, &y1);
        assert_eq!(
            check_public_key(real.algorithm, &off_curve),
            Err(InvalidPublicKey)
        );
        assert_eq!(
            verify(real.algorithm, &off_curve, &real.message, &real.signature),
            Err(InvalidPublicKey)
        );
        // (0, 0), the usual stand-in for infinity: not a point of the curve (b != 0).
        let zeros = with_coordinates(&vec![0; n], &vec![0; n]);
        assert_eq!(
            check_public_key(real.algorithm, &zeros),
            Err(InvalidPublicKey)
        );
        // A coordinate equal to p, or all ones: out of range.
        let p = real.p_le();
        for bad in [&p, &vec![0xff; n]] {
            assert_eq!(
                check_public_key(real.algorithm, &with_coordinates(bad, y)),
                Err(InvalidPublicKey)
            );
            assert_eq!(
                check_public_key(real.algorithm, &with_coordinates(x, bad)),
                Err(InvalidPublicKey)
            );
        }
        // -Q, a valid point but the wrong key.
        let p_int = Uint::<{ U512::LIMBS }>::from_le_slice(&[&p[..], &vec![0; 64 - n]].concat());
        let y_int = Uint::<{ U512::LIMBS }>::from_le_slice(&[y, &vec![0; 64 - n]].concat());
        let minus_y = uint_to_le(&p_int.wrapping_sub(&y_int));
        let minus_q = with_coordinates(x, &minus_y[..n]);
        assert_eq!(check_public_key(real.algorithm, &minus_q), Ok(()));
        assert_eq!(
            verify(real.algorithm, &minus_q, &real.message, &real.signature),
            Err(BadSignature)
        );
    }
}

#[test]
fn truncated_and_malformed_encodings_are_rejected() {
    for real in reals() {
        // Every truncation of the key and of the signature, and one extra byte.
        for len in 0..real.key.len() {
            assert_eq!(
                verify(
                    real.algorithm,
                    &real.key[..len],
                    &real.message,
                    &real.signature
                ),
                Err(InvalidPublicKey),
                "key truncated to {len}"
            );
        }
        for len in 0..real.signature.len() {
            assert_eq!(
                verify(
                    real.algorithm,
                    &real.key,
                    &real.message,
                    &real.signature[..len]
                ),
                Err(MalformedSignature),
                "signature truncated to {len}"
            );
        }
        let mut longer = real.key.clone();
        longer.push(0);
        assert_eq!(
            verify(real.algorithm, &longer, &real.message, &real.signature),
            Err(InvalidPublicKey)
        );
        let mut longer = real.signature.clone();
        longer.push(0);
        assert_eq!(
            verify(real.algorithm, &real.key, &real.message, &longer),
            Err(MalformedSignature)
        );
        // The bare coordinates without the OCTET STRING header, or with a wrong tag/length.
        let header = real.key_header();
        assert_eq!(
            check_public_key(real.algorithm, &real.key[header..]),
            Err(InvalidPublicKey)
        );
        let mut wrong_tag = real.key.clone();
        wrong_tag[0] = 0x03;
        assert_eq!(
            check_public_key(real.algorithm, &wrong_tag),
            Err(InvalidPublicKey)
        );
        let mut wrong_len = real.key.clone();
        wrong_len[header - 1] -= 1;
        assert_eq!(
            check_public_key(real.algorithm, &wrong_len),
            Err(InvalidPublicKey)
        );
        // A non-minimal long-form length (0x82 0x00 0x80 / 0x81 0x40) is not DER.
        let n2 = 2 * real.integer_len();
        let mut long_form = vec![0x04, 0x82, 0x00, n2 as u8];
        long_form.extend_from_slice(&real.key[header..]);
        assert_eq!(
            check_public_key(real.algorithm, &long_form),
            Err(InvalidPublicKey)
        );

        // A digest of the wrong length.
        let len = real.algorithm.digest_algorithm().output_len();
        for wrong in [0, len - 1, len + 1, 2 * len] {
            assert_eq!(
                verify_digest(real.algorithm, &real.key, &vec![0; wrong], &real.signature),
                Err(InvalidDigestLength)
            );
        }
    }
}

#[test]
fn keys_and_signatures_of_the_other_algorithm_are_rejected() {
    let [new, old] = reals();
    assert_eq!(
        verify(Gost2004, &new.key, &new.message, &new.signature),
        Err(InvalidPublicKey)
    );
    assert_eq!(
        verify(Gost2015_512, &old.key, &old.message, &old.signature),
        Err(InvalidPublicKey)
    );
    assert_eq!(
        verify(Gost2004, &old.key, &old.message, &new.signature),
        Err(MalformedSignature)
    );
}

#[test]
fn oid_mapping() {
    for (algorithm, signature, key, params) in [
        (
            Gost2015_512,
            "1.2.398.3.10.1.1.2.3.2",
            "1.2.398.3.10.1.1.2.2",
            "1.2.398.3.10.1.1.2.2.1",
        ),
        (
            Gost2004,
            "1.2.398.3.10.1.1.1.2",
            "1.2.398.3.10.1.1.1.1",
            "1.2.398.3.10.1.1.1.1.1",
        ),
    ] {
        assert_eq!(algorithm.signature_oid().to_string(), signature);
        assert_eq!(algorithm.public_key_oid().to_string(), key);
        assert_eq!(algorithm.public_key_param_set_oid().to_string(), params);
        assert_eq!(
            GostAlgorithm::from_signature_oid(algorithm.signature_oid()),
            Some(algorithm)
        );
        assert_eq!(
            GostAlgorithm::from_public_key_oid(algorithm.public_key_oid()),
            Some(algorithm)
        );
    }
    // Old Kalkan CMS: the 2004 key OID in signatureAlgorithm.
    assert_eq!(
        GostAlgorithm::from_signature_oid(crate::gost::OID_GOST_2004_PUBLIC_KEY),
        Some(Gost2004)
    );
    assert_eq!(
        GostAlgorithm::from_signature_oid(crate::gost::OID_GOST_2015_512_PUBLIC_KEY),
        None
    );
    assert_eq!(
        GostAlgorithm::from_signature_oid(crate::oid::ID_SHA256),
        None
    );
    assert_eq!(
        GostAlgorithm::from_public_key_oid(crate::gost::OID_GOST_2004_SIGNATURE),
        None
    );
    assert_eq!(Gost2015_512.signature_len(), 128);
    assert_eq!(Gost2004.signature_len(), 64);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes as key, digest and signature: an error, never a panic; and arbitrary
    /// bytes never pass as a signature of a real key.
    #[test]
    fn arbitrary_inputs_never_panic(
        key in proptest::collection::vec(any::<u8>(), 0..200),
        digest in proptest::collection::vec(any::<u8>(), 0..80),
        signature in proptest::collection::vec(any::<u8>(), 0..160),
        seed in any::<u64>(),
    ) {
        for algorithm in [Gost2015_512, Gost2004] {
            prop_assert!(verify_digest(algorithm, &key, &digest, &signature).is_err());
            prop_assert!(verify(algorithm, &key, &digest, &signature).is_err());
            let _ = check_public_key(algorithm, &key);
            // A valid key with random signature bytes of the right length.
            let mut rng = TestRng::new(seed);
            let valid = TestKey::random(algorithm, &mut rng);
            let sig = rng.bytes(algorithm.signature_len());
            prop_assert!(verify(algorithm, &valid.public_key, &digest, &sig).is_err());
        }
    }
}
