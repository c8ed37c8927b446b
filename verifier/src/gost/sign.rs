//! GOST R 34.10 signing, for tests only (this crate's tests and the `test-util` feature's
//! [`crate::testing::gost`]): the verifier never signs, but tests need signatures made with
//! the real NCA test keys and with random ones.
//!
//! Signing: `C = k·G`, `r = x_C mod q`, `s = (r·d + k·e) mod q`, another `k` while `r` or `s`
//! is 0; the signature is `r_le || s_le` and the public key `OCTET STRING { X_le || Y_le }`,
//! as NCA writes them (see the module documentation of [`crate::gost`]).
//!
//! `k·G` is the verifier's fixed-base multiplication ([`mul_base`], with the curve's table of
//! multiples of `G` built once): a signature costs about one verification. Nothing here is
//! constant time, which is fine for test keys and nothing else.

use crypto_bigint::{U512, Uint};

use super::curve::Scalar;
use super::field::{is_zero, reduce, uint_from_le, uint_to_le};
use super::params::Tc26Gost512A;
use super::point::{FixedBase, mul_base};
use super::verify::digest_to_e;

/// The signature `(r, s)` of the integer `e` with the private key `d` and the nonce `k`, or
/// `None` if `r` or `s` is 0 (the caller picks another `k`).
pub(crate) fn sign_with_k<C: FixedBase<L>, const L: usize>(
    d: &Uint<L>,
    e: &Uint<L>,
    k: &Uint<L>,
) -> Option<(Uint<L>, Uint<L>)> {
    let c = mul_base::<C, L>(k).to_affine()?;
    let r = reduce::<C::Q, L>(&c.coordinates().0);
    if is_zero(&r) {
        return None;
    }
    let s = Scalar::<C, L>::new(&r)
        .mul(&Scalar::<C, L>::new(d))
        .add(&Scalar::<C, L>::new(k).mul(&Scalar::<C, L>::new(e)))
        .retrieve();
    (!is_zero(&s)).then_some((r, s))
}

/// Signs a digest (the hash output as is): `r_le || s_le`. `nonce` gives candidate values of
/// `k` (any integers; reduced mod `q` here), called again until one makes a signature.
pub(crate) fn sign_digest<C: FixedBase<L>, const L: usize>(
    d: &Uint<L>,
    digest: &[u8],
    mut nonce: impl FnMut() -> Uint<L>,
) -> Option<Vec<u8>> {
    let e = digest_to_e::<C, L>(digest).ok()?;
    loop {
        let k = reduce::<C::Q, L>(&nonce());
        if is_zero(&k) {
            continue;
        }
        if let Some((r, s)) = sign_with_k::<C, L>(d, &e, &k) {
            return Some([uint_to_le(&r), uint_to_le(&s)].concat());
        }
    }
}

/// The public key of `d` as a SubjectPublicKeyInfo BIT STRING holds it:
/// `OCTET STRING { X_le || Y_le }`; `None` if `d·G` is infinity (`d` a multiple of `q`).
pub(crate) fn public_key_bytes<C: FixedBase<L>, const L: usize>(d: &Uint<L>) -> Option<Vec<u8>> {
    let (x, y) = mul_base::<C, L>(d).to_affine()?.coordinates();
    let content = [uint_to_le(&x), uint_to_le(&y)].concat();
    let header = match content.len() {
        n @ 0..0x80 => vec![0x04, n as u8],
        n => vec![0x04, 0x81, n as u8],
    };
    Some([header, content].concat())
}

const L512: usize = U512::LIMBS;

/// A GOST 34.10-2015 512 private key (id-tc26-gost-3410-12-512-paramSetA), as NCA's PKCS#12
/// files hold it: 64 bytes, little-endian. The curve type stays private to [`crate::gost`];
/// this is what code outside it signs with.
#[derive(Clone)]
pub(crate) struct Gost2015_512Key {
    d: Uint<L512>,
}

impl core::fmt::Debug for Gost2015_512Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Gost2015_512Key(..)") // a test key, but still not printed
    }
}

impl Gost2015_512Key {
    /// The length of the private key and of a nonce candidate, in bytes.
    pub(crate) const BYTES: usize = 64;

    /// The key of `d_le` (64 bytes, little-endian), `None` unless `0 < d < q`.
    pub(crate) fn from_le(d_le: &[u8]) -> Option<Self> {
        let d = uint_from_le::<L512>(d_le)?;
        let q = super::curve::Derived::<Tc26Gost512A, L512>::Q;
        (!is_zero(&d) && super::field::lt(&d, &q)).then_some(Self { d })
    }

    /// The public key as a certificate's subjectPublicKey BIT STRING holds it (after the
    /// unused-bits octet): `04 81 80 || X_le || Y_le`.
    pub(crate) fn public_key(&self) -> Vec<u8> {
        // 0 < d < q, so d·G is never infinity.
        public_key_bytes::<Tc26Gost512A, L512>(&self.d).unwrap_or_default()
    }

    /// The signature `r_le || s_le` (128 bytes) of a Streebog-512 `digest` (64 bytes, as the
    /// hash outputs it), with nonces `k` read little-endian from the 64-byte blocks `nonce`
    /// writes; `None` if `digest` is not 64 bytes long.
    pub(crate) fn sign_digest(
        &self,
        digest: &[u8],
        mut nonce: impl FnMut(&mut [u8; Self::BYTES]),
    ) -> Option<Vec<u8>> {
        sign_digest::<Tc26Gost512A, L512>(&self.d, digest, || {
            let mut block = [0; Self::BYTES];
            nonce(&mut block);
            Uint::from_le_slice(&block)
        })
    }
}
