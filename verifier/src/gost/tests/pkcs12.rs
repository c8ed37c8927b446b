//! The NCA test keys of the ncanode_go material, read from their PKCS#12 files: a minimal,
//! test-only PKCS#12 reader (RFC 7292: BER, password-based encryption with the SHA-1 key
//! derivation of appendix B.2; pbeWithSHAAnd3-KeyTripleDES-CBC for the key bag,
//! pbeWithSHAAnd40BitRC2-CBC for the certificate bag; the MAC is not checked).
//!
//! With each key: `d·G` is the certificate's public key (so the private-key encoding, 64 bytes
//! little-endian, and the public-key encoding agree), a signature made by the test signer with
//! the real key verifies with the certificate, and the certificate's own signature verifies
//! with the NCA GOST TEST 2022 CA. The CRL of 2026-08-11 lists exactly the certificates
//! `testdata/README.md` says it does.

use crypto_bigint::U512;

use super::fixtures::{CA_CERT, NCANODE_CA_CRL, NCANODE_KEYS as KEYS};
use super::signer::TestRng;
use crate::gost::field::{uint_from_le, uint_to_le};
use crate::gost::params::Tc26Gost512A;
use crate::gost::{GostAlgorithm, GostError, verify};
use crate::test_support::pkcs12::read_pfx;

#[test]
fn ncanode_test_keys_sign_and_their_certificates_verify() {
    let (_, crl) = x509_parser::parse_x509_crl(NCANODE_CA_CRL).unwrap();
    let revoked: Vec<&[u8]> = crl
        .iter_revoked_certificates()
        .map(|r| r.raw_serial())
        .collect();
    let (_, ca) = x509_parser::parse_x509_certificate(CA_CERT).unwrap();
    let ca_key = &ca.public_key().subject_public_key.data;
    let mut rng = TestRng::new(0x6e_6361_6e6f_6465);

    for (name, pfx, on_crl) in KEYS {
        let (d_le, cert_der) = read_pfx(pfx);
        assert_eq!(d_le.len(), 64, "{name}");
        let (_, cert) = x509_parser::parse_x509_certificate(&cert_der).unwrap();
        let public_key = &cert.public_key().subject_public_key.data;

        // d·G is the certificate's key.
        let d = uint_from_le::<{ U512::LIMBS }>(&d_le).unwrap();
        assert_eq!(
            super::signer::public_key_bytes::<Tc26Gost512A, { U512::LIMBS }>(&d),
            public_key.to_vec(),
            "{name}"
        );
        assert_eq!(uint_to_le(&d), d_le);

        // A signature by the real key verifies with the certificate, on random messages.
        for len in [0, 1, 100, 1000] {
            let message = rng.bytes(len);
            let digest = GostAlgorithm::Gost2015_512
                .digest_algorithm()
                .digest(&message);
            let signature =
                super::signer::sign_digest::<Tc26Gost512A, { U512::LIMBS }>(&d, &digest, &mut rng);
            assert_eq!(
                verify(
                    GostAlgorithm::Gost2015_512,
                    public_key,
                    &message,
                    &signature
                ),
                Ok(()),
                "{name}"
            );
            let mut tampered = message.clone();
            tampered.push(0);
            assert_eq!(
                verify(
                    GostAlgorithm::Gost2015_512,
                    public_key,
                    &tampered,
                    &signature
                ),
                Err(GostError::BadSignature),
                "{name}"
            );
        }

        // The certificate is signed by the NCA GOST TEST 2022 CA.
        assert_eq!(cert.issuer(), ca.subject(), "{name}");
        verify(
            GostAlgorithm::Gost2015_512,
            ca_key,
            cert.tbs_certificate.as_ref(),
            &cert.signature_value.data,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));

        // Upstream swapped two names (see `testdata/README.md`): infosystem.p12 holds the
        // treasury-client EKU 1.2.398.5.19.1.2.2.1, treasury_client.p12 the information-system
        // EKU 1.2.398.3.3.4.1.2.6.
        let ekus: Vec<String> = cert
            .extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .other
            .iter()
            .map(|oid| oid.to_id_string())
            .collect();
        let treasury = ekus.iter().any(|e| e == "1.2.398.5.19.1.2.2.1");
        let infosystem = ekus.iter().any(|e| e.starts_with("1.2.398.3.3.4.1.2.6"));
        if name.ends_with("/infosystem.p12") {
            assert!(treasury && !infosystem, "{name}: {ekus:?}");
        }
        if name.ends_with("/treasury_client.p12") {
            assert!(infosystem && !treasury, "{name}: {ekus:?}");
        }

        // The CRL lists it or not, as `testdata/README.md` says.
        assert_eq!(
            revoked.contains(&cert.tbs_certificate.raw_serial()),
            on_crl,
            "{name}"
        );
    }
}
