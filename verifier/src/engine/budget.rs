//! Bounds on the work of one [`super::Verifier::verify`] call, and the content digests it
//! computes once per digest algorithm.
//!
//! A CMS is the sender's data: without bounds, a SignedData with thousands of SignerInfos
//! (RFC 5652 §5.1 puts no limit on `signerInfos`), each naming many certificates, makes the
//! engine hash the same content again for each signer and each candidate certificate. The
//! [`Budget`] refuses such a CMS before the work starts, with a verdict naming the bound.

use std::cell::RefCell;
use std::sync::Arc;

use crate::crypto::DigestAlgorithm;

/// Bounds on what one verification looks at. A CMS beyond them ends in a verdict that names
/// the bound (FORMAT_FAILURE for counts of the CMS's own structures, INDETERMINATE
/// NO_SIGNING_CERTIFICATE_FOUND when no tried candidate verifies); never in a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// The most SignerInfos a SignedData may have (RFC 5652 §5.1 `signerInfos`).
    pub max_signer_infos: usize,
    /// The most certificates the SignedData may carry (RFC 5652 §5.1 `certificates`).
    pub max_certificates: usize,
    /// The most CRLs the SignedData may carry (RFC 5652 §5.1 `crls`).
    pub max_crls: usize,
    /// The most candidate certificates whose key is tried against one SignerInfo (those its
    /// `sid` names, RFC 5652 §5.3, in the CMS and among the verifier's).
    pub max_candidates: usize,
    /// The most signed attributes one SignerInfo may have (RFC 5652 §5.3 `signedAttrs`).
    pub max_signed_attributes: usize,
    /// The most signature time-stamp tokens verified for one SignerInfo (RFC 3161
    /// appendix A, in `unsignedAttrs`).
    pub max_time_stamps: usize,
}

impl Budget {
    /// 16 SignerInfos, 64 certificates, 16 CRLs, 4 candidates per signer, 32 signed
    /// attributes and 4 time-stamp tokens per signer: far beyond what a real signature holds.
    pub const DEFAULT: Self = Self {
        max_signer_infos: 16,
        max_certificates: 64,
        max_crls: 16,
        max_candidates: 4,
        max_signed_attributes: 32,
        max_time_stamps: 4,
    };

    /// With at most `n` SignerInfos.
    pub const fn signer_infos(mut self, n: usize) -> Self {
        self.max_signer_infos = n;
        self
    }

    /// With at most `n` certificates in the CMS.
    pub const fn certificates(mut self, n: usize) -> Self {
        self.max_certificates = n;
        self
    }

    /// With at most `n` CRLs in the CMS.
    pub const fn crls(mut self, n: usize) -> Self {
        self.max_crls = n;
        self
    }

    /// With at most `n` candidate certificates tried per SignerInfo.
    pub const fn candidates(mut self, n: usize) -> Self {
        self.max_candidates = n;
        self
    }

    /// With at most `n` signed attributes per SignerInfo.
    pub const fn signed_attributes(mut self, n: usize) -> Self {
        self.max_signed_attributes = n;
        self
    }

    /// With at most `n` time-stamp tokens per SignerInfo.
    pub const fn time_stamps(mut self, n: usize) -> Self {
        self.max_time_stamps = n;
        self
    }
}

impl Default for Budget {
    /// [`Budget::DEFAULT`].
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The digests of one request's content, each computed once (RFC 5652 §5.4: every signer
/// with signed attributes compares its messageDigest with the digest of the same content).
#[derive(Debug, Default)]
pub(super) struct Digests(RefCell<Vec<(DigestAlgorithm, Arc<[u8]>)>>);

impl Digests {
    /// The `algorithm` digest of `content`, computed on first use.
    pub(super) fn of(&self, algorithm: DigestAlgorithm, content: &[u8]) -> Arc<[u8]> {
        if let Some((_, digest)) = self.0.borrow().iter().find(|(a, _)| *a == algorithm) {
            return Arc::clone(digest);
        }
        let digest: Arc<[u8]> = algorithm.digest(content).into();
        #[cfg(test)]
        COMPUTED.with(|n| n.set(n.get() + 1));
        self.0.borrow_mut().push((algorithm, Arc::clone(&digest)));
        digest
    }
}

#[cfg(test)]
thread_local! {
    /// Content digests computed on this thread: what a test counts hashing by.
    static COMPUTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Content digests the engine has computed on this thread so far.
#[cfg(test)]
pub(super) fn digests_computed() -> usize {
    COMPUTED.with(std::cell::Cell::get)
}
