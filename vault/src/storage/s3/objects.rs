//! The object operations: put (only if absent), get, head, list, and the deletion of one
//! version.
//!
//! The bucket is versioned (Object Lock requires it): a PUT on an existing key adds a version
//! and a DELETE without a version id only adds a delete marker, the locked version staying.
//! The backend therefore never overwrites (`If-None-Match: *`, after a HEAD) and removes
//! garbage by deleting each version by its id.

use bytes::Bytes;
use hyper::Method;
use jiff::Timestamp;

use super::client::{CONTROL_BODY_LIMIT, Client, Request, http_date};
use super::error::S3Error;
use super::xml::{self, ObjectsPage, VersionsPage};

/// What a conditional PUT did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Put {
    /// The object was written; its version id.
    Written(Option<String>),
    /// An object was already there: nothing was written.
    Exists,
}

/// What a HEAD says of an object's current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    /// Its version id.
    pub version_id: Option<String>,
    /// When it was written (`Last-Modified`, whole seconds); `None` when the gateway did not
    /// say, which counts as old.
    pub last_modified: Option<Timestamp>,
    /// Its retain-until date (`x-amz-object-lock-retain-until-date`), in either mode.
    pub retain_until: Option<Timestamp>,
    /// Whether a legal hold is on (`x-amz-object-lock-legal-hold: ON`).
    pub legal_hold: bool,
    /// The gateway's clock when it answered (its `Date`).
    pub served_at: Timestamp,
}

impl Head {
    /// Whether S3 would refuse to delete this version now: retained past the gateway's
    /// present, or held.
    pub fn locked(&self) -> bool {
        self.legal_hold
            || self
                .retain_until
                .is_some_and(|until| until > self.served_at)
    }
}

impl Client {
    /// Whether `key` has a current version (not a delete marker), and what its headers say.
    pub async fn head_object(&self, key: &str) -> Result<Option<Head>, S3Error> {
        let response = self
            .send(Request::object(Method::HEAD, key), CONTROL_BODY_LIMIT)
            .await?;
        if response.status == 404 {
            return Ok(None);
        }
        let response = response.success()?;
        let last_modified = response
            .header("last-modified")
            .map(|text| http_date(text, "Last-Modified", &response.operation))
            .transpose()?;
        let retain_until = response
            .header("x-amz-object-lock-retain-until-date")
            .map(|text| {
                text.trim()
                    .parse::<Timestamp>()
                    .map_err(|e| S3Error::Transport {
                        operation: response.operation.clone(),
                        detail: format!(
                            "header x-amz-object-lock-retain-until-date: {text:?} is not an \
                         RFC 3339 date: {e}"
                        ),
                    })
            })
            .transpose()?;
        Ok(Some(Head {
            version_id: response.header("x-amz-version-id").map(str::to_string),
            last_modified,
            retain_until,
            legal_hold: response
                .header("x-amz-object-lock-legal-hold")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("ON")),
            served_at: response.served_at()?,
        }))
    }

    /// The bytes of `key` (of one version when given); `None` when there is none, or when the
    /// current version is a delete marker (`Some(true)` in the second place then).
    pub async fn get_object(
        &self,
        key: &str,
        version_id: Option<&str>,
        limit: usize,
    ) -> Result<(Option<Bytes>, bool), S3Error> {
        let mut request = Request::object(Method::GET, key);
        if let Some(v) = version_id {
            request = request.query("versionId", v);
        }
        let response = self.send(request, limit).await?;
        if response.status == 404 {
            let marker = response.header("x-amz-delete-marker") == Some("true");
            let error = response.error();
            return match &error {
                S3Error::Status { code, .. }
                    if code == "NoSuchKey" || code == "NoSuchVersion" || marker =>
                {
                    Ok((None, marker))
                }
                _ => Err(error),
            };
        }
        let response = response.success()?;
        let declared = response
            .header("content-length")
            .and_then(|l| l.parse::<usize>().ok());
        if declared.is_some_and(|length| length != response.body.len()) {
            return Err(S3Error::Transport {
                operation: response.operation.clone(),
                detail: format!(
                    "{} bytes received, Content-Length said {declared:?}",
                    response.body.len()
                ),
            });
        }
        Ok((Some(response.body), false))
    }

    /// Writes `body` under `key` unless an object is there (`If-None-Match: *`), locked in
    /// COMPLIANCE mode until `lock_until` when given.
    pub async fn put_object_if_absent(
        &self,
        key: &str,
        body: Bytes,
        lock_until: Option<Timestamp>,
    ) -> Result<Put, S3Error> {
        let mut request = Request::object(Method::PUT, key)
            .header("if-none-match", "*")
            .header("content-type", "application/octet-stream")
            .body(body);
        if let Some(until) = lock_until {
            request = request
                .header("x-amz-object-lock-mode", "COMPLIANCE")
                .header("x-amz-object-lock-retain-until-date", &xml::iso8601(until));
        }
        let response = self.send(request, CONTROL_BODY_LIMIT).await?;
        if response.status == 412 {
            return Ok(Put::Exists);
        }
        let response = response.success()?;
        Ok(Put::Written(
            response.header("x-amz-version-id").map(str::to_string),
        ))
    }

    /// Writes `body` under `key` whatever is there: on the versioned bucket, a new version on
    /// top of the others, which stay as they are (and keep their locks). Only for a chunk
    /// whose newest version is too old to be trusted by a put (docs/storage.md, "Collection
    /// across nodes"): the same bytes again, under a fresh `LastModified`.
    pub async fn put_new_version(&self, key: &str, body: Bytes) -> Result<(), S3Error> {
        let request = Request::object(Method::PUT, key)
            .header("content-type", "application/octet-stream")
            .body(body);
        self.send(request, CONTROL_BODY_LIMIT).await?.success()?;
        Ok(())
    }

    /// One page of the current objects under `prefix`, in key order.
    pub async fn list_objects(
        &self,
        prefix: &str,
        continuation: Option<&str>,
        max_keys: u32,
    ) -> Result<ObjectsPage, S3Error> {
        let mut request = Request::bucket(Method::GET)
            .query("list-type", "2")
            .query("prefix", prefix)
            .query("max-keys", &max_keys.to_string());
        if let Some(token) = continuation {
            request = request.query("continuation-token", token);
        }
        let response = self.send(request, CONTROL_BODY_LIMIT).await?.success()?;
        xml::objects_page(&response.body)
    }

    /// One page of the versions and delete markers under `prefix`.
    pub async fn list_versions(
        &self,
        prefix: &str,
        after: Option<(&str, &str)>,
        max_keys: u32,
    ) -> Result<VersionsPage, S3Error> {
        Ok(self.list_versions_at(prefix, after, max_keys).await?.0)
    }

    /// [`Client::list_versions`], with the gateway's clock when it answered.
    async fn list_versions_at(
        &self,
        prefix: &str,
        after: Option<(&str, &str)>,
        max_keys: u32,
    ) -> Result<(VersionsPage, Timestamp), S3Error> {
        let mut request = Request::bucket(Method::GET)
            .query("versions", "")
            .query("prefix", prefix)
            .query("max-keys", &max_keys.to_string());
        if let Some((key, version)) = after {
            request = request.query("key-marker", key);
            if !version.is_empty() {
                request = request.query("version-id-marker", version);
            }
        }
        let response = self.send(request, CONTROL_BODY_LIMIT).await?.success()?;
        Ok((xml::versions_page(&response.body)?, response.served_at()?))
    }

    /// Every version and delete marker of exactly `key`, newest first.
    pub async fn versions_of(&self, key: &str) -> Result<Vec<xml::VersionEntry>, S3Error> {
        Ok(self.versions_at(key).await?.0)
    }

    /// [`Client::versions_of`], with the gateway's clock when it answered the first page.
    pub async fn versions_at(
        &self,
        key: &str,
    ) -> Result<(Vec<xml::VersionEntry>, Timestamp), S3Error> {
        let mut entries = Vec::new();
        let mut after: Option<(String, String)> = None;
        let mut served_at = None;
        loop {
            let (page, at) = self
                .list_versions_at(
                    key,
                    after.as_ref().map(|(k, v)| (k.as_str(), v.as_str())),
                    1000,
                )
                .await?;
            let served_at = *served_at.get_or_insert(at);
            entries.extend(page.entries.into_iter().filter(|e| e.key == key));
            match page.next {
                Some(next) if next.0 == key => after = Some(next),
                _ => return Ok((entries, served_at)),
            }
        }
    }

    /// Deletes one version (or delete marker) for good. A version under retention or a legal
    /// hold is refused by S3: [`S3Error::Locked`].
    pub async fn delete_version(&self, key: &str, version_id: &str) -> Result<(), S3Error> {
        let response = self
            .send(
                Request::object(Method::DELETE, key).query("versionId", version_id),
                CONTROL_BODY_LIMIT,
            )
            .await?;
        match response.status {
            200..=299 | 404 => Ok(()),
            _ => Err(response.lock_error()),
        }
    }
}
