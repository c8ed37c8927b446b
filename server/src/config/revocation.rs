//! The `[revocation]` table: how `qoima serve` keeps the trust store's CRLs fresh
//! (`docs/revocation.md`).

use std::time::Duration;

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
        }
    }
}

/// Seconds from 1 to a week: shorter would hammer a CA, longer lets a CRL lapse.
const SECONDS: (u64, u64) = (1, 7 * 24 * 3600);
/// From 1 KiB to 1 GiB.
const BYTES: (u64, u64) = (1 << 10, 1 << 30);

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
            if !url
                .get(..7)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
            {
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
        if let Some(bytes) = self.max_bytes {
            let (min, max) = BYTES;
            settings.max_bytes = usize::try_from(bytes)
                .ok()
                .filter(|_| (min..=max).contains(&bytes))
                .ok_or_else(|| format!("max-bytes: must be from {min} to {max}, not {bytes}"))?;
        }
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
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.starts_with(key), "{text}: {error}");
        }
        assert!(parse("refresh = 1").is_err());
    }
}
