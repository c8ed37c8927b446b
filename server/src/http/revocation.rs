//! `POST /v1/revocation` (admins): a CRL or an OCSP response brought by hand to a vault
//! without outbound access (`qoima trust import --server`, `docs/revocation.md`). The DER
//! comes base64 in a JSON body (`{"der": …}`), as the API's other binary values do, so that
//! the body limits and signed requests apply as to any other. It is checked by the verifier's
//! own code (a bad one is refused with 422 and nothing is stored), kept as content, listed in
//! the record store (every node puts it in force: at its start, and within
//! `shared-cache-seconds` on a shared store), and put in force here at once
//! (`refresh::import`). The same data again is listed once.

use std::sync::Arc;

use base64::Engine as _;
use hyper::{Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use qoima_vault::keys::ApiKey;

use super::AppState;
use super::auth::actor;
use super::body::Body;
use super::response::{json, problem};
use crate::imports::{self, ImportError};
use crate::representation::rfc3339;

/// The body of `POST /v1/revocation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportBody {
    /// The CRL or OCSPResponse, DER, base64.
    der: String,
}

/// `POST /v1/revocation`: 201 with what was taken in; 422 when it is refused.
pub(super) async fn import_route(
    bytes: &[u8],
    state: &AppState,
    caller: &ApiKey,
) -> Response<Body> {
    let body: ImportBody = match serde_json::from_slice(bytes) {
        Ok(body) => body,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &format!("malformed JSON: {e}")),
    };
    let by = match actor(caller) {
        Ok(by) => by,
        Err(response) => return *response,
    };
    let der = match base64::engine::general_purpose::STANDARD.decode(body.der.trim()) {
        Ok(der) => der,
        Err(e) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("der is not base64: {e}"),
            );
        }
    };
    let state = state.clone();
    // Parsing, signature checks, a synced write and a verifier's rebuild: off the workers.
    let done = tokio::task::spawn_blocking(move || {
        let now = jiff::Timestamp::now().as_second();
        let verifier = state.registry.verifier();
        let checked = imports::check(&der, &verifier, &state.ca_certificates, now)?;
        imports::keep(&state.registry, &checked, &by)?;
        let counts = crate::refresh::import(&state.registry, &state.crls, &checked)
            .map_err(ImportError::Store)?;
        Ok::<_, ImportError>((checked, counts))
    })
    .await;
    match done {
        Ok(Ok((checked, (crls, ocsp)))) => {
            tracing::info!(
                kind = checked.kind.name(),
                address = %checked.address,
                "revocation: imported and in force"
            );
            let (good, revoked, unknown) = checked.statuses;
            json(
                StatusCode::CREATED,
                json!({
                    "kind": checked.kind.name(),
                    "address": checked.address.to_string(),
                    "issued": rfc3339(checked.issued),
                    "nextUpdate": checked.next_update.map(rfc3339),
                    "good": good,
                    "revoked": revoked,
                    "unknown": unknown,
                    "crlsInForce": crls,
                    "ocspResponsesInForce": ocsp,
                })
                .to_string(),
            )
        }
        Ok(Err(ImportError::Store(e))) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Ok(Err(refused)) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("not imported: {refused}"),
        ),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The CA certificates of the trust store, parsed (those that do not parse are left out: the
/// configuration refused them already).
pub(crate) fn ca_certificates(ders: &[Vec<u8>]) -> Arc<[Arc<qoima_verifier::path::Certificate>]> {
    ders.iter()
        .filter_map(|der| qoima_verifier::path::Certificate::from_der(der).ok())
        .map(Arc::new)
        .collect()
}
