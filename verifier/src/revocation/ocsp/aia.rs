//! Where a certificate's OCSP responder is: the `http://` URIs of its authorityInfoAccess
//! extension with the access method id-ad-ocsp (RFC 5280 §4.2.2.1; RFC 6960 §3.1: "the
//! location of the OCSP responder ... in the authorityInfoAccess extension").

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

use crate::path::Certificate;

/// id-ad-ocsp, 1.3.6.1.5.5.7.48.1, as content octets.
const ID_AD_OCSP: &[u8] = &[0x2B, 6, 1, 5, 5, 7, 0x30, 1];

/// The `http://` URIs of `cert`'s id-ad-ocsp access descriptions, in order; other schemes and
/// other access methods (id-ad-caIssuers) are left out. A certificate x509-parser does not
/// read names none.
pub fn responder_urls(cert: &Certificate) -> Vec<String> {
    let Ok((_, x509)) = X509Certificate::from_der(cert.der()) else {
        return Vec::new();
    };
    let mut urls = Vec::new();
    for ext in x509.extensions() {
        let ParsedExtension::AuthorityInfoAccess(access) = ext.parsed_extension() else {
            continue;
        };
        for description in access.iter() {
            if description.access_method.as_bytes() != ID_AD_OCSP {
                continue;
            }
            if let GeneralName::URI(uri) = &description.access_location
                && uri
                    .get(..7)
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
                && !urls.iter().any(|u| u == uri)
            {
                urls.push((*uri).to_owned());
            }
        }
    }
    urls
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_http_ocsp_uris_are_read_and_the_rest_left_out() {
        // aia.sh: two http OCSP URIs, an ldap one and a caIssuers URI.
        let cert =
            Certificate::from_der(include_bytes!("../../../testdata/pki/aia/aia.cer")).unwrap();
        assert_eq!(
            responder_urls(&cert),
            ["http://ocsp.qoima.test/", "http://127.0.0.1:1/ocsp"]
        );
        let ca = Certificate::from_der(include_bytes!("../../../testdata/pki/certs/ca-rsa.cer"))
            .unwrap();
        assert!(responder_urls(&ca).is_empty());
    }
}
