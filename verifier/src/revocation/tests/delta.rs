//! Delta CRLs (RFC 5280 §5.2.4) on synthetic CRLs: removeFromCRL releases a hold, a delta
//! for another base does not apply, a fresh delta completes a stale base.

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

use super::large::{ecdsa_sha256, issuer, name, seq, signed, tlv, utc};
use crate::path::Certificate;
use crate::revocation::{CrlStore, RevocationReason, RevocationStatus, UnknownReason};

/// 2026-06-15T12:00:00Z.
const AT: i64 = 1_781_524_800;

fn key() -> EcdsaKeyPair {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap()
}

fn leaf(key: &EcdsaKeyPair, serial: u8) -> Certificate {
    leaf_with(key, &[serial])
}

/// A leaf whose serialNumber INTEGER has these content octets.
fn leaf_with(key: &EcdsaKeyPair, serial: &[u8]) -> Certificate {
    let spki = seq(&[
        &seq(&[
            &tlv(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
            &tlv(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]),
        ]),
        &tlv(0x03, &[&[0][..], key.public_key().as_ref()].concat()),
    ]);
    let subject = seq(&[&tlv(
        0x31,
        &seq(&[&tlv(0x06, &[0x55, 0x04, 0x03]), &tlv(0x0C, b"leaf")]),
    )]);
    let tbs = seq(&[
        &tlv(0x02, serial),
        &ecdsa_sha256(),
        &name(),
        &seq(&[&utc("260101000000Z"), &utc("280101000000Z")]),
        &subject,
        &spki,
    ]);
    Certificate::from_der(&signed(key, tbs)).unwrap()
}

/// A CRL numbered `number`, a delta for `base` if given, listing (serial, reason code).
fn crl(
    key: &EcdsaKeyPair,
    window: (&str, &str),
    number: u8,
    base: Option<u8>,
    entries: &[(u8, u8)],
) -> Vec<u8> {
    let entries: Vec<(Vec<u8>, u8)> = entries.iter().map(|&(s, r)| (vec![s], r)).collect();
    crl_of(key, window, number, base, &entries)
}

/// [`crl`] with serials of any length (INTEGER content octets as written).
fn crl_of(
    key: &EcdsaKeyPair,
    window: (&str, &str),
    number: u8,
    base: Option<u8>,
    entries: &[(Vec<u8>, u8)],
) -> Vec<u8> {
    let listed: Vec<u8> = entries
        .iter()
        .flat_map(|(serial, reason)| {
            let ext = seq(&[
                &tlv(0x06, &[0x55, 0x1D, 0x15]),
                &tlv(0x04, &tlv(0x0A, &[*reason])),
            ]);
            seq(&[&tlv(0x02, serial), &utc("260301000000Z"), &seq(&[&ext])])
        })
        .collect();
    let mut extensions = vec![seq(&[
        &tlv(0x06, &[0x55, 0x1D, 0x14]),
        &tlv(0x04, &tlv(0x02, &[number])),
    ])];
    if let Some(base) = base {
        extensions.push(seq(&[
            &tlv(0x06, &[0x55, 0x1D, 0x1B]),
            &tlv(0x01, &[0xFF]),
            &tlv(0x04, &tlv(0x02, &[base])),
        ]));
    }
    let mut fields = vec![
        tlv(0x02, &[0x01]),
        ecdsa_sha256(),
        name(),
        utc(window.0),
        utc(window.1),
    ];
    if !listed.is_empty() {
        fields.push(tlv(0x30, &listed));
    }
    fields.push(tlv(0xA0, &tlv(0x30, &extensions.concat())));
    let parts: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    signed(key, seq(&parts))
}

const FRESH: (&str, &str) = ("260601000000Z", "260701000000Z");
const STALE: (&str, &str) = ("260101000000Z", "260201000000Z");

fn status(crls: &[&[u8]], ca: &Certificate, leaf: &Certificate) -> RevocationStatus {
    let mut store = CrlStore::new();
    for crl in crls {
        store.add(crl).unwrap();
    }
    store.status(leaf, ca, AT)
}

#[test]
fn remove_from_crl_releases_a_hold() {
    let key = key();
    let ca = Certificate::from_der(&issuer(&key)).unwrap();
    let (held, compromised, later) = (leaf(&key, 0x21), leaf(&key, 0x22), leaf(&key, 0x23));
    // certificateHold (6), keyCompromise (1); the delta: removeFromCRL (8), superseded (4).
    let base = crl(&key, FRESH, 5, None, &[(0x21, 6), (0x22, 1)]);
    let delta = crl(&key, FRESH, 6, Some(5), &[(0x21, 8), (0x23, 4)]);

    assert!(matches!(
        status(&[&base], &ca, &held),
        RevocationStatus::Revoked {
            reason: RevocationReason::CertificateHold,
            ..
        }
    ));
    assert!(matches!(
        status(&[&base, &delta], &ca, &held),
        RevocationStatus::Good { ref source } if source.len() == 2
    ));
    assert!(matches!(
        status(&[&base, &delta], &ca, &compromised),
        RevocationStatus::Revoked {
            reason: RevocationReason::KeyCompromise,
            ..
        }
    ));
    assert!(matches!(
        status(&[&base, &delta], &ca, &later),
        RevocationStatus::Revoked {
            reason: RevocationReason::Superseded,
            ..
        }
    ));
}

#[test]
fn a_delta_for_a_newer_base_does_not_apply() {
    let key = key();
    let ca = Certificate::from_der(&issuer(&key)).unwrap();
    let later = leaf(&key, 0x23);
    let base = crl(&key, FRESH, 5, None, &[]);
    // BaseCRLNumber 6 > the base's cRLNumber 5.
    let delta = crl(&key, FRESH, 7, Some(6), &[(0x23, 4)]);
    assert!(matches!(
        status(&[&base, &delta], &ca, &later),
        RevocationStatus::Good { ref source } if source.len() == 1
    ));
}

#[test]
fn a_fresh_delta_completes_a_stale_base() {
    let key = key();
    let ca = Certificate::from_der(&issuer(&key)).unwrap();
    let compromised = leaf(&key, 0x22);
    let base = crl(&key, STALE, 5, None, &[(0x22, 1)]);
    let delta = crl(&key, FRESH, 6, Some(5), &[]);
    assert_eq!(
        status(&[&base], &ca, &compromised),
        RevocationStatus::Unknown {
            why: UnknownReason::Stale
        }
    );
    assert!(matches!(
        status(&[&base, &delta], &ca, &compromised),
        RevocationStatus::Revoked { .. }
    ));
}

#[test]
fn another_key_signs_nothing_usable() {
    let (key, other) = (key(), key());
    let ca = Certificate::from_der(&issuer(&key)).unwrap();
    let forged = crl(&other, FRESH, 9, None, &[(0x21, 1)]);
    assert_eq!(
        status(&[&forged], &ca, &leaf(&key, 0x21)),
        RevocationStatus::Unknown {
            why: UnknownReason::BadSignature
        }
    );
}

#[test]
fn a_delta_makes_a_hold_final_and_lists_new_serials_of_any_length() {
    let key = key();
    let ca = Certificate::from_der(&issuer(&key)).unwrap();
    // 20 octets with the high bit set: 21 encoded octets in the CRL, 20 in the certificate.
    let high: Vec<u8> = [&[0x00][..], &[0xC1; 20]].concat();
    let long = vec![0x33; 24];
    let held = vec![0x21];
    let (held_leaf, high_leaf, long_leaf) = (
        leaf_with(&key, &held),
        leaf_with(&key, &high[1..]),
        leaf_with(&key, &long),
    );
    // certificateHold (6); the delta: keyCompromise (1), superseded (4), cessation (5).
    let base = crl_of(&key, FRESH, 5, None, &[(held.clone(), 6), (vec![0x44], 6)]);
    let delta = crl_of(&key, FRESH, 6, Some(5), &[(held, 1), (high, 4), (long, 5)]);
    let revoked = |leaf: &Certificate, crls: &[&[u8]]| match status(crls, &ca, leaf) {
        RevocationStatus::Revoked { reason, source, .. } => Some((reason, source.len())),
        _ => None,
    };
    assert_eq!(
        revoked(&held_leaf, &[&base]),
        Some((RevocationReason::CertificateHold, 1))
    );
    assert_eq!(
        revoked(&held_leaf, &[&base, &delta]),
        Some((RevocationReason::KeyCompromise, 2))
    );
    assert_eq!(
        revoked(&high_leaf, &[&base, &delta]),
        Some((RevocationReason::Superseded, 2))
    );
    assert_eq!(
        revoked(&long_leaf, &[&base, &delta]),
        Some((RevocationReason::CessationOfOperation, 2))
    );
    assert_eq!(revoked(&high_leaf, &[&base]), None);
    assert_eq!(revoked(&long_leaf, &[&base]), None);
}
