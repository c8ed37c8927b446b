//! Signature acceptance (ETSI EN 319 102-1 §5.2.8): which algorithms, key
//! sizes and key purposes a *document* signature may use.
//!
//! The default is the document-signing policy of `docs/nca-profile.md`
//! ("Key usage"): the signing certificate must allow
//! nonRepudiation; an authentication-only certificate (extendedKeyUsage
//! clientAuth without emailProtection) may not sign documents; SHA-1 and RSA
//! keys below 2048 bits are too weak. IIN/BIN check digits are not enforced by
//! default, because the NCA test certificates fail them. Operators override
//! any of this from a TOML file (`Policy::from_toml`).
//!
//! This layer only judges facts that earlier layers established (the resolved
//! algorithm from [`crate::crypto`], the identity from [`crate::identity`]);
//! whether a proof of existence predates an algorithm's weakness is the
//! engine's question.

use serde::{Deserialize, Serialize};

use crate::crypto::{DigestAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use crate::identity::{Identity, OwnershipOptions};
use crate::verdict::SubIndication;

/// The digest algorithms a policy can name, for parsing and listing.
const DIGESTS: [DigestAlgorithm; 8] = [
    DigestAlgorithm::Sha1,
    DigestAlgorithm::Sha224,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
    DigestAlgorithm::Streebog256,
    DigestAlgorithm::Streebog512,
    DigestAlgorithm::Gost94,
];

/// What a document signature must satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    /// The smallest RSA modulus accepted, in bits.
    pub min_rsa_bits: u32,
    /// Digest algorithms refused as too weak, by name (`SHA-1`) or dotted OID.
    pub weak_digests: Vec<String>,
    /// Whether the signing certificate's keyUsage, when present, must include nonRepudiation.
    pub require_non_repudiation: bool,
    /// Whether an authentication-only certificate may sign documents.
    pub allow_authentication_keys: bool,
    /// Whether IINs and BINs must pass their check digit.
    pub enforce_check_digits: bool,
    /// Whether CA certificates of the path (not only the signer's) need revocation status:
    /// without it a CA with no usable CRL is TRY_LATER; with it off, a warning. A CA listed
    /// as revoked fails either way.
    pub require_ca_revocation: bool,
    /// Where a certificate's revocation status is read, in order: the first source that
    /// gives `good` or `revoked` decides (`["ocsp", "crl"]`: an OCSP response when one can be
    /// believed, else the CRLs). A source left out is not asked.
    pub revocation_sources: Vec<RevocationSource>,
    /// Seconds an OCSP response's producedAt and thisUpdate may be after the validation time,
    /// and the validation time after its nextUpdate (clocks differ).
    pub ocsp_clock_skew: u32,
    /// When set, an OCSP response is used only up to this many seconds after its thisUpdate,
    /// whatever its nextUpdate; a response without nextUpdate is fresh this long (one day when
    /// not set).
    pub ocsp_max_age: Option<u32>,
}

/// A source of revocation status (`docs/verifier.md`, "OCSP").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RevocationSource {
    /// OCSP responses (RFC 6960): the caller's files and those the CMS carries (RFC 5940).
    Ocsp,
    /// CRLs (RFC 5280): the caller's and those the CMS carries.
    Crl,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_rsa_bits: 2048,
            weak_digests: vec!["SHA-1".into()],
            require_non_repudiation: true,
            allow_authentication_keys: false,
            enforce_check_digits: false,
            require_ca_revocation: true,
            revocation_sources: vec![RevocationSource::Ocsp, RevocationSource::Crl],
            ocsp_clock_skew: 300,
            ocsp_max_age: None,
        }
    }
}

/// Why a policy file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The file is not valid TOML, or names a setting that does not exist.
    #[error("invalid policy file: {0}")]
    Toml(String),
    /// A weak digest names no algorithm this engine knows.
    #[error("unknown digest algorithm {0:?} in weak-digests")]
    UnknownDigest(String),
    /// revocation-sources is empty or names a source twice.
    #[error(
        "revocation-sources must name each of \"ocsp\" and \"crl\" at most once, and one at least"
    )]
    RevocationSources,
}

/// Why a signature breaks the policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyViolation {
    /// The signature uses a digest the policy calls weak.
    #[error("{0} is too weak for document signatures")]
    WeakDigest(DigestAlgorithm),
    /// The RSA key is shorter than the policy's minimum.
    #[error("an RSA key of {bits} bits is too short (minimum {minimum})")]
    ShortRsaKey {
        /// The key's size.
        bits: u32,
        /// The policy's minimum.
        minimum: u32,
    },
    /// The certificate's keyUsage does not allow nonRepudiation.
    #[error("the signing certificate's key usage does not include nonRepudiation")]
    NoNonRepudiation,
    /// The certificate is an authentication key (clientAuth only).
    #[error("an authentication certificate (clientAuth only) may not sign documents")]
    AuthenticationKey,
}

impl PolicyViolation {
    /// The ETSI sub-indication, without a proof of existence that predates the weakness.
    pub fn sub_indication(&self) -> SubIndication {
        match self {
            Self::WeakDigest(_) | Self::ShortRsaKey { .. } => {
                SubIndication::CryptoConstraintsFailureNoPoe
            }
            Self::NoNonRepudiation | Self::AuthenticationKey => {
                SubIndication::SigConstraintsFailure
            }
        }
    }
}

impl Policy {
    /// Reads a policy from TOML; settings it does not name keep their defaults.
    ///
    /// ```toml
    /// min-rsa-bits = 3072
    /// weak-digests = ["SHA-1", "SHA-224"]
    /// enforce-check-digits = true
    /// require-ca-revocation = false
    /// revocation-sources = ["crl", "ocsp"]
    /// ocsp-clock-skew = 60
    /// ocsp-max-age = 86400
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let policy: Self = toml::from_str(text).map_err(|e| PolicyError::Toml(e.to_string()))?;
        for name in &policy.weak_digests {
            parse_digest(name).ok_or_else(|| PolicyError::UnknownDigest(name.clone()))?;
        }
        let sources = &policy.revocation_sources;
        let repeated = sources
            .iter()
            .enumerate()
            .any(|(i, s)| sources.get(..i).is_some_and(|before| before.contains(s)));
        if sources.is_empty() || repeated {
            return Err(PolicyError::RevocationSources);
        }
        Ok(policy)
    }

    /// The ownership options this policy implies.
    pub fn ownership(&self) -> OwnershipOptions {
        OwnershipOptions {
            enforce_check_digits: self.enforce_check_digits,
        }
    }

    /// Checks a signature's algorithm (of the signer, or of a certificate or CRL on its path).
    pub fn check_algorithm(&self, algorithm: &SignatureAlgorithm) -> Result<(), PolicyViolation> {
        if let Some(digest) = algorithm.digest
            && self.weak_digests.iter().any(|name| names(name, digest))
        {
            return Err(PolicyViolation::WeakDigest(digest));
        }
        if matches!(algorithm.key, KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss)
            && algorithm.key_bits < self.min_rsa_bits
        {
            return Err(PolicyViolation::ShortRsaKey {
                bits: algorithm.key_bits,
                minimum: self.min_rsa_bits,
            });
        }
        Ok(())
    }

    /// Checks that the signer's certificate may sign documents.
    pub fn check_signer(&self, identity: &Identity) -> Result<(), PolicyViolation> {
        if !self.allow_authentication_keys && identity.is_authentication_only() {
            return Err(PolicyViolation::AuthenticationKey);
        }
        if self.require_non_repudiation
            && identity
                .key_usage
                .as_ref()
                .is_some_and(|usage| !usage.non_repudiation)
        {
            return Err(PolicyViolation::NoNonRepudiation);
        }
        Ok(())
    }
}

/// A digest algorithm by its name (`SHA-1`, case-insensitive) or dotted OID.
fn parse_digest(name: &str) -> Option<DigestAlgorithm> {
    let name = name.trim();
    DIGESTS.into_iter().find(|d| names(name, *d))
}

/// Whether `name` (a name or a dotted OID) is `digest`, without allocating for a name.
fn names(name: &str, digest: DigestAlgorithm) -> bool {
    let name = name.trim();
    digest.name().eq_ignore_ascii_case(name)
        || (name.starts_with(|c: char| c.is_ascii_digit()) && digest.oid().to_string() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SignatureScheme;
    use crate::test_support::{fixtures, pki};

    fn identity(der: &[u8]) -> Identity {
        let certs = crate::decode_certificate_file(der).unwrap();
        Identity::from_der(&certs[0]).unwrap()
    }

    fn rsa(bits: u32, digest: DigestAlgorithm) -> SignatureAlgorithm {
        SignatureAlgorithm {
            scheme: SignatureScheme::RsaPkcs1v15,
            digest: Some(digest),
            key: KeyAlgorithm::Rsa,
            key_bits: bits,
        }
    }

    #[test]
    fn default_policy_accepts_nca_and_generated_signers() {
        let policy = Policy::default();
        for der in [
            fixtures::INDIVIDUAL_SIGNER,
            fixtures::LEGAL_SIGNER,
            pki::INDIVIDUAL,
            pki::HEAD,
            pki::EMPLOYEE,
        ] {
            assert_eq!(policy.check_signer(&identity(der)), Ok(()));
        }
        assert_eq!(
            policy.check_algorithm(&rsa(2048, DigestAlgorithm::Sha256)),
            Ok(())
        );
    }

    #[test]
    fn authentication_keys_may_not_sign_unless_allowed() {
        let auth = identity(pki::AUTH);
        assert!(auth.is_authentication_only());
        let violation = Policy::default().check_signer(&auth).unwrap_err();
        assert_eq!(violation, PolicyViolation::AuthenticationKey);
        assert_eq!(
            violation.sub_indication(),
            SubIndication::SigConstraintsFailure
        );
        let lenient = Policy {
            allow_authentication_keys: true,
            require_non_repudiation: false,
            ..Policy::default()
        };
        assert_eq!(lenient.check_signer(&auth), Ok(()));
    }

    #[test]
    fn weak_digests_and_short_rsa_keys_are_crypto_constraint_failures() {
        let policy = Policy::default();
        let weak = policy
            .check_algorithm(&rsa(2048, DigestAlgorithm::Sha1))
            .unwrap_err();
        assert_eq!(weak, PolicyViolation::WeakDigest(DigestAlgorithm::Sha1));
        assert_eq!(
            weak.sub_indication(),
            SubIndication::CryptoConstraintsFailureNoPoe
        );

        assert_eq!(
            policy.check_algorithm(&rsa(1024, DigestAlgorithm::Sha256)),
            Err(PolicyViolation::ShortRsaKey {
                bits: 1024,
                minimum: 2048
            })
        );
    }

    #[test]
    fn toml_overrides_keep_unnamed_defaults_and_refuse_unknowns() {
        let policy = Policy::from_toml(
            "min-rsa-bits = 3072\nweak-digests = [\"sha-1\", \"2.16.840.1.101.3.4.2.4\"]\n",
        )
        .unwrap();
        assert_eq!(policy.min_rsa_bits, 3072);
        assert!(
            policy.require_non_repudiation,
            "an unnamed setting keeps its default"
        );
        assert_eq!(
            policy.check_algorithm(&rsa(4096, DigestAlgorithm::Sha224)),
            Err(PolicyViolation::WeakDigest(DigestAlgorithm::Sha224))
        );

        assert!(matches!(
            Policy::from_toml("min-rsa-bit = 1"),
            Err(PolicyError::Toml(_))
        ));
        assert!(matches!(
            Policy::from_toml("min-rsa-bits = \"many\""),
            Err(PolicyError::Toml(_))
        ));
        assert_eq!(
            Policy::from_toml("weak-digests = [\"MD5\"]"),
            Err(PolicyError::UnknownDigest("MD5".into()))
        );
        assert_eq!(Policy::from_toml("").unwrap(), Policy::default());
    }

    #[test]
    fn revocation_sources_and_ocsp_tolerances() {
        let default = Policy::default();
        assert_eq!(
            default.revocation_sources,
            [RevocationSource::Ocsp, RevocationSource::Crl]
        );
        assert_eq!((default.ocsp_clock_skew, default.ocsp_max_age), (300, None));
        let policy = Policy::from_toml(
            "revocation-sources = [\"crl\"]\nocsp-clock-skew = 0\nocsp-max-age = 3600\n",
        )
        .unwrap();
        assert_eq!(policy.revocation_sources, [RevocationSource::Crl]);
        assert_eq!(
            (policy.ocsp_clock_skew, policy.ocsp_max_age),
            (0, Some(3600))
        );
        for bad in [
            "revocation-sources = []",
            "revocation-sources = [\"ocsp\", \"ocsp\"]",
            "revocation-sources = [\"ocsp\", \"crl\", \"crl\"]",
        ] {
            assert_eq!(
                Policy::from_toml(bad),
                Err(PolicyError::RevocationSources),
                "{bad}"
            );
        }
        assert!(matches!(
            Policy::from_toml("revocation-sources = [\"ldap\"]"),
            Err(PolicyError::Toml(_))
        ));
        // The server's configuration passes a policy through TOML and back.
        for policy in [default, policy] {
            let text = toml::to_string(&policy).unwrap();
            assert_eq!(Policy::from_toml(&text).unwrap(), policy);
        }
    }
}
