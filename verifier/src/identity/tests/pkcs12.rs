//! The certificates of the ncanode_go PKCS#12 test files.
//!
//! The full test-only PKCS#12 reader lives in `crate::gost::tests::pkcs12`, which is private to
//! the GOST tests, so this is a copy of the minimum needed to get the certificate out: the
//! RFC 7292 appendix B.2 SHA-1 key derivation and pbeWithSHAAnd40BitRC2-CBC for the certificate
//! bag (the key bag is skipped; the MAC is not checked).

use rc2::cipher::{Block, BlockCipherDecrypt};
use sha1::{Digest, Sha1};

use crate::ber::{Tag, Tlv};
use crate::oid::Oid;

const PASSWORD: &str = "Qwerty12";

fn oid_of(tlv: Tlv<'_>) -> String {
    assert_eq!(tlv.tag(), Tag::OID);
    Oid::from_content(tlv.content()).unwrap().to_string()
}

fn children(tlv: Tlv<'_>) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    let mut iter = tlv.children();
    while let Some(child) = iter.next_tlv().unwrap() {
        out.push(child);
    }
    out
}

/// The single element inside an `[0] EXPLICIT` wrapper.
fn explicit(tlv: Tlv<'_>) -> Tlv<'_> {
    assert_eq!(tlv.tag(), Tag::context(0, true));
    let inner = children(tlv);
    assert_eq!(inner.len(), 1);
    inner[0]
}

/// RFC 7292 appendix B.2 with SHA-1 (u = 20, v = 64): `n` bytes of key (`id` 1) or IV (`id` 2).
fn pkcs12_kdf(salt: &[u8], iterations: u32, id: u8, n: usize) -> Vec<u8> {
    const V: usize = 64;
    let password: Vec<u8> = PASSWORD
        .encode_utf16()
        .chain([0])
        .flat_map(u16::to_be_bytes)
        .collect();
    let repeat = |data: &[u8]| -> Vec<u8> {
        let len = data.len().div_ceil(V) * V;
        data.iter().copied().cycle().take(len).collect()
    };
    let mut i_block = [repeat(salt), repeat(&password)].concat();
    let mut out = Vec::new();
    while out.len() < n {
        let mut a = Sha1::new()
            .chain_update([id; V])
            .chain_update(&i_block)
            .finalize();
        for _ in 1..iterations {
            a = Sha1::digest(a);
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for chunk in i_block.chunks_mut(V) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(&b).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

/// pbeWithSHAAnd40BitRC2-CBC decryption (with PKCS#7 padding removal).
fn rc2_40_decrypt(algorithm: Tlv<'_>, ciphertext: &[u8]) -> Vec<u8> {
    let parts = children(algorithm);
    assert_eq!(oid_of(parts[0]), "1.2.840.113549.1.12.1.6");
    let params = children(parts[1]);
    let salt = params[0].octet_string_value().unwrap();
    let iterations = params[1]
        .content()
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let key = pkcs12_kdf(&salt, iterations, 1, 5);
    let mut previous = pkcs12_kdf(&salt, iterations, 2, 8);
    let cipher = rc2::Rc2::new_with_eff_key_len(&key, 40);
    let mut out = Vec::with_capacity(ciphertext.len());
    for chunk in ciphertext.chunks(8) {
        let mut block = Block::<rc2::Rc2>::try_from(chunk).unwrap();
        cipher.decrypt_block(&mut block);
        out.extend(block.iter().zip(&previous).map(|(b, p)| b ^ p));
        previous = chunk.to_vec();
    }
    let pad = *out.last().unwrap() as usize;
    assert!((1..=8).contains(&pad));
    out.truncate(out.len() - pad);
    out
}

/// The certificate (DER) of a PFX.
pub(super) fn certificate(pfx: &[u8]) -> Vec<u8> {
    let pfx = Tlv::parse_single(pfx).unwrap();
    let auth_safe = children(children(pfx)[1]);
    let safes = explicit(auth_safe[1]).octet_string_value().unwrap();
    let safes = Tlv::parse_single(&safes).unwrap();
    for content_info in children(safes) {
        let fields = children(content_info);
        // Only EncryptedData holds the certificate bag here; the data one holds the key.
        if oid_of(fields[0]) != "1.2.840.113549.1.7.6" {
            continue;
        }
        let encrypted = children(explicit(fields[1]));
        let info = children(encrypted[1]);
        let ciphertext = info[2].octet_string_value().unwrap();
        let safe_contents = rc2_40_decrypt(info[1], &ciphertext);
        let safe_contents = Tlv::parse_single(&safe_contents).unwrap();
        for bag in children(safe_contents) {
            let bag = children(bag);
            if oid_of(bag[0]) == "1.2.840.113549.1.12.10.1.3" {
                let cert_bag = children(explicit(bag[1]));
                assert_eq!(oid_of(cert_bag[0]), "1.2.840.113549.1.9.22.1");
                return explicit(cert_bag[1]).octet_string_value().unwrap().to_vec();
            }
        }
    }
    panic!("no certificate bag");
}
