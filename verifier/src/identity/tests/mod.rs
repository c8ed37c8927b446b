//! Tests of the identity module: the real NCA certificates in `testdata/`, the IIN/BIN check
//! digit, ownership checks, and malformed subject names and strings.

mod dn;
mod number;
mod ownership;
mod real;
mod roles;
mod strings;

use super::Identity;

use crate::test_support::fixtures;

/// The identity of a certificate file (DER, PEM or bare base64).
fn identity_of_file(file: &[u8]) -> Identity {
    let certs = crate::decode_certificate_file(file).unwrap();
    assert_eq!(certs.len(), 1);
    Identity::from_der(&certs[0]).unwrap()
}

/// The identity of the certificate in an ncanode_go PKCS#12 file, by path.
fn identity_of_p12(path: &str) -> Identity {
    let (_, pfx, _) = fixtures::NCANODE_KEYS
        .iter()
        .find(|(p, _, _)| *p == path)
        .unwrap_or_else(|| panic!("no fixture {path}"));
    Identity::from_der(&crate::test_support::pkcs12::read_pfx(pfx).1).unwrap()
}
