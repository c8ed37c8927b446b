//! `POST /v1/verify`: one signature verified by the engine, the report returned.
//!
//! Body (JSON): `signature` (base64 of the CMS as DER, BER or PEM text), optional `content`
//! (base64 of the signed bytes) or `sha256` (hex digest of them, for signatures with signed
//! attributes), optional `at` (RFC 3339, default now), `expectIin`, `expectBin`.

use std::borrow::Cow;

use base64::Engine as _;
use hyper::body::Incoming;
use hyper::{Response, StatusCode};
use qoima_verifier::crypto::DigestAlgorithm;
use qoima_verifier::identity::Expectation;
use qoima_verifier::{Data, Report, Request, Verifier};
use serde::Deserialize;

use super::AppState;
use super::body::Body;
use super::request::read_body;
use super::response::{json, problem};

/// The request body. The base64 fields borrow from the request's bytes when they have no JSON
/// escapes (base64 has none): they are most of the request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyBody<'a> {
    #[serde(borrow)]
    signature: Cow<'a, str>,
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    sha256: Option<String>,
    at: Option<String>,
    expect_iin: Option<String>,
    expect_bin: Option<String>,
}

/// Why a request is refused before verification (HTTP 400 or 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyRequestError {
    /// A field is not what it must be; the text names it.
    #[error("{0}")]
    Field(String),
}

fn field(what: impl Into<String>) -> VerifyRequestError {
    VerifyRequestError::Field(what.into())
}

/// Verifies the request with `verifier`; `now` is the server's clock (unix seconds).
pub fn verify(
    verifier: &Verifier,
    body: &VerifyBody<'_>,
    now: i64,
) -> Result<Report, VerifyRequestError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let signature = b64
        .decode(body.signature.trim())
        .map_err(|e| field(format!("signature is not base64: {e}")))?;
    let content = body
        .content
        .as_deref()
        .map(|c| b64.decode(c.trim()))
        .transpose()
        .map_err(|e| field(format!("content is not base64: {e}")))?;
    let digest = body
        .sha256
        .as_deref()
        .map(|hex_digest| {
            let mut digest = [0u8; 32];
            hex::decode_to_slice(hex_digest, &mut digest).map(|()| digest)
        })
        .transpose()
        .map_err(|_| field("sha256 must be 64 hex digits"))?;
    if content.is_some() && digest.is_some() {
        return Err(field("give content or sha256, not both"));
    }
    let at = match &body.at {
        Some(text) => text
            .parse::<jiff::Timestamp>()
            .map_err(|e| field(format!("at is not an RFC 3339 time: {e}")))?
            .as_second(),
        None => now,
    };
    let data = match (&content, &digest) {
        (Some(bytes), _) => Data::Bytes(bytes),
        (None, Some(digest)) => Data::Digest {
            algorithm: DigestAlgorithm::Sha256,
            value: digest,
        },
        (None, None) => Data::Absent,
    };
    let request = Request::new(&signature, at).data(data).expect(Expectation {
        iin: body.expect_iin.clone(),
        bin: body.expect_bin.clone(),
        roles: Vec::new(),
    });
    verifier.verify(&request).map_err(|e| field(e.to_string()))
}

/// `POST /v1/verify`: the report, whatever its verdict; 422 when the request cannot be
/// verified at all.
pub(super) async fn route(req: hyper::Request<Incoming>, state: &AppState) -> Response<Body> {
    let bytes = match read_body(req, state.settings.max_json_body, state).await {
        Ok(bytes) => bytes,
        Err(response) => return *response,
    };
    let request: VerifyBody = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let now = jiff::Timestamp::now().as_second();
    match verify(state.registry.verifier(), &request, now) {
        Ok(report) => {
            state
                .metrics
                .verification(report.verdict.indication.as_str());
            match serde_json::to_string(&report) {
                Ok(text) => json(StatusCode::OK, text),
                Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}
