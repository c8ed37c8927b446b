//! Tests of the GOST module: known answers for the hashes and the curve arithmetic, the real NCA
//! signatures in `testdata/`, tampering, and round trips through a test-only signer.

mod arithmetic;
mod curve_kat;
mod hashes;
mod pkcs12;
mod real;
mod signer;
mod tamper;

/// Decodes hex (any case, no separators).
pub(super) fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

pub(super) use crate::test_support::fixtures;
