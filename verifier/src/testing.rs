//! Test-only CMS signing with RSA and ECDSA P-256 keys (feature `test-util`, and this crate's own tests): DER
//! writing (X.690) independent of the reader under test, and RFC 5652 SignedData made with
//! ring, so that tests of this crate and of the vault can sign any content with the generated
//! PKI's keys (`testdata/pki/keys`) instead of depending on the `openssl` command. [`gost`]
//! signs as NCA's software does with the real NCA GOST test keys.
//!
//! Everything here panics on bad input: it is for tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

pub mod gost;
pub mod ltv;
pub(crate) mod pkcs12;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RSA_PKCS1_SHA512, RsaKeyPair,
};

use crate::path::Certificate;

pub const ID_DATA: &str = "1.2.840.113549.1.7.1";
pub const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub const ID_AA_SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";
pub const ID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
pub const ID_SHA512: &str = "2.16.840.1.101.3.4.2.3";
pub const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";
pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";

/// A DER TLV with a one-byte tag and a definite, minimal length (X.690 §8.1.3).
pub fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// `SEQUENCE { parts }`.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der_tlv(0x30, &parts.concat())
}

/// `SET { parts }`, in the given order.
pub fn set(parts: &[&[u8]]) -> Vec<u8> {
    der_tlv(0x31, &parts.concat())
}

/// `OCTET STRING`.
pub fn octets(content: &[u8]) -> Vec<u8> {
    der_tlv(0x04, content)
}

/// An `OBJECT IDENTIFIER` from its dotted form (X.690 §8.19).
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u128> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut content = Vec::new();
    let mut push = |mut v: u128| {
        let mut digits = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            digits.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        digits.reverse();
        content.extend(digits);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    der_tlv(0x06, &content)
}

/// The content octets of a non-negative INTEGER: minimal, with a leading zero when the high
/// bit would read as a sign (X.690 §8.3).
pub fn unsigned_content(big_endian: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = big_endian.iter().copied().skip_while(|&b| b == 0).collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    bytes
}

/// An `INTEGER` from its content octets.
pub fn integer(content: &[u8]) -> Vec<u8> {
    der_tlv(0x02, content)
}

/// `AlgorithmIdentifier { algorithm, NULL }` (RFC 5754 §2 for SHA-256, RFC 4055 §5 for
/// sha256WithRSAEncryption).
pub fn algorithm(dotted: &str) -> Vec<u8> {
    seq(&[&oid(dotted), &[0x05, 0x00]])
}

/// `Attribute ::= SEQUENCE { attrType, attrValues SET OF }` with one value (RFC 5652 §5.3).
pub fn attribute(dotted: &str, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(dotted), &set(&[value])])
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// A PKCS#8 PEM key's DER.
fn pkcs8(key_pem: &str) -> Vec<u8> {
    let body: String = key_pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2) under a PKCS#8 PEM key.
pub fn rsa_sha256(key_pem: &str, message: &[u8]) -> Vec<u8> {
    rsa_pkcs1(key_pem, &RSA_PKCS1_SHA256, message)
}

/// RSASSA-PKCS1-v1_5 with SHA-512 (RFC 8017 §8.2) under a PKCS#8 PEM key.
pub fn rsa_sha512(key_pem: &str, message: &[u8]) -> Vec<u8> {
    rsa_pkcs1(key_pem, &RSA_PKCS1_SHA512, message)
}

fn rsa_pkcs1(
    key_pem: &str,
    padding: &'static dyn ring::signature::RsaEncoding,
    message: &[u8],
) -> Vec<u8> {
    let key = RsaKeyPair::from_pkcs8(&pkcs8(key_pem)).unwrap();
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(padding, &SystemRandom::new(), message, &mut signature)
        .unwrap();
    signature
}

/// `message` signed with SHA-256 under a PKCS#8 PEM key, RSA (PKCS #1 v1.5) or ECDSA P-256
/// (RFC 5758 §3.2, DER `ECDSA-Sig-Value`): the signatureAlgorithm and the signature.
fn sign_sha256(key_pem: &str, message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let der = pkcs8(key_pem);
    if RsaKeyPair::from_pkcs8(&der).is_ok() {
        return (algorithm(SHA256_WITH_RSA), rsa_sha256(key_pem, message));
    }
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &der, &rng).unwrap();
    let signature = key.sign(&rng, message).unwrap();
    // ecdsa-with-SHA256: parameters absent (RFC 5758 §3.2).
    (seq(&[&oid(ECDSA_WITH_SHA256)]), signature.as_ref().to_vec())
}

/// A DER ContentInfo (RFC 5652 §3) holding a SignedData (§5.1) version 3 over `content` of
/// type `content_type`, carried as eContent when `attached`:
///
/// - certificates `[0] IMPLICIT`: `certificate`;
/// - one SignerInfo (§5.3) version 1, sid issuerAndSerialNumber of `certificate`, SHA-256,
///   signedAttrs contentType (§11.1), messageDigest (§11.2) and ESS signingCertificateV2
///   (RFC 5035 §3: one ESSCertIDv2 with the certificate's SHA-256, the default hashAlgorithm
///   omitted), sha256WithRSAEncryption with `key_pem` over the signed attributes
///   DER-encoded with the SET tag (§5.4).
pub fn signed_data(
    certificate: &[u8],
    key_pem: &str,
    content_type: &str,
    content: &[u8],
    attached: bool,
) -> Vec<u8> {
    signed_data_with(certificate, key_pem, content_type, content, attached, &[])
}

/// A detached CMS over `content` (id-data) by the holder of `key_pem` and `certificate`.
pub fn sign_detached(certificate: &[u8], key_pem: &str, content: &[u8]) -> Vec<u8> {
    signed_data(certificate, key_pem, ID_DATA, content, false)
}

/// The generated PKI's RSA branch (`testdata/pki`, see its README): what other crates' tests
/// sign and verify with.
pub mod pki {
    use crate::Verifier;
    use crate::path::CertificateStore;
    use crate::policy::Policy;
    use crate::revocation::CrlStore;

    macro_rules! files {
        ($($name:ident = $file:literal;)+) => {
            $(pub const $name: &[u8] = include_bytes!(concat!("../testdata/pki/", $file));)+
        };
    }
    files! {
        ROOT_RSA = "certs/root-rsa.cer";
        CA_RSA = "certs/ca-rsa.cer";
        CA_RSA_CRL = "crl/ca-rsa.crl";
        CA_RSA_BASE_CRL = "crl/ca-rsa-base.crl";
        REVOKED_LATER = "certs/revoked-later.cer";
        ROOT_RSA_CRL = "crl/root-rsa.crl";
        INDIVIDUAL = "certs/individual.cer";
        HEAD = "certs/head.cer";
        REVOKED = "certs/revoked.cer";
        DOC_4K = "doc-4k.txt";
        INDIVIDUAL_DETACHED_CMS = "cms/individual.detached.p7s";
        ROOT_OFFICER = "officer/root-officer.cer";
        ROOT_OFFICER_CRL = "officer/root-officer.crl";
        OFFICER = "officer/officer.cer";
    }
    pub const INDIVIDUAL_KEY: &str = include_str!("../testdata/pki/keys/individual.key.pem");
    pub const HEAD_KEY: &str = include_str!("../testdata/pki/keys/head.key.pem");
    pub const REVOKED_KEY: &str = include_str!("../testdata/pki/keys/revoked.key.pem");
    pub const REVOKED_LATER_KEY: &str = include_str!("../testdata/pki/keys/revoked-later.key.pem");
    /// The key of `officer` (`officer.sh`): valid to 2049, for acts signed years after.
    pub const OFFICER_KEY: &str = include_str!("../testdata/pki/officer/officer.key.pem");
    /// The IIN of `officer`.
    pub const OFFICER_IIN: &str = "880101300123";

    /// 2026-06-15T12:00:00Z: the validation time of the README's expected verdicts.
    pub const VALIDATION_TIME: i64 = 1_781_524_800;

    /// A verifier trusting root-rsa, with ca-rsa as an intermediate and both CRLs, under the
    /// default policy.
    pub fn rsa_verifier() -> Verifier {
        rsa_verifier_with(&[CA_RSA_CRL, ROOT_RSA_CRL], Policy::default())
    }

    /// [`rsa_verifier`] that also trusts the long-lived officers' root (`officer.sh`) with its
    /// CRL: acts signed by `officer` verify until 2049.
    pub fn rsa_and_officer_verifier() -> Verifier {
        let mut store = CertificateStore::new();
        store.add_trust_anchor(ROOT_RSA).unwrap();
        store.add_intermediate(CA_RSA).unwrap();
        store.add_trust_anchor(ROOT_OFFICER).unwrap();
        let mut crls = CrlStore::new();
        for der in [CA_RSA_CRL, ROOT_RSA_CRL, ROOT_OFFICER_CRL] {
            crls.add(der).unwrap();
        }
        Verifier::new(store, crls, Policy::default())
    }

    /// The same with exactly these CRLs and this policy.
    pub fn rsa_verifier_with(crl_ders: &[&[u8]], policy: Policy) -> Verifier {
        let mut store = CertificateStore::new();
        store.add_trust_anchor(ROOT_RSA).unwrap();
        store.add_intermediate(CA_RSA).unwrap();
        let mut crls = CrlStore::new();
        for der in crl_ders {
            crls.add(der).unwrap();
        }
        Verifier::new(store, crls, policy)
    }
}

pub const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

/// A `signingTime` attribute value (RFC 5652 §11.3): UTCTime `YYMMDDHHMMSSZ` for the years
/// 1950–2049, GeneralizedTime otherwise.
pub fn signing_time(unix: i64) -> Vec<u8> {
    let t = crate::time::Time::from_unix(unix).unwrap();
    let (tag, year) = if (1950..2050).contains(&t.year) {
        (0x17, format!("{:02}", t.year % 100))
    } else {
        (0x18, format!("{:04}", t.year))
    };
    let text = format!(
        "{year}{:02}{:02}{:02}{:02}{:02}Z",
        t.month, t.day, t.hour, t.minute, t.second
    );
    der_tlv(tag, text.as_bytes())
}

/// [`signed_data`] with `extra_attributes` (complete `Attribute` encodings, see [`attribute`])
/// among the signed attributes.
pub fn signed_data_with(
    certificate: &[u8],
    key_pem: &str,
    content_type: &str,
    content: &[u8],
    attached: bool,
    extra_attributes: &[Vec<u8>],
) -> Vec<u8> {
    let cert = Certificate::from_der(certificate).unwrap();
    let ess_cert_id_v2 = seq(&[&octets(&sha256(certificate))]);
    let signing_certificate_v2 = seq(&[&seq(&[&ess_cert_id_v2])]);
    let mut attributes = vec![
        attribute(ID_CONTENT_TYPE, &oid(content_type)),
        attribute(ID_MESSAGE_DIGEST, &octets(&sha256(content))),
        attribute(ID_AA_SIGNING_CERTIFICATE_V2, &signing_certificate_v2),
    ];
    attributes.extend_from_slice(extra_attributes);
    // DER SET OF: the encodings in ascending order (X.690 §11.6).
    attributes.sort();
    let attributes = attributes.concat();
    let (signature_algorithm, signature) = sign_sha256(key_pem, &der_tlv(0x31, &attributes));

    let signer_info = seq(&[
        &integer(&[1]),
        &seq(&[cert.issuer_raw(), &integer(cert.serial())]),
        &algorithm(ID_SHA256),
        &der_tlv(0xA0, &attributes),
        &signature_algorithm,
        &octets(&signature),
    ]);
    let encapsulated = if attached {
        seq(&[&oid(content_type), &der_tlv(0xA0, &octets(content))])
    } else {
        seq(&[&oid(content_type)])
    };
    let signed_data = seq(&[
        &integer(&[3]),
        &set(&[&algorithm(ID_SHA256)]),
        &encapsulated,
        &der_tlv(0xA0, certificate),
        &set(&[&signer_info]),
    ]);
    seq(&[&oid(ID_SIGNED_DATA), &der_tlv(0xA0, &signed_data)])
}

/// An attached CMS carrying `content` (id-data) by the holder of `key_pem` and `certificate`,
/// with a signed `signingTime` of `unix` seconds: what an integrated system sends as a signed
/// request.
pub fn sign_attached_at(certificate: &[u8], key_pem: &str, content: &[u8], unix: i64) -> Vec<u8> {
    let time = attribute(ID_SIGNING_TIME, &signing_time(unix));
    signed_data_with(certificate, key_pem, ID_DATA, content, true, &[time])
}
