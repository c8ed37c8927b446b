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
//!   explicitly, in variable time: verification only sees public data.
//! - `z1·G` uses a table of signed 6-bit windows of `G` built once per curve ([`BaseTable`]):
//!   no doublings, one mixed addition per window. `z2·Q` uses a width-5 wNAF with the odd
//!   multiples of `Q` made affine by one batch inversion. Both sums land in one accumulator.

use crypto_bigint::Uint;

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
        self.z == Fe::<C, L>::ZERO
    }

    /// The affine point, or `None` for the point at infinity (one field inversion).
    #[cfg_attr(not(test), allow(dead_code))] // The verifier never needs it; tests and the signer do.
    pub(crate) fn to_affine(self) -> Option<Affine<C, L>> {
        let z_inv = self.z.invert_vartime().into_option()?;
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
        let s2 = q.y.mul(z1).mul(&z1z1);
        let h = u2.sub(x1);
        let r = s2.sub(y1).double();
        if h == Fe::<C, L>::ZERO {
            // Same x: either the same point (double) or opposite points (infinity).
            return if r == Fe::<C, L>::ZERO {
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
        if h == Fe::<C, L>::ZERO {
            return if r == Fe::<C, L>::ZERO {
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

    /// Adds `digit · P` where `table[k] = (2k + 1)·P` (a wNAF digit, odd or zero).
    fn add_wnaf_digit(&self, table: &[Affine<C, L>], digit: i32) -> Self {
        let index = (digit.unsigned_abs() as usize) / 2;
        match table.get(index) {
            Some(point) if digit > 0 => self.add_affine(point),
            Some(point) if digit < 0 => self.add_affine(&point.neg()),
            _ => *self,
        }
    }
}

/// Bits `pos .. pos + count` of `k` (bits past the top read as 0), `count <= 8`.
fn bits_at<const L: usize>(k: &Uint<L>, pos: u32, count: u32) -> u32 {
    (0..count)
        .filter(|j| {
            let i = pos + j;
            i < Uint::<L>::BITS && k.bit_vartime(i)
        })
        .fold(0, |acc, j| acc | (1 << j))
}

/// The width-`w` non-adjacent form of `k`: digits `d_i`, each zero or odd with
/// `|d_i| < 2^(w-1)`, `k = Σ d_i·2^i`, at least `w - 1` zeros after each non-zero digit.
fn wnaf<const L: usize>(k: &Uint<L>, w: u32) -> Vec<i32> {
    let width = 1i32 << w;
    // A final carry can land up to w positions past the top bit.
    let len = (Uint::<L>::BITS + w + 1) as usize;
    let mut digits = vec![0i32; len];
    let mut pos = 0u32;
    let mut carry = 0i32;
    while (pos as usize) < len {
        let window = carry + bits_at(k, pos, w) as i32;
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
        if let Some(slot) = digits.get_mut(pos as usize) {
            *slot = digit;
        }
        pos += w;
    }
    digits
}

/// Window width of the wNAF for the variable point `Q`.
const VAR_WINDOW: u32 = 5;

/// `[P, 3P, 5P, ..., (2^(w-1) - 1)·P]` as affine points (`None` only if some multiple is
/// infinity, impossible for a point of prime order `q > 2^(w-1)`).
fn odd_multiples<C: Curve<L>, const L: usize>(p: &Affine<C, L>) -> Option<Vec<Affine<C, L>>> {
    let count = 1usize << (VAR_WINDOW - 2);
    let p_jac = Jacobian::from(*p);
    let twice = p_jac.double();
    let mut jacobian = Vec::with_capacity(count);
    let mut current = p_jac;
    for _ in 0..count {
        jacobian.push(current);
        current = current.add(&twice);
    }
    normalize(&jacobian)
}

/// Converts Jacobian points to affine with one inversion; `None` if any is infinity.
fn normalize<C: Curve<L>, const L: usize>(points: &[Jacobian<C, L>]) -> Option<Vec<Affine<C, L>>> {
    let mut z_inverses: Vec<Fe<C, L>> = points.iter().map(|p| p.z).collect();
    if !batch_invert(&mut z_inverses) {
        return None;
    }
    Some(
        points
            .iter()
            .zip(&z_inverses)
            .map(|(p, z_inv)| {
                let z_inv2 = z_inv.square();
                Affine {
                    x: p.x.mul(&z_inv2),
                    y: p.y.mul(&z_inv2).mul(z_inv),
                }
            })
            .collect(),
    )
}

/// Window width of the fixed-base table.
const BASE_WINDOW: u32 = 6;
/// Entries per window: the multiples `1..=2^(BASE_WINDOW-1)` (negatives by negating y).
const BASE_HALF: usize = 1 << (BASE_WINDOW - 1);

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

/// Precomputed multiples of `G`: entry `i·BASE_HALF + (j - 1)` is `j · 2^(BASE_WINDOW·i) · G`,
/// for each of the windows that cover a scalar below `2^(8·BYTES)` with a carry,
/// `j = 1..=BASE_HALF`. For tc26-512-paramSetA: 86 windows × 32 points × 128 bytes = 344 KiB.
pub(crate) struct BaseTable<C: Curve<L>, const L: usize> {
    points: Vec<Affine<C, L>>,
}

impl<C: Curve<L>, const L: usize> BaseTable<C, L> {
    /// The number of windows: enough bits for any scalar below `2^BITS` plus one carry bit.
    const WINDOWS: usize = (Uint::<L>::BITS as usize + 1).div_ceil(BASE_WINDOW as usize);

    /// Builds the table (a few milliseconds; done once per curve by [`FixedBase::base_table`]).
    pub(crate) fn new() -> Self {
        let mut jacobian = Vec::with_capacity(Self::WINDOWS * BASE_HALF);
        let mut window_base = Jacobian::from(Affine::<C, L>::generator());
        for _ in 0..Self::WINDOWS {
            let mut multiple = window_base;
            for _ in 0..BASE_HALF {
                jacobian.push(multiple);
                multiple = multiple.add(&window_base);
            }
            // `multiple` is now (BASE_HALF + 1)·B; the next base is 2^BASE_WINDOW·B.
            window_base = (0..BASE_WINDOW).fold(window_base, |p, _| p.double());
        }
        // No entry is infinity: each is j·2^k·G with 0 < j < q and q an odd prime.
        let points = normalize(&jacobian).unwrap_or_default();
        Self { points }
    }

    /// Adds `k·G` to `acc`, for `k` below `2^BITS`.
    fn add_multiple(&self, mut acc: Jacobian<C, L>, k: &Uint<L>) -> Jacobian<C, L> {
        let mut carry = 0i32;
        for window in 0..Self::WINDOWS {
            let value = bits_at(k, window as u32 * BASE_WINDOW, BASE_WINDOW) as i32 + carry;
            let digit = if value > BASE_HALF as i32 {
                carry = 1;
                value - (1 << BASE_WINDOW)
            } else {
                carry = 0;
                value
            };
            if digit == 0 {
                continue;
            }
            let index = window * BASE_HALF + digit.unsigned_abs() as usize - 1;
            if let Some(point) = self.points.get(index) {
                acc = if digit > 0 {
                    acc.add_affine(point)
                } else {
                    acc.add_affine(&point.neg())
                };
            }
        }
        acc
    }
}

/// `k·G` (`k` any integer below `2^BITS`).
#[cfg_attr(not(test), allow(dead_code))] // The test signer and the KATs use it.
pub(crate) fn mul_base<C: FixedBase<L>, const L: usize>(k: &Uint<L>) -> Jacobian<C, L> {
    C::base_table().add_multiple(Jacobian::IDENTITY, k)
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
    let mut acc = Jacobian::IDENTITY;
    if let Some(table) = odd_multiples(p) {
        for &digit in wnaf(b, VAR_WINDOW).iter().rev() {
            acc = acc.double();
            if digit != 0 {
                acc = acc.add_wnaf_digit(&table, digit);
            }
        }
    }
    match base_scalar {
        Some(a) => C::base_table().add_multiple(acc, a),
        None => acc,
    }
}
