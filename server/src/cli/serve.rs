//! `qoima serve`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use std::sync::Arc;

use clap::Args;

use super::{Failure, open_registry};
use crate::http::{self, AppState};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

pub fn serve(dir: &Path, config: Option<&Path>, args: ServeArgs) -> Result<(), Failure> {
    let registry = open_registry(dir, super::config::load(config)?, true)?;
    let signer = qoima_vault::audit::key::load_or_create(&dir.join("audit"))
        .map_err(|e| Failure::failed(format!("the audit key: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Failure::failed(format!("cannot listen on {}: {e}", args.listen)))?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::failed(format!("cannot read the listening address: {e}")))?;
        println!(
            "qoima listening on http://{local} (data directory {})",
            dir.display()
        );
        let _ = std::io::stdout().flush();
        let state = AppState {
            registry: Arc::new(registry),
            signer: Arc::new(signer),
        };
        http::run(listener, state, shutdown_signal()).await;
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
