//! The CMS SignedData of a [`GostKey`], in the shape of the NCA software's GOST 34.10-2015 512
//! signatures (`testdata/skarm_kalkan/cms/*`, made by Kalkan), without the RFC 3161 token
//! Kalkan adds as an unsigned attribute (there is no test TSA with a GOST key here).

use crate::gost::GostDigestAlgorithm;
use crate::testing::{ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use crate::testing::{attribute, der_tlv, integer, octets, oid, seq, set, signing_time};

use super::GostKey;
use super::key::Nonce;

impl GostKey {
    /// A detached CMS over `content` (id-data) signed now (the system clock's signingTime),
    /// with a random nonce. See [`sign_detached_at`](Self::sign_detached_at) for the shape.
    pub fn sign_detached(&self, content: &[u8]) -> Vec<u8> {
        self.sign_detached_at(content, now())
    }

    /// A DER ContentInfo (RFC 5652 §3) with a SignedData (§5.1) over `content`, detached, as
    /// NCA's software makes it for GOST 34.10-2015 512, claiming the signingTime
    /// `signing_time` (unix seconds), with a random nonce:
    ///
    /// - SignedData version 1, digestAlgorithms `{ Streebog-512 (1.2.398.3.10.1.3.3), NULL }`,
    ///   encapContentInfo id-data without eContent, certificates `[0]`: the signer's;
    /// - one SignerInfo version 1, sid issuerAndSerialNumber, digestAlgorithm Streebog-512;
    ///   signedAttrs, in DER order (which is Kalkan's): contentType id-data, signingTime
    ///   (UTCTime), signingCertificateV2 (the certificate's SHA-256, the hashAlgorithm
    ///   omitted), messageDigest (the Streebog-512 of `content`, as the hash outputs it);
    /// - signatureAlgorithm `{ 1.2.398.3.10.1.1.2.3.2, NULL }`, signature an OCTET STRING of
    ///   `r_le || s_le` over the Streebog-512 of the signed attributes' DER with the SET tag.
    pub fn sign_detached_at(&self, content: &[u8], signing_time: i64) -> Vec<u8> {
        self.signed_data(content, false, signing_time, Nonce::Random)
    }

    /// [`sign_detached_at`](Self::sign_detached_at) with the nonce derived from `seed` (see
    /// [`sign_digest_seeded`](Self::sign_digest_seeded)): the same content, time and seed give
    /// the same bytes, for reproducible fixtures.
    pub fn sign_detached_seeded(&self, content: &[u8], signing_time: i64, seed: u64) -> Vec<u8> {
        self.signed_data(content, false, signing_time, Nonce::Seeded(seed))
    }

    /// [`sign_detached_at`](Self::sign_detached_at) with `content` carried as eContent.
    pub fn sign_attached_at(&self, content: &[u8], signing_time: i64) -> Vec<u8> {
        self.signed_data(content, true, signing_time, Nonce::Random)
    }

    fn signed_data(&self, content: &[u8], attached: bool, time: i64, nonce: Nonce) -> Vec<u8> {
        let parts = &self.parts;
        let message_digest = GostDigestAlgorithm::Streebog512.digest(content);
        let mut attributes = [
            parts.content_type.as_slice(),
            &attribute(ID_SIGNING_TIME, &signing_time(time)),
            &parts.signing_certificate_v2,
            &attribute(ID_MESSAGE_DIGEST, &octets(&message_digest)),
        ];
        // DER SET OF: the encodings in ascending order (X.690 §11.6).
        attributes.sort();
        let attributes = attributes.concat();
        let signed = der_tlv(0x31, &attributes);
        let digest = GostDigestAlgorithm::Streebog512.digest(&signed);
        let signature = self.sign_digest_with(&digest, nonce);

        let signer_info = seq(&[
            &integer(&[1]),
            &parts.sid,
            &parts.digest_algorithm,
            &der_tlv(0xA0, &attributes),
            &parts.signature_algorithm,
            &octets(&signature),
        ]);
        let encapsulated = if attached {
            seq(&[&oid(ID_DATA), &der_tlv(0xA0, &octets(content))])
        } else {
            seq(&[&oid(ID_DATA)])
        };
        let signed_data = seq(&[
            &integer(&[1]),
            &set(&[&parts.digest_algorithm]),
            &encapsulated,
            &parts.certificates,
            &set(&[&signer_info]),
        ]);
        seq(&[&oid(ID_SIGNED_DATA), &der_tlv(0xA0, &signed_data)])
    }
}

/// The system clock in unix seconds.
fn now() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}
