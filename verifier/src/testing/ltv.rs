//! The long-term validation test PKI (`testdata/ltv/generate.sh`): a root valid 2025 → 2029,
//! its CA, end entities valid through 2026 revoked before and after a registration on
//! 2026-06-15T12:00:00Z, the CA's CRL in force then (May) and its last one (October), and
//! openssl's detached CMS of each end entity over [`DOC`].

use crate::Verifier;
use crate::path::CertificateStore;
use crate::policy::Policy;
use crate::revocation::CrlStore;

macro_rules! files {
    ($($name:ident = $file:literal;)+) => {
        $(pub const $name: &[u8] = include_bytes!(concat!("../../testdata/ltv/", $file));)+
    };
}
files! {
    ROOT = "certs/ltv-root.cer";
    CA = "certs/ltv-ca.cer";
    ROOT_CRL = "crl/root-2026.crl";
    CA_CRL_MAY = "crl/ca-2026-05.crl";
    CA_CRL_OCTOBER = "crl/ca-2026-10.crl";
    DOC = "doc.pdf";
}

/// The CMS of end entity `name` (`good`, `good-ec`, `revoked-before`, `published-late`,
/// `revoked-after`, `unspecified-after`, `compromised-before`, `compromised-after`,
/// `compromised-undated`).
pub fn cms(name: &str) -> &'static [u8] {
    match name {
        "good" => include_bytes!("../../testdata/ltv/cms/good.p7s"),
        "good-ec" => include_bytes!("../../testdata/ltv/cms/good-ec.p7s"),
        "revoked-before" => include_bytes!("../../testdata/ltv/cms/revoked-before.p7s"),
        "published-late" => include_bytes!("../../testdata/ltv/cms/published-late.p7s"),
        "revoked-after" => include_bytes!("../../testdata/ltv/cms/revoked-after.p7s"),
        "unspecified-after" => include_bytes!("../../testdata/ltv/cms/unspecified-after.p7s"),
        "compromised-before" => include_bytes!("../../testdata/ltv/cms/compromised-before.p7s"),
        "compromised-after" => include_bytes!("../../testdata/ltv/cms/compromised-after.p7s"),
        "compromised-undated" => {
            include_bytes!("../../testdata/ltv/cms/compromised-undated.p7s")
        }
        _ => panic!("no LTV test signer {name}"),
    }
}

/// The IIN of every end entity.
pub const IIN: &str = "850315300128";

/// 2026-06-15T12:00:00Z: when the documents are registered.
pub const REGISTERED: i64 = 1_781_524_800;
/// 2026-10-15T00:00:00Z: while the October CRL is in force.
pub const OCTOBER: i64 = 1_792_022_400;
/// 2030-01-01T00:00:00Z: every certificate has expired, the root too.
pub const Y2030: i64 = 1_893_456_000;
/// 2040-01-01T00:00:00Z.
pub const Y2040: i64 = 2_208_988_800;

/// A verifier trusting the LTV root, with its CA and exactly these CRLs, under the default
/// policy (revocation required for the CA certificate too).
pub fn verifier(crl_ders: &[&[u8]]) -> Verifier {
    let mut store = CertificateStore::new();
    store.add_trust_anchor(ROOT).unwrap();
    store.add_intermediate(CA).unwrap();
    let mut crls = CrlStore::new();
    for der in crl_ders {
        crls.add(der).unwrap();
    }
    Verifier::new(store, crls, Policy::default())
}
