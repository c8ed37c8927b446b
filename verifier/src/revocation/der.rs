//! A strict DER reader for the hot path of CRL parsing: one-byte tags, definite lengths in
//! their minimal form (X.690 §10.1), and the two Time spellings DER allows for RFC 5280
//! (§4.1.2.5.1 UTCTime `YYMMDDHHMMSSZ`, §4.1.2.5.2 GeneralizedTime `YYYYMMDDHHMMSSZ`).
//!
//! Nothing here is an error: `None` means "not in the one canonical form", and the caller then
//! hands the bytes to x509-parser, which decides as it always did. So what this accepts must
//! read exactly as x509-parser reads it (`tests/fast_path.rs` compares the two).

/// One TLV at the start of `input`: its tag byte, its content and what follows. `None` for a
/// high tag number, the indefinite form, a non-minimal length, or truncation.
pub(crate) fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (tag, len, header_len) = header(input)?;
    let (content, rest) = input.get(header_len..)?.split_at_checked(len)?;
    Some((tag, content, rest))
}

/// The header of the TLV at the start of `input`: its tag byte, its content length and the
/// header's own length (at most [`MAX_HEADER`] octets). `None` as for [`read`], the content
/// aside (it may be absent: a stream reads headers first).
pub(crate) fn header(input: &[u8]) -> Option<(u8, usize, usize)> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1F == 0x1F {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return Some((tag, usize::from(first), 2));
    }
    // 0x80 is the indefinite form; more than four length octets is no CRL of this world.
    let count = usize::from(first & 0x7F);
    if !(1..=4).contains(&count) {
        return None;
    }
    let octets = rest.get(..count)?;
    if octets.first() == Some(&0) {
        return None;
    }
    let len = octets
        .iter()
        .fold(0usize, |len, &b| (len << 8) | usize::from(b));
    if len < 0x80 {
        return None;
    }
    Some((tag, len, 2 + count))
}

/// The longest header [`header`] reads: tag, length octet, four length octets.
pub(crate) const MAX_HEADER: usize = 6;

/// The content of a TLV with tag `tag` at the start of `input`, and what follows.
pub(crate) fn read_tagged(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (found, content, rest) = read(input)?;
    (found == tag).then_some((content, rest))
}

/// Whether `content` is a well-formed OBJECT IDENTIFIER (X.690 §8.19): not empty, every
/// subidentifier minimal (no leading 0x80 octet), the last octet ending one.
pub(crate) fn is_oid(content: &[u8]) -> bool {
    let mut start = true;
    for &b in content {
        if start && b == 0x80 {
            return false;
        }
        start = b & 0x80 == 0;
    }
    !content.is_empty() && start
}

/// A UTCTime's content `YYMMDDHHMMSSZ` as unix seconds; YY below 50 is 20YY, else 19YY
/// (RFC 5280 §4.1.2.5.1).
pub(crate) fn utc_time(content: &[u8]) -> Option<i64> {
    let (digits, b"Z") = content.split_at_checked(12)? else {
        return None;
    };
    let yy = two(digits, 0)?;
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    unix(year, digits.get(2..)?)
}

/// A GeneralizedTime's content `YYYYMMDDHHMMSSZ` as unix seconds (RFC 5280 §4.1.2.5.2), for
/// years 1000 to 9999.
pub(crate) fn generalized_time(content: &[u8]) -> Option<i64> {
    let (digits, b"Z") = content.split_at_checked(14)? else {
        return None;
    };
    let year = two(digits, 0)? * 100 + two(digits, 2)?;
    if year < 1000 {
        return None;
    }
    unix(year, digits.get(4..)?)
}

/// Two decimal digits at `at`.
fn two(digits: &[u8], at: usize) -> Option<i64> {
    match digits.get(at..at + 2)? {
        [hi @ b'0'..=b'9', lo @ b'0'..=b'9'] => {
            Some(i64::from(hi - b'0') * 10 + i64::from(lo - b'0'))
        }
        _ => None,
    }
}

/// `MMDDHHMMSS` of `year` as unix seconds, if it names a real instant (no leap second).
fn unix(year: i64, rest: &[u8]) -> Option<i64> {
    let [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map(|at| two(rest, at));
    let (month, day, hour, minute, second) = (month?, day?, hour?, minute?, second?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_must_be_minimal() {
        assert_eq!(
            read(&[0x04, 0x01, 0xAA, 0x00]),
            Some((0x04, &[0xAA][..], &[0][..]))
        );
        let long: Vec<u8> = [&[0x04, 0x81, 0x80][..], &[0; 0x80]].concat();
        assert!(read(&long).is_some());
        assert_eq!(read(&[0x04, 0x81, 0x01, 0xAA]), None);
        assert_eq!(read(&[0x04, 0x82, 0x00, 0x01, 0xAA]), None);
        assert_eq!(read(&[0x30, 0x80, 0x00, 0x00]), None);
        assert_eq!(read(&[0x1F, 0x01, 0x00]), None);
        assert_eq!(read(&[0x04, 0x02, 0xAA]), None);
        assert_eq!(read(&[0x04, 0x85, 1, 0, 0, 0, 0]), None);
        assert_eq!(read(&[]), None);
    }

    #[test]
    fn oids() {
        assert!(is_oid(&[0x55, 0x1D, 0x15]));
        assert!(is_oid(&[0x2A, 0x86, 0x48]));
        assert!(!is_oid(&[]));
        assert!(!is_oid(&[0x55, 0x80, 0x01]));
        assert!(!is_oid(&[0x55, 0x86]));
    }

    #[test]
    fn times() {
        assert_eq!(utc_time(b"260301000000Z"), Some(1_772_323_200));
        assert_eq!(utc_time(b"700101000000Z"), Some(0));
        assert_eq!(utc_time(b"500101000000Z"), Some(-631_152_000));
        assert_eq!(utc_time(b"491231235959Z"), Some(2_524_607_999));
        assert_eq!(utc_time(b"000229120000Z"), Some(951_825_600));
        assert_eq!(utc_time(b"010229120000Z"), None);
        assert_eq!(utc_time(b"260301000060Z"), None);
        assert_eq!(utc_time(b"2603010000Z"), None);
        assert_eq!(utc_time(b"260301000000+0000"), None);
        assert_eq!(generalized_time(b"20260301000000Z"), Some(1_772_323_200));
        assert_eq!(generalized_time(b"99991231235959Z"), Some(253_402_300_799));
        assert_eq!(generalized_time(b"21000229000000Z"), None);
        assert_eq!(generalized_time(b"20260301000000.5Z"), None);
        assert_eq!(generalized_time(b"09990101000000Z"), None);
    }
}
