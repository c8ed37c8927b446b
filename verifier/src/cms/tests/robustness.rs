//! No input may panic: truncations, byte flips and random garbage.

use super::encode::convert;
use super::fixtures::*;
use crate::cms::parse_signed_data;
use crate::input::{decode_certificate_file, decode_cms, decode_crl_file};

fn real_inputs() -> Vec<Vec<u8>> {
    let mut inputs: Vec<Vec<u8>> = [
        INDIVIDUAL_ATTACHED,
        INDIVIDUAL_DETACHED,
        LEGAL_ATTACHED,
        LEGAL_DETACHED,
    ]
    .iter()
    .map(|d| d.to_vec())
    .collect();
    inputs.push(decode_cms(TEST_CMS_GOST).unwrap().bytes.into_owned());
    // A BER variant, so that indefinite lengths and segments are mutated too.
    inputs.push(convert(INDIVIDUAL_ATTACHED, &|_| true, &|_| Some(16)));
    inputs
}

/// Exercises the parsed value so that lazily computed parts are touched too.
fn exercise(bytes: &[u8]) -> bool {
    match parse_signed_data(bytes) {
        Ok(sd) => {
            for si in &sd.signer_infos {
                if let Some(attrs) = &si.signed_attrs {
                    let _ = attrs.bytes_to_verify();
                }
                let _ = si.signature_time_stamp_tokens().count();
            }
            let _ = sd.x509_certificates().count() + sd.x509_crls().count();
            true
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

#[test]
fn every_truncation_is_an_error() {
    for input in real_inputs() {
        assert!(exercise(&input));
        for len in 0..input.len() {
            assert!(
                !exercise(&input[..len]),
                "a prefix of {len} of {} bytes parsed",
                input.len()
            );
        }
    }
}

#[test]
fn every_byte_flip_returns_without_panicking() {
    let mut parsed = 0usize;
    let mut total = 0usize;
    for input in real_inputs() {
        let mut mutated = input.clone();
        for i in 0..input.len() {
            for mask in [0x01u8, 0xff] {
                mutated[i] ^= mask;
                parsed += usize::from(exercise(&mutated));
                total += 1;
                mutated[i] ^= mask;
            }
        }
    }
    // Flips inside content, signatures and certificates still parse; flips in the structure
    // do not. Both kinds occur.
    assert!(parsed > 0 && parsed < total, "{parsed} of {total}");
}

/// xorshift64*, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_garbage_is_rejected_without_panicking() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..3000 {
        let len = (rng.next() % 300) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Make a third of them start like a BER SEQUENCE, some indefinite.
        if round % 3 == 0 && len >= 2 {
            bytes[0] = 0x30;
            if round % 2 == 0 {
                bytes[1] = 0x80;
            }
        }
        assert!(!exercise(&bytes));
        let _ = decode_cms(&bytes);
        let _ = decode_certificate_file(&bytes);
        let _ = decode_crl_file(&bytes);
    }
}

#[test]
fn splicing_real_fragments_does_not_panic() {
    // Random cuts of real signatures glued together: plausible headers, wrong lengths.
    let inputs = real_inputs();
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let a = &inputs[(rng.next() % inputs.len() as u64) as usize];
        let b = &inputs[(rng.next() % inputs.len() as u64) as usize];
        let cut_a = (rng.next() % a.len() as u64) as usize;
        let cut_b = (rng.next() % b.len() as u64) as usize;
        let spliced = [&a[..cut_a], &b[cut_b..]].concat();
        exercise(&spliced);
    }
}

#[test]
fn text_inputs_mutated_do_not_panic() {
    for text in [TEST_CMS_GOST, CMS_FOR_DOUBLE_SIGN, TEST_CERT_GOST] {
        for len in 0..text.len() {
            if let Ok(decoded) = decode_cms(&text[..len]) {
                exercise(&decoded.bytes);
            }
            let _ = decode_certificate_file(&text[..len]);
        }
    }
}
