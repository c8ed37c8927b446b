//! Runs an async client library (a database driver, an S3 client) under the synchronous
//! storage traits.
//!
//! The vault's logic calls its stores from plain threads, from blocking pools and, for a few
//! short reads, from a server's async workers, where `Runtime::block_on` would panic. A
//! [`Bridge`] owns a small runtime of its own: each call is spawned there and the calling
//! thread waits on a plain channel, which is allowed on any thread.

use std::future::Future;
use std::sync::mpsc;

use tokio::runtime::{Builder, Runtime};

use super::StorageError;

/// A runtime of the engine's own, to which synchronous callers hand their futures.
#[derive(Debug)]
pub struct Bridge {
    runtime: Runtime,
}

impl Bridge {
    /// A runtime with `threads` workers (at least one), named after `name` in thread listings.
    pub fn new(name: &str, threads: usize) -> Result<Self, StorageError> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name(format!("qoima-{name}"))
            .enable_all()
            .build()
            .map_err(|e| StorageError::Engine(format!("cannot start the {name} runtime: {e}")))?;
        Ok(Self { runtime })
    }

    /// Runs `future` on the bridge's runtime and waits for its output.
    pub fn run<F>(&self, future: F) -> Result<F::Output, StorageError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (sender, receiver) = mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            // The receiver only goes away if the caller's thread died: nobody to tell.
            let _ = sender.send(future.await);
        });
        receiver
            .recv()
            .map_err(|_| StorageError::Engine("the storage runtime stopped mid-call".into()))
    }

    /// A handle for spawning background work (a listener, a connection's driver).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_from_a_plain_thread() {
        let bridge = Bridge::new("test", 1).unwrap();
        assert_eq!(bridge.run(async { 41 + 1 }).unwrap(), 42);
    }

    #[test]
    fn runs_from_inside_another_runtime_s_worker() {
        let bridge = std::sync::Arc::new(Bridge::new("test", 1).unwrap());
        let outer = Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let inner = std::sync::Arc::clone(&bridge);
        let got = outer
            .block_on(async move {
                tokio::spawn(async move { inner.run(async { "ran" }).unwrap() }).await
            })
            .unwrap();
        assert_eq!(got, "ran");
        drop(outer);
    }

    #[test]
    fn a_panicking_future_is_an_error_not_a_hang() {
        let bridge = Bridge::new("test", 1).unwrap();
        let result = bridge.run(async { panic!("driver bug") });
        assert!(matches!(result, Err(StorageError::Engine(_))));
    }
}
