//! Tests of the CMS parser on real NCA signatures and on hand-built encodings.

mod encode;
mod handmade;
mod real;
mod robustness;

/// The test fixtures (see `testdata/README.md` for their provenance).
pub(crate) mod fixtures {
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
