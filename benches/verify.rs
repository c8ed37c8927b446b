//! The engine's verification rate on the reference case: a detached RSA-2048 CMS over a
//! 4 KB document (`verifier/testdata/pki/cms/individual.detached.p7s`), a two-level chain
//! root-rsa → ca-rsa (cached after the first document) and the CRLs ca-rsa.crl and
//! root-rsa.crl; beside it, in the same run, ring's raw RSA-2048 PKCS#1 v1.5 SHA-256
//! verification of the same signature over the same signed attributes. Criterion reports both
//! as elements (verifications) per second on one core; the goal is engine ≥ 80 % of raw.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qoima_verifier::path::Certificate;
use qoima_verifier::testing::pki;
use qoima_verifier::{Data, Request};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

const CMS: &[u8] = pki::INDIVIDUAL_DETACHED_CMS;
const DOCUMENT: &[u8] = pki::DOC_4K;
const AT: i64 = pki::VALIDATION_TIME;

/// (RSA public key, signed attributes, signature) of the CMS's only signer.
fn raw_case() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let sd = qoima_verifier::parse_signed_data(CMS).unwrap();
    let si = &sd.signer_infos[0];
    let cert = Certificate::from_der(sd.x509_certificates().next().unwrap()).unwrap();
    let (_, spki) = SubjectPublicKeyInfo::from_der(cert.spki()).unwrap();
    (
        spki.subject_public_key.data.to_vec(),
        si.signed_attrs.as_ref().unwrap().bytes_to_verify(),
        si.signature.to_vec(),
    )
}

fn bench(c: &mut Criterion) {
    let verifier = pki::rsa_verifier();
    let request = Request::new(CMS, AT).data(Data::Bytes(DOCUMENT));
    let report = verifier.verify(&request).unwrap();
    assert!(report.verdict.passed(), "{report}");

    let (key, message, signature) = raw_case();
    let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key);
    key.verify(&message, &signature).unwrap();

    let mut group = c.benchmark_group("rsa2048");
    group.throughput(Throughput::Elements(1));
    group.bench_function("ring raw verify", |b| {
        b.iter(|| {
            key.verify(black_box(&message), black_box(&signature))
                .unwrap()
        })
    });
    group.bench_function("engine, detached CMS over 4 KB, cached chain + CRL", |b| {
        b.iter(|| {
            let report = verifier.verify(black_box(&request)).unwrap();
            assert!(report.verdict.passed());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
