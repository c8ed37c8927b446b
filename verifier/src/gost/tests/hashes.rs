//! Known answers for the hash functions, through [`GostDigestAlgorithm`].

use super::hex;
use crate::gost::GostDigestAlgorithm::{self, Gost94Test, Streebog256, Streebog512};
use crate::oid::Oid;

/// GOST R 34.11-2012 appendix A example 1 (= RFC 6986 §10.1): M1, 63 ASCII digits. The
/// standard prints messages and digests as numbers, most significant byte first; these are the
/// byte strings (the standard's hex reversed), as every implementation uses them.
const M1: &[u8] = b"012345678901234567890123456789012345678901234567890123456789012";

/// Example 2 (RFC 6986 §10.2): M2, "Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя
/// плъкы Игоревы" in Windows-1251, 72 bytes.
const M2_HEX: &str = "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb";

#[test]
fn streebog_512_standard_examples() {
    assert_eq!(
        Streebog512.digest(M1),
        hex(
            "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa\
             00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
        )
    );
    assert_eq!(
        Streebog512.digest(&hex(M2_HEX)),
        hex(
            "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376\
             035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
        )
    );
}

#[test]
fn streebog_256_standard_examples() {
    assert_eq!(
        Streebog256.digest(M1),
        hex("9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500")
    );
    assert_eq!(
        Streebog256.digest(&hex(M2_HEX)),
        hex("9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50")
    );
}

/// GOST R 34.11-94 with the test parameters (id-GostR3411-94-TestParamSet, the S-box of the
/// standard's own examples): the standard's two worked examples (the 32- and 50-byte messages,
/// reproduced in RFC 5831) and the further vectors published with the reference
/// implementations (empty, "a", "abc", ..., 128 × "U").
#[test]
fn gost94_test_parameter_set() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"This is message, length=32 bytes",
            "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa",
        ),
        (
            b"Suppose the original message has length = 50 bytes",
            "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208",
        ),
        (
            b"",
            "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d",
        ),
        (
            b"a",
            "d42c539e367c66e9c88a801f6649349c21871b4344c6a573f849fdce62f314dd",
        ),
        (
            b"abc",
            "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d",
        ),
        (
            b"message digest",
            "ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d",
        ),
        (
            b"The quick brown fox jumps over the lazy dog",
            "77b7fa410c9ac58a25f49bca7d0468c9296529315eaca76bd1a10f376d1f4294",
        ),
        (
            &[b'U'; 128],
            "53a3a3ed25180cef0c1d85a074273e551c25660a87062a52d926a9e8fe5733a4",
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(Gost94Test.digest(message), hex(expected), "{message:?}");
    }
}

#[test]
fn digest_parts_equals_digest_of_concatenation() {
    for algorithm in [Streebog512, Streebog256, Gost94Test] {
        let whole = algorithm.digest(M1);
        assert_eq!(algorithm.digest_parts(&[&M1[..10], &M1[10..]]), whole);
        assert_eq!(algorithm.digest_parts(&[b"", M1, b""]), whole);
        assert_eq!(whole.len(), algorithm.output_len());
    }
}

#[test]
fn digest_oids() {
    for (algorithm, dotted) in [
        (Streebog512, "1.2.398.3.10.1.3.3"),
        (Streebog256, "1.2.398.3.10.1.3.2"),
        (Gost94Test, "1.2.398.3.10.1.3.1"),
    ] {
        assert_eq!(algorithm.oid().to_string(), dotted);
        assert_eq!(
            GostDigestAlgorithm::from_oid(algorithm.oid()),
            Some(algorithm)
        );
    }
    assert_eq!(
        GostDigestAlgorithm::from_oid(crate::oid::ID_SHA256),
        None,
        "not a GOST digest"
    );
    let valid = Oid::from_content(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x03, 0x04]).unwrap();
    assert_eq!(GostDigestAlgorithm::from_oid(valid), None);
}
