//! Content formats, recognised by their bytes (never by a file name).
//!
//! The rule: "The portal checks document formats automatically on upload" → per-class allowed
//! formats, checked by content sniffing, with a clear rejection. [`sniff`] reads only the first
//! [`SNIFF_LEN`] bytes; a [`FormatSet`] is what a class allows, as configuration writes it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How many leading bytes [`sniff`] looks at: the signatures are in the first few bytes; an IFC
/// file's STEP header, which names its schema, usually within the first kilobytes.
pub const SNIFF_LEN: usize = 4096;

/// A content format the vault can recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// PDF: `%PDF-` at the start (ISO 32000-1 §7.5.2).
    Pdf,
    /// XML (UTF-8): optional byte-order mark and white space, then `<?xml` or an element,
    /// comment or doctype.
    Xml,
    /// PNG: the 8-byte signature `89 50 4E 47 0D 0A 1A 0A` (RFC 2083 §3.1).
    Png,
    /// JPEG: `FF D8 FF` (an SOI marker followed by another marker).
    Jpeg,
    /// TIFF: `II*\0` (little-endian) or `MM\0*` (big-endian); BigTIFF's `II+\0` / `MM\0+` too.
    Tiff,
    /// GIF: `GIF87a` or `GIF89a`.
    Gif,
    /// IFC in its STEP physical file form (ISO 10303-21): `ISO-10303-21;`, with an IFC schema
    /// when the header names one within the sniffed prefix.
    Ifc,
    /// AutoCAD DWG: a version string `AC10nn` (R13 `AC1012` … 2018 `AC1032`), `AC1.n` or
    /// `AC2.10` (the oldest releases).
    Dwg,
    /// ZIP: a local file header `PK\x03\x04`, or the end record `PK\x05\x06` of an empty archive
    /// (APPNOTE.TXT §4.3). Office documents (DOCX, XLSX) are ZIP archives too.
    Zip,
}

impl Format {
    /// Every format, in the order of [`Format::name`]'s table.
    pub const ALL: [Format; 9] = [
        Format::Pdf,
        Format::Xml,
        Format::Png,
        Format::Jpeg,
        Format::Tiff,
        Format::Gif,
        Format::Ifc,
        Format::Dwg,
        Format::Zip,
    ];

    /// The images: PNG, JPEG, TIFF and GIF (the name `images` in a [`FormatSet`]).
    pub const IMAGES: FormatSet =
        FormatSet::of(&[Format::Png, Format::Jpeg, Format::Tiff, Format::Gif]);

    /// The stable lowercase name used in configuration and reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xml => "xml",
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Tiff => "tiff",
            Format::Gif => "gif",
            Format::Ifc => "ifc",
            Format::Dwg => "dwg",
            Format::Zip => "zip",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a known format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown format {0:?}: expected one of pdf, xml, png, jpeg, tiff, gif, ifc, dwg, zip, or images"
)]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    /// A format by its [`Format::name`] (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The format of `content`, judged by its first [`SNIFF_LEN`] bytes; `None` when it is none of
/// the known formats.
pub fn sniff(content: &[u8]) -> Option<Format> {
    let b = &content[..content.len().min(SNIFF_LEN)];
    let starts = |magic: &[u8]| b.starts_with(magic);
    if starts(b"%PDF-") {
        return Some(Format::Pdf);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if starts(b"\xff\xd8\xff") {
        return Some(Format::Jpeg);
    }
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        return Some(Format::Tiff);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(Format::Gif);
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Some(Format::Zip);
    }
    if is_dwg(b) {
        return Some(Format::Dwg);
    }
    let text = skip_bom_and_space(b);
    if text.starts_with(b"ISO-10303-21;") {
        return is_ifc_header(text).then_some(Format::Ifc);
    }
    if is_xml_start(text) {
        return Some(Format::Xml);
    }
    None
}

/// `AC10` + two digits, `AC1.` + a digit, or `AC2.10`.
fn is_dwg(b: &[u8]) -> bool {
    match b {
        [b'A', b'C', b'1', b'0', d1, d2, ..] => d1.is_ascii_digit() && d2.is_ascii_digit(),
        [b'A', b'C', b'1', b'.', d, ..] => d.is_ascii_digit(),
        _ => b.starts_with(b"AC2.10"),
    }
}

/// The bytes after an optional UTF-8 byte-order mark and XML white space.
fn skip_bom_and_space(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(b.len());
    &b[start..]
}

/// `<?xml`, or `<` followed by what can follow it in a document's prolog or root: a name start
/// character (any non-ASCII byte may begin one), `!` (comment, doctype) or `?` (processing
/// instruction).
fn is_xml_start(text: &[u8]) -> bool {
    match text {
        [b'<', next, ..] => {
            next.is_ascii_alphabetic() || matches!(next, b'_' | b':' | b'!' | b'?') || *next >= 0x80
        }
        _ => false,
    }
}

/// A STEP file is IFC unless its header, when within the prefix, names a schema other than IFC
/// (a mechanical CAD exchange file such as AP214 is STEP too).
fn is_ifc_header(text: &[u8]) -> bool {
    let Some(at) = find(text, b"FILE_SCHEMA") else {
        return true;
    };
    let rest = &text[at..];
    let end = rest.iter().position(|&c| c == b';').unwrap_or(rest.len());
    find_ignore_case(&rest[..end], b"IFC").is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// A set of formats, as a class allows them. Parsed from a list of names in configuration
/// (`["pdf", "xml", "images"]`, where `images` stands for PNG, JPEG, TIFF and GIF); shown as
/// names in [`Format::ALL`] order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FormatSet(u16);

impl FormatSet {
    /// No format.
    pub const EMPTY: FormatSet = FormatSet(0);

    /// The set of `formats`.
    pub const fn of(formats: &[Format]) -> FormatSet {
        let mut bits = 0;
        let mut i = 0;
        while i < formats.len() {
            bits |= formats[i].bit();
            i += 1;
        }
        FormatSet(bits)
    }

    /// Parses names from configuration; `images` adds all four image formats.
    pub fn parse<'a, I>(names: I) -> Result<FormatSet, UnknownFormat>
    where
        I: IntoIterator<Item = &'a str>,
    {
        names.into_iter().try_fold(FormatSet::EMPTY, |set, name| {
            if name.trim().eq_ignore_ascii_case("images") {
                Ok(set.union(Format::IMAGES))
            } else {
                name.parse::<Format>().map(|f| set.with(f))
            }
        })
    }

    /// Whether `format` is in the set.
    pub const fn contains(self, format: Format) -> bool {
        self.0 & format.bit() != 0
    }

    /// The set with `format` added.
    pub const fn with(self, format: Format) -> FormatSet {
        FormatSet(self.0 | format.bit())
    }

    /// Both sets' formats.
    pub const fn union(self, other: FormatSet) -> FormatSet {
        FormatSet(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The formats, in [`Format::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Format> {
        Format::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl fmt::Display for FormatSet {
    /// `pdf, xml, zip`; `none` for the empty set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, format) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(format.name())?;
        }
        Ok(())
    }
}

impl fmt::Debug for FormatSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FormatSet({self})")
    }
}

impl FromIterator<Format> for FormatSet {
    fn from_iter<T: IntoIterator<Item = Format>>(iter: T) -> Self {
        iter.into_iter().fold(FormatSet::EMPTY, FormatSet::with)
    }
}

impl Serialize for FormatSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Format::name))
    }
}

impl<'de> Deserialize<'de> for FormatSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        FormatSet::parse(names.iter().map(String::as_str)).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_signature() {
        let cases: &[(&[u8], Format)] = &[
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Format::Pdf),
            (b"<?xml version=\"1.0\"?><a/>", Format::Xml),
            (b"\xef\xbb\xbf\r\n  <?xml version=\"1.0\"?>", Format::Xml),
            (b"<root xmlns=\"urn:x\"/>", Format::Xml),
            (b"\n<!-- generated -->\n<doc/>", Format::Xml),
            (b"<\xd2\x9b\xd2\xb1\xd0\xb6\xd0\xb0\xd1\x82/>", Format::Xml),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Format::Png),
            (b"\xff\xd8\xff\xe0\0\x10JFIF\0", Format::Jpeg),
            (b"\xff\xd8\xff\xe1\0\x10Exif\0", Format::Jpeg),
            (b"II*\0\x08\0\0\0", Format::Tiff),
            (b"MM\0*\0\0\0\x08", Format::Tiff),
            (b"II+\0\x08\0\0\0", Format::Tiff),
            (b"GIF87a\x01\0", Format::Gif),
            (b"GIF89a\x01\0", Format::Gif),
            (b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;", Format::Ifc),
            (b"ISO-10303-21;\r\nHEADER;\r\nFILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');", Format::Ifc),
            (b"\xef\xbb\xbfISO-10303-21;\nHEADER;\nFILE_SCHEMA(('ifc2x3'));", Format::Ifc),
            (b"AC1015\0\0\0\0\0\0", Format::Dwg),
            (b"AC1018", Format::Dwg),
            (b"AC1021", Format::Dwg),
            (b"AC1024", Format::Dwg),
            (b"AC1027", Format::Dwg),
            (b"AC1032\0\0", Format::Dwg),
            (b"AC1.50\0", Format::Dwg),
            (b"AC2.10\0", Format::Dwg),
            (b"PK\x03\x04\x14\0\0\0\x08\0", Format::Zip),
            (b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", Format::Zip),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                sniff(bytes),
                Some(*want),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn refuses_what_is_none_of_them() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"hello world",
            b"%PD",
            b" %PDF-1.4",
            b"\x89PNG",
            b"\xff\xd8",
            b"GIF88a",
            b"PK\x01\x02",
            b"PK\x07\x08",
            b"AC10",
            b"AC10x5",
            b"ACAD",
            b"< not xml",
            b"<1/>",
            b"{\"json\": true}",
            b"\x00\x01\x02\x03",
            // A STEP file of a mechanical CAD schema is not IFC.
            b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));",
        ];
        for bytes in cases {
            assert_eq!(sniff(bytes), None, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn reads_only_the_prefix() {
        let mut step = b"ISO-10303-21;\nHEADER;\n".to_vec();
        step.resize(SNIFF_LEN + 100, b' ');
        step.extend_from_slice(b"FILE_SCHEMA(('CONFIG_CONTROL_DESIGN'));");
        // The schema lies beyond the prefix: judged by the STEP signature alone.
        assert_eq!(sniff(&step), Some(Format::Ifc));
        let mut spaces = vec![b' '; SNIFF_LEN];
        spaces.extend_from_slice(b"<?xml version=\"1.0\"?>");
        assert_eq!(sniff(&spaces), None);
    }

    #[test]
    fn names_are_stable_and_parse_back() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "pdf", "xml", "png", "jpeg", "tiff", "gif", "ifc", "dwg", "zip"
            ]
        );
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
            assert_eq!(f.name().to_uppercase().parse::<Format>(), Ok(f));
        }
        let e = "docx".parse::<Format>().unwrap_err();
        assert!(e.to_string().contains("\"docx\""), "{e}");
    }

    #[test]
    fn format_sets_parse_from_configuration() {
        let set = FormatSet::parse(["pdf", "images", "zip"]).unwrap();
        assert_eq!(set.to_string(), "pdf, png, jpeg, tiff, gif, zip");
        assert!(set.contains(Format::Gif) && !set.contains(Format::Dwg));
        assert_eq!(
            FormatSet::parse(["pdf", "jpg"]),
            Err(UnknownFormat("jpg".into()))
        );
        assert_eq!(FormatSet::EMPTY.to_string(), "none");

        #[derive(Deserialize, Serialize)]
        struct Conf {
            formats: FormatSet,
        }
        let conf: Conf = toml::from_str("formats = [\"xml\", \"PDF\"]").unwrap();
        assert_eq!(conf.formats, FormatSet::of(&[Format::Pdf, Format::Xml]));
        assert_eq!(
            toml::to_string(&conf).unwrap().trim(),
            "formats = [\"pdf\", \"xml\"]"
        );
        let err = toml::from_str::<Conf>("formats = [\"exe\"]").err().unwrap();
        assert!(err.to_string().contains("unknown format \"exe\""), "{err}");
    }
}
