//! The bucket's own settings: created with Object Lock when missing, and checked before any
//! use.
//!
//! Object Lock can only be enabled when a bucket is created, and it switches versioning on
//! for good. Every opening checks both settings (two small GETs); `qoima storage init` also
//! proves the lock works: a test object locked for a minute must refuse its deletion.

use hyper::Method;
use jiff::{Timestamp, ToSpan};
use ring::rand::{SecureRandom, SystemRandom};

use super::client::{CONTROL_BODY_LIMIT, Client, Request};
use super::error::S3Error;
use super::objects::Put;
use super::xml;

/// Where the test objects of [`Client::prove_lock`] go.
pub(crate) const PROBE_PREFIX: &str = "qoima-lock-probe/";
/// How long a test object stays locked.
const PROBE_LOCK_SECONDS: i64 = 60;

/// What [`Client::init_bucket`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BucketInit {
    /// The bucket was missing and is now created with Object Lock.
    Created,
    /// The bucket was there, with Object Lock.
    Existing,
}

impl Client {
    /// Whether the bucket exists (a HEAD; 404 is no).
    pub async fn bucket_exists(&self) -> Result<bool, S3Error> {
        let response = self
            .send(Request::bucket(Method::HEAD), CONTROL_BODY_LIMIT)
            .await?;
        match response.status {
            404 => Ok(false),
            _ => response.success().map(|_| true),
        }
    }

    /// Creates the bucket with Object Lock enabled (which also enables versioning).
    pub async fn create_locked_bucket(&self, region: &str) -> Result<(), S3Error> {
        let mut request =
            Request::bucket(Method::PUT).header("x-amz-bucket-object-lock-enabled", "true");
        if region != "us-east-1" {
            request = request.header("content-type", "application/xml").body(
                format!(
                    "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
                     <LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
                )
                .into(),
            );
        }
        self.send(request, CONTROL_BODY_LIMIT).await?.success()?;
        Ok(())
    }

    /// Checks that the bucket has Object Lock enabled and versioning on; a bucket without
    /// Object Lock is [`S3Error::NoObjectLock`].
    pub async fn check_bucket(&self) -> Result<(), S3Error> {
        let response = self
            .send(
                Request::bucket(Method::GET).query("object-lock", ""),
                CONTROL_BODY_LIMIT,
            )
            .await?;
        let enabled = if response.ok() {
            xml::object_lock_enabled(&response.body)?
        } else {
            match response.error() {
                S3Error::Status {
                    status: 404, code, ..
                } if code == "ObjectLockConfigurationNotFoundError"
                    || code == "NoSuchObjectLockConfiguration" =>
                {
                    false
                }
                other => return Err(other),
            }
        };
        if !enabled {
            return Err(S3Error::NoObjectLock {
                bucket: self.bucket().to_string(),
            });
        }
        let response = self
            .send(
                Request::bucket(Method::GET).query("versioning", ""),
                CONTROL_BODY_LIMIT,
            )
            .await?
            .success()?;
        match xml::versioning_status(&response.body)? {
            Some(status) if status == "Enabled" => Ok(()),
            status => Err(S3Error::Versioning {
                bucket: self.bucket().to_string(),
                status: status.unwrap_or_else(|| "never enabled".into()),
            }),
        }
    }

    /// Proves that the bucket enforces its locks: a test object locked in COMPLIANCE mode for
    /// a minute must refuse the deletion of its version. Test objects of earlier proofs whose
    /// lock has passed are removed first.
    pub async fn prove_lock(&self) -> Result<(), S3Error> {
        self.remove_expired_probes().await?;
        let mut random = [0u8; 8];
        SystemRandom::new()
            .fill(&mut random)
            .map_err(|_| S3Error::Config("no system randomness".into()))?;
        let now = Timestamp::now();
        let key = format!("{PROBE_PREFIX}{}-{}", now.as_second(), hex::encode(random));
        let until = now
            .checked_add(PROBE_LOCK_SECONDS.seconds())
            .map_err(|e| S3Error::Config(e.to_string()))?;
        let version = match self
            .put_object_if_absent(&key, b"qoima lock probe".as_slice().into(), Some(until))
            .await?
        {
            Put::Written(Some(version)) => version,
            Put::Written(None) | Put::Exists => {
                return Err(S3Error::Versioning {
                    bucket: self.bucket().to_string(),
                    status: "off (a PUT returned no version id)".into(),
                });
            }
        };
        match self.delete_version(&key, &version).await {
            Err(S3Error::Locked { .. }) => Ok(()),
            Err(other) => Err(other),
            Ok(()) => Err(S3Error::LockNotEnforced {
                bucket: self.bucket().to_string(),
                key,
            }),
        }
    }

    /// Deletes the versions of earlier test objects; those still locked stay (S3 refuses).
    async fn remove_expired_probes(&self) -> Result<(), S3Error> {
        let page = self.list_versions(PROBE_PREFIX, None, 1000).await?;
        for entry in page.entries {
            match self.delete_version(&entry.key, &entry.version_id).await {
                Ok(()) | Err(S3Error::Locked { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    /// Creates the bucket with Object Lock when it is missing, then checks its settings and
    /// proves that its locks hold (`qoima storage init`).
    pub async fn init_bucket(&self, region: &str) -> Result<BucketInit, S3Error> {
        let outcome = if self.bucket_exists().await? {
            BucketInit::Existing
        } else {
            self.create_locked_bucket(region).await?;
            BucketInit::Created
        };
        self.check_bucket().await?;
        self.prove_lock().await?;
        Ok(outcome)
    }
}
