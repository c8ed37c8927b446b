//! One bounded HTTP exchange: a conditional GET (CRLs), or a POST (OCSP requests, RFC 6960
//! Appendix A.1).

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{
    ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, IF_MODIFIED_SINCE, LAST_MODIFIED, USER_AGENT,
};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The bounds of one fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// To open the connection.
    pub(crate) connect: Duration,
    /// For the whole answer, from the request to the last byte.
    pub(crate) deadline: Duration,
    /// The largest body taken (NCA RK's GOST CRL is about 19 MB).
    pub(crate) max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            deadline: Duration::from_secs(120),
            max_bytes: 64 << 20,
        }
    }
}

/// What a fetch brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fetched {
    /// A body, and its `Last-Modified` for the next conditional request.
    Body {
        bytes: Bytes,
        last_modified: Option<String>,
    },
    /// 304: what was fetched before is still current.
    NotModified,
}

/// Why a fetch brought nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum FetchError {
    /// The address is not an `http://` URL with a host.
    #[error("{0:?} is not an http:// URL (revocation data is fetched over plain HTTP)")]
    Address(String),
    /// No connection, or it broke.
    #[error("{url}: {reason}")]
    Network { url: String, reason: String },
    /// The deadline passed before the whole answer came.
    #[error("{url}: no whole answer within {seconds} s")]
    Deadline { url: String, seconds: u64 },
    /// An answer other than 200 or 304.
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    /// The body is larger than the limit.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
}

impl FetchError {
    /// Whether trying again later may succeed: not for a bad address, a 4xx other than 408 and
    /// 429, or a body over the limit.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Network { .. } | Self::Deadline { .. } => true,
            Self::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
            Self::Address(_) | Self::TooLarge { .. } => false,
        }
    }
}

/// An HTTP/1.1 client for revocation data; clones share its connections.
#[derive(Clone)]
pub(crate) struct Fetcher {
    client: Client<HttpConnector, Full<Bytes>>,
    limits: Limits,
}

impl Fetcher {
    /// A client within `limits`.
    pub(crate) fn new(limits: Limits) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(limits.connect));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self { client, limits }
    }

    /// GETs `url`, conditionally on `if_modified_since` (the `Last-Modified` of the copy held).
    pub(crate) async fn get(
        &self,
        url: &str,
        if_modified_since: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let mut request = Request::get(parse(url)?);
        if let Some(since) = if_modified_since {
            request = request.header(IF_MODIFIED_SINCE, since);
        }
        self.exchange(url, request, Bytes::new()).await
    }

    /// POSTs `body` to `url` as `content_type`, accepting `accept`: an OCSP request over HTTP
    /// (RFC 6960 Appendix A.1, `application/ocsp-request`). Within the same bounds as a GET;
    /// a 304 is not expected, and is an error.
    pub(crate) async fn post(
        &self,
        url: &str,
        content_type: &'static str,
        accept: &'static str,
        body: Vec<u8>,
    ) -> Result<Bytes, FetchError> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(parse(url)?)
            .header(CONTENT_TYPE, content_type)
            .header(ACCEPT, accept);
        match self.exchange(url, request, Bytes::from(body)).await? {
            Fetched::Body { bytes, .. } => Ok(bytes),
            Fetched::NotModified => Err(FetchError::Status {
                url: url.to_owned(),
                status: StatusCode::NOT_MODIFIED.as_u16(),
            }),
        }
    }

    /// Sends `request` with `body` and reads the answer within the limits.
    async fn exchange(
        &self,
        url: &str,
        request: hyper::http::request::Builder,
        body: Bytes,
    ) -> Result<Fetched, FetchError> {
        let request = request
            .header(USER_AGENT, "qoima")
            .body(Full::new(body))
            .map_err(|_| FetchError::Address(url.to_owned()))?;
        let network = |e: &dyn std::fmt::Display| FetchError::Network {
            url: url.to_owned(),
            reason: e.to_string(),
        };
        let answer = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| network(&error_chain(&e)))?;
            match response.status() {
                StatusCode::OK => {}
                StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
                status => {
                    return Err(FetchError::Status {
                        url: url.to_owned(),
                        status: status.as_u16(),
                    });
                }
            }
            let too_large = || FetchError::TooLarge {
                url: url.to_owned(),
                limit: self.limits.max_bytes,
            };
            // A declared length over the limit is refused before any of the body is read.
            let declared = response
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|length| length > self.limits.max_bytes as u64) {
                return Err(too_large());
            }
            let last_modified = response
                .headers()
                .get(LAST_MODIFIED)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = Limited::new(response.into_body(), self.limits.max_bytes)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        too_large()
                    } else {
                        network(&e)
                    }
                })?;
            Ok(Fetched::Body {
                bytes: body.to_bytes(),
                last_modified,
            })
        };
        tokio::time::timeout(self.limits.deadline, answer)
            .await
            .map_err(|_| FetchError::Deadline {
                url: url.to_owned(),
                seconds: self.limits.deadline.as_secs(),
            })?
    }
}

/// `url` as a URI, if it is `http://` with a host.
fn parse(url: &str) -> Result<Uri, FetchError> {
    url.parse()
        .ok()
        .filter(|uri: &Uri| uri.scheme_str() == Some("http") && uri.host().is_some())
        .ok_or_else(|| FetchError::Address(url.to_owned()))
}

/// An error and its sources, `: `-separated (hyper's own message alone is often just
/// "client error (Connect)").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
