//! The IIN/BIN check digit, with hand-computed numbers.

use crate::identity::NumberError;
use crate::identity::number::{
    IinBirth, Sex, check_digit, iin_birth, is_well_formed, parse_digits, validate_check_digit,
};

/// 900101300007: 9·1 + 1·4 + 1·6 + 3·7 = 40 ≡ 7 (mod 11): the first weighting gives 7.
#[test]
fn first_weighting() {
    assert_eq!(check_digit(&[9, 0, 0, 1, 0, 1, 3, 0, 0, 0, 0]), Some(7));
    assert_eq!(validate_check_digit("900101300007"), Ok(()));
    assert_eq!(
        validate_check_digit("900101300008"),
        Err(NumberError::CheckDigit {
            expected: 7,
            found: 8
        })
    );
}

/// 90010130081x: the first weighting gives 9 + 4 + 6 + 21 + 8·10 + 1·11 = 131 ≡ 10, so the
/// second applies: 9·3 + 1·6 + 1·8 + 3·9 + 8·1 + 1·2 = 78 ≡ 1.
#[test]
fn second_weighting() {
    assert_eq!(check_digit(&[9, 0, 0, 1, 0, 1, 3, 0, 0, 8, 1]), Some(1));
    assert_eq!(validate_check_digit("900101300811"), Ok(()));
    assert_eq!(
        validate_check_digit("900101300810"),
        Err(NumberError::CheckDigit {
            expected: 1,
            found: 0
        })
    );
}

/// 90010130080x: 9 + 4 + 6 + 21 + 80 = 120 ≡ 10, then 27 + 6 + 8 + 27 + 8 = 76 ≡ 10: no
/// check digit exists, whatever the twelfth digit.
#[test]
fn both_weightings_give_ten() {
    assert_eq!(check_digit(&[9, 0, 0, 1, 0, 1, 3, 0, 0, 8, 0]), None);
    for last in 0..=9 {
        assert_eq!(
            validate_check_digit(&format!("90010130080{last}")),
            Err(NumberError::NoCheckDigit)
        );
    }
}

/// The NCA test numbers fail: 12345678901 gives 1+4+9+…+81+0+11 = 296 ≡ 10, then
/// 3+8+15+…+99+0+2 = 377 ≡ 3; 12345678902 gives 307 ≡ 10, then 379 ≡ 5.
#[test]
fn nca_test_numbers_fail() {
    assert_eq!(
        validate_check_digit("123456789011"),
        Err(NumberError::CheckDigit {
            expected: 3,
            found: 1
        })
    );
    assert_eq!(
        validate_check_digit("123456789012"),
        Err(NumberError::CheckDigit {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        validate_check_digit("123456789021"),
        Err(NumberError::CheckDigit {
            expected: 5,
            found: 1
        })
    );
    assert_eq!(validate_check_digit("123456789013"), Ok(()));
    assert_eq!(validate_check_digit("123456789025"), Ok(()));
}

#[test]
fn zeros_are_valid() {
    assert_eq!(check_digit(&[0; 11]), Some(0));
    assert_eq!(validate_check_digit("000000000000"), Ok(()));
}

#[test]
fn format() {
    assert_eq!(parse_digits("123456789011").unwrap()[11], 1);
    assert_eq!(
        validate_check_digit("12345678901"),
        Err(NumberError::Length { len: 11 })
    );
    assert_eq!(
        validate_check_digit("1234567890113"),
        Err(NumberError::Length { len: 13 })
    );
    assert_eq!(
        validate_check_digit(""),
        Err(NumberError::Length { len: 0 })
    );
    assert_eq!(
        validate_check_digit("IIN123456789"),
        Err(NumberError::NotDigits)
    );
    assert_eq!(
        validate_check_digit("12345678901 "),
        Err(NumberError::NotDigits)
    );
    assert_eq!(
        validate_check_digit("１２３４５６７８９０１１"), // full-width digits: 36 bytes
        Err(NumberError::Length { len: 12 })
    );
    assert_eq!(
        validate_check_digit("12345678901٣"), // Arabic-Indic digit: 13 bytes
        Err(NumberError::Length { len: 12 })
    );
    assert!(is_well_formed("123456789011"));
    assert!(!is_well_formed("+23456789011"));
}

#[test]
fn iin_birth_dates() {
    assert_eq!(
        iin_birth("900101300007"),
        Some(IinBirth {
            year: 1990,
            month: 1,
            day: 1,
            sex: Sex::Male
        })
    );
    assert_eq!(
        iin_birth("000229600000"),
        Some(IinBirth {
            year: 2000,
            month: 2,
            day: 29,
            sex: Sex::Female
        })
    );
    assert_eq!(iin_birth("990229400000"), None); // 1999 is not a leap year
    assert_eq!(iin_birth("900101700007"), None); // century digit 7
    assert_eq!(iin_birth("900101000007"), None); // century digit 0
    assert_eq!(iin_birth("901301300007"), None); // month 13
    assert_eq!(iin_birth("900431300007"), None); // 31 April
    assert_eq!(iin_birth("123456789011"), None); // the NCA test IIN: month 34
    assert_eq!(iin_birth("90010130000"), None);
}
