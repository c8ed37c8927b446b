//! Where a CA publishes its CRLs: the http URLs of a certificate's cRLDistributionPoints
//! (RFC 5280 §4.2.1.13) and of its FreshestCRL extension, where delta CRLs are (§5.2.6).

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{
    CRLDistributionPoints, DistributionPointName, GeneralName, ParsedExtension,
};
use x509_parser::prelude::FromDer;

use crate::path::Certificate;

const FRESHEST_CRL: &str = "2.5.29.46";

/// The http URLs a certificate names for the CRLs about certificates its subject issued
/// (its own distribution points name where the *issuer's* CRL is; a CA's CRL is found in the
/// certificates it issued, or configured).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DistributionPoints {
    /// cRLDistributionPoints fullName URIs (complete CRLs).
    pub crls: Vec<String>,
    /// FreshestCRL fullName URIs (delta CRLs).
    pub deltas: Vec<String>,
}

/// The `http://` fullName URIs of `cert`'s cRLDistributionPoints and FreshestCRL; other
/// schemes (ldap, https), relative names and points with a cRLIssuer (indirect CRLs, not
/// supported) are left out. A certificate x509-parser does not read has none.
pub fn distribution_points(cert: &Certificate) -> DistributionPoints {
    let mut points = DistributionPoints::default();
    let Ok((_, x509)) = X509Certificate::from_der(cert.der()) else {
        return points;
    };
    for ext in x509.extensions() {
        if let ParsedExtension::CRLDistributionPoints(found) = ext.parsed_extension() {
            points.crls.extend(http_uris(found));
        } else if ext.oid.to_id_string() == FRESHEST_CRL {
            // The same syntax as cRLDistributionPoints (RFC 5280 §4.2.1.15).
            if let Ok((_, found)) = CRLDistributionPoints::from_der(ext.value) {
                points.deltas.extend(http_uris(&found));
            }
        }
    }
    points
}

fn http_uris<'a>(points: &'a CRLDistributionPoints<'_>) -> impl Iterator<Item = String> + 'a {
    points
        .iter()
        .filter(|point| point.crl_issuer.is_none())
        .filter_map(|point| match &point.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        })
        .flatten()
        .filter_map(|name| match name {
            GeneralName::URI(uri)
                if uri
                    .get(..7)
                    .is_some_and(|s| s.eq_ignore_ascii_case("http://")) =>
            {
                Some((*uri).to_owned())
            }
            _ => None,
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_test_pkis_points_are_read() {
        let ca =
            Certificate::from_der(include_bytes!("../../testdata/pki/certs/ca-rsa.cer")).unwrap();
        assert_eq!(
            distribution_points(&ca).crls,
            ["http://crl.qoima.test/root-rsa.crl"]
        );
        let root =
            Certificate::from_der(include_bytes!("../../testdata/pki/certs/root-rsa.cer")).unwrap();
        assert_eq!(distribution_points(&root), DistributionPoints::default());
    }
}
