//! One signed S3 request over hyper's HTTP/1.1 client, and the handful of S3 operations the
//! backend uses, each a thin typed wrapper.
//!
//! Every body is sent whole from memory with its length, its SHA-256 signed
//! (`x-amz-content-sha256`) and repeated as `x-amz-checksum-sha256`: never `aws-chunked`
//! streaming with trailing checksums, which some gateways store as an empty object while
//! answering 200 (docs/storage.md).

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiff::Timestamp;
use ring::digest;

use super::config::S3Config;
use super::error::S3Error;
use super::sigv4::{self, Canonical, Credentials};
use super::xml;

/// Bodies of answers other than objects (listings, settings, errors) are at most this long.
pub(crate) const CONTROL_BODY_LIMIT: usize = 8 << 20;

/// A signing HTTP client bound to one bucket.
#[derive(Debug)]
pub(crate) struct Client {
    http: HyperClient<HttpConnector, Full<Bytes>>,
    authority: String,
    bucket: String,
    region: String,
    credentials: Credentials,
    timeout: Duration,
}

/// A request to the bucket (or to one of its objects).
#[derive(Debug)]
pub(crate) struct Request {
    method: Method,
    key: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Request {
    /// A request on the bucket itself.
    pub fn bucket(method: Method) -> Self {
        Self {
            method,
            key: None,
            query: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A request on the object `key`.
    pub fn object(method: Method, key: &str) -> Self {
        Self {
            key: Some(key.to_string()),
            ..Self::bucket(method)
        }
    }

    /// Adds a query parameter (`""` for a sub-resource such as `retention`).
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header (lower-case name).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body, with its SHA-256 as a checksum header.
    pub fn body(mut self, body: Bytes) -> Self {
        let sha = digest::digest(&digest::SHA256, &body);
        // AWS wants Content-MD5 or a checksum for the Object Lock requests; these are the
        // headers its SDKs send for a whole (not streamed) body.
        self.headers
            .push(("x-amz-sdk-checksum-algorithm".into(), "SHA256".into()));
        self.headers.push((
            "x-amz-checksum-sha256".into(),
            base64::engine::general_purpose::STANDARD.encode(sha),
        ));
        self.body = body;
        self
    }

    /// `PUT bucket/key?retention` and the like, for error messages.
    fn describe(&self, bucket: &str) -> String {
        let mut text = format!("{} {bucket}", self.method);
        if let Some(key) = &self.key {
            text.push('/');
            text.push_str(key);
        }
        for (i, (k, v)) in self.query.iter().enumerate() {
            text.push(if i == 0 { '?' } else { '&' });
            text.push_str(k);
            if !v.is_empty() {
                text.push('=');
                text.push_str(v);
            }
        }
        text
    }
}

/// An answer: status, headers, whole body.
#[derive(Debug)]
pub(crate) struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// What was asked, for error messages.
    pub operation: String,
}

impl Response {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The gateway's clock when it answered: the `Date` header (RFC 9110 section 6.6.1,
    /// whole seconds), or this host's clock when the gateway sent none. Ages of objects are
    /// counted on the clock that wrote their `LastModified`, whatever this node's clock says.
    pub fn served_at(&self) -> Result<Timestamp, S3Error> {
        match self.header("date") {
            None => Ok(Timestamp::now()),
            Some(text) => http_date(text, "Date", &self.operation),
        }
    }

    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error this answer is, with S3's code and message when its body has them.
    pub fn error(&self) -> S3Error {
        let (code, message) = match xml::error_body(&self.body) {
            Ok(body) => (body.code, body.message),
            Err(_) => (
                hyper::StatusCode::from_u16(self.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("")
                    .to_string(),
                String::new(),
            ),
        };
        S3Error::Status {
            operation: self.operation.clone(),
            status: self.status,
            code,
            message,
        }
    }

    /// The answer if it is 2xx, else its error.
    pub fn success(self) -> Result<Self, S3Error> {
        if self.ok() {
            Ok(self)
        } else {
            Err(self.error())
        }
    }

    /// The error of a refused deletion or lock change: [`S3Error::Locked`] for 403 (S3
    /// answers `AccessDenied` for an object under retention or legal hold), else as
    /// [`Response::error`].
    pub fn lock_error(&self) -> S3Error {
        match self.error() {
            S3Error::Status {
                operation,
                status: 403,
                code,
                ..
            } => S3Error::Locked {
                operation,
                status: 403,
                code,
            },
            other => other,
        }
    }
}

impl Client {
    /// A client for the bucket of `config`.
    pub fn new(config: &S3Config) -> Result<Self, S3Error> {
        let authority = config.authority()?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(10)));
        let http = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Self {
            http,
            authority,
            bucket: config.bucket.clone(),
            region: config.region.clone(),
            credentials: config.credentials.clone(),
            timeout: config.timeout,
        })
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Signs and sends `request`; the answer's body may be at most `limit` bytes. Any status
    /// is an answer: only a failure to get one is an error.
    pub async fn send(&self, request: Request, limit: usize) -> Result<Response, S3Error> {
        let operation = request.describe(&self.bucket);
        let transport = |detail: String| S3Error::Transport {
            operation: operation.clone(),
            detail,
        };
        let mut path = format!("/{}", sigv4::uri_encode(&self.bucket, true));
        if let Some(key) = &request.key {
            path.push('/');
            path.push_str(&sigv4::uri_encode(key, false));
        }
        let query = request
            .query
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    sigv4::uri_encode(k, true)
                } else {
                    format!(
                        "{}={}",
                        sigv4::uri_encode(k, true),
                        sigv4::uri_encode(v, true)
                    )
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        let payload_sha256 = sigv4::sha256_hex(&request.body);
        let amz_date = Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let mut headers = request.headers;
        if request.method == Method::PUT || request.method == Method::POST {
            // hyper sends no length for an empty body, and S3 wants one (411).
            headers.push(("content-length".into(), request.body.len().to_string()));
        }
        headers.push(("host".into(), self.authority.clone()));
        headers.push(("x-amz-date".into(), amz_date.clone()));
        headers.push(("x-amz-content-sha256".into(), payload_sha256.clone()));
        let authorization = sigv4::authorization(
            &Canonical {
                method: request.method.as_str(),
                path: &path,
                query: &request.query,
                headers: &headers,
                payload_sha256: &payload_sha256,
            },
            &amz_date,
            &self.region,
            &self.credentials,
        );
        let uri = if query.is_empty() {
            format!("http://{}{path}", self.authority)
        } else {
            format!("http://{}{path}?{query}", self.authority)
        };
        let uri: Uri = uri
            .parse()
            .map_err(|e| transport(format!("bad URI: {e}")))?;
        let mut builder = hyper::Request::builder().method(request.method).uri(uri);
        for (name, value) in headers.iter().chain(std::iter::once(&(
            "authorization".to_string(),
            authorization,
        ))) {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| transport(format!("header {name}: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| transport(format!("header {name}: {e}")))?;
            builder = builder.header(name, value);
        }
        let http_request = builder
            .body(Full::new(request.body))
            .map_err(|e| transport(e.to_string()))?;
        let exchange = async {
            let response = self
                .http
                .request(http_request)
                .await
                .map_err(|e| transport(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, limit)
                .collect()
                .await
                .map_err(|e| transport(format!("reading the answer: {e}")))?
                .to_bytes();
            Ok::<_, S3Error>(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
                operation: operation.clone(),
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| transport(format!("no answer within {:?}", self.timeout)))?
    }
}

/// An HTTP-date header (RFC 9110 section 5.6.7, `Mon, 07 Dec 2026 19:30:35 GMT`).
pub(crate) fn http_date(text: &str, header: &str, operation: &str) -> Result<Timestamp, S3Error> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text.trim())
        .map_err(|e| S3Error::Transport {
            operation: operation.to_string(),
            detail: format!("header {header}: {text:?} is not an HTTP date: {e}"),
        })
}

/// An error and its sources, one line (hyper's own text is only the outermost).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_http_dates_and_names_a_bad_one() {
        assert_eq!(
            http_date("Mon, 07 Dec 2026 19:30:35 GMT", "Date", "HEAD b/k").unwrap(),
            "2026-12-07T19:30:35Z".parse::<Timestamp>().unwrap()
        );
        let e = http_date("yesterday", "Last-Modified", "HEAD b/k")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Last-Modified") && e.contains("HEAD b/k"), "{e}");
    }
}
