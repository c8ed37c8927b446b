//! The [`Budget`]: a CMS beyond a bound ends in a verdict naming it, the content is hashed
//! once per digest algorithm whatever the number of signers, and the candidate certificates
//! tried per signer are bounded.

use super::{Setup, assert_verdict, request, signed_data_content_info, signed_data_fields, verify};
use crate::ber::Tlv;
use crate::engine::budget::digests_computed;
use crate::engine::{Budget, CheckName, Data, Outcome, Request};
use crate::test_support::{der_tlv, pki};
use crate::verdict::{SubIndication, Verdict};

/// The elements of the SET or SEQUENCE encoded as `der`.
fn elements(der: &[u8]) -> Vec<Vec<u8>> {
    let tlv = Tlv::parse_single(der).expect("DER");
    let mut children = tlv.children();
    let mut out = Vec::new();
    while let Some(child) = children.next_tlv().expect("DER") {
        out.push(child.raw().to_vec());
    }
    out
}

/// `cms` (version, digestAlgorithms, encapContentInfo, certificates, signerInfos) with these
/// certificates and SignerInfos instead of its own.
fn rebuild(cms: &[u8], certificates: &[Vec<u8>], signer_infos: &[Vec<u8>]) -> Vec<u8> {
    let fields = signed_data_fields(cms);
    assert_eq!(
        fields.len(),
        5,
        "version, algorithms, content, certificates, signers"
    );
    let body = [
        fields[0].clone(),
        fields[1].clone(),
        fields[2].clone(),
        der_tlv(0xA0, &certificates.concat()),
        der_tlv(0x31, &signer_infos.concat()),
    ]
    .concat();
    signed_data_content_info(&body)
}

/// The certificates and SignerInfos of `cms`.
fn parts(cms: &[u8]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let fields = signed_data_fields(cms);
    let certificates = elements(&[&[0x30][..], &fields[3][1..]].concat());
    (certificates, elements(&fields[4]))
}

/// `individual.detached.p7s` with its SignerInfo `n` times.
fn signers(n: usize) -> Vec<u8> {
    signers_of(pki::INDIVIDUAL_DETACHED_CMS, n)
}

/// `cms` with its SignerInfo `n` times.
fn signers_of(cms: &[u8], n: usize) -> Vec<u8> {
    let (certificates, signer_infos) = parts(cms);
    rebuild(cms, &certificates, &vec![signer_infos[0].clone(); n])
}

/// The format check's failure message, asserting the verdict FORMAT_FAILURE.
#[track_caller]
fn format_failure(report: &crate::engine::Report) -> String {
    assert_verdict(report, Verdict::failed(SubIndication::FormatFailure));
    let signers = report.signers.iter().flat_map(|s| &s.checks);
    report
        .checks
        .iter()
        .chain(signers)
        .find(|c| c.check == CheckName::Format && c.outcome == Outcome::Failed)
        .map(|c| c.message.to_string())
        .expect("a failed format check")
}

#[test]
fn seventeen_signer_infos_are_a_format_failure_and_sixteen_pass() {
    let verifier = Setup::new().build();
    let report = verify(&verifier, &request(&signers(17)));
    assert_eq!(
        format_failure(&report),
        "the CMS has 17 SignerInfos; at most 16 are verified"
    );
    assert!(report.signers.is_empty(), "no signer is looked at");

    let report = verify(&verifier, &request(&signers(16)));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(report.signers.len(), 16);

    let small = Setup::new()
        .build()
        .with_budget(Budget::DEFAULT.signer_infos(2));
    let report = verify(&small, &request(&signers(3)));
    assert_eq!(
        format_failure(&report),
        "the CMS has 3 SignerInfos; at most 2 are verified"
    );
}

#[test]
fn the_content_is_hashed_once_per_digest_algorithm() {
    let verifier = Setup::new().build();
    let before = digests_computed();
    let report = verify(&verifier, &request(&signers(16)));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(
        digests_computed() - before,
        1,
        "16 SHA-256 signers, one digest"
    );

    // A SHA-256 and a SHA-384 signer, each twice: two digests.
    let (certificates, sha256) = parts(pki::INDIVIDUAL_DETACHED_CMS);
    let (_, sha384) = parts(pki::INDIVIDUAL_SHA384_CMS);
    let signer_infos = [&sha256[0], &sha384[0], &sha256[0], &sha384[0]].map(Clone::clone);
    let cms = rebuild(pki::INDIVIDUAL_DETACHED_CMS, &certificates, &signer_infos);
    let before = digests_computed();
    let report = verify(&verifier, &request(&cms));
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(digests_computed() - before, 2);

    // Attached content given as a digest: the check of that digest is the only hash.
    let digest = crate::crypto::DigestAlgorithm::Sha256.digest(pki::DOC_4K);
    let attached = signers_of(pki::INDIVIDUAL_ATTACHED_CMS, 4);
    let before = digests_computed();
    let report = verify(
        &verifier,
        &Request::new(&attached, super::AT).data(Data::Digest {
            algorithm: crate::crypto::DigestAlgorithm::Sha256,
            value: &digest,
        }),
    );
    assert_verdict(&report, Verdict::PASSED);
    assert_eq!(
        digests_computed() - before,
        1,
        "the given digest checked, then reused by the 4 signers"
    );
}

/// The certificate `der` with its signature's last byte changed by `k`: the same issuer,
/// serial number and key, another certificate (whose hash the ESS attribute does not name).
fn look_alike(der: &[u8], k: u8) -> Vec<u8> {
    let mut der = der.to_vec();
    if let Some(last) = der.last_mut() {
        *last ^= k;
    }
    der
}

#[test]
fn the_candidates_tried_per_signer_are_bounded() {
    let (certificates, signer_infos) = parts(pki::INDIVIDUAL_DETACHED_CMS);
    let real = certificates[0].clone();
    let with = |look_alikes: u8| {
        let mut all: Vec<Vec<u8>> = (1..=look_alikes).map(|k| look_alike(&real, k)).collect();
        all.push(real.clone());
        rebuild(pki::INDIVIDUAL_DETACHED_CMS, &all, &signer_infos)
    };
    let verifier = Setup::new().build();
    // Three look-alikes are tried and fail, the fourth candidate verifies.
    assert_verdict(&verify(&verifier, &request(&with(3))), Verdict::PASSED);
    // With four, the real certificate is the fifth candidate: not tried.
    let report = verify(&verifier, &request(&with(4)));
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::NoSigningCertificateFound),
    );
    let failed = report.signers[0]
        .checks
        .iter()
        .find(|c| c.outcome == Outcome::Failed)
        .expect("a failed check");
    assert_eq!(failed.check, CheckName::SigningCertificate);
    assert!(
        failed
            .message
            .to_string()
            .starts_with("5 certificates match the signer identifier; at most 4 are tried"),
        "{failed:?}"
    );
    // A larger budget tries it.
    let larger = Setup::new()
        .build()
        .with_budget(Budget::DEFAULT.candidates(5));
    assert_verdict(&verify(&larger, &request(&with(4))), Verdict::PASSED);
}

#[test]
fn too_many_certificates_or_signed_attributes_are_format_failures() {
    let (certificates, signer_infos) = parts(pki::INDIVIDUAL_DETACHED_CMS);
    let verifier = Setup::new().build();
    let cms = rebuild(
        pki::INDIVIDUAL_DETACHED_CMS,
        &vec![certificates[0].clone(); 65],
        &signer_infos,
    );
    assert_eq!(
        format_failure(&verify(&verifier, &request(&cms))),
        "the CMS has 65 certificates; at most 64 are considered"
    );

    let few = Setup::new()
        .build()
        .with_budget(Budget::DEFAULT.signed_attributes(2));
    let report = verify(&few, &request(pki::INDIVIDUAL_DETACHED_CMS));
    let message = format_failure(&report);
    assert!(
        message.contains("signed attributes; at most 2 are accepted"),
        "{message}"
    );
    assert_eq!(report.signers.len(), 1);
}
