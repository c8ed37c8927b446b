//! The engine against the generated PKI (`testdata/pki/README.md`, "Expected verdicts at
//! 2026-06-15T12:00:00Z"): at least one test per row of that table, in the README's
//! **default setup** unless the row says otherwise, plus the report's content and the
//! engine's own properties (`Send + Sync`, caches).
//!
//! - `valid`: the rows that pass (formats, algorithms, profiles, several signers);
//! - `report`: what a passing report says (identity, chain, revocation, JSON, text);
//! - `ownership`: `--expect-iin` / `--expect-bin`;
//! - `format`: tampering, missing content and input that is not CMS;
//! - `time`: expired and not-yet-valid certificates, with and without a proof of existence;
//! - `revocation`: revoked certificates and every CRL variant;
//! - `chain`: untrusted, look-alike and constraint-breaking paths, the signing certificate;
//! - `acceptance`: the policy (AUTH key, SHA-1, RSA-1024);
//! - `pss`: RSASSA-PSS by openssl with salt lengths other than the hash length;
//! - `cache`: `Send + Sync`, the caches.

use crate::ber::Tlv;
use crate::engine::{Check, CheckName, Data, Outcome, Report, Request, Verifier};
use crate::path::CertificateStore;
use crate::policy::Policy;
use crate::revocation::CrlStore;
use crate::test_support::{der_tlv, pki};
use crate::verdict::Verdict;

mod acceptance;
mod budget;
mod cache;
mod chain;
mod format;
mod ltv;
mod nca;
mod ocsp;
mod ownership;
mod pss;
mod report;
mod revocation;
mod time;
mod time_stamp;
mod valid;

/// The validation time of every verdict in the README: 2026-06-15T12:00:00Z.
const AT: i64 = pki::VALIDATION_TIME;
/// The claimed signingTime of every CMS with signed attributes: 2026-04-01T10:00:00Z.
const SIGNING_TIME: i64 = 1_775_037_600;

/// The README's default setup: trust anchors root-rsa and root-ec, intermediates ca-rsa and
/// ca-ec, CRLs ca-rsa, root-rsa, ca-ec and root-ec, `Policy::default()`. Each field can be
/// overridden for the rows that say otherwise.
#[derive(Debug, Clone)]
struct Setup {
    anchors: Vec<&'static [u8]>,
    intermediates: Vec<&'static [u8]>,
    crls: Vec<&'static [u8]>,
    policy: Policy,
}

impl Setup {
    fn new() -> Self {
        Self {
            anchors: vec![pki::ROOT_RSA, pki::ROOT_EC],
            intermediates: vec![pki::CA_RSA, pki::CA_EC],
            crls: vec![
                pki::CA_RSA_CRL,
                pki::ROOT_RSA_CRL,
                pki::CA_EC_CRL,
                pki::ROOT_EC_CRL,
            ],
            policy: Policy::default(),
        }
    }

    /// With this policy.
    fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The default CRLs, with `ca-rsa.crl` replaced by `ca_rsa` (empty: no CRL of ca-rsa).
    fn ca_rsa_crls(mut self, ca_rsa: &[&'static [u8]]) -> Self {
        self.crls = vec![pki::ROOT_RSA_CRL, pki::CA_EC_CRL, pki::ROOT_EC_CRL];
        self.crls.extend_from_slice(ca_rsa);
        self
    }

    /// Exactly these CRLs.
    fn crls(mut self, crls: &[&'static [u8]]) -> Self {
        self.crls = crls.to_vec();
        self
    }

    /// One more untrusted certificate.
    fn intermediate(mut self, der: &'static [u8]) -> Self {
        self.intermediates.push(der);
        self
    }

    /// Exactly these untrusted certificates.
    fn intermediates(mut self, ders: &[&'static [u8]]) -> Self {
        self.intermediates = ders.to_vec();
        self
    }

    fn build(&self) -> Verifier {
        let mut store = CertificateStore::new();
        for der in &self.anchors {
            store.add_trust_anchor(der).expect("trust anchor");
        }
        for der in &self.intermediates {
            store.add_intermediate(der).expect("intermediate");
        }
        let mut crls = CrlStore::new();
        for der in &self.crls {
            crls.add(der).expect("CRL");
        }
        Verifier::new(store, crls, self.policy.clone())
    }
}

/// An engine in the default setup.
fn verifier() -> Verifier {
    Setup::new().build()
}

/// `cms` at the validation time, with `doc-4k.txt` as the content, no POE, no expectation.
fn request(cms: &[u8]) -> Request<'_> {
    Request::new(cms, AT).data(Data::Bytes(pki::DOC_4K))
}

/// The report of a request that must be accepted.
fn verify(verifier: &Verifier, request: &Request<'_>) -> Report {
    verifier.verify(request).expect("the request is valid")
}

/// Asserts the overall verdict, printing the whole report when it differs.
#[track_caller]
fn assert_verdict(report: &Report, expected: Verdict) {
    assert_eq!(
        report.verdict, expected,
        "expected {expected}, got:\n{report}"
    );
}

/// `cms` with `doc-4k.txt` in `setup` gives `expected`; returns the report.
#[track_caller]
fn check(setup: &Setup, cms: &[u8], expected: Verdict) -> Report {
    let report = verify(&setup.build(), &request(cms));
    assert_verdict(&report, expected);
    report
}

/// A row that holds for `X.detached.p7s` and `X.attached.p7s`: the detached file with
/// `doc-4k.txt`; the attached file both with `doc-4k.txt` (equal to its eContent) and with no
/// content given.
#[track_caller]
fn check_both(setup: &Setup, detached: &[u8], attached: &[u8], expected: Verdict) {
    let verifier = setup.build();
    for (what, request) in [
        ("detached", request(detached)),
        ("attached + doc-4k.txt", request(attached)),
        ("attached", Request::new(attached, AT)),
    ] {
        let report = verify(&verifier, &request);
        assert_eq!(
            report.verdict, expected,
            "{what}: expected {expected}, got:\n{report}"
        );
        assert_eq!(report.detached, Some(what == "detached"), "{what}");
    }
}

/// The checks of signer 0 with this name and outcome.
fn signer_checks(report: &Report, name: CheckName, outcome: Outcome) -> Vec<&Check> {
    report.signers[0]
        .checks
        .iter()
        .filter(|c| c.check == name && c.outcome == outcome)
        .collect()
}

/// Signer `index` of `report` as JSON: times are read there, in RFC 3339, as a client sees
/// them.
fn signer_json(report: &Report, index: usize) -> serde_json::Value {
    serde_json::to_value(&report.signers[index]).expect("JSON")
}

/// The SignedData fields of a DER CMS, as their encodings: version, digestAlgorithms,
/// encapContentInfo, then the optional certificates `[0]` and crls `[1]`, and signerInfos last.
fn signed_data_fields(cms: &[u8]) -> Vec<Vec<u8>> {
    let content_info = Tlv::parse_single(cms).expect("DER");
    let mut fields = content_info.children();
    fields.next_tlv().expect("DER").expect("contentType");
    let explicit = fields.next_tlv().expect("DER").expect("[0] content");
    let signed_data = explicit
        .children()
        .next_tlv()
        .expect("DER")
        .expect("SignedData");
    let mut children = Vec::new();
    let mut inner = signed_data.children();
    while let Some(child) = inner.next_tlv().expect("DER") {
        children.push(child.raw().to_vec());
    }
    children
}

/// A ContentInfo (RFC 5652 §3) of type id-signedData around the SignedData fields `body`.
fn signed_data_content_info(body: &[u8]) -> Vec<u8> {
    let content_type = crate::testing::oid(crate::testing::ID_SIGNED_DATA);
    der_tlv(
        0x30,
        &[content_type, der_tlv(0xA0, &der_tlv(0x30, body))].concat(),
    )
}
