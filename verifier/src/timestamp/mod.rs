//! RFC 3161 time-stamp tokens as proof of existence: the signatureTimeStampToken unsigned
//! attribute (RFC 3161 Appendix A) that Kalkan/NCALayer attach to each SignerInfo.
//!
//! - [`TstInfo`]: the token's content, id-ct-TSTInfo (RFC 3161 §2.4.2), decoded with the
//!   crate's BER reader, keeping raw bytes;
//! - [`verify_signature_time_stamp`]: the token is a CMS SignedData (RFC 5652) with one
//!   SignerInfo, signed by the TSA certificate it names, bound to it by ESS
//!   signingCertificate or signingCertificateV2 (RFC 2634, RFC 5035; RFC 5816 allows V2 in
//!   tokens), whose messageImprint is the digest of the time-stamped signature value and whose
//!   certificate's key purpose is exactly id-kp-timeStamping (RFC 3161 §2.3);
//! - [`VerifiedTimeStamp::chain`]: the TSA certificate's path at genTime. Only a token whose
//!   chain is also built may serve as a proof of existence; otherwise (for example NCA's
//!   production TSA against the test anchors: `NO_CERTIFICATE_CHAIN_FOUND`) its genTime is
//!   information for the report and an INDETERMINATE verdict, not a proof.

mod error;
mod tst_info;
mod verify;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;

pub use error::TimeStampError;
pub use tst_info::{Accuracy, GenTime, MessageImprint, TstInfo};
pub use verify::{TimeStampNote, VerifiedTimeStamp, verify_signature_time_stamp};
