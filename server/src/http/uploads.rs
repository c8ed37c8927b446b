//! `/v1/uploads`: resumable uploads by the tus 1.0.0 protocol
//! (<https://tus.io/protocols/resumable-upload>), with its creation, creation-with-upload,
//! checksum (`sha256`), expiration and termination extensions, so that existing tus clients
//! work unchanged. The bytes are staged by [`qoima_vault::uploads`]: in a directory of the
//! node's on the embedded vault; on the distributed engine, the state in PostgreSQL and the
//! bytes in S3, so that any node takes any PATCH and an upload begun on one node is finished
//! and registered through another (one PATCH of an upload at a time across the nodes: 423 for
//! a second). An upload becomes a document only through `POST /v1/documents`.
//!
//! The client declares the whole file's SHA-256 in `Upload-Metadata` (`sha256`, hex): the
//! last PATCH is refused with 460 and the upload discarded when the bytes do not match it.
//! An upload belongs to the key that created it: to any other key it does not exist (404).
//!
//! Quotas per API key ([`UploadQuotas`]): the uploads it has at once (created and not yet
//! registered, terminated or expired) and the bytes its uploads declare per UTC day. A creation
//! past either is refused with 429 and `Retry-After`. The declared length is charged when the
//! upload is created, so its PATCH requests can never exceed the day's quota.

// A refusal is the whole response, built once on the failing path: boxing it buys nothing.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use qoima_vault::StagedContent;
use qoima_vault::keys::ApiKey;
use qoima_vault::uploads::{NewUpload, Upload, UploadError, UploadId};
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::AppState;
use super::body::{Body, full, next_data};
use super::request::read_failure;
use super::response::problem;

/// The protocol version this server speaks.
const TUS_VERSION: &str = "1.0.0";

/// The extensions it supports.
const TUS_EXTENSIONS: &str = "creation,creation-with-upload,checksum,expiration,termination";

/// The media type of a PATCH body (tus §5.3.2).
const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// tus's status for a checksum mismatch (checksum extension).
fn checksum_mismatch() -> StatusCode {
    StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST)
}

/// At most this many metadata pairs, of at most this many bytes decoded in all: enough for
/// a name, a type and the SHA-256.
const MAX_METADATA_PAIRS: usize = 16;
const MAX_METADATA_BYTES: usize = 4096;

/// `OPTIONS /v1/uploads`: what the server supports (no key needed).
pub(super) fn options(state: &AppState) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    tus_headers(headers);
    headers.insert("tus-version", HeaderValue::from_static(TUS_VERSION));
    headers.insert("tus-extension", HeaderValue::from_static(TUS_EXTENSIONS));
    headers.insert("tus-checksum-algorithm", HeaderValue::from_static("sha256"));
    headers.insert(
        "tus-max-size",
        HeaderValue::from(state.uploads.config().max_length),
    );
    response
}

fn tus_headers(headers: &mut HeaderMap) {
    headers.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
}

/// A tus error: problem+json with `Tus-Resumable`.
fn refuse(status: StatusCode, detail: &str) -> Response<Body> {
    let mut response = problem(status, detail);
    tus_headers(response.headers_mut());
    response
}

/// 412 unless the request speaks tus 1.0.0.
fn check_version(headers: &HeaderMap) -> Result<(), Response<Body>> {
    match headers.get("tus-resumable").map(HeaderValue::as_bytes) {
        Some(b"1.0.0") => Ok(()),
        _ => {
            let mut response = refuse(
                StatusCode::PRECONDITION_FAILED,
                "this server speaks tus 1.0.0: send Tus-Resumable: 1.0.0",
            );
            response
                .headers_mut()
                .insert("tus-version", HeaderValue::from_static(TUS_VERSION));
            Err(response)
        }
    }
}

/// The value of a header that must appear at most once, as text.
fn single<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, Response<Body>> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            &format!("{name} is given more than once"),
        ));
    }
    first.to_str().map(Some).map_err(|_| {
        refuse(
            StatusCode::BAD_REQUEST,
            &format!("{name} is not visible ASCII"),
        )
    })
}

/// A header holding a non-negative decimal number.
fn number(headers: &HeaderMap, name: &str) -> Result<Option<u64>, Response<Body>> {
    let Some(text) = single(headers, name)? else {
        return Ok(None);
    };
    let valid = !text.is_empty() && text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u64>() {
        Ok(n) if valid => Ok(Some(n)),
        _ => Err(refuse(
            StatusCode::BAD_REQUEST,
            &format!("{name} must be a non-negative number, not {text:?}"),
        )),
    }
}

/// Parses `Upload-Metadata` (tus §5.2.1): comma-separated `key base64value` pairs, keys
/// unique, non-empty and free of spaces and commas. A repeated key is refused: two `sha256`
/// values must not let one part of a system check one and another part use the other.
pub(crate) fn parse_metadata(text: &str) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut metadata = BTreeMap::new();
    let mut total = 0;
    for pair in text.split(',') {
        let pair = pair.trim_matches(' ');
        let mut parts = pair.split(' ');
        let key = parts.next().unwrap_or_default();
        let value = parts.next().unwrap_or_default();
        if parts.next().is_some() {
            return Err(format!("metadata pair {pair:?} is not `key base64value`"));
        }
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            return Err(format!(
                "metadata key {key:?} is empty or not visible ASCII"
            ));
        }
        let value = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|e| format!("metadata {key}: the value is not base64: {e}"))?;
        total += key.len() + value.len();
        if metadata.insert(key.to_owned(), value).is_some() {
            return Err(format!("metadata key {key} is given more than once"));
        }
        if metadata.len() > MAX_METADATA_PAIRS || total > MAX_METADATA_BYTES {
            return Err(format!(
                "metadata holds at most {MAX_METADATA_PAIRS} pairs of {MAX_METADATA_BYTES} \
                 bytes in all"
            ));
        }
    }
    Ok(metadata)
}

/// `Upload-Metadata` as the client sent it (values base64 again).
fn metadata_header(metadata: &BTreeMap<String, Vec<u8>>) -> String {
    let pairs: Vec<String> = metadata
        .iter()
        .map(|(key, value)| {
            if value.is_empty() {
                key.clone()
            } else {
                format!(
                    "{key} {}",
                    base64::engine::general_purpose::STANDARD.encode(value)
                )
            }
        })
        .collect();
    pairs.join(",")
}

/// The whole file's SHA-256 declared in the metadata.
pub(crate) fn declared_sha256(metadata: &BTreeMap<String, Vec<u8>>) -> Result<[u8; 32], String> {
    let value = metadata.get("sha256").ok_or(
        "Upload-Metadata must declare the whole file's SHA-256: sha256 <base64 of 64 hex digits>",
    )?;
    qoima_vault::decode_lower_hex(value).ok_or_else(|| {
        format!(
            "metadata sha256 must be 64 lowercase hex digits, not {:?}",
            String::from_utf8_lossy(value)
        )
    })
}

/// `Upload-Checksum: sha256 <base64 digest>` (checksum extension).
pub(crate) fn parse_checksum(headers: &HeaderMap) -> Result<Option<[u8; 32]>, Response<Body>> {
    let Some(text) = single(headers, "upload-checksum")? else {
        return Ok(None);
    };
    let Some((algorithm, value)) = text.split_once(' ') else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "Upload-Checksum is `sha256 <base64 digest>`",
        ));
    };
    if algorithm != "sha256" {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            &format!("checksum algorithm {algorithm:?} is not supported: use sha256"),
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .and_then(|digest| <[u8; 32]>::try_from(digest).ok())
        .map(Some)
        .ok_or_else(|| {
            refuse(
                StatusCode::BAD_REQUEST,
                "Upload-Checksum's digest is not the base64 of 32 bytes",
            )
        })
}

/// Upload `id` if `key` owns it; `None` alike for an unknown upload and another key's, so that
/// other keys' uploads are not disclosed.
pub(super) fn owned_by(
    state: &AppState,
    id: UploadId,
    key: &ApiKey,
) -> Result<Option<Upload>, UploadError> {
    match state.uploads.get(id) {
        Ok(upload) if upload.owner == key.id.to_string() => Ok(Some(upload)),
        Ok(_) | Err(UploadError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The bytes of finished upload `id` of `key`, staged where they are, for a registration to
/// check before they enter the content store: 404 for an unknown upload or another key's, 409
/// for one not finished.
pub(super) fn staged(
    state: &AppState,
    id: UploadId,
    key: &ApiKey,
) -> Result<StagedContent, Response<Body>> {
    let upload = match owned_by(state, id, key) {
        Ok(Some(upload)) => upload,
        Ok(None) => return Err(problem(StatusCode::NOT_FOUND, &format!("no upload {id}"))),
        Err(e) => return Err(problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())),
    };
    if !upload.is_complete() {
        return Err(problem(
            StatusCode::CONFLICT,
            &format!(
                "upload {id} has {} of its {} bytes: finish it first",
                upload.offset, upload.length
            ),
        ));
    }
    state.uploads.staged(&upload).map_err(|e| match e {
        UploadError::NotFound(_) => problem(StatusCode::NOT_FOUND, &format!("no upload {id}")),
        e => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    })
}

/// Upload `text` of `key`; 404 for a malformed id, an unknown one and another key's.
fn owned(text: &str, state: &AppState, key: &ApiKey) -> Result<Upload, Response<Body>> {
    let missing = || refuse(StatusCode::NOT_FOUND, &format!("no upload {text:?}"));
    let id: UploadId = text.parse().map_err(|_| missing())?;
    owned_by(state, id, key)
        .map_err(|e| failure(&e))?
        .ok_or_else(missing)
}

/// The status of an upload error.
fn failure(error: &UploadError) -> Response<Body> {
    let status = match error {
        UploadError::NotFound(_) => StatusCode::NOT_FOUND,
        UploadError::Busy(_) => StatusCode::LOCKED,
        UploadError::OffsetMismatch { .. } | UploadError::ReplayMismatch { .. } => {
            StatusCode::CONFLICT
        }
        UploadError::TooLong { .. } => StatusCode::BAD_REQUEST,
        UploadError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        UploadError::ChecksumMismatch | UploadError::WholeMismatch { .. } => checksum_mismatch(),
        UploadError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %error, "upload storage failed");
    }
    refuse(status, &error.to_string())
}

/// `Upload-Offset` and `Upload-Expires` of `upload` on `headers`.
fn progress_headers(headers: &mut HeaderMap, upload: &Upload) {
    headers.insert("upload-offset", HeaderValue::from(upload.offset));
    let expires = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&upload.expires_at)
        .ok()
        .and_then(|text| HeaderValue::from_str(&text).ok());
    if let Some(expires) = expires {
        headers.insert("upload-expires", expires);
    }
}

/// A permit to receive one upload body, or 503 with `Retry-After` when the bound on
/// concurrent uploads is reached (tus clients retry a 503).
fn slot(state: &AppState) -> Result<OwnedSemaphorePermit, Response<Body>> {
    state.upload_slots.clone().try_acquire_owned().map_err(|_| {
        let mut response = refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "{} uploads are being received: retry shortly",
                state.settings.max_concurrent_uploads
            ),
        );
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("2"));
        response
    })
}

/// The bytes quota of every API key: what each has declared today. The uploads a key has at
/// once are counted by the store as each is created
/// ([`qoima_vault::uploads::UploadStore::create_within`]): in the
/// database every node shares on the distributed engine, so that nodes together keep the
/// bound, not each node its own.
#[derive(Debug, Default)]
pub(crate) struct UploadQuotas {
    keys: Mutex<HashMap<String, KeyUsage>>,
}

/// One key's usage.
#[derive(Debug, Default)]
struct KeyUsage {
    /// The UTC day (days since the epoch) `bytes` counts.
    day: i64,
    /// Bytes declared on `day`.
    bytes: u64,
}

/// A creation within the bytes quota: its bytes are charged; unless [`Admission::created`]
/// was called, dropping it gives them back.
pub(crate) struct Admission {
    quotas: Arc<UploadQuotas>,
    owner: String,
    day: i64,
    bytes: u64,
    created: bool,
}

impl Admission {
    /// The upload was created: its bytes stay charged.
    fn created(mut self) {
        self.created = true;
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if self.created {
            return;
        }
        let mut keys = self.quotas.lock();
        if let Some(usage) = keys.get_mut(&self.owner)
            && usage.day == self.day
        {
            usage.bytes = usage.bytes.saturating_sub(self.bytes);
        }
    }
}

/// A creation past a quota: why, and when to try again (seconds).
struct OverQuota {
    detail: String,
    retry_after: u64,
}

impl OverQuota {
    /// 429 with `Retry-After`, logged.
    fn response(&self, key: &ApiKey) -> Response<Body> {
        tracing::info!(key = %key.id, detail = %self.detail, "upload refused by quota");
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, &self.detail);
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(self.retry_after));
        response
    }
}

const DAY: i64 = 24 * 3600;

/// How long a key over its uploads-at-once quota is told to wait: uploads end by registration,
/// termination or expiry (swept every minute).
const RETRY_UPLOADS: u64 = 60;

impl UploadQuotas {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyUsage>> {
        // Each use is a few arithmetic updates of one entry: poisoning is moot.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Charges `length` bytes to `owner`'s quota of the UTC day of `now`, or says that they
    /// would exceed it.
    fn admit(
        self: &Arc<Self>,
        owner: &str,
        length: u64,
        now: jiff::Timestamp,
        max_bytes: u64,
    ) -> Result<Admission, OverQuota> {
        let second = now.as_second();
        let day = second.div_euclid(DAY);
        let mut keys = self.lock();
        let usage = keys.entry(owner.to_owned()).or_default();
        if usage.day != day {
            usage.day = day;
            usage.bytes = 0;
        }
        let total = usage.bytes.saturating_add(length);
        if total > max_bytes {
            return Err(OverQuota {
                detail: format!(
                    "this key's uploads declared {} bytes today (UTC); {length} more would pass \
                     its quota of {max_bytes} bytes a day",
                    usage.bytes
                ),
                // Until the next UTC midnight.
                retry_after: u64::try_from(DAY - second.rem_euclid(DAY)).unwrap_or(1),
            });
        }
        usage.bytes = total;
        Ok(Admission {
            quotas: Arc::clone(self),
            owner: owner.to_owned(),
            day,
            bytes: length,
            created: false,
        })
    }
}

/// The creation of an upload of `length` bytes by `key` within its bytes quota, or 429 with
/// `Retry-After`.
fn within_quotas(state: &AppState, key: &ApiKey, length: u64) -> Result<Admission, Response<Body>> {
    state
        .upload_quotas
        .admit(
            &key.id.to_string(),
            length,
            jiff::Timestamp::now(),
            state.settings.max_upload_bytes_per_key_per_day,
        )
        .map_err(|over| over.response(key))
}

/// Creates upload `new` within its key's quota of uploads at once (429 with `Retry-After`
/// past it).
async fn store_creation(
    new: NewUpload,
    state: &AppState,
    key: &ApiKey,
) -> Result<Upload, Response<Body>> {
    let uploads = state.uploads.clone();
    let max = state.settings.max_uploads_per_key;
    let created = tokio::task::spawn_blocking(move || {
        uploads.create_within(new, jiff::Timestamp::now(), max)
    })
    .await
    .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    match created {
        Ok(upload) => Ok(upload),
        Err(UploadError::TooMany { held, max }) => Err(OverQuota {
            detail: format!(
                "this key has {held} uploads, its quota: finish, register or terminate one \
                 first (at most {max} at once)"
            ),
            retry_after: RETRY_UPLOADS,
        }
        .response(key)),
        Err(e) => Err(failure(&e)),
    }
}

/// Whether the request carries a body, and if so that it is an offset+octet-stream.
fn has_upload_body(headers: &HeaderMap) -> Result<bool, Response<Body>> {
    let declared = headers
        .get(hyper::header::CONTENT_LENGTH)
        .is_some_and(|length| length.as_bytes() != b"0")
        || headers.contains_key(hyper::header::TRANSFER_ENCODING);
    let typed = headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == OFFSET_OCTET_STREAM.as_bytes());
    match (declared, typed) {
        (_, true) => Ok(true),
        (false, false) => Ok(false),
        (true, false) => Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("upload bytes are sent as Content-Type: {OFFSET_OCTET_STREAM}"),
        )),
    }
}

/// `POST /v1/uploads` (creation, creation-with-upload).
pub(super) async fn create(
    req: Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let Creation {
        new,
        checksum,
        permit,
        admission,
    } = match prepare_creation(req.headers(), state, key) {
        Ok(creation) => creation,
        Err(response) => return super::unread(req, response, state).await,
    };
    // Stored before the body is read: refused past the key's uploads at once, the body is
    // read and dropped as for any other refusal.
    let created = match store_creation(new, state, key).await {
        Ok(created) => created,
        Err(response) => return super::unread(req, response, state).await,
    };
    admission.created();
    try_create(created, checksum, permit, req, state, key).await
}

/// A creation checked before anything is stored or read.
struct Creation {
    new: NewUpload,
    /// The first bytes' checksum.
    checksum: Option<[u8; 32]>,
    /// A receiving slot, when there are first bytes.
    permit: Option<OwnedSemaphorePermit>,
    /// Its place within the key's quotas.
    admission: Admission,
}

fn prepare_creation(
    headers: &HeaderMap,
    state: &AppState,
    key: &ApiKey,
) -> Result<Creation, Response<Body>> {
    check_version(headers)?;
    if headers.contains_key("upload-defer-length") {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "Upload-Defer-Length is not supported: give Upload-Length",
        ));
    }
    let length = number(headers, "upload-length")?
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "Upload-Length is required"))?;
    let max = state.uploads.config().max_length;
    if length > max {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("an upload of {length} bytes is above the maximum of {max} bytes"),
        ));
    }
    let metadata = single(headers, "upload-metadata")?
        .map(parse_metadata)
        .transpose()
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, &e))?
        .unwrap_or_default();
    let sha256 = declared_sha256(&metadata).map_err(|e| refuse(StatusCode::BAD_REQUEST, &e))?;
    let checksum = parse_checksum(headers)?;
    let with_body = has_upload_body(headers)?;
    let admission = within_quotas(state, key, length)?;
    let permit = if with_body { Some(slot(state)?) } else { None };
    let new = NewUpload {
        length,
        sha256,
        owner: key.id.to_string(),
        metadata,
    };
    Ok(Creation {
        new,
        checksum,
        permit,
        admission,
    })
}

/// The rest of a creation once the upload is stored: its first bytes, if the request has a
/// body, and the response.
async fn try_create(
    created: Upload,
    checksum: Option<[u8; 32]>,
    permit: Option<OwnedSemaphorePermit>,
    req: Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let length = created.length;
    let with_body = permit.is_some();
    let location = format!("/v1/uploads/{}", created.id);
    tracing::info!(upload = %created.id, length, key = %key.id, "upload created");
    let (mut response, upload) = if with_body {
        match receive(created.id, 0, checksum, req, state, permit).await {
            (Ok(()), upload) => (empty(StatusCode::CREATED), upload),
            // The first bytes were refused or broke off; the upload may still exist.
            (Err(response), upload) => (
                response,
                upload.or_else(|| state.uploads.get(created.id).ok()),
            ),
        }
    } else {
        (empty(StatusCode::CREATED), Some(created))
    };
    let headers = response.headers_mut();
    tus_headers(headers);
    if let Some(upload) = upload {
        if let Ok(location) = HeaderValue::from_str(&location) {
            headers.insert(LOCATION, location);
        }
        progress_headers(headers, &upload);
    }
    response
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// `HEAD /v1/uploads/{id}`: how far the upload got.
pub(super) fn head(
    id: &str,
    req: &Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let upload = match check_version(req.headers()).and_then(|()| owned(id, state, key)) {
        Ok(upload) => upload,
        Err(response) => return response,
    };
    let mut response = empty(StatusCode::OK);
    let headers = response.headers_mut();
    tus_headers(headers);
    progress_headers(headers, &upload);
    headers.insert("upload-length", HeaderValue::from(upload.length));
    if let Ok(metadata) = HeaderValue::from_str(&metadata_header(&upload.metadata)) {
        headers.insert("upload-metadata", metadata);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `PATCH /v1/uploads/{id}`: bytes at `Upload-Offset`.
pub(super) async fn patch(
    id: &str,
    req: Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let PatchRequest {
        offset,
        checksum,
        upload,
        permit,
    } = match prepare_patch(id, req.headers(), state, key) {
        Ok(prepared) => prepared,
        Err(response) => return super::unread(req, response, state).await,
    };
    let (received, upload) = receive(upload.id, offset, checksum, req, state, Some(permit)).await;
    if let Err(response) = received {
        return response;
    }
    let mut response = empty(StatusCode::NO_CONTENT);
    let headers = response.headers_mut();
    tus_headers(headers);
    if let Some(upload) = upload {
        progress_headers(headers, &upload);
        if upload.is_complete() {
            tracing::info!(upload = %upload.id, length = upload.length, "upload complete");
        }
    }
    response
}

/// A PATCH checked before its body is read.
struct PatchRequest {
    offset: u64,
    checksum: Option<[u8; 32]>,
    upload: Upload,
    permit: OwnedSemaphorePermit,
}

fn prepare_patch(
    id: &str,
    headers: &HeaderMap,
    state: &AppState,
    key: &ApiKey,
) -> Result<PatchRequest, Response<Body>> {
    check_version(headers)?;
    if headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes) != Some(OFFSET_OCTET_STREAM.as_bytes())
    {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("a PATCH body is sent as Content-Type: {OFFSET_OCTET_STREAM}"),
        ));
    }
    let offset = number(headers, "upload-offset")?
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "Upload-Offset is required"))?;
    let checksum = parse_checksum(headers)?;
    let upload = owned(id, state, key)?;
    Ok(PatchRequest {
        offset,
        checksum,
        upload,
        permit: slot(state)?,
    })
}

/// What the body reader hands the writer.
enum Piece {
    Data(Bytes),
    /// The body ended normally.
    End,
}

/// Receives the body of `req` into upload `id` from `offset`: the staging writes and hashing
/// run on a blocking thread while the next bytes arrive. Returns the outcome and the
/// upload as it now stands (also after an interrupted body whose bytes were kept).
async fn receive(
    id: UploadId,
    offset: u64,
    checksum: Option<[u8; 32]>,
    req: Request<Incoming>,
    state: &AppState,
    permit: Option<OwnedSemaphorePermit>,
) -> (Result<(), Response<Body>>, Option<Upload>) {
    let (sender, mut pieces) = mpsc::channel::<Piece>(16);
    let uploads = state.uploads.clone();
    let writer = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut patch = uploads.begin(id, offset, checksum, jiff::Timestamp::now())?;
        loop {
            match pieces.blocking_recv() {
                Some(Piece::Data(data)) => patch.write(&data)?,
                Some(Piece::End) => return patch.finish(jiff::Timestamp::now()),
                // The body broke off: keep what can be kept.
                None => return patch.interrupt(jiff::Timestamp::now()),
            }
        }
    });
    let mut body = req.into_body();
    let mut broken = None;
    loop {
        match next_data(&mut body, state.settings.body_idle_timeout).await {
            Ok(Some(data)) => {
                state.metrics.upload_bytes(data.len() as u64);
                if sender.send(Piece::Data(data)).await.is_err() {
                    // The writer refused the bytes; its error is the answer.
                    break;
                }
            }
            Ok(None) => {
                let _ = sender.send(Piece::End).await;
                break;
            }
            Err(e) => {
                broken = Some(e);
                break;
            }
        }
    }
    drop(sender);
    let written = match writer.await {
        Ok(written) => written,
        Err(e) => {
            return (
                Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())),
                None,
            );
        }
    };
    match (written, broken) {
        (Ok(upload), None) => (Ok(()), Some(upload)),
        (Ok(upload), Some(e)) => {
            tracing::info!(upload = %id, offset = upload.offset, error = %e, "upload body broke off");
            let mut response = read_failure(&e);
            tus_headers(response.headers_mut());
            progress_headers(response.headers_mut(), &upload);
            (Err(response), Some(upload))
        }
        (Err(e), _) => (Err(failure(&e)), None),
    }
}

/// `DELETE /v1/uploads/{id}` (termination).
pub(super) fn terminate(
    id: &str,
    req: &Request<Incoming>,
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    let upload = match check_version(req.headers()).and_then(|()| owned(id, state, key)) {
        Ok(upload) => upload,
        Err(response) => return response,
    };
    match state.uploads.terminate(upload.id) {
        Ok(()) => {
            let mut response = empty(StatusCode::NO_CONTENT);
            tus_headers(response.headers_mut());
            response
        }
        Err(e) => failure(&e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn metadata() {
        let digest = "ab".repeat(32);
        let text = format!("filename {},sha256 {},empty", b64("план.pdf"), b64(&digest));
        let parsed = parse_metadata(&text).unwrap();
        assert_eq!(parsed["filename"], "план.pdf".as_bytes());
        assert_eq!(parsed["empty"], b"");
        assert_eq!(declared_sha256(&parsed).unwrap(), [0xab; 32]);
        assert_eq!(parse_metadata(&metadata_header(&parsed)).unwrap(), parsed);
    }

    #[test]
    fn smuggled_metadata_is_refused() {
        let good = b64(&"ab".repeat(32));
        let evil = b64(&"cd".repeat(32));
        for text in [
            format!("sha256 {good},sha256 {evil}"),
            format!("sha256 {good} {evil}"),
            format!("sha256 {good},,x {good}"),
            "sha256 !!!".to_owned(),
            format!("sha\u{1}256 {good}"),
            (0..20)
                .map(|i| format!("k{i} {good}"))
                .collect::<Vec<_>>()
                .join(","),
        ] {
            assert!(parse_metadata(&text).is_err(), "{text:?}");
        }
        for value in [
            "AB".repeat(32),
            "ab".repeat(31),
            format!("{}zz", "ab".repeat(31)),
        ] {
            let parsed = parse_metadata(&format!("sha256 {}", b64(&value))).unwrap();
            assert!(declared_sha256(&parsed).is_err(), "{value}");
        }
        assert!(declared_sha256(&BTreeMap::new()).is_err());
    }
}
