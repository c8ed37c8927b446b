//! Tests on the real NCA tokens (Kalkan 2026, GOST 2015-512; the 2018 GOST-2004 example) and
//! tampered variants of them.

use super::*;
use crate::ber::{Tag, Tlv};
use crate::crypto::DigestAlgorithm;
use crate::input::decode_cms;
use crate::parse_signed_data;
use crate::path::CertificateStore;
use crate::test_support::fixtures::*;
use crate::verdict::SubIndication;

/// (name, CMS): the Kalkan CMS of 2026-07-20, each with one signatureTimeStampToken.
const KALKAN: [(&str, &[u8]); 4] = [
    ("individual_attached", INDIVIDUAL_ATTACHED),
    ("individual_detached", INDIVIDUAL_DETACHED),
    ("legal_attached", LEGAL_ATTACHED),
    ("legal_detached", LEGAL_DETACHED),
];

/// genTime of each Kalkan token, as read from it: the individual's two CMS share one
/// signature value and one token, as do the legal entity's.
const KALKAN_GEN_TIMES: [(&str, i64); 4] = [
    ("2026-07-20T09:08:07Z", 1_784_538_487),
    ("2026-07-20T09:08:07Z", 1_784_538_487),
    ("2026-07-20T09:10:09Z", 1_784_538_609),
    ("2026-07-20T09:10:09Z", 1_784_538_609),
];

/// The (token, signature value) of the first SignerInfo of `cms`.
fn token_and_signature(cms: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let sd = parse_signed_data(cms).unwrap();
    let si = &sd.signer_infos[0];
    let tokens: Vec<_> = si.signature_time_stamp_tokens().collect();
    assert_eq!(tokens.len(), 1);
    (tokens[0].to_vec(), si.signature.to_vec())
}

use crate::test_support::der_tlv;

/// The token re-encoded without its `certificates [0]` field.
fn without_certificates(token: &[u8]) -> Vec<u8> {
    let ci = Tlv::parse_single(token).unwrap();
    let mut ci_fields = ci.children();
    let content_type = ci_fields.next_tlv().unwrap().unwrap();
    let explicit = ci_fields.next_tlv().unwrap().unwrap();
    let sd = explicit.children().next_tlv().unwrap().unwrap();
    let mut sd_content = Vec::new();
    let mut fields = sd.children();
    while let Some(field) = fields.next_tlv().unwrap() {
        if field.tag() != Tag::context(0, true) {
            sd_content.extend_from_slice(field.raw());
        }
    }
    let sd = der_tlv(0x30, &sd_content);
    let mut ci_content = content_type.raw().to_vec();
    ci_content.extend(der_tlv(0xA0, &sd));
    der_tlv(0x30, &ci_content)
}

#[test]
fn kalkan_tokens_verify() {
    for (i, (name, cms)) in KALKAN.into_iter().enumerate() {
        let (token, signature) = token_and_signature(cms);
        let verified = verify_signature_time_stamp(&token, &signature, &[])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            verified.gen_time.to_string(),
            KALKAN_GEN_TIMES[i].0,
            "{name}"
        );
        assert_eq!(verified.gen_time_unix, KALKAN_GEN_TIMES[i].1, "{name}");
        assert_eq!(verified.policy, "1.2.398.3.3.2.6.4", "{name}");
        assert_eq!(verified.serial.len(), 20, "{name}");
        // The NCA TSA certificate's extendedKeyUsage is critical: no note.
        assert!(verified.notes.is_empty(), "{name}");
        assert_eq!(verified.digest_algorithm, DigestAlgorithm::Streebog512);
        assert!(verified.signer.signed_attributes);
    }
}

#[test]
fn gost_2004_example_token_verifies() {
    let decoded = decode_cms(TEST_CMS_GOST).unwrap();
    let (token, signature) = token_and_signature(&decoded.bytes);
    let verified = verify_signature_time_stamp(&token, &signature, &[]).unwrap();
    assert_eq!(verified.gen_time.to_string(), "2018-12-21T09:25:04Z");
    assert_eq!(verified.gen_time_unix, 1_545_384_304);
    assert_eq!(verified.policy, "1.2.398.3.3.2.6.1");
    assert_eq!(verified.digest_algorithm, DigestAlgorithm::Gost94);
    assert!(verified.notes.is_empty());
}

/// The real TSA certificates chain to the production NCA GOST 2022 CA, absent from the test
/// material: no chain, so these tokens are no proof of existence here.
#[test]
fn kalkan_tsa_chain_not_found_with_test_anchors() {
    let mut store = CertificateStore::new();
    store.add_trust_anchor(ROOT_CERT).unwrap();
    store.add_intermediate(CA_CERT).unwrap();
    for (name, cms) in KALKAN {
        let (token, signature) = token_and_signature(cms);
        let verified = verify_signature_time_stamp(&token, &signature, &[]).unwrap();
        let error = verified.chain(&store).unwrap_err();
        assert_eq!(
            error.sub_indication(),
            SubIndication::NoCertificateChainFound,
            "{name}: {error}"
        );
    }
}

#[test]
fn tampered_signature_value_is_imprint_mismatch() {
    let (token, mut signature) = token_and_signature(INDIVIDUAL_ATTACHED);
    signature[10] ^= 0x01;
    assert_eq!(
        verify_signature_time_stamp(&token, &signature, &[]),
        Err(TimeStampError::ImprintMismatch)
    );
}

#[test]
fn tampered_tst_info_fails_signature() {
    let (mut token, signature) = token_and_signature(LEGAL_DETACHED);
    let offset = {
        let sd = parse_signed_data(&token).unwrap();
        let bytes = sd.encap_content_info.e_content.as_deref().unwrap();
        let tst = TstInfo::parse(bytes).unwrap();
        let serial = tst.serial_number;
        serial.as_ptr() as usize + serial.len() - 1 - token.as_ptr() as usize
    };
    token[offset] ^= 0x01;
    assert!(matches!(
        verify_signature_time_stamp(&token, &signature, &[]),
        Err(TimeStampError::Signer(_))
    ));
}

#[test]
fn token_without_certificates_needs_the_tsa_certificate() {
    let (token, signature) = token_and_signature(INDIVIDUAL_DETACHED);
    let tsa = verify_signature_time_stamp(&token, &signature, &[])
        .unwrap()
        .tsa_certificate_der;
    let stripped = without_certificates(&token);
    assert!(
        parse_signed_data(&stripped)
            .unwrap()
            .certificates
            .is_empty()
    );
    assert_eq!(
        verify_signature_time_stamp(&stripped, &signature, &[]),
        Err(TimeStampError::TsaCertificateNotFound)
    );
    // Supplied from elsewhere, the token verifies again.
    let verified = verify_signature_time_stamp(&stripped, &signature, &[&tsa]).unwrap();
    assert_eq!(verified.tsa_certificate_der, tsa);
}

#[test]
fn garbage_is_an_error() {
    for input in [&b""[..], b"\x30\x03\x02\x01\x01", b"not a token at all"] {
        assert!(matches!(
            verify_signature_time_stamp(input, b"sig", &[]),
            Err(TimeStampError::Cms(_))
        ));
    }
    // A CMS that is not a time-stamp token.
    let (_, signature) = token_and_signature(INDIVIDUAL_ATTACHED);
    assert!(matches!(
        verify_signature_time_stamp(INDIVIDUAL_ATTACHED, &signature, &[]),
        Err(TimeStampError::NotTstInfo(_))
    ));
}

#[test]
fn gen_time_fractions() {
    let der = |time: &[u8]| {
        let mut tst = vec![0x02, 0x01, 0x01, 0x06, 0x03, 0x2a, 0x03, 0x04];
        tst.extend(der_tlv(
            0x30,
            &[
                &[0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a][..],
                &der_tlv(0x04, &[0u8; 20]),
            ]
            .concat(),
        ));
        tst.extend([0x02, 0x01, 0x07]);
        tst.extend(der_tlv(0x18, time));
        der_tlv(0x30, &tst)
    };
    let ok = der(b"20260720090806.125Z");
    let info = TstInfo::parse(&ok).unwrap();
    assert_eq!(info.gen_time.fraction, Some(&b"125"[..]));
    assert_eq!(info.gen_time.time.to_string(), "2026-07-20T09:08:06Z");
    assert_eq!(info.serial_number, [7]);
    for bad in [
        &b"20260720090806.Z"[..],
        b"20260720090806.10Z",
        b"20260720090806",
    ] {
        assert!(TstInfo::parse(&der(bad)).is_err());
    }
}

/// A token made by `openssl ts` (testdata/tsa/make.sh) from a test TSA under the generated
/// PKI's ca-rsa, over the signature value of `pki/cms/individual.detached.p7s`.
const OPENSSL_TOKEN: &[u8] = include_bytes!("../../testdata/tsa/token.der");
const OPENSSL_TSA: &[u8] = include_bytes!("../../testdata/tsa/tsa.cer");
const PKI_INDIVIDUAL_DETACHED: &[u8] =
    include_bytes!("../../testdata/pki/cms/individual.detached.p7s");

#[test]
fn openssl_token_verifies_and_chains_to_the_test_root() {
    use crate::test_support::pki::{CA_RSA, ROOT_RSA};
    let signature = parse_signed_data(PKI_INDIVIDUAL_DETACHED)
        .unwrap()
        .signer_infos[0]
        .signature
        .to_vec();
    let verified = verify_signature_time_stamp(OPENSSL_TOKEN, &signature, &[]).unwrap();
    assert_eq!(verified.tsa_certificate_der, OPENSSL_TSA);
    assert_eq!(verified.policy, "1.2.398.3.3.2.6.4");
    assert_eq!(verified.digest_algorithm, DigestAlgorithm::Sha256);
    assert_eq!(verified.gen_time.year, 2026);
    assert!(verified.notes.is_empty(), "the EKU is critical");
    // RFC 5816: OpenSSL was told to use ESS signingCertificateV2 with SHA-256.
    assert_eq!(
        verified.signer.signing_certificate.v2,
        Some(DigestAlgorithm::Sha256)
    );
    // The optional TSTInfo fields OpenSSL wrote: accuracy 1 s and the TSA name.
    let sd = parse_signed_data(OPENSSL_TOKEN).unwrap();
    let tst = TstInfo::parse(sd.encap_content_info.e_content.as_deref().unwrap()).unwrap();
    assert_eq!(tst.accuracy.and_then(|a| a.seconds), Some(1));
    assert!(tst.tsa.is_some());
    assert!(!tst.ordering);
    assert_eq!(tst.nonce, None);

    let mut store = CertificateStore::new();
    store.add_trust_anchor(ROOT_RSA).unwrap();
    store.add_intermediate(CA_RSA).unwrap();
    let path = verified.chain(&store).unwrap();
    assert_eq!(path.certificates.len(), 3);
    // Against the NCA test anchors only: no chain.
    let mut nca = CertificateStore::new();
    nca.add_trust_anchor(ROOT_CERT).unwrap();
    assert_eq!(
        verified.chain(&nca).unwrap_err().sub_indication(),
        SubIndication::NoCertificateChainFound
    );
    // The issuerAndSerialNumber names the TSA certificate, not another one offered instead.
    let stripped = without_certificates(OPENSSL_TOKEN);
    let pki_cert = crate::test_support::pki::INDIVIDUAL;
    assert_eq!(
        verify_signature_time_stamp(&stripped, &signature, &[pki_cert]),
        Err(TimeStampError::TsaCertificateNotFound)
    );
}

/// RFC 3161 §2.3: the TSA certificate's extendedKeyUsage must be exactly id-kp-timeStamping.
#[test]
fn time_stamping_eku_is_required_exactly() {
    use crate::test_support::pki::{CA_RSA, INDIVIDUAL};
    let parse = |der| x509_parser::parse_x509_certificate(der).unwrap().1;
    assert_eq!(
        super::verify::time_stamping_eku(&parse(OPENSSL_TSA)),
        Ok(true)
    );
    for der in [INDIVIDUAL, CA_RSA] {
        assert_eq!(
            super::verify::time_stamping_eku(&parse(der)),
            Err(TimeStampError::NotTimeStampingCertificate)
        );
    }
}
