//! OCSP response verification (RFC 6960) beside the engine's verification rate, in the same
//! run: what `qoima serve` spends checking a fetched response before it holds it
//! (`Verifier::check_ocsp_response`: parse, CertID, signer by responderID, RSA-2048
//! signature, responder authorisation, freshness), for a response signed by the CA itself
//! and by a delegated responder (whose own status is read from ca-rsa's CRL), with the
//! responses of `verifier/testdata/pki/ocsp.sh`; and the engine on the reference case
//! (`verify.rs`: a detached RSA-2048 CMS over 4 KB, cached chain and CRLs), then the same
//! with the two OCSP responses supplied to the request (`Request::ocsp`, as a registration
//! gets them: checked again, and not cached past the request). Criterion reports each as
//! elements per second on one core.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a panic is a failure

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use qoima_verifier::path::Certificate;
use qoima_verifier::revocation::OcspStore;
use qoima_verifier::revocation::ocsp::{CertStatus, OcspResponse};
use qoima_verifier::testing::pki;
use qoima_verifier::{Data, Request};

const AT: i64 = pki::VALIDATION_TIME;
const BY_CA: &[u8] = include_bytes!("../verifier/testdata/pki/ocsp/individual-good-ca.der");
const DELEGATED: &[u8] =
    include_bytes!("../verifier/testdata/pki/ocsp/individual-good-delegated.der");
const CA_BY_ROOT: &[u8] = include_bytes!("../verifier/testdata/pki/ocsp/ca-rsa-good-root.der");

fn bench(c: &mut Criterion) {
    let verifier = pki::rsa_verifier();
    let individual = Certificate::from_der(pki::INDIVIDUAL).unwrap();
    let ca = Certificate::from_der(pki::CA_RSA).unwrap();
    let check = |der: &[u8]| {
        let response = OcspResponse::from_der(der).unwrap();
        verifier
            .check_ocsp_response(&response, &individual, &ca, None, AT)
            .unwrap()
    };
    assert_eq!(check(BY_CA).status, CertStatus::Good);
    assert_eq!(check(DELEGATED).status, CertStatus::Good);
    let parsed = OcspResponse::from_der(BY_CA).unwrap();

    let request = Request::new(pki::INDIVIDUAL_DETACHED_CMS, AT).data(Data::Bytes(pki::DOC_4K));
    assert!(verifier.verify(&request).unwrap().verdict.passed());
    let mut supplied = OcspStore::new();
    supplied.add_supplied(BY_CA).unwrap();
    supplied.add_supplied(CA_BY_ROOT).unwrap();
    let with_ocsp = request.clone().ocsp(&supplied);
    let report = verifier.verify(&with_ocsp).unwrap();
    assert!(report.verdict.passed());
    assert_eq!(
        report.signers[0].revocation[0].status_source,
        Some("ocsp"),
        "{report}"
    );

    let mut group = c.benchmark_group("ocsp");
    group.throughput(Throughput::Elements(1));
    group.bench_function("response by the CA: parse + check", |b| {
        b.iter(|| black_box(check(black_box(BY_CA))))
    });
    group.bench_function("response by the CA: check (parsed)", |b| {
        b.iter(|| {
            verifier
                .check_ocsp_response(black_box(&parsed), &individual, &ca, None, AT)
                .unwrap()
        })
    });
    group.bench_function("response by a delegated responder: parse + check", |b| {
        b.iter(|| black_box(check(black_box(DELEGATED))))
    });
    group.bench_function("engine, detached CMS over 4 KB, cached chain + CRL", |b| {
        b.iter(|| {
            let report = verifier.verify(black_box(&request)).unwrap();
            assert!(report.verdict.passed());
        })
    });
    group.bench_function("engine, the same with 2 OCSP responses supplied", |b| {
        b.iter(|| {
            let report = verifier.verify(black_box(&with_ocsp)).unwrap();
            assert!(report.verdict.passed());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
