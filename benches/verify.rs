//! The engine's verification rate on the reference case: a detached RSA-2048 CMS over a
//! 4 KB document (`verifier/testdata/pki/cms/individual.detached.p7s`), a two-level chain
//! root-rsa → ca-rsa (cached after the first document) and the CRLs ca-rsa.crl and
//! root-rsa.crl; beside it, in the same run, ring's raw RSA-2048 PKCS#1 v1.5 SHA-256
//! verification of the same signature over the same signed attributes. Criterion reports both
//! as elements (verifications) per second on one core; the goal is engine ≥ 80 % of raw.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qoima_verifier::path::{Certificate, CertificateStore};
use qoima_verifier::policy::Policy;
use qoima_verifier::revocation::CrlStore;
use qoima_verifier::{Data, Request, Verifier};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

macro_rules! pki {
    ($file:literal) => {
        include_bytes!(concat!("../verifier/testdata/pki/", $file))
    };
}

const CMS: &[u8] = pki!("cms/individual.detached.p7s");
const DOCUMENT: &[u8] = pki!("doc-4k.txt");
/// 2026-06-15T12:00:00Z, the fixtures' validation time.
const AT: i64 = 1_781_524_800;

fn verifier() -> Verifier {
    let mut store = CertificateStore::new();
    store.add_trust_anchor(pki!("certs/root-rsa.cer")).unwrap();
    store.add_intermediate(pki!("certs/ca-rsa.cer")).unwrap();
    let mut crls = CrlStore::new();
    crls.add(pki!("crl/ca-rsa.crl")).unwrap();
    crls.add(pki!("crl/root-rsa.crl")).unwrap();
    Verifier::new(store, crls, Policy::default())
}

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
    let verifier = verifier();
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
