//! RSA verification where ring cannot: the RSA public operation (RSAVP1, RFC 8017 §5.2.2) on
//! crypto-bigint (fixed-size integers of the smallest of 2048, 3072, 4096, 6144 and 8192 bits
//! that holds the modulus, Montgomery form with the modulus given at run time), then
//!
//! - EMSA-PSS-VERIFY (§9.1.2) with MGF1 (appendix B.2.1), for the RSASSA-PSS salt lengths ring
//!   does not take (§8.1.2);
//! - EMSA-PKCS1-v1_5 (§9.2) for RSASSA-PKCS1-v1_5 (§8.2.2) from a precomputed digest: ring
//!   hashes the whole message itself, and a CRL's store keeps only the digest of its
//!   tbsCertList (`revocation/covered.rs`).
//!
//! ring verifies RSASSA-PSS only with a salt as long as the hash, which RFC 8017 §9.1
//! recommends but does not require: "Typical salt lengths in octets are hLen ... and 0", and
//! OpenSSL signs with the longest salt the key allows by default. Those signatures come here;
//! the common case (salt = hash length) stays with ring (`signature.rs`).
//!
//! Every check is strict, as ring's are for its own case: the key is the DER `RSAPublicKey`
//! (appendix A.1.1) with a modulus of 2048 (1024 for PKCS#1 v1.5, as ring's legacy verifiers)
//! to 8192 bits and an odd exponent from 3 to 2^33 - 1; the signature is exactly as long as
//! the modulus and below it; a PSS encoded message has its leftmost bits zero, the trailer
//! 0xbc, zero padding then 0x01, and a salt of exactly the declared length; a PKCS#1 v1.5 one
//! is compared in full with the one encoding of the digest (§8.2.2 step 4), as ring does.
//! Everything verified here is public, so nothing needs to run in constant time.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Limb, U64, U2048, U3072, U4096, U6144, U8192, Uint};

use crate::ber::{Tag, Tlv};
use crate::crypto::CryptoError;
use crate::crypto::digest::DigestAlgorithm;
use crate::crypto::pss::PssParameters;

/// The modulus sizes verified, as ring's `RSA_PSS_2048_8192_*`; whether a size is strong
/// enough is the policy's (`min-rsa-bits`).
const MIN_MODULUS_BITS: usize = 2048;
/// The smallest PKCS#1 v1.5 modulus, as ring's `RSA_PKCS1_1024_8192_*_FOR_LEGACY_USE_ONLY`
/// (which hash goes with which size is `algorithm.rs`'s `ring_algorithm`).
const MIN_PKCS1_MODULUS_BITS: usize = 1024;
const MAX_MODULUS_BITS: usize = 8192;
/// The largest public exponent taken, as ring: 2^33 - 1.
const MAX_EXPONENT_BITS: u32 = 33;

/// RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) of `signature` over `message` under `public_key`, the
/// DER `RSAPublicKey` (the subjectPublicKey BIT STRING's contents), with the hash, the MGF1
/// hash and the salt length of `pss` (RFC 4055 §3.1; the trailer field 1 is the 0xbc octet).
pub(crate) fn verify_pss(
    pss: PssParameters,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let key = RsaPublicKey::from_der(public_key, MIN_MODULUS_BITS)?;
    // Step 2: RSAVP1, then I2OSP to emLen = ceil((modBits - 1) / 8) octets.
    let m = key.rsavp1(signature).ok_or(CryptoError::BadSignature)?;
    let em_bits = key.bits.saturating_sub(1);
    let em_len = em_bits.div_ceil(8);
    // m has k octets; emLen is k or k - 1 (modBits = 8(k - 1) + 1): then "integer too large"
    // unless m's first octet is zero (I2OSP, §4.1).
    let (high, em) = m
        .split_at_checked(m.len().saturating_sub(em_len))
        .ok_or(CryptoError::BadSignature)?;
    if high.iter().any(|&b| b != 0) {
        return Err(CryptoError::BadSignature);
    }
    // Step 3: EMSA-PSS-VERIFY over the message hash.
    let m_hash = pss.hash.digest(message);
    if emsa_pss_verify(&m_hash, em, em_bits, pss) {
        Ok(())
    } else {
        Err(CryptoError::BadSignature)
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of the encoded message `em` (emLen octets) for the
/// message hash `m_hash`: whether it is "consistent".
pub(crate) fn emsa_pss_verify(
    m_hash: &[u8],
    em: &[u8],
    em_bits: usize,
    pss: PssParameters,
) -> bool {
    let h_len = pss.hash.output_len();
    let em_len = em.len();
    // emLen is exactly ceil(emBits / 8).
    if em_len != em_bits.div_ceil(8) || m_hash.len() != h_len {
        return false;
    }
    // Step 3: "If emLen < hLen + sLen + 2, output 'inconsistent'".
    let Ok(s_len) = usize::try_from(pss.salt_len) else {
        return false;
    };
    if em_len < h_len.saturating_add(s_len).saturating_add(2) {
        return false;
    }
    // Step 4: "If the rightmost octet of EM does not have hexadecimal value 0xbc".
    let Some((&0xbc, rest)) = em.split_last() else {
        return false;
    };
    // Step 5: maskedDB, the leftmost emLen - hLen - 1 octets, then H, the next hLen.
    let Some((masked_db, h)) = rest.split_at_checked(em_len - h_len - 1) else {
        return false;
    };
    // Step 6: the leftmost 8emLen - emBits bits of maskedDB's first octet must be zero.
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8.checked_shr(unused_bits as u32).unwrap_or(0);
    match masked_db.first() {
        Some(&first) if first & !top_mask == 0 => {}
        _ => return false,
    }
    // Steps 7-9: DB = maskedDB xor MGF(H, emLen - hLen - 1), its leftmost bits set to zero.
    let mut db = mgf1(pss.mgf1_hash, h, masked_db.len());
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // Step 10: the emLen - hLen - sLen - 2 leftmost octets are zero, the next one is 0x01.
    let Some((padding, rest)) = db.split_at_checked(em_len - h_len - s_len - 2) else {
        return false;
    };
    let Some((&0x01, salt)) = rest.split_first() else {
        return false;
    };
    if padding.iter().any(|&b| b != 0) || salt.len() != s_len {
        return false;
    }
    // Steps 11-14: salt = the last sLen octets of DB; H' = Hash(0x00 * 8 || mHash || salt).
    let h_prime = pss.hash.digest_parts(&[&[0; 8], m_hash, salt]);
    h_prime == h
}

/// RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2) of `signature` under `public_key` (the DER
/// `RSAPublicKey`) for a message whose `hash` digest is `digest`. Every failure is
/// [`CryptoError::BadSignature`], a malformed key too, as ring reports them for the whole
/// message.
pub(crate) fn verify_pkcs1_v1_5_digest(
    hash: DigestAlgorithm,
    public_key: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let key = RsaPublicKey::from_der(public_key, MIN_PKCS1_MODULUS_BITS)
        .map_err(|_| CryptoError::BadSignature)?;
    // Steps 1-2: the length check, RSAVP1 and I2OSP to k octets.
    let em = key.rsavp1(signature).ok_or(CryptoError::BadSignature)?;
    // Steps 3-4: EMSA-PKCS1-V1_5-ENCODE of the digest to k octets, compared in full.
    match emsa_pkcs1_v1_5_encode(hash, digest, em.len()) {
        Some(expected) if expected == em => Ok(()),
        _ => Err(CryptoError::BadSignature),
    }
}

/// EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) from the digest `h`: `0x00 || 0x01 || PS || 0x00 ||
/// T` in `em_len` octets, T the DER DigestInfo with NULL parameters (note 1's prefixes) and PS
/// at least eight 0xff octets. `None` for a hash without a prefix here, a digest of the wrong
/// length, or "intended encoded message length too short".
pub(crate) fn emsa_pkcs1_v1_5_encode(
    hash: DigestAlgorithm,
    h: &[u8],
    em_len: usize,
) -> Option<Vec<u8>> {
    let prefix = digest_info_prefix(hash)?;
    if h.len() != hash.output_len() {
        return None;
    }
    let t_len = prefix.len() + h.len();
    // Step 3: emLen < tLen + 11 is too short (PS would have fewer than 8 octets).
    let ps_len = em_len.checked_sub(t_len)?.checked_sub(3)?;
    if ps_len < 8 {
        return None;
    }
    let mut em = Vec::with_capacity(em_len);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(2 + ps_len, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(h);
    Some(em)
}

/// The DER of `DigestInfo` up to the digest's octets (RFC 8017 §9.2 note 1): the
/// AlgorithmIdentifier with NULL parameters, then the OCTET STRING header.
fn digest_info_prefix(hash: DigestAlgorithm) -> Option<&'static [u8]> {
    Some(match hash {
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha224 => &[
            0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x04, 0x05, 0x00, 0x04, 0x1c,
        ],
        DigestAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        DigestAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        DigestAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
        _ => return None,
    })
}

/// MGF1 (RFC 8017 appendix B.2.1): `mask_len` octets of Hash(seed || C) for C = 0, 1, ...
/// as four octets. Step 1's bound (maskLen > 2^32 hLen) cannot be reached: a mask is shorter
/// than the modulus.
fn mgf1(hash: DigestAlgorithm, seed: &[u8], mask_len: usize) -> Vec<u8> {
    let mut mask = Vec::with_capacity(mask_len.saturating_add(hash.output_len()));
    let mut counter: u32 = 0;
    while mask.len() < mask_len {
        mask.extend(hash.digest_parts(&[seed, &counter.to_be_bytes()]));
        counter = counter.wrapping_add(1);
    }
    mask.truncate(mask_len);
    mask
}

/// An RSA public key as this module verifies with it.
struct RsaPublicKey<'a> {
    /// The modulus, big-endian, without leading zero octets: k octets.
    modulus: &'a [u8],
    /// The modulus's length in bits.
    bits: usize,
    /// The public exponent.
    exponent: u64,
}

impl<'a> RsaPublicKey<'a> {
    /// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017
    /// appendix A.1.1), DER: minimal lengths and minimal positive integers.
    fn from_der(der: &'a [u8], min_bits: usize) -> Result<Self, CryptoError> {
        const BAD: CryptoError = CryptoError::MalformedKey("RSAPublicKey is not DER");
        let tlv = Tlv::parse_single(der).map_err(|_| BAD)?;
        if tlv.tag() != Tag::SEQUENCE || !is_der_header(&tlv) {
            return Err(BAD);
        }
        let mut children = tlv.children();
        let modulus = children.next_tlv().map_err(|_| BAD)?.ok_or(BAD)?;
        let exponent = children.next_tlv().map_err(|_| BAD)?.ok_or(BAD)?;
        if !children.is_empty() {
            return Err(BAD);
        }
        let modulus = positive_integer(&modulus).ok_or(BAD)?;
        let exponent = positive_integer(&exponent).ok_or(BAD)?;

        let bits = bit_length(modulus);
        if !(min_bits..=MAX_MODULUS_BITS).contains(&bits) {
            return Err(CryptoError::MalformedKey(
                "RSA modulus is outside the sizes verified (2048, or 1024 for PKCS#1 v1.5, to 8192 bits)",
            ));
        }
        if modulus.last().is_none_or(|b| b & 1 == 0) {
            return Err(CryptoError::MalformedKey("RSA modulus is even"));
        }
        let exponent = (bit_length(exponent) <= MAX_EXPONENT_BITS as usize)
            .then(|| {
                exponent
                    .iter()
                    .fold(0u64, |value, &b| (value << 8) | u64::from(b))
            })
            .filter(|e| e % 2 == 1 && *e >= 3)
            .ok_or(CryptoError::MalformedKey(
                "RSA public exponent is not an odd number from 3 to 2^33 - 1",
            ))?;
        Ok(Self {
            modulus,
            bits,
            exponent,
        })
    }

    /// RSAVP1 (RFC 8017 §5.2.2) with the length check of §8.1.2 step 1: the signature as an
    /// integer s (exactly k octets), below n; m = s^e mod n as k octets. `None`: "invalid
    /// signature".
    fn rsavp1(&self, signature: &[u8]) -> Option<Vec<u8>> {
        // Same length, big-endian: the byte order is the numeric order.
        if signature.len() != self.modulus.len() || signature >= self.modulus {
            return None;
        }
        let (n, e) = (self.modulus, self.exponent);
        // The modulus has 2048 to 8192 bits (`from_der`).
        match self.bits {
            ..=2048 => rsavp1::<{ U2048::LIMBS }>(n, e, signature),
            2049..=3072 => rsavp1::<{ U3072::LIMBS }>(n, e, signature),
            3073..=4096 => rsavp1::<{ U4096::LIMBS }>(n, e, signature),
            4097..=6144 => rsavp1::<{ U6144::LIMBS }>(n, e, signature),
            6145..=8192 => rsavp1::<{ U8192::LIMBS }>(n, e, signature),
            _ => None,
        }
    }
}

/// s^e mod n in `LIMBS` limbs, as many octets as n has; `None` when n or s does not fit or n
/// is even.
fn rsavp1<const LIMBS: usize>(n: &[u8], e: u64, s: &[u8]) -> Option<Vec<u8>> {
    let modulus = uint::<LIMBS>(n)?.to_odd().into_option()?;
    let params = FixedMontyParams::new_vartime(modulus);
    let m = FixedMontyForm::new(&uint::<LIMBS>(s)?, &params)
        .pow_vartime(&U64::from_u64(e))
        .retrieve()
        .to_be_bytes();
    // m < n: the octets before n's length are zero.
    let (high, low) = m.split_at_checked(m.len().checked_sub(n.len())?)?;
    high.iter().all(|&b| b == 0).then(|| low.to_vec())
}

/// A big-endian integer in `LIMBS` limbs, `None` when it does not fit.
fn uint<const LIMBS: usize>(big_endian: &[u8]) -> Option<Uint<LIMBS>> {
    let mut padded = vec![0; LIMBS * Limb::BYTES];
    let start = padded.len().checked_sub(big_endian.len())?;
    padded.get_mut(start..)?.copy_from_slice(big_endian);
    // Exactly `LIMBS * Limb::BYTES` octets, as `from_be_slice` requires.
    Some(Uint::from_be_slice(&padded))
}

/// Whether the TLV's header is DER: a definite length in the fewest octets (X.690 §10.1), for
/// a one-octet tag.
fn is_der_header(tlv: &Tlv<'_>) -> bool {
    let len = tlv.content().len();
    let length_octets = if len < 0x80 {
        1
    } else {
        1 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    };
    !tlv.is_indefinite() && tlv.raw().len() == 1 + length_octets + len
}

/// The value of a DER INTEGER that is positive, without its sign octet: minimal (X.690
/// §8.3.2), non-negative and not zero.
fn positive_integer<'a>(tlv: &Tlv<'a>) -> Option<&'a [u8]> {
    if tlv.tag() != Tag::INTEGER || !is_der_header(tlv) {
        return None;
    }
    match tlv.content() {
        // Negative.
        [first, ..] if first & 0x80 != 0 => None,
        // A leading zero only where the next octet's high bit would read as a sign.
        [0, rest @ ..] => match rest.first() {
            Some(next) if next & 0x80 != 0 => Some(rest),
            _ => None,
        },
        [] => None,
        value => Some(value),
    }
}

/// The number of significant bits of a big-endian integer whose first octet is not zero.
fn bit_length(value: &[u8]) -> usize {
    match value.first() {
        Some(&first) => (value.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}
