//! The free text of a change: why it was made ([`Reason`]) and who made it ([`Actor`]). Both are
//! kept in the change's record; an actor is also a line of its audit entry, so it is one line.

use std::str::FromStr;

/// Longest reason or actor accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

/// Why a change was made (a hold, an extension, a disposal, an annulment, an end of service):
/// 1 to 1000 characters, no control characters but line breaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason(String);

/// Who makes a change or reads a record (an operator, an auditor, an API key): 1 to 1000
/// characters on one line, no control characters (it is a line of the audit entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor(String);

/// Why a text is not a [`Reason`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReasonError {
    /// The empty text.
    #[error("a reason must not be empty")]
    Empty,
    /// More than `MAX_TEXT_CHARS` (1000) characters.
    #[error("a reason is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed")]
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A control character other than a line break.
    #[error(
        "a reason has control character U+{code:04X} at position {at}; only line breaks are \
         allowed"
    )]
    ControlCharacter {
        /// The character's code point.
        code: u32,
        /// Its position (characters from 0).
        at: usize,
    },
}

/// Why a text is not an [`Actor`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActorError {
    /// The empty text.
    #[error("a name must not be empty")]
    Empty,
    /// More than `MAX_TEXT_CHARS` (1000) characters.
    #[error("a name is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed")]
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A control character, a line break included.
    #[error(
        "a name has control character U+{code:04X} at position {at}; it is one line without \
         control characters"
    )]
    ControlCharacter {
        /// The character's code point.
        code: u32,
        /// Its position (characters from 0).
        at: usize,
    },
}

/// The first thing wrong with a text under the rule both types share.
enum Problem {
    Empty,
    TooLong(usize),
    ControlCharacter(u32, usize),
}

fn problem(text: &str, line_breaks: bool) -> Option<Problem> {
    if text.is_empty() {
        return Some(Problem::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Some(Problem::TooLong(chars));
    }
    text.chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && !(line_breaks && c == '\n'))
        .map(|(at, c)| Problem::ControlCharacter(u32::from(c), at))
}

/// `FromStr` by the shared rule (with line breaks or without), each problem as the error's own
/// variant.
macro_rules! parse_by_rule {
    ($type:ident, $error:ident, line_breaks: $line_breaks:expr) => {
        impl FromStr for $type {
            type Err = $error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match problem(text, $line_breaks) {
                    None => Ok(Self(text.to_owned())),
                    Some(Problem::Empty) => Err($error::Empty),
                    Some(Problem::TooLong(chars)) => Err($error::TooLong { chars }),
                    Some(Problem::ControlCharacter(code, at)) => {
                        Err($error::ControlCharacter { code, at })
                    }
                }
            }
        }
    };
}

parse_by_rule!(Reason, ReasonError, line_breaks: true);
parse_by_rule!(Actor, ActorError, line_breaks: false);
checked_text!(Reason);
checked_text!(Actor);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_1_to_1000_characters_and_may_have_line_breaks() {
        for good in [
            "court order 12/2026",
            "line one\nline two",
            &"Қ".repeat(1000),
        ] {
            assert_eq!(good.parse::<Reason>().unwrap().as_str(), good);
        }
        assert_eq!("".parse::<Reason>(), Err(ReasonError::Empty));
        assert_eq!(
            "x".repeat(1001).parse::<Reason>(),
            Err(ReasonError::TooLong { chars: 1001 })
        );
        assert_eq!(
            "a\tb".parse::<Reason>(),
            Err(ReasonError::ControlCharacter { code: 9, at: 1 })
        );
        assert_eq!(
            "ab\r\n".parse::<Reason>(),
            Err(ReasonError::ControlCharacter { code: 13, at: 2 })
        );
    }

    #[test]
    fn an_actor_is_one_line() {
        for good in ["Auditor A", "key 0123abcd (writer)", &"a".repeat(1000)] {
            assert_eq!(good.parse::<Actor>().unwrap().to_string(), good);
        }
        assert_eq!("".parse::<Actor>(), Err(ActorError::Empty));
        assert_eq!(
            "Қ".repeat(1001).parse::<Actor>(),
            Err(ActorError::TooLong { chars: 1001 })
        );
        assert_eq!(
            "Auditor\nA".parse::<Actor>(),
            Err(ActorError::ControlCharacter { code: 10, at: 7 })
        );
        let e = "".parse::<Actor>().unwrap_err();
        assert_eq!(e.to_string(), "a name must not be empty");
    }

    #[test]
    fn serde_is_the_checked_string() {
        let reason: Reason = serde_json::from_str("\"appeal\\npending\"").unwrap();
        assert_eq!(reason.as_str(), "appeal\npending");
        assert_eq!(
            serde_json::to_string(&reason).unwrap(),
            "\"appeal\\npending\""
        );
        let refused = serde_json::from_str::<Actor>("\"two\\nlines\"").unwrap_err();
        assert!(refused.to_string().contains("one line"), "{refused}");
        assert!(serde_json::from_str::<Reason>("\"\"").is_err());
    }
}
