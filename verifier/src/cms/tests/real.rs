//! Real CMS signatures made by the NCA software (Kalkan / NCALayer).

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::encode::convert;
use super::fixtures::*;
use crate::cms::{
    AlgorithmIdentifier, CertificateChoice, SignedData, SignerIdentifier, parse_content_info,
    parse_signed_data,
};
use crate::input::{InputFormat, decode_certificate_file, decode_cms, decode_crl_file};
use crate::oid;
use crate::time::TimeEncoding;

const GOST_2015_512_DIGEST: &str = "1.2.398.3.10.1.3.3";
const GOST_2015_512_SIGNATURE: &str = "1.2.398.3.10.1.1.2.3.2";
const GOST_95_DIGEST: &str = "1.2.398.3.10.1.3.1";
const GOST_2004_PUBLIC_KEY: &str = "1.2.398.3.10.1.1.1.1";

struct Case {
    name: &'static str,
    der: &'static [u8],
    document: &'static [u8],
    signer: &'static [u8],
    attached: bool,
    /// Offset of signedAttrs in the file, as `openssl asn1parse` shows it.
    signed_attrs_offset: usize,
    signing_time: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "individual_attached",
        der: INDIVIDUAL_ATTACHED,
        document: INDIVIDUAL_DOCUMENT,
        signer: INDIVIDUAL_SIGNER,
        attached: true,
        signed_attrs_offset: 1375,
        signing_time: "2026-07-20T09:08:06Z",
    },
    Case {
        name: "individual_detached",
        der: INDIVIDUAL_DETACHED,
        document: INDIVIDUAL_DOCUMENT,
        signer: INDIVIDUAL_SIGNER,
        attached: false,
        signed_attrs_offset: 1285,
        signing_time: "2026-07-20T09:08:06Z",
    },
    Case {
        name: "legal_entity_attached",
        der: LEGAL_ATTACHED,
        document: LEGAL_DOCUMENT,
        signer: LEGAL_SIGNER,
        attached: true,
        signed_attrs_offset: 1484,
        signing_time: "2026-07-20T09:10:09Z",
    },
    Case {
        name: "legal_entity_detached",
        der: LEGAL_DETACHED,
        document: LEGAL_DOCUMENT,
        signer: LEGAL_SIGNER,
        attached: false,
        signed_attrs_offset: 1394,
        signing_time: "2026-07-20T09:10:09Z",
    },
];

fn der_of(cert_file: &[u8]) -> Vec<u8> {
    let mut certs = decode_certificate_file(cert_file).unwrap();
    assert_eq!(certs.len(), 1);
    certs.remove(0).into_owned()
}

fn assert_null_params(alg: &AlgorithmIdentifier<'_>, dotted: &str) {
    assert_eq!(alg.algorithm.to_string(), dotted);
    assert_eq!(alg.parameters, Some(&[0x05, 0x00][..]));
}

/// Checks that the signer identifier designates `cert`, using x509-parser on the certificate.
fn assert_sid_matches(sd: &SignedData<'_>, cert: &[u8]) {
    let (_, x509) = x509_parser::parse_x509_certificate(cert).unwrap();
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &sd.signer_infos[0].sid else {
        panic!("expected issuerAndSerialNumber");
    };
    assert_eq!(ias.serial_number, x509.tbs_certificate.raw_serial());
    assert_eq!(ias.issuer, x509.tbs_certificate.issuer.as_raw());
}

#[test]
fn nca_2026_cades_t_signatures() {
    for case in CASES {
        let name = case.name;
        let sd = parse_signed_data(case.der).unwrap_or_else(|e| panic!("{name}: {e}"));
        let signer_der = der_of(case.signer);

        assert_eq!(sd.version, 1, "{name}");
        // ContentInfo header (4), contentType (11), [0] header (4), then the SignedData.
        assert_eq!(sd.raw, &case.der[19..], "{name}");
        assert_eq!(sd.digest_algorithms.len(), 1);
        assert_null_params(&sd.digest_algorithms[0], GOST_2015_512_DIGEST);
        assert_eq!(sd.encap_content_info.e_content_type, oid::ID_DATA);

        // Content: attached ones carry the document, borrowed from the input.
        assert_eq!(sd.is_detached(), !case.attached, "{name}");
        if case.attached {
            let content = sd.encap_content_info.e_content.as_ref().unwrap();
            assert_eq!(&**content, case.document, "{name}");
            assert!(matches!(content, Cow::Borrowed(_)));
        } else {
            assert_eq!(sd.content(), None);
        }

        // The signer's certificate is in `certificates`, byte for byte.
        assert_eq!(sd.certificates.len(), 1, "{name}");
        assert_eq!(
            sd.x509_certificates().collect::<Vec<_>>(),
            vec![&signer_der[..]]
        );
        assert!(sd.crls.is_empty());

        assert_eq!(sd.signer_infos.len(), 1);
        let si = &sd.signer_infos[0];
        assert_eq!(si.version, 1);
        assert_sid_matches(&sd, &signer_der);
        assert_null_params(&si.digest_algorithm, GOST_2015_512_DIGEST);
        assert_null_params(&si.signature_algorithm, GOST_2015_512_SIGNATURE);
        assert_eq!(si.signature.len(), 128, "{name}: r || s, 64 bytes each");

        // signedAttrs: the original bytes, at the offset openssl reports.
        let attrs = si.signed_attrs.as_ref().unwrap();
        let at = case.signed_attrs_offset;
        assert_eq!(attrs.raw, &case.der[at..at + 3 + 194], "{name}");
        assert_eq!(
            attrs.raw.as_ptr(),
            case.der[at..].as_ptr(),
            "{name}: borrowed"
        );
        let to_verify = attrs.bytes_to_verify();
        assert_eq!(to_verify[0], 0x31);
        assert_eq!(&to_verify[1..], &attrs.raw[1..]);
        assert_eq!(attrs.bytes_to_verify_parts().concat(), to_verify);

        // The attribute order NCA uses in 2026 (it happens to be DER order).
        let order: Vec<_> = attrs.attributes.iter().map(|a| a.attr_type).collect();
        assert_eq!(
            order,
            [
                oid::ID_CONTENT_TYPE,
                oid::ID_SIGNING_TIME,
                oid::ID_AA_SIGNING_CERTIFICATE_V2,
                oid::ID_MESSAGE_DIGEST
            ]
        );
        assert_eq!(attrs.content_type, oid::ID_DATA);
        assert_eq!(attrs.message_digest.len(), 64, "{name}: Streebog-512");
        let time = attrs.signing_time.unwrap();
        assert_eq!(time.to_string(), case.signing_time);
        assert_eq!(time.encoding, TimeEncoding::UtcTime);
        assert!(attrs.signing_certificate.is_none());

        // signingCertificateV2 omits hashAlgorithm, so SHA-256 (the DEFAULT) applies, and the
        // hash is indeed SHA-256 of the certificate although everything else is GOST.
        let v2 = attrs.signing_certificate_v2.as_ref().unwrap();
        assert_eq!(v2.certs.len(), 1);
        assert_eq!(v2.certs[0].hash_algorithm, None);
        assert_eq!(v2.certs[0].hash_algorithm_oid(), oid::ID_SHA256);
        assert_eq!(
            &*v2.certs[0].cert_hash,
            Sha256::digest(&signer_der).as_slice()
        );
        assert_eq!(v2.certs[0].issuer_serial, None);
        assert_eq!(v2.policies, None);

        // CAdES-T: one RFC 3161 token, itself a SignedData over a TSTInfo.
        let unsigned = si.unsigned_attrs.as_ref().unwrap();
        assert_eq!(unsigned.attributes.len(), 1);
        let tokens: Vec<_> = si.signature_time_stamp_tokens().collect();
        assert_eq!(tokens.len(), 1, "{name}");
        let token = parse_content_info(tokens[0]).unwrap();
        assert_eq!(token.content_type, oid::ID_SIGNED_DATA);
        let tst = parse_signed_data(tokens[0]).unwrap();
        assert_eq!(tst.version, 3);
        assert_eq!(tst.encap_content_info.e_content_type, oid::ID_CT_TST_INFO);
        assert!(tst.content().is_some());
        assert_eq!(tst.signer_infos.len(), 1);
        assert_eq!(unsigned.countersignatures().count(), 0);
    }
}

#[test]
fn attached_and_detached_carry_the_same_signer_info() {
    for (attached, detached) in [
        (INDIVIDUAL_ATTACHED, INDIVIDUAL_DETACHED),
        (LEGAL_ATTACHED, LEGAL_DETACHED),
    ] {
        let a = parse_signed_data(attached).unwrap();
        let d = parse_signed_data(detached).unwrap();
        assert_eq!(a.signer_infos[0].raw, d.signer_infos[0].raw);
        assert_eq!(a.signer_infos, d.signer_infos);
    }
}

#[test]
fn older_gost_2004_example_attached() {
    let decoded = decode_cms(TEST_CMS_GOST).unwrap();
    assert_eq!(
        decoded.format,
        InputFormat::Pem {
            label: "CMS".to_owned()
        }
    );
    let sd = parse_signed_data(&decoded.bytes).unwrap();
    assert_eq!(
        sd.content(),
        Some(&b"Testovaya podpis! Esli vi eto chitaete, znachit podpis proverena!"[..])
    );
    assert_null_params(&sd.digest_algorithms[0], GOST_95_DIGEST);

    let signer_der = der_of(TEST_CERT_GOST);
    assert!(sd.x509_certificates().any(|c| c == signer_der.as_slice()));
    assert_sid_matches(&sd, &signer_der);

    let si = &sd.signer_infos[0];
    // Old Kalkan put the public-key OID in signatureAlgorithm.
    assert_null_params(&si.signature_algorithm, GOST_2004_PUBLIC_KEY);
    assert_eq!(si.signature.len(), 64);

    let attrs = si.signed_attrs.as_ref().unwrap();
    let decoded_bytes: &[u8] = &decoded.bytes;
    assert_eq!(attrs.raw, &decoded_bytes[1346..1346 + 3 + 162]);
    // The 2018 order differs from the 2026 one: messageDigest before signingCertificateV2.
    let order: Vec<_> = attrs.attributes.iter().map(|a| a.attr_type).collect();
    assert_eq!(
        order,
        [
            oid::ID_CONTENT_TYPE,
            oid::ID_SIGNING_TIME,
            oid::ID_MESSAGE_DIGEST,
            oid::ID_AA_SIGNING_CERTIFICATE_V2
        ]
    );
    assert_eq!(attrs.message_digest.len(), 32, "GOST 34.311-95");
    assert_eq!(
        attrs.signing_time.unwrap().to_string(),
        "2018-12-21T09:24:00Z"
    );
    let v2 = attrs.signing_certificate_v2.as_ref().unwrap();
    assert_eq!(
        &*v2.certs[0].cert_hash,
        Sha256::digest(&signer_der).as_slice()
    );
    assert_eq!(si.signature_time_stamp_tokens().count(), 1);
}

#[test]
fn older_gost_2004_example_detached() {
    let decoded = decode_cms(CMS_FOR_DOUBLE_SIGN).unwrap();
    let sd = parse_signed_data(&decoded.bytes).unwrap();
    assert!(sd.is_detached());
    assert_eq!(sd.certificates.len(), 1);
    assert_eq!(sd.signer_infos.len(), 1);
    let si = &sd.signer_infos[0];
    let cert = sd.x509_certificates().next().unwrap();
    assert_sid_matches(&sd, cert);
    let attrs = si.signed_attrs.as_ref().unwrap();
    assert_eq!(attrs.message_digest.len(), 32);
    assert_eq!(
        attrs.signing_time.unwrap().to_string(),
        "2019-08-26T06:12:23Z"
    );
    assert_eq!(
        &*attrs.signing_certificate_v2.as_ref().unwrap().certs[0].cert_hash,
        Sha256::digest(cert).as_slice()
    );
    // No time-stamp on this one.
    assert!(si.unsigned_attrs.is_none());
    assert_eq!(si.signature_time_stamp_tokens().count(), 0);
}

#[test]
fn base64_text_as_ncalayer_returns_it() {
    // The PEM body alone, with its line breaks, is what NCALayer hands back.
    let text = std::str::from_utf8(TEST_CMS_GOST).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n");
    let decoded = decode_cms(body.as_bytes()).unwrap();
    assert_eq!(decoded.format, InputFormat::Base64);
    let pem = decode_cms(TEST_CMS_GOST).unwrap();
    assert_eq!(decoded.bytes, pem.bytes);
    assert!(parse_signed_data(&decoded.bytes).is_ok());

    let der = decode_cms(INDIVIDUAL_ATTACHED).unwrap();
    assert_eq!(der.format, InputFormat::Der);
    assert!(matches!(der.bytes, Cow::Borrowed(_)));
}

/// Every constructed element down to the SignerInfo made indefinite-length, the eContent split
/// into 7-byte segments; certificates and signedAttrs left as they are.
fn outer_structure_to_ber(der: &[u8]) -> Vec<u8> {
    const E_CONTENT: &[u8] = &[0x30, 0xa0, 0x30, 0x30, 0xa0];
    const E_CONTENT_OCTETS: &[u8] = &[0x30, 0xa0, 0x30, 0x30, 0xa0, 0x04];
    const SIGNER_INFO: &[u8] = &[0x30, 0xa0, 0x30, 0x31, 0x30];
    const UNSIGNED: &[u8] = &[0x30, 0xa0, 0x30, 0x31, 0x30, 0xa1];
    convert(
        der,
        &|path| path.len() <= 4 || path == E_CONTENT || path == SIGNER_INFO || path == UNSIGNED,
        &|path| (path == E_CONTENT_OCTETS).then_some(7),
    )
}

#[test]
fn ber_outer_structure_keeps_raw_spans_and_concatenates_segments() {
    for case in CASES {
        let name = case.name;
        let ber = outer_structure_to_ber(case.der);
        assert_eq!(ber[1], 0x80, "{name}: converted");
        assert_eq!(decode_cms(&ber).unwrap().format, InputFormat::Ber);
        let from_der = parse_signed_data(case.der).unwrap();
        let from_ber = parse_signed_data(&ber).unwrap_or_else(|e| panic!("{name}: {e}"));

        if case.attached {
            let content = from_ber.encap_content_info.e_content.as_ref().unwrap();
            assert!(
                matches!(content, Cow::Owned(_)),
                "{name}: segments concatenated"
            );
            assert_eq!(&**content, case.document);
        } else {
            assert!(from_ber.is_detached());
        }
        assert_eq!(from_ber.certificates, from_der.certificates);
        let (b, d) = (&from_ber.signer_infos[0], &from_der.signer_infos[0]);
        assert_ne!(b.raw, d.raw);
        assert_eq!(b.signed_attrs, d.signed_attrs);
        let raw = b.signed_attrs.as_ref().unwrap().raw;
        let range = ber.as_ptr_range();
        assert!(
            range.contains(&raw.as_ptr()),
            "{name}: borrowed from the BER input"
        );
        assert_eq!(b.signature, d.signature);
        assert_eq!(
            b.signature_time_stamp_tokens().collect::<Vec<_>>(),
            d.signature_time_stamp_tokens().collect::<Vec<_>>()
        );
        assert!(b.unsigned_attrs.as_ref().unwrap().raw.ends_with(&[0, 0]));
    }
}

#[test]
fn fully_indefinite_ber_parses_to_the_same_values() {
    for case in CASES {
        let name = case.name;
        // Every constructed element indefinite, every OCTET STRING in 3-byte segments.
        let ber = convert(case.der, &|_| true, &|_| Some(3));
        let from_der = parse_signed_data(case.der).unwrap();
        let from_ber = parse_signed_data(&ber).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(from_ber.content(), from_der.content());
        assert_eq!(from_ber.certificates.len(), from_der.certificates.len());
        assert!(
            matches!(from_ber.certificates[0], CertificateChoice::Certificate(c) if c.ends_with(&[0, 0]))
        );
        let (b, d) = (&from_ber.signer_infos[0], &from_der.signer_infos[0]);
        assert_eq!(b.version, d.version);
        assert_eq!(b.digest_algorithm.algorithm, d.digest_algorithm.algorithm);
        assert_eq!(
            b.signature_algorithm.algorithm,
            d.signature_algorithm.algorithm
        );
        assert_eq!(b.signature, d.signature);
        assert!(matches!(b.signature, Cow::Owned(_)));
        let (ba, da) = (
            b.signed_attrs.as_ref().unwrap(),
            d.signed_attrs.as_ref().unwrap(),
        );
        assert_eq!(ba.content_type, da.content_type);
        assert_eq!(ba.message_digest, da.message_digest);
        assert_eq!(ba.signing_time, da.signing_time);
        let (bv2, dv2) = (
            ba.signing_certificate_v2.as_ref().unwrap(),
            da.signing_certificate_v2.as_ref().unwrap(),
        );
        assert_eq!(bv2.certs[0].cert_hash, dv2.certs[0].cert_hash);
        assert_eq!(b.signature_time_stamp_tokens().count(), 1);
        let SignerIdentifier::IssuerAndSerialNumber(bs) = &b.sid else {
            panic!()
        };
        let SignerIdentifier::IssuerAndSerialNumber(ds) = &d.sid else {
            panic!()
        };
        assert_eq!(bs.serial_number, ds.serial_number);
    }
}

#[test]
fn certificate_and_crl_files_in_every_form() {
    // DER, bare base64 on one line, PEM.
    assert_eq!(
        decode_certificate_file(CA_CERT).unwrap(),
        vec![Cow::Borrowed(CA_CERT)]
    );
    let signer = decode_certificate_file(INDIVIDUAL_SIGNER).unwrap();
    assert_eq!(signer.len(), 1);
    assert!(x509_parser::parse_x509_certificate(&signer[0]).is_ok());
    let pem = decode_certificate_file(TEST_CERT_GOST).unwrap();
    assert!(x509_parser::parse_x509_certificate(&pem[0]).is_ok());

    // A PEM bundle of the chain, and the same as concatenated DER.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let bundle = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n\
         -----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        b64.encode(CA_CERT),
        b64.encode(ROOT_CERT)
    );
    let chain = decode_certificate_file(bundle.as_bytes()).unwrap();
    assert_eq!(
        chain,
        vec![Cow::Borrowed(CA_CERT), Cow::Borrowed(ROOT_CERT)]
    );
    let concatenated = [CA_CERT, ROOT_CERT].concat();
    assert_eq!(decode_certificate_file(&concatenated).unwrap(), chain);

    // CRLs: DER and PEM; x509-parser reads what comes out.
    assert_eq!(
        decode_crl_file(CA_CRL).unwrap(),
        vec![Cow::Borrowed(CA_CRL)]
    );
    let pem_crls = format!(
        "-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
        b64.encode(CA_CRL),
        b64.encode(CA_DELTA_CRL)
    );
    let crls = decode_crl_file(pem_crls.as_bytes()).unwrap();
    assert_eq!(crls.len(), 2);
    for crl in &crls {
        assert!(x509_parser::parse_x509_crl(crl).is_ok());
    }
}
