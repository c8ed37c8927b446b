//! The `[revocation]` table: how `qoima serve` keeps the trust store's CRLs fresh
//! (`docs/revocation.md`).

use std::time::Duration;

use qoima_verifier::crypto::DigestAlgorithm;
use serde::Deserialize;

/// The `[revocation]` table as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RevocationTable {
    fetch: Option<bool>,
    #[serde(default)]
    urls: Vec<String>,
    margin_seconds: Option<u64>,
    check_interval_seconds: Option<u64>,
    retry_base_seconds: Option<u64>,
    retry_cap_seconds: Option<u64>,
    timeout_seconds: Option<u64>,
    max_bytes: Option<u64>,
    ocsp: Option<bool>,
    ocsp_url: Option<String>,
    ocsp_hash: Option<String>,
    ocsp_nonce: Option<bool>,
    ocsp_timeout_seconds: Option<u64>,
    ocsp_max_bytes: Option<u64>,
    ocsp_cache_seconds: Option<u64>,
}

/// How the server refreshes revocation data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationSettings {
    /// Whether to fetch at all (false: the configured files only, as an offline vault).
    pub fetch: bool,
    /// CRL URLs fetched besides the CA certificates' distribution points.
    pub urls: Vec<String>,
    /// Fetch this long before nextUpdate; `None`: when 3/4 of thisUpdate→nextUpdate passed.
    pub margin: Option<Duration>,
    /// The longest time between two fetches of one URL, even while its CRL is fresh (a
    /// conditional GET: a CRL published early is taken early).
    pub check_interval: Duration,
    /// The ceiling of the first retry's wait after a failure (full jitter under it).
    pub retry_base: Duration,
    /// The ceiling of any retry's wait.
    pub retry_cap: Duration,
    /// The deadline of one fetch, from the request to the last byte.
    pub timeout: Duration,
    /// The largest CRL taken.
    pub max_bytes: usize,
    /// How a registration asks OCSP responders (RFC 6960).
    pub ocsp: OcspSettings,
}

/// How `qoima serve` asks OCSP responders on the registration path (`docs/revocation.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspSettings {
    /// Whether to ask at all (also off when `fetch = false`).
    pub enabled: bool,
    /// The responder of certificates whose authorityInfoAccess names none (http://).
    pub url: Option<String>,
    /// The CertID's hash: SHA-1 (what most responders index) or SHA-256.
    pub hash: DigestAlgorithm,
    /// Whether a request carries a nonce the response must echo (RFC 8954).
    pub nonce: bool,
    /// The deadline of one request, from sending it to the answer's last byte: how long a
    /// registration may wait for a responder before the CRLs answer instead.
    pub timeout: Duration,
    /// The largest response taken.
    pub max_bytes: usize,
    /// The longest a response is reused after it was fetched (never past its nextUpdate).
    pub cache: Duration,
}

impl Default for OcspSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            url: None,
            hash: DigestAlgorithm::Sha1,
            nonce: false,
            timeout: Duration::from_secs(10),
            max_bytes: 64 << 10,
            cache: Duration::from_secs(3600),
        }
    }
}

impl Default for RevocationSettings {
    fn default() -> Self {
        Self {
            fetch: true,
            urls: Vec::new(),
            margin: None,
            check_interval: Duration::from_secs(3600),
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(3600),
            timeout: Duration::from_secs(120),
            max_bytes: 64 << 20,
            ocsp: OcspSettings::default(),
        }
    }
}

/// Seconds from 1 to a week: shorter would hammer a CA, longer lets a CRL lapse.
const SECONDS: (u64, u64) = (1, 7 * 24 * 3600);
/// From 1 KiB to 1 GiB.
const BYTES: (u64, u64) = (1 << 10, 1 << 30);
/// An OCSP response: from 1 KiB to 16 MiB.
const OCSP_BYTES: (u64, u64) = (1 << 10, 16 << 20);

/// Whether `url` starts with `http://`.
fn is_http(url: &str) -> bool {
    url.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

impl RevocationTable {
    /// The settings, each key checked against its range; an error names the key.
    pub(super) fn settings(self) -> Result<RevocationSettings, String> {
        let mut settings = RevocationSettings::default();
        let seconds = |key: &str, value: Option<u64>, default: Duration| {
            let Some(value) = value else {
                return Ok(default);
            };
            let (min, max) = SECONDS;
            if (min..=max).contains(&value) {
                Ok(Duration::from_secs(value))
            } else {
                Err(format!(
                    "{key}: must be from {min} to {max} seconds, not {value}"
                ))
            }
        };
        settings.fetch = self.fetch.unwrap_or(true);
        for url in &self.urls {
            if !is_http(url) {
                return Err(format!(
                    "urls: {url:?} is not an http:// URL (CRLs are signed; they are fetched over plain HTTP)"
                ));
            }
        }
        settings.urls = self.urls;
        settings.margin = match self.margin_seconds {
            None => None,
            some => Some(seconds("margin-seconds", some, Duration::ZERO)?),
        };
        settings.check_interval = seconds(
            "check-interval-seconds",
            self.check_interval_seconds,
            settings.check_interval,
        )?;
        settings.retry_base = seconds(
            "retry-base-seconds",
            self.retry_base_seconds,
            settings.retry_base,
        )?;
        settings.retry_cap = seconds(
            "retry-cap-seconds",
            self.retry_cap_seconds,
            settings.retry_cap,
        )?;
        if settings.retry_cap < settings.retry_base {
            return Err("retry-cap-seconds: less than retry-base-seconds".to_owned());
        }
        settings.timeout = seconds("timeout-seconds", self.timeout_seconds, settings.timeout)?;
        let bytes = |key: &str, value: u64, (min, max): (u64, u64)| {
            usize::try_from(value)
                .ok()
                .filter(|_| (min..=max).contains(&value))
                .ok_or_else(|| format!("{key}: must be from {min} to {max}, not {value}"))
        };
        if let Some(value) = self.max_bytes {
            settings.max_bytes = bytes("max-bytes", value, BYTES)?;
        }
        let ocsp = &mut settings.ocsp;
        ocsp.enabled = self.ocsp.unwrap_or(true);
        if let Some(url) = self.ocsp_url {
            if !is_http(&url) {
                return Err(format!(
                    "ocsp-url: {url:?} is not an http:// URL (OCSP responses are signed; they are fetched over plain HTTP)"
                ));
            }
            ocsp.url = Some(url);
        }
        ocsp.hash = match self.ocsp_hash.as_deref() {
            None | Some("sha1") => DigestAlgorithm::Sha1,
            Some("sha256") => DigestAlgorithm::Sha256,
            Some(other) => {
                return Err(format!(
                    "ocsp-hash: {other:?} is neither \"sha1\" nor \"sha256\""
                ));
            }
        };
        ocsp.nonce = self.ocsp_nonce.unwrap_or(false);
        ocsp.timeout = seconds(
            "ocsp-timeout-seconds",
            self.ocsp_timeout_seconds,
            ocsp.timeout,
        )?;
        if let Some(value) = self.ocsp_max_bytes {
            ocsp.max_bytes = bytes("ocsp-max-bytes", value, OCSP_BYTES)?;
        }
        ocsp.cache = seconds("ocsp-cache-seconds", self.ocsp_cache_seconds, ocsp.cache)?;
        Ok(settings)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RevocationSettings, String> {
        toml::from_str::<RevocationTable>(text)
            .map_err(|e| e.to_string())?
            .settings()
    }

    #[test]
    fn defaults_fetch_at_three_quarters_hourly_at_most() {
        assert_eq!(parse("").unwrap(), RevocationSettings::default());
        let set = parse(
            "fetch = false\nurls = [\"http://127.0.0.1:1/a.crl\"]\nmargin-seconds = 600\n\
             check-interval-seconds = 2\nretry-base-seconds = 1\nretry-cap-seconds = 4",
        )
        .unwrap();
        assert!(!set.fetch);
        assert_eq!(set.urls, ["http://127.0.0.1:1/a.crl"]);
        assert_eq!(set.margin, Some(Duration::from_secs(600)));
        assert_eq!(set.check_interval, Duration::from_secs(2));
        assert_eq!(set.retry_cap, Duration::from_secs(4));
        let set = parse(
            "ocsp-url = \"http://127.0.0.1:1/\"\nocsp-hash = \"sha256\"\nocsp-nonce = true\n\
             ocsp-timeout-seconds = 3\nocsp-max-bytes = 2048\nocsp-cache-seconds = 60",
        )
        .unwrap();
        assert_eq!(
            set.ocsp,
            OcspSettings {
                enabled: true,
                url: Some("http://127.0.0.1:1/".to_owned()),
                hash: DigestAlgorithm::Sha256,
                nonce: true,
                timeout: Duration::from_secs(3),
                max_bytes: 2048,
                cache: Duration::from_secs(60),
            }
        );
        assert!(!parse("ocsp = false").unwrap().ocsp.enabled);
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("urls = [\"https://x/a.crl\"]", "urls"),
            ("urls = [\"ldap://x/a.crl\"]", "urls"),
            ("check-interval-seconds = 0", "check-interval-seconds"),
            (
                "retry-base-seconds = 10\nretry-cap-seconds = 5",
                "retry-cap-seconds",
            ),
            ("max-bytes = 1", "max-bytes"),
            ("margin-seconds = 99999999", "margin-seconds"),
            ("ocsp-url = \"https://x/\"", "ocsp-url"),
            ("ocsp-hash = \"md5\"", "ocsp-hash"),
            ("ocsp-timeout-seconds = 0", "ocsp-timeout-seconds"),
            ("ocsp-max-bytes = 100000000", "ocsp-max-bytes"),
            ("ocsp-cache-seconds = 0", "ocsp-cache-seconds"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.starts_with(key), "{text}: {error}");
        }
        assert!(parse("refresh = 1").is_err());
    }
}
