//! Test fixtures and helpers shared by the modules' tests (see `testdata/README.md` for the
//! provenance of every file).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.

/// The NCA test PKCS#12 files, all under the same password.
pub(crate) mod pkcs12 {
    /// The private key (64 bytes, little-endian) and the certificate (DER) of an NCA test PFX.
    pub(crate) fn read_pfx(pfx: &[u8]) -> (Vec<u8>, Vec<u8>) {
        crate::testing::pkcs12::read_pfx(pfx, crate::testing::gost::PASSWORD)
    }
}

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
    pub const ROOT_CERT: &[u8] = crate::testing::gost::ROOT;
    pub const CA_CERT: &[u8] = crate::testing::gost::CA;
    pub const CA_CRL: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/certs/nca_gost2022_test.crl");
    pub const CA_DELTA_CRL: &[u8] =
        include_bytes!("../../testdata/skarm_kalkan/certs/nca_gost2022_d_test.crl");

    /// (path under ncanode_go/certs, file, on the 2026-08-11 CRL).
    pub const NCANODE_KEYS: [(&str, &[u8], bool); 12] = crate::testing::gost::PKCS12;

    pub const NCANODE_CA_CRL: &[u8] = crate::testing::gost::CRL;
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

    /// OCSP requests, responses and responder certificates (`testdata/pki/ocsp.sh`; produced
    /// 2026-06-15T10:00:00Z, nextUpdate 7 days later, unless said otherwise).
    pub(crate) mod ocsp {
        files! {
            SHA1_REQUEST = "ocsp/individual-sha1.req";
            SHA256_REQUEST = "ocsp/individual-sha256.req";
            NONCE_REQUEST = "ocsp/individual-nonce.req";
            GOOD_CA = "ocsp/individual-good-ca.der";
            GOOD_SHA256_BYKEY = "ocsp/individual-good-sha256-bykey.der";
            GOOD_NONCE = "ocsp/individual-good-nonce.der";
            GOOD_DELEGATED = "ocsp/individual-good-delegated.der";
            GOOD_NOCHECK = "ocsp/individual-good-nocheck.der";
            GOOD_NOEKU = "ocsp/individual-good-noeku.der";
            GOOD_EXPIRED = "ocsp/individual-good-expired.der";
            WRONG_CERTID = "ocsp/individual-wrong-certid.der";
            REVOKED_CA = "ocsp/revoked-ca.der";
            REVOKED_LATER_CA = "ocsp/revoked-later-ca.der";
            EMPLOYEE_UNKNOWN = "ocsp/employee-unknown-ca.der";
            CA_RSA_GOOD_ROOT = "ocsp/ca-rsa-good-root.der";
            EC_GOOD_CA = "ocsp/ec-good-ca.der";
            CA_EC_GOOD_ROOT = "ocsp/ca-ec-good-root.der";
            TRY_LATER = "ocsp/trylater.der";
            RESPONDER = "ocsp/responder.cer";
            RESPONDER_NOCHECK = "ocsp/responder-nocheck.cer";
        }
        pub const RESPONDER_NOCHECK_KEY: &str =
            include_str!("../../testdata/pki/ocsp/responder-nocheck.key.pem");
    }
}
