//! The staged bytes of resumable uploads in the vault's bucket: one object per part that a
//! PATCH stored, `uploads/<hex upload id>/<start, 20 digits>-<end, 20 digits>`, without
//! retention (`docs/storage.md`, "Resumable uploads across nodes"). Which parts count is the
//! upload's row in PostgreSQL; an object the row does not list is an unacknowledged part,
//! written again (a new version on top) by the PATCH that next stores that range, or removed
//! with the upload.
//!
//! They are staging, not content: removed version by version when the upload ends, and never
//! under `chunks/`, which the collection and the copies read.

use std::sync::Arc;

use bytes::Bytes;

use super::S3Chunks;
use super::client::Client;
use super::error::S3Error;
use crate::storage::StorageError;
use crate::storage::bridge::Bridge;

/// Where staged parts go.
const PREFIX: &str = "uploads/";

/// Listing page size.
const PAGE: u32 = 1000;

/// Requests in flight at once when an upload's objects are removed.
const PARALLEL: usize = 8;

/// The staged parts of uploads, in the bucket of the [`S3Chunks`] they were made from.
pub struct StagedObjects {
    client: Arc<Client>,
    /// A runtime of their own: a PATCH's writes must not queue behind a collection's.
    bridge: Bridge,
}

impl std::fmt::Debug for StagedObjects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedObjects")
            .field("bucket", &self.client.bucket())
            .finish_non_exhaustive()
    }
}

impl S3Chunks {
    /// The uploads' staged parts in this bucket, on the same client.
    pub fn staged_objects(&self) -> Result<StagedObjects, StorageError> {
        Ok(StagedObjects {
            client: Arc::clone(&self.client),
            bridge: Bridge::new("s3-staging", 2)?,
        })
    }
}

#[cfg(test)]
impl StagedObjects {
    /// Staged objects on `config`'s bucket through a client that is not checked first: with
    /// wrong credentials, every request of theirs fails, for the tests of failed removals.
    pub(crate) fn unchecked(config: &super::S3Config) -> Result<Self, StorageError> {
        let client = Client::new(config).map_err(|e| StorageError::Engine(e.to_string()))?;
        Ok(Self {
            client: Arc::new(client),
            bridge: Bridge::new("s3-staging", 2)?,
        })
    }
}

/// The prefix of upload `upload`'s parts (its id in lowercase hex).
fn upload_prefix(upload: &str) -> String {
    format!("{PREFIX}{upload}/")
}

/// The key of the part `start..end` of `upload`.
pub(crate) fn part_key(upload: &str, start: u64, end: u64) -> String {
    format!("{PREFIX}{upload}/{start:020}-{end:020}")
}

impl StagedObjects {
    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        self.client.bucket()
    }

    fn call<T, F, Fut>(&self, operation: F) -> Result<T, StorageError>
    where
        F: FnOnce(Arc<Client>) -> Fut,
        Fut: Future<Output = Result<T, S3Error>> + Send + 'static,
        T: Send + 'static,
    {
        Ok(self.bridge.run(operation(Arc::clone(&self.client)))??)
    }

    /// Stores `bytes` as the part `start..end` of `upload`, over any unacknowledged object
    /// of that range (a new version: the newest is read).
    pub fn put_part(
        &self,
        upload: &str,
        start: u64,
        end: u64,
        bytes: Vec<u8>,
    ) -> Result<(), StorageError> {
        if end.checked_sub(start) != Some(bytes.len() as u64) {
            return Err(StorageError::Engine(format!(
                "S3: part {start}..{end} of upload {upload} given {} bytes",
                bytes.len()
            )));
        }
        let key = part_key(upload, start, end);
        let body = Bytes::from(bytes);
        self.call(move |c| async move { c.put_new_version(&key, body).await })
    }

    /// The bytes of the part `start..end` of `upload`, at most `limit` of them; `None` when
    /// there is no such object.
    pub fn get_part(
        &self,
        upload: &str,
        start: u64,
        end: u64,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let key = part_key(upload, start, end);
        let got = self.call(move |c| async move { c.get_object(&key, None, limit).await })?;
        Ok(got.0.map(|bytes| bytes.to_vec()))
    }

    /// Removes every version of the part `start..end` of `upload`.
    pub fn remove_part(&self, upload: &str, start: u64, end: u64) -> Result<(), StorageError> {
        let key = part_key(upload, start, end);
        self.call(move |c| async move {
            for entry in c.versions_of(&key).await? {
                c.delete_version(&key, &entry.version_id).await?;
            }
            Ok(())
        })
    }

    /// Removes every version of every object of `upload`.
    pub fn remove_upload(&self, upload: &str) -> Result<(), StorageError> {
        let prefix = upload_prefix(upload);
        self.call(move |c| async move {
            loop {
                let page = c.list_versions(&prefix, None, PAGE).await?;
                if page.entries.is_empty() {
                    return Ok(());
                }
                let mut tasks = tokio::task::JoinSet::new();
                let mut entries = page.entries.into_iter();
                loop {
                    while tasks.len() < PARALLEL {
                        let Some(entry) = entries.next() else { break };
                        let c = Arc::clone(&c);
                        tasks.spawn(async move {
                            c.delete_version(&entry.key, &entry.version_id).await
                        });
                    }
                    let Some(done) = tasks.join_next().await else {
                        break;
                    };
                    done.map_err(|e| S3Error::Transport {
                        operation: "removing a staged upload".into(),
                        detail: e.to_string(),
                    })??;
                }
                if page.next.is_none() {
                    return Ok(());
                }
            }
        })
    }

    /// The uploads (lowercase hex ids) that have objects in the bucket.
    pub fn uploads(&self) -> Result<Vec<String>, StorageError> {
        self.call(move |c| async move {
            let mut uploads: Vec<String> = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = c.list_objects(PREFIX, token.as_deref(), PAGE).await?;
                for key in page.keys {
                    let upload = key
                        .strip_prefix(PREFIX)
                        .and_then(|rest| rest.split_once('/'))
                        .map(|(upload, _)| upload.to_owned())
                        .ok_or(S3Error::UnexpectedKey(key.clone()))?;
                    if uploads.last() != Some(&upload) {
                        uploads.push(upload);
                    }
                }
                match page.next {
                    Some(next) => token = Some(next),
                    None => return Ok(uploads),
                }
            }
        })
    }

    /// How many objects (current versions) are staged, for every upload.
    pub fn count(&self) -> Result<usize, StorageError> {
        self.call(move |c| async move {
            let mut count = 0;
            let mut token: Option<String> = None;
            loop {
                let page = c.list_objects(PREFIX, token.as_deref(), PAGE).await?;
                count += page.keys.len();
                match page.next {
                    Some(next) => token = Some(next),
                    None => return Ok(count),
                }
            }
        })
    }
}
