//! Who signed: the signer's identity as the NCA RK profile defines it, and the ownership check
//! against who the caller expects (`docs/nca-profile.md`, "Who signed" and "Roles"; the
//! pipeline's ownership step, `docs/verifier.md`; `--expect-iin` / `--expect-bin`,
//! `docs/verify-contract.md`).
//!
//! - [`Identity::from_certificate`] reads the subject DN (RFC 5280 §4.1.2.6) — CN, SURNAME,
//!   GIVENNAME (the **patronymic**), the IIN from SERIALNUMBER, O, the BIN from OU, C, L, ST,
//!   E, UID — and the extensions that say what the key is for: extendedKeyUsage (§4.2.1.12,
//!   where NCA puts the [`Role`]s), keyUsage (§4.2.1.3) and certificatePolicies (§4.2.1.4).
//! - [`number`] holds the IIN/BIN check digit, as pure functions.
//! - [`check`] compares one identity with an [`Expectation`]; a mismatch is the `NOT_OWNER`
//!   sub-indication, except [`OwnershipMismatch::is_caller_error`] ones (bad usage). With
//!   several signers, the engine applies the rule "at least one signer matches every given
//!   field" by calling [`check`] for each; that rule is not here.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use qoima_verifier::identity::{Expectation, Identity, OwnershipOptions, Role, SubjectKind, check};
//!
//! let text = include_bytes!("../../testdata/skarm_kalkan/cms/legal_entity_signer.cer");
//! let der = qoima_verifier::decode_certificate_file(text)?;
//! let identity = Identity::from_der(&der[0])?;
//! assert_eq!(identity.kind, SubjectKind::LegalEntityEmployee);
//! assert_eq!(identity.iin.as_deref(), Some("123456789011"));
//! assert_eq!(identity.bin.as_deref(), Some("123456789021"));
//!
//! let expectation = Expectation {
//!     bin: Some("123456789021".into()),
//!     roles: vec![Role::FirstHead],
//!     ..Expectation::default()
//! };
//! check(&identity, &expectation, &OwnershipOptions::default())?;
//! // The NCA test numbers fail the check digit, so enforcing it refuses them.
//! let strict = OwnershipOptions { enforce_check_digits: true };
//! assert!(check(&identity, &expectation, &strict).is_err());
//! # Ok(())
//! # }
//! ```

mod error;
mod extensions;
mod extract;
pub mod number;
mod ownership;
pub mod roles;
pub mod strings;
mod subject;

pub use error::{IdentityError, IdentityNote};
pub use extensions::KeyUsageBits;
pub use extract::{Identity, SubjectKind};
pub use number::NumberError;
pub use ownership::{Expectation, OwnershipMismatch, OwnershipOptions, check, check_numbers};
pub use roles::Role;
pub use subject::{DnAttribute, first_name_from_common_name};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests;
