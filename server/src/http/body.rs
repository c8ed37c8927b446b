//! Request and response bodies: bounded reading with an idle timeout and a total deadline,
//! and streamed responses.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

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

/// When the body of the request being served must have arrived whole, and the setting it
/// comes from.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// The instant.
    pub at: Instant,
    /// `body-deadline-seconds`, for messages.
    pub total: Duration,
}

tokio::task_local! {
    /// The deadline of the request being served: set once around each request
    /// ([`with_deadline`]), so that every body read under it, whatever its route, keeps it.
    static DEADLINE: Deadline;
}

/// `serve` with the body of its request due `total` from now.
pub fn with_deadline<F: Future>(total: Duration, serve: F) -> impl Future<Output = F::Output> {
    let deadline = Deadline {
        at: Instant::now() + total,
        total,
    };
    DEADLINE.scope(deadline, serve)
}

/// The deadline of the request being served, if one is set.
fn deadline() -> Option<Deadline> {
    DEADLINE.try_with(|deadline| *deadline).ok()
}

/// Why a request body was not read whole.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// It is longer than the limit.
    TooLarge(usize),
    /// The client sent nothing for the idle timeout.
    Stalled(Duration),
    /// It was not received whole within the request's deadline.
    Overdue(Duration),
    /// The connection failed.
    Broken(hyper::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLarge(limit) => write!(f, "the body is larger than {limit} bytes"),
            Self::Stalled(idle) => write!(f, "the body stalled: nothing for {}s", idle.as_secs()),
            Self::Overdue(total) => write!(
                f,
                "the body was not received whole within the deadline of {}s \
                 (body-deadline-seconds) from the request's head",
                total.as_secs()
            ),
            Self::Broken(e) => write!(f, "the body could not be read: {e}"),
        }
    }
}

/// The next data of `body`, `None` at its end, an error when nothing arrives for `idle` or
/// the request's [`Deadline`] passes. Trailers are skipped.
pub async fn next_data(body: &mut Incoming, idle: Duration) -> Result<Option<Bytes>, ReadError> {
    next_frame_data(body, idle, deadline(), ReadError::Broken).await
}

/// [`next_data`] of any body, under `deadline`; `broken` names the body's own errors.
async fn next_frame_data<B>(
    body: &mut B,
    idle: Duration,
    deadline: Option<Deadline>,
    broken: fn(B::Error) -> ReadError,
) -> Result<Option<Bytes>, ReadError>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    loop {
        // Checked before each frame too: bytes that keep arriving do not extend it.
        let wait = match deadline {
            Some(deadline) => match deadline.at.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left.min(idle),
                _ => return Err(ReadError::Overdue(deadline.total)),
            },
            None => idle,
        };
        let frame = match tokio::time::timeout(wait, body.frame()).await {
            Ok(frame) => frame,
            Err(_) => {
                return Err(match deadline {
                    Some(deadline) if Instant::now() >= deadline.at => {
                        ReadError::Overdue(deadline.total)
                    }
                    _ => ReadError::Stalled(idle),
                });
            }
        };
        match frame {
            None => return Ok(None),
            Some(Err(e)) => return Err(broken(e)),
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use std::convert::Infallible;

    use super::*;

    /// A body that sends one byte every `every`, for ever: a client that trickles.
    struct Trickle(tokio::time::Interval);

    impl hyper::body::Body for Trickle {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            self.0
                .poll_tick(cx)
                .map(|_| Some(Ok(Frame::data(Bytes::from_static(b"x")))))
        }
    }

    fn never(e: Infallible) -> ReadError {
        match e {}
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    /// Reads `body` until it fails; the bytes read and the error.
    async fn read_all(
        body: &mut Trickle,
        idle: Duration,
        deadline: Option<Deadline>,
    ) -> (usize, ReadError) {
        let mut read = 0;
        loop {
            match next_frame_data(body, idle, deadline, never).await {
                Ok(Some(data)) => read += data.len(),
                Ok(None) => panic!("a trickle never ends"),
                Err(e) => return (read, e),
            }
        }
    }

    #[test]
    fn a_trickling_body_is_cut_at_the_deadline_though_it_never_idles() {
        runtime().block_on(async {
            let every = Duration::from_millis(10);
            let total = Duration::from_millis(300);
            let mut body = Trickle(tokio::time::interval(every));
            let deadline = Deadline {
                at: Instant::now() + total,
                total,
            };
            let started = Instant::now();
            let (read, error) = read_all(&mut body, Duration::from_secs(60), Some(deadline)).await;
            assert!(
                matches!(error, ReadError::Overdue(t) if t == total),
                "{error}"
            );
            assert!(started.elapsed() >= total);
            assert!(read > 0, "bytes arrived before the deadline");
            assert!(
                error
                    .to_string()
                    .contains("deadline of 0s (body-deadline-seconds)")
            );
        });
    }

    #[test]
    fn without_a_deadline_only_the_idle_timeout_cuts() {
        runtime().block_on(async {
            // Bytes every 200 ms, an idle timeout of 50 ms: stalled, not overdue.
            let mut body = Trickle(tokio::time::interval(Duration::from_millis(200)));
            let idle = Duration::from_millis(50);
            let (_, error) = read_all(&mut body, idle, None).await;
            assert!(
                matches!(error, ReadError::Stalled(t) if t == idle),
                "{error}"
            );
            // A deadline further away than the idle timeout leaves the idle timeout to cut.
            let deadline = Deadline {
                at: Instant::now() + Duration::from_secs(60),
                total: Duration::from_secs(60),
            };
            let (_, error) = read_all(&mut body, idle, Some(deadline)).await;
            assert!(matches!(error, ReadError::Stalled(_)), "{error}");
        });
    }

    #[test]
    fn the_deadline_is_that_of_the_request_being_served() {
        runtime().block_on(async {
            assert!(deadline().is_none());
            let total = Duration::from_secs(7);
            let seen = with_deadline(total, async { deadline() }).await;
            assert_eq!(seen.map(|d| d.total), Some(total));
            assert!(deadline().is_none(), "only around its request");
        });
    }
}
