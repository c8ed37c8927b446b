//! The value types that several files of the cryptographic layer share: what a key is
//! ([`KeyAlgorithm`], [`EcCurve`]) and what a resolved signature is ([`SignatureScheme`],
//! [`SignatureAlgorithm`]).
//!
//! Apart so that dependencies run one way: the key decoder (`key.rs`) and the errors
//! (`error.rs`) take them from here rather than from the algorithm table (`algorithm.rs`),
//! which itself uses the key decoder. Of `crypto`, only the digest names (`digest.rs`) are
//! used here.

use std::fmt;

use crate::crypto::digest::DigestAlgorithm;
use crate::gost::GostAlgorithm;

/// A public key algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// rsaEncryption (RFC 8017).
    Rsa,
    /// id-RSASSA-PSS: an RSA key restricted to PSS (RFC 4055 §1.2).
    RsaPss,
    /// id-ecPublicKey on a named curve (RFC 5480).
    Ec(EcCurve),
    /// id-Ed25519 (RFC 8410).
    Ed25519,
    /// An NCA GOST key.
    Gost(GostAlgorithm),
}

/// A named elliptic curve (RFC 5480 §2.1.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// secp256r1 (P-256).
    P256,
    /// secp384r1 (P-384).
    P384,
}

impl EcCurve {
    /// The curve size in bits.
    pub fn bits(self) -> u32 {
        match self {
            Self::P256 => 256,
            Self::P384 => 384,
        }
    }

    pub(crate) fn coordinate_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }
}

/// The signature scheme, independent of key size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash (RFC 4055 §3.1).
    RsaPss {
        /// The salt length in octets the RSASSA-PSS-params declare (saltLength): the
        /// signature verifies only with a salt of exactly this length.
        salt_len: u64,
    },
    /// ECDSA with an ASN.1 DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3, RFC 5758 §3.2).
    Ecdsa,
    /// PureEdDSA over edwards25519 (RFC 8032 §5.1, RFC 8410).
    Ed25519,
    /// An NCA GOST signature (see [`crate::gost`]).
    Gost(GostAlgorithm),
}

/// A resolved signature verification: what a verifier runs, and the facts a policy needs
/// (hash, key algorithm, key size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SignatureAlgorithm {
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The hash the scheme applies to the message; `None` for Ed25519, which signs the message
    /// itself.
    pub digest: Option<DigestAlgorithm>,
    /// The key algorithm.
    pub key: KeyAlgorithm,
    /// The key size in bits: RSA modulus length, curve size, 256 for Ed25519, 512 or 256 for
    /// GOST.
    pub key_bits: u32,
}

impl fmt::Display for SignatureAlgorithm {
    /// E.g. `RSA PKCS#1 v1.5, SHA-256, 2048-bit key`, `RSASSA-PSS, SHA-256, salt 32 octets,
    /// 2048-bit key` or `GOST 34.10-2015 512, GOST R 34.11-2012 512`: what a report shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.scheme {
            SignatureScheme::RsaPkcs1v15 => "RSA PKCS#1 v1.5",
            SignatureScheme::RsaPss { .. } => "RSASSA-PSS",
            SignatureScheme::Ecdsa => "ECDSA",
            SignatureScheme::Ed25519 => "Ed25519",
            SignatureScheme::Gost(GostAlgorithm::Gost2015_512) => "GOST 34.10-2015 512",
            SignatureScheme::Gost(GostAlgorithm::Gost2004) => "GOST 34.310-2004",
        })?;
        if let KeyAlgorithm::Ec(curve) = self.key {
            write!(f, " P-{}", curve.bits())?;
        }
        if let Some(digest) = self.digest {
            write!(f, ", {digest}")?;
        }
        if let SignatureScheme::RsaPss { salt_len } = self.scheme {
            write!(f, ", salt {salt_len} octets")?;
        }
        if matches!(self.key, KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss) {
            write!(f, ", {}-bit key", self.key_bits)?;
        }
        Ok(())
    }
}

impl SignatureAlgorithm {
    /// The GOST algorithm, if this is a GOST signature.
    pub fn gost(&self) -> Option<GostAlgorithm> {
        match self.scheme {
            SignatureScheme::Gost(gost) => Some(gost),
            _ => None,
        }
    }
}
