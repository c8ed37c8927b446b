//! Qoima's signature verification engine for CMS (PKCS#7) signatures made with NCA RK
//! certificates.
//!
//! The layers, each on top of the previous:
//!
//! - [`input`] turns what users hand in (DER, BER, PEM with any label, or the bare base64 text
//!   NCALayer returns) into binary CMS, and certificate/CRL files (DER or PEM, several per
//!   file) into DER objects;
//! - [`cms`] parses a ContentInfo/SignedData (RFC 5652) zero-copy from DER or BER, keeping the
//!   original bytes of everything a verifier hashes;
//! - [`ber`] is the BER reader underneath, [`oid`] and [`time`] its value types;
//! - [`gost`] verifies GOST 34.10 signatures natively, [`crypto`] resolves any signature
//!   algorithm (ring's and GOST) and checks one SignerInfo's digest and signature;
//! - [`identity`] reads who signed from an NCA certificate and checks ownership;
//! - [`path`] builds and validates certification paths, [`revocation`] reads CRLs,
//!   [`timestamp`] verifies RFC 3161 tokens, [`policy`] says what a document signature may
//!   use;
//! - [`verdict`] holds the ETSI EN 319 102-1 indications a validation ends in;
//! - [`engine`] runs them all: a [`Verifier`] turns a [`Request`] into a [`Report`].
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let text = include_bytes!("../testdata/skarm_kalkan/examples/test_CMS_GOST.txt");
//! let decoded = qoima_verifier::decode_cms(text)?;
//! let signed_data = qoima_verifier::parse_signed_data(&decoded.bytes)?;
//! for signer in &signed_data.signer_infos {
//!     if let Some(attrs) = &signer.signed_attrs {
//!         let _message = attrs.bytes_to_verify(); // what the signature covers
//!         assert_eq!(attrs.message_digest.len(), 32);
//!     }
//! }
//! # Ok(())
//! # }
//! ```

pub mod ber;
pub mod cms;
pub mod crypto;
pub mod engine;
pub mod fuzzing;
pub mod gost;
pub mod identity;
pub mod input;
pub mod oid;
pub mod path;
pub mod policy;
pub mod revocation;
mod signed;
pub mod time;
pub mod timestamp;
pub mod verdict;

#[cfg(test)]
mod test_support;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;

pub use cms::{CmsError, SignedData, parse_signed_data};
pub use engine::{Budget, Data, Report, Request, RequestError, Verifier};
pub use input::{
    DecodedCms, InputError, InputFormat, decode_certificate_file, decode_cms, decode_crl_file,
};
