//! The IIN and BIN: Kazakhstan's 12-digit identification numbers for individuals and for
//! legal entities, and their check digit (`docs/nca-profile.md`, "IIN and BIN").
//!
//! Both use the same check digit: `c = Σ dᵢ·wᵢ mod 11` over the first eleven digits with
//! `w = 1, 2, …, 11`; if that gives 10, again with `w = 3, 4, …, 11, 1, 2`; if it gives 10
//! again, no check digit exists and the number is invalid. The NCA **test** certificates carry
//! numbers that fail this check (`123456789011`, `123456789012`, `BIN123456789021`), which is
//! why [`OwnershipOptions::enforce_check_digits`](super::OwnershipOptions) is off by default.

/// How many digits an IIN or a BIN has.
pub const NUMBER_LEN: usize = 12;

/// Why a string is not a valid IIN or BIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum NumberError {
    /// The number does not have exactly 12 characters.
    #[error("{len} characters instead of 12 digits")]
    Length {
        /// The length found, in characters.
        len: usize,
    },
    /// A character is not an ASCII digit.
    #[error("a character that is not a digit 0-9")]
    NotDigits,
    /// Both weightings give 10: no check digit exists for these eleven digits.
    #[error("no check digit exists for the first eleven digits")]
    NoCheckDigit,
    /// The twelfth digit is not the check digit of the first eleven.
    #[error("check digit {found} should be {expected}")]
    CheckDigit {
        /// The check digit the first eleven digits give.
        expected: u8,
        /// The twelfth digit of the number.
        found: u8,
    },
}

/// The check digit of the first eleven digits of an IIN or BIN (each 0–9), or `None` when
/// both weightings give 10 (such a number is invalid).
pub fn check_digit(digits: &[u8; 11]) -> Option<u8> {
    const FIRST: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let weigh = |weights: &[u32; 11]| -> u32 {
        digits
            .iter()
            .zip(weights)
            .map(|(&d, &w)| u32::from(d) * w)
            .sum::<u32>()
            % 11
    };
    [weigh(&FIRST), weigh(&SECOND)]
        .into_iter()
        .find(|&c| c != 10)
        .and_then(|c| u8::try_from(c).ok())
}

/// The twelve digits of `number` (each 0–9) if it is exactly 12 ASCII digits; no check-digit
/// test.
pub fn parse_digits(number: &str) -> Result<[u8; NUMBER_LEN], NumberError> {
    let bytes: &[u8; NUMBER_LEN] =
        number
            .as_bytes()
            .try_into()
            .map_err(|_| NumberError::Length {
                len: number.chars().count(),
            })?;
    if !bytes.iter().all(u8::is_ascii_digit) {
        return Err(NumberError::NotDigits);
    }
    Ok(bytes.map(|b| b - b'0'))
}

/// Whether `number` is 12 ASCII digits (the format of an IIN or BIN, check digit not tested).
pub fn is_well_formed(number: &str) -> bool {
    parse_digits(number).is_ok()
}

/// Checks that `number` is 12 ASCII digits whose last one is the check digit of the others.
pub fn validate_check_digit(number: &str) -> Result<(), NumberError> {
    let [body @ .., found] = parse_digits(number)?;
    match check_digit(&body) {
        None => Err(NumberError::NoCheckDigit),
        Some(expected) if expected != found => Err(NumberError::CheckDigit { expected, found }),
        Some(_) => Ok(()),
    }
}

/// The sex an IIN's seventh digit records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Sex {
    /// Odd century digit (1, 3, 5).
    Male,
    /// Even century digit (2, 4, 6).
    Female,
}

/// The date of birth and sex an IIN encodes: `YYMMDD`, then a digit giving the century and
/// sex (1/2: 19th century, 3/4: 20th, 5/6: 21st; odd male, even female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IinBirth {
    /// Full year of birth.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31 (checked against the month and leap years).
    pub day: u8,
    /// Sex.
    pub sex: Sex,
}

/// The date of birth in an IIN, or `None` when the number is not 12 digits, the century digit
/// is not 1–6 or the date does not exist. Informational only: the NCA test IINs
/// (`123456789011`: month 34) have no valid date, and nothing here enforces one.
pub fn iin_birth(iin: &str) -> Option<IinBirth> {
    let d = parse_digits(iin).ok()?;
    let [y1, y2, m1, m2, d1, d2, century, ..] = d;
    let (base, sex) = match century {
        1 => (1800, Sex::Male),
        2 => (1800, Sex::Female),
        3 => (1900, Sex::Male),
        4 => (1900, Sex::Female),
        5 => (2000, Sex::Male),
        6 => (2000, Sex::Female),
        _ => return None,
    };
    let year = base + u16::from(y1 * 10 + y2);
    let month = m1 * 10 + m2;
    let day = d1 * 10 + d2;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month).contains(&day).then_some(IinBirth {
        year,
        month,
        day,
        sex,
    })
}
