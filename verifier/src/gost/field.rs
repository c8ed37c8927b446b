//! Integer and field-element helpers: the little-endian encodings of GOST, reduction modulo
//! `q`, the prime-field arithmetic ([`FieldElement`]), batch inversion.
//!
//! Integers are crypto-bigint's [`Uint`]; the scalar ring (mod `q`, a handful of operations per
//! signature) is its [`ConstMontyForm`]. The prime field, where nearly all the time of a
//! verification goes, has its own type: both NCA curves have a pseudo-Mersenne
//! `p = 2^N - c` with a small `c` (`2^512 - 569`, `2^256 - 617`), for which a product is reduced
//! by two multiply-and-add passes by `c` instead of a Montgomery reduction; any other modulus
//! (the test curves of the standards) falls back to crypto-bigint's Montgomery arithmetic. The
//! choice is made per modulus at compile time.
//!
//! Nothing here is constant time: verification only handles public data (keys, signatures,
//! digests), so early exits and data-dependent branches are fine and faster.

use core::marker::PhantomData;

use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
use crypto_bigint::{Limb, Uint, WideWord, Word};

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

/// The most limbs of a field element: 512 bits on 32-bit words. Bounds the stack buffer of a
/// double-width product (no `[Word; 2 * L]` in stable Rust).
const MAX_LIMBS: usize = 16;
/// Bits per limb.
const WORD_BITS: u32 = Word::BITS;

/// An element of the prime field of the modulus `P`.
///
/// With a pseudo-Mersenne `p = 2^N - c` (`c` below `2^(WORD_BITS/2)`) the limbs are the integer
/// itself, any value below `2^N`, not necessarily below `p`: sums and products are only folded
/// below `2^N` (`2^N ≡ c`), never compared with `p`, and equality, [`is_zero`](Self::is_zero)
/// and [`retrieve`](Self::retrieve) reduce first. Otherwise the limbs are the Montgomery form,
/// always below `p`, and the arithmetic is crypto-bigint's.
pub(crate) struct FieldElement<P, const L: usize> {
    words: [Word; L],
    // `fn() -> P`: the element neither owns a `P` nor needs `P` to be `Sync` to be shared.
    modulus: PhantomData<fn() -> P>,
}

impl<P, const L: usize> Clone for FieldElement<P, L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, const L: usize> Copy for FieldElement<P, L> {}

impl<P: ConstMontyParams<L>, const L: usize> PartialEq for FieldElement<P, L> {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl<P: ConstMontyParams<L>, const L: usize> Eq for FieldElement<P, L> {}

impl<P, const L: usize> core::fmt::Debug for FieldElement<P, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("FieldElement").field(&self.words).finish()
    }
}

impl<P: ConstMontyParams<L>, const L: usize> FieldElement<P, L> {
    /// `p`'s limbs.
    const MODULUS: [Word; L] = P::PARAMS.modulus().as_ref().to_words();

    /// `c = 2^N - p` if `p` is pseudo-Mersenne with `c < 2^(WORD_BITS/2)` (both NCA curves),
    /// else 0 (Montgomery arithmetic). Below half a limb, `c` times a fold's carry fits one limb.
    pub(crate) const SPECIAL_C: Word = {
        let p = Self::MODULUS;
        let mut special = L <= MAX_LIMBS;
        let mut i = 1;
        while i < L {
            if p[i] != Word::MAX {
                special = false;
            }
            i += 1;
        }
        let c = p[0].wrapping_neg();
        if special && c < (1 << (WORD_BITS / 2)) {
            c
        } else {
            0
        }
    };

    /// Whether the pseudo-Mersenne arithmetic applies.
    const SPECIAL: bool = Self::SPECIAL_C != 0;

    /// Zero.
    pub(crate) const ZERO: Self = Self::from_words([0; L]);

    /// One.
    pub(crate) const ONE: Self = if Self::SPECIAL {
        Self::from_words(Uint::<L>::ONE.to_words())
    } else {
        Self::from_words(ConstMontyForm::<P, L>::ONE.to_montgomery().to_words())
    };

    const fn from_words(words: [Word; L]) -> Self {
        Self {
            words,
            modulus: PhantomData,
        }
    }

    /// The element `x mod p` (any `x`).
    pub(crate) const fn new(x: &Uint<L>) -> Self {
        if Self::SPECIAL {
            // Any value below 2^N is a valid representation.
            Self::from_words(x.to_words())
        } else {
            Self::from_words(ConstMontyForm::<P, L>::new(x).to_montgomery().to_words())
        }
    }

    /// The limbs reduced below `p` (p > 2^(N-1): at most one subtraction).
    fn canonical(&self) -> [Word; L] {
        if Self::SPECIAL && geq(&self.words, &Self::MODULUS) {
            sub_words(&self.words, &Self::MODULUS).0
        } else {
            self.words
        }
    }

    /// The element as an integer below `p`.
    pub(crate) fn retrieve(&self) -> Uint<L> {
        if Self::SPECIAL {
            Uint::from_words(self.canonical())
        } else {
            self.monty().retrieve()
        }
    }

    fn monty(&self) -> ConstMontyForm<P, L> {
        ConstMontyForm::from_montgomery(Uint::from_words(self.words))
    }

    fn from_monty(value: ConstMontyForm<P, L>) -> Self {
        Self::from_words(value.to_montgomery().to_words())
    }

    /// Whether this is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.canonical().iter().all(|&w| w == 0)
    }

    /// `self + rhs`.
    #[inline]
    pub(crate) fn add(&self, rhs: &Self) -> Self {
        let (sum, carry) = add_words(&self.words, &rhs.words);
        if Self::SPECIAL {
            // A carry out is 2^N ≡ c: add it back in, without a branch (it is a coin flip, and
            // a mispredicted branch costs more than the addition).
            Self::from_words(Self::fold_carry(sum, carry))
        } else {
            // Both below p, so the sum is below 2p: one subtraction of p if it reached p.
            if carry || geq(&sum, &Self::MODULUS) {
                Self::from_words(sub_words(&sum, &Self::MODULUS).0)
            } else {
                Self::from_words(sum)
            }
        }
    }

    /// `2·self`.
    #[inline]
    pub(crate) fn double(&self) -> Self {
        self.add(self)
    }

    /// `self - rhs`.
    #[inline]
    pub(crate) fn sub(&self, rhs: &Self) -> Self {
        let (difference, borrow) = sub_words(&self.words, &rhs.words);
        if Self::SPECIAL {
            // A borrow wrapped around 2^N ≡ c: take c off again, without a branch (see `add`).
            let mask = Word::from(borrow).wrapping_neg();
            let (mut out, borrow) = sub_word(&difference, mask & Self::SPECIAL_C);
            if borrow {
                // Only when the difference was below c: it is now near 2^N, no further borrow.
                out = sub_word(&out, Self::SPECIAL_C).0;
            }
            Self::from_words(out)
        } else if borrow {
            Self::from_words(add_words(&difference, &Self::MODULUS).0)
        } else {
            Self::from_words(difference)
        }
    }

    /// `-self`.
    pub(crate) fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }

    /// `self · rhs`.
    #[inline]
    pub(crate) fn mul(&self, rhs: &Self) -> Self {
        if Self::SPECIAL {
            let mut wide = [0; 2 * MAX_LIMBS];
            mul_wide(&self.words, &rhs.words, &mut wide);
            Self::from_words(Self::reduce_wide(&wide))
        } else {
            Self::from_monty(self.monty().mul(&rhs.monty()))
        }
    }

    /// `self²`.
    #[inline]
    pub(crate) fn square(&self) -> Self {
        if Self::SPECIAL {
            let mut wide = [0; 2 * MAX_LIMBS];
            square_wide(&self.words, &mut wide);
            Self::from_words(Self::reduce_wide(&wide))
        } else {
            Self::from_monty(self.monty().square())
        }
    }

    /// `self⁻¹`, or `None` for zero (variable time).
    pub(crate) fn invert_vartime(&self) -> Option<Self> {
        if Self::SPECIAL {
            Uint::from_words(self.canonical())
                .invert_odd_mod_vartime(P::PARAMS.modulus())
                .into_option()
                .map(|inverse| Self::from_words(inverse.to_words()))
        } else {
            self.monty()
                .invert_vartime()
                .into_option()
                .map(Self::from_monty)
        }
    }

    /// `words + carry·2^N` folded below `2^N` (`2^N ≡ c`).
    #[inline(always)]
    fn fold_carry(words: [Word; L], carry: bool) -> [Word; L] {
        let mask = Word::from(carry).wrapping_neg();
        let (mut out, carry) = add_word(&words, mask & Self::SPECIAL_C);
        if carry {
            // Only when the sum was within c of 2^N: it is now below c, no further carry.
            out = add_word(&out, Self::SPECIAL_C).0;
        }
        out
    }

    /// `t mod p`, below `2^N` but not necessarily below `p`, for the double-width `t` in
    /// `wide[..2L]`, with `p = 2^N - c`: `t = hi·2^N + lo ≡ lo + c·hi`, folded twice.
    #[inline(always)]
    fn reduce_wide(wide: &[Word; 2 * MAX_LIMBS]) -> [Word; L] {
        let c = WideWord::from(Self::SPECIAL_C);
        let mut out = [0; L];
        // First fold: lo + c·hi < 2^N·(c + 1), so the carry out is at most c.
        let mut carry: WideWord = 0;
        for (i, word) in out.iter_mut().enumerate() {
            let t = WideWord::from(wide[i]) + c * WideWord::from(wide[L + i]) + carry;
            *word = t as Word;
            carry = t >> WORD_BITS;
        }
        // Second fold: carry·c < 2^WORD_BITS since both are below 2^(WORD_BITS/2).
        let (mut out, carry) = add_word(&out, (carry * c) as Word);
        if carry {
            // Only when the sum was within carry·c of 2^N: it is now small, no further carry.
            out = add_word(&out, Self::SPECIAL_C).0;
        }
        out
    }
}

/// Whether `a >= b` (variable time: most significant limb first, stop at the first difference).
#[inline(always)]
const fn geq<const L: usize>(a: &[Word; L], b: &[Word; L]) -> bool {
    let mut i = L;
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// `a + x` for a single limb `x`, and the carry out.
#[inline(always)]
fn add_word<const L: usize>(a: &[Word; L], x: Word) -> ([Word; L], bool) {
    let mut out = [0; L];
    let mut carry = x;
    for i in 0..L {
        let (sum, overflow) = a[i].overflowing_add(carry);
        out[i] = sum;
        carry = Word::from(overflow);
    }
    (out, carry != 0)
}

/// `a - x` (wrapping) for a single limb `x`, and the borrow out.
#[inline(always)]
fn sub_word<const L: usize>(a: &[Word; L], x: Word) -> ([Word; L], bool) {
    let mut out = [0; L];
    let mut borrow = x;
    for i in 0..L {
        let (difference, overflow) = a[i].overflowing_sub(borrow);
        out[i] = difference;
        borrow = Word::from(overflow);
    }
    (out, borrow != 0)
}

/// `a + b` and the carry out.
#[inline(always)]
fn add_words<const L: usize>(a: &[Word; L], b: &[Word; L]) -> ([Word; L], bool) {
    let mut out = [0; L];
    let mut carry = false;
    for i in 0..L {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(Word::from(carry));
        out[i] = s2;
        carry = c1 | c2;
    }
    (out, carry)
}

/// `a - b` (wrapping) and the borrow out.
#[inline(always)]
const fn sub_words<const L: usize>(a: &[Word; L], b: &[Word; L]) -> ([Word; L], bool) {
    let mut out = [0; L];
    let mut borrow = false;
    let mut i = 0;
    while i < L {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow as Word);
        out[i] = d2;
        borrow = b1 | b2;
        i += 1;
    }
    (out, borrow)
}

/// The product `a·b` into `out[..2L]` (`out` zero on entry): schoolbook, one row of partial
/// products per limb of `a` (operand scanning: with 64-bit limbs and `u128` products it came out
/// faster here than column-wise product scanning, which LLVM does not unroll well).
#[inline(always)]
fn mul_wide<const L: usize>(a: &[Word; L], b: &[Word; L], out: &mut [Word; 2 * MAX_LIMBS]) {
    for i in 0..L {
        let ai = WideWord::from(a[i]);
        let mut carry: Word = 0;
        for j in 0..L {
            // (2^W - 1)² + 2·(2^W - 1) < 2^(2W): no overflow.
            let t = ai * WideWord::from(b[j]) + WideWord::from(out[i + j]) + WideWord::from(carry);
            out[i + j] = t as Word;
            carry = (t >> WORD_BITS) as Word;
        }
        out[i + L] = carry;
    }
}

/// The square `a²` into `out[..2L]` (`out` zero on entry): each cross product `a[i]·a[j]`,
/// `i < j`, once, the sum doubled, then the squares `a[i]²` added.
#[inline(always)]
fn square_wide<const L: usize>(a: &[Word; L], out: &mut [Word; 2 * MAX_LIMBS]) {
    for i in 0..L {
        let ai = WideWord::from(a[i]);
        let mut carry: Word = 0;
        for j in i + 1..L {
            let t = ai * WideWord::from(a[j]) + WideWord::from(out[i + j]) + WideWord::from(carry);
            out[i + j] = t as Word;
            carry = (t >> WORD_BITS) as Word;
        }
        out[i + L] = carry;
    }
    // Double (the top bit of the cross sum is 0: it is below 2^(2N-1)), add the diagonal.
    let mut shifted_out: Word = 0;
    let mut carry: Word = 0;
    for (i, &ai) in a.iter().enumerate() {
        let square = WideWord::from(ai) * WideWord::from(ai);
        for (k, part) in [
            (2 * i, square as Word),
            (2 * i + 1, (square >> WORD_BITS) as Word),
        ] {
            let doubled = (out[k] << 1) | shifted_out;
            shifted_out = out[k] >> (WORD_BITS - 1);
            let t = WideWord::from(doubled) + WideWord::from(part) + WideWord::from(carry);
            out[k] = t as Word;
            carry = (t >> WORD_BITS) as Word;
        }
    }
}

/// Inverts every element of `elements` in place with one field inversion (Montgomery's
/// trick), using `scratch` (at least as long) for the prefix products. Returns `false`,
/// leaving `elements` unchanged, if any element is zero.
pub(crate) fn batch_invert<P: ConstMontyParams<L>, const L: usize>(
    elements: &mut [FieldElement<P, L>],
    scratch: &mut [FieldElement<P, L>],
) -> bool {
    // scratch[i] = elements[0] * ... * elements[i - 1]
    let mut product = FieldElement::<P, L>::ONE;
    for (element, prefix) in elements.iter().zip(scratch.iter_mut()) {
        *prefix = product;
        product = product.mul(element);
    }
    let Some(mut inverse) = product.invert_vartime() else {
        return false;
    };
    // Walk back: inverse = (e0 * ... * ei)^-1, so ei^-1 = inverse * prefix[i].
    for (element, before) in elements.iter_mut().zip(scratch.iter()).rev() {
        let element_inverse = inverse.mul(before);
        inverse = inverse.mul(element);
        *element = element_inverse;
    }
    true
}

#[cfg(test)]
pub(crate) mod testing {
    //! Access to the internals for the arithmetic tests.
    use super::*;

    /// `reduce_wide` on `lo + 2^N·hi`.
    pub(crate) fn reduce_wide<P: ConstMontyParams<L>, const L: usize>(
        lo: &Uint<L>,
        hi: &Uint<L>,
    ) -> Uint<L> {
        let mut wide = [0; 2 * MAX_LIMBS];
        wide[..L].copy_from_slice(lo.as_words());
        wide[L..2 * L].copy_from_slice(hi.as_words());
        Uint::from_words(FieldElement::<P, L>::reduce_wide(&wide))
    }

    /// The full product `a·b` as `(lo, hi)`.
    pub(crate) fn mul_wide<const L: usize>(
        a: &Uint<L>,
        b: &Uint<L>,
        square: bool,
    ) -> (Uint<L>, Uint<L>) {
        let mut wide = [0; 2 * MAX_LIMBS];
        if square {
            super::square_wide(a.as_words(), &mut wide);
        } else {
            super::mul_wide(a.as_words(), b.as_words(), &mut wide);
        }
        let mut lo = [0; L];
        let mut hi = [0; L];
        lo.copy_from_slice(&wide[..L]);
        hi.copy_from_slice(&wide[L..2 * L]);
        (Uint::from_words(lo), Uint::from_words(hi))
    }
}
