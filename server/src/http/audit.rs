//! The audit log's checkpoints and proofs: `GET /v1/audit/proofs/inclusion?entry=N&size=M` and
//! `GET /v1/audit/proofs/consistency?from=A&to=B`, RFC 6962 proofs over the audit log whose
//! signed checkpoints `GET /v1/audit/checkpoint` gives. Hashes are hex.

use base64::Engine as _;
use hyper::{Response, StatusCode};
use qoima_vault::audit::Hash;
use qoima_vault::audit::log::LogError;
use serde_json::json;

use hyper::header::{CONTENT_TYPE, HeaderValue};

use super::AppState;
use super::body::{Body, full};
use super::response::{json, problem};

pub(crate) type Failure = Box<Response<Body>>;

/// The values of exactly the parameters `names` in `query`, as numbers; anything else is 400.
pub(crate) fn parameters<const N: usize>(
    query: Option<&str>,
    names: [&str; N],
) -> Result<[u64; N], Failure> {
    let usage = || {
        let wanted: Vec<String> = names.iter().map(|n| format!("{n}=<number>")).collect();
        wanted.join("&")
    };
    let bad = |detail: String| Box::new(problem(StatusCode::BAD_REQUEST, &detail));
    let mut values: [Option<u64>; N] = [None; N];
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(slot) = names.iter().position(|n| *n == name) else {
            return Err(bad(format!("unknown parameter {name:?}: use {}", usage())));
        };
        if values[slot].is_some() {
            return Err(bad(format!("parameter {name} is given twice")));
        }
        if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!(
                "parameter {name} must be a number, not {value:?}"
            )));
        }
        let number = value
            .parse::<u64>()
            .map_err(|_| bad(format!("parameter {name} is too large")))?;
        values[slot] = Some(number);
    }
    let mut out = [0; N];
    for (i, value) in values.iter().enumerate() {
        out[i] = value.ok_or_else(|| {
            bad(format!(
                "parameter {} is missing: use {}",
                names[i],
                usage()
            ))
        })?;
    }
    Ok(out)
}

/// A size or index the log does not have is 422, anything else 500.
fn log_failure(e: LogError) -> Failure {
    let status = match e {
        LogError::Tree(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    Box::new(problem(status, &e.to_string()))
}

fn hex_list(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(ToString::to_string).collect()
}

/// `GET /v1/audit/proofs/inclusion?entry=N&size=M`: the audit path of entry `N` (0-based) in
/// the tree of the first `M` entries, with the entry itself (base64) and the tree's root.
pub(super) fn inclusion_route(query: Option<&str>, state: &AppState) -> Response<Body> {
    let result = parameters(query, ["entry", "size"]).and_then(|[entry, size]| {
        let log = state.registry.log().map_err(log_failure)?;
        if size > log.size() {
            return Err(Box::new(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "size {size} is beyond the {} entries of the log",
                    log.size()
                ),
            )));
        }
        if entry >= size {
            return Err(Box::new(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("entry {entry} is not in a tree of size {size}"),
            )));
        }
        let proof = log.inclusion_proof(entry, size).map_err(log_failure)?;
        let root = log.root(size).map_err(log_failure)?;
        let leaf = log.entry(entry).map_err(log_failure)?;
        Ok(json!({
            "entry": entry,
            "size": size,
            "leaf": base64::engine::general_purpose::STANDARD.encode(&leaf),
            "leafHash": qoima_vault::audit::hash_leaf(&leaf).to_string(),
            "root": root.to_string(),
            "proof": hex_list(&proof),
        }))
    });
    match result {
        Ok(value) => json(StatusCode::OK, value.to_string()),
        Err(response) => *response,
    }
}

/// `GET /v1/audit/proofs/consistency?from=A&to=B`: the proof that the tree of the first `A`
/// entries is a prefix of the tree of the first `B`, with both roots.
pub(super) fn consistency_route(query: Option<&str>, state: &AppState) -> Response<Body> {
    let result = parameters(query, ["from", "to"]).and_then(|[from, to]| {
        let log = state.registry.log().map_err(log_failure)?;
        if to > log.size() {
            return Err(Box::new(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("size {to} is beyond the {} entries of the log", log.size()),
            )));
        }
        if from == 0 || from > to {
            return Err(Box::new(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("from must be 1 to to ({to}), not {from}"),
            )));
        }
        let proof = log.consistency_proof(from, to).map_err(log_failure)?;
        Ok(json!({
            "from": from,
            "to": to,
            "fromRoot": log.root(from).map_err(log_failure)?.to_string(),
            "toRoot": log.root(to).map_err(log_failure)?.to_string(),
            "proof": hex_list(&proof),
        }))
    });
    match result {
        Ok(value) => json(StatusCode::OK, value.to_string()),
        Err(response) => *response,
    }
}

/// `GET /v1/audit/checkpoint`: a signed checkpoint of the log (C2SP signed note).
pub(super) fn checkpoint_route(state: &AppState) -> Response<Body> {
    let signed = state
        .registry
        .log()
        .and_then(|log| log.checkpoint(&state.signer));
    match signed {
        Ok((_, note)) => {
            let mut response = Response::new(full(note));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
