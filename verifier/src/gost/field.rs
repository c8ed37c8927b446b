//! Integer and field-element helpers: the little-endian encodings of GOST, reduction modulo
//! `q`, batch inversion.
//!
//! The arithmetic itself is crypto-bigint's: [`Uint`] for plain integers and
//! [`ConstMontyForm`] (Montgomery form, modulus fixed at compile time) for elements of the
//! prime field and of the scalar ring. Verification only handles public data, so the
//! variable-time operations (`*_vartime`) are used where they are faster.

use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
use crypto_bigint::{Limb, Uint, Word};

/// Reads an unsigned integer from exactly `L * Limb::BYTES` little-endian bytes; `None` for any
/// other length.
pub(crate) fn uint_from_le<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    if bytes.len() != L * Limb::BYTES {
        return None;
    }
    let mut words = [0 as Word; L];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(Limb::BYTES)) {
        *word = chunk
            .iter()
            .rev()
            .fold(0, |acc, &byte| (acc << 8) | Word::from(byte));
    }
    Some(Uint::from_words(words))
}

/// Writes `value` as `L * Limb::BYTES` little-endian bytes.
#[cfg_attr(not(test), allow(dead_code))] // The verifier only reads; the test signer writes.
pub(crate) fn uint_to_le<const L: usize>(value: &Uint<L>) -> Vec<u8> {
    value
        .as_words()
        .iter()
        .flat_map(|word| word.to_le_bytes())
        .collect()
}

/// Whether `a < b`.
pub(crate) fn lt<const L: usize>(a: &Uint<L>, b: &Uint<L>) -> bool {
    a.cmp_vartime(b).is_lt()
}

/// Whether `a == 0`.
pub(crate) fn is_zero<const L: usize>(a: &Uint<L>) -> bool {
    a.is_zero().to_bool()
}

/// `x mod m` for the (odd, hence non-zero) modulus of `M`.
pub(crate) fn reduce<M: ConstMontyParams<L>, const L: usize>(x: &Uint<L>) -> Uint<L> {
    x.rem_vartime(M::PARAMS.modulus().as_nz_ref())
}

/// Inverts every element of `elements` in place with one field inversion (Montgomery's
/// trick). Returns `false`, leaving `elements` unchanged, if any element is zero.
pub(crate) fn batch_invert<M: ConstMontyParams<L>, const L: usize>(
    elements: &mut [ConstMontyForm<M, L>],
) -> bool {
    // prefix[i] = elements[0] * ... * elements[i - 1]
    let mut prefix = Vec::with_capacity(elements.len());
    let mut product = ConstMontyForm::<M, L>::ONE;
    for element in elements.iter() {
        prefix.push(product);
        product = product.mul(element);
    }
    let Some(mut inverse) = product.invert_vartime().into_option() else {
        return false;
    };
    // Walk back: inverse = (e0 * ... * ei)^-1, so ei^-1 = inverse * prefix[i].
    for (element, before) in elements.iter_mut().zip(prefix).rev() {
        let element_inverse = inverse.mul(&before);
        inverse = inverse.mul(element);
        *element = element_inverse;
    }
    true
}
