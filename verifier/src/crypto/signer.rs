//! The cryptographic check of one CMS SignerInfo (RFC 5652 §5.4, §5.6; ESS RFC 2634 §5.4,
//! RFC 5035 §3).

use x509_parser::certificate::X509Certificate;

use crate::cms::{IssuerSerial, SignedAttributes, SignedData, SignerInfo};
use crate::crypto::algorithm::resolve_key;
use crate::crypto::digest::DigestAlgorithm;
use crate::crypto::key::PublicKeyInfo;
use crate::crypto::signature::{verify_signature, verify_signature_digest};
use crate::crypto::types::SignatureAlgorithm;
use crate::crypto::{CryptoError, SignerCryptoError};

/// The signed content, as the caller has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content<'c> {
    /// The eContent carried inside the SignedData (the OCTET STRING's value).
    Attached(&'c [u8]),
    /// The content of a detached signature, supplied from elsewhere.
    Detached(&'c [u8]),
    /// Only the content's digest is known (a vault knows the SHA-256 of what it stores).
    /// Enough when there are signed attributes and `algorithm` is the SignerInfo's
    /// digestAlgorithm, or without signed attributes for a GOST signature over that digest.
    Digest {
        /// The hash function `value` was computed with.
        algorithm: DigestAlgorithm,
        /// The digest of the content.
        value: &'c [u8],
    },
    /// Detached signature, no content supplied.
    Missing,
}

impl<'c> Content<'c> {
    /// The content of `signed_data`: its eContent when present, else `detached`, else
    /// [`Content::Missing`].
    pub fn of(signed_data: &'c SignedData<'_>, detached: Option<&'c [u8]>) -> Self {
        match (&signed_data.encap_content_info.e_content, detached) {
            (Some(content), _) => Self::Attached(content),
            (None, Some(content)) => Self::Detached(content),
            (None, None) => Self::Missing,
        }
    }
}

/// Which ESS signing-certificate attributes were present and matched the certificate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SigningCertificateBinding {
    /// signingCertificate (RFC 2634 §5.4, SHA-1 certHash) was present and matched.
    pub v1: bool,
    /// signingCertificateV2 (RFC 5035 §3) was present and matched, with this certHash
    /// algorithm.
    pub v2: Option<DigestAlgorithm>,
}

/// What a successful check established, for the policy layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SignerCryptoFacts {
    /// The resolved signature algorithm (its hash, key algorithm and key size).
    pub signature_algorithm: SignatureAlgorithm,
    /// The SignerInfo digestAlgorithm: the hash of the content (messageDigest).
    pub digest_algorithm: DigestAlgorithm,
    /// Whether the signature covers signed attributes (else the content directly).
    pub signed_attributes: bool,
    /// The ESS signing-certificate attributes that bound the signature to the certificate.
    pub signing_certificate: SigningCertificateBinding,
}

/// The parts of a candidate signer certificate the check reads (RFC 5280 §4.1), borrowed
/// from wherever the caller keeps them: an engine that parsed the certificate once passes
/// them without parsing it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignerCertificate<'c> {
    /// The complete DER (what an ESS certHash covers).
    pub der: &'c [u8],
    /// The issuer Name, DER.
    pub issuer: &'c [u8],
    /// The serialNumber INTEGER's content octets.
    pub serial: &'c [u8],
    /// The SubjectPublicKeyInfo, DER.
    pub spki: &'c [u8],
    /// The SHA-256 of `der`, when the caller already has it (a fingerprint): an ESS
    /// signingCertificateV2 with SHA-256 is then checked without hashing again.
    pub sha256: Option<&'c [u8; 32]>,
}

impl<'c> SignerCertificate<'c> {
    /// The parts of the DER certificate `der`.
    pub fn parse(der: &'c [u8]) -> Result<Self, SignerCryptoError> {
        let tbs = parse_certificate(der)?.tbs_certificate;
        Ok(Self {
            der,
            issuer: tbs.issuer.as_raw(),
            serial: tbs.raw_serial(),
            spki: tbs.subject_pki.raw,
            sha256: None,
        })
    }
}

/// Resolves the algorithms of `signer` against the certificate `certificate_der` without
/// verifying anything: the facts a report shows even when verification fails.
pub fn resolve_signer(
    signer: &SignerInfo<'_>,
    certificate_der: &[u8],
) -> Result<(SignatureAlgorithm, DigestAlgorithm), SignerCryptoError> {
    let certificate = SignerCertificate::parse(certificate_der)?;
    let key = PublicKeyInfo::from_der(certificate.spki)?;
    resolve_signer_key(signer, &key)
}

fn resolve_signer_key(
    signer: &SignerInfo<'_>,
    key: &PublicKeyInfo<'_>,
) -> Result<(SignatureAlgorithm, DigestAlgorithm), SignerCryptoError> {
    let algorithm = resolve_key(
        &signer.signature_algorithm,
        Some(&signer.digest_algorithm),
        key,
    )?;
    let digest = DigestAlgorithm::from_algorithm_identifier(&signer.digest_algorithm)?;
    Ok((algorithm, digest))
}

fn parse_certificate(der: &[u8]) -> Result<X509Certificate<'_>, SignerCryptoError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], certificate)) => Ok(certificate),
        _ => Err(SignerCryptoError::MalformedCertificate),
    }
}

/// The cryptographic verification of one SignerInfo against a candidate signer certificate
/// (`certificate_der`, the complete DER of an X.509 certificate), RFC 5652 §5.4 and §5.6:
///
/// 1. the algorithms are resolved against the certificate's key ([`crate::crypto::resolve`]);
/// 2. with signed attributes: the ESS signingCertificate / signingCertificateV2 attributes,
///    when present, must identify this certificate (the hash of its whole DER, and the issuer
///    name and serial number when given; RFC 2634 §5.4.1, RFC 5035 §4); the messageDigest
///    attribute must equal the digest of the content (or the supplied digest); and the
///    signature must verify
///    over the original signed-attribute bytes with the SET tag (`bytes_to_verify`), never a
///    re-encoding;
/// 3. without signed attributes: the signature must verify directly over the content (or over
///    the supplied digest, for GOST).
///
/// The checks run in that order, as ETSI EN 319 102-1 §5.2.7 does (hash before signature), so
/// each failure has its own [`SignerCryptoError`]. Nothing here looks at time, validity or
/// policy: a SHA-1 or 1024-bit signature that verifies is a success whose facts say so.
pub fn verify_signer_info(
    signer: &SignerInfo<'_>,
    certificate_der: &[u8],
    content: Content<'_>,
) -> Result<SignerCryptoFacts, SignerCryptoError> {
    verify_signer_certificate(signer, SignerCertificate::parse(certificate_der)?, content)
}

/// [`verify_signer_info`] with the certificate's parts already at hand.
pub fn verify_signer_certificate(
    signer: &SignerInfo<'_>,
    certificate: SignerCertificate<'_>,
    content: Content<'_>,
) -> Result<SignerCryptoFacts, SignerCryptoError> {
    let key = PublicKeyInfo::from_der(certificate.spki)?;
    // Resolve first, so that an unsupported algorithm is reported as such.
    resolve_signer_key(signer, &key)?;
    let binding = match &signer.signed_attrs {
        Some(attrs) => check_signing_certificate(attrs, &certificate)?,
        None => SigningCertificateBinding::default(),
    };
    verify_with_key(signer, &key, content, binding)
}

/// [`verify_signer_info`] without a certificate: the messageDigest and signature checks
/// under the key `spki`, but no ESS signing-certificate check (that needs the certificate's
/// DER), so the facts' [`SignerCryptoFacts::signing_certificate`] is empty. For callers that
/// already bound the key to the SignerInfo otherwise.
pub fn verify_signer_signature(
    signer: &SignerInfo<'_>,
    spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>,
    content: Content<'_>,
) -> Result<SignerCryptoFacts, SignerCryptoError> {
    let key = PublicKeyInfo::from_der(spki.raw)?;
    verify_with_key(signer, &key, content, SigningCertificateBinding::default())
}

fn verify_with_key(
    signer: &SignerInfo<'_>,
    key: &PublicKeyInfo<'_>,
    content: Content<'_>,
    signing_certificate: SigningCertificateBinding,
) -> Result<SignerCryptoFacts, SignerCryptoError> {
    let (algorithm, digest_algorithm) = resolve_signer_key(signer, key)?;
    match &signer.signed_attrs {
        Some(attrs) => {
            check_message_digest(attrs, digest_algorithm, content)?;
            verify_signature(
                &algorithm,
                key.key,
                &attrs.bytes_to_verify(),
                &signer.signature,
            )?;
        }
        None => match content {
            Content::Attached(data) | Content::Detached(data) => {
                verify_signature(&algorithm, key.key, data, &signer.signature)?;
            }
            Content::Digest {
                algorithm: given,
                value,
            } => {
                match verify_signature_digest(&algorithm, key.key, given, value, &signer.signature)
                {
                    Err(CryptoError::DigestNotAccepted) => {
                        return Err(SignerCryptoError::ContentRequired(
                            "no signed attributes, and the algorithm cannot verify this digest",
                        ));
                    }
                    other => other?,
                }
            }
            Content::Missing => return Err(SignerCryptoError::ContentMissing),
        },
    }
    Ok(SignerCryptoFacts {
        signature_algorithm: algorithm,
        digest_algorithm,
        signed_attributes: signer.signed_attrs.is_some(),
        signing_certificate,
    })
}

/// RFC 5652 §5.4 / §11.2: messageDigest = digest(content) with the digestAlgorithm.
fn check_message_digest(
    attrs: &SignedAttributes<'_>,
    digest_algorithm: DigestAlgorithm,
    content: Content<'_>,
) -> Result<(), SignerCryptoError> {
    let computed;
    let digest: &[u8] = match content {
        Content::Attached(data) | Content::Detached(data) => {
            computed = digest_algorithm.digest(data);
            &computed
        }
        Content::Digest { algorithm, value } => {
            if algorithm != digest_algorithm {
                return Err(SignerCryptoError::ContentRequired(
                    "the supplied digest's algorithm is not the SignerInfo digestAlgorithm",
                ));
            }
            value
        }
        Content::Missing => return Err(SignerCryptoError::ContentMissing),
    };
    if digest == attrs.message_digest.as_ref() {
        Ok(())
    } else {
        Err(SignerCryptoError::ContentHashMismatch)
    }
}

/// ESS: the first ESSCertID(v2) names the signer's certificate (RFC 2634 §5.4, RFC 5035 §3).
fn check_signing_certificate(
    attrs: &SignedAttributes<'_>,
    certificate: &SignerCertificate<'_>,
) -> Result<SigningCertificateBinding, SignerCryptoError> {
    let mut binding = SigningCertificateBinding::default();
    if let Some(v2) = &attrs.signing_certificate_v2 {
        const ATTRIBUTE: &str = "signingCertificateV2";
        let id = v2
            .certs
            .first()
            .ok_or(SignerCryptoError::SigningCertificateMismatch {
                attribute: ATTRIBUTE,
                field: "certHash",
            })?;
        let hash_oid = id.hash_algorithm_oid();
        let hash = match &id.hash_algorithm {
            Some(alg) => DigestAlgorithm::from_algorithm_identifier(alg)?,
            None => DigestAlgorithm::from_oid(hash_oid).ok_or_else(|| {
                SignerCryptoError::UnsupportedAlgorithm {
                    what: "ESS certHash",
                    oid: hash_oid.to_string(),
                }
            })?,
        };
        check_ess_cert_id(
            ATTRIBUTE,
            hash,
            &id.cert_hash,
            id.issuer_serial.as_ref(),
            certificate,
        )?;
        binding.v2 = Some(hash);
    }
    if let Some(v1) = &attrs.signing_certificate {
        const ATTRIBUTE: &str = "signingCertificate";
        let id = v1
            .certs
            .first()
            .ok_or(SignerCryptoError::SigningCertificateMismatch {
                attribute: ATTRIBUTE,
                field: "certHash",
            })?;
        check_ess_cert_id(
            ATTRIBUTE,
            DigestAlgorithm::Sha1,
            &id.cert_hash,
            id.issuer_serial.as_ref(),
            certificate,
        )?;
        binding.v1 = true;
    }
    Ok(binding)
}

fn check_ess_cert_id(
    attribute: &'static str,
    hash: DigestAlgorithm,
    cert_hash: &[u8],
    issuer_serial: Option<&IssuerSerial<'_>>,
    certificate: &SignerCertificate<'_>,
) -> Result<(), SignerCryptoError> {
    let mismatch = |field| SignerCryptoError::SigningCertificateMismatch { attribute, field };
    let hash_matches = match (hash, certificate.sha256) {
        (DigestAlgorithm::Sha256, Some(known)) => known[..] == *cert_hash,
        _ => hash.digest(certificate.der) == cert_hash,
    };
    if !hash_matches {
        return Err(mismatch("certHash"));
    }
    if let Some(issuer_serial) = issuer_serial {
        // Compared byte for byte: both come from the same CA's encoding.
        if issuer_serial.issuer_directory_name != Some(certificate.issuer) {
            return Err(mismatch("issuer"));
        }
        if issuer_serial.serial_number != certificate.serial {
            return Err(mismatch("serialNumber"));
        }
    }
    Ok(())
}
