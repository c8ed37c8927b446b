//! Hand-built SignedData covering what the real signatures do not: several signers, a
//! subjectKeyIdentifier, unsorted attributes, ESS v1 and v2 with issuerSerial, CRLs and other
//! revocation info, GeneralizedTime, BER throughout, and every structural error.

use std::borrow::Cow;

use super::encode::{Mode, cons, int, null, octets, octets_tagged, oid, prim, seq, set};
use super::fixtures::{CA_CERT, CA_CRL, ROOT_CERT};
use crate::ber::{BerError, MAX_DEPTH, Tag};
use crate::cms::{
    CertificateChoice, CmsError, RevocationInfoChoice, SignedData, SignerIdentifier,
    parse_signed_data,
};
use crate::oid as oids;
use crate::time::TimeEncoding;

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const COUNTERSIGNATURE: &str = "1.2.840.113549.1.9.6";
const SIGNING_CERTIFICATE: &str = "1.2.840.113549.1.9.16.2.12";
const SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";
const TIME_STAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
const UNKNOWN_ATTRIBUTE: &str = "1.2.398.3.99.1";
const OCSP_RESPONSE_FORMAT: &str = "1.3.6.1.5.5.7.16.2";

const CONTENT: &[u8] = b"a document signed twice, long enough to be split into segments";
const DIGEST: [u8; 32] = [0xd1; 32];

/// A DER Name `CN=Test CA, C=KZ`, identical in both modes so that raw bytes compare.
fn name() -> Vec<u8> {
    let cn = seq(Mode::Der, &[&oid("2.5.4.3"), &prim(0x0c, b"Test CA")]);
    let c = seq(Mode::Der, &[&oid("2.5.4.6"), &prim(0x13, b"KZ")]);
    seq(
        Mode::Der,
        &[&set(Mode::Der, &[&cn]), &set(Mode::Der, &[&c])],
    )
}

fn alg(mode: Mode, dotted: &str, with_null: bool) -> Vec<u8> {
    if with_null {
        seq(mode, &[&oid(dotted), &null()])
    } else {
        seq(mode, &[&oid(dotted)])
    }
}

fn attribute(mode: Mode, dotted: &str, values: &[&[u8]]) -> Vec<u8> {
    seq(mode, &[&oid(dotted), &set(mode, values)])
}

fn content_info(mode: Mode, content_type: &str, content: &[u8]) -> Vec<u8> {
    seq(mode, &[&oid(content_type), &cons(mode, 0xa0, &[content])])
}

/// The attributes of signer 1, deliberately out of DER order: messageDigest first, an
/// unknown attribute, contentType, a GeneralizedTime signingTime, ESS v1 and v2.
fn signer1_attribute_list(mode: Mode) -> Vec<Vec<u8>> {
    let issuer_serial = seq(
        mode,
        &[
            &seq(mode, &[&cons(mode, 0xa4, &[&name()])]),
            &int(0x1234_5678),
        ],
    );
    let ess_v1 = seq(
        mode,
        &[&seq(
            mode,
            &[&seq(mode, &[&octets(mode, &[0x5a; 20]), &issuer_serial])],
        )],
    );
    let ess_v2 = seq(
        mode,
        &[
            &seq(
                mode,
                &[&seq(
                    mode,
                    &[
                        &alg(mode, "2.16.840.1.101.3.4.2.3", true),
                        &octets(mode, &[0x5b; 64]),
                        &issuer_serial,
                    ],
                )],
            ),
            &seq(mode, &[&seq(mode, &[&oid("2.5.29.32.0")])]),
        ],
    );
    vec![
        attribute(mode, MESSAGE_DIGEST, &[&octets(mode, &DIGEST)]),
        attribute(mode, UNKNOWN_ATTRIBUTE, &[&int(1), &int(2)]),
        attribute(mode, CONTENT_TYPE, &[&oid(ID_DATA)]),
        attribute(mode, SIGNING_TIME, &[&prim(0x18, b"20500102030405Z")]),
        attribute(mode, SIGNING_CERTIFICATE, &[&ess_v1]),
        attribute(mode, SIGNING_CERTIFICATE_V2, &[&ess_v2]),
    ]
}

fn signed_attrs(mode: Mode, list: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = list.iter().map(Vec::as_slice).collect();
    cons(mode, 0xa0, &refs)
}

/// Signer 1: issuerAndSerialNumber, signed attributes, a time-stamp token and a
/// countersignature.
fn signer1(mode: Mode) -> Vec<u8> {
    let sid = seq(mode, &[&name(), &int(0x1234_5678)]);
    let token = content_info(mode, ID_SIGNED_DATA, &seq(mode, &[&int(3)]));
    let countersignature = seq(mode, &[&int(1)]);
    let unsigned = cons(
        mode,
        0xa1,
        &[
            &attribute(mode, TIME_STAMP_TOKEN, &[&token]),
            &attribute(mode, COUNTERSIGNATURE, &[&countersignature]),
        ],
    );
    seq(
        mode,
        &[
            &int(1),
            &sid,
            &alg(mode, SHA256, false),
            &signed_attrs(mode, &signer1_attribute_list(mode)),
            &alg(mode, RSA_SHA256, true),
            &octets(mode, &[0x51; 256]),
            &unsigned,
        ],
    )
}

/// Signer 2: subjectKeyIdentifier, no signed attributes (signature over the content).
fn signer2(mode: Mode) -> Vec<u8> {
    seq(
        mode,
        &[
            &int(3),
            &octets_tagged(mode, 0x80, &[0x4b; 20]),
            &alg(mode, SHA256, true),
            &alg(mode, RSA_SHA256, true),
            &octets(mode, &[0x52; 256]),
        ],
    )
}

struct Parts {
    e_content: Option<Vec<u8>>,
    certificates: Option<Vec<Vec<u8>>>,
    crls: Option<Vec<Vec<u8>>>,
    signers: Vec<Vec<u8>>,
}

fn build(mode: Mode, parts: &Parts) -> Vec<u8> {
    let mut encap = vec![oid(ID_DATA)];
    if let Some(content) = &parts.e_content {
        encap.push(cons(mode, 0xa0, &[&octets(mode, content)]));
    }
    let encap_refs: Vec<&[u8]> = encap.iter().map(Vec::as_slice).collect();
    let mut fields = vec![
        int(1),
        set(mode, &[&alg(mode, SHA256, false)]),
        seq(mode, &encap_refs),
    ];
    if let Some(certs) = &parts.certificates {
        let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        fields.push(cons(mode, 0xa0, &refs));
    }
    if let Some(crls) = &parts.crls {
        let refs: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
        fields.push(cons(mode, 0xa1, &refs));
    }
    let signer_refs: Vec<&[u8]> = parts.signers.iter().map(Vec::as_slice).collect();
    fields.push(set(mode, &signer_refs));
    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    content_info(mode, ID_SIGNED_DATA, &seq(mode, &refs))
}

fn full(mode: Mode) -> Vec<u8> {
    let other_cert = cons(mode, 0xa3, &[&oid("1.2.3.4"), &int(7)]);
    let other_rev = cons(
        mode,
        0xa1,
        &[&oid(OCSP_RESPONSE_FORMAT), &seq(mode, &[&int(0)])],
    );
    build(
        mode,
        &Parts {
            e_content: Some(CONTENT.to_vec()),
            certificates: Some(vec![ROOT_CERT.to_vec(), other_cert, CA_CERT.to_vec()]),
            crls: Some(vec![CA_CRL.to_vec(), other_rev]),
            signers: vec![signer1(mode), signer2(mode)],
        },
    )
}

/// The parsed values, without raw spans, as owned data to compare between encodings.
#[derive(Debug, PartialEq)]
struct Summary {
    text: Vec<String>,
}

fn summarize(sd: &SignedData<'_>) -> Summary {
    let mut text = vec![
        format!("version {}", sd.version),
        format!(
            "digests {:?}",
            sd.digest_algorithms
                .iter()
                .map(|a| a.algorithm)
                .collect::<Vec<_>>()
        ),
        format!("eContentType {}", sd.encap_content_info.e_content_type),
        format!("eContent {:?}", sd.content()),
        format!(
            "certificates {:?}",
            sd.x509_certificates().collect::<Vec<_>>()
        ),
        format!(
            "other certificates {}",
            sd.certificates.len() - sd.x509_certificates().count()
        ),
        format!("crls {:?}", sd.x509_crls().collect::<Vec<_>>()),
    ];
    for crl in &sd.crls {
        if let RevocationInfoChoice::Other { format, .. } = crl {
            text.push(format!("other revocation info {format}"));
        }
    }
    for si in &sd.signer_infos {
        text.push(format!("signer version {} sid {:?}", si.version, si.sid));
        text.push(format!(
            "algorithms {} {:?} {} {:?}",
            si.digest_algorithm.algorithm,
            si.digest_algorithm.parameters,
            si.signature_algorithm.algorithm,
            si.signature_algorithm.parameters
        ));
        text.push(format!("signature {:?}", si.signature));
        if let Some(attrs) = &si.signed_attrs {
            text.push(format!(
                "attrs {:?} {} {:?} {:?}",
                attrs
                    .attributes
                    .iter()
                    .map(|a| a.attr_type)
                    .collect::<Vec<_>>(),
                attrs.content_type,
                attrs.message_digest,
                attrs.signing_time
            ));
            let v1 = attrs.signing_certificate.as_ref().unwrap();
            let id = &v1.certs[0];
            let is = id.issuer_serial.as_ref().unwrap();
            text.push(format!(
                "ess v1 {:?} {:?} {:?}",
                id.cert_hash, is.issuer_directory_name, is.serial_number
            ));
            let v2 = attrs.signing_certificate_v2.as_ref().unwrap();
            let id = &v2.certs[0];
            let is = id.issuer_serial.as_ref().unwrap();
            text.push(format!(
                "ess v2 {} {:?} {:?} {:?} {}",
                id.hash_algorithm_oid(),
                id.cert_hash,
                is.issuer_directory_name,
                is.serial_number,
                v2.policies.is_some()
            ));
        }
        if let Some(unsigned) = &si.unsigned_attrs {
            text.push(format!(
                "unsigned {:?} tokens {} countersignatures {}",
                unsigned
                    .attributes
                    .iter()
                    .map(|a| a.attr_type)
                    .collect::<Vec<_>>(),
                unsigned.signature_time_stamp_tokens().count(),
                unsigned.countersignatures().count()
            ));
        }
    }
    Summary { text }
}

#[test]
fn everything_parses_in_der() {
    let der = full(Mode::Der);
    let sd = parse_signed_data(&der).unwrap();
    assert_eq!(sd.content(), Some(CONTENT));
    assert!(matches!(
        sd.encap_content_info.e_content,
        Some(Cow::Borrowed(_))
    ));

    assert_eq!(sd.certificates.len(), 3);
    assert_eq!(
        sd.x509_certificates().collect::<Vec<_>>(),
        vec![ROOT_CERT, CA_CERT]
    );
    assert!(matches!(
        sd.certificates[1],
        CertificateChoice::Other { tag, .. } if tag == Tag::context(3, true)
    ));
    assert_eq!(sd.x509_crls().collect::<Vec<_>>(), vec![CA_CRL]);
    let RevocationInfoChoice::Other { format, info, .. } = sd.crls[1] else {
        panic!()
    };
    assert_eq!(format.to_string(), OCSP_RESPONSE_FORMAT);
    assert_eq!(info, &[0x30, 0x03, 0x02, 0x01, 0x00]);

    assert_eq!(sd.signer_infos.len(), 2);
    let (s1, s2) = (&sd.signer_infos[0], &sd.signer_infos[1]);
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &s1.sid else {
        panic!()
    };
    assert_eq!(ias.issuer, name().as_slice());
    assert_eq!(ias.serial_number, &[0x12, 0x34, 0x56, 0x78]);
    assert_eq!(s1.digest_algorithm.parameters, None);
    assert_eq!(s1.signature_algorithm.parameters, Some(&[0x05, 0x00][..]));
    assert_eq!(&*s1.signature, &[0x51; 256]);

    // signedAttrs: exactly the bytes built, in place, unsorted order kept.
    let attrs = s1.signed_attrs.as_ref().unwrap();
    let expected = signed_attrs(Mode::Der, &signer1_attribute_list(Mode::Der));
    assert_eq!(attrs.raw, expected.as_slice());
    let offset = der
        .windows(expected.len())
        .position(|w| w == expected)
        .unwrap();
    assert_eq!(attrs.raw.as_ptr(), der[offset..].as_ptr());
    let order: Vec<String> = attrs
        .attributes
        .iter()
        .map(|a| a.attr_type.to_string())
        .collect();
    assert_eq!(
        order,
        [
            MESSAGE_DIGEST,
            UNKNOWN_ATTRIBUTE,
            CONTENT_TYPE,
            SIGNING_TIME,
            SIGNING_CERTIFICATE,
            SIGNING_CERTIFICATE_V2
        ]
    );
    let mut to_verify = expected.clone();
    to_verify[0] = 0x31;
    assert_eq!(attrs.bytes_to_verify(), to_verify);

    assert_eq!(attrs.content_type, oids::ID_DATA);
    assert_eq!(&*attrs.message_digest, &DIGEST);
    let time = attrs.signing_time.unwrap();
    assert_eq!(time.to_string(), "2050-01-02T03:04:05Z");
    assert_eq!(time.encoding, TimeEncoding::GeneralizedTime);
    let unknown = attrs
        .get(&crate::oid::Oid::from_content(&oid(UNKNOWN_ATTRIBUTE)[2..]).unwrap())
        .unwrap();
    assert_eq!(
        unknown.values,
        vec![&[0x02, 0x01, 0x01][..], &[0x02, 0x01, 0x02][..]]
    );

    let v1 = attrs.signing_certificate.as_ref().unwrap();
    assert_eq!(&*v1.certs[0].cert_hash, &[0x5a; 20]);
    let is = v1.certs[0].issuer_serial.as_ref().unwrap();
    assert_eq!(is.issuer_directory_name, Some(name().as_slice()));
    assert_eq!(is.serial_number, &[0x12, 0x34, 0x56, 0x78]);
    let v2 = attrs.signing_certificate_v2.as_ref().unwrap();
    assert_eq!(
        v2.certs[0].hash_algorithm_oid().to_string(),
        "2.16.840.1.101.3.4.2.3"
    );
    assert_eq!(&*v2.certs[0].cert_hash, &[0x5b; 64]);
    assert!(v2.policies.is_some());

    let unsigned = s1.unsigned_attrs.as_ref().unwrap();
    let token = unsigned.signature_time_stamp_tokens().next().unwrap();
    assert_eq!(
        token,
        content_info(Mode::Der, ID_SIGNED_DATA, &seq(Mode::Der, &[&int(3)]))
    );
    assert_eq!(
        unsigned.countersignatures().collect::<Vec<_>>(),
        vec![&[0x30, 0x03, 0x02, 0x01, 0x01][..]]
    );

    assert_eq!(s2.version, 3);
    assert_eq!(
        s2.sid,
        SignerIdentifier::SubjectKeyIdentifier(Cow::Borrowed(&[0x4b; 20]))
    );
    assert!(s2.signed_attrs.is_none());
    assert!(s2.unsigned_attrs.is_none());
}

#[test]
fn der_and_indefinite_ber_give_the_same_values() {
    let der = full(Mode::Der);
    let ber = full(Mode::Ber);
    assert_ne!(der, ber);
    let from_der = parse_signed_data(&der).unwrap();
    let from_ber = parse_signed_data(&ber).unwrap();
    assert_eq!(summarize(&from_ber), summarize(&from_der));
    // Raw spans are those of the BER input itself.
    let attrs = from_ber.signer_infos[0].signed_attrs.as_ref().unwrap();
    let expected = signed_attrs(Mode::Ber, &signer1_attribute_list(Mode::Ber));
    assert_eq!(attrs.raw, expected.as_slice());
    assert_eq!(&attrs.bytes_to_verify()[..2], &[0x31, 0x80]);
    assert!(matches!(
        from_ber.encap_content_info.e_content,
        Some(Cow::Owned(_))
    ));
    assert!(matches!(
        from_ber.signer_infos[1].sid,
        SignerIdentifier::SubjectKeyIdentifier(Cow::Owned(_))
    ));
}

#[test]
fn no_signer_infos_parses_and_says_so() {
    for mode in [Mode::Der, Mode::Ber] {
        let input = build(
            mode,
            &Parts {
                e_content: None,
                certificates: Some(vec![ROOT_CERT.to_vec()]),
                crls: None,
                signers: vec![],
            },
        );
        let sd = parse_signed_data(&input).unwrap();
        assert!(!sd.has_signers());
        assert!(sd.is_detached());
        assert_eq!(sd.certificates.len(), 1);
    }
}

#[test]
fn empty_optional_sets_and_empty_content() {
    // certificates [0] and crls [1] present but empty, eContent of zero bytes.
    let input = build(
        Mode::Ber,
        &Parts {
            e_content: Some(vec![]),
            certificates: Some(vec![]),
            crls: Some(vec![]),
            signers: vec![signer2(Mode::Ber)],
        },
    );
    let sd = parse_signed_data(&input).unwrap();
    assert_eq!(sd.content(), Some(&[][..]));
    assert!(!sd.is_detached());
    assert!(sd.certificates.is_empty() && sd.crls.is_empty());
    assert_eq!(sd.signer_infos.len(), 1);
}

#[test]
fn not_signed_data_and_top_level_errors() {
    let data = content_info(Mode::Der, ID_DATA, &octets(Mode::Der, b"x"));
    assert_eq!(
        parse_signed_data(&data),
        Err(CmsError::NotSignedData {
            content_type: ID_DATA.to_owned()
        })
    );
    assert_eq!(parse_signed_data(&[]), Err(CmsError::EmptyInput));

    let mut trailing = full(Mode::Der);
    trailing.push(0);
    assert_eq!(
        parse_signed_data(&trailing),
        Err(CmsError::TrailingData("ContentInfo"))
    );

    let extra_in_content = seq(
        Mode::Der,
        &[
            &oid(ID_SIGNED_DATA),
            &cons(Mode::Der, 0xa0, &[&seq(Mode::Der, &[]), &int(1)]),
        ],
    );
    assert_eq!(
        parse_signed_data(&extra_in_content),
        Err(CmsError::TrailingData("ContentInfo.content"))
    );
    assert_eq!(
        parse_signed_data(&seq(Mode::Der, &[&oid(ID_SIGNED_DATA)])),
        Err(CmsError::MissingField("ContentInfo.content"))
    );
    assert!(matches!(
        parse_signed_data(&set(Mode::Der, &[])),
        Err(CmsError::UnexpectedTag {
            field: "ContentInfo",
            ..
        })
    ));
}

/// A SignedData whose single signer has `attrs` as signed attributes.
fn with_signed_attributes(attrs: &[Vec<u8>]) -> Vec<u8> {
    let signer = seq(
        Mode::Der,
        &[
            &int(1),
            &seq(Mode::Der, &[&name(), &int(1)]),
            &alg(Mode::Der, SHA256, false),
            &signed_attrs(Mode::Der, attrs),
            &alg(Mode::Der, RSA_SHA256, true),
            &octets(Mode::Der, &[1; 8]),
        ],
    );
    build(
        Mode::Der,
        &Parts {
            e_content: None,
            certificates: None,
            crls: None,
            signers: vec![signer],
        },
    )
}

#[test]
fn attribute_rules_of_rfc_5652() {
    let ct = || attribute(Mode::Der, CONTENT_TYPE, &[&oid(ID_DATA)]);
    let md = || attribute(Mode::Der, MESSAGE_DIGEST, &[&octets(Mode::Der, &DIGEST)]);
    let cases: Vec<(Vec<Vec<u8>>, CmsError)> = vec![
        (vec![], CmsError::EmptyCollection("SignerInfo.signedAttrs")),
        (vec![ct()], CmsError::MissingAttribute("messageDigest")),
        (vec![md()], CmsError::MissingAttribute("contentType")),
        (
            vec![ct(), md(), ct()],
            CmsError::DuplicateAttribute("contentType"),
        ),
        (
            vec![
                ct(),
                attribute(
                    Mode::Der,
                    MESSAGE_DIGEST,
                    &[&octets(Mode::Der, &DIGEST), &octets(Mode::Der, &DIGEST)],
                ),
            ],
            CmsError::AttributeValueCount {
                attribute: "messageDigest",
                count: 2,
            },
        ),
        (
            vec![attribute(Mode::Der, CONTENT_TYPE, &[]), md()],
            CmsError::AttributeValueCount {
                attribute: "contentType",
                count: 0,
            },
        ),
        (
            vec![
                ct(),
                md(),
                attribute(Mode::Der, SIGNING_TIME, &[&prim(0x17, b"2607200908Z")]),
            ],
            CmsError::InvalidTime {
                field: "signingTime attribute",
                reason: "time must have the form YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ (with seconds, no fraction)",
            },
        ),
        (
            vec![ct(), md(), attribute(Mode::Der, SIGNING_TIME, &[&int(5)])],
            CmsError::UnexpectedTag {
                field: "signingTime attribute",
                expected: Tag::UTC_TIME,
                found: Tag::INTEGER,
            },
        ),
        (
            vec![ct(), attribute(Mode::Der, MESSAGE_DIGEST, &[&int(5)])],
            CmsError::UnexpectedTag {
                field: "messageDigest attribute",
                expected: Tag::OCTET_STRING,
                found: Tag::INTEGER,
            },
        ),
        (
            vec![
                ct(),
                md(),
                attribute(
                    Mode::Der,
                    SIGNING_CERTIFICATE_V2,
                    &[&seq(Mode::Der, &[&seq(Mode::Der, &[])])],
                ),
            ],
            CmsError::EmptyCollection("SigningCertificateV2.certs"),
        ),
        (
            vec![ct(), md(), seq(Mode::Der, &[&oid(UNKNOWN_ATTRIBUTE)])],
            CmsError::MissingField("Attribute.attrValues"),
        ),
    ];
    for (attrs, expected) in cases {
        assert_eq!(
            parse_signed_data(&with_signed_attributes(&attrs)),
            Err(expected)
        );
    }
    // An unknown attribute with no values is tolerated.
    let ok = with_signed_attributes(&[ct(), md(), attribute(Mode::Der, UNKNOWN_ATTRIBUTE, &[])]);
    assert!(parse_signed_data(&ok).is_ok());
}

#[test]
fn structural_errors_name_the_field() {
    let bad_version = {
        let mut input = full(Mode::Der);
        // SignedData.version INTEGER 1 → -1 (0xff): ContentInfo header 4, OID 11, [0] 4, SEQ 4.
        assert_eq!(&input[23..26], &[0x02, 0x01, 0x01]);
        input[25] = 0xff;
        input
    };
    assert_eq!(
        parse_signed_data(&bad_version),
        Err(CmsError::InvalidVersion("SignedData.version"))
    );

    let e_content_not_octets = {
        let encap = seq(
            Mode::Der,
            &[&oid(ID_DATA), &cons(Mode::Der, 0xa0, &[&int(5)])],
        );
        let sd = seq(
            Mode::Der,
            &[&int(1), &set(Mode::Der, &[]), &encap, &set(Mode::Der, &[])],
        );
        content_info(Mode::Der, ID_SIGNED_DATA, &sd)
    };
    assert_eq!(
        parse_signed_data(&e_content_not_octets),
        Err(CmsError::UnexpectedTag {
            field: "EncapsulatedContentInfo.eContent",
            expected: Tag::OCTET_STRING,
            found: Tag::INTEGER
        })
    );

    let no_signer_infos = {
        let encap = seq(Mode::Der, &[&oid(ID_DATA)]);
        let sd = seq(Mode::Der, &[&int(1), &set(Mode::Der, &[]), &encap]);
        content_info(Mode::Der, ID_SIGNED_DATA, &sd)
    };
    assert_eq!(
        parse_signed_data(&no_signer_infos),
        Err(CmsError::MissingField("SignedData.signerInfos"))
    );

    let bad_certificate_choice = build(
        Mode::Der,
        &Parts {
            e_content: None,
            certificates: Some(vec![int(1)]),
            crls: None,
            signers: vec![],
        },
    );
    assert_eq!(
        parse_signed_data(&bad_certificate_choice),
        Err(CmsError::UnexpectedTag {
            field: "SignedData.certificates",
            expected: Tag::SEQUENCE,
            found: Tag::INTEGER
        })
    );

    let segmented_with_integer = {
        let bad = cons(Mode::Ber, 0x24, &[&prim(0x04, b"ab"), &int(1)]);
        let encap = seq(Mode::Der, &[&oid(ID_DATA), &cons(Mode::Der, 0xa0, &[&bad])]);
        let sd = seq(
            Mode::Der,
            &[&int(1), &set(Mode::Der, &[]), &encap, &set(Mode::Der, &[])],
        );
        content_info(Mode::Der, ID_SIGNED_DATA, &sd)
    };
    assert_eq!(
        parse_signed_data(&segmented_with_integer),
        Err(CmsError::Ber {
            field: "EncapsulatedContentInfo.eContent",
            source: BerError::InvalidSegment {
                found: Tag::INTEGER
            }
        })
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // Indefinite-length SEQUENCEs nested 100 000 deep as the SignedData.
    let mut deep = Vec::new();
    for _ in 0..100_000 {
        deep.extend([0x30, 0x80]);
    }
    deep.extend(std::iter::repeat_n(0u8, 200_000));
    let input = content_info(Mode::Ber, ID_SIGNED_DATA, &deep);
    assert_eq!(
        parse_signed_data(&input),
        Err(CmsError::Ber {
            field: "ContentInfo",
            source: BerError::NestingTooDeep { limit: MAX_DEPTH }
        })
    );

    // Definite-length constructed OCTET STRING segments nested 10 000 deep as eContent.
    let mut segments = prim(0x04, b"x");
    for _ in 0..10_000 {
        segments = prim(0x24, &segments);
    }
    let encap = seq(
        Mode::Der,
        &[&oid(ID_DATA), &cons(Mode::Der, 0xa0, &[&segments])],
    );
    let sd = seq(
        Mode::Der,
        &[&int(1), &set(Mode::Der, &[]), &encap, &set(Mode::Der, &[])],
    );
    let input = content_info(Mode::Der, ID_SIGNED_DATA, &sd);
    assert_eq!(
        parse_signed_data(&input),
        Err(CmsError::Ber {
            field: "EncapsulatedContentInfo.eContent",
            source: BerError::NestingTooDeep { limit: MAX_DEPTH }
        })
    );
}
