//! Points of a [`Curve`]: affine points, Jacobian coordinates, and the scalar multiplications
//! the verifier needs.
//!
//! - Jacobian coordinates `(X, Y, Z)` stand for the affine point `(X/Z², Y/Z³)`; `Z = 0` is
//!   the point at infinity. No inversion is needed until the very end (and the verifier avoids
//!   even that one, see `verify.rs`).
//! - Formulas from the Explicit-Formulas Database (hyperelliptic.org/EFD, "g1p/auto-shortw-
//!   jacobian"): `dbl-2001-b` when `a = -3` (both NCA curves), `dbl-2007-bl` otherwise,
//!   `madd-2007-bl` for adding an affine point, `add-2007-bl` for two Jacobian points. The
//!   exceptional cases (an input at infinity, equal or opposite inputs) are handled
//!   explicitly, in variable time: verification only sees public data, so nothing here needs
//!   to be constant time.
//! - `z1·G + z2·Q` is one interleaved (Straus) multiplication: one chain of doublings, into
//!   which the width-`w` NAF digits of both scalars add precomputed odd multiples of their
//!   points. `G`'s multiples are a table built once per curve ([`BaseTable`], wide window);
//!   `Q`'s are computed per signature (narrow window, made affine by one batch inversion), or
//!   once per key in a [`PreparedPoint`].
//! - With multiples of `2^(K·j)·P` for the slices `j` of `K` bits (the base table has them, a
//!   [`PreparedPoint`] too), the digits of each slice go in together and the chain has only
//!   `K` doublings instead of one per bit of the scalar.

use crypto_bigint::{Uint, Word};

use super::curve::{Curve, Derived, Fe};
use super::field::batch_invert;

/// An affine point `(x, y)` (never the point at infinity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Affine<C: Curve<L>, const L: usize> {
    pub(crate) x: Fe<C, L>,
    pub(crate) y: Fe<C, L>,
}

impl<C: Curve<L>, const L: usize> Affine<C, L> {
    /// The base point `G`.
    pub(crate) fn generator() -> Self {
        Self {
            x: Fe::<C, L>::new(&C::GX),
            y: Fe::<C, L>::new(&C::GY),
        }
    }

    /// Whether `y² = x³ + a·x + b`.
    pub(crate) fn is_on_curve(&self) -> bool {
        let lhs = self.y.square();
        let rhs = self
            .x
            .square()
            .add(&Derived::<C, L>::A)
            .mul(&self.x)
            .add(&Derived::<C, L>::B);
        lhs == rhs
    }

    /// `-P = (x, -y)`.
    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: self.y.neg(),
        }
    }

    /// The affine coordinates as integers below `p`.
    #[cfg_attr(not(test), allow(dead_code))] // Used by the test signer and the KATs.
    pub(crate) fn coordinates(&self) -> (Uint<L>, Uint<L>) {
        (self.x.retrieve(), self.y.retrieve())
    }
}

/// A point in Jacobian coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Jacobian<C: Curve<L>, const L: usize> {
    pub(crate) x: Fe<C, L>,
    pub(crate) y: Fe<C, L>,
    pub(crate) z: Fe<C, L>,
}

impl<C: Curve<L>, const L: usize> From<Affine<C, L>> for Jacobian<C, L> {
    fn from(p: Affine<C, L>) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: Fe::<C, L>::ONE,
        }
    }
}

impl<C: Curve<L>, const L: usize> Jacobian<C, L> {
    /// The point at infinity.
    pub(crate) const IDENTITY: Self = Self {
        x: Fe::<C, L>::ONE,
        y: Fe::<C, L>::ONE,
        z: Fe::<C, L>::ZERO,
    };

    /// Whether this is the point at infinity.
    pub(crate) fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// The affine point, or `None` for the point at infinity (one field inversion).
    #[cfg_attr(not(test), allow(dead_code))] // The verifier never needs it; tests and the signer do.
    pub(crate) fn to_affine(self) -> Option<Affine<C, L>> {
        let z_inv = self.z.invert_vartime()?;
        let z_inv2 = z_inv.square();
        Some(Affine {
            x: self.x.mul(&z_inv2),
            y: self.y.mul(&z_inv2).mul(&z_inv),
        })
    }

    /// `2·P`.
    pub(crate) fn double(&self) -> Self {
        if self.is_identity() {
            return *self;
        }
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        if Derived::<C, L>::A_IS_MINUS_3 {
            // dbl-2001-b: 3M + 5S.
            let delta = z1.square();
            let gamma = y1.square();
            let beta = x1.mul(&gamma);
            let t = x1.sub(&delta).mul(&x1.add(&delta));
            let alpha = t.double().add(&t);
            let beta4 = beta.double().double();
            let x3 = alpha.square().sub(&beta4.double());
            let z3 = y1.add(z1).square().sub(&gamma).sub(&delta);
            let gamma2_8 = gamma.square().double().double().double();
            let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
            Self {
                x: x3,
                y: y3,
                z: z3,
            }
        } else {
            // dbl-2007-bl: 1M + 8S + 1·a.
            let xx = x1.square();
            let yy = y1.square();
            let yyyy = yy.square();
            let zz = z1.square();
            let s = x1.add(&yy).square().sub(&xx).sub(&yyyy).double();
            let m = xx
                .double()
                .add(&xx)
                .add(&Derived::<C, L>::A.mul(&zz.square()));
            let t = m.square().sub(&s.double());
            let y3 = m.mul(&s.sub(&t)).sub(&yyyy.double().double().double());
            let z3 = y1.add(z1).square().sub(&yy).sub(&zz);
            Self { x: t, y: y3, z: z3 }
        }
    }

    /// `P + Q` for an affine `Q` (madd-2007-bl: 7M + 4S).
    pub(crate) fn add_affine(&self, q: &Affine<C, L>) -> Self {
        if self.is_identity() {
            return (*q).into();
        }
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let z1z1 = z1.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&z1.mul(&z1z1));
        let h = u2.sub(x1);
        let r = s2.sub(y1).double();
        if h.is_zero() {
            // Same x: either the same point (double) or opposite points (infinity).
            return if r.is_zero() {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = x1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&y1.mul(&j).double());
        let z3 = z1.add(&h).square().sub(&z1z1).sub(&hh);
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `P - Q` for an affine `Q`.
    fn sub_affine(&self, q: &Affine<C, L>) -> Self {
        self.add_affine(&q.neg())
    }

    /// `P + Q` (add-2007-bl: 11M + 5S).
    pub(crate) fn add(&self, q: &Self) -> Self {
        if self.is_identity() {
            return *q;
        }
        if q.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double());
        let z3 = self.z.add(&q.z).square().sub(&z1z1).sub(&z2z2).mul(&h);
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}

/// The most bits of a scalar (the 512-bit curve); the digit buffers are sized for it.
const MAX_BITS: usize = 512;
/// wNAF positions of a scalar below `2^MAX_BITS`: one more for the final carry.
const MAX_DIGITS: usize = MAX_BITS + 1;

/// Bits `pos .. pos + count` of `words` (bits past the top read as 0), `count < Word::BITS`.
fn bits_at(words: &[Word], pos: usize, count: u32) -> u32 {
    let bits = Word::BITS as usize;
    let (index, shift) = (pos / bits, pos % bits);
    let mut value = words.get(index).map_or(0, |w| w >> shift);
    if shift + count as usize > bits {
        // shift > 0 here, since count < Word::BITS.
        value |= words.get(index + 1).map_or(0, |w| w << (bits - shift));
    }
    (value as u32) & ((1 << count) - 1)
}

/// The width-`w` non-adjacent form of a scalar: digits `d_i`, each zero or odd with
/// `|d_i| < 2^(w-1)`, `k = Σ d_i·2^i`, at least `w - 1` zeros after each non-zero digit.
/// On the stack: no allocation per signature.
pub(crate) struct Wnaf {
    digits: [i16; MAX_DIGITS],
    /// One past the last non-zero digit (0 for `k = 0`).
    len: usize,
}

impl Wnaf {
    /// The digits of `k` (`w` in `2..=15`).
    pub(crate) fn new<const L: usize>(k: &Uint<L>, w: u32) -> Self {
        const { assert!(Uint::<L>::BITS as usize <= MAX_BITS) };
        let width = 1i32 << w;
        let words = k.as_words();
        let mut digits = [0i16; MAX_DIGITS];
        let mut len = 0;
        let mut pos = 0;
        let mut carry = 0i32;
        // A final carry lands at most at position BITS.
        while pos <= Uint::<L>::BITS as usize {
            let window = carry + bits_at(words, pos, w) as i32;
            if window & 1 == 0 {
                pos += 1;
                continue;
            }
            let digit = if window < width / 2 {
                carry = 0;
                window
            } else {
                carry = 1;
                window - width
            };
            if let Some(slot) = digits.get_mut(pos) {
                *slot = digit as i16;
                len = pos + 1;
            }
            pos += w as usize;
        }
        Self { digits, len }
    }

    fn get(&self, i: usize) -> i16 {
        self.digits.get(i).copied().unwrap_or(0)
    }

    /// The digits up to the last non-zero one.
    #[cfg(test)]
    pub(crate) fn digits(&self) -> &[i16] {
        self.digits.get(..self.len).unwrap_or_default()
    }
}

/// One term `k·P` of an interleaved multiplication: the digits of `k`, and the odd multiples
/// `table[j·per_slice + i] = (2i + 1)·2^(K·j)·P` for each slice `j` of `K` bits.
struct Term<'a, C: Curve<L>, const L: usize> {
    digits: &'a Wnaf,
    table: &'a [Affine<C, L>],
    per_slice: usize,
}

impl<C: Curve<L>, const L: usize> Term<'_, C, L> {
    fn slices(&self) -> usize {
        (self.table.len() / self.per_slice).max(1)
    }

    /// The chain positions the term needs with slices of `slice_bits`: each slice but the
    /// last covers `slice_bits` digits, the last also the carry past the top.
    fn chain_len(&self, slice_bits: usize) -> usize {
        let before_last = (self.slices() - 1) * slice_bits;
        if self.slices() == 1 {
            self.digits.len
        } else {
            slice_bits.max(self.digits.len.saturating_sub(before_last))
        }
    }

    /// Adds the digits at chain position `r` to `acc`.
    fn add_at(&self, mut acc: Jacobian<C, L>, r: usize, slice_bits: usize) -> Jacobian<C, L> {
        let slices = self.slices();
        for j in 0..slices {
            if j + 1 < slices && r >= slice_bits {
                continue;
            }
            let digit = self.digits.get(j * slice_bits + r);
            if digit == 0 {
                continue;
            }
            let index = j * self.per_slice + (digit.unsigned_abs() as usize) / 2;
            if let Some(point) = self.table.get(index) {
                acc = if digit > 0 {
                    acc.add_affine(point)
                } else {
                    acc.sub_affine(point)
                };
            }
        }
        acc
    }
}

/// `Σ k_t·P_t` over the terms, by one chain of doublings (Straus' interleaving).
fn interleaved<C: Curve<L>, const L: usize>(
    terms: &[Term<'_, C, L>],
    slice_bits: usize,
) -> Jacobian<C, L> {
    let chain = terms
        .iter()
        .map(|t| t.chain_len(slice_bits))
        .max()
        .unwrap_or(0);
    let mut acc = Jacobian::IDENTITY;
    for r in (0..chain).rev() {
        acc = acc.double();
        for term in terms {
            acc = term.add_at(acc, r, slice_bits);
        }
    }
    acc
}

/// Converts Jacobian points to affine with one inversion (`out[i]` from `points[i]`,
/// `scratch` as long); `false` if any is infinity.
fn normalize<C: Curve<L>, const L: usize>(
    points: &[Jacobian<C, L>],
    out: &mut [Affine<C, L>],
    z_inverses: &mut [Fe<C, L>],
    scratch: &mut [Fe<C, L>],
) -> bool {
    for (z, p) in z_inverses.iter_mut().zip(points) {
        *z = p.z;
    }
    if !batch_invert(z_inverses, scratch) {
        return false;
    }
    for ((affine, p), z_inv) in out.iter_mut().zip(points).zip(z_inverses.iter()) {
        let z_inv2 = z_inv.square();
        *affine = Affine {
            x: p.x.mul(&z_inv2),
            y: p.y.mul(&z_inv2).mul(z_inv),
        };
    }
    true
}

/// `odd[i] = (2i + 1)·P` in Jacobian coordinates.
fn odd_multiples_into<C: Curve<L>, const L: usize>(p: Jacobian<C, L>, odd: &mut [Jacobian<C, L>]) {
    let twice = p.double();
    let mut current = p;
    for slot in odd.iter_mut() {
        *slot = current;
        current = current.add(&twice);
    }
}

/// Odd multiples for the wNAF of width `w` of each of `slices` slices of `slice_bits` bits:
/// entry `j·2^(w-2) + i` is `(2i + 1)·2^(slice_bits·j)·P`, affine. `None` only if some multiple
/// is infinity, impossible for a point of prime order `q > 2^(w-1)`.
fn sliced_table<C: Curve<L>, const L: usize>(
    p: &Affine<C, L>,
    w: u32,
    slices: usize,
    slice_bits: usize,
) -> Option<Vec<Affine<C, L>>> {
    let per_slice = 1usize << (w - 2);
    let count = per_slice * slices;
    let mut jacobian = vec![Jacobian::IDENTITY; count];
    let mut base = Jacobian::from(*p);
    for chunk in jacobian.chunks_mut(per_slice) {
        odd_multiples_into(base, chunk);
        base = (0..slice_bits).fold(base, |b, _| b.double());
    }
    let mut affine = vec![*p; count];
    let mut z = vec![Fe::<C, L>::ZERO; count];
    let mut scratch = vec![Fe::<C, L>::ZERO; count];
    normalize(&jacobian, &mut affine, &mut z, &mut scratch).then_some(affine)
}

/// Window width of the wNAF of the per-signature point `Q`: 8 odd multiples, made each time.
const VAR_WINDOW: u32 = 5;
/// Odd multiples of `Q` for [`VAR_WINDOW`].
const VAR_TABLE: usize = 1 << (VAR_WINDOW - 2);
/// Window width of the wNAF of `G`: 128 odd multiples per slice, made once per curve.
const BASE_WINDOW: u32 = 9;
/// Window width of a [`PreparedPoint`]'s wNAF.
const PREPARED_WINDOW: u32 = 5;
/// The slices of the tables with multiples of `2^(K·j)·P` (base table, prepared points).
const SLICES: usize = 4;

/// The number of bits per slice for the curve's scalars (128 for 512-bit curves).
const fn slice_bits<const L: usize>() -> usize {
    (Uint::<L>::BITS as usize).div_ceil(SLICES)
}

/// A [`Curve`] with its [`BaseTable`], built on first use and then shared.
///
/// The table is a `static` of each curve type (Rust has no generic statics), so the curve's
/// declaration provides it (`gost_curve!` implements this trait beside [`Curve`]); a trait of
/// its own so that [`Curve`] needs nothing from this file.
pub(crate) trait FixedBase<const L: usize>: Curve<L> {
    /// The precomputed multiples of `G` for the fixed-base multiplication, built once on first
    /// use.
    fn base_table() -> &'static BaseTable<Self, L>;
}

/// Precomputed odd multiples of `G` for a width-[`BASE_WINDOW`] wNAF, for each of the
/// [`SLICES`] slices: `(2i + 1)·2^(K·j)·G`. For tc26-512-paramSetA:
/// 4 × 128 points × 128 bytes = 64 KiB.
pub(crate) struct BaseTable<C: Curve<L>, const L: usize> {
    points: Vec<Affine<C, L>>,
}

impl<C: Curve<L>, const L: usize> BaseTable<C, L> {
    const PER_SLICE: usize = 1 << (BASE_WINDOW - 2);

    /// Builds the table (about a millisecond; done once per curve by
    /// [`FixedBase::base_table`]).
    pub(crate) fn new() -> Self {
        // No entry is infinity: each is j·2^k·G with 0 < j < q and q an odd prime.
        let points = sliced_table(&Affine::generator(), BASE_WINDOW, SLICES, slice_bits::<L>())
            .unwrap_or_default();
        Self { points }
    }

    /// The term for a scalar whose digits run over the whole chain (slice 0 only).
    fn whole<'a>(&'a self, digits: &'a Wnaf) -> Term<'a, C, L> {
        Term {
            digits,
            table: self.points.get(..Self::PER_SLICE).unwrap_or_default(),
            per_slice: Self::PER_SLICE,
        }
    }

    /// The term for a scalar cut into [`SLICES`] slices.
    fn sliced<'a>(&'a self, digits: &'a Wnaf) -> Term<'a, C, L> {
        Term {
            digits,
            table: &self.points,
            per_slice: Self::PER_SLICE,
        }
    }
}

/// A public key with its multiples precomputed, for verifying many signatures of one key:
/// odd multiples of `2^(K·j)·Q` for the [`SLICES`] slices, so that a verification needs a
/// quarter of the doublings (about 4 KiB for the 512-bit curve).
#[derive(Debug, Clone)]
pub(crate) struct PreparedPoint<C: Curve<L>, const L: usize> {
    point: Affine<C, L>,
    table: Vec<Affine<C, L>>,
}

impl<C: FixedBase<L>, const L: usize> PreparedPoint<C, L> {
    const PER_SLICE: usize = 1 << (PREPARED_WINDOW - 2);

    /// The tables of a point of order `q` (a checked public key).
    pub(crate) fn new(point: &Affine<C, L>) -> Self {
        let table =
            sliced_table(point, PREPARED_WINDOW, SLICES, slice_bits::<L>()).unwrap_or_default();
        Self {
            point: *point,
            table,
        }
    }

    /// `a·G + b·Q`.
    pub(crate) fn double_mul(&self, a: &Uint<L>, b: &Uint<L>) -> Jacobian<C, L> {
        if self.table.is_empty() {
            // Not reached for a point of order q; kept correct all the same.
            return double_mul(a, &self.point, b);
        }
        let (da, db) = (Wnaf::new(a, BASE_WINDOW), Wnaf::new(b, PREPARED_WINDOW));
        let terms = [
            C::base_table().sliced(&da),
            Term {
                digits: &db,
                table: &self.table,
                per_slice: Self::PER_SLICE,
            },
        ];
        interleaved(&terms, slice_bits::<L>())
    }
}

/// `k·G` (`k` any integer below `2^BITS`).
#[cfg_attr(not(test), allow(dead_code))] // The test signer and the KATs use it.
pub(crate) fn mul_base<C: FixedBase<L>, const L: usize>(k: &Uint<L>) -> Jacobian<C, L> {
    let digits = Wnaf::new(k, BASE_WINDOW);
    interleaved(&[C::base_table().sliced(&digits)], slice_bits::<L>())
}

/// `k·P` by wNAF, without the base table.
#[cfg_attr(not(test), allow(dead_code))] // The KATs use it.
pub(crate) fn mul_var<C: FixedBase<L>, const L: usize>(
    p: &Affine<C, L>,
    k: &Uint<L>,
) -> Jacobian<C, L> {
    double_mul_inner(p, k, None)
}

/// `a·G + b·P`: the multiplication of signature verification.
pub(crate) fn double_mul<C: FixedBase<L>, const L: usize>(
    a: &Uint<L>,
    p: &Affine<C, L>,
    b: &Uint<L>,
) -> Jacobian<C, L> {
    double_mul_inner(p, b, Some(a))
}

fn double_mul_inner<C: FixedBase<L>, const L: usize>(
    p: &Affine<C, L>,
    b: &Uint<L>,
    base_scalar: Option<&Uint<L>>,
) -> Jacobian<C, L> {
    // [P, 3P, ..., 15P], affine, on the stack.
    let mut jacobian = [Jacobian::IDENTITY; VAR_TABLE];
    odd_multiples_into((*p).into(), &mut jacobian);
    let mut table = [*p; VAR_TABLE];
    let mut z = [Fe::<C, L>::ZERO; VAR_TABLE];
    let mut scratch = [Fe::<C, L>::ZERO; VAR_TABLE];
    // Infinity among them is impossible for a point of order q > 15; then P's term is empty.
    let table: &[Affine<C, L>] = if normalize(&jacobian, &mut table, &mut z, &mut scratch) {
        &table
    } else {
        &[]
    };
    let db = Wnaf::new(b, VAR_WINDOW);
    let var = Term {
        digits: &db,
        table,
        per_slice: VAR_TABLE,
    };
    // Whole scalars: the chain has a doubling per bit anyway for P, so G's digits use the
    // first slice of its table.
    let slice = Uint::<L>::BITS as usize + 1;
    match base_scalar {
        Some(a) => {
            let da = Wnaf::new(a, BASE_WINDOW);
            interleaved(&[C::base_table().whole(&da), var], slice)
        }
        None => interleaved(&[var], slice),
    }
}
