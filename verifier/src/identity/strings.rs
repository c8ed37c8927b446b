//! Decoding the string types of X.509 attribute values (RFC 5280 §4.1.2.4, `DirectoryString`)
//! into Rust strings, without trusting the input.
//!
//! NCA certificates write names as UTF8String (Kazakh and Russian Cyrillic) and the country,
//! the IIN and a few others as PrintableString (`docs/nca-profile.md`, "Who signed"). Other
//! CAs use BMPString, and RFC 5280 still allows TeletexString and UniversalString, so those are
//! decoded too. A value that is not valid in its own encoding, or that holds a control
//! character (a NUL inside a name is the classic way to make two names compare equal up to the
//! NUL), is a [`StringError`], never a panic and never a lossy replacement.

/// The ASN.1 string types an attribute value may use (X.680 §41; RFC 5280 §4.1.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StringKind {
    /// UTF8String (universal tag 12): UTF-8.
    Utf8,
    /// NumericString (universal tag 18): digits and space.
    Numeric,
    /// PrintableString (universal tag 19): a subset of ASCII.
    Printable,
    /// TeletexString / T61String (universal tag 20): read as ISO 8859-1, as most software does.
    Teletex,
    /// IA5String (universal tag 22): ASCII.
    Ia5,
    /// VisibleString (universal tag 26): printable ASCII.
    Visible,
    /// UniversalString (universal tag 28): UTF-32BE.
    Universal,
    /// BMPString (universal tag 30): UTF-16BE (X.680 restricts it to the BMP; surrogate pairs
    /// are accepted, unpaired surrogates are not).
    Bmp,
}

impl StringKind {
    /// The string type with universal tag number `tag`, if it is one.
    pub fn from_universal_tag(tag: u32) -> Option<Self> {
        Some(match tag {
            12 => Self::Utf8,
            18 => Self::Numeric,
            19 => Self::Printable,
            20 => Self::Teletex,
            22 => Self::Ia5,
            26 => Self::Visible,
            28 => Self::Universal,
            30 => Self::Bmp,
            _ => return None,
        })
    }

    /// The ASN.1 name of the type, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF8String",
            Self::Numeric => "NumericString",
            Self::Printable => "PrintableString",
            Self::Teletex => "TeletexString",
            Self::Ia5 => "IA5String",
            Self::Visible => "VisibleString",
            Self::Universal => "UniversalString",
            Self::Bmp => "BMPString",
        }
    }
}

/// An attribute value that cannot be read as a string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StringError {
    /// The value is not one of the universal string types.
    #[error("the value is not a string (tag {tag})")]
    NotAString {
        /// The value's tag number (its class is named separately).
        tag: u32,
        /// Whether the tag is in the universal class.
        universal: bool,
    },
    /// The value uses the constructed form, which DER forbids for strings (X.690 §10.2).
    #[error("the string uses the constructed encoding")]
    Constructed,
    /// The bytes are not valid UTF-8.
    #[error("invalid UTF-8 in a UTF8String")]
    InvalidUtf8,
    /// A byte outside the type's character set (for the ASCII-based types).
    #[error("byte 0x{byte:02x} is not allowed in a {kind}", kind = .kind.name())]
    InvalidCharacter {
        /// The string type.
        kind: StringKind,
        /// The offending byte.
        byte: u8,
    },
    /// A BMPString of odd length or a UniversalString whose length is not a multiple of 4.
    #[error("a {kind} of {len} bytes is not a whole number of characters", kind = .kind.name())]
    BadLength {
        /// The string type.
        kind: StringKind,
        /// The length in bytes.
        len: usize,
    },
    /// A BMPString with an unpaired surrogate, or a UniversalString code point that is not a
    /// Unicode scalar value.
    #[error("a {kind} holds an invalid code point", kind = .kind.name())]
    InvalidCodePoint {
        /// The string type.
        kind: StringKind,
    },
    /// A control character (U+0000–U+001F, U+007F–U+009F), not expected in any name.
    #[error("control character U+{code:04X} in the string")]
    ControlCharacter {
        /// The code point.
        code: u32,
    },
}

/// Decodes the content octets of a string value of type `kind`.
///
/// The ASCII-based types accept every printable ASCII character (many CAs put `@` or `_` into
/// PrintableStrings although X.680 does not allow them); what makes a value an error is a byte
/// outside ASCII, invalid UTF-8/UTF-16/UTF-32, or a control character.
pub fn decode_string(kind: StringKind, bytes: &[u8]) -> Result<String, StringError> {
    let text = match kind {
        StringKind::Utf8 => std::str::from_utf8(bytes)
            .map_err(|_| StringError::InvalidUtf8)?
            .to_owned(),
        StringKind::Numeric => ascii(kind, bytes, |b| b.is_ascii_digit() || b == b' ')?,
        StringKind::Printable | StringKind::Ia5 | StringKind::Visible => {
            ascii(kind, bytes, |b| b.is_ascii())?
        }
        StringKind::Teletex => bytes.iter().map(|&b| char::from(b)).collect(),
        StringKind::Bmp => {
            let (units, rest) = bytes.as_chunks::<2>();
            if !rest.is_empty() {
                return Err(StringError::BadLength {
                    kind,
                    len: bytes.len(),
                });
            }
            char::decode_utf16(units.iter().map(|&unit| u16::from_be_bytes(unit)))
                .collect::<Result<String, _>>()
                .map_err(|_| StringError::InvalidCodePoint { kind })?
        }
        StringKind::Universal => {
            let (code_points, rest) = bytes.as_chunks::<4>();
            if !rest.is_empty() {
                return Err(StringError::BadLength {
                    kind,
                    len: bytes.len(),
                });
            }
            code_points
                .iter()
                .map(|&code| {
                    char::from_u32(u32::from_be_bytes(code))
                        .ok_or(StringError::InvalidCodePoint { kind })
                })
                .collect::<Result<String, _>>()?
        }
    };
    if let Some(control) = text.chars().find(|c| c.is_control()) {
        return Err(StringError::ControlCharacter {
            code: u32::from(control),
        });
    }
    Ok(text)
}

/// Decodes an attribute value as x509-parser hands it over (`ANY`, RFC 5280 §4.1.2.4).
pub fn decode_any(
    value: &x509_parser::der_parser::asn1_rs::Any<'_>,
) -> Result<String, StringError> {
    let header = &value.header;
    let tag = header.tag().0;
    let universal = header.is_universal();
    let kind = universal
        .then(|| StringKind::from_universal_tag(tag))
        .flatten()
        .ok_or(StringError::NotAString { tag, universal })?;
    if header.is_constructed() {
        return Err(StringError::Constructed);
    }
    decode_string(kind, value.data)
}

/// Checks that every byte is ASCII and accepted by `allowed`, and returns the text.
fn ascii(
    kind: StringKind,
    bytes: &[u8],
    allowed: impl Fn(u8) -> bool,
) -> Result<String, StringError> {
    match bytes.iter().find(|&&b| !allowed(b)) {
        Some(&byte) => Err(StringError::InvalidCharacter { kind, byte }),
        None => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}
