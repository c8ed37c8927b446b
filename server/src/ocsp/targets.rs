//! Which certificates a registration asks responders about: each signer's certificate and
//! the CA certificates above it up to a self-issued one, each with its issuer (a CertID hashes
//! the issuer's name and key, RFC 6960 §4.1.1) and its responder's URL.

use std::sync::Arc;

use qoima_verifier::path::Certificate;
use qoima_verifier::revocation::ocsp::responder_urls;
use qoima_verifier::{decode_cms, parse_signed_data};

/// The longest chain followed from a signer (NCA RK's are two or three long).
const MAX_DEPTH: usize = 8;
/// The most certificates one registration asks about.
pub(super) const MAX_TARGETS: usize = 16;

/// A certificate to ask about, its issuer and where to ask.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub(super) cert: Arc<Certificate>,
    pub(super) issuer: Arc<Certificate>,
    pub(super) url: String,
}

/// The targets of `signatures`: for each SignerInfo, its certificate (among the CMS's) and
/// the chain above it, issuers found by name among the CMS's certificates and `cas` (the
/// trust store's), an authorityKeyIdentifier that names another key ruling a candidate out.
/// The responder is the certificate's first `http://` id-ad-ocsp URI, else `fallback`; a
/// certificate with neither is not asked about. A signature that does not parse has none (the
/// verification will say why). Each certificate once, at most [`MAX_TARGETS`].
pub(super) fn of(
    signatures: &[Vec<u8>],
    cas: &[Arc<Certificate>],
    fallback: Option<&str>,
) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    for signature in signatures {
        let Ok(decoded) = decode_cms(signature) else {
            continue;
        };
        let Ok(signed_data) = parse_signed_data(&decoded.bytes) else {
            continue;
        };
        let own: Vec<Arc<Certificate>> = signed_data
            .x509_certificates()
            .filter_map(|der| Certificate::from_der(der).ok())
            .map(Arc::new)
            .collect();
        let pool: Vec<&Arc<Certificate>> = own.iter().chain(cas).collect();
        for signer in &signed_data.signer_infos {
            let Some(mut cert) = own.iter().find(|c| c.is_identified_by(&signer.sid)) else {
                continue;
            };
            for _ in 0..MAX_DEPTH {
                if cert.is_self_issued() {
                    break;
                }
                let Some(issuer) = issuer_of(cert, &pool) else {
                    break;
                };
                let url = responder_urls(cert)
                    .into_iter()
                    .next()
                    .or_else(|| fallback.map(str::to_owned));
                let known = targets
                    .iter()
                    .any(|t| t.cert.fingerprint() == cert.fingerprint());
                if let Some(url) = url
                    && !known
                {
                    if targets.len() == MAX_TARGETS {
                        return targets;
                    }
                    targets.push(Target {
                        cert: Arc::clone(cert),
                        issuer: Arc::clone(issuer),
                        url,
                    });
                }
                cert = issuer;
            }
        }
    }
    targets
}

/// The first of `pool` named as `cert`'s issuer whose key identifier does not contradict
/// `cert`'s authorityKeyIdentifier.
fn issuer_of<'p>(
    cert: &Certificate,
    pool: &[&'p Arc<Certificate>],
) -> Option<&'p Arc<Certificate>> {
    pool.iter().copied().find(|candidate| {
        candidate.subject_raw() == cert.issuer_raw()
            && match (cert.authority_key_id(), candidate.subject_key_id()) {
                (Some(aki), Some(ski)) => aki == ski,
                _ => true,
            }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pki(file: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../verifier/testdata/pki")
                .join(file),
        )
        .unwrap()
    }

    fn cas() -> Vec<Arc<Certificate>> {
        ["certs/root-rsa.cer", "certs/ca-rsa.cer"]
            .iter()
            .map(|f| Arc::new(Certificate::from_der(&pki(f)).unwrap()))
            .collect()
    }

    #[test]
    fn the_signer_and_its_cas_up_to_the_root_each_once() {
        let individual = pki("cms/individual.detached.p7s");
        let head = pki("cms/head.detached.p7s");
        let url = "http://127.0.0.1:1/";
        let targets = of(&[individual.clone(), head, individual], &cas(), Some(url));
        let names: Vec<(Vec<u8>, Vec<u8>)> = targets
            .iter()
            .map(|t| (t.cert.der().to_vec(), t.issuer.der().to_vec()))
            .collect();
        assert_eq!(
            names,
            [
                (pki("certs/individual.cer"), pki("certs/ca-rsa.cer")),
                (pki("certs/ca-rsa.cer"), pki("certs/root-rsa.cer")),
                (pki("certs/head.cer"), pki("certs/ca-rsa.cer")),
            ]
        );
        assert!(targets.iter().all(|t| t.url == url));
        // Without a configured responder, none of the test PKI's certificates names one.
        assert!(of(&[pki("cms/individual.detached.p7s")], &cas(), None).is_empty());
        // Garbage names nothing.
        assert!(of(&[b"not a CMS".to_vec()], &cas(), Some(url)).is_empty());
    }
}
