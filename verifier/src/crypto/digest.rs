//! Message digests: SHA-1 and SHA-2 (FIPS 180-4, identifiers RFC 3370 §2.1 and RFC 5754 §2) and
//! NCA's GOST digests (see [`crate::gost::GostDigestAlgorithm`]).

use std::fmt;

use crate::crypto::oids;
use crate::gost::GostDigestAlgorithm;
use crate::oid::Oid;

/// A hash function, as named by a CMS digestAlgorithm, an ESSCertIDv2 hashAlgorithm, or the
/// hash inside a signature algorithm.
///
/// This layer computes and names digests; whether one is strong enough (SHA-1 is not, for
/// new signatures) is for the policy layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1, `1.3.14.3.2.26` (RFC 3370 §2.1). Recognised so that it can be reported as weak.
    Sha1,
    /// SHA-224, `2.16.840.1.101.3.4.2.4` (RFC 5754 §2.1).
    Sha224,
    /// SHA-256, `2.16.840.1.101.3.4.2.1` (RFC 5754 §2.2).
    Sha256,
    /// SHA-384, `2.16.840.1.101.3.4.2.2` (RFC 5754 §2.3).
    Sha384,
    /// SHA-512, `2.16.840.1.101.3.4.2.3` (RFC 5754 §2.4).
    Sha512,
    /// GOST R 34.11-2012 256 (Streebog-256), NCA `1.2.398.3.10.1.3.2`.
    Streebog256,
    /// GOST R 34.11-2012 512 (Streebog-512), NCA `1.2.398.3.10.1.3.3`.
    Streebog512,
    /// GOST R 34.11-94 with the Test S-box ("GOST 34.311-95"), NCA `1.2.398.3.10.1.3.1`.
    Gost94,
}

impl DigestAlgorithm {
    /// The algorithm of a digest OID, `None` if this layer does not know it.
    pub fn from_oid(oid: Oid<'_>) -> Option<Self> {
        Some(if oid == oids::SHA1 {
            Self::Sha1
        } else if oid == oids::SHA224 {
            Self::Sha224
        } else if oid == oids::SHA256 {
            Self::Sha256
        } else if oid == oids::SHA384 {
            Self::Sha384
        } else if oid == oids::SHA512 {
            Self::Sha512
        } else {
            return GostDigestAlgorithm::from_oid(oid).map(Self::from);
        })
    }

    /// The OID.
    pub fn oid(self) -> Oid<'static> {
        match self {
            Self::Sha1 => oids::SHA1,
            Self::Sha224 => oids::SHA224,
            Self::Sha256 => oids::SHA256,
            Self::Sha384 => oids::SHA384,
            Self::Sha512 => oids::SHA512,
            Self::Streebog256 => GostDigestAlgorithm::Streebog256.oid(),
            Self::Streebog512 => GostDigestAlgorithm::Streebog512.oid(),
            Self::Gost94 => GostDigestAlgorithm::Gost94Test.oid(),
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 | Self::Streebog256 | Self::Gost94 => 32,
            Self::Sha384 => 48,
            Self::Sha512 | Self::Streebog512 => 64,
        }
    }

    /// The GOST digest, if this is one.
    pub fn gost(self) -> Option<GostDigestAlgorithm> {
        match self {
            Self::Streebog256 => Some(GostDigestAlgorithm::Streebog256),
            Self::Streebog512 => Some(GostDigestAlgorithm::Streebog512),
            Self::Gost94 => Some(GostDigestAlgorithm::Gost94Test),
            _ => None,
        }
    }

    /// The digest of `data`, as the hash function outputs it (as a CMS messageDigest or an
    /// ESS certHash stores it).
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        self.digest_parts(&[data])
    }

    /// The digest of the concatenation of `parts`, without copying them together.
    pub fn digest_parts(self, parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = self.hasher();
        for part in parts {
            hasher.update(part);
        }
        hasher.finish()
    }

    /// An incremental hasher, for content that arrives in pieces (a vault's chunks).
    pub fn hasher(self) -> Hasher {
        use sha2::Digest as _;
        let state = match self {
            Self::Sha1 => State::Ring(ring::digest::Context::new(
                &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            )),
            Self::Sha224 => State::Sha224(sha2::Sha224::new()),
            Self::Sha256 => State::Ring(ring::digest::Context::new(&ring::digest::SHA256)),
            Self::Sha384 => State::Ring(ring::digest::Context::new(&ring::digest::SHA384)),
            Self::Sha512 => State::Ring(ring::digest::Context::new(&ring::digest::SHA512)),
            Self::Streebog256 => State::Streebog256(streebog::Streebog256::new()),
            Self::Streebog512 => State::Streebog512(streebog::Streebog512::new()),
            Self::Gost94 => State::Gost94(gost94::Gost94Test::new()),
        };
        Hasher {
            algorithm: self,
            state,
        }
    }
}

impl From<GostDigestAlgorithm> for DigestAlgorithm {
    fn from(gost: GostDigestAlgorithm) -> Self {
        match gost {
            GostDigestAlgorithm::Streebog256 => Self::Streebog256,
            GostDigestAlgorithm::Streebog512 => Self::Streebog512,
            GostDigestAlgorithm::Gost94Test => Self::Gost94,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl DigestAlgorithm {
    /// The usual name, e.g. `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Streebog256 => "GOST R 34.11-2012 256",
            Self::Streebog512 => "GOST R 34.11-2012 512",
            Self::Gost94 => "GOST R 34.11-94",
        }
    }
}

/// An incremental digest computation ([`DigestAlgorithm::hasher`]).
#[derive(Clone)]
pub struct Hasher {
    algorithm: DigestAlgorithm,
    state: State,
}

#[derive(Clone)]
enum State {
    Ring(ring::digest::Context),
    Sha224(sha2::Sha224),
    Streebog256(streebog::Streebog256),
    Streebog512(streebog::Streebog512),
    Gost94(gost94::Gost94Test),
}

impl Hasher {
    /// The algorithm being computed.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// Feeds `data`.
    pub fn update(&mut self, data: &[u8]) {
        use sha2::Digest as _;
        match &mut self.state {
            State::Ring(context) => context.update(data),
            State::Sha224(hasher) => hasher.update(data),
            State::Streebog256(hasher) => hasher.update(data),
            State::Streebog512(hasher) => hasher.update(data),
            State::Gost94(hasher) => hasher.update(data),
        }
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Vec<u8> {
        use sha2::Digest as _;
        match self.state {
            State::Ring(context) => context.finish().as_ref().to_vec(),
            State::Sha224(hasher) => hasher.finalize().to_vec(),
            State::Streebog256(hasher) => hasher.finalize().to_vec(),
            State::Streebog512(hasher) => hasher.finalize().to_vec(),
            State::Gost94(hasher) => hasher.finalize().to_vec(),
        }
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}
