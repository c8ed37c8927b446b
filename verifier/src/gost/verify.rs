//! The GOST R 34.10 verification equation, generic over the curve, with NCA's byte
//! conventions.

use crypto_bigint::Uint;

use super::GostError;
use super::curve::{Curve, Derived, Fe, Scalar};
use super::field::{is_zero, lt, reduce, uint_from_le};
use super::point::{Affine, FixedBase, Jacobian, PreparedPoint, double_mul};

/// Parses a public key: the contents of the SubjectPublicKeyInfo's `subjectPublicKey` BIT STRING
/// (after its unused-bits octet), which for NCA is the DER `OCTET STRING` holding
/// `X_le || Y_le`. The point must have both coordinates below `p` and lie on the curve (the
/// affine encoding cannot express the point at infinity; the curves have cofactor 1, so every
/// such point has order `q`).
pub(crate) fn parse_public_key<C: Curve<L>, const L: usize>(
    encoded: &[u8],
) -> Result<Affine<C, L>, GostError> {
    let bytes = Derived::<C, L>::BYTES;
    let content_len = 2 * bytes;
    let rest = match (encoded, u8::try_from(content_len)) {
        // Short form: 64 bytes for a 256-bit curve.
        ([0x04, len, rest @ ..], Ok(n)) if n < 0x80 && *len == n => rest,
        // One-octet long form: 128 bytes for a 512-bit curve.
        ([0x04, 0x81, len, rest @ ..], Ok(n)) if n >= 0x80 && *len == n => rest,
        _ => return Err(GostError::InvalidPublicKey),
    };
    if rest.len() != content_len {
        return Err(GostError::InvalidPublicKey);
    }
    let (x, y) = rest.split_at(bytes);
    let x = uint_from_le::<L>(x).ok_or(GostError::InvalidPublicKey)?;
    let y = uint_from_le::<L>(y).ok_or(GostError::InvalidPublicKey)?;
    point_from_coordinates(&x, &y)
}

/// The point `(x, y)`, checked: coordinates below `p`, on the curve.
pub(crate) fn point_from_coordinates<C: Curve<L>, const L: usize>(
    x: &Uint<L>,
    y: &Uint<L>,
) -> Result<Affine<C, L>, GostError> {
    let p = Derived::<C, L>::P;
    if !lt(x, &p) || !lt(y, &p) {
        return Err(GostError::InvalidPublicKey);
    }
    let point = Affine {
        x: Fe::<C, L>::new(x),
        y: Fe::<C, L>::new(y),
    };
    if !point.is_on_curve() {
        return Err(GostError::InvalidPublicKey);
    }
    Ok(point)
}

/// Splits `r_le || s_le` and checks `0 < r, s < q`.
pub(crate) fn parse_signature<C: Curve<L>, const L: usize>(
    signature: &[u8],
) -> Result<(Uint<L>, Uint<L>), GostError> {
    let bytes = Derived::<C, L>::BYTES;
    if signature.len() != 2 * bytes {
        return Err(GostError::MalformedSignature);
    }
    let (r, s) = signature.split_at(bytes);
    let r = uint_from_le::<L>(r).ok_or(GostError::MalformedSignature)?;
    let s = uint_from_le::<L>(s).ok_or(GostError::MalformedSignature)?;
    let q = Derived::<C, L>::Q;
    if is_zero(&r) || is_zero(&s) || !lt(&r, &q) || !lt(&s, &q) {
        return Err(GostError::MalformedSignature);
    }
    Ok((r, s))
}

/// `e`: the digest read as a little-endian integer, reduced mod `q`, 0 replaced by 1.
pub(crate) fn digest_to_e<C: Curve<L>, const L: usize>(
    digest: &[u8],
) -> Result<Uint<L>, GostError> {
    let alpha = uint_from_le::<L>(digest).ok_or(GostError::InvalidDigestLength)?;
    let e = reduce::<C::Q, L>(&alpha);
    Ok(if is_zero(&e) { Uint::ONE } else { e })
}

/// Verifies `signature` (`r_le || s_le`) over `digest` with the public key `q_point`:
/// `v = e⁻¹`, `z1 = s·v`, `z2 = -r·v (mod q)`, `C = z1·G + z2·Q`, accept iff `x_C mod q = r`.
pub(crate) fn verify_digest<C: FixedBase<L>, const L: usize>(
    q_point: &Affine<C, L>,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), GostError> {
    verify_digest_with(digest, signature, |z1, z2| double_mul(z1, q_point, z2))
}

/// [`verify_digest`] with the public key's precomputed multiples.
pub(crate) fn verify_digest_prepared<C: FixedBase<L>, const L: usize>(
    key: &PreparedPoint<C, L>,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), GostError> {
    verify_digest_with(digest, signature, |z1, z2| key.double_mul(z1, z2))
}

/// The verification equation, with `z1·G + z2·Q` computed by `double_mul(z1, z2)`.
fn verify_digest_with<C: FixedBase<L>, const L: usize>(
    digest: &[u8],
    signature: &[u8],
    double_mul: impl FnOnce(&Uint<L>, &Uint<L>) -> Jacobian<C, L>,
) -> Result<(), GostError> {
    let e = digest_to_e::<C, L>(digest)?;
    let (r, s) = parse_signature::<C, L>(signature)?;

    let e = Scalar::<C, L>::new(&e);
    // e is in 1..q and q is prime: the inverse exists.
    let v = e
        .invert_vartime()
        .into_option()
        .ok_or(GostError::BadSignature)?;
    let r_scalar = Scalar::<C, L>::new(&r);
    let z1 = Scalar::<C, L>::new(&s).mul(&v).retrieve();
    let z2 = r_scalar.mul(&v).neg().retrieve();

    let c = double_mul(&z1, &z2);
    if c.is_identity() {
        return Err(GostError::BadSignature);
    }
    // x_C = X/Z². Instead of inverting Z, compare X with t·Z² for every t < p with
    // t = r (mod q): r, r + q, r + 2q, ... (at most two candidates on the NCA curves).
    let z2_field = c.z.square();
    let p = Derived::<C, L>::P;
    let q = Derived::<C, L>::Q;
    let mut candidate = r;
    while lt(&candidate, &p) {
        if c.x == Fe::<C, L>::new(&candidate).mul(&z2_field) {
            return Ok(());
        }
        let (next, carry) = candidate.carrying_add(&q, crypto_bigint::Limb::ZERO);
        if carry != crypto_bigint::Limb::ZERO {
            break;
        }
        candidate = next;
    }
    Err(GostError::BadSignature)
}
