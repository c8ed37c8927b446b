//! The algorithm OIDs this layer recognises (besides the GOST ones in [`crate::gost`] and the
//! hash OIDs shared with the CMS parser in [`crate::oid`]).

use crate::oid::{Oid, oids};

oids! {
    /// rsaEncryption (RFC 8017 appendix C); CMS also uses it as a SignerInfo signatureAlgorithm,
    /// the hash then being the digestAlgorithm (RFC 3370 §3.2):
    RSA_ENCRYPTION = "1.2.840.113549.1.1.1" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// sha1WithRSAEncryption (RFC 8017 appendix C):
    SHA1_WITH_RSA = "1.2.840.113549.1.1.5" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    /// id-mgf1 (RFC 8017 appendix B.2.1, RFC 4055 §2.2):
    MGF1 = "1.2.840.113549.1.1.8" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08];
    /// id-RSASSA-PSS (RFC 4055 §3.1), as signature algorithm and as key algorithm:
    RSASSA_PSS = "1.2.840.113549.1.1.10" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// sha256WithRSAEncryption (RFC 4055 §5):
    SHA256_WITH_RSA = "1.2.840.113549.1.1.11" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    /// sha384WithRSAEncryption (RFC 4055 §5):
    SHA384_WITH_RSA = "1.2.840.113549.1.1.12" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    /// sha512WithRSAEncryption (RFC 4055 §5):
    SHA512_WITH_RSA = "1.2.840.113549.1.1.13" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    /// id-ecPublicKey (RFC 5480 §2.1.1); some CMS signers also write it as signatureAlgorithm:
    EC_PUBLIC_KEY = "1.2.840.10045.2.1" [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// secp256r1 / P-256 (RFC 5480 §2.1.1.1):
    SECP256R1 = "1.2.840.10045.3.1.7" [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1 / P-384 (RFC 5480 §2.1.1.1):
    SECP384R1 = "1.3.132.0.34" [0x2b, 0x81, 0x04, 0x00, 0x22];
    /// ecdsa-with-SHA1 (RFC 3279 §2.2.3):
    ECDSA_WITH_SHA1 = "1.2.840.10045.4.1" [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    /// ecdsa-with-SHA256 (RFC 5758 §3.2):
    ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2" [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    /// ecdsa-with-SHA384 (RFC 5758 §3.2):
    ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3" [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    /// ecdsa-with-SHA512 (RFC 5758 §3.2; ring has no verifier for it):
    ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4" [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    /// id-Ed25519 (RFC 8410 §3), key and signature algorithm:
    ED25519 = "1.3.101.112" [0x2b, 0x65, 0x70];
    /// id-sha384 (RFC 5754 §2.3):
    SHA384 = "2.16.840.1.101.3.4.2.2" [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    /// id-sha512 (RFC 5754 §2.4):
    SHA512 = "2.16.840.1.101.3.4.2.3" [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    /// id-sha224 (RFC 5754 §2.1):
    SHA224 = "2.16.840.1.101.3.4.2.4" [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04];
}

/// id-sha1 (RFC 3370 §2.1).
pub const SHA1: Oid<'static> = crate::oid::ID_SHA1;
/// id-sha256 (RFC 5754 §2.2).
pub const SHA256: Oid<'static> = crate::oid::ID_SHA256;
