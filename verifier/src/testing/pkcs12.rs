//! A minimal, test-only PKCS#12 reader for the NCA test keys of the ncanode_go material
//! (RFC 7292: BER, password-based encryption with the SHA-1 key derivation of appendix B.2;
//! pbeWithSHAAnd3-KeyTripleDES-CBC for the key bag, pbeWithSHAAnd40BitRC2-CBC for the
//! certificate bag; the MAC is not checked, so a wrong password shows as a panic on the
//! padding or the decrypted DER, or as a key that does not match the certificate, which
//! [`super::gost::GostKey::from_pkcs12`] checks).

use des::cipher::{Block, BlockCipherDecrypt, BlockSizeUser, KeyInit};
use sha1::{Digest, Sha1};

use crate::ber::{Tag, Tlv};
use crate::oid::Oid;

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
fn pkcs12_kdf(password: &str, salt: &[u8], iterations: u32, id: u8, n: usize) -> Vec<u8> {
    const V: usize = 64;
    // BMPString with a terminating zero (appendix B.1).
    let password: Vec<u8> = password
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
        // I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
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

/// CBC decryption with PKCS#7 padding removal.
fn cbc_decrypt<C: BlockCipherDecrypt + BlockSizeUser>(
    cipher: &C,
    iv: &[u8],
    data: &[u8],
) -> Vec<u8> {
    let size = C::block_size();
    assert_eq!(data.len() % size, 0);
    let mut previous = iv.to_vec();
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks(size) {
        let mut block = Block::<C>::try_from(chunk).unwrap();
        cipher.decrypt_block(&mut block);
        out.extend(block.iter().zip(&previous).map(|(b, p)| b ^ p));
        previous = chunk.to_vec();
    }
    let pad = *out.last().unwrap() as usize;
    assert!((1..=size).contains(&pad));
    out.truncate(out.len() - pad);
    out
}

/// Decrypts `EncryptedPrivateKeyInfo`-style content: `algorithm` is the PBE
/// AlgorithmIdentifier.
fn pbe_decrypt(password: &str, algorithm: Tlv<'_>, ciphertext: &[u8]) -> Vec<u8> {
    let parts = children(algorithm);
    let params = children(parts[1]);
    let salt = params[0].octet_string_value().unwrap();
    let iterations = params[1]
        .content()
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    match oid_of(parts[0]).as_str() {
        "1.2.840.113549.1.12.1.3" => {
            let key = pkcs12_kdf(password, &salt, iterations, 1, 24);
            let iv = pkcs12_kdf(password, &salt, iterations, 2, 8);
            cbc_decrypt(
                &des::TdesEde3::new_from_slice(&key).unwrap(),
                &iv,
                ciphertext,
            )
        }
        "1.2.840.113549.1.12.1.6" => {
            let key = pkcs12_kdf(password, &salt, iterations, 1, 5);
            let iv = pkcs12_kdf(password, &salt, iterations, 2, 8);
            cbc_decrypt(&rc2::Rc2::new_with_eff_key_len(&key, 40), &iv, ciphertext)
        }
        other => panic!("unexpected PBE algorithm {other}"),
    }
}

/// The private key (64 bytes, little-endian) and the certificate (DER) of a PFX.
pub(crate) fn read_pfx(pfx: &[u8], password: &str) -> (Vec<u8>, Vec<u8>) {
    let pfx = Tlv::parse_single(pfx).unwrap();
    let auth_safe = children(pfx)[1];
    let auth_safe = children(auth_safe);
    assert_eq!(oid_of(auth_safe[0]), "1.2.840.113549.1.7.1");
    let safes = explicit(auth_safe[1]).octet_string_value().unwrap();
    let safes = Tlv::parse_single(&safes).unwrap();

    let mut key = None;
    let mut cert = None;
    for content_info in children(safes) {
        let fields = children(content_info);
        let safe_contents: Vec<u8> = match oid_of(fields[0]).as_str() {
            "1.2.840.113549.1.7.1" => explicit(fields[1]).octet_string_value().unwrap().to_vec(),
            "1.2.840.113549.1.7.6" => {
                // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE {
                //   contentType, contentEncryptionAlgorithm, [0] IMPLICIT OCTET STRING } }
                let encrypted = children(explicit(fields[1]));
                let info = children(encrypted[1]);
                let ciphertext = info[2].octet_string_value().unwrap();
                pbe_decrypt(password, info[1], &ciphertext)
            }
            other => panic!("unexpected ContentInfo {other}"),
        };
        let safe_contents = Tlv::parse_single(&safe_contents).unwrap();
        for bag in children(safe_contents) {
            let bag = children(bag);
            let value = explicit(bag[1]);
            match oid_of(bag[0]).as_str() {
                "1.2.840.113549.1.12.10.1.2" => {
                    // EncryptedPrivateKeyInfo ::= SEQUENCE { algorithm, encryptedData }
                    let epki = children(value);
                    let ciphertext = epki[1].octet_string_value().unwrap();
                    let pki = pbe_decrypt(password, epki[0], &ciphertext);
                    // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING }
                    let pki = Tlv::parse_single(&pki).unwrap();
                    let fields = children(pki);
                    let alg = children(fields[1]);
                    assert_eq!(oid_of(alg[0]), "1.2.398.3.10.1.1.2.2");
                    let private_key = fields[2].octet_string_value().unwrap();
                    // NCA: the OCTET STRING holds another OCTET STRING of 64 bytes.
                    let inner = Tlv::parse_single(&private_key).unwrap();
                    key = Some(inner.octet_string_value().unwrap().to_vec());
                }
                "1.2.840.113549.1.12.10.1.3" => {
                    // CertBag ::= SEQUENCE { certId, certValue [0] EXPLICIT OCTET STRING }
                    let cert_bag = children(value);
                    assert_eq!(oid_of(cert_bag[0]), "1.2.840.113549.1.9.22.1");
                    cert = Some(explicit(cert_bag[1]).octet_string_value().unwrap().to_vec());
                }
                other => panic!("unexpected bag {other}"),
            }
        }
    }
    (key.unwrap(), cert.unwrap())
}
