//! GOST signature verification rate on real NCA signatures: GOST 34.10-2015 512-bit (the
//! current NCA default) and GOST 34.310-2004, each as a whole `verify` (hash of the signed
//! attributes + the curve equation), as `verify_digest` (the curve equation alone) and as
//! `PreparedKey::verify_digest` (the same with the key's multiples precomputed); beside them, in
//! the same run, ring's ECDSA P-256/SHA-256 verification as a reference. Criterion
//! reports each as elements (verifications) per second on one core.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qoima_verifier::ber::Tlv;
use qoima_verifier::gost::{self, GostAlgorithm};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};

/// Kalkan-made CAdES-T CMS of 2026 (GOST 2015-512) and the 2018 example (GOST 2004).
const CMS_2015: &[u8] =
    include_bytes!("../verifier/testdata/skarm_kalkan/cms/individual_attached.der");
const CMS_2004: &[u8] =
    include_bytes!("../verifier/testdata/skarm_kalkan/examples/test_CMS_GOST.txt");

/// One real signature: what `gost::verify` takes.
struct Case {
    algorithm: GostAlgorithm,
    public_key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// The `subjectPublicKey` BIT STRING contents of a DER certificate: Certificate → tbs →
/// the first SEQUENCE whose first child is the AlgorithmIdentifier of a GOST key.
fn public_key_of(cert: &[u8]) -> Vec<u8> {
    let cert = Tlv::parse_single(cert).unwrap();
    let tbs = cert.children().next_tlv().unwrap().unwrap();
    let mut fields = tbs.children();
    while let Some(field) = fields.next_tlv().unwrap() {
        let mut parts = field.children();
        let (Ok(Some(alg)), Ok(Some(bits))) = (parts.next_tlv(), parts.next_tlv()) else {
            continue;
        };
        let Ok(Some(oid)) = alg.children().next_tlv() else {
            continue;
        };
        let is_gost_key = qoima_verifier::oid::Oid::from_content(oid.content())
            .and_then(GostAlgorithm::from_public_key_oid)
            .is_some();
        if is_gost_key && bits.content().first() == Some(&0) {
            return bits.content()[1..].to_vec();
        }
    }
    panic!("no GOST public key in the certificate");
}

fn case(cms: &[u8]) -> Case {
    let decoded = qoima_verifier::decode_cms(cms).unwrap();
    let sd = qoima_verifier::parse_signed_data(&decoded.bytes).unwrap();
    let si = &sd.signer_infos[0];
    let cert = sd.x509_certificates().next().unwrap();
    let case = Case {
        algorithm: GostAlgorithm::from_signature_oid(si.signature_algorithm.algorithm).unwrap(),
        public_key: public_key_of(cert),
        message: si.signed_attrs.as_ref().unwrap().bytes_to_verify(),
        signature: si.signature.to_vec(),
    };
    gost::verify(
        case.algorithm,
        &case.public_key,
        &case.message,
        &case.signature,
    )
    .unwrap();
    case
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));

    for (name, case) in [
        ("gost2015-512", case(CMS_2015)),
        ("gost2004", case(CMS_2004)),
    ] {
        let digest = case.algorithm.digest_algorithm().digest(&case.message);
        group.bench_function(format!("{name}/message"), |b| {
            b.iter(|| {
                gost::verify(
                    case.algorithm,
                    black_box(&case.public_key),
                    black_box(&case.message),
                    black_box(&case.signature),
                )
                .unwrap()
            })
        });
        group.bench_function(format!("{name}/digest"), |b| {
            b.iter(|| {
                gost::verify_digest(
                    case.algorithm,
                    black_box(&case.public_key),
                    black_box(&digest),
                    black_box(&case.signature),
                )
                .unwrap()
            })
        });
        // The same with the key parsed and its multiples precomputed once (as a cache of
        // certificates may keep them).
        let prepared = gost::PreparedKey::new(case.algorithm, &case.public_key).unwrap();
        group.bench_function(format!("{name}/prepared-digest"), |b| {
            b.iter(|| {
                prepared
                    .verify_digest(black_box(&digest), black_box(&case.signature))
                    .unwrap()
            })
        });
    }

    // Reference: ring's ECDSA P-256 with SHA-256 over the same signed attributes.
    let rng = SystemRandom::new();
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let key_pair = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .unwrap();
    let message = case(CMS_2015).message;
    let sig = key_pair.sign(&rng, &message).unwrap();
    let public_key = signature::UnparsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_ASN1,
        key_pair.public_key().as_ref().to_vec(),
    );
    group.bench_function("ring-ecdsa-p256/message", |b| {
        b.iter(|| {
            public_key
                .verify(black_box(&message), black_box(sig.as_ref()))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
