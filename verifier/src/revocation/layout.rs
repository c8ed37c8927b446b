//! Where a CRL's revokedCertificates list is (RFC 5280 §5.1), so that x509-parser reads
//! everything else and this layer reads the entries one at a time.
//!
//! x509-parser parses a CertificateList into one object per entry, about ten times the DER's
//! size for NCA's CRLs. [`split`] finds the list in a CRL in strict DER and gives a copy of
//! the CRL with the list emptied (`30 00`): x509-parser reads that copy exactly as it would
//! read the original, up to the list's content, because every byte before and after the list
//! is the same and x509-parser's TBSCertList parser takes the element at that place for the
//! list in both. If any element up to the list is not in strict DER, or if there is no list,
//! there is no split and x509-parser reads the whole CRL as before.

use crate::revocation::der;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// A CRL without its list, and the list.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    /// The CRL's DER with the revokedCertificates content removed (only the header copied).
    pub without_list: Vec<u8>,
    /// The revokedCertificates content octets: the entries.
    pub list: &'a [u8],
}

/// The list of `der`, if the CRL up to it is in strict DER and nothing follows the CRL.
pub(crate) fn split(der: &[u8]) -> Option<Split<'_>> {
    let (outer, trailing) = der::read_tagged(der, SEQUENCE)?;
    if !trailing.is_empty() {
        return None;
    }
    let (tbs, signature) = der::read_tagged(outer, SEQUENCE)?;
    // TBSCertList: version (an INTEGER) OPTIONAL, signature, issuer, thisUpdate,
    // nextUpdate (a Time) OPTIONAL, revokedCertificates (a SEQUENCE) OPTIONAL, [0] ...
    let mut rest = tbs;
    if let (INTEGER, _, after) = der::read(rest)? {
        rest = after;
    }
    for _ in 0..3 {
        rest = der::read(rest)?.2;
    }
    if let (UTC_TIME | GENERALIZED_TIME, _, after) = der::read(rest)? {
        rest = after;
    }
    let (list, after_list) = der::read_tagged(rest, SEQUENCE)?;
    let before_list = tbs.get(..tbs.len() - rest.len())?;
    Some(Split {
        without_list: without_list(before_list, after_list, signature),
        list,
    })
}

/// The DER of a CRL whose tbsCertList holds `before_list`, an empty revokedCertificates
/// (`30 00`) and `after_list`, followed by `signature` (the signatureAlgorithm and
/// signatureValue elements).
pub(crate) fn without_list(before_list: &[u8], after_list: &[u8], signature: &[u8]) -> Vec<u8> {
    let tbs_len = before_list.len() + 2 + after_list.len();
    let mut tbs_header = Vec::with_capacity(6);
    header(&mut tbs_header, tbs_len);
    let mut without_list = Vec::with_capacity(tbs_header.len() + tbs_len + signature.len() + 6);
    header(
        &mut without_list,
        tbs_header.len() + tbs_len + signature.len(),
    );
    without_list.extend_from_slice(&tbs_header);
    without_list.extend_from_slice(before_list);
    without_list.extend_from_slice(&[SEQUENCE, 0]);
    without_list.extend_from_slice(after_list);
    without_list.extend_from_slice(signature);
    without_list
}

/// A SEQUENCE header with the minimal definite length (X.690 §10.1).
fn header(out: &mut Vec<u8>, len: usize) {
    out.push(SEQUENCE);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let octets = len.to_be_bytes();
        let skip = octets.iter().take_while(|&&b| b == 0).count();
        let significant = octets.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

#[cfg(test)]
mod tests {
    use x509_parser::prelude::FromDer;
    use x509_parser::revocation_list::CertificateRevocationList;

    use super::*;
    use crate::test_support::pki::{CA_RSA_CRL, ROOT_RSA_CRL};

    #[test]
    fn the_copy_is_the_crl_without_its_entries() {
        let split = split(CA_RSA_CRL).unwrap();
        assert!(split.without_list.len() + split.list.len() <= CA_RSA_CRL.len());
        assert_eq!(crate::revocation::entries::scan(split.list), (3, 20));
        let (rest, parsed) = CertificateRevocationList::from_der(&split.without_list).unwrap();
        assert!(rest.is_empty());
        assert!(parsed.tbs_cert_list.revoked_certificates.is_empty());
    }

    #[test]
    fn a_crl_without_entries_is_not_split() {
        // root-rsa.crl lists nothing.
        assert!(split(ROOT_RSA_CRL).is_none());
        let mut trailing = CA_RSA_CRL.to_vec();
        trailing.push(0);
        assert!(split(&trailing).is_none());
    }
}
