//! `stream.rs`: a CRL file read as a stream gives exactly the CRLs of the whole file, or
//! declines. Real and generated CRLs, several per file, reads of every size, every truncation
//! and one-byte change of the small ones, and CRLs made to hit each reason to decline.

use std::io::{self, Read};

use crate::path::Certificate;
use crate::revocation::stream::read_crls;
use crate::revocation::{Crl, CrlStore};
use crate::test_support::{fixtures, pki};
use crate::testing;

const CA_RSA_KEY: &str = include_str!("../../../testdata/pki/keys/ca-rsa.key.pem");

/// What the whole file gives: every DER of `decode_crl_file`, parsed.
fn whole(file: &[u8]) -> Option<Vec<Crl>> {
    crate::decode_crl_file(file)
        .ok()?
        .iter()
        .map(|der| Crl::from_der(der).ok())
        .collect()
}

/// A PEM `X509 CRL` block.
fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    format!(
        "-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
        lines.join("\n")
    )
}

/// A reader giving at most `step` bytes a read, the step varying.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.step = self.step % 977 + 131;
        Ok(n)
    }
}

/// The stream's CRLs of `file`, read at once and in small reads (the same either way).
fn streamed(file: &[u8]) -> Option<Vec<Crl>> {
    let at_once = read_crls(file, Some(file.len() as u64)).unwrap();
    let trickled = read_crls(
        Trickle {
            data: file,
            step: 1,
        },
        None,
    )
    .unwrap();
    assert!(at_once == trickled);
    at_once
}

/// Streams `file`, which must be taken, and compares with the whole file.
fn taken(file: &[u8]) -> Vec<Crl> {
    let crls = streamed(file).expect("the stream takes it");
    let whole = whole(file).expect("the whole file parses");
    assert!(crls == whole, "the stream read other CRLs");
    for (a, b) in crls.iter().zip(&whole) {
        assert_eq!(a.heap_size(), b.heap_size());
    }
    crls
}

#[test]
fn the_rsa_and_gost_fixtures_are_read_as_in_whole() {
    for file in [
        pki::CA_RSA_CRL,
        pki::CA_RSA_BASE_CRL,
        pki::CA_RSA_DELTA_CRL,
        pki::LOOKALIKE_CA_RSA_CRL,
        fixtures::CA_CRL,
        fixtures::NCANODE_CA_CRL,
    ] {
        assert_eq!(taken(file).len(), 1);
    }
    // Several in one file.
    let two = [pki::CA_RSA_BASE_CRL, pki::CA_RSA_DELTA_CRL].concat();
    assert_eq!(taken(&two).len(), 2);
}

#[test]
fn what_the_stream_does_not_take_is_declined() {
    // ECDSA: verified from the whole tbsCertList, which the stream does not keep.
    assert!(streamed(pki::CA_EC_CRL).is_none());
    // No revokedCertificates at all (x509-parser reads those whole, and they are small).
    assert!(streamed(pki::ROOT_RSA_CRL).is_none());
    assert!(streamed(pki::CA_RSA_STALE_CRL).is_none());
    assert!(streamed(fixtures::CA_DELTA_CRL).is_none());
    // PEM, trailing bytes, nothing.
    assert!(streamed(pem(pki::CA_RSA_CRL).as_bytes()).is_none());
    let mut trailing = pki::CA_RSA_CRL.to_vec();
    trailing.push(0);
    assert!(streamed(&trailing).is_none());
    assert!(streamed(b"").is_none());
    // Lengths claiming gigabytes: declined at the end of the data, the index reserved for no
    // more than the data holds.
    let der = pki::CA_RSA_CRL;
    assert_eq!(&der[151..154], &[0x30, 0x81, 0x9F]); // the list
    let claims = [
        &[
            0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xF0, 0x30, 0x84, 0xFF, 0xFF, 0xFF, 0x00,
        ][..],
        &der[8..151],
        &[0x30, 0x84, 0xFF, 0xFF, 0x00, 0x00],
        &der[154..],
    ]
    .concat();
    assert!(streamed(&claims).is_none());
}

#[test]
fn every_truncation_and_byte_change_is_declined_or_read_as_in_whole() {
    for file in [pki::CA_RSA_CRL, fixtures::CA_CRL] {
        for len in 0..file.len() {
            assert!(streamed(&file[..len]).is_none(), "{len}");
        }
        let mut taken_changed = 0;
        for i in 0..file.len() {
            for change in [0x01, 0x80, 0xA5] {
                let mut changed = file.to_vec();
                changed[i] ^= change;
                if let Some(crls) = streamed(&changed) {
                    assert!(Some(crls) == whole(&changed), "byte {i} ^ {change:#x}");
                    taken_changed += 1;
                }
            }
        }
        // Changes in serials, dates and names still read.
        assert!(taken_changed > file.len(), "{taken_changed}");
    }
}

/// One entry: serial content octets, UTCTime, an optional reasonCode.
fn entry(serial: &[u8], time: &str, reason: Option<u8>) -> Vec<u8> {
    let mut fields = vec![
        testing::der_tlv(0x02, serial),
        testing::der_tlv(0x17, time.as_bytes()),
    ];
    if let Some(code) = reason {
        fields.push(testing::seq(&[&testing::seq(&[
            &testing::oid("2.5.29.21"),
            &testing::octets(&testing::der_tlv(0x0A, &[code])),
        ])]));
    }
    testing::seq(&fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

/// A CRL of ca-rsa with these entries, sha256WithRSAEncryption, validly signed.
fn crl(entries: &[Vec<u8>]) -> Vec<u8> {
    let ca = Certificate::from_der(pki::CA_RSA).unwrap();
    let algorithm = testing::algorithm(testing::SHA256_WITH_RSA);
    let number = testing::seq(&[
        &testing::oid("2.5.29.20"),
        &testing::octets(&testing::integer(&[7])),
    ]);
    let tbs = testing::seq(&[
        &testing::integer(&[1]),
        &algorithm,
        ca.subject_raw(),
        &testing::der_tlv(0x17, b"260601000000Z"),
        &testing::der_tlv(0x17, b"260701000000Z"),
        &testing::seq(&entries.iter().map(Vec::as_slice).collect::<Vec<_>>()),
        &testing::der_tlv(0xA0, &testing::seq(&[&number])),
    ]);
    let signature = testing::rsa_sha256(CA_RSA_KEY, &tbs);
    let bits = testing::der_tlv(0x03, &[&[0u8][..], &signature].concat());
    testing::seq(&[&tbs, &algorithm, &bits])
}

/// A serial of `len` (at least 5) octets ending in `i`, its first octet not zero and below
/// 0x80: one per `i` and length.
fn serial(i: u32, len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len as u32)
        .map(|k| (i.wrapping_mul(2_654_435_761).wrapping_add(k * 40_503) >> 11) as u8)
        .collect();
    bytes[0] = (bytes[0] & 0x7F).max(1);
    bytes[len - 4..].copy_from_slice(&i.to_be_bytes());
    bytes
}

#[test]
fn a_large_crl_over_many_reads_is_read_as_in_whole_and_verifies() {
    // 20 000 entries (about a megabyte: many buffers), serials growing from 6 octets to 20
    // (the index widens as it reads) and one of 24 (the side table), some with a leading zero.
    let entries: Vec<Vec<u8>> = (0..20_000u32)
        .map(|i| {
            let len = match i {
                0..=99 => 6,
                100..=4_999 => 10,
                5_000..=5_000 => 24,
                5_001..=9_999 => 14,
                _ => 20,
            };
            let mut serial = serial(i, len);
            if i % 9 == 0 {
                serial.insert(0, 0);
            }
            entry(
                &serial,
                "250101000000Z",
                (i % 3 == 0).then_some((i % 11) as u8),
            )
        })
        .collect();
    let der = crl(&entries);
    let crls = taken(&der);
    assert_eq!(crls[0].revoked().len(), 20_000);
    let ca = Certificate::from_der(pki::CA_RSA).unwrap();
    crls[0].verify_issued_by(&ca).unwrap();

    // Through the store: the file read as a stream is the same as its bytes added.
    let dir = std::env::temp_dir().join(format!("qoima-crl-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.crl");
    std::fs::write(&path, &der).unwrap();
    let mut from_file = CrlStore::new();
    let fingerprints = from_file.add_file(&path).unwrap();
    let mut from_bytes = CrlStore::new();
    assert_eq!(fingerprints, vec![from_bytes.add(&der).unwrap()]);
    assert!(from_file.get(&fingerprints[0]) == from_bytes.get(&fingerprints[0]));
    // A PEM file is read whole, to the same CRL.
    std::fs::write(&path, pem(&der)).unwrap();
    assert_eq!(CrlStore::new().add_file(&path).unwrap(), fingerprints);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_stream_declines_what_only_the_whole_file_reads() {
    let ok = |i| entry(&serial(i, 20), "250101000000Z", Some(1));
    let mut entries: Vec<Vec<u8>> = (0..100).map(ok).collect();
    assert_eq!(taken(&crl(&entries)).len(), 1);
    // A serial listed twice (the whole file keeps the first listed).
    entries.push(ok(3));
    assert!(streamed(&crl(&entries)).is_none());
    assert!(whole(&crl(&entries)).is_some());
    entries.pop();
    // An entry not in canonical DER (a GeneralizedTime before 2050), an entry longer than
    // the buffer.
    for odd in [
        testing::seq(&[
            &testing::der_tlv(0x02, &serial(500, 20)),
            &testing::der_tlv(0x18, b"20250101000000Z"),
        ]),
        {
            // A length in two octets where one does.
            let mut long_form = entry(&serial(501, 20), "250101000000Z", None);
            long_form.insert(1, 0x81);
            long_form
        },
    ] {
        entries.insert(50, odd);
        let der = crl(&entries);
        match streamed(&der) {
            None => {}
            Some(crls) => assert!(Some(crls) == whole(&der)),
        }
        entries.remove(50);
    }
    let mut huge = vec![testing::der_tlv(0x02, &serial(502, 20))];
    huge.push(testing::der_tlv(0x17, b"250101000000Z"));
    huge.push(testing::seq(&[&testing::seq(&[
        &testing::oid("1.2.3.4"),
        &testing::octets(&vec![0; 70_000]),
    ])]));
    entries.insert(
        10,
        testing::seq(&huge.iter().map(Vec::as_slice).collect::<Vec<_>>()),
    );
    let der = crl(&entries);
    assert!(streamed(&der).is_none());
    assert!(whole(&der).is_some());
}
