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

use super::client::{CONTROL_BODY_LIMIT, Client, Request};
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

impl Client {
    /// Whether `key` has a current version (not a delete marker), and its version id.
    pub async fn head_object(&self, key: &str) -> Result<Option<Option<String>>, S3Error> {
        let response = self
            .send(Request::object(Method::HEAD, key), CONTROL_BODY_LIMIT)
            .await?;
        match response.status {
            404 => Ok(None),
            _ => {
                let response = response.success()?;
                Ok(Some(
                    response.header("x-amz-version-id").map(str::to_string),
                ))
            }
        }
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
        xml::versions_page(&response.body)
    }

    /// Every version and delete marker of exactly `key`, newest first.
    pub async fn versions_of(&self, key: &str) -> Result<Vec<xml::VersionEntry>, S3Error> {
        let mut entries = Vec::new();
        let mut after: Option<(String, String)> = None;
        loop {
            let page = self
                .list_versions(
                    key,
                    after.as_ref().map(|(k, v)| (k.as_str(), v.as_str())),
                    1000,
                )
                .await?;
            entries.extend(page.entries.into_iter().filter(|e| e.key == key));
            match page.next {
                Some(next) if next.0 == key => after = Some(next),
                _ => return Ok(entries),
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
