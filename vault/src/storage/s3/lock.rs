//! S3 Object Lock on single objects: retention in COMPLIANCE mode, extended and never
//! shortened, and legal holds.
//!
//! In COMPLIANCE mode nobody, the bucket's owner included, can shorten a retention or delete
//! the locked version before its date; S3 refuses (403) whatever the credentials. A legal hold
//! has no date: the version cannot be deleted while the hold is on, whatever its retention.
//! Both apply to one version; the backend applies them to every version of an object with
//! bytes ([`Client::retain_every_version`], [`Client::hold_every_version`]): the vault writes
//! one, and a version that someone else added on top must not leave the vault's own version's
//! lock behind when it is extended.

use hyper::Method;
use jiff::{Timestamp, ToSpan};

use super::client::{CONTROL_BODY_LIMIT, Client, Request};
use super::error::S3Error;
use super::xml::{self, Retention};

/// `until` rounded up to a whole second: S3 keeps retain-until dates in seconds, and a lock
/// must never end before the date asked for.
pub(crate) fn whole_second_after(until: Timestamp) -> Timestamp {
    let floor = Timestamp::from_second(until.as_second()).unwrap_or(until);
    if floor == until {
        until
    } else {
        floor.checked_add(1.second()).unwrap_or(until)
    }
}

/// What [`Client::retain_until`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extension {
    /// The lock was set or moved later.
    Extended,
    /// The lock already ran as long or longer: left as it was.
    AlreadyLater,
}

impl Client {
    /// The retention of a version of `key` (the current one when `version` is `None`);
    /// `None` when it has none.
    pub async fn retention(
        &self,
        key: &str,
        version: Option<&str>,
    ) -> Result<Option<Retention>, S3Error> {
        let response = self
            .send(
                with_version(
                    Request::object(Method::GET, key).query("retention", ""),
                    version,
                ),
                CONTROL_BODY_LIMIT,
            )
            .await?;
        if response.ok() {
            return xml::retention(&response.body).map(Some);
        }
        match response.error() {
            // AWS's code for an object without retention, and RGW's.
            S3Error::Status { code, .. }
                if code == "NoSuchObjectLockConfiguration"
                    || code == "ObjectLockConfigurationNotFoundError" =>
            {
                Ok(None)
            }
            other => Err(other),
        }
    }

    /// Locks `key` in COMPLIANCE mode until `until` at least: reads the current retention
    /// first and leaves a later one as it is (a lock is never shortened, and S3 would refuse
    /// it). A refusal by S3 that a concurrent extension explains (the date now there is as
    /// late) is no error.
    pub async fn retain_until(
        &self,
        key: &str,
        version: Option<&str>,
        until: Timestamp,
    ) -> Result<Extension, S3Error> {
        let until = whole_second_after(until);
        if let Some(current) = self.retention(key, version).await?
            && current.compliance
            && current.until >= until
        {
            return Ok(Extension::AlreadyLater);
        }
        let response = self
            .send(
                with_version(
                    Request::object(Method::PUT, key)
                        .query("retention", "")
                        .header("content-type", "application/xml")
                        .body(xml::retention_body(until).into()),
                    version,
                ),
                CONTROL_BODY_LIMIT,
            )
            .await?;
        if response.ok() {
            return Ok(Extension::Extended);
        }
        let error = response.lock_error();
        match self.retention(key, version).await? {
            Some(current) if current.compliance && current.until >= until => {
                Ok(Extension::AlreadyLater)
            }
            _ => Err(error),
        }
    }

    /// Places (`on`) or lifts a legal hold on a version of `key` (the current one when
    /// `version` is `None`).
    pub async fn set_legal_hold(
        &self,
        key: &str,
        version: Option<&str>,
        on: bool,
    ) -> Result<(), S3Error> {
        let response = self
            .send(
                with_version(
                    Request::object(Method::PUT, key)
                        .query("legal-hold", "")
                        .header("content-type", "application/xml")
                        .body(xml::legal_hold_body(on).into()),
                    version,
                ),
                CONTROL_BODY_LIMIT,
            )
            .await?;
        if response.ok() {
            Ok(())
        } else {
            Err(response.lock_error())
        }
    }

    /// Whether a version of `key` (the current one when `version` is `None`) is under a
    /// legal hold.
    pub async fn legal_hold(&self, key: &str, version: Option<&str>) -> Result<bool, S3Error> {
        let response = self
            .send(
                with_version(
                    Request::object(Method::GET, key).query("legal-hold", ""),
                    version,
                ),
                CONTROL_BODY_LIMIT,
            )
            .await?;
        if response.ok() {
            return xml::legal_hold(&response.body);
        }
        match response.error() {
            S3Error::Status { code, .. }
                if code == "NoSuchObjectLockConfiguration"
                    || code == "ObjectLockConfigurationNotFoundError" =>
            {
                Ok(false)
            }
            other => Err(other),
        }
    }
}

impl Client {
    /// The version ids of `key` that hold bytes (not delete markers), newest first; an error
    /// when there is none.
    async fn versions_with_bytes(&self, key: &str) -> Result<Vec<String>, S3Error> {
        let versions: Vec<String> = self
            .versions_of(key)
            .await?
            .into_iter()
            .filter(|v| !v.delete_marker)
            .map(|v| v.version_id)
            .collect();
        if versions.is_empty() {
            return Err(S3Error::Status {
                operation: format!("locking {}/{key}", self.bucket()),
                status: 404,
                code: "NoSuchKey".into(),
                message: "no version of the object holds bytes".into(),
            });
        }
        Ok(versions)
    }

    /// [`Client::retain_until`] on every version of `key` that holds bytes.
    pub async fn retain_every_version(&self, key: &str, until: Timestamp) -> Result<(), S3Error> {
        for version in self.versions_with_bytes(key).await? {
            self.retain_until(key, Some(&version), until).await?;
        }
        Ok(())
    }

    /// [`Client::set_legal_hold`] on every version of `key` that holds bytes.
    pub async fn hold_every_version(&self, key: &str, on: bool) -> Result<(), S3Error> {
        for version in self.versions_with_bytes(key).await? {
            self.set_legal_hold(key, Some(&version), on).await?;
        }
        Ok(())
    }

    /// The weakest lock over the versions of `key` that hold bytes: the earliest COMPLIANCE
    /// retain-until (none if a version has none), and a hold only if every version has one.
    pub async fn weakest_lock(&self, key: &str) -> Result<(Option<Timestamp>, bool), S3Error> {
        let mut until: Option<Option<Timestamp>> = None;
        let mut held = true;
        for version in self.versions_with_bytes(key).await? {
            let this = self
                .retention(key, Some(&version))
                .await?
                .filter(|r| r.compliance)
                .map(|r| r.until);
            until = Some(match (until, this) {
                (None, this) => this,
                (Some(Some(a)), Some(b)) => Some(a.min(b)),
                _ => None,
            });
            held &= self.legal_hold(key, Some(&version)).await?;
        }
        Ok((until.flatten(), held))
    }
}

fn with_version(request: Request, version: Option<&str>) -> Request {
    match version {
        Some(v) => request.query("versionId", v),
        None => request,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_up_to_the_second_never_down() {
        let exact: Timestamp = "2031-01-02T03:04:05Z".parse().unwrap();
        assert_eq!(whole_second_after(exact), exact);
        let later: Timestamp = "2031-01-02T03:04:05.001Z".parse().unwrap();
        assert_eq!(
            whole_second_after(later),
            "2031-01-02T03:04:06Z".parse::<Timestamp>().unwrap()
        );
    }
}
