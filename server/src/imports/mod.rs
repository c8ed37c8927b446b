//! Revocation data an operator brings in by hand, for a vault without outbound access
//! (`qoima trust import`, `POST /v1/revocation`; `docs/revocation.md`): a CRL or an OCSP
//! response (DER; which one is read from its first field), checked by the verifier's own code
//! before anything is stored, kept as content (the evidence a registration references), and
//! listed in the record store (`Registry::record_revocation_import`), so that every node of
//! the vault puts it in force: at its start, and on a store that nodes share within
//! `shared-cache-seconds` (`refresh::import`). A listed import is checked again when a node
//! loads it ([`load`]). The list an older build kept in `<data-dir>/revocation-imports` is
//! taken over ([`take_over`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use qoima_vault::ContentAddress;
use qoima_vault::records::Actor;
use qoima_vault::registry::{ImportKind, ListedImport};
use qoima_verifier::Verifier;
use qoima_verifier::path::Certificate;
use qoima_verifier::revocation::ocsp::{CertStatus, OcspResponse, OcspUnusable};
use qoima_verifier::revocation::{Crl, CrlUnusable};

use crate::engine::Registry;

/// The list of imports of an older build, one `crl <address>` or `ocsp <address>` a line, in
/// the data directory: taken over into the record store at the next start.
const LIST: &str = "revocation-imports";

/// What was brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A CRL (RFC 5280 §5).
    Crl,
    /// An OCSPResponse (RFC 6960 §4.2.1).
    OcspResponse,
}

impl Kind {
    /// `crl` or `ocsp`, as the list and the API name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Crl => "crl",
            Self::OcspResponse => "ocsp",
        }
    }

    /// The kind as the record store names it.
    pub(crate) fn stored(self) -> ImportKind {
        match self {
            Self::Crl => ImportKind::Crl,
            Self::OcspResponse => ImportKind::OcspResponse,
        }
    }

    /// The kind of a stored record; `None` for one a later build writes.
    pub(crate) fn from_stored(kind: ImportKind) -> Option<Self> {
        match kind {
            ImportKind::Crl => Some(Self::Crl),
            ImportKind::OcspResponse => Some(Self::OcspResponse),
            _ => None,
        }
    }
}

/// An import that passed its checks.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub(crate) kind: Kind,
    pub(crate) der: Arc<[u8]>,
    /// Its content address (SHA-256), the fingerprint reports name.
    pub(crate) address: ContentAddress,
    /// thisUpdate (a CRL) or producedAt (a response), unix seconds.
    pub(crate) issued: i64,
    /// nextUpdate (a CRL's; a response's earliest), unix seconds.
    pub(crate) next_update: Option<i64>,
    /// For a response: how many certificates it answers for (`good`, `revoked`, `unknown`).
    pub(crate) statuses: (usize, usize, usize),
    /// The instant it was checked at, unix seconds: the record keeps it, and a node that
    /// loads the import checks it at that instant again.
    pub(crate) checked_at: i64,
}

/// Why an import is refused (nothing is stored).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ImportError {
    /// Neither a CRL nor an OCSP response in DER.
    #[error("neither a DER CRL nor a DER OCSP response: {0}")]
    NotRevocationData(String),
    /// No CA certificate of the trust store has the CRL's issuer name.
    #[error("the CRL's issuer is no CA certificate of the trust store")]
    UnknownIssuer,
    /// The CA certificates of the CRL's issuer name did not sign it.
    #[error("the CRL is not signed by its CA: {0}")]
    NotSigned(CrlUnusable),
    /// thisUpdate is later than now, or nextUpdate has passed.
    #[error("the CRL is not current: {0}")]
    NotCurrent(String),
    /// The verifier does not believe the response (signer, responder, freshness, status).
    #[error("the OCSP response is not believed: {0}")]
    Unbelieved(OcspUnusable),
    /// The vault could not keep it.
    #[error("cannot keep it: {0}")]
    Store(String),
}

/// Checks `der` at `now` as the verifier would use it: a CRL issued and signed by one of `cas`
/// (issuer name, authorityKeyIdentifier, cRLSign, signature) and current; or an OCSP response
/// `verifier` believes about certificates one of `cas` issued.
pub(crate) fn check(
    der: &[u8],
    verifier: &Verifier,
    cas: &[Arc<Certificate>],
    now: i64,
) -> Result<Checked, ImportError> {
    // CertificateList starts with the TBSCertList SEQUENCE; OCSPResponse with an ENUMERATED.
    let first_inner = der.get(1).and_then(|&len| {
        let skip = if len & 0x80 == 0 {
            2
        } else {
            2 + usize::from(len & 0x7f)
        };
        der.get(skip).copied()
    });
    let address = ContentAddress::of(der);
    if der.first() == Some(&0x30) && first_inner == Some(0x0a) {
        let response = OcspResponse::from_der(der)
            .map_err(|e| ImportError::NotRevocationData(e.to_string()))?;
        let believed = verifier
            .check_ocsp_import(&response, cas, now)
            .map_err(ImportError::Unbelieved)?;
        let mut statuses = (0, 0, 0);
        for (_, verified) in &believed {
            match verified.status {
                CertStatus::Good => statuses.0 += 1,
                CertStatus::Revoked { .. } => statuses.1 += 1,
                _ => statuses.2 += 1,
            }
        }
        return Ok(Checked {
            kind: Kind::OcspResponse,
            der: der.into(),
            address,
            issued: believed.first().map_or(0, |(_, v)| v.produced_at),
            next_update: believed.iter().filter_map(|(_, v)| v.next_update).min(),
            statuses,
            checked_at: now,
        });
    }
    let crl = Crl::from_der(der).map_err(|e| ImportError::NotRevocationData(e.to_string()))?;
    let mut named = cas
        .iter()
        .filter(|ca| ca.subject_raw() == crl.issuer_raw())
        .peekable();
    if named.peek().is_none() {
        return Err(ImportError::UnknownIssuer);
    }
    let mut last = None;
    if !named.any(|ca| crl.verify_issued_by(ca).map_err(|e| last = Some(e)).is_ok()) {
        return Err(ImportError::NotSigned(
            last.unwrap_or(CrlUnusable::KeyIdentifierMismatch),
        ));
    }
    if crl.this_update() > now {
        return Err(ImportError::NotCurrent(format!(
            "thisUpdate {} is in the future",
            crl.this_update()
        )));
    }
    if let Some(next) = crl.next_update().filter(|&next| next < now) {
        return Err(ImportError::NotCurrent(format!(
            "nextUpdate {next} has passed"
        )));
    }
    Ok(Checked {
        kind: Kind::Crl,
        der: der.into(),
        address,
        issued: crl.this_update(),
        next_update: crl.next_update(),
        statuses: (0, 0, 0),
        checked_at: now,
    })
}

/// Keeps a checked import as content and lists it in the record store for `by` (once), so
/// that every node puts it in force (`docs/revocation.md`). Returns its sequence number, or
/// `None` when it was listed already: importing the same data twice records nothing new.
pub(crate) fn keep(
    registry: &Registry,
    checked: &Checked,
    by: &Actor,
) -> Result<Option<u64>, ImportError> {
    // Content like any other (`keep_crls` stores any DER by its SHA-256), before the record
    // that names it: a node that reads the record finds the content.
    registry
        .keep_crls([&checked.der[..]])
        .map_err(|e| ImportError::Store(e.to_string()))?;
    registry
        .record_revocation_import(
            checked.kind.stored(),
            checked.address,
            instant(checked.checked_at),
            by,
            Timestamp::now(),
        )
        .map_err(|e| ImportError::Store(e.to_string()))
}

/// The imports listed in the record store after sequence number `after` (0: all), in order.
pub(crate) fn listed_after(registry: &Registry, after: u64) -> Result<Vec<ListedImport>, String> {
    registry
        .revocation_imports_after(after)
        .map_err(|e| format!("the list of imported revocation data: {e}"))
}

/// One listed import read back from the content store (checked against its address) and
/// checked again by the verifier's code as it was at its import, at the instant it was
/// checked then: a stored import is outside input too (anyone who can write to the database
/// could list one). An import that no longer passes is refused with the reason.
pub(crate) fn load(
    registry: &Registry,
    verifier: &Verifier,
    cas: &[Arc<Certificate>],
    listed: &ListedImport,
) -> Result<Checked, String> {
    let import = &listed.import;
    let Some(kind) = Kind::from_stored(import.kind) else {
        return Err(format!(
            "import {} ({}): a kind this build does not know",
            listed.sequence, import.address
        ));
    };
    let bad = |why: &str| {
        format!(
            "the imported {} {} (import {}): {why}",
            kind.name(),
            import.address,
            listed.sequence
        )
    };
    let der = read(registry, &import.address).map_err(|e| bad(&e))?;
    let checked = check(&der, verifier, cas, import.checked_at).map_err(|e| bad(&e.to_string()))?;
    if checked.kind != kind {
        return Err(bad(&format!("the data is a {}", checked.kind.name())));
    }
    Ok(checked)
}

/// Takes over the list an older build kept in `<data-dir>/revocation-imports`: each import
/// it names that the record store does not list is recorded there, then the file is renamed
/// `revocation-imports.taken-over` (read by nothing). Returns how many were recorded. The
/// file kept no instant, so each is recorded as checked when its data was issued (a CRL's
/// thisUpdate, a response's producedAt or latest thisUpdate): the earliest it can have been
/// imported, when it passed. As the older build did, a listed import whose content is
/// missing is an error: nothing is recorded, and the file stays.
pub(crate) fn take_over(registry: &Registry, data_dir: &Path) -> Result<usize, String> {
    let old = listed(data_dir)?;
    if old.is_empty() && !list(data_dir).exists() {
        return Ok(0);
    }
    let by: Actor = TAKEN_OVER_BY
        .parse()
        .map_err(|e| format!("{TAKEN_OVER_BY:?}: {e}"))?;
    // Every listed import read first: one missing, nothing is recorded.
    let mut found = Vec::new();
    for (kind, address) in old {
        let bad = |why: &str| format!("the imported {} {address}: {why}", kind.name());
        let der = read(registry, &address).map_err(|e| bad(&e))?;
        let issued = issued_at(kind, &der).map_err(|e| bad(&e))?;
        found.push((kind, address, issued));
    }
    let mut recorded = 0;
    for (kind, address, issued) in found {
        let now = Timestamp::now();
        let checked_at = instant(issued.min(now.as_second()));
        let listed = registry
            .record_revocation_import(kind.stored(), address, checked_at, &by, now)
            .map_err(|e| format!("the imported {} {address}: {e}", kind.name()))?;
        recorded += usize::from(listed.is_some());
    }
    let path = list(data_dir);
    let renamed = data_dir.join(TAKEN_OVER);
    std::fs::rename(&path, &renamed).map_err(|e| {
        format!(
            "{} is taken over, but cannot be renamed {}: {e}",
            path.display(),
            renamed.display()
        )
    })?;
    Ok(recorded)
}

/// Who the audit log names for the imports taken over from the file.
const TAKEN_OVER_BY: &str = "operator (revocation-imports file)";

/// The file's name once taken over.
const TAKEN_OVER: &str = "revocation-imports.taken-over";

/// When the data says it was issued: a CRL's thisUpdate; a response's producedAt, or its
/// latest thisUpdate when later (RFC 5280 §5.1.2.4, RFC 6960 §4.2.1).
fn issued_at(kind: Kind, der: &[u8]) -> Result<i64, String> {
    match kind {
        Kind::Crl => Crl::from_der(der)
            .map(|crl| crl.this_update())
            .map_err(|e| e.to_string()),
        Kind::OcspResponse => {
            let response = OcspResponse::from_der(der).map_err(|e| e.to_string())?;
            let basic = response
                .basic
                .ok_or_else(|| "not a successful response".to_owned())?;
            let data = basic.response_data;
            Ok(data
                .responses
                .iter()
                .map(|single| single.this_update)
                .fold(data.produced_at, i64::max))
        }
    }
}

/// The content at `address`, read back whole and checked against it.
fn read(registry: &Registry, address: &ContentAddress) -> Result<Vec<u8>, String> {
    let mut reader = registry
        .content()
        .read(address)
        .map_err(|e| e.to_string())?;
    let mut der = Vec::new();
    while let Some(piece) = reader.next_chunk().map_err(|e| e.to_string())? {
        der.extend_from_slice(&piece);
    }
    if ContentAddress::of(&der) != *address {
        return Err("the content does not hash to its address".to_owned());
    }
    Ok(der)
}

fn instant(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// What `data_dir`'s list of an older build names, in order: `qoima serve` takes it over
/// ([`take_over`]); until then the content collection keeps it (`qoima gc`).
pub(crate) fn listed(data_dir: &Path) -> Result<Vec<(Kind, ContentAddress)>, String> {
    let path = list(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut listed = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |why: &str| format!("{} line {}: {why}", path.display(), n + 1);
        let (kind, address) = match line.split_once(' ') {
            Some(("crl", address)) => (Kind::Crl, address),
            Some(("ocsp", address)) => (Kind::OcspResponse, address),
            _ => return Err(bad("not `crl <sha256>` or `ocsp <sha256>`")),
        };
        let address: ContentAddress = address
            .parse()
            .map_err(|_| bad("not a SHA-256 content address"))?;
        listed.push((kind, address));
    }
    Ok(listed)
}

fn list(data_dir: &Path) -> PathBuf {
    data_dir.join(LIST)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use qoima_verifier::testing::pki;

    fn pki_file(file: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../verifier/testdata/pki")
                .join(file),
        )
        .unwrap()
    }

    fn cas() -> Vec<Arc<Certificate>> {
        [pki::ROOT_RSA, pki::CA_RSA]
            .iter()
            .map(|der| Arc::new(Certificate::from_der(der).unwrap()))
            .collect()
    }

    #[test]
    fn crls_and_responses_are_told_apart_and_checked() {
        let verifier = pki::rsa_verifier();
        let at = pki::VALIDATION_TIME;
        let crl = check(pki::CA_RSA_CRL, &verifier, &cas(), at).unwrap();
        assert_eq!(crl.kind, Kind::Crl);
        let good = pki_file("ocsp/individual-good-ca.der");
        let response = check(&good, &verifier, &cas(), at).unwrap();
        assert_eq!(response.kind, Kind::OcspResponse);
        assert_eq!(response.statuses, (1, 0, 0));
        assert_eq!(response.address, ContentAddress::of(&good));
        // Delegated, without nocheck: its status comes from ca-rsa's CRL.
        let delegated = pki_file("ocsp/individual-good-delegated.der");
        assert!(check(&delegated, &verifier, &cas(), at).is_ok());

        let refused = |der: &[u8], at: i64| check(der, &verifier, &cas(), at).unwrap_err();
        assert!(matches!(
            refused(&pki_file("ocsp/trylater.der"), at),
            ImportError::Unbelieved(OcspUnusable::NotSuccessful(_))
        ));
        assert!(matches!(
            refused(&pki_file("ocsp/individual-good-expired.der"), at),
            ImportError::Unbelieved(OcspUnusable::Stale)
        ));
        assert!(matches!(
            refused(&pki_file("ocsp/individual-good-noeku.der"), at),
            ImportError::Unbelieved(OcspUnusable::ResponderNotAuthorized)
        ));
        // Signed by root-rsa about a CertID hashing ca-rsa's name with root-rsa's key (what
        // `openssl ocsp -issuer root-rsa -cert individual` asks): about no CA of the trust store.
        assert!(matches!(
            refused(&pki_file("ocsp/individual-wrong-certid.der"), at),
            ImportError::Unbelieved(OcspUnusable::NotAboutThisCertificate)
        ));
        // Only root-rsa: ca-rsa's responses are about no CA it knows.
        let root = &cas()[..1];
        assert!(matches!(
            check(&good, &verifier, root, at).unwrap_err(),
            ImportError::Unbelieved(OcspUnusable::NotAboutThisCertificate)
        ));
        // CRLs: stale, unknown issuer, garbage.
        assert!(matches!(
            refused(&pki_file("crl/ca-rsa-stale.crl"), at),
            ImportError::NotCurrent(_)
        ));
        assert!(matches!(
            check(pki::CA_RSA_CRL, &verifier, root, at).unwrap_err(),
            ImportError::UnknownIssuer
        ));
        assert!(matches!(
            refused(&pki_file("crl/lookalike-ca-rsa.crl"), at),
            ImportError::NotSigned(_)
        ));
        for garbage in [&b""[..], b"\x30\x03\x0a\x01\x07", b"not DER at all"] {
            assert!(
                matches!(refused(garbage, at), ImportError::NotRevocationData(_)),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn the_list_names_each_import_once_and_a_bad_line_by_number() {
        let dir = tempfile::tempdir().unwrap();
        assert!(listed(dir.path()).unwrap().is_empty());
        let address = ContentAddress::of(pki::CA_RSA_CRL);
        std::fs::write(
            list(dir.path()),
            format!("crl {address}\n\nocsp {address}\n"),
        )
        .unwrap();
        assert_eq!(
            listed(dir.path()).unwrap(),
            [(Kind::Crl, address), (Kind::OcspResponse, address)]
        );
        std::fs::write(
            list(dir.path()),
            format!("crl {address}\ndelta {address}\n"),
        )
        .unwrap();
        let error = listed(dir.path()).unwrap_err();
        assert!(error.contains("line 2"), "{error}");
        std::fs::write(list(dir.path()), "ocsp 12345\n").unwrap();
        let error = listed(dir.path()).unwrap_err();
        assert!(error.contains("line 1: not a SHA-256"), "{error}");
    }

    #[test]
    fn an_old_list_s_imports_are_checked_when_their_data_was_issued() {
        // ca-rsa's CRL: thisUpdate 2026-06-01; it passes its checks then.
        let issued = issued_at(Kind::Crl, pki::CA_RSA_CRL).unwrap();
        assert_eq!(issued, 1_780_272_000);
        let verifier = pki::rsa_verifier();
        assert!(check(pki::CA_RSA_CRL, &verifier, &cas(), issued).is_ok());
        // A response: producedAt, or a later thisUpdate; believed then.
        let good = pki_file("ocsp/individual-good-ca.der");
        let issued = issued_at(Kind::OcspResponse, &good).unwrap();
        let checked = check(&good, &verifier, &cas(), issued).unwrap();
        assert!(issued >= checked.issued, "{issued} {}", checked.issued);
        // Not what the list says it is: an error naming it, not a panic.
        assert!(issued_at(Kind::OcspResponse, pki::CA_RSA_CRL).is_err());
        assert!(issued_at(Kind::Crl, &good).is_err());
        let try_later = pki_file("ocsp/trylater.der");
        assert_eq!(
            issued_at(Kind::OcspResponse, &try_later).unwrap_err(),
            "not a successful response"
        );
    }
}
