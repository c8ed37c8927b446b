//! Request and response bodies: bounded reading with an idle timeout, and streamed responses.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Bytes, Frame, Incoming, SizeHint};
use tokio::sync::mpsc;

/// Every response body: whole, or streamed from a blocking reader.
pub type Body = BoxBody<Bytes, std::io::Error>;

/// A body of these bytes.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// Why a request body was not read whole.
#[derive(Debug)]
pub enum ReadError {
    /// It is longer than the limit.
    TooLarge(usize),
    /// The client sent nothing for the idle timeout.
    Stalled(Duration),
    /// The connection failed.
    Broken(hyper::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge(limit) => write!(f, "the body is larger than {limit} bytes"),
            Self::Stalled(idle) => write!(f, "the body stalled: nothing for {}s", idle.as_secs()),
            Self::Broken(e) => write!(f, "the body could not be read: {e}"),
        }
    }
}

/// The next data of `body`, `None` at its end, an error when nothing arrives for `idle`.
/// Trailers are skipped.
pub async fn next_data(body: &mut Incoming, idle: Duration) -> Result<Option<Bytes>, ReadError> {
    loop {
        let frame = tokio::time::timeout(idle, body.frame())
            .await
            .map_err(|_| ReadError::Stalled(idle))?;
        match frame {
            None => return Ok(None),
            Some(Err(e)) => return Err(ReadError::Broken(e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

/// Reads and drops the body, at most `limit` bytes; whether it was read to its end.
pub async fn drain(mut body: Incoming, limit: u64, idle: Duration) -> bool {
    let mut read = 0;
    while read <= limit {
        match next_data(&mut body, idle).await {
            Ok(Some(data)) => read += data.len() as u64,
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
    false
}

/// The whole body, at most `limit` bytes, each piece arriving within `idle`.
pub async fn read(mut body: Incoming, limit: usize, idle: Duration) -> Result<Bytes, ReadError> {
    // A declared length above the limit is refused before anything is read.
    if body.size_hint().lower() > limit as u64 {
        return Err(ReadError::TooLarge(limit));
    }
    let mut whole = Vec::new();
    while let Some(data) = next_data(&mut body, idle).await? {
        if whole.len() + data.len() > limit {
            return Err(ReadError::TooLarge(limit));
        }
        if whole.is_empty() && body.is_end_stream() {
            return Ok(data);
        }
        whole.extend_from_slice(&data);
    }
    Ok(whole.into())
}

/// A response body fed by a blocking producer through a bounded channel.
pub struct Channel {
    receiver: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    remaining: u64,
}

impl Channel {
    /// A body of exactly `length` bytes and the sender its producer writes them to.
    pub fn pair(length: u64) -> (mpsc::Sender<Result<Bytes, std::io::Error>>, Body) {
        let (sender, receiver) = mpsc::channel(4);
        let body = Self {
            receiver,
            remaining: length,
        };
        (sender, body.boxed())
    }
}

impl hyper::body::Body for Channel {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.receiver.poll_recv(cx) {
            Poll::Ready(Some(Ok(data))) => {
                self.remaining = self.remaining.saturating_sub(data.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) if self.remaining > 0 => Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the content ended early",
            )))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
