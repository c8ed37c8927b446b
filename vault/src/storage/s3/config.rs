//! Where the bucket is and how to sign for it.

use std::time::Duration;

use super::error::S3Error;
use super::sigv4::Credentials;

/// The default orphan grace: a day, far longer than any put takes (a put must commit its
/// manifest within half of it).
pub const ORPHAN_GRACE: Duration = Duration::from_secs(24 * 3600);

/// The settings of the S3 content backend.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// The gateway's base URL, `http://host:port` (path-style requests: `/bucket/key`).
    pub endpoint: String,
    /// The bucket, created with Object Lock (`qoima storage init`).
    pub bucket: String,
    /// The region in the signature's scope (`us-east-1` for most gateways).
    pub region: String,
    /// The longest one request may take, body included (a chunk is at most 64 MiB).
    pub timeout: Duration,
    /// Keys per listing page (S3 gives at most 1 000).
    pub page_size: u32,
    /// How long an unreferenced chunk is left alone after it was written: it may belong to a
    /// put still in progress on another node (docs/storage.md, "Collection across nodes").
    /// A put must commit its manifest within half of it. Zero turns the rule off, for a
    /// bucket that one process alone writes to.
    pub orphan_grace: Duration,
    pub(crate) credentials: Credentials,
}

impl S3Config {
    /// Settings for `bucket` at `endpoint`, signed with the given key pair; region
    /// `us-east-1`, a 5-minute request timeout, pages of 1 000 keys and an orphan grace of
    /// [`ORPHAN_GRACE`].
    pub fn new(
        endpoint: impl Into<String>,
        bucket: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            bucket: bucket.into(),
            region: "us-east-1".into(),
            timeout: Duration::from_secs(300),
            page_size: 1000,
            orphan_grace: ORPHAN_GRACE,
            credentials: Credentials {
                access_key_id: access_key_id.into(),
                secret_access_key: secret_access_key.into(),
            },
        }
    }

    /// The `host[:port]` of the endpoint, after checking the settings.
    pub(crate) fn authority(&self) -> Result<String, S3Error> {
        check_bucket_name(&self.bucket)?;
        if !(1..=1000).contains(&self.page_size) {
            return Err(S3Error::Config(format!(
                "page size {} is outside 1..=1000",
                self.page_size
            )));
        }
        if self.region.is_empty()
            || !self
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(S3Error::Config(format!(
                "region {:?} is not a region name",
                self.region
            )));
        }
        let endpoint = self.endpoint.trim_end_matches('/');
        let Some(authority) = endpoint.strip_prefix("http://") else {
            return Err(S3Error::Config(if endpoint.starts_with("https://") {
                format!(
                    "endpoint {endpoint:?}: TLS is not built into the S3 backend yet; use an \
                     http:// endpoint on a trusted network (docs/storage.md)"
                )
            } else {
                format!("endpoint {endpoint:?} is not an http:// URL")
            }));
        };
        let host_ok = !authority.is_empty()
            && authority
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
        if !host_ok {
            return Err(S3Error::Config(format!(
                "endpoint {endpoint:?}: expected http://host[:port], without a path"
            )));
        }
        Ok(authority.to_string())
    }
}

/// S3's rules for bucket names: 3 to 63 lower-case letters, digits, `-` and `.`, beginning
/// and ending with a letter or digit.
fn check_bucket_name(name: &str) -> Result<(), S3Error> {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let ok = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && edge(name.bytes().next())
        && edge(name.bytes().last());
    if ok {
        Ok(())
    } else {
        Err(S3Error::Config(format!(
            "bucket name {name:?}: 3 to 63 lower-case letters, digits, '-' and '.', \
             beginning and ending with a letter or digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: &str, bucket: &str) -> S3Config {
        S3Config::new(endpoint, bucket, "AK", "SECRET")
    }

    #[test]
    fn accepts_a_plain_http_endpoint() {
        assert_eq!(
            config("http://127.0.0.1:7480/", "vault-1")
                .authority()
                .unwrap(),
            "127.0.0.1:7480"
        );
    }

    #[test]
    fn refuses_what_it_cannot_use_and_says_why() {
        for (endpoint, bucket, words) in [
            ("https://s3.example", "vault", "TLS"),
            ("ftp://x", "vault", "not an http://"),
            ("http://x/path", "vault", "without a path"),
            ("http://x", "Vault", "bucket name"),
            ("http://x", "ab", "bucket name"),
            ("http://x", "-ab", "bucket name"),
        ] {
            let e = config(endpoint, bucket)
                .authority()
                .unwrap_err()
                .to_string();
            assert!(e.contains(words), "{endpoint} {bucket}: {e}");
        }
        let mut c = config("http://x", "vault");
        c.page_size = 0;
        assert!(c.authority().is_err());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        assert!(!format!("{:?}", config("http://x", "vault")).contains("SECRET"));
    }
}
