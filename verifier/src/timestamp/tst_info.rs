//! TSTInfo (RFC 3161 §2.4.2), decoded with the crate's BER reader, keeping raw bytes.
//!
//! ```text
//! TSTInfo ::= SEQUENCE {
//!    version        INTEGER { v1(1) },
//!    policy         TSAPolicyId,
//!    messageImprint MessageImprint,
//!    serialNumber   INTEGER,
//!    genTime        GeneralizedTime,
//!    accuracy       Accuracy                OPTIONAL,
//!    ordering       BOOLEAN DEFAULT FALSE,
//!    nonce          INTEGER                 OPTIONAL,
//!    tsa            [0] GeneralName         OPTIONAL,
//!    extensions     [1] IMPLICIT Extensions OPTIONAL }
//! ```

use crate::ber::{Children, Tag, Tlv};
use crate::cms::AlgorithmIdentifier;
use crate::oid::Oid;
use crate::time::Time;

use super::error::TimeStampError;

/// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageImprint<'a> {
    /// The hash algorithm of the imprint.
    pub hash_algorithm: AlgorithmIdentifier<'a>,
    /// The hash of the time-stamped data (for signatureTimeStampToken: the signature value).
    pub hashed_message: &'a [u8],
}

/// Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] 1..999, micros [1] 1..999 }.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accuracy {
    /// Whole seconds.
    pub seconds: Option<u64>,
    /// Milliseconds.
    pub millis: Option<u64>,
    /// Microseconds.
    pub micros: Option<u64>,
}

/// genTime: a GeneralizedTime in UTC, `YYYYMMDDhhmmss[.f+]Z` (RFC 3161 §2.4.2 allows a
/// fraction of a second).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GenTime<'a> {
    /// The time to the second.
    pub time: Time,
    /// The fractional digits after the point, if any (without the point).
    pub fraction: Option<&'a [u8]>,
    /// The content octets as encoded.
    pub raw: &'a [u8],
}

/// A decoded TSTInfo, borrowing from the token's eContent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TstInfo<'a> {
    /// version (1).
    pub version: u64,
    /// The TSA policy under which the token was issued.
    pub policy: Oid<'a>,
    /// What the token time-stamps.
    pub message_imprint: MessageImprint<'a>,
    /// serialNumber, the INTEGER content octets (big-endian two's complement).
    pub serial_number: &'a [u8],
    /// genTime.
    pub gen_time: GenTime<'a>,
    /// accuracy, if present.
    pub accuracy: Option<Accuracy>,
    /// ordering (DEFAULT FALSE).
    pub ordering: bool,
    /// nonce, the INTEGER content octets.
    pub nonce: Option<&'a [u8]>,
    /// tsa `[0] GeneralName`, raw (whole TLV).
    pub tsa: Option<&'a [u8]>,
    /// extensions `[1]`, raw (whole TLV).
    pub extensions: Option<&'a [u8]>,
    /// The whole TSTInfo encoding (what the token's signature covers through messageDigest).
    pub raw: &'a [u8],
}

type Result<T> = core::result::Result<T, TimeStampError>;

fn bad(what: &'static str) -> TimeStampError {
    TimeStampError::MalformedTstInfo(what)
}

fn next<'a>(fields: &mut Children<'a>, what: &'static str) -> Result<Tlv<'a>> {
    fields.next_tlv().map_err(|_| bad(what))?.ok_or(bad(what))
}

fn expect<'a>(tlv: Tlv<'a>, tag: Tag, what: &'static str) -> Result<Tlv<'a>> {
    if tlv.tag() == tag {
        Ok(tlv)
    } else {
        Err(bad(what))
    }
}

/// A non-negative INTEGER that fits in a u64.
fn small_unsigned(content: &[u8], what: &'static str) -> Result<u64> {
    if content.is_empty() || content.len() > 9 || content.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(bad(what));
    }
    let mut value: u64 = 0;
    for &b in content {
        value = value.checked_mul(256).ok_or(bad(what))? | u64::from(b);
    }
    Ok(value)
}

fn parse_gen_time(content: &[u8]) -> Result<GenTime<'_>> {
    const WHAT: &str = "genTime";
    let (last, body) = content.split_last().ok_or(bad(WHAT))?;
    if *last != b'Z' {
        return Err(bad(WHAT));
    }
    let (whole, fraction) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => {
            let whole = body.get(..dot).ok_or(bad(WHAT))?;
            let fraction = body.get(dot + 1..).ok_or(bad(WHAT))?;
            // RFC 3161 §2.4.2: no trailing zeros, and a point only with digits after it.
            if fraction.is_empty()
                || !fraction.iter().all(u8::is_ascii_digit)
                || fraction.last() == Some(&b'0')
            {
                return Err(bad(WHAT));
            }
            (whole, Some(fraction))
        }
        None => (body, None),
    };
    let mut seconds = whole.to_vec();
    seconds.push(b'Z');
    let time = Time::parse_generalized_time(&seconds).map_err(|_| bad(WHAT))?;
    Ok(GenTime {
        time,
        fraction,
        raw: content,
    })
}

fn parse_accuracy(tlv: Tlv<'_>) -> Result<Accuracy> {
    const WHAT: &str = "accuracy";
    let mut accuracy = Accuracy::default();
    let mut fields = tlv.children();
    while let Some(field) = fields.next_tlv().map_err(|_| bad(WHAT))? {
        let value = small_unsigned(field.content(), WHAT)?;
        match field.tag() {
            t if t == Tag::INTEGER && accuracy.seconds.is_none() => accuracy.seconds = Some(value),
            t if t == Tag::context(0, false) && accuracy.millis.is_none() => {
                accuracy.millis = Some(value);
            }
            t if t == Tag::context(1, false) && accuracy.micros.is_none() => {
                accuracy.micros = Some(value);
            }
            _ => return Err(bad(WHAT)),
        }
    }
    Ok(accuracy)
}

impl<'a> TstInfo<'a> {
    /// Decodes a TSTInfo (RFC 3161 §2.4.2) from the token's eContent bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let top = Tlv::parse_single(bytes).map_err(|_| bad("TSTInfo"))?;
        let top = expect(top, Tag::SEQUENCE, "TSTInfo")?;
        let mut fields = top.children();

        let version = expect(next(&mut fields, "version")?, Tag::INTEGER, "version")?;
        let version = small_unsigned(version.content(), "version")?;
        if version != 1 {
            return Err(bad("version"));
        }
        let policy = expect(next(&mut fields, "policy")?, Tag::OID, "policy")?;
        let policy = Oid::from_content(policy.content()).ok_or(bad("policy"))?;

        let imprint = expect(
            next(&mut fields, "messageImprint")?,
            Tag::SEQUENCE,
            "messageImprint",
        )?;
        let mut imprint_fields = imprint.children();
        let hash_algorithm = AlgorithmIdentifier::from_tlv(
            next(&mut imprint_fields, "messageImprint")?,
            "messageImprint.hashAlgorithm",
        )
        .map_err(|_| bad("messageImprint.hashAlgorithm"))?;
        let hashed = expect(
            next(&mut imprint_fields, "messageImprint")?,
            Tag::OCTET_STRING,
            "messageImprint.hashedMessage",
        )?;
        if !imprint_fields.is_empty() {
            return Err(bad("messageImprint"));
        }

        let serial = expect(
            next(&mut fields, "serialNumber")?,
            Tag::INTEGER,
            "serialNumber",
        )?;
        if serial.content().is_empty() {
            return Err(bad("serialNumber"));
        }
        let gen_time = expect(
            next(&mut fields, "genTime")?,
            Tag::GENERALIZED_TIME,
            "genTime",
        )?;
        let gen_time = parse_gen_time(gen_time.content())?;

        let mut info = TstInfo {
            version,
            policy,
            message_imprint: MessageImprint {
                hash_algorithm,
                hashed_message: hashed.content(),
            },
            serial_number: serial.content(),
            gen_time,
            accuracy: None,
            ordering: false,
            nonce: None,
            tsa: None,
            extensions: None,
            raw: bytes,
        };
        // The optional fields, in their order, each at most once.
        let mut stage = 0u8;
        while let Some(field) = fields.next_tlv().map_err(|_| bad("TSTInfo"))? {
            let tag = field.tag();
            if tag == Tag::SEQUENCE && stage < 1 {
                info.accuracy = Some(parse_accuracy(field)?);
                stage = 1;
            } else if tag == Tag::BOOLEAN && stage < 2 {
                info.ordering = match field.content() {
                    [0] => false,
                    [_] => true,
                    _ => return Err(bad("ordering")),
                };
                stage = 2;
            } else if tag == Tag::INTEGER && stage < 3 {
                info.nonce = Some(field.content());
                stage = 3;
            } else if tag == Tag::context(0, true) && stage < 4 {
                info.tsa = Some(field.raw());
                stage = 4;
            } else if tag == Tag::context(1, true) && stage < 5 {
                info.extensions = Some(field.raw());
                stage = 5;
            } else {
                return Err(bad("unexpected field after genTime"));
            }
        }
        Ok(info)
    }
}
