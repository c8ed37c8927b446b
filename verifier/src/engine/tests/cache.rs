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
