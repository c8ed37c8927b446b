//! The engine on the **real** NCA RK test material (`testdata/README.md`, which gives the
//! facts cited here with their provenance): each case states the
//! validation time, the setup and the verdict, and says why.
//!
//! The setup is what an operator of the NCA GOST TEST 2022 trust profile has: the trust anchor
//! `root_test_gost_2022.cer`, the issuing CA `nca_gost2022_test.cer`, and the three CRLs of
//! that CA: the 2025 full and delta CRLs of skarm_kalkan (2025-04-29 → 2025-10-26) and the
//! ncanode_go full CRL (thisUpdate 2026-08-11, nextUpdate 2027-02-07, 195 entries). There is
//! **no CRL of the test root**, so the issuing CA's own status is unknown: under
//! `Policy::default()` (`require_ca_revocation = true`) every signer that gets that far is
//! INDETERMINATE/TRY_LATER, and an operator who accepts a root publishing no CRL sets
//! `require_ca_revocation = false` (the [`lenient`] policy), after which the signer's own
//! status decides.
//!
//! The material:
//! - the Kalkan CAdES-T CMS (`skarm_kalkan/cms`), made by the real NCA software on 2026-07-20
//!   with GOST 34.10-2015 512; their RFC 3161 tokens verify but their TSA chains to the
//!   **production** NCA GOST 2022 CA, which is not in the material, so the token is reported
//!   (a timeStamp warning) and is no proof of existence;
//! - the older GOST 34.310-2004 CMS (`skarm_kalkan/examples`, 2018 and 2019) under a CA that is
//!   not in the material;
//! - the 12 ncanode_go PKCS#12 test keys (GOST-2015-512, issued by the TEST 2022 CA): there is
//!   no NCA-made CMS for them, so each test here signs a document with the real private key
//!   (a test-only GOST signer, [`gost_sign`]) into a minimal CMS in Kalkan's shape
//!   ([`signed_data`]), and verifies it at 2026-08-12, when the ncanode CRL is fresh.
//!
//! What the ncanode CRL says of those certificates (read with `CrlStore::status` and checked
//! by [`crl_lists_what_the_readme_says`]): everything under `revoked/` is certificateHold of
//! 2026-05-08; `legal/valid/employee.p12` and `legal/valid/infosystem.p12` are superseded of
//! 2026-06-02 (a folder named "valid" does not mean "not revoked"); the other four, and both
//! Kalkan signers (the Kalkan individual signer **is** `individual/valid/individual_valid.p12`'s
//! certificate, the legal-entity signer `legal/valid/head.p12`'s), are not listed.
//!
//! The NCA test IINs and BINs (123456789011, 123456789012, BIN 123456789021) fail the check
//! digit (`docs/nca-profile.md`, "IIN and BIN"), which `enforce_check_digits` makes matter.

use crate::crypto::DigestAlgorithm;
use crate::engine::{Check, CheckName, Data, Outcome, Report, Request, RequestError, Verifier};
use crate::gost::sign::Gost2015_512Key;
use crate::identity::{Expectation, OwnershipMismatch, Role, SubjectKind};
use crate::path::{Certificate, CertificateStore};
use crate::policy::Policy;
use crate::revocation::{CrlStore, RevocationReason, RevocationStatus, UnknownReason};
use crate::test_support::pkcs12::read_pfx;
use crate::test_support::{der_tlv, fixtures};
use crate::verdict::{SubIndication, Verdict};

// Times (unix seconds, UTC).

/// 2026-08-12T00:00:00Z: the day after the ncanode CRL's thisUpdate (2026-08-11T03:49:19Z),
/// long before its nextUpdate (2027-02-07): every 2026 certificate's status is known.
const AUG_12_2026: i64 = 1_786_492_800;
/// 2026-08-01T10:00:00Z: the signingTime the CMS made here claim (a claim, never a proof).
const SIGNED_AT: i64 = 1_785_578_400;
/// 2026-06-01T00:00:00Z: after the certificateHold entries (2026-05-08), before the
/// superseded ones (2026-06-02T11:25Z and 11:39Z).
const JUN_01_2026: i64 = 1_780_272_000;
/// 2026-07-01T00:00:00Z: after the superseded entries.
const JUL_01_2026: i64 = 1_782_864_000;
/// 2026-05-08T12:00:00Z: after every `revoked/` certificate's notBefore (the last is
/// 11:28:59Z), before its certificateHold (the first is 14:57:29Z).
const MAY_08_2026_NOON: i64 = 1_778_241_600;
/// 2026-05-01T00:00:00Z: before every 2026 certificate's notBefore (2026-05-08).
const MAY_01_2026: i64 = 1_777_593_600;
/// 2026-07-21T00:00:00Z: the day after the Kalkan signatures. The 2025 CRLs have been stale
/// since 2025-10-26 and the ncanode CRL is not issued yet (2026-08-11).
const JUL_21_2026: i64 = 1_784_592_000;
/// 2027-06-01T00:00:00Z: after the 2026 certificates expired (2027-05-08) and after the
/// ncanode CRL's nextUpdate (2027-02-07).
const JUN_01_2027: i64 = 1_811_808_000;
/// 2027-05-20T00:00:00Z: after the 2026 certificates expired, before [`JUN_01_2027`].
const MAY_20_2027: i64 = 1_810_771_200;
/// 2018-12-22T00:00:00Z: the day after `test_CMS_GOST.txt`'s claimed signingTime
/// (2018-12-21); its certificate is valid 2018-08-23 → 2019-08-23.
const DEC_22_2018: i64 = 1_545_436_800;
/// 2019-08-27T00:00:00Z: the day after `CMS_for_double_sign.txt`'s claimed signingTime
/// (2019-08-26); its certificate is valid 2019-04-04 → 2020-04-03.
const AUG_27_2019: i64 = 1_566_864_000;

// What the certificates say (`docs/nca-profile.md`, "Who signed"; `testdata/README.md`).

/// The IIN of "ТЕСТОВ ТЕСТ" (individual, head): fails the check digit.
const IIN_1: &str = "123456789011";
/// The IIN of "ТЕСТТОВ ТЕСТТ" (employees, treasury client): fails the check digit.
const IIN_2: &str = "123456789012";
/// The BIN of every legal-entity certificate: fails the check digit.
const BIN: &str = "123456789021";
/// 12345678901 with its valid check digit 3: a well-formed IIN that no certificate here has.
const VALID_IIN: &str = "123456789013";

// Setup.

/// The NCA GOST TEST 2022 trust profile with every CRL of the material, under `policy`.
fn verifier(policy: Policy) -> Verifier {
    verifier_with_crls(
        policy,
        &[
            fixtures::CA_CRL,
            fixtures::CA_DELTA_CRL,
            fixtures::NCANODE_CA_CRL,
        ],
    )
}

/// The NCA GOST TEST 2022 trust profile with these CRLs only.
fn verifier_with_crls(policy: Policy, ders: &[&[u8]]) -> Verifier {
    let mut store = CertificateStore::new();
    store.add_trust_anchor(fixtures::ROOT_CERT).unwrap();
    store.add_intermediate(fixtures::CA_CERT).unwrap();
    let mut crls = CrlStore::new();
    for der in ders {
        crls.add(der).unwrap();
    }
    Verifier::new(store, crls, policy)
}

/// The operator's choice for a root that publishes no CRL: the CA certificate's unknown status
/// is a warning, not TRY_LATER (`Policy::require_ca_revocation`).
fn lenient() -> Policy {
    Policy {
        require_ca_revocation: false,
        ..Policy::default()
    }
}

/// The lenient policy, with IIN/BIN check digits enforced.
fn strict_numbers() -> Policy {
    Policy {
        enforce_check_digits: true,
        ..lenient()
    }
}

#[track_caller]
fn verify(verifier: &Verifier, request: &Request<'_>) -> Report {
    verifier.verify(request).expect("the request is valid")
}

#[track_caller]
fn assert_verdict(report: &Report, expected: Verdict, what: &str) {
    assert_eq!(
        report.verdict, expected,
        "{what}: expected {expected}, got:\n{report}"
    );
}

fn failed(sub: SubIndication) -> Verdict {
    Verdict::failed(sub)
}

/// The checks of signer `index` with this name and outcome.
fn checks(report: &Report, index: usize, name: CheckName, outcome: Outcome) -> Vec<&Check> {
    report.signers[index]
        .checks
        .iter()
        .filter(|c| c.check == name && c.outcome == outcome)
        .collect()
}

/// Signer `index` as JSON, where times are RFC 3339 text.
fn signer_json(report: &Report, index: usize) -> serde_json::Value {
    serde_json::to_value(&report.signers[index]).unwrap()
}

fn expect_iin(iin: &str) -> Expectation {
    Expectation {
        iin: Some(iin.into()),
        ..Expectation::default()
    }
}

// The Kalkan CMS (signed 2026-07-20 by the real NCA software).

/// One Kalkan CMS with the content it needs (none for the attached ones, `*_document.txt` for
/// the detached ones), its claimed signingTime and its signer's BIN.
struct Kalkan {
    what: &'static str,
    cms: &'static [u8],
    data: Data<'static>,
    signing_time: &'static str,
    bin: Option<&'static str>,
}

fn kalkan_cms() -> [Kalkan; 4] {
    let individual = |what, cms, data| Kalkan {
        what,
        cms,
        data,
        signing_time: "2026-07-20T09:08:06Z",
        bin: None,
    };
    let legal = |what, cms, data| Kalkan {
        what,
        cms,
        data,
        signing_time: "2026-07-20T09:10:09Z",
        bin: Some(BIN),
    };
    [
        individual(
            "individual attached",
            fixtures::INDIVIDUAL_ATTACHED,
            Data::Absent,
        ),
        individual(
            "individual detached",
            fixtures::INDIVIDUAL_DETACHED,
            Data::Bytes(fixtures::INDIVIDUAL_DOCUMENT),
        ),
        legal("legal attached", fixtures::LEGAL_ATTACHED, Data::Absent),
        legal(
            "legal detached",
            fixtures::LEGAL_DETACHED,
            Data::Bytes(fixtures::LEGAL_DOCUMENT),
        ),
    ]
}

/// At 2026-08-12, with the lenient CA policy, every Kalkan CMS is TOTAL_PASSED: the signature
/// verifies (Streebog-512 messageDigest, GOST-2015-512 signature, signingCertificateV2), the
/// path signer → TEST 2022 CA → TEST 2022 root is valid then, and the signer is not on the
/// ncanode CRL (fresh since 2026-08-11). The RFC 3161 token is reported with its genTime but is
/// no proof of existence (its TSA chains to the production CA): a timeStamp *warning*, and the
/// best-signature-time stays the validation time.
#[test]
fn kalkan_cms_pass_with_the_lenient_ca_policy() {
    let verifier = verifier(lenient());
    for Kalkan {
        what,
        cms,
        data,
        signing_time,
        bin,
    } in kalkan_cms()
    {
        let report = verify(&verifier, &Request::new(cms, AUG_12_2026).data(data));
        assert_verdict(&report, Verdict::PASSED, what);
        assert_eq!(report.detached, Some(what.ends_with("detached")), "{what}");
        let signer = &report.signers[0];

        assert_eq!(
            checks(&report, 0, CheckName::Cryptographic, Outcome::Passed).len(),
            1
        );
        let json = signer_json(&report, 0);
        assert_eq!(
            json["signatureAlgorithm"], "GOST 34.10-2015 512, GOST R 34.11-2012 512",
            "{what}"
        );
        assert_eq!(json["claimedSigningTime"], signing_time, "{what}");

        // The token: verified, reported, not a proof.
        assert_eq!(signer.time_stamps.len(), 1, "{what}");
        let token = &signer.time_stamps[0];
        // genTime falls in the same minute as the claimed signingTime.
        let gen_time = token.gen_time.as_deref().unwrap();
        assert_eq!(gen_time[..16], signing_time[..16], "{what}");
        assert!(!token.proof_of_existence, "{what}: {}", token.message);
        assert!(
            token.message.contains("TSA certificate path"),
            "{}",
            token.message
        );
        assert_eq!(
            checks(&report, 0, CheckName::TimeStamp, Outcome::Warning).len(),
            1
        );
        assert!(signer.proof_of_existence.is_none(), "{what}");
        assert_eq!(signer.best_signature_time, AUG_12_2026, "{what}");

        // The path and its revocation: the signer good on the ncanode CRL; the CA unknown (no
        // CRL of the root), accepted by the policy as a warning.
        assert_eq!(signer.chain.len(), 3, "{what}");
        assert_eq!(signer.revocation.len(), 2, "{what}");
        assert_eq!(signer.revocation[0].status, "good", "{what}");
        assert_eq!(
            signer.revocation[0].sources[0].this_update, "2026-08-11T03:49:19Z",
            "{what}: read from the ncanode CRL"
        );
        assert_eq!(
            signer.revocation[0].sources.len(),
            1,
            "{what}: the 2025 delta is stale"
        );
        assert_eq!(signer.revocation[1].status, "unknown", "{what}");
        assert_eq!(
            signer.revocation[1].unknown_reason,
            Some(UnknownReason::NoCrl),
            "{what}"
        );
        assert_eq!(
            checks(&report, 0, CheckName::Revocation, Outcome::Warning).len(),
            1
        );

        // Who signed.
        let identity = signer.identity.as_ref().unwrap();
        assert_eq!(identity.iin.as_deref(), Some(IIN_1), "{what}");
        assert_eq!(identity.bin.as_deref(), bin, "{what}");
    }
}

/// The same CMS at the same time under `Policy::default()`: the signer is good, but the issuing
/// CA's status cannot be read (the test root publishes no CRL in the material), so every one is
/// INDETERMINATE/TRY_LATER, and the failed check is the CA's revocation.
#[test]
fn kalkan_cms_are_try_later_by_default_for_want_of_a_root_crl() {
    let verifier = verifier(Policy::default());
    for Kalkan {
        what, cms, data, ..
    } in kalkan_cms()
    {
        let report = verify(&verifier, &Request::new(cms, AUG_12_2026).data(data));
        assert_verdict(&report, failed(SubIndication::TryLater), what);
        let signer = &report.signers[0];
        assert_eq!(signer.revocation[0].status, "good", "{what}");
        assert_eq!(signer.revocation[1].status, "unknown", "{what}");
        let failed = checks(&report, 0, CheckName::Revocation, Outcome::Failed);
        assert_eq!(failed.len(), 1, "{what}");
        assert!(
            failed[0].message.to_string().contains("TEST 2022"),
            "{what}: {}",
            failed[0].message
        );
    }
}

/// At 2026-07-21, the day after signing, no CRL of the issuing CA is fresh: the 2025 full and
/// delta CRLs expired on 2025-10-26 and the ncanode CRL starts on 2026-08-11. The signer's own
/// status is unknown, so even the lenient policy gives INDETERMINATE/TRY_LATER: "try later" is
/// literally right, a fresh CRL came out three weeks later.
#[test]
fn kalkan_cms_are_try_later_before_a_fresh_crl_exists() {
    let verifier = verifier(lenient());
    for Kalkan {
        what, cms, data, ..
    } in kalkan_cms()
    {
        let report = verify(&verifier, &Request::new(cms, JUL_21_2026).data(data));
        assert_verdict(&report, failed(SubIndication::TryLater), what);
        assert_eq!(report.signers[0].revocation[0].status, "unknown", "{what}");
        assert_eq!(
            report.signers[0].revocation[0].unknown_reason,
            Some(UnknownReason::Stale),
            "{what}"
        );
    }
}

/// At 2026-05-01 the signing certificates (notBefore 2026-05-08) are not valid yet and there is
/// no proof of existence: TOTAL_FAILED/NOT_YET_VALID.
#[test]
fn kalkan_cms_before_the_certificate_is_valid_are_not_yet_valid() {
    let verifier = verifier(lenient());
    for Kalkan {
        what, cms, data, ..
    } in kalkan_cms()
    {
        let report = verify(&verifier, &Request::new(cms, MAY_01_2026).data(data));
        assert_verdict(&report, failed(SubIndication::NotYetValid), what);
        // The signature itself is fine: only the time is wrong.
        assert_eq!(
            checks(&report, 0, CheckName::Cryptographic, Outcome::Passed).len(),
            1
        );
    }
}

/// Other content than what was signed is TOTAL_FAILED/HASH_FAILURE: for a detached CMS the
/// messageDigest does not match (the cryptographic check fails); for an attached CMS given
/// other content the engine refuses the pair before any signer (DESIGN: the caller asked
/// whether *that* content is signed). A detached CMS without its content is
/// INDETERMINATE/SIGNED_DATA_NOT_FOUND.
#[test]
fn kalkan_cms_with_other_content() {
    let verifier = verifier(lenient());
    let other = fixtures::LEGAL_DOCUMENT;
    assert_ne!(other, fixtures::INDIVIDUAL_DOCUMENT);

    let report = verify(
        &verifier,
        &Request::new(fixtures::INDIVIDUAL_DETACHED, AUG_12_2026).data(Data::Bytes(other)),
    );
    assert_verdict(&report, failed(SubIndication::HashFailure), "detached");
    assert_eq!(
        checks(&report, 0, CheckName::Cryptographic, Outcome::Failed).len(),
        1
    );

    let report = verify(
        &verifier,
        &Request::new(fixtures::INDIVIDUAL_ATTACHED, AUG_12_2026).data(Data::Bytes(other)),
    );
    assert_verdict(&report, failed(SubIndication::HashFailure), "attached");
    assert!(report.signers.is_empty());
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.check == CheckName::Content && c.outcome == Outcome::Failed)
    );

    let report = verify(
        &verifier,
        &Request::new(fixtures::LEGAL_DETACHED, AUG_12_2026),
    );
    assert_verdict(
        &report,
        failed(SubIndication::SignedDataNotFound),
        "detached, no content",
    );
}

/// A caller that keeps only a digest can verify the detached CMS with the document's
/// Streebog-512 digest (the SignerInfo's digestAlgorithm): TOTAL_PASSED as with the bytes. A
/// digest of the right algorithm over other content is TOTAL_FAILED/HASH_FAILURE.
#[test]
fn kalkan_detached_cms_with_the_content_digest() {
    let verifier = verifier(lenient());
    let digest = DigestAlgorithm::Streebog512.digest(fixtures::LEGAL_DOCUMENT);
    let request = Request::new(fixtures::LEGAL_DETACHED, AUG_12_2026).data(Data::Digest {
        algorithm: DigestAlgorithm::Streebog512,
        value: &digest,
    });
    assert_verdict(&verify(&verifier, &request), Verdict::PASSED, "digest");

    let other = DigestAlgorithm::Streebog512.digest(fixtures::INDIVIDUAL_DOCUMENT);
    let request = Request::new(fixtures::LEGAL_DETACHED, AUG_12_2026).data(Data::Digest {
        algorithm: DigestAlgorithm::Streebog512,
        value: &other,
    });
    assert_verdict(
        &verify(&verifier, &request),
        failed(SubIndication::HashFailure),
        "other digest",
    );

    // A SHA-256 digest (what the vault addresses content by) of the right document cannot be
    // checked against a Streebog-512 messageDigest: the content itself is needed,
    // INDETERMINATE/SIGNED_DATA_NOT_FOUND, not a failure.
    let sha256 = DigestAlgorithm::Sha256.digest(fixtures::LEGAL_DOCUMENT);
    let request = Request::new(fixtures::LEGAL_DETACHED, AUG_12_2026).data(Data::Digest {
        algorithm: DigestAlgorithm::Sha256,
        value: &sha256,
    });
    assert_verdict(
        &verify(&verifier, &request),
        failed(SubIndication::SignedDataNotFound),
        "SHA-256 digest",
    );
}

/// Ownership on the Kalkan CMS at 2026-08-12 (lenient policy, so the signature itself
/// passes): the signer's own IIN, BIN and roles match; another IIN is TOTAL_FAILED/NOT_OWNER.
#[test]
fn kalkan_cms_ownership() {
    let verifier = verifier(lenient());
    let individual = Request::new(fixtures::INDIVIDUAL_ATTACHED, AUG_12_2026);
    let legal = Request::new(fixtures::LEGAL_ATTACHED, AUG_12_2026);

    let report = verify(&verifier, &individual.clone().expect(expect_iin(IIN_1)));
    assert_verdict(&report, Verdict::PASSED, "own IIN");
    assert_eq!(report.ownership.as_ref().unwrap().matching_signers, [0]);
    assert_eq!(report.signers[0].owner, Some(true));

    let report = verify(&verifier, &individual.clone().expect(expect_iin(IIN_2)));
    assert_verdict(&report, failed(SubIndication::NotOwner), "another IIN");
    assert_eq!(report.signers[0].owner, Some(false));
    assert!(
        report
            .ownership
            .as_ref()
            .unwrap()
            .matching_signers
            .is_empty()
    );

    // The legal-entity signer is the first head (EKU 1.2.398.3.3.4.1.2.1) of BIN123456789021.
    let head = Expectation {
        iin: Some(IIN_1.into()),
        bin: Some(BIN.into()),
        roles: vec![Role::LegalEntity, Role::FirstHead],
    };
    assert_verdict(
        &verify(&verifier, &legal.clone().expect(head)),
        Verdict::PASSED,
        "head of the BIN",
    );
    let hr = Expectation {
        bin: Some(BIN.into()),
        roles: vec![Role::HumanResources],
        ..Expectation::default()
    };
    assert_verdict(
        &verify(&verifier, &legal.clone().expect(hr)),
        failed(SubIndication::NotOwner),
        "not an HR officer",
    );
    // The individual's certificate has no BIN.
    let bin = Expectation {
        bin: Some(BIN.into()),
        ..Expectation::default()
    };
    assert_verdict(
        &verify(&verifier, &individual.expect(bin)),
        failed(SubIndication::NotOwner),
        "individual has no BIN",
    );
}

/// Ownership under the default policy: the signature is INDETERMINATE/TRY_LATER (no root CRL),
/// with the right IIN and with another one alike: a signer whose path is not established is not
/// established to be someone else either (`docs/verify-contract.md`), so never NOT_OWNER.
#[test]
fn kalkan_cms_ownership_under_the_default_policy() {
    let verifier = verifier(Policy::default());
    let request = Request::new(fixtures::INDIVIDUAL_ATTACHED, AUG_12_2026);
    assert_verdict(
        &verify(&verifier, &request.clone().expect(expect_iin(IIN_1))),
        failed(SubIndication::TryLater),
        "own IIN",
    );
    assert_verdict(
        &verify(&verifier, &request.expect(expect_iin(VALID_IIN))),
        failed(SubIndication::TryLater),
        "another IIN",
    );
}

/// With `enforce_check_digits = true` the NCA test numbers are invalid (`docs/nca-profile.md`,
/// "IIN and BIN"): an expected IIN or BIN that fails the check digit is the caller's error
/// (`Err(RequestError::Expectation(_))`, no report), and a signer whose certificate IIN fails it
/// matches nothing, not even an expectation of roles it has, nor a well-formed IIN.
#[test]
fn kalkan_cms_with_check_digits_enforced() {
    let verifier = verifier(strict_numbers());
    let request = Request::new(fixtures::INDIVIDUAL_ATTACHED, AUG_12_2026);

    // The signature alone still passes: check digits only matter to ownership.
    assert_verdict(
        &verify(&verifier, &request),
        Verdict::PASSED,
        "no expectation",
    );

    let error = verifier
        .verify(&request.clone().expect(expect_iin(IIN_1)))
        .unwrap_err();
    assert!(
        matches!(
            error,
            RequestError::Expectation(OwnershipMismatch::InvalidExpectedIin { ref value, .. })
                if value == IIN_1
        ),
        "{error:?}"
    );
    let bin = Expectation {
        bin: Some(BIN.into()),
        ..Expectation::default()
    };
    let error = verifier.verify(&request.clone().expect(bin)).unwrap_err();
    assert!(
        matches!(
            error,
            RequestError::Expectation(OwnershipMismatch::InvalidExpectedBin { .. })
        ),
        "{error:?}"
    );

    // A role the certificate has: refused, because the certificate's IIN is malformed.
    let individual = Expectation {
        roles: vec![Role::Individual],
        ..Expectation::default()
    };
    let report = verify(&verifier, &request.clone().expect(individual.clone()));
    assert_verdict(&report, failed(SubIndication::NotOwner), "role, strict");
    let warning = checks(&report, 0, CheckName::Ownership, Outcome::Warning);
    assert!(
        warning[0].message.to_string().contains(IIN_1),
        "{}",
        warning[0].message
    );
    // ... while without enforcement the same expectation is met.
    assert_verdict(
        &verify(
            &self::verifier(lenient()),
            &request.clone().expect(individual),
        ),
        Verdict::PASSED,
        "role, lenient",
    );

    // A well-formed IIN: accepted as a request, and no signer matches it.
    let report = verify(&verifier, &request.expect(expect_iin(VALID_IIN)));
    assert_verdict(
        &report,
        failed(SubIndication::NotOwner),
        "valid IIN, strict",
    );
}

// The older GOST 34.310-2004 CMS (skarm_kalkan/examples).

/// `test_CMS_GOST.txt` (attached, signed 2018-12-21) and `CMS_for_double_sign.txt` (detached,
/// signed 2019-08-26 over the 11 bytes `Hello World`, testdata/README.md), each verified the
/// day after it was signed, when its certificate was valid: the GOST-2004 signature verifies
/// (GOST R 34.11-94 messageDigest with the Test S-box), but the issuers ("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ
/// ОРТАЛЫҚ (GOST)" and "ҰКО 3.0 (GOST TEST)") are older CAs that are not in the material:
/// INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND, whatever the CA policy.
#[test]
fn gost_2004_examples_verify_but_have_no_chain() {
    for policy in [Policy::default(), lenient()] {
        let verifier = verifier(policy);
        for (what, request) in [
            (
                "test_CMS_GOST",
                Request::new(fixtures::TEST_CMS_GOST, DEC_22_2018),
            ),
            (
                "CMS_for_double_sign",
                Request::new(fixtures::CMS_FOR_DOUBLE_SIGN, AUG_27_2019)
                    .data(Data::Bytes(b"Hello World")),
            ),
        ] {
            let report = verify(&verifier, &request);
            assert_verdict(
                &report,
                failed(SubIndication::NoCertificateChainFound),
                what,
            );
            assert_eq!(report.format, Some("PEM"), "{what}");
            assert_eq!(
                checks(&report, 0, CheckName::Cryptographic, Outcome::Passed).len(),
                1,
                "{what}: the math passes"
            );
            assert_eq!(
                signer_json(&report, 0)["signatureAlgorithm"],
                "GOST 34.310-2004, GOST R 34.11-94",
                "{what}"
            );
            let identity = report.signers[0].identity.as_ref().unwrap();
            assert_eq!(identity.bin.as_deref(), Some(BIN), "{what}");
            // No path: no revocation is read.
            assert!(report.signers[0].revocation.is_empty(), "{what}");
        }
    }
}

/// Tampered content is TOTAL_FAILED/HASH_FAILURE: the detached CMS given the upstream
/// `examples/text.txt` wording ("Hello World!") instead of the 11 signed bytes, and the
/// attached CMS with one byte of its eContent changed (its messageDigest no longer matches).
/// An outright failure outranks the missing chain.
#[test]
fn gost_2004_examples_with_tampered_content_fail() {
    let verifier = verifier(Policy::default());
    let report = verify(
        &verifier,
        &Request::new(fixtures::CMS_FOR_DOUBLE_SIGN, AUG_27_2019)
            .data(Data::Bytes(b"Hello World!")),
    );
    assert_verdict(&report, failed(SubIndication::HashFailure), "detached");

    let mut der = crate::input::decode_cms(fixtures::TEST_CMS_GOST)
        .unwrap()
        .bytes
        .into_owned();
    let text = b"Testovaya podpis!";
    let at = der.windows(text.len()).position(|w| w == text).unwrap();
    der[at] = b't';
    let report = verify(&verifier, &Request::new(&der, DEC_22_2018));
    assert_verdict(&report, failed(SubIndication::HashFailure), "attached");
    assert_eq!(
        checks(&report, 0, CheckName::Cryptographic, Outcome::Failed).len(),
        1
    );
}

// The ncanode_go keys: CMS signed here with the real private keys.

/// A GOST 34.10-2015 512 signature of `digest` (Streebog-512 output as is) with the private key
/// `d_le` (64 bytes little-endian), as NCA writes it: `r_le || s_le` (the crate's test-only
/// signer, `gost::sign`). The nonce `k` is derived from the key and the digest, so the CMS here
/// are reproducible.
fn gost_sign(d_le: &[u8], digest: &[u8]) -> Vec<u8> {
    let key = Gost2015_512Key::from_le(d_le).unwrap();
    let mut counter = 0u32;
    key.sign_digest(digest, |k| {
        k.copy_from_slice(&DigestAlgorithm::Streebog512.digest_parts(&[
            d_le,
            digest,
            &counter.to_le_bytes(),
        ]));
        counter += 1;
    })
    .unwrap()
}

/// One ncanode_go PKCS#12 key: its private key and certificate.
struct NcaKey {
    path: &'static str,
    d_le: Vec<u8>,
    cert: Vec<u8>,
    /// On the 2026-08-11 CRL, as the fixtures table says.
    on_crl: bool,
}

impl NcaKey {
    /// The key at `path` under ncanode_go/certs; `d·G` must be the certificate's key.
    fn load(path: &str) -> Self {
        let &(path, pfx, on_crl) = fixtures::NCANODE_KEYS
            .iter()
            .find(|(p, _, _)| *p == path)
            .unwrap_or_else(|| panic!("no key {path}"));
        let (d_le, cert) = read_pfx(pfx);
        let (_, parsed) = x509_parser::parse_x509_certificate(&cert).unwrap();
        assert_eq!(
            Gost2015_512Key::from_le(&d_le).unwrap().public_key(),
            parsed.public_key().subject_public_key.data.to_vec(),
            "{path}: d·G is the certificate's key"
        );
        Self {
            path,
            d_le,
            cert,
            on_crl,
        }
    }

    fn all() -> Vec<Self> {
        fixtures::NCANODE_KEYS
            .iter()
            .map(|(path, _, _)| Self::load(path))
            .collect()
    }
}

// Minimal DER writing for the CMS (X.690), independent of the reader under test.

const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// GOST 34.11-2015 512 (Streebog-512), NCA's OID, as the Kalkan CMS write it
/// (`docs/nca-profile.md`, "Algorithms").
const ID_STREEBOG_512: &str = "1.2.398.3.10.1.3.3";
/// GOST 34.10-2015 512 with GOST 34.11-2015 512 (`docs/nca-profile.md`, "Algorithms").
const ID_GOST_2015_512: &str = "1.2.398.3.10.1.1.2.3.2";

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    der_tlv(0x30, &parts.concat())
}

/// A DER SET OF: the elements sorted by their encodings (X.690 §11.6).
fn set_of(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    der_tlv(0x31, &parts.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut content = Vec::new();
    for &arc in [arcs[0] * 40 + arcs[1]].iter().chain(&arcs[2..]) {
        let mut digits = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            digits.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        content.extend(digits.iter().rev());
    }
    der_tlv(0x06, &content)
}

/// `AlgorithmIdentifier { oid, NULL }`, as Kalkan writes GOST algorithms.
fn algorithm(dotted: &str) -> Vec<u8> {
    seq(&[&oid(dotted), &[0x05, 0x00]])
}

/// `Attribute { type, SET { value } }`.
fn attribute(dotted: &str, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(dotted), &der_tlv(0x31, value)])
}

/// UTCTime `YYMMDDHHMMSSZ` of unix seconds (years 2000-2049).
fn utc_time(unix: i64) -> Vec<u8> {
    let text = crate::time::Time::from_unix(unix).unwrap().to_string(); // 2026-08-01T10:00:00Z
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    der_tlv(0x17, format!("{}Z", &digits[2..14]).as_bytes())
}

/// One SignerInfo of `key` over `content` (RFC 5652 §5.3) in Kalkan's shape: sid
/// issuerAndSerialNumber, digestAlgorithm Streebog-512, signed attributes contentType,
/// signingTime and messageDigest (Streebog-512 of the content, stored as is; Kalkan also adds
/// the optional signingCertificateV2), signature GOST-2015-512 over the DER of the attributes
/// as a SET (tag 0x31).
fn signer_info(key: &NcaKey, content: &[u8], signing_time: i64) -> Vec<u8> {
    let (_, cert) = x509_parser::parse_x509_certificate(&key.cert).unwrap();
    let sid = seq(&[
        cert.tbs_certificate.issuer.as_raw(),
        &der_tlv(0x02, cert.tbs_certificate.raw_serial()),
    ]);
    let attributes = set_of(vec![
        attribute(ID_CONTENT_TYPE, &oid(ID_DATA)),
        attribute(ID_SIGNING_TIME, &utc_time(signing_time)),
        attribute(
            ID_MESSAGE_DIGEST,
            &der_tlv(0x04, &DigestAlgorithm::Streebog512.digest(content)),
        ),
    ]);
    let signature = gost_sign(&key.d_le, &DigestAlgorithm::Streebog512.digest(&attributes));
    let mut signed_attrs = attributes;
    signed_attrs[0] = 0xa0; // [0] IMPLICIT in the SignerInfo
    seq(&[
        &der_tlv(0x02, &[1]),
        &sid,
        &algorithm(ID_STREEBOG_512),
        &signed_attrs,
        &algorithm(ID_GOST_2015_512),
        &der_tlv(0x04, &signature),
    ])
}

/// A CMS SignedData (ContentInfo, DER) by `keys`, in this order, over `content`, attached or
/// detached, carrying each signer's certificate and no CRL.
fn signed_data(keys: &[&NcaKey], content: &[u8], attached: bool, signing_time: i64) -> Vec<u8> {
    signed_data_with_crls(keys, content, attached, signing_time, &[])
}

/// [`signed_data`] carrying these CRLs in its `crls` field (RFC 5652 §5.1, `[1] IMPLICIT`).
fn signed_data_with_crls(
    keys: &[&NcaKey],
    content: &[u8],
    attached: bool,
    signing_time: i64,
    crls: &[&[u8]],
) -> Vec<u8> {
    let encapsulated = if attached {
        seq(&[&oid(ID_DATA), &der_tlv(0xa0, &der_tlv(0x04, content))])
    } else {
        seq(&[&oid(ID_DATA)])
    };
    let certificates: Vec<u8> = keys.iter().flat_map(|k| k.cert.clone()).collect();
    let signer_infos: Vec<u8> = keys
        .iter()
        .flat_map(|k| signer_info(k, content, signing_time))
        .collect();
    let crls = if crls.is_empty() {
        Vec::new()
    } else {
        der_tlv(0xa1, &crls.concat())
    };
    let signed = seq(&[
        &der_tlv(0x02, &[1]),
        &set_of(vec![algorithm(ID_STREEBOG_512)]),
        &encapsulated,
        &der_tlv(0xa0, &certificates),
        &crls,
        &der_tlv(0x31, &signer_infos),
    ]);
    seq(&[&oid(ID_SIGNED_DATA), &der_tlv(0xa0, &signed)])
}

/// The document every CMS here signs.
const DOCUMENT: &[u8] =
    "Акт приёмки выполненных работ № 17 / Орындалған жұмыстарды қабылдау актісі\n".as_bytes();

/// A detached CMS by `key` over [`DOCUMENT`], claiming to be signed at [`SIGNED_AT`].
fn cms(key: &NcaKey) -> Vec<u8> {
    signed_data(&[key], DOCUMENT, false, SIGNED_AT)
}

/// `cms` at 2026-08-12 over [`DOCUMENT`].
fn request(cms: &[u8]) -> Request<'_> {
    Request::new(cms, AUG_12_2026).data(Data::Bytes(DOCUMENT))
}

/// The status the ncanode CRL gives each key's certificate at 2026-08-12 matches the fixtures
/// table and `testdata/README.md`: certificateHold of 2026-05-08 under `revoked/`, superseded of
/// 2026-06-02 for `legal/valid/{employee,infosystem}.p12`, nothing for the rest; and the Kalkan
/// signers are the certificates of `individual_valid.p12` and `head.p12`, not listed.
#[test]
fn crl_lists_what_the_readme_says() {
    let ca = Certificate::from_der(fixtures::CA_CERT).unwrap();
    let mut crls = CrlStore::new();
    crls.add(fixtures::NCANODE_CA_CRL).unwrap();
    let day = |date: i64| crate::time::Time::from_unix(date).unwrap().to_string()[..10].to_owned();
    for key in NcaKey::all() {
        let cert = Certificate::from_der(&key.cert).unwrap();
        match crls.status(&cert, &ca, AUG_12_2026) {
            RevocationStatus::Revoked { date, reason, .. } => {
                assert!(key.on_crl, "{}", key.path);
                let expected = if key.path.contains("/revoked/") {
                    (RevocationReason::CertificateHold, "2026-05-08")
                } else {
                    (RevocationReason::Superseded, "2026-06-02")
                };
                assert_eq!((reason, day(date).as_str()), expected, "{}", key.path);
            }
            RevocationStatus::Good { .. } => assert!(!key.on_crl, "{}", key.path),
            other => panic!("{}: {other:?}", key.path),
        }
    }
    for (signer, key) in [
        (
            fixtures::INDIVIDUAL_SIGNER,
            "individual/valid/individual_valid.p12",
        ),
        (fixtures::LEGAL_SIGNER, "legal/valid/head.p12"),
    ] {
        let der = crate::decode_certificate_file(signer).unwrap().remove(0);
        assert_eq!(der.as_ref(), NcaKey::load(key).cert, "{key}");
        let cert = Certificate::from_der(&der).unwrap();
        assert!(matches!(
            crls.status(&cert, &ca, AUG_12_2026),
            RevocationStatus::Good { .. }
        ));
    }
}

/// Without a proof of existence, at 2026-08-12, for each of the 12 keys:
/// - on the CRL (certificateHold or superseded): INDETERMINATE/REVOKED_NO_POE under either
///   policy: the signature may predate the revocation or not (docs/verifier.md, 2026-11-24),
///   and the signer's failed check comes before the CA's TRY_LATER;
/// - not listed: TOTAL_PASSED with the lenient policy, INDETERMINATE/TRY_LATER by default (the
///   CA's status).
///
/// Every signature verifies: the test signer and the real keys agree with the certificates.
#[test]
fn ncanode_keys_without_proof_of_existence() {
    let (lenient, default) = (verifier(lenient()), verifier(Policy::default()));
    for key in NcaKey::all() {
        let cms = cms(&key);
        let what = key.path;
        let (expect_lenient, expect_default) = if key.on_crl {
            let sub = failed(SubIndication::RevokedNoPoe);
            (sub, sub)
        } else {
            (Verdict::PASSED, failed(SubIndication::TryLater))
        };
        let report = verify(&lenient, &request(&cms));
        assert_verdict(&report, expect_lenient, what);
        assert_eq!(
            checks(&report, 0, CheckName::Cryptographic, Outcome::Passed).len(),
            1
        );
        assert_eq!(
            report.signers[0].revocation[0].status,
            if key.on_crl { "revoked" } else { "good" },
            "{what}"
        );
        assert_verdict(&verify(&default, &request(&cms)), expect_default, what);
    }
}

/// The CMS built here is checked for real: a changed signature value is
/// TOTAL_FAILED/SIG_CRYPTO_FAILURE, other content HASH_FAILURE, and a signature by one key
/// under another key's certificate (same issuer, that certificate's serial) does not verify.
#[test]
fn ncanode_cms_negative_controls() {
    let verifier = verifier(lenient());
    let individual = NcaKey::load("individual/valid/individual_valid.p12");
    let head = NcaKey::load("legal/valid/head.p12");

    let mut cms = cms(&individual);
    let last = cms.len() - 1; // the last byte of the signature value (s)
    cms[last] ^= 0x01;
    assert_verdict(
        &verify(&verifier, &request(&cms)),
        failed(SubIndication::SigCryptoFailure),
        "flipped signature bit",
    );

    let cms = self::cms(&individual);
    assert_verdict(
        &verify(
            &verifier,
            &Request::new(&cms, AUG_12_2026).data(Data::Bytes(b"another document")),
        ),
        failed(SubIndication::HashFailure),
        "other content",
    );

    let impostor = NcaKey {
        d_le: head.d_le.clone(),
        cert: individual.cert.clone(),
        path: "head's key, individual's certificate",
        on_crl: false,
    };
    assert_verdict(
        &verify(&verifier, &request(&self::cms(&impostor))),
        failed(SubIndication::SigCryptoFailure),
        impostor.path,
    );
}

/// What the report must say of one key's certificate.
struct Who {
    path: &'static str,
    kind: SubjectKind,
    iin: Option<&'static str>,
    bin: Option<&'static str>,
    roles: &'static [Role],
    /// The days of notBefore and notAfter.
    validity: (&'static str, &'static str),
}

/// The four keys not on the CRL, at 2026-08-12 with the lenient policy: TOTAL_PASSED, and the
/// report says who signed, from the certificate (`docs/nca-profile.md`, "Who signed",
/// "Roles"). Note the upstream swap (`testdata/README.md`): `treasury_client.p12` holds the
/// **information-system** certificate: EKU 1.2.398.3.3.4.1.2.6, a BIN and a UID, no IIN and no
/// emailProtection, valid to 2029. And `employee_signright.p12` was issued on 2026-06-16, not 2026-05-08 as the
/// READMEs say of all twelve.
#[test]
fn ncanode_valid_keys_pass_and_report_the_identity() {
    let verifier = verifier(lenient());
    let table = [
        Who {
            path: "individual/valid/individual_valid.p12",
            kind: SubjectKind::Individual,
            iin: Some(IIN_1),
            bin: None,
            roles: &[Role::SigningKey, Role::Individual],
            validity: ("2026-05-08", "2027-05-08"),
        },
        Who {
            path: "legal/valid/head.p12",
            kind: SubjectKind::LegalEntityEmployee,
            iin: Some(IIN_1),
            bin: Some(BIN),
            roles: &[Role::SigningKey, Role::LegalEntity, Role::FirstHead],
            validity: ("2026-05-08", "2027-05-08"),
        },
        Who {
            path: "legal/valid/employee_signright.p12",
            kind: SubjectKind::LegalEntityEmployee,
            iin: Some(IIN_2),
            bin: Some(BIN),
            roles: &[Role::SigningKey, Role::LegalEntity, Role::RightToSign],
            validity: ("2026-06-16", "2027-06-16"),
        },
        Who {
            path: "legal/valid/treasury_client.p12",
            kind: SubjectKind::InformationSystem,
            iin: None,
            bin: Some(BIN),
            roles: &[Role::LegalEntity, Role::InformationSystem],
            validity: ("2026-05-08", "2029-05-07"),
        },
    ];
    for who in table {
        let path = who.path;
        let key = NcaKey::load(path);
        assert!(!key.on_crl, "{path}");
        let report = verify(&verifier, &request(&cms(&key)));
        assert_verdict(&report, Verdict::PASSED, path);
        let signer = &report.signers[0];
        let identity = signer.identity.as_ref().unwrap();
        assert_eq!(identity.kind, who.kind, "{path}");
        assert_eq!(identity.iin.as_deref(), who.iin, "{path}");
        assert_eq!(identity.bin.as_deref(), who.bin, "{path}");
        assert_eq!(identity.roles, who.roles, "{path}");
        assert_eq!(
            identity.uid.is_some(),
            who.iin.is_none(),
            "{path}: a UID only for the system"
        );
        assert_eq!(
            signer_json(&report, 0)["claimedSigningTime"],
            "2026-08-01T10:00:00Z",
            "{path}"
        );
        assert_eq!(signer.chain.len(), 3, "{path}");
        let certificate = &signer.chain[0];
        assert_eq!(
            (&certificate.not_before[..10], &certificate.not_after[..10]),
            who.validity,
            "{path}"
        );
    }
}

/// Ownership on the keys not on the CRL (lenient policy, 2026-08-12): the certificate's own
/// IIN passes, another IIN is TOTAL_FAILED/NOT_OWNER; the information system has no IIN, so an
/// expected IIN is NOT_OWNER while its BIN and role match; a right-to-sign employee is not the
/// first head.
#[test]
fn ncanode_ownership() {
    let verifier = verifier(lenient());
    let check = |path: &str, expectation: Expectation, expected: Verdict| {
        let key = NcaKey::load(path);
        let cms = cms(&key);
        let report = verify(&verifier, &request(&cms).expect(expectation.clone()));
        assert_verdict(&report, expected, &format!("{path} {expectation:?}"));
        report
    };
    let not_owner = failed(SubIndication::NotOwner);
    let expect = |iin: Option<&str>, bin: Option<&str>, roles: &[Role]| Expectation {
        iin: iin.map(Into::into),
        bin: bin.map(Into::into),
        roles: roles.to_vec(),
    };

    let individual = "individual/valid/individual_valid.p12";
    check(individual, expect_iin(IIN_1), Verdict::PASSED);
    check(individual, expect_iin(IIN_2), not_owner);

    let signright = "legal/valid/employee_signright.p12";
    check(
        signright,
        expect(Some(IIN_2), Some(BIN), &[Role::RightToSign]),
        Verdict::PASSED,
    );
    check(signright, expect_iin(IIN_1), not_owner);
    check(
        signright,
        expect(None, Some(BIN), &[Role::FirstHead]),
        not_owner,
    );

    let head = "legal/valid/head.p12";
    check(
        head,
        expect(Some(IIN_1), Some(BIN), &[Role::FirstHead]),
        Verdict::PASSED,
    );

    let system = "legal/valid/treasury_client.p12";
    let report = check(system, expect_iin(IIN_1), not_owner);
    let warning = checks(&report, 0, CheckName::Ownership, Outcome::Warning);
    assert!(
        warning[0].message.to_string().contains("no IIN"),
        "{}",
        warning[0].message
    );
    check(
        system,
        expect(None, Some(BIN), &[Role::InformationSystem]),
        Verdict::PASSED,
    );
    check(system, expect(None, None, &[Role::SigningKey]), not_owner);
}

/// With `enforce_check_digits = true`: the certificate's own (invalid) IIN as the expectation
/// is a usage error, and an expectation the certificate would otherwise meet (its BIN-less
/// role, or the information system's role) fails when the certificate carries a number that
/// fails the check digit: the individual's IIN, the system's BIN.
#[test]
fn ncanode_ownership_with_check_digits_enforced() {
    let verifier = verifier(strict_numbers());
    for path in [
        "individual/valid/individual_valid.p12",
        "legal/valid/treasury_client.p12",
    ] {
        let key = NcaKey::load(path);
        let cms = cms(&key);
        assert!(matches!(
            verifier.verify(&request(&cms).expect(expect_iin(IIN_1))),
            Err(RequestError::Expectation(
                OwnershipMismatch::InvalidExpectedIin { .. }
            ))
        ));
        let role = if path.starts_with("individual") {
            Role::Individual
        } else {
            Role::InformationSystem
        };
        let expectation = Expectation {
            roles: vec![role],
            ..Expectation::default()
        };
        let report = verify(&verifier, &request(&cms).expect(expectation));
        assert_verdict(&report, failed(SubIndication::NotOwner), path);
    }
}

/// A CMS may carry CRLs (RFC 5652 `crls`). An engine given only the 2025 CRLs (stale since
/// 2025-10-26) reads the signer's status at 2026-08-12 from the ncanode CRL inside the CMS, for
/// that request only (docs/verifier.md "Caches"): lenient policy, `individual_valid.p12` →
/// TOTAL_PASSED, `legal/revoked/head.p12` (certificateHold) → INDETERMINATE/REVOKED_NO_POE. The
/// same signatures without the CRL, verified next by the same engine, are TRY_LATER: the CMS's
/// CRL was neither added to the engine's CRLs nor cached; and with it again they are back to
/// their verdicts.
#[test]
fn ncanode_cms_carrying_the_crl() {
    let verifier = verifier_with_crls(lenient(), &[fixtures::CA_CRL, fixtures::CA_DELTA_CRL]);
    for (path, with_crl) in [
        ("individual/valid/individual_valid.p12", Verdict::PASSED),
        (
            "legal/revoked/head.p12",
            failed(SubIndication::RevokedNoPoe),
        ),
    ] {
        let key = NcaKey::load(path);
        let carrying = signed_data_with_crls(
            &[&key],
            DOCUMENT,
            false,
            SIGNED_AT,
            &[fixtures::NCANODE_CA_CRL],
        );
        let bare = cms(&key);
        for (what, cms, expected) in [
            ("with the CRL", &carrying, with_crl),
            ("without", &bare, failed(SubIndication::TryLater)),
            ("with the CRL again", &carrying, with_crl),
        ] {
            let report = verify(&verifier, &request(cms));
            assert_verdict(&report, expected, &format!("{path} {what}"));
        }
        let report = verify(&verifier, &request(&bare));
        assert_eq!(
            report.signers[0].revocation[0].unknown_reason,
            Some(UnknownReason::Stale),
            "{path}"
        );
    }
}

/// A caller's proof of existence (the vault's registration record) of 2026-06-01, before the
/// supersession of 2026-06-02: superseded is a benign reason after the POE, so the signature
/// stays valid with a revocation warning (`docs/nca-profile.md`, "CAs and revocation") —
/// TOTAL_PASSED with the lenient policy, TRY_LATER by default (the CA). certificateHold stays
/// INDETERMINATE/REVOKED_NO_POE whatever the POE ("certificateHold conservatively"), even one
/// from before the hold (2026-05-08T12:00Z).
#[test]
fn ncanode_revoked_keys_with_a_proof_of_existence() {
    let (lenient, default) = (verifier(lenient()), verifier(Policy::default()));
    for key in NcaKey::all().into_iter().filter(|k| k.on_crl) {
        let what = key.path;
        let cms = cms(&key);
        let superseded = key.path.starts_with("legal/valid/");
        for poe in [JUN_01_2026, MAY_08_2026_NOON] {
            let request = request(&cms).proof_of_existence(poe);
            let report = verify(&lenient, &request);
            let signer = &report.signers[0];
            assert_eq!(signer.best_signature_time, poe, "{what}");
            assert_eq!(signer.proof_of_existence.as_ref().unwrap().source, "caller");
            if superseded {
                assert_verdict(&report, Verdict::PASSED, what);
                let warnings = checks(&report, 0, CheckName::Revocation, Outcome::Warning);
                assert!(
                    warnings.iter().any(|c| c
                        .message
                        .to_string()
                        .contains("after the proof of existence")),
                    "{what}:\n{report}"
                );
                assert_verdict(
                    &verify(&default, &request),
                    failed(SubIndication::TryLater),
                    what,
                );
            } else {
                assert_verdict(&report, failed(SubIndication::RevokedNoPoe), what);
                assert_verdict(
                    &verify(&default, &request),
                    failed(SubIndication::RevokedNoPoe),
                    what,
                );
            }
        }
    }
}

/// A proof of existence of 2026-07-01, *after* the supersession of 2026-06-02: the signature
/// is only proven to exist once the certificate was revoked, so TOTAL_FAILED/REVOKED (EN 319
/// 102-1 §5.6.2.4) under either policy (an outright failure outranks the CA's TRY_LATER).
#[test]
fn ncanode_superseded_keys_with_a_later_proof_of_existence_are_revoked() {
    for policy in [lenient(), Policy::default()] {
        let verifier = verifier(policy);
        for path in ["legal/valid/employee.p12", "legal/valid/infosystem.p12"] {
            let cms = cms(&NcaKey::load(path));
            let report = verify(&verifier, &request(&cms).proof_of_existence(JUL_01_2026));
            assert_verdict(&report, failed(SubIndication::Revoked), path);
        }
    }
}

/// Two signers in one CMS, the valid individual and the superseded employee: the overall
/// verdict is the worst signer's (REVOKED_NO_POE without a POE; the individual alone passes);
/// an expectation met by one signer (the individual's IIN) is met, and does not hide the other
/// signer's problem; an expectation met by neither is not NOT_OWNER, since the employee's
/// identity is not established (REVOKED_NO_POE stands); with the POE of 2026-06-01 both pass.
#[test]
fn ncanode_two_signers() {
    let verifier = verifier(lenient());
    let individual = NcaKey::load("individual/valid/individual_valid.p12");
    let employee = NcaKey::load("legal/valid/employee.p12");
    let cms = signed_data(&[&individual, &employee], DOCUMENT, true, SIGNED_AT);

    let report = verify(&verifier, &request(&cms));
    assert_verdict(&report, failed(SubIndication::RevokedNoPoe), "no POE");
    assert_eq!(report.signers[0].verdict, Verdict::PASSED);
    assert_eq!(
        report.signers[1].verdict,
        failed(SubIndication::RevokedNoPoe)
    );

    let report = verify(&verifier, &request(&cms).expect(expect_iin(IIN_1)));
    assert_verdict(&report, failed(SubIndication::RevokedNoPoe), "own IIN");
    assert_eq!(report.ownership.as_ref().unwrap().matching_signers, [0]);

    let report = verify(&verifier, &request(&cms).expect(expect_iin(VALID_IIN)));
    assert_verdict(&report, failed(SubIndication::RevokedNoPoe), "nobody's IIN");
    assert!(
        report
            .ownership
            .as_ref()
            .unwrap()
            .matching_signers
            .is_empty()
    );

    let report = verify(
        &verifier,
        &Request::new(&cms, AUG_12_2026).proof_of_existence(JUN_01_2026),
    );
    assert_verdict(&report, Verdict::PASSED, "POE 2026-06-01");
}

/// At 2027-06-01 the 2026 certificates have expired (2027-05-08). Without a proof of existence:
/// INDETERMINATE/OUT_OF_BOUNDS_NO_POE. With a POE of 2026-08-12 the path is validated then
/// ("validation with time", docs/verifier.md step 4); the ncanode CRL's nextUpdate (2027-02-07)
/// has passed, so no CRL is fresh at the validation time, but that CRL covered the POE and
/// does not list the signer: its status at the POE is good (EN 319 102-1 §5.6.2.4,
/// `CrlStore::status_at_proof`), TOTAL_PASSED. With a POE after that CRL's nextUpdate
/// (2027-03-01) no CRL tells the status then: INDETERMINATE/TRY_LATER even with the lenient
/// policy. With a POE after the expiry the signature is TOTAL_FAILED/EXPIRED; with one before
/// the certificate was issued, TOTAL_FAILED/NOT_YET_VALID.
#[test]
fn ncanode_expired_certificate() {
    let verifier = verifier(lenient());
    let cms = cms(&NcaKey::load("individual/valid/individual_valid.p12"));
    let request = Request::new(&cms, JUN_01_2027).data(Data::Bytes(DOCUMENT));
    assert_verdict(
        &verify(&verifier, &request),
        failed(SubIndication::OutOfBoundsNoPoe),
        "no POE",
    );
    let report = verify(&verifier, &request.clone().proof_of_existence(AUG_12_2026));
    assert_verdict(&report, Verdict::PASSED, "POE 2026-08-12");
    assert_eq!(
        checks(&report, 0, CheckName::CertificatePath, Outcome::Passed).len(),
        1,
        "valid at the POE"
    );
    let entry = &report.signers[0].revocation[0];
    assert_eq!(entry.status, "good");
    assert_eq!(entry.status_at.as_deref(), Some("2026-08-12T00:00:00Z"));
    // 2027-03-01T00:00:00Z: after the CRL's nextUpdate, before the certificate expired.
    let report = verify(&verifier, &request.proof_of_existence(1_803_859_200));
    assert_verdict(&report, failed(SubIndication::TryLater), "POE 2027-03-01");
    assert_eq!(
        report.signers[0].revocation[0].unknown_reason,
        Some(UnknownReason::Stale)
    );
    // A POE of 2027-05-20 only proves the signature existed after the certificate expired:
    // TOTAL_FAILED/EXPIRED.
    let request = Request::new(&cms, JUN_01_2027)
        .data(Data::Bytes(DOCUMENT))
        .proof_of_existence(MAY_20_2027);
    assert_verdict(
        &verify(&verifier, &request),
        failed(SubIndication::Expired),
        "POE 2027-05-20",
    );
    // A POE of 2026-05-01, before the certificate was issued (2026-05-08): the path at the POE
    // fails, TOTAL_FAILED/NOT_YET_VALID. (For a certificate still valid at the validation time
    // the engine does not make this check: see the ignored test below.)
    let request = Request::new(&cms, JUN_01_2027)
        .data(Data::Bytes(DOCUMENT))
        .proof_of_existence(MAY_01_2026);
    assert_verdict(
        &verify(&verifier, &request),
        failed(SubIndication::NotYetValid),
        "POE 2026-05-01",
    );
}

/// `legal/valid/employee_signright.p12` was issued on 2026-06-16 (notBefore
/// 2026-06-16T05:02:43Z, unlike the other keys' 2026-05-08). A caller's proof that the
/// signature existed on 2026-06-01 puts the best-signature-time before the signing certificate
/// existed: `SubIndication::NotYetValid` is defined in this crate as "the best-signature-time
/// is before the signing certificate's validity" (EN 319 102-1: the signing time lies before
/// the issuance of the signing certificate → FAILED/NOT_YET_VALID). Expected
/// TOTAL_FAILED/NOT_YET_VALID; without the POE the same CMS passes.
#[test]
fn ncanode_proof_of_existence_before_the_certificate_was_issued() {
    let verifier = verifier(lenient());
    let key = NcaKey::load("legal/valid/employee_signright.p12");
    let cms = cms(&key);
    assert_verdict(
        &verify(&verifier, &request(&cms)),
        Verdict::PASSED,
        "no POE",
    );
    let report = verify(&verifier, &request(&cms).proof_of_existence(JUN_01_2026));
    assert_verdict(
        &report,
        failed(SubIndication::NotYetValid),
        "POE before notBefore",
    );
}
