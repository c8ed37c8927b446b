//! The GOST test signer against the engine and against the real NCA CMS: what it makes
//! verifies like a Kalkan signature, in Kalkan's shape, and fails when it should.

use super::{GostKey, PASSWORD, PKCS12, SIGNED_AT, VALIDATION_TIME, verifier, verifier_with};
use crate::cms::{CertificateChoice, SignedData, SignerIdentifier};
use crate::engine::{Data, Report, Request};
use crate::identity::{Expectation, Identity};
use crate::policy::Policy;
use crate::test_support::fixtures;
use crate::verdict::{SubIndication, Verdict};
use crate::{Verifier, parse_signed_data};

/// A PDF-like document of a few KiB: header, binary marker, pseudo-random body, trailer.
fn pdf_like() -> Vec<u8> {
    let mut doc = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n".to_vec();
    let mut x = 0x2545_4f46_u32;
    doc.extend((0..4096).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    }));
    doc.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    doc
}

fn key(path: &str) -> GostKey {
    let (_, pfx, _) = PKCS12.iter().find(|(p, _, _)| *p == path).unwrap();
    GostKey::from_pkcs12(pfx, PASSWORD)
}

fn verify(verifier: &Verifier, cms: &[u8], content: &[u8], expectation: Expectation) -> Report {
    let request = Request::new(cms, VALIDATION_TIME)
        .data(Data::Bytes(content))
        .expect(expectation);
    verifier.verify(&request).unwrap()
}

#[track_caller]
fn assert_verdict(report: &Report, expected: Verdict, what: &str) {
    assert_eq!(
        report.verdict, expected,
        "{what}: expected {expected}, got:\n{report}"
    );
}

/// The valid individual key signs a PDF-like document: TOTAL_PASSED at 2026-09-01, the
/// certificate's IIN (123456789011, which fails the check digit: the default policy does not
/// enforce it) expected and met, the claimed signingTime reported.
#[test]
fn valid_key_signs_what_the_engine_passes() {
    let key = key("individual/valid/individual_valid.p12");
    let iin = Identity::from_der(key.certificate()).unwrap().iin.unwrap();
    assert_eq!(iin, "123456789011");
    let content = pdf_like();
    let cms = key.sign_detached_at(&content, SIGNED_AT);
    let expectation = Expectation {
        iin: Some(iin.clone()),
        ..Expectation::default()
    };
    let report = verify(&verifier(), &cms, &content, expectation);
    assert_verdict(&report, Verdict::PASSED, "signed by individual_valid");
    assert_eq!(report.detached, Some(true));
    assert_eq!(report.ownership.as_ref().unwrap().matching_signers, [0]);
    let signer = &report.signers[0];
    assert_eq!(
        signer.identity.as_ref().unwrap().iin.as_deref(),
        Some(&*iin)
    );
    assert_eq!(signer.revocation[0].status, "good");
    let json = serde_json::to_value(signer).unwrap();
    assert_eq!(json["claimedSigningTime"], "2026-08-20T10:00:00Z");
    assert_eq!(
        json["signatureAlgorithm"],
        "GOST 34.10-2015 512, GOST R 34.11-2012 512"
    );

    // The same key under the default policy: the CA's status is unknown (no root CRL), as
    // for the real Kalkan CMS.
    let report = verify(
        &verifier_with(Policy::default()),
        &cms,
        &content,
        Expectation::default(),
    );
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::TryLater),
        "default policy",
    );
}

/// `sign_detached` claims the system clock's time and verifies the same way.
#[test]
fn sign_detached_claims_now() {
    let key = key("individual/valid/individual_valid.p12");
    let content = pdf_like();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cms = key.sign_detached(&content);
    let parsed = parse_signed_data(&cms).unwrap();
    let claimed = parsed.signer_infos[0]
        .signed_attrs
        .as_ref()
        .unwrap()
        .signing_time
        .unwrap()
        .unix_timestamp();
    assert!((before as i64..before as i64 + 60).contains(&claimed));
    let report = verify(&verifier(), &cms, &content, Expectation::default());
    assert_verdict(&report, Verdict::PASSED, "sign_detached");
}

/// One changed byte of the content is HASH_FAILURE; one changed bit of the signature value
/// SIG_CRYPTO_FAILURE.
#[test]
fn changed_content_or_signature_fails() {
    let key = key("individual/valid/individual_valid.p12");
    let content = pdf_like();
    let cms = key.sign_detached_at(&content, SIGNED_AT);

    for at in [0, content.len() / 2, content.len() - 1] {
        let mut changed = content.clone();
        changed[at] ^= 0x20;
        let report = verify(&verifier(), &cms, &changed, Expectation::default());
        assert_verdict(
            &report,
            Verdict::failed(SubIndication::HashFailure),
            &format!("byte {at} changed"),
        );
    }

    let mut flipped = cms.clone();
    let last = flipped.len() - 1; // the last byte of the signature value (s)
    flipped[last] ^= 0x01;
    let report = verify(&verifier(), &flipped, &content, Expectation::default());
    assert_verdict(
        &report,
        Verdict::failed(SubIndication::SigCryptoFailure),
        "flipped signature bit",
    );
}

/// A key paired with another key's certificate is refused when loaded, not at verification.
#[test]
#[should_panic(expected = "the private key is not the certificate's")]
fn key_and_certificate_must_match() {
    let head = key("legal/valid/head.p12");
    let individual = key("individual/valid/individual_valid.p12");
    GostKey::from_parts(head.private_key(), individual.certificate().to_vec());
}

/// Every one of the 12 keys signs: those on the CRL (certificateHold under `revoked/`,
/// superseded for two under `valid/`) are INDETERMINATE/REVOKED_NO_POE without a proof of
/// existence, the others TOTAL_PASSED.
#[test]
fn revoked_keys_verify_as_revoked() {
    let verifier = verifier();
    let content = pdf_like();
    for (path, pfx, on_crl) in PKCS12 {
        let key = GostKey::from_pkcs12(pfx, PASSWORD);
        let cms = key.sign_detached_at(&content, SIGNED_AT);
        let report = verify(&verifier, &cms, &content, Expectation::default());
        let (verdict, status) = if on_crl {
            (Verdict::failed(SubIndication::RevokedNoPoe), "revoked")
        } else {
            (Verdict::PASSED, "good")
        };
        assert_verdict(&report, verdict, path);
        assert_eq!(report.signers[0].revocation[0].status, status, "{path}");
    }
    let revoked = key("individual/revoked/individual_revoked.p12");
    let report = verify(
        &verifier,
        &revoked.sign_detached_at(&content, SIGNED_AT),
        &content,
        Expectation::default(),
    );
    assert_eq!(
        report.signers[0].revocation[0].revocation_date.as_deref(),
        Some("2026-05-08T14:57:29Z")
    );
}

/// The OIDs of a SignedData's algorithms and signed attributes, in order.
fn shape(signed_data: &SignedData<'_>) -> Vec<String> {
    let signer = &signed_data.signer_infos[0];
    let mut oids = vec![
        format!("version {}", signed_data.version),
        format!("content {}", signed_data.encap_content_info.e_content_type),
        format!("signer version {}", signer.version),
        format!("digest {}", signer.digest_algorithm.algorithm),
        format!("signature {}", signer.signature_algorithm.algorithm),
    ];
    oids.extend(
        signed_data
            .digest_algorithms
            .iter()
            .map(|a| format!("digestAlgorithms {}", a.algorithm)),
    );
    let attrs = signer.signed_attrs.as_ref().unwrap();
    oids.extend(
        attrs
            .attributes
            .iter()
            .map(|a| format!("signed {}", a.attr_type)),
    );
    oids
}

/// The CMS made here parses with this crate's parser and has the shape of the real Kalkan
/// detached CMS of the same certificate: the same versions, algorithms (with NULL parameters)
/// and signed attributes in the same order, the same signer identifier and certificate, a
/// 64-byte messageDigest, a 128-byte signature, and signingCertificateV2 with the
/// certificate's SHA-256 under the omitted (default) hashAlgorithm. Only Kalkan's unsigned
/// time-stamp token is missing.
#[test]
fn shape_is_kalkans() {
    let key = key("individual/valid/individual_valid.p12");
    let content = fixtures::INDIVIDUAL_DOCUMENT;
    let ours = key.sign_detached_at(content, SIGNED_AT);
    let ours = parse_signed_data(&ours).unwrap();
    let real = parse_signed_data(fixtures::INDIVIDUAL_DETACHED).unwrap();
    assert_eq!(shape(&ours), shape(&real));
    assert_eq!(
        shape(&ours)[5..],
        [
            "digestAlgorithms 1.2.398.3.10.1.3.3",
            "signed 1.2.840.113549.1.9.3",
            "signed 1.2.840.113549.1.9.5",
            "signed 1.2.840.113549.1.9.16.2.47",
            "signed 1.2.840.113549.1.9.4",
        ]
    );
    assert!(ours.is_detached() && real.is_detached());
    assert!(ours.crls.is_empty() && real.crls.is_empty());

    let (signer, real_signer) = (&ours.signer_infos[0], &real.signer_infos[0]);
    assert_eq!(signer.sid, real_signer.sid);
    assert!(matches!(
        signer.sid,
        SignerIdentifier::IssuerAndSerialNumber(_)
    ));
    for (a, b) in [
        (&signer.digest_algorithm, &real_signer.digest_algorithm),
        (
            &signer.signature_algorithm,
            &real_signer.signature_algorithm,
        ),
    ] {
        assert_eq!(a.raw, b.raw);
    }
    assert_eq!(signer.signature.len(), 128);
    assert_eq!(real_signer.signature.len(), 128);
    assert!(signer.unsigned_attrs.is_none());

    assert_eq!(
        ours.certificates,
        [CertificateChoice::Certificate(key.certificate())]
    );
    let [CertificateChoice::Certificate(real_cert)] = real.certificates[..] else {
        panic!("one certificate in the Kalkan CMS");
    };
    assert_eq!(
        real_cert,
        key.certificate(),
        "Kalkan's signer is individual_valid"
    );

    let (attrs, real_attrs) = (
        signer.signed_attrs.as_ref().unwrap(),
        real_signer.signed_attrs.as_ref().unwrap(),
    );
    assert_eq!(
        attrs.message_digest, real_attrs.message_digest,
        "same document"
    );
    let (v2, real_v2) = (
        attrs.signing_certificate_v2.as_ref().unwrap(),
        real_attrs.signing_certificate_v2.as_ref().unwrap(),
    );
    assert_eq!(v2, real_v2);
    assert!(v2.certs[0].hash_algorithm.is_none());
    assert_eq!(
        v2.certs[0].cert_hash,
        crate::testing::sha256(key.certificate())
    );
}

/// The seeded variant is reproducible and the seed matters; the random one never repeats.
#[test]
fn seeded_signatures_are_reproducible() {
    let key = key("legal/valid/head.p12");
    let content = b"reproducible";
    let a = key.sign_detached_seeded(content, SIGNED_AT, 1);
    assert_eq!(a, key.sign_detached_seeded(content, SIGNED_AT, 1));
    assert_ne!(a, key.sign_detached_seeded(content, SIGNED_AT, 2));
    assert_ne!(
        key.sign_detached_at(content, SIGNED_AT),
        key.sign_detached_at(content, SIGNED_AT)
    );
    let report = verify(&verifier(), &a, content, Expectation::default());
    assert_verdict(&report, Verdict::PASSED, "seeded");

    // sign_digest's signatures verify with the public GOST API.
    let digest = crate::gost::GostDigestAlgorithm::Streebog512.digest(content);
    for signature in [key.sign_digest(&digest), key.sign_digest_seeded(&digest, 9)] {
        crate::gost::verify_digest(
            crate::gost::GostAlgorithm::Gost2015_512,
            &key.public_key(),
            &digest,
            &signature,
        )
        .unwrap();
    }
}

/// The attached form carries the content and verifies without it.
#[test]
fn attached_carries_the_content() {
    let key = key("individual/valid/individual_valid.p12");
    let cms = key.sign_attached_at(b"attached", SIGNED_AT);
    assert_eq!(
        parse_signed_data(&cms).unwrap().content(),
        Some(&b"attached"[..])
    );
    let report = verifier()
        .verify(&Request::new(&cms, VALIDATION_TIME))
        .unwrap();
    assert_verdict(&report, Verdict::PASSED, "attached");
}

/// Benchmarks sign from several threads with one key.
#[test]
fn key_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let key = key("legal/valid/head.p12");
    send_sync(&key);
    let signatures: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4u8)
            .map(|i| {
                let key = &key;
                scope.spawn(move || key.sign_detached_at(&[i], SIGNED_AT))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let verifier = verifier();
    for (i, cms) in (0..4u8).zip(&signatures) {
        let report = verify(&verifier, cms, &[i], Expectation::default());
        assert_verdict(&report, Verdict::PASSED, "signed on a thread");
    }
}

/// Signatures per second of `sign_detached` on a 4 KiB document (run with `--ignored
/// --nocapture` in release mode; a figure to read, not an assertion).
#[test]
#[ignore = "a timing to read, not a check"]
fn signing_rate() {
    let key = key("individual/valid/individual_valid.p12");
    let content = pdf_like();
    let _ = key.sign_detached(&content); // builds the table of multiples of G
    let count = 2_000;
    let start = std::time::Instant::now();
    let mut total = 0;
    for i in 0..count {
        let mut doc = content.clone();
        doc[..4].copy_from_slice(&u32::to_le_bytes(i));
        total += key.sign_detached(&doc).len();
    }
    let elapsed = start.elapsed();
    println!(
        "sign_detached: {count} signatures of {} bytes in {elapsed:?}: {:.0}/s ({total} bytes)",
        content.len(),
        f64::from(count) / elapsed.as_secs_f64()
    );

    // The parts: the signature proper (k·G and the scalars) and the Streebog-512 of the
    // document, which grows with its size.
    let digest = crate::gost::GostDigestAlgorithm::Streebog512.digest(&content);
    let start = std::time::Instant::now();
    for _ in 0..count {
        total += key.sign_digest(&digest).len();
    }
    let elapsed = start.elapsed();
    println!(
        "sign_digest: {:.0}/s",
        f64::from(count) / elapsed.as_secs_f64()
    );
    let start = std::time::Instant::now();
    for _ in 0..count {
        total += crate::gost::GostDigestAlgorithm::Streebog512
            .digest(&content)
            .len();
    }
    let elapsed = start.elapsed();
    println!(
        "Streebog-512 of {} bytes: {:.0}/s ({total})",
        content.len(),
        f64::from(count) / elapsed.as_secs_f64()
    );
}
