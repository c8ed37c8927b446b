//! Random keys and nonces for the test-only GOST signer (`gost::sign`), and sign/verify round
//! trips through the public API.

use crypto_bigint::{U256, U512, Uint};
use proptest::prelude::*;

use crate::gost::curve::{Curve, Derived};
use crate::gost::field::{is_zero, reduce, uint_from_le, uint_to_le};
use crate::gost::params::{CryptoProA, Tc26Gost512A};
use crate::gost::point::FixedBase;
use crate::gost::sign;
use crate::gost::{GostAlgorithm, GostError, PreparedKey, verify, verify_digest};

/// SplitMix64: a small deterministic generator, enough for test keys and nonces.
pub(super) struct TestRng(u64);

impl TestRng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(super) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// A uniform-enough integer in `1..q`.
    pub(super) fn scalar<C: Curve<L>, const L: usize>(&mut self) -> Uint<L> {
        loop {
            let k =
                reduce::<C::Q, L>(&uint_from_le::<L>(&self.bytes(Derived::<C, L>::BYTES)).unwrap());
            if !is_zero(&k) {
                return k;
            }
        }
    }
}

/// Signs a digest (hash output as is) with a random `k`: `r_le || s_le`.
pub(super) fn sign_digest<C: FixedBase<L>, const L: usize>(
    d: &Uint<L>,
    digest: &[u8],
    rng: &mut TestRng,
) -> Vec<u8> {
    sign::sign_digest::<C, L>(d, digest, || rng.scalar::<C, L>()).unwrap()
}

/// The public key of `d` as a SubjectPublicKeyInfo BIT STRING holds it:
/// `OCTET STRING { X_le || Y_le }`.
pub(super) fn public_key_bytes<C: FixedBase<L>, const L: usize>(d: &Uint<L>) -> Vec<u8> {
    sign::public_key_bytes::<C, L>(d).unwrap()
}

/// A key pair and a signer for one algorithm.
pub(super) struct TestKey {
    pub(super) algorithm: GostAlgorithm,
    /// The private key, little-endian.
    pub(super) private_le: Vec<u8>,
    pub(super) public_key: Vec<u8>,
}

impl TestKey {
    pub(super) fn random(algorithm: GostAlgorithm, rng: &mut TestRng) -> Self {
        match algorithm {
            GostAlgorithm::Gost2015_512 => {
                Self::from_private::<Tc26Gost512A, { U512::LIMBS }>(algorithm, rng)
            }
            GostAlgorithm::Gost2004 => {
                Self::from_private::<CryptoProA, { U256::LIMBS }>(algorithm, rng)
            }
        }
    }

    fn from_private<C: FixedBase<L>, const L: usize>(
        algorithm: GostAlgorithm,
        rng: &mut TestRng,
    ) -> Self {
        let d = rng.scalar::<C, L>();
        Self {
            algorithm,
            private_le: uint_to_le(&d),
            public_key: public_key_bytes::<C, L>(&d),
        }
    }

    /// Signs `message` (hashing it with the algorithm's digest).
    pub(super) fn sign(&self, message: &[u8], rng: &mut TestRng) -> Vec<u8> {
        let digest = self.algorithm.digest_algorithm().digest(message);
        self.sign_digest(&digest, rng)
    }

    pub(super) fn sign_digest(&self, digest: &[u8], rng: &mut TestRng) -> Vec<u8> {
        match self.algorithm {
            GostAlgorithm::Gost2015_512 => {
                let d = uint_from_le::<{ U512::LIMBS }>(&self.private_le).unwrap();
                sign_digest::<Tc26Gost512A, { U512::LIMBS }>(&d, digest, rng)
            }
            GostAlgorithm::Gost2004 => {
                let d = uint_from_le::<{ U256::LIMBS }>(&self.private_le).unwrap();
                sign_digest::<CryptoProA, { U256::LIMBS }>(&d, digest, rng)
            }
        }
    }
}

const ALGORITHMS: [GostAlgorithm; 2] = [GostAlgorithm::Gost2015_512, GostAlgorithm::Gost2004];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random key, random message, random nonce: the signature verifies; the same signature
    /// does not verify another message or under another key.
    #[test]
    fn sign_verify_round_trip(
        seed in any::<u64>(),
        message in proptest::collection::vec(any::<u8>(), 0..300),
        flip in any::<prop::sample::Index>(),
    ) {
        let mut rng = TestRng::new(seed);
        for algorithm in ALGORITHMS {
            let key = TestKey::random(algorithm, &mut rng);
            let signature = key.sign(&message, &mut rng);
            prop_assert_eq!(signature.len(), algorithm.signature_len());
            prop_assert_eq!(key.public_key.len(), algorithm.public_key_len());
            prop_assert_eq!(verify(algorithm, &key.public_key, &message, &signature), Ok(()));
            let prepared = PreparedKey::new(algorithm, &key.public_key).unwrap();
            prop_assert_eq!(prepared.verify(&message, &signature), Ok(()));

            let mut other = message.clone();
            if other.is_empty() {
                other.push(0);
            } else {
                other[flip.index(message.len())] ^= 0x01;
            }
            prop_assert_eq!(
                verify(algorithm, &key.public_key, &other, &signature),
                Err(GostError::BadSignature)
            );
            prop_assert_eq!(prepared.verify(&other, &signature), Err(GostError::BadSignature));
            let other_key = TestKey::random(algorithm, &mut rng);
            prop_assert_eq!(
                verify(algorithm, &other_key.public_key, &message, &signature),
                Err(GostError::BadSignature)
            );
        }
    }

    /// Digests whose integer is 0 or a multiple of q (e = 0 -> 1) and digests above q.
    #[test]
    fn digest_edge_cases_round_trip(seed in any::<u64>()) {
        let mut rng = TestRng::new(seed);
        for algorithm in ALGORITHMS {
            let key = TestKey::random(algorithm, &mut rng);
            let len = algorithm.digest_algorithm().output_len();
            for digest in [vec![0u8; len], vec![0xff; len], rng.bytes(len)] {
                let signature = key.sign_digest(&digest, &mut rng);
                prop_assert_eq!(
                    verify_digest(algorithm, &key.public_key, &digest, &signature),
                    Ok(())
                );
            }
        }
    }
}

/// e = 0 and e = q give the same e' = 1 (the standard's rule), so a signature over the zero
/// digest also verifies over the digest encoding q, and over the digest encoding 1.
#[test]
fn zero_digest_means_e_equals_one() {
    let mut rng = TestRng::new(7);
    let key = TestKey::random(GostAlgorithm::Gost2015_512, &mut rng);
    let zero = vec![0u8; 64];
    let signature = key.sign_digest(&zero, &mut rng);
    let one = {
        let mut d = vec![0u8; 64];
        d[0] = 1;
        d
    };
    let q = uint_to_le(&Derived::<Tc26Gost512A, { U512::LIMBS }>::Q);
    for digest in [&zero, &one, &q] {
        verify_digest(
            GostAlgorithm::Gost2015_512,
            &key.public_key,
            digest,
            &signature,
        )
        .unwrap();
    }
}
