//! Ownership: does a signer's [`Identity`] match who the caller says sent the document
//! (authorship, order 670 §36: `docs/rules.md`; `--expect-iin` / `--expect-bin`:
//! `docs/verify-contract.md`; a mismatch is the `NOT_OWNER` sub-indication).
//!
//! This module judges **one** identity. The rule across several signers (the expectations are
//! met when at least one signer matches all of them; co-signers may be others) belongs to the
//! engine that calls [`check`] for each signer.

use super::extract::Identity;
use super::number::{NumberError, parse_digits, validate_check_digit};
use super::roles::Role;

/// Who the caller expects the signer to be. Every given field must match; an empty
/// expectation is met by any identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Expectation {
    /// The signer's IIN: exactly 12 ASCII digits (no `IIN` prefix, no spaces).
    pub iin: Option<String>,
    /// The legal entity's BIN: exactly 12 ASCII digits (no `BIN` prefix, no spaces).
    pub bin: Option<String>,
    /// Roles the certificate's extendedKeyUsage must all list.
    pub roles: Vec<Role>,
}

impl Expectation {
    /// Whether nothing is expected (every identity meets it).
    pub fn is_empty(&self) -> bool {
        self.iin.is_none() && self.bin.is_none() && self.roles.is_empty()
    }

    /// Checks the caller's own values: an IIN and a BIN are 12 digits (with a valid check
    /// digit under [`OwnershipOptions::enforce_check_digits`]). A failure is a caller error
    /// ([`OwnershipMismatch::is_caller_error`]).
    pub fn validate(&self, options: &OwnershipOptions) -> Result<(), OwnershipMismatch> {
        let validate = |value: &str| {
            if options.enforce_check_digits {
                validate_check_digit(value)
            } else {
                parse_digits(value).map(drop)
            }
        };
        if let Some(value) = &self.iin {
            validate(value).map_err(|reason| OwnershipMismatch::InvalidExpectedIin {
                value: value.clone(),
                reason,
            })?;
        }
        if let Some(value) = &self.bin {
            validate(value).map_err(|reason| OwnershipMismatch::InvalidExpectedBin {
                value: value.clone(),
                reason,
            })?;
        }
        Ok(())
    }
}

/// How strictly numbers are judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnershipOptions {
    /// Require valid IIN/BIN check digits: in the expectation, and in every IIN/BIN the
    /// certificate carries. Off by default: the NCA test certificates fail the check
    /// (`docs/nca-profile.md`, "IIN and BIN").
    pub enforce_check_digits: bool,
}

/// Why an identity does not meet an expectation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OwnershipMismatch {
    /// The caller's expected IIN is not a valid IIN: a caller error, not a verdict.
    #[error("the expected IIN {value:?} is invalid: {reason}")]
    InvalidExpectedIin {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: NumberError,
    },
    /// The caller's expected BIN is not a valid BIN: a caller error, not a verdict.
    #[error("the expected BIN {value:?} is invalid: {reason}")]
    InvalidExpectedBin {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: NumberError,
    },
    /// The certificate's IIN fails the check digit (only with enforcement on).
    #[error("the certificate's IIN {actual} is invalid: {reason}")]
    MalformedIin {
        /// The certificate's IIN.
        actual: String,
        /// What is wrong with it.
        reason: NumberError,
    },
    /// The certificate's BIN fails the check digit (only with enforcement on).
    #[error("the certificate's BIN {actual} is invalid: {reason}")]
    MalformedBin {
        /// The certificate's BIN.
        actual: String,
        /// What is wrong with it.
        reason: NumberError,
    },
    /// An IIN is expected and the certificate has none.
    #[error("expected IIN {expected}, the certificate has no IIN")]
    MissingIin {
        /// The expected IIN.
        expected: String,
    },
    /// A BIN is expected and the certificate has none.
    #[error("expected BIN {expected}, the certificate has no BIN")]
    MissingBin {
        /// The expected BIN.
        expected: String,
    },
    /// The certificate's IIN is another one.
    #[error("expected IIN {expected}, the certificate's IIN is {actual}")]
    IinDiffers {
        /// The expected IIN.
        expected: String,
        /// The certificate's IIN.
        actual: String,
    },
    /// The certificate's BIN is another one.
    #[error("expected BIN {expected}, the certificate's BIN is {actual}")]
    BinDiffers {
        /// The expected BIN.
        expected: String,
        /// The certificate's BIN.
        actual: String,
    },
    /// The certificate's extendedKeyUsage does not list an expected role.
    #[error("the certificate lacks the expected role {role}")]
    RoleMissing {
        /// The role missing.
        role: Role,
    },
}

impl OwnershipMismatch {
    /// Whether the caller's expectation itself is invalid (bad usage, not `NOT_OWNER`).
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            Self::InvalidExpectedIin { .. } | Self::InvalidExpectedBin { .. }
        )
    }
}

/// Checks `identity` against `expectation`; the first mismatch found is returned.
///
/// Order: the caller's values are validated first (so a bad expectation is always reported as
/// such), then, with [`OwnershipOptions::enforce_check_digits`], the certificate's IIN and
/// BIN, then the IIN, the BIN and the roles. Numbers compare as exact 12-digit strings.
pub fn check(
    identity: &Identity,
    expectation: &Expectation,
    options: &OwnershipOptions,
) -> Result<(), OwnershipMismatch> {
    expectation.validate(options)?;
    if options.enforce_check_digits {
        check_numbers(identity)?;
    }
    if let Some(expected) = &expectation.iin {
        match &identity.iin {
            None => {
                return Err(OwnershipMismatch::MissingIin {
                    expected: expected.clone(),
                });
            }
            Some(actual) if actual != expected => {
                return Err(OwnershipMismatch::IinDiffers {
                    expected: expected.clone(),
                    actual: actual.clone(),
                });
            }
            Some(_) => {}
        }
    }
    if let Some(expected) = &expectation.bin {
        match &identity.bin {
            None => {
                return Err(OwnershipMismatch::MissingBin {
                    expected: expected.clone(),
                });
            }
            Some(actual) if actual != expected => {
                return Err(OwnershipMismatch::BinDiffers {
                    expected: expected.clone(),
                    actual: actual.clone(),
                });
            }
            Some(_) => {}
        }
    }
    match expectation
        .roles
        .iter()
        .find(|role| !identity.has_role(role))
    {
        Some(role) => Err(OwnershipMismatch::RoleMissing { role: role.clone() }),
        None => Ok(()),
    }
}

/// Checks the check digit of every IIN and BIN the identity carries.
pub fn check_numbers(identity: &Identity) -> Result<(), OwnershipMismatch> {
    if let Some(actual) = &identity.iin {
        validate_check_digit(actual).map_err(|reason| OwnershipMismatch::MalformedIin {
            actual: actual.clone(),
            reason,
        })?;
    }
    if let Some(actual) = &identity.bin {
        validate_check_digit(actual).map_err(|reason| OwnershipMismatch::MalformedBin {
            actual: actual.clone(),
            reason,
        })?;
    }
    Ok(())
}
