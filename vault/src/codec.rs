//! The one place where persisted records become bytes and back.
//!
//! Every stored value starts with a format version byte, followed by the
//! record in bincode 2's standard configuration (little-endian, variable-length
//! integers). The golden-bytes tests below freeze that layout: a codec change
//! that alters a single stored byte fails them, so a future codec can be
//! swapped in behind a new version byte without rewriting stored data.
//!
//! Later formats are the same bincode layout, for the records whose shape changed ([`Upgrade`]):
//! such a record is written with the format byte of its current shape and still read from the
//! bytes of every earlier format, which stay as stored (the audit log hashes the stored bytes).
//! Format 2: a version record names the clauses that dated and retained it. Format 3: it names
//! who submitted it and whether its sender was known in advance; an event of a hold names the
//! placing authority's BIN. Format 4: a version record references the OCSP responses its
//! verdict used.

use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use bincode::de::BorrowDecode;
use bincode::{Decode, Encode};

/// The version byte of the current record format.
pub const FORMAT_V1: u8 = 1;

/// The version byte of the second record format.
pub const FORMAT_V2: u8 = 2;

/// The version byte of the third record format.
pub const FORMAT_V3: u8 = 3;

/// The version byte of the fourth record format.
pub const FORMAT_V4: u8 = 4;

/// A record whose shape changed: written with the format byte of its current shape, read from
/// the bytes of an earlier format as the shape it had then and converted.
pub trait Upgrade: Encode + Decode<()> {
    /// The format byte of the current shape.
    const FORMAT: u8;
    /// The shape of the format before.
    type Previous: Stored + Into<Self>;
}

/// A record that can be read from its stored bytes, whichever format wrote them.
pub trait Stored: Sized {
    /// Reads the record from `bytes` (format byte included).
    fn read(bytes: &[u8]) -> Result<Self, CodecError>;
}

impl<T: Upgrade> Stored for T {
    fn read(bytes: &[u8]) -> Result<Self, CodecError> {
        match bytes.split_first() {
            Some((&format, body)) if format == T::FORMAT => decode_body(body),
            _ => T::Previous::read(bytes).map(Into::into),
        }
    }
}

/// Implements [`Stored`] for format-1 shapes (frozen copies of a record as format 1 wrote it).
macro_rules! stored_as_format_1 {
    ($($shape:ty),+ $(,)?) => {
        $(impl $crate::codec::Stored for $shape {
            fn read(bytes: &[u8]) -> Result<Self, $crate::codec::CodecError> {
                $crate::codec::decode(bytes)
            }
        })+
    };
}
pub(crate) use stored_as_format_1;

/// Upper bound on the memory one decoded record may claim; a corrupt length
/// prefix must not make the decoder allocate gigabytes.
const DECODE_LIMIT: usize = 128 << 20;

type V1Config = Configuration<LittleEndian, Varint, Limit<DECODE_LIMIT>>;

fn v1() -> V1Config {
    bincode::config::standard().with_limit::<DECODE_LIMIT>()
}

/// Why stored bytes could not be read back as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The value holds no bytes at all, not even a version byte.
    #[error("empty record")]
    Empty,
    /// The version byte names a format this build does not know.
    #[error("unknown record format version {0}")]
    UnknownVersion(u8),
    /// The bytes after the version byte are not a valid record.
    #[error("malformed record: {0}")]
    Malformed(String),
    /// A valid record is followed by bytes that belong to nothing.
    #[error("{0} unexpected bytes after the record")]
    TrailingBytes(usize),
    /// The record could not be encoded.
    #[error("cannot encode record: {0}")]
    Encode(String),
}

/// Encodes `record` with its version byte.
pub fn encode<T: Encode>(record: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![FORMAT_V1];
    bincode::encode_into_std_write(record, &mut out, v1())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// Encodes `record` with the format byte of its current shape.
pub fn encode_upgraded<T: Upgrade>(record: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![T::FORMAT];
    bincode::encode_into_std_write(record, &mut out, v1())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// Decodes an owned record, refusing unknown versions and trailing bytes.
pub fn decode<T: Decode<()>>(bytes: &[u8]) -> Result<T, CodecError> {
    decode_body(body(bytes)?)
}

/// Decodes a record stored in its current format, or in an earlier one as the shape it had then.
pub fn decode_upgrading<T: Stored>(bytes: &[u8]) -> Result<T, CodecError> {
    T::read(bytes)
}

fn decode_body<T: Decode<()>>(body: &[u8]) -> Result<T, CodecError> {
    let (record, used) =
        bincode::decode_from_slice(body, v1()).map_err(|e| CodecError::Malformed(e.to_string()))?;
    whole(body, used)?;
    Ok(record)
}

/// Decodes a record that borrows from `bytes` (chunk payloads are not copied).
pub fn decode_borrowed<'a, T: BorrowDecode<'a, ()>>(bytes: &'a [u8]) -> Result<T, CodecError> {
    let body = body(bytes)?;
    let (record, used) = bincode::borrow_decode_from_slice(body, v1())
        .map_err(|e| CodecError::Malformed(e.to_string()))?;
    whole(body, used)?;
    Ok(record)
}

fn body(bytes: &[u8]) -> Result<&[u8], CodecError> {
    match bytes.split_first() {
        None => Err(CodecError::Empty),
        Some((&FORMAT_V1, body)) => Ok(body),
        Some((&other, _)) => Err(CodecError::UnknownVersion(other)),
    }
}

fn whole(body: &[u8], used: usize) -> Result<(), CodecError> {
    match body.len() - used {
        0 => Ok(()),
        extra => Err(CodecError::TrailingBytes(extra)),
    }
}

#[cfg(test)]
mod golden {
    //! Frozen byte layouts of every persisted record type. If one of these
    //! fails, stored data would no longer read back: bump the format version
    //! and keep a decoder for the old one instead of editing the expectation.

    use super::*;
    use crate::address::ChunkId;
    use crate::content::chunk::{Encoding, StoredChunk};
    use crate::content::manifest::{ChunkRef, Manifest};

    fn id(byte: u8) -> ChunkId {
        ChunkId([byte; 32])
    }

    #[test]
    fn manifest_v1() {
        let manifest = Manifest {
            length: 5_000_000,
            chunks: vec![
                ChunkRef {
                    id: id(0xaa),
                    length: 4_194_304,
                    stored: 1_000,
                },
                ChunkRef {
                    id: id(0xbb),
                    length: 805_696,
                    stored: 805_696,
                },
            ],
        };
        let bytes = encode(&manifest).unwrap();
        let expected = concat!(
            "01",         // format version
            "fc404b4c00", // length 5_000_000 (varint u32 marker fc)
            "02",         // two chunks
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "fc00004000", // 4_194_304
            "fbe803",     // 1_000
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "fc404b0c00", // 805_696
            "fc404b0c00", // 805_696
        );
        assert_eq!(hex::encode(&bytes), expected);
        assert_eq!(decode::<Manifest>(&bytes).unwrap(), manifest);
    }

    #[test]
    fn stored_chunk_v1() {
        let raw = StoredChunk {
            encoding: Encoding::Raw,
            length: 3,
            data: b"abc",
        };
        let bytes = encode(&raw).unwrap();
        assert_eq!(hex::encode(&bytes), "01000303616263");
        assert_eq!(decode_borrowed::<StoredChunk<'_>>(&bytes).unwrap(), raw);

        let zstd = StoredChunk {
            encoding: Encoding::Zstd,
            length: 300,
            data: &[0x28, 0xb5],
        };
        let bytes = encode(&zstd).unwrap();
        assert_eq!(hex::encode(&bytes), "0101fb2c010228b5");
        assert_eq!(decode_borrowed::<StoredChunk<'_>>(&bytes).unwrap(), zstd);
    }

    #[test]
    fn refuses_unknown_versions_trailing_bytes_and_garbage() {
        assert_eq!(decode::<Manifest>(&[]), Err(CodecError::Empty));
        assert_eq!(
            decode::<Manifest>(&[2, 0, 0]),
            Err(CodecError::UnknownVersion(2))
        );
        assert_eq!(
            decode::<Manifest>(&[1, 0, 0, 9]),
            Err(CodecError::TrailingBytes(1))
        );
        assert!(matches!(
            decode::<Manifest>(&[1, 0xff]),
            Err(CodecError::Malformed(_))
        ));
        // A length prefix claiming 2^60 chunks must fail, not allocate.
        let huge = [1, 0, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0x10];
        assert!(matches!(
            decode::<Manifest>(&huge),
            Err(CodecError::Malformed(_))
        ));
    }
}
