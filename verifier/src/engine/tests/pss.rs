//! RSASSA-PSS made by `openssl cms -sign` (`testdata/pki/pss.sh`) with salt lengths other than
//! the hash length, which RFC 8017 allows ("Typical salt lengths in octets are hLen ... and
//! 0", §9.1) and openssl writes by default (the longest the key allows): verified end to end,
//! and a flipped bit or another declared salt length is SIG_CRYPTO_FAILURE.

use super::format::{flip_signature_byte, replace_once};
use super::{Setup, check, check_both};
use crate::crypto::{DigestAlgorithm, SignatureScheme};
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

/// (file, hash, declared salt length): RSA-2048, so the longest salt is 256 - hLen - 2.
const FILES: [(&str, &[u8], DigestAlgorithm, u64); 5] = [
    (
        "salt max, SHA-256",
        pki::INDIVIDUAL_PSS_SALTMAX_CMS,
        DigestAlgorithm::Sha256,
        222,
    ),
    (
        "salt 20, SHA-256",
        pki::INDIVIDUAL_PSS_SALT20_CMS,
        DigestAlgorithm::Sha256,
        20,
    ),
    (
        "salt 0, SHA-256",
        pki::INDIVIDUAL_PSS_SALT0_CMS,
        DigestAlgorithm::Sha256,
        0,
    ),
    (
        "salt max, SHA-512",
        pki::INDIVIDUAL_PSS_SHA512_SALTMAX_CMS,
        DigestAlgorithm::Sha512,
        190,
    ),
    // Salt = hash length: ring's case, for comparison.
    (
        "salt 32, SHA-256",
        pki::INDIVIDUAL_PSS_CMS,
        DigestAlgorithm::Sha256,
        32,
    ),
];

fn sig_crypto_failure() -> Verdict {
    Verdict::failed(SubIndication::SigCryptoFailure)
}

#[test]
fn any_salt_length_passes() {
    for (what, cms, hash, salt_len) in FILES {
        let report = check(&Setup::new(), cms, Verdict::PASSED);
        let algorithm = report.signers[0]
            .signature_algorithm
            .unwrap_or_else(|| panic!("{what}: no algorithm"));
        assert_eq!(
            algorithm.scheme,
            SignatureScheme::RsaPss { salt_len },
            "{what}"
        );
        assert_eq!(algorithm.digest, Some(hash), "{what}");
        assert_eq!(algorithm.key_bits, 2048, "{what}");
    }
    check_both(
        &Setup::new(),
        pki::INDIVIDUAL_PSS_SALTMAX_CMS,
        pki::INDIVIDUAL_PSS_SALTMAX_ATTACHED_CMS,
        Verdict::PASSED,
    );
}

#[test]
fn the_report_names_the_salt_length() {
    let report = check(
        &Setup::new(),
        pki::INDIVIDUAL_PSS_SALTMAX_CMS,
        Verdict::PASSED,
    );
    let text = report.to_string();
    assert!(
        text.contains("RSASSA-PSS, SHA-256, salt 222 octets, 2048-bit key"),
        "{text}"
    );
}

#[test]
fn a_flipped_signature_bit_is_sig_crypto_failure() {
    for (what, cms, _, _) in FILES {
        let tampered = flip_signature_byte(cms);
        let report = check(&Setup::new(), &tampered, sig_crypto_failure());
        assert!(report.signers[0].identity.is_some(), "{what}");
    }
    let tampered = flip_signature_byte(pki::INDIVIDUAL_PSS_SALTMAX_ATTACHED_CMS);
    check_both(
        &Setup::new(),
        &flip_signature_byte(pki::INDIVIDUAL_PSS_SALTMAX_CMS),
        &tampered,
        sig_crypto_failure(),
    );
}

/// The signature's salt must be exactly as long as the parameters say (RFC 8017 §9.1.2 step
/// 10 takes sLen from them): the parameters sit outside the signed attributes, so changing
/// them changes nothing else. One octet shorter or longer, the hash length (then ring
/// verifies), or a salt where there is none: SIG_CRYPTO_FAILURE.
#[test]
fn another_declared_salt_length_is_sig_crypto_failure() {
    // saltLength [2] INTEGER 222 (0x00de), and the same-length encodings of 221, 223, 128.
    let max = [0xa2, 0x04, 0x02, 0x02, 0x00, 0xde];
    for salt in [0xdd, 0xdf, 0x80] {
        let mut declared = max;
        declared[5] = salt;
        for cms in [
            pki::INDIVIDUAL_PSS_SALTMAX_CMS,
            pki::INDIVIDUAL_PSS_SALTMAX_ATTACHED_CMS,
        ] {
            let altered = replace_once(cms, &max, &declared);
            check(&Setup::new(), &altered, sig_crypto_failure());
        }
    }
    // saltLength [2] INTEGER 0, declared as 1 or as 32 (the hash length: ring's case).
    let zero = [0xa2, 0x03, 0x02, 0x01, 0x00];
    for salt in [0x01, 0x20] {
        let mut declared = zero;
        declared[4] = salt;
        let altered = replace_once(pki::INDIVIDUAL_PSS_SALT0_CMS, &zero, &declared);
        check(&Setup::new(), &altered, sig_crypto_failure());
    }
    // ring's case, salt 32 declared as 31 or 33: the other way round.
    let hash_len = [0xa2, 0x03, 0x02, 0x01, 0x20];
    for salt in [0x1f, 0x21] {
        let mut declared = hash_len;
        declared[4] = salt;
        let altered = replace_once(pki::INDIVIDUAL_PSS_CMS, &hash_len, &declared);
        check(&Setup::new(), &altered, sig_crypto_failure());
    }
}
