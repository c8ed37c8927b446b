//! Input decoding: what users hand in, turned into the binary encodings the parsers read.
//!
//! - A CMS signature may come as DER, as BER (indefinite lengths), as PEM with any label
//!   (`CMS`, `PKCS7`, `SIGNED MESSAGE`, ...; RFC 7468), or as the bare base64 text NCALayer
//!   returns, possibly broken into lines. [`decode_cms`] detects which.
//! - Certificate and CRL files are DER (one or several concatenated objects), PEM (several
//!   blocks, text between them ignored as RFC 7468 §2 allows) or bare base64.
//!   [`decode_certificate_file`] and [`decode_crl_file`] return each object's DER.
//!
//! Detection order: binary first (the whole input is a sequence of complete BER SEQUENCEs),
//! then PEM (`-----BEGIN `), then base64 text (standard or URL-safe alphabet, padding
//! optional, ASCII whitespace anywhere). Binary input is borrowed, text is decoded into an
//! owned buffer.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::ber::{BerError, Tag, Tlv};

/// How a CMS input was encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// Binary with a definite outer length (DER, or BER that uses definite lengths there).
    Der,
    /// Binary BER with an indefinite outer length.
    Ber,
    /// PEM text (RFC 7468) with this label.
    Pem {
        /// The label of the BEGIN line, e.g. `CMS` or `PKCS7`.
        label: String,
    },
    /// Bare base64 text, as NCALayer returns it.
    Base64,
}

/// A CMS input decoded to binary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodedCms<'a> {
    /// How the input was encoded.
    pub format: InputFormat,
    /// The binary (BER or DER) encoding: borrowed for binary input, decoded for text.
    pub bytes: Cow<'a, [u8]>,
}

/// Why an input could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The input is empty or holds only whitespace.
    #[error("the input is empty")]
    Empty,
    /// The input is neither binary BER/DER, nor PEM, nor base64 text.
    #[error("the input is neither DER/BER, PEM nor base64 text")]
    UnrecognizedFormat,
    /// A PEM label is not printable ASCII.
    #[error("a PEM BEGIN line has an invalid label")]
    PemInvalidLabel,
    /// A PEM BEGIN line has no END line after it.
    #[error("the PEM block \"{label}\" has no END line")]
    PemMissingEnd {
        /// The label of the BEGIN line.
        label: String,
    },
    /// A PEM END line's label differs from its BEGIN line's.
    #[error("the PEM block BEGIN \"{begin}\" ends with END \"{end}\"")]
    PemLabelMismatch {
        /// The BEGIN label.
        begin: String,
        /// The END label.
        end: String,
    },
    /// Base64 text (bare or in a PEM block) is malformed.
    #[error("invalid base64: {reason}")]
    InvalidBase64 {
        /// What the base64 decoder reported.
        reason: String,
    },
    /// A CMS input holds several PEM blocks; exactly one is expected.
    #[error("the input holds {count} PEM blocks; one CMS signature is expected")]
    MultiplePemBlocks {
        /// The number of blocks found.
        count: usize,
    },
    /// A certificate or CRL file holds no object of the expected kind.
    #[error("the file holds no {expected}")]
    NoObjects {
        /// What was looked for ("certificate" or "CRL").
        expected: &'static str,
    },
    /// An object in a certificate or CRL file is not a complete BER encoding.
    #[error("object {index} of the file is malformed: {source}")]
    MalformedObject {
        /// The object's position in the file, from 0.
        index: usize,
        /// The encoding problem.
        #[source]
        source: BerError,
    },
    /// An object in a certificate or CRL file is not a SEQUENCE.
    #[error("object {index} of the file is a {found}, not a SEQUENCE")]
    NotASequence {
        /// The object's position in the file, from 0.
        index: usize,
        /// Its tag.
        found: Tag,
    },
}

/// Detects the encoding of a CMS signature and returns its binary (BER/DER) bytes, ready for
/// [`crate::parse_signed_data`].
///
/// Binary input is returned borrowed. A PEM input must hold exactly one block, whatever its
/// label. Errors name what could not be decoded; this function never panics.
pub fn decode_cms(input: &[u8]) -> Result<DecodedCms<'_>, InputError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    if let Ok(tlv) = Tlv::parse_single(input)
        && tlv.tag() == Tag::SEQUENCE
    {
        return Ok(binary(input, tlv.is_indefinite()));
    }
    let text = strip_bom(input);
    if find(text, PEM_BEGIN).is_some() {
        let blocks = pem_blocks(text)?;
        return match blocks.as_slice() {
            [block] => Ok(DecodedCms {
                format: InputFormat::Pem {
                    label: block.label.to_owned(),
                },
                bytes: Cow::Owned(decode_base64(block.body)?),
            }),
            _ => Err(InputError::MultiplePemBlocks {
                count: blocks.len(),
            }),
        };
    }
    if is_base64_text(text) {
        return Ok(DecodedCms {
            format: InputFormat::Base64,
            bytes: Cow::Owned(decode_base64(text)?),
        });
    }
    if input.first() == Some(&0x30) {
        // Looks binary but is malformed: let the CMS parser name the problem.
        return Ok(binary(input, input.get(1) == Some(&0x80)));
    }
    Err(InputError::UnrecognizedFormat)
}

fn binary(input: &[u8], indefinite: bool) -> DecodedCms<'_> {
    DecodedCms {
        format: if indefinite {
            InputFormat::Ber
        } else {
            InputFormat::Der
        },
        bytes: Cow::Borrowed(input),
    }
}

/// PEM labels of X.509 certificates (RFC 7468 §5.1, plus the legacy `X509 CERTIFICATE`).
const CERTIFICATE_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE"];
/// PEM labels of X.509 CRLs (RFC 7468 §6, plus the legacy `CRL`).
const CRL_LABELS: &[&str] = &["X509 CRL", "CRL"];

/// Decodes a certificate file into the DER of each certificate it holds.
///
/// Accepts DER (one or several concatenated certificates), PEM (`CERTIFICATE` or
/// `X509 CERTIFICATE` blocks; blocks with other labels, such as a private key kept in the same
/// file, are skipped) or bare base64 of one certificate. Each object is checked to be one
/// complete SEQUENCE; its contents are left to x509-parser.
pub fn decode_certificate_file(input: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, InputError> {
    decode_objects(input, CERTIFICATE_LABELS, "certificate")
}

/// Decodes a CRL file into the DER of each CRL it holds: DER (one or several), PEM
/// (`X509 CRL` or `CRL` blocks; others are skipped) or bare base64 of one CRL.
pub fn decode_crl_file(input: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, InputError> {
    decode_objects(input, CRL_LABELS, "CRL")
}

fn decode_objects<'a>(
    input: &'a [u8],
    labels: &[&str],
    expected: &'static str,
) -> Result<Vec<Cow<'a, [u8]>>, InputError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Empty);
    }
    let as_binary = split_sequences(input);
    if let Ok(objects) = as_binary {
        return Ok(objects.into_iter().map(Cow::Borrowed).collect());
    }
    let text = strip_bom(input);
    if find(text, PEM_BEGIN).is_some() {
        let mut out = Vec::new();
        for block in pem_blocks(text)? {
            if !labels.iter().any(|l| l.eq_ignore_ascii_case(block.label)) {
                continue;
            }
            let der = decode_base64(block.body)?;
            check_single_sequence(&der, out.len())?;
            out.push(Cow::Owned(der));
        }
        if out.is_empty() {
            return Err(InputError::NoObjects { expected });
        }
        return Ok(out);
    }
    if is_base64_text(text) {
        let der = decode_base64(text)?;
        check_single_sequence(&der, 0)?;
        return Ok(vec![Cow::Owned(der)]);
    }
    match as_binary {
        Err(e) if input.first() == Some(&0x30) => Err(e),
        _ => Err(InputError::UnrecognizedFormat),
    }
}

/// Splits binary input into complete top-level SEQUENCEs.
fn split_sequences(input: &[u8]) -> Result<Vec<&[u8]>, InputError> {
    let mut rest = input;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let index = out.len();
        let (tlv, tail) = Tlv::parse_prefix(rest)
            .map_err(|source| InputError::MalformedObject { index, source })?;
        if tlv.tag() != Tag::SEQUENCE {
            return Err(InputError::NotASequence {
                index,
                found: tlv.tag(),
            });
        }
        out.push(tlv.raw());
        rest = tail;
    }
    Ok(out)
}

fn check_single_sequence(der: &[u8], index: usize) -> Result<(), InputError> {
    let tlv =
        Tlv::parse_single(der).map_err(|source| InputError::MalformedObject { index, source })?;
    if tlv.tag() != Tag::SEQUENCE {
        return Err(InputError::NotASequence {
            index,
            found: tlv.tag(),
        });
    }
    Ok(())
}

const PEM_BEGIN: &[u8] = b"-----BEGIN ";
const PEM_END: &[u8] = b"-----END ";
const PEM_DASHES: &[u8] = b"-----";

struct PemBlock<'a> {
    label: &'a str,
    body: &'a [u8],
}

/// All PEM blocks of `text`, in order (RFC 7468 §2, read laxly: any whitespace in the body,
/// any text between blocks).
fn pem_blocks(text: &[u8]) -> Result<Vec<PemBlock<'_>>, InputError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(begin) = find(rest, PEM_BEGIN) {
        let after_begin = rest.get(begin + PEM_BEGIN.len()..).unwrap_or_default();
        let (label, after_label) = label(after_begin)?;
        let end = find(after_label, PEM_END).ok_or_else(|| InputError::PemMissingEnd {
            label: label.to_owned(),
        })?;
        let body = after_label.get(..end).unwrap_or_default();
        let after_end = after_label.get(end + PEM_END.len()..).unwrap_or_default();
        let (end_label, after_end_label) = label_or_missing(after_end, label)?;
        if end_label != label {
            return Err(InputError::PemLabelMismatch {
                begin: label.to_owned(),
                end: end_label.to_owned(),
            });
        }
        blocks.push(PemBlock { label, body });
        rest = after_end_label;
    }
    Ok(blocks)
}

/// Reads `LABEL-----` and returns the label and what follows.
fn label(text: &[u8]) -> Result<(&str, &[u8]), InputError> {
    let end = find(text, PEM_DASHES).ok_or(InputError::PemInvalidLabel)?;
    let raw = text.get(..end).unwrap_or_default();
    let printable = raw.iter().all(|b| (0x20..0x7f).contains(b));
    let padded = [raw.first(), raw.last()]
        .into_iter()
        .flatten()
        .any(|b| matches!(b, b'-' | b' '));
    if !printable || padded {
        return Err(InputError::PemInvalidLabel);
    }
    let label = std::str::from_utf8(raw).map_err(|_| InputError::PemInvalidLabel)?;
    Ok((
        label,
        text.get(end + PEM_DASHES.len()..).unwrap_or_default(),
    ))
}

fn label_or_missing<'a>(text: &'a [u8], begin: &str) -> Result<(&'a str, &'a [u8]), InputError> {
    label(text).map_err(|_| InputError::PemMissingEnd {
        label: begin.to_owned(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn strip_bom(input: &[u8]) -> &[u8] {
    input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input)
}

fn is_base64_text(text: &[u8]) -> bool {
    text.iter().any(|b| !b.is_ascii_whitespace())
        && text.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || b.is_ascii_whitespace()
                || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
        })
}

const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64 text, ignoring ASCII whitespace; the URL-safe alphabet is used when the
/// text contains `-` or `_`.
fn decode_base64(text: &[u8]) -> Result<Vec<u8>, InputError> {
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(InputError::InvalidBase64 {
            reason: "no base64 data".to_owned(),
        });
    }
    let engine = if compact.iter().any(|b| matches!(b, b'-' | b'_')) {
        &URL_SAFE
    } else {
        &STANDARD
    };
    engine
        .decode(&compact)
        .map_err(|e| InputError::InvalidBase64 {
            reason: e.to_string(),
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD as B64;

    const SEQ: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x05];
    const SEQ_INDEFINITE: &[u8] = &[0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];

    fn pem(label: &str, der: &[u8]) -> String {
        let body = B64.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn binary_is_borrowed() {
        let d = decode_cms(SEQ).unwrap();
        assert_eq!(d.format, InputFormat::Der);
        assert!(matches!(d.bytes, Cow::Borrowed(b) if b.as_ptr() == SEQ.as_ptr()));
        let d = decode_cms(SEQ_INDEFINITE).unwrap();
        assert_eq!(d.format, InputFormat::Ber);
        assert_eq!(&*d.bytes, SEQ_INDEFINITE);
    }

    #[test]
    fn pem_with_any_label_and_crlf() {
        for label in ["CMS", "PKCS7", "SIGNED MESSAGE"] {
            let text = pem(label, SEQ).replace('\n', "\r\n");
            let d = decode_cms(text.as_bytes()).unwrap();
            assert_eq!(
                d.format,
                InputFormat::Pem {
                    label: label.to_owned()
                }
            );
            assert_eq!(&*d.bytes, SEQ);
        }
        let with_bom = format!("\u{feff}explanatory text\n{}", pem("CMS", SEQ));
        assert_eq!(&*decode_cms(with_bom.as_bytes()).unwrap().bytes, SEQ);
    }

    #[test]
    fn bare_base64_with_whitespace_and_without_padding() {
        let b64 = B64.encode(SEQ_INDEFINITE); // "MIACAQUAAA=="
        let spaced = format!("  {}\n{}\r\n", &b64[..5], &b64[5..]);
        let d = decode_cms(spaced.as_bytes()).unwrap();
        assert_eq!(d.format, InputFormat::Base64);
        assert_eq!(&*d.bytes, SEQ_INDEFINITE);
        let unpadded = b64.trim_end_matches('=');
        assert_eq!(
            &*decode_cms(unpadded.as_bytes()).unwrap().bytes,
            SEQ_INDEFINITE
        );
        let url_safe = base64::engine::general_purpose::URL_SAFE.encode([0xfb, 0xff, 0x30]);
        assert!(url_safe.contains('-') || url_safe.contains('_'));
        assert_eq!(
            &*decode_cms(url_safe.as_bytes()).unwrap().bytes,
            &[0xfb, 0xff, 0x30]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(decode_cms(b""), Err(InputError::Empty));
        assert_eq!(decode_cms(b" \r\n\t"), Err(InputError::Empty));
        assert_eq!(
            decode_cms(b"\x01\x02garbage\xff"),
            Err(InputError::UnrecognizedFormat)
        );
        assert!(matches!(
            decode_cms(b"abcde"),
            Err(InputError::InvalidBase64 { .. })
        ));
        assert_eq!(
            decode_cms(b"-----BEGIN CMS-----\nMAA=\n"),
            Err(InputError::PemMissingEnd {
                label: "CMS".into()
            })
        );
        assert_eq!(
            decode_cms(b"-----BEGIN CMS-----\nMAA=\n-----END PKCS7-----\n"),
            Err(InputError::PemLabelMismatch {
                begin: "CMS".into(),
                end: "PKCS7".into()
            })
        );
        assert_eq!(
            decode_cms(b"-----BEGIN CMS\nMAA="),
            Err(InputError::PemInvalidLabel)
        );
        assert!(matches!(
            decode_cms(b"-----BEGIN CMS-----\nMA*A=\n-----END CMS-----\n"),
            Err(InputError::InvalidBase64 { .. })
        ));
        let two = format!("{}{}", pem("CMS", SEQ), pem("CMS", SEQ));
        assert_eq!(
            decode_cms(two.as_bytes()),
            Err(InputError::MultiplePemBlocks { count: 2 })
        );
        // Truncated binary is passed on for the CMS parser to describe.
        let d = decode_cms(&[0x30, 0x82, 0x01]).unwrap();
        assert_eq!(d.format, InputFormat::Der);
    }

    #[test]
    fn certificate_files() {
        // Concatenated DER.
        let both = [SEQ, SEQ_INDEFINITE].concat();
        let objects = decode_certificate_file(&both).unwrap();
        assert_eq!(
            objects,
            vec![Cow::Borrowed(SEQ), Cow::Borrowed(SEQ_INDEFINITE)]
        );

        // PEM bundle with a key to skip and text around.
        let bundle = format!(
            "subject=...\n{}{}{}",
            pem("CERTIFICATE", SEQ),
            pem("PRIVATE KEY", &[0x30, 0x00]),
            pem("X509 CERTIFICATE", SEQ_INDEFINITE)
        );
        let objects = decode_certificate_file(bundle.as_bytes()).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(&*objects[1], SEQ_INDEFINITE);

        assert_eq!(
            decode_certificate_file(pem("X509 CRL", SEQ).as_bytes()),
            Err(InputError::NoObjects {
                expected: "certificate"
            })
        );
        assert_eq!(
            decode_crl_file(pem("X509 CRL", SEQ).as_bytes())
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            decode_crl_file(B64.encode(SEQ).as_bytes()).unwrap().len(),
            1
        );
    }

    #[test]
    fn certificate_file_errors() {
        assert_eq!(decode_certificate_file(b"\n"), Err(InputError::Empty));
        assert_eq!(
            decode_certificate_file(&[SEQ, &[0x30, 0x05, 0x01]].concat()),
            Err(InputError::MalformedObject {
                index: 1,
                source: BerError::TruncatedContent {
                    length: 5,
                    available: 1
                }
            })
        );
        assert_eq!(
            decode_certificate_file(pem("CERTIFICATE", &[0x02, 0x01, 0x05]).as_bytes()),
            Err(InputError::NotASequence {
                index: 0,
                found: Tag::INTEGER
            })
        );
        assert!(matches!(
            decode_certificate_file(pem("CERTIFICATE", &[SEQ, SEQ].concat()).as_bytes()),
            Err(InputError::MalformedObject {
                index: 0,
                source: BerError::TrailingData { count: 5 }
            })
        ));
        assert_eq!(
            decode_crl_file(b"\x00\x01\x02"),
            Err(InputError::UnrecognizedFormat)
        );
    }
}
