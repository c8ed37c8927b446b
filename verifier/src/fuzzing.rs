//! Entry points shared by the fuzz targets in `fuzz/` and the test that
//! replays their corpora on stable Rust: any input, no panic.

use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::identity::{Expectation, Identity};
use crate::path::CertificateStore;
use crate::policy::Policy;
use crate::revocation::CrlStore;
use crate::{
    Data, Request, Verifier, decode_certificate_file, decode_cms, decode_crl_file,
    parse_signed_data,
};

/// A signature as a user hands it in: decoded, parsed, down to the
/// time-stamp tokens and the certificates and CRLs it carries, then through
/// the whole engine (with no trust anchors, so paths end early; every other
/// layer runs on what the input carries).
pub fn cms(data: &[u8]) {
    let verifier = Verifier::new(CertificateStore::new(), CrlStore::new(), Policy::default());
    let expectation = Expectation {
        iin: Some("850315300128".to_owned()),
        ..Expectation::default()
    };
    for request in [
        Request::new(data, 1_781_524_800),
        Request::new(data, 1_781_524_800)
            .data(Data::Bytes(b"content"))
            .expect(expectation)
            .proof_of_existence(1_700_000_000),
    ] {
        if let Ok(report) = verifier.verify(&request) {
            let _ = report.to_string();
        }
    }
    let Ok(decoded) = decode_cms(data) else {
        return;
    };
    let Ok(signed) = parse_signed_data(&decoded.bytes) else {
        return;
    };
    let _ = (signed.is_detached(), signed.content());
    for signer in &signed.signer_infos {
        if let Some(attrs) = &signer.signed_attrs {
            let _ = attrs.bytes_to_verify();
        }
        for token in signer.signature_time_stamp_tokens() {
            if let Ok(inner) = crate::cms::parse_content_info(token) {
                let _ = inner;
            }
            let _ = parse_signed_data(token);
        }
    }
    for cert in signed.x509_certificates() {
        let _ = X509Certificate::from_der(cert);
    }
    for crl in signed.x509_crls() {
        let _ = CertificateRevocationList::from_der(crl);
    }
}

/// A certificate file given with `--trust` or `--ca`, and the CRL URLs a server reads from
/// its CA certificates.
pub fn certificate_file(data: &[u8]) {
    let mut store = CertificateStore::new();
    for der in decode_certificate_file(data).into_iter().flatten() {
        let _ = X509Certificate::from_der(&der);
        let _ = Identity::from_der(&der);
        if let Ok(cert) = crate::path::Certificate::from_der(&der) {
            let _ = crate::revocation::distribution_points(&cert);
        }
        let _ = store.add_intermediate(&der);
    }
}

/// A CRL file given with `--crl`. Read as a stream too (`CrlStore::add_file`): when the
/// stream takes the file, its CRLs must be exactly those decoded and parsed whole.
///
/// # Panics
///
/// When the stream reads a CRL the whole file does not give, or another one.
pub fn crl_file(data: &[u8]) {
    let mut store = CrlStore::new();
    let mut whole = Vec::new();
    let mut failed = false;
    for der in decode_crl_file(data).into_iter().flatten() {
        let _ = CertificateRevocationList::from_der(&der);
        let _ = store.add(&der);
        match crate::revocation::Crl::from_der(&der) {
            Ok(crl) => whole.push(crl),
            Err(_) => failed = true,
        }
    }
    if let Ok(Some(streamed)) = crate::revocation::stream::read_crls(data, Some(data.len() as u64))
    {
        assert!(
            !failed,
            "the stream took a file with a CRL that does not parse"
        );
        assert!(streamed == whole, "the stream read other CRLs");
    }
}

/// GOST verification with attacker-chosen key, signature and message: the
/// first two bytes give the key and signature lengths, the rest is the message.
pub fn gost_verify(data: &[u8]) {
    use crate::gost::{self, GostAlgorithm};
    let [key_len, sig_len, rest @ ..] = data else {
        return;
    };
    let (key, rest) = rest.split_at((*key_len as usize).min(rest.len()));
    let (signature, message) = rest.split_at((*sig_len as usize).min(rest.len()));
    for algorithm in [GostAlgorithm::Gost2015_512, GostAlgorithm::Gost2004] {
        let _ = gost::check_public_key(algorithm, key);
        let _ = gost::verify(algorithm, key, message, signature);
    }
}

/// An OCSP response file given with `--ocsp`, carried by a CMS (RFC 5940), fetched or
/// imported: read, then checked about each pair of the certificates it carries (at most
/// four), as a certificate and its issuer, through the store (signature, responder, freshness
/// and a nonce), and about each as an issuer alone (an import).
pub fn ocsp_response(data: &[u8]) {
    use crate::path::Certificate;
    use crate::revocation::RevocationStatus;
    use crate::revocation::ocsp::{Freshness, OcspCheck, OcspResponse, OcspStore};

    let Ok(response) = OcspResponse::from_der(data) else {
        return;
    };
    let mut store = OcspStore::new();
    if store.add(data).is_err() {
        return;
    }
    let Some(basic) = &response.basic else {
        return;
    };
    let certificates: Vec<Certificate> = basic
        .certs
        .iter()
        .take(4)
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let good = |_: &Certificate, _: &Certificate| RevocationStatus::Good { source: Vec::new() };
    for nonce in [None, Some(&[1u8, 2, 3][..])] {
        let check = OcspCheck::new(1_781_524_800, Freshness::default(), &good);
        let check = match nonce {
            Some(nonce) => check.with_nonce(nonce),
            None => check,
        };
        let _ = store.status_stable_until(&check);
        for cert in &certificates {
            for issuer in &certificates {
                let lookup = store.status_with(None, cert, issuer, &check);
                let _ = lookup.status();
            }
            // As an import is checked (no certificate, only its issuer), and where a
            // certificate names its responder.
            let _ = basic.verify_by_issuer(cert, &check);
            let _ = crate::revocation::ocsp::responder_urls(cert);
        }
    }
}
