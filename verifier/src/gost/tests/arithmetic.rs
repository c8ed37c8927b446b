//! The field arithmetic (pseudo-Mersenne reduction, lazily reduced elements), the wNAF digits
//! and the interleaved multiplications, each against an independent reference: crypto-bigint's
//! generic modular arithmetic, plain integer sums, textbook double-and-add.

use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
use crypto_bigint::{NonZero, U256, U512, Uint, Word};

use super::curve_kat::{TestCurve256, TestCurve512, naive_mul, same_point};
use super::signer::TestRng;
use crate::gost::curve::{Curve, Derived, Fe};
use crate::gost::field::{testing, uint_from_le};
use crate::gost::params::{CryptoProA, Tc26Gost512A};
use crate::gost::point::{Affine, FixedBase, PreparedPoint, Wnaf, double_mul, mul_base, mul_var};

fn random<const L: usize>(rng: &mut TestRng) -> Uint<L> {
    uint_from_le(&rng.bytes(L * Word::BITS as usize / 8)).unwrap()
}

/// Integers that stress the carries and the reduction: 0, 1, around `p`, around `2^N`, a
/// single high bit, and a few random ones.
fn edge_values<const L: usize>(p: &Uint<L>, rng: &mut TestRng) -> Vec<Uint<L>> {
    let one = Uint::<L>::ONE;
    let mut values = vec![
        Uint::ZERO,
        one,
        Uint::from_u8(2),
        p.wrapping_sub(&one),
        p.wrapping_sub(&Uint::from_u8(2)),
        *p,
        p.wrapping_add(&one),
        Uint::MAX,
        Uint::MAX.wrapping_sub(&one),
        one.shl_vartime(Uint::<L>::BITS - 1),
        Uint::MAX.shr_vartime(Word::BITS),
    ];
    values.extend((0..6).map(|_| random::<L>(rng)));
    values
}

/// Every field operation against crypto-bigint's `ConstMontyForm` on all pairs of edge
/// values, then along a long random chain (so that lazily reduced representations carry
/// over from one operation to the next).
fn field_matches_reference<C: Curve<L>, const L: usize>(seed: u64) {
    type Reference<C, const L: usize> = ConstMontyForm<<C as Curve<L>>::P, L>;
    let mut rng = TestRng::new(seed);
    let p = Derived::<C, L>::P;
    let values = edge_values(&p, &mut rng);
    let check = |fe: Fe<C, L>, reference: Reference<C, L>, what: &str| {
        assert_eq!(fe.retrieve(), reference.retrieve(), "{}: {what}", C::NAME);
        assert_eq!(
            fe,
            Fe::<C, L>::new(&reference.retrieve()),
            "{}: {what} (eq)",
            C::NAME
        );
        assert_eq!(
            fe.is_zero(),
            reference.retrieve() == Uint::ZERO,
            "{}: {what}",
            C::NAME
        );
    };
    for x in &values {
        let (fx, rx) = (Fe::<C, L>::new(x), Reference::<C, L>::new(x));
        check(fx, rx, "new");
        check(fx.neg(), rx.neg(), "neg");
        check(fx.double(), rx.double(), "double");
        check(fx.square(), rx.square(), "square");
        let inverse = fx.invert_vartime().map(|i| i.retrieve());
        assert_eq!(
            inverse,
            rx.invert_vartime().into_option().map(|i| i.retrieve())
        );
        for y in &values {
            let (fy, ry) = (Fe::<C, L>::new(y), Reference::<C, L>::new(y));
            check(fx.add(&fy), rx.add(&ry), "add");
            check(fx.sub(&fy), rx.sub(&ry), "sub");
            check(fx.mul(&fy), rx.mul(&ry), "mul");
            assert_eq!(fx == fy, rx == ry, "{}: eq", C::NAME);
        }
    }
    let (mut fe, mut reference) = (
        Fe::<C, L>::new(&Uint::MAX),
        Reference::<C, L>::new(&Uint::MAX),
    );
    for step in 0..3000 {
        let y = &values[step % values.len()];
        let (fy, ry) = (Fe::<C, L>::new(y), Reference::<C, L>::new(y));
        (fe, reference) = match step % 7 {
            0 => (fe.add(&fy), reference.add(&ry)),
            1 => (fe.sub(&fy), reference.sub(&ry)),
            2 => (fe.mul(&fy), reference.mul(&ry)),
            3 => (fe.square(), reference.square()),
            4 => (fy.sub(&fe), ry.sub(&reference)),
            5 => (fe.double(), reference.double()),
            _ => (fe.neg(), reference.neg()),
        };
        // Keep it from settling at zero.
        if reference.retrieve() == Uint::ZERO {
            (fe, reference) = (
                fe.add(&Fe::<C, L>::ONE),
                reference.add(&Reference::<C, L>::ONE),
            );
        }
        check(fe, reference, "chain");
    }
}

#[test]
fn field_arithmetic_matches_crypto_bigint() {
    field_matches_reference::<Tc26Gost512A, { U512::LIMBS }>(1);
    field_matches_reference::<CryptoProA, { U256::LIMBS }>(2);
    // The test curves' moduli are not pseudo-Mersenne: the Montgomery path.
    field_matches_reference::<TestCurve256, { U256::LIMBS }>(3);
    field_matches_reference::<TestCurve512, { U512::LIMBS }>(4);
}

#[test]
fn the_pseudo_mersenne_form_is_recognized() {
    assert_eq!(Fe::<Tc26Gost512A, { U512::LIMBS }>::SPECIAL_C, 569);
    assert_eq!(Fe::<CryptoProA, { U256::LIMBS }>::SPECIAL_C, 617);
    assert_eq!(Fe::<TestCurve256, { U256::LIMBS }>::SPECIAL_C, 0);
    assert_eq!(Fe::<TestCurve512, { U512::LIMBS }>::SPECIAL_C, 0);
}

/// `hi·2^N + lo` as a `W`-limb integer (`W = 2L`).
fn wide<const L: usize, const W: usize>(lo: &Uint<L>, hi: &Uint<L>) -> Uint<W> {
    let mut words = [0 as Word; W];
    words[..L].copy_from_slice(lo.as_words());
    words[L..].copy_from_slice(hi.as_words());
    Uint::from_words(words)
}

/// The special reduction of every `hi·2^N + lo` (edge values, including `2^2N - 1`) against
/// a division of the double-width integer by `p`.
fn reduction_matches_division<C: Curve<L>, const L: usize, const W: usize>(seed: u64) {
    let mut rng = TestRng::new(seed);
    let p = Derived::<C, L>::P;
    let p_wide = NonZero::new(wide::<L, W>(&p, &Uint::ZERO)).unwrap();
    let values = edge_values(&p, &mut rng);
    for lo in &values {
        for hi in &values {
            let expected = wide::<L, W>(lo, hi).rem_vartime(&p_wide);
            let reduced = testing::reduce_wide::<C::P, L>(lo, hi);
            let reduced = reduced.rem_vartime(C::P::PARAMS.modulus().as_nz_ref());
            assert_eq!(wide::<L, W>(&reduced, &Uint::ZERO), expected, "{}", C::NAME);
        }
    }
}

#[test]
fn pseudo_mersenne_reduction_matches_division() {
    reduction_matches_division::<Tc26Gost512A, { U512::LIMBS }, { 2 * U512::LIMBS }>(5);
    reduction_matches_division::<CryptoProA, { U256::LIMBS }, { 2 * U256::LIMBS }>(6);
}

fn products_match<const L: usize>(seed: u64) {
    let mut rng = TestRng::new(seed);
    let mut values = vec![
        Uint::<L>::ZERO,
        Uint::ONE,
        Uint::MAX,
        Uint::MAX.shr_vartime(1),
    ];
    values.extend((0..8).map(|_| random::<L>(&mut rng)));
    for a in &values {
        assert_eq!(
            testing::mul_wide(a, a, true),
            a.widening_mul(a),
            "square, L = {L}"
        );
        for b in &values {
            assert_eq!(testing::mul_wide(a, b, false), a.widening_mul(b), "L = {L}");
        }
    }
}

#[test]
fn double_width_products_match_crypto_bigint() {
    products_match::<1>(7);
    products_match::<2>(8);
    products_match::<3>(9);
    products_match::<4>(10);
    products_match::<5>(11);
    products_match::<8>(12);
    products_match::<16>(13);
}

/// The digits of `k` rebuild `k`, are odd or zero, below `2^(w-1)` in magnitude, and each
/// non-zero one is followed by at least `w - 1` zeros. `W` = `L + 1` limbs hold the sums.
fn check_wnaf<const L: usize, const W: usize>(k: &Uint<L>) {
    for w in 2..=10u32 {
        let wnaf = Wnaf::new(k, w);
        let digits = wnaf.digits();
        let (mut positive, mut negative) = (Uint::<W>::ZERO, Uint::<W>::ZERO);
        let mut last_nonzero: Option<usize> = None;
        for (i, &d) in digits.iter().enumerate() {
            if d == 0 {
                continue;
            }
            assert!(
                d % 2 != 0 && d.unsigned_abs() < 1 << (w - 1),
                "digit {d}, w = {w}"
            );
            if let Some(last) = last_nonzero {
                assert!(i - last >= w as usize, "digits too close, w = {w}");
            }
            last_nonzero = Some(i);
            let term = Uint::<W>::from_u64(u64::from(d.unsigned_abs())).shl_vartime(i as u32);
            if d > 0 {
                positive = positive.wrapping_add(&term);
            } else {
                negative = negative.wrapping_add(&term);
            }
        }
        assert_eq!(
            digits.last().copied().map(|d| d != 0),
            last_nonzero.map(|_| true)
        );
        let mut k_wide = [0 as Word; W];
        k_wide[..L].copy_from_slice(k.as_words());
        assert_eq!(
            positive.wrapping_sub(&negative),
            Uint::from_words(k_wide),
            "w = {w}"
        );
    }
}

#[test]
fn wnaf_digits_rebuild_the_scalar() {
    let mut rng = TestRng::new(14);
    let mut scalars = vec![U512::ZERO, U512::ONE, U512::MAX, U512::ONE.shl_vartime(511)];
    scalars.push(Derived::<Tc26Gost512A, { U512::LIMBS }>::Q);
    scalars.extend((0..20).map(|_| random::<{ U512::LIMBS }>(&mut rng)));
    for k in &scalars {
        check_wnaf::<{ U512::LIMBS }, { U512::LIMBS + 1 }>(k);
    }
    for _ in 0..20 {
        check_wnaf::<{ U256::LIMBS }, { U256::LIMBS + 1 }>(&random::<{ U256::LIMBS }>(&mut rng));
    }
    check_wnaf::<{ U256::LIMBS }, { U256::LIMBS + 1 }>(&U256::MAX);
}

/// `a·G + b·P` three ways (interleaved, with the prepared tables, and as `a·G` plus `b·P`
/// separately) against double-and-add, for `P = G` (which hits the doubling inside the
/// additions) and a random point, with scalars at and across the slice boundaries.
fn multiplications_match<C: FixedBase<L>, const L: usize>(seed: u64) {
    let mut rng = TestRng::new(seed);
    let g = Affine::<C, L>::generator();
    let q = Derived::<C, L>::Q;
    let q_minus_1 = q.wrapping_sub(&Uint::ONE);
    let d = rng.scalar::<C, L>();
    let random_point = mul_base::<C, L>(&d).to_affine().unwrap();
    let bits = Uint::<L>::BITS;
    let one = Uint::<L>::ONE;
    let mut scalars = vec![
        Uint::ZERO,
        one,
        Uint::from_u8(2),
        q_minus_1,
        Uint::MAX,
        one.shl_vartime(bits / 4).wrapping_sub(&one),
        one.shl_vartime(bits / 4),
        one.shl_vartime(bits / 2).wrapping_sub(&one),
        one.shl_vartime(3 * bits / 4)
            .wrapping_add(&one.shl_vartime(3 * bits / 4 - 1)),
    ];
    scalars.extend((0..3).map(|_| rng.scalar::<C, L>()));
    for p in [g, random_point] {
        let prepared = PreparedPoint::new(&p);
        for (i, a) in scalars.iter().enumerate() {
            // All pairs would be slow with double-and-add on the test curves: each a with a
            // few b.
            for b in [
                &scalars[(i + 1) % scalars.len()],
                &scalars[(i + 5) % scalars.len()],
                a,
            ] {
                let expected = naive_mul(&g, a).add(&naive_mul(&p, b));
                assert!(same_point(&double_mul(a, &p, b), &expected), "{}", C::NAME);
                assert!(
                    same_point(&prepared.double_mul(a, b), &expected),
                    "{}",
                    C::NAME
                );
                let separate = mul_base::<C, L>(a).add(&mul_var(&p, b));
                assert!(same_point(&separate, &expected), "{}", C::NAME);
            }
        }
    }
    // a·G + b·G = 0 with b = q - a.
    let prepared_g = PreparedPoint::new(&g);
    let a = rng.scalar::<C, L>();
    let b = q.wrapping_sub(&a);
    assert!(double_mul(&a, &g, &b).is_identity());
    assert!(prepared_g.double_mul(&a, &b).is_identity());
}

#[test]
fn interleaved_and_prepared_multiplications_match_double_and_add() {
    multiplications_match::<Tc26Gost512A, { U512::LIMBS }>(15);
    multiplications_match::<CryptoProA, { U256::LIMBS }>(16);
    multiplications_match::<TestCurve256, { U256::LIMBS }>(17);
    multiplications_match::<TestCurve512, { U512::LIMBS }>(18);
}

/// A cache shares prepared keys between threads.
#[test]
fn prepared_keys_are_send_and_sync() {
    fn shareable<T: Send + Sync + Clone + core::fmt::Debug>() {}
    shareable::<crate::gost::PreparedKey>();
}
