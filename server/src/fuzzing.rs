//! Entry points shared by the fuzz targets in `fuzz/` and the test that replays their corpora
//! on stable Rust: any input, no panic.

use std::collections::BTreeMap;

use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Uri};
use qoima_vault::keys::KeyId;
use qoima_vault::records::DocumentId;
use qoima_vault::uploads::UploadId;

use crate::bulk::reverify::{Options, RunState};
use crate::http::{audit, query, replay, routes, uploads};

/// tus request headers, one value per line: each line as `Upload-Metadata` (then the declared
/// `sha256` it holds) and as `Upload-Checksum`, each line as a `sha256` metadata value, and all
/// lines together as a repeated `Upload-Checksum`.
pub fn tus_headers(data: &[u8]) {
    let mut all = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(text) = std::str::from_utf8(line)
            && let Ok(metadata) = uploads::parse_metadata(text)
        {
            let _ = uploads::declared_sha256(&metadata);
        }
        let _ = uploads::declared_sha256(&BTreeMap::from([("sha256".to_owned(), line.to_vec())]));
        // As hyper hands them over: only bytes a header value may hold.
        let Ok(value) = HeaderValue::from_bytes(line) else {
            continue;
        };
        let mut one = HeaderMap::new();
        one.insert("upload-checksum", value.clone());
        let _ = uploads::parse_checksum(&one);
        all.append("upload-checksum", value);
    }
    let _ = uploads::parse_checksum(&all);
}

/// A `POST /v1/verify` body: read the fast way and as `VerifyBody`, which must agree, and as
/// base64 by both decoders, which must agree.
pub fn verify_body(data: &[u8]) {
    crate::http::verify::same_reading(data);
}

/// A request target (`/path?query`): routed with every method, its `{…}` segments parsed as the
/// handlers parse them, and its query read as the one parameter of each handler that takes one.
/// Both as hyper parses the target and as raw text split at the first `?`.
#[allow(clippy::panic)] // an id that parses but spells another path is a finding
pub fn request_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let raw = text
        .split_once('?')
        .map_or((text, None), |(p, q)| (p, Some(q)));
    let parsed = text.parse::<Uri>().ok();
    let parsed = parsed.as_ref().map(|uri| (uri.path(), uri.query()));
    for (path, query) in [Some(raw), parsed].into_iter().flatten() {
        for method in [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            let Ok((route, params)) = routes::find(&method, path) else {
                continue;
            };
            for param in &params {
                // An id that parses has one spelling: nothing else (`..`, `/`, `%2e`) gets by.
                let spelled = if route.path.starts_with("/v1/uploads/") {
                    param.parse::<UploadId>().ok().map(|id| id.to_string())
                } else if route.path.starts_with("/v1/documents/") {
                    param.parse::<DocumentId>().ok().map(|id| id.to_string())
                } else if route.path.starts_with("/v1/keys/") {
                    param.parse::<KeyId>().ok().map(|id| id.to_string())
                } else {
                    None
                };
                if let Some(spelled) = spelled
                    && spelled != *param
                {
                    panic!("{param:?} parses as the id {spelled}");
                }
            }
        }
        for name in ["reason", "at"] {
            if let Ok(Some(value)) = query::parameter(query, name)
                && name == "at"
            {
                let _ = value.parse::<jiff::Timestamp>();
            }
        }
        // The audit proofs' numeric parameters.
        let _ = audit::parameters(query, ["entry", "size"]);
        let _ = audit::parameters(query, ["from", "to"]);
    }
}

/// The replay journal of signed requests (`<data-dir>/signed-requests`): whatever it holds,
/// parsing does not panic, and every entry it reads is written back as the same line.
#[allow(clippy::panic)] // an entry that does not survive its own round trip is a finding
pub fn replay_journal(data: &[u8]) {
    let Ok(entries) = replay::parse_journal(data) else {
        return;
    };
    for (expiry, digest) in entries {
        let line = replay::line(expiry, &digest);
        let again = replay::parse_journal(line.as_bytes());
        if again != Ok(vec![(expiry, digest)]) {
            panic!("{line:?} reads back as {again:?}");
        }
    }
}

/// A re-verification's inputs from outside: the API's JSON options (parsed and resolved as a
/// run would take them) and a run's saved state (`run.json`, read back by `--resume`).
pub fn reverification(data: &[u8]) {
    if let Ok(options) = serde_json::from_slice::<Options>(data) {
        let _ = options.resolve(jiff::Timestamp::UNIX_EPOCH);
    }
    if let Ok(state) = serde_json::from_slice::<RunState>(data) {
        let _ = state.resumable();
        let _ = state.after();
    }
}

/// A configuration file's text, checked as `qoima` checks its configuration (the files it lists
/// left out), and as the PostgreSQL URL whose user is the vault's role; the URL the
/// configuration names, too.
pub fn configuration(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::config::vault_role(text);
    if let Ok(config) = crate::config::check_text(text)
        && let crate::config::StorageSettings::PostgresS3(shared) = &config.storage
    {
        let _ = crate::config::vault_role(&shared.postgres);
    }
}
