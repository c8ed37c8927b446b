//! Construction object numbers: the facility a document belongs to. Documents are found by it,
//! and a facility's end of service, recorded under it, starts the end of retention of its
//! `construction-record` documents.

use std::str::FromStr;

/// A construction object number (UNO): exactly 18 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectNumber(String);

/// Why a text is not an [`ObjectNumber`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectNumberError {
    /// Not 18 characters long.
    #[error("a construction object number is 18 digits, not {chars} characters")]
    Length {
        /// Its length in characters.
        chars: usize,
    },
    /// A character that is not an ASCII digit.
    #[error("a construction object number is 18 digits; {found:?} at position {at} is not one")]
    NotDigit {
        /// The character.
        found: char,
        /// Its position (from 0).
        at: usize,
    },
}

impl ObjectNumber {
    /// How many digits a construction object number has.
    pub const DIGITS: usize = 18;
}

impl FromStr for ObjectNumber {
    type Err = ObjectNumberError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some((at, found)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(ObjectNumberError::NotDigit { found, at });
        }
        // Only ASCII digits: bytes are characters.
        if text.len() != Self::DIGITS {
            return Err(ObjectNumberError::Length { chars: text.len() });
        }
        Ok(Self(text.to_owned()))
    }
}

checked_text!(ObjectNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_18_ascii_digits() {
        let object: ObjectNumber = "123456789012345678".parse().unwrap();
        assert_eq!(object.as_str(), "123456789012345678");
        assert_eq!(object.to_string(), "123456789012345678");
        for (bad, error) in [
            ("12345", ObjectNumberError::Length { chars: 5 }),
            ("", ObjectNumberError::Length { chars: 0 }),
            (
                "1234567890123456789",
                ObjectNumberError::Length { chars: 19 },
            ),
            (
                "12345678901234567x",
                ObjectNumberError::NotDigit { found: 'x', at: 17 },
            ),
            (
                "１２3456789012345678",
                ObjectNumberError::NotDigit {
                    found: '１', at: 0
                },
            ),
            (
                "../../etc/passwd/0",
                ObjectNumberError::NotDigit { found: '.', at: 0 },
            ),
        ] {
            assert_eq!(bad.parse::<ObjectNumber>(), Err(error), "{bad:?}");
        }
        let e = "12345".parse::<ObjectNumber>().unwrap_err().to_string();
        assert!(e.contains("object number is 18 digits"), "{e}");
    }

    #[test]
    fn serde_is_the_checked_string() {
        let object: ObjectNumber = serde_json::from_str("\"000000000000000001\"").unwrap();
        assert_eq!(
            serde_json::to_string(&object).unwrap(),
            "\"000000000000000001\""
        );
        assert!(serde_json::from_str::<ObjectNumber>("\"12345\"").is_err());
    }
}
