//! Tests of the cryptographic layer.
//!
//! - `resolve`: the algorithm table, digests, and errors naming OIDs;
//! - `wycheproof`: Wycheproof vectors through [`crate::crypto::resolve`] and
//!   [`crate::crypto::verify_signature`];
//! - `nca`: real NCA GOST CMS through [`crate::crypto::verify_signer_info`];
//! - `generated`: RSA, ECDSA and Ed25519 SignerInfos signed with ring at test time, with and
//!   without signed attributes;
//! - `openssl`: CMS made by the openssl CLI (RSA-1024, SHA-1, PSS + signingCertificateV2),
//!   see `testdata/crypto/README.md`;
//! - `rsa_pss`: RSASSA-PSS-VERIFY for salt lengths ring does not take, rule by rule;
//! - `rsa_pkcs1`: RSASSA-PKCS1-v1_5 verified from a digest, against ring on the message.

mod generated;
mod nca;
mod openssl;
mod resolve;
mod rsa_pkcs1;
mod rsa_pss;
mod wycheproof;

use crate::ber::Tlv;
use crate::cms::AlgorithmIdentifier;
use crate::oid::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

pub(super) use crate::test_support::der_tlv as tlv;

/// A SEQUENCE of already-encoded elements.
pub(super) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// `AlgorithmIdentifier { oid, parameters }`.
pub(super) fn alg_id(oid: Oid<'_>, parameters: Option<&[u8]>) -> Vec<u8> {
    let oid = tlv(0x06, oid.as_bytes());
    match parameters {
        Some(p) => seq(&[&oid, p]),
        None => seq(&[&oid]),
    }
}

/// DER NULL.
pub(super) const NULL: &[u8] = &[0x05, 0x00];

/// Parses an AlgorithmIdentifier as the CMS parser does.
pub(super) fn parse_alg(der: &[u8]) -> AlgorithmIdentifier<'_> {
    AlgorithmIdentifier::from_tlv(Tlv::parse_single(der).unwrap(), "test").unwrap()
}

/// `SubjectPublicKeyInfo { algorithm, BIT STRING key }`.
pub(super) fn spki_der(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0];
    bits.extend_from_slice(key);
    seq(&[algorithm, &tlv(0x03, &bits)])
}

/// Decodes a SubjectPublicKeyInfo with x509-parser.
pub(super) fn parse_spki(der: &[u8]) -> SubjectPublicKeyInfo<'_> {
    let (rest, spki) = SubjectPublicKeyInfo::from_der(der).unwrap();
    assert!(rest.is_empty());
    spki
}

/// `RSASSA-PSS-params` with MGF1 over `mgf1_hash` and trailer 1 omitted; the salt length as a
/// minimal positive INTEGER.
pub(super) fn pss_params(hash: Oid<'_>, mgf1_hash: Oid<'_>, salt_len: u64) -> Vec<u8> {
    let hash_alg = alg_id(hash, Some(NULL));
    let mgf = alg_id(
        crate::crypto::oids::MGF1,
        Some(&alg_id(mgf1_hash, Some(NULL))),
    );
    seq(&[
        &tlv(0xa0, &hash_alg),
        &tlv(0xa1, &mgf),
        &tlv(
            0xa2,
            &tlv(
                0x02,
                &crate::testing::unsigned_content(&salt_len.to_be_bytes()),
            ),
        ),
    ])
}
