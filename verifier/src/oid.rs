//! OBJECT IDENTIFIER values (X.690 §8.19) borrowed from the input, and the OIDs this crate
//! recognises.

use std::borrow::Cow;
use std::fmt;

/// An OBJECT IDENTIFIER, as the content octets of its BER encoding (X.690 §8.19).
///
/// Values parsed from input are validated: non-empty, every sub-identifier minimally encoded
/// and terminated, none larger than 128 bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Oid<'a>(&'a [u8]);

impl<'a> Oid<'a> {
    /// Wraps content octets known to be valid (for constants; see the tests of this module).
    pub(crate) const fn from_content_unchecked(content: &'a [u8]) -> Self {
        Self(content)
    }

    /// Validates and wraps the content octets of an OBJECT IDENTIFIER encoding.
    pub fn from_content(content: &'a [u8]) -> Option<Self> {
        arcs(content).try_for_each(|arc| arc.map(drop))?;
        if content.is_empty() {
            return None;
        }
        Some(Self(content))
    }

    /// The content octets (without tag and length).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The same OID as the type x509-parser uses, for comparisons with its `oid_registry`.
    pub fn to_x509_oid(&self) -> x509_parser::der_parser::oid::Oid<'a> {
        x509_parser::der_parser::oid::Oid::new(Cow::Borrowed(self.0))
    }
}

/// The sub-identifiers of `content`, each `None` when malformed (X.690 §8.19.2).
fn arcs(content: &[u8]) -> impl Iterator<Item = Option<u128>> + '_ {
    let mut rest = content;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.first() == Some(&0x80) {
            rest = &[];
            return Some(None);
        }
        let mut value: u128 = 0;
        while let Some((&b, tail)) = rest.split_first() {
            rest = tail;
            if value > (u128::MAX >> 7) {
                rest = &[];
                return Some(None);
            }
            value = (value << 7) | u128::from(b & 0x7f);
            if b & 0x80 == 0 {
                return Some(Some(value));
            }
        }
        // The last octet still had its continuation bit set.
        Some(None)
    })
}

impl fmt::Display for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arc) in arcs(self.0).enumerate() {
            let Some(arc) = arc else {
                return f.write_str(".<invalid>");
            };
            if i == 0 {
                let (first, second) = match arc {
                    0..40 => (0, arc),
                    40..80 => (1, arc - 40),
                    _ => (2, arc - 80),
                };
                write!(f, "{first}.{second}")?;
            } else {
                write!(f, ".{arc}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Declares OID constants from their content bytes, with the dotted form in
/// the docs and, for tests, an `ALL` table that checks bytes against text.
macro_rules! oids {
    ($($(#[$doc:meta])* $name:ident = $dotted:literal [$($byte:literal),+];)+) => {
        $(
            $(#[$doc])*
            #[doc = concat!("`", $dotted, "`")]
            pub const $name: $crate::oid::Oid<'static> =
                $crate::oid::Oid::from_content_unchecked(&[$($byte),+]);
        )+

        /// Every constant of this module with its dotted form (checked by the tests).
        #[cfg(test)]
        pub(crate) const ALL: &[($crate::oid::Oid<'static>, &str)] = &[$(($name, $dotted)),+];
    };
}
pub(crate) use oids;

oids! {
    /// id-data (RFC 5652 §4):
    ID_DATA = "1.2.840.113549.1.7.1" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    /// id-signedData (RFC 5652 §5.1):
    ID_SIGNED_DATA = "1.2.840.113549.1.7.2" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    /// id-contentType (RFC 5652 §11.1):
    ID_CONTENT_TYPE = "1.2.840.113549.1.9.3" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
    /// id-messageDigest (RFC 5652 §11.2):
    ID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
    /// id-signingTime (RFC 5652 §11.3):
    ID_SIGNING_TIME = "1.2.840.113549.1.9.5" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];
    /// id-countersignature (RFC 5652 §11.4):
    ID_COUNTERSIGNATURE = "1.2.840.113549.1.9.6" [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x06];
    /// id-aa-signingCertificate (RFC 2634 §5.4):
    ID_AA_SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0c];
    /// id-aa-signatureTimeStampToken (RFC 3161 appendix A):
    ID_AA_SIGNATURE_TIME_STAMP_TOKEN = "1.2.840.113549.1.9.16.2.14"
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e];
    /// id-aa-signingCertificateV2 (RFC 5035 §3):
    ID_AA_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f];
    /// id-ct-TSTInfo (RFC 3161 §2.4.2):
    ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4"
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04];
    /// id-sha1 (RFC 3370 §2.1), the hash of an ESS `ESSCertID`:
    ID_SHA1 = "1.3.14.3.2.26" [0x2b, 0x0e, 0x03, 0x02, 0x1a];
    /// id-sha256 (RFC 5754 §2.2), the default hash of an ESS `ESSCertIDv2`:
    ID_SHA256 = "2.16.840.1.101.3.4.2.1" [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    #[test]
    fn constants_match_their_dotted_form_and_are_valid() {
        for (oid, dotted) in ALL {
            assert_eq!(oid.to_string(), *dotted);
            assert_eq!(Oid::from_content(oid.as_bytes()), Some(*oid));
        }
    }

    #[test]
    fn validation() {
        assert_eq!(Oid::from_content(&[]), None);
        // Continuation bit on the last octet.
        assert_eq!(Oid::from_content(&[0x2a, 0x86]), None);
        // Leading 0x80 in a sub-identifier.
        assert_eq!(Oid::from_content(&[0x2a, 0x80, 0x01]), None);
        // 2.999 (first sub-identifier above 80).
        let oid = Oid::from_content(&[0x88, 0x37]).unwrap();
        assert_eq!(oid.to_string(), "2.999");
        // A sub-identifier above 128 bits.
        let mut big = vec![0x2a];
        big.extend(std::iter::repeat_n(0xffu8, 19));
        big.push(0x7f);
        assert_eq!(Oid::from_content(&big), None);
    }

    #[test]
    fn interoperates_with_x509_parser() {
        assert_eq!(
            ID_SIGNED_DATA.to_x509_oid(),
            x509_parser::oid_registry::OID_PKCS7_ID_SIGNED_DATA
        );
    }
}
