//! Responses: JSON, the API's representations, and RFC 9457 problem details.

use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use qoima_vault::registry::ErrorKind;
use qoima_vault::storage::out_of_space;

use super::body::{Body, full};

pub(super) fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `value` (a representation) as a JSON response; 500 if it cannot be written.
pub(super) fn represent(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    // Room for a one-signer verification report (about 4 KB) without growing the buffer.
    let mut text = Vec::with_capacity(8 << 10);
    match serde_json::to_writer(&mut text, value) {
        Ok(()) => json(status, text),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// A verification report as a 200 JSON response, written by the report's own writer (the
/// bytes `represent` would write, faster: `representation::write_report`); 500 if it cannot
/// be written.
pub(super) fn verification_report(report: &qoima_verifier::Report) -> Response<Body> {
    // Room for a one-signer report (about 4 KB) without growing the buffer.
    let mut text = Vec::with_capacity(8 << 10);
    match crate::representation::write_report(report, &mut text) {
        Ok(()) => json(StatusCode::OK, text),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `text` with every word that looks like a file-system path (absolute, `./` or `../`, or a
/// Windows drive path) replaced by `<path>`.
fn without_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // A path may be quoted or followed by punctuation: keep those, replace the path.
        let start = word.find(|c: char| !matches!(c, '"' | '\'' | '(' | '[' | '`'));
        let end = word
            .rfind(|c: char| !matches!(c, '"' | '\'' | ')' | ']' | ',' | ';' | ':' | '.' | '`'));
        match (start, end) {
            (Some(start), Some(end)) if start <= end && is_path(&word[start..=end]) => {
                out.push_str(&word[..start]);
                out.push_str("<path>");
                out.push_str(&word[end + 1..]);
            }
            _ => out.push_str(word),
        }
    }
    out
}

fn is_path(word: &str) -> bool {
    let drive = word.as_bytes().get(1..3) == Some(b":\\".as_slice());
    (word.starts_with('/') && word.len() > 1)
        || word.starts_with("./")
        || word.starts_with("../")
        || word.starts_with("~/")
        || drive
}

/// The reason phrase of `status`, tus's 460 included.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        460 => "Checksum Mismatch",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// The status of a registry error, by its kind alone (`docs/records.md`), as the command line
/// exits by it.
pub(super) fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Caller | ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Gone => StatusCode::GONE,
        ErrorKind::Conflict | ErrorKind::NotAllowed => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What a caller is told when the vault's storage is full, before the error itself.
const FULL: &str =
    "the vault's storage is full: the request was not completed (retry once space is freed)";

/// An RFC 9457 problem details response.
pub(super) fn problem(status: StatusCode, detail: &str) -> Response<Body> {
    problem_with(status, detail, serde_json::json!({}))
}

/// An RFC 9457 problem details response with the extension members of `extra` (an object).
/// A server error's detail names the problem but no file-system path (where the vault keeps
/// its files is the operator's business, not the caller's); the server's log keeps the whole
/// detail.
pub(super) fn problem_with(
    status: StatusCode,
    detail: &str,
    extra: serde_json::Value,
) -> Response<Body> {
    let scrubbed;
    let full;
    // A full disk is a server error, yet not a fault of the server's: 507 Insufficient
    // Storage says so, and that a retry may succeed once space is freed (RFC 4918 11.5).
    let (status, detail) = if status == StatusCode::INTERNAL_SERVER_ERROR && out_of_space(detail) {
        full = format!("{FULL}: {detail}");
        (StatusCode::INSUFFICIENT_STORAGE, full.as_str())
    } else {
        (status, detail)
    };
    let detail = if status.is_server_error() {
        tracing::error!(status = status.as_u16(), detail, "request failed");
        scrubbed = without_paths(detail);
        scrubbed.as_str()
    } else {
        detail
    };
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": title(status),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let (Some(fields), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        for (name, value) in extra {
            fields.entry(name).or_insert(value);
        }
    }
    let mut response = json(status, body.to_string());
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use super::*;

    #[test]
    fn server_errors_name_the_problem_but_no_path() {
        for (text, expected) in [
            (
                "IO error: No space left on device: /var/lib/qoima/db/000123.log",
                "IO error: No space left on device: <path>",
            ),
            (
                "cannot open \"/home/op/qoima-data/db\": Permission denied",
                "cannot open \"<path>\": Permission denied",
            ),
            ("lock ./qoima-data/db/LOCK, held", "lock <path>, held"),
            ("C:\\data\\db failed", "<path> failed"),
            ("a / b and 3/4 stay", "a / b and 3/4 stay"),
            ("", ""),
        ] {
            assert_eq!(without_paths(text), expected, "{text}");
        }
    }

    #[test]
    fn only_server_errors_are_scrubbed() {
        use http_body_util::BodyExt;
        let detail = "cannot read /var/lib/qoima/db/CURRENT";
        let body = |status| {
            let response = problem(status, detail);
            let collected = block_on(response.into_body().collect()).unwrap();
            String::from_utf8(collected.to_bytes().to_vec()).unwrap()
        };
        assert!(!body(StatusCode::INTERNAL_SERVER_ERROR).contains("/var/lib"));
        assert!(body(StatusCode::INTERNAL_SERVER_ERROR).contains("cannot read <path>"));
        assert!(body(StatusCode::BAD_REQUEST).contains("/var/lib/qoima"));
    }

    #[test]
    fn a_full_disk_is_507_insufficient_storage_naming_it() {
        use http_body_util::BodyExt;
        for detail in [
            "not registered: storage engine error: IO error: No space left on device: While \
             appending to file: /var/lib/qoima/db/000012.blob: No space left on device",
            "writing /var/lib/qoima/uploads/ab.data: No space left on device (os error 28)",
            "Disk quota exceeded (os error 122)",
        ] {
            let response = problem(StatusCode::INTERNAL_SERVER_ERROR, detail);
            assert_eq!(
                response.status(),
                StatusCode::INSUFFICIENT_STORAGE,
                "{detail}"
            );
            assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
            let collected = block_on(response.into_body().collect()).unwrap();
            let body: serde_json::Value = serde_json::from_slice(&collected.to_bytes()).unwrap();
            assert_eq!(body["status"], 507);
            assert_eq!(body["title"], "Insufficient Storage");
            let text = body["detail"].as_str().unwrap();
            assert!(text.starts_with("the vault's storage is full"), "{text}");
            assert!(!text.contains("/var/lib"), "{text}");
        }
        // Other server errors stay 500.
        let response = problem(StatusCode::INTERNAL_SERVER_ERROR, "IO error: corruption");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    /// Runs a future to completion on a current-thread runtime.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }
}
