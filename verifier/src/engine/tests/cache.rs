//! The engine as a shared, caching object: `Send + Sync`, and cache hits that give the same
//! answers as a fresh engine.

use super::{Setup, assert_verdict, request, verifier, verify};
use crate::engine::{Data, Request, Verifier};
use crate::test_support::pki;
use crate::verdict::{SubIndication, Verdict};

/// 2028-06-01T00:00:00Z: after every end entity's notAfter (2028-01-01).
const AFTER_END_ENTITIES: i64 = 1_843_430_400;

const fn assert_send_sync<T: Send + Sync>() {}
const _: () = assert_send_sync::<Verifier>();

#[test]
fn verifier_is_send_and_sync() {
    assert_send_sync::<Verifier>();
}

#[test]
fn verifying_twice_gives_the_same_report() {
    let verifier = verifier();
    for cms in [
        pki::INDIVIDUAL_DETACHED_CMS,
        pki::REVOKED_DETACHED_CMS,
        pki::TWO_SIGNERS_DETACHED_CMS,
        pki::EC_ATTACHED_CMS,
    ] {
        let first = verify(&verifier, &request(cms));
        let second = verify(&verifier, &request(cms));
        assert_eq!(first.verdict, second.verdict);
        assert_eq!(
            serde_json::to_value(&first).expect("JSON"),
            serde_json::to_value(&second).expect("JSON"),
        );
    }
    // And a fresh engine agrees with the warm one.
    let warm = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    let cold = verify(
        &Setup::new().build(),
        &request(pki::INDIVIDUAL_DETACHED_CMS),
    );
    assert_eq!(
        serde_json::to_value(&warm).expect("JSON"),
        serde_json::to_value(&cold).expect("JSON"),
    );
}

#[test]
fn cached_path_is_revalidated_at_a_later_time() {
    let verifier = verifier();
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);

    // The same signer, after its certificate expired: the cached path no longer holds.
    let later = Request::new(pki::INDIVIDUAL_DETACHED_CMS, AFTER_END_ENTITIES)
        .data(Data::Bytes(pki::DOC_4K));
    let report = verify(&verifier, &later);
    assert_verdict(&report, Verdict::failed(SubIndication::OutOfBoundsNoPoe));
    // As a fresh engine says.
    let fresh = verify(&Setup::new().build(), &later);
    assert_verdict(&fresh, Verdict::failed(SubIndication::OutOfBoundsNoPoe));

    // And back at the validation time it passes again.
    let report = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(&report, Verdict::PASSED);
}

/// A path learnt from one CMS's own certificates is not a reason to trust another request's
/// chain: each request's CMS certificates stay request-local.
#[test]
fn certificates_of_one_cms_do_not_leak_into_the_next_request() {
    let setup = Setup::new().intermediates(&[pki::CA_EC]);
    let verifier = setup.build();
    let report = verify(&verifier, &request(pki::INDIVIDUAL_CHAIN_CMS));
    assert_verdict(&report, Verdict::PASSED);
    // A different signer under ca-rsa, whose CMS does not carry ca-rsa.
    let report = verify(&verifier, &request(pki::HEAD_DETACHED_CMS));
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::NoCertificateChainFound),
    );
}

#[test]
fn one_verifier_serves_many_threads() {
    let verifier = verifier();
    let cases: [(&[u8], Verdict); 4] = [
        (pki::INDIVIDUAL_DETACHED_CMS, Verdict::PASSED),
        (pki::EC_DETACHED_CMS, Verdict::PASSED),
        (
            pki::REVOKED_DETACHED_CMS,
            Verdict::failed(SubIndication::RevokedNoPoe),
        ),
        (
            pki::AUTH_DETACHED_CMS,
            Verdict::failed(SubIndication::SigConstraintsFailure),
        ),
    ];
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..3 {
                    for (cms, expected) in cases {
                        let report = verify(&verifier, &request(cms));
                        assert_verdict(&report, expected);
                    }
                }
            });
        }
    });
}

/// The path cache must not turn one request's CMS certificates into a later request's
/// chain: the benchmark file carries only the signer's certificate, and without ca-rsa
/// given it has no chain (README: "the intermediate must be given to the engine
/// separately, except for individual-chain"), whatever was verified before.
#[test]
fn path_through_one_cms_certificates_is_not_reused_by_the_next_request() {
    let setup = Setup::new().intermediates(&[pki::CA_EC]);
    let cold = verify(&setup.build(), &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(
        &cold,
        Verdict::failed(SubIndication::NoCertificateChainFound),
    );

    let verifier = setup.build();
    let report = verify(&verifier, &request(pki::INDIVIDUAL_CHAIN_CMS));
    assert_verdict(&report, Verdict::PASSED);
    let warm = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS));
    assert_verdict(
        &warm,
        Verdict::failed(SubIndication::NoCertificateChainFound),
    );
}

/// `der` (a certificate) with a signature value of `size` bytes that starts with `k`: a
/// distinct certificate that still parses (its signature is only checked in a path).
fn large_certificate(der: &[u8], size: usize, k: u32) -> Vec<u8> {
    use crate::ber::Tlv;
    use crate::test_support::der_tlv;
    let certificate = Tlv::parse_single(der).expect("DER");
    let mut fields = certificate.children();
    let tbs = fields.next_tlv().expect("DER").expect("tbsCertificate");
    let algorithm = fields.next_tlv().expect("DER").expect("signatureAlgorithm");
    let mut signature = vec![0u8];
    signature.extend_from_slice(&k.to_be_bytes());
    signature.resize(size, 0xA5);
    der_tlv(
        0x30,
        &[tbs.raw(), algorithm.raw(), &der_tlv(0x03, &signature)].concat(),
    )
}

/// Large distinct certificates, as a caller may send them in CMS after CMS: the caches keep
/// no more bytes than their budget, however many come, and still keep some of them.
#[test]
fn large_distinct_certificates_stay_within_the_byte_budget() {
    use crate::engine::cache::Cache;
    use std::sync::Arc;

    let budget = 1 << 20;
    let cache = Cache::with_budget(budget);
    let size = 64 << 10;
    let mut most = 0;
    // 200 of 64 KiB: 12.5 MiB of DER, 25 MiB parsed.
    for k in 0..200 {
        let der = large_certificate(pki::INDIVIDUAL, size, k);
        let cert = cache.certificate(&der).expect("parses");
        let _ = cache.identity(&cert);
        let summary = cache.summary(&cert);
        assert!(!summary.fingerprint.is_empty());
        let bytes = cache.bytes();
        assert!(bytes <= budget, "{bytes} bytes after {k} certificates");
        most = most.max(cache.certificates_kept());
    }
    // Half the budget is the certificates', and each weighs twice its DER.
    assert!(most >= 1, "the cache still keeps what fits");
    assert!(most <= budget / 2 / (2 * size), "{most} certificates kept");

    // What is kept is found again: the same parsed certificate.
    let der = large_certificate(pki::INDIVIDUAL, 4096, 1000);
    let first = cache.certificate(&der).expect("parses");
    let again = cache.certificate(&der).expect("parses");
    assert!(Arc::ptr_eq(&first, &again));

    // One larger than the whole budget is parsed and answered, never kept.
    let huge = large_certificate(pki::INDIVIDUAL, budget, 1001);
    let first = cache.certificate(&huge).expect("parses");
    let again = cache.certificate(&huge).expect("parses");
    assert!(!Arc::ptr_eq(&first, &again));
    assert!(cache.bytes() <= budget);
}

/// The same through the engine: CMS after CMS carrying large distinct certificates beside
/// the signer's own are verified as before, and the verifier's caches stay within its budget.
#[test]
fn a_verifier_fed_large_certificates_stays_within_its_cache_budget() {
    use super::{signed_data_content_info, signed_data_fields};
    use crate::test_support::der_tlv;

    let budget = 1 << 20;
    let verifier = Setup::new().build().with_cache_budget(budget);
    let expected = verify(&verifier, &request(pki::INDIVIDUAL_DETACHED_CMS)).verdict;
    let fields = signed_data_fields(pki::INDIVIDUAL_DETACHED_CMS);
    assert_eq!(
        fields.len(),
        5,
        "version, algorithms, content, certificates, signers"
    );
    // The certificates field is [0] IMPLICIT: its content is the certificates themselves.
    let own = crate::ber::Tlv::parse_single(&fields[3])
        .expect("DER")
        .content()
        .to_vec();
    let mut most = 0;
    for n in 0..40u32 {
        let mut certificates = own.clone();
        for k in 0..8 {
            certificates.extend(large_certificate(pki::INDIVIDUAL, 32 << 10, n * 8 + k));
        }
        let body = [
            fields[0].clone(),
            fields[1].clone(),
            fields[2].clone(),
            der_tlv(0xA0, &certificates),
            fields[4].clone(),
        ]
        .concat();
        let cms = signed_data_content_info(&body);
        let report = verify(&verifier, &request(&cms));
        assert_eq!(report.verdict, expected, "request {n}");
        let bytes = verifier.cache.bytes();
        assert!(bytes <= budget, "{bytes} bytes after request {n}");
        most = most.max(bytes);
    }
    // The large certificates were parsed and cached (10 MiB of DER went by).
    assert!(most > 64 << 10, "{most}");
    assert_eq!(crate::engine::DEFAULT_CACHE_BUDGET, 64 << 20);
}

#[test]
fn a_verifier_over_other_crls_forgets_the_statuses_of_the_old_ones() {
    // Without ca-rsa's CRL the revoked signer is not known to be revoked; with it, it is.
    let without = Setup::new().ca_rsa_crls(&[]).build();
    let first = verify(&without, &request(pki::REVOKED_DETACHED_CMS));
    assert!(!first.verdict.passed());
    assert_ne!(first.verdict, super::revocation::revoked_no_poe());
    let mut crls = crate::revocation::CrlStore::new();
    for der in [pki::CA_RSA_CRL, pki::ROOT_RSA_CRL] {
        crls.add(der).expect("a test CRL");
    }
    let with = without.with_crl_store(crls);
    assert_verdict(
        &verify(&with, &request(pki::REVOKED_DETACHED_CMS)),
        super::revocation::revoked_no_poe(),
    );
    assert_verdict(
        &verify(&with, &request(pki::INDIVIDUAL_DETACHED_CMS)),
        Verdict::PASSED,
    );
    // The old engine is unchanged.
    assert_eq!(
        verify(&without, &request(pki::REVOKED_DETACHED_CMS)).verdict,
        first.verdict
    );
}
