//! SHA-256 identifiers: the address of a whole content and the id of one chunk.
//!
//! Both are the SHA-256 of bytes, but of different bytes, so they are distinct
//! types: a chunk id can never be passed where a content address is meant.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Error returned when text is not a SHA-256 in hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {0:?}: expected 64 hexadecimal digits of a SHA-256")]
pub struct ParseAddressError(String);

macro_rules! sha256_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, bincode::Encode, bincode::Decode)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The SHA-256 of `bytes`.
            pub fn of(bytes: &[u8]) -> Self {
                Self(Sha256::digest(bytes).into())
            }

            /// The raw digest.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Reads the identifier back from its raw 32-byte form (a storage key).
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                bytes.try_into().ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = ParseAddressError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out).map_err(|_| ParseAddressError(s.to_owned()))?;
                Ok(Self(out))
            }
        }
    };
}

sha256_id!(
    /// The address of a stored content: the SHA-256 of its exact bytes, which is
    /// also what a SHA-256 CMS signature's messageDigest attribute holds.
    ContentAddress
);

sha256_id!(
    /// The key of one stored chunk: the SHA-256 of the chunk's uncompressed bytes.
    ChunkId
);

/// `N` bytes from exactly `2N` lowercase hex digits, the one spelling of an id that comes in a
/// URL, a token or a command line (no uppercase, sign or separator: nothing else, such as
/// `../`, gets through).
pub fn decode_lower_hex<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_content_has_the_well_known_sha256() {
        assert_eq!(
            ContentAddress::of(b"").to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parses_its_own_display_in_either_case() {
        let a = ContentAddress::of(b"abc");
        assert_eq!(a.to_string().parse::<ContentAddress>(), Ok(a));
        assert_eq!(
            a.to_string().to_uppercase().parse::<ContentAddress>(),
            Ok(a)
        );
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        assert!("abc".parse::<ContentAddress>().is_err());
        assert!("zz".repeat(32).parse::<ContentAddress>().is_err());
        assert!("00".repeat(33).parse::<ContentAddress>().is_err());
    }
}
