//! Known answers and algebraic identities for the curve arithmetic.

use crypto_bigint::{U256, U512, Uint};

use super::hex;
use super::signer::public_key_bytes;
use crate::gost::curve::{Curve, Derived};
use crate::gost::field::{uint_from_le, uint_to_le};
use crate::gost::params::{CryptoProA, Tc26Gost512A, gost_curve};
use crate::gost::point::{Affine, FixedBase, Jacobian, mul_base, mul_var};
use crate::gost::sign::sign_with_k;
use crate::gost::verify::{parse_public_key, point_from_coordinates, verify_digest};

gost_curve! {
    /// id-GostR3410-2001-TestParamSet: the curve of the worked example of GOST R 34.10-2001 and
    /// GOST R 34.10-2012 (RFC 7091 §A.1, RFC 5832 §7). `a = 7`, and `q > p`.
    pub(crate) struct TestCurve256: U256 {
        name: "id-GostR3410-2001-TestParamSet",
        p: "8000000000000000000000000000000000000000000000000000000000000431",
        a: "0000000000000000000000000000000000000000000000000000000000000007",
        b: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
        q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
        x: "0000000000000000000000000000000000000000000000000000000000000002",
        y: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
    }
}

gost_curve! {
    /// id-tc26-gost-3410-12-512-paramSetTest: the 512-bit worked example of GOST R 34.10-2012
    /// (RFC 7091 §A.2). `a = 7`.
    pub(crate) struct TestCurve512: U512 {
        name: "id-tc26-gost-3410-12-512-paramSetTest",
        p: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
        a: "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007",
        b: "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
        q: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
        x: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
        y: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
    }
}

fn be<const L: usize>(hex_text: &str) -> Uint<L> {
    Uint::from_be_hex(hex_text)
}

fn affine<C: Curve<L>, const L: usize>(p: &Jacobian<C, L>) -> (Uint<L>, Uint<L>) {
    p.to_affine().expect("not infinity").coordinates()
}

/// Textbook double-and-add, most significant bit first, for cross-checking.
pub(super) fn naive_mul<C: Curve<L>, const L: usize>(
    p: &Affine<C, L>,
    k: &Uint<L>,
) -> Jacobian<C, L> {
    let mut acc = Jacobian::IDENTITY;
    for i in (0..Uint::<L>::BITS).rev() {
        acc = acc.double();
        if k.bit_vartime(i) {
            acc = acc.add(&(*p).into());
        }
    }
    acc
}

pub(super) fn same_point<C: Curve<L>, const L: usize>(
    a: &Jacobian<C, L>,
    b: &Jacobian<C, L>,
) -> bool {
    match (a.to_affine(), b.to_affine()) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// G on the curve, q·G = infinity, (q - 1)·G = -G, 1·G = G, 2·G = G + G, by every method.
fn group_identities<C: FixedBase<L>, const L: usize>() {
    let g = Affine::<C, L>::generator();
    assert!(g.is_on_curve(), "{}", C::NAME);
    let q = Derived::<C, L>::Q;
    let q_minus_1 = q.wrapping_sub(&Uint::ONE);
    assert!(mul_base::<C, L>(&q).is_identity(), "{}: q·G", C::NAME);
    assert!(mul_var(&g, &q).is_identity(), "{}: q·G (wNAF)", C::NAME);
    assert!(naive_mul(&g, &q).is_identity(), "{}: q·G (naive)", C::NAME);
    assert!(mul_base::<C, L>(&Uint::ZERO).is_identity());
    assert!(mul_var(&g, &Uint::ZERO).is_identity());
    let minus_g = mul_base::<C, L>(&q_minus_1).to_affine().unwrap();
    assert_eq!(minus_g, g.neg(), "{}: (q-1)·G = -G", C::NAME);
    assert_eq!(mul_var(&g, &q_minus_1).to_affine().unwrap(), g.neg());
    assert_eq!(mul_base::<C, L>(&Uint::ONE).to_affine().unwrap(), g);
    let two = Uint::from_u8(2);
    let doubled = Jacobian::from(g).double();
    let added = Jacobian::from(g).add(&Jacobian::from(g));
    let mixed = Jacobian::from(g).add_affine(&g);
    assert!(same_point(&doubled, &added) && same_point(&doubled, &mixed));
    assert!(same_point(&doubled, &mul_base::<C, L>(&two)));
    // P + (-P) = infinity, P + infinity = P.
    assert!(Jacobian::from(g).add_affine(&g.neg()).is_identity());
    assert!(
        Jacobian::from(g)
            .add(&Jacobian::from(g.neg()))
            .is_identity()
    );
    assert!(same_point(
        &Jacobian::from(g).add(&Jacobian::IDENTITY),
        &Jacobian::from(g)
    ));
    assert!(same_point(
        &Jacobian::IDENTITY.add(&Jacobian::from(g)),
        &Jacobian::from(g)
    ));
    assert!(Jacobian::<C, L>::IDENTITY.double().is_identity());
    // A scalar with every bit set, one with alternating bits, a sparse one: the table, the
    // wNAF and double-and-add agree.
    let bytes = Derived::<C, L>::BYTES;
    let ones =
        crate::gost::field::reduce::<C::Q, L>(&uint_from_le::<L>(&[0xffu8; 64][..bytes]).unwrap());
    let alternating =
        crate::gost::field::reduce::<C::Q, L>(&uint_from_le::<L>(&[0xaau8; 64][..bytes]).unwrap());
    let sparse = Uint::<L>::ONE.shl_vartime(Uint::<L>::BITS - 3);
    for k in [ones, alternating, sparse, q_minus_1, Uint::from_u8(3)] {
        let expected = naive_mul(&g, &k);
        assert!(same_point(&mul_base::<C, L>(&k), &expected), "{}", C::NAME);
        assert!(same_point(&mul_var(&g, &k), &expected), "{}", C::NAME);
    }
}

#[test]
fn group_identities_on_every_curve() {
    group_identities::<Tc26Gost512A, { U512::LIMBS }>();
    group_identities::<CryptoProA, { U256::LIMBS }>();
    group_identities::<TestCurve256, { U256::LIMBS }>();
    group_identities::<TestCurve512, { U512::LIMBS }>();
}

// The faster doubling applies to both NCA curves and not to the test curves (a = 7), so the
// tests exercise both formulas. Checked by the compiler.
const _: () = assert!(Derived::<Tc26Gost512A, { U512::LIMBS }>::A_IS_MINUS_3);
const _: () = assert!(Derived::<CryptoProA, { U256::LIMBS }>::A_IS_MINUS_3);
const _: () = assert!(!Derived::<TestCurve256, { U256::LIMBS }>::A_IS_MINUS_3);
const _: () = assert!(!Derived::<TestCurve512, { U512::LIMBS }>::A_IS_MINUS_3);

/// RFC 8133 (SESPAKE) appendix B test examples: multiples of G and of a point Q_ind on the
/// CryptoPro-A curve. The scalar for Q_ind is given as little-endian bytes.
#[test]
fn rfc_8133_multiples_on_cryptopro_a() {
    type C = CryptoProA;
    const L: usize = U256::LIMBS;
    let g = Affine::<C, L>::generator();
    for (k, x, y) in [
        (
            "1F2538097D5A031FA68BBB43C84D12B3DE47B7061C0D5E24993E0C873CDBA6B3",
            "BBC77CF42DC1E62D06227935379B4AA4D14FEA4F565DDF4CB4FA4D31579F9676",
            "8E16604A4AFDF28246684D4996274781F6CB80ABBBA1414C1513EC988509DABF",
        ),
        (
            "DC497D9EF6324912FD367840EE509A2032AEDB1C0A890D133B45F596FCCBD45D",
            "6097341C1BE388E83E7CA2DF47FAB86E2271FD942E5B7B2EB2409E49F742BC29",
            "C81AA48BDB4CA6FA0EF18B9788AE25FE30857AA681B3942217F9FED151BAB7D0",
        ),
    ] {
        let k = be::<L>(k);
        let expected = (be::<L>(x), be::<L>(y));
        assert_eq!(affine(&mul_base::<C, L>(&k)), expected);
        assert_eq!(affine(&mul_var(&g, &k)), expected);
    }
    let q_ind = point_from_coordinates::<C, L>(
        &be("A69D51CAF1A309FA9E9B66187759B0174C274E080356F23CFCBFE84D396AD7BB"),
        &be("5D26F29ECC2E9AC0404DCF7986FA55FE94986362170F54B9616426A659786DAC"),
    )
    .unwrap();
    let k = uint_from_le::<L>(&hex(
        "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F18127067",
    ))
    .unwrap();
    assert_eq!(
        affine(&mul_var(&q_ind, &k)),
        (
            be("59495655D1E7C7424C622485F575CCF121F3122D274101E8AB734CC9C9A9B45E"),
            be("48D1C311D33C9B701F3B03618562A4A07A044E3AF31E3999E67B487778B53C62"),
        )
    );
}

/// RFC 8133 appendix B test examples on id-tc26-gost-3410-12-512-paramSetA.
#[test]
fn rfc_8133_multiples_on_tc26_512_a() {
    type C = Tc26Gost512A;
    const L: usize = U512::LIMBS;
    let g = Affine::<C, L>::generator();
    for (k, x, y) in [
        (
            "3CE54325DB52FE798824AEAD11BB16FA766857D04A4AF7D468672F16D90E7396046A46F815693E85B1CE5464DA9270181F82333B0715057BBE8D61D400505F0E",
            "B93093EB0FCC463239B7DF276E09E592FCFC9B635504EA4531655D76A0A3078E2B4E51CFE2FA400CC5DE9FBE369DB204B3E8ED7EDD85EE5CCA654C1AED70E396",
            "809770B8D910EA30BD2FA89736E91DC31815D2D9B31128077EEDC371E9F69466F497DC64DD5B1FADC587F860EE256109138C4A9CD96B628E65A8F590520FC882",
        ),
        (
            "B5C286A79AA8E97EC0E19BC1959A1D15F12F8C97870BA9D68CC12811A56A3BB11440610825796A49D468CDC9C2D02D76598A27973D5960C5F50BCE28D8D345F4",
            "238B38644E440452A99FA6B93D9FD7DA0CB83C32D3C1E3CFE5DF5C3EB0F9DB91E588DAEDC849EA2FB867AE855A21B4077353C0794716A6480995113D8C20C7AF",
            "B2273D5734C1897F8D15A7008B862938C8C74CA7E877423D95243EB7EBD02FD2C456CF9FC956F078A59AA86F19DD1075E5167E4ED35208718EA93161C530ED14",
        ),
    ] {
        let k = be::<L>(k);
        let expected = (be::<L>(x), be::<L>(y));
        assert_eq!(affine(&mul_base::<C, L>(&k)), expected);
        assert_eq!(affine(&mul_var(&g, &k)), expected);
    }
    let q_ind = point_from_coordinates::<C, L>(
        &be("2A17F8833A32795327478871B5C5E88AEFB91126C64B4B8327289BEA62559425D18198F133F400874328B220C74497CD240586CB249E158532CB8090776CD61C"),
        &be("728F0C4A73B48DA41CE928358FAD26B47A6E094E9362BAE82559F83CDDC4EC3A4676BD3707EDEAF4CD85E99695C64C241EDC622BE87DC0CF87F51F4367F723C5"),
    )
    .unwrap();
    let k = uint_from_le::<L>(&hex(
        "BD04673F7149B18E98155BD1E2724E71D0099AA25174F792D3326C6F181270671C6213E3930EFDDA26451792C6208122EE60D200520D695DFD9F5F0FD5ABA702",
    ))
    .unwrap();
    assert_eq!(
        affine(&mul_var(&q_ind, &k)),
        (
            be(
                "0C0AB53D0E0A9C607CAD758F558915A0A7DC5DC87B45E9A58FDDF30EC3385960283E030CD322D9E46B070637785FD49D2CD711F46807A24C40AF9A42C8E2D740"
            ),
            be(
                "DF93A8012B86D3A3D4F8A4D487DA15FC739EB31B20B3B0E8C8C032AAF8072C6337CF7D5B404719E5B4407C41D9A3216A08CA69C271484E9ED72B8AAA52E28B8B"
            ),
        )
    );
}

/// The worked example of a standard: key pair, signature with a given k, and its verification.
struct WorkedExample {
    d: &'static str,
    qx: &'static str,
    qy: &'static str,
    e: &'static str,
    k: &'static str,
    r: &'static str,
    s: &'static str,
}

fn worked_example<C: FixedBase<L>, const L: usize>(ex: &WorkedExample) {
    let d = be::<L>(ex.d);
    let q_point = mul_base::<C, L>(&d).to_affine().unwrap();
    assert_eq!(q_point.coordinates(), (be(ex.qx), be(ex.qy)), "{}", C::NAME);
    let (e, k) = (be::<L>(ex.e), be::<L>(ex.k));
    let (r, s) = sign_with_k::<C, L>(&d, &e, &k).unwrap();
    assert_eq!((r, s), (be(ex.r), be(ex.s)), "{}", C::NAME);

    // Verify through the byte-level path: e as little-endian digest bytes, r_le || s_le.
    let digest = uint_to_le(&e);
    let signature = [uint_to_le(&r), uint_to_le(&s)].concat();
    let key = parse_public_key::<C, L>(&public_key_bytes::<C, L>(&d)).unwrap();
    assert_eq!(key, q_point);
    verify_digest(&key, &digest, &signature).unwrap();
    let mut wrong = digest.clone();
    wrong[0] ^= 1;
    assert!(verify_digest(&key, &wrong, &signature).is_err());
}

/// GOST R 34.10-2012 appendix A.1 (= RFC 7091 §A.1, the same as GOST R 34.10-2001's example,
/// RFC 5832 §7): 256-bit test curve, e given directly.
#[test]
fn gost_34_10_2012_example_1() {
    worked_example::<TestCurve256, { U256::LIMBS }>(&WorkedExample {
        d: "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
        qx: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
        qy: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
        e: "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
        k: "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
        r: "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
        s: "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
    });
}

/// GOST R 34.10-2012 appendix A.2 (= RFC 7091 §A.2): 512-bit test curve.
#[test]
fn gost_34_10_2012_example_2() {
    worked_example::<TestCurve512, { U512::LIMBS }>(&WorkedExample {
        d: "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
        qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
        qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
        e: "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
        k: "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
        r: "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
        s: "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
    });
}

#[test]
fn base_table_is_built_once_and_shared() {
    let a = Tc26Gost512A::base_table() as *const _;
    let b = Tc26Gost512A::base_table() as *const _;
    assert_eq!(a, b);
}
