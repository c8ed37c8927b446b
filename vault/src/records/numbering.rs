//! Registration number templates.
//!
//! Registration numbers follow a template set per participant, and are gap-free and never
//! reused, also across crashes (`docs/records.md`). A template such as
//! `{participant}-{yyyy}-{seq:06}` mixes literal text with placeholders:
//!
//! | placeholder | renders |
//! |---|---|
//! | `{participant}` | the participant's name |
//! | `{yyyy}`, `{yy}`, `{mm}`, `{dd}` | the registration date's year (4 or 2 digits), month, day |
//! | `{class}` | the retention class's name, e.g. `project-documentation` |
//! | `{seq}`, `{seq:0N}` | the sequence number, zero-padded to at least N digits (1 ≤ N ≤ 12) |
//! | `{{`, `}}` | a literal brace |
//!
//! # Counters
//!
//! The sequence number is drawn from a counter named by [`Template::counter_key`]: the rendering
//! with the `{seq}` position marked instead of filled in. Everything else a number shows is in
//! the key, so `{participant}-{yyyy}-{seq:06}` counts per participant and year and restarts each
//! year, a template without a date placeholder counts forever, and two templates that would
//! render the same numbers share one counter (so they can never issue the same number twice).
//! The padding width is not part of the key: widening `{seq:04}` to `{seq:06}` continues the
//! count.
//!
//! Keeping the counters is the record store's job, not this module's. Its contract: for a key,
//! the first number is 1; a number is consumed in the same atomic write that commits the record
//! carrying it, so a crash before that write consumes nothing and a crash after it loses nothing
//! (gap-free and never reused); counters are never reset or decremented.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;

use jiff::civil::Date;

use super::class::RetentionClass;

/// Longest template accepted, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 128;

/// Longest participant name accepted, in characters.
pub const MAX_PARTICIPANT_CHARS: usize = 64;

/// Widest zero padding of `{seq:0N}`.
pub const MAX_SEQ_WIDTH: u8 = 12;

/// Why a template was refused. Positions are character offsets from 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{...}` that names no placeholder.
    #[error(
        "unknown placeholder {{{name}}} at position {at}: expected participant, yyyy, yy, mm, dd, \
         class, seq or seq:0N"
    )]
    UnknownPlaceholder {
        /// The text between the braces.
        name: String,
        /// Position of the `{`.
        at: usize,
    },
    /// `{seq:...}` with a padding that is not `0N` with N from 1 to 12.
    #[error(
        "bad sequence width {{{spec}}} at position {at}: expected {{seq:0N}} with N from 1 to 12"
    )]
    BadWidth {
        /// The text between the braces.
        spec: String,
        /// Position of the `{`.
        at: usize,
    },
    /// No `{seq}`: numbers would not differ.
    #[error("template has no {{seq}} placeholder: every number needs a sequence number")]
    NoSequence,
    /// A second `{seq}`.
    #[error("template has a second {{seq}} at position {at}: only one is allowed")]
    TwoSequences {
        /// Position of the second `{`.
        at: usize,
    },
    /// A `{` without its `}` (write `{{` for a literal brace).
    #[error("unclosed '{{' at position {at} (write '{{{{' for a literal brace)")]
    UnclosedBrace {
        /// Position of the `{`.
        at: usize,
    },
    /// A `}` without its `{` (write `}}` for a literal brace).
    #[error("unmatched '}}' at position {at} (write '}}}}' for a literal brace)")]
    UnmatchedBrace {
        /// Position of the `}`.
        at: usize,
    },
    /// A control character in the template's text.
    #[error("control character U+{code:04X} at position {at}")]
    ControlCharacter {
        /// The character's code point.
        code: u32,
        /// Its position.
        at: usize,
    },
    /// A template over `MAX_TEMPLATE_CHARS` (128) characters.
    #[error("template is {chars} characters long; at most {MAX_TEMPLATE_CHARS} are allowed")]
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
}

/// Why a participant name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParticipantError {
    /// The empty name.
    #[error("participant name is empty")]
    Empty,
    /// A name over `MAX_PARTICIPANT_CHARS` (64) characters.
    #[error(
        "participant name is {chars} characters long; at most {MAX_PARTICIPANT_CHARS} are allowed"
    )]
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A control character (tab, newline, …).
    #[error("participant name has control character U+{code:04X} at position {at}")]
    ControlCharacter {
        /// The character's code point.
        code: u32,
        /// Its position (characters from 0).
        at: usize,
    },
    /// A `/`, which separates the parts of keys and paths.
    #[error("participant name has '/' at position {at}")]
    Slash {
        /// Its position (characters from 0).
        at: usize,
    },
    /// White space at either end: ` ACME` and `ACME` would look like one participant.
    #[error("participant name starts or ends with white space")]
    OuterWhiteSpace,
}

/// A participant: the organisation whose numbering template applies. Its name is checked: not
/// empty, at most 64 characters, no control characters, no `/`, no white space at either end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Participant(String);

impl Participant {
    /// Checks `name` and wraps it.
    pub fn new(name: &str) -> Result<Participant, ParticipantError> {
        if name.is_empty() {
            return Err(ParticipantError::Empty);
        }
        let chars = name.chars().count();
        if chars > MAX_PARTICIPANT_CHARS {
            return Err(ParticipantError::TooLong { chars });
        }
        for (at, c) in name.chars().enumerate() {
            if c.is_control() {
                return Err(ParticipantError::ControlCharacter {
                    code: u32::from(c),
                    at,
                });
            }
            if c == '/' {
                return Err(ParticipantError::Slash { at });
            }
        }
        if name.trim() != name {
            return Err(ParticipantError::OuterWhiteSpace);
        }
        Ok(Participant(name.to_owned()))
    }
}

impl FromStr for Participant {
    type Err = ParticipantError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Participant::new(name)
    }
}

checked_text!(Participant);

/// How numbers are made: the template of each participant, and the one for the others.
#[derive(Debug, Clone)]
pub struct Numbering {
    /// Templates by participant name.
    pub templates: HashMap<String, Template>,
    /// For participants without their own.
    pub default: Template,
}

impl Numbering {
    /// The template `docs/records.md` gives as the example, for every participant.
    pub const DEFAULT_TEMPLATE: &'static str = "{participant}-{yyyy}-{seq:06}";

    /// `default` for every participant.
    pub fn new(default: Template) -> Self {
        Self {
            templates: HashMap::new(),
            default,
        }
    }

    /// The template that numbers `participant`'s documents.
    pub fn template(&self, participant: &Participant) -> &Template {
        self.templates
            .get(participant.as_str())
            .unwrap_or(&self.default)
    }
}

/// What a number is rendered from, apart from its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields<'a> {
    /// The participant whose template this is.
    pub participant: &'a Participant,
    /// The record's retention class.
    pub class: RetentionClass,
    /// The registration date (Astana time).
    pub date: Date,
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Participant,
    Year4,
    Year2,
    Month,
    Day,
    Class,
    Seq { width: u8 },
}

/// A parsed, checked numbering template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    segments: Vec<Segment>,
}

impl Template {
    /// Parses `text`, refusing it with the first problem found.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong { chars: chars.len() });
        }
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut seq_at = None;
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            match c {
                '{' if chars.get(i + 1) == Some(&'{') => {
                    literal.push('{');
                    i += 2;
                }
                '}' if chars.get(i + 1) == Some(&'}') => {
                    literal.push('}');
                    i += 2;
                }
                '}' => return Err(TemplateError::UnmatchedBrace { at: i }),
                '{' => {
                    let close = chars[i + 1..]
                        .iter()
                        .position(|&c| c == '}' || c == '{')
                        .map(|p| p + i + 1)
                        .filter(|&p| chars[p] == '}')
                        .ok_or(TemplateError::UnclosedBrace { at: i })?;
                    let name: String = chars[i + 1..close].iter().collect();
                    let segment = placeholder(&name, i)?;
                    if matches!(segment, Segment::Seq { .. }) {
                        if seq_at.is_some() {
                            return Err(TemplateError::TwoSequences { at: i });
                        }
                        seq_at = Some(i);
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(segment);
                    i = close + 1;
                }
                c if c.is_control() => {
                    return Err(TemplateError::ControlCharacter {
                        code: u32::from(c),
                        at: i,
                    });
                }
                c => {
                    literal.push(c);
                    i += 1;
                }
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        if seq_at.is_none() {
            return Err(TemplateError::NoSequence);
        }
        Ok(Template {
            source: text.to_owned(),
            segments,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The registration number for `fields` and sequence number `seq`. The padding is a minimum:
    /// `{seq:03}` renders 1000 as `1000`, never truncated.
    pub fn render(&self, fields: &Fields<'_>, seq: u64) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Seq { width } => {
                    let _ = write!(out, "{seq:0width$}", width = usize::from(*width));
                }
                other => push_field(&mut out, other, fields, false),
            }
        }
        out
    }

    /// The name of the counter a number for `fields` is drawn from: the rendering with every
    /// literal brace doubled and the sequence number's place written `{seq}`, so that two keys
    /// are equal exactly when the numbers around the sequence number are.
    pub fn counter_key(&self, fields: &Fields<'_>) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Seq { .. } => out.push_str("{seq}"),
                other => push_field(&mut out, other, fields, true),
            }
        }
        out
    }

    /// Whether the count restarts with the date: the template shows a year, month or day.
    pub fn is_dated(&self) -> bool {
        self.segments.iter().any(|s| {
            matches!(
                s,
                Segment::Year4 | Segment::Year2 | Segment::Month | Segment::Day
            )
        })
    }
}

impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Template {
    type Err = TemplateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}

/// The segment a `{name}` stands for.
fn placeholder(name: &str, at: usize) -> Result<Segment, TemplateError> {
    Ok(match name {
        "participant" => Segment::Participant,
        "yyyy" => Segment::Year4,
        "yy" => Segment::Year2,
        "mm" => Segment::Month,
        "dd" => Segment::Day,
        "class" => Segment::Class,
        "seq" => Segment::Seq { width: 1 },
        _ => {
            let Some(spec) = name.strip_prefix("seq:") else {
                return Err(TemplateError::UnknownPlaceholder {
                    name: name.to_owned(),
                    at,
                });
            };
            let bad = || TemplateError::BadWidth {
                spec: name.to_owned(),
                at,
            };
            let digits = spec.strip_prefix('0').ok_or_else(bad)?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let width = digits
                .parse::<u8>()
                .ok()
                .filter(|w| (1..=MAX_SEQ_WIDTH).contains(w))
                .ok_or_else(bad)?;
            Segment::Seq { width }
        }
    })
}

/// Appends a non-sequence segment; with `escape`, braces are doubled.
fn push_field(out: &mut String, segment: &Segment, fields: &Fields<'_>, escape: bool) {
    let text = match segment {
        Segment::Literal(s) => s.clone(),
        Segment::Participant => fields.participant.as_str().to_owned(),
        Segment::Year4 => format!("{:04}", fields.date.year()),
        Segment::Year2 => format!("{:02}", fields.date.year().rem_euclid(100)),
        Segment::Month => format!("{:02}", fields.date.month()),
        Segment::Day => format!("{:02}", fields.date.day()),
        Segment::Class => fields.class.name().to_owned(),
        Segment::Seq { .. } => String::new(),
    };
    if escape {
        out.push_str(&text.replace('{', "{{").replace('}', "}}"));
    } else {
        out.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn acme() -> Participant {
        Participant::new("ACME").unwrap()
    }

    fn fields(participant: &Participant, d: Date) -> Fields<'_> {
        Fields {
            participant,
            class: RetentionClass::ProjectDocumentation,
            date: d,
        }
    }

    #[test]
    fn renders_the_issue_example() {
        let t = Template::parse("{participant}-{yyyy}-{seq:06}").unwrap();
        let p = acme();
        let f = fields(&p, date(2025, 3, 7));
        assert_eq!(t.render(&f, 1), "ACME-2025-000001");
        assert_eq!(t.render(&f, 1_234_567), "ACME-2025-1234567");
        assert_eq!(t.counter_key(&f), "ACME-2025-{seq}");
        assert!(t.is_dated());
        assert_eq!(t.to_string(), "{participant}-{yyyy}-{seq:06}");
    }

    #[test]
    fn renders_every_placeholder_and_escape() {
        let t = Template::parse("{{{class}}}/{yy}{mm}{dd}/№{seq}").unwrap();
        let p = Participant::new("ТОО «Құрылыс»").unwrap();
        let f = Fields {
            participant: &p,
            class: RetentionClass::ExpertiseApplication,
            date: date(2024, 2, 9),
        };
        assert_eq!(t.render(&f, 42), "{expertise-application}/240209/№42");
        assert_eq!(t.counter_key(&f), "{{expertise-application}}/240209/№{seq}");
        let t = Template::parse("{participant}:{seq:012}").unwrap();
        assert_eq!(t.render(&f, 7), "ТОО «Құрылыс»:000000000007");
    }

    #[test]
    fn counter_keys_restart_per_year_and_count_forever_without_a_date() {
        let p = acme();
        let yearly = Template::parse("{participant}-{yyyy}-{seq:06}").unwrap();
        assert_ne!(
            yearly.counter_key(&fields(&p, date(2025, 12, 31))),
            yearly.counter_key(&fields(&p, date(2026, 1, 1)))
        );
        assert_eq!(
            yearly.counter_key(&fields(&p, date(2025, 1, 1))),
            yearly.counter_key(&fields(&p, date(2025, 12, 31)))
        );
        let forever = Template::parse("{participant}/{seq}").unwrap();
        assert!(!forever.is_dated());
        assert_eq!(
            forever.counter_key(&fields(&p, date(2025, 1, 1))),
            forever.counter_key(&fields(&p, date(2031, 6, 1)))
        );
        // Other participants count apart; the padding does not change the count.
        let other = Participant::new("BETA").unwrap();
        assert_ne!(
            yearly.counter_key(&fields(&p, date(2025, 1, 1))),
            yearly.counter_key(&fields(&other, date(2025, 1, 1)))
        );
        let wider = Template::parse("{participant}-{yyyy}-{seq:08}").unwrap();
        let f = fields(&p, date(2025, 1, 1));
        assert_eq!(wider.counter_key(&f), yearly.counter_key(&f));
        // The place of the sequence number is part of the key.
        let a = Template::parse("AB{seq}").unwrap();
        let b = Template::parse("A{seq}B").unwrap();
        assert_ne!(a.counter_key(&f), b.counter_key(&f));
        // A literal "{seq}" is not the sequence number's place.
        let c = Template::parse("X{{seq}}{seq}").unwrap();
        let d = Template::parse("X{seq}{{seq}}").unwrap();
        assert_ne!(c.counter_key(&f), d.counter_key(&f));
    }

    #[test]
    fn refuses_bad_templates_precisely() {
        let err = |t: &str| Template::parse(t).unwrap_err();
        assert_eq!(
            err("{participant}-{year}-{seq}"),
            TemplateError::UnknownPlaceholder {
                name: "year".into(),
                at: 14
            }
        );
        assert_eq!(err("{participant}-{yyyy}"), TemplateError::NoSequence);
        assert_eq!(err(""), TemplateError::NoSequence);
        assert_eq!(err("{seq}-{seq:04}"), TemplateError::TwoSequences { at: 6 });
        assert_eq!(
            err("{participant-{seq}"),
            TemplateError::UnclosedBrace { at: 0 }
        );
        assert_eq!(err("{seq}-{yyyy"), TemplateError::UnclosedBrace { at: 6 });
        assert_eq!(err("{seq}}"), TemplateError::UnmatchedBrace { at: 5 });
        assert_eq!(err("a}b{seq}"), TemplateError::UnmatchedBrace { at: 1 });
        for bad in [
            "{seq:6}",
            "{seq:00}",
            "{seq:013}",
            "{seq:0}",
            "{seq:0x}",
            "{seq:}",
            "{seq:0+3}",
        ] {
            assert!(
                matches!(err(bad), TemplateError::BadWidth { at: 0, .. }),
                "{bad}"
            );
        }
        assert_eq!(
            err("{seq}\t"),
            TemplateError::ControlCharacter { code: 9, at: 5 }
        );
        let long = format!("{}{{seq}}", "x".repeat(MAX_TEMPLATE_CHARS));
        assert_eq!(
            err(&long),
            TemplateError::TooLong {
                chars: MAX_TEMPLATE_CHARS + 5
            }
        );
        // Positions count characters, not bytes.
        assert_eq!(
            err("№-{год}-{seq}"),
            TemplateError::UnknownPlaceholder {
                name: "год".into(),
                at: 2
            }
        );
        let e = err("{participant}-{year}-{seq}");
        assert!(
            e.to_string()
                .starts_with("unknown placeholder {year} at position 14"),
            "{e}"
        );
        assert!(Template::parse("{seq:01}").is_ok());
        assert!(Template::parse("{seq:012}").is_ok());
    }

    #[test]
    fn participant_names_are_checked() {
        assert!(Participant::new("ТОО «Құрылыс-Инвест» 2024").is_ok());
        assert!(Participant::new(&"Қ".repeat(MAX_PARTICIPANT_CHARS)).is_ok());
        assert_eq!(Participant::new(""), Err(ParticipantError::Empty));
        assert_eq!(
            Participant::new(&"Қ".repeat(MAX_PARTICIPANT_CHARS + 1)),
            Err(ParticipantError::TooLong {
                chars: MAX_PARTICIPANT_CHARS + 1
            })
        );
        assert_eq!(
            Participant::new("a\nb"),
            Err(ParticipantError::ControlCharacter { code: 10, at: 1 })
        );
        assert_eq!(
            Participant::new("a\u{85}b"),
            Err(ParticipantError::ControlCharacter { code: 0x85, at: 1 })
        );
        assert_eq!(
            Participant::new("a/b"),
            Err(ParticipantError::Slash { at: 1 })
        );
        assert_eq!(
            Participant::new(" a"),
            Err(ParticipantError::OuterWhiteSpace)
        );
        assert_eq!(
            Participant::new("a\u{a0}"),
            Err(ParticipantError::OuterWhiteSpace)
        );
        // Parsed and deserialised by the same rule.
        assert_eq!("a/b".parse::<Participant>(), Participant::new("a/b"));
        let p: Participant = serde_json::from_str("\"ACME\"").unwrap();
        assert_eq!((p.as_str(), p.to_string()), ("ACME", "ACME".to_owned()));
        assert!(serde_json::from_str::<Participant>("\" ACME\"").is_err());
    }
}
