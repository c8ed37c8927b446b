//! The compact index on its own: key widths, boundaries, serial normalisation, the longest
//! serials and the side table beyond 20 octets, duplicates (the first listed wins), packed
//! dates and reasons, and a model check against a map.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::revocation::build::Builder;
use crate::revocation::index::{Packed, Records, RevokedEntry, RevokedSerials};
use crate::revocation::types::RevocationReason;

fn entry(date: i64, code: Option<u8>) -> RevokedEntry {
    RevokedEntry {
        date,
        reason: code.map(RevocationReason::from_code),
        invalidity_date: None,
    }
}

/// An index of these (serial, entry) in this order; whether `finish` asked to relist.
fn index(listed: &[(Vec<u8>, RevokedEntry)]) -> (RevokedSerials, bool) {
    let longest = listed
        .iter()
        .map(|(s, _)| crate::revocation::types::normalise(s).len())
        .max()
        .unwrap_or(0);
    let mut builder = Builder::new(longest, listed.len());
    for (serial, e) in listed {
        builder.push(serial, *e).unwrap();
    }
    let mut relisted = false;
    let index = builder.finish(|visit| {
        relisted = true;
        for (serial, e) in listed {
            visit(serial, *e);
        }
    });
    (index, relisted)
}

fn width(index: &RevokedSerials) -> usize {
    index.records.width()
}

#[test]
fn empty() {
    let (index, _) = index(&[]);
    assert!(index.is_empty());
    assert_eq!(index.get(&[]), None);
    assert_eq!(index.get(&[1]), None);
    assert_eq!(RevokedSerials::default().get(&[0; 30]), None);
}

#[test]
fn found_and_not_found_at_the_boundaries() {
    // Even serials 2..=2000, listed from the highest down.
    let listed: Vec<_> = (1..=1000u16)
        .rev()
        .map(|i| ((2 * i).to_be_bytes().to_vec(), entry(i64::from(i), Some(4))))
        .collect();
    let (index, relisted) = index(&listed);
    assert!(!relisted);
    assert_eq!(index.len(), 1000);
    assert_eq!(width(&index), 8);
    assert_eq!(index.get(&[0x00, 0x02]), Some(entry(1, Some(4))));
    assert_eq!(index.get(&[0x07, 0xD0]), Some(entry(1000, Some(4))));
    assert_eq!(index.get(&[0x02]), Some(entry(1, Some(4))));
    for absent in [0u16, 1, 3, 1001, 1999, 2001, 0xFFFF] {
        assert_eq!(index.get(&absent.to_be_bytes()), None, "{absent}");
    }
    assert_eq!(index.get(&[]), None);
    assert_eq!(index.get(&[0x07, 0xD0, 0x00]), None);
}

#[test]
fn the_key_width_follows_the_longest_serial() {
    for (longest, expected) in [
        (0, 8),
        (1, 8),
        (8, 8),
        (9, 12),
        (12, 12),
        (13, 16),
        (20, 20),
    ] {
        let serial = vec![0x7F; longest];
        let (index, _) = index(&[(serial.clone(), entry(0, None))]);
        assert_eq!(width(&index), expected, "{longest}");
        assert_eq!(index.get(&serial), Some(entry(0, None)));
        assert!(index.long.is_empty());
    }
    assert!(matches!(
        Records::for_longest(usize::MAX, 0),
        Records::Key20(_)
    ));
}

#[test]
fn leading_zero_octets_do_not_matter() {
    let (index, _) = index(&[
        (vec![0x00, 0x8F], entry(1, None)),
        (vec![0x00, 0x00, 0x00], entry(2, Some(1))),
        (vec![0x7F; 20], entry(3, Some(6))),
    ]);
    assert_eq!(index.get(&[0x8F]), Some(entry(1, None)));
    assert_eq!(index.get(&[0x00, 0x00, 0x8F]), Some(entry(1, None)));
    // Serial 0 (an empty normalised serial) is a serial like any other.
    assert_eq!(index.get(&[]), Some(entry(2, Some(1))));
    assert_eq!(index.get(&[0x00]), Some(entry(2, Some(1))));
    let mut padded = vec![0; 12];
    padded.extend_from_slice(&[0x7F; 20]);
    assert_eq!(index.get(&padded), Some(entry(3, Some(6))));
    // A key is left-padded: 8F is not 8F 00, nor 00 8F 00.
    assert_eq!(index.get(&[0x8F, 0x00]), None);
}

#[test]
fn the_longest_serials() {
    // 20 octets of 0xFF with its sign octet (21 encoded octets), and beyond RFC 5280's 20.
    let max = [&[0x00][..], &[0xFF; 20]].concat();
    let long21 = vec![0x01; 21];
    let long40 = [&[0x42][..], &[0xFF; 39]].concat();
    let listed = vec![
        (long40.clone(), entry(40, Some(2))),
        (max.clone(), entry(20, Some(1))),
        (long21.clone(), entry(21, None)),
        (vec![0x05], entry(1, Some(0))),
    ];
    let (index, _) = index(&listed);
    assert_eq!(width(&index), 20);
    assert_eq!(index.len(), 4);
    assert_eq!(index.long.len(), 2);
    assert_eq!(index.get(&max), Some(entry(20, Some(1))));
    assert_eq!(index.get(&max[1..]), Some(entry(20, Some(1))));
    assert_eq!(index.get(&long21), Some(entry(21, None)));
    assert_eq!(
        index.get(&[&[0, 0][..], &long40].concat()),
        Some(entry(40, Some(2)))
    );
    assert_eq!(index.get(&long40[1..]), None);
    assert_eq!(index.get(&long21[1..]), None);
    assert_eq!(index.get(&[0x01; 22]), None);
    assert_eq!(index.get(&vec![0xAB; 100_000]), None);
}

#[test]
fn of_duplicate_serials_the_first_listed_is_kept() {
    let listed = vec![
        (vec![0x30], entry(5, Some(6))),
        (vec![0x10], entry(1, Some(1))),
        (vec![0x00, 0x30], entry(6, Some(8))),
        (vec![0x20], entry(2, None)),
        (vec![0x30], entry(4, Some(1))),
        (vec![0x10], entry(0, Some(4))),
        (vec![0x66; 25], entry(7, Some(3))),
        (vec![0x66; 25], entry(8, Some(5))),
    ];
    let (index, relisted) = index(&listed);
    assert!(relisted);
    assert_eq!(index.len(), 4);
    assert_eq!(index.get(&[0x30]), Some(entry(5, Some(6))));
    assert_eq!(index.get(&[0x10]), Some(entry(1, Some(1))));
    assert_eq!(index.get(&[0x20]), Some(entry(2, None)));
    assert_eq!(index.get(&[0x66; 25]), Some(entry(7, Some(3))));
}

#[test]
fn dates_and_reasons_are_packed_losslessly() {
    let dates = [
        0,
        -1,
        -631_152_000,    // 1950-01-01, UTCTime's first
        -62_167_219_200, // 0000-01-01
        253_402_300_799, // 9999-12-31T23:59:59Z
        1_772_323_200,   // 2026-03-01
        (1 << 54) - 1,
        -(1 << 54),
    ];
    let mut reasons: Vec<Option<u8>> = (0..=255).map(Some).collect();
    reasons.push(None);
    for date in dates {
        for &code in &reasons {
            let e = entry(date, code);
            assert_eq!(Packed::new(e).unwrap().entry(), e, "{date} {code:?}");
        }
    }
    assert_eq!(Packed::new(entry(1 << 54, None)), None);
    assert_eq!(Packed::new(entry(i64::MIN, None)), None);
    let mut builder = Builder::new(1, 1);
    assert!(builder.push(&[1], entry(i64::MAX, None)).is_err());
}

#[test]
fn every_reason_reads_back() {
    for code in 0..=255u8 {
        let reason = RevocationReason::from_code(code);
        assert_eq!(RevocationReason::from_code(reason.code()), reason);
        assert_eq!(reason.code(), code);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any list, with repeated serials spelled with and without leading zeros, reads as a map
    /// of the first listed entry of each normalised serial.
    #[test]
    fn reads_as_a_map_of_first_entries(
        listed in prop::collection::vec(
            (0usize..3, prop::collection::vec(any::<u8>(), 0..26), any::<i32>(), prop::option::of(0u8..12)),
            0..300,
        ),
        probes in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..26), 0..50),
    ) {
        let listed: Vec<(Vec<u8>, RevokedEntry)> = listed
            .into_iter()
            .enumerate()
            .flat_map(|(i, (zeros, serial, date, code))| {
                let e = entry(i64::from(date), code);
                let padded = [vec![0; zeros], serial.clone()].concat();
                // Every fourth serial is listed again later, spelled differently.
                let again = (i % 4 == 0).then(|| ([vec![0; 1], serial].concat(), entry(-1, Some(9))));
                std::iter::once((padded, e)).chain(again)
            })
            .collect();
        let mut model = BTreeMap::new();
        for (serial, e) in &listed {
            model.entry(crate::revocation::types::normalise(serial).to_vec()).or_insert(*e);
        }
        let (index, _) = index(&listed);
        prop_assert_eq!(index.len(), model.len());
        for (serial, e) in &model {
            prop_assert_eq!(index.get(serial), Some(*e));
        }
        for probe in &probes {
            let expected = model.get(crate::revocation::types::normalise(probe)).copied();
            prop_assert_eq!(index.get(probe), expected);
        }
    }
}
