//! A GOST 34.10-2015 512 signing key read from an NCA PKCS#12 file, and its nonces.

use ring::rand::{SecureRandom, SystemRandom};

use crate::gost::GostDigestAlgorithm;
use crate::gost::sign::Gost2015_512Key;
use crate::path::Certificate;
use crate::testing::{algorithm, attribute, octets, oid, seq, sha256};

use super::{ID_GOST_2015_512_SIGNATURE, ID_STREEBOG_512};
use crate::testing::{ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE, ID_DATA, integer};

/// An NCA test key (GOST 34.10-2015 512) with its certificate, ready to sign many documents.
///
/// Everything of a signature that depends on the key and certificate only is encoded once here
/// (the signer identifier, the signingCertificateV2 attribute, the certificates field), so that
/// a signature costs the two Streebog-512 digests and one `k·G`. `Send + Sync`: threads of a
/// benchmark can share one key.
#[derive(Clone)]
pub struct GostKey {
    key: Gost2015_512Key,
    private_le: Vec<u8>,
    certificate: Vec<u8>,
    pub(super) parts: Parts,
    random: SystemRandom,
}

/// The constant encodings of this key's SignerInfo and SignedData.
#[derive(Clone)]
pub(super) struct Parts {
    /// `IssuerAndSerialNumber` of the certificate (RFC 5652 §10.2.4).
    pub(super) sid: Vec<u8>,
    /// `AlgorithmIdentifier { Streebog-512, NULL }`, as Kalkan writes it.
    pub(super) digest_algorithm: Vec<u8>,
    /// `AlgorithmIdentifier { GOST 34.10-2015 512, NULL }`.
    pub(super) signature_algorithm: Vec<u8>,
    /// The contentType attribute for id-data.
    pub(super) content_type: Vec<u8>,
    /// The signingCertificateV2 attribute (RFC 5035 §3) as NCA writes it for GOST: one
    /// ESSCertIDv2 with the certificate's **SHA-256** (the default hashAlgorithm, omitted), no
    /// issuerSerial.
    pub(super) signing_certificate_v2: Vec<u8>,
    /// `certificates [0] IMPLICIT` with the signer's certificate.
    pub(super) certificates: Vec<u8>,
}

impl core::fmt::Debug for GostKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GostKey").finish_non_exhaustive()
    }
}

impl GostKey {
    /// The key and certificate of an NCA PKCS#12 file (such as
    /// [`INDIVIDUAL_VALID`](super::INDIVIDUAL_VALID), password [`PASSWORD`](super::PASSWORD)).
    ///
    /// Panics if the file is not one of NCA's GOST 34.10-2015 512 PKCS#12 files, or if the
    /// password is wrong (the reader does not check the MAC; the key then does not match the
    /// certificate, which is checked here).
    pub fn from_pkcs12(pfx: &[u8], password: &str) -> Self {
        let (private_le, certificate) = crate::testing::pkcs12::read_pfx(pfx, password);
        Self::from_parts(&private_le, certificate)
    }

    /// The key `private_le` (64 bytes, little-endian, `0 < d < q`) with its certificate (DER).
    /// Panics if `d·G` is not the certificate's public key.
    pub fn from_parts(private_le: &[u8], certificate: Vec<u8>) -> Self {
        let key = Gost2015_512Key::from_le(private_le).expect("a GOST-2015-512 private key");
        let (_, parsed) = x509_parser::parse_x509_certificate(&certificate).unwrap();
        assert_eq!(
            key.public_key(),
            parsed.public_key().subject_public_key.data.as_ref(),
            "the private key is not the certificate's (wrong password?)"
        );
        let cert = Certificate::from_der(&certificate).unwrap();
        let ess_cert_id_v2 = seq(&[&octets(&sha256(&certificate))]);
        let parts = Parts {
            sid: seq(&[cert.issuer_raw(), &integer(cert.serial())]),
            digest_algorithm: algorithm(ID_STREEBOG_512),
            signature_algorithm: algorithm(ID_GOST_2015_512_SIGNATURE),
            content_type: attribute(ID_CONTENT_TYPE, &oid(ID_DATA)),
            signing_certificate_v2: attribute(
                ID_AA_SIGNING_CERTIFICATE_V2,
                &seq(&[&seq(&[&ess_cert_id_v2])]),
            ),
            certificates: crate::testing::der_tlv(0xA0, &certificate),
        };
        Self {
            key,
            private_le: private_le.to_vec(),
            certificate,
            parts,
            random: SystemRandom::new(),
        }
    }

    /// The private key `d`: 64 bytes, little-endian, as the PKCS#12 file holds it.
    pub fn private_key(&self) -> &[u8] {
        &self.private_le
    }

    /// The certificate, DER.
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The public key as the certificate's subjectPublicKey BIT STRING holds it (after the
    /// unused-bits octet): `04 81 80 || X_le || Y_le`.
    pub fn public_key(&self) -> Vec<u8> {
        self.key.public_key()
    }

    /// A signature `r_le || s_le` (128 bytes) of a Streebog-512 `digest` (64 bytes, the hash
    /// output as is) with a random nonce from the system.
    pub fn sign_digest(&self, digest: &[u8]) -> Vec<u8> {
        self.sign_digest_with(digest, Nonce::Random)
    }

    /// [`sign_digest`](Self::sign_digest) with a nonce derived from `seed`, the key and the
    /// digest (as RFC 6979 derives one, with Streebog-512): the same inputs give the same
    /// signature, different digests different nonces.
    pub fn sign_digest_seeded(&self, digest: &[u8], seed: u64) -> Vec<u8> {
        self.sign_digest_with(digest, Nonce::Seeded(seed))
    }

    pub(super) fn sign_digest_with(&self, digest: &[u8], nonce: Nonce) -> Vec<u8> {
        let mut counter = 0u32;
        self.key
            .sign_digest(digest, |block| match nonce {
                Nonce::Random => self.random.fill(block).unwrap(),
                Nonce::Seeded(seed) => {
                    let k = GostDigestAlgorithm::Streebog512.digest_parts(&[
                        b"qoima test nonce",
                        &seed.to_le_bytes(),
                        &self.private_le,
                        digest,
                        &counter.to_le_bytes(),
                    ]);
                    block.copy_from_slice(&k);
                    counter += 1;
                }
            })
            .expect("a 64-byte Streebog-512 digest")
    }
}

/// Where the nonce `k` comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Nonce {
    /// The system's random generator: what real signing does.
    Random,
    /// Derived from a seed, the key and the digest: reproducible fixtures.
    Seeded(u64),
}
