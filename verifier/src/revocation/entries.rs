//! The entries of a revokedCertificates list (RFC 5280 §5.1.2.6), one at a time and without
//! an allocation each.
//!
//! An entry in the canonical DER form (`der.rs`) is read here: the serial's content octets,
//! the revocationDate, and the crlEntryExtensions of §5.3 — reasonCode (§5.3.1) and
//! invalidityDate (§5.3.2) kept, any other extension ignored unless critical.
//! Any other entry, including one with a critical extension this layer does not process, is
//! handed to x509-parser's `RevokedCertificate::from_der` and judged by [`from_x509`], exactly
//! as when x509-parser parsed the whole list: the fast path only accepts what x509-parser
//! reads the same way (`tests/fast_path.rs` checks it).

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::RevokedCertificate;

use crate::revocation::der;
use crate::revocation::error::CrlError;
use crate::revocation::index::RevokedEntry;
use crate::revocation::types::{RevocationReason, normalise};

const REASON_CODE: &str = "2.5.29.21";
const INVALIDITY_DATE: &str = "2.5.29.24";
/// 2.5.29.21 and 2.5.29.24, DER content octets.
const REASON_CODE_DER: &[u8] = &[0x55, 0x1D, 0x15];
const INVALIDITY_DATE_DER: &[u8] = &[0x55, 0x1D, 0x18];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const ENUMERATED: u8 = 0x0A;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// How many entries `list` (the list's content octets) holds and the longest serial among
/// them (normalised), from their headers alone; `usize::MAX` as the longest if an entry is
/// not in the canonical form (the count is then a lower bound).
pub(crate) fn scan(mut list: &[u8]) -> (usize, usize) {
    let (mut count, mut longest) = (0, 0);
    while !list.is_empty() {
        let Some((entry, rest)) = der::read_tagged(list, SEQUENCE) else {
            return (count, usize::MAX);
        };
        let Some((serial, _)) = der::read_tagged(entry, INTEGER) else {
            return (count, usize::MAX);
        };
        longest = longest.max(normalise(serial).len());
        count += 1;
        list = rest;
    }
    (count, longest)
}

/// Calls `visit` with the serial (INTEGER content octets) and entry of each entry of `list`
/// (the list's content octets), in listing order.
pub(crate) fn walk<E>(
    mut list: &[u8],
    mut visit: impl FnMut(&[u8], RevokedEntry) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<CrlError>,
{
    while !list.is_empty() {
        if let Some((serial, entry, rest)) = canonical(list) {
            visit(serial, entry)?;
            list = rest;
            continue;
        }
        let (rest, listed) = RevokedCertificate::from_der(list)
            .map_err(|e| CrlError::Malformed(format!("revoked certificate entry: {e}")))?;
        visit(listed.raw_serial(), from_x509(&listed)?)?;
        list = rest;
    }
    Ok(())
}

/// The entry x509-parser parsed: its reasonCode if it parsed (codes 0 to 10; another value
/// leaves the entry without a reason, as it always has), its invalidityDate if it parsed, an
/// error for a critical extension
/// other than reasonCode and invalidityDate (an indirect CRL's certificateIssuer, RFC 5280
/// §5.3.3, is not supported).
pub(crate) fn from_x509(listed: &RevokedCertificate<'_>) -> Result<RevokedEntry, CrlError> {
    use x509_parser::extensions::ParsedExtension;
    let mut reason = None;
    let mut invalidity_date = None;
    for ext in listed.extensions() {
        let oid = ext.oid.to_id_string();
        match oid.as_str() {
            REASON_CODE => {
                if let ParsedExtension::ReasonCode(code) = ext.parsed_extension() {
                    reason = Some(RevocationReason::from_code(code.0));
                }
            }
            INVALIDITY_DATE => {
                invalidity_date = match ext.parsed_extension() {
                    ParsedExtension::InvalidityDate(time) => Some(time.timestamp()),
                    _ => None,
                };
            }
            _ if ext.critical => return Err(CrlError::UnsupportedCriticalExtension(oid)),
            _ => {}
        }
    }
    Ok(RevokedEntry {
        date: listed.revocation_date.timestamp(),
        reason,
        invalidity_date,
    })
}

/// The first entry of `list` if it is in the canonical form: serial, entry, what follows.
pub(crate) fn canonical(list: &[u8]) -> Option<(&[u8], RevokedEntry, &[u8])> {
    let (entry, rest) = der::read_tagged(list, SEQUENCE)?;
    let (serial, fields) = der::read_tagged(entry, INTEGER)?;
    let (tag, time, extensions) = der::read(fields)?;
    let date = match tag {
        UTC_TIME => der::utc_time(time)?,
        GENERALIZED_TIME => der::generalized_time(time)?,
        _ => return None,
    };
    let (reason, invalidity_date) = if extensions.is_empty() {
        (None, None)
    } else {
        let (extensions, after) = der::read_tagged(extensions, SEQUENCE)?;
        if !after.is_empty() {
            return None;
        }
        reason_and_invalidity(extensions)?
    };
    let entry = RevokedEntry {
        date,
        reason,
        invalidity_date,
    };
    Some((serial, entry, rest))
}

/// The reasonCode and the invalidityDate among canonical crlEntryExtensions (the last one of
/// each if repeated, as x509-parser's list is read); `None` if any extension is not canonical
/// or is critical and unknown, or if an invalidityDate is not a GeneralizedTime
/// `YYYYMMDDHHMMSSZ` (x509-parser then reads the entry, as it always did).
fn reason_and_invalidity(mut extensions: &[u8]) -> Option<(Option<RevocationReason>, Option<i64>)> {
    let mut reason = None;
    let mut invalidity_date = None;
    while !extensions.is_empty() {
        let (extension, rest) = der::read_tagged(extensions, SEQUENCE)?;
        extensions = rest;
        let (oid, fields) = der::read_tagged(extension, OID)?;
        let (critical, fields) = match der::read(fields)? {
            (BOOLEAN, [0xFF], fields) => (true, fields),
            (BOOLEAN, _, _) => return None,
            _ => (false, fields),
        };
        let (value, after) = der::read_tagged(fields, OCTET_STRING)?;
        if !after.is_empty() || !der::is_oid(oid) {
            return None;
        }
        match oid {
            REASON_CODE_DER => match der::read(value)? {
                (ENUMERATED, &[code], []) if code <= 10 => {
                    reason = Some(RevocationReason::from_code(code));
                }
                _ => return None,
            },
            INVALIDITY_DATE_DER => match der::read(value)? {
                (GENERALIZED_TIME, time, []) => {
                    invalidity_date = Some(der::generalized_time(time)?);
                }
                _ => return None,
            },
            _ if critical => return None,
            _ => {}
        }
    }
    Some((reason, invalidity_date))
}
