//! Verdicts in the vocabulary of ETSI EN 319 102-1 (§5.1.3, tables 5 and 6),
//! plus this project's `NOT_OWNER`.
//!
//! A verdict is a main indication and, unless it passed, one sub-indication.
//! The sub-indication decides the main indication, so a verdict is built from
//! the sub-indication alone and cannot be inconsistent.

use std::fmt;

use serde::Serialize;

/// The main status of a validation (EN 319 102-1 §5.1.3, table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// The available information does not allow a conclusion either way.
    Indeterminate,
    /// The signature is not valid, and more information would not change that.
    TotalFailed,
}

/// Why a validation did not pass (EN 319 102-1 §5.1.3, tables 5 and 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The signature is not in a format this engine can process.
    FormatFailure,
    /// The signed content does not hash to the signed digest.
    HashFailure,
    /// The signature value does not verify with the signer's public key.
    SigCryptoFailure,
    /// The signing certificate was revoked before the best-signature-time.
    Revoked,
    /// The signing certificate expired before the best-signature-time.
    Expired,
    /// The best-signature-time is before the signing certificate's validity.
    NotYetValid,
    /// The signer's certificate or the signed attributes break the policy (key usage, EKU).
    SigConstraintsFailure,
    /// A certificate of the chain breaks the chain constraints (CA flag, path length, extensions).
    ChainConstraintsFailure,
    /// The chain could not be validated for another reason.
    CertificateChainGeneralFailure,
    /// An algorithm or key size is below the policy's requirements.
    CryptoConstraintsFailure,
    /// As `CRYPTO_CONSTRAINTS_FAILURE`, and no proof of existence from before it became weak.
    CryptoConstraintsFailureNoPoe,
    /// The signing certificate is not in the signature nor among the given certificates.
    NoSigningCertificateFound,
    /// No chain from the signing certificate to a trust anchor.
    NoCertificateChainFound,
    /// The signing certificate is revoked and no proof of existence predates the revocation.
    RevokedNoPoe,
    /// A CA certificate of the chain is revoked and no proof of existence predates it.
    RevokedCaNoPoe,
    /// The signing certificate expired and no proof of existence predates the expiry.
    OutOfBoundsNoPoe,
    /// The signing certificate expired, is not known to be revoked, and no proof of existence predates the expiry.
    OutOfBoundsNotRevoked,
    /// No usable revocation information yet (missing or stale CRL): try again later.
    TryLater,
    /// The signed content is needed and was not given.
    SignedDataNotFound,
    /// The signer is valid but is not the expected person or organisation (Qoima's own).
    NotOwner,
}

impl SubIndication {
    /// Every sub-indication, in the order of the ETSI tables.
    pub const ALL: [SubIndication; 20] = {
        use SubIndication::*;
        [
            FormatFailure,
            HashFailure,
            SigCryptoFailure,
            Revoked,
            Expired,
            NotYetValid,
            SigConstraintsFailure,
            ChainConstraintsFailure,
            CertificateChainGeneralFailure,
            CryptoConstraintsFailure,
            CryptoConstraintsFailureNoPoe,
            NoSigningCertificateFound,
            NoCertificateChainFound,
            RevokedNoPoe,
            RevokedCaNoPoe,
            OutOfBoundsNoPoe,
            OutOfBoundsNotRevoked,
            TryLater,
            SignedDataNotFound,
            NotOwner,
        ]
    };

    /// The main indication this sub-indication belongs to.
    pub fn indication(self) -> Indication {
        use SubIndication::*;
        match self {
            FormatFailure | HashFailure | SigCryptoFailure | Revoked | Expired | NotYetValid
            | NotOwner => Indication::TotalFailed,
            SigConstraintsFailure
            | ChainConstraintsFailure
            | CertificateChainGeneralFailure
            | CryptoConstraintsFailure
            | CryptoConstraintsFailureNoPoe
            | NoSigningCertificateFound
            | NoCertificateChainFound
            | RevokedNoPoe
            | RevokedCaNoPoe
            | OutOfBoundsNoPoe
            | OutOfBoundsNotRevoked
            | TryLater
            | SignedDataNotFound => Indication::Indeterminate,
        }
    }

    /// The name ETSI gives it, e.g. `SIG_CRYPTO_FAILURE`.
    pub fn as_str(self) -> &'static str {
        use SubIndication::*;
        match self {
            FormatFailure => "FORMAT_FAILURE",
            HashFailure => "HASH_FAILURE",
            SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Revoked => "REVOKED",
            Expired => "EXPIRED",
            NotYetValid => "NOT_YET_VALID",
            SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            RevokedNoPoe => "REVOKED_NO_POE",
            RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            OutOfBoundsNotRevoked => "OUT_OF_BOUNDS_NOT_REVOKED",
            TryLater => "TRY_LATER",
            SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            NotOwner => "NOT_OWNER",
        }
    }
}

impl Indication {
    /// The name ETSI gives it, e.g. `TOTAL_PASSED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TotalPassed => "TOTAL_PASSED",
            Self::Indeterminate => "INDETERMINATE",
            Self::TotalFailed => "TOTAL_FAILED",
        }
    }
}

/// An indication with its sub-indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// The main indication.
    pub indication: Indication,
    /// Why it did not pass; `None` exactly when it passed.
    pub sub_indication: Option<SubIndication>,
}

impl Verdict {
    /// `TOTAL_PASSED`.
    pub const PASSED: Self = Self {
        indication: Indication::TotalPassed,
        sub_indication: None,
    };

    /// The verdict a sub-indication stands for.
    pub fn failed(sub: SubIndication) -> Self {
        Self {
            indication: sub.indication(),
            sub_indication: Some(sub),
        }
    }

    /// The worse of two verdicts: `TOTAL_FAILED` over `INDETERMINATE` over
    /// `TOTAL_PASSED`; between equals, the first (the earlier signer's reason).
    pub fn worst(self, other: Self) -> Self {
        if other.indication > self.indication {
            other
        } else {
            self
        }
    }

    /// Whether it is `TOTAL_PASSED`.
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.indication.as_str())?;
        if let Some(sub) = self.sub_indication {
            write!(f, " / {}", sub.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_the_etsi_names() {
        let v = Verdict::failed(SubIndication::SigCryptoFailure);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"indication":"TOTAL_FAILED","subIndication":"SIG_CRYPTO_FAILURE"}"#
        );
        assert_eq!(
            serde_json::to_string(&Verdict::PASSED).unwrap(),
            r#"{"indication":"TOTAL_PASSED","subIndication":null}"#
        );
        // The serde names and as_str agree for every sub-indication.
        for sub in SubIndication::ALL {
            assert_eq!(
                serde_json::to_string(&sub).unwrap(),
                format!("\"{}\"", sub.as_str())
            );
        }
    }

    #[test]
    fn the_worst_signer_decides() {
        let passed = Verdict::PASSED;
        let try_later = Verdict::failed(SubIndication::TryLater);
        let revoked = Verdict::failed(SubIndication::Revoked);
        assert_eq!(passed.worst(try_later), try_later);
        assert_eq!(try_later.worst(revoked), revoked);
        assert_eq!(revoked.worst(try_later), revoked);
        assert_eq!(passed.worst(passed), passed);
        let hash = Verdict::failed(SubIndication::HashFailure);
        assert_eq!(revoked.worst(hash), revoked, "ties keep the first reason");
    }

    #[test]
    fn not_owner_is_a_total_failure() {
        assert_eq!(
            SubIndication::NotOwner.indication(),
            Indication::TotalFailed
        );
        assert_eq!(
            Verdict::failed(SubIndication::NotOwner).to_string(),
            "TOTAL_FAILED / NOT_OWNER"
        );
    }
}
