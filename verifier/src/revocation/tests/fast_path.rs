//! The entry reader against x509-parser: for canonical entries, odd ones, and every one-byte
//! change of them, `entries::walk` (its own canonical reader, x509-parser for the rest) gives
//! what x509-parser's list parser and the old per-entry rules give, or fails where they fail.

use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::RevokedCertificate;

use super::large::{seq, tlv};
use crate::revocation::entries;
use crate::revocation::error::CrlError;
use crate::revocation::index::RevokedEntry;

type Read = Result<Vec<(Vec<u8>, RevokedEntry)>, CrlError>;

/// `list` read by this layer.
fn walked(list: &[u8]) -> Read {
    let mut out = Vec::new();
    entries::walk(list, |serial, entry| -> Result<(), CrlError> {
        out.push((serial.to_vec(), entry));
        Ok(())
    })?;
    Ok(out)
}

/// `list` read as x509-parser's `all_consuming(many0(complete(RevokedCertificate)))` does,
/// each entry then judged by the rules the CRL loader always applied.
fn reference(mut list: &[u8]) -> Read {
    let mut out = Vec::new();
    while !list.is_empty() {
        let (rest, listed) =
            RevokedCertificate::from_der(list).map_err(|e| CrlError::Malformed(e.to_string()))?;
        out.push((listed.raw_serial().to_vec(), entries::from_x509(&listed)?));
        list = rest;
    }
    Ok(out)
}

fn same(list: &[u8]) {
    match (walked(list), reference(list)) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{list:02x?}"),
        (Err(CrlError::UnsupportedCriticalExtension(a)), Err(b)) => {
            assert_eq!(CrlError::UnsupportedCriticalExtension(a), b, "{list:02x?}")
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!("{list:02x?}: walked {a:?}, x509-parser {b:?}"),
    }
}

fn ext(oid: &[u8], critical: Option<&[u8]>, value: &[u8]) -> Vec<u8> {
    let mut parts = vec![tlv(0x06, oid)];
    parts.extend(critical.map(<[u8]>::to_vec));
    parts.push(tlv(0x04, value));
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    seq(&parts)
}

const REASON: &[u8] = &[0x55, 0x1D, 0x15];
const INVALIDITY: &[u8] = &[0x55, 0x1D, 0x18];
const CERTIFICATE_ISSUER: &[u8] = &[0x55, 0x1D, 0x1D];
const TRUE: &[u8] = &[0x01, 0x01, 0xFF];

fn reason(code: &[u8]) -> Vec<u8> {
    ext(REASON, None, &tlv(0x0A, code))
}

fn entry(serial: &[u8], time: &[u8], extensions: Option<&[Vec<u8>]>) -> Vec<u8> {
    let mut parts = vec![tlv(0x02, serial), time.to_vec()];
    if let Some(list) = extensions {
        parts.push(seq(&list.iter().map(Vec::as_slice).collect::<Vec<_>>()));
    }
    seq(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

fn cases() -> Vec<Vec<u8>> {
    let utc = tlv(0x17, b"260301000000Z");
    let serial20 = [0x11; 20];
    let mut cases = vec![
        entry(&serial20, &utc, None),
        entry(&serial20, &utc, Some(&[reason(&[3])])),
        entry(&[0x00, 0x8F], &utc, Some(&[])),
        entry(&[], &utc, None),
        entry(&[0x42; 30], &utc, None),
    ];
    for time in [
        &b"500101000000Z"[..],
        b"491231235959Z",
        b"000229000000Z",
        b"010229000000Z",
        b"261301000000Z",
        b"260300000000Z",
        b"260301240000Z",
        b"260301006000Z",
        b"260301000060Z",
        b"2603010000Z",
        b"260301000000+0000",
        b"2603010000000Z",
        b"26030100000Z",
        b"2a0301000000Z",
        b"",
    ] {
        cases.push(entry(&serial20, &tlv(0x17, time), None));
    }
    for time in [
        &b"20260301000000Z"[..],
        b"99991231235959Z",
        b"19000228000000Z",
        b"19000229000000Z",
        b"20000229000000Z",
        b"00010101000000Z",
        b"20260301000000.5Z",
        b"20260301000000.50Z",
        b"202603010000Z",
        b"20260301000000",
    ] {
        cases.push(entry(&serial20, &tlv(0x18, time), None));
    }
    for code in [
        &[0u8][..],
        &[1],
        &[6],
        &[7],
        &[8],
        &[10],
        &[11],
        &[0xFF],
        &[0x00, 0x05],
        &[],
    ] {
        cases.push(entry(&serial20, &utc, Some(&[reason(code)])));
    }
    let odd_extensions: Vec<Vec<Vec<u8>>> = vec![
        vec![ext(REASON, Some(TRUE), &tlv(0x0A, &[1]))],
        vec![ext(REASON, Some(&[0x01, 0x01, 0x00]), &tlv(0x0A, &[1]))],
        vec![ext(REASON, Some(&[0x01, 0x01, 0x01]), &tlv(0x0A, &[1]))],
        vec![ext(REASON, None, &[0x0A, 0x01, 0x01, 0x00])],
        vec![ext(REASON, None, &tlv(0x02, &[1]))],
        vec![reason(&[1]), reason(&[4])],
        vec![reason(&[6]), ext(REASON, None, &[0xFF])],
        vec![ext(INVALIDITY, None, &tlv(0x18, b"20260215000000Z"))],
        vec![
            ext(INVALIDITY, Some(TRUE), &tlv(0x18, b"20260215000000Z")),
            reason(&[1]),
        ],
        vec![ext(INVALIDITY, None, b"garbage"), reason(&[5])],
        vec![ext(CERTIFICATE_ISSUER, Some(TRUE), &seq(&[]))],
        vec![ext(CERTIFICATE_ISSUER, None, &seq(&[])), reason(&[2])],
        vec![ext(&[0x2A, 0x03], Some(TRUE), &[]), reason(&[2])],
        vec![ext(&[0x2A, 0x80, 0x03], None, &[]), reason(&[2])],
        vec![ext(&[], None, &[]), reason(&[2])],
        vec![ext(&[0x2A, 0x83], None, &[]), reason(&[2])],
        vec![reason(&[1]), vec![0x30, 0x00]],
        vec![reason(&[1]), vec![0x05, 0x00]],
    ];
    for extensions in &odd_extensions {
        cases.push(entry(&serial20, &utc, Some(extensions)));
    }
    // Trailing bytes inside an entry, a non-minimal length, a BER-only length form.
    let mut trailing = entry(&serial20, &utc, Some(&[reason(&[1])]));
    trailing.extend_from_slice(&[0x05, 0x00]);
    trailing[1] += 2;
    cases.push(trailing);
    cases.push([&[0x30, 0x81, 0x24][..], &entry(&serial20, &utc, None)[2..]].concat());
    let mut long_serial = entry(&serial20, &utc, None);
    long_serial.splice(2..4, [0x02, 0x81, 0x14]);
    long_serial[1] += 1;
    cases.push(long_serial);
    cases
}

#[test]
fn every_case_reads_as_x509_parser_reads_it() {
    for case in cases() {
        same(&case);
    }
    // Several entries in one list, and a list that ends inside an entry.
    let all: Vec<u8> = cases().concat();
    same(&all);
    same(&all[..all.len() - 1]);
}

#[test]
fn every_one_byte_change_reads_as_x509_parser_reads_it() {
    for case in cases() {
        for at in 0..case.len() {
            for value in [
                0x00, 0x01, 0x02, 0x0A, 0x17, 0x18, 0x30, 0x5A, 0x7F, 0x80, 0x81, 0xFF,
            ] {
                let mut changed = case.clone();
                changed[at] = value;
                same(&changed);
            }
            same(&case[..at]);
        }
    }
}
