//! `POST /v1/documents`, `GET /v1/documents/{id}/statement` and
//! `POST /v1/documents/{id}/versions` (writers): documents registered from a finished upload
//! or from content already stored, and new versions with their signed annulment act. The
//! registration instant is the server's clock, never the request's.

// A refusal is the whole response, built once on the failing path: boxing it buys nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use base64::Engine as _;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use qoima_vault::keys::ApiKey;
use qoima_vault::records::{
    DatingMode, ObjectNumber, Participant, Reason, RetentionClass, annulment_statement,
};
use qoima_vault::registry::{
    ChangeError, RegisterError, Registered, Registration, StoreError, Submitter,
};
use qoima_vault::uploads::UploadId;
use qoima_vault::{ContentAddress, StagedContent};
use qoima_verifier::identity::Expectation;
use serde::Deserialize;
use serde_json::json;

use super::auth::actor;
use super::body::{Body, full};
use super::documents::{self, parse_id, view};
use super::response::{json, problem, problem_with, status_of};
use super::verify::{Size, on_the_verification_pool};
use super::{AppState, query};
use crate::engine::Registry;
use crate::representation::{self, Facts};

/// The body of `POST /v1/documents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RegisterBody {
    #[serde(flatten)]
    submission: Submission,
    class: String,
    participant: String,
    object_number: Option<String>,
}

/// The body of `POST /v1/documents/{id}/versions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct VersionBody {
    #[serde(flatten)]
    submission: Submission,
    /// Base64 CMS over the annulment statement.
    annulment: String,
    reason: String,
}

/// What both take: the content, its signatures, who must have signed, the file's name.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Submission {
    upload: Option<String>,
    sha256: Option<String>,
    signatures: Vec<String>,
    expect_iin: Option<String>,
    expect_bin: Option<String>,
    filename: Option<String>,
    media_type: Option<String>,
    /// `submission` (default) or `during-review`: what the rules in force make of it is
    /// `docs/rules.md`'s.
    dating: Option<String>,
}

/// A refusal: the response to give.
type Refusal = Box<Response<Body>>;

/// The most signatures one registration or new version may bring. Each is verified on its
/// own, and one without signed attributes has its content (up to 64 MiB) read and hashed
/// again: without a bound, one request could hold a verification slot for hours.
const MAX_SIGNATURES: usize = 32;

fn refuse(status: StatusCode, detail: &str) -> Refusal {
    Box::new(problem(status, detail))
}

/// The JSON body as `T`: 400 when serde refuses it (not JSON, unknown or missing fields,
/// wrong types); what decodes but is wrong is 422 later.
fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Refusal> {
    serde_json::from_slice(bytes)
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")))
}

fn base64_field(what: &str, text: &str) -> Result<Vec<u8>, Refusal> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{what} is not base64: {e}"),
            )
        })
}

/// A submission checked, its content in the content store or staged: what a registration
/// needs.
struct Checked {
    address: ContentAddress,
    /// A finished upload's bytes, stored only once the registration's checks pass.
    staged: Option<StagedContent>,
    signatures: Vec<Vec<u8>>,
    expected: Expectation,
    /// The upload it came from, removed once the registration is written.
    upload: Option<UploadId>,
    filename: Option<String>,
    media_type: Option<String>,
    dating: DatingMode,
    /// The caller's key, with what it is bound to.
    submitter: Submitter,
    /// OCSP responses fetched for the signatures' certificates (`crate::ocsp`).
    ocsp_responses: Vec<Arc<[u8]>>,
}

impl Checked {
    /// The registration of this submission in `class` for `participant`, now by the vault's
    /// clock.
    fn registration(
        self,
        class: RetentionClass,
        participant: &Participant,
        state: &AppState,
    ) -> Registration {
        let registration = Registration::new(
            self.address,
            self.signatures,
            class,
            participant.clone(),
            self.submitter,
            state.registry.now(),
        )
        .expect(self.expected)
        .file(self.filename, self.media_type)
        .dating(self.dating)
        .ocsp_responses(self.ocsp_responses);
        match self.staged {
            Some(staged) => registration.staged(staged),
            None => registration,
        }
    }
}

/// Runs a registration or a new version (verification, then a synced write) on the blocking
/// pool while it holds one of the `max-concurrent-verifications` slots (503 when none frees
/// in time), removes the upload it came from there too, and counts its outcome.
async fn write<E: Send + 'static>(
    state: &AppState,
    upload: Option<UploadId>,
    registration: impl FnOnce(&Registry) -> Result<Registered, E> + Send + 'static,
    refusal: fn(E) -> Response<Body>,
) -> Result<Registered, Response<Body>> {
    let registry = Arc::clone(&state.registry);
    let uploads = state.uploads.clone();
    let written = on_the_verification_pool(state, Size::Unbounded, move || {
        let registered = registration(&registry)?;
        if let Some(upload) = upload
            && let Err(e) = uploads.remove(upload)
        {
            // The document is registered; a staging copy left behind only waits for expiry.
            tracing::warn!(%upload, error = %e, "a registered upload was not removed");
        }
        Ok(registered)
    })
    .await;
    match written {
        Ok(Ok(registered)) => {
            state.metrics.registration("registered");
            Ok(registered)
        }
        Ok(Err(e)) => {
            state.metrics.registration("refused");
            Err(refusal(e))
        }
        Err(response) => Err(*response),
    }
}

/// Checks everything about `submission` that needs no storage; a finished upload's bytes stay
/// staged (the registration checks them there before it stores them).
async fn check(submission: Submission, state: &AppState, key: &ApiKey) -> Result<Checked, Refusal> {
    let dating = match submission.dating.as_deref() {
        None => DatingMode::Submission,
        Some(text) => text
            .parse()
            .map_err(|e: qoima_vault::records::UnknownDatingMode| {
                refuse(StatusCode::UNPROCESSABLE_ENTITY, &format!("dating: {e}"))
            })?,
    };
    if submission.signatures.len() > MAX_SIGNATURES {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "signatures: {} given; a document is registered with at most {MAX_SIGNATURES}",
                submission.signatures.len()
            ),
        ));
    }
    let signatures = submission
        .signatures
        .iter()
        .enumerate()
        .map(|(i, text)| base64_field(&format!("signatures[{i}]"), text))
        .collect::<Result<Vec<_>, _>>()?;
    if signatures.is_empty() {
        return Err(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "signatures: a document is registered with at least one signature",
        ));
    }
    let submitter = Submitter::new(actor(key)?).bound(key.bin.clone(), key.participant.clone());
    let expected = Expectation {
        iin: submission.expect_iin,
        bin: submission.expect_bin,
        roles: Vec::new(),
    };
    expected
        .validate(&state.registry.verifier().policy().ownership())
        .map_err(|e| refuse(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()))?;
    let (address, upload, staged) = match (submission.upload, submission.sha256) {
        (Some(upload), None) => {
            let id = upload_id(&upload)?;
            // The upload's state is a file: read off the async workers.
            let (owner_state, owner) = (state.clone(), key.clone());
            let staged = tokio::task::spawn_blocking(move || {
                super::uploads::staged(&owner_state, id, &owner)
            })
            .await
            .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?
            .map_err(Box::new)?;
            (staged.address(), Some(id), Some(staged))
        }
        (None, Some(sha256)) => {
            let address: ContentAddress = sha256.parse().map_err(|_| {
                refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "sha256 is 64 lowercase hex digits",
                )
            })?;
            let content = state.registry.content().clone();
            match tokio::task::spawn_blocking(move || content.contains(&address)).await {
                Ok(Ok(true)) => (address, None, None),
                Ok(Ok(false)) => {
                    return Err(refuse(
                        StatusCode::NOT_FOUND,
                        &format!("no content stored at {address}: upload it first"),
                    ));
                }
                Ok(Err(e)) => {
                    return Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()));
                }
                Err(e) => return Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())),
            }
        }
        _ => {
            return Err(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "give exactly one of upload (an upload id) and sha256 (stored content)",
            ));
        }
    };
    // The signers' OCSP responders are asked now, on this task (network I/O, bounded by
    // `ocsp-timeout-seconds`), before the verification takes a slot of the pool.
    let ocsp_responses = match &state.ocsp {
        Some(client) => {
            client
                .responses_for(state.registry.verifier(), &signatures)
                .await
        }
        None => Vec::new(),
    };
    Ok(Checked {
        address,
        staged,
        ocsp_responses,
        signatures,
        expected,
        upload,
        filename: submission.filename,
        media_type: submission.media_type,
        dating,
        submitter,
    })
}

/// An upload id in a request body: malformed ids name no upload (404).
fn upload_id(text: &str) -> Result<UploadId, Refusal> {
    text.parse()
        .map_err(|_| refuse(StatusCode::NOT_FOUND, &format!("no upload {text:?}")))
}

/// `POST /v1/documents`: 201 with the registration (as `qoima doc register --json`), 422
/// with the reports when a signature or the content is refused.
pub(super) async fn register_route(bytes: &[u8], state: &AppState, key: &ApiKey) -> Response<Body> {
    match register(bytes, state, key).await {
        Ok(response) | Err(response) => response,
    }
}

async fn register(
    bytes: &[u8],
    state: &AppState,
    key: &ApiKey,
) -> Result<Response<Body>, Response<Body>> {
    let body: RegisterBody = parse(bytes).map_err(|r| *r)?;
    let class: RetentionClass = body
        .class
        .parse()
        .map_err(|e| problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("class: {e}")))?;
    let participant = Participant::new(&body.participant).map_err(|e| {
        problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("participant {:?}: {e}", body.participant),
        )
    })?;
    let object: Option<ObjectNumber> = body
        .object_number
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e| {
            problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("objectNumber: {e}"),
            )
        })?;
    let checked = check(body.submission, state, key).await.map_err(|r| *r)?;
    let upload = checked.upload;
    let mut registration = checked.registration(class, &participant, state);
    if let Some(object) = &object {
        registration = registration.object_number(object.clone());
    }
    let registered = write(
        state,
        upload,
        move |registry| registry.register(&registration),
        register_refusal,
    )
    .await?;
    let facts = Facts {
        class: class.name(),
        participant: participant.as_str(),
        object: object.as_ref().map(ObjectNumber::as_str),
    };
    Ok(created(&registered, &facts))
}

/// 201 with the registration. A registration whose storage locks could not be set after the
/// commit stands (the locks' maintenance sets them, `docs/storage.md`); the operator is told.
fn created(registered: &Registered, facts: &Facts<'_>) -> Response<Body> {
    if let Some(why) = &registered.unlocked {
        tracing::warn!(
            document = %registered.id,
            error = %why,
            "registered, but the storage's locks are not set yet: `qoima locks renew` sets them"
        );
    }
    let text = representation::Registered::new(registered, facts)
        .and_then(|registered| serde_json::to_string(&registered));
    match text {
        Ok(text) => {
            let mut response = json(StatusCode::CREATED, text);
            if let Ok(location) = HeaderValue::from_str(&format!("/v1/documents/{}", registered.id))
            {
                response
                    .headers_mut()
                    .insert(hyper::header::LOCATION, location);
            }
            response
        }
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The response to a refused registration: its status by the error's kind; a refused
/// signature's reports with it.
fn register_refusal(error: RegisterError) -> Response<Body> {
    let status = status_of(error.kind());
    match error {
        RegisterError::Refused {
            index,
            verdict,
            reports,
        } => problem_with(
            status,
            &format!("not registered: signature {} is {verdict}", index + 1),
            json!({ "registered": false, "signature": index, "verdict": verdict, "reports": reports }),
        ),
        e => problem(status, &format!("not registered: {e}")),
    }
}

/// `GET /v1/documents/{id}/statement?reason=R&replacement=SHA256`: the exact bytes of the
/// annulment statement that the act annulling the latest version by the content `replacement`
/// must sign.
pub(super) fn statement_route(id: &str, query: Option<&str>, state: &AppState) -> Response<Body> {
    let view = match parse_id(id).and_then(|id| view(state, id)) {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let [reason, replacement] = match query::required(query, ["reason", "replacement"]) {
        Ok(values) => values,
        Err(detail) => return problem(StatusCode::BAD_REQUEST, &detail),
    };
    let reason: Reason = match reason.parse() {
        Ok(reason) => reason,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("reason: {e}")),
    };
    let Ok(replacement) = replacement.parse::<ContentAddress>() else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "replacement: the SHA-256 of the new content, 64 lowercase hex digits",
        );
    };
    let latest = match documents::current(&view) {
        Ok(latest) => latest,
        Err(response) => return *response,
    };
    let statement = annulment_statement(view.id, latest, &replacement.0, &reason);
    let mut response = Response::new(full(statement));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// `POST /v1/documents/{id}/versions`: 201 with the new version; 422 when the act or a
/// signature is refused (the old version stays in force).
pub(super) async fn new_version_route(
    id: &str,
    bytes: &[u8],
    state: &AppState,
    key: &ApiKey,
) -> Response<Body> {
    match new_version(id, bytes, state, key).await {
        Ok(response) | Err(response) => response,
    }
}

async fn new_version(
    id: &str,
    bytes: &[u8],
    state: &AppState,
    key: &ApiKey,
) -> Result<Response<Body>, Response<Body>> {
    let view = parse_id(id)
        .and_then(|id| view(state, id))
        .map_err(|r| *r)?;
    let id = view.id;
    let body: VersionBody = parse(bytes).map_err(|r| *r)?;
    let act = base64_field("annulment", &body.annulment).map_err(|r| *r)?;
    let reason: Reason = body
        .reason
        .parse()
        .map_err(|e| problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("reason: {e}")))?;
    if !view.tombstones.is_empty() {
        return Err(problem(
            StatusCode::GONE,
            &format!("document {id} was disposed of"),
        ));
    }
    let damaged = |e: StoreError| problem(status_of(e.kind()), &format!("document {id}: {e}"));
    // The document keeps its class and participant (`Registry::new_version`).
    let class = view.class().map_err(damaged)?;
    let participant = view.participant().map_err(damaged)?;
    let checked = check(body.submission, state, key).await.map_err(|r| *r)?;
    let upload = checked.upload;
    let registration = checked.registration(class, &participant, state);
    let registered = write(
        state,
        upload,
        move |registry| registry.new_version(id, &registration, &act, &reason),
        version_refusal,
    )
    .await?;
    let facts = Facts {
        class: class.name(),
        participant: participant.as_str(),
        object: view.record.object_number.as_deref(),
    };
    Ok(created(&registered, &facts))
}

fn version_refusal(error: ChangeError) -> Response<Body> {
    let status = status_of(error.kind());
    match error {
        ChangeError::AnnulmentRefused {
            version,
            verdict,
            report,
        } => problem_with(
            status,
            &format!(
                "not registered: the annulment act is {verdict}: version {version} stays in force"
            ),
            json!({ "registered": false, "annulment": { "version": version, "verdict": verdict, "report": report } }),
        ),
        ChangeError::Register(e) => register_refusal(e),
        e @ (ChangeError::NotFound(_) | ChangeError::Disposed(_)) => {
            problem(status, &e.to_string())
        }
        e => problem(status, &format!("not registered: {e}")),
    }
}
