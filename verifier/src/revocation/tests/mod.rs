//! CRL parsing, the index, and revocation decisions against the generated PKI, the real NCA
//! GOST CRLs, and a large synthetic CRL.

use crate::path::Certificate;
use crate::revocation::{CrlStore, RevocationStatus};

mod delta;
mod fast_path;
mod garbage;
mod index;
mod large;
mod ltv;
mod nca;
mod pki;
mod stream;

/// A certificate from a file (DER, PEM or bare base64).
fn cert(file: &[u8]) -> Certificate {
    let der = crate::decode_certificate_file(file)
        .unwrap()
        .remove(0)
        .into_owned();
    Certificate::from_der(&der).unwrap()
}

fn store(crls: &[&[u8]]) -> CrlStore {
    let mut store = CrlStore::new();
    for crl in crls {
        store.add(crl).unwrap();
    }
    store
}

fn is_good(status: &RevocationStatus) -> bool {
    matches!(status, RevocationStatus::Good { .. })
}
