//! Test-only CMS signing with the real NCA GOST test keys (GOST 34.10-2015 512), as NCA's
//! software signs, and the NCA GOST TEST 2022 trust to verify the result with: for tests and
//! benchmarks that need many GOST-signed documents.
//!
//! The keys are the ncanode_go PKCS#12 files (`testdata/README.md`), issued by the NCA GOST
//! TEST 2022 CA; the signer is the crate's own test-only GOST code (`gost::sign`), with the
//! verifier's precomputed multiples of `G`, so a signature costs about one verification.
//!
//! ```
//! use qoima_verifier::testing::gost::{self, GostKey};
//! use qoima_verifier::{Data, Request, verdict::Verdict};
//!
//! let key = GostKey::from_pkcs12(gost::INDIVIDUAL_VALID, gost::PASSWORD);
//! let content = b"%PDF-1.7 ...";
//! let cms = key.sign_detached_at(content, gost::SIGNED_AT);
//! let report = gost::verifier()
//!     .verify(&Request::new(&cms, gost::VALIDATION_TIME).data(Data::Bytes(content)))
//!     .unwrap();
//! assert_eq!(report.verdict, Verdict::PASSED);
//! ```
//!
//! Everything here panics on bad input: it is for tests.

mod cms;
mod key;
#[cfg(test)]
mod tests;

pub use key::GostKey;

use crate::Verifier;
use crate::path::CertificateStore;
use crate::policy::Policy;
use crate::revocation::CrlStore;

/// GOST 34.11-2015 512 (Streebog-512), NCA's digest OID.
pub const ID_STREEBOG_512: &str = "1.2.398.3.10.1.3.3";
/// GOST 34.10-2015 512 with GOST 34.11-2015 512, NCA's signature OID.
pub const ID_GOST_2015_512_SIGNATURE: &str = "1.2.398.3.10.1.1.2.3.2";

/// The password of every NCA test PKCS#12 file.
pub const PASSWORD: &str = "Qwerty12";

/// The NCA GOST TEST 2022 root (DER).
pub const ROOT: &[u8] = include_bytes!("../../testdata/skarm_kalkan/certs/root_test_gost_2022.cer");
/// The NCA GOST TEST 2022 issuing CA (DER), issuer of every key in [`PKCS12`].
pub const CA: &[u8] = include_bytes!("../../testdata/skarm_kalkan/certs/nca_gost2022_test.cer");
/// The CA's full CRL from ncanode_go (DER): thisUpdate 2026-08-11, nextUpdate 2027-02-07.
pub const CRL: &[u8] = include_bytes!("../../testdata/ncanode_go/certs/nca_gost2022_test.crl");

/// 2026-09-01T00:00:00Z: a validation time when [`CRL`] is fresh and the 2026 certificates are
/// valid (2026-05-08 → 2027-05-08).
pub const VALIDATION_TIME: i64 = 1_788_220_800;
/// 2026-08-20T10:00:00Z: a signingTime to claim before [`VALIDATION_TIME`].
pub const SIGNED_AT: i64 = 1_787_220_000;

/// The 12 ncanode_go PKCS#12 files: (path under `testdata/ncanode_go/certs`, file, on
/// [`CRL`]). See `testdata/README.md`: the upstream swapped `infosystem.p12` and
/// `treasury_client.p12`, and two files under `valid/` are on the CRL (superseded).
pub const PKCS12: [(&str, &[u8], bool); 12] = [
    (
        "individual/valid/individual_valid.p12",
        include_bytes!("../../testdata/ncanode_go/certs/individual/valid/individual_valid.p12"),
        false,
    ),
    (
        "individual/revoked/individual_revoked.p12",
        include_bytes!("../../testdata/ncanode_go/certs/individual/revoked/individual_revoked.p12"),
        true,
    ),
    (
        "legal/valid/employee.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/valid/employee.p12"),
        true, // superseded on 2026-06-02, despite the folder name
    ),
    (
        "legal/valid/employee_signright.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/valid/employee_signright.p12"),
        false,
    ),
    (
        "legal/valid/head.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/valid/head.p12"),
        false,
    ),
    (
        "legal/valid/infosystem.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/valid/infosystem.p12"),
        true, // superseded on 2026-06-02, despite the folder name
    ),
    (
        "legal/valid/treasury_client.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/valid/treasury_client.p12"),
        false,
    ),
    (
        "legal/revoked/employee.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/revoked/employee.p12"),
        true,
    ),
    (
        "legal/revoked/employee_signright.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/revoked/employee_signright.p12"),
        true,
    ),
    (
        "legal/revoked/head.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/revoked/head.p12"),
        true,
    ),
    (
        "legal/revoked/infosystem.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/revoked/infosystem.p12"),
        true,
    ),
    (
        "legal/revoked/treasury_client.p12",
        include_bytes!("../../testdata/ncanode_go/certs/legal/revoked/treasury_client.p12"),
        true,
    ),
];

/// `individual/valid/individual_valid.p12`: an individual (IIN 123456789011), not revoked.
pub const INDIVIDUAL_VALID: &[u8] = PKCS12[0].1;
/// `individual/revoked/individual_revoked.p12`: an individual, certificateHold since
/// 2026-05-08.
pub const INDIVIDUAL_REVOKED: &[u8] = PKCS12[1].1;
/// `legal/valid/head.p12`: a legal entity's first head, not revoked.
pub const HEAD_VALID: &[u8] = PKCS12[4].1;

/// The operator's choice for a root that publishes no CRL, as the NCA GOST TEST 2022 root
/// here: the CA certificate's unknown status is a warning rather than INDETERMINATE/TRY_LATER
/// (`Policy::require_ca_revocation`); the rest is [`Policy::default`].
pub fn policy() -> Policy {
    Policy {
        require_ca_revocation: false,
        ..Policy::default()
    }
}

/// A verifier trusting the NCA GOST TEST 2022 root, with its CA as an intermediate and the
/// CA's [`CRL`], under [`policy`]: a signature by a key of [`PKCS12`] not on the CRL is
/// TOTAL_PASSED at [`VALIDATION_TIME`]. (Under [`Policy::default`] it would be
/// INDETERMINATE/TRY_LATER, the CA's own status being unknown.)
pub fn verifier() -> Verifier {
    verifier_with(policy())
}

/// The same trust and CRL under `policy`.
pub fn verifier_with(policy: Policy) -> Verifier {
    let mut store = CertificateStore::new();
    store.add_trust_anchor(ROOT).unwrap();
    store.add_intermediate(CA).unwrap();
    let mut crls = CrlStore::new();
    crls.add(CRL).unwrap();
    Verifier::new(store, crls, policy)
}
