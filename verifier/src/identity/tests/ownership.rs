//! Ownership checks against the real NCA test certificates.

use super::fixtures::{CA_CERT, INDIVIDUAL_SIGNER, LEGAL_SIGNER};
use super::{identity_of_file, identity_of_p12};
use crate::identity::{
    Expectation, NumberError, OwnershipMismatch, OwnershipOptions, Role, check, check_numbers,
};

const LAX: OwnershipOptions = OwnershipOptions {
    enforce_check_digits: false,
};
const STRICT: OwnershipOptions = OwnershipOptions {
    enforce_check_digits: true,
};

fn expect(iin: Option<&str>, bin: Option<&str>, roles: &[Role]) -> Expectation {
    Expectation {
        iin: iin.map(Into::into),
        bin: bin.map(Into::into),
        roles: roles.to_vec(),
    }
}

#[test]
fn defaults_do_not_enforce_check_digits() {
    assert!(!OwnershipOptions::default().enforce_check_digits);
    assert_eq!(Expectation::default(), expect(None, None, &[]));
}

#[test]
fn right_iin_passes() {
    let id = identity_of_file(INDIVIDUAL_SIGNER);
    assert_eq!(
        check(&id, &expect(Some("123456789011"), None, &[]), &LAX),
        Ok(())
    );
    assert_eq!(
        check(
            &id,
            &expect(
                Some("123456789011"),
                None,
                &[Role::Individual, Role::SigningKey]
            ),
            &LAX
        ),
        Ok(())
    );
    assert_eq!(check(&id, &Expectation::default(), &LAX), Ok(()));
}

#[test]
fn wrong_iin_reports_both_values() {
    let id = identity_of_file(INDIVIDUAL_SIGNER);
    let mismatch = check(&id, &expect(Some("123456789012"), None, &[]), &LAX).unwrap_err();
    assert_eq!(
        mismatch,
        OwnershipMismatch::IinDiffers {
            expected: "123456789012".into(),
            actual: "123456789011".into()
        }
    );
    assert!(!mismatch.is_caller_error());
    let message = mismatch.to_string();
    assert!(message.contains("123456789012") && message.contains("123456789011"));
}

#[test]
fn bin_checks() {
    let legal = identity_of_file(LEGAL_SIGNER);
    let right = expect(
        Some("123456789011"),
        Some("123456789021"),
        &[Role::FirstHead],
    );
    assert_eq!(check(&legal, &right, &LAX), Ok(()));
    assert_eq!(
        check(&legal, &expect(None, Some("123456789022"), &[]), &LAX),
        Err(OwnershipMismatch::BinDiffers {
            expected: "123456789022".into(),
            actual: "123456789021".into()
        })
    );
    // Right IIN but wrong BIN: every given field must match.
    assert!(matches!(
        check(
            &legal,
            &expect(Some("123456789011"), Some("000000000000"), &[]),
            &LAX
        ),
        Err(OwnershipMismatch::BinDiffers { .. })
    ));
    // An individual's certificate has no BIN.
    let individual = identity_of_file(INDIVIDUAL_SIGNER);
    assert_eq!(
        check(&individual, &expect(None, Some("123456789021"), &[]), &LAX),
        Err(OwnershipMismatch::MissingBin {
            expected: "123456789021".into()
        })
    );
}

#[test]
fn missing_role() {
    let legal = identity_of_file(LEGAL_SIGNER);
    assert_eq!(
        check(&legal, &expect(None, None, &[Role::RightToSign]), &LAX),
        Err(OwnershipMismatch::RoleMissing {
            role: Role::RightToSign
        })
    );
    let signright = identity_of_p12("legal/valid/employee_signright.p12");
    assert_eq!(
        check(
            &signright,
            &expect(None, Some("123456789021"), &[Role::RightToSign]),
            &LAX
        ),
        Ok(())
    );
    assert_eq!(
        check(
            &signright,
            &expect(None, None, &[Role::Other("1.2.3.4".into())]),
            &LAX
        ),
        Err(OwnershipMismatch::RoleMissing {
            role: Role::Other("1.2.3.4".into())
        })
    );
}

/// The information system has a BIN and no IIN.
#[test]
fn information_system_matches_by_bin_only() {
    let system = identity_of_p12("legal/valid/treasury_client.p12");
    assert_eq!(
        check(
            &system,
            &expect(None, Some("123456789021"), &[Role::InformationSystem]),
            &LAX
        ),
        Ok(())
    );
    assert_eq!(
        check(&system, &expect(Some("123456789011"), None, &[]), &LAX),
        Err(OwnershipMismatch::MissingIin {
            expected: "123456789011".into()
        })
    );
}

#[test]
fn a_ca_certificate_owns_nothing() {
    let ca = identity_of_file(CA_CERT);
    assert!(matches!(
        check(&ca, &expect(Some("123456789011"), None, &[]), &LAX),
        Err(OwnershipMismatch::MissingIin { .. })
    ));
    assert!(matches!(
        check(&ca, &expect(None, Some("123456789021"), &[]), &LAX),
        Err(OwnershipMismatch::MissingBin { .. })
    ));
}

#[test]
fn check_digit_enforcement_refuses_the_test_certificates() {
    let individual = identity_of_file(INDIVIDUAL_SIGNER);
    let by_iin = expect(Some("123456789011"), None, &[]);
    assert_eq!(check(&individual, &by_iin, &LAX), Ok(()));
    // The caller's own value is judged first.
    assert_eq!(
        check(&individual, &by_iin, &STRICT),
        Err(OwnershipMismatch::InvalidExpectedIin {
            value: "123456789011".into(),
            reason: NumberError::CheckDigit {
                expected: 3,
                found: 1
            }
        })
    );
    // With nothing expected, or a valid expected number, the certificate's numbers are judged.
    assert_eq!(
        check(&individual, &Expectation::default(), &STRICT),
        Err(OwnershipMismatch::MalformedIin {
            actual: "123456789011".into(),
            reason: NumberError::CheckDigit {
                expected: 3,
                found: 1
            }
        })
    );
    assert!(matches!(
        check(
            &individual,
            &expect(Some("900101300007"), None, &[]),
            &STRICT
        ),
        Err(OwnershipMismatch::MalformedIin { .. })
    ));

    // The information system has only a BIN, which fails too.
    let system = identity_of_p12("legal/valid/treasury_client.p12");
    assert_eq!(check(&system, &Expectation::default(), &LAX), Ok(()));
    assert_eq!(
        check_numbers(&system),
        Err(OwnershipMismatch::MalformedBin {
            actual: "123456789021".into(),
            reason: NumberError::CheckDigit {
                expected: 5,
                found: 1
            }
        })
    );
    assert!(matches!(
        check(&system, &expect(None, Some("123456789025"), &[]), &STRICT),
        Err(OwnershipMismatch::MalformedBin { .. })
    ));
    // A certificate without numbers passes the enforcement.
    assert_eq!(check_numbers(&identity_of_file(CA_CERT)), Ok(()));
}

#[test]
fn malformed_expectations_are_caller_errors() {
    let id = identity_of_file(INDIVIDUAL_SIGNER);
    for (iin, reason) in [
        ("12345678901", NumberError::Length { len: 11 }),
        ("IIN123456789011", NumberError::Length { len: 15 }),
        ("12345678901x", NumberError::NotDigits),
        (" 23456789011", NumberError::NotDigits),
    ] {
        for options in [LAX, STRICT] {
            let mismatch = check(&id, &expect(Some(iin), None, &[]), &options).unwrap_err();
            assert_eq!(
                mismatch,
                OwnershipMismatch::InvalidExpectedIin {
                    value: iin.into(),
                    reason
                }
            );
            assert!(mismatch.is_caller_error());
        }
    }
    // A bad BIN is reported as such even when the IIN already differs.
    let mismatch = check(&id, &expect(Some("000000000000"), Some("BIN1"), &[]), &LAX).unwrap_err();
    assert_eq!(
        mismatch,
        OwnershipMismatch::InvalidExpectedBin {
            value: "BIN1".into(),
            reason: NumberError::Length { len: 4 }
        }
    );
    assert!(mismatch.is_caller_error());
    assert!(
        !OwnershipMismatch::RoleMissing {
            role: Role::Employee
        }
        .is_caller_error()
    );
}
