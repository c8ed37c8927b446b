//! `rsa.rs`: RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) for the salt lengths ring does not take.
//!
//! Encoded messages are built here (EMSA-PSS-ENCODE, §9.1.1, written again for the tests) with
//! one rule of §9.1.2 broken at a time, and signed with the private keys of
//! `testdata/crypto` (RSAVP1's inverse, s = m^d mod n), so that each rejection is that rule's:
//! the trailer, the leftmost bits, the zero padding and the 0x01, the salt length, H, the
//! signature's length and range, and the key. The 2049-bit key (`make-rsa2049.sh`, openssl)
//! has an encoded message one octet shorter than its modulus; openssl's own signatures with it
//! verify too.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Limb, U2048, U3072, Uint};

use super::*;
use crate::crypto::pss::PssParameters;
use crate::crypto::rsa::{emsa_pss_verify, verify_pss};
use crate::crypto::{self, CryptoError, DigestAlgorithm, SignatureScheme, oids};

const RSA2048_PK8: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.pk8.der");
const RSA2048_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa2048.spki.der");
const RSA2049_PK8: &[u8] = include_bytes!("../../../testdata/crypto/rsa2049.pk8.der");
const RSA2049_SPKI: &[u8] = include_bytes!("../../../testdata/crypto/rsa2049.spki.der");
const MESSAGE: &[u8] = include_bytes!("../../../testdata/crypto/message.txt");

const HASHES: [DigestAlgorithm; 3] = [
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
];

/// A test key: the public key as a verifier gets it, and n, d to sign with.
pub(super) struct Key {
    /// The subjectPublicKey contents: the DER RSAPublicKey.
    pub(super) public_key: Vec<u8>,
    /// The modulus, k octets.
    pub(super) n: Vec<u8>,
    d: Vec<u8>,
    pub(super) bits: usize,
}

/// The value of a positive INTEGER without its sign octet.
fn unsigned(tlv: &Tlv<'_>) -> Vec<u8> {
    tlv.content()
        .iter()
        .copied()
        .skip_while(|&b| b == 0)
        .collect()
}

impl Key {
    /// A PKCS#8 `PrivateKeyInfo` holding an `RSAPrivateKey` (RFC 8017 appendix A.1.2) and its
    /// SubjectPublicKeyInfo.
    pub(super) fn load(pk8: &[u8], spki: &[u8]) -> Self {
        let info = Tlv::parse_single(pk8).unwrap();
        let mut fields = info.children();
        fields.next_tlv().unwrap().unwrap(); // version
        fields.next_tlv().unwrap().unwrap(); // privateKeyAlgorithm
        let private_key = fields.next_tlv().unwrap().unwrap();
        let rsa = Tlv::parse_single(private_key.content()).unwrap();
        let mut fields = rsa.children();
        fields.next_tlv().unwrap().unwrap(); // version
        let n = unsigned(&fields.next_tlv().unwrap().unwrap());
        fields.next_tlv().unwrap().unwrap(); // publicExponent
        let d = unsigned(&fields.next_tlv().unwrap().unwrap());
        let bits = n.len() * 8 - n[0].leading_zeros() as usize;
        Self {
            public_key: parse_spki(spki).subject_public_key.data.to_vec(),
            n,
            d,
            bits,
        }
    }

    pub(super) fn k(&self) -> usize {
        self.n.len()
    }

    fn em_bits(&self) -> usize {
        self.bits - 1
    }

    /// s = m^d mod n as k octets, for m < n given in at most k octets.
    pub(super) fn sign_raw(&self, m: &[u8]) -> Vec<u8> {
        assert!(m.len() <= self.k());
        match self.bits {
            ..=2048 => private::<{ U2048::LIMBS }>(&self.n, &self.d, m),
            2049..=3072 => private::<{ U3072::LIMBS }>(&self.n, &self.d, m),
            _ => panic!("a {}-bit test key", self.bits),
        }
    }

    /// Whether `m` (k octets or fewer, big-endian) is below n: only then is it what the
    /// verifier recovers from its signature.
    pub(super) fn below_n(&self, m: &[u8]) -> bool {
        let mut padded = vec![0; self.k() - m.len()];
        padded.extend_from_slice(m);
        padded < self.n
    }

    fn verify(&self, pss: PssParameters, signature: &[u8]) -> Result<(), CryptoError> {
        verify_pss(pss, &self.public_key, MESSAGE, signature)
    }
}

/// m^d mod n as n's octets, in `LIMBS` limbs.
fn private<const LIMBS: usize>(n: &[u8], d: &[u8], m: &[u8]) -> Vec<u8> {
    let uint = |big_endian: &[u8]| {
        let mut padded = vec![0; LIMBS * Limb::BYTES];
        let start = padded.len() - big_endian.len();
        padded[start..].copy_from_slice(big_endian);
        Uint::<LIMBS>::from_be_slice(&padded)
    };
    let params = FixedMontyParams::new_vartime(uint(n).to_odd().into_option().unwrap());
    let s = FixedMontyForm::new(&uint(m), &params)
        .pow_vartime(&uint(d))
        .retrieve()
        .to_be_bytes();
    s[s.len() - n.len()..].to_vec()
}

pub(super) fn rsa2048() -> Key {
    Key::load(RSA2048_PK8, RSA2048_SPKI)
}

pub(super) fn rsa2049() -> Key {
    Key::load(RSA2049_PK8, RSA2049_SPKI)
}

fn params(hash: DigestAlgorithm, salt_len: usize) -> PssParameters {
    PssParameters {
        hash,
        mgf1_hash: hash,
        salt_len: salt_len as u64,
    }
}

/// `len` salt octets, fixed per `seed`.
fn salt(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed))
        .collect()
}

/// MGF1 (appendix B.2.1), as the encoder needs it.
fn mgf1(hash: DigestAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut mask = Vec::new();
    for counter in 0u32.. {
        if mask.len() >= len {
            break;
        }
        mask.extend(hash.digest_parts(&[seed, &counter.to_be_bytes()]));
    }
    mask.truncate(len);
    mask
}

/// What to break in an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    Nothing,
    /// DB's first octet (a padding octet) is 0x01.
    Padding,
    /// The octet after the padding is 0x02.
    Separator,
    /// The octet after the padding is 0x00 (a padding one octet too long).
    NoSeparator,
    /// The trailer is 0xbd.
    Trailer,
    /// One bit of H is flipped.
    HashBit,
    /// The leftmost 8emLen - emBits bits of EM are not zero.
    LeftmostBits,
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of MESSAGE with `salt`, with `broken` broken.
fn encode(hash: DigestAlgorithm, salt: &[u8], em_bits: usize, broken: Break) -> Vec<u8> {
    let h_len = hash.output_len();
    let em_len = em_bits.div_ceil(8);
    let m_hash = hash.digest(MESSAGE);
    let h = hash.digest_parts(&[&[0; 8], &m_hash, salt]);
    let ps_len = em_len - salt.len() - h_len - 2;
    let mut db = vec![0; ps_len];
    db.push(0x01);
    db.extend_from_slice(salt);
    match broken {
        Break::Padding => db[0] = 0x01,
        Break::Separator => db[ps_len] = 0x02,
        Break::NoSeparator => db[ps_len] = 0x00,
        _ => {}
    }
    let mask = mgf1(hash, &h, em_len - h_len - 1);
    let mut em: Vec<u8> = db.iter().zip(&mask).map(|(d, m)| d ^ m).collect();
    let unused = 8 * em_len - em_bits;
    em[0] &= 0xff >> unused;
    if broken == Break::LeftmostBits {
        em[0] |= 0x80;
    }
    em.extend_from_slice(&h);
    em.push(0xbc);
    match broken {
        Break::Trailer => *em.last_mut().unwrap() = 0xbd,
        Break::HashBit => em[em_len - 2] ^= 0x01,
        _ => {}
    }
    em
}

/// The longest salt the key allows with `hash`: emLen - hLen - 2.
fn max_salt(key: &Key, hash: DigestAlgorithm) -> usize {
    key.em_bits().div_ceil(8) - hash.output_len() - 2
}

#[test]
fn every_salt_length_verifies_and_only_as_declared() {
    for key in [rsa2048(), rsa2049()] {
        for hash in HASHES {
            let h_len = hash.output_len();
            let max = max_salt(&key, hash);
            for len in [0, 1, 20, h_len - 1, h_len + 1, 100, max - 1, max] {
                let signature =
                    key.sign_raw(&encode(hash, &salt(len, 5), key.em_bits(), Break::Nothing));
                assert_eq!(
                    key.verify(params(hash, len), &signature),
                    Ok(()),
                    "{} bits, {hash}, salt {len}",
                    key.bits
                );
                // Declared one octet shorter or longer, or as the hash length: inconsistent.
                for declared in [len.wrapping_sub(1), len + 1, h_len, max + 1, usize::MAX] {
                    if declared == len {
                        continue;
                    }
                    assert_eq!(
                        key.verify(params(hash, declared), &signature),
                        Err(CryptoError::BadSignature),
                        "{} bits, {hash}, salt {len} declared {declared}",
                        key.bits
                    );
                }
                // Another hash, or MGF1 over another hash.
                let other = if hash == DigestAlgorithm::Sha256 {
                    DigestAlgorithm::Sha512
                } else {
                    DigestAlgorithm::Sha256
                };
                let mut pss = params(hash, len);
                pss.mgf1_hash = other;
                assert_eq!(key.verify(pss, &signature), Err(CryptoError::BadSignature));
                if len <= max_salt(&key, other) {
                    assert_eq!(
                        key.verify(params(other, len), &signature),
                        Err(CryptoError::BadSignature)
                    );
                }
            }
        }
    }
}

#[test]
fn each_broken_rule_is_rejected() {
    for key in [rsa2048(), rsa2049()] {
        for hash in HASHES {
            let len = 20;
            for broken in [
                Break::Padding,
                Break::Separator,
                Break::NoSeparator,
                Break::Trailer,
                Break::HashBit,
            ] {
                let em = encode(hash, &salt(len, 9), key.em_bits(), broken);
                assert!(key.below_n(&em));
                assert_eq!(
                    key.verify(params(hash, len), &key.sign_raw(&em)),
                    Err(CryptoError::BadSignature),
                    "{} bits, {hash}, {broken:?}",
                    key.bits
                );
            }
        }
    }
}

/// §9.1.2 step 6: with a 2048-bit modulus emBits is 2047, and EM's leftmost bit must be zero.
/// An encoding with that bit set, below n (so that the signature recovers it), is refused,
/// while the same encoding without it verifies.
#[test]
fn the_leftmost_bits_must_be_zero() {
    let key = rsa2048();
    assert_eq!(key.bits, 2048);
    let hash = DigestAlgorithm::Sha256;
    let mut tried = 0;
    for seed in 0..=255 {
        let em = encode(
            hash,
            &salt(32 + 1, seed),
            key.em_bits(),
            Break::LeftmostBits,
        );
        if !key.below_n(&em) {
            continue;
        }
        if tried == 4 {
            break;
        }
        tried += 1;
        assert_eq!(
            key.verify(params(hash, 33), &key.sign_raw(&em)),
            Err(CryptoError::BadSignature),
            "seed {seed}"
        );
        let mut clear = em.clone();
        clear[0] &= 0x7f;
        assert_eq!(key.verify(params(hash, 33), &key.sign_raw(&clear)), Ok(()));
    }
    assert!(
        tried > 0,
        "no encoding with the leftmost bit set is below n"
    );
}

/// §8.1.2 step 2c: with a 2049-bit modulus, k = 257 and emLen = 256: m's first octet must be
/// zero (I2OSP(m, emLen) fails otherwise), even when the rest is a valid encoding.
#[test]
fn the_encoded_message_of_a_2049_bit_key_is_one_octet_shorter() {
    let key = rsa2049();
    assert_eq!(
        (key.bits, key.k(), key.em_bits().div_ceil(8)),
        (2049, 257, 256)
    );
    let hash = DigestAlgorithm::Sha256;
    let mut tried = 0;
    for seed in 0..=255 {
        let em = encode(hash, &salt(32 + 1, seed), key.em_bits(), Break::Nothing);
        assert_eq!(em.len(), 256);
        let m = [&[0x01][..], &em].concat();
        if !key.below_n(&m) {
            continue;
        }
        if tried == 4 {
            break;
        }
        assert_eq!(key.verify(params(hash, 33), &key.sign_raw(&em)), Ok(()));
        tried += 1;
        assert_eq!(
            key.verify(params(hash, 33), &key.sign_raw(&m)),
            Err(CryptoError::BadSignature),
            "seed {seed}"
        );
    }
    assert!(tried > 0, "no 0x01 || EM is below n");
}

/// §8.1.2 step 1: exactly k octets; RSAVP1 (§5.2.2): s below n. The same number in k + 1
/// octets is refused too.
#[test]
fn the_signature_has_the_modulus_length_and_is_below_it() {
    for key in [rsa2048(), rsa2049()] {
        let hash = DigestAlgorithm::Sha384;
        let em = encode(hash, &salt(0, 0), key.em_bits(), Break::Nothing);
        let signature = key.sign_raw(&em);
        let pss = params(hash, 0);
        assert_eq!(key.verify(pss, &signature), Ok(()));
        let mut longer = vec![0];
        longer.extend_from_slice(&signature);
        let k = key.k();
        for bad in [
            longer,
            signature[1..].to_vec(),
            Vec::new(),
            key.n.clone(),
            vec![0xff; k],
            vec![0; k],
            {
                let mut one = vec![0; k];
                one[k - 1] = 1;
                one
            },
        ] {
            assert_eq!(
                key.verify(pss, &bad),
                Err(CryptoError::BadSignature),
                "{} octets",
                bad.len()
            );
        }
        // s + n: the same value mod n, out of range. For the 2049-bit key it fits in k octets.
        let mut sum = vec![0; k];
        let mut carry = 0u16;
        for i in (0..k).rev() {
            let total = u16::from(signature[i]) + u16::from(key.n[i]) + carry;
            sum[i] = total as u8;
            carry = total >> 8;
        }
        if carry == 0 {
            assert_eq!(key.verify(pss, &sum), Err(CryptoError::BadSignature));
        } else {
            assert_eq!(key.bits, 2048, "s + n fits in 257 octets");
        }
        // A signature whose first octet is zero, without it: the same number in k - 1 octets.
        let found = (0..=u8::MAX).find_map(|seed| {
            let em = encode(hash, &salt(1, seed), key.em_bits(), Break::Nothing);
            let signature = key.sign_raw(&em);
            (signature[0] == 0).then_some(signature)
        });
        let signature = found.expect("a signature with a leading zero octet");
        assert_eq!(key.verify(params(hash, 1), &signature), Ok(()));
        assert_eq!(
            key.verify(params(hash, 1), &signature[1..]),
            Err(CryptoError::BadSignature)
        );
    }
}

/// `RSAPublicKey { n, e }` from the contents of its INTEGERs.
fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    seq(&[&tlv(0x02, n), &tlv(0x02, e)])
}

/// The key is DER with a 2048- to 8192-bit odd modulus and an odd exponent from 3 to
/// 2^33 - 1, as ring requires for its PSS verifiers; anything else is a malformed key.
#[test]
fn the_key_is_checked() {
    let key = rsa2048();
    let hash = DigestAlgorithm::Sha256;
    let signature = key.sign_raw(&encode(hash, &salt(0, 1), key.em_bits(), Break::Nothing));
    let pss = params(hash, 0);
    let n = [&[0][..], &key.n].concat(); // with its sign octet
    let e = [0x01, 0x00, 0x01];
    let good = rsa_public_key(&n, &e);
    assert_eq!(good, key.public_key);
    assert_eq!(verify_pss(pss, &good, MESSAGE, &signature), Ok(()));

    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    let short = [&[0][..], &vec![0xff; 255]].concat(); // 2040 bits
    let long = [&[0][..], &vec![0xff; 1025]].concat(); // 8200 bits
    let mut with_trailing = good.clone();
    with_trailing.push(0);
    // The SEQUENCE's two length octets written in three.
    assert_eq!(good[1], 0x82);
    let long_form = [&[0x30, 0x83, 0x00][..], &good[2..]].concat();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("even modulus", rsa_public_key(&even, &e)),
        ("2040-bit modulus", rsa_public_key(&short, &e)),
        ("8200-bit modulus", rsa_public_key(&long, &e)),
        ("negative modulus", rsa_public_key(&key.n, &e)),
        (
            "modulus with two leading zeros",
            rsa_public_key(&[&[0][..], &n].concat(), &e),
        ),
        ("exponent 1", rsa_public_key(&n, &[1])),
        ("exponent 2", rsa_public_key(&n, &[2])),
        ("even exponent", rsa_public_key(&n, &[0x01, 0x00, 0x00])),
        ("exponent 2^33 + 1", rsa_public_key(&n, &[2, 0, 0, 0, 1])),
        ("exponent 0", rsa_public_key(&n, &[0])),
        ("empty exponent", rsa_public_key(&n, &[])),
        (
            "exponent with a leading zero",
            rsa_public_key(&n, &[0, 1, 0, 1]),
        ),
        ("negative exponent", rsa_public_key(&n, &[0x81])),
        ("data after the key", with_trailing),
        ("not the shortest length", long_form),
        ("one INTEGER", seq(&[&tlv(0x02, &n)])),
        (
            "three INTEGERs",
            seq(&[&tlv(0x02, &n), &tlv(0x02, &e), &tlv(0x02, &e)]),
        ),
        ("not a SEQUENCE", tlv(0x31, &good[4..])),
        ("empty", Vec::new()),
    ];
    for (what, der) in cases {
        assert!(
            matches!(
                verify_pss(pss, &der, MESSAGE, &signature),
                Err(CryptoError::MalformedKey(_))
            ),
            "{what}"
        );
    }
    // The largest exponent taken: a valid key, a signature that does not verify under it.
    let largest = rsa_public_key(&n, &[1, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(
        verify_pss(pss, &largest, MESSAGE, &signature),
        Err(CryptoError::BadSignature)
    );
}

/// EMSA-PSS-VERIFY refuses an encoded message whose length is not ceil(emBits / 8), and a
/// message hash of another length, before reading them.
#[test]
fn emsa_pss_verify_checks_its_lengths() {
    let hash = DigestAlgorithm::Sha256;
    let em = encode(hash, &salt(10, 2), 2047, Break::Nothing);
    let m_hash = hash.digest(MESSAGE);
    assert!(emsa_pss_verify(&m_hash, &em, 2047, params(hash, 10)));
    assert!(!emsa_pss_verify(&m_hash, &em, 2048 + 8, params(hash, 10)));
    assert!(!emsa_pss_verify(&m_hash, &em[1..], 2047, params(hash, 10)));
    assert!(!emsa_pss_verify(&m_hash[1..], &em, 2047, params(hash, 10)));
    assert!(!emsa_pss_verify(&m_hash, &[], 0, params(hash, 10)));
    assert!(!emsa_pss_verify(&[], &[], 0, params(hash, 0)));
}

/// Signatures made by openssl (`make-rsa2049.sh`) with the 2049-bit key, through the public
/// API: `resolve` with RSASSA-PSS-params, then `verify_signature`.
#[test]
fn openssl_signatures_with_the_2049_bit_key() {
    let spki = parse_spki(RSA2049_SPKI);
    let key = &spki.subject_public_key.data;
    for (signature, salt_len) in [
        (
            &include_bytes!("../../../testdata/crypto/rsa2049_pss_sha256_saltmax.sig")[..],
            222,
        ),
        (
            &include_bytes!("../../../testdata/crypto/rsa2049_pss_sha256_salt0.sig")[..],
            0,
        ),
    ] {
        assert_eq!(signature.len(), 257);
        let verify = |declared: u64| {
            let params = pss_params(oids::SHA256, oids::SHA256, declared);
            let alg = crypto::resolve(
                &parse_alg(&alg_id(oids::RSASSA_PSS, Some(&params))),
                None,
                &spki,
            )
            .unwrap();
            assert_eq!(alg.scheme, SignatureScheme::RsaPss { salt_len: declared });
            assert_eq!(alg.key_bits, 2049);
            crypto::verify_signature(&alg, key, MESSAGE, signature)
        };
        assert_eq!(verify(salt_len), Ok(()), "salt {salt_len}");
        for declared in [salt_len + 1, 32, 20] {
            assert_eq!(
                verify(declared),
                Err(CryptoError::BadSignature),
                "salt {salt_len} declared {declared}"
            );
        }
        let mut tampered = signature.to_vec();
        tampered[100] ^= 0x01;
        let params = pss_params(oids::SHA256, oids::SHA256, salt_len);
        let alg = crypto::resolve(
            &parse_alg(&alg_id(oids::RSASSA_PSS, Some(&params))),
            None,
            &spki,
        )
        .unwrap();
        assert_eq!(
            crypto::verify_signature(&alg, key, MESSAGE, &tampered),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(
            crypto::verify_signature(&alg, key, b"another message", signature),
            Err(CryptoError::BadSignature)
        );
    }
}
