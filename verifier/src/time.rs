//! UTCTime and GeneralizedTime as CMS uses them (RFC 5652 §11.3, RFC 5280 §4.1.2.5).

use std::fmt;

/// Which ASN.1 type a [`Time`] was encoded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeEncoding {
    /// UTCTime `YYMMDDHHMMSSZ`; years 50–99 are 19xx, 00–49 are 20xx (RFC 5280 §4.1.2.5.1).
    UtcTime,
    /// GeneralizedTime `YYYYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.2).
    GeneralizedTime,
}

/// A calendar time in UTC with whole seconds, as the signing-time attribute carries it.
///
/// RFC 5652 §11.3 requires UTC (`Z`), seconds, and no fractional seconds; other forms are
/// rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    /// Full year, e.g. 2026.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
    /// The encoding it was read from.
    pub encoding: TimeEncoding,
}

impl Time {
    /// Parses the content octets of a UTCTime.
    pub fn parse_utc_time(content: &[u8]) -> Result<Self, &'static str> {
        let digits = fixed_form(content, 12)?;
        let yy = pair(&digits, 0);
        let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
        Self::from_parts(year, &digits, 2, TimeEncoding::UtcTime)
    }

    /// Parses the content octets of a GeneralizedTime.
    pub fn parse_generalized_time(content: &[u8]) -> Result<Self, &'static str> {
        let digits = fixed_form(content, 14)?;
        let year = pair(&digits, 0) * 100 + pair(&digits, 2);
        Self::from_parts(year, &digits, 4, TimeEncoding::GeneralizedTime)
    }

    fn from_parts(
        year: u16,
        digits: &[u8],
        offset: usize,
        encoding: TimeEncoding,
    ) -> Result<Self, &'static str> {
        let field = |i: usize| -> Result<u8, &'static str> {
            u8::try_from(pair(digits, offset + 2 * i)).map_err(|_| "field out of range")
        };
        let (month, day, hour, minute, second) =
            (field(0)?, field(1)?, field(2)?, field(3)?, field(4)?);
        if !(1..=12).contains(&month) {
            return Err("month out of range");
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err("day out of range");
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err("time of day out of range");
        }
        Ok(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            encoding,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_timestamp(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

impl Time {
    /// The calendar time of `unix` seconds since the epoch (GeneralizedTime encoding), for
    /// years 0000–9999; `None` outside them.
    pub fn from_unix(unix: i64) -> Option<Self> {
        // Howard Hinnant's civil_from_days.
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Some(Self {
            year: u16::try_from(year).ok().filter(|y| *y <= 9999)?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
            hour: u8::try_from(secs / 3600).ok()?,
            minute: u8::try_from(secs / 60 % 60).ok()?,
            second: u8::try_from(secs % 60).ok()?,
            encoding: TimeEncoding::GeneralizedTime,
        })
    }
}

impl fmt::Display for Time {
    /// RFC 3339, e.g. `2026-07-20T09:08:06Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Checks `content` is `count` ASCII digits followed by `Z` and returns the digit values.
fn fixed_form(content: &[u8], count: usize) -> Result<Vec<u8>, &'static str> {
    let (last, digits) = content.split_last().ok_or("empty time")?;
    if *last != b'Z' {
        return Err("time is not in UTC (must end with Z)");
    }
    if digits.len() != count {
        return Err(
            "time must have the form YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ (with seconds, no fraction)",
        );
    }
    digits
        .iter()
        .map(|&b| {
            if b.is_ascii_digit() {
                Ok(b - b'0')
            } else {
                Err("non-digit in time")
            }
        })
        .collect()
}

fn pair(digits: &[u8], at: usize) -> u16 {
    let d = |i: usize| u16::from(digits.get(i).copied().unwrap_or(0));
    d(at) * 10 + d(at + 1)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap =
                (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
            if leap { 29 } else { 28 }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    #[test]
    fn utc_time() {
        let t = Time::parse_utc_time(b"260720090806Z").unwrap();
        assert_eq!(t.to_string(), "2026-07-20T09:08:06Z");
        assert_eq!(t.encoding, TimeEncoding::UtcTime);
        assert_eq!(t.unix_timestamp(), 1_784_538_486);
        assert_eq!(Time::parse_utc_time(b"500101000000Z").unwrap().year, 1950);
        assert_eq!(Time::parse_utc_time(b"491231235959Z").unwrap().year, 2049);
        assert_eq!(
            Time::parse_utc_time(b"700101000000Z")
                .unwrap()
                .unix_timestamp(),
            0
        );
    }

    #[test]
    fn generalized_time() {
        let t = Time::parse_generalized_time(b"20500101000000Z").unwrap();
        assert_eq!(t.year, 2050);
        assert_eq!(t.encoding, TimeEncoding::GeneralizedTime);
        assert_eq!(t.unix_timestamp(), 2_524_608_000);
        let leap = Time::parse_generalized_time(b"20240229120000Z").unwrap();
        assert_eq!(leap.day, 29);
        assert_eq!(
            Time::parse_generalized_time(b"19691231235959Z")
                .unwrap()
                .unix_timestamp(),
            -1
        );
    }

    #[test]
    fn from_unix_inverts_unix_timestamp() {
        for unix in [
            0,
            951_782_400,   // 2000-02-29
            1_709_251_199, // 2024-02-29T23:59:59Z
            1_781_524_800, // 2026-06-15T12:00:00Z
            253_402_300_799,
            -62_167_219_200, // 0000-01-01
        ] {
            let time = Time::from_unix(unix).unwrap();
            assert_eq!(time.unix_timestamp(), unix, "{time}");
        }
        assert_eq!(
            Time::from_unix(1_781_524_800).unwrap().to_string(),
            "2026-06-15T12:00:00Z"
        );
        assert_eq!(Time::from_unix(253_402_300_800), None); // year 10000
        assert_eq!(Time::from_unix(-62_167_219_201), None); // year -1
    }

    #[test]
    fn rejects_what_rfc_5652_forbids_or_the_calendar_lacks() {
        for bad in [
            &b""[..],
            b"2607200908Z",       // no seconds
            b"260720090806",      // no Z
            b"260720090806+0500", // offset
            b"2607200908060Z",    // too long
            b"26072009080aZ",     // non-digit
            b"261320090806Z",     // month 13
            b"260732090806Z",     // day 32
            b"250229000000Z",     // 29 Feb in a common year
            b"260720240806Z",     // hour 24
            b"260720096006Z",     // minute 60
            b"260720090860Z",     // second 60
        ] {
            assert!(Time::parse_utc_time(bad).is_err(), "{bad:?}");
        }
        assert!(Time::parse_generalized_time(b"20260720090806.5Z").is_err());
        assert!(Time::parse_generalized_time(b"21000229000000Z").is_err());
        assert!(Time::parse_generalized_time(b"20000229000000Z").is_ok());
    }
}
