//! The curve parameters of the two NCA GOST algorithms, in one place.
//!
//! Every constant is big-endian hex, as the standards print them (the *encodings* on the wire
//! are little-endian, see the module documentation). Where each comes from:
//!
//! - **id-tc26-gost-3410-12-512-paramSetA** (OID 1.2.643.7.1.2.1.2.1; NCA's parameter set
//!   1.2.398.3.10.1.1.2.2.1): the TC 26 recommendations on elliptic-curve parameters for
//!   GOST R 34.10-2012 (published by TC 26 in 2013, now R 1323565.1.024-2019), the set RFC 7836
//!   builds on (RFC 7836 §A adds paramSetC beside it); `p = 2^512 - 569`, `a = -3`, cofactor 1.
//! - **id-GostR3410-2001-CryptoPro-A-ParamSet** (OID 1.2.643.2.2.35.1; NCA's 2004 parameter
//!   set 1.2.398.3.10.1.1.1.1.1): RFC 4357 §11.4; the same curve is TC 26's
//!   id-tc26-gost-3410-12-256-paramSetB. `p = 2^256 - 617`, `a = -3`, `b = 166`, cofactor 1.
//!
//! The tests check each set independently of these sources: `G` is on the curve, `q·G` is
//! infinity, the RFC 8133 (SESPAKE) test multiples of `G` come out right, and every real NCA
//! signature in the fixtures verifies (a single wrong digit anywhere would fail them all).

use crypto_bigint::{U256, U512};

/// Declares a curve type implementing [`Curve`](super::curve::Curve) from big-endian hex
/// constants, each exactly `2 * BYTES` hex digits long (the compiler rejects any other
/// length), and [`FixedBase`](super::point::FixedBase) with a `static` table of its own.
///
/// Here, beside the curves it declares, rather than in `curve.rs`: it implements traits of
/// both `curve.rs` and `point.rs`, and `curve.rs` uses no other file of `gost`.
macro_rules! gost_curve {
    (
        $(#[$doc:meta])*
        $vis:vis struct $name:ident: $uint:ty {
            name: $display:literal,
            p: $p:literal,
            a: $a:literal,
            b: $b:literal,
            q: $q:literal,
            x: $x:literal,
            y: $y:literal $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        $vis struct $name;

        const _: () = {
            crypto_bigint::const_monty_params!(FieldModulus, $uint, $p);
            crypto_bigint::const_monty_params!(OrderModulus, $uint, $q);

            impl $crate::gost::curve::Curve<{ <$uint>::LIMBS }> for $name {
                type P = FieldModulus;
                type Q = OrderModulus;
                const NAME: &'static str = $display;
                const A: $uint = <$uint>::from_be_hex($a);
                const B: $uint = <$uint>::from_be_hex($b);
                const GX: $uint = <$uint>::from_be_hex($x);
                const GY: $uint = <$uint>::from_be_hex($y);
            }

            impl $crate::gost::point::FixedBase<{ <$uint>::LIMBS }> for $name {
                fn base_table() -> &'static $crate::gost::point::BaseTable<Self, { <$uint>::LIMBS }> {
                    static TABLE: std::sync::OnceLock<
                        $crate::gost::point::BaseTable<$name, { <$uint>::LIMBS }>,
                    > = std::sync::OnceLock::new();
                    TABLE.get_or_init($crate::gost::point::BaseTable::new)
                }
            }
        };
    };
}

#[cfg(test)] // Tests declare curves of their own.
pub(crate) use gost_curve;

gost_curve! {
    /// id-tc26-gost-3410-12-512-paramSetA: the curve of NCA's GOST 34.10-2015 512-bit keys.
    pub(crate) struct Tc26Gost512A: U512 {
        name: "id-tc26-gost-3410-12-512-paramSetA",
        // p = 2^512 - 569 (TC 26 paramSetA "p").
        p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
        // a = p - 3 (TC 26 paramSetA "a").
        a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
        // b (TC 26 paramSetA "b").
        b: "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
        // q, the prime order of G (TC 26 paramSetA "q"; cofactor 1).
        q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
        // G = (3, y) (TC 26 paramSetA "x", "y").
        x: "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003",
        y: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
    }
}

gost_curve! {
    /// id-GostR3410-2001-CryptoPro-A-ParamSet: the curve of NCA's GOST 34.310-2004 keys.
    pub(crate) struct CryptoProA: U256 {
        name: "id-GostR3410-2001-CryptoPro-A-ParamSet",
        // p = 2^256 - 617 (RFC 4357 §11.4, "p").
        p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
        // a = p - 3 (RFC 4357 §11.4, "a").
        a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
        // b = 166 (RFC 4357 §11.4, "b").
        b: "00000000000000000000000000000000000000000000000000000000000000A6",
        // q, the prime order of G (RFC 4357 §11.4, "q"; cofactor 1).
        q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
        // G = (1, y) (RFC 4357 §11.4, "x", "y").
        x: "0000000000000000000000000000000000000000000000000000000000000001",
        y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
    }
}
