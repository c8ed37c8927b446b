//! Test fixtures and helpers shared by the modules' tests (see `testdata/README.md` for the
//! provenance of every file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

pub(crate) mod pkcs12;

pub(crate) use crate::testing::der_tlv;

/// The real NCA test material, embedded.
pub(crate) mod fixtures {
    pub const INDIVIDUAL_ATTACHED: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/individual_attached.der");
    pub const INDIVIDUAL_DETACHED: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/individual_detached.der");
    pub const INDIVIDUAL_DOCUMENT: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/individual_document.txt");
    pub const INDIVIDUAL_SIGNER: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/individual_signer.cer");
    pub const LEGAL_ATTACHED: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/legal_entity_attached.der");
    pub const LEGAL_DETACHED: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/legal_entity_detached.der");
    pub const LEGAL_DOCUMENT: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/legal_entity_document.txt");
    pub const LEGAL_SIGNER: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/cms/legal_entity_signer.cer");
    pub const TEST_CMS_GOST: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/examples/test_CMS_GOST.txt");
    pub const TEST_CERT_GOST: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/examples/test_CERT_GOST.txt");
    pub const CMS_FOR_DOUBLE_SIGN: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/examples/CMS_for_double_sign.txt");
    pub const ROOT_CERT: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/certs/root_test_gost_2022.cer");
    pub const CA_CERT: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/certs/nca_gost2022_test.cer");
    pub const CA_CRL: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/certs/nca_gost2022_test.crl");
    pub const CA_DELTA_CRL: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/certs/nca_gost2022_d_test.crl");

    /// (path under ncanode_go/certs, file, on the 2026-08-11 CRL).
    pub const NCANODE_KEYS: [(&str, &[u8], bool); 12] = [
        (
            "individual/valid/individual_valid.p12",
            include_bytes!("../../testdata/ncanode_go/certs/individual/valid/individual_valid.p12"),
            false,
        ),
        (
            "individual/revoked/individual_revoked.p12",
            include_bytes!(
                "../../testdata/ncanode_go/certs/individual/revoked/individual_revoked.p12"
            ),
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

    pub const NCANODE_CA_CRL: &[u8] =
        include_bytes!("../../testdata/ncanode_go/certs/nca_gost2022_test.crl");
}

/// The generated RSA/ECDSA PKI (`testdata/pki`, see its README.md): DER certificates and CRLs.
pub(crate) mod pki {
    /// The validation time of every expected verdict: 2026-06-15T12:00:00Z.
    pub const VALIDATION_TIME: i64 = 1_781_524_800;

    /// The test TSA under ca-rsa (`testdata/tsa/make.sh`): DER certificate (critical EKU
    /// id-kp-timeStamping, valid 2026-01-01 → 2028-01-01) and its PKCS#8 PEM RSA-2048 key.
    pub const TSA_CERT: &[u8] = include_bytes!("../../testdata/tsa/tsa.cer");
    pub const TSA_KEY: &str = include_str!("../../testdata/tsa/tsa.key.pem");
    /// The `individual` signer's PKCS#8 PEM RSA-2048 key (a key that is not a TSA's).
    pub const INDIVIDUAL_KEY: &str = include_str!("../../testdata/pki/keys/individual.key.pem");

    macro_rules! files {
        ($($name:ident = $file:literal;)+) => {
            $(pub const $name: &[u8] = include_bytes!(concat!("../../testdata/pki/", $file));)+
        };
    }
    files! {
        CA_RSA_CRL = "crl/ca-rsa.crl";
        CA_RSA_STALE_CRL = "crl/ca-rsa-stale.crl";
        CA_RSA_BASE_CRL = "crl/ca-rsa-base.crl";
        CA_RSA_DELTA_CRL = "crl/ca-rsa-delta.crl";
        LOOKALIKE_CA_RSA_CRL = "crl/lookalike-ca-rsa.crl";
        CA_EC_CRL = "crl/ca-ec.crl";
        ROOT_RSA_CRL = "crl/root-rsa.crl";
        REVOKED = "certs/revoked.cer";
        REVOKED_LATER = "certs/revoked-later.cer";
        HOLD = "certs/hold.cer";
        INDIVIDUAL_DETACHED_CMS = "cms/individual.detached.p7s";
        INDIVIDUAL_KEYID_CMS = "cms/individual-keyid.detached.p7s";
    }
    files! {
        ROOT_RSA = "certs/root-rsa.cer";
        CA_RSA = "certs/ca-rsa.cer";
        ROOT_EC = "certs/root-ec.cer";
        CA_EC = "certs/ca-ec.cer";
        ROOT_OTHER = "certs/root-other.cer";
        LOOKALIKE_CA = "certs/lookalike-ca.cer";
        INDIVIDUAL = "certs/individual.cer";
        HEAD = "certs/head.cer";
        EMPLOYEE = "certs/employee.cer";
        EXPIRED = "certs/expired.cer";
        NOTYET = "certs/notyet.cer";
        NONCA_ISSUER = "certs/nonca-issuer.cer";
        NONCA_ISSUED = "certs/nonca-issued.cer";
        SUBCA_PATHLEN = "certs/subca-pathlen.cer";
        PATHLEN_EE = "certs/pathlen-ee.cer";
        LOOKALIKE_EE = "certs/lookalike-ee.cer";
        UNTRUSTED_EE = "certs/untrusted-ee.cer";
        EC = "certs/ec.cer";
        AUTH = "certs/auth.cer";
    }
    // For the engine's tests: the document, the remaining CRL and certificate, every CMS.
    files! {
        DOC_4K = "doc-4k.txt";
        ROOT_EC_CRL = "crl/root-ec.crl";
        INDIVIDUAL_ATTACHED_CMS = "cms/individual.attached.p7s";
        INDIVIDUAL_ATTACHED_BER_CMS = "cms/individual.attached.ber.p7s";
        INDIVIDUAL_DETACHED_PEM = "cms/individual.detached.pem";
        INDIVIDUAL_DETACHED_B64 = "cms/individual.detached.b64";
        INDIVIDUAL_CHAIN_CMS = "cms/individual-chain.detached.p7s";
        INDIVIDUAL_SHA384_CMS = "cms/individual-sha384.detached.p7s";
        INDIVIDUAL_SHA512_CMS = "cms/individual-sha512.detached.p7s";
        INDIVIDUAL_PSS_CMS = "cms/individual-pss.detached.p7s";
        INDIVIDUAL_PSS_SALTMAX_CMS = "cms/individual-pss-saltmax.detached.p7s";
        INDIVIDUAL_PSS_SALTMAX_ATTACHED_CMS = "cms/individual-pss-saltmax.attached.p7s";
        INDIVIDUAL_PSS_SALT20_CMS = "cms/individual-pss-salt20.detached.p7s";
        INDIVIDUAL_PSS_SALT0_CMS = "cms/individual-pss-salt0.detached.p7s";
        INDIVIDUAL_PSS_SHA512_SALTMAX_CMS = "cms/individual-pss-sha512-saltmax.detached.p7s";
        INDIVIDUAL_SHA1_CMS = "cms/individual-sha1.detached.p7s";
        INDIVIDUAL_NOCERTS_CMS = "cms/individual-nocerts.detached.p7s";
        INDIVIDUAL_NOATTR_DETACHED_CMS = "cms/individual-noattr.detached.p7s";
        INDIVIDUAL_NOATTR_ATTACHED_CMS = "cms/individual-noattr.attached.p7s";
        HEAD_DETACHED_CMS = "cms/head.detached.p7s";
        HEAD_ATTACHED_CMS = "cms/head.attached.p7s";
        EMPLOYEE_DETACHED_CMS = "cms/employee.detached.p7s";
        EMPLOYEE_ATTACHED_CMS = "cms/employee.attached.p7s";
        TWO_SIGNERS_DETACHED_CMS = "cms/two-signers.detached.p7s";
        TWO_SIGNERS_ATTACHED_CMS = "cms/two-signers.attached.p7s";
        EC_DETACHED_CMS = "cms/ec.detached.p7s";
        EC_ATTACHED_CMS = "cms/ec.attached.p7s";
        EXPIRED_DETACHED_CMS = "cms/expired.detached.p7s";
        EXPIRED_ATTACHED_CMS = "cms/expired.attached.p7s";
        NOTYET_DETACHED_CMS = "cms/notyet.detached.p7s";
        NOTYET_ATTACHED_CMS = "cms/notyet.attached.p7s";
        REVOKED_DETACHED_CMS = "cms/revoked.detached.p7s";
        REVOKED_ATTACHED_CMS = "cms/revoked.attached.p7s";
        REVOKED_LATER_DETACHED_CMS = "cms/revoked-later.detached.p7s";
        REVOKED_LATER_ATTACHED_CMS = "cms/revoked-later.attached.p7s";
        HOLD_DETACHED_CMS = "cms/hold.detached.p7s";
        HOLD_ATTACHED_CMS = "cms/hold.attached.p7s";
        UNTRUSTED_EE_DETACHED_CMS = "cms/untrusted-ee.detached.p7s";
        UNTRUSTED_EE_ATTACHED_CMS = "cms/untrusted-ee.attached.p7s";
        LOOKALIKE_EE_DETACHED_CMS = "cms/lookalike-ee.detached.p7s";
        LOOKALIKE_EE_ATTACHED_CMS = "cms/lookalike-ee.attached.p7s";
        NONCA_ISSUED_DETACHED_CMS = "cms/nonca-issued.detached.p7s";
        NONCA_ISSUED_ATTACHED_CMS = "cms/nonca-issued.attached.p7s";
        PATHLEN_EE_DETACHED_CMS = "cms/pathlen-ee.detached.p7s";
        PATHLEN_EE_ATTACHED_CMS = "cms/pathlen-ee.attached.p7s";
        AUTH_DETACHED_CMS = "cms/auth.detached.p7s";
        AUTH_ATTACHED_CMS = "cms/auth.attached.p7s";
        RSA1024_DETACHED_CMS = "cms/rsa1024.detached.p7s";
        RSA1024_ATTACHED_CMS = "cms/rsa1024.attached.p7s";
    }
}
