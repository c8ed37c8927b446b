//! The certification paths a registration report names, and the certificates a CMS signature
//! carries: where a bundle's certificates come from, and what binds them to the log.

use qoima_verifier::cms::CertificateChoice;

/// The paths of every signer of a stored registration report (the JSON array of reports a
/// version record keeps), each a list of SHA-256 fingerprints (hex) from the signer's
/// certificate to the trust anchor.
pub fn report_paths(report: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let reports: serde_json::Value =
        serde_json::from_slice(report).map_err(|e| format!("the report is not JSON: {e}"))?;
    let reports = reports
        .as_array()
        .ok_or("the report is not a JSON array of reports")?;
    let mut paths = Vec::new();
    for report in reports {
        let signers = report.get("signers").and_then(|s| s.as_array());
        for signer in signers.into_iter().flatten() {
            let chain = signer.get("chain").and_then(|c| c.as_array());
            let path: Vec<String> = chain
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("fingerprint")?.as_str())
                .map(str::to_owned)
                .collect();
            if !path.is_empty() {
                paths.push(path);
            }
        }
    }
    Ok(paths)
}

/// The certificates (DER) a CMS signature carries; none when it does not parse.
pub fn signature_certificates(signature: &[u8]) -> Vec<Vec<u8>> {
    let Ok(decoded) = qoima_verifier::decode_cms(signature) else {
        return Vec::new();
    };
    let Ok(signed) = qoima_verifier::parse_signed_data(&decoded.bytes) else {
        return Vec::new();
    };
    signed
        .certificates
        .iter()
        .filter_map(|choice| match choice {
            CertificateChoice::Certificate(der) => Some(der.to_vec()),
            _ => None,
        })
        .collect()
}
