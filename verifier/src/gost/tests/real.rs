//! Real NCA signatures from `testdata/`: CMS made by Kalkan/NCALayer (2026, GOST 2015-512) and
//! the older GOST-2004 examples, the certificates of the NCA GOST TEST 2022 chain, its CRLs, and
//! the RFC 3161 time-stamp tokens inside the CMS.
//!
//! Every verdict here is about the *signature mathematics* only (validity periods, revocation
//! and policies belong to the engine): each must verify, whatever the validation time.

use x509_parser::certificate::X509Certificate;
use x509_parser::revocation_list::CertificateRevocationList;

use super::fixtures::*;
use crate::ber::Tlv;
use crate::cms::{SignedData, SignerIdentifier, SignerInfo};
use crate::gost::{
    GostAlgorithm, GostDigestAlgorithm, PreparedKey, check_public_key, verify, verify_digest,
};
use crate::input::{decode_certificate_file, decode_cms, decode_crl_file};
use crate::oid::Oid;
use crate::parse_signed_data;

/// The full NCA GOST TEST 2022 CRL of 2026-08-11 (ncanode_go material).
const NCANODE_CA_CRL: &[u8] =
    include_bytes!("../../../testdata/ncanode_go/certs/nca_gost2022_test.crl");
/// The content signed by `CMS_for_double_sign.txt` (detached). Not the repository's
/// `examples/text.txt` ("Hello World!" and CRLF, whose GOST R 34.11-94 digest differs) but these
/// 11 bytes: their digest is the messageDigest the CMS carries.
const DOUBLE_SIGN_CONTENT: &[u8] = b"Hello World";

fn oid<'a>(x509_oid: &'a x509_parser::der_parser::oid::Oid<'_>) -> Oid<'a> {
    Oid::from_content(x509_oid.as_bytes()).unwrap()
}

fn der_of(file: &[u8]) -> Vec<u8> {
    let mut certs = decode_certificate_file(file).unwrap();
    assert_eq!(certs.len(), 1);
    certs.remove(0).into_owned()
}

fn parse_cert(der: &[u8]) -> X509Certificate<'_> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    assert!(rest.is_empty());
    cert
}

/// The GOST algorithm of a certificate's key, checking the parameter set it names.
fn key_algorithm(cert: &X509Certificate<'_>) -> GostAlgorithm {
    let spki = cert.public_key();
    let algorithm = GostAlgorithm::from_public_key_oid(oid(&spki.algorithm.algorithm))
        .unwrap_or_else(|| panic!("not a GOST key: {}", spki.algorithm.algorithm));
    // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, parameters }, BIT STRING },
    // parameters = SEQUENCE { paramSet OID, digest OID } for NCA.
    let spki_tlv = Tlv::parse_single(spki.raw).unwrap();
    let alg = spki_tlv.children().next_tlv().unwrap().unwrap();
    let mut fields = alg.children();
    fields.next_tlv().unwrap(); // the algorithm OID
    let params = fields.next_tlv().unwrap().unwrap();
    let first = params.children().next_tlv().unwrap().unwrap();
    let param_set = Oid::from_content(first.content()).unwrap();
    assert_eq!(param_set, algorithm.public_key_param_set_oid());
    algorithm
}

fn public_key<'a>(cert: &'a X509Certificate<'_>) -> &'a [u8] {
    &cert.public_key().subject_public_key.data
}

/// Verifies `child`'s signature with `issuer`'s key and returns the algorithm.
fn verify_certificate(child: &[u8], issuer: &[u8]) -> GostAlgorithm {
    let (child, issuer) = (parse_cert(child), parse_cert(issuer));
    let algorithm =
        GostAlgorithm::from_signature_oid(oid(&child.signature_algorithm.algorithm)).unwrap();
    assert_eq!(key_algorithm(&issuer), algorithm);
    assert_eq!(child.signature_value.unused_bits, 0);
    verify(
        algorithm,
        public_key(&issuer),
        child.tbs_certificate.as_ref(),
        &child.signature_value.data,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", child.subject()));
    algorithm
}

fn verify_crl(crl_file: &[u8], issuer: &[u8]) -> usize {
    let der = decode_crl_file(crl_file).unwrap().remove(0).into_owned();
    let (_, crl): (_, CertificateRevocationList<'_>) = x509_parser::parse_x509_crl(&der).unwrap();
    let issuer = parse_cert(issuer);
    assert_eq!(crl.tbs_cert_list.issuer, *issuer.subject());
    let algorithm =
        GostAlgorithm::from_signature_oid(oid(&crl.signature_algorithm.algorithm)).unwrap();
    assert_eq!(algorithm, GostAlgorithm::Gost2015_512);
    verify(
        algorithm,
        public_key(&issuer),
        crl.tbs_cert_list.as_ref(),
        &crl.signature_value.data,
    )
    .unwrap();
    // One flipped bit anywhere in the signed part fails.
    let mut tampered = crl.tbs_cert_list.as_ref().to_vec();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x10;
    assert!(
        verify(
            algorithm,
            public_key(&issuer),
            &tampered,
            &crl.signature_value.data
        )
        .is_err()
    );
    crl.iter_revoked_certificates().count()
}

/// The certificate among `sd.certificates` that `si.sid` designates.
fn signer_certificate<'a>(sd: &SignedData<'a>, si: &SignerInfo<'_>) -> &'a [u8] {
    sd.x509_certificates()
        .find(|der| {
            let cert = parse_cert(der);
            match &si.sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    ias.serial_number == cert.tbs_certificate.raw_serial()
                        && ias.issuer == cert.tbs_certificate.issuer.as_raw()
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => cert
                    .tbs_certificate
                    .extensions()
                    .iter()
                    .any(|ext| ext.value.ends_with(ski)),
            }
        })
        .expect("signer certificate in the SignedData")
}

/// Verifies a SignerInfo with signed attributes: the signature over the attributes with the
/// signer certificate's key, and messageDigest against `content`. Returns the algorithm.
fn verify_signer_info(si: &SignerInfo<'_>, cert_der: &[u8], content: &[u8]) -> GostAlgorithm {
    let cert = parse_cert(cert_der);
    let algorithm = GostAlgorithm::from_signature_oid(si.signature_algorithm.algorithm).unwrap();
    assert_eq!(key_algorithm(&cert), algorithm);
    let digest_algorithm = GostDigestAlgorithm::from_oid(si.digest_algorithm.algorithm).unwrap();
    assert_eq!(digest_algorithm, algorithm.digest_algorithm());
    let attrs = si.signed_attrs.as_ref().unwrap();

    verify(
        algorithm,
        public_key(&cert),
        &attrs.bytes_to_verify(),
        &si.signature,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", cert.subject()));
    // The same through a precomputed digest over the two pieces.
    let digest = digest_algorithm.digest_parts(&attrs.bytes_to_verify_parts());
    verify_digest(algorithm, public_key(&cert), &digest, &si.signature).unwrap();
    // And with the key's precomputed multiples.
    let prepared = PreparedKey::new(algorithm, public_key(&cert)).unwrap();
    assert_eq!(prepared.algorithm(), algorithm);
    prepared.verify_digest(&digest, &si.signature).unwrap();
    prepared
        .verify(&attrs.bytes_to_verify(), &si.signature)
        .unwrap();
    // messageDigest is the hash of the content, as is (not reversed).
    assert_eq!(*attrs.message_digest, digest_algorithm.digest(content));
    algorithm
}

/// Verifies the SignerInfo of an RFC 3161 token with the TSA certificate carried in the token;
/// also checks that the token's messageImprint is the digest of `signature` (the value it
/// time-stamps). Returns the token's signature algorithm and the TSA certificate.
fn verify_time_stamp_token(token: &[u8], signature: &[u8]) -> (GostAlgorithm, Vec<u8>) {
    let tst = parse_signed_data(token).unwrap();
    assert_eq!(tst.signer_infos.len(), 1);
    let si = &tst.signer_infos[0];
    let tsa_cert = signer_certificate(&tst, si);
    let tst_info = tst.content().unwrap();
    let algorithm = verify_signer_info(si, tsa_cert, tst_info);

    // TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE { hashAlgorithm,
    // hashedMessage OCTET STRING }, ... }
    let tst_info = Tlv::parse_single(tst_info).unwrap();
    let mut fields = tst_info.children();
    fields.next_tlv().unwrap(); // version
    fields.next_tlv().unwrap(); // policy
    let imprint = fields.next_tlv().unwrap().unwrap();
    let mut imprint = imprint.children();
    let hash_alg = imprint.next_tlv().unwrap().unwrap();
    let hash_oid =
        Oid::from_content(hash_alg.children().next_tlv().unwrap().unwrap().content()).unwrap();
    let hashed = imprint.next_tlv().unwrap().unwrap();
    let imprint_algorithm = GostDigestAlgorithm::from_oid(hash_oid).unwrap();
    assert_eq!(hashed.content(), imprint_algorithm.digest(signature));
    (algorithm, tsa_cert.to_vec())
}

struct KalkanCase {
    name: &'static str,
    cms: &'static [u8],
    document: &'static [u8],
    signer: &'static [u8],
}

const KALKAN_CASES: [KalkanCase; 4] = [
    KalkanCase {
        name: "individual_attached",
        cms: INDIVIDUAL_ATTACHED,
        document: INDIVIDUAL_DOCUMENT,
        signer: INDIVIDUAL_SIGNER,
    },
    KalkanCase {
        name: "individual_detached",
        cms: INDIVIDUAL_DETACHED,
        document: INDIVIDUAL_DOCUMENT,
        signer: INDIVIDUAL_SIGNER,
    },
    KalkanCase {
        name: "legal_entity_attached",
        cms: LEGAL_ATTACHED,
        document: LEGAL_DOCUMENT,
        signer: LEGAL_SIGNER,
    },
    KalkanCase {
        name: "legal_entity_detached",
        cms: LEGAL_DETACHED,
        document: LEGAL_DOCUMENT,
        signer: LEGAL_SIGNER,
    },
];

/// The four Kalkan CMS of 2026-07-20: each SignerInfo verifies with the signer certificate's
/// key, messageDigest is Streebog-512 of the document, and the certificate in the CMS is the
/// published `*_signer.cer`.
#[test]
fn kalkan_2026_cms_signatures_verify() {
    for case in &KALKAN_CASES {
        let sd = parse_signed_data(case.cms).unwrap();
        if let Some(content) = sd.content() {
            assert_eq!(content, case.document, "{}", case.name);
        }
        let si = &sd.signer_infos[0];
        let cert = signer_certificate(&sd, si);
        assert_eq!(cert, der_of(case.signer).as_slice(), "{}", case.name);
        let algorithm = verify_signer_info(si, cert, case.document);
        assert_eq!(algorithm, GostAlgorithm::Gost2015_512, "{}", case.name);
    }
}

/// The time-stamp token in each Kalkan CMS: its own SignerInfo verifies with the TSA
/// certificate it carries (that certificate chains to the *production* NCA GOST 2022 CA, not
/// in the fixtures, so the chain is not checked here), and it time-stamps this signature value.
#[test]
fn kalkan_2026_time_stamp_tokens_verify() {
    for case in &KALKAN_CASES {
        let sd = parse_signed_data(case.cms).unwrap();
        let si = &sd.signer_infos[0];
        let tokens: Vec<_> = si.signature_time_stamp_tokens().collect();
        assert_eq!(tokens.len(), 1, "{}", case.name);
        let (algorithm, tsa_cert) = verify_time_stamp_token(tokens[0], &si.signature);
        assert_eq!(algorithm, GostAlgorithm::Gost2015_512, "{}", case.name);
        let tsa = parse_cert(&tsa_cert);
        check_public_key(algorithm, public_key(&tsa)).unwrap();
    }
}

/// Signer certificates ← NCA GOST TEST 2022 CA ← root (self-signed).
#[test]
fn test_2022_chain_certificate_signatures() {
    let root = ROOT_CERT;
    let ca = CA_CERT;
    assert_eq!(verify_certificate(root, root), GostAlgorithm::Gost2015_512);
    assert_eq!(verify_certificate(ca, root), GostAlgorithm::Gost2015_512);
    for signer in [INDIVIDUAL_SIGNER, LEGAL_SIGNER] {
        assert_eq!(
            verify_certificate(&der_of(signer), ca),
            GostAlgorithm::Gost2015_512
        );
    }
    // And not by the wrong key: the CA does not sign itself, the root did not sign the users.
    let ca_cert = parse_cert(ca);
    let root_cert = parse_cert(root);
    assert!(
        verify(
            GostAlgorithm::Gost2015_512,
            public_key(&ca_cert),
            ca_cert.tbs_certificate.as_ref(),
            &ca_cert.signature_value.data,
        )
        .is_err()
    );
    let user = der_of(INDIVIDUAL_SIGNER);
    let user = parse_cert(&user);
    assert!(
        verify(
            GostAlgorithm::Gost2015_512,
            public_key(&root_cert),
            user.tbs_certificate.as_ref(),
            &user.signature_value.data,
        )
        .is_err()
    );
}

/// The full and delta CRLs of the NCA GOST TEST 2022 CA (2025) and its full CRL of 2026-08-11.
#[test]
fn test_2022_crl_signatures() {
    let full = verify_crl(CA_CRL, CA_CERT);
    let delta = verify_crl(CA_DELTA_CRL, CA_CERT);
    let ncanode = verify_crl(NCANODE_CA_CRL, CA_CERT);
    assert!(full > 0);
    assert!(delta <= full);
    assert_eq!(ncanode, 195, "the shared README's entry count");
}

/// The 2018 GOST-2004 example (attached): GOST R 34.10-2001 on CryptoPro-A with GOST R 34.11-94
/// (Test S-box); old Kalkan wrote the public-key OID in signatureAlgorithm. The signer
/// certificate's issuer (the production NCA GOST CA of that generation) is not in the fixtures,
/// so its certificate signature is not checked.
#[test]
fn gost_2004_example_attached_verifies() {
    let decoded = decode_cms(TEST_CMS_GOST).unwrap();
    let sd = parse_signed_data(&decoded.bytes).unwrap();
    let si = &sd.signer_infos[0];
    let cert = signer_certificate(&sd, si);
    assert_eq!(cert, der_of(TEST_CERT_GOST).as_slice());
    assert_eq!(
        si.signature_algorithm.algorithm.to_string(),
        "1.2.398.3.10.1.1.1.1"
    );
    let algorithm = verify_signer_info(si, cert, sd.content().unwrap());
    assert_eq!(algorithm, GostAlgorithm::Gost2004);

    // Its time-stamp token.
    let tokens: Vec<_> = si.signature_time_stamp_tokens().collect();
    assert_eq!(tokens.len(), 1);
    let (tsa_algorithm, _) = verify_time_stamp_token(tokens[0], &si.signature);
    assert_eq!(tsa_algorithm, GostAlgorithm::Gost2004);
}

/// The 2019 GOST-2004 example (detached): the signature over the signed attributes verifies,
/// and messageDigest is GOST R 34.11-94 (Test S-box) of "Hello World" (see
/// [`DOUBLE_SIGN_CONTENT`]). Its signer certificate's issuer is not in the fixtures.
#[test]
fn gost_2004_example_detached_verifies() {
    let decoded = decode_cms(CMS_FOR_DOUBLE_SIGN).unwrap();
    let sd = parse_signed_data(&decoded.bytes).unwrap();
    assert!(sd.is_detached());
    let si = &sd.signer_infos[0];
    let cert = signer_certificate(&sd, si);
    let algorithm = verify_signer_info(si, cert, DOUBLE_SIGN_CONTENT);
    assert_eq!(algorithm, GostAlgorithm::Gost2004);
}
