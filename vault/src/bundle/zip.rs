//! The bundle's container: a ZIP archive (APPNOTE.TXT 6.3.10) of stored entries only, written
//! and read by this module.
//!
//! Only the subset a bundle needs is written, and only that subset is read back: method 0
//! (stored), no encryption, no data descriptor, no ZIP64, no extra fields or comments, UTF-8
//! names (general purpose bit 11). The reader is a parser of outside input, so it is strict where
//! a general ZIP reader is lenient, and every leniency it refuses is one a forger could use:
//! entries must follow each other with no gap or overlap from offset 0 up to the central
//! directory, which must end where the end record starts; the local header must repeat the
//! central one; names are unique (also without regard to case) and relative, with no `.` or
//! `..` component. Stored entries that do not overlap cannot hold more bytes than the archive,
//! so there is no "ZIP bomb": what is read is bounded by the input's length, which the caller
//! bounds.

use super::error::ZipError;

/// The most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 65_535;

/// The longest entry name, in bytes.
pub const MAX_NAME: usize = 255;

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
/// Version 2.0: what a stored entry needs.
const VERSION: u16 = 20;
/// General purpose bit 11: the name is UTF-8.
const UTF8: u16 = 1 << 11;
/// 1980-01-01 00:00, the earliest MS-DOS date: entries carry no time, so that one export of the
/// same evidence gives the same bytes.
const DOS_DATE: u16 = (1 << 5) | 1;
#[cfg(test)]
const LOCAL_LEN: usize = 30;
const END_LEN: usize = 22;

/// One entry of an archive: its name and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The entry's name (a relative path with `/` separators).
    pub name: &'a str,
    /// Its bytes.
    pub data: &'a [u8],
}

/// Writes `entries`, in their order, as a ZIP archive of stored entries. Fails on a name the
/// reader would refuse, a duplicate, or sizes beyond ZIP's 32-bit fields.
pub fn write(entries: &[Entry<'_>]) -> Result<Vec<u8>, ZipError> {
    check_names(entries.iter().map(|e| e.name))?;
    if entries.len() > MAX_ENTRIES {
        return Err(ZipError::TooManyEntries(entries.len()));
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = u32_of(out.len(), entry.name)?;
        let size = u32_of(entry.data.len(), entry.name)?;
        let crc = crc32(entry.data);
        let name = entry.name.as_bytes();
        let name_len = name.len() as u16; // at most MAX_NAME (checked)
        put32(&mut out, LOCAL);
        for field in [VERSION, UTF8, 0, 0, DOS_DATE] {
            put16(&mut out, field);
        }
        for field in [crc, size, size] {
            put32(&mut out, field);
        }
        put16(&mut out, name_len);
        put16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(entry.data);

        put32(&mut central, CENTRAL);
        for field in [VERSION, VERSION, UTF8, 0, 0, DOS_DATE] {
            put16(&mut central, field);
        }
        for field in [crc, size, size] {
            put32(&mut central, field);
        }
        for field in [name_len, 0, 0, 0, 0] {
            put16(&mut central, field);
        }
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let directory_offset = u32_of(out.len(), "(the central directory)")?;
    let directory_len = u32_of(central.len(), "(the central directory)")?;
    out.extend_from_slice(&central);
    u32_of(out.len() + END_LEN, "(the archive)")?;
    let count = entries.len() as u16; // at most MAX_ENTRIES (checked)
    put32(&mut out, END);
    for field in [0, 0, count, count] {
        put16(&mut out, field);
    }
    put32(&mut out, directory_len);
    put32(&mut out, directory_offset);
    put16(&mut out, 0);
    Ok(out)
}

/// Reads an archive that [`write`] could have written: its entries in order, each checked
/// against its CRC-32. Anything else is refused with what is wrong.
pub fn read(archive: &[u8]) -> Result<Vec<Entry<'_>>, ZipError> {
    let end_at = archive
        .len()
        .checked_sub(END_LEN)
        .ok_or(ZipError::NoEndRecord)?;
    let mut end = Reader::at(archive, end_at);
    if end.u32()? != END {
        // Also an archive comment: the end record must be the last 22 bytes.
        return Err(ZipError::NoEndRecord);
    }
    let (disk, directory_disk, on_disk, count) = (end.u16()?, end.u16()?, end.u16()?, end.u16()?);
    if disk != 0 || directory_disk != 0 || on_disk != count {
        return Err(ZipError::Unsupported("an archive split over several disks"));
    }
    let directory_len = end.u32()? as usize;
    let directory_at = end.u32()? as usize;
    if directory_at.checked_add(directory_len) != Some(end_at) {
        return Err(ZipError::Layout(format!(
            "the central directory ({directory_len} bytes at {directory_at}) does not end where \
             the end record starts ({end_at})"
        )));
    }
    let mut directory = Reader::at(archive, directory_at);
    let mut entries = Vec::with_capacity(usize::from(count));
    // Where the next local header must start: entries are packed from 0 on.
    let mut next = 0usize;
    for index in 0..usize::from(count) {
        let header = CentralHeader::read(&mut directory, index)?;
        if header.offset != next {
            return Err(ZipError::Layout(format!(
                "entry {index} starts at {}, not right after the one before ({next})",
                header.offset
            )));
        }
        let data_at = header.check_local(archive, index)?;
        let data_end = data_at
            .checked_add(header.size)
            .filter(|&e| e <= directory_at)
            .ok_or_else(|| {
                ZipError::Layout(format!(
                    "entry {index} ({}) runs into the central directory",
                    header.name
                ))
            })?;
        let data = &archive[data_at..data_end];
        if crc32(data) != header.crc {
            return Err(ZipError::Crc(header.name.to_owned()));
        }
        entries.push(Entry {
            name: header.name,
            data,
        });
        next = data_end;
    }
    if next != directory_at {
        return Err(ZipError::Layout(format!(
            "{} bytes between the last entry and the central directory",
            directory_at - next
        )));
    }
    if directory.at != end_at {
        return Err(ZipError::Layout(
            "the central directory holds more than its entries".into(),
        ));
    }
    check_names(entries.iter().map(|e| e.name))?;
    Ok(entries)
}

/// A central directory header, checked.
struct CentralHeader<'a> {
    name: &'a str,
    crc: u32,
    size: usize,
    offset: usize,
    flags: u16,
}

impl<'a> CentralHeader<'a> {
    fn read(directory: &mut Reader<'a>, index: usize) -> Result<Self, ZipError> {
        if directory.u32()? != CENTRAL {
            return Err(ZipError::Layout(format!(
                "entry {index}: no central directory header"
            )));
        }
        let (_made_by, _needed, flags, method) = (
            directory.u16()?,
            directory.u16()?,
            directory.u16()?,
            directory.u16()?,
        );
        let (_time, _date) = (directory.u16()?, directory.u16()?);
        let (crc, compressed, size) = (directory.u32()?, directory.u32()?, directory.u32()?);
        let (name_len, extra_len, comment_len) =
            (directory.u16()?, directory.u16()?, directory.u16()?);
        let (_disk, _internal, _external) = (directory.u16()?, directory.u16()?, directory.u32()?);
        let offset = directory.u32()? as usize;
        let name = directory.take(usize::from(name_len))?;
        let name = std::str::from_utf8(name)
            .map_err(|_| ZipError::Name(format!("entry {index}: its name is not UTF-8")))?;
        check_header(index, name, flags, method, compressed, size)?;
        if extra_len != 0 || comment_len != 0 {
            return Err(ZipError::Unsupported(
                "extra fields or comments in the central directory",
            ));
        }
        Ok(Self {
            name,
            crc,
            size: size as usize,
            offset,
            flags,
        })
    }

    /// Checks that the local header at the entry's offset repeats this one; returns where its
    /// data starts.
    fn check_local(&self, archive: &[u8], index: usize) -> Result<usize, ZipError> {
        let mut local = Reader::at(archive, self.offset);
        if local.u32()? != LOCAL {
            return Err(ZipError::Layout(format!(
                "entry {index} ({}): no local header at {}",
                self.name, self.offset
            )));
        }
        let (_needed, flags, method, _time, _date) = (
            local.u16()?,
            local.u16()?,
            local.u16()?,
            local.u16()?,
            local.u16()?,
        );
        let (crc, compressed, size) = (local.u32()?, local.u32()?, local.u32()?);
        let (name_len, extra_len) = (local.u16()?, local.u16()?);
        let name = local.take(usize::from(name_len))?;
        check_header(index, self.name, flags, method, compressed, size)?;
        if flags != self.flags
            || crc != self.crc
            || size as usize != self.size
            || name != self.name.as_bytes()
            || extra_len != 0
        {
            return Err(ZipError::Layout(format!(
                "entry {index} ({}): its local header differs from its central one",
                self.name
            )));
        }
        Ok(local.at)
    }
}

/// What both headers must say: a stored, unencrypted entry without a data descriptor.
fn check_header(
    index: usize,
    name: &str,
    flags: u16,
    method: u16,
    compressed: u32,
    size: u32,
) -> Result<(), ZipError> {
    if method != 0 {
        return Err(ZipError::Method {
            name: name.to_owned(),
            method,
        });
    }
    if flags & !UTF8 != 0 {
        return Err(ZipError::Unsupported(
            "encryption, data descriptors or other general purpose flags",
        ));
    }
    if compressed != size {
        return Err(ZipError::Layout(format!(
            "entry {index} ({name}): stored, but its sizes differ"
        )));
    }
    Ok(())
}

/// Every name valid ([`check_name`]) and unique, also without regard to ASCII case (a file
/// system that folds case would merge them on extraction).
fn check_names<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), ZipError> {
    let mut seen = std::collections::HashSet::new();
    for name in names {
        check_name(name)?;
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(ZipError::Duplicate(name.to_owned()));
        }
    }
    Ok(())
}

/// A relative path of `/`-separated components, none empty, `.` or `..`, with no backslash,
/// drive letter or control character, and not a directory.
pub fn check_name(name: &str) -> Result<(), ZipError> {
    let bad = |why: &str| Err(ZipError::Name(format!("{name:?}: {why}")));
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME {
        return bad("too long");
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '\\' || c == ':')
    {
        return bad("a control character, a backslash or a colon");
    }
    if name
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return bad("an absolute path, an empty, `.` or `..` component, or a directory");
    }
    Ok(())
}

fn u32_of(value: usize, what: &str) -> Result<u32, ZipError> {
    u32::try_from(value).map_err(|_| ZipError::TooLarge(what.to_owned()))
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// Little-endian fields from a position of the archive.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn at(bytes: &'a [u8], at: usize) -> Self {
        Self { bytes, at }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], ZipError> {
        let end = self.at.checked_add(len).ok_or(ZipError::Truncated)?;
        let taken = self.bytes.get(self.at..end).ok_or(ZipError::Truncated)?;
        self.at = end;
        Ok(taken)
    }

    fn u16(&mut self) -> Result<u16, ZipError> {
        let bytes = self.take(2)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&mut self) -> Result<u32, ZipError> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

/// CRC-32 of ISO-HDLC (the one ZIP uses: reflected polynomial 0xEDB88320).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc = CRC_TABLE[usize::from((crc as u8) ^ byte)] ^ (crc >> 8);
    }
    !crc
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    fn entry<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
        Entry { name, data }
    }

    #[test]
    fn crc32_check_value() {
        // The check value of CRC-32/ISO-HDLC (the CRC catalogue's "123456789").
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn writes_and_reads_back() {
        let entries = [
            entry("mimetype", b"application/x"),
            entry("a/b.txt", b"hello"),
            entry("empty", b""),
        ];
        let archive = write(&entries).unwrap();
        assert_eq!(read(&archive).unwrap(), entries);
        // Deterministic: the same entries, the same bytes.
        assert_eq!(write(&entries).unwrap(), archive);
    }

    #[test]
    fn an_empty_archive_is_the_end_record_alone() {
        let archive = write(&[]).unwrap();
        assert_eq!(archive.len(), END_LEN);
        assert!(read(&archive).unwrap().is_empty());
    }

    #[test]
    fn bad_names_are_refused_on_both_sides() {
        for name in [
            "",
            "/etc/passwd",
            "a/../b",
            "..",
            "./a",
            "a//b",
            "dir/",
            "a\\b",
            "c:x",
            "a\nb",
        ] {
            assert!(
                matches!(write(&[entry(name, b"")]), Err(ZipError::Name(_))),
                "{name:?}"
            );
        }
        let archive = write(&[entry("xx/yy", b"1")]).unwrap();
        // The same length, so every offset stays right: "xx/yy" → "../yy" in both headers.
        let forged = replace_all(&archive, b"xx/yy", b"../yy");
        assert!(
            matches!(read(&forged), Err(ZipError::Name(_))),
            "{forged:?}"
        );
    }

    #[test]
    fn duplicates_are_refused_also_by_case() {
        assert!(matches!(
            write(&[entry("a", b"1"), entry("a", b"2")]),
            Err(ZipError::Duplicate(_))
        ));
        let archive = write(&[entry("ab", b"1"), entry("cd", b"2")]).unwrap();
        for twin in [&b"ab"[..], b"AB"] {
            let forged = replace_all(&archive, b"cd", twin);
            assert!(
                matches!(read(&forged), Err(ZipError::Duplicate(_))),
                "{:?}",
                read(&forged)
            );
        }
    }

    #[test]
    fn every_byte_changed_or_cut_is_refused_or_read_the_same() {
        let entries = [entry("mimetype", b"text/x"), entry("data", b"0123456789")];
        let archive = write(&entries).unwrap();
        for at in 0..archive.len() {
            let mut forged = archive.clone();
            forged[at] ^= 0x41;
            // A changed byte of a field that is not checked (a version, a time, attributes)
            // reads back the same entries; any other is refused.
            if let Ok(read) = read(&forged) {
                assert_eq!(read, entries, "byte {at}");
            }
            assert!(super::read(&archive[..at]).is_err(), "cut at {at}");
        }
    }

    #[test]
    fn a_crc_mismatch_is_named() {
        let mut archive = write(&[entry("data", b"0123456789")]).unwrap();
        let at = LOCAL_LEN + 4;
        archive[at] = b'X';
        assert_eq!(read(&archive), Err(ZipError::Crc("data".into())));
    }

    #[test]
    fn bytes_hidden_between_entries_or_before_the_directory_are_refused() {
        let archive = write(&[entry("data", b"0123")]).unwrap();
        let directory_at = LOCAL_LEN + 4 + 4;
        // Four bytes slipped in before the directory, its offset moved past them.
        let mut forged = archive[..directory_at].to_vec();
        forged.extend_from_slice(b"junk");
        forged.extend_from_slice(&archive[directory_at..archive.len() - 6]);
        forged.extend_from_slice(&((directory_at + 4) as u32).to_le_bytes());
        forged.extend_from_slice(&[0, 0]);
        assert!(
            matches!(read(&forged), Err(ZipError::Layout(_))),
            "{:?}",
            read(&forged)
        );
    }

    #[test]
    fn compressed_entries_and_comments_are_refused() {
        let mut archive = write(&[entry("data", b"0123")]).unwrap();
        let method_at = 8;
        archive[method_at] = 8; // deflate, in the local header only
        assert!(read(&archive).is_err());
        let mut archive = write(&[entry("data", b"0123")]).unwrap();
        let len = archive.len();
        archive[len - 2] = 3;
        archive.extend_from_slice(b"abc");
        assert_eq!(read(&archive), Err(ZipError::NoEndRecord));
    }

    fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let mut out = haystack.to_vec();
        let mut at = 0;
        while let Some(found) = out[at..].windows(from.len()).position(|w| w == from) {
            out[at + found..at + found + from.len()].copy_from_slice(to);
            at += found + from.len();
        }
        out
    }
}
