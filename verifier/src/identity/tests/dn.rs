//! Hand-built subject names: malformed values, repeated and conflicting attributes, and the
//! first name taken from CN.

use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use crate::identity::strings::StringError;
use crate::identity::subject::Subject;
use crate::identity::{IdentityError, IdentityNote, first_name_from_common_name};

const CN: &[u8] = &[0x55, 0x04, 0x03];
const SURNAME: &[u8] = &[0x55, 0x04, 0x04];
const SERIAL: &[u8] = &[0x55, 0x04, 0x05];
const OU: &[u8] = &[0x55, 0x04, 0x0b];
const GIVEN_NAME: &[u8] = &[0x55, 0x04, 0x2a];
const BUSINESS_CATEGORY: &[u8] = &[0x55, 0x04, 0x0f];
const UID: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01];

const UTF8: u8 = 0x0c;
const PRINTABLE: u8 = 0x13;
const BMP: u8 = 0x1e;
const OCTET_STRING: u8 = 0x04;

use crate::test_support::der_tlv as tlv;

/// A Name with one single-attribute RDN per `(type, tag, value)`.
fn name(attributes: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
    let rdns: Vec<u8> = attributes
        .iter()
        .flat_map(|(oid, tag, value)| {
            let atv = tlv(0x30, &[tlv(0x06, oid), tlv(*tag, value)].concat());
            tlv(0x31, &atv)
        })
        .collect();
    tlv(0x30, &rdns)
}

fn read(attributes: &[(&[u8], u8, &[u8])]) -> Result<Subject, IdentityError> {
    let der = name(attributes);
    let (rest, name) = X509Name::from_der(&der).unwrap();
    assert!(rest.is_empty());
    Subject::read(&name)
}

#[test]
fn bmp_names_decode() {
    // "ТЕСТ" as BMPString, the IIN as PrintableString.
    let bmp = [0x04, 0x22, 0x04, 0x15, 0x04, 0x21, 0x04, 0x22];
    let subject = read(&[
        (SURNAME, BMP, &bmp),
        (SERIAL, PRINTABLE, b"IIN900101300007"),
    ])
    .unwrap();
    assert_eq!(subject.surname.as_deref(), Some("ТЕСТ"));
    assert_eq!(subject.iin.as_deref(), Some("900101300007"));
}

#[test]
fn malformed_known_attributes_are_errors() {
    for (oid, tag, value, error) in [
        (CN, UTF8, &b"\xd0"[..], StringError::InvalidUtf8),
        (
            SURNAME,
            BMP,
            &[0x04, 0x22, 0x04][..],
            StringError::BadLength {
                kind: crate::identity::strings::StringKind::Bmp,
                len: 3,
            },
        ),
        (
            SERIAL,
            PRINTABLE,
            b"IIN123456789011\0",
            StringError::ControlCharacter { code: 0 },
        ),
        (
            GIVEN_NAME,
            OCTET_STRING,
            b"x",
            StringError::NotAString {
                tag: 4,
                universal: true,
            },
        ),
    ] {
        assert_eq!(
            read(&[(oid, tag, value)]).unwrap_err(),
            IdentityError::Attribute {
                oid: x509_parser::der_parser::oid::Oid::new(oid.into()).to_id_string(),
                error
            }
        );
    }
}

#[test]
fn malformed_other_attributes_are_skipped_with_a_note() {
    let subject = read(&[
        (BUSINESS_CATEGORY, UTF8, b"\xff"),
        (CN, UTF8, "ТЕСТОВ ТЕСТ".as_bytes()),
    ])
    .unwrap();
    assert_eq!(subject.common_name.as_deref(), Some("ТЕСТОВ ТЕСТ"));
    assert!(subject.other_attributes.is_empty());
    assert_eq!(
        subject.notes,
        [IdentityNote::UndecodableAttribute {
            oid: "2.5.4.15".into(),
            error: StringError::InvalidUtf8.to_string()
        }]
    );
}

#[test]
fn malformed_iin_and_bin_are_notes_not_numbers() {
    let subject = read(&[
        (SERIAL, PRINTABLE, b"IIN12345678901"),
        (OU, UTF8, b"BIN12345678902X"),
        (OU, UTF8, b"Department"),
    ])
    .unwrap();
    assert_eq!(subject.iin, None);
    assert_eq!(subject.bin, None);
    assert_eq!(subject.serial_number.as_deref(), Some("IIN12345678901"));
    assert_eq!(
        subject.notes,
        [
            IdentityNote::MalformedIin {
                serial_number: "IIN12345678901".into()
            },
            IdentityNote::MalformedBin {
                organizational_unit: "BIN12345678902X".into()
            }
        ]
    );
    let others: Vec<&str> = subject
        .other_attributes
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    assert_eq!(others, ["BIN12345678902X", "Department"]);
    // Lower case or other prefixes are not an IIN.
    let subject = read(&[(SERIAL, PRINTABLE, b"iin123456789011")]).unwrap();
    assert_eq!(subject.iin, None);
    assert!(subject.notes.is_empty());
}

#[test]
fn conflicting_identifiers_are_errors() {
    assert_eq!(
        read(&[
            (SERIAL, PRINTABLE, b"IIN123456789011"),
            (SERIAL, PRINTABLE, b"IIN123456789012"),
        ])
        .unwrap_err(),
        IdentityError::Conflicting {
            what: "IIN",
            first: "123456789011".into(),
            second: "123456789012".into()
        }
    );
    assert!(matches!(
        read(&[
            (OU, UTF8, b"BIN123456789021"),
            (OU, UTF8, b"BIN123456789022")
        ]),
        Err(IdentityError::Conflicting { what: "BIN", .. })
    ));
    assert!(matches!(
        read(&[(UID, UTF8, b"1.2.3"), (UID, UTF8, b"1.2.4")]),
        Err(IdentityError::Conflicting { what: "UID", .. })
    ));
    // The same value twice is fine.
    let subject = read(&[
        (SERIAL, PRINTABLE, b"IIN123456789011"),
        (SERIAL, PRINTABLE, b"IIN123456789011"),
        (OU, UTF8, b"BIN123456789021"),
        (OU, UTF8, b"BIN123456789021"),
    ])
    .unwrap();
    assert_eq!(subject.iin.as_deref(), Some("123456789011"));
    assert_eq!(subject.bin.as_deref(), Some("123456789021"));
    assert!(subject.notes.is_empty());
}

#[test]
fn repeated_names_keep_the_first() {
    let subject = read(&[
        (CN, UTF8, "ТЕСТОВ ТЕСТ".as_bytes()),
        (CN, UTF8, "ДРУГОЙ".as_bytes()),
    ])
    .unwrap();
    assert_eq!(subject.common_name.as_deref(), Some("ТЕСТОВ ТЕСТ"));
    assert_eq!(
        subject.notes,
        [IdentityNote::DuplicateAttribute {
            oid: "2.5.4.3".into(),
            ignored: "ДРУГОЙ".into()
        }]
    );
}

#[test]
fn first_name_from_cn() {
    let f = first_name_from_common_name;
    assert_eq!(
        f("ТЕСТОВ ТЕСТ", "ТЕСТОВ", Some("ТЕСТОВИЧ")).as_deref(),
        Some("ТЕСТ")
    );
    assert_eq!(
        f("ТЕСТОВ ТЕСТ ТЕСТОВИЧ", "ТЕСТОВ", Some("ТЕСТОВИЧ")).as_deref(),
        Some("ТЕСТ")
    );
    assert_eq!(
        f("  ТЕСТОВ   ТЕСТ  ", "ТЕСТОВ", None).as_deref(),
        Some("ТЕСТ")
    );
    assert_eq!(
        f("ӘБДІҚАДЫРОВА АННА-МАРИЯ", "ӘБДІҚАДЫРОВА", None).as_deref(),
        Some("АННА-МАРИЯ")
    );
    // A name that only ends like the patronymic keeps it.
    assert_eq!(
        f("ТЕСТОВ ИВАНОВИЧ", "ТЕСТОВ", Some("ИВАНОВИЧ")).as_deref(),
        Some("ИВАНОВИЧ")
    );
    assert_eq!(f("ТЕСТОВ", "ТЕСТОВ", None), None);
    assert_eq!(f("ТЕСТОВА ТЕСТ", "ТЕСТОВ", None), None);
    assert_eq!(f("ИВАНОВ ИВАН", "ТЕСТОВ", None), None);
    assert_eq!(f("ИС \"Тест\"", "", None), None);
    assert_eq!(f("", "", None), None);
}
