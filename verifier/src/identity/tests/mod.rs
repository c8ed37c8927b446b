//! Tests of the identity module: the real NCA certificates in `testdata/`, the IIN/BIN check
//! digit, ownership checks, and malformed subject names and strings.

mod dn;
mod number;
mod ownership;
mod pkcs12;
mod real;
mod roles;
mod strings;

use super::Identity;

/// The test fixtures (see `testdata/README.md` for their provenance).
mod fixtures {
    pub const INDIVIDUAL_SIGNER: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/individual_signer.cer");
    pub const LEGAL_SIGNER: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/cms/legal_entity_signer.cer");
    pub const TEST_CERT_GOST: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/examples/test_CERT_GOST.txt");
    pub const ROOT_CERT: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/certs/root_test_gost_2022.cer");
    pub const CA_CERT: &[u8] =
        include_bytes!("../../../testdata/skarm_kalkan/certs/nca_gost2022_test.cer");

    /// The ncanode_go PKCS#12 files (password `Qwerty12`), by path under `ncanode_go/certs/`.
    /// Upstream swapped two names: `infosystem.p12` holds a treasury-client certificate and
    /// `treasury_client.p12` an information-system one.
    macro_rules! p12 {
        ($path:literal) => {
            (
                $path,
                include_bytes!(concat!("../../../testdata/ncanode_go/certs/", $path)) as &[u8],
            )
        };
    }
    pub const P12: [(&str, &[u8]); 12] = [
        p12!("individual/valid/individual_valid.p12"),
        p12!("individual/revoked/individual_revoked.p12"),
        p12!("legal/valid/employee.p12"),
        p12!("legal/valid/employee_signright.p12"),
        p12!("legal/valid/head.p12"),
        p12!("legal/valid/infosystem.p12"),
        p12!("legal/valid/treasury_client.p12"),
        p12!("legal/revoked/employee.p12"),
        p12!("legal/revoked/employee_signright.p12"),
        p12!("legal/revoked/head.p12"),
        p12!("legal/revoked/infosystem.p12"),
        p12!("legal/revoked/treasury_client.p12"),
    ];
}

/// The identity of a certificate file (DER, PEM or bare base64).
fn identity_of_file(file: &[u8]) -> Identity {
    let certs = crate::decode_certificate_file(file).unwrap();
    assert_eq!(certs.len(), 1);
    Identity::from_der(&certs[0]).unwrap()
}

/// The identity of the certificate in an ncanode_go PKCS#12 file, by path.
fn identity_of_p12(path: &str) -> Identity {
    let (_, pfx) = fixtures::P12
        .iter()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("no fixture {path}"));
    Identity::from_der(&pkcs12::certificate(pfx)).unwrap()
}
