//! A connection whose client stops reading is cut: a write that can make no progress for the
//! idle timeout fails, and hyper closes the connection. Without it a client that requests a
//! content and never reads it would hold its connection (and its slot of `max-connections`)
//! for as long as TCP keeps probing its closed window, which is for ever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// `io` whose writes fail once one has waited `idle` without the peer taking a byte.
pub struct StallGuard<T> {
    io: T,
    idle: Duration,
    /// Running while a write waits; reset by any progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> StallGuard<T> {
    pub fn new(io: T, idle: Duration) -> Self {
        Self {
            io,
            idle,
            stalled: None,
        }
    }

    /// The answer to a write that is pending: still pending, or an error once `idle` passed.
    fn waiting<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        let idle = self.idle;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client read nothing for {}s", idle.as_secs()),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// `result` of a write: progress resets the timer, pending runs it.
    fn watch<R>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        match result {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => self.waiting(cx),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StallGuard<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StallGuard<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.io).poll_write(cx, buf);
        this.watch(cx, result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.watch(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.io).poll_flush(cx);
        this.watch(cx, result)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests may panic.
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_peer_that_reads_nothing_fails_the_write_after_the_idle_timeout() {
        runtime().block_on(async {
            // A pipe of 1 KiB whose other end is never read.
            let (near, _far) = tokio::io::duplex(1024);
            let idle = Duration::from_millis(200);
            let mut guarded = StallGuard::new(near, idle);
            let started = tokio::time::Instant::now();
            let error = guarded.write_all(&[7; 64 << 10]).await.unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::TimedOut);
            assert!(started.elapsed() >= idle);
            assert!(error.to_string().contains("read nothing"), "{error}");
        });
    }

    #[test]
    fn a_peer_that_reads_slowly_is_not_cut() {
        runtime().block_on(async {
            use tokio::io::AsyncReadExt;
            let (near, mut far) = tokio::io::duplex(1024);
            // Each wait (50 ms) is shorter than the idle timeout; all of them are not.
            let mut guarded = StallGuard::new(near, Duration::from_millis(200));
            let reader = tokio::spawn(async move {
                let mut all = Vec::new();
                let mut buf = [0; 1024];
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    match far.read(&mut buf).await.unwrap() {
                        0 => return all.len(),
                        n => all.extend_from_slice(&buf[..n]),
                    }
                }
            });
            guarded.write_all(&[7; 10 << 10]).await.unwrap();
            guarded.shutdown().await.unwrap();
            drop(guarded);
            assert_eq!(reader.await.unwrap(), 10 << 10);
        });
    }
}
