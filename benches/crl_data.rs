//! A fast generator of large signed CRLs (RFC 5280 §5.1) for the `crl` and `crl_memory`
//! benches and `crl.sh`: issued by ca-rsa of the generated PKI (`verifier/testdata/pki`),
//! sha256WithRSAEncryption under its key, every entry written straight into one buffer (the
//! `crl` bench prints how long 500 000 entries take, the RSA signature included).
//!
//! Two shapes of entry:
//!
//! - [`Shape::Nca`], as NCA writes them (its 2022 test CRL): a 20-octet random serial (one in
//!   eight with the high bit set, so encoded in 21 octets with a leading zero), a UTCTime, and
//!   a reasonCode on every entry: 53 or 54 bytes an entry;
//! - [`Shape::Lean`]: a 16-octet serial and a UTCTime, no entry extension: 35 bytes an entry,
//!   17.5 MB for 500 000 entries.
//!
//! A delta CRL (RFC 5280 §5.2.4) on top of a base lists new revocations, removeFromCRL for
//! released holds and keyCompromise for holds made final.

#![allow(dead_code)] // Each bench uses a part.

use qoima_verifier::path::Certificate;
use qoima_verifier::testing::{self, pki};

const CA_RSA_KEY: &str = include_str!("../verifier/testdata/pki/keys/ca-rsa.key.pem");
/// NCA's GOST 2022 test CA (GOST 34.10-2015 512-bit key).
pub const NCA_GOST_CA: &[u8] =
    include_bytes!("../verifier/testdata/skarm_kalkan/certs/nca_gost2022_test.cer");
/// GOST 34.10-2015 512-bit signature (NCA), 1.2.398.3.10.1.1.2.3.2.
const GOST_2015_512: &str = "1.2.398.3.10.1.1.2.3.2";

/// Who signs a generated CRL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// ca-rsa of the generated PKI, a valid sha256WithRSAEncryption signature.
    CaRsa,
    /// In the name of NCA's GOST test CA, GOST 34.10-2015 512-bit as signatureAlgorithm, and
    /// a signature of zeros (there is no GOST signing key here): loads as any CRL, and its
    /// signature check fails after hashing it, as a real one would after the same work.
    NcaGostUnsigned,
}

/// 2019-01-01T00:00:00Z, the first revocation date of a base CRL.
const FIRST_REVOCATION: i64 = 1_546_300_800;
/// 2026-06-01T00:00:00Z, the base CRL's thisUpdate.
pub const BASE_THIS_UPDATE: i64 = 1_780_272_000;
/// 2026-07-01T00:00:00Z, the base CRL's nextUpdate.
pub const BASE_NEXT_UPDATE: i64 = 1_782_864_000;
/// 2026-06-10T00:00:00Z, the delta CRL's thisUpdate.
pub const DELTA_THIS_UPDATE: i64 = 1_781_049_600;
/// 2026-06-20T00:00:00Z, the delta CRL's nextUpdate.
pub const DELTA_NEXT_UPDATE: i64 = 1_781_913_600;
/// The base CRL's cRLNumber, and the delta's BaseCRLNumber.
pub const BASE_NUMBER: u32 = 100;

/// How the entries of a CRL are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// 20-octet random serials, a reasonCode on every entry (53–54 bytes an entry).
    Nca,
    /// 16-octet serials, no entry extension (35 bytes an entry).
    Lean,
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The serialNumber INTEGER content octets, as written.
    pub serial: Vec<u8>,
    /// revocationDate, unix seconds.
    pub date: i64,
    /// reasonCode, if any.
    pub reason: Option<u8>,
}

/// splitmix64: a fast, well-mixed sequence that needs no dependency.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The serial content octets of entry `i` of a CRL of `shape` (`stream` 0 for listed
/// serials, another for serials that no CRL here lists).
pub fn serial(shape: Shape, stream: u64, i: u64) -> Vec<u8> {
    let len = match shape {
        Shape::Nca => 20,
        Shape::Lean => 16,
    };
    let seed = mix(stream.wrapping_mul(0x1_0000_0001) ^ i);
    let mut bytes: Vec<u8> = (0..3u64)
        .flat_map(|k| mix(seed ^ k).to_be_bytes())
        .take(len)
        .collect();
    let high = shape == Shape::Nca && seed.is_multiple_of(8);
    bytes[0] = if high {
        bytes[0] | 0x80
    } else {
        (bytes[0] & 0x7F).max(1)
    };
    if high {
        bytes.insert(0, 0);
    }
    bytes
}

/// The reason code of entry `i` of a base CRL: the mix of NCA's reasons, certificateHold one
/// in twenty.
pub fn base_reason(shape: Shape, i: u64) -> Option<u8> {
    if shape == Shape::Lean {
        return None;
    }
    Some(match mix(i ^ 0xAB) % 20 {
        0..=7 => 3,   // affiliationChanged
        8..=12 => 4,  // superseded
        13..=15 => 5, // cessationOfOperation
        16 | 17 => 1, // keyCompromise
        18 => 6,      // certificateHold
        _ => 0,       // unspecified
    })
}

/// The `entries` entries of a base CRL, in the order written (revocation date order, serials
/// at random).
pub fn base_entries(shape: Shape, entries: u64) -> impl Iterator<Item = Listed> {
    let step = (BASE_THIS_UPDATE - FIRST_REVOCATION) / entries.max(1) as i64;
    (0..entries).map(move |i| Listed {
        serial: serial(shape, 0, i),
        date: FIRST_REVOCATION + i as i64 * step,
        reason: base_reason(shape, i),
    })
}

/// The entries of a delta on top of the base of `base` entries: `new` new revocations, then
/// of the base's holds `released` removeFromCRL (8) and as many made keyCompromise (1).
pub fn delta_entries(shape: Shape, base: u64, new: u64, released: u64) -> Vec<Listed> {
    let mut listed: Vec<Listed> = (0..new)
        .map(|j| Listed {
            serial: serial(shape, 0, base + j),
            date: BASE_THIS_UPDATE + j as i64 * 10,
            reason: Some(4),
        })
        .collect();
    let holds = (0..base).filter(|&i| base_reason(shape, i) == Some(6));
    for (k, i) in holds.take(2 * released as usize).enumerate() {
        listed.push(Listed {
            serial: serial(shape, 0, i),
            date: BASE_THIS_UPDATE + k as i64,
            reason: Some(if (k as u64) < released { 8 } else { 1 }),
        });
    }
    listed
}

/// A DER header (tag, minimal definite length) for `len` content octets.
fn header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// The length of a DER header for `len` content octets.
fn header_len(len: usize) -> usize {
    let mut out = Vec::new();
    header(&mut out, 0, len);
    out.len()
}

/// `YYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.1) of unix seconds in 1950..2050.
pub fn utc_time(unix: i64) -> [u8; 13] {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let fields = [
        year % 100,
        month,
        day,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
    ];
    let mut out = [b'Z'; 13];
    for (k, v) in fields.iter().enumerate() {
        out[2 * k] = b'0' + (v / 10) as u8;
        out[2 * k + 1] = b'0' + (v % 10) as u8;
    }
    out
}

/// One revokedCertificates entry (RFC 5280 §5.1.2.6) appended to `out`.
fn entry(out: &mut Vec<u8>, listed: &Listed) {
    let serial_len = 2 + listed.serial.len();
    let extensions_len = if listed.reason.is_some() { 14 } else { 0 };
    header(out, 0x30, serial_len + 15 + extensions_len);
    header(out, 0x02, listed.serial.len());
    out.extend_from_slice(&listed.serial);
    out.extend_from_slice(&[0x17, 13]);
    out.extend_from_slice(&utc_time(listed.date));
    if let Some(code) = listed.reason {
        // Extensions { Extension { reasonCode, OCTET STRING { ENUMERATED code } } }.
        out.extend_from_slice(&[
            0x30, 0x0C, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01, code,
        ]);
    }
}

/// A CRL of these entries by ca-rsa, numbered `number`, a delta of `delta_base` if given.
pub fn crl<'a>(
    entries: impl IntoIterator<Item = &'a Listed>,
    window: (i64, i64),
    number: u32,
    delta_base: Option<u32>,
) -> Vec<u8> {
    crl_by(Signer::CaRsa, entries, window, number, delta_base)
}

/// [`crl`] by `signer`.
pub fn crl_by<'a>(
    signer: Signer,
    entries: impl IntoIterator<Item = &'a Listed>,
    window: (i64, i64),
    number: u32,
    delta_base: Option<u32>,
) -> Vec<u8> {
    let (ca, algorithm) = match signer {
        Signer::CaRsa => (
            Certificate::from_der(pki::CA_RSA).expect("ca-rsa parses"),
            testing::algorithm(testing::SHA256_WITH_RSA),
        ),
        Signer::NcaGostUnsigned => (
            Certificate::from_der(NCA_GOST_CA).expect("the NCA CA parses"),
            testing::seq(&[&testing::oid(GOST_2015_512)]),
        ),
    };
    let mut listed = Vec::new();
    for e in entries {
        entry(&mut listed, e);
    }
    let integer = |n: u32| testing::integer(&testing::unsigned_content(&n.to_be_bytes()));
    let key_id = ca
        .subject_key_id()
        .expect("ca-rsa has a subjectKeyIdentifier");
    let mut extensions = vec![
        testing::seq(&[
            &testing::oid("2.5.29.35"),
            &testing::octets(&testing::seq(&[&testing::der_tlv(0x80, key_id)])),
        ]),
        testing::seq(&[
            &testing::oid("2.5.29.20"),
            &testing::octets(&integer(number)),
        ]),
    ];
    if let Some(base) = delta_base {
        extensions.push(testing::seq(&[
            &testing::oid("2.5.29.27"),
            &[0x01, 0x01, 0xFF],
            &testing::octets(&integer(base)),
        ]));
    }
    let head = [
        testing::integer(&[1]),
        algorithm.clone(),
        ca.subject_raw().to_vec(),
        testing::der_tlv(0x17, &utc_time(window.0)),
        testing::der_tlv(0x17, &utc_time(window.1)),
    ]
    .concat();
    let tail = testing::der_tlv(0xA0, &testing::seq(&[&extensions.concat()]));
    let mut tbs = Vec::with_capacity(listed.len() + head.len() + tail.len() + 16);
    let list_len = if listed.is_empty() {
        0
    } else {
        header_len(listed.len()) + listed.len()
    };
    header(&mut tbs, 0x30, head.len() + list_len + tail.len());
    tbs.extend_from_slice(&head);
    if !listed.is_empty() {
        header(&mut tbs, 0x30, listed.len());
        tbs.extend_from_slice(&listed);
    }
    tbs.extend_from_slice(&tail);
    let signature = match signer {
        Signer::CaRsa => testing::rsa_sha256(CA_RSA_KEY, &tbs),
        Signer::NcaGostUnsigned => vec![0; 128],
    };
    let bits = [&[0u8][..], &signature].concat();
    let bits = testing::der_tlv(0x03, &bits);
    let mut der = Vec::with_capacity(tbs.len() + algorithm.len() + bits.len() + 8);
    header(&mut der, 0x30, tbs.len() + algorithm.len() + bits.len());
    der.extend_from_slice(&tbs);
    der.extend_from_slice(&algorithm);
    der.extend_from_slice(&bits);
    der
}

/// A base CRL of `entries` entries.
pub fn base_crl(shape: Shape, entries: u64) -> Vec<u8> {
    let listed: Vec<Listed> = base_entries(shape, entries).collect();
    crl(
        &listed,
        (BASE_THIS_UPDATE, BASE_NEXT_UPDATE),
        BASE_NUMBER,
        None,
    )
}

/// [`base_crl`] in NCA's GOST test CA's name, not validly signed (see [`Signer`]).
pub fn gost_base_crl(shape: Shape, entries: u64) -> Vec<u8> {
    let listed: Vec<Listed> = base_entries(shape, entries).collect();
    crl_by(
        Signer::NcaGostUnsigned,
        &listed,
        (BASE_THIS_UPDATE, BASE_NEXT_UPDATE),
        BASE_NUMBER,
        None,
    )
}

/// A delta CRL on top of [`base_crl`] of `base` entries (see [`delta_entries`]).
pub fn delta_crl(shape: Shape, base: u64, new: u64, released: u64) -> Vec<u8> {
    crl(
        &delta_entries(shape, base, new, released),
        (DELTA_THIS_UPDATE, DELTA_NEXT_UPDATE),
        BASE_NUMBER + 1,
        Some(BASE_NUMBER),
    )
}
