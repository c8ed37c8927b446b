//! Verification of GOST signatures as NCA RK makes them, natively (verify only: no private keys;
//! the test-only signer is compiled for tests and the `test-util` feature alone).
//!
//! | [`GostAlgorithm`] | NCA signature OID | what it is |
//! |---|---|---|
//! | [`Gost2015_512`](GostAlgorithm::Gost2015_512) | 1.2.398.3.10.1.1.2.3.2 | GOST R 34.10-2012 on id-tc26-gost-3410-12-512-paramSetA, digest Streebog-512 (GOST R 34.11-2012) |
//! | [`Gost2004`](GostAlgorithm::Gost2004) | 1.2.398.3.10.1.1.1.2 | GOST R 34.10-2001 on id-GostR3410-2001-CryptoPro-A-ParamSet, digest GOST R 34.11-94 with the **Test** S-box |
//!
//! NCA defines no signature OID for a 256-bit GOST 34.10-2015 key (only the Streebog-256
//! *digest* OID 1.2.398.3.10.1.3.2, which [`GostDigestAlgorithm`] knows), so there is no
//! 256-bit 2015 variant here.
//!
//! # Byte conventions (the same in certificates, CRLs, OCSP, CMS and time-stamp tokens)
//!
//! - public key: the SubjectPublicKeyInfo `subjectPublicKey` BIT STRING holds a DER
//!   `OCTET STRING { X_le || Y_le }` (64 + 64 bytes for 2015-512, 32 + 32 for 2004); the
//!   functions here take the BIT STRING's contents after its unused-bits octet (x509-parser's
//!   `subject_public_key.data`);
//! - signature: `r_le || s_le` (not RFC 4491's `s_be || r_be`): the CMS SignerInfo signature
//!   OCTET STRING, or a certificate's/CRL's signatureValue BIT STRING contents;
//! - `e` = the digest read as a little-endian integer, mod `q`, and 1 if that is 0;
//! - verification: `v = e⁻¹`, `z1 = s·v`, `z2 = -r·v (mod q)`, `C = z1·G + z2·Q`, accept iff
//!   `0 < r, s < q` and `x_C mod q = r`.
//!
//! Stored digests (CMS messageDigest and the like) are the hash output as is, not reversed:
//! compare them with [`GostDigestAlgorithm::digest`].
//!
//! # Errors
//!
//! [`GostError`] is a small `#[non_exhaustive]` enum rather than ring's opaque unit error: it
//! says whether the *key* was unusable, the *signature value* malformed, or the signature simply
//! wrong, which a verification report wants to show, and it reveals nothing secret (all inputs
//! are public). No input makes these functions panic.
//!
//! # Speed
//!
//! Both NCA curves have a pseudo-Mersenne `p` (`2^512 - 569`, `2^256 - 617`): the field
//! arithmetic reduces products by that form rather than by Montgomery reduction. `z1·G + z2·Q`
//! is one interleaved multiplication (a single chain of doublings): `G`'s odd multiples come
//! from a table built once per curve on first use (64 KiB for the 512-bit curve), `Q`'s from a
//! width-5 wNAF made per signature, or once per key in a [`PreparedKey`], which also cuts the
//! doublings to a quarter. Jacobian coordinates, and no field inversion at all in the final
//! comparison. Nothing is constant time: verification handles public data only. See
//! `benches/gost.rs` for the numbers.
//!
//! ```
//! use qoima_verifier::gost::{self, GostAlgorithm};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let cert_der = qoima_verifier::decode_certificate_file(include_bytes!(
//! #     "../../testdata/skarm_kalkan/cms/individual_signer.cer"))?.remove(0).into_owned();
//! # let cms = include_bytes!("../../testdata/skarm_kalkan/cms/individual_attached.der");
//! let (_, cert) = x509_parser::parse_x509_certificate(&cert_der)?;
//! let signed_data = qoima_verifier::parse_signed_data(cms)?;
//! let signer = &signed_data.signer_infos[0];
//! let algorithm = GostAlgorithm::from_signature_oid(signer.signature_algorithm.algorithm)
//!     .ok_or("not a GOST signature")?;
//! let attrs = signer.signed_attrs.as_ref().ok_or("no signed attributes")?;
//! gost::verify(
//!     algorithm,
//!     &cert.public_key().subject_public_key.data,
//!     &attrs.bytes_to_verify(),
//!     &signer.signature,
//! )?;
//! # Ok(())
//! # }
//! ```

pub(crate) mod curve;
mod field;
mod params;
pub(crate) mod point;
// Test-only signing (the verifier never signs): the crate's tests and `testing::gost`.
#[cfg(any(test, feature = "test-util"))]
pub(crate) mod sign;
mod verify;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

use crate::oid::Oid;
use params::{CryptoProA, Tc26Gost512A};
use streebog::Digest;

/// The GOST 34.10-2015 512-bit signature algorithm: `1.2.398.3.10.1.1.2.3.2`.
pub const OID_GOST_2015_512_SIGNATURE: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x03, 0x02]);
/// The GOST 34.10-2015 512-bit public key: `1.2.398.3.10.1.1.2.2`.
pub const OID_GOST_2015_512_PUBLIC_KEY: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x02]);
/// Its parameter set A (id-tc26-gost-3410-12-512-paramSetA): `1.2.398.3.10.1.1.2.2.1`.
pub const OID_GOST_2015_512_PARAM_SET_A: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x02, 0x01]);
/// The GOST 34.310-2004 signature algorithm: `1.2.398.3.10.1.1.1.2`.
pub const OID_GOST_2004_SIGNATURE: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x01, 0x02]);
/// The GOST 34.310-2004 public key: `1.2.398.3.10.1.1.1.1` (old Kalkan CMS also writes it in
/// SignerInfo.signatureAlgorithm).
pub const OID_GOST_2004_PUBLIC_KEY: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x01, 0x01]);
/// Its parameter set (the CryptoPro-A curve): `1.2.398.3.10.1.1.1.1.1`.
pub const OID_GOST_2004_PARAM_SET: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x01, 0x01, 0x01]);
/// Digest GOST 34.311-95 (GOST R 34.11-94, Test S-box): `1.2.398.3.10.1.3.1`.
pub const OID_GOST_95_DIGEST: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x03, 0x01]);
/// Digest GOST 34.11-2015 256 (Streebog-256): `1.2.398.3.10.1.3.2`.
pub const OID_GOST_2015_256_DIGEST: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x03, 0x02]);
/// Digest GOST 34.11-2015 512 (Streebog-512): `1.2.398.3.10.1.3.3`.
pub const OID_GOST_2015_512_DIGEST: Oid<'static> =
    Oid::from_content_unchecked(&[0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x03, 0x03]);

/// Why a GOST signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum GostError {
    /// The public key is not a point of the algorithm's curve: not a DER OCTET STRING of the
    /// right length, a coordinate not below `p`, or not on the curve.
    #[error("invalid GOST public key")]
    InvalidPublicKey,
    /// The signature value is not `r || s` of the right length, or `r` or `s` is 0 or not
    /// below `q`.
    #[error("malformed GOST signature value")]
    MalformedSignature,
    /// The digest given to [`verify_digest`] does not have the algorithm's digest length.
    #[error("digest length does not match the GOST algorithm")]
    InvalidDigestLength,
    /// The signature does not match the message and key.
    #[error("GOST signature does not verify")]
    BadSignature,
}

/// A GOST signature algorithm as NCA RK uses it (curve + digest + byte conventions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GostAlgorithm {
    /// "GOST 34.10-2015 512" (NCA OID 1.2.398.3.10.1.1.2.3.2): GOST R 34.10-2012 on
    /// id-tc26-gost-3410-12-512-paramSetA, digest Streebog-512; 64-byte integers.
    Gost2015_512,
    /// "GOST 34.310-2004" (NCA OID 1.2.398.3.10.1.1.1.2): GOST R 34.10-2001 on the CryptoPro-A
    /// curve, digest GOST R 34.11-94 with the Test S-box; 32-byte integers.
    Gost2004,
}

impl GostAlgorithm {
    /// The algorithm of a signatureAlgorithm OID: 1.2.398.3.10.1.1.2.3.2 or
    /// 1.2.398.3.10.1.1.1.2, and also the GOST-2004 *public-key* OID 1.2.398.3.10.1.1.1.1,
    /// which old Kalkan CMS writes in SignerInfo.signatureAlgorithm. `None` for anything else.
    pub fn from_signature_oid(oid: Oid<'_>) -> Option<Self> {
        if oid == OID_GOST_2015_512_SIGNATURE {
            Some(Self::Gost2015_512)
        } else if oid == OID_GOST_2004_SIGNATURE || oid == OID_GOST_2004_PUBLIC_KEY {
            Some(Self::Gost2004)
        } else {
            None
        }
    }

    /// The algorithm of a SubjectPublicKeyInfo algorithm OID (1.2.398.3.10.1.1.2.2 or
    /// 1.2.398.3.10.1.1.1.1). Its parameters, when present, name the parameter set first:
    /// compare with [`public_key_param_set_oid`](Self::public_key_param_set_oid).
    pub fn from_public_key_oid(oid: Oid<'_>) -> Option<Self> {
        if oid == OID_GOST_2015_512_PUBLIC_KEY {
            Some(Self::Gost2015_512)
        } else if oid == OID_GOST_2004_PUBLIC_KEY {
            Some(Self::Gost2004)
        } else {
            None
        }
    }

    /// The signature algorithm OID.
    pub fn signature_oid(self) -> Oid<'static> {
        match self {
            Self::Gost2015_512 => OID_GOST_2015_512_SIGNATURE,
            Self::Gost2004 => OID_GOST_2004_SIGNATURE,
        }
    }

    /// The public-key algorithm OID.
    pub fn public_key_oid(self) -> Oid<'static> {
        match self {
            Self::Gost2015_512 => OID_GOST_2015_512_PUBLIC_KEY,
            Self::Gost2004 => OID_GOST_2004_PUBLIC_KEY,
        }
    }

    /// The parameter-set OID NCA writes first in the public key's algorithm parameters.
    pub fn public_key_param_set_oid(self) -> Oid<'static> {
        match self {
            Self::Gost2015_512 => OID_GOST_2015_512_PARAM_SET_A,
            Self::Gost2004 => OID_GOST_2004_PARAM_SET,
        }
    }

    /// The digest the signature is computed over.
    pub fn digest_algorithm(self) -> GostDigestAlgorithm {
        match self {
            Self::Gost2015_512 => GostDigestAlgorithm::Streebog512,
            Self::Gost2004 => GostDigestAlgorithm::Gost94Test,
        }
    }

    /// The length of a signature value `r || s` in bytes (128 or 64).
    pub fn signature_len(self) -> usize {
        2 * self.integer_len()
    }

    /// The length of the public key's BIT STRING contents (the OCTET STRING with its header)
    /// in bytes (131 or 66).
    pub fn public_key_len(self) -> usize {
        match self {
            Self::Gost2015_512 => 3 + 128,
            Self::Gost2004 => 2 + 64,
        }
    }

    fn integer_len(self) -> usize {
        match self {
            Self::Gost2015_512 => 64,
            Self::Gost2004 => 32,
        }
    }
}

/// A GOST hash function under its NCA digest OID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GostDigestAlgorithm {
    /// GOST R 34.11-2012 512 (Streebog-512), NCA OID 1.2.398.3.10.1.3.3.
    Streebog512,
    /// GOST R 34.11-2012 256 (Streebog-256), NCA OID 1.2.398.3.10.1.3.2.
    Streebog256,
    /// GOST R 34.11-94 with the Test S-box ("GOST 34.311-95"), NCA OID 1.2.398.3.10.1.3.1.
    Gost94Test,
}

impl GostDigestAlgorithm {
    /// The algorithm of a digest OID, `None` if it is not one of NCA's GOST digests.
    pub fn from_oid(oid: Oid<'_>) -> Option<Self> {
        if oid == OID_GOST_2015_512_DIGEST {
            Some(Self::Streebog512)
        } else if oid == OID_GOST_2015_256_DIGEST {
            Some(Self::Streebog256)
        } else if oid == OID_GOST_95_DIGEST {
            Some(Self::Gost94Test)
        } else {
            None
        }
    }

    /// The NCA digest OID.
    pub fn oid(self) -> Oid<'static> {
        match self {
            Self::Streebog512 => OID_GOST_2015_512_DIGEST,
            Self::Streebog256 => OID_GOST_2015_256_DIGEST,
            Self::Gost94Test => OID_GOST_95_DIGEST,
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Streebog512 => 64,
            Self::Streebog256 | Self::Gost94Test => 32,
        }
    }

    /// The digest of `data`, as the hash function outputs it (as stored in messageDigest).
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }

    /// The digest of the concatenation of `parts` (for example
    /// `SignedAttributes::bytes_to_verify_parts`), without copying them together.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Self::Streebog512 => run::<streebog::Streebog512>(parts),
            Self::Streebog256 => run::<streebog::Streebog256>(parts),
            Self::Gost94Test => run::<gost94::Gost94Test>(parts),
        }
    }
}

/// Verifies a GOST `signature` (`r_le || s_le`) over `message` with `public_key` (the
/// SubjectPublicKeyInfo's BIT STRING contents, i.e. the DER OCTET STRING holding
/// `X_le || Y_le`): hashes `message` with the algorithm's digest, then as [`verify_digest`].
pub fn verify(
    algorithm: GostAlgorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), GostError> {
    let digest = algorithm.digest_algorithm().digest(message);
    verify_digest(algorithm, public_key, &digest, signature)
}

/// Verifies a GOST `signature` over a precomputed `digest` (the hash output as is, 64 bytes
/// for [`GostAlgorithm::Gost2015_512`], 32 for [`GostAlgorithm::Gost2004`]). See [`verify`].
pub fn verify_digest(
    algorithm: GostAlgorithm,
    public_key: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<(), GostError> {
    if digest.len() != algorithm.digest_algorithm().output_len() {
        return Err(GostError::InvalidDigestLength);
    }
    match algorithm {
        GostAlgorithm::Gost2015_512 => {
            let key = verify::parse_public_key::<Tc26Gost512A, { crypto_bigint::U512::LIMBS }>(
                public_key,
            )?;
            verify::verify_digest(&key, digest, signature)
        }
        GostAlgorithm::Gost2004 => {
            let key =
                verify::parse_public_key::<CryptoProA, { crypto_bigint::U256::LIMBS }>(public_key)?;
            verify::verify_digest(&key, digest, signature)
        }
    }
}

/// A public key parsed, checked and prepared for verifying many signatures: it keeps
/// precomputed multiples of the key's point (about 4 KiB for a 512-bit key), with which a
/// verification takes about half the time of [`verify_digest`]. Worth it for a key that
/// verifies more than once or twice (a cache of certificates may keep one per certificate);
/// [`verify`] and [`verify_digest`] do not need it.
#[derive(Clone)]
pub struct PreparedKey {
    inner: PreparedInner,
}

#[derive(Clone)]
enum PreparedInner {
    Gost2015_512(point::PreparedPoint<Tc26Gost512A, { crypto_bigint::U512::LIMBS }>),
    Gost2004(point::PreparedPoint<CryptoProA, { crypto_bigint::U256::LIMBS }>),
}

impl core::fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreparedKey")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl PreparedKey {
    /// Parses and checks `public_key` (the BIT STRING contents, see [`verify`]) and precomputes
    /// its multiples (costs about one verification).
    pub fn new(algorithm: GostAlgorithm, public_key: &[u8]) -> Result<Self, GostError> {
        let inner = match algorithm {
            GostAlgorithm::Gost2015_512 => PreparedInner::Gost2015_512(point::PreparedPoint::new(
                &verify::parse_public_key(public_key)?,
            )),
            GostAlgorithm::Gost2004 => PreparedInner::Gost2004(point::PreparedPoint::new(
                &verify::parse_public_key(public_key)?,
            )),
        };
        Ok(Self { inner })
    }

    /// The algorithm the key is for.
    pub fn algorithm(&self) -> GostAlgorithm {
        match self.inner {
            PreparedInner::Gost2015_512(_) => GostAlgorithm::Gost2015_512,
            PreparedInner::Gost2004(_) => GostAlgorithm::Gost2004,
        }
    }

    /// As [`verify`] with this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), GostError> {
        let digest = self.algorithm().digest_algorithm().digest(message);
        self.verify_digest(&digest, signature)
    }

    /// As [`verify_digest`] with this key.
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> Result<(), GostError> {
        if digest.len() != self.algorithm().digest_algorithm().output_len() {
            return Err(GostError::InvalidDigestLength);
        }
        match &self.inner {
            PreparedInner::Gost2015_512(key) => {
                verify::verify_digest_prepared(key, digest, signature)
            }
            PreparedInner::Gost2004(key) => verify::verify_digest_prepared(key, digest, signature),
        }
    }
}

/// Checks that `public_key` (the BIT STRING contents, see [`verify`]) encodes a valid point of
/// the algorithm's curve, without verifying anything.
pub fn check_public_key(algorithm: GostAlgorithm, public_key: &[u8]) -> Result<(), GostError> {
    match algorithm {
        GostAlgorithm::Gost2015_512 => {
            verify::parse_public_key::<Tc26Gost512A, { crypto_bigint::U512::LIMBS }>(public_key)
                .map(drop)
        }
        GostAlgorithm::Gost2004 => {
            verify::parse_public_key::<CryptoProA, { crypto_bigint::U256::LIMBS }>(public_key)
                .map(drop)
        }
    }
}
