//! Tests of the GOST module: known answers for the hashes and the curve arithmetic, the real NCA
//! signatures in `testdata/`, tampering, and round trips through a test-only signer.

mod curve_kat;
mod hashes;
mod pkcs12;
mod real;
mod signer;
mod tamper;

/// Decodes hex (any case, no separators).
pub(super) fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The test fixtures (see `testdata/README.md` for their provenance).
pub(super) mod fixtures {
    pub const INDIVIDUAL_ATTACHED: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/individual_attached.der");
    pub const INDIVIDUAL_DETACHED: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/individual_detached.der");
    pub const INDIVIDUAL_DOCUMENT: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/individual_document.txt");
    pub const INDIVIDUAL_SIGNER: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/individual_signer.cer");
    pub const LEGAL_ATTACHED: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/legal_entity_attached.der");
    pub const LEGAL_DETACHED: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/legal_entity_detached.der");
    pub const LEGAL_DOCUMENT: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/legal_entity_document.txt");
    pub const LEGAL_SIGNER: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/legal_entity_signer.cer");
    pub const TEST_CMS_GOST: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/examples/test_CMS_GOST.txt");
    pub const TEST_CERT_GOST: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/examples/test_CERT_GOST.txt");
    pub const CMS_FOR_DOUBLE_SIGN: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/examples/CMS_for_double_sign.txt");
    pub const ROOT_CERT: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/certs/root_test_gost_2022.cer");
    pub const CA_CERT: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/certs/nca_gost2022_test.cer");
    pub const CA_CRL: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/certs/nca_gost2022_test.crl");
    pub const CA_DELTA_CRL: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/certs/nca_gost2022_d_test.crl");
}
