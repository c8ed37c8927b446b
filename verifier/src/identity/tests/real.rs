//! Identities of the real NCA test certificates.

use super::fixtures::{
    CA_CERT, INDIVIDUAL_SIGNER, LEGAL_SIGNER, NCANODE_KEYS, ROOT_CERT, TEST_CERT_GOST,
};
use super::{identity_of_file, identity_of_p12};
use crate::identity::{DnAttribute, Identity, KeyUsageBits, Role, SubjectKind};

/// digitalSignature + nonRepudiation + keyAgreement: the GOST-2015 single key.
const GOST_2015_KEY: KeyUsageBits = KeyUsageBits {
    digital_signature: true,
    non_repudiation: true,
    key_encipherment: false,
    key_agreement: true,
    key_cert_sign: false,
    crl_sign: false,
};

const POLICY_GOST_2015: &str = "1.2.398.3.3.2";

fn s(value: &str) -> Option<String> {
    Some(value.to_owned())
}

/// The person "ТЕСТОВ ТЕСТ ТЕСТОВИЧ", IIN 123456789011 (individual and head certificates).
fn assert_testov(id: &Identity) {
    assert_eq!(id.common_name, s("ТЕСТОВ ТЕСТ"));
    assert_eq!(id.surname, s("ТЕСТОВ"));
    assert_eq!(id.first_name, s("ТЕСТ"));
    assert_eq!(id.patronymic, s("ТЕСТОВИЧ"));
    assert_eq!(id.serial_number, s("IIN123456789011"));
    assert_eq!(id.iin, s("123456789011"));
    assert_eq!(id.country, s("KZ"));
    assert_eq!(id.uid, None);
    assert_eq!(id.email, None);
    assert_eq!(id.key_usage, Some(GOST_2015_KEY));
    assert_eq!(id.certificate_policies, [POLICY_GOST_2015]);
    assert!(id.notes.is_empty(), "{:?}", id.notes);
}

/// The person "ТЕСТТОВ ТЕСТТ ТЕСТТОВИЧ", IIN 123456789012, of АО "ТЕСТ", BIN 123456789021.
fn assert_testtov_employee(id: &Identity) {
    assert_eq!(id.kind, SubjectKind::LegalEntityEmployee);
    assert_eq!(id.common_name, s("ТЕСТТОВ ТЕСТТ"));
    assert_eq!(id.surname, s("ТЕСТТОВ"));
    assert_eq!(id.first_name, s("ТЕСТТ"));
    assert_eq!(id.patronymic, s("ТЕСТТОВИЧ"));
    assert_eq!(id.iin, s("123456789012"));
    assert_eq!(id.organization, s("АО \"ТЕСТ\""));
    assert_eq!(id.bin, s("123456789021"));
    assert_eq!(id.country, s("KZ"));
    assert!(id.notes.is_empty(), "{:?}", id.notes);
}

#[test]
fn skarm_individual_signer() {
    let id = identity_of_file(INDIVIDUAL_SIGNER);
    assert_testov(&id);
    assert_eq!(id.kind, SubjectKind::Individual);
    assert_eq!(id.organization, None);
    assert_eq!(id.bin, None);
    assert_eq!(id.roles, [Role::SigningKey, Role::Individual]);
    assert_eq!(
        id.extended_key_usage,
        ["1.3.6.1.5.5.7.3.4", "1.2.398.3.3.4.1.1"]
    );
    assert!(!id.extended_key_usage_critical);
    assert!(id.other_attributes.is_empty());
    assert!(!id.is_authentication_only());
}

#[test]
fn skarm_legal_entity_signer() {
    let id = identity_of_file(LEGAL_SIGNER);
    assert_testov(&id);
    assert_eq!(id.kind, SubjectKind::LegalEntityEmployee);
    assert_eq!(id.organization, s("АО \"ТЕСТ\""));
    assert_eq!(id.bin, s("123456789021"));
    assert_eq!(
        id.roles,
        [Role::SigningKey, Role::LegalEntity, Role::FirstHead]
    );
    assert!(id.other_attributes.is_empty());
}

/// The 2018 GOST 34.310-2004 signer of `test_CMS_GOST.txt` (PEM): an HR officer with a city and
/// region, the old two-purpose key usage and the GOST-2004 signing policy.
#[test]
fn skarm_gost_2004_hr_officer() {
    let id = identity_of_file(TEST_CERT_GOST);
    assert_testtov_employee(&id);
    assert_eq!(id.locality, s("АЛМАТЫ"));
    assert_eq!(id.region, s("АЛМАТЫ"));
    assert_eq!(
        id.roles,
        [Role::SigningKey, Role::LegalEntity, Role::HumanResources]
    );
    assert_eq!(
        id.key_usage,
        Some(KeyUsageBits {
            digital_signature: true,
            non_repudiation: true,
            ..KeyUsageBits::default()
        })
    );
    assert_eq!(id.certificate_policies, ["1.2.398.3.3.2.1"]);
}

#[test]
fn ncanode_individual() {
    let id = identity_of_p12("individual/valid/individual_valid.p12");
    assert_testov(&id);
    assert_eq!(id.kind, SubjectKind::Individual);
    assert_eq!(id.bin, None);
    assert_eq!(id.roles, [Role::SigningKey, Role::Individual]);
}

#[test]
fn ncanode_head() {
    let id = identity_of_p12("legal/valid/head.p12");
    assert_testov(&id);
    assert_eq!(id.kind, SubjectKind::LegalEntityEmployee);
    assert_eq!(id.bin, s("123456789021"));
    assert_eq!(
        id.roles,
        [Role::SigningKey, Role::LegalEntity, Role::FirstHead]
    );
    assert!(!id.extended_key_usage_critical);
}

#[test]
fn ncanode_employee() {
    let id = identity_of_p12("legal/valid/employee.p12");
    assert_testtov_employee(&id);
    assert_eq!(
        id.roles,
        [Role::SigningKey, Role::LegalEntity, Role::Employee]
    );
    assert!(!id.extended_key_usage_critical);
    assert_eq!(id.key_usage, Some(GOST_2015_KEY));
}

#[test]
fn ncanode_employee_with_right_to_sign_has_a_critical_eku() {
    let id = identity_of_p12("legal/valid/employee_signright.p12");
    assert_testtov_employee(&id);
    assert_eq!(
        id.roles,
        [Role::SigningKey, Role::LegalEntity, Role::RightToSign]
    );
    assert!(id.extended_key_usage_critical);
    assert_eq!(
        id.extended_key_usage,
        [
            "1.3.6.1.5.5.7.3.4",
            "1.2.398.3.3.4.1.2",
            "1.2.398.3.3.4.1.2.2"
        ]
    );
}

/// `infosystem.p12` holds the treasury-client certificate (upstream swapped the names).
#[test]
fn ncanode_treasury_client() {
    let id = identity_of_p12("legal/valid/infosystem.p12");
    assert_testtov_employee(&id);
    assert_eq!(
        id.roles,
        [Role::SigningKey, Role::LegalEntity, Role::TreasuryClient]
    );
    assert_eq!(
        id.other_attributes,
        [
            DnAttribute {
                oid: "0.9.2342.19200300.100.1.25".into(), // DC
                value: "ROLE02".into()
            },
            DnAttribute {
                oid: "2.5.4.15".into(), // businessCategory
                value: "KS1234".into()
            },
        ]
    );
}

/// `treasury_client.p12` holds the information-system certificate: a UID and a BIN, no IIN, no
/// person's names, and no emailProtection.
#[test]
fn ncanode_information_system() {
    let id = identity_of_p12("legal/valid/treasury_client.p12");
    assert_eq!(id.kind, SubjectKind::InformationSystem);
    assert_eq!(id.common_name, s("ИС \"Тест\""));
    assert_eq!(id.uid, s("1.2.398.6.10.1.1"));
    assert_eq!(id.iin, None);
    assert_eq!(id.serial_number, None);
    assert_eq!(id.surname, None);
    assert_eq!(id.first_name, None);
    assert_eq!(id.patronymic, None);
    assert_eq!(id.organization, s("АО \"ТЕСТ\""));
    assert_eq!(id.bin, s("123456789021"));
    assert_eq!(id.roles, [Role::LegalEntity, Role::InformationSystem]);
    assert!(!id.has_role(&Role::SigningKey));
    assert_eq!(id.key_usage, Some(GOST_2015_KEY));
    assert!(id.notes.is_empty());
}

/// The revoked certificates name the same subjects as their valid counterparts.
#[test]
fn ncanode_revoked_certificates_match_the_valid_ones() {
    for (path, _, _) in NCANODE_KEYS
        .iter()
        .filter(|(p, _, _)| p.contains("/revoked/"))
    {
        let revoked = identity_of_p12(path);
        let valid = identity_of_p12(
            &path
                .replace("/revoked/", "/valid/")
                .replace("individual_revoked.p12", "individual_valid.p12"),
        );
        assert_eq!(revoked, valid, "{path}");
    }
}

#[test]
fn ca_certificates_name_no_person() {
    for (file, name, policy) in [
        (
            ROOT_CERT,
            "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022",
            "1.2.398.3.1.2",
        ),
        (
            CA_CERT,
            "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022",
            "1.2.398.3.3.2",
        ),
    ] {
        let id = identity_of_file(file);
        assert_eq!(id.kind, SubjectKind::Other, "{name}");
        assert_eq!(id.common_name.as_deref(), Some(name));
        assert_eq!(id.country, s("KZ"));
        assert_eq!((&id.iin, &id.bin, &id.uid), (&None, &None, &None));
        assert_eq!((&id.surname, &id.first_name), (&None, &None));
        assert!(id.roles.is_empty());
        assert_eq!(
            id.key_usage,
            Some(KeyUsageBits {
                key_cert_sign: true,
                crl_sign: true,
                ..KeyUsageBits::default()
            })
        );
        assert_eq!(id.certificate_policies, [policy]);
    }
}

#[test]
fn garbage_is_not_a_certificate() {
    for input in [&b""[..], b"\x30\x03\x02\x01\x00", b"not a certificate"] {
        assert!(matches!(
            Identity::from_der(input),
            Err(crate::identity::IdentityError::Certificate { .. })
        ));
    }
}
